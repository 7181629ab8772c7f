//! A run's writes: the drops' tables, then the conflicts, rejections and drops and the
//! search index, everything the version the caller publishes pins.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Utc;
use daryn_registry::RegionCode;
use daryn_registry::form::TableKind;
use daryn_registry::store::schema::{self, ConflictRecord, DropRecord, RejectionRecord};
use daryn_registry::store::{RegionState, RegistryVersion, Store, StoreTable, VERSION_FORMAT, pause_point};
use deltalake::arrow::array::RecordBatch;

use crate::conflicts;

use super::outcome::{DropOutcome, DropStatus, Progress, Stopwatch};
use super::{Prepared, Result, guard_shrink};

/// The table commits of a run in progress.
pub(super) struct Writing<'a> {
    pub(super) store: &'a Store,
    pub(super) label: String,
    /// Each table's Delta version so far.
    pub(super) tables: BTreeMap<String, u64>,
    /// (region, IIN) of every child accepted so far, for the duplicate rule.
    pub(super) accepted_iins: Vec<(String, String)>,
}

impl Writing<'_> {
    /// Applies the shrink guard to drops read and checked (it reads what the region holds
    /// now, from the store), then writes the rows of those still published.
    pub(super) async fn guard_and_write(
        &mut self,
        current: Option<&RegistryVersion>,
        items: &mut [Prepared],
        allow_shrink: &[RegionCode],
        progress: &dyn Progress,
    ) -> Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        for item in items.iter_mut().filter(|item| item.batches.is_some()) {
            guard_shrink(self.store, current, item, allow_shrink).await?;
            progress.drop_done(&item.outcome);
        }
        pause_point("drops-read");
        self.write_rows(items, progress).await
    }

    /// Replaces the partitions of the published drops among `items` with their rows, one
    /// commit per table, and lets go of the rows.
    async fn write_rows(&mut self, items: &mut [Prepared], progress: &dyn Progress) -> Result<()> {
        let mut published: Vec<&mut Prepared> =
            items.iter_mut().filter(|item| item.outcome.status == DropStatus::Published).collect();
        if published.is_empty() {
            return Ok(());
        }
        let regions: Vec<String> = published.iter().map(|item| item.outcome.region.clone()).collect();
        for item in &published {
            self.accepted_iins.extend(item.accepted_iins().map(|iin| (item.outcome.region.clone(), iin.to_owned())));
        }
        for (index, table) in
            [StoreTable::Children, StoreTable::Measures, StoreTable::Achievements, StoreTable::Teachers]
                .into_iter()
                .enumerate()
        {
            progress.stage(&format!("writing {} of {}", table.name(), regions.join(", ")));
            let batches = published
                .iter_mut()
                .filter_map(|item| {
                    let batch = item.batches.as_mut()?.get_mut(index)?;
                    Some(std::mem::replace(batch, RecordBatch::new_empty(table.schema())))
                })
                .collect();
            let version = self.store.replace_regions(table, &regions, batches, &self.label).await?;
            self.tables.insert(table.name().to_owned(), version);
        }
        for item in published {
            item.batches = None;
        }
        Ok(())
    }
}

/// Works out the duplicate rule, writes the conflicts, rejections and drops and the
/// search index: everything the version pins. The caller publishes it.
pub(super) async fn write_version(
    writing: Writing<'_>,
    current: Option<&RegistryVersion>,
    prepared: &[Prepared],
    progress: &dyn Progress,
    clock: &mut Stopwatch,
) -> Result<(RegistryVersion, Vec<ConflictRecord>)> {
    let Writing { store, label, mut tables, accepted_iins } = writing;
    let number = current.map(|version| version.version).unwrap_or(0) + 1;
    let run_at = Utc::now();
    let mut regions = current.map(|version| version.regions.clone()).unwrap_or_default();
    let published: Vec<&Prepared> =
        prepared.iter().filter(|item| item.outcome.status == DropStatus::Published).collect();
    let published_regions: Vec<String> = published.iter().map(|item| item.outcome.region.clone()).collect();
    // An identical re-send of a newer export keeps the region's drop, under its own time.
    for item in prepared.iter().filter(|item| item.confirms) {
        let outcome = &item.outcome;
        if let Some(state) = regions.get_mut(&outcome.region) {
            state.judged_at = Some(state.judged_at.unwrap_or(state.exported_at));
            state.exported_at = outcome.exported_at.unwrap_or(state.exported_at);
        }
    }
    for item in &published {
        let outcome = &item.outcome;
        regions.insert(
            outcome.region.clone(),
            RegionState {
                drop_id: outcome.drop_id.clone(),
                exported_at: outcome.exported_at.unwrap_or(run_at),
                content_sha256: outcome.content_sha256.clone(),
                judged_at: None,
                children: outcome.children.accepted,
                rows: Some(TableKind::ALL.map(|table| {
                    let counts = outcome.counts(table);
                    (counts.accepted, counts.rejected)
                })),
            },
        );
    }

    // The duplicate rule, worked out again from what every region now holds.
    progress.stage("checking IINs across regions");
    let mut held: Vec<(String, String)> = match current {
        Some(version) => store
            .held_iins(version)
            .await?
            .into_iter()
            .filter(|(region, _)| !published_regions.contains(region))
            .collect(),
        None => Vec::new(),
    };
    held.extend(accepted_iins);
    let conflicts = conflicts::resolve(&regions, held);
    // Written every run, empty or not, so every version pins the conflicts it has.
    let version = store.replace_all(StoreTable::Conflicts, vec![schema::conflicts_batch(&conflicts)], &label).await?;
    tables.insert(StoreTable::Conflicts.name().to_owned(), version);
    clock.lap("conflicts");

    progress.stage("writing rejections and drops");
    // An unchanged drop leaves its region's rejections as they are, unless it confirms
    // the region's data with a newer time: then they are its own.
    // A stale drop is not the region's latest either: an archive of old folders given to
    // every run would empty the region's rejections each night.
    let reported: Vec<&DropOutcome> = prepared
        .iter()
        .filter(|item| item.outcome.status != DropStatus::Unchanged || item.confirms)
        .filter(|item| !item.outcome.is_stale())
        .map(|item| &item.outcome)
        .collect();
    let reported_regions: Vec<String> = reported.iter().map(|outcome| outcome.region.clone()).collect();
    let rejections: Vec<RejectionRecord> =
        reported.iter().flat_map(|outcome| outcome.rejections.iter().cloned()).collect();
    // A run of identical re-sends only, none recording a newer export time, has no region
    // whose rejections change.
    if !reported_regions.is_empty() {
        let batch = schema::rejections_batch(&rejections);
        let version = store.replace_regions(StoreTable::Rejections, &reported_regions, vec![batch], &label).await?;
        tables.insert(StoreTable::Rejections.name().to_owned(), version);
    }
    let records: Vec<DropRecord> = prepared.iter().map(|item| item.outcome.record()).collect();
    let drop_regions: Vec<String> =
        records.iter().map(|record| record.region.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    let drops = schema::drops_batch(&records, number, run_at);
    let version = store.append_compacting(StoreTable::Drops, &drop_regions, drops, &label).await?;
    tables.insert(StoreTable::Drops.name().to_owned(), version);
    clock.lap("rejections");

    let mut registry_version = RegistryVersion {
        format: VERSION_FORMAT,
        version: number,
        created_at: run_at,
        tables,
        index_generation: current.and_then(|version| version.index_generation),
        regions,
        run: records,
        reindexed: false,
    };
    // Search index (issue 5): the changed regions are re-indexed into a new generation,
    // which must be complete before the version file that pins it is written.
    progress.stage("indexing for search");
    daryn_registry::search::index_version(store, &mut registry_version, Some(&published_regions)).await?;
    clock.lap("index");
    progress.stage("switching to the new version");
    Ok((registry_version, conflicts))
}
