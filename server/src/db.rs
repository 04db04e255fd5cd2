//! Storage: SQLite in WAL mode, migrations embedded in the binary.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use news_widget_api::{Article, ArticleInput, Slug};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use crate::sanitize;

pub type Db = SqlitePool;

/// Opens (creating if needed) the database at `location`: a file path, `sqlite:…` URL or `:memory:`.
pub async fn connect(location: &str) -> anyhow::Result<Db> {
    let options = if location.starts_with("sqlite:") {
        SqliteConnectOptions::from_str(location).with_context(|| format!("bad database URL {location}"))?
    } else {
        if let Some(dir) = Path::new(location).parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create the folder {}", dir.display()))?;
        }
        SqliteConnectOptions::new().filename(location)
    };
    let options = options
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .with_context(|| format!("cannot open the database {location}"))?;
    sqlx::migrate!("./migrations").run(&pool).await.context("database migration failed")?;
    Ok(pool)
}

/// Parses and sanitizes an article, the one path every write takes (the API, the demo data).
pub fn prepare(slug: Slug, input: ArticleInput) -> Result<Article, Vec<news_widget_api::FieldError>> {
    let mut article = input.parse(slug)?;
    article.body_html = sanitize::article_body(&article.body_html);
    Ok(article)
}

pub async fn article<'e>(db: impl sqlx::SqliteExecutor<'e>, slug: &Slug) -> sqlx::Result<Option<Article>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT data FROM articles WHERE slug = ?").bind(slug.as_str()).fetch_optional(db).await?;
    row.map(|(data,)| serde_json::from_str(&data).map_err(|e| sqlx::Error::Decode(Box::new(e)))).transpose()
}

/// Stores `article`, answering whether it was new.
pub async fn put_article(db: &Db, article: &Article) -> sqlx::Result<bool> {
    let data = serde_json::to_string(article).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let inserted = sqlx::query("INSERT INTO articles (slug, data) VALUES (?1, ?2) ON CONFLICT (slug) DO NOTHING")
        .bind(article.slug.as_str())
        .bind(&data)
        .execute(db)
        .await?;
    if inserted.rows_affected() == 1 {
        return Ok(true);
    }
    sqlx::query("UPDATE articles SET data = ?2, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE slug = ?1")
        .bind(article.slug.as_str())
        .bind(&data)
        .execute(db)
        .await?;
    Ok(false)
}

/// Stores `article` unless its slug is taken, answering whether it was new: an importer's way in,
/// which never replaces what is there.
pub async fn add_article(conn: &mut sqlx::SqliteConnection, article: &Article) -> sqlx::Result<bool> {
    let data = serde_json::to_string(article).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let inserted = sqlx::query("INSERT INTO articles (slug, data) VALUES (?1, ?2) ON CONFLICT (slug) DO NOTHING")
        .bind(article.slug.as_str())
        .bind(&data)
        .execute(conn)
        .await?;
    Ok(inserted.rows_affected() == 1)
}

/// The slug of the article whose canonical URL is `url`, if one has it.
pub async fn article_by_canonical_url<'e>(db: impl sqlx::SqliteExecutor<'e>, url: &str) -> sqlx::Result<Option<Slug>> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT slug FROM articles WHERE json_extract(data, '$.canonical_url') = ? ORDER BY slug LIMIT 1",
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
pub async fn require_article(conn: &mut sqlx::SqliteConnection, slug: &Slug) -> crate::error::ApiResult<()> {
    let found = sqlx::query("SELECT 1 FROM articles WHERE slug = ?").bind(slug.as_str()).fetch_optional(conn).await?;
    found.map(|_| ()).ok_or_else(|| crate::error::ApiError::not_found(format!("no article {slug}")))
}
