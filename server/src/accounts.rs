//! Moderators' accounts and their sessions: users with a role, argon2id password hashes,
//! sessions known only by the hash of their id, one-time setup links, and the failed sign-ins
//! that throttle guessing. The HTTP side is in `session`; the extractors in `admin`.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, OnceLock};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use serde::{Deserialize, Serialize};

use crate::db::Db;
use crate::error::ApiError;
use crate::secrets::{token_hash, Secrets};

/// The cookie of a session. `__Host-`: the browser keeps it only with `Secure`, `Path=/` and no
/// `Domain`, so no sibling subdomain can set or shadow it.
pub const COOKIE: &str = "__Host-nw_session";
/// The header a session's state-changing requests carry its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// A session unused this long (seconds) is over: 8 hours.
pub const SESSION_IDLE: i64 = 8 * 3600;
/// A session is over this long (seconds) after sign-in, however busy: 7 days.
pub const SESSION_LIFETIME: i64 = 7 * 24 * 3600;
/// How long a setup link works (seconds): 24 hours.
pub const SETUP_LIFETIME: i64 = 24 * 3600;
/// The fewest characters a password may have.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The most bytes a password may have (hashing a megabyte for every guess is not on offer).
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// Failed sign-ins are counted over this window (seconds): 15 minutes.
pub const FAILURE_WINDOW: i64 = 15 * 60;
/// Failed sign-ins for one email in a window before that email is refused with 429.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// Failed sign-ins from one address in a window before it is refused with 429 (more than per
/// account: a newsroom may share one address).
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;

/// The server's clock for sessions, links and throttling: the system's, plus an offset that
/// tests move forward instead of sleeping for hours. Clones share the offset.
#[derive(Clone, Debug, Default)]
pub struct Clock(Arc<AtomicI64>);

impl Clock {
    /// Unix seconds.
    pub fn now(&self) -> i64 {
        let system = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or_default();
        system.saturating_add(self.0.load(Ordering::Relaxed))
    }

    /// Unix milliseconds (the outbox's times), moved by the same offset.
    pub fn now_ms(&self) -> i64 {
        let system = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or_default();
        system.saturating_add(self.0.load(Ordering::Relaxed).saturating_mul(1000))
    }

    /// Moves this clock (and its clones) `seconds` forward.
    pub fn advance(&self, seconds: i64) {
        self.0.fetch_add(seconds, Ordering::Relaxed);
    }
}

/// The roles live with the console's wire types (the console reads them too).
pub use news_widget_api::admin::Role;

/// A role as the command line takes it (`--role admin`).
pub fn parse_role(raw: &str) -> Result<Role, String> {
    Role::parse(raw).map_err(|e| e.to_string())
}

/// An account, as listed (never its hash).
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub role: Role,
    pub disabled: bool,
    /// Whether a password is set (an account made with a setup link has none until it is used).
    pub has_password: bool,
    pub created_at: String,
}

type UserRow = (i64, String, String, i64, Option<String>, String);

fn user(row: UserRow) -> (User, Option<String>) {
    let (id, email, role, disabled, hash, created_at) = row;
    let user = User {
        id,
        email,
        role: Role::parse(&role).unwrap_or(Role::Moderator),
        disabled: disabled != 0,
        has_password: hash.is_some(),
        created_at,
    };
    (user, hash)
}

const USER_COLUMNS: &str = "id, email, role, disabled, password_hash, created_at";

/// The email as accounts keep it, or a 422 naming the field `email`.
pub fn email(raw: &str) -> Result<String, ApiError> {
    news_widget_api::parse_email(raw).map_err(|e| ApiError::field("email", format!("the email {e}")))
}

/// A password is 12 characters or more, at most 1024 bytes; otherwise a 422 naming `password`.
pub fn check_password(password: &str) -> Result<(), ApiError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(ApiError::field(
            "password",
            format!("the password has {chars} characters; it needs at least {MIN_PASSWORD_CHARS}"),
        ));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(ApiError::field("password", format!("the password is longer than {MAX_PASSWORD_BYTES} bytes")));
    }
    Ok(())
}

/// The argon2id PHC string of `password`, with the argon2 crate's defaults (OWASP's minimum:
/// 19 MiB, 2 passes, 1 lane) and a random salt. Slow on purpose: call it off the async threads.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| anyhow::anyhow!("no randomness from the OS: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let hash = Argon2::default().hash_password(password.as_bytes(), &salt).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(hash.to_string())
}

/// Whether `password` matches the PHC string `hash` (false for a malformed hash).
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A hash no password matches, verified against when the email has no account (or no password
/// yet), so that an unknown email takes as long to refuse as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let mut random = [0u8; 32];
        let _ = getrandom::fill(&mut random);
        let password: String = random.iter().map(|b| format!("{b:02x}")).collect();
        hash_password(&password).unwrap_or_default()
    })
}

/// `hash_password` on the blocking threads.
pub async fn hash_blocking(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)
}

/// Checks `password` against `hash`, or against the dummy hash when there is none, on the
/// blocking threads.
pub async fn verify_blocking(hash: Option<String>, password: String) -> bool {
    tokio::task::spawn_blocking(move || match hash {
        Some(hash) => verify_password(&hash, &password),
        None => {
            let _ = verify_password(dummy_hash(), &password);
            false
        }
    })
    .await
    .unwrap_or(false)
}

/// Creates an account; `password_hash` None leaves it to a setup link. 409 if the email has one.
pub async fn add_user(db: &Db, email: &str, role: Role, password_hash: Option<&str>) -> Result<User, ApiError> {
    let inserted: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO users (email, role, password_hash) VALUES ($1, $2, $3) ON CONFLICT (email) DO NOTHING RETURNING id",
    )
    .bind(email)
    .bind(role.as_str())
    .bind(password_hash)
    .fetch_optional(db)
    .await?;
    let Some((id,)) = inserted else {
        return Err(ApiError::from(news_widget_api::Problem::new(
            409,
            "Conflict",
            format!("an account with the email {email} exists already"),
        )));
    };
    Ok(user_by_id(db, id).await?.ok_or_else(|| ApiError::internal("the new account vanished"))?.0)
}

pub async fn list_users(db: &Db) -> sqlx::Result<Vec<User>> {
    let rows: Vec<UserRow> =
        sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY id")).fetch_all(db).await?;
    Ok(rows.into_iter().map(|r| user(r).0).collect())
}

/// The account with this (parsed) email and its password hash.
pub async fn user_by_email(db: &Db, email: &str) -> sqlx::Result<Option<(User, Option<String>)>> {
    let row: Option<UserRow> = sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1"))
        .bind(email)
        .fetch_optional(db)
        .await?;
    Ok(row.map(user))
}

pub async fn user_by_id(db: &Db, id: i64) -> sqlx::Result<Option<(User, Option<String>)>> {
    let row: Option<UserRow> =
        sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1")).bind(id).fetch_optional(db).await?;
    Ok(row.map(user))
}

/// Disables an account and ends its sessions and setup links; false if there is no such account.
pub async fn disable(db: &Db, id: i64) -> sqlx::Result<bool> {
    let mut tx = db.begin().await?;
    let done = sqlx::query("UPDATE users SET disabled = 1 WHERE id = $1").bind(id).execute(&mut *tx).await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
    sqlx::query("DELETE FROM setup_tokens WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(done.rows_affected() > 0)
}

/// Sets a new password hash and ends every session of the account (a reset is often because
/// the old password leaked), and its setup links.
pub async fn set_password(db: &Db, id: i64, password_hash: &str) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
    sqlx::query("DELETE FROM setup_tokens WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// A new one-time setup token for the account, valid [`SETUP_LIFETIME`]; older ones stop working.
pub async fn new_setup_token(db: &Db, id: i64, now: i64) -> Result<(String, i64), ApiError> {
    let (token, stored) = Secrets::new_token().map_err(ApiError::internal)?;
    let expires = now + SETUP_LIFETIME;
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM setup_tokens WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
    sqlx::query("INSERT INTO setup_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3)")
        .bind(&stored)
        .bind(id)
        .bind(expires)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok((token, expires))
}

/// Uses a setup token once: the account it names, if it is still valid and the account enabled.
pub async fn take_setup_token(db: &Db, token: &str, now: i64) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64, i64)> =
        sqlx::query_as("DELETE FROM setup_tokens WHERE token_hash = $1 RETURNING user_id, expires_at")
            .bind(token_hash(token))
            .fetch_optional(db)
            .await?;
    let Some((id, _)) = row.filter(|(_, expires)| *expires > now) else { return Ok(None) };
    let enabled: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM users WHERE id = $1 AND disabled = 0").bind(id).fetch_optional(db).await?;
    Ok(enabled.map(|(id,)| id))
}

/// A new session for the account: its id (for the cookie; only its hash is stored).
pub async fn new_session(db: &Db, user_id: i64, now: i64) -> Result<String, ApiError> {
    let (id, stored) = Secrets::new_token().map_err(ApiError::internal)?;
    sqlx::query("INSERT INTO sessions (id_hash, user_id, created_at, last_seen) VALUES ($1, $2, $3, $4)")
        .bind(&stored)
        .bind(user_id)
        .bind(now)
        .bind(now)
        .execute(db)
        .await?;
    Ok(id)
}

/// The account of a live session, which this use keeps alive. A session idle past
/// [`SESSION_IDLE`], older than [`SESSION_LIFETIME`], or of a disabled account is deleted and
/// answers None.
pub async fn session_user(db: &Db, session_id: &str, now: i64) -> sqlx::Result<Option<User>> {
    let id_hash = token_hash(session_id);
    let row: Option<(i64, i64, i64)> =
        sqlx::query_as("SELECT user_id, created_at, last_seen FROM sessions WHERE id_hash = $1")
            .bind(&id_hash)
            .fetch_optional(db)
            .await?;
    let Some((user_id, created, last_seen)) = row else { return Ok(None) };
    let account = user_by_id(db, user_id).await?.map(|(u, _)| u);
    let live = now - last_seen < SESSION_IDLE && now - created < SESSION_LIFETIME;
    match account {
        Some(user) if live && !user.disabled => {
            sqlx::query("UPDATE sessions SET last_seen = $1 WHERE id_hash = $2 AND last_seen < $3")
                .bind(now)
                .bind(&id_hash)
                .bind(now)
                .execute(db)
                .await?;
            Ok(Some(user))
        }
        _ => {
            delete_session(db, session_id).await?;
            Ok(None)
        }
    }
}

pub async fn delete_session(db: &Db, session_id: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(token_hash(session_id)).execute(db).await?;
    Ok(())
}

/// The CSRF token of a session: a keyed hash of its id (a synchronizer token bound to the
/// session, derived rather than stored, so the database holds nothing that forges it).
pub fn csrf_token(secrets: &Secrets, session_id: &str) -> String {
    secrets.sign(&format!("csrf:{session_id}"))
}

/// The throttling keys of a sign-in: the email as typed (trimmed, lowercased, so that unknown
/// emails count alike) and the client's rate key.
pub fn failure_keys(raw_email: &str, address: std::net::IpAddr) -> [(String, i64); 2] {
    [
        (token_hash(&format!("account:{}", raw_email.trim().to_lowercase())), MAX_FAILURES_PER_ACCOUNT),
        (token_hash(&format!("address:{address}")), MAX_FAILURES_PER_ADDRESS),
    ]
}

/// Seconds until a sign-in under these keys may be tried again, if one of them is over its limit.
pub async fn throttled(db: &Db, keys: &[(String, i64)], now: i64) -> sqlx::Result<Option<i64>> {
    let mut wait = None;
    for (key, max) in keys {
        let (count, oldest): (i64, Option<i64>) =
            sqlx::query_as("SELECT COUNT(*), MIN(at) FROM login_failures WHERE key_hash = $1 AND at > $2")
                .bind(key)
                .bind(now - FAILURE_WINDOW)
                .fetch_one(db)
                .await?;
        if count >= *max {
            // Over the limit: wait until enough failures leave the window for one more try.
            let nth: Option<(i64,)> = sqlx::query_as(
                "SELECT at FROM login_failures WHERE key_hash = $1 AND at > $2 ORDER BY at DESC LIMIT 1 OFFSET $3",
            )
            .bind(key)
            .bind(now - FAILURE_WINDOW)
            .bind(max - 1)
            .fetch_optional(db)
            .await?;
            let at = nth.map(|(at,)| at).or(oldest).unwrap_or(now);
            let seconds = (at + FAILURE_WINDOW - now).max(1);
            wait = Some(wait.map_or(seconds, |w: i64| w.max(seconds)));
        }
    }
    Ok(wait)
}

pub async fn record_failure(db: &Db, keys: &[(String, i64)], now: i64) -> sqlx::Result<()> {
    for (key, _) in keys {
        sqlx::query("INSERT INTO login_failures (key_hash, at) VALUES ($1, $2)")
            .bind(key)
            .bind(now)
            .execute(db)
            .await?;
    }
    Ok(())
}

/// Forgets the failures of an account key after its owner signed in.
pub async fn clear_failures(db: &Db, key: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE key_hash = $1").bind(key).execute(db).await?;
    Ok(())
}

/// Deletes expired sessions, setup links and old failures; answers how many sessions went.
pub async fn purge(db: &Db, now: i64) -> sqlx::Result<u64> {
    let sessions = sqlx::query("DELETE FROM sessions WHERE last_seen <= $1 OR created_at <= $2")
        .bind(now - SESSION_IDLE)
        .bind(now - SESSION_LIFETIME)
        .execute(db)
        .await?;
    sqlx::query("DELETE FROM setup_tokens WHERE expires_at <= $1").bind(now).execute(db).await?;
    sqlx::query("DELETE FROM login_failures WHERE at <= $1").bind(now - FAILURE_WINDOW).execute(db).await?;
    Ok(sessions.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_phc_strings_that_verify() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(verify_password(&hash, "correct horse battery"));
        assert!(!verify_password(&hash, "correct horse batterx"));
        assert!(!verify_password("not a hash", "x"));
        assert!(!verify_password(dummy_hash(), ""));
    }

    #[test]
    fn passwords_need_twelve_characters() {
        assert!(check_password("elevenchars").is_err());
        assert!(check_password("twelve chars").is_ok());
        assert!(check_password("ééééééééééé").is_err(), "characters, not bytes");
        assert!(check_password(&"x".repeat(MAX_PASSWORD_BYTES + 1)).is_err());
    }
}
