//! The reference backend of news-widget: one module per concern — `routes`, `comments` and
//! `ratings` (thin HTTP handlers), `db` (the store), `trap` (time trap and honeypot), `admin`
//! (the admin token and the extractors of admin routes), `accounts` and `session` (moderators'
//! accounts, sign-in and sessions), `moderation` (the rules: links, words, new commenters, bans,
//! closing), `console` (the moderators' console: queues, people, articles; `console_files`: the
//! built app at /admin/), `audit` (the
//! decisions log), the moderators' email alerts (`alerts`: each account's setting; `outbox`: the
//! queue and its worker; `mail`: SMTP and the messages; `act`: the links in them), `client`
//! (addresses and rate keys), `limit`, `cache` (with `encoding`,
//! the compressed bodies it keeps and their negotiation), `privacy`, `import` (the
//! importers and the export), `maintenance` (upkeep in the background) and `http` (the layers around every route); for
//! the server render: `widget` (the fragment), `form` (the no-JavaScript comment form),
//! `redirect` (its return addresses), `page` (whole HTML pages), `texts` and `intl` (ICU4X).

#![forbid(unsafe_code)]

pub mod accounts;
pub mod act;
pub mod admin;
pub mod alerts;
pub mod audit;
pub mod cache;
pub mod client;
pub mod comments;
pub mod console;
pub mod console_files;
pub mod db;
pub mod demo;
pub mod encoding;
pub mod error;
pub mod events;
pub mod extract;
pub mod form;
pub mod http;
pub mod import;
pub mod intl;
pub mod json;
pub mod limit;
pub mod mail;
pub mod maintenance;
pub mod migrate;
pub mod moderation;
pub mod openapi;
pub mod outbox;
pub mod page;
pub mod privacy;
pub mod ratings;
pub mod redirect;
pub mod routes;
pub mod sanitize;
pub mod secrets;
pub mod session;
pub mod texts;
pub mod trap;
pub mod widget;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::error_handling::HandleErrorLayer;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, Extensions, HeaderMap, HeaderValue, Method, StatusCode, Version};
use axum::routing::{get, post};
use axum::Router;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;

pub use admin::AdminToken;
pub use client::Proxies;

/// What a running server needs to know.
#[derive(Clone, Debug)]
pub struct Config {
    /// A SQLite file path or `sqlite:` URL.
    pub database: String,
    /// The built widget (trunk's `dist/`), served at `/`.
    pub static_dir: Option<PathBuf>,
    /// The built moderators' console (`cargo xtask console`), served at `/admin/`.
    pub console_dir: Option<PathBuf>,
    /// Admin routes are refused while this is unset.
    pub admin_token: Option<AdminToken>,
    /// Origins allowed by CORS; `*` allows any. Listed ones (not `*`) may also host the
    /// no-JavaScript form and be sent back to after it.
    pub allowed_origins: Vec<String>,
    /// The address readers reach this server at (`--public-url`): the base of image addresses
    /// and of the form's `action` in rendered widgets. Unset: `http://{Host}` of each request.
    pub public_url: Option<url::Url>,
    /// Load the demo article into an empty database.
    pub seed: bool,
    /// New voters an article accepts per day from one IP address.
    pub max_new_voters_per_ip: u32,
    /// Which `X-Forwarded-For` hops to believe (behind reverse proxies).
    pub proxies: Proxies,
    /// When new comments show to everyone.
    pub moderation: comments::Moderation,
    /// How long an author may edit or delete a new comment.
    pub edit_window_minutes: u32,
    /// Comments a minute from one address, after a first burst.
    pub comments_per_minute: u32,
    pub comment_burst: u32,
    /// Reports an hour from one address.
    pub reports_per_hour: u32,
    /// The least time between showing the form and sending it (the time trap).
    pub form_min_age: Duration,
    /// Requests handled at once; past it, more wait briefly, then are shed with 503.
    pub max_concurrent_requests: usize,
    /// The moderation rules while the database holds none (`PUT /admin/rules` saves its own).
    pub rules: moderation::Rules,
    /// The clock of sessions, setup links and sign-in throttling (tests move it forward).
    pub clock: accounts::Clock,
    /// The SMTP server of the moderators' email alerts; None: no alert is queued or sent.
    pub mail: Option<mail::MailConfig>,
}

impl Config {
    /// The defaults of the command line, on `database`.
    pub fn new(database: impl Into<String>) -> Self {
        Self {
            database: database.into(),
            static_dir: None,
            console_dir: Some(PathBuf::from(console_files::DEFAULT_DIR)),
            admin_token: None,
            allowed_origins: Vec::new(),
            public_url: None,
            seed: true,
            max_new_voters_per_ip: 3,
            proxies: Proxies::None,
            moderation: comments::Moderation::Post,
            edit_window_minutes: 15,
            comments_per_minute: 3,
            comment_burst: 5,
            reports_per_hour: 20,
            form_min_age: Duration::from_millis(news_widget_api::MIN_FILL_MS),
            max_concurrent_requests: 1024,
            rules: moderation::Rules::default(),
            clock: accounts::Clock::default(),
            mail: None,
        }
    }
}

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub db: db::Db,
    pub admin_token: Option<AdminToken>,
    pub admin_failures: admin::Failures,
    pub secrets: secrets::Secrets,
    pub max_new_voters_per_ip: u32,
    pub proxies: Proxies,
    pub moderation: comments::Moderation,
    pub edit_window_minutes: u32,
    pub form_min_age: Duration,
    /// The moderation rules while the database holds none.
    pub rules: moderation::Rules,
    pub comment_limiter: limit::Limiter,
    pub report_limiter: limit::Limiter,
    /// Comment pages and widget fragments as sent, for a second.
    pub pages: cache::PageCache,
    pub allowed_origins: Vec<String>,
    pub public_url: Option<url::Url>,
    /// Dates and numbers for server renders, formatters built once per locale.
    pub intl: Arc<intl::IcuFormats>,
    pub clock: accounts::Clock,
    /// The email alerts' SMTP settings, if any.
    pub mail: Option<mail::MailConfig>,
    /// Wakes the outbox's worker when alerts are queued.
    pub outbox_wake: tokio::sync::Notify,
    /// Wakes the live update streams after a write.
    pub events: events::Hub,
}

impl Inner {
    /// After a committed write to `article`: its cached pages go, and its live streams look for
    /// the events the write recorded, in this instance and (on PostgreSQL) in every other.
    pub fn changed(&self, article: &str) {
        self.pages.forget(article);
        self.events.wake(article);
        events::notify_others(&self.db, article);
    }

    /// After a committed write that may change every article's pages (the moderation rules).
    pub fn changed_everywhere(&self) {
        self.pages.forget_all();
        events::notify_others(&self.db, events::EVERY_ARTICLE);
    }

    /// The base of this server's public addresses for a request with these headers: the
    /// `--public-url`, else `http://{Host}` (else `http://localhost`).
    pub fn public_base(&self, headers: &axum::http::HeaderMap) -> url::Url {
        if let Some(url) = &self.public_url {
            return url.clone();
        }
        // Behind a trusted TLS proxy the reader's scheme is the proxy's `X-Forwarded-Proto`.
        let scheme = match headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) {
            Some("https") if !matches!(self.proxies, Proxies::None) => "https",
            _ => "http",
        };
        headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .and_then(|h| url::Url::parse(&format!("{scheme}://{h}/")).ok())
            .filter(|u| u.path() == "/" && u.username().is_empty() && u.query().is_none())
            .unwrap_or_else(|| url::Url::parse("http://localhost/").expect("a valid URL"))
    }

    /// This server's own origins, as a form page's `Origin` may be: the public URL's, else the
    /// `Host` over http and https (a TLS proxy in front changes the scheme, not the host).
    pub fn own_origins(&self, headers: &axum::http::HeaderMap) -> Vec<url::Url> {
        let base = self.public_base(headers);
        if self.public_url.is_some() {
            return vec![base];
        }
        let mut https = base.clone();
        let port = https.port();
        let _ = https.set_scheme("https");
        let _ = https.set_port(port);
        vec![base, https]
    }
}

/// `--public-url`: an absolute http(s) address without user info, query or fragment; a path is
/// kept (a server under `/comments/` behind a proxy), with one trailing slash.
pub fn parse_public_url(raw: &str) -> Result<url::Url, String> {
    let mut url = url::Url::parse(raw.trim()).map_err(|e| format!("{raw:?} is not an absolute address: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(format!("{raw:?} must be an http or https address"));
    }
    if !url.username().is_empty() || url.password().is_some() || url.query().is_some() || url.fragment().is_some() {
        return Err(format!("{raw:?} may not hold a user name, a password, a query or a fragment"));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// Opens the database, loads the demo article if asked, and builds the whole application; the
/// upkeep (expired idempotency keys, limiter state) runs in the background while it lives.
pub async fn app(config: &Config) -> anyhow::Result<Router> {
    let state = state(config).await?;
    maintenance::spawn(state.clone());
    match &state.mail {
        Some(mail) => {
            tracing::info!(smtp = %mail.server(), from = %mail.from, links = %mail.link_base, "email alerts on")
        }
        None => tracing::info!("email alerts off: no SMTP server configured (--smtp-url)"),
    }
    outbox::spawn(state.clone());
    events::listen(state.clone());
    router(state, config)
}

/// The shared state of a server on `config`'s database.
pub async fn state(config: &Config) -> anyhow::Result<AppState> {
    let db = db::connect(&config.database).await?;
    if config.seed && db::seed_if_empty(&db).await? {
        tracing::info!(slug = db::DEMO_SLUG, "loaded the demo article into the empty database");
    }
    Ok(AppState(Arc::new(Inner {
        secrets: secrets::Secrets::load(&db).await?,
        db,
        admin_token: config.admin_token.clone(),
        admin_failures: admin::Failures::default(),
        max_new_voters_per_ip: config.max_new_voters_per_ip,
        proxies: config.proxies.clone(),
        moderation: config.moderation,
        edit_window_minutes: config.edit_window_minutes,
        form_min_age: config.form_min_age,
        rules: config.rules.clone(),
        comment_limiter: limit::Limiter::per_minute(
            "comments",
            config.comments_per_minute,
            config.comment_burst,
            "You are posting too fast. Wait a moment, then send again: your text is kept.",
        ),
        report_limiter: limit::Limiter::per_period(
            "reports",
            config.reports_per_hour,
            Duration::from_secs(3600),
            "You have sent many reports; the moderators have them. Try again later.",
        ),
        pages: cache::PageCache::default(),
        allowed_origins: config.allowed_origins.clone(),
        public_url: config.public_url.clone(),
        intl: Arc::new(intl::IcuFormats::new()),
        clock: config.clock.clone(),
        mail: config.mail.clone(),
        outbox_wake: tokio::sync::Notify::new(),
        events: events::Hub::default(),
    })))
}

/// Body limits per route: what each route can need, no more.
const ARTICLE_BODY_LIMIT: usize = 1024 * 1024;
const SMALL_BODY_LIMIT: usize = 4 * 1024;
/// 500 ids and a reason.
const BULK_BODY_LIMIT: usize = 64 * 1024;
/// 2000 characters of up to 4 bytes, escaped.
const NOTE_BODY_LIMIT: usize = 32 * 1024;

fn router(state: AppState, config: &Config) -> anyhow::Result<Router> {
    let small = DefaultBodyLimit::max(SMALL_BODY_LIMIT);
    let api = Router::new()
        .route("/health", get(routes::health))
        .route(
            "/articles/{slug}",
            get(routes::get_article).put(routes::put_article).layer(DefaultBodyLimit::max(ARTICLE_BODY_LIMIT)),
        )
        .route("/articles/{slug}/rating", get(ratings::get_rating).put(ratings::put_rating).layer(small))
        .route("/articles/{slug}/comments", get(comments::list).post(comments::post))
        .route("/articles/{slug}/comments/form", post(form::post_form))
        .route("/articles/{slug}/widget", get(widget::fragment))
        .route("/articles/{slug}/form-token", get(comments::form_token))
        .route("/comments/{id}", axum::routing::patch(comments::edit).delete(comments::delete))
        .route("/comments/{id}/status", get(comments::state))
        .route("/comments/{id}/report", post(comments::report).layer(small))
        .route("/counts", post(comments::counts).layer(small))
        .route("/admin/session", post(session::login).get(session::whoami).delete(session::logout).layer(small))
        .route("/admin/setup", post(session::setup).layer(small))
        .route("/admin/users", get(session::list_users).post(session::create_user).layer(small))
        .route("/admin/users/{id}/disable", post(session::disable_user).layer(small))
        .route("/admin/comments", get(comments::admin_list))
        .route("/admin/comments/{id}", axum::routing::delete(comments::admin_delete))
        .route("/admin/comments/bulk", post(console::bulk).layer(DefaultBodyLimit::max(BULK_BODY_LIMIT)))
        .route("/admin/comments/{id}/history", get(console::history))
        .route("/admin/comments/{id}/{action}", post(comments::admin_action).layer(small))
        .route("/admin/queue", get(console::queue))
        .route("/admin/audit.csv", get(audit::export_csv))
        .route("/admin/people/{person}", get(console::person))
        .route("/admin/people/{person}/notes", post(console::add_note).layer(DefaultBodyLimit::max(NOTE_BODY_LIMIT)))
        .route("/admin/people/{person}/ban", post(console::ban).delete(console::unban).layer(small))
        .route("/admin/people/{person}/reject-all", post(console::reject_all).layer(small))
        .route("/admin/people/{person}/email", post(console::reveal_email).layer(small))
        .route("/admin/articles", get(console::articles))
        .route("/admin/articles/{slug}/moderation", axum::routing::put(console::put_moderation).layer(small))
        .route("/admin/rules", get(moderation::get_rules).put(moderation::put_rules))
        .route(
            "/admin/bans",
            get(moderation::list_bans).post(moderation::post_ban).delete(moderation::delete_ban).layer(small),
        )
        .route("/admin/articles/{slug}/comments", axum::routing::put(moderation::put_article_comments).layer(small))
        .route("/admin/me/alerts", get(alerts::get_mine).put(alerts::put_mine).layer(small))
        .route("/admin/outbox", get(outbox::counts))
        .route("/admin/privacy/export", post(privacy::export).layer(small))
        .route("/admin/privacy/erase", post(privacy::erase).layer(small))
        .route("/openapi.json", get(openapi::document))
        .fallback(routes::api_not_found)
        .method_not_allowed_fallback(routes::method_not_allowed);
    let mut app = Router::new()
        .nest(news_widget_api::API_PREFIX, api)
        .route("/media/{file}", get(routes::media))
        .route("/admin/act/{token}", get(act::confirm).post(act::act).layer(small));
    if let Some(dir) = config.static_dir.as_deref().and_then(demo::index) {
        // The demo page with the widget's HTML included, as a host's server would serve it.
        let page = move |state, headers| demo::page(state, dir.clone(), headers);
        app = app.route("/", get(page.clone())).route("/index.html", get(page));
    }
    let app = app.merge(console_files::routes(config.console_dir.clone()));
    let mut app = app.with_state(state.clone());
    if let Some(dir) = &config.static_dir {
        app = app.fallback_service(ServeDir::new(dir).append_index_html_on_directories(true));
    }
    let cors = cors(&config.allowed_origins)?;
    if let Some(cors) = &cors {
        app = app.layer(cors.clone());
    }
    // The live streams stay open for as long as a reader reads: outside the time limit and the
    // concurrency limit of the rest (they have their own, events::MAX_STREAMS).
    let mut live = Router::new()
        .route(&format!("{}/articles/{{slug}}/events", news_widget_api::API_PREFIX), get(events::stream))
        .with_state(state)
        .layer(axum::middleware::from_fn(http::problems_everywhere))
        .layer(CatchPanicLayer::custom(http::panic_answer))
        .layer(axum::middleware::from_fn(http::access_log));
    if let Some(cors) = cors {
        live = live.layer(cors);
    }
    Ok(live.fallback_service(with_layers(app, config.max_concurrent_requests, http::REQUEST_TIMEOUT)))
}

/// Wraps `app` in what every route gets: the default body limit, compression, problem+json for
/// every refusal, panics caught (a 500, the process lives), the access log, and for the server
/// as a whole a time limit and a concurrency limit that sheds load with 503 + Retry-After.
pub fn with_layers(app: Router, max_concurrent_requests: usize, timeout: Duration) -> Router {
    // Inside out: refusals become problems before compression sees them (so a problem body is
    // never left under a stale Content-Encoding), and a panic anywhere inside is caught. The
    // cached pages come compressed already (their own Content-Encoding, which tower-http never
    // compresses again) or plain because the client wants them so: their Vary says they
    // negotiated, and compression leaves them as they are.
    let app = app
        .layer(DefaultBodyLimit::max(http::DEFAULT_BODY_LIMIT))
        .layer(axum::middleware::from_fn(http::problems_everywhere))
        .layer(CompressionLayer::new().compress_when(DefaultPredicate::new().and(not_negotiated as NotNegotiated)))
        .layer(CatchPanicLayer::custom(http::panic_answer))
        .layer(axum::middleware::from_fn(http::access_log));
    // Layers on a router apply to each route apart; the time limit and the concurrency limit are
    // for the whole server, so they wrap it as one service.
    Router::new().fallback_service(app).layer(
        ServiceBuilder::new()
            .layer(HandleErrorLayer::new(http::layer_error))
            .load_shed()
            .concurrency_limit(max_concurrent_requests.max(1))
            .timeout(timeout),
    )
}

type NotNegotiated = fn(StatusCode, Version, &HeaderMap, &Extensions) -> bool;

/// Compression's second condition: the answer did not negotiate its coding itself.
fn not_negotiated(_: StatusCode, _: Version, headers: &HeaderMap, _: &Extensions) -> bool {
    !encoding::negotiated(headers)
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
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
            .allow_headers([
                header::CONTENT_TYPE,
                header::AUTHORIZATION,
                header::HeaderName::from_static("idempotency-key"),
                header::HeaderName::from_static(news_widget_api::READER_TOKEN_HEADER),
                header::HeaderName::from_static(news_widget_api::EDIT_TOKEN_HEADER),
            ])
            .expose_headers([header::RETRY_AFTER, header::ETAG, header::LOCATION])
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
    events::close_all();
}
