//! Writing an organization's settings, with the audit event in the same transaction.

use crate::{
    audit::{self, Event},
    db::{Db, is_unique_violation, now_ms},
    error::AppError,
    orgs::access::OrgAccess,
};

/// Renames the organization of `access` and sets its slug (both already validated).
/// Refuses a slug another organization holds.
pub async fn update(
    db: &Db,
    access: &OrgAccess,
    display_name: &str,
    new_slug: &str,
) -> Result<(), AppError> {
    let mut tx = db.pool().begin().await?;
    let update = sqlx::query(
        "UPDATE organizations SET display_name = $1, slug = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(display_name)
    .bind(new_slug)
    .bind(now_ms())
    .bind(&access.org_id)
    .execute(&mut *tx)
    .await;
    match update {
        Err(e) if is_unique_violation(&e, "organizations", "slug") => {
            return Err(AppError::SlugTaken);
        }
        other => other?,
    };
    let detail = format!("{} -> {new_slug}", access.slug);
    audit::record(
        &mut *tx,
        Event::new("org.update", &access.actor)
            .organization(&access.org_id)
            .target(new_slug)
            .outcome(audit::Outcome::Success, &detail),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
