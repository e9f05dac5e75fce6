//! Registration, sign-in, sessions and request guards over real HTTP, on both databases.
// Test code: a failed unwrap is a failed test (the workspace denies them outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{PASSWORD, TestApp, expect_error, session_set_cookie};
use reqwest::{StatusCode, header};
use serde_json::Value;
use sqlx::Row;

both_backends! {
    register_company,
    register_personal,
    duplicate_domain_is_refused,
    public_domains_and_personal_accounts_never_block,
    registration_rate_limit with ["rate_limits" => {"registrations_per_hour": 3}],
    taken_email_is_refused,
    sign_in_wrong_password,
    sign_in_renews_the_session,
    sign_in_failures_are_rate_limited,
    cookie_flags_over_http,
    cookie_is_secure_over_https with ["base_url" => "https://portal.example.com"],
    sign_out_invalidates_the_session,
    suspended_user_is_refused,
    cross_site_post_is_refused,
    malformed_input_changes_nothing,
    oversized_input_changes_nothing,
    plain_form_posts_redirect,
    pages_render_with_status_and_language,
    expired_sessions_end with ["session" => {"cookie_name": "tenantry_session", "idle_timeout_minutes": 1, "absolute_timeout_hours": 1}],
}

async fn my_orgs(app: &TestApp) -> Vec<Value> {
    let res = app.call("orgs/list_mine", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.expect("json")
}

async fn register_company(app: &TestApp) {
    let res = app.register_company("Acme GmbH", "Jo@Acme.example").await;
    assert_eq!(res.status(), StatusCode::OK, "{:?}", res.text().await);
    let orgs = my_orgs(app).await;
    assert_eq!(orgs.len(), 1);
    assert_eq!(orgs[0]["slug"], "acme-gmbh");
    assert_eq!(orgs[0]["display_name"], "Acme GmbH");
    assert_eq!(orgs[0]["kind"], "company");
    assert_eq!(orgs[0]["role"], "owner");
    let row = sqlx::query("SELECT email, display_name, language FROM users")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(
        row.get::<String, _>("email"),
        "jo@acme.example",
        "emails are stored lowercased"
    );
    assert_eq!(row.get::<String, _>("display_name"), "Jo Tester");
    assert_eq!(app.count("memberships").await, 1);
    assert_eq!(app.count("sessions").await, 1);
    assert!(
        app.audit_actions()
            .await
            .contains(&("account.register".into(), "success".into()))
    );
    // A second company with the same name gets a suffixed slug.
    let other = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let res = other
        .post(app.url("/fn/auth/register"))
        .form(&[
            ("kind", "company"),
            ("company_name", "ACME gmbh"),
            ("given_name", "An"),
            ("family_name", "Other"),
            ("email", "an@other.example"),
            ("password", PASSWORD),
            ("language", "fr"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let slugs: Vec<String> = sqlx::query("SELECT slug FROM organizations ORDER BY created_at")
        .fetch_all(app.db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("slug"))
        .collect();
    assert_eq!(slugs, ["acme-gmbh", "acme-gmbh-2"]);
}

async fn register_personal(app: &TestApp) {
    let res = app
        .register_personal("Maria", "Rossi", "maria@rossi.example")
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let orgs = my_orgs(app).await;
    assert_eq!(orgs.len(), 1);
    assert_eq!(orgs[0]["kind"], "personal");
    assert_eq!(
        orgs[0]["display_name"], "Maria Rossi",
        "named after the person"
    );
    let slug = orgs[0]["slug"].as_str().unwrap();
    assert!(slug.starts_with("p-") && !slug.contains("maria"), "{slug}");
    let domain: Option<String> = sqlx::query("SELECT email_domain FROM organizations")
        .fetch_one(app.db.pool())
        .await
        .unwrap()
        .get("email_domain");
    assert_eq!(domain, None, "personal organizations claim no domain");
}

async fn duplicate_domain_is_refused(app: &TestApp) {
    assert_eq!(
        app.register_company("Acme", "jo@acme.example")
            .await
            .status(),
        StatusCode::OK
    );
    let before = app.snapshot().await;
    let res = app.register_company("Acme Two", "ann@ACME.example").await;
    let body = expect_error(res, StatusCode::CONFLICT, "duplicate_domain").await;
    assert_eq!(body["domain"], "acme.example");
    let after = app.snapshot().await;
    assert_eq!(
        before[..4],
        after[..4],
        "nothing but the rate-limit counter changed"
    );
}

async fn public_domains_and_personal_accounts_never_block(app: &TestApp) {
    assert_eq!(
        app.register_company("One", "one@gmail.com").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.register_company("Two", "two@gmail.com").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.register_company("Three", "three@gmx.de").await.status(),
        StatusCode::OK
    );
    assert_eq!(app.count("organizations").await, 3);
}

async fn registration_rate_limit(app: &TestApp) {
    for i in 0..3 {
        let res = app
            .register_personal("P", "Q", &format!("p{i}@example.org"))
            .await;
        assert_eq!(res.status(), StatusCode::OK, "registration {i}");
    }
    let before = app.snapshot().await;
    let res = app.register_personal("P", "Q", "p4@example.org").await;
    assert!(res.headers().get(header::RETRY_AFTER).is_some());
    expect_error(res, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    assert_eq!(
        app.snapshot().await,
        before,
        "a refused attempt writes nothing"
    );
}

async fn taken_email_is_refused(app: &TestApp) {
    assert_eq!(
        app.register_personal("A", "B", "same@example.org")
            .await
            .status(),
        StatusCode::OK
    );
    let res = app.register_company("Other Co", "SAME@example.org").await;
    expect_error(res, StatusCode::CONFLICT, "email_taken").await;
    assert_eq!(app.count("users").await, 1);
    assert_eq!(app.count("organizations").await, 1);
}

async fn sign_in_wrong_password(app: &TestApp) {
    app.register_company("Acme", "jo@acme.example").await;
    app.sign_out().await;
    let wrong = app.sign_in("jo@acme.example", "not the password").await;
    let a = expect_error(wrong, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    let unknown = app.sign_in("nobody@acme.example", "not the password").await;
    let b = expect_error(unknown, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    assert_eq!(a, b, "unknown accounts and wrong passwords look the same");
    assert_eq!(app.count("sessions").await, 0);
    let failures = app
        .audit_actions()
        .await
        .into_iter()
        .filter(|(action, outcome)| action == "auth.sign_in" && outcome == "failure")
        .count();
    assert_eq!(failures, 2);
    // Protected calls stay refused.
    let res = app.call("orgs/list_mine", &[]).await;
    expect_error(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

async fn sign_in_renews_the_session(app: &TestApp) {
    let first = app.register_company("Acme", "jo@acme.example").await;
    let first = session_set_cookie(&first).unwrap();
    let res = app.sign_in("JO@acme.example", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers().get("serverfnredirect").is_some(),
        "tells the client to go on"
    );
    let second = session_set_cookie(&res).unwrap();
    assert_ne!(first, second, "a new token at every sign-in");
    assert_eq!(my_orgs(app).await.len(), 1);
    assert!(
        app.audit_actions()
            .await
            .contains(&("auth.sign_in".into(), "success".into()))
    );
    // The stored form is a hash, never the token itself.
    let token = second
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("tenantry_session=");
    let stored = sqlx::query("SELECT COUNT(*) AS n FROM sessions WHERE id_hash = $1")
        .bind(token)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
        .get::<i64, _>("n");
    assert_eq!(stored, 0);
}

async fn sign_in_failures_are_rate_limited(app: &TestApp) {
    app.register_company("Acme", "jo@acme.example").await;
    app.sign_out().await;
    for _ in 0..5 {
        let res = app.sign_in("jo@acme.example", "wrong password").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let res = app.sign_in("jo@acme.example", PASSWORD).await;
    expect_error(res, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    assert_eq!(app.count("sessions").await, 0);
}

async fn cookie_flags_over_http(app: &TestApp) {
    let res = app.register_company("Acme", "jo@acme.example").await;
    let cookie = session_set_cookie(&res).unwrap();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain http cannot carry Secure cookies: {cookie}"
    );
    let token = cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("tenantry_session=");
    assert!(token.len() >= 43, "256-bit token");
}

async fn cookie_is_secure_over_https(app: &TestApp) {
    let res = app.register_company("Acme", "jo@acme.example").await;
    let cookie = session_set_cookie(&res).unwrap();
    assert!(
        cookie.contains("Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    // Over https the cookie is host-only by its prefix: Path=/, no Domain.
    assert!(cookie.starts_with("__Host-tenantry_session="), "{cookie}");
    assert!(
        cookie.contains("Path=/;") && !cookie.contains("Domain"),
        "{cookie}"
    );
    // Security headers over https include HSTS.
    let page = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(
        page.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
}

async fn sign_out_invalidates_the_session(app: &TestApp) {
    let res = app.register_company("Acme", "jo@acme.example").await;
    let cookie = session_set_cookie(&res).unwrap();
    let pair = cookie.split(';').next().unwrap().to_owned();
    assert_eq!(
        app.call_with_cookie("orgs/list_mine", &[], &pair)
            .await
            .status(),
        StatusCode::OK
    );
    let res = app.sign_out().await;
    assert_eq!(res.status(), StatusCode::OK);
    let cleared = session_set_cookie(&res).unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert_eq!(app.count("sessions").await, 0);
    // The old cookie, replayed by anyone, no longer works.
    let res = app.call_with_cookie("orgs/list_mine", &[], &pair).await;
    expect_error(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    assert!(
        app.audit_actions()
            .await
            .contains(&("auth.sign_out".into(), "success".into()))
    );
}

async fn suspended_user_is_refused(app: &TestApp) {
    app.register_company("Acme", "jo@acme.example").await;
    sqlx::query("UPDATE users SET status = 'suspended'")
        .execute(app.db.pool())
        .await
        .unwrap();
    let res = app.call("orgs/list_mine", &[]).await;
    expect_error(res, StatusCode::FORBIDDEN, "account_suspended").await;
    app.sign_out().await;
    let sessions = app.count("sessions").await;
    let res = app.sign_in("jo@acme.example", PASSWORD).await;
    expect_error(res, StatusCode::FORBIDDEN, "account_suspended").await;
    assert_eq!(
        app.count("sessions").await,
        sessions,
        "no session for a suspended user"
    );
    let session: Value = app.call("auth/session", &[]).await.json().await.unwrap();
    assert_eq!(session["user"], Value::Null);
}

async fn cross_site_post_is_refused(app: &TestApp) {
    let form = [
        ("kind", "personal"),
        ("given_name", "Eve"),
        ("family_name", "Evil"),
        ("email", "eve@evil.example"),
        ("password", PASSWORD),
        ("language", "en"),
    ];
    for (name, value) in [
        ("origin", "https://evil.example"),
        ("referer", "https://evil.example/form"),
        ("origin", "null"),
    ] {
        let res = app
            .client
            .post(app.url("/fn/auth/register"))
            .header(name, value)
            .form(&form)
            .send()
            .await
            .unwrap();
        expect_error(res, StatusCode::FORBIDDEN, "cross_site").await;
    }
    assert_eq!(app.snapshot().await, [0; 5]);
    let res = app
        .client
        .post(app.url("/fn/auth/register"))
        .header("origin", app.base.clone())
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "same origin is fine");
}

async fn malformed_input_changes_nothing(app: &TestApp) {
    // Missing fields: the framework cannot build the arguments.
    let res = app.call("auth/register", &[("kind", "company")]).await;
    expect_error(res, StatusCode::BAD_REQUEST, "bad_request").await;
    // Present but wrong: every problem is reported with its field.
    let res = app
        .call(
            "auth/register",
            &[
                ("kind", "enterprise"),
                ("company_name", "A"),
                ("given_name", "  "),
                ("family_name", "Tester"),
                ("email", "not-an-email"),
                ("password", "short"),
                ("language", "es"),
            ],
        )
        .await;
    let body = expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    let fields: Vec<&str> = body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["kind", "given_name", "email", "password", "language"]
    );
    let res = app
        .call(
            "auth/register",
            &[
                ("kind", "company"),
                ("company_name", "A"),
                ("given_name", "Jo"),
                ("family_name", "T"),
                ("email", "jo@a.example"),
                ("password", PASSWORD),
                ("language", "en"),
            ],
        )
        .await;
    let body = expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert_eq!(body["fields"][0]["field"], "company_name");
    assert_eq!(body["fields"][0]["problem"]["kind"], "too_short");
    // Control characters are refused, not stored.
    let res = app
        .register_company("Acme\u{0}Evil", "jo@acme.example")
        .await;
    expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    let res = app
        .call("auth/sign_in", &[("email", ""), ("password", "")])
        .await;
    expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    let res = app.call("auth/set_language", &[("lang", "xx")]).await;
    expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    let res = app.call("no/such_function", &[]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.snapshot().await, [0; 5], "nothing written");
}

async fn oversized_input_changes_nothing(app: &TestApp) {
    let long = "x".repeat(101);
    let res = app.register_company(&long, "jo@acme.example").await;
    let body = expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert_eq!(
        body["fields"][0]["problem"],
        serde_json::json!({"kind": "too_long", "max": 100})
    );
    let huge = "y".repeat(10_000);
    let res = app
        .register_personal(&huge, "Tester", "jo@acme.example")
        .await;
    expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    let email = format!("{}@acme.example", "z".repeat(300));
    let res = app.register_personal("Jo", "Tester", &email).await;
    expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    // Bodies above the configured limit are cut off before any handler runs.
    let body = "a".repeat(app.config.max_body_bytes + 1);
    let res = app
        .register_personal(&body, "Tester", "jo@acme.example")
        .await;
    expect_error(res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    assert_eq!(app.snapshot().await, [0; 5], "nothing written");
}

async fn plain_form_posts_redirect(app: &TestApp) {
    // A browser without JavaScript posts the form and follows redirects.
    let form = [
        ("kind", "company"),
        ("company_name", "Acme"),
        ("given_name", "Jo"),
        ("family_name", "Tester"),
        ("email", "jo@acme.example"),
        ("password", PASSWORD),
        ("language", "en"),
    ];
    let post = |form: &[(&'static str, &'static str)]| {
        app.client
            .post(app.url("/fn/auth/register"))
            .header(header::ACCEPT, "text/html")
            .header(header::REFERER, app.url("/register"))
            .form(&form.to_vec())
            .send()
    };
    let res = post(&form).await.unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    // Signed in, to the page that asks to open the confirmation link.
    assert_eq!(res.headers()[header::LOCATION], "/confirm-email");
    assert!(session_set_cookie(&res).is_some());
    // Proven, the address is taken for good (an unproven one would be replaced).
    let link = app.confirmation_link("jo@acme.example").await;
    assert!(
        app.client
            .get(&link)
            .send()
            .await
            .unwrap()
            .status()
            .is_redirection()
    );
    let mut bad = form;
    bad[4] = ("email", "jo@acme.example");
    let res = post(&bad).await.unwrap();
    assert_eq!(
        res.status(),
        StatusCode::FOUND,
        "errors go back to the form"
    );
    let location = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(&app.url("/register")) && location.contains("__err="),
        "{location}"
    );
    // The page at that address shows the error.
    let page = app
        .client
        .get(&location)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("data-code=\"email_taken\""),
        "error rendered on the page"
    );
}

async fn pages_render_with_status_and_language(app: &TestApp) {
    let mut browser_headers = header::HeaderMap::new();
    browser_headers.insert(
        header::ACCEPT,
        "text/html,application/xhtml+xml".parse().unwrap(),
    );
    let anon = reqwest::Client::builder()
        .default_headers(browser_headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = anon.get(app.url("/")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Create account") && html.contains("lang=\"en\""),
        "{html}"
    );
    let res = anon
        .get(app.url("/register"))
        .header(header::ACCEPT_LANGUAGE, "de-CH,de;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Konto erstellen") && html.contains("lang=\"de\""),
        "German from Accept-Language"
    );
    let res = anon
        .get(app.url("/signin"))
        .header(header::COOKIE, "tenantry_lang=it")
        .header(header::ACCEPT_LANGUAGE, "de")
        .send()
        .await
        .unwrap();
    assert!(
        res.text().await.unwrap().contains("Accedi"),
        "the cookie beats the browser"
    );
    let res = anon.get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.unwrap().contains("Page not found"));
    let res = anon.get(app.url("/dashboard")).send().await.unwrap();
    assert_eq!(
        res.status(),
        StatusCode::FOUND,
        "signed-out visitors are sent to sign in"
    );
    assert_eq!(res.headers()[header::LOCATION], "/signin");
    // Signed in: the dashboard lists the organization; the user's language wins.
    app.register_personal("Maria", "Rossi", "maria@rossi.example")
        .await;
    let html = app
        .client
        .get(app.url("/dashboard"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Maria Rossi") && html.contains("Inhaber"),
        "German owner role: {html}"
    );
    let res = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

async fn expired_sessions_end(app: &TestApp) {
    let res = app.register_company("Acme", "jo@acme.example").await;
    assert!(session_set_cookie(&res).is_some());
    // Age the session past the idle timeout (1 minute here).
    sqlx::query("UPDATE sessions SET last_seen_at = last_seen_at - 120000")
        .execute(app.db.pool())
        .await
        .unwrap();
    let res = app.call("orgs/list_mine", &[]).await;
    expect_error(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    assert_eq!(app.count("sessions").await, 0, "the expired row is removed");
}
