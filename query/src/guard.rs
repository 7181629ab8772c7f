//! The read-only rule of analyst SQL, checked on the parsed statement before DataFusion
//! plans it: only queries, `EXPLAIN`, `SHOW` and `DESCRIBE` pass, and no relation or
//! function may read files. The session's `SQLOptions` (no DDL, DML or statements) is a
//! second check on the plan itself.

use std::ops::ControlFlow;

use deltalake::datafusion::sql::parser::{DFParserBuilder, Statement as DfStatement};
use deltalake::datafusion::sql::sqlparser::ast::{
    Expr, ObjectName, Query, SetExpr, Statement, Visit, Visitor, visit_expressions, visit_relations,
};

use crate::error::{Error, Result, position_in_message};

/// Table and scalar functions that read files in DataFusion, its CLI, DuckDB or Spark;
/// none is registered in a Daryn session, and naming one is refused with its own code.
const FILE_FUNCTIONS: [&str; 16] = [
    "read_csv",
    "read_csv_auto",
    "read_parquet",
    "read_json",
    "read_json_auto",
    "read_ndjson",
    "read_avro",
    "read_arrow",
    "read_text",
    "read_blob",
    "parquet_scan",
    "parquet_metadata",
    "parquet_schema",
    "csv_scan",
    "delta_scan",
    "glob",
];

/// The deepest expression a statement may hold (`1+1+…+1` is as deep as it has terms).
/// DataFusion plans and evaluates expressions by recursion, and one a few thousand deep
/// overflowed the thread's stack, which ends the process; 1,000 leaves a wide margin on
/// the 8 MiB of the main thread and the 16 MiB of the query runtime's threads.
pub const MAX_EXPRESSION_DEPTH: usize = 1_000;

/// The most set operations (`UNION`, `EXCEPT`, `INTERSECT`) one statement holds, in all
/// its queries, planned by recursion as well: 3,000 overflowed the main thread.
pub const MAX_SET_OPERATIONS: usize = 500;

/// The most tables one statement names (joins are planned by recursion too).
pub const MAX_RELATIONS: usize = 1_000;

/// The longest statement taken (an `IN` list of some 200,000 IINs).
pub const MAX_STATEMENT_BYTES: usize = 4 << 20;

/// The stack of the thread that parses a statement to check it, only touched as far as
/// used: the checks walk no deeper than their limits, but freeing the tree recurses as
/// deep as it is, and a statement of [`MAX_STATEMENT_BYTES`] can be two million levels.
const GUARD_STACK: usize = 1 << 30;

/// Parses one statement and checks that it only reads the registry and that it is not
/// deeper than the engine can plan ([`MAX_EXPRESSION_DEPTH`]).
pub fn check_read_only(sql: &str) -> Result<()> {
    if sql.len() > MAX_STATEMENT_BYTES {
        return Err(Error::Syntax {
            message: format!("the statement is {} bytes; at most {MAX_STATEMENT_BYTES} are taken", sql.len()),
            position: None,
        });
    }
    // Parsed, checked and freed on a thread whose stack holds any such tree, whatever
    // thread the caller is on (`daryn` gives its commands a large stack; a test or
    // another caller may not).
    std::thread::scope(|scope| {
        match std::thread::Builder::new()
            .name("sql-guard".to_owned())
            .stack_size(GUARD_STACK)
            .spawn_scoped(scope, || check_parsed(sql))
        {
            Ok(handle) => handle.join().unwrap_or_else(|_| {
                Err(Error::Syntax { message: "the statement could not be parsed".to_owned(), position: None })
            }),
            // No thread to be had: check on this one.
            Err(_) => check_parsed(sql),
        }
    })
}

fn check_parsed(sql: &str) -> Result<()> {
    let parsed = DFParserBuilder::new(sql)
        .with_recursion_limit(crate::session::PARSER_NESTING)
        .build()
        .and_then(|mut parser| parser.parse_statements());
    let mut statements = parsed.map_err(|error| {
        let message = error.strip_backtrace();
        if message.contains("RecursionLimitExceeded") {
            return crate::session::too_nested();
        }
        Error::Syntax { position: position_in_message(&message), message }
    })?;
    if statements.len() != 1 {
        return Err(Error::Syntax {
            message: format!("give exactly one statement, not {}", statements.len()),
            position: None,
        });
    }
    let statement = statements.pop_front().expect("one statement");
    check_depth(&statement)?;
    check_statement(&statement)
}

/// Refuses a statement with an expression deeper than [`MAX_EXPRESSION_DEPTH`]; the walk
/// stops there, so it never goes deeper itself.
fn check_depth(statement: &DfStatement) -> Result<()> {
    struct Depth {
        now: usize,
        relations: usize,
        set_operations: usize,
    }
    impl Visitor for Depth {
        type Break = String;
        fn pre_visit_expr(&mut self, _: &Expr) -> ControlFlow<String> {
            self.now += 1;
            if self.now > MAX_EXPRESSION_DEPTH {
                return ControlFlow::Break(format!(
                    "an expression is nested more than {MAX_EXPRESSION_DEPTH} deep (a chain of that many \
                     operators); split it, or use IN (…) for a list of values"
                ));
            }
            ControlFlow::Continue(())
        }
        fn post_visit_expr(&mut self, _: &Expr) -> ControlFlow<String> {
            self.now -= 1;
            ControlFlow::Continue(())
        }
        // Before the query's parts are walked, so a long chain is never walked at all.
        // (A query nested in another's body is counted with it and again on its own: the
        // limit is only approached by a statement made to reach it.)
        fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<String> {
            self.set_operations += set_operations(&query.body);
            if self.set_operations > MAX_SET_OPERATIONS {
                return ControlFlow::Break(format!(
                    "the statement holds more than {MAX_SET_OPERATIONS} UNION, EXCEPT or INTERSECT; split it"
                ));
            }
            ControlFlow::Continue(())
        }
        fn pre_visit_relation(&mut self, _: &ObjectName) -> ControlFlow<String> {
            self.relations += 1;
            if self.relations > MAX_RELATIONS {
                return ControlFlow::Break(format!("the statement names more than {MAX_RELATIONS} tables; split it"));
            }
            ControlFlow::Continue(())
        }
    }
    let inner = match statement {
        DfStatement::Statement(inner) => inner.as_ref(),
        DfStatement::Explain(explain) => return check_depth(&explain.statement),
        _ => return Ok(()),
    };
    match inner.visit(&mut Depth { now: 0, relations: 0, set_operations: 0 }) {
        ControlFlow::Break(message) => Err(Error::Syntax { message, position: None }),
        ControlFlow::Continue(()) => Ok(()),
    }
}

/// The set operations in a query's body, counted without recursion (up to one past the
/// limit).
fn set_operations(body: &SetExpr) -> usize {
    let mut count = 0;
    let mut pending = vec![body];
    while let Some(expression) = pending.pop() {
        if count > MAX_SET_OPERATIONS {
            break;
        }
        match expression {
            SetExpr::SetOperation { left, right, .. } => {
                count += 1;
                pending.push(left);
                pending.push(right);
            }
            SetExpr::Query(query) => pending.push(&query.body),
            _ => {}
        }
    }
    count
}

/// Whether a part of a query's body is a `SELECT … INTO`, walked without recursion.
fn selects_into(body: &SetExpr) -> bool {
    let mut pending = vec![body];
    while let Some(expression) = pending.pop() {
        match expression {
            SetExpr::Select(select) if select.into.is_some() => return true,
            SetExpr::SetOperation { left, right, .. } => {
                pending.push(left);
                pending.push(right);
            }
            SetExpr::Query(query) => pending.push(&query.body),
            _ => {}
        }
    }
    false
}

fn check_statement(statement: &DfStatement) -> Result<()> {
    match statement {
        DfStatement::Statement(inner) => check_sql_statement(inner),
        DfStatement::Explain(explain) => check_statement(&explain.statement),
        DfStatement::CreateExternalTable(_) => {
            Err(Error::ReadOnly { what: "CREATE EXTERNAL TABLE would read files as a table".to_owned() })
        }
        DfStatement::CopyTo(_) => Err(Error::ReadOnly { what: "COPY would write files".to_owned() }),
        DfStatement::Reset(_) => Err(Error::ReadOnly { what: "RESET would change the session".to_owned() }),
    }
}

fn check_sql_statement(statement: &Statement) -> Result<()> {
    match statement {
        // DataFusion refuses `SELECT … INTO t` in words of its own, and ignored the `INTO`
        // of a union's last part.
        Statement::Query(query) if selects_into(&query.body) => {
            Err(Error::ReadOnly { what: "`SELECT … INTO` would make a table".to_owned() })
        }
        Statement::Query(_)
        | Statement::ExplainTable { .. }
        | Statement::ShowTables { .. }
        | Statement::ShowColumns { .. }
        | Statement::ShowFunctions { .. }
        | Statement::ShowVariable { .. } => check_no_file_access(statement),
        Statement::Explain { statement: inner, .. } => check_sql_statement(inner),
        other => Err(Error::ReadOnly { what: format!("`{}` would change data or the session", first_words(other)) }),
    }
}

/// The statement's leading keywords, e.g. `INSERT INTO` or `CREATE TABLE`.
fn first_words(statement: &Statement) -> String {
    let text = statement.to_string();
    let words: Vec<&str> =
        text.split_whitespace().take_while(|word| word.chars().all(char::is_alphabetic)).take(3).collect();
    if words.is_empty() { "this".to_owned() } else { words.join(" ") }
}

fn check_no_file_access(statement: &Statement) -> Result<()> {
    let relations = visit_relations(statement, |relation: &ObjectName| check_name(&relation.to_string()));
    if let ControlFlow::Break(error) = relations {
        return Err(error);
    }
    let functions = visit_expressions(statement, |expression: &Expr| match expression {
        Expr::Function(function) => check_name(&function.name.to_string()),
        _ => ControlFlow::Continue(()),
    });
    match functions {
        ControlFlow::Break(error) => Err(error),
        ControlFlow::Continue(()) => Ok(()),
    }
}

fn check_name(name: &str) -> ControlFlow<Error> {
    let bare = name.trim_matches(|ch| ch == '"' || ch == '\'' || ch == '`');
    let last = bare.rsplit('.').next().unwrap_or(bare).to_lowercase();
    if FILE_FUNCTIONS.contains(&last.as_str()) {
        return ControlFlow::Break(Error::FileFunction { function: last });
    }
    if bare.contains('/') || bare.contains('\\') || bare.contains("://") {
        // As written: the quotes trimmed above would be left unbalanced (`public."a/b`).
        return ControlFlow::Break(Error::FileFunction { function: name.to_owned() });
    }
    ControlFlow::Continue(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(sql: &str) -> &'static str {
        match check_read_only(sql) {
            Ok(()) => "ok",
            Err(error) => error.code(),
        }
    }

    #[test]
    fn queries_and_introspection_pass() {
        assert_eq!(code("SELECT region, count(*) FROM children GROUP BY region"), "ok");
        assert_eq!(code("WITH x AS (SELECT 1 AS a) SELECT a FROM x"), "ok");
        assert_eq!(code("EXPLAIN SELECT * FROM measures"), "ok");
        assert_eq!(code("SHOW TABLES"), "ok");
        assert_eq!(code("DESCRIBE children"), "ok");
    }

    #[test]
    fn a_statement_deeper_than_the_engine_plans_is_refused() {
        let chain = |terms: usize| format!("SELECT 1{}", "+1".repeat(terms));
        assert_eq!(code(&chain(MAX_EXPRESSION_DEPTH - 10)), "ok");
        // A chain of n terms is n − 1 operators deep, plus the literal under the last.
        assert_eq!(code(&chain(MAX_EXPRESSION_DEPTH + 1)), "sql_syntax");
        // Deep enough to overflow any stack while freeing the tree, under the size limit.
        assert_eq!(code(&chain(1_500_000)), "sql_syntax");
        assert_eq!(code(&chain(MAX_STATEMENT_BYTES)), "sql_syntax");
        let nested = format!("SELECT {}1{}", "(".repeat(40), ")".repeat(40));
        assert_eq!(code(&nested), "ok");
        // Set operations and joins are planned by recursion too.
        let unions = |terms: usize| vec!["SELECT 1"; terms].join(" UNION ALL ");
        assert_eq!(code(&unions(MAX_SET_OPERATIONS)), "ok");
        assert_eq!(code(&unions(3_000)), "sql_syntax");
        let joins = |tables: usize| format!("SELECT 1 FROM children{}", " NATURAL JOIN children".repeat(tables));
        assert_eq!(code(&joins(100)), "ok");
        assert_eq!(code(&joins(MAX_RELATIONS)), "sql_syntax");
    }

    #[test]
    fn ddl_dml_and_copy_are_refused() {
        for sql in [
            "CREATE TABLE t AS SELECT 1",
            "CREATE VIEW v AS SELECT 1",
            "DROP TABLE children",
            "INSERT INTO children SELECT * FROM children",
            "DELETE FROM measures",
            "UPDATE children SET grade = 1",
            "COPY children TO '/tmp/out.csv'",
            "CREATE EXTERNAL TABLE t STORED AS CSV LOCATION '/etc/passwd'",
            "SET datafusion.execution.batch_size = 1",
            "EXPLAIN INSERT INTO children SELECT * FROM children",
            "SELECT 1 INTO t",
            "SELECT 1 UNION SELECT 2 INTO t",
            "(SELECT region INTO t FROM children)",
        ] {
            assert_eq!(code(sql), "read_only", "{sql}");
        }
        let into = check_read_only("SELECT 1 UNION SELECT 2 INTO t").unwrap_err().to_string();
        assert!(
            into.starts_with("the statement `SELECT … INTO` would make a table; analyst SQL is read-only"),
            "{into}"
        );
    }

    #[test]
    fn file_reading_functions_and_paths_are_refused() {
        assert_eq!(code("SELECT * FROM read_parquet('/tmp/x.parquet')"), "file_function");
        assert_eq!(code("SELECT * FROM children WHERE iin IN (SELECT * FROM read_csv('a.csv'))"), "file_function");
        assert_eq!(code("SELECT * FROM '/work/registry/tables/children/x.parquet'"), "file_function");
        assert_eq!(code("SELECT * FROM \"file:///etc/passwd\""), "file_function");
        // The name is told as written, its quotes balanced.
        let error = check_read_only("SELECT * FROM public.\"file:///etc/passwd\"").unwrap_err().to_string();
        assert!(error.starts_with("`public.\"file:///etc/passwd\"` reads files"), "{error}");
    }

    #[test]
    fn syntax_errors_carry_their_position() {
        let error = check_read_only("SELECT region\nFORM children").unwrap_err();
        assert_eq!(error.code(), "sql_syntax");
        assert!(error.position().is_some(), "{error}");
        assert_eq!(code("SELECT 1; SELECT 2"), "sql_syntax");
    }
}
