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
    // sample while the truth file described the new one.
    if dir.join("registry").join("versions").exists() {
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
        date: chrono::Local::now().date_naive(),
        error_rate: 0.01,
        format: FormatChoice::Mixed,
        classifier: None,
    };
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
    say!("\nNext:");
    say!("  look at one region's drop:     ls {}", summary.regions[0].folder.display());
    say!("  see the injected errors:       head {}", summary.truth.display());
    say!("  the registry's versions:       daryn versions --registry {}", registry.display());
    say!(
        "  ingest the same drops again:   daryn ingest --registry {} {}   (nothing changes)",
        registry.display(),
        summary.folder.display()
    );
    say!(
        "  ask it in SQL:                 daryn sql --registry {} \"SELECT region, count(*) FROM children GROUP BY region\"",
        registry.display()
    );
    say!("  the item-1 statistics:         daryn report item1 --registry {}", registry.display());
    say!("  the 100 best teachers:         daryn report top-teachers --registry {}", registry.display());
    say!("  find the chess players:        daryn search --registry {} шахмат", registry.display());
    say!("  a bigger set:                  daryn generate --out /tmp/drops --children 100000 --format mixed");
    say!("  the form in Russian:           daryn template --lang ru --out roadmap-ru.xlsx");
    Ok(ExitCode::SUCCESS)
}
