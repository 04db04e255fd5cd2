//! Configuration from data attributes: parts, theme, and bad values, in a real browser.

#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

fn mount(attributes: &str) -> Element {
    let page = container();
    page.set_inner_html(&format!(
        r#"<div data-news-widget data-api="{}" data-article="cooperation-chine-kazakhstan" lang="fr" {attributes}></div>"#,
        api()
    ));
    news_widget::mount_all();
    page.first_element_child().unwrap()
}

#[wasm_bindgen_test]
async fn without_the_article_part_the_share_bar_takes_the_title_from_the_page() {
    let head = document().head().unwrap();
    let meta = document().create_element("meta").unwrap();
    meta.set_attribute("property", "og:title").unwrap();
    meta.set_attribute("content", "Titre imprimé par le CMS & co").unwrap();
    head.append_child(&meta).unwrap();

    let root = mount(r#"data-parts="share, comments""#);
    wait_for(&root, ".nw-share-list").await;
    wait_for(&root, ".nw-comments h2").await;
    sleep(300).await;
    yew::scheduler::flush().await;
    assert!(root.query_selector(".nw-article, .nw-skeleton").unwrap().is_none(), "no article part");
    assert!(root.query_selector(".nw-rating").unwrap().is_none(), "no rating part");
    let href = root.query_selector(".nw-share-x").unwrap().unwrap().get_attribute("href").unwrap();
    assert!(href.contains("text=Titre%20imprim%C3%A9%20par%20le%20CMS%20%26%20co"), "{href}");
    meta.remove();
}

/// The widget's own stylesheet, as the page would link it.
fn load_widget_css() {
    if document().get_element_by_id("nw-test-css").is_none() {
        let style = document().create_element("style").unwrap();
        style.set_id("nw-test-css");
        style.set_text_content(Some(include_str!("../styles/widget.css")));
        document().head().unwrap().append_child(&style).unwrap();
    }
}

#[wasm_bindgen_test]
async fn the_dark_theme() {
    load_widget_css();
    let root = mount(r#"data-parts="rating" data-theme="dark""#);
    let widget = wait_for(&root, ".nw-widget[data-theme=dark]").await;
    wait_for(&root, ".nw-rating").await;
    let style = web_sys::window().unwrap().get_computed_style(&widget).unwrap().unwrap();
    assert_eq!(style.get_property_value("background-color").unwrap(), "rgb(23, 23, 26)");
    assert_eq!(style.get_property_value("color").unwrap(), "rgb(236, 233, 228)");
    let light = mount(r#"data-parts="rating""#);
    let widget = wait_for(&light, ".nw-widget[data-theme=light]").await;
    let style = web_sys::window().unwrap().get_computed_style(&widget).unwrap().unwrap();
    assert_eq!(style.get_property_value("background-color").unwrap(), "rgb(255, 255, 255)");
}

#[wasm_bindgen_test]
async fn bad_parts_and_themes_are_named_in_place() {
    for (attributes, attribute) in [
        (r#"data-parts="article, sidebar""#, "data-parts"),
        (r#"data-parts=" ""#, "data-parts"),
        (r#"data-theme="sepia""#, "data-theme"),
        (r#"data-share-style="big""#, "data-share-style"),
    ] {
        let root = mount(attributes);
        let shown = wait_for(&root, ".nw-config-error[role=alert]").await.text_content().unwrap();
        assert!(shown.contains(attribute), "{attributes}: {shown}");
        assert!(root.query_selector(".nw-widget:not(.nw-config-error)").unwrap().is_none());
        let _ = root.unchecked_ref::<Element>();
    }
}
