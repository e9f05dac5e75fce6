//! Password hashing with argon2id (the crate defaults: 19 MiB, 2 passes, 1 lane, which is the
//! OWASP minimum). Hashing runs on the blocking pool so it never stalls the async runtime.

use crate::error::AppError;
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier, password_hash::SaltString};
use std::sync::OnceLock;

/// Hashes a password into a PHC string.
pub async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|e| AppError::internal("password hash task", e))?
}

fn hash_blocking(password: &str) -> Result<String, AppError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| AppError::internal("password salt", e))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| AppError::internal("password salt", e))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal("password hash", e))
}

/// Checks `password` against `stored`. Without a stored hash (unknown account, or an account
/// without a password) it verifies against a fixed dummy hash, so the failure path costs the
/// same time and does not reveal whether the account exists.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        let dummy = dummy_hash()?;
        let (phc, real) = match stored.as_deref() {
            Some(s) => (s, true),
            None => (dummy, false),
        };
        let parsed =
            PasswordHash::new(phc).map_err(|e| AppError::internal("stored password hash", e))?;
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(ok && real)
    })
    .await
    .map_err(|e| AppError::internal("password verify task", e))?
}

fn dummy_hash() -> Result<&'static str, AppError> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(h) = DUMMY.get() {
        return Ok(h);
    }
    let hash = hash_blocking("tenantry-dummy-password-never-matches")?;
    Ok(DUMMY.get_or_init(|| hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn round_trip_and_dummy_path() {
        let stored = hash("correct horse battery".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(
            verify("correct horse battery".into(), Some(stored.clone()))
                .await
                .unwrap()
        );
        assert!(!verify("wrong".into(), Some(stored)).await.unwrap());
        assert!(
            !verify("tenantry-dummy-password-never-matches".into(), None)
                .await
                .unwrap()
        );
    }
}
