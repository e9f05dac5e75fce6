//! The application state every handler and server function reads.

use crate::{config::Config, db::Db, mail::outbox, ops::Metrics};
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use std::sync::Arc;
use tokio::sync::broadcast;

/// Shared by the router (`with_state`) and provided to server functions as context.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub config: Arc<Config>,
    /// Ids of organizations whose requests or instances just changed in this process; open
    /// dashboards of that organization look at once instead of at their next poll.
    pub live: broadcast::Sender<String>,
    /// Wakes the notification worker after an email was queued.
    pub outbox: outbox::Waker,
    /// Request counts and latencies, open streams and workers, for `/metrics` and `/readyz`.
    pub metrics: Arc<Metrics>,
}

impl AppState {
    pub fn new(leptos_options: LeptosOptions, db: Db, config: Arc<Config>) -> AppState {
        AppState {
            leptos_options,
            db,
            config,
            live: broadcast::channel(256).0,
            outbox: outbox::Waker::default(),
            metrics: Arc::default(),
        }
    }

    /// Announces a committed change of organization `org_id`'s requests or instances (and
    /// the emails it may have queued).
    pub fn changed(&self, org_id: &str) {
        // No open dashboard means no receiver; that is fine.
        let _ = self.live.send(org_id.to_owned());
        self.outbox.wake();
    }
}
