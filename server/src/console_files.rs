//! The moderators' console at `/admin/`: the built Yew app (`cargo xtask console` builds it into
//! target/console/dist; `--console-dir` says where else). Its index.html is never cached and
//! goes out under a policy that runs scripts and wasm from this server only; the other files are
//! revalidated each time (their names are stable). `/admin/setup` (the one-time setup link's
//! page, the console chooses it from the path) is the same index.html. Without a built console,
//! `/admin/` says how to build one (503).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use tower::ServiceExt as _;
use tower_http::services::ServeDir;

/// Where `cargo xtask console` builds the console, relative to the repository (the server's
/// working directory under `cargo xtask serve`).
pub const DEFAULT_DIR: &str = "target/console/dist";

/// Scripts and wasm from this server only, no inline script, no frame around it.
pub const CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
     connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The routes of `/admin` and everything under it, on `dir`.
pub fn routes<S: Clone + Send + Sync + 'static>(dir: Option<PathBuf>) -> Router<S> {
    let dir = Arc::new(dir);
    let serve = move |request: Request| {
        let dir = dir.clone();
        async move { answer(dir.as_deref(), request).await }
    };
    Router::new()
        .route("/admin", get(|| async { Redirect::permanent("/admin/") }))
        .route("/admin/", get(serve.clone()))
        .route("/admin/{*path}", get(serve))
}

async fn answer(dir: Option<&Path>, request: Request) -> Response {
    let Some(dir) = dir.filter(|d| d.join("index.html").is_file()) else {
        return unavailable(dir);
    };
    let path = request.uri().path().strip_prefix("/admin").unwrap_or("/").to_owned();
    // The console's own pages: `/admin/setup?token=…` is the one-time setup link's.
    if path == "/" || path == "/index.html" || path == "/setup" {
        return index(dir).await;
    }
    let Ok(inner) = Request::builder().method(Method::GET).uri(path).body(Body::empty()) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let mut inner = inner;
    // Conditional requests (If-Modified-Since) make the revalidation cheap.
    for name in [header::IF_MODIFIED_SINCE, header::IF_NONE_MATCH, header::ACCEPT_ENCODING, header::RANGE] {
        if let Some(value) = request.headers().get(&name) {
            inner.headers_mut().insert(name, value.clone());
        }
    }
    let mut response = match ServeDir::new(dir).oneshot(inner).await {
        Ok(response) => response.into_response(),
        Err(never) => match never {},
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

async fn index(dir: &Path) -> Response {
    let Ok(html) = tokio::fs::read(dir.join("index.html")).await else {
        return unavailable(Some(dir));
    };
    page(StatusCode::OK, html)
}

fn page(status: StatusCode, html: Vec<u8>) -> Response {
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

/// The 503 page of a server without a built console.
fn unavailable(dir: Option<&Path>) -> Response {
    let looked = dir.map(|d| d.display().to_string()).unwrap_or_else(|| "(no --console-dir)".into());
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>The console is not built</title></head>\n<body><main><h1>The console is not built</h1>\
         <p>To build the console: <code>cargo xtask console</code> (it builds into {DEFAULT_DIR}), then \
         reload this page. Or start the server with <code>--console-dir</code> naming a built console.</p>\
         <p>Looked in: <code>{}</code></p></main></body></html>\n",
        crate::page::escape(&looked)
    );
    let mut response = page(StatusCode::SERVICE_UNAVAILABLE, html.into_bytes());
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(app: Router, uri: &str) -> Response {
        app.oneshot(Request::builder().uri(uri).body(Body::empty()).unwrap()).await.unwrap()
    }

    #[tokio::test]
    async fn serves_the_console_or_says_how_to_build_it() {
        let missing = get(routes(Some(PathBuf::from("/nonexistent/console"))), "/admin/").await;
        assert_eq!(missing.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body = axum::body::to_bytes(missing.into_body(), 10_000).await.unwrap();
        assert!(String::from_utf8_lossy(&body).contains("cargo xtask console"));

        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().to_path_buf();
        std::fs::write(dir.join("index.html"), "<!doctype html><title>console</title>").unwrap();
        std::fs::write(dir.join("init.js"), "export {};").unwrap();
        let app = routes::<()>(Some(dir.clone()));
        let index = get(app.clone(), "/admin/").await;
        assert_eq!(index.status(), StatusCode::OK);
        assert_eq!(index.headers()[header::CACHE_CONTROL], "no-store");
        assert_eq!(index.headers()[header::CONTENT_SECURITY_POLICY], CSP);
        // The setup link's page is the console too, with the same headers; only that path.
        let setup = get(app.clone(), "/admin/setup?token=abc").await;
        assert_eq!(setup.status(), StatusCode::OK);
        assert_eq!(setup.headers()[header::CONTENT_TYPE], "text/html; charset=utf-8");
        assert_eq!(setup.headers()[header::CACHE_CONTROL], "no-store");
        assert_eq!(setup.headers()[header::CONTENT_SECURITY_POLICY], CSP);
        assert_eq!(setup.headers()[header::REFERRER_POLICY], "no-referrer");
        let body = axum::body::to_bytes(setup.into_body(), 10_000).await.unwrap();
        assert_eq!(&body[..], b"<!doctype html><title>console</title>");
        for other in ["/admin/setup/", "/admin/setup/x", "/admin/setupx", "/admin/signup"] {
            assert_eq!(get(app.clone(), other).await.status(), StatusCode::NOT_FOUND, "{other}");
        }
        let script = get(app.clone(), "/admin/init.js").await;
        assert_eq!(script.status(), StatusCode::OK);
        assert_eq!(script.headers()[header::CACHE_CONTROL], "no-cache");
        assert_eq!(get(app.clone(), "/admin/nothing.js").await.status(), StatusCode::NOT_FOUND);
        assert_eq!(get(app, "/admin").await.status(), StatusCode::PERMANENT_REDIRECT);
    }
}
