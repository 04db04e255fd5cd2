//! Where the widget's own files are: beside the script (`news-widget.js`) the page loaded, on
//! whichever origin that is.

use wasm_bindgen::prelude::*;

// wasm-bindgen writes an inline snippet to `snippets/{crate}-{hash}/inline0.js`, beside the
// script: its `import.meta.url` is two folders below the widget's files.
#[wasm_bindgen(inline_js = "export function snippet_url() { return import.meta.url; }")]
extern "C" {
    fn snippet_url() -> String;
}

/// The absolute URL of `path` (`i18n/fr.json`) among the widget's files.
pub fn url(path: &str) -> String {
    news_widget_api::url::join(&snippet_url(), &format!("../../{path}"))
}
