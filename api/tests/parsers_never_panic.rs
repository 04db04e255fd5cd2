//! Every parser in `news-widget-api` over arbitrary Unicode (multi-byte and control characters
//! included): it answers `Ok` or `Err`, never panics, and what it accepts parses again to itself.

#![cfg(not(target_arch = "wasm32"))]

use news_widget_api::*;
use proptest::prelude::*;

/// Strings that stress byte/char boundaries: any Unicode, and URL- and srcset-like shapes with
/// multi-byte and control characters in the places parsers split at.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z0-9\\-]{0,130}",
        "(https?|javascript|data|mailto|JaVa\tScript)?:?(//)?[a-zé\u{1F600}\u{0}./#?:]{0,40}",
        "[/a-z.é]{1,12}( [0-9.]{0,4}[wxé\u{301}\u{1F600}]?)?(, ?[/a-z]{1,8}( [0-9]{1,3}[wxé]?)?){0,3}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,3})?(Z|[+\\-][0-9]{2}:[0-9]{2}|é)?",
        "[a-zé.+_\\-]{0,20}@[a-zé0-9.\\-]{0,20}",
        "[a-zA-Z]{2,3}(-[a-zA-Z0-9é]{1,9}){0,3}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn strings(raw in text()) {
        if let Ok(slug) = Slug::parse(&raw) { prop_assert_eq!(Slug::parse(slug.as_str()), Ok(slug)); }
        if let Ok(tag) = LangTag::parse(&raw) { prop_assert_eq!(LangTag::parse(tag.as_str()), Ok(tag.clone())); let _ = tag.primary(); }
        if let Ok(t) = Timestamp::parse(&raw) { prop_assert_eq!(Timestamp::parse(t.as_str()), Ok(t)); }
        for policy in [UrlPolicy::Link, UrlPolicy::Media, UrlPolicy::Web] {
            if let Ok(url) = SafeUrl::parse(&raw, policy) {
                prop_assert_eq!(SafeUrl::parse(url.as_str(), policy), Ok(url.clone()));
                let lower = url.as_str().to_ascii_lowercase();
                prop_assert!(!lower.starts_with("javascript:") && !lower.starts_with("data:") && !lower.starts_with("vbscript:"));
            }
        }
        if let Ok(set) = parse_srcset(&raw) { prop_assert_eq!(parse_srcset(&set), Ok(set.clone())); }
        if let Ok(line) = line_text(&raw, 0, 50) { prop_assert_eq!(line_text(&line, 0, 50), Ok(line.clone())); }
        let _ = is_host_name(&raw);
        if let Ok(name) = parse_name(&raw) { prop_assert_eq!(parse_name(&name), Ok(name.clone())); }
        if let Ok(email) = parse_email(&raw) { prop_assert_eq!(parse_email(&email), Ok(email.clone())); }
        if let Ok(Some(site)) = parse_website(&raw) { prop_assert_eq!(parse_website(site.as_str()), Ok(Some(site))); }
        if let Ok(body) = parse_body(&raw) { prop_assert_eq!(parse_body(&body), Ok(body.clone())); }
        if let Ok(size) = PageSize::parse(&raw) { prop_assert_eq!(PageSize::parse(&size.get().to_string()), Ok(size)); }
        if let Ok(token) = ReaderToken::parse(&raw) { prop_assert_eq!(ReaderToken::parse(token.as_str()), Ok(token.clone())); }
        let _ = CommentStatus::parse(&raw);
        for (element, attrs) in BODY_ELEMENTS {
            for attribute in *attrs {
                let _ = body_attribute_ok(element, attribute, &raw);
            }
        }
    }

    #[test]
    fn inputs(name in text(), email in text(), site in text(), body in text(), srcset in text(), src in text()) {
        let input = CommentInput { author_name: name.clone(), author_email: email, author_url: Some(site.clone()), body: body.clone(), ..Default::default() };
        if let Ok(new) = input.parse() {
            prop_assert_eq!(parse_body(&new.body), Ok(new.body.clone()));
        }
        let article = ArticleInput {
            lang: name, title: body.clone(), body_html: body, published_at: site.clone(), canonical_url: Some(site),
            image: Some(ImageInput { src, alt: srcset.clone(), srcset: Some(srcset), ..Default::default() }),
            ..Default::default()
        };
        if let Ok(parsed) = article.parse(Slug::parse("a").unwrap()) {
            // What the API serves deserializes again to the same article.
            let json = serde_json::to_string(&parsed).unwrap();
            prop_assert_eq!(serde_json::from_str::<Article>(&json).unwrap(), parsed);
        }
    }

    /// Whatever JSON a backend sends, the wire types parse it or refuse it.
    #[test]
    fn served_json(id in any::<i64>(), parent in any::<Option<i64>>(), url in text(), avatar in text(), name in text(),
                   total in any::<i64>(), counts in proptest::array::uniform5(any::<u64>()), raw in any::<String>()) {
        let comment = serde_json::json!({"id": id, "parent_id": parent, "author_name": name, "author_url": url,
            "avatar": avatar, "body": raw, "created_at": "2024-07-05T09:00:00Z", "status": "approved"});
        if let Ok(c) = serde_json::from_value::<Comment>(comment.clone()) {
            prop_assert!(comment_id_ok(c.id) && c.parent_id != Some(c.id));
            let again: Comment = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
            prop_assert_eq!(again, c);
        }
        let page = serde_json::json!({"comments": [comment.clone(), raw.clone(), comment], "total": total});
        if let Ok(p) = serde_json::from_value::<CommentPage>(page) {
            prop_assert_eq!(p.comments.len() + p.refused.len(), 3);
        }
        let rating = serde_json::json!({"histogram": counts, "count": total});
        if let Ok(r) = serde_json::from_value::<RatingSummary>(rating) {
            prop_assert!(r.average.is_finite() && (0.0..=5.0).contains(&r.average));
            prop_assert_eq!(r.count, counts.iter().sum::<u64>());
        }
        for json in [raw.as_str(), "{\"slug\":", "[", "{\"comments\": [{}], \"total\": 1}"] {
            let _ = serde_json::from_str::<Article>(json);
            let _ = serde_json::from_str::<CommentPage>(json);
            let _ = serde_json::from_str::<RatingSummary>(json);
            let _ = serde_json::from_str::<PostedComment>(json);
        }
    }
}

#[test]
fn a_multi_byte_descriptor_is_refused_not_a_panic() {
    for bad in ["/a.png 1é", "/a.png é", "/a.png 2\u{1F600}", "/a.png 1w\u{301}"] {
        assert!(parse_srcset(bad).is_err(), "{bad:?}");
        assert!(!body_attribute_ok("img", "srcset", bad));
    }
    assert!(parse_srcset("/a.png 1x, /b.png 640w").is_ok());
}
