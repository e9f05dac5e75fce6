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
use sqlx::{Any, Transaction};

const DAY_MS: i64 = 24 * 3_600_000;

/// A pending invitation as stored, with the inviter's name.
#[derive(sqlx::FromRow)]
struct InvitationRow {
    id: String,
    email: String,
    #[sqlx(try_from = "String")]
    role: Role,
    inviter: Option<String>,
    created_at: i64,
    expires_at: i64,
    #[sqlx(try_from = "String")]
    email_status: Delivery,
    email_error: Option<String>,
}

impl From<InvitationRow> for Invitation {
    fn from(row: InvitationRow) -> Self {
        Invitation {
            id: row.id,
            email: row.email,
            role: row.role,
            invited_by: row.inviter,
            created_at: row.created_at,
            expires_at: row.expires_at,
            delivery: row.email_status,
            delivery_error: row.email_error,
        }
    }
}

/// The pending invitations of an organization, newest first.
pub async fn pending(db: &Db, org_id: &str) -> Result<Vec<Invitation>, AppError> {
    let rows: Vec<InvitationRow> = sqlx::query_as(
        "SELECT i.id, i.email, i.role, i.created_at, i.expires_at, i.email_status, i.email_error,
                u.display_name AS inviter
         FROM invitations i LEFT JOIN users u ON u.id = i.invited_by
         WHERE i.organization_id = $1 AND i.status = 'pending'
         ORDER BY i.created_at DESC, i.id",
    )
    .bind(org_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(Invitation::from).collect())
}

/// Whether `email` has a pending, unexpired invitation to any organization.
pub async fn any_pending_for(db: &Db, email: &str) -> Result<bool, AppError> {
    let found = sqlx::query(
        "SELECT 1 AS one FROM invitations WHERE email = $1 AND status = 'pending' AND expires_at > $2",
    )
    .bind(email)
    .bind(now_ms())
    .fetch_optional(db.pool())
    .await?;
    Ok(found.is_some())
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
    // Writes first, so SQLite takes the write lock before the reads below. A pending
    // invitation is renewed only when its role is one the caller may grant: an admin cannot
    // turn someone's pending owner invitation into their own.
    let manageable: Vec<Role> = Role::ALL
        .into_iter()
        .filter(|r| access.role.can_manage(*r))
        .collect();
    let placeholders: Vec<String> = (0..manageable.len())
        .map(|i| format!("${}", i + 9))
        .collect();
    let sql = format!(
        "UPDATE invitations SET token_hash = $1, role = $2, language = $3, invited_by = $4,
                created_at = $5, expires_at = $6, email_status = 'sending', email_error = NULL
         WHERE organization_id = $7 AND email = $8 AND status = 'pending' AND role IN ({})
         RETURNING id",
        placeholders.join(", ")
    );
    let mut update = sqlx::query_scalar(&sql)
        .bind(hash_token(&token))
        .bind(role.as_str())
        .bind(language.code())
        .bind(&access.user.user_id)
        .bind(now)
        .bind(expires_at)
        .bind(&access.org_id)
        .bind(email);
    for role in &manageable {
        update = update.bind(role.as_str());
    }
    let replaced: Option<String> = update.fetch_optional(&mut *tx).await?;
    if replaced.is_none() && any_pending(&mut tx, &access.org_id, email).await? {
        return Err(AppError::RoleNotAllowed);
    }
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
        Some(id) => (id, "invitation.renew"),
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

/// A pending invitation of an organization: what a resend needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingInvitation {
    pub email: String,
    pub role: Role,
    pub language: Lang,
}

#[derive(sqlx::FromRow)]
struct PendingRow {
    email: String,
    #[sqlx(try_from = "String")]
    role: Role,
    /// Parsed leniently (unknown tags read as the default language).
    language: String,
}

/// The address, role and language of a pending invitation of the organization.
pub async fn find_pending(db: &Db, org_id: &str, id: &str) -> Result<PendingInvitation, AppError> {
    let row: PendingRow = sqlx::query_as(
        "SELECT email, role, language FROM invitations
         WHERE id = $1 AND organization_id = $2 AND status = 'pending'",
    )
    .bind(id)
    .bind(org_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(PendingInvitation {
        email: row.email,
        role: row.role,
        language: Lang::parse(&row.language).unwrap_or_default(),
    })
}

/// Revokes a pending invitation; its link stops working at once.
pub async fn revoke(db: &Db, access: &OrgAccess, id: &str) -> Result<(), AppError> {
    let PendingInvitation { email, role, .. } = find_pending(db, &access.org_id, id).await?;
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

/// An invitation found by its token, with its organization, as stored.
#[derive(sqlx::FromRow)]
struct TokenRow {
    id: String,
    organization_id: String,
    email: String,
    #[sqlx(try_from = "String")]
    role: Role,
    status: String,
    expires_at: i64,
    slug: String,
    display_name: String,
    org_status: String,
    inviter: Option<String>,
}

/// Looks a token up and refuses unknown, revoked, used and expired links.
pub async fn usable<'e, E>(executor: E, token: &str) -> Result<Usable, AppError>
where
    E: sqlx::Executor<'e, Database = Any>,
{
    let row: TokenRow = sqlx::query_as(
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
    match row.status.as_str() {
        "accepted" => return Err(AppError::InvitationUsed),
        "pending" if row.org_status == "active" => {}
        _ => return Err(AppError::InvitationInvalid),
    }
    if row.expires_at <= now_ms() {
        return Err(AppError::InvitationExpired);
    }
    Ok(Usable {
        id: row.id,
        organization_id: row.organization_id,
        slug: row.slug,
        organization: row.display_name,
        email: row.email,
        role: row.role,
        inviter: row.inviter,
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
    if !user.email_verified {
        crate::auth::verification::mark_proven(&mut tx, &user.user_id, actor).await?;
    }
    tx.commit().await?;
    Ok(invitation.slug)
}

/// The account that [`accept_new`] created, and where it joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Joined {
    pub user_id: String,
    /// The organization's slug.
    pub slug: String,
}

/// Creates the invited person's account (the link proves the address) and accepts.
pub async fn accept_new(
    db: &Db,
    token: &str,
    user: &NewUser<'_>,
    actor: &Actor,
) -> Result<Joined, AppError> {
    let mut tx = begin_write(db, token).await?;
    let invitation = usable(&mut *tx, token).await?;
    if invitation.email != user.email {
        return Err(AppError::InvitationWrongAccount {
            email: invitation.email,
        });
    }
    let user_id = match users::insert(&mut tx, user, actor).await {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e, "users", "email") => return Err(AppError::EmailTaken),
        Err(e) => return Err(e.into()),
    };
    join(&mut tx, &invitation, &user_id, &actor.as_user(&user_id)).await?;
    tx.commit().await?;
    Ok(Joined {
        user_id,
        slug: invitation.slug,
    })
}

/// Whether `email` has a pending invitation to the organization (inside the issuing
/// transaction, after its write).
async fn any_pending(
    tx: &mut Transaction<'static, Any>,
    org_id: &str,
    email: &str,
) -> Result<bool, AppError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM invitations
         WHERE organization_id = $1 AND email = $2 AND status = 'pending'",
    )
    .bind(org_id)
    .bind(email)
    .fetch_one(&mut **tx)
    .await?;
    Ok(n > 0)
}
