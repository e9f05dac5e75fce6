//! The keys panel's server functions. Owners and admins (members of the organization) mint,
//! revoke and reroll; every member, and platform staff, read the list. Each change is
//! audited in the same transaction.

use super::{KeysPanel, Minted};
use crate::error::AppError;
use leptos::prelude::*;

/// Expiry choices the panel offers, in days (none: the key does not expire).
pub const EXPIRY_DAYS: [u32; 4] = [7, 30, 90, 365];
/// The longest grace a rerolled key's old token may keep working, in hours.
pub const MAX_GRACE_HOURS: u32 = 24;

/// The organization's keys.
#[server(prefix = "/fn", endpoint = "keys/list")]
pub async fn list_keys(slug: String) -> Result<KeysPanel, AppError> {
    use crate::{auth::caller::Caller, orgs::Role};
    let caller = Caller::current()?;
    let access = caller.org(&slug).await?;
    let keys = super::repo::list(caller.db(), &access).await?;
    Ok(KeysPanel {
        can_manage: access.is_member && access.role.at_least(Role::Admin),
        org_slug: access.slug,
        org_name: access.display_name,
        keys,
        base_url: caller
            .state
            .config
            .base_url
            .trim_end_matches('/')
            .to_owned(),
        now: crate::db::now_ms(),
    })
}

/// The caller's access, when they may manage the organization's keys.
#[cfg(feature = "ssr")]
async fn manager(
    caller: &crate::auth::caller::Caller,
    slug: &str,
) -> Result<crate::orgs::access::OrgAccess, AppError> {
    caller
        .org(slug)
        .await?
        .require_member()?
        .require(crate::orgs::Role::Admin)
}

/// Mints a key: `name` (1–80 characters), `write` for the write scope, `expires_days` one
/// of [`EXPIRY_DAYS`] or empty for none. The token is in the answer, and only there.
#[server(prefix = "/fn", endpoint = "keys/mint")]
pub async fn mint_key(
    slug: String,
    name: String,
    #[server(default)] write: Option<String>,
    #[server(default)] expires_days: Option<String>,
) -> Result<Minted, AppError> {
    use crate::{auth::validate::Checker, error::Problem};
    let caller = crate::auth::caller::Caller::current()?;
    let access = manager(&caller, &slug).await?;
    let mut check = Checker::default();
    let name = check.text("name", &name, 1, 80);
    let expires_days = match expires_days.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(days) => match days.parse::<u32>() {
            Ok(days) if EXPIRY_DAYS.contains(&days) => Some(days),
            _ => {
                check.problem("expires_days", Problem::InvalidChoice);
                None
            }
        },
    };
    check.finish()?;
    let scopes = if write.is_some_and(|w| !w.is_empty()) {
        super::Scopes::ReadWrite
    } else {
        super::Scopes::Read
    };
    let expires_at =
        expires_days.map(|days| crate::db::now_ms().saturating_add(i64::from(days) * 86_400_000));
    let key = super::repo::NewKey {
        name: &name,
        scopes,
        expires_at,
    };
    let (id, token) = super::repo::mint(caller.db(), &access, &key).await?;
    let key = super::repo::get(caller.db(), &access, &id).await?;
    Ok(Minted { key, token })
}

/// Revokes a key at once, on every process within a second.
#[server(prefix = "/fn", endpoint = "keys/revoke")]
pub async fn revoke_key(slug: String, id: String) -> Result<(), AppError> {
    let caller = crate::auth::caller::Caller::current()?;
    let access = manager(&caller, &slug).await?;
    super::repo::revoke(caller.db(), &access, &id).await
}

/// A new token for the key, same id and settings; the old token keeps working for
/// `grace_hours` (0 to [`MAX_GRACE_HOURS`]).
#[server(prefix = "/fn", endpoint = "keys/reroll")]
pub async fn reroll_key(
    slug: String,
    id: String,
    #[server(default)] grace_hours: Option<String>,
) -> Result<Minted, AppError> {
    use crate::error::Problem;
    let caller = crate::auth::caller::Caller::current()?;
    let access = manager(&caller, &slug).await?;
    let grace_hours = match grace_hours.as_deref().map(str::trim) {
        None | Some("") => 0,
        Some(hours) => match hours.parse::<u32>() {
            Ok(hours) if hours <= MAX_GRACE_HOURS => hours,
            _ => return Err(AppError::field("grace_hours", Problem::InvalidChoice)),
        },
    };
    let token = super::repo::reroll(
        caller.db(),
        &access,
        &id,
        i64::from(grace_hours) * 3_600_000,
    )
    .await?;
    let key = super::repo::get(caller.db(), &access, &id).await?;
    Ok(Minted { key, token })
}
