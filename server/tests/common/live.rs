//! A reader's side of the live updates, for the tests of one instance and of several: an SSE
//! stream read as EventSource reads it, and the writes readers hear of.

use std::time::Duration;

use news_widget_api::events::ArticleEvent;
use serde_json::{json, Value};

use super::{TestServer, ADMIN_TOKEN};

pub const SLUG: &str = "cooperation-chine-kazakhstan";
pub const EVENTS: &str = "/api/v1/articles/cooperation-chine-kazakhstan/events";

/// One event as it came over the wire.
#[derive(Debug)]
pub struct Sse {
    pub id: Option<String>,
    pub event: Option<String>,
    pub data: String,
    pub retry: Option<String>,
    pub comment: bool,
}

/// A reader's open stream, read as EventSource reads it.
pub struct Stream {
    response: reqwest::Response,
    buffer: String,
}

impl Stream {
    /// A stream from an answer already checked (a request of the test's own making).
    pub fn from_response(response: reqwest::Response) -> Self {
        Self { response, buffer: String::new() }
    }

    pub async fn open(server: &TestServer, last_event_id: Option<&str>) -> Self {
        let mut request = server.client.get(server.url(EVENTS)).header("accept", "text/event-stream");
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        let response = request.send().await.expect("GET events");
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        assert_eq!(response.headers()["x-accel-buffering"], "no");
        Self { response, buffer: String::new() }
    }

    /// The next block, comments (`:` lines) included; None when nothing comes within `wait`.
    pub async fn next_block(&mut self, wait: Duration) -> Option<Sse> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut sse = Sse { id: None, event: None, data: String::new(), retry: None, comment: false };
                for line in block.lines() {
                    let (field, value) = line.split_once(':').unwrap_or((line, ""));
                    let value = value.strip_prefix(' ').unwrap_or(value).to_owned();
                    match field {
                        "" => sse.comment = true,
                        "id" => sse.id = Some(value),
                        "event" => sse.event = Some(value),
                        "data" => sse.data.push_str(&value),
                        "retry" => sse.retry = Some(value),
                        other => panic!("an unknown SSE field {other:?} in {block:?}"),
                    }
                }
                return Some(sse);
            }
            let chunk = tokio::time::timeout(wait, self.response.chunk()).await.ok()?;
            let chunk = chunk.expect("the stream reads").expect("the stream stays open");
            self.buffer.push_str(std::str::from_utf8(&chunk).expect("UTF-8"));
        }
    }

    /// The next event with data, skipping comments and the retry advice.
    pub async fn next_event(&mut self) -> (String, ArticleEvent) {
        loop {
            let sse = self.next_block(Duration::from_secs(10)).await.expect("an event within 10 s");
            if sse.event.is_some() {
                let id = sse.id.expect("every event has an id");
                let event: ArticleEvent = serde_json::from_str(&sse.data).expect("the data is an ArticleEvent");
                assert_eq!(sse.event.as_deref(), Some(event.kind()), "the SSE name is the event's kind");
                return (id, event);
            }
        }
    }

    /// Asserts nothing but comments and the retry advice comes within `wait`.
    pub async fn assert_quiet(&mut self, wait: Duration) {
        while let Some(sse) = self.next_block(wait).await {
            assert!(sse.event.is_none(), "an unexpected event: {sse:?}");
        }
    }
}

pub async fn post_comment(server: &TestServer, body: &str) -> Value {
    let form = json!({
        "author_name": "Camille", "author_email": "camille@example.org", "body": body,
        "form_token": server.form_token(SLUG).await,
    });
    let answer = server.client.post(server.url(&format!("/api/v1/articles/{SLUG}/comments"))).json(&form).send().await;
    let answer = answer.expect("POST");
    assert_eq!(answer.status(), 201);
    answer.json().await.expect("the posted comment")
}

pub async fn decide(server: &TestServer, id: &Value, action: &str) {
    let answer = server
        .client
        .post(server.url(&format!("/api/v1/admin/comments/{id}/{action}")))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("decision");
    assert_eq!(answer.status(), 204, "{action}");
}

pub async fn vote(server: &TestServer, reader: &str, stars: u8) {
    let answer = server
        .client
        .put(server.url(&format!("/api/v1/articles/{SLUG}/rating")))
        .header("x-reader-token", reader)
        .json(&json!({ "stars": stars }))
        .send()
        .await
        .expect("PUT rating");
    assert_eq!(answer.status(), 200);
}
