//! Live updates: one Server-Sent Events stream per widget (`{api}/articles/{slug}/events`, REST
//! backend only), handed to the parts that listen ([`Live`]).
//!
//! The browser's `EventSource` reads the stream; everything around it is ours, because
//! EventSource alone gives up for good on a non-2xx answer (a 503 while the server is full or
//! restarting) and retries a failing server every 3 s forever. So on any error the stream is
//! closed and opened again after an exponential backoff with jitter ([`backoff_ms`]), resuming
//! after the last event seen with `?last_event_id=` (an EventSource made anew cannot send the
//! `Last-Event-ID` header). The stream is also closed once the widget has been out of the
//! viewport for [`AWAY_MS`], and opened again (resuming) when it is back; and when the widget is
//! unmounted ([`Connection`]'s `Drop`, from a Yew effect's cleanup).
//!
//! Nothing here runs in a render: the connection is made in an effect, so the parts still
//! render on the server and hydrate.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use news_widget_api::events::ArticleEvent;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

/// How long the widget may stay out of the viewport before its stream is closed. A reader who
/// scrolls up to the article's text or a picture and back within a minute keeps the stream (no
/// reconnect, no replay); one who has moved on (a news page that keeps earlier articles mounted
/// as the reader scrolls) no longer holds one of the server's streams. Coming back resumes from
/// the last event, so nothing is missed either way.
pub const AWAY_MS: u32 = 60_000;
/// The first reconnect waits about this long; each failure in a row doubles it, up to
/// [`MAX_BACKOFF_MS`].
pub const BASE_BACKOFF_MS: f64 = 1_000.0;
pub const MAX_BACKOFF_MS: f64 = 60_000.0;
/// A connection that lived this long was healthy: the next failure starts the backoff again.
const HEALTHY_MS: f64 = 30_000.0;
/// The event names the stream sends (`ArticleEvent::kind`), and the unnamed opening message.
const KINDS: [&str; 5] = ["comment", "edit", "removal", "rating", "message"];

/// The wait before reconnect attempt `failures` (1 for the first): `BASE × 2^(failures-1)`,
/// capped, then between half and all of it by `random` (0..1), so that the readers of a server
/// that restarts do not all come back in the same second.
pub fn backoff_ms(failures: u32, random: f64) -> f64 {
    let full = (BASE_BACKOFF_MS * 2f64.powi(failures.saturating_sub(1).min(16) as i32)).min(MAX_BACKOFF_MS);
    full * (0.5 + 0.5 * random.clamp(0.0, 1.0))
}

type Listener = Rc<dyn Fn(&ArticleEvent)>;

/// The events of one widget's stream, for the parts that listen (the rating, the comments).
#[derive(Clone, Default)]
pub struct Live(Rc<RefCell<Vec<(u32, Listener)>>>);

impl PartialEq for Live {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Live")
    }
}

impl Live {
    /// Calls `listener` with every event until the answer is dropped.
    pub fn subscribe(&self, listener: impl Fn(&ArticleEvent) + 'static) -> Subscription {
        let mut all = self.0.borrow_mut();
        let id = all.last().map_or(0, |(id, _)| id + 1);
        all.push((id, Rc::new(listener)));
        Subscription { live: Rc::downgrade(&self.0), id }
    }

    /// Hands `event` to every listener.
    pub fn emit(&self, event: &ArticleEvent) {
        // A listener may subscribe or leave while it runs: call a copy of the list.
        let all: Vec<Listener> = self.0.borrow().iter().map(|(_, l)| l.clone()).collect();
        for listener in all {
            listener(event);
        }
    }
}

/// A listener of a [`Live`]; dropping it stops the calls.
pub struct Subscription {
    live: Weak<RefCell<Vec<(u32, Listener)>>>,
    id: u32,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(live) = self.live.upgrade() {
            live.borrow_mut().retain(|(id, _)| *id != self.id);
        }
    }
}

/// Calls `on_event` (the one of the latest render, so it sees the latest state) with each event
/// of `live`, from an effect (never on the server).
#[hook]
pub fn use_live(live: Option<Live>, on_event: Callback<ArticleEvent>) {
    let latest = use_mut_ref(|| on_event.clone());
    *latest.borrow_mut() = on_event;
    use_effect_with(live, move |live| {
        let subscription = live.as_ref().map(|live| live.subscribe(move |e| latest.borrow().emit(e.clone())));
        move || drop(subscription)
    });
}

/// An open (or reopening) stream; dropping it closes everything.
pub struct Connection(Rc<RefCell<Inner>>);

struct Inner {
    url: String,
    live: Live,
    source: Option<web_sys::EventSource>,
    /// The id of the last message, the resume point.
    last_id: Option<String>,
    /// Failures in a row.
    failures: u32,
    opened_at: f64,
    /// The reconnect to come, or the close while away.
    retry: Option<Timeout>,
    away: Option<Timeout>,
    /// Closed because the widget is out of view: opened again when it is back.
    asleep: bool,
    /// Closed because the page is hidden (a background tab, or a page left for another, which
    /// the browser may keep in its back-forward cache): opened again when it shows. Browsers
    /// give HTTP/1.1 six connections per server, so the streams of pages nobody looks at would
    /// leave a seventh tab's widget none to load with.
    hidden: bool,
    observer: Option<web_sys::IntersectionObserver>,
    // One signature for the three: each kind of closure costs its own glue.
    on_message: Closure<dyn FnMut(JsValue)>,
    on_error: Closure<dyn FnMut(JsValue)>,
    on_seen: Closure<dyn FnMut(JsValue)>,
    on_visibility: Closure<dyn FnMut(JsValue)>,
}

impl Connection {
    /// Opens the stream at `url` for `live`, and watches whether `root` (the widget) is in view.
    pub fn open(url: String, live: Live, root: Option<web_sys::Element>) -> Self {
        let inner = Rc::new_cyclic(|weak: &Weak<RefCell<Inner>>| {
            let (on_message, on_error, on_seen, on_visibility) =
                (weak.clone(), weak.clone(), weak.clone(), weak.clone());
            RefCell::new(Inner {
                url,
                live,
                source: None,
                last_id: None,
                failures: 0,
                opened_at: 0.0,
                retry: None,
                away: None,
                asleep: false,
                hidden: page_hidden(),
                observer: None,
                on_message: Closure::new(move |e: JsValue| message(&on_message, e.unchecked_ref())),
                on_error: Closure::new(move |_: JsValue| failed(&on_error)),
                on_seen: Closure::new(move |entries: JsValue| {
                    let visible = entries
                        .unchecked_into::<js_sys::Array>()
                        .iter()
                        .any(|e| e.unchecked_into::<web_sys::IntersectionObserverEntry>().is_intersecting());
                    seen(&on_seen, visible);
                }),
                on_visibility: Closure::new(move |_: JsValue| visibility(&on_visibility)),
            })
        });
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            let _ = document.add_event_listener_with_callback(
                "visibilitychange",
                inner.borrow().on_visibility.as_ref().unchecked_ref(),
            );
        }
        if !inner.borrow().hidden {
            start(&inner);
        }
        if let Some(root) = root {
            let observer = web_sys::IntersectionObserver::new(inner.borrow().on_seen.as_ref().unchecked_ref());
            match observer {
                Ok(observer) => {
                    observer.observe(&root);
                    inner.borrow_mut().observer = Some(observer);
                }
                Err(_) => {
                    web_sys::console::warn_1(&"news-widget: no IntersectionObserver; the stream stays open".into())
                }
            }
        }
        Self(inner)
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        let mut inner = self.0.borrow_mut();
        if let Some(observer) = inner.observer.take() {
            observer.disconnect();
        }
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            let _ = document
                .remove_event_listener_with_callback("visibilitychange", inner.on_visibility.as_ref().unchecked_ref());
        }
        inner.retry = None;
        inner.away = None;
        inner.close();
    }
}

impl Inner {
    fn close(&mut self) {
        if let Some(source) = self.source.take() {
            source.close();
            for kind in KINDS {
                let _ = source.remove_event_listener_with_callback(kind, self.on_message.as_ref().unchecked_ref());
            }
            source.set_onerror(None);
        }
    }
}

/// Opens the EventSource, resuming after the last event seen.
fn start(inner: &Rc<RefCell<Inner>>) {
    let mut this = inner.borrow_mut();
    this.close();
    this.retry = None;
    let url = match &this.last_id {
        Some(id) => format!("{}?last_event_id={id}", this.url),
        None => this.url.clone(),
    };
    match web_sys::EventSource::new(&url) {
        Ok(source) => {
            for kind in KINDS {
                let _ = source.add_event_listener_with_callback(kind, this.on_message.as_ref().unchecked_ref());
            }
            source.set_onerror(Some(this.on_error.as_ref().unchecked_ref()));
            this.opened_at = js_sys::Date::now();
            this.source = Some(source);
        }
        Err(_) => {
            drop(this);
            failed(&Rc::downgrade(inner));
        }
    }
}

/// A message: its id is the resume point; an event's data is parsed here, once, and a malformed
/// one is logged and left out.
fn message(inner: &Weak<RefCell<Inner>>, e: &web_sys::MessageEvent) {
    let Some(inner) = inner.upgrade() else { return };
    let live = {
        let mut this = inner.borrow_mut();
        let id = e.last_event_id();
        if !id.is_empty() {
            this.last_id = Some(id);
        }
        this.live.clone()
    };
    let kind = e.type_();
    if kind == "message" {
        return; // the opening message: only its id counts
    }
    let data = e.data().as_string().unwrap_or_default();
    match parse(&kind, &data) {
        Ok(event) => live.emit(&event),
        Err(why) => web_sys::console::warn_1(&format!("news-widget: a live event was left out ({why}): {data}").into()),
    }
}

/// An event's data as an [`ArticleEvent`] of `kind` (the SSE event name, which the data's own
/// `kind` repeats). Read by kind into plain structs: deserializing the internally tagged enum
/// itself buffers every value first, and that code cost the wasm several KB.
pub fn parse(kind: &str, data: &str) -> Result<ArticleEvent, String> {
    use crate::json::from_str;
    use news_widget_api::{Comment, RatingSummary};
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct WithComment {
        kind: String,
        comment: Comment,
    }
    #[derive(Deserialize)]
    struct WithId {
        kind: String,
        id: i64,
    }
    #[derive(Deserialize)]
    struct WithRating {
        kind: String,
        rating: RatingSummary,
    }
    let (said, event) = match kind {
        "comment" | "edit" => {
            let WithComment { kind: said, comment } = from_str(data)?;
            let event =
                if kind == "comment" { ArticleEvent::Comment { comment } } else { ArticleEvent::Edit { comment } };
            (said, event)
        }
        "removal" => {
            let WithId { kind: said, id } = from_str(data)?;
            (said, ArticleEvent::Removal { id })
        }
        "rating" => {
            let WithRating { kind: said, rating } = from_str(data)?;
            (said, ArticleEvent::Rating { rating })
        }
        other => return Err(format!("no such kind of event: {other}")),
    };
    if said != kind {
        return Err(format!("a {kind} event whose data says {said}"));
    }
    Ok(event)
}

/// The stream failed (no answer, a non-2xx, a dropped connection): closed, and opened again
/// after the backoff.
fn failed(weak: &Weak<RefCell<Inner>>) {
    let Some(inner) = weak.upgrade() else { return };
    let mut this = inner.borrow_mut();
    this.close();
    if this.asleep || this.hidden {
        return;
    }
    if js_sys::Date::now() - this.opened_at > HEALTHY_MS {
        this.failures = 0;
    }
    this.failures += 1;
    let wait = backoff_ms(this.failures, js_sys::Math::random());
    // In whole milliseconds: formatting a float would bring its formatter into the wasm.
    let wait = wait as u32;
    web_sys::console::info_1(&format!("news-widget: the live stream failed; again in {wait} ms").into());
    let weak = weak.clone();
    this.retry = Some(Timeout::new(wait, move || {
        if let Some(inner) = weak.upgrade() {
            start(&inner);
        }
    }));
}

/// The widget came into view or left it.
fn seen(weak: &Weak<RefCell<Inner>>, visible: bool) {
    let Some(inner) = weak.upgrade() else { return };
    let mut this = inner.borrow_mut();
    if visible {
        this.away = None;
        if std::mem::replace(&mut this.asleep, false) && !this.hidden {
            this.failures = 0;
            drop(this);
            start(&inner);
        }
    } else if this.away.is_none() && !this.asleep {
        let weak = weak.clone();
        this.away = Some(Timeout::new(AWAY_MS, move || {
            if let Some(inner) = weak.upgrade() {
                let mut this = inner.borrow_mut();
                this.away = None;
                this.asleep = true;
                this.retry = None;
                this.close();
            }
        }));
    }
}

/// Whether the page is hidden now (no document: not hidden).
fn page_hidden() -> bool {
    web_sys::window().and_then(|w| w.document()).is_some_and(|d| d.hidden())
}

/// The page was hidden or shown: hidden, the stream closes at once; shown, it opens again,
/// resuming, unless the widget is out of view.
fn visibility(weak: &Weak<RefCell<Inner>>) {
    let Some(inner) = weak.upgrade() else { return };
    let mut this = inner.borrow_mut();
    if page_hidden() {
        this.hidden = true;
        this.retry = None;
        this.close();
    } else if std::mem::replace(&mut this.hidden, false) && !this.asleep {
        this.failures = 0;
        drop(this);
        start(&inner);
    }
}

/// Opens the widget's stream while `url` is `Some` (a REST backend) and the widget is mounted;
/// `root` is the widget's element, watched for leaving the viewport. Answers the events, or
/// `None` where the backend has no stream.
#[hook]
pub fn use_stream(url: Option<String>, root: NodeRef) -> Option<Live> {
    let live = (*use_memo((), |()| Live::default())).clone();
    let has = url.is_some();
    let events = live.clone();
    use_effect_with(url, move |url| {
        let connection = url.clone().map(|url| Connection::open(url, events, root.cast()));
        move || drop(connection)
    });
    has.then_some(live)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_up_to_its_cap_with_jitter() {
        assert_eq!(backoff_ms(1, 1.0), 1_000.0);
        assert_eq!(backoff_ms(1, 0.0), 500.0);
        assert_eq!(backoff_ms(3, 1.0), 4_000.0);
        assert_eq!(backoff_ms(7, 1.0), 60_000.0);
        assert_eq!(backoff_ms(1_000, 0.5), 45_000.0);
    }

    #[test]
    fn every_event_the_server_sends_parses_and_a_mismatch_does_not() {
        let comment: news_widget_api::Comment = serde_json::from_value(serde_json::json!({
            "id": 7, "author_name": "A", "avatar": "ab", "body": "b", "created_at": "2026-11-27T10:00:00Z",
            "status": "approved"
        }))
        .unwrap();
        let rating = serde_json::from_value(serde_json::json!({
            "count": 2, "average": 3.0, "percent": 60.0, "histogram": [1, 0, 0, 0, 1]
        }))
        .unwrap();
        for event in [
            ArticleEvent::Comment { comment: comment.clone() },
            ArticleEvent::Edit { comment },
            ArticleEvent::Removal { id: 7 },
            ArticleEvent::Rating { rating },
        ] {
            let data = serde_json::to_string(&event).unwrap();
            assert_eq!(parse(event.kind(), &data), Ok(event.clone()), "{data}");
        }
        assert!(parse("edit", r#"{"kind":"removal","id":7}"#).is_err(), "the kinds disagree");
        assert!(parse("removal", r#"{"kind":"removal","id":"seven"}"#).is_err());
        assert!(parse("removal", "not json").is_err());
        assert!(parse("vote", r#"{"kind":"vote"}"#).is_err());
    }

    #[test]
    fn a_listener_hears_until_it_leaves() {
        let live = Live::default();
        let heard = Rc::new(RefCell::new(0));
        let count = heard.clone();
        let subscription = live.subscribe(move |_| *count.borrow_mut() += 1);
        live.emit(&ArticleEvent::Removal { id: 1 });
        drop(subscription);
        live.emit(&ArticleEvent::Removal { id: 2 });
        assert_eq!(*heard.borrow(), 1);
    }
}
