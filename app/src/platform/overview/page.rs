//! `/platform`: instances by phase, the requests waiting, and the integrations' health.
//! In the browser the figures are fetched again every few seconds; the health itself comes
//! from the portal's background check, so a refresh never waits for an upstream.

use super::{Integration, Overview, get_overview};
use crate::{
    components::{format::date_time, load::Loaded, table::DataTable},
    i18n::use_texts,
    instances::{dashboard::phase_name, status::InstancePhase},
};
use leptos::prelude::*;
use leptos_router::components::A;

/// How often an open overview fetches the figures again.
const REFRESH_MS: u64 = 3_000;

#[component]
pub fn PlatformOverviewPage() -> impl IntoView {
    let t = use_texts();
    let tick = RwSignal::new(0_u32);
    // Effects run only in the browser: the server renders once.
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || tick.update(|n| *n = n.wrapping_add(1)),
            std::time::Duration::from_millis(REFRESH_MS),
        );
        if let Ok(handle) = handle {
            on_cleanup(move || handle.clear());
        }
    });
    let overview = Resource::new(move || tick.get(), |_| get_overview());
    view! {
        <h1 class="text-3xl font-bold tracking-tight">{move || t.get().platform_overview_title}</h1>
        <Loaded resource=overview transition=true let:overview>
            <Figures overview=overview.clone() />
            <Integrations rows=overview.integrations />
        </Loaded>
    }
}

#[component]
fn Figures(overview: Overview) -> impl IntoView {
    let t = use_texts();
    let pending = overview.pending_requests;
    let none = overview.phases.is_empty().then(|| {
        view! {
            <p class="mt-2 text-slate-600" data-test="no-instances">
                {move || t.get().dashboard_no_instances}
            </p>
        }
    });
    let phases = overview
        .phases
        .into_iter()
        .map(|(phase, count)| {
            let label = move || match InstancePhase::parse(&phase) {
                Some(p) => phase_name(p, t.get()).to_owned(),
                None => phase.clone(),
            };
            view! {
                <li
                    class="rounded-lg border border-slate-200 bg-white px-4 py-3"
                    data-test="phase-count"
                >
                    <span class="block text-2xl font-semibold">{count}</span>
                    <span class="text-sm text-slate-600">{label}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="mt-6">
            <h2 class="text-lg font-semibold">{move || t.get().platform_instances_by_phase}</h2>
            <ul class="mt-3 flex flex-wrap gap-3">{phases}</ul>
            {none}
            <p class="mt-4 text-slate-700" data-test="pending-requests">
                <A
                    href="/platform/requests"
                    attr:class="font-medium text-indigo-700 hover:underline"
                >
                    {move || (t
                        .get()
                        .platform_pending_requests)(u64::try_from(pending).unwrap_or_default())}
                </A>
            </p>
        </section>
    }
}

#[component]
fn Integrations(rows: Vec<Integration>) -> impl IntoView {
    let t = use_texts();
    let body = if rows.is_empty() {
        view! {
            <p class="mt-2 text-slate-600" data-test="no-integrations">
                {move || t.get().integrations_none}
            </p>
        }
        .into_any()
    } else {
        view! {
            <DataTable
                test="integration-table"
                columns=vec![
                    |t| t.col_integration,
                    |t| t.col_status,
                    |t| t.col_latency,
                    |t| t.col_last_check,
                    |t| t.col_problem,
                ]
            >
                {rows.into_iter().map(|row| view! { <IntegrationRow row /> }).collect_view()}
            </DataTable>
        }
        .into_any()
    };
    view! {
        <section class="mt-8">
            <h2 class="text-lg font-semibold">{move || t.get().platform_integrations}</h2>
            {body}
        </section>
    }
}

#[component]
fn IntegrationRow(row: Integration) -> impl IntoView {
    let t = use_texts();
    let (state, colour) = match (row.checked_at, row.healthy) {
        (None, _) => ("unchecked", "bg-slate-100 text-slate-700"),
        (Some(_), true) => ("ok", "bg-emerald-100 text-emerald-800"),
        (Some(_), false) => ("error", "bg-red-100 text-red-800"),
    };
    let label = move || match state {
        "unchecked" => t.get().integration_unchecked,
        "ok" => t.get().integration_ok,
        _ => t.get().integration_error,
    };
    let latency = row.latency_ms.map(|ms| format!("{ms} ms"));
    let checked = row.checked_at.map(date_time);
    let driver = row.driver.clone();
    view! {
        <tr data-test="integration-row" data-driver=driver>
            <td class="px-4 py-3 font-medium">{row.driver}</td>
            <td class="px-4 py-3 text-sm">
                <span
                    data-test="integration-status"
                    data-state=state
                    class=format!("rounded-full px-2 py-0.5 text-xs font-medium {colour}")
                >
                    {label}
                </span>
            </td>
            <td class="px-4 py-3 text-sm text-slate-600" data-test="integration-latency">
                {latency}
            </td>
            <td class="px-4 py-3 text-sm text-slate-600">{checked}</td>
            <td class="px-4 py-3 text-sm text-red-700" data-test="integration-problem">
                {row.problem}
            </td>
        </tr>
    }
}
