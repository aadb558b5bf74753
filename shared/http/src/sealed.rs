//! Values handed to a client and taken back later, unchanged: a payload in base64url
//! and an HMAC-SHA256 tag over a scope and the payload. The client can read but not
//! forge or alter them, and a value sealed for one scope (a listing, a quote) is
//! refused in every other.
//!
//! Each use has a key of its own (cursors, quotes), so a function holds only the keys
//! of what it signs or checks.

use crate::Internal;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The shortest key accepted: the HMAC's own block of entropy.
pub const MIN_SEAL_KEY_BYTES: usize = 32;

#[derive(Clone)]
pub struct SealKey(Vec<u8>);

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealKey(..)")
    }
}

impl SealKey {
    /// `what` names the key in the error (e.g. "the cursor key").
    pub fn new(key: &[u8], what: &str) -> Result<SealKey, Internal> {
        if key.len() < MIN_SEAL_KEY_BYTES {
            return Err(Internal(format!("{what} must be at least {MIN_SEAL_KEY_BYTES} bytes")));
        }
        Ok(SealKey(key.to_vec()))
    }

    fn mac(&self, scope: &str, payload: &[u8]) -> Option<HmacSha256> {
        let mut m = HmacSha256::new_from_slice(&self.0).ok()?;
        m.update(scope.as_bytes());
        m.update(&[0]);
        m.update(payload);
        Some(m)
    }

    pub fn seal<T: Serialize>(&self, scope: &str, value: &T) -> Result<String, Internal> {
        let payload = serde_json::to_vec(value).map_err(Internal::new)?;
        let tag = self.mac(scope, &payload).ok_or_else(|| Internal::new("seal key"))?.finalize().into_bytes();
        Ok(format!("{}.{}", URL_SAFE_NO_PAD.encode(&payload), URL_SAFE_NO_PAD.encode(tag)))
    }

    /// The value, if `sealed` is exactly what [`SealKey::seal`] gave for `scope` with
    /// this key; `None` for anything else (forged, altered, truncated, other scope).
    pub fn open<T: DeserializeOwned>(&self, scope: &str, sealed: &str) -> Option<T> {
        let (payload, tag) = sealed.split_once('.')?;
        let payload = URL_SAFE_NO_PAD.decode(payload).ok()?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        self.mac(scope, &payload)?.verify_slice(&tag).ok()?;
        serde_json::from_slice(&payload).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    type Value = BTreeMap<String, String>;

    fn key(k: &str) -> SealKey {
        SealKey::new(format!("{k:-<32}").as_bytes(), "test key").unwrap()
    }

    fn value() -> Value {
        BTreeMap::from([("pk".to_string(), "LISTING#all".to_string()), ("sk".to_string(), "000#1".to_string())])
    }

    #[test]
    fn short_keys_are_refused() {
        assert!(SealKey::new(b"short", "the test key").is_err());
    }

    #[test]
    fn values_open_within_their_scope_and_key_only() {
        let c = key("k").seal("search:all", &value()).unwrap();
        assert_eq!(key("k").open::<Value>("search:all", &c).unwrap(), value());
        assert!(key("k").open::<Value>("search:city#pune", &c).is_none());
        assert!(key("other").open::<Value>("search:all", &c).is_none());
    }

    #[test]
    fn altered_values_are_refused() {
        let c = key("k").seal("s", &value()).unwrap();
        let (p, t) = c.split_once('.').unwrap();
        let forged = URL_SAFE_NO_PAD.encode(br#"{"pk":"USER#x","sk":"USER"}"#);
        assert!(key("k").open::<Value>("s", &format!("{forged}.{t}")).is_none());
        assert!(key("k").open::<Value>("s", p).is_none());
    }

    proptest! {
        #[test]
        fn garbage_never_panics(s in "\\PC{0,200}") {
            prop_assert!(key("k").open::<Value>("s", &s).is_none());
        }
    }
}
