//! Talent search (issue 5) end to end: the relevance suite over a generated registry,
//! `daryn search` as a user runs it, and the index lifecycle (incremental generations,
//! `--as-of`, a kill while indexing).
//!
//! The relevance suite reads the registry's own rows, picks children, teachers and
//! (region, grade) groups from them, and writes each query the way a person would type
//! it: names in the 2021 Latin alphabet, in passport romanisation, in Cyrillic without
//! Kazakh letters, with a typo, in capitals; disciplines inflected in Kazakh or Russian,
//! or named in another language. The transliterations here are the test's own tables,
//! not the product's folding. Each query's expected documents follow from the rows:
//! the children with that name, or with that discipline in that region and grade.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::{allow_every_shrink, daryn, spawn_daryn};
use chrono::NaiveDate;
use daryn_data::generate::{self, FormatChoice, GenerateOptions};
use daryn_registry::search::key::ChildKeyer;
use daryn_registry::search::{SearchIndex, SearchRequest, SortOrder};
use daryn_registry::store::Store;

fn generate_day(out: &Path, date: &str, children: u64, seed: u64) -> PathBuf {
    let options = GenerateOptions {
        out: out.to_owned(),
        children,
        seed,
        date: NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap(),
        error_rate: 0.0,
        format: FormatChoice::Mixed,
        classifier: None,
    };
    generate::generate(&options).unwrap().folder
}

fn ingest(registry: &Path, paths: &[&Path]) {
    let shrinks = allow_every_shrink();
    let mut args = vec!["ingest", "--registry", registry.to_str().unwrap()];
    args.extend(shrinks.iter().map(String::as_str));
    args.extend(paths.iter().map(|path| path.to_str().unwrap()));
    let output = daryn(&args);
    assert!(
        matches!(output.status.code(), Some(0) | Some(2)),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[derive(Clone, Debug)]
struct Person {
    region: String,
    id: String,
    last_name: String,
    first_name: String,
    grade: i64,
    disciplines: Vec<String>,
}

/// Rows of the current version, read with SQL through the store.
fn people(registry: &Path, sql: &str) -> Vec<Person> {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = Store::open(registry, false).unwrap();
        let version = store.current().unwrap().unwrap();
        let context = store.session(&version).await.unwrap();
        let batches = context.sql(sql).await.unwrap().collect().await.unwrap();
        let mut rows = Vec::new();
        for batch in batches {
            let json = {
                let mut writer = deltalake::arrow::json::ArrayWriter::new(Vec::new());
                writer.write_batches(&[&batch]).unwrap();
                writer.finish().unwrap();
                writer.into_inner()
            };
            let values: Vec<serde_json::Value> = serde_json::from_slice(&json).expect("rows as JSON");
            for value in values {
                let text = |name: &str| value[name].as_str().unwrap_or("").to_owned();
                rows.push(Person {
                    region: text("region"),
                    id: text("id"),
                    last_name: text("last_name"),
                    first_name: text("first_name"),
                    grade: value["grade"].as_i64().unwrap_or(0),
                    disciplines: value["disciplines"]
                        .as_array()
                        .map(|items| items.iter().filter_map(|item| item.as_str().map(str::to_owned)).collect())
                        .unwrap_or_default(),
                });
            }
        }
        rows
    })
}

fn children(registry: &Path) -> Vec<Person> {
    people(registry, "SELECT region, iin AS id, last_name, first_name, grade, disciplines FROM children ORDER BY iin")
}

/// The 2021 Kazakh Latin alphabet, with `і` as `ı` as the issue writes `Äigerım`.
fn latin_2021(text: &str) -> String {
    map_letters(text, |lower| match lower {
        'а' => "a",
        'ә' => "ä",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'ғ' => "ğ",
        'д' => "d",
        'е' => "e",
        'ё' => "io",
        'ж' => "j",
        'з' => "z",
        'и' | 'й' => "i",
        'і' => "ı",
        'к' => "k",
        'қ' => "q",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'ң' => "ñ",
        'о' => "o",
        'ө' => "ö",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ұ' => "ū",
        'ү' => "ü",
        'ф' => "f",
        'х' | 'һ' => "h",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "ş",
        'щ' => "şş",
        'ъ' | 'ь' => "",
        'ы' => "y",
        'э' => "e",
        'ю' => "iu",
        'я' => "ia",
        _ => "?",
    })
}

/// Passport romanisation: `Kairat`, `Zhanna`, `Yerlan`.
fn passport(text: &str) -> String {
    let romanised = map_letters(text, |lower| match lower {
        'а' | 'ә' => "a",
        'б' => "b",
        'в' => "v",
        'г' | 'ғ' => "g",
        'д' => "d",
        'е' | 'ё' | 'э' => "e",
        'ж' => "zh",
        'з' => "z",
        'и' | 'і' => "i",
        'й' | 'ы' => "y",
        'к' | 'қ' => "k",
        'л' => "l",
        'м' => "m",
        'н' | 'ң' => "n",
        'о' | 'ө' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' | 'ұ' | 'ү' => "u",
        'ф' => "f",
        'х' => "kh",
        'һ' => "h",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' | 'ь' => "",
        'ю' => "yu",
        'я' => "ya",
        _ => "?",
    });
    // A word-initial `Е` is written `Ye`.
    romanised
        .split(' ')
        .map(|word| word.strip_prefix('E').map(|rest| format!("Ye{rest}")).unwrap_or(word.to_owned()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Cyrillic typed on a Russian keyboard: Kazakh letters replaced by their plain neighbours.
fn without_kazakh_letters(text: &str) -> String {
    text.chars()
        .map(|ch| match ch {
            'Қ' => 'К',
            'қ' => 'к',
            'Ғ' => 'Г',
            'ғ' => 'г',
            'Ң' => 'Н',
            'ң' => 'н',
            'Ә' => 'А',
            'ә' => 'а',
            'Ө' => 'О',
            'ө' => 'о',
            'Ұ' | 'Ү' => 'У',
            'ұ' | 'ү' => 'у',
            'І' => 'И',
            'і' => 'и',
            'Һ' => 'Х',
            'һ' => 'х',
            other => other,
        })
        .collect()
}

fn map_letters(text: &str, letter: impl Fn(char) -> &'static str) -> String {
    let mut out = String::new();
    for ch in text.chars() {
        if ch == ' ' || ch == '-' {
            out.push(ch);
            continue;
        }
        let lower = ch.to_lowercase().next().unwrap();
        let mapped = letter(lower);
        if ch.is_uppercase() {
            let mut chars = mapped.chars();
            if let Some(first) = chars.next() {
                out.extend(first.to_uppercase());
                out.push_str(chars.as_str());
            }
        } else {
            out.push_str(mapped);
        }
    }
    out
}

/// Swaps the third and fourth letters: the commonest typo.
fn typo(word: &str) -> String {
    let mut letters: Vec<char> = word.chars().collect();
    letters.swap(2, 3);
    letters.into_iter().collect()
}

fn has_kazakh_letters(text: &str) -> bool {
    text.chars().any(|ch| "ӘәҒғҚқҢңӨөҰұҮүҺһІі".contains(ch))
}

/// One query of the suite.
struct Case {
    what: &'static str,
    request: SearchRequest,
    expected: BTreeSet<String>,
}

fn request(query: &str) -> SearchRequest {
    SearchRequest { query: query.to_owned(), limit: 10, ..SearchRequest::default() }
}

#[test]
fn relevance_suite_finds_every_expected_hit_in_the_top_ten() {
    let root = tempfile::tempdir().unwrap();
    let day = generate_day(&root.path().join("drops"), "2026-11-25", 3000, 97);
    let registry = root.path().join("registry");
    ingest(&registry, &[&day]);
    let keyer = ChildKeyer::load_or_create(&registry).unwrap();
    let children = children(&registry);
    assert!(children.len() > 2500, "{} children", children.len());
    let key = |person: &Person| keyer.child_key(&person.id);
    let mut same_name: BTreeMap<(String, String), Vec<&Person>> = BTreeMap::new();
    for child in &children {
        same_name.entry((child.last_name.clone(), child.first_name.clone())).or_default().push(child);
    }
    let namesakes = |child: &Person| -> BTreeSet<String> {
        same_name[&(child.last_name.clone(), child.first_name.clone())].iter().map(|c| key(c)).collect()
    };
    // Children whose full name is shared by at most two, with Kazakh letters in it.
    let kazakh_named: Vec<&Person> = children
        .iter()
        .filter(|child| has_kazakh_letters(&format!("{}{}", child.last_name, child.first_name)))
        .filter(|child| same_name[&(child.last_name.clone(), child.first_name.clone())].len() <= 2)
        .collect();
    assert!(kazakh_named.len() > 60, "{} children with Kazakh names", kazakh_named.len());

    let mut cases: Vec<Case> = Vec::new();
    let name_case = |what: &'static str, query: String, child: &Person| Case {
        what,
        request: request(&query),
        expected: namesakes(child),
    };
    for child in kazakh_named.iter().step_by(7).take(8) {
        cases.push(name_case("2021 Latin", latin_2021(&format!("{} {}", child.last_name, child.first_name)), child));
    }
    for child in kazakh_named.iter().skip(3).step_by(7).take(8) {
        cases.push(name_case("passport", passport(&format!("{} {}", child.first_name, child.last_name)), child));
    }
    for child in kazakh_named.iter().skip(5).step_by(7).take(8) {
        let query = without_kazakh_letters(&format!("{} {}", child.last_name, child.first_name));
        cases.push(name_case("no Kazakh letters", query, child));
    }
    for child in kazakh_named.iter().skip(1).step_by(9).filter(|child| child.last_name.chars().count() >= 6).take(6) {
        cases.push(name_case("typo", format!("{} {}", typo(&child.last_name), child.first_name), child));
    }
    for child in kazakh_named.iter().skip(2).step_by(11).take(3) {
        cases.push(name_case("capitals", format!("{} {}", child.last_name, child.first_name).to_uppercase(), child));
    }
    // `і` typed as a Latin `i`, as Kazakh keyboards without the layout do.
    for child in kazakh_named.iter().filter(|child| child.first_name.contains('і')).take(2) {
        let query = format!("{} {}", child.last_name, child.first_name).replace('і', "i");
        cases.push(name_case("Latin i inside Cyrillic", query, child));
    }

    // Disciplines: a (region, grade) group with one to six children of that discipline.
    let group_of = |code: &str| -> Option<(String, i64, BTreeSet<String>)> {
        let mut groups: BTreeMap<(String, i64), BTreeSet<String>> = BTreeMap::new();
        for child in children.iter().filter(|child| child.disciplines.iter().any(|d| d == code)) {
            groups.entry((child.region.clone(), child.grade)).or_default().insert(key(child));
        }
        let found = groups.into_iter().find(|(_, keys)| (1..=6).contains(&keys.len()));
        found.map(|((region, grade), keys)| (region, grade, keys))
    };
    let discipline_queries: [(&'static str, &str, &str); 21] = [
        ("Kazakh stem", "mathematics", "математикадан"),
        ("Kazakh stem", "physics", "физикадан"),
        ("Kazakh stem", "chemistry", "химиядан"),
        ("Kazakh stem", "chess", "шахматтан"),
        ("Kazakh stem", "biology", "биологиясы"),
        ("Kazakh stem", "informatics", "информатикаға"),
        ("Russian stem", "chess", "шахматами"),
        ("Russian stem", "mathematics", "математикой"),
        ("Russian stem", "physics", "физикой"),
        ("Russian stem", "chemistry", "химией"),
        ("Russian stem", "biology", "биологии"),
        ("Latin, Kazakh stem", "mathematics", "matematikadan"),
        ("Latin, Kazakh stem", "chess", "Shakhmattan"),
        ("Latin, Kazakh stem", "biology", "biologiyasy"),
        ("Latin, Russian stem", "chemistry", "khimiei"),
        ("synonym", "chess", "chess"),
        ("synonym", "chess", "шахмат"),
        ("synonym", "chess", "Шахматы"),
        ("synonym", "mathematics", "math"),
        ("synonym", "mathematics", "Mathematics"),
        ("synonym", "physics", "Physics"),
    ];
    for (what, code, query) in discipline_queries {
        let (region, grade, expected) = group_of(code).unwrap_or_else(|| panic!("no small group studies {code}"));
        let mut search = request(query);
        search.regions = vec![region];
        search.grades = vec![u8::try_from(grade).unwrap()];
        cases.push(Case { what, request: search, expected });
    }

    // Filters alone: every child of a small (region, grade, group) cell, sorted by best.
    let mut cells: BTreeMap<(String, i64), BTreeSet<String>> = BTreeMap::new();
    for child in &children {
        cells.entry((child.region.clone(), child.grade)).or_default().insert(key(child));
    }
    for ((region, grade), expected) in cells.into_iter().filter(|(_, keys)| (2..=8).contains(&keys.len())).take(3) {
        let mut search = request("");
        search.regions = vec![region];
        search.grades = vec![u8::try_from(grade).unwrap()];
        search.sort = SortOrder::BestAchievement;
        cases.push(Case { what: "filters only", request: search, expected });
    }

    // Teachers by name in passport romanisation, searched with `--teachers`.
    let teachers = people(
        &registry,
        "SELECT region, teacher_id AS id, last_name, first_name, 0 AS grade FROM teachers ORDER BY teacher_id",
    );
    let mut teacher_names: BTreeMap<(String, String), usize> = BTreeMap::new();
    for teacher in &teachers {
        *teacher_names.entry((teacher.last_name.clone(), teacher.first_name.clone())).or_default() += 1;
    }
    for teacher in teachers
        .iter()
        .filter(|teacher| teacher_names[&(teacher.last_name.clone(), teacher.first_name.clone())] == 1)
        .step_by(13)
        .take(4)
    {
        let mut search = request(&passport(&format!("{} {}", teacher.last_name, teacher.first_name)));
        search.teachers = true;
        cases.push(Case { what: "teacher", request: search, expected: BTreeSet::from([teacher.id.clone()]) });
    }
    assert!(cases.len() >= 50, "{} queries", cases.len());

    let store = Store::open(&registry, false).unwrap();
    let index = SearchIndex::open(&store, &store.current().unwrap().unwrap()).unwrap();
    let mut missing = Vec::new();
    let mut precision_sum = 0.0;
    let mut recall_sum = 0.0;
    let mut by_kind: BTreeMap<&str, (usize, f64)> = BTreeMap::new();
    for case in &cases {
        let results = index.search(&case.request).unwrap();
        let top: Vec<&str> = results.hits.iter().map(|hit| hit.key.as_str()).collect();
        let found = case.expected.iter().filter(|key| top.contains(&key.as_str())).count();
        let relevant_in_top = top.iter().filter(|key| case.expected.contains(**key)).count();
        let precision = if top.is_empty() { 0.0 } else { relevant_in_top as f64 / top.len().min(10) as f64 };
        let recall = found as f64 / case.expected.len() as f64;
        precision_sum += precision;
        recall_sum += recall;
        let entry = by_kind.entry(case.what).or_default();
        entry.0 += 1;
        entry.1 += recall;
        if found < case.expected.len() {
            missing.push(format!(
                "{} `{}`: {found} of {} expected in the top 10",
                case.what,
                case.request.query,
                case.expected.len()
            ));
        }
    }
    let count = cases.len() as f64;
    println!("relevance suite: {} queries", cases.len());
    println!("precision@10 {:.3}  recall@10 {:.3}", precision_sum / count, recall_sum / count);
    for (what, (queries, recall)) in &by_kind {
        println!("  {what:<24} {queries:>3} queries  recall@10 {:.3}", recall / *queries as f64);
    }
    assert!(missing.is_empty(), "expected hits missing from the top 10:\n{}", missing.join("\n"));
}

fn search_json(registry: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["search", "--registry", registry.to_str().unwrap(), "--format", "json"];
    all.extend_from_slice(args);
    let output = daryn(&all);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Runs `daryn` as someone who may read the registry and not write to it: `nobody`
/// when the tests run as root (the temporary folder above the registry, and the
/// registry's folder, which a new registry closes to others, are opened to them), else
/// this user over an index whose files are made read-only for the run.
fn as_a_reader(root: &Path, registry: &Path, args: &[&str]) -> std::process::Output {
    use std::os::unix::fs::PermissionsExt;
    if crate::as_root() {
        for folder in [root, registry] {
            std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        crate::daryn_as_nobody(args)
    } else {
        let index = registry.join("index");
        let chmod = |mode: &str| {
            assert!(std::process::Command::new("chmod").args(["-R", mode]).arg(&index).status().unwrap().success())
        };
        chmod("a-w");
        let output = daryn(args);
        chmod("u+w");
        output
    }
}

fn hit_keys(results: &serde_json::Value) -> Vec<String> {
    results["hits"].as_array().unwrap().iter().filter_map(|hit| hit["child_key"].as_str().map(str::to_owned)).collect()
}

fn generation_meta(registry: &Path, generation: u64) -> serde_json::Value {
    let text = std::fs::read_to_string(registry.join("index").join(generation.to_string()).join("daryn-index.json"));
    serde_json::from_str(&text.unwrap()).unwrap()
}

#[test]
fn search_cli_gives_keys_snippets_and_facets_and_refuses_bad_parameters() {
    let root = tempfile::tempdir().unwrap();
    let day = generate_day(&root.path().join("drops"), "2026-11-25", 600, 31);
    let registry = root.path().join("registry");
    ingest(&registry, &[&day]);
    let keyer = ChildKeyer::load_or_create(&registry).unwrap();
    let child = children(&registry).into_iter().next().unwrap();

    let results = search_json(&registry, &[&format!("{} {}", child.last_name, child.first_name)]);
    assert!(hit_keys(&results).contains(&keyer.child_key(&child.id)));
    let first = &results["hits"][0];
    assert_eq!(first["child_key"].as_str().unwrap().len(), 32);
    assert!(first["name_highlighted"].as_str().unwrap().contains("<b>"));
    assert!(first["fields"]["school_name"].is_string());
    // No IIN anywhere in the output.
    assert!(!results.to_string().contains(&child.id));
    let regions = results["facets"]["region"].as_object().unwrap();
    assert_eq!(regions.values().map(|count| count.as_u64().unwrap()).sum::<u64>(), results["total"].as_u64().unwrap());
    // Facet values keep their fixed order in JSON too: grades by number (not "10" before
    // "2"), levels in the form's order.
    let everyone = search_json(&registry, &[""]);
    let grades: Vec<u32> =
        everyone["facets"]["grade"].as_object().unwrap().keys().map(|grade| grade.parse().unwrap()).collect();
    assert!(grades.len() > 2 && grades.is_sorted(), "{grades:?}");
    let form_order = ["school", "district", "regional", "republican", "international"];
    let levels: Vec<usize> = everyone["facets"]["level"]
        .as_object()
        .unwrap()
        .keys()
        .map(|level| form_order.iter().position(|known| known == level).unwrap())
        .collect();
    assert!(levels.len() > 2 && levels.is_sorted(), "{levels:?}");

    // Filters narrow: every hit is of the region asked for.
    let filtered = search_json(&registry, &["--region", &child.region, "--group", "rural", "--limit", "50", ""]);
    assert!(!filtered["hits"].as_array().unwrap().is_empty(), "{filtered}");
    for hit in filtered["hits"].as_array().unwrap() {
        assert_eq!(hit["fields"]["region"], child.region.as_str());
        assert!(hit["fields"]["groups"].as_array().unwrap().iter().any(|group| group == "rural"));
    }

    // Each other filter keeps only what it names, and finds as many as the facet of
    // everyone counted for it.
    let district = everyone["hits"][0]["fields"]["district_kato"].as_str().unwrap().to_owned();
    for (flag, value, field, facet) in [
        ("--area-type", "urban", "area_type", "area_type"),
        ("--domain", "sport", "talent_domains", "domain"),
        ("--status", "active", "roadmap_status", "roadmap_status"),
        ("--district", district.as_str(), "district_kato", ""),
    ] {
        let found = search_json(&registry, &[flag, value, "--limit", "1000", ""]);
        let hits = found["hits"].as_array().unwrap();
        assert!(!hits.is_empty(), "{flag} {value}");
        for hit in hits {
            let held = &hit["fields"][field];
            let holds = held == value || held.as_array().is_some_and(|items| items.iter().any(|item| item == value));
            assert!(holds, "{flag} {value}: {hit}");
        }
        if !facet.is_empty() {
            assert_eq!(found["total"], everyone["facets"][facet][value], "{flag} {value}");
        }
    }
    // A teacher has no district or domain of a child's: those filters are refused.
    let output =
        daryn(&["search", "--registry", registry.to_str().unwrap(), "--teachers", "--district", &district, ""]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--district"));

    // Teachers carry their id and item-15 score.
    let teachers = search_json(&registry, &["--teachers", "--sort", "best", "--limit", "3", ""]);
    let top = &teachers["hits"][0];
    assert!(top["teacher_id"].is_string());
    assert!(
        top["fields"]["item15_score"].as_u64().unwrap()
            >= teachers["hits"][1]["fields"]["item15_score"].as_u64().unwrap()
    );

    for (flag, value) in
        [("--level", "galactic"), ("--limit", "0"), ("--region", "99"), ("--group", "poor"), ("--format", "xml")]
    {
        let output = daryn(&["search", "--registry", registry.to_str().unwrap(), flag, value, "x"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{flag} {value}: {stderr}");
        assert!(stderr.contains(flag), "{flag}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    // So is a query the index cannot answer: too many words, or a word longer than any
    // indexed (60 bytes).
    for query in ["слово ".repeat(65), "z".repeat(61)] {
        let output = daryn(&["search", "--registry", registry.to_str().unwrap(), &query]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.starts_with("error[bad_parameter]: `query`"), "{stderr}");
    }
    let output = daryn(&["search", "--registry", registry.to_str().unwrap(), "--as-of", "9", "x"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("version 9 does not exist"));

    // Whoever may read the registry but not write to it searches it too: tantivy's lock
    // file once stopped them, and its metadata files were readable by their owner only.
    // As root the search runs as `nobody`; as anyone else, over an index made read-only.
    let query = child.last_name.as_str();
    let expected = search_json(&registry, &[query])["total"].clone();
    let output = as_a_reader(
        root.path(),
        &registry,
        &["search", "--registry", registry.to_str().unwrap(), "--format", "json", query],
    );
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let found: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(found["total"], expected);
    // And checks it: the key, the owner's alone (0600), it says it may not read.
    let output = as_a_reader(root.path(), &registry, &["check", "--registry", registry.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.ends_with("the registry is whole\n"), "{stdout}");
    assert_eq!(crate::as_root(), stdout.contains("note: `keys/child-key` is not this account's to read"), "{stdout}");
    // A data file it may not read is neither whole nor damaged: it says so, and advises
    // no vacuum (which would remove versions that read whole).
    if crate::as_root() {
        use std::os::unix::fs::PermissionsExt;
        let children = std::fs::read_dir(registry.join("tables/children"))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .find(|path| path.is_dir() && !path.ends_with("_delta_log"))
            .unwrap();
        let file = std::fs::read_dir(children).unwrap().next().unwrap().unwrap().path();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let output = as_a_reader(root.path(), &registry, &["check", "--registry", registry.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.starts_with("error[unchecked]: 1 data file this account may not read was not checked"),
            "{stderr}"
        );
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    }

    // A damaged index says which command mends it; a registry folder that is not there
    // is named with its parameter.
    let generation = std::fs::read_dir(registry.join("index"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.file_name().unwrap().to_string_lossy().parse::<u64>().is_ok())
        .unwrap();
    std::fs::remove_file(generation.join("meta.json")).unwrap();
    let output = daryn(&["search", "--registry", registry.to_str().unwrap(), "x"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("`daryn reindex --registry"), "{stderr}");
    let missing = root.path().join("no registry here");
    let output = daryn(&["versions", "--registry", missing.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("`--registry") && stderr.contains("no such folder"), "{stderr}");
}

#[test]
fn a_run_reindexes_only_its_regions_keeps_old_generations_and_survives_a_kill_while_indexing() {
    let root = tempfile::tempdir().unwrap();
    let first = generate_day(&root.path().join("drops"), "2026-11-24", 800, 41);
    let second = generate_day(&root.path().join("drops"), "2026-11-25", 800, 42);
    let third = generate_day(&root.path().join("drops"), "2026-11-26", 800, 43);
    let registry = root.path().join("registry");
    ingest(&registry, &[&first]);
    let before = children(&registry);
    let keyer = ChildKeyer::load_or_create(&registry).unwrap();

    // The second day brings only two regions.
    let mut regions: Vec<PathBuf> =
        std::fs::read_dir(&second).unwrap().map(|entry| entry.unwrap().path()).filter(|path| path.is_dir()).collect();
    regions.sort();
    let changed: Vec<&Path> = regions.iter().take(2).map(PathBuf::as_path).collect();
    ingest(&registry, &changed);
    let after = children(&registry);
    let changed_codes: BTreeSet<String> = after
        .iter()
        .map(|c| c.region.clone())
        .filter(|region| !before.iter().any(|b| &b.region == region && after.iter().any(|a| a.id == b.id)))
        .collect();
    assert_eq!(changed_codes.len(), 2, "two regions were replaced");

    let meta = generation_meta(&registry, 2);
    assert_eq!(meta["based_on"], 1);
    let reindexed: BTreeSet<String> =
        meta["regions"].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_owned()).collect();
    assert_eq!(reindexed, changed_codes);
    // No child is indexed twice, none is lost: the index holds what the tables hold.
    let all = search_json(&registry, &["--limit", "1", ""]);
    assert_eq!(all["total"].as_u64().unwrap(), after.len() as u64);
    assert!(registry.join("index/1").is_dir(), "version 1's generation is kept for --as-of");

    let new_child = after.iter().find(|c| changed_codes.contains(&c.region)).unwrap();
    let gone_child = before.iter().find(|c| changed_codes.contains(&c.region)).unwrap();
    let kept_child = after.iter().find(|c| !changed_codes.contains(&c.region)).unwrap();
    let name = |c: &Person| format!("{} {}", c.last_name, c.first_name);
    let limit = ["--limit", "50"];
    let found = |args: &[&str], person: &Person| {
        let mut all_args = limit.to_vec();
        all_args.extend_from_slice(args);
        let query = name(person);
        all_args.push(&query);
        hit_keys(&search_json(&registry, &all_args)).contains(&keyer.child_key(&person.id))
    };
    assert!(found(&[], new_child));
    assert!(!found(&["--as-of", "1"], new_child));
    assert!(!found(&[], gone_child));
    assert!(found(&["--as-of", "1"], gone_child));
    assert!(found(&[], kept_child));

    // A run killed while its index generation is being built leaves version 2 searchable.
    let shrinks = allow_every_shrink();
    let mut args = vec!["ingest", "--registry", registry.to_str().unwrap()];
    args.extend(shrinks.iter().map(String::as_str));
    // A region of the third day that the second did not bring (folder names are two or
    // nine digits, as each region's export style has it).
    let third_region = std::fs::read_dir(&third)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .find(|path| !changed_codes.contains(&path.file_name().unwrap().to_string_lossy()[..2]))
        .unwrap();
    args.push(third_region.to_str().unwrap());
    let mut child = spawn_daryn(&args, &[("DARYN_PAUSE_AT", "index-built")]);
    let stderr = child.stderr.take().unwrap();
    let mut said = Vec::new();
    let reached = BufReader::new(stderr).lines().any(|line| {
        let line = line.unwrap_or_default();
        said.push(line.clone());
        line.contains("paused at index-built")
    });
    child.kill().unwrap();
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(reached, "the run never reached `index-built`: {}\n{stdout}", said.join("\n"));
    assert_eq!(std::fs::read_to_string(registry.join("CURRENT")).unwrap().trim(), "2");
    assert!(found(&[], kept_child));
    assert!(registry.join("index/3.building").exists());
    ingest(&registry, &[&third_region]);
    assert_eq!(std::fs::read_to_string(registry.join("CURRENT")).unwrap().trim(), "3");
    assert!(!registry.join("index/3.building").exists());
    let version: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(registry.join("versions/00000003.json")).unwrap()).unwrap();
    let generation = version["index_generation"].as_u64().unwrap();
    let generations: Vec<String> = std::fs::read_dir(registry.join("index"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(generation, 3, "generation folders: {generations:?}");
    let meta = generation_meta(&registry, generation);
    assert_eq!(meta["based_on"], 2);
    assert_eq!(meta["regions"].as_array().unwrap().len(), 1);
    assert!(found(&[], kept_child));
}

/// Writes a `conflicts` table (as the ingest will: partitioned by the losing region) that
/// names one child as a loser, pins it in a new version, and indexes that version.
fn publish_conflict(registry: &Path, loser: &Person, winner_region: &str) {
    use deltalake::arrow::array::{RecordBatch, StringArray};
    use deltalake::arrow::datatypes::{DataType, Field, Schema};
    use std::sync::Arc;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let folder = registry.join("tables/conflicts");
        std::fs::create_dir_all(&folder).unwrap();
        let url = url::Url::from_directory_path(std::fs::canonicalize(&folder).unwrap()).unwrap();
        let schema = Arc::new(Schema::new(vec![
            Field::new("region", DataType::Utf8, false),
            Field::new("iin", DataType::Utf8, false),
            Field::new("winner_region", DataType::Utf8, false),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(StringArray::from(vec![loser.region.as_str()])),
                Arc::new(StringArray::from(vec![loser.id.as_str()])),
                Arc::new(StringArray::from(vec![winner_region])),
            ],
        )
        .unwrap();
        let table = deltalake::DeltaTableBuilder::from_url(url).unwrap().build().unwrap();
        let table = table
            .write(vec![batch])
            .with_save_mode(deltalake::protocol::SaveMode::Append)
            .with_partition_columns(["region"])
            .await
            .unwrap();
        let store = Store::open(registry, false).unwrap();
        let mut version = store.current().unwrap().unwrap();
        version.version += 1;
        version.tables.insert("conflicts".to_owned(), table.version().unwrap() as u64);
        // No region's drop changed: only the conflicts did.
        let report = daryn_registry::search::index_version(&store, &mut version, Some(&[])).await.unwrap();
        assert!(report.incremental);
        assert_eq!(report.regions, vec![loser.region.clone()]);
        store.publish(&version, std::time::SystemTime::UNIX_EPOCH).unwrap();
    });
}

#[test]
fn a_conflict_loser_pinned_by_the_version_is_not_found() {
    let root = tempfile::tempdir().unwrap();
    let day = generate_day(&root.path().join("drops"), "2026-11-25", 500, 51);
    let registry = root.path().join("registry");
    ingest(&registry, &[&day]);
    let keyer = ChildKeyer::load_or_create(&registry).unwrap();
    let all = children(&registry);
    let loser = all[0].clone();
    let neighbour = all.iter().find(|child| child.region == loser.region && child.id != loser.id).unwrap().clone();
    let winner_region = all.iter().find(|child| child.region != loser.region).unwrap().region.clone();
    let found = |person: &Person, as_of: Option<&str>| {
        let query = format!("{} {}", person.last_name, person.first_name);
        let mut args = vec!["--limit", "50"];
        if let Some(version) = as_of {
            args.extend(["--as-of", version]);
        }
        args.push(&query);
        hit_keys(&search_json(&registry, &args)).contains(&keyer.child_key(&person.id))
    };
    assert!(found(&loser, None));
    let before = search_json(&registry, &["--limit", "1", ""])["total"].as_u64().unwrap();

    publish_conflict(&registry, &loser, &winner_region);
    assert!(!found(&loser, None), "the loser is left out of the current index");
    assert!(found(&loser, Some("1")), "the version before the conflict still has it");
    assert!(found(&neighbour, None), "the rest of the loser's region is re-indexed");
    assert_eq!(search_json(&registry, &["--limit", "1", ""])["total"].as_u64().unwrap(), before - 1);
}
