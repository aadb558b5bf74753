//! DynamoDB storage for Capture Moments, and nothing else: the single-table key design,
//! the items, the transactions that keep them consistent, and the capability traits
//! (`ports`) through which functions use them. Entities and their rules live in the
//! domain crates; this crate only persists them. No Scan: every request-path read is a
//! GetItem or a Query (docs/data-model.md).

pub mod analytics;
pub mod attachments;
pub mod availability;
pub mod bookings;
pub mod calendar_feeds;
pub mod calendar_sources;
pub mod chat;
pub mod claims;
mod error;
pub mod features;
pub mod feedback;
pub mod gallery;
pub mod insights;
pub mod keys;
pub mod names;
pub mod notices;
pub mod page;
pub mod payments;
pub mod phone;
pub mod photographers;
pub mod portfolio;
pub mod ports;
pub mod reminders;
pub mod retry;
pub mod reviews;
pub mod tokens;
pub mod users;

pub use error::StoreError;
pub use page::{Page, PageKey};
pub use ports::*;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

pub type Item = HashMap<String, AttributeValue>;

/// The table, through the real AWS SDK. Cheap to clone; build one per cold start.
#[derive(Clone, Debug)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// One item by its keys. Reads that decide a write (a status change, a day's
    /// places, an idempotency key) or answer right after one (read-your-writes for
    /// the same user) are `Read::Consistent`; public reads that tolerate a second of
    /// staleness are `Read::Eventual`, at half the read cost.
    pub(crate) async fn get(
        &self,
        pk: impl Into<String>,
        sk: impl Into<String>,
        read: Read,
    ) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, sk)))
            .consistent_read(matches!(read, Read::Consistent))
            .send()
            .await
            .map_err(error::from_sdk)?;
        Ok(out.item)
    }
}

impl DynamoStore {
    /// Every item of one partition, read to its end: for partitions bounded by design
    /// (a portfolio, one map cell's listings, a client's photographers, one
    /// photographer's co-booking counters).
    pub(crate) async fn partition(&self, pk: impl Into<String>, read: Read) -> Result<Vec<Item>, StoreError> {
        let pk = pk.into();
        page::query_all(|| {
            self.client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", s(&pk))
                .consistent_read(matches!(read, Read::Consistent))
        })
        .await
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Read {
    Consistent,
    Eventual,
}

pub(crate) fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

pub(crate) fn key(pk: impl Into<String>, sk: impl Into<String>) -> Item {
    HashMap::from([(keys::PK.to_string(), s(pk)), (keys::SK.to_string(), s(sk))])
}

pub(crate) fn to_item<T: serde::Serialize>(value: &T) -> Result<Item, StoreError> {
    serde_dynamo::to_item(value).map_err(|e| StoreError::Corrupt(format!("serialize: {e}")))
}

pub(crate) fn from_item<T: serde::de::DeserializeOwned>(item: Item) -> Result<T, StoreError> {
    serde_dynamo::from_item(item).map_err(|e| StoreError::Corrupt(format!("deserialize: {e}")))
}

pub(crate) fn to_av<T: serde::Serialize>(v: &T) -> Result<AttributeValue, StoreError> {
    serde_dynamo::to_attribute_value(v).map_err(|e| StoreError::Corrupt(format!("serialize: {e}")))
}

impl DynamoStore {
    /// One TransactWriteItems, retried while DynamoDB leaves it undecided. The SDK
    /// gives each call a ClientRequestToken and reuses it on its own retries, so a
    /// commit whose answer was lost is not applied (or refused) a second time.
    pub(crate) async fn transact(
        &self,
        ops: Vec<aws_sdk_dynamodb::types::TransactWriteItem>,
    ) -> Result<(), StoreError> {
        // Boxed: the SDK's send future under the retry loop is deep, and a function
        // whose handler awaits a transaction several calls down otherwise overflows
        // rustc's query depth when laying out its `main` (expire-bookings did).
        Box::pin(retry::retrying(|| async {
            self.client
                .transact_write_items()
                .set_transact_items(Some(ops.clone()))
                .send()
                .await
                .map(|_| ())
                .map_err(error::from_transaction)
        }))
        .await
    }
}

pub(crate) fn build_err(e: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::Unavailable(e.to_string())
}
