//! Reviews and feedback: what clients and users write, the photographer's replies, the
//! sentiment the stream attaches, and the daily aggregates admins read. Pure: no AWS,
//! no storage, no HTTP.

pub mod feedback;
pub mod input;
pub mod insights;
pub mod review;
pub mod sentiment;
pub mod view;

pub use feedback::{Feedback, FeedbackCategory, FeedbackStatus};
pub use review::{AnalysisState, Reply, Review};
pub use sentiment::SentimentRecord;
