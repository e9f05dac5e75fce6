//! Form building blocks: labelled fields whose errors are tied to the input, a form-level
//! alert, and a submit button that shows progress. Errors come from the action's value,
//! which also carries errors of a plain (JavaScript-free) form post back to the page.

use crate::{
    components::button::Button,
    error::AppError,
    i18n::{Lang, Texts, use_lang, use_texts},
};
use leptos::prelude::*;

/// Selects a string from the current language's [`Texts`].
pub type Text = fn(&'static Texts) -> &'static str;

/// The message to show under `field` for `err`, if it concerns that field.
pub fn field_message(err: &AppError, field: &str, lang: Lang) -> Option<String> {
    if let Some(problem) = err.problem_for(field) {
        return Some(problem.message(lang));
    }
    (err.field_name() == Some(field)).then(|| err.message(lang))
}

/// The error of an action's last result, as a signal.
pub fn action_error<I, O>(action: ServerAction<I>) -> Signal<Option<AppError>>
where
    I: leptos::server_fn::ServerFn<Output = O, Error = AppError> + Clone + Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(Result::err))
}

/// A labelled input with its hint and error.
#[component]
pub fn Field(
    name: &'static str,
    label: Text,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] hint: Option<Text>,
    #[prop(default = true)] required: bool,
    #[prop(optional, into)] value: Option<String>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let message = Signal::derive(move || {
        error
            .get()
            .and_then(|e| field_message(&e, name, lang.get()))
    });
    let error_id = format!("{name}-error");
    let hint_id = format!("{name}-hint");
    let described_by = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if message.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="space-y-1">
            <label for=name class="block text-sm font-medium text-slate-700">
                {move || label(t.get())}
            </label>
            <input
                id=name
                name=name
                type=kind
                autocomplete=autocomplete
                required=required
                value=value
                aria-invalid=move || message.get().is_some().then_some("true")
                aria-describedby=described_by
                class="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/40 aria-[invalid=true]:border-red-500"
            />
            {hint
                .map(|hint| {
                    view! {
                        <p id=hint_id class="text-xs text-slate-500">
                            {move || hint(t.get())}
                        </p>
                    }
                })}
            <p id=error_id class="text-sm text-red-600" data-test=format!("error-{name}")>
                {move || message.get()}
            </p>
        </div>
    }
}

/// The form-level alert for the last error, if any.
#[component]
pub fn FormError(error: Signal<Option<AppError>>) -> impl IntoView {
    let lang = use_lang();
    move || {
        error
            .get()
            .map(|err| {
                view! {
                    <div
                        role="alert"
                        data-test="form-error"
                        data-code=error_code(&err)
                        class="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800"
                    >
                        {err.message(lang.get())}
                    </div>
                }
            })
    }
}

/// The machine code of an error, as in its JSON form.
pub fn error_code(err: &AppError) -> String {
    serde_json::to_value(err)
        .ok()
        .and_then(|v| v.get("code").and_then(|c| c.as_str()).map(str::to_owned))
        .unwrap_or_default()
}

/// A primary submit button that shows progress while `pending`.
#[component]
pub fn SubmitButton(label: Text, pending: Signal<bool>) -> impl IntoView {
    let t = use_texts();
    view! {
        <Button
            class="inline-flex w-full justify-center shadow-sm focus:outline-none focus:ring-2 focus:ring-indigo-500 focus:ring-offset-2"
            attr:disabled=move || pending.get()
        >
            {move || if pending.get() { t.get().working } else { label(t.get()) }}
        </Button>
    }
}

/// A centered card for the account forms.
#[component]
pub fn Card(title: Text, lead: Text, children: Children) -> impl IntoView {
    let t = use_texts();
    view! {
        <div class="mx-auto w-full max-w-md">
            <div class="rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
                <h1 class="text-2xl font-bold tracking-tight">{move || title(t.get())}</h1>
                <p class="mt-1 mb-6 text-slate-600">{move || lead(t.get())}</p>
                {children()}
            </div>
        </div>
    }
}

/// One `<option>` per language, the current one selected.
#[component]
pub fn LanguageOptions() -> impl IntoView {
    let lang = use_lang();
    Lang::ALL
        .into_iter()
        .map(|l| {
            view! {
                <option value=l.code() selected=move || lang.get() == l>
                    {l.native_name()}
                </option>
            }
        })
        .collect_view()
}

/// A labelled `<select name="language">` of every language, the current one selected.
#[component]
pub fn LanguageSelect(id: &'static str, label: Text) -> impl IntoView {
    let t = use_texts();
    view! {
        <div class="space-y-1">
            <label for=id class="block text-sm font-medium text-slate-700">
                {move || label(t.get())}
            </label>
            <select
                id=id
                name="language"
                class="block w-full rounded-md border border-slate-300 bg-white px-3 py-2"
            >
                <LanguageOptions />
            </select>
        </div>
    }
}

/// The error of whichever action finished last, for pages with several forms sharing one
/// alert. Each entry is an action's version and its error. In the browser the most recently
/// completed action wins; on the server (a plain form post that came back with an error)
/// only the action named in the redirect has a value, so the first error is the one.
pub fn latest_error(
    actions: Vec<(Signal<usize>, Signal<Option<AppError>>)>,
) -> Signal<Option<AppError>> {
    let last = RwSignal::new(None::<usize>);
    for (index, (version, _)) in actions.iter().enumerate() {
        let version = *version;
        Effect::new(move |_| {
            if version.get() > 0 {
                last.set(Some(index));
            }
        });
    }
    Signal::derive(move || match last.get() {
        Some(index) => actions.get(index).and_then(|(_, error)| error.get()),
        None => actions.iter().find_map(|(_, error)| error.get()),
    })
}

/// An action's version and error, as [`latest_error`] takes them.
pub fn tracked<I, O>(action: ServerAction<I>) -> (Signal<usize>, Signal<Option<AppError>>)
where
    I: leptos::server_fn::ServerFn<Output = O, Error = AppError> + Clone + Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    (action.version().into(), action_error(action))
}
