//! `daryn generate`: a realistic synthetic national registry, written as the 20 regions'
//! nightly drops in the form of ROADMAP-FORM.md, with `manifest.json` files and a truth
//! file listing every injected error. The same options give byte-identical output.
//!
//! Regions are generated in parallel, each from its own random stream, so the thread
//! count never changes the output; each region streams its rows to disk, so memory
//! stays flat as the number of children grows.

mod draft;
mod faults;
mod geography;
mod people;
mod region;
mod rng;
mod sink;
mod style;
mod vocab;

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{Datelike, Days, NaiveDate};
use daryn_registry::cell::Cell;
use daryn_registry::form::rules::DropRows;
use daryn_registry::form::{ACHIEVEMENTS, MEASURES, TEACHERS, TableKind};
use daryn_registry::{KatoClassifier, RegionCode};
use rayon::prelude::*;
use serde::Serialize;

pub use geography::split_children;
pub use region::{RegionCounts, RowSink, TruthEntry};
pub use style::{FormatChoice, Layout, Style};

use crate::error::{Error, Result};

/// What to generate.
#[derive(Clone, Debug)]
pub struct GenerateOptions {
    pub out: PathBuf,
    pub children: u64,
    pub seed: u64,
    /// The folder date of the drops; exports are made the evening before.
    pub date: NaiveDate,
    /// The chance that a row gets an injected error, 0 to 0.2.
    pub error_rate: f64,
    pub format: FormatChoice,
    /// Districts to use; without one, districts are invented (codes only).
    pub classifier: Option<KatoClassifier>,
}

/// The most children a set may have: ten times the national benchmark set. More was
/// taken at its word and ended the process asking for memory no machine has.
pub const MAX_CHILDREN: u64 = 10_000_000;

impl GenerateOptions {
    pub fn validate(&self) -> Result<()> {
        if !(0.0..=0.2).contains(&self.error_rate) {
            return Err(Error::Parameter {
                parameter: "--error-rate",
                reason: format!("{} is outside 0 to 0.2 (more would refuse whole drops)", self.error_rate),
            });
        }
        if !(1..=MAX_CHILDREN).contains(&self.children) {
            return Err(Error::Parameter {
                parameter: "--children",
                reason: format!("{} is outside 1 to {MAX_CHILDREN}", self.children),
            });
        }
        // IINs hold births from 1800 to 2099: teachers are born up to 70 years before the
        // date, children up to 18.
        if !(1900..=2099).contains(&self.date.year()) {
            return Err(Error::Parameter {
                parameter: "--date",
                reason: format!("{} is outside 1900-01-01 to 2099-12-31", self.date),
            });
        }
        Ok(())
    }

    /// The date the regions exported on: the evening before the folder date.
    pub fn export_date(&self) -> NaiveDate {
        self.date - Days::new(1)
    }
}

/// One region's drop as generated.
#[derive(Clone, Debug, Serialize)]
pub struct RegionSummary {
    pub region: String,
    pub folder: PathBuf,
    pub layout: String,
    pub exported_at: Option<String>,
    #[serde(flatten)]
    pub counts: RegionCounts,
}

/// What a run produced.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub folder: PathBuf,
    pub truth: PathBuf,
    pub regions: Vec<RegionSummary>,
}

impl Summary {
    /// The summary of drops written in `from`, once that folder is renamed to `to`.
    fn moved(self, from: &Path, to: &Path) -> Summary {
        let moved = |path: PathBuf| path.strip_prefix(from).map(|rest| to.join(rest)).unwrap_or(path);
        Summary {
            folder: moved(self.folder),
            truth: moved(self.truth),
            regions: self
                .regions
                .into_iter()
                .map(|region| RegionSummary { folder: moved(region.folder), ..region })
                .collect(),
        }
    }

    pub fn total(&self, pick: impl Fn(&RegionCounts) -> u64) -> u64 {
        self.regions.iter().map(|region| pick(&region.counts)).sum()
    }
}

/// The style every region draws, in region order, for these options.
pub fn styles(options: &GenerateOptions) -> Vec<(RegionCode, Style)> {
    let mut rng = rng::Rng::new(options.seed, 0);
    daryn_registry::Region::all()
        .iter()
        .map(|region| (region.code, Style::draw(&mut rng, options.format, options.classifier.is_some())))
        .collect()
}

/// Writes the drops of every region under `<out>/<date>/` and the truth file beside them.
pub fn generate(options: &GenerateOptions) -> Result<Summary> {
    options.validate()?;
    let folder = options.out.join(options.date.to_string());
    // Drops of an earlier run would mix with these (a region's folder is named by its
    // code or its KATO code, a table as CSV or XLSX, as each run draws), and ingest
    // would read both.
    let holds_something = std::fs::read_dir(&folder).is_ok_and(|mut entries| entries.next().is_some());
    if holds_something {
        return Err(Error::Parameter {
            parameter: "--out",
            reason: format!("`{}` already holds drops; remove it or give another --out or --date", folder.display()),
        });
    }
    // Written beside it and renamed into place when whole: a run that fails part-way (a
    // full disk) leaves no region's folder that an ingest could take for a drop.
    let partial = options.out.join(format!(".{}.partial", options.date));
    if partial.exists() {
        std::fs::remove_dir_all(&partial).map_err(Error::io(&partial))?;
    }
    std::fs::create_dir_all(&partial).map_err(Error::io(&partial))?;
    let written = write_drops(options, &partial);
    let renamed = written.and_then(|summary| {
        std::fs::rename(&partial, &folder).map_err(Error::io(&folder))?;
        Ok(summary.moved(&partial, &folder))
    });
    if renamed.is_err() {
        let _ = std::fs::remove_dir_all(&partial);
    }
    renamed
}

/// Writes every region's drop and the truth file into `folder`.
fn write_drops(options: &GenerateOptions, folder: &Path) -> Result<Summary> {
    let folder = folder.to_owned();
    let split = split_children(options.children);
    let styles = styles(options);
    let results: Vec<Result<(RegionSummary, Vec<TruthEntry>)>> = split
        .par_iter()
        .zip(styles.par_iter())
        .enumerate()
        .map(|(block, ((region, children), (_, style)))| {
            generate_one(options, &folder, *region, block as u16, *children, style)
        })
        .collect();
    let mut regions = Vec::new();
    let truth_path = folder.join("truth.jsonl");
    let truth_file = std::fs::File::create(&truth_path).map_err(Error::io(&truth_path))?;
    let mut truth_writer = std::io::BufWriter::new(truth_file);
    for result in results {
        let (summary, truth) = result?;
        for entry in truth {
            serde_json::to_writer(&mut truth_writer, &entry).map_err(|error| Error::io(&truth_path)(error.into()))?;
            truth_writer.write_all(b"\n").map_err(Error::io(&truth_path))?;
        }
        regions.push(summary);
    }
    truth_writer.flush().map_err(Error::io(&truth_path))?;
    Ok(Summary { folder, truth: truth_path, regions })
}

fn job<'a>(
    options: &'a GenerateOptions,
    region: RegionCode,
    block: u16,
    children: u64,
    style: &'a Style,
) -> region::RegionJob<'a> {
    region::RegionJob {
        region,
        block,
        children,
        seed: options.seed,
        export_date: options.export_date(),
        error_rate: options.error_rate,
        style,
        classifier: options.classifier.as_ref(),
    }
}

fn generate_one(
    options: &GenerateOptions,
    folder: &Path,
    region: RegionCode,
    block: u16,
    children: u64,
    style: &Style,
) -> Result<(RegionSummary, Vec<TruthEntry>)> {
    let name = if style.folder_nine_digits { region.kato().to_string() } else { region.to_string() };
    let region_folder = folder.join(name);
    let title = format!("Дарынды балалардың жеке жол карталары — {}", region.region().name.kk);
    let mut writer = sink::DropWriter::create(&region_folder, style.clone(), &title, options.export_date())?;
    let (counts, truth) = region::generate_region(&job(options, region, block, children, style), &mut writer)?;
    let files = writer.finish()?;
    let exported_at = if style.manifest {
        // Exports run in the evening before the folder date, Kazakhstan time.
        let mut rng = rng::Rng::new(options.seed, 1000 + u64::from(region.number()));
        let minutes = 21 * 60 + rng.range(0, 179);
        let stamp = format!("{}T{:02}:{:02}:00+05:00", options.export_date(), minutes / 60, minutes % 60);
        write_manifest(&region_folder, region, &stamp, &files)?;
        Some(stamp)
    } else {
        None
    };
    let summary = RegionSummary {
        region: region.to_string(),
        folder: region_folder,
        layout: format!("{:?}", style.layout).to_lowercase(),
        exported_at,
        counts,
    };
    Ok((summary, truth))
}

fn write_manifest(folder: &Path, region: RegionCode, exported_at: &str, files: &[sink::WrittenFile]) -> Result<()> {
    let mut listed = serde_json::Map::new();
    for file in files {
        listed.insert(file.name.clone(), serde_json::json!({ "rows": file.rows, "sha256": file.sha256 }));
    }
    let manifest = serde_json::json!({
        "region": region.to_string(),
        "exported_at": exported_at,
        "files": listed,
    });
    let path = folder.join("manifest.json");
    let text = serde_json::to_string_pretty(&manifest).map_err(|error| Error::io(&path)(error.into()))?;
    std::fs::write(&path, text + "\n").map_err(Error::io(&path))
}

/// Collects a region's rows in memory, flattened as a reader hands them to the form's
/// rules: JSONL's nested rows get their parent's IIN, and a teacher nested under several
/// children is one teacher.
#[derive(Default)]
pub struct MemorySink {
    pub rows: DropRows,
    /// The value of the unknown extra column, per children row, when there was one.
    pub extras: Vec<Option<String>>,
}

impl RowSink for MemorySink {
    fn row(&mut self, table: TableKind, cells: &[Cell], extra: Option<&str>) -> Result<()> {
        let rows = match table {
            TableKind::Children => {
                self.extras.push(extra.map(str::to_owned));
                &mut self.rows.children
            }
            TableKind::Measures => &mut self.rows.measures,
            TableKind::Achievements => &mut self.rows.achievements,
            TableKind::Teachers => &mut self.rows.teachers,
        };
        rows.push(cells.to_vec());
        Ok(())
    }

    fn document(
        &mut self,
        child: &[Cell],
        measures: &[Vec<Cell>],
        achievements: &[Vec<Cell>],
        teachers: &[Vec<Cell>],
    ) -> Result<()> {
        let iin = child[0].clone();
        self.rows.children.push(child.to_vec());
        self.extras.push(None);
        for (rows, nested, table) in
            [(&mut self.rows.measures, measures, &MEASURES), (&mut self.rows.achievements, achievements, &ACHIEVEMENTS)]
        {
            for cells in nested {
                let mut flattened = cells.clone();
                flattened[table.index("iin")] = iin.clone();
                rows.push(flattened);
            }
        }
        let id_column = TEACHERS.index("teacher_id");
        for cells in teachers {
            let known = self.rows.teachers.iter().any(|row| row[id_column] == cells[id_column]);
            if !known {
                self.rows.teachers.push(cells.clone());
            }
        }
        Ok(())
    }
}

/// Generates one region into memory instead of files: the rows a reader would hand to the
/// rules, and the truth about them. For tests.
pub fn generate_region_in_memory(
    options: &GenerateOptions,
    region: RegionCode,
) -> Result<(MemorySink, Style, Vec<TruthEntry>, RegionCounts)> {
    options.validate()?;
    let split = split_children(options.children);
    let styles = styles(options);
    let block = split.iter().position(|(code, _)| *code == region).expect("every region is in the split");
    let (_, children) = split[block];
    let style = styles[block].1.clone();
    let mut sink = MemorySink::default();
    let (counts, truth) = region::generate_region(&job(options, region, block as u16, children, &style), &mut sink)?;
    Ok((sink, style, truth, counts))
}
