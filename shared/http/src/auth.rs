//! Access tokens (short-lived HS256 JWTs) and refresh tokens (opaque, rotating).
//!
//! Every protected route verifies the JWT's signature, algorithm, issuer, audience and
//! expiry, then loads the user: a deactivated user's still-unexpired tokens stop
//! working at once, and the role comes from the stored account, not from the token.

use crate::{ApiError, App};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use cm_domain::UserId;
use cm_domain::account::{Role, User};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use lambda_http::Request;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const ISSUER: &str = "capture-moments";
pub const AUDIENCE: &str = "capture-moments-api";

/// Key material derived once per cold start from the configured secret.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub(crate) cursor_key: Vec<u8>,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKeys(..)")
    }
}

impl TokenKeys {
    pub fn new(secret: &[u8], access_ttl: Duration, refresh_ttl: Duration) -> TokenKeys {
        // Separate keys per purpose, so a signed cursor can never pass as a token.
        let derive = |label: &[u8]| {
            let mut h = Sha256::new();
            h.update(label);
            h.update(secret);
            h.finalize().to_vec()
        };
        let jwt_key = derive(b"capture-moments/jwt/v1");
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
        validation.leeway = 5;
        TokenKeys {
            encoding: EncodingKey::from_secret(&jwt_key),
            decoding: DecodingKey::from_secret(&jwt_key),
            validation,
            cursor_key: derive(b"capture-moments/cursor/v1"),
            access_ttl,
            refresh_ttl,
        }
    }
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

pub fn issue_access_token(keys: &TokenKeys, user: &User, now: DateTime<Utc>) -> Result<String, ApiError> {
    let claims = Claims {
        sub: user.id.to_string(),
        role: user.role,
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        iat: now.timestamp(),
        exp: (now + keys.access_ttl).timestamp(),
    };
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &keys.encoding).map_err(ApiError::internal)
}

/// Checks signature, algorithm (HS256 only: `alg: none` and others are refused),
/// issuer, audience and expiry. Returns the subject.
pub fn verify_access_token(keys: &TokenKeys, token: &str) -> Result<UserId, ApiError> {
    let data = jsonwebtoken::decode::<Claims>(token, &keys.decoding, &keys.validation)
        .map_err(|e| ApiError::Unauthorized(format!("invalid access token ({})", describe(&e))))?;
    data.claims.sub.parse().map_err(|_| ApiError::Unauthorized("invalid access token (subject)".into()))
}

fn describe(e: &jsonwebtoken::errors::Error) -> &'static str {
    use jsonwebtoken::errors::ErrorKind as K;
    match e.kind() {
        K::ExpiredSignature => "expired",
        K::InvalidSignature => "bad signature",
        K::InvalidAlgorithm | K::InvalidAlgorithmName => "algorithm not accepted",
        K::InvalidIssuer | K::InvalidAudience => "wrong issuer or audience",
        _ => "malformed",
    }
}

/// The authenticated caller, loaded fresh from storage.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
}

impl Caller {
    pub fn id(&self) -> UserId {
        self.user.id
    }

    pub fn role(&self) -> Role {
        self.user.role
    }

    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.user.role) {
            Ok(())
        } else {
            let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            Err(ApiError::Forbidden(format!("this action is for {} accounts", names.join(" or "))))
        }
    }
}

fn bearer(req: &Request) -> Result<&str, ApiError> {
    let header = req
        .headers()
        .get(http::header::AUTHORIZATION)
        .ok_or_else(|| ApiError::Unauthorized("send an access token as `Authorization: Bearer <token>`".into()))?;
    let value = header.to_str().map_err(|_| ApiError::Unauthorized("malformed Authorization header".into()))?;
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => Ok(token.trim()),
        _ => Err(ApiError::Unauthorized("the Authorization header must use the Bearer scheme".into())),
    }
}

pub async fn authenticate(app: &App, req: &Request) -> Result<Caller, ApiError> {
    let id = verify_access_token(app.keys()?, bearer(req)?)?;
    match app.store.get_user(id).await? {
        Some(user) if user.active => Ok(Caller { user }),
        Some(_) => Err(ApiError::Unauthorized("this account is deactivated".into())),
        None => Err(ApiError::Unauthorized("this account no longer exists".into())),
    }
}

pub async fn authenticate_as(app: &App, req: &Request, roles: &[Role]) -> Result<Caller, ApiError> {
    let caller = authenticate(app, req).await?;
    caller.require(roles)?;
    Ok(caller)
}

/// A refresh token as handed to clients: `<family>.<generation>.<secret>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    pub family: String,
    pub generation: u64,
    pub secret: String,
}

impl RefreshToken {
    pub fn new_family() -> RefreshToken {
        RefreshToken { family: random_token(16), generation: 0, secret: random_token(32) }
    }

    pub fn next(&self) -> RefreshToken {
        RefreshToken { family: self.family.clone(), generation: self.generation + 1, secret: random_token(32) }
    }

    pub fn secret_hash(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(self.secret.as_bytes()))
    }

    pub fn parse(raw: &str) -> Option<RefreshToken> {
        let mut parts = raw.trim().split('.');
        let (family, generation, secret) = (parts.next()?, parts.next()?, parts.next()?);
        let well_formed = |s: &str| {
            !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        if parts.next().is_some() || !well_formed(family) || !well_formed(secret) {
            return None;
        }
        Some(RefreshToken { family: family.into(), generation: generation.parse().ok()?, secret: secret.into() })
    }

    /// Compares hashes in constant time, so response timing leaks nothing about the secret.
    pub fn matches_hash(&self, stored_hash: &str) -> bool {
        let ours = self.secret_hash();
        ours.len() == stored_hash.len()
            && ours.bytes().zip(stored_hash.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

impl std::fmt::Display for RefreshToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.family, self.generation, self.secret)
    }
}

fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn keys() -> TokenKeys {
        TokenKeys::new(b"0123456789abcdef0123456789abcdef", Duration::minutes(15), Duration::days(30))
    }

    fn user() -> User {
        let now = Utc::now();
        User {
            id: UserId::new(),
            email: "a@b.co".into(),
            name: "A".into(),
            role: Role::Client,
            phone: None,
            timezone: "UTC".into(),
            notification_preferences: Default::default(),
            active: true,
            password_hash: String::new(),
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn tokens_round_trip_and_expire() {
        let k = keys();
        let u = user();
        let t = issue_access_token(&k, &u, Utc::now()).unwrap();
        assert_eq!(verify_access_token(&k, &t).unwrap(), u.id);
        let old = issue_access_token(&k, &u, Utc::now() - Duration::hours(1)).unwrap();
        assert!(verify_access_token(&k, &old).is_err());
    }

    #[test]
    fn alg_none_and_foreign_keys_are_refused() {
        let k = keys();
        let u = user();
        let t = issue_access_token(&k, &u, Utc::now()).unwrap();
        let parts: Vec<&str> = t.split('.').collect();
        let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        assert!(verify_access_token(&k, &format!("{none_header}.{}.", parts[1])).is_err());
        let other = TokenKeys::new(b"another secret that is long enough!!", Duration::minutes(15), Duration::days(1));
        assert!(verify_access_token(&other, &t).is_err());
    }

    #[test]
    fn refresh_tokens_parse_their_own_output_only() {
        let t = RefreshToken::new_family();
        assert_eq!(RefreshToken::parse(&t.to_string()), Some(t.clone()));
        assert!(t.matches_hash(&t.secret_hash()));
        assert!(!t.next().matches_hash(&t.secret_hash()));
        for bad in ["", "a.b", "a.1.b.c", "a.x.b", "a.1.b c", "../.1.x"] {
            assert_eq!(RefreshToken::parse(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn refresh_parse_never_panics(s in "\\PC{0,200}") {
            let _ = RefreshToken::parse(&s);
        }

        #[test]
        fn verify_never_panics(s in "\\PC{0,300}") {
            prop_assert!(verify_access_token(&keys(), &s).is_err());
        }
    }
}
