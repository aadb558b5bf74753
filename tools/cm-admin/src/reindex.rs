//! `reindex-listings`: writes every photographer's search listings again from their
//! stored profile, so listings a release adds (the geo cells of "search near a point")
//! exist for profiles saved before it. Idempotent and resumable: run it again after a
//! failure. Pages through the photographer accounts (the admin index, never a Scan)
//! and rewrites each one through the same versioned transaction a profile save uses.
//! TABLE_NAME and AWS_* from the environment.

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
    let store = cm_admin::store_from_env().await?;
    // Accounts without a profile yet are skipped: they have no listings to write.
    cm_admin::for_each_photographer(&store, |id| {
        let store = &store;
        async move { store.rewrite_listings(id).await.map(usize::from).map_err(|e| e.to_string()) }
    })
    .await
}
