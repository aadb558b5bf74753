//! A value read from somewhere slow (Secrets Manager), loaded on first use rather than
//! during init, kept for a while, and reloaded when it grows old or when a caller has
//! reason to think it changed (a token signed with a key id it does not know: a
//! rotation). One load at a time per process; a failed reload keeps serving the value
//! it had, so a Secrets Manager outage never takes down a warm function.

use chrono::{DateTime, Duration, Utc};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, RwLock};

pub type LoadFuture<T> = Pin<Box<dyn Future<Output = Result<T, String>> + Send>>;
pub type Loader<T> = Box<dyn Fn() -> LoadFuture<T> + Send + Sync>;

/// When a loaded value is read again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshPolicy {
    /// A value older than this is reloaded before it is used.
    pub max_age: Duration,
    /// After a failed reload, the old value is served this long before trying again,
    /// so an outage costs one attempt per interval, not one per request.
    pub retry_after: Duration,
    /// A forced reload within this long of the last load is skipped: a burst of
    /// requests with an unknown key id (a rotation, or someone probing) costs one load.
    pub min_forced_interval: Duration,
}

impl Default for RefreshPolicy {
    fn default() -> RefreshPolicy {
        RefreshPolicy {
            max_age: Duration::minutes(15),
            retry_after: Duration::seconds(30),
            min_forced_interval: Duration::seconds(30),
        }
    }
}

struct Slot<T> {
    value: Option<Arc<T>>,
    loaded_at: Option<DateTime<Utc>>,
    /// Set after a failed load: no new attempt before it.
    next_attempt: Option<DateTime<Utc>>,
}

pub struct Cached<T> {
    slot: RwLock<Slot<T>>,
    /// Held across a load, so concurrent requests wait for one load instead of each
    /// making their own.
    flight: tokio::sync::Mutex<()>,
    loader: Option<Loader<T>>,
    policy: RefreshPolicy,
}

impl<T> Cached<T> {
    /// A value known up front (tests, or values given inline): never reloaded.
    pub fn ready(value: T) -> Cached<T> {
        Cached {
            slot: RwLock::new(Slot { value: Some(Arc::new(value)), loaded_at: None, next_attempt: None }),
            flight: tokio::sync::Mutex::new(()),
            loader: None,
            policy: RefreshPolicy::default(),
        }
    }

    /// Nothing loaded yet: the first [`Cached::get`] calls `loader`.
    pub fn lazy(loader: Loader<T>, policy: RefreshPolicy) -> Cached<T> {
        Cached {
            slot: RwLock::new(Slot { value: None, loaded_at: None, next_attempt: None }),
            flight: tokio::sync::Mutex::new(()),
            loader: Some(loader),
            policy,
        }
    }

    /// Changes a ready value in place (building an App before it is shared).
    pub fn update(&mut self, f: impl FnOnce(&mut T))
    where
        T: Clone,
    {
        let slot = self.slot.get_mut().unwrap_or_else(|p| p.into_inner());
        if let Some(v) = slot.value.as_mut() {
            f(Arc::make_mut(v));
        }
    }

    pub fn is_lazy(&self) -> bool {
        self.loader.is_some()
    }

    /// The last value loaded, without loading: what synchronous code reads once the
    /// request's loop has called [`Cached::get`].
    pub fn peek(&self) -> Option<Arc<T>> {
        self.read(|s| s.value.clone())
    }

    fn read<R>(&self, f: impl FnOnce(&Slot<T>) -> R) -> R {
        f(&self.slot.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// The value still good at `now`: loaded within `max_age`, or kept while backing
    /// off after a failed reload. `None`: it must be (re)loaded.
    fn usable(&self, now: DateTime<Utc>) -> Option<Arc<T>> {
        self.read(|s| {
            let value = s.value.clone()?;
            let fresh = match (self.loader.is_some(), s.loaded_at) {
                (false, _) => true,
                (true, Some(at)) => now < at + self.policy.max_age,
                (true, None) => false,
            };
            let backing_off = s.next_attempt.is_some_and(|t| now < t);
            (fresh || backing_off).then_some(value)
        })
    }

    /// The value, loading it first if there is none yet or it is older than
    /// `max_age`. Fails only when no value was ever loaded.
    pub async fn get(&self, now: DateTime<Utc>) -> Result<Arc<T>, String> {
        if let Some(v) = self.usable(now) {
            return Ok(v);
        }
        let _flight = self.flight.lock().await;
        // Another request may have loaded it while this one waited.
        if let Some(v) = self.usable(now) {
            return Ok(v);
        }
        self.load(now).await
    }

    /// Reloads now, unless a load happened within `min_forced_interval` (or a failed
    /// one asked to wait): for a caller that saw evidence the value changed.
    pub async fn refresh(&self, now: DateTime<Utc>) -> Result<Arc<T>, String> {
        let _flight = self.flight.lock().await;
        let recent = self.read(|s| {
            s.loaded_at.is_some_and(|t| now < t + self.policy.min_forced_interval)
                || s.next_attempt.is_some_and(|t| now < t)
        });
        match self.peek() {
            Some(v) if recent || self.loader.is_none() => Ok(v),
            _ => self.load(now).await,
        }
    }

    async fn load(&self, now: DateTime<Utc>) -> Result<Arc<T>, String> {
        let Some(loader) = &self.loader else {
            return self.peek().ok_or_else(|| "nothing to load".to_string());
        };
        let outcome = loader().await;
        let mut slot = self.slot.write().unwrap_or_else(|p| p.into_inner());
        match outcome {
            Ok(v) => {
                let v = Arc::new(v);
                *slot = Slot { value: Some(v.clone()), loaded_at: Some(now), next_attempt: None };
                Ok(v)
            }
            Err(e) => match slot.value.clone() {
                Some(old) => {
                    slot.next_attempt = Some(now + self.policy.retry_after);
                    tracing::warn!(error = %e, "reload failed; keeping the value loaded before");
                    Ok(old)
                }
                None => Err(e),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
    }

    /// A loader that counts its calls and answers `version` (the call number), or
    /// fails while `failing` is set.
    struct Source {
        calls: AtomicUsize,
        failing: std::sync::atomic::AtomicBool,
    }

    fn counted(policy: RefreshPolicy) -> (Arc<Source>, Cached<usize>) {
        let source = Arc::new(Source { calls: AtomicUsize::new(0), failing: false.into() });
        let s = source.clone();
        let loader: Loader<usize> = Box::new(move || {
            let s = s.clone();
            Box::pin(async move {
                // Yield so concurrent callers really overlap with the load.
                tokio::task::yield_now().await;
                let n = s.calls.fetch_add(1, Ordering::SeqCst) + 1;
                if s.failing.load(Ordering::SeqCst) { Err(format!("outage at call {n}")) } else { Ok(n) }
            })
        });
        (source, Cached::lazy(loader, policy))
    }

    fn policy() -> RefreshPolicy {
        RefreshPolicy {
            max_age: Duration::seconds(900),
            retry_after: Duration::seconds(30),
            min_forced_interval: Duration::seconds(60),
        }
    }

    #[tokio::test]
    async fn nothing_is_loaded_until_first_use_and_concurrent_first_uses_load_once() {
        let (source, cached) = counted(policy());
        assert_eq!(source.calls.load(Ordering::SeqCst), 0);
        assert!(cached.peek().is_none());
        let cached = Arc::new(cached);
        let gets: Vec<_> = (0..16)
            .map(|_| {
                let c = cached.clone();
                tokio::spawn(async move { *c.get(at(0)).await.unwrap() })
            })
            .collect();
        for g in gets {
            assert_eq!(g.await.unwrap(), 1);
        }
        assert_eq!(source.calls.load(Ordering::SeqCst), 1);
        assert_eq!(cached.peek().as_deref(), Some(&1));
    }

    #[tokio::test]
    async fn a_value_is_reused_until_it_is_old_then_reloaded() {
        let (source, cached) = counted(policy());
        assert_eq!(*cached.get(at(0)).await.unwrap(), 1);
        assert_eq!(*cached.get(at(899)).await.unwrap(), 1);
        assert_eq!(*cached.get(at(900)).await.unwrap(), 2);
        assert_eq!(*cached.get(at(1799)).await.unwrap(), 2);
        assert_eq!(source.calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_failed_first_load_fails_and_the_next_use_tries_again() {
        let (source, cached) = counted(policy());
        source.failing.store(true, Ordering::SeqCst);
        assert_eq!(cached.get(at(0)).await.unwrap_err(), "outage at call 1");
        source.failing.store(false, Ordering::SeqCst);
        assert_eq!(*cached.get(at(1)).await.unwrap(), 2);
    }

    #[tokio::test]
    async fn a_failed_reload_keeps_the_old_value_and_waits_before_trying_again() {
        let (source, cached) = counted(policy());
        cached.get(at(0)).await.unwrap();
        source.failing.store(true, Ordering::SeqCst);
        assert_eq!(*cached.get(at(900)).await.unwrap(), 1, "the old value is served through the outage");
        assert_eq!(*cached.get(at(929)).await.unwrap(), 1);
        assert_eq!(source.calls.load(Ordering::SeqCst), 2, "no attempt while backing off");
        source.failing.store(false, Ordering::SeqCst);
        assert_eq!(*cached.get(at(930)).await.unwrap(), 3, "tried again once the wait is over");
    }

    #[tokio::test]
    async fn a_forced_reload_happens_at_most_once_per_interval() {
        let (source, cached) = counted(policy());
        cached.get(at(0)).await.unwrap();
        assert_eq!(*cached.refresh(at(10)).await.unwrap(), 1, "loaded 10 s ago: not again");
        assert_eq!(*cached.refresh(at(60)).await.unwrap(), 2);
        assert_eq!(*cached.refresh(at(61)).await.unwrap(), 2);
        assert_eq!(*cached.get(at(100)).await.unwrap(), 2, "the forced reload restarted the age");
        assert_eq!(source.calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_forced_reload_before_any_load_loads() {
        let (_, cached) = counted(policy());
        assert_eq!(*cached.refresh(at(0)).await.unwrap(), 1);
    }

    #[tokio::test]
    async fn a_ready_value_is_never_reloaded() {
        let mut cached = Cached::ready(vec![1]);
        cached.update(|v| v.push(2));
        assert!(!cached.is_lazy());
        assert_eq!(*cached.get(at(1_000_000)).await.unwrap(), vec![1, 2]);
        assert_eq!(*cached.refresh(at(2_000_000)).await.unwrap(), vec![1, 2]);
    }
}
