//! How a typed query becomes tantivy's: the keys each word is looked up by, the
//! clauses that look for them, stop words, and the runs of words that name a discipline.

use super::*;

pub(super) fn tag_filter(fields: IndexFields, name: &str, values: &[String]) -> Box<dyn Query> {
    any_tag(fields, &values.iter().map(|value| tag(name, value)).collect::<Vec<_>>())
}

/// A filter that scores nothing: any of these tags.
pub(super) fn any_tag(fields: IndexFields, tags: &[String]) -> Box<dyn Query> {
    let terms: Vec<(Occur, Box<dyn Query>)> =
        tags.iter().map(|tag| (Occur::Should, Box::new(tag_query(fields, tag)) as Box<dyn Query>)).collect();
    Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(terms)), 0.0))
}

/// A coded value of the hit (see [`super::tags`]): indexed once, so without frequencies.
fn tag_query(fields: IndexFields, tag: &str) -> TermQuery {
    TermQuery::new(Term::from_field_text(fields.tags, tag), IndexRecordOption::Basic)
}

fn tag_term(fields: IndexFields, tag: &str, boost: Score) -> Box<dyn Query> {
    Box::new(BoostQuery::new(Box::new(tag_query(fields, tag)), boost))
}

/// A value a word spells, for a word of the query: a constant score, so that the values
/// with the most hits (a level, a talent domain) cost a walk of their posting list and
/// not a BM25 score for every hit on it.
fn spelled_term(fields: IndexFields, tag: &str) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(Box::new(tag_query(fields, tag)), 1.0))
}

fn term(field: tantivy::schema::Field, key: &str, boost: Score) -> Box<dyn Query> {
    let query = TermQuery::new(Term::from_field_text(field, key), IndexRecordOption::WithFreqs);
    Box::new(BoostQuery::new(Box::new(query), boost))
}

/// A word in what is said about the hit: its text (any of `text_keys`, see
/// [`word_query`]), or a spelling of one of its values other than `besides` (which the
/// caller looks up already).
fn said(fields: IndexFields, text_keys: &[String], besides: &[String]) -> Box<dyn Query> {
    let mut options = said_options(fields, text_keys, besides, None);
    if options.len() == 1 { options.swap_remove(0) } else { Box::new(AnyOf(options)) }
}

/// The options of [`said`], one by one. With `someones_name` (the name key of a word
/// that is someone's name), only the values spelled exactly by that word are looked for
/// ([`values_spelled_as`]), not those with a spelling that has the word or its stem.
fn said_options(
    fields: IndexFields,
    text_keys: &[String],
    besides: &[String],
    someones_name: Option<&str>,
) -> Vec<Box<dyn Query>> {
    let mut options: Vec<Box<dyn Query>> = text_keys.iter().map(|key| term(fields.words, key, 1.0)).collect();
    let mut spelled: Vec<&String> = Vec::new();
    let values: Vec<&'static String> = match someones_name {
        Some(name_key) => values_spelled_as(name_key).iter().collect(),
        None => text_keys.iter().flat_map(|key| values_spelled_with(key)).collect(),
    };
    for tag in values {
        if !besides.contains(tag) && !spelled.contains(&tag) {
            spelled.push(tag);
        }
    }
    options.extend(spelled.into_iter().map(|tag| spelled_term(fields, tag)));
    options
}

/// The text keys of a typed word: its own, and for a word in Latin letters the key of
/// its Cyrillic reading ([`KazakhTokenizer::reading_key`]).
fn text_keys(text: &mut KazakhTokenizer, word: &str) -> Vec<String> {
    text.key(word).into_iter().chain(text.reading_key(word)).collect()
}

/// The clauses one word of the query makes: any field may hold it, or it may spell a value.
/// `typing` marks the word still being typed (the query's last, with nothing after it,
/// asked for when the query found nothing without it): a name that begins with it
/// matches too (`Айгер` finds `Айгерім`), within the same typos. `someones_name`: the
/// word is the name of a child or teacher in the index, and spells a value only exactly.
pub(super) fn word_query(
    fields: IndexFields,
    text_keys: &[String],
    name_key: &str,
    typing: bool,
    someones_name: bool,
) -> Box<dyn Query> {
    let mut options: Vec<Box<dyn Query>> = vec![term(fields.name, name_key, 3.0), term(fields.people, name_key, 1.0)];
    // The text is still searched by the word's stem: the index holds the text's words
    // stemmed only, and `Абай` (stemmed `аба`) must find `Абай атындағы мектеп`, though
    // `Казаков` then finds `қазақ` too.
    options.extend(said_options(fields, text_keys, &[], someones_name.then_some(name_key)));
    let length = name_key.chars().count();
    let distance = if length >= 8 {
        2
    } else if length >= 4 {
        1
    } else {
        0
    };
    let term = Term::from_field_text(fields.name, name_key);
    if typing {
        // A name that begins with the word as typed ranks above one that begins with it
        // only within a typo (`Qair`: Қайрат before Карина).
        let exact = FuzzyTermQuery::new_prefix(term.clone(), 0, false);
        let exact = NameTypos { field: fields.name, query: exact };
        options.push(Box::new(BoostQuery::new(Box::new(exact), 3.0)));
        if distance > 0 {
            let beginning = FuzzyTermQuery::new_prefix(term, distance, true);
            options.push(Box::new(NameTypos { field: fields.name, query: beginning }));
        }
    } else if distance > 0 {
        let fuzzy = FuzzyTermQuery::new(term, distance, true);
        options.push(Box::new(NameTypos { field: fields.name, query: fuzzy }));
    }
    if distance > 0 {
        // A mentor's or pupil's name forgives a typo too, below the name typed exactly.
        let people = FuzzyTermQuery::new(Term::from_field_text(fields.people, name_key), distance, true);
        options.push(Box::new(BoostQuery::new(Box::new(NameTypos { field: fields.people, query: people }), 0.5)));
    }
    Box::new(AnyOf(options))
}

/// The shortest name key whose beginning is looked for: two letters begin too many names.
const SHORTEST_BEGINNING: usize = 3;

/// The query's words as clauses that must all match; and whether the last word was taken
/// as the beginning of a name (only asked for with `beginnings`, see [`word_query`]).
///
/// `names_someone` says whether a name key is the name of some child or teacher in the
/// index. Such a word looks up a coded value only when it is that value's whole spelling
/// (`Астана`): as a word of a longer spelling or by its stem it found thousands of
/// children besides the few so named (`Сұлтан`, every child of Astana through
/// `Нұр-Сұлтан`; `Семён`, stemmed as `семья`, both family groups; `Лука`, archery).
pub(super) fn word_groups(
    fields: IndexFields,
    query: &str,
    beginnings: bool,
    names_someone: &dyn Fn(&str) -> bool,
) -> (Vec<Box<dyn Query>>, bool) {
    let mut text = KazakhTokenizer::new(Analysis::Text);
    let mut name = KazakhTokenizer::new(Analysis::Name);
    let typed = typed_words(query);
    // The last word is still being typed when nothing follows it (no space, no stop).
    let still_typing = beginnings
        && words(query)
            .last()
            .is_some_and(|(offset, word)| offset + word.len() == query.len() && typed.last() == Some(&word));
    let mut groups: Vec<Box<dyn Query>> = Vec::new();
    let mut began = false;
    let mut start = 0;
    'words: while start < typed.len() {
        // A region's name of two or three words (`Алматы облысы`, `г. Алматы`, `North
        // Kazakhstan Region`) is that region: one word alone (`Алматы`) may be two, and
        // `облысы` is said of every oblast and in many a text.
        for length in (2..=3.min(typed.len() - start)).rev() {
            if let [region] = crate::kato::Region::lookup(&typed[start..start + length].join(" "))[..] {
                groups.push(tag_term(fields, &tag("region", &region.code.to_string()), 2.0));
                start += length;
                continue 'words;
            }
        }
        for length in (1..=4.min(typed.len() - start)).rev() {
            let window = typed[start..start + length].join(" ");
            if let Some(code) = discipline_code(&window, &mut text) {
                // Someone's name spells a discipline only as its whole spelling (see above).
                if length == 1
                    && let Some(name_key) = name.key(typed[start])
                    && names_someone(&name_key)
                    && !values_spelled_as(&name_key).contains(&tag("discipline", code))
                {
                    continue;
                }
                // The discipline of the child, of an achievement, or a teacher's subject.
                // A Boolean union, not [`AnyOf`]: both clauses match many documents, and the
                // group usually leads the intersection, where tantivy's buffered union is faster.
                let own = [tag("discipline", code), tag("achieved", code)];
                let mut options: Vec<(Occur, Box<dyn Query>)> =
                    own.iter().map(|own| (Occur::Should, tag_term(fields, own, 2.0))).collect();
                let words: Vec<(Occur, Box<dyn Query>)> = typed[start..start + length]
                    .iter()
                    .map(|word| text_keys(&mut text, word))
                    .filter(|keys| !keys.is_empty())
                    .map(|keys| (Occur::Must, said(fields, &keys, &own)))
                    .collect();
                if !words.is_empty() {
                    options.push((Occur::Should, Box::new(BooleanQuery::new(words))));
                }
                // A first name may spell a discipline's short alias once stemmed (`Анна`
                // and `ән`, vocals; `Adil` and `АӘД`): it still finds the name.
                if let (1, Some(name_key)) = (length, name.key(typed[start])) {
                    options.push((Occur::Should, term(fields.name, &name_key, 3.0)));
                    options.push((Occur::Should, term(fields.people, &name_key, 1.0)));
                }
                groups.push(Box::new(BooleanQuery::new(options)));
                start += length;
                continue 'words;
            }
        }
        // A value spelled in two or three words (`prize winner`): that value, not each
        // word's (`winner` alone is a win, not a prize).
        for length in (2..=3.min(typed.len() - start)).rev() {
            let terms = values_spelled_by(&text.keys(&typed[start..start + length].join(" ")).join(" "));
            if !terms.is_empty() {
                let options = terms.iter().map(|term| (Occur::Should, tag_term(fields, term, 2.0))).collect();
                groups.push(Box::new(BooleanQuery::new(options)));
                start += length;
                continue 'words;
            }
        }
        let word = typed[start];
        if let (Some(keys), Some(name_key)) = (searched_keys(&mut text, word), name.key(word)) {
            let typing = start + 1 == typed.len() && still_typing && name_key.chars().count() >= SHORTEST_BEGINNING;
            began |= typing;
            groups.push(word_query(fields, &keys, &name_key, typing, names_someone(&name_key)));
        }
        start += 1;
    }
    (groups, began)
}

/// The words of a query that are searched: all but the stop words, and the words that
/// read as one of them.
pub(super) fn typed_words(query: &str) -> Vec<&str> {
    let mut text = KazakhTokenizer::new(Analysis::Text);
    let mut name = KazakhTokenizer::new(Analysis::Name);
    words(query).map(|(_, word)| word).filter(|word| !is_stop_word(word, &mut text, &mut name)).collect()
}

/// Whether a typed word is a stop word, or a word of one or two letters that reads as a
/// Kazakh or Russian one: its keys, stemmed and not, are those of a stop word, so the
/// index cannot tell them apart (`ии`, `ы` and `i` are all `и`, and found two children
/// in three). Longer words whose keys meet a stop word's are names or words (`Jane` and
/// `және`, `Ben`, `ООО`), searched. English stop words are left out of this: their keys
/// are Kazakh words (`ән`, `он`, `ат`).
pub(super) fn is_stop_word(word: &str, text: &mut KazakhTokenizer, name: &mut KazakhTokenizer) -> bool {
    if STOP_WORDS.contains(&crate::spelling::fold(word).as_str()) {
        return true;
    }
    if word.chars().count() > 2 {
        return false;
    }
    let read_as_stop = |key: Option<String>| key.is_some_and(|key| stop_keys().contains(&key));
    read_as_stop(text.key(word)) && read_as_stop(name.key(word))
}

/// The keys of the Kazakh and Russian stop words, stemmed and not.
fn stop_keys() -> &'static HashSet<String> {
    static STOP_KEYS: OnceLock<HashSet<String>> = OnceLock::new();
    STOP_KEYS.get_or_init(|| {
        let mut text = KazakhTokenizer::new(Analysis::Text);
        let mut name = KazakhTokenizer::new(Analysis::Name);
        let cyrillic = STOP_WORDS.iter().filter(|word| word.chars().all(|ch| !ch.is_ascii()));
        cyrillic.flat_map(|word| [text.key(word), name.key(word)]).flatten().collect()
    })
}

/// The keys a word is looked for by in what is said of a hit; `None` when nothing of it
/// is left to look for. A key of a stop word is left out: a name stemmed to one (`Ия`
/// to `и`, `Ая` to `а`) found everything that says `и` or `а`; such a word is still
/// looked for as a name.
pub(super) fn searched_keys(text: &mut KazakhTokenizer, word: &str) -> Option<Vec<String>> {
    let keys = text_keys(text, word);
    (!keys.is_empty()).then(|| keys.into_iter().filter(|key| !stop_keys().contains(key)).collect())
}

/// The discipline a run of typed words names, by spelling or by analysed key.
pub(super) fn discipline_code(window: &str, text: &mut KazakhTokenizer) -> Option<&'static str> {
    let taxonomy = Taxonomy::builtin();
    if let Some(discipline) = taxonomy.lookup(window) {
        return Some(discipline.code.as_str());
    }
    static BY_KEYS: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    let by_keys = BY_KEYS.get_or_init(|| {
        let mut analyser = KazakhTokenizer::new(Analysis::Text);
        let mut map = HashMap::new();
        for discipline in taxonomy.all() {
            for spelling in discipline.spellings() {
                let keys = analyser.keys(spelling).join(" ");
                if !keys.is_empty() {
                    map.entry(keys).or_insert(discipline.code.as_str());
                }
            }
        }
        map
    });
    if let Some(code) = by_keys.get(&text.keys(window).join(" ")) {
        return Some(code);
    }
    // Typed in Latin letters, inflected (`matematikadan`): the keys of its Cyrillic reading.
    let reading: Vec<String> =
        words(window).map(|(_, word)| cyrillic_reading(word).unwrap_or_else(|| word.to_owned())).collect();
    by_keys.get(&text.keys(&reading.join(" ")).join(" ")).copied()
}
