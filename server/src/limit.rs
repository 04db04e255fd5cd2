//! Per-client rate limits (comments, reports, failed admin logins), keyed by [`rate_key`]
//! (an IPv4 address or an IPv6 /64), with state pruned so it stays bounded.
//!
//! [`rate_key`]: crate::client::rate_key

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::{ApiError, ApiResult};

pub struct Limiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
    message: &'static str,
}

impl Limiter {
    /// `per_minute` a minute from one client, after a first burst of `burst`.
    pub fn per_minute(per_minute: u32, burst: u32, message: &'static str) -> Self {
        let one = NonZeroU32::MIN;
        let quota = Quota::per_minute(NonZeroU32::new(per_minute).unwrap_or(one))
            .allow_burst(NonZeroU32::new(burst).unwrap_or(one));
        Self { limiter: RateLimiter::keyed(quota), clock: DefaultClock::default(), message }
    }

    /// `count` in each `period` from one client.
    pub fn per_period(count: u32, period: Duration, message: &'static str) -> Self {
        let count = NonZeroU32::new(count).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(period / count.get()).unwrap_or(Quota::per_minute(count)).allow_burst(count);
        Self { limiter: RateLimiter::keyed(quota), clock: DefaultClock::default(), message }
    }

    fn refusal(&self, not_until: governor::NotUntil<governor::clock::QuantaInstant>) -> ApiError {
        let wait = not_until.wait_time_from(self.clock.now());
        ApiError::too_many(self.message, wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
    }

    /// Takes one from `key`'s allowance, or answers 429 with the seconds to wait.
    pub fn check(&self, key: IpAddr) -> ApiResult<()> {
        self.limiter.check_key(&key).map_err(|n| self.refusal(n))
    }

    /// Forgets clients whose allowance is full again, so the state holds only recent clients.
    pub fn prune(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}
