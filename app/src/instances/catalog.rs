//! The package catalog: configuration, not code. Packages belong to categories, carry
//! names and descriptions in every language, and list the secret fields they need (each
//! with a kind and length bounds). Loaded and checked at start-up; a broken catalog stops
//! the portal with a message naming the entry.

use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

/// A text in every supported language.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    pub en: String,
    pub de: String,
    pub fr: String,
    pub it: String,
}

impl Localized {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::De => &self.de,
            Lang::Fr => &self.fr,
            Lang::It => &self.it,
        }
    }
}

/// What a secret field holds, for its input and its check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    Text,
    Password,
    Email,
    Host,
    Port,
}

/// One secret a package needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretField {
    pub name: String,
    pub kind: FieldKind,
    pub label: Localized,
    pub min: usize,
    pub max: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Package {
    pub id: String,
    pub category: String,
    pub name: Localized,
    pub description: Localized,
    #[serde(default)]
    pub secrets: Vec<SecretField>,
}

impl Package {
    pub fn needs_secrets(&self) -> bool {
        !self.secrets.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub id: String,
    pub name: Localized,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub categories: Vec<Category>,
    pub packages: Vec<Package>,
}

/// The catalog shipped with the portal.
#[cfg(feature = "ssr")]
pub const DEFAULT: &str = include_str!("../../../catalog.default.toml");

#[cfg(feature = "ssr")]
fn is_identifier(id: &str, extra: char) -> bool {
    !id.is_empty()
        && id.len() <= 40
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == extra)
}

impl Catalog {
    /// Parses and checks a catalog; the error names the entry at fault.
    #[cfg(feature = "ssr")]
    pub fn parse(text: &str) -> Result<Catalog, String> {
        let catalog: Catalog = toml::from_str(text).map_err(|e| e.to_string())?;
        catalog.check()?;
        Ok(catalog)
    }

    #[cfg(feature = "ssr")]
    fn check(&self) -> Result<(), String> {
        let texts = |what: &str, l: &Localized| {
            for lang in Lang::ALL {
                if l.get(lang).trim().is_empty() {
                    return Err(format!("{what}: the {} text is empty", lang.code()));
                }
            }
            Ok(())
        };
        if self.packages.is_empty() {
            return Err("the catalog lists no packages".into());
        }
        let mut seen = std::collections::BTreeSet::new();
        for c in &self.categories {
            if !is_identifier(&c.id, '-') || !seen.insert(c.id.as_str()) {
                return Err(format!(
                    "category `{}`: id must be unique lowercase letters, digits and `-`",
                    c.id
                ));
            }
            texts(&format!("category `{}`", c.id), &c.name)?;
        }
        let mut ids = std::collections::BTreeSet::new();
        for p in &self.packages {
            let at = format!("package `{}`", p.id);
            if !is_identifier(&p.id, '-') || !ids.insert(p.id.as_str()) {
                return Err(format!(
                    "{at}: id must be unique lowercase letters, digits and `-`"
                ));
            }
            if !seen.contains(p.category.as_str()) {
                return Err(format!("{at}: unknown category `{}`", p.category));
            }
            texts(&at, &p.name)?;
            texts(&at, &p.description)?;
            let mut fields = std::collections::BTreeSet::new();
            for f in &p.secrets {
                let at = format!("{at}, secret `{}`", f.name);
                if !is_identifier(&f.name, '_') || !fields.insert(f.name.as_str()) {
                    return Err(format!(
                        "{at}: name must be unique lowercase letters, digits and `_`"
                    ));
                }
                if f.min == 0 || f.min > f.max || f.max > 10_000 {
                    return Err(format!("{at}: needs 1 <= min <= max <= 10000"));
                }
                texts(&at, &f.label)?;
            }
        }
        Ok(())
    }

    /// The package with `id`.
    pub fn package(&self, id: &str) -> Option<&Package> {
        self.packages.iter().find(|p| p.id == id)
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn the_default_catalog_is_valid() {
        let catalog = Catalog::parse(DEFAULT).unwrap();
        assert!(catalog.package("telegram").unwrap().needs_secrets());
        assert!(!catalog.package("git").unwrap().needs_secrets());
        assert_eq!(catalog.package("smtp").unwrap().secrets.len(), 4);
    }

    #[test]
    fn broken_catalogs_name_the_entry() {
        let broken = DEFAULT.replace("category = \"email\"", "category = \"mail\"");
        let err = Catalog::parse(&broken).unwrap_err();
        assert!(
            err.contains("package `smtp`") && err.contains("unknown category"),
            "{err}"
        );
        let broken = DEFAULT.replace("fr = \"Jeton du bot Telegram\"", "fr = \" \"");
        let err = Catalog::parse(&broken).unwrap_err();
        assert!(
            err.contains("secret `bot_token`") && err.contains("fr"),
            "{err}"
        );
        let broken = DEFAULT.replacen("id = \"discord\"", "id = \"telegram\"", 1);
        assert!(
            Catalog::parse(&broken)
                .unwrap_err()
                .contains("package `telegram`")
        );
        let err = Catalog::parse("packages = 3").unwrap_err();
        assert!(!err.is_empty());
        let broken = DEFAULT.replace("min = 50", "min = 500");
        assert!(Catalog::parse(&broken).unwrap_err().contains("min <= max"));
    }
}
