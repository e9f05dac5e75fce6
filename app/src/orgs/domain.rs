//! The duplicate-domain rule: a company registration claims its email domain unless the
//! domain belongs to a public mail provider.

/// The lowercased domain of a (normalized) email address.
pub fn email_domain(email: &str) -> Option<&str> {
    email
        .rsplit_once('@')
        .map(|(_, d)| d)
        .filter(|d| !d.is_empty())
}

/// Whether `domain` is a public mail provider per the configured list, where an entry
/// `name.*` matches `name.` followed by any top-level domain (`gmx.*` → gmx.de, gmx.net).
pub fn is_public(domain: &str, public_domains: &[String]) -> bool {
    let domain = domain.to_ascii_lowercase();
    public_domains
        .iter()
        .any(|entry| match entry.strip_suffix('*') {
            Some(prefix) => domain.starts_with(prefix) && domain.len() > prefix.len(),
            None => domain == *entry,
        })
}

/// The domain a company registration claims: `None` for public providers.
pub fn claimed_domain<'a>(email: &'a str, public_domains: &[String]) -> Option<&'a str> {
    email_domain(email).filter(|d| !is_public(d, public_domains))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list() -> Vec<String> {
        ["gmail.com", "gmx.*", "web.de"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn public_domains_never_claim() {
        let l = list();
        assert!(is_public("gmail.com", &l));
        assert!(is_public("GMAIL.com", &l));
        assert!(is_public("gmx.de", &l));
        assert!(is_public("gmx.net", &l));
        assert!(!is_public("gmx.", &l));
        assert!(!is_public("gmxfoo.de", &l));
        assert!(!is_public("notgmail.com", &l));
        assert_eq!(claimed_domain("jo@gmx.ch", &l), None);
        assert_eq!(claimed_domain("jo@acme.com", &l), Some("acme.com"));
    }

    #[test]
    fn domain_of_an_address() {
        assert_eq!(email_domain("a@b.ch"), Some("b.ch"));
        assert_eq!(email_domain("a@"), None);
        assert_eq!(email_domain("nope"), None);
    }
}
