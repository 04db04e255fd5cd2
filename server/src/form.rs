//! The comment form without JavaScript: `POST /api/v1/articles/{slug}/comments/form`, a plain
//! `<form method=post>` (urlencoded). It stores through [`comments::store`], the JSON route's
//! one path, and answers as a browser needs: a `303` back to a checked address, a page saying
//! the comment awaits moderation, or the form shown again with the reader's text and the errors.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use news_widget_api::{CommentInput, CommentStatus, FieldError, LangTag, Problem, Slug};
use serde::Deserialize;

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiForm, ApiPath};
use crate::redirect::{self, Origins};
use crate::secrets::Secrets;
use crate::widget::{self, Refused, WidgetQuery};
use crate::{client, comments, db, page, texts, AppState};

/// The fields of the form, as the widget's `CommentForm` names them. Every one may be absent;
/// an empty one counts as absent.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct FormPost {
    pub body: String,
    pub name: String,
    pub email: String,
    pub website: String,
    /// The honeypot, as on the JSON route: anything in it marks a bot.
    pub website_confirm: String,
    /// `GET …/form-token`'s token, rendered into the form (the time trap).
    pub form_token: String,
    /// A nonce rendered into the form; the key stored is derived from it (see [`FormPost::key`]).
    pub idempotency_key: String,
    /// Where to go back to: a path of this server, or an address on the article's site or an
    /// allowed origin; absent, the article's canonical URL.
    pub return_to: String,
    /// The comment answered, for a reply.
    pub parent_id: String,
    /// The language of the pages this answers with; the article's when absent.
    pub lang: String,
}

fn present(s: &str) -> Option<&str> {
    Some(s).filter(|s| !s.is_empty())
}

impl FormPost {
    /// The JSON route's input, and the errors of the fields only the form has.
    fn input(&self) -> (CommentInput, Vec<FieldError>) {
        let mut errors = Vec::new();
        let parent_id = present(self.parent_id.trim()).and_then(|raw| match raw.parse::<i64>() {
            Ok(id) if news_widget_api::comment_id_ok(id) => Some(id),
            _ => {
                errors.push(FieldError::new("parent_id", "is not a comment id"));
                None
            }
        });
        let nonce = self.idempotency_key.as_str();
        if !nonce.is_empty() && !news_widget_api::idempotency_key_ok(nonce) {
            errors.push(FieldError::new("idempotency_key", "must be 8 to 128 letters, digits, - or _"));
        }
        let input = CommentInput {
            parent_id,
            author_name: self.name.clone(),
            author_email: self.email.clone(),
            author_url: present(self.website.trim()).map(str::to_owned),
            body: self.body.clone(),
            website_confirm: self.website_confirm.clone(),
            form_token: self.form_token.clone(),
        };
        (input, errors)
    }

    /// The idempotency key stored for this post: never the hidden nonce itself, which a cached
    /// fragment hands to several readers, but a keyed hash of it with what this reader wrote.
    /// The same reader sending the same form twice replays the first answer; two readers with
    /// one nonce never collide, and neither gets the other's edit token.
    pub fn key(&self, secrets: &Secrets) -> Option<String> {
        let nonce = present(&self.idempotency_key)?;
        let email = self.email.trim().to_lowercase();
        let parent = self.parent_id.trim();
        let body = self.body.trim();
        Some(secrets.sign(&format!("form-key\n{nonce}\n{email}\n{parent}\n{body}")))
    }
}

/// Posts a comment from the plain HTML form (no JavaScript needed).
#[utoipa::path(post, path = "/api/v1/articles/{slug}/comments/form", tag = "comments",
    params(("slug" = String, Path, description = "the article's slug")),
    request_body(content = FormPost, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "published: back to the return address, at #nw-c-{id}"),
              (status = 200, description = "awaiting moderation (or published, with no address to go back to)", content_type = "text/html", body = String),
              (status = 400, description = "a return address that is not allowed", body = Problem, content_type = "application/problem+json"),
              (status = 403, description = "posted from a page of another site", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "no such article", content_type = "text/html", body = String),
              (status = 415, body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "the form again, with the text and the errors", content_type = "text/html", body = String),
              (status = 429, description = "the form again, with the text", content_type = "text/html", body = String)))]
pub async fn post_form(
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiForm(form): ApiForm<FormPost>,
) -> ApiResult<Response> {
    let asked_lang = present(&form.lang).and_then(|l| LangTag::parse(l).ok());
    let own = state.own_origins(&headers);
    let bare = Origins { own: &own, canonical: None, allowed: &state.allowed_origins };
    let not_found = |lang: &str| {
        let t = texts::texts(lang);
        page::message(StatusCode::NOT_FOUND, lang, t.not_found_title, t.not_found, None, &page::csp(&bare))
    };
    let fallback_lang = asked_lang.as_ref().map(|l| l.as_str().to_owned()).unwrap_or_else(|| "en".into());
    let Ok(slug) = Slug::parse(&raw) else { return Ok(not_found(&fallback_lang)) };
    let Some(article) = db::article(&state.db, &slug).await? else { return Ok(not_found(&fallback_lang)) };
    let lang = asked_lang.unwrap_or_else(|| article.lang.clone());
    let lang = lang.as_str();
    let canonical = article.canonical_url.as_ref().and_then(|u| url::Url::parse(u.as_str()).ok());
    let origins = Origins { canonical: canonical.as_ref(), ..bare.clone() };

    let origin = headers.get(header::ORIGIN).map(|v| v.to_str().unwrap_or("?"));
    redirect::origin_allowed(origin, &origins)
        .map_err(|r| ApiError::from(Problem::new(403, "Forbidden", r.to_string())))?;
    let (input, mut errors) = form.input();
    let csp = page::csp(&origins);
    // A return address we would not redirect to: nothing is stored, and the reader gets the form
    // back with the text (400), never a bare error that loses it.
    let back = match redirect::return_to(present(&form.return_to), &origins) {
        Ok(back) => back,
        Err(r) => {
            let mut e = ApiError::field("return_to", r.to_string());
            e.problem.status = 400;
            e.problem.detail = format!("The address to come back to after sending {r}: the comment was not sent.");
            return refused_page(&state, &slug, &headers, lang, &form, input, &e, &csp).await;
        }
    };
    let stored = if errors.is_empty() {
        let ip = client::client_ip(&state.proxies, peer, &headers);
        comments::store(&state, &slug, &input, form.key(&state.secrets).as_deref(), ip).await
    } else {
        if let Err(more) = input.parse() {
            errors.extend(more);
        }
        Err(ApiError::invalid(errors))
    };
    let t = texts::texts(lang);
    match stored {
        Ok(posted) if posted.status == CommentStatus::Approved => match back {
            Some(to) => {
                let location = format!("{to}#nw-c-{}", posted.comment.id);
                Ok((
                    StatusCode::SEE_OTHER,
                    [
                        (header::LOCATION, HeaderValue::from_str(&location).map_err(ApiError::internal)?),
                        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                    ],
                )
                    .into_response())
            }
            None => Ok(page::message(StatusCode::OK, lang, t.published_title, t.published, None, &csp)),
        },
        Ok(_) => Ok(page::message(StatusCode::OK, lang, t.pending_title, t.pending, back.as_deref(), &csp)),
        Err(e) if matches!(e.problem.status, 422 | 429) => {
            refused_page(&state, &slug, &headers, lang, &form, input, &e, &csp).await
        }
        Err(e) if e.problem.status == 404 => Ok(not_found(lang)),
        Err(e) => Err(e),
    }
}

/// The answer to a refused form: the widget as it was embedded (its own shadow root, its
/// stylesheet) with the form refilled, each field's error under it and a refusal of the whole
/// form (the rate limit, the return address) above it; the status of the refusal.
#[allow(clippy::too_many_arguments)]
async fn refused_page(
    state: &AppState,
    slug: &Slug,
    headers: &HeaderMap,
    lang: &str,
    form: &FormPost,
    input: CommentInput,
    e: &ApiError,
    csp: &str,
) -> ApiResult<Response> {
    let status = StatusCode::from_u16(e.problem.status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
    let whole_form = e.problem.errors.is_empty() || e.problem.status != 422;
    let refused = Refused {
        input,
        errors: e.problem.errors.iter().filter(|f| f.field != "return_to").cloned().collect(),
        notice: whole_form.then(|| e.problem.detail.clone()),
        nonce: form.idempotency_key.clone(),
        // A refused return address is not sent again: the server's default (the article) is.
        return_to: present(&form.return_to).map(str::to_owned).filter(|_| e.problem.status != 400),
    };
    let query = WidgetQuery { lang: Some(lang.to_owned()), embed: Some("dsd".into()), ..Default::default() };
    let public = state.public_base(headers);
    let html = widget::render(state, slug, &query, Some(&refused), &public).await?;
    let html = format!(
        "<main class=\"nw-page\"><div data-news-widget data-article=\"{}\" data-lang=\"{}\">{html}</div></main>",
        page::escape(slug.as_str()),
        page::escape(lang)
    );
    let title = texts::texts(lang).refused_title;
    let mut response = page::answer(status, lang, page::document(lang, title, &html), csp);
    if let Some(seconds) = e.retry_after {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    Ok(response)
}
