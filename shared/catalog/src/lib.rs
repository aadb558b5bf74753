//! The catalog: photographer profiles, packages and prices, ratings, the ranked search
//! listings clients browse, and the recommendations ranked for a client. Pure: no AWS,
//! no storage, no HTTP.

pub mod features;
pub mod photographer;
pub mod recommend;
pub mod record;
pub mod search;

pub use photographer::{CoverPhoto, PhotographerProfile, PublicProfile, RatingTotals, Specialization};
pub use record::{PhotographerRecord, SentimentCounts};
