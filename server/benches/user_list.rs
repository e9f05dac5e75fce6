//! Platform user list over 10,000 users on SQLite and PostgreSQL: prints median and p95
//! latency per page shape. A benchmark, not a test: it reports numbers and never fails on
//! time. Run with `cargo bench -p server --bench user_list`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use app::{db::Db, platform::users::repo};
use std::time::Instant;
use support::report;

#[allow(dead_code)]
mod support;

const USERS: usize = 10_000;
const RUNS: usize = 60;

async fn seed(db: &Db) {
    let mut tx = db.pool().begin().await.unwrap();
    for i in 0..USERS {
        sqlx::query(
            "INSERT INTO users (id, email, given_name, family_name, display_name, language, status,
                                created_at, updated_at, last_active_at)
             VALUES ($1, $2, 'Bench', 'User', $3, 'en', 'active', 0, 0, 0)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(format!("user{i:05}@bench{}.example", i % 97))
        .bind(format!("Bench User {i:05}"))
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

async fn measure(db: &Db, label: &str, query: &str, page: u32) {
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let start = Instant::now();
        let result = repo::list(db, query, page).await.unwrap();
        times.push(start.elapsed());
        assert!(result.total > 0);
    }
    report(label, times);
}

async fn run(name: &str, db: Db) {
    db.migrate().await.unwrap();
    let start = Instant::now();
    seed(&db).await;
    println!(
        "{name}: seeded {USERS} users in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    measure(&db, "page 1, no search", "", 1).await;
    measure(&db, "page 100, no search", "", 100).await;
    measure(&db, "last page (200), no search", "", 200).await;
    measure(&db, "search \"bench42\" (email domain)", "bench42", 1).await;
    measure(&db, "search \"user 09\" (name)", "user 09", 1).await;
}

#[tokio::main]
async fn main() {
    support::on_both_backends(run).await;
}
