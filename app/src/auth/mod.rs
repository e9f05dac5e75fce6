//! Accounts and sessions: registration, password sign-in and sign-out, the per-request
//! principal, and the pages for them.
//!
//! The auth repository is one module per table family, and only these run SQL:
//! [`users`] (users and their linked OpenID Connect identities), [`session`] (sessions, and
//! the cookie that names one), [`rate_limit`] (rate-limit events) and [`oidc::repo`]
//! (pending OpenID Connect sign-ins). Server functions and the OIDC routes authorize, call
//! them and map the result.

mod confirm;
mod get_session;
pub mod oidc;
pub mod pages;
mod register;
mod set_language;
mod sign_in;
mod sign_out;

pub use confirm::*;
pub use get_session::*;
pub use register::*;
pub use set_language::*;
pub use sign_in::*;
pub use sign_out::*;

#[cfg(feature = "ssr")]
pub mod caller;
#[cfg(feature = "ssr")]
pub mod middleware;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod principal;
#[cfg(feature = "ssr")]
pub mod rate_limit;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod users;
pub mod validate;
#[cfg(feature = "ssr")]
pub mod verification;

use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

crate::text_enum! {
    /// A platform-wide role, on top of any organization membership.
    pub enum PlatformRole {
        PlatformAdmin = "platform_admin",
        PlatformOperator = "platform_operator",
    }
}

/// What every page needs to know about the visitor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub lang: Lang,
    pub languages: Vec<Lang>,
    pub user: Option<CurrentUser>,
}

/// The signed-in user as shown in the header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub display_name: String,
    pub email: String,
    pub platform_role: Option<PlatformRole>,
    /// The user's organizations (by name), for the header's organization switcher.
    pub organizations: Vec<crate::orgs::OrgSummary>,
}

/// Adds a `Set-Cookie` header to the current server-function or SSR response.
#[cfg(feature = "ssr")]
pub(crate) fn set_cookie(value: &str) -> Result<(), crate::error::AppError> {
    use crate::error::AppError;
    let options = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
        .ok_or_else(|| AppError::internal("response options", "missing from context"))?;
    let value =
        http::HeaderValue::from_str(value).map_err(|e| AppError::internal("cookie header", e))?;
    options.append_header(http::header::SET_COOKIE, value);
    Ok(())
}

/// `next` when it is a path on this site (`/...`, not `//host` or a backslash trick);
/// where to land after signing in.
pub fn safe_next(next: Option<&str>) -> Option<String> {
    next.filter(|n| {
        n.starts_with('/')
            && !n.starts_with("//")
            && n.len() <= 512
            && !n.chars().any(|c| c == '\\' || c.is_control())
    })
    .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_must_stay_on_this_site() {
        assert_eq!(safe_next(Some("/invite/abc")), Some("/invite/abc".into()));
        assert_eq!(safe_next(Some("//evil.example/x")), None);
        assert_eq!(safe_next(Some("https://evil.example")), None);
        assert_eq!(safe_next(Some("/\\evil.example")), None);
        assert_eq!(safe_next(None), None);
    }

    #[test]
    fn platform_roles_round_trip() {
        for role in [PlatformRole::PlatformAdmin, PlatformRole::PlatformOperator] {
            assert_eq!(PlatformRole::parse(role.as_str()), Some(role));
        }
        assert_eq!(PlatformRole::parse("admin"), None);
    }
}
