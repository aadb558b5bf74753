//! Opaque pagination cursors: the store's page key, bound to the listing it came from
//! and signed, so a client can neither forge a position nor replay a cursor against a
//! different query (which DynamoDB would reject with a server-side error).

use crate::ApiError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cm_store::PageKey;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

fn mac(key: &[u8], scope: &str, payload: &[u8]) -> Option<HmacSha256> {
    let mut m = HmacSha256::new_from_slice(key).ok()?;
    m.update(scope.as_bytes());
    m.update(&[0]);
    m.update(payload);
    Some(m)
}

pub fn encode_cursor(key: &[u8], scope: &str, page: &PageKey) -> Result<String, ApiError> {
    let payload = serde_json::to_vec(page).map_err(ApiError::internal)?;
    let tag = mac(key, scope, &payload).ok_or_else(|| ApiError::internal("cursor key"))?.finalize().into_bytes();
    Ok(format!("{}.{}", URL_SAFE_NO_PAD.encode(&payload), URL_SAFE_NO_PAD.encode(tag)))
}

pub fn decode_cursor(key: &[u8], scope: &str, cursor: &str) -> Result<PageKey, ApiError> {
    let bad = || ApiError::BadRequest("`cursor` is not a cursor this listing issued".into());
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

    fn page() -> PageKey {
        PageKey(BTreeMap::from([
            ("pk".to_string(), "LISTING#all".to_string()),
            ("sk".to_string(), "000#1".to_string()),
        ]))
    }

    #[test]
    fn cursors_round_trip_within_their_scope_only() {
        let c = encode_cursor(b"k", "search:all", &page()).unwrap();
        assert_eq!(decode_cursor(b"k", "search:all", &c).unwrap(), page());
        assert!(decode_cursor(b"k", "search:city#pune", &c).is_err());
        assert!(decode_cursor(b"other", "search:all", &c).is_err());
    }

    #[test]
    fn tampered_cursors_are_refused() {
        let c = encode_cursor(b"k", "s", &page()).unwrap();
        let (p, t) = c.split_once('.').unwrap();
        let forged = URL_SAFE_NO_PAD.encode(br#"{"pk":"USER#x","sk":"USER"}"#);
        assert!(decode_cursor(b"k", "s", &format!("{forged}.{t}")).is_err());
        assert!(decode_cursor(b"k", "s", p).is_err());
    }

    proptest! {
        #[test]
        fn garbage_never_panics(s in "\\PC{0,200}") {
            prop_assert!(decode_cursor(b"k", "s", &s).is_err());
        }
    }
}
