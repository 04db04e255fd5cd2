//! Every error answer is an RFC 9457 problem document.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use news_widget_api::{FieldError, Problem, PROBLEM_CONTENT_TYPE};

/// An error a handler answers with. Internal errors are logged and answered without details.
#[derive(Debug)]
pub struct ApiError(pub Problem);

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self(Problem::new(404, "Not found", detail))
    }

    pub fn unauthorized() -> Self {
        Self(Problem::new(401, "Unauthorized", "send the admin token as `Authorization: Bearer <token>`"))
    }

    pub fn admin_disabled() -> Self {
        Self(Problem::new(403, "Admin routes are disabled", "start the server with --admin-token to enable them"))
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self(Problem::new(400, "Bad request", detail))
    }

    pub fn invalid(errors: Vec<FieldError>) -> Self {
        Self(Problem::invalid(errors))
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::invalid(vec![FieldError::new(field, message)])
    }

    pub fn internal(err: impl std::fmt::Display) -> Self {
        tracing::error!(error = %err, "internal error");
        Self(Problem::new(500, "Internal server error", "the server failed; the error is in its log"))
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        Self::internal(err)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self.0).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_CONTENT_TYPE));
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
