//! Server rendering: the fragment a page embeds, and the props both sides render first.
//!
//! The server calls [`render`] (feature `ssr`). What it writes:
//!
//! ```text
//! <div data-nw-root data-nw-build="{BUILD}" data-nw-key="{key}" data-nw-id="{prefix}">{widget}</div>
//! <script type="application/json" data-nw-seed>{seed, every '<' as \u003c}</script>
//! ```
//!
//! wrapped, for Declarative Shadow DOM, in `<template shadowrootmode="open"><link rel="stylesheet"
//! href="{css}">…</template>`. `mount_handle` (in `lib.rs`) reads it back; both live here, in one
//! crate, so that the writer and the reader cannot drift apart.

use std::rc::Rc;
use std::sync::Arc;

use crate::app::WidgetProps;
use crate::config::Config;
use crate::intl::{Formats, Intl, Recording};
use crate::seed::Seed;

/// One server render.
pub struct SsrInput {
    /// The widget's configuration, as `Config::from_attrs` parsed the fragment's query. Its `api`
    /// is the public API base (image URLs and the form's action are built from it).
    pub config: Config,
    /// What the server loaded. Its `intl` is filled by the render.
    pub seed: Seed,
    /// The article body's HTML, **already sanitized by the server**: it is written as it is.
    pub body_html: Option<String>,
    /// The server's formatter (ICU4X); every string it answers is recorded into the seed.
    pub formats: Arc<dyn Formats + Send + Sync>,
    /// The start of every element id (`nw`, or the fragment's `?id=`): letters, digits, `-`, `_`.
    pub id_prefix: String,
    /// `Some(css_href)`: wrap the fragment in a declarative shadow root that links this stylesheet.
    pub dsd_css: Option<String>,
    /// What the host page is about, as the client reads it at mount ([`crate::app::page_info`]):
    /// its address shares an article that has no canonical URL. The loader sends it (`page=`).
    pub page: Option<crate::share::links::Shared>,
}

/// The props of the server's render, and the map its formatter records into. Also used by the
/// browser tests (through `LocalServerRenderer`), so that they render what the server renders.
pub fn server_props(
    config: Config,
    seed: Rc<Seed>,
    body_html: Option<&str>,
    formats: Arc<dyn Formats + Send + Sync>,
    id_prefix: &str,
    page: Option<crate::share::links::Shared>,
) -> (WidgetProps, Arc<std::sync::Mutex<std::collections::BTreeMap<String, String>>>) {
    let recording = Arc::new(Recording::new(formats));
    let map = recording.map.clone();
    let props = WidgetProps {
        config,
        id_prefix: id_prefix.to_owned().into(),
        seed: Some(seed),
        page,
        typed: None,
        body_html: body_html.map(|html| format!("<div class=\"nw-body\">{html}</div>").into()),
        intl: Some(Intl(Rc::new(recording))),
    };
    (props, map)
}

/// `text` as an HTML attribute value (between double quotes).
fn attr(text: &str) -> String {
    text.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The fragment around Yew's `html`, with the seed (whose `intl` holds the recorded strings)
/// and, unless the language is English, its catalogue file (`words`, the JSON of
/// `i18n/{language}.json`: the wasm holds English only, and a hydrating widget needs its words
/// at once).
pub fn fragment(
    html: &str,
    key: &str,
    id_prefix: &str,
    seed: &Seed,
    words: Option<&str>,
    dsd_css: Option<&str>,
) -> String {
    let words = words
        .map(|w| format!("<script type=\"application/json\" data-nw-words>{}</script>", w.replace('<', "\\u003c")))
        .unwrap_or_default();
    let body = format!(
        "<div data-nw-root data-nw-build=\"{}\" data-nw-key=\"{}\" data-nw-id=\"{}\">{html}</div>\
         <script type=\"application/json\" data-nw-seed>{}</script>{words}",
        attr(crate::BUILD),
        attr(key),
        attr(id_prefix),
        crate::seed::write(seed),
    );
    match dsd_css {
        Some(css) => format!(
            "<template shadowrootmode=\"open\"><link rel=\"stylesheet\" href=\"{}\">{body}</template>",
            attr(css)
        ),
        None => body,
    }
}

/// Renders one widget on the server: the complete fragment the page embeds. A browser call left
/// on a render path panics here (on Yew's worker thread), which the server answers as a 500.
#[cfg(feature = "ssr")]
pub async fn render(input: SsrInput) -> String {
    let SsrInput { config, mut seed, body_html, formats, id_prefix, dsd_css, page } = input;
    let key = config.canonical_key();
    let words = crate::i18n::file(&config.lang.primary());
    let for_render = seed.clone();
    let prefix = id_prefix.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    let html = yew::ServerRenderer::<crate::app::Widget>::with_props(move || {
        let (props, map) = server_props(config, Rc::new(for_render), body_html.as_deref(), formats, &prefix, page);
        let _ = tx.send(map);
        props
    })
    .render()
    .await;
    if let Ok(map) = rx.try_recv() {
        seed.intl = map.lock().map(|m| m.clone()).unwrap_or_default();
    }
    fragment(&html, &key, &id_prefix, &seed, words, dsd_css.as_deref())
}

/// A full seed for tests (the host render test and the browser hydration test): an article with
/// an image and a canonical URL, a rating, two threads with a reply, a form token.
#[doc(hidden)]
pub fn sample_seed(lang: &str, now_ms: f64) -> Seed {
    let article = format!(
        r#"{{"slug": "ssr-sample", "lang": "{lang}", "title": "Sample title & <friends>",
        "summary": "A summary.", "body_html": "<p>Hello <em>world</em>.</p>",
        "image": {{ "src": "/media/a.svg", "alt": "An image", "width": 640, "height": 360,
                   "caption": "A caption", "credit": "A photographer" }},
        "author": "Ada", "published_at": "2024-07-05T09:00:00+02:00", "updated_at": "2024-07-06T10:00:00Z",
        "canonical_url": "https://news.example/ssr-sample", "editor_score": 68}}"#
    );
    let comment = |id: i64, parent: &str, body: &str, at: &str| {
        format!(
            r#"{{"id": {id}, "parent_id": {parent}, "author_name": "Reader {id}", "avatar": "a1b2c3d4e5f60718",
            "body": "{body}", "created_at": "{at}", "status": "approved"}}"#
        )
    };
    let page = format!(
        r#"{{"comments": [{}, {}, {}], "next_cursor": "abc", "total": 4}}"#,
        comment(1, "null", "First comment body, with a link https://example.com/x.", "2024-07-05T10:00:00Z"),
        comment(2, "1", "A reply\\nover two lines.", "2024-07-05T11:00:00Z"),
        comment(3, "null", "Third <b>not bold</b> & fine.", "2024-07-06T08:00:00Z"),
    );
    Seed {
        article: Some(crate::json::from_str(&article).expect("a valid article")),
        words: 3,
        rating: Some(news_widget_api::RatingSummary::from_histogram([1, 0, 2, 5, 9], None)),
        comments: Some(crate::json::from_str(&page).expect("a valid page")),
        sort: news_widget_api::Sort::Oldest,
        form_token: "token.abc".into(),
        nonce: "nonce-123".into(),
        now_ms,
        intl: Default::default(),
        refused: None,
        return_to: Some("https://news.example/ssr-sample".into()),
        action: None,
        fresh: false,
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::config::Config;
    use news_widget_api::{CommentInput, FieldError, LangTag};

    /// A formatter with no browser: marked strings, so the test sees where each came from.
    struct Marked;
    impl Formats for Marked {
        fn long_date(&self, iso: &str, locale: &str) -> Option<String> {
            Some(format!("D[{}|{locale}]", &iso[..10]))
        }
        fn date_time(&self, iso: &str, locale: &str) -> Option<String> {
            Some(format!("T[{iso}|{locale}]"))
        }
        fn relative(&self, iso: &str, now_ms: f64, locale: &str) -> Option<String> {
            let then = news_widget_api::epoch_ms(iso)?;
            let (v, unit) = crate::intl::relative_unit((then - now_ms) / 1000.0);
            Some(format!("R[{v} {unit}|{locale}]"))
        }
        fn integer(&self, n: u64, locale: &str) -> String {
            format!("I[{n}|{locale}]")
        }
        fn decimal(&self, n: f64, digits: u8, locale: &str) -> String {
            format!("N[{n:.*}|{locale}]", usize::from(digits))
        }
        fn percent(&self, p: f64, digits: u8, locale: &str) -> String {
            format!("P[{p:.*}|{locale}]", usize::from(digits))
        }
        fn plural(&self, n: f64, _locale: &str) -> String {
            if n == 1.0 { "one" } else { "other" }.into()
        }
    }

    /// Runs a future to its end on this thread (the render itself runs on Yew's pool).
    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        struct Unpark(std::thread::Thread);
        impl std::task::Wake for Unpark {
            fn wake(self: Arc<Self>) {
                self.0.unpark();
            }
        }
        let waker = std::task::Waker::from(Arc::new(Unpark(std::thread::current())));
        let mut cx = std::task::Context::from_waker(&waker);
        let mut future = std::pin::pin!(future);
        loop {
            if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                return out;
            }
            std::thread::park();
        }
    }

    fn config(lang: &str) -> Config {
        let get = |name: &str| match name {
            "article" => Some("ssr-sample".to_owned()),
            "lang" => Some(lang.to_owned()),
            _ => None,
        };
        Config::from_attrs(get, "https://news.example/api/v1".into(), || LangTag::parse("en").unwrap()).unwrap()
    }

    fn input(lang: &str, seed: Seed, dsd: bool) -> SsrInput {
        SsrInput {
            config: config(lang),
            seed,
            body_html: Some("<p>Hello <em>world</em>.</p>".into()),
            formats: Arc::new(Marked),
            id_prefix: "nwx".into(),
            dsd_css: dsd.then(|| "https://news.example/widget.css".into()),
            page: None,
        }
    }

    const LANGS: [&str; 12] = ["fr", "en", "de", "es", "it", "pt", "nl", "pl", "ru", "ar", "zh", "ja"];
    const NOW: f64 = 1_720_260_000_000.0; // 2024-07-06T10:00:00Z

    #[test]
    fn renders_the_whole_widget_in_every_language_without_a_browser() {
        for lang in LANGS {
            let out = block_on(render(input(lang, sample_seed(lang, NOW), false)));
            assert!(out.starts_with("<div data-nw-root data-nw-build=\""), "{lang}: {out}");
            assert!(out.contains(&format!("data-nw-key=\"{}\"", attr(&config(lang).canonical_key()))), "{lang}");
            assert!(out.contains("Sample title &amp; &lt;friends&gt;"), "{lang}: the title, escaped");
            assert!(out.contains("<div class=\"nw-body\"><p>Hello <em>world</em>.</p></div>"), "{lang}: the body");
            assert!(out.contains("First comment body"), "{lang}: a comment");
            assert!(out.contains("Third &lt;b&gt;not bold&lt;/b&gt; &amp; fine."), "{lang}: comments are text");
            assert!(out.contains("method=\"post\""), "{lang}: a real form");
            assert!(
                out.contains("action=\"https://news.example/api/v1/articles/ssr-sample/comments/form\""),
                "{lang}: its action"
            );
            assert!(out.contains("value=\"token.abc\""), "{lang}: the seed's token");
            assert!(out.contains("method=\"dialog\""), "{lang}: the rate form sends no GET");
            assert!(out.contains("nw-needs-wasm"), "{lang}");
            assert!(out.contains("id=\"nwx-rating\""), "{lang}: ids from the prefix");
            assert!(out.contains("https://news.example/media/a.svg"), "{lang}: the image against the API");
            assert!(!out.contains("nw-sk"), "{lang}: no skeleton");
            assert!(out.contains(&format!("D[2024-07-05|{lang}]")), "{lang}: the date written in the timestamp");
            // The seed carries every string the formatter made, and no raw '<'.
            let (_, script) = out.split_once("<script type=\"application/json\" data-nw-seed>").unwrap();
            let (json, words) = script.split_once("</script>").unwrap();
            assert!(!json.contains('<'), "{lang}");
            // The words of the language come along, as compact JSON, unless it is English.
            match crate::i18n::file(lang) {
                Some(file) => {
                    assert_eq!(words, format!("<script type=\"application/json\" data-nw-words>{file}</script>"))
                }
                None => assert_eq!((lang, words), ("en", "")),
            }
            let back = crate::seed::read(json).unwrap();
            assert_eq!(
                back.intl.get(&crate::intl::key::long_date("2024-07-05T09:00:00+02:00", lang)).unwrap(),
                &format!("D[2024-07-05|{lang}]")
            );
            assert!(back.intl.keys().any(|k| k.starts_with("r|")), "{lang}: relative times recorded");
            assert_eq!(back.comments, sample_seed(lang, NOW).comments, "{lang}: the seed reads back");
        }
    }

    #[test]
    fn a_declarative_shadow_root_links_the_stylesheet() {
        let out = block_on(render(input("en", sample_seed("en", NOW), true)));
        assert!(out.starts_with(
            "<template shadowrootmode=\"open\"><link rel=\"stylesheet\" href=\"https://news.example/widget.css\"><div data-nw-root"
        ));
        assert!(out.ends_with("</script></template>"));
    }

    #[test]
    fn a_refused_form_shows_the_values_and_localized_errors() {
        let mut seed = sample_seed("fr", NOW);
        seed.refused = Some(crate::seed::RefusedForm {
            input: CommentInput {
                body: "Mon texte".into(),
                author_name: "Zoé".into(),
                author_email: "pas-un-email".into(),
                ..CommentInput::default()
            },
            errors: vec![FieldError::new("author_email", "is not an email address")],
        });
        let out = block_on(render(input("fr", seed, false)));
        assert!(out.contains(">Mon texte</textarea>"), "the body typed, in the textarea itself");
        assert!(out.contains("value=\"Zoé\""), "the name typed");
        assert!(out.contains("aria-invalid=\"true\""));
        assert!(out.contains("nw-field-error"));
        assert!(out.contains("autofocus"), "the first invalid field takes the focus");
    }
}
