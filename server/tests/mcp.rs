//! The MCP endpoint and usage (issue 14) on both databases: the official Python MCP client
//! talks to `/mcp` in both revisions (the 2025-11-25 handshake and stateless 2026-07-28);
//! only API keys get in, with a plain bearer challenge and real 404s for OAuth discovery;
//! every tool × caller gives the same answer as the REST route; usage is summed from
//! LiteLLM's spend logs of the instance's key alias.
// Test code: a failed unwrap is a failed test (the workspace denies them outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestApp, fakes::FakeLiteLlm};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

both_backends! {
    the_python_client_talks_both_revisions,
    only_keys_get_in_and_discovery_is_not_found,
    mcp_matrix with ["rate_limits.api_key_failures_per_minute" => 1000],
    usage_is_summed_from_the_spend_logs,
}

fn agent() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// Mints a key for Acme as its signed-in owner.
async fn mint(app: &TestApp, write: bool) -> String {
    let mut form = vec![("slug", "acme"), ("name", "agent")];
    if write {
        form.push(("write", "on"));
    }
    let res = app.call("keys/mint", &form).await;
    assert_eq!(res.status(), StatusCode::OK);
    let minted: Value = res.json().await.unwrap();
    minted["token"].as_str().unwrap().to_owned()
}

/// Runs the Python MCP client against `url` (see `support/mcp_client.py`).
async fn python_client(url: &str, token: &str, mode: &str, tool: &str, args: Value) -> Value {
    let python = std::env::var("TENANTRY_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/mcp_client.py");
    let run = tokio::process::Command::new(&python)
        .args([script, url, token, mode, tool, &args.to_string()])
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .unwrap_or_else(|_| panic!("the Python MCP client ({mode}) did not finish within 60 s"))
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "`{python} {script}` failed (bash .ci/test installs the `mcp` package): {}{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.trim()).unwrap_or_else(|_| panic!("not JSON: {stdout}"))
}

async fn the_python_client_talks_both_revisions(app: &TestApp) {
    let instance = common::acme_instance(app).await;
    let writer = mint(app, true).await;
    let reader = mint(app, false).await;
    let url = app.url("/mcp");
    let all = [
        "list_instances",
        "get_instance",
        "get_usage",
        "request_instance",
    ];
    for (mode, version) in [("legacy", "2025-11-25"), ("2026-07-28", "2026-07-28")] {
        let out = python_client(&url, &writer, mode, "list_instances", json!({})).await;
        assert_eq!(out["protocol_version"], version, "{out}");
        assert_eq!(out["tools"], json!(all), "{out}");
        assert_eq!(out["is_error"], false, "{out}");
        assert_eq!(out["structured"]["items"][0]["id"], instance, "{out}");
        // With no driver enabled, the steps are skipped at once.
        let phase = &out["structured"]["items"][0]["phase"];
        assert!(phase == "Provisioning" || phase == "Ready", "{out}");

        let out = python_client(&url, &writer, mode, "get_instance", json!({"id": instance})).await;
        assert_eq!(out["structured"]["id"], instance, "{out}");
        let steps = out["structured"]["steps"].as_array().unwrap();
        assert!(!steps.is_empty(), "{out}");
        // The text block carries the same JSON, for clients that read only text.
        let text: Value = serde_json::from_str(out["text"][0].as_str().unwrap()).unwrap();
        assert_eq!(text, out["structured"]);

        // A refusal is a tool error the agent can read, in the caller's language.
        let out = python_client(&url, &writer, mode, "get_usage", json!({"id": instance})).await;
        assert_eq!(out["is_error"], true, "{out}");
        assert_eq!(out["structured"]["code"], "usage_not_configured", "{out}");
        assert!(
            out["structured"]["message"]
                .as_str()
                .unwrap()
                .contains("LiteLLM")
        );

        // A read key does not see the write tool.
        let out = python_client(&url, &reader, mode, "", json!({})).await;
        assert_eq!(out["tools"], json!(all[..3]), "{out}");

        // A bad key: the client cannot connect (the server answers 401, see below).
        let out = python_client(&url, "tny_garbage", mode, "", json!({})).await;
        assert!(out["tools"].is_null() && out["error"].is_string(), "{out}");
    }
    // request_instance creates a request, with the wizard's checks.
    let before = app.count("instance_requests").await;
    let out = python_client(&url, &writer, "legacy", "request_instance", draft()).await;
    assert_eq!(out["is_error"], false, "{out}");
    assert!(out["structured"]["id"].is_string(), "{out}");
    assert_eq!(app.count("instance_requests").await, before + 1);
    let mut bad = draft();
    bad["contact_email"] = json!("not an address");
    let out = python_client(&url, &writer, "legacy", "request_instance", bad).await;
    assert_eq!(out["structured"]["code"], "invalid", "{out}");
    assert_eq!(
        out["structured"]["fields"][0]["field"], "contact_email",
        "{out}"
    );
    assert_eq!(app.count("instance_requests").await, before + 1);
}

fn draft() -> Value {
    json!({
        "instance_label": "", "agent_name": "Ada", "soul_md": "# Soul", "agents_md": "# A",
        "packages": ["git"], "billing_company": "Acme", "billing_street": "Main 1",
        "billing_postal_code": "8000", "billing_city": "Zürich", "billing_country": "CH",
        "billing_notes": "", "contact_name": "Jo", "contact_email": "jo@acme.example",
    })
}

/// One JSON-RPC request to `/mcp` as a modern (2026-07-28, headers and `_meta`) or a
/// legacy client (no handshake: the server is stateless) would send it.
async fn rpc(
    base: &str,
    token: &str,
    modern: bool,
    method: &str,
    mut params: Value,
) -> reqwest::Response {
    let mut request = agent()
        .post(format!("{base}/mcp"))
        .header("accept", "application/json, text/event-stream");
    if !token.is_empty() {
        request = request.bearer_auth(token);
    }
    if modern {
        params["_meta"] = json!({
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {},
        });
        request = request
            .header("mcp-protocol-version", "2026-07-28")
            .header("mcp-method", method);
        if let Some(name) = params["name"].as_str() {
            request = request.header("mcp-name", name);
        }
    } else {
        request = request.header("mcp-protocol-version", "2025-11-25");
    }
    request
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}))
        .send()
        .await
        .unwrap()
}

async fn only_keys_get_in_and_discovery_is_not_found(app: &TestApp) {
    common::acme_instance(app).await;
    let token = mint(app, false).await;
    let initialize = json!({
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "test", "version": "1"},
    });
    // No key, a bad key, and the owner's own browser session: 401, a plain bearer
    // challenge without OAuth hints, a JSON error.
    let session = app
        .client
        .post(app.url("/mcp"))
        .header("accept", "application/json, text/event-stream")
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": initialize}))
        .send()
        .await
        .unwrap();
    for res in [
        rpc(&app.base, "", false, "initialize", initialize.clone()).await,
        rpc(
            &app.base,
            "tny_garbage",
            false,
            "initialize",
            initialize.clone(),
        )
        .await,
        session,
    ] {
        let challenge = res.headers().get("www-authenticate").cloned().unwrap();
        let challenge = challenge.to_str().unwrap().to_owned();
        assert!(challenge.starts_with("Bearer ") && !challenge.contains("resource_metadata"));
        common::expect_error(res, StatusCode::UNAUTHORIZED, "invalid_api_key").await;
    }
    for path in [
        "/.well-known/oauth-protected-resource",
        "/.well-known/oauth-protected-resource/mcp",
        "/.well-known/oauth-authorization-server",
        "/.well-known/openid-configuration",
    ] {
        let res = agent().get(app.url(path)).send().await.unwrap();
        common::expect_error(res, StatusCode::NOT_FOUND, "not_found").await;
    }
    // With the key: a stateless JSON answer (no session id), for the version asked.
    let res = rpc(&app.base, &token, false, "initialize", initialize.clone()).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().get("mcp-session-id").is_none());
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["result"]["protocolVersion"], "2025-11-25", "{body}");
    assert_eq!(body["result"]["serverInfo"]["name"], "tenantry", "{body}");
    // Modern discovery names both revisions; the tool list may not be shared across keys.
    let res = rpc(&app.base, &token, true, "server/discover", json!({})).await;
    let body: Value = res.json().await.unwrap();
    let versions = body["result"]["supportedVersions"].as_array().unwrap();
    assert!(
        versions.contains(&json!("2026-07-28")) && versions.contains(&json!("2025-11-25")),
        "{body}"
    );
    let res = rpc(&app.base, &token, true, "tools/list", json!({})).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["result"]["cacheScope"], "private", "{body}");
    assert_eq!(body["result"]["ttlMs"], 0, "{body}");
    // request_instance takes exactly the REST route's documented body.
    let writer = mint(app, true).await;
    let res = rpc(&app.base, &writer, true, "tools/list", json!({})).await;
    let body: Value = res.json().await.unwrap();
    let tools = body["result"]["tools"].as_array().unwrap();
    let request = tools
        .iter()
        .find(|tool| tool["name"] == "request_instance")
        .unwrap();
    let document: Value = agent()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        request["inputSchema"], document["components"]["schemas"]["Draft"],
        "{body}"
    );
    assert_eq!(
        request["inputSchema"]["properties"]["contact_email"]["format"],
        "email"
    );
    // Another host (DNS rebinding) or a foreign browser origin: 403.
    let res = agent()
        .post(app.url("/mcp"))
        .bearer_auth(&token)
        .header("host", "evil.example")
        .header("accept", "application/json, text/event-stream")
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": initialize}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = agent()
        .post(app.url("/mcp"))
        .bearer_auth(&token)
        .header("origin", "https://evil.example")
        .header("accept", "application/json, text/event-stream")
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": initialize}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Malformed calls are protocol errors: an unknown tool, arguments off the schema.
    for params in [
        json!({"name": "drop_database", "arguments": {}}),
        json!({"name": "get_instance", "arguments": {"id": 7}}),
        json!({"name": "list_instances", "arguments": {"limit": 5, "extra": true}}),
        json!({"name": "request_instance", "arguments": {"secrets": {"git.token": 424242}}}),
    ] {
        let res = rpc(&app.base, &token, false, "tools/call", params.clone()).await;
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], -32602, "{params}: {body}");
        // A draft's values are never quoted back.
        assert!(!body.to_string().contains("424242"), "{body}");
    }
    // Bad input inside the schema is a tool error, localized.
    let res = agent()
        .post(app.url("/mcp"))
        .bearer_auth(&token)
        .header("accept", "application/json, text/event-stream")
        .header("accept-language", "de")
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                      "params": {"name": "list_instances", "arguments": {"limit": 500}}}))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["result"]["isError"], true, "{body}");
    assert_eq!(
        body["result"]["structuredContent"]["code"], "invalid",
        "{body}"
    );
    let message = body["result"]["structuredContent"]["message"]
        .as_str()
        .unwrap();
    assert!(
        !message.is_empty() && !message.contains("invalid"),
        "{body}"
    );
}

/// Every tool called by every kind of caller, in both revisions; the denied ones change
/// nothing. Outcomes: `ok`, a tool error's code, or `401`.
async fn mcp_matrix(app: &TestApp) {
    let instance = common::acme_instance(app).await;
    let keys = common::keys::callers(app).await;
    let rows: [(&str, Value, [&str; 10]); 4] = [
        (
            "list_instances",
            json!({}),
            [
                "ok", "ok", "ok", "ok", "401", "401", "401", "401", "401", "401",
            ],
        ),
        (
            "get_instance",
            json!({"id": instance}),
            [
                "ok",
                "ok",
                "ok",
                "not_found",
                "401",
                "401",
                "401",
                "401",
                "401",
                "401",
            ],
        ),
        (
            "get_usage",
            json!({"id": instance}),
            [
                "usage_not_configured",
                "usage_not_configured",
                "usage_not_configured",
                "not_found",
                "401",
                "401",
                "401",
                "401",
                "401",
                "401",
            ],
        ),
        (
            "request_instance",
            draft(),
            [
                "forbidden",
                "ok",
                "forbidden",
                "ok",
                "401",
                "401",
                "401",
                "401",
                "401",
                "401",
            ],
        ),
    ];
    let mut failures = Vec::new();
    for modern in [false, true] {
        for (tool, arguments, expected) in &rows {
            for ((who, token), want) in keys.iter().zip(expected) {
                let before = app.count("instance_requests").await;
                let params = json!({"name": tool, "arguments": arguments});
                let res = rpc(&app.base, token, modern, "tools/call", params).await;
                let status = res.status();
                let body: Value = res.json().await.unwrap_or(Value::Null);
                let got = if status == StatusCode::UNAUTHORIZED {
                    "401".to_owned()
                } else if body["result"]["isError"] == false {
                    "ok".to_owned()
                } else {
                    body["result"]["structuredContent"]["code"]
                        .as_str()
                        .unwrap_or("?")
                        .to_owned()
                };
                if got != *want {
                    failures.push(format!(
                        "{tool} as {who} (modern: {modern}): {got}, want {want}: {status} {body}"
                    ));
                }
                let after = app.count("instance_requests").await;
                let created = *tool == "request_instance" && got == "ok";
                assert_eq!(after, before + i64::from(created), "{tool} as {who}");
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

async fn usage_is_summed_from_the_spend_logs(app: &TestApp) {
    let instance = common::acme_instance(app).await;
    let token = mint(app, false).await;
    let name: String = sqlx::query_scalar("SELECT name FROM instances WHERE id = $1")
        .bind(&instance)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let litellm = FakeLiteLlm::start().await;
    let now = app::components::format::date_time(app::db::now_ms() - 1000).replace(' ', "T");
    litellm.with(|s| {
        use common::fakes::spend_row;
        // This month: 1,001 requests (two pages) of this key.
        s.spend_logs.push(spend_row(&name, &now, 0.25, 100, 20));
        for _ in 0..1000 {
            s.spend_logs.push(spend_row(&name, &now, 0.001, 1, 2));
        }
        // Another key's, and this key's last century: not counted.
        s.spend_logs
            .push(spend_row("someone-else", &now, 9.0, 900, 900));
        s.spend_logs
            .push(spend_row(&name, "2000-01-01T00:00:00Z", 9.0, 900, 900));
    });
    let dir = std::env::temp_dir().join(format!("tenantry-usage-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let master = dir.join("master-key");
    std::fs::write(&master, common::fakes::MASTER_KEY).unwrap();
    let process = app
        .another_process(&[(
            "provisioning",
            json!({
                "workers": 0, "request_timeout_seconds": 5,
                "litellm": {"enabled": true, "url": litellm.url, "master_key_file": master},
            }),
        )])
        .await;
    let path = format!("/api/v1/orgs/acme/instances/{instance}/usage");
    let res = agent()
        .get(process.url(&path))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let usage: Value = res.json().await.unwrap();
    assert_eq!(usage["instance_id"], instance);
    assert_eq!(usage["requests"], 1001, "{usage}");
    assert_eq!(usage["prompt_tokens"], 1100, "{usage}");
    assert_eq!(usage["completion_tokens"], 2020, "{usage}");
    assert_eq!(usage["total_tokens"], 3120, "{usage}");
    let spend = usage["spend_usd"].as_f64().unwrap();
    assert!((spend - 1.25).abs() < 1e-9, "{usage}");
    assert!(
        usage["period_start"]
            .as_str()
            .unwrap()
            .ends_with("-01 00:00:00")
    );
    let pages = litellm.with(|s| {
        s.log
            .iter()
            .filter(|l| l.as_str() == "GET /spend/logs/v2")
            .count()
    });
    assert_eq!(pages, 2);

    // The MCP tool answers the same.
    let res = rpc(
        &process.base,
        &token,
        true,
        "tools/call",
        json!({"name": "get_usage", "arguments": {"id": instance}}),
    )
    .await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["result"]["structuredContent"]["requests"], 1001,
        "{body}"
    );

    // The proxy failing: 502 with our sentence, never the proxy's words.
    litellm.with(|s| s.fail_next = 1);
    let res = agent()
        .get(process.url(&path))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let body = common::expect_error(res, StatusCode::BAD_GATEWAY, "usage_unavailable").await;
    assert!(
        !body.to_string().contains("Internal Server Error"),
        "{body}"
    );
    // Another organization's instance id, or one that does not exist: 404.
    let res = agent()
        .get(process.url("/api/v1/orgs/acme/instances/nope/usage"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    common::expect_error(res, StatusCode::NOT_FOUND, "not_found").await;
    let _ = std::fs::remove_dir_all(dir);
}
