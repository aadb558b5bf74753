//! HTTP plumbing shared by every API function.

mod app;
pub mod auth;
pub mod body;
pub mod booking;
pub mod booking_list;
pub mod cursor;
mod error;
pub mod params;
pub mod problem;
pub mod response;
pub mod review_view;
pub mod session;

pub use app::{App, ConfigError, dispatch, init_tracing, run, run_event};
pub use auth::{Caller, authenticate, authenticate_as};
pub use body::parse_json;
pub use error::ApiError;
pub use params::{Query, path_param};
pub use problem::Problem;
pub use response::{PageBody, created, json, no_content, ok};

pub use lambda_http::{Body, Request, Response};
