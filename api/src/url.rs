//! URL reference resolution (RFC 3986 §5.2), pure, so that the server and the wasm resolve a
//! URL the backend sent (an image's `src`) to the very same string.

/// The parts of an absolute URL or a reference: `scheme:` `//authority` `path` `?query` `#fragment`.
struct Parts<'a> {
    scheme: Option<&'a str>,
    authority: Option<&'a str>,
    path: &'a str,
    query: Option<&'a str>,
    fragment: Option<&'a str>,
}

fn split(s: &str) -> Parts<'_> {
    let (s, fragment) = match s.split_once('#') {
        Some((a, f)) => (a, Some(f)),
        None => (s, None),
    };
    let (s, query) = match s.split_once('?') {
        Some((a, q)) => (a, Some(q)),
        None => (s, None),
    };
    let scheme_end = s.find(':').filter(|&i| {
        i > 0
            && s[..i].starts_with(|c: char| c.is_ascii_alphabetic())
            && s[..i].chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    let (scheme, rest) = match scheme_end {
        Some(i) => (Some(&s[..i]), &s[i + 1..]),
        None => (None, s),
    };
    let (authority, path) = match rest.strip_prefix("//") {
        Some(after) => {
            let end = after.find('/').unwrap_or(after.len());
            (Some(&after[..end]), &after[end..])
        }
        None => (None, rest),
    };
    Parts { scheme, authority, path, query, fragment }
}

/// RFC 3986 §5.2.4.
fn remove_dot_segments(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let absolute = path.starts_with('/');
    let segments: Vec<&str> = path.split('/').collect();
    let last = segments.len().saturating_sub(1);
    for (i, segment) in segments.iter().enumerate() {
        if i == 0 && absolute {
            continue;
        }
        match *segment {
            "." => {
                if i == last {
                    out.push("");
                }
            }
            ".." => {
                out.pop();
                if i == last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    let joined = out.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

/// `reference` resolved against the absolute URL `base` (RFC 3986 §5.2.2): `/media/a.svg`
/// against `https://news.example/api/v1` is `https://news.example/media/a.svg`. An absolute
/// reference is answered as it is. No normalisation beyond dot segments: the host keeps its case.
pub fn join(base: &str, reference: &str) -> String {
    let r = split(reference.trim());
    if r.scheme.is_some() {
        return reference.trim().to_owned();
    }
    let b = split(base);
    let mut out = String::new();
    if let Some(scheme) = b.scheme {
        out.push_str(scheme);
        out.push(':');
    }
    let (authority, path, query) = if let Some(authority) = r.authority {
        (Some(authority), remove_dot_segments(r.path), r.query)
    } else if r.path.is_empty() {
        (b.authority, b.path.to_owned(), r.query.or(b.query))
    } else if r.path.starts_with('/') {
        (b.authority, remove_dot_segments(r.path), r.query)
    } else {
        let merged = if b.authority.is_some() && b.path.is_empty() {
            format!("/{}", r.path)
        } else {
            match b.path.rfind('/') {
                Some(i) => format!("{}{}", &b.path[..=i], r.path),
                None => r.path.to_owned(),
            }
        };
        (b.authority, remove_dot_segments(&merged), r.query)
    };
    if let Some(authority) = authority {
        out.push_str("//");
        out.push_str(authority);
        if path.is_empty() {
            out.push('/');
        }
    }
    out.push_str(&path);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    if let Some(f) = r.fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::join;

    #[test]
    fn rfc_3986_examples() {
        let base = "http://a/b/c/d;p?q";
        for (reference, want) in [
            ("g:h", "g:h"),
            ("g", "http://a/b/c/g"),
            ("./g", "http://a/b/c/g"),
            ("g/", "http://a/b/c/g/"),
            ("/g", "http://a/g"),
            ("//g", "http://g/"),
            ("?y", "http://a/b/c/d;p?y"),
            ("g?y", "http://a/b/c/g?y"),
            ("#s", "http://a/b/c/d;p?q#s"),
            ("g#s", "http://a/b/c/g#s"),
            ("", "http://a/b/c/d;p?q"),
            (".", "http://a/b/c/"),
            ("./", "http://a/b/c/"),
            ("..", "http://a/b/"),
            ("../g", "http://a/b/g"),
            ("../..", "http://a/"),
            ("../../g", "http://a/g"),
            ("../../../g", "http://a/g"),
            ("/./g", "http://a/g"),
            ("/../g", "http://a/g"),
            ("g.", "http://a/b/c/g."),
            ("..g", "http://a/b/c/..g"),
            ("./../g", "http://a/b/g"),
            ("g/./h", "http://a/b/c/g/h"),
            ("g/../h", "http://a/b/c/h"),
        ] {
            assert_eq!(join(base, reference), want, "{reference}");
        }
    }

    #[test]
    fn media_against_the_api() {
        assert_eq!(join("https://news.example/api/v1", "/media/a.svg"), "https://news.example/media/a.svg");
        assert_eq!(join("https://news.example/api/v1", "media/a.svg"), "https://news.example/api/media/a.svg");
        assert_eq!(join("https://news.example", "a.svg"), "https://news.example/a.svg");
        assert_eq!(join("https://x.example/api/v1", "https://cdn.example/i.png"), "https://cdn.example/i.png");
    }
}
