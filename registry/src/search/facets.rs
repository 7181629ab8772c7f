//! Facet counts as bits. Every value a search counts (`region/35`, `discipline/chess`,
//! `grade/7`, …) is one bit of a document's `facet_bits_*` fast fields, so counting a hit
//! reads [`FACET_WORDS`] numbers and adds one per set bit.
//!
//! tantivy's own facet collector read every facet of every hit through the facet
//! column's multi-value index and mapped each ordinal back to its term: about 45 % of a
//! query's time on the 1,000,000-children benchmark. Filters use the `tags` terms
//! ([`super::tags`]); only the counting is here.
//!
//! The vocabulary (which bit is which value) is code: the regions, the form's words, the
//! discipline taxonomy and the grades. A generation records the vocabulary it was built
//! with ([`super::index::GenerationMeta::facets`]); reading decodes with that list, and an
//! ingest whose vocabulary differs rebuilds the whole index.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, ColumnIndex, ColumnValues};
use tantivy::index::SegmentId;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader, TantivyDocument};

use super::fields::IndexFields;
use crate::discipline::Taxonomy;
use crate::enums::{AchievementResult, AreaType, Level, RoadmapStatus, TalentDomain};
use crate::kato::Region;

/// How many 64-bit words of facet bits a document has (`facet_bits_0` …).
pub const FACET_WORDS: usize = 3;

/// The names of the facet-bit fast fields.
pub const FACET_FIELDS: [&str; FACET_WORDS] = ["facet_bits_0", "facet_bits_1", "facet_bits_2"];

/// The facets counted, in the order results list them, with the names results give them.
pub const COUNTED: [&str; 9] =
    ["region", "area_type", "group", "domain", "discipline", "level", "result", "grade", "roadmap_status"];

/// The decree's target groups, as the `group` facet and filter name them.
pub const GROUPS: [&str; 3] = ["rural", "large_family", "low_income"];

/// The highest grade the form accepts.
const MAX_GRADE: u8 = 12;

/// Which bit is which `facet/value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FacetVocabulary {
    values: Vec<String>,
    /// facet → value → bit.
    bits: HashMap<String, HashMap<String, usize>>,
}

impl FacetVocabulary {
    /// The vocabulary of this build of daryn.
    pub fn builtin() -> &'static FacetVocabulary {
        static BUILTIN: OnceLock<FacetVocabulary> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            let mut values = Vec::new();
            let mut add = |facet: &str, value: &str| values.push(format!("{facet}/{value}"));
            Region::all().iter().for_each(|region| add("region", &region.code.to_string()));
            AreaType::ALL.iter().for_each(|area| add("area_type", area.code()));
            GROUPS.iter().for_each(|group| add("group", group));
            TalentDomain::ALL.iter().for_each(|domain| add("domain", domain.code()));
            let mut disciplines: Vec<&str> =
                Taxonomy::builtin().all().iter().map(|discipline| discipline.code.as_str()).collect();
            disciplines.sort_unstable();
            disciplines.iter().for_each(|code| add("discipline", code));
            Level::ALL.iter().for_each(|level| add("level", level.code()));
            AchievementResult::ALL.iter().for_each(|result| add("result", result.code()));
            (0..=MAX_GRADE).for_each(|grade| add("grade", &grade.to_string()));
            RoadmapStatus::ALL.iter().for_each(|status| add("roadmap_status", status.code()));
            let vocabulary = FacetVocabulary::from_values(values);
            // Code, not input: a taxonomy that outgrew the words fails every test that searches.
            assert!(vocabulary.fits(), "{} facet values for {} bits", vocabulary.values.len(), FACET_WORDS * 64);
            vocabulary
        })
    }

    /// A vocabulary as a generation recorded it.
    pub fn from_values(values: Vec<String>) -> FacetVocabulary {
        let mut bits: HashMap<String, HashMap<String, usize>> = HashMap::new();
        for (bit, value) in values.iter().enumerate() {
            if let Some((facet, value)) = value.split_once('/') {
                bits.entry(facet.to_owned()).or_default().insert(value.to_owned(), bit);
            }
        }
        FacetVocabulary { values, bits }
    }

    pub fn values(&self) -> &[String] {
        &self.values
    }

    /// Whether every value has a bit.
    pub fn fits(&self) -> bool {
        self.values.len() <= FACET_WORDS * 64
    }

    /// Per counted facet, its values with a non-zero count, in vocabulary order.
    pub fn decode(&self, counts: &[u64]) -> BTreeMap<&'static str, Vec<(String, u64)>> {
        let mut facets: BTreeMap<&'static str, Vec<(String, u64)>> =
            COUNTED.iter().map(|facet| (*facet, Vec::new())).collect();
        for (value, count) in self.values.iter().zip(counts).filter(|(_, count)| **count > 0) {
            if let Some((facet, value)) = value.split_once('/')
                && let Some(values) = facets.get_mut(facet)
            {
                values.push((value.to_owned(), *count));
            }
        }
        facets
    }
}

/// One document's facet bits, set value by value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FacetBits([u64; FACET_WORDS]);

impl FacetBits {
    /// Sets the bit of `facet/value`. A value outside the vocabulary (a discipline that
    /// is not in the taxonomy, which the form accepts with a warning) is not counted, as
    /// it was not a facet before either.
    pub fn set(&mut self, facet: &str, value: &str) {
        let vocabulary = FacetVocabulary::builtin();
        if let Some(&bit) = vocabulary.bits.get(facet).and_then(|values| values.get(value))
            && bit < FACET_WORDS * 64
        {
            self.0[bit / 64] |= 1 << (bit % 64);
        }
    }

    pub fn add_to(&self, fields: &IndexFields, document: &mut TantivyDocument) {
        for (field, word) in fields.facet_bits.iter().zip(self.0) {
            document.add_u64(*field, word);
        }
    }
}

/// The fast-field columns a search reads, opened once per segment when an index is
/// opened (opening a column decodes its header, which cost more than counting a hit).
#[derive(Clone)]
pub struct SegmentColumns {
    pub best: Arc<dyn ColumnValues<u64>>,
    pub facet_bits: [Arc<dyn ColumnValues<u64>>; FACET_WORDS],
}

impl SegmentColumns {
    pub fn open(segment: &SegmentReader) -> tantivy::Result<SegmentColumns> {
        let fast = segment.fast_fields();
        let [first, second, third] = FACET_FIELDS;
        Ok(SegmentColumns {
            best: dense(fast.u64("best")?),
            facet_bits: [dense(fast.u64(first)?), dense(fast.u64(second)?), dense(fast.u64(third)?)],
        })
    }
}

/// A column with one value per document read directly; otherwise the first value or 0.
fn dense(column: Column<u64>) -> Arc<dyn ColumnValues<u64>> {
    match column.index {
        ColumnIndex::Full => column.values,
        _ => column.first_or_default_col(0),
    }
}

/// Counts, per bit of the vocabulary, the hits that have it.
pub struct FacetCounter {
    /// Per segment of the searcher, in its order, its columns.
    pub segments: Arc<Vec<(SegmentId, SegmentColumns)>>,
}

impl Collector for FacetCounter {
    type Fruit = Vec<u64>;
    type Child = SegmentFacetCounter;

    fn for_segment(&self, segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<SegmentFacetCounter> {
        match self.segments.get(segment as usize) {
            Some((id, columns)) if *id == reader.segment_id() => {
                Ok(SegmentFacetCounter::new(columns.facet_bits.clone()))
            }
            _ => Err(tantivy::TantivyError::InternalError(format!(
                "segment {segment} is not the one whose facet columns were opened"
            ))),
        }
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<u64>>) -> tantivy::Result<Vec<u64>> {
        let mut total = vec![0; FACET_WORDS * 64];
        for fruit in fruits {
            total.iter_mut().zip(fruit).for_each(|(sum, count)| *sum += count);
        }
        Ok(total)
    }
}

/// Hits read from the columns together: a multiple of 16, the hits one round of adders takes.
const BATCH: usize = 64;
const _: () = assert!(BATCH.is_multiple_of(16));

/// Counts one segment's hits with a carry-save adder tree (Harley–Seal): the words of 16
/// hits are added bit-parallel into running `ones`, `twos`, `fours` and `eights` words,
/// and only the carries worth 16 are added to the counts one set bit at a time. Adding
/// one per set bit of every hit was slower than the search itself on queries with
/// hundreds of thousands of hits.
pub struct SegmentFacetCounter {
    words: [Arc<dyn ColumnValues<u64>>; FACET_WORDS],
    docs: Vec<DocId>,
    values: Vec<u64>,
    /// Per word: the running ones, twos, fours and eights of each bit.
    partial: [[u64; 4]; FACET_WORDS],
    counts: Vec<u64>,
}

/// A full adder over 64 bit positions: (carry, sum) of `a + b + c`.
fn carry_save(a: u64, b: u64, c: u64) -> (u64, u64) {
    let either = a ^ b;
    ((a & b) | (either & c), either ^ c)
}

impl SegmentFacetCounter {
    fn new(words: [Arc<dyn ColumnValues<u64>>; FACET_WORDS]) -> SegmentFacetCounter {
        SegmentFacetCounter {
            words,
            docs: Vec::with_capacity(BATCH),
            values: vec![0; BATCH],
            partial: [[0; 4]; FACET_WORDS],
            counts: vec![0; FACET_WORDS * 64],
        }
    }

    fn add_batch(&mut self) {
        if self.docs.is_empty() {
            return;
        }
        let filled = self.docs.len();
        let values = &mut self.values[..];
        for (word, column) in self.words.iter().enumerate() {
            column.get_vals(&self.docs, &mut values[..filled]);
            values[filled..].fill(0);
            let [mut ones, mut twos, mut fours, mut eights] = self.partial[word];
            for chunk in values.chunks_exact(16) {
                let mut eights_carried = [0u64; 2];
                for (half, eight) in chunk.chunks_exact(8).enumerate() {
                    let mut fours_carried = [0u64; 2];
                    for (quarter, four) in eight.chunks_exact(4).enumerate() {
                        let (twos_a, sum) = carry_save(ones, four[0], four[1]);
                        let (twos_b, sum) = carry_save(sum, four[2], four[3]);
                        ones = sum;
                        let (carry, sum) = carry_save(twos, twos_a, twos_b);
                        twos = sum;
                        fours_carried[quarter] = carry;
                    }
                    let (carry, sum) = carry_save(fours, fours_carried[0], fours_carried[1]);
                    fours = sum;
                    eights_carried[half] = carry;
                }
                let (mut sixteens, sum) = carry_save(eights, eights_carried[0], eights_carried[1]);
                eights = sum;
                while sixteens != 0 {
                    self.counts[word * 64 + sixteens.trailing_zeros() as usize] += 16;
                    sixteens &= sixteens - 1;
                }
            }
            self.partial[word] = [ones, twos, fours, eights];
        }
        self.docs.clear();
    }

    /// Adds what the running words still hold to the counts.
    fn settle(&mut self) {
        for (word, partial) in self.partial.iter_mut().enumerate() {
            for bit in 0..64 {
                let held: u64 = partial.iter().enumerate().map(|(power, plane)| ((plane >> bit) & 1) << power).sum();
                self.counts[word * 64 + bit] += held;
            }
            *partial = [0; 4];
        }
    }
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = Vec<u64>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.docs.push(doc);
        if self.docs.len() == BATCH {
            self.add_batch();
        }
    }

    fn harvest(mut self) -> Vec<u64> {
        self.add_batch();
        self.settle();
        self.counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_vocabulary_fits_and_names_each_value_once() {
        let vocabulary = FacetVocabulary::builtin();
        assert!(vocabulary.fits(), "{} values for {} bits", vocabulary.values().len(), FACET_WORDS * 64);
        let distinct: usize = vocabulary.bits.values().map(HashMap::len).sum();
        assert_eq!(distinct, vocabulary.values().len(), "a value is listed twice");
        for value in vocabulary.values() {
            let facet = value.split_once('/').map(|(facet, _)| facet).unwrap_or_default();
            assert!(COUNTED.contains(&facet), "{value} is not a counted facet");
        }
        // 20 regions, 2 areas, 3 groups, 5 domains, the taxonomy, 5 levels, 4 results,
        // grades 0–12, 3 statuses.
        let disciplines = Taxonomy::builtin().all().len();
        assert_eq!(vocabulary.values().len(), 20 + 2 + 3 + 5 + disciplines + 5 + 4 + 13 + 3);
    }

    #[test]
    fn bits_set_are_the_values_decoded() {
        let mut bits = FacetBits::default();
        bits.set("region", "35");
        bits.set("grade", "12");
        bits.set("discipline", "physics");
        bits.set("discipline", "no_such_discipline");
        let set: u32 = bits.0.iter().map(|word| word.count_ones()).sum();
        assert_eq!(set, 3);
        let vocabulary = FacetVocabulary::builtin();
        let mut counts = vec![0u64; FACET_WORDS * 64];
        for (word, value) in bits.0.iter().enumerate() {
            for bit in 0..64 {
                if value & (1 << bit) != 0 {
                    counts[word * 64 + bit] += 2;
                }
            }
        }
        let facets = vocabulary.decode(&counts);
        assert_eq!(facets["region"], [("35".to_owned(), 2)]);
        assert_eq!(facets["grade"], [("12".to_owned(), 2)]);
        assert_eq!(facets["discipline"], [("physics".to_owned(), 2)]);
        assert!(facets["level"].is_empty());
        assert_eq!(facets.len(), COUNTED.len());
    }

    /// The adder tree against a plain count, over many batches and a last one that is
    /// not full.
    #[test]
    fn the_segment_counter_counts_every_bit_of_every_hit() {
        let documents = 1000 * BATCH + 37;
        let word = |doc: usize, salt: u64| (doc as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15 ^ salt).rotate_left(17);
        let columns: [Arc<dyn ColumnValues<u64>>; FACET_WORDS] = std::array::from_fn(|index| {
            let values: Vec<u64> = (0..documents).map(|doc| word(doc, index as u64)).collect();
            Arc::new(tantivy::columnar::column_values::VecColumn::from(values)) as Arc<dyn ColumnValues<u64>>
        });
        let mut counter = SegmentFacetCounter::new(columns);
        let mut expected = vec![0u64; FACET_WORDS * 64];
        // Every third document is a hit.
        for doc in (0..documents).step_by(3) {
            counter.collect(doc as DocId, 0.0);
            for index in 0..FACET_WORDS {
                for bit in 0..64 {
                    expected[index * 64 + bit] += (word(doc, index as u64) >> bit) & 1;
                }
            }
        }
        assert_eq!(counter.harvest(), expected);
    }
}
