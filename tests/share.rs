//! The share bar in a real browser, mounted from data attributes against the real server.

#![cfg(target_arch = "wasm32")]

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use common::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

const DEMO: &str = "cooperation-chine-kazakhstan";

/// Mounts a widget from attributes, as a host page would, and waits for its share bar.
async fn mount(attributes: &str) -> Element {
    let page = container();
    page.set_inner_html(&format!(
        r#"<div data-news-widget data-api="{}" data-article="{DEMO}" lang="fr" {attributes}></div>"#,
        api()
    ));
    news_widget::mount_all();
    let root = page.first_element_child().unwrap();
    wait_for(&root, ".nw-share-list").await;
    root
}

fn classes_in_order(root: &Element) -> Vec<String> {
    find_all(root, ".nw-share-list > li > *")
        .into_iter()
        .map(|e| {
            let classes = e.class_name();
            let own = classes.split(' ').filter(|c| c.starts_with("nw-share-") && *c != "nw-share-button");
            own.collect::<Vec<_>>().join(" ")
        })
        .collect()
}

#[wasm_bindgen_test]
async fn the_configured_networks_in_their_order_and_unknown_names_reported() {
    let root = mount(r#"data-share-networks="email, x, myspace, copy, mastodon" data-share-style="icons""#).await;
    let shown: Vec<String> = classes_in_order(&root).into_iter().filter(|c| c != "nw-share-native").collect();
    assert_eq!(shown, ["nw-share-email", "nw-share-x", "nw-share-copy", "nw-share-mastodon"]);
    let error = plain(&text(&root, ".nw-share .nw-config-error"));
    assert!(error.contains("data-share-networks") && error.contains("\"myspace\""), "{error}");
    assert!(find(&root, ".nw-share.nw-share-icons").is_some());
    // Accessible names in the page's language, whatever the style.
    assert_eq!(plain(&text(&root, ".nw-share-x")), "Partager sur X");
    assert_eq!(plain(&text(&root, ".nw-share-copy")), "Copier le lien");
    let group = find(&root, ".nw-share[role=group]").unwrap();
    let label = find(&root, &format!("#{}", group.get_attribute("aria-labelledby").unwrap())).unwrap();
    assert_eq!(label.text_content().unwrap(), "Partager");
    let x = find(&root, ".nw-share-x").unwrap();
    assert_eq!(x.get_attribute("target").as_deref(), Some("_blank"));
    assert_eq!(x.get_attribute("rel").as_deref(), Some("noopener noreferrer"));
}

#[wasm_bindgen_test]
async fn the_share_tag_and_the_host_page_event() {
    let root = mount(r#"data-share-networks="reddit" data-share-tag="une campagne""#).await;
    let href = find(&root, ".nw-share-reddit").unwrap().get_attribute("href").unwrap();
    assert!(
        href.contains("utm_source%3Dreddit%26utm_medium%3Dsocial%26utm_campaign%3Dune%2520campagne"),
        "the tagged page address, encoded into the share link: {href}"
    );
    // The host page hears of each share; its own listener keeps the test from leaving the page.
    let heard = Rc::new(RefCell::new(Vec::<(String, String)>::new()));
    let sink = heard.clone();
    let on_share = Closure::<dyn Fn(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
        let detail = e.detail();
        let get = |k: &str| js_sys::Reflect::get(&detail, &k.into()).unwrap().as_string().unwrap();
        sink.borrow_mut().push((get("network"), get("url")));
    });
    let stop = Closure::<dyn Fn(web_sys::Event)>::new(|e: web_sys::Event| e.prevent_default());
    document().add_event_listener_with_callback("news-widget:share", on_share.as_ref().unchecked_ref()).unwrap();
    document().add_event_listener_with_callback("click", stop.as_ref().unchecked_ref()).unwrap();
    click(&root, ".nw-share-reddit");
    document().remove_event_listener_with_callback("click", stop.as_ref().unchecked_ref()).unwrap();
    let heard = heard.borrow();
    assert_eq!(heard.len(), 1);
    assert_eq!(heard[0].0, "reddit");
    assert!(heard[0].1.ends_with("utm_source=reddit&utm_medium=social&utm_campaign=une%20campagne"), "{}", heard[0].1);
}

/// A script's click is no user gesture, so the browser refuses both the Clipboard API and the
/// `execCommand` fallback: the widget says so, in the live region. (The end-to-end tests copy
/// with a real click, through both paths.)
#[wasm_bindgen_test]
async fn copy_link_says_when_the_browser_refuses() {
    let root = mount(r#"data-share-networks="copy""#).await;
    click(&root, ".nw-share-copy");
    let status = wait_for(&root, ".nw-share .nw-status:not(:empty)").await;
    assert_eq!(
        plain(&status.text_content().unwrap()),
        "Le lien n’a pas pu être copié ; sélectionnez-le dans la barre d’adresse."
    );
    assert_eq!(status.get_attribute("role").as_deref(), Some("status"));
}

#[wasm_bindgen_test]
async fn the_native_share_button_shows_only_where_the_browser_can_share() {
    let root = mount(r#"data-share-networks="copy""#).await;
    let navigator = web_sys::window().unwrap().navigator();
    let can_share = js_sys::Reflect::get(&navigator, &"canShare".into()).unwrap();
    let supported = can_share.is_function() && {
        let data = js_sys::Object::new();
        js_sys::Reflect::set(&data, &"url".into(), &"https://actualite.example/".into()).unwrap();
        can_share.unchecked_into::<js_sys::Function>().call1(&navigator, &data).unwrap().as_bool().unwrap_or(false)
    };
    // The button is always in the list (the server renders it too), hidden where unsupported.
    yew::scheduler::flush().await;
    sleep(50).await;
    assert!(find(&root, ".nw-share-native").is_some());
    assert_eq!(find(&root, ".nw-share-native-item:not(.nw-unavailable)").is_some(), supported);
}
