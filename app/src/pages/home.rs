//! The landing page.

use crate::{
    components::button::{Size, Variant, button_class},
    i18n::use_texts,
    use_session,
};
use leptos::prelude::*;
use leptos_router::components::A;

/// Signed out: what the portal is, with register and sign-in. Signed in: a way on.
#[component]
pub fn HomePage() -> impl IntoView {
    let t = use_texts();
    let session = use_session();
    let signed_in = move || session.info().is_some_and(|s| s.user.is_some());
    let features = [
        (
            (|t: &'static crate::i18n::Texts| t.home_feature_onboard_title)
                as crate::components::form::Text,
            (|t: &'static crate::i18n::Texts| t.home_feature_onboard_text)
                as crate::components::form::Text,
        ),
        (
            |t| t.home_feature_approve_title,
            |t| t.home_feature_approve_text,
        ),
        (
            |t| t.home_feature_agents_title,
            |t| t.home_feature_agents_text,
        ),
    ];
    view! {
        <section class="py-8 text-center">
            <h1 class="text-4xl font-bold tracking-tight sm:text-5xl">
                {move || t.get().home_title}
            </h1>
            <p class="mx-auto mt-4 max-w-2xl text-lg text-slate-600">{move || t.get().home_lead}</p>
            <div class="mt-8 flex justify-center gap-3">
                <Transition fallback=|| ()>
                    {move || {
                        if signed_in() {
                            view! {
                                <A
                                    href="/dashboard"
                                    attr:class=button_class(Variant::Primary, Size::Lg, "shadow-sm")
                                >
                                    {move || t.get().home_go_dashboard}
                                </A>
                            }
                                .into_any()
                        } else {
                            view! {
                                <A
                                    href="/register"
                                    attr:class=button_class(Variant::Primary, Size::Lg, "shadow-sm")
                                >
                                    {move || t.get().nav_register}
                                </A>
                                <A
                                    href="/signin"
                                    attr:class=button_class(
                                        Variant::Secondary,
                                        Size::Lg,
                                        "bg-white font-semibold text-slate-800",
                                    )
                                >
                                    {move || t.get().nav_sign_in}
                                </A>
                            }
                                .into_any()
                        }
                    }}
                </Transition>
            </div>
        </section>
        <section class="mt-12 grid gap-6 sm:grid-cols-3">
            {features
                .into_iter()
                .map(|(title, text)| {
                    view! {
                        <div class="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
                            <h2 class="font-semibold">{move || title(t.get())}</h2>
                            <p class="mt-2 text-sm text-slate-600">{move || text(t.get())}</p>
                        </div>
                    }
                })
                .collect_view()}
        </section>
    }
}
