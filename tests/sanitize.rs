//! The client sanitizer against the 517 vectors of the XSS corpus, in a real browser.

#![cfg(target_arch = "wasm32")]

mod common;

use std::cell::Cell;
use std::rc::Rc;

use common::*;
use news_widget::sanitize::{sanitize_with, set_html_supported, Parser};
use news_widget_api::{body_attribute_ok, body_attributes, BODY_LINK_REL};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

fn corpus() -> Vec<(String, String)> {
    let files = [
        ("dompurify", include_str!("data/xss/dompurify-expect.json")),
        ("h5sc", include_str!("data/xss/h5sc-vectors-expanded.json")),
        ("owasp", include_str!("data/xss/owasp-xss-filter-evasion.json")),
    ];
    let mut out = Vec::new();
    for (name, text) in files {
        let entries: Vec<serde_json::Value> = serde_json::from_str(text).unwrap();
        for (i, e) in entries.iter().enumerate() {
            out.push((format!("{name}#{i}"), e["payload"].as_str().unwrap().to_owned()));
        }
    }
    out
}

/// alert, confirm, prompt and print replaced by one counter, while this lives.
struct Dialogs {
    fired: Rc<Cell<u32>>,
    _hooks: Vec<Closure<dyn Fn()>>,
}

fn hook_dialogs() -> Dialogs {
    let fired = Rc::new(Cell::new(0));
    let window = js_sys::global();
    let hooks = ["alert", "confirm", "prompt", "print"]
        .iter()
        .map(|name| {
            let count = fired.clone();
            let hook = Closure::<dyn Fn()>::new(move || count.set(count.get() + 1));
            js_sys::Reflect::set(&window, &(*name).into(), hook.as_ref()).unwrap();
            hook
        })
        .collect();
    Dialogs { fired, _hooks: hooks }
}

/// Every element under `root` is allowlisted, with allowlisted, safe attributes only.
fn scan(root: &Element, source: &str) {
    let all = root.query_selector_all("*").unwrap();
    for i in 0..all.length() {
        let el: Element = all.item(i).unwrap().dyn_into().unwrap();
        let name = el.local_name();
        assert!(body_attributes(&name).is_some(), "{source}: <{name}> survived: {}", root.inner_html());
        let attrs = el.attributes();
        for j in 0..attrs.length() {
            let attr = attrs.item(j).unwrap();
            let (attr_name, value) = (attr.name(), attr.value());
            let ours = matches!(
                (name.as_str(), attr_name.as_str(), value.as_str()),
                ("a", "rel", BODY_LINK_REL) | ("img", "loading", "lazy") | ("img", "decoding", "async")
            );
            assert!(
                ours || body_attribute_ok(&name, &attr_name, &value),
                "{source}: <{name} {attr_name}={value:?}> survived: {}",
                root.inner_html()
            );
            assert!(!attr_name.starts_with("on"));
            assert!(!value.to_ascii_lowercase().contains("javascript:"));
        }
    }
}

async fn run_corpus(parser: Parser) {
    let dialogs = hook_dialogs();
    let document = document();
    let vectors = corpus();
    assert_eq!(vectors.len(), 517);
    let live = container();
    for (source, payload) in &vectors {
        let holder = document.create_element("div").unwrap();
        live.append_child(&holder).unwrap();
        let clean = sanitize_with(&document, payload, parser).unwrap_or_else(|e| panic!("{source}: {e:?}"));
        holder.append_child(&clean).unwrap();
        scan(&holder, source);
    }
    // Give load and error events (img onerror, …) time to fire if anything survived.
    sleep(1500).await;
    assert_eq!(dialogs.fired.get(), 0, "a vector ran script");
    assert!(live.query_selector_all("p, a, img").unwrap().length() > 0, "kept the harmless markup");
}

#[wasm_bindgen_test]
async fn domparser_walk_neutralizes_the_whole_corpus() {
    run_corpus(Parser::DomParser).await;
}

#[wasm_bindgen_test]
async fn set_html_path_neutralizes_the_whole_corpus_where_the_browser_has_it() {
    if set_html_supported() {
        run_corpus(Parser::SetHtml).await;
    } else {
        // The widget then takes the DOMParser path, which the test above covers.
        assert_eq!(Parser::best(), Parser::DomParser);
    }
}

#[wasm_bindgen_test]
fn keeps_news_markup() {
    let doc = document();
    let html = concat!(
        r#"<h2>Titre</h2><p>Un <a href="https://ex.org/a?b=1&amp;c=2" title="t">lien</a>, <em>é</em>, "#,
        r#"<strong>gras</strong><br></p><figure><img src="/media/a.svg" alt="A" width="10" height="5" "#,
        r#"srcset="/a.svg 1x, /b.svg 2x"><figcaption>Légende</figcaption></figure><div><span>déballé</span></div>"#,
    );
    let expected = concat!(
        r#"<h2>Titre</h2><p>Un <a href="https://ex.org/a?b=1&amp;c=2" rel="noopener noreferrer">lien</a>, "#,
        r#"<em>é</em>, <strong>gras</strong><br></p><figure><img src="/media/a.svg" alt="A" width="10" "#,
        r#"height="5" srcset="/a.svg 1x, /b.svg 2x" loading="lazy" decoding="async"><figcaption>Légende"#,
        r#"</figcaption></figure>déballé"#,
    );
    for parser in [Parser::DomParser, Parser::best()] {
        let holder = doc.create_element("div").unwrap();
        holder.append_child(&sanitize_with(&doc, html, parser).unwrap()).unwrap();
        assert_eq!(holder.inner_html(), expected, "{parser:?}");
    }
}

#[wasm_bindgen_test]
fn dom_clobbering_cannot_steer_the_walk() {
    let doc = document();
    let html = r#"<form><input name="removeChild"><input name="attributes"><input name="nodeName">
        <input name="firstChild"><input name="localName"><p>dans le formulaire</p></form>
        <img name="body"><img name="createTreeWalker"><img name="documentElement">
        <form id="f"><input name="namespaceURI"></form><p>après</p>"#;
    for parser in [Parser::DomParser, Parser::best()] {
        let holder = doc.create_element("div").unwrap();
        holder.append_child(&sanitize_with(&doc, html, parser).unwrap()).unwrap();
        let out = holder.inner_html();
        assert!(out.ends_with("<p>après</p>"), "{parser:?}: {out}");
        assert!(!out.contains("form") && !out.contains("input") && !out.contains("name="), "{parser:?}: {out}");
    }
}
