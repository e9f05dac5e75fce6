//! `/platform/users`: find users, suspend or reactivate them, set their platform role.
//! Search and paging are plain links and a GET form; the actions are plain forms.

use super::{PER_PAGE, SetPlatformRole, SetUserStatus, UserPage, UserRow, list_users};
use crate::{
    auth::PlatformRole,
    components::{
        button::{Button, Size, Variant},
        form::{FormError, latest_error, tracked},
        format::{date, encode_component},
        load::Loaded,
        pager::{Pager, page_count},
        table::DataTable,
    },
    i18n::use_texts,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn PlatformUsersPage() -> impl IntoView {
    let t = use_texts();
    let query = use_query_map();
    let q = move || query.read().get("q").unwrap_or_default();
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(1)
    };
    let set_status = ServerAction::<SetUserStatus>::new();
    let set_role = ServerAction::<SetPlatformRole>::new();
    let users = Resource::new(
        move || {
            (
                q(),
                page(),
                set_status.version().get(),
                set_role.version().get(),
            )
        },
        |(q, page, _, _)| list_users(Some(q), Some(page)),
    );
    let error = latest_error(vec![tracked(set_status), tracked(set_role)]);
    view! {
        <h1 class="text-3xl font-bold tracking-tight">{move || t.get().platform_users_title}</h1>
        <form method="get" action="/platform/users" class="mt-4 flex gap-2" role="search">
            <label for="user-search" class="sr-only">
                {move || t.get().search_label}
            </label>
            <input
                id="user-search"
                name="q"
                type="search"
                value=q
                placeholder=move || t.get().search_label
                class="w-full max-w-md rounded-md border border-slate-300 bg-white px-3 py-2"
            />
            <Button>{move || t.get().search}</Button>
        </form>
        <div class="mt-4">
            <FormError error />
        </div>
        <Loaded resource=users let:page>
            <UserTable page set_status set_role />
        </Loaded>
    }
}

#[component]
fn UserTable(
    page: UserPage,
    set_status: ServerAction<SetUserStatus>,
    set_role: ServerAction<SetPlatformRole>,
) -> impl IntoView {
    let t = use_texts();
    let total = page.total;
    let pages = page_count(total, PER_PAGE);
    let current = page.page;
    let link = {
        let q = page.query.clone();
        move |n: u32| format!("/platform/users?q={}&page={n}", encode_component(&q))
    };
    let rows = page
        .users
        .into_iter()
        .map(|user| view! { <UserRowView user set_status set_role /> })
        .collect_view();
    view! {
        <p class="mt-2 text-slate-600" data-test="user-total">
            {move || (t.get().platform_users_lead)(u64::try_from(total).unwrap_or_default())}
        </p>
        <DataTable
            test="users-table"
            columns=vec![
                |t| t.col_name,
                |t| t.col_email,
                |t| t.col_status,
                |t| t.col_platform_role,
                |t| t.col_orgs,
                |t| t.col_last_active,
            ]
        >
            {rows}
        </DataTable>
        <Pager current pages href=link />
    }
}

#[component]
fn UserRowView(
    user: UserRow,
    set_status: ServerAction<SetUserStatus>,
    set_role: ServerAction<SetPlatformRole>,
) -> impl IntoView {
    let t = use_texts();
    let suspended = user.suspended;
    let role = user.platform_role;
    let last_active = user.last_active_at.map(date);
    let (id_status, id_role) = (user.id.clone(), user.id.clone());
    let role_options = [
        None,
        Some(PlatformRole::PlatformOperator),
        Some(PlatformRole::PlatformAdmin),
    ];
    view! {
        <tr data-test="user-row">
            <td class="px-4 py-3 font-medium">{user.display_name}</td>
            <td class="px-4 py-3 text-sm text-slate-600">{user.email}</td>
            <td class="px-4 py-3 text-sm">
                <div class="flex items-center gap-2">
                    <span
                        data-test="user-status"
                        class=if suspended {
                            "rounded bg-red-100 px-2 py-0.5 text-xs font-medium text-red-800"
                        } else {
                            "rounded bg-emerald-100 px-2 py-0.5 text-xs font-medium text-emerald-800"
                        }
                    >
                        {move || {
                            if suspended { t.get().status_suspended } else { t.get().status_active }
                        }}
                    </span>
                    <ActionForm action=set_status>
                        <input type="hidden" name="user_id" value=id_status />
                        <input
                            type="hidden"
                            name="status"
                            value=if suspended { "active" } else { "suspended" }
                        />
                        <Button variant=Variant::Secondary size=Size::Xs>
                            {move || if suspended { t.get().activate } else { t.get().suspend }}
                        </Button>
                    </ActionForm>
                </div>
            </td>
            <td class="px-4 py-3 text-sm">
                <ActionForm action=set_role attr:class="flex items-center gap-2">
                    <input type="hidden" name="user_id" value=id_role />
                    <select
                        name="role"
                        aria-label=move || t.get().col_platform_role
                        class="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm"
                    >
                        {role_options
                            .into_iter()
                            .map(|option| {
                                view! {
                                    <option
                                        value=option.map(PlatformRole::as_str).unwrap_or("")
                                        selected=option == role
                                    >
                                        {move || match option {
                                            None => t.get().role_none,
                                            Some(PlatformRole::PlatformOperator) => {
                                                t.get().platform_operator
                                            }
                                            Some(PlatformRole::PlatformAdmin) => t.get().platform_admin,
                                        }}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                    <Button variant=Variant::Secondary size=Size::Sm>
                        {move || t.get().set_role}
                    </Button>
                </ActionForm>
            </td>
            <td class="px-4 py-3 text-sm text-slate-600">{user.organizations}</td>
            <td class="px-4 py-3 text-sm text-slate-600">
                {move || last_active.clone().unwrap_or_else(|| t.get().never.to_owned())}
            </td>
        </tr>
    }
}
