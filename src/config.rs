//! A widget's configuration, read from its element's `data-*` attributes.

use std::fmt;

use news_widget_api::{LangTag, PageSize, Slug, API_PREFIX};

use crate::share::links::{parse_list, Network};
use crate::share::ShareStyle;
use web_sys::Element;

/// What one widget on the page shows and where it gets it from.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// The backend's base URL, absolute, without a trailing slash: `https://news.example/api/v1`.
    pub api: String,
    pub article: Slug,
    pub lang: LangTag,
    pub share: ShareConfig,
    /// `data-parts`: which parts render.
    pub parts: Parts,
    /// `data-theme`.
    pub theme: Theme,
    /// `data-backend`.
    pub backend: BackendKind,
    /// `data-isolation`.
    pub isolation: Isolation,
    /// `data-comments-per-page`: top-level comments per page, 1–1000 (20 by default).
    pub comments_per_page: PageSize,
}

/// Whether the widget renders inside a shadow root (default), so that the host page's CSS cannot
/// break it and its CSS cannot leak out, or straight into the element (`none`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Isolation {
    #[default]
    Shadow,
    None,
}

impl Isolation {
    pub fn parse(raw: &str) -> Result<Self, ConfigError> {
        match raw.trim() {
            "shadow" => Ok(Self::Shadow),
            "none" => Ok(Self::None),
            other => {
                Err(ConfigError { attribute: "data-isolation", message: format!("\"{other}\" is not shadow or none") })
            }
        }
    }
}

/// Where the data lives: our server's REST API (default), this browser alone, or `auto`: with
/// `data-api`, always that server; without, this origin's server unless its `/api/v1/health`
/// answers 404 or nothing at all (see [`crate::backend::Backend::probe`]), else this browser.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BackendKind {
    #[default]
    Rest,
    /// A WordPress site's REST API (`data-api`: its REST root or its address).
    #[cfg(feature = "wordpress")]
    WordPress,
    Local,
    Auto,
}

impl BackendKind {
    pub fn parse(raw: &str) -> Result<Self, ConfigError> {
        match raw.trim() {
            "rest" => Ok(Self::Rest),
            #[cfg(feature = "wordpress")]
            "wordpress" => Ok(Self::WordPress),
            #[cfg(not(feature = "wordpress"))]
            "wordpress" => Err(ConfigError {
                attribute: "data-backend",
                message: "\"wordpress\" needs the widget's WordPress flavour: load the widget from the news-widget \
                          WordPress plugin (wordpress/ in the repository), or build it with --features wordpress"
                    .into(),
            }),
            "local" => Ok(Self::Local),
            "auto" => Ok(Self::Auto),
            other => Err(ConfigError {
                attribute: "data-backend",
                message: format!("\"{other}\" is not rest, wordpress, local or auto"),
            }),
        }
    }
}

/// The widget's parts; a page whose CMS already prints the article leaves it out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parts {
    pub article: bool,
    pub share: bool,
    pub rating: bool,
    pub comments: bool,
}

impl Default for Parts {
    fn default() -> Self {
        Self { article: true, share: true, rating: true, comments: true }
    }
}

impl Parts {
    /// Parses `data-parts` ("share rating comments" or "article, comments").
    pub fn parse(raw: &str) -> Result<Self, ConfigError> {
        let mut parts = Self { article: false, share: false, rating: false, comments: false };
        for name in raw.split([',', ' ']).map(str::trim).filter(|n| !n.is_empty()) {
            match name {
                "article" => parts.article = true,
                "share" => parts.share = true,
                "rating" => parts.rating = true,
                "comments" => parts.comments = true,
                other => {
                    return Err(ConfigError {
                        attribute: "data-parts",
                        message: format!("\"{other}\" is not a part: use article, share, rating and comments"),
                    })
                }
            }
        }
        if parts == (Self { article: false, share: false, rating: false, comments: false }) {
            return Err(ConfigError {
                attribute: "data-parts",
                message: "names no part: use article, share, rating and comments".into(),
            });
        }
        Ok(parts)
    }
}

/// The colour scheme: `light` (default), `dark`, or `auto` (the reader's `prefers-color-scheme`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    #[default]
    Light,
    Dark,
    Auto,
}

impl Theme {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Light => "light",
            Self::Dark => "dark",
            Self::Auto => "auto",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ConfigError> {
        match raw.trim() {
            "light" => Ok(Self::Light),
            "dark" => Ok(Self::Dark),
            "auto" => Ok(Self::Auto),
            other => {
                Err(ConfigError { attribute: "data-theme", message: format!("\"{other}\" is not light, dark or auto") })
            }
        }
    }
}

/// `data-share-networks`, `data-share-tag` and `data-share-style`.
#[derive(Clone, Debug, PartialEq)]
pub struct ShareConfig {
    pub networks: Vec<Network>,
    /// Names that are no network: shown in place, the rest still works.
    pub unknown: Vec<String>,
    pub tag: Option<String>,
    pub style: ShareStyle,
}

impl Default for ShareConfig {
    fn default() -> Self {
        Self { networks: Network::ALL.to_vec(), unknown: Vec::new(), tag: None, style: ShareStyle::default() }
    }
}

impl ShareConfig {
    fn from_attrs(get: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut share = Self::default();
        if let Some(raw) = get("share-networks") {
            (share.networks, share.unknown) = parse_list(&raw);
        }
        if let Some(raw) = get("share-tag") {
            share.tag = Some(
                news_widget_api::line_text(&raw, 1, 100)
                    .map_err(|e| ConfigError { attribute: "data-share-tag", message: format!("\"{raw}\" {e}") })?,
            );
        }
        share.style = match get("share-style").as_deref().map(str::trim) {
            None | Some("labels") => ShareStyle::Labels,
            Some("icons") => ShareStyle::Icons,
            Some(other) => {
                return Err(ConfigError {
                    attribute: "data-share-style",
                    message: format!("\"{other}\" is neither \"icons\" nor \"labels\""),
                })
            }
        };
        Ok(share)
    }
}

/// A bad or missing attribute: which one, and what is wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigError {
    pub attribute: &'static str,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.attribute, self.message)
    }
}

impl Config {
    /// Reads `data-api`, `data-article` and `data-lang` from `element`.
    ///
    /// `data-api` defaults to this origin's `/api/v1`; `data-lang` to the nearest `lang`
    /// attribute (the element's own, an ancestor's, then `<html lang>`), else English.
    pub fn from_element(element: &Element) -> Result<Self, ConfigError> {
        let base = element.base_uri().ok().flatten().unwrap_or_default();
        let raw_api = element.get_attribute("data-api");
        // A WordPress site without pretty permalinks has its REST root in the query (`?rest_route=/`).
        let keep_query = element.get_attribute("data-backend").is_some_and(|b| b.trim() == "wordpress");
        let api = resolve_api(raw_api.as_deref(), &base, keep_query)?;
        Self::from_attrs(|name| element.get_attribute(&format!("data-{name}")), api, || inherited_lang(element))
    }

    /// The configuration from attribute values by name without `data-` (`article`, `lang`,
    /// `parts`, `theme`, `backend`, `isolation`, `comments-per-page`, `share-networks`,
    /// `share-tag`, `share-style`; `api` only says whether one was given). Pure: the server
    /// parses its fragment query with it, so both sides read the attributes alike.
    pub fn from_attrs(
        get: impl Fn(&str) -> Option<String>,
        api: String,
        inherited_lang: impl FnOnce() -> LangTag,
    ) -> Result<Self, ConfigError> {
        let article = match get("article") {
            None => {
                return Err(ConfigError {
                    attribute: "data-article",
                    message: "is missing: give the article's slug".into(),
                })
            }
            Some(raw) => Slug::parse(raw.trim()).map_err(|e| ConfigError {
                attribute: "data-article",
                message: format!("\"{raw}\" is not an article slug: a slug {e}"),
            })?,
        };
        let lang = match get("lang") {
            Some(raw) => LangTag::parse(raw.trim())
                .map_err(|e| ConfigError { attribute: "data-lang", message: format!("\"{raw}\" {e}") })?,
            None => inherited_lang(),
        };
        let parts = get("parts").map(|p| Parts::parse(&p)).transpose()?.unwrap_or_default();
        let theme = get("theme").map(|t| Theme::parse(&t)).transpose()?.unwrap_or_default();
        let mut backend = get("backend").map(|b| BackendKind::parse(&b)).transpose()?.unwrap_or_default();
        // `auto` may fall back to this browser only when no server was named: a page that gives
        // `data-api` has a server, and a comment must never look published while it stays here.
        if backend == BackendKind::Auto && get("api").is_some() {
            backend = BackendKind::Rest;
        }
        let isolation = get("isolation").map(|i| Isolation::parse(&i)).transpose()?.unwrap_or_default();
        let comments_per_page = match get("comments-per-page") {
            None => PageSize::default(),
            Some(raw) => PageSize::parse(&raw)
                .map_err(|e| ConfigError { attribute: "data-comments-per-page", message: format!("\"{raw}\" {e}") })?,
        };
        let share = ShareConfig::from_attrs(&get)?;
        Ok(Self { api, article, lang, share, parts, theme, backend, isolation, comments_per_page })
    }

    /// Every setting that changes the markup, in one string: the server writes it as
    /// `data-nw-key` and the client hydrates only a root whose key equals its own.
    pub fn canonical_key(&self) -> String {
        let p = self.parts;
        let parts: String = [(p.article, 'a'), (p.share, 's'), (p.rating, 'r'), (p.comments, 'c')]
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, c)| *c)
            .collect();
        let networks: Vec<&str> = self.share.networks.iter().map(|n| n.key()).collect();
        let style = match self.share.style {
            ShareStyle::Icons => "icons",
            ShareStyle::Labels => "labels",
        };
        format!(
            "v1;{};{};{parts};{};{};{};{};{style};{}",
            self.article,
            self.lang,
            self.theme.as_str(),
            networks.join(","),
            self.share.unknown.join(","),
            self.share.tag.as_deref().unwrap_or_default(),
            self.comments_per_page.get(),
        )
    }
}

/// The nearest valid `lang` around `element`, else `en`.
fn inherited_lang(element: &Element) -> LangTag {
    let english = || LangTag::parse("en").expect("\"en\" is a language tag");
    let Some(raw) = element.closest("[lang]").ok().flatten().and_then(|e| e.get_attribute("lang")) else {
        return english();
    };
    LangTag::parse(raw.trim()).unwrap_or_else(|_| {
        web_sys::console::warn_1(
            &format!("news-widget: the page's lang \"{raw}\" is not a language tag; using English").into(),
        );
        english()
    })
}

/// The API base as an absolute http(s) URL without a trailing slash (and without its query,
/// unless `keep_query`).
pub fn resolve_api(raw: Option<&str>, base: &str, keep_query: bool) -> Result<String, ConfigError> {
    let bad = |message: String| ConfigError { attribute: "data-api", message };
    let raw = raw.map(str::trim).unwrap_or(API_PREFIX);
    if raw.is_empty() {
        return Err(bad("is empty: give the backend's URL, such as /api/v1".into()));
    }
    let url = web_sys::Url::new_with_base(raw, base).map_err(|_| bad(format!("\"{raw}\" is not a URL")))?;
    if !matches!(url.protocol().as_str(), "http:" | "https:") {
        return Err(bad(format!("\"{raw}\" must be an http or https URL")));
    }
    if !keep_query {
        url.set_search("");
    }
    url.set_hash("");
    Ok(url.href().trim_end_matches('/').to_owned())
}
