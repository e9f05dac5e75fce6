//! Proven email addresses (issue 11): the confirmation link, what an unproven account can
//! and cannot do, the domain claim on confirmation, resends, invitations as proof, the file
//! sink of README command 1, aggregated audit rows for refused sign-ins, and the outbox
//! sending each email once with two workers and a slow relay. On both databases.
// Test code: a failed unwrap is a failed test (the workspace denies them outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{PASSWORD, TestApp, expect_error, peers::Mailbox};
use reqwest::{StatusCode, header};
use sqlx::Row;
use std::time::Duration;

both_backends! {
    the_link_proves_the_address_once,
    an_unproven_company_claims_no_domain,
    resends_are_limited_and_replace_the_link with [
        "email_verification" => {"link_hours": 24, "resends_per_hour": 2},
    ],
    expired_and_foreign_links_are_refused,
    an_invitation_proves_the_address,
    refused_sign_ins_are_one_audit_row_per_window,
    two_workers_and_a_slow_relay_send_each_email_once with [
        "notifications" => {"poll_seconds": 3600, "retry_base_seconds": 1, "max_attempts": 3, "claim_seconds": 1},
    ],
}

async fn open(app: &TestApp, link: &str) -> String {
    let res = app.client.get(link).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{link}");
    res.headers()[header::LOCATION].to_str().unwrap().to_owned()
}

async fn verified_at(app: &TestApp, email: &str) -> Option<i64> {
    sqlx::query("SELECT email_verified_at FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
        .get("email_verified_at")
}

async fn domain_of(app: &TestApp, name: &str) -> (Option<String>, Option<String>) {
    let row = sqlx::query(
        "SELECT email_domain, pending_email_domain FROM organizations WHERE display_name = $1",
    )
    .bind(name)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    (row.get("email_domain"), row.get("pending_email_domain"))
}

async fn the_link_proves_the_address_once(app: &TestApp) {
    let res = app
        .register_company_unconfirmed("Acme", "jo@acme.example")
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(verified_at(app, "jo@acme.example").await, None);
    // Signed in, but to the confirmation page only: every tenant call is refused.
    for (endpoint, form) in [
        ("orgs/list_mine", vec![]),
        ("orgs/overview", vec![("slug", "acme")]),
        ("orgs/members/list", vec![("org", "acme")]),
        ("requests/wizard", vec![("slug", "acme")]),
    ] {
        expect_error(
            app.call(endpoint, &form).await,
            StatusCode::FORBIDDEN,
            "email_unverified",
        )
        .await;
    }
    let status: serde_json::Value = app
        .call("auth/address_status", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        status,
        serde_json::json!({"email": "jo@acme.example", "verified": false})
    );
    // The page says where the link went; a tenant page sends the browser there.
    let page = app
        .client
        .get(app.url("/confirm-email"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("jo@acme.example"));
    let dashboard = app.client.get(app.url("/dashboard")).send().await.unwrap();
    assert_eq!(dashboard.headers()[header::LOCATION], "/confirm-email");

    // The mail sits in the file sink as a readable .eml with the link in it.
    let mails = common::sink_messages(&app.sink_dir, "jo@acme.example");
    let link = app.confirmation_link("jo@acme.example").await;
    assert_eq!(mails.len(), 1);
    assert!(mails[0].contains(link.trim_start_matches(&app.base)));
    // Only the token's hash is stored; the sent email's body is erased.
    let stored: String = sqlx::query("SELECT token_hash FROM email_verifications")
        .fetch_one(app.db.pool())
        .await
        .unwrap()
        .get("token_hash");
    assert!(!link.contains(&stored));
    let bodies: Vec<String> =
        sqlx::query("SELECT body_text FROM mail_outbox WHERE status = 'sent'")
            .fetch_all(app.db.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| r.get("body_text"))
            .collect();
    assert_eq!(bodies, vec![String::new()]);

    // The company claims its domain only now.
    assert_eq!(
        domain_of(app, "Acme").await,
        (None, Some("acme.example".to_owned()))
    );
    assert_eq!(open(app, &link).await, "/dashboard");
    assert!(verified_at(app, "jo@acme.example").await.is_some());
    assert_eq!(
        domain_of(app, "Acme").await,
        (Some("acme.example".to_owned()), None)
    );
    assert_eq!(
        app.call("orgs/list_mine", &[]).await.status(),
        StatusCode::OK
    );
    // Once only.
    assert_eq!(open(app, &link).await, "/confirm-email?link=invalid");
    // Signing in again goes straight to the dashboard now.
    app.sign_out().await;
    let res = app
        .client
        .post(app.url("/fn/auth/sign_in"))
        .form(&[("email", "jo@acme.example"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()[header::LOCATION], "/dashboard");
    let actions = app.audit_actions().await;
    for action in ["account.verify_email", "org.claim_domain"] {
        assert!(
            actions.contains(&(action.to_owned(), "success".to_owned())),
            "{action}: {actions:?}"
        );
    }
}

/// Registering a company with someone else's domain claims nothing until the address is
/// proven, so it cannot lock the real company out; the first proven company holds it.
async fn an_unproven_company_claims_no_domain(app: &TestApp) {
    let squatter = app
        .register_company_unconfirmed("Fake Corp", "boss@corp.example")
        .await;
    assert_eq!(squatter.status(), StatusCode::OK);
    app.sign_out().await;
    // The real company registers and proves its address: not refused, and it claims.
    let real = app.register_company("Corp AG", "ceo@corp.example").await;
    assert_eq!(real.status(), StatusCode::OK);
    assert_eq!(
        domain_of(app, "Corp AG").await,
        (Some("corp.example".to_owned()), None)
    );
    app.sign_out().await;
    // Now the domain is taken for new companies.
    expect_error(
        app.register_company_unconfirmed("Third", "x@corp.example")
            .await,
        StatusCode::CONFLICT,
        "duplicate_domain",
    )
    .await;
    // Should the squatter ever prove an address there, the claim is refused and recorded.
    let link = app.confirmation_link("boss@corp.example").await;
    open(app, &link).await;
    assert_eq!(domain_of(app, "Fake Corp").await, (None, None));
    assert!(
        app.audit_actions()
            .await
            .contains(&("org.claim_domain".to_owned(), "denied".to_owned()))
    );
}

async fn resends_are_limited_and_replace_the_link(app: &TestApp) {
    app.register_personal_unconfirmed("Pia", "Pending", "pia@mail.example")
        .await;
    let first = app.confirmation_link("pia@mail.example").await;
    for _ in 0..2 {
        assert_eq!(
            app.call("auth/resend_verification", &[]).await.status(),
            StatusCode::OK
        );
    }
    expect_error(
        app.call("auth/resend_verification", &[]).await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    )
    .await;
    // Three emails; only the newest link works.
    for _ in 0..200 {
        if common::sink_messages(&app.sink_dir, "pia@mail.example").len() == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        common::sink_messages(&app.sink_dir, "pia@mail.example").len(),
        3
    );
    let newest = app.confirmation_link("pia@mail.example").await;
    assert_ne!(first, newest);
    assert_eq!(open(app, &first).await, "/confirm-email?link=invalid");
    assert_eq!(open(app, &newest).await, "/dashboard");
    // A proven account asking again gets nothing sent.
    assert_eq!(
        app.call("auth/resend_verification", &[]).await.status(),
        StatusCode::OK
    );
    assert_eq!(app.count("email_verifications").await, 0);
}

async fn expired_and_foreign_links_are_refused(app: &TestApp) {
    app.register_personal_unconfirmed("Eve", "Late", "eve@mail.example")
        .await;
    let link = app.confirmation_link("eve@mail.example").await;
    sqlx::query("UPDATE email_verifications SET expires_at = 1")
        .execute(app.db.pool())
        .await
        .unwrap();
    assert_eq!(open(app, &link).await, "/confirm-email?link=invalid");
    assert_eq!(verified_at(app, "eve@mail.example").await, None);
    // Made-up and malformed tokens change nothing either.
    for token in ["", "x", "%00", &"A".repeat(43)] {
        let res = app
            .client
            .get(app.url(&format!("/verify-email?token={token}")))
            .send()
            .await
            .unwrap();
        assert!(
            res.status() == StatusCode::SEE_OTHER || res.status() == StatusCode::BAD_REQUEST,
            "{token}: {}",
            res.status()
        );
    }
    assert_eq!(verified_at(app, "eve@mail.example").await, None);
    // A link sent to an address the account no longer has proves nothing.
    app.call("auth/resend_verification", &[]).await;
    let link = app.confirmation_link("eve@mail.example").await;
    sqlx::query("UPDATE users SET email = 'eve@other.example'")
        .execute(app.db.pool())
        .await
        .unwrap();
    assert_eq!(open(app, &link).await, "/confirm-email?link=invalid");
    assert_eq!(verified_at(app, "eve@other.example").await, None);
}

/// Accepting an invitation sent to the address proves it.
async fn an_invitation_proves_the_address(app: &TestApp) {
    let owner = app.register_company("Host Co", "owner@host.example").await;
    assert_eq!(owner.status(), StatusCode::OK);
    let res = app
        .call(
            "orgs/invitations/create",
            &[
                ("org", "host-co"),
                ("email", "guest@guest.example"),
                ("role", "member"),
                ("language", "en"),
            ],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    app.sign_out().await;
    app.register_personal_unconfirmed("Gus", "Guest", "guest@guest.example")
        .await;
    let mail = common::sink_messages(&app.sink_dir, "guest@guest.example")
        .into_iter()
        .find(|m| m.contains("/invite/"))
        .expect("the invitation email");
    let start = mail.find("/invite/").unwrap() + "/invite/".len();
    let token: String = mail[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let res = app.call("invitations/accept", &[("token", &token)]).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    assert!(verified_at(app, "guest@guest.example").await.is_some());
    assert_eq!(
        app.call("orgs/members/list", &[("org", "host-co")])
            .await
            .status(),
        StatusCode::OK
    );
}

/// A flood of refused sign-ins for one account is one audit row per window that counts
/// them, not one row each.
async fn refused_sign_ins_are_one_audit_row_per_window(app: &TestApp) {
    app.register_personal("Ra", "Te", "ra@mail.example").await;
    app.sign_out().await;
    let limit = app.config.rate_limits.sign_in_failures_per_account;
    for _ in 0..limit {
        app.sign_in("ra@mail.example", "wrong password").await;
    }
    let before = app.count("audit_events").await;
    for _ in 0..12 {
        expect_error(
            app.sign_in("ra@mail.example", "wrong password").await,
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
        )
        .await;
    }
    assert_eq!(app.count("audit_events").await, before + 1);
    let row = sqlx::query(
        "SELECT outcome, detail, occurrences FROM audit_events WHERE detail = 'rate_limited'",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(row.get::<String, _>("outcome"), "denied");
    assert_eq!(row.get::<i64, _>("occurrences"), 12);
}

/// Two workers share the outbox; the relay takes 0.6 s per message and the first worker's
/// round outlasts the claim time. Each email still goes out exactly once.
async fn two_workers_and_a_slow_relay_send_each_email_once(app: &TestApp) {
    let dir = std::env::temp_dir().join(format!("tenantry-slow-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let relay = Mailbox::start_slow(&dir, Duration::from_millis(600))
        .await
        .unwrap();
    for i in 0..8 {
        let email = app::mail::Email {
            to: "many@mail.example".into(),
            subject: format!("message {i}"),
            text: "t".into(),
            html: "h".into(),
        };
        app::mail::outbox::enqueue(app.db.pool(), "test", None, &email)
            .await
            .unwrap();
    }
    let mut config = (*app.config).clone();
    config.smtp.host = "127.0.0.1".into();
    config.smtp.port = relay.port;
    config.smtp.tls = app::config::SmtpTls::None;
    config.smtp.timeout_seconds = 1;
    // A claim lasts 4 s here (three SMTP timeouts and a second); the first worker's round
    // takes about 4.8 s, and the second starts 4.2 s in.
    assert_eq!(app::mail::outbox::claim_ms(&config), 4_000);
    let config = std::sync::Arc::new(config);
    let worker = |delay: u64| {
        let (db, config) = (app.db.clone(), config.clone());
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(delay)).await;
            let mut sent = 0;
            for _ in 0..3 {
                sent += app::mail::outbox::deliver_due(&db, &config)
                    .await
                    .unwrap()
                    .sent;
            }
            sent
        })
    };
    let (a, b) = (worker(0), worker(4_200));
    let sent = a.await.unwrap() + b.await.unwrap();
    let mut subjects: Vec<String> = relay.messages().into_iter().map(|m| m.subject).collect();
    subjects.sort();
    let expected: Vec<String> = (0..8).map(|i| format!("message {i}")).collect();
    assert_eq!(subjects, expected, "each email exactly once");
    assert_eq!(sent, 8);
    let statuses: Vec<String> = sqlx::query("SELECT status FROM mail_outbox WHERE kind = 'test'")
        .fetch_all(app.db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("status"))
        .collect();
    assert!(statuses.iter().all(|s| s == "sent"), "{statuses:?}");
    std::fs::remove_dir_all(&dir).ok();
}
