//! The hardening promises, each over real HTTP on a real SQLite file: nothing a client sends
//! crashes the server or gets a non-problem answer, admin routes refuse first, and what is shown
//! always agrees with what is stored.

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use axum::routing::get;
use common::{problem, TestServer, ADMIN_TOKEN};
use news_widget_server::comments::Moderation;
use serde_json::{json, Value};

const SLUG: &str = "cooperation-chine-kazakhstan";
const COMMENTS: &str = "/api/v1/articles/cooperation-chine-kazakhstan/comments";

fn client_from(ip: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder().local_address(IpAddr::V4(Ipv4Addr::from(ip))).build().unwrap()
}

fn comment(body: &str, email: &str) -> Value {
    json!({"author_name": "Camille", "author_email": email, "author_url": "https://camille.example/", "body": body})
}

async fn post(server: &TestServer, body: &Value) -> Value {
    let mut body = body.clone();
    body["form_token"] = json!(server.form_token(SLUG).await);
    let answer = server.client.post(server.url(COMMENTS)).json(&body).send().await.unwrap();
    assert_eq!(answer.status(), 201);
    answer.json().await.unwrap()
}

async fn list(server: &TestServer) -> Value {
    server.get(&format!("{COMMENTS}?limit=1000")).await.json().await.unwrap()
}

async fn admin_post(server: &TestServer, path: &str) -> reqwest::Response {
    server.client.post(server.url(path)).bearer_auth(ADMIN_TOKEN).send().await.unwrap()
}

/// A router with the server's own layers around it, on a free port.
async fn layered(app: axum::Router, concurrency: usize, timeout: Duration) -> String {
    let app = news_widget_server::with_layers(app, concurrency, timeout);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(news_widget_server::serve(listener, app));
    base
}

#[tokio::test]
async fn a_panic_in_a_handler_is_a_500_problem_and_the_server_lives() {
    let base = layered(
        axum::Router::new()
            .route("/boom", get(|| async { panic!("boom") as &str }))
            .route("/ok", get(|| async { "ok" })),
        64,
        Duration::from_secs(5),
    )
    .await;
    let http = reqwest::Client::new();
    for _ in 0..3 {
        let body = problem(http.get(format!("{base}/boom")).send().await.unwrap(), 500).await;
        assert!(!body.to_string().contains("boom"), "the panic's text stays in the log");
    }
    assert_eq!(http.get(format!("{base}/ok")).send().await.unwrap().text().await.unwrap(), "ok");
}

#[tokio::test]
async fn overload_is_shed_with_503_and_retry_after_and_slow_requests_time_out() {
    let gate = std::sync::Arc::new(tokio::sync::Notify::new());
    let held = gate.clone();
    let app = axum::Router::new()
        .route(
            "/hold",
            get(move || async move {
                held.notified().await;
                "done"
            }),
        )
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(30)).await;
                "late"
            }),
        );
    let base = layered(app, 1, Duration::from_millis(300)).await;
    let http = reqwest::Client::new();
    let first = tokio::spawn({
        let (http, base) = (http.clone(), base.clone());
        async move { http.get(format!("{base}/hold")).send().await.unwrap().status() }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let shed = http.get(format!("{base}/hold")).send().await.unwrap();
    assert_eq!(shed.headers()["retry-after"], "1");
    assert_eq!(problem(shed, 503).await["title"], "Overloaded");
    gate.notify_waiters();
    // The held request itself ran into the time limit or was released: either way it answered.
    assert!([200, 503].contains(&first.await.unwrap().as_u16()));
    let late = http.get(format!("{base}/slow")).send().await.unwrap();
    assert_eq!(problem(late, 503).await["title"], "Timed out");
}

#[tokio::test]
async fn admin_routes_refuse_without_the_token_before_reading_the_body() {
    let server = TestServer::start().await;
    for (method, path, body) in [
        (reqwest::Method::PUT, "/api/v1/articles/x", "{}"),
        (reqwest::Method::PUT, "/api/v1/articles/x", "not json"),
        (reqwest::Method::POST, "/api/v1/admin/privacy/export", "{}"),
        (reqwest::Method::POST, "/api/v1/admin/privacy/erase", "{\"email\": 5}"),
        (reqwest::Method::POST, "/api/v1/admin/comments/1/approve", ""),
        (reqwest::Method::GET, "/api/v1/admin/comments?status=nonsense", ""),
        (reqwest::Method::DELETE, "/api/v1/admin/comments/1", ""),
    ] {
        let answer = server
            .client
            .request(method.clone(), server.url(path))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        problem(answer, 401).await;
    }
}

#[tokio::test]
async fn failed_admin_requests_are_throttled_even_with_the_right_token_after() {
    let server = TestServer::start().await;
    let from = client_from([127, 0, 9, 1]);
    let queue =
        |c: &reqwest::Client, token: &str| c.get(server.url("/api/v1/admin/comments")).bearer_auth(token).send();
    for _ in 0..10 {
        problem(queue(&from, "guess-guess-guess-guess-guess-guess").await.unwrap(), 401).await;
    }
    let locked = queue(&from, ADMIN_TOKEN).await.unwrap();
    assert!(locked.headers().contains_key("retry-after"));
    problem(locked, 429).await;
    // Another address is not locked out by this one's failures.
    assert_eq!(queue(&client_from([127, 0, 9, 2]), ADMIN_TOKEN).await.unwrap().status(), 200);
}

#[tokio::test]
async fn every_refusal_is_problem_json() {
    let server = TestServer::start().await;
    let http = &server.client;
    problem(
        http.post(server.url("/api/v1/comments/abc/report")).json(&json!({"reason": "x"})).send().await.unwrap(),
        404,
    )
    .await;
    problem(server.get("/api/v1/comments/abc/status").await, 404).await;
    problem(server.get(&format!("{COMMENTS}?limit=5&limit=6")).await, 422).await;
    problem(server.get("/api/v1/nothing/here").await, 404).await;
    problem(server.get("/nothing-here.html").await, 404).await;
    problem(http.delete(server.url("/api/v1/health")).send().await.unwrap(), 405).await;
    problem(http.post(server.url(COMMENTS)).body("{}").send().await.unwrap(), 415).await;
    let huge = json!({"author_name": "A", "author_email": "a@b.co", "body": "x".repeat(200_000)});
    problem(http.post(server.url(COMMENTS)).json(&huge).send().await.unwrap(), 413).await;
    // A browser asks for compression: a static file's 404 is still a readable problem.
    let www = tempfile::tempdir().unwrap();
    std::fs::write(www.path().join("index.html"), "<!doctype html><title>t</title>").unwrap();
    let site = TestServer::start_with(|c| c.static_dir = Some(www.path().to_owned())).await;
    for path in ["/missing.js", "/api/v1/articles/x/comments?limit=99999"] {
        let answer = site.client.get(site.url(path)).header("accept-encoding", "gzip").send().await.unwrap();
        assert!(answer.status().is_client_error(), "{path}");
        assert_eq!(answer.headers()["content-type"], "application/problem+json", "{path}");
        let gzip = answer.headers().get("content-encoding").is_some_and(|e| e == "gzip");
        let bytes = answer.bytes().await.unwrap();
        let text = if gzip {
            let mut out = String::new();
            std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut out).unwrap();
            out
        } else {
            String::from_utf8(bytes.to_vec()).unwrap()
        };
        let body: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text:?}"));
        assert!(body["status"].as_u64().is_some_and(|s| (400..500).contains(&s)), "{path}: {body}");
    }
    let big_rating = format!("{{\"stars\": 3, \"pad\": \"{}\"}}", "x".repeat(10_000));
    let rating =
        http.put(server.url(&format!("/api/v1/articles/{SLUG}/rating"))).header("content-type", "application/json");
    problem(rating.body(big_rating).send().await.unwrap(), 413).await;
}

/// Every route, every kind of bad input: a 4xx problem naming what is wrong, never a 5xx, and
/// the server answers after.
#[tokio::test]
async fn a_bad_input_sweep_over_every_route_never_gets_a_5xx() {
    let server = TestServer::start().await;
    let id = post(&server, &comment("cible", "c@example.org")).await["comment"]["id"].as_i64().unwrap();
    let bodies: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"{".to_vec(),
        b"[]".to_vec(),
        b"null".to_vec(),
        b"{\"stars\": \"five\"}".to_vec(),
        b"{\"author_name\": 5, \"body\": []}".to_vec(),
        b"{\"parent_id\": -1, \"author_name\": \"a\", \"author_email\": \"a@b.co\", \"body\": \"b\"}".to_vec(),
        b"{\"parent_id\": 99999999999999999999, \"author_name\": \"a\", \"author_email\": \"a@b.co\", \"body\": \"b\"}"
            .to_vec(),
        format!("{{\"author_name\": \"{}\", \"author_email\": \"a@b.co\", \"body\": \"b\"}}", "n".repeat(5000))
            .into_bytes(),
        b"{\"reason\": \"\xff\xfe\"}".to_vec(),
        vec![0xff, 0xfe, 0xfd],
        b"{\"slugs\": [\"a\", \"B\", 5]}".to_vec(),
        b"{\"body\": \"\\u0000\"}".to_vec(),
        b"{\"email\": \"not-an-email\"}".to_vec(),
    ];
    let routes: Vec<(reqwest::Method, String)> = vec![
        (reqwest::Method::PUT, format!("/api/v1/articles/{SLUG}")),
        (reqwest::Method::PUT, "/api/v1/articles/Bad_Slug".into()),
        (reqwest::Method::PUT, format!("/api/v1/articles/{SLUG}/rating")),
        (reqwest::Method::PUT, "/api/v1/articles/no-such-article/rating".into()),
        (reqwest::Method::POST, COMMENTS.into()),
        (reqwest::Method::POST, "/api/v1/articles/no-such-article/comments".into()),
        (reqwest::Method::PATCH, format!("/api/v1/comments/{id}")),
        (reqwest::Method::PATCH, "/api/v1/comments/0".into()),
        (reqwest::Method::PATCH, "/api/v1/comments/99999999999999999999".into()),
        (reqwest::Method::DELETE, format!("/api/v1/comments/{id}")),
        (reqwest::Method::GET, format!("/api/v1/comments/{id}/status")),
        (reqwest::Method::POST, format!("/api/v1/comments/{id}/report")),
        (reqwest::Method::POST, "/api/v1/comments/-4/report".into()),
        (reqwest::Method::POST, "/api/v1/counts".into()),
        (reqwest::Method::POST, "/api/v1/admin/privacy/export".into()),
        (reqwest::Method::POST, "/api/v1/admin/comments/1/approve".into()),
        (reqwest::Method::GET, format!("{COMMENTS}?cursor=%FF%FE")),
        (reqwest::Method::GET, format!("{COMMENTS}?cursor=2024-07-05T09:00:00Z_x")),
        (reqwest::Method::GET, format!("{COMMENTS}?cursor={}", "9".repeat(400))),
        (reqwest::Method::GET, format!("{COMMENTS}?sort=%00&limit=-1")),
        (reqwest::Method::GET, "/api/v1/articles/no-such-article/form-token".into()),
        (reqwest::Method::GET, format!("/api/v1/articles/{}", "a".repeat(300))),
    ];
    let mut answers = 0;
    for (method, path) in &routes {
        for body in &bodies {
            for (content_type, auth) in
                [("application/json", Some(ADMIN_TOKEN)), ("application/json", None), ("text/plain", None)]
            {
                let mut request = server
                    .client
                    .request(method.clone(), server.url(path))
                    .header("content-type", content_type)
                    .body(body.clone());
                if let Some(token) = auth {
                    request = request.bearer_auth(token);
                }
                let answer = request.send().await.unwrap();
                let status = answer.status().as_u16();
                if status < 400 {
                    continue; // a body some route accepts (a report with a reason, say)
                }
                assert!(status < 500, "{method} {path} with {:?}: {status}", String::from_utf8_lossy(body));
                problem(answer, status).await;
                answers += 1;
            }
        }
    }
    assert!(answers > 500, "{answers}");
    assert_eq!(server.get("/api/v1/health").await.status(), 200, "the server answers after");
}

#[tokio::test]
async fn an_edit_under_pre_moderation_goes_back_to_review_and_readers_keep_the_approved_text() {
    let server = TestServer::start_with(|c| c.moderation = Moderation::Pre).await;
    let answer = post(&server, &comment("version approuvée", "a@example.org")).await;
    let (id, token) = (answer["comment"]["id"].as_i64().unwrap(), answer["edit_token"].as_str().unwrap().to_owned());
    assert_eq!(admin_post(&server, &format!("/api/v1/admin/comments/{id}/approve")).await.status(), 204);
    let edited = server.client.patch(server.url(&format!("/api/v1/comments/{id}"))).header("x-edit-token", &token);
    let edited: Value = edited.json(&json!({"body": "version non relue"})).send().await.unwrap().json().await.unwrap();
    assert_eq!(
        (edited["body"].clone(), edited["status"].clone()),
        (json!("version non relue"), json!("pending")),
        "its author sees the edit, pending"
    );
    let page = list(&server).await;
    assert_eq!(page["comments"][0]["body"], "version approuvée", "readers see the approved text");
    assert_eq!(page["total"], 1);
    let state: Value = server
        .client
        .get(server.url(&format!("/api/v1/comments/{id}/status")))
        .header("x-edit-token", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state, json!({"status": "approved", "edit_pending": true}));
    let queue: Value = server.admin_json("/api/v1/admin/comments").await;
    assert_eq!(queue[0]["pending_body"], "version non relue");
    assert_eq!(admin_post(&server, &format!("/api/v1/admin/comments/{id}/approve")).await.status(), 204);
    assert_eq!(list(&server).await["comments"][0]["body"], "version non relue");
}

#[tokio::test]
async fn reports_count_once_per_reader_are_limited_per_address_and_leave_the_cache_alone() {
    let server = TestServer::start_with(|c| c.reports_per_hour = 3).await;
    let id = post(&server, &comment("signalé", "a@example.org")).await["comment"]["id"].as_i64().unwrap();
    let url = server.url(&format!("/api/v1/comments/{id}/report"));
    let reader = |n: u8| format!("reader-token-000000000000{n:02}");
    let report = |c: reqwest::Client, token: Option<String>| {
        let mut r = c.post(url.clone()).json(&json!({"reason": "spam"}));
        if let Some(t) = token {
            r = r.header("x-reader-token", t);
        }
        r.send()
    };
    let office = client_from([127, 0, 5, 1]);
    for _ in 0..5 {
        assert_eq!(
            report(office.clone(), Some(reader(1))).await.unwrap().status(),
            204,
            "the same reader again: still once"
        );
    }
    assert_eq!(report(office.clone(), Some(reader(2))).await.unwrap().status(), 204);
    assert_eq!(report(office.clone(), None).await.unwrap().status(), 204);
    problem(report(office.clone(), Some(reader(3))).await.unwrap(), 429).await;
    let queue: Value = server.admin_json("/api/v1/admin/comments?status=reported").await;
    assert_eq!(queue[0]["reports"], 3, "three readers, three reports");
    // A report changes nothing readers see: the cached page keeps its ETag.
    let etag = server.get(COMMENTS).await.headers()["etag"].clone();
    report(client_from([127, 0, 5, 2]), Some(reader(4))).await.unwrap();
    let again = server.client.get(server.url(COMMENTS)).header("if-none-match", etag).send().await.unwrap();
    assert_eq!(again.status(), 304);
}

#[tokio::test]
async fn ipv6_clients_are_limited_by_their_64_behind_a_trusted_proxy() {
    let server = TestServer::start_with(|c| {
        c.comment_burst = 2;
        c.comments_per_minute = 1;
        c.proxies = news_widget_server::Proxies::Hops(1);
    })
    .await;
    let token = server.form_token(SLUG).await;
    let from = |ip: &str, n: usize| {
        let mut body = comment(&format!("v6 {n}"), "v6@example.org");
        body["form_token"] = json!(token);
        server.client.post(server.url(COMMENTS)).header("x-forwarded-for", ip).json(&body).send()
    };
    assert_eq!(from("2001:db8:7:7::1", 0).await.unwrap().status(), 201);
    assert_eq!(from("2001:db8:7:7::2", 1).await.unwrap().status(), 201);
    problem(from("2001:db8:7:7:ffff::3", 2).await.unwrap(), 429).await;
    assert_eq!(from("2001:db8:7:8::1", 3).await.unwrap().status(), 201, "another /64");
}

#[tokio::test]
async fn idempotency_keys_keep_no_edit_token_and_expire_after_a_day() {
    let server = TestServer::start().await;
    let key = "b1c2d3e4-0000-4000-8000-000000000001";
    let mut body = comment("une fois", "a@example.org");
    body["form_token"] = json!(server.form_token(SLUG).await);
    let send = || server.client.post(server.url(COMMENTS)).header("idempotency-key", key).json(&body).send();
    let first: Value = send().await.unwrap().json().await.unwrap();
    let again: Value = send().await.unwrap().json().await.unwrap();
    assert_eq!(again, first, "a replay answers the same, edit token included");
    let token = first["edit_token"].as_str().unwrap();
    let db = news_widget_server::db::connect(&server.database).await.unwrap();
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT key_hash, CAST(comment_id AS TEXT) FROM idempotency_keys").fetch_all(&db).await.unwrap();
    assert_eq!(rows.len(), 1);
    let stored = format!("{rows:?}");
    assert!(!stored.contains(token) && !stored.contains(key), "neither the token nor the key is stored: {stored}");
    // A day later the key is purged; the comment stays.
    sqlx::query("UPDATE idempotency_keys SET created_at = '2000-01-01T00:00:00Z'").execute(&db).await.unwrap();
    assert_eq!(news_widget_server::maintenance::purge(&db).await.unwrap(), 1);
    let (left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM idempotency_keys").fetch_one(&db).await.unwrap();
    assert_eq!(left, 0);
    assert_eq!(list(&server).await["total"], 1);
}

#[tokio::test]
async fn an_authors_delete_erases_for_good_and_no_moderator_brings_it_back() {
    let server = TestServer::start().await;
    let parent = post(&server, &comment("texte à effacer", "efface@example.org")).await;
    let (id, token) = (parent["comment"]["id"].as_i64().unwrap(), parent["edit_token"].as_str().unwrap().to_owned());
    let mut reply = comment("une réponse", "autre@example.org");
    reply["parent_id"] = json!(id);
    post(&server, &reply).await;
    let deleted = server.client.delete(server.url(&format!("/api/v1/comments/{id}"))).header("x-edit-token", &token);
    assert_eq!(deleted.send().await.unwrap().status(), 204);
    let db = news_widget_server::db::connect(&server.database).await.unwrap();
    let (body, email, name): (String, String, String) =
        sqlx::query_as("SELECT body, author_email, author_name FROM comments WHERE id = $1")
            .bind(id)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!((body.as_str(), email.as_str(), name.as_str()), ("", "", ""), "a tombstone only: its reply hangs on it");
    problem(admin_post(&server, &format!("/api/v1/admin/comments/{id}/approve")).await, 409).await;
    problem(admin_post(&server, &format!("/api/v1/admin/comments/{id}/reject")).await, 409).await;
    let page = list(&server).await;
    assert_eq!(
        (page["comments"][0]["status"].clone(), page["comments"][0]["body"].clone()),
        (json!("deleted"), json!(""))
    );
    assert!(!page.to_string().contains("texte à effacer"));
}

#[tokio::test]
async fn one_persons_data_is_exported_and_erased_through_the_api_and_the_cli() {
    let server = TestServer::start().await;
    for n in 0..3 {
        post(&server, &comment(&format!("à moi {n}"), "moi@example.org")).await;
    }
    post(&server, &comment("à quelqu'un d'autre", "autre@example.org")).await;
    let export = |email: &str| {
        server
            .client
            .post(server.url("/api/v1/admin/privacy/export"))
            .bearer_auth(ADMIN_TOKEN)
            .json(&json!({"email": email}))
            .send()
    };
    let data: Value = export("Moi@Example.org").await.unwrap().json().await.unwrap();
    assert_eq!(data["comments"].as_array().unwrap().len(), 3);
    assert_eq!(data["comments"][0]["author_email"], "moi@example.org");
    assert_eq!(problem(export("nope").await.unwrap(), 422).await["errors"][0]["field"], "email");
    let erased: Value = server
        .client
        .post(server.url("/api/v1/admin/privacy/erase"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"email": "moi@example.org"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(erased["comments"], 3);
    assert_eq!(export("moi@example.org").await.unwrap().json::<Value>().await.unwrap()["comments"], json!([]));
    assert_eq!(list(&server).await["total"], 1, "the others' comment stays");

    // The same through the command line, on the database file.
    let cli = env!("CARGO_BIN_EXE_news-widget-server");
    let db = &server.database;
    let out = std::process::Command::new(cli)
        .args(["--database", db, "privacy", "export", "--email", "autre@example.org"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let data: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(data["comments"][0]["body"], "à quelqu'un d'autre");
    let out = std::process::Command::new(cli)
        .args(["--database", db, "privacy", "erase", "--email", "autre@example.org"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "erased 1 comment(s)");
}

#[tokio::test]
async fn a_rejected_parent_leaves_a_placeholder_and_the_count_agrees() {
    let server = TestServer::start().await;
    let a = post(&server, &comment("parent", "a@example.org")).await;
    let a_id = a["comment"]["id"].as_i64().unwrap();
    let mut b = comment("enfant", "b@example.org");
    b["parent_id"] = json!(a_id);
    let b_id = post(&server, &b).await["comment"]["id"].as_i64().unwrap();
    let mut c = comment("petit-enfant", "c@example.org");
    c["parent_id"] = json!(b_id);
    post(&server, &c).await;
    // Reject the parent and the child: the grandchild still shows, under two placeholders.
    assert_eq!(admin_post(&server, &format!("/api/v1/admin/comments/{a_id}/reject")).await.status(), 204);
    assert_eq!(admin_post(&server, &format!("/api/v1/admin/comments/{b_id}/reject")).await.status(), 204);
    let page = list(&server).await;
    let shown: Vec<(Value, Value)> =
        page["comments"].as_array().unwrap().iter().map(|c| (c["status"].clone(), c["body"].clone())).collect();
    assert_eq!(
        shown,
        [(json!("deleted"), json!("")), (json!("deleted"), json!("")), (json!("approved"), json!("petit-enfant"))]
    );
    let approved = shown.iter().filter(|(s, _)| s == "approved").count();
    assert_eq!(page["total"], approved, "what is shown and the count agree");
    // The author of the rejected comment learns it was not published.
    let state: Value = server
        .client
        .get(server.url(&format!("/api/v1/comments/{a_id}/status")))
        .header("x-edit-token", a["edit_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["status"], "rejected");
    problem(
        server
            .client
            .get(server.url(&format!("/api/v1/comments/{a_id}/status")))
            .header("x-edit-token", "0".repeat(64))
            .send()
            .await
            .unwrap(),
        403,
    )
    .await;
}

#[tokio::test]
async fn the_admin_token_comes_from_a_file_or_the_environment_never_argv_and_is_long() {
    let cli = env!("CARGO_BIN_EXE_news-widget-server");
    let dir = tempfile::tempdir().unwrap();
    let short = dir.path().join("short");
    std::fs::write(&short, "tooshort\n").unwrap();
    let db = dir.path().join("t.sqlite3");
    let out = std::process::Command::new(cli)
        .args([
            "--addr",
            "127.0.0.1:0",
            "--database",
            db.to_str().unwrap(),
            "--admin-token-file",
            short.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 32"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = std::process::Command::new(cli)
        .args(["--addr", "127.0.0.1:0", "--database", db.to_str().unwrap()])
        .env("NEWS_WIDGET_ADMIN_TOKEN", "short")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let out = std::process::Command::new(cli).args(["--admin-token", &"x".repeat(40)]).output().unwrap();
    assert!(!out.status.success(), "no --admin-token on the command line");
}
