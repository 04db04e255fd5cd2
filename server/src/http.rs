//! What wraps every route: limits, timeouts, load shedding, panics caught, the access log, and
//! the rule that every refusal is a problem document, whoever produced it.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use news_widget_api::{Problem, PROBLEM_CONTENT_TYPE};

use crate::error::ApiError;

/// How long a request may take before it is answered 503.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// The largest body any route reads unless its own limit says otherwise.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// An answer to a panic in a handler: 500 problem+json; the process lives on.
pub fn panic_answer(err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = err
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| err.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    tracing::error!(panic = %what, "a handler panicked");
    ApiError::from(Problem::new(500, "Internal server error", "the server failed; the error is in its log"))
        .into_response()
}

/// Errors of the layers (a timeout, an overload) as problem documents.
pub async fn layer_error(err: tower::BoxError) -> Response {
    if err.is::<tower::timeout::error::Elapsed>() {
        return ApiError {
            problem: Problem::new(503, "Timed out", "the server took too long to answer; try again"),
            retry_after: Some(1),
        }
        .into_response();
    }
    if err.is::<tower::load_shed::error::Overloaded>() {
        return ApiError {
            problem: Problem::new(503, "Overloaded", "the server is busy; try again in a moment"),
            retry_after: Some(1),
        }
        .into_response();
    }
    ApiError::internal(err).into_response()
}

fn title(status: StatusCode) -> String {
    status.canonical_reason().unwrap_or("Error").to_owned()
}

/// Turns any error answer that is not a problem document yet (axum's own rejections, 404s of
/// static files, 413 from the body limit, …) into one, keeping its status and headers.
///
/// One exception: an error answer that is `text/html` goes through as it is. Only pages this
/// server writes on purpose are (the no-JavaScript form's 404, 422 and 429 pages, which show
/// the reader's text and the errors to a browser that cannot read a problem); nothing else in
/// the stack answers HTML errors.
pub async fn problems_everywhere(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let content_type = response.headers().get(header::CONTENT_TYPE).map(|v| v.as_bytes()).unwrap_or_default();
    let is_problem = content_type.starts_with(PROBLEM_CONTENT_TYPE.as_bytes());
    let is_page = content_type.starts_with(b"text/html");
    if !(status.is_client_error() || status.is_server_error()) || is_problem || is_page {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text =
        axum::body::to_bytes(body, 4096).await.map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
    let detail = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "the body is larger than this route accepts".to_owned(),
        StatusCode::NOT_FOUND if text.trim().is_empty() => "nothing is at this address".to_owned(),
        _ if text.trim().is_empty() => title(status),
        _ => text.trim().to_owned(),
    };
    let problem = Problem::new(status.as_u16(), title(status), detail);
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_CONTENT_TYPE));
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_ENCODING);
    Response::from_parts(parts, Body::from(body))
}

/// One line per request at `info`: method, route (the pattern, never the ids or the query), status
/// and latency. Never an email, a token or a client address.
pub async fn access_log(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_else(|| {
        if request.uri().path().starts_with("/api/") { "(unknown api route)" } else { "(static)" }.to_owned()
    });
    let response = next.run(request).await;
    tracing::info!(
        target: "access",
        %method,
        route,
        status = response.status().as_u16(),
        latency_ms = started.elapsed().as_secs_f64() * 1000.0,
    );
    response
}
