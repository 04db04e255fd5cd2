//! `export` and `import json`: every stored row, as it is stored, in one JSON document, and back.
//!
//! What is written: articles (their JSON and dates), comments (every column: status, parent,
//! thread root, dates, names, websites, emails as stored, avatar hashes, edit-token hashes,
//! pending edits, removals, reports count), reports, ratings (under their keyed reader hashes),
//! idempotency keys (hashes) and import keys. Not written: the server's secrets (a new
//! database makes its own, so a reader's old token no longer finds their vote) and the per-day
//! counters of new voters (keyed by day keys that are secrets too).
//!
//! This is a dump of the tables, so it reads and writes them here, in one place, column by
//! column: an export of a database restored from an export is the same bytes.

use std::io::Write;

use anyhow::Context;
use news_widget_api::Article;
use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use crate::db::Db;

pub const FORMAT: &str = "news-widget export";
pub const VERSION: u32 = 1;

#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct Dump {
    pub format: String,
    pub version: u32,
    pub articles: Vec<ArticleRow>,
    pub comments: Vec<CommentRow>,
    pub reports: Vec<ReportRow>,
    pub ratings: Vec<RatingRow>,
    pub idempotency_keys: Vec<IdempotencyRow>,
    pub imports: Vec<ImportRow>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct ArticleRow {
    pub article: Article,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Serialize, Deserialize, Debug, PartialEq, FromRow)]
pub struct CommentRow {
    pub id: i64,
    pub article_slug: String,
    pub parent_id: Option<i64>,
    pub root_id: i64,
    pub author_name: String,
    pub author_email: String,
    pub author_url: Option<String>,
    pub avatar: String,
    pub body: String,
    pub status: String,
    pub created_at: String,
    pub edited_at: Option<String>,
    pub edit_token_hash: String,
    pub edit_until: String,
    pub reports: i64,
    pub held_reason: Option<String>,
    pub pending_body: Option<String>,
    pub deleted_by: Option<String>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq, FromRow)]
pub struct ReportRow {
    pub comment_id: i64,
    pub reason: String,
    pub reporter_hash: Option<String>,
    pub created_at: String,
}

#[derive(Serialize, Deserialize, Debug, PartialEq, FromRow)]
pub struct RatingRow {
    pub article_slug: String,
    pub reader_hash: String,
    pub stars: i64,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Serialize, Deserialize, Debug, PartialEq, FromRow)]
pub struct IdempotencyRow {
    pub key_hash: String,
    pub article_slug: String,
    pub comment_id: i64,
    pub created_at: String,
}

#[derive(Serialize, Deserialize, Debug, PartialEq, FromRow)]
pub struct ImportRow {
    pub source: String,
    pub kind: String,
    pub source_id: String,
    pub article_slug: String,
    pub comment_id: Option<i64>,
    pub created_at: String,
}

const COMMENT_COLUMNS: &str = "id, article_slug, parent_id, root_id, author_name, author_email, author_url, avatar, \
     body, status, created_at, edited_at, edit_token_hash, edit_until, reports, held_reason, pending_body, deleted_by";

/// Everything in the database, in a fixed order.
pub async fn dump(db: &Db) -> anyhow::Result<Dump> {
    let mut conn = db.begin().await?;
    let rows: Vec<(String, String, String, String)> =
        sqlx::query_as("SELECT slug, data, created_at, updated_at FROM articles ORDER BY slug")
            .fetch_all(&mut *conn)
            .await?;
    let articles = rows
        .into_iter()
        .map(|(slug, data, created_at, updated_at)| {
            let article: Article =
                serde_json::from_str(&data).with_context(|| format!("the stored article {slug} does not parse"))?;
            Ok(ArticleRow { article, created_at, updated_at })
        })
        .collect::<anyhow::Result<_>>()?;
    let comments =
        sqlx::query_as(&format!("SELECT {COMMENT_COLUMNS} FROM comments ORDER BY id")).fetch_all(&mut *conn).await?;
    let reports = sqlx::query_as(
        "SELECT comment_id, reason, reporter_hash, created_at FROM comment_reports
         ORDER BY comment_id, created_at, reporter_hash, reason",
    )
    .fetch_all(&mut *conn)
    .await?;
    let ratings = sqlx::query_as(
        "SELECT article_slug, reader_hash, stars, created_at, updated_at FROM ratings ORDER BY article_slug, reader_hash",
    )
    .fetch_all(&mut *conn)
    .await?;
    let idempotency_keys =
        sqlx::query_as("SELECT key_hash, article_slug, comment_id, created_at FROM idempotency_keys ORDER BY key_hash")
            .fetch_all(&mut *conn)
            .await?;
    let imports = sqlx::query_as(
        "SELECT source, kind, source_id, article_slug, comment_id, created_at FROM imports ORDER BY source, kind, source_id",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(Dump {
        format: FORMAT.to_owned(),
        version: VERSION,
        articles,
        comments,
        reports,
        ratings,
        idempotency_keys,
        imports,
    })
}

/// `export`: the dump as pretty JSON with a final newline.
pub async fn export(db: &Db, out: &mut impl Write) -> anyhow::Result<()> {
    let dump = dump(db).await?;
    serde_json::to_writer_pretty(&mut *out, &dump)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

/// What `import json` did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Restored {
    pub articles: u64,
    pub comments: u64,
    /// Rows (of any table) that were there already, left as they were.
    pub present: u64,
}

/// `import json`: the rows of `dump` into `db`, which must be empty or the database it came
/// from: a row already there is left as it is, and a comment id held by another comment stops
/// the import with nothing written.
pub async fn restore(db: &Db, dump: &Dump) -> anyhow::Result<Restored> {
    anyhow::ensure!(
        dump.format == FORMAT,
        "not a news-widget export: expected \"format\": \"{FORMAT}\", found {:?}",
        dump.format
    );
    anyhow::ensure!(
        dump.version == VERSION,
        "export version {} is not {VERSION}, the one this server reads",
        dump.version
    );
    let mut done = Restored::default();
    let mut tx = crate::db::begin_write(db).await?;
    crate::db::defer_foreign_keys(&mut tx).await?;
    for a in &dump.articles {
        let data = serde_json::to_string(&a.article)?;
        let r = sqlx::query(
            "INSERT INTO articles (slug, data, created_at, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(a.article.slug.as_str())
        .bind(&data)
        .bind(&a.created_at)
        .bind(&a.updated_at)
        .execute(&mut *tx)
        .await?;
        count(&mut done.articles, &mut done.present, r.rows_affected());
    }
    for c in &dump.comments {
        let marks = crate::db::marks(1, 18);
        let r = sqlx::query(&format!(
            "INSERT INTO comments ({COMMENT_COLUMNS}) VALUES ({marks}) ON CONFLICT (id) DO NOTHING"
        ))
        .bind(c.id)
        .bind(&c.article_slug)
        .bind(c.parent_id)
        .bind(c.root_id)
        .bind(&c.author_name)
        .bind(&c.author_email)
        .bind(&c.author_url)
        .bind(&c.avatar)
        .bind(&c.body)
        .bind(&c.status)
        .bind(&c.created_at)
        .bind(&c.edited_at)
        .bind(&c.edit_token_hash)
        .bind(&c.edit_until)
        .bind(c.reports)
        .bind(&c.held_reason)
        .bind(&c.pending_body)
        .bind(&c.deleted_by)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            let there: (String, String) = sqlx::query_as("SELECT article_slug, created_at FROM comments WHERE id = $1")
                .bind(c.id)
                .fetch_one(&mut *tx)
                .await?;
            anyhow::ensure!(
                there == (c.article_slug.clone(), c.created_at.clone()),
                "comment {} of the export is not comment {} of this database: import into an empty database, \
                 or into the one the export came from (nothing was written)",
                c.id,
                c.id
            );
        }
        count(&mut done.comments, &mut done.present, r.rows_affected());
    }
    for r in &dump.reports {
        let res = sqlx::query(
            "INSERT INTO comment_reports (comment_id, reason, reporter_hash, created_at)
             SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM comment_reports
                 WHERE comment_id = $1 AND reason = $2 AND reporter_hash IS NOT DISTINCT FROM $3 AND created_at = $4)
             ON CONFLICT DO NOTHING",
        )
        .bind(r.comment_id)
        .bind(&r.reason)
        .bind(&r.reporter_hash)
        .bind(&r.created_at)
        .execute(&mut *tx)
        .await?;
        done.present += 1 - res.rows_affected().min(1);
    }
    for r in &dump.ratings {
        let res = sqlx::query(
            "INSERT INTO ratings (article_slug, reader_hash, stars, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT DO NOTHING",
        )
        .bind(&r.article_slug)
        .bind(&r.reader_hash)
        .bind(r.stars)
        .bind(&r.created_at)
        .bind(&r.updated_at)
        .execute(&mut *tx)
        .await?;
        done.present += 1 - res.rows_affected().min(1);
    }
    for k in &dump.idempotency_keys {
        let res = sqlx::query(
            "INSERT INTO idempotency_keys (key_hash, article_slug, comment_id, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
        )
        .bind(&k.key_hash)
        .bind(&k.article_slug)
        .bind(k.comment_id)
        .bind(&k.created_at)
        .execute(&mut *tx)
        .await?;
        done.present += 1 - res.rows_affected().min(1);
    }
    for i in &dump.imports {
        let res = sqlx::query(
            "INSERT INTO imports (source, kind, source_id, article_slug, comment_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT DO NOTHING",
        )
        .bind(&i.source)
        .bind(&i.kind)
        .bind(&i.source_id)
        .bind(&i.article_slug)
        .bind(i.comment_id)
        .bind(&i.created_at)
        .execute(&mut *tx)
        .await?;
        done.present += 1 - res.rows_affected().min(1);
    }
    crate::db::after_explicit_ids(&mut tx, "comments").await?;
    tx.commit().await.context("the export's rows do not hold together (a reference to a row it lacks)")?;
    Ok(done)
}

fn count(new: &mut u64, present: &mut u64, affected: u64) {
    if affected == 0 {
        *present += 1;
    } else {
        *new += 1;
    }
}

/// `import json FILE`.
pub async fn import_file(db: &Db, path: &std::path::Path) -> anyhow::Result<Restored> {
    let (file, _) = super::open(path)?;
    let dump: Dump = serde_json::from_reader(std::io::BufReader::new(file))
        .map_err(|e| anyhow::anyhow!("{}: not a news-widget export (the JSON `export` writes): {e}", path.display()))?;
    restore(db, &dump).await
}
