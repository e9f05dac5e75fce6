//! The admin queue over 100,000 instance requests on SQLite and PostgreSQL: prints median
//! and p95 latency per page shape. A benchmark, not a test: it reports numbers and never
//! fails on time. Run with `cargo bench -p server --bench request_queue`. The data is
//! settled first (VACUUM ANALYZE on PostgreSQL, ANALYZE on SQLite), as on a running server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use app::{
    db::Db,
    instances::{
        requests::{StatusFilter, repo},
        status::RequestStatus,
    },
};
use std::time::Instant;
use support::report;

mod support;

const ORGS: usize = 2_000;
const REQUESTS: usize = 100_000;
const RUNS: usize = 40;

async fn seed(db: &Db) {
    let mut tx = db.pool().begin().await.unwrap();
    let mut orgs = Vec::with_capacity(ORGS);
    for i in 0..ORGS {
        let id = uuid::Uuid::new_v4().to_string();
        sqlx::query(
            "INSERT INTO organizations (id, kind, slug, display_name, status, created_at, updated_at)
             VALUES ($1, 'company', $2, $3, 'active', 0, 0)",
        )
        .bind(&id)
        .bind(format!("bench-org-{i:05}"))
        .bind(format!("Bench Company {i:05}"))
        .execute(&mut *tx)
        .await
        .unwrap();
        orgs.push(id);
    }
    for i in 0..REQUESTS {
        // One in ten is still pending; the rest were decided.
        let status = match i % 10 {
            0 => RequestStatus::Pending,
            1 => RequestStatus::Rejected,
            _ => RequestStatus::Approved,
        };
        sqlx::query(
            "INSERT INTO instance_requests (id, organization_id, status, agent_name, soul_md, agents_md,
                packages, billing_street, billing_postal_code, billing_city, billing_country,
                contact_name, contact_email, created_at, updated_at)
             VALUES ($1, $2, $3, 'Agent', '', '', '[]', 'S', 'P', 'C', 'CH', $4, $5, $6, $6)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(&orgs[i % ORGS])
        .bind(status.as_str())
        .bind(format!("Contact {i:06}"))
        .bind(format!("contact{i:06}@bench.example"))
        .bind(i as i64)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    // What autovacuum does after a bulk insert on a real server: statistics and the
    // visibility map (which lets PostgreSQL answer from an index alone).
    let settle = match db.backend() {
        app::db::Backend::Postgres => "VACUUM ANALYZE",
        app::db::Backend::Sqlite => "ANALYZE",
    };
    sqlx::query(settle).execute(db.pool()).await.unwrap();
}

async fn measure(db: &Db, label: &str, status: StatusFilter, query: &str, page: u32) {
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let start = Instant::now();
        let (rows, total) = repo::queue(db, status, query, page).await.unwrap();
        times.push(start.elapsed());
        assert!(total > 0 && !rows.is_empty(), "{label}");
    }
    report(label, times);
}

async fn run(name: &str, db: Db) {
    db.migrate().await.unwrap();
    let start = Instant::now();
    seed(&db).await;
    println!(
        "{name}: seeded {REQUESTS} requests of {ORGS} organizations in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    let (pending, all) = (
        StatusFilter::Only(RequestStatus::Pending),
        StatusFilter::All,
    );
    measure(&db, "pending, page 1", pending, "", 1).await;
    measure(&db, "pending, last page (200)", pending, "", 200).await;
    measure(&db, "all statuses, page 1 (pending first)", all, "", 1).await;
    measure(&db, "all statuses, page 1000", all, "", 1000).await;
    measure(
        &db,
        "pending, search \"company 01230\"",
        pending,
        "company 01230",
        1,
    )
    .await;
    measure(&db, "all, search contact email", all, "contact012345@", 1).await;
}

#[tokio::main]
async fn main() {
    support::on_both_backends(run).await;
}
