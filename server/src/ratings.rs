//! Reader ratings: one vote per (article, reader token), a daily cap of new voters per IP.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use news_widget_api::{Problem, RatingInput, RatingSummary, ReaderToken, Slug, Stars, READER_TOKEN_HEADER};
use sqlx::AnyConnection;

use crate::error::{ApiError, ApiResult};
use crate::extract::ApiPath;
use crate::json::ApiJson;
use crate::{client, db, routes, secrets, AppState};

/// The reader token of a request, if it has a well-formed one.
fn reader_token(headers: &HeaderMap) -> Option<ReaderToken> {
    headers.get(READER_TOKEN_HEADER).and_then(|v| v.to_str().ok()).and_then(|v| ReaderToken::parse(v).ok())
}

pub(crate) async fn summary(
    conn: &mut AnyConnection,
    slug: &Slug,
    reader: Option<&str>,
) -> sqlx::Result<RatingSummary> {
    let rows: Vec<(i64, i64)> =
        sqlx::query_as("SELECT stars, COUNT(*) FROM ratings WHERE article_slug = $1 GROUP BY stars")
            .bind(slug.as_str())
            .fetch_all(&mut *conn)
            .await?;
    let mut histogram = [0u64; 5];
    for (stars, count) in rows {
        if let Some(slot) = usize::try_from(stars - 1).ok().and_then(|i| histogram.get_mut(i)) {
            *slot = count.unsigned_abs();
        }
    }
    let yours = match reader {
        Some(hash) => {
            sqlx::query_as::<_, (i64,)>("SELECT stars FROM ratings WHERE article_slug = $1 AND reader_hash = $2")
                .bind(slug.as_str())
                .bind(hash)
                .fetch_optional(&mut *conn)
                .await?
        }
        None => None,
    };
    let your_stars = yours.and_then(|(s,)| u8::try_from(s).ok()).and_then(|s| Stars::new(s).ok());
    Ok(RatingSummary::from_histogram(histogram, your_stars))
}

/// Answers vary with the reader token, so caches must not share them.
fn private(summary: RatingSummary) -> Response {
    let mut response = Json(summary).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    headers.insert(header::VARY, HeaderValue::from_static(READER_TOKEN_HEADER));
    response
}

/// An article's reader rating; `your_stars` when the reader token has voted.
#[utoipa::path(get, path = "/api/v1/articles/{slug}/rating", tag = "ratings",
    params(("slug" = String, Path, description = "the article's slug"),
           ("X-Reader-Token" = Option<String>, Header, description = "the reader's random token")),
    responses((status = 200, body = RatingSummary),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_rating(
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let slug = routes::slug(&raw)?;
    let reader = reader_token(&headers).map(|t| state.secrets.reader_hash(t.as_str()));
    let mut conn = state.db.acquire().await?;
    db::require_article(&mut conn, &slug).await?;
    Ok(private(summary(&mut conn, &slug, reader.as_deref()).await?))
}

/// Casts or changes the reader's vote. A reader's second vote replaces the first.
#[utoipa::path(put, path = "/api/v1/articles/{slug}/rating", tag = "ratings",
    params(("slug" = String, Path, description = "the article's slug"),
           ("X-Reader-Token" = String, Header, description = "the reader's random token (16–64 letters, digits, hyphens)")),
    request_body = RatingInput,
    responses((status = 200, body = RatingSummary),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json"),
              (status = 429, description = "too many new voters from this address today", body = Problem,
               content_type = "application/problem+json")))]
pub async fn put_rating(
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<RatingInput>,
) -> ApiResult<Response> {
    let slug = routes::slug(&raw)?;
    let Some(token) = reader_token(&headers) else {
        return Err(ApiError::field("X-Reader-Token", "send the reader's token (16 to 64 letters, digits or hyphens)"));
    };
    let reader = state.secrets.reader_hash(token.as_str());
    let (day, until_tomorrow) = secrets::today();
    let ip_hash = state
        .secrets
        .ip_hash(&state.db, day, client::rate_key(client::client_ip(&state.proxies, peer, &headers)))
        .await
        .map_err(ApiError::internal)?;
    let stars = i64::from(input.stars.get());

    // IMMEDIATE: take the write lock up front, so concurrent votes queue instead of failing.
    let mut tx = crate::db::begin_write(&state.db).await?;
    db::require_article(&mut tx, &slug).await?;
    let changed = sqlx::query(
        "UPDATE ratings SET stars = $1, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         WHERE article_slug = $2 AND reader_hash = $3",
    )
    .bind(stars)
    .bind(slug.as_str())
    .bind(&reader)
    .execute(&mut *tx)
    .await?;
    if changed.rows_affected() == 0 {
        let (voters,): (i64,) = sqlx::query_as(
            "SELECT COALESCE((SELECT voters FROM rating_new_voters WHERE article_slug = $1 AND day = $2 AND ip_hash = $3), 0)",
        )
        .bind(slug.as_str())
        .bind(day)
        .bind(&ip_hash)
        .fetch_one(&mut *tx)
        .await?;
        if voters >= i64::from(state.max_new_voters_per_ip) {
            return Err(ApiError::too_many(
                format!(
                    "At most {} new readers a day may rate this article from one network address. Try again tomorrow.",
                    state.max_new_voters_per_ip
                ),
                until_tomorrow,
            ));
        }
        sqlx::query(
            "INSERT INTO rating_new_voters (article_slug, day, ip_hash, voters) VALUES ($1, $2, $3, 1)
             ON CONFLICT (article_slug, day, ip_hash) DO UPDATE SET voters = rating_new_voters.voters + 1",
        )
        .bind(slug.as_str())
        .bind(day)
        .bind(&ip_hash)
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO ratings (article_slug, reader_hash, stars) VALUES ($1, $2, $3)")
            .bind(slug.as_str())
            .bind(&reader)
            .bind(stars)
            .execute(&mut *tx)
            .await?;
    }
    let summary = summary(&mut tx, &slug, Some(&reader)).await?;
    let everyone = RatingSummary { your_stars: None, ..summary.clone() };
    crate::events::record(&mut tx, slug.as_str(), &news_widget_api::events::ArticleEvent::Rating { rating: everyone })
        .await?;
    tx.commit().await?;
    // The widget fragment shows the rating (the comment pages do not).
    state.changed(slug.as_str());
    Ok(private(summary))
}
