//! Retries of writes that DynamoDB did not decide: transaction conflicts and throttles.
//! The SDK already retries throttles and transient network errors a few times; it never
//! retries a transaction cancelled for a conflict, which under real traffic is routine
//! (two transactions touching one item at once). Bounded, with full jitter so colliding
//! writers spread out instead of colliding again in step.

use crate::StoreError;
use rand::Rng;
use std::future::Future;
use std::time::Duration;

/// Attempts in all, the first included.
pub const ATTEMPTS: u32 = 6;
const BASE: Duration = Duration::from_millis(20);
const CAP: Duration = Duration::from_millis(800);

/// The pause before attempt `n + 1` (n ≥ 1): uniformly random up to an exponentially
/// growing ceiling.
pub fn backoff(n: u32) -> Duration {
    let ceiling = BASE.saturating_mul(1 << n.min(10)).min(CAP);
    rand::thread_rng().gen_range(Duration::ZERO..=ceiling)
}

/// Runs `write` until it is decided (success or a definite failure) or the attempts
/// run out; the last transient error is returned then.
pub async fn retrying<T, F, Fut>(mut write: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, StoreError>>,
{
    let mut attempt = 1;
    loop {
        match write().await {
            Err(e) if e.is_transient() && attempt < ATTEMPTS => {
                tracing::debug!(attempt, error = %e, "retrying an undecided write");
                tokio::time::sleep(backoff(attempt)).await;
                attempt += 1;
            }
            decided => return decided,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[test]
    fn backoff_stays_under_its_ceiling() {
        for n in 1..20 {
            assert!(backoff(n) <= CAP);
        }
        assert!(backoff(1) <= BASE * 2);
    }

    #[tokio::test]
    async fn transient_errors_are_retried_and_answers_are_not() {
        let calls = AtomicU32::new(0);
        let result = retrying(|| async {
            match calls.fetch_add(1, Ordering::SeqCst) {
                0 => Err(StoreError::Contended("conflict".into())),
                1 => Err(StoreError::Throttled("slow down".into())),
                _ => Ok(7),
            }
        })
        .await;
        assert_eq!(result.unwrap(), 7);
        assert_eq!(calls.load(Ordering::SeqCst), 3);

        let calls = AtomicU32::new(0);
        let result: Result<(), _> = retrying(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(StoreError::ConditionFailed { failed_items: vec![0] })
        })
        .await;
        assert!(matches!(result, Err(StoreError::ConditionFailed { .. })));
        assert_eq!(calls.load(Ordering::SeqCst), 1, "a failed condition is an answer, not a retry");

        let calls = AtomicU32::new(0);
        let result: Result<(), _> = retrying(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(StoreError::Contended("forever".into()))
        })
        .await;
        assert!(matches!(result, Err(StoreError::Contended(_))));
        assert_eq!(calls.load(Ordering::SeqCst), ATTEMPTS);
    }
}
