//! Fetching a photographer's external calendar. The address is a stranger's input and
//! the fetch runs inside the platform, so it is built to be unable to reach anything
//! but the public Internet (docs: README.md, "Busy time from external calendars"):
//!
//! - only `https` (plain `http` to `127.0.0.1` alone under the test allowance);
//! - the host is resolved here, and the request fails unless EVERY address DNS gave is
//!   public ([`cm_calsync::address`]); the connection then goes to those addresses, with
//!   no second lookup for a rebinding DNS server to answer differently;
//! - a literal address in the URL is checked the same way (the resolver never sees it);
//! - every redirect is checked again (scheme, literal address; a new name goes through
//!   the same resolver), and at most [`FetchConfig::max_redirects`] are followed;
//! - no proxy, no cookies; a total time limit and a connect limit; the body is read in
//!   chunks and abandoned past [`FetchConfig::max_bytes`].

use std::error::Error as StdError;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use cm_calsync::FetchFailure;
use cm_calsync::address::permitted;
use cm_calsync::source::{SourceUrl, UrlPolicy, check_url};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{ACCEPT, ETAG, HeaderValue, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use reqwest::{StatusCode, redirect};

/// The environment variable of the test-only allowance. Never set in AWS: the template
/// does not set it, and a test checks that it does not.
pub const ALLOW_LOOPBACK_VAR: &str = "CALENDAR_FETCH_ALLOW_LOOPBACK";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchConfig {
    pub allow_loopback: bool,
    /// For the whole exchange: connecting, redirects, headers and body.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub max_bytes: u64,
    pub max_redirects: usize,
}

impl Default for FetchConfig {
    fn default() -> Self {
        Self {
            allow_loopback: false,
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            max_bytes: 2 * 1024 * 1024,
            max_redirects: 3,
        }
    }
}

impl FetchConfig {
    /// The defaults, with `CALENDAR_FETCH_ALLOW_LOOPBACK=1` (tests and the local stack
    /// only) and `CALENDAR_FETCH_TIMEOUT_MS` (tests shorten it).
    pub fn from_env() -> Self {
        let mut config =
            Self { allow_loopback: std::env::var(ALLOW_LOOPBACK_VAR).is_ok_and(|v| v == "1"), ..Self::default() };
        if let Some(ms) = std::env::var("CALENDAR_FETCH_TIMEOUT_MS").ok().and_then(|v| v.parse::<u64>().ok()) {
            config.timeout = Duration::from_millis(ms.clamp(100, 30_000));
            config.connect_timeout = config.connect_timeout.min(config.timeout);
        }
        config
    }

    pub fn url_policy(&self) -> UrlPolicy {
        UrlPolicy { allow_loopback: self.allow_loopback }
    }
}

/// What the server said last time, sent back for a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// 304: the calendar did not change; the busy time read last keeps.
    NotModified,
    Body {
        text: String,
        validators: Validators,
    },
}

/// Refused by the resolver: some address the name resolves to is not public.
#[derive(Debug)]
struct BlockedAddress;

impl std::fmt::Display for BlockedAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the host resolves to an address that is not allowed")
    }
}
impl StdError for BlockedAddress {}

/// The resolver: the system's lookup, then every address checked.
struct CheckedResolver {
    allow_loopback: bool,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_loopback = self.allow_loopback;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if found.is_empty() {
                return Err("no addresses".into());
            }
            if found.iter().any(|a| !permitted(a.ip(), allow_loopback)) {
                return Err(Box::new(BlockedAddress) as Box<dyn StdError + Send + Sync>);
            }
            let addrs: Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

/// Why a redirect was refused (carried through reqwest's error to be told apart).
#[derive(Debug)]
enum RedirectRefused {
    TooMany(usize),
    Blocked(String),
}

impl std::fmt::Display for RedirectRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RedirectRefused::TooMany(n) => write!(f, "more than {n} redirects"),
            RedirectRefused::Blocked(why) => write!(f, "redirect refused: {why}"),
        }
    }
}
impl StdError for RedirectRefused {}

pub struct Fetcher {
    client: reqwest::Client,
    config: FetchConfig,
}

impl Fetcher {
    pub fn new(config: FetchConfig) -> Result<Fetcher, String> {
        let policy = config.url_policy();
        let max_redirects = config.max_redirects;
        let redirects = redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > max_redirects {
                return attempt.error(RedirectRefused::TooMany(max_redirects));
            }
            match check_url(attempt.url(), policy) {
                Ok(()) => attempt.follow(),
                Err(why) => attempt.error(RedirectRefused::Blocked(why)),
            }
        });
        let client = reqwest::Client::builder()
            .no_proxy()
            .http1_only()
            .redirect(redirects)
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .dns_resolver(Arc::new(CheckedResolver { allow_loopback: config.allow_loopback }))
            .user_agent("CaptureMoments-CalendarSync/1.0 (+busy time for bookings)")
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Fetcher { client, config })
    }

    pub fn config(&self) -> FetchConfig {
        self.config
    }

    /// Fetches `url`, conditionally on `previous`.
    pub async fn fetch(&self, url: &SourceUrl, previous: &Validators) -> Result<Fetched, FetchFailure> {
        // Checked again: the rules may be stricter than when the address was added.
        check_url(url.url(), self.config.url_policy()).map_err(|_| FetchFailure::BlockedAddress)?;
        let mut request = self.client.get(url.url().clone()).header(ACCEPT, "text/calendar, */*;q=0.5");
        if let Some(etag) = previous.etag.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(date) = previous.last_modified.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
            request = request.header(IF_MODIFIED_SINCE, date);
        }
        let mut response = request.send().await.map_err(|e| self.failure(&e))?;
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if !status.is_success() {
            return Err(FetchFailure::Status(status.as_u16()));
        }
        let header = |name| response.headers().get(name).and_then(|v: &HeaderValue| v.to_str().ok()).map(String::from);
        let validators = Validators { etag: header(ETAG), last_modified: header(LAST_MODIFIED) };
        if response.content_length().is_some_and(|n| n > self.config.max_bytes) {
            return Err(self.too_large());
        }
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() as u64 + chunk.len() as u64 > self.config.max_bytes {
                        return Err(self.too_large());
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Err(self.failure(&e)),
            }
        }
        Ok(Fetched::Body { text: String::from_utf8_lossy(&body).into_owned(), validators })
    }

    fn too_large(&self) -> FetchFailure {
        FetchFailure::TooLarge(self.config.max_bytes.div_ceil(1024 * 1024))
    }

    /// What went wrong, from the error and its causes.
    fn failure(&self, error: &reqwest::Error) -> FetchFailure {
        let mut cause: Option<&(dyn StdError + 'static)> = Some(error);
        while let Some(e) = cause {
            if e.is::<BlockedAddress>() {
                return FetchFailure::BlockedAddress;
            }
            if let Some(refused) = e.downcast_ref::<RedirectRefused>() {
                return match refused {
                    RedirectRefused::TooMany(n) => FetchFailure::TooManyRedirects(*n),
                    RedirectRefused::Blocked(why) => FetchFailure::BlockedRedirect(why.clone()),
                };
            }
            cause = e.source();
        }
        if error.is_timeout() {
            FetchFailure::Timeout(self.config.timeout.as_secs().max(1))
        } else if error.is_connect() {
            // A name that does not resolve fails as a connect error too.
            let dns = format!("{error:?}").contains("dns error");
            if dns { FetchFailure::Dns } else { FetchFailure::Connect }
        } else {
            FetchFailure::Connect
        }
    }
}
