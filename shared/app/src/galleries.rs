//! Who may see a client gallery, answered alike by every gallery endpoint: its
//! photographer, and its client once delivered. Anyone else (admins included) gets the
//! same 404 as for a gallery that does not exist, so galleries cannot be probed.

use crate::Caller;
use cm_core::BookingId;
use cm_http::Problem;
use cm_media::{Gallery, Viewer};
use cm_store::{GalleryReader, StoreError};

pub async fn visible_gallery<S: GalleryReader>(
    store: &S,
    caller: &Caller,
    booking: BookingId,
) -> Result<Option<(Gallery, Viewer)>, StoreError> {
    Ok(store.get_gallery(booking).await?.and_then(|g| {
        let viewer = g.viewer(caller.id())?;
        Some((g, viewer))
    }))
}

pub fn gallery_not_found(booking: BookingId) -> Problem {
    Problem::not_found(format!("no gallery of yours for booking `{booking}`"))
}

/// A change only the photographer (or only the client) makes.
pub fn not_yours(what: &str) -> Problem {
    Problem::forbidden(format!("only the booking's {what} can do this"))
}
