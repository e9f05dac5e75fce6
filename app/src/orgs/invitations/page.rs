//! The page behind an invitation link (`/invite/:token`). It shows who invited whom to
//! what, then offers exactly one way forward: accept (signed in as the invited address),
//! sign in first (the account exists), or create the account (new address). Every form
//! also works without JavaScript.

use super::{AcceptInvitation, AcceptInvitationNew, InvitationPreview, preview_invitation};
use crate::{
    auth::pages::refetch_session_on_success,
    components::{
        button::{Size, Variant, button_class},
        form::{Field, FormError, LanguageSelect, SubmitButton, action_error},
        format::encode_component,
        load::Loaded,
    },
    i18n::use_texts,
    orgs::dashboard::role_name,
};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn InvitePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let preview = Resource::new(token, preview_invitation);
    view! {
        <div class="mx-auto w-full max-w-md">
            <div class="rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
                <Loaded resource=preview let:preview>
                    <InviteView preview token=token() />
                </Loaded>
            </div>
        </div>
    }
}

#[component]
fn InviteView(preview: InvitationPreview, token: String) -> impl IntoView {
    let t = use_texts();
    let org = preview.organization.clone();
    let lead = {
        let p = preview.clone();
        move || {
            let t = t.get();
            (t.accept_lead)(
                p.inviter.as_deref().unwrap_or("–"),
                &p.email,
                role_name(p.role, t),
            )
        }
    };
    let next = format!("/invite/{token}");
    let body = match (&preview.signed_in_as, preview.account_exists) {
        (Some(current), _) if *current == preview.email => {
            view! { <AcceptForm token /> }.into_any()
        }
        (Some(current), _) => {
            let (current, email) = (current.clone(), preview.email.clone());
            view! {
                <p role="alert" data-test="wrong-account" class="text-sm text-red-800">
                    {move || (t.get().accept_wrong_account)(&current, &email)}
                </p>
            }
            .into_any()
        }
        (None, true) => {
            let email = preview.email.clone();
            let href = format!("/signin?next={}", encode_component(&next));
            view! {
                <p class="text-sm text-slate-700">
                    {move || (t.get().accept_sign_in_lead)(&email)}
                </p>
                <a
                    href=href
                    data-test="sign-in-to-accept"
                    class=button_class(
                        Variant::Primary,
                        Size::Base,
                        "mt-4 inline-flex w-full justify-center",
                    )
                >
                    {move || t.get().nav_sign_in}
                </a>
            }
            .into_any()
        }
        (None, false) => {
            view! { <CreateAccountForm token email=preview.email.clone() /> }.into_any()
        }
    };
    let issuers = (preview.signed_in_as.is_none() && !preview.issuers.is_empty()).then(|| {
        view! {
            <p class="mt-6 text-center text-xs tracking-wide text-slate-500 uppercase">
                {move || t.get().or_continue_with}
            </p>
            <crate::auth::oidc::IssuerButtons issuers=preview.issuers.clone() next=next.clone() />
        }
    });
    view! {
        <h1 class="text-2xl font-bold tracking-tight">{move || (t.get().accept_title)(&org)}</h1>
        <p class="mt-1 mb-6 text-slate-600" data-test="invite-lead">
            {lead}
        </p>
        {body}
        {issuers}
    }
}

#[component]
fn AcceptForm(token: String) -> impl IntoView {
    let action = ServerAction::<AcceptInvitation>::new();
    refetch_session_on_success(action);
    let error = action_error(action);
    let pending = action.pending().into();
    view! {
        <ActionForm action attr:class="space-y-4" attr:data-test="accept-form">
            <FormError error />
            <input type="hidden" name="token" value=token />
            <SubmitButton label=|t| t.accept_submit pending />
        </ActionForm>
    }
}

#[component]
fn CreateAccountForm(token: String, email: String) -> impl IntoView {
    let t = use_texts();
    let action = ServerAction::<AcceptInvitationNew>::new();
    refetch_session_on_success(action);
    let error = action_error(action);
    let pending = action.pending().into();
    view! {
        <p class="mb-4 text-sm text-slate-700">{move || (t.get().accept_new_lead)(&email)}</p>
        <ActionForm action attr:class="space-y-4" attr:data-test="accept-new-form">
            <FormError error />
            <input type="hidden" name="token" value=token />
            <div class="grid grid-cols-2 gap-3">
                <Field name="given_name" label=|t| t.given_name autocomplete="given-name" error />
                <Field
                    name="family_name"
                    label=|t| t.family_name
                    autocomplete="family-name"
                    error
                />
            </div>
            <Field
                name="password"
                label=|t| t.password
                kind="password"
                autocomplete="new-password"
                hint=|t| t.password_hint
                error
            />
            <LanguageSelect id="language" label=|t| t.preferred_language />
            <SubmitButton label=|t| t.accept_create_submit pending />
        </ActionForm>
    }
}
