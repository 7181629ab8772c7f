//! A light Kazakh stemmer: it strips the inflection a search word carries (case, the
//! possessive of the third person, the plural), so that `математикадан`, `олимпиадасында`
//! and `жеңімпазы` meet `математика`, `олимпиада` and `жеңімпаз`.
//!
//! Kazakh suffixes follow vowel harmony (back `а ы ұ о`, front `ә е і ү ө`) and the
//! sound the stem ends in (`-дан` after a vowel, `-тан` after a voiceless consonant,
//! `-нан` after a nasal or the possessive). A suffix is stripped only when both agree, and
//! the stem keeps at least three letters: that is what keeps Russian words such as
//! `олимпиаде`, `работы` or `Астана` whole. Layers come off from the end of the word in
//! the order Kazakh stacks them: case, then possessive, then plural
//! (`жүлдегер-лер-і-нің`).

/// Letters that only Kazakh among the registry's languages writes.
pub fn is_kazakh_letter(ch: char) -> bool {
    matches!(ch, 'ә' | 'ғ' | 'қ' | 'ң' | 'ө' | 'ұ' | 'ү' | 'һ' | 'і')
}

fn is_vowel(ch: char) -> bool {
    matches!(ch, 'а' | 'ә' | 'е' | 'ё' | 'и' | 'о' | 'ө' | 'у' | 'ұ' | 'ү' | 'ы' | 'і' | 'э' | 'ю' | 'я')
}

fn is_voiceless(ch: char) -> bool {
    matches!(ch, 'к' | 'қ' | 'п' | 'с' | 'т' | 'ф' | 'х' | 'ц' | 'ч' | 'ш' | 'щ' | 'һ')
}

fn is_nasal(ch: char) -> bool {
    matches!(ch, 'м' | 'н' | 'ң')
}

/// `Some(true)` for a back vowel, `Some(false)` for a front one, `None` for `и`, `у`
/// and consonants, which go with either.
fn backness(ch: char) -> Option<bool> {
    match ch {
        'а' | 'о' | 'ұ' | 'ы' | 'я' | 'ё' | 'ю' => Some(true),
        'ә' | 'е' | 'ө' | 'ү' | 'і' | 'э' => Some(false),
        _ => None,
    }
}

/// What the stem must end in for a suffix to follow it.
#[derive(Clone, Copy)]
enum After {
    /// A vowel.
    Vowel,
    /// A vowel or a nasal (`-ның`).
    VowelOrNasal,
    /// A vowel or one of `р л й у` (`-лар`, `-дан`).
    VowelOrLiquid,
    /// A consonant that is not voiceless (`-да`, `-дың`, `-дар`).
    Voiced,
    /// A voiceless consonant (`-та`, `-тан`, `-тың`).
    Voiceless,
    /// Any consonant (the possessive `-ы`, `-і`).
    Consonant,
    /// A nasal or the third person possessive (`-нан`, `-нда`, `-на`).
    NasalOrPossessive,
    /// The third person possessive `-ы`/`-і` (`-нда`, `-на`, `-ны`).
    Possessive,
}

impl After {
    fn allows(self, last: char) -> bool {
        match self {
            After::Vowel => is_vowel(last),
            After::VowelOrNasal => is_vowel(last) || is_nasal(last),
            After::VowelOrLiquid => is_vowel(last) || matches!(last, 'р' | 'л' | 'й' | 'у'),
            After::Voiced => !is_vowel(last) && !is_voiceless(last),
            After::Voiceless => is_voiceless(last),
            After::Consonant => !is_vowel(last),
            After::NasalOrPossessive => is_nasal(last) || matches!(last, 'ы' | 'і'),
            After::Possessive => matches!(last, 'ы' | 'і'),
        }
    }
}

type Suffix = (&'static str, After);

/// Case endings. The bare locative `-да`/`-де` after a vowel is left out on purpose: too
/// many base words end so (`олимпиада`, `Алматыда` is the price).
const CASE: &[Suffix] = &[
    ("ның", After::VowelOrNasal),
    ("нің", After::VowelOrNasal),
    ("дың", After::Voiced),
    ("дің", After::Voiced),
    ("тың", After::Voiceless),
    ("тің", After::Voiceless),
    ("дан", After::VowelOrLiquid),
    ("ден", After::VowelOrLiquid),
    ("тан", After::Voiceless),
    ("тен", After::Voiceless),
    ("нан", After::NasalOrPossessive),
    ("нен", After::NasalOrPossessive),
    ("нда", After::Possessive),
    ("нде", After::Possessive),
    ("мен", After::VowelOrLiquid),
    ("бен", After::Voiced),
    ("пен", After::Voiceless),
    ("да", After::Voiced),
    ("де", After::Voiced),
    ("та", After::Voiceless),
    ("те", After::Voiceless),
    ("ға", After::Vowel),
    ("ге", After::Vowel),
    ("қа", After::Voiceless),
    ("ке", After::Voiceless),
    ("на", After::Possessive),
    ("не", After::Possessive),
    ("ны", After::Vowel),
    ("ні", After::Vowel),
    ("ды", After::Voiced),
    ("ді", After::Voiced),
    ("ты", After::Voiceless),
    ("ті", After::Voiceless),
];

/// The possessive of the third person.
const POSSESSIVE: &[Suffix] =
    &[("сы", After::Vowel), ("сі", After::Vowel), ("ы", After::Consonant), ("і", After::Consonant)];

const PLURAL: &[Suffix] = &[
    ("лар", After::VowelOrLiquid),
    ("лер", After::VowelOrLiquid),
    ("дар", After::Voiced),
    ("дер", After::Voiced),
    ("тар", After::Voiceless),
    ("тер", After::Voiceless),
];

/// Endings that look like a suffix but belong to the word: `Қазақстан`, `Түркістан`.
const PROTECTED_ENDINGS: &[&str] = &["стан"];

const MIN_STEM: usize = 3;

/// Strips the Kazakh inflection of a lower-case Cyrillic word; returns the word itself
/// when it carries none the stemmer recognises.
pub fn stem(word: &str) -> String {
    let mut stem = word.to_owned();
    for layer in [CASE, POSSESSIVE, PLURAL] {
        if PROTECTED_ENDINGS.iter().any(|ending| stem.ends_with(ending)) {
            break;
        }
        if let Some(suffix) = matching_suffix(&stem, layer).map(|suffix| possessive_after_s(&stem, suffix)) {
            stem.truncate(stem.len() - suffix.len());
            if suffix.chars().next().is_some_and(is_vowel) {
                restore_final_consonant(&mut stem);
            }
        }
    }
    stem
}

/// `-сы` after a stem ending in `ы`/`і` is read as `-ы` after a stem ending in `с`:
/// `сайысы`, `облысы`, `жарысы` are `сайыс`, `облыс`, `жарыс` with the possessive, for
/// few Kazakh stems end in the reduced vowels. The agent nouns in `-шы`/`-ші` do
/// (`оқушы-сы`, `қатысушы-сы`), and keep `-сы`. After a full vowel both readings occur
/// (`қала-сы`, but `күрес-і`), and the longest suffix still wins there.
fn possessive_after_s(word: &str, suffix: &'static str) -> &'static str {
    let shorter = match suffix {
        "сы" => "ы",
        "сі" => "і",
        _ => return suffix,
    };
    let Some(stem) = word.strip_suffix(suffix) else { return suffix };
    let agent_noun = stem.ends_with("шы") || stem.ends_with("ші");
    if stem.ends_with(['ы', 'і']) && !agent_noun { shorter } else { suffix }
}

/// The longest suffix of `layer` the word may lose.
fn matching_suffix(word: &str, layer: &[Suffix]) -> Option<&'static str> {
    let mut best: Option<&'static str> = None;
    for &(suffix, after) in layer {
        let Some(stem) = word.strip_suffix(suffix) else { continue };
        let Some(last) = stem.chars().next_back() else { continue };
        if stem.chars().count() < MIN_STEM || !after.allows(last) || !harmonises(stem, suffix) {
            continue;
        }
        if best.is_none_or(|longest| suffix.len() > longest.len()) {
            best = Some(suffix);
        }
    }
    best
}

/// The suffix's vowel agrees with the stem's last vowel that has a side.
fn harmonises(stem: &str, suffix: &str) -> bool {
    let Some(suffix_back) = suffix.chars().find_map(backness) else { return true };
    match stem.chars().rev().find_map(backness) {
        Some(stem_back) => stem_back == suffix_back,
        None => true,
    }
}

/// A stem voices its last consonant before a vowel (`мектеп` → `мектебі`); undo it.
fn restore_final_consonant(stem: &mut String) {
    let restored = match stem.chars().next_back() {
        Some('б') => 'п',
        Some('г') => 'к',
        Some('ғ') => 'қ',
        _ => return,
    };
    stem.pop();
    stem.push(restored);
}

#[cfg(test)]
mod tests {
    use super::stem;

    #[test]
    fn inflected_forms_of_the_issue_meet_their_base() {
        assert_eq!(stem("математикадан"), "математика");
        assert_eq!(stem("олимпиадасында"), "олимпиада");
        assert_eq!(stem("жеңімпазы"), "жеңімпаз");
    }

    #[test]
    fn case_possessive_and_plural_come_off_in_order() {
        assert_eq!(stem("жүлдегерлерінің"), "жүлдегер");
        assert_eq!(stem("балалар"), "бала");
        assert_eq!(stem("пәнінен"), "пән");
        assert_eq!(stem("олимпиаданың"), "олимпиада");
        assert_eq!(stem("мектептен"), "мектеп");
        assert_eq!(stem("мектебі"), "мектеп");
        assert_eq!(stem("тарихтан"), "тарих");
        assert_eq!(stem("физикаға"), "физика");
    }

    #[test]
    fn a_stem_ending_in_s_keeps_it_before_the_possessive() {
        assert_eq!(stem("сайысы"), "сайыс");
        assert_eq!(stem("облысы"), "облыс");
        assert_eq!(stem("облысының"), "облыс");
        assert_eq!(stem("жарысында"), "жарыс");
        assert_eq!(stem("жұмысы"), "жұмыс");
        assert_eq!(stem("ісі"), "ісі", "a stem of one letter is too short");
        // An agent noun ends in `-шы` itself: its possessive is `-сы`.
        assert_eq!(stem("оқушысы"), "оқушы");
        assert_eq!(stem("қатысушысы"), "қатысушы");
        assert_eq!(stem("оқушылар"), "оқушы");
        // After a full vowel, `-сы` is the possessive.
        assert_eq!(stem("қаласы"), "қала");
        assert_eq!(stem("олимпиадасы"), "олимпиада");
    }

    #[test]
    fn base_words_stay_whole() {
        for word in ["математика", "олимпиада", "жеңімпаз", "мектеп", "пән", "бала", "шахмат"]
        {
            assert_eq!(stem(word), word);
        }
    }

    #[test]
    fn russian_endings_that_break_harmony_or_sound_rules_are_kept() {
        // Locative `-де` after a back stem breaks harmony; `-на` only follows a possessive;
        // `-ке` only follows a voiceless consonant.
        assert_eq!(stem("олимпиаде"), "олимпиаде");
        assert_eq!(stem("астана"), "астана");
        assert_eq!(stem("библиотеке"), "библиотеке");
    }

    #[test]
    fn place_names_ending_in_stan_keep_it() {
        assert_eq!(stem("қазақстан"), "қазақстан");
        assert_eq!(stem("түркістан"), "түркістан");
        assert_eq!(stem("қазақстанның"), "қазақстан");
    }

    #[test]
    fn short_words_are_not_cut_below_three_letters() {
        assert_eq!(stem("ата"), "ата");
        assert_eq!(stem("әні"), "әні");
        assert_eq!(stem("алды"), "алд");
    }
}
