//! The audit log over HTTP on both databases: who may read which events, the filters and
//! paging, and the CSV export (with its denied cases).
// Test code: a failed unwrap is a failed test (the workspace denies them outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestApp, expect_error};
use reqwest::{StatusCode, header};
use serde_json::Value;

both_backends! {
    who_reads_which_events,
    filters_and_paging,
    csv_export_and_its_refusals,
}

async fn list(app: &TestApp, cookie: Option<&str>, form: &[(&str, &str)]) -> reqwest::Response {
    match cookie {
        Some(c) => app.call_with_cookie("audit/list", form, c).await,
        None => app.call("audit/list", form).await,
    }
}

/// Acme with an owner (the app's own client), an admin and a member; Other Co elsewhere.
async fn setup(app: &TestApp) -> (String, String, String) {
    assert_eq!(
        app.register_company("Acme", "owner@acme.example")
            .await
            .status(),
        StatusCode::OK
    );
    let (_, admin) = app.add_member("acme", "Ada", "admin").await;
    let (member_id, member) = app.add_member("acme", "Max", "member").await;
    let res = app
        .call(
            "orgs/members/change_role",
            &[("org", "acme"), ("user_id", &member_id), ("role", "viewer")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // Another organization, with its own owner and events.
    let other = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let res = other
        .post(app.url("/fn/auth/register"))
        .header(header::ACCEPT, "application/json")
        .form(&[
            ("kind", "company"),
            ("company_name", "Other Co"),
            ("given_name", "O"),
            ("family_name", "Other"),
            ("email", "owner@other.example"),
            ("password", common::PASSWORD),
            ("language", "en"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let (_, other_owner) = app.add_member("other-co", "Oscar", "owner").await;
    (admin, member, other_owner)
}

async fn staff(app: &TestApp) -> String {
    let (id, cookie) = app.add_member("acme", "Staff", "viewer").await;
    sqlx::query("DELETE FROM memberships WHERE user_id = $1")
        .bind(&id)
        .execute(app.db.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE users SET platform_role = 'platform_operator' WHERE id = $1")
        .bind(&id)
        .execute(app.db.pool())
        .await
        .unwrap();
    cookie
}

fn actions(page: &Value) -> Vec<String> {
    page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap().to_owned())
        .collect()
}

async fn who_reads_which_events(app: &TestApp) {
    let (admin, member, other_owner) = setup(app).await;
    let res = list(app, None, &[("org", "acme")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let page: Value = res.json().await.unwrap();
    let seen = actions(&page);
    assert!(seen.contains(&"account.register".into()), "{seen:?}");
    assert!(seen.contains(&"member.change_role".into()), "{seen:?}");
    assert_eq!(page["org_name"], "Acme");
    // Only Acme's events: Other Co's registration is not among them.
    assert!(
        page["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["organization"] == "Acme" || r["organization"].is_null())
    );
    assert!(
        !page["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["organization"] == "Other Co")
    );

    assert_eq!(
        list(app, Some(&admin), &[("org", "acme")]).await.status(),
        StatusCode::OK
    );
    expect_error(
        list(app, Some(&member), &[("org", "acme")]).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    expect_error(
        list(app, Some(&other_owner), &[("org", "acme")]).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    expect_error(
        app.call_with_cookie("audit/list", &[("org", "acme")], "tenantry_session=nope")
            .await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
    // Everyone's log is for platform staff only.
    expect_error(
        list(app, None, &[("org", "")]).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let staff = staff(app).await;
    let all: Value = list(app, Some(&staff), &[("org", "")])
        .await
        .json()
        .await
        .unwrap();
    let orgs: Vec<&str> = all["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["organization"].as_str())
        .collect();
    assert!(
        orgs.contains(&"Acme") && orgs.contains(&"Other Co"),
        "{orgs:?}"
    );
    // Staff also read one organization's log without being members.
    assert_eq!(
        list(app, Some(&staff), &[("org", "acme")]).await.status(),
        StatusCode::OK
    );
}

async fn filters_and_paging(app: &TestApp) {
    setup(app).await;
    let org_id: String = sqlx::query("SELECT id FROM organizations WHERE slug = 'acme'")
        .fetch_one(app.db.pool())
        .await
        .map(|r| sqlx::Row::get(&r, "id"))
        .unwrap();
    let anonymous = app::audit::Actor {
        user_id: None,
        api_key_id: None,
        client_addr: "192.0.2.1".to_owned(),
    };
    for i in 0..60 {
        app::audit::record(
            app.db.pool(),
            app::audit::Event::new("test.bulk", &anonymous)
                .organization(&org_id)
                .target(&format!("item-{i}")),
        )
        .await
        .unwrap();
    }
    let page: Value = list(app, None, &[("org", "acme"), ("action", "test.bulk")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 60);
    assert_eq!(page["rows"].as_array().unwrap().len(), 50);
    let second: Value = list(
        app,
        None,
        &[("org", "acme"), ("action", "test.bulk"), ("page", "2")],
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(second["rows"].as_array().unwrap().len(), 10);
    assert!(
        page["actions"]
            .as_array()
            .unwrap()
            .contains(&Value::from("test.bulk"))
    );

    // A family of actions by prefix; the actor by part of the email.
    let members: Value = list(app, None, &[("org", "acme"), ("action", "member.")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(actions(&members), vec!["member.change_role"]);
    let by_owner: Value = list(app, None, &[("org", "acme"), ("actor", "OWNER@acme")])
        .await
        .json()
        .await
        .unwrap();
    assert!(by_owner["total"].as_i64().unwrap() >= 2);
    assert!(
        by_owner["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["actor_email"] == "owner@acme.example")
    );
    // LIKE characters are literal.
    let none: Value = list(app, None, &[("org", "acme"), ("actor", "%")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(none["total"], 0);

    // Dates: everything is from today (UTC); a range ending in 2000 is empty.
    let old: Value = list(
        app,
        None,
        &[
            ("org", "acme"),
            ("from", "1999-01-01"),
            ("to", "2000-01-01"),
        ],
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(old["total"], 0);
    let recent: Value = list(app, None, &[("org", "acme"), ("from", "2000-01-01")])
        .await
        .json()
        .await
        .unwrap();
    assert!(recent["total"].as_i64().unwrap() > 60);
    let body = expect_error(
        list(
            app,
            None,
            &[("org", "acme"), ("from", "2023-02-30"), ("to", "soon")],
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
    )
    .await;
    assert_eq!(body["fields"].as_array().unwrap().len(), 2);
    assert_eq!(body["fields"][0]["problem"]["kind"], "invalid_date");
}

async fn csv_export_and_its_refusals(app: &TestApp) {
    let (_admin, member, other_owner) = setup(app).await;
    // A name a spreadsheet would run as a formula.
    sqlx::query(
        "UPDATE organizations SET display_name = '=HYPERLINK(\"http://x\")' WHERE slug = 'acme'",
    )
    .execute(app.db.pool())
    .await
    .unwrap();
    let res = app
        .client
        .get(app.url("/audit/export.csv?org=acme"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()[header::CONTENT_TYPE],
        "text/csv; charset=utf-8"
    );
    assert!(
        res.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("audit-acme.csv")
    );
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("time_utc,actor_name,actor_email,action"));
    let total: Value = list(app, None, &[("org", "acme")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(lines.len() as i64, total["total"].as_i64().unwrap() + 1);
    assert!(csv.contains("member.change_role"));
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""),
        "formula defused: {csv}"
    );

    // The filter applies to the export too.
    let filtered = app
        .client
        .get(app.url("/audit/export.csv?org=acme&action=member.change_role"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(filtered.lines().count(), 2);

    let get = |cookie: Option<String>, url: &'static str| {
        let req = reqwest::Client::new().get(app.url(url));
        let req = match cookie {
            Some(c) => req.header(header::COOKIE, c),
            None => req,
        };
        async move { req.send().await.unwrap() }
    };
    expect_error(
        get(None, "/audit/export.csv?org=acme").await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
    expect_error(
        get(Some(member.clone()), "/audit/export.csv?org=acme").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    expect_error(
        get(Some(other_owner), "/audit/export.csv?org=acme").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    expect_error(
        get(Some(member), "/audit/export.csv").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let staff = staff(app).await;
    let all = get(Some(staff), "/audit/export.csv").await;
    assert_eq!(all.status(), StatusCode::OK);
    assert!(all.text().await.unwrap().contains("Other Co"));
}

/// Append-only: no code path updates or deletes audit events.
#[test]
fn no_code_updates_or_deletes_audit_events() {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    walk(&root.join("app/src"), &mut files);
    walk(&root.join("server/src"), &mut files);
    assert!(files.len() > 20);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap().to_uppercase();
        for forbidden in ["UPDATE AUDIT_EVENTS", "DELETE FROM AUDIT_EVENTS"] {
            assert!(
                !text.contains(forbidden),
                "{} contains {forbidden}",
                file.display()
            );
        }
    }
}
