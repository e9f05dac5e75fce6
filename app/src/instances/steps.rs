//! An instance's provisioning steps as the dashboard and the staff's request page list them:
//! name, status, attempts, and for a failed step the error (staff) or a general sentence
//! (customers, whose page never names internal hosts).

use super::{dashboard::Badge, overview::StepView, status::StepStatus};
use crate::i18n::{Texts, use_texts};
use leptos::prelude::*;

/// The localized name of a step (its key for one this version does not know).
pub fn step_name(key: &str, t: &'static Texts) -> String {
    match key {
        "webhook.approved" => t.step_webhook_approved.to_owned(),
        "litellm.team" => t.step_litellm_team.to_owned(),
        "litellm.key" => t.step_litellm_key.to_owned(),
        "webhook.provisioned" => t.step_webhook_provisioned.to_owned(),
        "litellm.key.remove" => t.step_litellm_key_remove.to_owned(),
        "litellm.team.remove" => t.step_litellm_team_remove.to_owned(),
        "webhook.deprovisioned" => t.step_webhook_deprovisioned.to_owned(),
        "gitea.org" => t.step_gitea_org.to_owned(),
        "gitea.owners" => t.step_gitea_owners.to_owned(),
        "coolify.project" => t.step_coolify_project.to_owned(),
        "coolify.service" => t.step_coolify_service.to_owned(),
        "openbao.secrets" => t.step_openbao_secrets.to_owned(),
        "authentik.group" => t.step_authentik_group.to_owned(),
        "authentik.members" => t.step_authentik_members.to_owned(),
        "kubernetes.resource" => t.step_kubernetes_resource.to_owned(),
        "kubernetes.resource.remove" => t.step_kubernetes_resource_remove.to_owned(),
        "authentik.group.remove" => t.step_authentik_group_remove.to_owned(),
        "openbao.secrets.remove" => t.step_openbao_secrets_remove.to_owned(),
        "coolify.service.remove" => t.step_coolify_service_remove.to_owned(),
        "coolify.project.remove" => t.step_coolify_project_remove.to_owned(),
        "gitea.org.remove" => t.step_gitea_org_remove.to_owned(),
        other => other.to_owned(),
    }
}

/// The localized name of a step's status.
pub fn step_status_name(status: StepStatus, t: &'static Texts) -> &'static str {
    match status {
        StepStatus::Pending => t.step_status_pending,
        StepStatus::Running => t.step_status_running,
        StepStatus::Ok => t.step_status_ok,
        StepStatus::Skipped => t.step_status_skipped,
        StepStatus::Error => t.step_status_error,
    }
}

fn step_badge(status: StepStatus) -> &'static str {
    match status {
        StepStatus::Ok => "bg-emerald-100 text-emerald-800",
        StepStatus::Running => "bg-sky-100 text-sky-800",
        StepStatus::Error => "bg-red-100 text-red-800",
        StepStatus::Pending | StepStatus::Skipped => "bg-slate-100 text-slate-700",
    }
}

/// The steps, in order; nothing when there are none yet.
#[component]
pub fn Steps(steps: Vec<StepView>) -> impl IntoView {
    let t = use_texts();
    if steps.is_empty() {
        return ().into_any();
    }
    let items = steps
        .into_iter()
        .map(|step| {
            let status = step.status;
            let key = step.step.clone();
            let name = move || step_name(&key, t.get());
            let label = Signal::derive(move || step_status_name(status, t.get()));
            let attempts = u64::try_from(step.attempts).unwrap_or(0);
            let error = (status == StepStatus::Error).then(|| {
                let staff_text = step.error.clone();
                view! {
                    <p class="mt-1 text-xs text-red-700" data-test="step-error">
                        {move || {
                            staff_text
                                .clone()
                                .unwrap_or_else(|| t.get().step_failed_generic.to_owned())
                        }}
                    </p>
                }
            });
            view! {
                <li
                    data-test="step"
                    data-step=step.step.clone()
                    data-status=status.as_str()
                    class="py-1"
                >
                    <span class="text-sm text-slate-700">{name}</span>
                    " "
                    <Badge state=status.as_str() colour=step_badge(status) label />
                    {(attempts > 1)
                        .then(|| {
                            view! {
                                <span class="ml-2 text-xs text-slate-500">
                                    {move || (t.get().step_attempts)(attempts)}
                                </span>
                            }
                        })}
                    {error}
                </li>
            }
        })
        .collect_view();
    view! {
        <div data-test="steps">
            <p class="text-xs font-medium tracking-wide text-slate-500 uppercase">
                {move || t.get().steps_title}
            </p>
            <ol class="mt-1">{items}</ol>
        </div>
    }
    .into_any()
}
