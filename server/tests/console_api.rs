//! The moderators' console's API (server/src/console.rs, server/src/audit.rs) over real HTTP
//! on a real SQLite file: the queues and their counts, search, reports grouped, decisions with
//! reasons and their history, bulk decisions, the audit CSV, the reader drawer (notes, bans,
//! reject-all, the admins' email reveal), the articles and their moderation override, and the
//! credentials every new route needs.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{problem, TestServer, ADMIN_TOKEN};
use news_widget_server::accounts::{self, Role};
use news_widget_server::comments::Moderation;
use news_widget_server::db;
use reqwest::Method;
use serde_json::{json, Value};

const DEMO: &str = "cooperation-chine-kazakhstan";
const ADMIN: (&str, &str) = ("chief@example.org", "a long admin passphrase");
const MODERATOR: (&str, &str) = ("mod@example.org", "a long moderator passphrase");
const CAMILLE: &str = "camille.secret@example.org";
const DOMINIQUE: &str = "dominique.hidden@example.org";

/// A server with an admin and a moderator account and a roomy rate limit.
async fn server_with(moderation: Moderation) -> TestServer {
    let server = TestServer::start_with(move |c| {
        c.comments_per_minute = 100_000;
        c.comment_burst = 100_000;
        c.moderation = moderation;
    })
    .await;
    let db = db::connect(&server.database).await.unwrap();
    for ((email, password), role) in [(ADMIN, Role::Admin), (MODERATOR, Role::Moderator)] {
        let hash = accounts::hash_password(password).unwrap();
        accounts::add_user(&db, email, role, Some(&hash)).await.unwrap();
    }
    server
}

async fn server() -> TestServer {
    server_with(Moderation::Post).await
}

struct Session {
    cookie: String,
    csrf: String,
}

async fn login(server: &TestServer, (email, password): (&str, &str)) -> Session {
    let answer = server
        .client
        .post(server.url("/api/v1/admin/session"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200, "sign-in of {email}");
    let cookie = answer.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let body: Value = answer.json().await.unwrap();
    Session { cookie, csrf: body["csrf_token"].as_str().unwrap().to_owned() }
}

impl Session {
    /// With the session's CSRF token.
    fn send(&self, server: &TestServer, method: Method, path: &str) -> reqwest::RequestBuilder {
        server
            .client
            .request(method, server.url(path))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf)
    }
}

/// A request with the admin token.
fn token(server: &TestServer, method: Method, path: &str) -> reqwest::RequestBuilder {
    server.client.request(method, server.url(path)).bearer_auth(ADMIN_TOKEN)
}

async fn json_of(request: reqwest::RequestBuilder, status: u16) -> Value {
    let answer = request.send().await.unwrap();
    let got = answer.status().as_u16();
    let body = answer.text().await.unwrap();
    assert_eq!(got, status, "{body}");
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

fn comments_path(slug: &str) -> String {
    format!("/api/v1/articles/{slug}/comments")
}

/// Posts a comment on `slug` and answers the 201 body.
async fn post_on(server: &TestServer, slug: &str, name: &str, email: &str, body: &str) -> Value {
    let input = json!({"author_name": name, "author_email": email, "body": body,
                       "form_token": server.form_token(slug).await});
    json_of(server.client.post(server.url(&comments_path(slug))).json(&input), 201).await
}

async fn post(server: &TestServer, name: &str, email: &str, body: &str) -> i64 {
    post_on(server, DEMO, name, email, body).await["comment"]["id"].as_i64().unwrap()
}

async fn thread_ids(server: &TestServer, slug: &str) -> Vec<i64> {
    let page: Value = server.get(&comments_path(slug)).await.json().await.unwrap();
    page["comments"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect()
}

async fn queue(server: &TestServer, query: &str) -> Value {
    json_of(token(server, Method::GET, &format!("/api/v1/admin/queue?{query}")), 200).await
}

fn item_ids(page: &Value) -> Vec<i64> {
    page["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect()
}

async fn report(server: &TestServer, id: i64, reader: u8, reason: &str) {
    let answer = server
        .client
        .post(server.url(&format!("/api/v1/comments/{id}/report")))
        .header("x-reader-token", format!("reader-token-000000000000{reader:02}"))
        .json(&json!({"reason": reason}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 204);
}

async fn set_rules(server: &TestServer, hold: &[&str], block: &[&str]) {
    let rules = json!({"link_limit": 0, "hold_words": hold, "block_words": block, "trusted_after": 0,
                       "close_after_days": null});
    json_of(token(server, Method::PUT, "/api/v1/admin/rules").json(&rules), 200).await;
}

async fn history(server: &TestServer, id: i64) -> Vec<Value> {
    let h = json_of(token(server, Method::GET, &format!("/api/v1/admin/comments/{id}/history")), 200).await;
    h.as_array().unwrap().clone()
}

async fn csv(server: &TestServer, query: &str) -> String {
    let answer = token(server, Method::GET, &format!("/api/v1/admin/audit.csv{query}")).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    assert!(answer.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(answer.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    answer.text().await.unwrap()
}

/// RFC 3339 UTC, `seconds` from now (negative: ago).
fn utc_in(seconds: i64) -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO).as_secs() as i64;
    let at = now + seconds;
    let (y, m, d) = news_widget_api::civil_from_days(at.div_euclid(86_400));
    let s = at.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", s / 3600, s / 60 % 60, s % 60)
}

fn article(title: &str) -> Value {
    json!({"lang": "en", "title": title, "body_html": "<p>text</p>", "published_at": "2026-11-27T10:00:00Z",
           "image": {"src": "/media/chine-kazakhstan.svg", "alt": "flags", "width": 1200, "height": 675},
           "editor_score": 80})
}

#[tokio::test]
async fn queues_count_search_and_group_the_reports() {
    let server = server().await;
    assert_eq!(server.put_article("budget-vote", &article("The Budget Vote")).await.status(), 201);
    set_rules(&server, &["casino"], &["viagra"]).await;
    let held = post(&server, "Camille", CAMILLE, "Visit my Casino").await;
    let blocked = post(&server, "Camille", CAMILLE, "Cheap viagra").await;
    let fine = post(&server, "Dominique", DOMINIQUE, "A fine point about Tariffs").await;
    let other = post_on(&server, "budget-vote", "Dominique", DOMINIQUE, "On the budget").await["comment"]["id"]
        .as_i64()
        .unwrap();
    for (reader, reason) in [(1, "spam"), (2, "rude"), (3, "spam")] {
        report(&server, fine, reader, reason).await;
    }

    let pending = queue(&server, "queue=pending").await;
    assert_eq!(pending["queue"], "pending");
    assert_eq!(item_ids(&pending), [held]);
    assert_eq!(pending["counts"], json!({"pending": 1, "reported": 1, "approved": 2, "rejected": 1}));
    assert_eq!(pending["items"][0]["held_reason"], "hold_word:casino");
    let demo: Value = server.get(&format!("/api/v1/articles/{DEMO}")).await.json().await.unwrap();
    assert_eq!(pending["items"][0]["article_title"], demo["title"]);
    assert!(!demo["title"].as_str().unwrap().is_empty());
    assert_eq!(pending["items"][0]["last_decision"]["actor"], "rules");
    assert_eq!(pending["items"][0]["last_decision"]["action"], "held");
    assert!(!pending.to_string().contains(CAMILLE), "no email in a queue");

    let reported = queue(&server, "queue=reported").await;
    assert_eq!(item_ids(&reported), [fine]);
    assert_eq!(reported["items"][0]["report_count"], 3);
    assert_eq!(
        reported["items"][0]["reports"],
        json!([{"reason": "spam", "count": 2}, {"reason": "rude", "count": 1}])
    );

    let rejected = queue(&server, "queue=rejected").await;
    assert_eq!(item_ids(&rejected), [blocked]);
    assert_eq!(rejected["items"][0]["last_decision"]["action"], "reject");
    // Approved: newest first, and pages follow `next`.
    let approved = queue(&server, "queue=approved&limit=1").await;
    assert_eq!(item_ids(&approved), [other]);
    let next = approved["next"].as_i64().unwrap();
    let rest = queue(&server, &format!("queue=approved&limit=1&before={next}")).await;
    assert_eq!(item_ids(&rest), [fine]);
    assert!(rest.get("next").is_none(), "{rest}");

    // Search: the body (whatever the case), the author's name, the article by slug or title.
    let by_body = queue(&server, "queue=approved&q=TARIFFS").await;
    assert_eq!(item_ids(&by_body), [fine]);
    assert_eq!(by_body["counts"], json!({"pending": 0, "reported": 1, "approved": 1, "rejected": 0}));
    assert_eq!(item_ids(&queue(&server, "queue=pending&author=amil").await), [held]);
    assert!(item_ids(&queue(&server, "queue=pending&author=dominique").await).is_empty());
    assert_eq!(item_ids(&queue(&server, "queue=approved&article=budget-vote").await), [other]);
    assert_eq!(item_ids(&queue(&server, "queue=approved&article=budget%20VOTE").await), [other]);

    // Bad parameters are problems naming them.
    for (query, field) in
        [("queue=spam", "queue"), ("limit=0", "limit"), ("limit=201", "limit"), ("before=x", "before")]
    {
        let body =
            problem(token(&server, Method::GET, &format!("/api/v1/admin/queue?{query}")).send().await.unwrap(), 422)
                .await;
        assert_eq!(body["errors"][0]["field"], field, "{query}: {body}");
    }

    // Approving a reported comment reviews its reports: it leaves Reported, stays approved, and
    // a new report brings it back.
    json_of(token(&server, Method::POST, &format!("/api/v1/admin/comments/{fine}/approve")), 204).await;
    let after = queue(&server, "queue=reported").await;
    assert!(item_ids(&after).is_empty(), "{after}");
    assert_eq!(after["counts"]["approved"], 2);
    report(&server, fine, 4, "off topic").await;
    assert_eq!(item_ids(&queue(&server, "queue=reported").await), [fine]);
    // The old listing still works.
    let old = server.admin_json("/api/v1/admin/comments?status=pending").await;
    assert_eq!(old.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn decisions_keep_their_reasons_in_the_history() {
    let server = server().await;
    set_rules(&server, &["casino"], &[]).await;
    let id = post(&server, "Camille", CAMILLE, "Casino night").await;
    let moderator = login(&server, MODERATOR).await;
    let approve = format!("/api/v1/admin/comments/{id}/approve");
    let answer = moderator.send(&server, Method::POST, &approve).json(&json!({"reason": " not an ad "})).send().await;
    assert_eq!(answer.unwrap().status(), 204);
    assert_eq!(thread_ids(&server, DEMO).await, [id]);
    // An empty body still works; a bad reason is a problem naming it.
    let reject = format!("/api/v1/admin/comments/{id}/reject");
    assert_eq!(token(&server, Method::POST, &reject).send().await.unwrap().status(), 204);
    assert!(thread_ids(&server, DEMO).await.is_empty());
    let bad = token(&server, Method::POST, &reject).json(&json!({"reason": "two\nlines"})).send().await.unwrap();
    assert_eq!(problem(bad, 422).await["errors"][0]["field"], "reason");
    let long = token(&server, Method::POST, &reject).json(&json!({"reason": "x".repeat(501)})).send().await.unwrap();
    assert_eq!(problem(long, 422).await["errors"][0]["field"], "reason");

    let history = history(&server, id).await;
    let got: Vec<(&str, &str, Option<&str>)> = history
        .iter()
        .map(|h| (h["actor"].as_str().unwrap(), h["action"].as_str().unwrap(), h["reason"].as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("rules", "held", Some("hold_word:casino")),
            (MODERATOR.0, "approve", Some("not an ad")),
            ("admin token", "reject", None),
        ]
    );
    assert!(history.iter().all(|h| h["comment_id"] == id && h["at"].is_string()));
    let missing = token(&server, Method::GET, "/api/v1/admin/comments/999999/history").send().await.unwrap();
    problem(missing, 404).await;
}

#[tokio::test]
async fn bulk_decisions_list_what_failed_and_do_the_rest() {
    let server = server().await;
    let a = post(&server, "Camille", CAMILLE, "one").await;
    let b = post(&server, "Camille", CAMILLE, "two").await;
    let gone = post(&server, "Camille", CAMILLE, "three").await;
    assert_eq!(
        token(&server, Method::DELETE, &format!("/api/v1/admin/comments/{gone}")).send().await.unwrap().status(),
        204
    );
    let bulk = "/api/v1/admin/comments/bulk";
    let result = json_of(
        token(&server, Method::POST, bulk).json(&json!({"ids": [a, gone, b], "action": "reject", "reason": "flood"})),
        200,
    )
    .await;
    assert_eq!(result["done"], json!([a, b]));
    assert_eq!(result["failed"].as_array().unwrap().len(), 1);
    assert_eq!(result["failed"][0]["id"], gone);
    assert!(result["failed"][0]["detail"].as_str().unwrap().contains(&gone.to_string()));
    assert!(thread_ids(&server, DEMO).await.is_empty());
    for id in [a, b] {
        let last = history(&server, id).await.pop().unwrap();
        assert_eq!((last["action"].as_str(), last["reason"].as_str()), (Some("reject"), Some("flood")));
    }
    let approved =
        json_of(token(&server, Method::POST, bulk).json(&json!({"ids": [a], "action": "approve"})), 200).await;
    assert_eq!(approved["done"], json!([a]));
    assert_eq!(thread_ids(&server, DEMO).await, [a]);

    let too_many: Vec<i64> = (1..=501).collect();
    for ids in [json!([]), json!(too_many)] {
        let answer = token(&server, Method::POST, bulk).json(&json!({"ids": ids, "action": "reject"})).send().await;
        assert_eq!(problem(answer.unwrap(), 422).await["errors"][0]["field"], "ids");
    }
    let answer = token(&server, Method::POST, bulk).json(&json!({"ids": [a], "action": "delete"})).send().await;
    assert_eq!(problem(answer.unwrap(), 422).await["errors"][0]["field"], "action");
}

#[tokio::test]
async fn the_audit_csv_quotes_neutralises_formulas_and_is_for_admins() {
    let server = server().await;
    let id = post(&server, "Camille", CAMILLE, "hello").await;
    let admin = login(&server, ADMIN).await;
    let reason = "=HYPERLINK(\"http://evil.example\",\"x\"), really";
    let reject = format!("/api/v1/admin/comments/{id}/reject");
    assert_eq!(
        admin.send(&server, Method::POST, &reject).json(&json!({"reason": reason})).send().await.unwrap().status(),
        204
    );
    let approve = format!("/api/v1/admin/comments/{id}/approve");
    let answer = token(&server, Method::POST, &approve).json(&json!({"reason": "@SUM(A1) -ok"})).send().await.unwrap();
    assert_eq!(answer.status(), 204);

    let text = csv(&server, "").await;
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines[0], "at,actor,action,comment_id,article,person,reason");
    assert_eq!(lines.len(), 4, "{text}");
    assert!(lines[1].ends_with(",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\"), really\""), "{}", lines[1]);
    assert!(lines[1].contains(&format!(",{},reject,{id},{DEMO},", ADMIN.0)), "{}", lines[1]);
    assert!(lines[2].contains(",admin token,approve,") && lines[2].ends_with(",'@SUM(A1) -ok"), "{}", lines[2]);
    assert_eq!(lines[3], "");
    assert!(!text.contains(CAMILLE), "no commenter's email in the export");

    // Filters: nothing after a time in the future; a bad one names its field.
    assert_eq!(
        csv(&server, &format!("?since={}", utc_in(3600))).await,
        "at,actor,action,comment_id,article,person,reason\r\n"
    );
    assert_eq!(csv(&server, &format!("?until={}", utc_in(3600))).await, text);
    let bad = token(&server, Method::GET, "/api/v1/admin/audit.csv?since=yesterday").send().await.unwrap();
    assert_eq!(problem(bad, 422).await["errors"][0]["field"], "since");

    let moderator = login(&server, MODERATOR).await;
    let refused = moderator.send(&server, Method::GET, "/api/v1/admin/audit.csv").send().await.unwrap();
    problem(refused, 403).await;
}

async fn person_of(server: &TestServer, id: i64) -> String {
    let page = queue(server, "queue=approved&limit=200").await;
    let item = page["items"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap().clone();
    item["person"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_reader_drawer_notes_suspends_unbans_and_rejects_all() {
    let server = server().await;
    let first = post(&server, "Camille", CAMILLE, "first").await;
    let second = post(&server, "Cam", CAMILLE, "second").await;
    let bystander = post(&server, "Dominique", DOMINIQUE, "unrelated").await;
    let person = person_of(&server, first).await;
    let drawer = format!("/api/v1/admin/people/{person}");
    let moderator = login(&server, MODERATOR).await;

    let got = json_of(moderator.send(&server, Method::GET, &drawer), 200).await;
    assert_eq!(got["person"], person.as_str());
    assert_eq!(got["names"], json!(["Cam", "Camille"]));
    let ids: Vec<i64> = got["comments"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [second, first]);
    assert_eq!(got["counts"]["approved"], 2);
    assert!(got.get("ban").is_none() && got["notes"] == json!([]));
    assert!(!got.to_string().contains(CAMILLE), "no email in the drawer");

    // Notes: several lines are fine, other control characters are not.
    let notes = format!("{drawer}/notes");
    let note =
        json_of(moderator.send(&server, Method::POST, &notes).json(&json!({"text": "Spams on Fridays.\nWatch."})), 201)
            .await;
    assert_eq!(
        (note["text"].as_str(), note["author"].as_str()),
        (Some("Spams on Fridays.\nWatch."), Some(MODERATOR.0))
    );
    for bad in ["", "tab\there", &"x".repeat(2001)] {
        let answer = moderator.send(&server, Method::POST, &notes).json(&json!({"text": bad})).send().await.unwrap();
        assert_eq!(problem(answer, 422).await["errors"][0]["field"], "text");
    }

    // A suspension: their next comment is answered as pending and never shown.
    let ban = format!("{drawer}/ban");
    let past = moderator.send(&server, Method::POST, &ban).json(&json!({"until": utc_in(-60)})).send().await.unwrap();
    assert_eq!(problem(past, 422).await["errors"][0]["field"], "until");
    let until = utc_in(7 * 86_400);
    let state =
        json_of(moderator.send(&server, Method::POST, &ban).json(&json!({"until": until, "reason": "cool off"})), 201)
            .await;
    assert_eq!(state["reason"], "cool off");
    assert!(state["until"].as_str().unwrap().starts_with(&until[..16]), "{state}");
    let during = post_on(&server, DEMO, "Camille", CAMILLE, "while suspended").await;
    assert_eq!(during["status"], "pending");
    let during = during["comment"]["id"].as_i64().unwrap();
    assert!(!thread_ids(&server, DEMO).await.contains(&during));
    let got = json_of(moderator.send(&server, Method::GET, &drawer), 200).await;
    assert_eq!(got["ban"]["reason"], "cool off");
    assert_eq!(got["notes"].as_array().unwrap().len(), 1);
    let actions: Vec<&str> = got["history"].as_array().unwrap().iter().map(|h| h["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["reject", "suspend", "note"], "newest first");
    assert_eq!(got["history"][0]["actor"], "rules");
    assert_eq!(got["history"][0]["reason"], "suspended");

    // Lifted: they publish again.
    assert_eq!(moderator.send(&server, Method::DELETE, &ban).send().await.unwrap().status(), 204);
    problem(moderator.send(&server, Method::DELETE, &ban).send().await.unwrap(), 404).await;
    let after = post_on(&server, DEMO, "Camille", CAMILLE, "back").await;
    assert_eq!(after["status"], "approved");
    let after = after["comment"]["id"].as_i64().unwrap();

    // Reject-all: every pending and approved comment of theirs, nobody else's.
    let result = json_of(
        moderator.send(&server, Method::POST, &format!("{drawer}/reject-all")).json(&json!({"reason": "troll"})),
        200,
    )
    .await;
    assert_eq!(result["done"], json!([first, second, after]));
    assert_eq!(thread_ids(&server, DEMO).await, [bystander]);
    assert_eq!(history(&server, first).await.last().unwrap()["reason"], "troll");
    let got = json_of(moderator.send(&server, Method::GET, &drawer), 200).await;
    assert_eq!(got["counts"], json!({"pending": 0, "reported": 0, "approved": 0, "rejected": 4}));

    let unknown =
        moderator.send(&server, Method::GET, "/api/v1/admin/people/0123456789abcdef0123").send().await.unwrap();
    problem(unknown, 404).await;
    let odd = moderator.send(&server, Method::POST, "/api/v1/admin/people/nobody/notes").json(&json!({"text": "x"}));
    problem(odd.send().await.unwrap(), 404).await;
}

#[tokio::test]
async fn revealing_an_email_is_for_admins_and_audited() {
    let server = server().await;
    post(&server, "Dominique", DOMINIQUE, "first").await;
    let id = post(&server, "Camille", CAMILLE, "second").await;
    let person = person_of(&server, id).await;
    let path = format!("/api/v1/admin/people/{person}/email");
    let moderator = login(&server, MODERATOR).await;
    problem(moderator.send(&server, Method::POST, &path).send().await.unwrap(), 403).await;
    assert!(!csv(&server, "").await.contains("reveal_email"));

    let admin = login(&server, ADMIN).await;
    let shown = json_of(admin.send(&server, Method::POST, &path), 200).await;
    assert_eq!(shown, json!({"email": CAMILLE}));
    let text = csv(&server, "").await;
    let line = text.lines().find(|l| l.contains("reveal_email")).expect("audited");
    assert!(line.contains(&format!(",{},reveal_email,,,{person},", ADMIN.0)), "{line}");
    let drawer = json_of(admin.send(&server, Method::GET, &format!("/api/v1/admin/people/{person}")), 200).await;
    assert_eq!(drawer["history"][0]["action"], "reveal_email");
    assert!(!drawer.to_string().contains(CAMILLE));
}

#[tokio::test]
async fn erasing_a_person_takes_their_notes_and_their_name_out_of_the_log() {
    let server = server().await;
    let id = post(&server, "Camille", CAMILLE, "to be forgotten").await;
    let person = person_of(&server, id).await;
    let drawer = format!("/api/v1/admin/people/{person}");
    let moderator = login(&server, MODERATOR).await;
    json_of(moderator.send(&server, Method::POST, &format!("{drawer}/notes")).json(&json!({"text": "a note"})), 201)
        .await;
    json_of(moderator.send(&server, Method::POST, &format!("/api/v1/admin/comments/{id}/reject")), 204).await;
    assert!(csv(&server, "").await.contains(&person));

    let erased = token(&server, Method::POST, "/api/v1/admin/privacy/erase").json(&json!({"email": CAMILLE}));
    assert_eq!(json_of(erased, 200).await["comments"], 1);
    problem(moderator.send(&server, Method::GET, &drawer).send().await.unwrap(), 404).await;
    let log = csv(&server, "").await;
    assert!(!log.contains(&person), "{log}");
    assert!(log.contains(&format!(",{},reject,{id},", MODERATOR.0)), "the decision stays, about no one: {log}");
}

async fn article_row(server: &TestServer, slug: &str) -> Value {
    let list = json_of(token(server, Method::GET, "/api/v1/admin/articles"), 200).await;
    list.as_array().unwrap().iter().find(|a| a["slug"] == slug).unwrap().clone()
}

#[tokio::test]
async fn articles_list_and_their_moderation_override_changes_posting() {
    let server = server().await;
    assert_eq!(server.put_article("later", &article("Later")).await.status(), 201);
    let id = post(&server, "Camille", CAMILLE, "hello").await;
    let row = article_row(&server, DEMO).await;
    assert_eq!(row["counts"]["approved"], 1);
    assert_eq!((row["moderation"].as_str(), row["closed"].as_bool()), (Some("post"), Some(false)));
    assert!(row.get("moderation_override").is_none() && row.get("closed_override").is_none(), "{row}");
    assert!(thread_ids(&server, DEMO).await.contains(&id));

    let path = format!("/api/v1/admin/articles/{DEMO}/moderation");
    let moderator = login(&server, MODERATOR).await;
    let refused = moderator.send(&server, Method::PUT, &path).json(&json!({"moderation": "pre"})).send().await;
    problem(refused.unwrap(), 403).await;
    let admin = login(&server, ADMIN).await;
    let updated = json_of(admin.send(&server, Method::PUT, &path).json(&json!({"moderation": "pre"})), 200).await;
    assert_eq!((updated["moderation"].as_str(), updated["moderation_override"].as_str()), (Some("pre"), Some("pre")));
    let held = post_on(&server, DEMO, "Camille", CAMILLE, "now held").await;
    assert_eq!(held["status"], "pending");
    assert!(!thread_ids(&server, DEMO).await.contains(&held["comment"]["id"].as_i64().unwrap()));
    // Other articles keep the server's default.
    assert_eq!(post_on(&server, "later", "Camille", CAMILLE, "elsewhere").await["status"], "approved");

    // Closing is shown too, and both are in the log.
    let close = format!("/api/v1/admin/articles/{DEMO}/comments");
    assert_eq!(token(&server, Method::PUT, &close).json(&json!({"closed": true})).send().await.unwrap().status(), 200);
    let row = article_row(&server, DEMO).await;
    assert_eq!((row["closed"].as_bool(), row["closed_override"].as_bool()), (Some(true), Some(true)));
    assert_eq!(row["counts"]["pending"], 1);
    let text = csv(&server, "").await;
    assert!(text.contains(&format!(",{},moderation,,{DEMO},,pre", ADMIN.0)), "{text}");
    assert!(text.contains(&format!(",admin token,close,,{DEMO},,")), "{text}");
    let bad = admin.send(&server, Method::PUT, &path).json(&json!({"moderation": "sometimes"})).send().await.unwrap();
    assert_eq!(problem(bad, 422).await["errors"][0]["field"], "moderation");
    problem(
        admin
            .send(&server, Method::PUT, "/api/v1/admin/articles/nope/moderation")
            .json(&json!({"moderation": null}))
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
    let back = json_of(admin.send(&server, Method::PUT, &path).json(&json!({"moderation": null})), 200).await;
    assert_eq!(back["moderation"], "post");
    assert!(back.get("moderation_override").is_none());
}

#[tokio::test]
async fn post_moderation_of_one_article_on_a_premoderated_server() {
    let server = server_with(Moderation::Pre).await;
    assert_eq!(post_on(&server, DEMO, "Camille", CAMILLE, "held").await["status"], "pending");
    let path = format!("/api/v1/admin/articles/{DEMO}/moderation");
    let row = json_of(token(&server, Method::PUT, &path).json(&json!({"moderation": "post"})), 200).await;
    assert_eq!(row["moderation"], "post");
    let published = post_on(&server, DEMO, "Camille", CAMILLE, "at once").await;
    assert_eq!(published["status"], "approved");
    assert_eq!(thread_ids(&server, DEMO).await, [published["comment"]["id"].as_i64().unwrap()]);
    // A rule still holds it.
    set_rules(&server, &["casino"], &[]).await;
    assert_eq!(post_on(&server, DEMO, "Camille", CAMILLE, "casino").await["status"], "pending");
}

#[tokio::test]
async fn every_new_route_needs_credentials_and_a_session_needs_its_csrf_token() {
    let server = server().await;
    let id = post(&server, "Camille", CAMILLE, "hello").await;
    let person = person_of(&server, id).await;
    let routes: Vec<(Method, String, Value)> = vec![
        (Method::GET, "/api/v1/admin/queue".into(), Value::Null),
        (Method::POST, "/api/v1/admin/comments/bulk".into(), json!({"ids": [id], "action": "reject"})),
        (Method::GET, format!("/api/v1/admin/comments/{id}/history"), Value::Null),
        (Method::POST, format!("/api/v1/admin/comments/{id}/reject"), json!({"reason": "x"})),
        (Method::GET, "/api/v1/admin/audit.csv".into(), Value::Null),
        (Method::GET, format!("/api/v1/admin/people/{person}"), Value::Null),
        (Method::POST, format!("/api/v1/admin/people/{person}/notes"), json!({"text": "x"})),
        (Method::POST, format!("/api/v1/admin/people/{person}/ban"), json!({})),
        (Method::DELETE, format!("/api/v1/admin/people/{person}/ban"), Value::Null),
        (Method::POST, format!("/api/v1/admin/people/{person}/reject-all"), Value::Null),
        (Method::POST, format!("/api/v1/admin/people/{person}/email"), Value::Null),
        (Method::GET, "/api/v1/admin/articles".into(), Value::Null),
        (Method::PUT, format!("/api/v1/admin/articles/{DEMO}/moderation"), json!({"moderation": "pre"})),
    ];
    let admin = login(&server, ADMIN).await;
    for (method, path, body) in &routes {
        let mut bare = server.client.request(method.clone(), server.url(path));
        if !body.is_null() {
            bare = bare.json(body);
        }
        let answer = bare.send().await.unwrap();
        assert_eq!(answer.status(), 401, "{method} {path}");
        assert_eq!(answer.headers()["www-authenticate"], "Bearer");
        if *method != Method::GET {
            let mut no_csrf = server.client.request(method.clone(), server.url(path)).header("cookie", &admin.cookie);
            if !body.is_null() {
                no_csrf = no_csrf.json(body);
            }
            let body = problem(no_csrf.send().await.unwrap(), 403).await;
            assert!(body["detail"].as_str().unwrap().contains("CSRF"), "{method} {path}: {body}");
        }
    }
    // Nothing above was done.
    assert_eq!(thread_ids(&server, DEMO).await, [id]);
    assert_eq!(article_row(&server, DEMO).await["moderation"], "post");
    // The OpenAPI document lists them.
    let doc: Value = server.get("/api/v1/openapi.json").await.json().await.unwrap();
    for path in [
        "/api/v1/admin/queue",
        "/api/v1/admin/comments/bulk",
        "/api/v1/admin/comments/{id}/history",
        "/api/v1/admin/audit.csv",
        "/api/v1/admin/people/{person}",
        "/api/v1/admin/people/{person}/notes",
        "/api/v1/admin/people/{person}/ban",
        "/api/v1/admin/people/{person}/reject-all",
        "/api/v1/admin/people/{person}/email",
        "/api/v1/admin/articles",
        "/api/v1/admin/articles/{slug}/moderation",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is in the OpenAPI document");
    }
}
