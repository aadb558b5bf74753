//! `DELETE /photographers/me/portfolio/{item}`: removes the item and every object it
//! has in the media bucket (its upload, if still there, and each display size).
//!
//! Objects go first, the record last: a failure in between leaves a record whose
//! deletion can be retried, never a published picture nobody can delete. Should
//! processing settle the item meanwhile, the conditional delete fails and the objects
//! it wrote are removed on the next attempt; should processing lose instead, it removes
//! what it wrote itself (process-upload).

use cm_accounts::account::Role;
use cm_app::{App, AuthError, store_problem};
use cm_http::{Body, Internal, IntoProblem, Problem, Request, RequestError, Response};
use cm_media::ItemId;
use cm_runtime::MediaBucket;
use cm_store::photographers::ProfileWriteError;
use cm_store::{CoverPhotos, PortfolioReader, PortfolioWriter, StoreError, UserReader};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("portfolio item {0} does not exist or is not the caller's")]
    NotFound(ItemId),
    /// `/photographers/me/portfolio/uploads` fits this route's template but is the
    /// upload route's path: answered as `$default` answers methods no route serves.
    #[error("{0} /photographers/me/portfolio/uploads is not a portfolio item")]
    UploadsPath(&'static str),
    #[error("the item kept changing while it was being deleted")]
    Contended,
    #[error(transparent)]
    S3(#[from] Internal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ProfileWriteError> for Error {
    fn from(e: ProfileWriteError) -> Error {
        match e {
            ProfileWriteError::Contended => Error::Contended,
            ProfileWriteError::Store(e) => Error::Store(e),
        }
    }
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Request(e) => e.to_problem(),
            Error::NotFound(id) => Problem::not_found(format!("no portfolio item `{id}` of yours")),
            Error::UploadsPath(method) => {
                Problem::method_not_allowed("/photographers/me/portfolio/uploads", method, "POST")
            }
            Error::Contended => cm_app::busy(),
            Error::S3(e) => e.to_problem(),
            Error::Store(e) => store_problem(e),
        }
    }
}

const ATTEMPTS: usize = 3;

pub async fn handle<S: UserReader + CoverPhotos + PortfolioReader + PortfolioWriter>(
    app: &App<S>,
    bucket: &MediaBucket,
    req: Request,
) -> Result<Response<Body>, Error> {
    if lambda_http::RequestExt::path_parameters(&req).first("item") == Some("uploads") {
        return Err(Error::UploadsPath("DELETE"));
    }
    let caller = cm_app::authenticate_as(app, &req, &[Role::Photographer]).await?;
    let id: ItemId = cm_http::path_param(&req, "item", "portfolio item")?;
    for _ in 0..ATTEMPTS {
        let item = app.store.get_portfolio_item(caller.id(), id).await?.ok_or(Error::NotFound(id))?;
        // The profile stops showing it before its files go.
        app.store.set_cover_photo(caller.id(), None, Some(&id.to_string()), app.now()).await?;
        bucket.delete(&item.object_keys()).await?;
        if app.store.delete_portfolio_item(&item).await? {
            return Ok(cm_http::no_content());
        }
    }
    Err(Error::Contended)
}
