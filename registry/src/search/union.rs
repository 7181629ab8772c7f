//! A union of a few clauses that scores only the documents it is asked for.
//!
//! tantivy's Boolean union buffers a window of 4,096 documents and scores every document
//! of every clause in it. When the union follows another clause in an intersection (the
//! second word of a name, whose clauses match a few thousand of a million documents),
//! most of that work is thrown away: each seek refills a window to use one document of
//! it. [`AnyOf`] keeps each clause at its own document and adds the scores of the clauses
//! that are on the document the intersection settles on. Its scores are the Boolean
//! union's, the sum of the matching clauses' scores, and a clause that matches nothing
//! in a segment is left out there.
//!
//! [`NameTypos`] is tantivy's fuzzy term query read the same way: the few names within
//! one or two typos of a word, each a posting list, instead of a bit set of the whole
//! segment that is cleared, filled and scanned for every query.

use tantivy::query::{
    AutomatonWeight, ConstScorer, DfaWrapper, EmptyScorer, EnableScoring, Explanation, FuzzyTermQuery, Query, Scorer,
    Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError, Term};

/// Documents that match any of the clauses, scored by the sum of those that match.
#[derive(Debug)]
pub struct AnyOf(pub Vec<Box<dyn Query>>);

impl Clone for AnyOf {
    fn clone(&self) -> AnyOf {
        AnyOf(self.0.iter().map(|query| query.box_clone()).collect())
    }
}

impl Query for AnyOf {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self.0.iter().map(|query| query.weight(enable_scoring)).collect::<tantivy::Result<_>>()?;
        Ok(Box::new(AnyOfWeight(weights)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for query in &self.0 {
            query.query_terms(visitor);
        }
    }
}

struct AnyOfWeight(Vec<Box<dyn Weight>>);

impl Weight for AnyOfWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut scorers = Vec::with_capacity(self.0.len());
        for weight in &self.0 {
            let scorer = weight.scorer(reader, boost)?;
            if scorer.doc() != TERMINATED {
                scorers.push(scorer);
            }
        }
        Ok(match scorers.len() {
            0 => Box::new(EmptyScorer),
            1 => scorers.swap_remove(0),
            _ => Box::new(Union::new(scorers)),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!("document {doc} does not match")));
        }
        let mut explanation = Explanation::new("sum of the matching clauses", scorer.score());
        for weight in &self.0 {
            if let Ok(detail) = weight.explain(reader, doc) {
                explanation.add_detail(detail);
            }
        }
        Ok(explanation)
    }
}

/// The most names within typo distance that are read as posting lists; more are read
/// into a bit set, as tantivy does.
const FEW_TYPOS: usize = 16;

/// Names within one or two typos of a word (a fuzzy term query), scored as the boost.
#[derive(Clone, Debug)]
pub struct NameTypos {
    pub field: Field,
    pub query: FuzzyTermQuery,
}

impl Query for NameTypos {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let automaton = AutomatonWeight::new(self.field, self.query.automaton()?);
        Ok(Box::new(NameTyposWeight { field: self.field, automaton }))
    }
}

struct NameTyposWeight {
    field: Field,
    automaton: AutomatonWeight<DfaWrapper>,
}

impl Weight for NameTyposWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let names = self.automaton.get_match_term_infos(reader)?;
        if names.is_empty() {
            return Ok(Box::new(EmptyScorer));
        }
        if names.len() > FEW_TYPOS {
            return self.automaton.scorer(reader, boost);
        }
        let inverted = reader.inverted_index(self.field)?;
        let postings = names
            .iter()
            .map(|name| inverted.read_postings_from_terminfo(name, IndexRecordOption::Basic))
            .collect::<std::io::Result<Vec<_>>>()?;
        Ok(Box::new(ConstScorer::new(Union::new(postings), boost)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.automaton.explain(reader, doc)
    }
}

/// Two or more document sets, none of them empty, each at its own document.
struct Union<D> {
    parts: Vec<D>,
    doc: DocId,
}

impl<D: DocSet> Union<D> {
    fn new(parts: Vec<D>) -> Union<D> {
        let doc = parts.iter().map(DocSet::doc).min().unwrap_or(TERMINATED);
        Union { parts, doc }
    }
}

impl<D: DocSet> DocSet for Union<D> {
    fn advance(&mut self) -> DocId {
        let current = self.doc;
        if current == TERMINATED {
            return TERMINATED;
        }
        let mut next = TERMINATED;
        for part in &mut self.parts {
            let doc = if part.doc() == current { part.advance() } else { part.doc() };
            next = next.min(doc);
        }
        self.doc = next;
        next
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        let mut next = TERMINATED;
        for part in &mut self.parts {
            let doc = if part.doc() < target { part.seek(target) } else { part.doc() };
            next = next.min(doc);
        }
        self.doc = next;
        next
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.parts.iter().map(DocSet::size_hint).fold(0, u32::saturating_add)
    }

    fn cost(&self) -> u64 {
        self.parts.iter().map(DocSet::cost).sum()
    }
}

impl<D: Scorer> Scorer for Union<D> {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        self.parts.iter_mut().filter(|part| part.doc() == doc).map(|part| part.score()).sum()
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{BooleanQuery, BoostQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, STRING, Schema, TEXT};
    use tantivy::{DocAddress, Index, doc};

    use super::*;

    /// The same clauses as a Boolean union and as [`AnyOf`], alone and as the second
    /// clause of an intersection: the same documents with the same scores.
    #[test]
    fn scores_and_documents_equal_the_boolean_union() {
        let mut schema = Schema::builder();
        let name = schema.add_text_field("name", TEXT);
        let people = schema.add_text_field("people", TEXT);
        let kind = schema.add_text_field("kind", STRING);
        let index = Index::create_in_ram(schema.build());
        let mut writer: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
        for number in 0..3000u32 {
            let mut document = doc!(kind => if number % 7 == 0 { "teacher" } else { "child" });
            if number % 3 == 0 {
                document.add_text(name, "alma");
            }
            if number % 5 == 0 {
                document.add_text(people, "alma alma");
            }
            if number % 11 == 0 {
                document.add_text(name, "bota");
            }
            writer.add_document(document).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let term = |field, word: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(Term::from_field_text(field, word), IndexRecordOption::WithFreqs))
        };
        let clauses = || -> Vec<Box<dyn Query>> {
            vec![
                Box::new(BoostQuery::new(term(name, "alma"), 3.0)),
                term(people, "alma"),
                term(name, "nobody"),
                term(name, "bota"),
            ]
        };
        let boolean = || -> Box<dyn Query> {
            Box::new(BooleanQuery::new(clauses().into_iter().map(|clause| (Occur::Should, clause)).collect()))
        };
        let any_of = || -> Box<dyn Query> { Box::new(AnyOf(clauses())) };
        let within = |union: Box<dyn Query>| -> Box<dyn Query> {
            Box::new(BooleanQuery::new(vec![(Occur::Must, term(kind, "teacher")), (Occur::Must, union)]))
        };
        let run = |query: &dyn Query| -> (usize, Vec<(u32, DocAddress)>) {
            let (top, count) = searcher.search(query, &(TopDocs::with_limit(3000).order_by_score(), Count)).unwrap();
            (count, top.into_iter().map(|(score, address)| ((score * 1000.0).round() as u32, address)).collect())
        };
        // Multiples of 3, 5 or 11 below 3000 (0 is one): 1000 + 600 + 273 - 200 - 91 - 55 + 19 = 1546.
        let (count, scored) = run(&*any_of());
        assert_eq!(count, 1546);
        assert_eq!((count, scored), run(&*boolean()));
        // Of those, the multiples of 7: 143 + 86 + 39 - 29 - 13 - 8 + 3 = 221.
        let (count, scored) = run(&*within(any_of()));
        assert_eq!(count, 221);
        assert_eq!((count, scored), run(&*within(boolean())));
    }

    /// Names within typo distance, read as posting lists or (past [`FEW_TYPOS`] names)
    /// as a bit set: the documents and scores of tantivy's fuzzy term query.
    #[test]
    fn name_typos_match_the_fuzzy_term_query() {
        let mut schema = Schema::builder();
        let name = schema.add_text_field("name", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
        // `alma` and one letter changed at its end: `almb`…`almz`, 25 names.
        let names: Vec<String> =
            std::iter::once("alma".to_owned()).chain(('b'..='z').map(|letter| format!("alm{letter}"))).collect();
        for number in 0..2000usize {
            writer.add_document(doc!(name => names[number % names.len()].as_str())).unwrap();
        }
        writer.add_document(doc!(name => "bota")).unwrap();
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let run = |query: &dyn Query| -> (usize, Vec<(u32, DocAddress)>) {
            let (top, count) = searcher.search(query, &(TopDocs::with_limit(3000).order_by_score(), Count)).unwrap();
            (count, top.into_iter().map(|(score, address)| ((score * 1000.0).round() as u32, address)).collect())
        };
        for (word, distance, expected) in [
            // One name within one typo (`bota`): a posting list.
            ("boto", 1, 1),
            // 26 names within one typo (`alm?`), more than FEW_TYPOS: the bit set.
            ("almq", 1, 2000),
            // 2000 documents over 26 names: the first 24 (`alma`…`almx`) have 77 each,
            // `almy` and `almz` 76. `almab` is one typo from `alma` and from `almb`.
            ("almab", 1, 154),
            ("almbb", 1, 77),
            ("almzz", 1, 76),
            ("nothing", 1, 0),
        ] {
            let fuzzy = FuzzyTermQuery::new(Term::from_field_text(name, word), distance, true);
            let typos = NameTypos { field: name, query: fuzzy.clone() };
            let (count, scored) = run(&typos);
            assert_eq!(count, expected, "{word}");
            assert_eq!((count, scored), run(&fuzzy), "{word}");
        }
    }
}
