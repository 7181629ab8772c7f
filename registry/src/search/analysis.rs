//! Text analysis for Kazakhstan: what a word becomes in the index and in a query.
//!
//! 1. Words are runs of letters and digits.
//! 2. [`kazakh_lowercase`]: lower case that knows `İ`/`I`/`ı`, and that reads the Latin
//!    look-alikes people type inside Cyrillic words (`Әйгерiм` with a Latin `i`) as the
//!    Cyrillic letters they stand for.
//! 3. Stemming, for text fields only (never names): a word with Kazakh letters gets the
//!    Kazakh stemmer ([`super::kazakh`]) and, when its stem still has one, never the
//!    Russian one; a Cyrillic word in the alphabet both languages share (or whose Kazakh
//!    letters were all in its suffix, `олимпиадасының`) loses Kazakh inflection first, then goes through
//!    tantivy's Russian Snowball stemmer (so `олимпиадасында`, `олимпиады` and
//!    `олимпиада` meet); Latin words are left as typed.
//! 4. [`fold_script`]: every spelling is folded to one ASCII key, both ways: Cyrillic is
//!    transliterated with Kazakh letters merged into their plain neighbours (`қ`→`k`,
//!    `ұ`/`ү`/`у`→`u`, `і`/`ы`/`и`/`й`→`i`), the 2021 Kazakh Latin letters the same
//!    (`q`→`k`, `ū`→`u`, `ä`→`a`, `ı`→`i`), passport romanisation too (`zh`, `kh`, `y`),
//!    and doubled letters collapse. `Qairat`, `Kairat`, `Кайрат` and `Қайрат` are all
//!    `kairat`; `Zhanna`, `Janna` and `Жанна` are all `jana`.

use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rustc_hash::FxBuildHasher;
use tantivy::tokenizer::{Language, RawTokenizer, Stemmer, TextAnalyzer, Token, TokenStream, Tokenizer};

use super::kazakh;

/// The name the text analyzer is registered under in the index.
pub const TEXT_ANALYZER: &str = "daryn_text";
/// The name the name analyzer (no stemming) is registered under.
pub const NAME_ANALYZER: &str = "daryn_name";
/// The name the snippet analyzer ([`SnippetTokenizer`]) is registered under, for searching.
pub const SNIPPET_ANALYZER: &str = "daryn_snippet";

/// Lower-cases a word the Kazakh way (see the module documentation).
pub fn kazakh_lowercase(word: &str) -> String {
    let word = plain_letters(word);
    let cyrillic = word.chars().any(is_cyrillic);
    let mut lower = String::with_capacity(word.len());
    for ch in word.chars() {
        match ch {
            'İ' | 'I' if !cyrillic => lower.push('i'),
            '\u{307}' => {}
            _ => {
                for small in ch.to_lowercase() {
                    lower.push(if cyrillic { cyrillic_look_alike(small) } else { small });
                }
            }
        }
    }
    lower
}

/// A word with its letters as a keyboard types them, for text pasted from a PDF, macOS
/// or a web page: a letter followed by a combining mark (decomposed, NFD) is the letter
/// it composes where the analysis tells it apart (`й`, `ё`, `ş`, `ç`, and the 2021
/// Kazakh Latin `ä`, `ö`, `ü`, `ū`, `ğ`, `ñ`), and the plain letter otherwise (the fold reads an accented Latin letter as the plain one); full-width
/// letters and digits (`ＡＩＤＡＲ`) are ASCII; the invisible characters (zero-width
/// space and joiners, the word joiner, the soft hyphen) are left out. `Артём` typed
/// decomposed found nothing, and `Ай` + a zero-width space + `дар` was two words.
pub(crate) fn plain_letters(word: &str) -> std::borrow::Cow<'_, str> {
    let unusual = |ch: char| is_combining_mark(ch) || is_invisible(ch) || is_full_width(ch);
    if word.is_ascii() || !word.chars().any(unusual) {
        return std::borrow::Cow::Borrowed(word);
    }
    let mut plain = String::with_capacity(word.len());
    let mut chars = word.chars().peekable();
    while let Some(ch) = chars.next() {
        if is_invisible(ch) {
            continue;
        }
        if is_full_width(ch) {
            plain.extend(char::from_u32(ch as u32 - 0xFEE0));
            continue;
        }
        // `I` with a dot above stays as it was: the lower-casing reads that pair.
        if is_combining_mark(ch) && ch != '\u{307}' {
            continue;
        }
        let composed = match (ch, chars.peek()) {
            ('и', Some('\u{306}')) => Some('й'),
            ('И', Some('\u{306}')) => Some('Й'),
            ('е', Some('\u{308}')) => Some('ё'),
            ('Е', Some('\u{308}')) => Some('Ё'),
            ('s', Some('\u{327}')) => Some('ş'),
            ('S', Some('\u{327}')) => Some('Ş'),
            ('c', Some('\u{327}')) => Some('ç'),
            ('C', Some('\u{327}')) => Some('Ç'),
            // The 2021 Kazakh Latin letters, which a Latin word's Cyrillic reading turns
            // into Kazakh letters (and so into the Kazakh stemmer's hands).
            ('a', Some('\u{308}')) => Some('ä'),
            ('A', Some('\u{308}')) => Some('Ä'),
            ('o', Some('\u{308}')) => Some('ö'),
            ('O', Some('\u{308}')) => Some('Ö'),
            ('u', Some('\u{308}')) => Some('ü'),
            ('U', Some('\u{308}')) => Some('Ü'),
            ('u', Some('\u{304}')) => Some('ū'),
            ('U', Some('\u{304}')) => Some('Ū'),
            ('g', Some('\u{306}')) => Some('ğ'),
            ('G', Some('\u{306}')) => Some('Ğ'),
            ('n', Some('\u{303}')) => Some('ñ'),
            ('N', Some('\u{303}')) => Some('Ñ'),
            _ => None,
        };
        if let Some(composed) = composed {
            plain.push(composed);
            chars.next();
        } else {
            plain.push(ch);
        }
    }
    std::borrow::Cow::Owned(plain)
}

/// The combining diacritical marks (U+0300–U+036F).
fn is_combining_mark(ch: char) -> bool {
    matches!(ch, '\u{300}'..='\u{36f}')
}

/// Characters that show nothing and join or split nothing a reader sees.
fn is_invisible(ch: char) -> bool {
    matches!(ch, '\u{ad}' | '\u{200b}'..='\u{200d}' | '\u{2060}')
}

/// Full-width ASCII letters and digits (U+FF10–U+FF19, U+FF21–U+FF3A, U+FF41–U+FF5A).
fn is_full_width(ch: char) -> bool {
    matches!(ch, '\u{ff10}'..='\u{ff19}' | '\u{ff21}'..='\u{ff3a}' | '\u{ff41}'..='\u{ff5a}')
}

fn is_cyrillic(ch: char) -> bool {
    matches!(ch, '\u{400}'..='\u{4ff}')
}

/// The Cyrillic letter a Latin look-alike stands for inside a Cyrillic word.
fn cyrillic_look_alike(ch: char) -> char {
    match ch {
        'a' => 'а',
        'c' => 'с',
        'e' => 'е',
        'h' => 'һ',
        'i' | 'ı' => 'і',
        'k' => 'к',
        'o' => 'о',
        'p' => 'р',
        'x' => 'х',
        'y' => 'у',
        other => other,
    }
}

/// Folds a lower-case word of any script to its ASCII search key.
pub fn fold_script(word: &str) -> String {
    // Passport romanisation writes `ё` after a consonant as `yo` (`Fyodor`, `Artyom`,
    // `Semyon`, `Alyona`), which would fold to `io`; `ё` folds to `e`.
    let word = if word.contains("yo") {
        std::borrow::Cow::Owned(consonant_yo_as_e(word))
    } else {
        std::borrow::Cow::Borrowed(word)
    };
    let mut latin = String::with_capacity(word.len() + 4);
    for ch in word.chars() {
        let mapped: &str = match ch {
            'а' | 'ә' | 'ä' | 'á' | 'à' | 'â' | 'ã' | 'å' | 'ā' => "a",
            'б' => "b",
            'в' => "v",
            'г' | 'ғ' | 'ğ' => "g",
            'д' => "d",
            'е' | 'ё' | 'э' | 'é' | 'è' | 'ê' | 'ë' => "e",
            'ж' => "j",
            'з' => "z",
            'и' | 'й' | 'і' | 'ы' | 'ı' | 'í' | 'ì' | 'î' | 'ï' | 'ī' | 'y' | 'ý' => "i",
            'к' | 'қ' | 'q' => "k",
            'л' => "l",
            'м' => "m",
            'н' | 'ң' | 'ñ' => "n",
            'о' | 'ө' | 'ö' | 'ó' | 'ò' | 'ô' | 'õ' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' | 'ұ' | 'ү' | 'ū' | 'ü' | 'ú' | 'ù' | 'û' => "u",
            'ф' => "f",
            'х' | 'һ' => "h",
            'ц' => "ts",
            'ч' | 'ç' => "ch",
            'ш' | 'щ' | 'ş' => "sh",
            'ъ' | 'ь' | '\u{307}' => "",
            'ю' => "iu",
            'я' => "ia",
            other => {
                latin.push(other);
                continue;
            }
        };
        latin.push_str(mapped);
    }
    // Passport romanisation: `shch` is `щ`, `zh` is `ж`, `kh` is `х`; a word-initial `ye` is `е`.
    let latin = latin.replace("shch", "sh").replace("zh", "j").replace("kh", "h");
    let latin = match latin.strip_prefix("ie") {
        Some(rest) if !rest.is_empty() => format!("e{rest}"),
        _ => latin,
    };
    let mut key = String::with_capacity(latin.len());
    for ch in latin.chars() {
        if !key.ends_with(ch) {
            key.push(ch);
        }
    }
    key
}

/// `yo` after a Latin consonant as `e` (see [`fold_script`]).
fn consonant_yo_as_e(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut previous: Option<char> = None;
    let mut chars = word.chars().peekable();
    while let Some(ch) = chars.next() {
        let after_consonant = previous.is_some_and(|before| before.is_ascii_alphabetic() && !"aeiouy".contains(before));
        if ch == 'y' && after_consonant && chars.peek() == Some(&'o') {
            chars.next();
            out.push('e');
            previous = Some('e');
            continue;
        }
        out.push(ch);
        previous = Some(ch);
    }
    out
}

/// How a word typed in Latin letters reads in Cyrillic, for a query's text words: the
/// index stems a Cyrillic word before folding it (`олимпиадасында` → `olimpiad`) and
/// only folds a Latin one, so `olimpiadasynda` or `matematikadan` typed as such would
/// not meet the words they spell. `None` for a word with a Cyrillic letter or no Latin
/// one.
///
/// The 2021 Kazakh Latin letters give their Kazakh letters (`ä` ә, `ö` ө, `ü` ү, `ū` ұ,
/// `q` қ, `ğ` ғ, `ñ` ң, `ı` і as the issue writes `Äigerım`, `ş` ш, `ç` ч), so such a
/// word gets the Kazakh stemmer as its Cyrillic spelling would; the letters the
/// alphabets share, and passport romanisation's pairs (`shch`, `sh`, `ch`, `zh`, `kh`,
/// `ts`, `ya`, `yu`, `yo`, a word-initial `ye`), give letters Russian has too. `y` is
/// `ы`, as in the suffixes `-sy`, `-ny`, `-ynda`, and `i` is `и`, but both are `й`
/// after a vowel.
pub fn cyrillic_reading(word: &str) -> Option<String> {
    let lower = kazakh_lowercase(word);
    if lower.chars().any(is_cyrillic) || !lower.chars().any(|ch| ch.is_alphabetic()) {
        return None;
    }
    const PAIRS: [(&str, char); 10] = [
        ("shch", 'щ'),
        ("sh", 'ш'),
        ("ch", 'ч'),
        ("zh", 'ж'),
        ("kh", 'х'),
        ("ts", 'ц'),
        ("ya", 'я'),
        ("yu", 'ю'),
        ("yo", 'ё'),
        ("ye", 'е'),
    ];
    let mut reading = String::with_capacity(lower.len() * 2);
    let mut rest = lower.as_str();
    while let Some(ch) = rest.chars().next() {
        // `ye` is `е` at the start of a word only (`Yerlan`); inside one it is `ые` (`-nye`).
        let pair = PAIRS.iter().find(|(pair, _)| rest.starts_with(pair) && (*pair != "ye" || reading.is_empty()));
        if let Some((pair, letter)) = pair {
            reading.push(*letter);
            rest = &rest[pair.len()..];
            continue;
        }
        let letter = match ch {
            'a' | 'á' => "а",
            'ä' => "ә",
            'b' => "б",
            'c' => "с",
            'ç' => "ч",
            'd' => "д",
            'e' | 'é' => "е",
            'f' => "ф",
            'g' => "г",
            'ğ' => "ғ",
            'h' => "х",
            // After a vowel, `i` and `y` are `й` (`Aibek`, `fizikoi`, `Nurlai`).
            'i' | 'í' | 'y' if reading.ends_with(is_cyrillic_vowel) => "й",
            'i' | 'í' => "и",
            'ı' => "і",
            'j' => "ж",
            'k' => "к",
            'l' => "л",
            'm' => "м",
            'n' => "н",
            'ñ' => "ң",
            'o' | 'ó' => "о",
            'ö' => "ө",
            'p' => "п",
            'q' => "қ",
            'r' => "р",
            's' => "с",
            'ş' => "ш",
            't' => "т",
            'u' | 'w' => "у",
            'ū' => "ұ",
            'ü' => "ү",
            'v' => "в",
            'x' => "кс",
            'y' => "ы",
            'z' => "з",
            // Digits and anything else stay as typed.
            _ => "",
        };
        if letter.is_empty() {
            reading.push(ch);
        } else {
            reading.push_str(letter);
        }
        rest = &rest[ch.len_utf8()..];
    }
    Some(reading)
}

fn is_cyrillic_vowel(ch: char) -> bool {
    matches!(ch, 'а' | 'ә' | 'е' | 'ё' | 'и' | 'о' | 'ө' | 'у' | 'ұ' | 'ү' | 'ы' | 'і' | 'э' | 'ю' | 'я')
}

/// Which analysis a field gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Analysis {
    /// Stemmed and folded: everything but names.
    Text,
    /// Folded only: people's names.
    Name,
}

/// The whole chain as a tantivy tokenizer; the index and the query parser both use it,
/// so a word and its query meet by construction.
///
/// Each tokenizer remembers the keys of the words it has seen (up to [`REMEMBERED`]):
/// an index's words repeat (names, schools, disciplines, event titles), and a lookup
/// costs far less than lower-casing, stemming and folding again.
#[derive(Clone)]
pub struct KazakhTokenizer {
    analyser: Analyser,
    remembered: Memory,
}

/// The analysis itself, without the memory.
#[derive(Clone)]
struct Analyser {
    analysis: Analysis,
    russian: TextAnalyzer,
}

/// Words to keys. Fx hashing: a word is hashed for every token indexed or highlighted,
/// and SipHash's protection against chosen collisions buys nothing here. hashbrown's map
/// for its `entry_ref`, which finds a remembered word, or where it goes, in one lookup.
type Keys = hashbrown::HashMap<String, Option<Box<str>>, FxBuildHasher>;

/// What a tokenizer remembers: its own words, or words shared with its clones.
#[derive(Clone)]
enum Memory {
    /// Indexing: each writer thread has its own tokenizer, and nothing to share a lock over.
    Own(Keys),
    /// Searching: tantivy clones the analyzer for every snippet it makes, so a memory of
    /// its own would start empty each time and every word of every hit be analysed anew.
    Shared(Arc<Mutex<Keys>>),
}

impl Memory {
    /// The words remembered, taken for as long as the guard lives: a text's words are
    /// looked up under one lock, not one per word.
    fn lock(&mut self) -> KeysGuard<'_> {
        match self {
            Memory::Own(keys) => KeysGuard::Own(keys),
            Memory::Shared(keys) => KeysGuard::Shared(keys.lock().unwrap_or_else(PoisonError::into_inner)),
        }
    }
}

enum KeysGuard<'a> {
    Own(&'a mut Keys),
    Shared(MutexGuard<'a, Keys>),
}

impl Deref for KeysGuard<'_> {
    type Target = Keys;
    fn deref(&self) -> &Keys {
        match self {
            KeysGuard::Own(keys) => keys,
            KeysGuard::Shared(keys) => keys,
        }
    }
}

impl DerefMut for KeysGuard<'_> {
    fn deref_mut(&mut self) -> &mut Keys {
        match self {
            KeysGuard::Own(keys) => keys,
            KeysGuard::Shared(keys) => keys,
        }
    }
}

/// The key of `word` from `keys`, analysed and remembered first if it is new.
fn remembered_key<'k>(keys: &'k mut Keys, analyser: &mut Analyser, word: &str) -> Option<&'k str> {
    if keys.len() >= REMEMBERED && !keys.contains_key(word) {
        keys.clear();
    }
    keys.entry_ref(word).or_insert_with(|| analyser.analyse(word).map(Box::from)).as_deref()
}

/// How many words a tokenizer remembers before it starts afresh.
const REMEMBERED: usize = 200_000;

impl KazakhTokenizer {
    pub fn new(analysis: Analysis) -> KazakhTokenizer {
        let russian = TextAnalyzer::builder(RawTokenizer::default()).filter(Stemmer::new(Language::Russian)).build();
        KazakhTokenizer { analyser: Analyser { analysis, russian }, remembered: Memory::Own(Keys::default()) }
    }

    /// A tokenizer whose clones share what it remembers (see [`Memory::Shared`]).
    pub fn shared(analysis: Analysis) -> KazakhTokenizer {
        KazakhTokenizer { remembered: Memory::Shared(Arc::default()), ..KazakhTokenizer::new(analysis) }
    }

    /// The search key of one word (`None` when nothing of it is left).
    pub fn key(&mut self, word: &str) -> Option<String> {
        let KazakhTokenizer { analyser, remembered } = self;
        remembered_key(&mut remembered.lock(), analyser, word).map(str::to_owned)
    }

    /// The key of a Latin word's Cyrillic reading ([`cyrillic_reading`]) when it differs
    /// from the word's own key: a query looks for both. `None` for names, which are not
    /// stemmed and fold alike in both scripts.
    pub fn reading_key(&mut self, word: &str) -> Option<String> {
        if self.analyser.analysis == Analysis::Name {
            return None;
        }
        let reading = self.key(&cyrillic_reading(word)?)?;
        (self.key(word).as_deref() != Some(reading.as_str())).then_some(reading)
    }

    /// Every key of a text, in order.
    pub fn keys(&mut self, text: &str) -> Vec<String> {
        words(text).filter_map(|(_, word)| self.key(word)).collect()
    }
}

impl Analyser {
    fn analyse(&mut self, word: &str) -> Option<String> {
        let lower = kazakh_lowercase(word);
        let stemmed = match self.analysis {
            Analysis::Name => lower,
            Analysis::Text => self.stem(&lower),
        };
        let key = fold_script(&stemmed);
        (!key.is_empty()).then_some(key)
    }

    fn stem(&mut self, lower: &str) -> String {
        if !lower.chars().any(is_cyrillic) {
            return lower.to_owned();
        }
        let kazakh_stem = kazakh::stem(lower);
        // Judged by the stem, not the word: `олимпиадасының` (its `ң` in the suffix) is
        // then keyed as `олимпиада` and `олимпиадасында` are, through the Russian stemmer.
        if kazakh_stem.chars().any(kazakh::is_kazakh_letter) {
            return kazakh_stem;
        }
        let mut stream = self.russian.token_stream(&kazakh_stem);
        let stemmed = stream.next().map(|token| token.text.clone());
        drop(stream);
        stemmed.unwrap_or(kazakh_stem)
    }
}

/// The words of a text with their byte offsets: runs of letters and digits.
pub fn words(text: &str) -> Words<'_> {
    Words { text, chars: text.char_indices(), start: None }
}

/// The iterator of [`words`].
pub struct Words<'a> {
    text: &'a str,
    chars: std::str::CharIndices<'a>,
    /// Where the word being read began.
    start: Option<usize>,
}

impl<'a> Iterator for Words<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<(usize, &'a str)> {
        for (offset, ch) in self.chars.by_ref() {
            match (self.start, is_word_char(ch)) {
                (None, true) => self.start = Some(offset),
                (Some(from), false) => {
                    self.start = None;
                    return Some((from, &self.text[from..offset]));
                }
                _ => {}
            }
        }
        // The end of the text ends its last word.
        let from = self.start.take()?;
        Some((from, &self.text[from..]))
    }
}

/// Whether a character belongs to a word: a letter or digit of any script, or the
/// combining dot of `i̇`. ASCII and the Cyrillic block are answered without the general
/// Unicode tables, whose lookup was a fifth of the time it took to index a registry.
fn is_word_char(ch: char) -> bool {
    match ch {
        'a'..='z' | 'A'..='Z' | '0'..='9' => true,
        '\u{0}'..='\u{7f}' => false,
        // U+0482-U+0489 are a sign and combining marks; the rest of the block is letters.
        '\u{400}'..='\u{481}' | '\u{48a}'..='\u{4ff}' => true,
        // A combining mark (a decomposed `ё`, `й`), and what `plain_letters` leaves out
        // inside a word.
        '\u{300}'..='\u{36f}' | '\u{ad}' | '\u{200b}'..='\u{200d}' | '\u{2060}' => true,
        _ => ch.is_alphanumeric(),
    }
}

/// Longer words are not words people search for (hashes, run-together text).
pub const LONGEST_WORD: usize = 60;

impl Tokenizer for KazakhTokenizer {
    type TokenStream<'a> = WordKeys<'a>;

    /// The memory is taken once for the whole text, not once per word: a snippet
    /// analyses every word of a hit's text.
    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordKeys<'a> {
        let KazakhTokenizer { analyser, remembered } = self;
        WordKeys { words: words(text), keys: remembered.lock(), analyser, token: Token::default() }
    }
}

/// The keys of one text's words, one token at a time: indexing a registry reads a
/// hundred million tokens, and one token's text is reused for the next.
pub struct WordKeys<'a> {
    words: Words<'a>,
    keys: KeysGuard<'a>,
    analyser: &'a mut Analyser,
    token: Token,
}

impl TokenStream for WordKeys<'_> {
    fn advance(&mut self) -> bool {
        for (offset, word) in self.words.by_ref() {
            if word.len() > LONGEST_WORD {
                continue;
            }
            if let Some(key) = remembered_key(&mut self.keys, self.analyser, word) {
                let token = &mut self.token;
                token.offset_from = offset;
                token.offset_to = offset + word.len();
                token.position = token.position.wrapping_add(1);
                token.text.clear();
                token.text.push_str(key);
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// Both keys of every word, the text key and the name key: a stored text holds people's
/// names among its other words (a child's mentors, a teacher's pupils), and a snippet
/// marks a name the query found in `people` as well as a word it found in `words`.
#[derive(Clone)]
pub struct SnippetTokenizer {
    pub text: KazakhTokenizer,
    pub name: KazakhTokenizer,
}

impl Tokenizer for SnippetTokenizer {
    type TokenStream<'a> = KeyStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> KeyStream {
        let mut tokens = Vec::new();
        for tokenizer in [&mut self.text, &mut self.name] {
            let mut stream = tokenizer.token_stream(text);
            while stream.advance() {
                tokens.push(stream.token().clone());
            }
        }
        tokens.sort_by_key(|token| token.offset_from);
        tokens.dedup_by(|next, kept| next.offset_from == kept.offset_from && next.text == kept.text);
        KeyStream { tokens, next: 0 }
    }
}

/// A snippet's keys of one text: both analyses, in the order of the text.
pub struct KeyStream {
    tokens: Vec<Token>,
    next: usize,
}

impl TokenStream for KeyStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

#[cfg(test)]
mod tests;
