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
    assert!(find(&root, ".nw-article, .nw-skeleton").is_none(), "no article part");
    assert!(find(&root, ".nw-rating").is_none(), "no rating part");
    let href = find(&root, ".nw-share-x").unwrap().get_attribute("href").unwrap();
    assert!(href.contains("text=Titre%20imprim%C3%A9%20par%20le%20CMS%20%26%20co"), "{href}");
    meta.remove();
}

#[wasm_bindgen_test]
async fn the_dark_theme() {
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
        (r#"data-comments-per-page="0""#, "data-comments-per-page"),
        (r#"data-comments-per-page="all""#, "data-comments-per-page"),
    ] {
        let root = mount(attributes);
        let shown = wait_for(&root, ".nw-config-error[role=alert]").await.text_content().unwrap();
        assert!(shown.contains(attribute), "{attributes}: {shown}");
        assert!(find(&root, ".nw-widget:not(.nw-config-error)").is_none());
        let _ = root.unchecked_ref::<Element>();
    }
}

#[wasm_bindgen_test]
async fn the_shadow_root_keeps_a_hostile_host_stylesheet_out() {
    let hostile = document().create_element("style").unwrap();
    // Everything a careless theme could aim at the widget: its host element and what it holds.
    hostile.set_text_content(Some(
        "[data-news-widget], [data-news-widget] *, .nw-widget, .nw-rating, p, button, svg, fieldset \
         { display: none !important; color: rgb(255, 0, 0) !important; }",
    ));
    document().head().unwrap().append_child(&hostile).unwrap();
    let root = mount(r#"data-parts="rating""#);
    let figures = wait_for(&root, ".nw-user-rating").await;
    assert!(root.shadow_root().is_some(), "shadow isolation is the default");
    let host_box = root.get_bounding_client_rect();
    assert!(
        host_box.height() > 50.0,
        "the widget is shown despite the page's display: none !important: {}",
        host_box.height()
    );
    let style = web_sys::window().unwrap().get_computed_style(&figures).unwrap().unwrap();
    assert_ne!(style.get_property_value("color").unwrap(), "rgb(255, 0, 0)", "the page's colours stay out");
    assert_ne!(style.get_property_value("display").unwrap(), "none");
    hostile.remove();
}
