//! Bad parameters get a clear message naming the parameter, and a failing exit code.

use crate::daryn;

fn fails_naming(args: &[&str], needle: &str) {
    let output = daryn(args);
    assert!(!output.status.success(), "{args:?} must fail");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(needle), "{args:?}: `{needle}` not in: {stderr}");
}

#[test]
fn bad_parameters_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    fails_naming(&["generate", "--out", out, "--children", "10", "--error-rate", "0.5"], "--error-rate");
    fails_naming(&["generate", "--out", out, "--children", "0"], "--children");
    // A count no machine holds is refused, not taken at its word (the process ended
    // asking for 77 PB).
    for command in ["generate", "demo"] {
        let place = if command == "demo" { "--dir" } else { "--out" };
        let huge = ["18446744073709551615", "10000001"];
        for children in huge {
            let args = [command, place, out, "--children", children];
            fails_naming(&args, "--children");
            assert_eq!(daryn(&args).status.code(), Some(2), "{args:?}");
        }
    }
    fails_naming(&["generate", "--out", out, "--children", "10", "--format", "pdf"], "pdf");
    fails_naming(&["generate", "--out", out, "--children", "10", "--date", "25.11.2026"], "25.11.2026");
    fails_naming(
        &["generate", "--out", out, "--children", "10", "--kato", "/nonexistent/kato.csv"],
        "/nonexistent/kato.csv",
    );
    fails_naming(&["template", "--lang", "de", "--out", "x.xlsx"], "`de`");
    let csv = dir.path().join("template.csv");
    fails_naming(&["template", "--lang", "kk", "--out", csv.to_str().unwrap()], "--out");
    assert!(!csv.exists());
    // Options that would be ignored are refused: a query beside a file of queries, a
    // format for the annual workbooks.
    fails_naming(&["search", "--registry", out, "--queries", "q.tsv", "шахмат"], "--queries");
    fails_naming(&["report", "annual", "--registry", out, "--format", "csv"], "--format");
    // A list of children has nothing to prepare for publication.
    let args = ["report", "unsupported", "--registry", out, "--suppress-small"];
    fails_naming(&args, "--suppress-small");
    assert_eq!(daryn(&args).status.code(), Some(2));
    // Output that cannot be written (a full disk) fails the command rather than being lost.
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let output = std::process::Command::new(crate::binary()).arg("form-doc").stdout(full).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("writing to standard output"));
    // A folder that is not a registry (empty, or holding something else) is told as
    // that, by `versions` too.
    fails_naming(&["versions", "--registry", out], "holds no registry yet");
    // With a code, as every error a command stops on has.
    let stderr = String::from_utf8_lossy(&daryn(&["versions", "--registry", out]).stderr).into_owned();
    assert!(stderr.starts_with("error[registry]: "), "{stderr}");
    let stranger = dir.path().join("stranger");
    std::fs::create_dir_all(&stranger).unwrap();
    std::fs::write(stranger.join("notes.txt"), "not a registry").unwrap();
    fails_naming(&["versions", "--registry", stranger.to_str().unwrap()], "is not a Daryn registry");
    let nowhere = dir.path().join("nowhere");
    for folder in [&stranger, &nowhere, &stranger.join("notes.txt")] {
        let output = daryn(&["search", "--registry", folder.to_str().unwrap(), "шахмат"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.starts_with("error[registry]: `--registry "), "{folder:?}: {stderr}");
    }
    // A date no IIN can hold the births of (it once made the generator loop for ever),
    // and a folder that already holds drops, which a second run's would mix with.
    fails_naming(&["generate", "--out", out, "--children", "10", "--date", "1850-01-01"], "--date");
    let once = ["generate", "--out", out, "--children", "10", "--date", "2026-11-25"];
    assert!(daryn(&once).status.success());
    fails_naming(&once, "--out");
    // A value given wrong exits with 2, whether clap or daryn finds it (a file that is
    // not there exits with 1; an ingest's usage errors too, below).
    for args in [&["generate", "--out", out, "--children", "10", "--error-rate", "0.5"][..], &once[..]] {
        assert_eq!(daryn(args).status.code(), Some(2), "{args:?}");
    }
    // An ingest's exit code 2 means "published, with rejections": its usage errors exit 1.
    // They, and clap's, have the code of every parameter given wrong.
    for args in [vec!["ingest", "--registry", out], vec!["ingest", "--registry", out, "--bogus", out]] {
        let output = daryn(&args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.starts_with("error[bad_parameter]: "), "{args:?}: {stderr}");
    }
    let output = daryn(&["versions", "--registry", out, "--as-of", "1"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).starts_with("error[bad_parameter]: unexpected argument"));
    // A registry that is a file is told as that by an ingest too, not as its `daryn.toml`.
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a registry").unwrap();
    let output = daryn(&["ingest", "--registry", file.to_str().unwrap(), out]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.starts_with("error[registry]: `--registry ") && stderr.contains("that is a file"), "{stderr}");
    assert_eq!(daryn(&["ingest", "--help"]).status.code(), Some(0));
    assert_eq!(daryn(&["search", "--registry", out, "--limit", "0", "x"]).status.code(), Some(2));
    // A path with `%` and two hex digits, which the Delta library would read as `pct dir`,
    // is refused before anything is made in it, naming the escape; `%` and other
    // characters are kept (the vacuum test's registry is `реестр ~#%1`). The drops are `once`'s.
    let escaped = dir.path().join("pct%20dir");
    let drops = dir.path().join("2026-11-25");
    fails_naming(&["ingest", "--registry", escaped.to_str().unwrap(), drops.to_str().unwrap()], "holds `%20`");
    assert!(!escaped.exists() && !dir.path().join("pct dir").exists());
    std::fs::create_dir_all(escaped.join("versions")).unwrap();
    fails_naming(&["check", "--registry", escaped.to_str().unwrap()], "holds `%20`");
    // A `DARYN_LOG` that is not UTF-8 is said, as a level mistyped is, not ignored.
    let not_utf8: std::ffi::OsString = std::os::unix::ffi::OsStringExt::from_vec(vec![b'i', 0xff]);
    let output =
        std::process::Command::new(crate::binary()).arg("form-doc").env("DARYN_LOG", not_utf8).output().unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with("DARYN_LOG: it is not UTF-8 text; logging warnings only"), "{stderr}");
}

#[test]
fn demo_generates_a_sample_and_says_what_next() {
    let dir = tempfile::tempdir().unwrap();
    let output = daryn(&["demo", "--dir", dir.path().to_str().unwrap(), "--children", "400"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("Next:"));
    assert!(dir.path().join("roadmap-template-kk.xlsx").exists());
    let day = std::fs::read_dir(dir.path().join("drops")).unwrap().next().unwrap().unwrap().path();
    let regions = std::fs::read_dir(&day).unwrap().filter(|entry| entry.as_ref().unwrap().path().is_dir()).count();
    assert_eq!(regions, 20);
    // What it suggests next runs on the registry it built.
    let registry = dir.path().join("registry");
    let registry = registry.to_str().unwrap();
    for suggested in [
        vec!["sql", "--registry", registry, "SELECT region, count(*) FROM children GROUP BY region"],
        vec!["report", "item1", "--registry", registry],
        vec!["report", "top-teachers", "--registry", registry],
        vec!["search", "--registry", registry, "шахмат"],
    ] {
        let words = suggested[..2].join(" ");
        assert!(
            stdout.contains(&format!("daryn {}", suggested[0])),
            "demo does not suggest `daryn {words}`:\n{stdout}"
        );
        let output = daryn(&suggested);
        assert!(output.status.success(), "`daryn {words}`: {}", String::from_utf8_lossy(&output.stderr));
        assert!(!output.stdout.is_empty(), "`daryn {words}` printed nothing");
    }
    // A second demo in the same folder is refused and changes nothing.
    let truth = std::fs::read(day.join("truth.jsonl")).unwrap();
    let output = daryn(&["demo", "--dir", dir.path().to_str().unwrap(), "--children", "500"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("already holds a demo"), "{stderr}");
    assert_eq!(std::fs::read(day.join("truth.jsonl")).unwrap(), truth);
}

#[test]
fn the_committed_form_document_is_what_the_code_checks() {
    let output = daryn(&["form-doc"]);
    assert!(output.status.success());
    let generated = String::from_utf8(output.stdout).unwrap();
    let committed = std::fs::read_to_string(daryn_tests::workspace_root().join("docs/FORM.md")).unwrap();
    assert!(
        generated == committed,
        "docs/FORM.md is out of date: regenerate it with `cargo run --bin daryn -- form-doc --out docs/FORM.md` and review the diff"
    );
    for code in daryn_registry::RejectCode::ALL {
        assert!(committed.contains(&format!("`{}`", code.code())));
    }
}
