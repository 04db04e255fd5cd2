//! news-widget: a news article widget in Rust/WebAssembly.
//!
//! Every element with `data-news-widget` becomes one independent widget; see the README for
//! its attributes. One module per part (article, …) over one backend seam ([`backend`]).

pub mod app;
pub mod article;
pub mod assets;
pub mod backend;
pub mod comments;
pub mod config;
pub mod i18n;
pub mod intl;
pub mod json;
pub mod live;
pub mod rating;
pub mod reader;
pub mod sanitize;
pub mod seed;
pub mod share;
pub mod ssr;
#[cfg(test)]
mod theme_tests;

use news_widget_api::LangTag;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Element;
use yew::AppHandle;

use crate::app::{ConfigErrorProps, ConfigErrorView, Widget, WidgetProps};
use crate::config::{Config, ConfigError, Isolation};
use crate::i18n::Lang;
use crate::intl::Intl;

/// This build's id: the crate's version and a hash of its sources (`build.rs`). A server and a
/// wasm built from the same sources have the same one; the wasm hydrates only such markup.
pub const BUILD: &str = env!("NEWS_WIDGET_BUILD");

thread_local! {
    static NEXT_ID: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// A number no other call on this page got: for element ids of several widgets on one page.
pub fn next_id() -> u32 {
    NEXT_ID.with(|n| {
        n.set(n.get() + 1);
        n.get()
    })
}

/// The attribute that marks a widget's element.
pub const MARKER: &str = "data-news-widget";
const MOUNTED: &str = "data-news-widget-mounted";

/// Mounts a widget on every `[data-news-widget]` of the page not mounted yet; answers how many.
pub fn mount_all() -> usize {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return 0 };
    let Ok(found) = document.query_selector_all(&format!("[{MARKER}]:not([{MOUNTED}])")) else { return 0 };
    (0..found.length())
        .filter_map(|i| found.item(i)?.dyn_into::<Element>().ok())
        .map(mount)
        .filter(Result::is_ok)
        .count()
}

/// [`mount_all`] in a task of its own: the task that compiled and started the wasm ends first,
/// so that neither runs long.
pub fn mount_all_soon() {
    wasm_bindgen_futures::spawn_local(async {
        next_task().await;
        mount_all();
    });
}

/// Resolves in a new task, at once: a MessageChannel message, which browsers do not delay the
/// way they clamp a chain of `setTimeout(0)` to 4 ms a step.
pub async fn next_task() {
    let promise = js_sys::Promise::new(&mut |resolve, _| match web_sys::MessageChannel::new() {
        Ok(channel) => {
            channel.port1().set_onmessage(Some(&resolve));
            let _ = channel.port2().post_message(&wasm_bindgen::JsValue::NULL);
        }
        Err(_) => {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// A mounted widget, or the configuration error shown in its place.
pub enum Mounted {
    Widget(AppHandle<Widget>),
    Error(AppHandle<ConfigErrorView>, ConfigError),
}

impl Mounted {
    /// Removes the widget (or its error) from the page; its element can be mounted again.
    pub fn unmount(self, element: &Element) {
        match self {
            Self::Widget(app) => app.destroy(),
            Self::Error(app, _) => app.destroy(),
        }
        let _ = element.remove_attribute(MOUNTED);
        element.set_inner_html("");
        if let Some(shadow) = element.shadow_root() {
            shadow.set_inner_html("");
        }
    }
}

/// Mounts one widget on `element`. A bad configuration is shown in place and in the console.
pub fn mount(element: Element) -> Result<(), ConfigError> {
    match mount_handle(element) {
        Mounted::Widget(_) => Ok(()),
        Mounted::Error(_, error) => Err(error),
    }
}

thread_local! {
    /// The widget's one stylesheet, shared by every widget of the page: a constructable
    /// stylesheet (so a strict CSP without inline styles holds), adopted by each shadow root
    /// (or, with `data-isolation="none"`, by the document).
    static SHEET: std::cell::OnceCell<Option<web_sys::CssStyleSheet>> = const { std::cell::OnceCell::new() };
    /// Whether [`provide_css`] gave the sheet its text.
    static PROVIDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Until `widget.css` arrives the sheet hides the widgets, so that none shows unstyled.
const HIDDEN_UNTIL_STYLED: &str = ":host, [data-news-widget] { visibility: hidden }";

/// The page's sheet, made on first use. Unless [`provide_css`] filled it first, it fetches
/// `widget.css` beside the script (not built into the wasm: the loader and the server's HTML
/// link the same file, and the browser caches it once), hiding the widgets meanwhile; if that
/// fails, the widgets show unstyled and the console says why.
fn sheet() -> Option<web_sys::CssStyleSheet> {
    SHEET.with(|cell| {
        cell.get_or_init(|| {
            let sheet = web_sys::CssStyleSheet::new().ok()?;
            sheet.replace_sync(HIDDEN_UNTIL_STYLED).ok()?;
            let filling = sheet.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let css = assets::text("widget.css").await.unwrap_or_else(|e| {
                    web_sys::console::error_1(&format!("news-widget: no stylesheet ({e})").into());
                    String::new()
                });
                // A sheet `provide_css` filled meanwhile is kept.
                if !PROVIDED.get() {
                    let _ = filling.replace_sync(&css);
                }
            });
            Some(sheet)
        })
        .clone()
    })
}

/// Gives the widget its stylesheet's text, so that it fetches no `widget.css` (the browser
/// tests, whose runner serves no such file; a page that inlines it).
#[wasm_bindgen(js_name = provideCss)]
pub fn provide_css(css: &str) {
    PROVIDED.set(true);
    SHEET.with(|cell| {
        let sheet = cell.get_or_init(|| web_sys::CssStyleSheet::new().ok());
        if let Some(sheet) = sheet {
            let _ = sheet.replace_sync(css);
        }
    });
}

/// Adds the widget's stylesheet to `target`'s `adoptedStyleSheets` (a shadow root or the document).
fn adopt_css(target: &JsValue) {
    let Some(sheet) = sheet() else { return };
    let adopted = js_sys::Reflect::get(target, &"adoptedStyleSheets".into()).unwrap_or(JsValue::UNDEFINED);
    let list = js_sys::Array::from(&adopted);
    if !list.includes(&sheet, 0) {
        list.push(&sheet);
        let _ = js_sys::Reflect::set(target, &"adoptedStyleSheets".into(), &list);
    }
}

/// Where a widget renders: a `<div>` in the element's shadow root, or the element itself.
fn render_root(element: &Element, isolation: Isolation) -> Element {
    let document = element.owner_document();
    if isolation == Isolation::Shadow {
        let shadow = element
            .shadow_root()
            .or_else(|| element.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open)).ok());
        if let (Some(shadow), Some(holder)) = (shadow, document.as_ref().and_then(|d| d.create_element("div").ok())) {
            adopt_css(&shadow);
            shadow.set_inner_html("");
            if shadow.append_child(&holder).is_ok() {
                return holder;
            }
        }
    }
    if let Some(document) = document {
        adopt_css(&document);
    }
    element.clone()
}

/// The server's markup for `element`: its `[data-nw-root]` and the `[data-nw-seed]` next to it,
/// in the shadow root (declarative or the loader's) or, with `isolation=none`, among its children.
fn server_markup(element: &Element, isolation: Isolation) -> Option<(Element, Option<Element>)> {
    let root = find_beside(element, isolation, "[data-nw-root]")?;
    Some((root, find_beside(element, isolation, "script[data-nw-seed]")))
}

/// A part of the server's markup for `element`: in its shadow root, or among its children.
fn find_beside(element: &Element, isolation: Isolation, selector: &str) -> Option<Element> {
    match (element.shadow_root(), isolation) {
        (Some(shadow), _) => shadow.query_selector(selector).ok().flatten(),
        (None, Isolation::None) => element.query_selector(&format!(":scope > {selector}")).ok().flatten(),
        (None, Isolation::Shadow) => None,
    }
}

/// What the reader typed into the server's form before the wasm came, read in the same task
/// as the hydration, so the first render carries it and nothing typed is lost.
fn typed_in(root: &Element) -> seed::Typed {
    let value = |name: &str| -> String {
        let Ok(Some(el)) = root.query_selector(&format!(".nw-comments > form.nw-comment-form [name={name}]")) else {
            return String::new();
        };
        if let Some(area) = el.dyn_ref::<web_sys::HtmlTextAreaElement>() {
            return area.value();
        }
        el.dyn_ref::<web_sys::HtmlInputElement>().map(|i| i.value()).unwrap_or_default()
    };
    let stars = root
        .query_selector(".nw-rate input:checked")
        .ok()
        .flatten()
        .and_then(|el| el.dyn_into::<web_sys::HtmlInputElement>().ok())
        .and_then(|i| i.value().parse().ok());
    seed::Typed { body: value("body"), name: value("name"), email: value("email"), website: value("website"), stars }
}

/// What a widget whose server markup is not hydrated starts from: what the reader typed into it,
/// and the server's data when only the build differs (a deploy of the server or of the widget
/// not yet matched by the other), so that the new render shows the same content at once instead of
/// loading it again, and nothing on the page moves.
struct Anew {
    typed: seed::Typed,
    seed: Option<Box<seed::Seed>>,
}

/// Hydrates the server's markup of `element` if it is there and was rendered for this build and
/// this configuration; otherwise says why (unless there is none) and answers what a new render
/// starts from (`None` when there was no markup).
fn hydrate(element: &Element, config: &Config) -> Result<AppHandle<Widget>, Option<Anew>> {
    let (root, script) = server_markup(element, config.isolation).ok_or(None)?;
    // What the reader typed into the server's form, read before anything else: hydrated or not,
    // the widget's first render carries it.
    let typed = typed_in(&root);
    // The words of the language came with it (unless it is English): hydrated or rendered anew,
    // the widget has them without a fetch.
    if let Some(words) = find_beside(element, config.isolation, "script[data-nw-words]") {
        if let Err(e) = i18n::register(&config.lang.primary(), &words.text_content().unwrap_or_default()) {
            web_sys::console::warn_1(&format!("news-widget: the server's words do not parse ({e})").into());
        }
    }
    let read = || {
        seed::read(&script.as_ref().and_then(|s| s.text_content()).unwrap_or_default())
            .map_err(|e| format!("its seed does not parse: {e}"))
    };
    let key_matches = root.get_attribute("data-nw-key").as_deref() == Some(config.canonical_key().as_str());
    let seed = match (&script, root.get_attribute("data-nw-build")) {
        (None, _) => Err(("no [data-nw-seed] next to it".to_owned(), None)),
        _ if !key_matches => Err((
            format!(
                "it was rendered for {} and this element asks for {}",
                root.get_attribute("data-nw-key").unwrap_or_default(),
                config.canonical_key()
            ),
            None,
        )),
        // Rendered by another build for this same element: its markup may differ from this
        // build's, but its data is this element's.
        (_, build) if build.as_deref() != Some(BUILD) => Err((
            format!("it was rendered by build {} and this is {BUILD}", build.unwrap_or_default()),
            read().ok().map(|mut seed| {
                // The seed leaves the body out (it is in the markup): the new render sanitizes the
                // markup's body again, as it would a fetched one.
                if let Some(article) = seed.article.as_mut().filter(|a| a.body_html.is_empty()) {
                    article.body_html =
                        root.query_selector(".nw-body").ok().flatten().map(|b| b.inner_html()).unwrap_or_default();
                }
                seed
            }),
        )),
        _ => read().map_err(|why| (why, None)),
    };
    let seed = match seed {
        Ok(seed) => seed,
        Err((why, seed)) => {
            let with = if seed.is_some() { "rendering anew from its data" } else { "rendering anew" };
            web_sys::console::warn_1(
                &format!("news-widget: the server's markup is not hydrated ({why}); {with}").into(),
            );
            root.remove();
            if let Some(script) = script {
                script.remove();
            }
            return Err(Some(Anew { typed, seed: seed.map(Box::new) }));
        }
    };
    let styled = element.has_attribute("data-nw-css")
        || element.shadow_root().is_some_and(|s| s.query_selector("link[rel=stylesheet]").ok().flatten().is_some());
    if !styled {
        match element.shadow_root() {
            Some(shadow) => adopt_css(&shadow),
            None => {
                if let Some(document) = element.owner_document() {
                    adopt_css(&document);
                }
            }
        }
    }
    let intl = Intl::recorded(seed.intl.clone());
    let props = WidgetProps {
        config: config.clone(),
        id_prefix: root.get_attribute("data-nw-id").unwrap_or_else(|| "nw".into()).into(),
        seed: Some(std::rc::Rc::new(seed)),
        page: Some(app::page_info()),
        typed: Some(std::rc::Rc::new(typed)),
        body_html: None,
        intl: Some(intl),
    };
    let app = yew::Renderer::<Widget>::with_root_and_props(root.clone(), props).hydrate();
    focus_hash(root);
    Ok(app)
}

/// After hydration: a `#nw-c-{id}` in the address (the no-wasm form's answer) focuses that
/// comment, which a URL fragment cannot reach inside a shadow root.
fn focus_hash(root: Element) {
    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    let Some(id) = hash.strip_prefix("#nw-c-").filter(|id| id.bytes().all(|b| b.is_ascii_digit()) && !id.is_empty())
    else {
        return;
    };
    let selector = format!("#nw-c-{id}");
    wasm_bindgen_futures::spawn_local(async move {
        next_task().await;
        if let Some(el) =
            root.query_selector(&selector).ok().flatten().and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    });
}

/// Mounts one widget on `element`, answering the handle that unmounts it: it hydrates the
/// server's markup when that was rendered for this build and configuration, else renders anew.
pub fn mount_handle(element: Element) -> Mounted {
    let _ = element.set_attribute(MOUNTED, "");
    match Config::from_element(&element) {
        Ok(config) => {
            let anew = match hydrate(&element, &config) {
                Ok(app) => return Mounted::Widget(app),
                Err(anew) => anew,
            };
            let root = render_root(&element, config.isolation);
            let mut props = WidgetProps::new(config);
            if let Some(Anew { typed, seed }) = anew {
                props.typed = Some(typed).filter(|t| !t.is_empty()).map(std::rc::Rc::new);
                if let Some(seed) = seed {
                    props.intl = Some(Intl::recorded(seed.intl.clone()));
                    props.seed = Some(std::rc::Rc::new(seed::Seed { fresh: true, ..*seed }));
                }
            }
            Mounted::Widget(yew::Renderer::<Widget>::with_root_and_props(root, props).render())
        }
        Err(error) => {
            web_sys::console::error_1(&format!("news-widget: {error}").into());
            let lang = element
                .closest("[lang]")
                .ok()
                .flatten()
                .and_then(|e| LangTag::parse(&e.get_attribute("lang")?).ok())
                .unwrap_or_else(|| LangTag::parse("en").expect("\"en\" is a language tag"));
            let props = ConfigErrorProps { error: error.clone(), lang: Lang::new(lang) };
            let root = render_root(&element, Isolation::None);
            Mounted::Error(yew::Renderer::<ConfigErrorView>::with_root_and_props(root, props).render(), error)
        }
    }
}

/// `shareNetworks` or `share-networks` → `data-share-networks`.
fn data_attribute(key: &str) -> String {
    let mut out = String::from("data-");
    for c in key.trim_start_matches("data-").chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The npm package's `mount(element, config)`: the same as `NewsWidget.mount`.
#[wasm_bindgen(js_name = mount)]
pub fn mount_for_js(element: JsValue, config: JsValue) -> Result<JsValue, JsValue> {
    js_mount(element, config)
}

/// The npm package's `mountAll()`: mounts every `[data-news-widget]` not mounted yet.
#[wasm_bindgen(js_name = mountAll)]
pub fn mount_all_for_js() -> usize {
    mount_all()
}

/// Whether `news-widget-loader.js` loaded this wasm (it sets `globalThis.NewsWidgetLazy`).
pub fn lazily_loaded() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &"NewsWidgetLazy".into()).is_ok_and(|v| v.is_truthy())
}

/// Installs `window.NewsWidget.mount(element, config)`: `config`'s keys are the data attributes'
/// (`article`, `api`, `lang`, `parts`, `theme`, `shareNetworks`…); it answers a handle with
/// `unmount()` and `error` (the configuration error's text, or `null`).
pub fn install_js_api() {
    let Some(window) = web_sys::window() else { return };
    let api = js_sys::Object::new();
    let mount = Closure::<dyn Fn(JsValue, JsValue) -> Result<JsValue, JsValue>>::new(js_mount);
    let _ = js_sys::Reflect::set(&api, &"mount".into(), mount.as_ref());
    mount.forget(); // lives as long as the page
    let _ = js_sys::Reflect::set(&window, &"NewsWidget".into(), &api);
}

fn js_mount(element: JsValue, config: JsValue) -> Result<JsValue, JsValue> {
    let element: Element = element
        .dyn_into()
        .map_err(|_| js_sys::Error::new("NewsWidget.mount(element, config): the first argument is not an element"))?;
    if element.has_attribute(MOUNTED) {
        return Err(
            js_sys::Error::new("NewsWidget.mount: this element already holds a widget; unmount it first").into()
        );
    }
    if config.is_object() {
        for entry in js_sys::Object::entries(config.unchecked_ref()).iter() {
            let pair: js_sys::Array = entry.unchecked_into();
            let (key, value) = (pair.get(0).as_string().unwrap_or_default(), pair.get(1));
            let value = value.as_string().unwrap_or_else(|| String::from(js_sys::JsString::from(value)));
            element.set_attribute(&data_attribute(&key), &value)?;
        }
    }
    element.set_attribute(MARKER, "")?;
    let mounted = mount_handle(element.clone());
    let handle = js_sys::Object::new();
    let error = match &mounted {
        Mounted::Error(_, e) => JsValue::from_str(&e.to_string()),
        Mounted::Widget(_) => JsValue::NULL,
    };
    js_sys::Reflect::set(&handle, &"error".into(), &error)?;
    let mut slot = Some(mounted);
    let unmount = Closure::<dyn FnMut()>::new(move || {
        if let Some(mounted) = slot.take() {
            mounted.unmount(&element);
        }
    });
    js_sys::Reflect::set(&handle, &"unmount".into(), unmount.as_ref())?;
    unmount.forget(); // small, and kept for as long as the page may call it
    Ok(handle.into())
}

#[cfg(test)]
mod tests {
    #[test]
    fn config_keys_become_data_attributes() {
        assert_eq!(super::data_attribute("article"), "data-article");
        assert_eq!(super::data_attribute("shareNetworks"), "data-share-networks");
        assert_eq!(super::data_attribute("share-style"), "data-share-style");
        assert_eq!(super::data_attribute("data-theme"), "data-theme");
    }
}
