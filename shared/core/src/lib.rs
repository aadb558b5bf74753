//! The shared kernel of Capture Moments: identifiers, validation errors, money,
//! locations and the clock. Every domain crate builds on these; nothing here performs
//! I/O or knows about AWS, HTTP or storage.

pub mod clock;
pub mod ids;
pub mod location;
pub mod money;
pub mod text;
pub mod validation;

pub use clock::{Clock, ManualClock, SystemClock};
pub use ids::{BookingId, FeedbackId, InvalidId, ReviewId, UserId};
pub use validation::{FieldError, FieldErrors};
