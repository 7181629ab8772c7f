//! The index schema: one document per current child and one per teacher.
//!
//! | field | analysis | stored | what |
//! |---|---|---|---|
//! | `kind` | none | yes | `child` or `teacher` (searched as the tag `kind/…`) |
//! | `key` | none | yes | the child's `child_key`, or the `teacher_id` |
//! | `name` | name | yes | last, first and patronymic name |
//! | `people` | name | no | a child's mentors; a teacher's pupils |
//! | `text` | none | yes | school, locality, interests, achievements, measures, mentors (a teacher's: school, pupils' achievements): what snippets show |
//! | `words` | text | no | `text` without people's names and without achievements' levels and results (which are tags), plus a discipline kept as written |
//! | `tags` | raw | no | the coded values, one term each: `kind/child`, `region/35`, `discipline/chess`, `level/republican/winner`, … (see [`super::tags`]) |
//! | `facet_bits_0`…`_2` | u64 fast | no | the values the results' facets count, one bit each (see [`super::facets`]) |
//! | `best` | u64 fast | no | a child's best achievement (level × 10 + result); a teacher's item-15 score; sorted by, never searched |
//! | `fields` | none | yes | the hit's fields as JSON, for output |
//!
//! A word typed is looked up in one field of everything said about the hit (`words`),
//! not in several: a query of two common words is then an intersection of two posting
//! lists rather than of two unions, the largest cost of such a query. Only a word that
//! some coded value is spelled with (`шахмат`, `жүлдегер`, `облысы`) also looks up the
//! values it spells.

use tantivy::schema::{FAST, Field, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::TextAnalyzer;

use super::analysis::{Analysis, KazakhTokenizer, NAME_ANALYZER, SNIPPET_ANALYZER, SnippetTokenizer, TEXT_ANALYZER};
use super::facets::{FACET_FIELDS, FACET_WORDS};

/// The fields of the index, looked up once.
#[derive(Clone, Copy, Debug)]
pub struct IndexFields {
    pub kind: Field,
    pub key: Field,
    pub name: Field,
    pub people: Field,
    pub text: Field,
    pub words: Field,
    pub tags: Field,
    pub facet_bits: [Field; FACET_WORDS],
    pub best: Field,
    pub fields: Field,
}

/// Frequencies but no positions: no query is a phrase, and snippets analyse the stored
/// text again, so positions would only make the index larger and slower to build.
fn analysed(analyzer: &str, stored: bool) -> TextOptions {
    let indexing = TextFieldIndexing::default().set_tokenizer(analyzer).set_index_option(IndexRecordOption::WithFreqs);
    let options = TextOptions::default().set_indexing_options(indexing);
    if stored { options.set_stored() } else { options }
}

impl IndexFields {
    pub fn schema() -> Schema {
        let mut builder = Schema::builder();
        // Stored only: no query looks a hit up by its kind (the `kind/…` tag does) or key,
        // and a million keys, each its own term, were the largest part of the term
        // dictionary a first build writes.
        builder.add_text_field("kind", STORED);
        builder.add_text_field("key", STORED);
        builder.add_text_field("name", analysed(NAME_ANALYZER, true));
        builder.add_text_field("people", analysed(NAME_ANALYZER, false));
        builder.add_text_field("text", STORED);
        builder.add_text_field("words", analysed(TEXT_ANALYZER, false));
        let raw = TextFieldIndexing::default().set_tokenizer("raw").set_index_option(IndexRecordOption::Basic);
        builder.add_text_field("tags", TextOptions::default().set_indexing_options(raw));
        for name in FACET_FIELDS {
            builder.add_u64_field(name, FAST);
        }
        builder.add_u64_field("best", FAST);
        builder.add_text_field("fields", STORED);
        builder.build()
    }

    pub fn of(schema: &Schema) -> tantivy::Result<IndexFields> {
        Ok(IndexFields {
            kind: schema.get_field("kind")?,
            key: schema.get_field("key")?,
            name: schema.get_field("name")?,
            people: schema.get_field("people")?,
            text: schema.get_field("text")?,
            words: schema.get_field("words")?,
            tags: schema.get_field("tags")?,
            facet_bits: [
                schema.get_field(FACET_FIELDS[0])?,
                schema.get_field(FACET_FIELDS[1])?,
                schema.get_field(FACET_FIELDS[2])?,
            ],
            best: schema.get_field("best")?,
            fields: schema.get_field("fields")?,
        })
    }
}

/// Registers Daryn's analyzers on an index being written (they are code, not stored in
/// the index).
pub fn register_analyzers(index: &tantivy::Index) {
    index.tokenizers().register(TEXT_ANALYZER, TextAnalyzer::from(KazakhTokenizer::new(Analysis::Text)));
    index.tokenizers().register(NAME_ANALYZER, TextAnalyzer::from(KazakhTokenizer::new(Analysis::Name)));
}

/// Registers the analyzers on an index opened for searching: their clones share the
/// words they have analysed ([`KazakhTokenizer::shared`]), and so does the snippet
/// analyzer with them.
pub fn register_search_analyzers(index: &tantivy::Index) {
    let text = KazakhTokenizer::shared(Analysis::Text);
    let name = KazakhTokenizer::shared(Analysis::Name);
    index.tokenizers().register(TEXT_ANALYZER, TextAnalyzer::from(text.clone()));
    index.tokenizers().register(NAME_ANALYZER, TextAnalyzer::from(name.clone()));
    index.tokenizers().register(SNIPPET_ANALYZER, TextAnalyzer::from(SnippetTokenizer { text, name }));
}
