//! The time trap and the honeypot: what tells a person's comment from a script's.
//!
//! The form asks for a token when it is shown (`GET …/form-token`): the time it was issued and
//! the article, signed with a server key. The comment sends it back, and the server reads from it
//! how long the form was open, so no client can claim a time. A comment whose token is missing,
//! forged, too young or too old is not dropped: a person can be fast too (a draft restored after a
//! reload and sent at once), so it is held for a moderator, flagged with the reason. Only the
//! honeypot, a field people never see, drops a comment.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use news_widget_api::Slug;
use subtle::ConstantTimeEq;

use crate::secrets::Secrets;

/// Tokens older than this are stale: a draft kept a week is reviewed by a person.
pub const MAX_AGE: Duration = Duration::from_secs(7 * 86_400);

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

fn message(slug: &Slug, issued_ms: u64) -> String {
    format!("form-token\n{slug}\n{issued_ms}")
}

/// A fresh token for a form about `slug`: `<issued ms, hex>.<signature>`.
pub fn issue(secrets: &Secrets, slug: &Slug) -> String {
    issue_at(secrets, slug, now_ms())
}

pub fn issue_at(secrets: &Secrets, slug: &Slug, issued_ms: u64) -> String {
    format!("{issued_ms:x}.{}", &secrets.sign(&message(slug, issued_ms))[..32])
}

/// What the token of a submission says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Issued for this article at least `min_age` and at most [`MAX_AGE`] ago.
    Person,
    /// Held for review, for this reason (stored with the comment).
    Hold(&'static str),
}

pub fn verify(secrets: &Secrets, slug: &Slug, token: &str, min_age: Duration) -> Verdict {
    if token.is_empty() {
        return Verdict::Hold("no_form_token");
    }
    let parsed = token.split_once('.').and_then(|(at, sig)| Some((u64::from_str_radix(at, 16).ok()?, sig)));
    let Some((issued_ms, signature)) = parsed else { return Verdict::Hold("bad_form_token") };
    let expected = secrets.sign(&message(slug, issued_ms));
    if !bool::from(signature.as_bytes().ct_eq(&expected.as_bytes()[..32])) {
        return Verdict::Hold("bad_form_token");
    }
    let age = Duration::from_millis(now_ms().saturating_sub(issued_ms));
    if age < min_age {
        Verdict::Hold("too_fast")
    } else if age > MAX_AGE {
        Verdict::Hold("stale_form_token")
    } else {
        Verdict::Person
    }
}
