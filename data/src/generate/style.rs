//! How a region's export looks. Real exports differ from region to region (contract
//! section 3): header language and case, delimiter and encoding, date and boolean
//! spellings, Kazakh or Russian enum words, title rows in workbooks, IINs in numeric
//! cells. Each region draws one style from the seed, so the generated drops exercise
//! every shape the reader must accept.

use chrono::{NaiveDate, NaiveTime};
use daryn_registry::Lang;
use daryn_registry::cell::Cell;

use super::rng::Rng;

/// The file layout of a drop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Layout {
    /// `children.csv`, `measures.csv`, …
    Csv,
    /// `children.xlsx`, `measures.xlsx`, …
    XlsxFiles,
    /// One `roadmap.xlsx` with a sheet per table.
    XlsxWorkbook,
    /// One `roadmap.jsonl`, a nested document per child.
    Jsonl,
}

/// The `--format` choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatChoice {
    Csv,
    Xlsx,
    Jsonl,
    Mixed,
}

impl FormatChoice {
    pub fn parse(text: &str) -> Option<FormatChoice> {
        match text {
            "csv" => Some(FormatChoice::Csv),
            "xlsx" => Some(FormatChoice::Xlsx),
            "jsonl" => Some(FormatChoice::Jsonl),
            "mixed" => Some(FormatChoice::Mixed),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Utf8Bom,
    /// Excel's "Unicode text": UTF-16 little-endian with a BOM.
    Utf16Bom,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateStyle {
    Iso,
    Dotted,
    ShortDotted,
    /// Workbook date cells.
    DateCell,
    /// Workbook numbers holding Excel serials.
    Serial,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegionColumn {
    Empty,
    TwoDigits,
    NineDigits,
    Name,
}

#[derive(Clone, Debug)]
pub struct Style {
    pub layout: Layout,
    pub header_lang: Lang,
    pub header_upper: bool,
    pub header_padded: bool,
    pub delimiter: u8,
    pub encoding: TextEncoding,
    pub dates: DateStyle,
    /// `None`: canonical codes; otherwise the Kazakh or Russian words of the enums.
    pub word_lang: Option<Lang>,
    pub bool_words: (&'static str, &'static str),
    pub list_separator: &'static str,
    pub upper_names: f64,
    pub iin_as_number: bool,
    pub numbers_as_text: bool,
    pub title_rows: u32,
    pub region_column: RegionColumn,
    pub district_names: bool,
    pub measure_ids: bool,
    pub extra_column: bool,
    pub manifest: bool,
    pub folder_nine_digits: bool,
}

impl Style {
    /// Draws a region's style. `has_classifier` allows district names (a name needs a
    /// classifier to resolve).
    pub fn draw(rng: &mut Rng, choice: FormatChoice, has_classifier: bool) -> Style {
        let layout = match choice {
            FormatChoice::Csv => Layout::Csv,
            FormatChoice::Jsonl => Layout::Jsonl,
            FormatChoice::Xlsx => {
                if rng.chance(0.5) {
                    Layout::XlsxWorkbook
                } else {
                    Layout::XlsxFiles
                }
            }
            FormatChoice::Mixed => match rng.range(0, 10) {
                0..=4 => Layout::Csv,
                5 | 6 => Layout::XlsxWorkbook,
                7 => Layout::XlsxFiles,
                _ => Layout::Jsonl,
            },
        };
        let workbook = matches!(layout, Layout::XlsxFiles | Layout::XlsxWorkbook);
        let jsonl = layout == Layout::Jsonl;
        let header_lang = *rng.pick(&[Lang::Kk, Lang::Ru, Lang::En]);
        let dates = if jsonl {
            DateStyle::Iso
        } else if workbook {
            *rng.pick(&[DateStyle::DateCell, DateStyle::DateCell, DateStyle::Serial, DateStyle::Dotted])
        } else {
            *rng.pick(&[DateStyle::Iso, DateStyle::Dotted, DateStyle::ShortDotted])
        };
        let word_lang = if jsonl { None } else { *rng.pick(&[None, Some(Lang::Kk), Some(Lang::Ru)]) };
        let bool_words =
            *rng.pick(&[("иә", "жоқ"), ("да", "нет"), ("yes", "no"), ("true", "false"), ("1", "0"), ("+", "-")]);
        Style {
            layout,
            header_lang,
            header_upper: rng.chance(0.15),
            header_padded: rng.chance(0.2),
            delimiter: *rng.pick(b",;;\t"),
            encoding: *rng.pick(&[
                TextEncoding::Utf8,
                TextEncoding::Utf8Bom,
                TextEncoding::Utf8Bom,
                TextEncoding::Utf16Bom,
            ]),
            dates,
            word_lang,
            bool_words,
            list_separator: rng.pick::<&str>(&["; ", ";", ", "]),
            upper_names: if rng.chance(0.3) { 0.4 } else { 0.0 },
            iin_as_number: workbook && rng.chance(0.5),
            numbers_as_text: workbook && rng.chance(0.5),
            title_rows: if workbook { rng.range(0, 3) as u32 } else { 0 },
            region_column: if jsonl {
                RegionColumn::TwoDigits
            } else {
                *rng.pick(&[RegionColumn::Empty, RegionColumn::TwoDigits, RegionColumn::NineDigits, RegionColumn::Name])
            },
            district_names: has_classifier && !jsonl && rng.chance(0.3),
            measure_ids: rng.chance(0.7),
            extra_column: !jsonl && rng.chance(0.25),
            manifest: rng.chance(0.8),
            folder_nine_digits: rng.chance(0.3),
        }
    }

    pub fn is_workbook(&self) -> bool {
        matches!(self.layout, Layout::XlsxFiles | Layout::XlsxWorkbook)
    }

    pub fn date(&self, date: NaiveDate) -> Cell {
        match self.dates {
            DateStyle::Iso => Cell::Text(date.format("%Y-%m-%d").to_string()),
            DateStyle::Dotted => Cell::Text(date.format("%d.%m.%Y").to_string()),
            DateStyle::ShortDotted => Cell::Text(date.format("%-d.%-m.%Y").to_string()),
            DateStyle::DateCell => Cell::DateTime(date.and_time(NaiveTime::MIN)),
            DateStyle::Serial => {
                let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).expect("a valid date");
                Cell::Number((date - epoch).num_days() as f64)
            }
        }
    }

    pub fn boolean(&self, value: bool) -> Cell {
        if self.layout == Layout::Jsonl {
            return Cell::Bool(value);
        }
        Cell::Text(if value { self.bool_words.0 } else { self.bool_words.1 }.to_owned())
    }

    pub fn word(&self, code: &'static str, kk: &'static str, ru: &'static str) -> Cell {
        Cell::Text(
            match self.word_lang {
                None | Some(Lang::En) => code,
                Some(Lang::Kk) => kk,
                Some(Lang::Ru) => ru,
            }
            .to_owned(),
        )
    }

    pub fn integer(&self, value: i64) -> Cell {
        if self.layout == Layout::Jsonl || (self.is_workbook() && !self.numbers_as_text) {
            Cell::Number(value as f64)
        } else {
            Cell::Text(value.to_string())
        }
    }

    /// An amount in tiyn, written in tenge.
    pub fn amount(&self, tiyn: i64) -> Cell {
        let tenge = tiyn as f64 / 100.0;
        if self.layout == Layout::Jsonl || (self.is_workbook() && !self.numbers_as_text) {
            Cell::Number(tenge)
        } else if tiyn % 100 == 0 {
            Cell::Text((tiyn / 100).to_string())
        } else {
            Cell::Text(format!("{tenge:.2}"))
        }
    }

    pub fn iin(&self, text: String) -> Cell {
        if self.iin_as_number { Cell::Number(text.parse::<f64>().unwrap_or(0.0)) } else { Cell::Text(text) }
    }

    pub fn list(&self, items: &[String]) -> Cell {
        if items.is_empty() { Cell::Empty } else { Cell::Text(items.join(self.list_separator)) }
    }

    /// A header as this region writes it.
    pub fn header(&self, header: &str) -> String {
        let mut text = if self.header_upper { header.to_uppercase() } else { header.to_owned() };
        if self.header_padded {
            text = format!(" {text}  ");
        }
        text
    }
}
