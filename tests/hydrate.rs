//! Hydration of the server's markup, in a real browser and without a server: the widget is
//! rendered to HTML here (`LocalServerRenderer`, recording the browser's Intl as the server
//! records ICU4X), put into a shadow root as the loader does, then hydrated through the public
//! mount path. Nothing may change: the same HTML, the same nodes, no console error, and what the
//! reader typed before is still there.

#![cfg(target_arch = "wasm32")]

mod common;

use std::rc::Rc;
use std::sync::Arc;

use common::*;
use news_widget::app::Widget;
use news_widget::config::Config;
use news_widget::ssr;
use news_widget_api::LangTag;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

const API: &str = "https://news.example/api/v1";
const LANGS: [&str; 12] = ["fr", "en", "de", "es", "it", "pt", "nl", "pl", "ru", "ar", "zh", "ja"];

/// `html` without Yew's hydration markers (`<!--<[…]>-->`, `<!--</[…]>-->`, `<!--<#>-->`…),
/// which the hydration removes.
fn unmarked(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(at) = rest.find("<!--") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 4..];
        let end = after.find("-->").map_or(after.len(), |e| e + 3);
        let inner = &after[..end.saturating_sub(3)];
        if !(inner.starts_with('<') && inner.ends_with('>')) {
            out.push_str(&rest[at..at + 4 + end]);
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// `html` with the hidden `idempotency_key`'s value left out: the server's nonce is shared by
/// every reader of a cached fragment, so the wasm puts a key of its own there (on purpose, and
/// invisibly).
fn without_key(html: &str) -> String {
    let mark = "type=\"hidden\" name=\"idempotency_key\"";
    let mut out = String::new();
    let mut rest = html;
    while let Some(at) = rest.find(mark) {
        let head = &rest[..at];
        let cut = head.rfind("value=\"").unwrap_or(head.len());
        out.push_str(&head[..cut]);
        rest = &rest[at + mark.len()..];
        out.push_str(mark);
    }
    out.push_str(rest);
    out
}

/// Collects `console.error` calls until [`stop`] is called.
fn watch_console() -> js_sys::Array {
    let seen = js_sys::Array::new();
    let console = js_sys::Reflect::get(&js_sys::global(), &"console".into()).unwrap();
    let original = js_sys::Reflect::get(&console, &"error".into()).unwrap();
    js_sys::Reflect::set(&console, &"__nwError".into(), &original).unwrap();
    let sink = seen.clone();
    let catch = Closure::<dyn Fn(JsValue)>::new(move |v: JsValue| {
        sink.push(&v);
    });
    js_sys::Reflect::set(&console, &"error".into(), catch.as_ref()).unwrap();
    catch.forget();
    seen
}

fn stop_watching() {
    let console = js_sys::Reflect::get(&js_sys::global(), &"console".into()).unwrap();
    let original = js_sys::Reflect::get(&console, &"__nwError".into()).unwrap();
    js_sys::Reflect::set(&console, &"error".into(), &original).unwrap();
}

fn config(lang: &str) -> Config {
    let get = |name: &str| match name {
        "article" => Some("ssr-sample".to_owned()),
        "lang" => Some(lang.to_owned()),
        "api" => Some(API.to_owned()),
        _ => None,
    };
    Config::from_attrs(get, API.into(), || LangTag::parse("en").unwrap()).unwrap()
}

/// The fragment the server would write for `lang`, rendered here.
async fn server_fragment(lang: &str, prefix: &str) -> String {
    server_fragment_with(lang, prefix, |_| ()).await
}

/// The same, with the seed `change`d after the render (the server leaves things out of it).
async fn server_fragment_with(lang: &str, prefix: &str, change: impl FnOnce(&mut news_widget::seed::Seed)) -> String {
    // The server has every language's words built in; here they are registered as a seed would.
    words();
    let mut seed = ssr::sample_seed(lang, js_sys::Date::now());
    let (props, map) = ssr::server_props(
        config(lang),
        Rc::new(seed.clone()),
        Some("<p>Hello <em>world</em>.</p>"),
        Arc::new(news_widget::intl::Browser),
        prefix,
        None,
    );
    let html = yew::LocalServerRenderer::<Widget>::with_props(props).render().await;
    // Yew's local server renderer is not quite done when its future is: a client render started
    // in the same task can spin forever (seen in Chrome, with Intl calls in the render). The
    // server never shares a page with a client, so the test only waits.
    sleep(100).await;
    seed.intl = map.lock().unwrap().clone();
    change(&mut seed);
    ssr::fragment(&html, &config(lang).canonical_key(), prefix, &seed, None, None)
}

/// Where the widget's markup is: a shadow root, or the element itself (`isolation=none`).
enum Scope {
    Shadow(web_sys::ShadowRoot),
    Light(Element),
}

impl Scope {
    fn one(&self, selector: &str) -> Option<Element> {
        match self {
            Self::Shadow(root) => root.query_selector(selector).unwrap(),
            Self::Light(el) => el.query_selector(selector).unwrap(),
        }
    }

    fn all(&self, selector: &str) -> Vec<Element> {
        let list = match self {
            Self::Shadow(root) => root.query_selector_all(selector).unwrap(),
            Self::Light(el) => el.query_selector_all(selector).unwrap(),
        };
        (0..list.length()).map(|i| list.item(i).unwrap().dyn_into().unwrap()).collect()
    }
}

fn set_value(scope: &Scope, selector: &str, value: &str) {
    let el = scope.one(selector).unwrap_or_else(|| panic!("no {selector}"));
    match el.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        Some(area) => area.set_value(value),
        None => el.unchecked_ref::<web_sys::HtmlInputElement>().set_value(value),
    }
}

fn value(scope: &Scope, selector: &str) -> String {
    let el = scope.one(selector).unwrap();
    match el.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        Some(area) => area.value(),
        None => el.unchecked_ref::<web_sys::HtmlInputElement>().value(),
    }
}

/// How the page got the server's markup.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Embed {
    /// The loader: a shadow root made by script, then `innerHTML`.
    Loader,
    /// `data-isolation="none"`: the markup is the element's children.
    Inline,
}

/// Hydrates the server's markup for `lang` embedded as `embed`, and checks that nothing changed.
async fn hydrates_unchanged(lang: &str, prefix: &str, embed: Embed) {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage.clear().unwrap();
    // A declarative shadow root (`dsd_css`) is not tested here: Chrome's `parseHTMLUnsafe` and
    // `setHTMLUnsafe` drop the HTML comments Yew's hydration needs, which the page's own parser
    // keeps. The end-to-end tests cover it.
    let fragment = server_fragment(lang, prefix).await;

    let host = container();
    for (name, value) in
        [("data-news-widget", ""), ("data-article", "ssr-sample"), ("data-lang", lang), ("data-api", API)]
    {
        host.set_attribute(name, value).unwrap();
    }
    let scope = match embed {
        Embed::Loader => {
            let shadow = host.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open)).unwrap();
            shadow.set_inner_html(&fragment);
            Scope::Shadow(shadow)
        }
        Embed::Inline => {
            host.set_attribute("data-isolation", "none").unwrap();
            host.set_inner_html(&fragment);
            Scope::Light(host.clone())
        }
    };
    let root = scope.one("[data-nw-root]").expect("the fragment's root");
    let before = without_key(&unmarked(&root.inner_html()));
    let tagged = scope.all("*");
    for (n, el) in tagged.iter().enumerate() {
        js_sys::Reflect::set(el, &"__nw".into(), &JsValue::from(n as u32)).unwrap();
    }
    // The reader types before the wasm has come.
    set_value(&scope, ".nw-comments > form [name=body]", "Typed before hydration");
    set_value(&scope, ".nw-comments > form [name=name]", "Zoé");

    let errors = watch_console();
    let mounted = news_widget::mount_handle(host.clone());
    assert!(matches!(mounted, news_widget::Mounted::Widget(_)), "{lang} {embed:?}: mounted");
    for _ in 0..4 {
        yew::scheduler::flush().await;
        sleep(20).await;
    }
    stop_watching();

    assert_eq!(errors.length(), 0, "{lang} {embed:?}: console errors: {:?}", errors.to_vec());
    let after = without_key(&unmarked(&root.inner_html()));
    if before != after {
        let at = before.chars().zip(after.chars()).take_while(|(a, b)| a == b).count();
        let from = at.saturating_sub(200);
        panic!(
            "{lang} {embed:?}: the HTML changed at {at}:\nbefore …{}\nafter  …{}",
            before.chars().skip(from).take(400).collect::<String>(),
            after.chars().skip(from).take(400).collect::<String>()
        );
    }
    let now = scope.all("*");
    assert_eq!(now.len(), tagged.len(), "{lang} {embed:?}: as many elements");
    for (n, el) in now.iter().enumerate() {
        let mark = js_sys::Reflect::get(el, &"__nw".into()).unwrap();
        assert_eq!(mark.as_f64(), Some(n as f64), "{lang} {embed:?}: element {n} ({}) was replaced", el.tag_name());
    }
    assert!(tagged.iter().all(|el| el.is_connected()), "{lang} {embed:?}: every server node is still in the page");
    assert_eq!(value(&scope, ".nw-comments > form [name=body]"), "Typed before hydration", "{lang} {embed:?}");
    assert_eq!(value(&scope, ".nw-comments > form [name=name]"), "Zoé", "{lang} {embed:?}");
    assert!(host.has_attribute("data-news-widget-mounted"), "{lang} {embed:?}");
    // The wasm is in charge: the draft is kept on this device.
    let draft = storage.get_item("news-widget:draft:ssr-sample").unwrap().unwrap_or_default();
    assert!(draft.contains("Typed before hydration"), "{lang} {embed:?}: the draft is saved: {draft}");
    storage.clear().unwrap();
    if let news_widget::Mounted::Widget(app) = mounted {
        app.destroy();
    }
    host.remove();
}

#[wasm_bindgen_test]
async fn the_server_markup_hydrates_unchanged_in_every_language() {
    for (i, lang) in LANGS.iter().enumerate() {
        hydrates_unchanged(lang, &format!("nwh{i}"), Embed::Loader).await;
    }
}

#[wasm_bindgen_test]
async fn an_inline_fragment_hydrates_unchanged_too() {
    hydrates_unchanged("ar", "nwi", Embed::Inline).await;
}

#[wasm_bindgen_test]
async fn markup_of_another_configuration_is_rendered_anew() {
    let fragment = server_fragment("fr", "nwk").await;
    let host = container();
    // The server rendered French; this element asks for German: not hydrated, rendered anew.
    for (name, value) in
        [("data-news-widget", ""), ("data-article", "ssr-sample"), ("data-lang", "de"), ("data-api", API)]
    {
        host.set_attribute(name, value).unwrap();
    }
    let shadow = host.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open)).unwrap();
    shadow.set_inner_html(&fragment);
    let mounted = news_widget::mount_handle(host.clone());
    yew::scheduler::flush().await;
    assert!(matches!(mounted, news_widget::Mounted::Widget(_)));
    assert!(shadow.query_selector("[data-nw-root]").unwrap().is_none(), "the stale markup is gone");
    assert!(shadow.query_selector(".nw-widget[lang=de]").unwrap().is_some(), "rendered anew, in German");
}

/// A deploy: the server's markup comes from another build of the widget than the wasm that
/// mounts it. It is rendered anew, but from the seed's data and the markup's body: the article,
/// the rating and the comments are there in the first render, with nothing fetched (this API's
/// host does not exist) and nothing said in the console but the warning.
#[wasm_bindgen_test]
async fn markup_of_another_build_is_rendered_anew_from_its_data_at_once() {
    // As the server sends it: the body is in the markup only.
    let fragment = server_fragment_with("fr", "nwo", |seed| {
        if let Some(article) = seed.article.as_mut() {
            article.body_html.clear();
        }
    })
    .await;
    let mark = "data-nw-build=\"";
    let at = fragment.find(mark).expect("the fragment names its build") + mark.len();
    let end = at + fragment[at..].find('"').unwrap();
    let fragment = format!("{}0.0.0-another-build{}", &fragment[..at], &fragment[end..]);
    let host = container();
    for (name, value) in
        [("data-news-widget", ""), ("data-article", "ssr-sample"), ("data-lang", "fr"), ("data-api", API)]
    {
        host.set_attribute(name, value).unwrap();
    }
    let shadow = host.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open)).unwrap();
    shadow.set_inner_html(&fragment);
    let scope = Scope::Shadow(shadow.clone());
    let comments_before = scope.all(".nw-comment").len();
    assert!(comments_before > 0, "the server's markup has comments");

    let errors = watch_console();
    let mounted = news_widget::mount_handle(host.clone());
    // The first render, before any effect could have fetched anything.
    yew::scheduler::flush().await;
    assert!(matches!(mounted, news_widget::Mounted::Widget(_)));
    assert!(
        scope.one("[data-nw-root][data-nw-build='0.0.0-another-build']").is_none(),
        "the other build's markup is gone"
    );
    let text = |selector: &str| scope.one(selector).and_then(|e| e.text_content()).unwrap_or_default();
    assert_eq!(text(".nw-title"), "Sample title & <friends>", "the article is there at once");
    assert_eq!(text(".nw-body").trim(), "Hello world.", "its body, from the markup, sanitized again");
    assert_eq!(
        scope.one(".nw-body em").and_then(|e| e.text_content()).as_deref(),
        Some("world"),
        "the body keeps its markup"
    );
    assert_eq!(scope.all(".nw-comment").len(), comments_before, "the same comments, not loaded again");
    assert!(scope.one(".nw-rating").is_some(), "the rating");
    assert!(scope.one(".nw-loading, [aria-busy=true]").is_none(), "nothing is loading");
    // Still so a moment later: nothing went to the (unreachable) API and failed.
    for _ in 0..4 {
        yew::scheduler::flush().await;
        sleep(50).await;
    }
    stop_watching();
    assert_eq!(text(".nw-title"), "Sample title & <friends>");
    assert_eq!(scope.all(".nw-comment").len(), comments_before);
    assert_eq!(errors.length(), 0, "console errors: {:?}", errors.to_vec());
    if let news_widget::Mounted::Widget(app) = mounted {
        app.destroy();
    }
    host.remove();
}
