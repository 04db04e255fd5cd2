//! One widget: its parts over one backend, in one language.

use yew::prelude::*;

use crate::article::ArticleView;
use crate::backend::Backend;
use crate::comments::CommentsView;
use crate::config::{Config, ConfigError};
use crate::i18n::Lang;
use crate::rating::RatingView;

#[derive(Properties, PartialEq)]
pub struct WidgetProps {
    pub config: Config,
}

#[function_component(Widget)]
pub fn widget(props: &WidgetProps) -> Html {
    let backend = use_memo(props.config.api.clone(), |api| Backend::rest(api.clone()));
    let lang = Lang::new(props.config.lang.clone());
    let editor_score = use_state(|| None::<u8>);
    let article_loads = use_state(|| 0u32);
    let on_loaded = {
        let (editor_score, article_loads) = (editor_score.clone(), article_loads.clone());
        Callback::from(move |article: news_widget_api::Article| {
            editor_score.set(article.editor_score);
            article_loads.set(*article_loads + 1);
        })
    };
    let (backend, slug) = ((*backend).clone(), props.config.article.clone());
    html! {
        <div class="nw-widget" lang={lang.tag.to_string()}>
            <ArticleView backend={backend.clone()} slug={slug.clone()} lang={lang.clone()} {on_loaded} />
            <RatingView backend={backend.clone()} slug={slug.clone()} lang={lang.clone()} editor_score={*editor_score} article_loads={*article_loads} />
            <CommentsView {backend} {slug} lang={lang.clone()} article_loads={*article_loads} />
        </div>
    }
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
