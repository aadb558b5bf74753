//! The repository agrees with itself: what template.yaml deploys is exactly what
//! functions/ builds, every function has a sample event, and no policy grants Scan.

use cm_tests::template::{self, repo_root};
use serde_yaml_ng::Value;
use std::collections::{BTreeMap, BTreeSet};

fn function_dirs() -> BTreeSet<String> {
    std::fs::read_dir(repo_root().join("functions"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("Cargo.toml").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn every_template_function_has_a_binary_and_every_binary_is_deployed() {
    let t = template::load();
    let fns = template::functions(&t);
    assert!(!fns.is_empty());
    let deployed: BTreeSet<String> = fns.iter().map(|f| f.binary.clone()).collect();
    assert_eq!(deployed.len(), fns.len(), "two functions share a binary");
    for f in &fns {
        assert!(!f.binary.is_empty(), "{} has no BuildProperties.Binary", f.logical_id);
        let manifest = std::fs::read_to_string(repo_root().join("functions").join(&f.binary).join("Cargo.toml"))
            .unwrap_or_else(|_| panic!("{}: functions/{}/Cargo.toml is missing", f.logical_id, f.binary));
        assert!(
            manifest.contains(&format!("[[bin]]\nname = \"{}\"", f.binary)),
            "functions/{} does not build a `{}` binary",
            f.binary,
            f.binary
        );
        // Release binaries link non-PIE through the shared build script (why: functions/build.rs).
        assert!(
            manifest.contains("\nbuild = \"../build.rs\"\n"),
            "functions/{} does not name the shared build script",
            f.binary
        );
    }
    assert_eq!(function_dirs(), deployed, "functions/ and template.yaml disagree");
}

#[test]
fn every_function_is_built_by_cargo_lambda_for_arm64() {
    let t = template::load();
    assert_eq!(t["Globals"]["Function"]["Runtime"].as_str(), Some("provided.al2023"));
    assert_eq!(t["Globals"]["Function"]["Architectures"][0].as_str(), Some("arm64"));
    for (id, r) in t["Resources"].as_mapping().unwrap() {
        if r["Type"].as_str() == Some("AWS::Serverless::Function") {
            assert_eq!(r["Metadata"]["BuildMethod"].as_str(), Some("rust-cargolambda"), "{id:?}");
        }
    }
}

#[test]
fn every_function_has_a_sample_event_and_every_event_a_function() {
    let t = template::load();
    let deployed: BTreeSet<String> = template::functions(&t).into_iter().map(|f| f.binary).collect();
    let events: BTreeSet<String> = std::fs::read_dir(repo_root().join("events"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_string_lossy().strip_suffix(".json").map(String::from))
        .collect();
    assert_eq!(events, deployed, "events/<binary>.json must exist for exactly the deployed functions");
}

#[test]
fn http_routes_are_unique() {
    let t = template::load();
    let mut seen = BTreeSet::new();
    for f in template::functions(&t) {
        for route in f.routes() {
            assert!(seen.insert(route.clone()), "route {route} is declared twice");
        }
    }
    assert!(seen.contains("$default"), "unknown routes need the not-found function");
}

#[test]
fn no_policy_grants_scan_or_wildcards_on_the_table() {
    let text = std::fs::read_to_string(repo_root().join("template.yaml")).unwrap();
    assert!(!text.contains("dynamodb:Scan"), "request paths never Scan");
    assert!(!text.contains("dynamodb:*"), "least privilege: name the actions");
    assert!(!text.contains("DynamoDBCrudPolicy"), "SAM's CRUD template includes Scan");
}

/// Tests inside function crates would never run (their targets set `test = false`):
/// keep them all in tests/.
#[test]
fn function_crates_contain_no_tests() {
    for dir in function_dirs() {
        for file in ["src/lib.rs", "src/main.rs"] {
            let path = repo_root().join("functions").join(&dir).join(file);
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                !text.contains("#[test]") && !text.contains("#[cfg(test)]"),
                "{} has tests that would never run",
                path.display()
            );
        }
    }
}

#[test]
fn mains_stay_thin() {
    for dir in function_dirs() {
        let main = std::fs::read_to_string(repo_root().join("functions").join(&dir).join("src/main.rs")).unwrap();
        assert!(
            main.lines().count() <= 25,
            "functions/{dir}/src/main.rs should only wire config, clients and the handler"
        );
    }
}

/// cfn-lint and SAM treat a FilterCriteria pattern as an opaque string: a typo there
/// silently filters out every record. Check each one parses and names real fields.
#[test]
fn stream_filter_patterns_are_valid_json_over_real_fields() {
    let t = template::load();
    let mut seen = 0;
    for f in template::functions(&t) {
        for (name, e) in &f.events {
            if e["Type"].as_str() != Some("DynamoDB") {
                continue;
            }
            let p = &e["Properties"];
            assert_eq!(p["FunctionResponseTypes"][0].as_str(), Some("ReportBatchItemFailures"), "{}/{name}", f.binary);
            assert_eq!(p["BisectBatchOnFunctionError"].as_bool(), Some(true), "{}/{name}", f.binary);
            assert!(
                p["MaximumRetryAttempts"].as_i64().is_some_and(|n| (0..=10).contains(&n)),
                "{}/{name}: bounded retries",
                f.binary
            );
            assert!(p["MaximumRecordAgeInSeconds"].as_i64().is_some(), "{}/{name}", f.binary);
            assert!(
                !p["DestinationConfig"]["OnFailure"]["Destination"].is_null(),
                "{}/{name}: on-failure destination",
                f.binary
            );
            for filter in p["FilterCriteria"]["Filters"].as_sequence().into_iter().flatten() {
                let text = filter["Pattern"].as_str().unwrap_or_default();
                let pattern: serde_json::Value = serde_json::from_str(text)
                    .unwrap_or_else(|e| panic!("{}/{name}: pattern is not JSON: {e}", f.binary));
                // A REMOVE has only the old image; everything else is filtered on the new.
                let removes_only = pattern["eventName"].as_array().is_some_and(|n| n == &["REMOVE"]);
                let image = &pattern["dynamodb"][if removes_only { "OldImage" } else { "NewImage" }];
                assert!(image["entity"]["S"].is_array(), "{}/{name}: filter on the item's entity", f.binary);
                if removes_only {
                    // Our code deletes items too; a REMOVE worth acting on is DynamoDB's own
                    // (TTL), and the pattern must say so.
                    assert_eq!(
                        pattern["userIdentity"]["principalId"],
                        serde_json::json!(["dynamodb.amazonaws.com"]),
                        "{}/{name}: a REMOVE filter names the TTL principal",
                        f.binary
                    );
                }
                for (_, v) in image.as_object().into_iter().flatten() {
                    assert!(
                        v.as_object()
                            .is_some_and(|o| o.contains_key("S") || o.contains_key("N") || o.contains_key("BOOL")),
                        "{}/{name}: image filters need a DynamoDB type key",
                        f.binary
                    );
                }
                if let Some(names) = pattern["eventName"].as_array() {
                    assert!(
                        names.iter().all(|n| matches!(n.as_str(), Some("INSERT" | "MODIFY" | "REMOVE"))),
                        "{}/{name}",
                        f.binary
                    );
                }
                seen += 1;
            }
        }
    }
    assert!(seen >= 1, "no stream filters found");
}

/// docs/openapi.json describes exactly the routes template.yaml deploys, each with the
/// function that serves it.
#[test]
fn openapi_matches_the_template_routes() {
    let doc: serde_json::Value = serde_json::from_str(openapi::DOCUMENT).expect("openapi.json is JSON");
    assert_eq!(doc["openapi"].as_str(), Some("3.1.0"));
    let mut documented = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            documented.insert((
                format!("{} {path}", method.to_uppercase()),
                op["x-function"].as_str().unwrap_or_default().to_string(),
            ));
        }
    }
    let t = template::load();
    let deployed: BTreeSet<(String, String)> = template::functions(&t)
        .into_iter()
        .flat_map(|f| f.routes().into_iter().filter(|r| r != "$default").map(move |r| (r, f.binary.clone())))
        .collect();
    let missing: Vec<_> = deployed.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&deployed).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "not documented: {missing:?}; documented but not deployed: {extra:?}"
    );
}

#[tokio::test]
async fn openapi_is_served() {
    let env = cm_tests::env().await;
    let r = cm_tests::call(env.app, openapi::handle, cm_tests::ApiEvent::new("GET /openapi.json")).await;
    assert_eq!(r.ok(200)["info"]["title"], "Capture Moments API");
}

/// The `[dependencies]` (not dev-dependencies) a crate's manifest names.
fn dependencies(manifest: &std::path::Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(manifest).unwrap_or_else(|e| panic!("{}: {e}", manifest.display()));
    let mut in_deps = false;
    let mut deps = BTreeSet::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
            continue;
        }
        if in_deps && let Some((name, _)) = line.split_once('=') {
            let name = name.trim().trim_end_matches(".workspace").trim();
            if !name.is_empty() && !name.starts_with('#') {
                deps.insert(name.to_string());
            }
        }
    }
    deps
}

/// docs/architecture.md: the layers and which may use which.
#[test]
fn crate_dependencies_follow_the_layers() {
    const DOMAIN: &[&str] = &[
        "cm-core",
        "cm-accounts",
        "cm-catalog",
        "cm-booking",
        "cm-reviews",
        "cm-notify",
        "cm-sentiment",
        "cm-media",
        "cm-payments",
        "cm-geo",
        "cm-chat",
        "cm-forecast",
        "cm-calsync",
    ];
    let shared = |dir: &str| repo_root().join("shared").join(dir).join("Cargo.toml");
    let name_of = |manifest: &std::path::Path| -> String {
        let text = std::fs::read_to_string(manifest).unwrap();
        let line = text.lines().find(|l| l.starts_with("name = ")).expect("a package name");
        line.trim_start_matches("name = ").trim_matches('"').to_string()
    };
    let is_aws = |d: &str| d.starts_with("aws-") || d.starts_with("aws_") || d.starts_with("lambda_");
    let mut checked = BTreeSet::new();
    for entry in std::fs::read_dir(repo_root().join("shared")).unwrap().filter_map(|e| e.ok()) {
        let manifest = entry.path().join("Cargo.toml");
        if !manifest.exists() {
            continue;
        }
        let name = name_of(&manifest);
        let deps = dependencies(&manifest);
        let forbid = |forbidden: &[&str], why: &str| {
            for d in &deps {
                assert!(!forbidden.contains(&d.as_str()), "{name} depends on {d}: {why}");
            }
        };
        match name.as_str() {
            n if DOMAIN.contains(&n) => {
                for d in &deps {
                    assert!(!is_aws(d) && d != "tokio", "{name} is a domain crate: no AWS, Lambda or async ({d})");
                }
                forbid(&["cm-store", "cm-http", "cm-app", "cm-runtime", "cm-analyzer"], "domain crates are pure");
            }
            "cm-store" => {
                for d in &deps {
                    assert!(!d.starts_with("lambda_"), "{name} is storage only ({d})");
                    assert!(
                        !is_aws(d) || d == "aws-sdk-dynamodb" || d == "aws-config",
                        "{name} talks to DynamoDB only ({d})"
                    );
                }
                forbid(
                    &["cm-http", "cm-app", "cm-runtime", "cm-analyzer"],
                    "storage knows nothing of HTTP or the runtime",
                );
            }
            "cm-analyzer" => {
                forbid(&["cm-store", "cm-http", "cm-app", "cm-runtime"], "an adapter depends on the domain only")
            }
            // The Stripe adapter: async-stripe and the domain, nothing of ours above it.
            "cm-stripe" => {
                for d in &deps {
                    assert!(!is_aws(d), "{name} talks to Stripe only ({d})");
                }
                forbid(&["cm-store", "cm-http", "cm-app", "cm-runtime"], "an adapter depends on the domain only")
            }
            // Mail out: SES and the rendered emails, nothing of ours above them.
            "cm-mail" => {
                for d in &deps {
                    assert!(!is_aws(d) || d == "aws-sdk-sesv2" || d == "aws-config", "{name} talks to SES only ({d})");
                }
                forbid(&["cm-store", "cm-http", "cm-app", "cm-runtime"], "an adapter depends on the domain only")
            }
            // Texts out: SNS to phone numbers; the texts come rendered from the caller.
            "cm-sms" => {
                for d in &deps {
                    assert!(!is_aws(d) || d == "aws-sdk-sns" || d == "aws-config", "{name} talks to SNS only ({d})");
                    assert!(!d.starts_with("cm-"), "{name} knows no other project crate ({d})");
                }
            }
            "cm-http" => {
                for d in &deps {
                    assert!(!d.starts_with("aws-"), "{name} is HTTP plumbing only ({d})");
                    assert!(
                        !d.starts_with("cm-") || d == "cm-core" || d == "cm-metrics",
                        "{name} knows only the shared kernel and the metric writer ({d})"
                    );
                }
            }
            // EMF lines on stdout: below everything that emits, above nothing but the kernel.
            "cm-metrics" => {
                for d in &deps {
                    assert!(!is_aws(d) && d != "tokio", "{name} writes lines, it calls nothing ({d})");
                    assert!(!d.starts_with("cm-") || d == "cm-core", "{name} knows only the shared kernel ({d})");
                }
            }
            "cm-app" => {
                for d in &deps {
                    assert!(!d.starts_with("aws-") && d != "lambda_runtime", "{name} has no AWS client ({d})");
                }
                forbid(&["cm-runtime"], "the runtime builds the application, not the reverse");
            }
            "cm-runtime" => {}
            // Fetching external calendars: reqwest and the address rules, nothing of ours
            // above them, no AWS.
            "cm-webcal" => {
                for d in &deps {
                    assert!(!is_aws(d), "{name} fetches calendars only ({d})");
                    assert!(!d.starts_with("cm-") || d == "cm-calsync", "{name} knows only the calendar rules ({d})");
                }
            }
            // The WebSocket side of the runtime: route events, the push client, fan-out.
            "cm-realtime" => forbid(&["cm-imaging", "cm-stripe", "cm-analyzer"], "it pushes frames, nothing else"),
            // The codecs: pure, and linked by process-upload alone (below).
            "cm-imaging" => {
                for d in &deps {
                    assert!(!is_aws(d) && d != "tokio", "{name} is pure image work ({d})");
                    assert!(!d.starts_with("cm-"), "{name} knows no other project crate ({d})");
                }
            }
            other => panic!(
                "shared/{} ({other}) is not placed in a layer: add it to docs/architecture.md and here",
                entry.file_name().to_string_lossy()
            ),
        }
        checked.insert(name);
    }
    for d in DOMAIN.iter().chain(&[
        "cm-store",
        "cm-analyzer",
        "cm-stripe",
        "cm-mail",
        "cm-http",
        "cm-app",
        "cm-runtime",
        "cm-realtime",
        "cm-imaging",
        "cm-webcal",
        "cm-metrics",
    ]) {
        assert!(checked.contains(*d), "{d} was not found under shared/");
    }
    assert!(shared("core").exists());
    // Functions never depend on each other; only process-upload decodes images (the
    // codecs are big, and parse what strangers upload).
    for entry in std::fs::read_dir(repo_root().join("shared")).unwrap().filter_map(|e| e.ok()) {
        let manifest = entry.path().join("Cargo.toml");
        if manifest.exists() {
            assert!(
                !dependencies(&manifest).contains("cm-imaging"),
                "{}: only process-upload links the codecs",
                manifest.display()
            );
        }
    }
    for dir in function_dirs() {
        let deps = dependencies(&repo_root().join("functions").join(&dir).join("Cargo.toml"));
        assert!(
            dir == "process-upload" || !deps.contains("cm-imaging"),
            "functions/{dir}: only process-upload links the codecs"
        );
        assert!(!deps.contains("image"), "functions/{dir}: image work goes through cm-imaging");
        // async-stripe is ~240k lines: only the functions that call Stripe link it, and
        // only through the adapter.
        assert!(
            !deps.iter().any(|d| d.starts_with("async-stripe")),
            "functions/{dir}: Stripe calls go through cm-stripe"
        );
        for other in function_dirs() {
            assert!(!deps.contains(&other), "functions/{dir} depends on functions/{other}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// Operations: logs, alarms, dead letters and rate limits. Each test reads the template
// generically, so a function added without its log group or alarms fails here.
// ---------------------------------------------------------------------------------------

/// A log group retention, for one stage: a number, `!If [IsProd, prod, dev]` or
/// `!FindInMap [Map, !Ref Stage, Key]`.
fn retention_days(t: &Value, v: &Value, stage: &str) -> Option<i64> {
    if let Some(n) = v.as_i64() {
        return Some(n);
    }
    let (name, arg) = template::intrinsic(v)?;
    let args = arg.as_sequence()?;
    match name.as_str() {
        "If" if args[0].as_str() == Some("IsProd") => {
            retention_days(t, &args[if stage == "prod" { 1 } else { 2 }], stage)
        }
        "FindInMap" if template::ref_target(&args[1]) == Some("Stage") => {
            t["Mappings"][args[0].as_str()?][stage][args[2].as_str()?].as_i64()
        }
        _ => None,
    }
}

/// The values CloudWatch Logs accepts for `RetentionInDays`.
const RETENTION_DAYS: &[i64] =
    &[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/// Without an explicit group, Lambda creates `/aws/lambda/<name>` on first use with no
/// retention: logs kept (and paid for) forever.
#[test]
fn every_function_logs_json_to_its_own_log_group_kept_longer_in_prod() {
    let t = template::load();
    assert_eq!(t["Globals"]["Function"]["LoggingConfig"]["LogFormat"].as_str(), Some("JSON"));
    let groups: BTreeMap<String, Value> = template::resources_of(&t, "AWS::Logs::LogGroup").into_iter().collect();
    let mut owners = BTreeMap::new();
    for f in template::functions(&t) {
        let logging = &f.properties["LoggingConfig"];
        let group = template::ref_target(&logging["LogGroup"])
            .unwrap_or_else(|| panic!("{}: LoggingConfig.LogGroup must !Ref its log group", f.logical_id));
        let props =
            groups.get(group).unwrap_or_else(|| panic!("{}: {group} is not an AWS::Logs::LogGroup", f.logical_id));
        if let Some(other) = owners.insert(group.to_string(), f.logical_id.clone()) {
            panic!("{} and {other} share the log group {group}", f.logical_id);
        }
        let name = template::sub_text(&props["LogGroupName"]).or(props["LogGroupName"].as_str()).unwrap_or_default();
        assert!(name.ends_with(&format!("/{}", f.binary)), "{group}: name `{name}` should end with the binary");
        assert!(logging["LogFormat"].is_null() || logging["LogFormat"].as_str() == Some("JSON"), "{}", f.logical_id);
    }
    for (id, props) in &groups {
        let dev = retention_days(&t, &props["RetentionInDays"], "dev");
        let prod = retention_days(&t, &props["RetentionInDays"], "prod");
        let (Some(dev), Some(prod)) = (dev, prod) else { panic!("{id}: no retention for each stage") };
        assert!(RETENTION_DAYS.contains(&dev) && RETENTION_DAYS.contains(&prod), "{id}: {dev}/{prod} days");
        assert!(prod >= 90 && prod > dev, "{id}: prod keeps logs 90 days or more, longer than dev ({dev}/{prod})");
    }
}

/// One metric an alarm watches.
#[derive(Debug)]
struct Watched {
    alarm: String,
    namespace: String,
    metric: String,
    dimensions: BTreeMap<String, Value>,
    alarm_props: Value,
}

impl Watched {
    fn is(&self, namespace: &str, metric: &str) -> bool {
        self.namespace == namespace && self.metric == metric
    }

    /// Whether its dimensions are exactly these (`!Ref`-ed logical ids or literals).
    fn on(&self, dims: &[(&str, &str)]) -> bool {
        self.dimensions.len() == dims.len()
            && dims.iter().all(|(name, want)| {
                self.dimensions.get(*name).is_some_and(|v| {
                    template::ref_target(v) == Some(want)
                        || template::get_att(v).is_some_and(|(id, attr)| format!("{id}.{attr}") == *want)
                        || v.as_str() == Some(want)
                })
            })
    }
}

fn dimensions(v: &Value) -> BTreeMap<String, Value> {
    v.as_sequence()
        .into_iter()
        .flatten()
        .map(|d| (d["Name"].as_str().unwrap_or_default().to_string(), d["Value"].clone()))
        .collect()
}

/// Every metric of every alarm, whether a plain metric alarm or metric math.
fn watched(t: &Value) -> Vec<Watched> {
    let mut out = Vec::new();
    for (alarm, p) in template::resources_of(t, "AWS::CloudWatch::Alarm") {
        let mut push = |m: &Value| {
            out.push(Watched {
                alarm: alarm.clone(),
                namespace: m["Namespace"].as_str().unwrap_or_default().to_string(),
                metric: m["MetricName"].as_str().unwrap_or_default().to_string(),
                dimensions: dimensions(&m["Dimensions"]),
                alarm_props: p.clone(),
            })
        };
        if p["MetricName"].is_string() {
            push(&p);
        }
        for q in p["Metrics"].as_sequence().into_iter().flatten() {
            if q["MetricStat"].is_mapping() {
                push(&q["MetricStat"]["Metric"]);
            }
        }
    }
    out
}

fn notifies_admins(alarm: &Value) -> bool {
    alarm["AlarmActions"]
        .as_sequence()
        .into_iter()
        .flatten()
        .any(|a| template::ref_target(a) == Some("AdminAlertsTopic"))
}

/// An alarm that notifies nobody, or whose math leaves out a metric it fetches, looks
/// like coverage and is none.
#[test]
fn every_alarm_notifies_the_admins_and_evaluates_every_metric_it_fetches() {
    let t = template::load();
    let alarms = template::resources_of(&t, "AWS::CloudWatch::Alarm");
    assert!(!alarms.is_empty());
    for (id, p) in alarms {
        assert!(notifies_admins(&p), "{id}: AlarmActions must include !Ref AdminAlertsTopic");
        assert_eq!(p["TreatMissingData"].as_str(), Some("notBreaching"), "{id}: no data means nothing happened");
        let Some(queries) = p["Metrics"].as_sequence() else {
            assert!(p["MetricName"].is_string() && p["Namespace"].is_string(), "{id}: no metric");
            continue;
        };
        let fetched: Vec<&str> =
            queries.iter().filter(|q| q["MetricStat"].is_mapping()).filter_map(|q| q["Id"].as_str()).collect();
        assert!(fetched.len() <= 10, "{id}: an alarm's math may use at most 10 metrics");
        let returned: Vec<&Value> = queries.iter().filter(|q| q["ReturnData"].as_bool() != Some(false)).collect();
        assert_eq!(returned.len(), 1, "{id}: exactly one query returns the alarm's series");
        let expression =
            returned[0]["Expression"].as_str().unwrap_or_else(|| panic!("{id}: the returned query is math"));
        for m in &fetched {
            assert!(
                expression.contains("METRICS()") || expression.contains(m),
                "{id}: `{expression}` leaves out the metric `{m}`"
            );
        }
    }
}

#[test]
fn every_function_alarms_on_its_errors_and_throttles() {
    let t = template::load();
    let watched = watched(&t);
    for f in template::functions(&t) {
        for metric in ["Errors", "Throttles"] {
            assert!(
                watched.iter().any(|w| w.is("AWS/Lambda", metric) && w.on(&[("FunctionName", &f.logical_id)])),
                "{}: no alarm watches its {metric}",
                f.logical_id
            );
        }
    }
}

#[test]
fn stream_functions_alarm_before_records_age_out() {
    let t = template::load();
    let watched = watched(&t);
    let mut seen = 0;
    for f in template::functions(&t) {
        for (name, e) in &f.events {
            if !matches!(e["Type"].as_str(), Some("DynamoDB" | "Kinesis")) {
                continue;
            }
            seen += 1;
            let alarm = watched
                .iter()
                .find(|w| w.is("AWS/Lambda", "IteratorAge") && w.on(&[("FunctionName", &f.logical_id)]))
                .unwrap_or_else(|| panic!("{}/{name}: no alarm on its IteratorAge", f.logical_id));
            let threshold_ms = alarm.alarm_props["Threshold"].as_i64().expect("a threshold in ms");
            let max_age_s = e["Properties"]["MaximumRecordAgeInSeconds"].as_i64().expect("a record age limit");
            assert!(
                threshold_ms < max_age_s * 1000,
                "{}: {} alarms only after records are already dropped",
                f.logical_id,
                alarm.alarm
            );
        }
    }
    assert!(seen >= 1, "no stream functions found");
}

/// The HTTP API's stage, as `(logical id, Properties)`.
fn http_stage(t: &Value) -> (String, Value) {
    let api = template::http_api(t).expect("an HTTP API (AWS::ApiGatewayV2::Api, ProtocolType HTTP)");
    let stages: Vec<_> = template::resources_of(t, "AWS::ApiGatewayV2::Stage")
        .into_iter()
        .filter(|(_, p)| template::api_of(p).as_deref() == Some(api.as_str()))
        .collect();
    assert_eq!(stages.len(), 1, "the HTTP API needs exactly one stage: {stages:?}");
    stages.into_iter().next().unwrap()
}

#[test]
fn api_server_errors_are_alarmed() {
    let t = template::load();
    let watched = watched(&t);
    let id = template::http_api(&t).expect("an HTTP API");
    let (_, stage) = http_stage(&t);
    let stage = stage["StageName"].as_str().unwrap_or("$default");
    assert!(
        watched.iter().any(|w| w.is("AWS/ApiGateway", "5xx") && w.on(&[("ApiId", &id), ("Stage", stage)])),
        "{id}: no alarm on 5xx for stage {stage}"
    );
}

/// The HTTP API is explicit resources, so that each area's nested stack can add its
/// routes (a SAM `HttpApi` event must name an API of its own stack, and a SAM HttpApi
/// would delete, on its next update, the routes other stacks added). Each route must
/// then be whole: a Lambda proxy integration with payload format 2.0 (what the
/// functions parse), and a permission that lets this API, and only for this route,
/// invoke the function.
#[test]
fn every_http_route_is_explicit_and_may_invoke_exactly_its_function() {
    let t = template::load();
    let api = template::http_api(&t).expect("an HTTP API");
    assert!(
        template::resources_of(&t, "AWS::Serverless::HttpApi").is_empty(),
        "the HTTP API is an AWS::ApiGatewayV2::Api, not an AWS::Serverless::HttpApi"
    );
    let (_, stage) = http_stage(&t);
    assert_eq!(stage["AutoDeploy"].as_bool(), Some(true), "routes of nested stacks deploy by themselves");
    let permissions = template::resources_of(&t, "AWS::Lambda::Permission");
    let integrations: BTreeMap<String, Value> =
        template::resources_of(&t, "AWS::ApiGatewayV2::Integration").into_iter().collect();
    let mut routed = 0;
    for f in template::functions(&t) {
        for (name, e) in &f.events {
            assert_ne!(
                e["Type"].as_str(),
                Some("HttpApi"),
                "{}/{name}: route it with explicit resources",
                f.logical_id
            );
        }
        for route in f.routes() {
            routed += 1;
            let at = format!("{} ({route})", f.logical_id);
            let (_, r) = template::resources_of(&t, "AWS::ApiGatewayV2::Route")
                .into_iter()
                .find(|(_, r)| r["RouteKey"].as_str() == Some(route.as_str()))
                .unwrap();
            let integration = &integrations[&template::route_integration(&r).unwrap()];
            assert_eq!(integration["IntegrationType"].as_str(), Some("AWS_PROXY"), "{at}");
            assert_eq!(integration["PayloadFormatVersion"].as_str(), Some("2.0"), "{at}");
            assert_eq!(template::api_of(integration).as_deref(), Some(api.as_str()), "{at}");
            // API Gateway's source ARN: `<api>/<stage>/<method>/<path>`, path parameters as `*`.
            let expected = match route.split_once(' ') {
                None => format!("${{{api}}}/*"),
                Some((method, path)) => {
                    let method = if method == "ANY" { "*" } else { method };
                    let path: Vec<String> = path
                        .split('/')
                        .map(|s| if s.starts_with('{') { "*".to_string() } else { s.to_string() })
                        .collect();
                    format!("${{{api}}}/*/{method}{}", path.join("/"))
                }
            };
            let allowed = permissions.iter().any(|(_, p)| {
                template::ref_target(&p["FunctionName"]) == Some(f.logical_id.as_str())
                    && p["Action"].as_str() == Some("lambda:InvokeFunction")
                    && p["Principal"].as_str() == Some("apigateway.amazonaws.com")
                    && template::sub_text(&p["SourceArn"]).is_some_and(|arn| {
                        arn.starts_with("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:")
                            && arn.ends_with(&format!(":{expected}"))
                    })
            });
            assert!(
                allowed,
                "{at}: no lambda:InvokeFunction permission for API Gateway with source ARN ...:{expected}"
            );
        }
    }
    assert!(routed >= 50, "only {routed} routes found");
}

#[test]
fn table_throttles_are_alarmed_on_the_table_and_every_index() {
    let t = template::load();
    let watched = watched(&t);
    for (id, props) in template::tables(&t) {
        for metric in ["ReadThrottleEvents", "WriteThrottleEvents"] {
            assert!(
                watched.iter().any(|w| w.is("AWS/DynamoDB", metric) && w.on(&[("TableName", &id)])),
                "{id}: no alarm on its {metric}"
            );
            for gsi in props["GlobalSecondaryIndexes"].as_sequence().into_iter().flatten() {
                let index = gsi["IndexName"].as_str().unwrap_or_default();
                assert!(
                    watched.iter().any(|w| w.is("AWS/DynamoDB", metric)
                        && w.on(&[("TableName", &id), ("GlobalSecondaryIndexName", index)])),
                    "{id}: no alarm on {metric} of index {index}"
                );
            }
        }
    }
}

/// Messages in a failure queue are lost work: someone must hear of the first one.
#[test]
fn every_queue_is_alarmed_on_its_depth() {
    let t = template::load();
    let watched = watched(&t);
    for (id, _) in template::resources_of(&t, "AWS::SQS::Queue") {
        assert!(
            watched.iter().any(|w| w.is("AWS/SQS", "ApproximateNumberOfMessagesVisible")
                && w.on(&[("QueueName", &format!("{id}.QueueName"))])
                && w.alarm_props["Threshold"].as_f64() == Some(0.0)),
            "{id}: no alarm on its first visible message"
        );
    }
}

/// The queue behind `!GetAtt Queue.Arn`, if that is what `v` is.
fn queue_of(t: &Value, v: &Value) -> Option<String> {
    let (id, attr) = template::get_att(v)?;
    (attr == "Arn" && t["Resources"][id.as_str()]["Type"].as_str() == Some("AWS::SQS::Queue")).then_some(id)
}

/// EventBridge invokes asynchronously, so a schedule fails in two places: delivery
/// (the rule's retry policy and dead-letter queue) and the function itself (Lambda's
/// retries and on-failure destination). Both must end in an alarmed queue.
#[test]
fn every_schedule_retries_and_parks_what_fails_in_an_alarmed_queue() {
    let t = template::load();
    let policies = template::resources_of(&t, "AWS::SQS::QueuePolicy");
    let mut seen = 0;
    for f in template::functions(&t) {
        for (name, e) in &f.events {
            let kind = e["Type"].as_str().unwrap_or_default();
            if !matches!(kind, "Schedule" | "ScheduleV2") {
                continue;
            }
            seen += 1;
            let at = format!("{}/{name}", f.logical_id);
            let p = &e["Properties"];
            assert!(p["RetryPolicy"]["MaximumRetryAttempts"].as_i64().is_some_and(|n| (0..=185).contains(&n)), "{at}");
            assert!(
                p["RetryPolicy"]["MaximumEventAgeInSeconds"].as_i64().is_some_and(|s| (60..=86400).contains(&s)),
                "{at}"
            );
            let dlq = queue_of(&t, &p["DeadLetterConfig"]["Arn"])
                .unwrap_or_else(|| panic!("{at}: DeadLetterConfig.Arn must be !GetAtt <queue>.Arn"));
            if kind == "Schedule" {
                // The rule delivers with EventBridge's identity: the queue must admit it,
                // and only this stack's rules (hence the rule's stack-prefixed name).
                let rule_name = template::sub_text(&p["Name"]).unwrap_or_default();
                assert!(rule_name.starts_with("${AWS::StackName}-"), "{at}: name the rule `${{AWS::StackName}}-...`");
                let admitted = policies.iter().any(|(_, pol)| {
                    pol["Queues"].as_sequence().into_iter().flatten().any(|q| template::ref_target(q) == Some(&dlq))
                        && pol["PolicyDocument"]["Statement"].as_sequence().into_iter().flatten().any(|s| {
                            s["Effect"].as_str() == Some("Allow")
                                && s["Principal"]["Service"].as_str() == Some("events.amazonaws.com")
                                && s["Action"].as_str() == Some("sqs:SendMessage")
                                && template::sub_text(&s["Condition"]["ArnLike"]["aws:SourceArn"])
                                    .is_some_and(|arn| arn.ends_with(":rule/${AWS::StackName}-*"))
                        })
                });
                assert!(admitted, "{at}: no queue policy lets this stack's rules send to {dlq}");
            }
            let invoke = &f.properties["EventInvokeConfig"];
            assert!(invoke["MaximumRetryAttempts"].as_i64().is_some_and(|n| (0..=2).contains(&n)), "{at}");
            let on_failure = &invoke["DestinationConfig"]["OnFailure"];
            assert_eq!(on_failure["Type"].as_str(), Some("SQS"), "{at}: failed invocations go to a queue");
            assert!(queue_of(&t, &on_failure["Destination"]).is_some(), "{at}: OnFailure.Destination is a queue");
        }
    }
    assert!(seen >= 1, "no schedules found");
}

/// The sign-in routes are what credential stuffing and registration spam hit, and each
/// request hashes a password: they get limits of their own, below everyone else's.
#[test]
fn auth_routes_are_rate_limited_below_the_default() {
    let t = template::load();
    let (_, api) = http_stage(&t);
    let default = &api["DefaultRouteSettings"];
    let (burst, rate) = (default["ThrottlingBurstLimit"].as_f64(), default["ThrottlingRateLimit"].as_f64());
    let (Some(burst), Some(rate)) = (burst, rate) else { panic!("the API needs default throttling") };
    let routes: BTreeSet<String> = template::functions(&t).iter().flat_map(|f| f.routes()).collect();
    let settings = api["RouteSettings"].as_mapping().cloned().unwrap_or_default();
    for (key, _) in &settings {
        let key = key.as_str().unwrap_or_default();
        assert!(routes.contains(key), "RouteSettings names `{key}`, which is not a route (the deploy would fail)");
    }
    let auth: Vec<&String> =
        routes.iter().filter(|r| r.split_once(' ').is_some_and(|(_, p)| p.starts_with("/auth/"))).collect();
    assert!(auth.len() >= 4, "{auth:?}");
    for route in auth {
        let s = &api["RouteSettings"][route.as_str()];
        let (Some(b), Some(r)) = (s["ThrottlingBurstLimit"].as_f64(), s["ThrottlingRateLimit"].as_f64()) else {
            panic!("{route}: no ThrottlingBurstLimit/ThrottlingRateLimit of its own")
        };
        assert!(
            b >= 1.0 && r > 0.0 && b < burst && r < rate,
            "{route}: {b}/{r} is not below the default {burst}/{rate}"
        );
    }
}

/// How many resources SAM turns one function into: the function, its role (unless
/// given one), and per event a permission (HTTP API), an event source mapping
/// (streams), a rule and a permission (Schedule) or a schedule and a role
/// (ScheduleV2); plus an EventInvokeConfig. Checked against aws-sam-translator's
/// output for this template (195 resources for 35 functions, 2026-11-30).
fn expanded(f: &template::FunctionDef) -> usize {
    let mut n = 1 + usize::from(f.properties["Role"].is_null());
    for (_, e) in &f.events {
        n += match e["Type"].as_str() {
            Some("Schedule" | "ScheduleV2") => 2,
            _ => 1,
        };
    }
    n + usize::from(!f.properties["EventInvokeConfig"].is_null())
}

/// Logical ids a value refers to with `!Ref` or `!GetAtt`, however deep.
fn references(v: &Value, out: &mut BTreeSet<String>) {
    if let Some(id) = template::ref_target(v) {
        out.insert(id.to_string());
    } else if let Some((id, _)) = template::get_att(v) {
        out.insert(id);
    }
    match v {
        Value::Sequence(items) => items.iter().for_each(|i| references(i, out)),
        Value::Mapping(m) => m.values().for_each(|i| references(i, out)),
        Value::Tagged(t) => references(&t.value, out),
        _ => {}
    }
}

/// CloudFormation refuses a stack of more than 500 resources. The platform is
/// expected to double its functions; each brings its log group and alarms with it, so
/// check there is room for all of that now rather than at the 70th function. The
/// limit is per stack: each nested stack (template.yaml's `AWS::Serverless::Application`s)
/// has its own 500, and is one resource of its parent.
#[test]
fn every_stack_stays_under_cloudformations_resource_limit_with_twice_its_functions() {
    let stacks = template::stacks();
    assert!(stacks.stacks.len() >= 2, "the workers are a nested stack of their own");
    for stack in &stacks.stacks {
        let t = &stack.template;
        let fns = template::functions(t);
        let names: BTreeSet<String> = fns.iter().map(|f| f.logical_id.clone()).collect();
        let mut per_function: usize = fns.iter().map(expanded).sum();
        // A function's companions: what it logs to, and what watches it.
        let mut logs = BTreeSet::new();
        for f in &fns {
            references(&f.properties["LoggingConfig"], &mut logs);
        }
        let mut shared = 0;
        for (id, r) in template::resources(t) {
            if names.contains(&id) {
                continue;
            }
            let mut refs = BTreeSet::new();
            references(&r, &mut refs);
            if logs.contains(&id) || !refs.is_disjoint(&names) {
                per_function += 1;
            } else {
                shared += 1;
            }
        }
        let doubled = shared + 2 * per_function;
        assert!(
            doubled < 500,
            "{}: {} resources now, {doubled} with twice the functions: over CloudFormation's 500; move an area \
             into a nested stack (README.md, Nested stacks)",
            stack.path.display(),
            shared + per_function
        );
    }
}

/// The policy statements of a function that allow `action`, with their resources as text.
fn resources_allowed(f: &template::FunctionDef, action: &str) -> Vec<String> {
    let mut out = Vec::new();
    for policy in f.properties["Policies"].as_sequence().into_iter().flatten() {
        for s in policy["Statement"].as_sequence().into_iter().flatten() {
            let actions: Vec<&str> = match &s["Action"] {
                Value::Sequence(list) => list.iter().filter_map(Value::as_str).collect(),
                one => one.as_str().into_iter().collect(),
            };
            if s["Effect"].as_str() != Some("Allow") || !actions.iter().any(|a| *a == action || *a == "s3:*") {
                continue;
            }
            let resources: Vec<&Value> = match &s["Resource"] {
                Value::Sequence(list) => list.iter().collect(),
                one => vec![one],
            };
            for r in resources {
                out.push(template::sub_text(r).or(r.as_str()).unwrap_or("<not text>").to_string());
            }
        }
    }
    out
}

/// A function that wrote where it is triggered would trigger itself without end: an
/// S3-triggered function needs a key prefix, and may not put objects under it.
#[test]
fn s3_triggered_functions_never_write_where_they_are_triggered() {
    let t = template::load();
    let mut seen = 0;
    for f in template::functions(&t) {
        for (name, e) in &f.events {
            if e["Type"].as_str() != Some("S3") {
                continue;
            }
            seen += 1;
            let prefix = e["Properties"]["Filter"]["S3Key"]["Rules"]
                .as_sequence()
                .into_iter()
                .flatten()
                .find(|r| r["Name"].as_str() == Some("prefix"))
                .and_then(|r| r["Value"].as_str())
                .unwrap_or_else(|| panic!("{}/{name}: an S3 trigger needs a key prefix", f.binary));
            assert!(prefix.ends_with('/') && prefix.len() > 1, "{}/{name}: prefix `{prefix}`", f.binary);
            let writes = resources_allowed(&f, "s3:PutObject");
            assert!(!writes.is_empty(), "{}: writes nothing? check the test", f.binary);
            for r in writes {
                let key_part = r.split_once(":::").map(|(_, rest)| rest).unwrap_or(&r);
                let key_pattern = key_part.split_once('/').map(|(_, k)| k).unwrap_or("");
                assert!(
                    !key_pattern.starts_with(prefix) && !prefix.starts_with(key_pattern.trim_end_matches('*')),
                    "{}: may put `{r}`, under its own trigger `{prefix}`",
                    f.binary
                );
            }
        }
    }
    assert!(seen >= 1, "no S3 triggers found");
}

/// Every bucket: nothing public, encrypted, TLS only, read by one distribution at
/// most. A bucket browsers upload to (an S3 trigger processes what lands there) also
/// cleans up uploads that were never processed and expires galleries, and its CDN
/// reads the public prefix only.
#[test]
fn buckets_are_private_encrypted_and_clean_up_abandoned_uploads() {
    let t = template::load();
    let buckets = template::resources_of(&t, "AWS::S3::Bucket");
    assert!(!buckets.is_empty());
    let uploads: BTreeSet<String> = template::functions(&t)
        .iter()
        .flat_map(|f| f.events.clone())
        .filter(|(_, e)| e["Type"].as_str() == Some("S3"))
        .filter_map(|(_, e)| template::ref_target(&e["Properties"]["Bucket"]).map(String::from))
        .collect();
    assert!(!uploads.is_empty(), "no bucket takes uploads? check the test");
    let distributions: BTreeSet<String> =
        template::resources_of(&t, "AWS::CloudFront::Distribution").into_iter().map(|(id, _)| id).collect();
    let policies = template::resources_of(&t, "AWS::S3::BucketPolicy");
    for (id, p) in buckets {
        let block = &p["PublicAccessBlockConfiguration"];
        for k in ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"] {
            assert_eq!(block[k].as_bool(), Some(true), "{id}: {k}");
        }
        let sse = &p["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"];
        assert!(sse["SSEAlgorithm"].as_str().is_some(), "{id}: encryption");
        let statements: Vec<&Value> = policies
            .iter()
            .filter(|(_, pol)| template::ref_target(&pol["Bucket"]) == Some(id.as_str()))
            .flat_map(|(_, pol)| pol["PolicyDocument"]["Statement"].as_sequence().into_iter().flatten())
            .collect();
        let tls_only = statements.iter().any(|s| {
            s["Effect"].as_str() == Some("Deny")
                && s["Condition"]["Bool"]["aws:SecureTransport"].as_str() == Some("false")
        });
        assert!(tls_only, "{id}: a bucket policy must deny requests without TLS");
        // Whatever a policy allows, it allows one distribution of this template.
        for s in statements.iter().filter(|s| s["Effect"].as_str() == Some("Allow")) {
            assert_eq!(s["Principal"]["Service"].as_str(), Some("cloudfront.amazonaws.com"), "{id}: CDN only");
            let source = template::sub_text(&s["Condition"]["StringEquals"]["AWS:SourceArn"]).unwrap_or_default();
            let named = source.split_once(":distribution/${").and_then(|(_, d)| d.strip_suffix('}'));
            assert!(named.is_some_and(|d| distributions.contains(d)), "{id}: one distribution only: `{source}`");
            if uploads.contains(&id) {
                let r = template::sub_text(&s["Resource"]).unwrap_or_default();
                assert!(r.ends_with("/public/*"), "{id}: only public/ is readable by the CDN: {r}");
            }
        }
        if !uploads.contains(&id) {
            continue;
        }
        let rules = p["LifecycleConfiguration"]["Rules"].as_sequence().cloned().unwrap_or_default();
        assert!(
            rules.iter().any(|r| r["Prefix"].as_str() == Some("incoming/")
                && r["ExpirationInDays"].as_i64().is_some_and(|d| d <= 7)
                && r["Status"].as_str() == Some("Enabled")),
            "{id}: abandoned uploads under incoming/ must expire"
        );
        // Every retention a photographer may choose expires tagged gallery objects then.
        for days in cm_media::gallery::RETENTION_DAYS {
            let expires = rules.iter().any(|r| {
                r["Status"].as_str() == Some("Enabled")
                    && r["ExpirationInDays"].as_i64() == Some(i64::from(days))
                    && r["Prefix"].as_str() == Some(cm_media::objects::GALLERY_PREFIX)
                    && r["TagFilters"].as_sequence().is_some_and(|tags| {
                        tags.len() == 1
                            && tags[0]["Key"].as_str() == Some(cm_media::gallery::RETENTION_TAG)
                            && tags[0]["Value"].as_str() == Some(days.to_string().as_str())
                    })
            });
            assert!(expires, "{id}: no lifecycle rule expires galleries kept {days} days");
        }
    }
}

/// A Content-Security-Policy as directive → sources.
fn csp_directives(policy: &str) -> BTreeMap<String, BTreeSet<String>> {
    policy
        .split(';')
        .filter_map(|d| {
            let mut words = d.split_whitespace();
            Some((words.next()?.to_string(), words.map(String::from).collect()))
        })
        .collect()
}

/// The web app's distribution serves it as the local stack does (tools/local-stack's
/// web.rs): the same Content-Security-Policy with AWS's addresses where the local
/// stack has its own, plus Stripe's Payment Element, which only AWS uses (the local
/// stack pays on the stand-in's page); the same other headers; HTTPS only, the app's
/// routes rewritten to index.html, hashed assets cached for good.
#[test]
fn the_web_app_is_served_as_the_local_stack_serves_it() {
    let t = template::load();
    let resources: BTreeMap<String, Value> = template::resources(&t).into_iter().collect();
    let config = &resources["WebDistribution"]["Properties"]["DistributionConfig"];
    let policy_id = template::ref_target(&config["DefaultCacheBehavior"]["ResponseHeadersPolicyId"])
        .expect("the web app's responses carry the security headers");
    let headers = &resources[policy_id]["Properties"]["ResponseHeadersPolicyConfig"];
    let security = &headers["SecurityHeadersConfig"];

    // What the app talks to, as the stack's outputs (and so config.json) name it.
    let output = |name: &str| template::sub_text(&t["Outputs"][name]["Value"]).unwrap_or_else(|| panic!("{name}"));
    let (api, ws, cdn) = (output("ApiUrl"), output("WebSocketUrl"), output("MediaPublicUrl"));
    assert!(ws.starts_with("wss://"), "{ws}");
    // Presigned POSTs and GETs name the bucket's regional address (cm_runtime::s3post).
    let bucket = "https://${MediaBucket.RegionalDomainName}";
    let local = local_stack::web::content_security_policy(&local_stack::web::Urls {
        api,
        ws: Some(ws),
        stripe: "http://stripe-standin.invalid",
        uploads: bucket,
    });
    let mut expected = csp_directives(&local);
    // Locally the API serves the published photos (`/media/`); in AWS the media CDN does.
    let images = expected.get_mut("img-src").expect("img-src");
    assert!(images.remove(api), "local img-src names the API: {local}");
    images.insert(cdn.to_string());
    let stripe: [(&str, &[&str]); 3] = [
        ("script-src", &["https://js.stripe.com", "https://*.js.stripe.com"]),
        ("frame-src", &["https://js.stripe.com", "https://*.js.stripe.com", "https://hooks.stripe.com"]),
        ("connect-src", &["https://api.stripe.com"]),
    ];
    for (directive, sources) in stripe {
        expected.entry(directive.to_string()).or_default().extend(sources.iter().map(|s| s.to_string()));
    }
    let csp_text = template::sub_text(&security["ContentSecurityPolicy"]["ContentSecurityPolicy"])
        .expect("the CSP is a !Sub naming the stack's addresses");
    let aws = csp_directives(csp_text);
    assert_eq!(aws, expected, "template.yaml's CSP against the local stack's: {csp_text}\nlocal: {local}");
    assert!(!csp_text.contains("unsafe") && !local.contains("unsafe"), "no 'unsafe-inline' or 'unsafe-eval'");
    assert_eq!(aws["script-src"].iter().filter(|s| !s.contains("stripe.com")).collect::<Vec<_>>(), ["'self'"]);
    assert_eq!(security["ContentSecurityPolicy"]["Override"].as_bool(), Some(true));

    // The other headers, as web.rs sends them.
    assert_eq!(security["FrameOptions"]["FrameOption"].as_str(), Some("DENY"));
    assert_eq!(security["ContentTypeOptions"]["Override"].as_bool(), Some(true), "nosniff");
    assert_eq!(security["ReferrerPolicy"]["ReferrerPolicy"].as_str(), Some("strict-origin-when-cross-origin"));
    assert!(security["StrictTransportSecurity"]["AccessControlMaxAgeSec"].as_i64().is_some_and(|s| s >= 31_536_000));
    let custom = headers["CustomHeadersConfig"]["Items"].as_sequence().cloned().unwrap_or_default();
    assert!(
        custom.iter().any(|h| h["Header"].as_str() == Some("Permissions-Policy")
            && h["Value"].as_str() == Some("camera=(), microphone=(), geolocation=(self)")),
        "Permissions-Policy as the local stack's"
    );

    // HTTPS only, compressed, the headers on every answer; hashed assets cached for good
    // (CachingOptimized honours deploy-web's year), the rest through the routes function.
    assert_eq!(config["HttpVersion"].as_str(), Some("http2and3"));
    let mut behaviors = vec![&config["DefaultCacheBehavior"]];
    behaviors.extend(config["CacheBehaviors"].as_sequence().into_iter().flatten());
    for b in &behaviors {
        assert_eq!(b["ViewerProtocolPolicy"].as_str(), Some("redirect-to-https"));
        assert_eq!(b["Compress"].as_bool(), Some(true));
        assert_eq!(template::ref_target(&b["ResponseHeadersPolicyId"]), Some(policy_id));
    }
    let assets = behaviors.iter().find(|b| b["PathPattern"].as_str() == Some("/assets/*")).expect("/assets/*");
    assert_eq!(assets["CachePolicyId"].as_str(), Some("658327ea-f89d-4fab-a63d-7e88639e58f6"), "CachingOptimized");
    assert!(assets["FunctionAssociations"].is_null(), "a missing asset stays a 404");
    let routes = config["DefaultCacheBehavior"]["FunctionAssociations"][0].clone();
    assert_eq!(routes["EventType"].as_str(), Some("viewer-request"));
    let function = template::ref_target(&routes["FunctionARN"]).expect("the routes function");
    assert_eq!(resources[function]["Type"].as_str(), Some("AWS::CloudFront::Function"));
    let documents = template::ref_target(&config["DefaultCacheBehavior"]["CachePolicyId"]).expect("a cache policy");
    let ttl = &resources[documents]["Properties"]["CachePolicyConfig"];
    assert!(ttl["MaxTTL"].as_i64().is_some_and(|s| s <= 300), "index.html and config.json: short at the edge");

    // Read through origin access control only.
    let origin = &config["Origins"][0];
    assert!(template::get_att(&origin["OriginAccessControlId"]).is_some(), "origin access control");
    let (bucket_id, _) = template::get_att(&origin["DomainName"]).expect("the web bucket");
    assert_eq!(resources[&bucket_id]["Type"].as_str(), Some("AWS::S3::Bucket"));
    assert!(t["Outputs"]["WebUrl"].is_mapping(), "the web app's URL is an output");
}

/// `CodeUri` is relative to the template that names it, and `sam build` runs
/// cargo-lambda there: a function of `stacks/<area>.yaml` with `CodeUri: .` would
/// build in `stacks/`, which is no crate. Every function's code is the workspace.
#[test]
fn every_functions_code_is_the_workspace_root() {
    let root = repo_root().canonicalize().unwrap();
    let mut seen = 0;
    for stack in template::stacks().stacks {
        let dir = repo_root().join(&stack.path).parent().unwrap().to_path_buf();
        for f in template::functions(&stack.template) {
            seen += 1;
            let uri = f.properties["CodeUri"].as_str().or(stack.template["Globals"]["Function"]["CodeUri"].as_str());
            let uri = uri.unwrap_or_else(|| panic!("{}: no CodeUri", f.logical_id));
            let at = dir.join(uri).canonicalize().unwrap_or_else(|e| panic!("{}: CodeUri {uri}: {e}", f.logical_id));
            assert_eq!(
                at,
                root,
                "{} in {}: CodeUri `{uri}` is not the workspace root",
                f.logical_id,
                stack.path.display()
            );
        }
    }
    assert!(seen >= 70, "{seen} functions");
}

/// `CALENDAR_FETCH_ALLOW_LOOPBACK` lets the calendar fetch reach plain http on
/// 127.0.0.1: the tests' and the local stack's fixture calendars. In AWS it would let a
/// photographer's calendar address reach the function's own host, so no function of the
/// template (nor the Globals) may set it; the local stack adds it to its own processes.
#[test]
fn no_function_of_the_template_allows_loopback_calendar_fetches() {
    let t = template::load();
    let text = serde_yaml_ng::to_string(&t).unwrap();
    assert!(
        !text.contains("CALENDAR_FETCH_ALLOW_LOOPBACK:"),
        "the test-only calendar allowance is set in the template"
    );
    for f in template::functions(&t) {
        let env = &f.properties["Environment"]["Variables"];
        assert!(env.get("CALENDAR_FETCH_ALLOW_LOOPBACK").is_none(), "{} sets the test-only allowance", f.binary);
    }
}

/// The dashboard graphs the namespace the functions write to, and only metrics
/// docs/observability.md documents (so a renamed metric cannot leave a graph empty).
#[test]
fn the_dashboard_graphs_documented_metrics_of_the_functions_namespace() {
    let t = template::load();
    let namespace = template::sub_text(&t["Globals"]["Function"]["Environment"]["Variables"]["METRICS_NAMESPACE"])
        .expect("Globals set METRICS_NAMESPACE with a !Sub")
        .to_string();
    let dashboards = template::resources_of(&t, "AWS::CloudWatch::Dashboard");
    assert_eq!(dashboards.len(), 1, "one dashboard");
    let body = template::sub_text(&dashboards[0].1["DashboardBody"]).expect("DashboardBody is a !Sub");
    // As CloudFormation would substitute it; then it must be JSON with no variable left.
    let body =
        body.replace("${Stage}", "prod").replace("${AWS::Region}", "eu-west-1").replace("${AWS::StackName}", "cm");
    assert!(!body.contains("${"), "an unknown variable in the dashboard");
    let doc: serde_json::Value = serde_json::from_str(&body).expect("the dashboard body is JSON");
    let namespace = namespace.replace("${Stage}", "prod");
    let documented = std::fs::read_to_string(repo_root().join("docs/observability.md")).unwrap();
    let mut graphed = BTreeSet::new();
    for w in doc["widgets"].as_array().unwrap().iter().filter(|w| w["type"] == "metric") {
        for m in w["properties"]["metrics"].as_array().unwrap() {
            let m = m.as_array().unwrap();
            let name = match m[0].as_str() {
                Some(ns) => {
                    assert_eq!(ns, namespace, "{w}");
                    m[1].as_str().unwrap().to_string()
                }
                None => {
                    let e = m[0]["expression"].as_str().unwrap();
                    assert!(e.contains(&format!("{{{namespace},")), "{e} searches another namespace");
                    let name = e.split("MetricName=\"").nth(1).and_then(|r| r.split('"').next());
                    name.unwrap_or_else(|| panic!("{e} names no metric")).to_string()
                }
            };
            assert!(
                documented.contains(&format!("| `{name}` |")),
                "{name} is graphed but not in docs/observability.md"
            );
            graphed.insert(name);
        }
    }
    for name in ["Latency", "Requests", "BookingTransitions", "Payments", "ReviewsScored", "Uploads", "ChatPushes"] {
        assert!(graphed.contains(name), "the dashboard has no graph of {name}");
    }
}

/// The variables a function's keys come from (`cm_runtime::KeySources`).
const KEY_VARS: &[&str] = &[
    "TOKEN_KEYS_SECRET_ARN",
    "CURSOR_KEY_SECRET_ARN",
    "QUOTE_KEY_SECRET_ARN",
    "TOKEN_KEYS",
    "CURSOR_KEY",
    "QUOTE_KEY",
];

/// An HTTP function links the Secrets Manager client only when the template gives it a
/// key to read: `cm_runtime::http` for those, `http_keyless` (the table alone) or
/// `http_standalone` (no AWS at all) for the rest, which then fail init if a key is
/// named, so the two cannot drift apart unnoticed.
#[test]
fn http_functions_link_secrets_manager_only_when_given_a_key() {
    let t = template::load();
    let globals = &t["Globals"]["Function"]["Environment"]["Variables"];
    let mut keyless = 0;
    for f in template::functions(&t) {
        let main = std::fs::read_to_string(repo_root().join("functions").join(&f.binary).join("src/main.rs")).unwrap();
        let env = &f.properties["Environment"]["Variables"];
        let keys: Vec<&str> =
            KEY_VARS.iter().copied().filter(|k| env.get(*k).is_some() || globals.get(*k).is_some()).collect();
        if main.contains("cm_runtime::http(") {
            assert!(
                !keys.is_empty(),
                "{} uses cm_runtime::http but is given no key: use http_keyless, which links no Secrets Manager client",
                f.binary
            );
        }
        if main.contains("cm_runtime::http_keyless(") || main.contains("cm_runtime::http_standalone(") {
            keyless += 1;
            assert!(keys.is_empty(), "{} holds no keys but the template gives it {keys:?}", f.binary);
        }
        if main.contains("cm_runtime::http_standalone(") {
            assert!(
                env.get("TABLE_NAME").is_none() && f.properties.get("Policies").is_none(),
                "{} calls no AWS service, yet the template gives it a table or a policy",
                f.binary
            );
        }
    }
    assert!(keyless >= 8, "health, openapi, not-found and the public reads are keyless");
}
