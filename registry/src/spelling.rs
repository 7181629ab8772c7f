//! Normalisation of words typed by people, and the macro that gives every enum of the
//! roadmap form its canonical code plus its Kazakh, Russian and English spellings.

use std::borrow::Cow;

/// Folds a typed word to the form used for lookups: trimmed, lower-cased (Kazakh
/// letters included), inner whitespace collapsed to one space, `ё` read as `е`.
pub fn fold(text: &str) -> String {
    folded(text).into_owned()
}

/// [`fold`], borrowing the text when it is folded already, as most cells of an export
/// are (`done`, `urban`, `жеңімпаз`): an ingest folds several cells of every row.
pub fn folded(text: &str) -> Cow<'_, str> {
    if is_folded(text) { Cow::Borrowed(text) } else { Cow::Owned(fold_chars(text)) }
}

/// Whether [`fold`] would give `text` back unchanged. It answers for ASCII, the Russian
/// lower-case letters and the Kazakh ones; any other character takes the long way.
fn is_folded(text: &str) -> bool {
    is_collapsed(text)
        && text.chars().all(|ch| match ch {
            '\u{0}'..='\u{7f}' => !ch.is_ascii_uppercase(),
            // а–я, and і ә ғ қ ң ө ұ ү һ; not ё, which folds to е.
            'а'..='я' | 'і' | 'ә' | 'ғ' | 'қ' | 'ң' | 'ө' | 'ұ' | 'ү' | 'һ' => true,
            _ => false,
        })
}

/// White space, or an ASCII control character (a NUL from a broken export), which
/// cells lose as they lose white space: no database or spreadsheet downstream keeps them.
pub(crate) fn is_space_or_control(ch: char) -> bool {
    ch.is_whitespace() || ch < ' '
}

/// Whether `text`'s whitespace is collapsed already: single spaces between words, none
/// around them, no other whitespace. An empty text is. Every cell of an export is asked
/// this, so it reads bytes rather than characters.
pub(crate) fn is_collapsed(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut after_space = false;
    let mut at = 0;
    while at < bytes.len() {
        // Eight bytes at a time while none of them can be white space: most of a cell.
        if let Some(chunk) = bytes.get(at..at + 8)
            && let Ok(chunk) = <[u8; 8]>::try_from(chunk)
            && !may_hold_space(u64::from_le_bytes(chunk))
        {
            after_space = false;
            at += 8;
            continue;
        }
        match bytes[at] {
            b' ' => {
                if at == 0 || after_space {
                    return false;
                }
                after_space = true;
            }
            // White space and control characters (see `Cell::clean_text`).
            0x00..=0x1F => return false,
            lead if is_wide_space_lead(lead) && starts_with_wide_space(&bytes[at..]) => return false,
            _ => after_space = false,
        }
        at += 1;
    }
    !after_space
}

/// Whether any of the eight bytes in `word` is below `0x21` (a space or a control) or
/// a lead byte that may start a wide space (`0xC2`, `0xE0`–`0xE3`). It may say yes for a
/// word that holds none (the caller then reads it byte by byte), never no for one that does.
fn may_hold_space(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // A byte below n (n ≤ 0x80) borrows into its high bit: the classic "has less" test.
    let has_less = |word: u64, n: u64| word.wrapping_sub(ONES * n) & !word & HIGHS != 0;
    has_less(word, 0x21) || has_less(word ^ (ONES * 0xC2), 1) || has_less(word ^ (ONES * 0xE0), 4)
}

/// Whether a character that starts with `byte` may be white space: ASCII up to the
/// space, or the lead byte of a wide space. Any other first byte answers no at once.
pub(crate) fn may_start_white_space(byte: u8) -> bool {
    byte <= b' ' || is_wide_space_lead(byte)
}

/// The lead bytes of the white space characters beyond ASCII (see [`starts_with_wide_space`]).
fn is_wide_space_lead(byte: u8) -> bool {
    matches!(byte, 0xC2 | 0xE1 | 0xE2 | 0xE3)
}

/// Whether `bytes` start with a white space character beyond ASCII: U+0085, U+00A0,
/// U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F or U+3000.
fn starts_with_wide_space(bytes: &[u8]) -> bool {
    matches!(
        bytes,
        [0xC2, 0x85 | 0xA0, ..]
            | [0xE1, 0x9A, 0x80, ..]
            | [0xE2, 0x80, 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF, ..]
            | [0xE2, 0x81, 0x9F, ..]
            | [0xE3, 0x80, 0x80, ..]
    )
}

fn fold_chars(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    let mut pending_space = false;
    for ch in text.trim().chars() {
        if ch.is_whitespace() || ch == '\u{a0}' {
            pending_space = true;
            continue;
        }
        if pending_space && !folded.is_empty() {
            folded.push(' ');
        }
        pending_space = false;
        for lower in ch.to_lowercase() {
            folded.push(if lower == 'ё' { 'е' } else { lower });
        }
    }
    folded
}

/// Declares an enum of the roadmap form. Each variant has its canonical code (the
/// English snake_case word of the contract), and any number of other spellings that
/// real exports use. Parsing goes through [`fold`], so case and spaces never matter.
macro_rules! spelled_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $variant:ident = $code:literal, $kk:literal, $ru:literal $( | $alias:literal )* ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $( $variant ),+ }

        impl $name {
            /// Every variant, in the contract's order.
            pub const ALL: &'static [$name] = &[ $( $name::$variant ),+ ];

            /// The canonical English code written to the registry.
            pub fn code(self) -> &'static str {
                match self { $( $name::$variant => $code ),+ }
            }

            /// The word a form in `lang` shows for this value (the template's drop-down).
            pub fn word(self, lang: $crate::lang::Lang) -> &'static str {
                match lang {
                    $crate::lang::Lang::En => self.code(),
                    $crate::lang::Lang::Kk => match self { $( $name::$variant => $kk ),+ },
                    $crate::lang::Lang::Ru => match self { $( $name::$variant => $ru ),+ },
                }
            }

            /// The other spellings accepted on input, beyond the code and the two words.
            pub fn aliases(self) -> &'static [&'static str] {
                match self { $( $name::$variant => &[ $( $alias ),* ] ),+ }
            }

            /// Every accepted spelling: the code, the Kazakh and Russian words, the aliases.
            pub fn spellings(self) -> impl Iterator<Item = &'static str> {
                [self.code(), self.word($crate::lang::Lang::Kk), self.word($crate::lang::Lang::Ru)]
                    .into_iter()
                    .chain(self.aliases().iter().copied())
            }

            /// Reads a typed word: the code or any alias, in any case.
            pub fn parse(text: &str) -> Option<$name> {
                // Every spelling folded once; a cell is then one fold and one lookup
                // (folding every spelling per cell was half of an ingest's time).
                static BY_SPELLING: std::sync::LazyLock<rustc_hash::FxHashMap<String, $name>> =
                    std::sync::LazyLock::new(|| {
                        let mut by_spelling = rustc_hash::FxHashMap::default();
                        for &variant in $name::ALL {
                            for spelling in variant.spellings() {
                                by_spelling.entry($crate::spelling::fold(spelling)).or_insert(variant);
                            }
                        }
                        by_spelling
                    });
                // Most cells hold a spelling as it is kept (`done`, `olympiad`).
                if let Some(&variant) = BY_SPELLING.get(text) {
                    return Some(variant);
                }
                let folded = $crate::spelling::folded(text);
                if folded.is_empty() {
                    return None;
                }
                BY_SPELLING.get(folded.as_ref()).copied()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str(self.code())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::error::Error;
            fn from_str(text: &str) -> $crate::error::Result<$name> {
                $name::parse(text).ok_or_else(|| $crate::error::Error::UnknownWord {
                    kind: stringify!($name),
                    value: text.to_owned(),
                })
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<$name, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                $name::parse(&text).ok_or_else(|| serde::de::Error::custom(format!(
                    "`{}` is not a {}", text, stringify!($name))))
            }
        }
    };
}
pub(crate) use spelled_enum;

#[cfg(test)]
mod tests {
    use super::{fold, fold_chars, is_collapsed, is_folded, is_space_or_control};

    /// [`is_collapsed`] by characters and the Unicode tables, to check it against.
    fn is_collapsed_chars(text: &str) -> bool {
        let mut after_space = false;
        for (at, ch) in text.char_indices() {
            if ch == ' ' {
                if at == 0 || after_space {
                    return false;
                }
                after_space = true;
            } else if is_space_or_control(ch) {
                return false;
            } else {
                after_space = false;
            }
        }
        !after_space
    }

    #[test]
    fn fold_lowercases_kazakh_letters_and_collapses_spaces() {
        assert_eq!(fold("  ҚАЗАҚ   ТІЛІ "), "қазақ тілі");
        assert_eq!(fold("ӘЙЕЛ"), "әйел");
        assert_eq!(fold("Призёр"), "призер");
        assert_eq!(fold("a\u{a0}b"), "a b");
    }

    #[test]
    fn a_text_is_taken_as_folded_only_when_folding_keeps_it() {
        let mut samples: Vec<String> = ["", " ", "a", "a b", "a  b", " a", "a ", "A", "done", "prize_winner", "a\tb"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        // Every character of Latin-1, of the Cyrillic block, of General Punctuation and
        // every other white space character, alone, between letters and beside a space.
        for ch in (0..0x250u32)
            .chain(0x400..0x530)
            .chain([0x1680])
            .chain(0x2000..0x2070)
            .chain([0x3000])
            .filter_map(char::from_u32)
        {
            samples.extend([ch.to_string(), format!("ж{ch}a"), format!("{ch} б"), format!("b {ch}")]);
        }
        for sample in &samples {
            assert_eq!(is_collapsed(sample), is_collapsed_chars(sample), "{sample:?}");
            if is_folded(sample) {
                assert_eq!(&fold_chars(sample), sample, "{sample:?} was taken as folded");
            }
        }
        assert!(is_folded("жеңімпаз"));
        assert!(is_folded("қазақ тілі"));
        assert!(is_folded("prize_winner"));
        assert!(!is_folded("призёр"));
        assert!(!is_folded("Done"));
    }

    /// [`is_collapsed`] reads eight bytes at a time where it can: every white space
    /// character, at every offset from the start and the end of a longer text, must be
    /// judged as the character-by-character reading judges it.
    #[test]
    fn long_texts_are_judged_as_character_by_character() {
        let spaces = [" ", "  ", "\t", "\n", "\r", "\u{85}", "\u{a0}", "\u{1680}", "\u{2002}", "\u{200a}"]
            .into_iter()
            .chain(["\u{2028}", "\u{202f}", "\u{205f}", "\u{3000}"]);
        // Lead bytes of wide spaces (0xC2, 0xE1–0xE3) in characters that are not spaces.
        let look_alikes = ["\u{a9}", "\u{1000}", "\u{2014}", "\u{3042}", "\u{e0}", "\u{800}"];
        let mut samples = Vec::new();
        for filler in ["abcdefgh", "Әйгерім Нұрсұлтан", "шахмат"] {
            for cut in 0..=filler.chars().count() {
                let head: String = filler.chars().take(cut).collect();
                let tail: String = filler.chars().skip(cut).collect();
                for inner in spaces.clone().chain(look_alikes) {
                    samples.push(format!("{filler}{head}{inner}{tail}{filler}"));
                    samples.push(format!("{head}{inner}{tail}"));
                }
            }
        }
        for sample in &samples {
            assert_eq!(is_collapsed(sample), is_collapsed_chars(sample), "{sample:?}");
        }
        assert!(is_collapsed("Назарбаев Зияткерлік мектебі"));
        assert!(!is_collapsed("Назарбаев  Зияткерлік мектебі"));
        assert!(!is_collapsed("Назарбаев Зияткерлік\u{a0}мектебі"));
    }
}
