//! Comments over real HTTP on a real SQLite file, from real loopback addresses.

mod common;

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

use common::{problem, xss_vectors, TestServer, ADMIN_TOKEN};
use news_widget_server::comments::Moderation;
use serde_json::{json, Value};

const COMMENTS: &str = "/api/v1/articles/cooperation-chine-kazakhstan/comments";
const EMAIL: &str = "camille.secret@example.org";

fn client_from(ip: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder().local_address(IpAddr::V4(Ipv4Addr::from(ip))).build().unwrap()
}

fn comment(body: &str) -> Value {
    json!({"author_name": "Camille", "author_email": EMAIL, "author_url": "https://camille.example/", "body": body})
}

/// Every answer must keep the commenter's email and the client's address to the server.
fn assert_private(text: &str) {
    for secret in [EMAIL, "example.net", "127.0.", "203.0.113."] {
        assert!(!text.contains(secret), "{secret} leaked in {text}");
    }
}

/// Posts `body` as the widget does, with a form token unless `body` brings its own.
async fn post(server: &TestServer, client: &reqwest::Client, body: &Value, key: Option<&str>) -> reqwest::Response {
    let mut body = body.clone();
    if body.get("form_token").is_none() {
        body["form_token"] = json!(server.form_token("cooperation-chine-kazakhstan").await);
    }
    let mut request = client.post(server.url(COMMENTS)).json(&body);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    request.send().await.unwrap()
}

async fn posted(server: &TestServer, body: &Value) -> Value {
    let response = post(server, &server.client, body, None).await;
    assert_eq!(response.status(), 201);
    let text = response.text().await.unwrap();
    assert_private(&text);
    serde_json::from_str(&text).unwrap()
}

async fn list(server: &TestServer, query: &str) -> Value {
    let response = server.get(&format!("{COMMENTS}{query}")).await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert_private(&text);
    serde_json::from_str(&text).unwrap()
}

/// A server whose rate limit does not get in the way of tests that post a lot from one address.
async fn roomy(tweak: impl FnOnce(&mut news_widget_server::Config)) -> TestServer {
    TestServer::start_with(|c| {
        c.comments_per_minute = 100_000;
        c.comment_burst = 100_000;
        tweak(c);
    })
    .await
}

#[tokio::test]
async fn post_then_list() {
    let server = TestServer::start().await;
    let empty = list(&server, "").await;
    assert_eq!(empty, json!({"comments": [], "total": 0}));

    let answer = posted(&server, &comment("  Bonjour\r\n\r\nà tous  ")).await;
    assert_eq!(answer["status"], "approved");
    assert_eq!(answer["edit_token"].as_str().unwrap().len(), 64);
    assert!(answer["edit_until"].as_str().unwrap() > answer["comment"]["created_at"].as_str().unwrap());
    let c = &answer["comment"];
    assert_eq!((c["author_name"].clone(), c["body"].clone()), (json!("Camille"), json!("Bonjour\n\nà tous")));
    assert_eq!(c["author_url"], "https://camille.example/");
    assert_eq!(c["avatar"].as_str().unwrap().len(), 20);
    let fields: HashSet<&str> = c.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(fields, HashSet::from(["id", "author_name", "author_url", "avatar", "body", "created_at", "status"]));

    let page = list(&server, "").await;
    assert_eq!(page["total"], 1);
    assert_eq!(page["comments"][0], *c);
    assert!(page.get("next_cursor").is_none());
}

#[tokio::test]
async fn errors_name_their_field() {
    let server = TestServer::start().await;
    let bad = json!({"author_name": " ", "author_email": "nope", "author_url": "javascript:alert(1)", "body": ""});
    let body = problem(post(&server, &server.client, &bad, None).await, 422).await;
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["author_name", "author_email", "author_url", "body"]);

    let missing = json!({"author_name": "A", "body": "b"});
    assert_eq!(
        problem(post(&server, &server.client, &missing, None).await, 422).await["errors"][0]["field"],
        "author_email"
    );
    let orphan = json!({"parent_id": 999, "author_name": "A", "author_email": "a@b.co", "body": "b"});
    assert_eq!(
        problem(post(&server, &server.client, &orphan, None).await, 422).await["errors"][0]["field"],
        "parent_id"
    );
    let bad_key = post(&server, &server.client, &comment("x"), Some("short")).await;
    assert_eq!(problem(bad_key, 422).await["errors"][0]["field"], "Idempotency-Key");
    problem(server.get("/api/v1/articles/nope/comments").await, 404).await;
    problem(
        server.client.post(server.url("/api/v1/articles/nope/comments")).json(&comment("x")).send().await.unwrap(),
        404,
    )
    .await;
    assert_eq!(problem(server.get(&format!("{COMMENTS}?sort=random")).await, 422).await["errors"][0]["field"], "sort");
    assert_eq!(problem(server.get(&format!("{COMMENTS}?cursor=zzz")).await, 422).await["errors"][0]["field"], "cursor");
    for limit in ["0", "1001", "ten"] {
        let bad = server.get(&format!("{COMMENTS}?limit={limit}")).await;
        assert_eq!(problem(bad, 422).await["errors"][0]["field"], "limit", "limit={limit}");
    }
    assert_eq!(list(&server, "").await["total"], 0);
}

#[tokio::test]
async fn the_same_idempotency_key_twice_stores_one_comment_and_answers_the_same() {
    let server = TestServer::start().await;
    let key = "6f1c2a4e-0d3b-4c55-9a77-1e2f3a4b5c6d";
    let first = post(&server, &server.client, &comment("une seule fois"), Some(key)).await;
    assert_eq!(first.status(), 201);
    let first = first.text().await.unwrap();
    let again = post(&server, &server.client, &comment("une seule fois"), Some(key)).await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.text().await.unwrap(), first, "the repeat gets the first answer, edit token included");
    assert_eq!(list(&server, "").await["total"], 1);
}

#[tokio::test]
async fn fifty_concurrent_posts_with_distinct_keys_store_fifty() {
    let server = TestServer::start().await;
    let started = Instant::now();
    let form_token = server.form_token("cooperation-chine-kazakhstan").await;
    let tasks: Vec<_> = (0..50u8)
        .map(|n| {
            let client = client_from([127, 0, 2, n + 1]);
            let url = server.url(COMMENTS);
            let mut body = comment(&format!("commentaire {n}"));
            body["form_token"] = json!(form_token);
            tokio::spawn(async move {
                let response = client
                    .post(url)
                    .header("idempotency-key", format!("key-{n:04}-concurrent"))
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                response.status().as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    let elapsed = started.elapsed();
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    let page = list(&server, "?limit=100").await;
    assert_eq!(page["total"], 50);
    let bodies: HashSet<&str> =
        page["comments"].as_array().unwrap().iter().map(|c| c["body"].as_str().unwrap()).collect();
    assert_eq!(bodies.len(), 50);
    eprintln!("50 concurrent comment posts from 50 addresses: {} ms in all", elapsed.as_millis());
}

#[tokio::test]
async fn pages_cover_every_comment_exactly_once_in_both_orders() {
    let server = roomy(|_| {}).await;
    let mut expected = HashSet::new();
    for n in 0..23 {
        let top = posted(&server, &comment(&format!("top {n}"))).await["comment"]["id"].as_i64().unwrap();
        expected.insert(top);
        if n % 4 == 0 {
            let mut reply = comment(&format!("reply to {n}"));
            reply["parent_id"] = json!(top);
            let r = posted(&server, &reply).await["comment"]["id"].as_i64().unwrap();
            expected.insert(r);
            let mut deeper = comment(&format!("reply to reply {n}"));
            deeper["parent_id"] = json!(r);
            expected.insert(posted(&server, &deeper).await["comment"]["id"].as_i64().unwrap());
        }
    }
    for sort in ["oldest", "newest"] {
        let mut seen = Vec::new();
        let mut tops = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let query = match &cursor {
                Some(c) => format!("?sort={sort}&limit=7&cursor={c}"),
                None => format!("?sort={sort}&limit=7"),
            };
            let page = list(&server, &query).await;
            assert_eq!(page["total"], expected.len());
            for c in page["comments"].as_array().unwrap() {
                seen.push(c["id"].as_i64().unwrap());
                if c.get("parent_id").is_none() {
                    tops.push(c["id"].as_i64().unwrap());
                } else {
                    let parent = c["parent_id"].as_i64().unwrap();
                    assert!(seen.contains(&parent), "a reply comes after its parent, on the same page");
                }
            }
            pages += 1;
            match page.get("next_cursor").and_then(Value::as_str) {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        assert_eq!(pages, 4, "23 threads, 7 a page");
        assert_eq!(seen.len(), expected.len(), "{sort}: no comment twice");
        assert_eq!(seen.iter().copied().collect::<HashSet<_>>(), expected, "{sort}: every comment");
        let mut ordered = tops.clone();
        ordered.sort();
        if sort == "newest" {
            ordered.reverse();
        }
        assert_eq!(tops, ordered, "{sort}: top-level order");
    }
}

#[tokio::test]
async fn pre_moderation_hides_pending_comments_until_approved() {
    let server = TestServer::start_with(|c| c.moderation = Moderation::Pre).await;
    let answer = posted(&server, &comment("à modérer")).await;
    assert_eq!(answer["status"], "pending");
    let id = answer["comment"]["id"].as_i64().unwrap();
    assert_eq!(list(&server, "").await, json!({"comments": [], "total": 0}), "others do not see it");

    let admin = |path: &str| server.client.get(server.url(path)).bearer_auth(ADMIN_TOKEN);
    problem(server.get("/api/v1/admin/comments").await, 401).await;
    let queue = admin("/api/v1/admin/comments?status=pending").send().await.unwrap().text().await.unwrap();
    assert_private(&queue);
    let queue: Value = serde_json::from_str(&queue).unwrap();
    assert_eq!(queue[0]["id"], id);
    assert_eq!(queue[0]["article_slug"], "cooperation-chine-kazakhstan");

    let approve = server.url(&format!("/api/v1/admin/comments/{id}/approve"));
    problem(server.client.post(&approve).bearer_auth("wrong").send().await.unwrap(), 401).await;
    assert_eq!(server.client.post(&approve).bearer_auth(ADMIN_TOKEN).send().await.unwrap().status(), 204);
    assert_eq!(list(&server, "").await["total"], 1);
    let reject = server.url(&format!("/api/v1/admin/comments/{id}/reject"));
    assert_eq!(server.client.post(&reject).bearer_auth(ADMIN_TOKEN).send().await.unwrap().status(), 204);
    assert_eq!(list(&server, "").await["total"], 0);
}

#[tokio::test]
async fn one_address_posting_too_fast_gets_429_with_retry_after() {
    let server = TestServer::start_with(|c| {
        c.comment_burst = 2;
        c.comments_per_minute = 1;
    })
    .await;
    let fast = client_from([127, 0, 3, 1]);
    for n in 0..2 {
        assert_eq!(post(&server, &fast, &comment(&format!("vite {n}")), None).await.status(), 201);
    }
    let refused = post(&server, &fast, &comment("trop vite"), None).await;
    let wait: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    problem(refused, 429).await;
    assert_eq!(post(&server, &client_from([127, 0, 3, 2]), &comment("ailleurs"), None).await.status(), 201);
}

#[tokio::test]
async fn the_honeypot_drops_a_post_with_an_answer_like_any_pending_one() {
    let server = TestServer::start().await;
    let real = posted(&TestServer::start_with(|c| c.moderation = Moderation::Pre).await, &comment("vrai")).await;
    let mut honeypot = comment("spam");
    honeypot["website_confirm"] = json!("http://spam.example/");
    let key = "honeypot-key-0001";
    let answer = post(&server, &server.client, &honeypot, Some(key)).await;
    assert_eq!(answer.status(), 201);
    let answer: Value = answer.json().await.unwrap();
    // The same shape, fields and kinds of values as a real pending comment: no id 0, no 1970.
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&answer), keys(&real));
    assert_eq!(keys(&answer["comment"]), keys(&real["comment"]));
    assert_eq!(answer["status"], "pending");
    assert_eq!(answer["comment"]["status"], "pending");
    assert!(answer["comment"]["id"].as_i64().unwrap() > 0);
    assert!(answer["comment"]["created_at"].as_str().unwrap().starts_with("20"));
    assert!(!answer["edit_until"].as_str().unwrap().starts_with("1970"));
    let again: Value = post(&server, &server.client, &honeypot, Some(key)).await.json().await.unwrap();
    assert_eq!(again, answer, "a replay answers alike");
    assert_eq!(list(&server, "").await["total"], 0);
    let queue: Value = server.admin_json("/api/v1/admin/comments").await;
    assert_eq!(queue, json!([]), "not even in the moderation queue");
}

#[tokio::test]
async fn the_time_trap_holds_fast_tokenless_and_forged_posts_for_review_and_never_drops_them() {
    let server = TestServer::start_with(|c| c.form_min_age = std::time::Duration::from_millis(600)).await;
    let fresh = server.form_token("cooperation-chine-kazakhstan").await;
    let cases = [
        (fresh.clone(), "too_fast"),
        (String::new(), "no_form_token"),
        (format!("{}.{}", "1", "0".repeat(32)), "bad_form_token"),
        (format!("{}x", &fresh[..fresh.len() - 1]), "bad_form_token"),
    ];
    for (n, (token, _)) in cases.iter().enumerate() {
        let mut body = comment(&format!("rapide {n}"));
        body["form_token"] = json!(token);
        let answer = posted(&server, &body).await;
        assert_eq!(answer["status"], "pending", "{token:?}");
    }
    assert_eq!(list(&server, "").await["total"], 0, "none is published");
    let queue: Value = server.admin_json("/api/v1/admin/comments?status=pending").await;
    let held: Vec<(&str, &str)> = queue
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["body"].as_str().unwrap(), c["held_reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        held,
        [
            ("rapide 0", "too_fast"),
            ("rapide 1", "no_form_token"),
            ("rapide 2", "bad_form_token"),
            ("rapide 3", "bad_form_token")
        ],
        "every one is held for a moderator, flagged with why"
    );
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    // The same token, old enough now, publishes; a person who waited is never held.
    let mut patient = comment("patient");
    patient["form_token"] = json!(fresh);
    assert_eq!(posted(&server, &patient).await["status"], "approved");
    assert_eq!(list(&server, "").await["total"], 1);
}

#[tokio::test]
async fn authors_edit_and_delete_within_the_window_with_their_token() {
    let server = TestServer::start().await;
    let answer = posted(&server, &comment("premier jet")).await;
    let (id, token) = (answer["comment"]["id"].as_i64().unwrap(), answer["edit_token"].as_str().unwrap().to_owned());
    let url = server.url(&format!("/api/v1/comments/{id}"));

    problem(
        server
            .client
            .patch(&url)
            .header("x-edit-token", "0".repeat(64))
            .json(&json!({"body": "x"}))
            .send()
            .await
            .unwrap(),
        403,
    )
    .await;
    problem(server.client.patch(&url).json(&json!({"body": "x"})).send().await.unwrap(), 403).await;
    let empty =
        server.client.patch(&url).header("x-edit-token", &token).json(&json!({"body": " "})).send().await.unwrap();
    assert_eq!(problem(empty, 422).await["errors"][0]["field"], "body");
    let edited =
        server.client.patch(&url).header("x-edit-token", &token).json(&json!({"body": "version revue"})).send();
    let edited: Value = edited.await.unwrap().json().await.unwrap();
    assert_eq!(edited["body"], "version revue");
    assert!(edited["edited_at"].is_string());
    assert_eq!(list(&server, "").await["comments"][0]["body"], "version revue");

    assert_eq!(server.client.delete(&url).header("x-edit-token", &token).send().await.unwrap().status(), 204);
    assert_eq!(list(&server, "").await["total"], 0);
    problem(server.client.delete(&url).header("x-edit-token", &token).send().await.unwrap(), 404).await;

    let closed = TestServer::start_with(|c| c.edit_window_minutes = 0).await;
    let answer = posted(&closed, &comment("figé")).await;
    let url = closed.url(&format!("/api/v1/comments/{}", answer["comment"]["id"]));
    let late = closed
        .client
        .patch(&url)
        .header("x-edit-token", answer["edit_token"].as_str().unwrap())
        .json(&json!({"body": "x"}));
    assert_eq!(problem(late.send().await.unwrap(), 403).await["title"], "Edit window closed");
}

#[tokio::test]
async fn a_deleted_comment_with_replies_keeps_its_place_empty() {
    let server = TestServer::start().await;
    let parent = posted(&server, &comment("parent")).await;
    let mut reply = comment("réponse");
    reply["parent_id"] = parent["comment"]["id"].clone();
    posted(&server, &reply).await;
    let url = server.url(&format!("/api/v1/comments/{}", parent["comment"]["id"]));
    server.client.delete(&url).header("x-edit-token", parent["edit_token"].as_str().unwrap()).send().await.unwrap();
    let page = list(&server, "").await;
    assert_eq!(page["total"], 1);
    assert_eq!(page["comments"][0]["status"], "deleted");
    assert_eq!(page["comments"][0]["body"], "");
    assert_eq!(page["comments"][0]["author_name"], "");
    assert_eq!(page["comments"][1]["body"], "réponse");
}

#[tokio::test]
async fn reports_counts_etag_and_admin_delete() {
    let server = TestServer::start().await;
    let id = posted(&server, &comment("signalé")).await["comment"]["id"].as_i64().unwrap();
    let report = server.url(&format!("/api/v1/comments/{id}/report"));
    assert_eq!(server.client.post(&report).json(&json!({"reason": "hors sujet"})).send().await.unwrap().status(), 204);
    assert_eq!(
        problem(server.client.post(&report).json(&json!({"reason": ""})).send().await.unwrap(), 422).await["errors"][0]
            ["field"],
        "reason"
    );
    let reported: Value = server.admin_json("/api/v1/admin/comments?status=reported").await;
    assert_eq!((reported[0]["id"].as_i64(), reported[0]["reports"].as_i64()), (Some(id), Some(1)));

    let counts: Value = server
        .client
        .post(server.url("/api/v1/counts"))
        .json(&json!({"slugs": ["cooperation-chine-kazakhstan", "other-article"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(counts, json!({"cooperation-chine-kazakhstan": 1, "other-article": 0}));

    let first = server.get(COMMENTS).await;
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert!(first.headers()["cache-control"].to_str().unwrap().contains("public"));
    let again = server.client.get(server.url(COMMENTS)).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(again.status(), 304);

    let delete = server.url(&format!("/api/v1/admin/comments/{id}"));
    problem(server.client.delete(&delete).send().await.unwrap(), 401).await;
    assert_eq!(server.client.delete(&delete).bearer_auth(ADMIN_TOKEN).send().await.unwrap().status(), 204);
    let changed = server.client.get(server.url(COMMENTS)).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(changed.status(), 200, "a new list has a new ETag");
    assert_eq!(changed.json::<Value>().await.unwrap()["total"], 0);
}

#[tokio::test]
async fn every_xss_vector_as_name_website_and_body_comes_back_as_the_same_text() {
    let server = roomy(|_| {}).await;
    let mut stored = 0;
    for (source, payload) in &xss_vectors() {
        let name: String = payload.chars().filter(|c| !c.is_control()).take(80).collect();
        let base = json!({"author_name": "Lectrice", "author_email": "x@example.net", "body": "texte"});
        for field in ["body", "author_name", "author_url"] {
            let mut input = base.clone();
            input[field] = json!(if field == "author_name" { name.as_str() } else { payload.as_str() });
            let response = post(&server, &server.client, &input, None).await;
            let text = response.text().await.unwrap();
            assert_private(&text);
            let answer: Value = serde_json::from_str(&text).unwrap();
            if answer["status"] == 422 {
                // Refused whole, naming the field: a vector that is not an http(s) address, or blank text.
                assert_eq!(answer["errors"][0]["field"], field, "{source}");
                continue;
            }
            stored += 1;
            let c = &answer["comment"];
            match field {
                "body" => {
                    assert_eq!(c["body"].as_str().unwrap(), news_widget_api::parse_body(payload).unwrap(), "{source}")
                }
                "author_name" => assert_eq!(c["author_name"].as_str().unwrap(), name.trim(), "{source}"),
                _ => match c["author_url"].as_str() {
                    Some(url) => assert!(url.starts_with("http://") || url.starts_with("https://"), "{source}: {url}"),
                    None => assert!(payload.trim().is_empty(), "{source}: a blank website is no website"),
                },
            }
        }
    }
    assert!(stored > 1000, "most vectors are valid names and bodies: {stored}");
    assert_eq!(list(&server, "?limit=1").await["total"], stored);
}

/// Lists are cached for a second; every write through the server must show in the next list.
#[tokio::test]
async fn every_write_shows_in_the_very_next_list() {
    let server = roomy(|c| c.moderation = Moderation::Pre).await;
    let answer = posted(&server, &comment("à relire")).await;
    let (id, token) = (answer["comment"]["id"].as_i64().unwrap(), answer["edit_token"].as_str().unwrap().to_owned());
    assert_eq!(list(&server, "").await["total"], 0, "pending: not listed (and now cached)");

    let admin = |path: String| server.client.post(server.url(&path)).bearer_auth(ADMIN_TOKEN);
    assert_eq!(admin(format!("/api/v1/admin/comments/{id}/approve")).send().await.unwrap().status(), 204);
    assert_eq!(list(&server, "").await["comments"][0]["body"], "à relire", "approved");

    let url = server.url(&format!("/api/v1/comments/{id}"));
    let edited = server.client.patch(&url).header("x-edit-token", &token).json(&json!({"body": "relu"})).send();
    assert_eq!(edited.await.unwrap().status(), 200);
    // Pre-moderation: the edit waits for a moderator; readers keep the approved text meanwhile.
    assert_eq!(list(&server, "").await["comments"][0]["body"], "à relire", "the edit awaits review");
    assert_eq!(admin(format!("/api/v1/admin/comments/{id}/approve")).send().await.unwrap().status(), 204);
    assert_eq!(list(&server, "").await["comments"][0]["body"], "relu", "the approved edit");

    assert_eq!(server.client.delete(&url).header("x-edit-token", &token).send().await.unwrap().status(), 204);
    assert_eq!(list(&server, "").await["total"], 0, "deleted");
}
