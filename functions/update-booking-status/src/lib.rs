//! `PUT /bookings/{id}/status` `{status, reason?}`: confirm, decline, cancel or
//! complete. Each change is a compare-and-set on the booking's version: of two tabs
//! confirming and declining at once, exactly one wins and the other gets 409.

use cm_app::bookings::{booking_not_found, stale_problem, transition_problem, visible_booking};
use cm_app::store_problem;
use cm_app::{App, AuthError};
use cm_booking::view::view;
use cm_booking::{BookingStatus, TransitionError, transition};
use cm_core::BookingId;
use cm_http::{Body, IntoProblem, Problem, Request, RequestError, Response};
use cm_store::bookings::BookingWriteError;
use cm_store::{BookingReader, BookingWriter, StoreError, UserReader};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusInput {
    status: BookingStatus,
    reason: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("booking {0} does not exist or is not the caller's")]
    NotFound(BookingId),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error("the booking changed meanwhile")]
    Stale,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<BookingWriteError> for Error {
    fn from(e: BookingWriteError) -> Self {
        match e {
            BookingWriteError::Stale => Error::Stale,
            BookingWriteError::Store(e) => Error::Store(e),
            // A status change takes no new blocks, day counts, places or keys.
            BookingWriteError::Overlap
            | BookingWriteError::DailyLimit
            | BookingWriteError::DayChanged
            | BookingWriteError::IdempotencyKeyTaken => {
                Error::Store(StoreError::Corrupt(format!("a status change failed as {e:?}")))
            }
        }
    }
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Request(e) => e.to_problem(),
            Error::NotFound(id) => booking_not_found(*id),
            Error::Transition(e) => transition_problem(e),
            Error::Stale => stale_problem(),
            Error::Store(e) => store_problem(e),
        }
    }
}

pub async fn handle<S: UserReader + BookingReader + BookingWriter>(
    app: &App<S>,
    req: Request,
) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate(app, &req).await?;
    let id: BookingId = cm_http::path_param(&req, "id", "booking")?;
    let input: StatusInput = cm_http::parse_json(&req)?;
    let (booking, actor) = visible_booking(&app.store, &caller, id).await?.ok_or(Error::NotFound(id))?;
    let mut ctx = booking.transition_context(app.now());
    ctx.reason = input.reason;
    let change = transition(booking.status, input.status, actor, &ctx)?;
    let updated = booking.after_transition(&change, Some(caller.id()));
    app.store.update_booking_status(&booking, &updated).await?;
    Ok(cm_http::ok(&view(&updated)))
}
