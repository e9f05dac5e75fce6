//! Envelope encryption of secrets (SPEC §6).
//!
//! Every organization has one random 256-bit data key (DEK), stored only wrapped by the
//! key-encryption key (KEK) from the environment or a file, with the KEK's fingerprint.
//! Secrets are sealed with XChaCha20-Poly1305 under the organization's DEK, with the
//! organization, the request and the purpose as associated data, so a ciphertext copied to
//! another row does not open. Plaintext lives in `SecretString` / `Zeroizing` buffers.
//! Deleting an organization's DEK ([`shred`]) makes all of its secrets unreadable.
//!
//! KEK rotation: give the portals the new KEK as current and the old one as previous
//! (they unwrap with either, by fingerprint, and wrap new DEKs with the current one), run
//! `tenantry keys rotate --new-kek-file NEW` to re-wrap the rest, then drop the old KEK.

mod repo;

pub use repo::{KekUsage, shred, status};

use crate::{db::Db, error::AppError};
use base64::{Engine, engine::general_purpose::STANDARD as B64};
use chacha20poly1305::{
    KeyInit, XChaCha20Poly1305, XNonce,
    aead::{Aead, Payload},
};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use zeroize::Zeroizing;

/// The `[secrets]` configuration section (`Config::secrets`): the
/// key-encryption key (KEK) that wraps each organization's data key. It never goes into the
/// database. Base64 of 32 random bytes (`tenantry keys generate`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretsConfig {
    /// The KEK itself; prefer the environment (`TENANTRY_SECRETS__KEK`).
    pub kek: Option<SecretString>,
    /// A file holding the KEK (trailing whitespace ignored).
    pub kek_file: Option<PathBuf>,
    /// Earlier KEKs, accepted only to unwrap data keys until `tenantry keys rotate` has
    /// re-wrapped them under the current one.
    pub previous_kek_files: Vec<PathBuf>,
}

/// The data-key generation stored with every DEK and sealed value.
const DEK_VERSION: i64 = 1;

/// A key-encryption key and its public fingerprint.
pub struct Kek {
    key: Zeroizing<[u8; 32]>,
    fingerprint: String,
}

impl std::fmt::Debug for Kek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Kek({})", self.fingerprint)
    }
}

impl Kek {
    /// Reads base64 of exactly 32 bytes.
    pub fn from_base64(text: &str) -> Result<Kek, String> {
        let bytes = Zeroizing::new(
            B64.decode(text.trim())
                .map_err(|_| "the KEK is not valid base64".to_owned())?,
        );
        let key: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| format!("the KEK must be 32 bytes, not {}", bytes.len()))?;
        let digest = Sha256::new()
            .chain_update(b"tenantry-kek-fingerprint\0")
            .chain_update(key)
            .finalize();
        Ok(Kek {
            key: Zeroizing::new(key),
            fingerprint: hex::encode(&digest[..8]),
        })
    }

    /// Reads a KEK file.
    pub fn from_file(path: &std::path::Path) -> Result<Kek, String> {
        let text = Zeroizing::new(
            std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
        );
        Self::from_base64(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// A new random KEK, as base64.
    pub fn generate() -> Result<String, AppError> {
        let mut key = Zeroizing::new([0u8; 32]);
        getrandom::fill(key.as_mut()).map_err(|e| AppError::internal("KEK generation", e))?;
        Ok(B64.encode(key.as_ref()))
    }

    /// Sixteen hex digits naming the key (not derived reversibly from it).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(self.key.as_ref().into())
    }
}

/// The current KEK and earlier ones still accepted for unwrapping.
#[derive(Debug)]
pub struct Keyring {
    pub current: Kek,
    pub previous: Vec<Kek>,
}

impl Keyring {
    /// The keyring of the configuration; `None` when no KEK is configured.
    pub fn from_config(config: &SecretsConfig) -> Result<Option<Keyring>, String> {
        let current = match (&config.kek, &config.kek_file) {
            (Some(kek), _) => Kek::from_base64(kek.expose_secret())?,
            (None, Some(path)) => Kek::from_file(path)?,
            (None, None) => {
                if config.previous_kek_files.is_empty() {
                    return Ok(None);
                }
                return Err("previous_kek_files needs a current kek".into());
            }
        };
        let previous = config
            .previous_kek_files
            .iter()
            .map(|p| Kek::from_file(p))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(Keyring { current, previous }))
    }

    /// The KEK with `fingerprint`, current or previous.
    pub fn find(&self, fingerprint: &str) -> Option<&Kek> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.fingerprint == fingerprint)
    }
}

/// What a sealed value is bound to: moving it elsewhere makes it unreadable.
#[derive(Debug, Clone, Copy)]
pub struct Binding<'a> {
    pub organization_id: &'a str,
    pub request_id: &'a str,
    pub purpose: &'a str,
}

impl Binding<'_> {
    fn aad(&self) -> Vec<u8> {
        format!(
            "tenantry/secret/v1\0{}\0{}\0{}",
            self.organization_id, self.request_id, self.purpose
        )
        .into_bytes()
    }
}

fn dek_aad(organization_id: &str, version: i64) -> Vec<u8> {
    format!("tenantry/dek/v1\0{organization_id}\0{version}").into_bytes()
}

fn random<const N: usize>() -> Result<Zeroizing<[u8; N]>, AppError> {
    let mut bytes = Zeroizing::new([0u8; N]);
    getrandom::fill(bytes.as_mut()).map_err(|e| AppError::internal("random bytes", e))?;
    Ok(bytes)
}

/// `nonce || ciphertext` under `cipher`, as base64.
fn encrypt(cipher: &XChaCha20Poly1305, aad: &[u8], plaintext: &[u8]) -> Result<String, AppError> {
    let nonce = random::<24>()?;
    let sealed = cipher
        .encrypt(
            XNonce::from_slice(nonce.as_ref()),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| AppError::internal("encryption", "AEAD failure"))?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&sealed);
    Ok(B64.encode(out))
}

fn decrypt(
    cipher: &XChaCha20Poly1305,
    aad: &[u8],
    encoded: &str,
) -> Result<Zeroizing<Vec<u8>>, SecretError> {
    let raw = B64.decode(encoded).map_err(|_| SecretError::Corrupt)?;
    if raw.len() < 24 + 16 {
        return Err(SecretError::Corrupt);
    }
    let (nonce, body) = raw.split_at(24);
    cipher
        .decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad })
        .map(Zeroizing::new)
        .map_err(|_| SecretError::Corrupt)
}

/// Why a secret could not be opened. Carries no secret material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("the ciphertext does not open with this organization's key and binding")]
    Corrupt,
    #[error("no data key for this organization (shredded or never created)")]
    NoDataKey,
    #[error("the data key is wrapped by KEK {0}, which is not configured")]
    UnknownKek(String),
    #[error("database: {0}")]
    Db(String),
}

impl From<sqlx::Error> for SecretError {
    fn from(e: sqlx::Error) -> Self {
        SecretError::Db(e.to_string())
    }
}

impl From<SecretError> for AppError {
    fn from(e: SecretError) -> Self {
        AppError::internal("secrets", e)
    }
}

/// The organization's DEK, unwrapped; `None` when it has none.
async fn load_dek(
    db: &Db,
    keyring: &Keyring,
    organization_id: &str,
) -> Result<Option<Zeroizing<[u8; 32]>>, SecretError> {
    let Some(row) = repo::data_key(db, organization_id).await? else {
        return Ok(None);
    };
    let kek = keyring
        .find(&row.kek_fingerprint)
        .ok_or(SecretError::UnknownKek(row.kek_fingerprint))?;
    let plain = decrypt(
        &kek.cipher(),
        &dek_aad(organization_id, row.key_version),
        &row.wrapped_key,
    )?;
    let key: [u8; 32] = plain
        .as_slice()
        .try_into()
        .map_err(|_| SecretError::Corrupt)?;
    Ok(Some(Zeroizing::new(key)))
}

/// The organization's DEK, created (and wrapped by the current KEK) on first use.
async fn dek(
    db: &Db,
    keyring: &Keyring,
    organization_id: &str,
) -> Result<Zeroizing<[u8; 32]>, AppError> {
    if let Some(key) = load_dek(db, keyring, organization_id).await? {
        return Ok(key);
    }
    let key = random::<32>()?;
    let wrapped = encrypt(
        &keyring.current.cipher(),
        &dek_aad(organization_id, DEK_VERSION),
        key.as_ref(),
    )?;
    // Two first uses at once: one insert wins, both then read the winner.
    repo::insert_data_key(
        db,
        organization_id,
        &wrapped,
        keyring.current.fingerprint(),
        DEK_VERSION,
    )
    .await?;
    Ok(load_dek(db, keyring, organization_id)
        .await?
        .ok_or(SecretError::NoDataKey)?)
}

/// Encrypts `plaintext` for `binding`; the result is safe to store.
pub async fn seal(
    db: &Db,
    keyring: &Keyring,
    binding: Binding<'_>,
    plaintext: &SecretString,
) -> Result<String, AppError> {
    let key = dek(db, keyring, binding.organization_id).await?;
    let cipher = XChaCha20Poly1305::new(key.as_ref().into());
    let body = encrypt(
        &cipher,
        &binding.aad(),
        plaintext.expose_secret().as_bytes(),
    )?;
    Ok(format!("v{DEK_VERSION}:{body}"))
}

/// Decrypts a value sealed for exactly this `binding`.
pub async fn open(
    db: &Db,
    keyring: &Keyring,
    binding: Binding<'_>,
    sealed: &str,
) -> Result<SecretString, SecretError> {
    let body = sealed
        .strip_prefix(&format!("v{DEK_VERSION}:"))
        .ok_or(SecretError::Corrupt)?;
    let key = load_dek(db, keyring, binding.organization_id)
        .await?
        .ok_or(SecretError::NoDataKey)?;
    let cipher = XChaCha20Poly1305::new(key.as_ref().into());
    let plain = decrypt(&cipher, &binding.aad(), body)?;
    let text = String::from_utf8(plain.to_vec()).map_err(|_| SecretError::Corrupt)?;
    Ok(SecretString::from(text))
}

/// Re-wraps every DEK not yet under `new` (which must be in `keyring`, so portals running
/// with this configuration can read the result). Each row is swapped only if nobody changed
/// it meanwhile; the loop runs until none is left. Returns how many were re-wrapped.
pub async fn rotate(db: &Db, keyring: &Keyring, new: &Kek) -> Result<u64, SecretError> {
    if keyring.find(new.fingerprint()).is_none() {
        return Err(SecretError::UnknownKek(new.fingerprint().to_owned()));
    }
    let mut done = 0;
    loop {
        let rows = repo::not_wrapped_by(db, new.fingerprint()).await?;
        if rows.is_empty() {
            return Ok(done);
        }
        for row in rows {
            let kek = keyring
                .find(&row.kek_fingerprint)
                .ok_or_else(|| SecretError::UnknownKek(row.kek_fingerprint.clone()))?;
            let aad = dek_aad(&row.organization_id, row.key_version);
            let key = decrypt(&kek.cipher(), &aad, &row.wrapped_key)?;
            let rewrapped = encrypt(&new.cipher(), &aad, &key).map_err(|_| SecretError::Corrupt)?;
            done += repo::swap_wrapping(
                db,
                &row.organization_id,
                &row.kek_fingerprint,
                &rewrapped,
                new.fingerprint(),
            )
            .await?;
        }
    }
}
