//! The two routes of an OpenID Connect sign-in.
//!
//! `start` creates a one-time login record (state, nonce, PKCE verifier, where to land),
//! keyed by the hash of a random token in a short-lived cookie of this browser, and sends
//! the browser to the issuer. `callback` consumes that record (once), checks the state,
//! exchanges the code with the PKCE verifier and verifies the ID token (signature against
//! the issuer's JWKS, issuer, audience, expiry and nonce). Any failure ends on the sign-in
//! page with a localized reason and no session.

use super::repo::{self, NewLogin, PendingLogin};
use crate::{
    audit::{self, Event, Outcome},
    auth::{
        caller::Caller,
        safe_next,
        session::{self, cookie_value, new_token},
        users::{self, NewUser},
    },
    config::OidcIssuerConfig,
    db::now_ms,
    error::{AppError, OidcFailure},
    orgs::{
        OrgKind,
        invitations::repo as invitation_repo,
        repo::{self as org_repo, NewOrganization},
    },
    state::AppState,
};
use axum::{
    extract::{Path, Query, State},
    response::{AppendHeaders, IntoResponse, Redirect, Response},
};
use http::header::SET_COOKIE;
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, Scope, TokenResponse,
    core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata},
    reqwest,
};
use secrecy::ExposeSecret;
use serde::Deserialize;
use std::{
    collections::HashMap,
    sync::{Mutex, OnceLock},
    time::{Duration, Instant},
};
use subtle::ConstantTimeEq;

/// Cookie naming this browser's pending sign-in (scoped to the OIDC routes).
const COOKIE: &str = "tenantry_oidc";
/// How long a started sign-in may take.
const LOGIN_TTL_MS: i64 = 10 * 60_000;
/// How long discovered issuer metadata (endpoints, keys) is reused.
const METADATA_TTL: Duration = Duration::from_secs(300);

#[derive(Debug, Deserialize)]
pub struct StartQuery {
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

fn failed(reason: OidcFailure) -> AppError {
    AppError::OidcFailed { reason }
}

/// `GET /auth/oidc/{id}/start`: sends the browser to the issuer.
pub async fn start(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<StartQuery>,
) -> Response {
    match begin(&state, &id, query.next.as_deref()).await {
        Ok((url, token)) => {
            let cookie = login_cookie(&state, &token, LOGIN_TTL_MS / 1000);
            ([(SET_COOKIE, cookie)], Redirect::to(&url)).into_response()
        }
        Err(err) => to_sign_in(&state, err),
    }
}

/// `GET /auth/oidc/{id}/callback`: finishes the sign-in.
pub async fn callback(
    caller: Caller,
    Path(id): Path<String>,
    Query(query): Query<CallbackQuery>,
    headers: http::HeaderMap,
) -> Response {
    let state = &caller.state;
    let token = cookie_value(&headers, COOKIE).map(str::to_owned);
    match finish(&caller, &id, token.as_deref(), query).await {
        Ok((session_token, next)) => {
            let session_cookie = session::cookie(&state.config, &session_token);
            (
                AppendHeaders([
                    (SET_COOKIE, session_cookie),
                    (SET_COOKIE, login_cookie(state, "", 0)),
                ]),
                Redirect::to(&next),
            )
                .into_response()
        }
        // An issuer id nobody configured is noise anyone can send: no audit row, whose
        // target the sender would choose.
        Err(
            err @ AppError::OidcFailed {
                reason: OidcFailure::UnknownIssuer,
            },
        ) => to_sign_in(state, err),
        Err(err) => {
            let detail = crate::components::form::error_code(&err);
            let reason = match &err {
                AppError::OidcFailed { reason } => format!("{detail}:{reason:?}"),
                _ => detail,
            };
            if let Err(e) = audit::record(
                state.db.pool(),
                Event::new("auth.sign_in", &caller.actor)
                    .target(&format!("oidc:{id}"))
                    .outcome(Outcome::Failure, &reason),
            )
            .await
            {
                tracing::error!(%e, "audit of a failed OIDC sign-in");
            }
            to_sign_in(state, err)
        }
    }
}

/// The sign-in page with the reason, and the pending-login cookie removed.
fn to_sign_in(state: &AppState, err: AppError) -> Response {
    let code = match err {
        AppError::OidcFailed { reason } => serde_json::to_value(reason)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        AppError::AccountSuspended => "account_suspended".to_owned(),
        _ => "internal".to_owned(),
    };
    (
        [(SET_COOKIE, login_cookie(state, "", 0))],
        Redirect::to(&format!("/signin?oidc_error={code}")),
    )
        .into_response()
}

fn login_cookie(state: &AppState, value: &str, max_age_secs: i64) -> String {
    let secure = if state.config.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{COOKIE}={value}; Path=/auth/oidc; SameSite=Lax; Max-Age={max_age_secs}; HttpOnly{secure}"
    )
}

fn issuer<'a>(state: &'a AppState, id: &str) -> Result<&'a OidcIssuerConfig, AppError> {
    state
        .config
        .oidc
        .iter()
        .find(|i| i.id == id)
        .ok_or(failed(OidcFailure::UnknownIssuer))
}

fn http_client() -> Result<reqwest::Client, AppError> {
    // No redirects: the token endpoint must answer itself (no SSRF through redirects).
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| AppError::internal("OIDC HTTP client", e))
}

type MetadataCache = Mutex<HashMap<String, (Instant, CoreProviderMetadata)>>;

/// The issuer's discovery document, reused for a few minutes.
async fn metadata(
    issuer: &OidcIssuerConfig,
    http: &reqwest::Client,
) -> Result<CoreProviderMetadata, AppError> {
    static CACHE: OnceLock<MetadataCache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Ok(map) = cache.lock()
        && let Some((at, meta)) = map.get(&issuer.issuer_url)
        && at.elapsed() < METADATA_TTL
    {
        return Ok(meta.clone());
    }
    let url = IssuerUrl::new(issuer.issuer_url.clone())
        .map_err(|e| AppError::internal("OIDC issuer URL", e))?;
    let meta = CoreProviderMetadata::discover_async(url, http)
        .await
        .map_err(|e| {
            tracing::warn!(issuer = %issuer.id, err = %e, "OIDC discovery failed");
            failed(OidcFailure::Unavailable)
        })?;
    if let Ok(mut map) = cache.lock() {
        map.insert(issuer.issuer_url.clone(), (Instant::now(), meta.clone()));
    }
    Ok(meta)
}

/// A client built from the issuer's discovery document (endpoints and keys).
type DiscoveredClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The client for `issuer`, with its secret and this portal's redirect address.
async fn client(
    state: &AppState,
    issuer: &OidcIssuerConfig,
    id: &str,
    http: &reqwest::Client,
) -> Result<DiscoveredClient, AppError> {
    let meta = metadata(issuer, http).await?;
    let secret = issuer
        .client_secret()
        .map_err(|e| AppError::internal("OIDC client secret", e))?;
    Ok(CoreClient::from_provider_metadata(
        meta,
        ClientId::new(issuer.client_id.clone()),
        secret.map(|s| ClientSecret::new(s.expose_secret().to_owned())),
    )
    .set_redirect_uri(redirect_url(state, id)?))
}

fn redirect_url(state: &AppState, id: &str) -> Result<RedirectUrl, AppError> {
    RedirectUrl::new(format!("{}/auth/oidc/{id}/callback", state.config.origin()))
        .map_err(|e| AppError::internal("OIDC redirect URL", e))
}

async fn begin(
    state: &AppState,
    id: &str,
    next: Option<&str>,
) -> Result<(String, String), AppError> {
    let issuer = issuer(state, id)?;
    let http = http_client()?;
    let client = client(state, issuer, id, &http).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client.authorize_url(
        CoreAuthenticationFlow::AuthorizationCode,
        CsrfToken::new_random,
        Nonce::new_random,
    );
    for scope in issuer.scopes.iter().filter(|s| *s != "openid") {
        request = request.add_scope(Scope::new(scope.clone()));
    }
    let (url, csrf, nonce) = request.set_pkce_challenge(challenge).url();

    let token = new_token()?;
    let login = NewLogin {
        issuer_id: id,
        state: csrf.secret(),
        nonce: nonce.secret(),
        verifier: verifier.secret(),
        next: safe_next(next),
    };
    repo::create_login(&state.db, &token, &login, LOGIN_TTL_MS).await?;
    Ok((url.to_string(), token))
}

/// What the verified ID token says about the person.
struct Identity {
    issuer: String,
    subject: String,
    email: Option<String>,
    email_verified: bool,
    given_name: Option<String>,
    family_name: Option<String>,
}

async fn finish(
    caller: &Caller,
    id: &str,
    token: Option<&str>,
    query: CallbackQuery,
) -> Result<(String, String), AppError> {
    let state = &caller.state;
    let issuer = issuer(state, id)?;
    let login = match token {
        Some(token) => repo::take_login(&state.db, token).await?,
        None => None,
    };
    let login = login
        .filter(|l| l.issuer_id == id && l.expires_at > now_ms())
        .ok_or(failed(OidcFailure::State))?;
    let returned_state = query.state.unwrap_or_default();
    if !bool::from(returned_state.as_bytes().ct_eq(login.state.as_bytes())) {
        return Err(failed(OidcFailure::State));
    }
    if query.error.is_some() {
        return Err(failed(OidcFailure::Denied));
    }
    let code = query.code.ok_or(failed(OidcFailure::Denied))?;
    let identity = verify(state, issuer, id, code, &login).await?;
    let user_id = resolve_user(caller, &identity, login.next.as_deref()).await?;
    if users::is_suspended(&state.db, &user_id).await? {
        return Err(AppError::AccountSuspended);
    }
    let session_token = session::create(
        &state.db,
        &state.config,
        &user_id,
        caller.client_addr(),
        caller.user_agent.as_deref(),
    )
    .await?;
    audit::record(
        state.db.pool(),
        Event::new("auth.sign_in", &caller.actor.as_user(&user_id)).target(&format!("oidc:{id}")),
    )
    .await?;
    Ok((
        session_token,
        login.next.unwrap_or_else(|| "/dashboard".into()),
    ))
}

/// Exchanges the code (with the PKCE verifier) and verifies the ID token and its nonce.
async fn verify(
    state: &AppState,
    issuer: &OidcIssuerConfig,
    id: &str,
    code: String,
    login: &PendingLogin,
) -> Result<Identity, AppError> {
    let http = http_client()?;
    let client = client(state, issuer, id, &http).await?;
    let request = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|e| AppError::internal("OIDC token endpoint", e))?;
    let response = request
        .set_pkce_verifier(PkceCodeVerifier::new(login.verifier.clone()))
        .request_async(&http)
        .await
        .map_err(|e| {
            tracing::warn!(issuer = %id, err = %e, "OIDC code exchange failed");
            failed(OidcFailure::Token)
        })?;
    let id_token = response.id_token().ok_or(failed(OidcFailure::Token))?;
    let claims = id_token
        .claims(
            &client.id_token_verifier(),
            &Nonce::new(login.nonce.clone()),
        )
        .map_err(|e| {
            tracing::warn!(issuer = %id, err = %e, "OIDC ID token rejected");
            failed(OidcFailure::Token)
        })?;
    let mut identity = Identity {
        issuer: issuer.issuer_url.clone(),
        subject: claims.subject().as_str().to_owned(),
        email: claims.email().map(|e| e.as_str().trim().to_lowercase()),
        email_verified: claims.email_verified().unwrap_or(false),
        given_name: claims
            .given_name()
            .and_then(|c| c.get(None))
            .map(|n| n.as_str().to_owned()),
        family_name: claims
            .family_name()
            .and_then(|c| c.get(None))
            .map(|n| n.as_str().to_owned()),
    };
    // Providers may keep profile claims out of the ID token and serve them at the userinfo
    // endpoint; its answer must name the same subject (checked by the crate).
    if identity.email.is_none() {
        let request = client
            .user_info(
                response.access_token().clone(),
                Some(claims.subject().clone()),
            )
            .map_err(|_| failed(OidcFailure::EmailUnverified))?;
        let info: openidconnect::core::CoreUserInfoClaims =
            request.request_async(&http).await.map_err(|e| {
                tracing::warn!(issuer = %id, err = %e, "OIDC userinfo failed");
                failed(OidcFailure::Token)
            })?;
        identity.email = info.email().map(|e| e.as_str().trim().to_lowercase());
        identity.email_verified = info.email_verified().unwrap_or(false);
        identity.given_name = info
            .given_name()
            .and_then(|c| c.get(None))
            .map(|n| n.as_str().to_owned());
        identity.family_name = info
            .family_name()
            .and_then(|c| c.get(None))
            .map(|n| n.as_str().to_owned());
    }
    Ok(identity)
}

/// The user behind an identity: already linked; else the account with the same email,
/// linked now if it proved that address and holds no platform role (an account with a
/// platform role is never linked automatically: refused); else a new account — with a
/// personal organization, unless the person is on their way to accept an invitation or has
/// one pending. The issuer vouched for the email, so the new account is proven, and it
/// replaces an unproven account holding the address (whose registrant never showed they
/// own it).
async fn resolve_user(
    caller: &Caller,
    identity: &Identity,
    next: Option<&str>,
) -> Result<String, AppError> {
    let db = caller.db();
    if let Some(user_id) = users::linked_identity(db, &identity.issuer, &identity.subject).await? {
        return Ok(user_id);
    }
    let email = identity
        .email
        .as_deref()
        .filter(|e| identity.email_verified && crate::auth::validate::is_plausible_email(e))
        .ok_or(failed(OidcFailure::EmailUnverified))?;
    if let Some(existing) = users::credentials(db, email).await? {
        if existing.platform_staff {
            return Err(failed(OidcFailure::LinkRefused));
        }
        if existing.email_verified {
            let actor = caller.actor.as_user(&existing.user_id);
            users::link_identity(db, &identity.issuer, &identity.subject, &actor).await?;
            return Ok(existing.user_id);
        }
    }
    let local = email.split('@').next().unwrap_or(email);
    let clip = |s: &str| s.trim().chars().take(100).collect::<String>();
    let given = clip(identity.given_name.as_deref().unwrap_or(local));
    let family = clip(identity.family_name.as_deref().unwrap_or(""));
    let user = NewUser {
        email,
        given_name: &given,
        family_name: &family,
        language: caller.lang,
        password_hash: None,
        email_verified: true,
    };
    let invited = next.is_some_and(|n| n.starts_with("/invite/"))
        || invitation_repo::any_pending_for(db, email).await?;
    let user_id = if invited {
        users::register_without_organization(db, &user, &caller.actor, "oidc").await?
    } else {
        let person = user.display_name();
        let org = NewOrganization {
            kind: OrgKind::Personal,
            display_name: person.trim(),
        };
        org_repo::register_account(db, &caller.state.config, &user, &org, &caller.actor)
            .await?
            .user_id
    };
    let actor = caller.actor.as_user(&user_id);
    users::link_identity(db, &identity.issuer, &identity.subject, &actor).await?;
    Ok(user_id)
}
