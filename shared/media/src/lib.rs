//! Photos on the platform: what a portfolio item is and how it moves from an upload
//! ticket to a published picture, the limits an upload must keep (types, sizes,
//! quotas), where its objects live in the media bucket, and the S3 POST policy that
//! makes S3 itself enforce those limits on the browser's upload. Pure: signing the
//! policy (which needs credentials) and all I/O happen outside.

pub mod gallery;
pub mod item;
pub mod objects;
pub mod policy;
pub mod upload;

pub use gallery::{Gallery, GalleryPhoto, Viewer};
pub use item::{Category, ItemId, ItemStatus, PortfolioItem, Variant};
pub use upload::{Quota, QuotaError, UploadRequest};
