//! Theming in the default shadow isolation: a host's `--nw-*` reach inside the shadow root.

#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

fn computed(el: &Element, property: &str) -> String {
    let style = web_sys::window().unwrap().get_computed_style(el).unwrap().unwrap();
    style.get_property_value(property).unwrap()
}

async fn mount(theme: &str, style: &str) -> Element {
    let slug = unique_slug("theme");
    put_article(
        &slug,
        &serde_json::json!({"lang": "en", "title": "T", "body_html": "<p><a href=\"https://example.org/\">a link</a></p>",
            "published_at": "2026-11-27T10:00:00Z"}),
    )
    .await;
    let page = container();
    page.set_inner_html(&format!(
        r#"<div data-news-widget data-api="{}" data-article="{slug}" data-theme="{theme}" style="{style}"></div>"#,
        api()
    ));
    news_widget::mount_all();
    let root = page.first_element_child().unwrap();
    wait_for(&root, ".nw-body a").await;
    wait_for(&root, ".nw-sort select").await;
    root
}

#[wasm_bindgen_test]
async fn a_host_s_custom_properties_win_inside_the_shadow_root() {
    let root = mount("light", "--nw-accent: rgb(1, 2, 3); --nw-text: rgb(4, 5, 6)").await;
    assert!(root.shadow_root().is_some(), "shadow isolation, the default");
    assert_eq!(computed(&find(&root, ".nw-body a").unwrap(), "color"), "rgb(1, 2, 3)");
    assert_eq!(computed(&find(&root, "h1.nw-title").unwrap(), "color"), "rgb(4, 5, 6)");
    assert_eq!(computed(&find(&root, ".nw-widget").unwrap(), "padding-left"), "0px", "light paints no box of its own");

    // Dark: the host's accent still wins; what the host leaves unset is the dark default.
    let dark = mount("dark", "--nw-accent: rgb(7, 8, 9)").await;
    assert_eq!(computed(&find(&dark, ".nw-body a").unwrap(), "color"), "rgb(7, 8, 9)");
    let widget = find(&dark, ".nw-widget").unwrap();
    assert_eq!(computed(&widget, "color"), "rgb(236, 233, 228)");
    assert_eq!(computed(&widget, "padding-left"), "16px", "its own dark box keeps the text off its edge");
    // The sort <select> in dark: the theme's text on the theme's background, not the browser's field.
    let select = find(&dark, ".nw-sort select").unwrap();
    assert_eq!(computed(&select, "color"), "rgb(236, 233, 228)");
    assert_eq!(computed(&select, "background-color"), "rgb(23, 23, 26)");
}
