//! Reviews: one per completed booking, written by its client, answered publicly by
//! the photographer, and scored for sentiment by the stream.

use crate::sentiment::SentimentRecord;
use chrono::{DateTime, Utc};
use cm_core::{BookingId, UserId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    pub text: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub id: BookingId,
    pub booking_id: BookingId,
    pub photographer_id: UserId,
    pub client_id: UserId,
    /// Shown publicly: the client's first name only.
    pub author: String,
    pub rating: u8,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<Reply>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentiment: Option<SentimentRecord>,
    /// `pending` until the stream function has analysed the current text. The stream
    /// filter only passes pending items, so writing the result back does not loop.
    pub analysis_state: AnalysisState,
    /// Bumped by every analysis; each analysis is conditional on the one it replaces.
    pub analysis_version: u32,
    /// Set with a first analysis that warrants an admin alert, cleared once sent.
    #[serde(default)]
    pub alert_pending: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnalysisState {
    Pending,
    Done,
}

impl Review {
    /// A new review of `booking_id`, awaiting its analysis. Its id is the booking's,
    /// so "one review per booking" is a key constraint.
    pub fn new(
        booking_id: BookingId,
        photographer_id: UserId,
        client_id: UserId,
        author: String,
        rating: u8,
        text: String,
        now: DateTime<Utc>,
    ) -> Review {
        Review {
            id: booking_id,
            booking_id,
            photographer_id,
            client_id,
            author,
            rating,
            text,
            reply: None,
            sentiment: None,
            analysis_state: AnalysisState::Pending,
            analysis_version: 0,
            alert_pending: false,
            created_at: now,
        }
    }

    /// The reply after the photographer writes `text`: a replaced reply keeps the
    /// time it was first posted.
    pub fn reply_with(&self, text: String, now: DateTime<Utc>) -> Reply {
        let created_at = self.reply.as_ref().map_or(now, |r| r.created_at);
        Reply { text, created_at, updated_at: now }
    }
}
