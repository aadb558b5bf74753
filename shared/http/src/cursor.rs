//! Opaque pagination cursors: a listing's position, bound to the listing it came from
//! and signed, so a client can neither forge a position nor replay a cursor against a
//! different query (which DynamoDB would reject with a server-side error).
//!
//! Cursors have a key of their own: a function that only pages through public data
//! holds nothing that could sign an access token.

use crate::{Internal, RequestError};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

fn mac(key: &[u8], scope: &str, payload: &[u8]) -> Option<HmacSha256> {
    let mut m = HmacSha256::new_from_slice(key).ok()?;
    m.update(scope.as_bytes());
    m.update(&[0]);
    m.update(payload);
    Some(m)
}

/// The key cursors are signed with (at least 32 bytes).
#[derive(Clone)]
pub struct CursorKey(Vec<u8>);

impl std::fmt::Debug for CursorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CursorKey(..)")
    }
}

pub const MIN_CURSOR_KEY_BYTES: usize = 32;

impl CursorKey {
    pub fn new(key: &[u8]) -> Result<CursorKey, Internal> {
        if key.len() < MIN_CURSOR_KEY_BYTES {
            return Err(Internal(format!("the cursor key must be at least {MIN_CURSOR_KEY_BYTES} bytes")));
        }
        Ok(CursorKey(key.to_vec()))
    }

    pub fn encode<T: Serialize>(&self, scope: &str, position: &T) -> Result<String, Internal> {
        encode_cursor(&self.0, scope, position)
    }

    pub fn decode<T: DeserializeOwned>(&self, scope: &str, cursor: &str) -> Result<T, RequestError> {
        decode_cursor(&self.0, scope, cursor)
    }
}

fn encode_cursor<T: Serialize>(key: &[u8], scope: &str, position: &T) -> Result<String, Internal> {
    let payload = serde_json::to_vec(position).map_err(Internal::new)?;
    let tag = mac(key, scope, &payload).ok_or_else(|| Internal::new("cursor key"))?.finalize().into_bytes();
    Ok(format!("{}.{}", URL_SAFE_NO_PAD.encode(&payload), URL_SAFE_NO_PAD.encode(tag)))
}

fn decode_cursor<T: DeserializeOwned>(key: &[u8], scope: &str, cursor: &str) -> Result<T, RequestError> {
    let bad = || RequestError::BadRequest("`cursor` is not a cursor this listing issued".into());
    let (payload, tag) = cursor.split_once('.').ok_or_else(bad)?;
    let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| bad())?;
    let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| bad())?;
    mac(key, scope, &payload).ok_or_else(bad)?.verify_slice(&tag).map_err(|_| bad())?;
    serde_json::from_slice(&payload).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    type PageKey = BTreeMap<String, String>;

    fn page() -> PageKey {
        BTreeMap::from([("pk".to_string(), "LISTING#all".to_string()), ("sk".to_string(), "000#1".to_string())])
    }

    #[test]
    fn cursors_round_trip_within_their_scope_only() {
        let c = encode_cursor(b"k", "search:all", &page()).unwrap();
        assert_eq!(decode_cursor::<PageKey>(b"k", "search:all", &c).unwrap(), page());
        assert!(decode_cursor::<PageKey>(b"k", "search:city#pune", &c).is_err());
        assert!(decode_cursor::<PageKey>(b"other", "search:all", &c).is_err());
    }

    #[test]
    fn tampered_cursors_are_refused() {
        let c = encode_cursor(b"k", "s", &page()).unwrap();
        let (p, t) = c.split_once('.').unwrap();
        let forged = URL_SAFE_NO_PAD.encode(br#"{"pk":"USER#x","sk":"USER"}"#);
        assert!(decode_cursor::<PageKey>(b"k", "s", &format!("{forged}.{t}")).is_err());
        assert!(decode_cursor::<PageKey>(b"k", "s", p).is_err());
    }

    proptest! {
        #[test]
        fn garbage_never_panics(s in "\\PC{0,200}") {
            prop_assert!(decode_cursor::<PageKey>(b"k", "s", &s).is_err());
        }
    }
}
