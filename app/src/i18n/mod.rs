//! Localization for English, German, French and Italian.
//!
//! A typed approach instead of a catalog crate: every user-visible string is a field of
//! [`Texts`], and each language is one `Texts` value. A string missing in any language is a
//! compile error, lookups cost nothing, and no build step or runtime file is involved.
//! Parameterized strings use `{name}` placeholders filled by [`fill`].

mod de;
mod en;
mod fr;
mod it;

use serde::{Deserialize, Serialize};

/// A supported language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    De,
    Fr,
    It,
}

impl Lang {
    /// Every supported language, in display order.
    pub const ALL: [Lang; 4] = [Lang::En, Lang::De, Lang::Fr, Lang::It];

    /// The BCP 47 tag stored in the database and cookies.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
            Lang::Fr => "fr",
            Lang::It => "it",
        }
    }

    /// The language's own name for itself.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::De => "Deutsch",
            Lang::Fr => "Français",
            Lang::It => "Italiano",
        }
    }

    /// Parses a tag such as `de`, `de-CH` or `FR`; `None` for anything unsupported.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// Picks the best supported language from an `Accept-Language` header value,
    /// honouring q-values; `None` when nothing matches.
    pub fn from_accept_language(header: &str, allowed: &[Lang]) -> Option<Lang> {
        let mut candidates: Vec<(f32, usize, Lang)> = header
            .split(',')
            .enumerate()
            .filter_map(|(pos, part)| {
                let mut pieces = part.split(';');
                let lang = Lang::parse(pieces.next()?)?;
                let q = pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                (q > 0.0 && allowed.contains(&lang)).then_some((q, pos, lang))
            })
            .collect();
        candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        candidates.first().map(|c| c.2)
    }
}

/// Replaces `{key}` in `template` with `value`.
pub fn fill(template: &str, key: &str, value: &str) -> String {
    template.replace(&format!("{{{key}}}"), value)
}

/// The strings of one language.
pub fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::En => &en::TEXTS,
        Lang::De => &de::TEXTS,
        Lang::Fr => &fr::TEXTS,
        Lang::It => &it::TEXTS,
    }
}

/// Every user-visible string of the application.
pub struct Texts {
    pub tagline: &'static str,
    pub skip_to_content: &'static str,
    pub nav_sign_in: &'static str,
    pub nav_register: &'static str,
    pub nav_dashboard: &'static str,
    pub sign_out: &'static str,
    pub language: &'static str,
    pub apply: &'static str,
    pub account_menu: &'static str,
    pub signed_in_as: &'static str,
    pub platform_admin: &'static str,
    pub platform_operator: &'static str,
    pub working: &'static str,
    pub loading: &'static str,

    pub home_title: &'static str,
    pub home_lead: &'static str,
    pub home_feature_onboard_title: &'static str,
    pub home_feature_onboard_text: &'static str,
    pub home_feature_approve_title: &'static str,
    pub home_feature_approve_text: &'static str,
    pub home_feature_agents_title: &'static str,
    pub home_feature_agents_text: &'static str,
    pub home_go_dashboard: &'static str,

    pub register_title: &'static str,
    pub register_lead: &'static str,
    pub account_type: &'static str,
    pub account_company: &'static str,
    pub account_company_hint: &'static str,
    pub account_personal: &'static str,
    pub account_personal_hint: &'static str,
    pub company_name: &'static str,
    pub given_name: &'static str,
    pub family_name: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub password_hint: &'static str,
    pub preferred_language: &'static str,
    pub register_submit: &'static str,
    pub have_account: &'static str,

    pub sign_in_title: &'static str,
    pub sign_in_lead: &'static str,
    pub sign_in_submit: &'static str,
    pub no_account: &'static str,

    pub dashboard_title: &'static str,
    pub dashboard_welcome: &'static str,
    pub dashboard_orgs: &'static str,
    pub dashboard_no_orgs: &'static str,
    pub col_organization: &'static str,
    pub col_kind: &'static str,
    pub col_role: &'static str,
    pub col_slug: &'static str,
    pub kind_company: &'static str,
    pub kind_personal: &'static str,
    pub role_owner: &'static str,
    pub role_admin: &'static str,
    pub role_member: &'static str,
    pub role_viewer: &'static str,

    pub members_title: &'static str,
    pub members_lead: &'static str,
    pub members_read_only: &'static str,
    pub col_name: &'static str,
    pub col_email: &'static str,
    pub col_member_role: &'static str,
    pub col_joined: &'static str,
    pub col_last_active: &'static str,
    pub col_actions: &'static str,
    pub never: &'static str,
    pub you: &'static str,
    pub new_role: &'static str,
    pub change_role: &'static str,
    pub remove_member: &'static str,
    pub leave_organization: &'static str,
    pub nav_members: &'static str,

    pub platform_users_title: &'static str,
    pub platform_users_lead: &'static str,
    pub search_label: &'static str,
    pub search: &'static str,
    pub col_status: &'static str,
    pub col_platform_role: &'static str,
    pub col_orgs: &'static str,
    pub status_active: &'static str,
    pub status_suspended: &'static str,
    pub suspend: &'static str,
    pub activate: &'static str,
    pub role_none: &'static str,
    pub set_role: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub page_of: &'static str,
    pub nav_users: &'static str,

    pub settings_title: &'static str,
    pub settings_lead: &'static str,
    pub display_name: &'static str,
    pub slug: &'static str,
    pub slug_hint: &'static str,
    pub save: &'static str,
    pub saved: &'static str,
    pub nav_settings: &'static str,

    pub not_found_title: &'static str,
    pub not_found_text: &'static str,
    pub back_home: &'static str,

    pub err_unauthenticated: &'static str,
    pub err_forbidden: &'static str,
    pub err_suspended: &'static str,
    pub err_not_found: &'static str,
    pub err_invalid_credentials: &'static str,
    pub err_email_taken: &'static str,
    pub err_slug_taken: &'static str,
    pub err_duplicate_domain: &'static str,
    pub err_invalid: &'static str,
    pub err_last_owner: &'static str,
    pub err_role_not_allowed: &'static str,
    pub err_own_account: &'static str,
    pub err_last_platform_admin: &'static str,
    pub err_bad_request: &'static str,
    pub err_payload_too_large: &'static str,
    pub err_rate_limited: &'static str,
    pub err_cross_site: &'static str,
    pub err_internal: &'static str,
    pub err_network: &'static str,

    pub problem_required: &'static str,
    pub problem_too_short: &'static str,
    pub problem_too_long: &'static str,
    pub problem_invalid_email: &'static str,
    pub problem_invalid_choice: &'static str,
    pub problem_invalid_characters: &'static str,
    pub problem_invalid_slug: &'static str,
    pub mail_invite_subject: &'static str,
    pub mail_invite_intro: &'static str,
    pub mail_invite_action: &'static str,
    pub mail_invite_expiry: &'static str,
    pub mail_invite_ignore: &'static str,
    pub invite_title: &'static str,
    pub invite_lead: &'static str,
    pub invite_role: &'static str,
    pub invite_language: &'static str,
    pub invite_submit: &'static str,
    pub invite_sent: &'static str,
    pub invite_not_delivered: &'static str,
    pub pending_invitations: &'static str,
    pub no_pending_invitations: &'static str,
    pub col_invited_by: &'static str,
    pub col_expires: &'static str,
    pub col_delivery: &'static str,
    pub delivery_sent: &'static str,
    pub delivery_sending: &'static str,
    pub delivery_failed: &'static str,
    pub expired: &'static str,
    pub resend: &'static str,
    pub revoke: &'static str,
    pub accept_title: &'static str,
    pub accept_lead: &'static str,
    pub accept_submit: &'static str,
    pub accept_new_lead: &'static str,
    pub accept_sign_in_lead: &'static str,
    pub accept_wrong_account: &'static str,
    pub accept_create_submit: &'static str,
    pub or_continue_with: &'static str,
    pub err_invitation_invalid: &'static str,
    pub err_invitation_expired: &'static str,
    pub err_invitation_used: &'static str,
    pub err_invitation_wrong_account: &'static str,
    pub err_already_member: &'static str,
    pub nav_switch_org: &'static str,
    pub err_oidc_unknown_issuer: &'static str,
    pub err_oidc_state: &'static str,
    pub err_oidc_denied: &'static str,
    pub err_oidc_token: &'static str,
    pub err_oidc_email_unverified: &'static str,
    pub err_oidc_unavailable: &'static str,
    pub sign_in_with: &'static str,
    pub err_conflict: &'static str,
    pub problem_invalid_date: &'static str,
    pub audit_title: &'static str,
    pub audit_lead_org: &'static str,
    pub audit_lead_all: &'static str,
    pub audit_total: &'static str,
    pub audit_actor: &'static str,
    pub audit_action: &'static str,
    pub audit_any_action: &'static str,
    pub audit_from: &'static str,
    pub audit_to: &'static str,
    pub audit_filter: &'static str,
    pub audit_export: &'static str,
    pub audit_empty: &'static str,
    pub col_time: &'static str,
    pub col_actor: &'static str,
    pub col_target: &'static str,
    pub col_address: &'static str,
    pub col_outcome: &'static str,
    pub outcome_success: &'static str,
    pub outcome_failure: &'static str,
    pub outcome_denied: &'static str,
    pub nav_audit: &'static str,
    pub system: &'static str,
    pub err_secrets_not_configured: &'static str,
    pub queue_title: &'static str,
    pub queue_lead: &'static str,
    pub queue_search: &'static str,
    pub queue_status: &'static str,
    pub queue_all: &'static str,
    pub queue_empty: &'static str,
    pub col_contact: &'static str,
    pub col_requested: &'static str,
    pub request_status_pending: &'static str,
    pub request_status_approved: &'static str,
    pub request_status_provisioning: &'static str,
    pub request_status_active: &'static str,
    pub request_status_rejected: &'static str,
    pub request_status_deleted: &'static str,
    pub note_optional: &'static str,
    pub note_required: &'static str,
    pub approve: &'static str,
    pub reject: &'static str,
    pub approved_as: &'static str,
    pub nav_requests: &'static str,
    pub col_instance: &'static str,
    pub col_note: &'static str,
    pub col_packages: &'static str,
    pub col_phase: &'static str,
    pub create_instance: &'static str,
    pub dashboard_instances: &'static str,
    pub dashboard_no_instances: &'static str,
    pub dashboard_no_requests: &'static str,
    pub dashboard_requests: &'static str,
    pub live_on: &'static str,
    pub mail_request_approved_subject: &'static str,
    pub mail_request_approved_body: &'static str,
    pub mail_request_rejected_subject: &'static str,
    pub mail_request_rejected_body: &'static str,
    pub mail_request_note: &'static str,
    pub mail_request_dashboard_action: &'static str,
    pub mail_request_new_subject: &'static str,
    pub mail_request_new_body: &'static str,
    pub mail_request_new_action: &'static str,
    pub phase_pending: &'static str,
    pub phase_provisioning: &'static str,
    pub phase_ready: &'static str,
    pub phase_error: &'static str,
    pub phase_suspended: &'static str,
    pub phase_deleting: &'static str,
    pub problem_invalid_host: &'static str,
    pub problem_invalid_port: &'static str,
    pub queue_back: &'static str,
    pub request_decided: &'static str,
    pub request_secrets_stored: &'static str,
    pub request_submitted: &'static str,
    pub wizard_title: &'static str,
    pub wizard_welcome: &'static str,
    pub wizard_ask_owner: &'static str,
    pub wizard_back_to_dashboard: &'static str,
    pub wizard_back: &'static str,
    pub wizard_next: &'static str,
    pub wizard_submit: &'static str,
    pub wizard_step_welcome: &'static str,
    pub wizard_step_configure: &'static str,
    pub wizard_step_packages: &'static str,
    pub wizard_step_secrets: &'static str,
    pub wizard_step_billing: &'static str,
    pub wizard_step_confirm: &'static str,
    pub wizard_instance_label: &'static str,
    pub wizard_instance_label_hint: &'static str,
    pub wizard_agent_name: &'static str,
    pub wizard_soul_md: &'static str,
    pub wizard_soul_md_hint: &'static str,
    pub wizard_agents_md: &'static str,
    pub wizard_agents_md_hint: &'static str,
    pub wizard_default_soul: &'static str,
    pub wizard_default_agents: &'static str,
    pub wizard_packages_lead: &'static str,
    pub wizard_needs_secrets: &'static str,
    pub wizard_secrets_lead: &'static str,
    pub wizard_secrets_nojs: &'static str,
    pub wizard_secret_entered: &'static str,
    pub wizard_billing_company: &'static str,
    pub wizard_billing_street: &'static str,
    pub wizard_billing_postal_code: &'static str,
    pub wizard_billing_city: &'static str,
    pub wizard_billing_country: &'static str,
    pub wizard_billing_notes: &'static str,
    pub wizard_contact: &'static str,
    pub wizard_contact_name: &'static str,
    pub wizard_contact_email: &'static str,
    pub wizard_confirm_nojs: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tags() {
        assert_eq!(Lang::parse("de-CH"), Some(Lang::De));
        assert_eq!(Lang::parse("FR"), Some(Lang::Fr));
        assert_eq!(Lang::parse("es"), None);
        assert_eq!(Lang::parse(""), None);
    }

    #[test]
    fn accept_language_honours_quality_and_allowed_set() {
        let all = Lang::ALL;
        assert_eq!(
            Lang::from_accept_language("es, it;q=0.5, de;q=0.9", &all),
            Some(Lang::De)
        );
        assert_eq!(
            Lang::from_accept_language("de-DE,de;q=0.9", &all),
            Some(Lang::De)
        );
        assert_eq!(Lang::from_accept_language("de;q=0", &all), None);
        assert_eq!(
            Lang::from_accept_language("de, fr", &[Lang::En, Lang::Fr]),
            Some(Lang::Fr)
        );
        assert_eq!(Lang::from_accept_language("garbage;;;", &all), None);
    }

    #[test]
    fn every_language_fills_its_placeholders() {
        for lang in Lang::ALL {
            let t = texts(lang);
            assert!(t.err_duplicate_domain.contains("{domain}"), "{lang:?}");
            assert!(t.problem_too_short.contains("{min}"), "{lang:?}");
            assert!(t.problem_too_long.contains("{max}"), "{lang:?}");
            assert!(t.dashboard_welcome.contains("{name}"), "{lang:?}");
            assert!(t.members_lead.contains("{org}"), "{lang:?}");
            assert!(t.settings_lead.contains("{org}"), "{lang:?}");
            assert!(t.platform_users_lead.contains("{total}"), "{lang:?}");
            assert!(
                t.page_of.contains("{page}") && t.page_of.contains("{pages}"),
                "{lang:?}"
            );
        }
    }

    #[test]
    fn languages_differ() {
        let en = texts(Lang::En);
        for lang in [Lang::De, Lang::Fr, Lang::It] {
            let t = texts(lang);
            assert_ne!(t.register_title, en.register_title, "{lang:?}");
            assert_ne!(t.err_duplicate_domain, en.err_duplicate_domain, "{lang:?}");
        }
    }
}

/// The current language, provided by the app root; the language switcher sets it.
#[derive(Clone, Copy)]
pub struct I18n(pub leptos::prelude::RwSignal<Lang>);

/// The current language signal.
pub fn use_lang() -> leptos::prelude::Signal<Lang> {
    use leptos::prelude::*;
    use_context::<I18n>()
        .map(|i| i.0.into())
        .unwrap_or_else(|| Signal::stored(Lang::En))
}

/// The language the page starts in, known without waiting for anything: on the server the
/// request's language (user, cookie, `Accept-Language`), in the browser the `lang` of the
/// server-rendered `<html>`, so hydration renders exactly what the server did.
pub fn initial_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        use leptos::prelude::use_context;
        use_context::<http::request::Parts>()
            .and_then(|p| p.extensions.get::<Lang>().copied())
            .unwrap_or_default()
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
            .and_then(|e| e.get_attribute("lang"))
            .and_then(|l| Lang::parse(&l))
            .unwrap_or_default()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        Lang::default()
    }
}

/// Points `<html lang>` at `lang` after a switch in the browser (screen readers, hyphenation).
pub fn set_document_lang(lang: Lang) {
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", lang.code());
    }
    #[cfg(not(all(feature = "hydrate", not(feature = "ssr"))))]
    let _ = lang;
}

/// The current language's strings, as a signal.
pub fn use_texts() -> leptos::prelude::Signal<&'static Texts> {
    use leptos::prelude::*;
    let lang = use_lang();
    Signal::derive(move || texts(lang.get()))
}
