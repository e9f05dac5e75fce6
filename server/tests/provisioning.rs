//! The provisioning engine (issue 12) against loopback fakes of LiteLLM and a webhook
//! endpoint, on both databases: approval provisions the instance to `Ready`, disabled
//! drivers are skipped, upstream faults are retried or stop at once, a resource created
//! before a crash is adopted, two workers racing for a run do it once, and a run whose
//! worker died is taken over after its lease without creating anything twice.
// Test code: a failed unwrap is a failed test (the workspace denies them outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use app::provisioning::{engine::Engine, repo, webhook};
use common::{
    Process, TestApp,
    fakes::{FakeLiteLlm, KEK, MASTER_KEY, WEBHOOK_SECRET, WebhookReceiver},
};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Row;
use std::time::Duration;

both_backends! {
    approval_provisions_through_litellm_and_the_webhook with [
        "provisioning" => {"workers": 0},
        "secrets" => {"kek": "8j3lCx7x3bNMeDYra1AwgQeCeUhbxm85pMlm1WF5Xjk="},
    ],
    disabled_drivers_are_skipped with ["provisioning" => {"poll_seconds": 1}],
    upstream_faults_are_retried with [
        "provisioning" => {"workers": 0},
        "secrets" => {"kek": "8j3lCx7x3bNMeDYra1AwgQeCeUhbxm85pMlm1WF5Xjk="},
    ],
    a_refused_token_stops_at_once with [
        "provisioning" => {"workers": 0},
        "secrets" => {"kek": "8j3lCx7x3bNMeDYra1AwgQeCeUhbxm85pMlm1WF5Xjk="},
    ],
    an_unreachable_upstream_is_retried with [
        "provisioning" => {"workers": 0},
        "secrets" => {"kek": "8j3lCx7x3bNMeDYra1AwgQeCeUhbxm85pMlm1WF5Xjk="},
    ],
    what_exists_upstream_is_adopted_not_duplicated with [
        "provisioning" => {"workers": 0},
        "secrets" => {"kek": "8j3lCx7x3bNMeDYra1AwgQeCeUhbxm85pMlm1WF5Xjk="},
    ],
    two_workers_race_and_a_dead_workers_run_is_taken_over with [
        "provisioning" => {"workers": 0},
        "secrets" => {"kek": "8j3lCx7x3bNMeDYra1AwgQeCeUhbxm85pMlm1WF5Xjk="},
    ],
    a_process_killed_mid_step_is_taken_over_without_duplicates with [
        "provisioning" => {"workers": 0},
        "secrets" => {"kek": "8j3lCx7x3bNMeDYra1AwgQeCeUhbxm85pMlm1WF5Xjk="},
    ],
    deprovision_tears_down_in_reverse_and_twice_is_harmless with [
        "provisioning" => {"workers": 0},
        "secrets" => {"kek": "8j3lCx7x3bNMeDYra1AwgQeCeUhbxm85pMlm1WF5Xjk="},
    ],
}

/// The key files the configuration names.
fn credential_files(app: &TestApp, master_key: &str) -> (String, String) {
    let dir = app.sink_dir.parent().unwrap().join("credentials");
    std::fs::create_dir_all(&dir).unwrap();
    let master = dir.join(format!("litellm-{}", uuid::Uuid::new_v4().simple()));
    std::fs::write(&master, format!("{master_key}\n")).unwrap();
    let secret = dir.join("webhook");
    std::fs::write(&secret, WEBHOOK_SECRET).unwrap();
    (master.display().to_string(), secret.display().to_string())
}

/// A process on the app's database whose drivers talk to the fakes.
async fn engine_process(
    app: &TestApp,
    litellm: &FakeLiteLlm,
    hook: &WebhookReceiver,
    master_key: &str,
    workers: usize,
) -> Process {
    let (master, secret) = credential_files(app, master_key);
    app.another_process(&[
        (
            "provisioning",
            json!({
                "workers": workers, "poll_seconds": 1, "retry_base_seconds": 1,
                "lease_seconds": 5, "max_attempts": 3, "request_timeout_seconds": 2,
                "litellm": {"enabled": true, "url": litellm.url, "master_key_file": master},
                "webhook": {"enabled": true, "url": hook.url, "secret_file": secret},
            }),
        ),
        ("secrets", json!({"kek": KEK})),
    ])
    .await
}

async fn phase(app: &TestApp) -> String {
    sqlx::query_scalar("SELECT phase FROM instances")
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

/// Waits until the test's one instance is in phase `want`.
async fn wait_for_phase(app: &TestApp, want: &str, within: Duration) {
    let id: String = sqlx::query_scalar("SELECT id FROM instances")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    wait_for_phase_of(app, &id, want, within).await;
}

/// (step, status, attempts, last error, retry scheduled) of the newest run.
async fn steps(app: &TestApp) -> Vec<(String, String, i64, Option<String>, bool)> {
    sqlx::query(
        "SELECT s.step, s.status, s.attempts, s.last_error, s.next_attempt_at
         FROM provisioning_steps s JOIN provisioning_runs r ON r.id = s.run_id
         ORDER BY r.created_at DESC, s.position",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| {
        (
            r.get("step"),
            r.get("status"),
            r.get("attempts"),
            r.get("last_error"),
            r.get::<Option<i64>, _>("next_attempt_at").is_some(),
        )
    })
    .collect()
}

async fn request_status(app: &TestApp) -> String {
    sqlx::query_scalar("SELECT status FROM instance_requests")
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

async fn approval_provisions_through_litellm_and_the_webhook(app: &TestApp) {
    let litellm = FakeLiteLlm::start().await;
    let hook = WebhookReceiver::start().await;
    let engine = engine_process(app, &litellm, &hook, MASTER_KEY, 1).await;
    let health = app::provisioning::health::check(&engine.state.config.provisioning).await;
    let enabled: Vec<_> = health.iter().filter(|d| d.enabled).collect();
    assert_eq!(enabled.len(), 2, "{health:?}");
    assert!(enabled.iter().all(|d| d.healthy), "{health:?}");
    let instance = common::acme_instance(app).await;
    wait_for_phase(app, "Ready", Duration::from_secs(20)).await;
    assert_eq!(request_status(app).await, "active");
    let steps = steps(app).await;
    // LiteLLM's and the webhook's steps ran once each; the other drivers are off.
    assert!(
        steps.iter().all(|s| {
            let ours = s.0.starts_with("litellm.") || s.0.starts_with("webhook.");
            if ours {
                s.1 == "ok" && s.2 == 1 && s.3.is_none()
            } else {
                s.1 == "skipped" && s.2 == 0
            }
        }),
        "{steps:?}"
    );

    // Upstream: one team for the organization, one key named after the instance.
    let org: String = sqlx::query_scalar("SELECT organization_id FROM instances")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let name: String = sqlx::query_scalar("SELECT name FROM instances")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(litellm.team_count(), 1);
    let team = litellm.with(|s| s.teams.get(&format!("tenantry-{org}")).cloned());
    let team = team.expect("the team id is tenantry-<organization id>");
    assert_eq!(team["team_alias"], "acme");
    assert_eq!(team["max_budget"], 50.0);
    let keys = litellm.keys();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].alias, name);
    assert_eq!(keys[0].team_id, format!("tenantry-{org}"));
    // Here: the key's id, and its raw value sealed (and readable with the KEK).
    assert_eq!(
        repo::resource(&app.db, &instance, "litellm.key")
            .await
            .unwrap(),
        Some(keys[0].token.clone())
    );
    let sealed = repo::sealed_secret(&app.db, &instance, "litellm.key")
        .await
        .unwrap()
        .unwrap();
    assert!(!sealed.contains(&keys[0].raw));
    let keyring = app::secrets::Keyring::from_config(&app.config.secrets)
        .unwrap()
        .unwrap();
    let request_id: String = sqlx::query_scalar("SELECT request_id FROM instances")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let binding = app::secrets::Binding {
        organization_id: &org,
        request_id: &request_id,
        purpose: "litellm.key",
    };
    let opened = app::secrets::open(&app.db, &keyring, binding, &sealed)
        .await
        .unwrap();
    assert_eq!(secrecy::ExposeSecret::expose_secret(&opened), keys[0].raw);
    // The raw key is nowhere else: not in the dashboard's data, not in the audit log.
    let overview = app.call("orgs/overview", &[("slug", "acme")]).await;
    assert!(!overview.text().await.unwrap().contains(&keys[0].raw));
    let audit: Vec<String> = sqlx::query("SELECT COALESCE(detail, '') AS d FROM audit_events")
        .fetch_all(app.db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("d"))
        .collect();
    assert!(audit.iter().all(|d| !d.contains("sk-")));

    // Two signed events, verified with our constant-time, length-checked check.
    let key = webhook::key(&secrecy::SecretString::from(WEBHOOK_SECRET)).unwrap();
    let deliveries = hook.deliveries();
    let kinds: Vec<String> = deliveries
        .iter()
        .map(|d| {
            let now = app::db::now_ms() / 1000;
            assert!(
                webhook::verify(&key, &d.id, &d.timestamp, &d.signature, &d.body, now, 300),
                "signature of {}",
                d.id
            );
            let body: Value = serde_json::from_slice(&d.body).unwrap();
            assert_eq!(body["data"]["instance"]["name"], name.as_str());
            body["type"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(kinds, ["instance.approved", "instance.provisioned"]);
}

async fn disabled_drivers_are_skipped(app: &TestApp) {
    common::acme_instance(app).await;
    wait_for_phase(app, "Ready", Duration::from_secs(20)).await;
    let steps = steps(app).await;
    assert_eq!(steps.len(), app::provisioning::STEPS.len());
    assert!(
        steps.iter().all(|s| s.1 == "skipped" && s.2 == 0),
        "{steps:?}"
    );
    assert_eq!(request_status(app).await, "active");
}

async fn upstream_faults_are_retried(app: &TestApp) {
    let litellm = FakeLiteLlm::start().await;
    let hook = WebhookReceiver::start().await;
    // Two 500s, then the proxy behaves: retried with backoff, then Ready.
    litellm.with(|s| s.fail_next = 2);
    // The webhook endpoint throttles once, asking for a 1 s pause.
    hook.state
        .lock()
        .unwrap()
        .answers
        .push_back((reqwest::StatusCode::TOO_MANY_REQUESTS, Some("1")));
    let _engine = engine_process(app, &litellm, &hook, MASTER_KEY, 1).await;
    common::acme_instance(app).await;
    wait_for_phase(app, "Ready", Duration::from_secs(30)).await;
    let steps_now = steps(app).await;
    let team = steps_now.iter().find(|s| s.0 == "litellm.team").unwrap();
    assert_eq!(team.2, 3, "two failures, then success: {steps_now:?}");
    let approved = steps_now
        .iter()
        .find(|s| s.0 == "webhook.approved")
        .unwrap();
    assert_eq!(approved.2, 2, "throttled once: {steps_now:?}");
    assert_eq!(litellm.team_count(), 1);
    assert_eq!(litellm.keys().len(), 1);
    // The same event id on both attempts, so the receiver can drop the duplicate.
    let ids: Vec<String> = hook.deliveries().iter().map(|d| d.id.clone()).collect();
    assert_eq!(ids[0], ids[1]);
}

/// A wrong master key: 401 is permanent, so the step stops at once and waits for a
/// person; what does not need it still runs.
async fn a_refused_token_stops_at_once(app: &TestApp) {
    let other = FakeLiteLlm::start().await;
    let hook = WebhookReceiver::start().await;
    let _wrong = engine_process(app, &other, &hook, "sk-wrong", 1).await;
    common::acme_instance(app).await;
    wait_for_phase(app, "Error", Duration::from_secs(20)).await;
    let steps_now = steps(app).await;
    let team = steps_now.iter().find(|s| s.0 == "litellm.team").unwrap();
    assert_eq!(
        (team.1.as_str(), team.2, team.4),
        ("error", 1, false),
        "{steps_now:?}"
    );
    let message = team.3.clone().unwrap();
    assert!(message.contains("refused the credentials"), "{message}");
    assert!(!message.contains("sk-"), "no key in the message: {message}");
    let status = |key: &str| {
        steps_now
            .iter()
            .find(|s| s.0 == key)
            .map(|s| s.1.clone())
            .unwrap()
    };
    assert_eq!(status("webhook.approved"), "ok");
    assert_eq!(status("litellm.key"), "pending");
    assert_eq!(other.team_count(), 0);
    // Customers see that it failed, not why; staff see the message.
    let overview: Value = app
        .call("orgs/overview", &[("slug", "acme")])
        .await
        .json()
        .await
        .unwrap();
    let shown = &overview["instances"][0]["steps"];
    let failed = shown
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "litellm.team")
        .unwrap();
    assert_eq!(failed["status"], "error");
    assert!(failed["error"].is_null(), "{failed}");
    let (_, staff) = app
        .staff("platform_operator", "ops@platform.example", "en")
        .await;
    let request: String = sqlx::query_scalar("SELECT id FROM instance_requests")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let detail: Value = app
        .call_with_cookie("admin/requests/get", &[("id", &request)], &staff)
        .await
        .json()
        .await
        .unwrap();
    let seen = detail["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "litellm.team")
        .unwrap()
        .clone();
    assert!(
        seen["error"]
            .as_str()
            .unwrap()
            .contains("refused the credentials")
    );

    // Staff fix the key and retry: the run resumes and the instance becomes Ready.
    let dir = app.sink_dir.parent().unwrap().join("credentials");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("litellm-")
        {
            std::fs::write(&path, MASTER_KEY).unwrap();
        }
    }
    let instance: String = sqlx::query_scalar("SELECT id FROM instances")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    // A customer cannot.
    common::expect_error(
        app.call("admin/instances/retry", &[("instance_id", &instance)])
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let res = app
        .call_with_cookie(
            "admin/instances/retry",
            &[("instance_id", &instance)],
            &staff,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    wait_for_phase(app, "Ready", Duration::from_secs(20)).await;
    assert_eq!(other.team_count(), 1);
    assert_eq!(other.keys().len(), 1);
    // Reconcile after an out-of-band delete recreates the key, and the drift is visible in
    // the step's new id.
    other.with(|s| s.keys.clear());
    let res = app
        .call_with_cookie(
            "admin/instances/reconcile",
            &[("instance_id", &instance)],
            &staff,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    for _ in 0..200 {
        if other.keys().len() == 1 && phase(app).await == "Ready" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(other.keys().len(), 1, "{:?}", steps(app).await);
    assert_eq!(other.team_count(), 1);
    let actions = app.audit_actions().await;
    // The recreated key is recorded as drift; the team, still there, is not.
    let drift: Vec<String> =
        sqlx::query_scalar("SELECT target FROM audit_events WHERE action = 'instance.drift'")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    assert_eq!(drift, ["litellm.key"]);
    for action in ["instance.retry", "instance.reconcile"] {
        assert!(
            actions.contains(&(action.to_owned(), "success".to_owned())),
            "{action}"
        );
    }
}

async fn what_exists_upstream_is_adopted_not_duplicated(app: &TestApp) {
    let litellm = FakeLiteLlm::start().await;
    let hook = WebhookReceiver::start().await;
    let process = engine_process(app, &litellm, &hook, MASTER_KEY, 0).await;
    let instance = common::acme_instance(app).await;
    let org: String = sqlx::query_scalar("SELECT organization_id FROM instances")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let name: String = sqlx::query_scalar("SELECT name FROM instances")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    // A crash after the team and a key were created upstream, before either was recorded
    // here (so the key's raw value is lost).
    litellm.with(|s| {
        s.teams
            .insert(format!("tenantry-{org}"), json!({"team_alias": "acme"}));
        s.keys.push(common::fakes::FakeKey {
            alias: name.clone(),
            team_id: format!("tenantry-{org}"),
            raw: "sk-lost".into(),
            token: "lost-token".into(),
        });
    });
    let engine = Engine::new(process.state.clone()).unwrap();
    assert!(engine.work_one().await.unwrap());
    assert_eq!(phase(app).await, "Ready");
    assert_eq!(litellm.team_count(), 1, "the team is adopted");
    let keys = litellm.keys();
    assert_eq!(
        keys.len(),
        1,
        "the orphaned key is replaced, not joined by a second"
    );
    assert_ne!(keys[0].raw, "sk-lost");
    assert_eq!(
        repo::resource(&app.db, &instance, "litellm.key")
            .await
            .unwrap(),
        Some(keys[0].token.clone())
    );
    // Reconcile: with everything recorded, a second run adopts and creates nothing.
    let mut tx = app.db.pool().begin().await.unwrap();
    repo::enqueue(
        &mut tx,
        &instance,
        &org,
        app::provisioning::RunKind::Reconcile,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let requests_before = litellm.with(|s| s.log.len());
    assert!(engine.work_one().await.unwrap());
    assert_eq!(litellm.team_count(), 1);
    assert_eq!(litellm.keys(), keys);
    let calls: Vec<String> = litellm.with(|s| s.log[requests_before..].to_vec());
    assert_eq!(calls, ["GET /team/info", "GET /key/list"]);

    // A malformed answer is a transient failure, recorded without the body.
    litellm.with(|s| s.garble_key_list = true);
    let mut tx = app.db.pool().begin().await.unwrap();
    repo::enqueue(
        &mut tx,
        &instance,
        &org,
        app::provisioning::RunKind::Reconcile,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(engine.work_one().await.unwrap());
    let newest = steps(app).await;
    let key = newest.iter().find(|s| s.0 == "litellm.key").unwrap();
    assert_eq!(key.1, "error");
    assert!(key.4, "a retry is scheduled: {newest:?}");
    assert!(!key.3.as_deref().unwrap().contains("html"), "{newest:?}");
}

async fn two_workers_race_and_a_dead_workers_run_is_taken_over(app: &TestApp) {
    let litellm = FakeLiteLlm::start().await;
    let hook = WebhookReceiver::start().await;
    let process = engine_process(app, &litellm, &hook, MASTER_KEY, 0).await;
    common::acme_instance(app).await;
    let (a, b) = (
        Engine::new(process.state.clone()).unwrap(),
        Engine::new(process.state.clone()).unwrap(),
    );
    let (ran_a, ran_b) = tokio::join!(a.work_one(), b.work_one());
    let ran = [ran_a.unwrap(), ran_b.unwrap()];
    assert_eq!(
        ran.iter().filter(|r| **r).count(),
        1,
        "exactly one ran it: {ran:?}"
    );
    assert_eq!(phase(app).await, "Ready");
    assert_eq!(litellm.team_count(), 1);
    assert_eq!(litellm.keys().len(), 1);
    assert_eq!(hook.deliveries().len(), 2);

    // A worker takes a run and dies mid-step (it never renews or records anything).
    let instance: String = sqlx::query_scalar("SELECT id FROM instances")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let org: String = sqlx::query_scalar("SELECT organization_id FROM instances")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let mut tx = app.db.pool().begin().await.unwrap();
    repo::enqueue(
        &mut tx,
        &instance,
        &org,
        app::provisioning::RunKind::Reconcile,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let dead = repo::claim(&app.db, "dead-worker", 1_500)
        .await
        .unwrap()
        .unwrap();
    let lease = repo::Lease {
        run_id: dead.id.clone(),
        owner: "dead-worker".into(),
    };
    repo::lay_out(&app.db, &lease, app::provisioning::STEPS)
        .await
        .unwrap();
    assert_eq!(
        repo::start_step(&app.db, &lease, "webhook.approved")
            .await
            .unwrap(),
        Some(1)
    );
    // While the lease holds, nobody else takes the run.
    assert!(!a.work_one().await.unwrap());
    tokio::time::sleep(Duration::from_millis(1_600)).await;
    assert!(
        b.work_one().await.unwrap(),
        "the expired lease is taken over"
    );
    let status: String = sqlx::query_scalar("SELECT status FROM provisioning_runs WHERE id = $1")
        .bind(&dead.id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(status, "done");
    // The dead worker's late write changes nothing.
    assert!(
        !repo::finish_step(
            &app.db,
            &lease,
            "webhook.approved",
            &repo::Finished::Skipped
        )
        .await
        .unwrap()
    );
    assert_eq!(litellm.team_count(), 1);
    assert_eq!(litellm.keys().len(), 1);
}

/// Connection refused: a transient failure with a retry scheduled, the instance still
/// provisioning (not in error) while retries remain.
async fn an_unreachable_upstream_is_retried(app: &TestApp) {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let litellm = FakeLiteLlm {
        url: format!("http://127.0.0.1:{port}"),
        state: Default::default(),
    };
    let hook = WebhookReceiver::start().await;
    let process = engine_process(app, &litellm, &hook, MASTER_KEY, 0).await;
    common::acme_instance(app).await;
    let engine = Engine::new(process.state.clone()).unwrap();
    assert!(engine.work_one().await.unwrap());
    assert_eq!(phase(app).await, "Provisioning");
    let now = steps(app).await;
    let team = now.iter().find(|s| s.0 == "litellm.team").unwrap();
    assert_eq!(
        (team.1.as_str(), team.2, team.4),
        ("error", 1, true),
        "{now:?}"
    );
    assert_eq!(team.3.as_deref(), Some("LiteLLM could not be reached"));
    // The health check says the same.
    let health = app::provisioning::health::check(&process.state.config.provisioning).await;
    assert_eq!(health[0].driver, "litellm");
    assert!(!health[0].healthy);
    assert_eq!(
        health[0].problem.as_deref(),
        Some("LiteLLM could not be reached")
    );
    let webhook = health.iter().find(|d| d.driver == "webhook").unwrap();
    assert!(webhook.enabled && webhook.healthy, "{health:?}");
    let run: String = sqlx::query_scalar("SELECT status FROM provisioning_runs")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(run, "pending");
}

async fn wait_for_phase_of(app: &TestApp, id: &str, want: &str, within: Duration) {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let now = common::phase_of(app, id).await;
        if now == want {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "instance {id} is {now}, not {want}, after {within:?}; steps: {:?}",
            steps(app).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn count(app: &TestApp, sql: &str, id: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

async fn deprovision_tears_down_in_reverse_and_twice_is_harmless(app: &TestApp) {
    let litellm = FakeLiteLlm::start().await;
    let hook = WebhookReceiver::start().await;
    let _engine = engine_process(app, &litellm, &hook, MASTER_KEY, 1).await;
    let first = common::acme_instance(app).await;
    wait_for_phase_of(app, &first, "Ready", Duration::from_secs(20)).await;
    let second = common::submit_and_approve(app, "second-admin@platform.example").await;
    wait_for_phase_of(app, &second, "Ready", Duration::from_secs(20)).await;
    assert_eq!((litellm.team_count(), litellm.keys().len()), (1, 2));
    let (_, staff) = app
        .staff("platform_operator", "operator@platform.example", "en")
        .await;

    // A customer cannot deprovision, and the refusal changes nothing.
    common::expect_error(
        app.call("admin/instances/deprovision", &[("instance_id", &first)])
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_eq!(common::phase_of(app, &first).await, "Ready");

    // The first instance's key was already deleted out of band: its removal counts as done.
    let first_name: String = sqlx::query_scalar("SELECT name FROM instances WHERE id = $1")
        .bind(&first)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    litellm.with(|s| s.keys.retain(|k| k.alias != first_name));
    let res = app
        .call_with_cookie(
            "admin/instances/deprovision",
            &[("instance_id", &first)],
            &staff,
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    wait_for_phase_of(app, &first, "Deleted", Duration::from_secs(20)).await;
    // The team stays for the second instance, whose key is untouched.
    assert_eq!(litellm.team_count(), 1);
    let keys = litellm.keys();
    assert_eq!(keys.len(), 1);
    assert_ne!(keys[0].alias, first_name);
    let request_status: String = sqlx::query_scalar(
        "SELECT r.status FROM instance_requests r JOIN instances i ON i.request_id = r.id
         WHERE i.id = $1",
    )
    .bind(&first)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(request_status, "deleted");
    // Nothing of it is kept here: no sealed key, no resource records.
    for table in ["instance_secrets", "instance_resources"] {
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE instance_id = $1");
        assert_eq!(count(app, &sql, &first).await, 0, "{table}");
    }
    // Each teardown step is ok, in reverse order of what was provisioned.
    let teardown: Vec<(String, String)> = sqlx::query_as(
        "SELECT s.step, s.status FROM provisioning_steps s
         JOIN provisioning_runs r ON r.id = s.run_id
         WHERE r.instance_id = $1 AND r.kind = 'deprovision' ORDER BY s.position",
    )
    .bind(&first)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    let expected: Vec<(String, String)> = app::provisioning::TEARDOWN
        .iter()
        .map(|s| {
            let ours = s.key.starts_with("litellm.") || s.key.starts_with("webhook.");
            let status = if ours { "ok" } else { "skipped" };
            (s.key.to_owned(), status.to_owned())
        })
        .collect();
    assert_eq!(teardown, expected);

    // Twice is harmless: no second run, still deleted; reconcile is refused.
    let res = app
        .call_with_cookie(
            "admin/instances/deprovision",
            &[("instance_id", &first)],
            &staff,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let runs =
        "SELECT COUNT(*) FROM provisioning_runs WHERE instance_id = $1 AND kind = 'deprovision'";
    assert_eq!(count(app, runs, &first).await, 1);
    common::expect_error(
        app.call_with_cookie(
            "admin/instances/reconcile",
            &[("instance_id", &first)],
            &staff,
        )
        .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert_eq!(common::phase_of(app, &first).await, "Deleted");

    // The last instance takes the organization's team with it.
    let res = app
        .call_with_cookie(
            "admin/instances/deprovision",
            &[("instance_id", &second)],
            &staff,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    wait_for_phase_of(app, &second, "Deleted", Duration::from_secs(20)).await;
    assert_eq!((litellm.team_count(), litellm.keys().len()), (0, 0));

    // The receiver heard both removals, signed, once each.
    let key = webhook::key(&secrecy::SecretString::from(WEBHOOK_SECRET)).unwrap();
    let now = app::db::now_ms() / 1000;
    let removals: Vec<Value> = hook
        .deliveries()
        .iter()
        .map(|d| {
            let verified =
                webhook::verify(&key, &d.id, &d.timestamp, &d.signature, &d.body, now, 300);
            assert!(verified, "signature of {}", d.id);
            serde_json::from_slice::<Value>(&d.body).unwrap()
        })
        .filter(|b| b["type"] == "instance.deprovisioned")
        .collect();
    let ids: Vec<&str> = removals
        .iter()
        .filter_map(|b| b["data"]["instance"]["id"].as_str())
        .collect();
    assert_eq!(ids, [first.as_str(), second.as_str()]);
    let actions = app.audit_actions().await;
    let deprovisions = actions
        .iter()
        .filter(|(a, o)| a == "instance.deprovision" && o == "success")
        .count();
    assert_eq!(
        deprovisions, 2,
        "one audit row per deprovision that did something"
    );
}

/// Kills its `tenantry` process when dropped, so a failed test leaves none behind.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A real second `tenantry serve` process on the app's database with one provisioning
/// worker talking to the fakes, its lease 5 s (the shortest allowed).
fn tenantry_process(app: &TestApp, litellm: &FakeLiteLlm, hook: &WebhookReceiver) -> Child {
    let (master, secret) = credential_files(app, MASTER_KEY);
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_tenantry"))
        .arg("serve")
        .env("TENANTRY_DATABASE_URL", &app.database_url)
        .env("TENANTRY_LISTEN", "127.0.0.1:0")
        .env("TENANTRY_BASE_URL", "http://127.0.0.1:9")
        .env("TENANTRY_OPS__LISTEN", "")
        .env("TENANTRY_SMTP__SINK_DIR", &app.sink_dir)
        .env("TENANTRY_SECRETS__KEK", KEK)
        .env("TENANTRY_PROVISIONING__WORKERS", "1")
        .env("TENANTRY_PROVISIONING__POLL_SECONDS", "1")
        .env("TENANTRY_PROVISIONING__LEASE_SECONDS", "5")
        .env("TENANTRY_PROVISIONING__REQUEST_TIMEOUT_SECONDS", "30")
        .env("TENANTRY_PROVISIONING__LITELLM__ENABLED", "true")
        .env("TENANTRY_PROVISIONING__LITELLM__URL", &litellm.url)
        .env("TENANTRY_PROVISIONING__LITELLM__MASTER_KEY_FILE", master)
        .env("TENANTRY_PROVISIONING__WEBHOOK__ENABLED", "true")
        .env("TENANTRY_PROVISIONING__WEBHOOK__URL", &hook.url)
        .env("TENANTRY_PROVISIONING__WEBHOOK__SECRET_FILE", secret)
        .env("TENANTRY_LOG", "warn")
        .env("LEPTOS_OUTPUT_NAME", "tenantry")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .expect("start tenantry");
    Child(child)
}

/// A second `tenantry` process is killed with SIGKILL after LiteLLM made the instance's
/// key and before the answer reached it: the key exists upstream, nothing here knows it.
/// After the lease expires another process takes the run over, and the instance ends
/// `Ready` with one key whose raw value is the one sealed here.
async fn a_process_killed_mid_step_is_taken_over_without_duplicates(app: &TestApp) {
    let litellm = FakeLiteLlm::start().await;
    let hook = WebhookReceiver::start().await;
    litellm.with(|s| s.stall_generate = true);
    let mut child = tenantry_process(app, &litellm, &hook);
    let instance = common::acme_instance(app).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while litellm.keys().is_empty() {
        if let Some(status) = child.0.try_wait().unwrap() {
            panic!("the other tenantry process exited ({status}) before asking for the key");
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "waited 30 s for the other process to ask LiteLLM for the key"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let owner: Option<String> = sqlx::query_scalar(
        "SELECT lease_owner FROM provisioning_runs WHERE instance_id = $1 AND status = 'running'",
    )
    .bind(&instance)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let pid = child.0.id();
    assert!(
        owner
            .as_deref()
            .is_some_and(|o| o.starts_with(&format!("{pid}-"))),
        "the killed process holds the run: {owner:?}"
    );
    child.0.kill().unwrap(); // SIGKILL on Unix
    child.0.wait().unwrap();
    litellm.with(|s| s.stall_generate = false);
    let orphan = litellm.keys()[0].clone();

    // This process works runs again; it takes the run once the dead one's lease ends.
    let survivor = engine_process(app, &litellm, &hook, MASTER_KEY, 1).await;
    wait_for_phase(app, "Ready", Duration::from_secs(30)).await;
    let keys = litellm.keys();
    assert_eq!(keys.len(), 1, "no second key upstream: {keys:?}");
    assert_ne!(
        keys[0].token, orphan.token,
        "the orphan whose value was lost is replaced"
    );
    assert_eq!(litellm.team_count(), 1);
    let key_step = steps(app)
        .await
        .into_iter()
        .find(|s| s.0 == "litellm.key")
        .unwrap();
    assert_eq!((key_step.1.as_str(), key_step.2), ("ok", 2), "{key_step:?}");
    // The sealed value is the live key's.
    let keyring = app::secrets::Keyring::from_config(&survivor.state.config.secrets)
        .unwrap()
        .unwrap();
    let (request_id, org): (String, String) =
        sqlx::query_as("SELECT request_id, organization_id FROM instances WHERE id = $1")
            .bind(&instance)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    let sealed = repo::sealed_secret(&app.db, &instance, "litellm.key")
        .await
        .unwrap()
        .unwrap();
    let binding = app::secrets::Binding {
        organization_id: &org,
        request_id: &request_id,
        purpose: "litellm.key",
    };
    let opened = app::secrets::open(&app.db, &keyring, binding, &sealed)
        .await
        .unwrap();
    use secrecy::ExposeSecret;
    assert_eq!(opened.expose_secret(), keys[0].raw);
}
