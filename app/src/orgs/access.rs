//! "Which tenant, which role", checked on the server at every call site:
//! `caller.org(&slug).await?.require(Role::Admin)?`.
//!
//! A signed-in user who is not a member of the organization gets `NotFound`, so the
//! existence of other tenants is not revealed. Platform staff who are not members get
//! read access (`Viewer`), never management rights inside a customer's organization.

use super::{OrgKind, Role, repo};
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
}

/// Loads `user`'s access to the organization `slug` (through
/// [`Caller::org`](crate::auth::caller::Caller::org)).
pub(crate) async fn load(
    db: &Db,
    user: &UserPrincipal,
    actor: &Actor,
    slug: &str,
) -> Result<OrgAccess, AppError> {
    let org = repo::standing(db, &user.user_id, slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let (role, is_member) = match org.membership() {
        Some(role) => (role, true),
        None if user.platform_role.is_some() => (Role::Viewer, false),
        None => return Err(AppError::NotFound),
    };
    Ok(OrgAccess {
        org_id: org.id,
        slug: org.slug,
        display_name: org.display_name,
        kind: org.kind,
        role,
        is_member,
        user: user.clone(),
        actor: actor.clone(),
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
        self.role == Role::Owner || self.user.platform_role.is_some()
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
