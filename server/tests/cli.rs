//! The `tenantry` binary's subcommands, run as real processes against each backend.
// Test code: a failed unwrap is a failed test (the workspace denies them outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestApp;
use reqwest::StatusCode;
use serde_json::Value;
use std::{
    io::Write,
    process::{Command, Output, Stdio},
};

both_backends! {
    admin_create_sets_password_and_platform_role,
    migrate_is_idempotent,
    keys_generate_status_and_rotate,
}

async fn keys_generate_status_and_rotate(app: &TestApp) {
    use app::secrets::{self, Binding, Kek, Keyring};
    use secrecy::{ExposeSecret, SecretString};
    let dir = std::env::temp_dir().join(format!("tenantry-keys-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = Vec::new();
    for name in ["old.key", "new.key"] {
        let out = tenantry(app, &["keys", "generate"], "").await;
        assert!(out.status.success());
        let key = String::from_utf8(out.stdout).unwrap();
        let kek = Kek::from_base64(&key).expect("32 bytes of base64");
        std::fs::write(dir.join(name), &key).unwrap();
        files.push((dir.join(name), kek));
    }
    let (old_path, old) = files.remove(0);
    let (new_path, new) = files.remove(0);
    assert_ne!(old.fingerprint(), new.fingerprint());

    // Something sealed under the old KEK.
    let org = app.insert_org("company", "Keys Co").await;
    let binding = Binding {
        organization_id: &org,
        request_id: "r1",
        purpose: "p",
    };
    let old_ring = Keyring {
        current: Kek::from_file(&old_path).unwrap(),
        previous: vec![],
    };
    let sealed = secrets::seal(
        &app.db,
        &old_ring,
        binding,
        &SecretString::from("s3cret".to_owned()),
    )
    .await
    .unwrap();

    let write_config = |name: &str, body: String| {
        let path = dir.join(name);
        std::fs::write(&path, body).unwrap();
        path.display().to_string()
    };
    let only_old = write_config(
        "old.toml",
        format!(
            "[secrets]\nkek_file = {:?}\n",
            old_path.display().to_string()
        ),
    );
    let out = tenantry(app, &["--config", &only_old, "keys", "status"], "").await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains(&format!("1 data keys wrapped by {}", old.fingerprint())),
        "{stdout}"
    );

    // Refused while the portals' configuration does not know the new KEK.
    let new_arg = new_path.display().to_string();
    let out = tenantry(
        app,
        &[
            "--config",
            &only_old,
            "keys",
            "rotate",
            "--new-kek-file",
            &new_arg,
        ],
        "",
    )
    .await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("add the new KEK"));

    let both = write_config(
        "both.toml",
        format!(
            "[secrets]\nkek_file = {:?}\nprevious_kek_files = [{:?}]\n",
            new_path.display().to_string(),
            old_path.display().to_string()
        ),
    );
    let out = tenantry(
        app,
        &[
            "--config",
            &both,
            "keys",
            "rotate",
            "--new-kek-file",
            &new_arg,
        ],
        "",
    )
    .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("re-wrapped 1 data keys"), "{stdout}");
    let out = tenantry(app, &["--config", &both, "keys", "status"], "").await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("1 data keys wrapped by {}", new.fingerprint())),
        "{stdout}"
    );
    // The new KEK alone opens the secret now.
    let new_ring = Keyring {
        current: Kek::from_file(&new_path).unwrap(),
        previous: vec![],
    };
    let opened = secrets::open(&app.db, &new_ring, binding, &sealed)
        .await
        .unwrap();
    assert_eq!(opened.expose_secret(), "s3cret");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs `tenantry ARGS` against the test database, feeding `stdin`.
async fn tenantry(app: &TestApp, args: &[&str], stdin: &str) -> Output {
    let url = app.database_url.clone();
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let stdin = stdin.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tenantry"))
            .args(&args)
            .env("TENANTRY_DATABASE_URL", url)
            .env("TENANTRY_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap()
}

async fn admin_create_sets_password_and_platform_role(app: &TestApp) {
    let args = [
        "admin",
        "create",
        "--email",
        "Root@Example.org",
        "--name",
        "Root Admin",
    ];
    let out = tenantry(app, &args, "a long admin password\n").await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("created platform admin root@example.org"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("a long admin password"),
        "the password is never echoed"
    );

    let res = app
        .sign_in("root@example.org", "a long admin password")
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let session: Value = app.call("auth/session", &[]).await.json().await.unwrap();
    assert_eq!(session["user"]["platform_role"], "platform_admin");
    assert_eq!(session["user"]["display_name"], "Root Admin");

    // An existing user is promoted, and a too-short password changes nothing.
    app.register_personal("Pat", "Member", "pat@example.org")
        .await;
    let out = tenantry(
        app,
        &[
            "admin",
            "create",
            "--email",
            "pat@example.org",
            "--name",
            "Pat",
        ],
        "short\n",
    )
    .await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 10 characters"));
    let out = tenantry(
        app,
        &[
            "admin",
            "create",
            "--email",
            "pat@example.org",
            "--name",
            "Pat",
        ],
        "another long password\n",
    )
    .await;
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("promoted platform admin pat@example.org")
    );
    let res = app
        .sign_in("pat@example.org", "another long password")
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let session: Value = app.call("auth/session", &[]).await.json().await.unwrap();
    assert_eq!(session["user"]["platform_role"], "platform_admin");

    let out = tenantry(
        app,
        &["admin", "create", "--email", "not-an-email", "--name", "X"],
        "whatever long\n",
    )
    .await;
    assert!(!out.status.success());
    assert_eq!(app.count("users").await, 2);
}

async fn migrate_is_idempotent(app: &TestApp) {
    for _ in 0..2 {
        let out = tenantry(app, &["migrate"], "").await;
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("database is up to date"));
    }
    // A bad configuration names the key and exits non-zero.
    let url = app.database_url.clone();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_tenantry"))
            .arg("migrate")
            .env("TENANTRY_DATABASE_URL", url)
            .env("TENANTRY_RATE_LIMITS__REGISTRATIONS_PER_HOUR", "0")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("rate_limits.registrations_per_hour"));
}
