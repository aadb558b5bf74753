//! Pagination: DynamoDB's LastEvaluatedKey carried as an opaque value. The HTTP layer
//! signs it before it reaches a client, so a client cannot steer a Query elsewhere.

use crate::{Item, StoreError, s};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A position in a listing: the key attributes of the last item returned. Every key
/// attribute in this table is a string, which keeps the encoding trivial.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PageKey(pub BTreeMap<String, String>);

impl PageKey {
    pub(crate) fn from_item(item: &Item) -> Result<PageKey, StoreError> {
        item.iter()
            .map(|(k, v)| v.as_s().map(|s| (k.clone(), s.clone())).map_err(|_| crate::error::corrupt("non-string key")))
            .collect::<Result<_, _>>()
            .map(PageKey)
    }

    pub(crate) fn to_item(&self) -> Item {
        self.0.iter().map(|(k, v)| (k.clone(), s(v.clone()))).collect()
    }

    /// The page key must sit in the partition being queried; DynamoDB rejects a
    /// mismatch with a 400 that would otherwise surface as a server error.
    pub fn belongs_to(&self, attribute: &str, value: &str) -> bool {
        self.0.get(attribute).is_some_and(|v| v == value)
    }
}

#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<PageKey>,
}
