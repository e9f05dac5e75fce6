//! The authorization matrix: every server function called as every kind of caller, with the
//! expected answer for each. A denied call must leave the database unchanged, and a server
//! function without a row here fails the suite.
// Test code: a failed unwrap is a failed test (the workspace denies them outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestApp;
use reqwest::header;
use sqlx::Row;
use std::collections::BTreeSet;

both_backends! {
    authorization_matrix with ["rate_limits" => {"registrations_per_hour": 100000}],
    control_characters_change_nothing with ["rate_limits" => {"registrations_per_hour": 100000}],
}

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Actor {
    Anonymous,
    Viewer,
    Member,
    Admin,
    Owner,
    /// Owner of a different organization.
    OtherOwner,
    /// A member of the organization whose account is suspended.
    Suspended,
    /// Platform operator without a membership.
    Operator,
    /// Platform admin without a membership.
    PlatformAdmin,
    /// An admin of the organization whose email address is not confirmed yet.
    Unverified,
}

const ACTORS: [Actor; 10] = [
    Actor::Anonymous,
    Actor::Viewer,
    Actor::Member,
    Actor::Admin,
    Actor::Owner,
    Actor::OtherOwner,
    Actor::Suspended,
    Actor::Operator,
    Actor::PlatformAdmin,
    Actor::Unverified,
];

/// One organization with a member of every role, a second organization, platform staff and
/// a spare member to act on. Built with plain inserts, fresh for every cell.
struct Fixture {
    slug: String,
    ids: Vec<(Actor, String)>,
    /// A member (role `member`) that management calls act on.
    target: String,
    /// An account with a known password, for the sign-in row.
    login_email: String,
    /// A pending invitation for a new address: (id, token).
    invitation_new: (String, String),
    /// A pending invitation for the other organization's owner: its token.
    invitation_other_owner: String,
    /// A pending instance request of the organization.
    request: String,
    /// An API key of the organization, made by its owner.
    key: String,
}

/// Inserts a pending invitation to the organization and returns its id and token.
async fn insert_invitation(
    app: &TestApp,
    org: &str,
    email: &str,
    inviter: &str,
) -> (String, String) {
    let id = uuid::Uuid::new_v4().to_string();
    let token = app::auth::session::new_token().unwrap();
    sqlx::query(
        "INSERT INTO invitations (id, organization_id, email, role, token_hash, status, language, invited_by,
                                  created_at, expires_at, email_status)
         VALUES ($1, $2, $3, 'member', $4, 'pending', 'en', $5, 0, 99999999999999, 'sent')",
    )
    .bind(&id)
    .bind(org)
    .bind(email)
    .bind(app::auth::session::hash_token(&token))
    .bind(inviter)
    .execute(app.db.pool())
    .await
    .unwrap();
    (id, token)
}

const LOGIN_PASSWORD: &str = "matrix password 123";

async fn insert_user(
    app: &TestApp,
    tag: &str,
    status: &str,
    platform_role: Option<&str>,
    hash: Option<&str>,
) -> (String, String) {
    insert_account(app, tag, status, platform_role, hash, Some(0)).await
}

async fn insert_account(
    app: &TestApp,
    tag: &str,
    status: &str,
    platform_role: Option<&str>,
    hash: Option<&str>,
    email_verified_at: Option<i64>,
) -> (String, String) {
    let id = uuid::Uuid::new_v4().to_string();
    let email = format!("{tag}-{}@matrix.example", &id[..8]);
    sqlx::query(
        "INSERT INTO users (id, email, given_name, family_name, display_name, language, status, platform_role,
                            password_hash, created_at, updated_at, email_verified_at)
         VALUES ($1, $2, $3, 'Test', $3, 'en', $4, $5, $6, 0, 0, $7)",
    )
    .bind(&id)
    .bind(&email)
    .bind(tag)
    .bind(status)
    .bind(platform_role)
    .bind(hash)
    .bind(email_verified_at)
    .execute(app.db.pool())
    .await
    .unwrap();
    (id, email)
}

async fn insert_org(app: &TestApp, owner: &str) -> (String, String) {
    let id = uuid::Uuid::new_v4().to_string();
    let slug = format!("org-{}", &id[..8]);
    sqlx::query(
        "INSERT INTO organizations (id, kind, slug, display_name, email_domain, status, created_by, created_at, updated_at)
         VALUES ($1, 'company', $2, $2, NULL, 'active', $3, 0, 0)",
    )
    .bind(&id)
    .bind(&slug)
    .bind(owner)
    .execute(app.db.pool())
    .await
    .unwrap();
    (id, slug)
}

async fn add_member(app: &TestApp, org: &str, user: &str, role: &str) {
    sqlx::query("INSERT INTO memberships (organization_id, user_id, role, created_at) VALUES ($1, $2, $3, 0)")
        .bind(org)
        .bind(user)
        .bind(role)
        .execute(app.db.pool())
        .await
        .unwrap();
}

impl Fixture {
    async fn create(app: &TestApp, login_hash: &str) -> Fixture {
        let (owner, _) = insert_user(app, "owner", "active", None, None).await;
        let (org, slug) = insert_org(app, &owner).await;
        add_member(app, &org, &owner, "owner").await;
        let mut ids = vec![(Actor::Owner, owner)];
        for (actor, role, status) in [
            (Actor::Admin, "admin", "active"),
            (Actor::Member, "member", "active"),
            (Actor::Viewer, "viewer", "active"),
            (Actor::Suspended, "member", "suspended"),
        ] {
            let (id, _) = insert_user(app, role, status, None, None).await;
            add_member(app, &org, &id, role).await;
            ids.push((actor, id));
        }
        let (target, _) = insert_user(app, "target", "active", None, None).await;
        add_member(app, &org, &target, "member").await;
        let (other_owner, other_email) = insert_user(app, "other", "active", None, None).await;
        let (other_org, _) = insert_org(app, &other_owner).await;
        add_member(app, &other_org, &other_owner, "owner").await;
        ids.push((Actor::OtherOwner, other_owner));
        let (operator, _) =
            insert_user(app, "operator", "active", Some("platform_operator"), None).await;
        ids.push((Actor::Operator, operator));
        let (padmin, _) = insert_user(app, "padmin", "active", Some("platform_admin"), None).await;
        ids.push((Actor::PlatformAdmin, padmin));
        let (unverified, _) = insert_account(app, "unverified", "active", None, None, None).await;
        add_member(app, &org, &unverified, "admin").await;
        ids.push((Actor::Unverified, unverified));
        let (_, login_email) = insert_user(app, "login", "active", None, Some(login_hash)).await;
        let owner = ids[0].1.clone();
        let fresh = format!("invitee-{}@matrix.example", uuid::Uuid::new_v4().simple());
        let invitation_new = insert_invitation(app, &org, &fresh, &owner).await;
        let (_, invitation_other_owner) = insert_invitation(app, &org, &other_email, &owner).await;
        let request = uuid::Uuid::new_v4().to_string();
        sqlx::query(
            "INSERT INTO instance_requests (id, organization_id, requested_by, status, agent_name, soul_md,
                agents_md, packages, billing_street, billing_postal_code, billing_city, billing_country,
                contact_name, contact_email, created_at, updated_at)
             VALUES ($1, $2, $3, 'pending', 'Agent', '', '', '[]', 'S', 'P', 'C', 'CH', 'N', 'n@x.example', 0, 0)",
        )
        .bind(&request)
        .bind(&org)
        .bind(&owner)
        .execute(app.db.pool())
        .await
        .unwrap();
        let key = uuid::Uuid::new_v4().to_string();
        sqlx::query(
            "INSERT INTO api_keys (id, organization_id, name, token_hash, display_prefix, scopes,
                                   created_by, created_at, updated_at)
             VALUES ($1, $2, 'agent', $3, 'tny_abcd…wxyz', 'read', $4, 0, 0)",
        )
        .bind(&key)
        .bind(&org)
        .bind(uuid::Uuid::new_v4().simple().to_string())
        .bind(&owner)
        .execute(app.db.pool())
        .await
        .unwrap();
        Fixture {
            slug,
            ids,
            target,
            login_email,
            invitation_new,
            invitation_other_owner,
            request,
            key,
        }
    }

    /// A `Cookie` header for `actor` with a fresh session (none for anonymous).
    async fn cookie(&self, app: &TestApp, actor: Actor) -> Option<String> {
        let (_, user_id) = self.ids.iter().find(|(a, _)| *a == actor)?;
        let token = app::auth::session::create(&app.db, &app.config, user_id, "127.0.0.1", None)
            .await
            .unwrap();
        Some(format!("tenantry_session={token}"))
    }
}

/// One server function: how to call it and what each actor gets, in [`ACTORS`] order.
struct Case {
    endpoint: &'static str,
    args: fn(&Fixture) -> Vec<(String, String)>,
    expect: [u16; 10],
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

//                 anon viewer member admin owner other susp  oper  padmin unverified
const OPEN: [u16; 10] = [200, 200, 200, 200, 200, 200, 200, 200, 200, 200];
const MANAGE: [u16; 10] = [401, 403, 403, 200, 200, 404, 403, 403, 403, 403];
/// Members of the organization and platform staff.
const READ: [u16; 10] = [401, 200, 200, 200, 200, 404, 403, 200, 200, 403];
const STAFF: [u16; 10] = [401, 403, 403, 403, 403, 403, 403, 200, 200, 403];
const PLATFORM_ADMIN: [u16; 10] = [401, 403, 403, 403, 403, 403, 403, 403, 200, 403];

fn cases() -> Vec<Case> {
    vec![
        Case {
            endpoint: "auth/register",
            args: |_| {
                let email = format!(
                    "new-{}@fresh-{}.example",
                    uuid::Uuid::new_v4().simple(),
                    uuid::Uuid::new_v4().simple()
                );
                pairs(&[
                    ("kind", "company"),
                    ("company_name", "Fresh Company"),
                    ("given_name", "New"),
                    ("family_name", "Person"),
                    ("email", &email),
                    ("password", "a long enough password"),
                    ("language", "en"),
                ])
            },
            expect: OPEN,
        },
        Case {
            endpoint: "auth/sign_in",
            args: |fx| pairs(&[("email", &fx.login_email), ("password", LOGIN_PASSWORD)]),
            expect: OPEN,
        },
        Case {
            endpoint: "auth/sign_out",
            args: |_| vec![],
            expect: OPEN,
        },
        Case {
            endpoint: "auth/session",
            args: |_| vec![],
            expect: OPEN,
        },
        Case {
            endpoint: "auth/address_status",
            args: |_| vec![],
            expect: [401, 200, 200, 200, 200, 200, 403, 200, 200, 200],
        },
        Case {
            endpoint: "auth/resend_verification",
            args: |_| vec![],
            expect: [401, 200, 200, 200, 200, 200, 403, 200, 200, 200],
        },
        Case {
            endpoint: "auth/set_language",
            args: |_| pairs(&[("lang", "de")]),
            expect: OPEN,
        },
        Case {
            endpoint: "orgs/list_mine",
            args: |_| vec![],
            expect: [401, 200, 200, 200, 200, 200, 403, 200, 200, 403],
        },
        Case {
            endpoint: "orgs/members/list",
            args: |fx| pairs(&[("org", &fx.slug)]),
            expect: [401, 200, 200, 200, 200, 404, 403, 200, 200, 403],
        },
        Case {
            endpoint: "orgs/members/change_role",
            args: |fx| {
                pairs(&[
                    ("org", &fx.slug),
                    ("user_id", &fx.target),
                    ("role", "viewer"),
                ])
            },
            expect: MANAGE,
        },
        Case {
            endpoint: "orgs/members/remove",
            args: |fx| pairs(&[("org", &fx.slug), ("user_id", &fx.target)]),
            expect: MANAGE,
        },
        Case {
            endpoint: "orgs/members/leave",
            args: |fx| pairs(&[("org", &fx.slug)]),
            // The sole owner may not leave (409 last_owner); staff without membership have nothing to leave.
            expect: [401, 200, 200, 200, 409, 404, 403, 403, 403, 403],
        },
        Case {
            endpoint: "orgs/update",
            // The fixture's own name and slug: an owner's call succeeds and changes nothing visible.
            args: |fx| {
                pairs(&[
                    ("org", &fx.slug),
                    ("display_name", &fx.slug),
                    ("slug", &fx.slug),
                ])
            },
            expect: [401, 403, 403, 403, 200, 404, 403, 403, 403, 403],
        },
        Case {
            endpoint: "orgs/settings",
            args: |fx| pairs(&[("org", &fx.slug)]),
            expect: [401, 403, 403, 403, 200, 404, 403, 403, 403, 403],
        },
        Case {
            endpoint: "orgs/invitations/list",
            args: |fx| pairs(&[("org", &fx.slug)]),
            expect: MANAGE,
        },
        Case {
            endpoint: "orgs/invitations/create",
            args: |fx| {
                let email = format!("new-{}@matrix.example", uuid::Uuid::new_v4().simple());
                pairs(&[
                    ("org", &fx.slug),
                    ("email", &email),
                    ("role", "viewer"),
                    ("language", "en"),
                ])
            },
            expect: MANAGE,
        },
        Case {
            endpoint: "orgs/invitations/resend",
            args: |fx| pairs(&[("org", &fx.slug), ("id", &fx.invitation_new.0)]),
            expect: MANAGE,
        },
        Case {
            endpoint: "orgs/invitations/revoke",
            args: |fx| pairs(&[("org", &fx.slug), ("id", &fx.invitation_new.0)]),
            expect: MANAGE,
        },
        Case {
            endpoint: "invitations/preview",
            args: |fx| pairs(&[("token", &fx.invitation_new.1)]),
            expect: OPEN,
        },
        Case {
            endpoint: "invitations/accept",
            // Only the invited person (here the other organization's owner) may accept.
            args: |fx| pairs(&[("token", &fx.invitation_other_owner)]),
            expect: [401, 403, 403, 403, 403, 200, 403, 403, 403, 403],
        },
        Case {
            endpoint: "invitations/accept_new",
            // Creating an account is for signed-out people; signed-in ones accept as themselves.
            args: |fx| {
                pairs(&[
                    ("token", &fx.invitation_new.1),
                    ("given_name", "New"),
                    ("family_name", "Member"),
                    ("password", "a long enough password"),
                    ("language", "en"),
                ])
            },
            expect: [200, 400, 400, 400, 400, 400, 400, 400, 400, 400],
        },
        Case {
            endpoint: "auth/oidc_issuers",
            args: |_| vec![],
            expect: OPEN,
        },
        Case {
            endpoint: "audit/list",
            // Owners and admins, and platform staff (who read without a membership).
            args: |fx| pairs(&[("org", &fx.slug)]),
            expect: [401, 403, 403, 200, 200, 404, 403, 200, 200, 403],
        },
        Case {
            endpoint: "admin/requests/list",
            args: |_| pairs(&[("status", "pending")]),
            expect: STAFF,
        },
        Case {
            endpoint: "admin/requests/approve",
            args: |fx| pairs(&[("id", &fx.request), ("note", "ok")]),
            expect: STAFF,
        },
        Case {
            endpoint: "admin/requests/reject",
            args: |fx| pairs(&[("id", &fx.request), ("note", "missing billing")]),
            expect: STAFF,
        },
        Case {
            endpoint: "admin/requests/get",
            args: |fx| pairs(&[("id", &fx.request)]),
            expect: STAFF,
        },
        // Staff's provisioning actions; the id names no instance, so staff get 404 (the
        // actions themselves are tested in provisioning.rs).
        Case {
            endpoint: "admin/instances/retry",
            args: |fx| pairs(&[("instance_id", &fx.request)]),
            expect: [401, 403, 403, 403, 403, 403, 403, 404, 404, 403],
        },
        Case {
            endpoint: "admin/instances/reconcile",
            args: |fx| pairs(&[("instance_id", &fx.request)]),
            expect: [401, 403, 403, 403, 403, 403, 403, 404, 404, 403],
        },
        Case {
            endpoint: "admin/instances/deprovision",
            args: |fx| pairs(&[("instance_id", &fx.request)]),
            expect: [401, 403, 403, 403, 403, 403, 403, 404, 404, 403],
        },
        // The API reference holds no data: anyone reads it.
        Case {
            endpoint: "docs/reference",
            args: |_| Vec::new(),
            expect: OPEN,
        },
        // API keys: members read the list; owners and admins (members) manage.
        Case {
            endpoint: "keys/list",
            args: |fx| pairs(&[("slug", &fx.slug)]),
            expect: READ,
        },
        Case {
            endpoint: "keys/mint",
            args: |fx| pairs(&[("slug", &fx.slug), ("name", "agent")]),
            expect: MANAGE,
        },
        Case {
            endpoint: "keys/revoke",
            args: |fx| pairs(&[("slug", &fx.slug), ("id", &fx.key)]),
            expect: MANAGE,
        },
        Case {
            endpoint: "keys/reroll",
            args: |fx| pairs(&[("slug", &fx.slug), ("id", &fx.key)]),
            expect: MANAGE,
        },
        Case {
            endpoint: "requests/wizard",
            args: |fx| pairs(&[("slug", &fx.slug)]),
            expect: READ,
        },
        Case {
            endpoint: "orgs/overview",
            args: |fx| pairs(&[("slug", &fx.slug)]),
            expect: READ,
        },
        Case {
            endpoint: "requests/submit",
            // Owners, and platform staff on a customer's behalf.
            args: |fx| {
                pairs(&[
                    ("slug", &fx.slug),
                    ("draft[agent_name]", "Ada"),
                    ("draft[soul_md]", "# Soul"),
                    ("draft[agents_md]", "# Agents"),
                    ("draft[packages][]", "git"),
                    ("draft[billing_company]", "Matrix AG"),
                    ("draft[billing_street]", "Main 1"),
                    ("draft[billing_postal_code]", "8000"),
                    ("draft[billing_city]", "Zürich"),
                    ("draft[billing_country]", "CH"),
                    ("draft[contact_name]", "Mo Matrix"),
                    ("draft[contact_email]", "mo@matrix.example"),
                ])
            },
            expect: [401, 403, 403, 403, 200, 404, 403, 200, 200, 403],
        },
        Case {
            endpoint: "platform/overview",
            args: |_| Vec::new(),
            expect: STAFF,
        },
        Case {
            endpoint: "platform/users/list",
            args: |_| pairs(&[("query", "matrix")]),
            expect: PLATFORM_ADMIN,
        },
        Case {
            endpoint: "platform/users/set_status",
            args: |fx| pairs(&[("user_id", &fx.target), ("status", "suspended")]),
            expect: PLATFORM_ADMIN,
        },
        Case {
            endpoint: "platform/users/set_role",
            args: |fx| pairs(&[("user_id", &fx.target), ("role", "platform_operator")]),
            expect: PLATFORM_ADMIN,
        },
    ]
}

/// Everything a denied call must not touch.
async fn digest(app: &TestApp) -> Vec<String> {
    let mut out = Vec::new();
    for (sql, cols) in [
        (
            "SELECT organization_id, user_id, role FROM memberships ORDER BY organization_id, user_id",
            3,
        ),
        (
            "SELECT id, status, COALESCE(platform_role, '-') AS platform_role, language FROM users ORDER BY id",
            4,
        ),
        (
            "SELECT id, slug, display_name, status FROM organizations ORDER BY id",
            4,
        ),
        ("SELECT id_hash FROM sessions ORDER BY id_hash", 1),
        ("SELECT id FROM audit_events ORDER BY id", 1),
        ("SELECT id FROM rate_limit_events ORDER BY id", 1),
        (
            "SELECT id, status, token_hash, role FROM invitations ORDER BY id",
            4,
        ),
        (
            "SELECT id, status, COALESCE(admin_note, '-') AS note FROM instance_requests ORDER BY id",
            3,
        ),
        ("SELECT id FROM instances ORDER BY id", 1),
        ("SELECT id FROM mail_outbox ORDER BY id", 1),
    ] {
        for row in sqlx::query(sql).fetch_all(app.db.pool()).await.unwrap() {
            let fields: Vec<String> = (0..cols).map(|i| row.get::<String, _>(i)).collect();
            out.push(fields.join("|"));
        }
        out.push("--".into());
    }
    out
}

async fn authorization_matrix(app: &TestApp) {
    let cases = cases();
    // A server function without a row fails here.
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .collect();
    let covered: BTreeSet<String> = cases
        .iter()
        .map(|c| format!("/fn/{}", c.endpoint))
        .collect();
    assert_eq!(
        registered, covered,
        "every server function needs a row in the authorization matrix"
    );

    let login_hash = app::auth::password::hash(LOGIN_PASSWORD.into())
        .await
        .unwrap();
    let mut cells = 0;
    for case in &cases {
        for (actor, expected) in ACTORS.iter().zip(case.expect) {
            let fx = Fixture::create(app, &login_hash).await;
            let cookie = fx.cookie(app, *actor).await;
            let form = (case.args)(&fx);
            let before = digest(app).await;
            // A client without a cookie store: cells must not leak sessions into each other.
            let mut req = reqwest::Client::new()
                .post(app.url(&format!("/fn/{}", case.endpoint)))
                .header(header::ACCEPT, "application/json")
                .form(&form);
            if let Some(cookie) = &cookie {
                req = req.header(header::COOKIE, cookie);
            }
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            let body = res.text().await.unwrap();
            assert_eq!(status, expected, "{} as {actor:?}: {body}", case.endpoint);
            if status != 200 {
                assert_eq!(
                    digest(app).await,
                    before,
                    "{} as {actor:?} was denied but changed the database",
                    case.endpoint
                );
            }
            cells += 1;
        }
    }
    assert_eq!(cells, cases.len() * ACTORS.len());
    println!(
        "authorization matrix: {} server functions x {} callers = {cells} cells",
        cases.len(),
        ACTORS.len()
    );
}

/// A NUL (or another control character) in any parameter of any server function, sent by
/// the most privileged callers, is refused with 422 naming the field and writes nothing;
/// in the path or query of the plain routes and pages it gets 400.
async fn control_characters_change_nothing(app: &TestApp) {
    let login_hash = app::auth::password::hash(LOGIN_PASSWORD.into())
        .await
        .unwrap();
    let fx = Fixture::create(app, &login_hash).await;
    let mut sent = 0;
    for case in cases() {
        let form = (case.args)(&fx);
        for (i, (key, _)) in form.iter().enumerate() {
            for (actor, bad) in [(Actor::Owner, "a\0b"), (Actor::PlatformAdmin, "x\u{1b}[2J")] {
                let cookie = fx.cookie(app, actor).await;
                let mut poisoned = form.clone();
                poisoned[i].1 = bad.to_owned();
                let before = digest(app).await;
                let mut req = reqwest::Client::new()
                    .post(app.url(&format!("/fn/{}", case.endpoint)))
                    .header(header::ACCEPT, "application/json")
                    .form(&poisoned);
                if let Some(cookie) = &cookie {
                    req = req.header(header::COOKIE, cookie);
                }
                let res = req.send().await.unwrap();
                let status = res.status().as_u16();
                let body = res.text().await.unwrap();
                assert_eq!(status, 422, "{} {key} as {actor:?}: {body}", case.endpoint);
                let body: serde_json::Value = serde_json::from_str(&body).unwrap();
                assert_eq!(body["code"], "invalid", "{body}");
                assert_eq!(body["fields"][0]["field"], key.as_str(), "{body}");
                assert_eq!(body["fields"][0]["problem"]["kind"], "invalid_characters");
                assert_eq!(digest(app).await, before, "{} {key} wrote", case.endpoint);
                sent += 1;
            }
        }
    }
    let cookie = fx.cookie(app, Actor::Owner).await.unwrap();
    for path in [
        "/orgs/a%00b",
        "/orgs/a%00b/members",
        "/orgs/acme/settings?x=%00",
        "/platform/requests/a%00b",
        "/invite/a%00b",
        "/audit/export.csv?org=a%00b",
        "/events?org=a%00b",
        "/auth/oidc/a%00b/start",
        "/auth/oidc/test/callback?state=a%00b&code=c",
    ] {
        let before = digest(app).await;
        let res = reqwest::Client::new()
            .get(app.url(path))
            .header(header::COOKIE, &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 400, "{path}");
        assert_eq!(digest(app).await, before, "{path} wrote");
        sent += 1;
    }
    println!("control characters: {sent} poisoned requests refused");
}
