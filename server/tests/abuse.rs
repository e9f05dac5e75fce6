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
