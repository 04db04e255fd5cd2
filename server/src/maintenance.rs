//! Upkeep in the background: expired idempotency keys (and the honeypot posts kept only for
//! their replays) are purged, and rate-limit state forgets clients whose allowance is full again.

use std::time::Duration;

use crate::db::Db;
use crate::AppState;

/// How long an Idempotency-Key is remembered: a retry comes within minutes, a day is plenty.
pub const KEY_LIFETIME_HOURS: u32 = 24;
/// How often the upkeep runs.
pub const EVERY: Duration = Duration::from_secs(600);

/// Deletes idempotency keys older than [`KEY_LIFETIME_HOURS`], the honeypot posts and the live
/// update events as old;
/// answers how many keys went.
pub async fn purge(db: &Db) -> sqlx::Result<u64> {
    let age = format!("-{KEY_LIFETIME_HOURS} hours");
    let keys = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', $1)")
        .bind(&age)
        .execute(db)
        .await?;
    sqlx::query(
        "DELETE FROM comments WHERE held_reason = 'honeypot' AND created_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', $1)",
    )
    .bind(&age)
    .execute(db)
    .await?;
    // Live updates are for readers on the page now; a reader back after a day reloads.
    sqlx::query("DELETE FROM article_events WHERE at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', $1)")
        .bind(&age)
        .execute(db)
        .await?;
    Ok(keys.rows_affected())
}

/// One round of upkeep.
pub async fn run_once(state: &AppState) {
    match purge(&state.db).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(keys = n, "purged expired idempotency keys"),
        Err(e) => tracing::warn!(error = %e, "purging idempotency keys failed"),
    }
    match crate::accounts::purge(&state.db, state.clock.now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(sessions = n, "purged expired sessions"),
        Err(e) => tracing::warn!(error = %e, "purging sessions failed"),
    }
    for limiter in [&state.comment_limiter, &state.report_limiter] {
        if let Err(e) = limiter.prune(&state.db).await {
            tracing::warn!(error = %e, "pruning the rate limits failed");
        }
    }
    state.admin_failures.prune();
}

/// Runs the upkeep now and every [`EVERY`] while the server lives.
pub fn spawn(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tick.tick().await;
            run_once(&state).await;
        }
    });
}
