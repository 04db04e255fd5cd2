//! Comments: the thread, posting (idempotent, moderated, trapped, rate limited), editing by the
//! author, reports, counts, and moderation.

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use news_widget_api::{
    parse_body, Comment, CommentEdit, CommentInput, CommentPage, CommentStatus, CountsRequest, PageSize, PostedComment,
    Problem, Report, Slug, Sort, Timestamp, EDIT_TOKEN_HEADER, IDEMPOTENCY_KEY_HEADER,
};
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, SqliteConnection};

use crate::error::{ApiError, ApiResult};
use crate::json::ApiJson;
use crate::secrets::{token_hash, Secrets};
use crate::{db, ratings, routes, AppState};

/// When a new comment shows to everyone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Moderation {
    /// After a moderator approves it; until then only its author sees it.
    Pre,
    /// At once; moderators can reject it afterwards.
    #[default]
    Post,
}

const COLUMNS: &str = "id, parent_id, root_id, author_name, author_url, avatar, body, created_at, edited_at, status";

#[derive(FromRow)]
struct Row {
    id: i64,
    parent_id: Option<i64>,
    root_id: i64,
    author_name: String,
    author_url: Option<String>,
    avatar: String,
    body: String,
    created_at: String,
    edited_at: Option<String>,
    status: String,
}

impl Row {
    /// The public fields only; a deleted comment keeps its place but shows nothing.
    fn public(self) -> Comment {
        let status = CommentStatus::parse(&self.status).unwrap_or(CommentStatus::Pending);
        let stamp =
            |s: &str| Timestamp::parse(s).unwrap_or_else(|_| Timestamp::parse("1970-01-01T00:00:00Z").expect("epoch"));
        let deleted = status == CommentStatus::Deleted;
        Comment {
            id: self.id,
            parent_id: self.parent_id,
            author_name: if deleted { String::new() } else { self.author_name },
            // Stored only after `parse_website`; a row that no longer parses loses its link.
            author_url: if deleted {
                None
            } else {
                self.author_url.and_then(|u| news_widget_api::SafeUrl::parse(&u, news_widget_api::UrlPolicy::Web).ok())
            },
            avatar: if deleted { String::new() } else { self.avatar },
            body: if deleted { String::new() } else { self.body },
            created_at: stamp(&self.created_at),
            edited_at: self.edited_at.as_deref().map(stamp),
            status,
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// `oldest` (default) or `newest`: the order of top-level comments.
    sort: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Top-level comments per page, 1–1000 (default 20); each comes with all its replies.
    limit: Option<String>,
}

/// A visible top-level comment: approved, or deleted but holding approved replies.
const VISIBLE_TOP: &str = "(c.status = 'approved' OR (c.status = 'deleted' AND EXISTS (
    SELECT 1 FROM comments r WHERE r.root_id = c.id AND r.id <> c.id AND r.status = 'approved')))";

/// The approved comments of an article, a page of threads at a time.
#[utoipa::path(get, path = "/api/v1/articles/{slug}/comments", tag = "comments",
    params(("slug" = String, Path, description = "the article's slug"), ListQuery),
    responses((status = 200, body = CommentPage), (status = 304, description = "not modified (If-None-Match)"),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    Query(q): Query<ListQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let slug = routes::slug(&raw)?;
    let sort = match q.sort.as_deref() {
        None | Some("oldest") => Sort::Oldest,
        Some("newest") => Sort::Newest,
        Some(_) => return Err(ApiError::field("sort", "must be oldest or newest")),
    };
    let limit = match q.limit.as_deref() {
        None => PageSize::default(),
        Some(raw) => PageSize::parse(raw).map_err(|e| ApiError::field("limit", e.to_string()))?,
    };
    let key = format!("{slug} {} {} {}", sort.as_str(), q.cursor.as_deref().unwrap_or_default(), limit.get());
    let (etag, body) = state
        .pages
        .get_or_build(key, || async {
            let cursor = q.cursor.as_deref().map(parse_cursor).transpose()?;
            let mut conn = state.db.acquire().await?;
            db::require_article(&mut conn, &slug).await?;
            let page = page(&mut conn, &slug, sort, cursor, limit.get()).await?;
            let body = Bytes::from(serde_json::to_vec(&page).map_err(ApiError::internal)?);
            let etag = format!("\"{}\"", &token_hash(&String::from_utf8_lossy(&body))[..32]);
            Ok::<_, ApiError>((etag, body))
        })
        .await?;
    let cache = [
        // Browsers revalidate every time (a cheap 304) and never show a stale list, not even
        // while revalidating (no stale-while-revalidate); a CDN may serve a page for 10 s.
        (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=0, must-revalidate, s-maxage=10")),
        (header::ETAG, HeaderValue::from_str(&etag).map_err(ApiError::internal)?),
    ];
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim().trim_start_matches("W/") == etag));
    if matches {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    Ok((cache, [(header::CONTENT_TYPE, "application/json")], body).into_response())
}

fn parse_cursor(raw: &str) -> ApiResult<(String, i64)> {
    let bad = || ApiError::field("cursor", "is not a cursor this server gave");
    let (at, id) = raw.rsplit_once('_').ok_or_else(bad)?;
    Timestamp::parse(at).map_err(|_| bad())?;
    Ok((at.to_owned(), id.parse().map_err(|_| bad())?))
}

async fn page(
    conn: &mut SqliteConnection,
    slug: &Slug,
    sort: Sort,
    cursor: Option<(String, i64)>,
    limit: u32,
) -> sqlx::Result<CommentPage> {
    let (order, after) = match sort {
        Sort::Oldest => ("c.created_at, c.id", ">"),
        Sort::Newest => ("c.created_at DESC, c.id DESC", "<"),
    };
    let cursor_sql = if cursor.is_some() { format!("AND (c.created_at, c.id) {after} (?, ?)") } else { String::new() };
    let sql = format!(
        "SELECT c.id, c.created_at FROM comments c WHERE c.article_slug = ? AND c.parent_id IS NULL AND {VISIBLE_TOP}
         {cursor_sql} ORDER BY {order} LIMIT ?"
    );
    let mut query = sqlx::query_as::<_, (i64, String)>(&sql).bind(slug.as_str());
    if let Some((at, id)) = &cursor {
        query = query.bind(at).bind(id);
    }
    let mut tops = query.bind(i64::from(limit) + 1).fetch_all(&mut *conn).await?;
    let next_cursor = if tops.len() > limit as usize {
        tops.truncate(limit as usize);
        tops.last().map(|(id, at)| format!("{at}_{id}"))
    } else {
        None
    };
    let mut comments = Vec::new();
    if !tops.is_empty() {
        let marks = vec!["?"; tops.len()].join(",");
        let sql = format!(
            "SELECT {COLUMNS} FROM comments c WHERE c.root_id IN ({marks})
             AND (c.status = 'approved' OR (c.status = 'deleted' AND EXISTS (
                 SELECT 1 FROM comments r WHERE r.parent_id = c.id AND r.status = 'approved')))
             ORDER BY c.created_at, c.id"
        );
        let mut query = sqlx::query_as::<_, Row>(&sql);
        for (id, _) in &tops {
            query = query.bind(id);
        }
        let mut by_root: HashMap<i64, Vec<Comment>> = HashMap::new();
        for row in query.fetch_all(&mut *conn).await? {
            by_root.entry(row.root_id).or_default().push(row.public());
        }
        for (id, _) in &tops {
            comments.extend(by_root.remove(id).unwrap_or_default());
        }
    }
    let (total,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM comments WHERE article_slug = ? AND status = 'approved'")
            .bind(slug.as_str())
            .fetch_one(&mut *conn)
            .await?;
    Ok(CommentPage { comments, next_cursor, total: total.unsigned_abs(), refused: Vec::new() })
}

fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY_HEADER) else { return Ok(None) };
    let key = value.to_str().unwrap_or_default();
    if (8..=128).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        Ok(Some(key.to_owned()))
    } else {
        Err(ApiError::field("Idempotency-Key", "must be 8 to 128 letters, digits, - or _ (a UUID)"))
    }
}

fn created(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED);
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Posts a comment. With an `Idempotency-Key`, a repeat answers the first result.
#[utoipa::path(post, path = "/api/v1/articles/{slug}/comments", tag = "comments",
    params(("slug" = String, Path, description = "the article's slug"),
           ("Idempotency-Key" = Option<String>, Header, description = "a UUID kept with the draft")),
    request_body = CommentInput,
    responses((status = 201, body = PostedComment),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json"),
              (status = 429, body = Problem, content_type = "application/problem+json")))]
pub async fn post(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<CommentInput>,
) -> ApiResult<Response> {
    let slug = routes::slug(&raw)?;
    let key = idempotency_key(&headers)?;
    if let Some(key) = &key {
        if let Some(answer) = replay(&mut *state.db.acquire().await?, key, &slug).await? {
            return Ok(answer);
        }
    }
    state.comment_limiter.check(ratings::client_ip(&state, peer, &headers))?;
    let new = input.parse().map_err(ApiError::invalid)?;

    let mut tx = state.db.begin_with("BEGIN IMMEDIATE").await?;
    db::require_article(&mut tx, &slug).await?;
    if let Some(key) = &key {
        // A concurrent twin may have stored its answer while this one waited for the lock.
        if let Some(answer) = replay(&mut tx, key, &slug).await? {
            return Ok(answer);
        }
    }
    let (edit_token, token_hash) = Secrets::new_token().map_err(ApiError::internal)?;
    let posted = if input.honeypot_filled() {
        // A generic answer: a bot learns nothing, and nothing is stored.
        tracing::info!(article = %slug, "comment trapped (honeypot or time trap)");
        trapped_answer(edit_token)
    } else {
        if let Some(parent) = new.parent_id {
            let root: Option<(i64,)> = sqlx::query_as(
                "SELECT root_id FROM comments WHERE id = ? AND article_slug = ? AND status = 'approved'",
            )
            .bind(parent)
            .bind(slug.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            if root.is_none() {
                return Err(ApiError::field("parent_id", "is not a comment of this article that can be answered"));
            }
        }
        let status = match state.moderation {
            Moderation::Pre => CommentStatus::Pending,
            Moderation::Post => CommentStatus::Approved,
        };
        let row: Row = sqlx::query_as(&format!(
            "INSERT INTO comments (article_slug, parent_id, root_id, author_name, author_email, author_url, avatar,
                 body, status, edit_token_hash, edit_until)
             VALUES (?1, ?2, COALESCE((SELECT root_id FROM comments WHERE id = ?2), 0), ?3, ?4, ?5, ?6, ?7, ?8, ?9,
                 strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?10))
             RETURNING {COLUMNS}"
        ))
        .bind(slug.as_str())
        .bind(new.parent_id)
        .bind(&new.author_name)
        .bind(&new.author_email)
        .bind(new.author_url.as_ref().map(|u| u.as_str()))
        .bind(state.secrets.avatar(&new.author_email))
        .bind(&new.body)
        .bind(status.as_str())
        .bind(&token_hash)
        .bind(format!("+{} minutes", state.edit_window_minutes))
        .fetch_one(&mut *tx)
        .await?;
        if row.parent_id.is_none() {
            sqlx::query("UPDATE comments SET root_id = id WHERE id = ?").bind(row.id).execute(&mut *tx).await?;
        }
        let (edit_until,): (String,) =
            sqlx::query_as("SELECT edit_until FROM comments WHERE id = ?").bind(row.id).fetch_one(&mut *tx).await?;
        PostedComment {
            comment: row.public(),
            status,
            edit_token,
            edit_until: Timestamp::parse(&edit_until).map_err(|e| ApiError::internal(e.to_string()))?,
        }
    };
    let body = serde_json::to_string(&posted).map_err(ApiError::internal)?;
    if let Some(key) = &key {
        sqlx::query("INSERT INTO idempotency_keys (key, article_slug, status, response) VALUES (?, ?, 201, ?)")
            .bind(key)
            .bind(slug.as_str())
            .bind(&body)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    state.pages.forget_all();
    Ok(created(201, body))
}

fn trapped_answer(edit_token: String) -> PostedComment {
    let now = Timestamp::parse("1970-01-01T00:00:00Z").expect("epoch");
    PostedComment {
        comment: Comment {
            id: 0,
            parent_id: None,
            author_name: String::new(),
            author_url: None,
            avatar: String::new(),
            body: String::new(),
            created_at: now.clone(),
            edited_at: None,
            status: CommentStatus::Pending,
        },
        status: CommentStatus::Pending,
        edit_token,
        edit_until: now,
    }
}

/// The stored answer of an Idempotency-Key, if it was used before.
async fn replay(conn: &mut SqliteConnection, key: &str, slug: &Slug) -> ApiResult<Option<Response>> {
    let found: Option<(String, i64, String)> =
        sqlx::query_as("SELECT article_slug, status, response FROM idempotency_keys WHERE key = ?")
            .bind(key)
            .fetch_optional(conn)
            .await?;
    match found {
        None => Ok(None),
        Some((article, _, _)) if article != slug.as_str() => {
            Err(ApiError::field("Idempotency-Key", "was already used for another article"))
        }
        Some((_, status, body)) => Ok(Some(created(u16::try_from(status).unwrap_or(201), body))),
    }
}

#[derive(FromRow)]
struct Editable {
    edit_token_hash: String,
    status: String,
    open: bool,
}

/// Checks the edit token of comment `id` and that its window is open.
async fn check_edit(conn: &mut SqliteConnection, id: i64, headers: &HeaderMap) -> ApiResult<()> {
    let token = headers.get(EDIT_TOKEN_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let row: Option<Editable> = sqlx::query_as(
        "SELECT edit_token_hash, status, strftime('%Y-%m-%dT%H:%M:%SZ', 'now') < edit_until AS open FROM comments WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    let row = row.filter(|r| r.status != "deleted").ok_or_else(|| ApiError::not_found(format!("no comment {id}")))?;
    if token.is_empty() || token_hash(token) != row.edit_token_hash {
        return Err(ApiError::from(Problem::new(403, "Forbidden", "this edit token does not belong to this comment")));
    }
    if !row.open {
        return Err(ApiError::from(Problem::new(
            403,
            "Edit window closed",
            "comments can be changed only for a while after posting",
        )));
    }
    Ok(())
}

/// Changes the body of one's own comment, within the edit window (`X-Edit-Token`).
#[utoipa::path(patch, path = "/api/v1/comments/{id}", tag = "comments",
    params(("id" = i64, Path), ("X-Edit-Token" = String, Header, description = "the edit token of the POST answer")),
    request_body = CommentEdit,
    responses((status = 200, body = Comment), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn edit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<CommentEdit>,
) -> ApiResult<Json<Comment>> {
    let body = parse_body(&input.body).map_err(|e| ApiError::field("body", e.to_string()))?;
    let mut tx = state.db.begin_with("BEGIN IMMEDIATE").await?;
    check_edit(&mut tx, id, &headers).await?;
    let row: Row = sqlx::query_as(&format!(
        "UPDATE comments SET body = ?, edited_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ? RETURNING {COLUMNS}"
    ))
    .bind(body)
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    state.pages.forget_all();
    Ok(Json(row.public()))
}

/// Deletes one's own comment, within the edit window (`X-Edit-Token`).
#[utoipa::path(delete, path = "/api/v1/comments/{id}", tag = "comments",
    params(("id" = i64, Path), ("X-Edit-Token" = String, Header, description = "the edit token of the POST answer")),
    responses((status = 204, description = "deleted"), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete(State(state): State<AppState>, Path(id): Path<i64>, headers: HeaderMap) -> ApiResult<StatusCode> {
    let mut tx = state.db.begin_with("BEGIN IMMEDIATE").await?;
    check_edit(&mut tx, id, &headers).await?;
    set_status(&mut tx, id, CommentStatus::Deleted).await?;
    tx.commit().await?;
    state.pages.forget_all();
    Ok(StatusCode::NO_CONTENT)
}

async fn set_status(conn: &mut SqliteConnection, id: i64, status: CommentStatus) -> ApiResult<()> {
    let done =
        sqlx::query("UPDATE comments SET status = ? WHERE id = ?").bind(status.as_str()).bind(id).execute(conn).await?;
    if done.rows_affected() == 0 {
        return Err(ApiError::not_found(format!("no comment {id}")));
    }
    Ok(())
}

/// Reports a comment to the moderators.
#[utoipa::path(post, path = "/api/v1/comments/{id}/report", tag = "comments", params(("id" = i64, Path)),
    request_body = Report,
    responses((status = 204, description = "reported"), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn report(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<Report>,
) -> ApiResult<StatusCode> {
    let reason =
        news_widget_api::line_text(&input.reason, 1, 500).map_err(|e| ApiError::field("reason", e.to_string()))?;
    let mut tx = state.db.begin().await?;
    let done = sqlx::query("UPDATE comments SET reports = reports + 1 WHERE id = ? AND status = 'approved'")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(ApiError::not_found(format!("no comment {id}")));
    }
    sqlx::query("INSERT INTO comment_reports (comment_id, reason) VALUES (?, ?)")
        .bind(id)
        .bind(reason)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    state.pages.forget_all();
    Ok(StatusCode::NO_CONTENT)
}

/// Approved comment counts of several articles, for index pages.
#[utoipa::path(post, path = "/api/v1/counts", tag = "comments", request_body = CountsRequest,
    responses((status = 200, description = "slug → count", body = HashMap<String, u64>),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn counts(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<CountsRequest>,
) -> ApiResult<Json<HashMap<String, u64>>> {
    if input.slugs.len() > 100 {
        return Err(ApiError::field("slugs", "at most 100 at a time"));
    }
    let mut out = HashMap::new();
    for (i, raw) in input.slugs.iter().enumerate() {
        let slug = Slug::parse(raw).map_err(|e| ApiError::field(&format!("slugs[{i}]"), e.to_string()))?;
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM comments WHERE article_slug = ? AND status = 'approved'")
                .bind(slug.as_str())
                .fetch_one(&state.db)
                .await?;
        out.insert(slug.to_string(), n.unsigned_abs());
    }
    Ok(Json(out))
}

/// A comment as moderators see it: still no email and no IP.
#[derive(Serialize, Deserialize, utoipa::ToSchema)]
pub struct ModeratedComment {
    pub article_slug: String,
    pub reports: i64,
    #[serde(flatten)]
    pub comment: Comment,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct AdminQuery {
    /// `pending` (default) or `reported`.
    status: Option<String>,
}

/// Comments waiting for a moderator: pending, or reported.
pub async fn moderation_queue(db: &crate::db::Db, which: &str) -> ApiResult<Vec<ModeratedComment>> {
    let filter = match which {
        "pending" => "status = 'pending'",
        "reported" => "reports > 0 AND status = 'approved'",
        _ => return Err(ApiError::field("status", "must be pending or reported")),
    };
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(&format!(
        "SELECT article_slug, reports, id FROM comments WHERE {filter} ORDER BY created_at, id LIMIT 500"
    ))
    .fetch_all(db)
    .await?;
    let mut out = Vec::new();
    for (article_slug, reports, id) in rows {
        let row: Row =
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM comments WHERE id = ?")).bind(id).fetch_one(db).await?;
        out.push(ModeratedComment { article_slug, reports, comment: row.public() });
    }
    Ok(out)
}

/// A moderator's decision on comment `id`.
pub async fn moderate(db: &crate::db::Db, id: i64, action: &str) -> ApiResult<()> {
    let mut conn = db.acquire().await?;
    match action {
        "approve" => set_status(&mut conn, id, CommentStatus::Approved).await,
        "reject" => set_status(&mut conn, id, CommentStatus::Rejected).await,
        "delete" => {
            let done = sqlx::query(
                "DELETE FROM comments WHERE id = ? AND NOT EXISTS (SELECT 1 FROM comments r WHERE r.parent_id = ?)",
            )
            .bind(id)
            .bind(id)
            .execute(&mut *conn)
            .await?;
            if done.rows_affected() == 0 {
                // It has replies (or does not exist): keep its place, empty.
                set_status(&mut conn, id, CommentStatus::Deleted).await?;
            }
            Ok(())
        }
        _ => Err(ApiError::not_found(format!("no action {action}"))),
    }
}

/// The moderation queue (admin token).
#[utoipa::path(get, path = "/api/v1/admin/comments", tag = "moderation", params(AdminQuery), security(("admin_token" = [])),
    responses((status = 200, body = Vec<ModeratedComment>), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn admin_list(
    State(state): State<AppState>,
    Query(q): Query<AdminQuery>,
    headers: HeaderMap,
) -> ApiResult<Json<Vec<ModeratedComment>>> {
    routes::require_admin(&state, &headers)?;
    Ok(Json(moderation_queue(&state.db, q.status.as_deref().unwrap_or("pending")).await?))
}

/// Approves or rejects a comment (admin token).
#[utoipa::path(post, path = "/api/v1/admin/comments/{id}/{action}", tag = "moderation",
    params(("id" = i64, Path), ("action" = String, Path, description = "approve or reject")), security(("admin_token" = [])),
    responses((status = 204, description = "done"), (status = 401, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn admin_action(
    State(state): State<AppState>,
    Path((id, action)): Path<(i64, String)>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    routes::require_admin(&state, &headers)?;
    if !matches!(action.as_str(), "approve" | "reject") {
        return Err(ApiError::not_found(format!("no action {action}")));
    }
    moderate(&state.db, id, &action).await?;
    state.pages.forget_all();
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a comment (admin token); one with replies keeps its place, empty.
#[utoipa::path(delete, path = "/api/v1/admin/comments/{id}", tag = "moderation", params(("id" = i64, Path)),
    security(("admin_token" = [])),
    responses((status = 204, description = "deleted"), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn admin_delete(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    routes::require_admin(&state, &headers)?;
    moderate(&state.db, id, "delete").await?;
    state.pages.forget_all();
    Ok(StatusCode::NO_CONTENT)
}
