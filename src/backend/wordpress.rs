//! A WordPress site's REST API, with nothing of ours on its server (`data-backend="wordpress"`).
//!
//! Posts and comments come from `wp/v2`, are parsed by [`news_widget_api::wordpress`] into our
//! types as they arrive, and the ratings from our plugin's `news-widget/v1` routes
//! (`wordpress/news-widget.php`). WordPress pages comments by 100, oldest first; the widget
//! pages by top-level comments in either order, so a thread is read whole once (its pages
//! together) and paged here. Every request omits credentials: a reader signed in to the site
//! stays anonymous to the widget, and no cookie travels.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use gloo_net::http::{Request, RequestBuilder, Response};
use news_widget_api::wordpress::{
    autop, avatar, comment_text, given_root, root_from_link, route_url, Post, PostArticle, WpComment, WpError,
};
use news_widget_api::{
    Article, Comment, CommentInput, CommentPage, CommentState, CommentStatus, LangTag, PageSize, PostedComment,
    Problem, RatingInput, RatingSummary, SafeUrl, Slug, Sort, Stars, Timestamp, UrlPolicy, READER_TOKEN_HEADER,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use web_sys::RequestCredentials;

use super::rest::{json, within};
use super::{FetchError, Refusal};

/// The most pages of 100 comments one thread is read in.
const MAX_PAGES: u32 = 100;
/// The name of a commenter WordPress left blank.
const ANONYMOUS: &str = "Anonymous";

pub struct WordPress {
    /// `data-api` as given: the REST root, or the site's address.
    given: String,
    lang: LangTag,
    /// The REST root once found: `https://site/wp-json` or `https://site/?rest_route=`.
    root: RefCell<Option<String>>,
    /// The posts read, by slug.
    posts: RefCell<Vec<PostArticle>>,
    /// Each thread read whole, by slug: its approved comments, oldest first.
    threads: RefCell<Vec<(Slug, Rc<Vec<Comment>>)>>,
    /// Whether the site runs our plugin (its rating routes), once asked.
    plugin: std::cell::Cell<Option<bool>>,
}

impl std::fmt::Debug for WordPress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WordPress").field("given", &self.given).finish_non_exhaustive()
    }
}

/// Two are the same backend when they were given the same address and language.
impl PartialEq for WordPress {
    fn eq(&self, other: &Self) -> bool {
        self.given == other.given && self.lang == other.lang
    }
}

impl WordPress {
    pub fn new(given: String, lang: LangTag) -> Self {
        Self {
            given,
            lang,
            root: RefCell::default(),
            posts: RefCell::default(),
            threads: RefCell::default(),
            plugin: std::cell::Cell::default(),
        }
    }

    /// The address the page gave.
    pub fn given(&self) -> &str {
        &self.given
    }

    /// The REST root: the address given when it is one, else the one the site announces in its
    /// `Link` header, else `/wp-json` or `?rest_route=` tried in turn.
    async fn root(&self) -> Result<String, FetchError> {
        if let Some(root) = self.root.borrow().clone() {
            return Ok(root);
        }
        let found = self.discover().await?;
        *self.root.borrow_mut() = Some(found.clone());
        Ok(found)
    }

    async fn discover(&self) -> Result<String, FetchError> {
        let given = self.given.as_str();
        if let Some(root) = given_root(given) {
            return Ok(root);
        }
        let site = given.trim_end_matches('/');
        // Readable across origins only if the site exposes it; on the site itself, always.
        if let Ok(response) = get(site).send().await {
            if let Some(root) = response.headers().get("link").as_deref().and_then(root_from_link) {
                return Ok(root);
            }
        }
        for root in [format!("{site}/wp-json"), format!("{site}/?rest_route=")] {
            let index = get(&route_url(&root, "/", "")).send().await;
            if let Ok(response) = index {
                if response.ok() && response.text().await.is_ok_and(|t| t.contains("\"namespaces\"")) {
                    return Ok(root);
                }
            }
        }
        Err(FetchError::Network(format!(
            "no WordPress REST API found at {site} (tried its Link header, /wp-json/ and ?rest_route=/)"
        )))
    }

    async fn url(&self, route: &str, query: &str) -> Result<String, FetchError> {
        Ok(route_url(&self.root().await?, route, query))
    }

    /// The post (or else the page) of `slug`, read once.
    async fn post(&self, slug: &Slug) -> Result<PostArticle, FetchError> {
        if let Some(post) = self.posts.borrow().iter().find(|p| &p.article.slug == slug) {
            return Ok(post.clone());
        }
        let query = format!("slug={slug}&_embed=wp:featuredmedia,author");
        let mut found: Vec<Post> = read_json(get(&self.url("/wp/v2/posts", &query).await?).send().await).await?;
        if found.is_empty() {
            found = read_json(get(&self.url("/wp/v2/pages", &query).await?).send().await).await?;
        }
        let post =
            found.into_iter().next().ok_or(FetchError::Status { status: 404, problem: None, retry_after: None })?;
        let post = post.into_article(&self.lang).map_err(|e| FetchError::BadResponse(format!("the post: {e}")))?;
        self.posts.borrow_mut().push(post.clone());
        Ok(post)
    }

    pub async fn article(&self, slug: &Slug) -> Result<Article, FetchError> {
        Ok(super::article_arrived(self.post(slug).await?.article))
    }

    /// Whether the site runs our plugin: its namespace answers. Asked with a plain GET, since a
    /// site without the plugin refuses the reader token's header across origins (CORS), which
    /// would look like no network at all.
    async fn plugin(&self) -> Result<(), FetchError> {
        let present = match self.plugin.get() {
            Some(present) => present,
            None => {
                let response = get(&self.url("/news-widget/v1", "").await?).send().await;
                let present = match response {
                    Ok(r) => r.ok(),
                    Err(e) => return Err(FetchError::Network(e.to_string())),
                };
                self.plugin.set(Some(present));
                present
            }
        };
        if present {
            Ok(())
        } else {
            Err(unsupported("this WordPress site has no rating route: the news-widget plugin is not active"))
        }
    }

    /// The plugin's rating route; without the plugin, [`Refusal::Unsupported`].
    pub async fn rating(&self, slug: &Slug) -> Result<RatingSummary, FetchError> {
        self.plugin().await?;
        let url = self.url(&format!("/news-widget/v1/articles/{slug}/rating"), "").await?;
        let request = get(&url).header(READER_TOKEN_HEADER, &crate::reader::token()).build();
        rating_answer(request).await
    }

    pub async fn rate(&self, slug: &Slug, stars: Stars) -> Result<RatingSummary, FetchError> {
        self.plugin().await?;
        let url = self.url(&format!("/news-widget/v1/articles/{slug}/rating"), "").await?;
        let request = Request::put(&url)
            .credentials(RequestCredentials::Omit)
            .header("Accept", "application/json")
            .header(READER_TOKEN_HEADER, &crate::reader::token());
        rating_answer(json(request, &RatingInput { stars })).await
    }

    /// The approved comments of the post, oldest first: every page of 100, fetched together.
    async fn thread(&self, post: i64) -> Result<Vec<Comment>, FetchError> {
        let root = self.root().await?;
        let page_url =
            |n: u32| route_url(&root, "/wp/v2/comments", &format!("post={post}&per_page=100&order=asc&page={n}"));
        let first = get(&page_url(1)).send().await.map_err(|e| FetchError::Network(e.to_string()))?;
        let pages: u32 = first.headers().get("x-wp-totalpages").and_then(|v| v.trim().parse().ok()).unwrap_or(1);
        let mut raw: Vec<WpComment> = read_json(Ok(first)).await?;
        let mut rest: Vec<Pending<Result<Vec<WpComment>, FetchError>>> = Vec::new();
        for n in 2..=pages.min(MAX_PAGES) {
            let url = page_url(n);
            rest.push(Box::pin(async move { read_json(get(&url).send().await).await }));
        }
        for page in join_all(rest).await {
            raw.extend(page?);
        }
        let mut comments: Vec<Comment> = Vec::with_capacity(raw.len());
        for c in raw {
            let id = c.id;
            match c.into_comment(ANONYMOUS) {
                Ok(c) if comments.iter().all(|have| have.id != c.id) => comments.push(c),
                Ok(_) => {}
                Err(why) => {
                    web_sys::console::warn_1(&format!("news-widget: WordPress comment {id} left out: {why}").into())
                }
            }
        }
        // A reply whose parent is not shown (held, spam) stands at the top.
        let ids: Vec<i64> = comments.iter().map(|c| c.id).collect();
        for c in &mut comments {
            if c.parent_id.is_some_and(|p| !ids.contains(&p)) {
                c.parent_id = None;
            }
        }
        Ok(comments)
    }

    /// A page of top-level comments, each followed by its replies, oldest first. The first page
    /// reads the thread anew; "Load more" pages through what was read (`cursor`: how many
    /// top-level comments came before).
    pub async fn comments(
        &self,
        slug: &Slug,
        sort: Sort,
        size: PageSize,
        cursor: Option<&str>,
    ) -> Result<CommentPage, FetchError> {
        let post = self.post(slug).await?;
        let cached = cursor.and_then(|_| self.threads.borrow().iter().find(|(s, _)| s == slug).map(|(_, t)| t.clone()));
        let all = match cached {
            Some(all) => all,
            None => {
                let all = Rc::new(self.thread(post.id).await?);
                let mut threads = self.threads.borrow_mut();
                threads.retain(|(s, _)| s != slug);
                threads.push((slug.clone(), all.clone()));
                all
            }
        };
        let offset: usize = cursor.and_then(|c| c.parse().ok()).unwrap_or(0);
        let (comments, next) = page_of(&all, sort, offset, size.get() as usize);
        Ok(CommentPage {
            comments,
            next_cursor: next.map(|n| n.to_string()),
            total: all.len() as u64,
            closed: !post.comments_open,
            refused: Vec::new(),
        })
    }

    /// `POST /wp/v2/comments`. WordPress has no idempotency key, but refuses the same comment
    /// twice (`409 comment_duplicate`): a retry whose first try landed is that comment, sent.
    pub async fn post_comment(
        &self,
        slug: &Slug,
        input: &CommentInput,
        key: &str,
        timeout_ms: u32,
    ) -> Result<PostedComment, FetchError> {
        let post = self.post(slug).await?;
        if !post.comments_open {
            return Err(closed("comments are closed on this post"));
        }
        let body = NewWpComment {
            post: post.id,
            parent: input.parent_id.unwrap_or(0),
            author_name: &input.author_name,
            author_email: &input.author_email,
            author_url: input.author_url.as_deref().unwrap_or(""),
            content: &input.body,
        };
        let request = Request::post(&self.url("/wp/v2/comments", "").await?)
            .credentials(RequestCredentials::Omit)
            .header("Accept", "application/json");
        let answer = within(request, |r| json(r, &body), timeout_ms, read_wp::<WpComment>).await;
        match answer {
            Ok(c) => posted(c.into_comment(ANONYMOUS).map_err(FetchError::BadResponse)?),
            Err(FetchError::Status { status: 409, .. }) => self.landed_before(post.id, input, key).await,
            Err(e) => Err(e),
        }
    }

    /// The comment WordPress already has for `input`: the approved one that reads the same, or,
    /// when it is held (anonymous readers cannot see it), the comment as this reader wrote it,
    /// awaiting moderation.
    async fn landed_before(&self, post: i64, input: &CommentInput, key: &str) -> Result<PostedComment, FetchError> {
        let body = comment_text(&autop(&input.body));
        let url = self.url("/wp/v2/comments", &format!("post={post}&per_page=100&order=desc")).await?;
        let recent: Vec<WpComment> = read_json(get(&url).send().await).await.unwrap_or_default();
        let found = recent
            .into_iter()
            .filter_map(|c| c.into_comment(ANONYMOUS).ok())
            .find(|c| c.author_name == input.author_name.trim() && c.body == body);
        if let Some(found) = found {
            return posted(found);
        }
        let now = Timestamp::parse(&String::from(js_sys::Date::new_0().to_iso_string()))
            .map_err(|e| FetchError::BadResponse(e.to_string()))?;
        posted(Comment {
            id: local_id(key),
            parent_id: input.parent_id,
            author_name: input.author_name.trim().to_owned(),
            author_url: input.author_url.as_deref().and_then(|u| SafeUrl::parse(u, UrlPolicy::Web).ok()),
            avatar: avatar(input.author_name.trim()),
            body,
            created_at: now,
            edited_at: None,
            status: CommentStatus::Pending,
        })
    }

    /// WordPress has no time trap of ours.
    pub async fn form_token(&self, _slug: &Slug) -> Result<String, FetchError> {
        Ok(String::new())
    }

    /// Anonymous readers cannot edit on WordPress (the UI never offers it: no edit token).
    pub async fn edit_comment(&self, _id: i64, _token: &str, _body: &str) -> Result<Comment, FetchError> {
        Err(unsupported("WordPress lets no anonymous reader edit a comment"))
    }

    pub async fn delete_comment(&self, _id: i64, _token: &str) -> Result<(), FetchError> {
        Err(unsupported("WordPress lets no anonymous reader delete a comment"))
    }

    /// An approved comment reads as approved; WordPress tells anonymous readers nothing about a
    /// held, spam or trashed one, so it stays awaiting moderation on the author's device.
    pub async fn comment_state(&self, id: i64, _token: &str) -> Result<CommentState, FetchError> {
        let url = self.url(&format!("/wp/v2/comments/{id}"), "").await?;
        let answer: Result<WpComment, _> =
            read_wp(get(&url).send().await.map_err(|e| FetchError::Network(e.to_string()))?).await;
        let status = match answer {
            Ok(c) if c.status == "approved" => CommentStatus::Approved,
            Ok(_) | Err(FetchError::Status { status: 401 | 403 | 404, .. }) => CommentStatus::Pending,
            Err(e) => return Err(e),
        };
        Ok(CommentState { status, edit_pending: false })
    }

    pub async fn report_comment(&self, _id: i64, _reason: &str) -> Result<(), FetchError> {
        Err(unsupported("WordPress has no API to report a comment"))
    }
}

/// What `POST /wp/v2/comments` takes.
#[derive(Serialize)]
struct NewWpComment<'a> {
    post: i64,
    parent: i64,
    author_name: &'a str,
    author_email: &'a str,
    author_url: &'a str,
    content: &'a str,
}

/// A GET that sends no cookie.
fn get(url: &str) -> RequestBuilder {
    Request::get(url).credentials(RequestCredentials::Omit).header("Accept", "application/json")
}

fn posted(comment: Comment) -> Result<PostedComment, FetchError> {
    Ok(PostedComment {
        status: comment.status,
        // No edit token: WordPress lets no anonymous reader edit.
        edit_token: String::new(),
        edit_until: comment.created_at.clone(),
        comment,
    })
}

/// An id for a comment WordPress holds but did not name: above any WordPress id, below 2^53.
fn local_id(key: &str) -> i64 {
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    (1_i64 << 52) + (hash % (1 << 51)) as i64
}

fn closed(detail: &str) -> FetchError {
    FetchError::Refused { status: 403, reason: Refusal::Closed, detail: detail.to_owned() }
}

fn unsupported(detail: &str) -> FetchError {
    FetchError::Refused { status: 501, reason: Refusal::Unsupported, detail: detail.to_owned() }
}

/// The top-level comments `offset..offset + size` in `sort` order, each followed by its replies
/// (oldest first, as `all` is), and where the next page starts.
fn page_of(all: &[Comment], sort: Sort, offset: usize, size: usize) -> (Vec<Comment>, Option<usize>) {
    let mut tops: Vec<&Comment> = all.iter().filter(|c| c.parent_id.is_none()).collect();
    if sort == Sort::Newest {
        tops.reverse();
    }
    let mut page = Vec::new();
    for top in tops.iter().skip(offset).take(size) {
        page.push((*top).clone());
        // Oldest first, a reply comes after what it answers: one pass finds the whole thread.
        let mut thread = vec![top.id];
        for reply in all {
            if reply.parent_id.is_some_and(|p| thread.contains(&p)) {
                thread.push(reply.id);
                page.push(reply.clone());
            }
        }
    }
    let next = offset + size;
    (page, (next < tops.len()).then_some(next))
}

/// A request on its way.
type Pending<T> = Pin<Box<dyn Future<Output = T>>>;

/// Runs every future at once and answers their results in order.
async fn join_all<T>(mut futures: Vec<Pending<T>>) -> Vec<T> {
    let mut results: Vec<Option<T>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(move |cx| {
        let mut pending = false;
        for (future, result) in futures.iter_mut().zip(results.iter_mut()) {
            if result.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *result = Some(value),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(results.iter_mut().filter_map(Option::take).collect())
        }
    })
    .await
}

/// A JSON answer of WordPress's, or its error.
async fn read_json<T: DeserializeOwned>(response: Result<Response, gloo_net::Error>) -> Result<T, FetchError> {
    read_wp(response.map_err(|e| FetchError::Network(e.to_string()))?).await
}

/// The answer as a `T`, or WordPress's error code mapped to what the widget says.
async fn read_wp<T: DeserializeOwned>(response: Response) -> Result<T, FetchError> {
    let status = response.status();
    let text = response.text().await.map_err(|e| FetchError::Network(e.to_string()))?;
    if response.ok() {
        return crate::json::from_str(&text).map_err(FetchError::BadResponse);
    }
    let error: Option<WpError> = crate::json::from_str(&text).ok();
    let (code, message) = error.map(|e| (e.code, e.message)).unwrap_or_default();
    let retry_after = response.headers().get("retry-after").and_then(|v| v.trim().parse().ok());
    let reason = match code.as_str() {
        "rest_comment_closed" => Some(Refusal::Closed),
        "rest_comment_login_required" => {
            web_sys::console::error_1(
                &"news-widget: this WordPress site refuses anonymous comments (401 rest_comment_login_required). \
                  Site owner: activate the news-widget plugin (wordpress/news-widget.php), which turns on \
                  rest_allow_anonymous_comments."
                    .into(),
            );
            Some(Refusal::LoginRequired)
        }
        "comment_flood" => Some(Refusal::TooFast),
        "rest_comment_author_data_required" => Some(Refusal::AuthorRequired),
        _ => None,
    };
    match reason {
        Some(reason) => Err(FetchError::Refused { status, reason, detail: format!("{code}: {message}") }),
        None => Err(FetchError::Status { status, problem: Some(Problem::new(status, code, message)), retry_after }),
    }
}

/// The plugin's answer; a site without the plugin has no such route.
async fn rating_answer(request: Result<Request, gloo_net::Error>) -> Result<RatingSummary, FetchError> {
    let request = request.map_err(|e| FetchError::BadResponse(format!("the request could not be built: {e}")))?;
    let response = request.send().await.map_err(|e| FetchError::Network(e.to_string()))?;
    let status = response.status();
    if response.ok() {
        let text = response.text().await.map_err(|e| FetchError::Network(e.to_string()))?;
        return crate::json::from_str(&text).map_err(FetchError::BadResponse);
    }
    let text = response.text().await.unwrap_or_default();
    if crate::json::from_str::<WpError>(&text).is_ok_and(|e| e.code == "rest_no_route") {
        return Err(unsupported("this WordPress site has no rating route: the news-widget plugin is not active"));
    }
    let retry_after = response.headers().get("retry-after").and_then(|v| v.trim().parse().ok());
    Err(FetchError::Status { status, problem: crate::json::from_str(&text).ok(), retry_after })
}
