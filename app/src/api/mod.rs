//! The REST API, `/api/v1` (SPEC §3.10): for AI agents with a bearer API key, and for the
//! browser with its session. Every handler starts from the one [`Caller`] and reaches the
//! same domain functions as the pages' server functions, so the same rules decide: a key
//! reaches only its own organization (any other answers 404), acts with its creator's
//! role there, and writes only with the `write` scope (403 otherwise).
//!
//! Errors are JSON `{code, message, …}` with the codes of [`AppError`] and the message in
//! the caller's language.

use crate::{
    auth::{caller::Caller, principal::Principal},
    error::AppError,
    i18n::Lang,
    instances::{overview::InstanceRow, wizard::Draft},
    state::AppState,
};
use axum::{
    Json, Router,
    extract::{Path, Query, rejection::JsonRejection},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::{Deserialize, Serialize};

/// The routes under `/api/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/organization", get(organization))
        .route("/api/v1/orgs/{slug}/instances", get(instances))
        .route("/api/v1/orgs/{slug}/instances/{id}", get(instance))
        .route("/api/v1/orgs/{slug}/instances/{id}/usage", get(usage))
        .route(
            "/api/v1/orgs/{slug}/instance-requests",
            post(create_request),
        )
        .route("/api/v1/orgs/{slug}/audit-events", get(audit_events))
        .route("/api/v1/{*rest}", axum::routing::any(unknown))
        // A real 404 for OAuth discovery (never the app's page), so MCP clients keep the
        // configured bearer header instead of starting an OAuth flow (AGENTS-API.md §1.5).
        .route("/.well-known/{*rest}", axum::routing::any(unknown))
}

/// An error answered as JSON in the caller's language.
pub struct ApiError {
    error: AppError,
    lang: Lang,
}

impl ApiError {
    fn new(caller: &Caller, error: AppError) -> ApiError {
        ApiError {
            error,
            lang: caller.lang,
        }
    }
}

/// The JSON error body: the error's own fields (`code`, and e.g. `fields`) and `message`.
pub fn error_body(error: &AppError, lang: Lang) -> serde_json::Value {
    let mut body = serde_json::to_value(error).unwrap_or_else(|_| serde_json::json!({}));
    if let Some(map) = body.as_object_mut() {
        map.insert("message".into(), error.message(lang).into());
    }
    body
}

/// The JSON error answer: [`error_body`] with the error's status and, for a refused
/// credential, a bearer challenge.
pub fn error_response(error: &AppError, lang: Lang) -> Response {
    let mut response = (error.status(), Json(error_body(error, lang))).into_response();
    if *error == AppError::InvalidApiKey || *error == AppError::Unauthenticated {
        // A plain bearer challenge, with no OAuth discovery hints (AGENTS-API.md §1.5).
        response.headers_mut().insert(
            http::header::WWW_AUTHENTICATE,
            http::HeaderValue::from_static("Bearer realm=\"tenantry\", error=\"invalid_token\""),
        );
    }
    if let AppError::RateLimited { retry_after_secs } = error
        && let Ok(value) = http::HeaderValue::from_str(&retry_after_secs.to_string())
    {
        response
            .headers_mut()
            .insert(http::header::RETRY_AFTER, value);
    }
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        error_response(&self.error, self.lang)
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// Runs `f` with the caller, turning its error into the JSON answer.
async fn with<T, F>(caller: Caller, f: impl FnOnce(Caller) -> F) -> ApiResult<T>
where
    F: std::future::Future<Output = Result<T, AppError>>,
{
    let lang = caller.lang;
    f(caller).await.map_err(|error| ApiError { error, lang })
}

/// The organization a key belongs to.
#[derive(Debug, Serialize, Deserialize)]
pub struct Organization {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub kind: crate::orgs::OrgKind,
    /// The role the key acts with (its creator's).
    pub role: crate::orgs::Role,
    pub scopes: crate::keys::Scopes,
}

/// The slug of the organization of the caller's key (a session has none: `NotFound`).
pub async fn key_slug(caller: &Caller) -> Result<String, AppError> {
    let key = match &caller.principal {
        Principal::ApiKey(key) => key,
        Principal::Anonymous => return Err(AppError::Unauthenticated),
        _ => return Err(AppError::NotFound),
    };
    sqlx::query_scalar("SELECT slug FROM organizations WHERE id = $1")
        .bind(&key.key.organization_id)
        .fetch_optional(caller.db().pool())
        .await?
        .ok_or(AppError::NotFound)
}

/// The organization of the caller's key, as its key sees it.
pub async fn key_organization(caller: &Caller) -> Result<Organization, AppError> {
    let slug = key_slug(caller).await?;
    let scopes = match &caller.principal {
        Principal::ApiKey(key) => key.key.scopes,
        _ => return Err(AppError::NotFound),
    };
    let access = caller.org(&slug).await?;
    Ok(Organization {
        id: access.org_id,
        slug: access.slug,
        name: access.display_name,
        kind: access.kind,
        role: access.role,
        scopes,
    })
}

/// `GET /api/v1/organization`: the key's organization (a session has none: 404).
async fn organization(caller: Caller) -> ApiResult<Json<Organization>> {
    with(caller, |caller| async move {
        key_organization(&caller).await.map(Json)
    })
    .await
}

/// A page of a list: the items and the cursor of the next page, if any.
#[derive(Debug, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PageQuery {
    cursor: Option<String>,
    limit: Option<u32>,
}

/// One page of the organization's instances, newest first: `limit` 1–100 (default 20)
/// after `cursor`, each with its latest provisioning steps.
pub async fn instances_page(
    caller: &Caller,
    slug: &str,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> Result<Page<InstanceRow>, AppError> {
    let limit = match limit {
        None => 20,
        Some(n @ 1..=100) => n,
        Some(_) => {
            return Err(AppError::field(
                "limit",
                crate::error::Problem::InvalidChoice,
            ));
        }
    };
    let after = match cursor {
        None | Some("") => None,
        Some(cursor) => Some(
            decode_cursor(cursor)
                .ok_or_else(|| AppError::field("cursor", crate::error::Problem::InvalidChoice))?,
        ),
    };
    let (items, more) = crate::instances::overview::instance_page(
        caller,
        slug,
        after.as_ref().map(|(at, id)| (*at, id.as_str())),
        limit,
    )
    .await?;
    let next_cursor = more
        .then(|| {
            items
                .last()
                .map(|last| encode_cursor(last.created_at, &last.id))
        })
        .flatten();
    Ok(Page { items, next_cursor })
}

/// `GET /api/v1/orgs/{slug}/instances?cursor=&limit=`: see [`instances_page`].
async fn instances(
    caller: Caller,
    Path(slug): Path<String>,
    query: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Page<InstanceRow>>> {
    with(caller, |caller| async move {
        let Query(query) = query.map_err(|_| AppError::BadRequest)?;
        instances_page(&caller, &slug, query.cursor.as_deref(), query.limit)
            .await
            .map(Json)
    })
    .await
}

/// A cursor names the last item of a page: its creation time and id.
fn encode_cursor(created_at: i64, id: &str) -> String {
    format!("{created_at}.{id}")
}

fn decode_cursor(cursor: &str) -> Option<(i64, String)> {
    let (at, id) = cursor.split_once('.')?;
    let valid_id = !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    valid_id.then_some(())?;
    Some((at.parse().ok()?, id.to_owned()))
}

/// `GET /api/v1/orgs/{slug}/instances/{id}`: one instance with its provisioning steps.
async fn instance(
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
) -> ApiResult<Json<InstanceRow>> {
    with(caller, |caller| async move {
        crate::instances::overview::instance_detail(&caller, &slug, &id)
            .await
            .map(Json)
    })
    .await
}

/// `GET /api/v1/orgs/{slug}/instances/{id}/usage`: the instance's month-to-date spend,
/// tokens and requests, from LiteLLM.
async fn usage(
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
) -> ApiResult<Json<crate::instances::usage::Usage>> {
    with(caller, |caller| async move {
        crate::instances::usage::usage(&caller, &slug, &id)
            .await
            .map(Json)
    })
    .await
}

/// The id of a request just created.
#[derive(Debug, Serialize, Deserialize)]
pub struct Created {
    pub id: String,
}

/// `POST /api/v1/orgs/{slug}/instance-requests` with the wizard's draft as JSON: the same
/// checks and secret sealing as the wizard. Owners' keys with the `write` scope only.
async fn create_request(
    caller: Caller,
    Path(slug): Path<String>,
    draft: Result<Json<Draft>, JsonRejection>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    with(caller, |caller| async move {
        let Json(draft) = draft.map_err(|_| AppError::BadRequest)?;
        let (id, _) = crate::instances::wizard::submit::submit(&caller, &slug, draft).await?;
        Ok((StatusCode::CREATED, Json(Created { id })))
    })
    .await
}

#[derive(Debug, Deserialize)]
struct AuditQuery {
    page: Option<u32>,
}

/// `GET /api/v1/orgs/{slug}/audit-events?page=`: the organization's audit log, newest
/// first, for owners' and admins' keys (as on the audit page).
async fn audit_events(
    caller: Caller,
    Path(slug): Path<String>,
    query: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<crate::audit::AuditPage>> {
    with(caller, |caller| async move {
        let Query(query) = query.map_err(|_| AppError::BadRequest)?;
        let filter = crate::audit::AuditFilter {
            org: slug,
            ..Default::default()
        };
        crate::audit::read(&caller, filter, query.page.unwrap_or(1))
            .await
            .map(Json)
    })
    .await
}

/// Any other path under `/api/v1`.
async fn unknown(caller: Caller) -> ApiError {
    ApiError::new(&caller, AppError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let cursor = encode_cursor(1_700_000_000_000, "0190-abc");
        assert_eq!(
            decode_cursor(&cursor),
            Some((1_700_000_000_000, "0190-abc".to_owned()))
        );
        for garbage in ["", ".", "x.y", "12.", "12.a'b", "12.a b"] {
            assert_eq!(decode_cursor(garbage), None, "{garbage:?}");
        }
    }
}
