//! `POST /photographers/me/portfolio/uploads` `{filename, content_type, size_bytes,
//! category, caption?}`: a photographer asks to add a photo and gets an upload ticket,
//! a presigned S3 POST that S3 itself limits to the declared type, at most the
//! declared size, one key under `incoming/`, for a few minutes. The item is `pending`
//! until `process-upload` has looked at the bytes.
//!
//! Quotas (photos and bytes per photographer) are checked against the portfolio as
//! read, and the new item commits only if no other was added since
//! (`PortfolioWriter::add_portfolio_item`), so concurrent requests cannot overshoot.

use cm_accounts::account::Role;
use cm_app::{App, AuthError, store_problem};
use cm_core::FieldErrors;
use cm_http::{Body, Internal, IntoProblem, Problem, Request, RequestError, Response};
use cm_media::objects::incoming_key;
use cm_media::upload::{Quota, QuotaError, UploadRequest, next_position};
use cm_media::{ItemId, ItemStatus};
use cm_runtime::{Ticket, UploadSigner};
use cm_store::{PortfolioReader, PortfolioWriter, StoreError, UserReader};
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("invalid upload: {0}")]
    Invalid(#[from] FieldErrors),
    #[error(transparent)]
    Quota(#[from] QuotaError),
    #[error("other uploads kept being added while this one was")]
    Contended,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Request(e) => e.to_problem(),
            Error::Invalid(errors) => Problem::validation(errors.clone()),
            Error::Quota(e) => Problem::conflict("portfolio-quota", "Portfolio quota reached", e.to_string()),
            Error::Contended => cm_app::busy(),
            Error::Store(e) => store_problem(e),
            Error::Internal(e) => e.to_problem(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UploadBody {
    filename: String,
    content_type: String,
    size_bytes: i64,
    category: String,
    #[serde(default)]
    caption: Option<String>,
}

#[derive(Serialize)]
struct Answer {
    item: Created,
    upload: cm_media::policy::PresignedPost,
}

#[derive(Serialize)]
struct Created {
    id: ItemId,
    status: ItemStatus,
    position: u32,
}

/// Attempts at the quota check and insert when other uploads keep winning.
const ATTEMPTS: usize = 3;

pub async fn handle<S: UserReader + PortfolioReader + PortfolioWriter>(
    app: &App<S>,
    uploads: &UploadSigner,
    req: Request,
) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate_as(app, &req, &[Role::Photographer]).await?;
    let body = cm_http::parse_json::<UploadBody>(&req)?;
    let request = UploadRequest::parse(
        &body.filename,
        &body.content_type,
        body.size_bytes,
        &body.category,
        body.caption.as_deref(),
    )?;
    let now = app.now();
    for _ in 0..ATTEMPTS {
        let portfolio = app.store.portfolio(caller.id(), true).await?;
        Quota::of(&portfolio.items, now).admit(request.size_bytes)?;
        let item = request.pending_item(ItemId::new(), caller.id(), next_position(&portfolio.items), now);
        if !app.store.add_portfolio_item(&item, portfolio.version).await? {
            continue;
        }
        let ticket = Ticket {
            key: incoming_key(caller.id(), item.id),
            content_type: item.content_type.clone(),
            // S3 refuses more than was declared, so the quota counted it right.
            max_bytes: item.declared_bytes,
            expires_at: item.upload_expires_at,
        };
        let upload = uploads.sign(&ticket, now).await?;
        let answer = Answer { item: Created { id: item.id, status: item.status, position: item.position }, upload };
        return Ok(cm_http::created(&format!("/photographers/me/portfolio/{}", item.id), &answer));
    }
    Err(Error::Contended)
}
