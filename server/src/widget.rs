//! The widget rendered on the server: `GET /api/v1/articles/{slug}/widget`, an HTML fragment a
//! host page (or the loader) puts in place before any wasm has loaded, and the same render
//! inside the page that answers a refused no-JavaScript form.
//!
//! [`load`] reads everything a render needs in one connection ([`WidgetData`]); [`render`] hands
//! it to the widget's own components (`news_widget::ssr::render`, which writes the root, the
//! seed the client hydrates from and, on request, the declarative shadow root around them).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use news_widget_api::{
    Article, CommentInput, CommentPage, FieldError, LangTag, PageSize, Problem, RatingSummary, Slug, Sort,
};
use serde::Deserialize;
use url::Url;

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery};
use news_widget::config::Config;
use news_widget::intl::Formats;
use news_widget::seed::{RefusedForm, Seed};
use news_widget::share::links::Shared;
use news_widget::ssr::SsrInput;

use crate::redirect::{self, Origins};
use crate::{cache, comments, db, ratings, routes, sanitize, trap, AppState};

/// The policy of a fragment opened on its own as a page: nothing runs, nothing loads but images
/// and this server's stylesheet. (The loader's `fetch` ignores it.)
pub const FRAGMENT_CSP: &str = "sandbox; default-src 'none'; img-src *; style-src 'self'";

/// The fragment route's query: the widget's attributes, as raw strings. Every attribute that
/// changes the markup must be here, or the server's markup differs from the client's first
/// render and hydration fails. At integration they parse through the widget's
/// `Config::from_attrs`; for now `lang`, `comments-per-page`, `id` and `embed` are checked here
/// and the rest only enter the cache key.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WidgetQuery {
    /// A BCP 47 tag (`fr`, `en-GB`); the article's language when absent.
    pub lang: Option<String>,
    /// `data-parts`: which parts to show.
    pub parts: Option<String>,
    /// `data-theme`.
    pub theme: Option<String>,
    /// `data-share-networks`.
    #[serde(rename = "share-networks")]
    #[param(rename = "share-networks")]
    pub share_networks: Option<String>,
    /// `data-share-tag`.
    #[serde(rename = "share-tag")]
    #[param(rename = "share-tag")]
    pub share_tag: Option<String>,
    /// `data-share-style`.
    #[serde(rename = "share-style")]
    #[param(rename = "share-style")]
    pub share_style: Option<String>,
    /// Top-level comments in the first page, 1–1000 (default 20).
    #[serde(rename = "comments-per-page")]
    #[param(rename = "comments-per-page")]
    pub comments_per_page: Option<String>,
    /// The prefix of every element id (default `nw`): letters, digits, `-`, `_`, at most 32.
    pub id: Option<String>,
    /// The host page's address, sent back to after a no-JavaScript post: checked as the form
    /// route checks it, and left out of the form when the route would refuse it.
    #[serde(rename = "return")]
    #[param(rename = "return")]
    pub return_to: Option<String>,
    /// `dsd`: wrap the fragment in a declarative shadow root with the stylesheet.
    pub embed: Option<String>,
    /// The host page's address as the widget shares it (its `<link rel=canonical>`, else its own
    /// address): the share links of an article that has no canonical URL. The loader sends it.
    pub page: Option<String>,
}

/// A [`WidgetQuery`] whose checked parts parsed.
#[derive(Clone, Debug)]
pub struct Checked {
    pub lang: Option<LangTag>,
    pub per_page: PageSize,
    pub prefix: String,
    pub dsd: bool,
    /// Every present parameter, sorted and encoded: `comments-per-page=5&lang=fr`.
    pub key: String,
}

impl WidgetQuery {
    /// Checks the parameters this module reads; a bad one is named (422, like every query).
    pub fn check(&self) -> ApiResult<Checked> {
        let lang = self
            .lang
            .as_deref()
            .filter(|l| !l.is_empty())
            .map(LangTag::parse)
            .transpose()
            .map_err(|e| ApiError::field("lang", e.to_string()))?;
        let per_page = match self.comments_per_page.as_deref() {
            None | Some("") => PageSize::default(),
            Some(raw) => PageSize::parse(raw).map_err(|e| ApiError::field("comments-per-page", e.to_string()))?,
        };
        let prefix = match self.id.as_deref() {
            None | Some("") => "nw".to_owned(),
            Some(id)
                if id.len() <= 32
                    && id.starts_with(|c: char| c.is_ascii_alphabetic())
                    && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
            {
                id.to_owned()
            }
            Some(_) => {
                return Err(ApiError::field("id", "must be a letter then up to 31 letters, digits, - or _"));
            }
        };
        if let Some(page) = self.page.as_deref().filter(|p| !p.is_empty()) {
            news_widget_api::SafeUrl::parse(page, news_widget_api::UrlPolicy::Web)
                .map_err(|e| ApiError::field("page", e.to_string()))?;
        }
        let dsd = match self.embed.as_deref() {
            None | Some("") => false,
            Some("dsd") => true,
            Some(_) => return Err(ApiError::field("embed", "must be dsd or absent")),
        };
        Ok(Checked { lang, per_page, prefix, dsd, key: self.key() })
    }

    /// The canonical cache key: the present parameters, sorted by name, form-encoded.
    pub fn key(&self) -> String {
        let pairs: BTreeMap<&str, &Option<String>> = [
            ("comments-per-page", &self.comments_per_page),
            ("embed", &self.embed),
            ("id", &self.id),
            ("lang", &self.lang),
            ("page", &self.page),
            ("parts", &self.parts),
            ("return", &self.return_to),
            ("share-networks", &self.share_networks),
            ("share-style", &self.share_style),
            ("share-tag", &self.share_tag),
            ("theme", &self.theme),
        ]
        .into_iter()
        .collect();
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in pairs {
            if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
                out.append_pair(name, value);
            }
        }
        out.finish()
    }
}

/// A refused no-JavaScript post, shown again: what the reader typed and why it was refused.
/// Only ever in the answer to that reader's own POST, never cached.
#[derive(Clone, Debug, Default)]
pub struct Refused {
    pub input: CommentInput,
    /// Under the field names of [`CommentInput::parse`] (`author_name`, `author_email`,
    /// `author_url`, `body`, `parent_id`).
    pub errors: Vec<FieldError>,
    /// A refusal of the whole form (the rate limit), shown above it.
    pub notice: Option<String>,
    /// The form's hidden values, sent again as they came.
    pub nonce: String,
    pub return_to: Option<String>,
}

/// Everything a render reads, loaded in one connection.
pub struct WidgetData {
    pub article: Article,
    /// Without a reader: the fragment is shared, so it never holds `your_stars`.
    pub summary: RatingSummary,
    /// The first page in the default order.
    pub page: CommentPage,
    pub form_token: String,
    /// The article body through [`sanitize::rendered_body`]: absolute addresses, lazy images.
    pub body_html: String,
    /// The render's clock, for relative times (the seed carries it to the client).
    pub now_ms: f64,
}

fn now_ms() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as f64).unwrap_or(0.0)
}

/// Reads the article, its rating (no reader), its first comment page and a fresh form token.
pub async fn load(state: &AppState, slug: &Slug, per_page: PageSize, public: &Url) -> ApiResult<WidgetData> {
    let mut conn = state.db.acquire().await?;
    let article =
        db::article(&mut *conn, slug).await?.ok_or_else(|| ApiError::not_found(format!("no article {slug}")))?;
    let summary = ratings::summary(&mut conn, slug, None).await?;
    let mut page = comments::page(&mut conn, slug, Sort::default(), None, per_page.get()).await?;
    // A closed thread renders without its form from the first paint.
    page.closed = crate::moderation::is_closed(&mut conn, state, slug).await?;
    drop(conn);
    let body_html = sanitize::rendered_body(&article.body_html, public);
    Ok(WidgetData {
        article,
        summary,
        page,
        form_token: trap::issue(&state.secrets, slug),
        body_html,
        now_ms: now_ms(),
    })
}

/// The widget of `slug` as HTML: the fragment route's body, and (with `refused`) the heart of
/// the page answering a refused form. `public` is [`crate::Inner::public_base`] of the request.
/// The widget's own components render it (`news_widget::ssr`), from the very data the browser
/// would fetch, every date and number formatted by ICU4X and recorded into the seed.
pub async fn render(
    state: &AppState,
    slug: &Slug,
    query: &WidgetQuery,
    refused: Option<&Refused>,
    public: &Url,
) -> ApiResult<String> {
    let checked = query.check()?;
    let data = load(state, slug, checked.per_page, public).await?;
    let config = config(query, slug, public, &data.article)?;
    let words = sanitize::words(&data.body_html);
    // A return address the form route would refuse is not written into the form (a post would
    // be refused): the form then comes back to the article's canonical URL.
    let canonical = data.article.canonical_url.as_ref().and_then(|u| Url::parse(u.as_str()).ok());
    let own = [public.clone()];
    let origins = Origins { own: &own, canonical: canonical.as_ref(), allowed: &state.allowed_origins };
    let accepted_return =
        query.return_to.clone().filter(|r| !r.is_empty() && redirect::return_to(Some(r), &origins).is_ok());
    let mut article = data.article;
    // The body travels as HTML in the markup; the client hydrates it and never reads it again.
    article.body_html = String::new();
    let nonce = match refused {
        Some(r) => r.nonce.clone(),
        None => crate::secrets::Secrets::new_token().map(|t| t.0[..32].to_owned()).unwrap_or_default(),
    };
    let seed = Seed {
        article: Some(article),
        words,
        rating: Some(data.summary),
        comments: Some(data.page),
        sort: Sort::default(),
        form_token: data.form_token,
        nonce,
        now_ms: data.now_ms,
        intl: Default::default(),
        refused: refused.map(|r| RefusedForm {
            input: r.input.clone(),
            // A refusal of the whole form (the rate limit) has no field: the form says it above.
            errors: r.errors.iter().cloned().chain(r.notice.iter().map(|n| FieldError::new("", n.clone()))).collect(),
        }),
        return_to: refused.and_then(|r| r.return_to.clone()).or(accepted_return),
        action: None,
        fresh: false,
    };
    let dsd_css =
        checked.dsd.then(|| public.join("widget.css").map(String::from).unwrap_or_else(|_| "/widget.css".into()));
    let formats: Arc<dyn Formats + Send + Sync> = state.intl.clone();
    Ok(news_widget::ssr::render(SsrInput {
        config,
        seed,
        body_html: Some(data.body_html),
        formats,
        id_prefix: checked.prefix,
        dsd_css,
        page: query.page.clone().filter(|p| !p.is_empty()).map(|url| Shared { url, title: String::new(), image: None }),
    })
    .await)
}

/// The widget's configuration from the query, through the widget's own parser: the markup
/// depends on nothing else, and its key is what the client compares before it hydrates.
fn config(query: &WidgetQuery, slug: &Slug, public: &Url, article: &Article) -> ApiResult<Config> {
    let api = public
        .join(news_widget_api::API_PREFIX.trim_start_matches('/'))
        .map(|u| u.as_str().trim_end_matches('/').to_owned())
        .map_err(|e| ApiError::internal(format!("the public URL {public} has no API path: {e}")))?;
    let get = |name: &str| {
        let value = match name {
            "article" => Some(slug.to_string()),
            "lang" => query.lang.clone(),
            "parts" => query.parts.clone(),
            "theme" => query.theme.clone(),
            "share-networks" => query.share_networks.clone(),
            "share-tag" => query.share_tag.clone(),
            "share-style" => query.share_style.clone(),
            "comments-per-page" => query.comments_per_page.clone(),
            _ => None,
        };
        value.filter(|v| !v.is_empty())
    };
    // Without `lang`, the article's own language (a page with no `lang` anywhere is rare; its
    // widget then renders anew in English, since the key differs).
    Config::from_attrs(get, api, || article.lang.clone())
        .map_err(|e| ApiError::field(e.attribute.trim_start_matches("data-"), e.message))
}

/// [`render`] through the page cache: one render per article, query and public base until a
/// write to the article forgets it (every write that forgets its comment pages). Answers the
/// cached page (the HTML, its ETag, its compressed bodies).
pub async fn cached(state: &AppState, slug: &Slug, query: &WidgetQuery, public: &Url) -> ApiResult<Arc<cache::Page>> {
    let checked = query.check()?;
    let key = format!("widget {public} {}", checked.key);
    state
        .pages
        .get_or_build(slug.as_str(), key, || async {
            Ok::<_, ApiError>(Bytes::from(render(state, slug, query, None, public).await?))
        })
        .await
}

/// Reads back the widget's `lang` (on its first element, near the start of the fragment).
fn rendered_lang(html: &[u8]) -> Option<String> {
    let end = (0..=html.len().min(2048)).rev().find(|&i| std::str::from_utf8(&html[..i]).is_ok())?;
    let text = std::str::from_utf8(&html[..end]).ok()?;
    let start = text.find(" lang=\"")? + 7;
    let end = text[start..].find('"')? + start;
    Some(text[start..end].to_owned())
}

/// The widget of an article as an HTML fragment, cached like the comment pages (so every write
/// that forgets an article's pages forgets its fragments), with an ETag and 304s. It holds no
/// reader's data, so it never varies on the reader token.
#[utoipa::path(get, path = "/api/v1/articles/{slug}/widget", tag = "widget",
    params(("slug" = String, Path, description = "the article's slug"), WidgetQuery),
    responses((status = 200, description = "the widget's HTML", content_type = "text/html", body = String),
              (status = 304, description = "not modified (If-None-Match)"),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn fragment(
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
    ApiQuery(query): ApiQuery<WidgetQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let slug = routes::slug(&raw)?;
    let public = state.public_base(&headers);
    let page = cached(&state, &slug, &query, &public).await?;
    let lang = rendered_lang(page.body());
    let mut response = cache::answer(&page, "text/html; charset=utf-8", &headers).await?;
    let out = response.headers_mut();
    out.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    out.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(FRAGMENT_CSP));
    if let Some(lang) = lang.and_then(|l| HeaderValue::from_str(&l).ok()) {
        out.insert(header::CONTENT_LANGUAGE, lang);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_canonical() {
        let a = WidgetQuery { lang: Some("fr".into()), theme: Some("dark mode".into()), ..Default::default() };
        let b = WidgetQuery {
            theme: Some("dark mode".into()),
            lang: Some("fr".into()),
            parts: Some(String::new()),
            ..Default::default()
        };
        assert_eq!(a.key(), "lang=fr&theme=dark+mode");
        assert_eq!(a.key(), b.key());
        assert_eq!(WidgetQuery::default().key(), "");
    }

    #[test]
    fn checks_name_the_parameter() {
        for (query, field) in [
            (WidgetQuery { lang: Some("f".into()), ..Default::default() }, "lang"),
            (WidgetQuery { comments_per_page: Some("0".into()), ..Default::default() }, "comments-per-page"),
            (WidgetQuery { id: Some("1x".into()), ..Default::default() }, "id"),
            (WidgetQuery { embed: Some("iframe".into()), ..Default::default() }, "embed"),
        ] {
            let err = query.check().unwrap_err();
            assert_eq!(err.problem.errors[0].field, field);
        }
        let ok =
            WidgetQuery { id: Some("w2".into()), embed: Some("dsd".into()), ..Default::default() }.check().unwrap();
        assert!(ok.dsd && ok.prefix == "w2");
    }

    #[test]
    fn reads_back_the_lang() {
        assert_eq!(rendered_lang(b"<template><link><div lang=\"pt-BR\" dir=\"ltr\">").as_deref(), Some("pt-BR"));
    }
}
