//! `DELETE /bookings/{id}/gallery/photos/{photo}`: the booking's photographer removes a
//! photo from the client gallery: every object it has (its upload if still there, the
//! display sizes and the full size), then its record, which gives back what it held of
//! the gallery's quota. Objects go first: a failure in between leaves a record whose
//! deletion can be retried, never a file nobody can delete.

use cm_app::galleries::{gallery_not_found, not_yours, visible_gallery};
use cm_app::{App, AuthError, store_problem};
use cm_core::BookingId;
use cm_http::{Body, Internal, IntoProblem, Problem, Request, RequestError, Response};
use cm_media::{ItemId, Viewer};
use cm_runtime::MediaBucket;
use cm_store::{GalleryReader, GalleryWriter, StoreError, UserReader};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("no gallery of the caller's for booking {0}")]
    NoGallery(BookingId),
    #[error("photo {0} is not in the gallery")]
    NoPhoto(ItemId),
    #[error("only the photographer removes photos")]
    NotPhotographer,
    #[error("the photo kept changing while it was being deleted")]
    Contended,
    #[error(transparent)]
    S3(#[from] Internal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Request(e) => e.to_problem(),
            Error::NoGallery(id) => gallery_not_found(*id),
            Error::NoPhoto(id) => Problem::not_found(format!("no photo `{id}` in this gallery")),
            Error::NotPhotographer => not_yours("photographer"),
            Error::Contended => cm_app::busy(),
            Error::S3(e) => e.to_problem(),
            Error::Store(e) => store_problem(e),
        }
    }
}

const ATTEMPTS: usize = 3;

pub async fn handle<S: UserReader + GalleryReader + GalleryWriter>(
    app: &App<S>,
    bucket: &MediaBucket,
    req: Request,
) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate(app, &req).await?;
    let id: BookingId = cm_http::path_param(&req, "id", "booking")?;
    let photo_id: ItemId = cm_http::path_param(&req, "photo", "photo")?;
    let (_, viewer) = visible_gallery(&app.store, &caller, id).await?.ok_or(Error::NoGallery(id))?;
    if viewer != Viewer::Photographer {
        return Err(Error::NotPhotographer);
    }
    for _ in 0..ATTEMPTS {
        let photo = app.store.get_gallery_photo(id, photo_id).await?.ok_or(Error::NoPhoto(photo_id))?;
        bucket.delete(&photo.object_keys()).await?;
        if app.store.delete_gallery_photo(&photo).await? {
            return Ok(cm_http::no_content());
        }
    }
    Err(Error::Contended)
}
