//! API keys and the REST API (issue 14) on both databases: keys are minted, shown once and
//! stored as hashes; a key reaches only its organization with its creator's role and its
//! scopes; revocation, rerolls, expiry and a suspended creator end it, on another process
//! within a second; refused keys are rate-limited per address.
// Test code: a failed unwrap is a failed test (the workspace denies them outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestApp;
use reqwest::StatusCode;
use serde_json::Value;
use std::time::{Duration, Instant};

both_backends! {
    keys_are_minted_once_and_stored_as_hashes,
    a_key_reaches_only_its_own_organization,
    scopes_and_roles_decide_what_a_key_may_do,
    revocation_reaches_another_process_within_a_second,
    rerolls_expiry_and_suspension_end_a_token,
    refused_keys_are_limited_per_address,
    api_matrix,
}

/// A client without cookies, as an agent is.
fn agent() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

async fn get(base: &str, path: &str, token: &str) -> reqwest::Response {
    agent()
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// Registers Acme (its owner signed in on `app.client`) and mints a key with `form`.
async fn acme_key(app: &TestApp, form: &[(&str, &str)]) -> Value {
    let mut form = form.to_vec();
    form.push(("slug", "acme"));
    let res = app.call("keys/mint", &form).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn keys_are_minted_once_and_stored_as_hashes(app: &TestApp) {
    app.register_company("Acme", "owner@acme.example").await;
    let minted = acme_key(app, &[("name", "CI agent"), ("write", "on")]).await;
    let token = minted["token"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 40);
    assert!(token.starts_with("tny_"));
    assert!(
        token[4..].bytes().all(|b| b.is_ascii_alphanumeric()),
        "{token}"
    );
    assert_eq!(minted["key"]["scopes"], "read write");
    let prefix = minted["key"]["display_prefix"].as_str().unwrap().to_owned();
    assert_eq!(prefix, format!("tny_{}…{}", &token[4..8], &token[36..]));

    // The list shows the prefix, never the token; the database holds only its SHA-256.
    let list = app.call("keys/list", &[("slug", "acme")]).await;
    let text = list.text().await.unwrap();
    assert!(text.contains(&prefix) && !text.contains(&token), "{text}");
    let stored: Vec<(String, String)> =
        sqlx::query_as("SELECT token_hash, display_prefix FROM api_keys")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    use sha2::Digest;
    let hash = hex::encode(sha2::Sha256::digest(token.as_bytes()));
    assert_eq!(stored, [(hash, prefix)]);
    // Bad input changes nothing: an empty name, an expiry not offered.
    for form in [
        vec![("slug", "acme"), ("name", " ")],
        vec![("slug", "acme"), ("name", "x"), ("expires_days", "3")],
    ] {
        let body = common::expect_error(
            app.call("keys/mint", &form).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
        )
        .await;
        assert!(body["fields"].is_array(), "{body}");
    }
    assert_eq!(app.count("api_keys").await, 1);
    let actions = app.audit_actions().await;
    assert!(actions.contains(&("api_key.mint".to_owned(), "success".to_owned())));
    // The token works.
    let res = get(&app.base, "/api/v1/organization", &token).await;
    assert_eq!(res.status(), StatusCode::OK);
    let org: Value = res.json().await.unwrap();
    assert_eq!(
        (org["slug"].as_str(), org["role"].as_str()),
        (Some("acme"), Some("owner"))
    );
}

async fn a_key_reaches_only_its_own_organization(app: &TestApp) {
    app.register_company("Acme", "owner@acme.example").await;
    let token = acme_key(app, &[("name", "reader")]).await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    // Another organization, with an instance request, that the key must not see.
    let other = app.insert_org("company", "Globex").await;
    let other_slug: String = sqlx::query_scalar("SELECT slug FROM organizations WHERE id = $1")
        .bind(&other)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    for path in [
        format!("/api/v1/orgs/{other_slug}/instances"),
        format!("/api/v1/orgs/{other_slug}/audit-events"),
        "/api/v1/orgs/no-such-org/instances".to_owned(),
        "/api/v1/orgs/acme/instances/no-such-instance".to_owned(),
        "/api/v1/no-such-route".to_owned(),
    ] {
        let body = common::expect_error(
            get(&app.base, &path, &token).await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
        assert!(body["message"].is_string(), "{path}: {body}");
    }
    let res = get(&app.base, "/api/v1/orgs/acme/instances", &token).await;
    assert_eq!(res.status(), StatusCode::OK);
    let page: Value = res.json().await.unwrap();
    assert_eq!(page["items"], serde_json::json!([]));
    assert_eq!(page["next_cursor"], Value::Null);

    // Refused alike: garbage, a checksum-valid unknown token, a typo, no token at all.
    let unknown = app::keys::token::generate().unwrap();
    let mut typo = token.clone().into_bytes();
    typo[10] = if typo[10] == b'a' { b'b' } else { b'a' };
    let typo = String::from_utf8(typo).unwrap();
    for bad in ["garbage", unknown.as_str(), typo.as_str()] {
        let res = get(&app.base, "/api/v1/orgs/acme/instances", bad).await;
        let challenge = res.headers().get("www-authenticate").cloned();
        let body = common::expect_error(res, StatusCode::UNAUTHORIZED, "invalid_api_key").await;
        assert!(
            body["message"].as_str().unwrap().contains("not valid"),
            "{body}"
        );
        let challenge = challenge.unwrap();
        assert!(!challenge.to_str().unwrap().contains("resource_metadata"));
    }
    let res = agent()
        .get(format!("{}/api/v1/orgs/acme/instances", app.base))
        .send()
        .await
        .unwrap();
    common::expect_error(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    // The owner's session works on the same routes, as in the browser.
    let res = app
        .client
        .get(app.url("/api/v1/orgs/acme/instances"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

async fn scopes_and_roles_decide_what_a_key_may_do(app: &TestApp) {
    app.register_company("Acme", "owner@acme.example").await;
    let read = acme_key(app, &[("name", "reader")]).await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let write = acme_key(app, &[("name", "writer"), ("write", "on")]).await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let request: serde_json::Map<String, Value> = common::minimal_request("acme")
        .into_iter()
        .filter_map(|(k, v)| {
            let field = k
                .strip_prefix("draft[")?
                .trim_end_matches("[]")
                .trim_end_matches(']');
            Some((field.to_owned(), v))
        })
        .fold(serde_json::Map::new(), |mut map, (k, v)| {
            if k == "packages" {
                map.insert(k, serde_json::json!([v]));
            } else {
                map.insert(k, Value::String(v));
            }
            map
        });
    let post = |token: &str, body: Value| {
        agent()
            .post(format!("{}/api/v1/orgs/acme/instance-requests", app.base))
            .bearer_auth(token)
            .header("accept-language", "de")
            .json(&body)
            .send()
    };
    // A read key cannot write, and nothing is created.
    let res = post(&read, Value::Object(request.clone())).await.unwrap();
    common::expect_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    assert_eq!(app.count("instance_requests").await, 0);
    // Bad input: the wizard's validation, localized; a body that is not JSON.
    let mut bad = request.clone();
    bad.insert("agent_name".into(), Value::String(String::new()));
    let res = post(&write, Value::Object(bad)).await.unwrap();
    let body = common::expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert_eq!(body["fields"][0]["field"], "agent_name", "{body}");
    let res = agent()
        .post(format!("{}/api/v1/orgs/acme/instance-requests", app.base))
        .bearer_auth(&write)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    common::expect_error(res, StatusCode::BAD_REQUEST, "bad_request").await;
    assert_eq!(app.count("instance_requests").await, 0);
    // The write key of an owner creates the request, as the wizard would.
    let res = post(&write, Value::Object(request.clone())).await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    let requests: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT id, requested_by FROM instance_requests")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(created["id"].as_str(), Some(requests[0].0.as_str()));
    // The audit log names the key that acted.
    let by_key: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE actor_api_key_id IS NOT NULL")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert!(by_key >= 1);
    // The owner's keys read the audit log; a member's key does not (as on the page).
    let res = get(&app.base, "/api/v1/orgs/acme/audit-events", &read).await;
    assert_eq!(res.status(), StatusCode::OK);
    let (_, member) = app.add_member("acme", "Mia", "member").await;
    let res = app
        .call_with_cookie("keys/mint", &[("slug", "acme"), ("name", "mine")], &member)
        .await;
    common::expect_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    // A key whose creator became a member acts as a member: no audit log, no requests.
    let (admin_id, admin) = app.add_member("acme", "Ada", "admin").await;
    let res = app
        .call_with_cookie(
            "keys/mint",
            &[("slug", "acme"), ("name", "admin's"), ("write", "on")],
            &admin,
        )
        .await;
    let admin_key: Value = res.json().await.unwrap();
    let admin_key = admin_key["token"].as_str().unwrap().to_owned();
    let res = get(&app.base, "/api/v1/orgs/acme/audit-events", &admin_key).await;
    assert_eq!(res.status(), StatusCode::OK);
    sqlx::query("UPDATE memberships SET role = 'member' WHERE user_id = $1")
        .bind(&admin_id)
        .execute(app.db.pool())
        .await
        .unwrap();
    let res = get(&app.base, "/api/v1/orgs/acme/audit-events", &admin_key).await;
    common::expect_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let res = post(&admin_key, Value::Object(request)).await.unwrap();
    common::expect_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    // Listing works with cursors.
    let res = get(&app.base, "/api/v1/orgs/acme/instances?limit=0", &read).await;
    common::expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    let res = get(&app.base, "/api/v1/orgs/acme/instances?cursor=x%27", &read).await;
    common::expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
}

async fn revocation_reaches_another_process_within_a_second(app: &TestApp) {
    app.register_company("Acme", "owner@acme.example").await;
    let minted = acme_key(app, &[("name", "agent")]).await;
    let token = minted["token"].as_str().unwrap().to_owned();
    let id = minted["key"]["id"].as_str().unwrap().to_owned();
    let other = app.another_process(&[]).await;
    // Verified (and cached) on the other process.
    for _ in 0..3 {
        let res = get(&other.base, "/api/v1/orgs/acme/instances", &token).await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let res = app
        .call("keys/revoke", &[("slug", "acme"), ("id", &id)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let revoked = Instant::now();
    loop {
        let res = get(&other.base, "/api/v1/orgs/acme/instances", &token).await;
        if res.status() == StatusCode::UNAUTHORIZED {
            break;
        }
        assert!(
            revoked.elapsed() < Duration::from_secs(1),
            "the other process still accepts the revoked key after {:?}",
            revoked.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Revoking again changes nothing; an unknown id is not found.
    let res = app
        .call("keys/revoke", &[("slug", "acme"), ("id", &id)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .call("keys/revoke", &[("slug", "acme"), ("id", "nope")])
        .await;
    common::expect_error(res, StatusCode::NOT_FOUND, "not_found").await;
    let revocations = app
        .audit_actions()
        .await
        .into_iter()
        .filter(|(a, _)| a == "api_key.revoke")
        .count();
    assert_eq!(revocations, 1);
}

async fn rerolls_expiry_and_suspension_end_a_token(app: &TestApp) {
    app.register_company("Acme", "owner@acme.example").await;
    let minted = acme_key(app, &[("name", "agent"), ("expires_days", "7")]).await;
    let old = minted["token"].as_str().unwrap().to_owned();
    let id = minted["key"]["id"].as_str().unwrap().to_owned();
    let path = "/api/v1/orgs/acme/instances";
    // A reroll with an hour of grace: both tokens work, the id and settings stay.
    let res = app
        .call(
            "keys/reroll",
            &[("slug", "acme"), ("id", &id), ("grace_hours", "1")],
        )
        .await;
    let rerolled: Value = res.json().await.unwrap();
    let new = rerolled["token"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    assert_eq!(rerolled["key"]["id"], id.as_str());
    assert_eq!(rerolled["key"]["expires_at"], minted["key"]["expires_at"]);
    assert_eq!(get(&app.base, path, &old).await.status(), StatusCode::OK);
    assert_eq!(get(&app.base, path, &new).await.status(), StatusCode::OK);
    // Without grace the previous token stops at once.
    let res = app
        .call(
            "keys/reroll",
            &[("slug", "acme"), ("id", &id), ("grace_hours", "0")],
        )
        .await;
    let newest: Value = res.json().await.unwrap();
    let newest = newest["token"].as_str().unwrap().to_owned();
    wait_refused(app, path, &new).await;
    assert_eq!(get(&app.base, path, &newest).await.status(), StatusCode::OK);
    // A grace out of range changes nothing.
    let res = app
        .call(
            "keys/reroll",
            &[("slug", "acme"), ("id", &id), ("grace_hours", "25")],
        )
        .await;
    common::expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert_eq!(get(&app.base, path, &newest).await.status(), StatusCode::OK);
    // Expired: refused like any invalid key.
    sqlx::query("UPDATE api_keys SET expires_at = 1 WHERE id = $1")
        .bind(&id)
        .execute(app.db.pool())
        .await
        .unwrap();
    wait_refused(app, path, &newest).await;
    // The creator's suspension ends their keys.
    let another = acme_key(app, &[("name", "another")]).await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        get(&app.base, path, &another).await.status(),
        StatusCode::OK
    );
    sqlx::query("UPDATE users SET status = 'suspended' WHERE email = 'owner@acme.example'")
        .execute(app.db.pool())
        .await
        .unwrap();
    wait_refused(app, path, &another).await;
}

/// Waits (at most a second) until `token` is refused.
async fn wait_refused(app: &TestApp, path: &str, token: &str) {
    let since = Instant::now();
    loop {
        let res = get(&app.base, path, token).await;
        if res.status() == StatusCode::UNAUTHORIZED {
            return;
        }
        assert!(
            since.elapsed() < Duration::from_secs(1),
            "{token:.8}… still accepted after {:?}",
            since.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn refused_keys_are_limited_per_address(app: &TestApp) {
    app.register_company("Acme", "owner@acme.example").await;
    let token = acme_key(app, &[("name", "agent")]).await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let limit = app.config.rate_limits.api_key_failures_per_minute;
    for _ in 0..limit {
        let res = get(&app.base, "/api/v1/organization", "tny_nope").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let res = get(&app.base, "/api/v1/organization", "tny_nope").await;
    assert!(res.headers().contains_key("retry-after"));
    common::expect_error(res, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // From that address even a good key waits: the limit is checked first.
    let res = get(&app.base, "/api/v1/organization", &token).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

/// Every REST route called by every kind of caller; the denied ones change nothing.
async fn api_matrix(app: &TestApp) {
    // An instance to read.
    let instance = common::acme_instance(app).await;
    let keys = common::keys::callers(app).await;
    let draft: Value = serde_json::json!({
        "instance_label": "", "agent_name": "Ada", "soul_md": "# Soul", "agents_md": "# A",
        "packages": ["git"], "billing_company": "Acme", "billing_street": "Main 1",
        "billing_postal_code": "8000", "billing_city": "Zürich", "billing_country": "CH",
        "billing_notes": "", "contact_name": "Jo", "contact_email": "jo@acme.example",
    });
    // Columns: the keys above, in order.
    let rows: [(&str, String, [u16; 10]); 6] = [
        (
            "GET",
            "/api/v1/organization".into(),
            [200, 200, 200, 200, 401, 401, 401, 401, 401, 401],
        ),
        (
            "GET",
            "/api/v1/orgs/acme/instances".into(),
            [200, 200, 200, 404, 401, 401, 401, 401, 401, 401],
        ),
        (
            "GET",
            format!("/api/v1/orgs/acme/instances/{instance}"),
            [200, 200, 200, 404, 401, 401, 401, 401, 401, 401],
        ),
        (
            // LiteLLM is off here: allowed callers learn usage is not configured.
            "GET",
            format!("/api/v1/orgs/acme/instances/{instance}/usage"),
            [409, 409, 409, 404, 401, 401, 401, 401, 401, 401],
        ),
        (
            "GET",
            "/api/v1/orgs/acme/audit-events".into(),
            [200, 200, 403, 404, 401, 401, 401, 401, 401, 401],
        ),
        (
            "POST",
            "/api/v1/orgs/acme/instance-requests".into(),
            [403, 201, 403, 404, 401, 401, 401, 401, 401, 401],
        ),
    ];
    let mut failures = Vec::new();
    for (method, path, expected) in rows {
        for ((who, token), want) in keys.iter().zip(expected) {
            let before = app.count("instance_requests").await;
            let mut request =
                agent().request(method.parse().unwrap(), format!("{}{path}", app.base));
            if !token.is_empty() {
                request = request.bearer_auth(token);
            }
            if method == "POST" {
                request = request.json(&draft);
            }
            let res = request.send().await.unwrap();
            let got = res.status().as_u16();
            let body: Value = res.json().await.unwrap_or(Value::Null);
            if got != want {
                failures.push(format!(
                    "{method} {path} as {who}: {got}, want {want}: {body}"
                ));
            }
            if got >= 400 {
                assert!(
                    body["code"].is_string() && body["message"].is_string(),
                    "{body}"
                );
                assert_eq!(
                    app.count("instance_requests").await,
                    before,
                    "{method} {path} as {who}"
                );
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
