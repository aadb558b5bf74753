//! `POST /bookings/{id}/gallery/uploads` `{filename, content_type, size_bytes}`: the
//! booking's photographer asks to add a photo to its client gallery and gets an upload
//! ticket (a presigned S3 POST limited by S3 itself to the declared type, at most the
//! declared size, one key under `incoming/`, for a few minutes), as for the portfolio.
//! The first upload opens the gallery with the default retention when the photographer
//! has not opened it with `PUT /bookings/{id}/gallery`.
//!
//! The quota (photos and bytes per gallery) is kept by the gallery's counters, moved in
//! the same transaction as the new photo, so concurrent tickets cannot overshoot it.

use cm_app::galleries::not_yours;
use cm_app::{App, AuthError, store_problem};
use cm_booking::Actor;
use cm_core::{BookingId, FieldErrors};
use cm_http::{Body, Internal, IntoProblem, Problem, Request, RequestError, Response};
use cm_media::gallery::{DEFAULT_RETENTION_DAYS, GalleryError, GalleryQuotaError, GalleryUpload, eligible};
use cm_media::objects::gallery_incoming_key;
use cm_media::{Gallery, ItemId, ItemStatus};
use cm_runtime::{Ticket, UploadSigner};
use cm_store::{BookingReader, GalleryReader, GalleryWriter, StoreError, UserReader};
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("invalid upload: {0}")]
    Invalid(#[from] FieldErrors),
    #[error("booking {0} does not exist or is not the caller's")]
    NotFound(BookingId),
    #[error("only the photographer uploads to a gallery")]
    NotPhotographer,
    #[error(transparent)]
    NotEligible(#[from] GalleryError),
    #[error(transparent)]
    Quota(#[from] GalleryQuotaError),
    #[error("other uploads kept changing the gallery while this one was added")]
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
            Error::NotFound(id) => cm_app::bookings::booking_not_found(*id),
            Error::NotPhotographer => not_yours("photographer"),
            Error::NotEligible(e) => Problem::conflict("gallery-booking-not-eligible", "No gallery", e.to_string()),
            Error::Quota(e) => Problem::conflict("gallery-quota", "Gallery quota reached", e.to_string()),
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
}

#[derive(Serialize)]
struct Answer {
    photo: Created,
    upload: cm_media::policy::PresignedPost,
}

#[derive(Serialize)]
struct Created {
    id: ItemId,
    status: ItemStatus,
}

const ATTEMPTS: usize = 3;

pub async fn handle<S: UserReader + BookingReader + GalleryReader + GalleryWriter>(
    app: &App<S>,
    uploads: &UploadSigner,
    req: Request,
) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate(app, &req).await?;
    let id: BookingId = cm_http::path_param(&req, "id", "booking")?;
    let body = cm_http::parse_json::<UploadBody>(&req)?;
    let upload = GalleryUpload::parse(&body.filename, &body.content_type, body.size_bytes)?;
    let (booking, actor) =
        cm_app::bookings::visible_booking(&app.store, &caller, id).await?.ok_or(Error::NotFound(id))?;
    if actor != Actor::Photographer {
        return Err(Error::NotPhotographer);
    }
    // A booking cancelled after its gallery was opened takes no more photos.
    eligible(&booking)?;
    let now = app.now();
    for _ in 0..ATTEMPTS {
        let gallery = match app.store.get_gallery(id).await? {
            Some(g) => g,
            None => {
                let new = Gallery::open(&booking, DEFAULT_RETENTION_DAYS, now)?;
                app.store.create_gallery(&new).await?;
                continue;
            }
        };
        gallery.admit(upload.size_bytes)?;
        let photo = upload.pending_photo(&gallery, ItemId::new(), now);
        if !app.store.add_gallery_photo(&photo).await? {
            // Its quota filled or its retention changed meanwhile: read it again.
            continue;
        }
        let ticket = Ticket {
            key: gallery_incoming_key(id, photo.id),
            content_type: photo.content_type.clone(),
            max_bytes: photo.declared_bytes,
            expires_at: photo.upload_expires_at,
        };
        let signed = uploads.sign(&ticket, now).await?;
        let answer = Answer { photo: Created { id: photo.id, status: photo.status }, upload: signed };
        return Ok(cm_http::created(&format!("/bookings/{id}/gallery"), &answer));
    }
    Err(Error::Contended)
}
