//! The operations endpoints over HTTP, on both databases: liveness, readiness (and what
//! makes it fail), Prometheus metrics by route template with nothing personal in them, and
//! none of it on the public port.
// Test code: a failed unwrap is a failed test (the workspace denies them outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestApp;
use reqwest::StatusCode;

both_backends! {
    health_and_readiness,
    readiness_names_pending_migrations,
    metrics_count_routes_not_people,
    pages_are_revalidated,
    security_headers_on_every_response,
    signed_out_pages_come_from_memory_with_their_own_nonce,
}

async fn get(url: String) -> (StatusCode, String) {
    let res = reqwest::get(url).await.unwrap();
    (res.status(), res.text().await.unwrap())
}

async fn health_and_readiness(app: &TestApp) {
    assert_eq!(
        get(format!("{}/healthz", app.ops_base)).await,
        (StatusCode::OK, "ok".to_owned())
    );
    assert_eq!(
        get(format!("{}/readyz", app.ops_base)).await,
        (StatusCode::OK, "ready\n".to_owned())
    );
    // No driver is enabled: all healthy.
    let (status, body) = get(format!("{}/drivers", app.ops_base)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let drivers: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(drivers[0]["driver"], "litellm");
    assert_eq!(drivers[0]["enabled"], false);
    assert_eq!(drivers[1]["healthy"], true);
    // The public port keeps its plain liveness check but serves no metrics or readiness.
    assert_eq!(get(app.url("/healthz")).await.0, StatusCode::OK);
    assert_eq!(get(app.url("/metrics")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(get(app.url("/readyz")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(get(app.url("/drivers")).await.0, StatusCode::NOT_FOUND);
}

async fn readiness_names_pending_migrations(app: &TestApp) {
    sqlx::query(
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)",
    )
    .execute(app.db.pool())
    .await
    .unwrap();
    let (status, body) = get(format!("{}/readyz", app.ops_base)).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("migrations pending"), "{body}");
}

async fn metrics_count_routes_not_people(app: &TestApp) {
    let res = app
        .register_company("Acme Metrics", "jo@acme-metrics.example")
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let slug = "acme-metrics";
    for path in ["/", "/signin", &format!("/orgs/{slug}"), "/no/such/page"] {
        app.client.get(app.url(path)).send().await.unwrap();
    }
    let res = reqwest::get(format!("{}/metrics", app.ops_base))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let body = res.text().await.unwrap();
    assert!(
        body.contains(r#"tenantry_http_requests_total{route="/",method="GET",status="200"} 1"#),
        "{body}"
    );
    assert!(
        body.contains(
            r#"tenantry_http_requests_total{route="/orgs/{slug}",method="GET",status="200"} 1"#
        ),
        "{body}"
    );
    assert!(
        body.contains(r#"route="/fn/auth/register",method="POST""#),
        "{body}"
    );
    assert!(
        body.contains(r#"tenantry_http_request_duration_seconds_bucket{route="/",method="GET",status="200",le="+Inf"} 1"#),
        "{body}"
    );
    assert!(body.contains("tenantry_db_pool_connections{state=\"idle\"}"));
    assert!(body.contains("tenantry_live_streams_open 0"));
    // An open dashboard's live stream is counted while it is open.
    let stream = app
        .client
        .get(app.url(&format!("/events?org={slug}")))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    let open = reqwest::get(format!("{}/metrics", app.ops_base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(open.contains("tenantry_live_streams_open 1"), "{open}");
    drop(stream);
    assert!(body.contains("tenantry_outbox_backlog "));
    // Route templates only: no slug, email or concrete path of a visitor.
    for personal in [slug, "jo@acme-metrics.example", "/no/such/page"] {
        assert!(
            !body.contains(personal),
            "metrics mention {personal}: {body}"
        );
    }
}

async fn pages_are_revalidated(app: &TestApp) {
    for path in ["/", "/signin", "/no/such/page"] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.headers()["cache-control"], "no-cache", "{path}");
    }
    // The test site has no hashed bundle, so its files are revalidated too, never kept.
    let res = app
        .client
        .get(app.url("/pkg/tenantry.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["cache-control"], "no-cache");
}

async fn security_headers_on_every_response(app: &TestApp) {
    let page = app.client.get(app.url("/signin")).send().await.unwrap();
    let headers = page.headers().clone();
    let html = page.text().await.unwrap();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "same-origin");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(
        headers.get("strict-transport-security").is_none(),
        "no HSTS over http"
    );
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("'wasm-unsafe-eval'"));
    // The policy's nonce is this response's, on every inline script of the page.
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy");
    assert!(nonce.len() >= 16, "{csp}");
    let inline_scripts = html.matches("<script").count();
    assert!(inline_scripts > 0);
    assert_eq!(
        html.matches(&format!("nonce=\"{nonce}\"")).count(),
        inline_scripts,
        "every script carries the nonce: {html}"
    );
    let again = app.client.get(app.url("/signin")).send().await.unwrap();
    assert!(
        !again.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains(nonce)
    );
    // Server functions and files: nothing may run.
    let json = app.call("auth/session", &[]).await;
    assert_eq!(json.headers()["x-content-type-options"], "nosniff");
    assert!(
        json.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'")
    );
}

/// The policy's nonce of `res`, and its page with every occurrence of the nonce replaced by
/// `NONCE`, after checking that each inline script carries it.
async fn page_and_nonce(res: reqwest::Response) -> (String, String) {
    assert_eq!(res.status(), StatusCode::OK);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy")
        .to_owned();
    let html = res.text().await.unwrap();
    let scripts = html.matches("<script").count();
    assert!(scripts > 0, "{html}");
    assert_eq!(
        html.matches(&format!("nonce=\"{nonce}\"")).count(),
        scripts,
        "every script carries this answer's nonce: {html}"
    );
    (html.replace(&nonce, "NONCE"), nonce)
}

async fn signed_out_pages_come_from_memory_with_their_own_nonce(app: &TestApp) {
    let visitor = reqwest::Client::new();
    for path in ["/", "/signin", "/register"] {
        let (first, first_nonce) =
            page_and_nonce(visitor.get(app.url(path)).send().await.unwrap()).await;
        let (again, again_nonce) =
            page_and_nonce(visitor.get(app.url(path)).send().await.unwrap()).await;
        assert_ne!(first_nonce, again_nonce, "{path}: a nonce is never reused");
        assert_eq!(first, again, "{path}: the same page but for the nonce");
    }
    // Per language: a German visitor after the English ones gets German.
    let german = visitor
        .get(app.url("/"))
        .header("accept-language", "de-CH, en;q=0.5")
        .send()
        .await
        .unwrap();
    let (german, _) = page_and_nonce(german).await;
    assert!(german.contains("<html lang=\"de\""), "{german}");
    assert!(german.contains("Ihr Managed Service in einem Portal"));
    let (english, _) = page_and_nonce(visitor.get(app.url("/")).send().await.unwrap()).await;
    assert!(english.contains("Your managed service, one portal"));
    // A query string reaches the renderer (the stored page has none).
    let next = visitor
        .get(app.url("/signin?next=%2Forgs%2Fpage-cache"))
        .send()
        .await
        .unwrap();
    assert_eq!(next.status(), StatusCode::OK);
    // Someone signed in never gets the signed-out copy, nor leaves theirs behind.
    app.register_company("Page Cache GmbH", "owner@page-cache.example")
        .await;
    let signed_in = app
        .sign_in("owner@page-cache.example", common::PASSWORD)
        .await;
    assert_eq!(signed_in.status(), StatusCode::OK);
    let mine = app.client.get(app.url("/")).send().await.unwrap();
    let (mine, _) = page_and_nonce(mine).await;
    assert!(mine.contains("Go to your dashboard"), "{mine}");
    assert!(mine.contains("Page Cache GmbH"));
    let (anonymous, _) = page_and_nonce(visitor.get(app.url("/")).send().await.unwrap()).await;
    assert_eq!(anonymous, english);
    assert!(!anonymous.contains("Page Cache GmbH"));
}
