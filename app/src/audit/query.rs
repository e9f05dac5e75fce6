//! Reading the audit log: who may see which events, and the filtered, paged query.

use super::{AuditFilter, AuditRow, PER_PAGE};
use crate::{
    auth::principal::Principal,
    components::format::parse_date,
    db::{Db, like_escape, like_pattern},
    error::{AppError, FieldError, Problem},
    orgs::Role,
};
use sqlx::Row;

/// The events a caller may read.
pub struct Scope {
    /// `None`: every organization (platform staff).
    pub org_id: Option<String>,
    pub org_name: Option<String>,
}

/// Owners and admins (members of the organization) read its events; platform staff read
/// any organization's, or all with `slug` empty.
pub async fn scope(principal: &Principal, db: &Db, slug: &str) -> Result<Scope, AppError> {
    if slug.is_empty() {
        principal.require_platform_staff()?;
        return Ok(Scope {
            org_id: None,
            org_name: None,
        });
    }
    let access = principal.for_org(db, slug).await?;
    let access = if access.user.platform_role.is_some() {
        access
    } else {
        access.require(Role::Admin)?.require_member()?
    };
    Ok(Scope {
        org_id: Some(access.org_id),
        org_name: Some(access.display_name),
    })
}

/// A validated filter, ready to bind.
pub struct Criteria {
    org_id: String,
    actor: String,
    action: String,
    from_ms: i64,
    to_ms: i64,
}

impl Criteria {
    pub fn parse(filter: &AuditFilter, org_id: Option<String>) -> Result<Criteria, AppError> {
        let mut fields = Vec::new();
        let mut date = |name: &str, text: &str| -> Option<i64> {
            if text.trim().is_empty() {
                return None;
            }
            let parsed = parse_date(text);
            if parsed.is_none() {
                fields.push(FieldError {
                    field: name.to_owned(),
                    problem: Problem::InvalidDate,
                });
            }
            parsed
        };
        let from_ms = date("from", &filter.from).unwrap_or(0);
        let to_ms = date("to", &filter.to).map_or(i64::MAX, |d| d + 86_400_000);
        for (name, value) in [("actor", &filter.actor), ("action", &filter.action)] {
            if value.chars().count() > 200 {
                fields.push(FieldError {
                    field: name.to_owned(),
                    problem: Problem::TooLong { max: 200 },
                });
            }
        }
        if !fields.is_empty() {
            return Err(AppError::Invalid { fields });
        }
        Ok(Criteria {
            org_id: org_id.unwrap_or_default(),
            actor: filter.actor.trim().to_lowercase(),
            action: filter.action.trim().to_owned(),
            from_ms,
            to_ms,
        })
    }
}

const FROM_WHERE: &str = "FROM audit_events e
     LEFT JOIN users u ON u.id = e.actor_user_id
     LEFT JOIN organizations o ON o.id = e.organization_id
     WHERE ($1 = '' OR e.organization_id = $1)
       AND ($2 = '' OR u.email LIKE $3 ESCAPE '\\' OR LOWER(u.display_name) LIKE $3 ESCAPE '\\')
       AND ($4 = '' OR e.action = $4 OR ($4 LIKE '%.' AND e.action LIKE $5 ESCAPE '\\'))
       AND e.at >= $6 AND e.at < $7";

fn bind<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    c: &'q Criteria,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let action_prefix = format!("{}%", like_escape(&c.action));
    query
        .bind(&c.org_id)
        .bind(&c.actor)
        .bind(like_pattern(&c.actor))
        .bind(&c.action)
        .bind(action_prefix)
        .bind(c.from_ms)
        .bind(c.to_ms)
}

fn to_row(row: &sqlx::any::AnyRow) -> Result<AuditRow, AppError> {
    Ok(AuditRow {
        id: row.try_get("id")?,
        at: row.try_get("at")?,
        actor_name: row.try_get("actor_name")?,
        actor_email: row.try_get("actor_email")?,
        action: row.try_get("action")?,
        organization: row.try_get("org_name")?,
        target: row.try_get("target")?,
        client_addr: row.try_get("client_addr")?,
        outcome: row.try_get("outcome")?,
        detail: row.try_get("detail")?,
    })
}

const COLUMNS: &str = "SELECT e.id, e.at, e.action, e.target, e.client_addr, e.outcome, e.detail,
            u.display_name AS actor_name, u.email AS actor_email, o.display_name AS org_name";

/// One page of matching events (newest first) and how many match in all.
pub async fn page(db: &Db, c: &Criteria, page: u32) -> Result<(Vec<AuditRow>, i64), AppError> {
    let total: i64 = bind(
        sqlx::query(&format!("SELECT COUNT(*) AS n {FROM_WHERE}")),
        c,
    )
    .fetch_one(db.pool())
    .await?
    .try_get("n")?;
    let offset = i64::from(page.saturating_sub(1)) * i64::from(PER_PAGE);
    let sql = format!(
        "{COLUMNS} {FROM_WHERE} ORDER BY e.at DESC, e.id DESC LIMIT {PER_PAGE} OFFSET {offset}"
    );
    let rows = bind(sqlx::query(&sql), c).fetch_all(db.pool()).await?;
    let rows = rows.iter().map(to_row).collect::<Result<_, _>>()?;
    Ok((rows, total))
}

/// Every matching event (newest first), at most `limit`, for the export.
pub async fn all(db: &Db, c: &Criteria, limit: u32) -> Result<Vec<AuditRow>, AppError> {
    let sql = format!("{COLUMNS} {FROM_WHERE} ORDER BY e.at DESC, e.id DESC LIMIT {limit}");
    let rows = bind(sqlx::query(&sql), c).fetch_all(db.pool()).await?;
    rows.iter().map(to_row).collect()
}

/// The distinct actions in scope, for the filter's choices.
pub async fn actions(db: &Db, org_id: Option<&str>) -> Result<Vec<String>, AppError> {
    let rows = sqlx::query(
        "SELECT DISTINCT action FROM audit_events WHERE ($1 = '' OR organization_id = $1) ORDER BY action",
    )
    .bind(org_id.unwrap_or(""))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| r.try_get("action").map_err(AppError::from))
        .collect()
}
