//! `/platform/requests`: the admin queue for platform staff. Status filter and search are a
//! GET form, paging is links, approve (optional note) and reject (required note) are plain
//! forms per pending or rejected request; the server checks every rule again.

use super::{
    ApproveRequest, DeprovisionInstance, QUEUE_PER_PAGE, QueuePage, QueueRow, ReconcileInstance,
    RejectRequest, RequestDetail, RetryProvisioning, StatusFilter, get_request, list_requests,
};
use crate::{
    components::{
        button::{Button, Size, Variant},
        form::{FormError, Text, latest_error, tracked},
        format::{date_time, encode_component},
        load::Loaded,
        pager::{Pager, page_count},
        table::DataTable,
    },
    i18n::{Texts, use_lang, use_texts},
    instances::{
        overview::{PackageName, StepView},
        status::{InstancePhase, RequestStatus, StepStatus},
        steps::{Steps, step_name},
    },
};
use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_params_map, use_query_map},
};

/// The localized name of a request status.
pub fn status_name(status: RequestStatus, t: &'static Texts) -> &'static str {
    match status {
        RequestStatus::Pending => t.request_status_pending,
        RequestStatus::Approved => t.request_status_approved,
        RequestStatus::Provisioning => t.request_status_provisioning,
        RequestStatus::Active => t.request_status_active,
        RequestStatus::Rejected => t.request_status_rejected,
        RequestStatus::Deleted => t.request_status_deleted,
    }
}

#[component]
pub fn RequestQueuePage() -> impl IntoView {
    let t = use_texts();
    let query = use_query_map();
    let q = move |key: &str| query.read().get(key).unwrap_or_default();
    let approve = ServerAction::<ApproveRequest>::new();
    let reject = ServerAction::<RejectRequest>::new();
    let page = Resource::new(
        move || {
            (
                q("status"),
                q("q"),
                q("page"),
                approve.version().get(),
                reject.version().get(),
            )
        },
        |(status, search, page, _, _)| {
            list_requests(
                (!status.is_empty()).then_some(status),
                Some(search),
                page.parse().ok(),
            )
        },
    );
    view! {
        <h1 class="text-3xl font-bold tracking-tight">{move || t.get().queue_title}</h1>
        <DecisionOutcome approve reject />
        <Loaded resource=page let:page>
            <QueueView page approve reject />
        </Loaded>
    }
}

#[component]
fn QueueView(
    page: QueuePage,
    approve: ServerAction<ApproveRequest>,
    reject: ServerAction<RejectRequest>,
) -> impl IntoView {
    let t = use_texts();
    let total = u64::try_from(page.total).unwrap_or_default();
    let (status, search) = (page.status, page.query.clone());
    let href = {
        let search = search.clone();
        move |n: u32| {
            format!(
                "/platform/requests?status={}&q={}&page={n}",
                encode_component(status.as_str()),
                encode_component(&search)
            )
        }
    };
    let columns: Vec<Text> = vec![
        |t| t.col_requested,
        |t| t.col_organization,
        |t| t.col_contact,
        |t| t.col_status,
        |t| t.col_actions,
    ];
    let empty = page.rows.is_empty();
    let rows = page
        .rows
        .into_iter()
        .map(|row| view! { <QueueRowView row approve reject /> })
        .collect_view();
    // Pending first, then all, then the rest.
    let statuses = [StatusFilter::DEFAULT, StatusFilter::All]
        .into_iter()
        .chain(
            RequestStatus::ALL
                .into_iter()
                .map(StatusFilter::Only)
                .filter(|s| *s != StatusFilter::DEFAULT),
        );
    view! {
        <form
            method="get"
            action="/platform/requests"
            class="mt-4 flex flex-wrap items-end gap-3"
            role="search"
        >
            <div class="space-y-1">
                <label for="queue-status" class="block text-sm font-medium text-slate-700">
                    {move || t.get().queue_status}
                </label>
                <select
                    id="queue-status"
                    name="status"
                    class="rounded-md border border-slate-300 bg-white px-3 py-2"
                >
                    {statuses
                        .into_iter()
                        .map(|s| {
                            let selected = s == status;
                            view! {
                                <option value=s.as_str() selected=selected>
                                    {move || match s {
                                        StatusFilter::All => t.get().queue_all,
                                        StatusFilter::Only(s) => status_name(s, t.get()),
                                    }}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="min-w-64 flex-1 space-y-1">
                <label for="queue-q" class="block text-sm font-medium text-slate-700">
                    {move || t.get().queue_search}
                </label>
                <input
                    id="queue-q"
                    name="q"
                    type="search"
                    value=search
                    class="w-full rounded-md border border-slate-300 bg-white px-3 py-2"
                />
            </div>
            <Button>{move || t.get().search}</Button>
        </form>
        <p class="mt-4 text-sm text-slate-600" data-test="queue-total">
            {move || (t.get().queue_lead)(total)}
        </p>
        {if empty {
            view! { <p class="mt-4 text-slate-600">{move || t.get().queue_empty}</p> }.into_any()
        } else {
            view! {
                <DataTable test="queue-table" columns>
                    {rows}
                </DataTable>
                <Pager current=page.page pages=page_count(page.total, QUEUE_PER_PAGE) href />
            }
                .into_any()
        }}
    }
}

#[component]
fn QueueRowView(
    row: QueueRow,
    approve: ServerAction<ApproveRequest>,
    reject: ServerAction<RejectRequest>,
) -> impl IntoView {
    let t = use_texts();
    let status = row.status;
    let label = row.instance_label.clone();
    view! {
        <tr data-test="queue-row">
            <td class="px-4 py-3 text-sm whitespace-nowrap text-slate-600">
                {date_time(row.created_at)}
            </td>
            <td class="px-4 py-3 text-sm">
                <A
                    href=format!("/platform/requests/{}", row.id)
                    attr:class="font-medium text-indigo-700 hover:underline"
                    attr:data-test="open-request"
                >
                    {row.organization}
                </A>
                {label.map(|l| view! { <span class="block text-xs text-slate-500">{l}</span> })}
            </td>
            <td class="px-4 py-3 text-sm">
                {row.contact_name}
                <span class="block text-xs text-slate-500">{row.contact_email}</span>
            </td>
            <td class="px-4 py-3 text-sm" data-test="queue-status">
                {move || status_name(status, t.get())}
            </td>
            <td class="px-4 py-3">
                <DecisionForms id=row.id status=row.status approve reject />
            </td>
        </tr>
    }
}

/// Approve (optional note) for pending and rejected requests, reject (required note) for
/// pending ones; nothing for the rest.
#[component]
fn DecisionForms(
    id: String,
    status: RequestStatus,
    approve: ServerAction<ApproveRequest>,
    reject: ServerAction<RejectRequest>,
) -> impl IntoView {
    let t = use_texts();
    let decidable = status.may_approve();
    let rejectable = status.may_reject();
    decidable.then(|| {
        let id2 = id.clone();
        view! {
            <div class="flex flex-col gap-2">
                <ActionForm action=approve attr:class="flex gap-2">
                    <input type="hidden" name="id" value=id />
                    <input
                        name="note"
                        aria-label=move || t.get().note_optional
                        placeholder=move || t.get().note_optional
                        class="w-48 rounded-md border border-slate-300 px-2 py-1 text-sm"
                    />
                    <Button variant=Variant::Success size=Size::Md attr:data-test="approve">
                        {move || t.get().approve}
                    </Button>
                </ActionForm>
                {rejectable
                    .then(|| {
                        view! {
                            <ActionForm action=reject attr:class="flex gap-2">
                                <input type="hidden" name="id" value=id2 />
                                <input
                                    name="note"
                                    required=true
                                    aria-label=move || t.get().note_required
                                    placeholder=move || t.get().note_required
                                    class="w-48 rounded-md border border-slate-300 px-2 py-1 text-sm"
                                />
                                <Button
                                    variant=Variant::Danger
                                    size=Size::Md
                                    attr:data-test="reject"
                                >
                                    {move || t.get().reject}
                                </Button>
                            </ActionForm>
                        }
                    })}
            </div>
        }
    })
}

/// The result banners of the decision forms: the error, or the new instance's name.
#[component]
fn DecisionOutcome(
    approve: ServerAction<ApproveRequest>,
    reject: ServerAction<RejectRequest>,
) -> impl IntoView {
    let t = use_texts();
    let error = latest_error(vec![tracked(approve), tracked(reject)]);
    let approved = Signal::derive(move || approve.value().get().and_then(Result::ok));
    view! {
        <div class="mt-4 space-y-2">
            <FormError error />
            {move || {
                approved
                    .get()
                    .map(|name| {
                        view! {
                            <p
                                role="status"
                                data-test="approved"
                                class="rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-800"
                            >
                                {(t.get().approved_as)(&name)}
                            </p>
                        }
                    })
            }}
        </div>
    }
}

/// `/platform/requests/:id`: one request, everything but the secret values.
#[component]
pub fn RequestDetailPage() -> impl IntoView {
    let t = use_texts();
    let params = use_params_map();
    let approve = ServerAction::<ApproveRequest>::new();
    let reject = ServerAction::<RejectRequest>::new();
    let actions = StepActions {
        retry: ServerAction::<RetryProvisioning>::new(),
        reconcile: ServerAction::<ReconcileInstance>::new(),
        deprovision: ServerAction::<DeprovisionInstance>::new(),
    };
    // Bumped by the organization's live stream, so the steps move without a reload.
    let changes = RwSignal::new(0_u32);
    let live = RwSignal::new(false);
    let detail = Resource::new(
        move || {
            (
                params.read().get("id").unwrap_or_default(),
                approve.version().get()
                    + reject.version().get()
                    + actions.retry.version().get()
                    + actions.reconcile.version().get()
                    + actions.deprovision.version().get(),
                changes.get(),
            )
        },
        |(id, _, _)| get_request(id),
    );
    let slug = Memo::new(move |_| {
        detail
            .get()
            .and_then(Result::ok)
            .map(|d| d.org_slug)
            .unwrap_or_default()
    });
    crate::instances::dashboard::listen(slug.into(), changes, live);
    view! {
        <A href="/platform/requests" attr:class="text-sm text-indigo-700 hover:underline">
            {move || t.get().queue_back}
        </A>
        <DecisionOutcome approve reject />
        <Loaded resource=detail transition=true let:detail>
            <DetailView detail approve reject actions />
        </Loaded>
    }
}

/// The staff's actions on a provisioned instance.
#[derive(Clone, Copy)]
struct StepActions {
    retry: ServerAction<RetryProvisioning>,
    reconcile: ServerAction<ReconcileInstance>,
    deprovision: ServerAction<DeprovisionInstance>,
}

/// The instance's provisioning steps with the staff's buttons: retry every failed step or
/// one of them, reconcile, deprovision. An instance on its way out is neither reconciled
/// nor deprovisioned again; a deleted one has no actions.
#[component]
fn Provisioning(
    instance_id: String,
    phase: Option<InstancePhase>,
    steps: Vec<StepView>,
    actions: StepActions,
) -> impl IntoView {
    let t = use_texts();
    let failed: Vec<String> = steps
        .iter()
        .filter(|s| s.status == StepStatus::Error)
        .map(|s| s.step.clone())
        .collect();
    let leaving = matches!(
        phase,
        Some(InstancePhase::Deleting | InstancePhase::Deleted)
    );
    let deleted = phase == Some(InstancePhase::Deleted);
    let retry_one = (failed.len() > 1).then(|| {
        failed
            .clone()
            .into_iter()
            .map(|step| {
                let (id, key) = (instance_id.clone(), step.clone());
                view! {
                    <ActionForm action=actions.retry>
                        <input type="hidden" name="instance_id" value=id />
                        <input type="hidden" name="step" value=step />
                        <Button
                            variant=Variant::Secondary
                            size=Size::Md
                            attr:data-test="retry-step"
                        >
                            {move || (t.get().retry_step)(&step_name(&key, t.get()))}
                        </Button>
                    </ActionForm>
                }
            })
            .collect_view()
    });
    let retry_all = (!failed.is_empty()).then(|| {
        let id = instance_id.clone();
        view! {
            <ActionForm action=actions.retry>
                <input type="hidden" name="instance_id" value=id />
                <Button size=Size::Md attr:data-test="retry-steps">
                    {move || t.get().retry_failed_steps}
                </Button>
            </ActionForm>
        }
    });
    let reconcile = (!leaving).then(|| {
        let (id, id2) = (instance_id.clone(), instance_id.clone());
        view! {
            <ActionForm action=actions.reconcile>
                <input type="hidden" name="instance_id" value=id />
                <Button variant=Variant::Secondary size=Size::Md attr:data-test="reconcile">
                    {move || t.get().reconcile}
                </Button>
            </ActionForm>
            <ActionForm action=actions.deprovision>
                <input type="hidden" name="instance_id" value=id2 />
                <Button variant=Variant::Danger size=Size::Md attr:data-test="deprovision">
                    {move || t.get().deprovision}
                </Button>
            </ActionForm>
        }
    });
    let error = latest_error(vec![
        tracked(actions.retry),
        tracked(actions.reconcile),
        tracked(actions.deprovision),
    ]);
    view! {
        <section class="mt-6 rounded-xl border border-slate-200 bg-white px-6 py-4 shadow-sm">
            <FormError error />
            <Steps steps />
            {(!deleted)
                .then(|| {
                    view! {
                        <p class="mt-4 text-xs font-medium tracking-wide text-slate-500 uppercase">
                            {move || t.get().staff_actions}
                        </p>
                        <div class="mt-2 flex flex-wrap gap-3">
                            {retry_all} {retry_one} {reconcile}
                        </div>
                    }
                })}
        </section>
    }
}

#[component]
fn DetailView(
    detail: RequestDetail,
    approve: ServerAction<ApproveRequest>,
    reject: ServerAction<RejectRequest>,
    actions: StepActions,
) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let status = detail.status;
    let row = |label: Text, value: String| {
        view! {
            <div class="grid grid-cols-3 gap-2 py-2">
                <dt class="text-sm text-slate-500">{move || label(t.get())}</dt>
                <dd class="col-span-2 text-sm break-words whitespace-pre-line">{value}</dd>
            </div>
        }
    };
    let packages = detail.packages.clone();
    let package_names = move || PackageName::join(&packages, lang.get());
    let secrets = detail
        .secrets
        .iter()
        .map(|s| format!("{} · {}", s.package, s.field))
        .collect::<Vec<_>>()
        .join("\n");
    let billing = [
        detail.billing_company.clone().unwrap_or_default(),
        detail.billing_street.clone(),
        format!("{} {}", detail.billing_postal_code, detail.billing_city),
        detail.billing_country.clone(),
    ]
    .into_iter()
    .filter(|l| !l.trim().is_empty())
    .collect::<Vec<_>>()
    .join("\n");
    let decided = detail.decided_at.map(|at| {
        format!(
            "{} · {}",
            date_time(at),
            detail.decided_by.clone().unwrap_or_default()
        )
    });
    view! {
        <h1 class="mt-2 text-3xl font-bold tracking-tight" data-test="request-title">
            {detail.organization.clone()}
        </h1>
        <p class="mt-1 text-sm text-slate-600" data-test="request-status">
            {move || status_name(status, t.get())}
            {detail.instance_name.clone().map(|n| format!(" · {n}"))}
        </p>
        <div class="mt-4">
            <DecisionForms id=detail.id.clone() status=detail.status approve reject />
        </div>
        {detail
            .instance_id
            .clone()
            .map(|instance_id| {
                view! {
                    <Provisioning
                        instance_id
                        phase=detail.instance_phase
                        steps=detail.steps.clone()
                        actions
                    />
                }
            })}
        <dl class="mt-6 divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white px-6 py-2 shadow-sm">
            {row(|t| t.col_requested, date_time(detail.created_at))}
            {row(|t| t.wizard_instance_label, detail.instance_label.clone().unwrap_or_default())}
            {row(|t| t.wizard_agent_name, detail.agent_name.clone())}
            <div class="grid grid-cols-3 gap-2 py-2">
                <dt class="text-sm text-slate-500">{move || t.get().wizard_step_packages}</dt>
                <dd class="col-span-2 text-sm" data-test="request-packages">
                    {package_names}
                </dd>
            </div> <div class="grid grid-cols-3 gap-2 py-2">
                <dt class="text-sm text-slate-500">{move || t.get().request_secrets_stored}</dt>
                <dd class="col-span-2 text-sm whitespace-pre-line" data-test="request-secrets">
                    {secrets}
                </dd>
            </div> {row(|t| t.wizard_step_billing, billing)}
            {row(|t| t.wizard_billing_notes, detail.billing_notes.clone().unwrap_or_default())}
            {row(
                |t| t.wizard_contact,
                format!("{} <{}>", detail.contact_name, detail.contact_email),
            )} {row(|t| t.col_note, detail.admin_note.clone().unwrap_or_default())}
            {row(|t| t.request_decided, decided.unwrap_or_default())}
        </dl>
        <h2 class="mt-6 text-lg font-semibold">SOUL.md</h2>
        <pre class="mt-2 overflow-x-auto rounded-md bg-slate-900 p-4 text-sm whitespace-pre-wrap text-slate-100">
            {detail.soul_md.clone()}
        </pre>
        <h2 class="mt-6 text-lg font-semibold">AGENTS.md</h2>
        <pre class="mt-2 overflow-x-auto rounded-md bg-slate-900 p-4 text-sm whitespace-pre-wrap text-slate-100">
            {detail.agents_md.clone()}
        </pre>
    }
}
