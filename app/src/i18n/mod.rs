//! Localization for English, German, French and Italian.
//!
//! A typed approach instead of a catalog crate: every user-visible string is a field of
//! [`Texts`], and each language is one `Texts` value. A string missing in any language is a
//! compile error, lookups cost nothing, and no build step or runtime file is involved.
//!
//! A string with arguments is a function field with typed, named parameters, written per
//! language with `format!`, so its arguments are checked by the compiler and each value is
//! inserted exactly once (text a person typed is never scanned for placeholders again).
//! Call it as `(t.members_lead)(&org)`. Counts pick their wording with [`Lang::plural`].
//!
//! Strings only the server uses (emails, the wizard's default workspace files) live in
//! [`ServerTexts`], compiled only with `ssr`, so they stay out of the browser bundle.
//!
//! This module sits at the bottom of the crate's imports: it uses only std, serde, leptos
//! and http, never other modules of the crate.

mod de;
mod en;
mod fr;
mod it;
#[cfg(feature = "ssr")]
mod server;

#[cfg(feature = "ssr")]
pub use server::{ServerTexts, server_texts};

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

    /// The plural category of the count `n` in this language (CLDR cardinal rules): English,
    /// German and Italian use the singular for 1 only, French for 0 and 1.
    pub fn plural(self, n: u64) -> Plural {
        let one = match self {
            Lang::En | Lang::De | Lang::It => n == 1,
            Lang::Fr => n <= 1,
        };
        if one { Plural::One } else { Plural::Other }
    }
}

/// The grammatical number a count takes; the four languages need only two forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plural {
    One,
    Other,
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

/// Every user-visible string of the browser and the server. Fields of type `fn` take the
/// values they name; a count parameter chooses the singular or plural wording.
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
    pub dashboard_welcome: fn(name: &str) -> String,
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
    pub members_lead: fn(org: &str) -> String,
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
    pub platform_users_lead: fn(total: u64) -> String,
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
    pub page_of: fn(page: u32, pages: u32) -> String,
    pub nav_users: &'static str,

    pub settings_title: &'static str,
    pub settings_lead: fn(org: &str) -> String,
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
    pub err_duplicate_domain: fn(domain: &str) -> String,
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
    pub problem_too_short: fn(min: u64) -> String,
    pub problem_too_long: fn(max: u64) -> String,
    pub problem_invalid_email: &'static str,
    pub problem_invalid_choice: &'static str,
    pub problem_invalid_characters: &'static str,
    pub problem_invalid_slug: &'static str,
    pub invite_title: &'static str,
    pub invite_lead: fn(days: u64) -> String,
    pub invite_role: &'static str,
    pub invite_language: &'static str,
    pub invite_submit: &'static str,
    pub invite_sent: fn(email: &str) -> String,
    pub invite_not_delivered: fn(email: &str, error: &str) -> String,
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
    pub accept_title: fn(org: &str) -> String,
    pub accept_lead: fn(inviter: &str, email: &str, role: &str) -> String,
    pub accept_submit: &'static str,
    pub accept_new_lead: fn(email: &str) -> String,
    pub accept_sign_in_lead: fn(email: &str) -> String,
    pub accept_wrong_account: fn(current: &str, email: &str) -> String,
    pub accept_create_submit: &'static str,
    pub or_continue_with: &'static str,
    pub err_invitation_invalid: &'static str,
    pub err_invitation_expired: &'static str,
    pub err_invitation_used: &'static str,
    pub err_invitation_wrong_account: fn(email: &str) -> String,
    pub err_already_member: &'static str,
    pub nav_switch_org: &'static str,
    pub err_oidc_unknown_issuer: &'static str,
    pub err_oidc_state: &'static str,
    pub err_oidc_denied: &'static str,
    pub err_oidc_token: &'static str,
    pub err_oidc_email_unverified: &'static str,
    pub err_oidc_unavailable: &'static str,
    pub err_email_unverified: &'static str,
    pub err_verification_invalid: &'static str,
    pub err_oidc_link_refused: &'static str,
    pub confirm_title: &'static str,
    pub confirm_lead: fn(email: &str) -> String,
    pub confirm_resend: &'static str,
    pub confirm_resent: &'static str,
    pub confirm_wrong_address: &'static str,
    pub confirm_done: &'static str,
    pub confirm_to_dashboard: &'static str,
    pub confirm_signed_out: &'static str,
    pub sign_in_with: fn(name: &str) -> String,
    pub err_conflict: &'static str,
    pub err_invalid_api_key: &'static str,
    pub problem_invalid_date: &'static str,
    pub audit_title: &'static str,
    pub audit_lead_org: fn(org: &str) -> String,
    pub audit_lead_all: fn(total: u64) -> String,
    pub audit_total: fn(total: u64) -> String,
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
    pub err_usage_not_configured: &'static str,
    pub err_usage_unavailable: &'static str,
    pub queue_title: &'static str,
    pub queue_lead: fn(total: u64) -> String,
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
    pub approved_as: fn(name: &str) -> String,
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
    pub phase_pending: &'static str,
    pub phase_provisioning: &'static str,
    pub phase_ready: &'static str,
    pub phase_error: &'static str,
    pub phase_suspended: &'static str,
    pub phase_deleting: &'static str,
    pub phase_deleted: &'static str,
    pub steps_title: &'static str,
    pub step_webhook_approved: &'static str,
    pub step_litellm_team: &'static str,
    pub step_litellm_key: &'static str,
    pub step_webhook_provisioned: &'static str,
    pub step_litellm_key_remove: &'static str,
    pub step_litellm_team_remove: &'static str,
    pub step_webhook_deprovisioned: &'static str,
    pub step_gitea_org: &'static str,
    pub step_gitea_owners: &'static str,
    pub step_coolify_project: &'static str,
    pub step_coolify_service: &'static str,
    pub step_openbao_secrets: &'static str,
    pub step_authentik_group: &'static str,
    pub step_authentik_members: &'static str,
    pub step_kubernetes_resource: &'static str,
    pub step_kubernetes_resource_remove: &'static str,
    pub step_authentik_group_remove: &'static str,
    pub step_openbao_secrets_remove: &'static str,
    pub step_coolify_service_remove: &'static str,
    pub step_coolify_project_remove: &'static str,
    pub step_gitea_org_remove: &'static str,
    pub cluster_phase: fn(phase: &str) -> String,
    pub nav_overview: &'static str,
    pub platform_overview_title: &'static str,
    pub platform_instances_by_phase: &'static str,
    pub platform_pending_requests: fn(n: u64) -> String,
    pub platform_integrations: &'static str,
    pub integrations_none: &'static str,
    pub col_integration: &'static str,
    pub col_latency: &'static str,
    pub col_last_check: &'static str,
    pub col_problem: &'static str,
    pub integration_ok: &'static str,
    pub integration_error: &'static str,
    pub integration_unchecked: &'static str,
    pub step_status_pending: &'static str,
    pub step_status_running: &'static str,
    pub step_status_ok: &'static str,
    pub step_status_skipped: &'static str,
    pub step_status_error: &'static str,
    pub step_failed_generic: &'static str,
    pub step_attempts: fn(n: u64) -> String,
    pub retry_failed_steps: &'static str,
    pub reconcile: &'static str,
    pub deprovision: &'static str,
    pub retry_step: fn(step: &str) -> String,
    pub staff_actions: &'static str,
    pub problem_invalid_host: &'static str,
    pub problem_invalid_port: &'static str,
    pub queue_back: &'static str,
    pub request_decided: &'static str,
    pub request_secrets_stored: &'static str,
    pub request_submitted: &'static str,
    pub wizard_title: &'static str,
    pub wizard_welcome: fn(org: &str) -> String,
    pub wizard_ask_owner: fn(org: &str) -> String,
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
    pub nav_keys: &'static str,
    pub keys_title: &'static str,
    pub keys_lead: fn(org: &str) -> String,
    pub keys_read_only: &'static str,
    pub keys_name: &'static str,
    pub keys_write: &'static str,
    pub keys_expiry: &'static str,
    pub keys_expiry_never: &'static str,
    pub keys_expiry_days: fn(n: u32) -> String,
    pub keys_mint: &'static str,
    pub keys_token_once: &'static str,
    pub keys_copy: &'static str,
    pub keys_copied: &'static str,
    pub keys_env_title: &'static str,
    pub keys_download_env: &'static str,
    pub keys_curl_title: &'static str,
    pub keys_download: &'static str,
    pub keys_connect_title: &'static str,
    pub keys_connect_lead: &'static str,
    pub keys_connect_cli: &'static str,
    pub keys_none: &'static str,
    pub docs_title: &'static str,
    pub docs_lead: &'static str,
    pub docs_base_url: &'static str,
    pub docs_auth: &'static str,
    pub docs_errors: &'static str,
    pub docs_document: &'static str,
    pub docs_tag_organization: &'static str,
    pub docs_tag_instances: &'static str,
    pub docs_tag_requests: &'static str,
    pub docs_tag_audit: &'static str,
    pub docs_schemas: &'static str,
    pub docs_schemas_note: &'static str,
    pub docs_parameters: &'static str,
    pub docs_request_body: &'static str,
    pub docs_responses: &'static str,
    pub docs_required: &'static str,
    pub docs_optional: &'static str,
    pub docs_values: &'static str,
    pub docs_one_of: &'static str,
    pub docs_op_get_organization: &'static str,
    pub docs_op_list_instances: &'static str,
    pub docs_op_get_instance: &'static str,
    pub docs_op_get_usage: &'static str,
    pub docs_op_create_instance_request: &'static str,
    pub docs_op_list_audit_events: &'static str,
    pub docs_status_200: &'static str,
    pub docs_status_201: &'static str,
    pub docs_status_400: &'static str,
    pub docs_status_401: &'static str,
    pub docs_status_403: &'static str,
    pub docs_status_404: &'static str,
    pub docs_status_409: &'static str,
    pub docs_status_413: &'static str,
    pub docs_status_422: &'static str,
    pub docs_status_429: &'static str,
    pub docs_status_502: &'static str,
    pub docs_status_503: &'static str,
    pub keys_api_docs: &'static str,
    pub keys_col_name: &'static str,
    pub keys_col_key: &'static str,
    pub keys_col_scopes: &'static str,
    pub keys_col_created: &'static str,
    pub keys_col_last_used: &'static str,
    pub keys_col_expires: &'static str,
    pub keys_col_status: &'static str,
    pub keys_scope_read: &'static str,
    pub keys_scope_read_write: &'static str,
    pub keys_status_active: &'static str,
    pub keys_status_revoked: &'static str,
    pub keys_status_expired: &'static str,
    pub keys_revoke: &'static str,
    pub keys_reroll: &'static str,
    pub keys_grace: &'static str,
    pub keys_grace_hours: fn(n: u32) -> String,
    pub keys_never_used: &'static str,
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

    /// `text` contains every one of `args`, each exactly once (also for the server table's
    /// tests).
    pub(super) fn has_each_once(text: &str, args: &[&str]) -> bool {
        args.iter().all(|a| text.matches(a).count() == 1)
    }

    #[test]
    fn every_language_fills_its_placeholders() {
        let (a, b, c) = ("«A»", "«B»", "«C»");
        for lang in Lang::ALL {
            let t = texts(lang);
            let one_arg = [
                (t.dashboard_welcome)(a),
                (t.members_lead)(a),
                (t.settings_lead)(a),
                (t.err_duplicate_domain)(a),
                (t.invite_sent)(a),
                (t.accept_title)(a),
                (t.accept_new_lead)(a),
                (t.accept_sign_in_lead)(a),
                (t.err_invitation_wrong_account)(a),
                (t.sign_in_with)(a),
                (t.audit_lead_org)(a),
                (t.approved_as)(a),
                (t.wizard_welcome)(a),
                (t.wizard_ask_owner)(a),
            ];
            for text in one_arg {
                assert!(has_each_once(&text, &[a]), "{lang:?}: {text}");
            }
            let two = (t.invite_not_delivered)(a, b);
            assert!(has_each_once(&two, &[a, b]), "{lang:?}: {two}");
            let two = (t.accept_wrong_account)(a, b);
            assert!(has_each_once(&two, &[a, b]), "{lang:?}: {two}");
            let three = (t.accept_lead)(a, b, c);
            assert!(has_each_once(&three, &[a, b, c]), "{lang:?}: {three}");
            let counts = [
                (t.problem_too_short)(4711),
                (t.problem_too_long)(4711),
                (t.platform_users_lead)(4711),
                (t.invite_lead)(4711),
                (t.audit_lead_all)(4711),
                (t.audit_total)(4711),
                (t.queue_lead)(4711),
            ];
            for text in counts {
                assert!(has_each_once(&text, &["4711"]), "{lang:?}: {text}");
            }
            let page = (t.page_of)(3, 17);
            assert!(
                page.contains('3') && page.contains("17"),
                "{lang:?}: {page}"
            );
        }
    }

    #[test]
    fn plural_rules() {
        use Plural::{One, Other};
        for lang in [Lang::En, Lang::De, Lang::It] {
            assert_eq!(lang.plural(0), Other, "{lang:?}");
            assert_eq!(lang.plural(1), One, "{lang:?}");
            assert_eq!(lang.plural(2), Other, "{lang:?}");
        }
        assert_eq!(Lang::Fr.plural(0), One);
        assert_eq!(Lang::Fr.plural(1), One);
        assert_eq!(Lang::Fr.plural(2), Other);
        assert_eq!(Lang::Fr.plural(1000), Other);
    }

    #[test]
    fn counts_use_each_languages_plural() {
        let cases = [
            (Lang::En, 0, "0 events match."),
            (Lang::En, 1, "1 event matches."),
            (Lang::En, 2, "2 events match."),
            (Lang::De, 0, "0 Ereignisse passen."),
            (Lang::De, 1, "1 Ereignis passt."),
            (Lang::De, 2, "2 Ereignisse passen."),
            (Lang::Fr, 0, "0 événement correspond."),
            (Lang::Fr, 1, "1 événement correspond."),
            (Lang::Fr, 2, "2 événements correspondent."),
            (Lang::It, 0, "0 eventi corrispondono."),
            (Lang::It, 1, "1 evento corrisponde."),
            (Lang::It, 2, "2 eventi corrispondono."),
        ];
        for (lang, n, expected) in cases {
            assert_eq!((texts(lang).audit_total)(n), expected, "{lang:?} {n}");
        }
        assert_eq!(
            (texts(Lang::En).invite_lead)(1),
            "They receive an email with a link that works once and expires in 1 day."
        );
        assert!((texts(Lang::En).invite_lead)(7).ends_with("expires in 7 days."));
        assert_eq!(
            (texts(Lang::En).problem_too_short)(1),
            "Use at least 1 character."
        );
        assert_eq!(
            (texts(Lang::It).queue_lead)(1),
            "1 richiesta corrisponde; dalle più vecchie."
        );
        assert_eq!(
            (texts(Lang::Fr).problem_too_long)(0),
            "Au plus 0 caractère."
        );
    }

    #[test]
    fn user_text_passes_through_unchanged() {
        for lang in Lang::ALL {
            let t = texts(lang);
            for tricky in [
                "{org}",
                "{name}",
                "{inviter} {email} {role}",
                "{{x}}",
                "%s {0}",
            ] {
                assert!((t.members_lead)(tricky).contains(tricky), "{lang:?}");
                assert!((t.dashboard_welcome)(tricky).contains(tricky), "{lang:?}");
                let lead = (t.accept_lead)(tricky, "{org}", "{name}");
                assert!(
                    lead.contains(tricky) && lead.contains("{org}") && lead.contains("{name}"),
                    "{lang:?}: {lead}"
                );
                let wrong = (t.accept_wrong_account)("{email}", tricky);
                assert!(
                    wrong.contains("{email}") && wrong.contains(tricky),
                    "{lang:?}: {wrong}"
                );
            }
        }
    }

    #[test]
    fn languages_differ() {
        let en = texts(Lang::En);
        for lang in [Lang::De, Lang::Fr, Lang::It] {
            let t = texts(lang);
            assert_ne!(t.register_title, en.register_title, "{lang:?}");
            assert_ne!(
                (t.err_duplicate_domain)("acme.example"),
                (en.err_duplicate_domain)("acme.example"),
                "{lang:?}"
            );
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
