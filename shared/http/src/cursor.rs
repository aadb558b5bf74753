//! Opaque pagination cursors: a listing's position, bound to the listing it came from
//! and signed, so a client can neither forge a position nor replay a cursor against a
//! different query (which DynamoDB would reject with a server-side error).
//!
//! Cursors have a key of their own: a function that only pages through public data
//! holds nothing that could sign an access token.

use crate::sealed::SealKey;
use crate::{Internal, RequestError};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The key cursors are signed with (at least 32 bytes).
#[derive(Clone, Debug)]
pub struct CursorKey(SealKey);

pub const MIN_CURSOR_KEY_BYTES: usize = crate::sealed::MIN_SEAL_KEY_BYTES;

impl CursorKey {
    pub fn new(key: &[u8]) -> Result<CursorKey, Internal> {
        SealKey::new(key, "the cursor key").map(CursorKey)
    }

    pub fn encode<T: Serialize>(&self, scope: &str, position: &T) -> Result<String, Internal> {
        self.0.seal(scope, position)
    }

    pub fn decode<T: DeserializeOwned>(&self, scope: &str, cursor: &str) -> Result<T, RequestError> {
        self.0
            .open(scope, cursor)
            .ok_or_else(|| RequestError::BadRequest("`cursor` is not a cursor this listing issued".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    type PageKey = BTreeMap<String, String>;

    #[test]
    fn a_cursor_from_another_listing_is_a_bad_request() {
        let k = CursorKey::new(&[7; 32]).unwrap();
        let page = BTreeMap::from([("pk".to_string(), "LISTING#all".to_string())]);
        let c = k.encode("search:all", &page).unwrap();
        assert_eq!(k.decode::<PageKey>("search:all", &c).unwrap(), page);
        assert!(matches!(k.decode::<PageKey>("search:city#pune", &c), Err(RequestError::BadRequest(_))));
        assert!(CursorKey::new(&[7; 31]).is_err());
    }
}
