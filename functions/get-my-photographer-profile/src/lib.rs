//! `GET /photographers/me`: the caller's own profile as clients see it, and the state
//! of their payout account (which only they see: clients can pay only once it is
//! `active`).

use cm_accounts::Role;
use cm_app::store_problem;
use cm_app::{App, AuthError};
use cm_http::{Body, IntoProblem, Problem, Request, Response};
use cm_payments::PayoutStatus;
use cm_store::{PaymentReader, PhotographerReader, StoreError, UserReader};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error("no photographer profile yet")]
    NoProfile,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::NoProfile => {
                Problem::not_found("you have no photographer profile yet; create it with PUT /photographers/me")
            }
            Error::Store(e) => store_problem(e),
        }
    }
}

#[derive(Serialize)]
struct Payouts {
    status: PayoutStatus,
}

#[derive(Serialize)]
struct OwnProfile<T: Serialize> {
    #[serde(flatten)]
    public: T,
    payouts: Payouts,
}

pub async fn handle<S: UserReader + PhotographerReader + PaymentReader>(
    app: &App<S>,
    req: Request,
) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate_as(app, &req, &[Role::Photographer]).await?;
    let (record, payout) =
        futures::try_join!(app.store.get_photographer(caller.id()), app.store.payout_account(caller.id()))?;
    let record = record.ok_or(Error::NoProfile)?;
    let status = payout.map_or(PayoutStatus::NotStarted, |p| p.status);
    Ok(cm_http::ok(&OwnProfile { public: record.public(), payouts: Payouts { status } }))
}
