//! The use cases several functions share, written once: the [`App`] context every
//! handler receives (storage, clock, keys), who the caller is, signing in, how booking
//! rules read as problems, and the booking listings. Handlers stay
//! parse ▸ authorize ▸ domain ▸ store ▸ answer; what two of them would repeat is here.

pub mod auth;
pub mod bookings;
mod context;
pub mod idempotency;
pub mod listing;
pub mod session;

pub use auth::{AuthError, Caller, authenticate, authenticate_as};
pub use context::App;
