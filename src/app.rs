//! One widget: its parts over one backend, in one language.

use std::rc::Rc;

use news_widget_api::Article;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::article::ArticleView;
use crate::backend::Backend;
use crate::comments::CommentsView;
use crate::config::{BackendKind, Config, ConfigError};
use crate::i18n::Lang;
use crate::rating::RatingView;
use crate::share::links::Shared;
use crate::share::ShareBar;

#[derive(Properties, PartialEq)]
pub struct WidgetProps {
    pub config: Config,
}

#[function_component(Widget)]
pub fn widget(props: &WidgetProps) -> Html {
    let backend = {
        let (api, kind) = (props.config.api.clone(), props.config.backend);
        use_state(move || match kind {
            BackendKind::Rest => Some(Backend::rest(api)),
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
    let lang = Lang::new(props.config.lang.clone());
    let article = use_state(|| None::<Rc<Article>>);
    let article_loads = use_state(|| 0u32);
    let on_loaded = {
        let (article, article_loads) = (article.clone(), article_loads.clone());
        Callback::from(move |loaded: Article| {
            article.set(Some(Rc::new(loaded)));
            article_loads.set(*article_loads + 1);
        })
    };
    // Every hook is called above this line, as Yew requires.
    let Some(backend) = (*backend).clone() else {
        // `auto` is still asking the server whether it is there.
        return html! { <div class="nw-widget" lang={lang.tag.to_string()} dir={lang.dir()} aria-busy="true"></div> };
    };
    let parts = props.config.parts;
    let editor_score = article.as_ref().and_then(|a| a.editor_score);
    // Without the article part the page itself says what is shared.
    let shared = if parts.article {
        article.as_ref().map(|a| Shared {
            url: share_url(a.canonical_url.as_ref().map(|u| u.as_str())),
            title: a.title.clone(),
            image: a.image.as_ref().map(|i| backend.resolve(i.src.as_str())),
        })
    } else {
        Some(page_shared())
    };
    let share = shared.filter(|_| parts.share).map(|shared| {
        let config = &props.config.share;
        html! {
            <ShareBar {shared} lang={lang.clone()} networks={config.networks.clone()} unknown={config.unknown.clone()}
                tag={config.tag.clone()} style={config.style} />
        }
    });
    let slug = props.config.article.clone();
    html! {
        <div class="nw-widget" lang={lang.tag.to_string()} dir={lang.dir()} data-theme={props.config.theme.as_str()}>
            if parts.article {
                <ArticleView backend={backend.clone()} slug={slug.clone()} lang={lang.clone()} {on_loaded} />
            }
            { for share }
            if parts.rating {
                <RatingView backend={backend.clone()} slug={slug.clone()} lang={lang.clone()} {editor_score} article_loads={*article_loads} />
            }
            if parts.comments {
                <CommentsView {backend} {slug} lang={lang.clone()} per_page={props.config.comments_per_page}
                    article_loads={*article_loads} />
            }
        </div>
    }
}

/// The address to share: the article's canonical URL, else the page's `<link rel=canonical>`,
/// else this page's address without its fragment.
fn share_url(canonical: Option<&str>) -> String {
    if let Some(url) = canonical {
        return url.to_owned();
    }
    let document = web_sys::window().and_then(|w| w.document());
    let link = document
        .as_ref()
        .and_then(|d| d.query_selector("link[rel=canonical]").ok().flatten())
        .and_then(|l| l.dyn_into::<web_sys::HtmlLinkElement>().ok())
        .map(|l| l.href())
        .filter(|h| h.starts_with("http"));
    link.unwrap_or_else(|| {
        let href = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
        href.split('#').next().unwrap_or_default().to_owned()
    })
}

/// What the host page says it is about, for pages that print the article themselves: the
/// Open Graph title and image, else the document's title.
fn page_shared() -> Shared {
    let document = web_sys::window().and_then(|w| w.document());
    let meta = |property: &str| {
        document
            .as_ref()
            .and_then(|d| d.query_selector(&format!("meta[property='{property}']")).ok().flatten())
            .and_then(|m| m.get_attribute("content"))
            .filter(|c| !c.trim().is_empty())
    };
    let title = meta("og:title").or_else(|| document.as_ref().map(|d| d.title())).unwrap_or_default();
    Shared { url: share_url(None), title, image: meta("og:image") }
}

#[derive(Properties, PartialEq)]
pub struct ConfigErrorProps {
    pub error: ConfigError,
    pub lang: Lang,
}

/// Shown in place of a widget whose attributes are wrong, so the page's developer sees why.
#[function_component(ConfigErrorView)]
pub fn config_error_view(props: &ConfigErrorProps) -> Html {
    html! {
        <div class="nw-widget nw-config-error" role="alert" lang={props.lang.tag.to_string()}>
            <p><strong>{ props.lang.text.config_error }</strong></p>
            <p><code>{ props.error.attribute }</code>{ " " }{ &props.error.message }</p>
        </div>
    }
}
