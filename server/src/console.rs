//! The moderators' console's routes: the queues (`/admin/queue`), bulk decisions and a
//! comment's history (`/admin/comments/…`), the reader drawer (`/admin/people/{person}`: their
//! comments, notes, ban or suspension, reject-all, and the admins' audited email reveal), and
//! the articles (`/admin/articles`, with each one's moderation override). The wire types are
//! `news_widget_api::admin`'s; decisions go through [`comments::moderate`] and the log is
//! [`audit`]'s.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use news_widget_api::admin::{
    parse_note, parse_reason, Action, ArticleSummary, BanState, BulkFailure, BulkInput, BulkResult, DecisionInput,
    HistoryEntry, ModerationInput, ModerationMode, Note, NoteInput, Person, PersonBanInput, PersonEmail, Queue,
    QueueCounts, QueueItem, QueuePage, ReportReason, BULK_MAX,
};
use news_widget_api::{CommentStatus, Problem, Slug, Timestamp};
use serde::Deserialize;
use sqlx::{AnyConnection, FromRow};

use crate::admin::{Admin, Moderator};
use crate::comments::{self, stamp, Moderation};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery};
use crate::json::ApiJson;
use crate::{audit, db, moderation, routes, AppState};

/// The most items a queue page holds.
pub const PAGE_MAX: u32 = 200;
const PAGE_DEFAULT: u32 = 50;
/// The longest search term.
const SEARCH_MAX: usize = 200;

/// The moderation that applies to `slug`: its own override, else the server's `default`.
pub async fn moderation_for(conn: &mut AnyConnection, slug: &Slug, default: Moderation) -> sqlx::Result<Moderation> {
    let found: Option<(String,)> = sqlx::query_as("SELECT mode FROM article_moderation WHERE article_slug = $1")
        .bind(slug.as_str())
        .fetch_optional(conn)
        .await?;
    Ok(match found.as_ref().map(|(m,)| m.as_str()) {
        Some("pre") => Moderation::Pre,
        Some("post") => Moderation::Post,
        _ => default,
    })
}

fn mode(m: Moderation) -> ModerationMode {
    match m {
        Moderation::Pre => ModerationMode::Pre,
        Moderation::Post => ModerationMode::Post,
    }
}

fn mode_str(m: ModerationMode) -> &'static str {
    match m {
        ModerationMode::Pre => "pre",
        ModerationMode::Post => "post",
    }
}

/// The reason of an optional `DecisionInput` body: an empty body is none; a bad one is a 422
/// naming `reason` (or the field at fault).
pub fn decision_reason(body: &[u8]) -> ApiResult<Option<String>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let input: DecisionInput = crate::json::parse(body)?;
    reason(input.reason.as_deref())
}

fn reason(raw: Option<&str>) -> ApiResult<Option<String>> {
    parse_reason(raw).map_err(|e| ApiError::field("reason", e.to_string()))
}

/// Which comments each queue holds (on `comments c`). The honeypot's are in none.
fn queue_filter(q: Queue) -> &'static str {
    match q {
        Queue::Pending => "(c.status = 'pending' OR (c.status = 'approved' AND c.pending_body IS NOT NULL))",
        Queue::Reported => "(c.status = 'approved' AND c.reports > c.reports_reviewed)",
        Queue::Approved => "(c.status = 'approved')",
        Queue::Rejected => "(c.status = 'rejected' AND COALESCE(c.held_reason, '') <> 'honeypot')",
    }
}

/// The counts of the four queues, for a `SELECT … FROM comments c`.
fn counts_sql() -> String {
    Queue::ALL.iter().map(|q| format!("COUNT(*) FILTER (WHERE {})", queue_filter(*q))).collect::<Vec<_>>().join(", ")
}

type CountsRow = (i64, i64, i64, i64);

fn counts((pending, reported, approved, rejected): CountsRow) -> QueueCounts {
    let n = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
    QueueCounts { pending: n(pending), reported: n(reported), approved: n(approved), rejected: n(rejected) }
}

const ITEM_COLUMNS: &str = "c.id, c.article_slug, COALESCE(json_extract(a.data, '$.title'), '') AS article_title,
    c.parent_id, c.author_name, c.author_url, c.avatar, c.body, c.pending_body, c.status, c.created_at,
    c.held_reason, c.reports";
const ITEM_FROM: &str = "comments c LEFT JOIN articles a ON a.slug = c.article_slug";

#[derive(FromRow)]
struct ItemRow {
    id: i64,
    article_slug: String,
    article_title: String,
    parent_id: Option<i64>,
    author_name: String,
    author_url: Option<String>,
    avatar: String,
    body: String,
    pending_body: Option<String>,
    status: String,
    created_at: String,
    held_reason: Option<String>,
    reports: i64,
}

/// Queue items of `rows`, with their grouped report reasons and last decisions.
async fn items(conn: &mut AnyConnection, rows: Vec<ItemRow>) -> sqlx::Result<Vec<QueueItem>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut decisions = audit::last_decisions(conn, &ids).await?;
    let mut reasons: HashMap<i64, Vec<ReportReason>> = HashMap::new();
    if !ids.is_empty() {
        let marks = crate::db::marks(1, ids.len());
        let sql = format!(
            "SELECT comment_id, reason, COUNT(*) AS n FROM comment_reports WHERE comment_id IN ({marks})
             GROUP BY comment_id, reason ORDER BY comment_id, n DESC, reason"
        );
        let mut query = sqlx::query_as::<_, (i64, String, i64)>(&sql);
        for id in &ids {
            query = query.bind(id);
        }
        for (id, reason, n) in query.fetch_all(&mut *conn).await? {
            reasons.entry(id).or_default().push(ReportReason { reason, count: u32::try_from(n).unwrap_or(u32::MAX) });
        }
    }
    Ok(rows
        .into_iter()
        .map(|r| QueueItem {
            id: r.id,
            article_slug: r.article_slug,
            article_title: r.article_title,
            parent_id: r.parent_id,
            author_name: r.author_name,
            author_url: r.author_url,
            person: r.avatar,
            body: r.body,
            pending_body: r.pending_body,
            status: CommentStatus::parse(&r.status).unwrap_or(CommentStatus::Pending),
            created_at: stamp(&r.created_at),
            held_reason: r.held_reason,
            report_count: u32::try_from(r.reports).unwrap_or(0),
            reports: reasons.remove(&r.id).unwrap_or_default(),
            last_decision: decisions.remove(&r.id),
        })
        .collect())
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct QueueQuery {
    /// `pending` (default), `reported`, `approved` or `rejected`.
    queue: Option<String>,
    /// A case-insensitive substring of the body.
    q: Option<String>,
    /// A case-insensitive substring of the author's name.
    author: Option<String>,
    /// An article's slug, or a case-insensitive substring of its title.
    article: Option<String>,
    /// The previous page's `next`: only comments with a smaller id.
    before: Option<String>,
    /// Items per page, 1–200 (default 50).
    limit: Option<String>,
}

fn term(field: &str, raw: Option<&str>) -> ApiResult<Option<String>> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) if t.chars().count() > SEARCH_MAX => {
            Err(ApiError::field(field, format!("is longer than {SEARCH_MAX} characters")))
        }
        Some(t) if t.chars().any(char::is_control) => Err(ApiError::field(field, "may not hold control characters")),
        Some(t) => Ok(Some(t.to_owned())),
    }
}

/// The search filters: SQL on `comments c` / `articles a`, and its binds in order.
fn search(q: Option<String>, author: Option<String>, article: Option<String>) -> (String, Vec<String>) {
    let mut sql = String::from("COALESCE(c.held_reason, '') <> 'honeypot'");
    let mut binds = Vec::new();
    if let Some(q) = q {
        binds.push(q);
        sql.push_str(&format!(" AND instr(lower(c.body), lower(${})) > 0", binds.len()));
    }
    if let Some(author) = author {
        binds.push(author);
        sql.push_str(&format!(" AND instr(lower(c.author_name), lower(${})) > 0", binds.len()));
    }
    if let Some(article) = article {
        binds.push(article);
        let n = binds.len();
        sql.push_str(&format!(" AND (c.article_slug = ${n} OR instr(lower(COALESCE(json_extract(a.data, '$.title'), '')), lower(${n})) > 0)"));
    }
    (sql, binds)
}

/// One page of a queue, newest first, with every queue's count under the same search.
#[utoipa::path(get, path = "/api/v1/admin/queue", tag = "console", params(QueueQuery), security(("admin_token" = [])),
    responses((status = 200, body = QueuePage), (status = 401, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn queue(
    _moderator: Moderator,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> ApiResult<Json<QueuePage>> {
    let queue = match q.queue.as_deref() {
        None | Some("") => Queue::Pending,
        Some(raw) => Queue::parse(raw).map_err(|e| ApiError::field("queue", e.to_string()))?,
    };
    let before = match q.before.as_deref() {
        None | Some("") => None,
        Some(raw) => Some(raw.parse::<i64>().map_err(|_| ApiError::field("before", "must be a comment id"))?),
    };
    let limit = match q.limit.as_deref() {
        None | Some("") => PAGE_DEFAULT,
        Some(raw) => raw
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=PAGE_MAX).contains(n))
            .ok_or_else(|| ApiError::field("limit", format!("must be 1 to {PAGE_MAX}")))?,
    };
    let (filter, binds) = search(
        term("q", q.q.as_deref())?,
        term("author", q.author.as_deref())?,
        term("article", q.article.as_deref())?,
    );
    let mut conn = state.db.acquire().await?;
    // The search's binds come first ($1…), then the page's limit and cursor.
    let limit_at = binds.len() + 1;
    let before_sql = if before.is_some() { format!(" AND c.id < ${}", limit_at + 1) } else { String::new() };
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM {ITEM_FROM} WHERE {filter} AND {}{before_sql} ORDER BY c.id DESC LIMIT ${limit_at}",
        queue_filter(queue)
    );
    let mut query = sqlx::query_as::<_, ItemRow>(&sql);
    for b in &binds {
        query = query.bind(b);
    }
    query = query.bind(i64::from(limit) + 1);
    if let Some(before) = before {
        query = query.bind(before);
    }
    let mut rows = query.fetch_all(&mut *conn).await?;
    let next = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(|r| r.id)
    } else {
        None
    };
    let sql = format!("SELECT {} FROM {ITEM_FROM} WHERE {filter}", counts_sql());
    let mut query = sqlx::query_as::<_, CountsRow>(&sql);
    for b in &binds {
        query = query.bind(b);
    }
    let counts = counts(query.fetch_one(&mut *conn).await?);
    let items = items(&mut conn, rows).await?;
    Ok(Json(QueuePage { queue, items, counts, next }))
}

/// Decides each of `ids` apart (each in its own transaction, each recorded): what could not
/// be decided is listed with why, the others are done.
async fn decide_each(state: &AppState, ids: &[i64], action: Action, actor: &str, reason: Option<&str>) -> BulkResult {
    let mut result = BulkResult::default();
    let mut seen = std::collections::HashSet::new();
    for &id in ids.iter().filter(|id| seen.insert(**id)) {
        let decided = match comments::comment_id(id) {
            Ok(id) => comments::moderate(&state.db, id, action.as_str(), actor, reason).await,
            Err(e) => Err(e),
        };
        match decided {
            Ok(slug) => {
                state.changed(&slug);
                result.done.push(id);
            }
            Err(e) => result.failed.push(BulkFailure { id, detail: e.problem.detail }),
        }
    }
    result
}

/// One decision on several comments (1 to 500): the ids done, and each one that failed, with why.
#[utoipa::path(post, path = "/api/v1/admin/comments/bulk", tag = "console", request_body = BulkInput,
    security(("admin_token" = [])),
    responses((status = 200, body = BulkResult), (status = 401, body = Problem, content_type = "application/problem+json"),
              (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn bulk(
    Moderator(who): Moderator,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<BulkInput>,
) -> ApiResult<Json<BulkResult>> {
    if input.ids.is_empty() || input.ids.len() > BULK_MAX {
        return Err(ApiError::field("ids", format!("must name 1 to {BULK_MAX} comments")));
    }
    let reason = reason(input.reason.as_deref())?;
    Ok(Json(decide_each(&state, &input.ids, input.action, &who.actor(), reason.as_deref()).await))
}

/// Every decision on a comment, oldest first (the rules' holds, moderators' decisions).
#[utoipa::path(get, path = "/api/v1/admin/comments/{id}/history", tag = "console", params(("id" = i64, Path)),
    security(("admin_token" = [])),
    responses((status = 200, body = Vec<HistoryEntry>), (status = 401, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn history(
    _moderator: Moderator,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<HistoryEntry>>> {
    let id = comments::comment_id(id)?;
    let mut conn = state.db.acquire().await?;
    let history = audit::comment_history(&mut conn, id).await?;
    if history.is_empty() {
        let exists: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM comments WHERE id = $1 AND COALESCE(held_reason, '') <> 'honeypot'")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
        if exists.is_none() {
            return Err(ApiError::not_found(format!("no comment {id}")));
        }
    }
    Ok(Json(history))
}

// The reader drawer.

/// A person in a path: the keyed hash the comments store (`avatar`), which some comment, ban or
/// note names; else 404.
async fn require_person(conn: &mut AnyConnection, raw: &str) -> ApiResult<String> {
    let unknown = || ApiError::not_found(format!("no person {raw:?}"));
    if raw.is_empty() || raw.len() > 128 || !raw.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(unknown());
    }
    let (known,): (i64,) = sqlx::query_as(
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM comments WHERE avatar = $1 AND COALESCE(held_reason, '') <> 'honeypot')
             OR EXISTS (SELECT 1 FROM bans WHERE person_hash = $1)
             OR EXISTS (SELECT 1 FROM person_notes WHERE person_hash = $1) THEN 1 ELSE 0 END",
    )
    .bind(raw)
    .fetch_one(conn)
    .await?;
    if known == 1 {
        Ok(raw.to_owned())
    } else {
        Err(unknown())
    }
}

fn ban_state(ban: moderation::Ban) -> BanState {
    BanState { until: ban.until.as_deref().map(stamp), reason: ban.reason }
}

type NoteRow = (i64, String, String, String);

fn note((id, author, text, at): NoteRow) -> Note {
    Note { id, author, text, at: stamp(&at) }
}

/// The reader drawer: a person's names, counts, ban, notes, comments and history.
#[utoipa::path(get, path = "/api/v1/admin/people/{person}", tag = "console",
    params(("person" = String, Path, description = "the keyed hash of the comments (`person` of a queue item)")),
    security(("admin_token" = [])),
    responses((status = 200, body = Person), (status = 401, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn person(
    _moderator: Moderator,
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
) -> ApiResult<Json<Person>> {
    let mut conn = state.db.acquire().await?;
    let person = require_person(&mut conn, &raw).await?;
    let names: Vec<(String,)> = sqlx::query_as(
        "SELECT author_name FROM comments WHERE avatar = $1 AND author_name <> ''
         AND COALESCE(held_reason, '') <> 'honeypot' GROUP BY author_name ORDER BY MAX(id) DESC LIMIT 50",
    )
    .bind(&person)
    .fetch_all(&mut *conn)
    .await?;
    let counts_row: CountsRow = sqlx::query_as(&format!("SELECT {} FROM comments c WHERE c.avatar = $1", counts_sql()))
        .bind(&person)
        .fetch_one(&mut *conn)
        .await?;
    let ban = moderation::ban_of(&mut conn, &person).await?.map(ban_state);
    let notes: Vec<NoteRow> =
        sqlx::query_as("SELECT id, author, text, at FROM person_notes WHERE person_hash = $1 ORDER BY id DESC")
            .bind(&person)
            .fetch_all(&mut *conn)
            .await?;
    let rows: Vec<ItemRow> = sqlx::query_as(&format!(
        "SELECT {ITEM_COLUMNS} FROM {ITEM_FROM} WHERE c.avatar = $1 AND COALESCE(c.held_reason, '') <> 'honeypot'
         ORDER BY c.id DESC LIMIT 200"
    ))
    .bind(&person)
    .fetch_all(&mut *conn)
    .await?;
    let comments = items(&mut conn, rows).await?;
    let history = audit::person_history(&mut conn, &person, 200).await?;
    Ok(Json(Person {
        person,
        names: names.into_iter().map(|(n,)| n).collect(),
        counts: counts(counts_row),
        ban,
        notes: notes.into_iter().map(note).collect(),
        comments,
        history,
    }))
}

/// Adds a moderator's note on a person.
#[utoipa::path(post, path = "/api/v1/admin/people/{person}/notes", tag = "console", params(("person" = String, Path)),
    request_body = NoteInput, security(("admin_token" = [])),
    responses((status = 201, body = Note), (status = 401, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_note(
    Moderator(who): Moderator,
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
    ApiJson(input): ApiJson<NoteInput>,
) -> ApiResult<Response> {
    let text = parse_note(&input.text).map_err(|e| ApiError::field("text", e.to_string()))?;
    let actor = who.actor();
    let mut tx = crate::db::begin_write(&state.db).await?;
    let person = require_person(&mut tx, &raw).await?;
    let row: NoteRow = sqlx::query_as(
        "INSERT INTO person_notes (person_hash, author, text) VALUES ($1, $2, $3) RETURNING id, author, text, at",
    )
    .bind(&person)
    .bind(&actor)
    .bind(&text)
    .fetch_one(&mut *tx)
    .await?;
    audit::record(&mut tx, audit::Entry { actor: &actor, action: "note", person: Some(&person), ..Default::default() })
        .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(note(row))).into_response())
}

fn now_ms() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as f64).unwrap_or(0.0)
}

/// Suspends a person until a time in the future, or bans them (no `until`): their next comments
/// are stored as rejected and answered to them as pending.
#[utoipa::path(post, path = "/api/v1/admin/people/{person}/ban", tag = "console", params(("person" = String, Path)),
    request_body = PersonBanInput, security(("admin_token" = [])),
    responses((status = 201, body = BanState), (status = 401, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn ban(
    Moderator(who): Moderator,
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
    ApiJson(input): ApiJson<PersonBanInput>,
) -> ApiResult<Response> {
    let until = match input.until.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => {
            let at = Timestamp::parse(raw).map_err(|e| ApiError::field("until", e.to_string()))?;
            if at.epoch_ms() <= now_ms() {
                return Err(ApiError::field("until", "must be in the future (or absent: a ban)"));
            }
            Some(at)
        }
    };
    let reason = reason(input.reason.as_deref())?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    let person = require_person(&mut tx, &raw).await?;
    let ban = moderation::set_ban(&mut tx, &person, until.as_ref(), reason.as_deref(), &who.actor()).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(ban_state(ban))).into_response())
}

/// Lifts a person's ban or suspension.
#[utoipa::path(delete, path = "/api/v1/admin/people/{person}/ban", tag = "console", params(("person" = String, Path)),
    security(("admin_token" = [])),
    responses((status = 204, description = "lifted"), (status = 401, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn unban(
    Moderator(who): Moderator,
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
) -> ApiResult<StatusCode> {
    let mut tx = crate::db::begin_write(&state.db).await?;
    let person = require_person(&mut tx, &raw).await?;
    if !moderation::lift_ban(&mut tx, &person, &who.actor()).await? {
        return Err(ApiError::not_found("this person is neither banned nor suspended"));
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Rejects every pending and approved comment of a person (each recorded); the optional body
/// gives the reason.
#[utoipa::path(post, path = "/api/v1/admin/people/{person}/reject-all", tag = "console", params(("person" = String, Path)),
    request_body(content = DecisionInput, description = "optional"), security(("admin_token" = [])),
    responses((status = 200, body = BulkResult), (status = 401, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn reject_all(
    Moderator(who): Moderator,
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
    body: Bytes,
) -> ApiResult<Json<BulkResult>> {
    let reason = decision_reason(&body)?;
    let mut conn = state.db.acquire().await?;
    let person = require_person(&mut conn, &raw).await?;
    let ids: Vec<(i64,)> =
        sqlx::query_as("SELECT id FROM comments WHERE avatar = $1 AND status IN ('pending', 'approved') ORDER BY id")
            .bind(&person)
            .fetch_all(&mut *conn)
            .await?;
    drop(conn);
    let ids: Vec<i64> = ids.into_iter().map(|(id,)| id).collect();
    Ok(Json(decide_each(&state, &ids, Action::Reject, &who.actor(), reason.as_deref()).await))
}

/// The email of a person's latest comment (admins only; recorded as `reveal_email`).
#[utoipa::path(post, path = "/api/v1/admin/people/{person}/email", tag = "console", params(("person" = String, Path)),
    security(("admin_token" = [])),
    responses((status = 200, body = PersonEmail), (status = 401, body = Problem, content_type = "application/problem+json"),
              (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn reveal_email(
    Admin(who): Admin,
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
) -> ApiResult<Response> {
    let mut tx = crate::db::begin_write(&state.db).await?;
    let person = require_person(&mut tx, &raw).await?;
    let found: Option<(String,)> = sqlx::query_as(
        "SELECT author_email FROM comments WHERE avatar = $1 AND author_email <> '' ORDER BY id DESC LIMIT 1",
    )
    .bind(&person)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((email,)) = found else {
        return Err(ApiError::not_found("no comment of this person holds an email"));
    };
    let actor = who.actor();
    let entry = audit::Entry { actor: &actor, action: "reveal_email", person: Some(&person), ..Default::default() };
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    tracing::info!(person = %person, "email revealed to an admin");
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(PersonEmail { email })).into_response())
}

// Articles.

type ArticleRow = (String, String, Option<String>, Option<i64>, Option<String>);

/// The articles (all, or the one `only`), newest first, with their counts and moderation.
async fn summaries(
    state: &AppState,
    conn: &mut AnyConnection,
    only: Option<&Slug>,
) -> sqlx::Result<Vec<ArticleSummary>> {
    let rows: Vec<ArticleRow> = sqlx::query_as(
        "SELECT a.slug, COALESCE(json_extract(a.data, '$.title'), ''), json_extract(a.data, '$.published_at'),
             ac.closed, am.mode
         FROM articles a
         LEFT JOIN article_comments ac ON ac.article_slug = a.slug
         LEFT JOIN article_moderation am ON am.article_slug = a.slug
         WHERE $1 IS NULL OR a.slug = $1
         ORDER BY COALESCE(json_extract(a.data, '$.published_at'), a.created_at) DESC, a.slug LIMIT 1000",
    )
    .bind(only.map(|s| s.as_str()))
    .fetch_all(&mut *conn)
    .await?;
    let sql = format!(
        "SELECT c.article_slug, {} FROM comments c WHERE $1 IS NULL OR c.article_slug = $1 GROUP BY c.article_slug",
        counts_sql()
    );
    let by_article: Vec<(String, i64, i64, i64, i64)> =
        sqlx::query_as(&sql).bind(only.map(|s| s.as_str())).fetch_all(&mut *conn).await?;
    let mut by_article: HashMap<String, QueueCounts> =
        by_article.into_iter().map(|(slug, a, b, c, d)| (slug, counts((a, b, c, d)))).collect();
    let rules = moderation::load(conn, &state.rules).await?;
    let mut out = Vec::with_capacity(rows.len());
    for (slug, title, published_at, closed_override, override_mode) in rows {
        let Ok(parsed) = Slug::parse(&slug) else { continue };
        let closed = moderation::closed(conn, &parsed, &rules).await?.unwrap_or(false);
        let moderation_override = match override_mode.as_deref() {
            Some("pre") => Some(ModerationMode::Pre),
            Some("post") => Some(ModerationMode::Post),
            _ => None,
        };
        out.push(ArticleSummary {
            counts: by_article.remove(&slug).unwrap_or_default(),
            slug,
            title,
            published_at: published_at.as_deref().and_then(|p| Timestamp::parse(p).ok()),
            closed,
            closed_override: closed_override.map(|c| c == 1),
            moderation: moderation_override.unwrap_or(mode(state.moderation)),
            moderation_override,
        });
    }
    Ok(out)
}

/// Every article, newest first, with its queues' counts, whether it is closed, and its moderation.
#[utoipa::path(get, path = "/api/v1/admin/articles", tag = "console", security(("admin_token" = [])),
    responses((status = 200, body = Vec<ArticleSummary>), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn articles(_moderator: Moderator, State(state): State<AppState>) -> ApiResult<Json<Vec<ArticleSummary>>> {
    let mut conn = state.db.acquire().await?;
    Ok(Json(summaries(&state, &mut conn, None).await?))
}

/// Sets an article's own moderation (admins only): `pre` holds every new comment, `post`
/// publishes it unless a rule holds it; null goes back to the server's default.
#[utoipa::path(put, path = "/api/v1/admin/articles/{slug}/moderation", tag = "console",
    params(("slug" = String, Path, description = "the article's slug")), request_body = ModerationInput,
    security(("admin_token" = [])),
    responses((status = 200, body = ArticleSummary), (status = 401, body = Problem, content_type = "application/problem+json"),
              (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn put_moderation(
    Admin(who): Admin,
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
    ApiJson(input): ApiJson<ModerationInput>,
) -> ApiResult<Json<ArticleSummary>> {
    let slug = routes::slug(&raw)?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    db::require_article(&mut tx, &slug).await?;
    match input.moderation {
        Some(m) => {
            sqlx::query(
                "INSERT INTO article_moderation (article_slug, mode) VALUES ($1, $2)
                 ON CONFLICT (article_slug) DO UPDATE SET mode = excluded.mode,
                     updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
            )
            .bind(slug.as_str())
            .bind(mode_str(m))
            .execute(&mut *tx)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM article_moderation WHERE article_slug = $1")
                .bind(slug.as_str())
                .execute(&mut *tx)
                .await?;
        }
    }
    let actor = who.actor();
    let entry = audit::Entry {
        actor: &actor,
        action: "moderation",
        reason: Some(input.moderation.map_or("default", mode_str)),
        article_slug: Some(slug.as_str()),
        ..Default::default()
    };
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    let mut conn = state.db.acquire().await?;
    let summary = summaries(&state, &mut conn, Some(&slug)).await?.pop();
    summary.map(Json).ok_or_else(|| ApiError::not_found(format!("no article {slug}")))
}
