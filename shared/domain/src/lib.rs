//! Capture Moments domain: types whose constructors validate, and the rules of the
//! product as pure functions. Nothing here performs I/O or knows about AWS.

pub mod account;
pub mod feedback;
pub mod ids;
pub mod insights;
pub mod location;
pub mod login_throttle;
pub mod money;
pub mod password;
pub mod photographer;
pub mod search;
pub mod validation;

pub use ids::{BookingId, FeedbackId, InvalidId, ReviewId, UserId};
pub use validation::{FieldError, FieldErrors};
