//! The moderation rules (server/src/moderation.rs) over real HTTP on a real SQLite file: one
//! test per rule, links, hold words, block words, new commenters, bans and suspensions, closed
//! threads (by hand and after N days), and the rules' admin API.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{problem, TestServer, ADMIN_TOKEN};
use news_widget_server::moderation::Rules;
use serde_json::{json, Value};

const DEMO: &str = "cooperation-chine-kazakhstan";
const EMAIL: &str = "camille.secret@example.org";

fn comments_path(slug: &str) -> String {
    format!("/api/v1/articles/{slug}/comments")
}

/// A server with these rules as its defaults and a roomy rate limit.
async fn server(rules: Rules) -> TestServer {
    TestServer::start_with(|c| {
        c.comments_per_minute = 100_000;
        c.comment_burst = 100_000;
        c.rules = rules;
    })
    .await
}

/// Every rule off but the ones a test sets.
fn only(tweak: impl FnOnce(&mut Rules)) -> Rules {
    let mut rules = Rules { link_limit: 0, trusted_after: 0, ..Rules::default() };
    tweak(&mut rules);
    rules
}

fn comment(name: &str, email: &str, url: &str, body: &str) -> Value {
    json!({"author_name": name, "author_email": email, "author_url": url, "body": body})
}

async fn post_to(server: &TestServer, slug: &str, body: &Value) -> reqwest::Response {
    let mut body = body.clone();
    body["form_token"] = json!(server.form_token(slug).await);
    server.client.post(server.url(&comments_path(slug))).json(&body).send().await.unwrap()
}

/// Posts and answers the 201 body.
async fn posted(server: &TestServer, body: &Value) -> Value {
    let answer = post_to(server, DEMO, body).await;
    assert_eq!(answer.status(), 201);
    answer.json().await.unwrap()
}

async fn thread(server: &TestServer, slug: &str) -> Value {
    let answer = server.get(&comments_path(slug)).await;
    assert_eq!(answer.status(), 200);
    answer.json().await.unwrap()
}

fn ids(page: &Value) -> Vec<i64> {
    page["comments"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect()
}

/// The reason stored with comment `id`, from the admin listing `status`.
async fn reason(server: &TestServer, status: &str, id: i64) -> Option<String> {
    let queue = server.admin_json(&format!("/api/v1/admin/comments?status={status}")).await;
    let found = queue.as_array().unwrap().iter().find(|c| c["id"] == id)?;
    Some(found["held_reason"].as_str().unwrap_or_default().to_owned())
}

async fn admin(server: &TestServer, method: reqwest::Method, path: &str, body: &Value) -> reqwest::Response {
    server.client.request(method, server.url(path)).bearer_auth(ADMIN_TOKEN).json(body).send().await.unwrap()
}

async fn put_rules(server: &TestServer, rules: &Value) -> reqwest::Response {
    admin(server, reqwest::Method::PUT, "/api/v1/admin/rules", rules).await
}

/// RFC 3339 UTC, `seconds` from now.
fn utc_in(seconds: u64) -> String {
    let at = (SystemTime::now() + Duration::from_secs(seconds)).duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    let (y, m, d) = news_widget_api::civil_from_days(at.div_euclid(86_400));
    let s = at.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", s / 3600, s / 60 % 60, s % 60)
}

#[tokio::test]
async fn two_links_are_held_one_is_published() {
    let server = server(only(|r| r.link_limit = 2)).await;
    let two = posted(&server, &comment("Camille", EMAIL, "", "See https://a.example and HTTP://b.example")).await;
    assert_eq!(two["status"], "pending", "{two}");
    let id = two["comment"]["id"].as_i64().unwrap();
    assert_eq!(reason(&server, "pending", id).await.as_deref(), Some("links:2"));
    // The website is a field of its own: it does not count as a link of the body.
    let one = posted(&server, &comment("Camille", EMAIL, "https://camille.example/", "See https://a.example")).await;
    assert_eq!(one["status"], "approved", "{one}");
    assert_eq!(ids(&thread(&server, DEMO).await), [one["comment"]["id"].as_i64().unwrap()]);
}

#[tokio::test]
async fn a_hold_word_holds_in_the_name_the_website_the_email_and_the_body() {
    let server = server(only(|_| {})).await;
    let rules = json!({"link_limit": 0, "hold_words": ["Casino", "cheap pills"], "block_words": [],
                       "trusted_after": 0, "close_after_days": null});
    assert_eq!(put_rules(&server, &rules).await.status(), 200);
    for body in [
        comment("Casino Royale", EMAIL, "", "Hello"),
        comment("Camille", EMAIL, "https://casino.example/", "Hello"),
        comment("Camille", "me@casino.example", "", "Hello"),
        comment("Camille", EMAIL, "", "Buy CHEAP-pills now"),
    ] {
        let answer = posted(&server, &body).await;
        assert_eq!(answer["status"], "pending", "{body}: {answer}");
        let id = answer["comment"]["id"].as_i64().unwrap();
        let why = reason(&server, "pending", id).await.unwrap();
        assert!(why.starts_with("hold_word:"), "{why}");
    }
    // Whole words only: "casinos" and "occasional" are other words.
    let fine = posted(&server, &comment("Camille", EMAIL, "", "Casinos are occasional")).await;
    assert_eq!(fine["status"], "approved", "{fine}");
    assert_eq!(thread(&server, DEMO).await["total"], 1);
}

#[tokio::test]
async fn a_block_word_looks_pending_to_its_author_and_never_shows() {
    let server = server(only(|r| r.block_words = vec!["viagra".into()])).await;
    let answer = posted(&server, &comment("Camille", EMAIL, "", "Cheap Viagra here")).await;
    assert_eq!(answer["status"], "pending", "{answer}");
    assert_eq!(answer["comment"]["status"], "pending", "{answer}");
    let id = answer["comment"]["id"].as_i64().unwrap();
    let token = answer["edit_token"].as_str().unwrap();
    let state: Value = server
        .client
        .get(server.url(&format!("/api/v1/comments/{id}/status")))
        .header("x-edit-token", token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["status"], "pending", "{state}");
    let page = thread(&server, DEMO).await;
    assert!(ids(&page).is_empty() && page["total"] == 0, "{page}");
    assert!(!page.to_string().contains("Viagra"), "{page}");
    // Stored as rejected, with its reason, for moderators; not in the pending queue.
    assert_eq!(reason(&server, "rejected", id).await.as_deref(), Some("block_word:viagra"));
    assert_eq!(reason(&server, "pending", id).await, None);
}

#[tokio::test]
async fn a_first_comment_is_held_until_one_is_approved() {
    let server = server(Rules::default()).await;
    let first = posted(&server, &comment("Camille", EMAIL, "", "My first comment")).await;
    assert_eq!(first["status"], "pending", "{first}");
    let id = first["comment"]["id"].as_i64().unwrap();
    assert_eq!(reason(&server, "pending", id).await.as_deref(), Some("new_commenter"));
    // Still new until a moderator approves one (the email's case does not make another person).
    let again = posted(&server, &comment("Camille", &EMAIL.to_uppercase(), "", "Second, still new")).await;
    assert_eq!(again["status"], "pending", "{again}");
    let approve =
        admin(&server, reqwest::Method::POST, &format!("/api/v1/admin/comments/{id}/approve"), &json!({})).await;
    assert_eq!(approve.status(), 204);
    let trusted = posted(&server, &comment("Camille", EMAIL, "", "Now I am known")).await;
    assert_eq!(trusted["status"], "approved", "{trusted}");
    // Another person is new.
    let other = posted(&server, &comment("Dominique", "dominique@example.org", "", "Hello")).await;
    assert_eq!(other["status"], "pending", "{other}");
}

#[tokio::test]
async fn banned_and_suspended_people_look_pending_and_nothing_shows() {
    let server = server(only(|_| {})).await;
    let bans = "/api/v1/admin/bans";
    let ban = admin(&server, reqwest::Method::POST, bans, &json!({"email": EMAIL, "reason": "spam"})).await;
    assert_eq!(ban.status(), 201);
    let ban: Value = ban.json().await.unwrap();
    assert!(ban["until"].is_null() && ban["reason"] == "spam" && !ban.to_string().contains(EMAIL), "{ban}");
    let hidden = posted(&server, &comment("Camille", EMAIL, "", "Banned words of mine")).await;
    assert_eq!(hidden["status"], "pending", "{hidden}");
    let hidden_id = hidden["comment"]["id"].as_i64().unwrap();
    assert!(ids(&thread(&server, DEMO).await).is_empty());
    assert_eq!(reason(&server, "rejected", hidden_id).await.as_deref(), Some("banned"));
    let listed = server.admin_json(bans).await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    // Lifted: the person publishes again.
    assert_eq!(admin(&server, reqwest::Method::DELETE, bans, &json!({"email": EMAIL})).await.status(), 204);
    assert_eq!(admin(&server, reqwest::Method::DELETE, bans, &json!({"email": EMAIL})).await.status(), 404);
    let back = posted(&server, &comment("Camille", EMAIL, "", "Back again")).await;
    assert_eq!(back["status"], "approved", "{back}");
    let back_id = back["comment"]["id"].as_i64().unwrap();

    // Suspended, by one of their comments, for two seconds.
    let until = utc_in(2);
    let suspend = admin(&server, reqwest::Method::POST, bans, &json!({"comment_id": back_id, "until": until})).await;
    assert_eq!(suspend.status(), 201);
    let during = posted(&server, &comment("Camille", EMAIL, "", "While suspended")).await;
    assert_eq!(during["status"], "pending", "{during}");
    let during_id = during["comment"]["id"].as_i64().unwrap();
    assert_eq!(reason(&server, "rejected", during_id).await.as_deref(), Some("suspended"));
    assert_eq!(ids(&thread(&server, DEMO).await), [back_id]);
    tokio::time::sleep(Duration::from_millis(3100)).await;
    let after = posted(&server, &comment("Camille", EMAIL, "", "Suspension over")).await;
    assert_eq!(after["status"], "approved", "{after}");

    // A bad ban names its field.
    let bad =
        problem(admin(&server, reqwest::Method::POST, bans, &json!({"email": EMAIL, "until": "soon"})).await, 422)
            .await;
    assert_eq!(bad["errors"][0]["field"], "until", "{bad}");
    let bad = problem(admin(&server, reqwest::Method::POST, bans, &json!({"comment_id": 999_999})).await, 422).await;
    assert_eq!(bad["errors"][0]["field"], "comment_id", "{bad}");
    let anonymous = server.client.post(server.url(bans)).json(&json!({"email": EMAIL})).send().await.unwrap();
    problem(anonymous, 401).await;
}

/// The no-JavaScript form of `slug`, sent.
async fn send_form(server: &TestServer, slug: &str) -> reqwest::Response {
    let form = [
        ("name", "Camille".to_owned()),
        ("email", EMAIL.to_owned()),
        ("website", String::new()),
        ("website_confirm", String::new()),
        ("body", "Bonjour à tous".to_owned()),
        ("form_token", server.form_token(slug).await),
        ("idempotency_key", "nonce-0123456789".to_owned()),
        ("lang", "fr".to_owned()),
    ];
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    client.post(server.url(&format!("/api/v1/articles/{slug}/comments/form"))).form(&form).send().await.unwrap()
}

/// Whether a server render holds the comment form (the share dialog and the rating have forms
/// of their own), else the closed notice.
fn has_comment_form(html: &str) -> bool {
    let form = html.contains("<form") && html.contains("nw-comment-form");
    assert_ne!(form, html.contains("class=\"nw-closed\""), "either the form or the closed notice: {html}");
    form
}

async fn fragment(server: &TestServer, slug: &str) -> String {
    let answer = server.get(&format!("/api/v1/articles/{slug}/widget")).await;
    assert_eq!(answer.status(), 200);
    answer.text().await.unwrap()
}

async fn set_closed(server: &TestServer, slug: &str, closed: bool) -> reqwest::Response {
    let path = format!("/api/v1/admin/articles/{slug}/comments");
    admin(server, reqwest::Method::PUT, &path, &json!({"closed": closed})).await
}

/// A POST to a closed thread: 403 problem+json naming why, on both routes.
async fn assert_refused(server: &TestServer, slug: &str) {
    let json = problem(post_to(server, slug, &comment("Camille", EMAIL, "", "Too late")).await, 403).await;
    assert!(json["detail"].as_str().unwrap().contains("comments are closed on this article"), "{json}");
    let form = problem(send_form(server, slug).await, 403).await;
    assert!(form["detail"].as_str().unwrap().contains("comments are closed on this article"), "{form}");
}

#[tokio::test]
async fn a_closed_article_keeps_its_thread_refuses_posts_and_reopens() {
    let server = server(only(|_| {})).await;
    let kept = posted(&server, &comment("Camille", EMAIL, "", "Before the close")).await;
    assert!(has_comment_form(&fragment(&server, DEMO).await));

    let closed = set_closed(&server, DEMO, true).await;
    assert_eq!(closed.status(), 200);
    assert_eq!(closed.json::<Value>().await.unwrap(), json!({"closed": true}));
    let page = thread(&server, DEMO).await;
    assert_eq!(page["closed"], true, "{page}");
    assert_eq!(ids(&page), [kept["comment"]["id"].as_i64().unwrap()], "the thread stays readable");
    assert_refused(&server, DEMO).await;
    // The server render paints no form, and its seed says closed.
    let html = fragment(&server, DEMO).await;
    assert!(!has_comment_form(&html));
    assert!(html.contains("\"closed\":true"), "{html}");

    assert_eq!(set_closed(&server, DEMO, false).await.status(), 200);
    assert_ne!(thread(&server, DEMO).await["closed"], true);
    let after = posted(&server, &comment("Camille", EMAIL, "", "Open again")).await;
    assert_eq!(after["status"], "approved", "{after}");
    assert!(has_comment_form(&fragment(&server, DEMO).await));

    problem(set_closed(&server, "no-such-article", true).await, 404).await;
    let anonymous = server
        .client
        .put(server.url(&format!("/api/v1/admin/articles/{DEMO}/comments")))
        .json(&json!({"closed": true}))
        .send()
        .await
        .unwrap();
    problem(anonymous, 401).await;
}

#[tokio::test]
async fn comments_close_by_themselves_days_after_publication() {
    let server = server(only(|r| r.close_after_days = Some(30))).await;
    let old = json!({"lang": "en", "title": "Old", "body_html": "<p>Old news</p>", "published_at": "2020-01-01T10:00:00+02:00"});
    assert!(server.put_article("old", &old).await.status().is_success());
    assert_eq!(thread(&server, "old").await["closed"], true);
    assert_refused(&server, "old").await;
    assert!(!has_comment_form(&fragment(&server, "old").await));

    // Longer than its age: open.
    let rules =
        json!({"link_limit": 0, "hold_words": [], "block_words": [], "trusted_after": 0, "close_after_days": 36500});
    assert_eq!(put_rules(&server, &rules).await.status(), 200);
    assert_ne!(thread(&server, "old").await["closed"], true);
    assert_eq!(post_to(&server, "old", &comment("Camille", EMAIL, "", "Still open")).await.status(), 201);

    // An admin's reopen wins over the automatic close.
    let rules =
        json!({"link_limit": 0, "hold_words": [], "block_words": [], "trusted_after": 0, "close_after_days": 30});
    assert_eq!(put_rules(&server, &rules).await.status(), 200);
    assert_eq!(thread(&server, "old").await["closed"], true);
    assert_eq!(set_closed(&server, "old", false).await.status(), 200);
    assert_ne!(thread(&server, "old").await["closed"], true);
    assert_eq!(post_to(&server, "old", &comment("Camille", EMAIL, "", "Reopened")).await.status(), 201);
}

#[tokio::test]
async fn the_rules_are_edited_through_the_admin_api() {
    let server = server(Rules::default()).await;
    let defaults = server.admin_json("/api/v1/admin/rules").await;
    assert_eq!(
        defaults,
        json!({"link_limit": 2, "hold_words": [], "block_words": [], "trusted_after": 1, "close_after_days": null})
    );
    let rules = json!({"link_limit": 3, "hold_words": ["  Free MONEY "], "block_words": ["spam", "SPAM"],
                       "trusted_after": 2, "close_after_days": 90});
    let saved = put_rules(&server, &rules).await;
    assert_eq!(saved.status(), 200);
    let normalized = json!({"link_limit": 3, "hold_words": ["free money"], "block_words": ["spam"], "trusted_after": 2, "close_after_days": 90});
    assert_eq!(saved.json::<Value>().await.unwrap(), normalized);
    assert_eq!(server.admin_json("/api/v1/admin/rules").await, normalized);

    let base = normalized.clone();
    for (field, value, named) in [
        ("link_limit", json!(-1), "link_limit"),
        ("link_limit", json!("two"), "link_limit"),
        ("trusted_after", json!(5000), "trusted_after"),
        ("close_after_days", json!(0), "close_after_days"),
        ("hold_words", json!(["fine", "!!"]), "hold_words[1]"),
        ("block_words", json!(["x".repeat(101)]), "block_words[0]"),
        ("surprise", json!(true), "surprise"),
    ] {
        let mut body = base.clone();
        body[field] = value;
        let bad = problem(put_rules(&server, &body).await, 422).await;
        assert_eq!(bad["errors"][0]["field"], named, "{body}: {bad}");
    }
    let mut missing = base.clone();
    missing.as_object_mut().unwrap().remove("trusted_after");
    let bad = problem(put_rules(&server, &missing).await, 422).await;
    assert_eq!(bad["errors"][0]["field"], "trusted_after", "{bad}");
    assert_eq!(server.admin_json("/api/v1/admin/rules").await, normalized, "a refused body changes nothing");

    let anonymous = server.client.put(server.url("/api/v1/admin/rules")).json(&base).send().await.unwrap();
    problem(anonymous, 401).await;
    problem(server.get("/api/v1/admin/rules").await, 401).await;

    let doc: Value = server.get("/api/v1/openapi.json").await.json().await.unwrap();
    for path in ["/api/v1/admin/rules", "/api/v1/admin/bans", "/api/v1/admin/articles/{slug}/comments"] {
        assert!(doc["paths"][path].is_object(), "{path} is not in the OpenAPI document");
    }
}
