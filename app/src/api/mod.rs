//! The REST API, `/api/v1` (SPEC §3.10): for AI agents with a bearer API key, and for the
//! browser with its session. Every handler starts from the one [`Caller`] and reaches the
//! same domain functions as the pages' server functions, so the same rules decide: a key
//! reaches only its own organization (any other answers 404), acts with its creator's
//! role there, and writes only with the `write` scope (403 otherwise).
//!
//! Errors are JSON `{code, message, …}` with the codes of [`AppError`] and the message in
//! the caller's language. The routes are registered through `utoipa-axum`, so the OpenAPI
//! document ([`openapi`]) is generated from the same handlers and types that answer.

pub mod openapi;

use crate::{
    auth::{caller::Caller, principal::Principal},
    error::AppError,
    i18n::Lang,
    instances::{overview::InstanceRow, wizard::Draft},
    state::AppState,
};
use axum::{
    Json, Router,
    extract::{
        Path, Query,
        rejection::{JsonRejection, PathRejection, QueryRejection},
    },
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{any, get},
};
use serde::{Deserialize, Serialize};
use utoipa_axum::{router::OpenApiRouter, routes};

/// The documented routes; [`router`] serves them, [`openapi::document`] describes them.
fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(organization))
        .routes(routes!(instances))
        .routes(routes!(instance))
        .routes(routes!(usage))
        .routes(routes!(create_request))
        .routes(routes!(audit_events))
}

/// The routes under `/api/v1`, with the OpenAPI document at `/api/v1/openapi.json`.
pub fn router() -> Router<AppState> {
    let (router, _) = routes().split_for_parts();
    router
        .route("/api/v1/openapi.json", get(openapi::serve))
        .route("/api/v1/{*rest}", any(unknown))
        // A real 404 for OAuth discovery (never the app's page), so MCP clients keep the
        // configured bearer header instead of starting an OAuth flow (AGENTS-API.md §1.5).
        .route("/.well-known/{*rest}", any(unknown))
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

/// Whether `path` is the API's (`/api/v1`, `/mcp`): bearer keys are read there, and errors
/// are answered as `{code, message}`.
pub fn is_api_path(path: &str) -> bool {
    path == "/api/v1" || path.starts_with("/api/v1/") || path == "/mcp"
}

/// Every extractor's rejection (a path, query or body that cannot be read) is a
/// `bad_request`.
fn readable<T, E>(extracted: Result<T, E>) -> Result<T, AppError> {
    extracted.map_err(|_| AppError::BadRequest)
}

/// How a middleware answers a request it refuses before any handler runs: on API paths
/// (`/api/v1/…`, `/mcp`) with the API's JSON error in the request's language (so every
/// answer there has the documented `{code, message}`), elsewhere with the server
/// functions' error body.
#[derive(Debug, Clone, Copy)]
pub struct Refusal {
    api: bool,
    lang: Lang,
}

impl Refusal {
    /// How to refuse `req`; read it before the request moves on.
    pub fn of<B>(req: &http::Request<B>) -> Refusal {
        let api = is_api_path(req.uri().path());
        // Only an API answer carries a message, so only then is the language worked out.
        let lang = api
            .then(|| {
                req.extensions()
                    .get::<crate::auth::principal::RequestContext>()
                    .map(|ctx| ctx.lang)
                    .or_else(|| {
                        let header = req.headers().get(http::header::ACCEPT_LANGUAGE)?;
                        Lang::from_accept_language(header.to_str().ok()?, &Lang::ALL)
                    })
            })
            .flatten()
            .unwrap_or(Lang::En);
        Refusal { api, lang }
    }

    pub fn answer(self, error: AppError) -> Response {
        if self.api {
            error_response(&error, self.lang)
        } else {
            crate::auth::middleware::err_response(error)
        }
    }
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
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Organization {
    pub id: String,
    /// The identifier in the organization's paths, `/api/v1/orgs/{slug}/…`.
    pub slug: String,
    /// The display name.
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

/// The key's organization.
///
/// With it the key's role (its creator's) and scopes. A browser session has no key: 404.
#[utoipa::path(
    get,
    path = "/api/v1/organization",
    operation_id = "get_organization",
    tag = "organization",
    responses((status = 200, description = "The key's organization.", body = Organization)),
    security(("api_key" = []))
)]
async fn organization(caller: Caller) -> ApiResult<Json<Organization>> {
    with(caller, |caller| async move {
        key_organization(&caller).await.map(Json)
    })
    .await
}

/// A page of a list: the items and the cursor of the next page, if any.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass it as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PageQuery {
    /// `next_cursor` of the previous page.
    #[param(pattern = r"^([0-9]{1,18}\.[A-Za-z0-9-]{1,64})?$")]
    cursor: Option<String>,
    /// Items per page, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
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

/// The organization's instances.
///
/// Newest first, each with its phase and the steps of its latest provisioning run.
#[utoipa::path(
    get,
    path = "/api/v1/orgs/{slug}/instances",
    operation_id = "list_instances",
    tag = "instances",
    params(Slug, PageQuery),
    responses((
        status = 200,
        description = "One page of instances.",
        body = Page<InstanceRow>,
        links(("get_instance" = (
            operation_id = "get_instance",
            parameters(("slug" = "$request.path.slug"), ("id" = "$response.body#/items/0/id"))
        )))
    )),
    security(("api_key" = []))
)]
async fn instances(
    caller: Caller,
    slug: Result<Path<String>, PathRejection>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult<Json<Page<InstanceRow>>> {
    with(caller, |caller| async move {
        let Path(slug) = readable(slug)?;
        let Query(query) = readable(query)?;
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

/// One instance.
///
/// With its phase and the status, attempts and timing of each provisioning step.
#[utoipa::path(
    get,
    path = "/api/v1/orgs/{slug}/instances/{id}",
    operation_id = "get_instance",
    tag = "instances",
    params(Slug, InstanceId),
    responses((status = 200, description = "The instance.", body = InstanceRow)),
    security(("api_key" = []))
)]
async fn instance(
    caller: Caller,
    path: Result<Path<(String, String)>, PathRejection>,
) -> ApiResult<Json<InstanceRow>> {
    with(caller, |caller| async move {
        let Path((slug, id)) = readable(path)?;
        crate::instances::overview::instance_detail(&caller, &slug, &id)
            .await
            .map(Json)
    })
    .await
}

/// An instance's usage this month.
///
/// Spend in US dollars, tokens and requests since the 1st of the month (UTC), from the
/// LiteLLM proxy's spend logs of the instance's key.
#[utoipa::path(
    get,
    path = "/api/v1/orgs/{slug}/instances/{id}/usage",
    operation_id = "get_usage",
    tag = "instances",
    params(Slug, InstanceId),
    responses(
        (status = 200, description = "Month-to-date usage.", body = crate::instances::usage::Usage),
        (status = 409, description = "Usage is not configured on this portal (`usage_not_configured`).", body = openapi::ErrorBody),
        (status = 502, description = "LiteLLM could not be asked (`usage_unavailable`).", body = openapi::ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn usage(
    caller: Caller,
    path: Result<Path<(String, String)>, PathRejection>,
) -> ApiResult<Json<crate::instances::usage::Usage>> {
    with(caller, |caller| async move {
        let Path((slug, id)) = readable(path)?;
        crate::instances::usage::usage(&caller, &slug, &id)
            .await
            .map(Json)
    })
    .await
}

/// The id of a request just created.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Created {
    pub id: String,
}

/// Request a new instance.
///
/// The onboarding wizard's draft as JSON, with the same checks and secret sealing as the
/// wizard; platform staff review the request before it is provisioned. Owners' keys with
/// the `write` scope only.
#[utoipa::path(
    post,
    path = "/api/v1/orgs/{slug}/instance-requests",
    operation_id = "create_instance_request",
    tag = "requests",
    params(Slug),
    request_body(content = Draft, content_type = "application/json"),
    responses(
        (status = 201, description = "The request was created; staff review it.", body = Created),
        (status = 409, description = "A conflicting concurrent change (`conflict`).", body = openapi::ErrorBody),
        (status = 413, description = "The body is too large (`payload_too_large`).", body = openapi::ErrorBody),
        (status = 503, description = "Secret storage is not configured (`secrets_not_configured`).", body = openapi::ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn create_request(
    caller: Caller,
    slug: Result<Path<String>, PathRejection>,
    draft: Result<Json<Draft>, JsonRejection>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    with(caller, |caller| async move {
        let Path(slug) = readable(slug)?;
        let Json(draft) = readable(draft)?;
        let (id, _) = crate::instances::wizard::submit::submit(&caller, &slug, draft).await?;
        Ok((StatusCode::CREATED, Json(Created { id })))
    })
    .await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct AuditQuery {
    /// The page, from 1 (default), 50 events each.
    #[param(minimum = 1, maximum = 1_000_000)]
    page: Option<u32>,
}

/// The last page the audit route reads (as documented on [`AuditQuery::page`]).
const MAX_AUDIT_PAGE: u32 = 1_000_000;

/// The organization's audit log.
///
/// Newest first, 50 events a page, for owners' and admins' keys (as on the audit page).
#[utoipa::path(
    get,
    path = "/api/v1/orgs/{slug}/audit-events",
    operation_id = "list_audit_events",
    tag = "audit",
    params(Slug, AuditQuery),
    responses((status = 200, description = "One page of the log.", body = crate::audit::AuditPage)),
    security(("api_key" = []))
)]
async fn audit_events(
    caller: Caller,
    slug: Result<Path<String>, PathRejection>,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> ApiResult<Json<crate::audit::AuditPage>> {
    with(caller, |caller| async move {
        let Path(slug) = readable(slug)?;
        let Query(query) = readable(query)?;
        let filter = crate::audit::AuditFilter {
            org: slug,
            ..Default::default()
        };
        let page = match query.page {
            None => 1,
            Some(page @ 1..=MAX_AUDIT_PAGE) => page,
            Some(_) => {
                return Err(AppError::field(
                    "page",
                    crate::error::Problem::InvalidChoice,
                ));
            }
        };
        crate::audit::read(&caller, filter, page).await.map(Json)
    })
    .await
}

/// The organization in the path.
#[derive(utoipa::IntoParams)]
#[into_params(names("slug"), parameter_in = Path)]
#[allow(dead_code)] // Only describes the path parameter the handlers extract.
struct Slug(
    /// The organization's identifier (see `GET /api/v1/organization`).
    String,
);

/// The instance in the path.
#[derive(utoipa::IntoParams)]
#[into_params(names("id"), parameter_in = Path)]
#[allow(dead_code)] // Only describes the path parameter the handlers extract.
struct InstanceId(
    /// The instance's id.
    String,
);

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
