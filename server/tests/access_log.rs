//! The access log: one line per request at `info` with the method, the route pattern, the status
//! and the latency — and never an email, a token, an id from the path or a client address.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::TestServer;
use serde_json::json;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn each_request_is_logged_by_route_and_status_without_personal_data() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt().with_ansi(false).with_writer(move || writer.clone()).init();

    let server = TestServer::start().await;
    let slug = "cooperation-chine-kazakhstan";
    let token = server.form_token(slug).await;
    let email = "secret.person@example.org";
    let body = json!({"author_name": "Ana", "author_email": email, "body": "bonjour", "form_token": token});
    let posted: serde_json::Value = server
        .client
        .post(server.url(&format!("/api/v1/articles/{slug}/comments")))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = posted["comment"]["id"].as_i64().unwrap();
    let edit_token = posted["edit_token"].as_str().unwrap().to_owned();
    server
        .client
        .get(server.url(&format!("/api/v1/comments/{id}/status")))
        .header("x-edit-token", &edit_token)
        .send()
        .await
        .unwrap();
    server.get("/api/v1/articles/no-such-article").await;

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let access: Vec<&str> = log.lines().filter(|l| l.contains(" access:")).collect();
    assert!(
        access.iter().any(|l| l.contains("method=POST")
            && l.contains("route=\"/api/v1/articles/{slug}/comments\"")
            && l.contains("status=201")
            && l.contains("latency_ms=")),
        "{log}"
    );
    assert!(
        access.iter().any(|l| l.contains("route=\"/api/v1/comments/{id}/status\"") && l.contains("status=200")),
        "{log}"
    );
    assert!(
        access.iter().any(|l| l.contains("route=\"/api/v1/articles/{slug}\"") && l.contains("status=404")),
        "{log}"
    );
    for secret in [email, &edit_token, &token, "127.0.0.1", "no-such-article"] {
        assert!(!log.contains(secret), "{secret} is in the log:\n{log}");
    }
}
