//! `NewsWidget.mount(element, config)` and its handle, as a host page's script would use them.

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

/// Calls `window.NewsWidget.mount(element, config)` through JavaScript's own objects.
fn js_mount(element: &web_sys::Element, config: &[(&str, &str)]) -> Result<JsValue, JsValue> {
    news_widget::install_js_api();
    let api = get(&web_sys::window().unwrap(), "NewsWidget");
    let mount: js_sys::Function = get(&api, "mount").dyn_into().unwrap();
    let object = js_sys::Object::new();
    for (key, value) in config {
        js_sys::Reflect::set(&object, &(*key).into(), &(*value).into()).unwrap();
    }
    mount.call2(&api, element, &object)
}

#[wasm_bindgen_test]
async fn mount_unmount_and_mount_again() {
    let element = container();
    let handle = js_mount(
        &element,
        &[("api", api()), ("article", "cooperation-chine-kazakhstan"), ("lang", "en"), ("parts", "rating")],
    )
    .unwrap();
    assert!(get(&handle, "error").is_null());
    wait_for(&element, ".nw-user-rating").await;
    assert_eq!(element.get_attribute("data-parts").as_deref(), Some("rating"), "config keys are the data attributes");

    let again = js_mount(&element, &[]);
    assert!(again
        .unwrap_err()
        .unchecked_into::<js_sys::Error>()
        .message()
        .as_string()
        .unwrap()
        .contains("already holds a widget"));

    let unmount: js_sys::Function = get(&handle, "unmount").dyn_into().unwrap();
    unmount.call0(&handle).unwrap();
    yew::scheduler::flush().await;
    assert!(find(&element, "*").is_none(), "nothing left in the element");
    assert!(!element.has_attribute("data-news-widget-mounted"));
    unmount.call0(&handle).unwrap(); // a second unmount does nothing

    let remounted = js_mount(&element, &[("shareNetworks", "copy"), ("parts", "share, rating")]).unwrap();
    wait_for(&element, ".nw-share-copy").await;
    assert_eq!(element.get_attribute("data-share-networks").as_deref(), Some("copy"));
    let unmount: js_sys::Function = get(&remounted, "unmount").dyn_into().unwrap();
    unmount.call0(&remounted).unwrap();
}

#[wasm_bindgen_test]
async fn two_widgets_on_one_page_are_independent_and_bad_config_is_named() {
    let (french, english) = (container(), container());
    js_mount(
        &french,
        &[("api", api()), ("article", "cooperation-chine-kazakhstan"), ("lang", "fr"), ("parts", "rating")],
    )
    .unwrap();
    js_mount(
        &english,
        &[("api", api()), ("article", "cooperation-chine-kazakhstan"), ("lang", "en"), ("parts", "rating")],
    )
    .unwrap();
    assert!(plain(&wait_for(&french, ".nw-user-rating").await.text_content().unwrap()).starts_with("Note des lecteurs"));
    assert!(wait_for(&english, ".nw-user-rating").await.text_content().unwrap().starts_with("User rating"));

    let bad = container();
    let handle = js_mount(&bad, &[("api", api()), ("article", "Pas Un Slug")]).unwrap();
    let error = get(&handle, "error").as_string().unwrap();
    assert!(error.starts_with("data-article:"), "{error}");
    assert!(wait_for(&bad, ".nw-config-error").await.text_content().unwrap().contains("data-article"));
}
