//! Comment pages as they were sent, kept for a second. Under load, one request builds a page and
//! the others get the same bytes: while it rebuilds an expired page the others get the previous
//! one, and after a write the others wait for its build instead of each building their own.
//! Builds are single-flight per page, not behind one lock for all pages, and a write forgets the
//! pages of its own article only. A write by another process (the `comments` CLI) shows within
//! [`TTL`] plus one build.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, ApiResult};

pub const TTL: Duration = Duration::from_secs(1);
const MAX_ENTRIES: usize = 4096;
/// Pages kept for one article at most; past it a page is built and sent but not kept.
const MAX_PAGES_PER_ARTICLE: usize = 256;

struct Entry {
    at: Instant,
    etag: String,
    body: Bytes,
}

#[derive(Default)]
struct Article {
    pages: HashMap<String, Entry>,
    /// Bumped by every write to the article: a page built from a read older than a write is not kept.
    generation: u64,
    /// One lock per page being built.
    building: HashMap<String, Arc<tokio::sync::Mutex<()>>>,
}

#[derive(Default)]
pub struct PageCache {
    articles: Mutex<HashMap<String, Article>>,
}

impl PageCache {
    fn with<R>(&self, article: &str, f: impl FnOnce(&mut Article) -> R) -> Option<R> {
        let mut articles = self.articles.lock().ok()?;
        if !articles.contains_key(article) && articles.values().map(|a| a.pages.len()).sum::<usize>() >= MAX_ENTRIES {
            articles.retain(|_, a| {
                a.pages.retain(|_, e| e.at.elapsed() < TTL);
                !a.pages.is_empty() || !a.building.is_empty()
            });
        }
        Some(f(articles.entry(article.to_owned()).or_default()))
    }

    /// Read before building a page of `article`, and given back to [`PageCache::put`].
    pub fn generation(&self, article: &str) -> u64 {
        self.with(article, |a| a.generation).unwrap_or_default()
    }

    /// The page under `key` and its ETag, if built less than [`TTL`] ago.
    pub fn get(&self, article: &str, key: &str) -> Option<(String, Bytes)> {
        self.lookup(article, key).filter(|(_, _, fresh)| *fresh).map(|(etag, body, _)| (etag, body))
    }

    /// The page under `key`, its ETag, and whether it is fresh.
    fn lookup(&self, article: &str, key: &str) -> Option<(String, Bytes, bool)> {
        self.with(article, |a| a.pages.get(key).map(|e| (e.etag.clone(), e.body.clone(), e.at.elapsed() < TTL)))
            .flatten()
    }

    fn build_lock(&self, article: &str, key: &str) -> Option<Arc<tokio::sync::Mutex<()>>> {
        self.with(article, |a| a.building.entry(key.to_owned()).or_default().clone())
    }

    /// The page `key` of `article`: fresh from the cache; else the expired one while another
    /// request rebuilds it; else built by `build` (one build per page at a time) and kept.
    pub async fn get_or_build<E, F, Fut>(&self, article: &str, key: String, build: F) -> Result<(String, Bytes), E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(String, Bytes), E>>,
    {
        let Some(lock) = self.build_lock(article, &key) else { return build().await };
        let _building = match self.lookup(article, &key) {
            Some((etag, body, true)) => return Ok((etag, body)),
            Some((etag, body, false)) => match lock.clone().try_lock_owned() {
                Ok(guard) => guard,
                Err(_) => return Ok((etag, body)),
            },
            None => {
                let guard = lock.clone().lock_owned().await;
                // Built by the request we waited for, unless a write came since.
                if let Some((etag, body, _)) = self.lookup(article, &key) {
                    return Ok((etag, body));
                }
                guard
            }
        };
        let generation = self.generation(article);
        let built = build().await;
        if let Ok((etag, body)) = &built {
            self.put(article, key.clone(), generation, etag.clone(), body.clone());
        }
        // The last builder of this page lets go of its lock entry (waiters hold their own Arc).
        self.with(article, |a| {
            if a.building.get(&key).is_some_and(|l| Arc::strong_count(l) <= 2) {
                a.building.remove(&key);
            }
        });
        built
    }

    /// Keeps a page built from a read made at `generation`, unless its article was written since.
    pub fn put(&self, article: &str, key: String, generation: u64, etag: String, body: Bytes) {
        self.with(article, |a| {
            if a.generation == generation {
                // Pages past their second go as new ones come: an article's entries stay bounded
                // by what a second of distinct requests builds (each widget fragment's page
                // address is in its key, so a stream of new addresses must not pile up).
                if a.pages.len() >= MAX_PAGES_PER_ARTICLE {
                    a.pages.retain(|_, e| e.at.elapsed() < TTL);
                }
                if a.pages.len() < MAX_PAGES_PER_ARTICLE {
                    a.pages.insert(key, Entry { at: Instant::now(), etag, body });
                }
            }
        });
    }

    /// After a write to `article`: none of its pages built before it is served again; other
    /// articles' pages stay.
    pub fn forget(&self, article: &str) {
        self.with(article, |a| {
            a.generation += 1;
            a.pages.clear();
        });
    }
}

/// What a cached page is sent with: browsers revalidate every time (a cheap 304) and never show
/// a stale page, not even while revalidating (no stale-while-revalidate); a CDN may keep it 10 s.
pub const CACHE_CONTROL: &str = "public, max-age=0, must-revalidate, s-maxage=10";

/// The ETag of a page's bytes.
pub fn etag(body: &[u8]) -> String {
    format!("\"{}\"", &crate::secrets::token_hash(&String::from_utf8_lossy(body))[..32])
}

/// The answer for a page built (or cached) as `etag` and `body`: `304 Not Modified` when the
/// request's `If-None-Match` holds that tag, else the page as `content_type`; both with
/// [`CACHE_CONTROL`] and the ETag. Used by every cached route (comment pages, widget fragments).
pub fn answer(etag: &str, body: Bytes, content_type: &'static str, request: &HeaderMap) -> ApiResult<Response> {
    let cache = [
        (header::CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL)),
        (header::ETAG, HeaderValue::from_str(etag).map_err(ApiError::internal)?),
    ];
    let matches = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim().trim_start_matches("W/") == etag));
    if matches {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    Ok((cache, [(header::CONTENT_TYPE, content_type)], body).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn a_write_forgets_its_articles_pages_only_and_refuses_pages_read_before_it() {
        let cache = PageCache::default();
        let before = cache.generation("a");
        cache.put("a", "p".into(), before, "\"1\"".into(), Bytes::from_static(b"one"));
        cache.put("b", "p".into(), cache.generation("b"), "\"b\"".into(), Bytes::from_static(b"bee"));
        assert_eq!(cache.get("a", "p"), Some(("\"1\"".into(), Bytes::from_static(b"one"))));
        cache.forget("a");
        assert_eq!(cache.get("a", "p"), None);
        assert!(cache.get("b", "p").is_some(), "another article's page stays");
        // A page whose read started before the write is not kept.
        cache.put("a", "p".into(), before, "\"1\"".into(), Bytes::from_static(b"one"));
        assert_eq!(cache.get("a", "p"), None);
        cache.put("a", "p".into(), cache.generation("a"), "\"2\"".into(), Bytes::from_static(b"two"));
        assert_eq!(cache.get("a", "p").map(|p| p.0), Some("\"2\"".into()));
    }

    #[test]
    fn an_article_keeps_a_bounded_number_of_pages() {
        let cache = PageCache::default();
        for i in 0..(3 * MAX_PAGES_PER_ARTICLE) {
            cache.put("a", format!("widget return={i}"), cache.generation("a"), "\"e\"".into(), Bytes::new());
        }
        let kept = cache.with("a", |a| a.pages.len()).unwrap();
        assert_eq!(kept, MAX_PAGES_PER_ARTICLE, "a stream of new keys does not pile up");
        assert!(cache.get("a", "widget return=0").is_some(), "the fresh pages kept are served");
    }

    #[tokio::test]
    async fn one_build_per_page_and_pages_build_side_by_side() {
        let cache = Arc::new(PageCache::default());
        let builds = Arc::new(AtomicUsize::new(0));
        let mut readers = tokio::task::JoinSet::new();
        for i in 0..8 {
            let (cache, builds) = (cache.clone(), builds.clone());
            readers.spawn(async move {
                let page = if i % 2 == 0 { "even" } else { "odd" };
                let build = || async move {
                    builds.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    Ok::<_, ()>(("\"e\"".to_owned(), Bytes::from(page)))
                };
                (page, cache.get_or_build("a", page.to_owned(), build).await)
            });
        }
        while let Some(done) = readers.join_next().await {
            let (page, got) = done.unwrap();
            assert_eq!(got, Ok(("\"e\"".to_owned(), Bytes::from(page))));
        }
        assert_eq!(builds.load(Ordering::SeqCst), 2, "eight readers of two pages, one build each");

        // While one page's build is held open, another page of the same article builds: the
        // held build is released only after the other finished (one lock for all would deadlock).
        let (release, released) = tokio::sync::oneshot::channel::<()>();
        let (started, has_started) = tokio::sync::oneshot::channel::<()>();
        let held = {
            let cache = cache.clone();
            tokio::spawn(async move {
                cache
                    .get_or_build("a", "held".into(), || async move {
                        let _ = started.send(());
                        let _ = released.await;
                        Ok::<_, ()>(("\"h\"".to_owned(), Bytes::from_static(b"held")))
                    })
                    .await
            })
        };
        has_started.await.unwrap();
        let other =
            cache.get_or_build("a", "other".into(), || async { Ok::<_, ()>(("\"o\"".to_owned(), Bytes::new())) });
        let other = tokio::time::timeout(Duration::from_secs(10), other).await;
        assert!(other.is_ok(), "a page waited for another page's build");
        release.send(()).unwrap();
        assert_eq!(held.await.unwrap().map(|p| p.1), Ok(Bytes::from_static(b"held")));

        tokio::time::sleep(TTL + Duration::from_millis(20)).await;
        assert_eq!(cache.get("a", "even"), None, "expired");
        // While one request rebuilds, another gets the expired page at once.
        let lock = cache.build_lock("a", "even").unwrap();
        let _rebuilding = lock.lock().await;
        let stale = cache.get_or_build("a", "even".into(), || async { Err(()) }).await;
        assert_eq!(stale, Ok(("\"e\"".to_owned(), Bytes::from_static(b"even"))));
    }

    #[test]
    fn pages_expire() {
        let cache = PageCache::default();
        cache.put("a", "p".into(), cache.generation("a"), "\"1\"".into(), Bytes::from_static(b"one"));
        std::thread::sleep(TTL + Duration::from_millis(50));
        assert_eq!(cache.get("a", "p"), None);
    }
}
