//! Path and query extractors whose rejections are problem documents naming what is wrong,
//! like [`ApiJson`](crate::json::ApiJson) for bodies.

use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use news_widget_api::Problem;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// `axum::extract::Path`, refusing with 404 problem+json (a path that does not parse names no resource).
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(t)| Self(t))
            .map_err(|e: PathRejection| ApiError::not_found(format!("no such resource: {}", e.body_text())))
    }
}

/// `axum::extract::Query`, refusing with 422 problem+json naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Query::<T>::from_request_parts(parts, state).await.map(|Query(t)| Self(t)).map_err(|e: QueryRejection| {
            ApiError::field(
                "query",
                e.body_text().trim_start_matches("Failed to deserialize query string: ").to_owned(),
            )
        })
    }
}

/// A form body (`application/x-www-form-urlencoded`, what a browser's `<form method=post>`
/// sends), parsed with `serde_urlencoded`. Any other content type answers 415, a body over the
/// route's limit 413, and a body that does not fit `T` 422 naming the field.
pub struct ApiForm<T>(pub T);

pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiForm<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| mime.trim().eq_ignore_ascii_case(FORM_CONTENT_TYPE));
        if !is_form {
            return Err(ApiError::from(Problem::new(
                415,
                "Unsupported media type",
                format!("send the form as Content-Type: {FORM_CONTENT_TYPE}"),
            )));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::from(Problem::new(413, "Payload too large", "the body is larger than this route accepts"))
            } else {
                ApiError::bad_request(format!("the body could not be read: {e}"))
            }
        })?;
        serde_urlencoded::from_bytes(&bytes).map(ApiForm).map_err(|err| {
            // serde names the field in its message ("missing field `body`"); keep it.
            let message = err.to_string();
            let field = message.split('`').nth(1).unwrap_or("form").to_owned();
            ApiError::field(&field, message)
        })
    }
}
