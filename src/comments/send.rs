//! Sending a comment until the server has it: the one path the form and the fault-injection test
//! share.
//!
//! Every try carries the draft's Idempotency-Key, so a try whose answer was lost (the comment is
//! stored, the reader never heard) is answered by the server with the first result, never stored
//! twice. Network errors, time-outs, 429 and 5xx are tried again after a wait; any other 4xx and a
//! 2xx whose body is not what the API promises are not (another try would get the same answer).

use news_widget_api::{CommentInput, PostedComment, Slug};

use crate::backend::{Backend, FetchError, Refusal};

/// How hard to try.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryPolicy {
    /// The wait before each automatic try after a failure, in milliseconds; once they are used
    /// up, [`attempt`] stops (the form then offers "Retry now").
    pub backoff_ms: &'static [u32],
    /// How long one try may go unanswered before it counts as a network error.
    pub timeout_ms: u32,
}

impl RetryPolicy {
    /// The form's: 2, 4, 8, 16 and 30 s between tries, 15 s for an answer.
    pub const FORM: Self = Self { backoff_ms: &[2_000, 4_000, 8_000, 16_000, 30_000], timeout_ms: 15_000 };
}

/// What came of one try.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Stored (or stored before, and answered again for the same key).
    Posted(PostedComment),
    /// Failed in a way another try with the same key may fix, after `wait_ms`.
    Retry { error: FetchError, wait_ms: u32 },
    /// Failed for good: a refusal another try would repeat, or the policy's tries are used up.
    Stop(FetchError),
}

/// Whether a failed try is worth another after `failures` earlier failures, and after how long:
/// a 429's `Retry-After`, else the policy's next backoff.
pub fn retry_wait(error: &FetchError, failures: usize, policy: &RetryPolicy) -> Option<u32> {
    match error {
        FetchError::Status { status: 429, retry_after: Some(s), .. } => {
            Some(u32::try_from(s.saturating_mul(1_000)).unwrap_or(u32::MAX))
        }
        FetchError::Status { status: 400..=428 | 430..=499, .. } | FetchError::BadResponse(_) => None,
        // WordPress's flood guard: the same text, a little later (its default interval is 15 s).
        FetchError::Refused { reason: Refusal::TooFast, .. } => {
            policy.backoff_ms.get(failures).map(|&ms| ms.max(20_000))
        }
        FetchError::Refused { .. } => None,
        FetchError::Status { retry_after: Some(s), .. } if failures < policy.backoff_ms.len() => {
            Some(u32::try_from(s.saturating_mul(1_000)).unwrap_or(u32::MAX))
        }
        _ => policy.backoff_ms.get(failures).copied(),
    }
}

/// One try: posts `input` under `key` and says what to do next. `failures` counts the failed
/// tries of this draft before this one.
pub async fn attempt(
    backend: &Backend,
    slug: &Slug,
    input: &CommentInput,
    key: &str,
    policy: &RetryPolicy,
    failures: usize,
) -> Outcome {
    // A draft sent before its form token arrived (restored and sent at once) takes one now: with
    // it the server can tell a fast person from a script, and holds the comment for review
    // rather than publishing it blind. Without one (the token route failed) it still goes out.
    let with_token;
    let input = if input.form_token.is_empty() {
        with_token = match backend.form_token(slug).await {
            Ok(form_token) => CommentInput { form_token, ..input.clone() },
            Err(_) => input.clone(),
        };
        &with_token
    } else {
        input
    };
    match backend.post_comment_within(slug, input, key, policy.timeout_ms).await {
        Ok(posted) => Outcome::Posted(posted),
        Err(error) => match retry_wait(&error, failures, policy) {
            Some(wait_ms) => Outcome::Retry { error, wait_ms },
            None => Outcome::Stop(error),
        },
    }
}

/// Tries until the comment is stored or [`attempt`] says stop, waiting as it says between tries.
/// `on_attempt` hears every try's outcome, in order.
pub async fn send_until_done(
    backend: &Backend,
    slug: &Slug,
    input: &CommentInput,
    key: &str,
    policy: &RetryPolicy,
    mut on_attempt: impl FnMut(&Outcome),
) -> Result<PostedComment, FetchError> {
    let mut failures = 0;
    loop {
        let outcome = attempt(backend, slug, input, key, policy, failures).await;
        on_attempt(&outcome);
        match outcome {
            Outcome::Posted(posted) => return Ok(posted),
            Outcome::Stop(error) => return Err(error),
            Outcome::Retry { wait_ms, .. } => {
                failures += 1;
                gloo_timers::future::TimeoutFuture::new(wait_ms).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16, retry_after: Option<u64>) -> FetchError {
        FetchError::Status { status, problem: None, retry_after }
    }

    #[test]
    fn network_errors_time_outs_429_and_5xx_are_tried_again_other_4xx_are_not() {
        let form = RetryPolicy::FORM;
        assert_eq!(retry_wait(&FetchError::Network("no answer within 15000 ms".into()), 0, &form), Some(2_000));
        assert_eq!(retry_wait(&status(500, None), 1, &form), Some(4_000));
        assert_eq!(retry_wait(&status(503, Some(7)), 0, &form), Some(7_000));
        assert_eq!(retry_wait(&status(429, None), 2, &form), Some(8_000));
        assert_eq!(retry_wait(&status(429, Some(60)), 9, &form), Some(60_000), "a 429 says when, however often");
        for refused in [400, 401, 403, 404, 409, 413, 422, 428, 430, 499] {
            assert_eq!(retry_wait(&status(refused, None), 0, &form), None, "{refused}");
        }
        assert_eq!(retry_wait(&FetchError::BadResponse("not JSON".into()), 0, &form), None);
        let refused = |reason| FetchError::Refused { status: 400, reason, detail: String::new() };
        assert_eq!(retry_wait(&refused(Refusal::TooFast), 0, &form), Some(20_000));
        assert_eq!(retry_wait(&refused(Refusal::TooFast), 4, &form), Some(30_000));
        assert_eq!(retry_wait(&refused(Refusal::TooFast), 5, &form), None);
        assert_eq!(retry_wait(&refused(Refusal::Closed), 0, &form), None);
        assert_eq!(retry_wait(&refused(Refusal::LoginRequired), 0, &form), None);
    }

    #[test]
    fn the_backoff_ends_where_the_policy_does() {
        let form = RetryPolicy::FORM;
        assert_eq!(retry_wait(&status(502, None), 4, &form), Some(30_000));
        assert_eq!(retry_wait(&status(502, None), 5, &form), None);
        assert_eq!(retry_wait(&status(503, Some(1)), 5, &form), None);
    }
}
