//! Our server's REST API.

use gloo_net::http::{Request, RequestBuilder, Response};
use news_widget_api::{
    Article, Comment, CommentEdit, CommentInput, CommentPage, CommentState, FormToken, PageSize, PostedComment,
    Problem, RatingInput, RatingSummary, Report, Slug, Sort, Stars, EDIT_TOKEN_HEADER, IDEMPOTENCY_KEY_HEADER,
    READER_TOKEN_HEADER,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::future::Future;

use super::FetchError;

#[derive(Debug, PartialEq)]
pub struct Rest {
    /// Absolute base URL of the API, no trailing slash.
    pub base: String,
}

impl Rest {
    pub async fn article(&self, slug: &Slug) -> Result<Article, FetchError> {
        Ok(super::article_arrived(self.get(&format!("/articles/{slug}")).await?))
    }

    /// The article's reader rating, with this reader's own vote.
    pub async fn rating(&self, slug: &Slug) -> Result<RatingSummary, FetchError> {
        let request = Request::get(&self.url(&format!("/articles/{slug}/rating")))
            .header("Accept", "application/json")
            .header(READER_TOKEN_HEADER, &crate::reader::token());
        send(request.build()).await
    }

    /// Casts or changes this reader's vote.
    pub async fn rate(&self, slug: &Slug, stars: Stars) -> Result<RatingSummary, FetchError> {
        let request = Request::put(&self.url(&format!("/articles/{slug}/rating")))
            .header("Accept", "application/json")
            .header(READER_TOKEN_HEADER, &crate::reader::token());
        send(json(request, &RatingInput { stars })).await
    }

    /// A page of the article's comments.
    pub async fn comments(
        &self,
        slug: &Slug,
        sort: Sort,
        size: PageSize,
        cursor: Option<&str>,
    ) -> Result<CommentPage, FetchError> {
        let mut url = format!("/articles/{slug}/comments?sort={}", sort.as_str());
        if size != PageSize::default() {
            url.push_str(&format!("&limit={}", size.get()));
        }
        if let Some(cursor) = cursor {
            url.push_str("&cursor=");
            url.push_str(&String::from(js_sys::encode_uri_component(cursor)));
        }
        self.get(&url).await
    }

    /// Posts a comment; the same `key` never stores it twice. No answer within `timeout_ms` is a
    /// network error (the request is aborted: a stalled connection is not kept).
    pub async fn post_comment(
        &self,
        slug: &Slug,
        input: &CommentInput,
        key: &str,
        timeout_ms: u32,
    ) -> Result<PostedComment, FetchError> {
        let request = Request::post(&self.url(&format!("/articles/{slug}/comments")))
            .header("Accept", "application/json")
            .header(IDEMPOTENCY_KEY_HEADER, key);
        send_within(request, |r| json(r, input), timeout_ms).await
    }

    /// A signed form token: the server reads from it when the form was shown.
    pub async fn form_token(&self, slug: &Slug) -> Result<String, FetchError> {
        let token: FormToken = self.get(&format!("/articles/{slug}/form-token")).await?;
        Ok(token.token)
    }

    pub async fn edit_comment(&self, id: i64, edit_token: &str, body: &str) -> Result<Comment, FetchError> {
        let request = Request::patch(&self.url(&format!("/comments/{id}"))).header(EDIT_TOKEN_HEADER, edit_token);
        send_within(request, |r| json(r, &CommentEdit { body: body.to_owned() }), WRITE_TIMEOUT_MS).await
    }

    pub async fn delete_comment(&self, id: i64, edit_token: &str) -> Result<(), FetchError> {
        let request =
            Request::delete(&self.url(&format!("/comments/{id}"))).header(EDIT_TOKEN_HEADER, edit_token).build();
        send_empty(request).await
    }

    /// `GET /comments/{id}/status` with the comment's edit token.
    pub async fn comment_state(&self, id: i64, edit_token: &str) -> Result<CommentState, FetchError> {
        let request = Request::get(&self.url(&format!("/comments/{id}/status")))
            .header("Accept", "application/json")
            .header(EDIT_TOKEN_HEADER, edit_token)
            .build();
        send(request).await
    }

    pub async fn report_comment(&self, id: i64, reason: &str) -> Result<(), FetchError> {
        let request = Request::post(&self.url(&format!("/comments/{id}/report")));
        send_empty(json(request, &Report { reason: reason.to_owned() })).await
    }

    /// Whether a server answers at all: anything but a 404 from its health route, or no answer
    /// within 10 s (a slow server is still a server). See [`super::Backend::probe`].
    pub async fn present(&self) -> bool {
        let asked = async {
            let request = Request::get(&self.url("/health")).build().map_err(|e| e.to_string())?;
            request.send().await.map(|r| r.status()).map_err(|e| e.to_string())
        };
        let deadline = gloo_timers::future::TimeoutFuture::new(10_000);
        match first_of(std::pin::pin!(asked), std::pin::pin!(deadline)).await {
            Some(Ok(404)) | Some(Err(_)) => false,
            Some(Ok(_)) | None => true,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, FetchError> {
        send(Request::get(&self.url(path)).header("Accept", "application/json").build()).await
    }
}

/// The request with `body` as its JSON body.
pub(super) fn json<T: Serialize>(
    request: RequestBuilder,
    body: &T,
) -> Result<gloo_net::http::Request, gloo_net::Error> {
    let text = crate::json::to_string(body).map_err(gloo_net::Error::GlooError)?;
    request.header("Content-Type", "application/json").body(text)
}

/// The answer's body as a `T`; `None` if it is not one (a proxy's HTML error page).
pub(super) async fn body<T: DeserializeOwned>(response: &Response) -> Option<T> {
    crate::json::from_str(&response.text().await.ok()?).ok()
}

/// Sends a request built by gloo-net and reads the answer as `T` or as a problem.
async fn send<T: DeserializeOwned>(request: Result<gloo_net::http::Request, gloo_net::Error>) -> Result<T, FetchError> {
    let request = request.map_err(|e| FetchError::BadResponse(format!("the request could not be built: {e}")))?;
    let response = request.send().await.map_err(|e| FetchError::Network(e.to_string()))?;
    read(response).await
}

/// How long a write may take before the widget says so and keeps the text for a retry.
pub const WRITE_TIMEOUT_MS: u32 = 15_000;

/// Builds the request with `build` and sends it, giving up after `timeout_ms` as a network error:
/// the fetch is then aborted, so a stalled connection does not keep one of the browser's few
/// connections to the host while the retry opens another.
pub(super) async fn send_within<T: DeserializeOwned>(
    builder: RequestBuilder,
    build: impl FnOnce(RequestBuilder) -> Result<gloo_net::http::Request, gloo_net::Error>,
    timeout_ms: u32,
) -> Result<T, FetchError> {
    within(builder, build, timeout_ms, read).await
}

/// [`send_within`], with the answer read by `read`.
pub(super) async fn within<T, F: Future<Output = Result<T, FetchError>>>(
    builder: RequestBuilder,
    build: impl FnOnce(RequestBuilder) -> Result<gloo_net::http::Request, gloo_net::Error>,
    timeout_ms: u32,
    read: impl FnOnce(Response) -> F,
) -> Result<T, FetchError> {
    let abort = web_sys::AbortController::new().ok();
    let builder = builder.abort_signal(abort.as_ref().map(|a| a.signal()).as_ref());
    let request =
        build(builder).map_err(|e| FetchError::BadResponse(format!("the request could not be built: {e}")))?;
    let sent = std::pin::pin!(async move {
        let response = request.send().await.map_err(|e| FetchError::Network(e.to_string()))?;
        read(response).await
    });
    let timeout = std::pin::pin!(gloo_timers::future::TimeoutFuture::new(timeout_ms));
    match first_of(sent, timeout).await {
        Some(result) => result,
        None => {
            if let Some(abort) = abort {
                abort.abort();
            }
            Err(FetchError::Network(format!("no answer within {timeout_ms} ms")))
        }
    }
}

/// The first of `work` and `timeout` to finish: `Some(result)`, or `None` on timeout.
pub(super) async fn first_of<T>(
    mut work: std::pin::Pin<&mut impl Future<Output = T>>,
    mut timeout: std::pin::Pin<&mut gloo_timers::future::TimeoutFuture>,
) -> Option<T> {
    std::future::poll_fn(|cx| {
        if let std::task::Poll::Ready(v) = work.as_mut().poll(cx) {
            return std::task::Poll::Ready(Some(v));
        }
        timeout.as_mut().poll(cx).map(|()| None)
    })
    .await
}

async fn send_empty(request: Result<gloo_net::http::Request, gloo_net::Error>) -> Result<(), FetchError> {
    let request = request.map_err(|e| FetchError::BadResponse(format!("the request could not be built: {e}")))?;
    let response = request.send().await.map_err(|e| FetchError::Network(e.to_string()))?;
    if response.ok() {
        return Ok(());
    }
    let status = response.status();
    let retry_after = response.headers().get("retry-after").and_then(|v| v.trim().parse().ok());
    Err(FetchError::Status { status, problem: body::<Problem>(&response).await, retry_after })
}

pub(super) async fn read<T: DeserializeOwned>(response: Response) -> Result<T, FetchError> {
    let status = response.status();
    if !response.ok() {
        let retry_after = response.headers().get("retry-after").and_then(|v| v.trim().parse().ok());
        let problem = body::<Problem>(&response).await;
        return Err(FetchError::Status { status, problem, retry_after });
    }
    let text = response.text().await.map_err(|e| FetchError::Network(e.to_string()))?;
    crate::json::from_str(&text).map_err(FetchError::BadResponse)
}
