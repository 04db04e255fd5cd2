//! One person's data (GDPR art. 15 and 17): everything stored under an email address, and its
//! erasure. The admin API and `news-widget-server privacy export|erase --email …` share this.
//! The email travels in a POST body, never in a URL, so that no access log can hold it.

use axum::extract::State;
use axum::Json;
use news_widget_api::{parse_email, Problem};
use serde::{Deserialize, Serialize};

use crate::admin::Admin;
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::json::ApiJson;
use crate::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonRequest {
    pub email: String,
}

/// A comment as its author is entitled to see it: all that is stored, email included.
#[derive(Serialize, Deserialize, utoipa::ToSchema, Debug, PartialEq)]
pub struct StoredComment {
    pub id: i64,
    pub article_slug: String,
    pub parent_id: Option<i64>,
    pub author_name: String,
    pub author_email: String,
    pub author_url: Option<String>,
    pub body: String,
    pub pending_body: Option<String>,
    pub status: String,
    pub created_at: String,
    pub edited_at: Option<String>,
    pub reports: i64,
}

/// What is stored about one person. Ratings and reports are kept only under keyed hashes of
/// random reader tokens and of daily address keys, so they name no email and none is listed.
#[derive(Serialize, Deserialize, utoipa::ToSchema, Debug, PartialEq)]
pub struct PersonData {
    pub email: String,
    pub comments: Vec<StoredComment>,
}

fn email(raw: &str) -> ApiResult<String> {
    parse_email(raw).map_err(|e| ApiError::field("email", e.to_string()))
}

pub async fn export_for(db: &Db, raw_email: &str) -> ApiResult<PersonData> {
    let email = email(raw_email)?;
    let comments = sqlx::query_as::<_, (i64, String, Option<i64>, String, String, Option<String>, String, Option<String>, String, String, Option<String>, i64)>(
        "SELECT id, article_slug, parent_id, author_name, author_email, author_url, body, pending_body, status,
                created_at, edited_at, reports
         FROM comments WHERE author_email = $1 AND (held_reason IS NULL OR held_reason <> 'honeypot') ORDER BY created_at, id",
    )
    .bind(&email)
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|r| StoredComment {
        id: r.0,
        article_slug: r.1,
        parent_id: r.2,
        author_name: r.3,
        author_email: r.4,
        author_url: r.5,
        body: r.6,
        pending_body: r.7,
        status: r.8,
        created_at: r.9,
        edited_at: r.10,
        reports: r.11,
    })
    .collect();
    Ok(PersonData { email, comments })
}

/// Erases every comment of `email` as an author's own delete does; answers how many, and the
/// articles touched.
pub async fn erase_for(db: &Db, raw_email: &str) -> ApiResult<(usize, Vec<String>)> {
    let email = email(raw_email)?;
    let mut tx = crate::db::begin_write(db).await?;
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, article_slug FROM comments WHERE author_email = $1 ORDER BY id DESC")
            .bind(&email)
            .fetch_all(&mut *tx)
            .await?;
    // The person as the console knows them (their keyed hash), before their comments lose it.
    let people: Vec<(String,)> =
        sqlx::query_as("SELECT DISTINCT avatar FROM comments WHERE author_email = $1 AND avatar <> ''")
            .bind(&email)
            .fetch_all(&mut *tx)
            .await?;
    for (id, slug) in &rows {
        crate::comments::erase(&mut tx, *id, "erasure").await?;
        crate::events::record(&mut tx, slug, &news_widget_api::events::ArticleEvent::Removal { id: *id }).await?;
    }
    // Moderators' notes go; the decisions log keeps who decided what, no longer about whom. A ban
    // stays (keyed by the hash only), so that an erasure is no way around it.
    for (person,) in &people {
        sqlx::query("DELETE FROM person_notes WHERE person_hash = $1").bind(person).execute(&mut *tx).await?;
        sqlx::query("UPDATE decisions SET person_hash = NULL WHERE person_hash = $1")
            .bind(person)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    let count = rows.len();
    let mut slugs: Vec<String> = rows.into_iter().map(|(_, s)| s).collect();
    slugs.sort();
    slugs.dedup();
    Ok((count, slugs))
}

/// Everything stored about the person with this email (admin token).
#[utoipa::path(post, path = "/api/v1/admin/privacy/export", tag = "privacy", request_body = PersonRequest,
    security(("admin_token" = [])),
    responses((status = 200, body = PersonData), (status = 401, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn export(
    _admin: Admin,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<PersonRequest>,
) -> ApiResult<Json<PersonData>> {
    Ok(Json(export_for(&state.db, &input.email).await?))
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
pub struct Erased {
    /// Comments erased.
    pub comments: u64,
}

/// Erases the comments of the person with this email, for good (admin token).
#[utoipa::path(post, path = "/api/v1/admin/privacy/erase", tag = "privacy", request_body = PersonRequest,
    security(("admin_token" = [])),
    responses((status = 200, body = Erased), (status = 401, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn erase(
    _admin: Admin,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<PersonRequest>,
) -> ApiResult<Json<Erased>> {
    let (count, slugs) = erase_for(&state.db, &input.email).await?;
    for slug in &slugs {
        state.changed(slug);
    }
    Ok(Json(Erased { comments: u64::try_from(count).unwrap_or_default() }))
}
