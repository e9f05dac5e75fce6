//! What a page shows while its data loads and when loading failed.

use crate::{
    components::form::error_code,
    error::AppError,
    i18n::{use_lang, use_texts},
};
use leptos::prelude::*;
use leptos_router::components::Redirect;

/// The loading line used as a `Suspense` fallback.
#[component]
pub fn Loading() -> impl IntoView {
    let t = use_texts();
    view! { <p class="text-slate-500">{move || t.get().loading}</p> }
}

/// A failed load: signed-out or suspended callers go to sign-in; anything else shows the
/// localized message, and a server render answers with the error's own HTTP status.
pub fn load_error(err: AppError) -> AnyView {
    if matches!(err, AppError::Unauthenticated | AppError::AccountSuspended) {
        return view! { <Redirect path="/signin" /> }.into_any();
    }
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(err.status());
    }
    let lang = use_lang();
    let code = error_code(&err);
    view! {
        <p role="alert" class="mt-4 text-red-700" data-code=code>
            {move || err.message(lang.get())}
        </p>
    }
    .into_any()
}
