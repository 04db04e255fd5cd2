//! The demo page as a host would serve it: `index.html` from the static folder with the widget's
//! HTML already inside its `[data-news-widget]` element (the README's "included by the host"
//! recipe, done by our own server). The article and its comments are then in the page's HTML, a
//! reader without JavaScript or WebAssembly reads them and posts through the plain form, and the
//! wasm hydrates what is there.

use std::path::{Path, PathBuf};

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::widget::{self, WidgetQuery};
use crate::{routes, AppState};

/// The attribute that marks the widget's element.
const MARKER: &str = "data-news-widget";

/// `GET /` and `GET /index.html` with a static folder: its `index.html`, widget included. If the
/// page has no widget element, or the render fails (no such article yet), the page goes out as it
/// is and the wasm renders the widget, as before.
pub async fn page(State(state): State<AppState>, dir: PathBuf, headers: HeaderMap) -> Response {
    let Ok(html) = tokio::fs::read_to_string(dir.join("index.html")).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let included = match Element::find(&html) {
        Some(element) => include(&state, &html, &element, &headers).await,
        None => None,
    };
    let mut response = included.unwrap_or(html).into_response();
    let out = response.headers_mut();
    out.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    // The comments in it change with every post: always ask again (cheap: the fragment is cached).
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

async fn include(state: &AppState, html: &str, element: &Element<'_>, headers: &HeaderMap) -> Option<String> {
    let slug = routes::slug(element.attr("data-article")?).ok()?;
    let attr = |name: &str| element.attr(&format!("data-{name}")).map(str::to_owned);
    let mut query = WidgetQuery {
        lang: attr("lang").or_else(|| page_lang(html).map(str::to_owned)),
        parts: attr("parts"),
        theme: attr("theme"),
        share_networks: attr("share-networks"),
        share_tag: attr("share-tag"),
        share_style: attr("share-style"),
        comments_per_page: attr("comments-per-page"),
        // A plain post comes back to this page; its canonical link is what it shares.
        return_to: Some("/".into()),
        page: canonical_link(html).map(str::to_owned),
        ..WidgetQuery::default()
    };
    if element.attr("data-isolation").map(str::trim) != Some("none") {
        query.embed = Some("dsd".into());
    }
    let public = state.public_base(headers);
    match widget::cached(state, &slug, &query, &public).await {
        Ok(fragment) => {
            let fragment = std::str::from_utf8(fragment.body()).ok()?;
            let page = format!("{}{fragment}{}", &html[..element.inner_start], &html[element.inner_start..]);
            // A stylesheet inside a shadow root does not hold the first paint back: the same sheet
            // in the page's <head> does (and the shadow root's link then finds it loaded), so
            // the first paint is already styled and nothing moves when the styles come.
            let css = public.join("widget.css").map(String::from).unwrap_or_else(|_| "/widget.css".into());
            let link = format!("<link rel=\"stylesheet\" href=\"{}\">\n</head>", crate::page::escape(&css));
            Some(page.replacen("</head>", &link, 1))
        }
        Err(e) => {
            tracing::warn!(slug = %slug, status = e.problem.status, "demo page: the widget is not included; the wasm renders it");
            None
        }
    }
}

/// The `lang` of the page's `<html>` element, which the widget inherits without `data-lang`.
fn page_lang(html: &str) -> Option<&str> {
    let start = html.find("<html")?;
    let end = start + html[start..].find('>')?;
    attribute(&html[start..end], "lang")
}

/// The page's `<link rel="canonical" href="…">`, which the widget shares when the article has no
/// canonical URL of its own.
fn canonical_link(html: &str) -> Option<&str> {
    let mut from = 0;
    while let Some(at) = html[from..].find("<link").map(|i| i + from) {
        let end = at + html[at..].find('>')?;
        let tag = &html[at..end];
        if attribute(tag, "rel") == Some("canonical") {
            return attribute(tag, "href").filter(|h| h.starts_with("http"));
        }
        from = end;
    }
    None
}

/// The widget element's opening tag in a page, and where its content starts.
struct Element<'a> {
    tag: &'a str,
    inner_start: usize,
}

impl<'a> Element<'a> {
    fn find(html: &'a str) -> Option<Self> {
        let mut from = 0;
        while let Some(at) = html[from..].find('<').map(|i| i + from) {
            // The element itself, not a comment that names it.
            if html[at..].starts_with("<!--") {
                from = at + html[at..].find("-->")? + 3;
                continue;
            }
            let end = at + html[at..].find('>')?;
            let tag = &html[at..end];
            if tag.starts_with("<div") && tag.split_ascii_whitespace().any(|w| w == MARKER) {
                return Some(Self { tag, inner_start: end + 1 });
            }
            from = end + 1;
        }
        None
    }

    fn attr(&self, name: &str) -> Option<&'a str> {
        attribute(self.tag, name)
    }
}

/// The value of `name="…"` in an opening tag (our own page's markup: double quotes).
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = start + tag[start..].find('"')?;
    Some(&tag[start..end])
}

/// Where the demo page lives, if the server serves a static folder.
pub fn index(dir: &Path) -> Option<PathBuf> {
    dir.join("index.html").is_file().then(|| dir.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_element_not_the_comment_about_it() {
        let page = r#"<html lang="fr"><body><!-- The widget: <div data-news-widget> --><div data-news-widget data-article="a-b" data-backend="auto"></div></body>"#;
        let element = Element::find(page).unwrap();
        assert_eq!(element.attr("data-article"), Some("a-b"));
        assert_eq!(element.attr("data-lang"), None);
        assert_eq!(&page[element.inner_start..], "</div></body>");
        assert_eq!(page_lang(page), Some("fr"));
        let head = r#"<link rel="stylesheet" href="/a.css"><link rel="canonical" href="https://news.example/a">"#;
        assert_eq!(canonical_link(head), Some("https://news.example/a"));
    }
}
