//! The article part in a real browser, against the real server.

#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use news_widget::app::{Widget, WidgetProps};
use news_widget::config::Config;
use news_widget_api::{LangTag, Slug};
use serde_json::json;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const DEMO: &str = "cooperation-chine-kazakhstan";

fn render(root: &web_sys::Element, slug: &str, lang: &str) {
    let config = Config {
        api: api().to_owned(),
        article: Slug::parse(slug).unwrap(),
        lang: LangTag::parse(lang).unwrap(),
        share: Default::default(),
        parts: Default::default(),
        theme: Default::default(),
        backend: Default::default(),
        isolation: Default::default(),
        comments_per_page: Default::default(),
    };
    yew::Renderer::<Widget>::with_root_and_props(root.clone(), WidgetProps::new(config)).render();
}

#[wasm_bindgen_test]
async fn renders_the_demo_article_from_the_server_in_french() {
    let root = container();
    render(&root, DEMO, "fr");
    yew::scheduler::flush().await;
    // Before the answer: the skeleton, busy, with a status for screen readers.
    let skeleton = find(&root, ".nw-skeleton").expect("a skeleton while loading");
    assert_eq!(skeleton.get_attribute("aria-busy").as_deref(), Some("true"));
    assert_eq!(text(&root, "[role=status]"), "Chargement de l’article…");

    wait_for(&root, "article.nw-article").await;
    assert!(find(&root, ".nw-skeleton").is_none());
    assert_eq!(
        text(&root, "h1.nw-title"),
        "Coopération: une nouvelle impulsion au partenariat permanent Chine-Kazakhstan"
    );
    assert_eq!(find(&root, "article").unwrap().get_attribute("lang").as_deref(), Some("fr"));
    assert_eq!(text(&root, "figcaption .nw-caption"), "photo illustrative");
    assert_eq!(text(&root, "figcaption .nw-credit"), "Photo : Xinhua News Agency");
    assert_eq!(text(&root, ".nw-meta time"), "5 juillet 2024");
    assert_eq!(text(&root, ".nw-reading-time"), "Lecture : 4 min");
    assert_eq!(text(&root, ".nw-author"), "Par La rédaction");

    let img = find(&root, "figure img").unwrap();
    assert_eq!(img.get_attribute("width").as_deref(), Some("1200"));
    assert_eq!(img.get_attribute("height").as_deref(), Some("675"));
    assert_eq!(img.get_attribute("loading").as_deref(), Some("eager"));
    let src = img.get_attribute("src").unwrap();
    assert!(src.starts_with("http") && src.ends_with("/media/chine-kazakhstan.svg"), "resolved against the API: {src}");

    assert_eq!(root.query_selector_all(".nw-body > p").unwrap().length(), 9);
    let ld: serde_json::Value = serde_json::from_str(&text(&root, "script[type='application/ld+json']")).unwrap();
    assert_eq!(ld["@type"], "NewsArticle");
    assert_eq!(ld["headline"], "Coopération: une nouvelle impulsion au partenariat permanent Chine-Kazakhstan");
    assert_eq!(ld["datePublished"], "2024-07-05T08:30:00+02:00");
    assert_eq!(ld["dateModified"], "2024-07-05T11:15:00+02:00");
    assert_eq!(ld["author"][0]["name"], "La rédaction");
    assert_eq!(ld["image"][0], src.as_str());
    assert!(!ld.to_string().contains("AggregateRating"));
}

#[wasm_bindgen_test]
async fn english_ui_formats_dates_for_english() {
    let root = container();
    render(&root, DEMO, "en-US");
    wait_for(&root, "article.nw-article").await;
    assert_eq!(text(&root, ".nw-meta time"), "July 5, 2024");
    assert_eq!(text(&root, ".nw-reading-time"), "4 min read");
    assert_eq!(text(&root, "figcaption .nw-credit"), "Photo: Xinhua News Agency");
}

#[wasm_bindgen_test]
async fn a_failed_load_says_what_failed_and_retry_loads_it() {
    let slug = unique_slug("retry");
    let root = container();
    render(&root, &slug, "fr");
    let alert = wait_for(&root, ".nw-article-error[role=alert]").await;
    let said = alert.text_content().unwrap();
    assert!(said.contains("L’article n’a pas pu être chargé."), "{said}");
    assert!(said.contains("Cet article n’existe pas"), "{said}");
    assert!(said.contains("404"), "the detail names the status: {said}");

    // The article now exists on the server; Retry fetches it again.
    put_article(
        &slug,
        &json!({"lang": "fr", "title": "Revenu", "body_html": "<p>Là.</p>", "published_at": "2026-11-27T10:00:00Z"}),
    )
    .await;
    click(&root, ".nw-article-error button");
    yew::scheduler::flush().await;
    assert!(find(&root, ".nw-skeleton").is_some(), "loading again");
    wait_for(&root, "h1.nw-title").await;
    assert_eq!(text(&root, "h1.nw-title"), "Revenu");
    assert_eq!(text(&root, ".nw-body"), "Là.");
    assert!(find(&root, ".nw-error[role=alert]").is_none(), "no error left: the rating retried too");
}

#[wasm_bindgen_test]
async fn an_unreachable_server_is_a_network_error_with_retry() {
    let root = container();
    let config = Config {
        api: "http://127.0.0.1:9/api/v1".into(),
        article: Slug::parse(DEMO).unwrap(),
        lang: LangTag::parse("en").unwrap(),
        share: Default::default(),
        parts: Default::default(),
        theme: Default::default(),
        backend: Default::default(),
        isolation: Default::default(),
        comments_per_page: Default::default(),
    };
    yew::Renderer::<Widget>::with_root_and_props(root.clone(), WidgetProps::new(config)).render();
    let alert = wait_for(&root, ".nw-article-error[role=alert]").await;
    assert!(alert.text_content().unwrap().contains("The server could not be reached"));
    assert_eq!(text(&root, ".nw-article-error button"), "Try again");
}

#[wasm_bindgen_test]
async fn mounts_every_marked_element_and_reports_bad_attributes_in_place_and_in_the_console() {
    // Record console.error while mounting.
    let logged = std::rc::Rc::new(std::cell::RefCell::new(Vec::<String>::new()));
    let console = js_sys::Reflect::get(&js_sys::global(), &"console".into()).unwrap();
    let original = js_sys::Reflect::get(&console, &"error".into()).unwrap();
    let sink = logged.clone();
    let hook =
        Closure::<dyn Fn(JsValue)>::new(move |v: JsValue| sink.borrow_mut().push(v.as_string().unwrap_or_default()));
    js_sys::Reflect::set(&console, &"error".into(), hook.as_ref()).unwrap();

    let page = container();
    page.set_inner_html(&format!(
        r#"<section lang="fr"><div id="good" data-news-widget data-api="{api}" data-article="{DEMO}"></div></section>
           <div id="bad-slug" data-news-widget data-api="{api}" data-article="Pas Un Slug" lang="fr"></div>
           <div id="no-slug" data-news-widget data-api="{api}"></div>
           <div id="bad-api" data-news-widget data-api="javascript:alert(1)" data-article="{DEMO}"></div>
           <div id="bad-lang" data-news-widget data-api="{api}" data-article="{DEMO}" data-lang="français"></div>"#,
        api = api()
    ));
    let mounted = news_widget::mount_all();
    js_sys::Reflect::set(&console, &"error".into(), &original).unwrap();
    assert_eq!(mounted, 1, "one good widget of five");
    assert_eq!(news_widget::mount_all(), 0, "mounting twice mounts nothing new");

    let good = find(&page, "#good").unwrap();
    wait_for(&good, "h1.nw-title").await;
    assert_eq!(find(&good, ".nw-widget").unwrap().get_attribute("lang").as_deref(), Some("fr"));

    for (id, attribute) in
        [("bad-slug", "data-article"), ("no-slug", "data-article"), ("bad-api", "data-api"), ("bad-lang", "data-lang")]
    {
        let el = find(&page, &format!("#{id}")).unwrap();
        let shown = wait_for(&el, ".nw-config-error[role=alert]").await.text_content().unwrap();
        assert!(shown.contains(attribute), "{id}: {shown}");
        assert!(
            logged.borrow().iter().any(|l| l.contains(attribute)),
            "{id} not in the console: {:?}",
            logged.borrow()
        );
    }
    let bad_slug = text(&page, "#bad-slug .nw-config-error");
    assert!(bad_slug.contains("news-widget est mal configuré"), "in the page's language: {bad_slug}");
}
