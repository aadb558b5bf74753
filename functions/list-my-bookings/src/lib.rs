//! `GET /bookings?as=client|photographer&status=&from=&to=&order=&limit=&cursor=`: the
//! caller's own bookings by start time, earliest first or (`order=desc`) latest first.
//! `as` defaults to the caller's role.

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
    #[error("only photographers have bookings as a photographer")]
    NotAPhotographer,
    #[error("admins list bookings with GET /admin/bookings")]
    AdminsUseAdminListing,
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::List(e) => e.to_problem(),
            Error::NotAPhotographer => Problem::forbidden(self.to_string()),
            Error::AdminsUseAdminListing => Problem::forbidden(self.to_string()),
        }
    }
}

pub async fn handle<S: UserReader + BookingReader + NameReader>(
    app: &App<S>,
    req: Request,
) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate(app, &req).await?;
    let mut q = Query::of(&req);
    let as_role = q.parse("as", "client or photographer", |s| match s {
        "client" => Some(Role::Client),
        "photographer" => Some(Role::Photographer),
        _ => None,
    });
    let (party, name) = match as_role.unwrap_or(caller.role()) {
        Role::Client => (Party::Client(caller.id()), "client"),
        Role::Photographer if caller.role() == Role::Photographer => (Party::Photographer(caller.id()), "photographer"),
        Role::Photographer => return Err(Error::NotAPhotographer),
        Role::Admin => return Err(Error::AdminsUseAdminListing),
    };
    let scope = format!("my-bookings|{}|{name:?}", caller.id());
    Ok(list_bookings(app, q, party, &scope, &["as"]).await?)
}
