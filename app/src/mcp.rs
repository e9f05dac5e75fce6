//! The MCP endpoint `/mcp` (SPEC §3.10, AGENTS-API.md §1): Streamable HTTP, tools only,
//! served by `rmcp` as a tower service. It is stateless (no `Mcp-Session-Id`) and answers
//! JSON, so both the initialize-era revision clients use today (2025-11-25) and the
//! stateless 2026-07-28 revision work on every process behind a load balancer.
//!
//! Only API keys get in: [`require_key`] answers anything else 401 with a plain bearer
//! challenge and no OAuth discovery hints, so clients keep the configured header. Each tool
//! builds the one [`Caller`] from the request and calls the same domain function as the
//! REST route, so the same rules decide: the key's own organization only, its creator's
//! role, and `request_instance` only with the `write` scope. A refused call is a tool
//! result with `isError` and the error's code and message, so an agent can correct itself;
//! a malformed call (unknown tool, arguments that do not fit the schema) is a JSON-RPC error.

use crate::{
    auth::{
        caller::Caller,
        principal::{Principal, RequestContext},
    },
    error::AppError,
    state::AppState,
};
use rmcp::{
    ErrorData as McpError, RoleServer, ServerHandler,
    model::{
        CacheScope, CallToolRequestParams, CallToolResponse, CallToolResult, Implementation,
        JsonObject, ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig,
        Tool, ToolAnnotations,
    },
    service::RequestContext as McpContext,
    transport::streamable_http_server::{
        StreamableHttpServerConfig, StreamableHttpService, session::never::NeverSessionManager,
    },
};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

/// The tools of one request; the service makes one per request.
#[derive(Clone)]
pub struct Tools {
    state: AppState,
}

/// The `/mcp` routes: the rmcp service behind the key gate.
pub fn router(state: &AppState) -> axum::Router<AppState> {
    let tools = Tools {
        state: state.clone(),
    };
    let service = StreamableHttpService::new(
        move || Ok(tools.clone()),
        Arc::new(NeverSessionManager::default()),
        transport_config(&state.config.base_url),
    );
    axum::Router::new()
        .nest_service("/mcp", service)
        .layer(axum::middleware::from_fn(require_key))
}

/// Stateless JSON answers; the `Host` must be the portal's own (or loopback), and a
/// browser `Origin` must be the portal's.
fn transport_config(base_url: &str) -> StreamableHttpServerConfig {
    let mut hosts = vec!["localhost".to_owned(), "127.0.0.1".into(), "::1".into()];
    let mut origins = Vec::new();
    if let Ok(url) = reqwest::Url::parse(base_url)
        && let Some(host) = url.host_str()
    {
        hosts.push(match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        });
        origins.push(url.origin().ascii_serialization());
    }
    StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_sse_keep_alive(None)
        .with_sse_retry(None)
        .with_allowed_hosts(hosts)
        .with_allowed_origins(origins)
        .enforce_origin_validation()
}

/// Lets only API keys through; the middleware already refused a bad one with 401.
async fn require_key(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let (is_key, lang) = match req.extensions().get::<RequestContext>() {
        Some(ctx) => (matches!(ctx.principal, Principal::ApiKey(_)), ctx.lang),
        None => (false, crate::i18n::Lang::En),
    };
    if is_key {
        next.run(req).await
    } else {
        crate::api::error_response(&AppError::InvalidApiKey, lang)
    }
}

/// The arguments of `list_instances`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListArgs {
    cursor: Option<String>,
    limit: Option<u32>,
}

/// The arguments of `get_instance` and `get_usage`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InstanceArgs {
    id: String,
}

impl Tools {
    /// The caller of this MCP request, from the context our middleware stored.
    fn caller(&self, context: &McpContext<RoleServer>) -> Result<Caller, McpError> {
        context
            .extensions
            .get::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<RequestContext>())
            .filter(|ctx| matches!(ctx.principal, Principal::ApiKey(_)))
            .map(|ctx| Caller::new(self.state.clone(), ctx.clone()))
            .ok_or_else(|| McpError::invalid_request("an API key is required", None))
    }

    async fn call(&self, caller: &Caller, name: &str, arguments: Value) -> Result<Value, Call> {
        let slug = crate::api::key_slug(caller).await?;
        match name {
            "list_instances" => {
                let args: ListArgs = parse(arguments)?;
                let page =
                    crate::api::instances_page(caller, &slug, args.cursor.as_deref(), args.limit)
                        .await?;
                to_value(&page)
            }
            "get_instance" => {
                let args: InstanceArgs = parse(arguments)?;
                to_value(
                    &crate::instances::overview::instance_detail(caller, &slug, &args.id).await?,
                )
            }
            "get_usage" => {
                let args: InstanceArgs = parse(arguments)?;
                to_value(&crate::instances::usage::usage(caller, &slug, &args.id).await?)
            }
            "request_instance" => {
                // serde's message can quote a value, and a draft carries secrets.
                let draft: crate::instances::wizard::Draft = serde_json::from_value(arguments)
                    .map_err(|_| {
                        Call::Protocol(McpError::invalid_params(
                            "invalid arguments: see the tool's inputSchema",
                            None,
                        ))
                    })?;
                let (id, _) =
                    crate::instances::wizard::submit::submit(caller, &slug, draft).await?;
                Ok(json!({ "id": id }))
            }
            other => Err(Call::Protocol(McpError::invalid_params(
                format!("unknown tool: {other}"),
                None,
            ))),
        }
    }
}

/// How a tool call failed: refused by the rules (a tool error the agent reads) or not
/// understood (a JSON-RPC error).
enum Call {
    Refused(AppError),
    Protocol(McpError),
}

impl From<AppError> for Call {
    fn from(error: AppError) -> Call {
        Call::Refused(error)
    }
}

fn parse<T: serde::de::DeserializeOwned>(arguments: Value) -> Result<T, Call> {
    serde_json::from_value(arguments).map_err(|e| {
        Call::Protocol(McpError::invalid_params(
            format!("invalid arguments: {e}"),
            None,
        ))
    })
}

fn to_value<T: serde::Serialize>(value: &T) -> Result<Value, Call> {
    serde_json::to_value(value).map_err(|e| Call::Refused(AppError::internal("mcp result", e)))
}

fn schema(value: Value) -> Arc<JsonObject> {
    match value {
        Value::Object(map) => Arc::new(map),
        _ => Arc::new(JsonObject::new()),
    }
}

/// The tools a key sees, in a fixed order; `request_instance` only with the `write` scope.
fn tools(writes: bool) -> Vec<Tool> {
    let read_only = ToolAnnotations::new().read_only(true).open_world(false);
    let id = json!({
        "type": "object",
        "properties": { "id": { "type": "string", "description": "The instance's id." } },
        "required": ["id"],
        "additionalProperties": false
    });
    let mut tools = vec![
        Tool::new(
            "list_instances",
            "List the organization's service instances, newest first, each with its phase and provisioning steps. Pass next_cursor back as cursor for the next page.",
            schema(json!({
                "type": "object",
                "properties": {
                    "cursor": { "type": "string", "description": "next_cursor of the previous page." },
                    "limit": { "type": "integer", "minimum": 1, "maximum": 100, "description": "Instances per page (default 20)." }
                },
                "additionalProperties": false
            })),
        )
        .with_title("List instances")
        .with_annotations(read_only.clone()),
        Tool::new(
            "get_instance",
            "Get one instance with its phase and the status, attempts and timing of each provisioning step.",
            schema(id.clone()),
        )
        .with_title("Get an instance")
        .with_annotations(read_only.clone()),
        Tool::new(
            "get_usage",
            "Get an instance's usage this month: spend in US dollars, prompt, completion and total tokens, and requests, from LiteLLM.",
            schema(id),
        )
        .with_title("Get usage")
        .with_annotations(read_only),
    ];
    if writes {
        tools.push(
            Tool::new(
                "request_instance",
                "Request a new service instance, as the onboarding wizard does: platform staff review it before it is provisioned. Secrets are sealed and never returned.",
                // The REST route's request body, from the same OpenAPI document.
                schema(crate::api::openapi::schema_json("Draft").unwrap_or_default()),
            )
            .with_title("Request an instance")
            .with_annotations(
                ToolAnnotations::new()
                    .read_only(false)
                    .destructive(false)
                    .idempotent(false)
                    .open_world(false),
            ),
        );
    }
    tools
}

impl ServerHandler for Tools {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(
                Implementation::new("tenantry", env!("CARGO_PKG_VERSION")).with_title("Tenantry"),
            )
            .with_instructions(
                "Tools for your organization's service instances on this Tenantry portal: list them, read one with its provisioning steps, read its usage this month, and (with a write key) request a new one.",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: McpContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        let caller = self.caller(&context)?;
        let writes = matches!(&caller.principal, Principal::ApiKey(key) if key.key.scopes.writes());
        // The list depends on the key's scopes: no cache may share it across keys.
        Ok(ListToolsResult::with_all_items(tools(writes))
            .with_ttl_ms(0)
            .with_cache_scope(CacheScope::Private))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: McpContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let caller = self.caller(&context)?;
        let arguments = Value::Object(request.arguments.unwrap_or_default());
        match self.call(&caller, &request.name, arguments).await {
            Ok(value) => Ok(CallToolResult::structured(value).into()),
            Err(Call::Refused(error)) => Ok(CallToolResult::structured_error(
                crate::api::error_body(&error, caller.lang),
            )
            .into()),
            Err(Call::Protocol(error)) => Err(error),
        }
    }
}
