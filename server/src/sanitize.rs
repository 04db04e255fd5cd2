//! The article body allowlist, applied on every write.

use std::collections::HashSet;
use std::sync::OnceLock;

use news_widget_api::{parse_srcset, SafeUrl, UrlPolicy};

/// The elements an article body may hold, with the attributes each may carry.
pub const ALLOWED: &[(&str, &[&str])] = &[
    ("p", &[]),
    ("h2", &[]),
    ("h3", &[]),
    ("h4", &[]),
    ("a", &["href"]),
    ("em", &[]),
    ("strong", &[]),
    ("ul", &[]),
    ("ol", &[]),
    ("li", &[]),
    ("blockquote", &[]),
    ("figure", &[]),
    ("figcaption", &[]),
    ("img", &["src", "alt", "width", "height", "srcset"]),
    ("br", &[]),
];

/// Elements dropped with everything inside them, rather than unwrapped to their text.
const DROP_WITH_CONTENT: &[&str] = &[
    "script",
    "style",
    "template",
    "noscript",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "svg",
    "math",
    "textarea",
    "select",
    "title",
    "xmp",
    "noembed",
    "noframes",
    "plaintext",
    "head",
];

fn cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut b = ammonia::Builder::empty();
        b.tags(ALLOWED.iter().map(|(tag, _)| *tag).collect())
            .tag_attributes(ALLOWED.iter().map(|(tag, attrs)| (*tag, attrs.iter().copied().collect())).collect())
            .clean_content_tags(DROP_WITH_CONTENT.iter().copied().collect())
            .url_schemes(HashSet::from(["http", "https", "mailto"]))
            .url_relative(ammonia::UrlRelative::PassThrough)
            .link_rel(Some("noopener noreferrer"))
            .strip_comments(true)
            .attribute_filter(|element, attribute, value| {
                let keep = match (element, attribute) {
                    ("a", "href") => SafeUrl::parse(value, UrlPolicy::Link).is_ok(),
                    ("img", "src") => SafeUrl::parse(value, UrlPolicy::Media).is_ok(),
                    ("img", "srcset") => parse_srcset(value).is_ok(),
                    ("img", "width" | "height") => value.parse::<u16>().is_ok_and(|n| n > 0),
                    _ => true,
                };
                keep.then(|| value.into())
            });
        b
    })
}

/// Cleans an article body down to the allowlist.
pub fn article_body(html: &str) -> String {
    cleaner().clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::article_body;

    #[test]
    fn keeps_news_markup_and_drops_the_rest() {
        let dirty = r#"<h2 onclick="x()">Titre</h2><p>Un <a href="https://ex.org/" target=_blank>lien</a> et
            <a href="javascript:alert(1)">un piège</a><script>alert(1)</script><style>p{}</style>
            <img src="data:image/png;base64,AA" alt="d"><img src="/media/a.svg" alt="ok" width="10" onerror="x()">
            <svg><text>svg text</text></svg><span>gardé</span></p>"#;
        let clean = article_body(dirty);
        assert!(
            clean.starts_with("<h2>Titre</h2><p>Un <a href=\"https://ex.org/\" rel=\"noopener noreferrer\">lien</a>")
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
