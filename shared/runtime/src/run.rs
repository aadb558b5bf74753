//! The loops: one per kind of trigger, each the whole `main` of a function.

use crate::config::{Env, app_from_env};
use cm_app::App;
use cm_http::{Body, IntoProblem, Request, Response};
use cm_store::DynamoStore;
use std::future::Future;

pub fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_target(false)
        .without_time() // CloudWatch stamps every line already.
        .with_current_span(false)
        .try_init();
}

/// The whole `main` of an HTTP function behind API Gateway.
pub async fn http<F, Fut, E>(handler: F) -> Result<(), lambda_http::Error>
where
    F: Fn(&'static App<DynamoStore>, Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Response<Body>, E>> + Send + 'static,
    E: IntoProblem + 'static,
{
    init_tracing();
    let env = Env::load().await;
    let app: &'static App<DynamoStore> = Box::leak(Box::new(app_from_env(&env).await?));
    let handler = &*Box::leak(Box::new(handler));
    lambda_http::run(lambda_http::service_fn(move |req| async move {
        Ok::<_, std::convert::Infallible>(cm_http::dispatch(app, handler, req).await)
    }))
    .await
}

/// The whole `main` of an HTTP function that needs more than the App (a client of an
/// outside service): `init` builds that once per cold start, beside the App.
pub async fn http_with<C, I, IFut, F, Fut, E>(init: I, handler: F) -> Result<(), lambda_http::Error>
where
    C: Send + Sync + 'static,
    I: FnOnce(Env) -> IFut,
    IFut: Future<Output = Result<C, lambda_http::Error>>,
    F: Fn(&'static App<DynamoStore>, &'static C, Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Response<Body>, E>> + Send + 'static,
    E: IntoProblem + 'static,
{
    init_tracing();
    let env = Env::load().await;
    let (app, ctx) =
        tokio::try_join!(async { app_from_env(&env).await.map_err(lambda_http::Error::from) }, init(env.clone()))?;
    let app: &'static App<DynamoStore> = Box::leak(Box::new(app));
    let ctx: &'static C = Box::leak(Box::new(ctx));
    let handler = &*Box::leak(Box::new(move |app: &'static App<DynamoStore>, req: Request| handler(app, ctx, req)));
    lambda_http::run(lambda_http::service_fn(move |req| async move {
        Ok::<_, std::convert::Infallible>(cm_http::dispatch(app, handler, req).await)
    }))
    .await
}

/// The whole `main` of an event-driven function (streams, schedules, operator jobs):
/// `init` builds the function's own context once per cold start, `handler` takes each
/// event with it.
pub async fn service<C, I, IFut, H, HFut, E, R>(init: I, handler: H) -> Result<(), lambda_runtime::Error>
where
    C: Send + Sync + 'static,
    I: FnOnce(Env) -> IFut,
    IFut: Future<Output = Result<C, lambda_runtime::Error>>,
    H: Fn(&'static C, lambda_runtime::LambdaEvent<E>) -> HFut + Send + Sync + 'static,
    HFut: Future<Output = Result<R, lambda_runtime::Error>> + Send + 'static,
    E: serde::de::DeserializeOwned + Send + 'static,
    R: serde::Serialize + Send + 'static,
{
    init_tracing();
    let ctx: &'static C = Box::leak(Box::new(init(Env::load().await).await?));
    let handler = &*Box::leak(Box::new(handler));
    lambda_runtime::run(lambda_runtime::service_fn(move |event| handler(ctx, event))).await
}
