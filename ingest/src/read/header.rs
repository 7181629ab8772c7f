//! Maps a file's header to the form's columns: canonical names and the Kazakh and
//! Russian template headers, in any case and with stray spaces (contract section 3).

use daryn_registry::cell::Cell;
use daryn_registry::form::TableDef;

/// A header row counts as one when at least this many of its cells name a column of
/// the form (every table has at least seven columns).
pub(super) const MIN_HEADER_COLUMNS: usize = 3;

/// Where each column of a file goes in the form's column order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct HeaderMap {
    /// For each column of the file, the form column it fills.
    targets: Vec<Option<usize>>,
    /// How many form columns the header names.
    recognised: usize,
    /// How many columns the form's table has.
    width: usize,
    /// For each form column the header names, the header as the file writes it.
    written: Vec<Option<String>>,
}

impl HeaderMap {
    /// Maps `headers` (in file order). Returns the map and the headers that name no
    /// column, or a column an earlier header already named (the first one wins).
    /// Blank headers are neither mapped nor reported.
    pub(super) fn build<'h>(
        definition: &TableDef,
        headers: impl IntoIterator<Item = &'h str>,
    ) -> (HeaderMap, Vec<&'h str>) {
        let width = definition.columns.len();
        let mut taken = vec![false; width];
        let mut written = vec![None; width];
        let mut targets = Vec::new();
        let mut unknown = Vec::new();
        for header in headers {
            let target = definition.column_for_header(header).filter(|&column| !taken[column]);
            match target {
                Some(column) => {
                    taken[column] = true;
                    written[column] = Some(header.trim_start_matches('\u{feff}').trim().to_owned());
                }
                None if !header.trim_start_matches('\u{feff}').trim().is_empty() => unknown.push(header),
                None => {}
            }
            targets.push(target);
        }
        let recognised = taken.iter().filter(|&&taken| taken).count();
        (HeaderMap { targets, recognised, width, written }, unknown)
    }

    pub(super) fn recognised(&self) -> usize {
        self.recognised
    }

    /// How many columns the file's header row has.
    pub(super) fn file_width(&self) -> usize {
        self.targets.len()
    }

    /// Whether this header names enough of the form's columns to be the header row.
    pub(super) fn is_header(&self) -> bool {
        self.recognised >= MIN_HEADER_COLUMNS.min(self.width)
    }

    /// The form column that the file's column `source` fills.
    pub(super) fn target(&self, source: usize) -> Option<usize> {
        self.targets.get(source).copied().flatten()
    }

    /// The header the file gives form column `column`, as written.
    pub(super) fn written(&self, column: usize) -> Option<&str> {
        self.written.get(column)?.as_deref()
    }

    /// A row of empty cells as long as the form's table.
    pub(super) fn empty_row(&self) -> Vec<Cell> {
        vec![Cell::Empty; self.width]
    }
}

/// True when no cell holds a value: such rows and records are skipped.
pub(super) fn is_blank(cells: &[Cell]) -> bool {
    cells.iter().all(Cell::is_empty)
}

#[cfg(test)]
mod tests {
    use daryn_registry::form::{CHILDREN, TEACHERS};

    use super::*;

    #[test]
    fn headers_in_three_languages_any_case_and_spacing() {
        let headers = ["\u{feff}ЖСН", "  last_name ", "ИМЯ", "Ескерту / Примечание", "", "iin"];
        let (map, unknown) = HeaderMap::build(&CHILDREN, headers);
        assert_eq!(map.target(0), Some(CHILDREN.index("iin")));
        assert_eq!(map.target(1), Some(CHILDREN.index("last_name")));
        assert_eq!(map.target(2), Some(CHILDREN.index("first_name")));
        assert_eq!(map.target(3), None);
        assert_eq!(map.target(4), None);
        // A second header for a column already named is unknown: the first one wins.
        assert_eq!(map.target(5), None);
        assert_eq!(map.target(99), None);
        assert_eq!(unknown, ["Ескерту / Примечание", "iin"]);
        assert_eq!(map.recognised(), 3);
        assert!(map.is_header());
    }

    #[test]
    fn a_title_row_is_not_a_header() {
        let (map, unknown) = HeaderMap::build(&TEACHERS, ["Дарынды балалардың жеке жол карталары", "", ""]);
        assert!(!map.is_header());
        assert_eq!(unknown.len(), 1);
    }
}
