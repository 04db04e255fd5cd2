//! The HTTP API.

use crate::admin::Admin;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiPath;
use crate::json::ApiJson;
use crate::{db, AppState};
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use news_widget_api::{Article, ArticleInput, Problem, Slug};
use serde::Serialize;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    status: &'static str,
}

/// Liveness and database check.
#[utoipa::path(get, path = "/api/v1/health", tag = "meta",
    responses((status = 200, body = Health), (status = 503, body = Problem, content_type = "application/problem+json")))]
pub async fn health(State(state): State<AppState>) -> ApiResult<Json<Health>> {
    sqlx::query("SELECT 1").execute(&state.db).await.map_err(|e| {
        tracing::error!(error = %e, "health check: database unreachable");
        ApiError::from(Problem::new(503, "Unavailable", "the database does not answer"))
    })?;
    Ok(Json(Health { status: "ok" }))
}

/// Parses a slug from the path; a malformed one cannot name an article, so it is a 404.
pub fn slug(raw: &str) -> ApiResult<Slug> {
    Slug::parse(raw).map_err(|e| ApiError::not_found(format!("no article has the slug {raw:?}: a slug {e}")))
}

/// One article.
#[utoipa::path(get, path = "/api/v1/articles/{slug}", tag = "articles",
    params(("slug" = String, Path, description = "the article's slug")),
    responses((status = 200, body = Article),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_article(State(state): State<AppState>, ApiPath(raw): ApiPath<String>) -> ApiResult<Response> {
    let slug = slug(&raw)?;
    let article =
        db::article(&state.db, &slug).await?.ok_or_else(|| ApiError::not_found(format!("no article {slug}")))?;
    let mut response = Json(article).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=60"));
    Ok(response)
}

/// Creates or replaces an article (admin). The body HTML is sanitized before it is stored.
#[utoipa::path(put, path = "/api/v1/articles/{slug}", tag = "articles",
    params(("slug" = String, Path, description = "the article's slug")),
    request_body = ArticleInput,
    security(("admin_token" = [])),
    responses((status = 200, description = "replaced", body = Article),
              (status = 201, description = "created", body = Article),
              (status = 401, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn put_article(
    _admin: Admin,
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
    ApiJson(input): ApiJson<ArticleInput>,
) -> ApiResult<Response> {
    let slug = Slug::parse(&raw).map_err(|e| ApiError::field("slug", e.to_string()))?;
    let article = db::prepare(slug, input).map_err(ApiError::invalid)?;
    let created = db::put_article(&state.db, &article).await?;
    state.changed(article.slug.as_str());
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(article)).into_response())
}

pub async fn api_not_found() -> ApiError {
    ApiError::not_found("no such API route; see /api/v1/openapi.json")
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::from(Problem::new(405, "Method not allowed", "see /api/v1/openapi.json for the methods of this route"))
}

/// The demo page's own images, built into the binary so the demo needs no other host.
pub async fn media(ApiPath(file): ApiPath<String>) -> ApiResult<Response> {
    let (bytes, mime): (&'static [u8], _) = match file.as_str() {
        "chine-kazakhstan.svg" => (include_bytes!("../media/chine-kazakhstan.svg"), "image/svg+xml"),
        _ => return Err(ApiError::not_found(format!("no media {file:?}"))),
    };
    Ok((
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "public, max-age=86400"),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'"),
        ],
        bytes,
    )
        .into_response())
}
