//! One widget: its parts over one backend, in one language.

use std::rc::Rc;

use news_widget_api::Article;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::article::ArticleView;
use crate::backend::Backend;
use crate::comments::CommentsView;
use crate::config::{Config, ConfigError};
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
    let backend = use_memo(props.config.api.clone(), |api| Backend::rest(api.clone()));
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
    let editor_score = article.as_ref().and_then(|a| a.editor_score);
    let share = article.as_ref().map(|a| {
        let image = a.image.as_ref().map(|i| backend.resolve(i.src.as_str()));
        let shared = Shared { url: share_url(a), title: a.title.clone(), image };
        let config = &props.config.share;
        html! {
            <ShareBar {shared} lang={lang.clone()} networks={config.networks.clone()} unknown={config.unknown.clone()}
                tag={config.tag.clone()} style={config.style} />
        }
    });
    let (backend, slug) = ((*backend).clone(), props.config.article.clone());
    html! {
        <div class="nw-widget" lang={lang.tag.to_string()}>
            <ArticleView backend={backend.clone()} slug={slug.clone()} lang={lang.clone()} {on_loaded} />
            { for share }
            <RatingView backend={backend.clone()} slug={slug.clone()} lang={lang.clone()} {editor_score} article_loads={*article_loads} />
            <CommentsView {backend} {slug} lang={lang.clone()} article_loads={*article_loads} />
        </div>
    }
}

/// The address to share: the article's canonical URL, else the page's `<link rel=canonical>`,
/// else this page's address without its fragment.
fn share_url(article: &Article) -> String {
    if let Some(url) = &article.canonical_url {
        return url.to_string();
    }
    let document = web_sys::window().and_then(|w| w.document());
    let canonical = document
        .as_ref()
        .and_then(|d| d.query_selector("link[rel=canonical]").ok().flatten())
        .and_then(|l| l.dyn_into::<web_sys::HtmlLinkElement>().ok())
        .map(|l| l.href())
        .filter(|h| h.starts_with("http"));
    canonical.unwrap_or_else(|| {
        let href = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
        href.split('#').next().unwrap_or_default().to_owned()
    })
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
