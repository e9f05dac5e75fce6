//! Live streams cost bounded resources, on both databases: a session holds at most
//! `live_streams_per_session` open streams, and a stream ends when its session passes the
//! idle timeout (a stream is not activity).
// Test code: a failed unwrap is a failed test (the workspace denies them outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestApp, expect_error};
use reqwest::StatusCode;
use std::time::Duration;

both_backends! {
    a_session_holds_a_bounded_number_of_streams with ["live_streams_per_session" => 3],
    a_stream_ends_at_the_sessions_idle_expiry with ["live_poll_ms" => 100, "live_recheck_ms" => 100],
    a_change_in_another_process_reaches_open_streams,
}

async fn open(app: &TestApp) -> reqwest::Response {
    app.client
        .get(app.url("/events?org=acme"))
        .send()
        .await
        .unwrap()
}

async fn a_session_holds_a_bounded_number_of_streams(app: &TestApp) {
    app.register_company("Acme", "owner@acme.example").await;
    let mut streams = Vec::new();
    for i in 0..3 {
        let res = open(app).await;
        assert_eq!(res.status(), StatusCode::OK, "stream {i}");
        streams.push(res);
    }
    expect_error(
        open(app).await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    )
    .await;
    // Another session of the same person has its own allowance.
    let other = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let res = other
        .post(app.url("/fn/auth/sign_in"))
        .header("accept", "application/json")
        .form(&[
            ("email", "owner@acme.example"),
            ("password", common::PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success() || res.status().is_redirection());
    let res = other.get(app.url("/events?org=acme")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    drop(streams);
}

async fn a_stream_ends_at_the_sessions_idle_expiry(app: &TestApp) {
    app.register_company("Acme", "owner@acme.example").await;
    let mut stream = open(app).await;
    assert_eq!(stream.status(), StatusCode::OK);
    // The first event ("ready") arrives; the stream stays open.
    let first = tokio::time::timeout(Duration::from_secs(5), stream.chunk())
        .await
        .expect("the ready event within 5 s")
        .unwrap();
    assert!(first.is_some());
    // The session was last seen longer ago than the idle timeout.
    sqlx::query("UPDATE sessions SET last_seen_at = 0")
        .execute(app.db.pool())
        .await
        .unwrap();
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        while let Ok(Some(_)) = stream.chunk().await {}
    })
    .await;
    assert!(
        ended.is_ok(),
        "the stream outlived the session's idle timeout"
    );
}

/// Two portal processes on one database: a dashboard stream open on the first hears a
/// change made through the second. On PostgreSQL that is LISTEN/NOTIFY: the stream's
/// process polls only once a minute here, so the event cannot come from a poll. On SQLite
/// (one process by design) the stream finds it at its next poll.
async fn a_change_in_another_process_reaches_open_streams(app: &TestApp) {
    app.register_company("Acme", "owner@acme.example").await;
    let sqlite = app.db.backend() == app::db::Backend::Sqlite;
    let poll_ms = if sqlite { 300 } else { 60_000 };
    let watcher = app
        .another_process(&[("live_poll_ms", serde_json::json!(poll_ms))])
        .await;
    let writer = app.another_process(&[]).await;
    let owner_id: String = sqlx::query_scalar("SELECT id FROM users")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let token = app::auth::session::create(&app.db, &app.config, &owner_id, "127.0.0.1", None)
        .await
        .unwrap();
    let cookie = format!("tenantry_session={token}");
    let client = reqwest::Client::new();
    let mut stream = client
        .get(watcher.url("/events?org=acme"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    let mut seen = String::new();
    let mut read_until = async |needle: &str, within: Duration| {
        let deadline = tokio::time::Instant::now() + within;
        while !seen.contains(needle) {
            let chunk = tokio::time::timeout_at(deadline, stream.chunk())
                .await
                .unwrap_or_else(|_| panic!("no {needle:?} within {within:?}; got {seen:?}"))
                .unwrap()
                .expect("the stream stays open");
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    read_until("\"ready\"", Duration::from_secs(5)).await;
    // Another organization's change wakes nobody here; Acme's, made through the second
    // process, arrives.
    let other = app.insert_org("company", "Other Co").await;
    writer.state.changed(&other);
    let res = client
        .post(writer.url("/fn/requests/submit"))
        .header("cookie", &cookie)
        .header("accept", "application/json")
        .form(&common::minimal_request("acme"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    read_until("\"kind\":\"request\"", Duration::from_secs(10)).await;
    assert!(seen.contains("\"status\":\"pending\""), "{seen}");
}
