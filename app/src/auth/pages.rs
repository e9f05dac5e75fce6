//! The register and sign-in pages. Both are plain forms (`ActionForm`) that also work with
//! JavaScript off; errors of a plain post come back through the URL and show the same way.

use super::{
    Register, SignIn,
    oidc::{IssuerButtons, oidc_issuers},
};
use crate::{
    components::form::{Card, Field, FormError, LanguageSelect, SubmitButton, action_error},
    i18n::use_texts,
    use_session,
};
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_query_map};

/// Refetches the session once `action` succeeded (the server already redirects).
pub(crate) fn refetch_session_on_success<I>(action: ServerAction<I>)
where
    I: leptos::server_fn::ServerFn<Output = (), Error = crate::error::AppError>
        + Clone
        + Send
        + Sync
        + 'static,
{
    let session = use_session();
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            session.refetch();
        }
    });
}

/// Company or personal registration.
#[component]
pub fn RegisterPage() -> impl IntoView {
    let t = use_texts();
    let action = ServerAction::<Register>::new();
    refetch_session_on_success(action);
    let error = action_error(action);
    let pending = action.pending().into();
    view! {
        <Card title=|t| t.register_title lead=|t| t.register_lead>
            <ActionForm action attr:class="space-y-5" attr:data-test="register-form">
                <FormError error />
                <fieldset>
                    <legend class="text-sm font-medium text-slate-700">
                        {move || t.get().account_type}
                    </legend>
                    <div class="mt-2 grid grid-cols-2 gap-3">
                        <label class="flex cursor-pointer flex-col rounded-md border border-slate-300 p-3 has-[:checked]:border-indigo-600 has-[:checked]:ring-2 has-[:checked]:ring-indigo-600/30">
                            <span class="flex items-center gap-2 font-medium">
                                <input
                                    type="radio"
                                    id="kind-company"
                                    name="kind"
                                    value="company"
                                    checked=true
                                />
                                {move || t.get().account_company}
                            </span>
                            <span class="mt-1 text-xs text-slate-500">
                                {move || t.get().account_company_hint}
                            </span>
                        </label>
                        <label class="flex cursor-pointer flex-col rounded-md border border-slate-300 p-3 has-[:checked]:border-indigo-600 has-[:checked]:ring-2 has-[:checked]:ring-indigo-600/30">
                            <span class="flex items-center gap-2 font-medium">
                                <input
                                    type="radio"
                                    id="kind-personal"
                                    name="kind"
                                    value="personal"
                                />
                                {move || t.get().account_personal}
                            </span>
                            <span class="mt-1 text-xs text-slate-500">
                                {move || t.get().account_personal_hint}
                            </span>
                        </label>
                    </div>
                </fieldset>
                // Hidden by CSS (style/tailwind.css) while "personal" is checked: no script needed.
                <div data-company-only="">
                    <Field
                        name="company_name"
                        label=|t| t.company_name
                        autocomplete="organization"
                        required=false
                        error
                    />
                </div>
                <div class="grid grid-cols-2 gap-3">
                    <Field
                        name="given_name"
                        label=|t| t.given_name
                        autocomplete="given-name"
                        error
                    />
                    <Field
                        name="family_name"
                        label=|t| t.family_name
                        autocomplete="family-name"
                        error
                    />
                </div>
                <Field name="email" label=|t| t.email kind="email" autocomplete="email" error />
                <Field
                    name="password"
                    label=|t| t.password
                    kind="password"
                    autocomplete="new-password"
                    hint=|t| t.password_hint
                    error
                />
                <LanguageSelect id="language" label=|t| t.preferred_language />
                <SubmitButton label=|t| t.register_submit pending />
                <p class="text-center text-sm text-slate-600">
                    {move || t.get().have_account} " "
                    <A href="/signin" attr:class="font-semibold text-indigo-700 hover:underline">
                        {move || t.get().nav_sign_in}
                    </A>
                </p>
            </ActionForm>
        </Card>
    }
}

/// Email and password sign-in, plus one button per OpenID Connect issuer. `?next=` is
/// where to land afterwards; `?oidc_error=` carries why an issuer sign-in failed, and
/// `?verified` says a confirmation link was just redeemed.
#[component]
pub fn SignInPage() -> impl IntoView {
    let t = use_texts();
    let query = use_query_map();
    let next = move || {
        query
            .read()
            .get("next")
            .and_then(|n| super::safe_next(Some(&n)))
            .unwrap_or_default()
    };
    let action = ServerAction::<SignIn>::new();
    refetch_session_on_success(action);
    let action_failed = action_error(action);
    let error = Signal::derive(move || {
        action_failed.get().or_else(|| {
            query
                .read()
                .get("oidc_error")
                .map(|code| super::oidc::error_from_code(&code))
        })
    });
    let pending = action.pending().into();
    let issuers = Resource::new(|| (), |_| oidc_issuers());
    // Back from a confirmation link opened in a browser that was not signed in.
    let verified = move || query.read().get("verified").is_some();
    view! {
        <Card title=|t| t.sign_in_title lead=|t| t.sign_in_lead>
            <ActionForm action attr:class="space-y-5" attr:data-test="sign-in-form">
                <Show when=verified>
                    <p role="status" class="text-emerald-700" data-test="verified">
                        {move || t.get().confirm_done}
                    </p>
                </Show>
                <FormError error />
                <input type="hidden" name="next" value=next />
                <Field name="email" label=|t| t.email kind="email" autocomplete="username" error />
                <Field
                    name="password"
                    label=|t| t.password
                    kind="password"
                    autocomplete="current-password"
                    error
                />
                <SubmitButton label=|t| t.sign_in_submit pending />
                <Suspense>
                    {move || Suspend::new(async move {
                        let issuers = issuers.await.unwrap_or_default();
                        (!issuers.is_empty())
                            .then(|| {
                                view! {
                                    <p class="text-center text-xs tracking-wide text-slate-500 uppercase">
                                        {move || t.get().or_continue_with}
                                    </p>
                                    <IssuerButtons issuers next=next() />
                                }
                            })
                    })}
                </Suspense>
                <p class="text-center text-sm text-slate-600">
                    {move || t.get().no_account} " "
                    <A href="/register" attr:class="font-semibold text-indigo-700 hover:underline">
                        {move || t.get().nav_register}
                    </A>
                </p>
            </ActionForm>
        </Card>
    }
}
