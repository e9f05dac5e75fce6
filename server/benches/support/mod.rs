//! Shared by the benchmarks: a fresh SQLite and a fresh PostgreSQL database to run on, and
//! the latency summary they print.

use app::{db::Db, instances::status::RequestStatus};
use secrecy::SecretString;
use std::{future::Future, time::Duration};

/// The `p` quantile of sorted durations, in milliseconds.
pub fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

/// One line: median and p95 of `times` (sorted here).
pub fn report(label: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "  {label:<44} median {:>7.2} ms   p95 {:>7.2} ms",
        percentile(&times, 0.5),
        percentile(&times, 0.95)
    );
}

/// The PostgreSQL server the benchmarks use (as the tests do).
fn pg_admin_url() -> String {
    std::env::var("TENANTRY_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// The URL of database `name` on that server.
pub fn database_url(name: &str) -> SecretString {
    let admin = pg_admin_url();
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    SecretString::from(format!("{base}/{name}"))
}

/// Runs `bench` on a new SQLite database, then on a new PostgreSQL database
/// (`TENANTRY_TEST_PG_URL`, skipped when unreachable); both are removed afterwards.
pub async fn on_both_backends<F, Fut>(bench: F)
where
    F: Fn(&'static str, Db) -> Fut,
    Fut: Future<Output = ()>,
{
    sqlx::any::install_default_drivers();
    let dir =
        std::env::temp_dir().join(format!("tenantry-bench-{}", uuid::Uuid::new_v4().simple()));
    let url = SecretString::from(format!("sqlite://{}/bench.db", dir.display()));
    bench("SQLite", Db::connect(&url).await.unwrap()).await;
    let _ = std::fs::remove_dir_all(dir);

    let admin = pg_admin_url();
    let name = format!("tenantry_bench_{}", uuid::Uuid::new_v4().simple());
    let Ok(pool) = sqlx::AnyPool::connect(&admin).await else {
        println!("PostgreSQL: not reachable at {admin}, skipped");
        return;
    };
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&pool)
        .await
        .unwrap();
    let db = Db::connect(&database_url(&name)).await.unwrap();
    bench("PostgreSQL", db.clone()).await;
    db.close().await;
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&pool)
        .await
        .unwrap();
}

/// `requests` instance requests (one in ten pending, the rest decided) spread over `orgs`
/// organizations, in one transaction, then the statistics a running server would have.
pub async fn seed_requests(db: &Db, orgs: usize, requests: usize) {
    let mut tx = db.pool().begin().await.unwrap();
    let org_ids = insert_orgs(&mut tx, orgs).await;
    for i in 0..requests {
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
        .bind(&org_ids[i % orgs])
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

/// `count` active companies (`bench-org-00000`, ...), their ids in order.
pub async fn insert_orgs(tx: &mut sqlx::Transaction<'_, sqlx::Any>, count: usize) -> Vec<String> {
    let mut ids = Vec::with_capacity(count);
    for i in 0..count {
        let id = uuid::Uuid::new_v4().to_string();
        sqlx::query(
            "INSERT INTO organizations (id, kind, slug, display_name, status, created_at, updated_at)
             VALUES ($1, 'company', $2, $3, 'active', 0, 0)",
        )
        .bind(&id)
        .bind(format!("bench-org-{i:05}"))
        .bind(format!("Bench Company {i:05}"))
        .execute(&mut **tx)
        .await
        .unwrap();
        ids.push(id);
    }
    ids
}
