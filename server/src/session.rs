//! The moderators' console over HTTP: signing in and out (`/api/v1/admin/session`), setting a
//! password from a setup link (`/api/v1/admin/setup`), and the accounts (`/api/v1/admin/users`,
//! admins only).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::accounts::{self, Role, User};
use crate::admin::Admin;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiPath;
use crate::json::ApiJson;
use crate::AppState;
use news_widget_api::Problem;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub email: String,
    pub password: String,
}

/// Who is signed in (shared with the console).
pub use news_widget_api::admin::SessionInfo;

fn cookie(value: &str, max_age: i64) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{}={value}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age={max_age}",
        accounts::COOKIE
    ))
    .expect("a session id is hex")
}

fn no_store(response: &mut Response) {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

fn login_failed() -> ApiError {
    ApiError::from(Problem::new(401, "Sign-in failed", "the email or the password is wrong"))
}

fn login_throttled(seconds: i64) -> ApiError {
    ApiError::too_many(
        "Too many failed sign-ins for this account or from this address; wait, then try again.",
        u64::try_from(seconds).unwrap_or(1),
    )
}

/// Signs in: 200 with the session cookie and, in the body, who signed in and the CSRF token.
/// A wrong password, an unknown email and a disabled account get the same 401.
#[utoipa::path(post, path = "/api/v1/admin/session", tag = "accounts", request_body = Login,
    responses((status = 200, description = "signed in; Set-Cookie: __Host-nw_session", body = SessionInfo), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 429, body = Problem, content_type = "application/problem+json")))]
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<Login>,
) -> ApiResult<Response> {
    let now = state.clock.now();
    let address = crate::client::rate_key(crate::client::client_ip(&state.proxies, peer, &headers));
    let keys = accounts::failure_keys(&input.email, address);
    if let Some(seconds) = accounts::throttled(&state.db, &keys, now).await? {
        tracing::warn!(%address, "sign-in refused: too many failures");
        return Err(login_throttled(seconds));
    }
    let found = match accounts::email(&input.email) {
        Ok(email) if input.password.len() <= accounts::MAX_PASSWORD_BYTES => {
            accounts::user_by_email(&state.db, &email).await?
        }
        _ => None,
    };
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), hash),
        None => (None, None),
    };
    // Always one argon2 verification, against a dummy hash when there is no account.
    let password = if input.password.len() <= accounts::MAX_PASSWORD_BYTES { input.password } else { String::new() };
    let matches = accounts::verify_blocking(hash, password).await;
    let Some(user) = user.filter(|u| matches && !u.disabled) else {
        accounts::record_failure(&state.db, &keys, now).await?;
        tracing::warn!(%address, "sign-in failed");
        return Err(login_failed());
    };
    accounts::clear_failures(&state.db, &keys[0].0).await?;
    let id = accounts::new_session(&state.db, user.id, now).await?;
    tracing::info!(user = user.id, "signed in");
    let info =
        SessionInfo { email: user.email, role: user.role, csrf_token: accounts::csrf_token(&state.secrets, &id) };
    let mut response = Json(info).into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie(&id, accounts::SESSION_LIFETIME));
    no_store(&mut response);
    Ok(response)
}

/// The session of the request's cookie (with the CSRF check for DELETE); 401 without one.
pub struct Signed(pub String, pub User);

impl axum::extract::FromRequestParts<AppState> for Signed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match crate::admin::session(parts, state).await? {
            Some((id, user)) => Ok(Signed(id, user)),
            None => Err(ApiError::session_over()),
        }
    }
}

/// Who is signed in, and the session's CSRF token.
#[utoipa::path(get, path = "/api/v1/admin/session", tag = "accounts",
    responses((status = 200, body = SessionInfo), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn whoami(Signed(id, user): Signed, State(state): State<AppState>) -> Response {
    let info =
        SessionInfo { email: user.email, role: user.role, csrf_token: accounts::csrf_token(&state.secrets, &id) };
    let mut response = Json(info).into_response();
    no_store(&mut response);
    response
}

/// Signs out: the session is deleted and the cookie cleared.
#[utoipa::path(delete, path = "/api/v1/admin/session", tag = "accounts",
    responses((status = 204, description = "signed out; the cookie is cleared"), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn logout(Signed(id, user): Signed, State(state): State<AppState>) -> ApiResult<Response> {
    accounts::delete_session(&state.db, &id).await?;
    tracing::info!(user = user.id, "signed out");
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie("", 0));
    Ok(response)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Setup {
    pub token: String,
    pub password: String,
}

/// Sets the password of the account a setup link names; the link works once.
#[utoipa::path(post, path = "/api/v1/admin/setup", tag = "accounts", request_body = Setup,
    responses((status = 204, description = "the password is set"), (status = 410, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn setup(State(state): State<AppState>, ApiJson(input): ApiJson<Setup>) -> ApiResult<StatusCode> {
    accounts::check_password(&input.password)?;
    let Some(id) = accounts::take_setup_token(&state.db, &input.token, state.clock.now()).await? else {
        return Err(ApiError::from(Problem::new(
            410,
            "Setup link expired",
            "this setup link was used already, has expired, or was replaced; ask an admin for a new one",
        )));
    };
    let hash = accounts::hash_blocking(input.password).await?;
    accounts::set_password(&state.db, id, &hash).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every account (admins only).
#[utoipa::path(get, path = "/api/v1/admin/users", tag = "accounts", security(("admin_token" = [])),
    responses((status = 200, body = Vec<User>), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_users(_admin: Admin, State(state): State<AppState>) -> ApiResult<Json<Vec<User>>> {
    Ok(Json(accounts::list_users(&state.db).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub email: String,
    pub role: Role,
}

/// A new account and its one-time setup link.
#[derive(Serialize, Deserialize, utoipa::ToSchema)]
pub struct Created {
    pub user: User,
    /// `{public URL}admin/setup?token=…`, valid 24 hours, once.
    pub setup_url: String,
    /// Unix seconds.
    pub setup_expires_at: i64,
}

/// The setup link of a token, under the server's public address.
pub fn setup_url(base: &url::Url, token: &str) -> String {
    let mut url = base.join("admin/setup").unwrap_or_else(|_| base.clone());
    url.query_pairs_mut().append_pair("token", token);
    url.to_string()
}

/// Creates an account (admins only), without a password: the answer has its setup link.
#[utoipa::path(post, path = "/api/v1/admin/users", tag = "accounts", request_body = NewUser, security(("admin_token" = [])),
    responses((status = 201, body = Created), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_user(
    _admin: Admin,
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<NewUser>,
) -> ApiResult<Response> {
    let email = accounts::email(&input.email)?;
    let user = accounts::add_user(&state.db, &email, input.role, None).await?;
    let (token, expires) = accounts::new_setup_token(&state.db, user.id, state.clock.now()).await?;
    let created =
        Created { user, setup_url: setup_url(&state.public_base(&headers), &token), setup_expires_at: expires };
    let mut response = (StatusCode::CREATED, Json(created)).into_response();
    no_store(&mut response);
    Ok(response)
}

/// Disables an account (admins only): its sessions end at once. An admin cannot disable their
/// own account (409), so the last admin cannot lock everyone out by a slip.
#[utoipa::path(post, path = "/api/v1/admin/users/{id}/disable", tag = "accounts", params(("id" = i64, Path)),
    security(("admin_token" = [])),
    responses((status = 204, description = "disabled"), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn disable_user(
    Admin(who): Admin,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    if who.user.as_ref().is_some_and(|u| u.id == id) {
        return Err(ApiError::from(Problem::new(409, "Conflict", "you cannot disable your own account")));
    }
    if !accounts::disable(&state.db, id).await? {
        return Err(ApiError::not_found(format!("no account {id}")));
    }
    tracing::info!(user = id, "account disabled");
    Ok(StatusCode::NO_CONTENT)
}
