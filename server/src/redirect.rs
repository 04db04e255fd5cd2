//! Where the no-JavaScript comment form may send the reader back to, and which pages may post
//! it: the rules that keep the form route from being an open redirect, or a way for another site
//! to post through its readers' browsers (a plain form POST needs no CORS preflight).
//!
//! Pure functions, so that every rule has a line in the tables below.

use url::Url;

/// Why a return address or an `Origin` was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal(pub &'static str);

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// The origins a page of this server, or a host page, may have: this server's own (its public
/// URL, or `http(s)://{Host}` without one), the article's canonical URL's, and every
/// `--allowed-origin` but `*`.
#[derive(Clone, Debug)]
pub struct Origins<'a> {
    /// This server's own origins.
    pub own: &'a [Url],
    pub canonical: Option<&'a Url>,
    /// `--allowed-origin` entries as typed; `*` never counts here.
    pub allowed: &'a [String],
}

impl Origins<'_> {
    /// Whether `url`'s exact origin (scheme, host, port) is one of these.
    fn contains(&self, url: &Url) -> bool {
        let origin = url.origin();
        if !origin.is_tuple() {
            return false;
        }
        self.own.iter().chain(self.canonical).any(|o| o.origin() == origin)
            || self
                .allowed
                .iter()
                .filter(|a| a.as_str() != "*")
                .filter_map(|a| Url::parse(a.trim_end_matches('/')).ok())
                .any(|a| a.origin() == origin)
    }
}

/// Where to send the reader after their comment is stored, as the value of a `Location`
/// header (without a fragment: the caller adds `#nw-c-{id}`).
///
/// - a path-absolute `/…` (not `//…`, not `/\…`) is a page of this server, kept as a path;
/// - an absolute `http(s)` URL with no user name or password whose exact origin is one of
///   `origins` (this server's, the canonical URL's, an allowed one) is kept as parsed;
/// - nothing (absent or empty) is the article's canonical URL; an article without one gives
///   `Ok(None)`, and the caller answers a small page instead of a redirect (refusing would
///   leave a reader on a host page that sends no address unable to post at all);
/// - anything else (another site, `javascript:`, a relative path, control characters, an
///   address with user info) is refused, before anything is stored.
pub fn return_to(raw: Option<&str>, origins: &Origins<'_>) -> Result<Option<String>, Refusal> {
    let raw = raw.unwrap_or_default();
    if raw.is_empty() {
        return Ok(origins.canonical.map(|c| without_fragment(c.clone())));
    }
    if raw.len() > 2048 {
        return Err(Refusal("is longer than 2048 characters"));
    }
    // URL parsers drop tabs and line breaks anywhere and trim spaces: `/\t/evil.example` would
    // become `//evil.example`. Refuse them rather than guess.
    if raw.chars().any(|c| c.is_control()) || raw.trim() != raw {
        return Err(Refusal("holds control characters or surrounding spaces"));
    }
    if let Some(rest) = raw.strip_prefix('/') {
        if rest.starts_with('/') || rest.starts_with('\\') {
            return Err(Refusal("is not a path of this server nor an address of an allowed site"));
        }
        // Normalised (percent-encoded, dot segments removed) against any base: only the path
        // and query are kept, so the base's host never matters.
        let base = Url::parse("http://localhost/").expect("a valid base");
        let url = base.join(raw).map_err(|_| Refusal("is not a valid path"))?;
        if url.origin() != base.origin() {
            return Err(Refusal("is not a path of this server"));
        }
        let mut path = url[url::Position::BeforePath..url::Position::AfterQuery].to_owned();
        if path.starts_with("//") {
            path.replace_range(..1, "/.");
        }
        return Ok(Some(path));
    }
    let url = Url::parse(raw).map_err(|_| Refusal("is neither a path of this server (/…) nor an absolute address"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Refusal("must be an http or https address"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Refusal("may not hold a user name or password"));
    }
    if !origins.contains(&url) {
        return Err(Refusal("is on a site that is neither this article's nor an allowed origin"));
    }
    Ok(Some(without_fragment(url)))
}

fn without_fragment(mut url: Url) -> String {
    url.set_fragment(None);
    url.into()
}

/// Whether a form post with this `Origin` header may go through: it must be one of `origins`
/// (`null`, sent by sandboxed and opaque pages, is refused). No header at all (old browsers,
/// curl) is accepted: the header is what browsers add to cross-site posts.
pub fn origin_allowed(header: Option<&str>, origins: &Origins<'_>) -> Result<(), Refusal> {
    let Some(value) = header else { return Ok(()) };
    match Url::parse(value.trim()) {
        Ok(url) if url.path() == "/" && url.username().is_empty() && origins.contains(&url) => Ok(()),
        _ => Err(Refusal("this form may be sent only from this site, the article's own site or an allowed origin")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn return_addresses() {
        let own = [url("http://127.0.0.1:8080/")];
        let canonical = url("https://news.example/2024/story#top");
        let allowed = ["https://allowed.example".to_owned(), "*".to_owned()];
        let origins = Origins { own: &own, canonical: Some(&canonical), allowed: &allowed };
        let ok = |raw: &str, want: &str| {
            assert_eq!(return_to(Some(raw), &origins), Ok(Some(want.to_owned())), "{raw:?}");
        };
        ok("/", "/");
        ok("/demo/page?x=1#frag", "/demo/page?x=1");
        ok("/a/../b c", "/b%20c");
        ok("/a/..//evil.example", "/./evil.example");
        ok("https://allowed.example/a", "https://allowed.example/a");
        ok("https://allowed.example:443/a#b", "https://allowed.example/a");
        ok("https://news.example/other", "https://news.example/other");
        ok("http://127.0.0.1:8080/demo", "http://127.0.0.1:8080/demo");
        for bad in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "\t//evil.example",
            " /x",
            "https://allowed.example@evil.example",
            "https://user:pw@allowed.example/",
            "https://allowed.example.evil.example",
            "http://allowed.example/",
            "https://allowed.example:8443/",
            "http://news.example/",
            "javascript:alert(1)",
            "data:text/html,hi",
            "evil.example",
            "./x",
            "https:evil.example",
            "https:/evil.example",
            "/x\n",
        ] {
            assert!(return_to(Some(bad), &origins).is_err(), "{bad:?} was accepted");
        }
        assert_eq!(return_to(None, &origins), Ok(Some("https://news.example/2024/story".into())));
        assert_eq!(return_to(Some(""), &origins), Ok(Some("https://news.example/2024/story".into())));
        let no_canonical = Origins { canonical: None, ..origins.clone() };
        assert_eq!(return_to(None, &no_canonical), Ok(None));
        // `*` alone allows no foreign site.
        let star = ["*".to_owned()];
        let any = Origins { own: &own, canonical: None, allowed: &star };
        assert!(return_to(Some("https://evil.example/"), &any).is_err());
    }

    #[test]
    fn origins() {
        let own = [url("http://127.0.0.1:8080/")];
        let allowed = ["https://allowed.example/".to_owned()];
        let origins = Origins { own: &own, canonical: None, allowed: &allowed };
        for good in [None, Some("http://127.0.0.1:8080"), Some("https://allowed.example")] {
            assert_eq!(origin_allowed(good, &origins), Ok(()), "{good:?}");
        }
        for bad in ["null", "https://evil.example", "http://127.0.0.1:8081", "https://allowed.example.evil.example", ""]
        {
            assert!(origin_allowed(Some(bad), &origins).is_err(), "{bad:?}");
        }
    }
}
