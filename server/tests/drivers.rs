//! The Gitea, Coolify, Kubernetes, OpenBao and Authentik drivers (issue 13) beside LiteLLM
//! and the webhook, each against a loopback server that speaks its documented API with its
//! real conflict and not-found answers (`common::upstreams`), on both databases: all seven
//! provision an instance to `Ready` and a deprovision removes what they made; a resource
//! made upstream but never recorded here is adopted, not made twice; names taken by
//! someone else, a missing CRD and check-and-set races are told apart; one failing upstream
//! leaves the others `ok` and the instance in `Error` until a retry after the repair.
// Test code: a failed unwrap is a failed test (the workspace denies them outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{
    Process, TestApp,
    fakes::{FakeLiteLlm, KEK, MASTER_KEY, WEBHOOK_SECRET, WebhookReceiver},
    upstreams::{
        AUTHENTIK_TOKEN, AkUser, BAO_TOKEN, COOLIFY_TOKEN, CoolifyProject, FakeAuthentik, FakeBao,
        FakeCoolify, FakeGitea, FakeKube, GITEA_TOKEN, GiteaOrg, KubeObject,
    },
};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::{path::PathBuf, time::Duration};

/// The Telegram bot token the request carries: it must reach OpenBao and nowhere else.
const BOT_TOKEN: &str = "7012345678:AAHfakeTelegramBotTokenForTests_x";

both_backends! {
    all_seven_drivers_provision_reconcile_and_tear_down with [
        "provisioning" => {"workers": 0},
        "secrets" => {"kek": "8j3lCx7x3bNMeDYra1AwgQeCeUhbxm85pMlm1WF5Xjk="},
    ],
    what_was_made_but_not_recorded_is_adopted with [
        "provisioning" => {"workers": 0},
        "secrets" => {"kek": "8j3lCx7x3bNMeDYra1AwgQeCeUhbxm85pMlm1WF5Xjk="},
    ],
    one_failing_upstream_leaves_the_others_ok_until_retried with [
        "provisioning" => {"workers": 0},
        "secrets" => {"kek": "8j3lCx7x3bNMeDYra1AwgQeCeUhbxm85pMlm1WF5Xjk="},
    ],
    names_taken_by_others_are_errors_not_adoptions with [
        "provisioning" => {"workers": 0},
        "secrets" => {"kek": "8j3lCx7x3bNMeDYra1AwgQeCeUhbxm85pMlm1WF5Xjk="},
    ],
    a_missing_crd_and_a_missing_namespace_are_told_apart with [
        "provisioning" => {"workers": 0},
        "secrets" => {"kek": "8j3lCx7x3bNMeDYra1AwgQeCeUhbxm85pMlm1WF5Xjk="},
    ],
    duplicates_conflicts_and_races_converge with [
        "provisioning" => {"workers": 0},
        "secrets" => {"kek": "8j3lCx7x3bNMeDYra1AwgQeCeUhbxm85pMlm1WF5Xjk="},
    ],
    the_platform_overview_shows_each_integrations_health with [
        "provisioning" => {"workers": 0},
    ],
}

/// Every upstream, on loopback.
struct Upstreams {
    litellm: FakeLiteLlm,
    hook: WebhookReceiver,
    gitea: FakeGitea,
    coolify: FakeCoolify,
    kube: FakeKube,
    bao: FakeBao,
    authentik: FakeAuthentik,
}

impl Upstreams {
    /// The fakes, with the organization's owner known to Gitea and Authentik.
    async fn start() -> Upstreams {
        let up = Upstreams {
            litellm: FakeLiteLlm::start().await,
            hook: WebhookReceiver::start().await,
            gitea: FakeGitea::start().await,
            coolify: FakeCoolify::start().await,
            kube: FakeKube::start().await,
            bao: FakeBao::start().await,
            authentik: FakeAuthentik::start().await,
        };
        up.gitea.with(|s| {
            s.users
                .push(("acme-owner".into(), "Owner@Acme.example".into()))
        });
        up.authentik.with(|s| {
            s.users.push(AkUser {
                pk: 7,
                username: "acme-owner".into(),
                email: "owner@acme.example".into(),
            });
        });
        // The cluster's controller reports its own phase, not ours.
        up.kube.with(|s| s.phase_on_apply = Some("Running".into()));
        up
    }

    /// The provisioning settings of a process whose seven drivers talk to the fakes.
    fn settings(&self, app: &TestApp, workers: usize) -> Value {
        let dir = credentials_dir(app);
        let file = |name: &str, value: &str| {
            let path = dir.join(name);
            std::fs::write(&path, format!("{value}\n")).unwrap();
            path.display().to_string()
        };
        json!({
            "workers": workers, "poll_seconds": 1, "retry_base_seconds": 1,
            "lease_seconds": 5, "max_attempts": 2, "request_timeout_seconds": 2,
            "health_check_seconds": 1,
            "litellm": {"enabled": true, "url": self.litellm.url,
                        "master_key_file": file("litellm", MASTER_KEY)},
            "webhook": {"enabled": true, "url": self.hook.url,
                        "secret_file": file("webhook", WEBHOOK_SECRET)},
            "gitea": {"enabled": true, "url": self.gitea.url,
                      "token_file": file("gitea", GITEA_TOKEN)},
            "coolify": {"enabled": true, "url": self.coolify.url,
                        "token_file": file("coolify", COOLIFY_TOKEN), "server_uuid": "srv-1"},
            "kubernetes": {"enabled": true, "source": "kubeconfig",
                           "kubeconfig": self.kube.kubeconfig(&dir).display().to_string()},
            "openbao": {"enabled": true, "url": self.bao.url,
                        "token_file": file("openbao", BAO_TOKEN)},
            "authentik": {"enabled": true, "url": self.authentik.url,
                          "token_file": file("authentik", AUTHENTIK_TOKEN)},
        })
    }

    async fn process(&self, app: &TestApp, workers: usize) -> Process {
        app.another_process(&[
            ("provisioning", self.settings(app, workers)),
            ("secrets", json!({"kek": KEK})),
        ])
        .await
    }

    /// What each upstream holds: (Gitea orgs, Coolify projects, Coolify services,
    /// Kubernetes objects, OpenBao paths, Authentik groups, LiteLLM teams, LiteLLM keys).
    fn counts(&self) -> [usize; 8] {
        [
            self.gitea.org_count(),
            self.coolify.project_count(),
            self.coolify.service_count(),
            self.kube.object_count(),
            self.bao.secret_count(),
            self.authentik.group_count(),
            self.litellm.team_count(),
            self.litellm.keys().len(),
        ]
    }
}

fn credentials_dir(app: &TestApp) -> PathBuf {
    let dir = app
        .sink_dir
        .parent()
        .unwrap()
        .join(format!("upstreams-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Registers Acme and has its request with the Telegram package and its bot token
/// approved; returns the instance's id and name.
async fn acme_with_secret(app: &TestApp) -> (String, String) {
    app.register_company("Acme", "owner@acme.example").await;
    with_secret(app, "admin@platform.example").await
}

/// Submits a request with the Telegram package and its bot token for Acme and has the new
/// platform admin `admin` approve it; returns the instance's id and name.
async fn with_secret(app: &TestApp, admin: &str) -> (String, String) {
    let mut form = common::minimal_request("acme");
    form.push(("draft[packages][]".into(), "telegram".into()));
    form.push((
        "draft[secrets][telegram.bot_token]".into(),
        BOT_TOKEN.into(),
    ));
    let id = common::submit_form_and_approve(app, &form, admin).await;
    let name: String = sqlx::query_scalar("SELECT name FROM instances WHERE id = $1")
        .bind(&id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    (id, name)
}

/// Waits until the instance is in phase `want` and its latest run is settled (not pending
/// or running); fails with the steps it saw.
async fn settle(app: &TestApp, id: &str, want: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(40);
    loop {
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM provisioning_runs
             WHERE instance_id = $1 AND status IN ('pending', 'running')",
        )
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        let now = common::phase_of(app, id).await;
        if now == want && open == 0 {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "instance {id} is {now} with {open} open runs, not settled in {want}: {:?}",
            steps(app, id).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The phase the cluster reported for the instance, as recorded.
async fn cluster_phase(app: &TestApp, id: &str) -> Option<String> {
    sqlx::query_scalar("SELECT cluster_phase FROM instances WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

/// (step, status, last error) of the instance's newest run, in order.
async fn steps(app: &TestApp, id: &str) -> Vec<(String, String, Option<String>)> {
    sqlx::query_as(
        "SELECT s.step, s.status, s.last_error FROM provisioning_steps s
         JOIN provisioning_runs r ON r.id = s.run_id
         WHERE r.instance_id = $1
           AND r.created_at = (SELECT MAX(created_at) FROM provisioning_runs WHERE instance_id = $1)
         ORDER BY s.position",
    )
    .bind(id)
    .fetch_all(app.db.pool())
    .await
    .unwrap()
}

fn status_of<'a>(steps: &'a [(String, String, Option<String>)], key: &str) -> &'a str {
    steps
        .iter()
        .find(|s| s.0 == key)
        .map(|s| s.1.as_str())
        .unwrap_or_else(|| panic!("no step {key} in {steps:?}"))
}

fn error_of(steps: &[(String, String, Option<String>)], key: &str) -> String {
    steps
        .iter()
        .find(|s| s.0 == key)
        .and_then(|s| s.2.clone())
        .unwrap_or_else(|| panic!("step {key} has no error: {steps:?}"))
}

/// The external ids recorded for the instance, by step.
async fn recorded(app: &TestApp, id: &str) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT step, external_id FROM instance_resources WHERE instance_id = $1 ORDER BY step",
    )
    .bind(id)
    .fetch_all(app.db.pool())
    .await
    .unwrap()
}

async fn staff_call(app: &TestApp, endpoint: &str, id: &str) {
    let (_, staff) = app
        .staff(
            "platform_operator",
            &format!("op-{}@platform.example", uuid::Uuid::new_v4().simple()),
            "en",
        )
        .await;
    let res = app
        .call_with_cookie(endpoint, &[("instance_id", id)], &staff)
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
}

async fn all_seven_drivers_provision_reconcile_and_tear_down(app: &TestApp) {
    let up = Upstreams::start().await;
    let process = up.process(app, 1).await;
    let health = app::provisioning::health::check(&process.state.config.provisioning).await;
    assert_eq!(health.len(), 7);
    for d in &health {
        assert!(d.enabled && d.healthy, "{d:?}");
        assert!(d.latency_ms.is_some(), "{d:?}");
    }
    let (id, name) = acme_with_secret(app).await;
    settle(app, &id, "Ready").await;
    let done = steps(app, &id).await;
    assert!(done.iter().all(|s| s.1 == "ok"), "{done:?}");
    assert_eq!(up.counts(), [1, 1, 1, 1, 1, 1, 1, 1]);
    let org: String = sqlx::query_scalar("SELECT organization_id FROM instances WHERE id = $1")
        .bind(&id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();

    // Gitea: a private organization named after the slug, marked ours, the owner in Owners.
    let gitea = up.gitea.org("acme").expect("the Gitea organization acme");
    assert_eq!(gitea.visibility, "private");
    assert!(gitea.description.contains(&format!("tenantry-org:{org}")));
    assert!(gitea.owners.contains("acme-owner"), "{:?}", gitea.owners);
    // Coolify: the project holds the service, named {slug}-{app}-{digits}.
    let (project, service) = up
        .coolify
        .with(|s| (s.projects[0].clone(), s.services[0].clone()));
    assert_eq!(project.name, "acme");
    assert_eq!(service.project_uuid, project.uuid);
    assert_eq!(service.server_uuid, "srv-1");
    assert_eq!(service.service_type, "n8n");
    let digits = name.rsplit('-').next().unwrap();
    assert_eq!(service.name, format!("acme-n8n-{digits}"));
    // OpenBao: the package's secret at tenants/{instance}/{package}, one version.
    let path = format!("tenants/{name}/telegram");
    assert_eq!(up.bao.latest(&path), Some(json!({"bot_token": BOT_TOKEN})));
    assert_eq!(up.bao.versions(&path), 1);
    // Authentik: the organization's group with our attributes and the owner.
    let group = up.authentik.group("tenantry-acme").expect("the group");
    assert_eq!(group.attributes["tenantry_org_id"], org.as_str());
    assert_eq!(group.attributes["tenantry_slug"], "acme");
    assert!(group.users.contains(&7));
    // Kubernetes: applied by our field manager, pointing at the secrets; the instance
    // shows the phase the cluster reports.
    let object = up
        .kube
        .object("tenants", &name)
        .expect("the custom resource");
    assert_eq!(object.manager, "tenantry");
    assert_eq!(
        object.body["spec"]["secretsPath"],
        format!("secret/data/tenants/{name}")
    );
    assert_eq!(object.body["spec"]["organization"]["slug"], "acme");
    let cluster = cluster_phase(app, &id).await;
    assert_eq!(cluster.as_deref(), Some("Running"));
    let overview = app.call("orgs/overview", &[("slug", "acme")]).await;
    let overview: Value = overview.json().await.unwrap();
    assert_eq!(overview["instances"][0]["cluster_phase"], "Running");
    // The bot token went to OpenBao only: not to the cluster, not into a page.
    assert!(!object.body.to_string().contains(BOT_TOKEN));
    assert!(!overview.to_string().contains(BOT_TOKEN));

    // The controller moves on: the background check reads the phase back, no run needed.
    up.kube.with(|s| {
        let object = s
            .objects
            .get_mut(&("tenants".to_owned(), name.clone()))
            .unwrap();
        object.phase = Some("Degraded".into());
    });
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let now = cluster_phase(app, &id).await;
        if now.as_deref() == Some("Degraded") {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "cluster phase stayed {now:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // A reconcile finds everything in place: nothing new upstream, no new secret version.
    let before = recorded(app, &id).await;
    staff_call(app, "admin/instances/reconcile", &id).await;
    settle(app, &id, "Ready").await;
    assert_eq!(up.counts(), [1, 1, 1, 1, 1, 1, 1, 1]);
    assert_eq!(up.bao.versions(&path), 1);
    assert_eq!(recorded(app, &id).await, before);

    // Deprovision: everything Tenantry made is gone upstream, and nothing is kept here.
    staff_call(app, "admin/instances/deprovision", &id).await;
    settle(app, &id, "Deleted").await;
    let teardown = steps(app, &id).await;
    assert!(teardown.iter().all(|s| s.1 == "ok"), "{teardown:?}");
    assert_eq!(up.counts(), [0, 0, 0, 0, 0, 0, 0, 0]);
    assert!(recorded(app, &id).await.is_empty());
    // Deleting the metadata took every version, not only the latest.
    assert_eq!(up.bao.versions(&path), 0);
}

/// A worker that died after an upstream made a resource but before it was recorded here:
/// the next run finds each by its marker, attributes or name and records the same id.
async fn what_was_made_but_not_recorded_is_adopted(app: &TestApp) {
    let up = Upstreams::start().await;
    let _process = up.process(app, 1).await;
    let (id, _) = acme_with_secret(app).await;
    settle(app, &id, "Ready").await;
    let before = recorded(app, &id).await;
    assert_eq!(
        before.len(),
        app::provisioning::STEPS.len(),
        "every step recorded its id: {before:?}"
    );
    // Every record lost, as if each step's "recorded here" never happened.
    sqlx::query("DELETE FROM instance_resources WHERE instance_id = $1")
        .bind(&id)
        .execute(app.db.pool())
        .await
        .unwrap();
    let log_before = up.coolify.with(|s| s.log.len());
    staff_call(app, "admin/instances/reconcile", &id).await;
    settle(app, &id, "Ready").await;
    assert_eq!(up.counts(), [1, 1, 1, 1, 1, 1, 1, 1]);
    // The LiteLLM key's raw value was kept sealed, so its id is the same too.
    assert_eq!(recorded(app, &id).await, before);
    // Coolify was asked, not told: no create after the records were lost.
    let creates = up.coolify.with(|s| {
        s.log[log_before..]
            .iter()
            .filter(|l| l.starts_with("POST"))
            .count()
    });
    assert_eq!(creates, 0);
}

async fn one_failing_upstream_leaves_the_others_ok_until_retried(app: &TestApp) {
    let up = Upstreams::start().await;
    up.coolify.with(|s| s.fail_all = true);
    let process = up.process(app, 1).await;
    let (id, _) = acme_with_secret(app).await;
    settle(app, &id, "Error").await;
    let failed = steps(app, &id).await;
    assert_eq!(status_of(&failed, "coolify.project"), "error");
    assert_eq!(
        error_of(&failed, "coolify.project"),
        "Coolify answered HTTP 500"
    );
    // What needs Coolify waits; everything else went through.
    assert_eq!(status_of(&failed, "coolify.service"), "pending");
    assert_eq!(status_of(&failed, "webhook.provisioned"), "pending");
    for key in [
        "webhook.approved",
        "litellm.team",
        "litellm.key",
        "gitea.org",
        "gitea.owners",
        "openbao.secrets",
        "authentik.group",
        "authentik.members",
        "kubernetes.resource",
    ] {
        assert_eq!(status_of(&failed, key), "ok", "{key}: {failed:?}");
    }
    assert_eq!(up.counts(), [1, 0, 0, 1, 1, 1, 1, 1]);
    // The health check names the failing integration, and only it.
    let health = app::provisioning::health::check(&process.state.config.provisioning).await;
    let unhealthy: Vec<_> = health.iter().filter(|d| !d.healthy).collect();
    assert_eq!(unhealthy.len(), 1, "{health:?}");
    assert_eq!(unhealthy[0].driver, "coolify");
    assert_eq!(
        unhealthy[0].problem.as_deref(),
        Some("Coolify answered HTTP 500")
    );

    // Repaired, then retried by staff: Ready, and nothing was made twice.
    up.coolify.with(|s| s.fail_all = false);
    staff_call(app, "admin/instances/retry", &id).await;
    settle(app, &id, "Ready").await;
    assert_eq!(up.counts(), [1, 1, 1, 1, 1, 1, 1, 1]);
    let done = steps(app, &id).await;
    assert!(done.iter().all(|s| s.1 == "ok"), "{done:?}");
}

async fn names_taken_by_others_are_errors_not_adoptions(app: &TestApp) {
    let up = Upstreams::start().await;
    // Someone else's Gitea organization and Authentik group carry our names.
    up.gitea.with(|s| {
        s.orgs.insert(
            "acme".into(),
            GiteaOrg {
                id: 41,
                description: "the other Acme's code".into(),
                visibility: "public".into(),
                ..GiteaOrg::default()
            },
        );
    });
    up.authentik.with(|s| {
        s.groups.push(common::upstreams::AkGroup {
            pk: "5a9e4c1d-0000-4000-8000-000000000001".into(),
            num_pk: 1001,
            name: "tenantry-acme".into(),
            attributes: json!({"department": "sales"}),
            users: Default::default(),
        });
    });
    let _process = up.process(app, 1).await;
    let (id, _) = acme_with_secret(app).await;
    settle(app, &id, "Error").await;
    let failed = steps(app, &id).await;
    assert_eq!(status_of(&failed, "gitea.org"), "error");
    let gitea = error_of(&failed, "gitea.org");
    assert!(
        gitea.contains("taken by an organization Tenantry did not create"),
        "{gitea}"
    );
    assert_eq!(status_of(&failed, "authentik.group"), "error");
    let authentik = error_of(&failed, "authentik.group");
    assert!(
        authentik.contains("taken by a group Tenantry did not create"),
        "{authentik}"
    );
    // Permanent: tried once, no retry scheduled; the others' resources untouched.
    let attempts: Vec<(String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT s.step, s.attempts, s.next_attempt_at FROM provisioning_steps s
         JOIN provisioning_runs r ON r.id = s.run_id
         WHERE r.instance_id = $1 AND s.step IN ('gitea.org', 'authentik.group')",
    )
    .bind(&id)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert!(
        attempts.iter().all(|a| a.1 == 1 && a.2.is_none()),
        "{attempts:?}"
    );
    let theirs = up.gitea.org("acme").unwrap();
    assert_eq!(theirs.description, "the other Acme's code");
    assert!(theirs.owners.is_empty());
    let group = up.authentik.group("tenantry-acme").unwrap();
    assert_eq!(group.attributes, json!({"department": "sales"}));
    assert!(group.users.is_empty());
    assert_eq!((up.gitea.org_count(), up.authentik.group_count()), (1, 1));

    // A Gitea user holding the name: 422 on create, and still no organization of that name.
    up.gitea.with(|s| {
        s.orgs.clear();
        s.users.push(("acme".into(), "someone@else.example".into()));
    });
    up.authentik.with(|s| s.groups.clear());
    staff_call(app, "admin/instances/retry", &id).await;
    settle(app, &id, "Error").await;
    let again = steps(app, &id).await;
    let held = error_of(&again, "gitea.org");
    assert!(held.contains("a user holds it or it is reserved"), "{held}");
    assert_eq!(status_of(&again, "authentik.group"), "ok");
    assert_eq!(up.gitea.org_count(), 0);
}

async fn a_missing_crd_and_a_missing_namespace_are_told_apart(app: &TestApp) {
    let up = Upstreams::start().await;
    up.kube.with(|s| s.crd_installed = false);
    let process = up.process(app, 1).await;
    let health = app::provisioning::health::check(&process.state.config.provisioning).await;
    let kube = health.iter().find(|d| d.driver == "kubernetes").unwrap();
    assert!(!kube.healthy);
    let problem = kube.problem.clone().unwrap();
    assert!(
        problem.contains("custom resource definition is not installed"),
        "{problem}"
    );
    let (id, name) = acme_with_secret(app).await;
    settle(app, &id, "Error").await;
    let failed = steps(app, &id).await;
    let missing_crd = error_of(&failed, "kubernetes.resource");
    assert!(
        missing_crd.contains("the cluster does not serve tenantinstances.tenantry.io/v1alpha1"),
        "{missing_crd}"
    );

    // The CRD installed, the namespace not: a different, equally permanent error.
    up.kube.with(|s| {
        s.crd_installed = true;
        s.namespaces.clear();
    });
    staff_call(app, "admin/instances/retry", &id).await;
    settle(app, &id, "Error").await;
    let failed = steps(app, &id).await;
    assert_eq!(
        error_of(&failed, "kubernetes.resource"),
        "the namespace tenants does not exist in the cluster"
    );
    assert_eq!(up.kube.object_count(), 0);

    // Both fixed: applied, and the cluster's phase (none yet) is what the instance shows.
    up.kube.with(|s| {
        s.namespaces.insert("tenants".into());
        s.phase_on_apply = None;
    });
    staff_call(app, "admin/instances/retry", &id).await;
    settle(app, &id, "Ready").await;
    assert!(up.kube.object("tenants", &name).is_some());
    let cluster = cluster_phase(app, &id).await;
    assert_eq!(cluster, None);

    // The object deleted out of band: the teardown counts it as gone.
    up.kube.with(|s| s.objects.clear());
    staff_call(app, "admin/instances/deprovision", &id).await;
    settle(app, &id, "Deleted").await;
    assert_eq!(
        status_of(&steps(app, &id).await, "kubernetes.resource.remove"),
        "ok"
    );
}

async fn duplicates_conflicts_and_races_converge(app: &TestApp) {
    let up = Upstreams::start().await;
    let process = up.process(app, 0).await;
    app.register_company("Acme", "owner@acme.example").await;
    let org: String = sqlx::query_scalar("SELECT id FROM organizations WHERE slug = 'acme'")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    // Coolify: two projects of ours from creates whose answers were lost (names are not
    // unique there), and a third of the same name that is not ours.
    let marker = format!("Acme (managed by Tenantry, tenantry-org:{org})");
    up.coolify.with(|s| {
        for (id, uuid, description) in [
            (3, "aaaaaaaaaaaaaaaaaaaaaaa3", Some(marker.clone())),
            (5, "aaaaaaaaaaaaaaaaaaaaaaa5", Some(marker.clone())),
            (
                4,
                "bbbbbbbbbbbbbbbbbbbbbbb4",
                Some("someone else's acme".to_owned()),
            ),
        ] {
            s.projects.push(CoolifyProject {
                id,
                uuid: uuid.into(),
                name: "acme".into(),
                description,
            });
        }
        s.next_id = 10;
    });
    let instance = common::submit_and_approve(app, "admin@platform.example").await;
    let name: String = sqlx::query_scalar("SELECT name FROM instances WHERE id = $1")
        .bind(&instance)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    // Kubernetes: an object of that name another field manager owns (a plain apply
    // answers 409 Conflict); ours is forced, as the authority over what it declares.
    up.kube.with(|s| {
        s.objects.insert(
            ("tenants".into(), name.clone()),
            KubeObject {
                body: json!({"metadata": {"name": name}, "spec": {"paused": true}}),
                manager: "kubectl".into(),
                phase: Some("Paused".into()),
            },
        );
    });
    let engine = app::provisioning::engine::Engine::new(process.state.clone()).unwrap();
    assert!(engine.work_one().await.unwrap());
    settle(app, &instance, "Ready").await;
    // The oldest of ours is kept, the other duplicate deleted, the stranger's left alone.
    let uuids: Vec<String> = up
        .coolify
        .with(|s| s.projects.iter().map(|p| p.uuid.clone()).collect());
    assert_eq!(
        uuids,
        ["aaaaaaaaaaaaaaaaaaaaaaa3", "bbbbbbbbbbbbbbbbbbbbbbb4"]
    );
    let recorded_project = recorded(app, &instance).await;
    assert!(
        recorded_project.contains(&("coolify.project".into(), "aaaaaaaaaaaaaaaaaaaaaaa3".into())),
        "{recorded_project:?}"
    );
    let object = up.kube.object("tenants", &name).unwrap();
    assert_eq!(object.manager, "tenantry");
    assert_eq!(object.body["spec"]["instance"]["name"], name.as_str());
    // A request without package secrets writes none: the step has nothing to do.
    assert_eq!(up.bao.secret_count(), 0);
    let done = steps(app, &instance).await;
    assert_eq!(status_of(&done, "openbao.secrets"), "skipped");

    // A second instance shares the organization's project; a third carries a secret, and
    // a concurrent writer wins its first check-and-set: the write reads the version again.
    common::submit_and_approve(app, "admin2@platform.example").await;
    up.bao.with(|s| s.cas_race = 1);
    let (third, third_name) = with_secret(app, "admin3@platform.example").await;
    while engine.work_one().await.unwrap() {}
    settle(app, &third, "Ready").await;
    let path = format!("tenants/{third_name}/telegram");
    assert_eq!(up.bao.versions(&path), 1);
    assert_eq!(up.bao.latest(&path), Some(json!({"bot_token": BOT_TOKEN})));
    // One project for the organization's three instances, one service each.
    assert_eq!(
        (up.coolify.project_count(), up.coolify.service_count()),
        (2, 3)
    );
}

async fn the_platform_overview_shows_each_integrations_health(app: &TestApp) {
    let up = Upstreams::start().await;
    up.bao.with(|s| s.sealed = true);
    let process = up.process(app, 0).await;
    let (_, staff) = app
        .staff("platform_operator", "operator@platform.example", "en")
        .await;
    // The background check fills the board; the page never waits for an upstream.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let overview = loop {
        let res = reqwest::Client::new()
            .post(process.url("/fn/platform/overview"))
            .header("accept", "application/json")
            .header("cookie", &staff)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.unwrap();
        let rows = body["integrations"].as_array().unwrap().clone();
        if rows.len() == 7 && rows.iter().all(|r| !r["checked_at"].is_null()) {
            break body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never checked: {body}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let rows = overview["integrations"].as_array().unwrap();
    let bao = rows.iter().find(|r| r["driver"] == "openbao").unwrap();
    assert_eq!(bao["healthy"], false);
    assert_eq!(bao["problem"], "OpenBao is sealed");
    for row in rows.iter().filter(|r| r["driver"] != "openbao") {
        assert_eq!(row["healthy"], true, "{row}");
        assert!(row["latency_ms"].is_u64(), "{row}");
    }
    // No credential in what staff read.
    let text = overview.to_string();
    for secret in [
        GITEA_TOKEN,
        COOLIFY_TOKEN,
        BAO_TOKEN,
        AUTHENTIK_TOKEN,
        MASTER_KEY,
    ] {
        assert!(!text.contains(secret), "{secret}");
    }
    assert_eq!(overview["pending_requests"], 0);

    // Unsealed: the next check says so.
    up.bao.with(|s| s.sealed = false);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let board = process.state.integrations.snapshot();
        if board.iter().all(|d| d.healthy) {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{board:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
