//! Reading the audit log: who may see which events, and the filtered, paged query.

use super::{AuditFilter, AuditRow, PER_PAGE};
use crate::{
    auth::caller::Caller,
    components::format::parse_date,
    db::{Db, like_escape, like_pattern},
    error::{AppError, FieldError, Problem},
    orgs::Role,
};

/// The events a caller may read. Constructed only by [`scope`], after the access check, so
/// "every organization" is a value a caller must have earned, never an empty string.
pub enum Scope {
    /// One organization's events.
    Organization { id: String, name: String },
    /// Every organization's events (platform staff).
    Platform,
}

impl Scope {
    /// The organization's display name, when the view is one organization's.
    pub fn org_name(&self) -> Option<&str> {
        match self {
            Scope::Organization { name, .. } => Some(name),
            Scope::Platform => None,
        }
    }

    fn org_id(&self) -> Option<&str> {
        match self {
            Scope::Organization { id, .. } => Some(id),
            Scope::Platform => None,
        }
    }
}

/// Owners and admins (members of the organization) read its events; platform staff read
/// any organization's, or all with `slug` empty.
pub async fn scope(caller: &Caller, slug: &str) -> Result<Scope, AppError> {
    if slug.is_empty() {
        caller.staff()?;
        return Ok(Scope::Platform);
    }
    let access = caller.org(slug).await?;
    let access = if access.user.platform_role.is_some() {
        access
    } else {
        access.require(Role::Admin)?.require_member()?
    };
    Ok(Scope::Organization {
        id: access.org_id,
        name: access.display_name,
    })
}

/// A validated filter, ready to bind.
pub struct Criteria {
    /// `None`: every organization (a [`Scope::Platform`] caller).
    org_id: Option<String>,
    actor: String,
    action: String,
    from_ms: i64,
    to_ms: i64,
}

impl Criteria {
    pub fn parse(filter: &AuditFilter, scope: &Scope) -> Result<Criteria, AppError> {
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
            org_id: scope.org_id().map(str::to_owned),
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
     WHERE ($1 = '' OR u.email LIKE $2 ESCAPE '\\' OR LOWER(u.display_name) LIKE $2 ESCAPE '\\')
       AND ($3 = '' OR e.action = $3 OR ($3 LIKE '%.' AND e.action LIKE $4 ESCAPE '\\'))
       AND e.at >= $5 AND e.at < $6";

/// The organization condition, present only for an organization's scope.
const IN_ORG: &str = "AND e.organization_id = $7";

impl Criteria {
    /// `FROM … WHERE …` for these criteria.
    fn sql_from_where(&self) -> String {
        match self.org_id {
            Some(_) => format!("{FROM_WHERE} {IN_ORG}"),
            None => FROM_WHERE.to_owned(),
        }
    }
}

/// Binds the criteria to the placeholders of [`Criteria::sql_from_where`], on any kind of
/// query (`query`, `query_as`, `query_scalar`).
macro_rules! bind {
    ($query:expr, $c:expr) => {{
        let c: &Criteria = $c;
        let query = $query
            .bind(&c.actor)
            .bind(like_pattern(&c.actor))
            .bind(&c.action)
            .bind(format!("{}%", like_escape(&c.action)))
            .bind(c.from_ms)
            .bind(c.to_ms);
        match &c.org_id {
            Some(id) => query.bind(id),
            None => query,
        }
    }};
}

/// One event joined with its actor and organization, as stored.
#[derive(sqlx::FromRow)]
struct EventRow {
    id: String,
    at: i64,
    actor_name: Option<String>,
    actor_email: Option<String>,
    action: String,
    #[sqlx(rename = "org_name")]
    organization: Option<String>,
    target: Option<String>,
    client_addr: Option<String>,
    outcome: String,
    detail: Option<String>,
    /// How many times an aggregated event happened in its window (1 for the rest).
    occurrences: i64,
}

impl From<EventRow> for AuditRow {
    fn from(row: EventRow) -> Self {
        AuditRow {
            id: row.id,
            at: row.at,
            actor_name: row.actor_name,
            actor_email: row.actor_email,
            action: row.action,
            organization: row.organization,
            target: row.target,
            client_addr: row.client_addr,
            outcome: row.outcome,
            detail: match row.detail {
                Some(detail) if row.occurrences > 1 => {
                    Some(format!("{detail} (×{})", row.occurrences))
                }
                detail => detail,
            },
        }
    }
}

const COLUMNS: &str = "SELECT e.id, e.at, e.action, e.target, e.client_addr, e.outcome, e.detail,
            e.occurrences, u.display_name AS actor_name, u.email AS actor_email, o.display_name AS org_name";

/// One page of matching events and how many match in all.
pub struct Matches {
    /// Newest first.
    pub rows: Vec<AuditRow>,
    pub total: i64,
}

/// One page of matching events (newest first) and how many match in all.
pub async fn page(db: &Db, c: &Criteria, page: u32) -> Result<Matches, AppError> {
    let count = format!("SELECT COUNT(*) AS n {}", c.sql_from_where());
    let total: i64 = bind!(sqlx::query_scalar(&count), c)
        .fetch_one(db.pool())
        .await?;
    let offset = i64::from(page.saturating_sub(1)) * i64::from(PER_PAGE);
    let sql = format!(
        "{COLUMNS} {} ORDER BY e.at DESC, e.id DESC LIMIT {PER_PAGE} OFFSET {offset}",
        c.sql_from_where()
    );
    let rows: Vec<EventRow> = bind!(sqlx::query_as(&sql), c).fetch_all(db.pool()).await?;
    Ok(Matches {
        rows: rows.into_iter().map(AuditRow::from).collect(),
        total,
    })
}

/// Every matching event (newest first), at most `limit`, for the export.
pub async fn all(db: &Db, c: &Criteria, limit: u32) -> Result<Vec<AuditRow>, AppError> {
    let sql = format!(
        "{COLUMNS} {} ORDER BY e.at DESC, e.id DESC LIMIT {limit}",
        c.sql_from_where()
    );
    let rows: Vec<EventRow> = bind!(sqlx::query_as(&sql), c).fetch_all(db.pool()).await?;
    Ok(rows.into_iter().map(AuditRow::from).collect())
}

/// The distinct actions in scope, for the filter's choices.
pub async fn actions(db: &Db, scope: &Scope) -> Result<Vec<String>, AppError> {
    let actions = match scope {
        Scope::Organization { id, .. } => sqlx::query_scalar(
            "SELECT DISTINCT action FROM audit_events WHERE organization_id = $1 ORDER BY action",
        )
        .bind(id)
        .fetch_all(db.pool())
        .await?,
        Scope::Platform => {
            sqlx::query_scalar("SELECT DISTINCT action FROM audit_events ORDER BY action")
                .fetch_all(db.pool())
                .await?
        }
    };
    Ok(actions)
}
