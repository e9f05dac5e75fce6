//! The pages that load on navigation: each is a lazy route, so its code is a separate WASM
//! chunk fetched when a person first opens it, and the first load of `/`, `/signin` and an
//! organization's dashboard carries none of it. On the server a lazy route renders in full,
//! as every page does, so it works without JavaScript.
//!
//! Each wrapper renders the page component as it is; the page's resources start when its
//! chunk has arrived.

use leptos::prelude::*;
use leptos_router::{Lazy, LazyRoute, lazy_route};

/// Declares `pub struct $route;`, a lazy route that renders `$page`.
macro_rules! lazy_page {
    ($($(#[$meta:meta])* $route:ident => $page:path;)+) => {
        $(
            $(#[$meta])*
            pub struct $route;

            impl $route {
                /// The route's view, for `<Route view=...>`.
                pub fn lazy() -> Lazy<$route> {
                    Lazy::new()
                }
            }

            #[lazy_route]
            impl LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                fn view(_this: Self) -> AnyView {
                    view! { <$page /> }.into_any()
                }
            }
        )+
    };
}

lazy_page! {
    /// The onboarding wizard.
    WizardRoute => crate::instances::wizard::page::WizardPage;
    /// The staff's request queue.
    RequestQueueRoute => crate::instances::requests::page::RequestQueuePage;
    /// One request, for staff.
    RequestDetailRoute => crate::instances::requests::page::RequestDetailPage;
    /// The platform overview: instances, requests, integrations' health.
    PlatformOverviewRoute => crate::platform::overview::page::PlatformOverviewPage;
    /// User administration.
    PlatformUsersRoute => crate::platform::users::page::PlatformUsersPage;
    /// An organization's or the platform's audit log.
    AuditLogRoute => crate::audit::page::AuditLogPage;
    /// Organization settings.
    OrgSettingsRoute => crate::orgs::settings::page::OrgSettingsPage;
    /// An invitation link.
    InviteRoute => crate::orgs::invitations::page::InvitePage;
    /// "Confirm your email address".
    ConfirmEmailRoute => crate::auth::ConfirmEmailPage;
    /// Members and invitations of an organization.
    MembersRoute => crate::orgs::members::page::MembersPage;
    /// An organization's API keys.
    KeysRoute => crate::keys::page::KeysPage;
    /// The REST API's reference.
    ApiDocsRoute => crate::docs::page::ApiDocsPage;
}
