//! A store table at a pinned Delta version, read by DataFusion's own Parquet scan.
//!
//! deltalake's table provider wraps the Parquet scan in `DeltaScanExec`, which applies the
//! Delta protocol's per-file transforms (partition values, column mapping, deletion
//! vectors) to every batch and hands `region` over as a dictionary column. The store
//! writes its tables with none of those reader features (protocol reader version 1,
//! partitioned by `region` alone), so for them the per-batch work buys nothing. On the
//! 1,000,000-children registry, `DeltaScanExec` spent 263 ms on the 7.5 M measures of
//! the funding report beside 651 ms of Parquet decoding, and a grouping by the
//! dictionary `region` falls to DataFusion's slower row-wise grouping.
//!
//! So the session reads such a table itself:
//! - the files are those the Delta log lists at the pinned version, never a listing of the
//!   folder, which also holds files that later versions removed;
//! - `region` is each file's partition value, a constant of the file, as text;
//! - text columns are read as string views, as deltalake's provider reads them.
//!
//! A table written with any reader feature keeps deltalake's provider (`None` here).

use std::sync::Arc;

use async_trait::async_trait;
use deltalake::DeltaTable;
use deltalake::arrow::datatypes::{DataType, Field, FieldRef, Schema, SchemaRef};
use deltalake::datafusion::catalog::Session;
use deltalake::datafusion::common::stats::Precision;
use deltalake::datafusion::common::{ScalarValue, Statistics};
use deltalake::datafusion::datasource::TableProvider;
use deltalake::datafusion::datasource::file_format::FileFormat;
use deltalake::datafusion::datasource::file_format::parquet::ParquetFormat;
use deltalake::datafusion::datasource::listing::PartitionedFile;
use deltalake::datafusion::datasource::physical_plan::{FileGroup, FileScanConfigBuilder, ParquetSource};
use deltalake::datafusion::datasource::table_schema::TableSchema;
use deltalake::datafusion::error::Result as DataFusionResult;
use deltalake::datafusion::execution::object_store::ObjectStoreUrl;
use deltalake::datafusion::logical_expr::{Expr, TableProviderFilterPushDown, TableType};
use deltalake::datafusion::object_store::ObjectMeta;
use deltalake::datafusion::object_store::path::Path as ObjectPath;
use deltalake::datafusion::physical_plan::ExecutionPlan;
use deltalake::datafusion::physical_plan::empty::EmptyExec;

/// The partition column of every store table.
const PARTITION: &str = "region";

/// One table's files at one version, with the table's schema: the Delta schema's columns
/// in their order, `region` among them.
#[derive(Debug)]
pub(crate) struct PinnedTable {
    /// What analysts see.
    schema: SchemaRef,
    /// What the scan reads: the file columns (all but `region`), then `region`.
    scan_schema: TableSchema,
    /// For each column of `schema`, its index in the scan's order.
    scan_index: Vec<usize>,
    files: Vec<PartitionedFile>,
}

impl PinnedTable {
    /// The files and schema of `table` as loaded, or `None` when the table uses a Delta
    /// feature this reader does not apply.
    pub(crate) fn from_delta(table: &DeltaTable) -> Result<Option<PinnedTable>, String> {
        let state = table.snapshot().map_err(|error| error.to_string())?;
        if state.protocol().min_reader_version() != 1 || state.metadata().partition_columns() != [PARTITION] {
            return Ok(None);
        }
        let delta_schema = state.snapshot().arrow_schema();
        let Ok(partition_at) = delta_schema.index_of(PARTITION) else {
            return Ok(None);
        };
        let partition: FieldRef = Arc::new(Field::new(PARTITION, DataType::Utf8View, false));
        let fields: Vec<FieldRef> = delta_schema
            .fields()
            .iter()
            .map(|field| match field.data_type() {
                _ if field.name() == PARTITION => Arc::clone(&partition),
                DataType::Utf8 | DataType::LargeUtf8 => {
                    Arc::new(field.as_ref().clone().with_data_type(DataType::Utf8View))
                }
                _ => Arc::clone(field),
            })
            .collect();
        let file_fields: Vec<FieldRef> = fields.iter().filter(|field| field.name() != PARTITION).cloned().collect();
        let scan_index = (0..fields.len())
            .map(|at| match at.cmp(&partition_at) {
                std::cmp::Ordering::Less => at,
                std::cmp::Ordering::Equal => file_fields.len(),
                std::cmp::Ordering::Greater => at - 1,
            })
            .collect();
        let root =
            table.table_url().to_file_path().map_err(|()| format!("{} is not a local folder", table.table_url()))?;
        let file_schema = Schema::new(file_fields);
        let mut files = Vec::new();
        for file in state.log_data().iter() {
            if file.deletion_vector_descriptor().is_some() {
                return Ok(None);
            }
            let Some(Some(region)) = file.partition_values_map().remove(PARTITION) else {
                return Err(format!("the file {} has no region", file.path()));
            };
            let path = root.join(file.path().as_ref());
            // The local store takes a path's text as the file name (no percent-decoding),
            // so it is made from the absolute path as is: `~`, `#` or `%` in a registry's
            // folder name must not be escaped.
            let location = ObjectPath::from_absolute_path(&path).map_err(|error| error.to_string())?;
            let size = u64::try_from(file.size()).map_err(|_| format!("{} has a negative size", path.display()))?;
            let meta = ObjectMeta { location, last_modified: Default::default(), size, e_tag: None, version: None };
            let mut partitioned =
                PartitionedFile::new_from_meta(meta).with_partition_values(vec![ScalarValue::Utf8View(Some(region))]);
            if let Some(records) = file.num_records() {
                let mut statistics = Statistics::new_unknown(&file_schema);
                statistics.num_rows = Precision::Exact(records);
                statistics.total_byte_size = Precision::Inexact(usize::try_from(size).unwrap_or(usize::MAX));
                partitioned = partitioned.with_statistics(Arc::new(statistics));
            }
            files.push(partitioned);
        }
        let scan_schema =
            TableSchema::builder(Arc::new(file_schema)).with_table_partition_cols(vec![partition]).build();
        Ok(Some(PinnedTable { schema: Arc::new(Schema::new(fields)), scan_schema, scan_index, files }))
    }

    /// The files spread over `groups` groups of about equal bytes: each file, largest
    /// first, goes to the group with the fewest bytes so far. DataFusion may still split
    /// large files by byte range.
    fn file_groups(&self, groups: usize) -> Vec<FileGroup> {
        let mut files: Vec<&PartitionedFile> = self.files.iter().collect();
        files.sort_by_key(|file| std::cmp::Reverse(file.object_meta.size));
        let mut bins: Vec<(u64, Vec<PartitionedFile>)> = vec![(0, Vec::new()); groups.clamp(1, files.len().max(1))];
        for file in files {
            let lightest = bins.iter_mut().min_by_key(|(bytes, _)| *bytes).expect("at least one group");
            lightest.0 += file.object_meta.size;
            lightest.1.push(file.clone());
        }
        bins.into_iter().filter(|(_, files)| !files.is_empty()).map(|(_, files)| FileGroup::new(files)).collect()
    }
}

#[async_trait]
impl TableProvider for PinnedTable {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        limit: Option<usize>,
    ) -> DataFusionResult<Arc<dyn ExecutionPlan>> {
        if self.files.is_empty() {
            let schema = match projection {
                Some(columns) => Arc::new(self.schema.project(columns)?),
                None => self.schema(),
            };
            return Ok(Arc::new(EmptyExec::new(schema)));
        }
        let columns: Vec<usize> = match projection {
            Some(columns) => columns.iter().map(|&at| self.scan_index[at]).collect(),
            None => self.scan_index.clone(),
        };
        let format = ParquetFormat::default().with_options(state.table_options().parquet.clone());
        let source = ParquetSource::new(self.scan_schema.clone()).with_table_parquet_options(format.options().clone());
        let mut statistics = Statistics::new_unknown(self.scan_schema.table_schema());
        // The table's rows, when every file's add action counted them.
        let rows: Option<usize> = self
            .files
            .iter()
            .map(|file| file.statistics.as_ref().and_then(|file| file.num_rows.get_value().copied()))
            .sum();
        if let Some(rows) = rows {
            statistics.num_rows = Precision::Exact(rows);
        }
        let config = FileScanConfigBuilder::new(ObjectStoreUrl::local_filesystem(), Arc::new(source))
            .with_file_groups(self.file_groups(state.config().target_partitions()))
            .with_statistics(statistics)
            .with_projection_indices(Some(columns))?
            .with_limit(limit)
            .build();
        // Filters reach the Parquet scan through DataFusion's physical filter pushdown
        // (row-group and page pruning, and row filtering when that is switched on).
        format.create_physical_plan(state, config).await
    }

    fn supports_filters_pushdown(&self, filters: &[&Expr]) -> DataFusionResult<Vec<TableProviderFilterPushDown>> {
        Ok(vec![TableProviderFilterPushDown::Inexact; filters.len()])
    }
}
