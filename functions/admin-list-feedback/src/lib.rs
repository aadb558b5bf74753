//! `GET /admin/feedback?sentiment=&status=&limit=&cursor=`: feedback, newest first.

use cm_domain::account::Role;
use cm_http::review_view::feedback_view;
use cm_http::{ApiError, App, Body, PageBody, Query, Request, Response};
use cm_sentiment::Label;
use cm_store::feedback::FeedbackStatus;

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    cm_http::authenticate_as(app, &req, &[Role::Admin]).await?;
    let mut q = Query::of(&req);
    let status = q.parse("status", "open, in_progress or resolved", FeedbackStatus::parse);
    let sentiment = q.parse("sentiment", "positive, neutral or negative", |s| match s {
        "positive" => Some(Label::Positive),
        "neutral" => Some(Label::Neutral),
        "negative" => Some(Label::Negative),
        _ => None,
    });
    let limit = q.limit();
    let cursor = q.text("cursor");
    q.finish(&["status", "sentiment", "limit", "cursor"])?;
    let scope = format!("admin-feedback|{status:?}|{sentiment:?}");
    let after = cursor.map(|c| app.decode_cursor(&scope, &c)).transpose()?;
    let page = app.store.list_feedback(status, sentiment, limit, after.as_ref()).await?;
    let next_cursor = page.next.map(|k| app.encode_cursor(&scope, &k)).transpose()?;
    let items: Vec<_> = page.items.iter().map(feedback_view).collect();
    cm_http::ok(&PageBody { items, next_cursor })
}
