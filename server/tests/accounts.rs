//! Moderators' accounts and sessions, over real HTTP on a real SQLite file: the `users` commands
//! of the real binary, signing in and out, the cookie, CSRF, throttling, expiry (on a clock the
//! tests move forward), roles, disabled accounts, and the static admin token beside them.

mod common;

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr};

use std::process::{Command, Stdio};
use std::time::Instant;

use common::{problem, TestServer, ADMIN_TOKEN};
use news_widget_server::accounts::{self, Clock, Role};
use news_widget_server::db;
use reqwest::Method;
use serde_json::{json, Value};

const SESSION: &str = "/api/v1/admin/session";
const USERS: &str = "/api/v1/admin/users";
const SLUG: &str = "cooperation-chine-kazakhstan";
const ADMIN: (&str, &str) = ("chief@example.org", "a long admin passphrase");
const MODERATOR: (&str, &str) = ("mod@example.org", "a long moderator passphrase");

fn client_from(ip: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder().local_address(IpAddr::V4(Ipv4Addr::from(ip))).build().unwrap()
}

fn database(server: &TestServer) -> String {
    server.database.clone()
}

/// A server with an admin and a moderator account, on `clock`.
async fn server_on(clock: &Clock) -> (TestServer, db::Db) {
    let clock = clock.clone();
    let server = TestServer::start_with(move |c| c.clock = clock).await;
    let db = db::connect(&database(&server)).await.unwrap();
    for ((email, password), role) in [(ADMIN, Role::Admin), (MODERATOR, Role::Moderator)] {
        let hash = accounts::hash_password(password).unwrap();
        accounts::add_user(&db, email, role, Some(&hash)).await.unwrap();
    }
    (server, db)
}

async fn server() -> (TestServer, db::Db) {
    server_on(&Clock::default()).await
}

/// A signed-in session: the `Cookie` header to send, and its CSRF token.
struct Session {
    cookie: String,
    csrf: String,
}

async fn try_login(client: &reqwest::Client, server: &TestServer, email: &str, password: &str) -> reqwest::Response {
    client.post(server.url(SESSION)).json(&json!({"email": email, "password": password})).send().await.unwrap()
}

async fn login(server: &TestServer, (email, password): (&str, &str)) -> Session {
    let answer = try_login(&server.client, server, email, password).await;
    assert_eq!(answer.status(), 200, "sign-in of {email}");
    let set_cookie = answer.headers()["set-cookie"].to_str().unwrap().to_owned();
    let body: Value = answer.json().await.unwrap();
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    Session { cookie, csrf: body["csrf_token"].as_str().unwrap().to_owned() }
}

impl Session {
    fn request(&self, server: &TestServer, method: Method, path: &str) -> reqwest::RequestBuilder {
        server.client.request(method, server.url(path)).header("cookie", &self.cookie)
    }

    /// With the CSRF token.
    fn send(&self, server: &TestServer, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.request(server, method, path).header("x-csrf-token", &self.csrf)
    }

    fn id(&self) -> &str {
        self.cookie.split_once('=').unwrap().1
    }
}

async fn whoami(server: &TestServer, session: &Session) -> reqwest::Response {
    session.request(server, Method::GET, SESSION).send().await.unwrap()
}

async fn session_count(db: &db::Db) -> i64 {
    sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM sessions").fetch_one(db).await.unwrap().0
}

/// A comment on the demo article, as a reader posts it: its id.
async fn comment(server: &TestServer) -> i64 {
    let body = json!({"author_name": "Camille", "author_email": "camille@example.org", "body": "Un avis.",
                      "form_token": server.form_token(SLUG).await});
    let answer =
        server.client.post(server.url(&format!("/api/v1/articles/{SLUG}/comments"))).json(&body).send().await.unwrap();
    assert_eq!(answer.status(), 201);
    answer.json::<Value>().await.unwrap()["comment"]["id"].as_i64().unwrap()
}

#[tokio::test]
async fn signing_in_sets_a_host_only_secure_strict_cookie_and_answers_the_csrf_token() {
    let (server, db) = server().await;
    let answer = try_login(&server.client, &server, "  Chief@Example.ORG ", ADMIN.1).await;
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["cache-control"], "no-store");
    let cookies: Vec<_> = answer.headers().get_all("set-cookie").iter().collect();
    assert_eq!(cookies.len(), 1);
    let cookie = cookies[0].to_str().unwrap().to_owned();
    let (pair, attributes) = cookie.split_once("; ").unwrap();
    let (name, id) = pair.split_once('=').unwrap();
    assert_eq!(name, "__Host-nw_session");
    assert_eq!(id.len(), 64, "256 random bits, hex");
    assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(attributes, format!("Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age={}", 7 * 24 * 3600));
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["email"], ADMIN.0);
    assert_eq!(body["role"], "admin");
    let csrf = body["csrf_token"].as_str().unwrap().to_owned();
    assert!(csrf.len() >= 32);

    // Only the id's SHA-256 is stored.
    let stored: Vec<(String,)> = sqlx::query_as("SELECT id_hash FROM sessions").fetch_all(&db).await.unwrap();
    assert_eq!(stored, vec![(news_widget_server::secrets::token_hash(id),)]);
    assert_ne!(stored[0].0, id);

    // GET: who is signed in, and the same CSRF token.
    let session = Session { cookie: pair.to_owned(), csrf };
    let me = whoami(&server, &session).await;
    assert_eq!(me.status(), 200);
    let me: Value = me.json().await.unwrap();
    assert_eq!(me, json!({"email": ADMIN.0, "role": "admin", "csrf_token": session.csrf}));
    // Another sign-in is another session, with another CSRF token.
    let other = login(&server, ADMIN).await;
    assert_ne!(other.id(), session.id());
    assert_ne!(other.csrf, session.csrf);
}

#[tokio::test]
async fn a_wrong_password_an_unknown_email_and_a_malformed_one_get_the_same_answer() {
    let (server, _db) = server().await;
    let mut answers = Vec::new();
    let mut times = Vec::new();
    for (email, password) in [
        (ADMIN.0, "not the right passphrase"),
        ("nobody@example.org", "not the right passphrase"),
        (ADMIN.0, "still not the passphrase"),
        ("nobody-else@example.org", "not the right passphrase"),
        ("not an email", "whatever whatever"),
    ] {
        let started = Instant::now();
        let answer = try_login(&server.client, &server, email, password).await;
        times.push(started.elapsed());
        assert!(answer.headers().get("set-cookie").is_none());
        answers.push(problem(answer, 401).await);
    }
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:?}");
    assert_eq!(answers[0]["detail"], "the email or the password is wrong");
    // An unknown email is verified against a dummy hash: it takes an argon2 verification too,
    // not the microseconds of a lookup (loosely: the machine may be busy).
    let wrong = times[0].min(times[2]);
    let unknown = times[1].min(times[3]);
    assert!(unknown * 4 > wrong, "unknown {unknown:?} vs wrong password {wrong:?}");
    // A missing field is a 422 naming it, not a sign-in failure.
    let missing = server.client.post(server.url(SESSION)).json(&json!({"email": ADMIN.0})).send().await.unwrap();
    problem(missing, 422).await;
}

#[tokio::test]
async fn failed_sign_ins_are_throttled_per_account_then_allowed_again_after_the_window() {
    let clock = Clock::default();
    let (server, _db) = server_on(&clock).await;
    let first = client_from([127, 0, 3, 1]);
    for _ in 0..accounts::MAX_FAILURES_PER_ACCOUNT {
        problem(try_login(&first, &server, ADMIN.0, "a guess at the passphrase").await, 401).await;
    }
    // Locked: even the right password, even from another address, and the account is not named.
    for client in [&first, &client_from([127, 0, 3, 2])] {
        let locked = try_login(client, &server, ADMIN.0, ADMIN.1).await;
        let wait: u64 = locked.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=900).contains(&wait), "{wait}");
        assert!(locked.headers().get("set-cookie").is_none());
        problem(locked, 429).await;
    }
    // An unknown email is locked alike, so the lock tells nothing about which emails exist.
    for _ in 0..accounts::MAX_FAILURES_PER_ACCOUNT {
        problem(try_login(&client_from([127, 0, 3, 3]), &server, "ghost@example.org", "a guess, a guess").await, 401)
            .await;
    }
    problem(try_login(&client_from([127, 0, 3, 4]), &server, "ghost@example.org", "a guess, a guess").await, 429).await;
    // Other accounts are not locked by this one's failures.
    assert_eq!(try_login(&first, &server, MODERATOR.0, MODERATOR.1).await.status(), 200);
    // After the 15 minutes, the right password works again.
    clock.advance(15 * 60 + 1);
    assert_eq!(try_login(&first, &server, ADMIN.0, ADMIN.1).await.status(), 200);
}

#[tokio::test]
async fn failed_sign_ins_are_throttled_per_address() {
    let (server, _db) = server().await;
    let busy = client_from([127, 0, 4, 1]);
    for i in 0..accounts::MAX_FAILURES_PER_ADDRESS {
        problem(try_login(&busy, &server, &format!("guess{i}@example.org"), "a guess at a passphrase").await, 401)
            .await;
    }
    let locked = try_login(&busy, &server, MODERATOR.0, MODERATOR.1).await;
    assert!(locked.headers().contains_key("retry-after"));
    problem(locked, 429).await;
    // The same account from another address signs in.
    assert_eq!(try_login(&client_from([127, 0, 4, 2]), &server, MODERATOR.0, MODERATOR.1).await.status(), 200);
}

#[tokio::test]
async fn sessions_end_after_8_hours_idle_and_7_days_in_all() {
    let clock = Clock::default();
    let (server, db) = server_on(&clock).await;
    // Idle: used again within 8 hours, a session lives on; 8 hours unused, it is over.
    let idle = login(&server, MODERATOR).await;
    for _ in 0..3 {
        clock.advance(accounts::SESSION_IDLE - 60);
        assert_eq!(whoami(&server, &idle).await.status(), 200);
    }
    clock.advance(accounts::SESSION_IDLE);
    problem(whoami(&server, &idle).await, 401).await;
    assert_eq!(session_count(&db).await, 0, "an expired session is deleted");
    problem(idle.request(&server, Method::GET, "/api/v1/admin/comments").send().await.unwrap(), 401).await;

    // Absolute: however busy, a session ends 7 days after sign-in.
    let busy = login(&server, MODERATOR).await;
    let mut lived = 0;
    while lived + 7 * 3600 < accounts::SESSION_LIFETIME {
        clock.advance(7 * 3600);
        lived += 7 * 3600;
        assert_eq!(busy.request(&server, Method::GET, "/api/v1/admin/comments").send().await.unwrap().status(), 200);
    }
    clock.advance(accounts::SESSION_LIFETIME - lived);
    problem(whoami(&server, &busy).await, 401).await;
    assert_eq!(session_count(&db).await, 0);
    // Signing in again works.
    assert_eq!(whoami(&server, &login(&server, MODERATOR).await).await.status(), 200);
}

#[tokio::test]
async fn signing_out_deletes_the_session_and_clears_the_cookie() {
    let (server, db) = server().await;
    let session = login(&server, MODERATOR).await;
    let kept = login(&server, MODERATOR).await;
    // Without its CSRF token, signing out is refused (no one signs you out from another site).
    problem(session.request(&server, Method::DELETE, SESSION).send().await.unwrap(), 403).await;
    let out = session.send(&server, Method::DELETE, SESSION).send().await.unwrap();
    assert_eq!(out.status(), 204);
    assert_eq!(out.headers()["set-cookie"], "__Host-nw_session=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0");
    problem(whoami(&server, &session).await, 401).await;
    problem(session.send(&server, Method::DELETE, SESSION).send().await.unwrap(), 401).await;
    assert_eq!(session_count(&db).await, 1, "the other session is still there");
    assert_eq!(whoami(&server, &kept).await.status(), 200);
    problem(server.client.delete(server.url(SESSION)).send().await.unwrap(), 401).await;
}

#[tokio::test]
async fn state_changing_requests_of_a_session_need_its_csrf_token() {
    let (server, _db) = server().await;
    let moderator = login(&server, MODERATOR).await;
    let admin = login(&server, ADMIN).await;
    let id = comment(&server).await;
    let approve = format!("/api/v1/admin/comments/{id}/approve");
    let delete = format!("/api/v1/admin/comments/{id}");

    // GET needs none.
    assert_eq!(moderator.request(&server, Method::GET, "/api/v1/admin/comments").send().await.unwrap().status(), 200);
    // POST, DELETE, PUT: missing, wrong, or another session's token is 403.
    for (method, path) in [(Method::POST, approve.as_str()), (Method::DELETE, delete.as_str())] {
        problem(moderator.request(&server, method.clone(), path).send().await.unwrap(), 403).await;
        let wrong = moderator.request(&server, method.clone(), path).header("x-csrf-token", "0".repeat(64));
        problem(wrong.send().await.unwrap(), 403).await;
        let others = moderator.request(&server, method.clone(), path).header("x-csrf-token", &admin.csrf);
        problem(others.send().await.unwrap(), 403).await;
    }
    let article = json!({
        "lang": "en", "title": "T", "body_html": "<p>b</p>", "published_at": "2026-11-27T10:00:00Z",
        "image": {"src": "/media/chine-kazakhstan.svg", "alt": "flags", "width": 1200, "height": 675},
        "editor_score": 80
    });
    let put = |s: &Session, csrf: bool| {
        let r = s.request(&server, Method::PUT, "/api/v1/articles/csrf-check").json(&article);
        if csrf {
            r.header("x-csrf-token", &s.csrf)
        } else {
            r
        }
    };
    problem(put(&admin, false).send().await.unwrap(), 403).await;
    assert_eq!(server.get("/api/v1/articles/csrf-check").await.status(), 404, "nothing was written");
    // With the token, they go through.
    assert_eq!(moderator.send(&server, Method::POST, &approve).send().await.unwrap().status(), 204);
    assert_eq!(moderator.send(&server, Method::DELETE, &delete).send().await.unwrap().status(), 204);
    assert_eq!(put(&admin, true).send().await.unwrap().status(), 201);
}

#[tokio::test]
async fn every_admin_route_refuses_without_credentials_before_reading_the_body() {
    let (server, _db) = server().await;
    // Larger than every route's body limit (the articles' is 1 MiB): read, it would be a 413.
    let huge = format!("{{\"x\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    // Every admin operation the OpenAPI document lists (so a new route cannot be forgotten here):
    // the paths under /api/v1/admin/ and the ones that take the admin token, but signing in and
    // the setup link's password, which are how credentials are had.
    let doc: serde_json::Value = server.get("/api/v1/openapi.json").await.json().await.unwrap();
    let mut routes: Vec<(Method, String)> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (verb, op) in item.as_object().unwrap() {
            let admin = path.starts_with("/api/v1/admin/") || op.get("security").is_some();
            let open = (verb == "post" && path == SESSION) || path == "/api/v1/admin/setup";
            if admin && !open {
                let concrete = path
                    .replace("{id}", "1")
                    .replace("{action}", "approve")
                    .replace("{person}", "0123456789abcdef")
                    .replace("{slug}", "x");
                routes.push((Method::from_bytes(verb.to_uppercase().as_bytes()).unwrap(), concrete));
            }
        }
    }
    assert!(routes.len() >= 30, "the document lists the admin routes: {routes:?}");
    for (method, path) in &routes {
        let path = path.as_str();
        for cookie in [None, Some("__Host-nw_session=0000"), Some("__Host-nw_session=")] {
            let mut request = server.client.request(method.clone(), server.url(path));
            if let Some(cookie) = cookie {
                request = request.header("cookie", cookie);
            }
            let answer = request.header("content-type", "application/json").body(huge.clone()).send().await.unwrap();
            assert_eq!(answer.status(), 401, "{method} {path} with {cookie:?}");
            problem(answer, 401).await;
        }
    }
    // A signed-in moderator on an admin-only route: 403, also before the body.
    let moderator = login(&server, MODERATOR).await;
    for (method, path) in [(Method::POST, USERS), (Method::PUT, "/api/v1/articles/x")] {
        let answer =
            moderator.send(&server, method, path).header("content-type", "application/json").body(huge.clone());
        problem(answer.send().await.unwrap(), 403).await;
    }
}

#[tokio::test]
async fn moderators_moderate_and_only_admins_manage_accounts() {
    let (server, _db) = server().await;
    let moderator = login(&server, MODERATOR).await;
    let admin = login(&server, ADMIN).await;
    let id = comment(&server).await;
    // A moderator moderates…
    assert_eq!(moderator.request(&server, Method::GET, "/api/v1/admin/comments").send().await.unwrap().status(), 200);
    let reject = format!("/api/v1/admin/comments/{id}/reject");
    assert_eq!(moderator.send(&server, Method::POST, &reject).send().await.unwrap().status(), 204);
    // …but manages no accounts (nor articles, nor personal data).
    let new = json!({"email": "new@example.org", "role": "moderator"});
    problem(moderator.request(&server, Method::GET, USERS).send().await.unwrap(), 403).await;
    problem(moderator.send(&server, Method::POST, USERS).json(&new).send().await.unwrap(), 403).await;
    problem(moderator.send(&server, Method::POST, "/api/v1/admin/users/1/disable").send().await.unwrap(), 403).await;
    let person = json!({"email": "camille@example.org"});
    problem(
        moderator.send(&server, Method::POST, "/api/v1/admin/privacy/export").json(&person).send().await.unwrap(),
        403,
    )
    .await;

    // An admin lists the accounts (never a hash)…
    let listed: Value = admin.request(&server, Method::GET, USERS).send().await.unwrap().json().await.unwrap();
    let emails: Vec<_> = listed.as_array().unwrap().iter().map(|u| u["email"].as_str().unwrap()).collect();
    assert_eq!(emails, [ADMIN.0, MODERATOR.0]);
    assert!(!listed.to_string().contains("argon2"), "{listed}");
    // …creates one, answered with a one-time setup link valid 24 hours…
    let created = admin.send(&server, Method::POST, USERS).json(&new).send().await.unwrap();
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["user"]["email"], "new@example.org");
    assert_eq!(created["user"]["has_password"], false);
    let link = url::Url::parse(created["setup_url"].as_str().unwrap()).unwrap();
    assert_eq!(link.path(), "/admin/setup");
    let token = link.query_pairs().find(|(k, _)| k == "token").unwrap().1.into_owned();
    problem(admin.send(&server, Method::POST, USERS).json(&new).send().await.unwrap(), 409).await;
    problem(
        admin
            .send(&server, Method::POST, USERS)
            .json(&json!({"email": "x", "role": "moderator"}))
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    problem(
        admin
            .send(&server, Method::POST, USERS)
            .json(&json!({"email": "y@example.org", "role": "owner"}))
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    // Before the link is used, the account cannot sign in.
    problem(try_login(&server.client, &server, "new@example.org", "").await, 401).await;
    // The link sets a password (12 characters at least), once.
    let setup = |password: &str| {
        server
            .client
            .post(server.url("/api/v1/admin/setup"))
            .json(&json!({"token": token, "password": password}))
            .send()
    };
    problem(setup("short").await.unwrap(), 422).await;
    assert_eq!(setup("the newcomer's passphrase").await.unwrap().status(), 204);
    problem(setup("another passphrase here").await.unwrap(), 410).await;
    let newcomer = login(&server, ("new@example.org", "the newcomer's passphrase")).await;
    assert_eq!(whoami(&server, &newcomer).await.json::<Value>().await.unwrap()["role"], "moderator");

    // Disabling an account ends its sessions at once and refuses its sign-ins like a wrong password.
    let new_id = created["user"]["id"].as_i64().unwrap();
    let disable = format!("/api/v1/admin/users/{new_id}/disable");
    assert_eq!(admin.send(&server, Method::POST, &disable).send().await.unwrap().status(), 204);
    problem(whoami(&server, &newcomer).await, 401).await;
    let refused =
        problem(try_login(&server.client, &server, "new@example.org", "the newcomer's passphrase").await, 401).await;
    assert_eq!(refused["detail"], "the email or the password is wrong");
    let listed: Value = admin.request(&server, Method::GET, USERS).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed[2]["disabled"], true);
    problem(admin.send(&server, Method::POST, "/api/v1/admin/users/999/disable").send().await.unwrap(), 404).await;
    // An admin cannot disable their own account.
    let own = format!("/api/v1/admin/users/{}/disable", listed[0]["id"]);
    problem(admin.send(&server, Method::POST, &own).send().await.unwrap(), 409).await;
}

#[tokio::test]
async fn setup_links_expire_after_24_hours() {
    let clock = Clock::default();
    let (server, _db) = server_on(&clock).await;
    let created: Value = server
        .client
        .post(server.url(USERS))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"email": "late@example.org", "role": "admin"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let link = url::Url::parse(created["setup_url"].as_str().unwrap()).unwrap();
    let token = link.query_pairs().find(|(k, _)| k == "token").unwrap().1.into_owned();
    clock.advance(accounts::SETUP_LIFETIME + 1);
    let late = server
        .client
        .post(server.url("/api/v1/admin/setup"))
        .json(&json!({"token": token, "password": "a passphrase too late"}))
        .send()
        .await
        .unwrap();
    problem(late, 410).await;
}

#[tokio::test]
async fn the_setup_link_opens_the_console_page() {
    // A built console, faked: its index.html is enough.
    let console = tempfile::tempdir().unwrap();
    let html = "<!doctype html><html lang=\"en\"><title>console</title><div id=\"nw-console\"></div></html>";
    std::fs::write(console.path().join("index.html"), html).unwrap();
    let dir = console.path().to_path_buf();
    let server = TestServer::start_with(move |config| config.console_dir = Some(dir)).await;
    let page = server.get("/admin/setup?token=x").await;
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert_eq!(headers["content-security-policy"], news_widget_server::console_files::CSP);
    assert_eq!(headers["cache-control"], "no-store");
    // The token is in the address: the page never sends it on as a referrer.
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(page.text().await.unwrap(), html);
    // Only that page: other unknown paths under /admin/ stay 404.
    assert_eq!(server.get("/admin/setup/x").await.status(), 404);
}

#[tokio::test]
async fn the_static_admin_token_still_works_as_an_admin_without_csrf() {
    let (server, _db) = server().await;
    let listed = server.client.get(server.url(USERS)).bearer_auth(ADMIN_TOKEN).send().await.unwrap();
    assert_eq!(listed.status(), 200);
    let created = server
        .client
        .post(server.url(USERS))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"email": "scripted@example.org", "role": "moderator"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let id = comment(&server).await;
    let approve = server.url(&format!("/api/v1/admin/comments/{id}/approve"));
    assert_eq!(server.client.post(&approve).bearer_auth(ADMIN_TOKEN).send().await.unwrap().status(), 204);
    // A wrong token is not rescued by a valid session cookie beside it.
    let session = login(&server, ADMIN).await;
    let both = session.send(&server, Method::GET, USERS).bearer_auth("wrong-wrong-wrong-wrong-wrong-wrong");
    problem(both.send().await.unwrap(), 401).await;
    // The token is no session.
    problem(server.client.get(server.url(SESSION)).bearer_auth(ADMIN_TOKEN).send().await.unwrap(), 401).await;
    // The OpenAPI document lists the new routes.
    let doc: Value = server.get("/api/v1/openapi.json").await.json().await.unwrap();
    for path in [SESSION, "/api/v1/admin/setup", USERS, "/api/v1/admin/users/{id}/disable"] {
        assert!(doc["paths"][path].is_object(), "{path} is not in the OpenAPI document");
    }
}

// ---- the `users` commands of the real binary ----

/// Runs the binary with `args` on `database`, `stdin` piped in: (success, stdout, stderr).
fn run(database: &str, args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_news-widget-server"))
        .args(args)
        .arg("--database")
        .arg(database)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    // The binary may exit before it reads (a bad email is refused first).
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(matches!(out.status.code(), Some(0..=2)), "exit status {:?}: {stderr}", out.status);
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), stderr)
}

#[tokio::test]
async fn the_users_commands_add_list_disable_and_reset_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::fresh_database(dir.path(), "cli").await;
    let add = |email: &str, role: &str, stdin: &str| run(&path, &["users", "add", email, "--role", role], stdin);

    let (ok, _, err) = add("editor@example.org", "moderator", "too short\n");
    assert!(!ok && err.contains("at least 12"), "{err}");
    let (ok, _, err) = add("not-an-email", "moderator", "a good long passphrase\n");
    assert!(!ok && err.contains("email"), "{err}");
    let (ok, _, err) = add("editor@example.org", "owner", "a good long passphrase\n");
    assert!(!ok && err.contains("owner"), "{err}");
    let (ok, out, err) = add("Editor@Example.org", "moderator", "a good long passphrase\n");
    assert!(ok, "{err}");
    assert!(out.contains("added editor@example.org (moderator)"), "{out}");
    let (ok, _, err) = add("editor@example.org", "admin", "another long passphrase\n");
    assert!(!ok && err.contains("exists already"), "{err}");
    assert!(add("boss@example.org", "admin", "the boss's passphrase\r\n").0);

    let (ok, out, _) = run(&path, &["users", "list"], "");
    assert!(ok);
    assert!(out.contains("moderator") && out.contains("editor@example.org") && out.contains("active"), "{out}");
    assert!(out.contains("boss@example.org") && out.contains("2 account(s)"), "{out}");
    let db = db::connect(&path).await.unwrap();
    let (hash,): (String,) = sqlx::query_as("SELECT password_hash FROM users WHERE email = 'editor@example.org'")
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");

    // The server on that database: the password from stdin signs in (the \r\n was not kept).
    let db_path = path.clone();
    let server = TestServer::start_with(|c| c.database = db_path).await;
    let session = login(&server, ("editor@example.org", "a good long passphrase")).await;
    assert!(login(&server, ("boss@example.org", "the boss's passphrase")).await.csrf.len() > 10);

    // reset: a new password; the old one and the old sessions stop working.
    let (ok, _, err) = run(&path, &["users", "reset", "editor@example.org"], "short\n");
    assert!(!ok && err.contains("at least 12"), "{err}");
    let (ok, out, err) = run(&path, &["users", "reset", "editor@example.org"], "a brand new passphrase\n");
    assert!(ok && out.contains("new password set"), "{err}");
    problem(whoami(&server, &session).await, 401).await;
    problem(try_login(&server.client, &server, "editor@example.org", "a good long passphrase").await, 401).await;
    let session = login(&server, ("editor@example.org", "a brand new passphrase")).await;

    // disable: its sessions end, and it cannot sign in.
    let (ok, _, err) = run(&path, &["users", "disable", "nobody@example.org"], "");
    assert!(!ok && err.contains("no account"), "{err}");
    let (ok, _, err) = run(&path, &["users", "disable", "editor@example.org"], "");
    assert!(ok, "{err}");
    problem(whoami(&server, &session).await, 401).await;
    problem(try_login(&server.client, &server, "editor@example.org", "a brand new passphrase").await, 401).await;
    let (_, out, _) = run(&path, &["users", "list"], "");
    assert!(out.contains("disabled"), "{out}");
}
