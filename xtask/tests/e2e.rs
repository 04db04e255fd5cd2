//! End to end: the built demo page, served by our server, in headless Chromium over WebDriver.
//! `cargo xtask test` runs these with the `e2e` feature, after building the widget and server.

#![cfg(feature = "e2e")]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::elements::{Element, ElementRef};
use fantoccini::{Client, Locator};
use serde_json::json;
use xtask::browser::Driver;

/// A child process killed when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Our server on a fresh database, serving the built widget.
struct Site {
    url: String,
    server: Option<Process>,
    args: Vec<String>,
    dir: tempfile::TempDir,
}

impl Site {
    /// Stops the server, as a crash would.
    fn kill(&mut self) {
        self.server = None;
    }

    /// Starts the server again on the same address and database.
    fn restart(&mut self) {
        let addr = self.url.trim_start_matches("http://").to_owned();
        let (server, url) = start_server(self.dir.path(), &addr, &self.args);
        assert_eq!(url, self.url);
        self.server = Some(server);
    }
}

/// One browser with a profile of its own (a reader), driven over WebDriver.
struct Browser {
    client: Client,
    _driver: Driver,
}

fn env_path(key: &str) -> PathBuf {
    PathBuf::from(std::env::var(key).unwrap_or_else(|_| panic!("{key} is unset: run through `cargo xtask test`")))
}

fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/e2e");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Our server at `addr` on the database in `dir`, serving the built widget.
fn start_server(dir: &Path, addr: &str, args: &[String]) -> (Process, String) {
    let mut child = Command::new(env_path("NEWS_WIDGET_SERVER_BIN"))
        // A robot fills the form faster than the time trap allows a person (2 s by default); the
        // trap has its own server tests, so it is off here, and so are the moderation rules that
        // hold a new commenter's or a link-rich comment (server/tests/rules.rs).
        .args(["--addr", addr])
        .args(xtask::shell::PUBLISH_AT_ONCE)
        .arg("--database")
        .env("NEWS_WIDGET_ADMIN_TOKEN", "e2e-admin-token-0123456789abcdef0123456789")
        .arg(dir.join("e2e.sqlite3"))
        .arg("--static-dir")
        .arg(env_path("NEWS_WIDGET_DIST"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("server starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url =
        line.trim().strip_prefix("news-widget: serving on ").expect("server URL").trim_end_matches('/').to_owned();
    (Process(child), url)
}

fn site() -> Site {
    site_with(&[])
}

/// A site whose server gets `args` too.
fn site_with(args: &[&str]) -> Site {
    let dir = tempfile::tempdir().unwrap();
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let (server, url) = start_server(dir.path(), "127.0.0.1:0", &args);
    Site { url, server: Some(server), args, dir }
}

/// A new headless Chromium with an empty profile named `profile`.
async fn browser(site: &Site, profile: &str) -> Browser {
    let driver = Driver::start().expect("chromedriver starts");
    let client = driver.session(&site.dir.path().join(profile), &["--lang=fr-FR"]).await.expect("a WebDriver session");
    Browser { client, _driver: driver }
}

/// Opens the demo page and waits for the article and the rating figures.
async fn open_demo(b: &Browser, site: &Site) {
    b.client.goto(&format!("{}/", site.url)).await.unwrap();
    for css in ["h1.nw-title", ".nw-user-rating"] {
        find(&b.client, css).await;
    }
}

/// Waits until `css` says `want` (no-break spaces read as spaces).
async fn wait_text(client: &Client, css: &str, want: &str) {
    let mut last = String::new();
    for _ in 0..100 {
        if let Ok(el) = shadow_find(client, css).await {
            last = plain(&el.text().await.unwrap_or_default());
            if last == want {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let page = in_widget(client, "return root ? root.innerHTML : document.body.innerHTML;")
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let start = page.find("nw-comments").unwrap_or(0);
    panic!("{css} says {last:?}, not {want:?}; the comments: {}", &page[start..(start + 3000).min(page.len())]);
}

fn plain(text: &str) -> String {
    text.replace(['\u{a0}', '\u{202f}'], " ")
}

async fn save_element_screenshot(client: &Client, css: &str, name: &str) {
    // A widget's element on a host page (`#dark`), else a part inside the demo widget.
    let el = match client.find(Locator::Css(css)).await {
        Ok(el) => el,
        Err(_) => find(client, css).await,
    };
    client
        .execute("arguments[0].scrollIntoView({block: 'center'})", vec![serde_json::to_value(&el).unwrap()])
        .await
        .unwrap();
    std::fs::write(screenshots().join(name), el.screenshot().await.unwrap()).unwrap();
}

async fn text(client: &Client, css: &str) -> String {
    find(client, css).await.text().await.unwrap()
}

/// The demo page's widget element.
const WIDGET: &str = "[data-news-widget]";

/// The first match of `css` in the demo widget's shadow root, now. WebDriver's locators do not
/// pierce shadow roots, so every lookup inside the widget goes through WebDriver's own
/// shadow-root commands (Get Element Shadow Root, Find Element From Shadow Root), here.
async fn shadow_find(client: &Client, css: &str) -> Result<Element, fantoccini::error::CmdError> {
    let host = client.find(Locator::Css(WIDGET)).await?;
    host.shadow_root().await?.find(Locator::Css(css)).await
}

/// Runs `script` with `root` bound to the demo widget's shadow root, answering its result.
async fn in_widget(client: &Client, script: &str) -> serde_json::Value {
    let script = format!("const root = document.querySelector('{WIDGET}').shadowRoot; {script}");
    client.execute(&script, vec![]).await.unwrap()
}

/// The element that has the focus: inside the widget's shadow root when it is there (the
/// document's `activeElement` is then the widget's element itself).
async fn focused(client: &Client) -> Element {
    let found = client
        .execute(
            "let a = document.activeElement;
             while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
             return a;",
            vec![],
        )
        .await
        .unwrap();
    // The web element reference's key ("element-6066-…"), whichever spelling the driver uses.
    let id = found
        .as_object()
        .and_then(|o| o.iter().find(|(key, _)| key.starts_with("element-6066-")))
        .and_then(|(_, id)| id.as_str())
        .unwrap_or_else(|| panic!("no focus: {found}"));
    Element::from_element_id(client.clone(), ElementRef::from(id.to_owned()))
}

#[tokio::test]
async fn the_demo_page_shows_the_french_article() {
    let site = site();
    let h = browser(&site, "reader").await;
    open_demo(&h, &site).await;

    assert_eq!(
        text(&h.client, "h1.nw-title").await,
        "Coopération: une nouvelle impulsion au partenariat permanent Chine-Kazakhstan"
    );
    for css in ["figure img", "figcaption .nw-caption", "figcaption .nw-credit", ".nw-meta time"] {
        let el = find(&h.client, css).await;
        assert!(el.is_displayed().await.unwrap(), "{css} is visible");
    }
    assert_eq!(text(&h.client, "figcaption .nw-caption").await, "photo illustrative");
    assert!(text(&h.client, "figcaption .nw-credit").await.contains("Xinhua News Agency"));
    assert_eq!(text(&h.client, ".nw-meta time").await, "5 juillet 2024");

    // The lead image really loaded from our server (not a broken image).
    let loaded = h
        .client
        .execute(
            "const i = document.querySelector('[data-news-widget]').shadowRoot.querySelector('figure img');
             return i.complete && i.naturalWidth > 0;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(loaded, json!(true));

    let png = h.client.screenshot().await.unwrap();
    std::fs::write(screenshots().join("article-fr.png"), png).unwrap();
    h.client.close().await.unwrap();
}

const ARROW_RIGHT: &str = "\u{e014}";
const TAB: &str = "\u{e004}";
const ENTER: &str = "\u{e007}";

#[tokio::test]
async fn a_vote_survives_a_reload_and_a_second_reader_makes_it_two() {
    let site = site();
    let first = browser(&site, "first-reader").await;
    open_demo(&first, &site).await;
    wait_text(&first.client, ".nw-user-rating", "Note des lecteurs : 0,00 % (0 vote)").await;
    assert_eq!(plain(&text(&first.client, ".nw-editor-score").await), "Note globale 0 %");
    save_element_screenshot(&first.client, ".nw-rating", "rating-before.png").await;

    find(&first.client, ".nw-star:nth-child(4)").await.click().await.unwrap();
    find(&first.client, ".nw-rate-button").await.click().await.unwrap();
    wait_text(&first.client, ".nw-your-rating", "Votre note : 4 étoiles").await;

    first.client.refresh().await.unwrap();
    open_demo(&first, &site).await;
    wait_text(&first.client, ".nw-your-rating", "Votre note : 4 étoiles").await;
    wait_text(&first.client, ".nw-user-rating", "Note des lecteurs : 80,00 % (1 vote)").await;
    let checked = find(&first.client, ".nw-star-input:checked").await;
    assert_eq!(
        checked.attr("value").await.unwrap().as_deref(),
        Some("4"),
        "the reader's vote is checked after a reload"
    );
    save_element_screenshot(&first.client, ".nw-rating", "rating-after.png").await;
    first.client.close().await.unwrap();

    let second = browser(&site, "second-reader").await;
    open_demo(&second, &site).await;
    assert!(shadow_find(&second.client, ".nw-your-rating").await.is_err(), "another reader has not voted");
    find(&second.client, ".nw-star:nth-child(2)").await.click().await.unwrap();
    find(&second.client, ".nw-rate-button").await.click().await.unwrap();
    wait_text(&second.client, ".nw-user-rating", "Note des lecteurs : 60,00 % (2 votes)").await;
    assert_eq!(plain(&text(&second.client, ".nw-average").await), "3,0 / 5");
    let api = second
        .client
        .execute_async(
            "const done = arguments[0];
             fetch('/api/v1/articles/cooperation-chine-kazakhstan/rating').then(r => r.json()).then(done);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        format!("{:.2} {:.2} {}", api["average"].as_f64().unwrap(), api["percent"].as_f64().unwrap(), api["count"]),
        "3.00 60.00 2"
    );
    second.client.close().await.unwrap();
}

#[tokio::test]
async fn a_keyboard_only_reader_completes_a_vote() {
    let site = site();
    let b = browser(&site, "keyboard-reader").await;
    open_demo(&b, &site).await;
    // Tab from the top of the page until a star radio has the focus.
    let body = b.client.find(Locator::Css("body")).await.unwrap();
    body.click().await.unwrap();
    let mut reached = false;
    for _ in 0..40 {
        focused(&b.client).await.send_keys(TAB).await.unwrap();
        let active = focused(&b.client).await;
        if active.attr("class").await.unwrap().unwrap_or_default().contains("nw-star-input") {
            reached = true;
            break;
        }
    }
    assert!(reached, "Tab reaches the rating group");
    let first = focused(&b.client).await;
    assert_eq!(first.attr("value").await.unwrap().as_deref(), Some("1"), "the group is entered on its first star");
    for _ in 0..2 {
        focused(&b.client).await.send_keys(ARROW_RIGHT).await.unwrap();
    }
    let active = focused(&b.client).await;
    assert_eq!(active.attr("value").await.unwrap().as_deref(), Some("3"));
    assert!(shadow_find(&b.client, ".nw-your-rating").await.is_err(), "arrows sent nothing");
    active.send_keys(ENTER).await.unwrap();
    wait_text(&b.client, ".nw-your-rating", "Votre note : 3 étoiles").await;
    wait_text(&b.client, ".nw-rating .nw-status", "Merci ! Votre note : 3 étoiles.").await;
    // The focus ring is visible on the focused star.
    let outline = b
        .client
        .execute(
            "let a = document.activeElement;
             while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
             return getComputedStyle(a.nextElementSibling).outlineStyle;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(outline, json!("solid"));
    b.client.close().await.unwrap();
}

const TIME_TRAP: Duration = Duration::from_millis(2_200);

/// Waits (up to 20 s) for `css` inside the demo widget's shadow root.
async fn find(client: &Client, css: &str) -> Element {
    let mut last = None;
    for _ in 0..200 {
        match shadow_find(client, css).await {
            Ok(el) => return el,
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css}: {last:?}")
}

/// Fills the top-level comment form as a reader types.
async fn fill_form(client: &Client, body: &str, name: &str, email: &str) {
    let form = ".nw-comments > .nw-comment-form";
    find(client, &format!("{form} [name=body]")).await.send_keys(body).await.unwrap();
    find(client, &format!("{form} [name=name]")).await.send_keys(name).await.unwrap();
    find(client, &format!("{form} [name=email]")).await.send_keys(email).await.unwrap();
}

async fn submit(client: &Client) {
    find(client, ".nw-comments > .nw-comment-form button[type=submit]").await.click().await.unwrap();
}

/// Runs `script` in the page and answers its JSON result (`arguments[0]` is the callback).
async fn in_page(client: &Client, script: &str) -> serde_json::Value {
    client.execute_async(script, vec![]).await.unwrap()
}

async fn api_comments(client: &Client) -> serde_json::Value {
    in_page(
        client,
        "fetch('/api/v1/articles/cooperation-chine-kazakhstan/comments?limit=100', {cache: 'no-store'})
           .then(r => r.json()).then(arguments[0]);",
    )
    .await
}

#[tokio::test]
async fn a_posted_comment_survives_a_reload_and_a_reply_lands_at_depth_four() {
    let site = site();
    let b = browser(&site, "commenter").await;
    open_demo(&b, &site).await;
    wait_text(&b.client, ".nw-comments h2", "0 commentaire").await;
    // Three levels from other readers, through the API.
    let ids = in_page(
        &b.client,
        "const api = '/api/v1/articles/cooperation-chine-kazakhstan';
         const post = (parent, name, body) => fetch(api + '/form-token').then(r => r.json()).then(t => fetch(api + '/comments', {
             method: 'POST', headers: {'content-type': 'application/json'},
             body: JSON.stringify({parent_id: parent, author_name: name, author_email: name + '@example.org', body, form_token: t.token})
         })).then(r => r.json()).then(a => a.comment.id);
         (async () => {
             const one = await post(null, 'alice', 'Premier niveau');
             const two = await post(one, 'bob', 'Deuxième niveau');
             const three = await post(two, 'chloe', 'Troisième niveau');
             return [one, two, three];
         })().then(arguments[0]);",
    )
    .await;
    let three = ids[2].as_i64().unwrap();

    fill_form(&b.client, "Un commentaire qui doit rester.\nAvec deux lignes.", "Camille", "camille@example.org").await;
    tokio::time::sleep(TIME_TRAP).await;
    submit(&b.client).await;
    wait_text(&b.client, ".nw-comments > .nw-comment-form .nw-form-status p", "Votre commentaire est publié.").await;
    b.client.refresh().await.unwrap();
    open_demo(&b, &site).await;
    wait_text(&b.client, ".nw-comments h2", "4 commentaires").await;
    let bodies = text(&b.client, ".nw-thread").await;
    assert!(bodies.contains("Un commentaire qui doit rester.\nAvec deux lignes."), "{bodies}");

    // A reply to the third level: it is the fourth, shown at level three, naming whom it answers.
    find(&b.client, &format!("#nw-reply-{three}")).await.click().await.unwrap();
    let reply_form = ".nw-reply-form .nw-comment-form";
    find(&b.client, &format!("{reply_form} [name=body]")).await.send_keys("Quatrième niveau").await.unwrap();
    find(&b.client, &format!("{reply_form} [name=name]")).await.send_keys("Dmitri").await.unwrap();
    find(&b.client, &format!("{reply_form} [name=email]")).await.send_keys("dmitri@example.org").await.unwrap();
    tokio::time::sleep(TIME_TRAP).await;
    find(&b.client, &format!("{reply_form} button[type=submit]")).await.click().await.unwrap();
    wait_text(&b.client, ".nw-comments h2", "5 commentaires").await;
    let fourth = find(&b.client, ".nw-in-reply").await;
    assert_eq!(plain(&fourth.text().await.unwrap()), "en réponse à chloe");
    let api = api_comments(&b.client).await;
    let last = api["comments"].as_array().unwrap().iter().find(|c| c["body"] == "Quatrième niveau").unwrap().clone();
    assert_eq!(last["parent_id"].as_i64(), Some(three));
    save_element_screenshot(&b.client, ".nw-thread", "comments-thread.png").await;
    b.client.close().await.unwrap();
}

#[tokio::test]
async fn the_server_dies_during_a_submit_and_nothing_is_lost_or_doubled() {
    let mut site = site();
    let b = browser(&site, "unlucky").await;
    open_demo(&b, &site).await;
    let text_body = "Texte écrit pendant une panne du serveur.";
    fill_form(&b.client, text_body, "Camille", "camille@example.org").await;
    tokio::time::sleep(TIME_TRAP).await;
    site.kill();
    submit(&b.client).await;
    let alert = find(&b.client, ".nw-comments > .nw-comment-form .nw-form-alert .nw-error").await;
    let said = plain(&alert.text().await.unwrap());
    assert!(said.contains("Votre texte est conservé."), "{said}");
    let kept = find(&b.client, ".nw-comments > .nw-comment-form [name=body]").await.prop("value").await.unwrap();
    assert_eq!(kept.as_deref(), Some(text_body));

    // The server comes back; the reader reloads: the draft comes back from this device, and is sent.
    site.restart();
    b.client.refresh().await.unwrap();
    open_demo(&b, &site).await;
    let restored = find(&b.client, ".nw-comments > .nw-comment-form [name=body]").await.prop("value").await.unwrap();
    assert_eq!(restored.as_deref(), Some(text_body), "the draft survived the reload");
    submit(&b.client).await;
    wait_text(&b.client, ".nw-comments > .nw-comment-form .nw-form-status p", "Votre commentaire est publié.").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let api = api_comments(&b.client).await;
    let same: Vec<_> = api["comments"].as_array().unwrap().iter().filter(|c| c["body"] == text_body).collect();
    assert_eq!(same.len(), 1, "exactly one comment stored: {api}");
    b.client.close().await.unwrap();
}

#[tokio::test]
async fn pre_moderation_shows_awaiting_moderation_to_the_author_only() {
    let site = site_with(&["--moderation", "pre"]);
    let author = browser(&site, "author").await;
    open_demo(&author, &site).await;
    fill_form(&author.client, "À modérer, s’il vous plaît.", "Camille", "camille@example.org").await;
    tokio::time::sleep(TIME_TRAP).await;
    submit(&author.client).await;
    wait_text(
        &author.client,
        ".nw-comments > .nw-comment-form .nw-form-status p",
        "Votre commentaire est en attente de modération. Vous seul le voyez pour l’instant.",
    )
    .await;
    wait_text(&author.client, ".nw-comment-pending .nw-badge", "en attente de modération").await;
    author.client.refresh().await.unwrap();
    open_demo(&author, &site).await;
    wait_text(&author.client, ".nw-comment-pending .nw-badge", "en attente de modération").await;
    author.client.close().await.unwrap();

    let other = browser(&site, "other-reader").await;
    open_demo(&other, &site).await;
    wait_text(&other.client, ".nw-comments h2", "0 commentaire").await;
    assert!(shadow_find(&other.client, ".nw-comment").await.is_err(), "nobody else sees it");
    other.client.close().await.unwrap();
}

#[tokio::test]
async fn a_keyboard_only_reader_posts_a_comment_and_sees_errors() {
    let site = site();
    let b = browser(&site, "keyboard-commenter").await;
    open_demo(&b, &site).await;
    b.client.find(Locator::Css("body")).await.unwrap().click().await.unwrap();
    let mut reached = false;
    for _ in 0..60 {
        focused(&b.client).await.send_keys(TAB).await.unwrap();
        if focused(&b.client).await.attr("name").await.unwrap().as_deref() == Some("body") {
            reached = true;
            break;
        }
    }
    assert!(reached, "Tab reaches the comment field");
    // Enter in the name field submits the form: everything missing is said, by field.
    focused(&b.client).await.send_keys(TAB).await.unwrap();
    focused(&b.client).await.send_keys(ENTER).await.unwrap();
    wait_text(
        &b.client,
        ".nw-comments > .nw-comment-form .nw-form-alert .nw-error",
        "Corrigez les champs signalés en rouge.",
    )
    .await;
    assert_eq!(
        focused(&b.client).await.attr("name").await.unwrap().as_deref(),
        Some("body"),
        "focus on the first error"
    );
    save_element_screenshot(&b.client, ".nw-comments > .nw-comment-form", "comment-form-errors.png").await;

    focused(&b.client).await.send_keys("Écrit au clavier seulement.").await.unwrap();
    focused(&b.client).await.send_keys(TAB).await.unwrap();
    focused(&b.client).await.send_keys("Clavier").await.unwrap();
    focused(&b.client).await.send_keys(TAB).await.unwrap();
    focused(&b.client).await.send_keys("clavier@example.org").await.unwrap();
    tokio::time::sleep(TIME_TRAP).await;
    focused(&b.client).await.send_keys(ENTER).await.unwrap();
    wait_text(&b.client, ".nw-comments > .nw-comment-form .nw-form-status p", "Votre commentaire est publié.").await;
    wait_text(&b.client, ".nw-comments h2", "1 commentaire").await;
    b.client.close().await.unwrap();
}

const CANONICAL: &str = "https://actualite.example/2024/07/cooperation-chine-kazakhstan";
const TITLE: &str = "Coopération: une nouvelle impulsion au partenariat permanent Chine-Kazakhstan";

/// encodeURIComponent, written out here so the expected links do not come from the code under test.
fn uri_component(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn every_share_link_is_exact_and_the_page_fetches_only_from_its_own_server() {
    let site = site();
    let b = browser(&site, "sharer").await;
    open_demo(&b, &site).await;
    find(&b.client, ".nw-share-list").await;
    let (u, t) = (uri_component(CANONICAL), uri_component(TITLE));
    let both = uri_component(&format!("{TITLE} {CANONICAL}"));
    let image = uri_component(&format!("{}/media/chine-kazakhstan.svg", site.url));
    let expected = [
        ("facebook", format!("https://www.facebook.com/sharer/sharer.php?u={u}")),
        ("x", format!("https://x.com/intent/tweet?text={t}&url={u}")),
        ("linkedin", format!("https://www.linkedin.com/sharing/share-offsite/?url={u}")),
        ("whatsapp", format!("https://wa.me/?text={both}")),
        ("telegram", format!("https://t.me/share/url?url={u}&text={t}")),
        ("reddit", format!("https://www.reddit.com/submit?url={u}&title={t}")),
        ("bluesky", format!("https://bsky.app/intent/compose?text={both}")),
        ("threads", format!("https://www.threads.net/intent/post?text={both}")),
        ("pinterest", format!("https://www.pinterest.com/pin/create/button/?url={u}&media={image}&description={t}")),
        ("email", format!("mailto:?subject={t}&body={both}")),
    ];
    for (network, want) in expected {
        let link = find(&b.client, &format!("a.nw-share-{network}")).await;
        assert_eq!(link.attr("href").await.unwrap().as_deref(), Some(want.as_str()), "{network}");
        let name = plain(&link.prop("textContent").await.unwrap().unwrap_or_default());
        assert!(name.starts_with("Partager sur ") || network == "email", "{network}: {name}");
    }
    let fetched = b
        .client
        .execute(
            "return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource')).map(e => e.name);",
            vec![],
        )
        .await
        .unwrap();
    let fetched: Vec<String> = serde_json::from_value(fetched).unwrap();
    assert!(fetched.len() >= 5, "the page, its assets and API calls: {fetched:?}");
    for url in &fetched {
        assert!(url.starts_with(&format!("{}/", site.url)), "a request left the server's origin: {url}");
    }
    save_element_screenshot(&b.client, ".nw-share", "share-bar.png").await;
    b.client.close().await.unwrap();
}

#[tokio::test]
async fn copy_link_puts_the_address_on_the_clipboard_with_and_without_the_clipboard_api() {
    let site = site();
    let b = browser(&site, "copier").await;
    open_demo(&b, &site).await;
    let paste_target = ".nw-comments > .nw-comment-form [name=body]";
    for path in ["Clipboard API", "execCommand fallback"] {
        let area = find(&b.client, paste_target).await;
        if path == "execCommand fallback" {
            b.client
                .execute("Object.defineProperty(navigator, 'clipboard', {value: undefined});", vec![])
                .await
                .unwrap();
            // Put something else on the clipboard first, so the paste below proves the fallback wrote.
            area.clear().await.unwrap();
            // One send: each send to an element in a shadow root focuses it anew, which collapses
            // the selection (the document's activeElement is the widget's element, not it).
            area.send_keys("autre chose\u{e009}a\u{e000}\u{e009}c\u{e000}").await.unwrap();
            area.clear().await.unwrap();
            area.send_keys("\u{e009}v\u{e000}").await.unwrap();
            assert_eq!(area.prop("value").await.unwrap().as_deref(), Some("autre chose"));
        }
        find(&b.client, ".nw-share-copy").await.click().await.unwrap();
        wait_text(&b.client, ".nw-share .nw-status", "Lien copié").await;
        area.clear().await.unwrap();
        area.send_keys("\u{e009}v\u{e000}").await.unwrap();
        let pasted = area.prop("value").await.unwrap().unwrap_or_default();
        assert_eq!(pasted, CANONICAL, "{path}");
    }
    b.client.close().await.unwrap();
}

#[tokio::test]
async fn the_mastodon_dialog_works_by_keyboard() {
    let site = site();
    let b = browser(&site, "mastodonian").await;
    open_demo(&b, &site).await;
    // The share page would be another site: record where the widget opens it instead of going there.
    b.client
        .execute("window.opened = []; window.open = (url) => { window.opened.push(url); return null; };", vec![])
        .await
        .unwrap();
    b.client.find(Locator::Css("body")).await.unwrap().click().await.unwrap();
    let mut reached = false;
    for _ in 0..40 {
        focused(&b.client).await.send_keys(TAB).await.unwrap();
        let class = focused(&b.client).await.attr("class").await.unwrap().unwrap_or_default();
        if class.contains("nw-share-mastodon") {
            reached = true;
            break;
        }
    }
    assert!(reached, "Tab reaches the Mastodon button");
    focused(&b.client).await.send_keys(ENTER).await.unwrap();
    let dialog_open =
        "return document.querySelector('[data-news-widget]').shadowRoot.querySelector('.nw-dialog').open;";
    assert_eq!(b.client.execute(dialog_open, vec![]).await.unwrap(), json!(true));
    let input = focused(&b.client).await;
    assert_eq!(input.attr("inputmode").await.unwrap().as_deref(), Some("url"), "the focus is in the instance field");
    input.send_keys("pas une instance").await.unwrap();
    input.send_keys(ENTER).await.unwrap();
    let error = find(&b.client, ".nw-dialog .nw-field-error").await;
    assert!(plain(&error.text().await.unwrap()).contains("mastodon.social"));
    assert_eq!(input.attr("aria-invalid").await.unwrap().as_deref(), Some("true"));
    input.clear().await.unwrap();
    input.send_keys("piaille.fr").await.unwrap();
    input.send_keys(ENTER).await.unwrap();
    let opened = b.client.execute("return window.opened;", vec![]).await.unwrap();
    let want = format!("https://piaille.fr/share?text={}", uri_component(&format!("{TITLE} {CANONICAL}")));
    assert_eq!(opened, json!([want]));
    assert_eq!(b.client.execute(dialog_open, vec![]).await.unwrap(), json!(false), "the dialog closed");

    // Remembered: the next time the field holds it; Escape closes the dialog.
    find(&b.client, ".nw-share-mastodon").await.send_keys(ENTER).await.unwrap();
    let again = focused(&b.client).await;
    assert_eq!(again.prop("value").await.unwrap().as_deref(), Some("piaille.fr"));
    again.send_keys("\u{e00c}").await.unwrap();
    assert_eq!(b.client.execute(dialog_open, vec![]).await.unwrap(), json!(false));
    b.client.close().await.unwrap();
}

/// A host page of another origin, served by a second server from a folder of its own.
struct HostSite {
    url: String,
    dir: tempfile::TempDir,
    _server: Process,
}

fn host_site() -> HostSite {
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("pages");
    std::fs::create_dir_all(&pages).unwrap();
    std::fs::write(pages.join("index.html"), "<!doctype html><title>host</title>").unwrap();
    let mut child = Command::new(env_path("NEWS_WIDGET_SERVER_BIN"))
        .args(["--addr", "127.0.0.1:0", "--no-demo", "--database"])
        .arg(dir.path().join("host.sqlite3"))
        .arg("--static-dir")
        .arg(&pages)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().strip_prefix("news-widget: serving on ").unwrap().trim_end_matches('/').to_owned();
    HostSite { url, dir, _server: Process(child) }
}

/// The strict policy the README gives, with the widget's origin allowed.
fn strict_csp(widget: &str) -> String {
    format!(
        "default-src 'none'; script-src 'self' {widget} 'wasm-unsafe-eval'; connect-src {widget}; \
         img-src {widget}; style-src 'self'"
    )
}

#[tokio::test]
async fn the_snippet_works_on_another_origin_under_a_strict_csp_and_loads_lazily() {
    let host = host_site();
    let widget = site_with(&["--allowed-origin", &host.url]);
    let w = &widget.url;
    let pages = host.dir.path().join("pages");
    // The host page's own script records CSP violations and console errors before anything else runs.
    std::fs::write(
        pages.join("record.js"),
        "window.problems = [];
         addEventListener('securitypolicyviolation', e => problems.push('CSP ' + e.violatedDirective + ' ' + e.blockedURI));
         addEventListener('error', e => problems.push('error ' + e.message));
         const original = console.error;
         console.error = (...args) => { problems.push(args.map(String).join(' ')); original(...args); };",
    )
    .unwrap();
    std::fs::write(pages.join("host.css"), ".spacer { height: 4000px; } body { font-family: serif; }").unwrap();
    std::fs::write(
        pages.join("article.html"),
        format!(
            r#"<!doctype html><html lang="fr"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<title>Un journal ailleurs</title>
<link rel="stylesheet" href="host.css">
<script src="record.js"></script>
<script type="module" src="{w}/news-widget-loader.js"></script>
</head><body>
<h1>Un journal sur une autre origine</h1>
<div class="spacer"></div>
<div id="below" data-news-widget data-api="{w}/api/v1" data-article="cooperation-chine-kazakhstan"></div>
</body></html>"#,
            csp = strict_csp(w)
        ),
    )
    .unwrap();

    let b = browser(&widget, "host-reader").await;
    b.client.goto(&format!("{}/article.html", host.url)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let fetched = |b: &Browser| {
        let client = b.client.clone();
        async move {
            let names = client
                .execute("return performance.getEntriesByType('resource').map(e => e.name);", vec![])
                .await
                .unwrap();
            serde_json::from_value::<Vec<String>>(names).unwrap()
        }
    };
    let before = fetched(&b).await;
    assert!(before.iter().any(|u| u.ends_with("/news-widget-loader.js")), "{before:?}");
    assert!(!before.iter().any(|u| u.ends_with(".wasm")), "no wasm while the widget is below the fold: {before:?}");

    // The JS API works as soon as the loader ran, before the wasm is there: it loads it.
    let handle = b
        .client
        .execute(
            "const d = document.createElement('div'); d.id = 'api'; document.body.prepend(d);
             window.apiHandle = NewsWidget.mount(d, {api: arguments[0], article: 'cooperation-chine-kazakhstan', parts: 'rating', lang: 'fr'});
             return typeof window.apiHandle.unmount;",
            vec![json!(format!("{w}/api/v1"))],
        )
        .await
        .unwrap();
    assert_eq!(handle, json!("function"));
    let by_api =
        "return document.getElementById('api').shadowRoot?.querySelector('.nw-user-rating')?.textContent ?? null;";
    let mut mounted = serde_json::Value::Null;
    for _ in 0..100 {
        mounted = b.client.execute(by_api, vec![]).await.unwrap();
        if !mounted.is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Rendered without the server's HTML, the widget fetched its French words beside its script
    // (the wasm holds English only), across origins under the strict policy.
    let words = mounted.as_str().unwrap_or_default();
    assert!(words.starts_with("Note des lecteurs"), "mounted through NewsWidget.mount, in French: {mounted}");
    assert!(
        fetched(&b).await.iter().any(|u| u == &format!("{w}/i18n/fr.json")),
        "the French words came from {w}/i18n/"
    );
    b.client.execute("window.apiHandle.unmount();", vec![]).await.unwrap();
    let emptied =
        b.client.execute("return document.getElementById('api').shadowRoot.childElementCount;", vec![]).await.unwrap();
    assert_eq!(emptied, json!(0));

    b.client.execute("document.getElementById('below').scrollIntoView();", vec![]).await.unwrap();
    let title =
        "return document.getElementById('below').shadowRoot?.querySelector('h1.nw-title')?.textContent ?? null;";
    let mut seen = serde_json::Value::Null;
    for _ in 0..100 {
        seen = b.client.execute(title, vec![]).await.unwrap();
        if !seen.is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(seen, json!(TITLE), "mounted in its shadow root once scrolled to");
    assert!(fetched(&b).await.iter().any(|u| u.ends_with("/news-widget_bg.wasm")));

    // A widget added later is found and mounted too.
    b.client
        .execute(
            "const d = document.createElement('div'); d.id = 'later';
             d.dataset.newsWidget = ''; d.dataset.api = arguments[0]; d.dataset.article = 'cooperation-chine-kazakhstan';
             d.dataset.parts = 'rating'; d.lang = 'en'; document.getElementById('below').after(d); d.scrollIntoView();",
            vec![json!(format!("{w}/api/v1"))],
        )
        .await
        .unwrap();
    let rating =
        "return document.getElementById('later').shadowRoot?.querySelector('.nw-user-rating')?.textContent ?? null;";
    let mut figures = serde_json::Value::Null;
    for _ in 0..100 {
        figures = b.client.execute(rating, vec![]).await.unwrap();
        if !figures.is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(figures, json!("User rating: 0.00% (0 votes)"));

    // The dark theme, in the same strict page.
    b.client
        .execute(
            "const d = document.createElement('div'); d.id = 'dark';
             d.dataset.newsWidget = ''; d.dataset.api = arguments[0]; d.dataset.article = 'cooperation-chine-kazakhstan';
             d.dataset.parts = 'share, rating'; d.dataset.theme = 'dark'; d.dataset.shareNetworks = 'mastodon, bluesky, email, copy';
             document.getElementById('later').after(d); d.scrollIntoView();",
            vec![json!(format!("{w}/api/v1"))],
        )
        .await
        .unwrap();
    let dark = "return document.getElementById('dark').shadowRoot?.querySelector('.nw-user-rating') ? true : null;";
    for _ in 0..100 {
        if !b.client.execute(dark, vec![]).await.unwrap().is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    save_element_screenshot(&b.client, "#dark", "dark-theme.png").await;

    // Arabic lays out right to left.
    b.client
        .execute(
            "const d = document.createElement('div'); d.id = 'rtl';
             d.dataset.newsWidget = ''; d.dataset.api = arguments[0]; d.dataset.article = 'cooperation-chine-kazakhstan';
             d.dataset.parts = 'share, rating'; d.dataset.lang = 'ar'; d.dataset.shareNetworks = 'whatsapp, telegram, x, copy';
             document.getElementById('dark').after(d); d.scrollIntoView();",
            vec![json!(format!("{w}/api/v1"))],
        )
        .await
        .unwrap();
    let rtl = "const r = document.getElementById('rtl').shadowRoot;
               return r?.querySelector('.nw-user-rating') ? getComputedStyle(r.querySelector('.nw-widget')).direction : null;";
    let mut direction = serde_json::Value::Null;
    for _ in 0..100 {
        direction = b.client.execute(rtl, vec![]).await.unwrap();
        if !direction.is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(direction, json!("rtl"));
    save_element_screenshot(&b.client, "#rtl", "rtl-arabic.png").await;

    let problems = b.client.execute("return window.problems;", vec![]).await.unwrap();
    assert_eq!(problems, json!([]), "no CSP violation and no console error");
    b.client.close().await.unwrap();
}

// ---------------------------------------------------------------------------------------------
// Visible before the wasm (issue 12): the server's HTML, the plain form, hydration.

/// A comment posted through the JSON API by another reader; answers its id.
async fn post_comment(site: &Site, body: &str) -> i64 {
    let http = reqwest::Client::new();
    let api = format!("{}/api/v1/articles/cooperation-chine-kazakhstan", site.url);
    let token: serde_json::Value = http.get(format!("{api}/form-token")).send().await.unwrap().json().await.unwrap();
    let posted: serde_json::Value = http
        .post(format!("{api}/comments"))
        .json(&json!({"author_name": "Odile", "author_email": "odile@example.org", "body": body,
                      "form_token": token["token"]}))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    posted["comment"]["id"].as_i64().or_else(|| posted["id"].as_i64()).unwrap_or_else(|| panic!("{posted}"))
}

/// A headless Chromium whose reader turned JavaScript off in the site settings.
async fn browser_without_javascript(site: &Site, profile: &str) -> Browser {
    let driver = Driver::start().expect("chromedriver starts");
    let client = driver
        .session_with(&site.dir.path().join(profile), &["--lang=fr-FR"], xtask::browser::no_javascript())
        .await
        .expect("a WebDriver session");
    Browser { client, _driver: driver }
}

/// The text of every comment in the demo widget, read with element commands only; none while
/// the page or the widget's shadow root (which the loader attaches) is not there yet.
async fn comment_texts(client: &Client) -> Vec<String> {
    let Ok(host) = client.find(Locator::Css(WIDGET)).await else { return Vec::new() };
    let Ok(shadow) = host.shadow_root().await else { return Vec::new() };
    let mut texts = Vec::new();
    for el in shadow.find_all(Locator::Css(".nw-comment .nw-comment-body")).await.unwrap() {
        texts.push(plain(&el.text().await.unwrap()));
    }
    texts
}

/// The comments' texts once there are `n` of them (or after 5 s, whatever there is then).
async fn wait_for_comments(client: &Client, n: usize) -> Vec<String> {
    let mut texts = Vec::new();
    for _ in 0..50 {
        texts = comment_texts(client).await;
        if texts.len() == n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    texts
}

/// Posts the top-level plain form with the keyboard and the mouse, as a reader without scripts.
async fn post_plain_form(client: &Client, body: &str, name: &str, email: &str) {
    let form = ".nw-comments > .nw-comment-form";
    for (field, value) in [("body", body), ("name", name), ("email", email)] {
        if !value.is_empty() {
            find(client, &format!("{form} [name={field}]")).await.send_keys(value).await.unwrap();
        }
    }
    submit(client).await;
}

#[tokio::test]
async fn with_javascript_off_the_included_page_shows_everything_and_the_plain_form_posts() {
    let site = site();
    let earlier = post_comment(&site, "Un commentaire déjà là, lu sans JavaScript.").await;
    let b = browser_without_javascript(&site, "no-js").await;
    b.client.goto(&format!("{}/", site.url)).await.unwrap();
    // Declarative Shadow DOM: the page's HTML holds the widget's shadow root, scripts or not.
    assert_eq!(plain(&text(&b.client, "h1.nw-title").await), TITLE);
    assert!(text(&b.client, ".nw-body").await.contains("Zhanatas"), "the article body is in the page");
    assert_eq!(comment_texts(&b.client).await, ["Un commentaire déjà là, lu sans JavaScript."]);
    find(&b.client, &format!("#nw-c-{earlier}")).await;
    assert!(text(&b.client, ".nw-user-rating").await.contains('%'), "the rating figures show");

    // Refused: the body is missing. The answer is a page with what was typed and the error.
    post_plain_form(&b.client, "", "Sans Script", "sans-script@example.org").await;
    let name = find(&b.client, ".nw-comments > .nw-comment-form [name=name]").await;
    assert_eq!(name.prop("value").await.unwrap().as_deref(), Some("Sans Script"));
    let error = text(&b.client, ".nw-comments > .nw-comment-form .nw-field-error").await;
    assert!(!error.trim().is_empty(), "an error under the field");
    let body = find(&b.client, ".nw-comments > .nw-comment-form [name=body]").await;
    assert_eq!(body.attr("aria-invalid").await.unwrap().as_deref(), Some("true"));
    assert_eq!(focused(&b.client).await.attr("name").await.unwrap().as_deref(), Some("body"), "focus on the error");
    save_element_screenshot(&b.client, ".nw-comments > .nw-comment-form", "no-js-refused.png").await;

    // Sent: the 303 brings the reader back to the article, where the comment is.
    find(&b.client, ".nw-comments > .nw-comment-form [name=body]")
        .await
        .send_keys("Posté par le formulaire, sans JavaScript.")
        .await
        .unwrap();
    submit(&b.client).await;
    let texts = wait_for_comments(&b.client, 2).await;
    assert!(texts.contains(&"Posté par le formulaire, sans JavaScript.".to_owned()), "{texts:?}");
    let url = b.client.current_url().await.unwrap();
    assert_eq!(url.path(), "/");
    assert!(url.fragment().is_some_and(|f| f.starts_with("nw-c-")), "at the new comment's anchor: {url}");
    // The README's picture: the thread and the form, as a reader without JavaScript sees them.
    save_element_screenshot(&b.client, ".nw-comments", "no-js.png").await;
    b.client.close().await.unwrap();
}

#[tokio::test]
async fn without_webassembly_the_loader_shows_the_widget_and_the_plain_form_posts() {
    let host = host_site();
    let widget = site_with(&["--allowed-origin", &host.url]);
    let w = &widget.url;
    post_comment(&widget, "Lu dans un navigateur sans WebAssembly.").await;
    std::fs::write(
        host.dir.path().join("pages/article.html"),
        format!(
            r#"<!doctype html><html lang="fr"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}; form-action {w}">
<title>Sans WebAssembly</title>
<script type="module" src="{w}/news-widget-loader.js"></script>
</head><body>
<div data-news-widget data-api="{w}/api/v1" data-article="cooperation-chine-kazakhstan"></div>
</body></html>"#,
            csp = strict_csp(w)
        ),
    )
    .unwrap();
    let b = browser(&widget, "no-wasm").await;
    xtask::browser::before_every_page(&b.client, "delete window.WebAssembly;").await.unwrap();
    let page = format!("{}/article.html", host.url);
    b.client.goto(&page).await.unwrap();
    assert_eq!(plain(&text(&b.client, "h1.nw-title").await), TITLE);
    assert_eq!(comment_texts(&b.client).await, ["Lu dans un navigateur sans WebAssembly."]);
    let wasm = b
        .client
        .execute("return performance.getEntriesByType('resource').some(e => e.name.endsWith('.wasm'));", vec![])
        .await
        .unwrap();
    assert_eq!(wasm, json!(false), "no wasm fetched where none can run");

    post_plain_form(&b.client, "Sans WebAssembly, par le formulaire.", "", "x@example.org").await;
    let error = text(&b.client, ".nw-comments > .nw-comment-form .nw-field-error").await;
    assert!(!error.trim().is_empty(), "the missing name is said under its field");
    find(&b.client, ".nw-comments > .nw-comment-form [name=name]").await.send_keys("Sans Wasm").await.unwrap();
    submit(&b.client).await;
    let mut url = b.client.current_url().await.unwrap();
    for _ in 0..50 {
        if url.as_str().starts_with(&page) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        url = b.client.current_url().await.unwrap();
    }
    assert!(url.as_str().starts_with(&page), "back on the host's page: {url}");
    let texts = wait_for_comments(&b.client, 2).await;
    assert!(texts.contains(&"Sans WebAssembly, par le formulaire.".to_owned()), "{texts:?}");
    b.client.close().await.unwrap();
}

/// The hydration probe, run before any script of every page (`before_every_page`): it records
/// console errors and warnings (a hydration panic, or "rendered anew") and defines
/// `__nwProbe.tag(root, buffered)`, which tags every element of the widget's root, keeps its HTML
/// and sums layout shifts from then on (`buffered`: from the first paint), naming what moved.
const PROBE: &str = r#"
window.problems = [];
addEventListener('error', (e) => problems.push('error ' + e.message));
for (const level of ['error', 'warn']) {
  const original = console[level];
  console[level] = (...args) => { problems.push(level + ' ' + args.map(String).join(' ')); original(...args); };
}
window.__nwProbe = {
  // Yew's markers go at hydration; the wasm then keys the draft itself (its own idempotency key
  // in place of the server's nonce, a hidden field): neither is something a reader sees.
  strip: (html) => html.replace(/<!--[\s\S]*?-->/g, '').replace(/value="[^"]*"( type="hidden" name="idempotency_key")/g, '$1'),
  tag(root, buffered) {
    let i = 0;
    for (const el of root.querySelectorAll('*')) el.__nw = ++i;
    window.__nwBefore = { html: this.strip(root.innerHTML), count: i };
    window.__nwShift = 0;
    window.__nwShifts = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (!e.hadRecentInput) {
        window.__nwShift += e.value;
        for (const s of e.sources) window.__nwShifts.push([s.node && (s.node.nodeName + '.' + s.node.className), JSON.stringify(s.previousRect), JSON.stringify(s.currentRect)].join(' '));
      }
    }).observe({ type: 'layout-shift', buffered });
    return i;
  },
};
"#;

/// Before hydrating through the loader: tags the root of the element `arguments[0]`.
const BEFORE_HYDRATION: &str = "return __nwProbe.tag(document.querySelector(arguments[0]).shadowRoot, false);";

/// After hydrating: what changed.
const AFTER_HYDRATION: &str = r#"
const done = arguments[arguments.length - 1];
const host = document.querySelector(arguments[0]);
const wait = () => host.hasAttribute("data-news-widget-mounted")
  ? requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(report, 200)))
  : setTimeout(wait, 20);
function report() {
  const root = host.shadowRoot;
  const lost = [...root.querySelectorAll("*")].filter((el) => el.__nw === undefined).map((el) => el.outerHTML.slice(0, 120));
  const html = __nwProbe.strip(root.innerHTML);
  let at = 0;
  while (at < html.length && html[at] === window.__nwBefore.html[at]) at++;
  done({
    same: html === window.__nwBefore.html,
    differs: html === window.__nwBefore.html ? "" : window.__nwBefore.html.slice(at - 80, at + 120) + "\n  ≠\n" + html.slice(at - 80, at + 120),
    replaced: lost,
    shift: window.__nwShift,
    shifts: window.__nwShifts,
    problems: window.problems,
  });
}
wait();
"#;

#[tokio::test]
async fn hydration_keeps_every_node_moves_nothing_and_keeps_what_was_typed_in_12_languages() {
    let host = host_site();
    let widget = site_with(&["--allowed-origin", &host.url]);
    let w = &widget.url;
    post_comment(&widget, "Un premier avis, pour que le fil ne soit pas vide.").await;
    let b = browser(&widget, "hydration").await;
    // The loader waits for `NewsWidgetLoader.hydrateAll()`.
    let manual = format!("window.NewsWidgetHydrate = 'manual';{PROBE}");
    xtask::browser::before_every_page(&b.client, &manual).await.unwrap();
    for lang in ["fr", "en", "de", "es", "it", "pt", "nl", "pl", "ru", "ar", "zh", "ja"] {
        std::fs::write(
            host.dir.path().join(format!("pages/{lang}.html")),
            format!(
                r#"<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{lang}</title>
<script type="module" src="{w}/news-widget-loader.js"></script></head><body>
<div id="w" data-news-widget data-api="{w}/api/v1" data-article="cooperation-chine-kazakhstan"></div>
</body></html>"#
            ),
        )
        .unwrap();
        b.client.goto(&format!("{}/{lang}.html", host.url)).await.unwrap();
        // A reader's first visit in each language: no draft kept from the one before.
        b.client.execute("localStorage.clear();", vec![]).await.unwrap();
        find_in(&b.client, "#w", ".nw-comments > .nw-comment-form [name=body]").await;
        // Typed before the wasm: it must survive hydration.
        let typed = format!("Tapé avant l’hydratation ({lang})");
        find_in(&b.client, "#w", ".nw-comments > .nw-comment-form [name=body]").await.send_keys(&typed).await.unwrap();
        let tagged = b.client.execute(BEFORE_HYDRATION, vec![json!("#w")]).await.unwrap();
        assert!(tagged.as_u64().unwrap_or(0) > 50, "{lang}: the server's HTML is there ({tagged})");
        b.client.execute("NewsWidgetLoader.hydrateAll();", vec![]).await.unwrap();
        let after = b.client.execute_async(AFTER_HYDRATION, vec![json!("#w")]).await.unwrap();
        assert_eq!(after["problems"], json!([]), "{lang}: no console error, no panic");
        assert_eq!(after["replaced"], json!([]), "{lang}: no node replaced");
        assert!(
            after["same"] == json!(true),
            "{lang}: the first client render equals the server's HTML:\n{}",
            after["differs"]
        );
        assert_eq!(after["shift"], json!(0), "{lang}: no layout shift: {}", after["shifts"]);
        let body = find_in(&b.client, "#w", ".nw-comments > .nw-comment-form [name=body]").await;
        assert_eq!(
            body.prop("value").await.unwrap().as_deref(),
            Some(typed.as_str()),
            "{lang}: the text typed survives"
        );
        // And the field still takes keys after hydration.
        body.send_keys(" !").await.unwrap();
        assert_eq!(body.prop("value").await.unwrap(), Some(format!("{typed} !")));
    }
    b.client.close().await.unwrap();
}

/// `css` inside the shadow root of the host page's element `host`, waiting for it.
async fn find_in(client: &Client, host: &str, css: &str) -> Element {
    let mut last = None;
    for _ in 0..200 {
        match client.find(Locator::Css(host)).await {
            Ok(h) => match h.shadow_root().await {
                Ok(root) => match root.find(Locator::Css(css)).await {
                    Ok(el) => return el,
                    Err(e) => last = Some(e),
                },
                Err(e) => last = Some(e),
            },
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{host} {css}: {last:?}")
}

/// Tags the included demo page's widget as soon as the parser is done, before any module script
/// runs (the wasm hydrates the page by itself, as soon as it starts).
const TAG_WHEN_PARSED: &str = "document.addEventListener('readystatechange', () => {
  if (document.readyState === 'interactive') __nwProbe.tag(document.querySelector('[data-news-widget]').shadowRoot, true);
});";

#[tokio::test]
async fn the_included_demo_page_hydrates_in_its_declarative_shadow_root() {
    let site = site();
    post_comment(&site, "Déjà là quand la page arrive.").await;
    let b = browser(&site, "dsd-hydration").await;
    xtask::browser::before_every_page(&b.client, &format!("{PROBE}{TAG_WHEN_PARSED}")).await.unwrap();
    b.client.goto(&format!("{}/", site.url)).await.unwrap();
    let after = b.client.execute_async(AFTER_HYDRATION, vec![json!(WIDGET)]).await.unwrap();
    let tagged = b.client.execute("return window.__nwBefore.count;", vec![]).await.unwrap();
    assert!(tagged.as_u64().unwrap_or(0) > 50, "the page's HTML holds the widget ({tagged})");
    assert_eq!(after["problems"], json!([]), "no console error or warning (a warning says it rendered anew)");
    assert_eq!(after["replaced"], json!([]), "no node replaced");
    assert!(after["same"] == json!(true), "hydration changed the page's HTML:\n{}", after["differs"]);
    // From the first paint on: the page's own HTML holds the widget, so nothing ever moves.
    assert_eq!(after["shift"], json!(0), "no layout shift: {}", after["shifts"]);
    // Hydrated, it is live: the comment's relative time and the form work as before.
    fill_form(&b.client, "Après l’hydratation, par le wasm.", "Hydra", "hydra@example.org").await;
    submit(&b.client).await;
    wait_text(&b.client, ".nw-comments > .nw-comment-form .nw-form-status p", "Votre commentaire est publié.").await;
    b.client.close().await.unwrap();
}

/// A real WordPress with the plugin built by `cargo xtask wordpress-plugin` (the WordPress
/// flavour of the widget in its assets/): a post page of its theme, as a reader opens it.
#[tokio::test]
async fn the_plugin_puts_the_widget_on_a_wordpress_post_and_keeps_wordpress_comments_without_javascript() {
    let wp = xtask::wordpress::WordPress::start().expect("WordPress starts");
    let page = format!("{}/{}/", wp.site, wp.seed.article_slug);
    let dir = tempfile::tempdir().unwrap();
    let driver = Driver::start().expect("chromedriver starts");
    let client = driver.session(&dir.path().join("reader"), &["--lang=fr-FR"]).await.expect("a WebDriver session");
    client.goto(&page).await.unwrap();
    // The theme prints the article; the plugin puts the share bar, the rating and the thread after it.
    for css in [".nw-share-list", ".nw-user-rating", ".nw-comment-body"] {
        find(&client, css).await;
    }
    assert!(shadow_find(&client, ".nw-article").await.is_err(), "the theme prints the article itself");
    let texts = wait_for_comments(&client, usize::try_from(wp.seed.article_comments).unwrap()).await;
    assert_eq!(texts.len() as u64, wp.seed.article_comments, "WordPress's approved comments: {texts:?}");
    let heading = plain(&find(&client, ".nw-comments h2").await.text().await.unwrap());
    assert_eq!(heading, format!("{} commentaires", wp.seed.article_comments), "in the site's language");
    let hidden_comments =
        client.execute("return document.querySelectorAll('#comments, #commentform').length", vec![]).await.unwrap();
    assert_eq!(hidden_comments, json!(0), "WordPress's own thread stays in <noscript>");
    save_element_screenshot(&client, WIDGET, "wordpress.png").await;
    client.close().await.unwrap();

    // Without JavaScript, WordPress's own thread and form, as the theme prints them.
    let driver = Driver::start().expect("chromedriver starts");
    let client = driver
        .session_with(&dir.path().join("no-js"), &["--lang=fr-FR"], xtask::browser::no_javascript())
        .await
        .expect("a WebDriver session");
    client.goto(&page).await.unwrap();
    let items = client.find_all(Locator::Css("#comments .comment-list li.comment")).await.unwrap();
    assert_eq!(items.len() as u64, wp.seed.article_comments, "WordPress's comments for readers without scripts");
    assert!(client.find(Locator::Css("#commentform textarea[name=comment]")).await.is_ok(), "and its form");
    client.close().await.unwrap();
}
