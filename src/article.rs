//! The article part: title, byline, lead image, sanitized body, and its NewsArticle JSON-LD.

use std::cell::Cell;
use std::rc::Rc;

use news_widget_api::{Article, Slug};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::Node;
use yew::prelude::*;

use crate::backend::{Backend, FetchError};
use crate::i18n::{around, fill, Lang};
use crate::sanitize;
use crate::seed::Seed;

#[derive(Properties, PartialEq)]
pub struct ArticleProps {
    pub backend: Backend,
    pub slug: Slug,
    pub lang: Lang,
    /// Told the article once it has loaded (the rating shows its editor score).
    #[prop_or_default]
    pub on_loaded: Callback<Article>,
    /// The server's article: shown at once, not fetched.
    #[prop_or_default]
    pub seed: Option<Rc<Seed>>,
    /// Server only: the body's HTML, already sanitized by the server.
    #[prop_or_default]
    pub body_html: Option<AttrValue>,
}

/// A loaded article with its body.
pub struct Ready {
    pub article: Article,
    body: Body,
    words: usize,
}

/// The article's body: sanitized here into DOM nodes, or rendered by the server.
enum Body {
    Dom(Node),
    /// The server's clean HTML (on the server), or a fixed placeholder on the client, whose
    /// hydration keeps the server's nodes as they are and never reads the string.
    Server(AttrValue),
}

impl PartialEq for Ready {
    fn eq(&self, other: &Self) -> bool {
        self.article == other.article
    }
}

#[derive(PartialEq)]
enum Load {
    Loading,
    Ready(Rc<Ready>),
    Failed(FetchError),
}

impl Ready {
    fn new(article: Article, backend: &Backend) -> Result<Self, FetchError> {
        let failed = |e: wasm_bindgen::JsValue| {
            let why = e.as_string().or_else(|| e.dyn_ref::<js_sys::Error>().map(|e| e.message().into()));
            let why = why.unwrap_or_default();
            FetchError::BadResponse(format!("the body could not be sanitized: {why}"))
        };
        let document = web_sys::window().and_then(|w| w.document()).ok_or_else(|| failed("no document".into()))?;
        let body = document.create_element("div").map_err(failed)?;
        body.set_class_name("nw-body");
        // Relative URLs in the body mean the backend's files, as the lead image's do.
        let resolve = |url: &str| backend.resolve(url);
        let clean = sanitize::sanitize_resolved(&document, &article.body_html, &resolve).map_err(failed)?;
        body.append_child(&clean).map_err(failed)?;
        let words = body.text_content().unwrap_or_default().split_whitespace().count();
        Ok(Self { article, body: Body::Dom(body.into()), words })
    }
}

/// Minutes to read `words` at 200 words a minute, at least one.
pub fn reading_minutes(words: usize) -> u64 {
    (words as u64).div_ceil(200).max(1)
}

#[function_component(ArticleView)]
pub fn article_view(props: &ArticleProps) -> Html {
    let load = {
        let seeded = props.seed.as_ref().and_then(|s| Some((s.article.clone()?, s.words, s.fresh)));
        let html = props.body_html.clone().unwrap_or_default();
        let backend = props.backend.clone();
        use_state(move || match seeded {
            // A new render from another build's data (in the browser only): the body is built
            // here, from the article's HTML, as when it is fetched.
            Some((article, _, true)) => {
                Ready::new(article, &backend).map_or(Load::Loading, |r| Load::Ready(Rc::new(r)))
            }
            Some((article, words, false)) => Load::Ready(Rc::new(Ready { article, body: Body::Server(html), words })),
            None => Load::Loading,
        })
    };
    let attempt = use_state(|| 0u32);
    // A seeded article is not fetched again at first (a retry still fetches).
    let skip_first = use_mut_ref(|| matches!(*load, Load::Ready(_)));
    {
        let load = load.clone();
        let backend = props.backend.clone();
        let on_loaded = props.on_loaded.clone();
        let skip_first = skip_first.clone();
        use_effect_with((props.slug.clone(), *attempt), move |(slug, _)| {
            let cancelled = Rc::new(Cell::new(false));
            let skip = std::mem::replace(&mut *skip_first.borrow_mut(), false);
            if !skip {
                load.set(Load::Loading);
            }
            let slug = slug.clone();
            let done = cancelled.clone();
            if !skip {
                spawn_local(async move {
                    let result = backend.article(&slug).await.and_then(|a| Ready::new(a, &backend));
                    if done.get() {
                        return;
                    }
                    if let Err(e) = &result {
                        web_sys::console::error_1(&format!("news-widget: article {slug}: {}", e.detail()).into());
                    }
                    load.set(match result {
                        Ok(ready) => {
                            on_loaded.emit(ready.article.clone());
                            Load::Ready(Rc::new(ready))
                        }
                        Err(e) => Load::Failed(e),
                    });
                });
            }
            move || cancelled.set(true)
        });
    }
    let text = props.lang.text;
    match &*load {
        Load::Loading => skeleton(text.loading_article),
        Load::Failed(error) => {
            let retry = {
                let attempt = attempt.clone();
                Callback::from(move |_| attempt.set(*attempt + 1))
            };
            html! {
                <div class="nw-error nw-article-error" role="alert">
                    <p class="nw-error-title">{ text.article_failed }</p>
                    <p>{ error.describe(text) }</p>
                    <details><summary>{ text.details }</summary><code>{ error.detail() }</code></details>
                    <button type="button" class="nw-button" onclick={retry}>{ text.retry }</button>
                </div>
            }
        }
        Load::Ready(ready) => render(ready, &props.backend, &props.lang),
    }
}

/// A placeholder with the article's shape, so nothing jumps when it arrives.
fn skeleton(label: &'static str) -> Html {
    html! {
        <div class="nw-article nw-skeleton" aria-busy="true">
            <p class="nw-visually-hidden" role="status">{ label }</p>
            <div class="nw-sk nw-sk-title" aria-hidden="true"></div>
            <div class="nw-sk nw-sk-title nw-sk-short" aria-hidden="true"></div>
            <div class="nw-sk nw-sk-meta" aria-hidden="true"></div>
            <div class="nw-sk nw-sk-figure" aria-hidden="true"></div>
            { for (0..6).map(|i| html! { <div class={classes!("nw-sk", "nw-sk-line", (i % 3 == 2).then_some("nw-sk-short"))} aria-hidden="true"></div> }) }
        </div>
    }
}

fn render(ready: &Ready, backend: &Backend, lang: &Lang) -> Html {
    let article = &ready.article;
    let text = lang.text;
    let published = lang.long_date(article.published_at.as_str());
    let updated =
        article.updated_at.as_ref().and_then(|u| lang.long_date(u.as_str())).filter(|u| Some(u) != published.as_ref());
    let minutes = lang.integer(reading_minutes(ready.words));
    let image_src = article.image.as_ref().map(|i| backend.resolve(i.src.as_str()));
    html! {
        <article class="nw-article" lang={article.lang.to_string()}>
            <header class="nw-header">
                <h1 class="nw-title">{ &article.title }</h1>
                if let Some(summary) = &article.summary {
                    <p class="nw-summary">{ summary }</p>
                }
                <p class="nw-meta">
                    if let Some(author) = &article.author {
                        <span class="nw-author">{ fill(text.by_author, &[("author", author)]) }</span>
                    }
                    if let Some(date) = &published {
                        { dated(text.published, article.published_at.as_str(), date) }
                    }
                    if let (Some(date), Some(iso)) = (&updated, &article.updated_at) {
                        { dated(text.updated, iso.as_str(), date) }
                    }
                    <span class="nw-reading-time">{ fill(text.reading_time, &[("n", &minutes)]) }</span>
                </p>
            </header>
            if let (Some(image), Some(src)) = (&article.image, &image_src) {
                <figure class="nw-figure">
                    <img src={src.clone()} alt={image.alt.clone()}
                        width={image.width.map(|w| w.to_string())} height={image.height.map(|h| h.to_string())}
                        srcset={image.srcset.as_deref().map(|s| sanitize::resolve_srcset(s, &|u| backend.resolve(u)))} loading="eager" fetchpriority="high" decoding="async" />
                    if image.caption.is_some() || image.credit.is_some() {
                        <figcaption>
                            if let Some(caption) = &image.caption { <span class="nw-caption">{ caption }</span> }
                            if let Some(credit) = &image.credit {
                                <span class="nw-credit">{ fill(text.photo_credit, &[("credit", credit)]) }</span>
                            }
                        </figcaption>
                    }
                </figure>
            }
            { match &ready.body {
                Body::Dom(node) => Html::VRef(node.clone()),
                // Only ever the server's sanitized HTML, or the client's empty placeholder.
                Body::Server(html) => Html::from_html_unchecked(html.clone()),
            } }
            <script type="application/ld+json">{ json_ld(article, image_src.as_deref()) }</script>
        </article>
    }
}

/// "Publié le <time>5 juillet 2024</time>" from the catalogue's template.
fn dated(template: &str, iso: &str, date: &str) -> Html {
    let (before, after) = around(template, "date");
    html! { <span>{ before }<time datetime={iso.to_owned()}>{ date }</time>{ after }</span> }
}

/// The article's schema.org NewsArticle. No AggregateRating: Google shows no review stars for
/// news articles, and self-served ratings risk a manual action.
pub fn json_ld(article: &Article, image: Option<&str>) -> String {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct NewsArticle<'a> {
        #[serde(rename = "@context")]
        context: &'static str,
        #[serde(rename = "@type")]
        kind: &'static str,
        headline: &'a str,
        in_language: &'a str,
        date_published: &'a str,
        date_modified: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        author: Option<[Person<'a>; 1]>,
        #[serde(skip_serializing_if = "Option::is_none")]
        image: Option<[&'a str; 1]>,
        #[serde(skip_serializing_if = "Option::is_none")]
        description: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        main_entity_of_page: Option<&'a str>,
    }
    #[derive(serde::Serialize)]
    struct Person<'a> {
        #[serde(rename = "@type")]
        kind: &'static str,
        name: &'a str,
    }
    let ld = NewsArticle {
        context: "https://schema.org",
        kind: "NewsArticle",
        headline: article.title.as_str(),
        in_language: article.lang.as_str(),
        date_published: article.published_at.as_str(),
        date_modified: article.updated_at.as_ref().unwrap_or(&article.published_at).as_str(),
        author: article.author.as_deref().map(|name| [Person { kind: "Person", name }]),
        image: image.map(|i| [i]),
        description: article.summary.as_deref(),
        main_entity_of_page: article.canonical_url.as_ref().map(|u| u.as_str()),
    };
    // `<` never appears raw, so the text cannot close its <script> when serialized.
    // `&` and `>` neither, so that the server's escaped text is the same as the browser's.
    let text = crate::json::to_string(&ld).unwrap_or_else(|_| "{}".into());
    text.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_time_rounds_up() {
        assert_eq!(reading_minutes(0), 1);
        assert_eq!(reading_minutes(200), 1);
        assert_eq!(reading_minutes(201), 2);
        assert_eq!(reading_minutes(731), 4);
    }
}
