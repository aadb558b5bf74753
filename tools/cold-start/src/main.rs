//! `scripts/cold-start`: cold starts of release binaries under our Runtime API, against
//! DynamoDB Local and moto provisioned from template.yaml, beside the hello-world
//! floors. Prints a Markdown table and writes `.local/cold-start/results.json`.
//!
//!   cold-start [--runs N] [--warm N] [--env NAME=VALUE]... [--secrets-inline] [--instructions] [FUNCTION...]
//!
//! `--instructions` also runs each binary's init once under callgrind and reports the
//! instructions it executed, a count no other load on the machine changes; the profiles
//! stay in `.local/cold-start/callgrind/` for `callgrind_annotate`.
//!
//! `--secrets-inline` gives each function its secrets' values in the environment
//! instead of their ARNs, so init makes no Secrets Manager call: what fetching them
//! lazily would take off init.

use bytes::Bytes;
use cm_store::UserReader;
use cold_start::stats::{median, ms, percentile, ratio};
use cold_start::{Start, Target, cold_start, package};
use local_stack::aws::{Clients, Endpoints};
use local_stack::stack::{Settings, base_env, function_specs};
use local_stack::template::{Template, intrinsics::json_text};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// One function per kind of trigger and of init: a constant answer; public reads (a
/// Query, a GetItem and Query); a signed-in write that reads three keys from Secrets
/// Manager at init; a stream consumer; a schedule.
const REPRESENTATIVE: &[&str] = &[
    "health",
    "search-photographers",
    "get-photographer-availability",
    "create-booking",
    "notify-booking-change",
    "expire-bookings",
];
const FLOORS: &[&str] = &["hello", "hello-sdk"];

struct Args {
    runs: usize,
    warm: usize,
    env: BTreeMap<String, String>,
    secrets_inline: bool,
    /// Also count each binary's init instructions under callgrind (`--instructions`).
    instructions: bool,
    /// The cargo profile the binaries were built with (`--profile`): `release`, or one
    /// that inherits from it to try other settings side by side.
    profile: String,
    functions: Vec<String>,
}

/// The variable holding a secret's ARN, and the one that takes its value instead.
const SECRET_VARS: &[(&str, &str)] = &[
    ("TOKEN_KEYS_SECRET_ARN", "TOKEN_KEYS"),
    ("CURSOR_KEY_SECRET_ARN", "CURSOR_KEY"),
    ("QUOTE_KEY_SECRET_ARN", "QUOTE_KEY"),
    ("STRIPE_SECRET_ARN", "STRIPE_KEYS"),
];

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        runs: 10,
        warm: 20,
        env: BTreeMap::new(),
        secrets_inline: false,
        instructions: false,
        profile: "release".into(),
        functions: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut number = |name: &str| -> Result<usize, String> {
            it.next()
                .and_then(|v| v.parse().ok())
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{name} takes a positive number"))
        };
        match a.as_str() {
            "--runs" => args.runs = number("--runs")?,
            "--warm" => args.warm = number("--warm")?,
            "--env" => {
                let pair = it.next().ok_or("--env takes NAME=VALUE")?;
                let (k, v) = pair.split_once('=').ok_or("--env takes NAME=VALUE")?;
                args.env.insert(k.to_string(), v.to_string());
            }
            "--secrets-inline" => args.secrets_inline = true,
            "--instructions" => args.instructions = true,
            "--profile" => args.profile = it.next().filter(|p| !p.starts_with('-')).ok_or("--profile takes a name")?,
            "-h" | "--help" => {
                return Err(
                    "cold-start [--runs N] [--warm N] [--env NAME=VALUE]... [--secrets-inline] [--instructions] [--profile NAME] [FUNCTION...]".into()
                );
            }
            f if !f.starts_with('-') => args.functions.push(f.to_string()),
            other => return Err(format!("unknown option {other}")),
        }
    }
    if args.functions.is_empty() {
        args.functions = REPRESENTATIVE.iter().map(|s| s.to_string()).collect();
    }
    Ok(args)
}

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("cold-start: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), String> {
    let args = parse_args()?;
    let root = local_stack::repo_root()?;
    let release = match std::env::var_os("CARGO_TARGET_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
    .join(&args.profile);
    let out = root.join(".local/cold-start");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(out.join("logs")).map_err(|e| e.to_string())?;

    let settings = Settings::from_env(root.clone())?;
    let (moto_log, dynamodb_log) = (out.join("logs/moto.log"), out.join("logs/dynamodb.log"));
    let (moto, dynamodb) = tokio::join!(
        local_stack::moto::start(&root, None, &moto_log),
        local_stack::dynamodb::start(&root, None, &dynamodb_log),
    );
    // Held to the end: dropping them stops the emulators.
    let (moto, dynamodb) = (moto?, dynamodb?);
    let endpoints = Endpoints { moto: moto.url.clone(), dynamodb: dynamodb.url.clone() };
    let template = Template::load(&root.join("template.yaml"), &settings.region).map_err(|e| e.to_string())?;
    let clients = Clients::new(&endpoints, &settings.region).await;
    let (scope, _) = local_stack::resources::provision(&template, &clients, &settings.local_secret).await?;
    let specs = function_specs(&template, &scope, "http://127.0.0.1:9")?;
    let table = scope.names.reference("Table").map(json_text).ok_or("the template has no Table")?;
    let store = cm_store::DynamoStore::new(clients.dynamodb.clone(), table);
    eprintln!("seeding the demo data (search has photographers to find, the signed-in events a user)");
    local_stack::seed::seed(&store, false).await?;

    let mut shared_env = base_env(&settings, &endpoints);
    shared_env.extend(args.env.clone());
    let bearer = client_token(&clients, &store, &specs).await?;

    let mut targets = Vec::new();
    for floor in FLOORS {
        targets.push(Target {
            name: floor.to_string(),
            binary: release.join(floor),
            env: shared_env.clone(),
            memory_mb: 1024,
            event: Bytes::from_static(b"{}"),
            log: out.join(format!("logs/{floor}.log")),
        });
    }
    for name in &args.functions {
        let spec =
            specs.iter().find(|s| &s.name == name).ok_or_else(|| format!("no function {name} in template.yaml"))?;
        let mut env = shared_env.clone();
        env.extend(spec.env.clone());
        if args.secrets_inline {
            for (arn_var, value_var) in SECRET_VARS {
                if let Some(arn) = env.remove(*arn_var) {
                    env.insert(value_var.to_string(), secret_value(&clients, &arn).await?);
                }
            }
        }
        env.extend(args.env.clone());
        targets.push(Target {
            name: name.clone(),
            binary: release.join(name),
            env,
            memory_mb: spec.memory_mb,
            event: sample_event(&root, name, &bearer)?,
            log: out.join(format!("logs/{name}.log")),
        });
    }
    for t in &targets {
        if !t.binary.is_file() {
            return Err(format!(
                "{} is missing: build it with `cargo build --release -p ...` (scripts/cold-start does)",
                t.binary.display()
            ));
        }
    }

    let mut results: Vec<(Target, Vec<Start>)> = Vec::new();
    for t in targets {
        let mut starts = Vec::new();
        for run in 0..args.runs {
            eprint!("\r{} cold start {}/{}   ", t.name, run + 1, args.runs);
            starts.push(cold_start(&t, args.warm).await.map_err(|e| format!("{}: {e}", t.name))?);
        }
        eprintln!();
        results.push((t, starts));
    }
    let mut instructions = vec![None; results.len()];
    if args.instructions {
        let dir = out.join("callgrind");
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        for ((t, _), count) in results.iter().zip(instructions.iter_mut()) {
            eprintln!("{}: init under callgrind", t.name);
            let file = dir.join(format!("{}.out", t.name));
            *count = Some(cold_start::init_instructions(t, &file).await.map_err(|e| format!("{}: {e}", t.name))?);
        }
    }
    // Each binary summarised once, read and zipped once, for the table and the JSON alike.
    let summaries = results
        .iter()
        .zip(&instructions)
        .map(|((t, starts), count)| Summary::of(t, starts, *count))
        .collect::<Result<Vec<_>, _>>()?;
    let floor_at = results.iter().position(|(t, _)| t.name == "hello-sdk").ok_or("no hello-sdk floor")?;
    let floor = Floor {
        init: summaries[floor_at].init_p50.ok_or("no hello-sdk floor")?,
        cpu: summaries[floor_at].cpu_p50.unwrap_or_default(),
        instructions: summaries[floor_at].instructions,
    };
    let report = report(&results, &summaries, floor, &args);
    print!("{report}");
    let json = results_json(&results, &summaries, floor, &args);
    std::fs::write(out.join("results.json"), serde_json::to_string_pretty(&json).unwrap_or_default())
        .map_err(|e| e.to_string())?;
    drop((moto, dynamodb));
    Ok(())
}

/// A signed-in seeded client's access token, minted with the stack's token keys as
/// read from (moto's) Secrets Manager, so signed-in events reach the store rather than
/// stopping at 401.
async fn client_token(
    clients: &Clients,
    store: &cm_store::DynamoStore,
    specs: &[local_stack::functions::FunctionSpec],
) -> Result<String, String> {
    let arn =
        specs.iter().find_map(|s| s.env.get("TOKEN_KEYS_SECRET_ARN")).ok_or("no function has TOKEN_KEYS_SECRET_ARN")?;
    let secret = secret_value(clients, arn).await?;
    let keys = cm_accounts::tokens::KeySet::parse(&secret).map_err(|e| e.to_string())?;
    let tokens = cm_accounts::tokens::AccessTokens::new(&keys, chrono::Duration::hours(2), chrono::Duration::days(1));
    let email = local_stack::seed::catalog::DEMO_CLIENT;
    let user =
        store.find_user_by_email(email).await.map_err(|e| e.to_string())?.ok_or("the demo client was not seeded")?;
    tokens.issue(&user, chrono::Utc::now()).map_err(|e| e.to_string())
}

async fn secret_value(clients: &Clients, arn: &str) -> Result<String, String> {
    clients
        .secrets
        .get_secret_value()
        .secret_id(arn)
        .send()
        .await
        .map_err(|e| format!("{arn}: {}", aws_sdk_secretsmanager::error::DisplayErrorContext(e)))?
        .secret_string
        .ok_or_else(|| format!("{arn} has no string value"))
}

/// `events/<name>.json`, with a fresh token where the event is a signed-in request.
fn sample_event(root: &Path, name: &str, token: &str) -> Result<Bytes, String> {
    let path = root.join("events").join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut event: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    if let Some(h) = event.get_mut("headers").and_then(Value::as_object_mut)
        && h.contains_key("authorization")
    {
        h.insert("authorization".into(), json!(format!("Bearer {token}")));
    }
    Ok(Bytes::from(serde_json::to_vec(&event).map_err(|e| e.to_string())?))
}

/// What the table and the JSON both say of one binary's starts, computed once.
struct Summary {
    init_p50: Option<Duration>,
    init_max: Option<Duration>,
    cpu_p50: Option<Duration>,
    faults_p50: u64,
    first_p50: Option<Duration>,
    warm_p50: Option<Duration>,
    warm_p99: Option<Duration>,
    peak_rss_kib: u64,
    clients: String,
    binary_mb: f64,
    zipped_mb: f64,
    instructions: Option<u64>,
}

impl Summary {
    fn of(target: &Target, starts: &[Start], instructions: Option<u64>) -> Result<Self, String> {
        let init: Vec<Duration> = starts.iter().map(|s| s.init).collect();
        let cpu: Vec<Duration> = starts.iter().map(|s| s.init_cpu).collect();
        let first: Vec<Duration> = starts.iter().map(|s| s.first).collect();
        let warm: Vec<Duration> = starts.iter().flat_map(|s| s.warm.iter().copied()).collect();
        let mut faults: Vec<u64> = starts.iter().map(|s| s.init_faults).collect();
        faults.sort_unstable();
        let (binary_mb, zipped_mb) = size_mb(&target.binary)?;
        Ok(Summary {
            init_p50: median(&init),
            init_max: percentile(&init, 100.0),
            cpu_p50: median(&cpu),
            faults_p50: faults.get(faults.len().saturating_sub(1) / 2).copied().unwrap_or(0),
            first_p50: median(&first),
            warm_p50: median(&warm),
            warm_p99: percentile(&warm, 99.0),
            peak_rss_kib: starts.iter().map(|s| s.peak_rss_kib).max().unwrap_or(0),
            clients: links(&target.binary),
            binary_mb,
            zipped_mb,
            instructions,
        })
    }
}

fn links(binary: &Path) -> String {
    package::linked_clients(binary)
        .map_or_else(|e| e.to_string(), |c| if c.is_empty() { "none".into() } else { c.join(", ") })
}

fn size_mb(binary: &Path) -> Result<(f64, f64), String> {
    let raw = std::fs::metadata(binary).map_err(|e| e.to_string())?.len();
    let zipped = package::zipped_size(binary).map_err(|e| e.to_string())?;
    Ok((raw as f64 / 1e6, zipped as f64 / 1e6))
}

/// The hello+SDK floor's medians, which every binary is set against.
#[derive(Clone, Copy)]
struct Floor {
    init: Duration,
    cpu: Duration,
    instructions: Option<u64>,
}

fn report(results: &[(Target, Vec<Start>)], summaries: &[Summary], floor: Floor, args: &Args) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let extra: Vec<String> = args.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let _ = writeln!(
        s,
        "\n{} cold starts per binary, {} warm invocations after each; {} profile{}{}.\n",
        args.runs,
        args.warm,
        args.profile,
        if args.secrets_inline { "; secrets in the environment, not fetched at init" } else { "" },
        if extra.is_empty() { String::new() } else { format!("; with {}", extra.join(" ")) }
    );
    let _ = writeln!(
        s,
        "| binary | init p50 (ms) | init max | vs hello+SDK | init CPU p50 (ms) | CPU vs hello+SDK | page faults | 1st invocation p50 (ms) | warm p50 / p99 (ms) | peak RSS (MB) | binary / zipped (MB) | answer |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|---|---|---|---|");
    for ((t, starts), row) in results.iter().zip(summaries) {
        let answers: std::collections::BTreeSet<&str> = starts.iter().map(|s| s.answer.as_str()).collect();
        let (p50, cpu) = (row.init_p50.unwrap_or_default(), row.cpu_p50.unwrap_or_default());
        let _ = writeln!(
            s,
            "| `{}` | {:.1} | {:.1} | {} | {:.2} | {} | {} | {:.1} | {} | {:.1} | {:.2} / {:.2} | {} |",
            t.name,
            ms(p50),
            ms(row.init_max.unwrap_or_default()),
            ratio(p50, floor.init).map_or("-".into(), |r| format!("{r:.2}x")),
            ms(cpu),
            ratio(cpu, floor.cpu).map_or("-".into(), |r| format!("{r:.2}x")),
            row.faults_p50,
            ms(row.first_p50.unwrap_or_default()),
            match (row.warm_p50, row.warm_p99) {
                (Some(a), Some(b)) => format!("{:.2} / {:.2}", ms(a), ms(b)),
                _ => "-".into(),
            },
            row.peak_rss_kib as f64 / 1024.0,
            row.binary_mb,
            row.zipped_mb,
            answers.into_iter().collect::<Vec<_>>().join(", ")
        );
    }
    let counted = summaries.iter().any(|row| row.instructions.is_some());
    let _ = writeln!(
        s,
        "\n| binary | clients it calls |{}\n|---|---|{}",
        if counted { " init instructions (M, callgrind) | vs hello+SDK |" } else { "" },
        if counted { "---|---|" } else { "" }
    );
    for ((t, _), row) in results.iter().zip(summaries) {
        let counts = match (row.instructions, floor.instructions) {
            (Some(n), Some(f)) => format!(" {:.2} | {:.2}x |", n as f64 / 1e6, n as f64 / f as f64),
            (Some(n), None) => format!(" {:.2} | - |", n as f64 / 1e6),
            (None, _) if counted => " - | - |".into(),
            (None, _) => String::new(),
        };
        let _ = writeln!(s, "| `{}` | {} |{counts}", t.name, row.clients);
    }
    s
}

fn results_json(results: &[(Target, Vec<Start>)], summaries: &[Summary], floor: Floor, args: &Args) -> Value {
    let mut rows = Vec::new();
    for ((t, starts), row) in results.iter().zip(summaries) {
        rows.push(json!({
            "binary": t.name,
            "init_ms": starts.iter().map(|s| ms(s.init)).collect::<Vec<_>>(),
            "init_p50_ms": row.init_p50.map(ms),
            "init_vs_hello_sdk": row.init_p50.and_then(|p| ratio(p, floor.init)),
            "init_cpu_ms": starts.iter().map(|s| ms(s.init_cpu)).collect::<Vec<_>>(),
            "init_cpu_vs_hello_sdk": row.cpu_p50.and_then(|p| ratio(p, floor.cpu)),
            "init_page_faults": starts.iter().map(|s| s.init_faults).collect::<Vec<_>>(),
            "init_instructions": row.instructions,
            "init_instructions_vs_hello_sdk": row.instructions.zip(floor.instructions).map(|(a, b)| a as f64 / b as f64),
            "first_invocation_ms": starts.iter().map(|s| ms(s.first)).collect::<Vec<_>>(),
            "warm_p50_ms": row.warm_p50.map(ms),
            "warm_p99_ms": row.warm_p99.map(ms),
            "peak_rss_kib": row.peak_rss_kib,
            "binary_mb": row.binary_mb,
            "zipped_mb": row.zipped_mb,
            "clients_linked": row.clients,
            "answers": starts.iter().map(|s| s.answer.clone()).collect::<Vec<_>>(),
        }));
    }
    json!({
        "runs": args.runs,
        "warm": args.warm,
        "env": args.env,
        "secrets_inline": args.secrets_inline,
        "instructions": args.instructions,
        "profile": args.profile,
        "results": rows,
    })
}
