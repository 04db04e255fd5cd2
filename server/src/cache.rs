//! Comment pages as they were sent, kept for a second. Under load, one request builds a page and
//! the others get the same bytes: while it rebuilds an expired page the others get the previous
//! one, and after a write the others wait for its build instead of each building their own.
//! Builds are single-flight per page, not behind one lock for all pages, and a write forgets the
//! pages of its own article only. A write by another process (the `comments` CLI) shows within
//! [`TTL`] plus one build.
//!
//! Each page keeps its brotli and gzip bodies beside the plain one ([`Page`]): a coding is
//! compressed the first time a request asks for it, once per page (others asking meanwhile wait
//! for that one compression), and a page rebuilt after its second compresses at build, while the
//! expired one is still served, the codings its predecessor was asked for (none if the new bytes
//! are the same: the compressed bodies are carried over). [`answer`] negotiates the coding
//! ([`crate::encoding::negotiate`]) and gives each representation its own ETag.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::encoding::{self, Encoding};
use crate::error::{ApiError, ApiResult};

pub const TTL: Duration = Duration::from_secs(1);
const MAX_ENTRIES: usize = 4096;
/// Pages kept for one article at most; past it a page is built and sent but not kept.
const MAX_PAGES_PER_ARTICLE: usize = 256;

struct Entry {
    at: Instant,
    page: Arc<Page>,
}

/// A page as sent: the plain body and its ETag, and its compressed bodies once asked for.
#[derive(Debug)]
pub struct Page {
    etag: String,
    body: Bytes,
    brotli: tokio::sync::OnceCell<Bytes>,
    gzip: tokio::sync::OnceCell<Bytes>,
}

impl Page {
    pub fn new(body: Bytes) -> Self {
        Self { etag: etag(&body), body, brotli: Default::default(), gzip: Default::default() }
    }

    /// The plain body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The ETag of the page in `encoding`: the plain one's, with the coding's suffix inside the
    /// quotes (`"…-br"`, `"…-gz"`), since each representation has its own bytes.
    pub fn etag(&self, encoding: Encoding) -> String {
        let tag = self.etag.strip_suffix('"').unwrap_or(&self.etag);
        format!("{tag}{}\"", encoding.etag_suffix())
    }

    fn compressed(&self, encoding: Encoding) -> Option<&tokio::sync::OnceCell<Bytes>> {
        match encoding {
            Encoding::Identity => None,
            Encoding::Gzip => Some(&self.gzip),
            Encoding::Brotli => Some(&self.brotli),
        }
    }

    /// The body in `encoding`, compressed by the first request that asks for it.
    pub async fn encoded(&self, encoding: Encoding) -> Bytes {
        match self.compressed(encoding) {
            None => self.body.clone(),
            Some(cell) => cell.get_or_init(|| async { encoding.compress(&self.body) }).await.clone(),
        }
    }

    /// Readies the codings `previous` (the page this one replaces) was asked for: its bodies
    /// if the bytes are the same, else compressed now.
    fn warm_like(&self, previous: &Page) {
        for encoding in [Encoding::Brotli, Encoding::Gzip] {
            let (Some(old), Some(new)) = (previous.compressed(encoding), self.compressed(encoding)) else { continue };
            if let Some(old) = old.get() {
                let body = if previous.body == self.body { old.clone() } else { encoding.compress(&self.body) };
                let _ = new.set(body);
            }
        }
    }
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

    /// The page under `key`, if built less than [`TTL`] ago.
    pub fn get(&self, article: &str, key: &str) -> Option<Arc<Page>> {
        self.lookup(article, key).filter(|(_, fresh)| *fresh).map(|(page, _)| page)
    }

    /// The page under `key`, and whether it is fresh.
    fn lookup(&self, article: &str, key: &str) -> Option<(Arc<Page>, bool)> {
        self.with(article, |a| a.pages.get(key).map(|e| (e.page.clone(), e.at.elapsed() < TTL))).flatten()
    }

    fn build_lock(&self, article: &str, key: &str) -> Option<Arc<tokio::sync::Mutex<()>>> {
        self.with(article, |a| a.building.entry(key.to_owned()).or_default().clone())
    }

    /// The page `key` of `article`: fresh from the cache; else the expired one while another
    /// request rebuilds it; else built by `build` (one build per page at a time) and kept. A
    /// rebuilt page has the codings its predecessor was asked for ready ([`Page`]).
    pub async fn get_or_build<E, F, Fut>(&self, article: &str, key: String, build: F) -> Result<Arc<Page>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Bytes, E>>,
    {
        let Some(lock) = self.build_lock(article, &key) else { return build().await.map(|b| Arc::new(Page::new(b))) };
        let (_building, previous) = match self.lookup(article, &key) {
            Some((page, true)) => return Ok(page),
            Some((page, false)) => match lock.clone().try_lock_owned() {
                Ok(guard) => (guard, Some(page)),
                Err(_) => return Ok(page),
            },
            None => {
                let guard = lock.clone().lock_owned().await;
                // Built by the request we waited for, unless a write came since.
                if let Some((page, _)) = self.lookup(article, &key) {
                    return Ok(page);
                }
                (guard, None)
            }
        };
        let generation = self.generation(article);
        let built = build().await.map(|body| Arc::new(Page::new(body)));
        if let Ok(page) = &built {
            if let Some(previous) = &previous {
                page.warm_like(previous);
            }
            self.put(article, key.clone(), generation, page.clone());
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
    pub fn put(&self, article: &str, key: String, generation: u64, page: Arc<Page>) {
        self.with(article, |a| {
            if a.generation == generation {
                // Pages past their second go as new ones come: an article's entries stay bounded
                // by what a second of distinct requests builds (each widget fragment's page
                // address is in its key, so a stream of new addresses must not pile up).
                if a.pages.len() >= MAX_PAGES_PER_ARTICLE {
                    a.pages.retain(|_, e| e.at.elapsed() < TTL);
                }
                if a.pages.len() < MAX_PAGES_PER_ARTICLE {
                    a.pages.insert(key, Entry { at: Instant::now(), page });
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

impl PageCache {
    /// After a write that may change every article's pages (the moderation rules).
    pub fn forget_all(&self) {
        if let Ok(mut articles) = self.articles.lock() {
            for a in articles.values_mut() {
                a.generation += 1;
                a.pages.clear();
            }
        }
    }
}

/// What a cached page is sent with: browsers revalidate every time (a cheap 304) and never show
/// a stale page, not even while revalidating (no stale-while-revalidate); a CDN may keep it 10 s.
pub const CACHE_CONTROL: &str = "public, max-age=0, must-revalidate, s-maxage=10";

/// The ETag of a page's bytes.
pub fn etag(body: &[u8]) -> String {
    format!("\"{}\"", &crate::secrets::token_hash(&String::from_utf8_lossy(body))[..32])
}

/// The answer for a cached page: in the coding the request prefers ([`encoding::negotiate`]),
/// `304 Not Modified` when its `If-None-Match` holds that representation's ETag (or `*`), else
/// the body as `content_type` with its `Content-Encoding`; both with [`CACHE_CONTROL`], the
/// representation's ETag and `Vary: Accept-Encoding` (which also tells tower-http's compression
/// to leave the answer alone). Used by every cached route (comment pages, widget fragments).
///
/// Another representation's tag is not a match: a cache holding the gzip body that asks with the
/// brotli one's tag gets the brotli body, not a 304 it could not apply (RFC 9111 §4.3.4 updates
/// only a stored answer with the 304's strong ETag).
pub async fn answer(page: &Page, content_type: &'static str, request: &HeaderMap) -> ApiResult<Response> {
    let encoding = encoding::negotiate(request);
    let etag = page.etag(encoding);
    let cache = [
        (header::CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL)),
        (header::ETAG, HeaderValue::from_str(&etag).map_err(ApiError::internal)?),
        (header::VARY, HeaderValue::from_static("accept-encoding")),
    ];
    let matches = request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == "*" || tag == etag);
    if matches {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    let body = page.encoded(encoding).await;
    let mut response = (cache, [(header::CONTENT_TYPE, content_type)], body).into_response();
    if let Some(coding) = encoding.content_encoding() {
        response.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn page(body: &'static str) -> Arc<Page> {
        Arc::new(Page::new(Bytes::from_static(body.as_bytes())))
    }

    fn body(page: Option<Arc<Page>>) -> Option<Bytes> {
        page.map(|p| p.body().clone())
    }

    #[test]
    fn a_write_forgets_its_articles_pages_only_and_refuses_pages_read_before_it() {
        let cache = PageCache::default();
        let before = cache.generation("a");
        cache.put("a", "p".into(), before, page("one"));
        cache.put("b", "p".into(), cache.generation("b"), page("bee"));
        assert_eq!(body(cache.get("a", "p")), Some(Bytes::from_static(b"one")));
        cache.forget("a");
        assert_eq!(body(cache.get("a", "p")), None);
        assert!(cache.get("b", "p").is_some(), "another article's page stays");
        // A page whose read started before the write is not kept.
        cache.put("a", "p".into(), before, page("one"));
        assert_eq!(body(cache.get("a", "p")), None);
        cache.put("a", "p".into(), cache.generation("a"), page("two"));
        assert_eq!(body(cache.get("a", "p")), Some(Bytes::from_static(b"two")));
    }

    #[test]
    fn an_article_keeps_a_bounded_number_of_pages() {
        let cache = PageCache::default();
        for i in 0..(3 * MAX_PAGES_PER_ARTICLE) {
            cache.put("a", format!("widget return={i}"), cache.generation("a"), page(""));
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
                    Ok::<_, ()>(Bytes::from(page))
                };
                (page, cache.get_or_build("a", page.to_owned(), build).await)
            });
        }
        while let Some(done) = readers.join_next().await {
            let (page, got) = done.unwrap();
            assert_eq!(got.map(|p| p.body().clone()), Ok(Bytes::from(page)));
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
                        Ok::<_, ()>(Bytes::from_static(b"held"))
                    })
                    .await
            })
        };
        has_started.await.unwrap();
        let other = cache.get_or_build("a", "other".into(), || async { Ok::<_, ()>(Bytes::new()) });
        let other = tokio::time::timeout(Duration::from_secs(10), other).await;
        assert!(other.is_ok(), "a page waited for another page's build");
        release.send(()).unwrap();
        assert_eq!(held.await.unwrap().map(|p| p.body().clone()), Ok(Bytes::from_static(b"held")));

        tokio::time::sleep(TTL + Duration::from_millis(20)).await;
        assert_eq!(body(cache.get("a", "even")), None, "expired");
        // While one request rebuilds, another gets the expired page at once.
        let lock = cache.build_lock("a", "even").unwrap();
        let _rebuilding = lock.lock().await;
        let stale = cache.get_or_build("a", "even".into(), || async { Err(()) }).await;
        assert_eq!(stale.map(|p| p.body().clone()), Ok(Bytes::from_static(b"even")));
    }

    #[test]
    fn pages_expire() {
        let cache = PageCache::default();
        cache.put("a", "p".into(), cache.generation("a"), page("one"));
        std::thread::sleep(TTL + Duration::from_millis(50));
        assert_eq!(body(cache.get("a", "p")), None);
    }

    #[test]
    fn each_representation_has_its_own_etag() {
        let page = page("{\"comments\":[]}");
        let plain = page.etag(Encoding::Identity);
        assert!(plain.starts_with('"') && plain.ends_with('"') && plain.len() == 34, "{plain}");
        assert_eq!(page.etag(Encoding::Brotli), format!("{}-br\"", &plain[..33]));
        assert_eq!(page.etag(Encoding::Gzip), format!("{}-gz\"", &plain[..33]));
    }

    #[tokio::test]
    async fn a_coding_is_compressed_once_per_page_and_a_rebuild_keeps_what_was_asked_for() {
        let cache = Arc::new(PageCache::default());
        let json = Bytes::from("{\"body\":\"Bonjour\"}".repeat(500));
        let built = cache.get_or_build("a", "p".into(), || async { Ok::<_, ()>(json.clone()) }).await.unwrap();
        assert!(
            built.brotli.get().is_none() && built.gzip.get().is_none(),
            "nothing compressed before it is asked for"
        );
        // Sixteen readers at once, one compression: they all hold the very same bytes.
        let mut readers = tokio::task::JoinSet::new();
        for _ in 0..16 {
            let cache = cache.clone();
            readers.spawn(async move { cache.get("a", "p").unwrap().encoded(Encoding::Brotli).await });
        }
        let mut bodies = Vec::new();
        while let Some(body) = readers.join_next().await {
            bodies.push(body.unwrap());
        }
        assert!(bodies.iter().all(|b| b.as_ptr() == bodies[0].as_ptr()), "compressed once, shared by all");
        let mut plain = Vec::new();
        brotli::BrotliDecompress(&mut &bodies[0][..], &mut plain).unwrap();
        assert_eq!(plain, json);
        assert!(built.gzip.get().is_none(), "gzip was not asked for");
        assert_eq!(built.encoded(Encoding::Identity).await.as_ptr(), json.as_ptr(), "the plain body as built");

        // Rebuilt after its second with the same bytes: the brotli body is carried over as it is,
        // and gzip, never asked for, is still not made.
        tokio::time::sleep(TTL + Duration::from_millis(20)).await;
        let rebuilt = cache.get_or_build("a", "p".into(), || async { Ok::<_, ()>(json.clone()) }).await.unwrap();
        assert!(!Arc::ptr_eq(&rebuilt, &built), "a new page");
        assert_eq!(rebuilt.brotli.get().map(|b| b.as_ptr()), Some(bodies[0].as_ptr()));
        assert!(rebuilt.gzip.get().is_none());
        // Rebuilt with new bytes: brotli is compressed anew at build, before any reader asks.
        tokio::time::sleep(TTL + Duration::from_millis(20)).await;
        let changed = Bytes::from("{\"body\":\"Salut\"}".repeat(500));
        let page = cache.get_or_build("a", "p".into(), || async { Ok::<_, ()>(changed.clone()) }).await.unwrap();
        let ready = page.brotli.get().expect("compressed at build");
        let mut plain = Vec::new();
        brotli::BrotliDecompress(&mut &ready[..], &mut plain).unwrap();
        assert_eq!(plain, changed);
        // A write forgets the compressed bodies with the page.
        cache.forget("a");
        assert!(cache.get("a", "p").is_none());
        let after = cache.get_or_build("a", "p".into(), || async { Ok::<_, ()>(changed.clone()) }).await.unwrap();
        assert!(after.brotli.get().is_none(), "built anew after a write, nothing carried over");
    }
}
