//! A backend we do not control: the widget, in its default shadow root, against a server of
//! another origin that answers poison (`xtask/src/hostile.rs`, started by `cargo xtask test`).

#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

fn hostile() -> &'static str {
    match option_env!("NEWS_WIDGET_TEST_HOSTILE") {
        Some(api) => api,
        None => panic!("run the browser tests through `cargo xtask test`, which starts the hostile server"),
    }
}

/// Whether a URL would run or embed something: what a browser reads, whitespace and controls
/// removed, case ignored.
fn unsafe_url(url: &str) -> bool {
    let url: String = url.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
    let url = url.to_ascii_lowercase();
    ["javascript:", "data:", "vbscript:"].iter().any(|scheme| url.starts_with(scheme))
}

/// No element of the widget's shadow root has an href, src or srcset candidate that is unsafe.
fn assert_no_unsafe_url(root: &Element) {
    assert!(root.shadow_root().is_some(), "the widget renders in its shadow root");
    let all = find_all(root, "*");
    assert!(all.len() > 5, "the widget's DOM is there");
    for el in all {
        for attr in ["href", "src", "srcset", "action", "formaction", "poster", "xlink:href"] {
            let Some(value) = el.get_attribute(attr) else { continue };
            for candidate in value.split(',') {
                assert!(!unsafe_url(candidate), "<{} {attr}=\"{value}\">", el.local_name());
            }
        }
    }
}

#[wasm_bindgen_test]
async fn a_hostile_backend_gets_what_is_safe_shown_what_is_not_refused_and_nothing_aborts() {
    // console.warn, recorded: each refused comment is logged with its reason.
    let console = js_sys::Reflect::get(&js_sys::global(), &"console".into()).unwrap();
    let original = js_sys::Reflect::get(&console, &"warn".into()).unwrap();
    let warned = js_sys::Array::new();
    let sink = warned.clone();
    let record = Closure::<dyn Fn(JsValue)>::new(move |message: JsValue| {
        sink.push(&message);
    });
    js_sys::Reflect::set(&console, &"warn".into(), record.as_ref()).unwrap();

    let page = container();
    let h = hostile();
    page.set_inner_html(&format!(
        r#"<div data-news-widget data-api="{h}" data-article="hostile" data-lang="en"></div>
           <div data-news-widget data-api="{h}" data-article="hostile-numbers" data-lang="fr"></div>
           <div data-news-widget data-api="{}" data-article="cooperation-chine-kazakhstan" data-parts="article"></div>"#,
        api()
    ));
    news_widget::mount_all();
    let widgets: Vec<Element> = (0..3).map(|i| page.children().item(i).unwrap()).collect();
    let (poisoned, numbers, good) = (&widgets[0], &widgets[1], &widgets[2]);
    let origin = h.trim_end_matches("/api/v1");

    // The article: what is safe shows; the poisoned lead image, canonical URL and score do not.
    assert_eq!(wait_for(poisoned, "h1.nw-title").await.text_content().unwrap(), "A hostile backend");
    assert_eq!(text(poisoned, ".nw-body p"), "Safe text.");
    assert!(find(poisoned, "figure").is_none(), "the lead image with a javascript: src is left out");
    assert!(find(poisoned, ".nw-editor-score").is_none(), "an editor score of 1e300 is left out");
    // Relative URLs of the body mean the backend's files (another origin), not the page's.
    let hrefs: Vec<String> = find_all(poisoned, ".nw-body a").iter().filter_map(|a| a.get_attribute("href")).collect();
    assert_eq!(hrefs, [format!("{origin}/relative/page"), "#notes".to_owned()], "only the safe links keep an href");
    let img = find(poisoned, ".nw-body img[alt=relative]").unwrap();
    assert_eq!(img.get_attribute("src"), Some(format!("{origin}/img/body.png")));
    assert_eq!(img.get_attribute("srcset"), Some(format!("{origin}/img/a.png 1x, {origin}/api/img/b.png 2x")));
    let odd = find(poisoned, ".nw-body img[alt=odd]").unwrap();
    assert_eq!(odd.get_attribute("src"), Some(format!("{origin}/img/odd.png")));
    assert!(odd.get_attribute("srcset").is_none(), "a srcset of `/a.png 1é` is dropped");
    assert!(find(poisoned, ".nw-body img[alt=js]").unwrap().get_attribute("srcset").is_none());
    assert!(find(poisoned, ".nw-body img[alt=d]").unwrap().get_attribute("src").is_none());

    // The comments: the nine malformed ones are refused, said in the reader's language, and logged.
    let refused = wait_for(poisoned, ".nw-refused").await;
    assert_eq!(refused.text_content().unwrap(), "9 comments could not be shown: the server sent them malformed.");
    assert_eq!(refused.get_attribute("role").as_deref(), Some("status"));
    for id in [1, 10, 11, 12, 13, 14, 15] {
        assert!(find(poisoned, &format!("#nw-c-{id}")).is_some(), "comment {id} shows");
    }
    assert_eq!(find_all(poisoned, "article.nw-comment").len(), 7, "and no other");
    assert_eq!(text(poisoned, "#nw-c-13"), "This comment was removed.", "the removed parent's placeholder");
    assert!(text(poisoned, "#nw-c-14").contains("My parent was removed."), "its reply shows");
    assert!(text(poisoned, "#nw-c-10").contains("My parent is missing."), "a reply to a missing parent shows");
    assert!(text(poisoned, "#nw-c-11").contains("I answer B."), "replies in a ring show");
    let link = find(poisoned, "#nw-c-15 .nw-comment-author a").unwrap();
    assert_eq!(link.get_attribute("href").as_deref(), Some("https://example.org/"));
    let logged: Vec<String> = warned.iter().filter_map(|m| m.as_string()).collect();
    let reasons = logged.iter().filter(|m| m.contains("a comment the server sent was left out")).count();
    assert_eq!(reasons, 9, "each refused comment is logged with its reason: {logged:?}");

    // The rating: recomputed from its histogram, whatever figures came with it.
    let rating = wait_for(poisoned, ".nw-user-rating").await;
    assert!(plain(&rating.text_content().unwrap()).contains("(2 votes)"), "{}", rating.text_content().unwrap());

    // Numbers no one can take: the parts say so, nothing aborts.
    assert_eq!(wait_for(numbers, "h1.nw-title").await.text_content().unwrap(), "Bad numbers");
    assert!(find(numbers, "figure").is_none(), "an image of -5 by 1e300 pixels is left out");
    wait_for(numbers, ".nw-comments .nw-error[role=alert]").await;
    wait_for(numbers, ".nw-rating .nw-error[role=alert]").await;

    // The page's other widget, on our server, still works: no panic took the wasm down.
    assert!(wait_for(good, "h1.nw-title").await.text_content().unwrap().starts_with("Coopération"));
    for widget in &widgets {
        assert_no_unsafe_url(widget);
    }
    js_sys::Reflect::set(&console, &"warn".into(), &original).unwrap();
    page.remove();
}
