//! One request as platform staff see it: everything the requester entered except the
//! secrets, of which only the names of the stored fields show.

use crate::{error::AppError, instances::overview::PackageName};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A stored secret, by name only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSecret {
    pub package: String,
    pub field: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestDetail {
    pub id: String,
    pub organization: String,
    pub org_slug: String,
    pub status: String,
    pub instance_label: Option<String>,
    pub agent_name: String,
    pub soul_md: String,
    pub agents_md: String,
    pub packages: Vec<PackageName>,
    pub secrets: Vec<StoredSecret>,
    pub billing_company: Option<String>,
    pub billing_street: String,
    pub billing_postal_code: String,
    pub billing_city: String,
    pub billing_country: String,
    pub billing_notes: Option<String>,
    pub contact_name: String,
    pub contact_email: String,
    pub admin_note: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub created_at: i64,
    /// The instance approval created.
    pub instance_name: Option<String>,
}

/// A request for platform staff; `not_found` for anyone else and for unknown ids.
#[server(prefix = "/fn", endpoint = "admin/requests/get")]
pub async fn get_request(id: String) -> Result<RequestDetail, AppError> {
    use crate::auth::caller::Caller;
    use sqlx::Row;
    let caller = Caller::current()?;
    caller.staff()?;
    let row = sqlx::query(
        "SELECT r.*, o.display_name AS organization, o.slug, d.display_name AS decided_by_name,
                i.name AS instance_name
         FROM instance_requests r
         JOIN organizations o ON o.id = r.organization_id
         LEFT JOIN users d ON d.id = r.decided_by
         LEFT JOIN instances i ON i.request_id = r.id
         WHERE r.id = $1",
    )
    .bind(&id)
    .fetch_optional(caller.db().pool())
    .await?
    .ok_or(AppError::NotFound)?;
    let secrets = sqlx::query(
        "SELECT package_id, field FROM request_secrets WHERE request_id = $1
         ORDER BY package_id, field",
    )
    .bind(&id)
    .fetch_all(caller.db().pool())
    .await?
    .iter()
    .map(|r| {
        Ok(StoredSecret {
            package: r.try_get("package_id")?,
            field: r.try_get("field")?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let packages: String = row.try_get("packages")?;
    Ok(RequestDetail {
        id: row.try_get("id")?,
        organization: row.try_get("organization")?,
        org_slug: row.try_get("slug")?,
        status: row.try_get("status")?,
        instance_label: row.try_get("instance_label")?,
        agent_name: row.try_get("agent_name")?,
        soul_md: row.try_get("soul_md")?,
        agents_md: row.try_get("agents_md")?,
        packages: PackageName::list_from_json(&caller.state.config.catalog, &packages)?,
        secrets,
        billing_company: row.try_get("billing_company")?,
        billing_street: row.try_get("billing_street")?,
        billing_postal_code: row.try_get("billing_postal_code")?,
        billing_city: row.try_get("billing_city")?,
        billing_country: row.try_get("billing_country")?,
        billing_notes: row.try_get("billing_notes")?,
        contact_name: row.try_get("contact_name")?,
        contact_email: row.try_get("contact_email")?,
        admin_note: row.try_get("admin_note")?,
        decided_by: row.try_get("decided_by_name")?,
        decided_at: row.try_get("decided_at")?,
        created_at: row.try_get("created_at")?,
        instance_name: row.try_get("instance_name")?,
    })
}
