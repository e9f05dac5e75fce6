//! The dashboard: the signed-in user's organizations and role in each.

use super::{OrgKind, Role, list_my_organizations};
use crate::{
    components::{load::Loaded, table::DataTable},
    i18n::use_texts,
    use_session,
};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let t = use_texts();
    let session = use_session();
    let orgs = Resource::new(|| (), |_| list_my_organizations());
    let name = move || {
        session
            .info()
            .and_then(|s| s.user)
            .map(|u| u.display_name)
            .unwrap_or_default()
    };
    view! {
        <h1 class="text-3xl font-bold tracking-tight" data-test="dashboard-title">
            <Transition fallback=|| ()>{move || (t.get().dashboard_welcome)(&name())}</Transition>
        </h1>
        <h2 class="mt-8 text-lg font-semibold">{move || t.get().dashboard_orgs}</h2>
        <Loaded resource=orgs let:list>
            {if list.is_empty() {
                view! { <p class="mt-4 text-slate-600">{move || t.get().dashboard_no_orgs}</p> }
                    .into_any()
            } else {
                view! {
                    <DataTable
                        test="org-table"
                        columns=vec![
                            |t| t.col_organization,
                            |t| t.col_slug,
                            |t| t.col_kind,
                            |t| t.col_role,
                        ]
                    >
                        {list
                            .into_iter()
                            .map(|org| {
                                let kind = org.kind;
                                let role = org.role;
                                view! {
                                    <tr data-test="org-row">
                                        <td class="px-4 py-3 font-medium">
                                            <A
                                                href=format!("/orgs/{}", org.slug)
                                                attr:class="text-indigo-700 hover:underline"
                                            >
                                                {org.display_name}
                                            </A>
                                        </td>
                                        <td class="px-4 py-3 font-mono text-sm text-slate-600">
                                            {org.slug}
                                        </td>
                                        <td class="px-4 py-3 text-sm">
                                            {move || match kind {
                                                OrgKind::Company => t.get().kind_company,
                                                OrgKind::Personal => t.get().kind_personal,
                                            }}
                                        </td>
                                        <td class="px-4 py-3 text-sm" data-test="org-role">
                                            {move || role_name(role, t.get())}
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </DataTable>
                }
                    .into_any()
            }}
        </Loaded>
    }
}

/// The localized name of a role.
pub fn role_name(role: Role, t: &'static crate::i18n::Texts) -> &'static str {
    match role {
        Role::Owner => t.role_owner,
        Role::Admin => t.role_admin,
        Role::Member => t.role_member,
        Role::Viewer => t.role_viewer,
    }
}
