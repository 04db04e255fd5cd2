//! Helpers for the browser tests: a real server (started by `cargo xtask test`), real DOM.

#![allow(dead_code)]

use std::time::Duration;

use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlElement};

/// The API of the real server `cargo xtask test` starts for these tests.
pub fn api() -> &'static str {
    match option_env!("NEWS_WIDGET_TEST_API") {
        Some(api) => api,
        None => panic!("run the browser tests through `cargo xtask test`, which starts a server"),
    }
}

pub fn admin_token() -> &'static str {
    match option_env!("NEWS_WIDGET_TEST_ADMIN_TOKEN") {
        Some(token) => token,
        None => panic!("run the browser tests through `cargo xtask test`, which starts a server"),
    }
}

pub fn document() -> Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Gives the widget the words of every language and its stylesheet, as a deployment does by
/// serving `i18n/{language}.json` and `widget.css` beside the script (the test runner serves no
/// such files) or the server's seed does. The fetches are tested end to end (xtask/tests/e2e.rs).
pub fn words() {
    macro_rules! register {
        ($($code:literal),*) => {$(
            news_widget::i18n::register($code, include_str!(concat!("../../i18n/", $code, ".json")))
                .expect(concat!("i18n/", $code, ".json parses"));
        )*};
    }
    register!("fr", "de", "es", "it", "pt", "nl", "pl", "ru", "ar", "zh", "ja");
    // The same for the stylesheet, which a deployment serves beside the script.
    news_widget::provide_css(include_str!("../../styles/widget.css"));
}

/// A fresh `<div>` attached to the page's body (with every language's words: [`words`]).
pub fn container() -> Element {
    words();
    let div = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&div).unwrap();
    div
}

pub async fn sleep(ms: u64) {
    gloo_timers::future::sleep(Duration::from_millis(ms)).await;
}

/// The first match of `selector` in `root`'s shadow root if it has one, else in `root`.
pub fn find(root: &Element, selector: &str) -> Option<Element> {
    match root.shadow_root() {
        Some(shadow) => shadow.query_selector(selector).unwrap(),
        None => root.query_selector(selector).unwrap(),
    }
}

/// Every match of `selector`, as [`find`] looks.
pub fn find_all(root: &Element, selector: &str) -> Vec<Element> {
    let list = match root.shadow_root() {
        Some(shadow) => shadow.query_selector_all(selector).unwrap(),
        None => root.query_selector_all(selector).unwrap(),
    };
    (0..list.length()).map(|i| list.item(i).unwrap().dyn_into().unwrap()).collect()
}

/// Waits (up to 10 s) until `selector` matches inside `root`, running Yew's scheduler meanwhile.
pub async fn wait_for(root: &Element, selector: &str) -> Element {
    for _ in 0..200 {
        yew::scheduler::flush().await;
        if let Some(found) = find(root, selector) {
            return found;
        }
        sleep(50).await;
    }
    panic!("{selector} never appeared; the DOM is: {}", root.inner_html());
}

pub fn text(root: &Element, selector: &str) -> String {
    find(root, selector)
        .unwrap_or_else(|| panic!("no {selector} in {}", root.inner_html()))
        .text_content()
        .unwrap_or_default()
}

pub fn click(root: &Element, selector: &str) {
    find(root, selector).unwrap_or_else(|| panic!("no {selector}")).unchecked_into::<HtmlElement>().click();
}

/// A slug no other test uses.
pub fn unique_slug(prefix: &str) -> String {
    format!("{prefix}-{}", (js_sys::Math::random() * 1e12) as u64)
}

/// Creates or replaces an article on the real server.
pub async fn put_article(slug: &str, body: &serde_json::Value) {
    let response = gloo_net::http::Request::put(&format!("{}/articles/{slug}", api()))
        .header("Authorization", &format!("Bearer {}", admin_token()))
        .json(body)
        .unwrap()
        .send()
        .await
        .unwrap();
    assert!(response.ok(), "PUT {slug}: {}", response.status());
}

/// Makes `token` this browser's reader token (what the widget keeps in localStorage).
pub fn set_reader(token: &str) {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage.set_item("news-widget:reader", token).unwrap();
}

/// A fresh article on the real server, for a test of its own.
pub async fn fresh_article(prefix: &str, lang: &str) -> String {
    let slug = unique_slug(prefix);
    put_article(
        &slug,
        &serde_json::json!({"lang": lang, "title": "T", "body_html": "<p>b</p>", "published_at": "2026-11-27T10:00:00Z"}),
    )
    .await;
    slug
}

/// A vote sent straight to the server, as another reader.
pub async fn direct_vote(slug: &str, reader: &str, stars: u8) -> u16 {
    gloo_net::http::Request::put(&format!("{}/articles/{slug}/rating", api()))
        .header("x-reader-token", reader)
        .json(&serde_json::json!({ "stars": stars }))
        .unwrap()
        .send()
        .await
        .unwrap()
        .status()
}

/// The server's rating of `slug` as `reader` sees it.
pub async fn server_rating(slug: &str, reader: &str) -> serde_json::Value {
    // A query string of its own keeps these checks out of the widget's request count.
    gloo_net::http::Request::get(&format!("{}/articles/{slug}/rating?check", api()))
        .header("x-reader-token", reader)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// How many requests this page made to `url` (Resource Timing).
pub fn requests_to(url: &str) -> u32 {
    web_sys::window().unwrap().performance().unwrap().get_entries_by_name(url).length()
}

/// Text with no-break spaces (which Intl and French typography use) made plain spaces.
pub fn plain(text: &str) -> String {
    text.replace(['\u{a0}', '\u{202f}'], " ")
}

/// Presses `key` on `target` (keydown, bubbling and cancelable, as a keyboard would send it).
pub fn press(target: &Element, key: &str) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    target.dispatch_event(&event).unwrap();
}

/// Types `value` into the input or textarea `selector` under `root`, as a reader would (an
/// `input` event follows).
pub fn type_into(root: &Element, selector: &str, value: &str) {
    let el = find(root, selector).unwrap_or_else(|| panic!("no {selector}"));
    if let Some(input) = el.dyn_ref::<web_sys::HtmlInputElement>() {
        input.set_value(value);
    } else if let Some(area) = el.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        area.set_value(value);
    }
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    el.dispatch_event(&web_sys::Event::new_with_event_init_dict("input", &init).unwrap()).unwrap();
}

/// Posts a comment straight to the server (as another reader), answering its id and edit token.
pub async fn direct_comment_with_token(slug: &str, parent: Option<i64>, name: &str, body: &str) -> (i64, String) {
    let token: serde_json::Value = gloo_net::http::Request::get(&format!("{}/articles/{slug}/form-token", api()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let answer: serde_json::Value = gloo_net::http::Request::post(&format!("{}/articles/{slug}/comments", api()))
        .json(&serde_json::json!({"parent_id": parent, "author_name": name, "author_email": "other@example.org", "body": body, "form_token": token["token"]}))
        .unwrap()
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = answer["comment"]["id"].as_i64().unwrap_or_else(|| panic!("not posted: {answer}"));
    (id, answer["edit_token"].as_str().unwrap_or_default().to_owned())
}

/// Posts a comment straight to the server (as another reader), answering its id.
pub async fn direct_comment(slug: &str, parent: Option<i64>, name: &str, body: &str) -> i64 {
    direct_comment_with_token(slug, parent, name, body).await.0
}
