//! The reader's random token: sent with rating requests so the server counts one vote per
//! reader. Kept in localStorage; where storage is refused, it lasts as long as the page.

use std::cell::RefCell;

const KEY: &str = "news-widget:reader";

thread_local! {
    static FALLBACK: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn new_token() -> String {
    web_sys::window().and_then(|w| w.crypto().ok()).map(|c| c.random_uuid()).unwrap_or_else(|| {
        format!("{:016x}{:016x}", (js_sys::Math::random() * 1e16) as u64, js_sys::Date::now() as u64)
    })
}

/// This reader's token, made on first use.
pub fn token() -> String {
    if let Some(storage) = storage() {
        if let Some(token) =
            storage.get_item(KEY).ok().flatten().filter(|t| news_widget_api::ReaderToken::parse(t).is_ok())
        {
            return token;
        }
        let token = new_token();
        if storage.set_item(KEY, &token).is_ok() {
            return token;
        }
    }
    FALLBACK.with(|cell| cell.borrow_mut().get_or_insert_with(new_token).clone())
}

/// Whether this device has a reader token already: without one, the reader never voted here,
/// so the server's figures (which hold no vote) are all there is to know.
pub fn known() -> bool {
    storage().and_then(|s| s.get_item(KEY).ok().flatten()).is_some() || FALLBACK.with(|c| c.borrow().is_some())
}
