//! Comments: the thread, posting (idempotent, moderated, trapped, rate limited), editing by the
//! author, reports, counts, and moderation.

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use news_widget_api::events::ArticleEvent;
use news_widget_api::{
    comment_id_ok, parse_body, Comment, CommentEdit, CommentInput, CommentPage, CommentState, CommentStatus,
    CountsRequest, FormToken, PageSize, PostedComment, Problem, Report, Slug, Sort, Timestamp, EDIT_TOKEN_HEADER,
    IDEMPOTENCY_KEY_HEADER, READER_TOKEN_HEADER,
};
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, FromRow};

use crate::admin::Moderator;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery};
use crate::json::ApiJson;
use crate::moderation::{self, Candidate, Decision};
use crate::secrets::{token_hash, Secrets};
use crate::trap::{self, Verdict};
use crate::{client, db, routes, AppState};

/// When a new comment shows to everyone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Moderation {
    /// After a moderator approves it; until then only its author sees it.
    Pre,
    /// At once; moderators can reject it afterwards.
    #[default]
    Post,
}

const COLUMNS: &str = "id, parent_id, root_id, article_slug, author_name, author_url, avatar, body, created_at, \
                       edited_at, status, held_reason, pending_body, edit_until, reports";

#[derive(FromRow, Clone)]
struct Row {
    id: i64,
    parent_id: Option<i64>,
    root_id: i64,
    article_slug: String,
    author_name: String,
    author_url: Option<String>,
    avatar: String,
    body: String,
    created_at: String,
    edited_at: Option<String>,
    status: String,
    held_reason: Option<String>,
    pending_body: Option<String>,
    edit_until: String,
    reports: i64,
}

pub(crate) fn stamp(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap_or_else(|_| Timestamp::parse("1970-01-01T00:00:00Z").expect("epoch"))
}

impl Row {
    fn status(&self) -> CommentStatus {
        CommentStatus::parse(&self.status).unwrap_or(CommentStatus::Pending)
    }

    /// What the author sees of their own comment: a bot's trapped post and a comment the rules
    /// rejected (a block word, a ban) look pending, like any comment held for review, and an edit awaiting review shows as pending with its new text.
    fn for_author(mut self) -> Comment {
        let looks_pending = crate::moderation::looks_pending(self.held_reason.as_deref());
        if let Some(body) = self.pending_body.take() {
            self.body = body;
            self.status = CommentStatus::Pending.as_str().to_owned();
        }
        if looks_pending {
            self.status = CommentStatus::Pending.as_str().to_owned();
        }
        self.public()
    }

    /// The public fields only; a removed comment (deleted, or rejected) that holds approved
    /// replies keeps its place as a blank placeholder.
    fn public(mut self) -> Comment {
        if self.status == CommentStatus::Rejected.as_str() {
            self.status = CommentStatus::Deleted.as_str().to_owned();
        }
        let status = self.status();
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

/// A visible top-level comment: approved, or removed (deleted or rejected) but holding approved replies.
const VISIBLE_TOP: &str = "(c.status = 'approved' OR (c.status IN ('deleted', 'rejected') AND EXISTS (
    SELECT 1 FROM comments r WHERE r.root_id = c.id AND r.id <> c.id AND r.status = 'approved')))";

/// The approved comments of an article, a page of threads at a time.
#[utoipa::path(get, path = "/api/v1/articles/{slug}/comments", tag = "comments",
    params(("slug" = String, Path, description = "the article's slug"), ListQuery),
    responses((status = 200, body = CommentPage), (status = 304, description = "not modified (If-None-Match)"),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
    ApiQuery(q): ApiQuery<ListQuery>,
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
    let key = format!("{} {} {}", sort.as_str(), q.cursor.as_deref().unwrap_or_default(), limit.get());
    let page = state
        .pages
        .get_or_build(slug.as_str(), key, || async {
            let cursor = q.cursor.as_deref().map(parse_cursor).transpose()?;
            let mut conn = state.db.acquire().await?;
            db::require_article(&mut conn, &slug).await?;
            let mut page = page(&mut conn, &slug, sort, cursor, limit.get()).await?;
            page.closed = moderation::is_closed(&mut conn, &state, &slug).await?;
            Ok::<_, ApiError>(Bytes::from(serde_json::to_vec(&page).map_err(ApiError::internal)?))
        })
        .await?;
    crate::cache::answer(&page, "application/json", &headers).await
}

fn parse_cursor(raw: &str) -> ApiResult<(String, i64)> {
    let bad = || ApiError::field("cursor", "is not a cursor this server gave");
    let (at, id) = raw.rsplit_once('_').ok_or_else(bad)?;
    Timestamp::parse(at).map_err(|_| bad())?;
    Ok((at.to_owned(), id.parse().map_err(|_| bad())?))
}

pub(crate) async fn page(
    conn: &mut AnyConnection,
    slug: &Slug,
    sort: Sort,
    cursor: Option<(String, i64)>,
    limit: u32,
) -> sqlx::Result<CommentPage> {
    let (order, after) = match sort {
        Sort::Oldest => ("c.created_at, c.id", ">"),
        Sort::Newest => ("c.created_at DESC, c.id DESC", "<"),
    };
    let cursor_sql =
        if cursor.is_some() { format!("AND (c.created_at, c.id) {after} ($3, $4)") } else { String::new() };
    let sql = format!(
        "SELECT c.id, c.created_at FROM comments c WHERE c.article_slug = $1 AND c.parent_id IS NULL AND {VISIBLE_TOP}
         {cursor_sql} ORDER BY {order} LIMIT $2"
    );
    let mut query = sqlx::query_as::<_, (i64, String)>(&sql).bind(slug.as_str()).bind(i64::from(limit) + 1);
    if let Some((at, id)) = &cursor {
        query = query.bind(at).bind(id);
    }
    let mut tops = query.fetch_all(&mut *conn).await?;
    let next_cursor = if tops.len() > limit as usize {
        tops.truncate(limit as usize);
        tops.last().map(|(id, at)| format!("{at}_{id}"))
    } else {
        None
    };
    let mut comments = Vec::new();
    if !tops.is_empty() {
        let marks = crate::db::marks(1, tops.len());
        let sql = format!(
            "SELECT {COLUMNS} FROM comments c WHERE c.root_id IN ({marks})
             AND c.status IN ('approved', 'deleted', 'rejected') ORDER BY c.created_at, c.id"
        );
        let mut query = sqlx::query_as::<_, Row>(&sql);
        for (id, _) in &tops {
            query = query.bind(id);
        }
        let rows = query.fetch_all(&mut *conn).await?;
        // Shown: every approved comment, and every comment above one (as a removed placeholder),
        // so that what is shown and the count always agree and no reply loses its place.
        let parent: HashMap<i64, Option<i64>> = rows.iter().map(|r| (r.id, r.parent_id)).collect();
        let mut shown = std::collections::HashSet::new();
        for row in rows.iter().filter(|r| r.status == "approved") {
            let mut at = Some(row.id);
            while let Some(id) = at.filter(|id| shown.insert(*id)) {
                at = parent.get(&id).copied().flatten();
            }
        }
        let mut by_root: HashMap<i64, Vec<Comment>> = HashMap::new();
        for row in rows.into_iter().filter(|r| shown.contains(&r.id)) {
            by_root.entry(row.root_id).or_default().push(row.public());
        }
        for (id, _) in &tops {
            comments.extend(by_root.remove(id).unwrap_or_default());
        }
    }
    let (total,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM comments WHERE article_slug = $1 AND status = 'approved'")
            .bind(slug.as_str())
            .fetch_one(&mut *conn)
            .await?;
    Ok(CommentPage { comments, next_cursor, total: total.unsigned_abs(), closed: false, refused: Vec::new() })
}

fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY_HEADER) else { return Ok(None) };
    let key = value.to_str().unwrap_or_default();
    if news_widget_api::idempotency_key_ok(key) {
        Ok(Some(key.to_owned()))
    } else {
        Err(ApiError::field("Idempotency-Key", "must be 8 to 128 letters, digits, - or _ (a UUID)"))
    }
}

fn created(posted: &PostedComment) -> ApiResult<Response> {
    let body = serde_json::to_string(posted).map_err(ApiError::internal)?;
    Ok((StatusCode::CREATED, [(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// A fresh signed token for the comment form of `slug` (the time trap reads it back).
#[utoipa::path(get, path = "/api/v1/articles/{slug}/form-token", tag = "comments",
    params(("slug" = String, Path, description = "the article's slug")),
    responses((status = 200, body = FormToken), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn form_token(State(state): State<AppState>, ApiPath(raw): ApiPath<String>) -> ApiResult<Response> {
    let slug = routes::slug(&raw)?;
    db::require_article(&mut *state.db.acquire().await?, &slug).await?;
    let token = FormToken { token: trap::issue(&state.secrets, &slug) };
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(token)).into_response())
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
    ApiPath(raw): ApiPath<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<CommentInput>,
) -> ApiResult<Response> {
    let slug = routes::slug(&raw)?;
    let key = idempotency_key(&headers)?;
    let ip = client::client_ip(&state.proxies, peer, &headers);
    created(&store(&state, &slug, &input, key.as_deref(), ip).await?)
}

/// Stores a comment: the one path of every way to post (the JSON route and the no-JavaScript
/// form), so their rules cannot drift apart. With a `key`, a repeat answers the first result
/// (replay) before anything else; then the rate limit, the fields' rules, the parent check, the
/// honeypot and the time trap, the insert with its idempotency row, and the cache forgotten.
pub(crate) async fn store(
    state: &AppState,
    slug: &Slug,
    input: &CommentInput,
    key: Option<&str>,
    ip: std::net::IpAddr,
) -> ApiResult<PostedComment> {
    if let Some(key) = key {
        if let Some(answer) = replay(state, &mut *state.db.acquire().await?, key, slug).await? {
            return Ok(answer);
        }
    }
    if moderation::is_closed(&mut *state.db.acquire().await?, state, slug).await? {
        return Err(moderation::closed_error());
    }
    state.comment_limiter.check(&state.db, client::rate_key(ip)).await?;
    let new = input.parse().map_err(ApiError::invalid)?;

    let mut tx = crate::db::begin_write(&state.db).await?;
    db::require_article(&mut tx, slug).await?;
    if let Some(key) = key {
        // A concurrent twin may have stored its answer while this one waited for the lock.
        if let Some(answer) = replay(state, &mut tx, key, slug).await? {
            return Ok(answer);
        }
    }
    if let Some(parent) = new.parent_id {
        let root: Option<(i64,)> =
            sqlx::query_as("SELECT root_id FROM comments WHERE id = $1 AND article_slug = $2 AND status = 'approved'")
                .bind(parent)
                .bind(slug.as_str())
                .fetch_optional(&mut *tx)
                .await?;
        if root.is_none() {
            return Err(ApiError::field("parent_id", "is not a comment of this article that can be answered"));
        }
    }
    // Only the honeypot drops a comment (stored out of sight until its key expires, so that the
    // bot's answer and its replays look like any pending comment's); the rules may reject one
    // (answered alike) or hold it, and so may the time trap; every reason is stored.
    let person = state.secrets.avatar(&new.author_email);
    let (status, held) = if input.honeypot_filled() {
        tracing::info!(article = %slug, "comment trapped by the honeypot");
        (CommentStatus::Rejected, Some("honeypot".to_owned()))
    } else {
        let rules = moderation::load(&mut tx, &state.rules).await?;
        let candidate = Candidate {
            author_name: &new.author_name,
            author_email: &new.author_email,
            author_url: new.author_url.as_ref().map(|u| u.as_str()),
            body: &new.body,
            person: &person,
        };
        let (rejected, mut reasons) = match moderation::decide(&mut tx, &rules, &candidate).await? {
            Decision::Reject(reason) => {
                tracing::info!(article = %slug, reason = %reason, "comment rejected by the moderation rules");
                (true, vec![reason])
            }
            Decision::Hold(reasons) => {
                tracing::info!(article = %slug, reasons = %reasons.join(","), "comment held by the moderation rules");
                (false, reasons)
            }
            Decision::Publish => (false, Vec::new()),
        };
        if !rejected {
            if let Verdict::Hold(reason) = trap::verify(&state.secrets, slug, &input.form_token, state.form_min_age) {
                tracing::info!(article = %slug, reason, "comment held for review by the time trap");
                reasons.insert(0, reason.to_owned());
            }
        }
        let held = (!reasons.is_empty()).then(|| reasons.join(","));
        if rejected {
            (CommentStatus::Rejected, held)
        } else if held.is_some() {
            (CommentStatus::Pending, held)
        } else if crate::console::moderation_for(&mut tx, slug, state.moderation).await? == Moderation::Pre {
            (CommentStatus::Pending, None)
        } else {
            (CommentStatus::Approved, None)
        }
    };
    let edit_token = match key {
        Some(key) => derived_edit_token(&state.secrets, key),
        None => Secrets::new_token().map_err(ApiError::internal)?.0,
    };
    let row: Row = sqlx::query_as(&format!(
        "INSERT INTO comments (article_slug, parent_id, root_id, author_name, author_email, author_url, avatar,
             body, status, edit_token_hash, edit_until, held_reason)
         VALUES ($1, $2, COALESCE((SELECT root_id FROM comments WHERE id = $2), 0), $3, $4, $5, $6, $7, $8, $9,
             strftime('%Y-%m-%dT%H:%M:%SZ', 'now', $10), $11)
         RETURNING {COLUMNS}"
    ))
    .bind(slug.as_str())
    .bind(new.parent_id)
    .bind(&new.author_name)
    .bind(&new.author_email)
    .bind(new.author_url.as_ref().map(|u| u.as_str()))
    .bind(&person)
    .bind(&new.body)
    .bind(status.as_str())
    .bind(token_hash(&edit_token))
    .bind(format!("+{} minutes", state.edit_window_minutes))
    .bind(held.as_deref())
    .fetch_one(&mut *tx)
    .await?;
    let id = row.id;
    if row.parent_id.is_none() {
        sqlx::query("UPDATE comments SET root_id = id WHERE id = $1").bind(id).execute(&mut *tx).await?;
    }
    // The rules' own decisions go to the log like a moderator's (not the honeypot's: a bot's).
    if let Some(reason) = held.as_deref().filter(|r| *r != "honeypot") {
        let action = if status == CommentStatus::Rejected { "reject" } else { "held" };
        let entry = crate::audit::Entry {
            actor: crate::audit::RULES,
            action,
            reason: Some(reason),
            comment_id: Some(id),
            article_slug: Some(slug.as_str()),
            person: Some(&person),
        };
        crate::audit::record(&mut tx, entry).await?;
    }
    if let Some(key) = key {
        sqlx::query("INSERT INTO idempotency_keys (key_hash, article_slug, comment_id) VALUES ($1, $2, $3)")
            .bind(token_hash(key))
            .bind(slug.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    if status == CommentStatus::Pending {
        crate::outbox::enqueue_for(&mut tx, state, crate::outbox::Kind::Comment, id).await?;
    }
    if status == CommentStatus::Approved {
        let event = ArticleEvent::Comment { comment: row.clone().public() };
        crate::events::record(&mut tx, slug.as_str(), &event).await?;
    }
    tx.commit().await?;
    crate::outbox::wake(state);
    if status == CommentStatus::Approved {
        state.changed(slug.as_str());
    }
    Ok(answer(row, edit_token))
}

/// A comment brought in by an importer, as it was at its source: its own date and status, no
/// rate limit, no time trap, and no edit window (nobody holds an edit token for it).
pub struct ImportedRow<'a> {
    pub article_slug: &'a str,
    pub parent_id: Option<i64>,
    pub author_name: &'a str,
    /// `""` when the source had none (or none that parses).
    pub author_email: &'a str,
    pub author_url: Option<&'a str>,
    pub avatar: &'a str,
    pub body: &'a str,
    /// `approved`, `pending`, or `deleted` (a placeholder that keeps its replies' place).
    pub status: CommentStatus,
    /// UTC, as the server writes its own dates (`2024-07-05T07:00:00.000Z`).
    pub created_at: &'a str,
}

/// Stores an imported comment (the importers' one way in), answering its id. A deleted one is
/// stored as [`erase`] leaves a tombstone: no text, name, website or email.
pub async fn insert_imported(conn: &mut AnyConnection, c: &ImportedRow<'_>) -> sqlx::Result<i64> {
    let deleted = c.status == CommentStatus::Deleted;
    fn blank_if(deleted: bool, v: &str) -> &str {
        if deleted {
            ""
        } else {
            v
        }
    }
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO comments (article_slug, parent_id, root_id, author_name, author_email, author_url, avatar,
             body, status, created_at, edit_token_hash, edit_until, deleted_by)
         VALUES ($1, $2, COALESCE((SELECT root_id FROM comments WHERE id = $2), 0), $3, $4, $5, $6, $7, $8, $9,
             $10, strftime('%Y-%m-%dT%H:%M:%SZ', $9), $11)
         RETURNING id",
    )
    .bind(c.article_slug)
    .bind(c.parent_id)
    .bind(blank_if(deleted, c.author_name))
    .bind(blank_if(deleted, c.author_email))
    .bind(if deleted { None } else { c.author_url })
    .bind(blank_if(deleted, c.avatar))
    .bind(blank_if(deleted, c.body))
    .bind(c.status.as_str())
    .bind(c.created_at)
    // The hash of a token nobody was given: the author's edit routes never open for it.
    .bind(token_hash(&Secrets::new_token().map_err(|e| sqlx::Error::Protocol(e.to_string()))?.0))
    .bind(deleted.then_some("import"))
    .fetch_one(&mut *conn)
    .await?;
    if c.parent_id.is_none() {
        sqlx::query("UPDATE comments SET root_id = id WHERE id = $1").bind(id).execute(&mut *conn).await?;
    }
    Ok(id)
}

/// The edit token of the comment an Idempotency-Key made: derived from the key with a server
/// key, so that a replay can give it back while the server stores only its hash.
fn derived_edit_token(secrets: &Secrets, key: &str) -> String {
    secrets.sign(&format!("edit-token\n{key}"))
}

/// The answer to a post of the comment `row`.
fn answer(row: Row, edit_token: String) -> PostedComment {
    let edit_until = stamp(&row.edit_until);
    let comment = row.for_author();
    PostedComment { status: comment.status, comment, edit_token, edit_until }
}

/// The answer of an Idempotency-Key used before, rebuilt from the comment it made.
async fn replay(
    state: &AppState,
    conn: &mut AnyConnection,
    key: &str,
    slug: &Slug,
) -> ApiResult<Option<PostedComment>> {
    let found: Option<(String, i64)> =
        sqlx::query_as("SELECT article_slug, comment_id FROM idempotency_keys WHERE key_hash = $1")
            .bind(token_hash(key))
            .fetch_optional(&mut *conn)
            .await?;
    let Some((article, id)) = found else { return Ok(None) };
    if article != slug.as_str() {
        return Err(ApiError::field("Idempotency-Key", "was already used for another article"));
    }
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM comments WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map(|row| answer(row, derived_edit_token(&state.secrets, key))))
}

#[derive(FromRow)]
struct Editable {
    article_slug: String,
    edit_token_hash: String,
    status: String,
    /// 1 while the edit window is open (an integer on both engines).
    open: i64,
}

/// Checks the edit token of comment `id`, and (with `window`) that its edit window is open;
/// answers the comment's article.
async fn check_edit(conn: &mut AnyConnection, id: i64, headers: &HeaderMap, window: bool) -> ApiResult<String> {
    let token = headers.get(EDIT_TOKEN_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let row: Option<Editable> = sqlx::query_as(
        "SELECT article_slug, edit_token_hash, status, CASE WHEN strftime('%Y-%m-%dT%H:%M:%SZ', 'now') < edit_until THEN 1 ELSE 0 END AS open
         FROM comments WHERE id = $1 AND (held_reason IS NULL OR held_reason <> 'honeypot')",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    let row = row.ok_or_else(|| ApiError::not_found(format!("no comment {id}")))?;
    if token.is_empty()
        || !bool::from(subtle::ConstantTimeEq::ct_eq(token_hash(token).as_bytes(), row.edit_token_hash.as_bytes()))
    {
        return Err(ApiError::from(Problem::new(403, "Forbidden", "this edit token does not belong to this comment")));
    }
    if window && row.status == "deleted" {
        return Err(ApiError::not_found(format!("no comment {id}")));
    }
    if window && row.open == 0 {
        return Err(ApiError::from(Problem::new(
            403,
            "Edit window closed",
            "comments can be changed only for a while after posting",
        )));
    }
    Ok(row.article_slug)
}

pub(crate) fn comment_id(id: i64) -> ApiResult<i64> {
    if comment_id_ok(id) {
        Ok(id)
    } else {
        Err(ApiError::not_found(format!("no comment {id}")))
    }
}

/// Where one's own comment stands (`X-Edit-Token`, at any time): approved, pending, rejected or
/// deleted, and whether an edit awaits review.
#[utoipa::path(get, path = "/api/v1/comments/{id}/status", tag = "comments",
    params(("id" = i64, Path), ("X-Edit-Token" = String, Header, description = "the edit token of the POST answer")),
    responses((status = 200, body = CommentState), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn state(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let id = comment_id(id)?;
    let mut conn = state.db.acquire().await?;
    check_edit(&mut conn, id, &headers, false).await?;
    let (status, edit_pending, held): (String, i64, Option<String>) = sqlx::query_as(
        "SELECT status, CASE WHEN pending_body IS NOT NULL THEN 1 ELSE 0 END, held_reason FROM comments WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let mut status = CommentStatus::parse(&status).unwrap_or(CommentStatus::Pending);
    // A comment the rules rejected stays "awaiting moderation" for its author.
    if status == CommentStatus::Rejected && moderation::looks_pending(held.as_deref()) {
        status = CommentStatus::Pending;
    }
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(CommentState { status, edit_pending: edit_pending == 1 }))
        .into_response())
}

/// Changes the body of one's own comment, within the edit window (`X-Edit-Token`). Under
/// pre-moderation an edit of an approved comment waits for a moderator, and readers see the
/// approved text meanwhile; the answer is the comment as its author sees it.
#[utoipa::path(patch, path = "/api/v1/comments/{id}", tag = "comments",
    params(("id" = i64, Path), ("X-Edit-Token" = String, Header, description = "the edit token of the POST answer")),
    request_body = CommentEdit,
    responses((status = 200, body = Comment), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn edit(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<CommentEdit>,
) -> ApiResult<Json<Comment>> {
    let id = comment_id(id)?;
    let body = parse_body(&input.body).map_err(|e| ApiError::field("body", e.to_string()))?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    let slug = check_edit(&mut tx, id, &headers, true).await?;
    let article = routes::slug(&slug)?;
    let sql = if crate::console::moderation_for(&mut tx, &article, state.moderation).await? == Moderation::Pre {
        // Approved: the edit waits in pending_body. Pending: it replaces the text under review.
        format!(
            "UPDATE comments SET
                 pending_body = CASE WHEN status = 'approved' THEN $1 ELSE NULL END,
                 body = CASE WHEN status = 'approved' THEN body ELSE $1 END,
                 edited_at = CASE WHEN status = 'approved' THEN edited_at ELSE strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END
             WHERE id = $2 RETURNING {COLUMNS}"
        )
    } else {
        format!(
            "UPDATE comments SET body = $1, edited_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = $2 RETURNING {COLUMNS}"
        )
    };
    let row: Row = sqlx::query_as(&sql).bind(body).bind(id).fetch_one(&mut *tx).await?;
    if row.pending_body.is_some() {
        crate::outbox::enqueue_for(&mut tx, &state, crate::outbox::Kind::Comment, id).await?;
    } else if row.status == CommentStatus::Approved.as_str() {
        crate::events::record(&mut tx, &slug, &ArticleEvent::Edit { comment: row.clone().public() }).await?;
    }
    tx.commit().await?;
    crate::outbox::wake(&state);
    state.changed(&slug);
    Ok(Json(row.for_author()))
}

/// Deletes one's own comment, within the edit window (`X-Edit-Token`): its text, name, website
/// and email are erased for good; a comment with replies keeps its place as a placeholder.
#[utoipa::path(delete, path = "/api/v1/comments/{id}", tag = "comments",
    params(("id" = i64, Path), ("X-Edit-Token" = String, Header, description = "the edit token of the POST answer")),
    responses((status = 204, description = "deleted"), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    let id = comment_id(id)?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    let slug = check_edit(&mut tx, id, &headers, true).await?;
    erase(&mut tx, id, "author").await?;
    crate::events::record(&mut tx, &slug, &ArticleEvent::Removal { id }).await?;
    tx.commit().await?;
    state.changed(&slug);
    Ok(StatusCode::NO_CONTENT)
}

/// Removes comment `id` for good: the row when nothing answers it, else a tombstone that keeps
/// only its place in the thread (no text, no name, no website, no email).
pub async fn erase(conn: &mut AnyConnection, id: i64, by: &str) -> ApiResult<()> {
    let gone = sqlx::query(
        "DELETE FROM comments WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM comments r WHERE r.parent_id = $2)",
    )
    .bind(id)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if gone.rows_affected() == 1 {
        return Ok(());
    }
    let done = sqlx::query(
        "UPDATE comments SET status = 'deleted', deleted_by = $1, body = '', author_name = '', author_email = '',
             author_url = NULL, avatar = '', pending_body = NULL WHERE id = $2",
    )
    .bind(by)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(ApiError::not_found(format!("no comment {id}")));
    }
    Ok(())
}

/// Reports a comment to the moderators: once per reader (their reader token, else their
/// address), a limited number an hour from one address. Reports change nothing readers see.
#[utoipa::path(post, path = "/api/v1/comments/{id}/report", tag = "comments", params(("id" = i64, Path)),
    request_body = Report,
    responses((status = 204, description = "reported (again: still once)"), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json"),
              (status = 429, body = Problem, content_type = "application/problem+json")))]
pub async fn report(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<Report>,
) -> ApiResult<StatusCode> {
    let id = comment_id(id)?;
    let reason =
        news_widget_api::line_text(&input.reason, 1, 500).map_err(|e| ApiError::field("reason", e.to_string()))?;
    let ip = client::client_ip(&state.proxies, peer, &headers);
    let reporter = match headers
        .get(READER_TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| news_widget_api::ReaderToken::parse(v).ok())
    {
        Some(token) => format!("reader:{}", state.secrets.reader_hash(token.as_str())),
        None => {
            let (day, _) = crate::secrets::today();
            let hash = state.secrets.ip_hash(&state.db, day, client::rate_key(ip)).await.map_err(ApiError::internal)?;
            format!("ip:{hash}")
        }
    };
    let mut tx = crate::db::begin_write(&state.db).await?;
    let exists: Option<(i64,)> = sqlx::query_as("SELECT id FROM comments WHERE id = $1 AND status = 'approved'")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    if exists.is_none() {
        return Err(ApiError::not_found(format!("no comment {id}")));
    }
    let already: Option<(i64,)> =
        sqlx::query_as("SELECT 1 FROM comment_reports WHERE comment_id = $1 AND reporter_hash = $2")
            .bind(id)
            .bind(&reporter)
            .fetch_optional(&mut *tx)
            .await?;
    if already.is_some() {
        return Ok(StatusCode::NO_CONTENT);
    }
    state.report_limiter.check(&state.db, client::rate_key(ip)).await?;
    sqlx::query("INSERT INTO comment_reports (comment_id, reason, reporter_hash) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(reason)
        .bind(&reporter)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE comments SET reports = reports + 1 WHERE id = $1").bind(id).execute(&mut *tx).await?;
    crate::outbox::enqueue_for(&mut tx, &state, crate::outbox::Kind::Report, id).await?;
    tx.commit().await?;
    crate::outbox::wake(&state);
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
            sqlx::query_as("SELECT COUNT(*) FROM comments WHERE article_slug = $1 AND status = 'approved'")
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
    /// Why it was held or rejected, comma-separated: the time trap (`too_fast`, `no_form_token`, …)
    /// and the moderation rules (`links:N`, `hold_word:W`, `new_commenter`, `block_word:W`,
    /// `banned`, `suspended`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_reason: Option<String>,
    /// Under pre-moderation: the author's edit awaiting review (readers see `body` meanwhile).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_body: Option<String>,
    #[serde(flatten)]
    pub comment: Comment,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct AdminQuery {
    /// `pending` (default), `reported`, or `rejected` (by the moderation rules).
    status: Option<String>,
}

/// Comments waiting for a moderator: pending (new ones and edits under review), or reported.
pub async fn moderation_queue(db: &crate::db::Db, which: &str) -> ApiResult<Vec<ModeratedComment>> {
    let filter = match which {
        "pending" => "(status = 'pending' OR (status = 'approved' AND pending_body IS NOT NULL))",
        "reported" => "reports > reports_reviewed AND status = 'approved'",
        // Rejected by the rules (a block word, a ban), not by a moderator nor the honeypot.
        "rejected" => {
            "status = 'rejected' AND (held_reason LIKE 'block_word:%' OR held_reason IN ('banned', 'suspended'))"
        }
        _ => return Err(ApiError::field("status", "must be pending, reported or rejected")),
    };
    let rows: Vec<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM comments WHERE {filter} ORDER BY created_at, id LIMIT 500"))
            .fetch_all(db)
            .await?;
    let out = rows
        .into_iter()
        .map(|mut row| ModeratedComment {
            article_slug: row.article_slug.clone(),
            reports: row.reports,
            held_reason: row.held_reason.take(),
            pending_body: row.pending_body.take(),
            comment: row.public(),
        })
        .collect();
    Ok(out)
}

/// A moderator's decision on comment `id` (`approve`, `reject` or `delete`), recorded in the
/// decisions log with `actor` and `reason` in the same transaction; answers the comment's
/// article. Approving publishes a pending comment or a pending edit, and marks its reports
/// reviewed (it leaves the Reported queue until someone reports it again); a deleted comment
/// cannot be brought back.
pub async fn moderate(
    db: &crate::db::Db,
    id: i64,
    action: &str,
    actor: &str,
    reason: Option<&str>,
) -> ApiResult<String> {
    let mut tx = crate::db::begin_write(db).await?;
    let found: Option<(String, String, String, i64)> = sqlx::query_as(
        "SELECT article_slug, status, avatar, CASE WHEN pending_body IS NOT NULL THEN 1 ELSE 0 END FROM comments
         WHERE id = $1 AND (held_reason IS NULL OR held_reason <> 'honeypot')",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let (slug, status, person, edit_waiting) = found.ok_or_else(|| ApiError::not_found(format!("no comment {id}")))?;
    let was_shown = status == "approved";
    let gone = || {
        ApiError::from(Problem::new(
            409,
            "Comment deleted",
            format!("comment {id} was deleted; it cannot be approved or rejected"),
        ))
    };
    match action {
        "approve" if status == "deleted" => return Err(gone()),
        "approve" => {
            sqlx::query(
                "UPDATE comments SET status = 'approved', held_reason = NULL,
                     body = COALESCE(pending_body, body),
                     edited_at = CASE WHEN pending_body IS NULL THEN edited_at ELSE strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END,
                     pending_body = NULL, reports_reviewed = reports
                 WHERE id = $1",
            )
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        "reject" if status == "deleted" => return Err(gone()),
        "reject" => {
            sqlx::query("UPDATE comments SET status = 'rejected', pending_body = NULL WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        "delete" => erase(&mut tx, id, "moderator").await?,
        _ => return Err(ApiError::not_found(format!("no action {action}"))),
    }
    // What readers see change: a comment shown, a waiting edit shown, a comment gone.
    let event = match action {
        "approve" if !was_shown || edit_waiting != 0 => {
            let row: Row = sqlx::query_as(&format!("SELECT {COLUMNS} FROM comments WHERE id = $1"))
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
            let comment = row.public();
            Some(if was_shown { ArticleEvent::Edit { comment } } else { ArticleEvent::Comment { comment } })
        }
        "reject" | "delete" if was_shown => Some(ArticleEvent::Removal { id }),
        _ => None,
    };
    if let Some(event) = event {
        crate::events::record(&mut tx, &slug, &event).await?;
    }
    let entry = crate::audit::Entry {
        actor,
        action,
        reason,
        comment_id: Some(id),
        article_slug: Some(&slug),
        person: Some(&person),
    };
    crate::audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(slug)
}

/// The moderation queue (admin token).
#[utoipa::path(get, path = "/api/v1/admin/comments", tag = "moderation", params(AdminQuery), security(("admin_token" = [])),
    responses((status = 200, body = Vec<ModeratedComment>), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn admin_list(
    _moderator: Moderator,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<AdminQuery>,
) -> ApiResult<Json<Vec<ModeratedComment>>> {
    Ok(Json(moderation_queue(&state.db, q.status.as_deref().unwrap_or("pending")).await?))
}

/// Approves or rejects a comment; the optional body gives the reason (kept in its history).
#[utoipa::path(post, path = "/api/v1/admin/comments/{id}/{action}", tag = "moderation",
    params(("id" = i64, Path), ("action" = String, Path, description = "approve or reject")), security(("admin_token" = [])),
    request_body(content = Option<news_widget_api::admin::DecisionInput>, description = "optional; an empty body is no reason"),
    responses((status = 204, description = "done"), (status = 401, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "the comment was deleted", body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn admin_action(
    Moderator(who): Moderator,
    State(state): State<AppState>,
    ApiPath((id, action)): ApiPath<(i64, String)>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    if !matches!(action.as_str(), "approve" | "reject") {
        return Err(ApiError::not_found(format!("no action {action}")));
    }
    let reason = crate::console::decision_reason(&body)?;
    let slug = moderate(&state.db, comment_id(id)?, &action, &who.actor(), reason.as_deref()).await?;
    state.changed(&slug);
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a comment (admin token); one with replies keeps its place, empty.
#[utoipa::path(delete, path = "/api/v1/admin/comments/{id}", tag = "moderation", params(("id" = i64, Path)),
    security(("admin_token" = [])),
    responses((status = 204, description = "deleted"), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn admin_delete(
    Moderator(who): Moderator,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    let slug = moderate(&state.db, comment_id(id)?, "delete", &who.actor(), None).await?;
    state.changed(&slug);
    Ok(StatusCode::NO_CONTENT)
}
