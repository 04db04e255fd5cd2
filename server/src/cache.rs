//! Comment pages as they were sent, kept for a second. Under load, one request builds a page and
//! the others get the same bytes: while it rebuilds an expired page the others get the previous
//! one, and after a write the others wait for its build instead of each building their own.
//! Every write through this server forgets all pages at once; a write by another process (the
//! `comments` CLI) shows within [`TTL`] plus one build.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::Bytes;

pub const TTL: Duration = Duration::from_secs(1);
const MAX_ENTRIES: usize = 4096;

struct Entry {
    at: Instant,
    etag: String,
    body: Bytes,
}

#[derive(Default)]
pub struct PageCache {
    entries: Mutex<HashMap<String, Entry>>,
    /// Bumped by every write: a page built from a read older than a write is not kept.
    generation: AtomicU64,
    /// Held while building a page.
    building: tokio::sync::Mutex<()>,
}

impl PageCache {
    /// Read before building a page, and given back to [`PageCache::put`].
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The page under `key` and its ETag, if built less than [`TTL`] ago.
    pub fn get(&self, key: &str) -> Option<(String, Bytes)> {
        self.lookup(key).filter(|(_, _, fresh)| *fresh).map(|(etag, body, _)| (etag, body))
    }

    /// The page under `key`, its ETag, and whether it is fresh.
    fn lookup(&self, key: &str) -> Option<(String, Bytes, bool)> {
        let entries = self.entries.lock().ok()?;
        let entry = entries.get(key)?;
        Some((entry.etag.clone(), entry.body.clone(), entry.at.elapsed() < TTL))
    }

    /// The page under `key`: fresh from the cache; else the expired one while another request
    /// rebuilds it; else built by `build` (one build at a time) and kept.
    pub async fn get_or_build<E, F, Fut>(&self, key: String, build: F) -> Result<(String, Bytes), E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(String, Bytes), E>>,
    {
        let _building = match self.lookup(&key) {
            Some((etag, body, true)) => return Ok((etag, body)),
            Some((etag, body, false)) => match self.building.try_lock() {
                Ok(guard) => guard,
                Err(_) => return Ok((etag, body)),
            },
            None => {
                let guard = self.building.lock().await;
                // Built by the request we waited for, unless a write came since.
                if let Some((etag, body, _)) = self.lookup(&key) {
                    return Ok((etag, body));
                }
                guard
            }
        };
        let generation = self.generation();
        let (etag, body) = build().await?;
        self.put(key, generation, etag.clone(), body.clone());
        Ok((etag, body))
    }

    /// Keeps a page built from a read made at `generation`, unless something was written since.
    pub fn put(&self, key: String, generation: u64, etag: String, body: Bytes) {
        let Ok(mut entries) = self.entries.lock() else { return };
        if self.generation() != generation {
            return;
        }
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, e| e.at.elapsed() < TTL);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(key, Entry { at: Instant::now(), etag, body });
    }

    /// After a write: no page built before it is served again.
    pub fn forget_all(&self) {
        let Ok(mut entries) = self.entries.lock() else { return };
        self.generation.fetch_add(1, Ordering::AcqRel);
        entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_forgets_pages_and_refuses_pages_read_before_it() {
        let cache = PageCache::default();
        let before = cache.generation();
        cache.put("a".into(), before, "\"1\"".into(), Bytes::from_static(b"one"));
        assert_eq!(cache.get("a"), Some(("\"1\"".into(), Bytes::from_static(b"one"))));
        cache.forget_all();
        assert_eq!(cache.get("a"), None);
        // A page whose read started before the write is not kept.
        cache.put("a".into(), before, "\"1\"".into(), Bytes::from_static(b"one"));
        assert_eq!(cache.get("a"), None);
        cache.put("a".into(), cache.generation(), "\"2\"".into(), Bytes::from_static(b"two"));
        assert_eq!(cache.get("a").map(|p| p.0), Some("\"2\"".into()));
    }

    #[tokio::test]
    async fn one_build_serves_everyone_and_an_expired_page_is_served_while_rebuilding() {
        let cache = std::sync::Arc::new(PageCache::default());
        let builds = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut readers = tokio::task::JoinSet::new();
        for _ in 0..8 {
            let (cache, builds) = (cache.clone(), builds.clone());
            readers.spawn(async move {
                let build = || async move {
                    builds.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    Ok::<_, ()>(("\"e\"".to_owned(), Bytes::from_static(b"page")))
                };
                cache.get_or_build("k".to_owned(), build).await
            });
        }
        while let Some(page) = readers.join_next().await {
            assert_eq!(page.unwrap(), Ok(("\"e\"".to_owned(), Bytes::from_static(b"page"))));
        }
        assert_eq!(builds.load(Ordering::SeqCst), 1, "eight readers, one build");

        tokio::time::sleep(TTL + Duration::from_millis(20)).await;
        assert_eq!(cache.get("k"), None, "expired");
        // While one request rebuilds, another gets the expired page at once.
        let _rebuilding = cache.building.lock().await;
        let stale = cache.get_or_build("k".into(), || async { Err(()) }).await;
        assert_eq!(stale, Ok(("\"e\"".to_owned(), Bytes::from_static(b"page"))));
    }

    #[test]
    fn pages_expire() {
        let cache = PageCache::default();
        cache.put("a".into(), cache.generation(), "\"1\"".into(), Bytes::from_static(b"one"));
        std::thread::sleep(TTL + Duration::from_millis(50));
        assert_eq!(cache.get("a"), None);
    }
}
