use std::time::Duration;

use stripe::{Client, ClientBuilder};
use stripe_standin::raw::Raw;
use stripe_standin::{Config, StandIn};

pub const KEY: &str = stripe_standin::DEFAULT_API_KEY;

pub struct Env {
    pub standin: StandIn,
    pub client: Client,
    pub raw: Raw,
}

pub async fn start() -> Env {
    start_with(Config::default()).await
}

pub async fn start_with(config: Config) -> Env {
    let standin = StandIn::start(config).await.expect("start stand-in");
    let client = ClientBuilder::new(KEY).url(standin.base_url()).build().expect("client");
    let raw = Raw::new(&standin.base_url(), KEY);
    Env { standin, client, raw }
}

/// A client whose each attempt gives up after `timeout`.
pub fn client_with_timeout(env: &Env, timeout: Duration) -> Client {
    ClientBuilder::new(KEY).url(env.standin.base_url()).timeout(timeout).build().expect("client")
}

/// The Stripe error inside a failed call, with its HTTP status.
pub fn stripe_error<T: std::fmt::Debug>(result: Result<T, stripe::StripeError>) -> (stripe::ApiErrors, u16) {
    match result {
        Err(stripe::StripeError::Stripe(e, status)) => (*e, status),
        other => panic!("expected a Stripe error, got {other:?}"),
    }
}
