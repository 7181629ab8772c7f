//! JSON Lines: `roadmap.jsonl`, one nested document per child (contract section 5), or
//! a per-table file (`children.jsonl`, …) of flat objects.
//!
//! Keys are the canonical column names; template headers in Kazakh or Russian are
//! accepted as in CSV. Values: strings as text, numbers as numbers, booleans as
//! booleans, `null` as empty, arrays as one list cell (each item one item, whatever it
//! holds: each ends with [`LIST_ITEM_SEPARATOR`]); free text as an array is its parts
//! joined with `; `. An object, or an array where the form has one typed value (a date,
//! a number, a word, an IIN), makes the line unreadable. When two keys name one
//! column, the first as written wins and the other is reported as unknown.
//!
//! In `roadmap.jsonl` a child's `measures`, `achievements` and `teachers` arrays become
//! rows of those tables located at the child's line with their index (`measures[2]`).
//! Nested measures and achievements take the child's `iin` cell (a clone of it, so a
//! rejected child takes them with it); an `iin` key of their own is overridden. A teacher
//! nested under several children is one teacher: the first with a given `teacher_id`
//! is kept, later ones are skipped.
//!
//! A line that is not a JSON object is a [`BrokenRecord`](super::BrokenRecord) of the
//! file's table (children for `roadmap.jsonl`); so is a nested element that is not an
//! object, or a nested list that is not an array. Blank lines are skipped.

use std::collections::HashSet;
use std::sync::Arc;

use daryn_registry::cell::{Cell, LIST_ITEM_SEPARATOR};
use daryn_registry::form::rules::iin_key;
use daryn_registry::form::{CHILDREN, TableKind};
use serde_json::Value;

use self::document::{KeyCache, NestedList};
use super::{DropBuilder, FileInput, NestedRow, RowLocation, TableRows};
use crate::error::{Error, Result};

mod document;

/// The children's keys that hold nested rows, in the order they are read.
const NESTED: [TableKind; 3] = [TableKind::Measures, TableKind::Achievements, TableKind::Teachers];

/// The longest line read: a child's whole roadmap, its measures, achievements and
/// teachers nested, is far shorter, and a line is held several times over as it is read
/// (about ten times its length), so an endless one would take the machine's memory.
const MAX_LINE_BYTES: usize = 16 << 20;

/// Reads a JSONL file: every table of a `roadmap.jsonl` (`table` is `None`), or the one
/// table `table`. Returns the manifest's count: the non-blank lines.
pub(super) fn read(input: &FileInput<'_>, table: Option<TableKind>, builder: &mut DropBuilder) -> Result<u64> {
    let mut reader = JsonlReader::new(input.name.clone(), table.is_none());
    let line_table = table.unwrap_or(TableKind::Children);
    let bytes = input.bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(input.bytes);
    // An export of the children cut short before it began (as for CSV): published, it
    // would remove every child of the region.
    if line_table == TableKind::Children && bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::Unreadable {
            path: input.path.clone(),
            reason: "the file is empty; the children table needs at least one child".to_owned(),
        });
    }
    let mut lines = 0u64;
    for (index, line) in bytes.split(|&byte| byte == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        lines += 1;
        if line.len() > MAX_LINE_BYTES {
            return Err(Error::Unreadable {
                path: input.path.clone(),
                reason: format!(
                    "line {} is longer than {} MiB, which no child's roadmap is",
                    index + 1,
                    MAX_LINE_BYTES >> 20
                ),
            });
        }
        reader.line(line_table, index as u64 + 1, line);
    }
    let JsonlReader { tables, unknown, broken, .. } = reader;
    // The lines that could not be read first: a file holding only those holds records.
    for (table, location, reason) in broken {
        builder.broken(table, location, reason);
    }
    for rows in tables {
        let kind = rows.table;
        if table.is_none() || table == Some(kind) {
            builder.put_table(kind, input.name.to_string(), rows, false)?;
        }
    }
    for (list, key) in unknown {
        match list {
            Some(list) => builder.unknown_column(&input.name, &format!("{list}.{key}")),
            None => builder.unknown_column(&input.name, &key),
        }
    }
    Ok(lines)
}

struct JsonlReader {
    file: Arc<str>,
    tables: [TableRows; 4],
    keys: KeyCache,
    teacher_ids: HashSet<String>,
    /// Unknown keys, with the list of a nested row's key.
    unknown: Vec<(Option<TableKind>, String)>,
    broken: Vec<(TableKind, RowLocation, String)>,
}

impl JsonlReader {
    fn new(file: Arc<str>, nested: bool) -> JsonlReader {
        JsonlReader {
            file,
            tables: TableKind::ALL.map(TableRows::new),
            keys: KeyCache::new(nested),
            teacher_ids: HashSet::new(),
            unknown: Vec::new(),
            broken: Vec::new(),
        }
    }

    fn location(&self, line: u64, nested: Option<NestedRow>) -> RowLocation {
        RowLocation { file: self.file.clone(), sheet: None, row: line, line: None, nested }
    }

    /// Reads one line of `table` (children in `roadmap.jsonl`).
    fn line(&mut self, table: TableKind, number: u64, line: &[u8]) {
        let location = self.location(number, None);
        let document = match document::parse_line(line, table, &mut self.keys) {
            Ok(Some(document)) => document,
            Ok(None) => return self.broken.push((table, location, "the line is not a JSON object".to_owned())),
            Err(error) if error.is_data() => return self.broken.push((table, location, within_line(&error, line))),
            Err(error) => {
                let reason = format!("the line is not valid JSON: {}", within_line(&error, line));
                return self.broken.push((table, location, reason));
            }
        };
        self.note_unknown(document.unknown);
        // Only a child of `roadmap.jsonl` has lists.
        let parent_iin =
            if document.lists.is_empty() { Cell::Empty } else { document.cells[CHILDREN.index("iin")].clone() };
        let parent = self.tables[table as usize].len();
        self.tables[table as usize].push(document.cells, location);
        for (list, value) in document.lists {
            self.nested_list(list, value, number, (parent, &parent_iin));
        }
    }

    /// The nested rows of one list of a child's document.
    /// `parent`: the child's row and its `iin` cell.
    fn nested_list(&mut self, list: TableKind, value: NestedList, line: u64, (parent, parent_iin): (usize, &Cell)) {
        let items = match value {
            NestedList::Null => return,
            NestedList::Items(items) => items,
            NestedList::NotAnArray => {
                let reason = format!("`{list}` is not a JSON array");
                return self.broken.push((list, self.location(line, None), reason));
            }
        };
        let definition = list.definition();
        for (index, item) in items.into_iter().enumerate() {
            let location = self.location(line, Some(NestedRow { list, index, parent }));
            let Some(document) = item else {
                let reason = format!("`{list}[{index}]` is not a JSON object");
                self.broken.push((list, location, reason));
                continue;
            };
            self.note_unknown(document.unknown);
            let mut cells = document.cells;
            if list == TableKind::Teachers {
                // One teacher whether her IIN is written as text or as a number.
                let id = iin_key(&cells[definition.index("teacher_id")]);
                if !id.is_empty() && !self.teacher_ids.insert(id) {
                    continue;
                }
            } else {
                cells[definition.index("iin")] = parent_iin.clone();
            }
            self.tables[list as usize].push(cells, location);
        }
    }

    fn note_unknown(&mut self, keys: Vec<(Option<TableKind>, String)>) {
        for key in keys {
            // The drop lists so many at most ([`super::DropBuilder`]); one more says there
            // are more, and each key is looked up among few.
            if self.unknown.len() > super::MAX_UNKNOWN_COLUMNS {
                return;
            }
            if !self.unknown.contains(&key) {
                self.unknown.push(key);
            }
        }
    }
}

/// serde's message with the place in the line: it counts the line alone, so its `at line
/// 1 column 363` would contradict the row the rejection gives.
fn within_line(error: &serde_json::Error, line: &[u8]) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(at) if error.line() > 0 => {
            // serde counts bytes; a Cyrillic letter is two.
            let before = &line[..error.column().min(line.len())];
            let character = String::from_utf8_lossy(before).chars().count();
            format!("{} (at character {character} of the line)", &text[..at])
        }
        _ => text,
    }
}

/// A JSON value as a cell. `iins`: the column holds IINs (a list of them is read here).
fn cell_of(value: Value, iins: bool) -> Cell {
    match value {
        Value::Null => Cell::Empty,
        Value::Bool(value) => Cell::Bool(value),
        Value::Number(number) => number.as_f64().map(Cell::Number).unwrap_or_else(|| Cell::text(number.to_string())),
        Value::String(text) => Cell::text(text),
        Value::Array(items) => {
            let items: Vec<String> = items.into_iter().filter_map(|item| item_text(item, iins)).collect();
            // Each item ends with the separator, so that one item is one item too.
            Cell::text(items.iter().fold(String::new(), |mut text, item| {
                text.push_str(item);
                text.push(LIST_ITEM_SEPARATOR);
                text
            }))
        }
        object @ Value::Object(_) => Cell::text(object.to_string()),
    }
}

/// A list item as text: strings as written, whole numbers without a fraction. An IIN
/// written as a number lost its leading zeros: it gets them back, as an IIN in a
/// numeric cell does.
pub(super) fn item_text(value: Value, iins: bool) -> Option<String> {
    let text = match value {
        Value::Null => return None,
        Value::String(text) => text,
        Value::Number(number) => match number.as_f64() {
            Some(float) if iins && float.fract() == 0.0 && (0.0..1e12).contains(&float) => format!("{float:012.0}"),
            Some(float) => Cell::Number(float).display(),
            None => number.to_string(),
        },
        Value::Bool(value) => value.to_string(),
        other => other.to_string(),
    };
    (!text.trim().is_empty()).then_some(text)
}

#[cfg(test)]
mod tests;
