//! Per-client rate limits (comments, reports, failed admin logins), keyed by [`rate_key`]
//! (an IPv4 address or an IPv6 /64), with state pruned so it stays bounded.
//!
//! On SQLite (one process) the state is governor's, in memory. On PostgreSQL, where several
//! instances serve one site, it is shared through the database: the same algorithm (GCRA: a
//! "theoretical arrival time" per client, moved on by one emission interval per request) in the
//! table `rate_limits`, on the database's clock, one atomic upsert per check.
//!
//! [`rate_key`]: crate::client::rate_key

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::db::{Db, Engine};
use crate::error::{ApiError, ApiResult};

pub struct Limiter {
    /// Its rows' name in `rate_limits` (PostgreSQL).
    name: &'static str,
    quota: Quota,
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
    message: &'static str,
}

impl Limiter {
    /// `per_minute` a minute from one client, after a first burst of `burst`.
    pub fn per_minute(name: &'static str, per_minute: u32, burst: u32, message: &'static str) -> Self {
        let one = NonZeroU32::MIN;
        let quota = Quota::per_minute(NonZeroU32::new(per_minute).unwrap_or(one))
            .allow_burst(NonZeroU32::new(burst).unwrap_or(one));
        Self::new(name, quota, message)
    }

    /// `count` in each `period` from one client.
    pub fn per_period(name: &'static str, count: u32, period: Duration, message: &'static str) -> Self {
        let count = NonZeroU32::new(count).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(period / count.get()).unwrap_or(Quota::per_minute(count)).allow_burst(count);
        Self::new(name, quota, message)
    }

    fn new(name: &'static str, quota: Quota, message: &'static str) -> Self {
        Self { name, quota, limiter: RateLimiter::keyed(quota), clock: DefaultClock::default(), message }
    }

    fn refusal(&self, not_until: governor::NotUntil<governor::clock::QuantaInstant>) -> ApiError {
        let wait = not_until.wait_time_from(self.clock.now());
        ApiError::too_many(self.message, wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
    }

    /// Takes one from `key`'s allowance, or answers 429 with the seconds to wait: in this
    /// process on SQLite, across every instance on PostgreSQL.
    pub async fn check(&self, db: &Db, key: IpAddr) -> ApiResult<()> {
        match Engine::of_pool(db) {
            Engine::Sqlite => self.limiter.check_key(&key).map_err(|n| self.refusal(n)),
            Engine::Postgres => self.check_shared(db, key).await,
        }
    }

    /// GCRA in `rate_limits`: the request is let through if, moved on by one interval, the
    /// client's arrival time stays within the burst's reach of now (nanoseconds of the database's
    /// clock, so that a quota of many a minute does not round to nothing).
    async fn check_shared(&self, db: &Db, key: IpAddr) -> ApiResult<()> {
        let interval = nanos(self.quota.replenish_interval());
        let reach = interval.saturating_mul(i64::from(self.quota.burst_size().get()));
        let key = key.to_string();
        let taken: Option<(i64,)> = sqlx::query_as(&format!(
            "INSERT INTO rate_limits (name, key, tat) VALUES ($1, $2, {NOW} + $3)
             ON CONFLICT (name, key) DO UPDATE SET tat = GREATEST(rate_limits.tat, {NOW}) + $3
                 WHERE GREATEST(rate_limits.tat, {NOW}) + $3 - {NOW} <= $4
             RETURNING tat"
        ))
        .bind(self.name)
        .bind(&key)
        .bind(interval)
        .bind(reach)
        .fetch_optional(db)
        .await?;
        if taken.is_some() {
            return Ok(());
        }
        let (late,): (i64,) =
            sqlx::query_as(&format!("SELECT tat + $3 - {NOW} - $4 FROM rate_limits WHERE name = $1 AND key = $2"))
                .bind(self.name)
                .bind(&key)
                .bind(interval)
                .bind(reach)
                .fetch_one(db)
                .await?;
        let wait_s = u64::try_from(late.max(1)).unwrap_or(1).div_ceil(1_000_000_000);
        Err(ApiError::too_many(self.message, wait_s))
    }

    /// Forgets clients whose allowance is full again, so the state holds only recent clients.
    pub async fn prune(&self, db: &Db) -> sqlx::Result<()> {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
        if Engine::of_pool(db) == Engine::Postgres {
            sqlx::query(&format!("DELETE FROM rate_limits WHERE name = $1 AND tat < {NOW}"))
                .bind(self.name)
                .execute(db)
                .await?;
        }
        Ok(())
    }
}

/// The statement's time on the database's clock, in Unix nanoseconds (PostgreSQL).
const NOW: &str = "CAST(extract(epoch FROM statement_timestamp()) * 1000000000 AS BIGINT)";

fn nanos(d: Duration) -> i64 {
    i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)
}
