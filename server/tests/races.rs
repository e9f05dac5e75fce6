//! Races and stale decisions, on both databases: a role read before the lock is read again
//! under it, two platform admins cannot suspend each other into having none, and a second
//! link of one OpenID identity (a parallel callback) is not an error.
// Test code: a failed unwrap is a failed test (the workspace denies them outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use app::{
    audit::Actor,
    auth::{PlatformRole, caller::Staff, principal::UserPrincipal},
    error::AppError,
    i18n::Lang,
    orgs::{OrgKind, Role, access::OrgAccess},
};
use common::TestApp;
use reqwest::StatusCode;

both_backends! {
    a_role_read_before_the_lock_is_read_again,
    admins_suspending_each_other_keep_one,
    a_second_identity_link_is_not_an_error,
}

fn principal(user_id: &str, platform_role: Option<PlatformRole>) -> UserPrincipal {
    UserPrincipal {
        user_id: user_id.to_owned(),
        email: format!("{user_id}@races.example"),
        display_name: "Racer".into(),
        language: Lang::En,
        platform_role,
        suspended: false,
        email_verified: true,
        session_hash: String::new(),
        memberships: None,
    }
}

fn actor(user_id: &str) -> Actor {
    Actor {
        user_id: Some(user_id.to_owned()),
        api_key_id: None,
        client_addr: "127.0.0.1".into(),
    }
}

async fn role_of(app: &TestApp, user_id: &str) -> String {
    sqlx::query_scalar("SELECT role FROM memberships WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

async fn a_role_read_before_the_lock_is_read_again(app: &TestApp) {
    assert_eq!(
        app.register_company("Acme", "owner@acme.example")
            .await
            .status(),
        StatusCode::OK
    );
    let (admin, _) = app.add_member("acme", "Ada", "admin").await;
    let (member, _) = app.add_member("acme", "Mo", "member").await;
    let org_id: String = sqlx::query_scalar("SELECT id FROM organizations WHERE slug = 'acme'")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    // The admin's access was checked, then an owner demoted them before the change ran.
    let stale = OrgAccess {
        org_id: org_id.clone(),
        slug: "acme".into(),
        display_name: "Acme".into(),
        kind: OrgKind::Company,
        role: Role::Admin,
        is_member: true,
        user: principal(&admin, None),
        actor: actor(&admin),
        writes: true,
    };
    sqlx::query("UPDATE memberships SET role = 'viewer' WHERE user_id = $1")
        .bind(&admin)
        .execute(app.db.pool())
        .await
        .unwrap();
    let changed =
        app::orgs::members::repo::change_role(&app.db, &stale, &member, Role::Viewer).await;
    assert_eq!(changed, Err(AppError::RoleNotAllowed));
    assert_eq!(role_of(app, &member).await, "member");
    let removed = app::orgs::members::repo::remove(&app.db, &stale, &member, "member.remove").await;
    assert_eq!(removed, Err(AppError::RoleNotAllowed));
    assert_eq!(role_of(app, &member).await, "member");
}

async fn admins_suspending_each_other_keep_one(app: &TestApp) {
    let (a, a_cookie) = app.staff("platform_admin", "a@staff.example", "en").await;
    let (b, b_cookie) = app.staff("platform_admin", "b@staff.example", "en").await;
    // At once, over HTTP: whichever is decided second finds its admin suspended.
    let suspend = |cookie: String, target: String| {
        let url = app.url("/fn/platform/users/set_status");
        async move {
            reqwest::Client::new()
                .post(url)
                .header("accept", "application/json")
                .header("cookie", cookie)
                .form(&[("user_id", target.as_str()), ("status", "suspended")])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    let (first, second) = tokio::join!(suspend(a_cookie, b.clone()), suspend(b_cookie, a.clone()));
    let ok = [first, second]
        .iter()
        .filter(|s| **s == StatusCode::OK)
        .count();
    assert!(
        ok <= 1,
        "both admins suspended each other: {first} {second}"
    );
    let active: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE platform_role = 'platform_admin' AND status = 'active'",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert!(active >= 1, "no active platform admin left");

    // The same decided one after the other, with the second admin's check already passed.
    let (c, _) = app.staff("platform_admin", "c@staff.example", "en").await;
    let (d, _) = app.staff("platform_admin", "d@staff.example", "en").await;
    let staff = |id: &str| Staff {
        user: principal(id, Some(PlatformRole::PlatformAdmin)),
        actor: actor(id),
    };
    let (c_staff, d_staff) = (staff(&c), staff(&d));
    app::platform::users::repo::set_status(&app.db, &c_staff, &d, true)
        .await
        .unwrap();
    let late = app::platform::users::repo::set_status(&app.db, &d_staff, &c, true).await;
    assert_eq!(late, Err(AppError::AccountSuspended));
    let c_status: String = sqlx::query_scalar("SELECT status FROM users WHERE id = $1")
        .bind(&c)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(c_status, "active");
}

async fn a_second_identity_link_is_not_an_error(app: &TestApp) {
    let (user, _) = app
        .staff("platform_operator", "op@staff.example", "en")
        .await;
    let who = actor(&user);
    for _ in 0..2 {
        app::auth::users::link_identity(&app.db, "https://id.example", "subject-1", &who)
            .await
            .unwrap();
    }
    let links: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM user_identities")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(links, 1);
}
