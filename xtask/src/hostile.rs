//! A backend we do not control, for the browser tests: a tiny HTTP server (std only) on its own
//! port, so another origin than the test page, answering poisoned article, comment and rating
//! JSON with CORS headers. `cargo xtask test` starts it for `wasm-pack test` and passes its API
//! base as `NEWS_WIDGET_TEST_HOSTILE`; `cargo xtask hostile` serves it alone, for running the
//! browser tests by hand.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;

/// Poisoned everywhere: unsafe schemes in every URL field (the lead image, its srcset, the
/// canonical URL, the body's links and images), an odd srcset, relative URLs (which mean this
/// server's files, not the page's).
const ARTICLE: &str = r##"{
  "slug": "hostile", "lang": "en", "title": "A hostile backend",
  "summary": "Everything here is poisoned",
  "canonical_url": "javascript:alert(1)",
  "image": {"src": "JaVa\tScript:alert(1)", "alt": "x", "srcset": "/a.png 1é, javascript:alert(1) 2x"},
  "body_html": "<p id=\"safe-text\">Safe text.</p><p><a href=\"javascript:alert(1)\">js</a> <a href=\"JaVa&#9;Script:alert(1)\">tab</a> <a href=\"vbscript:msgbox(1)\">vb</a> <a href=\"data:text/html,<script>alert(1)</script>\">data</a> <a href=\"/relative/page\">relative</a> <a href=\"#notes\">notes</a></p><img src=\"data:image/svg+xml,<svg onload=alert(1)>\" alt=\"d\"><img src=\"vbscript:x\" alt=\"v\"><img src=\"/img/body.png\" srcset=\"/img/a.png 1x, img/b.png 2x\" alt=\"relative\"><img src=\"/img/odd.png\" srcset=\"/a.png 1é\" alt=\"odd\"><img src=\"/img/js.png\" srcset=\"javascript:alert(1) 2x\" alt=\"js\">",
  "published_at": "2026-11-27T10:00:00Z",
  "editor_score": 1e300
}"##;

/// Comments that must be refused one by one (9 of them), among ones that must show.
const COMMENTS: &str = r#"{"total": 7, "comments": [
  {"id": 1, "author_name": "Good", "avatar": "ab12", "body": "A safe comment. javascript:alert(1) is text.", "created_at": "2026-11-27T10:00:00Z", "status": "approved"},
  {"id": 2, "author_name": "Js", "author_url": "javascript:alert(1)", "avatar": "ab", "body": "b", "created_at": "2026-11-27T10:00:00Z", "status": "approved"},
  {"id": 3, "author_name": "Tab", "author_url": "JaVa\tScript:alert(1)", "avatar": "ab", "body": "b", "created_at": "2026-11-27T10:00:00Z", "status": "approved"},
  {"id": 4, "author_name": "Data", "author_url": "data:text/html,<script>alert(1)</script>", "avatar": "ab", "body": "b", "created_at": "2026-11-27T10:00:00Z", "status": "approved"},
  {"id": 5, "author_name": "Vb", "author_url": "vbscript:msgbox(1)", "avatar": "ab", "body": "b", "created_at": "2026-11-27T10:00:00Z", "status": "approved"},
  {"id": 6, "author_name": "Avatar", "avatar": "\" onload=\"x", "body": "b", "created_at": "2026-11-27T10:00:00Z", "status": "approved"},
  {"id": 9007199254740993, "author_name": "Huge", "avatar": "ab", "body": "b", "created_at": "2026-11-27T10:00:00Z", "status": "approved"},
  {"id": 8, "parent_id": 8, "author_name": "Self", "avatar": "ab", "body": "b", "created_at": "2026-11-27T10:00:00Z", "status": "approved"},
  "not a comment",
  {"id": -3, "author_name": "Negative", "avatar": "ab", "body": "b", "created_at": "2026-11-27T10:00:00Z", "status": "approved"},
  {"id": 10, "parent_id": 777, "author_name": "Orphan", "avatar": "ab", "body": "My parent is missing.", "created_at": "2026-11-27T10:00:00Z", "status": "approved"},
  {"id": 11, "parent_id": 12, "author_name": "RingA", "avatar": "ab", "body": "I answer B.", "created_at": "2026-11-27T10:00:00Z", "status": "approved"},
  {"id": 12, "parent_id": 11, "author_name": "RingB", "avatar": "ab", "body": "I answer A.", "created_at": "2026-11-27T10:00:00Z", "status": "approved"},
  {"id": 13, "author_name": "", "avatar": "", "body": "", "created_at": "2026-11-27T10:00:00Z", "status": "deleted"},
  {"id": 14, "parent_id": 13, "author_name": "Child", "avatar": "ab", "body": "My parent was removed.", "created_at": "2026-11-27T10:00:00Z", "status": "approved"},
  {"id": 15, "author_name": "Linked", "author_url": "https://example.org/", "avatar": "ab", "body": "b", "created_at": "2026-11-27T10:00:00Z", "status": "approved"}
]}"#;

/// Negative and non-finite figures the summary is recomputed from its histogram despite.
const RATING: &str = r#"{"count": -4, "average": 1e308, "percent": -1, "histogram": [0, 1, 0, 1, 0]}"#;

/// The second article's numbers: none can be taken.
const NUMBERS_ARTICLE: &str = r#"{"slug": "hostile-numbers", "lang": "en", "title": "Bad numbers",
  "body_html": "<p>Numbers.</p>", "published_at": "2026-11-27T10:00:00Z", "editor_score": -1,
  "image": {"src": "/x.png", "alt": "", "width": -5, "height": 1e300}}"#;
const NUMBERS_COMMENTS: &str = r#"{"total": -5, "comments": []}"#;
const NUMBERS_RATING: &str = r#"{"histogram": [1e300, 0, 0, 0, 0]}"#;

/// The answer to `GET path`: a status and a JSON body.
fn answer(path: &str) -> (u16, &'static str) {
    let path = path.split('?').next().unwrap_or_default();
    match path.strip_prefix("/api/v1").unwrap_or("") {
        "/health" => (200, r#"{"status": "ok"}"#),
        "/articles/hostile" => (200, ARTICLE),
        "/articles/hostile/comments" => (200, COMMENTS),
        "/articles/hostile/rating" => (200, RATING),
        "/articles/hostile-numbers" => (200, NUMBERS_ARTICLE),
        "/articles/hostile-numbers/comments" => (200, NUMBERS_COMMENTS),
        "/articles/hostile-numbers/rating" => (200, NUMBERS_RATING),
        p if p.ends_with("/form-token") => (200, r#"{"token": "hostile"}"#),
        _ => (404, r#"{"type": "about:blank", "title": "Not found", "status": 404, "detail": "nothing here"}"#),
    }
}

fn serve(mut stream: TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    // The headers (the body of a write is not read: every write answers 404 or the preflight).
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
    }
    let mut words = request.split_whitespace();
    let (method, path) = (words.next().unwrap_or_default(), words.next().unwrap_or_default());
    let cors = "Access-Control-Allow-Origin: *\r\nAccess-Control-Allow-Headers: *\r\n\
                Access-Control-Allow-Methods: GET, POST, PUT, PATCH, DELETE\r\n";
    let response = if method == "OPTIONS" {
        format!("HTTP/1.1 204 No Content\r\n{cors}Content-Length: 0\r\nConnection: close\r\n\r\n")
    } else {
        let (status, body) = if method == "GET" { answer(path) } else { answer("") };
        let reason = if status == 200 { "OK" } else { "Not Found" };
        format!(
            "HTTP/1.1 {status} {reason}\r\n{cors}Content-Type: application/json\r\nContent-Length: {}\r\n\
             Cache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    stream.write_all(response.as_bytes())?;
    stream.flush()
}

/// The hostile server, stopped when dropped.
pub struct Hostile {
    /// Its API base: `http://127.0.0.1:PORT/api/v1`.
    pub api: String,
    stop: Arc<AtomicBool>,
    addr: std::net::SocketAddr,
}

impl Hostile {
    /// Starts it on `addr` (`127.0.0.1:0` for a free port).
    pub fn start(addr: &str) -> Result<Self> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(Ordering::Relaxed) {
                    break;
                }
                if let Ok(stream) = stream {
                    std::thread::spawn(move || {
                        let _ = serve(stream);
                    });
                }
            }
        });
        Ok(Self { api: format!("http://{addr}/api/v1"), stop, addr })
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wakes the accepting thread so that it sees the flag and ends.
        let _ = TcpStream::connect(self.addr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn it_answers_poison_with_cors_and_stops() {
        let hostile = Hostile::start("127.0.0.1:0").unwrap();
        let addr = hostile.api.trim_start_matches("http://").trim_end_matches("/api/v1").to_owned();
        let mut stream = TcpStream::connect(&addr).unwrap();
        stream.write_all(b"GET /api/v1/articles/hostile/comments HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut got = String::new();
        stream.read_to_string(&mut got).unwrap();
        assert!(got.starts_with("HTTP/1.1 200 OK\r\n"), "{got}");
        assert!(got.contains("Access-Control-Allow-Origin: *"));
        assert!(got.contains("9007199254740993"));
        drop(hostile);
    }
}
