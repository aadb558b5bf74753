//! `GET /photographers/{id}`: a photographer's public profile. Unknown and
//! deactivated photographers are indistinguishable: both 404.

use cm_app::App;
use cm_app::store_problem;
use cm_core::UserId;
use cm_http::{Body, IntoProblem, Problem, Request, RequestError, Response};
use cm_store::{PhotographerReader, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("photographer {0} does not exist or is not listed")]
    NotFound(UserId),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Request(e) => e.to_problem(),
            Error::NotFound(id) => Problem::not_found(format!("no photographer with id `{id}`")),
            Error::Store(e) => store_problem(e),
        }
    }
}

pub async fn handle<S: PhotographerReader>(app: &App<S>, req: Request) -> Result<Response<Body>, Error> {
    let id: UserId = cm_http::path_param(&req, "id", "photographer")?;
    match app.store.get_photographer(id).await? {
        Some(record) if record.listed => Ok(cm_http::ok(&record.public())),
        _ => Err(Error::NotFound(id)),
    }
}
