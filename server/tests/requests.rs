//! Instance requests on both databases: sealed package secrets at rest, approval (name,
//! instance, job, audit), rejection with a note, re-approval, and two staff approving the
//! same request at once.
// Test code: a failed unwrap is a failed test (the workspace denies them outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use app::{
    audit::Actor,
    auth::principal::UserPrincipal,
    i18n::Lang,
    instances::{
        requests::repo::{self, secret_purpose},
        wizard::{Billing, PackageSecret, ValidRequest},
    },
    orgs::{OrgKind, Role, access::OrgAccess},
    secrets::{self, Binding, Kek, Keyring},
};
use common::{TestApp, expect_error};
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use sqlx::Row;

both_backends! {
    secrets_are_sealed_at_rest,
    // The provisioning engine is tested on its own (provisioning.rs); here approval only.
    approve_reject_and_reapprove with ["provisioning" => {"workers": 0}],
    two_staff_approve_at_once with ["provisioning" => {"workers": 0}],
    the_queue_lists_oldest_pending_first,
}

async fn the_queue_lists_oldest_pending_first(app: &TestApp) {
    let (acme, user) = org(app, "company", "Acme GmbH").await;
    let (beta, beta_user) = org(app, "company", "Beta 100% AG").await;
    let mut ids = Vec::new();
    for (org, user) in [(&acme, &user), (&beta, &beta_user), (&acme, &user)] {
        ids.push(
            repo::create(
                &app.db,
                None,
                &owner(app, org, user).await,
                &request(None, vec![]),
                "http://portal.test",
            )
            .await
            .unwrap(),
        );
    }
    // Distinct, known creation times: the second request is the oldest.
    for (id, at) in ids.iter().zip([2000_i64, 1000, 3000]) {
        sqlx::query("UPDATE instance_requests SET created_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id)
            .execute(app.db.pool())
            .await
            .unwrap();
    }
    let operator = staff(app, "platform_operator").await;
    let res = app
        .call_with_cookie(
            "admin/requests/reject",
            &[("id", &ids[2]), ("note", "no")],
            &operator,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let list = |form: Vec<(&'static str, String)>| {
        let operator = operator.clone();
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.call_with_cookie("admin/requests/list", &form, &operator)
                .await
        }
    };
    let page: Value = list(vec![]).await.json().await.unwrap();
    let got: Vec<&str> = page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        got,
        vec![ids[1].as_str(), ids[0].as_str()],
        "pending, oldest first"
    );
    assert_eq!(page["total"], 2);
    let all: Value = list(vec![("status", "all".into())])
        .await
        .json()
        .await
        .unwrap();
    let statuses: Vec<&str> = all["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, vec!["pending", "pending", "rejected"]);
    // Search by organization (LIKE characters literal) or contact.
    let found: Value = list(vec![("query", "100%".into())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["total"], 1);
    assert_eq!(found["rows"][0]["organization"], "Beta 100% AG");
    let found: Value = list(vec![("query", "JO@ACME".into()), ("status", "all".into())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["total"], 3);
    // Short queries, quotes and renamed organizations (the search index follows renames).
    let total = |page: Value| page["total"].as_i64().unwrap();
    assert_eq!(
        total(
            list(vec![("query", "00".into()), ("status", "all".into())])
                .await
                .json()
                .await
                .unwrap()
        ),
        1
    );
    assert_eq!(
        total(
            list(vec![("query", "\"beta".into()), ("status", "all".into())])
                .await
                .json()
                .await
                .unwrap()
        ),
        0
    );
    sqlx::query("UPDATE organizations SET display_name = 'Gamma Renamed AG' WHERE id = $1")
        .bind(&beta)
        .execute(app.db.pool())
        .await
        .unwrap();
    assert_eq!(
        total(
            list(vec![("query", "beta 100".into()), ("status", "all".into())])
                .await
                .json()
                .await
                .unwrap()
        ),
        0
    );
    assert_eq!(
        total(
            list(vec![
                ("query", "gamma renamed".into()),
                ("status", "all".into())
            ])
            .await
            .json()
            .await
            .unwrap()
        ),
        1
    );
    sqlx::query("UPDATE organizations SET display_name = 'Beta 100% AG' WHERE id = $1")
        .bind(&beta)
        .execute(app.db.pool())
        .await
        .unwrap();
    assert_eq!(
        total(
            list(vec![("query", "jo@acme".into()), ("status", "all".into())])
                .await
                .json()
                .await
                .unwrap()
        ),
        3
    );
    let res = list(vec![("status", "bogus".into())]).await;
    expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    // The page renders the same queue for staff, without script.
    let html = reqwest::Client::new()
        .get(app.url("/platform/requests?status=all"))
        .header(reqwest::header::COOKIE, &operator)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(html.matches("data-test=\"queue-row\"").count(), 3);
    assert!(html.contains("Beta 100% AG"));
    assert!(html.contains("data-test=\"approve\""));
    // Customers never see the queue.
    let token = app::auth::session::create(&app.db, &app.config, &user, "127.0.0.1", None)
        .await
        .unwrap();
    let res = app
        .call_with_cookie(
            "admin/requests/list",
            &[],
            &format!("tenantry_session={token}"),
        )
        .await;
    expect_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let page = reqwest::Client::new()
        .get(app.url("/platform/requests"))
        .header(reqwest::header::COOKIE, format!("tenantry_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    assert!(!page.text().await.unwrap().contains("queue-row"));
}

const TOKEN: &str = "987654321:AAE-telegram-secret-value-xyz";

async fn org(app: &TestApp, kind: &str, name: &str) -> (String, String) {
    let user = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO users (id, email, given_name, family_name, display_name, language, status, created_at, updated_at, email_verified_at)
         VALUES ($1, $2, 'Req', 'User', 'Req User', 'en', 'active', 0, 0, 0)",
    )
    .bind(&user)
    .bind(format!("{}@req.example", &user[..8]))
    .execute(app.db.pool())
    .await
    .unwrap();
    (app.insert_org(kind, name).await, user)
}

fn request(label: Option<&str>, secrets: Vec<PackageSecret>) -> ValidRequest {
    ValidRequest {
        instance_label: label.map(str::to_owned),
        agent_name: "Ada".into(),
        soul_md: "# Soul".into(),
        agents_md: "# Agents".into(),
        packages: vec!["telegram".into(), "git".into()],
        billing: Billing {
            company: Some("Acme GmbH".into()),
            street: "Main 1".into(),
            postal_code: "8000".into(),
            city: "Zürich".into(),
            country: "CH".into(),
            notes: None,
        },
        contact_name: "Jo Contact".into(),
        contact_email: "jo@acme.example".into(),
        secrets,
    }
}

async fn staff(app: &TestApp, role: &str) -> String {
    let email = format!("{}@staff.example", uuid::Uuid::new_v4().simple());
    app.staff(role, &email, "en").await.1
}

async fn secrets_are_sealed_at_rest(app: &TestApp) {
    let (acme, user) = org(app, "company", "Acme GmbH").await;
    let keys = Keyring {
        current: Kek::from_base64(&Kek::generate().unwrap()).unwrap(),
        previous: vec![],
    };
    let secret = vec![PackageSecret {
        package: "telegram".into(),
        field: "bot_token".into(),
        value: SecretString::from(TOKEN.to_owned()),
    }];
    // Without a KEK, a request with secrets is refused and nothing is stored.
    let err = repo::create(
        &app.db,
        None,
        &owner(app, &acme, &user).await,
        &request(None, secret.clone()),
        "http://portal.test",
    )
    .await
    .unwrap_err();
    assert_eq!(err, app::error::AppError::SecretsNotConfigured);
    assert_eq!(app.count("instance_requests").await, 0);

    let id = repo::create(
        &app.db,
        Some(&keys),
        &owner(app, &acme, &user).await,
        &request(None, secret.clone()),
        "http://portal.test",
    )
    .await
    .unwrap();
    let other = repo::create(
        &app.db,
        Some(&keys),
        &owner(app, &acme, &user).await,
        &request(None, secret),
        "http://portal.test",
    )
    .await
    .unwrap();
    let sealed: String = sqlx::query("SELECT sealed FROM request_secrets WHERE request_id = $1")
        .bind(&id)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
        .get("sealed");
    assert!(!sealed.contains("telegram-secret"));
    let purpose = secret_purpose("telegram", "bot_token");
    let opened = secrets::open(
        &app.db,
        &keys,
        Binding {
            organization_id: &acme,
            request_id: &id,
            purpose: &purpose,
        },
        &sealed,
    )
    .await
    .unwrap();
    assert_eq!(opened.expose_secret(), TOKEN);
    // Copied onto the other request's row, it no longer opens for that request.
    let moved = secrets::open(
        &app.db,
        &keys,
        Binding {
            organization_id: &acme,
            request_id: &other,
            purpose: &purpose,
        },
        &sealed,
    )
    .await;
    assert!(moved.is_err());
    // No plaintext in any stored value, nor in the raw SQLite file.
    let rows = sqlx::query("SELECT sealed FROM request_secrets")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    for row in rows {
        assert!(!row.get::<String, _>("sealed").contains("telegram-secret"));
    }
    if let Some(path) = app.database_url.strip_prefix("sqlite://") {
        for file in [path.to_owned(), format!("{path}-wal")] {
            if let Ok(bytes) = std::fs::read(&file) {
                let needle = b"telegram-secret";
                assert!(!bytes.windows(needle.len()).any(|w| w == needle), "{file}");
            }
        }
    }
}

async fn approve_reject_and_reapprove(app: &TestApp) {
    let (acme, user) = org(app, "company", "Acme GmbH").await;
    let id = repo::create(
        &app.db,
        None,
        &owner(app, &acme, &user).await,
        &request(None, vec![]),
        "http://portal.test",
    )
    .await
    .unwrap();
    let operator = staff(app, "platform_operator").await;

    // Rejection needs a note.
    let res = app
        .call_with_cookie(
            "admin/requests/reject",
            &[("id", &id), ("note", "  ")],
            &operator,
        )
        .await;
    expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    let res = app
        .call_with_cookie(
            "admin/requests/reject",
            &[("id", &id), ("note", "Billing address incomplete")],
            &operator,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .call_with_cookie(
            "admin/requests/reject",
            &[("id", &id), ("note", "again")],
            &operator,
        )
        .await;
    expect_error(res, StatusCode::CONFLICT, "conflict").await;
    let row = sqlx::query("SELECT status, admin_note FROM instance_requests WHERE id = $1")
        .bind(&id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(row.get::<String, _>("status"), "rejected");
    assert_eq!(
        row.get::<String, _>("admin_note"),
        "Billing address incomplete"
    );

    // Re-approval of a rejected request.
    let res = app
        .call_with_cookie(
            "admin/requests/approve",
            &[("id", &id), ("note", "fixed by phone")],
            &operator,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let name: Value = res.json().await.unwrap();
    assert_eq!(name, Value::from(format!("acme-gmbh-{}", &id[..8])));
    let instance = sqlx::query("SELECT name, display_name, phase, packages FROM instances")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(instance.get::<String, _>("display_name"), "Acme GmbH");
    assert_eq!(instance.get::<String, _>("phase"), "Pending");
    assert_eq!(
        instance.get::<String, _>("packages"),
        "[\"telegram\",\"git\"]"
    );
    assert_eq!(app.count("provisioning_runs").await, 1);
    let actions = app.audit_actions().await;
    for action in ["request.reject", "request.approve", "instance.create"] {
        assert!(actions.iter().any(|(a, _)| a == action), "{action}");
    }
    // Deciding again is a conflict; unknown ids are not found.
    let res = app
        .call_with_cookie("admin/requests/approve", &[("id", &id)], &operator)
        .await;
    expect_error(res, StatusCode::CONFLICT, "conflict").await;
    let res = app
        .call_with_cookie("admin/requests/approve", &[("id", "nope")], &operator)
        .await;
    expect_error(res, StatusCode::NOT_FOUND, "not_found").await;

    // Personal organizations: p-{hex8}, and the contact's name unless a label is given.
    let (person, user) = org(app, "personal", "Jo Contact").await;
    let id = repo::create(
        &app.db,
        None,
        &owner(app, &person, &user).await,
        &request(None, vec![]),
        "http://portal.test",
    )
    .await
    .unwrap();
    let labelled = repo::create(
        &app.db,
        None,
        &owner(app, &person, &user).await,
        &request(Some("Home bot"), vec![]),
        "http://portal.test",
    )
    .await
    .unwrap();
    for (rid, display) in [(&id, "Jo Contact"), (&labelled, "Home bot")] {
        let res = app
            .call_with_cookie("admin/requests/approve", &[("id", rid)], &operator)
            .await;
        let name: Value = res.json().await.unwrap();
        assert_eq!(name, Value::from(format!("p-{}", &rid[..8])));
        let shown: String = sqlx::query("SELECT display_name FROM instances WHERE request_id = $1")
            .bind(rid)
            .fetch_one(app.db.pool())
            .await
            .unwrap()
            .get("display_name");
        assert_eq!(shown, display);
    }
}

async fn two_staff_approve_at_once(app: &TestApp) {
    let (acme, user) = org(app, "company", "Race Corp").await;
    let id = repo::create(
        &app.db,
        None,
        &owner(app, &acme, &user).await,
        &request(None, vec![]),
        "http://portal.test",
    )
    .await
    .unwrap();
    let (a, b) = (
        staff(app, "platform_operator").await,
        staff(app, "platform_admin").await,
    );
    let form = [("id", id.as_str())];
    let (ra, rb) = tokio::join!(
        app.call_with_cookie("admin/requests/approve", &form, &a),
        app.call_with_cookie("admin/requests/approve", &form, &b),
    );
    let mut statuses = vec![ra.status().as_u16(), rb.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, vec![200, 409], "exactly one approval wins");
    let loser = if ra.status() == StatusCode::CONFLICT {
        ra
    } else {
        rb
    };
    let body: Value = loser.json().await.unwrap();
    assert_eq!(body["code"], "conflict");
    assert_eq!(app.count("instances").await, 1);
    assert_eq!(app.count("provisioning_runs").await, 1);
}

/// The requester `user` as [`app::auth::caller::Caller::org`] gives an owner of `org`.
async fn owner(app: &TestApp, org: &str, user: &str) -> OrgAccess {
    let row = sqlx::query("SELECT slug, display_name, kind FROM organizations WHERE id = $1")
        .bind(org)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    OrgAccess {
        org_id: org.to_owned(),
        slug: row.get("slug"),
        display_name: row.get("display_name"),
        kind: OrgKind::parse(&row.get::<String, _>("kind")).unwrap(),
        role: Role::Owner,
        is_member: true,
        user: UserPrincipal {
            user_id: user.to_owned(),
            email: format!("{}@req.example", &user[..8]),
            display_name: "Req User".to_owned(),
            language: Lang::En,
            platform_role: None,
            suspended: false,
            email_verified: true,
            session_hash: String::new(),
            memberships: None,
        },
        actor: by(user),
        writes: true,
    }
}

/// The requester as the audit log records them.
fn by(user: &str) -> Actor {
    Actor {
        user_id: Some(user.to_owned()),
        api_key_id: None,
        client_addr: "127.0.0.1".to_owned(),
    }
}
