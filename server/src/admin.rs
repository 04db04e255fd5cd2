//! The admin token: where it comes from, how it is checked, and the extractor every admin route
//! takes first, so that a request without the token is refused before its body is read.

use std::fmt;
use std::net::SocketAddr;
use std::path::Path;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

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

/// A request that carries the admin token. Take it as a handler's first argument.
pub struct Admin;

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(expected) = &state.admin_token else {
            return Err(ApiError::admin_disabled());
        };
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
        let key = peer.map(|p| crate::client::rate_key(crate::client::client_ip(&state.proxies, p, &parts.headers)));
        // Refused before checking once a client failed too often, so guessing gains nothing.
        if let Some(key) = key {
            state.admin_failures.refuse_if_over(key)?;
        }
        let given = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        if expected.matches(given) {
            return Ok(Admin);
        }
        if let Some(key) = key {
            state.admin_failures.record(key);
        }
        tracing::warn!("admin request refused: wrong or missing token");
        Err(ApiError::unauthorized())
    }
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
