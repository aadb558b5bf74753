//! The catalog: photographer profiles, packages and prices, ratings, and the ranked
//! search listings clients browse. Pure: no AWS, no storage, no HTTP.

pub mod photographer;
pub mod record;
pub mod search;

pub use photographer::{CoverPhoto, PhotographerProfile, PublicProfile, RatingTotals, Specialization};
pub use record::{PhotographerRecord, SentimentCounts};
