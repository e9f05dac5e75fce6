//! The bearer check: shape and checksum first (no database), then the key by its hash, its
//! revocation, expiry, grace after a reroll, its creator's account and its organization.
//!
//! Verified keys are cached in the process for [`TTL`]. Every change that can end a key's
//! access bumps `api_key_epoch` in the database (triggers of migration 0011); each process
//! polls it every [`POLL`] and empties its cache when it moved, so a revocation, a reroll
//! without grace, a suspension or an organization's deletion reaches every process within
//! a second. Expiry and a reroll's grace are checked on every use, cached or not.

use super::{Scopes, repo, token};
use crate::db::{Db, now_ms};
use std::{
    collections::HashMap,
    hash::{BuildHasherDefault, Hasher},
    sync::{
        Arc, RwLock,
        atomic::{AtomicI64, Ordering},
    },
    time::Duration,
};

/// How long a verified key is trusted without asking the database again.
pub const TTL: Duration = Duration::from_secs(30);
/// How often each process reads the epoch.
pub const POLL: Duration = Duration::from_millis(250);

/// The epoch of a cache that does not know the database's: it caches nothing.
const UNKNOWN: i64 = i64::MIN;

/// Why a token is refused. All but `RateLimited` answer the client alike (401
/// `invalid_api_key`, no oracle); the log and tests tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Malformed,
    Unknown,
    Revoked,
    Expired,
    /// The member who made it is suspended or gone, or the organization is deleted.
    Disabled,
}

/// A key that passed verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedKey {
    pub key_id: String,
    pub organization_id: String,
    pub scopes: Scopes,
    /// The member the key acts for.
    pub created_by: String,
    /// The earliest of its expiry and (for a rerolled key's old token) its grace.
    pub valid_until: Option<i64>,
}

struct Entry {
    /// Shared with every request that presents the key, so a hit copies nothing.
    key: Arc<VerifiedKey>,
    epoch: i64,
    cached_at: i64,
    /// When this process last recorded a use, to write `last_used_at` once a minute.
    touched_at: AtomicI64,
}

/// The process's cache of verified keys, by token hash.
#[derive(Default)]
pub struct KeyCache {
    /// The epoch the entries were verified under; [`UNKNOWN`] until first read and while
    /// it cannot be read, and then nothing is cached.
    epoch: AtomicI64,
    entries: RwLock<HashMap<[u8; 32], Arc<Entry>, BuildHasherDefault<Prehashed>>>,
}

/// The cache's hasher. Its keys are SHA-256 digests already, uniform and not choosable by
/// anyone, so their first eight bytes are the hash: no second hash on every request.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn write(&mut self, bytes: &[u8]) {
        for (i, byte) in bytes.iter().take(8).enumerate() {
            self.0 ^= u64::from(*byte) << (8 * i);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl KeyCache {
    pub fn new() -> KeyCache {
        KeyCache {
            epoch: AtomicI64::new(UNKNOWN),
            entries: RwLock::default(),
        }
    }

    /// Adopts the database's epoch; a change empties the cache. Returns whether it moved.
    pub fn observe(&self, epoch: i64) -> bool {
        let before = self.epoch.swap(epoch, Ordering::SeqCst);
        if before != epoch
            && let Ok(mut entries) = self.entries.write()
        {
            entries.clear();
        }
        before != epoch
    }

    /// The cached verification of `hash`, if still valid at `now`.
    fn hit(&self, hash: &[u8; 32], now: i64) -> Option<Arc<Entry>> {
        let epoch = self.epoch.load(Ordering::SeqCst);
        if epoch == UNKNOWN {
            return None;
        }
        let entries = self.entries.read().ok()?;
        let entry = entries.get(hash)?;
        let ttl = i64::try_from(TTL.as_millis()).unwrap_or(i64::MAX);
        (entry.epoch == epoch && now - entry.cached_at < ttl).then(|| entry.clone())
    }

    /// Caches a verification made under `epoch`, unless the epoch moved meanwhile.
    fn store(&self, hash: [u8; 32], key: VerifiedKey, epoch: i64, now: i64) -> Arc<Entry> {
        let entry = Arc::new(Entry {
            key: Arc::new(key),
            epoch,
            cached_at: now,
            touched_at: AtomicI64::new(0),
        });
        if let Ok(mut entries) = self.entries.write()
            && epoch != UNKNOWN
            && self.epoch.load(Ordering::SeqCst) == epoch
        {
            // Bounded: a flood of distinct valid keys cannot grow it without end.
            if entries.len() >= 100_000 {
                entries.clear();
            }
            entries.insert(hash, entry.clone());
        }
        entry
    }

    /// The cache's answer alone, without the database: for the benchmark of a hit.
    pub fn cached(&self, token: &str, now: i64) -> Option<Arc<VerifiedKey>> {
        token::check(token).ok()?;
        let hash = token::hash(token);
        let entry = self.hit(&hash, now)?;
        usable(&entry.key, now).then(|| entry.key.clone())
    }
}

fn usable(key: &VerifiedKey, now: i64) -> bool {
    key.valid_until.is_none_or(|until| until > now)
}

/// Verifies a bearer token.
pub async fn verify(
    db: &Db,
    cache: &KeyCache,
    presented: &str,
) -> Result<Arc<VerifiedKey>, Refusal> {
    token::check(presented).map_err(|_| Refusal::Malformed)?;
    let hash = token::hash(presented);
    let now = now_ms();
    let entry = match cache.hit(&hash, now) {
        Some(entry) => entry,
        None => {
            let epoch = cache.epoch.load(Ordering::SeqCst);
            let found = repo::find(db, &hex::encode(hash))
                .await
                .map_err(|err| {
                    tracing::warn!(%err, "api key lookup failed");
                    Refusal::Unknown
                })?
                .ok_or(Refusal::Unknown)?;
            if found.revoked_at.is_some() {
                return Err(Refusal::Revoked);
            }
            if found.creator_status != "active" || found.organization_status != "active" {
                return Err(Refusal::Disabled);
            }
            let valid_until = match (found.expires_at, found.previous_until) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let key = VerifiedKey {
                key_id: found.id,
                organization_id: found.organization_id,
                scopes: found.scopes,
                created_by: found.created_by,
                valid_until,
            };
            cache.store(hash, key, epoch, now)
        }
    };
    if !usable(&entry.key, now) {
        return Err(Refusal::Expired);
    }
    if now.saturating_sub(entry.touched_at.load(Ordering::Relaxed)) >= 60_000 {
        entry.touched_at.store(now, Ordering::Relaxed);
        let (db, id) = (db.clone(), entry.key.key_id.clone());
        tokio::spawn(async move {
            if let Err(err) = repo::touch(&db, &id, now).await {
                tracing::debug!(%err, "api key last use not recorded");
            }
        });
    }
    Ok(entry.key.clone())
}

/// The worker that keeps this process's cache in step with the database's epoch.
pub async fn watch_epoch(db: Db, cache: Arc<KeyCache>) {
    let mut every = tokio::time::interval(POLL);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        every.tick().await;
        match tokio::time::timeout(Duration::from_secs(2), repo::epoch(&db)).await {
            Ok(Ok(epoch)) => {
                cache.observe(epoch);
            }
            // Unreadable: trust nothing cached until it can be read again.
            Ok(Err(_)) | Err(_) => {
                cache.observe(UNKNOWN);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(valid_until: Option<i64>) -> VerifiedKey {
        VerifiedKey {
            key_id: "k".into(),
            organization_id: "o".into(),
            scopes: Scopes::Read,
            created_by: "u".into(),
            valid_until,
        }
    }

    #[test]
    fn a_moved_epoch_empties_the_cache_and_a_stale_verification_is_not_stored() {
        let cache = KeyCache::new();
        cache.observe(1);
        let token = token::generate().unwrap();
        let hash = token::hash(&token);
        cache.store(hash, key(None), 1, 1_000);
        assert!(cache.cached(&token, 1_001).is_some());
        // A revocation elsewhere moves the epoch: the entry is gone.
        assert!(cache.observe(2));
        assert!(cache.cached(&token, 1_002).is_none());
        // A lookup that began under epoch 1 and ends after the move is not kept.
        cache.store(hash, key(None), 1, 1_003);
        assert!(cache.cached(&token, 1_004).is_none());
        // Entries age out after the TTL.
        cache.store(hash, key(None), 2, 1_005);
        assert!(cache.cached(&token, 1_006).is_some());
        let ttl = i64::try_from(TTL.as_millis()).unwrap();
        assert!(cache.cached(&token, 1_005 + ttl).is_none());
    }

    #[test]
    fn nothing_is_cached_before_the_epoch_is_known() {
        let cache = KeyCache::new();
        let token = token::generate().unwrap();
        cache.store(token::hash(&token), key(None), UNKNOWN, 1_000);
        assert!(cache.cached(&token, 1_001).is_none());
    }

    #[test]
    fn expiry_holds_for_cached_keys() {
        let cache = KeyCache::new();
        cache.observe(0);
        let token = token::generate().unwrap();
        cache.store(token::hash(&token), key(Some(2_000)), 0, 1_000);
        assert!(cache.cached(&token, 1_999).is_some());
        assert!(cache.cached(&token, 2_000).is_none());
    }
}
