//! Storage: one store over two engines, through sqlx's `Any` driver. SQLite (the embedded
//! default, in WAL mode) for one machine; PostgreSQL for several instances as one. Both speak the
//! same SQL: `$N` placeholders, and on PostgreSQL a few SQLite functions the queries use
//! (`strftime`, `julianday`, `json_extract`, `instr`), defined by its own migrations
//! (`migrations-postgres/`). What differs is here: connecting, migrating and taking the writer's
//! lock ([`begin_write`]).

use std::path::Path;
use std::str::FromStr;

use anyhow::Context;
use news_widget_api::{Article, ArticleInput, Slug};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};

use crate::sanitize;

pub type Db = AnyPool;

/// The database engine behind a [`Db`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    /// The engine `location` names: a `postgres://` (or `postgresql://`) URL, else SQLite.
    pub fn of(location: &str) -> Self {
        if location.starts_with("postgres://") || location.starts_with("postgresql://") {
            Self::Postgres
        } else {
            Self::Sqlite
        }
    }

    /// The engine of an open pool.
    pub fn of_pool(db: &Db) -> Self {
        Self::of(db.connect_options().database_url.as_str())
    }

    /// The engine of an open connection.
    pub fn of_conn(conn: &sqlx::AnyConnection) -> Self {
        if conn.backend_name() == "PostgreSQL" {
            Self::Postgres
        } else {
            Self::Sqlite
        }
    }
}

/// Opens the database at `location`, creating and migrating it if needed: a `postgres://…` URL,
/// or SQLite as a file path, a `sqlite:…` URL or `:memory:`.
pub async fn connect(location: &str) -> anyhow::Result<Db> {
    sqlx::any::install_default_drivers();
    match Engine::of(location) {
        Engine::Postgres => {
            let pool = AnyPoolOptions::new()
                .max_connections(16)
                .connect(location)
                .await
                .with_context(|| format!("cannot open the database {}", redact(location)))?;
            sqlx::migrate!("./migrations-postgres").run(&pool).await.context("database migration failed")?;
            Ok(pool)
        }
        Engine::Sqlite => {
            let url = sqlite_url(location)?;
            // Each connection to `:memory:` would be a database of its own.
            let connections = if url.contains(":memory:") { 1 } else { 8 };
            let pool = AnyPoolOptions::new()
                .max_connections(connections)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        // Foreign keys are on by sqlx's default; a writer waits for another's lock.
                        conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;")
                            .await?;
                        Ok(())
                    })
                })
                .connect(&url)
                .await
                .with_context(|| format!("cannot open the database {location}"))?;
            sqlx::migrate!("./migrations").run(&pool).await.context("database migration failed")?;
            Ok(pool)
        }
    }
}

/// A `sqlite:` URL for `location`, creating the file's folder (and the file) if needed.
fn sqlite_url(location: &str) -> anyhow::Result<String> {
    if location.starts_with("sqlite:") {
        // Validated here so that a bad URL names itself.
        sqlx::sqlite::SqliteConnectOptions::from_str(location)
            .with_context(|| format!("bad database URL {location}"))?;
        return Ok(if location.contains('?') { location.to_owned() } else { format!("{location}?mode=rwc") });
    }
    if location == ":memory:" {
        return Ok("sqlite::memory:".to_owned());
    }
    let path = Path::new(location);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create the folder {}", dir.display()))?;
    }
    let path = std::path::absolute(path).with_context(|| format!("bad database path {location}"))?;
    let mut url = url::Url::from_file_path(&path).map_err(|()| anyhow::anyhow!("bad database path {location}"))?;
    url.set_query(Some("mode=rwc"));
    Ok(format!("sqlite://{}", &url.as_str()["file://".len()..]))
}

/// `location` without its password, for messages.
pub fn redact(location: &str) -> String {
    match url::Url::parse(location) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        _ => location.to_owned(),
    }
}

/// The key of the writers' lock on PostgreSQL (`pg_advisory_xact_lock`): any number of our own.
const WRITER_LOCK: i64 = 0x6e77_7772; // "nwwr"

/// Begins a write transaction that runs alone among writers, as SQLite's `BEGIN IMMEDIATE` does:
/// every check it makes (a limit, an idempotency key, a status) still holds when it commits. On
/// PostgreSQL, a transaction-scoped advisory lock serializes writers across every instance on the
/// database, while readers never wait.
pub async fn begin_write(db: &Db) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Any>> {
    match Engine::of_pool(db) {
        Engine::Sqlite => db.begin_with("BEGIN IMMEDIATE").await,
        Engine::Postgres => {
            let mut tx = db.begin().await?;
            sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock($1)) AS locked")
                .bind(WRITER_LOCK)
                .execute(&mut *tx)
                .await?;
            Ok(tx)
        }
    }
}

/// Checks the transaction's foreign keys at its commit rather than at each statement, so that a
/// restore may insert rows in any order.
pub async fn defer_foreign_keys(tx: &mut sqlx::Transaction<'static, sqlx::Any>) -> sqlx::Result<()> {
    let sql = match Engine::of_conn(tx) {
        Engine::Sqlite => "PRAGMA defer_foreign_keys = ON",
        Engine::Postgres => "SET CONSTRAINTS ALL DEFERRED",
    };
    sqlx::query(sql).execute(&mut **tx).await?;
    Ok(())
}

/// After rows of `table` were inserted with their own ids: the next id PostgreSQL hands out is
/// past them (SQLite's rowids and AUTOINCREMENT follow the largest id by themselves).
pub async fn after_explicit_ids(tx: &mut sqlx::Transaction<'static, sqlx::Any>, table: &str) -> sqlx::Result<()> {
    if Engine::of_conn(tx) == Engine::Postgres {
        sqlx::query(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {table}"
        ))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// `$from, $from+1, …`: `n` placeholders, for an `IN (…)` list.
pub fn marks(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(",")
}

/// Parses and sanitizes an article, the one path every write takes (the API, the demo data).
pub fn prepare(slug: Slug, input: ArticleInput) -> Result<Article, Vec<news_widget_api::FieldError>> {
    let mut article = input.parse(slug)?;
    article.body_html = sanitize::article_body(&article.body_html);
    Ok(article)
}

pub async fn article<'e>(db: impl sqlx::AnyExecutor<'e>, slug: &Slug) -> sqlx::Result<Option<Article>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT data FROM articles WHERE slug = $1").bind(slug.as_str()).fetch_optional(db).await?;
    row.map(|(data,)| serde_json::from_str(&data).map_err(|e| sqlx::Error::Decode(Box::new(e)))).transpose()
}

/// Stores `article`, answering whether it was new.
pub async fn put_article(db: &Db, article: &Article) -> sqlx::Result<bool> {
    let data = serde_json::to_string(article).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let inserted = sqlx::query("INSERT INTO articles (slug, data) VALUES ($1, $2) ON CONFLICT (slug) DO NOTHING")
        .bind(article.slug.as_str())
        .bind(&data)
        .execute(db)
        .await?;
    if inserted.rows_affected() == 1 {
        return Ok(true);
    }
    sqlx::query("UPDATE articles SET data = $2, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE slug = $1")
        .bind(article.slug.as_str())
        .bind(&data)
        .execute(db)
        .await?;
    Ok(false)
}

/// Stores `article` unless its slug is taken, answering whether it was new: an importer's way in,
/// which never replaces what is there.
pub async fn add_article(conn: &mut sqlx::AnyConnection, article: &Article) -> sqlx::Result<bool> {
    let data = serde_json::to_string(article).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let inserted = sqlx::query("INSERT INTO articles (slug, data) VALUES ($1, $2) ON CONFLICT (slug) DO NOTHING")
        .bind(article.slug.as_str())
        .bind(&data)
        .execute(conn)
        .await?;
    Ok(inserted.rows_affected() == 1)
}

/// The slug of the article whose canonical URL is `url`, if one has it.
pub async fn article_by_canonical_url<'e>(db: impl sqlx::AnyExecutor<'e>, url: &str) -> sqlx::Result<Option<Slug>> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT slug FROM articles WHERE json_extract(data, '$.canonical_url') = $1 ORDER BY slug LIMIT 1",
    )
    .bind(url)
    .fetch_optional(db)
    .await?;
    Ok(row.and_then(|(slug,)| Slug::parse(&slug).ok()))
}

/// The demo article, from the French page this project started from.
pub const DEMO_SLUG: &str = "cooperation-chine-kazakhstan";
const DEMO_ARTICLE: &str = include_str!("../fixtures/cooperation-chine-kazakhstan.json");

/// Loads the demo article when the database has no article at all.
pub async fn seed_if_empty(db: &Db) -> anyhow::Result<bool> {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM articles").fetch_one(db).await?;
    if count > 0 {
        return Ok(false);
    }
    let input: ArticleInput = serde_json::from_str(DEMO_ARTICLE).context("the demo fixture is not an article")?;
    let slug = Slug::parse(DEMO_SLUG).map_err(|e| anyhow::anyhow!("demo slug: {e}"))?;
    let article = prepare(slug, input).map_err(|e| anyhow::anyhow!("the demo fixture is invalid: {e:?}"))?;
    put_article(db, &article).await?;
    Ok(true)
}

/// Answers 404 unless the article `slug` exists: every route under an article starts with it.
pub async fn require_article(conn: &mut sqlx::AnyConnection, slug: &Slug) -> crate::error::ApiResult<()> {
    let found = sqlx::query("SELECT 1 FROM articles WHERE slug = $1").bind(slug.as_str()).fetch_optional(conn).await?;
    found.map(|_| ()).ok_or_else(|| crate::error::ApiError::not_found(format!("no article {slug}")))
}
