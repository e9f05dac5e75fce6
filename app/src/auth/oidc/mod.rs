//! Sign-in with OpenID Connect issuers: authorization code flow with PKCE, state and nonce;
//! the ID token is verified against the issuer's published keys by the `openidconnect`
//! crate. Identity comes from the token (issuer + subject, and a verified email for the
//! first link); what the person may do always comes from the database.
//!
//! `/auth/oidc/{id}/start` and `/auth/oidc/{id}/callback` are plain routes (they answer
//! with redirects); the buttons below link to them.

#[cfg(feature = "ssr")]
pub mod flow;
#[cfg(feature = "ssr")]
pub mod repo;

use crate::{
    components::format::encode_component,
    error::{AppError, OidcFailure},
    i18n::use_texts,
};
use leptos::prelude::*;

/// The configured issuers as (id, display name), for the sign-in buttons; open to anyone.
#[server(prefix = "/fn", endpoint = "auth/oidc_issuers")]
pub async fn oidc_issuers() -> Result<Vec<(String, String)>, AppError> {
    let caller = crate::auth::caller::Caller::current()?;
    Ok(caller
        .state
        .config
        .oidc
        .iter()
        .map(|i| (i.id.clone(), i.display_name.clone()))
        .collect())
}

/// The error named by `?oidc_error=` on the sign-in page.
pub fn error_from_code(code: &str) -> AppError {
    if code == "account_suspended" {
        return AppError::AccountSuspended;
    }
    serde_json::from_value::<OidcFailure>(serde_json::Value::String(code.to_owned()))
        .map(|reason| AppError::OidcFailed { reason })
        .unwrap_or(AppError::Internal)
}

/// One "Sign in with …" link per issuer; `next` is where to land afterwards.
#[component]
pub fn IssuerButtons(issuers: Vec<(String, String)>, next: String) -> impl IntoView {
    let t = use_texts();
    let query = if next.is_empty() {
        String::new()
    } else {
        format!("?next={}", encode_component(&next))
    };
    view! {
        <div class="mt-3 space-y-2">
            {issuers
                .into_iter()
                .map(|(id, name)| {
                    let href = format!("/auth/oidc/{id}/start{query}");
                    view! {
                        <a
                            href=href
                            rel="external"
                            data-test=format!("oidc-{id}")
                            class="flex w-full justify-center rounded-md border border-slate-300 bg-white px-4 py-2 font-medium text-slate-800 hover:bg-slate-50"
                        >
                            {move || (t.get().sign_in_with)(&name)}
                        </a>
                    }
                })
                .collect_view()}
        </div>
    }
}
