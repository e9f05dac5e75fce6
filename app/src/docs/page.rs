//! The API reference page: how to authenticate, every operation with its parameters, body
//! and answers, and every schema, with a link to the OpenAPI document itself.

use super::{FieldDoc, OperationDoc, Reference, SchemaDoc, api_reference};
use crate::{
    components::{form::Text, load::Loaded},
    i18n::{Texts, use_texts},
};
use leptos::prelude::*;

/// The tags in the order the page shows them, with their headings.
const TAGS: [(&str, Text); 4] = [
    ("organization", |t| t.docs_tag_organization),
    ("instances", |t| t.docs_tag_instances),
    ("requests", |t| t.docs_tag_requests),
    ("audit", |t| t.docs_tag_audit),
];

#[component]
pub fn ApiDocsPage() -> impl IntoView {
    let t = use_texts();
    let reference = Resource::new(|| (), |_| api_reference());
    view! {
        <h1 class="text-3xl font-bold tracking-tight">{move || t.get().docs_title}</h1>
        <Loaded resource=reference let:reference>
            <ReferenceView reference />
        </Loaded>
    }
}

#[component]
fn ReferenceView(reference: Reference) -> impl IntoView {
    let t = use_texts();
    let base = format!("{}/api/v1", reference.base_url);
    let example =
        format!("curl -sS -H \"Authorization: Bearer $TENANTRY_API_KEY\" {base}/organization");
    let sections = TAGS
        .into_iter()
        .map(|(tag, heading)| {
            let operations = reference
                .operations
                .iter()
                .filter(|operation| operation.tag == tag)
                .cloned()
                .map(|operation| view! { <Operation operation /> })
                .collect_view();
            view! {
                <section class="mt-10" data-test=format!("docs-tag-{tag}")>
                    <h2 class="text-xl font-semibold">{move || heading(t.get())}</h2>
                    {operations}
                </section>
            }
        })
        .collect_view();
    let schemas = reference
        .schemas
        .into_iter()
        .map(|schema| view! { <Schema schema /> })
        .collect_view();
    view! {
        <p class="mt-2 max-w-3xl text-slate-600">{move || t.get().docs_lead}</p>
        <div class="mt-6 max-w-3xl space-y-3 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
            <p class="text-sm">
                <span class="font-medium">{move || t.get().docs_base_url}</span>
                " "
                <code class="font-mono" data-test="docs-base-url">
                    {base}
                </code>
            </p>
            <p class="text-sm">{move || t.get().docs_auth}</p>
            <pre class="overflow-x-auto rounded bg-slate-900 p-3 text-xs text-slate-100">
                {example}
            </pre>
            <p class="text-sm">{move || t.get().docs_errors}</p>
            <p class="text-sm">
                // External to the router: the browser loads the JSON itself.
                <a
                    href="/api/v1/openapi.json"
                    rel="external"
                    class="text-indigo-700 hover:underline"
                    data-test="docs-openapi-link"
                >
                    {move || t.get().docs_document}
                </a>
                " · OpenAPI 3.1 · "
                {reference.version}
            </p>
        </div>
        {sections}
        <section class="mt-12">
            <h2 class="text-xl font-semibold">{move || t.get().docs_schemas}</h2>
            <p class="mt-1 text-sm text-slate-500">{move || t.get().docs_schemas_note}</p>
            {schemas}
        </section>
    }
}

/// The localized sentence of an operation, by its id.
fn operation_text(t: &'static Texts, id: &str) -> Option<&'static str> {
    Some(match id {
        "get_organization" => t.docs_op_get_organization,
        "list_instances" => t.docs_op_list_instances,
        "get_instance" => t.docs_op_get_instance,
        "get_usage" => t.docs_op_get_usage,
        "create_instance_request" => t.docs_op_create_instance_request,
        "list_audit_events" => t.docs_op_list_audit_events,
        _ => return None,
    })
}

/// What an answer's status means, in the reader's language.
fn status_text(t: &'static Texts, status: &str) -> &'static str {
    match status {
        "200" => t.docs_status_200,
        "201" => t.docs_status_201,
        "400" => t.docs_status_400,
        "401" => t.docs_status_401,
        "403" => t.docs_status_403,
        "404" => t.docs_status_404,
        "409" => t.docs_status_409,
        "413" => t.docs_status_413,
        "422" => t.docs_status_422,
        "429" => t.docs_status_429,
        "502" => t.docs_status_502,
        "503" => t.docs_status_503,
        _ => "",
    }
}

fn method_class(method: &str) -> &'static str {
    match method {
        "GET" => "bg-emerald-100 text-emerald-800",
        "POST" => "bg-indigo-100 text-indigo-800",
        _ => "bg-amber-100 text-amber-800",
    }
}

#[component]
fn Operation(operation: OperationDoc) -> impl IntoView {
    let t = use_texts();
    let id = operation.id.clone();
    let summary = operation.summary.clone();
    let text = move || operation_text(t.get(), &id).map_or(summary.clone(), str::to_owned);
    let params = (!operation.params.is_empty()).then(|| {
        let params = operation.params.clone();
        view! {
            <h4 class="mt-4 text-xs font-semibold tracking-wide text-slate-500 uppercase">
                {move || t.get().docs_parameters}
            </h4>
            <Fields fields=params />
        }
    });
    let body = operation.body.clone().map(|ty| {
        view! {
            <h4 class="mt-4 text-xs font-semibold tracking-wide text-slate-500 uppercase">
                {move || t.get().docs_request_body}
            </h4>
            <p class="mt-1 text-sm">"application/json: " <TypeLink ty /></p>
        }
    });
    let responses = operation
        .responses
        .iter()
        .cloned()
        .map(|response| {
            let status = response.status.clone();
            view! {
                <li class="flex flex-wrap gap-x-3 text-sm">
                    <span class="w-10 font-mono font-semibold">{response.status.clone()}</span>
                    <span class="text-slate-600">{move || status_text(t.get(), &status)}</span>
                    {response.ty.map(|ty| view! { <TypeLink ty /> })}
                </li>
            }
        })
        .collect_view();
    view! {
        <article
            class="mt-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm"
            id=format!("op-{}", operation.id)
            data-test=format!("docs-op-{}", operation.id)
        >
            <p class="flex flex-wrap items-center gap-3">
                <span class=format!(
                    "rounded px-2 py-0.5 font-mono text-xs font-bold {}",
                    method_class(&operation.method),
                )>{operation.method.clone()}</span>
                <code class="font-mono text-sm break-all">{operation.path.clone()}</code>
                <span class="font-mono text-xs text-slate-400">{operation.id.clone()}</span>
            </p>
            <p class="mt-2 text-slate-700">{text}</p>
            {params}
            {body}
            <h4 class="mt-4 text-xs font-semibold tracking-wide text-slate-500 uppercase">
                {move || t.get().docs_responses}
            </h4>
            <ul class="mt-1 space-y-1">{responses}</ul>
        </article>
    }
}

/// A type, linked to its schema when it names one.
#[component]
fn TypeLink(ty: String) -> impl IntoView {
    let named = ty.chars().next().is_some_and(char::is_uppercase)
        && ty.chars().all(|c| c.is_alphanumeric() || c == '_');
    if named {
        view! {
            <a href=format!("#schema-{ty}") class="font-mono text-indigo-700 hover:underline">
                {ty.clone()}
            </a>
        }
        .into_any()
    } else {
        view! { <code class="font-mono">{ty}</code> }.into_any()
    }
}

#[component]
fn Fields(fields: Vec<FieldDoc>) -> impl IntoView {
    let t = use_texts();
    let rows = fields
        .into_iter()
        .map(|field| {
            let location = (!field.location.is_empty()).then(|| {
                view! { <span class="ml-1 text-xs text-slate-400">"(" {field.location} ")"</span> }
            });
            let required = field.required;
            view! {
                <tr>
                    <td class="py-1 pr-4 align-top font-mono">{field.name} {location}</td>
                    <td class="py-1 pr-4 align-top font-mono text-slate-600">{field.ty}</td>
                    <td class="py-1 pr-4 align-top text-slate-600">
                        {move || {
                            if required { t.get().docs_required } else { t.get().docs_optional }
                        }}
                    </td>
                    <td class="py-1 align-top text-slate-600">{field.description}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="overflow-x-auto">
            <table class="mt-1 min-w-full text-left text-sm">
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
fn Schema(schema: SchemaDoc) -> impl IntoView {
    let t = use_texts();
    let fields = (!schema.fields.is_empty()).then(|| view! { <Fields fields=schema.fields /> });
    let values = (!schema.values.is_empty()).then(|| {
        view! {
            <p class="mt-1 text-sm">
                <span class="text-slate-500">{move || t.get().docs_values}</span>
                " "
                <code class="font-mono">{schema.values.join(" | ")}</code>
            </p>
        }
    });
    let variants = (!schema.variants.is_empty()).then(|| {
        let variants = schema
            .variants
            .into_iter()
            .map(|variant| view! { <li class="font-mono">{variant}</li> })
            .collect_view();
        view! {
            <p class="mt-1 text-sm text-slate-500">{move || t.get().docs_one_of}</p>
            <ul class="mt-1 space-y-1 text-sm">{variants}</ul>
        }
    });
    view! {
        <article
            class="mt-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm"
            id=format!("schema-{}", schema.name)
            data-test=format!("docs-schema-{}", schema.name)
        >
            <h3 class="font-mono font-semibold">{schema.name.clone()}</h3>
            <p class="mt-1 text-sm text-slate-600">{schema.description}</p>
            {fields}
            {values}
            {variants}
        </article>
    }
}
