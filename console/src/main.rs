//! The moderators' console: a Yew app the server serves at `/admin/` (`cargo xtask console`
//! builds it into target/console/dist). It signs in with a moderator's account and works the
//! queues from the keyboard (keys.rs), on the admin routes of the API (api.rs).
//!
//! Only the pure parts (the key map, the words) build on the host, for their tests.

#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod keys;
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod text;

#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod json;
#[cfg(target_arch = "wasm32")]
mod views;

#[cfg(target_arch = "wasm32")]
fn main() {
    // The console's element (`<div id="nw-console">` in index.html), else the body.
    let document = web_sys::window().and_then(|w| w.document());
    let root = document
        .as_ref()
        .and_then(|d| d.get_element_by_id("nw-console"))
        .or_else(|| document.as_ref().and_then(|d| d.body()).map(Into::into));
    if let Some(root) = root {
        yew::Renderer::<app::App>::with_root(root).render();
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "news-widget-console runs in a browser: `cargo xtask console` builds it, the server serves it at /admin/"
    );
}
