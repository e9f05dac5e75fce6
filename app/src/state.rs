//! The application state every handler and server function reads.

use crate::{config::Config, db::Db, error::AppError};
use axum::extract::FromRef;
use leptos::prelude::*;
use std::sync::Arc;

/// Shared by the router (`with_state`) and provided to server functions as context.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub config: Arc<Config>,
}

/// The state inside a server function or SSR render.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>()
        .ok_or_else(|| AppError::internal("app state", "AppState is not in the Leptos context"))
}
