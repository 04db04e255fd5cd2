//! The widget rendered on the server: `GET /api/v1/articles/{slug}/widget`, an HTML fragment a
//! host page (or the loader) puts in place before any wasm has loaded, and the same render
//! inside the page that answers a refused no-JavaScript form.
//!
//! Three parts, so that integration swaps one: [`load`] reads everything a render needs in one
//! connection ([`WidgetData`]); the markup (for now [`stub_markup`], replaced by
//! `news_widget::ssr::render` at integration); and [`wrap`], the root element and the
//! declarative shadow root around it, which stays.

use std::collections::BTreeMap;

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
use crate::page::escape;
use crate::{cache, comments, db, ratings, routes, sanitize, texts, trap, AppState};

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
    /// The host page's address, sent back to after a no-JavaScript post (checked then).
    #[serde(rename = "return")]
    #[param(rename = "return")]
    pub return_to: Option<String>,
    /// `dsd`: wrap the fragment in a declarative shadow root with the stylesheet.
    pub embed: Option<String>,
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
    let page = comments::page(&mut conn, slug, Sort::default(), None, per_page.get()).await?;
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

/// The address the no-JavaScript form posts to.
pub fn form_action(public: &Url, slug: &Slug) -> String {
    let path = format!("{}/articles/{slug}/comments/form", news_widget_api::API_PREFIX.trim_start_matches('/'));
    public.join(&path).map(String::from).unwrap_or(path)
}

/// The widget of `slug` as HTML: the fragment route's body, and (with `refused`) the heart of
/// the page answering a refused form. `public` is [`crate::Inner::public_base`] of the request.
pub async fn render(
    state: &AppState,
    slug: &Slug,
    query: &WidgetQuery,
    refused: Option<&Refused>,
    public: &Url,
) -> ApiResult<String> {
    let checked = query.check()?;
    let data = load(state, slug, checked.per_page, public).await?;
    let lang = checked.lang.clone().unwrap_or_else(|| data.article.lang.clone());
    let ctx = Markup { state, slug, query, checked: &checked, lang: lang.as_str(), public, refused };
    let inner = stub_markup(&ctx, &data);
    Ok(wrap(&ctx, &inner))
}

/// What the markup of one render depends on, besides its data.
pub struct Markup<'a> {
    pub state: &'a AppState,
    pub slug: &'a Slug,
    pub query: &'a WidgetQuery,
    pub checked: &'a Checked,
    pub lang: &'a str,
    pub public: &'a Url,
    pub refused: Option<&'a Refused>,
}

/// The root around the widget's markup (this stays at integration; the lead adds
/// `data-nw-build` and the seed `<script>` here). `lang` comes first: [`fragment`] reads it
/// back for `Content-Language`.
pub fn wrap(ctx: &Markup<'_>, inner: &str) -> String {
    let root = format!(
        "<div lang=\"{lang}\" dir=\"{dir}\" data-nw-root data-nw-key=\"{key}\" data-nw-id=\"{id}\">{inner}</div>",
        lang = escape(ctx.lang),
        dir = texts::dir(ctx.lang),
        key = escape(&ctx.checked.key),
        id = escape(&ctx.checked.prefix),
    );
    if ctx.checked.dsd {
        let css = ctx.public.join("widget.css").map(String::from).unwrap_or_else(|_| "/widget.css".into());
        format!(
            "<template shadowrootmode=\"open\"><link rel=\"stylesheet\" href=\"{}\">{root}</template>",
            escape(&css)
        )
    } else {
        root
    }
}

/// The form's field names, from [`CommentInput::parse`]'s.
fn form_field(api_field: &str) -> &str {
    match api_field {
        "author_name" => "name",
        "author_email" => "email",
        "author_url" => "website",
        other => other,
    }
}

// STUB: replaced by news_widget::ssr::render at integration. Plain escaped HTML from the same
// data: the title, the body, the rating, the first comments (author and text as text), and the
// comment form with its hidden fields, the refused values and their errors.
pub fn stub_markup(ctx: &Markup<'_>, data: &WidgetData) -> String {
    let intl = &ctx.state.intl;
    let lang = ctx.lang;
    let p = escape(&ctx.checked.prefix);
    let mut html = String::new();
    html.push_str(&format!(
        "<article class=\"nw-article\"><h1 class=\"nw-title\">{}</h1>",
        escape(&data.article.title)
    ));
    if let Some(date) = intl.long_date(data.article.published_at.as_str(), lang) {
        html.push_str(&format!(
            "<p class=\"nw-meta\"><time datetime=\"{}\">{}</time></p>",
            escape(data.article.published_at.as_str()),
            escape(&date)
        ));
    }
    html.push_str(&format!("<div class=\"nw-body\">{}</div></article>", data.body_html));
    let s = &data.summary;
    html.push_str(&format!(
        "<section class=\"nw-rating\" id=\"{p}-rating\"><p><span class=\"nw-average\">{}</span> / 5 · \
         <span class=\"nw-percent\">{}</span> · <span class=\"nw-count\">{}</span></p></section>",
        escape(&intl.decimal(s.average, 1, lang)),
        escape(&intl.percent(s.percent, 0, lang)),
        escape(&intl.integer(s.count, lang)),
    ));
    html.push_str(&format!(
        "<section class=\"nw-comments\" id=\"{p}-comments\"><h2><span class=\"nw-total\">{}</span></h2><ol>",
        escape(&intl.integer(data.page.total, lang))
    ));
    for c in &data.page.comments {
        let when = intl.relative(c.created_at.as_str(), data.now_ms, lang).unwrap_or_default();
        let title = intl.date_time(c.created_at.as_str(), lang).unwrap_or_default();
        html.push_str(&format!(
            "<li class=\"nw-comment\" id=\"nw-c-{id}\"><b class=\"nw-author\">{author}</b> \
             <time datetime=\"{iso}\" title=\"{title}\">{when}</time><p class=\"nw-text\">{body}</p></li>",
            id = c.id,
            author = escape(&c.author_name),
            iso = escape(c.created_at.as_str()),
            title = escape(&title),
            when = escape(&when),
            body = escape(&c.body),
        ));
    }
    html.push_str("</ol>");
    html.push_str(&stub_form(ctx, data));
    html.push_str("</section>");
    html
}

// STUB (with `stub_markup`): the comment form, as the widget's `CommentForm` will render it.
fn stub_form(ctx: &Markup<'_>, data: &WidgetData) -> String {
    let p = escape(&ctx.checked.prefix);
    let refused = ctx.refused;
    let input = refused.map(|r| r.input.clone()).unwrap_or_default();
    let errors: &[FieldError] = refused.map(|r| r.errors.as_slice()).unwrap_or_default();
    let error_of = |field: &str| errors.iter().find(|e| form_field(&e.field) == field).map(|e| e.message.as_str());
    let first_invalid = errors.first().map(|e| form_field(&e.field).to_owned());
    let nonce = match refused {
        Some(r) => r.nonce.clone(),
        None => crate::secrets::Secrets::new_token().map(|t| t.0[..32].to_owned()).unwrap_or_default(),
    };
    let return_to = refused.and_then(|r| r.return_to.clone()).or_else(|| ctx.query.return_to.clone());
    let mut form = format!(
        "<form class=\"nw-form\" method=\"post\" action=\"{}\" novalidate>",
        escape(&form_action(ctx.public, ctx.slug))
    );
    if let Some(notice) = refused.and_then(|r| r.notice.as_deref()) {
        form.push_str(&format!("<p class=\"nw-form-error\" role=\"alert\">{}</p>", escape(notice)));
    }
    let website = input.author_url.clone().unwrap_or_default();
    let fields = [
        ("name", "text", input.author_name.as_str()),
        ("email", "email", input.author_email.as_str()),
        ("website", "url", website.as_str()),
        ("body", "textarea", input.body.as_str()),
    ];
    for (name, kind, value) in fields {
        let id = format!("{p}-f-top-{name}");
        let error = error_of(name);
        let mut attrs = format!("id=\"{id}\" name=\"{name}\"");
        if error.is_some() {
            attrs.push_str(&format!(" aria-invalid=\"true\" aria-describedby=\"{id}-error\""));
        }
        if first_invalid.as_deref() == Some(name) {
            attrs.push_str(" autofocus");
        }
        form.push_str(&format!("<p class=\"nw-field\"><label for=\"{id}\">{name}</label>"));
        if kind == "textarea" {
            form.push_str(&format!("<textarea {attrs}>{}</textarea>", escape(value)));
        } else {
            form.push_str(&format!("<input type=\"{kind}\" {attrs} value=\"{}\">", escape(value)));
        }
        if let Some(message) = error {
            form.push_str(&format!("<span class=\"nw-field-error\" id=\"{id}-error\">{}</span>", escape(message)));
        }
        form.push_str("</p>");
    }
    // Errors of fields the form does not show (parent_id) still reach the reader.
    for e in errors.iter().filter(|e| !["name", "email", "website", "body"].contains(&form_field(&e.field))) {
        form.push_str(&format!(
            "<p class=\"nw-field-error\">{}: {}</p>",
            escape(form_field(&e.field)),
            escape(&e.message)
        ));
    }
    let hidden = [
        ("form_token", data.form_token.as_str()),
        ("idempotency_key", nonce.as_str()),
        ("return_to", return_to.as_deref().unwrap_or_default()),
        ("lang", ctx.lang),
    ];
    form.push_str(
        "<p class=\"nw-hp\" aria-hidden=\"true\"><input name=\"website_confirm\" tabindex=\"-1\" autocomplete=\"off\" \
         value=\"\"></p>",
    );
    for (name, value) in hidden {
        form.push_str(&format!("<input type=\"hidden\" name=\"{name}\" value=\"{}\">", escape(value)));
    }
    form.push_str("<p><button type=\"submit\">OK</button></p></form>");
    form
}

/// [`render`] through the page cache: one render per article, query and public base until a
/// write to the article forgets it (every write that forgets its comment pages). Answers the
/// ETag and the HTML.
pub async fn cached(state: &AppState, slug: &Slug, query: &WidgetQuery, public: &Url) -> ApiResult<(String, Bytes)> {
    let checked = query.check()?;
    let key = format!("widget {public} {}", checked.key);
    state
        .pages
        .get_or_build(slug.as_str(), key, || async {
            let html = render(state, slug, query, None, public).await?;
            let body = Bytes::from(html);
            Ok::<_, ApiError>((cache::etag(&body), body))
        })
        .await
}

/// Reads back the `lang` that [`wrap`] writes first on the root.
fn rendered_lang(html: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(&html[..html.len().min(512)]).ok()?;
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
    let (etag, body) = cached(&state, &slug, &query, &public).await?;
    let lang = rendered_lang(&body);
    let mut response = cache::answer(&etag, body, "text/html; charset=utf-8", &headers)?;
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
