//! Proving an account's email address (SPEC §3.2), the repository of `email_verifications`.
//!
//! Registration sends a single-use link ([`issue`]); only the SHA-256 of its token is stored,
//! and a new link replaces the earlier ones. Opening it ([`confirm`], behind
//! `GET /verify-email?token=…`) marks the account proven and lets its company claim the email
//! domain it registered with. An invitation link proves the invited address the same way
//! ([`mark_proven`]), and an OpenID issuer that vouches for the address creates a proven
//! account directly.
//!
//! An unproven account claims nothing: no email domain, no OpenID identity, and it reaches
//! only the "confirm your email" page. It does not block its address either: a new
//! account for the same address (registered again, by an invitation or by an OpenID sign-in)
//! replaces it ([`replace_unproven`]).

use super::{caller::Caller, middleware::err_response, principal::Principal, session};
use crate::{
    audit::{self, Actor, Event, Outcome},
    config::Config,
    db::{Db, is_unique_violation, now_ms},
    error::AppError,
    i18n::{Lang, server_texts},
    mail::{self, outbox},
};
use axum::{
    extract::Query,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use sqlx::{Any, Transaction};

/// The outbox kind of confirmation emails; their bodies are erased once sent
/// ([`outbox::CREDENTIAL_KINDS`]).
pub const MAIL_KIND: &str = "account.verify_email";

/// Who a confirmation link goes to.
#[derive(Debug, Clone, Copy)]
pub struct Recipient<'a> {
    pub user_id: &'a str,
    pub email: &'a str,
    pub name: &'a str,
    pub lang: Lang,
}

/// Creates a new link for `to` (the earlier ones stop working) and queues its email, in the
/// caller's transaction.
pub async fn issue(
    tx: &mut Transaction<'static, Any>,
    config: &Config,
    to: Recipient<'_>,
) -> Result<(), AppError> {
    let token = session::new_token()?;
    let now = now_ms();
    let hours = config.email_verification.link_hours;
    sqlx::query("DELETE FROM email_verifications WHERE user_id = $1")
        .bind(to.user_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO email_verifications (token_hash, user_id, email, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(session::hash_token(&token))
    .bind(to.user_id)
    .bind(to.email)
    .bind(now)
    .bind(now.saturating_add(i64::from(hours) * 3_600_000))
    .execute(&mut **tx)
    .await?;
    let t = server_texts(to.lang);
    let link = format!("{}/verify-email?token={token}", config.origin());
    let email = mail::notice(
        to.lang,
        to.email,
        t.mail_verify_subject.to_owned(),
        &[
            (t.mail_verify_body)(to.name),
            (t.mail_verify_expiry)(u64::from(hours)),
            t.mail_verify_ignore.to_owned(),
        ],
        Some((t.mail_verify_action, &link)),
    );
    outbox::enqueue(&mut **tx, MAIL_KIND, Some(to.user_id), &email).await?;
    Ok(())
}

/// Deletes the unproven account holding `email`, if any, with the organization it created
/// (an unproven account cannot have done anything else), so a new account can take the
/// address. Returns whether one was replaced.
pub async fn replace_unproven(
    tx: &mut Transaction<'static, Any>,
    email: &str,
    actor: &Actor,
) -> Result<bool, sqlx::Error> {
    let unproven: Option<String> =
        sqlx::query_scalar("SELECT id FROM users WHERE email = $1 AND email_verified_at IS NULL")
            .bind(email)
            .fetch_optional(&mut **tx)
            .await?;
    let Some(user_id) = unproven else {
        return Ok(false);
    };
    // Explicit rather than relying on cascades, so the rule reads here.
    for statement in [
        "DELETE FROM memberships WHERE organization_id IN
             (SELECT id FROM organizations WHERE created_by = $1)",
        "DELETE FROM organizations WHERE created_by = $1",
        "DELETE FROM memberships WHERE user_id = $1",
        "DELETE FROM sessions WHERE user_id = $1",
        "DELETE FROM email_verifications WHERE user_id = $1",
        "DELETE FROM users WHERE id = $1",
    ] {
        sqlx::query(statement)
            .bind(&user_id)
            .execute(&mut **tx)
            .await?;
    }
    audit::record(
        &mut **tx,
        Event::new("account.replace_unverified", actor).target(email),
    )
    .await?;
    Ok(true)
}

/// Marks `user_id` proven (if it was not yet), ends its outstanding links, and lets the
/// companies it registered claim their email domain — unless a proven company claimed it
/// first, which the audit event records.
pub async fn mark_proven(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
    actor: &Actor,
) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let changed = sqlx::query(
        "UPDATE users SET email_verified_at = $1, updated_at = $1
         WHERE id = $2 AND email_verified_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM email_verifications WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    if changed.rows_affected() == 0 {
        return Ok(());
    }
    audit::record(
        &mut **tx,
        Event::new("account.verify_email", &actor.as_user(user_id)),
    )
    .await?;
    let pending: Vec<PendingClaim> = sqlx::query_as(
        "SELECT id, pending_email_domain FROM organizations
         WHERE created_by = $1 AND kind = 'company' AND status = 'active'
               AND pending_email_domain IS NOT NULL",
    )
    .bind(user_id)
    .fetch_all(&mut **tx)
    .await?;
    let owner = actor.as_user(user_id);
    for claim in pending {
        let taken = sqlx::query(
            "SELECT 1 AS one FROM organizations
             WHERE kind = 'company' AND status = 'active' AND email_domain = $1",
        )
        .bind(&claim.pending_email_domain)
        .fetch_optional(&mut **tx)
        .await?
        .is_some();
        sqlx::query(
            "UPDATE organizations SET email_domain = $1, pending_email_domain = NULL,
                    updated_at = $2
             WHERE id = $3",
        )
        .bind((!taken).then_some(&claim.pending_email_domain))
        .bind(now)
        .bind(&claim.id)
        .execute(&mut **tx)
        .await?;
        let event = Event::new("org.claim_domain", &owner)
            .organization(&claim.id)
            .target(&claim.pending_email_domain);
        let event = if taken {
            event.outcome(Outcome::Denied, "duplicate_domain")
        } else {
            event
        };
        audit::record(&mut **tx, event).await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct PendingClaim {
    id: String,
    pending_email_domain: String,
}

/// Redeems a confirmation link: the account it was sent to is proven. Returns its user id.
/// Unknown, used, replaced and expired links are all [`AppError::VerificationInvalid`].
pub async fn confirm(db: &Db, token: &str, actor: &Actor) -> Result<String, AppError> {
    // Two companies proving the same domain at once: the loser's unique violation is
    // retried once, and then sees the domain taken.
    match confirm_once(db, token, actor).await {
        Err(ConfirmError::Db(e)) if is_unique_violation(&e, "organizations", "email_domain") => {
            confirm_once(db, token, actor).await.map_err(AppError::from)
        }
        other => other.map_err(AppError::from),
    }
}

enum ConfirmError {
    App(AppError),
    Db(sqlx::Error),
}

impl From<sqlx::Error> for ConfirmError {
    fn from(e: sqlx::Error) -> Self {
        ConfirmError::Db(e)
    }
}

impl From<ConfirmError> for AppError {
    fn from(e: ConfirmError) -> Self {
        match e {
            ConfirmError::App(app) => app,
            ConfirmError::Db(db) => db.into(),
        }
    }
}

#[derive(sqlx::FromRow)]
struct Redeemed {
    user_id: String,
    email: String,
}

async fn confirm_once(db: &Db, token: &str, actor: &Actor) -> Result<String, ConfirmError> {
    let mut tx = db.pool().begin().await?;
    // A write first, so SQLite takes its lock up front; the row goes whatever follows, so
    // the link works once.
    let redeemed: Option<Redeemed> = sqlx::query_as(
        "DELETE FROM email_verifications WHERE token_hash = $1 AND expires_at > $2
         RETURNING user_id, email",
    )
    .bind(session::hash_token(token))
    .bind(now_ms())
    .fetch_optional(&mut *tx)
    .await?;
    let Some(redeemed) = redeemed else {
        return Err(ConfirmError::App(AppError::VerificationInvalid));
    };
    // The link proves the address it was sent to, not whatever the account has now.
    let current: Option<String> = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(&redeemed.user_id)
        .fetch_optional(&mut *tx)
        .await?;
    if current.as_deref() != Some(redeemed.email.as_str()) {
        tx.commit().await?;
        return Err(ConfirmError::App(AppError::VerificationInvalid));
    }
    mark_proven(&mut tx, &redeemed.user_id, actor).await?;
    tx.commit().await?;
    Ok(redeemed.user_id)
}

#[derive(Debug, Deserialize)]
pub struct VerifyQuery {
    #[serde(default)]
    pub token: String,
}

/// `GET /verify-email?token=…`: redeems the link, then the dashboard (when the browser is
/// signed in as that account) or the sign-in page saying the address is confirmed. A dead
/// link lands on the "confirm your email" page, which offers a new one.
pub async fn verify_email(caller: Caller, Query(query): Query<VerifyQuery>) -> Response {
    match confirm(caller.db(), &query.token, &caller.actor).await {
        Ok(user_id) => {
            let theirs = matches!(&caller.principal, Principal::User(u) if u.user_id == user_id);
            Redirect::to(if theirs {
                "/dashboard"
            } else {
                "/signin?verified=1"
            })
            .into_response()
        }
        Err(AppError::VerificationInvalid) => {
            Redirect::to("/confirm-email?link=invalid").into_response()
        }
        Err(err) => err_response(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confirmation_emails_are_erased_once_sent() {
        assert!(outbox::CREDENTIAL_KINDS.contains(&MAIL_KIND));
    }
}
