//! `/orgs/:slug/settings`: the owner renames the organization or changes its identifier.
//! Anyone else gets the refusal (403) from [`super::get_org_settings`].

use super::{UpdateOrganization, get_org_settings};
use crate::{
    components::{
        form::{Field, FormError, SubmitButton, action_error},
        load::Loaded,
    },
    i18n::use_texts,
};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn OrgSettingsPage() -> impl IntoView {
    let t = use_texts();
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let action = ServerAction::<UpdateOrganization>::new();
    // Keyed on the address only: after a save the form already shows what was saved, and a
    // refetch under the old slug would 404 before the redirect to the new one.
    let org = Resource::new(slug, get_org_settings);
    let error = action_error(action);
    let pending = action.pending().into();
    let saved = move || matches!(action.value().get(), Some(Ok(_)));
    view! {
        <h1 class="text-3xl font-bold tracking-tight">{move || t.get().settings_title}</h1>
        <Loaded resource=org let:page>
            {
                let name = page.display_name.clone();
                view! {
                    <p class="mt-1 text-slate-600">{move || (t.get().settings_lead)(&name)}</p>
                    <div class="mt-6 max-w-xl rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
                        <ActionForm action attr:class="space-y-5" attr:data-test="settings-form">
                            <FormError error />
                            {move || {
                                saved()
                                    .then(|| {
                                        view! {
                                            <p
                                                role="status"
                                                data-test="saved"
                                                class="rounded-md bg-emerald-50 px-4 py-2 text-sm text-emerald-800"
                                            >
                                                {move || t.get().saved}
                                            </p>
                                        }
                                    })
                            }}
                            <input type="hidden" name="org" value=page.slug.clone() />
                            <Field
                                name="display_name"
                                label=|t| t.display_name
                                value=page.display_name
                                error
                            />
                            <Field
                                name="slug"
                                label=|t| t.slug
                                hint=|t| t.slug_hint
                                value=page.slug
                                error
                            />
                            <SubmitButton label=|t| t.save pending />
                        </ActionForm>
                    </div>
                }
            }
        </Loaded>
    }
}
