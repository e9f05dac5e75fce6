//! Bounded costs of anonymous requests, on both databases: parallel password guesses are
//! counted before the slow hash check, so the limit holds under a burst.
// Test code: a failed unwrap is a failed test (the workspace denies them outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestApp;
use reqwest::StatusCode;
use serde_json::Value;

both_backends! {
    parallel_wrong_passwords_are_limited_before_hashing,
    invitations_are_limited_per_organization with [
        "rate_limits" => {"invitations_per_hour": 3},
    ],
    an_admin_cannot_take_over_a_pending_owner_invitation,
}

async fn invite(app: &TestApp, cookie: Option<&str>, email: &str, role: &str) -> reqwest::Response {
    let form = [
        ("org", "acme"),
        ("email", email),
        ("role", role),
        ("language", "en"),
    ];
    match cookie {
        Some(c) => {
            app.call_with_cookie("orgs/invitations/create", &form, c)
                .await
        }
        None => app.call("orgs/invitations/create", &form).await,
    }
}

async fn invitations_are_limited_per_organization(app: &TestApp) {
    app.register_company("Acme", "owner@acme.example").await;
    for i in 0..3 {
        let res = invite(app, None, &format!("p{i}@example.org"), "member").await;
        assert_eq!(res.status(), StatusCode::OK, "invitation {i}");
    }
    let before = app.count("invitations").await;
    let res = invite(app, None, "p9@example.org", "member").await;
    common::expect_error(res, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    assert_eq!(app.count("invitations").await, before);
}

async fn an_admin_cannot_take_over_a_pending_owner_invitation(app: &TestApp) {
    app.register_company("Acme", "owner@acme.example").await;
    let (_, admin) = app.add_member("acme", "Ada", "admin").await;
    let res = invite(app, None, "heir@example.org", "owner").await;
    assert_eq!(res.status(), StatusCode::OK);
    let token_before: String =
        sqlx::query_scalar("SELECT token_hash FROM invitations WHERE email = 'heir@example.org'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    // Re-inviting the address as a member would replace the owner invitation's link.
    let res = invite(app, Some(&admin), "heir@example.org", "member").await;
    common::expect_error(res, StatusCode::FORBIDDEN, "role_not_allowed").await;
    let (role, token): (String, String) = sqlx::query_as(
        "SELECT role, token_hash FROM invitations WHERE email = 'heir@example.org' AND status = 'pending'",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!((role.as_str(), token), ("owner", token_before));
    // The admin still renews invitations they may grant.
    let res = invite(app, Some(&admin), "helper@example.org", "member").await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = invite(app, Some(&admin), "helper@example.org", "viewer").await;
    assert_eq!(res.status(), StatusCode::OK);
}

async fn parallel_wrong_passwords_are_limited_before_hashing(app: &TestApp) {
    assert_eq!(
        app.register_company("Acme", "owner@acme.example")
            .await
            .status(),
        StatusCode::OK
    );
    let attempts: Vec<_> = (0..50)
        .map(|i| {
            let url = app.url("/fn/auth/sign_in");
            tokio::spawn(async move {
                let res = reqwest::Client::new()
                    .post(url)
                    .header("accept", "application/json")
                    .form(&[
                        ("email", "owner@acme.example"),
                        ("password", &format!("wrong guess {i}")),
                    ])
                    .send()
                    .await
                    .unwrap();
                let status = res.status();
                let body: Value = res.json().await.unwrap();
                (status, body["code"].as_str().unwrap_or_default().to_owned())
            })
        })
        .collect();
    let (mut checked, mut limited) = (0, 0);
    for attempt in attempts {
        match attempt.await.unwrap() {
            (StatusCode::UNAUTHORIZED, code) if code == "invalid_credentials" => checked += 1,
            (StatusCode::TOO_MANY_REQUESTS, code) if code == "rate_limited" => limited += 1,
            other => panic!("unexpected answer {other:?}"),
        }
    }
    // The account allows 5 failures per window: no more passwords were checked than that.
    assert!(checked <= 5, "{checked} passwords were checked");
    assert_eq!(checked + limited, 50);
    // Only the checked guesses count as failures: the right password is refused exactly
    // when they used up the allowance.
    let res = app.sign_in("owner@acme.example", common::PASSWORD).await;
    let expected = if checked == 5 {
        StatusCode::TOO_MANY_REQUESTS
    } else {
        StatusCode::OK
    };
    assert_eq!(res.status(), expected, "after {checked} checked guesses");
}
