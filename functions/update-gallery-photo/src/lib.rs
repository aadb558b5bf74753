//! `PATCH /bookings/{id}/gallery/photos/{photo}` `{favourite}`: the booking's client
//! marks a delivered photo as a favourite, or unmarks it (proofing: the photographer
//! sees the choice in the gallery listing, `?favourites=true` lists only those). The
//! photographer cannot choose for the client (403); anyone else gets 404.

use cm_app::galleries::{gallery_not_found, not_yours, visible_gallery};
use cm_app::{App, AuthError, store_problem};
use cm_core::BookingId;
use cm_http::{Body, IntoProblem, Problem, Request, RequestError, Response};
use cm_media::{ItemId, Viewer};
use cm_store::{GalleryReader, GalleryWriter, StoreError, UserReader};
use serde::Deserialize;

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
    #[error("only the client chooses favourites")]
    NotClient,
    #[error("the photo kept changing while it was being marked")]
    Contended,
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
            Error::NotClient => not_yours("client"),
            Error::Contended => cm_app::busy(),
            Error::Store(e) => store_problem(e),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatchBody {
    favourite: bool,
}

#[derive(serde::Serialize)]
struct Answer {
    id: ItemId,
    favourite: bool,
    updated_at: chrono::DateTime<chrono::Utc>,
}

const ATTEMPTS: usize = 3;

pub async fn handle<S: UserReader + GalleryReader + GalleryWriter>(
    app: &App<S>,
    req: Request,
) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate(app, &req).await?;
    let id: BookingId = cm_http::path_param(&req, "id", "booking")?;
    let photo_id: ItemId = cm_http::path_param(&req, "photo", "photo")?;
    let body = cm_http::parse_json::<PatchBody>(&req)?;
    let (_, viewer) = visible_gallery(&app.store, &caller, id).await?.ok_or(Error::NoGallery(id))?;
    if viewer != Viewer::Client {
        return Err(Error::NotClient);
    }
    for _ in 0..ATTEMPTS {
        let now = app.now();
        let photo = app
            .store
            .get_gallery_photo(id, photo_id)
            .await?
            .filter(|p| p.visible_to(viewer, now))
            .ok_or(Error::NoPhoto(photo_id))?;
        if photo.favourite == body.favourite {
            return Ok(cm_http::ok(&Answer { id: photo.id, favourite: photo.favourite, updated_at: photo.updated_at }));
        }
        let next = photo.with_favourite(body.favourite, now);
        if app.store.replace_gallery_photo(&photo, &next).await? {
            return Ok(cm_http::ok(&Answer { id: next.id, favourite: next.favourite, updated_at: next.updated_at }));
        }
    }
    Err(Error::Contended)
}
