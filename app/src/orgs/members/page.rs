//! The members page: everyone sees the list; owners and admins get the controls their role
//! allows. The controls are plain forms, so they work without JavaScript too, and the server
//! checks every rule again whatever the page shows.

use super::{ChangeMemberRole, LeaveOrganization, Member, Members, RemoveMember, list_members};
use crate::{
    components::{
        button::{Button, Size, Variant},
        form::{FormError, Text, latest_error, tracked},
        format::date,
        load::Loaded,
        table::DataTable,
    },
    error::AppError,
    i18n::use_texts,
    orgs::{Role, dashboard::role_name},
    use_session,
};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn MembersPage() -> impl IntoView {
    let session = use_session();
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let change = ServerAction::<ChangeMemberRole>::new();
    let remove = ServerAction::<RemoveMember>::new();
    let leave = ServerAction::<LeaveOrganization>::new();
    let members = Resource::new(
        move || (slug(), change.version().get(), remove.version().get()),
        |(slug, _, _)| list_members(slug),
    );
    Effect::new(move |_| {
        if let Some(Ok(())) = leave.value().get() {
            session.refetch();
        }
    });
    let error = latest_error(vec![tracked(change), tracked(remove), tracked(leave)]);

    view! {
        <Loaded resource=members let:page>
            <MembersView page error change remove leave />
        </Loaded>
    }
}

#[component]
fn MembersView(
    page: Members,
    error: Signal<Option<AppError>>,
    change: ServerAction<ChangeMemberRole>,
    remove: ServerAction<RemoveMember>,
    leave: ServerAction<LeaveOrganization>,
) -> impl IntoView {
    let t = use_texts();
    let org_name = page.display_name.clone();
    let manages = page.is_member && page.my_role.at_least(Role::Admin);
    let slug = page.slug.clone();
    let mut columns: Vec<Text> = vec![
        |t| t.col_name,
        |t| t.col_email,
        |t| t.col_member_role,
        |t| t.col_joined,
        |t| t.col_last_active,
    ];
    if manages {
        columns.push(|t| t.col_actions);
    }
    let rows = page
        .members
        .into_iter()
        .map(|member| {
            let own = member.user_id == page.my_user_id;
            view! { <MemberRow member own my_role=page.my_role manages slug=slug.clone() change remove /> }
        })
        .collect_view();
    let leave_form = page.is_member.then(|| {
        let slug = page.slug.clone();
        view! {
            <ActionForm action=leave attr:class="mt-6">
                <input type="hidden" name="org" value=slug />
                <Button
                    variant=Variant::Danger
                    size=Size::Md
                    class="font-medium"
                    attr:data-test="leave-org"
                >
                    {move || t.get().leave_organization}
                </Button>
            </ActionForm>
        }
    });
    view! {
        <div class="flex items-center justify-between gap-4">
            <h1 class="text-3xl font-bold tracking-tight">{move || t.get().members_title}</h1>
            <div class="flex gap-4">
                {manages
                    .then(|| {
                        let href = format!("/orgs/{}/audit", page.slug);
                        view! {
                            <a
                                href=href
                                data-test="org-audit"
                                class="text-sm font-medium text-indigo-700 hover:underline"
                            >
                                {move || t.get().nav_audit}
                            </a>
                        }
                    })}
                {(page.is_member && page.my_role == Role::Owner)
                    .then(|| {
                        let href = format!("/orgs/{}/settings", page.slug);
                        view! {
                            <a
                                href=href
                                data-test="org-settings"
                                class="text-sm font-medium text-indigo-700 hover:underline"
                            >
                                {move || t.get().nav_settings}
                            </a>
                        }
                    })}
            </div>
        </div>
        <p class="mt-1 text-slate-600">{move || (t.get().members_lead)(&org_name)}</p>
        {(!manages)
            .then(|| {
                view! {
                    <p
                        data-test="read-only"
                        class="mt-4 rounded-md bg-slate-100 px-4 py-2 text-sm text-slate-700"
                    >
                        {move || t.get().members_read_only}
                    </p>
                }
            })}
        <div class="mt-4">
            <FormError error />
        </div>
        <DataTable test="members-table" columns>
            {rows}
        </DataTable>
        {leave_form}
        {manages
            .then(|| {
                view! {
                    <crate::orgs::invitations::panel::InvitationsPanel slug=page.slug.clone() />
                }
            })}
    }
}

#[component]
fn MemberRow(
    member: Member,
    own: bool,
    my_role: Role,
    manages: bool,
    slug: String,
    change: ServerAction<ChangeMemberRole>,
    remove: ServerAction<RemoveMember>,
) -> impl IntoView {
    let t = use_texts();
    let role = member.role;
    let joined = date(member.joined_at);
    let last_active = member.last_active_at.map(date);
    let choices: Vec<Role> = Role::ALL
        .into_iter()
        .filter(|to| *to == role || my_role.can_change_role(role, *to, own))
        .collect();
    let can_change = manages && choices.len() > 1;
    let can_remove = manages && !own && my_role.can_manage(role);
    let actions = manages.then(|| {
        let change_form = can_change.then(|| {
            let (slug, user_id) = (slug.clone(), member.user_id.clone());
            view! {
                <ActionForm action=change attr:class="flex items-center gap-2">
                    <input type="hidden" name="org" value=slug />
                    <input type="hidden" name="user_id" value=user_id />
                    <select
                        name="role"
                        aria-label=move || t.get().new_role
                        class="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm"
                    >
                        {choices
                            .into_iter()
                            .map(|r| {
                                view! {
                                    <option value=r.as_str() selected=r == role>
                                        {move || role_name(r, t.get())}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                    <Button variant=Variant::Secondary size=Size::Sm>
                        {move || t.get().change_role}
                    </Button>
                </ActionForm>
            }
        });
        let remove_form = can_remove.then(|| {
            let (slug, user_id) = (slug.clone(), member.user_id.clone());
            view! {
                <ActionForm action=remove>
                    <input type="hidden" name="org" value=slug />
                    <input type="hidden" name="user_id" value=user_id />
                    <Button variant=Variant::Danger size=Size::Sm>
                        {move || t.get().remove_member}
                    </Button>
                </ActionForm>
            }
        });
        view! {
            <td class="px-4 py-3">
                <div class="flex flex-wrap items-center gap-2">{change_form} {remove_form}</div>
            </td>
        }
    });
    view! {
        <tr data-test="member-row">
            <td class="px-4 py-3 font-medium">
                {member.display_name}
                {own
                    .then(|| {
                        view! {
                            <span class="ml-2 text-xs text-slate-500">
                                "(" {move || t.get().you} ")"
                            </span>
                        }
                    })}
            </td>
            <td class="px-4 py-3 text-sm text-slate-600">{member.email}</td>
            <td class="px-4 py-3 text-sm" data-test="member-role">
                {move || role_name(role, t.get())}
            </td>
            <td class="px-4 py-3 text-sm text-slate-600">{joined}</td>
            <td class="px-4 py-3 text-sm text-slate-600">
                {move || last_active.clone().unwrap_or_else(|| t.get().never.to_owned())}
            </td>
            {actions}
        </tr>
    }
}
