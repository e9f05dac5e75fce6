//! "Which tenant, which role", checked on the server at every call site:
//! `caller.org(&slug).await?.require(Role::Admin)?`.
//!
//! A signed-in user who is not a member of the organization gets `NotFound`, so the
//! existence of other tenants is not revealed. Platform staff who are not members get
//! read access (`Viewer`), never management rights inside a customer's organization.

use super::{OrgKind, OrgSummary, Role, repo};
use crate::{audit::Actor, auth::principal::UserPrincipal, db::Db, error::AppError};

/// The caller's standing in one organization.
#[derive(Debug, Clone)]
pub struct OrgAccess {
    pub org_id: String,
    pub slug: String,
    pub display_name: String,
    pub kind: OrgKind,
    /// The role the caller acts with.
    pub role: Role,
    /// Whether the caller holds a membership (platform staff may read without one).
    pub is_member: bool,
    pub user: UserPrincipal,
    /// Who acts, for the audit events the change writes.
    pub actor: Actor,
    /// Whether the caller may change things: always for a person; for an API key, when it
    /// has the `write` scope.
    pub writes: bool,
}

/// One of the user's memberships, read with their session
/// ([`UserPrincipal::memberships`]).
#[derive(Debug, Clone)]
pub struct Membership {
    pub org_id: String,
    /// The organization's revision as read with the session: every change to what its
    /// pages show raises it (database triggers); `None` if it has none.
    pub revision: Option<i64>,
    pub org: OrgSummary,
}

/// The organizations `user` belongs to, by name: the memberships read with the session
/// when there are any, else from the database.
pub(crate) async fn organizations(
    db: &Db,
    user: &UserPrincipal,
) -> Result<Vec<OrgSummary>, AppError> {
    match &user.memberships {
        Some(list) => Ok(list.iter().map(|m| m.org.clone()).collect()),
        None => repo::list_for_user(db, &user.user_id).await,
    }
}

/// Loads `user`'s access to the organization `slug` (through
/// [`Caller::org`](crate::auth::caller::Caller::org)). A member's access comes from the
/// memberships read with the session, without another query; only platform staff outside
/// the organization, and principals built without memberships, ask the database.
pub(crate) async fn load(
    db: &Db,
    user: &UserPrincipal,
    actor: &Actor,
    slug: &str,
) -> Result<OrgAccess, AppError> {
    let known = user
        .memberships
        .as_deref()
        .map(|list| list.iter().find(|m| m.org.slug == slug));
    let (org_id, org, is_member) = match known {
        Some(Some(membership)) => (membership.org_id.clone(), membership.org.clone(), true),
        Some(None) if user.platform_role.is_none() => return Err(AppError::NotFound),
        _ => {
            let org = repo::standing(db, &user.user_id, slug)
                .await?
                .ok_or(AppError::NotFound)?;
            let (role, is_member) = match org.membership() {
                Some(role) => (role, true),
                None if user.platform_role.is_some() => (Role::Viewer, false),
                None => return Err(AppError::NotFound),
            };
            let summary = OrgSummary {
                slug: org.slug,
                display_name: org.display_name,
                kind: org.kind,
                role,
            };
            (org.id, summary, is_member)
        }
    };
    Ok(OrgAccess {
        org_id,
        slug: org.slug,
        display_name: org.display_name,
        kind: org.kind,
        role: org.role,
        is_member,
        user: user.clone(),
        actor: actor.clone(),
        writes: true,
    })
}

/// An API key's access to the organization `slug`: only its own organization, with the
/// role its creator holds there now (a creator who left makes the key useless), never the
/// creator's platform role. Another organization answers `NotFound`, as for a stranger.
pub(crate) async fn load_for_key(
    db: &Db,
    key: &crate::keys::verify::VerifiedKey,
    actor: &Actor,
    slug: &str,
) -> Result<OrgAccess, AppError> {
    let org = repo::standing(db, &key.created_by, slug)
        .await?
        .filter(|org| org.id == key.organization_id)
        .ok_or(AppError::NotFound)?;
    let role = org.membership().ok_or(AppError::NotFound)?;
    let user: Option<(String, String, String)> = sqlx::query_as(
        "SELECT email, display_name, language FROM users WHERE id = $1 AND status = 'active'",
    )
    .bind(&key.created_by)
    .fetch_optional(db.pool())
    .await?;
    let (email, display_name, language) = user.ok_or(AppError::NotFound)?;
    Ok(OrgAccess {
        org_id: org.id,
        slug: org.slug,
        display_name: org.display_name,
        kind: org.kind,
        role,
        is_member: true,
        user: UserPrincipal {
            user_id: key.created_by.clone(),
            email,
            display_name,
            language: crate::i18n::Lang::parse(&language).unwrap_or_default(),
            platform_role: None,
            suspended: false,
            email_verified: true,
            session_hash: String::new(),
            memberships: None,
        },
        actor: actor.clone(),
        writes: key.scopes.writes(),
    })
}

impl OrgAccess {
    /// Refuses with `Forbidden` unless the caller's role includes `minimum`.
    pub fn require(self, minimum: Role) -> Result<Self, AppError> {
        if self.role.at_least(minimum) {
            Ok(self)
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Whether the caller may request new instances: owners, and platform staff on a
    /// customer's behalf.
    pub fn may_request_instances(&self) -> bool {
        self.writes && (self.role == Role::Owner || self.user.platform_role.is_some())
    }

    /// Refuses with `Forbidden` unless the caller is a member (not just platform staff).
    pub fn require_member(self) -> Result<Self, AppError> {
        if self.is_member {
            Ok(self)
        } else {
            Err(AppError::Forbidden)
        }
    }
}
