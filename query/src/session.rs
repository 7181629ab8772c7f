//! A read-only DataFusion session bound to one registry version: the store's Delta tables
//! pinned by that version, the reference tables, and the views. Queries run under a
//! memory pool that spills (`FairSpillPool`) and a time limit.
//!
//! Cross-region conflicts: when the version pins a `conflicts` table with rows (one row
//! per IIN a region lost to another, keyed by the losing `region` and `iin`), the
//! `children`, `measures` and `achievements` seen by analysts are views that leave those
//! rows out; the raw tables stay readable as `store.children` and so on. Without a
//! conflict the three are the store's tables themselves.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use daryn_registry::config::Item15Weights;
use daryn_registry::store::{RegistryVersion, Store, StoreError, StoreTable};
use deltalake::DeltaTable;
use deltalake::arrow::array::RecordBatch;
use deltalake::arrow::datatypes::SchemaRef;
use deltalake::datafusion::catalog::MemorySchemaProvider;
use deltalake::datafusion::datasource::{MemTable, TableProvider};
use deltalake::datafusion::error::DataFusionError;
use deltalake::datafusion::execution::disk_manager::{DiskManagerBuilder, DiskManagerMode};
use deltalake::datafusion::execution::memory_pool::FairSpillPool;
use deltalake::datafusion::execution::runtime_env::RuntimeEnvBuilder;
use deltalake::datafusion::prelude::{SQLOptions, SessionConfig, SessionContext};

use crate::error::{Error, Position, Result, position_in_message};
use crate::guard::check_read_only;
use crate::pinned::PinnedTable;
use crate::reference;

/// How a session is opened and what limits its queries run under.
#[derive(Clone, Debug)]
pub struct QueryOptions {
    /// The registry version to read; the current one when `None`.
    pub as_of: Option<u64>,
    /// Memory for all of a query's operators; sorts, joins and aggregates spill to
    /// temporary files beyond it.
    pub memory_limit: usize,
    /// How long one statement may run.
    pub time_limit: Duration,
    /// How much a query may spill to temporary files, so that one query cannot fill
    /// the disk.
    pub spill_limit: usize,
}

impl Default for QueryOptions {
    fn default() -> QueryOptions {
        QueryOptions { as_of: None, memory_limit: 2 << 30, time_limit: Duration::from_secs(300), spill_limit: 10 << 30 }
    }
}

/// The tables whose rows belong to one child and so follow the conflict rule.
const CHILD_TABLES: [StoreTable; 3] = [StoreTable::Children, StoreTable::Measures, StoreTable::Achievements];

/// What a name in a session is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableKind {
    /// A table of the store, pinned by the registry version.
    Store,
    /// Built-in reference data.
    Reference,
    /// A view over the other two.
    View,
}

/// One name an analyst can query.
#[derive(Clone, Debug)]
pub struct TableInfo {
    pub name: String,
    pub kind: TableKind,
}

/// The result of one statement.
#[derive(Debug)]
pub struct QueryResult {
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
}

impl QueryResult {
    pub fn rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }
}

/// A session over one registry version.
pub struct RegistrySession {
    context: SessionContext,
    /// The registry's folder, to tell a version vacuumed under the session.
    root: PathBuf,
    version: RegistryVersion,
    options: QueryOptions,
    tables: Vec<TableInfo>,
    /// The folder the session's queries spill into, removed with the session: a
    /// statement stopped at its time limit is abandoned with its spill files open, and
    /// the command ends before they would be dropped.
    _spill: Option<tempfile::TempDir>,
}

fn planning(error: DataFusionError) -> Error {
    Error::Plan { message: error.strip_backtrace(), position: None }
}

impl RegistrySession {
    /// Opens the registry at `registry` as of `options.as_of`.
    pub async fn open(registry: &Path, options: QueryOptions) -> Result<RegistrySession> {
        let store = Store::open(registry, false)?;
        let version = store.resolve(options.as_of)?;
        // Without a temporary folder to make it in (`TMPDIR` gone or read-only), a query
        // that never spills still runs, and one that does fails then, saying so.
        let spill = tempfile::Builder::new().prefix("daryn-spill-").tempdir().ok();
        let mode = match &spill {
            Some(folder) => DiskManagerMode::Directories(vec![folder.path().to_owned()]),
            None => DiskManagerMode::OsTmpDirectory,
        };
        let disk =
            DiskManagerBuilder::default().with_mode(mode).with_max_temp_directory_size(options.spill_limit as u64);
        let runtime = RuntimeEnvBuilder::new()
            .with_memory_pool(Arc::new(FairSpillPool::new(options.memory_limit)))
            .with_disk_manager_builder(disk)
            .build_arc()
            .map_err(planning)?;
        // `DATAFUSION_*` environment variables tune the engine (DataFusion's own names).
        let mut config = SessionConfig::from_env().map_err(planning)?.with_information_schema(true);
        config.options_mut().sql_parser.collect_spans = true;
        // The parser's own limit on nesting (parentheses, function calls, subqueries):
        // DataFusion's 50 refused `((…))` long before the guard's depth of 1,000
        // ([`crate::guard::MAX_EXPRESSION_DEPTH`]), with `RecursionLimitExceeded`.
        config.options_mut().sql_parser.recursion_limit =
            deltalake::datafusion::common::config::ConfigNonZeroUsize::try_new(PARSER_NESTING).map_err(planning)?;
        let context = SessionContext::new_with_config_rt(config, runtime);
        let root = store.root().to_owned();
        let mut session = RegistrySession { context, root, version, options, tables: Vec::new(), _spill: spill };
        // A vacuum may remove the version's log and checkpoints as they are read.
        if let Err(error) = session.register_store(&store).await {
            return Err(vacuumed_under(&store, session.version.version).unwrap_or(error));
        }
        session.register_reference(&store.config().item15)?;
        session.create_views().await?;
        session.tables.sort_by(|left, right| left.name.cmp(&right.name));
        Ok(session)
    }

    pub fn version(&self) -> &RegistryVersion {
        &self.version
    }

    pub fn tables(&self) -> &[TableInfo] {
        &self.tables
    }

    async fn register_store(&mut self, store: &Store) -> Result<()> {
        let internal = Arc::new(MemorySchemaProvider::new());
        self.context
            .catalog("datafusion")
            .expect("the default catalog exists")
            .register_schema("store", internal)
            .map_err(planning)?;
        let conflicts = self.conflicts_provider(store).await?;
        let mut filtered = false;
        if let Some(provider) = conflicts {
            self.register("conflicts", provider, TableKind::Store)?;
            // Without a conflict the views would only cost every query an anti-join.
            let held = self.context.table("conflicts").await.map_err(planning)?.count().await.map_err(planning)?;
            filtered = held > 0;
        }
        for table in StoreTable::ALL {
            // `conflicts` is registered above, and only when the version pins it.
            if table.name() == "conflicts" {
                continue;
            }
            let provider: Arc<dyn TableProvider> = match store.table_at(table, &self.version).await? {
                Some(delta_table) => self.provider(table.name(), &delta_table).await?,
                // A table no run has written yet (e.g. no region sends achievements) is empty.
                None => Arc::new(MemTable::try_new(table.schema(), vec![vec![]]).map_err(planning)?),
            };
            let name = format!("store.{}", table.name());
            self.context.register_table(name.as_str(), provider.clone()).map_err(planning)?;
            if !(filtered && CHILD_TABLES.contains(&table)) {
                self.register(table.name(), provider, TableKind::Store)?;
            }
        }
        if filtered {
            for table in CHILD_TABLES {
                let sql = format!(
                    "CREATE VIEW {name} AS SELECT * FROM store.{name} t WHERE NOT EXISTS \
                     (SELECT 1 FROM conflicts x WHERE x.region = t.region AND x.iin = t.iin)",
                    name = table.name()
                );
                self.context.sql(&sql).await.map_err(planning)?;
                self.tables.push(TableInfo { name: table.name().to_owned(), kind: TableKind::Store });
            }
        }
        Ok(())
    }

    /// The `conflicts` table as the version pins it; `None` when it pins none (older
    /// versions, or a registry that never had a conflict).
    async fn conflicts_provider(&self, store: &Store) -> Result<Option<Arc<dyn TableProvider>>> {
        let Some(&pinned) = self.version.tables.get("conflicts") else {
            return Ok(None);
        };
        let path = store.root().join("tables").join("conflicts");
        let url = url::Url::from_directory_path(&path).expect("the store root is absolute");
        let failed = |reason: String| StoreError::Query { table: "conflicts", reason };
        let delta_table =
            deltalake::open_table_with_version(url, pinned).await.map_err(|error| failed(error.to_string()))?;
        Ok(Some(self.provider("conflicts", &delta_table).await?))
    }

    /// How the session reads a store table at its pinned version: straight from the
    /// Parquet files the version lists when the table uses no Delta reader feature
    /// (`pinned`), else through deltalake's provider.
    async fn provider(&self, name: &'static str, delta_table: &DeltaTable) -> Result<Arc<dyn TableProvider>> {
        let failed = |reason: String| StoreError::Query { table: name, reason };
        if let Some(pinned) = PinnedTable::from_delta(delta_table).map_err(failed)? {
            return Ok(Arc::new(pinned));
        }
        delta_table
            .update_datafusion_session(&self.context.state())
            .map_err(|source| StoreError::Delta { table: name, source: Box::new(source) })?;
        Ok(delta_table.table_provider().await.map_err(|error| failed(error.to_string()))?)
    }

    fn register(&mut self, name: &str, provider: Arc<dyn TableProvider>, kind: TableKind) -> Result<()> {
        self.context.register_table(name, provider).map_err(planning)?;
        self.tables.push(TableInfo { name: name.to_owned(), kind });
        Ok(())
    }

    fn register_reference(&mut self, weights: &Item15Weights) -> Result<()> {
        let weights = reference::achievement_weights(weights);
        for (name, batch) in [
            ("regions", reference::regions()),
            ("disciplines", reference::disciplines()),
            ("measure_types", reference::measure_types()),
            ("achievement_weights", weights),
            ("registry_version", reference::registry_version(&self.version)),
        ] {
            let table = MemTable::try_new(batch.schema(), vec![vec![batch]]).map_err(planning)?;
            self.register(name, Arc::new(table), TableKind::Reference)?;
        }
        Ok(())
    }

    async fn create_views(&mut self) -> Result<()> {
        for (name, body) in reference::VIEWS {
            self.context.sql(&format!("CREATE VIEW {name} AS {body}")).await.map_err(planning)?;
            self.tables.push(TableInfo { name: name.to_owned(), kind: TableKind::View });
        }
        Ok(())
    }

    /// The columns of a table or view.
    pub async fn describe(&self, name: &str) -> Result<SchemaRef> {
        // The raw tables under `store.` too (`conflicts` has none: it is never filtered).
        let raw = name
            .strip_prefix("store.")
            .is_some_and(|table| table != "conflicts" && StoreTable::ALL.iter().any(|known| known.name() == table));
        if !raw && !self.tables.iter().any(|table| table.name == name) {
            return Err(Error::NoSuchTable { table: name.to_owned() });
        }
        let frame = self.context.table(name).await.map_err(planning)?;
        Ok(Arc::new(frame.schema().as_arrow().clone()))
    }

    /// Runs one read-only statement under the session's memory and time limits.
    pub async fn query(&self, sql: &str) -> Result<QueryResult> {
        self.query_until(sql, std::future::pending()).await
    }

    /// [`RegistrySession::query`], stopped with [`Error::Interrupted`] when `stop`
    /// resolves first (the shell's Ctrl-C). Like the time limit, `stop` must be woken from
    /// outside the runtime's workers, which a statement may keep busy.
    pub async fn query_until(&self, sql: &str, stop: impl std::future::Future<Output = ()>) -> Result<QueryResult> {
        check_read_only(sql)?;
        let options = SQLOptions::new().with_allow_ddl(false).with_allow_dml(false).with_allow_statements(false);
        let limit = self.options.time_limit;
        // The statement is planned and run as a task of its own, and the limit is kept by
        // a thread of its own: an operator busy for long between two batches (a sort of a
        // cross join) holds the thread that polls it, and with both of the runtime's
        // workers busy no tokio timer would fire. Planning is under the limit too (a few
        // CTEs each read twice plan for minutes). The aborted task stops at its next batch.
        let context = self.context.clone();
        let statement = sql.to_owned();
        let running = tokio::spawn(async move {
            let frame = context.sql_with_options(&statement, options).await.map_err(Planned::Not)?;
            let schema: SchemaRef = Arc::new(frame.schema().as_arrow().clone());
            let batches = frame.collect().await.map_err(Planned::Ran)?;
            Ok::<_, Planned>((schema, batches))
        });
        let abort = running.abort_handle();
        let expired = deadline(limit);
        let collected = tokio::select! {
            joined = running => joined,
            _ = expired => {
                abort.abort();
                return Err(Error::TimeLimit { seconds: limit.as_secs_f64() });
            }
            () = stop => {
                abort.abort();
                return Err(Error::Interrupted);
            }
        };
        let (schema, batches) = match collected {
            Ok(Ok(collected)) => collected,
            Ok(Err(Planned::Not(error))) => return Err(plan_error(error)),
            Ok(Err(Planned::Ran(error))) => return Err(self.execution_error(error)),
            Err(failed) => return Err(Error::Execution { message: failed.to_string() }),
        };
        let result = unique_names(QueryResult { schema, batches });
        check_times(&result)?;
        Ok(result)
    }

    fn execution_error(&self, error: DataFusionError) -> Error {
        let message = error.strip_backtrace();
        // DataFusion's own words when a spill file would pass `max_temp_directory_size`.
        if message.contains("spilling process has exceeded") {
            return Error::SpillLimit { limit: human_bytes(self.options.spill_limit) };
        }
        if matches!(error.find_root(), DataFusionError::ResourcesExhausted(_)) {
            return Error::MemoryLimit { limit: human_bytes(self.options.memory_limit), message };
        }
        // A data file gone (the object store's "not found"): a vacuum removed the version
        // under the session, which is said as that, not as the storage library's words.
        if (message.contains("not found") || message.contains("No such file"))
            && let Some(vacuumed) =
                Store::open(&self.root, false).ok().and_then(|store| vacuumed_under(&store, self.version.version))
        {
            return vacuumed;
        }
        Error::Execution { message }
    }
}

/// [`Error::VacuumedUnder`] when `version`, read until now, was vacuumed since.
fn vacuumed_under(store: &Store, version: u64) -> Option<Error> {
    match store.version(version) {
        Err(StoreError::Vacuumed { version, oldest }) => Some(Error::VacuumedUnder { version, oldest }),
        _ => None,
    }
}

/// Where a statement failed: in planning or in running.
enum Planned {
    Not(DataFusionError),
    Ran(DataFusionError),
}

/// The seconds from 1970 within which a time shown in any zone stays in chrono's years
/// (±262,142): about the year 261,800, either way.
const SHOWN_SECONDS: u64 = 8_200_000_000_000;

/// Refuses a result holding a time with a zone so far from now (`arrow_cast` of a huge
/// number) that showing it in its zone would overflow the date library: every output
/// format shows such a time as its zone's clock.
fn check_times(result: &QueryResult) -> Result<()> {
    use deltalake::arrow::array::{Array, AsArray};
    use deltalake::arrow::datatypes::{
        DataType, TimeUnit, TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
        TimestampSecondType,
    };
    fn out_of_range<T: deltalake::arrow::datatypes::ArrowPrimitiveType<Native = i64>>(
        column: &dyn Array,
        per_second: i64,
    ) -> bool {
        column.as_primitive::<T>().iter().flatten().any(|value| (value / per_second).unsigned_abs() > SHOWN_SECONDS)
    }
    for (index, field) in result.schema.fields().iter().enumerate() {
        let DataType::Timestamp(unit, Some(_)) = field.data_type() else { continue };
        for batch in &result.batches {
            let column = batch.column(index).as_ref();
            let outside = match unit {
                TimeUnit::Second => out_of_range::<TimestampSecondType>(column, 1),
                TimeUnit::Millisecond => out_of_range::<TimestampMillisecondType>(column, 1_000),
                TimeUnit::Microsecond => out_of_range::<TimestampMicrosecondType>(column, 1_000_000),
                TimeUnit::Nanosecond => out_of_range::<TimestampNanosecondType>(column, 1_000_000_000),
            };
            if outside {
                return Err(Error::Execution {
                    message: format!(
                        "column `{}` holds a time more than 260,000 years from 1970, which cannot be shown",
                        field.name()
                    ),
                });
            }
        }
    }
    Ok(())
}

/// The result with each column name once: a second `region` (`SELECT c.region,
/// t.region`) becomes `region_1`, a third `region_2`, as DuckDB names them. JSON keys and
/// Parquet readers (pyarrow) need them apart, and every format says the same.
fn unique_names(result: QueryResult) -> QueryResult {
    use deltalake::arrow::datatypes::{Field, Schema};
    let fields = result.schema.fields();
    let mut taken: std::collections::HashSet<String> = fields.iter().map(|field| field.name().clone()).collect();
    if taken.len() == fields.len() {
        return result;
    }
    let mut seen = std::collections::HashSet::new();
    let renamed: Vec<Field> = fields
        .iter()
        .map(|field| {
            if seen.insert(field.name().clone()) {
                return field.as_ref().clone();
            }
            let name = (1..)
                .map(|number| format!("{}_{number}", field.name()))
                .find(|name| !taken.contains(name))
                .expect("some number is free");
            taken.insert(name.clone());
            field.as_ref().clone().with_name(name)
        })
        .collect();
    let schema: SchemaRef = Arc::new(Schema::new_with_metadata(renamed, result.schema.metadata().clone()));
    // Each batch keeps its own fields (their nullability may differ from the plan's),
    // renamed alike.
    let batches = result
        .batches
        .iter()
        .map(|batch| {
            let fields: Vec<Field> = batch
                .schema()
                .fields()
                .iter()
                .zip(schema.fields())
                .map(|(field, named)| field.as_ref().clone().with_name(named.name()))
                .collect();
            let schema = Arc::new(Schema::new_with_metadata(fields, batch.schema().metadata().clone()));
            RecordBatch::try_new(schema, batch.columns().to_vec()).unwrap_or_else(|_| batch.clone())
        })
        .collect();
    QueryResult { schema, batches }
}

/// Resolves once `limit` has passed, told by a thread of its own (see
/// [`RegistrySession::query`]); the thread ends early once the receiver is dropped.
fn deadline(limit: Duration) -> tokio::sync::oneshot::Receiver<()> {
    let (expired, receiver) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let started = std::time::Instant::now();
        // Woken every 50 ms to see whether the statement ended and the receiver is gone.
        while !expired.is_closed() {
            let left = limit.saturating_sub(started.elapsed());
            if left.is_zero() {
                let _ = expired.send(());
                return;
            }
            std::thread::sleep(left.min(Duration::from_millis(50)));
        }
    });
    receiver
}

/// How deep the SQL parser nests (see [`RegistrySession::open`]).
pub const PARSER_NESTING: usize = 200;

/// The error of a statement nested deeper than [`PARSER_NESTING`].
pub fn too_nested() -> Error {
    let message = format!(
        "the statement nests parentheses, function calls or subqueries more than {PARSER_NESTING} deep, the most \
         the SQL parser reads; write it flatter (a subquery as a `WITH` clause)"
    );
    Error::Syntax { message, position: None }
}

/// A planning error, with the position DataFusion's diagnostic or message gives.
fn plan_error(error: DataFusionError) -> Error {
    let message = error.strip_backtrace();
    if message.contains("RecursionLimitExceeded") {
        return too_nested();
    }
    let from_diagnostic = error
        .diagnostic()
        .and_then(|diagnostic| diagnostic.span)
        .map(|span| Position { line: span.start.line, column: span.start.column });
    let position = from_diagnostic.or_else(|| position_in_message(&message));
    if message.contains("DDL not supported") || message.contains("DML not supported") {
        return Error::ReadOnly { what: message };
    }
    if matches!(error.find_root(), DataFusionError::SQL(..)) {
        return Error::Syntax { message, position };
    }
    Error::Plan { message, position }
}

/// Bytes as the flags take them: `512MiB`, `4GiB`.
pub fn human_bytes(bytes: usize) -> String {
    const GIB: usize = 1 << 30;
    const MIB: usize = 1 << 20;
    if bytes.is_multiple_of(GIB) {
        format!("{}GiB", bytes / GIB)
    } else if bytes.is_multiple_of(MIB) {
        format!("{}MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// Reads a memory size given on the command line: a number with an optional unit
/// (`k`, `m`, `g`, with or without `iB`/`B`; binary multiples).
pub fn parse_bytes(text: &str) -> std::result::Result<usize, String> {
    let trimmed = text.trim();
    let digits_end = trimmed.find(|ch: char| !ch.is_ascii_digit()).unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(digits_end);
    let number: usize = number.parse().map_err(|_| format!("`{text}` is not a size such as 512MiB or 4GiB"))?;
    let multiplier: usize = match unit.trim().to_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => return Err(format!("`{text}` has an unknown unit; use B, KiB, MiB or GiB")),
    };
    let bytes = number.checked_mul(multiplier).ok_or_else(|| format!("`{text}` is too large"))?;
    if bytes < (16 << 20) {
        return Err(format!("`{text}` is below the smallest limit, 16MiB"));
    }
    Ok(bytes)
}

/// Splits what was typed into statements at each `;` outside quotes and comments, for the
/// interactive shell. `None` while the text is not complete: a quote or comment still
/// open, or no `;` after its last statement.
pub fn complete_statements(text: &str) -> Option<Vec<String>> {
    use deltalake::datafusion::sql::sqlparser::dialect::GenericDialect;
    use deltalake::datafusion::sql::sqlparser::tokenizer::{Location, Token, Tokenizer};
    let tokens = match Tokenizer::new(&GenericDialect {}, text).tokenize_with_location() {
        Ok(tokens) => tokens,
        // A quote, or a quoted name (`"a;b`), still open: more is to come.
        Err(error)
            if error.message.starts_with("Unterminated")
                || error.message.starts_with("Unexpected EOF")
                || error.message.starts_with("Expected close delimiter") =>
        {
            return None;
        }
        // Text the tokenizer cannot read is handed on whole, for the parser to say why.
        Err(_) => {
            let trimmed = text.trim();
            return trimmed.ends_with(';').then(|| vec![trimmed.trim_end_matches(';').to_owned()]);
        }
    };
    let last = tokens.iter().rev().find(|token| !matches!(token.token, Token::Whitespace(_)))?;
    if last.token != Token::SemiColon {
        return None;
    }
    // The statements are cut out of the text as typed, at each `;`'s place (line and
    // column, in characters, from 1): a token printed again would lose the doubling of a
    // quote inside a string (`'O''Brien'`).
    let line_starts: Vec<usize> = std::iter::once(0).chain(text.match_indices('\n').map(|(at, _)| at + 1)).collect();
    let offset = |location: Location| -> Option<usize> {
        let start = *line_starts.get(usize::try_from(location.line).ok()?.checked_sub(1)?)?;
        let column = usize::try_from(location.column).ok()?.checked_sub(1)?;
        let line = &text[start..];
        Some(start + line.char_indices().nth(column).map_or(line.len(), |(at, _)| at))
    };
    let mut statements = Vec::new();
    let mut from = 0;
    // Whether the statement being cut holds anything but white space and comments: a
    // script's closing `-- done` is no statement.
    let mut holds_sql = false;
    for token in &tokens {
        match token.token {
            Token::SemiColon => {
                let at = offset(token.span.start)?;
                let statement = text.get(from..at)?.trim();
                if holds_sql {
                    statements.push(statement.to_owned());
                }
                from = at + 1;
                holds_sql = false;
            }
            Token::Whitespace(_) => {}
            _ => holds_sql = true,
        }
    }
    Some(statements)
}

/// Reads a duration given on the command line: seconds, or a number with `ms`, `s`, `m`.
pub fn parse_duration(text: &str) -> std::result::Result<Duration, String> {
    let trimmed = text.trim();
    let digits_end = trimmed.find(|ch: char| !ch.is_ascii_digit() && ch != '.').unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(digits_end);
    let number: f64 = number.parse().map_err(|_| format!("`{text}` is not a duration such as 30s or 5m"))?;
    let seconds = match unit.trim() {
        "" | "s" => number,
        "ms" => number / 1000.0,
        "m" | "min" => number * 60.0,
        _ => return Err(format!("`{text}` has an unknown unit; use ms, s or m")),
    };
    if !(seconds > 0.0 && seconds.is_finite()) {
        return Err(format!("`{text}` must be more than zero"));
    }
    Duration::try_from_secs_f64(seconds).map_err(|_| format!("`{text}` is too long a time"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_sizes_read_with_units() {
        assert_eq!(parse_bytes("512MiB"), Ok(512 << 20));
        assert_eq!(parse_bytes("4g"), Ok(4 << 30));
        assert!(parse_bytes("1k").unwrap_err().contains("smallest"));
        assert!(parse_bytes("lots").is_err());
        assert!(parse_bytes("3 parsecs").is_err());
        assert_eq!(human_bytes(2 << 30), "2GiB");
    }

    #[test]
    fn typed_text_is_split_into_statements_outside_quotes() {
        assert_eq!(
            complete_statements("SELECT 1; SELECT 2;"),
            Some(vec!["SELECT 1".to_owned(), "SELECT 2".to_owned()])
        );
        // A `;` that ends a line inside a string does not end the statement.
        assert_eq!(complete_statements("SELECT 'a;\n"), None);
        assert_eq!(complete_statements("SELECT 'a;\nb';\n"), Some(vec!["SELECT 'a;\nb'".to_owned()]));
        assert_eq!(complete_statements("SELECT 1 -- no end;\n"), None);
        assert_eq!(complete_statements("SELECT 1\n"), None);
        assert_eq!(complete_statements(";\n"), Some(vec![]));
        // Comments alone are no statement (a script's closing `-- done`, given its `;` at
        // the end of the input).
        assert_eq!(complete_statements("-- done\n;"), Some(vec![]));
        assert_eq!(complete_statements("SELECT 1; /* x */ ;"), Some(vec!["SELECT 1".to_owned()]));
        // Doubled quotes stay doubled; an open block comment is not complete.
        assert_eq!(
            complete_statements("SELECT 'O''Brien' AS w, \"x\"\"y\" AS q;\n"),
            Some(vec!["SELECT 'O''Brien' AS w, \"x\"\"y\" AS q".to_owned()])
        );
        assert_eq!(complete_statements("SELECT 1 /* later;\n"), None);
        assert_eq!(
            complete_statements("SELECT 'Қазақ'; SELECT 2;"),
            Some(vec!["SELECT 'Қазақ'".to_owned(), "SELECT 2".to_owned()])
        );
    }

    #[test]
    fn durations_read_with_units() {
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("0").is_err());
        assert!(parse_duration("soon").is_err());
        // More seconds than a `Duration` holds (about 1.8e19) is refused, not a panic.
        assert_eq!(parse_duration("1e20"), Err("`1e20` has an unknown unit; use ms, s or m".to_owned()));
        assert_eq!(
            parse_duration("100000000000000000000"),
            Err("`100000000000000000000` is too long a time".to_owned())
        );
    }
}
