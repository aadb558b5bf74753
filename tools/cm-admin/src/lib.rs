//! What the operator commands share: the table from the environment, and a pass over
//! every photographer account through the admin index (never a Scan).

use cm_accounts::account::Role;
use cm_core::UserId;
use cm_store::{DynamoStore, UserDirectory};
use std::future::Future;

/// The table named by TABLE_NAME, with AWS_* from the environment.
pub async fn store_from_env() -> Result<DynamoStore, String> {
    let table = std::env::var("TABLE_NAME").map_err(|_| "TABLE_NAME is not set")?;
    let sdk = aws_config::load_from_env().await;
    Ok(DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), table))
}

/// Calls `each` for every photographer account, a page of 100 at a time, stopping at
/// the first error (named after the account). Returns how many accounts there were and
/// the sum of what `each` counted.
pub async fn for_each_photographer<F, Fut>(store: &DynamoStore, mut each: F) -> Result<(usize, usize), String>
where
    F: FnMut(UserId) -> Fut,
    Fut: Future<Output = Result<usize, String>>,
{
    let (mut seen, mut counted) = (0, 0);
    let mut after = None;
    loop {
        let page = store.list_users(Some(Role::Photographer), 100, after.as_ref()).await.map_err(|e| e.to_string())?;
        for user in &page.items {
            seen += 1;
            counted += each(user.id).await.map_err(|e| format!("{}: {e}", user.id))?;
        }
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok((seen, counted)),
        }
    }
}
