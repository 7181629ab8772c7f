//! The three languages of the registry: Kazakh, Russian, English.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Kk,
    Ru,
    En,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Kk, Lang::Ru, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Kk => "kk",
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    pub fn parse(text: &str) -> Option<Lang> {
        match crate::spelling::fold(text).as_str() {
            "kk" | "kz" | "kaz" | "kazakh" | "қаз" => Some(Lang::Kk),
            "ru" | "rus" | "russian" | "рус" => Some(Lang::Ru),
            "en" | "eng" | "english" => Some(Lang::En),
            _ => None,
        }
    }
}

/// A text in the three languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trilingual {
    pub kk: &'static str,
    pub ru: &'static str,
    pub en: &'static str,
}

impl Trilingual {
    pub fn get(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Kk => self.kk,
            Lang::Ru => self.ru,
            Lang::En => self.en,
        }
    }
}
