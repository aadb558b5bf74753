//! The loops: one per kind of trigger, each the whole `main` of a function.

use crate::config::{Env, KeySources, app_from_env, platform_terms};
use cm_app::App;
use cm_http::{Body, Internal, IntoProblem, Problem, Request, Response};
use cm_store::DynamoStore;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use tracing::Instrument;

pub fn init_tracing() {
    let _ = tracing::subscriber::set_global_default(subscriber(std::io::stdout));
}

/// JSON lines, one per event, each with the spans it happened in: lambda_runtime's
/// `Lambda runtime invoke` (`requestId`, `xrayTraceId`) and ours, `invocation`
/// (`function`, `cold_start`), so any line of a request finds the others and its trace
/// in CloudWatch Logs Insights (`filter spans.0.requestId = ...`).
pub fn subscriber<W>(writer: W) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_target(false)
        .without_time() // CloudWatch stamps every line already.
        .with_current_span(false)
        .with_span_list(true)
        .with_writer(writer)
        .finish()
}

static COLD: AtomicBool = AtomicBool::new(true);

/// The span of one invocation: which function, and whether it is the first of this
/// process (a cold start, which paid for init).
pub fn invocation_span() -> tracing::Span {
    let cold = COLD.swap(false, Ordering::Relaxed);
    tracing::info_span!("invocation", function = %function_name(), cold_start = cold)
}

fn function_name() -> String {
    std::env::var("AWS_LAMBDA_FUNCTION_NAME").ok().filter(|n| !n.is_empty()).unwrap_or_else(|| {
        std::env::current_exe()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "unknown".into())
    })
}

/// The whole `main` of an HTTP function behind API Gateway: the table, and the keys the
/// function is given (read from Secrets Manager on first use when given as ARNs).
pub async fn http<F, Fut, E>(handler: F) -> Result<(), lambda_http::Error>
where
    F: Fn(&'static App<DynamoStore>, Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Response<Body>, E>> + Send + 'static,
    E: IntoProblem + 'static,
{
    init_tracing();
    let env = Env::load().await;
    let app: &'static App<DynamoStore> = Box::leak(Box::new(app_from_env(&env).await?));
    serve(app, handler).await
}

/// The whole `main` of an HTTP function that holds no key (public reads, a sign-out):
/// the table and nothing else. Built without the Secrets Manager client, which is
/// then not linked into the binary at all; a key named in its environment fails init,
/// since this function could never read it.
pub async fn http_keyless<F, Fut, E>(handler: F) -> Result<(), lambda_http::Error>
where
    F: Fn(&'static App<DynamoStore>, Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Response<Body>, E>> + Send + 'static,
    E: IntoProblem + 'static,
{
    init_tracing();
    holds_no_keys(&KeySources::from_env())?;
    let env = Env::load().await;
    let mut app = App::new(env.store()?);
    app.platform_terms = platform_terms()?;
    serve(Box::leak(Box::new(app)), handler).await
}

/// A keyless function given a key was deployed with the wrong entry point or the wrong
/// environment; failing init says so at once, where a request would otherwise fail
/// later on a key it cannot have.
fn holds_no_keys(given: &KeySources) -> Result<(), lambda_http::Error> {
    let named: Vec<&str> =
        [("token keys", &given.tokens), ("cursor key", &given.cursors), ("quote key", &given.quotes)]
            .into_iter()
            .filter_map(|(what, source)| source.as_ref().map(|_| what))
            .collect();
    if named.is_empty() {
        return Ok(());
    }
    Err(format!("this function holds no keys, but its environment names the {}", named.join(", ")).into())
}

/// The whole `main` of an HTTP function that calls no AWS service and holds no key
/// (`health`, `openapi`, `not-found`): no SDK configuration and no client are built, so
/// the binary links no AWS SDK, and init is the runtime's and the log's alone.
pub async fn http_standalone<F, Fut, E>(handler: F) -> Result<(), lambda_http::Error>
where
    F: Fn(&'static App<()>, Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Response<Body>, E>> + Send + 'static,
    E: IntoProblem + 'static,
{
    init_tracing();
    serve(Box::leak(Box::new(App::new(()))), handler).await
}

/// The HTTP loop: each request waits for the keys (loaded once, reloaded when old),
/// then goes to the handler.
async fn serve<S, F, Fut, E>(app: &'static App<S>, handler: F) -> Result<(), lambda_http::Error>
where
    S: Send + Sync + 'static,
    F: Fn(&'static App<S>, Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Response<Body>, E>> + Send + 'static,
    E: IntoProblem + 'static,
{
    let handler: &'static F = Box::leak(Box::new(handler));
    let gated = &*Box::leak(Box::new(move |app: &'static App<S>, req: Request| async move {
        app.load_keys().await.map_err(Gated::Unavailable)?;
        handler(app, req).await.map_err(Gated::Handler)
    }));
    lambda_http::run(lambda_http::service_fn(move |req| async move {
        Ok::<_, std::convert::Infallible>(cm_http::dispatch(app, gated, req).instrument(invocation_span()).await)
    }))
    .await
}

/// A request that could not reach its handler because what it needs could not be read
/// (the keys, or a context built on first use), or the handler's own error.
#[derive(Debug)]
enum Gated<E> {
    Unavailable(Internal),
    Handler(E),
}

impl<E: std::fmt::Display> std::fmt::Display for Gated<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Gated::Unavailable(e) => e.fmt(f),
            Gated::Handler(e) => e.fmt(f),
        }
    }
}

impl<E: IntoProblem> IntoProblem for Gated<E> {
    fn to_problem(&self) -> Problem {
        match self {
            // Secrets Manager slow or down: the request was fine and may pass in a moment.
            Gated::Unavailable(_) => cm_app::busy(),
            Gated::Handler(e) => e.to_problem(),
        }
    }
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
    serve(app, move |app: &'static App<DynamoStore>, req: Request| handler(app, ctx, req)).await
}

/// The whole `main` of an HTTP function whose context needs a network call to build
/// (a secret from Secrets Manager: the Stripe keys). `init` does not hold up init: the
/// first request runs it; if it failed, that request answers 503 and the next one tries
/// again. The context is then kept for the life of the process.
pub async fn http_lazy<C, I, IFut, F, Fut, E>(init: I, handler: F) -> Result<(), lambda_http::Error>
where
    C: Send + Sync + 'static,
    I: Fn(Env) -> IFut + Send + Sync + 'static,
    IFut: Future<Output = Result<C, lambda_http::Error>> + Send + 'static,
    F: Fn(&'static App<DynamoStore>, &'static C, Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Response<Body>, E>> + Send + 'static,
    E: IntoProblem + 'static,
{
    init_tracing();
    let env: &'static Env = Box::leak(Box::new(Env::load().await));
    let app: &'static App<DynamoStore> = Box::leak(Box::new(app_from_env(env).await?));
    let ctx: &'static tokio::sync::OnceCell<C> = Box::leak(Box::new(tokio::sync::OnceCell::new()));
    let init: &'static I = Box::leak(Box::new(init));
    let handler: &'static F = Box::leak(Box::new(handler));
    let load = move || async move {
        ctx.get_or_try_init(|| async {
            match tokio::time::timeout(LAZY_INIT_TIMEOUT, init(env.clone())).await {
                Ok(built) => built.map_err(|e| Internal::new(format!("building the context: {e}"))),
                Err(_) => Err(Internal::new(format!("building the context took over {LAZY_INIT_TIMEOUT:?}"))),
            }
        })
        .await
    };
    serve(app, move |app: &'static App<DynamoStore>, req: Request| async move {
        let ctx = load().await.map_err(Gated::Unavailable)?;
        handler(app, ctx, req).await.map_err(Gated::Handler)
    })
    .await
}

/// How long a lazily built context may take (a Secrets Manager read) before the request
/// waiting on it is answered 503.
const LAZY_INIT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

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
    lambda_runtime::run(lambda_runtime::service_fn(move |event| handler(ctx, event).instrument(invocation_span())))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Lines {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'w> tracing_subscriber::fmt::MakeWriter<'w> for Lines {
        type Writer = Lines;
        fn make_writer(&'w self) -> Lines {
            self.clone()
        }
    }

    /// A request whose keys or context could not be read is the service's problem of
    /// the moment (503, retry), not the client's; the handler's own errors pass through.
    #[test]
    fn unavailable_keys_answer_503_with_retry_after_and_handler_errors_pass_through() {
        let unavailable: Gated<Internal> = Gated::Unavailable(Internal::new("Secrets Manager timed out"));
        let p = unavailable.to_problem();
        assert_eq!(p.status, 503);
        assert!(!format!("{p:?}").contains("Secrets Manager"), "internal detail leaked: {p:?}");
        let handler: Gated<cm_http::RequestError> =
            Gated::Handler(cm_http::RequestError::NotFound("no such booking".into()));
        assert_eq!(handler.to_problem().status, 404);
    }

    /// The refusal names which keys were given, never their values.
    #[test]
    fn a_keyless_function_refuses_keys_without_showing_them() {
        assert!(holds_no_keys(&KeySources::default()).is_ok());
        let given = KeySources {
            cursors: Some(crate::Secret::Inline("s3cr3t-cursor-key".into())),
            quotes: Some(crate::Secret::Stored("arn:aws:secretsmanager:eu-west-1:1:secret:q".into())),
            tokens: None,
        };
        let e = holds_no_keys(&given).unwrap_err().to_string();
        assert!(e.contains("cursor key, quote key"), "{e}");
        assert!(!e.contains("s3cr3t") && !e.contains("arn:"), "{e}");
    }

    /// Every line of an invocation names its request, trace, function and whether it
    /// was a cold start; only the first invocation of a process is one.
    #[test]
    fn each_line_carries_the_request_the_trace_the_function_and_the_cold_start() {
        let lines = Lines::default();
        let subscriber = subscriber(lines.clone());
        tracing::subscriber::with_default(subscriber, || {
            for request in ["req-1", "req-2"] {
                let mut ctx = lambda_runtime::Context::default();
                ctx.request_id = request.to_string();
                ctx.xray_trace_id = Some(format!("Root=1-trace-{request}"));
                let _outer = lambda_runtime::layers::trace::request_span(&ctx).entered();
                let _inner = invocation_span().entered();
                tracing::info!(booking = "b-1", "confirmed");
            }
        });
        let text = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
        let parsed: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(parsed.len(), 2, "{text}");
        for (line, (request, cold)) in parsed.iter().zip([("req-1", true), ("req-2", false)]) {
            let spans = line["spans"].as_array().unwrap();
            assert_eq!(spans[0]["requestId"], request, "{line}");
            assert_eq!(spans[0]["xrayTraceId"], format!("Root=1-trace-{request}"));
            assert_eq!(spans[1]["name"], "invocation");
            assert!(spans[1]["function"].as_str().is_some_and(|f| !f.is_empty()));
            assert_eq!(spans[1]["cold_start"], cold, "{line}");
            assert_eq!(
                (line["fields"]["message"].as_str(), line["fields"]["booking"].as_str()),
                (Some("confirmed"), Some("b-1"))
            );
        }
    }
}
