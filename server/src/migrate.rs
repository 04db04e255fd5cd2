//! `news-widget-server migrate --from sqlite://… --to postgres://…`: a site's whole database,
//! every table and row as stored (secrets, accounts, sessions, the log and the outbox included,
//! so readers' votes, avatars and moderators' sign-ins carry over), copied into an empty
//! PostgreSQL database, then verified table by table by counting.
//!
//! The source is read in one read transaction, a consistent snapshot even while its server
//! keeps running; what is written after the snapshot is not carried, so a site switches by
//! stopping its writers (or its server) for the copy. The target is written in one transaction
//! with its foreign keys checked at the commit, so a failed copy leaves it empty.

use anyhow::{bail, Context};
use sqlx::{AnyConnection, Row};

use crate::db::{self, Engine};

/// Every table of the schema, as both engines have it (`rate_limits` is PostgreSQL's own state
/// and starts empty; the migrations' bookkeeping is each engine's own).
pub const TABLES: &[&str] = &[
    "articles",
    "secrets",
    "comments",
    "comment_reports",
    "idempotency_keys",
    "imports",
    "ratings",
    "rating_new_voters",
    "users",
    "sessions",
    "setup_tokens",
    "login_failures",
    "moderation_rules",
    "bans",
    "article_comments",
    "article_moderation",
    "decisions",
    "person_notes",
    "outbox",
    "action_links",
    "article_events",
];

/// Tables whose `id` PostgreSQL hands out: after the copy, its next id follows the copied ones.
const IDENTITIES: &[&str] = &["comments", "users", "decisions", "person_notes", "outbox", "article_events"];

/// Rows copied, per table, in [`TABLES`]' order.
pub struct Copied(pub Vec<(&'static str, i64)>);

/// Copies `from` into the empty PostgreSQL database `to`, and checks every table's count.
pub async fn run(from: &str, to: &str) -> anyhow::Result<Copied> {
    if Engine::of(to) != Engine::Postgres {
        bail!("--to must be a postgres:// URL (the copy goes from SQLite or PostgreSQL into PostgreSQL)");
    }
    let source = db::connect(from).await.with_context(|| format!("--from {}", db::redact(from)))?;
    let target = db::connect(to).await.with_context(|| format!("--to {}", db::redact(to)))?;
    for table in ["articles", "comments", "users", "secrets"] {
        let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&target).await?;
        if n > 0 {
            bail!("--to {} is not empty ({n} row(s) in {table}): migrate into a new database", db::redact(to));
        }
    }
    let mut read = source.begin().await?;
    let mut write = target.begin().await?;
    db::defer_foreign_keys(&mut write).await?;
    let mut copied = Vec::new();
    for &table in TABLES {
        let columns = columns(&mut write, table).await?;
        let n = copy_table(&mut read, &mut write, table, &columns).await?;
        copied.push((table, n));
    }
    for table in IDENTITIES {
        db::after_explicit_ids(&mut write, table).await?;
    }
    write.commit().await.context("the copied rows do not hold together")?;
    // Verified after the commit, on both sides: the source still in its snapshot.
    for &(table, n) in &copied {
        let (there,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&target).await?;
        let (here,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&mut *read).await?;
        if there != here || here != n {
            bail!("{table}: {here} row(s) in the source, {n} copied, {there} in the target");
        }
    }
    read.rollback().await?;
    Ok(Copied(copied))
}

/// Kinds of column, as PostgreSQL declares them.
enum Kind {
    Integer,
    Text,
    Bytes,
}

/// The target's columns of `table`, in order.
async fn columns(target: &mut AnyConnection, table: &str) -> anyhow::Result<Vec<(String, Kind)>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT CAST(column_name AS TEXT), CAST(data_type AS TEXT) FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
    )
    .bind(table)
    .fetch_all(&mut *target)
    .await?;
    if rows.is_empty() {
        bail!("the target has no table {table}");
    }
    rows.into_iter()
        .map(|(name, kind)| {
            let kind = match kind.as_str() {
                "bigint" | "integer" | "smallint" => Kind::Integer,
                "text" | "character varying" => Kind::Text,
                "bytea" => Kind::Bytes,
                other => bail!("{table}.{name}: a column of type {other} cannot be copied"),
            };
            Ok((name, kind))
        })
        .collect()
}

async fn copy_table(
    source: &mut AnyConnection,
    target: &mut AnyConnection,
    table: &str,
    columns: &[(String, Kind)],
) -> anyhow::Result<i64> {
    let names = columns.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ");
    let rows = sqlx::query(&format!("SELECT {names} FROM {table}"))
        .fetch_all(&mut *source)
        .await
        .with_context(|| format!("reading {table}"))?;
    // PostgreSQL's identities take given ids only when told to.
    let overriding = if IDENTITIES.contains(&table) { " OVERRIDING SYSTEM VALUE" } else { "" };
    let insert = format!("INSERT INTO {table} ({names}){overriding} VALUES ({})", db::marks(1, columns.len()));
    for row in &rows {
        let mut query = sqlx::query(&insert);
        for (i, (name, kind)) in columns.iter().enumerate() {
            query = match kind {
                Kind::Integer => {
                    query.bind(row.try_get::<Option<i64>, _>(i).with_context(|| format!("{table}.{name}"))?)
                }
                Kind::Text => {
                    query.bind(row.try_get::<Option<String>, _>(i).with_context(|| format!("{table}.{name}"))?)
                }
                Kind::Bytes => {
                    query.bind(row.try_get::<Option<Vec<u8>>, _>(i).with_context(|| format!("{table}.{name}"))?)
                }
            };
        }
        query.execute(&mut *target).await.with_context(|| format!("writing {table}"))?;
    }
    Ok(i64::try_from(rows.len()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A new table must be added to [`TABLES`], or `migrate` would leave it behind.
    #[tokio::test]
    async fn the_list_of_tables_is_the_schemas() {
        let dir = tempfile::tempdir().unwrap();
        let db = db::connect(&dir.path().join("t.sqlite3").to_string_lossy()).await.unwrap();
        let mut names: Vec<(String,)> = sqlx::query_as(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_sqlx%' ESCAPE '\\'
             AND name <> 'sqlite_sequence'",
        )
        .fetch_all(&db)
        .await
        .unwrap();
        names.sort();
        let mut ours: Vec<&str> = TABLES.to_vec();
        ours.sort_unstable();
        assert_eq!(names.iter().map(|(n,)| n.as_str()).collect::<Vec<_>>(), ours);
    }
}
