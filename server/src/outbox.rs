//! The outbox of the moderators' email alerts: rows queued in the same transaction as the
//! comment or report they are about ([`enqueue_for`]), hourly digests gathered from them, and
//! the worker that claims due rows (a lease, so two servers on one database never send one),
//! sends them, and retries failures with a doubling wait. A row is never deleted before it is
//! sent, and never sent again once `sent_at` is set.

use std::time::Duration;

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

use crate::admin::Admin;
use crate::error::ApiResult;
use crate::mail::{self, Alert, Item, MailConfig};
use crate::AppState;

/// How long a claimed row is the claimer's (ms): longer than an SMTP conversation may take.
const LEASE_MS: i64 = 120_000;

/// What an alert is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A comment held for review: a rule, the time trap, pre-moderation, or an edit under it.
    Comment,
    /// A reader's report of a published comment.
    Report,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Comment => "comment",
            Kind::Report => "report",
        }
    }
}

/// Queues an alert about comment `comment_id` for every enabled account whose mode is `each`
/// (an email) or `hourly` (an item of its next digest), inside the caller's transaction; an
/// account that has one unsent already for this comment gets no second. Nothing while no SMTP
/// server is configured. Call [`wake`] after the commit.
pub async fn enqueue_for(conn: &mut AnyConnection, state: &AppState, kind: Kind, comment_id: i64) -> sqlx::Result<()> {
    if state.mail.is_none() {
        return Ok(());
    }
    let now = state.clock.now_ms();
    sqlx::query(
        "INSERT INTO outbox (user_id, kind, comment_id, batch, created_at, due_at)
         SELECT u.id, $1, $2, CASE WHEN u.alerts = 'hourly' THEN 1 ELSE 0 END, $3, $3 FROM users u
         WHERE u.disabled = 0 AND u.alerts IN ('each', 'hourly') AND NOT EXISTS (
             SELECT 1 FROM outbox o WHERE o.user_id = u.id AND o.comment_id = $2 AND o.kind = $1
             AND o.sent_at IS NULL AND o.digest_id IS NULL)",
    )
    .bind(kind.as_str())
    .bind(comment_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Tells the worker that rows were queued (after their transaction committed).
pub fn wake(state: &AppState) {
    if state.mail.is_some() {
        state.outbox_wake.notify_one();
    }
}

/// Starts the worker, if an SMTP server is configured.
pub fn spawn(state: AppState) {
    let Some(config) = state.mail.clone() else { return };
    tokio::spawn(async move {
        let transport = match config.transport() {
            Ok(t) => t,
            Err(e) => {
                tracing::error!(error = %e, "email alerts: the SMTP transport cannot be built; no alert is sent");
                return;
            }
        };
        loop {
            if let Err(e) = make_digests(&state, &config).await {
                tracing::warn!(error = %e, "email alerts: making the digests failed");
            }
            loop {
                match claim(&state).await {
                    Ok(Some(row)) => deliver(&state, &config, &transport, row).await,
                    Ok(None) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "email alerts: reading the outbox failed");
                        break;
                    }
                }
            }
            let wait = next_wait(&state, &config).await;
            tokio::select! {
                _ = state.outbox_wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
    });
}

/// Until the next row is due, at most the poll interval.
async fn next_wait(state: &AppState, config: &MailConfig) -> Duration {
    let next: Option<(Option<i64>,)> = sqlx::query_as(
        "SELECT MIN(CASE WHEN due_at > COALESCE(claimed_until, 0) THEN due_at ELSE COALESCE(claimed_until, 0) END) FROM outbox WHERE sent_at IS NULL AND batch = 0",
    )
    .fetch_one(&state.db)
    .await
    .ok();
    match next.and_then(|(n,)| n) {
        Some(due) => {
            let ms = u64::try_from(due - state.clock.now_ms()).unwrap_or(0).max(10);
            config.poll.min(Duration::from_millis(ms))
        }
        None => config.poll,
    }
}

/// Gathers the waiting items of each `hourly` account whose digest is due (an interval after
/// its last one, or after its oldest item if it never had one) into a new `digest` row.
async fn make_digests(state: &AppState, config: &MailConfig) -> sqlx::Result<()> {
    let now = state.clock.now_ms();
    let every = i64::try_from(config.digest_every.as_millis()).unwrap_or(i64::MAX);
    let due: Vec<(i64,)> = sqlx::query_as(
        "SELECT u.id FROM users u WHERE u.alerts = 'hourly' AND u.disabled = 0
         AND EXISTS (SELECT 1 FROM outbox o WHERE o.user_id = u.id AND o.batch = 1 AND o.digest_id IS NULL)
         AND COALESCE(u.last_digest_at, (SELECT MIN(o.created_at) FROM outbox o
             WHERE o.user_id = u.id AND o.batch = 1 AND o.digest_id IS NULL)) + $1 <= $2",
    )
    .bind(every)
    .bind(now)
    .fetch_all(&state.db)
    .await?;
    for (user,) in due {
        let mut tx = crate::db::begin_write(&state.db).await?;
        let waiting: (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE user_id = $1 AND batch = 1 AND digest_id IS NULL")
                .bind(user)
                .fetch_one(&mut *tx)
                .await?;
        // Another server may have made it meanwhile.
        let mine = sqlx::query(
            "UPDATE users SET last_digest_at = $1 WHERE id = $2 AND (last_digest_at IS NULL OR last_digest_at + $3 <= $1)",
        )
        .bind(now)
        .bind(user)
        .bind(every)
        .execute(&mut *tx)
        .await?;
        if waiting.0 == 0 || mine.rows_affected() == 0 {
            continue;
        }
        let (digest,): (i64,) = sqlx::query_as(
            "INSERT INTO outbox (user_id, kind, created_at, due_at) VALUES ($1, 'digest', $2, $3) RETURNING id",
        )
        .bind(user)
        .bind(now)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("UPDATE outbox SET digest_id = $1 WHERE user_id = $2 AND batch = 1 AND digest_id IS NULL")
            .bind(digest)
            .bind(user)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Claimed {
    id: i64,
    user_id: i64,
    kind: String,
    comment_id: Option<i64>,
    attempts: i64,
}

/// Takes the next due row for [`LEASE_MS`].
///
/// The lease is checked again on the row the update locks, not only in the subquery: on
/// PostgreSQL two servers' subqueries can pick the same row at once, and the second update,
/// once the first commits, re-checks only the outer conditions on the row as the first left it.
async fn claim(state: &AppState) -> sqlx::Result<Option<Claimed>> {
    let now = state.clock.now_ms();
    sqlx::query_as(
        "UPDATE outbox SET claimed_until = $1 + $2 WHERE id = (
             SELECT id FROM outbox WHERE sent_at IS NULL AND batch = 0 AND due_at <= $1
             AND (claimed_until IS NULL OR claimed_until <= $1) ORDER BY due_at, id LIMIT 1)
         AND sent_at IS NULL AND (claimed_until IS NULL OR claimed_until <= $1)
         RETURNING id, user_id, kind, comment_id, attempts",
    )
    .bind(now)
    .bind(LEASE_MS)
    .fetch_optional(&state.db)
    .await
}

/// Marks row `id` (and the items of a digest) done; `note` says why it was not sent, if so.
async fn done(state: &AppState, id: i64, note: Option<&str>) -> sqlx::Result<()> {
    let now = state.clock.now_ms();
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE outbox SET sent_at = $1, claimed_until = NULL, last_error = COALESCE($2, last_error) WHERE id = $3 AND sent_at IS NULL")
        .bind(now)
        .bind(note)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE outbox SET sent_at = $1 WHERE digest_id = $2 AND sent_at IS NULL")
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

async fn deliver(
    state: &AppState,
    config: &MailConfig,
    transport: &lettre::AsyncSmtpTransport<lettre::Tokio1Executor>,
    row: Claimed,
) {
    let result = async {
        let user: Option<(String, i64)> = sqlx::query_as("SELECT email, disabled FROM users WHERE id = $1")
            .bind(row.user_id)
            .fetch_optional(&state.db)
            .await?;
        let Some((email, 0)) = user else {
            done(state, row.id, Some("not sent: the account is disabled")).await?;
            return Ok(());
        };
        let alert = match (row.kind.as_str(), row.comment_id) {
            ("digest", _) => {
                let items: Vec<(String, Option<i64>)> =
                    sqlx::query_as("SELECT kind, comment_id FROM outbox WHERE digest_id = $1 ORDER BY id")
                        .bind(row.id)
                        .fetch_all(&state.db)
                        .await?;
                let mut out = Vec::new();
                for (kind, comment) in items {
                    if let Some(item) = item(state, config, &row, &kind, comment.unwrap_or_default()).await? {
                        out.push(item);
                    }
                }
                (!out.is_empty()).then_some(Alert::Digest(out))
            }
            ("report", Some(c)) => item(state, config, &row, "report", c).await?.map(Alert::Report),
            (_, Some(c)) => item(state, config, &row, "comment", c).await?.map(Alert::Comment),
            _ => None,
        };
        let Some(alert) = alert else {
            done(state, row.id, Some("not sent: decided before it was sent")).await?;
            return Ok(());
        };
        let message = mail::message(config, row.id, &email, &alert).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
        match mail::send(transport, message).await {
            Ok(()) => {
                done(state, row.id, None).await?;
                tracing::info!(outbox = row.id, user = row.user_id, kind = %row.kind, "email alert sent");
            }
            Err(error) => {
                let attempts = row.attempts + 1;
                let wait = i64::try_from(config.backoff_after(attempts).as_millis()).unwrap_or(i64::MAX);
                tracing::warn!(outbox = row.id, attempts, error = %error, "email alert not sent; it will be retried");
                sqlx::query(
                    "UPDATE outbox SET attempts = $1, last_error = $2, due_at = $3, claimed_until = NULL WHERE id = $4 AND sent_at IS NULL",
                )
                .bind(attempts)
                .bind(&error)
                .bind(state.clock.now_ms().saturating_add(wait))
                .bind(row.id)
                .execute(&state.db)
                .await?;
            }
        }
        Ok::<_, sqlx::Error>(())
    }
    .await;
    if let Err(e) = result {
        tracing::warn!(outbox = row.id, error = %e, "email alert failed");
    }
}

#[derive(sqlx::FromRow)]
struct CommentRow {
    article_slug: String,
    author_name: String,
    body: String,
    status: String,
    held_reason: Option<String>,
    edit: i64,
    article: String,
}

/// What an alert says of comment `comment_id`, with this account's links; None when it no
/// longer awaits a decision of this kind (decided meanwhile, or deleted).
async fn item(
    state: &AppState,
    config: &MailConfig,
    row: &Claimed,
    kind: &str,
    comment_id: i64,
) -> sqlx::Result<Option<Item>> {
    let found: Option<CommentRow> = sqlx::query_as(
        "SELECT c.article_slug, c.author_name, COALESCE(c.pending_body, c.body) AS body, c.status, c.held_reason,
             CASE WHEN c.pending_body IS NOT NULL THEN 1 ELSE 0 END AS edit, a.data AS article
         FROM comments c JOIN articles a ON a.slug = c.article_slug WHERE c.id = $1",
    )
    .bind(comment_id)
    .fetch_optional(&state.db)
    .await?;
    let Some(c) = found else { return Ok(None) };
    let why = match kind {
        "report" if c.status == "approved" => {
            let reasons: Vec<(String,)> = sqlx::query_as(
                "SELECT reason FROM comment_reports WHERE comment_id = $1 ORDER BY created_at, reason LIMIT 20",
            )
            .bind(comment_id)
            .fetch_all(&state.db)
            .await?;
            let list: Vec<String> = reasons.into_iter().map(|(r,)| format!("  - {r}")).collect();
            format!("Reported by readers ({}):\n{}", list.len(), list.join("\n"))
        }
        "comment" if c.edit == 1 => {
            "Waiting: an edit of a published comment (pre-moderation); readers see the old text meanwhile.".to_owned()
        }
        "comment" if c.status == "pending" => match &c.held_reason {
            Some(reasons) => format!("Held by: {reasons}"),
            None => "Waiting: pre-moderation (every new comment waits for a moderator).".to_owned(),
        },
        _ => return Ok(None),
    };
    let title = serde_json::from_str::<serde_json::Value>(&c.article)
        .ok()
        .and_then(|a| a["title"].as_str().map(str::to_owned))
        .unwrap_or_else(|| c.article_slug.clone());
    let approve = crate::act::link(state, config, row.id, row.user_id, comment_id, "approve").await?;
    let reject = crate::act::link(state, config, row.id, row.user_id, comment_id, "reject").await?;
    Ok(Some(Item {
        comment_id,
        article_title: title,
        article_slug: c.article_slug,
        author_name: c.author_name,
        body: c.body,
        why,
        approve,
        reject,
    }))
}

/// What the outbox holds, for operators.
#[derive(Serialize, Deserialize, utoipa::ToSchema)]
pub struct OutboxCounts {
    /// Whether an SMTP server is configured (else nothing is queued).
    pub enabled: bool,
    /// Emails to send, not tried yet.
    pub pending: i64,
    /// Emails whose sending failed, to be retried (they are never given up).
    pub failed: i64,
    /// Emails sent (or, for a comment decided before, done without sending).
    pub sent: i64,
    /// Items gathered for hourly digests not made yet.
    pub waiting_for_digest: i64,
    /// The error of the latest failed email still to send.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

/// The outbox of the email alerts: counts (admins only).
#[utoipa::path(get, path = "/api/v1/admin/outbox", tag = "accounts", security(("admin_token" = [])),
    responses((status = 200, body = OutboxCounts), (status = 401, body = news_widget_api::Problem, content_type = "application/problem+json"),
              (status = 403, body = news_widget_api::Problem, content_type = "application/problem+json")))]
pub async fn counts(_admin: Admin, State(state): State<AppState>) -> ApiResult<Json<OutboxCounts>> {
    let (pending, failed, sent, waiting): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT
             COUNT(*) FILTER (WHERE sent_at IS NULL AND batch = 0 AND attempts = 0),
             COUNT(*) FILTER (WHERE sent_at IS NULL AND batch = 0 AND attempts > 0),
             COUNT(*) FILTER (WHERE sent_at IS NOT NULL AND batch = 0),
             COUNT(*) FILTER (WHERE sent_at IS NULL AND batch = 1 AND digest_id IS NULL)
         FROM outbox",
    )
    .fetch_one(&state.db)
    .await?;
    let last_error: Option<(Option<String>,)> =
        sqlx::query_as("SELECT last_error FROM outbox WHERE sent_at IS NULL AND attempts > 0 ORDER BY id DESC LIMIT 1")
            .fetch_optional(&state.db)
            .await?;
    Ok(Json(OutboxCounts {
        enabled: state.mail.is_some(),
        pending,
        failed,
        sent,
        waiting_for_digest: waiting,
        last_error: last_error.and_then(|(e,)| e),
    }))
}
