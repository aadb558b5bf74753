//! The WebSocket side of Capture Moments, written once for every route function:
//! what a WebSocket event carries ([`socket`]), the context a route function runs with
//! ([`Realtime`]), and pushing frames to sockets through API Gateway's management API
//! ([`push`]), including to every socket of a user at once ([`push::fan_out`]).

pub mod push;
pub mod socket;

pub use push::{Delivery, Push, PushError, fan_out};
pub use socket::{Realtime, WsEvent, WsResponse};

/// The whole `main` of a WebSocket route function or of a function that pushes.
pub async fn run<H, HFut, E, R>(handler: H) -> Result<(), lambda_runtime::Error>
where
    H: Fn(&'static Realtime, lambda_runtime::LambdaEvent<E>) -> HFut + Send + Sync + 'static,
    HFut: std::future::Future<Output = Result<R, lambda_runtime::Error>> + Send + 'static,
    E: serde::de::DeserializeOwned + Send + 'static,
    R: serde::Serialize + Send + 'static,
{
    cm_runtime::service(|env| async move { Realtime::from_env(&env).await.map_err(Into::into) }, handler).await
}
