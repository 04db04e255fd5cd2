//! Whole HTML pages the server answers itself: the answers of the no-JavaScript comment form (a
//! refused form shown again, "awaiting moderation", an unknown article). Never cached: they may
//! hold what the reader just typed.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::redirect::Origins;
use crate::texts;

/// `text` with `&`, `<`, `>`, `"` and `'` escaped: safe in text and in quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The policy of a form page: its own stylesheet, any image, and forms (and the redirects that
/// follow them, which `form-action` also governs) only to this server, the article's site and
/// the allowed origins.
pub fn csp(origins: &Origins<'_>) -> String {
    let mut form_action = vec!["'self'".to_owned()];
    let listed = origins.own.iter().chain(origins.canonical).map(|u| u.origin().ascii_serialization());
    let allowed = origins.allowed.iter().filter(|a| a.as_str() != "*").map(|a| a.trim_end_matches('/').to_owned());
    for origin in listed.chain(allowed) {
        // An origin is all a source needs; anything odd (a space, a quote) is left out.
        if !form_action.contains(&origin) && origin.bytes().all(|b| b.is_ascii_graphic() && b != b';' && b != b'\'') {
            form_action.push(origin);
        }
    }
    format!("default-src 'none'; style-src 'self'; img-src *; form-action {}", form_action.join(" "))
}

/// `<!doctype html>` around `body_html` (already HTML), in `lang` and its direction.
pub fn document(lang: &str, title: &str, body_html: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"{lang}\" dir=\"{dir}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>{title}</title>\
         <link rel=\"stylesheet\" href=\"/widget.css\"></head>\n<body>{body_html}</body></html>\n",
        lang = escape(lang),
        dir = texts::dir(lang),
        title = escape(title),
    )
}

/// A page answer with `status`, never cached, under `csp`.
pub fn answer(status: StatusCode, lang: &str, html: String, csp: &str) -> Response {
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Ok(csp) = HeaderValue::from_str(csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    if let Ok(lang) = HeaderValue::from_str(lang) {
        headers.insert(header::CONTENT_LANGUAGE, lang);
    }
    response
}

/// A short page: a title, a sentence and, when there is one, a link back.
pub fn message(status: StatusCode, lang: &str, title: &str, text: &str, back: Option<&str>, csp: &str) -> Response {
    let link = back
        .map(|href| format!("<p><a href=\"{}\">{}</a></p>", escape(href), escape(texts::texts(lang).back)))
        .unwrap_or_default();
    let body = format!(
        "<main class=\"nw-page\" data-nw-page><h1>{}</h1><p role=\"status\">{}</p>{link}</main>",
        escape(title),
        escape(text)
    );
    answer(status, lang, document(lang, title, &body), csp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_policies() {
        assert_eq!(escape(r#"<a href="x">'&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
        let own = [url::Url::parse("http://127.0.0.1:8080/").unwrap()];
        let canonical = url::Url::parse("https://news.example/story").unwrap();
        let allowed = ["*".to_owned(), "https://allowed.example/".to_owned(), "https://x;y".to_owned()];
        let origins = Origins { own: &own, canonical: Some(&canonical), allowed: &allowed };
        assert_eq!(
            csp(&origins),
            "default-src 'none'; style-src 'self'; img-src *; form-action 'self' http://127.0.0.1:8080 \
             https://news.example https://allowed.example"
        );
    }
}
