//! `GET /bookings/{id}/gallery?favourites=&limit=&cursor=`: the client gallery of a
//! booking, for its photographer (every photo, with its status and why it was refused)
//! or, once delivered, its client (ready photos only). Each ready photo comes with
//! links to its thumbnail, preview and full-resolution download, presigned for
//! [`LINK_MINUTES`]: the objects are private, and a link is the only way to them.
//! Anyone else gets 404. Photos in upload order; expired ones are never listed.

use chrono::Duration;
use cm_app::galleries::{gallery_not_found, visible_gallery};
use cm_app::{App, AuthError, store_problem};
use cm_core::BookingId;
use cm_http::{Body, Internal, IntoProblem, Problem, Query, Request, RequestError, Response};
use cm_media::gallery::{GalleryView, PhotoLinks, PhotoView};
use cm_media::{GalleryPhoto, Viewer};
use cm_runtime::MediaBucket;
use cm_store::gallery::PhotoQuery;
use cm_store::{GalleryReader, PageKey, StoreError, UserReader};
use serde::Serialize;

/// How long a photo link works. Long enough to look through a page and download it;
/// a reload brings fresh links.
pub const LINK_MINUTES: i64 = 15;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("no gallery of the caller's for booking {0}")]
    NotFound(BookingId),
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
            Error::NotFound(id) => gallery_not_found(*id),
            Error::Store(e) => store_problem(e),
            Error::Internal(e) => e.to_problem(),
        }
    }
}

#[derive(Serialize)]
struct Answer {
    gallery: GalleryView,
    items: Vec<PhotoView>,
    next_cursor: Option<String>,
}

pub async fn handle<S: UserReader + GalleryReader>(
    app: &App<S>,
    bucket: &MediaBucket,
    req: Request,
) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate(app, &req).await?;
    let id: BookingId = cm_http::path_param(&req, "id", "booking")?;
    let mut q = Query::of(&req);
    let limit = q.limit();
    let favourites = q.parse("favourites", "true or false", |v| v.parse::<bool>().ok()).unwrap_or(false);
    let cursor = q.text("cursor");
    q.finish(&["favourites", "limit", "cursor"])?;
    let (gallery, viewer) = visible_gallery(&app.store, &caller, id).await?.ok_or(Error::NotFound(id))?;
    // Bound to the gallery, the filter and who asked: the client's pages skip photos
    // the photographer's include.
    let scope = format!("gallery|{id}|{favourites}|{viewer:?}");
    let after: Option<PageKey> = cursor.map(|c| app.cursors()?.decode(&scope, &c).map_err(Error::from)).transpose()?;
    let now = app.now();
    let query = PhotoQuery {
        booking: id,
        ready_only: viewer == Viewer::Client,
        favourites_only: favourites,
        now,
        limit,
        after,
    };
    let page = app.store.gallery_photos(&query).await?;
    let next_cursor = page.next.map(|k| app.cursors()?.encode(&scope, &k)).transpose()?;
    let mut items = Vec::with_capacity(page.items.len());
    for photo in page.items.iter().filter(|p| p.visible_to(viewer, now)) {
        items.push(photo.view(viewer, links(bucket, photo, now).await?));
    }
    Ok(cm_http::ok(&Answer { gallery: gallery.view(), items, next_cursor }))
}

async fn links(
    bucket: &MediaBucket,
    photo: &GalleryPhoto,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<PhotoLinks>, Internal> {
    let Some(keys) = photo.link_keys() else { return Ok(None) };
    let valid = Duration::minutes(LINK_MINUTES);
    let std_valid = valid.to_std().map_err(Internal::new)?;
    Ok(Some(PhotoLinks {
        thumbnail: bucket.link(&keys.thumbnail, None, now, std_valid).await?,
        preview: bucket.link(&keys.preview, None, now, std_valid).await?,
        download: bucket.link(&keys.download, Some(&photo.download_name()), now, std_valid).await?,
        expire_at: now + valid,
    }))
}
