//! `data-backend="local"`: the same UI with no server, its data kept in the browser.

#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn get(object: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(object, &key.into()).unwrap()
}

fn js_mount(element: &web_sys::Element, slug: &str) -> JsValue {
    news_widget::install_js_api();
    let api = get(&web_sys::window().unwrap(), "NewsWidget");
    let mount: js_sys::Function = get(&api, "mount").dyn_into().unwrap();
    let config = js_sys::Object::new();
    for (key, value) in [("backend", "local"), ("article", slug), ("lang", "fr")] {
        js_sys::Reflect::set(&config, &key.into(), &value.into()).unwrap();
    }
    mount.call2(&api, element, &config).unwrap()
}

fn unmount(handle: &JsValue) {
    let unmount: js_sys::Function = get(handle, "unmount").dyn_into().unwrap();
    unmount.call0(handle).unwrap();
}

#[wasm_bindgen_test]
async fn the_local_backend_keeps_a_rating_and_a_comment_across_a_re_mount() {
    let slug = unique_slug("local");
    // The article, inline in the page, in the API's shape.
    let script = document().create_element("script").unwrap();
    script.set_attribute("type", "application/json").unwrap();
    script.set_attribute("data-news-widget-article", &slug).unwrap();
    script.set_text_content(Some(&format!(
        r#"{{"slug":"{slug}","lang":"fr","title":"Un article sans serveur","body_html":"<p>Bonjour.</p><img src=x onerror=alert(1)>","published_at":"2026-11-27T10:00:00Z","editor_score":70}}"#
    )));
    document().body().unwrap().append_child(&script).unwrap();

    let element = container();
    let handle = js_mount(&element, &slug);
    assert_eq!(wait_for(&element, "h1.nw-title").await.text_content().unwrap(), "Un article sans serveur");
    assert!(find(&element, ".nw-body img[onerror]").is_none(), "the page's body is sanitized too");
    wait_for(&element, ".nw-user-rating").await;
    assert_eq!(plain(&text(&element, ".nw-editor-score")), "Note globale 70 %");

    find(&element, "input[value='4']").unwrap().unchecked_into::<web_sys::HtmlElement>().click();
    click(&element, ".nw-rate-button");
    wait_for(&element, ".nw-your-rating").await;

    type_into(&element, "[name=body]", "Gardé dans ce navigateur.");
    type_into(&element, "[name=name]", "Camille");
    type_into(&element, "[name=email]", "camille@example.org");
    click(&element, ".nw-comments > .nw-comment-form button[type=submit]");
    wait_for(&element, ".nw-comment").await;

    unmount(&handle);
    yew::scheduler::flush().await;
    assert!(find(&element, "*").is_none(), "nothing left in the element");

    let again = js_mount(&element, &slug);
    wait_for(&element, ".nw-comment").await;
    assert_eq!(plain(&text(&element, ".nw-your-rating")), "Votre note : 4 étoiles");
    assert_eq!(plain(&text(&element, ".nw-user-rating")), "Note des lecteurs : 80,00 % (1 vote)");
    assert_eq!(text(&element, ".nw-comments h2"), "1 commentaire");
    assert_eq!(text(&element, ".nw-comment-body"), "Gardé dans ce navigateur.");
    unmount(&again);
    script.remove();
}

#[wasm_bindgen_test]
async fn without_the_inline_article_the_local_backend_says_so() {
    let element = container();
    js_mount(&element, &unique_slug("missing"));
    let alert = wait_for(&element, ".nw-article-error").await;
    assert!(alert.text_content().unwrap().contains("data-news-widget-article"), "{}", alert.text_content().unwrap());
}

#[wasm_bindgen_test]
async fn auto_uses_the_browser_when_no_server_answers() {
    let slug = unique_slug("auto");
    let script = document().create_element("script").unwrap();
    script.set_attribute("type", "application/json").unwrap();
    script.set_attribute("data-news-widget-article", &slug).unwrap();
    script.set_text_content(Some(&format!(
        r#"{{"slug":"{slug}","lang":"fr","title":"Sans serveur","body_html":"<p>Local.</p>","published_at":"2026-11-27T10:00:00Z"}}"#
    )));
    document().body().unwrap().append_child(&script).unwrap();
    let page = container();
    page.set_inner_html(&format!(
        r#"<div data-news-widget data-backend="auto" data-api="http://127.0.0.1:9/api/v1" data-article="{slug}" lang="fr"></div>"#
    ));
    news_widget::mount_all();
    let root = page.first_element_child().unwrap();
    assert_eq!(wait_for(&root, "h1.nw-title").await.text_content().unwrap(), "Sans serveur");

    // With a server that answers, auto is the server: the demo article comes from it.
    let served = container();
    served.set_inner_html(&format!(
        r#"<div data-news-widget data-backend="auto" data-api="{}" data-article="cooperation-chine-kazakhstan" data-parts="article"></div>"#,
        api()
    ));
    news_widget::mount_all();
    let root = served.first_element_child().unwrap();
    assert!(wait_for(&root, "h1.nw-title").await.text_content().unwrap().starts_with("Coopération"));
    script.remove();
}
