//! Reviews and feedback as answered by the API.

use crate::feedback::{Feedback, FeedbackCategory, FeedbackStatus};
use crate::review::{AnalysisState, Reply, Review};
use crate::sentiment::SentimentRecord;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct SentimentView<'a> {
    pub label: cm_sentiment::Label,
    pub score: f64,
    pub topics: &'a [cm_sentiment::TopicSentiment],
    pub key_phrases: &'a [String],
}

fn sentiment(r: &Option<SentimentRecord>) -> Option<SentimentView<'_>> {
    r.as_ref().map(|r| SentimentView {
        label: r.analysis.label,
        score: r.analysis.score,
        topics: &r.analysis.topics,
        key_phrases: &r.analysis.key_phrases,
    })
}

/// Public: no client id, the author's first name only.
#[derive(Debug, Serialize)]
pub struct ReviewView<'a> {
    pub id: String,
    pub booking_id: String,
    pub photographer_id: String,
    pub author: &'a str,
    pub rating: u8,
    pub text: &'a str,
    pub created_at: String,
    pub reply: &'a Option<Reply>,
    /// `null` until the analysis has run (seconds after posting).
    pub sentiment: Option<SentimentView<'a>>,
    pub analysis_state: AnalysisState,
}

pub fn review_view(r: &Review) -> ReviewView<'_> {
    ReviewView {
        id: r.id.to_string(),
        booking_id: r.booking_id.to_string(),
        photographer_id: r.photographer_id.to_string(),
        author: &r.author,
        rating: r.rating,
        text: &r.text,
        created_at: utc(r.created_at),
        reply: &r.reply,
        sentiment: sentiment(&r.sentiment),
        analysis_state: r.analysis_state,
    }
}

#[derive(Debug, Serialize)]
pub struct FeedbackView<'a> {
    pub id: String,
    pub user_id: String,
    pub user_role: cm_accounts::Role,
    pub category: FeedbackCategory,
    pub subject: &'a str,
    pub message: &'a str,
    pub status: FeedbackStatus,
    pub sentiment: Option<SentimentView<'a>>,
    pub analysis_state: AnalysisState,
    pub created_at: String,
    pub updated_at: String,
}

pub fn feedback_view(f: &Feedback) -> FeedbackView<'_> {
    FeedbackView {
        id: f.id.to_string(),
        user_id: f.user_id.to_string(),
        user_role: f.user_role,
        category: f.category,
        subject: &f.subject,
        message: &f.message,
        status: f.status,
        sentiment: sentiment(&f.sentiment),
        analysis_state: f.analysis_state,
        created_at: utc(f.created_at),
        updated_at: utc(f.updated_at),
    }
}

fn utc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}
