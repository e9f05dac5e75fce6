//! The one error type that server functions return.
//!
//! It is serialized as JSON with a stable machine `code` (snake case) plus the data the UI
//! needs to render a localized message. Internal details never travel: they are logged on the
//! server where the error is created and the wire only says `internal`.

use crate::i18n::{Lang, texts};
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What is wrong with one form field.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Problem {
    Required,
    TooShort { min: usize },
    TooLong { max: usize },
    InvalidEmail,
    InvalidChoice,
    InvalidCharacters,
    InvalidSlug,
    InvalidDate,
    InvalidHost,
    InvalidPort,
}

/// A validation problem tied to a named form field.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub problem: Problem,
}

/// Why an OpenID Connect sign-in was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OidcFailure {
    /// No issuer with that id is configured.
    UnknownIssuer,
    /// The state did not match a sign-in this browser started (or it expired).
    State,
    /// The provider reported an error (the person cancelled, or access was denied).
    Denied,
    /// The code exchange or the ID token check failed (wrong nonce, bad signature, expired
    /// or reused code).
    Token,
    /// The provider did not confirm the email address.
    EmailUnverified,
    /// The provider could not be reached.
    Unavailable,
    /// An account with the email exists but may not be linked automatically (it has a
    /// platform role).
    LinkRefused,
}

/// Every error a server function or API route can answer with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum AppError {
    #[error("sign-in required")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("account suspended")]
    AccountSuspended,
    #[error("email address not confirmed")]
    EmailUnverified,
    #[error("confirmation link not valid")]
    VerificationInvalid,
    #[error("not found")]
    NotFound,
    #[error("email or password is wrong")]
    InvalidCredentials,
    #[error("email already registered")]
    EmailTaken,
    #[error("identifier already taken")]
    SlugTaken,
    #[error("email domain already registered by another company")]
    DuplicateDomain { domain: String },
    #[error("invalid input")]
    Invalid { fields: Vec<FieldError> },
    #[error("an organization keeps at least one owner")]
    LastOwner,
    #[error("this role change is not allowed")]
    RoleNotAllowed,
    #[error("not allowed on your own account")]
    OwnAccount,
    #[error("the platform keeps at least one platform admin")]
    LastPlatformAdmin,
    #[error("invitation link not valid")]
    InvitationInvalid,
    #[error("invitation expired")]
    InvitationExpired,
    #[error("invitation already used")]
    InvitationUsed,
    #[error("invitation is for another account")]
    InvitationWrongAccount { email: String },
    #[error("already a member")]
    AlreadyMember,
    #[error("sign-in with the identity provider failed")]
    OidcFailed { reason: OidcFailure },
    #[error("conflicting concurrent change")]
    Conflict,
    /// A bearer token that is malformed, unknown, revoked, expired or whose key's member is
    /// suspended: one answer for all, so none can be told apart.
    #[error("API key not valid")]
    InvalidApiKey,
    #[error("secret storage is not configured")]
    SecretsNotConfigured,
    /// Usage is read from LiteLLM; its driver is off on this portal.
    #[error("usage is not configured")]
    UsageNotConfigured,
    /// LiteLLM could not be asked for usage (unreachable, refused or garbled).
    #[error("usage could not be read")]
    UsageUnavailable,
    #[error("malformed request")]
    BadRequest,
    #[error("request too large")]
    PayloadTooLarge,
    #[error("too many attempts")]
    RateLimited { retry_after_secs: u64 },
    #[error("cross-site request refused")]
    CrossSite,
    #[error("internal error")]
    Internal,
    /// Client side only: the server could not be reached.
    #[error("network error")]
    Network,
}

impl AppError {
    /// The HTTP status this error is answered with.
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode as S;
        match self {
            Self::Unauthenticated | Self::InvalidCredentials | Self::InvalidApiKey => {
                S::UNAUTHORIZED
            }
            Self::Forbidden | Self::AccountSuspended | Self::EmailUnverified | Self::CrossSite => {
                S::FORBIDDEN
            }
            Self::VerificationInvalid => S::GONE,
            Self::NotFound => S::NOT_FOUND,
            Self::EmailTaken
            | Self::SlugTaken
            | Self::DuplicateDomain { .. }
            | Self::LastOwner
            | Self::OwnAccount
            | Self::LastPlatformAdmin
            | Self::AlreadyMember
            | Self::Conflict
            | Self::UsageNotConfigured => S::CONFLICT,
            Self::InvitationInvalid => S::NOT_FOUND,
            Self::InvitationExpired | Self::InvitationUsed => S::GONE,
            Self::InvitationWrongAccount { .. } => S::FORBIDDEN,
            Self::OidcFailed { .. } => S::BAD_REQUEST,
            Self::RoleNotAllowed => S::FORBIDDEN,
            Self::Invalid { .. } => S::UNPROCESSABLE_ENTITY,
            Self::BadRequest => S::BAD_REQUEST,
            Self::PayloadTooLarge => S::PAYLOAD_TOO_LARGE,
            Self::RateLimited { .. } => S::TOO_MANY_REQUESTS,
            Self::Internal => S::INTERNAL_SERVER_ERROR,
            Self::SecretsNotConfigured => S::SERVICE_UNAVAILABLE,
            Self::UsageUnavailable => S::BAD_GATEWAY,
            Self::Network => S::SERVICE_UNAVAILABLE,
        }
    }

    /// Builds a validation error for a single field.
    pub fn field(field: &str, problem: Problem) -> Self {
        Self::Invalid {
            fields: vec![FieldError {
                field: field.to_owned(),
                problem,
            }],
        }
    }

    /// The problem reported for `field`, if this is a validation error naming it.
    pub fn problem_for(&self, field: &str) -> Option<&Problem> {
        match self {
            Self::Invalid { fields } => {
                fields.iter().find(|f| f.field == field).map(|f| &f.problem)
            }
            _ => None,
        }
    }

    /// The field this error belongs under in a form, if any.
    pub fn field_name(&self) -> Option<&'static str> {
        match self {
            Self::EmailTaken | Self::DuplicateDomain { .. } => Some("email"),
            Self::SlugTaken => Some("slug"),
            _ => None,
        }
    }

    /// The localized sentence shown to a person.
    pub fn message(&self, lang: Lang) -> String {
        let t = texts(lang);
        match self {
            Self::Unauthenticated => t.err_unauthenticated.to_owned(),
            Self::Forbidden => t.err_forbidden.to_owned(),
            Self::AccountSuspended => t.err_suspended.to_owned(),
            Self::EmailUnverified => t.err_email_unverified.to_owned(),
            Self::VerificationInvalid => t.err_verification_invalid.to_owned(),
            Self::NotFound => t.err_not_found.to_owned(),
            Self::InvalidCredentials => t.err_invalid_credentials.to_owned(),
            Self::EmailTaken => t.err_email_taken.to_owned(),
            Self::SlugTaken => t.err_slug_taken.to_owned(),
            Self::DuplicateDomain { domain } => (t.err_duplicate_domain)(domain),
            Self::Invalid { .. } => t.err_invalid.to_owned(),
            Self::LastOwner => t.err_last_owner.to_owned(),
            Self::RoleNotAllowed => t.err_role_not_allowed.to_owned(),
            Self::OwnAccount => t.err_own_account.to_owned(),
            Self::LastPlatformAdmin => t.err_last_platform_admin.to_owned(),
            Self::InvitationInvalid => t.err_invitation_invalid.to_owned(),
            Self::InvitationExpired => t.err_invitation_expired.to_owned(),
            Self::InvitationUsed => t.err_invitation_used.to_owned(),
            Self::InvitationWrongAccount { email } => (t.err_invitation_wrong_account)(email),
            Self::AlreadyMember => t.err_already_member.to_owned(),
            Self::Conflict => t.err_conflict.to_owned(),
            Self::InvalidApiKey => t.err_invalid_api_key.to_owned(),
            Self::SecretsNotConfigured => t.err_secrets_not_configured.to_owned(),
            Self::UsageNotConfigured => t.err_usage_not_configured.to_owned(),
            Self::UsageUnavailable => t.err_usage_unavailable.to_owned(),
            Self::OidcFailed { reason } => match reason {
                OidcFailure::UnknownIssuer => t.err_oidc_unknown_issuer.to_owned(),
                OidcFailure::State => t.err_oidc_state.to_owned(),
                OidcFailure::Denied => t.err_oidc_denied.to_owned(),
                OidcFailure::Token => t.err_oidc_token.to_owned(),
                OidcFailure::EmailUnverified => t.err_oidc_email_unverified.to_owned(),
                OidcFailure::Unavailable => t.err_oidc_unavailable.to_owned(),
                OidcFailure::LinkRefused => t.err_oidc_link_refused.to_owned(),
            },
            Self::BadRequest => t.err_bad_request.to_owned(),
            Self::PayloadTooLarge => t.err_payload_too_large.to_owned(),
            Self::RateLimited { .. } => t.err_rate_limited.to_owned(),
            Self::CrossSite => t.err_cross_site.to_owned(),
            Self::Internal => t.err_internal.to_owned(),
            Self::Network => t.err_network.to_owned(),
        }
    }

    /// Logs an unexpected failure and returns the opaque `Internal` error.
    #[cfg(feature = "ssr")]
    pub fn internal(context: &str, err: impl std::fmt::Display) -> Self {
        tracing::error!(%err, "{context}");
        Self::Internal
    }
}

impl Problem {
    /// The localized sentence shown under the field.
    pub fn message(&self, lang: Lang) -> String {
        let t = texts(lang);
        let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        match self {
            Self::Required => t.problem_required.to_owned(),
            Self::TooShort { min } => (t.problem_too_short)(count(*min)),
            Self::TooLong { max } => (t.problem_too_long)(count(*max)),
            Self::InvalidEmail => t.problem_invalid_email.to_owned(),
            Self::InvalidChoice => t.problem_invalid_choice.to_owned(),
            Self::InvalidCharacters => t.problem_invalid_characters.to_owned(),
            Self::InvalidSlug => t.problem_invalid_slug.to_owned(),
            Self::InvalidDate => t.problem_invalid_date.to_owned(),
            Self::InvalidHost => t.problem_invalid_host.to_owned(),
            Self::InvalidPort => t.problem_invalid_port.to_owned(),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::Deserialization(_)
            | ServerFnErrorErr::UnsupportedRequestMethod(_) => Self::BadRequest,
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => Self::Network,
            _ => Self::Internal,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        Self::internal("database error", err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_format_has_a_stable_code() {
        let err = AppError::DuplicateDomain {
            domain: "acme.com".into(),
        };
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(json["code"], "duplicate_domain");
        assert_eq!(json["domain"], "acme.com");
        assert_eq!(err.status(), http::StatusCode::CONFLICT);
        let back: AppError = serde_json::from_value(json).unwrap();
        assert_eq!(back, err);
    }

    #[test]
    fn messages_are_localized_and_name_the_domain() {
        let err = AppError::DuplicateDomain {
            domain: "acme.com".into(),
        };
        let en = err.message(Lang::En);
        let de = err.message(Lang::De);
        assert!(en.contains("acme.com") && de.contains("acme.com"));
        assert_ne!(en, de);
    }
}
