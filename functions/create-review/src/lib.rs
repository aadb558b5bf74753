//! `POST /bookings/{id}/review` `{rating, text}`: the booking's client reviews a
//! completed session, once. The answer comes back at once; sentiment, topics and the
//! photographer's rating follow from the stream within seconds.

use chrono::Utc;
use cm_domain::BookingId;
use cm_domain::feedback::{ReviewInput, public_author};
use cm_http::booking::load_visible;
use cm_http::review_view::review_view;
use cm_http::{ApiError, App, Body, Request, Response};
use cm_scheduling::{Actor, BookingStatus};
use cm_store::reviews::{AnalysisState, Review};

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = cm_http::authenticate(app, &req).await?;
    let id: BookingId = cm_http::path_param(&req, "id", "booking")?;
    let input = cm_http::parse_json::<ReviewInput>(&req)?.validate()?;
    let (booking, actor) = load_visible(app, &caller, id).await?;
    if actor != Actor::Client {
        return Err(ApiError::Forbidden("only the booking's client can review it".into()));
    }
    if booking.status != BookingStatus::Completed {
        return Err(ApiError::conflict(
            "review-not-yet",
            "Not reviewable yet",
            format!("only completed bookings can be reviewed; this one is {}", booking.status),
        ));
    }
    let review = Review {
        id: booking.id,
        booking_id: booking.id,
        photographer_id: booking.photographer_id,
        client_id: booking.client_id,
        author: public_author(&caller.user.name),
        rating: input.rating,
        text: input.text,
        reply: None,
        sentiment: None,
        analysis_state: AnalysisState::Pending,
        analysis_version: 0,
        alert_pending: false,
        created_at: Utc::now(),
    };
    if !app.store.create_review(&review).await? {
        return Err(ApiError::conflict("already-reviewed", "Already reviewed", "this booking already has a review"));
    }
    cm_http::created(&format!("/photographers/{}/reviews", review.photographer_id), &review_view(&review))
}
