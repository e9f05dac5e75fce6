//! Field checks shared by the account forms. Each returns the normalized value or records a
//! [`FieldError`]; a form collects them all and answers with every problem at once.

use crate::error::{AppError, FieldError, Problem};

/// Collects field problems for one form.
#[derive(Default)]
pub struct Checker {
    errors: Vec<FieldError>,
}

impl Checker {
    /// Records a problem found by a rule of the caller's own.
    pub fn problem(&mut self, field: &str, problem: Problem) {
        self.fail(field, problem);
    }

    fn fail(&mut self, field: &str, problem: Problem) {
        self.errors.push(FieldError {
            field: field.to_owned(),
            problem,
        });
    }

    /// A trimmed text of `min..=max` characters.
    pub fn text(&mut self, field: &str, value: &str, min: usize, max: usize) -> String {
        let value = value.trim();
        let len = value.chars().count();
        if len == 0 && min > 0 {
            self.fail(field, Problem::Required);
        } else if len < min {
            self.fail(field, Problem::TooShort { min });
        } else if len > max {
            self.fail(field, Problem::TooLong { max });
        } else if value.chars().any(char::is_control) {
            self.fail(field, Problem::InvalidCharacters);
        }
        value.to_owned()
    }

    /// A text of several lines (Markdown, notes): like [`Self::text`], but line breaks and
    /// tabs are allowed inside.
    pub fn multiline(&mut self, field: &str, value: &str, min: usize, max: usize) -> String {
        let value = value.trim().replace("\r\n", "\n");
        let len = value.chars().count();
        if len == 0 && min > 0 {
            self.fail(field, Problem::Required);
        } else if len < min {
            self.fail(field, Problem::TooShort { min });
        } else if len > max {
            self.fail(field, Problem::TooLong { max });
        } else if value
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            self.fail(field, Problem::InvalidCharacters);
        }
        value
    }

    /// A password of `min..=max` characters, kept exactly as typed.
    pub fn password(&mut self, field: &str, value: &str, min: usize, max: usize) {
        let len = value.chars().count();
        if len == 0 {
            self.fail(field, Problem::Required);
        } else if len < min {
            self.fail(field, Problem::TooShort { min });
        } else if len > max {
            self.fail(field, Problem::TooLong { max });
        }
    }

    /// An email address, trimmed and lowercased.
    pub fn email(&mut self, field: &str, value: &str) -> String {
        let value = value.trim().to_lowercase();
        if value.is_empty() {
            self.fail(field, Problem::Required);
        } else if value.chars().count() > 254 {
            self.fail(field, Problem::TooLong { max: 254 });
        } else if !is_plausible_email(&value) {
            self.fail(field, Problem::InvalidEmail);
        }
        value
    }

    /// One of the offered choices.
    pub fn choice<T>(&mut self, field: &str, parsed: Option<T>) -> Option<T> {
        if parsed.is_none() {
            self.fail(field, Problem::InvalidChoice);
        }
        parsed
    }

    /// Whether a problem was recorded for `field`.
    pub fn has(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    /// `Ok(())` when every check passed, else the validation error listing all problems.
    pub fn finish(self) -> Result<(), AppError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid {
                fields: self.errors,
            })
        }
    }
}

/// A deliberately simple address check: one `@`, a non-empty local part of at most 64
/// characters, and a domain of dot-separated labels of letters, digits and hyphens.
pub fn is_plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    local_ok && domain_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for ok in ["a@b.ch", "first.last+tag@sub.example.com", "ü@müller.de"] {
            assert!(is_plausible_email(ok), "{ok}");
        }
        for bad in [
            "", "a", "a@b", "@b.ch", "a@@b.ch", "a@b..ch", "a b@c.ch", "a@-b.ch", ".a@b.ch",
            "a@b.ch ",
        ] {
            assert!(!is_plausible_email(bad), "{bad}");
        }
    }

    #[test]
    fn collects_every_problem() {
        let mut c = Checker::default();
        assert_eq!(c.text("company_name", "  A ", 2, 100), "A");
        c.text("given_name", "", 1, 100);
        c.text("family_name", &"x".repeat(101), 1, 100);
        assert_eq!(c.email("email", " Jo@Acme.COM "), "jo@acme.com");
        c.password("password", "short", 10, 256);
        let Err(AppError::Invalid { fields }) = c.finish() else {
            panic!("expected invalid")
        };
        let problems: Vec<(&str, &Problem)> = fields
            .iter()
            .map(|f| (f.field.as_str(), &f.problem))
            .collect();
        assert_eq!(
            problems,
            vec![
                ("company_name", &Problem::TooShort { min: 2 }),
                ("given_name", &Problem::Required),
                ("family_name", &Problem::TooLong { max: 100 }),
                ("password", &Problem::TooShort { min: 10 }),
            ]
        );
    }
}
