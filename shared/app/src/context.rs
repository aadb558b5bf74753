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
    /// Only functions that sign or verify access tokens hold the token keys.
    tokens: Option<AccessTokens>,
    /// Only functions that page hold the cursor key.
    cursors: Option<CursorKey>,
    /// Only functions that issue or honour price quotes hold the quote key.
    quotes: Option<SealKey>,
    /// The stage's commission and balance due days, frozen into each new booking.
    pub platform_terms: PlatformTerms,
}

impl<S> App<S> {
    pub fn new(store: S) -> App<S> {
        App {
            store,
            clock: Arc::new(SystemClock),
            tokens: None,
            cursors: None,
            quotes: None,
            platform_terms: PlatformTerms::default(),
        }
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> App<S> {
        self.clock = clock;
        self
    }

    pub fn with_tokens(mut self, tokens: AccessTokens) -> App<S> {
        self.tokens = Some(tokens);
        self
    }

    pub fn with_cursors(mut self, cursors: CursorKey) -> App<S> {
        self.cursors = Some(cursors);
        self
    }

    pub fn with_quotes(mut self, quotes: SealKey) -> App<S> {
        self.quotes = Some(quotes);
        self
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn tokens(&self) -> Result<&AccessTokens, Internal> {
        self.tokens.as_ref().ok_or_else(|| Internal::new("this function has no token keys configured"))
    }

    pub fn cursors(&self) -> Result<&CursorKey, Internal> {
        self.cursors.as_ref().ok_or_else(|| Internal::new("this function has no cursor key configured"))
    }

    pub fn quotes(&self) -> Result<&SealKey, Internal> {
        self.quotes.as_ref().ok_or_else(|| Internal::new("this function has no quote key configured"))
    }
}

impl<S: std::fmt::Debug> std::fmt::Debug for App<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("store", &self.store)
            .field("clock", &self.clock)
            .field("tokens", &self.tokens.is_some())
            .field("cursors", &self.cursors.is_some())
            .field("quotes", &self.quotes.is_some())
            .finish()
    }
}
