//! The email templates. Every string comes from [`crate::i18n::ServerTexts`], so each
//! template exists in every language; values are escaped for the HTML part and inserted
//! exactly once, so a name that looks like a placeholder stays as it is.

use super::{Email, escape_html};
use crate::i18n::{Lang, server_texts};

/// What an invitation email says.
#[derive(Debug, Clone)]
pub struct InvitationMail<'a> {
    pub to: &'a str,
    pub organization: &'a str,
    pub inviter: &'a str,
    pub role: &'a str,
    pub link: &'a str,
    pub expiry_days: u32,
}

/// The invitation to join an organization, in the language the inviter chose for it.
pub fn invitation(lang: Lang, mail: &InvitationMail<'_>) -> Email {
    let t = server_texts(lang);
    let subject = (t.mail_invite_subject)(mail.inviter, mail.organization);
    let intro = (t.mail_invite_intro)(mail.inviter, mail.organization, mail.role);
    let expiry = (t.mail_invite_expiry)(u64::from(mail.expiry_days));
    let text = format!(
        "{intro}\n\n{action}:\n{link}\n\n{expiry}\n{ignore}\n",
        action = t.mail_invite_action,
        link = mail.link,
        ignore = t.mail_invite_ignore,
    );
    let html_intro = (t.mail_invite_intro)(
        &escape_html(mail.inviter),
        &escape_html(mail.organization),
        &escape_html(mail.role),
    );
    let html = format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><body style=\"font-family:sans-serif;color:#0f172a\">\
         <p>{intro}</p>\
         <p><a href=\"{link}\" style=\"display:inline-block;background:#4338ca;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none\">{action}</a></p>\
         <p style=\"font-size:13px;color:#475569\">{expiry}<br>{ignore}</p>\
         <p style=\"font-size:12px;color:#64748b\">{link_text}</p>\
         </body></html>",
        lang = lang.code(),
        intro = html_intro,
        link = escape_html(mail.link),
        action = escape_html(t.mail_invite_action),
        expiry = expiry,
        ignore = escape_html(t.mail_invite_ignore),
        link_text = escape_html(mail.link),
    );
    Email {
        to: mail.to.to_owned(),
        subject,
        text,
        html,
    }
}

/// A short notification: a subject, paragraphs (plain text, escaped for HTML) and an
/// optional button. Notes typed by people go in as their own paragraph.
pub fn notice(
    lang: Lang,
    to: &str,
    subject: String,
    paragraphs: &[String],
    action: Option<(&str, &str)>,
) -> Email {
    let mut text = paragraphs.join("\n\n");
    let mut html = format!(
        "<!DOCTYPE html><html lang=\"{}\"><body style=\"font-family:sans-serif;color:#0f172a\">",
        lang.code()
    );
    for paragraph in paragraphs {
        html.push_str("<p style=\"white-space:pre-line\">");
        html.push_str(&escape_html(paragraph));
        html.push_str("</p>");
    }
    if let Some((label, link)) = action {
        text.push_str(&format!("\n\n{label}:\n{link}"));
        html.push_str(&format!(
            "<p><a href=\"{link}\" style=\"display:inline-block;background:#4338ca;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none\">{label}</a></p>\
             <p style=\"font-size:12px;color:#64748b\">{link}</p>",
            link = escape_html(link),
            label = escape_html(label),
        ));
    }
    text.push('\n');
    html.push_str("</body></html>");
    Email {
        to: to.to_owned(),
        subject,
        text,
        html,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_escape_what_people_typed() {
        let email = notice(
            Lang::De,
            "a@b.example",
            "Betreff".into(),
            &["Hallo <b>".into(), "Zeile 1\nZeile 2".into()],
            Some(("Öffnen", "https://p.example/x?a=1&b=2")),
        );
        assert!(email.text.contains("Hallo <b>\n\nZeile 1\nZeile 2"));
        assert!(email.text.contains("https://p.example/x?a=1&b=2"));
        assert!(email.html.contains("Hallo &lt;b&gt;"));
        assert!(email.html.contains("lang=\"de\""));
        assert!(email.html.contains("https://p.example/x?a=1&amp;b=2"));
    }

    #[test]
    fn every_language_names_the_organization_and_carries_the_link() {
        let mail = InvitationMail {
            to: "new@example.com",
            organization: "Acme <&> Co",
            inviter: "Jo Tester",
            role: "Member",
            link: "https://portal.example/invite/abc?x=1&y=2",
            expiry_days: 7,
        };
        for lang in Lang::ALL {
            let email = invitation(lang, &mail);
            assert!(email.subject.contains("Acme <&> Co"), "{lang:?}");
            assert!(email.text.contains(mail.link), "{lang:?}");
            assert!(email.text.contains('7'), "{lang:?}");
            assert!(email.html.contains("Acme &lt;&amp;&gt; Co"), "{lang:?}");
            assert!(!email.html.contains("<&>"), "{lang:?}");
            assert!(
                email
                    .html
                    .contains("https://portal.example/invite/abc?x=1&amp;y=2")
            );
        }
    }

    /// Values are inserted once: an organization literally named `{inviter}` (or a person
    /// named `{org}`) is not mistaken for a placeholder and replaced.
    #[test]
    fn placeholder_like_names_survive() {
        let mail = InvitationMail {
            to: "new@example.com",
            organization: "{inviter}",
            inviter: "{org} {role} {days}",
            role: "{inviter}",
            link: "https://portal.example/invite/abc",
            expiry_days: 7,
        };
        for lang in Lang::ALL {
            let email = invitation(lang, &mail);
            for part in [&email.subject, &email.text, &email.html] {
                assert!(part.contains("{inviter}"), "{lang:?}: {part}");
                assert!(part.contains("{org} {role} {days}"), "{lang:?}: {part}");
            }
            // The organization and the role (both `{inviter}`) appear in the intro as they
            // are, and the inviter's name appears once: nothing was substituted twice.
            assert_eq!(email.text.matches("{inviter}").count(), 2, "{lang:?}");
            assert_eq!(
                email.text.matches("{org} {role} {days}").count(),
                1,
                "{lang:?}"
            );
        }
        let en = invitation(Lang::En, &mail);
        assert_eq!(en.subject, "{org} {role} {days} invited you to {inviter}");
        assert!(en.text.starts_with(
            "{org} {role} {days} invited you to join {inviter} on Tenantry as {inviter}.\n"
        ));
    }

    #[test]
    fn invitation_expiry_is_singular_for_one_day() {
        let mail = InvitationMail {
            to: "new@example.com",
            organization: "Acme",
            inviter: "Jo",
            role: "Member",
            link: "https://portal.example/invite/abc",
            expiry_days: 1,
        };
        let email = invitation(Lang::En, &mail);
        assert!(email.text.contains("expires in 1 day."), "{}", email.text);
        assert!(email.html.contains("expires in 1 day."), "{}", email.html);
    }
}
