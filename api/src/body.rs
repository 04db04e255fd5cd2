//! The allowlist of an article body: the server applies it with ammonia on write, the widget
//! again in the browser, from this one definition.

use crate::article::parse_srcset;
use crate::parse::{SafeUrl, UrlPolicy};

/// The elements an article body may hold, with the attributes each may carry.
pub const BODY_ELEMENTS: &[(&str, &[&str])] = &[
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

/// Elements dropped with everything inside them; any other element not allowed is unwrapped
/// to its content.
pub const BODY_DROPPED: &[&str] = &[
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
    "form",
];

/// Common containers and inline formatting a CMS emits: replaced by their content. Any other
/// element neither allowed nor dropped is unwrapped too; this list is what the browser's
/// `setHTML` is told to unwrap, since its allowlist removes whatever it does not name
/// (`html` may not be listed there; the walk unwraps it as any other unknown element).
pub const BODY_UNWRAPPED: &[&str] = &[
    "body", "div", "span", "section", "article", "header", "footer", "main", "aside", "nav", "hgroup", "h1", "h5",
    "h6", "b", "i", "u", "s", "small", "sub", "sup", "mark", "cite", "q", "abbr", "time", "data", "code", "pre", "kbd",
    "samp", "var", "del", "ins", "dfn", "bdi", "bdo", "big", "center", "font", "tt", "strike", "address", "table",
    "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "dl", "dt", "dd", "label", "details", "summary", "picture",
    "ruby", "rt", "rp", "wbr", "nobr",
];

/// The `rel` every link of a body gets.
pub const BODY_LINK_REL: &str = "noopener noreferrer";

/// The attributes `element` may carry in a body.
pub fn body_attributes(element: &str) -> Option<&'static [&'static str]> {
    BODY_ELEMENTS.iter().find(|(name, _)| *name == element).map(|(_, attrs)| *attrs)
}

/// Whether `attribute="value"` may stay on `element`: allowlisted, and its URL or number safe.
pub fn body_attribute_ok(element: &str, attribute: &str, value: &str) -> bool {
    if !body_attributes(element).is_some_and(|attrs| attrs.contains(&attribute)) {
        return false;
    }
    match (element, attribute) {
        ("a", "href") => SafeUrl::parse(value, UrlPolicy::Link).is_ok(),
        ("img", "src") => SafeUrl::parse(value, UrlPolicy::Media).is_ok(),
        ("img", "srcset") => parse_srcset(value).is_ok(),
        ("img", "width" | "height") => value.parse::<u16>().is_ok_and(|n| n > 0),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes() {
        assert!(body_attribute_ok("a", "href", "https://example.org/"));
        assert!(!body_attribute_ok("a", "href", "javascript:alert(1)"));
        assert!(!body_attribute_ok("a", "onclick", "x"));
        assert!(!body_attribute_ok("p", "style", "color:red"));
        assert!(!body_attribute_ok("script", "src", "/a.js"));
        assert!(body_attribute_ok("img", "width", "640"));
        assert!(!body_attribute_ok("img", "width", "100%"));
        assert!(!body_attribute_ok("img", "src", "data:image/png;base64,AA"));
        assert!(!body_attribute_ok("img", "srcset", "a.png 1x, javascript:alert(1) 2x"));
    }
}
