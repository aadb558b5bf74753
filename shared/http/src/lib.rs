//! HTTP plumbing shared by every API function, and nothing else: RFC 9457 problem
//! documents, JSON request bodies, path and query parameters, JSON answers, signed
//! pagination cursors and other sealed values, bearer tokens, and the loop step that turns a handler's result
//! into an answer. No storage, no domain rules, no AWS.

pub mod body;
pub mod cursor;
mod dispatch;
mod error;
pub mod params;
pub mod problem;
pub mod response;
pub mod sealed;

pub use body::{parse_json, raw_text};
pub use cursor::CursorKey;
pub use dispatch::dispatch;
pub use error::{Internal, IntoProblem, RequestError};
pub use params::{Query, bearer_token, path_param, source_ip};
pub use problem::Problem;
pub use response::{PageBody, created, json, no_content, ok};
pub use sealed::SealKey;

pub use lambda_http::{Body, Request, Response};
