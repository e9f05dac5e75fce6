//! The emails a request causes, queued in the outbox inside the transaction that changes
//! the request: new request → every active platform staff member, in their language;
//! approved or rejected → the requester, in theirs, with the staff's note.

use super::repo;
use crate::{
    i18n::{Lang, server_texts},
    mail::{self, outbox},
};
use sqlx::{Any, Transaction};

/// Queues "new request" for every active platform admin and operator.
pub async fn new_request(
    tx: &mut Transaction<'_, Any>,
    request_id: &str,
    origin: &str,
) -> Result<(), sqlx::Error> {
    let about = repo::subject(tx, request_id).await?;
    let staff = repo::staff_recipients(tx).await?;
    let link = format!("{origin}/platform/requests/{request_id}");
    for recipient in staff {
        let to = recipient.email;
        let lang = Lang::parse(&recipient.language).unwrap_or_default();
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
    let about = repo::subject(tx, request_id).await?;
    let recipient = repo::requester(tx, request_id).await?;
    let to = recipient.email;
    let lang = Lang::parse(&recipient.language).unwrap_or_default();
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
