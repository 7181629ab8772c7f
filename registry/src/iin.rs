//! The individual identification number (ЖСН / ИИН): twelve digits that encode the
//! birth date, the sex and the century, with a check digit computed in up to two passes.
//!
//! Layout: `YYMMDD C SSSS K` where `C` gives century and sex (1/2: 1800s, 3/4: 1900s,
//! 5/6: 2000s; odd male, even female), `SSSS` is a serial and `K` the check digit.
//! The check digit is `Σ dᵢ·wᵢ mod 11` with weights 1…11; when that is 10 a second
//! pass uses weights 3…11,1,2; when that is 10 too, the number is never issued.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::enums::Sex;

const FIRST_WEIGHTS: [u32; 11] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const SECOND_WEIGHTS: [u32; 11] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];

/// A valid IIN. Holding one proves its digits, date, century and check digit agree.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Iin([u8; 12]);

/// Why a text is not a valid IIN; each maps to a stable rejection code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IinError {
    /// Not exactly twelve digits.
    Format,
    /// The century-and-sex digit is not 1–6, or the birth date does not exist.
    BirthDate,
    /// The check digit disagrees, or the number is one that is never issued.
    CheckDigit,
}

impl Iin {
    /// Reads an IIN typed as text. Spaces and a leading apostrophe (Excel's text marker)
    /// are ignored; anything else that is not a digit makes it invalid.
    pub fn parse(text: &str) -> Result<Iin, IinError> {
        let mut digits = [0u8; 12];
        let mut count = 0;
        for ch in text.trim().trim_start_matches('\'').chars().filter(|ch| !ch.is_whitespace()) {
            let digit = ch.to_digit(10).ok_or(IinError::Format)?;
            *digits.get_mut(count).ok_or(IinError::Format)? = digit as u8;
            count += 1;
        }
        if count != digits.len() {
            return Err(IinError::Format);
        }
        Iin::from_digits(digits)
    }

    /// Reads an IIN from a numeric spreadsheet cell, where leading zeros were lost
    /// (a child born in 2005 has an IIN starting `05`). Fractions and negatives are invalid.
    pub fn from_number(number: f64) -> Result<Iin, IinError> {
        if !number.is_finite() || number < 0.0 || number.fract() != 0.0 || number >= 1e12 {
            return Err(IinError::Format);
        }
        Iin::parse(&format!("{:012}", number as u64))
    }

    fn from_digits(digits: [u8; 12]) -> Result<Iin, IinError> {
        let iin = Iin(digits);
        iin.birth_date_checked().ok_or(IinError::BirthDate)?;
        match check_digit(&digits[..11]) {
            Some(expected) if expected == digits[11] => Ok(iin),
            _ => Err(IinError::CheckDigit),
        }
    }

    /// Builds the valid IIN for a birth date, sex and serial (0–9999), or `None` when
    /// that serial gives a number that is never issued. Used by the data generator.
    pub fn compose(birth_date: NaiveDate, sex: Sex, serial: u16) -> Option<Iin> {
        let century_digit = match (birth_date.year() / 100, sex) {
            (18, Sex::Male) => 1,
            (18, Sex::Female) => 2,
            (19, Sex::Male) => 3,
            (19, Sex::Female) => 4,
            (20, Sex::Male) => 5,
            (20, Sex::Female) => 6,
            _ => return None,
        };
        if serial > 9999 {
            return None;
        }
        let head = format!(
            "{:02}{:02}{:02}{}{:04}",
            birth_date.year() % 100,
            birth_date.month(),
            birth_date.day(),
            century_digit,
            serial
        );
        let mut digits = [0u8; 12];
        for (slot, ch) in digits.iter_mut().zip(head.bytes()) {
            *slot = ch - b'0';
        }
        digits[11] = check_digit(&digits[..11])?;
        Some(Iin(digits))
    }

    fn birth_date_checked(&self) -> Option<NaiveDate> {
        let d = &self.0;
        let century = match d[6] {
            1 | 2 => 1800,
            3 | 4 => 1900,
            5 | 6 => 2000,
            _ => return None,
        };
        let year = century + i32::from(d[0]) * 10 + i32::from(d[1]);
        let month = u32::from(d[2]) * 10 + u32::from(d[3]);
        let day = u32::from(d[4]) * 10 + u32::from(d[5]);
        NaiveDate::from_ymd_opt(year, month, day)
    }

    /// The birth date the number encodes.
    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date_checked().expect("an Iin is only built after its birth date was checked")
    }

    /// The sex the number encodes.
    pub fn sex(&self) -> Sex {
        if self.0[6] % 2 == 1 { Sex::Male } else { Sex::Female }
    }

    /// The twelve digits as ASCII bytes, without an allocation.
    pub fn ascii(&self) -> [u8; 12] {
        self.0.map(|digit| b'0' + digit)
    }

    /// The twelve digits as text.
    pub fn as_string(&self) -> String {
        self.ascii().into_iter().map(char::from).collect()
    }

    /// The number with its serial hidden, safe for messages and logs: `050101*****3`.
    pub fn masked(&self) -> String {
        let text = self.as_string();
        format!("{}*****{}", &text[..6], &text[11..])
    }
}

/// Masks any text that may be an IIN before it is shown: keeps its first six digits and
/// its last, hides every other digit (when it has seven or more).
pub fn mask_text(value: &str) -> String {
    keep_first_six_and_last(value)
}

/// Masks a value of a column that holds IINs (`iin`, `teacher_id`, `teacher_ids`),
/// however it is typed. A list of IINs (`850304123456; 791130123451`) is masked item by
/// item, so that the coordinator sees which is wrong; anything else of seven digits or
/// more keeps only its first six digits and its last, whatever stands between them
/// (`140,816,500,741`, `100715;503373` are one IIN typed apart).
pub fn mask_iin_column(value: &str) -> String {
    let digits = |text: &str| text.chars().filter(|ch| ch.is_numeric()).count();
    let items: Vec<&str> = value.split([';', ',']).filter(|item| !item.trim().is_empty()).collect();
    if items.len() > 1 && items.iter().all(|item| digits(item) >= 10) {
        return value.split_inclusive([';', ',']).map(keep_first_six_and_last).collect();
    }
    keep_first_six_and_last(value)
}

/// Hides every digit of `text` but its first six and its last, when it has seven or more.
fn keep_first_six_and_last(text: &str) -> String {
    let count = text.chars().filter(|ch| ch.is_numeric()).count();
    if count < 7 {
        return text.to_owned();
    }
    let mut seen = 0;
    text.chars()
        .map(|ch| {
            if !ch.is_numeric() {
                return ch;
            }
            seen += 1;
            if seen > 6 && seen < count { '*' } else { ch }
        })
        .collect()
}

/// Masks every unbroken run of ten digits or more (its first six and last digits kept),
/// for text that quotes names of files, folders, sheets and columns, and what a parser
/// says of a file: a folder path's date and region (`2026-11-25/350000000`) stay as
/// they are, a file or value named by an IIN does not.
pub fn mask_digit_runs(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut shown = chars.clone();
    let mut at = 0;
    while at < chars.len() {
        let run = chars[at..].iter().take_while(|ch| ch.is_numeric()).count();
        if run >= 10 {
            shown[at + 6..at + run - 1].fill('*');
        }
        at += run.max(1);
    }
    shown.into_iter().collect()
}

/// [`mask_digit_runs`] for a path, for logs and messages that name a file or folder.
pub fn mask_path(path: &std::path::Path) -> String {
    mask_digit_runs(&path.to_string_lossy())
}

/// Masks a message that quotes what it read (a refusal's particulars): a value quoted in
/// backticks or double quotes is masked as any value is ([`mask_iin_runs`], `050101
/// 500127` too), unless it is a path (it has a `/`); the rest, with its paths, dates and
/// times, only in its unbroken runs ([`mask_digit_runs`]).
pub fn mask_message(text: &str) -> String {
    let mut shown = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find(['`', '"']) {
        let quote = if rest.as_bytes()[open] == b'`' { '`' } else { '"' };
        shown.push_str(&mask_digit_runs(&rest[..open]));
        shown.push(quote);
        let after = &rest[open + 1..];
        let Some(close) = after.find(quote) else {
            shown.push_str(&mask_iin_runs(after));
            return shown;
        };
        let inner = &after[..close];
        shown.push_str(&if inner.contains('/') { mask_digit_runs(inner) } else { mask_iin_runs(inner) });
        shown.push(quote);
        rest = &after[close + 1..];
    }
    shown.push_str(&mask_digit_runs(rest));
    shown
}

/// How many characters that are neither letters nor digits may stand between two
/// digits of one run ([`mask_iin_runs`]): `141208    601545` is one IIN.
const MAX_JOIN: usize = 8;

/// Masks what may be an IIN inside any other value: every run of ten digits or more
/// keeps its first six and last digits. Digits count as one run across up to
/// [`MAX_JOIN`] characters that are neither letters nor digits (spaces of any kind,
/// punctuation, `+`, `−`, `*`, a soft hyphen or a zero-width space), and a digit is any
/// (full-width `１２` too). Dates (`2031-05-14`), KATO codes (nine digits), amounts and
/// short numbers are shown as typed, since they are what a coordinator must fix; a run of
/// two of them (a date range) is masked, as a leak costs more than a hidden digit.
pub fn mask_iin_runs(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let mut shown = chars.clone();
    let digit = |ch: &char| ch.is_numeric();
    let joiner = |ch: &char| !ch.is_alphanumeric();
    let mut at = 0;
    while at < chars.len() {
        if !digit(&chars[at]) {
            at += 1;
            continue;
        }
        let mut digits = vec![at];
        let mut end = at + 1;
        loop {
            match chars.get(end) {
                Some(ch) if digit(ch) => {
                    digits.push(end);
                    end += 1;
                }
                Some(ch) if joiner(ch) => {
                    let gap = chars[end..].iter().take_while(|ch| joiner(ch)).count();
                    if gap > MAX_JOIN || !chars.get(end + gap).is_some_and(digit) {
                        break;
                    }
                    end += gap;
                }
                _ => break,
            }
        }
        if digits.len() >= 10 && !is_date_time(&chars[at..end].iter().collect::<String>()) {
            for &index in &digits[6..digits.len() - 1] {
                shown[index] = '*';
            }
        }
        at = end;
    }
    shown.into_iter().collect()
}

/// Whether a run of digits is a date with its time, as spreadsheets write a date cell
/// (`14.10.2013 0:00`, `2013-10-14 00:00:00`): the date is what the coordinator must fix.
fn is_date_time(run: &str) -> bool {
    const FORMATS: [&str; 8] = [
        "%d.%m.%Y %H:%M",
        "%d.%m.%Y %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%d/%m/%Y %H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%m/%d/%Y %H:%M",
        "%m/%d/%Y %H:%M:%S",
    ];
    // With a zone (`2026-11-26 10:00:00+0500`), or the time and zone after an ISO `T`
    // (`…T10:00:00+05:00`, where the letter ends the run).
    const ZONED: [&str; 2] = ["%Y-%m-%d %H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%:z"];
    const ZONED_TIMES: [&str; 2] = ["%H:%M:%S%.f%z", "%H:%M:%S%.f%:z"];
    let run = run.trim();
    FORMATS.iter().any(|format| chrono::NaiveDateTime::parse_from_str(run, format).is_ok())
        || ZONED.iter().any(|format| chrono::DateTime::parse_from_str(run, format).is_ok())
        || ZONED_TIMES.iter().any(|format| chrono::NaiveTime::parse_from_str(run, format).is_ok())
}

fn check_digit(first_eleven: &[u8]) -> Option<u8> {
    let weighted = |weights: &[u32; 11]| -> u32 {
        first_eleven.iter().zip(weights).map(|(&digit, &weight)| u32::from(digit) * weight).sum::<u32>() % 11
    };
    let first = weighted(&FIRST_WEIGHTS);
    if first != 10 {
        return Some(first as u8);
    }
    let second = weighted(&SECOND_WEIGHTS);
    if second != 10 { Some(second as u8) } else { None }
}

impl std::fmt::Display for Iin {
    /// Shows the masked form: an IIN never reaches a log or message in full by accident.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.masked())
    }
}

impl std::fmt::Debug for Iin {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "Iin({})", self.masked())
    }
}

impl Serialize for Iin {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.as_string())
    }
}

impl<'de> Deserialize<'de> for Iin {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Iin, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Iin::parse(&text).map_err(|error| serde::de::Error::custom(format!("invalid IIN: {error:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn digits_of(text: &str) -> Vec<u8> {
        text.bytes().map(|b| b - b'0').collect()
    }

    /// Check digit by hand for 05010150012?: weights 1..11 over 0,5,0,1,0,1,5,0,0,1,2
    /// = 0+10+0+4+0+6+35+0+0+10+22 = 87; 87 mod 11 = 10, so the second pass applies:
    /// weights 3..11,1,2 = 0+20+0+6+0+8+45+0+0+1+4 = 84; 84 mod 11 = 7.
    #[test]
    fn a_number_valid_only_on_the_second_pass() {
        let iin = Iin::parse("050101500127").expect("valid on the second pass");
        assert_eq!(iin.birth_date(), NaiveDate::from_ymd_opt(2005, 1, 1).unwrap());
        assert_eq!(iin.sex(), Sex::Male);
        assert_eq!(Iin::parse("050101500120"), Err(IinError::CheckDigit));
    }

    /// 08031260001?: 0+16+0+12+5+12+42+0+0+0+11 = 98 → 98 mod 11 = 10; second pass
    /// 0+32+0+18+7+16+54+0+0+0+2 = 129 → 129 mod 11 = 8, so the digit is 8.
    #[test]
    fn check_digit_by_hand() {
        assert_eq!(check_digit(&digits_of("08031260001")), Some(8));
        assert!(Iin::parse("080312600018").is_ok());
        let iin = Iin::parse("080312600018").unwrap();
        assert_eq!(iin.sex(), Sex::Female);
        assert_eq!(iin.birth_date(), NaiveDate::from_ymd_opt(2008, 3, 12).unwrap());
    }

    #[test]
    fn numbers_never_issued_are_rejected() {
        // Find eleven-digit heads whose two passes both give 10; every completion fails.
        let mut found = 0;
        for serial in 0..10_000u32 {
            let head = format!("1005125{serial:04}");
            if check_digit(&digits_of(&head)).is_none() {
                found += 1;
                for last in 0..10 {
                    assert_eq!(Iin::parse(&format!("{head}{last}")), Err(IinError::CheckDigit));
                }
            }
        }
        assert!(found > 0, "some serials must give a number never issued");
    }

    #[test]
    fn bad_shapes_are_format_errors() {
        assert_eq!(Iin::parse(""), Err(IinError::Format));
        assert_eq!(Iin::parse("12345"), Err(IinError::Format));
        assert_eq!(Iin::parse("05010150012a"), Err(IinError::Format));
        assert_eq!(Iin::parse("0501015001270"), Err(IinError::Format));
        assert_eq!(Iin::parse("051301500127"), Err(IinError::BirthDate));
        assert_eq!(Iin::parse("050101700127"), Err(IinError::BirthDate));
    }

    #[test]
    fn numeric_cells_get_their_leading_zero_back() {
        let iin = Iin::from_number(50101500127.0).unwrap();
        assert_eq!(iin.as_string(), "050101500127");
        assert_eq!(Iin::from_number(50101500127.5), Err(IinError::Format));
        assert_eq!(Iin::from_number(-1.0), Err(IinError::Format));
        assert_eq!(Iin::from_number(f64::NAN), Err(IinError::Format));
    }

    #[test]
    fn display_and_debug_never_show_the_serial() {
        let iin = Iin::parse("050101500127").unwrap();
        assert_eq!(iin.to_string(), "050101*****7");
        assert!(!format!("{iin:?}").contains("50012"));
        assert_eq!(mask_text("050101500127"), "050101*****7");
        assert_eq!(mask_text("abc"), "abc");
    }

    #[test]
    fn each_iin_of_a_list_is_masked_on_its_own_and_an_iin_typed_apart_whole() {
        for (value, shown) in [
            ("850304123456; 791130123451; 700101123455", "850304*****6; 791130*****1; 700101*****5"),
            ("850304123456,791130123451", "850304*****6,791130*****1"),
            (" 850304123456 ;", " 850304*****6 ;"),
            ("050101500127", "050101*****7"),
            ("a; b", "a; b"),
            // Blank items (which once panicked a slice) stay as they are.
            ("960623443097, , 123", "960623******, , **3"),
            (" ; ;", " ; ;"),
            ("", ""),
            // One IIN typed apart: grouped as a number, or cut at a list's separator.
            ("140,816,500,741", "140,816,***,**1"),
            ("100715;503373", "100715;*****3"),
            ("140709, 501639", "140709, *****9"),
            ("１２０９０５５００６９２", "１２０９０５*****２"),
            ("12345", "12345"),
        ] {
            assert_eq!(mask_iin_column(value), shown, "{value}");
        }
    }

    #[test]
    fn unbroken_runs_of_ten_digits_are_masked_in_names_and_paths() {
        for (value, shown) in [
            ("drops/2026-11-25/350000000/children.csv", "drops/2026-11-25/350000000/children.csv"),
            ("130509638754.csv", "130509*****4.csv"),
            (
                "invalid type: string \"130509638754\", expected u64",
                "invalid type: string \"130509*****4\", expected u64",
            ),
            ("1234567890", "123456***0"),
            ("123456789", "123456789"),
            ("", ""),
        ] {
            assert_eq!(mask_digit_runs(value), shown, "{value}");
        }
    }

    #[test]
    fn a_message_masks_what_it_quotes_and_keeps_its_paths_and_times() {
        for (message, shown) in [
            ("region `050101 500127` is not the folder's region", "region `050101 *****7` is not the folder's region"),
            (
                "invalid type: string \"050101-500127\", expected u64",
                "invalid type: string \"050101-*****7\", expected u64",
            ),
            (
                "cannot read `drops/2026-11-25/350000000/children.csv`: exported at 2026-11-25 00:00:00 +05:00",
                "cannot read `drops/2026-11-25/350000000/children.csv`: exported at 2026-11-25 00:00:00 +05:00",
            ),
            ("a file named 130509638754.csv", "a file named 130509*****4.csv"),
            ("an open `050101 500127", "an open `050101 *****7"),
            ("", ""),
        ] {
            assert_eq!(mask_message(message), shown, "{message}");
        }
    }

    #[test]
    fn only_runs_long_enough_to_be_an_iin_are_masked_in_other_values() {
        // Worked out by hand: ten digits or more, joined by single spaces or hyphens,
        // keep their first six and last digits.
        for (value, shown) in [
            ("2031-05-14", "2031-05-14"),
            ("14.05.2031", "14.05.2031"),
            ("359999999", "359999999"),
            ("-1500000", "-1500000"),
            ("1 500 000", "1 500 000"),
            ("1234567890", "123456***0"),
            ("050101500127", "050101*****7"),
            ("05010150012", "050101****2"),
            ("050101-500127", "050101-*****7"),
            ("ИИН 050101 500127 жазылған", "ИИН 050101 *****7 жазылған"),
            // Two IINs side by side are one run: neither is shown.
            ("050101500127;940624403842", "050101******;***********2"),
            ("050101\u{a0}500127", "050101\u{a0}*****7"),
            ("050101  500127", "050101  *****7"),
            ("050101 - 500127", "050101 - *****7"),
            ("050101.500127", "050101.*****7"),
            ("050101/500127", "050101/*****7"),
            ("01.09.2025", "01.09.2025"),
            ("12    345678901", "12    3456****1"),
            // Every way the privacy review typed one IIN apart is one run.
            ("110,111,604,653", "110,111,***,**3"),
            ("130630+602266", "130630+*****6"),
            ("120901\u{2212}603979", "120901\u{2212}*****9"),
            ("１２０９０５５００６９２", "１２０９０５*****２"),
            ("141208    601545", "141208    *****5"),
            ("141208\u{200b}601545", "141208\u{200b}*****5"),
            ("141208\u{ad}601545", "141208\u{ad}*****5"),
            ("(131103)502069", "(131103)*****9"),
            ("160901:503771", "160901:*****1"),
            ("111120*602748", "111120******8"),
            // A date with its time, as a spreadsheet writes a date cell, stays readable.
            ("14.10.2013 0:00", "14.10.2013 0:00"),
            ("2013-10-14 00:00:00", "2013-10-14 00:00:00"),
            ("01.12.2013 12:30:00", "01.12.2013 12:30:00"),
            ("2026-11-26T10:00:00+05:00", "2026-11-26T10:00:00+05:00"),
            ("2026-11-26T10:00:00.000+0500", "2026-11-26T10:00:00.000+0500"),
            ("2026-11-26 10:00:00+0500", "2026-11-26 10:00:00+0500"),
            // Nine spaces part two numbers; a letter always does.
            ("12         345678901", "12         345678901"),
            ("1234567a890123", "1234567a890123"),
            ("01.09.2025 - 02.09.2025", "01.09.20** - **.**.***5"),
            ("", ""),
        ] {
            assert_eq!(mask_iin_runs(value), shown, "{value}");
        }
    }

    proptest! {
        #[test]
        fn composed_numbers_parse_back(days in 0i64..(365 * 120), female: bool, serial in 0u16..10_000) {
            let birth = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Days::new(days as u64);
            let sex = if female { Sex::Female } else { Sex::Male };
            if let Some(iin) = Iin::compose(birth, sex, serial) {
                let parsed = Iin::parse(&iin.as_string()).unwrap();
                prop_assert_eq!(parsed, iin);
                prop_assert_eq!(parsed.birth_date(), birth);
                prop_assert_eq!(parsed.sex(), sex);
                let numeric = Iin::from_number(iin.as_string().parse::<f64>().unwrap()).unwrap();
                prop_assert_eq!(numeric, iin);
            } else {
                // Only a number whose two passes both give 10 is refused.
                let head = &iin_head(birth, sex, serial);
                prop_assert!(check_digit(&digits_of(head)).is_none());
            }
        }

        #[test]
        fn a_changed_check_digit_is_always_caught(days in 0i64..(365 * 100), serial in 0u16..10_000, bump in 1u8..10) {
            let birth = NaiveDate::from_ymd_opt(1950, 1, 1).unwrap() + chrono::Days::new(days as u64);
            if let Some(iin) = Iin::compose(birth, Sex::Male, serial) {
                let mut digits = iin.0;
                digits[11] = (digits[11] + bump) % 10;
                let text: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
                prop_assert_eq!(Iin::parse(&text), Err(IinError::CheckDigit));
            }
        }

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,20}") {
            let _ = Iin::parse(&text);
        }
    }

    fn iin_head(birth: NaiveDate, sex: Sex, serial: u16) -> String {
        let century = (birth.year() / 100 - 18) * 2 + if sex == Sex::Male { 1 } else { 2 };
        format!("{:02}{:02}{:02}{}{:04}", birth.year() % 100, birth.month(), birth.day(), century, serial)
    }
}
