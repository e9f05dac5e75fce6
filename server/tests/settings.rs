//! Organization settings over HTTP, on both databases.
// Test code: a failed unwrap is a failed test (the workspace denies them outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestApp, expect_error};
use reqwest::StatusCode;

both_backends! {
    owner_renames_and_changes_the_slug,
    slug_rules_and_roles,
}

async fn update(app: &TestApp, org: &str, name: &str, slug: &str) -> reqwest::Response {
    app.call(
        "orgs/update",
        &[("org", org), ("display_name", name), ("slug", slug)],
    )
    .await
}

async fn owner_renames_and_changes_the_slug(app: &TestApp) {
    app.register_company("Acme", "jo@acme.example").await;
    let res = update(app, "acme", "Acme Holding", " Acme-Holding ").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers().get("serverfnredirect").is_some(),
        "the page moves to the new address"
    );
    assert_eq!(res.json::<String>().await.unwrap(), "acme-holding");
    let orgs: serde_json::Value = app.call("orgs/list_mine", &[]).await.json().await.unwrap();
    assert_eq!(orgs[0]["slug"], "acme-holding");
    assert_eq!(orgs[0]["display_name"], "Acme Holding");
    // The old slug stops working.
    let res = app.call("orgs/members/list", &[("org", "acme")]).await;
    expect_error(res, StatusCode::NOT_FOUND, "not_found").await;
    assert!(
        app.audit_actions()
            .await
            .iter()
            .any(|(a, _)| a == "org.update")
    );
}

async fn slug_rules_and_roles(app: &TestApp) {
    app.register_company("Acme", "jo@acme.example").await;
    app.register_personal("Pat", "Person", "pat@person.example")
        .await; // the client is now Pat
    let (_, admin) = app.add_member("acme", "Ada", "admin").await;
    let before = app.snapshot().await;
    let pat_slug: String = {
        use sqlx::Row;
        sqlx::query("SELECT slug FROM organizations WHERE kind = 'personal'")
            .fetch_one(app.db.pool())
            .await
            .unwrap()
            .get("slug")
    };
    for (slug, problem) in [
        ("admin", "invalid_slug"),
        ("a", "invalid_slug"),
        ("-bad-", "invalid_slug"),
        ("ÄÖÜ", "invalid_slug"),
    ] {
        let res = update(app, &pat_slug, "Pat Person", slug).await;
        let body = expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
        assert_eq!(body["fields"][0]["field"], "slug");
        assert_eq!(body["fields"][0]["problem"]["kind"], problem);
    }
    let res = update(app, &pat_slug, "Pat Person", "acme").await;
    expect_error(res, StatusCode::CONFLICT, "slug_taken").await;
    // A personal organization keeps its person's name.
    let res = update(app, &pat_slug, "Something Else", &pat_slug).await;
    let body = expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert_eq!(body["fields"][0]["field"], "display_name");
    // Admins may not change settings; strangers do not see the organization.
    let res = app
        .call_with_cookie(
            "orgs/update",
            &[
                ("org", "acme"),
                ("display_name", "Hijacked"),
                ("slug", "acme"),
            ],
            &admin,
        )
        .await;
    expect_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let res = update(app, "acme", "Hijacked", "acme").await;
    expect_error(res, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(app.snapshot().await[..4], before[..4]);
    let names: Vec<String> = {
        use sqlx::Row;
        sqlx::query("SELECT display_name FROM organizations ORDER BY display_name")
            .fetch_all(app.db.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| r.get("display_name"))
            .collect()
    };
    assert_eq!(names, ["Acme", "Pat Person"]);
}
