//! End to end: the moderators' console at `/admin/`, built by `cargo xtask console` and served
//! by our server, in headless Chromium over WebDriver, driven by the keyboard only: sign in,
//! approve, reject with a reason, bulk-reject, suspend a reader; the widget's thread shows the
//! results; axe-core finds no WCAG 2.2 A/AA violation on any screen. `cargo xtask test` runs it
//! with the `e2e` feature after building the server and the console.

#![cfg(feature = "e2e")]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use fantoccini::elements::{Element, ElementRef};
use fantoccini::Client;
use serde_json::{json, Value};
use xtask::browser::Driver;
use xtask::shell::Server;

const TAB: &str = "\u{e004}";
const ENTER: &str = "\u{e007}";
const ESCAPE: &str = "\u{e00c}";
/// Control+A, then the modifier let go (WebDriver's NULL key).
const SELECT_ALL: &str = "\u{e009}a\u{e000}";
const DEMO: &str = "cooperation-chine-kazakhstan";
const MODERATOR: (&str, &str) = ("moderatrice@example.org", "une phrase de passe assez longue");
const TOKEN: &str = "console-e2e-admin-token-0123456789abcdef012345";

fn env_path(key: &str) -> PathBuf {
    PathBuf::from(std::env::var(key).unwrap_or_else(|_| panic!("{key} is unset: run through `cargo xtask test`")))
}

fn screenshots() -> PathBuf {
    let dir = xtask::root().join("target/e2e");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Our server with the default moderation rules (a new commenter's first comment waits for a
/// moderator) but no time trap, serving the built console; and one moderator's account, made
/// with the `users add` command as the README says.
fn site() -> Server {
    let bin = env_path("NEWS_WIDGET_SERVER_BIN");
    let console = env_path("NEWS_WIDGET_CONSOLE_DIST");
    let widget = env_path("NEWS_WIDGET_DIST");
    let server = Server::start_with_env(
        &bin,
        &["--form-min-seconds", "0", "--comment-burst", "100", "--console-dir", console.to_str().unwrap()],
        &[("NEWS_WIDGET_ADMIN_TOKEN", TOKEN)],
        Some(&widget),
    )
    .expect("the server starts");
    let mut add = Command::new(&bin)
        .args(["--database", server.database().to_str().unwrap(), "users", "add", MODERATOR.0, "--role", "moderator"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(add.stdin.take().unwrap(), "{}", MODERATOR.1).unwrap();
    let out = add.wait_with_output().unwrap();
    assert!(out.status.success(), "users add: {}", String::from_utf8_lossy(&out.stdout));
    server
}

async fn post_comment(server: &Server, name: &str, email: &str, body: &str) -> (i64, String) {
    let http = reqwest::Client::new();
    let api = format!("{}/api/v1/articles/{DEMO}", server.url);
    let token: Value = http.get(format!("{api}/form-token")).send().await.unwrap().json().await.unwrap();
    let posted: Value = http
        .post(format!("{api}/comments"))
        .json(&json!({"author_name": name, "author_email": email, "body": body, "form_token": token["token"]}))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    (posted["comment"]["id"].as_i64().unwrap(), posted["status"].as_str().unwrap().to_owned())
}

async fn admin_get(server: &Server, path: &str) -> Value {
    let answer =
        reqwest::Client::new().get(format!("{}/api/v1/admin/{path}", server.url)).bearer_auth(TOKEN).send().await;
    answer.unwrap().error_for_status().unwrap().json().await.unwrap()
}

/// The ids of the demo thread's published comments, as the widget reads them.
async fn published(server: &Server) -> Vec<i64> {
    let page: Value =
        reqwest::get(format!("{}/api/v1/articles/{DEMO}/comments", server.url)).await.unwrap().json().await.unwrap();
    page["comments"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect()
}

/// The focused element.
async fn focused(client: &Client) -> Element {
    let found = client.execute("return document.activeElement;", vec![]).await.unwrap();
    let id = found
        .as_object()
        .and_then(|o| o.iter().find(|(key, _)| key.starts_with("element-6066-")))
        .and_then(|(_, id)| id.as_str())
        .unwrap_or_else(|| panic!("no focus: {found}"));
    Element::from_element_id(client.clone(), ElementRef::from(id.to_owned()))
}

/// Keys to whatever has the focus, as a keyboard sends them.
async fn press(client: &Client, keys: &str) {
    focused(client).await.send_keys(keys).await.unwrap();
}

/// Tabs forward until the focused element matches `css`; fails after 80 presses.
async fn tab_to(client: &Client, css: &str) {
    for _ in 0..80 {
        let hit = client
            .execute("return document.activeElement && document.activeElement.matches(arguments[0]);", vec![json!(css)])
            .await
            .unwrap();
        if hit == json!(true) {
            return;
        }
        press(client, TAB).await;
    }
    panic!("Tab never reaches {css}");
}

/// Waits until `script` (a function body) returns true; fails with what `describe` returns.
async fn wait_until(client: &Client, script: &str, describe: &str) {
    for _ in 0..150 {
        if client.execute(script, vec![]).await.unwrap() == json!(true) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let state = client.execute(describe, vec![]).await.unwrap();
    panic!("waited for `{script}`; the page: {state}");
}

async fn wait_text(client: &Client, css: &str, want: &str) {
    let script = format!(
        "const e = document.querySelector({css:?}); return !!e && e.textContent.includes({want:?});",
        css = css,
        want = want
    );
    let describe = format!("const e = document.querySelector({css:?}); return e ? e.textContent : 'no {css}';");
    wait_until(client, &script, &describe).await;
}

/// The id of the queue's current comment (the one `a`, `r` and `x` act on).
async fn current(client: &Client) -> i64 {
    let id = client
        .execute(
            "const e = document.querySelector('.nw-queue-item[aria-current=true]'); return e && e.dataset.id;",
            vec![],
        )
        .await
        .unwrap();
    id.as_str().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("no current comment: {id}"))
}

/// axe-core (node_modules, pinned in package-lock.json) on the page as it is now: every WCAG
/// 2.0, 2.1 and 2.2 A and AA rule; the violations, with their nodes, as JSON.
async fn axe(client: &Client, screen: &str) {
    let source = std::fs::read_to_string(xtask::root().join("node_modules/axe-core/axe.min.js"))
        .expect("axe-core is in node_modules (cargo xtask test installs it)");
    client.execute(&source, vec![]).await.unwrap();
    let result = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})
                .then(r => done({violations: r.violations.map(v => ({id: v.id, help: v.help,
                    nodes: v.nodes.map(n => n.html)})), passes: r.passes.length}))
                .catch(e => done({error: String(e)}));",
            vec![],
        )
        .await
        .unwrap();
    assert!(result.get("error").is_none(), "axe failed on {screen}: {result}");
    assert!(result["passes"].as_u64().unwrap_or(0) > 10, "axe checked next to nothing on {screen}: {result}");
    assert_eq!(result["violations"], json!([]), "WCAG 2.2 A/AA violations on {screen}");
}

#[tokio::test]
async fn a_moderator_clears_the_queue_by_keyboard_only() {
    let server = site();
    // Five first comments: each waits for a moderator (a new commenter's first comment).
    let people = [
        ("Alice", "alice@example.org", "Très bon article, merci."),
        ("Bruno", "bruno@example.org", "Hors sujet, achetez mes montres."),
        ("Chloé", "chloe@example.org", "Spam numéro un."),
        ("Denis", "denis@example.org", "Spam numéro deux."),
        ("Émile", "emile@example.org", "Je reviendrai."),
    ];
    let mut ids = Vec::new();
    for (name, email, body) in people {
        let (id, status) = post_comment(&server, name, email, body).await;
        assert_eq!(status, "pending", "{name}'s first comment waits");
        ids.push(id);
    }
    assert_eq!(published(&server).await, Vec::<i64>::new());

    let driver = Driver::start().expect("chromedriver starts");
    let profile = tempfile::tempdir().unwrap();
    let client = driver.session(profile.path(), &["--window-size=1280,900"]).await.expect("a WebDriver session");
    client.goto(&format!("{}/admin/", server.url)).await.unwrap();
    wait_until(&client, "return !!document.querySelector('#nw-login-email');", "return document.body.innerHTML;").await;
    axe(&client, "the sign-in page").await;

    // Sign in: Tab to the email field, type, Tab, type, Enter.
    tab_to(&client, "#nw-login-email").await;
    press(&client, MODERATOR.0).await;
    press(&client, TAB).await;
    press(&client, MODERATOR.1).await;
    press(&client, ENTER).await;
    wait_text(&client, "#nw-tab-pending .nw-count", "5").await;
    wait_until(
        &client,
        "return document.querySelectorAll('.nw-queue-item').length === 5;",
        "return document.querySelector('#nw-queue-panel').innerHTML;",
    )
    .await;
    axe(&client, "the Pending queue").await;
    std::fs::write(screenshots().join("console-queue.png"), client.screenshot().await.unwrap()).unwrap();

    // `j` to the first (newest) comment, `a` approves it.
    press(&client, "j").await;
    let newest = current(&client).await;
    assert_eq!(newest, ids[4], "newest first");
    press(&client, "a").await;
    wait_text(&client, "#nw-live", "Approved comment by Émile").await;
    assert_eq!(published(&server).await, [ids[4]], "the widget's thread shows the approved comment");

    // Focus moved to the next one; `r` asks for a reason, Enter rejects.
    wait_until(
        &client,
        "return !!document.querySelector('.nw-queue-item[aria-current=true]');",
        "return 'no current';",
    )
    .await;
    let next = current(&client).await;
    assert_eq!(next, ids[3]);
    press(&client, "r").await;
    wait_until(
        &client,
        "return document.activeElement && document.activeElement.id === 'nw-reject-reason';",
        "return document.activeElement.outerHTML;",
    )
    .await;
    axe(&client, "the reject dialog").await;
    press(&client, "publicité").await;
    press(&client, ENTER).await;
    wait_text(&client, "#nw-live", "Rejected comment by Denis").await;
    let history = admin_get(&server, &format!("comments/{next}/history")).await;
    let last = history.as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (&last["action"], &last["actor"], &last["reason"]),
        (&json!("reject"), &json!(MODERATOR.0), &json!("publicité"))
    );

    // Bulk: `x` selects Chloé's and, after `j`, Bruno's; Tab to the bulk button; Enter; Enter.
    wait_until(
        &client,
        "return !!document.querySelector('.nw-queue-item[aria-current=true]');",
        "return 'no current';",
    )
    .await;
    assert_eq!(current(&client).await, ids[2]);
    press(&client, "x").await;
    press(&client, "j").await;
    assert_eq!(current(&client).await, ids[1]);
    press(&client, "x").await;
    wait_text(&client, "#nw-bulk", "2").await;
    tab_to(&client, "[data-action=bulk-reject]").await;
    press(&client, ENTER).await;
    wait_until(
        &client,
        "return document.activeElement && document.activeElement.id === 'nw-reject-reason';",
        "return document.activeElement.outerHTML;",
    )
    .await;
    press(&client, ENTER).await;
    wait_text(&client, "#nw-live", "2 comments rejected").await;
    let rejected = admin_get(&server, "queue?queue=rejected").await;
    let mut gone: Vec<i64> = rejected["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
    gone.sort();
    assert_eq!(gone, [ids[1], ids[2], ids[3]]);

    // Alice's comment is left: open her drawer from her name, suspend her for 7 days.
    wait_until(
        &client,
        "return document.querySelectorAll('.nw-queue-item').length === 1;",
        "return document.querySelector('#nw-queue-panel').innerHTML;",
    )
    .await;
    press(&client, "j").await;
    assert_eq!(current(&client).await, ids[0]);
    tab_to(&client, ".nw-queue-item[aria-current=true] .nw-person-button").await;
    press(&client, ENTER).await;
    wait_text(&client, "#nw-ban-state", "Not banned").await;
    axe(&client, "the reader drawer").await;
    std::fs::write(screenshots().join("console-drawer.png"), client.screenshot().await.unwrap()).unwrap();
    tab_to(&client, "[data-action=suspend-7]").await;
    press(&client, ENTER).await;
    wait_text(&client, "#nw-ban-state", "Suspended until").await;
    press(&client, ESCAPE).await;
    wait_until(&client, "return !document.querySelector('#nw-drawer[open]');", "return 'the drawer is still open';")
        .await;

    // Suspended: her next comment is answered as pending, and the thread never shows it.
    let (during, status) = post_comment(&server, "Alice", "alice@example.org", "Et maintenant ?").await;
    assert_eq!(status, "pending");
    assert_eq!(published(&server).await, [ids[4]]);
    assert!(!published(&server).await.contains(&during));

    // The widget on the article's page shows what the moderator decided, and nothing else.
    let shown = "const host = document.querySelector('[data-news-widget]');
         const root = host && host.shadowRoot;
         const texts = root ? [...root.querySelectorAll('.nw-comment-body')].map(e => e.textContent) : [];
         return texts.length === 1 && texts[0].includes('Je reviendrai.');";
    let page = client.new_window(true).await.unwrap();
    let console_window = client.window().await.unwrap();
    client.switch_to_window(page.handle).await.unwrap();
    client.goto(&format!("{}/", server.url)).await.unwrap();
    wait_until(
        &client,
        shown,
        "const r = document.querySelector('[data-news-widget]').shadowRoot; return r ? r.innerHTML.slice(0, 3000) : 'no root';",
    )
    .await;
    client.close_window().await.unwrap();
    client.switch_to_window(console_window).await.unwrap();

    // `?` lists the keys; Escape closes it.
    press(&client, "?").await;
    wait_until(&client, "return !!document.querySelector('#nw-help[open]');", "return 'no help dialog';").await;
    axe(&client, "the keys dialog").await;
    press(&client, ESCAPE).await;
    client.close().await.unwrap();
}

#[tokio::test]
async fn a_new_moderator_chooses_a_password_from_the_setup_link_and_signs_in() {
    let server = site();
    // An admin (here the admin token) creates the account; the answer carries the setup link.
    let created: Value = reqwest::Client::new()
        .post(format!("{}/api/v1/admin/users", server.url))
        .bearer_auth(TOKEN)
        .json(&json!({"email": "nouvelle@example.org", "role": "moderator"}))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    let link = created["setup_url"].as_str().unwrap().to_owned();
    assert!(link.contains("/admin/setup?token="), "{link}");

    let driver = Driver::start().expect("chromedriver starts");
    let profile = tempfile::tempdir().unwrap();
    let client = driver.session(profile.path(), &["--window-size=1280,900"]).await.expect("a WebDriver session");
    client.goto(&link).await.unwrap();
    wait_until(&client, "return !!document.querySelector('#nw-setup-password');", "return document.body.innerHTML;")
        .await;
    axe(&client, "the setup page").await;
    // Too short first: said by the field; then a good one, twice.
    tab_to(&client, "#nw-setup-password").await;
    press(&client, "court").await;
    press(&client, TAB).await;
    press(&client, "court").await;
    press(&client, ENTER).await;
    wait_text(&client, "#nw-setup-password-error", "12").await;
    let password = "une phrase de passe toute neuve";
    tab_to(&client, "#nw-setup-password").await;
    press(&client, SELECT_ALL).await;
    press(&client, password).await;
    press(&client, TAB).await;
    press(&client, SELECT_ALL).await;
    press(&client, password).await;
    press(&client, ENTER).await;
    wait_until(&client, "return !!document.querySelector('#nw-login-email');", "return document.body.innerHTML;").await;
    let address = client.current_url().await.unwrap();
    assert!(!address.as_str().contains("token"), "the token left the address bar: {address}");
    // The new password signs in; the link is used up.
    tab_to(&client, "#nw-login-email").await;
    press(&client, "nouvelle@example.org").await;
    press(&client, TAB).await;
    press(&client, password).await;
    press(&client, ENTER).await;
    wait_until(&client, "return !!document.querySelector('#nw-tab-pending');", "return document.body.innerHTML;").await;
    let again = reqwest::Client::new()
        .post(format!("{}/api/v1/admin/setup", server.url))
        .json(&json!({"token": link.split("token=").nth(1).unwrap(), "password": "encore une autre phrase"}))
        .send()
        .await
        .unwrap();
    assert!(again.status().is_client_error(), "a used setup link is refused: {}", again.status());
    client.close().await.unwrap();
}
