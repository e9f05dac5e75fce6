//! Who is calling: built once per request by [`super::middleware`] and read by every server
//! function through [`super::caller::Caller`]. Authorization always comes from the database
//! row loaded here, never from anything the client sent.

use super::PlatformRole;
use crate::{error::AppError, i18n::Lang};

/// A signed-in user as loaded from their session and user row.
#[derive(Debug, Clone)]
pub struct UserPrincipal {
    pub user_id: String,
    pub email: String,
    pub display_name: String,
    pub language: Lang,
    pub platform_role: Option<PlatformRole>,
    pub suspended: bool,
    /// Whether the account proved its email address. Until then it may only reach the
    /// "confirm your email" page (and sign out).
    pub email_verified: bool,
    /// SHA-256 of the session token, to end this session.
    pub session_hash: String,
    /// The user's memberships in active organizations, by name, read with the session in
    /// the same query; `None` when the principal was built another way, and then
    /// [`crate::orgs::access`] asks the database.
    pub memberships: Option<std::sync::Arc<[crate::orgs::access::Membership]>>,
}

/// An API key presented as a bearer token on `/api/v1` or `/mcp`, verified; it acts for
/// the member who made it, in its organization only, within its scopes.
#[derive(Debug, Clone)]
pub struct KeyPrincipal {
    pub key: std::sync::Arc<crate::keys::verify::VerifiedKey>,
}

/// The caller of a request.
#[derive(Debug, Clone, Default)]
pub enum Principal {
    #[default]
    Anonymous,
    User(UserPrincipal),
    /// Only on the API routes; never a user of the pages or server functions, never
    /// platform staff (whatever the creator's platform role).
    ApiKey(KeyPrincipal),
}

impl Principal {
    /// The signed-in, non-suspended user with a proven email address, or the error that
    /// refuses the call.
    pub fn require_user(&self) -> Result<&UserPrincipal, AppError> {
        let user = self.require_signed_in()?;
        if !user.email_verified {
            return Err(AppError::EmailUnverified);
        }
        Ok(user)
    }

    /// The signed-in, non-suspended user, whether or not the email address is proven yet:
    /// only for confirming it (resending the link, accepting an invitation to it).
    pub fn require_signed_in(&self) -> Result<&UserPrincipal, AppError> {
        match self {
            Principal::Anonymous => Err(AppError::Unauthenticated),
            Principal::User(user) if user.suspended => Err(AppError::AccountSuspended),
            Principal::User(user) => Ok(user),
            // What a key may do is decided by its organization access alone.
            Principal::ApiKey(_) => Err(AppError::Forbidden),
        }
    }

    /// A platform admin or operator.
    pub fn require_platform_staff(&self) -> Result<&UserPrincipal, AppError> {
        let user = self.require_user()?;
        match user.platform_role {
            Some(_) => Ok(user),
            None => Err(AppError::Forbidden),
        }
    }

    /// A platform admin.
    pub fn require_platform_admin(&self) -> Result<&UserPrincipal, AppError> {
        let user = self.require_user()?;
        match user.platform_role {
            Some(PlatformRole::PlatformAdmin) => Ok(user),
            _ => Err(AppError::Forbidden),
        }
    }

    /// The user, if signed in, not suspended and with a proven address.
    pub fn user(&self) -> Option<&UserPrincipal> {
        self.require_user().ok()
    }
}

/// Everything known about the current request before any handler runs.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub principal: Principal,
    pub client_addr: String,
    pub user_agent: Option<String>,
    /// The language to answer in: user preference, else cookie, else `Accept-Language`.
    pub lang: Lang,
    /// The request's id: the client's `X-Request-Id` when it is short and plain, else new.
    pub request_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Option<PlatformRole>, suspended: bool) -> Principal {
        account(role, suspended, true)
    }

    fn account(role: Option<PlatformRole>, suspended: bool, email_verified: bool) -> Principal {
        Principal::User(UserPrincipal {
            user_id: "u".into(),
            email: "u@example.com".into(),
            display_name: "U".into(),
            language: Lang::En,
            platform_role: role,
            suspended,
            email_verified,
            session_hash: "h".into(),
            memberships: None,
        })
    }

    #[test]
    fn requirements() {
        assert_eq!(
            Principal::Anonymous.require_user().unwrap_err(),
            AppError::Unauthenticated
        );
        assert_eq!(
            user(None, true).require_user().unwrap_err(),
            AppError::AccountSuspended
        );
        assert!(user(None, false).require_user().is_ok());
        let unverified = account(Some(PlatformRole::PlatformAdmin), false, false);
        assert_eq!(
            unverified.require_user().unwrap_err(),
            AppError::EmailUnverified
        );
        assert_eq!(
            unverified.require_platform_admin().unwrap_err(),
            AppError::EmailUnverified
        );
        assert!(unverified.user().is_none());
        assert!(unverified.require_signed_in().is_ok());
        assert_eq!(
            user(None, false).require_platform_staff().unwrap_err(),
            AppError::Forbidden
        );
        assert!(
            user(Some(PlatformRole::PlatformOperator), false)
                .require_platform_staff()
                .is_ok()
        );
        assert_eq!(
            user(Some(PlatformRole::PlatformOperator), false)
                .require_platform_admin()
                .unwrap_err(),
            AppError::Forbidden
        );
        assert!(
            user(Some(PlatformRole::PlatformAdmin), false)
                .require_platform_admin()
                .is_ok()
        );
        assert_eq!(
            user(Some(PlatformRole::PlatformAdmin), true)
                .require_platform_admin()
                .unwrap_err(),
            AppError::AccountSuspended
        );
    }
}
