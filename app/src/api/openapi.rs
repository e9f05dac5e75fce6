//! The OpenAPI 3.1 document of `/api/v1`, served at `/api/v1/openapi.json` and rendered by
//! the docs page (`/api/docs`). It is generated from the handlers' `#[utoipa::path]`
//! annotations and the types' `ToSchema` derives, so it cannot drift from what answers.
//! The errors every operation can answer (400, 401, 403, 404, 422, 429) are added here once,
//! with the shared JSON error body.

use crate::error::FieldError;
use axum::{http::header, response::IntoResponse};
use std::sync::OnceLock;
use utoipa::{
    Modify, OpenApi, ToSchema,
    openapi::{
        self, Ref, RefOr, ResponseBuilder,
        content::ContentBuilder,
        header::HeaderBuilder,
        path::Operation,
        schema::{KnownFormat, Object, ObjectBuilder, Schema, SchemaFormat, Type},
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    },
};

/// The name of the bearer scheme in `components.securitySchemes` (Schemathesis's
/// `[auth.openapi.api_key]` names the same).
pub const SECURITY_SCHEME: &str = "api_key";

/// Every error answer: a stable machine `code`, the `message` in the caller's language
/// (`Accept-Language`), and the data some codes carry.
#[derive(ToSchema)]
#[allow(dead_code)] // Describes the body `api::error_body` writes from an `AppError`.
pub struct ErrorBody {
    /// `invalid_api_key`, `unauthenticated`, `forbidden`, `not_found`, `invalid`,
    /// `bad_request`, `rate_limited`, `conflict`, `usage_not_configured`, …
    code: String,
    /// What went wrong, in the caller's language.
    message: String,
    /// For `invalid`: each refused field and why.
    fields: Option<Vec<FieldError>>,
    /// For `rate_limited`: seconds to wait (also in `Retry-After`).
    retry_after_secs: Option<u64>,
}

/// The errors any operation answers, with their meaning.
const COMMON_ERRORS: [(&str, &str); 6] = [
    (
        "400",
        "Malformed request: a query, path or body that cannot be read (`bad_request`).",
    ),
    (
        "401",
        "No API key, or one that is malformed, unknown, revoked, expired or whose creator is suspended (`invalid_api_key`, `unauthenticated`).",
    ),
    (
        "403",
        "The key may not do this: a `read` key writing, or a role without the right (`forbidden`).",
    ),
    (
        "404",
        "No such resource in the key's organization; other organizations answer the same (`not_found`).",
    ),
    (
        "422",
        "Input that was read but refused, with each field and why (`invalid`).",
    ),
    (
        "429",
        "Too many attempts from this address (`rate_limited`); wait `Retry-After` seconds.",
    ),
];

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tenantry API",
        description = "The REST API of a Tenantry portal for agents and scripts. Authenticate with an API key from the organization's Keys page: `Authorization: Bearer tny_…`. A key reaches only its own organization and acts with its creator's role; `read` keys cannot write. Errors are JSON `{code, message}`, the message in the language of `Accept-Language`.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later"),
    ),
    tags(
        (name = "organization", description = "The key's organization."),
        (name = "instances", description = "The organization's service instances, their provisioning and usage."),
        (name = "requests", description = "Requests for new instances, reviewed by platform staff."),
        (name = "audit", description = "The organization's audit log."),
    ),
    components(schemas(ErrorBody)),
    modifiers(&Bearer)
)]
struct Base;

/// Adds the bearer scheme.
struct Bearer;

impl Modify for Bearer {
    fn modify(&self, api: &mut openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            SECURITY_SCHEME,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("tny_<30 base62><6 base62 CRC-32>")
                    .description(Some(
                        "An API key from the organization's Keys page. The browser's session cookie works too.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The name of the shared response for a status, in `components.responses`.
fn response_name(status: &str) -> String {
    format!("Error{status}")
}

/// The document: the base, the routes' paths and schemas, and the common errors on every
/// operation that does not describe them itself.
fn build() -> openapi::OpenApi {
    let (_, routes) = super::routes().split_for_parts();
    let mut api = Base::openapi();
    api.merge(routes);
    let error_content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name(ErrorBody::name())))
        .build();
    let components = api.components.get_or_insert_with(Default::default);
    for (status, description) in COMMON_ERRORS {
        let mut response = ResponseBuilder::new()
            .description(description)
            .content("application/json", error_content.clone());
        response = match status {
            "401" => response.header(
                header::WWW_AUTHENTICATE.as_str(),
                HeaderBuilder::new()
                    .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                    .description(Some("`Bearer realm=\"tenantry\", error=\"invalid_token\"`"))
                    .build(),
            ),
            "429" => response.header(
                header::RETRY_AFTER.as_str(),
                HeaderBuilder::new()
                    .schema(Some(ObjectBuilder::new().schema_type(Type::Integer)))
                    .description(Some("Seconds to wait."))
                    .build(),
            ),
            _ => response,
        };
        components
            .responses
            .insert(response_name(status), RefOr::T(response.build()));
    }
    if let Some(RefOr::T(Schema::Object(draft))) = components.schemas.get_mut("Draft") {
        describe_draft(draft);
    }
    for item in api.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ];
        for operation in operations.into_iter().flatten() {
            add_common_errors(operation);
        }
    }
    api
}

/// Writes the wizard's length limits (the constants `wizard::validate` checks) into the
/// draft's schema, and marks the fields it requires. What JSON Schema cannot say (packages
/// from this portal's catalog, their secret fields, trimmed blanks) stays in the 422 answer.
fn describe_draft(draft: &mut Object) {
    use crate::{
        instances::wizard::{Limit, limits},
        orgs::OrgKind,
    };
    let company = limits::billing_company(OrgKind::Company);
    let fields: [(&str, Limit); 12] = [
        ("instance_label", limits::INSTANCE_LABEL),
        ("agent_name", limits::AGENT_NAME),
        ("soul_md", limits::WORKSPACE_FILE),
        ("agents_md", limits::WORKSPACE_FILE),
        // Required for companies only.
        ("billing_company", Limit { min: 0, ..company }),
        ("billing_street", limits::BILLING_STREET),
        ("billing_postal_code", limits::BILLING_POSTAL_CODE),
        ("billing_city", limits::BILLING_CITY),
        ("billing_country", limits::BILLING_COUNTRY),
        ("billing_notes", limits::BILLING_NOTES),
        ("contact_name", limits::CONTACT_NAME),
        ("contact_email", limits::CONTACT_EMAIL),
    ];
    for (name, limit) in fields {
        if limit.min > 0 {
            draft.required.push(name.to_owned());
        }
        let Some(RefOr::T(Schema::Object(field))) = draft.properties.get_mut(name) else {
            continue;
        };
        field.min_length = Some(limit.min);
        field.max_length = Some(limit.max);
        if name == "contact_email" {
            field.format = Some(SchemaFormat::KnownFormat(KnownFormat::Email));
        }
    }
}

fn add_common_errors(operation: &mut Operation) {
    for (status, _) in COMMON_ERRORS {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| RefOr::Ref(Ref::from_response_name(response_name(status))));
    }
}

/// The document, generated once per process.
pub fn document() -> &'static openapi::OpenApi {
    static DOCUMENT: OnceLock<openapi::OpenApi> = OnceLock::new();
    DOCUMENT.get_or_init(build)
}

/// One of the document's named schemas as JSON (the MCP tool `request_instance` takes the
/// REST route's `Draft`).
pub fn schema_json(name: &str) -> Option<serde_json::Value> {
    let schema = document().components.as_ref()?.schemas.get(name)?;
    serde_json::to_value(schema).ok()
}

/// `GET /api/v1/openapi.json`: the document, public (it holds no data).
pub async fn serve() -> axum::response::Response {
    static JSON: OnceLock<String> = OnceLock::new();
    let json = JSON.get_or_init(|| document().to_pretty_json().unwrap_or_default());
    ([(header::CONTENT_TYPE, "application/json")], json.as_str()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_has_an_id_a_summary_security_and_the_common_errors() {
        let json = serde_json::to_value(document()).unwrap();
        assert_eq!(json["openapi"], "3.1.0");
        let paths = json["paths"].as_object().unwrap();
        assert_eq!(paths.len(), 6, "{:?}", paths.keys());
        for (path, item) in paths {
            for (method, operation) in item.as_object().unwrap() {
                let at = format!("{method} {path}");
                assert!(operation["operationId"].is_string(), "{at}");
                assert!(operation["summary"].is_string(), "{at}");
                assert_eq!(
                    operation["security"][0][SECURITY_SCHEME],
                    serde_json::json!([]),
                    "{at}"
                );
                let responses = operation["responses"].as_object().unwrap();
                for (status, _) in COMMON_ERRORS {
                    assert!(responses.contains_key(status), "{at} {status}");
                }
                assert!(responses.keys().any(|s| s.starts_with('2')), "{at}");
            }
        }
        assert_eq!(
            json["components"]["securitySchemes"][SECURITY_SCHEME]["scheme"],
            "bearer"
        );
        let audit = &json["paths"]["/api/v1/orgs/{slug}/audit-events"]["get"]["parameters"];
        let page = audit
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "page")
            .unwrap();
        assert_eq!(page["schema"]["maximum"], super::super::MAX_AUDIT_PAGE);
    }

    #[test]
    fn the_error_body_the_api_writes_has_the_documented_fields() {
        let json = serde_json::to_value(document()).unwrap();
        let schema = &json["components"]["schemas"]["ErrorBody"];
        let documented: Vec<&str> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let errors = [
            crate::error::AppError::InvalidApiKey,
            crate::error::AppError::field("limit", crate::error::Problem::InvalidChoice),
            crate::error::AppError::RateLimited {
                retry_after_secs: 3,
            },
        ];
        for error in errors {
            let body = super::super::error_body(&error, crate::i18n::Lang::De);
            for key in body.as_object().unwrap().keys() {
                assert!(documented.contains(&key.as_str()), "{key} of {error:?}");
            }
        }
    }
}
