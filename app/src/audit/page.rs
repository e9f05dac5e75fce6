//! `/orgs/:slug/audit` (owners and admins) and `/platform/audit` (platform staff): the log
//! with filters in a GET form, paging links and a CSV export of the same filter.

use super::{AuditPage, AuditRow, PER_PAGE, list_audit_events};
use crate::{
    components::{
        button::Button,
        form::{FormError, Text, field_message},
        format::{date_time, encode_component},
        load::{Loaded, load_error},
        pager::{Pager, page_count},
        table::DataTable,
    },
    error::AppError,
    i18n::{use_lang, use_texts},
};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn AuditLogPage() -> impl IntoView {
    let t = use_texts();
    let params = use_params_map();
    let query = use_query_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let q = move |key: &str| query.read().get(key).unwrap_or_default();
    let events = Resource::new(
        move || {
            (
                slug(),
                q("actor"),
                q("action"),
                q("from"),
                q("to"),
                q("page"),
            )
        },
        |(slug, actor, action, from, to, page)| {
            list_audit_events(
                Some(slug),
                Some(actor),
                Some(action),
                Some(from),
                Some(to),
                page.parse().ok(),
            )
        },
    );
    // A filter the server refused: the form again, with its messages.
    let refused = Callback::new(move |err: AppError| {
        if !matches!(err, AppError::Invalid { .. }) {
            return load_error(err);
        }
        let error = Signal::derive(move || Some(err.clone()));
        view! {
            <div class="mt-4">
                <FormError error />
            </div>
            <Filters
                actor=q("actor")
                action=q("action")
                from=q("from")
                to=q("to")
                actions=vec![]
                error
            />
        }
        .into_any()
    });
    view! {
        <h1 class="text-3xl font-bold tracking-tight">{move || t.get().audit_title}</h1>
        <Loaded resource=events error=refused let:page>
            <AuditView page />
        </Loaded>
    }
}

#[component]
fn AuditView(page: AuditPage) -> impl IntoView {
    let t = use_texts();
    let filter = page.filter.clone();
    let base = if filter.org.is_empty() {
        "/platform/audit".to_owned()
    } else {
        format!("/orgs/{}/audit", filter.org)
    };
    let query = filter.query_string();
    let export = if filter.org.is_empty() {
        format!("/audit/export.csv?{query}")
    } else {
        format!(
            "/audit/export.csv?org={}&{query}",
            encode_component(&filter.org)
        )
    };
    let href = {
        let (base, query) = (base.clone(), query.clone());
        move |n: u32| format!("{base}?{query}&page={n}")
    };
    let total = u64::try_from(page.total).unwrap_or_default();
    let lead = {
        let org = page.org_name.clone();
        move || match &org {
            Some(org) => (t.get().audit_lead_org)(org),
            None => (t.get().audit_lead_all)(total),
        }
    };
    let columns: Vec<Text> = vec![
        |t| t.col_time,
        |t| t.col_actor,
        |t| t.audit_action,
        |t| t.col_organization,
        |t| t.col_target,
        |t| t.col_address,
        |t| t.col_outcome,
    ];
    let empty = page.rows.is_empty();
    let rows = page
        .rows
        .into_iter()
        .map(|row| view! { <EventRow row /> })
        .collect_view();
    view! {
        <p class="mt-1 text-slate-600">{lead}</p>
        <Filters
            actor=filter.actor.clone()
            action=filter.action.clone()
            from=filter.from.clone()
            to=filter.to.clone()
            actions=page.actions
            error=Signal::derive(|| None)
        />
        <div class="mt-4 flex items-center justify-between text-sm">
            <span class="text-slate-600" data-test="audit-total">
                {move || (t.get().audit_total)(total)}
            </span>
            <a
                href=export
                rel="external"
                download=""
                data-test="audit-export"
                class="font-medium text-indigo-700 hover:underline"
            >
                {move || t.get().audit_export}
            </a>
        </div>
        {if empty {
            view! { <p class="mt-4 text-slate-600">{move || t.get().audit_empty}</p> }.into_any()
        } else {
            view! {
                <DataTable test="audit-table" columns>
                    {rows}
                </DataTable>
                <Pager current=page.page pages=page_count(page.total, PER_PAGE) href />
            }
                .into_any()
        }}
    }
}

/// The filter form: a GET form, so the filter lives in the address and works without script.
#[component]
fn Filters(
    actor: String,
    action: String,
    from: String,
    to: String,
    actions: Vec<String>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let field_error = move |name: &'static str| {
        move || {
            error
                .get()
                .and_then(|e| field_message(&e, name, lang.get()))
                .map(|m| view! { <p class="text-xs text-red-700">{m}</p> })
        }
    };
    let selected = action.clone();
    let input = "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm";
    view! {
        <form
            method="get"
            class="mt-4 grid gap-3 sm:grid-cols-[2fr_1.5fr_1fr_1fr_auto] sm:items-end"
            data-test="audit-filter"
        >
            <div class="space-y-1">
                <label for="audit-actor" class="block text-sm font-medium text-slate-700">
                    {move || t.get().audit_actor}
                </label>
                <input id="audit-actor" name="actor" type="search" value=actor class=input />
            </div>
            <div class="space-y-1">
                <label for="audit-action" class="block text-sm font-medium text-slate-700">
                    {move || t.get().audit_action}
                </label>
                <select id="audit-action" name="action" class=input>
                    <option value="">{move || t.get().audit_any_action}</option>
                    {actions
                        .into_iter()
                        .map(|a| {
                            let is = a == selected;
                            view! {
                                <option value=a.clone() selected=is>
                                    {a.clone()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="space-y-1">
                <label for="audit-from" class="block text-sm font-medium text-slate-700">
                    {move || t.get().audit_from}
                </label>
                <input id="audit-from" name="from" type="date" value=from class=input />
                {field_error("from")}
            </div>
            <div class="space-y-1">
                <label for="audit-to" class="block text-sm font-medium text-slate-700">
                    {move || t.get().audit_to}
                </label>
                <input id="audit-to" name="to" type="date" value=to class=input />
                {field_error("to")}
            </div>
            <Button>{move || t.get().audit_filter}</Button>
        </form>
    }
}

#[component]
fn EventRow(row: AuditRow) -> impl IntoView {
    let t = use_texts();
    let outcome = row.outcome.clone();
    let outcome_class = match outcome.as_str() {
        "success" => "text-emerald-700",
        "denied" => "text-amber-700",
        _ => "text-red-700",
    };
    let actor = match (row.actor_name, row.actor_email) {
        (Some(name), Some(email)) => Some(format!("{name} <{email}>")),
        (name, email) => name.or(email),
    };
    view! {
        <tr data-test="audit-row">
            <td class="px-4 py-2 text-sm whitespace-nowrap text-slate-600">{date_time(row.at)}</td>
            <td class="px-4 py-2 text-sm">
                {move || actor.clone().unwrap_or_else(|| t.get().system.to_owned())}
            </td>
            <td class="px-4 py-2 font-mono text-sm" data-test="audit-action">
                {row.action}
            </td>
            <td class="px-4 py-2 text-sm">{row.organization.unwrap_or_default()}</td>
            <td class="px-4 py-2 text-sm text-slate-600">
                {row.target.unwrap_or_default()}
                {row
                    .detail
                    .map(|d| {
                        view! { <span class="ml-1 text-xs text-slate-500">"(" {d} ")"</span> }
                    })}
            </td>
            <td class="px-4 py-2 text-sm text-slate-600">{row.client_addr.unwrap_or_default()}</td>
            <td class=format!(
                "px-4 py-2 text-sm {outcome_class}",
            )>
                {move || match outcome.as_str() {
                    "success" => t.get().outcome_success,
                    "denied" => t.get().outcome_denied,
                    _ => t.get().outcome_failure,
                }}
            </td>
        </tr>
    }
}
