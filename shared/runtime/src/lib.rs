//! The Lambda side of every function, written once: configuration read and AWS clients
//! built once per cold start, JSON logs, and the loops that feed events to handlers
//! (HTTP through API Gateway; streams and schedules through the plain runtime).
//! `main.rs` of a function is one call into here.

pub mod calendars;
mod config;
pub mod media;
mod run;
pub mod s3post;
pub mod xray;

pub use config::{
    ConfigError, Env, KeySources, Secret, app_from_env, env_var, platform_terms, refresh_policy, sdk_http_client,
    with_keys_from,
};
pub use media::MediaBucket;
pub use run::{http, http_keyless, http_lazy, http_standalone, http_with, init_tracing, service};
pub use s3post::{Ticket, UploadSigner};
