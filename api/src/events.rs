//! The live updates of an article: `GET /api/v1/articles/{slug}/events`, Server-Sent Events.
//! Each event's `event:` line is its kind, its `data:` this JSON and its `id:` a number a
//! reconnecting client sends back as `Last-Event-ID` to get what it missed, in order.

use serde::{Deserialize, Serialize};

use crate::{Comment, RatingSummary};

/// The request header of a resuming client (EventSource sends it by itself on reconnect).
pub const LAST_EVENT_ID_HEADER: &str = "last-event-id";

/// What changed on an article, as readers may see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ArticleEvent {
    /// A comment now shows to everyone (posted and published, or approved).
    Comment { comment: Comment },
    /// A comment everyone sees has a new text.
    Edit { comment: Comment },
    /// A comment no longer shows (rejected or deleted); one with replies becomes a placeholder.
    Removal { id: i64 },
    /// The article's rating after a vote (never a reader's own stars).
    Rating { rating: RatingSummary },
}

impl ArticleEvent {
    /// The SSE `event:` name.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Comment { .. } => "comment",
            Self::Edit { .. } => "edit",
            Self::Removal { .. } => "removal",
            Self::Rating { .. } => "rating",
        }
    }
}

/// What is wrong with a `Last-Event-ID` that [`parse_last_event_id`] refuses, or that is not text.
pub const NOT_AN_EVENT_ID: &str = "must be the id of an event this server sent (digits)";

/// Parses a `Last-Event-ID`: the decimal id of an event this server sent, nothing else.
pub fn parse_last_event_id(raw: &str) -> Result<i64, &'static str> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > 18 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NOT_AN_EVENT_ID);
    }
    raw.parse().map_err(|_| NOT_AN_EVENT_ID)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_event_ids_parse_only_as_decimal_ids() {
        assert_eq!(parse_last_event_id("42"), Ok(42));
        assert_eq!(parse_last_event_id(" 7 "), Ok(7));
        for bad in ["", "-1", "1e3", "x", "99999999999999999999", "1 2"] {
            assert!(parse_last_event_id(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn an_event_names_its_kind_in_json_as_in_sse() {
        let event = ArticleEvent::Removal { id: 3 };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json, serde_json::json!({ "kind": "removal", "id": 3 }));
        assert_eq!(json["kind"], event.kind());
        let back: ArticleEvent = serde_json::from_value(json).unwrap();
        assert_eq!(back, event);
    }
}
