//! The store's reads for a run: a version's tables as a SQL session, and the IINs, conflicts
//! and judged drops the guards and the duplicate rule look up.

use std::collections::HashSet;
use std::path::Path;

use chrono::{DateTime, Utc};
use deltalake::DeltaTable;
use deltalake::arrow::array::{Array, Int64Array, RecordBatch, StringArray};
use deltalake::datafusion::prelude::{SessionContext, col, lit};

use super::{JudgedDrop, RegistryVersion, Store, StoreError, StoreResult, StoreTable, delta};

/// Every export the runs up to a version judged, oldest run first ([`Store::drop_history`]).
pub struct DropHistory(Vec<JudgedDrop>);

impl DropHistory {
    /// The first judgement of an export: its region, its time and its files (an export
    /// that could not be read is known by what its files are; one never fingerprinted
    /// has an empty hash, and no export is looked up by that).
    pub fn first_judged(&self, region: &str, exported_at: DateTime<Utc>, content_sha256: &str) -> Option<&JudgedDrop> {
        self.0.iter().find(|drop| {
            drop.region == region && drop.exported_at == exported_at && drop.content_sha256 == content_sha256
        })
    }

    /// A region's last judged export: of the newest run that was given one of its drops,
    /// the newest export (of two alike, the first told).
    pub fn last_judged(&self, region: &str) -> Option<&JudgedDrop> {
        self.0
            .iter()
            .rev()
            .filter(|drop| drop.region == region)
            .max_by_key(|drop| (drop.registry_version, drop.exported_at))
    }
}

impl Store {
    /// A SQL session with the tables of a version registered under their names.
    pub async fn session(&self, version: &RegistryVersion) -> StoreResult<SessionContext> {
        let context = SessionContext::new();
        for table in StoreTable::ALL {
            let Some(delta_table) = self.table_at(table, version).await? else { continue };
            let provider = provider(&delta_table, table, &context).await?;
            context
                .register_table(table.name(), provider)
                .map_err(|error| StoreError::Query { table: table.name(), reason: error.to_string() })?;
        }
        Ok(context)
    }

    /// The IINs of the children a region holds in a version, without those it gives way
    /// on to another region (the contract's duplicate rule).
    pub async fn region_iins(&self, version: &RegistryVersion, region: &str) -> StoreResult<HashSet<String>> {
        let losers = self.conflict_losers(version).await?;
        let held = self.pairs(version, StoreTable::Children, ["region", "iin"], Some(region)).await?;
        Ok(held.into_iter().filter(|pair| !losers.contains(pair)).map(|(_, iin)| iin).collect())
    }

    /// Every (region, IIN) the regions' drops hold in a version, conflict losers included.
    pub async fn held_iins(&self, version: &RegistryVersion) -> StoreResult<Vec<(String, String)>> {
        self.pairs(version, StoreTable::Children, ["region", "iin"], None).await
    }

    /// The (region, IIN) records that give way to another region's newer drop.
    pub async fn conflict_losers(&self, version: &RegistryVersion) -> StoreResult<HashSet<(String, String)>> {
        Ok(self.pairs(version, StoreTable::Conflicts, ["region", "iin"], None).await?.into_iter().collect())
    }

    /// What the runs up to a version did with each export they were given, from the
    /// version's `drops` table, which keeps every run's rows however many versions a
    /// vacuum removed. Read once by a run, for both of the questions [`DropHistory`]
    /// answers.
    pub async fn drop_history(&self, version: &RegistryVersion) -> StoreResult<DropHistory> {
        Ok(DropHistory(self.drop_rows(version).await?))
    }

    /// Every row of a version's `drops` table, by the version whose run wrote it.
    async fn drop_rows(&self, version: &RegistryVersion) -> StoreResult<Vec<JudgedDrop>> {
        let table = StoreTable::Drops;
        let Some(delta_table) = self.table_at(table, version).await? else {
            return Ok(Vec::new());
        };
        let frame = scan(&delta_table, table).await?.sort_by(vec![col("registry_version")]).map_err(query(table))?;
        let texts = ["region", "content_sha256", "status", "refusal_code"];
        let numbers = [
            "exported_at",
            "registry_version",
            "children_accepted",
            "children_rejected",
            "measures_accepted",
            "measures_rejected",
            "achievements_accepted",
            "achievements_rejected",
            "teachers_accepted",
            "teachers_rejected",
        ];
        let frame = frame.select_columns(&[texts.as_slice(), numbers.as_slice()].concat()).map_err(query(table))?;
        let mut rows = Vec::new();
        for batch in frame.collect().await.map_err(query(table))? {
            let text: Vec<StringArray> =
                (0..texts.len()).map(|index| text_column(&batch, index, table)).collect::<StoreResult<_>>()?;
            let number: Vec<Int64Array> = (0..numbers.len())
                .map(|index| number_column(&batch, texts.len() + index, table))
                .collect::<StoreResult<_>>()?;
            for row in 0..batch.num_rows() {
                let value = |column: usize| number[column].value(row).max(0) as u64;
                rows.push(JudgedDrop {
                    region: text[0].value(row).to_owned(),
                    exported_at: DateTime::from_timestamp_micros(number[0].value(row)).unwrap_or(DateTime::UNIX_EPOCH),
                    content_sha256: text[1].value(row).to_owned(),
                    registry_version: value(1),
                    status: text[2].value(row).to_owned(),
                    refusal_code: text[3].is_valid(row).then(|| text[3].value(row).to_owned()),
                    rows: [0, 1, 2, 3].map(|table| (value(2 + 2 * table), value(3 + 2 * table))),
                });
            }
        }
        Ok(rows)
    }

    /// Two text columns of a table at a version, of one region or all; nothing when the
    /// version pins no such table.
    async fn pairs(
        &self,
        version: &RegistryVersion,
        table: StoreTable,
        columns: [&str; 2],
        region: Option<&str>,
    ) -> StoreResult<Vec<(String, String)>> {
        let Some(delta_table) = self.table_at(table, version).await? else {
            return Ok(Vec::new());
        };
        let mut frame = scan(&delta_table, table).await?;
        if let Some(region) = region {
            frame = frame.filter(col("region").eq(lit(region.to_owned()))).map_err(query(table))?;
        }
        let frame = frame.select_columns(&columns).map_err(query(table))?;
        let mut pairs = Vec::new();
        for batch in frame.collect().await.map_err(query(table))? {
            let [first, second] = [0, 1].map(|index| text_column(&batch, index, table));
            let (first, second) = (first?, second?);
            pairs.extend(first.iter().zip(second.iter()).filter_map(|(a, b)| Some((a?.to_owned(), b?.to_owned()))));
        }
        Ok(pairs)
    }
}

/// A DataFusion error while reading `table`, as the store's error.
pub(super) fn query(table: StoreTable) -> impl Fn(deltalake::datafusion::error::DataFusionError) -> StoreError {
    move |error| StoreError::Query { table: table.name(), reason: error.to_string() }
}

/// A table as loaded, to be read in `context`.
pub(super) async fn provider(
    delta_table: &DeltaTable,
    table: StoreTable,
    context: &SessionContext,
) -> StoreResult<std::sync::Arc<dyn deltalake::datafusion::catalog::TableProvider>> {
    delta_table.update_datafusion_session(&context.state()).map_err(delta(table))?;
    delta_table
        .table_provider()
        .await
        .map_err(|error| StoreError::Query { table: table.name(), reason: error.to_string() })
}

/// A table as loaded, to be filtered and read with DataFusion.
pub(super) async fn scan(
    delta_table: &DeltaTable,
    table: StoreTable,
) -> StoreResult<deltalake::datafusion::prelude::DataFrame> {
    let context = SessionContext::new();
    let provider = provider(delta_table, table, &context).await?;
    context.read_table(provider).map_err(query(table))
}

/// Whether a Delta log folder holds a commit (`00000000000000000000.json`); a missing
/// folder holds none.
pub(super) fn has_commit(log: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(log) else { return false };
    entries.flatten().any(|entry| {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        name.strip_suffix(".json")
            .is_some_and(|stem| stem.len() == 20 && stem.bytes().all(|byte| byte.is_ascii_digit()))
    })
}

/// A column of a query result as 64-bit integers (a timestamp as its microseconds).
pub(super) fn number_column(batch: &RecordBatch, index: usize, table: StoreTable) -> StoreResult<Int64Array> {
    let failed = |reason: String| StoreError::Query { table: table.name(), reason };
    let column = batch.column(index);
    let column = match column.data_type() {
        deltalake::arrow::datatypes::DataType::Timestamp(_, _) => deltalake::arrow::compute::cast(
            column,
            &deltalake::arrow::datatypes::DataType::Timestamp(deltalake::arrow::datatypes::TimeUnit::Microsecond, None),
        )
        .and_then(|column| deltalake::arrow::compute::cast(&column, &deltalake::arrow::datatypes::DataType::Int64)),
        _ => deltalake::arrow::compute::cast(column, &deltalake::arrow::datatypes::DataType::Int64),
    }
    .map_err(|error| failed(error.to_string()))?;
    column
        .as_any()
        .downcast_ref::<Int64Array>()
        .cloned()
        .ok_or_else(|| failed(format!("column {index} is {:?}, not a number", column.data_type())))
}

/// A column of a query result as plain strings (DataFusion may hand text over as
/// `Utf8View`).
pub(super) fn text_column(batch: &RecordBatch, index: usize, table: StoreTable) -> StoreResult<StringArray> {
    let failed = |reason: String| StoreError::Query { table: table.name(), reason };
    let column = deltalake::arrow::compute::cast(batch.column(index), &deltalake::arrow::datatypes::DataType::Utf8)
        .map_err(|error| failed(error.to_string()))?;
    column
        .as_any()
        .downcast_ref::<StringArray>()
        .cloned()
        .ok_or_else(|| failed(format!("column {index} is {:?}, not text", column.data_type())))
}
