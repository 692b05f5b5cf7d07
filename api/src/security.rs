//! Passwords (argon2), access tokens (HS256 JWT) and refresh tokens (random, stored hashed).

use std::sync::LazyLock;
use std::time::Duration;

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use ccm_domain::Role;

const ISSUER: &str = "ccm";
const AUDIENCE: &str = "ccm-api";

pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::Internal(format!("password hashing failed: {e}")))
}

/// Checks a password against a stored hash; an unreadable hash never matches.
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to verify against when the e-mail has no account, so that a wrong address takes as
/// long to refuse as a wrong password and timing does not reveal which addresses exist.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password("no account has this password").unwrap_or_default());

pub fn burn_verification_time(password: &str) {
    let _ = verify_password(&DUMMY_HASH, password);
}

/// The claims in an access token.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub role: Role,
    /// The caller's provider (organisation), absent for a platform admin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    /// The API client the token was issued to (client-credentials grant), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cid: Option<String>,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
}

impl JwtKeys {
    pub fn new(secret: &str, ttl: Duration) -> JwtKeys {
        // Only HS256 is accepted: `alg: none` and any other algorithm fail validation.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.leeway = 5;
        JwtKeys {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            validation,
            ttl,
        }
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    pub fn issue(
        &self,
        user_id: &str,
        role: Role,
        provider_id: Option<&str>,
    ) -> Result<String, ApiError> {
        self.issue_as(user_id, role, provider_id, None)
    }

    /// A token for an API client, acting through its referrer account.
    pub fn issue_for_client(
        &self,
        user_id: &str,
        provider_id: &str,
        client_id: &str,
    ) -> Result<String, ApiError> {
        self.issue_as(user_id, Role::Referrer, Some(provider_id), Some(client_id))
    }

    fn issue_as(
        &self,
        user_id: &str,
        role: Role,
        provider_id: Option<&str>,
        client_id: Option<&str>,
    ) -> Result<String, ApiError> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            role,
            org: provider_id.map(str::to_string),
            cid: client_id.map(str::to_string),
            iss: ISSUER.to_string(),
            aud: AUDIENCE.to_string(),
            iat: now,
            exp: now + i64::try_from(self.ttl.as_secs()).unwrap_or(900),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| ApiError::Internal(format!("token signing failed: {e}")))
    }

    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| {
                use jsonwebtoken::errors::ErrorKind;
                let why = match e.kind() {
                    ErrorKind::ExpiredSignature => "the access token has expired",
                    ErrorKind::InvalidSignature => "the access token's signature is not valid",
                    ErrorKind::InvalidAlgorithm => "the access token's algorithm is not accepted",
                    _ => "the access token is not valid",
                };
                ApiError::Unauthorized(why.to_string())
            })
    }
}

/// A new refresh token and the hash under which it is stored.
pub fn new_refresh_token() -> Result<(String, String), ApiError> {
    new_secret("ccmr_")
}

/// A new random secret (32 bytes, URL-safe base64) with `prefix`, and its SHA-256 hash. The
/// prefix tells a secret scanner, and a person, what kind of secret a leaked string is.
pub fn new_secret(prefix: &str) -> Result<(String, String), ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::Internal(format!("no randomness: {e}")))?;
    let secret = format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let hash = token_hash(&secret);
    Ok((secret, hash))
}

pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(verify_password(&hash, "correct horse battery"));
        assert!(!verify_password(&hash, "Correct horse battery"));
        assert!(!verify_password("not a hash", "anything"));
    }

    #[test]
    fn a_token_round_trips_and_a_tampered_one_does_not() {
        let keys = JwtKeys::new(
            "secret-secret-secret-secret-secret",
            Duration::from_secs(60),
        );
        let token = keys.issue("u1", Role::Coordinator, Some("p1")).unwrap();
        let claims = keys.verify(&token).unwrap();
        assert_eq!(
            (claims.sub.as_str(), claims.role, claims.org.as_deref()),
            ("u1", Role::Coordinator, Some("p1"))
        );
        let other = JwtKeys::new("another-secret-another-secret-xx", Duration::from_secs(60));
        assert!(other.verify(&token).is_err());
    }

    #[test]
    fn refresh_tokens_are_random_and_stored_as_hashes() {
        let (a, ha) = new_refresh_token().unwrap();
        let (b, _) = new_refresh_token().unwrap();
        assert_ne!(a, b);
        assert_eq!(ha, token_hash(&a));
        assert_eq!(ha.len(), 64);
    }
}
