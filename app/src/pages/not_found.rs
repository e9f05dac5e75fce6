//! The 404 page, answered with a real 404 status.

use crate::i18n::use_texts;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let t = use_texts();
    view! {
        <div class="py-16 text-center">
            <p class="text-sm font-semibold text-indigo-600">"404"</p>
            <h1 class="mt-2 text-3xl font-bold tracking-tight">
                {move || t.get().not_found_title}
            </h1>
            <p class="mt-4 text-slate-600">{move || t.get().not_found_text}</p>
            <A
                href="/"
                attr:class="mt-6 inline-block font-semibold text-indigo-700 hover:underline"
            >
                {move || t.get().back_home}
            </A>
        </div>
    }
}
