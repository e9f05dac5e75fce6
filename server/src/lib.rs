//! The portal's HTTP server: opens the database, runs migrations and builds the router.
//! Kept thin; everything with behaviour lives in the `app` crate.

use app::{
    App,
    auth::middleware::{
        payload_too_large_as_json, refuse_cross_site, request_context, server_fn_error_status,
    },
    config::Config,
    db::{Db, DbError},
    ops, shell,
    state::AppState,
};
use axum::{Router, extract::State, middleware, routing::get};
use leptos::prelude::*;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use std::{
    net::SocketAddr,
    sync::{Arc, OnceLock},
};
use tower_http::limit::RequestBodyLimitLayer;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] app::config::ConfigError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("leptos configuration: {0}")]
    Leptos(String),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("server error: {0}")]
    Serve(std::io::Error),
}

/// Leptos options from the environment cargo-leptos sets (or its defaults).
pub fn leptos_options() -> Result<LeptosOptions, StartError> {
    let mut options = get_configuration(None)
        .map_err(|e| StartError::Leptos(e.to_string()))?
        .leptos_options;
    if options.output_name.is_empty() {
        options.output_name = "tenantry".into();
    }
    // The release build names its files by content hash (`hash-files`) and writes the names
    // to hash.txt beside the binary; use them unless LEPTOS_HASH_FILES says otherwise.
    if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
        options.hash_files = std::env::current_exe()
            .ok()
            .and_then(|exe| Some(exe.parent()?.join(options.hash_file.as_ref())))
            .is_some_and(|path| path.is_file());
    }
    Ok(options)
}

/// Opens the database and applies migrations.
pub async fn open_db(config: &Config) -> Result<Db, StartError> {
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    Ok(db)
}

/// The app's routes, generated once per process. Generating them sets leptos_server's
/// process-wide `SuppressResourceLoad` flag, so every resource created meanwhile — in a page
/// another router of this process is rendering — never loads, and that render waits forever
/// (leptos-rs/leptos#4773; it stalled about one test render in thirty when each test built
/// its own router). Generating once, before anything serves, rules that out.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The whole application router with its layers.
pub fn router(state: AppState) -> Router {
    let routes = route_list();
    let options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(health))
        .merge(app::api::router())
        .merge(app::mcp::router(&state))
        .route("/audit/export.csv", get(app::audit::export::export_csv))
        .route("/events", get(app::instances::live::events))
        .route("/verify-email", get(app::auth::verification::verify_email))
        .route("/auth/oidc/{id}/start", get(app::auth::oidc::flow::start))
        .route(
            "/auth/oidc/{id}/callback",
            get(app::auth::oidc::flow::callback),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            app::security::provide_request_nonce,
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(app::security::provide_request_nonce, shell))
        // Innermost first: these run in reverse order of `layer` calls.
        .layer(middleware::from_fn_with_state(state.clone(), ops::deadline))
        .layer(middleware::from_fn(server_fn_error_status))
        .layer(middleware::from_fn(
            app::security::refuse_control_characters,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            refuse_cross_site,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            app::page_cache::serve,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            request_context,
        ))
        .layer(RequestBodyLimitLayer::new(state.config.max_body_bytes))
        .layer(middleware::from_fn(payload_too_large_as_json))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            ops::cache_control,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            app::security::headers,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), ops::track))
        .with_state(state)
}

/// Builds the state: database (migrated), config and Leptos options.
pub async fn state(config: Config, leptos_options: LeptosOptions) -> Result<AppState, StartError> {
    let db = open_db(&config).await?;
    Ok(AppState::new(leptos_options, db, Arc::new(config)))
}

/// Starts the background work of a serving process: the notification outbox worker, the
/// provisioning worker and, on PostgreSQL, the relay of live-stream notifications. Their handles are kept so `/readyz`
/// reports a worker that stopped.
pub fn start_workers(state: &AppState) {
    let outbox = tokio::spawn(app::mail::outbox::run(
        state.db.clone(),
        state.config.clone(),
        state.outbox.clone(),
    ));
    state.metrics.add_worker("outbox", outbox);
    let keys = tokio::spawn(app::keys::verify::watch_epoch(
        state.db.clone(),
        state.keys.clone(),
    ));
    state.metrics.add_worker("api_key_epoch", keys);
    let integrations = tokio::spawn(app::provisioning::health::monitor(state.clone()));
    state.metrics.add_worker("integration_health", integrations);
    for _ in 0..state.config.provisioning.workers {
        let engine = tokio::spawn(app::provisioning::engine::run(state.clone()));
        state.metrics.add_worker("provisioning", engine);
    }
    if state.db.backend() == app::db::Backend::Postgres {
        let relay = tokio::spawn(app::instances::live::relay_notifications(
            state.config.database_url.clone(),
            state.live.clone(),
        ));
        state.metrics.add_worker("live_notifications", relay);
    }
}

/// Serves the operations endpoints (`/healthz`, `/readyz`, `/metrics`) on their own
/// listener until the process ends.
pub fn serve_ops(listener: tokio::net::TcpListener, state: AppState) {
    tokio::spawn(async move {
        if let Err(err) = axum::serve(listener, ops::router(state)).await {
            tracing::error!(%err, "operations endpoints stopped");
        }
    });
}

/// Serves `router` on `listener` until Ctrl-C or SIGTERM.
pub async fn serve(listener: tokio::net::TcpListener, router: Router) -> Result<(), StartError> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(StartError::Serve)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

/// Liveness and database reachability.
async fn health(State(state): State<AppState>) -> (http::StatusCode, &'static str) {
    match app::db::ping(&state.db).await {
        true => (http::StatusCode::OK, "ok"),
        false => (
            http::StatusCode::SERVICE_UNAVAILABLE,
            "database unavailable",
        ),
    }
}
