//! `local-stack up`: brings the platform up from template.yaml, keeps it running, and
//! takes everything down again on Ctrl-C or SIGTERM.

use crate::api::{self, Api, cors::Cors, routes::RouteTable};
use crate::aws::{self, Clients, Endpoints};
use crate::console;
use crate::dynamodb;
use crate::functions::{Emulator, FunctionSpec, Functions};
use crate::moto;
use crate::procs;
use crate::resources;
use crate::schedule::{self, ScheduleSource};
use crate::seed;
use crate::streams::{self, StreamSource};
use crate::template::{self, Template, intrinsics::Scope};
use crate::websocket::{self, WebSocketApi};
use chrono::{DateTime, Utc};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

/// Local only, and published: tokens and cursors signed with it are worthless anywhere
/// else. Every secret the template has generated gets it (under its
/// `GenerateStringKey`), so tokens survive a restart of the stack.
const DEFAULT_LOCAL_SECRET: &str = "local-development-signing-key-not-secret-0123456789";

/// Instances of one function that may run at once. Enough for requests to really
/// overlap (races reach the database concurrently, as in AWS) without a burst
/// starting dozens of processes on a laptop.
pub const DEFAULT_CONCURRENCY: usize = 4;
/// Each instance slot costs one emulator process; more than this is a typo.
const MAX_CONCURRENCY: usize = 64;

pub struct Settings {
    pub root: PathBuf,
    pub api_port: u16,
    /// The WebSocket API's port (`WS_PORT`, default 3001; 0 for any free port).
    pub ws_port: u16,
    /// The web app's port (`WEB_PORT`; 0 for any free port). Unset: 3002, or any free
    /// port when 3002 is taken (the banner prints it), so the stacks the smoke and
    /// contract runs start beside a running `scripts/dev` do not collide with it.
    pub web_port: Option<u16>,
    pub aws_port: Option<u16>,
    pub dynamodb_port: Option<u16>,
    pub lambda_port: Option<u16>,
    /// Instances per function (`LAMBDA_CONCURRENCY`).
    pub concurrency: usize,
    pub region: String,
    pub local_secret: String,
}

impl Settings {
    pub fn from_env(root: PathBuf) -> Result<Settings, String> {
        let port = |name: &str| -> Result<Option<u16>, String> {
            match std::env::var(name) {
                Ok(v) if !v.is_empty() => v.parse().map(Some).map_err(|_| format!("{name}={v} is not a port")),
                _ => Ok(None),
            }
        };
        let concurrency = match std::env::var("LAMBDA_CONCURRENCY") {
            Ok(v) if !v.is_empty() => match v.parse::<usize>() {
                Ok(n) if (1..=MAX_CONCURRENCY).contains(&n) => n,
                _ => return Err(format!("LAMBDA_CONCURRENCY={v}: expected a number from 1 to {MAX_CONCURRENCY}")),
            },
            _ => DEFAULT_CONCURRENCY,
        };
        Ok(Settings {
            root,
            api_port: port("PORT")?.unwrap_or(3000),
            ws_port: port("WS_PORT")?.unwrap_or(websocket::DEFAULT_PORT),
            web_port: port("WEB_PORT")?,
            aws_port: port("AWS_PORT")?,
            dynamodb_port: port("DYNAMODB_PORT")?,
            lambda_port: port("LAMBDA_PORT")?,
            concurrency,
            region: std::env::var("AWS_REGION").ok().filter(|r| !r.is_empty()).unwrap_or_else(|| "ap-south-1".into()),
            local_secret: std::env::var("LOCAL_SECRET")
                .ok()
                .filter(|s| s.len() >= 32)
                .unwrap_or_else(|| DEFAULT_LOCAL_SECRET.into()),
        })
    }

    pub fn dir(&self) -> PathBuf {
        self.root.join(".local/dev")
    }

    pub fn state_file(&self) -> PathBuf {
        self.dir().join("state.json")
    }
}

/// What a running stack is made of; the control port acts on it.
pub struct Stack {
    pub settings: Settings,
    pub template: Template,
    pub clients: Clients,
    pub functions: Arc<Functions>,
    pub endpoints: Endpoints,
    pub api_url: String,
    /// The template's WebSocket API, if it has one, and the gateway serving it (taken
    /// at shutdown, which closes every socket while the functions still run `$disconnect`).
    pub websocket_api: Option<WebSocketApi>,
    pub websocket: Mutex<Option<ws_gateway::Gateway>>,
    /// The gateway's `ws://` URL and its management API's URL.
    pub websocket_urls: Option<(String, String)>,
    /// The Stripe stand-in, served in-process; functions reach it through STRIPE_API_BASE.
    pub stripe: stripe_standin::StandIn,
    /// Fixture external calendars on loopback (`/demo.ics`: a photographer's private
    /// calendar), for the smoke journey and for trying busy time in by hand.
    pub calendars: crate::calendars::FixtureCalendars,
    pub schedules: Vec<Arc<ScheduleSource>>,
    pub has_review_route: bool,
    /// template.yaml has the portfolio upload route: demo portfolios are uploaded.
    pub has_upload_route: bool,
    /// What the seeding after start-up is doing (`/status` shows it): `running`,
    /// `done` or `failed`, with a detail.
    pub seeding: std::sync::Mutex<serde_json::Value>,
    /// That seeding, while it runs: a reset or a shutdown stops it first, so it does
    /// not go on against data that is gone.
    seeding_task: Mutex<Option<JoinHandle<()>>>,
    /// The seeded booking history on its way through the stream into the analytics
    /// (`/status` shows it): `aggregating` or `aggregated`, with what the aggregates
    /// must show, what they show, and for how long it has been going.
    pub history: Arc<std::sync::Mutex<serde_json::Value>>,
    history_task: Mutex<Option<JoinHandle<()>>>,
    pollers: Mutex<Vec<JoinHandle<()>>>,
    pub stream_sources: Mutex<Vec<Arc<StreamSource>>>,
    pub table: Mutex<String>,
}

pub async fn up(settings: Settings) -> Result<(), String> {
    let started = Instant::now();
    procs::become_subreaper();
    let logs = settings.dir().join("logs");
    std::fs::create_dir_all(&logs).map_err(|e| format!("{}: {e}", logs.display()))?;
    for entry in std::fs::read_dir(&logs).into_iter().flatten().flatten() {
        let _ = std::fs::remove_file(entry.path());
    }
    let template = Template::load(&settings.root.join("template.yaml"), &settings.region).map_err(|e| e.to_string())?;
    let routes = route_table(&template)?;
    let websocket_api = websocket::from_template(&template)?;
    if procs::port_open(settings.api_port).await {
        return Err(format!("port {} is taken: stop what runs there or set PORT", settings.api_port));
    }
    if websocket_api.is_some() && settings.ws_port != 0 && procs::port_open(settings.ws_port).await {
        return Err(format!(
            "port {} is taken: stop what runs there or set WS_PORT (0 for any free port)",
            settings.ws_port
        ));
    }

    let web_built = settings.root.join("web/dist/index.html").is_file();
    if let (true, Some(port @ 1..)) = (web_built, settings.web_port)
        && procs::port_open(port).await
    {
        return Err(format!("port {port} is taken: stop what runs there or set WEB_PORT (0 for any free port)"));
    }

    // Signals first: Ctrl-C during start-up must also stop what was started so far.
    let [mut interrupt, mut terminate, mut hangup] = shutdown_signals()?;
    let running: std::sync::Mutex<Running> = std::sync::Mutex::default();
    let mut children: Vec<(&str, Child)> = Vec::new();
    let startup = async {
        let mut phases: Vec<(&str, Duration)> = Vec::new();
        let mut lap = Instant::now();
        let mut mark = |name: &'static str, phases: &mut Vec<(&str, Duration)>| {
            phases.push((name, lap.elapsed()));
            lap = Instant::now();
        };
        // The JVM takes longest to start: moto starts meanwhile.
        let (moto_log, dynamodb_log) = (logs.join("moto.log"), logs.join("dynamodb.log"));
        let (moto, dynamodb) = tokio::join!(
            moto::start(&settings.root, settings.aws_port, &moto_log),
            dynamodb::start(&settings.root, settings.dynamodb_port, &dynamodb_log),
        );
        // Whichever did start is stopped on the way out, even if the other failed.
        let (moto, dynamodb) = match (moto, dynamodb) {
            (Ok(m), Ok(d)) => (m, d),
            (m, d) => {
                let errors: Vec<String> = [m.as_ref().err(), d.as_ref().err()].into_iter().flatten().cloned().collect();
                for child in [m.ok().and_then(|m| m.child), d.ok().and_then(|d| d.child)].into_iter().flatten() {
                    children.push(("aws", child));
                }
                return Err(errors.join("; "));
            }
        };
        mark("moto and DynamoDB Local", &mut phases);
        let endpoints = Endpoints { moto: moto.url.clone(), dynamodb: dynamodb.url.clone() };
        if let Some(child) = moto.child {
            children.push(("moto", child));
        }
        if let Some(child) = dynamodb.child {
            children.push(("dynamodb-local", child));
        }
        // The emulators start while resources are created and data is seeded: one per
        // instance slot (functions.rs says why), the first on LAMBDA_PORT if given.
        let mut emulators = Vec::new();
        for k in 0..settings.concurrency {
            let port = match settings.lambda_port {
                Some(p) if k == 0 => p,
                _ => procs::free_port().map_err(|e| e.to_string())?,
            };
            let log = if k == 0 { logs.join("emulator.log") } else { logs.join(format!("emulator-{}.log", k + 1)) };
            emulators.push((port, start_emulator(&settings.root, port, &log)?));
        }

        let clients = Clients::new(&endpoints, &settings.region).await;
        let (scope, provisioned) = resources::provision(&template, &clients, &settings.local_secret).await?;
        mark("resources", &mut phases);
        let specs = function_specs(&template, &scope, &format!("http://127.0.0.1:{}", settings.api_port))?;
        let table = scope.names.reference("Table").map(template::intrinsics::json_text).unwrap_or_default();
        let has_review_route =
            routes.find("POST", "/bookings/x/review").is_some_and(|m| m.route_key == "POST /bookings/{id}/review");
        let has_upload_route = routes
            .find("POST", "/photographers/me/portfolio/uploads")
            .is_some_and(|m| m.route_key == "POST /photographers/me/portfolio/uploads");
        let store = cm_store::DynamoStore::new(clients.dynamodb.clone(), table.clone());
        let seeded = seed::seed(&store, has_review_route).await?;
        let seeding_pending = !seeded.reviews.is_empty() || !seeded.already_seeded;
        mark("seed", &mut phases);

        let lambda_port = emulators.first().map(|(port, _)| *port).unwrap_or_default();
        let mut lambda = Vec::new();
        for (port, mut emulator) in emulators {
            let ready = procs::wait_for_port(port, Duration::from_secs(30), &mut emulator).await;
            children.push(("cargo-lambda", emulator));
            ready.map_err(|e| format!("cargo lambda watch {e}"))?;
            let sdk = aws::config(&format!("http://127.0.0.1:{port}"), &settings.region).await;
            lambda.push(Emulator::new(aws_sdk_lambda::Client::new(&sdk), port));
        }
        // Stripe's objects are kept next to the stack's other state, so a restart keeps
        // them consistent with what DynamoDB Local still holds.
        let stripe = stripe_standin::StandIn::start(stripe_standin::Config {
            webhook_url: Some(format!("http://127.0.0.1:{}/webhooks/stripe", settings.api_port)),
            webhook_secrets: vec![stripe_standin::LOCAL_WEBHOOK_SECRET.into()],
            state_file: Some(settings.dir().join("stripe-standin.json")),
            ..stripe_standin::Config::default()
        })
        .await
        .map_err(|e| format!("Stripe stand-in: {e}"))?;
        let calendars =
            crate::calendars::FixtureCalendars::start().await.map_err(|e| format!("fixture calendars: {e}"))?;
        let today = Utc::now().date_naive();
        calendars.set(
            "/demo.ics",
            crate::calendars::Behavior::Calendar {
                body: crate::calendars::demo_calendar(today + chrono::Days::new(2), 12, today + chrono::Days::new(4)),
                etag: "\"demo-1\"".into(),
            },
        );
        let mut env = base_env(&settings, &endpoints);
        env.insert("STRIPE_API_BASE".into(), stripe.base_url());
        // The WebSocket API starts before the functions: its management URL is in their
        // environment (the SDK's per-service endpoint variable).
        let invoker = Arc::new(websocket::Invoker::default());
        let gateway = match &websocket_api {
            Some(api) => {
                let listener = tokio::net::TcpListener::bind(("127.0.0.1", settings.ws_port))
                    .await
                    .map_err(|e| format!("WS_PORT {}: {e}", settings.ws_port))?;
                let api_id =
                    scope.names.reference(&api.logical_id).map(template::intrinsics::json_text).unwrap_or_default();
                let config = ws_gateway::Settings::new(api_id, api.stage.clone(), settings.region.clone());
                let gateway = ws_gateway::Gateway::start(listener, config, api.routes.clone(), invoker.clone())
                    .await
                    .map_err(|e| format!("the WebSocket API: {e}"))?;
                env.insert("AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI".into(), gateway.management_url());
                Some(gateway)
            }
            None => None,
        };
        let websocket_urls = gateway.as_ref().map(|g| (g.ws_url(), g.management_url()));
        let functions = Arc::new(Functions::new(specs, lambda, crate::debug_dir(&settings.root), logs.clone(), env));
        invoker.set_functions(functions.clone());
        let origin = Utc::now();
        let schedules = schedule_sources(&template, &scope)?;
        let stack = Arc::new(Stack {
            api_url: format!("http://127.0.0.1:{}", settings.api_port),
            websocket_api,
            websocket: Mutex::new(gateway),
            websocket_urls,
            stripe,
            calendars,
            settings,
            template,
            clients,
            functions: functions.clone(),
            endpoints,
            schedules,
            has_review_route,
            has_upload_route,
            seeding: std::sync::Mutex::new(if seeding_pending {
                json!({"state": "running", "detail": "waiting for the functions"})
            } else {
                json!({"state": "done", "detail": "already seeded"})
            }),
            seeding_task: Mutex::new(None),
            history: Arc::new(std::sync::Mutex::new(json!({"state": "none"}))),
            history_task: Mutex::new(None),
            pollers: Mutex::new(Vec::new()),
            stream_sources: Mutex::new(Vec::new()),
            table: Mutex::new(table),
        });
        running_set(&running, |r| r.stack = Some(stack.clone()));
        stack.start_pollers(&scope, !seeded.already_seeded).await?;
        stack.watch_history(seeded.expected.clone()).await;

        let listener = tokio::net::TcpListener::bind(("127.0.0.1", stack.settings.api_port))
            .await
            .map_err(|e| format!("port {}: {e}", stack.settings.api_port))?;
        let mut cors = stack
            .template
            .http_api_cors()
            .map(|c| scope.resolve(&c).map(|v| Cors::from_config(&v)))
            .transpose()
            .map_err(|e| e.to_string())?;
        let web = start_web(&stack, cors.as_mut()).await?;
        let media = crate::uploads::sources(&stack.template, &scope)?
            .first()
            .map(|s| (stack.clients.s3.clone(), s.bucket.clone()));
        let api = Arc::new(Api { routes, cors, functions: functions.clone(), media });
        let mut tasks = vec![tokio::spawn(api::serve(api.clone(), listener))];
        let web_url = web.map(|(url, task)| {
            tasks.push(task);
            url
        });
        for s in &stack.schedules {
            tasks.push(tokio::spawn(schedule::run(s.clone(), functions.clone(), origin, stack.history.clone())));
        }
        let control = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.map_err(|e| e.to_string())?;
        let control_port = control.local_addr().map_err(|e| e.to_string())?.port();
        tasks.push(tokio::spawn(crate::control::serve(stack.clone(), control)));

        if seeding_pending {
            let (stack2, reviews) = (stack.clone(), seeded.reviews.clone());
            *stack.seeding_task.lock().await =
                Some(tokio::spawn(async move { finish_seeding(&stack2, &reviews).await }));
        }
        stack.write_state(control_port, lambda_port)?;
        mark("emulator, streams, API", &mut phases);
        let took = format!(
            "{:.1} s: {}",
            started.elapsed().as_secs_f64(),
            phases.iter().map(|(n, d)| format!("{n} {:.1} s", d.as_secs_f64())).collect::<Vec<_>>().join(", ")
        );
        banner(
            &stack,
            &api,
            web_url.as_deref(),
            &provisioned.summary,
            &seeded,
            control_port,
            lambda_port,
            origin,
            &took,
        );

        running_set(&running, |r| r.tasks.extend(tasks));
        std::future::pending::<()>().await;
        Ok::<(), String>(())
    };
    let result = tokio::select! {
        r = startup => r,
        _ = interrupt.recv() => Ok(()),
        _ = terminate.recv() => Ok(()),
        // A closed terminal stops the stack as cleanly as Ctrl-C.
        _ = hangup.recv() => Ok(()),
    };
    console::info("stopping…");
    let (stack, tasks) = {
        let mut r = running.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        (r.stack.take(), std::mem::take(&mut r.tasks))
    };
    for t in &tasks {
        t.abort();
    }
    if let Some(stack) = stack {
        stack.stop_seeding().await;
        stack.stop_pollers().await;
        if let Some(gateway) = stack.websocket.lock().await.take() {
            gateway.shutdown().await;
        }
        stack.functions.stop_all().await;
        let _ = std::fs::remove_file(stack.settings.state_file());
    }
    for (_, child) in children.iter_mut().rev() {
        procs::stop(child, Duration::from_secs(3)).await;
    }
    procs::sweep_children();
    if result.is_ok() {
        console::info("stopped; nothing left running");
    }
    result
}

/// What the shutdown path must stop, filled in as start-up gets that far.
#[derive(Default)]
struct Running {
    stack: Option<Arc<Stack>>,
    tasks: Vec<JoinHandle<()>>,
}

fn running_set(running: &std::sync::Mutex<Running>, f: impl FnOnce(&mut Running)) {
    f(&mut running.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
}

fn shutdown_signals() -> Result<[tokio::signal::unix::Signal; 3], String> {
    use tokio::signal::unix::{SignalKind, signal};
    let install =
        |kind: SignalKind, name: &str| signal(kind).map_err(|e| format!("installing the {name} handler: {e}"));
    Ok([
        install(SignalKind::interrupt(), "SIGINT")?,
        install(SignalKind::terminate(), "SIGTERM")?,
        install(SignalKind::hangup(), "SIGHUP")?,
    ])
}

/// The web app from `web/dist`, if it is built, on `WEB_PORT`, its origins added to
/// the API's CORS origins (as a deployment passes its URL in `AllowedOrigins`): its URL
/// and the task serving it.
async fn start_web(stack: &Stack, cors: Option<&mut Cors>) -> Result<Option<(String, JoinHandle<()>)>, String> {
    let ws = stack.websocket_urls.as_ref().map(|(ws, _)| ws.as_str());
    let stripe = stack.stripe.base_url();
    let urls = crate::web::Urls {
        api: &stack.api_url,
        ws,
        stripe: &stripe,
        uploads: stack.endpoints.moto.trim_end_matches('/'),
    };
    let Some(app) = crate::web::WebApp::new(&stack.settings.root.join("web/dist"), &urls) else {
        return Ok(None);
    };
    let listener = match stack.settings.web_port {
        Some(port) => {
            tokio::net::TcpListener::bind(("127.0.0.1", port)).await.map_err(|e| format!("WEB_PORT {port}: {e}"))?
        }
        None => match tokio::net::TcpListener::bind(("127.0.0.1", crate::web::DEFAULT_PORT)).await {
            Ok(l) => l,
            Err(_) => tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.map_err(|e| format!("web app: {e}"))?,
        },
    };
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    if let Some(cors) = cors {
        cors.allow_origins(crate::web::origins(port));
    }
    Ok(Some((format!("http://127.0.0.1:{port}"), tokio::spawn(crate::web::serve(Arc::new(app), listener)))))
}

/// The seeding that goes through the API once the functions are up: reviews, then
/// portfolios. The marker that makes a later start skip seeding is written only when
/// both succeeded; otherwise the next start tries again (both are idempotent).
async fn finish_seeding(stack: &Stack, reviews: &[seed::ReviewTask]) {
    let set = |state: &str, detail: String| {
        *stack.seeding.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
            json!({"state": state, "detail": detail});
    };
    set("running", "reviews and portfolios through the API".into());
    let store = cm_store::DynamoStore::new(stack.clients.dynamodb.clone(), stack.table.lock().await.clone());
    let started = Instant::now();
    let mut done = Vec::new();
    match seed::seed_reviews(&stack.api_url, reviews).await {
        Ok(n) => {
            if n > 0 {
                console::info(&format!("seeded {n} reviews through POST /bookings/{{id}}/review"));
            }
            done.push(format!("{n} reviews"));
        }
        Err(e) => {
            console::warn(&format!("seeding reviews: {e} (run `scripts/dev reset` to retry)"));
            return set("failed", format!("reviews: {e}"));
        }
    }
    if stack.has_upload_route {
        let uploads = Instant::now();
        match seed::photos::seed_portfolios(&stack.api_url).await {
            Ok(p) => {
                let took = uploads.elapsed().as_secs_f64();
                if p.photographers > 0 {
                    console::info(&format!(
                        "seeded {} portfolios ({} photos, covers chosen) through the upload pipeline in {took:.1} s",
                        p.photographers, p.photos
                    ));
                }
                done.push(format!(
                    "{} portfolios ({} photos; {} already had photos)",
                    p.photographers, p.photos, p.skipped
                ));
            }
            Err(e) => {
                console::warn(&format!("seeding portfolios: {e} (restart, or `scripts/dev reset`, to retry)"));
                return set("failed", format!("portfolios: {e}"));
            }
        }
    }
    if let Err(e) = seed::mark_seeded(&store).await {
        console::warn(&format!("seed marker: {e}"));
    }
    set("done", format!("{} in {:.1} s", done.join(", "), started.elapsed().as_secs_f64()));
}

/// Waits until the analytics aggregates show what the seed wrote, as aggregate-activity
/// takes the seeded changes off the table's stream, keeping `/status` up to date, and
/// says how long that took.
async fn await_history(
    store: cm_store::DynamoStore,
    state: Arc<std::sync::Mutex<serde_json::Value>>,
    expected: seed::Expected,
) {
    use cm_store::AnalyticsReader;
    let started = Instant::now();
    let segment = cm_booking::analytics::Segment::ALL;
    loop {
        match store.analytics_days(&segment, expected.from, expected.to).await {
            Ok(days) => {
                let mut seen: BTreeMap<String, i64> = expected.totals.keys().map(|k| (k.clone(), 0)).collect();
                for (_, counters) in days {
                    for c in seed::EXPECTED_COUNTERS {
                        *seen.entry(c.name().into_owned()).or_insert(0) += counters.get(&c).copied().unwrap_or(0);
                    }
                }
                let behind = expected.totals.iter().any(|(k, n)| seen.get(k).copied().unwrap_or(0) < *n);
                let seconds = (started.elapsed().as_secs_f64() * 10.0).round() / 10.0;
                *state.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = json!({
                    "state": if behind { "aggregating" } else { "aggregated" },
                    "from": expected.from,
                    "to": expected.to,
                    "expected": expected.totals,
                    "seen": seen,
                    "seconds": seconds,
                });
                if !behind {
                    console::info(&format!(
                        "the seeded booking history is in the analytics ({} requests from {} to {}), through the stream in {seconds:.1} s",
                        expected.totals.get("requested").copied().unwrap_or(0),
                        expected.from,
                        expected.to
                    ));
                    return;
                }
            }
            Err(e) => console::warn(&format!("reading the analytics for the seeded history: {e}")),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

impl Stack {
    /// Follows the seeded history into the analytics, when this start seeded any.
    async fn watch_history(&self, expected: Option<seed::Expected>) {
        // Stated before the watch starts, so `/status` never says `none` while the
        // history is on its way.
        *self.history.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = match &expected {
            Some(e) => json!({"state": "aggregating", "from": e.from, "to": e.to, "expected": e.totals, "seconds": 0}),
            None => json!({"state": "none"}),
        };
        let store = cm_store::DynamoStore::new(self.clients.dynamodb.clone(), self.table.lock().await.clone());
        let task = expected.map(|e| tokio::spawn(await_history(store, self.history.clone(), e)));
        *self.history_task.lock().await = task;
    }

    /// `replay_seed`: this start seeded the table, so the functions that keep state
    /// derived from the stream ([`seed::history::STREAM_CONSUMERS`]) read it from its
    /// start (TRIM_HORIZON) rather than from now, and the seeded past reaches them as
    /// if they had been running while it happened. The others keep the template's
    /// starting position: notify-booking-change must not mail anyone about a year of
    /// old bookings.
    async fn start_pollers(&self, scope: &Scope, replay_seed: bool) -> Result<(), String> {
        let sources = stream_sources(&self.template, scope)?;
        let mut handles = self.pollers.lock().await;
        for s in &sources {
            if s.enabled {
                let mut s = s.clone();
                if replay_seed && seed::history::STREAM_CONSUMERS.contains(&s.function.as_str()) {
                    s = Arc::new(StreamSource { trim_horizon: true, ..(*s).clone() });
                }
                let (c, f, r) = (self.clients.clone(), self.functions.clone(), self.settings.region.clone());
                handles.push(streams::start(s, c, f, r).await);
            }
        }
        *self.stream_sources.lock().await = sources;
        for s in crate::uploads::sources(&self.template, scope)? {
            handles.push(crate::uploads::start(s, self.clients.clone(), self.functions.clone()).await?);
        }
        Ok(())
    }

    async fn stop_seeding(&self) {
        if let Some(task) = self.seeding_task.lock().await.take() {
            task.abort();
        }
        if let Some(task) = self.history_task.lock().await.take() {
            task.abort();
        }
    }

    async fn stop_pollers(&self) {
        for h in self.pollers.lock().await.drain(..) {
            h.abort();
        }
    }

    /// Clears moto and DynamoDB Local, recreates every resource and reseeds, without
    /// restarting anything else: the same ports, the same emulators.
    pub async fn reset(&self) -> Result<String, String> {
        // Open sockets belong to connections the reset forgets: end them, so clients
        // reconnect (and authenticate again) rather than talk into the void.
        if let Some(gateway) = self.websocket.lock().await.as_ref() {
            gateway.close_all(1012, "Service Restart");
        }
        self.stop_seeding().await;
        self.stop_pollers().await;
        moto::reset(&self.endpoints.moto).await?;
        dynamodb::reset(&self.clients.dynamodb).await?;
        self.stripe.reset();
        let (scope, _) = resources::provision(&self.template, &self.clients, &self.settings.local_secret).await?;
        // Resource ARNs change (a secret's ARN has a random suffix): restart functions with new ones.
        for spec in function_specs(&self.template, &scope, &self.api_url)? {
            self.functions.set_env(&spec.name, spec.env).await;
        }
        let table = scope.names.reference("Table").map(template::intrinsics::json_text).unwrap_or_default();
        *self.table.lock().await = table.clone();
        let store = cm_store::DynamoStore::new(self.clients.dynamodb.clone(), table);
        let seeded = seed::seed(&store, self.has_review_route).await?;
        self.start_pollers(&scope, !seeded.already_seeded).await?;
        self.watch_history(seeded.expected.clone()).await;
        finish_seeding(self, &seeded.reviews).await;
        let through_api = self.seeding.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        let detail = through_api["detail"].as_str().unwrap_or_default();
        if through_api["state"] == "failed" {
            return Err(format!("reset: seeding through the API failed: {detail}"));
        }
        Ok(format!("reset: {} accounts, {} bookings; through the API: {detail}", seeded.users, seeded.bookings_created))
    }

    fn write_state(&self, control_port: u16, lambda_port: u16) -> Result<(), String> {
        let state = json!({
            "pid": std::process::id(),
            "api": self.api_url,
            "aws": self.endpoints.moto,
            "dynamodb": self.endpoints.dynamodb,
            "emulator": format!("http://127.0.0.1:{lambda_port}"),
            "control": format!("http://127.0.0.1:{control_port}"),
            "websocket": self.websocket_urls.as_ref().map(|(ws, _)| ws),
            "started_at": Utc::now().to_rfc3339(),
        });
        std::fs::write(self.settings.state_file(), state.to_string()).map_err(|e| e.to_string())
    }
}

fn start_emulator(root: &Path, port: u16, log: &Path) -> Result<Child, String> {
    let bin = root.join(".venv/lambda/bin/cargo-lambda");
    if !bin.exists() {
        return Err(format!("{} is missing: run scripts/dev (it installs cargo-lambda)", bin.display()));
    }
    let mut cmd = Command::new(bin);
    cmd.current_dir(root)
        .args(["lambda", "watch", "--only-lambda-apis", "--invoke-address", "127.0.0.1", "--invoke-port"])
        .arg(port.to_string())
        .env("CARGO_LAMBDA_COLOR", "never")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = procs::spawn(&mut cmd).map_err(|e| format!("starting cargo lambda watch: {e}"))?;
    procs::capture_output(&mut child, log, "emulator".into(), |l| l.contains("ERROR"));
    Ok(child)
}

/// The environment every function shares locally: what Lambda itself provides, plus
/// the local endpoints and credentials.
pub fn base_env(s: &Settings, endpoints: &Endpoints) -> BTreeMap<String, String> {
    let mut env: BTreeMap<String, String> = [
        ("PATH", "/usr/local/bin:/usr/bin:/bin"),
        ("LANG", "C.UTF-8"),
        ("TZ", ":UTC"),
        ("AWS_ACCESS_KEY_ID", aws::ACCESS_KEY),
        ("AWS_SECRET_ACCESS_KEY", aws::SECRET_KEY),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
        ("_HANDLER", "bootstrap"),
        // moto answers S3 at one host: path-style addressing.
        ("S3_FORCE_PATH_STYLE", "true"),
        // The calendar fetch's test-only allowance: plain http to 127.0.0.1, where the
        // stack serves its fixture calendars (`crate::calendars`). Here only: the
        // template never sets it (tests/tests/api/layout.rs).
        ("CALENDAR_FETCH_ALLOW_LOOPBACK", "1"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    env.insert("AWS_REGION".into(), s.region.clone());
    env.insert("AWS_DEFAULT_REGION".into(), s.region.clone());
    for (name, url) in endpoints.env() {
        env.insert(name.into(), url);
    }
    env
}

/// The HTTP API's routes, read from its explicit `AWS::ApiGatewayV2::Route`s (each
/// area's nested stack adds its own; see `websocket::read_api`).
fn route_table(t: &Template) -> Result<RouteTable, String> {
    let api = crate::websocket::read_api(t, "HTTP")?.ok_or("the template has no HTTP API (AWS::ApiGatewayV2::Api)")?;
    let mut routes = RouteTable::default();
    for (key, r) in &api.routes {
        if r.payload_format.as_deref() != Some("2.0") {
            return Err(format!("route `{key}`: only payload format 2.0 is emulated (set PayloadFormatVersion)"));
        }
        let (method, path) = match key.as_str() {
            "$default" => ("ANY", "$default"),
            other => other.split_once(' ').ok_or_else(|| format!("route key `{other}` is not `METHOD /path`"))?,
        };
        routes.add(method, path, &r.function).map_err(|e| format!("route `{key}`: {e}"))?;
    }
    Ok(routes)
}

pub fn function_specs(t: &Template, scope: &Scope, api_url: &str) -> Result<Vec<FunctionSpec>, String> {
    let cdn = format!("https://{}", resources::LOCAL_CDN_HOST);
    t.functions()
        .into_iter()
        .map(|f| {
            let mut env =
                template::resolve_environment(scope, &f).map_err(|e| format!("{}: Environment: {e}", f.logical_id))?;
            // URLs of the CDN are the API's `/media/` locally (api::media).
            for v in env.values_mut() {
                if let Some(rest) = v.strip_prefix(&cdn) {
                    *v = format!("{api_url}/media{rest}");
                }
            }
            Ok(FunctionSpec {
                name: f.binary.clone(),
                logical_id: f.logical_id.clone(),
                timeout: Duration::from_secs(f.timeout_secs),
                memory_mb: f.memory_mb,
                env,
            })
        })
        .collect()
}

fn stream_sources(t: &Template, scope: &Scope) -> Result<Vec<Arc<StreamSource>>, String> {
    let mut out = Vec::new();
    for f in t.functions() {
        for e in f.events.iter().filter(|e| e.kind == "DynamoDB") {
            let p = scope.resolve(&e.properties).map_err(|err| format!("{}.{}: {err}", f.logical_id, e.name))?;
            out.push(Arc::new(StreamSource::from_event(&f.binary, &e.name, &p)?));
        }
    }
    Ok(out)
}

fn schedule_sources(t: &Template, scope: &Scope) -> Result<Vec<Arc<ScheduleSource>>, String> {
    let mut out = Vec::new();
    for f in t.functions() {
        for e in f.events.iter().filter(|e| e.kind == "Schedule" || e.kind == "ScheduleV2") {
            let p = scope.resolve(&e.properties).map_err(|err| format!("{}.{}: {err}", f.logical_id, e.name))?;
            out.push(Arc::new(ScheduleSource::from_event(
                &f.binary,
                &f.logical_id,
                &e.name,
                &e.kind,
                &p,
                &scope.region,
            )?));
        }
    }
    Ok(out)
}

/// Checks template.yaml the way `up` reads it, without starting anything: routes,
/// filter patterns, schedule expressions. Used by the smoke test and CI.
pub fn check(root: &Path) -> Result<String, String> {
    let t = Template::load(&root.join("template.yaml"), "us-east-1").map_err(|e| e.to_string())?;
    let routes = route_table(&t)?;
    let websocket_routes = websocket::from_template(&t)?.map_or(0, |api| api.routes.routes.len());
    let mut scope = t.scope().map_err(|e| e.to_string())?;
    for r in t.resources() {
        scope.names.set_ref(&r.logical_id, format!("local-{}", r.logical_id));
        for attr in ["Arn", "StreamArn", "QueueName", "QueueUrl", "TopicName", "TopicArn"] {
            scope.names.set_attr(&r.logical_id, attr, format!("arn:aws:local:us-east-1:0:{}", r.logical_id));
        }
    }
    let streams = stream_sources(&t, &scope)?;
    let schedules = schedule_sources(&t, &scope)?;
    for r in t.resources() {
        scope.names.set_attr(&r.logical_id, "Id", format!("local-{}", r.logical_id));
        scope.names.set_attr(&r.logical_id, "DomainName", resources::LOCAL_CDN_HOST.to_string());
        scope.names.set_attr(&r.logical_id, "RegionalDomainName", format!("{}.localhost", r.logical_id));
        scope.names.set_attr(&r.logical_id, "ApiEndpoint", format!("wss://{}.localhost", r.logical_id));
    }
    function_specs(&t, &scope, "http://127.0.0.1:3000")?;
    crate::uploads::sources(&t, &scope)?;
    Ok(format!(
        "{} routes, {} WebSocket routes, {} stream sources, {} schedules",
        routes.len(),
        websocket_routes,
        streams.len(),
        schedules.len()
    ))
}

#[allow(clippy::too_many_arguments)]
fn banner(
    stack: &Stack,
    api: &Api,
    web: Option<&str>,
    resources: &[String],
    seeded: &seed::Report,
    control_port: u16,
    lambda_port: u16,
    origin: DateTime<Utc>,
    took: &str,
) {
    use seed::catalog::*;
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(String::new());
    line(format!("Capture Moments is running locally (ready in {took})"));
    match web {
        Some(url) => line(format!("  Web app          {url}   (open this; web/dist, built by scripts/dev)")),
        None => line("  Web app          not built (scripts/dev builds web/ into web/dist)".into()),
    }
    line(format!("  HTTP API         {}   ({} routes from template.yaml)", stack.api_url, api.routes.len()));
    if let (Some(ws), Some((url, management))) = (&stack.websocket_api, &stack.websocket_urls) {
        let keys: Vec<&str> = ws.routes.routes.keys().map(String::as_str).collect();
        line(format!("  WebSocket API    {url}   ({} routes from template.yaml: {})", keys.len(), keys.join(" ")));
        line(format!("                   @connections at {management} (AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI)"));
    }
    line(format!("  DynamoDB         {}   (DynamoDB Local: the table and its stream)", stack.endpoints.dynamodb));
    line(format!("  Other AWS        {}   (moto: SQS, SNS, S3, SES, Secrets Manager)", stack.endpoints.moto));
    line(format!(
        "  Your own tools   {}",
        stack.endpoints.env().iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ")
    ));
    line(format!(
        "  Lambda emulator  http://127.0.0.1:{lambda_port}   (cargo lambda watch --only-lambda-apis, {} of them; {} functions, started on first use, up to {} instances each: LAMBDA_CONCURRENCY)",
        stack.functions.concurrency(),
        stack.functions.names().len(),
        stack.functions.concurrency()
    ));
    line(format!(
        "  Stripe stand-in  {}/standin   (checkout: {}/standin/checkout/<pi>?client_secret=..; webhooks to {}/webhooks/stripe; STRIPE_API_BASE)",
        stack.stripe.base_url(),
        stack.stripe.base_url(),
        stack.api_url
    ));
    line(format!(
        "  Calendars        {}   (a fixture external calendar: add it at POST /photographers/me/calendars, then scripts/dev fire sync-external-calendars)",
        stack.calendars.url("/demo.ics")
    ));
    line(format!("  Control          http://127.0.0.1:{control_port}   (scripts/fire-schedule, scripts/dev reset)"));
    line("  Resources".into());
    for r in resources {
        line(format!("    {r}"));
    }
    if let Ok(sources) = stack.stream_sources.try_lock() {
        line(format!("  Stream triggers{}", if sources.is_empty() { "  none in template.yaml" } else { "" }));
        for s in sources.iter() {
            line(format!("    {}", s.describe()));
        }
    }
    line(format!("  Schedules{}", if stack.schedules.is_empty() { "        none in template.yaml" } else { "" }));
    for s in &stack.schedules {
        line(format!("    {}", s.describe(Utc::now(), origin)));
    }
    let data = if seeded.already_seeded {
        "already seeded (scripts/dev reset starts over)".to_string()
    } else {
        format!(
            "{} accounts, {} photographers in {} cities, {} bookings ({} of them {} days of history, written in {:.1} s){}{}",
            seeded.users,
            seeded.photographers,
            CITIES.len(),
            seeded.bookings_created,
            seeded.history_bookings,
            seed::history::window_days().unwrap_or(seed::history::WINDOW_DAYS),
            seeded.history_seconds,
            if seeded.reviews.is_empty() {
                String::new()
            } else {
                format!(", {} reviews on their way", seeded.reviews.len())
            },
            if stack.has_upload_route {
                format!(
                    "; portfolios of {} photos each on their way through the upload pipeline",
                    seed::photos::PER_PHOTOGRAPHER
                )
            } else {
                String::new()
            }
        )
    };
    line(format!("  Demo data        {data}"));
    line(format!("  Demo accounts    (local only; password for all: {DEMO_PASSWORD})"));
    line(format!("    admin          {ADMIN_EMAIL}"));
    line(format!(
        "    photographer   {DEMO_PHOTOGRAPHER}   (and firstname.lastname@photographers.test for all {})",
        PHOTOGRAPHERS.len()
    ));
    line(format!("    client         {DEMO_CLIENT}   (and {} more @clients.test)", CLIENTS.len() - 1));
    line(format!("  Logs             {}/logs/<function>.log", stack.settings.dir().display()));
    line("  Ctrl-C stops everything.".into());
    eprintln!("{out}");
}

impl crate::control::Controlled for Stack {
    async fn status(&self) -> serde_json::Value {
        serde_json::json!({
            "api": self.api_url,
            "aws": self.endpoints.moto,
            "dynamodb": self.endpoints.dynamodb,
            "stripe": self.stripe.base_url(),
            "websocket": self.websocket_urls.as_ref().map(|(ws, management)| json!({"url": ws, "management": management})),
            "functions": self.functions.names(),
            "concurrency": self.functions.concurrency(),
            "seeding": self.seeding.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone(),
            "history": self.history.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone(),
            "usage": self.functions.usage().await,
            "schedules": self.schedules.iter().map(|s| serde_json::json!({"function": s.function, "event": s.event, "expression": s.expression})).collect::<Vec<_>>(),
        })
    }

    async fn fire(&self, name: &str) -> (http::StatusCode, serde_json::Value) {
        use http::StatusCode;
        use serde_json::json;
        let matching: Vec<_> = self.schedules.iter().filter(|s| s.answers_to(name)).collect();
        match matching.as_slice() {
            [one] => {
                let (status, response) =
                    crate::schedule::fire(one, &self.functions, Utc::now(), "(fired by hand)").await;
                let code = if status == "ok" { StatusCode::OK } else { StatusCode::BAD_GATEWAY };
                (code, json!({"function": one.function, "event": one.event, "status": status, "response": response}))
            }
            [] => {
                let known: Vec<String> =
                    self.schedules.iter().map(|s| format!("{} ({}.{})", s.function, s.logical_id, s.event)).collect();
                (StatusCode::NOT_FOUND, json!({"error": format!("no schedule `{name}`"), "schedules": known}))
            }
            _ => (
                StatusCode::CONFLICT,
                json!({"error": format!("`{name}` names several schedules; use Function.Event")}),
            ),
        }
    }

    async fn reset(&self) -> Result<String, String> {
        Stack::reset(self).await
    }
}
