//! Comments: what a reader sends, the rules it must meet, and what the API answers.
//!
//! The same [`CommentInput::parse`] runs in the widget (on submit, to show each error next to
//! its field) and in the server (which answers 422 with the same field names).

use serde::{Deserialize, Serialize};

use crate::parse::{ParseError, SafeUrl, Timestamp, UrlPolicy};
use crate::problem::FieldError;

/// The header that makes a POST safe to repeat: one comment per key.
pub const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";
/// The header that carries the edit token of a comment to PATCH or DELETE it.
pub const EDIT_TOKEN_HEADER: &str = "x-edit-token";
/// Submissions faster than this after the form was shown are treated as bots.
pub const MIN_FILL_MS: u64 = 2_000;

pub const NAME_MAX: usize = 80;
pub const EMAIL_MAX: usize = 254;
pub const WEBSITE_MAX: usize = 200;
pub const BODY_MAX: usize = 5_000;

/// Whether a comment shows to everyone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum CommentStatus {
    Approved,
    /// Awaiting moderation: shown only to its author.
    Pending,
    Rejected,
    /// Deleted, but kept as an empty placeholder because it has replies.
    Deleted,
}

impl CommentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approved => "approved",
            Self::Pending => "pending",
            Self::Rejected => "rejected",
            Self::Deleted => "deleted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Approved, Self::Pending, Self::Rejected, Self::Deleted].into_iter().find(|c| c.as_str() == s)
    }
}

/// A comment as the API shows it: public fields only (never the email, never the IP).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comment {
    pub id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<i64>,
    pub author_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_url: Option<String>,
    /// A hex hash for a local identicon, keyed by a server secret (not the email's MD5).
    pub avatar: String,
    /// Plain text: the widget shows it as text, never as HTML.
    pub body: String,
    pub created_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<Timestamp>,
    pub status: CommentStatus,
}

/// `GET …/comments`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentPage {
    /// Top-level comments in the asked order, each followed by its replies, oldest first.
    pub comments: Vec<Comment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// Approved comments of the article, replies included.
    pub total: u64,
}

/// The order of top-level comments.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    #[default]
    Oldest,
    Newest,
}

impl Sort {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Oldest => "oldest",
            Self::Newest => "newest",
        }
    }
}

/// Top-level comments per page, each with all its replies: 1 to [`PageSize::MAX`], 20 unless asked.
/// The server's `?limit=` and the widget's `data-comments-per-page` both parse through it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageSize(u32);

impl PageSize {
    pub const MAX: u32 = 1_000;

    pub fn new(n: u32) -> Result<Self, ParseError> {
        if (1..=Self::MAX).contains(&n) {
            Ok(Self(n))
        } else {
            Err(ParseError::msg("must be a whole number from 1 to 1000"))
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        raw.trim()
            .parse::<u32>()
            .map_err(|_| ParseError::msg("must be a whole number from 1 to 1000"))
            .and_then(Self::new)
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl Default for PageSize {
    fn default() -> Self {
        Self(20)
    }
}

/// The body of `POST …/comments`, as the form sends it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<i64>,
    pub author_name: String,
    pub author_email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_url: Option<String>,
    pub body: String,
    /// The honeypot: a field people never see; anything in it marks a bot.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub website_confirm: String,
    /// Milliseconds between showing the form and sending it (the time trap).
    #[serde(default)]
    pub fill_ms: u64,
}

/// A comment that met every rule.
#[derive(Clone, Debug, PartialEq)]
pub struct NewComment {
    pub parent_id: Option<i64>,
    pub author_name: String,
    /// Trimmed and lowercased.
    pub author_email: String,
    pub author_url: Option<SafeUrl>,
    pub body: String,
}

/// The name: 1–80 characters after trimming, no control characters.
pub fn parse_name(raw: &str) -> Result<String, ParseError> {
    crate::parse::line_text(raw, 1, NAME_MAX)
}

/// The email: `local@domain.tld` as people type it, at most 254 characters, lowercased.
pub fn parse_email(raw: &str) -> Result<String, ParseError> {
    const BAD: ParseError = ParseError::msg("is not an email address such as name@example.org");
    let email = raw.trim();
    if email.is_empty() {
        return Err(ParseError::msg("is required"));
    }
    if email.chars().count() > EMAIL_MAX {
        return Err(ParseError::msg("is longer than 254 characters"));
    }
    let (local, domain) = email.rsplit_once('@').ok_or(BAD)?;
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
    let domain_ok = crate::parse::is_host_name(domain);
    if local_ok && domain_ok {
        Ok(email.to_lowercase())
    } else {
        Err(BAD)
    }
}

/// The website: empty, or an http(s) address of at most 200 characters.
pub fn parse_website(raw: &str) -> Result<Option<SafeUrl>, ParseError> {
    let url = raw.trim();
    if url.is_empty() {
        return Ok(None);
    }
    if url.chars().count() > WEBSITE_MAX {
        return Err(ParseError::msg("is longer than 200 characters"));
    }
    SafeUrl::parse(url, UrlPolicy::Web).map(Some)
}

/// The comment: 1–5000 characters after trimming; line breaks and tabs are kept, other control
/// characters are refused.
pub fn parse_body(raw: &str) -> Result<String, ParseError> {
    let body = raw.trim();
    if body.is_empty() {
        return Err(ParseError::msg("is required"));
    }
    if body.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(ParseError::msg("may not hold control characters"));
    }
    let body = body.replace("\r\n", "\n").replace('\r', "\n");
    if body.chars().count() > BODY_MAX {
        return Err(ParseError::msg("is longer than 5000 characters"));
    }
    Ok(body)
}

impl CommentInput {
    /// Parses every field, naming each that is wrong (`author_name`, `author_email`,
    /// `author_url`, `body`).
    pub fn parse(&self) -> Result<NewComment, Vec<FieldError>> {
        fn check<T>(errors: &mut Vec<FieldError>, field: &str, parsed: Result<T, ParseError>) -> Option<T> {
            parsed.map_err(|e| errors.push(FieldError::new(field, e.to_string()))).ok()
        }
        let mut errors = Vec::new();
        let name = check(&mut errors, "author_name", parse_name(&self.author_name));
        let email = check(&mut errors, "author_email", parse_email(&self.author_email));
        let url = check(&mut errors, "author_url", parse_website(self.author_url.as_deref().unwrap_or_default()));
        let body = check(&mut errors, "body", parse_body(&self.body));
        match (name, email, url, body) {
            (Some(author_name), Some(author_email), Some(author_url), Some(body)) => {
                Ok(NewComment { parent_id: self.parent_id, author_name, author_email, author_url, body })
            }
            _ => Err(errors),
        }
    }

    /// A bot's tell: the honeypot filled, or the form sent faster than a person can.
    pub fn looks_automated(&self) -> bool {
        !self.website_confirm.is_empty() || self.fill_ms < MIN_FILL_MS
    }
}

/// `POST …/comments` answers 201 with this.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostedComment {
    pub comment: Comment,
    pub status: CommentStatus,
    /// Lets this reader edit or delete the comment until `edit_until` (`X-Edit-Token`).
    pub edit_token: String,
    pub edit_until: Timestamp,
}

/// `PATCH /api/v1/comments/{id}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CommentEdit {
    pub body: String,
}

/// `POST /api/v1/comments/{id}/report`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub reason: String,
}

/// `POST /api/v1/counts`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CountsRequest {
    pub slugs: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> CommentInput {
        CommentInput {
            author_name: " Camille ".into(),
            author_email: "Camille@Example.org".into(),
            author_url: Some("https://camille.example/".into()),
            body: "  Bonjour\r\n\r\nà tous  ".into(),
            fill_ms: 5_000,
            ..Default::default()
        }
    }

    #[test]
    fn parses_a_good_comment() {
        let c = input().parse().unwrap();
        assert_eq!(c.author_name, "Camille");
        assert_eq!(c.author_email, "camille@example.org");
        assert_eq!(c.author_url.unwrap().as_str(), "https://camille.example/");
        assert_eq!(c.body, "Bonjour\n\nà tous");
        assert!(!input().looks_automated());
    }

    #[test]
    fn names_each_bad_field() {
        let bad = CommentInput {
            author_name: "".into(),
            author_email: "not-an-email".into(),
            author_url: Some("javascript:alert(1)".into()),
            body: "\u{7}".into(),
            ..input()
        };
        let fields: Vec<String> = bad.parse().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["author_name", "author_email", "author_url", "body"]);
    }

    #[test]
    fn page_sizes() {
        assert_eq!(PageSize::default().get(), 20);
        assert_eq!(PageSize::parse(" 1000 ").map(PageSize::get), Ok(1000));
        assert_eq!(PageSize::parse("1").map(PageSize::get), Ok(1));
        for bad in ["0", "1001", "-5", "20.5", "", "lots"] {
            assert!(PageSize::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn limits() {
        assert!(parse_name(&"n".repeat(80)).is_ok() && parse_name(&"n".repeat(81)).is_err());
        assert!(parse_name("a\nb").is_err());
        assert!(parse_body(&"b".repeat(5000)).is_ok() && parse_body(&"b".repeat(5001)).is_err());
        assert!(parse_body(" \n\t ").is_err());
        assert!(parse_body("tab\tand\nline").is_ok());
        let long_url = format!("https://e.example/{}", "a".repeat(190));
        assert!(parse_website(&long_url).is_err());
        assert_eq!(parse_website("  "), Ok(None));
        assert!(parse_website("ftp://e.example").is_err());
        assert!(parse_email(&format!("{}@example.org", "a".repeat(64))).is_ok());
        assert!(parse_email(&format!("{}@example.org", "a".repeat(65))).is_err());
    }

    #[test]
    fn emails() {
        for good in ["a@b.co", "first.last+tag@sub.example.org", "élise@exemple.fr"] {
            assert!(parse_email(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "a",
            "a@",
            "@b.co",
            "a@b",
            "a@b.c",
            "a..b@c.de",
            ".a@b.co",
            "a@-b.co",
            "a b@c.de",
            "a@b.123",
            "<a>@b.co",
        ] {
            assert!(parse_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn traps() {
        assert!(CommentInput { website_confirm: "x".into(), ..input() }.looks_automated());
        assert!(CommentInput { fill_ms: 500, ..input() }.looks_automated());
    }
}
