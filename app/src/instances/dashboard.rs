//! `/orgs/:slug`: the organization's dashboard. Instances with their phase, in-flight
//! requests with their state (and the staff's note), "Create new instance" for those who
//! may submit. In the browser it listens to `/events?org=<slug>` and reloads its data
//! whenever something changed, so decisions show without a reload.

use super::{
    overview::{InstanceRow, OrgOverview, PackageName, RequestRow, get_org_overview},
    requests::page::status_name,
    status::{InstancePhase, RequestStatus},
    steps::Steps,
};
use crate::{
    components::{
        button::{Size, Variant, button_class},
        format::date_time,
        load::Loaded,
        table::DataTable,
    },
    i18n::{Texts, use_lang, use_texts},
};
use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_params_map, use_query_map},
};

/// The localized name of an instance phase.
pub fn phase_name(phase: InstancePhase, t: &'static Texts) -> &'static str {
    match phase {
        InstancePhase::Pending => t.phase_pending,
        InstancePhase::Provisioning => t.phase_provisioning,
        InstancePhase::Ready => t.phase_ready,
        InstancePhase::Error => t.phase_error,
        InstancePhase::Suspended => t.phase_suspended,
        InstancePhase::Deleting => t.phase_deleting,
        InstancePhase::Deleted => t.phase_deleted,
    }
}

const BADGE_GOOD: &str = "bg-emerald-100 text-emerald-800";
const BADGE_BUSY: &str = "bg-sky-100 text-sky-800";
const BADGE_BAD: &str = "bg-red-100 text-red-800";
const BADGE_QUIET: &str = "bg-slate-100 text-slate-700";

fn phase_badge(phase: InstancePhase) -> &'static str {
    match phase {
        InstancePhase::Ready => BADGE_GOOD,
        InstancePhase::Provisioning => BADGE_BUSY,
        InstancePhase::Error | InstancePhase::Deleting => BADGE_BAD,
        InstancePhase::Pending | InstancePhase::Suspended | InstancePhase::Deleted => BADGE_QUIET,
    }
}

fn status_badge(status: RequestStatus) -> &'static str {
    match status {
        RequestStatus::Active => BADGE_GOOD,
        RequestStatus::Provisioning | RequestStatus::Approved => BADGE_BUSY,
        RequestStatus::Rejected => BADGE_BAD,
        RequestStatus::Pending | RequestStatus::Deleted => BADGE_QUIET,
    }
}

#[component]
pub fn OrgDashboardPage() -> impl IntoView {
    let t = use_texts();
    let params = use_params_map();
    let query = use_query_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    // Bumped by the live stream; reloads the overview.
    let changes = RwSignal::new(0_u32);
    let live = RwSignal::new(false);
    let overview = Resource::new(
        move || (slug(), changes.get()),
        |(slug, _)| get_org_overview(slug),
    );
    listen(Signal::derive(slug), changes, live);
    let submitted = move || query.read().get("submitted").is_some();
    view! {
        {move || {
            submitted()
                .then(|| {
                    view! {
                        <p
                            role="status"
                            data-test="submitted"
                            class="mb-4 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-800"
                        >
                            {move || t.get().request_submitted}
                        </p>
                    }
                })
        }}
        <Loaded resource=overview transition=true let:overview>
            <Overview overview live />
        </Loaded>
    }
}

#[component]
fn Overview(overview: OrgOverview, live: RwSignal<bool>) -> impl IntoView {
    let t = use_texts();
    let slug = overview.slug.clone();
    let create = overview.can_create.then(|| {
        view! {
            <A
                href=format!("/orgs/{slug}/new-instance")
                attr:data-test="create-instance"
                attr:class=button_class(Variant::Primary, Size::Base, "")
            >
                {move || t.get().create_instance}
            </A>
        }
    });
    let nav = |href: String, test: &'static str, text: fn(&'static Texts) -> &'static str| {
        view! {
            <A href=href attr:data-test=test attr:class="text-indigo-700 hover:underline">
                {move || text(t.get())}
            </A>
        }
    };
    view! {
        <div class="flex flex-wrap items-center justify-between gap-4">
            <div>
                <h1 class="text-3xl font-bold tracking-tight" data-test="org-title">
                    {overview.organization}
                </h1>
                <nav class="mt-2 flex gap-4 text-sm">
                    {nav(
                        format!("/orgs/{}/members", overview.slug),
                        "org-members",
                        |t| t.nav_members,
                    )} {nav(format!("/orgs/{}/keys", overview.slug), "org-keys", |t| t.nav_keys)}
                    {nav(format!("/orgs/{}/audit", overview.slug), "org-audit", |t| t.nav_audit)}
                    {nav(
                        format!("/orgs/{}/settings", overview.slug),
                        "org-settings-link",
                        |t| t.nav_settings,
                    )}
                </nav>
            </div>
            <div class="flex items-center gap-4">
                <span
                    data-test="live"
                    data-live=move || live.get().to_string()
                    class="text-xs text-slate-500"
                >
                    {move || if live.get() { t.get().live_on } else { "" }}
                </span>
                {create}
            </div>
        </div>
        <h2 class="mt-8 text-lg font-semibold">{move || t.get().dashboard_instances}</h2>
        <Instances rows=overview.instances />
        <h2 class="mt-8 text-lg font-semibold">{move || t.get().dashboard_requests}</h2>
        <Requests rows=overview.requests />
    }
}

/// A status or phase: `state` is its stored text, `colour` its badge classes.
#[component]
pub fn Badge(
    state: &'static str,
    colour: &'static str,
    label: Signal<&'static str>,
) -> impl IntoView {
    view! {
        <span
            data-test="badge"
            data-state=state
            class=format!("rounded-full px-2 py-0.5 text-xs font-medium {colour}")
        >
            {move || label.get()}
        </span>
    }
}

#[component]
fn Instances(rows: Vec<InstanceRow>) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    if rows.is_empty() {
        return view! {
            <p class="mt-2 text-slate-600" data-test="no-instances">
                {move || t.get().dashboard_no_instances}
            </p>
        }
        .into_any();
    }
    view! {
        <DataTable
            test="instance-table"
            columns=vec![|t| t.col_instance, |t| t.col_name, |t| t.col_phase, |t| t.col_packages]
        >
            {rows
                .into_iter()
                .map(|row| {
                    let phase = row.phase;
                    let label = Signal::derive(move || phase_name(phase, t.get()));
                    let packages = row.packages.clone();
                    let packages = move || PackageName::join(&packages, lang.get());
                    let steps = (!row.steps.is_empty())
                        .then(|| {
                            view! {
                                <tr data-test="instance-steps">
                                    <td colspan="4" class="px-4 pb-3">
                                        <Steps steps=row.steps.clone() />
                                    </td>
                                </tr>
                            }
                        });
                    view! {
                        <tr data-test="instance-row">
                            <td class="px-4 py-3 font-mono text-sm">{row.name}</td>
                            <td class="px-4 py-3 text-sm font-medium">{row.display_name}</td>
                            <td class="px-4 py-3 text-sm" data-test="instance-phase">
                                <Badge state=phase.as_str() colour=phase_badge(phase) label />
                                {row
                                    .cluster_phase
                                    .map(|cluster| {
                                        view! {
                                            <span
                                                class="ml-2 text-xs text-slate-500"
                                                data-test="cluster-phase"
                                            >
                                                {move || (t.get().cluster_phase)(&cluster)}
                                            </span>
                                        }
                                    })}
                            </td>
                            <td class="px-4 py-3 text-sm text-slate-600">{packages}</td>
                        </tr>
                        {steps}
                    }
                })
                .collect_view()}
        </DataTable>
    }
    .into_any()
}

#[component]
fn Requests(rows: Vec<RequestRow>) -> impl IntoView {
    let t = use_texts();
    if rows.is_empty() {
        return view! {
            <p class="mt-2 text-slate-600" data-test="no-requests">
                {move || t.get().dashboard_no_requests}
            </p>
        }
        .into_any();
    }
    view! {
        <DataTable
            test="request-table"
            columns=vec![|t| t.col_requested, |t| t.col_instance, |t| t.col_status, |t| t.col_note]
        >
            {rows
                .into_iter()
                .map(|row| {
                    let status = row.status;
                    let label = Signal::derive(move || status_name(status, t.get()));
                    view! {
                        <tr data-test="request-row" data-id=row.id.clone()>
                            <td class="px-4 py-3 text-sm whitespace-nowrap text-slate-600">
                                {date_time(row.created_at)}
                            </td>
                            <td class="px-4 py-3 text-sm">
                                <span class="font-medium">
                                    {row.instance_label.clone().unwrap_or(row.agent_name.clone())}
                                </span>
                            </td>
                            <td class="px-4 py-3 text-sm" data-test="request-status">
                                <Badge state=status.as_str() colour=status_badge(status) label />
                            </td>
                            <td
                                class="px-4 py-3 text-sm whitespace-pre-line text-slate-700"
                                data-test="request-note"
                            >
                                {row.admin_note}
                            </td>
                        </tr>
                    }
                })
                .collect_view()}
        </DataTable>
    }
    .into_any()
}

/// Subscribes to the organization's live stream in the browser; every change bumps
/// `changes`. `live` tells whether the stream is connected. Nothing happens on the server,
/// nor while `slug` is empty.
pub(crate) fn listen(slug: Signal<String>, changes: RwSignal<u32>, live: RwSignal<bool>) {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if slug.get().is_empty() {
            return;
        }
        use futures_util::{StreamExt, stream};
        use gloo_net::eventsource::futures::EventSource;
        use std::sync::{
            Arc,
            atomic::{AtomicBool, Ordering},
        };
        let url = format!(
            "/events?org={}",
            crate::components::format::encode_component(&slug.get())
        );
        let Ok(mut source) = EventSource::new(&url) else {
            return;
        };
        // The `message` stream reports an error only once the browser has given up. A
        // dropped connection that the browser is re-opening shows as an `error` event only,
        // so that event is listened to as well (its payload is never read).
        let (Ok(messages), Ok(errors)) = (source.subscribe("message"), source.subscribe("error"))
        else {
            return;
        };
        let closed = Arc::new(AtomicBool::new(false));
        let task_closed = Arc::clone(&closed);
        leptos::task::spawn_local(async move {
            let mut events = stream::select(messages.map(Some), errors.map(|_| None));
            while let Some(event) = events.next().await {
                if task_closed.load(Ordering::Relaxed) {
                    break;
                }
                let Some(Ok((_, message))) = event else {
                    live.set(false);
                    continue;
                };
                let data = message.data().as_string().unwrap_or_default();
                if data.contains(r#""kind":"ready""#) {
                    live.set(true);
                }
                // Also on `ready`, the first one included: a change made after the page's
                // data was loaded but before the stream connected (an approval clicked
                // right after hydration, its run failing within milliseconds) is announced
                // to nobody, and a reconnection may have missed changes too.
                changes.update(|n| *n += 1);
            }
        });
        // Closing fires one last `error`, which ends the task above.
        let source = send_wrapper::SendWrapper::new(source);
        on_cleanup(move || {
            closed.store(true, Ordering::Relaxed);
            source.take().close();
        });
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (slug, changes, live);
}
