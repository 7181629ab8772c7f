//! `daryn demo`: the newcomer's first run on an embedded default. It generates a small
//! national sample (with a few injected errors), ingests it into a registry, and says
//! what to run next.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use daryn_data::generate::{self, FormatChoice, GenerateOptions};

pub fn run(dir: &Path, children: u64) -> Result<ExitCode> {
    // A second demo over the first would rewrite the drops and the truth file, then
    // refuse every drop as no newer than the one held: the registry would keep the old
    // sample while the truth file described the new one. Drops without a registry are
    // a demo killed part-way, refused the same.
    if dir.join("registry").join("versions").exists() || dir.join("drops").exists() {
        anyhow::bail!(
            "`{}` already holds a demo (its registry is `{}`): remove the folder to start afresh, or give \
             another `--dir`",
            dir.display(),
            dir.join("registry").display()
        );
    }
    let options = GenerateOptions {
        out: dir.join("drops"),
        children,
        seed: 997,
        date: daryn_registry::kazakhstan_time(chrono::Utc::now()).date_naive(),
        error_rate: 0.01,
        format: FormatChoice::Mixed,
        classifier: None,
    };
    options.validate()?;
    say!("Daryn demo: generating a synthetic national sample of {children} gifted children");
    say!("(20 regions, CSV, XLSX and JSONL drops as the regions send them, 1 % injected errors)\n");
    let started = std::time::Instant::now();
    let summary = generate::generate(&options)?;
    crate::cli::print_summary(&summary, started.elapsed());
    say!("\nIngesting the drops into a registry, as the nightly run does:\n");
    let registry = dir.join("registry");
    let options = daryn_ingest::IngestOptions {
        registry: registry.clone(),
        paths: vec![summary.folder.clone()],
        allow_shrink: Vec::new(),
        classifier: None,
    };
    crate::ingest::run(options, None)?;
    let template = dir.join("roadmap-template-kk.xlsx");
    daryn_data::template::write_template(daryn_registry::Lang::Kk, &template)?;
    say!("\nThe coordinators' roadmap form (item 7): {}", template.display());
    let (registry, drops) = (shell_word(&registry), shell_word(&summary.folder));
    say!("\nNext:");
    say!("  look at one region's drop:     ls {}", shell_word(&summary.regions[0].folder));
    say!("  see the injected errors:       head {}", shell_word(&summary.truth));
    say!("  the registry's versions:       daryn versions --registry {registry}");
    say!("  ingest the same drops again:   daryn ingest --registry {registry} {drops}   # nothing changes");
    say!(
        "  ask it in SQL:                 daryn sql --registry {registry} \"SELECT region, count(*) FROM children GROUP BY region\""
    );
    say!("  the item-1 statistics:         daryn report item1 --registry {registry}");
    say!("  the 100 best teachers:         daryn report top-teachers --registry {registry}");
    say!("  find the chess players:        daryn search --registry {registry} шахмат");
    say!("  a bigger set:                  daryn generate --out /tmp/drops --children 100000 --format mixed");
    say!("    (another population: ingest it into a new registry, e.g. --registry /tmp/registry)");
    say!("  the form in Russian:           daryn template --lang ru --out roadmap-ru.xlsx");
    Ok(ExitCode::SUCCESS)
}

/// A path as one word of a shell command line, quoted when it holds anything a shell
/// would split or expand, so that a suggested command runs as copied.
fn shell_word(path: &Path) -> String {
    let text = path.display().to_string();
    let plain = |ch: char| ch.is_alphanumeric() || "/._-+,:@%".contains(ch);
    if !text.is_empty() && text.chars().all(plain) { text } else { format!("'{}'", text.replace('\'', "'\\''")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_quoted_only_when_a_shell_would_split_them() {
        assert_eq!(shell_word(Path::new("daryn-demo/registry")), "daryn-demo/registry");
        assert_eq!(shell_word(Path::new("/tmp/демо/registry")), "/tmp/демо/registry");
        assert_eq!(shell_word(Path::new("my demo/registry")), "'my demo/registry'");
        assert_eq!(shell_word(Path::new("it's/registry")), "'it'\\''s/registry'");
    }
}
