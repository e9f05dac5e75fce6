//! Organization and membership rows: registration, the caller's standing in one
//! organization, and the organizations of a user.

use super::{OrgKind, OrgSummary, Role, domain, slug};
use crate::{
    audit,
    auth::{
        users::{self, NewUser},
        verification,
    },
    config::Config,
    db::{Db, is_unique_violation, new_id, now_ms},
    error::AppError,
};
use sqlx::{Any, Transaction};

/// What a registration creates besides the user.
#[derive(Debug, Clone)]
pub struct NewOrganization<'a> {
    pub kind: OrgKind,
    /// For companies the company name; for personal organizations the person's name.
    pub display_name: &'a str,
}

/// Ids of a freshly registered account.
#[derive(Debug, Clone)]
pub struct CreatedAccount {
    pub user_id: String,
    pub organization_id: String,
    pub slug: String,
}

/// Registers a user with their organization and owner membership in one transaction.
/// Refuses a taken email, and a company whose email domain another active company claims
/// (public mail domains never claim). A company claims its domain once the address is
/// proven: at once when it is already (`user.email_verified`), else when its confirmation
/// link, queued here, is opened. No external system is called.
pub async fn register_account(
    db: &Db,
    config: &Config,
    user: &NewUser<'_>,
    org: &NewOrganization<'_>,
    actor: &audit::Actor,
) -> Result<CreatedAccount, AppError> {
    let claimed = match org.kind {
        OrgKind::Company => domain::claimed_domain(user.email, &config.public_mail_domains),
        OrgKind::Personal => None,
    };
    let result = insert_account(db, config, user, org, claimed, actor).await;
    result.map_err(|err| match err {
        InsertError::App(app) => app,
        InsertError::Db(e) if is_unique_violation(&e, "users", "email") => AppError::EmailTaken,
        InsertError::Db(e) if is_unique_violation(&e, "organizations", "email_domain") => {
            AppError::DuplicateDomain {
                domain: claimed.unwrap_or_default().to_owned(),
            }
        }
        InsertError::Db(e) => AppError::from(e),
    })
}

enum InsertError {
    App(AppError),
    Db(sqlx::Error),
}

impl From<sqlx::Error> for InsertError {
    fn from(e: sqlx::Error) -> Self {
        InsertError::Db(e)
    }
}

async fn insert_account(
    db: &Db,
    config: &Config,
    user: &NewUser<'_>,
    org: &NewOrganization<'_>,
    claimed: Option<&str>,
    actor: &audit::Actor,
) -> Result<CreatedAccount, InsertError> {
    let mut tx = db.pool().begin().await?;
    // The first statement writes, so SQLite takes its write lock up front (waiting up to the
    // busy timeout) instead of failing when a read transaction later tries to upgrade.
    let user_id = users::insert(&mut tx, user, actor).await?;
    if let Some(domain) = claimed {
        let taken = sqlx::query(
            "SELECT 1 AS one FROM organizations
             WHERE kind = 'company' AND status = 'active' AND email_domain = $1",
        )
        .bind(domain)
        .fetch_optional(&mut *tx)
        .await?;
        if taken.is_some() {
            return Err(InsertError::App(AppError::DuplicateDomain {
                domain: domain.to_owned(),
            }));
        }
    }
    let slug = free_slug(&mut tx, org).await?;
    let organization_id = new_id();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO organizations (id, kind, slug, display_name, email_domain,
                                    pending_email_domain, status, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8, $8)",
    )
    .bind(&organization_id)
    .bind(org.kind.as_str())
    .bind(&slug)
    .bind(org.display_name)
    .bind(claimed.filter(|_| user.email_verified))
    .bind(claimed.filter(|_| !user.email_verified))
    .bind(&user_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query("INSERT INTO memberships (organization_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)")
        .bind(&organization_id)
        .bind(&user_id)
        .bind(Role::Owner.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut *tx,
        audit::Event::new("account.register", &actor.as_user(&user_id))
            .organization(&organization_id)
            .target(&slug),
    )
    .await?;
    if !user.email_verified {
        let to = verification::Recipient {
            user_id: &user_id,
            email: user.email,
            name: &user.display_name(),
            lang: user.language,
        };
        verification::issue(&mut tx, config, to)
            .await
            .map_err(InsertError::App)?;
    }
    tx.commit().await?;
    Ok(CreatedAccount {
        user_id,
        organization_id,
        slug,
    })
}

/// The first free slug for a new organization. Company slugs come from the company name;
/// personal slugs are `p-` plus random hex, so no personal data ends up in the identifiers
/// that later name infrastructure.
async fn free_slug(
    tx: &mut Transaction<'static, Any>,
    org: &NewOrganization<'_>,
) -> Result<String, InsertError> {
    let base = match org.kind {
        OrgKind::Company => slug::base_for_company(org.display_name),
        OrgKind::Personal => format!("p-{}", &new_id()[..8]),
    };
    for candidate in slug::candidates(&base) {
        let taken = sqlx::query("SELECT 1 AS one FROM organizations WHERE slug = $1")
            .bind(&candidate)
            .fetch_optional(&mut **tx)
            .await?;
        if taken.is_none() {
            return Ok(candidate);
        }
    }
    // Twenty namesakes: fall back to a random suffix.
    Ok(format!("{}-{}", slug::cut(&base, 54), &new_id()[..8]))
}

/// An active organization and the caller's membership in it, if any.
#[derive(sqlx::FromRow)]
pub struct Standing {
    pub id: String,
    pub slug: String,
    pub display_name: String,
    #[sqlx(try_from = "String")]
    pub kind: OrgKind,
    /// The membership's role; `None` without a membership. Parsed leniently, as
    /// `Option<Role>` cannot use `try_from`.
    #[sqlx(rename = "role")]
    membership: Option<String>,
}

impl Standing {
    /// The caller's role as a member; `None` when not a member.
    pub fn membership(&self) -> Option<Role> {
        self.membership.as_deref().and_then(Role::parse)
    }
}

/// The active organization `slug` with `user_id`'s membership; `None` when no active
/// organization has that slug.
pub async fn standing(db: &Db, user_id: &str, slug: &str) -> Result<Option<Standing>, AppError> {
    Ok(sqlx::query_as(
        "SELECT o.id, o.slug, o.display_name, o.kind, m.role
         FROM organizations o
         LEFT JOIN memberships m ON m.organization_id = o.id AND m.user_id = $1
         WHERE o.slug = $2 AND o.status = 'active'",
    )
    .bind(user_id)
    .bind(slug)
    .fetch_optional(db.pool())
    .await?)
}

/// One of a user's organizations, as stored.
#[derive(sqlx::FromRow)]
struct SummaryRow {
    slug: String,
    display_name: String,
    #[sqlx(try_from = "String")]
    kind: OrgKind,
    #[sqlx(try_from = "String")]
    role: Role,
}

impl From<SummaryRow> for OrgSummary {
    fn from(row: SummaryRow) -> Self {
        OrgSummary {
            slug: row.slug,
            display_name: row.display_name,
            kind: row.kind,
            role: row.role,
        }
    }
}

/// The organizations `user_id` belongs to, by name.
pub async fn list_for_user(db: &Db, user_id: &str) -> Result<Vec<OrgSummary>, AppError> {
    let rows: Vec<SummaryRow> = sqlx::query_as(
        "SELECT o.slug, o.display_name, o.kind, m.role
         FROM memberships m JOIN organizations o ON o.id = m.organization_id
         WHERE m.user_id = $1 AND o.status = 'active'
         ORDER BY o.display_name, o.slug",
    )
    .bind(user_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(OrgSummary::from).collect())
}
