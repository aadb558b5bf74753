//! `PATCH /photographers/me/portfolio/{item}` `{caption?, category?, position?,
//! cover?}`: the photographer edits one of their items (any status). `caption: null`
//! removes the caption. `cover: true` makes a ready item the cover photo of their
//! profile and search listings; `cover: false` stops it being the cover. Answers the
//! item as its photographer sees it.

use cm_accounts::account::Role;
use cm_app::{App, AuthError, store_problem};
use cm_core::FieldErrors;
use cm_http::{Body, IntoProblem, Problem, Request, RequestError, Response};
use cm_media::ItemId;
use cm_media::item::{ItemPatch, MAX_POSITION, check_caption, parse_category};
use cm_store::photographers::ProfileWriteError;
use cm_store::{CoverPhotos, PhotographerReader, PortfolioReader, PortfolioWriter, StoreError, UserReader};
use serde::{Deserialize, Deserializer};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("invalid change: {0}")]
    Invalid(#[from] FieldErrors),
    #[error("portfolio item {0} does not exist or is not the caller's")]
    NotFound(ItemId),
    /// `/photographers/me/portfolio/uploads` fits this route's template but is the
    /// upload route's path: answered as `$default` answers methods no route serves.
    #[error("{0} /photographers/me/portfolio/uploads is not a portfolio item")]
    UploadsPath(&'static str),
    #[error("the item kept changing while it was being edited")]
    Contended,
    #[error("portfolio item {0} is not ready: only a published photo can be the cover")]
    NotReady(ItemId),
    #[error("a cover photo needs a photographer profile first")]
    NoProfile,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Request(e) => e.to_problem(),
            Error::Invalid(errors) => Problem::validation(errors.clone()),
            Error::NotFound(id) => Problem::not_found(format!("no portfolio item `{id}` of yours")),
            Error::UploadsPath(method) => {
                Problem::method_not_allowed("/photographers/me/portfolio/uploads", method, "POST")
            }
            Error::Contended => cm_app::busy(),
            Error::NotReady(_) => Problem::conflict("portfolio-item-not-ready", "Not ready", self.to_string()),
            Error::NoProfile => Problem::conflict("profile-required", "Profile required", self.to_string()),
            Error::Store(e) => store_problem(e),
        }
    }
}

impl From<ProfileWriteError> for Error {
    fn from(e: ProfileWriteError) -> Error {
        match e {
            ProfileWriteError::Contended => Error::Contended,
            ProfileWriteError::Store(e) => Error::Store(e),
        }
    }
}

/// `Some(None)` for an explicit `null`, `None` when absent.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatchBody {
    #[serde(default, deserialize_with = "present")]
    caption: Option<Option<String>>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    position: Option<i64>,
    #[serde(default)]
    cover: Option<bool>,
}

impl PatchBody {
    fn validate(self) -> Result<ItemPatch, FieldErrors> {
        let mut errors = FieldErrors::new();
        let caption = self.caption.map(|c| check_caption(&mut errors, c.as_deref()));
        let category = self.category.and_then(|c| parse_category(&mut errors, &c));
        let position = self.position.and_then(|p| {
            let ok = (1..=i64::from(MAX_POSITION)).contains(&p);
            if !ok {
                errors.add("position", format!("must be an integer from 1 to {MAX_POSITION}"));
            }
            ok.then_some(p as u32)
        });
        errors.into_result(ItemPatch { caption, category, position, cover: self.cover })
    }
}

const ATTEMPTS: usize = 3;

pub async fn handle<S: UserReader + PhotographerReader + CoverPhotos + PortfolioReader + PortfolioWriter>(
    app: &App<S>,
    public_base: &str,
    req: Request,
) -> Result<Response<Body>, Error> {
    if lambda_http::RequestExt::path_parameters(&req).first("item") == Some("uploads") {
        return Err(Error::UploadsPath("PATCH"));
    }
    let caller = cm_app::authenticate_as(app, &req, &[Role::Photographer]).await?;
    let id: ItemId = cm_http::path_param(&req, "item", "portfolio item")?;
    let patch = cm_http::parse_json::<PatchBody>(&req)?.validate()?;
    for _ in 0..ATTEMPTS {
        let item = app.store.get_portfolio_item(caller.id(), id).await?.ok_or(Error::NotFound(id))?;
        let edit = ItemPatch { cover: None, ..patch.clone() };
        let next = if edit.is_empty() { item.clone() } else { item.apply(&edit, app.now()) };
        if !edit.is_empty() && !app.store.replace_portfolio_item(&item, &next).await? {
            continue;
        }
        let is_cover = match patch.cover {
            Some(true) => {
                let cover = next.cover_photo(public_base).ok_or(Error::NotReady(id))?;
                app.store.set_cover_photo(caller.id(), Some(cover), None, app.now()).await?.ok_or(Error::NoProfile)?;
                true
            }
            Some(false) => {
                app.store.set_cover_photo(caller.id(), None, Some(&id.to_string()), app.now()).await?;
                false
            }
            None => app
                .store
                .get_photographer(caller.id())
                .await?
                .and_then(|p| p.cover)
                .is_some_and(|c| c.item_id == id.to_string()),
        };
        return Ok(cm_http::ok(&next.own(public_base, is_cover)));
    }
    Err(Error::Contended)
}
