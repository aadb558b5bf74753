//! `PUT /bookings/{id}/gallery` `{retention_days?, delivered?}`: the booking's
//! photographer opens the client gallery of a confirmed or completed booking (201), or
//! changes it (200): the retention (one of 30, 90, 180, 365 days, while no photo is
//! uploaded yet), and delivery. `delivered: true` gives the client access; the client
//! is then notified (the notify-booking-change stream function sees the gallery
//! delivered). An absent field keeps what the gallery has (a new one: 90 days, not
//! delivered).

use cm_app::galleries::not_yours;
use cm_app::{App, AuthError, store_problem};
use cm_booking::Actor;
use cm_core::{BookingId, FieldErrors};
use cm_http::{Body, IntoProblem, Problem, Request, RequestError, Response};
use cm_media::Gallery;
use cm_media::gallery::{DEFAULT_RETENTION_DAYS, GalleryError, Settings, check_retention};
use cm_store::{BookingReader, GalleryReader, GalleryWriter, StoreError, UserReader};
use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("invalid gallery settings: {0}")]
    Invalid(#[from] FieldErrors),
    #[error("booking {0} does not exist or is not the caller's")]
    NotFound(BookingId),
    #[error("only the photographer changes a gallery")]
    NotPhotographer,
    #[error(transparent)]
    Rule(#[from] GalleryError),
    #[error("the gallery kept changing while it was being changed")]
    Contended,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Request(e) => e.to_problem(),
            Error::Invalid(errors) => Problem::validation(errors.clone()),
            Error::NotFound(id) => cm_app::bookings::booking_not_found(*id),
            Error::NotPhotographer => not_yours("photographer"),
            Error::Rule(e) => {
                let code = match e {
                    GalleryError::BookingNotEligible(_) => "gallery-booking-not-eligible",
                    GalleryError::RetentionLocked(_) => "gallery-retention-locked",
                    GalleryError::NothingToDeliver => "gallery-empty",
                    GalleryError::CannotUndeliver => "gallery-delivered",
                };
                Problem::conflict(code, "Gallery change not allowed", e.to_string())
            }
            Error::Contended => cm_app::busy(),
            Error::Store(e) => store_problem(e),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsBody {
    #[serde(default)]
    retention_days: Option<i64>,
    #[serde(default)]
    delivered: Option<bool>,
}

const ATTEMPTS: usize = 3;

pub async fn handle<S: UserReader + BookingReader + GalleryReader + GalleryWriter>(
    app: &App<S>,
    req: Request,
) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate(app, &req).await?;
    let id: BookingId = cm_http::path_param(&req, "id", "booking")?;
    let body = cm_http::parse_json::<SettingsBody>(&req)?;
    let mut errors = FieldErrors::new();
    let retention = body.retention_days.map(|d| check_retention(&mut errors, d));
    errors.into_result(())?;
    let retention = retention.flatten();
    let (booking, actor) =
        cm_app::bookings::visible_booking(&app.store, &caller, id).await?.ok_or(Error::NotFound(id))?;
    if actor != Actor::Photographer {
        return Err(Error::NotPhotographer);
    }
    for _ in 0..ATTEMPTS {
        let now = app.now();
        match app.store.get_gallery(id).await? {
            None => {
                let new = Gallery::open(&booking, retention.unwrap_or(DEFAULT_RETENTION_DAYS), now)?;
                let settings =
                    Settings { retention_days: new.retention_days, delivered: body.delivered.unwrap_or(false) };
                let new = new.apply(settings, now)?.unwrap_or(new);
                if app.store.create_gallery(&new).await? {
                    return Ok(cm_http::created(&format!("/bookings/{id}/gallery"), &new.view()));
                }
            }
            Some(gallery) => {
                let settings = Settings {
                    retention_days: retention.unwrap_or(gallery.retention_days),
                    delivered: body.delivered.unwrap_or(gallery.delivered_at.is_some()),
                };
                let Some(next) = gallery.apply(settings, now)? else { return Ok(cm_http::ok(&gallery.view())) };
                if app.store.update_gallery_settings(&gallery, &next).await? {
                    return Ok(cm_http::ok(&next.view()));
                }
            }
        }
    }
    Err(Error::Contended)
}
