//! Parses one JSONL line straight into rows of cells, without building a JSON tree of
//! the whole document: keys are looked up borrowed from the line, and each value is
//! turned into a [`Cell`] as it is read. Nothing is kept from a line until it has been
//! read to its end, so a line that turns out to be broken leaves no trace.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use daryn_registry::cell::Cell;
use daryn_registry::form::{ColumnType, TableKind};
use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::{NESTED, cell_of, item_text};

/// Where a key of an object goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KeyTarget {
    Column(usize),
    /// A child's nested list (only in `roadmap.jsonl`).
    List(TableKind),
    Unknown,
}

/// Per table, every key seen so far and where it goes (looking a header up in the form
/// folds it in three languages: done once per key, not once per row).
pub(super) struct KeyCache {
    /// Whether children carry nested lists (`roadmap.jsonl`).
    nested: bool,
    targets: [HashMap<String, KeyTarget>; 4],
}

impl KeyCache {
    pub(super) fn new(nested: bool) -> KeyCache {
        KeyCache { nested, targets: Default::default() }
    }

    fn target(&mut self, table: TableKind, key: &str) -> KeyTarget {
        if let Some(target) = self.targets[table as usize].get(key) {
            return *target;
        }
        let column = table.definition().column_for_header(key).map(KeyTarget::Column);
        let list = TableKind::from_sheet_name(key)
            .filter(|list| self.nested && table == TableKind::Children && NESTED.contains(list))
            .map(KeyTarget::List);
        let target = column.or(list).unwrap_or(KeyTarget::Unknown);
        self.targets[table as usize].insert(key.to_owned(), target);
        target
    }
}

/// An object read as a row.
pub(super) struct Document {
    /// The row's cells in the form's column order.
    pub(super) cells: Vec<Cell>,
    /// A child's nested lists, in the order they were written.
    pub(super) lists: Vec<(TableKind, NestedList)>,
    /// Keys that name no column (or a column an earlier key named): the list a nested
    /// row belongs to, and the key.
    pub(super) unknown: Vec<(Option<TableKind>, String)>,
}

/// The value of a child's nested list key.
pub(super) enum NestedList {
    Null,
    NotAnArray,
    /// Each element: its row, or `None` when it is not an object.
    Items(Vec<Option<Document>>),
}

/// Reads one line: `Ok(None)` when it is JSON but not an object.
pub(super) fn parse_line(line: &[u8], table: TableKind, keys: &mut KeyCache) -> serde_json::Result<Option<Document>> {
    let mut deserializer = serde_json::Deserializer::from_slice(line);
    let document = ObjectSeed { keys, table, list: None }.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(document)
}

/// A key, borrowed from the line unless it holds escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, key: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(key)))
            }
            fn visit_str<E>(self, key: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(key.to_owned())))
            }
            fn visit_string<E>(self, key: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(key)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Reads a value that should be an object into a row of `table`; any other value gives
/// `None`. `list` is set for a row nested in a child's list.
struct ObjectSeed<'a> {
    keys: &'a mut KeyCache,
    table: TableKind,
    list: Option<TableKind>,
}

impl<'de> DeserializeSeed<'de> for ObjectSeed<'_> {
    type Value = Option<Document>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<Document>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// Answers `None` to every value that is not what the seed reads.
macro_rules! anything_else_is {
    ($answer:expr) => {
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok($answer)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok($answer)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok($answer)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok($answer)
        }
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok($answer)
        }
    };
}

impl<'de> Visitor<'de> for ObjectSeed<'_> {
    type Value = Option<Document>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a JSON object")
    }

    anything_else_is!(None);

    fn visit_unit<E>(self) -> Result<Option<Document>, E> {
        Ok(None)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<Document>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<Document>, A::Error> {
        let width = self.table.definition().columns.len();
        let mut document = Document { cells: vec![Cell::Empty; width], lists: Vec::new(), unknown: Vec::new() };
        let mut taken = vec![false; width];
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            match self.keys.target(self.table, &key) {
                KeyTarget::Column(column) if !taken[column] => {
                    taken[column] = true;
                    let definition = &self.table.definition().columns[column];
                    let value = map.next_value::<Value>()?;
                    let list = matches!(definition.column_type, ColumnType::List | ColumnType::EnumList(_));
                    let shape = match &value {
                        Value::Object(_) => Some("an object"),
                        // Free text may be written as an array of its parts.
                        Value::Array(_) if !list && definition.column_type != ColumnType::Text => Some("an array"),
                        Value::Array(items) if items.iter().any(|item| item.is_object() || item.is_array()) => {
                            Some("an array of arrays or objects")
                        }
                        _ => None,
                    };
                    if let Some(shape) = shape {
                        let wanted = if list { "a list" } else { "one value" };
                        let at = self.list.map(|list| format!("`{list}`: ")).unwrap_or_default();
                        return Err(A::Error::custom(format!("{at}`{key}` holds {shape} where the form has {wanted}")));
                    }
                    document.cells[column] = match value {
                        Value::Array(parts) if !list => text_of_parts(parts),
                        value => cell_of(value, definition.holds_iins()),
                    };
                }
                KeyTarget::List(list) => {
                    let items = map.next_value_seed(ListSeed { keys: &mut *self.keys, list })?;
                    document.lists.push((list, items));
                }
                KeyTarget::Column(_) | KeyTarget::Unknown => {
                    map.next_value::<IgnoredAny>()?;
                    document.unknown.push((self.list, key.into_owned()));
                }
            }
        }
        Ok(Some(document))
    }
}

/// Free text given as an array of its parts (`"interests": ["шахмат", "музыка"]`): the
/// parts joined with `; `.
fn text_of_parts(parts: Vec<Value>) -> Cell {
    let parts: Vec<String> = parts.into_iter().filter_map(|part| item_text(part, false)).collect();
    Cell::text(parts.join("; "))
}

/// Reads a child's nested list of `list` rows.
struct ListSeed<'a> {
    keys: &'a mut KeyCache,
    list: TableKind,
}

impl<'de> DeserializeSeed<'de> for ListSeed<'_> {
    type Value = NestedList;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<NestedList, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ListSeed<'_> {
    type Value = NestedList;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a JSON array of objects")
    }

    anything_else_is!(NestedList::NotAnArray);

    fn visit_unit<E>(self) -> Result<NestedList, E> {
        Ok(NestedList::Null)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NestedList, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(NestedList::NotAnArray)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NestedList, A::Error> {
        let mut items = Vec::new();
        while let Some(item) =
            seq.next_element_seed(ObjectSeed { keys: &mut *self.keys, table: self.list, list: Some(self.list) })?
        {
            items.push(item);
        }
        Ok(NestedList::Items(items))
    }
}
