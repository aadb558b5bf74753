//! `PUT /reviews/{id}/reply` `{text}`: the reviewed photographer's one public reply
//! (PUT again to edit it).

use chrono::Utc;
use cm_domain::BookingId;
use cm_domain::account::Role;
use cm_domain::feedback::ReplyInput;
use cm_http::review_view::review_view;
use cm_http::{ApiError, App, Body, Request, Response};

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = cm_http::authenticate_as(app, &req, &[Role::Photographer]).await?;
    let id: BookingId = cm_http::path_param(&req, "id", "review")?;
    let text = cm_http::parse_json::<ReplyInput>(&req)?.validate()?;
    let not_found = || ApiError::NotFound(format!("no review with id `{id}`"));
    let review = app.store.get_review(id).await?.ok_or_else(not_found)?;
    if review.photographer_id != caller.id() {
        return Err(ApiError::Forbidden("only the reviewed photographer can reply".into()));
    }
    let updated = app.store.set_review_reply(id, &text, Utc::now()).await?.ok_or_else(not_found)?;
    cm_http::ok(&review_view(&updated))
}
