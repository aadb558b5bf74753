//! `reindex-listings`: writes every photographer's search listings again from their
//! stored profile, so listings a release adds (the geo cells of "search near a point")
//! exist for profiles saved before it. Idempotent and resumable: run it again after a
//! failure. Pages through the photographer accounts (the admin index, never a Scan)
//! and rewrites each one through the same versioned transaction a profile save uses.
//! TABLE_NAME and AWS_* from the environment.

use cm_accounts::account::Role;
use cm_store::{DynamoStore, UserDirectory};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok((seen, rewritten)) => {
            println!("{rewritten} of {seen} photographer accounts had a profile and were reindexed");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("reindex-listings: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(usize, usize), String> {
    let table = std::env::var("TABLE_NAME").map_err(|_| "TABLE_NAME is not set")?;
    let sdk = aws_config::load_from_env().await;
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), table);
    reindex(&store).await
}

/// Every photographer account, a page at a time; accounts without a profile yet are
/// skipped (they have no listings to write).
pub async fn reindex(store: &DynamoStore) -> Result<(usize, usize), String> {
    let (mut seen, mut rewritten) = (0, 0);
    let mut after = None;
    loop {
        let page = store.list_users(Some(Role::Photographer), 100, after.as_ref()).await.map_err(|e| e.to_string())?;
        for user in &page.items {
            seen += 1;
            if store.rewrite_listings(user.id).await.map_err(|e| format!("{}: {e}", user.id))? {
                rewritten += 1;
            }
        }
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok((seen, rewritten)),
        }
    }
}
