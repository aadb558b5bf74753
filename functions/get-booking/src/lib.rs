//! `GET /bookings/{id}`: for its client, its photographer and admins; 404 for anyone
//! else, exactly as for a booking that does not exist. The other party is named
//! (`cm_app::names`), read together with the booking's payments.

use cm_app::bookings::{booking_not_found, visible_booking};
use cm_app::names::{Parties, reader_of};
use cm_app::store_problem;
use cm_app::{App, AuthError};
use cm_booking::view::view_with_payments;
use cm_core::BookingId;
use cm_http::{Body, IntoProblem, Problem, Request, RequestError, Response};
use cm_store::{BookingReader, NameReader, PaymentReader, StoreError, UserReader};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("booking {0} does not exist or is not the caller's")]
    NotFound(BookingId),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Request(e) => e.to_problem(),
            Error::NotFound(id) => booking_not_found(*id),
            Error::Store(e) => store_problem(e),
        }
    }
}

pub async fn handle<S: UserReader + BookingReader + PaymentReader + NameReader>(
    app: &App<S>,
    req: Request,
) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate(app, &req).await?;
    let id: BookingId = cm_http::path_param(&req, "id", "booking")?;
    let (booking, actor) = visible_booking(&app.store, &caller, id).await?.ok_or(Error::NotFound(id))?;
    let (ledger, parties) = tokio::try_join!(
        app.store.get_ledger(id),
        Parties::of(&app.store, reader_of(actor), [(booking.client_id, booking.photographer_id)])
    )?;
    let view = view_with_payments(&booking, ledger.as_ref());
    Ok(cm_http::ok(&parties.name(view, booking.client_id, booking.photographer_id)))
}
