//! Searching a pinned index generation: the query a person typed, the filters, facet
//! counts, the order, and highlighted snippets.
//!
//! Every word of the query must match (stop words aside), each in any of: the name
//! (exact key ×3, or within one or two typos), the people around the hit (mentors,
//! pupils; exact, or within the same typos at half a typo's weight), or everything else
//! said about it (`words`). Runs of up to four words that name a discipline in any
//! language (`chess`, `шахматы`, `Қазақстан тарихы`, `математикадан`) match that
//! discipline by code as well as by its words, and runs of two or three that name one
//! region (`Алматы облысы`) match that region only. The clauses of one word are an
//! [`AnyOf`]: see [`super::union`] for why not a Boolean union. A word that a coded value
//! is spelled with (a level, a result, a region's name, a family group) matches the hits
//! with that value too ([`super::tags`]).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, Score, Searcher, SegmentReader, TantivyDocument, Term};

use super::facets::{FacetCounter, FacetVocabulary, SegmentColumns};

use super::analysis::{Analysis, KazakhTokenizer, LONGEST_WORD, SNIPPET_ANALYZER, cyrillic_reading, words};
use super::fields::{IndexFields, register_search_analyzers};
use super::index::generation_path;
use super::read_only::ReadOnlyDirectory;
use super::tags::{level_result, tag, values_spelled_by, values_spelled_with};
use super::union::{AnyOf, NameTypos};
use super::{SearchError, SearchResult};
use crate::discipline::Taxonomy;
use crate::store::{RegistryVersion, Store};

/// The most hits one search returns.
pub const MAX_LIMIT: usize = 1000;

/// The length of a text snippet, in characters (tantivy's default).
const SNIPPET_CHARS: usize = 150;

/// The most words one query may have.
pub const MAX_WORDS: usize = 64;

/// Words that carry no meaning for search, in the three languages.
const STOP_WORDS: &[&str] = &[
    "и", "в", "во", "на", "по", "из", "для", "с", "со", "о", "об", "от", "к", "у", "а", "the", "of", "in", "and",
    "for", "at", "on", "a", "an", "to", "және", "мен", "бен", "пен", "үшін",
];

/// How hits are ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    #[default]
    Relevance,
    /// A child's best achievement (a teacher's item-15 score), then relevance.
    BestAchievement,
}

/// One search. Filter values are canonical codes (see the `parse_*` helpers of the CLI);
/// several values of one filter mean any of them, different filters all of them.
#[derive(Clone, Debug, Default)]
pub struct SearchRequest {
    pub query: String,
    pub teachers: bool,
    pub regions: Vec<String>,
    pub districts: Vec<String>,
    pub area_types: Vec<String>,
    /// `rural`, `large_family`, `low_income`.
    pub groups: Vec<String>,
    pub domains: Vec<String>,
    /// Discipline codes.
    pub disciplines: Vec<String>,
    pub levels: Vec<String>,
    pub results: Vec<String>,
    pub grades: Vec<u8>,
    pub statuses: Vec<String>,
    pub sort: SortOrder,
    pub limit: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HitKind {
    Child,
    Teacher,
}

/// One hit.
#[derive(Clone, Debug, Serialize)]
pub struct Hit {
    pub kind: HitKind,
    /// The `child_key` of a child, the `teacher_id` of a teacher.
    pub key: String,
    pub score: f32,
    /// A child's best achievement rank, a teacher's item-15 score.
    pub best: u64,
    pub name: String,
    /// The name and the best text fragment, matched words between `highlight` marks.
    pub name_highlighted: String,
    pub snippet: String,
    pub fields: serde_json::Value,
}

/// Facet counts: per facet (`region`, `area`, …) the values and their hit counts.
pub type Facets = BTreeMap<&'static str, Vec<(String, u64)>>;

#[derive(Clone, Debug, Serialize)]
pub struct SearchResults {
    pub registry_version: u64,
    pub index_generation: u64,
    pub total: usize,
    pub hits: Vec<Hit>,
    pub facets: Facets,
}

/// An opened index generation, ready for many searches.
pub struct SearchIndex {
    index: Index,
    /// The index as opened: a generation never changes once published.
    searcher: Searcher,
    /// Per segment of `searcher`, in its order, the fast-field columns a search reads.
    columns: std::sync::Arc<Vec<(tantivy::index::SegmentId, SegmentColumns)>>,
    vocabulary: FacetVocabulary,
    fields: IndexFields,
    registry_version: u64,
    generation: u64,
}

/// What [`SearchIndex::ranked`] finds: the top hits with their best achievement and score,
/// the facet counts, and how many documents match.
type Ranked = (Vec<((u64, Score), DocAddress)>, Vec<u64>, usize);

impl SearchIndex {
    /// Opens the generation `version` pins.
    pub fn open(store: &Store, version: &RegistryVersion) -> SearchResult<SearchIndex> {
        let generation = version.index_generation.ok_or(SearchError::NoIndex { version: version.version })?;
        let path = generation_path(store, generation);
        let bad = |reason: String| SearchError::BadIndex { path: path.clone(), reason };
        let meta = super::index::read_meta(&path);
        if let Some(meta) = &meta
            && !(super::index::OLDEST_READABLE_FORMAT..=super::index::INDEX_FORMAT).contains(&meta.format)
        {
            return Err(bad(format!(
                "it was built by another daryn (index format {}, this daryn reads formats {} to {}); `daryn \
                 reindex` builds one this daryn reads, and so does the next ingest that publishes",
                meta.format,
                super::index::OLDEST_READABLE_FORMAT,
                super::index::INDEX_FORMAT
            )));
        }
        let damaged = |error: tantivy::TantivyError| {
            if denied(&error) {
                return bad(format!(
                    "{error}: this account may not read it; an index built before daryn made it readable to \
                     others becomes so when the registry's owner runs `daryn reindex --registry {}` or the next ingest",
                    store.root().display()
                ));
            }
            bad(format!(
                "{error}; `daryn reindex --registry {}` builds the current version's index anew",
                store.root().display()
            ))
        };
        let directory = ReadOnlyDirectory::open(&path).map_err(damaged)?;
        let index = Index::open(directory).map_err(damaged)?;
        let mut opened = SearchIndex::from_index(index, version.version, generation).map_err(damaged)?;
        if let Some(meta) = meta.filter(|meta| !meta.facets.is_empty()) {
            opened.vocabulary = FacetVocabulary::from_values(meta.facets);
        }
        Ok(opened)
    }

    /// Wraps an opened tantivy index (a generation folder, or one in memory for tests).
    pub fn from_index(mut index: Index, registry_version: u64, generation: u64) -> tantivy::Result<SearchIndex> {
        register_search_analyzers(&index);
        // A generation's segments are searched in parallel (see `index::SEARCH_SEGMENTS`).
        index.set_multithread_executor(super::index::SEARCH_SEGMENTS)?;
        let fields = IndexFields::of(&index.schema())?;
        let reader: IndexReader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let searcher = reader.searcher();
        let columns = searcher
            .segment_readers()
            .iter()
            .map(|segment| Ok((segment.segment_id(), SegmentColumns::open(segment)?)))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(SearchIndex {
            index,
            searcher,
            columns: std::sync::Arc::new(columns),
            vocabulary: FacetVocabulary::builtin().clone(),
            fields,
            registry_version,
            generation,
        })
    }

    /// The files of the generation's segments whose checksum fails (changed or cut
    /// short since they were written); every byte of every file is read. The files are
    /// the ones `meta.json` names, not those `.managed.json` lists (tantivy's own
    /// `validate_checksum`), which a lost `.managed.json` would leave empty.
    pub fn damaged_files(&self) -> tantivy::Result<Vec<std::path::PathBuf>> {
        use tantivy::directory::Directory as _;
        let directory = self.index.directory();
        let mut damaged = Vec::new();
        // Some of the names are of components a segment may lack (its deletes); a file a
        // segment needs and lacks failed the opening already.
        for file in self.index.load_metas()?.list_segment_files() {
            if directory.exists(&file)? && !directory.validate_checksum(&file)? {
                damaged.push(file);
            }
        }
        damaged.sort();
        Ok(damaged)
    }

    pub fn searcher(&self) -> Searcher {
        self.searcher.clone()
    }

    /// The registry version its last commit was built for (the commit payload).
    pub fn payload(&self) -> Option<String> {
        self.index.load_metas().ok()?.payload
    }

    pub fn search(&self, request: &SearchRequest) -> SearchResult<SearchResults> {
        if request.limit == 0 || request.limit > MAX_LIMIT {
            return Err(SearchError::BadParameter {
                parameter: "limit",
                reason: format!("{} is not between 1 and {MAX_LIMIT}", request.limit),
            });
        }
        let words_typed = words(&request.query).count();
        // Typed, but nothing to look for (`*`, an emoji): everything would be listed, as
        // for an empty query, which is not what was asked.
        if words_typed == 0 && !request.query.trim().is_empty() {
            return Err(SearchError::BadParameter {
                parameter: "query",
                reason: format!(
                    "`{}` has no letter or digit to look for; an empty query lists everything the filters let through",
                    request.query.trim()
                ),
            });
        }
        // Words, but none searched: stop words alone (`и в на`), or signs that analyse to
        // nothing (`ъ`). Everything would be listed, as for an empty query.
        let mut text = KazakhTokenizer::new(Analysis::Text);
        if words_typed > 0 && !typed_words(&request.query).iter().any(|word| text.key(word).is_some()) {
            return Err(SearchError::BadParameter {
                parameter: "query",
                reason: format!(
                    "`{}` has no word to look for (stop words such as `и`, `в`, `of`, and words that read as \
                     one, such as `ии` or `ы`, are not searched); an empty query lists everything the filters \
                     let through",
                    request.query.trim()
                ),
            });
        }
        if words_typed > MAX_WORDS {
            return Err(SearchError::BadParameter {
                parameter: "query",
                reason: format!("{words_typed} words; a search takes at most {MAX_WORDS}"),
            });
        }
        // A teacher's document has none of a child's own values: such a filter would
        // silently find no teacher.
        if request.teachers {
            let child_only = [
                ("--district", request.districts.is_empty()),
                ("--area-type", request.area_types.is_empty()),
                ("--domain", request.domains.is_empty()),
                ("--grade", request.grades.is_empty()),
                ("--status", request.statuses.is_empty()),
            ];
            if let Some((parameter, _)) = child_only.iter().find(|(_, empty)| !empty) {
                return Err(SearchError::BadParameter {
                    parameter,
                    reason: "filters children only; with `--teachers`, filter by region, group, discipline, level \
                             or result"
                        .to_owned(),
                });
            }
        }
        // The index holds no longer word, and the typo automata of a long one grow with
        // its length (50,000 letters took 3 GB).
        if let Some((_, word)) = words(&request.query).find(|(_, word)| word.len() > LONGEST_WORD) {
            return Err(SearchError::BadParameter {
                parameter: "query",
                reason: format!(
                    "a word of {} letters; the index holds words of up to {LONGEST_WORD} bytes \
                     ({LONGEST_WORD} Latin or {} Cyrillic letters)",
                    word.chars().count(),
                    LONGEST_WORD / 2
                ),
            });
        }
        let (mut query, _) = self.build_query(request, false);
        let mut found = self.ranked(&query, request)?;
        // Nothing found, and the last word may be a name still being typed: the names
        // that begin with it (`Айгер` finds `Айгерім`). Only then, so a word that is a
        // whole name finds that name and not every name it begins; and only when the
        // last word is such a word, so that no query is run twice as it is.
        if found.2 == 0
            && let (beginning, true) = self.build_query(request, true)
        {
            query = beginning;
            found = self.ranked(&query, request)?;
        }
        let (ranked, facet_counts, total) = found;
        let searcher = &self.searcher;
        let text_snippets = self.text_snippets(&query);
        let name_snippets = SnippetGenerator::create(searcher, &query, self.fields.name);
        let mut hits = Vec::with_capacity(ranked.len());
        for ((best, score), address) in ranked {
            let document: TantivyDocument = searcher.doc(address).map_err(|error| self.failed(error))?;
            let text = |field| document.get_first(field).and_then(|value| value.as_str()).unwrap_or("").to_owned();
            let kind = if text(self.fields.kind) == "teacher" { HitKind::Teacher } else { HitKind::Child };
            let mut snippet = match &text_snippets {
                Ok(generator) => generator.snippet_from_doc(&document),
                Err(_) => tantivy::snippet::Snippet::empty(),
            };
            snippet.set_snippet_prefix_postfix("<b>", "</b>");
            let name = text(self.fields.name);
            let name_highlighted = match &name_snippets {
                Ok(generator) => {
                    let mut marked = generator.snippet(&name);
                    marked.set_snippet_prefix_postfix("<b>", "</b>");
                    if marked.is_empty() { name.clone() } else { marked.to_html() }
                }
                Err(_) => name.clone(),
            };
            hits.push(Hit {
                kind,
                key: text(self.fields.key),
                score,
                best,
                name,
                name_highlighted,
                snippet: snippet.to_html(),
                fields: serde_json::from_str(&text(self.fields.fields)).unwrap_or(serde_json::Value::Null),
            });
        }
        let facets = self.vocabulary.decode(&facet_counts);
        Ok(SearchResults {
            registry_version: self.registry_version,
            index_generation: self.generation,
            total,
            hits,
            facets,
        })
    }

    /// The top hits of `query` in the order `request` asks for (with each one's best
    /// achievement and score), the facet counts and how many documents match.
    fn ranked(&self, query: &BooleanQuery, request: &SearchRequest) -> SearchResult<Ranked> {
        let searcher = &self.searcher;
        let facet_collector = FacetCounter { segments: self.columns.clone() };
        let (ranked, (facet_counts, total)): (Vec<((u64, Score), DocAddress)>, _) = match request.sort {
            SortOrder::Relevance => {
                let (top, rest) = searcher
                    .search(query, &(TopDocs::with_limit(request.limit).order_by_score(), (facet_collector, Count)))
                    .map_err(|error| self.failed(error))?;
                let best = self.best_values(&top);
                (top.into_iter().zip(best).map(|((score, address), best)| ((best, score), address)).collect(), rest)
            }
            SortOrder::BestAchievement => {
                let columns = self.columns.clone();
                let by_best = TopDocs::with_limit(request.limit).tweak_score(move |segment: &SegmentReader| {
                    let best = columns
                        .iter()
                        .find(|(id, _)| *id == segment.segment_id())
                        .map(|(_, columns)| columns.best.clone());
                    move |doc, score: Score| (best.as_ref().map(|column| column.get_val(doc)).unwrap_or(0), score)
                });
                searcher.search(query, &(by_best, (facet_collector, Count))).map_err(|error| self.failed(error))?
            }
        };
        Ok((ranked, facet_counts, total))
    }

    /// Snippets of the stored `text`, marking the words the query looks up in `words`
    /// (the text without people's names, and more) and the names it looks up in
    /// `people` (the names the text has).
    fn text_snippets(&self, query: &dyn Query) -> tantivy::Result<SnippetGenerator> {
        let mut terms = Vec::new();
        query.query_terms(&mut |term, _| {
            if term.field() == self.fields.words || term.field() == self.fields.people {
                terms.push(term.clone());
            }
        });
        let mut weighted = BTreeMap::new();
        for term in terms {
            let doc_freq = self.searcher.doc_freq(&term)?;
            if let (Some(word), true) = (term.value().as_str(), doc_freq > 0) {
                weighted.insert(word.to_owned(), 1.0 / (1.0 + doc_freq as Score));
            }
        }
        let analyzer = self.index.tokenizers().get(SNIPPET_ANALYZER).ok_or_else(|| {
            tantivy::TantivyError::InvalidArgument(format!("no analyzer {SNIPPET_ANALYZER} is registered"))
        })?;
        Ok(SnippetGenerator::new(weighted, analyzer, self.fields.text, SNIPPET_CHARS))
    }

    fn failed(&self, error: tantivy::TantivyError) -> SearchError {
        SearchError::Index {
            path: std::path::PathBuf::from(format!("generation {}", self.generation)),
            reason: error.to_string(),
        }
    }

    fn best_values(&self, top: &[(Score, DocAddress)]) -> Vec<u64> {
        top.iter()
            .map(|(_, address)| {
                self.columns
                    .get(address.segment_ord as usize)
                    .map(|(_, columns)| columns.best.get_val(address.doc_id))
                    .unwrap_or(0)
            })
            .collect()
    }

    /// The query of `request`; with `beginnings`, the last word, when still being typed,
    /// also finds the names it begins (see [`word_query`]), and the flag says whether it
    /// did.
    fn build_query(&self, request: &SearchRequest, beginnings: bool) -> (BooleanQuery, bool) {
        let fields = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let kind = if request.teachers { "teacher" } else { "child" };
        clauses.push((Occur::Must, tag_filter(fields, "kind", &[kind.to_owned()])));
        let filters: [(&str, Vec<String>); 9] = [
            ("region", request.regions.clone()),
            ("district", request.districts.clone()),
            ("area", request.area_types.clone()),
            ("group", request.groups.clone()),
            ("domain", request.domains.clone()),
            ("discipline", request.disciplines.clone()),
            ("result", request.results.clone()),
            ("grade", request.grades.iter().map(u8::to_string).collect()),
            ("status", request.statuses.clone()),
        ];
        for (facet_name, values) in filters.iter().filter(|(_, values)| !values.is_empty()) {
            clauses.push((Occur::Must, tag_filter(fields, facet_name, values)));
        }
        if !request.levels.is_empty() {
            // With one result filter too, both must hold for the same achievement.
            let terms: Vec<String> = match request.results.as_slice() {
                [result] => request.levels.iter().map(|level| level_result(level, result)).collect(),
                _ => request.levels.iter().map(|level| tag("level", level)).collect(),
            };
            clauses.push((Occur::Must, any_tag(fields, &terms)));
        }
        let (groups, began) = word_groups(fields, &request.query, beginnings);
        if groups.is_empty() {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        clauses.extend(groups.into_iter().map(|group| (Occur::Must, group)));
        (BooleanQuery::new(clauses), began)
    }
}

fn tag_filter(fields: IndexFields, name: &str, values: &[String]) -> Box<dyn Query> {
    any_tag(fields, &values.iter().map(|value| tag(name, value)).collect::<Vec<_>>())
}

/// A filter that scores nothing: any of these tags.
fn any_tag(fields: IndexFields, tags: &[String]) -> Box<dyn Query> {
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
    let mut options = said_options(fields, text_keys, besides);
    if options.len() == 1 { options.swap_remove(0) } else { Box::new(AnyOf(options)) }
}

/// The options of [`said`], one by one.
fn said_options(fields: IndexFields, text_keys: &[String], besides: &[String]) -> Vec<Box<dyn Query>> {
    let mut options: Vec<Box<dyn Query>> = text_keys.iter().map(|key| term(fields.words, key, 1.0)).collect();
    let mut spelled: Vec<&String> = Vec::new();
    for tag in text_keys.iter().flat_map(|key| values_spelled_with(key)) {
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
/// matches too (`Айгер` finds `Айгерім`), within the same typos.
fn word_query(fields: IndexFields, text_keys: &[String], name_key: &str, typing: bool) -> Box<dyn Query> {
    let mut options: Vec<Box<dyn Query>> = vec![term(fields.name, name_key, 3.0), term(fields.people, name_key, 1.0)];
    options.extend(said_options(fields, text_keys, &[]));
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
fn word_groups(fields: IndexFields, query: &str, beginnings: bool) -> (Vec<Box<dyn Query>>, bool) {
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
            groups.push(word_query(fields, &keys, &name_key, typing));
        }
        start += 1;
    }
    (groups, began)
}

/// The words of a query that are searched: all but the stop words, and the words that
/// read as one of them.
fn typed_words(query: &str) -> Vec<&str> {
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
fn is_stop_word(word: &str, text: &mut KazakhTokenizer, name: &mut KazakhTokenizer) -> bool {
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
fn searched_keys(text: &mut KazakhTokenizer, word: &str) -> Option<Vec<String>> {
    let keys = text_keys(text, word);
    (!keys.is_empty()).then(|| keys.into_iter().filter(|key| !stop_keys().contains(key)).collect())
}

/// The discipline a run of typed words names, by spelling or by analysed key.
fn discipline_code(window: &str, text: &mut KazakhTokenizer) -> Option<&'static str> {
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

/// Whether opening an index failed for want of permission to read a file of it.
fn denied(error: &tantivy::TantivyError) -> bool {
    use tantivy::TantivyError;
    use tantivy::directory::error::{OpenDirectoryError, OpenReadError};
    let io_error = match error {
        TantivyError::OpenReadError(OpenReadError::IoError { io_error, .. }) => io_error.as_ref(),
        TantivyError::OpenDirectoryError(OpenDirectoryError::IoError { io_error, .. }) => io_error.as_ref(),
        TantivyError::IoError(io_error) => io_error.as_ref(),
        _ => return false,
    };
    io_error.kind() == std::io::ErrorKind::PermissionDenied
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::facets::FacetBits;
    use crate::search::fields::register_analyzers;
    use crate::search::tags::TagSet;
    use tantivy::doc;

    /// Three children, written as the document builder would, in a RAM index.
    fn tiny_index() -> SearchIndex {
        let index = Index::create_in_ram(IndexFields::schema());
        register_analyzers(&index);
        let fields = IndexFields::of(&index.schema()).unwrap();
        let mut writer: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
        let children = [
            ("a", "Сейітов Қайрат", "Шахмат пәнінен облыстық олимпиада (2025): облыстық, жеңімпаз", "chess", "35", 33),
            ("b", "Иванова Жанна", "Олимпиада по физике (2024): республиканский, призёр", "physics", "71", 42),
            ("c", "Нұрланов Ерлан", "Домбыра үйірмесі\nРобототехника курсы", "dombra", "35", 0),
        ];
        for (key, name, text, discipline, region, best) in children {
            let mut tags = TagSet::default();
            tags.add("kind", "child");
            tags.add("region", region);
            assert!(tags.discipline(discipline));
            match key {
                "a" => tags.achievement(Some("chess"), "regional", "winner"),
                "b" => tags.achievement(Some("physics"), "republican", "prize_winner"),
                _ => true,
            };
            // `words` leaves the level and result after the colon to the tags.
            let words = text.split(':').next().unwrap();
            let mut document = doc!(
                fields.kind => "child", fields.key => key, fields.name => name, fields.text => text,
                fields.words => words, fields.best => best as u64, fields.fields => "{}",
            );
            for term in tags.into_terms() {
                document.add_text(fields.tags, term);
            }
            if key == "c" {
                // A mentor: searched in `people`, shown in the stored text only.
                document.add_text(fields.people, "Ахметова Сәуле");
                document.add_text(fields.text, "Тәлімгер / наставник: Ахметова Сәуле");
            }
            let mut bits = FacetBits::default();
            bits.set("region", region);
            bits.set("discipline", discipline);
            bits.add_to(&fields, &mut document);
            writer.add_document(document).unwrap();
        }
        writer.commit().unwrap();
        SearchIndex::from_index(index, 1, 1).unwrap()
    }

    fn keys(index: &SearchIndex, query: &str, adjust: impl Fn(&mut SearchRequest)) -> Vec<String> {
        let mut request = SearchRequest { query: query.to_owned(), limit: 10, ..SearchRequest::default() };
        adjust(&mut request);
        index.search(&request).unwrap().hits.into_iter().map(|hit| hit.key).collect()
    }

    #[test]
    fn names_match_across_scripts_and_typos_and_words_must_all_match() {
        let index = tiny_index();
        assert_eq!(keys(&index, "Qairat", |_| {}), ["a"]);
        assert_eq!(keys(&index, "Kairat Seiitov", |_| {}), ["a"]);
        assert_eq!(keys(&index, "Zhanna", |_| {}), ["b"]);
        assert_eq!(keys(&index, "Нурланов", |_| {}), ["c"]);
        assert_eq!(keys(&index, "Иавнова", |_| {}), ["b"], "one transposition");
        assert!(keys(&index, "Qairat Zhanna", |_| {}).is_empty());
    }

    #[test]
    fn the_word_being_typed_finds_the_names_it_begins() {
        let index = tiny_index();
        for (query, expected) in [("Qair", "a"), ("Кайр", "a"), ("Иван", "b"), ("Zhan", "b"), ("Сейітов Қай", "a")]
        {
            assert_eq!(keys(&index, query, |_| {}), [expected], "{query}");
        }
        // With a typo in what is typed so far (one in four letters or more).
        assert_eq!(keys(&index, "Ivna", |_| {}), ["b"]);
        // A finished word (a space or a stop after it) is a whole name, as before; so is
        // any word but the last, and two letters begin nothing.
        for query in ["Qair ", "Qair.", "Qair и", "Qair Seiitov", "Қа"] {
            assert!(keys(&index, query, |_| {}).is_empty(), "{query}");
        }
        // Beginnings are looked for only when nothing is found without them: a word that
        // is a whole name finds that name, not every name it begins.
        let index = school_index(&[("nur", "Сейітов Нұр", "physics"), ("nursultan", "Сейітов Нұрсұлтан", "physics")]);
        assert_eq!(keys(&index, "Нұр", |_| {}), ["nur"]);
        assert_eq!(keys(&index, "Нұрсұл", |_| {}), ["nursultan"]);
        assert_eq!(keys(&index, "Nur Seiit", |_| {}), ["nur"], "Nur is a whole name, and Seiit begins Seiitov");
        // A beginning as typed ranks above a beginning within a typo.
        let index = school_index(&[("karina", "Әлиева Карина", "physics"), ("kairat", "Әлиев Қайрат", "physics")]);
        assert_eq!(keys(&index, "Qair", |_| {}), ["kairat", "karina"]);
    }

    #[test]
    fn disciplines_meet_across_languages_and_inflections() {
        let index = tiny_index();
        assert_eq!(keys(&index, "chess", |_| {}), ["a"]);
        assert_eq!(keys(&index, "шахматы", |_| {}), ["a"]);
        assert_eq!(keys(&index, "физикой", |_| {}), ["b"]);
        assert_eq!(keys(&index, "олимпиадасында жеңімпазы", |_| {}), ["a"]);
        assert_eq!(keys(&index, "домбра", |_| {}), ["c"]);
    }

    #[test]
    fn words_typed_in_latin_letters_meet_their_cyrillic_inflections() {
        let index = tiny_index();
        // `олимпиада` is in the text of two children; typed in Latin, as is or inflected.
        for query in ["olimpiada", "Olimpiadasynda", "olimpiady"] {
            let mut found = keys(&index, query, |_| {});
            found.sort();
            assert_eq!(found, ["a", "b"], "{query}");
        }
        // Disciplines inflected in Kazakh; 2021 Latin letters; names fold alike as before.
        for (query, expected) in
            [("shakhmattan", "a"), ("fizikadan", "b"), ("dombyra üiırmesı", "c"), ("olimpiada Qairat", "a")]
        {
            assert_eq!(keys(&index, query, |_| {}), [expected], "{query}");
        }
        assert!(keys(&index, "olimpiada Nurlanov", |_| {}).is_empty(), "every word must still match");
    }

    #[test]
    fn a_discipline_typed_in_latin_finds_its_word_in_the_text_too() {
        let index = tiny_index();
        // Robotics is nobody's discipline here, but child c's text has a robotics course:
        // the discipline's word is looked up in the text, by its Cyrillic reading too.
        for (query, expected) in [
            ("робототехника", "c"),
            ("robototekhnika", "c"),
            ("Robototekhnikasy", "c"),
            ("shakhmat pänınen olimpiada", "a"),
        ] {
            assert_eq!(keys(&index, query, |_| {}), [expected], "{query}");
        }
        assert!(keys(&index, "robototekhnika olimpiadasy", |_| {}).is_empty());
    }

    #[test]
    fn coded_values_are_found_by_any_spelling() {
        let index = tiny_index();
        let region = crate::kato::RegionCode::parse("71").unwrap().region();
        let karagandy = crate::kato::RegionCode::parse("35").unwrap().region();
        for lang in crate::lang::Lang::ALL {
            assert_eq!(keys(&index, region.name(lang), |_| {}), ["b"], "{}", region.name(lang));
            // Full names: "Астана қаласы", "г. Астана", "Astana city"; "Қарағанды облысы",
            // "Карагандинская область", "Karagandy Region" (children a and c).
            assert_eq!(keys(&index, &region.full_name(lang), |_| {}), ["b"], "{}", region.full_name(lang));
            let mut found = keys(&index, &karagandy.full_name(lang), |_| {});
            found.sort();
            assert_eq!(found, ["a", "c"], "{}", karagandy.full_name(lang));
        }
        // A full name is its region alone: child a's text says `облыстық`, and b is in
        // no oblast; `Шахмат Қарағанды облысы` is a's chess and a's region.
        assert_eq!(keys(&index, "Шахмат Қарағанды облысы", |_| {}), ["a"]);
        assert!(keys(&index, "Астана облысы", |_| {}).is_empty(), "Astana is a city, not an oblast");
        // Only in `tags`: `words` says neither, the stored text `республиканский` and `призёр`.
        assert_eq!(keys(&index, "республикалық", |_| {}), ["b"]);
        assert_eq!(keys(&index, "prize winner", |_| {}), ["b"]);
        // `winner` alone is a win: b's prize is not one.
        assert!(keys(&index, "winner", |_| {}).iter().all(|key| key != "b"));
        assert_eq!(keys(&index, "жүлдегер Zhanna", |_| {}), ["b"]);
        assert!(keys(&index, "халықаралық", |_| {}).is_empty());
        assert!(keys(&index, "жүлдегер Qairat", |_| {}).is_empty());
    }

    /// A discipline typed (`күрес`) that is also a word of another discipline's spelling
    /// (`қазақ күресі`) finds the children of both, as when every spelling was indexed.
    #[test]
    fn a_discipline_typed_finds_the_disciplines_spelled_with_its_word_too() {
        let mut text = KazakhTokenizer::new(Analysis::Text);
        let taxonomy = Taxonomy::builtin();
        let mut found = None;
        'search: for discipline in taxonomy.all() {
            for spelling in discipline.spellings().filter(|spelling| !spelling.contains(' ')) {
                if discipline_code(spelling, &mut text) != Some(discipline.code.as_str()) {
                    continue;
                }
                let Some(key) = text.key(spelling) else { continue };
                for other in taxonomy.all().iter().filter(|other| other.code != discipline.code) {
                    for spelled in other.spellings() {
                        let keys = text.keys(spelled);
                        if keys.len() > 1 && keys.contains(&key) {
                            found = Some((spelling.to_owned(), other.code.clone()));
                            break 'search;
                        }
                    }
                }
            }
        }
        let (word, other) = found.expect("the taxonomy has a word that two disciplines are spelled with");
        let index = school_index(&[("own", "Әлиев Нұр", other.as_str()), ("none", "Әлиев Нұр", "physics")]);
        assert_eq!(keys(&index, &word, |_| {}), ["own"], "`{word}` and {other}");
    }

    /// Children of one school (key, name, discipline), said nothing else of.
    fn school_index(children: &[(&str, &str, &str)]) -> SearchIndex {
        let index = Index::create_in_ram(IndexFields::schema());
        register_analyzers(&index);
        let fields = IndexFields::of(&index.schema()).unwrap();
        let mut writer: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
        for (key, name, discipline) in children {
            let mut tags = TagSet::default();
            tags.add("kind", "child");
            assert!(tags.discipline(discipline));
            let mut document = doc!(fields.kind => "child", fields.key => *key, fields.name => *name,
                fields.words => "мектеп", fields.best => 0u64, fields.fields => "{}");
            for term in tags.into_terms() {
                document.add_text(fields.tags, term);
            }
            writer.add_document(document).unwrap();
        }
        writer.commit().unwrap();
        SearchIndex::from_index(index, 1, 1).unwrap()
    }

    #[test]
    fn a_name_that_spells_a_discipline_still_finds_the_name() {
        let mut text = KazakhTokenizer::new(Analysis::Text);
        let taken: Vec<&str> = ["Анна", "Anna", "Adil", "Әділ"]
            .into_iter()
            .filter(|name| discipline_code(name, &mut text).is_some())
            .collect();
        assert!(!taken.is_empty(), "none of the names reads as a discipline: the test shows nothing");
        let index = school_index(&[
            ("anna", "Серікова Анна", "physics"),
            ("adil", "Нұрланов Әділ", "physics"),
            ("other", "Әлиев Нұр", "physics"),
        ]);
        for (query, expected) in [
            ("Анна", "anna"),
            ("Anna Serikova", "anna"),
            ("Adil", "adil"),
            ("Adil Nurlanov", "adil"),
            ("Әділ Нұрланов", "adil"),
        ] {
            assert_eq!(keys(&index, query, |_| {}), [expected], "{query} (read as a discipline: {taken:?})");
        }
    }

    #[test]
    fn a_level_with_one_result_must_hold_for_the_same_achievement() {
        let index = tiny_index();
        let filter = |levels: &[&str], results: &[&str]| {
            keys(&index, "", |request| {
                request.levels = levels.iter().map(|level| level.to_string()).collect();
                request.results = results.iter().map(|result| result.to_string()).collect();
            })
        };
        assert_eq!(filter(&["regional"], &[]), ["a"]);
        assert_eq!(filter(&["republican"], &["prize_winner"]), ["b"]);
        assert!(filter(&["republican"], &["winner"]).is_empty(), "b's republican result is a prize");
        let mut both = filter(&["regional", "republican"], &["winner", "prize_winner"]);
        both.sort();
        assert_eq!(both, ["a", "b"]);
    }

    #[test]
    fn filters_facets_and_best_order() {
        let index = tiny_index();
        assert_eq!(keys(&index, "", |request| request.regions = vec!["71".to_owned()]), ["b"]);
        let mut request = SearchRequest { limit: 10, sort: SortOrder::BestAchievement, ..SearchRequest::default() };
        let results = index.search(&request).unwrap();
        assert_eq!(results.hits.iter().map(|hit| hit.key.as_str()).collect::<Vec<_>>(), ["b", "a", "c"]);
        assert_eq!(results.facets["region"], vec![("35".to_owned(), 2), ("71".to_owned(), 1)]);
        assert_eq!(results.facets["discipline"].len(), 3);
        assert!(results.facets["grade"].is_empty());
        request.limit = 0;
        assert!(matches!(index.search(&request), Err(SearchError::BadParameter { parameter: "limit", .. })));
        request.limit = 5;
        for typed in ["*", "\"", "💥🧒", "\u{200b}", "ъ", "и в на", "ии", "ы", "і і", "i", "аа ә", "өт нә"]
        {
            request.query = typed.to_owned();
            assert!(
                matches!(index.search(&request), Err(SearchError::BadParameter { parameter: "query", .. })),
                "{typed}"
            );
        }
        request.query = "слово ".repeat(MAX_WORDS + 1);
        assert!(matches!(index.search(&request), Err(SearchError::BadParameter { parameter: "query", .. })));
        let teachers_by_grade = SearchRequest { teachers: true, grades: vec![7], limit: 5, ..SearchRequest::default() };
        let error = index.search(&teachers_by_grade).unwrap_err().to_string();
        assert!(error.starts_with("`--grade`: filters children only"), "{error}");
        // 30 Cyrillic letters are 60 bytes, the longest word indexed; 31 are refused.
        request.query = format!("Шахмат {}", "ы".repeat(30));
        assert!(index.search(&request).is_ok());
        request.query = format!("Шахмат {}", "ы".repeat(31));
        let error = index.search(&request).unwrap_err().to_string();
        assert!(error.contains("`query`") && error.contains("a word of 31 letters"), "{error}");
    }

    /// Words that read as a Kazakh or Russian stop word are not searched; words whose
    /// stemmed key only, or only an English stop word's key, is shared are.
    #[test]
    fn words_read_as_stop_words() {
        let mut text = KazakhTokenizer::new(Analysis::Text);
        let mut name = KazakhTokenizer::new(Analysis::Name);
        // `и` for the first six (`ы`, `і`, `й` fold to `i`, doubled letters collapse),
        // `а`, `у`, `от`, `из`, `с`, `к` for the rest.
        for word in ["ии", "ы", "І", "й", "i", "ыы", "аа", "ә", "ұ", "ү", "өт", "із", "сс", "қ"] {
            assert!(is_stop_word(word, &mut text, &mut name), "{word}");
        }
        // `ән` (song), `он` (ten), `ат` share an English stop word's key; `Ия`, `Ая` and
        // `ай` are stemmed to `и` or `а` but are names (`ia`, `aia`, `ai`) unstemmed;
        // longer words keyed as `және`, `бен`, `мен` or `о` are names or words.
        for word in ["ән", "он", "ат", "үш", "Ия", "Ая", "ай", "Анна", "Ли", "олимпиада", "Jane", "Ben", "men", "ООО"]
        {
            assert!(!is_stop_word(word, &mut text, &mut name), "{word}");
        }
        assert_eq!(typed_words("Ия и ии олимпиада ы"), ["Ия", "олимпиада"]);
        // Searched, but not by a stop word's key in what is said of a hit: `Ия` is
        // stemmed to `и`, `Ая` and `ай` to `а`; they are looked for as names.
        for word in ["Ия", "Ая", "ай"] {
            assert_eq!(searched_keys(&mut text, word), Some(vec![]), "{word}");
        }
        assert_eq!(searched_keys(&mut text, "олимпиада").map(|keys| keys.is_empty()), Some(false));
        assert_eq!(searched_keys(&mut text, "ъ"), None);
    }

    #[test]
    fn snippets_mark_the_matched_words() {
        let index = tiny_index();
        let request =
            SearchRequest { query: "олимпиада Qairat".to_owned(), limit: 10, ..SearchRequest::default() };
        let hit = &index.search(&request).unwrap().hits[0];
        assert!(hit.snippet.contains("<b>олимпиада</b>"), "{}", hit.snippet);
        assert!(hit.name_highlighted.contains("<b>Қайрат</b>"), "{}", hit.name_highlighted);
        // A mentor found in `people` is marked in the text, typed in passport Latin.
        let request = SearchRequest { query: "Akhmetova".to_owned(), limit: 10, ..SearchRequest::default() };
        let results = index.search(&request).unwrap();
        assert_eq!(results.hits.iter().map(|hit| hit.key.as_str()).collect::<Vec<_>>(), ["c"]);
        assert!(results.hits[0].snippet.contains("<b>Ахметова</b> Сәуле"), "{}", results.hits[0].snippet);
        // And within a typo, as a name is: `Ахметва` and `Akhmetva` lack one letter.
        for typo in ["Ахметва", "Akhmetva"] {
            let request = SearchRequest { query: typo.to_owned(), limit: 10, ..SearchRequest::default() };
            let found: Vec<String> = index.search(&request).unwrap().hits.into_iter().map(|hit| hit.key).collect();
            assert_eq!(found, ["c"], "{typo}");
        }
    }

    #[test]
    fn disciplines_are_found_in_three_languages_and_inflected() {
        let mut text = KazakhTokenizer::new(Analysis::Text);
        let chess = discipline_code("chess", &mut text);
        assert!(chess.is_some());
        assert_eq!(discipline_code("шахматы", &mut text), chess);
        assert_eq!(discipline_code("шахмат", &mut text), chess);
        let maths = discipline_code("math", &mut text);
        assert!(maths.is_some());
        assert_eq!(discipline_code("математика", &mut text), maths);
        assert_eq!(discipline_code("математикадан", &mut text), maths);
        assert_eq!(discipline_code("Matematika", &mut text), maths);
        assert_eq!(discipline_code("республиканская", &mut text), None);
    }

    /// What anyone may type: letters of both scripts and their look-alikes, combining
    /// marks, punctuation the query language might read, digits, emoji, other scripts,
    /// long runs. Thousands of such queries, drawn from a fixed seed, each with a filter
    /// or a sort, must answer within the limit and never panic.
    #[test]
    fn odd_queries_answer_and_never_panic() {
        let pieces = [
            "а",
            "ә",
            "Ә",
            "ғ",
            "қ",
            "Қ",
            "ң",
            "ө",
            "ұ",
            "ү",
            "һ",
            "і",
            "І",
            "ё",
            "й",
            "ъ",
            "ь",
            "щ",
            "Ш",
            "о",
            "a",
            "q",
            "Q",
            "y",
            "i",
            "ı",
            "İ",
            "ş",
            "ç",
            "ğ",
            "ä",
            "ö",
            "ü",
            "ñ",
            "sh",
            "shch",
            "kh",
            "zh",
            "ts",
            "ye",
            "ch",
            "yu",
            "ya",
            "w",
            "x",
            "\u{301}",
            "\u{200d}",
            "\u{fe0f}",
            "\u{202e}",
            "\u{feff}",
            "\u{0}",
            "👩‍🎓",
            "🇰🇿",
            "中",
            "ΐ",
            "ﬁ",
            "ß",
            "0",
            "7",
            "2025",
            "-",
            "--",
            "+",
            "*",
            "?",
            "~",
            "^",
            ":",
            ";",
            ",",
            ".",
            "«",
            "»",
            "\"",
            "'",
            "(",
            ")",
            "[",
            "]",
            "{",
            "}",
            "/",
            "\\",
            "&",
            "|",
            "!",
            "#",
            "@",
            " ",
            "  ",
            "\t",
            "\n",
            "шахмат",
            "олимпиада",
            "Qairat",
            "AND",
            "OR",
            "NOT",
            "kind/child",
            "region/35",
            "level:",
            "ан",
        ];
        let index = tiny_index();
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |bound: usize| {
            // xorshift64*: a fixed sequence, so a failure repeats.
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % bound
        };
        for round in 0..3_000 {
            let length = next(12);
            let mut query: String = (0..length).map(|_| pieces[next(pieces.len())]).collect();
            if round % 50 == 0 {
                query = query.repeat(40);
            }
            let mut request = SearchRequest { query: query.clone(), limit: 1 + next(5), ..SearchRequest::default() };
            match round % 6 {
                1 => request.teachers = true,
                2 => request.sort = SortOrder::BestAchievement,
                3 => request.regions = vec!["35".to_owned()],
                4 => request.disciplines = vec!["chess".to_owned(), "physics".to_owned()],
                5 => request.grades = vec![9],
                _ => {}
            }
            match index.search(&request) {
                Ok(found) => assert!(found.hits.len() <= request.limit, "{query:?}"),
                // Refused input names the parameter (too many words, here).
                Err(error) => assert!(error.to_string().starts_with("`query`"), "{query:?}: {error}"),
            }
        }
    }
}
