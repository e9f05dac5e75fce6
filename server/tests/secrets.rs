//! Envelope encryption on both databases: round trip, no plaintext at rest, bindings,
//! tampering, wrong KEK, crypto-shredding, and KEK rotation while secrets are being read;
//! plus the `tenantry keys` commands.
// Test code: a failed unwrap is a failed test (the workspace denies them outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use app::secrets::{self, Binding, Kek, Keyring, SecretError};
use common::TestApp;
use secrecy::{ExposeSecret, SecretString};
use sqlx::Row;
use std::sync::Arc;

both_backends! {
    seal_open_and_bindings,
    wrong_kek_tampering_and_shredding,
    rotation_under_concurrent_reads,
}

fn kek() -> Kek {
    Kek::from_base64(&Kek::generate().unwrap()).unwrap()
}

fn ring(current: Kek, previous: Vec<Kek>) -> Keyring {
    Keyring { current, previous }
}

async fn org(app: &TestApp, name: &str) -> String {
    app.insert_org("company", name).await
}

fn bind<'a>(org: &'a str, request: &'a str, purpose: &'a str) -> Binding<'a> {
    Binding {
        organization_id: org,
        request_id: request,
        purpose,
    }
}

const TOKEN: &str = "1234567890:telegram-bot-token-THAT-MUST-NOT-LEAK";

/// Every value of every table, as text, to look for plaintext at rest.
async fn dump(app: &TestApp) -> String {
    let mut out = String::new();
    for (table, cols) in [
        (
            "org_data_keys",
            "organization_id, wrapped_key, kek_fingerprint",
        ),
        (
            "audit_events",
            "action, COALESCE(target, ''), COALESCE(detail, '')",
        ),
    ] {
        for row in sqlx::query(&format!("SELECT {cols} FROM {table}"))
            .fetch_all(app.db.pool())
            .await
            .unwrap()
        {
            for i in 0..3 {
                out.push_str(&row.get::<String, _>(i));
                out.push('|');
            }
        }
    }
    out
}

async fn seal_open_and_bindings(app: &TestApp) {
    let acme = org(app, "Acme").await;
    let other = org(app, "Other").await;
    let keys = ring(kek(), vec![]);
    let secret = SecretString::from(TOKEN.to_owned());
    let sealed = secrets::seal(
        &app.db,
        &keys,
        bind(&acme, "req-1", "telegram.token"),
        &secret,
    )
    .await
    .unwrap();
    assert!(sealed.starts_with("v1:"));
    assert!(!sealed.contains("telegram-bot-token"));
    // Fresh nonce each time.
    let again = secrets::seal(
        &app.db,
        &keys,
        bind(&acme, "req-1", "telegram.token"),
        &secret,
    )
    .await
    .unwrap();
    assert_ne!(sealed, again);
    // The other organization has its own data key.
    secrets::seal(&app.db, &keys, bind(&other, "req-9", "x"), &secret)
        .await
        .unwrap();
    let opened = secrets::open(
        &app.db,
        &keys,
        bind(&acme, "req-1", "telegram.token"),
        &sealed,
    )
    .await
    .unwrap();
    assert_eq!(opened.expose_secret(), TOKEN);

    // Copied to another organization, request or purpose: it does not open.
    for wrong in [
        bind(&other, "req-1", "telegram.token"),
        bind(&acme, "req-2", "telegram.token"),
        bind(&acme, "req-1", "discord.token"),
    ] {
        let err = secrets::open(&app.db, &keys, wrong, &sealed)
            .await
            .unwrap_err();
        assert_eq!(err, SecretError::Corrupt, "{wrong:?}");
        assert!(!err.to_string().contains("telegram-bot-token"));
    }
    // One data key per organization, stored wrapped: no plaintext secret or key anywhere.
    assert_eq!(app.count("org_data_keys").await, 2);
    let at_rest = dump(app).await;
    assert!(!at_rest.contains("telegram-bot-token"));
    assert!(!at_rest.contains(TOKEN));
    if app.database_url.starts_with("sqlite:") {
        // The raw database file (and its WAL) hold no plaintext either.
        let path = app.database_url.trim_start_matches("sqlite://");
        for file in [path.to_owned(), format!("{path}-wal")] {
            if let Ok(bytes) = std::fs::read(&file) {
                let needle = b"telegram-bot-token";
                assert!(!bytes.windows(needle.len()).any(|w| w == needle), "{file}");
            }
        }
    }
}

async fn wrong_kek_tampering_and_shredding(app: &TestApp) {
    let acme = org(app, "Acme").await;
    let beta = org(app, "Beta").await;
    let keys = ring(kek(), vec![]);
    let secret = SecretString::from(TOKEN.to_owned());
    let b = bind(&acme, "req-1", "smtp.password");
    let sealed = secrets::seal(&app.db, &keys, b, &secret).await.unwrap();
    let beta_sealed = secrets::seal(&app.db, &keys, bind(&beta, "r", "p"), &secret)
        .await
        .unwrap();

    // A different KEK: the data key's wrapping names a fingerprint it does not have.
    let stranger = ring(kek(), vec![]);
    let err = secrets::open(&app.db, &stranger, b, &sealed)
        .await
        .unwrap_err();
    assert!(matches!(err, SecretError::UnknownKek(_)), "{err:?}");
    // A different KEK that claims the right fingerprint cannot exist; a wrapped key that was
    // tampered with fails authentication.
    sqlx::query("UPDATE org_data_keys SET wrapped_key = $1 WHERE organization_id = $2")
        .bind({
            let row =
                sqlx::query("SELECT wrapped_key FROM org_data_keys WHERE organization_id = $1")
                    .bind(&beta)
                    .fetch_one(app.db.pool())
                    .await
                    .unwrap();
            row.get::<String, _>("wrapped_key")
        })
        .bind(&acme)
        .execute(app.db.pool())
        .await
        .unwrap();
    assert_eq!(
        secrets::open(&app.db, &keys, b, &sealed).await.unwrap_err(),
        SecretError::Corrupt,
        "another organization's wrapped key does not unwrap here"
    );

    // Tampered ciphertext: flip one character of the body.
    let beta_b = bind(&beta, "r", "p");
    let (bp, bb) = beta_sealed.split_at(3);
    let mut bchars: Vec<char> = bb.chars().collect();
    let j = bchars.len() - 5;
    bchars[j] = if bchars[j] == 'A' { 'B' } else { 'A' };
    let beta_tampered = format!("{bp}{}", bchars.into_iter().collect::<String>());
    assert_eq!(
        secrets::open(&app.db, &keys, beta_b, &beta_tampered)
            .await
            .unwrap_err(),
        SecretError::Corrupt
    );
    for junk in ["", "v1:", "v1:!!!", "v9:abcd", &beta_sealed[..20]] {
        assert_eq!(
            secrets::open(&app.db, &keys, beta_b, junk)
                .await
                .unwrap_err(),
            SecretError::Corrupt,
            "{junk}"
        );
    }
    assert_eq!(
        secrets::open(&app.db, &keys, beta_b, &beta_sealed)
            .await
            .unwrap()
            .expose_secret(),
        TOKEN
    );

    // Crypto-shredding: without the data key nothing of Beta opens.
    secrets::shred(app.db.pool(), &beta).await.unwrap();
    assert_eq!(
        secrets::open(&app.db, &keys, beta_b, &beta_sealed)
            .await
            .unwrap_err(),
        SecretError::NoDataKey
    );
}

async fn rotation_under_concurrent_reads(app: &TestApp) {
    let old = kek();
    let old_fp = old.fingerprint().to_owned();
    let old_b64_ring = ring(old, vec![]);
    let mut sealed = Vec::new();
    for n in 0..12 {
        let id = org(app, &format!("Org {n}")).await;
        for k in 0..4 {
            let value = SecretString::from(format!("secret-{n}-{k}"));
            let purpose = format!("p{k}");
            let s = secrets::seal(&app.db, &old_b64_ring, bind(&id, "req", &purpose), &value)
                .await
                .unwrap();
            sealed.push((id.clone(), purpose, s, format!("secret-{n}-{k}")));
        }
    }
    assert_eq!(
        secrets::status(&app.db).await.unwrap(),
        vec![secrets::KekUsage {
            kek_fingerprint: old_fp,
            data_keys: 12
        }]
    );

    // The portals now run with the new KEK as current and the old one as previous.
    let new_b64 = Kek::generate().unwrap();
    let new_fp = Kek::from_base64(&new_b64).unwrap().fingerprint().to_owned();
    let Keyring { current: old, .. } = old_b64_ring;
    let serving = Arc::new(ring(Kek::from_base64(&new_b64).unwrap(), vec![old]));
    let sealed = Arc::new(sealed);
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut readers = Vec::new();
    for _ in 0..3 {
        let (db, keys, sealed, stop) = (
            app.db.clone(),
            serving.clone(),
            sealed.clone(),
            stop.clone(),
        );
        readers.push(tokio::spawn(async move {
            let mut reads = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) || reads == 0 {
                for (org, purpose, s, expected) in sealed.iter() {
                    let got = secrets::open(&db, &keys, bind(org, "req", purpose), s)
                        .await
                        .expect("every read succeeds during rotation");
                    assert_eq!(got.expose_secret(), expected);
                    reads += 1;
                }
            }
            reads
        }));
    }
    let new = Kek::from_base64(&new_b64).unwrap();
    // A KEK the configuration does not know is refused: portals could not read the result.
    let unknown = kek();
    assert!(matches!(
        secrets::rotate(&app.db, &serving, &unknown).await,
        Err(SecretError::UnknownKek(_))
    ));
    let rewrapped = secrets::rotate(&app.db, &serving, &new).await.unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut total = 0;
    for r in readers {
        total += r.await.unwrap();
    }
    assert!(total >= 48, "readers ran: {total}");
    assert_eq!(rewrapped, 12);
    assert_eq!(
        secrets::status(&app.db).await.unwrap(),
        vec![secrets::KekUsage {
            kek_fingerprint: new_fp,
            data_keys: 12
        }]
    );
    // After rotation the new KEK alone opens everything; the old one alone opens nothing.
    let only_new = ring(Kek::from_base64(&new_b64).unwrap(), vec![]);
    for (org, purpose, s, expected) in sealed.iter() {
        let got = secrets::open(&app.db, &only_new, bind(org, "req", purpose), s)
            .await
            .unwrap();
        assert_eq!(got.expose_secret(), expected);
    }
}
