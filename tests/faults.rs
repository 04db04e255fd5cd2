//! Nothing lost, nothing twice: 200 comments through the form's own send path, across the fault
//! proxy of `cargo xtask test` (dropped connections before and after the server stored the
//! comment, canned 500s, answers stalled past the client's time-out, the server killed and started
//! again midway), then the server asked directly what it stored.
//!
//! Left out of the ordinary browser-test step; `cargo xtask test` runs it in a step of its own,
//! with the proxy up, as `wasm-pack test --headless --chrome -- --test faults` (alone: `cargo xtask faults`).

#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use news_widget::backend::{Backend, FetchError};
use news_widget::comments::send::{send_until_done, Outcome, RetryPolicy};
use news_widget_api::{CommentInput, Slug};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The fault proxy's API (`http://127.0.0.1:PORT/api/v1`), in front of the server.
const PROXY: Option<&str> = option_env!("NEWS_WIDGET_FAULT_PROXY");
/// The server's own API, to count what it stored without the proxy in the way.
const SERVER: Option<&str> = option_env!("NEWS_WIDGET_FAULT_SERVER");
const ADMIN_TOKEN: Option<&str> = option_env!("NEWS_WIDGET_FAULT_ADMIN_TOKEN");

const SLUG: &str = "fault-injection";
const COMMENTS: usize = 200;
/// Comments in flight at once.
const AT_ONCE: usize = 4;
/// The client's time-out for one try: the proxy's stalls hold longer.
const TIMEOUT_MS: u32 = 1_000;
/// Up to 30 tries a comment, the waits growing to 1 s (the form's are 2 to 30 s).
static BACKOFF_MS: [u32; 29] = {
    let mut waits = [1_000; 29];
    (waits[0], waits[1], waits[2], waits[3]) = (100, 200, 400, 800);
    waits
};

#[derive(Default)]
struct Tally {
    tries: usize,
    most_tries: usize,
    network: usize,
    timeouts: usize,
    server_errors: usize,
    other: BTreeMap<String, usize>,
}

fn env(value: Option<&'static str>, name: &str) -> &'static str {
    value
        .unwrap_or_else(|| panic!("{name} is unset: run this through `cargo xtask test`, which starts the fault proxy"))
}

async fn json(request: gloo_net::http::RequestBuilder) -> serde_json::Value {
    let response = request.header("Accept", "application/json").send().await.unwrap();
    assert!(response.ok(), "{}: {}", response.url(), response.status());
    response.json().await.unwrap()
}

/// Polls every future until all are done (no executor of our own: the page's).
async fn join_all(mut futures: Vec<Pin<Box<dyn Future<Output = ()>>>>) {
    std::future::poll_fn(move |cx| {
        futures.retain_mut(|f| f.as_mut().poll(cx).is_pending());
        if futures.is_empty() {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await
}

/// Needs the fault proxy: `cargo xtask test` runs it in a step of its own (`cargo xtask faults`
/// alone), and leaves it out of the ordinary browser-test step.
#[wasm_bindgen_test]
async fn two_hundred_comments_through_faults_are_stored_once_each() {
    let (proxy, server, admin) = (
        env(PROXY, "NEWS_WIDGET_FAULT_PROXY"),
        env(SERVER, "NEWS_WIDGET_FAULT_SERVER"),
        env(ADMIN_TOKEN, "NEWS_WIDGET_FAULT_ADMIN_TOKEN"),
    );
    let bearer = format!("Bearer {admin}");
    let article = serde_json::json!({"lang": "en", "title": "Faults", "body_html": "<p>b</p>", "published_at": "2026-11-27T10:00:00Z"});
    let put = gloo_net::http::Request::put(&format!("{server}/articles/{SLUG}"))
        .header("Authorization", &bearer)
        .json(&article)
        .unwrap()
        .send()
        .await
        .unwrap();
    assert!(put.ok(), "PUT the article: {}", put.status());

    let backend = Backend::rest(proxy);
    let slug = Slug::parse(SLUG).unwrap();
    // One form token for all 200, as the form fetches one per draft (a server without the time
    // trap has no such route: the comments are then sent without one).
    let form_token = match backend.form_token(&slug).await {
        Ok(token) => token,
        Err(e) => {
            console_log!("fault run: no form token ({}); sending without one", e.detail());
            String::new()
        }
    };
    let policy = RetryPolicy { backoff_ms: &BACKOFF_MS, timeout_ms: TIMEOUT_MS };
    let tally = Rc::new(RefCell::new(Tally::default()));
    let posted_ids = Rc::new(RefCell::new(Vec::new()));
    let next = Rc::new(RefCell::new(0usize));
    let started = js_sys::Date::now();

    let workers = (0..AT_ONCE).map(|_| {
        let (backend, slug, form_token, tally, posted_ids, next) =
            (backend.clone(), slug.clone(), form_token.clone(), tally.clone(), posted_ids.clone(), next.clone());
        Box::pin(async move {
            loop {
                let i = {
                    let mut next = next.borrow_mut();
                    *next += 1;
                    *next - 1
                };
                if i >= COMMENTS {
                    return;
                }
                let input = CommentInput {
                    parent_id: None,
                    author_name: format!("Reader {i}"),
                    author_email: format!("reader{i}@example.org"),
                    author_url: None,
                    body: format!("Fault-injection comment number {i}."),
                    website_confirm: String::new(),
                    form_token: form_token.clone(),
                };
                // Each comment its own key, the same on every try: as the form keeps it in the draft.
                let key = news_widget::comments::store::new_key();
                let mut tries = 0;
                let result = send_until_done(&backend, &slug, &input, &key, &policy, |outcome| {
                    tries += 1;
                    let mut tally = tally.borrow_mut();
                    tally.tries += 1;
                    if let Outcome::Retry { error, .. } | Outcome::Stop(error) = outcome {
                        match error {
                            FetchError::Network(e) if e.starts_with("no answer within") => tally.timeouts += 1,
                            FetchError::Network(_) => tally.network += 1,
                            FetchError::Status { status: 500..=599, .. } => tally.server_errors += 1,
                            other => *tally.other.entry(other.detail()).or_default() += 1,
                        }
                    }
                })
                .await;
                let posted =
                    result.unwrap_or_else(|e| panic!("comment {i} not sent after {tries} tries: {}", e.detail()));
                let mut t = tally.borrow_mut();
                t.most_tries = t.most_tries.max(tries);
                drop(t);
                posted_ids.borrow_mut().push(posted.comment.id);
            }
        }) as Pin<Box<dyn Future<Output = ()>>>
    });
    join_all(workers.collect()).await;
    let seconds = (js_sys::Date::now() - started) / 1_000.0;

    // What the server stored, asked directly: published comments and those held for review.
    let page = json(gloo_net::http::Request::get(&format!("{server}/articles/{SLUG}/comments?limit=1000"))).await;
    let mut bodies: Vec<String> =
        page["comments"].as_array().unwrap().iter().map(|c| c["body"].as_str().unwrap().to_owned()).collect();
    let published = bodies.len();
    let held = json(
        gloo_net::http::Request::get(&format!("{server}/admin/comments?status=pending"))
            .header("Authorization", &bearer),
    )
    .await;
    bodies.extend(
        held.as_array()
            .unwrap()
            .iter()
            .filter(|m| m["article_slug"] == SLUG)
            .map(|m| m["comment"]["body"].as_str().unwrap().to_owned()),
    );
    let distinct: BTreeSet<&String> = bodies.iter().collect();
    let expected: BTreeSet<String> = (0..COMMENTS).map(|i| format!("Fault-injection comment number {i}.")).collect();
    let ids: BTreeSet<i64> = posted_ids.borrow().iter().copied().collect();

    let tally = tally.borrow();
    console_log!(
        "fault run (browser): {COMMENTS} comments, {AT_ONCE} at a time, time-out {TIMEOUT_MS} ms, {}: {} tries \
         ({:.2} a comment, at most {}); failed tries seen: {} time-outs, {} network errors, {} 5xx, other {:?}; \
         stored {} ({published} published, {} held for review), {} distinct, {} twice or more; {seconds:.1} s",
        if form_token.is_empty() { "no form token" } else { "one form token" },
        tally.tries,
        tally.tries as f64 / COMMENTS as f64,
        tally.most_tries,
        tally.timeouts,
        tally.network,
        tally.server_errors,
        tally.other,
        bodies.len(),
        bodies.len() - published,
        distinct.len(),
        bodies.len() - distinct.len(),
    );
    assert!(tally.other.is_empty(), "unexpected failures: {:?}", tally.other);
    assert!(tally.tries > COMMENTS, "no try failed: is the proxy injecting faults?");
    assert_eq!(ids.len(), COMMENTS, "the answers name {} distinct comments", ids.len());
    assert_eq!(bodies.len(), distinct.len(), "some comments are stored twice");
    assert_eq!(distinct.into_iter().cloned().collect::<BTreeSet<String>>(), expected);
}
