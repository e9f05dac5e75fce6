//! SPEC §4: the DNS-safe instance name and the display name.
//!
//! The name ends in the first 8 hex digits of the request id and is at most 56 characters,
//! so `tenant-{name}` stays a valid 63-character Kubernetes namespace. Company names are
//! lowercased, every run of other characters becomes one hyphen, the result is trimmed,
//! cut to 47 characters and trimmed again; personal organizations get `p-{hex8}` so no
//! personal data reaches infrastructure names.

use crate::orgs::OrgKind;

/// The longest the company part may be (56 − 1 hyphen − 8 hex digits).
const MAX_SLUG: usize = 47;

/// Why no name could be derived.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("the request id does not start with 8 hex digits")]
    RequestId,
}

/// The first 8 characters of `request_id`, lowercased, when they are hex digits.
fn hex8(request_id: &str) -> Result<String, NameError> {
    let head: String = request_id.chars().take(8).collect();
    if head.len() == 8 && head.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(head.to_ascii_lowercase())
    } else {
        Err(NameError::RequestId)
    }
}

/// The company part: lowercase ASCII letters and digits, single hyphens, at most 47.
fn company_slug(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let trimmed: String = slug.trim_matches('-').chars().take(MAX_SLUG).collect();
    trimmed.trim_end_matches('-').to_owned()
}

/// The instance name for a request of an organization of `kind` named `company_name`.
pub fn instance_name(
    kind: OrgKind,
    company_name: &str,
    request_id: &str,
) -> Result<String, NameError> {
    let hex = hex8(request_id)?;
    Ok(match kind {
        OrgKind::Personal => format!("p-{hex}"),
        OrgKind::Company => match company_slug(company_name) {
            slug if slug.is_empty() => format!("t-{hex}"),
            slug => format!("{slug}-{hex}"),
        },
    })
}

/// The display name: the request's label, else the contact's name for personal accounts,
/// else the company name.
pub fn display_name(
    label: Option<&str>,
    kind: OrgKind,
    contact_name: &str,
    company_name: &str,
) -> String {
    match label.map(str::trim).filter(|l| !l.is_empty()) {
        Some(label) => label.to_owned(),
        None if kind == OrgKind::Personal => contact_name.trim().to_owned(),
        None => company_name.trim().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrgKind::{Company, Personal};

    const ID: &str = "abc12345-0000-4000-8000-000000000000";

    fn name(kind: OrgKind, company: &str, id: &str) -> Result<String, NameError> {
        instance_name(kind, company, id)
    }

    #[test]
    fn the_spec_table() {
        assert_eq!(
            name(Company, "Acme GmbH", ID).unwrap(),
            "acme-gmbh-abc12345"
        );
        assert_eq!(
            name(Company, "Müller AG", ID).unwrap(),
            "m-ller-ag-abc12345"
        );
        assert_eq!(
            name(Company, "  Trim Me  ", ID).unwrap(),
            "trim-me-abc12345"
        );
        assert_eq!(name(Company, "Foo---Bar", ID).unwrap(), "foo-bar-abc12345");
        assert_eq!(name(Company, "!!!", ID).unwrap(), "t-abc12345");
        assert_eq!(name(Company, "----", ID).unwrap(), "t-abc12345");
        assert_eq!(
            name(Company, "ACME", "ABCDEF12-0000-4000-8000-000000000000").unwrap(),
            "acme-abcdef12"
        );
        assert_eq!(name(Personal, "Jo Tester", ID).unwrap(), "p-abc12345");
        for bad in ["xyz", "1234567", "", "abc1234g-0000"] {
            assert_eq!(
                name(Company, "Acme", bad),
                Err(NameError::RequestId),
                "{bad}"
            );
            assert_eq!(
                name(Personal, "Acme", bad),
                Err(NameError::RequestId),
                "{bad}"
            );
        }
    }

    #[test]
    fn umlauts_and_punctuation() {
        assert_eq!(
            name(Company, "Überall & Söhne", ID).unwrap(),
            "berall-s-hne-abc12345"
        );
        assert_eq!(
            name(Company, "Ça va S.A.", ID).unwrap(),
            "a-va-s-a-abc12345"
        );
        assert_eq!(name(Company, "ÄÖÜ", ID).unwrap(), "t-abc12345");
        assert_eq!(name(Company, "...--__//", ID).unwrap(), "t-abc12345");
        assert_eq!(name(Company, "AI 2 Go!", ID).unwrap(), "ai-2-go-abc12345");
    }

    #[test]
    fn long_names_are_cut_at_47_then_re_trimmed() {
        let long = "A".repeat(75);
        let got = name(Company, &long, ID).unwrap();
        assert_eq!(got, format!("{}-abc12345", "a".repeat(47)));
        assert_eq!(got.len(), 56);
        // A hyphen that lands on position 47 is trimmed away before the suffix.
        let edge = format!("{} tail of the company name", "b".repeat(46));
        let got = name(Company, &edge, ID).unwrap();
        assert_eq!(got, format!("{}-abc12345", "b".repeat(46)));
        assert!(!got.contains("--"));
        for len in 1..120 {
            let company = "x-".repeat(len);
            let got = name(Company, &company, ID).unwrap();
            assert!(got.len() <= 56, "{got}");
            assert!(!got.contains("--") && !got.starts_with('-'), "{got}");
            assert!(format!("tenant-{got}").len() <= 63);
        }
    }

    #[test]
    fn display_names() {
        assert_eq!(display_name(Some(" Prod "), Company, "Jo", "Acme"), "Prod");
        assert_eq!(display_name(Some("  "), Company, "Jo", "Acme"), "Acme");
        assert_eq!(
            display_name(None, Personal, "Jo Tester", "Jo Tester"),
            "Jo Tester"
        );
        assert_eq!(display_name(None, Company, "Jo", "Acme GmbH"), "Acme GmbH");
    }
}
