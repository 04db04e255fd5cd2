//! Client-side sanitizing of article bodies, as defence in depth: a backend may not be ours.
//!
//! The HTML is parsed into an inert document (the browser's `Element.setHTML` with our
//! allowlist where it has it, else `DOMParser`), then walked node by node; the widget builds
//! fresh nodes in its own document for what the allowlist keeps, so no markup string is ever
//! re-parsed (no mutation XSS) and nothing the input holds is adopted. The walk reads nodes
//! through a `TreeWalker` and `instanceof` checks, and drops `<form>` unread, so named inputs
//! that shadow DOM properties (DOM clobbering) cannot steer it.

use news_widget_api::{body_attribute_ok, BODY_DROPPED, BODY_ELEMENTS, BODY_LINK_REL, BODY_UNWRAPPED};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, DocumentFragment, DomParser, Element, HtmlFormElement, Node, SupportedType, Text, TreeWalker};

const XHTML: &str = "http://www.w3.org/1999/xhtml";

/// How the untrusted HTML is parsed before the walk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parser {
    /// `Element.setHTML` with the allowlist, into a detached element of an inert document.
    SetHtml,
    /// `DOMParser.parseFromString(…, "text/html")`: an inert document, scripts disabled.
    DomParser,
}

impl Parser {
    /// `SetHtml` where the browser has `Element.prototype.setHTML`, else `DomParser`.
    pub fn best() -> Self {
        if set_html_supported() {
            Self::SetHtml
        } else {
            Self::DomParser
        }
    }
}

pub fn set_html_supported() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &"Element".into())
        .and_then(|element| js_sys::Reflect::get(&element, &"prototype".into()))
        .and_then(|proto| js_sys::Reflect::get(&proto, &"setHTML".into()))
        .is_ok_and(|f| f.is_function())
}

/// A URL the body holds, made absolute against where it came from.
pub type Resolve<'a> = &'a dyn Fn(&str) -> String;

/// Keeps a body's URLs as they are (a body from this page's own origin).
fn as_given(url: &str) -> String {
    url.to_owned()
}

/// Sanitizes `html` into a fragment of `document`, with the best parser the browser has.
pub fn sanitize(document: &Document, html: &str) -> Result<DocumentFragment, JsValue> {
    sanitize_resolved(document, html, &as_given)
}

/// [`sanitize`], with every kept `<a href>`, `<img src>` and `srcset` candidate made absolute
/// by `resolve` (against the backend's base URL, so a cross-origin embed's relative links and
/// images mean the backend's files, not the host page's).
pub fn sanitize_resolved(document: &Document, html: &str, resolve: Resolve<'_>) -> Result<DocumentFragment, JsValue> {
    sanitize_with_resolved(document, html, Parser::best(), resolve).or_else(|e| {
        // A browser whose setHTML refuses our configuration still gets the walk.
        web_sys::console::warn_2(&"news-widget: setHTML failed, using DOMParser:".into(), &e);
        sanitize_with_resolved(document, html, Parser::DomParser, resolve)
    })
}

/// Sanitizes `html` into a fragment of `document`, parsing it with `parser`.
pub fn sanitize_with(document: &Document, html: &str, parser: Parser) -> Result<DocumentFragment, JsValue> {
    sanitize_with_resolved(document, html, parser, &as_given)
}

fn sanitize_with_resolved(
    document: &Document,
    html: &str,
    parser: Parser,
    resolve: Resolve<'_>,
) -> Result<DocumentFragment, JsValue> {
    let inert: Node = match parser {
        Parser::SetHtml => set_html(html)?,
        Parser::DomParser => DomParser::new()?.parse_from_string(html, SupportedType::TextHtml)?.into(),
    };
    let out = document.create_document_fragment();
    // The walker belongs to our document, so nothing in the untrusted tree can shadow its methods.
    let walker = document.create_tree_walker(&inert)?;
    copy_children(document, &walker, &out, resolve)?;
    Ok(out)
}

/// Parses `html` with `setHTML` and the allowlist into a detached `<div>` of an inert document.
fn set_html(html: &str) -> Result<Node, JsValue> {
    let inert = DomParser::new()?.parse_from_string("", SupportedType::TextHtml)?;
    let holder = inert.create_element("div")?;
    let elements = js_sys::Array::new();
    let attributes = js_sys::Array::new();
    for (name, attrs) in BODY_ELEMENTS {
        elements.push(&JsValue::from_str(name));
        for attr in *attrs {
            attributes.push(&JsValue::from_str(attr));
        }
    }
    let unwrapped: js_sys::Array = BODY_UNWRAPPED.iter().map(|name| JsValue::from_str(name)).collect();
    let sanitizer = js_sys::Object::new();
    js_sys::Reflect::set(&sanitizer, &"elements".into(), &elements)?;
    js_sys::Reflect::set(&sanitizer, &"replaceWithChildrenElements".into(), &unwrapped)?;
    js_sys::Reflect::set(&sanitizer, &"attributes".into(), &attributes)?;
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"sanitizer".into(), &sanitizer)?;
    let set_html: js_sys::Function = js_sys::Reflect::get(&holder, &"setHTML".into())?.dyn_into()?;
    set_html.call2(&holder, &JsValue::from_str(html), &options)?;
    Ok(holder.into())
}

/// What the walk does with one element.
enum Verdict {
    Keep(&'static str),
    Unwrap,
    Drop,
}

fn verdict(node: &Node) -> Verdict {
    // A form's named controls shadow its DOM properties: decide without reading any.
    if node.is_instance_of::<HtmlFormElement>() {
        return Verdict::Drop;
    }
    let Some(element) = node.dyn_ref::<Element>() else {
        return Verdict::Drop;
    };
    if element.namespace_uri().as_deref() != Some(XHTML) {
        return Verdict::Drop; // svg, math and whatever they hold
    }
    let name = element.local_name();
    if let Some((keep, _)) = BODY_ELEMENTS.iter().find(|(allowed, _)| *allowed == name) {
        Verdict::Keep(keep)
    } else if BODY_DROPPED.contains(&name.as_str()) {
        Verdict::Drop
    } else {
        Verdict::Unwrap
    }
}

/// Copies what the allowlist keeps of the walker's current node's children into `out`,
/// leaving the walker where it started.
fn copy_children(document: &Document, walker: &TreeWalker, out: &Node, resolve: Resolve<'_>) -> Result<(), JsValue> {
    let Some(mut node) = walker.first_child()? else {
        return Ok(());
    };
    loop {
        if let Some(text) = node.dyn_ref::<Text>() {
            out.append_child(&document.create_text_node(&text.data()))?;
        } else {
            match verdict(&node) {
                Verdict::Keep(name) => {
                    let copy = document.create_element(name)?;
                    copy_attributes(node.unchecked_ref(), &copy, name, resolve)?;
                    out.append_child(&copy)?;
                    copy_children(document, walker, &copy, resolve)?;
                }
                Verdict::Unwrap => copy_children(document, walker, out, resolve)?,
                Verdict::Drop => {}
            }
        }
        match walker.next_sibling()? {
            Some(next) => node = next,
            None => break,
        }
    }
    walker.parent_node()?;
    Ok(())
}

fn copy_attributes(from: &Element, to: &Element, name: &str, resolve: Resolve<'_>) -> Result<(), JsValue> {
    let attrs = from.attributes();
    for i in 0..attrs.length() {
        let Some(attr) = attrs.item(i) else { continue };
        let (attr_name, value) = (attr.name(), attr.value());
        if !body_attribute_ok(name, &attr_name, &value) {
            continue;
        }
        let value = resolve_urls(name, &attr_name, value.trim(), resolve);
        // Checked again as resolved: what is set is what the allowlist allows.
        if body_attribute_ok(name, &attr_name, &value) {
            to.set_attribute(&attr_name, &value)?;
        }
    }
    match name {
        "a" => to.set_attribute("rel", BODY_LINK_REL)?,
        "img" => {
            to.set_attribute("loading", "lazy")?;
            to.set_attribute("decoding", "async")?;
        }
        _ => {}
    }
    Ok(())
}

/// `value` of `element`'s `attribute` with its URLs made absolute by `resolve`. A link to a
/// fragment only (`#notes`) stays as it is: it points into the page.
fn resolve_urls(element: &str, attribute: &str, value: &str, resolve: Resolve<'_>) -> String {
    match (element, attribute) {
        ("a", "href") if value.starts_with('#') => value.to_owned(),
        ("a", "href") | ("img", "src") => resolve(value),
        ("img", "srcset") => resolve_srcset(value, resolve),
        _ => value.to_owned(),
    }
}

/// Each candidate's URL of a `srcset` (`a.png 1x, b.png 2x`) made absolute, its descriptor kept.
pub fn resolve_srcset(srcset: &str, resolve: Resolve<'_>) -> String {
    srcset
        .split(',')
        .filter_map(|candidate| {
            let mut words = candidate.split_whitespace();
            let url = resolve(words.next()?);
            Some(words.fold(url, |out, word| format!("{out} {word}")))
        })
        .collect::<Vec<_>>()
        .join(", ")
}
