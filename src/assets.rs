//! Where the widget's own files are: beside its script (`news-widget.js`), on whichever origin
//! the page loaded it from.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `import.meta.url` as the JS glue (an ES module) reads it: the glue's own URL. No snippet
    /// module, so no extra request before the wasm.
    #[wasm_bindgen(thread_local_v2, js_namespace = ["import", "meta"], js_name = url)]
    static SCRIPT_URL: String;
}

/// The absolute URL of `path` (`i18n/fr.json`) among the widget's files.
pub fn url(path: &str) -> String {
    SCRIPT_URL.with(|script| news_widget_api::url::join(script, path))
}

/// The text of `path` among the widget's files, or why not (naming the URL).
pub async fn text(path: &str) -> Result<String, String> {
    let url = url(path);
    let response = gloo_net::http::Request::get(&url).send().await.map_err(|e| format!("{url}: {e}"))?;
    if !response.ok() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    response.text().await.map_err(|e| format!("{url}: {e}"))
}
