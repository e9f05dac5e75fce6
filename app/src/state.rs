//! The application state every handler and server function reads.

use crate::{config::Config, db::Db, mail::outbox, ops::Metrics};
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use std::sync::Arc;
use tokio::sync::{Notify, broadcast};

/// Wakes a background worker early (work was queued) instead of at its next poll.
#[derive(Clone, Default)]
pub struct Waker(Arc<Notify>);

impl Waker {
    pub fn wake(&self) {
        self.0.notify_one();
    }

    /// Resolves at the next [`Waker::wake`] (or at once for one that came meanwhile).
    pub async fn notified(&self) {
        self.0.notified().await;
    }
}

/// Shared by the router (`with_state`) and provided to server functions as context. One
/// pointer: every middleware, route and server function clones it per request, and a clone
/// of the parts (a dozen reference counts) showed in the render profile.
#[derive(Clone)]
pub struct AppState(Arc<Parts>);

/// What [`AppState`] holds; read through it (`state.db`, `state.config`).
pub struct Parts {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub config: Arc<Config>,
    /// Ids of organizations whose requests or instances just changed (or
    /// [`crate::instances::live::EVERYONE`]); open dashboards of that organization look at
    /// once. On SQLite only this process's changes arrive here; on PostgreSQL every
    /// process's, through LISTEN/NOTIFY ([`crate::instances::live::relay_notifications`]).
    pub live: broadcast::Sender<String>,
    /// Wakes the notification worker after an email was queued.
    pub outbox: outbox::Waker,
    /// Wakes the provisioning worker after a run was queued.
    pub engine: Waker,
    /// Request counts and latencies, open streams and workers, for `/metrics` and `/readyz`.
    pub metrics: Arc<Metrics>,
    /// Verified API keys, dropped whenever the database's key epoch moves.
    pub keys: Arc<crate::keys::verify::KeyCache>,
    /// The integrations' last health checks, kept by a background loop.
    pub integrations: Arc<crate::provisioning::health::Board>,
    /// Rendered pages answered again while nothing they show changed.
    pub pages: crate::page_cache::PageCache,
}

impl std::ops::Deref for AppState {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

/// `leptos_routes` reads the Leptos options from the router's state.
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> LeptosOptions {
        state.leptos_options.clone()
    }
}

impl AppState {
    pub fn new(leptos_options: LeptosOptions, db: Db, config: Arc<Config>) -> AppState {
        AppState(Arc::new(Parts {
            leptos_options,
            db,
            config,
            live: broadcast::channel(256).0,
            outbox: outbox::Waker::default(),
            engine: Waker::default(),
            metrics: Arc::default(),
            keys: Arc::new(crate::keys::verify::KeyCache::new()),
            integrations: Arc::default(),
            pages: Default::default(),
        }))
    }

    /// Announces a committed change of organization `org_id`'s requests or instances (and
    /// the emails or provisioning runs it may have queued). On PostgreSQL the announcement goes through the
    /// database, so open dashboards in every process hear it (this one too, by its relay).
    pub fn changed(&self, org_id: &str) {
        self.outbox.wake();
        self.engine.wake();
        if self.db.backend() == crate::db::Backend::Sqlite {
            // No open dashboard means no receiver; that is fine.
            let _ = self.live.send(org_id.to_owned());
            return;
        }
        let (db, live, org_id) = (self.db.clone(), self.live.clone(), org_id.to_owned());
        tokio::spawn(async move {
            if let Err(err) = crate::instances::live::notify(&db, &org_id).await {
                tracing::warn!(%err, "live NOTIFY failed; only this process's streams hear it");
                let _ = live.send(org_id);
            }
        });
    }
}
