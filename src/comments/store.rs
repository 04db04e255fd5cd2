//! What the comment form keeps on this device (localStorage): drafts, the "remember me"
//! identity, the reader's own comments with their edit tokens, and the chosen sort.

use news_widget_api::{PostedComment, Slug, Sort};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn load<T: DeserializeOwned>(key: &str) -> Option<T> {
    crate::json::from_str(&storage()?.get_item(key).ok()??).ok()
}

fn save<T: Serialize>(key: &str, value: &T) {
    if let (Some(storage), Ok(json)) = (storage(), crate::json::to_string(value)) {
        let _ = storage.set_item(key, &json);
    }
}

fn remove(key: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(key);
    }
}

/// An unsent comment, saved as the reader types.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub name: String,
    pub email: String,
    pub website: String,
    pub body: String,
    pub remember: bool,
    /// The Idempotency-Key of this comment: the same for every retry of it.
    pub key: String,
    /// When the reader started it (ms since the epoch).
    pub started_at: f64,
    /// The server's signed form token, taken when the form was first shown: it travels with the
    /// draft, so a draft restored after a reload still says when it was begun.
    #[serde(default)]
    pub form_token: String,
}

impl Draft {
    pub fn is_blank(&self) -> bool {
        self.body.trim().is_empty()
    }
}

fn draft_key(slug: &Slug, parent: Option<i64>) -> String {
    match parent {
        Some(p) => format!("news-widget:draft:{slug}:{p}"),
        None => format!("news-widget:draft:{slug}"),
    }
}

pub fn load_draft(slug: &Slug, parent: Option<i64>) -> Option<Draft> {
    load(&draft_key(slug, parent))
}

pub fn save_draft(slug: &Slug, parent: Option<i64>, draft: &Draft) {
    save(&draft_key(slug, parent), draft);
}

pub fn clear_draft(slug: &Slug, parent: Option<i64>) {
    remove(&draft_key(slug, parent));
}

/// The name, email and website a reader asked this device to remember (WCAG 3.3.7).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    pub name: String,
    pub email: String,
    pub website: String,
}

const IDENTITY: &str = "news-widget:identity";

pub fn identity() -> Option<Identity> {
    load(IDENTITY)
}

pub fn remember(identity: Option<&Identity>) {
    match identity {
        Some(i) => save(IDENTITY, i),
        None => remove(IDENTITY),
    }
}

fn mine_key(slug: &Slug) -> String {
    format!("news-widget:mine:{slug}")
}

/// The reader's own comments on `slug`, as the server answered their POST.
pub fn mine(slug: &Slug) -> Vec<PostedComment> {
    load(&mine_key(slug)).unwrap_or_default()
}

pub fn keep_mine(slug: &Slug, posted: &PostedComment) {
    let mut all = mine(slug);
    all.retain(|p| p.comment.id != posted.comment.id);
    all.push(posted.clone());
    save(&mine_key(slug), &all);
}

pub fn forget_mine(slug: &Slug, id: i64) {
    let mut all = mine(slug);
    all.retain(|p| p.comment.id != id);
    save(&mine_key(slug), &all);
}

const SORT: &str = "news-widget:sort";

pub fn sort() -> Sort {
    load(SORT).unwrap_or_default()
}

pub fn set_sort(sort: Sort) {
    save(SORT, &sort);
}

/// A random UUID for an Idempotency-Key.
pub fn new_key() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .unwrap_or_else(|| format!("k{:x}-{:x}", js_sys::Date::now() as u64, (js_sys::Math::random() * 1e15) as u64))
}
