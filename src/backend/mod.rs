//! The one seam between the UI and where its data lives. Parts ask a [`Backend`] and never
//! know which one they have: our REST API, a WordPress site's, or `local` (the reader's own
//! browser, no server). What one of them cannot do, [`Backend::can_report`] and the errors'
//! [`Refusal::Unsupported`] say, so that the UI offers only what works.

mod local;
mod rest;
#[cfg(feature = "wordpress")]
mod wordpress;

use std::rc::Rc;

use news_widget_api::{
    Article, Comment, CommentInput, CommentPage, CommentState, PageSize, PostedComment, Problem, RatingSummary, Slug,
    Sort, Stars,
};

use crate::i18n::{fill, Catalogue};

/// Why a request failed, in terms the UI can explain.
#[derive(Clone, Debug, PartialEq)]
pub enum FetchError {
    /// No answer: offline, DNS, CORS refused, server down.
    Network(String),
    /// An answer with an error status, and the problem document when there was one.
    Status { status: u16, problem: Option<Problem>, retry_after: Option<u64> },
    /// A 2xx answer whose body is not what the API promises.
    BadResponse(String),
    /// The backend said no for a reason the reader hears in their own words (WordPress's
    /// error codes, which say more than their status).
    Refused { status: u16, reason: Refusal, detail: String },
}

/// Why a backend refused, when the status alone does not say it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The article takes no new comments.
    Closed,
    /// The site takes comments from signed-in users only.
    LoginRequired,
    /// Comments come too fast from this reader: later, the text kept.
    TooFast,
    /// The site wants a name and an email address.
    AuthorRequired,
    /// This backend cannot do it (a WordPress site without our plugin has no ratings).
    Unsupported,
}

impl FetchError {
    /// A sentence for the reader, in the widget's language.
    pub fn describe(&self, text: &Catalogue) -> String {
        match self {
            Self::Network(_) => text.error_network.to_owned(),
            Self::Status { status: 404, .. } => text.error_not_found.to_owned(),
            Self::Status { status: 429, .. } => text.error_too_many.to_owned(),
            Self::Status { status, .. } => fill(text.error_server, &[("status", &status.to_string())]),
            Self::BadResponse(_) => text.error_bad_response.to_owned(),
            Self::Refused { reason, .. } => match reason {
                Refusal::Closed => text.comments_closed,
                Refusal::LoginRequired => text.error_login_required,
                Refusal::TooFast => text.error_too_fast,
                Refusal::AuthorRequired => text.error_author_required,
                Refusal::Unsupported => text.error_bad_response,
            }
            .to_owned(),
        }
    }

    /// The technical detail, for the console and a `<details>` in the UI.
    pub fn detail(&self) -> String {
        match self {
            Self::Network(e) | Self::BadResponse(e) => e.clone(),
            Self::Status { status, problem: Some(p), .. } => format!("{status} {}: {}", p.title, p.detail),
            Self::Status { status, problem: None, .. } => format!("HTTP {status}"),
            Self::Refused { status, detail, .. } => format!("{status} {detail}"),
        }
    }
}

/// An article as it arrived: [`Article`] already left out the optional fields that did not
/// parse (a `javascript:` canonical URL, an image of 1e300 pixels); each is logged here, and what
/// is safe still shows.
pub fn article_arrived(article: Article) -> Article {
    for field in &article.refused {
        web_sys::console::warn_1(&format!("news-widget: the article's {field} did not parse and was left out").into());
    }
    article
}

/// Where a widget's data comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct Backend(Rc<Kind>);

#[derive(Debug, PartialEq)]
enum Kind {
    Rest(rest::Rest),
    #[cfg(feature = "wordpress")]
    WordPress(wordpress::WordPress),
    Local(local::Local),
}

/// Calls the same method on whichever backend this is.
macro_rules! each {
    ($self:ident, $backend:ident => $call:expr) => {
        match &*$self.0 {
            Kind::Rest($backend) => $call.await,
            #[cfg(feature = "wordpress")]
            Kind::WordPress($backend) => $call.await,
            Kind::Local($backend) => $call.await,
        }
    };
}

impl Backend {
    /// Our server's REST API at `base` (`https://news.example/api/v1`).
    pub fn rest(base: impl Into<String>) -> Self {
        Self(Rc::new(Kind::Rest(rest::Rest { base: base.into() })))
    }

    /// `data-backend="auto"` with no `data-api` (a configured `data-api` is always [`Backend::rest`],
    /// see [`crate::config::Config::from_element`]): this origin's server, unless there is plainly
    /// none. Only a 404 from `{base}/health` or no answer at all (connection refused, DNS, CORS)
    /// means "no server here" and picks [`Backend::local`]. Any other answer (2xx, 5xx, 429) or a
    /// slow one (still nothing after 10 s) means a server is there, perhaps unwell: the widget
    /// then uses it and says what fails, rather than keep the reader's comment in this browser
    /// where it would look published and never be.
    pub async fn probe(base: &str) -> Self {
        let rest = rest::Rest { base: base.to_owned() };
        if rest.present().await {
            Self(Rc::new(Kind::Rest(rest)))
        } else {
            web_sys::console::info_1(
                &format!("news-widget: no server at {base}; using this browser's local backend").into(),
            );
            Self::local()
        }
    }

    /// A WordPress site: `api` is its REST root (`https://site.example/wp-json`), or the site's
    /// address, from which the root is found. Its posts carry no language: they are in `lang`.
    #[cfg(feature = "wordpress")]
    pub fn wordpress(api: impl Into<String>, lang: news_widget_api::LangTag) -> Self {
        Self(Rc::new(Kind::WordPress(wordpress::WordPress::new(api.into(), lang))))
    }

    /// Whether readers can report a comment to moderators here (WordPress has no such API).
    pub fn can_report(&self) -> bool {
        #[cfg(feature = "wordpress")]
        if matches!(&*self.0, Kind::WordPress(_)) {
            return false;
        }
        true
    }

    /// No server: the article from the page, ratings and comments kept in this browser.
    pub fn local() -> Self {
        Self(Rc::new(Kind::Local(local::Local)))
    }

    /// The article's live updates (Server-Sent Events, [`crate::live`]): our server has them;
    /// the local and WordPress backends have no stream.
    pub fn events_url(&self, slug: &Slug) -> Option<String> {
        match &*self.0 {
            Kind::Rest(r) => Some(format!("{}/articles/{slug}/events", r.base)),
            _ => None,
        }
    }

    /// Whether what the reader writes stays in this browser (the UI says so).
    pub fn is_local(&self) -> bool {
        matches!(&*self.0, Kind::Local(_))
    }

    pub async fn article(&self, slug: &Slug) -> Result<Article, FetchError> {
        each!(self, b => b.article(slug))
    }

    /// The article's reader rating, with this reader's own vote.
    pub async fn rating(&self, slug: &Slug) -> Result<RatingSummary, FetchError> {
        each!(self, b => b.rating(slug))
    }

    /// Casts or changes this reader's vote.
    pub async fn rate(&self, slug: &Slug, stars: Stars) -> Result<RatingSummary, FetchError> {
        each!(self, b => b.rate(slug, stars))
    }

    /// A page of the article's comments.
    pub async fn comments(
        &self,
        slug: &Slug,
        sort: Sort,
        size: PageSize,
        cursor: Option<&str>,
    ) -> Result<CommentPage, FetchError> {
        each!(self, b => b.comments(slug, sort, size, cursor))
    }

    /// Posts a comment; the same `key` never stores it twice. No answer within 15 s is a
    /// [`FetchError::Network`].
    pub async fn post_comment(
        &self,
        slug: &Slug,
        input: &CommentInput,
        key: &str,
    ) -> Result<PostedComment, FetchError> {
        self.post_comment_within(slug, input, key, rest::WRITE_TIMEOUT_MS).await
    }

    /// [`Backend::post_comment`], giving up (as a [`FetchError::Network`]) after `timeout_ms`.
    pub async fn post_comment_within(
        &self,
        slug: &Slug,
        input: &CommentInput,
        key: &str,
        timeout_ms: u32,
    ) -> Result<PostedComment, FetchError> {
        match &*self.0 {
            Kind::Rest(b) => b.post_comment(slug, input, key, timeout_ms).await,
            #[cfg(feature = "wordpress")]
            Kind::WordPress(b) => b.post_comment(slug, input, key, timeout_ms).await,
            Kind::Local(b) => b.post_comment(slug, input, key).await,
        }
    }

    /// A signed form token for a new comment (empty where the backend has no time trap).
    pub async fn form_token(&self, slug: &Slug) -> Result<String, FetchError> {
        each!(self, b => b.form_token(slug))
    }

    pub async fn edit_comment(&self, id: i64, edit_token: &str, body: &str) -> Result<Comment, FetchError> {
        each!(self, b => b.edit_comment(id, edit_token, body))
    }

    pub async fn delete_comment(&self, id: i64, edit_token: &str) -> Result<(), FetchError> {
        each!(self, b => b.delete_comment(id, edit_token))
    }

    /// Where the reader's own comment stands now (its edit token proves it is theirs).
    pub async fn comment_state(&self, id: i64, edit_token: &str) -> Result<CommentState, FetchError> {
        each!(self, b => b.comment_state(id, edit_token))
    }

    pub async fn report_comment(&self, id: i64, reason: &str) -> Result<(), FetchError> {
        each!(self, b => b.report_comment(id, reason))
    }

    /// Resolves a URL the backend sent (an image's `src`) against where the backend lives, so
    /// that `/media/a.svg` means the server's file even when the page is elsewhere. Pure for a
    /// REST backend ([`news_widget_api::url::join`]), so the server resolves it to the same
    /// string; the local backend (never server-rendered) resolves against the page's address.
    pub fn resolve(&self, url: &str) -> String {
        match &*self.0 {
            Kind::Rest(r) => news_widget_api::url::join(&r.base, url),
            #[cfg(feature = "wordpress")]
            Kind::WordPress(w) => news_widget_api::url::join(w.given(), url),
            Kind::Local(_) => {
                let base = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
                news_widget_api::url::join(&base, url)
            }
        }
    }
}
