//! Strings only the server uses: email subjects and bodies, and the wizard's default
//! workspace files. Compiled only with `ssr`, so none of them ships in the browser bundle.
//! Each language defines its table next to its [`super::Texts`] (`SERVER` in `en.rs`, …),
//! so a string missing in any language is still a compile error.

use super::{Lang, de, en, fr, it};

/// The server-only strings of one language. Fields of type `fn` take the values they name.
pub struct ServerTexts {
    pub mail_invite_subject: fn(inviter: &str, org: &str) -> String,
    pub mail_invite_intro: fn(inviter: &str, org: &str, role: &str) -> String,
    pub mail_invite_action: &'static str,
    pub mail_invite_expiry: fn(days: u64) -> String,
    pub mail_invite_ignore: &'static str,
    pub mail_request_approved_subject: fn(label: &str) -> String,
    pub mail_request_approved_body: fn(label: &str, org: &str, name: &str) -> String,
    pub mail_request_rejected_subject: fn(label: &str) -> String,
    pub mail_request_rejected_body: fn(label: &str, org: &str) -> String,
    pub mail_request_note: &'static str,
    pub mail_request_dashboard_action: &'static str,
    pub mail_request_new_subject: fn(org: &str, label: &str) -> String,
    pub mail_request_new_body: fn(requester: &str, label: &str, org: &str) -> String,
    pub mail_request_new_action: &'static str,
    pub mail_verify_subject: &'static str,
    pub mail_verify_body: fn(name: &str) -> String,
    pub mail_verify_action: &'static str,
    pub mail_verify_expiry: fn(hours: u64) -> String,
    pub mail_verify_ignore: &'static str,
    /// The default SOUL.md for an organization's new instance.
    pub wizard_default_soul: fn(name: &str) -> String,
    /// The default AGENTS.md for an organization's new instance.
    pub wizard_default_agents: fn(name: &str) -> String,
}

/// The server-only strings of one language.
pub fn server_texts(lang: Lang) -> &'static ServerTexts {
    match lang {
        Lang::En => &en::SERVER,
        Lang::De => &de::SERVER,
        Lang::Fr => &fr::SERVER,
        Lang::It => &it::SERVER,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::has_each_once;
    use super::*;

    #[test]
    fn every_language_fills_its_placeholders() {
        let (a, b, c) = ("«A»", "«B»", "«C»");
        for lang in Lang::ALL {
            let s = server_texts(lang);
            for text in [
                (s.mail_invite_subject)(a, b),
                (s.mail_request_new_subject)(a, b),
                (s.mail_request_rejected_body)(a, b),
            ] {
                assert!(has_each_once(&text, &[a, b]), "{lang:?}: {text}");
            }
            for text in [
                (s.mail_invite_intro)(a, b, c),
                (s.mail_request_approved_body)(a, b, c),
                (s.mail_request_new_body)(a, b, c),
            ] {
                assert!(has_each_once(&text, &[a, b, c]), "{lang:?}: {text}");
            }
            for text in [
                (s.mail_request_approved_subject)(a),
                (s.mail_request_rejected_subject)(a),
            ] {
                assert!(has_each_once(&text, &[a]), "{lang:?}: {text}");
            }
            assert!(has_each_once(&(s.mail_verify_body)(a), &[a]), "{lang:?}");
            let hours = (s.mail_verify_expiry)(4711);
            assert!(has_each_once(&hours, &["4711"]), "{lang:?}: {hours}");
            let expiry = (s.mail_invite_expiry)(4711);
            assert!(has_each_once(&expiry, &["4711"]), "{lang:?}: {expiry}");
            // The workspace files name the organization wherever the template does.
            assert!((s.wizard_default_soul)(a).contains(a), "{lang:?}");
            assert!(
                (s.wizard_default_agents)(a).matches(a).count() >= 2,
                "{lang:?}"
            );
        }
    }

    #[test]
    fn invitation_expiry_uses_each_languages_plural() {
        let cases = [
            (Lang::En, 1, "expires in 1 day."),
            (Lang::En, 7, "expires in 7 days."),
            (Lang::De, 1, "läuft in 1 Tag ab."),
            (Lang::De, 7, "läuft in 7 Tagen ab."),
            (Lang::Fr, 0, "expire dans 0 jour."),
            (Lang::Fr, 1, "expire dans 1 jour."),
            (Lang::Fr, 7, "expire dans 7 jours."),
            (Lang::It, 1, "scade tra 1 giorno."),
            (Lang::It, 7, "scade tra 7 giorni."),
        ];
        for (lang, n, ending) in cases {
            let text = (server_texts(lang).mail_invite_expiry)(n);
            assert!(text.ends_with(ending), "{lang:?} {n}: {text}");
        }
    }

    #[test]
    fn user_text_passes_through_unchanged() {
        for lang in Lang::ALL {
            let s = server_texts(lang);
            let body = (s.mail_request_approved_body)("{org}", "{name}", "{label}");
            assert!(
                body.contains("{org}") && body.contains("{name}") && body.contains("{label}"),
                "{lang:?}: {body}"
            );
            let body = (s.mail_request_new_body)("{label}", "{org}", "{requester}");
            assert!(
                body.contains("{label}") && body.contains("{org}") && body.contains("{requester}"),
                "{lang:?}: {body}"
            );
            assert!(
                (s.wizard_default_soul)("{name}").contains("{name}"),
                "{lang:?}"
            );
        }
    }
}
