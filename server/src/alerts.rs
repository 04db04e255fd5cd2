//! Each account's email alerts setting (`each`, `hourly`, `none`): `GET`/`PUT
//! /api/v1/admin/me/alerts` for the signed-in account, and what `users add --alerts` and
//! `users alerts` set. Sending is `outbox`'s; the emails are `mail`'s.

use axum::extract::State;
use axum::Json;
use news_widget_api::admin::{AlertMode, AlertPrefs};
use news_widget_api::Problem;

use crate::admin::Moderator;
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::json::ApiJson;
use crate::AppState;

pub fn as_str(mode: AlertMode) -> &'static str {
    match mode {
        AlertMode::Each => "each",
        AlertMode::Hourly => "hourly",
        AlertMode::None => "none",
    }
}

pub fn parse(raw: &str) -> Option<AlertMode> {
    match raw {
        "each" => Some(AlertMode::Each),
        "hourly" => Some(AlertMode::Hourly),
        "none" => Some(AlertMode::None),
        _ => None,
    }
}

pub async fn get(db: &Db, user_id: i64) -> sqlx::Result<Option<AlertMode>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT alerts FROM users WHERE id = $1").bind(user_id).fetch_optional(db).await?;
    Ok(row.map(|(m,)| parse(&m).unwrap_or_default()))
}

/// Sets the account's mode; false if there is no such account. Leaving `hourly` leaves the items
/// gathered for the next digest to it: they are sent when the account chooses `hourly` again.
pub async fn set(db: &Db, user_id: i64, mode: AlertMode) -> sqlx::Result<bool> {
    let done =
        sqlx::query("UPDATE users SET alerts = $1 WHERE id = $2").bind(as_str(mode)).bind(user_id).execute(db).await?;
    Ok(done.rows_affected() > 0)
}

fn own_account(moderator: &Moderator) -> ApiResult<i64> {
    moderator.0.user.as_ref().map(|u| u.id).ok_or_else(|| {
        ApiError::from(Problem::new(
            409,
            "No account",
            "the static admin token has no account and so no email alerts; sign in with an account",
        ))
    })
}

/// The signed-in account's email alerts.
#[utoipa::path(get, path = "/api/v1/admin/me/alerts", tag = "accounts", security(("admin_token" = [])),
    responses((status = 200, body = AlertPrefs), (status = 401, body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "the static admin token has no account", body = Problem, content_type = "application/problem+json")))]
pub async fn get_mine(moderator: Moderator, State(state): State<AppState>) -> ApiResult<Json<AlertPrefs>> {
    let id = own_account(&moderator)?;
    let mode = get(&state.db, id).await?.ok_or_else(|| ApiError::not_found("the account is gone"))?;
    Ok(Json(AlertPrefs { mode }))
}

/// Sets the signed-in account's email alerts: `each` (an email per pending or reported comment),
/// `hourly` (one digest an hour, if anything came in) or `none`.
#[utoipa::path(put, path = "/api/v1/admin/me/alerts", tag = "accounts", request_body = AlertPrefs, security(("admin_token" = [])),
    responses((status = 200, body = AlertPrefs), (status = 401, body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "the static admin token has no account", body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn put_mine(
    moderator: Moderator,
    State(state): State<AppState>,
    ApiJson(prefs): ApiJson<AlertPrefs>,
) -> ApiResult<Json<AlertPrefs>> {
    let id = own_account(&moderator)?;
    if !set(&state.db, id, prefs.mode).await? {
        return Err(ApiError::not_found("the account is gone"));
    }
    tracing::info!(user = id, mode = as_str(prefs.mode), "email alerts set");
    Ok(Json(prefs))
}
