//! The one caller of a request: state, principal, client address, language and request id,
//! obtained once. Every server function starts here, and so will every REST handler and MCP
//! tool: the checks below are the only way to an [`OrgAccess`] or a [`Staff`] value, and the
//! repositories take those values instead of loose ids and addresses.
//!
//! ```ignore
//! let caller = Caller::current()?;
//! let access = caller.org(&slug).await?.require(Role::Admin)?;
//! super::repo::change_role(caller.db(), &access, &user_id, role).await
//! ```

use super::principal::{Principal, RequestContext, UserPrincipal};
use crate::{audit::Actor, db::Db, error::AppError, i18n::Lang, state::AppState};
use leptos::prelude::*;

/// Who is calling, with everything a handler needs to serve them.
#[derive(Clone)]
pub struct Caller {
    pub state: AppState,
    pub principal: Principal,
    /// The audit identity: the signed-in user (if any) and the client address.
    pub actor: Actor,
    pub user_agent: Option<String>,
    /// The language to answer in.
    pub lang: Lang,
    /// Ties log lines of one request together.
    pub request_id: String,
}

/// Platform staff (admin or operator), checked; the audit identity comes along.
#[derive(Debug, Clone)]
pub struct Staff {
    pub user: UserPrincipal,
    pub actor: Actor,
}

impl Caller {
    /// The caller of the current server function or SSR render.
    pub fn current() -> Result<Caller, AppError> {
        let state = use_context::<AppState>().ok_or_else(|| {
            AppError::internal("app state", "AppState is not in the Leptos context")
        })?;
        let ctx = use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<RequestContext>().cloned())
            .ok_or_else(|| {
                AppError::internal(
                    "request context",
                    "RequestContext missing; is the middleware installed?",
                )
            })?;
        Ok(Caller::new(state, ctx))
    }

    /// The caller of a plain axum handler, from the context the middleware stored.
    pub fn new(state: AppState, ctx: RequestContext) -> Caller {
        let actor = match &ctx.principal {
            Principal::ApiKey(key) => Actor {
                user_id: Some(key.key.created_by.clone()),
                api_key_id: Some(key.key.key_id.clone()),
                client_addr: ctx.client_addr,
            },
            _ => Actor {
                user_id: ctx.principal.user().map(|u| u.user_id.clone()),
                api_key_id: None,
                client_addr: ctx.client_addr,
            },
        };
        Caller {
            state,
            principal: ctx.principal,
            actor,
            user_agent: ctx.user_agent,
            lang: ctx.lang,
            request_id: ctx.request_id,
        }
    }

    /// The database handle.
    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// The client address, as rate limits and the audit log see it.
    pub fn client_addr(&self) -> &str {
        &self.actor.client_addr
    }

    /// What per-address rate limits count for this caller (IPv6: the /64).
    pub fn limit_subject(&self) -> String {
        super::middleware::limit_subject(&self.actor.client_addr)
    }

    /// The signed-in, non-suspended user.
    pub fn user(&self) -> Result<&UserPrincipal, AppError> {
        self.principal.require_user()
    }

    /// Platform staff: a platform admin or operator.
    pub fn staff(&self) -> Result<Staff, AppError> {
        let user = self.principal.require_platform_staff()?;
        Ok(self.staff_value(user))
    }

    /// A platform admin.
    pub fn platform_admin(&self) -> Result<Staff, AppError> {
        let user = self.principal.require_platform_admin()?;
        Ok(self.staff_value(user))
    }

    fn staff_value(&self, user: &UserPrincipal) -> Staff {
        Staff {
            user: user.clone(),
            actor: self.actor.clone(),
        }
    }

    /// The caller's standing in the organization `slug`; refine it with
    /// [`OrgAccess::require`](crate::orgs::access::OrgAccess::require).
    /// An API key reaches only its own organization (any other answers `NotFound`).
    pub async fn org(&self, slug: &str) -> Result<crate::orgs::access::OrgAccess, AppError> {
        match &self.principal {
            Principal::ApiKey(key) => {
                crate::orgs::access::load_for_key(self.db(), &key.key, &self.actor, slug).await
            }
            _ => crate::orgs::access::load(self.db(), self.user()?, &self.actor, slug).await,
        }
    }
}

/// Plain axum handlers (the live stream, the CSV export, the OIDC redirects) take the caller
/// as an extractor; a missing context (the middleware not installed) is an internal error.
impl axum::extract::FromRequestParts<AppState> for Caller {
    type Rejection = axum::response::Response;

    async fn from_request_parts(
        parts: &mut http::request::Parts,
        state: &AppState,
    ) -> Result<Caller, Self::Rejection> {
        match parts.extensions.get::<RequestContext>() {
            Some(ctx) => Ok(Caller::new(state.clone(), ctx.clone())),
            None => Err(super::middleware::err_response(AppError::internal(
                "request context",
                "RequestContext missing; is the middleware installed?",
            ))),
        }
    }
}
