//! The provisioning engine draining 1,000 approved instances: one worker on SQLite, two
//! workers with their own connection pools (as two processes) on PostgreSQL. The LiteLLM
//! steps are skipped (driver off); both webhook steps deliver to a loopback receiver that
//! counts each event id, so "no step ran twice" is checked on what arrived. Prints runs/s
//! and p50/p99 of run latency (queued → done) and of step time. A benchmark, not a test.
//! Run with `cargo bench -p server --bench provisioning`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use app::{config::Config, db::Db, provisioning::engine::Engine, state::AppState};
use axum::{Router, http::HeaderMap, routing::post};
use figment::providers::Serialized;
use leptos::prelude::LeptosOptions;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use support::percentile;

#[allow(dead_code)]
mod support;

const RUNS: usize = 1_000;
const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

/// A webhook endpoint counting deliveries per `webhook-id`.
async fn receiver() -> (String, Arc<Mutex<HashMap<String, usize>>>) {
    let seen: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let counts = seen.clone();
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap| {
            let counts = counts.clone();
            async move {
                let id = headers
                    .get("webhook-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                *counts.lock().unwrap().entry(id).or_default() += 1;
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, seen)
}

/// 1,000 approved instances of 10 organizations, each with its queued run.
async fn seed(db: &Db) {
    let mut tx = db.pool().begin().await.unwrap();
    let orgs = support::insert_orgs(&mut tx, 10).await;
    for i in 0..RUNS {
        let org = &orgs[i % orgs.len()];
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
        .bind(org)
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO instances (id, organization_id, request_id, name, display_name, phase,
                                    packages, created_at, updated_at)
             VALUES ($1, $2, $3, $4, 'Bench', 'Pending', '[]', 0, 0)",
        )
        .bind(&instance)
        .bind(org)
        .bind(&request)
        .bind(format!("bench-{i:04}"))
        .execute(&mut *tx)
        .await
        .unwrap();
        app::provisioning::repo::enqueue(
            &mut tx,
            &instance,
            org,
            app::provisioning::RunKind::Provision,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

fn state(db: Db, url: &str, secret_file: &std::path::Path) -> AppState {
    let figment = Config::figment(None)
        .merge(Serialized::default("database_url", "sqlite://unused.db"))
        .merge(Serialized::default(
            "provisioning",
            serde_json::json!({
                "workers": 0,
                "webhook": {"enabled": true, "url": url, "secret_file": secret_file},
            }),
        ));
    let config = Config::from_figment(figment).unwrap();
    let options = LeptosOptions::builder().output_name("tenantry").build();
    AppState::new(options, db, Arc::new(config))
}

async fn run(name: &str, db: Db) {
    db.migrate().await.unwrap();
    seed(&db).await;
    let (url, seen) = receiver().await;
    let secret_file = std::env::temp_dir().join(format!("bench-secret-{}", uuid::Uuid::new_v4()));
    std::fs::write(&secret_file, SECRET).unwrap();
    // PostgreSQL: two workers with their own pools, as two processes would run them.
    let workers: Vec<AppState> = match db.backend() {
        app::db::Backend::Sqlite => vec![state(db.clone(), &url, &secret_file)],
        app::db::Backend::Postgres => {
            let name: String = sqlx::query_scalar("SELECT CAST(current_database() AS TEXT)")
                .fetch_one(db.pool())
                .await
                .unwrap();
            let second = Db::connect(&support::database_url(&name)).await.unwrap();
            vec![
                state(db.clone(), &url, &secret_file),
                state(second.clone(), &url, &secret_file),
            ]
        }
    };
    let start = Instant::now();
    let tasks: Vec<_> = workers
        .into_iter()
        .map(|state| {
            tokio::spawn(async move {
                let engine = Engine::new(state).unwrap();
                let mut done = 0;
                while engine.work_one().await.unwrap() {
                    done += 1;
                }
                done
            })
        })
        .collect();
    let mut per_worker = Vec::new();
    for task in tasks {
        per_worker.push(task.await.unwrap());
    }
    let elapsed = start.elapsed();
    let finished: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT created_at, finished_at FROM provisioning_runs WHERE status = 'done'",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    let mut run_latency: Vec<Duration> = finished
        .iter()
        .map(|(queued, done)| Duration::from_millis(u64::try_from(done - queued).unwrap_or(0)))
        .collect();
    run_latency.sort();
    let steps: Vec<(String, i64)> = sqlx::query_as(
        "SELECT run_id, finished_at FROM provisioning_steps ORDER BY run_id, position",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    let mut step_time: Vec<Duration> = steps
        .windows(2)
        .filter(|w| w[0].0 == w[1].0)
        .map(|w| Duration::from_millis(u64::try_from(w[1].1 - w[0].1).unwrap_or(0)))
        .collect();
    step_time.sort();
    let counts = seen.lock().unwrap();
    let twice = counts.values().filter(|n| **n > 1).count();
    println!(
        "{name}: {} runs by {} worker(s) {per_worker:?} in {:.2} s = {:.0} runs/s",
        finished.len(),
        per_worker.len(),
        elapsed.as_secs_f64(),
        finished.len() as f64 / elapsed.as_secs_f64()
    );
    println!(
        "  run latency (queued → done)  p50 {:>8.1} ms   p99 {:>8.1} ms",
        percentile(&run_latency, 0.5),
        percentile(&run_latency, 0.99)
    );
    println!(
        "  step time                    p50 {:>8.1} ms   p99 {:>8.1} ms",
        percentile(&step_time, 0.5),
        percentile(&step_time, 0.99)
    );
    println!(
        "  webhook events {} (expected {}), delivered more than once: {twice}",
        counts.len(),
        RUNS * 2
    );
    let _ = std::fs::remove_file(secret_file);
}

#[tokio::main]
async fn main() {
    support::on_both_backends(run).await;
}
