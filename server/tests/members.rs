//! Member management rules over HTTP, on both databases: owner transfer, the last-owner
//! rule, what admins may and may not do, and bad input.
// Test code: a failed unwrap is a failed test (the workspace denies them outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestApp, expect_error};
use reqwest::StatusCode;
use serde_json::Value;

both_backends! {
    owner_transfer_and_the_last_owner,
    admins_manage_below_owner,
    members_and_viewers_read_only,
    bad_input_changes_nothing,
    members_page_renders_per_caller,
    each_request_sees_the_memberships_as_they_are,
}

/// Registers "Acme" and returns the owner's user id and the organization slug.
async fn acme(app: &TestApp) -> (String, String) {
    assert_eq!(
        app.register_company("Acme", "owner@acme.example")
            .await
            .status(),
        StatusCode::OK
    );
    let members = list(app, None, "acme").await;
    (
        members["my_user_id"].as_str().unwrap().to_owned(),
        "acme".to_owned(),
    )
}

async fn list(app: &TestApp, cookie: Option<&str>, org: &str) -> Value {
    let res = match cookie {
        Some(c) => {
            app.call_with_cookie("orgs/members/list", &[("org", org)], c)
                .await
        }
        None => app.call("orgs/members/list", &[("org", org)]).await,
    };
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn role_of(members: &Value, user_id: &str) -> Option<String> {
    members["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user_id"] == user_id)
        .map(|m| m["role"].as_str().unwrap().to_owned())
}

async fn owner_transfer_and_the_last_owner(app: &TestApp) {
    let (owner, org) = acme(app).await;
    // The sole owner can neither step down nor leave.
    let res = app
        .call(
            "orgs/members/change_role",
            &[("org", &org), ("user_id", &owner), ("role", "admin")],
        )
        .await;
    expect_error(res, StatusCode::CONFLICT, "last_owner").await;
    let res = app.call("orgs/members/leave", &[("org", &org)]).await;
    expect_error(res, StatusCode::CONFLICT, "last_owner").await;
    let res = app
        .call("orgs/members/remove", &[("org", &org), ("user_id", &owner)])
        .await;
    expect_error(res, StatusCode::CONFLICT, "last_owner").await;

    // Transfer: promote a member to owner, then step down.
    let (heir, heir_cookie) = app.add_member(&org, "Heir", "member").await;
    let res = app
        .call(
            "orgs/members/change_role",
            &[("org", &org), ("user_id", &heir), ("role", "owner")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .call(
            "orgs/members/change_role",
            &[("org", &org), ("user_id", &owner), ("role", "admin")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let members = list(app, None, &org).await;
    assert_eq!(role_of(&members, &heir).as_deref(), Some("owner"));
    assert_eq!(role_of(&members, &owner).as_deref(), Some("admin"));
    // The former owner cannot take ownership back by themselves.
    let res = app
        .call(
            "orgs/members/change_role",
            &[("org", &org), ("user_id", &owner), ("role", "owner")],
        )
        .await;
    expect_error(res, StatusCode::FORBIDDEN, "role_not_allowed").await;
    // Now the heir is the last owner.
    let res = app
        .call_with_cookie("orgs/members/leave", &[("org", &org)], &heir_cookie)
        .await;
    expect_error(res, StatusCode::CONFLICT, "last_owner").await;
    // The former owner (now admin) may leave.
    let res = app.call("orgs/members/leave", &[("org", &org)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let members = list(app, Some(&heir_cookie), &org).await;
    assert_eq!(role_of(&members, &owner), None);
    // Gone from the organization: it answers as if it did not exist.
    let res = app.call("orgs/members/list", &[("org", &org)]).await;
    expect_error(res, StatusCode::NOT_FOUND, "not_found").await;
    let audit = app.audit_actions().await;
    for action in ["member.change_role", "member.leave"] {
        assert!(audit.iter().any(|(a, _)| a == action), "{action} audited");
    }
}

async fn admins_manage_below_owner(app: &TestApp) {
    let (owner, org) = acme(app).await;
    let (admin, admin_cookie) = app.add_member(&org, "Admin", "admin").await;
    let (viewer, _) = app.add_member(&org, "Viewer", "viewer").await;
    let (member, _) = app.add_member(&org, "Member", "member").await;
    let call = |endpoint: &'static str, form: Vec<(&'static str, String)>| {
        let cookie = admin_cookie.clone();
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.call_with_cookie(endpoint, &form, &cookie).await
        }
    };
    let org_s = || ("org", org.clone());
    for (user, role) in [(&owner, "admin"), (&member, "owner")] {
        let res = call(
            "orgs/members/change_role",
            vec![org_s(), ("user_id", user.clone()), ("role", role.into())],
        )
        .await;
        expect_error(res, StatusCode::FORBIDDEN, "role_not_allowed").await;
    }
    let res = call(
        "orgs/members/change_role",
        vec![
            org_s(),
            ("user_id", admin.clone()),
            ("role", "owner".into()),
        ],
    )
    .await;
    expect_error(res, StatusCode::FORBIDDEN, "role_not_allowed").await;
    let res = call(
        "orgs/members/remove",
        vec![org_s(), ("user_id", owner.clone())],
    )
    .await;
    expect_error(res, StatusCode::FORBIDDEN, "role_not_allowed").await;
    let res = call(
        "orgs/members/change_role",
        vec![
            org_s(),
            ("user_id", viewer.clone()),
            ("role", "admin".into()),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK, "admins grant admin");
    let res = call(
        "orgs/members/remove",
        vec![org_s(), ("user_id", member.clone())],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK, "admins remove members");
    let members = list(app, None, &org).await;
    assert_eq!(role_of(&members, &viewer).as_deref(), Some("admin"));
    assert_eq!(role_of(&members, &member), None);
    assert_eq!(role_of(&members, &owner).as_deref(), Some("owner"));
}

async fn members_and_viewers_read_only(app: &TestApp) {
    let (owner, org) = acme(app).await;
    for role in ["member", "viewer"] {
        let (me, cookie) = app.add_member(&org, role, role).await;
        let members = list(app, Some(&cookie), &org).await;
        assert_eq!(members["my_role"], role);
        assert!(members["members"].as_array().unwrap().len() >= 2);
        let res = app
            .call_with_cookie(
                "orgs/members/change_role",
                &[("org", &org), ("user_id", &me), ("role", "admin")],
                &cookie,
            )
            .await;
        expect_error(res, StatusCode::FORBIDDEN, "forbidden").await;
        let res = app
            .call_with_cookie(
                "orgs/members/remove",
                &[("org", &org), ("user_id", &owner)],
                &cookie,
            )
            .await;
        expect_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    }
}

async fn bad_input_changes_nothing(app: &TestApp) {
    let (owner, org) = acme(app).await;
    let before = app.snapshot().await;
    let res = app
        .call(
            "orgs/members/change_role",
            &[("org", &org), ("user_id", &owner), ("role", "superuser")],
        )
        .await;
    let body = expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert_eq!(body["fields"][0]["field"], "role");
    let res = app
        .call(
            "orgs/members/change_role",
            &[("org", &org), ("user_id", "nobody"), ("role", "viewer")],
        )
        .await;
    expect_error(res, StatusCode::NOT_FOUND, "not_found").await;
    let res = app
        .call(
            "orgs/members/remove",
            &[("org", "no-such-org"), ("user_id", &owner)],
        )
        .await;
    expect_error(res, StatusCode::NOT_FOUND, "not_found").await;
    let res = app.call("orgs/members/list", &[]).await;
    expect_error(res, StatusCode::BAD_REQUEST, "bad_request").await;
    assert_eq!(app.snapshot().await, before);
}

async fn members_page_renders_per_caller(app: &TestApp) {
    let (_, org) = acme(app).await;
    let (_, viewer_cookie) = app.add_member(&org, "Vera", "viewer").await;
    let page = |cookie: Option<String>| {
        let mut req = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .get(app.url(&format!("/orgs/{org}/members")))
            .header(reqwest::header::ACCEPT, "text/html");
        if let Some(cookie) = cookie {
            req = req.header(reqwest::header::COOKIE, cookie);
        }
        req.send()
    };
    // The owner (the test client's own session) sees controls.
    let res = app
        .client
        .get(app.url(&format!("/orgs/{org}/members")))
        .header(reqwest::header::ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("Vera") && html.contains("data-test=\"leave-org\""));
    assert!(html.contains("name=\"role\""), "owners get role controls");
    // A viewer reads without controls.
    let html = page(Some(viewer_cookie))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-test=\"read-only\"") && !html.contains("name=\"role\""));
    // Strangers get 404, signed-out visitors the sign-in page.
    let (_, stranger) = {
        app.register_personal("Sam", "Stranger", "sam@stranger.example")
            .await;
        app.add_member("no-org-here", "Nobody", "viewer").await
    };
    let res = page(Some(stranger)).await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = page(None).await.unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
}

/// The caller's organizations and roles are read with their session, once per request:
/// every change the owner makes shows in the member's very next request, in the header's
/// list and in what the member may do.
async fn each_request_sees_the_memberships_as_they_are(app: &TestApp) {
    let (_, org) = acme(app).await;
    let (vic, vic_cookie) = app.add_member(&org, "Vic", "viewer").await;
    // A second organization, named to sort after Acme, with Vic as its admin.
    let zeta = app.insert_org("company", "Zeta Works").await;
    sqlx::query(
        "INSERT INTO memberships (organization_id, user_id, role, created_at)
         VALUES ($1, $2, 'admin', 0)",
    )
    .bind(&zeta)
    .bind(&vic)
    .execute(app.db.pool())
    .await
    .unwrap();
    let vics_organizations = || async {
        let res = app.call_with_cookie("auth/session", &[], &vic_cookie).await;
        assert_eq!(res.status(), StatusCode::OK);
        let session: Value = res.json().await.unwrap();
        session["user"]["organizations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                format!(
                    "{} {} {}",
                    o["display_name"].as_str().unwrap(),
                    o["kind"].as_str().unwrap(),
                    o["role"].as_str().unwrap()
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        vics_organizations().await,
        ["Acme company viewer", "Zeta Works company admin"]
    );
    assert_eq!(
        list(app, Some(&vic_cookie), &org).await["my_role"],
        "viewer"
    );

    // The owner promotes Vic from viewer to member and renames the organization.
    let res = app
        .call(
            "orgs/members/change_role",
            &[("org", &org), ("user_id", &vic), ("role", "member")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .call(
            "orgs/update",
            &[
                ("org", &org),
                ("display_name", "Acme Renamed"),
                ("slug", &org),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        vics_organizations().await,
        ["Acme Renamed company member", "Zeta Works company admin"]
    );
    assert_eq!(
        list(app, Some(&vic_cookie), &org).await["my_role"],
        "member"
    );

    // Removed, Vic no longer finds the organization at all.
    let res = app
        .call("orgs/members/remove", &[("org", &org), ("user_id", &vic)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(vics_organizations().await, ["Zeta Works company admin"]);
    let res = app
        .call_with_cookie("orgs/members/list", &[("org", &org)], &vic_cookie)
        .await;
    expect_error(res, StatusCode::NOT_FOUND, "not_found").await;

    // A deleted organization drops out of the list the same way.
    sqlx::query("UPDATE organizations SET status = 'deleted' WHERE id = $1")
        .bind(&zeta)
        .execute(app.db.pool())
        .await
        .unwrap();
    assert!(vics_organizations().await.is_empty());

    // Platform staff outside the organization still read it, as viewers.
    let (_, staff_cookie) = app
        .staff("platform_operator", "op@members.example", "en")
        .await;
    assert_eq!(
        list(app, Some(&staff_cookie), &org).await["my_role"],
        "viewer"
    );
}
