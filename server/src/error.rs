//! Every error answer is an RFC 9457 problem document.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use news_widget_api::{FieldError, Problem, PROBLEM_CONTENT_TYPE};

/// An error a handler answers with. Internal errors are logged and answered without details.
#[derive(Debug)]
pub struct ApiError {
    pub problem: Problem,
    /// Seconds, sent as `Retry-After` (429, 503).
    pub retry_after: Option<u64>,
}

impl From<Problem> for ApiError {
    fn from(problem: Problem) -> Self {
        Self { problem, retry_after: None }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::from(Problem::new(404, "Not found", detail))
    }

    pub fn unauthorized() -> Self {
        Self::from(Problem::new(
            401,
            "Unauthorized",
            "sign in (POST /api/v1/admin/session) or send the admin token as `Authorization: Bearer <token>`",
        ))
    }

    /// 401: the session cookie names no live session (expired, signed out, or account disabled).
    pub fn session_over() -> Self {
        Self::from(Problem::new(401, "Unauthorized", "the session is over; sign in again (POST /api/v1/admin/session)"))
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::from(Problem::new(403, "Forbidden", detail))
    }

    pub fn admin_disabled() -> Self {
        Self::from(Problem::new(
            403,
            "Admin routes are disabled",
            "no admin token is configured (--admin-token-file); sign in with an account instead",
        ))
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::from(Problem::new(400, "Bad request", detail))
    }

    pub fn invalid(errors: Vec<FieldError>) -> Self {
        Self::from(Problem::invalid(errors))
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::invalid(vec![FieldError::new(field, message)])
    }

    /// 429 with `Retry-After: seconds`.
    pub fn too_many(detail: impl Into<String>, seconds: u64) -> Self {
        Self { problem: Problem::new(429, "Too many requests", detail), retry_after: Some(seconds.max(1)) }
    }

    pub fn internal(err: impl std::fmt::Display) -> Self {
        tracing::error!(error = %err, "internal error");
        Self::from(Problem::new(500, "Internal server error", "the server failed; the error is in its log"))
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        Self::internal(err)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self.problem).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_CONTENT_TYPE));
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
