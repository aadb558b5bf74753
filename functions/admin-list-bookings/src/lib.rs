//! `GET /admin/bookings?status=&from=&to=&order=&limit=&cursor=`: every booking by start
//! time, earliest first or (`order=desc`) latest first.

use cm_accounts::Role;
use cm_app::listing::{ListBookingsError, list_bookings};
use cm_app::{App, AuthError};
use cm_http::{Body, IntoProblem, Problem, Query, Request, Response};
use cm_store::bookings::Party;
use cm_store::{BookingReader, NameReader, UserReader};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    List(#[from] ListBookingsError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::List(e) => e.to_problem(),
        }
    }
}

pub async fn handle<S: UserReader + BookingReader + NameReader>(
    app: &App<S>,
    req: Request,
) -> Result<Response<Body>, Error> {
    cm_app::authenticate_as(app, &req, &[Role::Admin]).await?;
    // Everyone's bookings are read over shards, and the cursor holds each shard's place:
    // the shard count in the scope refuses (400) a cursor of another count or from
    // before sharding, rather than failing in the store.
    let scope = format!("admin-bookings/{}", cm_store::keys::BOOKING_SHARDS);
    Ok(list_bookings(app, Query::of(&req), Party::Everyone, &scope, &[]).await?)
}
