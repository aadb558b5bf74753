//! Feedback from any signed-in user to the platform, triaged by admins and scored for
//! sentiment by the stream.

use crate::review::AnalysisState;
use crate::sentiment::SentimentRecord;
use chrono::{DateTime, Utc};
use cm_accounts::Role;
use cm_core::{FeedbackId, UserId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackCategory {
    Booking,
    Payment,
    Platform,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackStatus {
    Open,
    InProgress,
    Resolved,
}

impl FeedbackStatus {
    pub const ALL: [FeedbackStatus; 3] = [FeedbackStatus::Open, FeedbackStatus::InProgress, FeedbackStatus::Resolved];

    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackStatus::Open => "open",
            FeedbackStatus::InProgress => "in_progress",
            FeedbackStatus::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Option<FeedbackStatus> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feedback {
    pub id: FeedbackId,
    pub user_id: UserId,
    pub user_role: Role,
    pub category: FeedbackCategory,
    pub subject: String,
    pub message: String,
    pub status: FeedbackStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentiment: Option<SentimentRecord>,
    pub analysis_state: AnalysisState,
    pub analysis_version: u32,
    #[serde(default)]
    pub alert_pending: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Feedback {
    /// The text the analyzer scores. The stream and the backfill must score the same
    /// text, or every backfill would "re-score" what the stream got right.
    pub fn analysed_text(&self) -> String {
        format!("{}. {}", self.subject, self.message)
    }
}

impl Feedback {
    /// New feedback from `user`, open and awaiting its analysis.
    pub fn new(
        user_id: UserId,
        user_role: Role,
        category: FeedbackCategory,
        subject: String,
        message: String,
        now: DateTime<Utc>,
    ) -> Feedback {
        Feedback {
            id: FeedbackId::new(),
            user_id,
            user_role,
            category,
            subject,
            message,
            status: FeedbackStatus::Open,
            sentiment: None,
            analysis_state: AnalysisState::Pending,
            analysis_version: 0,
            alert_pending: false,
            created_at: now,
            updated_at: now,
        }
    }
}

/// Ascending order = most negative first: the score shifted into 0..=20000.
pub fn score_rank(score: f64) -> String {
    format!("{:05}", ((score.clamp(-1.0, 1.0) + 1.0) * 10_000.0).round() as u32)
}
