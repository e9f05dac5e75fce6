//! What a page shows while its data loads and when loading failed.

use crate::{
    components::form::error_code,
    error::AppError,
    i18n::{use_lang, use_texts},
};
use leptos::prelude::*;
use leptos_router::components::Redirect;
use std::sync::Arc;

/// The loading line used as a `Suspense` fallback.
#[component]
pub fn Loading() -> impl IntoView {
    let t = use_texts();
    view! { <p class="text-slate-500">{move || t.get().loading}</p> }
}

/// A failed load: signed-out or suspended callers go to sign-in, accounts with an
/// unconfirmed address to the page that says so; anything else shows the localized message,
/// and a server render answers with the error's own HTTP status.
pub fn load_error(err: AppError) -> AnyView {
    if matches!(err, AppError::Unauthenticated | AppError::AccountSuspended) {
        return view! { <Redirect path="/signin" /> }.into_any();
    }
    if err == AppError::EmailUnverified {
        return view! { <Redirect path="/confirm-email" /> }.into_any();
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

/// A resource's data once it is there: [`Loading`] until then, the children with the data
/// when it loaded, [`load_error`] when it failed (so a server render answers 404, 403, … and
/// a signed-out caller goes to sign-in).
///
/// ```ignore
/// let users = Resource::new(move || q(), list_users);
/// view! {
///     <Loaded resource=users let:page>
///         <UserTable page />
///     </Loaded>
/// }
/// ```
///
/// Create the resource in the page component, as above, never inside the children (a
/// resource created under a Suspense child can hang the render, leptos-rs/leptos#4866).
/// `transition` keeps the last view while a refetch loads instead of showing [`Loading`]
/// again. `error` replaces [`load_error`] for the errors a page shows its own way; it can
/// pass the rest on to [`load_error`].
#[component]
pub fn Loaded<T, V, F>(
    resource: Resource<Result<T, AppError>>,
    children: F,
    #[prop(optional)] transition: bool,
    #[prop(optional)] error: Option<Callback<AppError, AnyView>>,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
    F: Fn(T) -> V + Send + Sync + 'static,
{
    let children = Arc::new(children);
    let body = move || {
        let children = Arc::clone(&children);
        Suspend::new(async move {
            match resource.await {
                Ok(data) => children(data).into_any(),
                Err(err) => match error {
                    Some(error) => error.try_run(err).unwrap_or_else(|| ().into_any()),
                    None => load_error(err),
                },
            }
        })
    };
    if transition {
        view! { <Transition fallback=Loading>{body}</Transition> }.into_any()
    } else {
        view! { <Suspense fallback=Loading>{body}</Suspense> }.into_any()
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::Loaded;
    use crate::error::AppError;
    use any_spawner::Executor;
    use futures_util::StreamExt;
    use leptos::prelude::*;

    async fn render(result: Result<u32, AppError>, custom: bool) -> (String, Option<u16>) {
        let _ = Executor::init_tokio();
        let owner = Owner::new();
        owner.set();
        let response = leptos_axum::ResponseOptions::default();
        provide_context(response.clone());
        let resource = Resource::new(|| (), move |_| std::future::ready(result.clone()));
        let error = custom.then(|| {
            Callback::new(|err: AppError| {
                view! { <p data-test="own">{err.to_string()}</p> }.into_any()
            })
        });
        let html = view! {
            <Loaded resource nostrip:error=error let:n>
                <b>{n}</b>
            </Loaded>
        }
        .to_html_stream_in_order()
        .collect::<String>()
        .await;
        let status = response
            .0
            .read()
            .ok()
            .and_then(|p| p.status)
            .map(|s| s.as_u16());
        (html, status)
    }

    #[tokio::test]
    async fn shows_the_data() {
        let (html, status) = render(Ok(7), false).await;
        assert!(html.contains("<b>7</b>"), "{html}");
        assert_eq!(status, None);
    }

    #[tokio::test]
    async fn not_found_answers_404_with_the_message() {
        let (html, status) = render(Err(AppError::NotFound), false).await;
        assert!(html.contains(r#"role="alert""#), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert_eq!(status, Some(404));
    }

    #[tokio::test]
    async fn a_page_may_show_errors_its_own_way() {
        let (html, status) = render(Err(AppError::NotFound), true).await;
        assert!(html.contains(r#"data-test="own""#), "{html}");
        assert_eq!(status, None);
    }
}
