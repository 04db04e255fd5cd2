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
/// Submissions faster than this after the form token was issued are held for review.
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
///
/// Deserializing one parses it, because the widget may talk to a backend that is not ours: ids
/// are positive and fit a JavaScript number, a comment answers another comment than itself, the
/// website is an http(s) address ([`SafeUrl`]), the avatar is a short hex hash, and the name and
/// the body are of bounded length.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "RawComment")]
pub struct Comment {
    pub id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<i64>,
    pub author_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub author_url: Option<SafeUrl>,
    /// A hex hash for a local identicon, keyed by a server secret (not the email's MD5).
    pub avatar: String,
    /// Plain text: the widget shows it as text, never as HTML.
    pub body: String,
    pub created_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<Timestamp>,
    pub status: CommentStatus,
}

/// The longest author name a comment from any backend may carry.
pub const SHOWN_NAME_MAX: usize = 200;
/// The longest body a comment from any backend may carry (other backends allow more than ours).
pub const SHOWN_BODY_MAX: usize = 20_000;
/// The longest avatar hash.
pub const AVATAR_MAX: usize = 64;

/// A comment as it arrives, before [`Comment`]'s rules.
#[derive(Deserialize)]
pub(crate) struct RawComment {
    pub(crate) id: i64,
    #[serde(default)]
    pub(crate) parent_id: Option<i64>,
    pub(crate) author_name: String,
    #[serde(default)]
    pub(crate) author_url: Option<String>,
    pub(crate) avatar: String,
    pub(crate) body: String,
    pub(crate) created_at: Timestamp,
    #[serde(default)]
    pub(crate) edited_at: Option<Timestamp>,
    pub(crate) status: CommentStatus,
}

/// Whether `id` can name a comment: positive, and exact as a JavaScript number.
pub fn comment_id_ok(id: i64) -> bool {
    u64::try_from(id).is_ok_and(|n| (1..=crate::parse::MAX_SAFE_INTEGER).contains(&n))
}

impl TryFrom<RawComment> for Comment {
    type Error = String;

    fn try_from(raw: RawComment) -> Result<Self, String> {
        if !comment_id_ok(raw.id) {
            return Err(format!("comment id {} is not a positive whole number below 2^53", raw.id));
        }
        match raw.parent_id {
            Some(p) if !comment_id_ok(p) => return Err(format!("comment {}: parent_id {p} is not an id", raw.id)),
            Some(p) if p == raw.id => return Err(format!("comment {} answers itself", raw.id)),
            _ => {}
        }
        if raw.author_name.chars().count() > SHOWN_NAME_MAX || raw.author_name.chars().any(char::is_control) {
            return Err(format!(
                "comment {}: the author's name is longer than 200 characters or holds control characters",
                raw.id
            ));
        }
        if raw.body.chars().count() > SHOWN_BODY_MAX {
            return Err(format!("comment {}: the body is longer than {SHOWN_BODY_MAX} characters", raw.id));
        }
        if raw.avatar.len() > AVATAR_MAX || !raw.avatar.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("comment {}: the avatar is not a hex hash", raw.id));
        }
        let author_url = match raw.author_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(url) => Some(
                SafeUrl::parse(url, UrlPolicy::Web)
                    .map_err(|e| format!("comment {}: the author's website {url:?} {e}", raw.id))?,
            ),
        };
        Ok(Self {
            id: raw.id,
            parent_id: raw.parent_id,
            author_name: raw.author_name,
            author_url,
            avatar: raw.avatar,
            body: raw.body,
            created_at: raw.created_at,
            edited_at: raw.edited_at,
            status: raw.status,
        })
    }
}

/// `GET …/comments`.
///
/// Deserializing a page keeps every comment that parses and lists, in [`CommentPage::refused`],
/// why each other one was left out: one bad comment does not hide the thread.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "RawPage")]
pub struct CommentPage {
    /// Top-level comments in the asked order, each followed by its replies, oldest first.
    pub comments: Vec<Comment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// Approved comments of the article, replies included.
    pub total: u64,
    /// The article takes no new comments: the thread stays readable, the form says why.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub closed: bool,
    /// Why comments the backend sent were left out (never sent; filled when a page arrives).
    #[serde(skip)]
    pub refused: Vec<String>,
}

/// The longest page cursor a backend may hand out.
pub const CURSOR_MAX: usize = 256;

#[derive(Deserialize)]
struct RawPage {
    comments: Vec<MaybeComment>,
    #[serde(default)]
    next_cursor: Option<String>,
    total: u64,
    #[serde(default)]
    closed: bool,
}

/// A list entry: a comment-shaped object (its rules still to check), or anything else.
#[derive(Deserialize)]
#[serde(untagged)]
enum MaybeComment {
    Shaped(RawComment),
    Junk(serde::de::IgnoredAny),
}

impl TryFrom<RawPage> for CommentPage {
    type Error = String;

    fn try_from(raw: RawPage) -> Result<Self, String> {
        if raw.total > crate::parse::MAX_SAFE_INTEGER {
            return Err(format!("total {} is not below 2^53", raw.total));
        }
        if let Some(cursor) = &raw.next_cursor {
            if cursor.is_empty() || cursor.len() > CURSOR_MAX || cursor.chars().any(char::is_control) {
                return Err("next_cursor is empty, longer than 256 bytes or holds control characters".into());
            }
        }
        let mut comments: Vec<Comment> = Vec::with_capacity(raw.comments.len());
        let mut refused = Vec::new();
        for (i, entry) in raw.comments.into_iter().enumerate() {
            match entry {
                MaybeComment::Shaped(c) => match Comment::try_from(c) {
                    Ok(c) if comments.iter().any(|have| have.id == c.id) => {
                        refused.push(format!("comments[{i}]: comment {} was sent twice", c.id));
                    }
                    Ok(c) => comments.push(c),
                    Err(why) => refused.push(format!("comments[{i}]: {why}")),
                },
                MaybeComment::Junk(_) => refused.push(format!("comments[{i}]: not a comment")),
            }
        }
        Ok(Self { comments, next_cursor: raw.next_cursor, total: raw.total, closed: raw.closed, refused })
    }
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

/// Whether `raw` is an idempotency key the server accepts (the JSON route's `Idempotency-Key`,
/// the plain form's hidden nonce): 8 to 128 letters, digits, `-` or `_`, such as a UUID.
pub fn idempotency_key_ok(raw: &str) -> bool {
    (8..=128).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
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
    /// The token the server signed when the form was shown (`GET …/form-token`): the server
    /// reads from it how long the form was open (the time trap), so no client can claim it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub form_token: String,
}

/// `GET …/form-token`: a signed token the form sends back with the comment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormToken {
    pub token: String,
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

    /// A bot's tell: the honeypot filled. (The time trap is the server's: it reads the form token.)
    pub fn honeypot_filled(&self) -> bool {
        !self.website_confirm.is_empty()
    }
}

/// `POST …/comments` answers 201 with this.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostedComment {
    pub comment: Comment,
    pub status: CommentStatus,
    /// Lets this reader edit or delete the comment until `edit_until` (`X-Edit-Token`).
    #[serde(deserialize_with = "edit_token_field")]
    pub edit_token: String,
    pub edit_until: Timestamp,
}

/// An edit token goes back in a header: 1–256 letters, digits, `-`, `_` or `.` (empty: none).
fn edit_token_field<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let token = String::deserialize(d)?;
    let ok = token.len() <= 256 && token.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    ok.then_some(token).ok_or_else(|| serde::de::Error::custom("edit_token is not 1 to 256 letters, digits, -, _ or ."))
}

/// `GET /api/v1/comments/{id}/status` (with the comment's `X-Edit-Token`): where the author's
/// own comment stands now, so that a comment a moderator rejected does not await moderation forever.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentState {
    pub status: CommentStatus,
    /// Under pre-moderation, an edit of an approved comment waits for a moderator; meanwhile
    /// readers see the approved text.
    #[serde(default)]
    pub edit_pending: bool,
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
        assert!(!input().honeypot_filled());
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
        assert!(CommentInput { website_confirm: "x".into(), ..input() }.honeypot_filled());
    }

    fn served(overrides: serde_json::Value) -> serde_json::Value {
        let mut c = serde_json::json!({"id": 7, "author_name": "Ana", "avatar": "ab12", "body": "b",
            "created_at": "2024-07-05T09:00:00Z", "status": "approved"});
        for (k, v) in overrides.as_object().unwrap() {
            c[k] = v.clone();
        }
        c
    }

    #[test]
    fn a_served_comment_is_parsed() {
        let ok: Comment =
            serde_json::from_value(served(serde_json::json!({"author_url": "https://a.example/"}))).unwrap();
        assert_eq!(ok.author_url.map(|u| u.to_string()).as_deref(), Some("https://a.example/"));
        for bad in [
            serde_json::json!({"author_url": "javascript:alert(1)"}),
            serde_json::json!({"author_url": "data:text/html,x"}),
            serde_json::json!({"author_url": " vbscript:msgbox(1)"}),
            serde_json::json!({"id": 0}),
            serde_json::json!({"id": -3}),
            serde_json::json!({"id": 9_007_199_254_740_993_i64}),
            serde_json::json!({"parent_id": 7}),
            serde_json::json!({"avatar": "\" onload=\"x"}),
            serde_json::json!({"author_name": "a\u{0}b"}),
        ] {
            assert!(serde_json::from_value::<Comment>(served(bad.clone())).is_err(), "{bad} parsed");
        }
    }

    #[test]
    fn a_page_keeps_what_parses_and_says_what_it_refused() {
        let page = serde_json::json!({"total": 3, "comments": [
            served(serde_json::json!({})),
            served(serde_json::json!({"id": 8, "author_url": "javascript:alert(1)"})),
            "not a comment",
            served(serde_json::json!({"id": 9, "parent_id": 7})),
            served(serde_json::json!({})),
        ]});
        let page: CommentPage = serde_json::from_value(page).unwrap();
        assert_eq!(page.comments.iter().map(|c| c.id).collect::<Vec<_>>(), [7, 9]);
        assert_eq!(page.refused.len(), 3, "{:?}", page.refused);
        assert!(page.refused[0].starts_with("comments[1]: comment 8: the author's website"), "{:?}", page.refused);
        for bad in
            [serde_json::json!({"total": -1, "comments": []}), serde_json::json!({"total": 1e300, "comments": []})]
        {
            assert!(serde_json::from_value::<CommentPage>(bad).is_err());
        }
    }
}
