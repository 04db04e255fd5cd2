//! The per-IP rate limit of comment posting.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::{ApiError, ApiResult};

pub struct Limiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

impl Limiter {
    /// `per_minute` posts a minute from one address, after a first burst of `burst`.
    pub fn new(per_minute: u32, burst: u32) -> Self {
        let one = NonZeroU32::MIN;
        let quota = Quota::per_minute(NonZeroU32::new(per_minute).unwrap_or(one))
            .allow_burst(NonZeroU32::new(burst).unwrap_or(one));
        Self { limiter: RateLimiter::keyed(quota), clock: DefaultClock::default() }
    }

    /// Takes one post from `ip`'s allowance, or answers 429 with the seconds to wait.
    pub fn check(&self, ip: IpAddr) -> ApiResult<()> {
        self.limiter.check_key(&ip).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            ApiError::too_many(
                "You are posting too fast. Wait a moment, then send again: your text is kept.",
                wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            )
        })
    }
}
