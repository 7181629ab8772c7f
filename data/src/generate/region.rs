//! Generates one region's drop: lays out its schools and teachers, drafts each child's
//! roadmap, injects faults at the requested rate, and hands rows to a sink, while it
//! records the truth about every injected error. Memory stays bounded by one child and
//! the region's teachers, whatever the number of children.

use chrono::NaiveDate;
use daryn_registry::cell::Cell;
use daryn_registry::form::{MEASURES, TableKind};
use daryn_registry::{KatoClassifier, Lang, RegionCode, RejectCode};
use serde::Serialize;

use super::draft::{Drafter, TeacherDraft};
use super::faults::{self, AchievementFault, ChildFault, FaultContext, MeasureFault, TeacherFault};
use super::geography;
use super::people::IinAllocator;
use super::rng::Rng;
use super::style::{Layout, Style};
use crate::error::Result;

/// Where a sink puts rows: files on disk, or memory for tests.
pub trait RowSink {
    /// One row of a table (CSV and workbook layouts), with the value of the extra,
    /// unknown column when the style has one.
    fn row(&mut self, table: TableKind, cells: &[Cell], extra: Option<&str>) -> Result<()>;
    /// One child's nested document (JSONL layout).
    fn document(
        &mut self,
        child: &[Cell],
        measures: &[Vec<Cell>],
        achievements: &[Vec<Cell>],
        teachers: &[Vec<Cell>],
    ) -> Result<()>;
}

/// One injected error, or one row rejected because of it, as the checker must report it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct TruthEntry {
    pub region: String,
    pub file: String,
    pub sheet: Option<String>,
    /// The row as the contract counts it: the header is row 1 (JSONL: the line).
    pub row: u64,
    /// The canonical column; for rows nested in JSONL, `measures[i].column`.
    pub column: String,
    pub code: &'static str,
    /// The table and the 0-based index of the record in it (JSONL: flattened in order).
    pub table: &'static str,
    pub record: u64,
    /// True for a row rejected only because its child was.
    pub cascaded: bool,
    pub fault: &'static str,
}

/// What one region's generation produced.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RegionCounts {
    pub children: u64,
    pub measures: u64,
    pub achievements: u64,
    pub teachers: u64,
    pub injected: u64,
}

pub struct RegionJob<'a> {
    pub region: RegionCode,
    pub block: u16,
    pub children: u64,
    pub seed: u64,
    pub export_date: NaiveDate,
    pub error_rate: f64,
    pub style: &'a Style,
    pub classifier: Option<&'a KatoClassifier>,
}

/// Where the rows of each table land, to tell the truth file.
struct Places {
    layout: Layout,
    header_lang: Lang,
}

impl Places {
    fn file_and_sheet(&self, table: TableKind) -> (String, Option<String>) {
        match self.layout {
            Layout::Csv => (format!("{}.csv", table.name()), None),
            Layout::XlsxFiles => (format!("{}.xlsx", table.name()), Some(table.name().to_owned())),
            Layout::XlsxWorkbook => ("roadmap.xlsx".to_owned(), Some(table.sheet_name(self.header_lang).to_owned())),
            Layout::Jsonl => ("roadmap.jsonl".to_owned(), None),
        }
    }
}

pub fn generate_region(job: &RegionJob<'_>, sink: &mut dyn RowSink) -> Result<(RegionCounts, Vec<TruthEntry>)> {
    let mut rng = Rng::new(job.seed, u64::from(job.region.number()) + 1);
    let style = job.style;
    let (_, _, russian_share) = geography::region_profile(job.region);
    let drafter = Drafter { region: job.region, style, export_date: job.export_date, russian_share };
    let mut children_iins = IinAllocator::new(job.block, 20);
    let mut teacher_iins = IinAllocator::new(job.block, 20);
    let mut districts = geography::lay_out(job.region, job.children, job.classifier, &mut rng);

    // Teachers: about one for every ten children, spread over schools by their pull.
    let district_total: f64 = districts.iter().map(|district| district.weight).sum();
    let mut teachers: Vec<TeacherDraft> = Vec::new();
    for district in &mut districts {
        let district_share = district.weight / district_total;
        let school_total: f64 = district.schools.iter().map(|school| school.weight).sum();
        for school in &mut district.schools {
            let expected_children = job.children as f64 * district_share * school.weight / school_total;
            let count = ((expected_children / 10.0).round() as usize).max(1);
            for _ in 0..count {
                school.teachers.push(teachers.len());
                let teacher = drafter.teacher(&mut rng, &mut teacher_iins, school);
                teachers.push(teacher);
            }
        }
    }

    let places = Places { layout: style.layout, header_lang: style.header_lang };
    let jsonl = style.layout == Layout::Jsonl;
    let fault_context = FaultContext {
        style,
        region: job.region,
        export_date: job.export_date,
        has_classifier: job.classifier.is_some(),
    };
    let mut truth = Vec::new();
    let mut counts = RegionCounts::default();
    // Children rows rejected so far: kept under the line that refuses a drop whole.
    let mut rejected_children = 0u64;
    // JSONL: the teachers nested under some child, the only ones the drop holds.
    let mut teachers_written: std::collections::BTreeSet<usize> = std::collections::BTreeSet::new();
    let mut measure_sequence = 0u64;
    let mut last_clean_measure_id: Option<String> = None;
    let region_text = job.region.to_string();
    let record = |truth: &mut Vec<TruthEntry>,
                  table: TableKind,
                  index: u64,
                  row: u64,
                  column: String,
                  code: RejectCode,
                  cascaded: bool,
                  fault: &'static str| {
        let (file, sheet) = places.file_and_sheet(table);
        truth.push(TruthEntry {
            region: region_text.clone(),
            file,
            sheet,
            row,
            column,
            code: code.code(),
            table: table.name(),
            record: index,
            cascaded,
            fault,
        });
    };

    for _ in 0..job.children {
        let mut child = drafter.child(&mut rng, &mut children_iins, &districts);
        let line = counts.children + 2 - u64::from(jsonl); // JSONL has no header line
        let child_row = counts.children;
        let mut child_fault: Option<ChildFault> = None;
        if rng.chance(job.error_rate) && under_quota(rejected_children, counts.children) {
            rejected_children += 1;
            let fault = *rng.pick(&ChildFault::ALL);
            let mut new_iin = |birth, sex| children_iins.allocate(&mut rng, birth, sex);
            let injected = faults::child(fault, &mut child.cells, &fault_context, &mut new_iin);
            if fault == ChildFault::TooYoung {
                // The measures must follow the child's new IIN, to cascade from it.
                if let Ok(iin) = daryn_registry::Iin::parse(&match &child.cells[0] {
                    Cell::Number(number) => format!("{:012}", *number as u64),
                    other => other.display(),
                }) {
                    child.iin = iin;
                }
            }
            record(
                &mut truth,
                TableKind::Children,
                child_row,
                line,
                injected.column.to_owned(),
                injected.code,
                false,
                injected.fault,
            );
            counts.injected += 1;
            child_fault = Some(fault);
        }
        let rejected = child_fault.is_some();
        let (district_index, school_index) = child.school;
        let school_teachers = districts[district_index].schools[school_index].teachers.clone();

        let mut measure_rows: Vec<Vec<Cell>> = Vec::new();
        let mut nested_teachers: Vec<usize> = Vec::new();
        let mut contents: Vec<[String; 4]> = Vec::new();
        for _ in 0..rng.poisson(8.0) {
            measure_sequence += 1;
            // Without ids a measure is known by its content, which must not repeat.
            let mut draft = drafter.measure(&mut rng, &child, &school_teachers, &teachers, measure_sequence);
            if !style.measure_ids {
                loop {
                    let content = ["measure_type", "title", "planned_start", "planned_end"]
                        .map(|column| draft.cells[MEASURES.index(column)].display());
                    if !contents.contains(&content) {
                        contents.push(content);
                        break;
                    }
                    draft = drafter.measure(&mut rng, &child, &school_teachers, &teachers, measure_sequence);
                }
            }
            if let Some(teacher) = draft.teacher
                && !nested_teachers.contains(&teacher)
            {
                nested_teachers.push(teacher);
            }
            let mut cells = draft.cells;
            let index = counts.measures + measure_rows.len() as u64;
            let (row, column_prefix) =
                if jsonl { (line, format!("measures[{}].", measure_rows.len())) } else { (index + 2, String::new()) };
            if rejected {
                let code = if child_fault.is_some_and(ChildFault::breaks_iin) && !jsonl {
                    RejectCode::ChildUnknown
                } else {
                    RejectCode::ChildRejected
                };
                record(
                    &mut truth,
                    TableKind::Measures,
                    index,
                    row,
                    format!("{column_prefix}iin"),
                    code,
                    true,
                    "cascade",
                );
            } else if rng.chance(job.error_rate) {
                let mut fault = *rng.pick(&MeasureFault::ALL);
                if (fault == MeasureFault::UnknownChild && jsonl)
                    || (fault == MeasureFault::DuplicateId && (!style.measure_ids || last_clean_measure_id.is_none()))
                {
                    fault = MeasureFault::BadType;
                }
                let stranger = stranger_iin(&mut rng, &mut children_iins, job.export_date);
                let injected = faults::measure(
                    fault,
                    &mut cells,
                    &fault_context,
                    stranger,
                    last_clean_measure_id.as_deref().unwrap_or(""),
                );
                record(
                    &mut truth,
                    TableKind::Measures,
                    index,
                    row,
                    format!("{column_prefix}{}", injected.column),
                    injected.code,
                    false,
                    injected.fault,
                );
                counts.injected += 1;
            } else if style.measure_ids {
                last_clean_measure_id = Some(cells[MEASURES.index("measure_id")].display());
            }
            measure_rows.push(cells);
        }

        let mut achievement_rows: Vec<Vec<Cell>> = Vec::new();
        for _ in 0..rng.poisson(3.0) {
            let draft = drafter.achievement(&mut rng, &child, &school_teachers, &teachers);
            for teacher in &draft.teachers {
                if !nested_teachers.contains(teacher) {
                    nested_teachers.push(*teacher);
                }
            }
            let mut cells = draft.cells;
            let index = counts.achievements + achievement_rows.len() as u64;
            let (row, column_prefix) = if jsonl {
                (line, format!("achievements[{}].", achievement_rows.len()))
            } else {
                (index + 2, String::new())
            };
            if rejected {
                let code = if child_fault.is_some_and(ChildFault::breaks_iin) && !jsonl {
                    RejectCode::ChildUnknown
                } else {
                    RejectCode::ChildRejected
                };
                record(
                    &mut truth,
                    TableKind::Achievements,
                    index,
                    row,
                    format!("{column_prefix}iin"),
                    code,
                    true,
                    "cascade",
                );
            } else if rng.chance(job.error_rate) {
                let mut fault = *rng.pick(&AchievementFault::ALL);
                if fault == AchievementFault::UnknownChild && jsonl {
                    fault = AchievementFault::BadLevel;
                }
                let stranger = stranger_iin(&mut rng, &mut children_iins, job.export_date);
                let injected = faults::achievement(fault, &mut cells, &fault_context, stranger);
                record(
                    &mut truth,
                    TableKind::Achievements,
                    index,
                    row,
                    format!("{column_prefix}{}", injected.column),
                    injected.code,
                    false,
                    injected.fault,
                );
                counts.injected += 1;
            }
            achievement_rows.push(cells);
        }

        let extra = if style.extra_column && rng.chance(0.1) { Some("тексерілді") } else { None };
        if jsonl {
            let nested: Vec<Vec<Cell>> = nested_teachers.iter().map(|&index| teachers[index].cells.clone()).collect();
            teachers_written.extend(nested_teachers.iter().copied());
            sink.document(&child.cells, &measure_rows, &achievement_rows, &nested)?;
        } else {
            sink.row(TableKind::Children, &child.cells, extra)?;
            for cells in &measure_rows {
                sink.row(TableKind::Measures, cells, None)?;
            }
            for cells in &achievement_rows {
                sink.row(TableKind::Achievements, cells, None)?;
            }
        }
        counts.children += 1;
        counts.measures += measure_rows.len() as u64;
        counts.achievements += achievement_rows.len() as u64;

        // Now and then a coordinator pastes the same child twice: the copy is rejected.
        if !jsonl && !rejected && rng.chance(job.error_rate / 20.0) && under_quota(rejected_children, counts.children) {
            rejected_children += 1;
            let index = counts.children;
            sink.row(TableKind::Children, &child.cells, extra)?;
            record(
                &mut truth,
                TableKind::Children,
                index,
                index + 2,
                "iin".to_owned(),
                RejectCode::DuplicateKey,
                false,
                "child_repeated",
            );
            counts.children += 1;
            counts.injected += 1;
        }
    }

    if !jsonl {
        for teacher in &teachers {
            sink.row(TableKind::Teachers, &teacher.cells, None)?;
        }
        counts.teachers = teachers.len() as u64;
        let broken = (teachers.len() as f64 * job.error_rate).round() as usize;
        for _ in 0..broken {
            let fault = *rng.pick(&TeacherFault::ALL);
            let model = &teachers[rng.index(teachers.len())];
            let birth = model.iin.birth_date();
            let stranger = teacher_iins.allocate(&mut rng, birth, model.iin.sex());
            let (cells, injected) = faults::teacher(fault, &model.cells, stranger, &mut rng);
            let index = counts.teachers;
            sink.row(TableKind::Teachers, &cells, None)?;
            record(
                &mut truth,
                TableKind::Teachers,
                index,
                index + 2,
                injected.column.to_owned(),
                injected.code,
                false,
                injected.fault,
            );
            counts.teachers += 1;
            counts.injected += 1;
        }
    } else {
        // A JSONL drop holds only the teachers nested under some child.
        counts.teachers = teachers_written.len() as u64;
    }
    Ok((counts, truth))
}

/// Whether one more rejected children row keeps a drop's share of them at 19 % or less
/// of the rows written so far (and the one to come): more than 20 % refuses the drop, and
/// at `--error-rate 0.2` the faults and the pasted copies drawn at random passed it.
fn under_quota(rejected: u64, rows: u64) -> bool {
    (rejected + 1) * 100 <= (rows + 1) * 19
}

/// A valid IIN of a child who is not in the drop.
fn stranger_iin(rng: &mut Rng, allocator: &mut IinAllocator, export_date: NaiveDate) -> daryn_registry::Iin {
    let birth = export_date - chrono::Days::new(365 * 10 + rng.range(0, 365));
    let sex = if rng.chance(0.5) { daryn_registry::enums::Sex::Male } else { daryn_registry::enums::Sex::Female };
    allocator.allocate(rng, birth, sex)
}

#[cfg(test)]
mod tests {
    use super::under_quota;

    #[test]
    fn rejected_children_stay_at_19_percent_of_the_rows() {
        // The 6th row may be the first rejected (1 of 6 is 16.7 %), not the 5th (20 %).
        assert!(!under_quota(0, 4));
        assert!(under_quota(0, 5));
        // 19 of 100 rows is the most; the 20th rejected row waits for row 106.
        assert!(under_quota(18, 99));
        assert!(!under_quota(19, 100));
        assert!(under_quota(19, 105));
    }
}
