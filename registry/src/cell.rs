//! A cell as a reader hands it over, and the parsers that turn cells into typed values.
//! CSV and JSONL give text; XLSX gives numbers, dates and booleans as well, so each
//! parser accepts every shape the contract (section 3) allows.

use std::borrow::Cow;

use chrono::{Datelike, Days, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};

use crate::enums::YesNo;

/// One raw cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    /// A date or date-time cell of a spreadsheet.
    DateTime(NaiveDateTime),
}

impl Cell {
    pub fn text(value: impl Into<String>) -> Cell {
        let value = value.into();
        if is_blank(&value) { Cell::Empty } else { Cell::Text(value) }
    }

    /// True for a missing value: no cell, or only spaces.
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(text) => is_blank(text),
            _ => false,
        }
    }

    /// The cell as a person would read it, for messages and the rejection file.
    pub fn display(&self) -> String {
        self.shown().into_owned()
    }

    /// The cell as text, like [`Cell::display`], borrowed when the cell holds text: the
    /// parsers of words and codes read every cell so.
    pub fn shown(&self) -> Cow<'_, str> {
        match self {
            Cell::Empty => Cow::Borrowed(""),
            Cell::Text(text) => Cow::Borrowed(text),
            Cell::Number(number) if number.fract() == 0.0 && number.abs() < 1e15 => {
                Cow::Owned(format!("{}", *number as i64))
            }
            Cell::Number(number) => Cow::Owned(number.to_string()),
            Cell::Bool(value) => Cow::Owned(value.to_string()),
            Cell::DateTime(value) if value.time() == chrono::NaiveTime::MIN => Cow::Owned(value.date().to_string()),
            Cell::DateTime(value) => Cow::Owned(value.to_string()),
        }
    }

    /// Trimmed text with inner whitespace collapsed, or `None` when empty.
    pub fn as_clean_text(&self) -> Option<String> {
        self.clean_text().map(Cow::into_owned)
    }

    /// [`Cell::as_clean_text`], borrowed when the cell's text is clean already.
    pub fn clean_text(&self) -> Option<Cow<'_, str>> {
        if self.is_empty() {
            return None;
        }
        // Most cells are clean already: single spaces between words, none around them.
        if let Cell::Text(text) = self
            && crate::spelling::is_collapsed(text)
        {
            return Some(Cow::Borrowed(text));
        }
        // Control characters go as white space does ([`crate::spelling::is_space_or_control`]);
        // a cell of only those is empty.
        let shown = self.shown();
        let words: Vec<&str> =
            shown.split(crate::spelling::is_space_or_control).filter(|word| !word.is_empty()).collect();
        if words.is_empty() {
            return None;
        }
        Some(Cow::Owned(words.join(" ")))
    }

    /// [`Cell::as_clean_text`], moving the text out when it is clean already and leaving
    /// the cell empty: the rules build a record from cells they will not read again, and
    /// most cells of an export give their text away rather than a copy.
    pub fn take_clean_text(&mut self) -> Option<String> {
        if let Cow::Owned(clean) = self.clean_text()? {
            return Some(clean);
        }
        match std::mem::replace(self, Cell::Empty) {
            Cell::Text(text) => Some(text),
            other => other.as_clean_text(),
        }
    }
}

/// Whether a text holds nothing but white space. Most cells begin with a character that
/// cannot be white space (an ASCII letter or digit, a Cyrillic letter), which answers
/// without decoding the text from both ends; the rules ask this of every cell.
pub fn is_blank(text: &str) -> bool {
    match text.as_bytes().first() {
        None => true,
        Some(&byte) if !crate::spelling::may_start_white_space(byte) => false,
        Some(_) => text.trim_matches(crate::spelling::is_space_or_control).is_empty(),
    }
}

/// The first day Excel counts from (serial 1 is 1900-01-01; the 1900 leap-year bug
/// makes 1899-12-30 the working origin for every serial after February 1900).
fn excel_epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1899, 12, 30).expect("a valid date")
}

/// Excel serials the form accepts as dates: 18 May 1927 (10000) to 31 December 2199. A
/// smaller whole number is far likelier a year typed alone (`2024`, which as a serial is
/// 16 July 1905) than a date of the 1900s, and no date of this form is that old.
const SERIAL_RANGE: std::ops::RangeInclusive<f64> = 10_000.0..=109_574.0;

/// The years a date of the form may fall in: the children's and their teachers' lives.
/// A date outside (`01.01.0999`, `-500-01-01`) is a typing slip, not a date to keep.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2199;

/// Reads a date: ISO `2025-09-01`, `01.09.2025`, `1.9.2025`, `13/09/2025` (with `/`,
/// only when the day and the month cannot be mistaken for each other), an Excel serial
/// number (as a number or as text), or a date cell; in the years [`YEARS`]. A date typed
/// with its time keeps its date; with a zone (`2025-08-31T19:00:00Z`), the date in
/// Kazakhstan that moment fell on.
pub fn parse_date(cell: &Cell) -> Option<NaiveDate> {
    let date = match cell {
        Cell::DateTime(value) => Some(value.date()),
        Cell::Number(serial) => date_from_serial(*serial),
        Cell::Text(text) => parse_date_text(text),
        Cell::Empty | Cell::Bool(_) => None,
    }?;
    YEARS.contains(&date.year()).then_some(date)
}

/// Whether an Excel serial number is one the form reads as a date; a date cell outside
/// holds something else (`2024`, a year typed into a date column; `0.5`, a time alone).
pub fn is_date_serial(serial: f64) -> bool {
    SERIAL_RANGE.contains(&serial)
}

/// Whether a cell that is no date holds a year alone (`2024`), which the rejection
/// message then names.
pub fn is_bare_year(cell: &Cell) -> bool {
    let year = match cell {
        // Saturating: a number far out of range is no year either.
        Cell::Number(number) if number.fract() == 0.0 => *number as i32,
        Cell::Text(text) if text.trim().len() == 4 => text.trim().parse().unwrap_or(0),
        _ => return false,
    };
    YEARS.contains(&year)
}

/// Whether a cell that is no date was refused for being written with `/` and numbers
/// that read both as day/month and month/day (`03/04/2025`), which the message names.
pub fn is_ambiguous_date(cell: &Cell) -> bool {
    let Cell::Text(text) = cell else { return false };
    let (date_part, _) = date_and_rest(text);
    matches!(three_numbers(date_part, '/'), Some((first, second, year))
        if first != second && first <= 12 && second <= 12 && NaiveDate::from_ymd_opt(year, second, first).is_some())
}

fn date_from_serial(serial: f64) -> Option<NaiveDate> {
    if !serial.is_finite() || !SERIAL_RANGE.contains(&serial) {
        return None;
    }
    excel_epoch().checked_add_days(Days::new(serial.floor() as u64))
}

/// `d.m.yyyy` (`separator` `.`), or `d/m/yyyy` or `m/d/yyyy` (`/`), as its two small
/// numbers (of one or two digits) and its year (of four).
fn three_numbers(date_part: &str, separator: char) -> Option<(u32, u32, i32)> {
    let mut parts = date_part.split(separator);
    let (Some(first), Some(second), Some(year), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    let digits = |part: &str, widths: std::ops::RangeInclusive<usize>| {
        widths.contains(&part.len()) && part.bytes().all(|digit| digit.is_ascii_digit())
    };
    if !(digits(first, 1..=2) && digits(second, 1..=2) && digits(year, 4..=4)) {
        return None;
    }
    Some((first.parse().ok()?, second.parse().ok()?, year.parse().ok()?))
}

/// A date typed as text, trimmed (of control characters too), as its date and what
/// follows it (a time, a zone, a word).
fn date_and_rest(text: &str) -> (&str, Option<&str>) {
    let text = text.trim_matches(crate::spelling::is_space_or_control);
    match text.split_once(['T', ' ']) {
        Some((date_part, rest)) => (date_part, Some(rest)),
        None => (text, None),
    }
}

fn parse_date_text(text: &str) -> Option<NaiveDate> {
    let (date_part, rest) = date_and_rest(text);
    let date = date_of(date_part)?;
    match rest {
        None => Some(date),
        Some(rest) => date_with_rest(date, rest),
    }
}

/// Words for "year" written after a date (`01.09.2025 г.`, `01.09.2025 жыл`, `г.р.`: the
/// year of birth).
const YEAR_WORDS: [&str; 9] = ["г.", "г", "года", "год", "г.р.", "ж.", "ж", "жыл", "жылы"];

/// The date a date written with more after it stands for: a time (`0:00`, `10:30:00`,
/// `10:30:00,000`, `12:00 AM`, `24:00`), which leaves the date as it is; a time with a
/// zone, or a word for the year (`01.09.2025 г.`). Anything else (`2025-09-01 junk`, a
/// second date, a range of times) is no date.
///
/// A zone of Kazakhstan (`+05:00`, and `+06:00`, Astana's and Almaty's until March
/// 2024) leaves the date as written. Another (`Z`, `UTC`, `-03:00`) gives the date in
/// Kazakhstan at that moment, as +05:00 reads it, except that a moment at midnight by
/// +06:00 (`18:00:00Z`) is that day: a date of those years sent in UTC.
fn date_with_rest(date: NaiveDate, rest: &str) -> Option<NaiveDate> {
    let rest = rest.trim();
    if YEAR_WORDS.contains(&rest) {
        return Some(date);
    }
    let (time, offset) = split_zone(rest)?;
    let time = time.trim().replace(',', ".");
    // The end of the day, as some systems write midnight: the date it ends.
    if time.strip_prefix("24:00").is_some_and(|more| more.chars().all(|ch| matches!(ch, ':' | '.' | '0'))) {
        return Some(date);
    }
    const TIMES: [&str; 6] = ["%H:%M:%S%.f", "%H:%M", "%I:%M:%S%.f %p", "%I:%M %p", "%I:%M:%S%.f%p", "%I:%M%p"];
    let naive = TIMES.iter().find_map(|format| NaiveTime::parse_from_str(&time, format).ok())?;
    let Some(offset) = offset else { return Some(date) };
    if [5 * 3600, 6 * 3600].contains(&offset.local_minus_utc()) {
        return Some(date);
    }
    let utc = date.and_time(naive).checked_sub_offset(offset)?;
    let local = utc.checked_add_offset(crate::kazakhstan_offset())?;
    if local.time() == NaiveTime::from_hms_opt(23, 0, 0)? {
        return local.date().succ_opt();
    }
    Some(local.date())
}

/// A time and its zone, when it has one: `Z`, `UTC` or `GMT`, or an offset of hours
/// (`+05`) or of hours and minutes (`+05:00`, `+0500`) right after a time with seconds
/// (so that `10:00-10:30`, a range, is no time at all). `None` for a zone that is no zone.
fn split_zone(rest: &str) -> Option<(&str, Option<FixedOffset>)> {
    for utc in ["UTC", "GMT", "Z", "z"] {
        if let Some(time) = rest.strip_suffix(utc) {
            return Some((time, Some(FixedOffset::east_opt(0)?)));
        }
    }
    let Some(at) = rest.rfind(['+', '-']) else { return Some((rest, None)) };
    let (time, zone) = (&rest[..at], &rest.as_bytes()[at + 1..]);
    if time.matches(':').count() != 2 {
        return None;
    }
    let digit = |at: usize| zone.get(at).filter(|byte| byte.is_ascii_digit()).map(|byte| i32::from(byte - b'0'));
    let (hours, minutes) = match zone.len() {
        2 => (digit(0)? * 10 + digit(1)?, 0),
        4 => (digit(0)? * 10 + digit(1)?, digit(2)? * 10 + digit(3)?),
        5 if zone[2] == b':' => (digit(0)? * 10 + digit(1)?, digit(3)? * 10 + digit(4)?),
        _ => return None,
    };
    if hours > 14 || minutes > 59 {
        return None;
    }
    let sign = if rest[at..].starts_with('-') { -1 } else { 1 };
    Some((time, Some(FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))?)))
}

/// A date without its time: ISO, dotted, slashed (when unambiguous) or a serial as text.
fn date_of(date_part: &str) -> Option<NaiveDate> {
    // `2025-09-01`, the form's own spelling, read without chrono's format parser.
    if let [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] = date_part.as_bytes()
        && [y1, y2, y3, y4, m1, m2, d1, d2].iter().all(|digit| digit.is_ascii_digit())
    {
        let number = |digits: &[&u8]| digits.iter().fold(0u32, |value, digit| value * 10 + u32::from(**digit - b'0'));
        return NaiveDate::from_ymd_opt(number(&[y1, y2, y3, y4]) as i32, number(&[m1, m2]), number(&[d1, d2]));
    }
    // chrono's parser reads its format string on every call: only a date with a `-` can
    // match this one.
    if date_part.contains('-')
        && let Ok(date) = NaiveDate::parse_from_str(date_part, "%Y-%m-%d")
    {
        return Some(date);
    }
    if let Some((day, month, year)) = three_numbers(date_part, '.') {
        return NaiveDate::from_ymd_opt(year, month, day);
    }
    // With `/`, Europe writes the day first and the United States the month: a number
    // over 12 says which it is, and two equal numbers are the same date either way.
    // `03/04/2025` is refused (see [`is_ambiguous_date`]).
    if let Some((first, second, year)) = three_numbers(date_part, '/') {
        let (day, month) = match (first, second) {
            (first, second) if first == second || first > 12 => (first, second),
            (first, second) if second > 12 => (second, first),
            _ => return None,
        };
        return NaiveDate::from_ymd_opt(year, month, day);
    }
    // A serial typed as text: five or six digits, no leading zero (`010312` is a
    // `ddmmyy` date, not serial 10312).
    if date_part.bytes().all(|b| b.is_ascii_digit())
        && (5..=6).contains(&date_part.len())
        && !date_part.starts_with('0')
    {
        return date_from_serial(date_part.parse().ok()?);
    }
    None
}

/// Reads a boolean: any spelling of [`YesNo`], a boolean cell, or the numbers 1 and 0.
pub fn parse_bool(cell: &Cell) -> Option<bool> {
    match cell {
        Cell::Bool(value) => Some(*value),
        Cell::Number(number) if *number == 1.0 => Some(true),
        Cell::Number(number) if *number == 0.0 => Some(false),
        Cell::Text(text) => YesNo::parse(text).map(YesNo::as_bool),
        _ => None,
    }
}

/// Reads a whole number, from a number cell or from text (numbers stored as text).
pub fn parse_int(cell: &Cell) -> Option<i64> {
    match cell {
        Cell::Number(number) if number.fract() == 0.0 && number.abs() < 1e15 => Some(*number as i64),
        Cell::Text(text) => {
            let trimmed = text.trim();
            trimmed.parse::<i64>().ok().or_else(|| {
                let number: f64 = trimmed.parse().ok()?;
                (number.fract() == 0.0 && number.abs() < 1e15).then_some(number as i64)
            })
        }
        _ => None,
    }
}

/// Reads an amount: a number cell, or text with `.` or `,` as the decimal mark and
/// spaces (also non-breaking) as thousands separators. Returns the value in tiyn
/// (hundredths of a tenge) so that sums stay exact. Text of one to three digits, a mark
/// and three digits is refused: `25,000` or `1.500` is far likelier a thousands separator
/// than tenge and a tenth of a tiyn. More decimals (`25000.0000`, as databases export
/// money) are read and rounded to the tiyn. With both marks (`25,000.00` as Excel saves
/// a cell formatted `#,##0.00` in English, `25.000,00` in German) the last is the decimal
/// mark and the other separates thousands; a mark given twice or more (`1,250,000`)
/// separates thousands. Thousands are groups of three digits, or the text is no amount.
pub fn parse_amount_tiyn(cell: &Cell) -> Option<i64> {
    let value = match cell {
        Cell::Number(number) => *number,
        Cell::Text(text) => {
            let spaced: String = text
                .trim()
                .trim_end_matches("₸")
                .trim_end_matches("тг")
                .chars()
                .filter(|ch| !ch.is_whitespace() && *ch != '\u{a0}' && *ch != '\u{202f}')
                .collect();
            let cleaned = without_thousands(&spaced)?.replace(',', ".");
            if let Some((whole, decimals)) = cleaned.split_once('.')
                && (1..=3).contains(&whole.len())
                && decimals.len() == 3
                && [whole, decimals].iter().all(|digits| digits.bytes().all(|digit| digit.is_ascii_digit()))
            {
                return None;
            }
            cleaned.parse::<f64>().ok()?
        }
        _ => return None,
    };
    if !value.is_finite() || value.abs() > 1e13 {
        return None;
    }
    Some((value * 100.0).round() as i64)
}

/// An amount's text with its thousands separators taken out ([`parse_amount_tiyn`]):
/// `25,000.00` is `25000.00`, `1.250.000` is `1250000`; text with one mark or none is
/// given back as it is. `None` when the separators are not between groups of three.
fn without_thousands(text: &str) -> Option<std::borrow::Cow<'_, str>> {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let marks = |mark: char| digits.matches(mark).count();
    let (commas, points) = (marks(','), marks('.'));
    let (thousands, decimal) = match (commas, points) {
        (0, 0) | (1, 0) | (0, 1) => return Some(std::borrow::Cow::Borrowed(text)),
        (_, 0) => (',', None),
        (0, _) => ('.', None),
        _ => {
            let decimal = char::from(digits.as_bytes()[digits.rfind([',', '.'])?]);
            (if decimal == ',' { '.' } else { ',' }, Some(decimal))
        }
    };
    let (whole, fraction) = match decimal {
        Some(decimal) => {
            let (whole, fraction) = digits.rsplit_once(decimal)?;
            (whole, Some(fraction))
        }
        None => (digits, None),
    };
    // Thousands only before the decimal mark, which stands once.
    if decimal.is_some_and(|decimal| whole.contains(decimal)) {
        return None;
    }
    let groups: Vec<&str> = whole.split(thousands).collect();
    let grouped = (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|group| group.len() == 3)
        && groups.iter().all(|group| group.bytes().all(|byte| byte.is_ascii_digit()));
    if !grouped {
        return None;
    }
    let mut plain = format!("{sign}{}", groups.concat());
    if let Some(fraction) = fraction {
        plain.push('.');
        plain.push_str(fraction);
    }
    Some(std::borrow::Cow::Owned(plain))
}

/// What joins the items of a list given as items (a JSON array), so that an item may hold
/// `;` or `,` (`Робототехника, 3D-модельдеу`): the ASCII unit separator, which no cell of
/// an export holds.
pub const LIST_ITEM_SEPARATOR: char = '\u{1f}';

/// Splits a list cell on `;` or `,` (or, when its items were joined with
/// [`LIST_ITEM_SEPARATOR`], on that alone), trimming each item and dropping empty ones.
pub fn split_list(text: &str) -> Vec<String> {
    if text.contains(LIST_ITEM_SEPARATOR) {
        split_at(text, &[LIST_ITEM_SEPARATOR])
    } else {
        split_at(text, &[';', ','])
    }
}

/// `text` split at any of `separators`, each item trimmed, empty ones dropped.
fn split_at(text: &str, separators: &[char]) -> Vec<String> {
    text.split(separators).map(str::trim).filter(|item| !item.is_empty()).map(str::to_owned).collect()
}

/// A list cell's items as `split` cuts its text. A list held in a number cell (one IIN)
/// is one item.
fn items_of(cell: &Cell, split: impl Fn(&str) -> Vec<String>) -> Vec<String> {
    match cell {
        Cell::Text(text) => split(text),
        Cell::Empty => Vec::new(),
        other => vec![other.display()],
    }
}

/// The items of a list cell ([`split_list`]).
pub fn list_items(cell: &Cell) -> Vec<String> {
    items_of(cell, split_list)
}

/// The items of a list of words or IINs, which never hold `;` or `,`: split at those
/// and at [`LIST_ITEM_SEPARATOR`] alike, so that a JSON array item `"science;art"` is two
/// words, as the same text in a CSV cell is.
pub fn word_items(cell: &Cell) -> Vec<String> {
    items_of(cell, |text| split_at(text, &[';', ',', LIST_ITEM_SEPARATOR]))
}

#[cfg(test)]
mod tests;
