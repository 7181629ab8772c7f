//! The rules across the tables of one drop: duplicates, references to children and
//! teachers, and the cascade of a rejected child to its rows.

use super::*;

/// The rows of one drop, each table's rows as cells in the form's column order.
#[derive(Clone, Debug, Default)]
pub struct DropRows {
    pub children: Vec<Vec<Cell>>,
    pub measures: Vec<Vec<Cell>>,
    pub achievements: Vec<Vec<Cell>>,
    pub teachers: Vec<Vec<Cell>>,
    /// Of each measure nested in a child's document (`roadmap.jsonl`), the child's row
    /// (its index in `children`); empty, or `None`, for rows of a table of their own.
    pub measure_parents: Vec<Option<usize>>,
    /// Likewise of each achievement.
    pub achievement_parents: Vec<Option<usize>>,
}

/// One rejected row: which table, its index among that table's input rows, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub table: TableKind,
    pub index: usize,
    pub issue: RowIssue,
}

/// A warning on an accepted row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub table: TableKind,
    pub index: usize,
    pub warning: RowWarning,
}

/// The accepted records of a drop with the input index of each, and every rejection.
#[derive(Clone, Debug, Default)]
pub struct CheckedDrop {
    pub children: Vec<(usize, Child)>,
    pub measures: Vec<(usize, Measure)>,
    pub achievements: Vec<(usize, Achievement)>,
    pub teachers: Vec<(usize, Teacher)>,
    pub rejections: Vec<Rejection>,
    pub warnings: Vec<Warning>,
}

impl CheckedDrop {
    pub fn rejected(&self, table: TableKind) -> usize {
        self.rejections.iter().filter(|rejection| rejection.table == table).count()
    }
}

/// Checks every row of a drop, then the rules across its tables: duplicate keys (the
/// first row wins), references to children and teachers of the same drop, and the
/// cascade that takes a rejected child's measures and achievements with it. The rows are
/// used up: an accepted record takes its text cells' strings, and each row's cells are
/// let go once it is checked.
pub fn check_drop(rows: DropRows, context: &DropContext<'_>) -> CheckedDrop {
    let DropRows { children, measures, achievements, teachers, measure_parents, achievement_parents } = rows;
    let mut checked = CheckedDrop {
        children: Vec::with_capacity(children.len()),
        measures: Vec::with_capacity(measures.len()),
        achievements: Vec::with_capacity(achievements.len()),
        teachers: Vec::with_capacity(teachers.len()),
        ..CheckedDrop::default()
    };
    fn reject(checked: &mut CheckedDrop, table: TableKind, index: usize, issue: RowIssue) {
        checked.rejections.push(Rejection { table, index, issue });
    }

    let mut teacher_ids = FxHashSet::default();
    for (index, mut cells) in teachers.into_iter().enumerate() {
        match check_teacher(&mut cells, context) {
            Ok((teacher, warnings)) if teacher_ids.insert(teacher.teacher_id) => {
                push_warnings(&mut checked.warnings, TableKind::Teachers, index, warnings);
                checked.teachers.push((index, teacher));
            }
            Ok(_) => reject(&mut checked, TableKind::Teachers, index, duplicate(&TEACHERS, &cells, "teacher_id")),
            Err(issue) => reject(&mut checked, TableKind::Teachers, index, issue),
        }
    }

    // Children: the first row of an IIN wins; an IIN whose every row was rejected is
    // remembered so that its measures and achievements are reported as cascaded. Rows
    // nested in a child's document go with that row, whatever other row holds its IIN.
    let mut accepted_children = FxHashSet::with_capacity_and_hasher(children.len(), Default::default());
    let mut rejected_children = FxHashSet::default();
    let mut child_rows_accepted = vec![false; children.len()];
    for (index, mut cells) in children.into_iter().enumerate() {
        match check_child(&mut cells, context) {
            Ok((child, warnings)) if accepted_children.insert(child.iin) => {
                push_warnings(&mut checked.warnings, TableKind::Children, index, warnings);
                checked.children.push((index, child));
                child_rows_accepted[index] = true;
            }
            Ok(_) => reject(&mut checked, TableKind::Children, index, duplicate(&CHILDREN, &cells, "iin")),
            Err(issue) => {
                if let Some(key) = cells.first().map(iin_key) {
                    rejected_children.insert(key);
                }
                reject(&mut checked, TableKind::Children, index, issue);
            }
        }
    }
    let accepted_keys: FxHashSet<String> = accepted_children.iter().map(Iin::as_string).collect();
    rejected_children.retain(|key| !key.is_empty() && !accepted_keys.contains(key));

    // Whether a nested row's own child row was rejected.
    let parent_rejected = |parents: &[Option<usize>], index: usize| {
        parents
            .get(index)
            .copied()
            .flatten()
            .is_some_and(|parent| !child_rows_accepted.get(parent).copied().unwrap_or(false))
    };
    fn child_rejected(table: &'static TableDef, cells: &[Cell]) -> RowIssue {
        Row { table, cells }.issue("iin", RejectCode::ChildRejected, "the child's row was rejected")
    }
    let parent_issue = |table: &'static TableDef, cells: &[Cell], iin: Iin| -> Option<RowIssue> {
        let row = Row { table, cells };
        if accepted_children.contains(&iin) {
            None
        } else if rejected_children.contains(&iin.as_string()) {
            Some(row.issue("iin", RejectCode::ChildRejected, "the child's row was rejected"))
        } else {
            // The code's description says it all.
            Some(row.issue("iin", RejectCode::ChildUnknown, ""))
        }
    };

    // The ids of the measures accepted so far, as their places in `checked.measures`: no
    // copy of each id, and entries of a few bytes in a table that a drop of millions of
    // measures probes at random.
    let mut measure_ids: HashTable<usize> = HashTable::with_capacity(measures.len());
    for (index, mut cells) in measures.into_iter().enumerate() {
        if parent_rejected(&measure_parents, index) {
            reject(&mut checked, TableKind::Measures, index, child_rejected(&MEASURES, &cells));
            continue;
        }
        let outcome = check_measure(&mut cells, context).and_then(|(measure, warnings)| {
            let cells = &cells;
            if let Some(issue) = parent_issue(&MEASURES, cells, measure.iin) {
                return Err(issue);
            }
            if let Some(teacher) = measure.teacher_id
                && !teacher_ids.contains(&teacher)
            {
                return Err(Row { table: &MEASURES, cells }.issue(
                    "teacher_id",
                    RejectCode::TeacherUnknown,
                    "no such teacher in this drop",
                ));
            }
            let accepted = &checked.measures;
            let id_at = |at: &usize| accepted[*at].1.measure_id.as_str();
            let generated = cells.get(MEASURES.index("measure_id")).is_none_or(Cell::is_empty);
            let mut measure = measure;
            // A generated id is tried twice: as it always was, then with the discipline
            // and the provider ([`second_measure_id`]).
            for attempt in 0..2 {
                let hash = FxBuildHasher.hash_one(measure.measure_id.as_str());
                match measure_ids.entry(hash, |at| id_at(at) == measure.measure_id, |at| FxBuildHasher.hash_one(id_at(at)))
                {
                    Entry::Occupied(held)
                        if generated
                            && attempt == 0
                            && (accepted[*held.get()].1.discipline != measure.discipline
                                || accepted[*held.get()].1.provider != measure.provider) =>
                    {
                        measure.measure_id = second_measure_id(&measure)
                    }
                    Entry::Occupied(_) if generated => {
                        let detail = Detail::said(
                            "an earlier row is the same measure: child, type, title, planned dates, discipline and provider",
                            "жоғарыдағы бір жол — дәл осы шара: баласы, түрі, атауы, жоспарлы күндері, пәні және ұйымдастырушысы бірдей",
                            "строка выше — та же мера: тот же ребёнок, вид, название, плановые даты, дисциплина и организатор",
                        );
                        return Err(Row { table: &MEASURES, cells }.issue("measure_id", RejectCode::DuplicateKey, detail));
                    }
                    Entry::Occupied(_) => return Err(duplicate(&MEASURES, cells, "measure_id")),
                    // The place the measure takes below: nothing rejects it after this.
                    Entry::Vacant(slot) => {
                        slot.insert(accepted.len());
                        break;
                    }
                }
            }
            Ok((measure, warnings))
        });
        match outcome {
            Ok((measure, warnings)) => {
                push_warnings(&mut checked.warnings, TableKind::Measures, index, warnings);
                checked.measures.push((index, measure));
            }
            Err(issue) => reject(
                &mut checked,
                TableKind::Measures,
                index,
                cascade_first(&MEASURES, &cells, issue, &rejected_children),
            ),
        }
    }

    for (index, mut cells) in achievements.into_iter().enumerate() {
        if parent_rejected(&achievement_parents, index) {
            reject(&mut checked, TableKind::Achievements, index, child_rejected(&ACHIEVEMENTS, &cells));
            continue;
        }
        let outcome = check_achievement(&mut cells, context).and_then(|(achievement, warnings)| {
            let cells = &cells;
            if let Some(issue) = parent_issue(&ACHIEVEMENTS, cells, achievement.iin) {
                return Err(issue);
            }
            if achievement.teacher_ids.iter().any(|teacher| !teacher_ids.contains(teacher)) {
                return Err(Row { table: &ACHIEVEMENTS, cells }.issue(
                    "teacher_ids",
                    RejectCode::TeacherUnknown,
                    "a teacher not in this drop",
                ));
            }
            Ok((achievement, warnings))
        });
        match outcome {
            Ok((achievement, warnings)) => {
                push_warnings(&mut checked.warnings, TableKind::Achievements, index, warnings);
                checked.achievements.push((index, achievement));
            }
            Err(issue) => reject(
                &mut checked,
                TableKind::Achievements,
                index,
                cascade_first(&ACHIEVEMENTS, &cells, issue, &rejected_children),
            ),
        }
    }
    checked
}

/// A row of a rejected child is reported as cascaded even when it has faults of its own:
/// the coordinator fixes the child first.
fn cascade_first(
    table: &'static TableDef,
    cells: &[Cell],
    issue: RowIssue,
    rejected_children: &FxHashSet<String>,
) -> RowIssue {
    match cells.get(table.index("iin")).map(iin_key) {
        Some(key) if rejected_children.contains(&key) && issue.code != RejectCode::ChildRejected => {
            Row { table, cells }.issue("iin", RejectCode::ChildRejected, "the child's row was rejected")
        }
        _ => issue,
    }
}

/// What ties a row to its child, even when the IIN is broken: the twelve digits of a
/// valid IIN, or the trimmed text as written. Rows nested under a child in JSONL carry
/// their parent's text, so they cascade from it whatever is wrong with it.
pub fn iin_key(cell: &Cell) -> String {
    cell_iin(cell).map(|iin| iin.as_string()).unwrap_or_else(|_| cell.shown().trim().to_owned())
}

/// The IIN a cell holds: a number whose leading zeros a spreadsheet dropped, or text.
pub(super) fn cell_iin(cell: &Cell) -> Result<Iin, IinError> {
    match cell {
        Cell::Number(number) => Iin::from_number(*number),
        Cell::Text(text) => Iin::parse(text),
        other => Iin::parse(&other.shown()),
    }
}

fn duplicate(table: &'static TableDef, cells: &[Cell], column: &'static str) -> RowIssue {
    let detail = Detail::said(
        format!("an earlier row has the same `{column}`"),
        format!("жоғарыдағы бір жолда `{column}` мәні дәл осындай"),
        format!("в одной из строк выше то же значение `{column}`"),
    );
    Row { table, cells }.issue(column, RejectCode::DuplicateKey, detail)
}

fn push_warnings(into: &mut Vec<Warning>, table: TableKind, index: usize, warnings: Vec<RowWarning>) {
    into.extend(warnings.into_iter().map(|warning| Warning { table, index, warning }));
}

/// Counts of a checked drop by reject code, for reports.
pub fn count_by_code(rejections: &[Rejection]) -> HashMap<RejectCode, usize> {
    let mut counts = HashMap::new();
    for rejection in rejections {
        *counts.entry(rejection.issue.code).or_insert(0) += 1;
    }
    counts
}
