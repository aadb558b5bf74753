//! The repository agrees with itself: what template.yaml deploys is exactly what
//! functions/ builds, every function has a sample event, and no policy grants Scan.

use cm_tests::template::{self, repo_root};
use std::collections::BTreeSet;

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
                let image = &pattern["dynamodb"]["NewImage"];
                assert!(image["entity"]["S"].is_array(), "{}/{name}: filter on the item's entity", f.binary);
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
    const DOMAIN: &[&str] =
        &["cm-core", "cm-accounts", "cm-catalog", "cm-booking", "cm-reviews", "cm-notify", "cm-sentiment"];
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
            "cm-http" => {
                for d in &deps {
                    assert!(!d.starts_with("aws-"), "{name} is HTTP plumbing only ({d})");
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
            other => panic!(
                "shared/{} ({other}) is not placed in a layer: add it to docs/architecture.md and here",
                entry.file_name().to_string_lossy()
            ),
        }
        checked.insert(name);
    }
    for d in DOMAIN.iter().chain(&["cm-store", "cm-analyzer", "cm-http", "cm-app", "cm-runtime"]) {
        assert!(checked.contains(*d), "{d} was not found under shared/");
    }
    assert!(shared("core").exists());
    // Functions never depend on each other.
    for dir in function_dirs() {
        let deps = dependencies(&repo_root().join("functions").join(&dir).join("Cargo.toml"));
        for other in function_dirs() {
            assert!(!deps.contains(&other), "functions/{dir} depends on functions/{other}");
        }
    }
}
