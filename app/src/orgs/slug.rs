//! Organization slugs: `^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`, reserved words refused.

/// Words that name portal routes or would confuse people; never used as a slug.
pub const RESERVED: &[&str] = &[
    "admin",
    "administrator",
    "api",
    "app",
    "assets",
    "audit",
    "auth",
    "billing",
    "dashboard",
    "docs",
    "fn",
    "health",
    "help",
    "invite",
    "invitations",
    "keys",
    "login",
    "logout",
    "mcp",
    "me",
    "metrics",
    "new",
    "org",
    "orgs",
    "pkg",
    "platform",
    "public",
    "register",
    "root",
    "settings",
    "signin",
    "signout",
    "signup",
    "static",
    "status",
    "support",
    "system",
    "tenantry",
    "user",
    "users",
    "www",
];

/// Whether `slug` satisfies the slug rule and is not reserved.
pub fn is_valid(slug: &str) -> bool {
    let bytes = slug.as_bytes();
    let edge = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    (3..=63).contains(&bytes.len())
        && bytes.first().copied().is_some_and(edge)
        && bytes.last().copied().is_some_and(edge)
        && bytes.iter().all(|&b| edge(b) || b == b'-')
        && !RESERVED.contains(&slug)
}

/// Lowercases `name` and collapses every run of characters other than `a-z0-9` into one
/// hyphen, trimming hyphens at both ends. Non-ASCII letters are not transliterated
/// (`Müller` → `m-ller`), the same rule the instance names follow.
pub fn collapse(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// Cuts a collapsed slug to at most `max` bytes without leaving a trailing hyphen.
pub fn cut(slug: &str, max: usize) -> String {
    let cut: String = slug.chars().take(max).collect();
    cut.trim_end_matches('-').to_owned()
}

/// The preferred slug for a company name: collapsed, cut to 56 characters (room for a
/// `-NN` suffix on collision), and made valid when too short or reserved.
pub fn base_for_company(name: &str) -> String {
    let slug = cut(&collapse(name), 56);
    if is_valid(&slug) {
        slug
    } else if slug.is_empty() {
        "company".to_owned()
    } else {
        format!("{slug}-org")
    }
}

/// Candidates tried in order when the base slug is taken.
pub fn candidates(base: &str) -> impl Iterator<Item = String> + '_ {
    std::iter::once(base.to_owned()).chain((2..=20).map(move |n| format!("{base}-{n}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_rule() {
        assert!(is_valid("acme"));
        assert!(is_valid("a-1"));
        assert!(is_valid(&"a".repeat(63)));
        assert!(!is_valid(&"a".repeat(64)));
        assert!(!is_valid("ab"));
        assert!(!is_valid("-abc"));
        assert!(!is_valid("abc-"));
        assert!(!is_valid("Abc"));
        assert!(!is_valid("ab_c"));
        assert!(!is_valid("admin"));
        assert!(!is_valid("api"));
    }

    #[test]
    fn collapse_rule() {
        assert_eq!(collapse("Acme GmbH"), "acme-gmbh");
        assert_eq!(collapse("Müller AG"), "m-ller-ag");
        assert_eq!(collapse("  Trim Me  "), "trim-me");
        assert_eq!(collapse("Foo---Bar"), "foo-bar");
        assert_eq!(collapse("!!!"), "");
        assert_eq!(collapse("ACME"), "acme");
    }

    #[test]
    fn company_bases_are_always_valid() {
        assert_eq!(base_for_company("Acme GmbH"), "acme-gmbh");
        assert_eq!(base_for_company("!!!"), "company");
        assert_eq!(base_for_company("AB"), "ab-org");
        assert_eq!(base_for_company("Admin"), "admin-org");
        let long = base_for_company(&"Very Long Company Name ".repeat(8));
        assert!(long.len() <= 56 && is_valid(&long), "{long}");
        for name in ["x", "é", "a b", "ÄÖÜ GmbH", "---", "12"] {
            let base = base_for_company(name);
            assert!(is_valid(&base), "{name} -> {base}");
            for c in candidates(&base) {
                assert!(is_valid(&c), "{c}");
            }
        }
    }
}
