//! The use cases several functions share, written once: the [`App`] context every
//! handler receives (storage, clock, keys), who the caller is, signing in, how booking
//! rules read as problems, and the booking listings. Handlers stay
//! parse ▸ authorize ▸ domain ▸ store ▸ answer; what two of them would repeat is here.

pub mod auth;
pub mod bookings;
pub mod busy;
pub mod cached;
pub mod calendars;
mod context;
pub mod galleries;
pub mod idempotency;
pub mod listing;
pub mod names;
pub mod payments;
pub mod quotes;
pub mod session;
pub mod slots;

pub use auth::{AuthError, Caller, authenticate, authenticate_as, verify_token};
pub use context::{App, Keys};

use cm_http::Problem;
use cm_store::StoreError;

/// A storage failure as the client sees it: 503 with `Retry-After` when DynamoDB left
/// the write undecided (a persistent conflict or throttle: the same request may succeed
/// in a moment), 500 otherwise. Details are logged, never shown.
pub fn store_problem(e: &StoreError) -> Problem {
    if e.is_transient() { busy() } else { Problem::internal() }
}

/// 503 with `Retry-After`: the request was right and may succeed in a moment (storage
/// stayed undecided, or a write kept losing to others).
pub fn busy() -> Problem {
    Problem::new(503, "busy", "Service busy", "the service is busy; retry in a moment")
        .with_header("retry-after", "1".to_string())
}
