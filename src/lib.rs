//! news-widget: a news article widget in Rust/WebAssembly.
//!
//! Every element with `data-news-widget` becomes one independent widget; see the README for
//! its attributes. One module per part (article, …) over one backend seam ([`backend`]).

pub mod app;
pub mod article;
pub mod backend;
pub mod comments;
pub mod config;
pub mod i18n;
pub mod intl;
pub mod rating;
pub mod reader;
pub mod sanitize;
pub mod share;

use news_widget_api::LangTag;
use wasm_bindgen::JsCast;
use web_sys::Element;

use crate::app::{ConfigErrorProps, ConfigErrorView, Widget, WidgetProps};
use crate::config::{Config, ConfigError};
use crate::i18n::Lang;

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

/// Mounts one widget on `element`. A bad configuration is shown in place and in the console.
pub fn mount(element: Element) -> Result<(), ConfigError> {
    let _ = element.set_attribute(MOUNTED, "");
    match Config::from_element(&element) {
        Ok(config) => {
            yew::Renderer::<Widget>::with_root_and_props(element, WidgetProps { config }).render();
            Ok(())
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
            yew::Renderer::<ConfigErrorView>::with_root_and_props(element, props).render();
            Err(error)
        }
    }
}
