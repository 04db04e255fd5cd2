//! The moderators' console's wire types: what the server's admin routes answer and take, and
//! what the console (`console/`) reads. The server serializes them, the console parses them;
//! a rule on a field (a reason's length, a queue's name) lives here once.
//!
//! Nothing here carries an email or an address: a person is their keyed hash
//! ([`QueueItem::person`], the comments' `avatar`), and only an admin's explicit, audited
//! request (`POST /admin/people/{person}/email`) shows an email.

use serde::{Deserialize, Serialize};

use crate::{line_text, CommentStatus, FieldError, ParseError, Timestamp};

/// The longest reason a moderator may give (a rejection, a ban, a note is [`NOTE_MAX`]).
pub const REASON_MAX: usize = 500;
/// The longest note on a person.
pub const NOTE_MAX: usize = 2000;
/// The most comments one bulk decision may name.
pub const BULK_MAX: usize = 500;

/// A moderator's reason: one line, 1 to [`REASON_MAX`] characters; empty or absent is none.
pub fn parse_reason(raw: Option<&str>) -> Result<Option<String>, ParseError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(r) => line_text(r, 1, REASON_MAX).map(Some),
    }
}

/// A note's text: 1 to [`NOTE_MAX`] characters, lines kept (CR LF becomes LF), no other
/// control characters.
pub fn parse_note(raw: &str) -> Result<String, ParseError> {
    let text = raw.replace("\r\n", "\n");
    let text = text.trim();
    if text.is_empty() {
        return Err(ParseError::msg("must not be empty"));
    }
    if text.chars().count() > NOTE_MAX {
        return Err(ParseError::msg("is longer than 2000 characters"));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(ParseError::msg("may not hold control characters other than line breaks"));
    }
    Ok(text.to_owned())
}

/// The moderation rules, as `GET /api/v1/admin/rules` answers them and `PUT` takes them
/// (whole); [`Rules::check`] is their rule, which the server applies and the console may ask.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// A comment whose body holds this many http(s) links or more is held; 0: no limit.
    pub link_limit: u32,
    /// Words (or phrases) that hold a comment for a moderator.
    pub hold_words: Vec<String>,
    /// Words (or phrases) that reject a comment (its author is answered as if it were pending).
    pub block_words: Vec<String>,
    /// A person's comments are held until this many of theirs were approved; 0: trust everyone.
    pub trusted_after: u32,
    /// Comments close this many days after the article's `published_at`; null: never.
    #[serde(default)]
    pub close_after_days: Option<u32>,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            link_limit: 2,
            hold_words: Vec::new(),
            block_words: Vec::new(),
            trusted_after: 1,
            close_after_days: None,
        }
    }
}

const MAX_WORDS: usize = 1000;
const MAX_WORD_CHARS: usize = 100;

impl Rules {
    /// Checks every field and normalizes the word lists (lower case, words separated by one
    /// space, duplicates dropped); errors name the field (`hold_words[2]`).
    pub fn check(mut self) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.link_limit > 1000 {
            errors.push(FieldError::new("link_limit", "must be 0 (no limit) to 1000"));
        }
        if self.trusted_after > 1000 {
            errors.push(FieldError::new("trusted_after", "must be 0 (trust everyone) to 1000"));
        }
        if let Some(days) = self.close_after_days {
            if !(1..=36_500).contains(&days) {
                errors.push(FieldError::new("close_after_days", "must be 1 to 36500 days, or null (never)"));
            }
        }
        for (name, list) in [("hold_words", &mut self.hold_words), ("block_words", &mut self.block_words)] {
            if list.len() > MAX_WORDS {
                errors.push(FieldError::new(name, format!("at most {MAX_WORDS} entries")));
                continue;
            }
            let mut out: Vec<String> = Vec::new();
            for (i, raw) in list.iter().enumerate() {
                let field = format!("{name}[{i}]");
                if raw.chars().count() > MAX_WORD_CHARS {
                    errors.push(FieldError::new(&field, format!("is longer than {MAX_WORD_CHARS} characters")));
                } else if raw.chars().any(char::is_control) {
                    errors.push(FieldError::new(&field, "may not hold control characters"));
                } else {
                    let word = words(raw);
                    if word.is_empty() {
                        errors.push(FieldError::new(&field, "has no letter or digit"));
                    } else if !out.contains(&word) {
                        out.push(word);
                    }
                }
            }
            *list = out;
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }
}

/// `text` lower-cased, as its words (the rules' hold and block words match on these) (runs of letters and digits) separated by single spaces.
pub fn words(text: &str) -> String {
    text.to_lowercase().split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// The console's queues. Pending and Reported are kept apart: a reported comment is one that
/// readers see and reported; a pending one no reader sees yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Queue {
    /// New comments and edits held for review (pre-moderation, or held by a rule).
    Pending,
    /// Approved comments that readers reported, with their reasons.
    Reported,
    /// Approved comments, newest first.
    Approved,
    /// Rejected by a moderator or by a rule.
    Rejected,
}

impl Queue {
    pub const ALL: [Queue; 4] = [Queue::Pending, Queue::Reported, Queue::Approved, Queue::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            Queue::Pending => "pending",
            Queue::Reported => "reported",
            Queue::Approved => "approved",
            Queue::Rejected => "rejected",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        Self::ALL
            .into_iter()
            .find(|q| q.as_str() == raw)
            .ok_or_else(|| ParseError::msg("must be pending, reported, approved or rejected"))
    }
}

/// A moderator's decision on a comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Approve,
    Reject,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Approve => "approve",
            Action::Reject => "reject",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        match raw {
            "approve" => Ok(Action::Approve),
            "reject" => Ok(Action::Reject),
            _ => Err(ParseError::msg("must be approve or reject")),
        }
    }
}

/// One reason readers gave when reporting a comment, and how many gave it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportReason {
    pub reason: String,
    pub count: u32,
}

/// A comment as a moderator sees it in a queue, a person's drawer or an article.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueItem {
    pub id: i64,
    pub article_slug: String,
    pub article_title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<i64>,
    pub author_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_url: Option<String>,
    /// The person: the keyed hash of their email (the comment's `avatar`); empty for a deleted
    /// comment.
    pub person: String,
    /// Plain text, shown as text.
    pub body: String,
    /// An author's edit awaiting review (readers see `body` meanwhile).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_body: Option<String>,
    pub status: CommentStatus,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_at: Timestamp,
    /// Why a rule held or rejected it, comma-separated: `links:N`, `hold_word:W`,
    /// `new_commenter`, `block_word:W`, `banned`, `suspended`, or the time trap's `too_fast`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_reason: Option<String>,
    /// Readers' reports: their number, and each reason with how many gave it, most given first.
    pub report_count: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reports: Vec<ReportReason>,
    /// The last moderator's decision on it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_decision: Option<HistoryEntry>,
}

/// How many comments each queue holds (for the queue tabs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueCounts {
    pub pending: u32,
    pub reported: u32,
    pub approved: u32,
    pub rejected: u32,
}

/// `GET /api/v1/admin/queue?queue=…&q=…&author=…&article=…&before=…`: one page of a queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueuePage {
    pub queue: Queue,
    pub items: Vec<QueueItem>,
    pub counts: QueueCounts,
    /// Pass as `before` for the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<i64>,
}

/// The body of `POST /api/v1/admin/comments/{id}/{action}` (optional) and of the bulk route.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// Why (shown in the comment's history and the audit export).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `POST /api/v1/admin/comments/bulk`: one decision on several comments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BulkInput {
    /// 1 to [`BULK_MAX`] comment ids.
    pub ids: Vec<i64>,
    pub action: Action,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What a bulk decision did: the ids decided, and each one that could not be, with why.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkResult {
    pub done: Vec<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<BulkFailure>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkFailure {
    pub id: i64,
    pub detail: String,
}

/// One recorded decision: who, when, what, why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryEntry {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub at: Timestamp,
    /// Who: a moderator's email (moderators see each other), `admin token`, `email link
    /// (<email>)`, or `rules` for the server's own decisions.
    pub actor: String,
    /// `approve`, `reject`, `delete`, `ban`, `suspend`, `unban`, `close`, `reopen`,
    /// `moderation`, `reveal_email`, `note`, `held` (by a rule).
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The comment it was about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment_id: Option<i64>,
}

/// A moderator's note on a person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Note {
    pub id: i64,
    pub author: String,
    pub text: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub at: Timestamp,
}

/// `POST /api/v1/admin/people/{person}/notes`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NoteInput {
    pub text: String,
}

/// A ban (no `until`) or a suspension, as the person's drawer shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BanState {
    /// UTC; absent: banned for good.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub until: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `GET /api/v1/admin/people/{person}`: the reader drawer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Person {
    pub person: String,
    /// The names they wrote under, most recent first.
    pub names: Vec<String>,
    pub counts: QueueCounts,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ban: Option<BanState>,
    pub notes: Vec<Note>,
    /// Everything they wrote, newest first (at most 200).
    pub comments: Vec<QueueItem>,
    /// Decisions about them and their comments, newest first.
    pub history: Vec<HistoryEntry>,
}

/// `POST /api/v1/admin/people/{person}/ban`: suspend until a time, or ban (no `until`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PersonBanInput {
    /// RFC 3339; absent: banned for good.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Pre-moderation (nothing shows before a moderator approves it) or post-moderation (it shows
/// at once, unless a rule holds it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ModerationMode {
    Pre,
    Post,
}

/// `GET /api/v1/admin/articles`: one row per article.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArticleSummary {
    pub slug: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub published_at: Option<Timestamp>,
    pub counts: QueueCounts,
    /// Whether comments are closed now (by an admin, or `close_after_days`).
    pub closed: bool,
    /// An admin's explicit close (true) or reopen (false); absent: the rules decide.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_override: Option<bool>,
    /// The moderation that applies to it now.
    pub moderation: ModerationMode,
    /// This article's own moderation; absent: the server's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moderation_override: Option<ModerationMode>,
}

/// `PUT /api/v1/admin/articles/{slug}/moderation`: null goes back to the server's default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ModerationInput {
    pub moderation: Option<ModerationMode>,
}

/// How often a moderator hears of the queues by email.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum AlertMode {
    /// An email for every pending or reported comment.
    Each,
    /// One email an hour listing what came in, if anything did.
    Hourly,
    /// No email.
    #[default]
    None,
}

/// `GET`/`PUT /api/v1/admin/me/alerts`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AlertPrefs {
    pub mode: AlertMode,
}

/// `POST /api/v1/admin/people/{person}/email` (admins only, audited): the email of the
/// person's latest comment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonEmail {
    pub email: String,
}

/// What an account may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Moderates, and manages the accounts.
    Admin,
    /// Moderates comments.
    Moderator,
}

impl Role {
    pub const ALL: [Role; 2] = [Role::Admin, Role::Moderator];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Moderator => "moderator",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw).ok_or_else(|| ParseError::msg("must be admin or moderator"))
    }
}

/// `GET`/`POST /api/v1/admin/session`: who is signed in, and the CSRF token their POST, PUT,
/// PATCH and DELETE send in `X-CSRF-Token`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    pub email: String,
    pub role: Role,
    pub csrf_token: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queues_and_actions_parse_their_names_only() {
        for q in Queue::ALL {
            assert_eq!(Queue::parse(q.as_str()).unwrap(), q);
        }
        assert!(Queue::parse("Pending").is_err() && Queue::parse("").is_err());
        assert_eq!(Action::parse("reject").unwrap(), Action::Reject);
        assert!(Action::parse("delete").is_err());
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()).unwrap(), r);
        }
        assert!(Role::parse("Admin").is_err());
    }

    #[test]
    fn notes_keep_lines_and_refuse_other_controls() {
        assert_eq!(parse_note(" two\r\nlines ").unwrap(), "two\nlines");
        assert!(parse_note("  ").is_err());
        assert!(parse_note("tab\there").is_err());
        assert!(parse_note(&"x".repeat(NOTE_MAX + 1)).is_err());
        assert!(parse_note(&"é".repeat(NOTE_MAX)).is_ok());
    }

    #[test]
    fn a_reason_is_one_line_or_none() {
        assert_eq!(parse_reason(None).unwrap(), None);
        assert_eq!(parse_reason(Some("  ")).unwrap(), None);
        assert_eq!(parse_reason(Some(" spam ")).unwrap().as_deref(), Some("spam"));
        assert!(parse_reason(Some("a\nb")).is_err());
        assert!(parse_reason(Some(&"x".repeat(REASON_MAX + 1))).is_err());
    }
}
