//! One widget: its parts over one backend, in one language.

use std::rc::Rc;

use news_widget_api::{Article, LangTag};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::article::ArticleView;
use crate::backend::Backend;
use crate::comments::CommentsView;
use crate::config::{BackendKind, Config, ConfigError};
use crate::i18n::Lang;
use crate::intl::Intl;
use crate::live::use_stream;
use crate::rating::RatingView;
use crate::seed::{Seed, Typed};
use crate::share::links::Shared;
use crate::share::ShareBar;

/// A widget's props. A render reads only these and its state: no clock, storage or DOM.
#[derive(Properties, PartialEq)]
pub struct WidgetProps {
    pub config: Config,
    /// The start of every element id of this widget (`{p}-rating`, `{p}-f-top-body`…): the
    /// server's choice when it rendered, else a number no other widget of the page has.
    pub id_prefix: AttrValue,
    /// What the server loaded: the first render shows it at once, with no first fetch.
    #[prop_or_default]
    pub seed: Option<Rc<Seed>>,
    /// What the host page says it is about (its canonical link, Open Graph, title), read at
    /// mount: shared when the article gives no canonical URL, or the article part is off.
    #[prop_or_default]
    pub page: Option<Shared>,
    /// What the reader typed into the server's form before hydration.
    #[prop_or_default]
    pub typed: Option<Rc<Typed>>,
    /// Server only: the article body's HTML, already sanitized by the server. The client passes
    /// `None`, and the server's nodes stay as they are.
    #[prop_or_default]
    pub body_html: Option<AttrValue>,
    /// Who formats dates and numbers; by default the seed's recorded strings, else the browser.
    #[prop_or_default]
    pub intl: Option<Intl>,
}

impl WidgetProps {
    /// Props for a browser render of `config` (no seed), with a fresh id prefix.
    pub fn new(config: Config) -> Self {
        Self {
            config,
            id_prefix: format!("nw{}", crate::next_id()).into(),
            seed: None,
            page: Some(page_info()),
            typed: None,
            body_html: None,
            intl: None,
        }
    }
}

#[function_component(Widget)]
pub fn widget(props: &WidgetProps) -> Html {
    let seed = props.seed.clone();
    let backend = {
        let (api, kind, seeded) = (props.config.api.clone(), props.config.backend, seed.is_some());
        #[cfg(feature = "wordpress")]
        let lang = props.config.lang.clone();
        use_state(move || match kind {
            // The server rendered it: the server is there.
            _ if seeded => Some(Backend::rest(api)),
            BackendKind::Rest => Some(Backend::rest(api)),
            #[cfg(feature = "wordpress")]
            BackendKind::WordPress => Some(Backend::wordpress(api, lang)),
            BackendKind::Local => Some(Backend::local()),
            BackendKind::Auto => None,
        })
    };
    {
        let (backend, api) = (backend.clone(), props.config.api.clone());
        use_effect_with((), move |()| {
            if backend.is_none() {
                spawn_local(async move { backend.set(Some(Backend::probe(&api).await)) });
            }
        });
    }
    let words = use_words(&props.config.lang);
    let lang = {
        let seed = seed.clone();
        use_memo((props.config.lang.clone(), props.intl.clone(), words), move |(tag, intl, _)| {
            let intl = intl.clone().or_else(|| seed.map(|s| Intl::recorded(s.intl.clone())));
            Lang::with(tag.clone(), intl.unwrap_or_else(Intl::browser))
        })
    };
    let lang = (*lang).clone();
    let article = {
        let seeded = seed.as_ref().filter(|_| props.config.parts.article).and_then(|s| s.article.clone());
        use_state(move || seeded.map(Rc::new))
    };
    let article_loads = use_state(|| 0u32);
    let on_loaded = {
        let (article, article_loads) = (article.clone(), article_loads.clone());
        Callback::from(move |loaded: Article| {
            article.set(Some(Rc::new(loaded)));
            article_loads.set(*article_loads + 1);
        })
    };
    // One live stream for the widget's parts that listen (a REST backend only).
    let root = use_node_ref();
    // Opened once the parts render (the words are there), so that it watches the widget's element.
    let listens = (props.config.parts.rating || props.config.parts.comments) && words;
    let events_url = (*backend).as_ref().filter(|_| listens).and_then(|b| b.events_url(&props.config.article));
    let live = use_stream(events_url, root.clone());
    // Every hook is called above this line, as Yew requires.
    let Some(backend) = (*backend).clone().filter(|_| words) else {
        // `auto` is still asking the server whether it is there, or the words are on their way.
        return html! { <div class="nw-widget" lang={lang.tag.to_string()} dir={lang.dir()} aria-busy="true"></div> };
    };
    let parts = props.config.parts;
    let editor_score = article.as_ref().and_then(|a| a.editor_score);
    // Without the article part the page itself says what is shared.
    let shared = if parts.article {
        article.as_ref().map(|a| Shared {
            url: a
                .canonical_url
                .as_ref()
                .map(|u| u.as_str().to_owned())
                .or_else(|| props.page.as_ref().map(|p| p.url.clone()))
                .unwrap_or_default(),
            title: a.title.clone(),
            image: a.image.as_ref().map(|i| backend.resolve(i.src.as_str())),
        })
    } else {
        Some(props.page.clone().unwrap_or(Shared { url: String::new(), title: String::new(), image: None }))
    };
    let ids = props.id_prefix.clone();
    let share = shared.filter(|_| parts.share).map(|shared| {
        let config = &props.config.share;
        html! {
            <ShareBar {shared} ids={ids.clone()} lang={lang.clone()} networks={config.networks.clone()} unknown={config.unknown.clone()}
                tag={config.tag.clone()} style={config.style} />
        }
    });
    let slug = props.config.article.clone();
    html! {
        <div class="nw-widget" ref={root} lang={lang.tag.to_string()} dir={lang.dir()} data-theme={props.config.theme.as_str()}>
            if parts.article {
                <ArticleView backend={backend.clone()} slug={slug.clone()} lang={lang.clone()} {on_loaded}
                    seed={seed.clone()} body_html={props.body_html.clone()} />
            }
            { for share }
            if parts.rating {
                <RatingView backend={backend.clone()} slug={slug.clone()} lang={lang.clone()} {editor_score} article_loads={*article_loads}
                    ids={ids.clone()} seed={seed.clone()} typed={props.typed.clone()} live={live.clone()} />
            }
            if parts.comments {
                <CommentsView {backend} {slug} lang={lang.clone()} per_page={props.config.comments_per_page}
                    article_loads={*article_loads} ids={ids.clone()} seed={seed.clone()} typed={props.typed.clone()}
                    action={form_action(&props.config, seed.as_deref())} {live} />
            }
        </div>
    }
}

/// Where the comment form posts without wasm: the seed's `action`, else the API's form route.
pub fn form_action(config: &Config, seed: Option<&Seed>) -> AttrValue {
    match seed.and_then(|s| s.action.clone()) {
        Some(action) => action.into(),
        None => format!("{}/articles/{}/comments/form", config.api, config.article).into(),
    }
}

/// What the host page says it is about, read once at mount (never in a render): the page's
/// `<link rel=canonical>` (else its address without the fragment), and the Open Graph title and
/// image, else the document's title.
pub fn page_info() -> Shared {
    let document = web_sys::window().and_then(|w| w.document());
    let link = document
        .as_ref()
        .and_then(|d| d.query_selector("link[rel=canonical]").ok().flatten())
        .and_then(|l| l.dyn_into::<web_sys::HtmlLinkElement>().ok())
        .map(|l| l.href())
        .filter(|h| h.starts_with("http"));
    let url = link.unwrap_or_else(|| {
        let href = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
        href.split('#').next().unwrap_or_default().to_owned()
    });
    let meta = |property: &str| {
        document
            .as_ref()
            .and_then(|d| d.query_selector(&format!("meta[property='{property}']")).ok().flatten())
            .and_then(|m| m.get_attribute("content"))
            .filter(|c| !c.trim().is_empty())
    };
    let title = meta("og:title").or_else(|| document.as_ref().map(|d| d.title())).unwrap_or_default();
    Shared { url, title, image: meta("og:image") }
}

#[derive(Properties, PartialEq)]
pub struct ConfigErrorProps {
    pub error: ConfigError,
    pub lang: Lang,
}

/// Whether the widget has the words of `tag`'s language: built in (English), registered from
/// the server's HTML, or fetched once here (then it re-renders).
#[hook]
fn use_words(tag: &LangTag) -> bool {
    let words = {
        let tag = tag.clone();
        use_state(move || crate::i18n::ready(&tag))
    };
    {
        let words = words.clone();
        use_effect_with(tag.clone(), move |tag| {
            let ready = crate::i18n::ready(tag);
            if ready != *words {
                words.set(ready);
            }
            if !ready {
                let tag = tag.clone();
                spawn_local(async move {
                    crate::i18n::fetch(&tag).await;
                    words.set(true);
                });
            }
        });
    }
    *words
}

/// Shown in place of a widget whose attributes are wrong, so the page's developer sees why (in
/// the page's language once its words are there).
#[function_component(ConfigErrorView)]
pub fn config_error_view(props: &ConfigErrorProps) -> Html {
    let words = use_words(&props.lang.tag);
    let lang = use_memo((props.lang.clone(), words), |(lang, _)| Lang::with(lang.tag.clone(), lang.intl.clone()));
    if !words {
        return html! { <div class="nw-widget" lang={props.lang.tag.to_string()} aria-busy="true"></div> };
    }
    let text = lang.text;
    html! {
        <div class="nw-widget nw-config-error" role="alert" lang={props.lang.tag.to_string()}>
            <p><strong>{ text.config_error }</strong></p>
            <p><code>{ props.error.attribute }</code>{ " " }{ &props.error.message }</p>
        </div>
    }
}
