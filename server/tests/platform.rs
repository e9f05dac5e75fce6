//! Platform user administration over HTTP, on both databases.
// Test code: a failed unwrap is a failed test (the workspace denies them outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{PASSWORD, TestApp, expect_error};
use reqwest::StatusCode;
use serde_json::Value;

both_backends! {
    list_search_and_pages,
    suspension_ends_sessions_at_once,
    platform_roles_and_the_last_admin,
    bad_input_changes_nothing,
    users_page_renders_per_caller,
}

/// A platform admin with a session: (user id, cookie).
async fn platform_admin(app: &TestApp, name: &str) -> (String, String) {
    let (id, cookie) = app.add_member("none", name, "viewer").await;
    sqlx::query("UPDATE users SET platform_role = 'platform_admin' WHERE id = $1")
        .bind(&id)
        .execute(app.db.pool())
        .await
        .unwrap();
    (id, cookie)
}

async fn list(app: &TestApp, cookie: &str, query: &str, page: &str) -> Value {
    let res = app
        .call_with_cookie(
            "platform/users/list",
            &[("query", query), ("page", page)],
            cookie,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn list_search_and_pages(app: &TestApp) {
    let (_, admin) = platform_admin(app, "Root").await;
    for i in 0..120 {
        sqlx::query(
            "INSERT INTO users (id, email, given_name, family_name, display_name, language, status, created_at, updated_at, email_verified_at)
             VALUES ($1, $2, 'Bulk', 'User', $3, 'en', 'active', 0, 0, 0)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(format!("bulk{i:03}@bulk.example"))
        .bind(format!("Bulk User {i:03}"))
        .execute(app.db.pool())
        .await
        .unwrap();
    }
    let first = list(app, &admin, "", "1").await;
    assert_eq!(first["total"], 121);
    assert_eq!(first["users"].as_array().unwrap().len(), 50);
    assert_eq!(
        first["users"][0]["email"], "bulk000@bulk.example",
        "ordered by email"
    );
    let third = list(app, &admin, "", "3").await;
    assert_eq!(third["users"].as_array().unwrap().len(), 21);
    let found = list(app, &admin, "BULK07", "1").await;
    assert_eq!(found["total"], 10, "case-insensitive search on email");
    let by_name = list(app, &admin, "user 11", "1").await;
    assert_eq!(by_name["total"], 10, "search on the name");
    let literal = list(app, &admin, "bulk_0%", "1").await;
    assert_eq!(literal["total"], 0, "LIKE characters are taken literally");
    let beyond = list(app, &admin, "", "99").await;
    assert_eq!(beyond["users"].as_array().unwrap().len(), 0);
}

async fn suspension_ends_sessions_at_once(app: &TestApp) {
    let (_, admin) = platform_admin(app, "Root").await;
    app.register_company("Acme", "jo@acme.example").await;
    let jo: String = {
        use sqlx::Row;
        sqlx::query("SELECT id FROM users WHERE email = 'jo@acme.example'")
            .fetch_one(app.db.pool())
            .await
            .unwrap()
            .get("id")
    };
    assert_eq!(
        app.call("orgs/list_mine", &[]).await.status(),
        StatusCode::OK
    );
    let res = app
        .call_with_cookie(
            "platform/users/set_status",
            &[("user_id", &jo), ("status", "suspended")],
            &admin,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // The session row is gone: every process refuses it from now on.
    let res = app.call("orgs/list_mine", &[]).await;
    expect_error(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    let res = app.sign_in("jo@acme.example", PASSWORD).await;
    expect_error(res, StatusCode::FORBIDDEN, "account_suspended").await;
    let page = list(app, &admin, "jo@", "1").await;
    assert_eq!(page["users"][0]["suspended"], true);
    let res = app
        .call_with_cookie(
            "platform/users/set_status",
            &[("user_id", &jo), ("status", "active")],
            &admin,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        app.sign_in("jo@acme.example", PASSWORD).await.status(),
        StatusCode::OK
    );
    let audit = app.audit_actions().await;
    assert!(audit.iter().any(|(a, _)| a == "platform.user_suspend"));
    assert!(audit.iter().any(|(a, _)| a == "platform.user_activate"));
}

async fn platform_roles_and_the_last_admin(app: &TestApp) {
    let (root, admin) = platform_admin(app, "Root").await;
    let res = app
        .call_with_cookie(
            "platform/users/set_role",
            &[("user_id", &root), ("role", "")],
            &admin,
        )
        .await;
    expect_error(res, StatusCode::CONFLICT, "last_platform_admin").await;
    let res = app
        .call_with_cookie(
            "platform/users/set_status",
            &[("user_id", &root), ("status", "suspended")],
            &admin,
        )
        .await;
    expect_error(res, StatusCode::CONFLICT, "own_account").await;
    // Grant a second admin, then step down.
    let (other, other_cookie) = app.add_member("none", "Second", "viewer").await;
    let res = app
        .call_with_cookie(
            "platform/users/set_role",
            &[("user_id", &other), ("role", "platform_admin")],
            &admin,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .call_with_cookie(
            "platform/users/set_role",
            &[("user_id", &root), ("role", "platform_operator")],
            &admin,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // The former admin (now an operator) no longer administers users; the new admin does.
    let res = app
        .call_with_cookie("platform/users/list", &[("query", "")], &admin)
        .await;
    expect_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let page = list(app, &other_cookie, "", "1").await;
    let roles: Vec<&Value> = page["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| &u["platform_role"])
        .collect();
    assert!(
        roles.contains(&&Value::from("platform_operator"))
            && roles.contains(&&Value::from("platform_admin"))
    );
}

async fn bad_input_changes_nothing(app: &TestApp) {
    let (root, admin) = platform_admin(app, "Root").await;
    let before = app.snapshot().await;
    let res = app
        .call_with_cookie(
            "platform/users/set_status",
            &[("user_id", &root), ("status", "banned")],
            &admin,
        )
        .await;
    expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    let res = app
        .call_with_cookie(
            "platform/users/set_role",
            &[("user_id", &root), ("role", "god")],
            &admin,
        )
        .await;
    expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    let res = app
        .call_with_cookie(
            "platform/users/set_status",
            &[("user_id", "nobody"), ("status", "suspended")],
            &admin,
        )
        .await;
    expect_error(res, StatusCode::NOT_FOUND, "not_found").await;
    let long = "q".repeat(201);
    let res = app
        .call_with_cookie("platform/users/list", &[("query", &long)], &admin)
        .await;
    expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    let res = app
        .call_with_cookie("platform/users/list", &[("page", "-1")], &admin)
        .await;
    expect_error(res, StatusCode::BAD_REQUEST, "bad_request").await;
    assert_eq!(app.snapshot().await, before);
}

async fn users_page_renders_per_caller(app: &TestApp) {
    let (_, admin) = platform_admin(app, "Root").await;
    let (_, customer) = app.add_member("none", "Carla", "viewer").await;
    let get = |cookie: Option<String>| {
        let mut req = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .get(app.url("/platform/users?q=carla"))
            .header(reqwest::header::ACCEPT, "text/html");
        if let Some(cookie) = cookie {
            req = req.header(reqwest::header::COOKIE, cookie);
        }
        req.send()
    };
    let res = get(Some(admin)).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("Carla"));
    assert_eq!(
        html.matches("data-test=\"user-row\"").count(),
        1,
        "the search filters the rows"
    );
    let res = get(Some(customer)).await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("data-code=\"forbidden\"")
    );
    let res = get(None).await.unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
}
