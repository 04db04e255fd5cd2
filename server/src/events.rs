//! Live updates: `GET /api/v1/articles/{slug}/events`, Server-Sent Events.
//!
//! Every change readers may see (a comment published, edited or removed, a vote) records an
//! [`ArticleEvent`] in `article_events`, in the transaction that makes the change, and wakes the
//! streams of this process through the [`Hub`] once it is committed. A stream reads its article's
//! events after the last id it sent, so the table is the one truth: a reconnecting reader's
//! `Last-Event-ID` gets exactly what it missed, in order, and a wake-up that is lost or merged
//! with another costs nothing. Streams are outside the server's request time limit and
//! concurrency limit (they are meant to stay open), with a limit of their own, [`MAX_STREAMS`].
//!
//! Several instances on one PostgreSQL act as one: after each commit an instance sends
//! `NOTIFY` on [`CHANNEL`] with the article's slug, and every instance (itself too) forgets that
//! article's cached pages and wakes its streams ([`listen`]). A notification only wakes: the
//! events are in the table, so one that is lost costs nothing but its wake-up, and a listener
//! that lost its connection forgets every page and wakes every stream once back. Event ids
//! follow commit order because writers run one at a time ([`crate::db::begin_write`]).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use news_widget_api::events::{parse_last_event_id, ArticleEvent, LAST_EVENT_ID_HEADER, NOT_AN_EVENT_ID};
use news_widget_api::{Problem, Slug};
use tokio::sync::{broadcast, watch};

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery};
use crate::{db, routes, AppState};

/// Streams one process keeps open at most; past it, a new one is refused with 503 and
/// `Retry-After` (EventSource retries by itself).
pub const MAX_STREAMS: usize = 50_000;
/// A comment line this often keeps proxies from closing an idle stream and lets the client see
/// a dead connection.
pub const HEARTBEAT: Duration = Duration::from_secs(15);
/// The reconnection delay the stream asks of EventSource (the widget adds its own backoff).
pub const RETRY: Duration = Duration::from_secs(3);
/// Events read from the table at a time.
const BATCH: i64 = 100;
/// The query parameter that stands for `Last-Event-ID` where a client cannot send the header
/// (an EventSource made anew by a page's own reconnect logic cannot).
pub const LAST_EVENT_ID_PARAM: &str = "last_event_id";

/// The stream's query: the resume point, for clients that cannot send the header.
#[derive(serde::Deserialize)]
pub struct StreamQuery {
    last_event_id: Option<String>,
}

/// Wakes this process's streams after a commit; carries the article's slug.
pub struct Hub {
    wake: broadcast::Sender<Arc<str>>,
    open: AtomicUsize,
}

impl Default for Hub {
    fn default() -> Self {
        Self { wake: broadcast::channel(1024).0, open: AtomicUsize::new(0) }
    }
}

/// What [`Hub::wake_all`] sends, and the payload of a write that concerns every article (no
/// slug is `*`).
pub const EVERY_ARTICLE: &str = "*";

/// The PostgreSQL channel of committed writes; the payload is the article's slug.
pub const CHANNEL: &str = "news_widget_changed";

impl Hub {
    /// After a committed write to `article`: its streams look for new events.
    pub fn wake(&self, article: &str) {
        // No stream listening is no error.
        let _ = self.wake.send(Arc::from(article));
    }

    /// Every stream looks for new events (after wake-ups may have been missed).
    pub fn wake_all(&self) {
        let _ = self.wake.send(Arc::from(EVERY_ARTICLE));
    }

    /// Streams open now.
    pub fn open(&self) -> usize {
        self.open.load(Ordering::Relaxed)
    }
}

/// Tells the other instances on this PostgreSQL database of a committed write to `article`
/// (nothing on SQLite: one process, which [`crate::Inner::changed`] already told).
pub fn notify_others(db: &db::Db, article: &str) {
    if db::Engine::of_pool(db) != db::Engine::Postgres {
        return;
    }
    let (db, article) = (db.clone(), article.to_owned());
    tokio::spawn(async move {
        let sent = sqlx::query("SELECT 1 FROM (SELECT pg_notify($1, $2)) AS sent")
            .bind(CHANNEL)
            .bind(&article)
            .execute(&db)
            .await;
        if let Err(e) = sent {
            // The others' caches still expire within a second; their streams look again on
            // their next wake-up.
            tracing::warn!(error = %e, %article, "could not notify the other instances of a write");
        }
    });
}

/// On PostgreSQL, listens on [`CHANNEL`] for as long as the server runs: each notification
/// forgets the article's cached pages and wakes its streams in this instance.
pub fn listen(state: AppState) {
    if db::Engine::of_pool(&state.db) != db::Engine::Postgres {
        return;
    }
    let url = state.db.connect_options().database_url.to_string();
    tokio::spawn(async move {
        let mut listener = loop {
            match connect_listener(&url).await {
                Ok(listener) => break listener,
                Err(e) => {
                    tracing::warn!(error = %e, "live updates: cannot listen for the other instances' writes; retrying");
                    tokio::time::sleep(RETRY).await;
                }
            }
        };
        loop {
            match listener.try_recv().await {
                Ok(Some(note)) if note.payload() == EVERY_ARTICLE => state.pages.forget_all(),
                Ok(Some(note)) => {
                    state.pages.forget(note.payload());
                    state.events.wake(note.payload());
                }
                // The connection was lost and is made again at the next call: what was said
                // meanwhile is unknown, so every page goes and every stream looks.
                Ok(None) => {
                    tracing::warn!("live updates: the listening connection was lost; reconnecting");
                    state.pages.forget_all();
                    state.events.wake_all();
                }
                Err(e) => {
                    tracing::warn!(error = %e, "live updates: listening failed; retrying");
                    tokio::time::sleep(RETRY).await;
                }
            }
        }
    });
}

async fn connect_listener(url: &str) -> sqlx::Result<sqlx::postgres::PgListener> {
    let mut listener = sqlx::postgres::PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

/// Records `event` of `article` in the transaction of the change it tells of.
pub async fn record(conn: &mut sqlx::AnyConnection, article: &str, event: &ArticleEvent) -> sqlx::Result<()> {
    let data = serde_json::to_string(event).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query("INSERT INTO article_events (article_slug, kind, data) VALUES ($1, $2, $3)")
        .bind(article)
        .bind(event.kind())
        .bind(data)
        .execute(conn)
        .await?;
    Ok(())
}

/// Set once the server is shutting down: open streams end, so the graceful shutdown does not
/// wait for readers to leave.
fn closing() -> &'static watch::Sender<bool> {
    static CLOSING: OnceLock<watch::Sender<bool>> = OnceLock::new();
    CLOSING.get_or_init(|| watch::channel(false).0)
}

/// Ends every open stream of this process (the server is stopping).
pub fn close_all() {
    closing().send_replace(true);
}

/// The live updates of an article, as Server-Sent Events: `comment`, `edit`, `removal` and
/// `rating`, each with its id; a heartbeat comment every 15 s. Without `Last-Event-ID` (or the
/// `last_event_id` parameter; the header wins) the stream starts with the next change. It opens
/// with an unnamed message (`data: open`) whose id is where it starts, so that a client that
/// reconnects before any event has come still resumes where it was.
#[utoipa::path(get, path = "/api/v1/articles/{slug}/events", tag = "comments",
    params(("slug" = String, Path, description = "the article's slug"),
           ("Last-Event-ID" = Option<String>, Header, description = "the id of the last event received: the stream resumes after it"),
           ("last_event_id" = Option<String>, Query, description = "the same, for clients that cannot send the header; the header wins")),
    responses((status = 200, content_type = "text/event-stream", body = ArticleEvent,
               description = "a stream of events: `event:` the kind, `data:` the JSON, `id:` the resume point"),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json"),
              (status = 503, body = Problem, content_type = "application/problem+json")))]
pub async fn stream(
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
    ApiQuery(query): ApiQuery<StreamQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let slug = routes::slug(&raw)?;
    let resume = match (headers.get(LAST_EVENT_ID_HEADER), query.last_event_id) {
        (None, None) => None,
        (Some(value), _) => Some(
            value
                .to_str()
                .map_err(|_| NOT_AN_EVENT_ID)
                .and_then(parse_last_event_id)
                .map_err(|e| ApiError::field("Last-Event-ID", e))?,
        ),
        (None, Some(value)) => Some(parse_last_event_id(&value).map_err(|e| ApiError::field(LAST_EVENT_ID_PARAM, e))?),
    };
    let mut conn = state.db.acquire().await?;
    db::require_article(&mut conn, &slug).await?;
    let last = match resume {
        Some(id) => id,
        None => {
            let (newest,): (i64,) =
                sqlx::query_as("SELECT COALESCE(MAX(id), 0) FROM article_events WHERE article_slug = $1")
                    .bind(slug.as_str())
                    .fetch_one(&mut *conn)
                    .await?;
            newest
        }
    };
    drop(conn);
    let Some(guard) = Open::take(&state) else {
        return Err(ApiError {
            problem: Problem::new(
                503,
                "Too many live streams",
                "this server has as many live streams open as it keeps; the page retries",
            ),
            retry_after: Some(RETRY.as_secs()),
        });
    };
    let follower = Follower {
        wake: state.events.wake.subscribe(),
        closing: closing().subscribe(),
        state,
        slug,
        last,
        ready: VecDeque::from([Event::default().retry(RETRY).comment("live").id(last.to_string()).data("open")]),
        _open: guard,
    };
    let events = futures_util::stream::unfold(follower, |mut f| async move {
        let event = f.next().await?;
        Some((Ok::<_, Infallible>(event), f))
    });
    let mut response =
        Sse::new(events).keep_alive(KeepAlive::new().interval(HEARTBEAT).text("heartbeat")).into_response();
    // nginx would otherwise buffer the stream.
    response.headers_mut().insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

/// Counts an open stream for as long as it lives.
struct Open(AppState);

impl Open {
    fn take(state: &AppState) -> Option<Self> {
        let before = state.events.open.fetch_add(1, Ordering::Relaxed);
        let open = Self(state.clone());
        (before < MAX_STREAMS).then_some(open)
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        self.0.events.open.fetch_sub(1, Ordering::Relaxed);
    }
}

/// One reader's stream: the events of its article after `last`.
struct Follower {
    state: AppState,
    slug: Slug,
    last: i64,
    ready: VecDeque<Event>,
    wake: broadcast::Receiver<Arc<str>>,
    closing: watch::Receiver<bool>,
    _open: Open,
}

impl Follower {
    /// The next event to send; None ends the stream (the server stops, or its store failed:
    /// the client reconnects and resumes).
    async fn next(&mut self) -> Option<Event> {
        loop {
            if *self.closing.borrow() {
                return None;
            }
            if let Some(event) = self.ready.pop_front() {
                return Some(event);
            }
            if self.read().await? {
                continue;
            }
            self.woken().await?;
        }
    }

    /// Reads what came after `last`; answers whether there was anything.
    async fn read(&mut self) -> Option<bool> {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT id, kind, data FROM article_events WHERE article_slug = $1 AND id > $2 ORDER BY id LIMIT $3",
        )
        .bind(self.slug.as_str())
        .bind(self.last)
        .bind(BATCH)
        .fetch_all(&self.state.db)
        .await
        .inspect_err(|e| tracing::warn!(error = %e, article = %self.slug, "live stream: reading events failed"))
        .ok()?;
        let any = !rows.is_empty();
        for (id, kind, data) in rows {
            self.last = id;
            self.ready.push_back(Event::default().id(id.to_string()).event(kind).data(data));
        }
        Some(any)
    }

    /// Waits until a write to this article may have added events.
    async fn woken(&mut self) -> Option<()> {
        loop {
            tokio::select! {
                woken = self.wake.recv() => match woken {
                    Ok(article) if *article == *self.slug.as_str() || *article == *EVERY_ARTICLE => return Some(()),
                    Ok(_) => {}
                    // Missed wake-ups: look anyway.
                    Err(broadcast::error::RecvError::Lagged(_)) => return Some(()),
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                _ = self.closing.changed() => return None,
            }
        }
    }
}
