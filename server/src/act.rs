//! The approve and reject links of the email alerts: `GET /admin/act/{token}` shows a small
//! confirmation page and never acts (mail scanners fetch links), `POST` acts once.
//!
//! A token is an HMAC the server derives from the alert, the comment and the action (so a
//! resend carries the same links); only its SHA-256 is stored, with the account it was sent to
//! and an expiry. Unknown or forged: 404. Used (it, or its sibling: the decision is made) or
//! expired: 410. The decision is recorded as by `email link (<the account's email>)`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use subtle::ConstantTimeEq;

use crate::mail::MailConfig;
use crate::page::{self, escape};
use crate::secrets::token_hash;
use crate::AppState;

/// No script, no remote content, forms only to this server, never framed.
const CSP: &str = "default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The link of `action` on `comment_id` in alert `outbox_id` for account `user_id`: stored the
/// first time (its expiry runs from then), the same on every resend.
pub async fn link(
    state: &AppState,
    config: &MailConfig,
    outbox_id: i64,
    user_id: i64,
    comment_id: i64,
    action: &str,
) -> sqlx::Result<String> {
    let token = state.secrets.sign(&format!("alert-link\n{outbox_id}\n{user_id}\n{comment_id}\n{action}"));
    let lifetime = i64::try_from(config.link_lifetime.as_secs()).unwrap_or(i64::MAX);
    sqlx::query(
        "INSERT INTO action_links (token_hash, outbox_id, user_id, comment_id, action, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (token_hash) DO NOTHING",
    )
    .bind(token_hash(&token))
    .bind(outbox_id)
    .bind(user_id)
    .bind(comment_id)
    .bind(action)
    .bind(state.clock.now().saturating_add(lifetime))
    .execute(&state.db)
    .await?;
    let base = &config.link_base;
    Ok(base
        .join(&format!("admin/act/{token}"))
        .map(|u| u.to_string())
        .unwrap_or_else(|_| format!("{base}admin/act/{token}")))
}

#[derive(sqlx::FromRow)]
struct Link {
    outbox_id: i64,
    comment_id: i64,
    action: String,
    expires_at: i64,
    used_at: Option<i64>,
    decision: Option<String>,
    email: String,
}

/// The live link of `token`, or the page that refuses it.
async fn find(state: &AppState, token: &str) -> Result<Link, Response> {
    let well_formed = token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit());
    let found: Option<Link> = if well_formed {
        sqlx::query_as(
            "SELECT l.outbox_id, l.comment_id, l.action, l.expires_at, l.used_at, l.decision, u.email
             FROM action_links l JOIN users u ON u.id = l.user_id WHERE l.token_hash = $1 AND u.disabled = 0",
        )
        .bind(token_hash(token))
        .fetch_optional(&state.db)
        .await
        .map_err(|e| error_page(&e))?
    } else {
        None
    };
    let Some(link) = found else {
        return Err(message(
            StatusCode::NOT_FOUND,
            "Unknown link",
            "This link is not one this server gave, or its account is disabled.",
        ));
    };
    if link.used_at.is_some() {
        let decision = match link.decision.as_deref() {
            Some("approve") => "The comment was approved with it.",
            Some("reject") => "The comment was rejected with it.",
            _ => "",
        };
        return Err(message(
            StatusCode::GONE,
            "Link already used",
            &format!("The links of this alert were used already: a decision was made. {decision}"),
        ));
    }
    if link.expires_at <= state.clock.now() {
        return Err(message(
            StatusCode::GONE,
            "Link expired",
            "This link has expired (links work for 72 hours). Decide in the moderators' console.",
        ));
    }
    Ok(link)
}

fn verb(action: &str) -> (&'static str, &'static str) {
    if action == "approve" {
        ("Approve", "approved")
    } else {
        ("Reject", "rejected")
    }
}

/// `GET /admin/act/{token}`: what the link would do, and one button that does it.
pub async fn confirm(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let link = match find(&state, &token).await {
        Ok(link) => link,
        Err(page) => return page,
    };
    let comment: Option<(String, String, String, String)> = sqlx::query_as(
        "SELECT c.author_name, COALESCE(c.pending_body, c.body), c.status, COALESCE(json_extract(a.data, '$.title'), c.article_slug)
         FROM comments c JOIN articles a ON a.slug = c.article_slug WHERE c.id = $1",
    )
    .bind(link.comment_id)
    .fetch_optional(&state.db)
    .await
    .unwrap_or_default();
    let Some((author, body, status, title)) = comment else {
        return message(StatusCode::GONE, "Comment gone", "This comment was deleted; there is nothing to decide.");
    };
    let (verb, _) = verb(&link.action);
    let text: String = escape(&body).replace('\n', "<br>");
    let html = format!(
        "<main class=\"nw-page\" data-nw-page><h1>{verb} this comment?</h1>\
         <p>On «{title}», by {author} (now {status}):</p>\
         <blockquote><p>{text}</p></blockquote>\
         <form method=\"post\"><input type=\"hidden\" name=\"token\" value=\"{token}\">\
         <button type=\"submit\">{verb} the comment</button></form>\
         <p>This link acts once, for {email}; the decision is recorded as yours.</p></main>",
        title = escape(&title),
        author = escape(&author),
        status = escape(&status),
        token = escape(&token),
        email = escape(&link.email),
    );
    answer(StatusCode::OK, page::document("en", &format!("{verb} this comment?"), &html))
}

/// `POST /admin/act/{token}` (a form with the same token in `token`): the decision, once.
pub async fn act(State(state): State<AppState>, Path(token): Path<String>, body: Bytes) -> Response {
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let given = form.iter().find(|(k, _)| k == "token").map(|(_, v)| v.as_str()).unwrap_or_default();
    if !bool::from(token_hash(given).as_bytes().ct_eq(token_hash(&token).as_bytes())) {
        return message(StatusCode::BAD_REQUEST, "Not confirmed", "Open the link again and press its button.");
    }
    let link = match find(&state, &token).await {
        Ok(link) => link,
        Err(page) => return page,
    };
    let actor = format!("email link ({})", link.email);
    let now = state.clock.now();
    // The link and its sibling are used first, so two presses (or approve and reject) act once.
    let taken = sqlx::query(
        "UPDATE action_links SET used_at = $1, decision = $2, decided_by = $3
         WHERE outbox_id = $4 AND comment_id = $5 AND used_at IS NULL
         AND EXISTS (SELECT 1 FROM action_links WHERE token_hash = $6 AND used_at IS NULL AND expires_at > $1)",
    )
    .bind(now)
    .bind(&link.action)
    .bind(&actor)
    .bind(link.outbox_id)
    .bind(link.comment_id)
    .bind(token_hash(&token))
    .execute(&state.db)
    .await;
    match taken {
        Ok(done) if done.rows_affected() > 0 => {}
        Ok(_) => return find(&state, &token).await.err().unwrap_or_else(|| error_page(&"the link changed")),
        Err(e) => return error_page(&e),
    }
    // Recorded in the decisions log as by `email link (<email>)`.
    let decided = crate::comments::moderate(&state.db, link.comment_id, &link.action, &actor, None).await;
    match decided {
        Ok(slug) => {
            state.changed(&slug);
            tracing::info!(comment = link.comment_id, action = %link.action, by = "email link", "comment moderated");
            let (_, done) = verb(&link.action);
            message(StatusCode::OK, "Done", &format!("The comment was {done}. Thank you."))
        }
        Err(e) => {
            // Nothing was decided: the links work again.
            let _ = sqlx::query(
                "UPDATE action_links SET used_at = NULL, decision = NULL, decided_by = NULL
                 WHERE outbox_id = $1 AND comment_id = $2 AND used_at = $3 AND decided_by = $4",
            )
            .bind(link.outbox_id)
            .bind(link.comment_id)
            .bind(now)
            .bind(&actor)
            .execute(&state.db)
            .await;
            let status = StatusCode::from_u16(e.problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            message(status, &e.problem.title, &e.problem.detail)
        }
    }
}

fn error_page(e: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %e, "action link failed");
    message(StatusCode::INTERNAL_SERVER_ERROR, "Server error", "The server failed; the error is in its log.")
}

fn message(status: StatusCode, title: &str, text: &str) -> Response {
    let body = format!(
        "<main class=\"nw-page\" data-nw-page><h1>{}</h1><p role=\"status\">{}</p></main>",
        escape(title),
        escape(text)
    );
    answer(status, page::document("en", title, &body))
}

fn answer(status: StatusCode, html: String) -> Response {
    let mut response = page::answer(status, "en", html, CSP);
    response.headers_mut().insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response.headers_mut().insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}
