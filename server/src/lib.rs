//! The reference backend of news-widget.

#![forbid(unsafe_code)]

pub mod cache;
pub mod comments;
pub mod db;
pub mod error;
pub mod json;
pub mod limit;
pub mod openapi;
pub mod ratings;
pub mod routes;
pub mod sanitize;
pub mod secrets;

use std::path::PathBuf;
use std::sync::Arc;

use axum::http::{header, HeaderValue, Method};
use axum::routing::get;
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

/// What a running server needs to know.
#[derive(Clone, Debug)]
pub struct Config {
    /// A SQLite file path or `sqlite:` URL.
    pub database: String,
    /// The built widget (trunk's `dist/`), served at `/`.
    pub static_dir: Option<PathBuf>,
    /// Admin routes are refused while this is unset.
    pub admin_token: Option<String>,
    /// Origins allowed by CORS; `*` allows any.
    pub allowed_origins: Vec<String>,
    /// Load the demo article into an empty database.
    pub seed: bool,
    /// New voters an article accepts per day from one IP address.
    pub max_new_voters_per_ip: u32,
    /// Take the client's address from the last `X-Forwarded-For` hop (behind a reverse proxy).
    pub trust_proxy: bool,
    /// When new comments show to everyone.
    pub moderation: comments::Moderation,
    /// How long an author may edit or delete a new comment.
    pub edit_window_minutes: u32,
    /// Comments a minute from one address, after a first burst.
    pub comments_per_minute: u32,
    pub comment_burst: u32,
}

impl Config {
    /// The defaults of the command line, on `database`.
    pub fn new(database: impl Into<String>) -> Self {
        Self {
            database: database.into(),
            static_dir: None,
            admin_token: None,
            allowed_origins: Vec::new(),
            seed: true,
            max_new_voters_per_ip: 3,
            trust_proxy: false,
            moderation: comments::Moderation::Post,
            edit_window_minutes: 15,
            comments_per_minute: 3,
            comment_burst: 5,
        }
    }
}

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub db: db::Db,
    pub admin_token: Option<String>,
    pub secrets: secrets::Secrets,
    pub max_new_voters_per_ip: u32,
    pub trust_proxy: bool,
    pub moderation: comments::Moderation,
    pub edit_window_minutes: u32,
    pub comment_limiter: limit::Limiter,
    /// Comment pages as sent, for a second.
    pub pages: cache::PageCache,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// Opens the database, loads the demo article if asked, and builds the whole application.
pub async fn app(config: &Config) -> anyhow::Result<Router> {
    let db = db::connect(&config.database).await?;
    if config.seed && db::seed_if_empty(&db).await? {
        tracing::info!(slug = db::DEMO_SLUG, "loaded the demo article into the empty database");
    }
    let state = AppState(Arc::new(Inner {
        secrets: secrets::Secrets::load(&db).await?,
        db,
        admin_token: config.admin_token.clone().filter(|t| !t.is_empty()),
        max_new_voters_per_ip: config.max_new_voters_per_ip,
        trust_proxy: config.trust_proxy,
        moderation: config.moderation,
        edit_window_minutes: config.edit_window_minutes,
        comment_limiter: limit::Limiter::new(config.comments_per_minute, config.comment_burst),
        pages: cache::PageCache::default(),
    }));
    router(state, config)
}

fn router(state: AppState, config: &Config) -> anyhow::Result<Router> {
    let api = Router::new()
        .route("/health", get(routes::health))
        .route("/articles/{slug}", get(routes::get_article).put(routes::put_article))
        .route("/articles/{slug}/rating", get(ratings::get_rating).put(ratings::put_rating))
        .route("/articles/{slug}/comments", get(comments::list).post(comments::post))
        .route("/comments/{id}", axum::routing::patch(comments::edit).delete(comments::delete))
        .route("/comments/{id}/report", axum::routing::post(comments::report))
        .route("/counts", axum::routing::post(comments::counts))
        .route("/admin/comments", get(comments::admin_list))
        .route("/admin/comments/{id}", axum::routing::delete(comments::admin_delete))
        .route("/admin/comments/{id}/{action}", axum::routing::post(comments::admin_action))
        .route("/openapi.json", get(openapi::document))
        .fallback(routes::api_not_found)
        .method_not_allowed_fallback(routes::method_not_allowed);
    let mut app = Router::new()
        .nest(news_widget_api::API_PREFIX, api)
        .route("/media/{file}", get(routes::media))
        .with_state(state);
    if let Some(dir) = &config.static_dir {
        app = app.fallback_service(ServeDir::new(dir).append_index_html_on_directories(true));
    }
    if let Some(cors) = cors(&config.allowed_origins)? {
        app = app.layer(cors);
    }
    Ok(app.layer(CompressionLayer::new()).layer(TraceLayer::new_for_http()))
}

fn cors(origins: &[String]) -> anyhow::Result<Option<CorsLayer>> {
    if origins.is_empty() {
        return Ok(None);
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        let parsed = origins
            .iter()
            .map(|o| {
                HeaderValue::from_str(o.trim_end_matches('/'))
                    .map_err(|_| anyhow::anyhow!("--allowed-origin {o:?} is not a valid origin"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        AllowOrigin::list(parsed)
    };
    Ok(Some(
        CorsLayer::new()
            .allow_origin(allow)
            .expose_headers([header::RETRY_AFTER, header::ETAG])
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
            .allow_headers([
                header::CONTENT_TYPE,
                header::AUTHORIZATION,
                header::HeaderName::from_static("idempotency-key"),
                header::HeaderName::from_static(news_widget_api::READER_TOKEN_HEADER),
                header::HeaderName::from_static(news_widget_api::EDIT_TOKEN_HEADER),
            ])
            .max_age(std::time::Duration::from_secs(3600)),
    ))
}

/// Serves `app` on `listener` until Ctrl-C or SIGTERM.
pub async fn serve(listener: tokio::net::TcpListener, app: Router) -> anyhow::Result<()> {
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown())
        .await?;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
