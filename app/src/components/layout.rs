//! The page frame: header with organization, user menu, language switcher and sign-out.

use crate::{
    auth::{PlatformRole, SetLanguage, SignOut},
    components::{
        button::{Button, Size, Variant, button_class},
        form::LanguageOptions,
    },
    i18n::{I18n, set_document_lang, use_texts},
    orgs::OrgSummary,
    use_session,
};
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_location};

/// Header, main area and footer around every page.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let t = use_texts();
    let session = use_session();
    // Effects run only in the browser: this marks the page as hydrated for tests.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let user = move || session.info().and_then(|s| s.user);

    view! {
        <div
            class="flex min-h-screen flex-col"
            data-hydrated=move || hydrated.get().then_some("true")
        >
            <a
                href="#main"
                class="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:shadow"
            >
                {move || t.get().skip_to_content}
            </a>
            <header class="border-b border-slate-200 bg-white">
                <div class="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-4 px-4 py-3">
                    // One boundary reads the session for the whole header: a resource read
                    // under two Suspense/Transition boundaries can stall a server render at
                    // random (leptos-rs/leptos#4851).
                    <Transition fallback=|| ()>
                        <div class="flex items-center gap-3">
                            <A
                                href="/"
                                attr:class="text-lg font-bold tracking-tight text-indigo-700"
                            >
                                "Tenantry"
                            </A>
                            {move || {
                                user()
                                    .filter(|u| !u.organizations.is_empty())
                                    .map(|u| view! { <OrgSwitcher orgs=u.organizations /> })
                            }}
                        </div>
                        <nav class="flex items-center gap-3 text-sm">
                            {move || match user() {
                                Some(u) => {
                                    view! {
                                        <A
                                            href="/dashboard"
                                            attr:class="font-medium text-slate-700 hover:text-indigo-700"
                                        >
                                            {move || t.get().nav_dashboard}
                                        </A>
                                        {u
                                            .platform_role
                                            .is_some()
                                            .then(|| {
                                                view! {
                                                    <A
                                                        href="/platform"
                                                        attr:class="font-medium text-slate-700 hover:text-indigo-700"
                                                    >
                                                        {move || t.get().nav_overview}
                                                    </A>
                                                    <A
                                                        href="/platform/requests"
                                                        attr:class="font-medium text-slate-700 hover:text-indigo-700"
                                                    >
                                                        {move || t.get().nav_requests}
                                                    </A>
                                                    <A
                                                        href="/platform/audit"
                                                        attr:class="font-medium text-slate-700 hover:text-indigo-700"
                                                    >
                                                        {move || t.get().nav_audit}
                                                    </A>
                                                }
                                            })}
                                        {(u.platform_role == Some(PlatformRole::PlatformAdmin))
                                            .then(|| {
                                                view! {
                                                    <A
                                                        href="/platform/users"
                                                        attr:class="font-medium text-slate-700 hover:text-indigo-700"
                                                    >
                                                        {move || t.get().nav_users}
                                                    </A>
                                                }
                                            })}
                                        <UserMenu
                                            name=u.display_name
                                            email=u.email
                                            role=u.platform_role
                                        />
                                    }
                                        .into_any()
                                }
                                None => {
                                    view! {
                                        <A
                                            href="/signin"
                                            attr:class="font-medium text-slate-700 hover:text-indigo-700"
                                        >
                                            {move || t.get().nav_sign_in}
                                        </A>
                                        <A
                                            href="/register"
                                            attr:class=button_class(Variant::Primary, Size::Md, "")
                                        >
                                            {move || t.get().nav_register}
                                        </A>
                                    }
                                        .into_any()
                                }
                            }} <LanguageSwitcher />
                        </nav>
                    </Transition>
                </div>
            </header>
            <main id="main" class="mx-auto w-full max-w-5xl flex-1 px-4 py-10">
                {children()}
            </main>
            <footer class="border-t border-slate-200 bg-white py-4 text-center text-xs text-slate-500">
                {move || t.get().tagline}
            </footer>
        </div>
    }
}

/// The current organization (the one in the address, else the first) and, for people in
/// several, a disclosure listing the others. Plain links: no script needed.
#[component]
fn OrgSwitcher(orgs: Vec<OrgSummary>) -> impl IntoView {
    let t = use_texts();
    let location = use_location();
    let current = {
        let orgs = orgs.clone();
        move || {
            let path = location.pathname.get();
            let slug = path
                .strip_prefix("/orgs/")
                .and_then(|rest| rest.split('/').next())
                .unwrap_or_default()
                .to_owned();
            orgs.iter()
                .find(|o| o.slug == slug)
                .or_else(|| orgs.first())
                .map(|o| o.display_name.clone())
                .unwrap_or_default()
        }
    };
    if orgs.len() < 2 {
        return view! {
            <span
                data-test="header-org"
                class="rounded-full bg-slate-100 px-3 py-1 text-sm text-slate-700"
            >
                {current}
            </span>
        }
        .into_any();
    }
    view! {
        <details class="relative" data-test="org-switcher">
            <summary
                class="cursor-pointer list-none rounded-full bg-slate-100 px-3 py-1 text-sm text-slate-700 hover:bg-slate-200"
                aria-label=move || t.get().nav_switch_org
            >
                <span data-test="header-org">{current}</span>
                " ▾"
            </summary>
            <ul class="absolute left-0 z-10 mt-2 w-64 rounded-md border border-slate-200 bg-white py-1 shadow-lg">
                {orgs
                    .into_iter()
                    .map(|o| {
                        let href = format!("/orgs/{}", o.slug);
                        view! {
                            <li>
                                <a
                                    href=href
                                    data-test="switch-org"
                                    class="block px-4 py-2 text-sm hover:bg-slate-50"
                                >
                                    {o.display_name}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </details>
    }
    .into_any()
}

/// Name, email, platform role and the sign-out button, in a disclosure that needs no script.
#[component]
fn UserMenu(name: String, email: String, role: Option<PlatformRole>) -> impl IntoView {
    let t = use_texts();
    let session = use_session();
    let sign_out = ServerAction::<SignOut>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out.value().get() {
            session.refetch();
        }
    });
    let badge = role.map(|role| {
        view! {
            <span class="mt-1 inline-block rounded bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-800">
                {move || match role {
                    PlatformRole::PlatformAdmin => t.get().platform_admin,
                    PlatformRole::PlatformOperator => t.get().platform_operator,
                }}
            </span>
        }
    });
    view! {
        <details class="relative" data-test="user-menu">
            <summary
                class="cursor-pointer list-none rounded-md border border-slate-200 px-3 py-1.5 font-medium hover:bg-slate-50"
                aria-label=move || t.get().account_menu
            >
                {name.clone()}
            </summary>
            <div class="absolute right-0 z-10 mt-2 w-64 rounded-md border border-slate-200 bg-white p-4 shadow-lg">
                <p class="text-xs text-slate-500">{move || t.get().signed_in_as}</p>
                <p class="truncate font-medium">{name}</p>
                <p class="truncate text-sm text-slate-600">{email}</p>
                {badge}
                <ActionForm action=sign_out attr:class="mt-3">
                    <Button
                        variant=Variant::Secondary
                        size=Size::Md
                        class="w-full font-medium"
                        attr:data-test="sign-out"
                    >
                        {move || t.get().sign_out}
                    </Button>
                </ActionForm>
            </div>
        </details>
    }
}

/// Picks the interface language; works as a plain form without script.
#[component]
fn LanguageSwitcher() -> impl IntoView {
    let t = use_texts();
    let set_language = ServerAction::<SetLanguage>::new();
    let current = use_context::<I18n>();
    Effect::new(move |_| {
        if let (Some(Ok(chosen)), Some(I18n(current))) = (set_language.value().get(), current) {
            current.set(chosen);
            set_document_lang(chosen);
        }
    });
    view! {
        <ActionForm action=set_language attr:class="flex items-center gap-1">
            <label for="lang-select" class="sr-only">
                {move || t.get().language}
            </label>
            <select
                id="lang-select"
                name="lang"
                class="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm"
            >
                <LanguageOptions />
            </select>
            <Button variant=Variant::Secondary size=Size::Sm>
                {move || t.get().apply}
            </Button>
        </ActionForm>
    }
}
