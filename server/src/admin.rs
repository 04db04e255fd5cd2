//! Who may call the admin routes: the static admin token (where it comes from, how it is
//! checked) or an account's session (its cookie, its CSRF token), and the extractors every admin
//! route takes first — [`Moderator`], [`Admin`] — so that a request without credentials is
//! refused before its body is read.

use std::fmt;
use std::net::SocketAddr;
use std::path::Path;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, Method};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::accounts::Role;
use crate::error::ApiError;
use crate::AppState;

/// The admin token. Its `Debug` never shows it, and only its SHA-256 is kept for comparing.
#[derive(Clone)]
pub struct AdminToken {
    digest: [u8; 32],
}

impl fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AdminToken(<redacted>)")
    }
}

impl AdminToken {
    /// The fewest bytes a token may have: 32 (say `openssl rand -hex 32`).
    pub const MIN_LEN: usize = 32;

    pub fn new(token: &str) -> anyhow::Result<Self> {
        let token = token.trim();
        anyhow::ensure!(
            token.len() >= Self::MIN_LEN,
            "the admin token has {} bytes; it needs at least {} (make one with `openssl rand -hex 32`)",
            token.len(),
            Self::MIN_LEN
        );
        Ok(Self { digest: Sha256::digest(token.as_bytes()).into() })
    }

    /// Reads the token from a file (its first line), as secret stores mount them.
    pub fn from_file(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read the admin token file {}: {e}", path.display()))?;
        Self::new(text.lines().next().unwrap_or_default())
    }

    /// Whether `given` is the token. Both sides are hashed first, so the comparison takes the
    /// same time whatever the given token's length and content.
    pub fn matches(&self, given: &str) -> bool {
        let given: [u8; 32] = Sha256::digest(given.as_bytes()).into();
        bool::from(given.ct_eq(&self.digest))
    }
}

/// Who an admin request comes from: an account signed in (a session), or a script with the
/// static admin token (which acts as an admin and has no account).
#[derive(Clone, Debug)]
pub struct Principal {
    pub user: Option<crate::accounts::User>,
    pub role: Role,
}

impl Principal {
    /// Who this is in the decisions log: the account's email, or `admin token`.
    pub fn actor(&self) -> String {
        self.user.as_ref().map_or_else(|| crate::audit::ADMIN_TOKEN.to_owned(), |u| u.email.clone())
    }
}

/// A request from an admin: a session of an admin account, or the static admin token. Take it as
/// a handler's first argument, so that it refuses before the body is read.
pub struct Admin(pub Principal);

/// A request from a moderator or an admin (moderation). Like [`Admin`], taken first.
pub struct Moderator(pub Principal);

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let principal = authenticate(parts, state).await?;
        if principal.role != Role::Admin {
            return Err(ApiError::forbidden("this needs an admin account; yours is a moderator's"));
        }
        Ok(Admin(principal))
    }
}

impl FromRequestParts<AppState> for Moderator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(Moderator(authenticate(parts, state).await?))
    }
}

/// The value of the session cookie, if the request has one.
pub fn session_cookie(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == crate::accounts::COOKIE)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The signed-in account of the request's session cookie, with the CSRF check on methods that
/// change state; None when the request has no session cookie.
pub async fn session(parts: &Parts, state: &AppState) -> Result<Option<(String, crate::accounts::User)>, ApiError> {
    let Some(id) = session_cookie(&parts.headers) else { return Ok(None) };
    let Some(user) = crate::accounts::session_user(&state.db, &id, state.clock.now()).await? else {
        return Err(ApiError::session_over());
    };
    let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe {
        let expected = crate::accounts::csrf_token(&state.secrets, &id);
        let given = parts.headers.get(crate::accounts::CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let same: [u8; 32] = Sha256::digest(given.as_bytes()).into();
        let want: [u8; 32] = Sha256::digest(expected.as_bytes()).into();
        if !bool::from(same.ct_eq(&want)) {
            return Err(ApiError::forbidden(
                "a session's POST, PUT, PATCH and DELETE need its CSRF token in X-CSRF-Token (GET /api/v1/admin/session gives it)",
            ));
        }
    }
    Ok(Some((id, user)))
}

/// A request's credentials: the bearer token when an `Authorization` header is sent, else the
/// session cookie; neither is a 401.
async fn authenticate(parts: &Parts, state: &AppState) -> Result<Principal, ApiError> {
    if let Some(auth) = parts.headers.get(header::AUTHORIZATION) {
        bearer(parts, state, auth.to_str().unwrap_or_default())?;
        return Ok(Principal { user: None, role: Role::Admin });
    }
    match session(parts, state).await? {
        Some((_, user)) => Ok(Principal { role: user.role, user: Some(user) }),
        None => Err(ApiError::unauthorized()),
    }
}

/// Checks the static admin token of `Authorization: Bearer …`.
fn bearer(parts: &Parts, state: &AppState, authorization: &str) -> Result<(), ApiError> {
    let Some(expected) = &state.admin_token else {
        return Err(ApiError::admin_disabled());
    };
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let key = peer.map(|p| crate::client::rate_key(crate::client::client_ip(&state.proxies, p, &parts.headers)));
    // Refused before checking once a client failed too often, so guessing gains nothing.
    if let Some(key) = key {
        state.admin_failures.refuse_if_over(key)?;
    }
    let given = authorization.strip_prefix("Bearer ").unwrap_or_default();
    if expected.matches(given) {
        return Ok(());
    }
    if let Some(key) = key {
        state.admin_failures.record(key);
    }
    tracing::warn!("admin request refused: wrong admin token");
    Err(ApiError::unauthorized())
}

/// Failed admin requests per client in a fixed window: past [`Failures::MAX`] in a window, every
/// admin request from that client is refused with 429 until the window ends.
#[derive(Default)]
pub struct Failures(std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, (u32, std::time::Instant)>>);

impl Failures {
    pub const MAX: u32 = 10;
    pub const WINDOW: std::time::Duration = std::time::Duration::from_secs(60);

    pub fn refuse_if_over(&self, key: std::net::IpAddr) -> Result<(), ApiError> {
        let Ok(map) = self.0.lock() else { return Ok(()) };
        match map.get(&key) {
            Some((n, since)) if *n >= Self::MAX && since.elapsed() < Self::WINDOW => {
                let left = Self::WINDOW.saturating_sub(since.elapsed()).as_secs() + 1;
                Err(ApiError::too_many("Too many failed admin requests from this address; wait, then try again.", left))
            }
            _ => Ok(()),
        }
    }

    pub fn record(&self, key: std::net::IpAddr) {
        let Ok(mut map) = self.0.lock() else { return };
        if map.len() >= 10_000 {
            map.retain(|_, (_, since)| since.elapsed() < Self::WINDOW);
        }
        let entry = map.entry(key).or_insert((0, std::time::Instant::now()));
        if entry.1.elapsed() >= Self::WINDOW {
            *entry = (0, std::time::Instant::now());
        }
        entry.0 += 1;
    }

    pub fn prune(&self) {
        if let Ok(mut map) = self.0.lock() {
            map.retain(|_, (_, since)| since.elapsed() < Self::WINDOW);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::AdminToken;

    #[test]
    fn short_tokens_are_refused_and_debug_hides_the_token() {
        assert!(AdminToken::new("short").is_err());
        let token = AdminToken::new(&"k".repeat(32)).unwrap();
        assert!(token.matches(&"k".repeat(32)));
        assert!(!token.matches(&"k".repeat(31)) && !token.matches(""));
        assert_eq!(format!("{token:?}"), "AdminToken(<redacted>)");
    }
}
