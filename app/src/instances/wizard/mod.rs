//! The onboarding wizard (SPEC §3.3): welcome → configure → packages → secrets → billing →
//! confirm → submit. One form holds every step, so it posts without JavaScript; in the
//! browser it shows one step at a time and checks each step with the same [`validate`]
//! the server runs on submit.

mod context;
pub mod page;
mod submit;

pub use context::*;
pub use submit::*;

use super::catalog::{Catalog, FieldKind};
use crate::{
    auth::validate::Checker,
    error::{AppError, Problem},
    orgs::OrgKind,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Longest instance label (SPEC §2).
pub const LABEL_MAX: usize = 80;
/// Agent name length (SPEC §2).
pub const AGENT_NAME_MAX: usize = 50;
/// Longest SOUL.md or AGENTS.md (SPEC §2).
pub const WORKSPACE_FILE_MAX: usize = 10_000;

/// The wizard's steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Welcome,
    Configure,
    Packages,
    Secrets,
    Billing,
    Confirm,
}

impl Step {
    pub const ALL: [Step; 6] = [
        Step::Welcome,
        Step::Configure,
        Step::Packages,
        Step::Secrets,
        Step::Billing,
        Step::Confirm,
    ];

    pub fn index(self) -> usize {
        Self::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    /// The step that asks for `field` (as named in validation errors).
    pub fn of_field(field: &str) -> Step {
        match field {
            "instance_label" | "agent_name" | "soul_md" | "agents_md" => Step::Configure,
            "packages" => Step::Packages,
            f if f.starts_with("secret.") => Step::Secrets,
            _ => Step::Billing,
        }
    }
}

/// Everything the wizard collects. Form fields are named `draft[<field>]`, packages
/// `draft[packages][]` and secrets `draft[secrets][<package>.<field>]`.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Draft {
    pub instance_label: String,
    pub agent_name: String,
    pub soul_md: String,
    pub agents_md: String,
    pub packages: Vec<String>,
    /// `<package>.<field>` → value, as typed. Never logged (see the `Debug` impl).
    pub secrets: BTreeMap<String, String>,
    pub billing_company: String,
    pub billing_street: String,
    pub billing_postal_code: String,
    pub billing_city: String,
    pub billing_country: String,
    pub billing_notes: String,
    pub contact_name: String,
    pub contact_email: String,
}

impl std::fmt::Debug for Draft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Draft")
            .field("instance_label", &self.instance_label)
            .field("agent_name", &self.agent_name)
            .field("packages", &self.packages)
            .field("secrets", &self.secrets.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// The key of a secret field in [`Draft::secrets`].
pub fn secret_key(package: &str, field: &str) -> String {
    format!("{package}.{field}")
}

/// The name validation errors use for a secret field.
pub fn secret_error_field(package: &str, field: &str) -> String {
    format!("secret.{package}.{field}")
}

/// A draft that passed [`validate`]: trimmed values, known packages in catalog order, and
/// the secrets of the chosen packages only.
#[derive(Debug)]
pub struct Valid {
    pub instance_label: Option<String>,
    pub agent_name: String,
    pub soul_md: String,
    pub agents_md: String,
    pub packages: Vec<String>,
    /// (package, field, value); the value as typed (trimmed for non-password kinds).
    pub secrets: Vec<(String, String, String)>,
    pub billing_company: Option<String>,
    pub billing_street: String,
    pub billing_postal_code: String,
    pub billing_city: String,
    pub billing_country: String,
    pub billing_notes: Option<String>,
    pub contact_name: String,
    pub contact_email: String,
}

fn check_host(value: &str) -> bool {
    value.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    })
}

/// Checks `draft` against the rules of SPEC §2 and the catalog. `upto` limits the check to
/// the fields of the steps up to and including it (the browser checks step by step); the
/// server passes `None` and checks everything.
pub fn validate(
    draft: &Draft,
    catalog: &Catalog,
    kind: OrgKind,
    upto: Option<Step>,
) -> Result<Valid, AppError> {
    let mut check = Checker::default();
    let label = check.text("instance_label", &draft.instance_label, 0, LABEL_MAX);
    let agent_name = check.text("agent_name", &draft.agent_name, 1, AGENT_NAME_MAX);
    let soul_md = check.multiline("soul_md", &draft.soul_md, 1, WORKSPACE_FILE_MAX);
    let agents_md = check.multiline("agents_md", &draft.agents_md, 1, WORKSPACE_FILE_MAX);

    let mut chosen = Vec::new();
    for id in &draft.packages {
        if catalog.packages.iter().all(|p| &p.id != id) {
            check.problem("packages", Problem::InvalidChoice);
        }
    }
    for package in &catalog.packages {
        if draft.packages.contains(&package.id) {
            chosen.push(package);
        }
    }
    let mut secrets = Vec::new();
    for package in &chosen {
        for field in &package.secrets {
            let name = secret_error_field(&package.id, &field.name);
            let raw = draft
                .secrets
                .get(&secret_key(&package.id, &field.name))
                .map(String::as_str)
                .unwrap_or_default();
            let value = match field.kind {
                FieldKind::Password => {
                    check.password(&name, raw, field.min, field.max);
                    if !check.has(&name) && raw.chars().any(char::is_control) {
                        check.problem(&name, Problem::InvalidCharacters);
                    }
                    raw.to_owned()
                }
                FieldKind::Text => check.text(&name, raw, field.min, field.max),
                FieldKind::Email => {
                    let value = check.email(&name, raw);
                    if !check.has(&name) {
                        check.text(&name, &value, field.min, field.max);
                    }
                    value
                }
                FieldKind::Host => {
                    let value = check.text(&name, raw, field.min, field.max).to_lowercase();
                    if !check.has(&name) && !check_host(&value) {
                        check.problem(&name, Problem::InvalidHost);
                    }
                    value
                }
                FieldKind::Port => {
                    let value = raw.trim().to_owned();
                    if value.is_empty() {
                        check.problem(&name, Problem::Required);
                    } else if !matches!(value.parse::<u16>(), Ok(1..)) {
                        check.problem(&name, Problem::InvalidPort);
                    }
                    value
                }
            };
            secrets.push((package.id.clone(), field.name.clone(), value));
        }
    }

    let company_min = match kind {
        OrgKind::Company => 1,
        OrgKind::Personal => 0,
    };
    let billing_company = check.text("billing_company", &draft.billing_company, company_min, 100);
    let billing_street = check.text("billing_street", &draft.billing_street, 1, 200);
    let billing_postal_code = check.text("billing_postal_code", &draft.billing_postal_code, 1, 20);
    let billing_city = check.text("billing_city", &draft.billing_city, 1, 100);
    let billing_country = check.text("billing_country", &draft.billing_country, 2, 100);
    let billing_notes = check.multiline("billing_notes", &draft.billing_notes, 0, 1000);
    let contact_name = check.text("contact_name", &draft.contact_name, 1, 100);
    let contact_email = check.email("contact_email", &draft.contact_email);

    let result = check.finish();
    let result = match (result, upto) {
        (Err(AppError::Invalid { fields }), Some(upto)) => {
            let fields: Vec<_> = fields
                .into_iter()
                .filter(|f| Step::of_field(&f.field) <= upto)
                .collect();
            if fields.is_empty() {
                Ok(())
            } else {
                Err(AppError::Invalid { fields })
            }
        }
        (result, _) => result,
    };
    result?;
    let optional = |v: String| (!v.is_empty()).then_some(v);
    Ok(Valid {
        instance_label: optional(label),
        agent_name,
        soul_md,
        agents_md,
        packages: chosen.iter().map(|p| p.id.clone()).collect(),
        secrets,
        billing_company: optional(billing_company),
        billing_street,
        billing_postal_code,
        billing_city,
        billing_country,
        billing_notes: optional(billing_notes),
        contact_name,
        contact_email,
    })
}

// The catalog parser is server-side.
#[cfg(feature = "ssr")]
#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        Catalog::parse(crate::instances::catalog::DEFAULT).unwrap()
    }

    fn complete() -> Draft {
        Draft {
            agent_name: "Ada".into(),
            soul_md: "# Soul\n\tcalm".into(),
            agents_md: "# Agents".into(),
            packages: vec!["smtp".into(), "telegram".into()],
            secrets: BTreeMap::from([
                (
                    "telegram.bot_token".into(),
                    "123456:ABCDEFGHIJKLMNOPQRSTUV".into(),
                ),
                ("smtp.host".into(), "Mail.Example.com ".into()),
                ("smtp.port".into(), "587".into()),
                ("smtp.user".into(), "agent".into()),
                ("smtp.password".into(), " pass word ".into()),
                ("discord.bot_token".into(), "not chosen".into()),
            ]),
            billing_company: "Acme AG".into(),
            billing_street: "Main 1".into(),
            billing_postal_code: "8000".into(),
            billing_city: "Zürich".into(),
            billing_country: "Switzerland".into(),
            contact_name: "Jo".into(),
            contact_email: "Jo@Acme.example".into(),
            ..Draft::default()
        }
    }

    fn problems(err: AppError) -> Vec<(String, Problem)> {
        match err {
            AppError::Invalid { fields } => {
                fields.into_iter().map(|f| (f.field, f.problem)).collect()
            }
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn a_complete_draft_is_normalized() {
        let valid = validate(&complete(), &catalog(), OrgKind::Company, None).unwrap();
        // Catalog order, not the order of the form.
        assert_eq!(valid.packages, vec!["telegram", "smtp"]);
        assert_eq!(valid.contact_email, "jo@acme.example");
        assert_eq!(valid.instance_label, None);
        let secret = |f: &str| {
            valid
                .secrets
                .iter()
                .find(|(_, field, _)| field == f)
                .map(|(_, _, v)| v.clone())
                .unwrap()
        };
        assert_eq!(secret("host"), "mail.example.com");
        assert_eq!(
            secret("password"),
            " pass word ",
            "passwords are kept as typed"
        );
        assert!(
            valid.secrets.iter().all(|(p, _, _)| p != "discord"),
            "secrets of packages not chosen are dropped"
        );
    }

    #[test]
    fn every_problem_is_named_by_field() {
        let mut draft = complete();
        draft.agent_name = "x".repeat(51);
        draft.soul_md = "a\u{7}b".into();
        draft.packages.push("nope".into());
        draft.secrets.insert("smtp.port".into(), "70000".into());
        draft.secrets.insert("smtp.host".into(), "bad host".into());
        draft.secrets.remove("telegram.bot_token");
        draft.billing_company = String::new();
        draft.contact_email = "nope".into();
        let found = problems(validate(&draft, &catalog(), OrgKind::Company, None).unwrap_err());
        for expected in [
            ("agent_name", Problem::TooLong { max: 50 }),
            ("soul_md", Problem::InvalidCharacters),
            ("packages", Problem::InvalidChoice),
            ("secret.smtp.port", Problem::InvalidPort),
            ("secret.smtp.host", Problem::InvalidHost),
            ("secret.telegram.bot_token", Problem::Required),
            ("billing_company", Problem::Required),
            ("contact_email", Problem::InvalidEmail),
        ] {
            assert!(
                found.contains(&(expected.0.to_owned(), expected.1.clone())),
                "{expected:?} missing in {found:?}"
            );
        }
    }

    #[test]
    fn personal_billing_needs_no_company_and_steps_limit_the_check() {
        let mut draft = complete();
        draft.billing_company = String::new();
        assert!(validate(&draft, &catalog(), OrgKind::Personal, None).is_ok());
        draft.billing_city = String::new();
        draft.secrets.remove("telegram.bot_token");
        // Up to the packages step, neither the secret nor the city is asked for yet.
        assert!(validate(&draft, &catalog(), OrgKind::Personal, Some(Step::Packages)).is_ok());
        let found = problems(
            validate(&draft, &catalog(), OrgKind::Personal, Some(Step::Secrets)).unwrap_err(),
        );
        assert_eq!(
            found,
            vec![("secret.telegram.bot_token".to_owned(), Problem::Required)]
        );
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let text = format!("{:?}", complete());
        assert!(!text.contains("ABCDEFGHIJ"), "{text}");
        assert!(text.contains("telegram.bot_token"));
    }

    #[test]
    fn fields_map_to_their_steps() {
        assert_eq!(Step::of_field("soul_md"), Step::Configure);
        assert_eq!(Step::of_field("secret.smtp.host"), Step::Secrets);
        assert_eq!(Step::of_field("contact_email"), Step::Billing);
        assert_eq!(Step::Confirm.index(), 5);
    }
}
