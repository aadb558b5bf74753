//! Access tokens: short-lived HS256 JWTs with a key id (`kid`).
//!
//! Every protected route verifies the signature, the algorithm, the issuer, the
//! audience and the expiry (against the injected clock), then loads the user, so a
//! deactivated account's unexpired tokens stop working at once and the role comes from
//! the stored account, not from the token.
//!
//! Keys rotate without logging anyone out: tokens are signed with the current key and
//! name it in their header; verification accepts the current and the previous key.
//! After a rotation, the previous key is dropped once every token it signed has
//! expired (one access-token lifetime). Only functions that verify or issue tokens are
//! given these keys; cursors are signed with a key of their own.

use crate::account::{Role, User};
use chrono::{DateTime, Duration, Utc};
use cm_core::UserId;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

pub const ISSUER: &str = "capture-moments";
pub const AUDIENCE: &str = "capture-moments-api";

/// HS256 needs at least 256 bits of key.
pub const MIN_KEY_BYTES: usize = 32;

/// Tolerated clock skew between the signer and the verifier.
const LEEWAY_SECONDS: i64 = 5;

/// One signing key and the id tokens carry to name it.
#[derive(Clone, PartialEq, Eq, Deserialize)]
pub struct SigningKey {
    pub kid: String,
    pub secret: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey {{ kid: {:?}, .. }}", self.kid)
    }
}

/// The stored form of the keys (a Secrets Manager secret, or an environment variable
/// locally): `{"kid": "...", "secret": "..."}` for one key, or
/// `{"current": {...}, "previous": {...}}` during a rotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySet {
    pub current: SigningKey,
    pub previous: Option<SigningKey>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("token keys are not valid JSON of the form {{\"kid\",\"secret\"}} or {{\"current\",\"previous\"}}: {0}")]
    Malformed(String),
    #[error("token key `{0}` is shorter than {MIN_KEY_BYTES} bytes")]
    TooShort(String),
    #[error("token key ids must be 1 to 64 visible ASCII characters, and the current and previous must differ")]
    BadKid,
}

impl KeySet {
    pub fn parse(raw: &str) -> Result<KeySet, KeyError> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Stored {
            Rotating { current: SigningKey, previous: Option<SigningKey> },
            Single(SigningKey),
        }
        let stored: Stored = serde_json::from_str(raw).map_err(|e| KeyError::Malformed(e.to_string()))?;
        let set = match stored {
            Stored::Rotating { current, previous } => KeySet { current, previous },
            Stored::Single(current) => KeySet { current, previous: None },
        };
        for key in std::iter::once(&set.current).chain(set.previous.as_ref()) {
            if key.kid.is_empty() || key.kid.len() > 64 || !key.kid.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(KeyError::BadKid);
            }
            if key.secret.len() < MIN_KEY_BYTES {
                return Err(KeyError::TooShort(key.kid.clone()));
            }
        }
        if set.previous.as_ref().is_some_and(|p| p.kid == set.current.kid) {
            return Err(KeyError::BadKid);
        }
        Ok(set)
    }
}

/// Why a token was refused. The reason is told to the client (it helps a developer
/// and leaks nothing: the client holds the token).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("expired")]
    Expired,
    #[error("bad signature")]
    BadSignature,
    #[error("signed with a key that is no longer accepted")]
    UnknownKey,
    #[error("algorithm not accepted")]
    Algorithm,
    #[error("wrong issuer or audience")]
    WrongAudience,
    #[error("malformed")]
    Malformed,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub role: Role,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

/// Issues and verifies access tokens; built once per cold start.
pub struct AccessTokens {
    current_kid: String,
    encoding: EncodingKey,
    decoding: Vec<(String, DecodingKey)>,
    validation: Validation,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
}

impl std::fmt::Debug for AccessTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AccessTokens {{ current_kid: {:?}, .. }}", self.current_kid)
    }
}

impl AccessTokens {
    pub fn new(keys: &KeySet, access_ttl: Duration, refresh_ttl: Duration) -> AccessTokens {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
        // Expiry is checked against the injected clock below, not the library's.
        validation.validate_exp = false;
        let decoding = std::iter::once(&keys.current)
            .chain(keys.previous.as_ref())
            .map(|k| (k.kid.clone(), DecodingKey::from_secret(k.secret.as_bytes())))
            .collect();
        AccessTokens {
            current_kid: keys.current.kid.clone(),
            encoding: EncodingKey::from_secret(keys.current.secret.as_bytes()),
            decoding,
            validation,
            access_ttl,
            refresh_ttl,
        }
    }

    pub fn issue(&self, user: &User, now: DateTime<Utc>) -> Result<String, jsonwebtoken::errors::Error> {
        let claims = Claims {
            sub: user.id.to_string(),
            role: user.role,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now.timestamp(),
            exp: (now + self.access_ttl).timestamp(),
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.current_kid.clone());
        jsonwebtoken::encode(&header, &claims, &self.encoding)
    }

    /// Checks the key id, signature, algorithm (HS256 only: `alg: none` and others are
    /// refused), issuer, audience and expiry. Returns the subject.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<UserId, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|e| describe(&e))?;
        let kid = header.kid.ok_or(TokenError::UnknownKey)?;
        let (_, key) = self.decoding.iter().find(|(k, _)| *k == kid).ok_or(TokenError::UnknownKey)?;
        let data = jsonwebtoken::decode::<Claims>(token, key, &self.validation).map_err(|e| describe(&e))?;
        if data.claims.exp + LEEWAY_SECONDS <= now.timestamp() {
            return Err(TokenError::Expired);
        }
        data.claims.sub.parse().map_err(|_| TokenError::Malformed)
    }
}

fn describe(e: &jsonwebtoken::errors::Error) -> TokenError {
    use jsonwebtoken::errors::ErrorKind as K;
    match e.kind() {
        K::ExpiredSignature => TokenError::Expired,
        K::InvalidSignature => TokenError::BadSignature,
        K::InvalidAlgorithm | K::InvalidAlgorithmName => TokenError::Algorithm,
        K::InvalidIssuer | K::InvalidAudience => TokenError::WrongAudience,
        _ => TokenError::Malformed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use proptest::prelude::*;

    fn key(kid: &str, secret: &str) -> SigningKey {
        SigningKey { kid: kid.into(), secret: secret.into() }
    }

    fn tokens(current: SigningKey, previous: Option<SigningKey>) -> AccessTokens {
        AccessTokens::new(&KeySet { current, previous }, Duration::minutes(15), Duration::days(30))
    }

    fn k1() -> SigningKey {
        key("k1", "0123456789abcdef0123456789abcdef")
    }

    fn k2() -> SigningKey {
        key("k2", "fedcba9876543210fedcba9876543210")
    }

    fn user() -> User {
        let now = Utc::now();
        User {
            id: UserId::new(),
            email: "a@b.co".into(),
            name: "A".into(),
            role: Role::Client,
            phone: None,
            phone_verified_at: None,
            timezone: "UTC".into(),
            notification_preferences: Default::default(),
            active: true,
            password_hash: String::new(),
            sessions_valid_after: None,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn tokens_name_their_key_and_expire_by_the_given_clock() {
        let t = tokens(k1(), None);
        let u = user();
        let now = Utc::now();
        let token = t.issue(&u, now).unwrap();
        assert_eq!(jsonwebtoken::decode_header(&token).unwrap().kid.as_deref(), Some("k1"));
        assert_eq!(t.verify(&token, now).unwrap(), u.id);
        assert_eq!(t.verify(&token, now + Duration::minutes(14)).unwrap(), u.id);
        assert_eq!(t.verify(&token, now + Duration::minutes(16)), Err(TokenError::Expired));
    }

    #[test]
    fn rotation_keeps_old_tokens_valid_until_the_previous_key_is_dropped() {
        let u = user();
        let now = Utc::now();
        let before = tokens(k1(), None).issue(&u, now).unwrap();
        let rotating = tokens(k2(), Some(k1()));
        assert_eq!(rotating.verify(&before, now).unwrap(), u.id, "a token of the previous key still works");
        let after = rotating.issue(&u, now).unwrap();
        assert_eq!(jsonwebtoken::decode_header(&after).unwrap().kid.as_deref(), Some("k2"));
        let rotated = tokens(k2(), None);
        assert_eq!(rotated.verify(&before, now), Err(TokenError::UnknownKey));
        assert_eq!(rotated.verify(&after, now).unwrap(), u.id);
    }

    #[test]
    fn a_token_claiming_another_kid_is_checked_against_that_key_only() {
        let u = user();
        let now = Utc::now();
        // Signed with k1's secret but claiming to be k2: refused, not tried against k1.
        let forged = tokens(key("k2", &k1().secret), None).issue(&u, now).unwrap();
        assert_eq!(tokens(k2(), Some(k1())).verify(&forged, now), Err(TokenError::BadSignature));
    }

    #[test]
    fn alg_none_missing_kid_and_foreign_keys_are_refused() {
        let t = tokens(k1(), None);
        let u = user();
        let now = Utc::now();
        let token = t.issue(&u, now).unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT","kid":"k1"}"#);
        assert!(t.verify(&format!("{none_header}.{}.", parts[1]), now).is_err());
        let no_kid = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        assert_eq!(t.verify(&format!("{no_kid}.{}.{}", parts[1], parts[2]), now), Err(TokenError::UnknownKey));
        let other = tokens(key("k1", "another secret that is long enough!!"), None);
        assert_eq!(other.verify(&token, now), Err(TokenError::BadSignature));
    }

    #[test]
    fn key_sets_parse_one_key_or_a_rotation_and_refuse_weak_ones() {
        let one = KeySet::parse(r#"{"kid":"k1","secret":"0123456789abcdef0123456789abcdef"}"#).unwrap();
        assert_eq!(one, KeySet { current: k1(), previous: None });
        let two = KeySet::parse(
            r#"{"current":{"kid":"k2","secret":"fedcba9876543210fedcba9876543210"},
                "previous":{"kid":"k1","secret":"0123456789abcdef0123456789abcdef"}}"#,
        )
        .unwrap();
        assert_eq!(two, KeySet { current: k2(), previous: Some(k1()) });
        assert!(matches!(KeySet::parse(r#"{"kid":"k1","secret":"short"}"#), Err(KeyError::TooShort(_))));
        assert!(matches!(KeySet::parse("plain text"), Err(KeyError::Malformed(_))));
        assert_eq!(
            KeySet::parse(
                r#"{"current":{"kid":"k1","secret":"0123456789abcdef0123456789abcdef"},
                    "previous":{"kid":"k1","secret":"fedcba9876543210fedcba9876543210"}}"#
            ),
            Err(KeyError::BadKid)
        );
    }

    proptest! {
        #[test]
        fn verify_never_panics(s in "\\PC{0,300}") {
            prop_assert!(tokens(k1(), None).verify(&s, Utc::now()).is_err());
        }
    }
}
