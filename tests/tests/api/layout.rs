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
