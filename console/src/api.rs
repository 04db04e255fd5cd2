//! Every request the console makes, typed: the session, the queues, the people, the articles,
//! the rules and the alerts. Cookies go along (same origin); POST, PUT and DELETE carry the
//! session's CSRF token. A refusal is the server's problem+json, kept whole for the view to
//! show in place.

use gloo_net::http::{Request, RequestBuilder};
use news_widget_api::admin::{
    AlertPrefs, ArticleSummary, BanState, BulkInput, BulkResult, DecisionInput, HistoryEntry, ModerationInput, Note,
    NoteInput, Person, PersonBanInput, Queue, QueuePage,
};
use news_widget_api::{FieldError, Problem};
use serde::de::DeserializeOwned;
use serde::Serialize;
use web_sys::RequestCredentials;

use crate::json;

const BASE: &str = "/api/v1/admin";

/// The signed-in moderator, as `GET`/`POST /api/v1/admin/session` answer.
pub use news_widget_api::admin::SessionInfo as Session;

/// Whether `session` is an admin's (who also manages rules, articles and the audit export).
pub fn is_admin(session: &Session) -> bool {
    session.role == news_widget_api::admin::Role::Admin
}

/// A refused or failed request: the server's problem, or a network failure as one (status 0).
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub detail: String,
    pub errors: Vec<FieldError>,
    /// A 429's Retry-After, in seconds.
    pub retry_after: Option<u64>,
}

impl ApiError {
    fn network(detail: String) -> Self {
        Self {
            status: 0,
            detail: format!("The server cannot be reached ({detail}). Try again."),
            errors: Vec::new(),
            retry_after: None,
        }
    }

    /// The sentence to show: a 429's with its wait.
    pub fn message(&self) -> String {
        if self.status == 429 {
            crate::text::wait(&self.detail, self.retry_after)
        } else {
            self.detail.clone()
        }
    }

    /// The message of the error on `field` (or on one of its entries: `hold_words[2]`).
    pub fn field(&self, field: &str) -> Option<String> {
        let found: Vec<String> = self
            .errors
            .iter()
            .filter(|e| crate::text::field_of(&e.field) == field)
            .map(|e| if e.field == field { e.message.clone() } else { format!("{}: {}", e.field, e.message) })
            .collect();
        (!found.is_empty()).then(|| found.join("; "))
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The moderation rules (`/api/v1/admin/rules`).
pub use news_widget_api::admin::Rules;

#[derive(Serialize)]
struct Login<'a> {
    email: &'a str,
    password: &'a str,
}

#[derive(Serialize)]
struct Setup<'a> {
    token: &'a str,
    password: &'a str,
}

#[derive(Serialize)]
struct Closed {
    closed: bool,
}

/// `s` with every character but letters, digits and `-_.~` percent-encoded, for a query or a path.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

async fn send(builder: RequestBuilder, body: Option<String>) -> ApiResult<gloo_net::http::Response> {
    let builder = builder.credentials(RequestCredentials::SameOrigin).header("Accept", "application/json");
    let request = match body {
        Some(body) => builder.header("Content-Type", "application/json").body(body),
        None => builder.build(),
    }
    .map_err(|e| ApiError::network(e.to_string()))?;
    let response = request.send().await.map_err(|e| ApiError::network(e.to_string()))?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let retry_after = response.headers().get("Retry-After").and_then(|s| s.trim().parse().ok());
    let text = response.text().await.unwrap_or_default();
    let problem: Option<Problem> = json::from_str(&text).ok();
    Err(match problem {
        Some(p) => ApiError {
            status,
            detail: if p.detail.is_empty() { p.title } else { p.detail },
            errors: p.errors,
            retry_after,
        },
        None => ApiError {
            status,
            detail: format!("The server answered {status} {}.", response.status_text()),
            errors: Vec::new(),
            retry_after,
        },
    })
}

async fn read<T: DeserializeOwned>(response: gloo_net::http::Response) -> ApiResult<T> {
    let text = response.text().await.map_err(|e| ApiError::network(e.to_string()))?;
    json::from_str(&text).map_err(|e| ApiError {
        status: response.status(),
        detail: format!("The server's answer is not understood: {e}"),
        errors: Vec::new(),
        retry_after: None,
    })
}

fn body<T: Serialize>(value: &T) -> ApiResult<Option<String>> {
    json::to_string(value).map(Some).map_err(ApiError::network)
}

fn get(path: &str) -> RequestBuilder {
    Request::get(&format!("{BASE}{path}"))
}

fn with_csrf(builder: RequestBuilder, session: &Session) -> RequestBuilder {
    builder.header("X-CSRF-Token", &session.csrf_token)
}

fn post(session: &Session, path: &str) -> RequestBuilder {
    with_csrf(Request::post(&format!("{BASE}{path}")), session)
}

fn put(session: &Session, path: &str) -> RequestBuilder {
    with_csrf(Request::put(&format!("{BASE}{path}")), session)
}

fn delete(session: &Session, path: &str) -> RequestBuilder {
    with_csrf(Request::delete(&format!("{BASE}{path}")), session)
}

pub async fn sign_in(email: &str, password: &str) -> ApiResult<Session> {
    read(send(Request::post(&format!("{BASE}/session")), body(&Login { email, password })?).await?).await
}

/// Sets the password of the account a one-time setup link names (`204`; a used or expired
/// link is a 410, a short password a 422 on `password`). No session: the link is the credential.
pub async fn setup(token: &str, password: &str) -> ApiResult<()> {
    send(Request::post(&format!("{BASE}/setup")), body(&Setup { token, password })?).await.map(drop)
}

/// Who is signed in; `Ok(None)` when no one is (401).
pub async fn whoami() -> ApiResult<Option<Session>> {
    match send(get("/session"), None).await {
        Ok(response) => read(response).await.map(Some),
        Err(e) if e.status == 401 => Ok(None),
        Err(e) => Err(e),
    }
}

pub async fn sign_out(session: &Session) -> ApiResult<()> {
    send(delete(session, "/session"), None).await.map(drop)
}

/// What the queue view searches for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Search {
    pub q: String,
    pub author: String,
    pub article: String,
}

pub async fn queue(queue: Queue, search: &Search, before: Option<i64>) -> ApiResult<QueuePage> {
    let mut path = format!("/queue?queue={}", queue.as_str());
    for (name, value) in [("q", &search.q), ("author", &search.author), ("article", &search.article)] {
        if !value.trim().is_empty() {
            path.push_str(&format!("&{name}={}", encode(value.trim())));
        }
    }
    if let Some(before) = before {
        path.push_str(&format!("&before={before}"));
    }
    read(send(get(&path), None).await?).await
}

pub async fn decide(session: &Session, id: i64, approve: bool, reason: Option<String>) -> ApiResult<()> {
    let action = if approve { "approve" } else { "reject" };
    send(post(session, &format!("/comments/{id}/{action}")), body(&DecisionInput { reason })?).await.map(drop)
}

pub async fn bulk(session: &Session, input: &BulkInput) -> ApiResult<BulkResult> {
    read(send(post(session, "/comments/bulk"), body(input)?).await?).await
}

pub async fn history(id: i64) -> ApiResult<Vec<HistoryEntry>> {
    read(send(get(&format!("/comments/{id}/history")), None).await?).await
}

pub async fn person(person: &str) -> ApiResult<Person> {
    read(send(get(&format!("/people/{}", encode(person))), None).await?).await
}

pub async fn add_note(session: &Session, person: &str, text: String) -> ApiResult<Note> {
    let path = format!("/people/{}/notes", encode(person));
    read(send(post(session, &path), body(&NoteInput { text })?).await?).await
}

pub async fn ban(session: &Session, person: &str, input: &PersonBanInput) -> ApiResult<BanState> {
    read(send(post(session, &format!("/people/{}/ban", encode(person))), body(input)?).await?).await
}

pub async fn unban(session: &Session, person: &str) -> ApiResult<()> {
    send(delete(session, &format!("/people/{}/ban", encode(person))), None).await.map(drop)
}

pub async fn reject_all(session: &Session, person: &str, reason: Option<String>) -> ApiResult<BulkResult> {
    let path = format!("/people/{}/reject-all", encode(person));
    read(send(post(session, &path), body(&DecisionInput { reason })?).await?).await
}

pub async fn reveal_email(session: &Session, person: &str) -> ApiResult<String> {
    let path = format!("/people/{}/email", encode(person));
    read::<news_widget_api::admin::PersonEmail>(send(post(session, &path), None).await?).await.map(|e| e.email)
}

pub async fn articles() -> ApiResult<Vec<ArticleSummary>> {
    read(send(get("/articles"), None).await?).await
}

pub async fn set_closed(session: &Session, slug: &str, closed: bool) -> ApiResult<()> {
    let path = format!("/articles/{}/comments", encode(slug));
    send(put(session, &path), body(&Closed { closed })?).await.map(drop)
}

pub async fn set_moderation(session: &Session, slug: &str, input: &ModerationInput) -> ApiResult<ArticleSummary> {
    let path = format!("/articles/{}/moderation", encode(slug));
    read(send(put(session, &path), body(input)?).await?).await
}

pub async fn rules() -> ApiResult<Rules> {
    read(send(get("/rules"), None).await?).await
}

pub async fn save_rules(session: &Session, rules: &Rules) -> ApiResult<Rules> {
    let response = send(put(session, "/rules"), body(rules)?).await?;
    if response.status() == 204 {
        return Ok(rules.clone());
    }
    read(response).await
}

pub async fn alerts() -> ApiResult<AlertPrefs> {
    read(send(get("/me/alerts"), None).await?).await
}

pub async fn save_alerts(session: &Session, prefs: &AlertPrefs) -> ApiResult<()> {
    send(put(session, "/me/alerts"), body(prefs)?).await.map(drop)
}

/// The audit export's address (a plain link: the browser downloads it with the cookie).
pub const AUDIT_CSV: &str = "/api/v1/admin/audit.csv";
