//! Tenantry: the Leptos application. Pages, components and server functions are grouped by
//! capability; the server-side domain (database, sessions, audit) is compiled only with the
//! `ssr` feature, the browser build only with `hydrate`.

// Leptos view types nest deeply; the members table exceeds rustc's default query depth in
// release builds (https://github.com/leptos-rs/leptos/issues/2962).
#![recursion_limit = "256"]

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod assets;
pub mod audit;
pub mod auth;
pub mod components;
pub mod docs;
pub mod error;
pub mod i18n;
pub mod instances;
pub mod keys;
#[cfg(feature = "ssr")]
pub mod mail;
#[cfg(feature = "ssr")]
pub mod mcp;
pub mod orgs;
pub mod pages;
pub mod platform;
pub mod routes;
pub mod text_enum;

#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod ops;
#[cfg(feature = "ssr")]
pub mod page_cache;
#[cfg(feature = "ssr")]
pub mod provisioning;
#[cfg(feature = "ssr")]
pub mod secrets;
#[cfg(feature = "ssr")]
pub mod security;
#[cfg(feature = "ssr")]
pub mod state;

use auth::{SessionInfo, get_session};
use components::layout::Layout;
use error::AppError;
use i18n::I18n;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use leptos_meta::MetaTags;
use leptos_meta::{Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};

/// The HTML document around the app, rendered on the server.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = i18n::initial_lang();
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.ico" />
                <AutoReload options=options.clone() />
                <assets::BundleTags options />
                <MetaTags />
            </head>
            <body class="bg-slate-50 text-slate-900 antialiased">
                <App />
            </body>
        </html>
    }
}

/// The session resource every page reads; refetch it after sign-in, sign-out or a language
/// change.
#[derive(Clone, Copy)]
pub struct SessionResource(pub Resource<Result<SessionInfo, AppError>>);

/// The session resource from context.
pub fn use_session() -> SessionResource {
    use_context::<SessionResource>()
        .unwrap_or_else(|| SessionResource(Resource::new(|| (), |_| get_session())))
}

impl SessionResource {
    /// The session, once loaded.
    pub fn info(&self) -> Option<SessionInfo> {
        self.0.get().and_then(Result::ok)
    }

    pub fn refetch(&self) {
        self.0.refetch();
    }
}

/// The application root.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let session = SessionResource(Resource::new(|| (), |_| get_session()));
    provide_context(session);
    provide_context(I18n(RwSignal::new(i18n::initial_lang())));

    view! {
        <Title text="Tenantry" />
        <Router>
            <Layout>
                // Async: the server waits for every resource, so the HTML arrives complete
                // (forms work without script) and the status code can still be set.
                <Routes fallback=pages::not_found::NotFound>
                    <Route path=path!("") view=pages::home::HomePage ssr=SsrMode::Async />
                    <Route
                        path=path!("register")
                        view=auth::pages::RegisterPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("signin") view=auth::pages::SignInPage ssr=SsrMode::Async />
                    <Route
                        path=path!("confirm-email")
                        view=routes::ConfirmEmailRoute::lazy()
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("dashboard")
                        view=orgs::dashboard::DashboardPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("orgs/:slug/members")
                        view=routes::MembersRoute::lazy()
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("platform")
                        view=routes::PlatformOverviewRoute::lazy()
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("platform/users")
                        view=routes::PlatformUsersRoute::lazy()
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("orgs/:slug/audit")
                        view=routes::AuditLogRoute::lazy()
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("platform/requests")
                        view=routes::RequestQueueRoute::lazy()
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("platform/requests/:id")
                        view=routes::RequestDetailRoute::lazy()
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("orgs/:slug")
                        view=instances::dashboard::OrgDashboardPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("orgs/:slug/new-instance")
                        view=routes::WizardRoute::lazy()
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("platform/audit")
                        view=routes::AuditLogRoute::lazy()
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("invite/:token")
                        view=routes::InviteRoute::lazy()
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("orgs/:slug/settings")
                        view=routes::OrgSettingsRoute::lazy()
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("orgs/:slug/keys")
                        view=routes::KeysRoute::lazy()
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("api/docs")
                        view=routes::ApiDocsRoute::lazy()
                        ssr=SsrMode::Async
                    />
                </Routes>
            </Layout>
        </Router>
    }
}
