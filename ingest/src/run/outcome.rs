//! What a run tells: each drop's outcome and counts, the run's exit code, its stages'
//! times, and the progress it reports as it goes.

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, Utc};
use daryn_registry::form::TableKind;
use daryn_registry::iin::mask_message;
use daryn_registry::store::schema::{ConflictRecord, DropRecord, RejectionRecord};
use daryn_registry::store::{JudgedDrop, RegionState};
use serde::Serialize;

/// What happened to one drop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DropStatus {
    Published,
    Unchanged,
    Refused,
}

impl DropStatus {
    pub fn code(self) -> &'static str {
        match self {
            DropStatus::Published => "published",
            DropStatus::Unchanged => "unchanged",
            DropStatus::Refused => "refused",
        }
    }
}

/// Why a whole drop was refused: a stable code and the particulars.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Refusal {
    pub code: &'static str,
    pub reason: String,
}

impl Refusal {
    /// A refusal whose particulars quote no IIN: they may name a file, a sheet or a value
    /// that is one (`130509638754.csv`, a manifest's `region`, what a parser read), and
    /// they go to the terminal, `--report` and the `drops` table.
    pub(super) fn new(code: &'static str, reason: String) -> Refusal {
        Refusal { code, reason: mask_message(&reason) }
    }
}

/// Accepted and rejected rows of one table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub accepted: u64,
    pub rejected: u64,
}

/// The outcome of one drop, as the run's table, the JSON report and the registry's
/// `drops` table tell it.
#[derive(Clone, Debug, Serialize)]
pub struct DropOutcome {
    pub region: String,
    pub folder: PathBuf,
    pub drop_id: String,
    pub exported_at: Option<DateTime<Utc>>,
    pub status: DropStatus,
    pub refusal: Option<Refusal>,
    /// Of a drop not refused, what the run made of it beyond its status: an export an
    /// earlier run judged, sent again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub children: Counts,
    pub measures: Counts,
    pub achievements: Counts,
    pub teachers: Counts,
    pub unknown_columns: Vec<String>,
    pub warnings: u64,
    pub rejections: Vec<RejectionRecord>,
    /// The accepted rows reported all the same ([`WarningCode`]), shaped as rejections.
    pub warned: Vec<RejectionRecord>,
    /// The coordinator's rejection file, once written.
    pub rejection_file: Option<PathBuf>,
    /// The coordinator's file of warnings, once written.
    pub warning_file: Option<PathBuf>,
    #[serde(skip)]
    pub(super) content_sha256: String,
}

impl DropOutcome {
    /// Refused as stale: not the region's latest drop.
    pub(super) fn is_stale(&self) -> bool {
        self.refusal.as_ref().is_some_and(|refusal| refusal.code == "stale")
    }

    /// Marks an identical re-send of the drop its region holds: that drop sent again, it
    /// keeps its id (the registry's rows and rejections carry it) and tells its counts.
    pub(super) fn unchanged_from(&mut self, held: &RegionState) {
        self.status = DropStatus::Unchanged;
        self.refusal = None;
        self.drop_id = held.drop_id.clone();
        self.children.accepted = held.children;
        if let Some(rows) = held.rows {
            for (table, (accepted, rejected)) in TableKind::ALL.into_iter().zip(rows) {
                *self.counts_mut(table) = Counts { accepted, rejected };
            }
        }
    }

    /// Marks an export an earlier run judged, sent again once it is no longer the newest
    /// of its region (a cron job retried with yesterday's folder and today's): it changes
    /// nothing, as an identical re-send does, and is not refused again. It keeps its id and
    /// tells the counts it had then.
    pub(super) fn judged_before(&mut self, earlier: &JudgedDrop) {
        self.status = DropStatus::Unchanged;
        self.refusal = None;
        for (table, (accepted, rejected)) in TableKind::ALL.into_iter().zip(earlier.rows) {
            *self.counts_mut(table) = Counts { accepted, rejected };
        }
        let verdict = match &earlier.refusal_code {
            Some(code) => format!("refused ({code})"),
            None => earlier.status.clone(),
        };
        self.note = Some(format!(
            "judged by the run of registry version {}: {verdict}; sent again, not newer than the drop the region \
             holds, it changes nothing",
            earlier.registry_version
        ));
    }

    pub(super) fn counts_mut(&mut self, table: TableKind) -> &mut Counts {
        match table {
            TableKind::Children => &mut self.children,
            TableKind::Measures => &mut self.measures,
            TableKind::Achievements => &mut self.achievements,
            TableKind::Teachers => &mut self.teachers,
        }
    }

    /// The counts of one table.
    pub fn counts(&self, table: TableKind) -> Counts {
        match table {
            TableKind::Children => self.children,
            TableKind::Measures => self.measures,
            TableKind::Achievements => self.achievements,
            TableKind::Teachers => self.teachers,
        }
    }

    pub(super) fn record(&self) -> DropRecord {
        DropRecord {
            region: self.region.clone(),
            drop_id: self.drop_id.clone(),
            folder: self.folder.display().to_string(),
            exported_at: self.exported_at.unwrap_or(DateTime::UNIX_EPOCH),
            status: self.status.code().to_owned(),
            refusal_code: self.refusal.as_ref().map(|refusal| refusal.code.to_owned()),
            refusal_reason: self.refusal.as_ref().map(|refusal| refusal.reason.clone()),
            children_accepted: self.children.accepted,
            children_rejected: self.children.rejected,
            measures_accepted: self.measures.accepted,
            measures_rejected: self.measures.rejected,
            achievements_accepted: self.achievements.accepted,
            achievements_rejected: self.achievements.rejected,
            teachers_accepted: self.teachers.accepted,
            teachers_rejected: self.teachers.rejected,
            content_sha256: self.content_sha256.clone(),
        }
    }
}

/// What a run did.
#[derive(Clone, Debug, Serialize)]
pub struct RunOutcome {
    /// The registry version published, if any.
    pub version: Option<u64>,
    pub previous_version: Option<u64>,
    pub drops: Vec<DropOutcome>,
    /// Table commits of an earlier, interrupted run that were undone first.
    pub rolled_back: Vec<String>,
    /// Every IIN held by two regions after the run (IINs masked): the record that
    /// gives way, and the region that keeps the child.
    pub conflicts: Vec<ConflictRecord>,
    /// Per region involved in a conflict, the file that tells its coordinator.
    pub conflict_files: Vec<PathBuf>,
    /// How long each stage of the run took, in the order they ran.
    pub stages: Vec<StageTime>,
}

/// One stage of a run and its wall time.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StageTime {
    /// `tables`: the drops read, checked and their tables written; `conflicts`: IINs
    /// held by two regions; `rejections`: the rejections and drops tables; `index`: the
    /// search index; `publish`: the version switch and the coordinators' files.
    pub stage: &'static str,
    pub seconds: f64,
}

/// Times a run's stages one after another.
pub(super) struct Stopwatch {
    since: Instant,
    pub(super) stages: Vec<StageTime>,
}

impl Stopwatch {
    pub(super) fn start() -> Stopwatch {
        Stopwatch { since: Instant::now(), stages: Vec::new() }
    }

    /// Ends `stage`, which ran since the start or the previous stage ended.
    pub(super) fn lap(&mut self, stage: &'static str) {
        let now = Instant::now();
        self.stages.push(StageTime { stage, seconds: (now - self.since).as_secs_f64() });
        self.since = now;
    }
}

impl RunOutcome {
    /// 0: everything published clean (or nothing needed publishing); 2: published, with
    /// rejected rows or refused drops; 1: nothing was published.
    pub fn exit_code(&self) -> u8 {
        let published = self.drops.iter().any(|drop| drop.status == DropStatus::Published);
        let refused = self.drops.iter().any(|drop| drop.status == DropStatus::Refused);
        let rejected_rows =
            self.drops.iter().any(|drop| drop.status == DropStatus::Published && !drop.rejections.is_empty());
        match (published, refused || rejected_rows) {
            (true, false) => 0,
            (true, true) => 2,
            // Nothing published: fine when every drop was an identical re-send.
            (false, _) if !refused && !self.drops.is_empty() => 0,
            (false, _) => 1,
        }
    }
}

/// Receives progress as drops are read and tables written.
pub trait Progress: Sync {
    fn drop_started(&self, _region: &str, _folder: &Path) {}
    fn drop_done(&self, _outcome: &DropOutcome) {}
    fn stage(&self, _what: &str) {}
}

/// A progress sink that says nothing.
pub struct Quiet;
impl Progress for Quiet {}
