//! Request rows: creation (secrets sealed before they are written), the decision, the admin
//! queue, one request for the staff, and what the request's emails say.

use super::{QUEUE_PER_PAGE, QueueRow, StatusFilter, StoredSecret};
use crate::{
    audit::{self, Event},
    auth::caller::Staff,
    db::{Backend, Db, is_unique_violation, like_pattern, new_id, now_ms},
    error::AppError,
    instances::{
        naming::{self, NameError},
        status::RequestStatus,
        wizard::{Billing, ValidRequest},
    },
    orgs::{OrgKind, access::OrgAccess},
    secrets::{self, Binding, Keyring},
};
use sqlx::AnyConnection;

/// The purpose a package secret is sealed for.
pub fn secret_purpose(package: &str, field: &str) -> String {
    format!("package:{package}:{field}")
}

/// Stores `request` for the organization of `access`, requested by its caller: the
/// secrets are sealed first (bound to organization, request and field), then the request,
/// the sealed values and the audit event go in one transaction with the staff's emails.
pub async fn create(
    db: &Db,
    keyring: Option<&Keyring>,
    access: &OrgAccess,
    request: &ValidRequest,
    origin: &str,
) -> Result<String, AppError> {
    let id = new_id();
    let mut sealed = Vec::with_capacity(request.secrets.len());
    for secret in &request.secrets {
        let keyring = keyring.ok_or(AppError::SecretsNotConfigured)?;
        let purpose = secret_purpose(&secret.package, &secret.field);
        let binding = Binding {
            organization_id: &access.org_id,
            request_id: &id,
            purpose: &purpose,
        };
        sealed.push((
            &secret.package,
            &secret.field,
            secrets::seal(db, keyring, binding, &secret.value).await?,
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
    .bind(&access.org_id)
    .bind(&access.user.user_id)
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
        Event::new("request.create", &access.actor)
            .organization(&access.org_id)
            .target(&id),
    )
    .await?;
    super::notify::new_request(&mut tx, &id, origin).await?;
    tx.commit().await?;
    Ok(id)
}

/// What approval reads of a request and its organization.
#[derive(sqlx::FromRow)]
struct Approval {
    organization_id: String,
    instance_label: Option<String>,
    contact_name: String,
    packages: String,
    #[sqlx(try_from = "String")]
    kind: OrgKind,
    display_name: String,
}

/// Marks the request approved, creates its instance and provisioning job and queues the
/// requester's email. Returns the instance name and the organization id.
pub async fn approve(
    db: &Db,
    request_id: &str,
    staff: &Staff,
    note: Option<&str>,
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
    .bind(&staff.user.user_id)
    .bind(now)
    .bind(request_id)
    .execute(&mut *tx)
    .await?;
    let request: Approval = sqlx::query_as(
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
    let Approval {
        organization_id: org_id,
        instance_label: label,
        contact_name: contact,
        packages,
        kind,
        display_name: company,
    } = request;
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
    crate::provisioning::repo::enqueue(
        &mut tx,
        &instance_id,
        &org_id,
        crate::provisioning::RunKind::Provision,
    )
    .await?;
    for (action, target) in [
        ("request.approve", request_id),
        ("instance.create", name.as_str()),
    ] {
        audit::record(
            &mut *tx,
            Event::new(action, &staff.actor)
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
    staff: &Staff,
    note: &str,
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
    .bind(&staff.user.user_id)
    .bind(now)
    .bind(request_id)
    .execute(&mut *tx)
    .await?;
    let org: String =
        sqlx::query_scalar("SELECT organization_id FROM instance_requests WHERE id = $1")
            .bind(request_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(AppError::NotFound)?;
    if decided.rows_affected() != 1 {
        return Err(AppError::Conflict);
    }
    audit::record(
        &mut *tx,
        Event::new("request.reject", &staff.actor)
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
/// status view and the `(created_at, id, status)` index the all-statuses view. "Pending
/// first" for all statuses is two index walks (pending, then the rest) instead of a sort
/// of every row. A page's ids are found first and only those 50 rows are joined with their
/// organization, so deep pages do not join the rows they skip. Searches use the trigram
/// index of each backend (see migration 0007).
pub async fn queue(
    db: &Db,
    filter: StatusFilter,
    query: &str,
    page: u32,
) -> Result<(Vec<QueueRow>, i64), AppError> {
    let search = Search::new(db, query);
    let offset = i64::from(page.saturating_sub(1)) * i64::from(QUEUE_PER_PAGE);
    let limit = i64::from(QUEUE_PER_PAGE);
    if let StatusFilter::Only(status) = filter {
        let condition = format!("r.status = $1{}", search.condition);
        let total = count(db, &condition, &search, status).await?;
        let rows = select(db, &condition, &search, status, limit, offset).await?;
        return Ok((rows, total));
    }
    let pending = format!("r.status = $1{}", search.condition);
    let others = format!("r.status <> $1{}", search.condition);
    let first = RequestStatus::Pending;
    let pending_total = count(db, &pending, &search, first).await?;
    let total = pending_total + count(db, &others, &search, first).await?;
    let mut rows = Vec::new();
    if offset < pending_total {
        rows = select(db, &pending, &search, first, limit, offset).await?;
    }
    let missing = limit - i64::try_from(rows.len()).unwrap_or(limit);
    if missing > 0 {
        let skip = (offset - pending_total).max(0);
        rows.extend(select(db, &others, &search, first, missing, skip).await?);
    }
    Ok((rows, total))
}

/// The search part of a queue query: a condition on `r` (the request) with `$2` bound to
/// `value`, and whether it needs the organization joined as `o`.
struct Search {
    condition: &'static str,
    value: Option<String>,
    joins_org: bool,
}

impl Search {
    fn new(db: &Db, query: &str) -> Search {
        if query.is_empty() {
            return Search {
                condition: "",
                value: None,
                joins_org: false,
            };
        }
        match db.backend() {
            // `search_text` carries organization, contact name and email; pg_trgm indexes it.
            Backend::Postgres => Search {
                condition: " AND r.search_text LIKE $2 ESCAPE '\\'",
                value: Some(like_pattern(query)),
                joins_org: false,
            },
            // The FTS5 trigram index needs three characters; a phrase matches as a substring.
            Backend::Sqlite if query.chars().count() >= 3 => Search {
                condition: " AND r.id IN (SELECT request_id FROM instance_requests_fts
                                          WHERE instance_requests_fts MATCH $2)",
                value: Some(format!("\"{}\"", query.replace('"', "\"\""))),
                joins_org: false,
            },
            Backend::Sqlite => Search {
                condition: " AND (LOWER(o.display_name) LIKE $2 ESCAPE '\\'
                                  OR LOWER(r.contact_name) LIKE $2 ESCAPE '\\'
                                  OR r.contact_email LIKE $2 ESCAPE '\\')",
                value: Some(like_pattern(query)),
                joins_org: true,
            },
        }
    }

    /// `FROM … WHERE` for a condition on `r` (and `o` when the search needs it).
    fn from(&self) -> &'static str {
        if self.joins_org {
            // CROSS JOIN keeps SQLite's planner walking the requests index first.
            "FROM instance_requests r CROSS JOIN organizations o WHERE o.id = r.organization_id AND"
        } else {
            "FROM instance_requests r WHERE"
        }
    }
}

async fn count(
    db: &Db,
    condition: &str,
    search: &Search,
    status: RequestStatus,
) -> Result<i64, AppError> {
    let sql = format!("SELECT COUNT(*) AS n {} {condition}", search.from());
    let mut query = sqlx::query_scalar(&sql).bind(status.as_str());
    if let Some(value) = &search.value {
        query = query.bind(value);
    }
    Ok(query.fetch_one(db.pool()).await?)
}

async fn select(
    db: &Db,
    condition: &str,
    search: &Search,
    status: RequestStatus,
    limit: i64,
    offset: i64,
) -> Result<Vec<QueueRow>, AppError> {
    let sql = format!(
        "SELECT x.id, xo.display_name AS organization, xo.slug AS org_slug, x.contact_name,
                x.contact_email, x.instance_label, x.status, x.created_at
         FROM instance_requests x JOIN organizations xo ON xo.id = x.organization_id
         WHERE x.id IN (SELECT r.id {} {condition}
                        ORDER BY r.created_at, r.id LIMIT {limit} OFFSET {offset})
         ORDER BY x.created_at, x.id",
        search.from()
    );
    let mut query = sqlx::query_as(&sql).bind(status.as_str());
    if let Some(value) = &search.value {
        query = query.bind(value);
    }
    Ok(query.fetch_all(db.pool()).await?)
}

/// One request as platform staff see it (see `get_request`); `packages` is the stored JSON
/// array of package ids.
#[derive(Debug, sqlx::FromRow)]
pub struct RequestRecord {
    pub id: String,
    pub organization: String,
    pub slug: String,
    #[sqlx(try_from = "String")]
    pub status: RequestStatus,
    pub instance_label: Option<String>,
    pub agent_name: String,
    pub soul_md: String,
    pub agents_md: String,
    pub packages: String,
    #[sqlx(flatten)]
    pub billing: Billing,
    pub contact_name: String,
    pub contact_email: String,
    pub admin_note: Option<String>,
    /// The deciding staff member's display name.
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub created_at: i64,
    /// The instance approval created.
    pub instance_name: Option<String>,
    pub instance_id: Option<String>,
    pub instance_phase: Option<String>,
    pub organization_id: String,
}

/// The request `id` with its organization, decider and instance; `None` for unknown ids.
pub async fn detail(db: &Db, id: &str) -> Result<Option<RequestRecord>, AppError> {
    Ok(sqlx::query_as(
        "SELECT r.id, o.display_name AS organization, o.slug, r.status, r.instance_label,
                r.agent_name, r.soul_md, r.agents_md, r.packages, r.billing_company,
                r.billing_street, r.billing_postal_code, r.billing_city, r.billing_country,
                r.billing_notes, r.contact_name, r.contact_email, r.admin_note,
                d.display_name AS decided_by, r.decided_at, r.created_at,
                i.name AS instance_name, i.id AS instance_id, i.phase AS instance_phase,
                r.organization_id
         FROM instance_requests r
         JOIN organizations o ON o.id = r.organization_id
         LEFT JOIN users d ON d.id = r.decided_by
         LEFT JOIN instances i ON i.request_id = r.id
         WHERE r.id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?)
}

/// The names of the secrets stored with request `id`, by package and field.
pub async fn stored_secrets(db: &Db, id: &str) -> Result<Vec<StoredSecret>, AppError> {
    Ok(sqlx::query_as(
        "SELECT package_id AS package, field FROM request_secrets WHERE request_id = $1
         ORDER BY package_id, field",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?)
}

/// What the emails about a request name.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct Subject {
    pub organization: String,
    pub slug: String,
    /// The instance label, else the agent's name.
    pub label: String,
    /// The contact's name.
    pub requester: String,
}

/// Someone an email goes to, with their language as stored.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct Recipient {
    pub email: String,
    pub language: String,
}

pub(super) async fn subject(
    conn: &mut AnyConnection,
    request_id: &str,
) -> Result<Subject, sqlx::Error> {
    sqlx::query_as(
        "SELECT o.display_name AS organization, o.slug,
                COALESCE(r.instance_label, r.agent_name) AS label, r.contact_name AS requester
         FROM instance_requests r JOIN organizations o ON o.id = r.organization_id
         WHERE r.id = $1",
    )
    .bind(request_id)
    .fetch_one(conn)
    .await
}

/// Every active platform admin and operator, by address.
pub(super) async fn staff_recipients(
    conn: &mut AnyConnection,
) -> Result<Vec<Recipient>, sqlx::Error> {
    sqlx::query_as(
        "SELECT email, language FROM users
         WHERE platform_role IS NOT NULL AND status = 'active' ORDER BY email",
    )
    .fetch_all(conn)
    .await
}

/// The requester of `request_id`, or its contact address (in English) when the requester's
/// account is gone.
pub(super) async fn requester(
    conn: &mut AnyConnection,
    request_id: &str,
) -> Result<Recipient, sqlx::Error> {
    sqlx::query_as(
        "SELECT COALESCE(u.email, r.contact_email) AS email, COALESCE(u.language, 'en') AS language
         FROM instance_requests r LEFT JOIN users u ON u.id = r.requested_by
         WHERE r.id = $1",
    )
    .bind(request_id)
    .fetch_one(conn)
    .await
}
