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

#[allow(dead_code)]
mod support;

const ORGS: usize = 2_000;
const REQUESTS: usize = 100_000;
const RUNS: usize = 40;

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
    support::seed_requests(&db, ORGS, REQUESTS).await;
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
