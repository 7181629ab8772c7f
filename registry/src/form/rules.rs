//! The rules of ROADMAP-FORM.md sections 2 and 4, row by row and across the tables of
//! one drop. A row either becomes a typed record or yields one [`RowIssue`]: the first
//! broken rule in column order, then the rules that join columns. Readers keep the
//! location of each row; these checks only name the column.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::BuildHasher;

use chrono::{Datelike, NaiveDate};
use hashbrown::hash_table::{Entry, HashTable};
use rustc_hash::{FxBuildHasher, FxHashSet};

use super::{ACHIEVEMENTS, CHILDREN, MEASURES, TEACHERS, TableDef, TableKind};
use crate::cell::{self, Cell};
use crate::discipline::DisciplineRef;
use crate::enums::*;
use crate::error::{RejectCode, WarningCode};
use crate::iin::{Iin, IinError, mask_iin_column, mask_iin_runs};
use crate::kato::{KatoClassifier, KatoCode, Region, RegionCode};
use crate::lang::Lang;
use crate::records::{Achievement, Child, Measure, Teacher};

mod child;
mod drop;
mod records;

pub use child::*;
pub use drop::*;
pub use records::*;

/// What the rules need to know about the drop a row came from.
#[derive(Clone, Copy, Debug)]
pub struct DropContext<'a> {
    pub region: RegionCode,
    /// The date of `exported_at`: "in the future" and ages are judged against it.
    pub export_date: NaiveDate,
    /// Districts to validate against; without it a district must be given as a code.
    pub classifier: Option<&'a KatoClassifier>,
}

impl DropContext<'_> {
    /// The export date as messages give it, as the regions write dates: `24.11.2026`.
    pub fn export_day(&self) -> impl std::fmt::Display + use<> {
        self.export_date.format("%d.%m.%Y")
    }
}

/// Why one row is rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowIssue {
    pub column: &'static str,
    pub code: RejectCode,
    /// The value as written, with any IIN masked.
    pub value: String,
    pub detail: Detail,
}

/// What exactly is wrong with one row, after the code's general description, in each
/// language of the coordinator's file. Kazakh and Russian are empty where the detail
/// only says again what the description says in those languages; English always says it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Detail {
    pub en: String,
    pub kk: String,
    pub ru: String,
}

impl Detail {
    fn said(en: impl Into<String>, kk: impl Into<String>, ru: impl Into<String>) -> Detail {
        Detail { en: en.into(), kk: kk.into(), ru: ru.into() }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Kk => &self.kk,
            Lang::Ru => &self.ru,
        }
    }
}

/// A detail the code's description already gives in Kazakh and Russian.
impl From<String> for Detail {
    fn from(en: String) -> Detail {
        Detail { en, ..Detail::default() }
    }
}

impl From<&str> for Detail {
    fn from(en: &str) -> Detail {
        Detail::from(en.to_owned())
    }
}

/// Something accepted but worth telling the coordinator, e.g. an unknown discipline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowWarning {
    pub code: WarningCode,
    pub column: &'static str,
    pub value: String,
    pub detail: Detail,
}

type Checked<T> = Result<T, RowIssue>;

/// A rejected value as the rejection shows it. In a column of IINs anything with eight
/// digits or more is masked (its first six and last digit shown), a mistyped IIN
/// included; elsewhere only what may be an IIN typed into the wrong column, so that a
/// wrong date, code or amount stays readable.
fn shown_value(table: &TableDef, column: &str, value: &str) -> String {
    let value = &value.trim_end_matches(cell::LIST_ITEM_SEPARATOR).replace(cell::LIST_ITEM_SEPARATOR, "; ");
    let holds_iins = table.columns.iter().any(|def| def.name == column && def.holds_iins());
    cut_shown(if holds_iins { mask_iin_column(value) } else { mask_iin_runs(value) })
}

/// The most characters of a value a rejection or warning shows: a cell of a hundred
/// megabytes told back whole would be that size again in the coordinator's file, the
/// report and the `rejections` table (and Excel shows 32,767 of it).
pub const MAX_SHOWN_CHARS: usize = 1_000;

/// A value cut to [`MAX_SHOWN_CHARS`], with `…` where it was cut. Cut after masking, so
/// that no IIN is cut to fewer digits than the mask looks for.
pub fn cut_shown(value: String) -> String {
    // A NUL or another control character would travel into the coordinator's CSV.
    let value = if value.bytes().any(|byte| byte < b' ' && byte != b'\t' && byte != b'\n') {
        value.chars().map(|ch| if ch < ' ' && ch != '\t' && ch != '\n' { ' ' } else { ch }).collect()
    } else {
        value
    };
    match value.char_indices().nth(MAX_SHOWN_CHARS) {
        Some((at, _)) => {
            let mut cut = value;
            cut.truncate(at);
            cut.push('…');
            cut
        }
        None => value,
    }
}

/// Typed access to one row's cells, failing with the right code and column.
struct Row<'a> {
    table: &'static TableDef,
    cells: &'a [Cell],
}

impl<'a> Row<'a> {
    fn cell(&self, column: &'static str) -> &'a Cell {
        static EMPTY: Cell = Cell::Empty;
        self.cells.get(self.table.index(column)).unwrap_or(&EMPTY)
    }

    fn issue(&self, column: &'static str, code: RejectCode, detail: impl Into<Detail>) -> RowIssue {
        RowIssue {
            column,
            code,
            value: shown_value(self.table, column, &self.cell(column).shown()),
            detail: detail.into(),
        }
    }

    fn required(&self, column: &'static str) -> Checked<&'a Cell> {
        let cell = self.cell(column);
        if cell.is_empty() {
            return Err(self.issue(column, RejectCode::RequiredMissing, format!("`{column}` is empty")));
        }
        Ok(cell)
    }

    fn optional_text(&self, column: &'static str) -> Option<String> {
        self.cell(column).as_clean_text()
    }

    fn iin_of(&self, column: &'static str, cell: &Cell) -> Checked<Iin> {
        cell_iin(cell).map_err(|error| match error {
            IinError::Format => self.issue(column, RejectCode::IinFormat, "not twelve digits"),
            IinError::BirthDate => self.issue(column, RejectCode::IinBirthDate, "no such birth date or century digit"),
            IinError::CheckDigit => self.issue(column, RejectCode::IinCheckDigit, "the check digit does not match"),
        })
    }

    fn iin(&self, column: &'static str) -> Checked<Iin> {
        let cell = self.required(column)?;
        self.iin_of(column, cell)
    }

    fn date(&self, column: &'static str) -> Checked<NaiveDate> {
        let cell = self.required(column)?;
        cell::parse_date(cell).ok_or_else(|| {
            let detail = if cell::is_bare_year(cell) {
                Detail::said(
                    format!("`{column}` holds a year alone; write the whole date"),
                    "тек жыл жазылған; толық күнін жазыңыз",
                    "указан только год; напишите полную дату",
                )
            } else if cell::is_ambiguous_date(cell) {
                Detail::said(
                    format!("`{column}` reads as day/month and as month/day; write it as 01.09.2025"),
                    "күн/ай ретінде де, ай/күн ретінде де оқылады; 01.09.2025 түрінде жазыңыз",
                    "читается и как день/месяц, и как месяц/день; напишите как 01.09.2025",
                )
            } else {
                Detail::said(
                    format!("`{column}` is not a date between 1900 and 2199"),
                    "1900–2199 жылдар аралығындағы күн емес",
                    "это не дата между 1900 и 2199 годами",
                )
            };
            self.issue(column, RejectCode::DateInvalid, detail)
        })
    }

    fn optional_date(&self, column: &'static str) -> Checked<Option<NaiveDate>> {
        if self.cell(column).is_empty() { Ok(None) } else { self.date(column).map(Some) }
    }

    fn word<T>(&self, column: &'static str, parse: fn(&str) -> Option<T>) -> Checked<T> {
        let cell = self.required(column)?;
        parse(&cell.shown())
            .ok_or_else(|| self.issue(column, RejectCode::EnumInvalid, format!("not a word for `{column}`")))
    }

    fn optional_word<T>(&self, column: &'static str, parse: fn(&str) -> Option<T>) -> Checked<Option<T>> {
        if self.cell(column).is_empty() { Ok(None) } else { self.word(column, parse).map(Some) }
    }

    fn boolean(&self, column: &'static str) -> Checked<bool> {
        let cell = self.required(column)?;
        cell::parse_bool(cell).ok_or_else(|| self.issue(column, RejectCode::BoolInvalid, "use yes/no, иә/жоқ, да/нет"))
    }

    fn optional_discipline(&self, column: &'static str, warnings: &mut Vec<RowWarning>) -> Option<DisciplineRef> {
        // Borrowed: most cells name a known discipline, which keeps none of the text.
        let resolved = DisciplineRef::resolve(&self.cell(column).clean_text()?);
        warn_unknown(column, &resolved, warnings);
        Some(resolved)
    }
}

/// The text cells of a row every rule has passed, moved into its record
/// ([`Cell::take_clean_text`]): most cells give their text away rather than a copy. Used
/// only after the last rule that reads the row, since a taken cell reads as empty; a
/// column that [`check_drop`] reads again (`measure_id`) is copied instead.
struct Texts<'a> {
    table: &'static TableDef,
    cells: &'a mut [Cell],
}

impl Texts<'_> {
    fn optional(&mut self, column: &'static str) -> Option<String> {
        self.cells.get_mut(self.table.index(column)).and_then(Cell::take_clean_text)
    }

    /// A column [`Row::required`] found filled.
    fn required(&mut self, column: &'static str) -> String {
        self.optional(column).unwrap_or_default()
    }
}

fn warn_unknown(column: &'static str, discipline: &DisciplineRef, warnings: &mut Vec<RowWarning>) {
    if let DisciplineRef::Unknown(text) = discipline {
        warnings.push(RowWarning {
            code: WarningCode::DisciplineUnknown,
            column,
            value: text.clone(),
            detail: Detail::from(format!("`{text}` is not in the taxonomy")),
        });
    }
}

/// Turns an ALL-CAPS name into title case, keeping hyphenated parts: ИВАНОВА-ӘЛИЕВА →
/// Иванова-Әлиева. Names in mixed case are left as typed.
pub fn title_case_if_all_caps(name: &str) -> String {
    title_cased(name.to_owned())
}

/// [`title_case_if_all_caps`] on a name already owned, which is given back when typed in
/// mixed case, as most names are.
fn title_cased(name: String) -> String {
    // A mixed-case name tells by its second letter, without a look at the Unicode
    // tables for the rest of it.
    if name.chars().any(char::is_lowercase) || name.chars().filter(|ch| ch.is_alphabetic()).take(2).count() < 2 {
        return name;
    }
    let mut result = String::with_capacity(name.len());
    let mut start_of_word = true;
    for ch in name.chars() {
        if start_of_word {
            result.extend(ch.to_uppercase());
        } else {
            result.extend(ch.to_lowercase());
        }
        start_of_word = !ch.is_alphabetic();
    }
    result
}

/// Whole years between two dates.
pub fn age_on(birth_date: NaiveDate, day: NaiveDate) -> i32 {
    let mut age = day.year() - birth_date.year();
    if (day.month(), day.day()) < (birth_date.month(), birth_date.day()) {
        age -= 1;
    }
    age
}

#[cfg(test)]
mod tests;
