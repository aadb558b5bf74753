//! `POST /bookings/{id}/review` `{rating, text}`: the booking's client reviews a
//! completed session, once. The answer comes back at once; sentiment, topics and the
//! photographer's rating follow from the stream within seconds.

use cm_app::bookings::{booking_not_found, visible_booking};
use cm_app::store_problem;
use cm_app::{App, AuthError};
use cm_booking::{Actor, BookingStatus};
use cm_core::{BookingId, FieldErrors};
use cm_http::{Body, IntoProblem, Problem, Request, RequestError, Response};
use cm_reviews::Review;
use cm_reviews::input::{ReviewInput, public_author};
use cm_reviews::view::review_view;
use cm_store::{BookingReader, ReviewWriter, StoreError, UserReader};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("invalid review: {0}")]
    Invalid(#[from] FieldErrors),
    #[error("booking {0} does not exist or is not the caller's")]
    NotFound(BookingId),
    #[error("only the booking's client can review it")]
    NotTheClient,
    #[error("only completed bookings can be reviewed; this one is {0}")]
    NotCompleted(BookingStatus),
    #[error("this booking already has a review")]
    AlreadyReviewed,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Request(e) => e.to_problem(),
            Error::Invalid(errors) => Problem::validation(errors.clone()),
            Error::NotFound(id) => booking_not_found(*id),
            Error::NotTheClient => Problem::forbidden(self.to_string()),
            Error::NotCompleted(_) => Problem::conflict("review-not-yet", "Not reviewable yet", self.to_string()),
            Error::AlreadyReviewed => Problem::conflict("already-reviewed", "Already reviewed", self.to_string()),
            Error::Store(e) => store_problem(e),
        }
    }
}

pub async fn handle<S: UserReader + BookingReader + ReviewWriter>(
    app: &App<S>,
    req: Request,
) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate(app, &req).await?;
    let id: BookingId = cm_http::path_param(&req, "id", "booking")?;
    let input = cm_http::parse_json::<ReviewInput>(&req)?.validate()?;
    let (booking, actor) = visible_booking(&app.store, &caller, id).await?.ok_or(Error::NotFound(id))?;
    if actor != Actor::Client {
        return Err(Error::NotTheClient);
    }
    if booking.status != BookingStatus::Completed {
        return Err(Error::NotCompleted(booking.status));
    }
    let review = Review::new(
        booking.id,
        booking.photographer_id,
        booking.client_id,
        public_author(&caller.user.name),
        input.rating,
        input.text,
        app.now(),
    );
    if !app.store.create_review(&review).await? {
        return Err(Error::AlreadyReviewed);
    }
    Ok(cm_http::created(&format!("/photographers/{}/reviews", review.photographer_id), &review_view(&review)))
}
