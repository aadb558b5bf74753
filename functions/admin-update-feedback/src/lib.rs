//! `PATCH /admin/feedback/{id}` `{status}`: triage.

use chrono::Utc;
use cm_domain::FeedbackId;
use cm_domain::account::Role;
use cm_http::review_view::feedback_view;
use cm_http::{ApiError, App, Body, Request, Response};
use cm_store::feedback::FeedbackStatus;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusInput {
    status: FeedbackStatus,
}

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    cm_http::authenticate_as(app, &req, &[Role::Admin]).await?;
    let id: FeedbackId = cm_http::path_param(&req, "id", "feedback")?;
    let input: StatusInput = cm_http::parse_json(&req)?;
    let not_found = || ApiError::NotFound(format!("no feedback with id `{id}`"));
    // The stream may be writing the analysis at the same moment; re-read and retry.
    for _ in 0..3 {
        let current = app.store.get_feedback(id).await?.ok_or_else(not_found)?;
        if current.status == input.status {
            return cm_http::ok(&feedback_view(&current));
        }
        if let Some(updated) = app.store.update_feedback_status(&current, input.status, Utc::now()).await? {
            return cm_http::ok(&feedback_view(&updated));
        }
    }
    Err(ApiError::conflict("concurrent-update", "Concurrent update", "the feedback changed meanwhile; retry"))
}
