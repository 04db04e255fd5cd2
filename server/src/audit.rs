//! The decisions log: who decided what, when and why — every moderator's decision on a comment,
//! a person or an article, and the rules' own holds and rejections (actor `rules`). [`record`]
//! writes one entry (inside the caller's transaction); the readers are a comment's history, a
//! person's, and the admins' CSV export (`GET /admin/audit.csv`).

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use news_widget_api::admin::HistoryEntry;
use news_widget_api::{Problem, Timestamp};
use serde::Deserialize;
use sqlx::AnyConnection;

use crate::admin::Admin;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::AppState;

/// The actor of the server's own decisions (the moderation rules at posting).
pub const RULES: &str = "rules";
/// The actor of the static admin token.
pub const ADMIN_TOKEN: &str = "admin token";

/// One decision to record.
#[derive(Clone, Copy, Debug, Default)]
pub struct Entry<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub reason: Option<&'a str>,
    pub comment_id: Option<i64>,
    pub article_slug: Option<&'a str>,
    pub person: Option<&'a str>,
}

/// Records `entry`; call it in the transaction of the change it records.
pub async fn record(conn: &mut AnyConnection, entry: Entry<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO decisions (actor, action, reason, comment_id, article_slug, person_hash) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(entry.actor)
    .bind(entry.action)
    .bind(entry.reason)
    .bind(entry.comment_id)
    .bind(entry.article_slug)
    .bind(entry.person.filter(|p| !p.is_empty()))
    .execute(conn)
    .await?;
    Ok(())
}

type EntryRow = (i64, String, String, String, Option<String>, Option<i64>);
const ENTRY_COLUMNS: &str = "id, at, actor, action, reason, comment_id";

fn entry((_, at, actor, action, reason, comment_id): EntryRow) -> HistoryEntry {
    HistoryEntry { at: crate::comments::stamp(&at), actor, action, reason, comment_id }
}

/// Every decision on comment `id`, oldest first.
pub async fn comment_history(conn: &mut AnyConnection, id: i64) -> sqlx::Result<Vec<HistoryEntry>> {
    let rows: Vec<EntryRow> =
        sqlx::query_as(&format!("SELECT {ENTRY_COLUMNS} FROM decisions WHERE comment_id = $1 ORDER BY id"))
            .bind(id)
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().map(entry).collect())
}

/// The last decision on each of `ids`.
pub async fn last_decisions(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> sqlx::Result<std::collections::HashMap<i64, HistoryEntry>> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let marks = crate::db::marks(1, ids.len());
    let sql = format!(
        "SELECT {ENTRY_COLUMNS} FROM decisions WHERE id IN
             (SELECT MAX(id) FROM decisions WHERE comment_id IN ({marks}) GROUP BY comment_id)"
    );
    let mut query = sqlx::query_as::<_, EntryRow>(&sql);
    for id in ids {
        query = query.bind(id);
    }
    let rows = query.fetch_all(conn).await?;
    Ok(rows.into_iter().filter_map(|r| Some((r.5?, entry(r)))).collect())
}

/// Decisions about a person and their comments, newest first (at most `limit`).
pub async fn person_history(conn: &mut AnyConnection, person: &str, limit: u32) -> sqlx::Result<Vec<HistoryEntry>> {
    let rows: Vec<EntryRow> = sqlx::query_as(&format!(
        "SELECT {ENTRY_COLUMNS} FROM decisions WHERE person_hash = $1 ORDER BY id DESC LIMIT $2"
    ))
    .bind(person)
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(entry).collect())
}

/// One CSV cell: a cell a spreadsheet would read as a formula (starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return) gets a leading `'`; then RFC 4180 quoting when it holds a
/// comma, a quote or a line break.
pub fn csv_cell(raw: &str) -> String {
    let mut cell = String::with_capacity(raw.len() + 2);
    if raw.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        cell.push('\'');
    }
    cell.push_str(raw);
    if cell.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell
    }
}

/// The export's header line.
pub const CSV_HEADER: &str = "at,actor,action,comment_id,article,person,reason";

#[derive(Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// RFC 3339: only decisions at or after it.
    since: Option<String>,
    /// RFC 3339: only decisions before it.
    until: Option<String>,
}

fn bound(field: &str, raw: Option<&str>) -> ApiResult<Option<Timestamp>> {
    raw.filter(|r| !r.is_empty())
        .map(|r| Timestamp::parse(r).map_err(|e| ApiError::field(field, e.to_string())))
        .transpose()
}

/// The decisions log as CSV (admins only), oldest first; RFC 4180, formulas neutralised.
#[utoipa::path(get, path = "/api/v1/admin/audit.csv", tag = "console", params(AuditQuery), security(("admin_token" = [])),
    responses((status = 200, description = "the log, `at,actor,action,comment_id,article,person,reason`", content_type = "text/csv", body = String),
              (status = 401, body = Problem, content_type = "application/problem+json"),
              (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn export_csv(
    _admin: Admin,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Response> {
    let since = bound("since", q.since.as_deref())?;
    let until = bound("until", q.until.as_deref())?;
    type Line = (String, String, String, Option<i64>, Option<String>, Option<String>, Option<String>);
    let rows: Vec<Line> = sqlx::query_as(
        "SELECT at, actor, action, comment_id, article_slug, person_hash, reason FROM decisions
         WHERE ($1 IS NULL OR at >= strftime('%Y-%m-%dT%H:%M:%fZ', $1))
           AND ($2 IS NULL OR at < strftime('%Y-%m-%dT%H:%M:%fZ', $2))
         ORDER BY id",
    )
    .bind(since.as_ref().map(|t| t.as_str()))
    .bind(until.as_ref().map(|t| t.as_str()))
    .fetch_all(&state.db)
    .await?;
    let mut out = String::from(CSV_HEADER);
    out.push_str("\r\n");
    for (at, actor, action, comment_id, article, person, reason) in rows {
        let cells = [
            at,
            actor,
            action,
            comment_id.map(|i| i.to_string()).unwrap_or_default(),
            article.unwrap_or_default(),
            person.unwrap_or_default(),
            reason.unwrap_or_default(),
        ];
        out.push_str(&cells.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"audit.csv\""),
            (header::CACHE_CONTROL, "no-store"),
        ],
        out,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn cells_are_quoted_and_formulas_neutralised() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        for c in ["+1", "-1", "@SUM(A1)", "\tx"] {
            assert!(csv_cell(c).starts_with('\''), "{c}");
        }
        assert_eq!(csv_cell("\rx"), "\"'\rx\"");
        assert_eq!(csv_cell("line\nbreak"), "\"line\nbreak\"");
    }
}
