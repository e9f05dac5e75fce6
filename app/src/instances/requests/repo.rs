//! Request rows: creation (secrets sealed before they are written) and the decision.

use super::{QUEUE_PER_PAGE, QueueRow};
use crate::{
    audit::{self, Event},
    auth::principal::UserPrincipal,
    db::{Db, is_unique_violation, like_pattern, new_id, now_ms},
    error::AppError,
    instances::naming::{self, NameError},
    orgs::OrgKind,
    secrets::{self, Binding, Keyring},
};
use secrecy::SecretString;
use sqlx::Row;

/// The billing address of a request.
#[derive(Debug, Clone, Default)]
pub struct Billing {
    pub company: Option<String>,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub country: String,
    pub notes: Option<String>,
}

/// A validated request, ready to store.
#[derive(Debug)]
pub struct NewRequest {
    pub organization_id: String,
    pub requested_by: String,
    pub instance_label: Option<String>,
    pub agent_name: String,
    pub soul_md: String,
    pub agents_md: String,
    pub packages: Vec<String>,
    pub billing: Billing,
    pub contact_name: String,
    pub contact_email: String,
    /// (package id, field name, value)
    pub secrets: Vec<(String, String, SecretString)>,
}

/// The purpose a package secret is sealed for.
pub fn secret_purpose(package: &str, field: &str) -> String {
    format!("package:{package}:{field}")
}

/// Stores a request: its secrets are sealed first (bound to organization, request and
/// field), then the request, the sealed values and the audit event go in one transaction.
pub async fn create(
    db: &Db,
    keyring: Option<&Keyring>,
    request: &NewRequest,
    client_addr: &str,
    origin: &str,
) -> Result<String, AppError> {
    let id = new_id();
    let mut sealed = Vec::with_capacity(request.secrets.len());
    for (package, field, value) in &request.secrets {
        let keyring = keyring.ok_or(AppError::SecretsNotConfigured)?;
        let purpose = secret_purpose(package, field);
        let binding = Binding {
            organization_id: &request.organization_id,
            request_id: &id,
            purpose: &purpose,
        };
        sealed.push((
            package,
            field,
            secrets::seal(db, keyring, binding, value).await?,
        ));
    }
    let packages =
        serde_json::to_string(&request.packages).map_err(|e| AppError::internal("packages", e))?;
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    sqlx::query(
        "INSERT INTO instance_requests (id, organization_id, requested_by, status, instance_label, agent_name,
            soul_md, agents_md, packages, billing_company, billing_street, billing_postal_code, billing_city,
            billing_country, billing_notes, contact_name, contact_email, created_at, updated_at)
         VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)",
    )
    .bind(&id)
    .bind(&request.organization_id)
    .bind(&request.requested_by)
    .bind(&request.instance_label)
    .bind(&request.agent_name)
    .bind(&request.soul_md)
    .bind(&request.agents_md)
    .bind(&packages)
    .bind(&request.billing.company)
    .bind(&request.billing.street)
    .bind(&request.billing.postal_code)
    .bind(&request.billing.city)
    .bind(&request.billing.country)
    .bind(&request.billing.notes)
    .bind(&request.contact_name)
    .bind(&request.contact_email)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    for (package, field, value) in &sealed {
        sqlx::query(
            "INSERT INTO request_secrets (request_id, package_id, field, sealed) VALUES ($1, $2, $3, $4)",
        )
        .bind(&id)
        .bind(package.as_str())
        .bind(field.as_str())
        .bind(value)
        .execute(&mut *tx)
        .await?;
    }
    audit::record(
        &mut *tx,
        Event::new("request.create", Some(&request.requested_by), client_addr)
            .organization(&request.organization_id)
            .target(&id),
    )
    .await?;
    super::notify::new_request(&mut tx, &id, origin).await?;
    tx.commit().await?;
    Ok(id)
}

/// Marks the request approved, creates its instance and provisioning job and queues the
/// requester's email. Returns the instance name and the organization id.
pub async fn approve(
    db: &Db,
    request_id: &str,
    staff: &UserPrincipal,
    note: Option<&str>,
    client_addr: &str,
    origin: &str,
) -> Result<(String, String), AppError> {
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    // The decision first: of two concurrent approvals only one finds the request undecided
    // (PostgreSQL holds the row lock, SQLite the write lock, until the commit).
    let decided = sqlx::query(
        "UPDATE instance_requests SET status = 'approved', admin_note = $1, decided_by = $2,
                decided_at = $3, updated_at = $3
         WHERE id = $4 AND status IN ('pending', 'rejected')",
    )
    .bind(note)
    .bind(&staff.user_id)
    .bind(now)
    .bind(request_id)
    .execute(&mut *tx)
    .await?;
    let row = sqlx::query(
        "SELECT r.organization_id, r.instance_label, r.contact_name, r.packages, o.kind, o.display_name
         FROM instance_requests r JOIN organizations o ON o.id = r.organization_id
         WHERE r.id = $1",
    )
    .bind(request_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    if decided.rows_affected() != 1 {
        return Err(AppError::Conflict);
    }
    let org_id: String = row.try_get("organization_id")?;
    let kind: String = row.try_get("kind")?;
    let kind = OrgKind::parse(&kind).ok_or_else(|| AppError::internal("org kind", &kind))?;
    let company: String = row.try_get("display_name")?;
    let label: Option<String> = row.try_get("instance_label")?;
    let contact: String = row.try_get("contact_name")?;
    let packages: String = row.try_get("packages")?;
    let name = naming::instance_name(kind, &company, request_id)
        .map_err(|e: NameError| AppError::internal("instance name", e))?;
    let display = naming::display_name(label.as_deref(), kind, &contact, &company);
    let instance_id = new_id();
    let inserted = sqlx::query(
        "INSERT INTO instances (id, organization_id, request_id, name, display_name, phase, packages, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'Pending', $6, $7, $7)",
    )
    .bind(&instance_id)
    .bind(&org_id)
    .bind(request_id)
    .bind(&name)
    .bind(&display)
    .bind(&packages)
    .bind(now)
    .execute(&mut *tx)
    .await;
    match inserted {
        Ok(_) => {}
        Err(e)
            if is_unique_violation(&e, "instances", "name")
                || is_unique_violation(&e, "instances", "request_id") =>
        {
            return Err(AppError::Conflict);
        }
        Err(e) => return Err(e.into()),
    }
    sqlx::query(
        "INSERT INTO provisioning_jobs (id, instance_id, status, attempts, created_at, updated_at)
         VALUES ($1, $2, 'queued', 0, $3, $3)",
    )
    .bind(new_id())
    .bind(&instance_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    for (action, target) in [
        ("request.approve", request_id),
        ("instance.create", name.as_str()),
    ] {
        audit::record(
            &mut *tx,
            Event::new(action, Some(&staff.user_id), client_addr)
                .organization(&org_id)
                .target(target),
        )
        .await?;
    }
    super::notify::decision(&mut tx, request_id, Some(&name), note, origin).await?;
    tx.commit().await?;
    Ok((name, org_id))
}

/// Rejects a pending request with the staff's note and queues the requester's email.
/// Returns the organization id.
pub async fn reject(
    db: &Db,
    request_id: &str,
    staff: &UserPrincipal,
    note: &str,
    client_addr: &str,
    origin: &str,
) -> Result<String, AppError> {
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    let decided = sqlx::query(
        "UPDATE instance_requests SET status = 'rejected', admin_note = $1, decided_by = $2,
                decided_at = $3, updated_at = $3
         WHERE id = $4 AND status = 'pending'",
    )
    .bind(note)
    .bind(&staff.user_id)
    .bind(now)
    .bind(request_id)
    .execute(&mut *tx)
    .await?;
    let org: Option<String> =
        sqlx::query("SELECT organization_id FROM instance_requests WHERE id = $1")
            .bind(request_id)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get("organization_id"))
            .transpose()?;
    let org = org.ok_or(AppError::NotFound)?;
    if decided.rows_affected() != 1 {
        return Err(AppError::Conflict);
    }
    audit::record(
        &mut *tx,
        Event::new("request.reject", Some(&staff.user_id), client_addr)
            .organization(&org)
            .target(request_id),
    )
    .await?;
    super::notify::decision(&mut tx, request_id, None, Some(note), origin).await?;
    tx.commit().await?;
    Ok(org)
}

/// One page of the admin queue (see `list_requests`) and the number of matches.
///
/// The SQL only names the filters in use, so the `(status, created_at)` index serves a
/// status view and the `created_at` index the all-statuses view. "Pending first" for all
/// statuses is two index walks (pending, then the rest) instead of a sort of every row.
pub async fn queue(
    db: &Db,
    status: &str,
    query: &str,
    page: u32,
) -> Result<(Vec<QueueRow>, i64), AppError> {
    // `$1` is the status, `$2` (only when searching) the pattern.
    let pattern = (!query.is_empty()).then(|| like_pattern(query));
    let search = if query.is_empty() {
        ""
    } else {
        " AND (LOWER(o.display_name) LIKE $2 ESCAPE '\\' OR LOWER(r.contact_name) LIKE $2 ESCAPE '\\'
               OR r.contact_email LIKE $2 ESCAPE '\\')"
    };
    let offset = i64::from(page.saturating_sub(1)) * i64::from(QUEUE_PER_PAGE);
    let limit = i64::from(QUEUE_PER_PAGE);
    if !status.is_empty() {
        let condition = format!("r.status = $1{search}");
        let total = count(db, &condition, &pattern, status).await?;
        let rows = select(db, &condition, &pattern, status, limit, offset).await?;
        return Ok((rows, total));
    }
    let pending = format!("r.status = $1{search}");
    let others = format!("r.status <> $1{search}");
    let pending_total = count(db, &pending, &pattern, "pending").await?;
    let total = pending_total + count(db, &others, &pattern, "pending").await?;
    let mut rows = Vec::new();
    if offset < pending_total {
        rows = select(db, &pending, &pattern, "pending", limit, offset).await?;
    }
    let missing = limit - i64::try_from(rows.len()).unwrap_or(limit);
    if missing > 0 {
        let skip = (offset - pending_total).max(0);
        rows.extend(select(db, &others, &pattern, "pending", missing, skip).await?);
    }
    Ok((rows, total))
}

// CROSS JOIN keeps SQLite's planner walking the requests index first (PostgreSQL plans it
// as the inner join it is).
const QUEUE_FROM: &str =
    "FROM instance_requests r CROSS JOIN organizations o WHERE o.id = r.organization_id AND";

async fn count(
    db: &Db,
    condition: &str,
    pattern: &Option<String>,
    status: &str,
) -> Result<i64, AppError> {
    // Without a search the organizations are not needed to count.
    let sql = match pattern {
        Some(_) => format!("SELECT COUNT(*) AS n {QUEUE_FROM} {condition}"),
        None => format!("SELECT COUNT(*) AS n FROM instance_requests r WHERE {condition}"),
    };
    let mut query = sqlx::query(&sql).bind(status);
    if let Some(pattern) = pattern {
        query = query.bind(pattern);
    }
    Ok(query.fetch_one(db.pool()).await?.try_get("n")?)
}

async fn select(
    db: &Db,
    condition: &str,
    pattern: &Option<String>,
    status: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<QueueRow>, AppError> {
    let sql = format!(
        "SELECT r.id, o.display_name, o.slug, r.contact_name, r.contact_email, r.instance_label,
                r.status, r.created_at
         {QUEUE_FROM} {condition} ORDER BY r.created_at, r.id LIMIT {limit} OFFSET {offset}"
    );
    let mut query = sqlx::query(&sql).bind(status);
    if let Some(pattern) = pattern {
        query = query.bind(pattern);
    }
    let rows = query.fetch_all(db.pool()).await?;
    rows.iter()
        .map(|r| {
            Ok(QueueRow {
                id: r.try_get("id")?,
                organization: r.try_get("display_name")?,
                org_slug: r.try_get("slug")?,
                contact_name: r.try_get("contact_name")?,
                contact_email: r.try_get("contact_email")?,
                instance_label: r.try_get("instance_label")?,
                status: r.try_get("status")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}
