//! The article body allowlist, applied on every write; and the same allowlist once more when
//! the server renders a body, with its relative addresses made absolute.

use std::collections::HashSet;
use std::sync::OnceLock;

use news_widget_api::{body_attribute_ok, BODY_DROPPED, BODY_ELEMENTS, BODY_LINK_REL};

/// The allowlist, shared by [`article_body`] and [`rendered_body`] (which also lets through the
/// `loading`/`decoding` it sets on images).
fn allowlist(rendered: bool) -> ammonia::Builder<'static> {
    {
        let mut b = ammonia::Builder::empty();
        b.tags(BODY_ELEMENTS.iter().map(|(tag, _)| *tag).collect())
            .tag_attributes(BODY_ELEMENTS.iter().map(|(tag, attrs)| (*tag, attrs.iter().copied().collect())).collect())
            .clean_content_tags(BODY_DROPPED.iter().copied().collect())
            .url_schemes(HashSet::from(["http", "https", "mailto"]))
            .url_relative(ammonia::UrlRelative::PassThrough)
            .link_rel(Some(BODY_LINK_REL))
            .strip_comments(true)
            .attribute_filter(move |element, attribute, value| {
                // The filter also sees the `rel` that `link_rel` adds; keep exactly that one.
                let ours = element == "a" && attribute == "rel" && value == BODY_LINK_REL
                    || rendered
                        && element == "img"
                        && matches!((attribute, value), ("loading", "lazy") | ("decoding", "async"));
                (ours || body_attribute_ok(element, attribute, value)).then(|| value.into())
            });
        b
    }
}

fn cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| allowlist(false))
}

/// A stored (already clean) body as the server renders it into the widget: the same allowlist,
/// relative `href`/`src` resolved against `base` (the server's public URL, so a host page on
/// another origin loads `/media/…` from this server, as the widget's client-side resolve does),
/// and images that load lazily. The widget's SSR writes this as raw HTML; the lead passes it
/// to `news_widget::ssr::render`.
pub fn rendered_body(html: &str, base: &url::Url) -> String {
    let mut b = allowlist(true);
    b.url_relative(ammonia::UrlRelative::RewriteWithBase(base.clone()))
        .set_tag_attribute_value("img", "loading", "lazy")
        .set_tag_attribute_value("img", "decoding", "async");
    b.clean(html).to_string()
}

/// The words of a clean body's text, as the widget counts them in the browser (its text,
/// split at white space): for the reading time.
pub fn words(html: &str) -> usize {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            // Tags do not split words (`<em>a</em>b` is one word), as in the DOM's text.
            '>' if in_tag => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&nbsp;", " ").split_whitespace().count()
}

/// Cleans an article body down to the allowlist.
pub fn article_body(html: &str) -> String {
    cleaner().clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::{article_body, rendered_body};

    #[test]
    fn a_rendered_body_has_absolute_addresses_and_lazy_images() {
        let base = url::Url::parse("https://widget.example/").unwrap();
        let html = rendered_body(
            r#"<p><a href="/a">a</a> <img src="/media/x.svg" alt="x"> <a href="https://o.example/">o</a></p>"#,
            &base,
        );
        assert!(html.contains(r#"<a href="https://widget.example/a" rel="noopener noreferrer">a</a>"#), "{html}");
        assert!(html.contains(r#"src="https://widget.example/media/x.svg""#), "{html}");
        assert!(html.contains(r#"loading="lazy""#) && html.contains(r#"decoding="async""#), "{html}");
        assert!(html.contains(r#"href="https://o.example/""#), "{html}");
    }

    #[test]
    fn keeps_news_markup_and_drops_the_rest() {
        let dirty = r#"<h2 onclick="x()">Titre</h2><p>Un <a href="https://ex.org/" target=_blank>lien</a> et
            <a href="javascript:alert(1)">un piège</a><script>alert(1)</script><style>p{}</style>
            <img src="data:image/png;base64,AA" alt="d"><img src="/media/a.svg" alt="ok" width="10" onerror="x()">
            <svg><text>svg text</text></svg><span>gardé</span></p>"#;
        let clean = article_body(dirty);
        assert!(
            clean.starts_with("<h2>Titre</h2><p>Un <a href=\"https://ex.org/\" rel=\"noopener noreferrer\">lien</a>"),
            "{clean}"
        );
        assert!(clean.contains("<a rel=\"noopener noreferrer\">un piège</a>"), "{clean}");
        assert!(clean.contains("<img alt=\"d\">"), "{clean}");
        assert!(clean.contains(r#"<img src="/media/a.svg" alt="ok" width="10">"#), "{clean}");
        assert!(clean.contains("gardé"));
        for gone in ["script", "alert", "style", "svg text", "onerror", "onclick", "data:"] {
            assert!(!clean.contains(gone), "{gone} survived in {clean}");
        }
    }
}
