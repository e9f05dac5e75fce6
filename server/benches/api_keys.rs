//! API keys and the REST API, on SQLite and PostgreSQL. Prints:
//! - key verification per second on one core when the key is in the process's cache
//!   (`keys::verify::verify`, checksum and SHA-256 included; goal ≥ 3M/s);
//! - authenticated `GET /api/v1/orgs/<slug>/instances` (20 instances with their steps)
//!   through the whole router, against a bare axum handler serving the same JSON bytes from
//!   memory, both loaded by the same in-process client (32 connections, 5 s; goal ≥ 0.6×);
//! - how long a revocation takes to reach a second process (its own pool and cache, its
//!   epoch watcher polling), over 20 revocations (goal ≤ 1 s).
//!
//! A benchmark, not a test. Run with `cargo bench -p server --bench api_keys`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use app::{config::Config, db::Db, keys::verify, state::AppState};
use figment::providers::Serialized;
use leptos::prelude::LeptosOptions;
use sha2::Digest;
use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};
use support::percentile;

#[allow(dead_code)]
mod support;

const INSTANCES: usize = 20;

/// One organization `bench` with its owner, 20 instances with their queued steps, and a
/// read key; returns the token.
async fn seed(db: &Db) -> String {
    let mut tx = db.pool().begin().await.unwrap();
    let (org, user) = (
        uuid::Uuid::new_v4().to_string(),
        uuid::Uuid::new_v4().to_string(),
    );
    sqlx::query(
        "INSERT INTO organizations (id, kind, slug, display_name, status, created_at, updated_at)
         VALUES ($1, 'company', 'bench', 'Bench', 'active', 0, 0)",
    )
    .bind(&org)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO users (id, email, given_name, family_name, display_name, language, status,
                            created_at, updated_at, email_verified_at)
         VALUES ($1, 'owner@bench.example', 'O', 'Wner', 'Owner', 'en', 'active', 0, 0, 0)",
    )
    .bind(&user)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO memberships (organization_id, user_id, role, created_at)
         VALUES ($1, $2, 'owner', 0)",
    )
    .bind(&org)
    .bind(&user)
    .execute(&mut *tx)
    .await
    .unwrap();
    for i in 0..INSTANCES {
        let (request, instance) = (
            uuid::Uuid::new_v4().to_string(),
            uuid::Uuid::new_v4().to_string(),
        );
        sqlx::query(
            "INSERT INTO instance_requests (id, organization_id, status, agent_name, soul_md, agents_md,
                packages, billing_street, billing_postal_code, billing_city, billing_country,
                contact_name, contact_email, created_at, updated_at)
             VALUES ($1, $2, 'approved', 'Agent', '', '', '[]', 'S', 'P', 'C', 'CH', 'N', 'n@x.example', 0, 0)",
        )
        .bind(&request)
        .bind(&org)
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO instances (id, organization_id, request_id, name, display_name, phase,
                                    packages, created_at, updated_at)
             VALUES ($1, $2, $3, $4, 'Bench', 'Pending', '[\"git\"]', $5, 0)",
        )
        .bind(&instance)
        .bind(&org)
        .bind(&request)
        .bind(format!("bench-{i:04}"))
        .bind(i64::try_from(i).unwrap())
        .execute(&mut *tx)
        .await
        .unwrap();
        app::provisioning::repo::enqueue(
            &mut tx,
            &instance,
            &org,
            app::provisioning::RunKind::Provision,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    insert_key(db, &org, &user).await
}

async fn insert_key(db: &Db, org: &str, user: &str) -> String {
    let token = app::keys::token::generate().unwrap();
    sqlx::query(
        "INSERT INTO api_keys (id, organization_id, name, token_hash, display_prefix, scopes,
                               created_by, created_at, updated_at)
         VALUES ($1, $2, 'bench', $3, 'tny_…', 'read', $4, 0, 0)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(org)
    .bind(hex::encode(sha2::Sha256::digest(token.as_bytes())))
    .bind(user)
    .execute(db.pool())
    .await
    .unwrap();
    token
}

fn state(db: Db) -> AppState {
    let figment = Config::figment(None)
        .merge(Serialized::default("database_url", "sqlite://unused.db"))
        .merge(Serialized::default("provisioning.workers", 0))
        .merge(Serialized::default(
            "rate_limits.api_key_failures_per_minute",
            1_000_000,
        ));
    let config = Config::from_figment(figment).unwrap();
    let options = LeptosOptions::builder()
        .output_name("tenantry")
        .site_root("target/site")
        .build();
    AppState::new(options, db, Arc::new(config))
}

/// A second connection pool on the same database, as another process has.
async fn second_pool(db: &Db) -> Db {
    match db.backend() {
        app::db::Backend::Sqlite => {
            let file: String =
                sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
                    .fetch_one(db.pool())
                    .await
                    .unwrap();
            let url = secrecy::SecretString::from(format!("sqlite://{file}"));
            Db::connect(&url).await.unwrap()
        }
        app::db::Backend::Postgres => {
            let name: String = sqlx::query_scalar("SELECT CAST(current_database() AS TEXT)")
                .fetch_one(db.pool())
                .await
                .unwrap();
            Db::connect(&support::database_url(&name)).await.unwrap()
        }
    }
}

/// Cache hits of `verify`, on this thread alone.
async fn verifications(state: &AppState, token: &str) {
    verify::verify(&state.db, &state.keys, token).await.unwrap();
    let n = 2_000_000u32;
    let start = Instant::now();
    for _ in 0..n {
        std::hint::black_box(
            verify::verify(&state.db, &state.keys, std::hint::black_box(token))
                .await
                .unwrap(),
        );
    }
    let rate = f64::from(n) / start.elapsed().as_secs_f64();
    println!(
        "  key verification, cache hit      {:>12.0} /s (one core)",
        rate
    );
}

/// Requests per second from 32 concurrent connections for 5 s, and p50/p99 latency.
async fn load(url: &str, token: &str) -> (f64, f64, f64) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let done = Arc::new(AtomicU64::new(0));
    let until = Instant::now() + Duration::from_secs(5);
    let start = Instant::now();
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let (client, url, token, done) = (
                client.clone(),
                url.to_owned(),
                token.to_owned(),
                done.clone(),
            );
            tokio::spawn(async move {
                let mut times = Vec::new();
                while Instant::now() < until {
                    let at = Instant::now();
                    let res = client.get(&url).bearer_auth(&token).send().await.unwrap();
                    assert!(res.status().is_success(), "{url}: {}", res.status());
                    res.bytes().await.unwrap();
                    times.push(at.elapsed());
                    done.fetch_add(1, Ordering::Relaxed);
                }
                times
            })
        })
        .collect();
    let mut times = Vec::new();
    for task in tasks {
        times.extend(task.await.unwrap());
    }
    let elapsed = start.elapsed().as_secs_f64();
    times.sort();
    (
        done.load(Ordering::Relaxed) as f64 / elapsed,
        percentile(&times, 0.5),
        percentile(&times, 0.99),
    )
}

async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = server::serve(listener, router).await;
    });
    base
}

async fn rest_against_bare_axum(state: &AppState, token: &str) {
    let base = serve(server::router(state.clone())).await;
    let path = "/api/v1/orgs/bench/instances?limit=20";
    let body = reqwest::Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let page: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), INSTANCES);
    let bytes = body.clone();
    let bare = axum::Router::new().route(
        "/bare",
        axum::routing::get(move || {
            let bytes = bytes.clone();
            async move { ([(http::header::CONTENT_TYPE, "application/json")], bytes) }
        }),
    );
    let bare_base = serve(bare).await;
    let (api, api50, api99) = load(&format!("{base}{path}"), token).await;
    let (raw, raw50, raw99) = load(&format!("{bare_base}/bare"), token).await;
    println!(
        "  GET /api/v1/…/instances ({} B)  {api:>9.0} req/s   p50 {api50:>6.2} ms   p99 {api99:>6.2} ms",
        body.len()
    );
    println!(
        "  bare axum, same bytes            {raw:>9.0} req/s   p50 {raw50:>6.2} ms   p99 {raw99:>6.2} ms"
    );
    println!("  ratio                            {:>9.2}×", api / raw);
}

async fn revocation_propagation(state: &AppState) {
    let other = state_with_watcher(second_pool(&state.db).await);
    let (org, user): (String, String) =
        sqlx::query_as("SELECT organization_id, user_id FROM memberships")
            .fetch_one(state.db.pool())
            .await
            .unwrap();
    let mut times = Vec::new();
    for _ in 0..20 {
        let token = insert_key(&state.db, &org, &user).await;
        // Both processes have it cached before it is revoked.
        verify::verify(&state.db, &state.keys, &token)
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        verify::verify(&other.db, &other.keys, &token)
            .await
            .unwrap();
        let hash = hex::encode(sha2::Sha256::digest(token.as_bytes()));
        let start = Instant::now();
        sqlx::query("UPDATE api_keys SET revoked_at = 1 WHERE token_hash = $1")
            .bind(&hash)
            .execute(state.db.pool())
            .await
            .unwrap();
        loop {
            if verify::verify(&other.db, &other.keys, &token)
                .await
                .is_err()
            {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(10), "never refused");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        times.push(start.elapsed());
    }
    times.sort();
    println!(
        "  revocation seen by a 2nd process  p50 {:>6.0} ms   max {:>6.0} ms  (20 revocations)",
        percentile(&times, 0.5),
        percentile(&times, 1.0)
    );
}

/// A process's state with its epoch watcher running.
fn state_with_watcher(db: Db) -> AppState {
    let state = state(db);
    tokio::spawn(verify::watch_epoch(state.db.clone(), state.keys.clone()));
    state
}

async fn run(name: &str, db: Db) {
    db.migrate().await.unwrap();
    let token = seed(&db).await;
    let state = state_with_watcher(db);
    tokio::time::sleep(Duration::from_millis(500)).await;
    println!("{name}:");
    verifications(&state, &token).await;
    rest_against_bare_axum(&state, &token).await;
    revocation_propagation(&state).await;
}

#[tokio::main]
async fn main() {
    support::on_both_backends(run).await;
}
