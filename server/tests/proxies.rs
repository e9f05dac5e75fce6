//! The client address behind trusted proxies, on both databases: a client that writes its
//! own `X-Forwarded-For` entries cannot step around the per-address registration limit, and
//! IPv6 clients share their /64's allowance.
// Test code: a failed unwrap is a failed test (the workspace denies them outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{PASSWORD, TestApp, expect_error};
use reqwest::{StatusCode, header};

both_backends! {
    forged_forwarded_entries_share_one_limit with [
        "trust_proxy_headers" => true,
        "rate_limits" => {"registrations_per_hour": 3},
    ],
    ipv6_clients_are_limited_per_64 with [
        "trust_proxy_headers" => true,
        "rate_limits" => {"registrations_per_hour": 3},
    ],
}

/// Registers a personal account as a client behind one proxy that appended `via`, after
/// whatever the client itself put in `forged`.
async fn register_via(app: &TestApp, i: usize, forged: &str, via: &str) -> reqwest::Response {
    let email = format!("p{i}-{}@example.org", via.replace([':', '.'], "-"));
    let chain = if forged.is_empty() {
        via.to_owned()
    } else {
        format!("{forged}, {via}")
    };
    reqwest::Client::new()
        .post(app.url("/fn/auth/register"))
        .header(header::ACCEPT, "application/json")
        .header("x-forwarded-for", chain)
        .form(&[
            ("kind", "personal"),
            ("given_name", "P"),
            ("family_name", "Q"),
            ("email", email.as_str()),
            ("password", PASSWORD),
            ("language", "en"),
        ])
        .send()
        .await
        .unwrap()
}

async fn forged_forwarded_entries_share_one_limit(app: &TestApp) {
    // Ten forged leftmost entries, one real client: three get through, the rest are limited.
    for i in 0..10 {
        let forged = format!("198.18.0.{i}, 10.9.8.{i}");
        let res = register_via(app, i, &forged, "203.0.113.50").await;
        if i < 3 {
            assert_eq!(res.status(), StatusCode::OK, "registration {i}");
        } else {
            expect_error(res, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
        }
    }
    assert_eq!(app.count("users").await, 3);
    // Another client behind the same proxy has its own allowance.
    let res = register_via(app, 99, "", "203.0.113.51").await;
    assert_eq!(res.status(), StatusCode::OK);
}

async fn ipv6_clients_are_limited_per_64(app: &TestApp) {
    for i in 0..4 {
        let res = register_via(app, i, "", &format!("2001:db8:5:6::{:x}", i + 1)).await;
        if i < 3 {
            assert_eq!(res.status(), StatusCode::OK, "registration {i}");
        } else {
            expect_error(res, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
        }
    }
    // The neighbouring /64 is another customer.
    let res = register_via(app, 9, "", "2001:db8:5:7::1").await;
    assert_eq!(res.status(), StatusCode::OK);
}
