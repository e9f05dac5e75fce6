//! Server functions for owners and admins: list, invite (or re-invite), resend, revoke.

use super::{Invitation, Invitations};
use crate::error::AppError;
use leptos::prelude::*;

/// Pending invitations of an organization; owners and admins who are members.
#[server(prefix = "/fn", endpoint = "orgs/invitations/list")]
pub async fn list_invitations(org: String) -> Result<Invitations, AppError> {
    use crate::{auth::caller::Caller, db::now_ms, orgs::Role};
    let caller = Caller::current()?;
    let access = caller
        .org(&org)
        .await?
        .require(Role::Admin)?
        .require_member()?;
    let invitations = super::repo::pending(caller.db(), &access.org_id).await?;
    Ok(Invitations {
        invitations,
        grantable: Role::ALL
            .into_iter()
            .filter(|r| access.role.can_manage(*r))
            .collect(),
        expiry_days: caller.state.config.invitations.expiry_days,
        now: now_ms(),
    })
}

/// Invites `email` with `role` and sends the link in `language`. Inviting an address that
/// already has a pending invitation replaces it (new link, new expiry). The invitation is
/// kept when the email cannot be sent; the answer says how delivery went.
#[server(prefix = "/fn", endpoint = "orgs/invitations/create")]
pub async fn invite_member(
    org: String,
    email: String,
    role: String,
    language: String,
) -> Result<Invitation, AppError> {
    use crate::{
        auth::{caller::Caller, validate::Checker},
        i18n::Lang,
        orgs::Role,
    };
    let caller = Caller::current()?;
    let access = caller
        .org(&org)
        .await?
        .require(Role::Admin)?
        .require_member()?;
    let mut check = Checker::default();
    let email = check.email("email", &email);
    let role = check.choice("role", Role::parse(&role));
    let language = check.choice(
        "language",
        Lang::parse(&language).filter(|l| caller.state.config.languages.contains(l)),
    );
    check.finish()?;
    let (Some(role), Some(language)) = (role, language) else {
        return Err(AppError::BadRequest);
    };
    deliver(&caller, &access, &email, role, language).await
}

/// Sends a pending invitation again with a new link (the old link stops working).
#[server(prefix = "/fn", endpoint = "orgs/invitations/resend")]
pub async fn resend_invitation(org: String, id: String) -> Result<Invitation, AppError> {
    use crate::{auth::caller::Caller, orgs::Role};
    let caller = Caller::current()?;
    let access = caller
        .org(&org)
        .await?
        .require(Role::Admin)?
        .require_member()?;
    let pending = super::repo::find_pending(caller.db(), &access.org_id, &id).await?;
    deliver(
        &caller,
        &access,
        &pending.email,
        pending.role,
        pending.language,
    )
    .await
}

/// Revokes a pending invitation.
#[server(prefix = "/fn", endpoint = "orgs/invitations/revoke")]
pub async fn revoke_invitation(org: String, id: String) -> Result<(), AppError> {
    use crate::{auth::caller::Caller, orgs::Role};
    let caller = Caller::current()?;
    let access = caller
        .org(&org)
        .await?
        .require(Role::Admin)?
        .require_member()?;
    super::repo::revoke(caller.db(), &access, &id).await
}

/// Issues the invitation, commits it, then emails the link and records the outcome.
#[cfg(feature = "ssr")]
async fn deliver(
    caller: &crate::auth::caller::Caller,
    access: &crate::orgs::access::OrgAccess,
    email: &str,
    role: crate::orgs::Role,
    language: crate::i18n::Lang,
) -> Result<Invitation, AppError> {
    use crate::{
        i18n::texts,
        mail::{self, InvitationMail},
        orgs::dashboard::role_name,
    };
    let per_hour = caller.state.config.rate_limits.invitations_per_hour;
    let admitted = crate::auth::rate_limit::admit(
        caller.db(),
        crate::auth::rate_limit::INVITE,
        &access.org_id,
        per_hour,
        3_600_000,
    )
    .await?;
    if !admitted {
        return Err(AppError::RateLimited {
            retry_after_secs: 3600,
        });
    }
    let expiry_days = caller.state.config.invitations.expiry_days;
    let issued =
        super::repo::issue(caller.db(), access, email, role, language, expiry_days).await?;
    let link = format!("{}/invite/{}", caller.state.config.origin(), issued.token);
    let message = mail::invitation(
        language,
        &InvitationMail {
            to: email,
            organization: &access.display_name,
            inviter: &access.user.display_name,
            role: role_name(role, texts(language)),
            link: &link,
            expiry_days,
        },
    );
    let result = mail::send(&caller.state.config.smtp, &message).await;
    if let Err(err) = &result {
        tracing::warn!(invitation = %issued.id, %err, "invitation email not delivered");
    }
    super::repo::record_delivery(caller.db(), &issued.id, &issued.token, &result).await?;
    super::repo::pending(caller.db(), &access.org_id)
        .await?
        .into_iter()
        .find(|i| i.id == issued.id)
        .ok_or(AppError::Conflict)
}
