//! Invitation rows. Issuing, revoking and accepting each run in one transaction with their
//! audit event; accepting flips the row from `pending` with a conditional update, so a
//! link is used at most once even when two tabs race.

use super::{Delivery, Invitation};
use crate::{
    audit::{self, Actor, Event},
    auth::{
        principal::UserPrincipal,
        session::{hash_token, new_token},
        users::{self, NewUser},
    },
    db::{Db, is_unique_violation, new_id, now_ms},
    error::AppError,
    i18n::Lang,
    mail::SendError,
    orgs::{Role, access::OrgAccess},
};
use sqlx::{Any, Row, Transaction};

const DAY_MS: i64 = 24 * 3_600_000;

/// The pending invitations of an organization, newest first.
pub async fn pending(db: &Db, org_id: &str) -> Result<Vec<Invitation>, AppError> {
    let rows = sqlx::query(
        "SELECT i.id, i.email, i.role, i.created_at, i.expires_at, i.email_status, i.email_error,
                u.display_name AS inviter
         FROM invitations i LEFT JOIN users u ON u.id = i.invited_by
         WHERE i.organization_id = $1 AND i.status = 'pending'
         ORDER BY i.created_at DESC, i.id",
    )
    .bind(org_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let role: String = row.try_get("role")?;
            let delivery: String = row.try_get("email_status")?;
            Ok(Invitation {
                id: row.try_get("id")?,
                email: row.try_get("email")?,
                role: Role::parse(&role)
                    .ok_or_else(|| AppError::internal("invitation role", &role))?,
                invited_by: row.try_get("inviter")?,
                created_at: row.try_get("created_at")?,
                expires_at: row.try_get("expires_at")?,
                delivery: Delivery::parse(&delivery)
                    .ok_or_else(|| AppError::internal("invitation delivery", &delivery))?,
                delivery_error: row.try_get("email_error")?,
            })
        })
        .collect()
}

/// A freshly issued (or re-issued) invitation: the token goes into the email only.
#[derive(Debug, Clone)]
pub struct Issued {
    pub id: String,
    pub token: String,
}

/// Invites `email` with `role`, or replaces the token, role and expiry of the pending
/// invitation for that address (re-invite). Refuses people who are already members and
/// roles the caller may not grant.
pub async fn issue(
    db: &Db,
    access: &OrgAccess,
    email: &str,
    role: Role,
    language: Lang,
    expiry_days: u32,
) -> Result<Issued, AppError> {
    if !access.role.can_manage(role) {
        return Err(AppError::RoleNotAllowed);
    }
    let token = new_token()?;
    let now = now_ms();
    let expires_at = now.saturating_add(i64::from(expiry_days) * DAY_MS);
    let mut tx = db.pool().begin().await?;
    // Writes first, so SQLite takes the write lock before the reads below.
    let replaced = sqlx::query(
        "UPDATE invitations SET token_hash = $1, role = $2, language = $3, invited_by = $4,
                created_at = $5, expires_at = $6, email_status = 'sending', email_error = NULL
         WHERE organization_id = $7 AND email = $8 AND status = 'pending'
         RETURNING id",
    )
    .bind(hash_token(&token))
    .bind(role.as_str())
    .bind(language.code())
    .bind(&access.user.user_id)
    .bind(now)
    .bind(expires_at)
    .bind(&access.org_id)
    .bind(email)
    .fetch_optional(&mut *tx)
    .await?;
    let member = sqlx::query(
        "SELECT 1 AS one FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.organization_id = $1 AND u.email = $2",
    )
    .bind(&access.org_id)
    .bind(email)
    .fetch_optional(&mut *tx)
    .await?;
    if member.is_some() {
        return Err(AppError::AlreadyMember);
    }
    let (id, action) = match replaced {
        Some(row) => (row.try_get::<String, _>("id")?, "invitation.renew"),
        None => {
            let id = new_id();
            let inserted = sqlx::query(
                "INSERT INTO invitations (id, organization_id, email, role, token_hash, status, language,
                                          invited_by, created_at, expires_at, email_status)
                 VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8, $9, 'sending')",
            )
            .bind(&id)
            .bind(&access.org_id)
            .bind(email)
            .bind(role.as_str())
            .bind(hash_token(&token))
            .bind(language.code())
            .bind(&access.user.user_id)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *tx)
            .await;
            match inserted {
                Ok(_) => (id, "invitation.create"),
                // Another admin invited the same address a moment ago.
                Err(e)
                    if is_unique_violation(&e, "invitations", "pending")
                        || is_unique_violation(&e, "invitations", "email") =>
                {
                    return Err(AppError::Conflict);
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
    let detail = role.as_str();
    audit::record(
        &mut *tx,
        Event::new(action, &access.actor)
            .organization(&access.org_id)
            .target(email)
            .outcome(audit::Outcome::Success, detail),
    )
    .await?;
    tx.commit().await?;
    Ok(Issued { id, token })
}

/// Records how sending the email for `token` went. A later re-invite has its own token, so
/// a slow earlier attempt cannot overwrite the newer status.
pub async fn record_delivery(
    db: &Db,
    id: &str,
    token: &str,
    result: &Result<(), SendError>,
) -> Result<(), AppError> {
    let (status, error) = match result {
        Ok(()) => (Delivery::Sent, None),
        Err(e) => (Delivery::Failed, Some(e.for_record())),
    };
    sqlx::query(
        "UPDATE invitations SET email_status = $1, email_error = $2, email_attempts = email_attempts + 1
         WHERE id = $3 AND token_hash = $4",
    )
    .bind(status.as_str())
    .bind(error)
    .bind(id)
    .bind(hash_token(token))
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The address, role and language of a pending invitation of the organization.
pub async fn find_pending(
    db: &Db,
    org_id: &str,
    id: &str,
) -> Result<(String, Role, Lang), AppError> {
    let row = sqlx::query(
        "SELECT email, role, language FROM invitations
         WHERE id = $1 AND organization_id = $2 AND status = 'pending'",
    )
    .bind(id)
    .bind(org_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(AppError::NotFound)?;
    let role: String = row.try_get("role")?;
    let language: String = row.try_get("language")?;
    Ok((
        row.try_get("email")?,
        Role::parse(&role).ok_or_else(|| AppError::internal("invitation role", &role))?,
        Lang::parse(&language).unwrap_or_default(),
    ))
}

/// Revokes a pending invitation; its link stops working at once.
pub async fn revoke(db: &Db, access: &OrgAccess, id: &str) -> Result<(), AppError> {
    let (email, role, _) = find_pending(db, &access.org_id, id).await?;
    if !access.role.can_manage(role) {
        return Err(AppError::RoleNotAllowed);
    }
    let mut tx = db.pool().begin().await?;
    let done = sqlx::query(
        "UPDATE invitations SET status = 'revoked', finished_at = $1
         WHERE id = $2 AND organization_id = $3 AND status = 'pending'",
    )
    .bind(now_ms())
    .bind(id)
    .bind(&access.org_id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut *tx,
        Event::new("invitation.revoke", &access.actor)
            .organization(&access.org_id)
            .target(&email),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An invitation found by its token, still usable.
#[derive(Debug, Clone)]
pub struct Usable {
    pub id: String,
    pub organization_id: String,
    pub slug: String,
    pub organization: String,
    pub email: String,
    pub role: Role,
    pub inviter: Option<String>,
}

/// Looks a token up and refuses unknown, revoked, used and expired links.
pub async fn usable<'e, E>(executor: E, token: &str) -> Result<Usable, AppError>
where
    E: sqlx::Executor<'e, Database = Any>,
{
    let row = sqlx::query(
        "SELECT i.id, i.organization_id, i.email, i.role, i.status, i.expires_at,
                o.slug, o.display_name, o.status AS org_status, u.display_name AS inviter
         FROM invitations i
         JOIN organizations o ON o.id = i.organization_id
         LEFT JOIN users u ON u.id = i.invited_by
         WHERE i.token_hash = $1",
    )
    .bind(hash_token(token))
    .fetch_optional(executor)
    .await?
    .ok_or(AppError::InvitationInvalid)?;
    let status: String = row.try_get("status")?;
    let org_status: String = row.try_get("org_status")?;
    match status.as_str() {
        "accepted" => return Err(AppError::InvitationUsed),
        "pending" if org_status == "active" => {}
        _ => return Err(AppError::InvitationInvalid),
    }
    if row.try_get::<i64, _>("expires_at")? <= now_ms() {
        return Err(AppError::InvitationExpired);
    }
    let role: String = row.try_get("role")?;
    Ok(Usable {
        id: row.try_get("id")?,
        organization_id: row.try_get("organization_id")?,
        slug: row.try_get("slug")?,
        organization: row.try_get("display_name")?,
        email: row.try_get("email")?,
        role: Role::parse(&role).ok_or_else(|| AppError::internal("invitation role", &role))?,
        inviter: row.try_get("inviter")?,
    })
}

/// Opens a transaction whose first statement writes (a no-op on the invitation), so SQLite
/// takes its write lock up front instead of failing to upgrade a read lock later.
async fn begin_write(db: &Db, token: &str) -> Result<Transaction<'static, Any>, AppError> {
    let mut tx = db.pool().begin().await?;
    sqlx::query("UPDATE invitations SET status = status WHERE token_hash = $1")
        .bind(hash_token(token))
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// Marks the invitation used (exactly once) and creates the membership, in `tx`.
async fn join(
    tx: &mut Transaction<'static, Any>,
    invitation: &Usable,
    user_id: &str,
    actor: &Actor,
) -> Result<(), AppError> {
    let now = now_ms();
    let flipped = sqlx::query(
        "UPDATE invitations SET status = 'accepted', accepted_by = $1, finished_at = $2
         WHERE id = $3 AND status = 'pending'",
    )
    .bind(user_id)
    .bind(now)
    .bind(&invitation.id)
    .execute(&mut **tx)
    .await?;
    if flipped.rows_affected() != 1 {
        return Err(AppError::InvitationUsed);
    }
    let member =
        sqlx::query("SELECT 1 AS one FROM memberships WHERE organization_id = $1 AND user_id = $2")
            .bind(&invitation.organization_id)
            .bind(user_id)
            .fetch_optional(&mut **tx)
            .await?;
    if member.is_some() {
        return Err(AppError::AlreadyMember);
    }
    sqlx::query(
        "INSERT INTO memberships (organization_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(&invitation.organization_id)
    .bind(user_id)
    .bind(invitation.role.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    audit::record(
        &mut **tx,
        Event::new("invitation.accept", actor)
            .organization(&invitation.organization_id)
            .target(&invitation.email)
            .outcome(audit::Outcome::Success, invitation.role.as_str()),
    )
    .await?;
    Ok(())
}

/// Accepts as the signed-in `user_id`, whose email must be the invited one.
pub async fn accept_existing(
    db: &Db,
    token: &str,
    user: &UserPrincipal,
    actor: &Actor,
) -> Result<String, AppError> {
    let mut tx = begin_write(db, token).await?;
    let invitation = usable(&mut *tx, token).await?;
    if invitation.email != user.email {
        return Err(AppError::InvitationWrongAccount {
            email: invitation.email,
        });
    }
    join(&mut tx, &invitation, &user.user_id, actor).await?;
    tx.commit().await?;
    Ok(invitation.slug)
}

/// Creates the invited person's account (the link proves the address) and accepts.
/// Returns the new user's id and the organization's slug.
pub async fn accept_new(
    db: &Db,
    token: &str,
    user: &NewUser<'_>,
    actor: &Actor,
) -> Result<(String, String), AppError> {
    let mut tx = begin_write(db, token).await?;
    let invitation = usable(&mut *tx, token).await?;
    if invitation.email != user.email {
        return Err(AppError::InvitationWrongAccount {
            email: invitation.email,
        });
    }
    let user_id = match users::insert(&mut tx, user).await {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e, "users", "email") => return Err(AppError::EmailTaken),
        Err(e) => return Err(e.into()),
    };
    join(&mut tx, &invitation, &user_id, &actor.as_user(&user_id)).await?;
    tx.commit().await?;
    Ok((user_id, invitation.slug))
}
