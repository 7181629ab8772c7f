use super::*;

fn name_key(word: &str) -> String {
    KazakhTokenizer::new(Analysis::Name).key(word).unwrap()
}

fn text_key(word: &str) -> String {
    KazakhTokenizer::new(Analysis::Text).key(word).unwrap()
}

#[test]
fn latin_words_read_as_the_cyrillic_they_stand_for() {
    for (typed, read) in [
        ("olimpiadasynda", "олимпиадасында"),
        ("Matematikadan", "математикадан"),
        ("shakhmattan", "шахматтан"),
        ("zhenimpazy", "женимпазы"),
        ("Yerlan", "ерлан"),
        ("biologiya", "биология"),
        ("shchuka", "щука"),
        ("Äigerım", "әйгерім"),
        ("fizikoy", "физикой"),
        ("üiırmesı", "үйірмесі"),
        ("qazaqstan", "қазақстан"),
        ("ūlttyq", "ұлттық"),
        ("robot2025", "робот2025"),
    ] {
        assert_eq!(cyrillic_reading(typed).as_deref(), Some(read), "{typed}");
    }
    assert_eq!(cyrillic_reading("олимпиада"), None);
    assert_eq!(cyrillic_reading("olimpiadaдан"), None, "a Cyrillic letter: not a Latin word");
    assert_eq!(cyrillic_reading("2025"), None);
}

#[test]
fn a_latin_words_reading_key_is_the_key_of_its_cyrillic_spelling() {
    let mut text = KazakhTokenizer::new(Analysis::Text);
    for (typed, cyrillic) in [
        ("olimpiadasynda", "олимпиада"),
        ("olimpiada", "олимпиадасы"),
        ("matematikadan", "математика"),
        ("robototekhnika", "робототехника"),
        ("fizikoi", "физикой"),
        ("khimiei", "химией"),
    ] {
        assert_eq!(text.reading_key(typed), Some(text_key(cyrillic)), "{typed}");
    }
    // A word whose reading folds to its own key adds nothing; names get no reading.
    assert_eq!(text.reading_key("shakhmat"), None);
    assert_eq!(KazakhTokenizer::new(Analysis::Name).reading_key("olimpiadasynda"), None);
}

#[test]
fn lowercase_knows_kazakh_letters_and_dotted_i() {
    assert_eq!(kazakh_lowercase("ҚАЙРАТ"), "қайрат");
    assert_eq!(kazakh_lowercase("ӘЙГЕРІМ"), "әйгерім");
    assert_eq!(kazakh_lowercase("ҰЛЫҚБЕК"), "ұлықбек");
    assert_eq!(kazakh_lowercase("İSTANBUL"), "istanbul");
    assert_eq!(kazakh_lowercase("ÄIGERIM"), "äigerim");
}

#[test]
fn latin_look_alikes_inside_cyrillic_words_become_cyrillic() {
    // `Әйгерiм` typed with a Latin `i` for `і`.
    assert_eq!(kazakh_lowercase("Әйгерiм"), "әйгерім");
    assert_eq!(kazakh_lowercase("Aсқар"), "асқар");
}

#[test]
fn the_2021_latin_alphabet_folds_to_the_cyrillic_name() {
    assert_eq!(name_key("Qairat"), name_key("Қайрат"));
    assert_eq!(name_key("Äigerım"), name_key("Әйгерім"));
    assert_eq!(name_key("Nūrlan"), name_key("Нұрлан"));
    assert_eq!(name_key("Şoqan"), name_key("Шоқан"));
}

#[test]
fn passport_romanisation_folds_to_the_cyrillic_name() {
    assert_eq!(name_key("Kairat"), name_key("Қайрат"));
    assert_eq!(name_key("Kayrat"), name_key("Қайрат"));
    assert_eq!(name_key("Aigerim"), name_key("Әйгерім"));
    assert_eq!(name_key("Nurlan"), name_key("Нұрлан"));
    assert_eq!(name_key("Zhanna"), name_key("Жанна"));
    assert_eq!(name_key("Yerlan"), name_key("Ерлан"));
    assert_eq!(name_key("Aliya"), name_key("Әлия"));
    assert_eq!(name_key("Vasiliy"), name_key("Василий"));
    assert_eq!(name_key("Shcherbakov"), name_key("Щербаков"));
}

#[test]
fn cyrillic_without_kazakh_letters_finds_the_kazakh_name() {
    assert_eq!(name_key("Кайрат"), name_key("Қайрат"));
    assert_eq!(name_key("Нурлан"), name_key("Нұрлан"));
    assert_eq!(name_key("Айгерим"), name_key("Әйгерім"));
}

#[test]
fn keys_are_ascii_and_distinct_names_stay_distinct() {
    assert_eq!(name_key("Қайрат"), "kairat");
    assert_eq!(name_key("Жанна"), "jana");
    assert_ne!(name_key("Нұрлан"), name_key("Ерлан"));
    assert_ne!(name_key("Асқар"), name_key("Асхат"));
    assert!(name_key("Ғалымжан").is_ascii());
}

#[test]
fn names_are_not_stemmed() {
    // `Ерланды` would lose `-ды` as a word; as a name it is kept whole.
    assert_ne!(name_key("Сейітов"), name_key("Сейіт"));
    assert_eq!(name_key("Нұрланов"), "nurlanov");
}

#[test]
fn kazakh_inflection_meets_the_base_word() {
    assert_eq!(text_key("математикадан"), text_key("математика"));
    assert_eq!(text_key("олимпиадасында"), text_key("олимпиада"));
    assert_eq!(text_key("жеңімпазы"), text_key("жеңімпаз"));
    assert_eq!(text_key("Олимпиадасы"), text_key("олимпиада"));
}

#[test]
fn russian_inflection_meets_the_base_word() {
    assert_eq!(text_key("олимпиады"), text_key("олимпиада"));
    assert_eq!(text_key("олимпиаде"), text_key("олимпиада"));
    assert_eq!(text_key("шахматы"), text_key("шахматами"));
    assert_eq!(text_key("победителем"), text_key("победитель"));
    assert_eq!(text_key("республиканской"), text_key("республиканская"));
}

#[test]
fn the_russian_stemmer_never_touches_words_with_kazakh_letters() {
    // Snowball Russian would cut `-ым`/`-ам` endings; `жеңімпаз` and `қалам` keep theirs.
    assert_eq!(text_key("қалам"), fold_script("қалам"));
    assert_eq!(text_key("жүлдегерлері"), fold_script("жүлдегер"));
}

/// A word whose Kazakh letters were all in the suffix the Kazakh stemmer took off
/// (`-ның`) meets its base word, which the Russian stemmer shortens: `олимпиадасының`
/// and `олимпиаданың` are `олимпиада`, `олимпиады` and `олимпиадасында`.
#[test]
fn a_kazakh_suffix_taken_off_leaves_a_word_of_the_shared_alphabet() {
    for word in ["олимпиадасының", "олимпиаданың", "олимпиадасында", "олимпиады"]
    {
        assert_eq!(text_key(word), text_key("олимпиада"), "{word}");
    }
}

#[test]
fn latin_words_are_folded_but_not_stemmed() {
    assert_eq!(text_key("Matematika"), "matematika");
    assert_eq!(text_key("Chess"), "ches");
}

#[test]
fn the_tokenizer_gives_keys_with_offsets_of_the_original_words() {
    let mut tokenizer = KazakhTokenizer::new(Analysis::Text);
    let text = "Физика пәнінен, республикалық олимпиада";
    let mut stream = tokenizer.token_stream(text);
    let mut seen = Vec::new();
    while let Some(token) = stream.next() {
        seen.push((text[token.offset_from..token.offset_to].to_owned(), token.text.clone(), token.position));
    }
    assert_eq!(seen.len(), 4);
    assert_eq!(seen[1].0, "пәнінен");
    assert_eq!(seen[1].1, fold_script("пән"));
    assert_eq!(seen[3].2, 3);
}

#[test]
fn punctuation_and_empty_input_give_no_tokens() {
    let mut tokenizer = KazakhTokenizer::new(Analysis::Text);
    assert!(tokenizer.keys("").is_empty());
    assert!(tokenizer.keys(" «» — ,;!").is_empty());
    assert_eq!(tokenizer.keys("№12 мектеп"), vec!["12".to_owned(), "mektep".to_owned()]);
}

#[test]
fn word_characters_agree_with_unicode() {
    for code in (0..0x3000u32).chain(0x1e00..0x1f00) {
        let Some(ch) = char::from_u32(code) else { continue };
        // Besides letters and digits: the combining marks of decomposed letters and the
        // invisible characters a pasted word may hold (see `plain_letters`).
        let inside_words = matches!(ch, '\u{300}'..='\u{36f}' | '\u{ad}' | '\u{200b}'..='\u{200d}' | '\u{2060}');
        let expected = ch.is_alphanumeric() || inside_words;
        assert_eq!(is_word_char(ch), expected, "U+{code:04X} {ch:?}");
    }
}

/// Passport romanisation's `yo` for `ё` after a consonant folds as `ё` does; elsewhere
/// `yo` is left as it is.
#[test]
fn a_passport_yo_after_a_consonant_is_the_e_of_yo() {
    for (latin, cyrillic) in [("Fyodor", "Фёдор"), ("Artyom", "Артём"), ("Semyon", "Семён"), ("Alyona", "Алёна")]
    {
        assert_eq!(name_key(latin), name_key(cyrillic), "{latin}");
    }
    // After a vowel or at the start of a word, `yo` is two letters (`Айоз`, `Йолдыз`).
    assert_eq!(name_key("Aiyoz"), name_key("Айиоз"));
    assert_eq!(name_key("Yoldyz"), name_key("Йолдыз"));
}

/// Text pasted from a PDF, macOS or a web page: decomposed letters, full-width letters
/// and invisible characters read as the letters typed on a keyboard, in one word.
#[test]
fn decomposed_full_width_and_invisible_characters_read_as_typed() {
    let words_of = |text: &str| words(text).map(|(_, word)| word.to_owned()).collect::<Vec<_>>();
    // `Артём` with `е` and U+0308, `Айдар` with a zero-width space, `Ерлан` with a soft
    // hyphen: one word each, keyed as typed.
    for (pasted, typed) in
        [("Арте\u{308}м", "Артём"), ("Ай\u{200b}дар", "Айдар"), ("Ер\u{ad}лан", "Ерлан"), ("ＡＩＤＡＲ", "Aidar")]
    {
        assert_eq!(words_of(pasted).len(), 1, "{pasted:?}");
        assert_eq!(name_key(pasted), name_key(typed), "{pasted:?}");
        assert_eq!(text_key(pasted), text_key(typed), "{pasted:?}");
    }
    // The marks that tell letters apart in the analysis compose (`й`, `ё`, `ş`, and the
    // 2021 Latin letters, which choose the Kazakh stemmer); others fall away, as the
    // fold reads an accented Latin letter as the plain one.
    for (pasted, composed) in [
        ("Саи\u{306}ран", "Сайран"),
        ("Арте\u{308}м", "Артём"),
        ("S\u{327}oqan", "Şoqan"),
        ("A\u{308}igerım", "Äigerım"),
        ("olimpiadag\u{306}a", "olimpiadağa"),
        ("u\u{304}lttyq", "ūlttyq"),
        ("Re\u{301}sume\u{301}", "Resume"),
    ] {
        assert_eq!(plain_letters(pasted), composed, "{pasted:?}");
    }
    assert_eq!(text_key("olimpiadag\u{306}a"), text_key("olimpiadağa"));
    assert_eq!(text_key("саи\u{306}ысы"), text_key("сайысы"));
    assert_eq!(words_of("Ай \u{200b} дар"), ["Ай", "\u{200b}", "дар"]);
    assert!(KazakhTokenizer::new(Analysis::Name).key("\u{200b}").is_none());
}
