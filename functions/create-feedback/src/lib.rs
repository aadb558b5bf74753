//! `POST /feedback` `{category, subject, message}`: any signed-in user tells us
//! something. Sentiment is added by the stream; negative feedback alerts the admins.

use chrono::Utc;
use cm_domain::feedback::{MAX_REVIEW_CHARS, MAX_SUBJECT_CHARS, check_text};
use cm_domain::{FeedbackId, FieldErrors};
use cm_http::review_view::feedback_view;
use cm_http::{ApiError, App, Body, Request, Response};
use cm_store::feedback::{Feedback, FeedbackCategory, FeedbackStatus};
use cm_store::reviews::AnalysisState;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FeedbackInput {
    category: FeedbackCategory,
    subject: String,
    message: String,
}

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = cm_http::authenticate(app, &req).await?;
    let input: FeedbackInput = cm_http::parse_json(&req)?;
    let mut errors = FieldErrors::new();
    let subject = check_text(&mut errors, "subject", &input.subject, MAX_SUBJECT_CHARS);
    let message = check_text(&mut errors, "message", &input.message, MAX_REVIEW_CHARS);
    let (subject, message) = errors.into_result((subject, message))?;
    let now = Utc::now();
    let feedback = Feedback {
        id: FeedbackId::new(),
        user_id: caller.id(),
        user_role: caller.role(),
        category: input.category,
        subject,
        message,
        status: FeedbackStatus::Open,
        sentiment: None,
        analysis_state: AnalysisState::Pending,
        analysis_version: 0,
        alert_pending: false,
        created_at: now,
        updated_at: now,
    };
    app.store.create_feedback(&feedback).await?;
    cm_http::created(&format!("/admin/feedback/{}", feedback.id), &feedback_view(&feedback))
}
