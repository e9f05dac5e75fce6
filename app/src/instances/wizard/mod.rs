//! The onboarding wizard (SPEC §3.3): welcome → configure → packages → secrets → billing →
//! confirm → submit. One form holds every step, so it posts without JavaScript; in the
//! browser it shows one step at a time and checks each step with the same [`validate`]
//! the server runs on submit.

mod context;
pub mod page;
pub mod submit;

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

/// The length limits of one field, in characters: the form's `required` (when `min > 0`)
/// and `maxlength`, and what [`validate`] checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub min: usize,
    pub max: usize,
}

/// The limits of the fields the wizard asks for (SPEC §2), for the form and [`validate`]
/// alike. Package secrets have theirs in the catalog.
pub mod limits {
    use super::Limit;
    use crate::orgs::OrgKind;

    pub const INSTANCE_LABEL: Limit = Limit { min: 0, max: 80 };
    pub const AGENT_NAME: Limit = Limit { min: 1, max: 50 };
    /// SOUL.md and AGENTS.md.
    pub const WORKSPACE_FILE: Limit = Limit {
        min: 1,
        max: 10_000,
    };
    pub const BILLING_STREET: Limit = Limit { min: 1, max: 200 };
    pub const BILLING_POSTAL_CODE: Limit = Limit { min: 1, max: 20 };
    pub const BILLING_CITY: Limit = Limit { min: 1, max: 100 };
    pub const BILLING_COUNTRY: Limit = Limit { min: 2, max: 100 };
    pub const BILLING_NOTES: Limit = Limit { min: 0, max: 1000 };
    pub const CONTACT_NAME: Limit = Limit { min: 1, max: 100 };
    /// The contact's address; `Checker::email` refuses longer ones.
    pub const CONTACT_EMAIL: Limit = Limit { min: 1, max: 254 };

    /// The company line of the billing address: required for companies only.
    pub const fn billing_company(kind: OrgKind) -> Limit {
        match kind {
            OrgKind::Company => Limit { min: 1, max: 100 },
            OrgKind::Personal => Limit { min: 0, max: 100 },
        }
    }
}

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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Draft {
    /// A label shown with the instance on the dashboard (optional).
    pub instance_label: String,
    /// The agent's name.
    pub agent_name: String,
    /// The agent's SOUL.md (Markdown).
    pub soul_md: String,
    /// The agent's AGENTS.md (Markdown).
    pub agents_md: String,
    /// Package ids from the portal's catalog.
    pub packages: Vec<String>,
    /// `<package>.<field>` → value for the chosen packages' secret fields, as typed. Sealed
    /// at once and never returned. Never logged (see the `Debug` impl).
    pub secrets: BTreeMap<String, String>,
    /// The billing address; the company line is required for companies.
    pub billing_company: String,
    pub billing_street: String,
    pub billing_postal_code: String,
    pub billing_city: String,
    pub billing_country: String,
    /// Anything billing should know.
    pub billing_notes: String,
    /// Who platform staff contact about the request.
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

/// The billing address of a request (stored in the request's `billing_*` columns).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Billing {
    #[cfg_attr(feature = "ssr", sqlx(rename = "billing_company"))]
    pub company: Option<String>,
    #[cfg_attr(feature = "ssr", sqlx(rename = "billing_street"))]
    pub street: String,
    #[cfg_attr(feature = "ssr", sqlx(rename = "billing_postal_code"))]
    pub postal_code: String,
    #[cfg_attr(feature = "ssr", sqlx(rename = "billing_city"))]
    pub city: String,
    #[cfg_attr(feature = "ssr", sqlx(rename = "billing_country"))]
    pub country: String,
    #[cfg_attr(feature = "ssr", sqlx(rename = "billing_notes"))]
    pub notes: Option<String>,
}

/// A secret as typed. On the server a [`secrecy::SecretString`]: never printed, zeroized
/// when dropped. The browser only checks the draft with it.
#[cfg(feature = "ssr")]
pub type SecretValue = secrecy::SecretString;
/// A secret as typed. On the server a `secrecy::SecretString`: never printed, zeroized
/// when dropped. The browser only checks the draft with it.
#[cfg(not(feature = "ssr"))]
pub type SecretValue = browser::SecretValue;

#[cfg(not(feature = "ssr"))]
mod browser {
    /// A secret as typed; `Debug` never shows it.
    #[derive(Clone)]
    pub struct SecretValue(String);

    impl SecretValue {
        pub fn expose_secret(&self) -> &str {
            &self.0
        }
    }

    impl From<String> for SecretValue {
        fn from(value: String) -> Self {
            SecretValue(value)
        }
    }

    impl std::fmt::Debug for SecretValue {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("SecretValue([REDACTED])")
        }
    }
}

/// A package secret of a validated request.
#[derive(Debug, Clone)]
pub struct PackageSecret {
    pub package: String,
    pub field: String,
    /// As typed (trimmed for non-password kinds).
    pub value: SecretValue,
}

/// A draft that passed [`validate`], as the repository stores it: trimmed values, empty
/// optional fields as `None`, known packages in catalog order, and the secrets of the
/// chosen packages only. `Debug` shows no secret value.
#[derive(Debug, Clone)]
pub struct ValidRequest {
    pub instance_label: Option<String>,
    pub agent_name: String,
    pub soul_md: String,
    pub agents_md: String,
    pub packages: Vec<String>,
    pub secrets: Vec<PackageSecret>,
    pub billing: Billing,
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
) -> Result<ValidRequest, AppError> {
    let mut check = Checker::default();
    let text = |check: &mut Checker, field: &str, value: &str, limit: Limit| {
        check.text(field, value, limit.min, limit.max)
    };
    let multiline = |check: &mut Checker, field: &str, value: &str, limit: Limit| {
        check.multiline(field, value, limit.min, limit.max)
    };
    let label = text(
        &mut check,
        "instance_label",
        &draft.instance_label,
        limits::INSTANCE_LABEL,
    );
    let agent_name = text(
        &mut check,
        "agent_name",
        &draft.agent_name,
        limits::AGENT_NAME,
    );
    let soul_md = multiline(
        &mut check,
        "soul_md",
        &draft.soul_md,
        limits::WORKSPACE_FILE,
    );
    let agents_md = multiline(
        &mut check,
        "agents_md",
        &draft.agents_md,
        limits::WORKSPACE_FILE,
    );

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
            secrets.push(PackageSecret {
                package: package.id.clone(),
                field: field.name.clone(),
                value: SecretValue::from(value),
            });
        }
    }

    let billing_company = text(
        &mut check,
        "billing_company",
        &draft.billing_company,
        limits::billing_company(kind),
    );
    let billing_street = text(
        &mut check,
        "billing_street",
        &draft.billing_street,
        limits::BILLING_STREET,
    );
    let billing_postal_code = text(
        &mut check,
        "billing_postal_code",
        &draft.billing_postal_code,
        limits::BILLING_POSTAL_CODE,
    );
    let billing_city = text(
        &mut check,
        "billing_city",
        &draft.billing_city,
        limits::BILLING_CITY,
    );
    let billing_country = text(
        &mut check,
        "billing_country",
        &draft.billing_country,
        limits::BILLING_COUNTRY,
    );
    let billing_notes = multiline(
        &mut check,
        "billing_notes",
        &draft.billing_notes,
        limits::BILLING_NOTES,
    );
    let contact_name = text(
        &mut check,
        "contact_name",
        &draft.contact_name,
        limits::CONTACT_NAME,
    );
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
    Ok(ValidRequest {
        instance_label: optional(label),
        agent_name,
        soul_md,
        agents_md,
        packages: chosen.iter().map(|p| p.id.clone()).collect(),
        secrets,
        billing: Billing {
            company: optional(billing_company),
            street: billing_street,
            postal_code: billing_postal_code,
            city: billing_city,
            country: billing_country,
            notes: optional(billing_notes),
        },
        contact_name,
        contact_email,
    })
}

// The catalog parser is server-side.
#[cfg(feature = "ssr")]
#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

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
                .find(|s| s.field == f)
                .map(|s| s.value.expose_secret().to_owned())
                .unwrap()
        };
        assert_eq!(secret("host"), "mail.example.com");
        assert_eq!(
            secret("password"),
            " pass word ",
            "passwords are kept as typed"
        );
        assert!(
            valid.secrets.iter().all(|s| s.package != "discord"),
            "secrets of packages not chosen are dropped"
        );
        assert_eq!(
            valid.billing,
            Billing {
                company: Some("Acme AG".into()),
                street: "Main 1".into(),
                postal_code: "8000".into(),
                city: "Zürich".into(),
                country: "Switzerland".into(),
                notes: None,
            }
        );
        let text = format!("{valid:?}");
        for typed in ["ABCDEFGHIJ", "pass word", "mail.example.com"] {
            assert!(!text.contains(typed), "{text}");
        }
    }

    #[test]
    fn the_limits_are_those_validation_applies() {
        let mut draft = complete();
        draft.instance_label = "l".repeat(limits::INSTANCE_LABEL.max);
        draft.billing_street = "s".repeat(limits::BILLING_STREET.max);
        draft.billing_notes = "n".repeat(limits::BILLING_NOTES.max);
        assert!(validate(&draft, &catalog(), OrgKind::Company, None).is_ok());
        draft.instance_label.push('l');
        draft.billing_street.push('s');
        draft.billing_postal_code = "1".repeat(limits::BILLING_POSTAL_CODE.max + 1);
        draft.billing_city = "c".repeat(limits::BILLING_CITY.max + 1);
        draft.billing_country = "x".repeat(limits::BILLING_COUNTRY.min - 1);
        draft.billing_notes.push('n');
        draft.contact_name = "n".repeat(limits::CONTACT_NAME.max + 1);
        draft.contact_email = format!("{}@acme.example", "a".repeat(limits::CONTACT_EMAIL.max));
        draft.billing_company = "c".repeat(limits::billing_company(OrgKind::Company).max + 1);
        let found = problems(validate(&draft, &catalog(), OrgKind::Company, None).unwrap_err());
        for (field, limit) in [
            ("instance_label", limits::INSTANCE_LABEL),
            ("billing_company", limits::billing_company(OrgKind::Company)),
            ("billing_street", limits::BILLING_STREET),
            ("billing_postal_code", limits::BILLING_POSTAL_CODE),
            ("billing_city", limits::BILLING_CITY),
            ("billing_notes", limits::BILLING_NOTES),
            ("contact_name", limits::CONTACT_NAME),
            ("contact_email", limits::CONTACT_EMAIL),
        ] {
            let expected = (field.to_owned(), Problem::TooLong { max: limit.max });
            assert!(
                found.contains(&expected),
                "{expected:?} missing in {found:?}"
            );
        }
        assert!(
            found.iter().any(|(f, _)| f == "billing_country"),
            "{found:?}"
        );
        assert_eq!(limits::billing_company(OrgKind::Personal).min, 0);
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
