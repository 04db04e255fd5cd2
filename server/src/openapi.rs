//! The OpenAPI document, generated from the handlers and the wire types.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{audit, comments, console, form, moderation, privacy, ratings, routes, session, widget};

#[derive(OpenApi)]
#[openapi(
    info(title = "news-widget API", description = "Articles, ratings and comments for the news-widget."),
    paths(
        routes::health, routes::get_article, routes::put_article, ratings::get_rating, ratings::put_rating,
        comments::list, comments::post, form::post_form, widget::fragment, comments::form_token, crate::events::stream, comments::edit, comments::delete, comments::state,
        comments::report, comments::counts, comments::admin_list, comments::admin_action, comments::admin_delete,
        privacy::export, privacy::erase, moderation::get_rules, moderation::put_rules, moderation::post_ban,
        moderation::delete_ban, moderation::list_bans, moderation::put_article_comments, session::login,
        session::whoami, session::logout, session::setup, session::list_users, session::create_user,
        session::disable_user, console::queue, console::bulk, console::history, console::person, console::add_note,
        console::ban, console::unban, console::reject_all, console::reveal_email, console::articles,
        console::put_moderation, audit::export_csv,
        crate::alerts::get_mine, crate::alerts::put_mine, crate::outbox::counts,
    ),
    components(schemas(news_widget_api::FieldError)),
    modifiers(&AdminToken),
)]
pub struct ApiDoc;

struct AdminToken;

impl Modify for AdminToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "admin_token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
