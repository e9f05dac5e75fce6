//! Server functions behind an invitation link: preview, accept as the signed-in user, and
//! accept by creating an account. Open to anyone holding the link; the token decides.

use super::InvitationPreview;
use crate::error::AppError;
use leptos::prelude::*;

/// What an invitation link offers; refuses unknown, used, revoked and expired links.
#[server(prefix = "/fn", endpoint = "invitations/preview")]
pub async fn preview_invitation(token: String) -> Result<InvitationPreview, AppError> {
    use crate::auth::{caller::Caller, users};
    let caller = Caller::current()?;
    let invitation = super::repo::usable(caller.db().pool(), &token).await?;
    let account_exists = users::credentials(caller.db(), &invitation.email)
        .await?
        .is_some();
    Ok(InvitationPreview {
        organization: invitation.organization,
        role: invitation.role,
        email: invitation.email,
        inviter: invitation.inviter,
        account_exists,
        signed_in_as: caller
            .principal
            .require_signed_in()
            .ok()
            .map(|u| u.email.clone()),
        issuers: caller
            .state
            .config
            .oidc
            .iter()
            .map(|i| (i.id.clone(), i.display_name.clone()))
            .collect(),
    })
}

/// Accepts as the signed-in user, whose email must be the invited address. The link proves
/// that address, so an account that had not confirmed it yet is proven by accepting.
#[server(prefix = "/fn", endpoint = "invitations/accept")]
pub async fn accept_invitation(token: String) -> Result<(), AppError> {
    use crate::auth::caller::Caller;
    let caller = Caller::current()?;
    let user = caller.principal.require_signed_in()?;
    let slug = super::repo::accept_existing(caller.db(), &token, user, &caller.actor).await?;
    leptos_axum::redirect(&format!("/orgs/{slug}/members"));
    Ok(())
}

/// Creates the invited person's account with a password, accepts, and signs them in.
#[server(prefix = "/fn", endpoint = "invitations/accept_new")]
pub async fn accept_invitation_new(
    token: String,
    given_name: String,
    family_name: String,
    password: String,
    language: String,
) -> Result<(), AppError> {
    use crate::{
        auth::{caller::Caller, password, session, set_cookie, users::NewUser, validate::Checker},
        i18n::Lang,
    };
    let caller = Caller::current()?;
    if matches!(caller.principal, crate::auth::principal::Principal::User(_)) {
        // Signed-in people (suspended ones too) accept as themselves.
        return Err(AppError::BadRequest);
    }
    let mut check = Checker::default();
    let given_name = check.text("given_name", &given_name, 1, 100);
    let family_name = check.text("family_name", &family_name, 1, 100);
    check.password("password", &password, 10, 256);
    let language = check.choice(
        "language",
        Lang::parse(&language).filter(|l| caller.state.config.languages.contains(l)),
    );
    check.finish()?;
    let Some(language) = language else {
        return Err(AppError::BadRequest);
    };
    // Refuse a dead link before spending a password hash on it.
    let invitation = super::repo::usable(caller.db().pool(), &token).await?;
    let user = NewUser {
        email: &invitation.email,
        given_name: &given_name,
        family_name: &family_name,
        language,
        password_hash: Some(password::hash(password).await?),
        // The invitation link reached this address.
        email_verified: true,
    };
    let joined = super::repo::accept_new(caller.db(), &token, &user, &caller.actor).await?;
    let token = session::create(
        caller.db(),
        &caller.state.config,
        &joined.user_id,
        caller.client_addr(),
        caller.user_agent.as_deref(),
    )
    .await?;
    set_cookie(&session::cookie(&caller.state.config, &token))?;
    leptos_axum::redirect(&format!("/orgs/{}/members", joined.slug));
    Ok(())
}
