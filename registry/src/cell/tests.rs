use super::*;
use proptest::prelude::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn dates_in_every_shape_of_the_contract() {
    let first_of_september = date(2025, 9, 1);
    for text in ["2025-09-01", "01.09.2025", "1.9.2025", "2025-09-01T00:00:00"] {
        assert_eq!(parse_date(&Cell::text(text)), Some(first_of_september), "{text}");
    }
    // 2025-09-01 is serial 45901: 2 days from 1899-12-30 to 1900-01-01, then
    // 125 × 365 + 31 leap days (1904…2024) = 45,656 to 2025-01-01, then
    // 31+28+31+30+31+30+31+31 = 243 days to 1 September: 2 + 45,656 + 243 = 45,901.
    assert_eq!(parse_date(&Cell::Number(45901.0)), Some(first_of_september));
    assert_eq!(parse_date(&Cell::text("45901")), Some(first_of_september));
    assert_eq!(parse_date(&Cell::text("31.02.2025")), None);
    assert_eq!(parse_date(&Cell::text("2025/13/01")), None);
    assert_eq!(parse_date(&Cell::text("вчера")), None);
    assert_eq!(parse_date(&Cell::Number(-4.0)), None);
    assert_eq!(parse_date(&Cell::Empty), None);
}

#[test]
fn slashed_dates_only_when_day_and_month_cannot_be_mixed_up() {
    let thirteenth = date(2025, 9, 13);
    assert_eq!(parse_date(&Cell::text("13/09/2025")), Some(thirteenth));
    assert_eq!(parse_date(&Cell::text("09/13/2025")), Some(thirteenth));
    assert_eq!(parse_date(&Cell::text("5/5/2025")), Some(date(2025, 5, 5)));
    assert_eq!(parse_date(&Cell::text("03/09/2025")), None);
    assert!(is_ambiguous_date(&Cell::text("03/09/2025")));
    assert!(is_ambiguous_date(&Cell::text("3/9/2025 0:00")));
    // No date either way is not ambiguous, only wrong.
    assert!(!is_ambiguous_date(&Cell::text("31/31/2025")) && !is_ambiguous_date(&Cell::text("13/09/2025")));
    assert_eq!(parse_date(&Cell::text("31/02/2025")), None);
}

#[test]
fn a_date_with_its_time_and_zone() {
    // Local midnight in Kazakhstan as a JavaScript or .NET serialiser writes it in
    // UTC: 19:00 the evening before, +5 h.
    assert_eq!(parse_date(&Cell::text("2012-02-29T19:00:00.000Z")), Some(date(2012, 3, 1)));
    assert_eq!(parse_date(&Cell::text("2026-11-24T19:30:00Z")), Some(date(2026, 11, 25)));
    assert_eq!(parse_date(&Cell::text("2026-11-24T18:59:59Z")), Some(date(2026, 11, 24)));
    // A zone of Kazakhstan leaves the date as written: midnight at Almaty's +06:00 of
    // the years before 2024 is no day earlier.
    for text in
        ["2012-03-15T00:00:00+06:00", "2012-03-15T00:00:00+0600", "2012-03-15 00:00:00+06", "15.03.2012 0:00:00 +05:00"]
    {
        assert_eq!(parse_date(&Cell::text(text)), Some(date(2012, 3, 15)), "{text}");
    }
    // That midnight sent in UTC, 18:00 the day before, is 23:00 at +05:00: that day.
    assert_eq!(parse_date(&Cell::text("2012-03-14T18:00:00Z")), Some(date(2012, 3, 15)));
    // Elsewhere: 19:00 at -03:00 is 22:00 UTC, 03:00 the next day at +05:00.
    assert_eq!(parse_date(&Cell::text("2026-01-09 19:00:00-0300")), Some(date(2026, 1, 10)));
    assert_eq!(parse_date(&Cell::text("2024-07-16T19:00:00+00")), Some(date(2024, 7, 17)));
    assert_eq!(parse_date(&Cell::text("2024-07-16 19:00:00 UTC")), Some(date(2024, 7, 17)));
    // A range of times is no time, nor are colons anywhere in a zone.
    for text in
        ["01.09.2025 10:00-10:30", "01.09.2025 9:00-12:00", "2025-09-01T10:00:00+:0500", "2025-09-01T10:00:00+0:5:0:0"]
    {
        assert_eq!(parse_date(&Cell::text(text)), None, "{text}");
    }
    // Without a zone, the date as written.
    for text in [
        "14.10.2013 0:00",
        "2013-10-14 23:59:59",
        "2013-10-14T12:30",
        "14.10.2013 г.",
        "14.10.2013 года",
        "14.10.2013 жыл",
        "14.10.2013 г.р.",
        "2013-10-14T24:00:00.000",
        "2013-10-14 00:00:00,000",
        "2013-10-14 12:00 AM",
        "14.10.2013 12:00:00 PM",
        "10/14/2013 12:00:00 AM",
        "2013-10-14T24:00:00",
        "\u{0}14.10.2013\u{0}",
    ] {
        assert_eq!(parse_date(&Cell::text(text)), Some(date(2013, 10, 14)), "{text}");
    }
    // Anything else after the date is no time: the cell is refused, not cut short.
    for text in
        ["2012-03-01 junk", "2012-03-01Tfoo", "01.03.2026 - 03.03.2026", "2012-03-01T25:00", "2012-03-01T10:00+99:00"]
    {
        assert_eq!(parse_date(&Cell::text(text)), None, "{text}");
    }
}

#[test]
fn a_serial_typed_as_text_has_no_leading_zero() {
    // 2012-03-01 is 4,932 days before 2025-09-01 (45,901): 13 years with the leap
    // days of 2016, 2020 and 2024, then March to August, 184 days.
    assert_eq!(parse_date(&Cell::text("40969")), Some(date(2012, 3, 1)));
    // `ddmmyy`, not serial 10312 (a day of 1928).
    assert_eq!(parse_date(&Cell::text("010312")), None);
}

#[test]
fn a_year_alone_or_a_year_out_of_the_form_is_no_date() {
    // Read as serials these were 16 and 17 July 1905 (2024 and 2025 days after
    // 1899-12-30), and stored so.
    assert_eq!(parse_date(&Cell::text("2024")), None);
    assert_eq!(parse_date(&Cell::Number(2025.0)), None);
    assert!(is_bare_year(&Cell::text(" 2024 ")) && is_bare_year(&Cell::Number(2025.0)));
    assert!(!is_bare_year(&Cell::text("45901")) && !is_bare_year(&Cell::text("вчера")));
    // Serial 10000: 2 days to 1900-01-01, 27 years with 6 leap days (1904…1924) =
    // 9,861 days to 1927-01-01, then 137 days (31+28+31+30+17) to 18 May.
    assert_eq!(parse_date(&Cell::text("10000")), Some(date(1927, 5, 18)));
    assert_eq!(parse_date(&Cell::Number(9999.0)), None);
    // Signs and years before 1900 were dates of antiquity.
    for text in ["01.01.-500", "1.1.+999", "-500-01-01", "01.01.0999", "1899-12-31", "01.01.2200"] {
        assert_eq!(parse_date(&Cell::text(text)), None, "{text}");
    }
    assert_eq!(parse_date(&Cell::text("01.01.1900")), Some(date(1900, 1, 1)));
}

#[test]
fn blank_is_only_white_space_whatever_the_first_byte() {
    let mut samples = vec![String::new(), "\u{7f}".to_owned(), "№".to_owned(), "Ә".to_owned()];
    // Every white space character, alone, doubled, and before a letter.
    for ch in (0..0x3001u32).filter_map(char::from_u32).filter(|ch| ch.is_whitespace() || ch.is_ascii()) {
        samples.extend([ch.to_string(), format!("{ch}{ch}"), format!("{ch}қ"), format!("қ{ch}")]);
    }
    for sample in &samples {
        assert_eq!(
            is_blank(sample),
            sample.trim_matches(|ch: char| ch.is_whitespace() || ch < ' ').is_empty(),
            "{sample:?}"
        );
    }
    assert!(is_blank(" \u{a0}\u{3000}\t"));
    assert!(!is_blank("\u{a0}Абай"));
}

#[test]
fn control_characters_go_as_white_space_does() {
    assert_eq!(Cell::text("\u{0}Ермекбаев").as_clean_text().as_deref(), Some("Ермекбаев"));
    assert_eq!(Cell::text("Ермек\u{1}\u{0}баев").as_clean_text().as_deref(), Some("Ермек баев"));
    assert!(Cell::text("\u{0}").is_empty() && Cell::text(" \u{0}\u{1b} ").as_clean_text().is_none());
    assert_eq!(Cell::text("Ермекбаев").clean_text(), Some(Cow::Borrowed("Ермекбаев")));
}

#[test]
fn taken_text_is_the_clean_text_and_leaves_the_cell_empty() {
    let mut clean = Cell::text("Назарбаев Зияткерлік мектебі");
    assert_eq!(clean.take_clean_text().as_deref(), Some("Назарбаев Зияткерлік мектебі"));
    assert_eq!(clean, Cell::Empty);
    // Not clean: the collapsed copy, and the cell keeps what was written.
    let mut spaced = Cell::text("  Абай   атындағы ");
    assert_eq!(spaced.take_clean_text().as_deref(), Some("Абай атындағы"));
    assert_eq!(spaced, Cell::text("  Абай   атындағы "));
    assert_eq!(Cell::Number(7.0).take_clean_text().as_deref(), Some("7"));
    assert_eq!(Cell::text("   ").take_clean_text(), None);
    assert_eq!(Cell::Empty.take_clean_text(), None);
}

#[test]
fn booleans_in_three_languages_and_symbols() {
    for yes in ["иә", "Да", "yes", "TRUE", "1", "+"] {
        assert_eq!(parse_bool(&Cell::text(yes)), Some(true), "{yes}");
    }
    for no in ["жоқ", "нет", "No", "false", "0", "-"] {
        assert_eq!(parse_bool(&Cell::text(no)), Some(false), "{no}");
    }
    assert_eq!(parse_bool(&Cell::Number(1.0)), Some(true));
    assert_eq!(parse_bool(&Cell::text("maybe")), None);
}

#[test]
fn numbers_stored_as_text_and_amounts_with_spaces() {
    assert_eq!(parse_int(&Cell::text(" 7 ")), Some(7));
    assert_eq!(parse_int(&Cell::text("7.0")), Some(7));
    assert_eq!(parse_int(&Cell::Number(11.0)), Some(11));
    assert_eq!(parse_int(&Cell::text("7.5")), None);
    assert_eq!(parse_amount_tiyn(&Cell::text("25 000,50")), Some(2_500_050));
    assert_eq!(parse_amount_tiyn(&Cell::text("25\u{a0}000")), Some(2_500_000));
    assert_eq!(parse_amount_tiyn(&Cell::Number(1500.0)), Some(150_000));
    assert_eq!(parse_amount_tiyn(&Cell::text("много")), None);
    // A thousands separator, not three decimals of a tenge.
    assert_eq!(parse_amount_tiyn(&Cell::text("25,000")), None);
    assert_eq!(parse_amount_tiyn(&Cell::text("25.000")), None);
    assert_eq!(parse_amount_tiyn(&Cell::text("25,5")), Some(2_550));
    assert_eq!(parse_amount_tiyn(&Cell::text("1.500")), None);
    // Both marks: the last is the decimal one (Excel's `#,##0.00` saved as CSV in
    // English, or in German); a mark given twice separates thousands.
    assert_eq!(parse_amount_tiyn(&Cell::text("25,000.00")), Some(2_500_000));
    assert_eq!(parse_amount_tiyn(&Cell::text("1,234,567.89")), Some(123_456_789));
    assert_eq!(parse_amount_tiyn(&Cell::text("25.000,50")), Some(2_500_050));
    assert_eq!(parse_amount_tiyn(&Cell::text("1,250,000")), Some(125_000_000));
    assert_eq!(parse_amount_tiyn(&Cell::text("1.250.000")), Some(125_000_000));
    assert_eq!(parse_amount_tiyn(&Cell::text("-25,000.00")), Some(-2_500_000));
    // Separators that do not stand between groups of three are no amount.
    assert_eq!(parse_amount_tiyn(&Cell::text("2,50.00")), None);
    assert_eq!(parse_amount_tiyn(&Cell::text("25,0000.00")), None);
    assert_eq!(parse_amount_tiyn(&Cell::text("25.000.00")), None);
    assert_eq!(parse_amount_tiyn(&Cell::text("25.000,00.5")), None);
    assert_eq!(parse_amount_tiyn(&Cell::text("1,2,3")), None);
    assert_eq!(parse_amount_tiyn(&Cell::text(",000.00")), None);
    // Not ambiguous: four decimals, or a whole part of four digits.
    assert_eq!(parse_amount_tiyn(&Cell::text("25000.0000")), Some(2_500_000));
    assert_eq!(parse_amount_tiyn(&Cell::text("1500,125")), Some(150_013));
}

#[test]
fn lists_split_on_semicolons_and_commas() {
    assert_eq!(split_list("science; art,sport ,"), ["science", "art", "sport"]);
    assert_eq!(split_list("Робототехника, 3D\u{1f} art\u{1f}"), ["Робототехника, 3D", "art"]);
    assert_eq!(word_items(&Cell::text("science;art\u{1f}sport\u{1f}")), ["science", "art", "sport"]);
    assert!(split_list(" ; ").is_empty());
}

proptest! {
    #[test]
    fn iso_and_dotted_forms_agree(days in 0u64..60_000) {
        let day = date(1900, 3, 1) + Days::new(days);
        let iso = day.format("%Y-%m-%d").to_string();
        let dotted = day.format("%d.%m.%Y").to_string();
        let short = day.format("%-d.%-m.%Y").to_string();
        prop_assert_eq!(parse_date(&Cell::text(iso)), Some(day));
        prop_assert_eq!(parse_date(&Cell::text(dotted)), Some(day));
        prop_assert_eq!(parse_date(&Cell::text(short)), Some(day));
        let serial = (day - excel_epoch()).num_days() as f64;
        let read = SERIAL_RANGE.contains(&serial).then_some(day);
        prop_assert_eq!(parse_date(&Cell::Number(serial)), read);
    }

    #[test]
    fn iso_dates_read_as_chrono_reads_them(text in "[0-9]{4}-[0-9]{2}-[0-9]{2}") {
        let chrono = NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok().filter(|date| YEARS.contains(&date.year()));
        prop_assert_eq!(parse_date(&Cell::text(text)), chrono);
    }

    #[test]
    fn clean_text_is_the_text_with_its_whitespace_collapsed(text in "[ a\t\u{a0}б]{0,12}") {
        let expected = (!text.trim().is_empty()).then(|| text.split_whitespace().collect::<Vec<_>>().join(" "));
        prop_assert_eq!(Cell::text(text).as_clean_text(), expected);
    }

    #[test]
    fn no_text_makes_a_parser_panic(text in "\\PC{0,24}") {
        let cell = Cell::text(text.clone());
        let _ = parse_date(&cell);
        let _ = parse_bool(&cell);
        let _ = parse_int(&cell);
        let _ = parse_amount_tiyn(&cell);
        let _ = split_list(&text);
    }
}
