//! Moderation rules, one place for each: links, hold and block words, new commenters, bans and
//! suspensions, and closed threads. [`decide`] is what the comment handler asks about a new
//! comment; [`is_closed`] is what the thread, the widget and the post routes ask about an article;
//! the admin routes here edit the rules (`/admin/rules`), the bans (`/admin/bans`) and the
//! closing of an article (`/admin/articles/{slug}/comments`).
//!
//! Every decision is a reason stored with the comment (`held_reason`): `links:N`,
//! `hold_word:W`, `new_commenter` (held, pending), or `block_word:W`, `banned`, `suspended`
//! (rejected, but answered to its author exactly as a pending comment: see [`looks_pending`]).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use news_widget_api::{parse_email, Problem, Slug, Timestamp};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

use crate::admin::Admin;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiPath;
use crate::json::ApiJson;
use crate::{db, routes, AppState};

use news_widget_api::admin::words;
pub use news_widget_api::admin::Rules;

/// The first entry of `list` found as whole words in `fields` (case-insensitive; a phrase
/// matches its words in a row, whatever separates them).
fn find_word<'a>(list: &'a [String], fields: &[&str]) -> Option<&'a str> {
    let haystacks: Vec<String> = fields.iter().map(|f| format!(" {} ", words(f))).collect();
    list.iter().find(|w| haystacks.iter().any(|h| h.contains(&format!(" {w} ")))).map(String::as_str)
}

/// The http(s) links of a body: each `http://` or `https://`, whatever the case.
pub fn link_count(body: &str) -> usize {
    let lower = body.to_lowercase();
    lower.matches("http://").count() + lower.matches("https://").count()
}

/// The rules in force: the saved ones, else the server's defaults.
pub async fn load(conn: &mut AnyConnection, defaults: &Rules) -> sqlx::Result<Rules> {
    let saved: Option<(String,)> =
        sqlx::query_as("SELECT data FROM moderation_rules WHERE id = 1").fetch_optional(&mut *conn).await?;
    Ok(saved.and_then(|(data,)| serde_json::from_str(&data).ok()).unwrap_or_else(|| defaults.clone()))
}

/// What the rules make of a new comment.
#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
    /// No rule objects (other checks, the time trap and pre-moderation, may still hold it).
    Publish,
    /// Pending, for these reasons.
    Hold(Vec<String>),
    /// Stored as rejected (its author is answered as if pending), for this reason.
    Reject(String),
}

/// A new comment, as the rules read it.
pub struct Candidate<'a> {
    pub author_name: &'a str,
    pub author_email: &'a str,
    pub author_url: Option<&'a str>,
    pub body: &'a str,
    /// The keyed hash of the email (`comments.avatar`).
    pub person: &'a str,
}

/// Applies the rules to `c`, in order: a ban or a suspension, block words (both reject), then
/// hold words, links and new commenters (each adds its reason to the hold).
pub async fn decide(conn: &mut AnyConnection, rules: &Rules, c: &Candidate<'_>) -> sqlx::Result<Decision> {
    let ban: Option<(Option<String>,)> = sqlx::query_as(
        "SELECT until FROM bans WHERE person_hash = $1 AND (until IS NULL OR until > strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
    )
    .bind(c.person)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some((until,)) = ban {
        return Ok(Decision::Reject(if until.is_some() { "suspended" } else { "banned" }.to_owned()));
    }
    let fields = [c.body, c.author_name, c.author_url.unwrap_or_default(), c.author_email];
    if let Some(word) = find_word(&rules.block_words, &fields) {
        return Ok(Decision::Reject(format!("block_word:{word}")));
    }
    let mut held = Vec::new();
    if let Some(word) = find_word(&rules.hold_words, &fields) {
        held.push(format!("hold_word:{word}"));
    }
    let links = link_count(c.body);
    if rules.link_limit > 0 && links >= rules.link_limit as usize {
        held.push(format!("links:{links}"));
    }
    if rules.trusted_after > 0 {
        let (approved,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM comments WHERE avatar = $1 AND status = 'approved'")
                .bind(c.person)
                .fetch_one(&mut *conn)
                .await?;
        if approved < i64::from(rules.trusted_after) {
            held.push("new_commenter".to_owned());
        }
    }
    Ok(if held.is_empty() { Decision::Publish } else { Decision::Hold(held) })
}

/// Whether a comment stored with `held_reason` is answered to its author as pending although it
/// is rejected: a bot's honeypot post, a blocked word, a banned or suspended person.
pub fn looks_pending(held_reason: Option<&str>) -> bool {
    held_reason.is_some_and(|r| r == "honeypot" || r == "banned" || r == "suspended" || r.starts_with("block_word:"))
}

/// Whether comments on `slug` are closed: an admin's close or reopen, else the automatic close
/// `close_after_days` after the article's `published_at`. `None`: no such article.
pub async fn closed(conn: &mut AnyConnection, slug: &Slug, rules: &Rules) -> sqlx::Result<Option<bool>> {
    let found: Option<(i64,)> = sqlx::query_as(
        "SELECT CASE WHEN COALESCE(
             (SELECT closed = 1 FROM article_comments WHERE article_slug = a.slug),
             $2 IS NOT NULL AND julianday('now') - julianday(json_extract(a.data, '$.published_at')) >= $2)
         THEN 1 ELSE 0 END
         FROM articles a WHERE a.slug = $1",
    )
    .bind(slug.as_str())
    .bind(rules.close_after_days.map(i64::from))
    .fetch_optional(&mut *conn)
    .await?;
    Ok(found.map(|(closed,)| closed == 1))
}

/// [`closed`] under the rules in force; an unknown article is not closed (its 404 comes from
/// elsewhere).
pub async fn is_closed(conn: &mut AnyConnection, state: &AppState, slug: &Slug) -> sqlx::Result<bool> {
    let rules = load(conn, &state.rules).await?;
    Ok(closed(conn, slug, &rules).await?.unwrap_or(false))
}

/// The refusal of a post to a closed thread.
pub fn closed_error() -> ApiError {
    ApiError::from(Problem::new(403, "Comments closed", "comments are closed on this article"))
}

/// The moderation rules in force (admin token).
#[utoipa::path(get, path = "/api/v1/admin/rules", tag = "moderation", security(("admin_token" = [])),
    responses((status = 200, body = Rules), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn get_rules(_admin: Admin, State(state): State<AppState>) -> ApiResult<Json<Rules>> {
    Ok(Json(load(&mut *state.db.acquire().await?, &state.rules).await?))
}

/// Replaces the moderation rules (admin token); bad fields → 422 naming each.
#[utoipa::path(put, path = "/api/v1/admin/rules", tag = "moderation", request_body = Rules, security(("admin_token" = [])),
    responses((status = 200, body = Rules), (status = 401, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn put_rules(
    _admin: Admin,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<Rules>,
) -> ApiResult<Json<Rules>> {
    let rules = input.check().map_err(ApiError::invalid)?;
    let data = serde_json::to_string(&rules).map_err(ApiError::internal)?;
    sqlx::query(
        "INSERT INTO moderation_rules (id, data) VALUES (1, $1)
         ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
    )
    .bind(data)
    .execute(&state.db)
    .await?;
    // `close_after_days` may close or reopen any thread.
    state.changed_everywhere();
    Ok(Json(rules))
}

/// Whom a ban names: an email (in the body, never a URL), or the author of a comment.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BanInput {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub comment_id: Option<i64>,
    /// Suspended until then (RFC 3339); absent or null: banned.
    #[serde(default)]
    pub until: Option<String>,
    /// The moderator's note.
    #[serde(default)]
    pub reason: Option<String>,
}

/// A ban or a suspension, as the admin routes answer it: the person only as their keyed hash.
#[derive(Serialize, Deserialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Ban {
    pub person: String,
    /// UTC; absent: banned for good.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub created_at: String,
}

/// The keyed hash of the person a ban body names.
async fn person(state: &AppState, input: &BanInput) -> ApiResult<String> {
    match (&input.email, input.comment_id) {
        (Some(email), None) => {
            let email = parse_email(email).map_err(|e| ApiError::field("email", e.to_string()))?;
            Ok(state.secrets.avatar(&email))
        }
        (None, Some(id)) => {
            let found: Option<(String,)> = sqlx::query_as("SELECT avatar FROM comments WHERE id = $1 AND avatar <> ''")
                .bind(id)
                .fetch_optional(&state.db)
                .await?;
            found.map(|(a,)| a).ok_or_else(|| ApiError::field("comment_id", "names no comment with an author"))
        }
        _ => Err(ApiError::field("email", "give an email or a comment_id, not both")),
    }
}

/// Bans (no `until`) or suspends (until a time) a person (admin token): their comments are then
/// stored as rejected, and answered to them as pending.
#[utoipa::path(post, path = "/api/v1/admin/bans", tag = "moderation", request_body = BanInput, security(("admin_token" = [])),
    responses((status = 201, body = Ban), (status = 401, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn post_ban(
    Admin(who): Admin,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<BanInput>,
) -> ApiResult<Response> {
    let until = match input.until.as_deref() {
        None => None,
        Some(raw) => {
            let at = Timestamp::parse(raw).map_err(|e| ApiError::field("until", e.to_string()))?;
            Some(at)
        }
    };
    let reason = match input.reason.as_deref() {
        None | Some("") => None,
        Some(r) => Some(news_widget_api::line_text(r, 1, 500).map_err(|e| ApiError::field("reason", e.to_string()))?),
    };
    let person = person(&state, &input).await?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    let ban = set_ban(&mut tx, &person, until.as_ref(), reason.as_deref(), &who.actor()).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(ban)).into_response())
}

/// Bans (no `until`) or suspends `person`, replacing any ban they had, and records it (`ban` or
/// `suspend`) in the decisions log as `actor`'s.
pub async fn set_ban(
    conn: &mut AnyConnection,
    person: &str,
    until: Option<&Timestamp>,
    reason: Option<&str>,
    actor: &str,
) -> sqlx::Result<Ban> {
    let ban: Ban = sqlx::query_as(
        "INSERT INTO bans (person_hash, until, reason) VALUES ($1, strftime('%Y-%m-%dT%H:%M:%fZ', $2), $3)
         ON CONFLICT (person_hash) DO UPDATE SET until = excluded.until, reason = excluded.reason,
             created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         RETURNING person_hash AS person, until, reason, created_at",
    )
    .bind(person)
    .bind(until.map(|t| t.as_str()))
    .bind(reason)
    .fetch_one(&mut *conn)
    .await?;
    let action = if until.is_some() { "suspend" } else { "ban" };
    let entry = crate::audit::Entry { actor, action, reason, person: Some(person), ..Default::default() };
    crate::audit::record(conn, entry).await?;
    Ok(ban)
}

/// Lifts `person`'s ban or suspension, recorded as `unban`; false if they had none.
pub async fn lift_ban(conn: &mut AnyConnection, person: &str, actor: &str) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM bans WHERE person_hash = $1").bind(person).execute(&mut *conn).await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    let entry = crate::audit::Entry { actor, action: "unban", person: Some(person), ..Default::default() };
    crate::audit::record(conn, entry).await?;
    Ok(true)
}

/// The ban or suspension in force on `person`, if any.
pub async fn ban_of(conn: &mut AnyConnection, person: &str) -> sqlx::Result<Option<Ban>> {
    sqlx::query_as(
        "SELECT person_hash AS person, until, reason, created_at FROM bans
         WHERE person_hash = $1 AND (until IS NULL OR until > strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
    )
    .bind(person)
    .fetch_optional(conn)
    .await
}

/// Lifts a ban or a suspension (admin token); the body names the person as `POST` does.
#[utoipa::path(delete, path = "/api/v1/admin/bans", tag = "moderation", request_body = BanInput, security(("admin_token" = [])),
    responses((status = 204, description = "lifted"), (status = 401, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_ban(
    Admin(who): Admin,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<BanInput>,
) -> ApiResult<StatusCode> {
    let person = person(&state, &input).await?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    let lifted = lift_ban(&mut tx, &person, &who.actor()).await?;
    tx.commit().await?;
    if !lifted {
        return Err(ApiError::not_found("this person is neither banned nor suspended"));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The bans and suspensions (admin token), newest first.
#[utoipa::path(get, path = "/api/v1/admin/bans", tag = "moderation", security(("admin_token" = [])),
    responses((status = 200, body = Vec<Ban>), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn list_bans(_admin: Admin, State(state): State<AppState>) -> ApiResult<Json<Vec<Ban>>> {
    let bans: Vec<Ban> = sqlx::query_as(
        "SELECT person_hash AS person, until, reason, created_at FROM bans ORDER BY created_at DESC LIMIT 1000",
    )
    .fetch_all(&state.db)
    .await?;
    Ok(Json(bans))
}

/// Whether an article's comments are closed.
#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleComments {
    pub closed: bool,
}

/// Closes or reopens the comments of an article (admin token); this wins over the automatic
/// close. The thread stays readable.
#[utoipa::path(put, path = "/api/v1/admin/articles/{slug}/comments", tag = "moderation",
    params(("slug" = String, Path, description = "the article's slug")), request_body = ArticleComments,
    security(("admin_token" = [])),
    responses((status = 200, body = ArticleComments), (status = 401, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn put_article_comments(
    Admin(who): Admin,
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
    ApiJson(input): ApiJson<ArticleComments>,
) -> ApiResult<Json<ArticleComments>> {
    let slug = routes::slug(&raw)?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    db::require_article(&mut tx, &slug).await?;
    sqlx::query(
        "INSERT INTO article_comments (article_slug, closed) VALUES ($1, $2)
         ON CONFLICT (article_slug) DO UPDATE SET closed = excluded.closed,
             updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
    )
    .bind(slug.as_str())
    .bind(i64::from(input.closed))
    .execute(&mut *tx)
    .await?;
    let action = if input.closed { "close" } else { "reopen" };
    let actor = who.actor();
    let entry = crate::audit::Entry { actor: &actor, action, article_slug: Some(slug.as_str()), ..Default::default() };
    crate::audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    state.changed(slug.as_str());
    Ok(Json(input))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_match_whole_and_case_insensitively() {
        let list = vec!["casino".to_owned(), "cheap pills".to_owned()];
        assert_eq!(find_word(&list, &["Best CASINO in town"]), Some("casino"));
        assert_eq!(find_word(&list, &["me@casino.example"]), Some("casino"));
        assert_eq!(find_word(&list, &["Cheap-Pills here"]), Some("cheap pills"));
        assert_eq!(find_word(&list, &["casinos and occasional cheap things"]), None);
    }

    #[test]
    fn links_are_counted_and_rules_checked() {
        assert_eq!(link_count("see HTTPS://a.example and http://b.example, not ftp://c"), 2);
        let bad = Rules { close_after_days: Some(0), hold_words: vec!["!!".into()], ..Rules::default() };
        let fields: Vec<String> = bad.check().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["close_after_days", "hold_words[0]"]);
        let ok = Rules { block_words: vec![" Spam ".into(), "spam".into()], ..Rules::default() }.check().unwrap();
        assert_eq!(ok.block_words, ["spam"]);
    }
}
