//! The "confirm your email" page: where an account with an unproven address lands after
//! registering or signing in, with a button that sends a new link. The link itself is
//! redeemed by `GET /verify-email` ([`super::verification::verify_email`]).

use super::SignOut;
use crate::{
    components::{
        button::{Button, Size, Variant},
        form::{FormError, action_error},
    },
    error::AppError,
    i18n::use_texts,
};
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_query_map};
use serde::{Deserialize, Serialize};

/// Where the signed-in account stands with its address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailStanding {
    pub email: String,
    pub verified: bool,
}

/// The signed-in account's address and whether it is proven; proven or not, but signed in.
#[server(prefix = "/fn", endpoint = "auth/address_status")]
pub async fn address_status() -> Result<EmailStanding, AppError> {
    let caller = super::caller::Caller::current()?;
    let user = caller.principal.require_signed_in()?;
    Ok(EmailStanding {
        email: user.email.clone(),
        verified: user.email_verified,
    })
}

/// Sends the signed-in, unproven account a new confirmation link (the earlier ones stop
/// working); at most `email_verification.resends_per_hour` per account. A proven account
/// gets nothing and no error.
#[server(prefix = "/fn", endpoint = "auth/resend_verification")]
pub async fn resend_verification() -> Result<(), AppError> {
    use super::{caller::Caller, rate_limit, verification};
    let caller = Caller::current()?;
    let user = caller.principal.require_signed_in()?;
    if user.email_verified {
        return Ok(());
    }
    let config = &caller.state.config;
    if !rate_limit::admit(
        caller.db(),
        rate_limit::VERIFY_RESEND,
        &user.user_id,
        config.email_verification.resends_per_hour,
        3_600_000,
    )
    .await?
    {
        return Err(AppError::RateLimited {
            retry_after_secs: 3600,
        });
    }
    let mut tx = caller.db().pool().begin().await?;
    let to = verification::Recipient {
        user_id: &user.user_id,
        email: &user.email,
        name: &user.display_name,
        lang: user.language,
    };
    verification::issue(&mut tx, config, to).await?;
    tx.commit().await?;
    caller.state.outbox.wake();
    Ok(())
}

/// Says where the link went and offers a new one; `?link=invalid` after a dead link.
#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    let t = use_texts();
    let query = use_query_map();
    let dead_link = move || query.read().get("link").as_deref() == Some("invalid");
    let status = Resource::new(|| (), |_| address_status());
    let resend = ServerAction::<ResendVerification>::new();
    let resend_error = action_error(resend);
    let resent = move || matches!(resend.value().get(), Some(Ok(())));
    let sign_out = ServerAction::<SignOut>::new();
    view! {
        <div class="mx-auto w-full max-w-md" data-test="confirm-email">
            <div class="rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
                <h1 class="text-2xl font-bold tracking-tight">{move || t.get().confirm_title}</h1>
                <Show when=dead_link>
                    <p role="alert" class="mt-3 text-red-700" data-code="verification_invalid">
                        {move || t.get().err_verification_invalid}
                    </p>
                </Show>
                <Suspense>
                    {move || Suspend::new(async move {
                        match status.await {
                            Ok(EmailStanding { verified: true, .. }) => {
                                view! {
                                    <p class="mt-3 text-slate-700" data-test="confirmed">
                                        {move || t.get().confirm_done}
                                    </p>
                                    <A
                                        href="/dashboard"
                                        attr:class="mt-4 inline-block font-semibold text-indigo-700 hover:underline"
                                    >
                                        {move || t.get().confirm_to_dashboard}
                                    </A>
                                }
                                    .into_any()
                            }
                            Ok(EmailStanding { email, verified: false }) => {
                                view! {
                                    <p class="mt-3 text-slate-700" data-test="sent-to">
                                        {move || (t.get().confirm_lead)(&email)}
                                    </p>
                                    <ActionForm action=resend attr:class="mt-5 space-y-3">
                                        <FormError error=resend_error />
                                        <Show when=resent>
                                            <p role="status" class="text-emerald-700">
                                                {move || t.get().confirm_resent}
                                            </p>
                                        </Show>
                                        <Button
                                            size=Size::Md
                                            class="w-full"
                                            attr:data-test="resend"
                                        >
                                            {move || t.get().confirm_resend}
                                        </Button>
                                    </ActionForm>
                                    <ActionForm action=sign_out attr:class="mt-6">
                                        <p class="text-sm text-slate-600">
                                            {move || t.get().confirm_wrong_address}
                                        </p>
                                        <Button
                                            variant=Variant::Secondary
                                            size=Size::Md
                                            class="mt-2 w-full"
                                            attr:data-test="sign-out"
                                        >
                                            {move || t.get().sign_out}
                                        </Button>
                                    </ActionForm>
                                }
                                    .into_any()
                            }
                            Err(_) => {
                                view! {
                                    <p class="mt-3 text-slate-700">
                                        {move || t.get().confirm_signed_out}
                                    </p>
                                    <A
                                        href="/signin"
                                        attr:class="mt-4 inline-block font-semibold text-indigo-700 hover:underline"
                                    >
                                        {move || t.get().sign_in_submit}
                                    </A>
                                }
                                    .into_any()
                            }
                        }
                    })}
                </Suspense>
            </div>
        </div>
    }
}
