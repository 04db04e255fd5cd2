//! Moderators' email alerts, over real HTTP on a real SQLite file, sent to a real SMTP server
//! (aiosmtpd, from target/smtp/venv: `cargo xtask test` makes it, or set NEWS_WIDGET_SMTP_PYTHON)
//! that writes a maildir the tests read: who gets an email, what it says (never the commenter's
//! email), the signed single-use links, the outbox waiting for a stopped SMTP server, reports,
//! and hourly digests.

mod common;

use std::net::TcpListener as StdListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{problem, ADMIN_TOKEN};
use news_widget_api::admin::AlertMode;
use news_widget_server::accounts::{self, Clock, Role};
use news_widget_server::mail::MailConfig;
use news_widget_server::{alerts, app, db, serve, Config};
use serde_json::{json, Value};

const SLUG: &str = "cooperation-chine-kazakhstan";
const COMMENTER_EMAIL: &str = "secret-commenter@example.org";
const PASSWORD: &str = "a long moderator passphrase";

fn python() -> PathBuf {
    let path = match std::env::var_os("NEWS_WIDGET_SMTP_PYTHON") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/smtp/venv/bin/python"),
    };
    assert!(
        path.is_file(),
        "no Python with aiosmtpd at {}: run `cargo xtask test` (its set-up makes target/smtp/venv), \
         or set NEWS_WIDGET_SMTP_PYTHON to a Python that has aiosmtpd",
        path.display()
    );
    path
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// aiosmtpd on 127.0.0.1:`port`, delivering into the maildir `dir`; stopped (by its PID) when dropped.
struct Smtp {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
}

impl Smtp {
    fn start(port: u16, dir: &Path) -> Self {
        let mut smtp = Smtp { child: None, port, dir: dir.to_owned() };
        smtp.run();
        smtp
    }

    fn run(&mut self) {
        let child = Command::new(python())
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{}", self.port),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("aiosmtpd starts");
        self.child = Some(child);
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "aiosmtpd did not listen on {}", self.port);
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The messages of a maildir, parsed by Python's email package: subject, to, message_id, body
/// (the plain text, decoded), raw (the whole message as sent).
fn messages(dir: &Path) -> Vec<Value> {
    if !dir.join("new").is_dir() {
        return Vec::new();
    }
    const SCRIPT: &str = r#"
import json, mailbox, sys
from email import policy
from email.parser import BytesParser
box = mailbox.Maildir(sys.argv[1], factory=None, create=False)
out = []
for key in sorted(box.keys()):
    raw = box.get_bytes(key)
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    out.append({"subject": str(msg["subject"]), "to": str(msg["to"]), "message_id": str(msg["message-id"]),
                "body": msg.get_body(("plain",)).get_content(), "raw": raw.decode("utf-8", "replace")})
print(json.dumps(out))
"#;
    let out = Command::new(python()).args(["-c", SCRIPT]).arg(dir).output().expect("python runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// Waits until the maildir holds `n` messages (at most 20 s), then answers them.
async fn wait_for(dir: &Path, n: usize) -> Vec<Value> {
    let started = Instant::now();
    loop {
        let got = messages(dir);
        if got.len() >= n {
            return got;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{} message(s) after 20 s, wanted {n}", got.len());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

struct Server {
    base: String,
    client: reqwest::Client,
    db: db::Db,
    /// Where its data is (a SQLite file or a `postgres://` URL).
    database: String,
    clock: Clock,
    dir: tempfile::TempDir,
}

impl Server {
    /// A server whose alerts go to 127.0.0.1:`smtp_port`, with short timings; `tweak` adjusts it.
    async fn start(smtp_port: u16, tweak: impl FnOnce(&mut Config)) -> Self {
        common::log_to_test_output();
        let dir = tempfile::tempdir().unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let mut mail = MailConfig::new(
            &format!("smtp://127.0.0.1:{smtp_port}"),
            "news-widget <alerts@news.test>",
            url::Url::parse(&format!("{base}/")).unwrap(),
        )
        .unwrap();
        mail.poll = Duration::from_millis(200);
        mail.backoff = Duration::from_millis(100);
        mail.backoff_max = Duration::from_millis(400);
        mail.timeout = Duration::from_secs(5);
        let clock = Clock::default();
        let database = common::fresh_database(dir.path(), "test").await;
        let mut config = Config {
            admin_token: Some(news_widget_server::AdminToken::new(ADMIN_TOKEN).unwrap()),
            form_min_age: Duration::ZERO,
            // A comment with a link is held (`links:1`).
            rules: news_widget_server::moderation::Rules { link_limit: 1, trusted_after: 0, ..Default::default() },
            clock: clock.clone(),
            mail: Some(mail),
            ..Config::new(database)
        };
        tweak(&mut config);
        let app = app(&config).await.unwrap();
        tokio::spawn(serve(listener, app));
        let db = db::connect(&config.database).await.unwrap();
        Server { base, client: reqwest::Client::new(), db, database: config.database.clone(), clock, dir }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn account(&self, email: &str, role: Role, mode: AlertMode) -> i64 {
        let hash = accounts::hash_password(PASSWORD).unwrap();
        let user = accounts::add_user(&self.db, email, role, Some(&hash)).await.unwrap();
        alerts::set(&self.db, user.id, mode).await.unwrap();
        user.id
    }

    /// Posts a comment; answers its id and status.
    async fn comment(&self, body: &str) -> (i64, String) {
        let posted = self.post(body).await;
        (posted["comment"]["id"].as_i64().unwrap(), posted["status"].as_str().unwrap().to_owned())
    }

    /// Posts a comment; answers the whole answer (with its edit token).
    async fn post(&self, body: &str) -> Value {
        let token: Value = self
            .client
            .get(self.url(&format!("/api/v1/articles/{SLUG}/form-token")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let input = json!({"author_name": "Camille", "author_email": COMMENTER_EMAIL, "body": body,
                           "form_token": token["token"]});
        let answer =
            self.client.post(self.url(&format!("/api/v1/articles/{SLUG}/comments"))).json(&input).send().await.unwrap();
        assert_eq!(answer.status(), 201);
        answer.json().await.unwrap()
    }

    async fn public_bodies(&self) -> Vec<String> {
        let page: Value = self
            .client
            .get(self.url(&format!("/api/v1/articles/{SLUG}/comments")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        page["comments"].as_array().unwrap().iter().map(|c| c["body"].as_str().unwrap().to_owned()).collect()
    }

    async fn outbox(&self) -> Value {
        let answer = self.client.get(self.url("/api/v1/admin/outbox")).bearer_auth(ADMIN_TOKEN).send().await.unwrap();
        assert_eq!(answer.status(), 200);
        answer.json().await.unwrap()
    }

    fn maildir(&self) -> PathBuf {
        self.dir.path().join("maildir")
    }
}

/// The approve and reject links of an email's text (the first pair).
fn links(body: &str) -> (String, String) {
    let find = |label: &str| {
        body.lines()
            .find_map(|l| l.strip_prefix(label))
            .map(|l| l.trim().to_owned())
            .unwrap_or_else(|| panic!("no {label} link in {body}"))
    };
    (find("Approve:"), find("Reject:"))
}

async fn post_link(client: &reqwest::Client, link: &str) -> reqwest::Response {
    let token = link.rsplit('/').next().unwrap().to_owned();
    client.post(link).form(&[("token", token)]).send().await.unwrap()
}

#[tokio::test]
async fn a_held_comment_emails_each_moderator_and_its_links_act_once() {
    let port = free_port();
    let server = Server::start(port, |_| {}).await;
    let smtp = Smtp::start(port, &server.maildir());
    server.account("each@example.org", Role::Moderator, AlertMode::Each).await;
    server.account("chief@example.org", Role::Admin, AlertMode::Each).await;
    server.account("quiet@example.org", Role::Moderator, AlertMode::None).await;

    let text = "<b>Bold</b> claim, see https://a.example/x";
    let (id, status) = server.comment(text).await;
    assert_eq!(status, "pending", "held by the link rule");
    let mails = wait_for(&smtp.dir, 2).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mails = if messages(&smtp.dir).len() == mails.len() { mails } else { panic!("more than two emails") };
    let mut to: Vec<&str> = mails.iter().map(|m| m["to"].as_str().unwrap()).collect();
    to.sort();
    assert_eq!(to, ["chief@example.org", "each@example.org"], "none to the `none` account");
    for m in &mails {
        let raw = m["raw"].as_str().unwrap();
        assert!(!raw.contains(COMMENTER_EMAIL), "the commenter's email is never sent: {raw}");
        assert!(m["subject"].as_str().unwrap().starts_with("[news-widget] Pending comment on «"), "{}", m["subject"]);
        assert!(m["message_id"].as_str().unwrap().starts_with("<alert-"), "{}", m["message_id"]);
        let body = m["body"].as_str().unwrap();
        assert!(body.contains(text) && body.contains("Camille") && body.contains("links:1"), "{body}");
    }
    let mine = mails.iter().find(|m| m["to"] == "each@example.org").unwrap();
    let (approve, reject) = links(mine["body"].as_str().unwrap());
    assert!(approve.starts_with(&format!("{}/admin/act/", server.base)), "{approve}");

    // GET shows the page and does nothing (mail scanners fetch links).
    for _ in 0..2 {
        let page = server.client.get(&approve).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let headers = page.headers().clone();
        assert_eq!(headers["cache-control"], "no-store");
        assert_eq!(headers["referrer-policy"], "no-referrer");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'none'") && !csp.contains("script"), "{csp}");
        let html = page.text().await.unwrap();
        assert!(html.contains("<html lang=\"en\"") && html.contains("<title>Approve this comment?</title>"), "{html}");
        assert!(html.contains("&lt;b&gt;Bold&lt;/b&gt;") && !html.contains("<b>Bold"), "escaped: {html}");
        assert!(html.contains("<form method=\"post\">") && html.contains("<button type=\"submit\">"), "{html}");
    }
    assert!(!server.public_bodies().await.iter().any(|b| b.contains("Bold")), "GET did not approve");

    // A POST without the form's token does nothing.
    let bare = server.client.post(&approve).send().await.unwrap();
    assert_eq!(bare.status(), 400);
    assert!(!server.public_bodies().await.iter().any(|b| b.contains("Bold")));

    let done = post_link(&server.client, &approve).await;
    assert_eq!(done.status(), 200);
    assert!(done.text().await.unwrap().contains("approved"));
    assert!(server.public_bodies().await.iter().any(|b| b.contains("Bold")), "comment {id} is public");
    let decided: (String,) =
        sqlx::query_as("SELECT decided_by FROM action_links WHERE comment_id = $1 AND used_at IS NOT NULL LIMIT 1")
            .bind(id)
            .fetch_one(&server.db)
            .await
            .unwrap();
    assert_eq!(decided.0, "email link (each@example.org)");

    let again = post_link(&server.client, &approve).await;
    assert_eq!(again.status(), 410);
    assert!(again.text().await.unwrap().contains("already used"));
    let sibling = post_link(&server.client, &reject).await;
    assert_eq!(sibling.status(), 410, "the decision is made");
    assert_eq!(server.client.get(&reject).send().await.unwrap().status(), 410);
    assert!(server.public_bodies().await.iter().any(|b| b.contains("Bold")), "still approved");

    // Forged and malformed tokens are unknown.
    let forged = format!("{}/admin/act/{}", server.base, "ab".repeat(32));
    assert_eq!(server.client.get(&forged).send().await.unwrap().status(), 404);
    assert_eq!(post_link(&server.client, &forged).await.status(), 404);
    assert_eq!(server.client.get(server.url("/admin/act/nothex")).send().await.unwrap().status(), 404);

    // The other moderator's links expire after 72 hours.
    let chief = mails.iter().find(|m| m["to"] == "chief@example.org").unwrap();
    let (_, chief_reject) = links(chief["body"].as_str().unwrap());
    server.clock.advance(72 * 3600 + 1);
    let expired = server.client.get(&chief_reject).send().await.unwrap();
    assert_eq!(expired.status(), 410);
    assert!(expired.text().await.unwrap().contains("expired"));
    assert_eq!(post_link(&server.client, &chief_reject).await.status(), 410);
    assert!(server.public_bodies().await.iter().any(|b| b.contains("Bold")), "not rejected");
}

#[tokio::test]
async fn an_alert_waits_in_the_outbox_while_smtp_is_down_then_arrives_once() {
    let port = free_port();
    let server = Server::start(port, |_| {}).await;
    server.account("each@example.org", Role::Moderator, AlertMode::Each).await;
    let (_, status) = server.comment("Held, see https://a.example/").await;
    assert_eq!(status, "pending");
    let started = Instant::now();
    loop {
        let counts = server.outbox().await;
        if counts["failed"] == 1 {
            assert_eq!(counts["sent"], 0, "{counts}");
            assert_eq!(counts["pending"], 0, "{counts}");
            assert!(counts["last_error"].as_str().is_some_and(|e| !e.is_empty()), "{counts}");
            assert_eq!(counts["enabled"], true);
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "no failed attempt: {counts}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let attempts: (i64, Option<i64>) =
        sqlx::query_as("SELECT attempts, sent_at FROM outbox").fetch_one(&server.db).await.unwrap();
    assert!(attempts.0 >= 1 && attempts.1.is_none(), "kept, unsent: {attempts:?}");

    let smtp = Smtp::start(port, &server.maildir());
    let mails = wait_for(&smtp.dir, 1).await;
    assert_eq!(mails[0]["to"], "each@example.org");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(messages(&smtp.dir).len(), 1, "sent exactly once");
    let counts = server.outbox().await;
    assert_eq!((counts["sent"].as_i64(), counts["failed"].as_i64()), (Some(1), Some(0)), "{counts}");
}

#[tokio::test]
async fn a_report_alerts_with_its_reason_and_a_rejected_comment_does_not() {
    let port = free_port();
    let server = Server::start(port, |c| {
        c.rules.link_limit = 0;
        c.rules.block_words = vec!["forbidden".into()];
    })
    .await;
    let smtp = Smtp::start(port, &server.maildir());
    server.account("each@example.org", Role::Moderator, AlertMode::Each).await;
    let (_, status) = server.comment("A forbidden word.").await;
    assert_eq!(status, "pending", "rejected by a rule, shown to its author as pending");
    let (id, status) = server.comment("Published at once.").await;
    assert_eq!(status, "approved");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(messages(&smtp.dir).len(), 0, "no alert for a published or a rejected comment");

    let answer = server
        .client
        .post(server.url(&format!("/api/v1/comments/{id}/report")))
        .json(&json!({"reason": "This is spam, really"}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 204);
    let mails = wait_for(&smtp.dir, 1).await;
    assert!(mails[0]["subject"].as_str().unwrap().starts_with("[news-widget] Reported comment on «"));
    let body = mails[0]["body"].as_str().unwrap();
    assert!(body.contains("This is spam, really") && body.contains("Published at once."), "{body}");
    let (_, reject) = links(body);
    assert_eq!(post_link(&server.client, &reject).await.status(), 200);
    assert!(!server.public_bodies().await.iter().any(|b| b.contains("Published at once.")), "rejected");
}

#[tokio::test]
async fn hourly_accounts_get_one_digest_of_what_came_in() {
    let port = free_port();
    let server = Server::start(port, |c| {
        if let Some(mail) = &mut c.mail {
            mail.digest_every = Duration::from_secs(2);
        }
        c.moderation = news_widget_server::comments::Moderation::Pre;
        c.rules.link_limit = 0;
    })
    .await;
    let smtp = Smtp::start(port, &server.maildir());
    server.account("hourly@example.org", Role::Moderator, AlertMode::Hourly).await;
    server.comment("First of the hour.").await;
    server.comment("Second of the hour.").await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(messages(&smtp.dir).len(), 0, "the digest waits for its interval");
    assert_eq!(server.outbox().await["waiting_for_digest"], 2);
    let mails = wait_for(&smtp.dir, 1).await;
    let body = mails[0]["body"].as_str().unwrap();
    assert!(mails[0]["subject"].as_str().unwrap().contains("2 comment(s)"), "{}", mails[0]["subject"]);
    assert!(body.contains("First of the hour.") && body.contains("Second of the hour."), "{body}");
    assert!(body.contains("pre-moderation"), "{body}");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(messages(&smtp.dir).len(), 1, "nothing new, no second digest");
    let (approve, _) = links(body);
    assert_eq!(post_link(&server.client, &approve).await.status(), 200);
    assert!(server.public_bodies().await.iter().any(|b| b == "First of the hour."));

    // Another comment: the next digest comes an interval after the last.
    server.comment("Third.").await;
    let mails = wait_for(&smtp.dir, 2).await;
    assert!(mails.iter().any(|m| m["body"].as_str().unwrap().contains("Third.")));
}

#[tokio::test]
async fn accounts_set_their_own_alerts_and_the_static_token_has_none() {
    let server = Server::start(free_port(), |_| {}).await;
    server.account("mod@example.org", Role::Moderator, AlertMode::None).await;
    let signed = server
        .client
        .post(server.url("/api/v1/admin/session"))
        .json(&json!({"email": "mod@example.org", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 200);
    let cookie = signed.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let csrf = signed.json::<Value>().await.unwrap()["csrf_token"].as_str().unwrap().to_owned();
    let alerts = server.url("/api/v1/admin/me/alerts");
    let got: Value = server.client.get(&alerts).header("cookie", &cookie).send().await.unwrap().json().await.unwrap();
    assert_eq!(got, json!({"mode": "none"}));
    let put = server
        .client
        .put(&alerts)
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .json(&json!({"mode": "hourly"}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    let got: Value = server.client.get(&alerts).header("cookie", &cookie).send().await.unwrap().json().await.unwrap();
    assert_eq!(got, json!({"mode": "hourly"}));
    let bad = server
        .client
        .put(&alerts)
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .json(&json!({"mode": "daily"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    problem(server.client.get(&alerts).bearer_auth(ADMIN_TOKEN).send().await.unwrap(), 409).await;
    problem(server.client.get(&alerts).send().await.unwrap(), 401).await;
    let doc: Value = server.client.get(server.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(doc["paths"]["/api/v1/admin/me/alerts"]["put"].is_object());
    assert!(doc["paths"]["/api/v1/admin/outbox"]["get"].is_object());
    for schema in ["AlertPrefs", "AlertMode", "OutboxCounts"] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema} missing");
    }
}

#[tokio::test]
async fn without_smtp_nothing_is_queued() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        form_min_age: Duration::ZERO,
        admin_token: Some(news_widget_server::AdminToken::new(ADMIN_TOKEN).unwrap()),
        moderation: news_widget_server::comments::Moderation::Pre,
        rules: news_widget_server::moderation::Rules { link_limit: 0, trusted_after: 0, ..Default::default() },
        ..Config::new(common::fresh_database(dir.path(), "test").await)
    };
    let app = app(&config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(serve(listener, app));
    let db = db::connect(&config.database).await.unwrap();
    let user = accounts::add_user(&db, "each@example.org", Role::Moderator, None).await.unwrap();
    alerts::set(&db, user.id, AlertMode::Each).await.unwrap();
    let client = reqwest::Client::new();
    let token: Value =
        client.get(format!("{base}/api/v1/articles/{SLUG}/form-token")).send().await.unwrap().json().await.unwrap();
    let input =
        json!({"author_name": "C", "author_email": COMMENTER_EMAIL, "body": "Held.", "form_token": token["token"]});
    let answer = client.post(format!("{base}/api/v1/articles/{SLUG}/comments")).json(&input).send().await.unwrap();
    assert_eq!(answer.status(), 201);
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM outbox").fetch_one(&db).await.unwrap();
    assert_eq!(n, 0);
    let counts: Value = client
        .get(format!("{base}/api/v1/admin/outbox"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(counts["enabled"], false);
}

/// The real binary's `users` commands: `add --alerts`, its default by role, and `users alerts`.
fn users(database: &str, args: &[&str], stdin: &str) -> (bool, String) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_news-widget-server"))
        .args(["users"])
        .args(args)
        .arg("--database")
        .arg(database)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let out = child.wait_with_output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[tokio::test]
async fn the_users_commands_set_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::fresh_database(dir.path(), "cli").await;
    let (ok, out) = users(&path, &["add", "boss@example.org", "--role", "admin"], "a long admin passphrase\n");
    assert!(ok && out.contains("email alerts: each"), "an admin's default: {out}");
    let (ok, out) = users(&path, &["add", "mod@example.org", "--role", "moderator"], "a long mod passphrase\n");
    assert!(ok && out.contains("email alerts: none"), "a moderator's default: {out}");
    let (ok, out) =
        users(&path, &["add", "h@example.org", "--role", "moderator", "--alerts", "hourly"], "a long mod passphrase\n");
    assert!(ok && out.contains("email alerts: hourly"), "{out}");
    let (ok, out) = users(&path, &["add", "x@example.org", "--role", "moderator", "--alerts", "daily"], "");
    assert!(!ok && out.contains("each, hourly or none"), "{out}");
    let (ok, out) = users(&path, &["alerts", "mod@example.org", "each"], "");
    assert!(ok && out.contains("email alerts of mod@example.org: each"), "{out}");
    let (ok, out) = users(&path, &["alerts", "nobody@example.org", "each"], "");
    assert!(!ok && out.contains("no account"), "{out}");
    let db = db::connect(&path).await.unwrap();
    let modes: Vec<(String, String)> =
        sqlx::query_as("SELECT email, alerts FROM users ORDER BY id").fetch_all(&db).await.unwrap();
    let modes: Vec<(&str, &str)> = modes.iter().map(|(e, m)| (e.as_str(), m.as_str())).collect();
    assert_eq!(modes, [("boss@example.org", "each"), ("mod@example.org", "each"), ("h@example.org", "hourly")]);
}

#[tokio::test]
async fn two_servers_on_one_database_send_each_alert_once() {
    let port = free_port();
    // Six comments from one address: on PostgreSQL the comment rate is shared by both servers.
    let a = Server::start(port, |c| c.comment_burst = 100).await;
    let shared = a.database.clone();
    let b = Server::start(port, move |c| {
        c.comment_burst = 100;
        c.database = shared;
    })
    .await;
    let smtp = Smtp::start(port, &a.maildir());
    a.account("each@example.org", Role::Moderator, AlertMode::Each).await;
    for i in 0..6 {
        let server = if i % 2 == 0 { &a } else { &b };
        let (_, status) = server.comment(&format!("Held {i}, see https://a.example/")).await;
        assert_eq!(status, "pending");
    }
    wait_for(&smtp.dir, 6).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mails = messages(&smtp.dir);
    assert_eq!(mails.len(), 6, "one email per alert, whichever server's worker sent it");
    let ids: std::collections::HashSet<&str> = mails.iter().map(|m| m["message_id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 6, "{ids:?}");
}

#[tokio::test]
async fn an_edit_awaiting_review_alerts_too() {
    let port = free_port();
    let server = Server::start(port, |c| {
        c.moderation = news_widget_server::comments::Moderation::Pre;
        c.rules.link_limit = 0;
    })
    .await;
    let smtp = Smtp::start(port, &server.maildir());
    server.account("each@example.org", Role::Moderator, AlertMode::Each).await;
    let posted = server.post("The first text.").await;
    assert_eq!(posted["status"], "pending");
    let mails = wait_for(&smtp.dir, 1).await;
    assert!(mails[0]["body"].as_str().unwrap().contains("pre-moderation (every new comment"), "{}", mails[0]["body"]);
    let (approve, _) = links(mails[0]["body"].as_str().unwrap());
    assert_eq!(post_link(&server.client, &approve).await.status(), 200);

    let id = posted["comment"]["id"].as_i64().unwrap();
    let edited = server
        .client
        .patch(server.url(&format!("/api/v1/comments/{id}")))
        .header("x-edit-token", posted["edit_token"].as_str().unwrap())
        .json(&json!({"body": "The edited text."}))
        .send()
        .await
        .unwrap();
    assert_eq!(edited.status(), 200);
    let mails = wait_for(&smtp.dir, 2).await;
    let edit =
        mails.iter().find(|m| m["body"].as_str().unwrap().contains("The edited text.")).expect("the edit's alert");
    assert!(edit["body"].as_str().unwrap().contains("an edit of a published comment"), "{}", edit["body"]);
    let (approve, _) = links(edit["body"].as_str().unwrap());
    assert_eq!(post_link(&server.client, &approve).await.status(), 200);
    assert!(server.public_bodies().await.iter().any(|b| b == "The edited text."));
}

#[tokio::test]
async fn a_disabled_account_gets_none_of_its_waiting_alerts() {
    let port = free_port();
    // After the first failure, the next try waits an hour: no try is under way while the account
    // is disabled, and the test then makes the row due by hand.
    let server = Server::start(port, |config| {
        let mail = config.mail.as_mut().unwrap();
        mail.backoff = Duration::from_secs(3600);
        mail.backoff_max = Duration::from_secs(3600);
    })
    .await;
    let id = server.account("gone@example.org", Role::Moderator, AlertMode::Each).await;
    server.comment("Held, see https://a.example/").await;
    let started = Instant::now();
    while server.outbox().await["failed"] != 1 {
        assert!(started.elapsed() < Duration::from_secs(20), "no failed attempt");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(accounts::disable(&server.db, id).await.unwrap());
    let smtp = Smtp::start(port, &server.maildir());
    sqlx::query("UPDATE outbox SET due_at = 0").execute(&server.db).await.unwrap();
    let started = Instant::now();
    loop {
        let row: (Option<i64>, Option<String>) =
            sqlx::query_as("SELECT sent_at, last_error FROM outbox").fetch_one(&server.db).await.unwrap();
        if row.0.is_some() {
            assert_eq!(row.1.as_deref(), Some("not sent: the account is disabled"));
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "the row is never done");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(messages(&smtp.dir).len(), 0);
}
