//! Comment pages as they were sent, kept for a second. Under load, one request builds a page and
//! the others get the same bytes. Every write through this server forgets them all at once; a
//! write by another process (the `comments` CLI) shows within [`TTL`].

use std::collections::HashMap;
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
}

impl PageCache {
    /// Read before building a page, and given back to [`PageCache::put`].
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The page under `key` and its ETag, if built less than [`TTL`] ago.
    pub fn get(&self, key: &str) -> Option<(String, Bytes)> {
        let entries = self.entries.lock().ok()?;
        let entry = entries.get(key).filter(|e| e.at.elapsed() < TTL)?;
        Some((entry.etag.clone(), entry.body.clone()))
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

    #[test]
    fn pages_expire() {
        let cache = PageCache::default();
        cache.put("a".into(), cache.generation(), "\"1\"".into(), Bytes::from_static(b"one"));
        std::thread::sleep(TTL + Duration::from_millis(50));
        assert_eq!(cache.get("a"), None);
    }
}
