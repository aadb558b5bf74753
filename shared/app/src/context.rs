use crate::cached::{Cached, Loader, RefreshPolicy};
use chrono::{DateTime, Utc};
use cm_accounts::tokens::AccessTokens;
use cm_core::{Clock, SystemClock};
use cm_http::{CursorKey, Internal, SealKey};
use cm_payments::terms::PlatformTerms;
use std::sync::Arc;

/// What every handler gets: the storage (`S`, through the capability traits the
/// handler names), the clock, and the keys this function was given. Built once per cold
/// start (`cm_runtime`) or per test.
pub struct App<S> {
    pub store: S,
    pub clock: Arc<dyn Clock>,
    /// The keys, loaded from Secrets Manager on first use (not during init) and
    /// reloaded when old, or given up front. The request loop calls
    /// [`App::load_keys`] before each request, so the accessors below can stay
    /// synchronous.
    keys: Cached<Keys>,
    /// The stage's commission and balance due days, frozen into each new booking.
    pub platform_terms: PlatformTerms,
}

/// The keys a function may hold; each function is given only those it uses.
#[derive(Clone, Default)]
pub struct Keys {
    /// Only functions that sign or verify access tokens hold the token keys.
    pub tokens: Option<Arc<AccessTokens>>,
    /// Only functions that page hold the cursor key.
    pub cursors: Option<Arc<CursorKey>>,
    /// Only functions that issue or honour price quotes hold the quote key.
    pub quotes: Option<Arc<SealKey>>,
}

impl<S> App<S> {
    pub fn new(store: S) -> App<S> {
        App {
            store,
            clock: Arc::new(SystemClock),
            keys: Cached::ready(Keys::default()),
            platform_terms: PlatformTerms::default(),
        }
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> App<S> {
        self.clock = clock;
        self
    }

    /// The keys, given up front.
    pub fn with_keys(mut self, keys: Keys) -> App<S> {
        self.keys = Cached::ready(keys);
        self
    }

    /// The keys, loaded by `loader` when a request first needs them and again as
    /// `policy` says.
    pub fn with_key_loader(mut self, loader: Loader<Keys>, policy: RefreshPolicy) -> App<S> {
        self.keys = Cached::lazy(loader, policy);
        self
    }

    pub fn with_tokens(mut self, tokens: AccessTokens) -> App<S> {
        self.keys.update(|k| k.tokens = Some(Arc::new(tokens)));
        self
    }

    pub fn with_cursors(mut self, cursors: CursorKey) -> App<S> {
        self.keys.update(|k| k.cursors = Some(Arc::new(cursors)));
        self
    }

    pub fn with_quotes(mut self, quotes: SealKey) -> App<S> {
        self.keys.update(|k| k.quotes = Some(Arc::new(quotes)));
        self
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Makes sure the keys are loaded and not older than their refresh policy allows.
    /// Cheap once loaded; the first call of a process reads Secrets Manager.
    pub async fn load_keys(&self) -> Result<(), Internal> {
        self.keys.get(self.now()).await.map(drop).map_err(|e| Internal::new(format!("loading the keys: {e}")))
    }

    /// Reloads the keys (at most once per the policy's interval): for a token signed
    /// with a key id this process does not know, which is what a rotation looks like
    /// to a process that loaded the keys before it.
    pub async fn reload_keys(&self) -> Result<(), Internal> {
        self.keys.refresh(self.now()).await.map(drop).map_err(|e| Internal::new(format!("reloading the keys: {e}")))
    }

    fn key<T>(&self, pick: impl FnOnce(&Keys) -> Option<Arc<T>>, what: &str) -> Result<Arc<T>, Internal> {
        let Some(keys) = self.keys.peek() else {
            return Err(Internal::new(format!("the {what} were used before the keys were loaded")));
        };
        pick(&keys).ok_or_else(|| Internal::new(format!("this function has no {what} configured")))
    }

    pub fn tokens(&self) -> Result<Arc<AccessTokens>, Internal> {
        self.key(|k| k.tokens.clone(), "token keys")
    }

    pub fn cursors(&self) -> Result<Arc<CursorKey>, Internal> {
        self.key(|k| k.cursors.clone(), "cursor key")
    }

    pub fn quotes(&self) -> Result<Arc<SealKey>, Internal> {
        self.key(|k| k.quotes.clone(), "quote key")
    }
}

impl<S: std::fmt::Debug> std::fmt::Debug for App<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("store", &self.store)
            .field("clock", &self.clock)
            .field("keys", &if self.keys.is_lazy() { "loaded on first use" } else { "given" })
            .finish()
    }
}
