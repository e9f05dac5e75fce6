//! API keys for tests: inserted straight into the database, and the ten kinds of caller
//! the REST and MCP matrices call every route and tool as.

use super::TestApp;

/// Inserts a key for `user` in `org` with `scopes`, then applies `extra` (an `UPDATE …
/// SET` clause, e.g. `revoked_at = 1`); returns the token.
pub async fn insert(app: &TestApp, org: &str, user: &str, scopes: &str, extra: &str) -> String {
    let token = app::keys::token::generate().unwrap();
    let id = uuid::Uuid::new_v4().to_string();
    use sha2::Digest;
    sqlx::query(
        "INSERT INTO api_keys (id, organization_id, name, token_hash, display_prefix, scopes,
                               created_by, created_at, updated_at)
         VALUES ($1, $2, 'k', $3, 'tny_…', $4, $5, 0, 0)",
    )
    .bind(&id)
    .bind(org)
    .bind(hex::encode(sha2::Sha256::digest(token.as_bytes())))
    .bind(scopes)
    .bind(user)
    .execute(app.db.pool())
    .await
    .unwrap();
    if !extra.is_empty() {
        sqlx::query(&format!("UPDATE api_keys SET {extra} WHERE id = $1"))
            .bind(&id)
            .execute(app.db.pool())
            .await
            .unwrap();
    }
    token
}

/// The ids of the organization `acme` and of its owner `owner@acme.example`.
pub async fn acme_and_owner(app: &TestApp) -> (String, String) {
    let acme: String = sqlx::query_scalar("SELECT id FROM organizations WHERE slug = 'acme'")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let owner: String =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'owner@acme.example'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    (acme, owner)
}

/// The callers of the matrices, for an organization `acme` already registered with its
/// owner `owner@acme.example`: the owner's read and write keys, a member's write key, the
/// write key of another organization's owner, a revoked, an expired and a suspended
/// creator's key, garbage, a checksum-valid unknown token, and none.
pub async fn callers(app: &TestApp) -> Vec<(&'static str, String)> {
    let (acme, owner) = acme_and_owner(app).await;
    let (member, _) = app.add_member("acme", "Mo", "member").await;
    let (suspended, _) = app.add_member("acme", "Sus", "owner").await;
    let other_org = app.insert_org("company", "Globex").await;
    let (other_owner, _) = app.add_member("acme", "Oscar", "viewer").await;
    sqlx::query("UPDATE memberships SET organization_id = $1, role = 'owner' WHERE user_id = $2")
        .bind(&other_org)
        .bind(&other_owner)
        .execute(app.db.pool())
        .await
        .unwrap();
    let keys = vec![
        ("owner read", insert(app, &acme, &owner, "read", "").await),
        (
            "owner write",
            insert(app, &acme, &owner, "read write", "").await,
        ),
        (
            "member write",
            insert(app, &acme, &member, "read write", "").await,
        ),
        (
            "other org",
            insert(app, &other_org, &other_owner, "read write", "").await,
        ),
        (
            "revoked",
            insert(app, &acme, &owner, "read write", "revoked_at = 1").await,
        ),
        (
            "expired",
            insert(app, &acme, &owner, "read write", "expires_at = 1").await,
        ),
        (
            "suspended creator",
            insert(app, &acme, &suspended, "read write", "").await,
        ),
        ("garbage", "tny_garbage".to_owned()),
        ("unknown", app::keys::token::generate().unwrap()),
        ("none", String::new()),
    ];
    sqlx::query("UPDATE users SET status = 'suspended' WHERE id = $1")
        .bind(&suspended)
        .execute(app.db.pool())
        .await
        .unwrap();
    keys
}
