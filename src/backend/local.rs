//! `data-backend="local"`: no server at all. The article comes from the page (an inline
//! `<script type="application/json" data-news-widget-article="slug">` holding the API's article
//! JSON); ratings and comments stay in this browser's localStorage, with the same rules and the
//! same answers (422 naming fields, one comment per Idempotency-Key) as our server.

use std::collections::HashMap;

use news_widget_api::{
    parse_body, Article, Comment, CommentInput, CommentPage, CommentState, CommentStatus, FieldError, PageSize,
    PostedComment, Problem, RatingSummary, Slug, Sort, Stars, Timestamp,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::FetchError;

#[derive(Debug, PartialEq)]
pub struct Local;

const PREFIX: &str = "news-widget:local:";

/// The article of each comment, by the comment's id in decimal: a JSON object's keys are text.
type Index = HashMap<String, String>;

fn storage() -> Result<web_sys::Storage, FetchError> {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .ok_or_else(|| FetchError::Network("this browser keeps no local storage for the page".into()))
}

fn load<T: DeserializeOwned + Default>(key: &str) -> Result<T, FetchError> {
    let raw = storage()?.get_item(&format!("{PREFIX}{key}")).ok().flatten();
    Ok(raw.and_then(|r| crate::json::from_str(&r).ok()).unwrap_or_default())
}

fn save<T: Serialize>(key: &str, value: &T) -> Result<(), FetchError> {
    let json = crate::json::to_string(value).map_err(FetchError::BadResponse)?;
    storage()?
        .set_item(&format!("{PREFIX}{key}"), &json)
        .map_err(|_| FetchError::Network("the browser's storage is full or refused".into()))
}

fn status(status: u16, title: &str, detail: &str) -> FetchError {
    FetchError::Status { status, problem: Some(Problem::new(status, title, detail)), retry_after: None }
}

fn invalid(errors: Vec<FieldError>) -> FetchError {
    FetchError::Status { status: 422, problem: Some(Problem::invalid(errors)), retry_after: None }
}

/// Now, as the server writes times.
fn now() -> Timestamp {
    let iso = String::from(js_sys::Date::new_0().to_iso_string());
    Timestamp::parse(&iso).unwrap_or_else(|_| Timestamp::parse("1970-01-01T00:00:00Z").expect("epoch"))
}

fn later(minutes: f64) -> Timestamp {
    let date = js_sys::Date::new(&(js_sys::Date::now() + minutes * 60_000.0).into());
    Timestamp::parse(&String::from(date.to_iso_string())).unwrap_or_else(|_| now())
}

/// The rating of one article in this browser: the histogram and this reader's vote.
#[derive(Default, Serialize, Deserialize)]
struct StoredRating {
    histogram: [u64; 5],
    your_stars: Option<Stars>,
}

/// The comments of one article in this browser.
#[derive(Default, Serialize, Deserialize)]
struct StoredComments {
    comments: Vec<Comment>,
    /// Edit token → comment id.
    tokens: HashMap<String, i64>,
    /// Idempotency-Key → the first answer.
    answers: HashMap<String, PostedComment>,
}

/// Which article's comments hold comment `id`.
fn find_article_of(id: i64) -> Option<String> {
    let index: Index = load("index").ok()?;
    index.get(&id.to_string()).cloned()
}

impl Local {
    pub async fn article(&self, slug: &Slug) -> Result<Article, FetchError> {
        let document =
            web_sys::window().and_then(|w| w.document()).ok_or_else(|| status(404, "Not found", "no page"))?;
        let selector = format!("script[type='application/json'][data-news-widget-article='{slug}']");
        let script = document.query_selector(&selector).ok().flatten().ok_or_else(|| {
            status(
                404,
                "Not found",
                &format!("the page holds no <script type=\"application/json\" data-news-widget-article=\"{slug}\">"),
            )
        })?;
        let json = script.text_content().unwrap_or_default();
        let article = crate::json::from_str(&json)
            .map_err(|e| FetchError::BadResponse(format!("the page's article JSON: {e}")))?;
        Ok(super::article_arrived(article))
    }

    pub async fn rating(&self, slug: &Slug) -> Result<RatingSummary, FetchError> {
        let stored: StoredRating = load(&format!("rating:{slug}"))?;
        Ok(RatingSummary::from_histogram(stored.histogram, stored.your_stars))
    }

    pub async fn rate(&self, slug: &Slug, stars: Stars) -> Result<RatingSummary, FetchError> {
        let summary = self.rating(slug).await?.with_vote(stars);
        save(
            &format!("rating:{slug}"),
            &StoredRating { histogram: summary.histogram, your_stars: summary.your_stars },
        )?;
        Ok(summary)
    }

    /// The whole thread at once: it is this browser's own, and small.
    pub async fn comments(
        &self,
        slug: &Slug,
        sort: Sort,
        _size: PageSize,
        _cursor: Option<&str>,
    ) -> Result<CommentPage, FetchError> {
        let stored: StoredComments = load(&format!("comments:{slug}"))?;
        let visible: Vec<&Comment> = stored.comments.iter().filter(|c| c.status == CommentStatus::Approved).collect();
        let root_of = |c: &Comment| {
            let mut current = c.clone();
            while let Some(parent) = current.parent_id.and_then(|p| stored.comments.iter().find(|o| o.id == p)) {
                current = parent.clone();
            }
            current.id
        };
        let mut tops: Vec<&Comment> = visible.iter().copied().filter(|c| c.parent_id.is_none()).collect();
        if sort == Sort::Newest {
            tops.reverse();
        }
        let mut comments = Vec::new();
        for top in tops {
            comments.push(top.clone());
            comments
                .extend(visible.iter().filter(|c| c.parent_id.is_some() && root_of(c) == top.id).map(|c| (*c).clone()));
        }
        Ok(CommentPage { total: visible.len() as u64, comments, next_cursor: None, closed: false, refused: Vec::new() })
    }

    pub async fn post_comment(
        &self,
        slug: &Slug,
        input: &CommentInput,
        key: &str,
    ) -> Result<PostedComment, FetchError> {
        let mut stored: StoredComments = load(&format!("comments:{slug}"))?;
        if let Some(first) = stored.answers.get(key) {
            return Ok(first.clone());
        }
        let new = input.parse().map_err(invalid)?;
        if let Some(parent) = new.parent_id {
            if !stored.comments.iter().any(|c| c.id == parent && c.status == CommentStatus::Approved) {
                return Err(invalid(vec![FieldError::new(
                    "parent_id",
                    "is not a comment of this article that can be answered",
                )]));
            }
        }
        let mut index: Index = load("index")?;
        let id = index.keys().filter_map(|k| k.parse::<i64>().ok()).max().unwrap_or(0) + 1;
        let comment = Comment {
            id,
            parent_id: new.parent_id,
            author_name: new.author_name,
            author_url: new.author_url,
            avatar: avatar_seed(&new.author_email),
            body: new.body,
            created_at: now(),
            edited_at: None,
            status: CommentStatus::Approved,
        };
        let edit_token = crate::comments::store::new_key();
        let posted = PostedComment {
            comment: comment.clone(),
            status: CommentStatus::Approved,
            edit_token: edit_token.clone(),
            edit_until: later(15.0),
        };
        stored.comments.push(comment);
        stored.tokens.insert(edit_token, id);
        stored.answers.insert(key.to_owned(), posted.clone());
        index.insert(id.to_string(), slug.to_string());
        save(&format!("comments:{slug}"), &stored)?;
        save("index", &index)?;
        Ok(posted)
    }

    fn mine(&self, id: i64, edit_token: &str) -> Result<(String, StoredComments), FetchError> {
        let slug = find_article_of(id).ok_or_else(|| status(404, "Not found", &format!("no comment {id}")))?;
        let stored: StoredComments = load(&format!("comments:{slug}"))?;
        if stored.tokens.get(edit_token) != Some(&id) {
            return Err(status(403, "Forbidden", "this edit token does not belong to this comment"));
        }
        Ok((slug, stored))
    }

    /// Nobody but the reader posts here: no time trap, no token.
    pub async fn form_token(&self, _slug: &Slug) -> Result<String, FetchError> {
        Ok(String::new())
    }

    pub async fn edit_comment(&self, id: i64, edit_token: &str, body: &str) -> Result<Comment, FetchError> {
        let body = parse_body(body).map_err(|e| invalid(vec![FieldError::new("body", e.to_string())]))?;
        let (slug, mut stored) = self.mine(id, edit_token)?;
        let comment =
            stored.comments.iter_mut().find(|c| c.id == id).ok_or_else(|| status(404, "Not found", "gone"))?;
        comment.body = body;
        comment.edited_at = Some(now());
        let changed = comment.clone();
        save(&format!("comments:{slug}"), &stored)?;
        Ok(changed)
    }

    pub async fn delete_comment(&self, id: i64, edit_token: &str) -> Result<(), FetchError> {
        let (slug, mut stored) = self.mine(id, edit_token)?;
        let has_replies = stored.comments.iter().any(|c| c.parent_id == Some(id));
        if let Some(comment) = stored.comments.iter_mut().find(|c| c.id == id) {
            comment.status = CommentStatus::Deleted;
            comment.body.clear();
            comment.author_name.clear();
        }
        if !has_replies {
            stored.comments.retain(|c| c.id != id);
        }
        save(&format!("comments:{slug}"), &stored)
    }

    /// From this browser's own store: a comment deleted without replies is gone, so "deleted".
    pub async fn comment_state(&self, id: i64, edit_token: &str) -> Result<CommentState, FetchError> {
        let (_, stored) = self.mine(id, edit_token)?;
        let status = stored.comments.iter().find(|c| c.id == id).map_or(CommentStatus::Deleted, |c| c.status);
        Ok(CommentState { status, edit_pending: false })
    }

    /// Reports go to moderators; with no server there are none, so nothing is kept.
    pub async fn report_comment(&self, _id: i64, _reason: &str) -> Result<(), FetchError> {
        Ok(())
    }
}

/// A hex seed for the identicon. It never leaves this browser, so a plain hash (FNV-1a) will do.
fn avatar_seed(email: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut out = String::new();
    for round in 0u8..3 {
        for byte in email.bytes().chain([round]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        out.push_str(&format!("{hash:016x}"));
    }
    out.truncate(20);
    out
}
