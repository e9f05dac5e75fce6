//! The invitations part of the members page, for owners and admins: invite form and the
//! pending invitations with their email delivery status, resend and revoke.

use super::{
    Delivery, Invitation, InviteMember, ResendInvitation, RevokeInvitation, list_invitations,
};
use crate::{
    components::{
        button::{Button, Size, Variant},
        form::{Field, FormError, LanguageSelect, Text, latest_error, tracked},
        format::date,
        load::Loaded,
        table::DataTable,
    },
    i18n::use_texts,
    orgs::dashboard::role_name,
};
use leptos::prelude::*;

#[component]
pub fn InvitationsPanel(slug: String) -> impl IntoView {
    let t = use_texts();
    let invite = ServerAction::<InviteMember>::new();
    let resend = ServerAction::<ResendInvitation>::new();
    let revoke = ServerAction::<RevokeInvitation>::new();
    let list = {
        let slug = slug.clone();
        Resource::new(
            move || {
                (
                    invite.version().get(),
                    resend.version().get(),
                    revoke.version().get(),
                )
            },
            move |_| list_invitations(slug.clone()),
        )
    };
    let error = latest_error(vec![tracked(invite), tracked(resend), tracked(revoke)]);
    // What the last invite or resend did with the email.
    let outcome = Signal::derive(move || {
        let latest = [invite.value().get(), resend.value().get()]
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .max_by_key(|i| i.created_at);
        latest.map(|i| delivery_note(&i))
    });
    view! {
        <section class="mt-10" data-test="invitations">
            <h2 class="text-xl font-semibold">{move || t.get().invite_title}</h2>
            <Loaded resource=list let:data>
                {
                    let slug = slug.clone();
                    let days = u64::from(data.expiry_days);
                    let grantable = data.grantable.clone();
                    let empty = data.invitations.is_empty();
                    let columns: Vec<Text> = vec![
                        |t| t.col_email,
                        |t| t.col_member_role,
                        |t| t.col_invited_by,
                        |t| t.col_expires,
                        |t| t.col_delivery,
                        |t| t.col_actions,
                    ];
                    let rows = data
                        .invitations
                        .into_iter()
                        .map(|inv| {
                            view! {
                                <InvitationRow inv now=data.now slug=slug.clone() resend revoke />
                            }
                        })
                        .collect_view();
                    view! {
                        <p class="mt-1 text-sm text-slate-600">
                            {move || (t.get().invite_lead)(days)}
                        </p>
                        <ActionForm
                            action=invite
                            attr:class="mt-4 grid gap-3 sm:grid-cols-[2fr_1fr_1fr_auto] sm:items-end"
                            attr:data-test="invite-form"
                        >
                            <input type="hidden" name="org" value=slug.clone() />
                            <Field
                                name="email"
                                label=|t| t.email
                                kind="email"
                                autocomplete="off"
                                error
                            />
                            <div class="space-y-1">
                                <label
                                    for="invite-role"
                                    class="block text-sm font-medium text-slate-700"
                                >
                                    {move || t.get().invite_role}
                                </label>
                                <select
                                    id="invite-role"
                                    name="role"
                                    class="block w-full rounded-md border border-slate-300 bg-white px-3 py-2"
                                >
                                    {grantable
                                        .into_iter()
                                        .map(|r| {
                                            view! {
                                                <option
                                                    value=r.as_str()
                                                    selected=r == crate::orgs::Role::Member
                                                >
                                                    {move || role_name(r, t.get())}
                                                </option>
                                            }
                                        })
                                        .collect_view()}
                                </select>
                            </div>
                            <LanguageSelect id="invite-language" label=|t| t.invite_language />
                            <Button attr:data-test="invite-submit">
                                {move || t.get().invite_submit}
                            </Button>
                        </ActionForm>
                        <h3 class="mt-8 text-lg font-semibold">
                            {move || t.get().pending_invitations}
                        </h3>
                        {if empty {
                            view! {
                                <p class="mt-2 text-sm text-slate-600">
                                    {move || t.get().no_pending_invitations}
                                </p>
                            }
                                .into_any()
                        } else {
                            view! {
                                <DataTable test="invitations-table" columns=columns.clone()>
                                    {rows}
                                </DataTable>
                            }
                                .into_any()
                        }}
                    }
                }
            </Loaded>
            <div class="mt-4 space-y-2">
                <FormError error />
                {move || {
                    outcome
                        .get()
                        .map(|(ok, text)| {
                            let t = t.get();
                            let message = if ok {
                                (t.invite_sent)(&text.0)
                            } else {
                                (t.invite_not_delivered)(&text.0, &text.1)
                            };
                            let class = if ok {
                                "rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-800"
                            } else {
                                "rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900"
                            };
                            view! {
                                <p role="status" data-test="invite-outcome" class=class>
                                    {message}
                                </p>
                            }
                        })
                }}
            </div>
        </section>
    }
}

/// Whether the email went out, with the address and the error.
fn delivery_note(inv: &Invitation) -> (bool, (String, String)) {
    (
        inv.delivery == Delivery::Sent,
        (
            inv.email.clone(),
            inv.delivery_error.clone().unwrap_or_default(),
        ),
    )
}

#[component]
fn InvitationRow(
    inv: Invitation,
    now: i64,
    slug: String,
    resend: ServerAction<ResendInvitation>,
    revoke: ServerAction<RevokeInvitation>,
) -> impl IntoView {
    let t = use_texts();
    let role = inv.role;
    let expired = inv.expires_at <= now;
    let expires = date(inv.expires_at);
    let delivery = inv.delivery;
    let delivery_error = inv.delivery_error.clone().unwrap_or_default();
    let (slug2, id2) = (slug.clone(), inv.id.clone());
    view! {
        <tr data-test="invitation-row">
            <td class="px-4 py-3 text-sm font-medium">{inv.email}</td>
            <td class="px-4 py-3 text-sm">{move || role_name(role, t.get())}</td>
            <td class="px-4 py-3 text-sm text-slate-600">{inv.invited_by.unwrap_or_default()}</td>
            <td class="px-4 py-3 text-sm text-slate-600">
                {expires}
                {expired
                    .then(|| {
                        view! {
                            <span class="ml-1 text-red-700">"(" {move || t.get().expired} ")"</span>
                        }
                    })}
            </td>
            <td
                class="px-4 py-3 text-sm"
                data-test="invitation-delivery"
                data-status=delivery.as_str()
                title=delivery_error
            >
                {move || match delivery {
                    Delivery::Sent => t.get().delivery_sent,
                    Delivery::Sending => t.get().delivery_sending,
                    Delivery::Failed => t.get().delivery_failed,
                }}
            </td>
            <td class="px-4 py-3">
                <div class="flex flex-wrap gap-2">
                    <ActionForm action=resend>
                        <input type="hidden" name="org" value=slug />
                        <input type="hidden" name="id" value=inv.id />
                        <Button variant=Variant::Secondary size=Size::Sm>
                            {move || t.get().resend}
                        </Button>
                    </ActionForm>
                    <ActionForm action=revoke>
                        <input type="hidden" name="org" value=slug2 />
                        <input type="hidden" name="id" value=id2 />
                        <Button variant=Variant::Danger size=Size::Sm>
                            {move || t.get().revoke}
                        </Button>
                    </ActionForm>
                </div>
            </td>
        </tr>
    }
}
