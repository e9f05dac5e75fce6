//! The operations endpoints over HTTP, on both databases: liveness, readiness (and what
//! makes it fail), Prometheus metrics by route template with nothing personal in them, and
//! none of it on the public port; and the pages answered from memory, signed out and signed in.
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
    member_pages_are_rendered_again_after_any_change_they_show with [
        "provisioning" => {"workers": 0},
    ],
    kept_member_pages_stay_with_their_member_and_language with [
        "provisioning" => {"workers": 0},
    ],
    member_pages_are_not_kept_when_turned_off with ["cache_member_pages" => false],
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

/// The page cache's counters on `/metrics`: (answered from memory, rendered).
async fn page_counts(app: &TestApp) -> (u64, u64) {
    let body = reqwest::get(format!("{}/metrics", app.ops_base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let count = |result: &str| -> u64 {
        let prefix = format!("tenantry_page_cache_total{{result=\"{result}\"}} ");
        body.lines()
            .find_map(|line| line.strip_prefix(&prefix))
            .unwrap_or_else(|| panic!("no {prefix}in {body}"))
            .parse()
            .unwrap()
    };
    (count("hit"), count("render"))
}

/// Opens `path` as the member with `cookie` (the test client's own session when `None`):
/// the page with its nonce replaced by `NONCE`, and whether it came from memory.
async fn member_page(app: &TestApp, cookie: Option<&str>, path: &str) -> (String, bool) {
    let before = page_counts(app).await;
    let req = match cookie {
        Some(cookie) => reqwest::Client::new()
            .get(app.url(path))
            .header(reqwest::header::COOKIE, cookie),
        None => app.client.get(app.url(path)),
    };
    let (html, _) = page_and_nonce(req.send().await.unwrap()).await;
    let after = page_counts(app).await;
    let kept = match (after.0 - before.0, after.1 - before.1) {
        (1, 0) => true,
        // Rendered: looked for in memory first, or never a page that is kept.
        (0, 1) | (0, 0) => false,
        other => panic!("{path}: (from memory, rendered) rose by {other:?}"),
    };
    (html, kept)
}

/// Runs `sql` on the database behind the portal's back, as another process would.
async fn write(app: &TestApp, sql: &str) {
    let done = sqlx::query(sql).execute(app.db.pool()).await.unwrap();
    assert!(done.rows_affected() > 0, "{sql} changed nothing");
}

async fn member_pages_are_rendered_again_after_any_change_they_show(app: &TestApp) {
    common::acme_instance(app).await;
    let (vera_id, vera) = app.add_member("acme", "Vera", "viewer").await;
    let dashboard = "/orgs/acme";
    let settings = "/orgs/acme/settings";
    for path in [dashboard, settings, "/dashboard"] {
        let (first, kept) = member_page(app, None, path).await;
        assert!(!kept, "{path}: the first visit renders");
        let (again, kept) = member_page(app, None, path).await;
        assert!(kept, "{path}: the second comes from memory");
        assert_eq!(again, first, "{path}: the same page but for the nonce");
    }
    let (page, _) = member_page(app, None, dashboard).await;
    assert!(page.contains("Support Bot"), "{page}");
    // Each change to what a page shows, made in the database as another process would:
    // the next visit renders it, the one after comes from memory again.
    let changes = [
        (
            dashboard,
            "UPDATE instances SET display_name = 'Renamed Bot'",
            "Renamed Bot",
        ),
        (
            dashboard,
            "INSERT INTO provisioning_steps (run_id, step, position, status, attempts)
             SELECT id, 'webhook.approved', 0, 'running', 1 FROM provisioning_runs",
            "data-status=\"running\"",
        ),
        (
            dashboard,
            "UPDATE provisioning_steps SET status = 'ok'",
            "data-status=\"ok\"",
        ),
        (
            dashboard,
            "UPDATE instance_requests SET admin_note = 'Approved for the pilot'",
            "Approved for the pilot",
        ),
        (
            settings,
            "UPDATE organizations SET display_name = 'Acme Renamed'",
            "Acme Renamed",
        ),
    ];
    for (path, sql, shows) in changes {
        let (before, _) = member_page(app, None, path).await;
        assert!(!before.contains(shows), "{path} shows {shows} before {sql}");
        write(app, sql).await;
        let (after, kept) = member_page(app, None, path).await;
        assert!(!kept, "{path} after {sql}: rendered again");
        assert!(after.contains(shows), "{path} after {sql}: {after}");
        let (again, kept) = member_page(app, None, path).await;
        assert!(
            kept && again == after,
            "{path} after {sql}: from memory again"
        );
    }
    // Removals too.
    for (sql, gone) in [
        ("DELETE FROM provisioning_steps", "data-test=\"step\""),
        ("DELETE FROM instances", "Renamed Bot"),
    ] {
        let (before, _) = member_page(app, None, dashboard).await;
        assert!(
            before.contains(gone),
            "the dashboard lacks {gone} before {sql}"
        );
        write(app, sql).await;
        let (after, kept) = member_page(app, None, dashboard).await;
        assert!(!kept && !after.contains(gone), "after {sql}: {after}");
    }
    // Another member's membership shows on no kept page, but still counts as a change.
    member_page(app, Some(&vera), dashboard).await;
    let (_, kept) = member_page(app, Some(&vera), dashboard).await;
    assert!(kept, "Vera's own page comes from memory too");
    member_page(app, None, dashboard).await;
    write(
        app,
        &format!("DELETE FROM memberships WHERE user_id = '{vera_id}'"),
    )
    .await;
    let (_, kept) = member_page(app, None, dashboard).await;
    assert!(!kept, "a membership's end renders the owner's page again");
    // Vera, no longer a member, gets no page of Acme's, though one was kept for her.
    let res = reqwest::Client::new()
        .get(app.url(dashboard))
        .header(reqwest::header::COOKIE, &vera)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

async fn kept_member_pages_stay_with_their_member_and_language(app: &TestApp) {
    app.register_company("Acme", "owner@acme.example").await;
    let (_, vera) = app.add_member("acme", "Vera", "viewer").await;
    let dashboard = "/orgs/acme";
    // The owner and a viewer take turns: each gets their own page, from memory the second
    // time round.
    for round in 0..2 {
        let (owner, kept) = member_page(app, None, dashboard).await;
        assert_eq!(kept, round == 1);
        assert!(owner.contains("data-test=\"create-instance\""), "{owner}");
        assert!(owner.contains("owner@acme.example"), "{owner}");
        let (viewer, kept) = member_page(app, Some(&vera), dashboard).await;
        assert_eq!(kept, round == 1);
        assert!(
            !viewer.contains("data-test=\"create-instance\""),
            "{viewer}"
        );
        assert!(viewer.contains("Vera") && !viewer.contains("owner@acme.example"));
    }
    // The viewer's settings answer is the refusal, every time, never the owner's form.
    member_page(app, None, "/orgs/acme/settings").await;
    member_page(app, None, "/orgs/acme/settings").await;
    for _ in 0..2 {
        let res = reqwest::Client::new()
            .get(app.url("/orgs/acme/settings"))
            .header(reqwest::header::COOKIE, &vera)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let refused = res.text().await.unwrap();
        assert!(
            !refused.contains("data-test=\"settings-form\""),
            "{refused}"
        );
    }
    // A query string is rendered, and leaves nothing behind.
    let (submitted, kept) = member_page(app, None, "/orgs/acme?submitted=1").await;
    assert!(!kept && submitted.contains("data-test=\"submitted\""));
    let (plain, kept) = member_page(app, None, dashboard).await;
    assert!(kept && !plain.contains("data-test=\"submitted\""));
    // Another language is another page.
    let res = app.call("auth/set_language", &[("lang", "de")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let (german, kept) = member_page(app, None, dashboard).await;
    assert!(!kept && german.contains("<html lang=\"de\""), "{german}");
    assert!(german.contains("Neue Instanz erstellen"));
    // Platform staff outside the organization are always rendered.
    let (_, staff) = app
        .staff("platform_operator", "op@platform.example", "en")
        .await;
    for _ in 0..2 {
        let (page, kept) = member_page(app, Some(&staff), dashboard).await;
        assert!(!kept && page.contains("data-test=\"org-title\""), "{page}");
    }
}

async fn member_pages_are_not_kept_when_turned_off(app: &TestApp) {
    app.register_company("Acme", "owner@acme.example").await;
    for _ in 0..2 {
        let (_, kept) = member_page(app, None, "/orgs/acme").await;
        assert!(!kept);
    }
}
