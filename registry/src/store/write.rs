//! The store's writes: a region's rows replaced or appended as one Delta commit per
//! table, and a crashed run's commits undone.

use deltalake::DeltaTable;
use deltalake::arrow::array::RecordBatch;
use deltalake::datafusion::prelude::{col, lit};
use deltalake::kernel::transaction::CommitProperties;
use deltalake::protocol::SaveMode;

use super::{
    FILES_BEFORE_COMPACTION, Store, StoreError, StoreResult, StoreTable, TABLE_CONFIGURATION, delta, has_commit, io,
    partition_files, pause_point, query, scan, vacuum, writer_properties,
};

impl Store {
    /// Undoes what a crashed run left: every table goes back to the version the current
    /// registry version pins; a table no version pins is removed.
    pub async fn roll_back_unpinned(&self) -> StoreResult<Vec<String>> {
        let current = self.current()?;
        let mut rolled_back = Vec::new();
        for table in StoreTable::ALL {
            let doomed = self.removing_path(table);
            if doomed.exists() {
                std::fs::remove_dir_all(&doomed).map_err(io(&doomed))?;
            }
        }
        for table in StoreTable::ALL {
            let pinned = current.as_ref().and_then(|version| version.tables.get(table.name()));
            // A table whose first commit failed (a full disk) has a log with no commit,
            // which no Delta reader opens: it was never the registry's, and goes.
            let path = self.table_path(table);
            if pinned.is_none() && path.exists() && !has_commit(&path.join("_delta_log")) {
                self.remove_table(table)?;
                rolled_back.push(format!("{} removed (its first commit was never written)", table.name()));
                continue;
            }
            let Some(delta_table) = self.load(table).await? else {
                // A table the current version reads, with no log: lost, not new. Written
                // as new, its log would restart at 0 under the versions that pin it.
                if let (Some(version), Some(pinned)) = (&current, pinned) {
                    return Err(StoreError::Damaged {
                        path: self.root.clone(),
                        reason: format!(
                            "table `{}`, which version {} reads at its Delta version {pinned}, has no `_delta_log`",
                            table.name(),
                            version.version
                        ),
                    });
                }
                continue;
            };
            let latest = delta_table.version();
            match pinned {
                Some(&pinned) if Some(pinned) == latest => {}
                Some(&pinned) => {
                    // The files the undone commits added, which no version reads (older
                    // versions pin older commits), go first: on a full disk, where the run
                    // most likely failed, they are the space the undo and the next run need.
                    let at_pin = deltalake::open_table_with_version(self.table_url(table), pinned)
                        .await
                        .map_err(delta(table))?;
                    let keep = vacuum::table_files(&at_pin, table)?;
                    let mut removed = 0;
                    for file in vacuum::table_files(&delta_table, table)?.difference(&keep) {
                        match std::fs::remove_file(file) {
                            Ok(()) => removed += 1,
                            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                            Err(error) => return Err(StoreError::Io { path: file.clone(), source: error }),
                        }
                    }
                    delta_table.restore().with_version_to_restore(pinned).await.map_err(delta(table))?;
                    pause_point(&format!("restored:{}", table.name()));
                    let files = if removed == 0 { String::new() } else { format!(" ({removed} of its files removed)") };
                    rolled_back.push(format!("{} {} → {pinned}{files}", table.name(), latest.unwrap_or_default()));
                }
                None => {
                    self.remove_table(table)?;
                    rolled_back.push(format!("{} removed", table.name()));
                }
            }
        }
        Ok(rolled_back)
    }

    /// Removes a table no version pins. Renamed first, so that a kill part-way through the
    /// removal leaves no table with half a log, which nothing could open again.
    fn remove_table(&self, table: StoreTable) -> StoreResult<()> {
        let path = self.table_path(table);
        let doomed = self.removing_path(table);
        std::fs::rename(&path, &doomed).map_err(io(&path))?;
        std::fs::remove_dir_all(&doomed).map_err(io(&doomed))
    }

    /// Replaces the partitions of `regions` with `batches` in one commit; returns the new
    /// Delta version. The batches must hold only rows of those regions.
    pub async fn replace_regions(
        &self,
        table: StoreTable,
        regions: &[String],
        batches: Vec<RecordBatch>,
        run_label: &str,
    ) -> StoreResult<u64> {
        let predicate = regions
            .iter()
            .map(|region| col("region").eq(lit(region.clone())))
            .reduce(|left, right| left.or(right))
            .unwrap_or(lit(false));
        self.write(table, batches, SaveMode::Overwrite, Some(predicate), run_label).await
    }

    /// Replaces the whole table's rows in one commit; returns the new Delta version.
    pub async fn replace_all(&self, table: StoreTable, batches: Vec<RecordBatch>, run_label: &str) -> StoreResult<u64> {
        self.write(table, batches, SaveMode::Overwrite, None, run_label).await
    }

    /// Appends rows in one commit; returns the new Delta version.
    pub async fn append(&self, table: StoreTable, batches: Vec<RecordBatch>, run_label: &str) -> StoreResult<u64> {
        self.write(table, batches, SaveMode::Append, None, run_label).await
    }

    /// Appends `batch`, rows of `regions` only, to a table that every run adds a few rows
    /// to (`drops`), in one commit; returns the new Delta version. An append adds a file to
    /// each region's partition, so a year of nightly runs would leave thousands of tiny
    /// files for every read to open. When a partition of `regions` already holds
    /// [`FILES_BEFORE_COMPACTION`] files, the commit instead rewrites the partitions of
    /// `regions` as one file each: their rows, then the new ones. Older versions keep
    /// reading the files they pinned until `daryn vacuum` removes them.
    pub async fn append_compacting(
        &self,
        table: StoreTable,
        regions: &[String],
        batch: RecordBatch,
        run_label: &str,
    ) -> StoreResult<u64> {
        let Some(delta_table) = self.load(table).await? else {
            return self.append(table, vec![batch], run_label).await;
        };
        let files = partition_files(&delta_table, table)?;
        if regions.iter().all(|region| files.get(region).copied().unwrap_or(0) < FILES_BEFORE_COMPACTION) {
            return self.append(table, vec![batch], run_label).await;
        }
        let mut batches = self.region_rows(&delta_table, table, regions).await?;
        batches.push(batch);
        tracing::info!(table = table.name(), regions = regions.len(), "partitions compacted into one file each");
        self.replace_regions(table, regions, batches, run_label).await
    }

    /// The rows of `regions` in a table as loaded, in the table's schema.
    async fn region_rows(
        &self,
        delta_table: &DeltaTable,
        table: StoreTable,
        regions: &[String],
    ) -> StoreResult<Vec<RecordBatch>> {
        let wanted = regions.iter().map(|region| lit(region.clone())).collect();
        let frame =
            scan(delta_table, table).await?.filter(col("region").in_list(wanted, false)).map_err(query(table))?;
        let schema = table.schema();
        let mut batches = Vec::new();
        // A scan gives the partition column last and text as views: each column is taken
        // by name and cast back to the table's type.
        for batch in frame.collect().await.map_err(query(table))? {
            let columns = schema
                .fields()
                .iter()
                .map(|field| {
                    let column = batch.column_by_name(field.name()).ok_or_else(|| StoreError::Query {
                        table: table.name(),
                        reason: format!("the scan has no column `{}`", field.name()),
                    })?;
                    deltalake::arrow::compute::cast(column, field.data_type())
                        .map_err(|error| StoreError::Query { table: table.name(), reason: error.to_string() })
                })
                .collect::<StoreResult<Vec<_>>>()?;
            let batch = RecordBatch::try_new(schema.clone(), columns)
                .map_err(|error| StoreError::Query { table: table.name(), reason: error.to_string() })?;
            batches.push(batch);
        }
        Ok(batches)
    }

    async fn write(
        &self,
        table: StoreTable,
        batches: Vec<RecordBatch>,
        mode: SaveMode,
        predicate: Option<deltalake::datafusion::prelude::Expr>,
        run_label: &str,
    ) -> StoreResult<u64> {
        let path = self.table_path(table);
        std::fs::create_dir_all(&path).map_err(io(&path))?;
        // A table's first write builds it from nothing; later writes load it first.
        let delta_table = match self.load(table).await? {
            Some(existing) => existing,
            None => deltalake::DeltaTableBuilder::from_url(self.table_url(table))
                .and_then(|builder| builder.build())
                .map_err(delta(table))?,
        };
        let batches = if batches.is_empty() { vec![RecordBatch::new_empty(table.schema())] } else { batches };
        let mut builder = delta_table
            .write(batches)
            .with_save_mode(mode)
            .with_partition_columns(["region"])
            .with_writer_properties(writer_properties(table))
            .with_configuration(TABLE_CONFIGURATION.iter().map(|(key, value)| (*key, Some(*value))))
            .with_commit_properties(
                CommitProperties::default().with_metadata([("daryn.run".to_owned(), serde_json::json!(run_label))]),
            );
        if let Some(predicate) = predicate {
            builder = builder.with_replace_where(predicate);
        }
        let written = builder.await.map_err(delta(table))?;
        pause_point(&format!("committed:{}", table.name()));
        Ok(written.version().unwrap_or(0))
    }
}
