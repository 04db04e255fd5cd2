//! The thread's side of live updates ([`crate::live`]): what an event does to the thread, and
//! how the comments held under "N new comments — show" go in without moving what the reader is
//! reading.
//!
//! Others' new comments never go straight in: they wait in `held` until the reader asks for
//! them. Edits and removals of comments already shown apply at once, in place (a removal as the
//! server shows it: a comment with replies becomes the "deleted" placeholder). The reader's own
//! comment comes back as an event too: it is in the thread already (or on this device, awaiting
//! moderation), so it is updated where it is, never counted nor shown twice.

use news_widget_api::events::ArticleEvent;
use news_widget_api::{Comment, CommentStatus, Sort};
use wasm_bindgen::JsCast;

use super::Thread;

/// What an event changed.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Applied {
    pub thread: bool,
    pub held: bool,
    /// The reader's own comment now shows to everyone.
    pub own_published: Option<i64>,
    /// The reader's own comment no longer shows.
    pub own_removed: Option<i64>,
}

/// Applies `event` to `thread` and to the comments `held` back; `own` says whether a comment is
/// the reader's (posted from this device). Rating events are the rating part's.
pub(super) fn apply(
    thread: &mut Thread,
    held: &mut Vec<Comment>,
    event: ArticleEvent,
    own: impl Fn(i64) -> bool,
) -> Applied {
    let mut applied = Applied::default();
    match event {
        ArticleEvent::Comment { comment } => {
            let id = comment.id;
            if let Some(shown) = thread.comments.iter_mut().find(|c| c.id == id) {
                // Shown already (the reader's own, say): the server's copy, where it is.
                *shown = comment;
                applied.thread = true;
            } else if own(id) {
                // The reader's own, shown from this device (awaiting moderation): now everyone's.
                thread.comments.push(comment);
                thread.total += 1;
                applied.thread = true;
                applied.own_published = Some(id);
            } else if let Some(waiting) = held.iter_mut().find(|c| c.id == id) {
                *waiting = comment;
                applied.held = true;
            } else {
                held.push(comment);
                applied.held = true;
            }
        }
        ArticleEvent::Edit { comment } => {
            if let Some(shown) = thread.comments.iter_mut().find(|c| c.id == comment.id) {
                if shown.status != CommentStatus::Deleted {
                    *shown = comment.clone();
                    applied.thread = true;
                }
            }
            if let Some(waiting) = held.iter_mut().find(|c| c.id == comment.id) {
                *waiting = comment;
                applied.held = true;
            }
        }
        ArticleEvent::Removal { id } => {
            let before = held.len();
            held.retain(|c| c.id != id);
            applied.held = held.len() != before;
            applied.thread = thread.remove(id);
            if own(id) {
                applied.own_removed = Some(id);
            }
        }
        ArticleEvent::Rating { .. } => {}
    }
    applied
}

/// The held comments that are new to the reader: not in the thread, not their own.
pub(super) fn waiting(thread: &Thread, held: &[Comment], own: impl Fn(i64) -> bool) -> usize {
    held.iter().filter(|c| !own(c.id) && !thread.comments.iter().any(|have| have.id == c.id)).count()
}

/// Puts the held comments into the thread where they belong, and answers their ids: replies
/// after the comments they answer (the thread places them under their parent, in the order
/// they came), top-level ones last for the oldest-first sort and first, newest on top, for the
/// newest-first one.
pub(super) fn show(thread: &mut Thread, held: Vec<Comment>, sort: Sort, own: impl Fn(i64) -> bool) -> Vec<i64> {
    let new: Vec<Comment> =
        held.into_iter().filter(|c| !own(c.id) && !thread.comments.iter().any(|have| have.id == c.id)).collect();
    let ids = new.iter().map(|c| c.id).collect();
    thread.total += new.len() as u64;
    for comment in new {
        if sort == Sort::Newest && comment.parent_id.is_none() {
            thread.comments.insert(0, comment);
        } else {
            thread.comments.push(comment);
        }
    }
    ids
}

/// What the reader is looking at before new comments go in: the first comment (or the "Load
/// more" line, or the form) in the viewport, by its id where it has one (a re-render may build
/// its element anew), and where its top is.
pub(super) struct Place {
    element: web_sys::Element,
    id: String,
    top: f64,
}

impl Place {
    pub fn find(section: &web_sys::Element) -> Option<Self> {
        let height = web_sys::window()?.inner_height().ok()?.as_f64()?;
        let all = section.query_selector_all(".nw-comment, .nw-more, .nw-comment-form").ok()?;
        (0..all.length()).filter_map(|i| all.item(i)?.dyn_into::<web_sys::Element>().ok()).find_map(|element| {
            let rect = element.get_bounding_client_rect();
            (rect.bottom() > 0.0 && rect.top() < height).then(|| Self { id: element.id(), top: rect.top(), element })
        })
    }

    /// After the render (before the browser paints): scrolls by what the content above moved
    /// it, so it stays on screen where it was. The new comments are laid out at their true size
    /// in that render (`nw-fresh`), so one correction is all it takes.
    pub fn keep(self, section: &web_sys::Element) {
        let now = match self.id.as_str() {
            "" => Some(self.element),
            id => section.query_selector(&format!("#{id}")).ok().flatten(),
        };
        let (Some(now), Some(window)) = (now, web_sys::window()) else { return };
        let moved = now.get_bounding_client_rect().top() - self.top;
        if moved.abs() >= 1.0 {
            window.scroll_by_with_x_and_y(0.0, moved);
        }
    }
}

/// Moves the focus to the new comment nearest the top of the page, without scrolling: a
/// keyboard reader goes on from the comments they asked for, and the page stays where it is.
pub(super) fn focus_first(section: &web_sys::Element, ids: &[i64]) -> bool {
    let first = ids
        .iter()
        .filter_map(|id| section.query_selector(&format!("#nw-c-{id}")).ok().flatten())
        .filter_map(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        .min_by(|a, b| a.get_bounding_client_rect().top().total_cmp(&b.get_bounding_client_rect().top()));
    let Some(first) = first else { return false };
    let options = web_sys::FocusOptions::new();
    options.set_prevent_scroll(true);
    let _ = first.focus_with_options(&options);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: i64, parent: Option<i64>, body: &str) -> Comment {
        serde_json::from_value(serde_json::json!({
            "id": id, "parent_id": parent, "author_name": "A", "avatar": "ab", "body": body,
            "created_at": "2026-11-27T10:00:00Z", "status": "approved"
        }))
        .unwrap()
    }

    fn thread(comments: Vec<Comment>) -> Thread {
        Thread { total: comments.len() as u64, comments, ..Thread::default() }
    }

    #[test]
    fn others_comments_wait_and_go_where_they_belong_once() {
        let mut t = thread(vec![c(1, None, "a"), c(2, Some(1), "b")]);
        let mut held = Vec::new();
        let none = |_| false;
        for event in [c(3, None, "new"), c(4, Some(1), "reply"), c(3, None, "new, again")] {
            let applied = apply(&mut t, &mut held, ArticleEvent::Comment { comment: event }, none);
            assert!(applied.held && !applied.thread);
        }
        assert_eq!(waiting(&t, &held, none), 2, "the same comment twice counts once");
        assert_eq!(t.comments.len(), 2, "nothing moves before the reader asks");

        let ids = show(&mut t, held, Sort::Newest, none);
        assert_eq!(ids, [3, 4]);
        let order: Vec<i64> = t.comments.iter().map(|c| c.id).collect();
        assert_eq!(order, [3, 1, 2, 4], "newest first on top; the reply after its siblings");
        assert_eq!(t.total, 4);
    }

    #[test]
    fn the_readers_own_comment_is_neither_counted_nor_shown_twice() {
        let mut t = thread(vec![c(1, None, "a"), c(5, None, "mine")]);
        let mut held = Vec::new();
        let mine = |id| id == 5 || id == 6;
        apply(&mut t, &mut held, ArticleEvent::Comment { comment: c(5, None, "mine") }, mine);
        assert!(held.is_empty());
        assert_eq!(t.total, 2);
        // Awaiting moderation, shown from this device, then approved: into the thread, once.
        let applied = apply(&mut t, &mut held, ArticleEvent::Comment { comment: c(6, None, "held") }, mine);
        assert_eq!(applied.own_published, Some(6));
        assert_eq!((t.comments.len(), t.total, held.len()), (3, 3, 0));
        // Its event came before the POST's answer: held, but not counted once it is the reader's.
        let mut early = vec![c(7, None, "early")];
        assert_eq!(waiting(&t, &early, |id| id == 7), 0);
        assert!(show(&mut t, std::mem::take(&mut early), Sort::Oldest, |id| id == 7).is_empty());
    }

    #[test]
    fn edits_and_removals_apply_in_place() {
        let mut t = thread(vec![c(1, None, "a"), c(2, Some(1), "b"), c(3, None, "c")]);
        let mut held = vec![c(4, None, "d")];
        let none = |_| false;
        apply(&mut t, &mut held, ArticleEvent::Edit { comment: c(3, None, "c, edited") }, none);
        assert_eq!(t.comments[2].body, "c, edited");
        apply(&mut t, &mut held, ArticleEvent::Edit { comment: c(4, None, "d, edited") }, none);
        assert_eq!(held[0].body, "d, edited");

        apply(&mut t, &mut held, ArticleEvent::Removal { id: 1 }, none);
        assert_eq!(t.comments[0].status, CommentStatus::Deleted, "with a reply: the placeholder");
        assert!(t.comments[0].body.is_empty() && t.comments[0].author_name.is_empty());
        apply(&mut t, &mut held, ArticleEvent::Removal { id: 3 }, none);
        assert!(!t.comments.iter().any(|c| c.id == 3), "without replies: gone");
        assert_eq!(t.total, 1);
        apply(&mut t, &mut held, ArticleEvent::Removal { id: 4 }, none);
        assert!(held.is_empty(), "a held comment removed is no longer offered");
        // An edit never brings a removed comment back.
        apply(&mut t, &mut held, ArticleEvent::Edit { comment: c(1, None, "back?") }, none);
        assert_eq!(t.comments[0].status, CommentStatus::Deleted);
    }
}
