//! `/orgs/:slug/new-instance`: the onboarding wizard.
//!
//! Every step is a section of one form posting to `requests/submit`. Without JavaScript
//! all sections show one below the other and the browser's own checks (`required`,
//! `maxlength`, …) guard the post. In the browser one step shows at a time; "Next" runs
//! the shared [`validate`] for the steps so far and shows its localized messages under
//! the fields; Back and Next keep everything typed (one `Draft` signal holds it). An error
//! from the server opens the step of the first field it names.

use super::{
    Draft, Limit, Step, SubmitRequest, WizardContext, get_wizard_context, limits,
    secret_error_field, secret_key, validate,
};
use crate::{
    components::{
        button::{Button, Variant},
        form::{FormError, Text, action_error, field_message},
        load::Loaded,
    },
    error::AppError,
    i18n::{Texts, use_lang, use_texts},
    instances::catalog::{Catalog, FieldKind, SecretField},
};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

const INPUT: &str = "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/40 aria-[invalid=true]:border-red-500";

fn step_title(step: Step, t: &'static Texts) -> &'static str {
    match step {
        Step::Welcome => t.wizard_step_welcome,
        Step::Configure => t.wizard_step_configure,
        Step::Packages => t.wizard_step_packages,
        Step::Secrets => t.wizard_step_secrets,
        Step::Billing => t.wizard_step_billing,
        Step::Confirm => t.wizard_step_confirm,
    }
}

#[component]
pub fn WizardPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let context = Resource::new(slug, get_wizard_context);
    view! {
        <Loaded resource=context let:ctx>
            {if ctx.can_submit {
                view! { <Wizard ctx /> }.into_any()
            } else {
                view! { <AskOwner ctx /> }.into_any()
            }}
        </Loaded>
    }
}

/// For members who may not submit: who can.
#[component]
fn AskOwner(ctx: WizardContext) -> impl IntoView {
    let t = use_texts();
    let owners = ctx.owners.join(", ");
    let org = ctx.organization.clone();
    view! {
        <div
            class="mx-auto max-w-xl rounded-xl border border-slate-200 bg-white p-8 shadow-sm"
            data-test="ask-owner"
        >
            <h1 class="text-2xl font-bold tracking-tight">{move || t.get().wizard_title}</h1>
            <p class="mt-4 text-slate-700">{move || (t.get().wizard_ask_owner)(&org)}</p>
            <p class="mt-2 font-medium" data-test="owners">
                {owners}
            </p>
            <a
                href=format!("/orgs/{}", ctx.slug)
                class="mt-6 inline-block text-indigo-700 hover:underline"
            >
                {move || t.get().wizard_back_to_dashboard}
            </a>
        </div>
    }
}

#[component]
fn Wizard(ctx: WizardContext) -> impl IntoView {
    let t = use_texts();
    let submit = ServerAction::<SubmitRequest>::new();
    let draft = RwSignal::new(ctx.draft.clone());
    let catalog = StoredValue::new(ctx.catalog.clone());
    let kind = ctx.kind;
    let step = RwSignal::new(Step::Welcome);
    // False on the server and until hydration: then every step shows at once.
    let js = RwSignal::new(false);
    Effect::new(move |_| js.set(true));
    let checked = RwSignal::new(None::<AppError>);
    let submitted = action_error(submit);
    let errors = Signal::derive(move || checked.get().or_else(|| submitted.get()));
    // A server error opens the step of the first field it names.
    Effect::new(move |_| {
        if let Some(AppError::Invalid { fields }) = submitted.get() {
            checked.set(None);
            if let Some(first) = fields.first() {
                step.set(Step::of_field(&first.field));
            }
        }
    });
    let needs_secrets = move || {
        draft.with(|d| {
            catalog.with_value(|c| {
                c.packages
                    .iter()
                    .any(|p| p.needs_secrets() && d.packages.contains(&p.id))
            })
        })
    };
    let next = move |from: Step| {
        let result = draft.with(|d| catalog.with_value(|c| validate(d, c, kind, Some(from))));
        match result {
            Err(err) => checked.set(Some(err)),
            Ok(_) => {
                checked.set(None);
                let mut to = Step::ALL.get(from.index() + 1).copied().unwrap_or(from);
                if to == Step::Secrets && !needs_secrets() {
                    to = Step::Billing;
                }
                step.set(to);
            }
        }
    };
    let back = move |from: Step| {
        checked.set(None);
        let mut to = Step::ALL
            .get(from.index().saturating_sub(1))
            .copied()
            .unwrap_or(from);
        if to == Step::Secrets && !needs_secrets() {
            to = Step::Packages;
        }
        step.set(to);
    };
    let section = move |s: Step, body: AnyView| {
        let first = s == Step::Welcome;
        let last = s == Step::Confirm;
        view! {
            <section
                class="rounded-xl border border-slate-200 bg-white p-6 shadow-sm"
                class:hidden=move || js.get() && step.get() != s
                data-test=format!("step-{}", s.index())
            >
                <h2 class="text-xl font-semibold">{move || step_title(s, t.get())}</h2>
                <div class="mt-4 space-y-4">{body}</div>
                <div class="mt-6 flex justify-between" class:hidden=move || !js.get()>
                    <Button
                        variant=Variant::Secondary
                        kind="button"
                        attr:data-test="back"
                        class:invisible=first
                        on:click=move |_| back(s)
                    >
                        {move || t.get().wizard_back}
                    </Button>
                    {(!last)
                        .then(|| {
                            view! {
                                <Button
                                    kind="button"
                                    attr:data-test="next"
                                    on:click=move |_| next(s)
                                >
                                    {move || t.get().wizard_next}
                                </Button>
                            }
                        })}
                </div>
            </section>
        }
    };
    let org = ctx.organization.clone();
    let welcome = view! {
        <p class="text-slate-700">{move || (t.get().wizard_welcome)(&org)}</p>
        <ol class="list-decimal space-y-1 pl-6 text-sm text-slate-600">
            {Step::ALL[1..]
                .iter()
                .map(|s| {
                    let s = *s;
                    view! { <li>{move || step_title(s, t.get())}</li> }
                })
                .collect_view()}
        </ol>
    }
    .into_any();
    let configure = view! {
        <WizField
            draft
            errors
            field="instance_label"
            label=|t| t.wizard_instance_label
            hint=|t| t.wizard_instance_label_hint
            limit=limits::INSTANCE_LABEL
            get=|d| &d.instance_label
            set=|d, v| d.instance_label = v
        />
        <WizField
            draft
            errors
            field="agent_name"
            label=|t| t.wizard_agent_name
            limit=limits::AGENT_NAME
            get=|d| &d.agent_name
            set=|d, v| d.agent_name = v
        />
        <WizField
            draft
            errors
            field="soul_md"
            label=|t| t.wizard_soul_md
            hint=|t| t.wizard_soul_md_hint
            multiline=true
            limit=limits::WORKSPACE_FILE
            get=|d| &d.soul_md
            set=|d, v| d.soul_md = v
        />
        <WizField
            draft
            errors
            field="agents_md"
            label=|t| t.wizard_agents_md
            hint=|t| t.wizard_agents_md_hint
            multiline=true
            limit=limits::WORKSPACE_FILE
            get=|d| &d.agents_md
            set=|d, v| d.agents_md = v
        />
    }
    .into_any();
    let packages = view! { <Packages draft errors catalog=ctx.catalog.clone() /> }.into_any();
    let secrets = view! { <Secrets draft errors catalog=ctx.catalog.clone() js /> }.into_any();
    let billing = view! {
        <WizField
            draft
            errors
            field="billing_company"
            label=|t| t.wizard_billing_company
            limit=limits::billing_company(kind)
            autocomplete="organization"
            get=|d| &d.billing_company
            set=|d, v| d.billing_company = v
        />
        <WizField
            draft
            errors
            field="billing_street"
            label=|t| t.wizard_billing_street
            limit=limits::BILLING_STREET
            autocomplete="street-address"
            get=|d| &d.billing_street
            set=|d, v| d.billing_street = v
        />
        <div class="grid gap-4 sm:grid-cols-3">
            <WizField
                draft
                errors
                field="billing_postal_code"
                label=|t| t.wizard_billing_postal_code
                limit=limits::BILLING_POSTAL_CODE
                autocomplete="postal-code"
                get=|d| &d.billing_postal_code
                set=|d, v| d.billing_postal_code = v
            />
            <div class="sm:col-span-2">
                <WizField
                    draft
                    errors
                    field="billing_city"
                    label=|t| t.wizard_billing_city
                    limit=limits::BILLING_CITY
                    autocomplete="address-level2"
                    get=|d| &d.billing_city
                    set=|d, v| d.billing_city = v
                />
            </div>
        </div>
        <WizField
            draft
            errors
            field="billing_country"
            label=|t| t.wizard_billing_country
            limit=limits::BILLING_COUNTRY
            autocomplete="country-name"
            get=|d| &d.billing_country
            set=|d, v| d.billing_country = v
        />
        <WizField
            draft
            errors
            field="billing_notes"
            label=|t| t.wizard_billing_notes
            multiline=true
            limit=limits::BILLING_NOTES
            get=|d| &d.billing_notes
            set=|d, v| d.billing_notes = v
        />
        <WizField
            draft
            errors
            field="contact_name"
            label=|t| t.wizard_contact_name
            limit=limits::CONTACT_NAME
            autocomplete="name"
            get=|d| &d.contact_name
            set=|d, v| d.contact_name = v
        />
        <WizField
            draft
            errors
            field="contact_email"
            label=|t| t.wizard_contact_email
            kind="email"
            limit=limits::CONTACT_EMAIL
            autocomplete="email"
            get=|d| &d.contact_email
            set=|d, v| d.contact_email = v
        />
    }
    .into_any();
    let confirm = view! {
        <Summary draft catalog=ctx.catalog.clone() js />
        <Button
            class="w-full shadow-sm"
            attr:data-test="submit-request"
            attr:disabled=move || submit.pending().get()
        >
            {move || {
                if submit.pending().get() { t.get().working } else { t.get().wizard_submit }
            }}
        </Button>
    }
    .into_any();
    let org = ctx.organization.clone();
    view! {
        <div class="mx-auto max-w-3xl space-y-6">
            <div>
                <h1 class="text-3xl font-bold tracking-tight">{move || t.get().wizard_title}</h1>
                <p class="mt-1 text-slate-600">{org}</p>
                <ol class="mt-4 flex flex-wrap gap-2 text-xs" class:hidden=move || !js.get()>
                    {Step::ALL
                        .iter()
                        .map(|s| {
                            let s = *s;
                            view! {
                                <li
                                    class="rounded-full px-3 py-1"
                                    class=(["bg-indigo-600", "text-white"], move || step.get() == s)
                                    class=(
                                        ["bg-slate-100", "text-slate-600"],
                                        move || step.get() != s,
                                    )
                                    aria-current=move || (step.get() == s).then_some("step")
                                >
                                    {move || step_title(s, t.get())}
                                </li>
                            }
                        })
                        .collect_view()}
                </ol>
            </div>
            <FormError error=errors />
            <ActionForm action=submit attr:class="space-y-6" attr:novalidate=move || js.get()>
                <input type="hidden" name="slug" value=ctx.slug.clone() />
                {section(Step::Welcome, welcome)}
                {section(Step::Configure, configure)}
                {section(Step::Packages, packages)}
                {section(Step::Secrets, secrets)}
                {section(Step::Billing, billing)}
                {section(Step::Confirm, confirm)}
            </ActionForm>
        </div>
    }
}

/// A labelled text input or textarea bound to one field of the draft.
#[component]
fn WizField(
    draft: RwSignal<Draft>,
    errors: Signal<Option<AppError>>,
    field: &'static str,
    label: Text,
    get: fn(&Draft) -> &String,
    set: fn(&mut Draft, String),
    limit: Limit,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = false)] multiline: bool,
    #[prop(optional)] hint: Option<Text>,
    #[prop(optional)] autocomplete: Option<&'static str>,
) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let id = format!("w-{field}");
    let name = format!("draft[{field}]");
    let message = Signal::derive(move || {
        errors
            .get()
            .and_then(|e| field_message(&e, field, lang.get()))
    });
    let initial = draft.with_untracked(|d| get(d).clone());
    let value = move || draft.with(|d| get(d).clone());
    let on_input = move |ev: leptos::ev::Event| {
        let typed = event_target_value(&ev);
        draft.update(|d| set(d, typed));
    };
    let error_id = format!("{id}-error");
    let required = limit.min > 0;
    let max = limit.max;
    let input = if multiline {
        view! {
            <textarea
                id=id.clone()
                name=name
                rows="8"
                required=required
                maxlength=max
                aria-invalid=move || message.get().is_some().then_some("true")
                aria-describedby=error_id.clone()
                class=format!("{INPUT} font-mono text-sm")
                prop:value=value
                on:input=on_input
            >
                {initial}
            </textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                id=id.clone()
                name=name
                type=kind
                required=required
                maxlength=max
                autocomplete=autocomplete
                value=initial
                aria-invalid=move || message.get().is_some().then_some("true")
                aria-describedby=error_id.clone()
                class=INPUT
                prop:value=value
                on:input=on_input
            />
        }
        .into_any()
    };
    view! {
        <div class="space-y-1">
            <label for=id class="block text-sm font-medium text-slate-700">
                {move || label(t.get())}
            </label>
            {input}
            {hint
                .map(|hint| {
                    view! { <p class="text-xs text-slate-500">{move || hint(t.get())}</p> }
                })}
            <p id=error_id class="text-sm text-red-600" data-test=format!("error-{field}")>
                {move || message.get()}
            </p>
        </div>
    }
}

/// The package picker, grouped by category.
#[component]
fn Packages(
    draft: RwSignal<Draft>,
    errors: Signal<Option<AppError>>,
    catalog: Catalog,
) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let message = Signal::derive(move || {
        errors
            .get()
            .and_then(|e| field_message(&e, "packages", lang.get()))
    });
    let chosen = draft.with_untracked(|d| d.packages.clone());
    let groups = catalog
        .categories
        .iter()
        .map(|category| {
            let name = category.name.clone();
            let boxes = catalog
                .packages
                .iter()
                .filter(|p| p.category == category.id)
                .map(|p| {
                    let id = p.id.clone();
                    let checked = chosen.contains(&id);
                    let (pname, pdesc) = (p.name.clone(), p.description.clone());
                    let needs = p.needs_secrets();
                    let toggle = {
                        let id = id.clone();
                        move |ev: leptos::ev::Event| {
                            let on = event_target_checked(&ev);
                            draft.update(|d| {
                                d.packages.retain(|p| p != &id);
                                if on {
                                    d.packages.push(id.clone());
                                }
                            });
                        }
                    };
                    view! {
                        <label class="flex gap-3 rounded-md border border-slate-200 p-3 hover:bg-slate-50">
                            <input
                                type="checkbox"
                                name="draft[packages][]"
                                value=id.clone()
                                checked=checked
                                data-test=format!("package-{id}")
                                class="mt-1"
                                on:change=toggle
                            />
                            <span>
                                <span class="block font-medium">
                                    {move || pname.get(lang.get()).to_owned()}
                                </span>
                                <span class="block text-sm text-slate-600">
                                    {move || pdesc.get(lang.get()).to_owned()}
                                </span>
                                {needs
                                    .then(|| {
                                        view! {
                                            <span class="mt-1 inline-block rounded bg-amber-50 px-2 py-0.5 text-xs text-amber-800">
                                                {move || t.get().wizard_needs_secrets}
                                            </span>
                                        }
                                    })}
                            </span>
                        </label>
                    }
                })
                .collect_view();
            view! {
                <fieldset class="space-y-2">
                    <legend class="text-sm font-semibold text-slate-700">
                        {move || name.get(lang.get()).to_owned()}
                    </legend>
                    {boxes}
                </fieldset>
            }
        })
        .collect_view();
    view! {
        <p class="text-sm text-slate-600">{move || t.get().wizard_packages_lead}</p>
        {groups}
        <p class="text-sm text-red-600" data-test="error-packages">
            {move || message.get()}
        </p>
    }
}

/// The secret fields of the packages that need them. In the browser only the chosen
/// packages' fields show (the others are disabled, so they are not sent); without script
/// all show and the server ignores those of packages not chosen.
#[component]
fn Secrets(
    draft: RwSignal<Draft>,
    errors: Signal<Option<AppError>>,
    catalog: Catalog,
    js: RwSignal<bool>,
) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let groups = catalog
        .packages
        .iter()
        .filter(|p| p.needs_secrets())
        .map(|p| {
            let id = p.id.clone();
            let chosen = {
                let id = id.clone();
                Signal::derive(move || draft.with(|d| d.packages.contains(&id)))
            };
            let inactive = move || js.get() && !chosen.get();
            // Disabled fields are not sent.
            let pname = p.name.clone();
            let fields = p
                .secrets
                .iter()
                .map(|f| {
                    view! { <SecretInput draft errors package=id.clone() field=f.clone() /> }
                })
                .collect_view();
            view! {
                <fieldset
                    class="space-y-3 rounded-md border border-slate-200 p-4"
                    class:hidden=inactive
                    disabled=inactive
                    data-test=format!("secrets-{id}")
                >
                    <legend class="px-1 text-sm font-semibold text-slate-700">
                        {move || pname.get(lang.get()).to_owned()}
                    </legend>
                    {fields}
                </fieldset>
            }
        })
        .collect_view();
    view! {
        <p class="text-sm text-slate-600">{move || t.get().wizard_secrets_lead}</p>
        <p class="text-sm text-slate-600" class:hidden=move || js.get()>
            {move || t.get().wizard_secrets_nojs}
        </p>
        {groups}
    }
}

#[component]
fn SecretInput(
    draft: RwSignal<Draft>,
    errors: Signal<Option<AppError>>,
    package: String,
    field: SecretField,
) -> impl IntoView {
    let lang = use_lang();
    let key = secret_key(&package, &field.name);
    let error_field = secret_error_field(&package, &field.name);
    let id = format!("w-secret-{package}-{}", field.name);
    let message = {
        let error_field = error_field.clone();
        Signal::derive(move || {
            errors
                .get()
                .and_then(|e| field_message(&e, &error_field, lang.get()))
        })
    };
    let kind = match field.kind {
        FieldKind::Password => "password",
        FieldKind::Email => "email",
        FieldKind::Port => "number",
        FieldKind::Host | FieldKind::Text => "text",
    };
    let port = field.kind == FieldKind::Port;
    let on_input = {
        let key = key.clone();
        move |ev: leptos::ev::Event| {
            let typed = event_target_value(&ev);
            draft.update(|d| {
                d.secrets.insert(key.clone(), typed);
            });
        }
    };
    let label = field.label.clone();
    let error_id = format!("{id}-error");
    view! {
        <div class="space-y-1">
            <label for=id.clone() class="block text-sm font-medium text-slate-700">
                {move || label.get(lang.get()).to_owned()}
            </label>
            <input
                id=id
                name=format!("draft[secrets][{key}]")
                type=kind
                autocomplete="off"
                spellcheck="false"
                minlength=(!port).then_some(field.min)
                maxlength=(!port).then_some(field.max)
                min=port.then_some(1)
                max=port.then_some(65535)
                aria-invalid=move || message.get().is_some().then_some("true")
                aria-describedby=error_id.clone()
                data-test=format!("secret-{package}-{}", field.name)
                class=INPUT
                on:input=on_input
            />
            <p id=error_id class="text-sm text-red-600" data-test=format!("error-{error_field}")>
                {move || message.get()}
            </p>
        </div>
    }
}

/// The confirmation summary (browser only: without script the values live in the form).
#[component]
fn Summary(draft: RwSignal<Draft>, catalog: Catalog, js: RwSignal<bool>) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let catalog = StoredValue::new(catalog);
    let row = move |label: Text, value: Signal<String>| {
        view! {
            <div class="grid grid-cols-3 gap-2 py-1">
                <dt class="text-slate-500">{move || label(t.get())}</dt>
                <dd class="col-span-2 break-words whitespace-pre-line">{move || value.get()}</dd>
            </div>
        }
    };
    let get = |f: fn(&Draft) -> String| Signal::derive(move || draft.with(f));
    let packages = Signal::derive(move || {
        draft.with(|d| {
            catalog.with_value(|c| {
                let names: Vec<String> = c
                    .packages
                    .iter()
                    .filter(|p| d.packages.contains(&p.id))
                    .map(|p| {
                        let mut name = p.name.get(lang.get()).to_owned();
                        if p.needs_secrets() {
                            name.push_str(&format!(" ({})", t.get().wizard_secret_entered));
                        }
                        name
                    })
                    .collect();
                if names.is_empty() {
                    "—".to_owned()
                } else {
                    names.join(", ")
                }
            })
        })
    });
    view! {
        <p class="text-sm text-slate-600" class:hidden=move || js.get()>
            {move || t.get().wizard_confirm_nojs}
        </p>
        <dl
            class="divide-y divide-slate-100 text-sm"
            class:hidden=move || !js.get()
            data-test="summary"
        >
            {row(|t| t.wizard_instance_label, get(|d| d.instance_label.clone()))}
            {row(|t| t.wizard_agent_name, get(|d| d.agent_name.clone()))}
            {row(|t| t.wizard_step_packages, packages)}
            {row(
                |t| t.wizard_step_billing,
                get(|d| {
                    [
                        d.billing_company.as_str(),
                        d.billing_street.as_str(),
                        &format!("{} {}", d.billing_postal_code, d.billing_city),
                        d.billing_country.as_str(),
                    ]
                        .iter()
                        .filter(|l| !l.trim().is_empty())
                        .map(|l| l.to_string())
                        .collect::<Vec<_>>()
                        .join("\n")
                }),
            )}
            {row(
                |t| t.wizard_contact,
                get(|d| format!("{} <{}>", d.contact_name, d.contact_email)),
            )}
        </dl>
    }
}
