//! Two server instances on one PostgreSQL database behave as one: what is written through one
//! is heard and served by the other at once (NOTIFY), idempotency keys, votes and decisions hold
//! across them, the limits are shared, and a console session works on either.
//!
//! PostgreSQL only: `cargo xtask test` runs these by name on its throwaway cluster (`--test instances`
//! with `NEWS_WIDGET_TEST_POSTGRES`); on SQLite a site is one process.

mod common;

use std::time::Duration;

use common::live::*;
use common::{TestServer, ADMIN_TOKEN};
use news_widget_api::events::ArticleEvent;
use news_widget_server::accounts::{self, Role};
use news_widget_server::Config;
use serde_json::{json, Value};

const COMMENTS: &str = "/api/v1/articles/cooperation-chine-kazakhstan/comments";
const RATING: &str = "/api/v1/articles/cooperation-chine-kazakhstan/rating";

/// Two instances on one new PostgreSQL database, each adjusted by `tweak`.
async fn two(tweak: impl Fn(&mut Config) + Clone + Send + 'static) -> (TestServer, TestServer) {
    assert!(common::postgres().is_some(), "set NEWS_WIDGET_TEST_POSTGRES (cargo xtask test does)");
    let first = tweak.clone();
    let a = TestServer::start_with(move |c| first(c)).await;
    let database = a.database.clone();
    let b = TestServer::start_with(move |c| {
        tweak(c);
        c.database = database;
    })
    .await;
    (a, b)
}

async fn bodies(server: &TestServer) -> Vec<String> {
    let page: Value = server.get(&format!("{COMMENTS}?limit=100")).await.json().await.unwrap();
    page["comments"].as_array().unwrap().iter().map(|c| c["body"].as_str().unwrap().to_owned()).collect()
}

async fn post(server: &TestServer, body: &str) -> reqwest::Response {
    let form = json!({
        "author_name": "Camille", "author_email": "camille@example.org", "body": body,
        "form_token": server.form_token(SLUG).await,
    });
    server.client.post(server.url(COMMENTS)).json(&form).send().await.unwrap()
}

async fn rating(server: &TestServer) -> Value {
    server.get(RATING).await.json().await.unwrap()
}

#[tokio::test]
async fn a_write_through_one_instance_is_heard_and_served_by_the_other_at_once() {
    let (a, b) = two(|_| {}).await;
    // B has the thread in its page cache, and a reader follows the article through B.
    assert!(bodies(&b).await.is_empty());
    let mut on_b = Stream::open(&b, None).await;
    let mut on_a = Stream::open(&a, None).await;

    let posted = post_comment(&a, "Written through A.").await;
    let (_, heard) = on_b.next_event().await;
    let ArticleEvent::Comment { comment } = heard else { panic!("a comment event, got {heard:?}") };
    assert_eq!(comment.id, posted["comment"]["id"].as_i64().unwrap());
    // B forgot its cached page before it woke its streams: its very next answer has the comment.
    assert_eq!(bodies(&b).await, ["Written through A."]);

    vote(&b, "reader-0001-0123456789abcdef", 5).await;
    // A's stream hears the comment it wrote, then B's vote.
    assert!(matches!(on_a.next_event().await.1, ArticleEvent::Comment { .. }));
    let (_, heard) = on_a.next_event().await;
    let ArticleEvent::Rating { rating: summary } = heard else { panic!("a rating event, got {heard:?}") };
    assert_eq!(summary.count, 1);
    assert_eq!(rating(&a).await["count"], 1);
    assert!(matches!(on_b.next_event().await.1, ArticleEvent::Rating { .. }), "B hears its own vote once");
    on_b.assert_quiet(Duration::from_millis(300)).await;
}

#[tokio::test]
async fn idempotency_keys_votes_and_decisions_hold_across_instances() {
    let (a, b) = two(|c| c.moderation = news_widget_server::comments::Moderation::Pre).await;

    // The same Idempotency-Key through A, then B (a retry the balancer sent elsewhere).
    let key = "7d3c1a52-0b6e-4a57-9d2f-2f6f1e9b8c41";
    let mut ids = Vec::new();
    for server in [&a, &b] {
        let form = json!({
            "author_name": "Camille", "author_email": "camille@example.org", "body": "Sent twice.",
            "form_token": server.form_token(SLUG).await,
        });
        let answer =
            server.client.post(server.url(COMMENTS)).header("idempotency-key", key).json(&form).send().await.unwrap();
        assert!(answer.status().is_success(), "{}", answer.status());
        let body: Value = answer.json().await.unwrap();
        ids.push(body["comment"]["id"].as_i64().unwrap());
    }
    assert_eq!(ids[0], ids[1], "one comment for one key, whichever instance answers");
    let queue: Value = a.admin_json("/api/v1/admin/comments?status=pending").await;
    let pending = queue["comments"].as_array().map(Vec::len).or_else(|| queue.as_array().map(Vec::len));
    assert_eq!(pending, Some(1), "{queue}");

    // A moderator approves through A; readers of B see it as soon as B hears of it (its stream
    // wakes after its cache forgot the page), then a rejection through B hides it on A.
    let id = json!(ids[0]);
    assert!(bodies(&a).await.is_empty() && bodies(&b).await.is_empty(), "pending: shown nowhere");
    let (mut on_a, mut on_b) = (Stream::open(&a, None).await, Stream::open(&b, None).await);
    decide(&a, &id, "approve").await;
    assert!(matches!(on_b.next_event().await.1, ArticleEvent::Comment { .. }));
    assert_eq!(bodies(&b).await, ["Sent twice."]);
    assert!(matches!(on_a.next_event().await.1, ArticleEvent::Comment { .. }));
    assert_eq!(bodies(&a).await, ["Sent twice."]);
    decide(&b, &id, "reject").await;
    assert!(matches!(on_a.next_event().await.1, ArticleEvent::Removal { .. }));
    assert!(bodies(&a).await.is_empty(), "rejected through B, gone from A");

    // One reader's vote through A, changed through B: one vote, the second one's stars.
    vote(&a, "reader-0002-0123456789abcdef", 4).await;
    vote(&b, "reader-0002-0123456789abcdef", 2).await;
    for server in [&a, &b] {
        let summary = rating(server).await;
        assert_eq!((summary["count"].clone(), summary["average"].clone()), (json!(1), json!(2.0)), "{summary}");
    }
}

#[tokio::test]
async fn the_comment_rate_and_the_new_voters_per_address_are_shared() {
    let (a, b) = two(|c| {
        c.comment_burst = 2;
        c.comments_per_minute = 1;
        c.max_new_voters_per_ip = 3;
    })
    .await;
    assert_eq!(post(&a, "One.").await.status(), 201);
    assert_eq!(post(&b, "Two.").await.status(), 201);
    let third = post(&a, "Three.").await;
    assert_eq!(third.status(), 429, "the burst of two is spent across both instances");
    let wait: u64 = third.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    assert_eq!(post(&b, "Four.").await.status(), 429);

    for (i, server) in [&a, &b, &a].into_iter().enumerate() {
        vote(server, &format!("reader-01{i:02}-0123456789abcdef"), 3).await;
    }
    let fourth = b
        .client
        .put(b.url(RATING))
        .header("x-reader-token", "reader-0199-0123456789abcdef")
        .json(&json!({ "stars": 3 }))
        .send()
        .await
        .unwrap();
    assert_eq!(fourth.status(), 429, "three new voters a day from one address, across both");
}

#[tokio::test]
async fn a_console_session_works_on_either_instance() {
    let (a, b) = two(|_| {}).await;
    let db = news_widget_server::db::connect(&a.database).await.unwrap();
    let password = "a long moderator passphrase";
    let hash = accounts::hash_password(password).unwrap();
    accounts::add_user(&db, "mod@example.org", Role::Moderator, Some(&hash)).await.unwrap();

    let session = "/api/v1/admin/session";
    let signed_in =
        a.client.post(a.url(session)).json(&json!({"email": "mod@example.org", "password": password})).send().await;
    let signed_in = signed_in.unwrap();
    assert_eq!(signed_in.status(), 200);
    let cookie = signed_in.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let csrf = signed_in.json::<Value>().await.unwrap()["csrf_token"].as_str().unwrap().to_owned();

    let whoami = |server: &TestServer| server.client.get(server.url(session)).header("cookie", &cookie).send();
    assert_eq!(whoami(&b).await.unwrap().status(), 200, "signed in through A, known to B");
    let out = b.client.delete(b.url(session)).header("cookie", &cookie).header("x-csrf-token", &csrf).send().await;
    assert!(out.unwrap().status().is_success());
    assert_eq!(whoami(&a).await.unwrap().status(), 401, "signed out through B, gone on A");
    // The admin token still works on both (it is configuration, not state).
    for server in [&a, &b] {
        let answer = server.client.get(server.url("/api/v1/admin/users")).bearer_auth(ADMIN_TOKEN).send().await;
        assert_eq!(answer.unwrap().status(), 200);
    }
}
