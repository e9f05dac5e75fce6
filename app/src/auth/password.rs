//! Password hashing with argon2id (the crate defaults: 19 MiB, 2 passes, 1 lane, which is the
//! OWASP minimum). Hashing runs on the blocking pool so it never stalls the async runtime.
//!
//! Each check needs 19 MiB of working memory. Unbounded, 300 parallel sign-ins want 5.7 GB,
//! and the allocator's per-thread arenas keep what they once held (measured: 1.9 GB resident
//! after 100 sign-ins, 20 at a time). So at most [`concurrency`] hashes run at once (the
//! cores, up to four); a caller that finds no slot free within [`QUEUE_WAIT`] is told to
//! retry (`rate_limited`) instead of queueing without bound. A finished hash hands its
//! memory block to the next caller while others wait, and frees it (and any block still
//! kept) when nobody does, then calls the allocator's release registered with
//! [`when_idle`], so an idle server holds no hashing memory (`cargo bench -p server --bench
//! pages`, resident after 100 sign-ins, SQLite / PostgreSQL: 130 / 120 MiB with four slots
//! and no release, 51 / 39 MiB with two slots on two cores and the release).

use crate::error::AppError;
use argon2::{
    Algorithm, Argon2, Block, Params, PasswordHash, Version,
    password_hash::{Output, SaltString},
};
use std::{
    sync::{
        Mutex, OnceLock,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};
use tokio::sync::Semaphore;

/// Hashes running at once (and the most 19 MiB blocks that exist at once) on a machine with
/// this many cores or more. A hash keeps one core busy, so more checks than cores at once
/// finish no sooner and only hold more blocks: fewer cores, fewer slots.
pub const CONCURRENCY: usize = 4;

/// The slots of this machine: its cores, at most [`CONCURRENCY`].
pub fn concurrency() -> usize {
    std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .clamp(1, CONCURRENCY)
}
/// How long a password check waits for a free slot before it is refused.
pub const QUEUE_WAIT: Duration = Duration::from_secs(5);

/// Called on the hashing thread after the last block was freed and nobody waits (see
/// [`when_idle`]).
static RELEASE: OnceLock<fn()> = OnceLock::new();

/// Registers what hands freed memory back to the system once the blocks are gone. The
/// allocator keeps freed pages of a thread for reuse, and a hashing thread then sits idle
/// and reuses nothing, so without it the last burst's blocks stay resident. The server,
/// which picks the allocator, registers its collection call; the first registration wins.
pub fn when_idle(release: fn()) {
    let _ = RELEASE.set(release);
}

/// The slots: a permit per memory block, and the blocks handed on to waiting callers.
struct Slots {
    permits: Semaphore,
    blocks: Mutex<Vec<Vec<Block>>>,
    /// Callers waiting for a permit: while there are any, a finished block is kept for them.
    waiting: AtomicUsize,
    /// The number of slots, [`concurrency`].
    cap: usize,
    /// Hashes running now, and the most ever seen at once (the cap, checked by a test).
    running: AtomicUsize,
    peak: AtomicUsize,
}

fn slots() -> &'static Slots {
    static SLOTS: OnceLock<Slots> = OnceLock::new();
    SLOTS.get_or_init(|| {
        let cap = concurrency();
        Slots {
            permits: Semaphore::new(cap),
            blocks: Mutex::new(Vec::with_capacity(cap)),
            cap,
            waiting: AtomicUsize::new(0),
            running: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        }
    })
}

/// One caller counted in [`Slots::waiting`] until it is dropped.
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn count(waiting: &'a AtomicUsize) -> Self {
        waiting.fetch_add(1, Ordering::SeqCst);
        Waiting(waiting)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Runs `work` with a memory block of at least `blocks` KiB, on the blocking pool, once a
/// slot is free.
async fn with_slot<T: Send + 'static>(
    blocks: usize,
    work: impl FnOnce(&mut [Block]) -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    let slots = slots();
    let acquired = {
        // Counted while waiting, also when the caller gives up (its future is dropped).
        let _waiting = Waiting::count(&slots.waiting);
        tokio::time::timeout(QUEUE_WAIT, slots.permits.acquire()).await
    };
    let _permit = match acquired {
        Ok(Ok(permit)) => permit,
        Ok(Err(e)) => return Err(AppError::internal("password slots", e)),
        Err(_) => {
            return Err(AppError::RateLimited {
                retry_after_secs: 1,
            });
        }
    };
    tokio::task::spawn_blocking(move || {
        let mut memory = slots
            .blocks
            .lock()
            .ok()
            .and_then(|mut b| b.pop())
            .unwrap_or_default();
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        let now = slots.running.fetch_add(1, Ordering::SeqCst) + 1;
        slots.peak.fetch_max(now, Ordering::SeqCst);
        let result = work(&mut memory);
        slots.running.fetch_sub(1, Ordering::SeqCst);
        // The permit is still held here, so a caller queued for it is counted as waiting.
        let idle = match slots.blocks.lock() {
            Ok(mut pool) if slots.waiting.load(Ordering::SeqCst) > 0 => {
                if pool.len() < slots.cap {
                    pool.push(memory);
                }
                false
            }
            Ok(mut pool) => {
                pool.clear();
                drop(memory);
                true
            }
            Err(_) => false,
        };
        if idle && let Some(release) = RELEASE.get() {
            release();
        }
        result
    })
    .await
    .map_err(|e| AppError::internal("password hash task", e))?
}

/// Hashes a password into a PHC string.
pub async fn hash(password: String) -> Result<String, AppError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| AppError::internal("password salt", e))?;
    let params = Params::default();
    with_slot(params.block_count(), move |memory| {
        let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
            .hash_password_into_with_memory(password.as_bytes(), &salt, &mut out, memory)
            .map_err(|e| AppError::internal("password hash", e))?;
        let salt =
            SaltString::encode_b64(&salt).map_err(|e| AppError::internal("password salt", e))?;
        let out = Output::new(&out).map_err(|e| AppError::internal("password hash", e))?;
        Ok(format!(
            "$argon2id$v=19$m={},t={},p={}${}${out}",
            params.m_cost(),
            params.t_cost(),
            params.p_cost(),
            salt.as_str()
        ))
    })
    .await
}

/// Checks `password` against `stored`. Without a stored hash (unknown account, or an account
/// without a password) it verifies against a fixed dummy hash, so the failure path costs the
/// same time and does not reveal whether the account exists.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, AppError> {
    let real = stored.is_some();
    let phc = match stored {
        Some(s) => s,
        None => dummy_hash().await?.to_owned(),
    };
    let blocks = {
        let parsed =
            PasswordHash::new(&phc).map_err(|e| AppError::internal("stored password hash", e))?;
        Params::try_from(&parsed)
            .map_err(|e| AppError::internal("stored password hash", e))?
            .block_count()
    };
    let ok = with_slot(blocks, move |memory| check(&password, &phc, memory)).await?;
    Ok(ok && real)
}

/// Recomputes the hash of `password` with the parameters and salt of `phc` and compares the
/// outputs in constant time.
fn check(password: &str, phc: &str, memory: &mut [Block]) -> Result<bool, AppError> {
    let bad = |e: &dyn std::fmt::Display| AppError::internal("stored password hash", e);
    let parsed = PasswordHash::new(phc).map_err(|e| bad(&e))?;
    let algorithm = Algorithm::try_from(parsed.algorithm).map_err(|e| bad(&e))?;
    let version = match parsed.version {
        Some(v) => Version::try_from(v).map_err(|e| bad(&e))?,
        None => Version::default(),
    };
    let params = Params::try_from(&parsed).map_err(|e| bad(&e))?;
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return Err(bad(&"salt or hash missing"));
    };
    let mut salt_buf = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_buf).map_err(|e| bad(&e))?;
    let mut out = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password.as_bytes(), salt, &mut out, memory)
        .map_err(|e| bad(&e))?;
    let actual = Output::new(&out).map_err(|e| bad(&e))?;
    Ok(actual == expected)
}

async fn dummy_hash() -> Result<&'static str, AppError> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(h) = DUMMY.get() {
        return Ok(h);
    }
    let hash = hash("tenantry-dummy-password-never-matches".to_owned()).await?;
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

    #[tokio::test]
    async fn reads_hashes_of_the_argon2_crate_and_it_reads_ours() {
        use argon2::{PasswordHasher, PasswordVerifier};
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let theirs = Argon2::default()
            .hash_password(b"s3cret pass", &salt)
            .unwrap()
            .to_string();
        assert!(
            verify("s3cret pass".into(), Some(theirs.clone()))
                .await
                .unwrap()
        );
        assert!(!verify("s3cret pasS".into(), Some(theirs)).await.unwrap());
        let ours = hash("s3cret pass".into()).await.unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"s3cret pass", &parsed)
                .is_ok()
        );
        assert!(
            Argon2::default()
                .verify_password(b"other", &parsed)
                .is_err()
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn at_most_the_slots_run_and_no_memory_block_outlives_the_burst() {
        let stored = hash("pw-for-the-slots".into()).await.unwrap();
        let checks: Vec<_> = (0..3 * concurrency())
            .map(|_| tokio::spawn(verify("wrong".into(), Some(stored.clone()))))
            .collect();
        let mut checked = 0;
        for check in checks {
            match check.await.unwrap() {
                Ok(ok) => {
                    assert!(!ok);
                    checked += 1;
                }
                // A slow machine may turn the last of the queue away: that is the design.
                Err(err) => assert_eq!(
                    err,
                    AppError::RateLimited {
                        retry_after_secs: 1
                    }
                ),
            }
        }
        assert!(checked >= concurrency(), "only {checked} checks ran");
        let peak = slots().peak.load(Ordering::SeqCst);
        assert!(
            (1..=concurrency()).contains(&peak),
            "{peak} hashes ran at once"
        );
        // Once nobody runs or waits, the last hash to finish has freed every block. The
        // other tests of this module hash through the same slots at the same time, and a
        // block handed on to one of their callers is rightly kept until it finishes, so
        // look until they are done too (each hash takes milliseconds).
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let kept = loop {
            let idle = slots().running.load(Ordering::SeqCst) == 0
                && slots().waiting.load(Ordering::SeqCst) == 0;
            let kept = slots().blocks.lock().unwrap().len();
            if (idle && kept == 0) || std::time::Instant::now() > deadline {
                break kept;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        assert_eq!(kept, 0, "{kept} blocks kept after the burst");
    }
}
