//! Path and query extractors whose rejections are problem documents naming what is wrong,
//! like [`ApiJson`](crate::json::ApiJson) for bodies.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
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
