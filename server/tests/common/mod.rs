//! A real server on a real database, over real HTTP on loopback: a SQLite file, or a new
//! database on the PostgreSQL server `NEWS_WIDGET_TEST_POSTGRES` names (`cargo xtask test` runs
//! the whole suite both ways).

#![allow(dead_code)]

pub mod live;

use std::path::{Path, PathBuf};

use news_widget_server::{app, serve, Config};
use tempfile::TempDir;

pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789abcdef0123456789";

pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    /// Where its data is: a SQLite file's path or a `postgres://` URL.
    pub database: String,
    _dir: TempDir,
}

/// The server's errors show with a failing test's output (more with `RUST_LOG`).
pub fn log_to_test_output() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_test_writer()
        .try_init();
}

/// The PostgreSQL server the suite runs on (an admin URL), if any.
pub fn postgres() -> Option<String> {
    std::env::var("NEWS_WIDGET_TEST_POSTGRES").ok().filter(|url| !url.is_empty())
}

/// A new, empty database for a test: the SQLite file `dir/{name}.sqlite3` (made when first
/// opened), or a new database on the PostgreSQL server of [`postgres`].
pub async fn fresh_database(dir: &Path, name: &str) -> String {
    let Some(admin) = postgres() else {
        return dir.join(format!("{name}.sqlite3")).to_string_lossy().into_owned();
    };
    use sqlx::{Connection, Executor};
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let unique = format!("nw_{name}_{}_{n}_{}", std::process::id(), rand_suffix());
    let mut conn = sqlx::postgres::PgConnection::connect(&admin).await.expect("the test PostgreSQL answers");
    conn.execute(format!("CREATE DATABASE {unique}").as_str()).await.expect("CREATE DATABASE");
    let mut url = url::Url::parse(&admin).expect("NEWS_WIDGET_TEST_POSTGRES is a URL");
    url.set_path(&format!("/{unique}"));
    url.to_string()
}

fn rand_suffix() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().subsec_nanos();
    format!("{nanos:08x}")
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Starts a server on a free port with a fresh database, after `tweak` adjusts its config.
    pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> Self {
        log_to_test_output();
        let dir = tempfile::tempdir().expect("temp dir");
        let database = fresh_database(dir.path(), "test").await;
        let mut config = Config {
            admin_token: Some(news_widget_server::AdminToken::new(ADMIN_TOKEN).expect("a long enough token")),
            // Tests post at once: the time trap's wait has tests of its own.
            form_min_age: std::time::Duration::ZERO,
            // Other tests publish at once: the moderation rules have tests of their own (rules.rs).
            rules: news_widget_server::moderation::Rules { link_limit: 0, trusted_after: 0, ..Default::default() },
            ..Config::new(database)
        };
        tweak(&mut config);
        let app = app(&config).await.expect("app builds");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(serve(listener, app));
        Self { base, client: reqwest::Client::new(), database: config.database.clone(), _dir: dir }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn dir(&self) -> PathBuf {
        self._dir.path().to_owned()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// `GET path` with the admin token, as JSON.
    pub async fn admin_json(&self, path: &str) -> serde_json::Value {
        let answer = self.client.get(self.url(path)).bearer_auth(ADMIN_TOKEN).send().await.expect("admin GET");
        answer.json().await.expect("admin answer is JSON")
    }

    /// A form token for a comment on `slug`, as the widget takes one when it shows the form.
    pub async fn form_token(&self, slug: &str) -> String {
        let answer = self.get(&format!("/api/v1/articles/{slug}/form-token")).await;
        assert_eq!(answer.status(), 200, "form token");
        let body: serde_json::Value = answer.json().await.expect("form token JSON");
        body["token"].as_str().expect("a token").to_owned()
    }

    pub async fn put_article(&self, slug: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .put(self.url(&format!("/api/v1/articles/{slug}")))
            .bearer_auth(ADMIN_TOKEN)
            .json(body)
            .send()
            .await
            .expect("PUT")
    }
}

/// Asserts `response` is an RFC 9457 problem with `status`, and returns its body.
pub async fn problem(response: reqwest::Response, status: u16) -> serde_json::Value {
    assert_eq!(response.status().as_u16(), status, "status");
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: serde_json::Value = response.json().await.expect("problem body is JSON");
    assert_eq!(body["status"], status, "{body}");
    assert!(body["type"].is_string() && body["title"].is_string() && body["detail"].is_string(), "{body}");
    body
}

/// The 517 vectors of the XSS corpus, as (source, payload).
pub fn xss_vectors() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data/xss");
    let mut out = Vec::new();
    for file in ["dompurify-expect.json", "h5sc-vectors-expanded.json", "owasp-xss-filter-evasion.json"] {
        let text = std::fs::read_to_string(dir.join(file)).expect("corpus file");
        let entries: Vec<serde_json::Value> = serde_json::from_str(&text).expect("corpus JSON");
        for (i, entry) in entries.iter().enumerate() {
            out.push((format!("{file}#{i}"), entry["payload"].as_str().expect("payload").to_owned()));
        }
    }
    out
}
