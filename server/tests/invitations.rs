//! Invitations end to end over HTTP, on both databases, with a real SMTP server on
//! loopback: the email is read back and its link followed.
// Test code: a failed unwrap is a failed test (the workspace denies them outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{PASSWORD, TestApp, expect_error, peers::link_in, session_set_cookie};
use reqwest::{StatusCode, header};
use serde_json::Value;
use sqlx::Row;

both_backends! {
    invite_a_new_person_by_email with ["smtp" => "loopback"],
    invite_an_existing_account with ["smtp" => "loopback"],
    dead_links_and_the_rules with ["smtp" => "loopback"],
    failed_delivery_keeps_the_invitation with ["smtp" => {"host": "127.0.0.1", "port": 1, "tls": "none", "timeout_seconds": 2}],
}

async fn invite(app: &TestApp, org: &str, email: &str, role: &str, lang: &str) -> Value {
    let res = app
        .call(
            "orgs/invitations/create",
            &[
                ("org", org),
                ("email", email),
                ("role", role),
                ("language", lang),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// The token of the `n`th invitation email to `to` (a person who registered also got a
/// confirmation email, which does not count).
async fn token_from_mail(app: &TestApp, to: &str, n: usize) -> String {
    let mailbox = app.mailbox.as_ref().unwrap();
    let marker = format!("{}/invite/", app.base);
    let mut mail = None;
    for _ in 0..200 {
        let invitations: Vec<_> = mailbox
            .messages()
            .into_iter()
            .filter(|m| m.to.eq_ignore_ascii_case(to) && m.text.contains(&marker))
            .collect();
        if let Some(found) = invitations.into_iter().nth(n - 1) {
            mail = Some(found);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let mail = mail.unwrap_or_else(|| panic!("no invitation #{n} to {to} arrived"));
    let link = link_in(&mail.text, &format!("{}/invite/", app.base));
    assert!(
        mail.html.contains(&link),
        "the HTML part carries the same link"
    );
    link.rsplit('/').next().unwrap().to_owned()
}

fn anonymous() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn post(
    client: &reqwest::Client,
    app: &TestApp,
    endpoint: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    client
        .post(app.url(&format!("/fn/{endpoint}")))
        .header(reqwest::header::ACCEPT, "application/json")
        .form(form)
        .send()
        .await
        .unwrap()
}

async fn role_in(app: &TestApp, email: &str, slug: &str) -> Option<String> {
    sqlx::query(
        "SELECT m.role FROM memberships m JOIN users u ON u.id = m.user_id
         JOIN organizations o ON o.id = m.organization_id WHERE u.email = $1 AND o.slug = $2",
    )
    .bind(email)
    .bind(slug)
    .fetch_optional(app.db.pool())
    .await
    .unwrap()
    .map(|r| r.get("role"))
}

async fn invite_a_new_person_by_email(app: &TestApp) {
    app.register_company("Acme", "owner@acme.example").await;
    let invited = invite(app, "acme", "New.Person@Example.com", "member", "de").await;
    assert_eq!(invited["email"], "new.person@example.com");
    assert_eq!(invited["delivery"], "sent", "{invited}");

    let mail = app
        .mailbox
        .as_ref()
        .unwrap()
        .wait_for("new.person@example.com", 1)
        .await;
    assert_eq!(mail.from, "portal@tenantry.test");
    assert!(mail.subject.contains("Acme"), "{}", mail.subject);
    assert!(
        mail.subject.contains("eingeladen"),
        "German, as chosen: {}",
        mail.subject
    );
    let token = token_from_mail(app, "new.person@example.com", 1).await;
    // The database holds only the token's hash.
    let stored: String = sqlx::query("SELECT token_hash FROM invitations")
        .fetch_one(app.db.pool())
        .await
        .unwrap()
        .get("token_hash");
    assert_ne!(stored, token);

    let guest = anonymous();
    let res = post(&guest, app, "invitations/preview", &[("token", &token)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let preview: Value = res.json().await.unwrap();
    assert_eq!(preview["organization"], "Acme");
    assert_eq!(preview["role"], "member");
    assert_eq!(preview["account_exists"], false);

    // Bad input changes nothing.
    let before = app.snapshot().await;
    let res = post(
        &guest,
        app,
        "invitations/accept_new",
        &[
            ("token", &token),
            ("given_name", ""),
            ("family_name", "P"),
            ("password", "short"),
            ("language", "de"),
        ],
    )
    .await;
    let body = expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert_eq!(body["fields"].as_array().unwrap().len(), 2);
    assert_eq!(app.snapshot().await, before);

    let res = post(
        &guest,
        app,
        "invitations/accept_new",
        &[
            ("token", &token),
            ("given_name", "Nina"),
            ("family_name", "Neu"),
            ("password", PASSWORD),
            ("language", "de"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(session_set_cookie(&res).is_some(), "signed in at once");
    assert_eq!(
        role_in(app, "new.person@example.com", "acme")
            .await
            .as_deref(),
        Some("member")
    );
    // The new member reads the members list, read-only.
    let res = post(&guest, app, "orgs/members/list", &[("org", "acme")]).await;
    let members: Value = res.json().await.unwrap();
    assert_eq!(members["my_role"], "member");
    assert_eq!(members["members"].as_array().unwrap().len(), 2);
    // No personal organization was created for them.
    assert_eq!(app.count("organizations").await, 1);

    // Used once.
    let res = post(
        &anonymous(),
        app,
        "invitations/preview",
        &[("token", &token)],
    )
    .await;
    expect_error(res, StatusCode::GONE, "invitation_used").await;
    let res = post(
        &anonymous(),
        app,
        "invitations/accept_new",
        &[
            ("token", &token),
            ("given_name", "X"),
            ("family_name", "Y"),
            ("password", PASSWORD),
            ("language", "en"),
        ],
    )
    .await;
    expect_error(res, StatusCode::GONE, "invitation_used").await;
    let pending: Value = app
        .call("orgs/invitations/list", &[("org", "acme")])
        .await
        .json()
        .await
        .unwrap();
    assert!(pending["invitations"].as_array().unwrap().is_empty());
    let actions = app.audit_actions().await;
    assert!(actions.contains(&("invitation.create".into(), "success".into())));
    assert!(actions.contains(&("invitation.accept".into(), "success".into())));
}

async fn invite_an_existing_account(app: &TestApp) {
    app.register_company("Acme", "owner@acme.example").await;
    // Two people with accounts elsewhere.
    let bea = anonymous();
    let res = post(
        &bea,
        app,
        "auth/register",
        &[
            ("kind", "personal"),
            ("given_name", "Bea"),
            ("family_name", "B"),
            ("email", "bea@example.org"),
            ("password", PASSWORD),
            ("language", "en"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let carl = anonymous();
    let res = post(
        &carl,
        app,
        "auth/register",
        &[
            ("kind", "personal"),
            ("given_name", "Carl"),
            ("family_name", "C"),
            ("email", "carl@example.org"),
            ("password", PASSWORD),
            ("language", "en"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    // Both prove their addresses (an unproven account would be replaced by accept_new).
    for email in ["bea@example.org", "carl@example.org"] {
        let link = app.confirmation_link(email).await;
        let opened = anonymous().get(&link).send().await.unwrap();
        assert_eq!(opened.headers()[header::LOCATION], "/signin?verified=1");
    }

    invite(app, "acme", "bea@example.org", "viewer", "en").await;
    let token = token_from_mail(app, "bea@example.org", 1).await;
    let preview: Value = post(
        &anonymous(),
        app,
        "invitations/preview",
        &[("token", &token)],
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(preview["account_exists"], true);

    // Signed out: sign in first. Someone else: refused, naming the invited address.
    let res = post(
        &anonymous(),
        app,
        "invitations/accept",
        &[("token", &token)],
    )
    .await;
    expect_error(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    let res = post(&carl, app, "invitations/accept", &[("token", &token)]).await;
    let body = expect_error(res, StatusCode::FORBIDDEN, "invitation_wrong_account").await;
    assert_eq!(body["email"], "bea@example.org");
    assert_eq!(role_in(app, "carl@example.org", "acme").await, None);
    // An existing account cannot be taken over through the create-account path.
    let res = post(
        &anonymous(),
        app,
        "invitations/accept_new",
        &[
            ("token", &token),
            ("given_name", "Eve"),
            ("family_name", "E"),
            ("password", PASSWORD),
            ("language", "en"),
        ],
    )
    .await;
    expect_error(res, StatusCode::CONFLICT, "email_taken").await;

    let res = post(&bea, app, "invitations/accept", &[("token", &token)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        role_in(app, "bea@example.org", "acme").await.as_deref(),
        Some("viewer")
    );
    // Bea now belongs to two organizations: the header offers a switcher and names the one
    // in the address.
    let html = bea
        .get(app.url("/orgs/acme/members"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("data-test=\"org-switcher\""),
        "switcher rendered"
    );
    assert!(
        html.contains("<span data-test=\"header-org\">Acme</span>"),
        "current org"
    );
    assert!(
        html.contains("Bea B</a>"),
        "the personal organization is listed"
    );
    // Inviting a member again is refused.
    let res = app
        .call(
            "orgs/invitations/create",
            &[
                ("org", "acme"),
                ("email", "bea@example.org"),
                ("role", "admin"),
                ("language", "en"),
            ],
        )
        .await;
    expect_error(res, StatusCode::CONFLICT, "already_member").await;
}

async fn dead_links_and_the_rules(app: &TestApp) {
    app.register_company("Acme", "owner@acme.example").await;
    invite(app, "acme", "dana@example.org", "member", "fr").await;
    let first = token_from_mail(app, "dana@example.org", 1).await;

    // A tampered token.
    let mut tampered = first.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let res = post(
        &anonymous(),
        app,
        "invitations/preview",
        &[("token", &tampered)],
    )
    .await;
    expect_error(res, StatusCode::NOT_FOUND, "invitation_invalid").await;

    // Re-inviting replaces the link: the old one stops working, one row stays.
    let again = invite(app, "acme", "dana@example.org", "admin", "it").await;
    assert_eq!(again["role"], "admin");
    let second = token_from_mail(app, "dana@example.org", 2).await;
    assert_ne!(first, second);
    let res = post(
        &anonymous(),
        app,
        "invitations/preview",
        &[("token", &first)],
    )
    .await;
    expect_error(res, StatusCode::NOT_FOUND, "invitation_invalid").await;
    assert_eq!(app.count("invitations").await, 1);

    // Resend issues a third link the same way.
    let id = again["id"].as_str().unwrap();
    let res = app
        .call("orgs/invitations/resend", &[("org", "acme"), ("id", id)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let third = token_from_mail(app, "dana@example.org", 3).await;
    let res = post(
        &anonymous(),
        app,
        "invitations/preview",
        &[("token", &second)],
    )
    .await;
    expect_error(res, StatusCode::NOT_FOUND, "invitation_invalid").await;

    // Expired.
    sqlx::query("UPDATE invitations SET expires_at = 1")
        .execute(app.db.pool())
        .await
        .unwrap();
    let res = post(
        &anonymous(),
        app,
        "invitations/preview",
        &[("token", &third)],
    )
    .await;
    expect_error(res, StatusCode::GONE, "invitation_expired").await;
    let res = post(
        &anonymous(),
        app,
        "invitations/accept_new",
        &[
            ("token", &third),
            ("given_name", "D"),
            ("family_name", "D"),
            ("password", PASSWORD),
            ("language", "en"),
        ],
    )
    .await;
    expect_error(res, StatusCode::GONE, "invitation_expired").await;
    assert_eq!(app.count("users").await, 1);

    // Revoked.
    let res = app
        .call("orgs/invitations/resend", &[("org", "acme"), ("id", id)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let fourth = token_from_mail(app, "dana@example.org", 4).await;
    let res = app
        .call("orgs/invitations/revoke", &[("org", "acme"), ("id", id)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = post(
        &anonymous(),
        app,
        "invitations/preview",
        &[("token", &fourth)],
    )
    .await;
    expect_error(res, StatusCode::NOT_FOUND, "invitation_invalid").await;
    let res = app
        .call("orgs/invitations/revoke", &[("org", "acme"), ("id", id)])
        .await;
    expect_error(res, StatusCode::NOT_FOUND, "not_found").await;

    // Admins cannot invite owners; bad input is refused and changes nothing.
    let (_, admin) = app.add_member("acme", "Ada", "admin").await;
    let res = app
        .call_with_cookie(
            "orgs/invitations/create",
            &[
                ("org", "acme"),
                ("email", "x@example.org"),
                ("role", "owner"),
                ("language", "en"),
            ],
            &admin,
        )
        .await;
    expect_error(res, StatusCode::FORBIDDEN, "role_not_allowed").await;
    let res = app
        .call(
            "orgs/invitations/create",
            &[
                ("org", "acme"),
                ("email", "not-an-email"),
                ("role", "boss"),
                ("language", "xx"),
            ],
        )
        .await;
    let body = expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert_eq!(body["fields"].as_array().unwrap().len(), 3);
    assert_eq!(app.count("invitations").await, 1);
}

async fn failed_delivery_keeps_the_invitation(app: &TestApp) {
    // The relay is down, so the confirmation email cannot arrive either.
    app.register_company_unconfirmed("Acme", "owner@acme.example")
        .await;
    app.assume_proven("owner@acme.example").await;
    let invited = invite(app, "acme", "lost@example.org", "member", "en").await;
    assert_eq!(invited["delivery"], "failed", "{invited}");
    let error = invited["delivery_error"].as_str().unwrap();
    assert!(error.starts_with("SMTP"), "{error}");
    let listed: Value = app
        .call("orgs/invitations/list", &[("org", "acme")])
        .await
        .json()
        .await
        .unwrap();
    let rows = listed["invitations"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["delivery"], "failed");
    let attempts: i64 = sqlx::query("SELECT email_attempts FROM invitations")
        .fetch_one(app.db.pool())
        .await
        .unwrap()
        .get("email_attempts");
    assert_eq!(attempts, 1);
}
