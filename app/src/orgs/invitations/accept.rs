//! Server functions behind an invitation link: preview, accept as the signed-in user, and
//! accept by creating an account. Open to anyone holding the link; the token decides.

use super::InvitationPreview;
use crate::error::AppError;
use leptos::prelude::*;

/// What an invitation link offers; refuses unknown, used, revoked and expired links.
#[server(prefix = "/fn", endpoint = "invitations/preview")]
pub async fn preview_invitation(token: String) -> Result<InvitationPreview, AppError> {
    use crate::{
        auth::{principal::request_context, users},
        state::app_state,
    };
    let state = app_state()?;
    let ctx = request_context()?;
    let invitation = super::repo::usable(state.db.pool(), &token).await?;
    let account_exists = users::credentials(&state.db, &invitation.email)
        .await?
        .is_some();
    Ok(InvitationPreview {
        organization: invitation.organization,
        role: invitation.role,
        email: invitation.email,
        inviter: invitation.inviter,
        account_exists,
        signed_in_as: ctx.principal.user().map(|u| u.email.clone()),
        issuers: state
            .config
            .oidc
            .iter()
            .map(|i| (i.id.clone(), i.display_name.clone()))
            .collect(),
    })
}

/// Accepts as the signed-in user, whose email must be the invited address.
#[server(prefix = "/fn", endpoint = "invitations/accept")]
pub async fn accept_invitation(token: String) -> Result<(), AppError> {
    use crate::{auth::principal::request_context, state::app_state};
    let state = app_state()?;
    let ctx = request_context()?;
    let user = ctx.principal.require_user()?;
    let slug = super::repo::accept_existing(
        &state.db,
        &token,
        &user.user_id,
        &user.email,
        &ctx.client_addr,
    )
    .await?;
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
        auth::{
            password, principal::request_context, session, set_cookie, users::NewUser,
            validate::Checker,
        },
        i18n::Lang,
        state::app_state,
    };
    let state = app_state()?;
    let ctx = request_context()?;
    if matches!(ctx.principal, crate::auth::principal::Principal::User(_)) {
        // Signed-in people (suspended ones too) accept as themselves.
        return Err(AppError::BadRequest);
    }
    let mut check = Checker::default();
    let given_name = check.text("given_name", &given_name, 1, 100);
    let family_name = check.text("family_name", &family_name, 1, 100);
    check.password("password", &password, 10, 256);
    let language = check.choice(
        "language",
        Lang::parse(&language).filter(|l| state.config.languages.contains(l)),
    );
    check.finish()?;
    let Some(language) = language else {
        return Err(AppError::BadRequest);
    };
    // Refuse a dead link before spending a password hash on it.
    let invitation = super::repo::usable(state.db.pool(), &token).await?;
    let user = NewUser {
        email: &invitation.email,
        given_name: &given_name,
        family_name: &family_name,
        language,
        password_hash: Some(password::hash(password).await?),
    };
    let (user_id, slug) =
        super::repo::accept_new(&state.db, &token, &user, &ctx.client_addr).await?;
    let token = session::create(
        &state.db,
        &state.config,
        &user_id,
        &ctx.client_addr,
        ctx.user_agent.as_deref(),
    )
    .await?;
    set_cookie(&session::cookie(&state.config, &token))?;
    leptos_axum::redirect(&format!("/orgs/{slug}/members"));
    Ok(())
}
