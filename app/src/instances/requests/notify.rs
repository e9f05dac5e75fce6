//! The emails a request causes, queued in the outbox inside the transaction that changes
//! the request: new request → every active platform staff member, in their language;
//! approved or rejected → the requester, in theirs, with the staff's note.

use crate::{
    i18n::{Lang, server_texts},
    mail::{self, outbox},
};
use sqlx::{Any, Row, Transaction};

/// What the emails say about a request.
struct Subject {
    organization: String,
    slug: String,
    /// The instance label, else the agent's name.
    label: String,
    requester: String,
}

async fn subject(tx: &mut Transaction<'_, Any>, request_id: &str) -> Result<Subject, sqlx::Error> {
    let row = sqlx::query(
        "SELECT o.display_name, o.slug, r.instance_label, r.agent_name, r.contact_name
         FROM instance_requests r JOIN organizations o ON o.id = r.organization_id
         WHERE r.id = $1",
    )
    .bind(request_id)
    .fetch_one(&mut **tx)
    .await?;
    let label: Option<String> = row.try_get("instance_label")?;
    Ok(Subject {
        organization: row.try_get("display_name")?,
        slug: row.try_get("slug")?,
        label: match label {
            Some(label) => label,
            None => row.try_get("agent_name")?,
        },
        requester: row.try_get("contact_name")?,
    })
}

/// Queues "new request" for every active platform admin and operator.
pub async fn new_request(
    tx: &mut Transaction<'_, Any>,
    request_id: &str,
    origin: &str,
) -> Result<(), sqlx::Error> {
    let about = subject(tx, request_id).await?;
    let staff = sqlx::query(
        "SELECT email, language FROM users
         WHERE platform_role IS NOT NULL AND status = 'active' ORDER BY email",
    )
    .fetch_all(&mut **tx)
    .await?;
    let link = format!("{origin}/platform/requests/{request_id}");
    for row in staff {
        let to: String = row.try_get("email")?;
        let lang: String = row.try_get("language")?;
        let lang = Lang::parse(&lang).unwrap_or_default();
        let t = server_texts(lang);
        let email = mail::notice(
            lang,
            &to,
            (t.mail_request_new_subject)(&about.organization, &about.label),
            &[(t.mail_request_new_body)(
                &about.requester,
                &about.label,
                &about.organization,
            )],
            Some((t.mail_request_new_action, &link)),
        );
        outbox::enqueue(&mut **tx, "request.created", Some(request_id), &email).await?;
    }
    Ok(())
}

/// Queues the decision for the requester (or the contact address when the requester's
/// account is gone). `instance` is the new instance's name when approved.
pub async fn decision(
    tx: &mut Transaction<'_, Any>,
    request_id: &str,
    instance: Option<&str>,
    note: Option<&str>,
    origin: &str,
) -> Result<(), sqlx::Error> {
    let about = subject(tx, request_id).await?;
    let row = sqlx::query(
        "SELECT COALESCE(u.email, r.contact_email) AS email, COALESCE(u.language, 'en') AS language
         FROM instance_requests r LEFT JOIN users u ON u.id = r.requested_by
         WHERE r.id = $1",
    )
    .bind(request_id)
    .fetch_one(&mut **tx)
    .await?;
    let to: String = row.try_get("email")?;
    let lang: String = row.try_get("language")?;
    let lang = Lang::parse(&lang).unwrap_or_default();
    let t = server_texts(lang);
    let (kind, subject, mut paragraphs) = match instance {
        Some(name) => (
            "request.approved",
            (t.mail_request_approved_subject)(&about.label),
            vec![(t.mail_request_approved_body)(
                &about.label,
                &about.organization,
                name,
            )],
        ),
        None => (
            "request.rejected",
            (t.mail_request_rejected_subject)(&about.label),
            vec![(t.mail_request_rejected_body)(
                &about.label,
                &about.organization,
            )],
        ),
    };
    if let Some(note) = note {
        paragraphs.push(t.mail_request_note.to_owned());
        paragraphs.push(note.to_owned());
    }
    let link = format!("{origin}/orgs/{}", about.slug);
    let email = mail::notice(
        lang,
        &to,
        subject,
        &paragraphs,
        Some((t.mail_request_dashboard_action, &link)),
    );
    outbox::enqueue(&mut **tx, kind, Some(request_id), &email).await
}
