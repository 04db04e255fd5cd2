//! What the server loaded for one widget, handed to the first render on both sides.
//!
//! The server renders [`crate::app::Widget`] with `seed: Some(..)` and writes the same [`Seed`]
//! as JSON next to the markup (see `crate::ssr`); before it hydrates, the client reads it back
//! ([`read`]) and passes the same props, so both first renders are the same.

use std::collections::BTreeMap;

use news_widget_api::{Article, CommentInput, CommentPage, FieldError, RatingSummary, Sort};
use serde::{Deserialize, Serialize};

/// The data of the first render.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Seed {
    /// The article (also when the article part is off: the rating shows its editor score only
    /// when the article part is on, as in the browser).
    pub article: Option<Article>,
    /// Words in the article's body, as the server counted them in its clean HTML.
    #[serde(default)]
    pub words: usize,
    /// The rating figures, without any reader's own vote (`your_stars: None`).
    pub rating: Option<RatingSummary>,
    /// The first page of comments, in `sort`.
    pub comments: Option<CommentPage>,
    #[serde(default)]
    pub sort: Sort,
    /// A signed form token for the top-level form.
    #[serde(default)]
    pub form_token: String,
    /// A nonce for the no-wasm form's hidden `idempotency_key` (the wasm makes its own key).
    #[serde(default)]
    pub nonce: String,
    /// The render clock (ms since the epoch): relative times and edit windows are computed
    /// against it, on the server and in the client's first render alike.
    pub now_ms: f64,
    /// Every string the server's formatter produced, by [`crate::intl::key`].
    #[serde(default)]
    pub intl: BTreeMap<String, String>,
    /// A form the server refused (the no-wasm post): the reader's values and the errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<RefusedForm>,
    /// The hidden `return_to` of the form: where the no-wasm post goes back to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_to: Option<String>,
    /// The form's `action`; by default `{api}/articles/{slug}/comments/form`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// Set by the client, never sent: the seed's data starts a new render rather than a hydration
    /// (the markup came from another build), so the client builds the article's body itself.
    #[serde(skip)]
    pub fresh: bool,
}

/// A comment form the server refused, shown again with the reader's text.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RefusedForm {
    pub input: CommentInput,
    /// As the API names them (`body`, `author_name`, `author_email`, `author_url`); the form
    /// localizes them.
    pub errors: Vec<FieldError>,
}

/// What the reader typed into the server's form before the wasm hydrated it: the first render
/// must carry it, since hydration sets every `value` (and `checked`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Typed {
    pub body: String,
    pub name: String,
    pub email: String,
    pub website: String,
    /// The star checked in the rate form, if any.
    pub stars: Option<u8>,
}

impl Typed {
    pub fn is_empty(&self) -> bool {
        self.body.is_empty() && self.name.is_empty() && self.email.is_empty() && self.website.is_empty()
    }
}

/// The seed as the fragment carries it: JSON in which no `<` can close the `<script>`.
pub fn write(seed: &Seed) -> String {
    crate::json::to_string(seed).unwrap_or_else(|_| "null".into()).replace('<', "\\u003c")
}

/// The seed back from [`write`]'s text.
pub fn read(json: &str) -> Result<Seed, String> {
    crate::json::from_str(json)
}
