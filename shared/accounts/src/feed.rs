//! Calendar subscription tokens: the secret in a user's `GET /calendar/{token}.ics`
//! address. Calendar apps fetch that address without signing in, so the token alone
//! grants reading that one feed, nothing else. Only its SHA-256 is stored: a leaked
//! table cannot be turned into feed addresses. Rotating replaces it, revoking deletes it.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// 32 random bytes, base64url without padding.
pub const TOKEN_CHARS: usize = 43;

/// A new token, as shown to its owner once.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What the store keys the feed by; `None` for anything that is not a token's shape,
/// so a malformed address never reaches the table.
pub fn token_hash(token: &str) -> Option<String> {
    let well_formed =
        token.len() == TOKEN_CHARS && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    well_formed.then(|| URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes())))
}

/// The token of a feed file name `<token>.ics`.
pub fn token_of_file(file: &str) -> Option<&str> {
    file.strip_suffix(".ics")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hash_to_a_stable_key() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), TOKEN_CHARS);
        let hash = token_hash(&a).unwrap();
        assert_eq!(token_hash(&a), Some(hash.clone()));
        assert_ne!(token_hash(&b), Some(hash.clone()));
        assert_ne!(hash, a, "the stored key is not the token");
    }

    #[test]
    fn malformed_tokens_and_files_are_refused() {
        let t = new_token();
        assert_eq!(token_of_file(&format!("{t}.ics")), Some(t.as_str()));
        assert_eq!(token_of_file(&t), None);
        assert!(token_hash(&t[1..]).is_none());
        assert!(token_hash(&format!("{t}x")).is_none());
        assert!(token_hash(&format!("{}+", &t[1..])).is_none());
        assert!(token_hash("").is_none());
    }
}
