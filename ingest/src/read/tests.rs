use super::*;

#[test]
fn data_files_are_told_by_name_in_three_languages() {
    assert_eq!(classify("children.csv"), Some(FileRole::Table(TableKind::Children, Format::Csv)));
    assert_eq!(classify("Measures.XLSX"), Some(FileRole::Table(TableKind::Measures, Format::Xlsx)));
    assert_eq!(classify("Педагоги.csv"), Some(FileRole::Table(TableKind::Teachers, Format::Csv)));
    assert_eq!(classify("roadmap.xlsx"), Some(FileRole::Roadmap(Format::Xlsx)));
    assert_eq!(classify("RoadMap.jsonl"), Some(FileRole::Roadmap(Format::Jsonl)));
    for other in ["roadmap.csv", "manifest.json", "children.txt", "~$children.xlsx", "truth.jsonl", "children"] {
        assert_eq!(classify(other), None, "{other}");
    }
}

#[test]
fn a_file_beyond_any_export_is_refused_before_it_is_read() {
    // Sparse: the file takes no disk, and reading it would take 2 GiB of memory.
    let folder = tempfile::tempdir().unwrap();
    let file = std::fs::File::create(folder.path().join("children.csv")).unwrap();
    file.set_len(MAX_FILE_BYTES + 1).unwrap();
    let error = read_folder(folder.path()).unwrap_err();
    assert_eq!(error.code(), "table_unreadable");
    assert!(error.to_string().contains("it is 2147483649 bytes; a drop's file may be at most"), "{error}");
}

#[test]
fn a_drop_without_children_is_refused() {
    let files = vec![("measures.csv".to_owned(), b"iin,measure_type,title\n1,2,3\n".to_vec())];
    let error = read_drop_files(Path::new("35"), files).unwrap_err();
    assert_eq!(error.code(), "table_missing");
    // A children table in a format the form does not take is named in the message.
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("children.txt"), "iin\tlast_name\n").unwrap();
    std::fs::write(folder.path().join("notes.txt"), "").unwrap();
    std::fs::write(folder.path().join("measures.csv"), "iin,measure_type,title\n1,2,3\n").unwrap();
    let error = read_folder(folder.path()).unwrap_err();
    assert_eq!(error.code(), "table_missing");
    let message = error.to_string();
    assert!(message.ends_with("table (not read: `children.txt`; the form takes a table as .csv, .xlsx or .jsonl: Excel's \"Unicode text\" is read when renamed to .csv)"), "{message}");
}

#[test]
fn a_table_given_twice_is_refused() {
    let table = b"iin,last_name,first_name\n1,A,B\n".to_vec();
    let files = vec![("children.csv".to_owned(), table.clone()), ("Дети.csv".to_owned(), table.clone())];
    let error = read_drop_files(Path::new("35"), files).unwrap_err();
    assert!(matches!(error, Error::AmbiguousTable { table: TableKind::Children, .. }), "{error}");
    // A file with only the header gives way to the one with rows, whichever is read
    // first (files are read in name order).
    let header = b"iin,last_name,first_name\n".to_vec();
    for (empty, full) in [("children.csv", "Дети.csv"), ("Дети.csv", "children.csv")] {
        let files = vec![(empty.to_owned(), header.clone()), (full.to_owned(), table.clone())];
        let content = read_drop_files(Path::new("35"), files).unwrap();
        assert_eq!(&*content.table(TableKind::Children).locations[0].file, full);
    }
    // A file whose only line cannot be read holds a record: still ambiguous. One with
    // rows and a broken line beside a header-only file is the table, either way round.
    let broken = b"not json\n".to_vec();
    let files = vec![("children.csv".to_owned(), table.clone()), ("children.jsonl".to_owned(), broken)];
    let error = read_drop_files(Path::new("35"), files).unwrap_err();
    assert_eq!(error.code(), "table_ambiguous");
    let rows_and_broken = b"{\"iin\":\"1\"}\nnot json\n".to_vec();
    for files in [
        vec![("children.csv".to_owned(), header.clone()), ("children.jsonl".to_owned(), rows_and_broken.clone())],
        vec![("children.jsonl".to_owned(), rows_and_broken.clone()), ("children.csv".to_owned(), header.clone())],
    ] {
        let content = read_drop_files(Path::new("35"), files).unwrap();
        assert_eq!(&*content.table(TableKind::Children).locations[0].file, "children.jsonl");
        assert_eq!(content.broken.len(), 1);
    }
}

#[test]
fn absent_optional_tables_are_empty_and_not_present() {
    let files = vec![("children.csv".to_owned(), b"iin,last_name,first_name\n1,A,B\n".to_vec())];
    let mut content = read_drop_files(Path::new("35"), files).unwrap();
    assert_eq!(content.present, [TableKind::Children]);
    assert!(content.table(TableKind::Teachers).is_empty());
    assert_eq!(content.files.len(), 1);
    assert_eq!(content.files[0].rows, 1);
    let rows = content.take_rows();
    assert_eq!(rows.children.len(), 1);
    assert_eq!(content.table(TableKind::Children).locations.len(), 1);
}

#[test]
fn locations_read_like_a_report() {
    let location = RowLocation {
        file: Arc::from("roadmap.jsonl"),
        sheet: None,
        row: 7,
        line: None,
        nested: Some(NestedRow { list: TableKind::Measures, index: 2, parent: 0 }),
    };
    assert_eq!(location.to_string(), "`roadmap.jsonl` row 7 `measures[2]`");
}
