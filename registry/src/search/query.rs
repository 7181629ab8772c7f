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
use super::tags::{level_result, tag, values_spelled_as, values_spelled_by, values_spelled_with};
use super::union::{AnyOf, NameTypos};
use super::{SearchError, SearchResult};
use crate::discipline::Taxonomy;
use crate::store::{RegistryVersion, Store};

mod words;

use words::*;

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
                    "{}: this account may not read it; an index built before daryn made it readable to \
                     others becomes so when the registry's owner runs `daryn reindex --registry {}` or the next ingest",
                    super::read_only::described(&error),
                    store.root().display()
                ));
            }
            bad(format!(
                "{}; `daryn reindex --registry {}` builds the current version's index anew",
                super::read_only::described(&error),
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

    /// Whether a name key is the name (first, last or patronymic) of some child or
    /// teacher: a look-up in each segment's term dictionary.
    fn names_someone(&self, name_key: &str) -> bool {
        let term = Term::from_field_text(self.fields.name, name_key);
        self.searcher.doc_freq(&term).is_ok_and(|count| count > 0)
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
        let (groups, began) = word_groups(fields, &request.query, beginnings, &|name_key| self.names_someone(name_key));
        if groups.is_empty() {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        clauses.extend(groups.into_iter().map(|group| (Occur::Must, group)));
        (BooleanQuery::new(clauses), began)
    }
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
mod tests;
