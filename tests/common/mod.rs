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

/// A fresh `<div>` attached to the page's body.
pub fn container() -> Element {
    let div = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&div).unwrap();
    div
}

pub async fn sleep(ms: u64) {
    gloo_timers::future::sleep(Duration::from_millis(ms)).await;
}

/// Waits (up to 10 s) until `selector` matches inside `root`, running Yew's scheduler meanwhile.
pub async fn wait_for(root: &Element, selector: &str) -> Element {
    for _ in 0..200 {
        yew::scheduler::flush().await;
        if let Some(found) = root.query_selector(selector).unwrap() {
            return found;
        }
        sleep(50).await;
    }
    panic!("{selector} never appeared; the DOM is: {}", root.inner_html());
}

pub fn text(root: &Element, selector: &str) -> String {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector} in {}", root.inner_html()))
        .text_content()
        .unwrap_or_default()
}

pub fn click(root: &Element, selector: &str) {
    root.query_selector(selector).unwrap().unwrap().unchecked_into::<HtmlElement>().click();
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
