//! The load benchmark of issue 10: the release portal under `wrk`, on SQLite and on
//! PostgreSQL. A benchmark, not a test: it prints figures and never fails on time (it fails
//! only when something does not work: a page that is not 200, a child that does not start,
//! a wait that overruns its deadline).
//!
//! For each database it seeds an organization through the real portal (the owner registers
//! with `POST /fn/auth/register`; 10 members, 40 instance requests of which 20 are approved
//! into instances are written with the app's own code), starts the portal binary as a child
//! process and prints:
//! - requests per second, p50 and p99 latency (`wrk -t2 -c32 -d10s --latency`) and the HTML
//!   size of `/`, `/signin`, a small signed-in page (the organization's settings) and the
//!   organization dashboard — the signed-in two as a repeat visit (answered from the page
//!   cache) and once more with a query string, which is always rendered;
//! - the same for a bare axum handler in this process serving the dashboard's HTML from
//!   memory, and the dashboard's ratio to it;
//! - the portal's resident memory (VmRSS, and its anonymous and file-backed parts) at start,
//!   after 100 sign-ins 20 at a time, and after the load;
//! - the first-load bundle (brotli) per route: every `/pkg/` file the HTML links (script,
//!   stylesheet, modulepreload, preload), the JS those import, and the `.wasm` the main JS
//!   loader names, summed from their `.br` files in the site's `pkg/`.
//!
//! Run with `cargo bench -p server --bench pages` after
//! `cargo leptos build --release --precompress --split` (the site with the bundle, and
//! `hash.txt` beside the binary). Needs `wrk` on the `PATH`; takes about two minutes.
//! The databases are those of `support::on_both_backends`: SQLite in a temporary directory
//! and a fresh `tenantry_bench_<uuid>` on `TENANTRY_TEST_PG_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`; skipped when unreachable), both removed.
//! With `BENCH_PERF_DIR=<dir>`, each page's load is also recorded with `perf record -g`
//! (Debian's `linux-perf`) into `<dir>/<backend>-<page>.data`, to read with `perf report -i`.
//!
//! The portal is `target/release/tenantry` of `$CARGO_TARGET_DIR`. Note that `cargo bench`
//! builds that binary itself before running (bench profile, optimized like release, with
//! the dev-dependencies' features), replacing the one `cargo leptos` left. To measure the
//! `cargo leptos` build, copy it with its `hash.txt` to a directory of its own first and name
//! it: `BENCH_PORTAL=/that/dir/tenantry cargo bench -p server --bench pages`. The site is
//! `<repo>/target/site` unless `LEPTOS_SITE_ROOT` says otherwise.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
mod support;

use app::{
    audit::Actor,
    auth::{PlatformRole, caller::Staff, principal::UserPrincipal},
    db::{Backend, Db},
    i18n::Lang,
    instances::{
        requests::repo,
        wizard::{Billing, ValidRequest},
    },
    orgs::{OrgKind, Role, access::OrgAccess},
};
use reqwest::{Client, StatusCode, header};
use std::{
    collections::BTreeSet,
    path::{Path, PathBuf},
    process::{ExitCode, Stdio},
    sync::atomic::{AtomicBool, Ordering},
    time::{Duration, Instant},
};
use tokio::process::{Child, Command};

type Result<T, E = String> = std::result::Result<T, E>;

const WRK_ARGS: [&str; 4] = ["-t2", "-c32", "-d10s", "--latency"];
const COMPANY: &str = "Bench Industries AG";
const OWNER_EMAIL: &str = "owner@bench.example";
const PASSWORD: &str = "correct horse battery staple";
const MEMBERS: usize = 10;
const REQUESTS: usize = 40;
const SIGN_INS: usize = 100;
const SIGN_IN_BATCH: usize = 20;
const BUNDLE_FETCHES: usize = 5;
/// The rows added before the second start.
const START_ORGS: usize = 2_000;
const START_REQUESTS: usize = 100_000;
/// The longest one backend's whole run may take.
const BACKEND_DEADLINE: Duration = Duration::from_secs(480);
const START_DEADLINE: Duration = Duration::from_secs(30);
const PROCESS_DEADLINE: Duration = Duration::from_secs(60);

static FAILED: AtomicBool = AtomicBool::new(false);

#[tokio::main]
async fn main() -> ExitCode {
    support::on_both_backends(guarded).await;
    if FAILED.load(Ordering::SeqCst) {
        eprintln!("pages benchmark FAILED (see above)");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// Runs [`bench`] in a task with a deadline, so that neither an error, a panic nor a hang
/// keeps the database from being dropped; the portal child dies with the task.
async fn guarded(name: &'static str, db: Db) {
    let mut task = tokio::spawn(bench(name, db));
    let failure = match tokio::time::timeout(BACKEND_DEADLINE, &mut task).await {
        Ok(Ok(Ok(()))) => return,
        Ok(Ok(Err(e))) => e,
        Ok(Err(e)) => format!("panicked: {e}"),
        Err(_) => {
            task.abort();
            let _ = task.await;
            format!("did not finish within {BACKEND_DEADLINE:?}")
        }
    };
    eprintln!("\n!!! {name}: {failure}\n");
    FAILED.store(true, Ordering::SeqCst);
}

async fn bench(name: &'static str, db: Db) -> Result<()> {
    let repo_root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("no repository root")?;
    let site = std::env::var_os("LEPTOS_SITE_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root.join("target/site"));
    let binary = std::env::var_os("BENCH_PORTAL")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_tenantry")));
    let url = database_url(&db).await?;
    println!("\n== {name} — portal {}", binary.display());

    migrate(&binary, &url).await?;
    let portal = Portal::start(&binary, &url, &site, repo_root).await?;
    let rss_start = portal.rss_kib()?;
    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| format!("client: {e}"))?;

    let slug = seed(&db, &client, &portal.base).await?;
    let cookie = sign_in(&client, &portal.base).await?;

    let started = Instant::now();
    for round in 0..SIGN_INS / SIGN_IN_BATCH {
        let mut batch = tokio::task::JoinSet::new();
        for _ in 0..SIGN_IN_BATCH {
            let (client, base) = (client.clone(), portal.base.clone());
            batch.spawn(async move { sign_in(&client, &base).await });
        }
        while let Some(outcome) = batch.join_next().await {
            outcome
                .map_err(|e| format!("sign-in task: {e}"))?
                .map_err(|e| format!("sign-in round {round}: {e}"))?;
        }
    }
    let sign_in_time = started.elapsed();
    let rss_sign_ins = portal.rss_kib()?;

    let pages = [
        ("/ (anonymous)", "/".to_owned(), None),
        ("/signin (anonymous)", "/signin".to_owned(), None),
        (
            "settings (signed in, lazy)",
            format!("/orgs/{slug}/settings"),
            Some(cookie.as_str()),
        ),
        (
            "dashboard (signed in)",
            format!("/orgs/{slug}"),
            Some(cookie.as_str()),
        ),
    ];
    let mut html = Vec::new();
    for (label, path, cookie) in &pages {
        html.push(fetch_page(&client, &format!("{}{path}", portal.base), *cookie, label).await?);
    }
    let dashboard = html.last().ok_or("no pages")?.clone();
    if !dashboard.contains(COMPANY) {
        return Err("the dashboard does not name the company: not signed in?".into());
    }

    println!(
        "pages under `wrk {}` (on this machine's 2 shared cores):",
        WRK_ARGS.join(" ")
    );
    println!(
        "  {:<28} {:>9} {:>10} {:>10} {:>9}",
        "page", "req/s", "p50", "p99", "bytes"
    );
    // The signed-in pages once more with a query string, which the page cache never
    // answers: what a first visit, or one after a change, costs.
    let (signed_in, signed_in_html): (Vec<_>, Vec<_>) = pages
        .iter()
        .zip(&html)
        .filter(|((_, _, cookie), _)| cookie.is_some())
        .unzip();
    let rendered: Vec<(String, String, Option<&str>)> = signed_in
        .iter()
        .map(|(label, path, cookie)| {
            let page = label.split(" (").next().unwrap_or(label);
            (
                format!("{page}, rendered"),
                format!("{path}?render"),
                *cookie,
            )
        })
        .collect();
    let mut rates = Vec::new();
    let runs = pages
        .iter()
        .map(|(label, path, cookie)| (*label, path, *cookie))
        .chain(rendered.iter().map(|(l, p, c)| (l.as_str(), p, *c)));
    for ((label, path, cookie), body) in runs.zip(html.iter().chain(signed_in_html)) {
        let perf = Profile::start(name, path, portal.pid)?;
        let run = wrk(&format!("{}{path}", portal.base), cookie).await;
        if let Some(perf) = perf {
            perf.finish().await?;
        }
        let run = run?;
        run.print(label, body.len());
        rates.push(run.requests_per_sec);
    }
    let rss_load = portal.rss_kib()?;

    let (bare_url, bare) = bare_axum(dashboard.clone().into_bytes()).await?;
    let bare_run = wrk(&bare_url, None).await;
    bare.abort();
    let bare_run = bare_run?;
    bare_run.print("bare axum, dashboard bytes", dashboard.len());
    // The dashboard is the last page of both rounds.
    let dashboard_rates = [rates[pages.len() - 1], rates[rates.len() - 1]];
    for (label, rate) in ["dashboard", "dashboard, rendered"]
        .into_iter()
        .zip(dashboard_rates)
    {
        let ratio = rate / bare_run.requests_per_sec;
        println!(
            "  {label} / bare axum: {ratio:.4} ({:.1} % of the bare handler's rate)",
            100.0 * ratio
        );
    }

    println!("portal resident memory (VmRSS = anonymous + file-backed + shared):");
    let sign_ins = format!(
        "after {SIGN_INS} sign-ins, {SIGN_IN_BATCH} at a time ({:.1} s)",
        sign_in_time.as_secs_f64()
    );
    for (label, kib) in [
        ("at start", rss_start),
        (&sign_ins, rss_sign_ins),
        ("after the load", rss_load),
    ] {
        let mib = |k: u64| k as f64 / 1024.0;
        println!(
            "  {label:<44} {:>7.1} MiB (anonymous {:.1}, file {:.1})",
            mib(kib[0]),
            mib(kib[1]),
            mib(kib[2])
        );
    }
    let bundle = bundle_report(&client, &portal.base, &site.join("pkg"), &pages).await;
    let fresh_start = portal.started_in;
    portal.stop().await;

    // The same start again over a database with 100,000 more requests.
    let seeding = Instant::now();
    support::seed_requests(&db, START_ORGS, START_REQUESTS).await;
    let seeded_in = seeding.elapsed();
    let portal = Portal::start(&binary, &url, &site, repo_root).await?;
    let full_start = portal.started_in;
    portal.stop().await;
    println!("start of the portal process until its first answer (/healthz):");
    println!(
        "  {:<44} {:>7.1} ms",
        "seeded organization",
        fresh_start.as_secs_f64() * 1000.0
    );
    println!(
        "  {:<44} {:>7.1} ms (seeded in {:.1} s)",
        format!("and {START_REQUESTS} requests of {START_ORGS} more organizations"),
        full_start.as_secs_f64() * 1000.0,
        seeded_in.as_secs_f64()
    );
    bundle
}

/// The URL the portal child should open: the benchmark's database, found from its pool.
async fn database_url(db: &Db) -> Result<String> {
    match db.backend() {
        Backend::Sqlite => {
            let file: String =
                sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
                    .fetch_one(db.pool())
                    .await
                    .map_err(|e| format!("SQLite file: {e}"))?;
            Ok(format!("sqlite://{file}"))
        }
        Backend::Postgres => {
            let name: String = sqlx::query_scalar("SELECT current_database()::text")
                .fetch_one(db.pool())
                .await
                .map_err(|e| format!("database name: {e}"))?;
            // The server support::on_both_backends created it on.
            let admin = std::env::var("TENANTRY_TEST_PG_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
            let server = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
            Ok(format!("{server}/{name}"))
        }
    }
}

/// The portal binary running `command` on the database at `url`, configured only by what
/// this benchmark sets (every inherited `TENANTRY_*` and `LEPTOS_*` variable is removed:
/// the portal refuses unknown ones).
fn portal_command(binary: &Path, command: &str, url: &str) -> Command {
    let mut cmd = Command::new(binary);
    for (key, _) in std::env::vars_os() {
        let key_text = key.to_string_lossy();
        if key_text.starts_with("TENANTRY_") || key_text.starts_with("LEPTOS_") {
            cmd.env_remove(&key);
        }
    }
    cmd.arg(command)
        .env("TENANTRY_DATABASE_URL", url)
        .env("TENANTRY_LOG", "warn")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    cmd
}

/// `tenantry migrate`: the schema the portal binary itself carries.
async fn migrate(binary: &Path, url: &str) -> Result<()> {
    let run = portal_command(binary, "migrate", url).output();
    let out = tokio::time::timeout(PROCESS_DEADLINE, run)
        .await
        .map_err(|_| format!("`tenantry migrate` did not finish within {PROCESS_DEADLINE:?}"))?
        .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
    if !out.status.success() {
        return Err(format!(
            "`tenantry migrate` failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

/// The portal as a child process; killed when dropped (on every error path too).
struct Portal {
    child: Child,
    pid: u32,
    /// From spawning the process to its first `200` on `/healthz`.
    started_in: Duration,
    base: String,
    log: PathBuf,
}

impl Portal {
    async fn start(binary: &Path, url: &str, site: &Path, dir: &Path) -> Result<Portal> {
        let (port, ops_port) = (free_port()?, free_port()?);
        let base = format!("http://127.0.0.1:{port}");
        let log = std::env::temp_dir().join(format!(
            "tenantry-bench-portal-{}.log",
            uuid::Uuid::new_v4().simple()
        ));
        let log_file = std::fs::File::create(&log).map_err(|e| format!("log file: {e}"))?;
        let log_err = log_file.try_clone().map_err(|e| format!("log file: {e}"))?;
        let child = portal_command(binary, "serve", url)
            .current_dir(dir)
            .env("TENANTRY_LISTEN", format!("127.0.0.1:{port}"))
            .env("TENANTRY_BASE_URL", &base)
            .env("TENANTRY_OPS__LISTEN", format!("127.0.0.1:{ops_port}"))
            .env("TENANTRY_RATE_LIMITS__REGISTRATIONS_PER_HOUR", "1000")
            // A sign-in counts against these while its password is checked: 20 at once
            // for one account from one address are a burst the defaults (5, 20) refuse.
            .env("TENANTRY_RATE_LIMITS__SIGN_IN_FAILURES_PER_ACCOUNT", "1000")
            .env("TENANTRY_RATE_LIMITS__SIGN_IN_FAILURES_PER_ADDRESS", "1000")
            .env("LEPTOS_SITE_ROOT", site)
            .env("LEPTOS_ENV", "PROD")
            .stdout(Stdio::from(log_file))
            .stderr(Stdio::from(log_err))
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let spawned = Instant::now();
        let pid = child.id().ok_or("the portal exited at once")?;
        let mut portal = Portal {
            child,
            pid,
            started_in: Duration::ZERO,
            base,
            log,
        };
        portal.wait_healthy().await?;
        portal.started_in = spawned.elapsed();
        Ok(portal)
    }

    async fn wait_healthy(&mut self) -> Result<()> {
        let client = Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .map_err(|e| format!("client: {e}"))?;
        let deadline = Instant::now() + START_DEADLINE;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("the portal exited ({status}): {}", self.log_tail()));
            }
            let res = client.get(format!("{}/healthz", self.base)).send().await;
            if res.is_ok_and(|r| r.status() == StatusCode::OK) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "the portal did not answer /healthz within {START_DEADLINE:?}: {}",
                    self.log_tail()
                ));
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        format!(
            "last lines of {}:\n{}",
            self.log.display(),
            lines[lines.len().saturating_sub(20)..].join("\n")
        )
    }

    /// The portal's resident memory in KiB: VmRSS, and of it the anonymous part (the heap
    /// and stacks) and the file-backed part (mostly the binary's code as it is touched).
    fn rss_kib(&self) -> Result<[u64; 3]> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid))
            .map_err(|e| format!("/proc/{}/status: {e}", self.pid))?;
        let field = |name: &str| -> Result<u64> {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                .ok_or_else(|| format!("no {name} in /proc status"))
        };
        Ok([field("VmRSS:")?, field("RssAnon:")?, field("RssFile:")?])
    }

    async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await;
        let _ = std::fs::remove_file(&self.log);
    }
}

fn free_port() -> Result<u16> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("free port: {e}"))
}

/// The organization: the owner registers through the portal, then 10 members, a platform
/// operator and 40 instance requests (20 approved into instances, in various phases) are
/// written with the app's code. Returns the organization's slug.
async fn seed(db: &Db, client: &Client, base: &str) -> Result<String> {
    let form = [
        ("kind", "company"),
        ("company_name", COMPANY),
        ("given_name", "Olga"),
        ("family_name", "Owner"),
        ("email", OWNER_EMAIL),
        ("password", PASSWORD),
        ("language", "en"),
    ];
    server_fn(client, base, "auth/register", &form).await?;
    let (org, owner, slug): (String, String, String) = sqlx::query_as(
        "SELECT o.id, m.user_id, o.slug FROM organizations o
         JOIN memberships m ON m.organization_id = o.id AND m.role = 'owner'",
    )
    .fetch_one(db.pool())
    .await
    .map_err(|e| format!("the registered organization: {e}"))?;
    let sql = |e: sqlx::Error| format!("seeding: {e}");
    // As if the owner had followed the confirmation link: an unconfirmed account sees no
    // organization.
    sqlx::query("UPDATE users SET email_verified_at = $1 WHERE id = $2")
        .bind(app::db::now_ms())
        .bind(&owner)
        .execute(db.pool())
        .await
        .map_err(sql)?;

    for i in 0..MEMBERS {
        let id = uuid::Uuid::new_v4().to_string();
        sqlx::query(
            "INSERT INTO users (id, email, given_name, family_name, display_name, language, status,
                                created_at, updated_at, email_verified_at)
             VALUES ($1, $2, 'Member', $3, $4, 'en', 'active', 0, 0, 0)",
        )
        .bind(&id)
        .bind(format!("member{i:02}@bench.example"))
        .bind(format!("No{i:02}"))
        .bind(format!("Member No{i:02}"))
        .execute(db.pool())
        .await
        .map_err(sql)?;
        sqlx::query(
            "INSERT INTO memberships (organization_id, user_id, role, created_at)
             VALUES ($1, $2, $3, 0)",
        )
        .bind(&org)
        .bind(&id)
        .bind(["admin", "member", "member", "viewer"][i % 4])
        .execute(db.pool())
        .await
        .map_err(sql)?;
    }

    let operator = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO users (id, email, given_name, family_name, display_name, language, status,
                            platform_role, created_at, updated_at, email_verified_at)
         VALUES ($1, 'operator@bench.example', 'Pat', 'Operator', 'Pat Operator', 'en', 'active',
                 'platform_operator', 0, 0, 0)",
    )
    .bind(&operator)
    .execute(db.pool())
    .await
    .map_err(sql)?;
    let principal = |user_id: &str, email: &str, name: &str, role| UserPrincipal {
        user_id: user_id.to_owned(),
        email: email.to_owned(),
        display_name: name.to_owned(),
        language: Lang::En,
        platform_role: role,
        suspended: false,
        email_verified: true,
        session_hash: String::new(),
        memberships: None,
    };
    let actor = |user: &str| Actor {
        user_id: Some(user.to_owned()),
        api_key_id: None,
        client_addr: "127.0.0.1".to_owned(),
    };
    let staff = Staff {
        user: principal(
            &operator,
            "operator@bench.example",
            "Pat Operator",
            Some(PlatformRole::PlatformOperator),
        ),
        actor: actor(&operator),
    };
    let access = OrgAccess {
        org_id: org.clone(),
        slug: slug.clone(),
        display_name: COMPANY.to_owned(),
        kind: OrgKind::Company,
        role: Role::Owner,
        is_member: true,
        user: principal(&owner, OWNER_EMAIL, "Olga Owner", None),
        actor: actor(&owner),
        writes: true,
    };

    let mut instances = Vec::new();
    for i in 0..REQUESTS {
        let request = ValidRequest {
            instance_label: Some(format!("Assistant {i:02}")),
            agent_name: format!("Agent {i:02}"),
            soul_md: "# Soul\n\nHelpful, precise and brief.\n".into(),
            agents_md: "# Agents\n\nAnswers the team's questions.\n".into(),
            packages: vec!["telegram".into(), "git".into()],
            billing: Billing {
                company: Some(COMPANY.into()),
                street: "Bahnhofstrasse 1".into(),
                postal_code: "8001".into(),
                city: "Zürich".into(),
                country: "CH".into(),
                notes: None,
            },
            contact_name: "Olga Owner".into(),
            contact_email: OWNER_EMAIL.into(),
            secrets: vec![],
        };
        let id = repo::create(db, None, &access, &request, base)
            .await
            .map_err(|e| format!("request {i}: {e}"))?;
        if i % 2 == 0 {
            let (name, _) = repo::approve(db, &id, &staff, None, base)
                .await
                .map_err(|e| format!("approval {i}: {e}"))?;
            instances.push(name);
        }
    }
    // Most instances run; a few are on their way or failed.
    for (i, name) in instances.iter().enumerate() {
        let phase = match i {
            0..14 => "Ready",
            14..17 => "Provisioning",
            17..19 => "Pending",
            _ => "Error",
        };
        sqlx::query("UPDATE instances SET phase = $1 WHERE name = $2")
            .bind(phase)
            .bind(name)
            .execute(db.pool())
            .await
            .map_err(sql)?;
    }
    println!(
        "seeded: {COMPANY} ({slug}), owner + {MEMBERS} members, {REQUESTS} requests, {} instances",
        instances.len()
    );
    Ok(slug)
}

/// Calls a server function the way the Leptos client does; returns the response on 200.
async fn server_fn(
    client: &Client,
    base: &str,
    endpoint: &str,
    form: &[(&str, &str)],
) -> Result<reqwest::Response> {
    let res = client
        .post(format!("{base}/fn/{endpoint}"))
        .header(header::ACCEPT, "application/json")
        .form(form)
        .send()
        .await
        .map_err(|e| format!("POST /fn/{endpoint}: {e}"))?;
    if res.status() != StatusCode::OK {
        let status = res.status();
        let body = res.text().await.unwrap_or_default();
        return Err(format!("POST /fn/{endpoint}: {status}: {body}"));
    }
    Ok(res)
}

/// Signs the owner in; returns the `Cookie` header value of the new session.
async fn sign_in(client: &Client, base: &str) -> Result<String> {
    let form = [("email", OWNER_EMAIL), ("password", PASSWORD)];
    let res = server_fn(client, base, "auth/sign_in", &form).await?;
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("tenantry_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
        .ok_or_else(|| "sign-in set no tenantry_session cookie".into())
}

/// A page's HTML, which must come with 200.
async fn fetch_page(
    client: &Client,
    url: &str,
    cookie: Option<&str>,
    label: &str,
) -> Result<String> {
    let mut req = client.get(url);
    if let Some(cookie) = cookie {
        req = req.header(header::COOKIE, cookie);
    }
    let res = req.send().await.map_err(|e| format!("{label}: {e}"))?;
    let status = res.status();
    let body = res.text().await.map_err(|e| format!("{label}: {e}"))?;
    if status != StatusCode::OK {
        return Err(format!("{label} answered {status}, not 200"));
    }
    Ok(body)
}

/// What one `wrk` run printed that this benchmark reports.
struct WrkRun {
    requests_per_sec: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// "Non-2xx or 3xx responses" and "Socket errors" lines, when wrk printed any.
    problems: Vec<String>,
}

impl WrkRun {
    fn print(&self, label: &str, bytes: usize) {
        println!(
            "  {label:<28} {:>9.1} {:>7.2} ms {:>7.2} ms {bytes:>9}{}",
            self.requests_per_sec,
            self.p50_ms,
            self.p99_ms,
            if self.problems.is_empty() {
                String::new()
            } else {
                format!("   !! {}", self.problems.join("; "))
            }
        );
    }
}

/// A `perf record` of the portal while one page is loaded, when `BENCH_PERF_DIR` names a
/// directory: `<dir>/<backend>-<page>.data`, for `perf report -i`. Sampled by the CPU clock
/// (this machine's virtual CPUs have no hardware counters).
struct Profile {
    child: Child,
    file: PathBuf,
}

impl Profile {
    fn start(backend: &str, path: &str, pid: u32) -> Result<Option<Profile>> {
        let Some(dir) = std::env::var_os("BENCH_PERF_DIR").map(PathBuf::from) else {
            return Ok(None);
        };
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let page: String = path
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let file = dir.join(format!("{}-{page}.data", backend.to_lowercase()));
        let child = Command::new("perf")
            .args(["record", "-e", "cpu-clock", "-F", "499", "-g", "-o"])
            .arg(&file)
            .args(["-p", &pid.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot run perf: {e}"))?;
        Ok(Some(Profile { child, file }))
    }

    /// Stops the recording (perf writes its file on SIGINT) and waits for it.
    async fn finish(mut self) -> Result<()> {
        let pid = self.child.id().ok_or("perf exited early")?;
        let stop = Command::new("kill")
            .args(["-INT", &pid.to_string()])
            .status()
            .await
            .map_err(|e| format!("cannot stop perf: {e}"))?;
        if !stop.success() {
            return Err(format!("cannot stop perf {pid}"));
        }
        tokio::time::timeout(PROCESS_DEADLINE, self.child.wait())
            .await
            .map_err(|_| "perf did not stop".to_owned())?
            .map_err(|e| format!("perf: {e}"))?;
        println!("  (profile: {})", self.file.display());
        Ok(())
    }
}

async fn wrk(url: &str, cookie: Option<&str>) -> Result<WrkRun> {
    let mut cmd = Command::new("wrk");
    cmd.args(WRK_ARGS).kill_on_drop(true);
    if let Some(cookie) = cookie {
        cmd.arg("-H").arg(format!("Cookie: {cookie}"));
    }
    let out = tokio::time::timeout(PROCESS_DEADLINE, cmd.arg(url).output())
        .await
        .map_err(|_| format!("wrk did not finish within {PROCESS_DEADLINE:?}"))?
        .map_err(|e| format!("cannot run wrk: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "wrk failed ({}): {text}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let field = |prefix: &str| {
        text.lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(prefix))
            .map(str::trim)
    };
    let latency = |percent: &str| {
        field(percent)
            .and_then(duration_ms)
            .ok_or_else(|| format!("no {percent} latency in wrk's output: {text}"))
    };
    Ok(WrkRun {
        requests_per_sec: field("Requests/sec:")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("no Requests/sec in wrk's output: {text}"))?,
        p50_ms: latency("50%")?,
        p99_ms: latency("99%")?,
        problems: text
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("Non-2xx") || l.starts_with("Socket errors"))
            .map(str::to_owned)
            .collect(),
    })
}

/// wrk's durations (`812.00us`, `1.23ms`, `2.01s`, `1.00m`) in milliseconds.
fn duration_ms(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let scale = match unit {
        "us" => 0.001,
        "ms" => 1.0,
        "s" => 1000.0,
        "m" => 60_000.0,
        _ => return None,
    };
    Some(number * scale)
}

/// A bare axum handler in this process serving `html` from memory: what the portal's
/// rendering costs is measured against it. Returns its URL and its server task.
async fn bare_axum(html: Vec<u8>) -> Result<(String, tokio::task::JoinHandle<()>)> {
    use axum::{body::Bytes, http::header::CONTENT_TYPE, routing::get};
    let body = Bytes::from(html);
    let router = axum::Router::new().route(
        "/",
        get(move || {
            let body = body.clone();
            async move { ([(CONTENT_TYPE, "text/html; charset=utf-8")], body) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("bind: {e}"))?;
    let addr = listener.local_addr().map_err(|e| format!("bind: {e}"))?;
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok((format!("http://{addr}/"), task))
}

/// Prints, per route, the brotli size of what its first load fetches from `pkg`.
/// Each route's HTML is fetched [`BUNDLE_FETCHES`] times and the files of all fetches
/// counted: the chunk preloads of a lazy route are not in every render (a race in the
/// server render, reported with the figures when seen).
async fn bundle_report(
    client: &Client,
    base: &str,
    pkg: &Path,
    pages: &[(&str, String, Option<&str>)],
) -> Result<()> {
    let files: Vec<String> = std::fs::read_dir(pkg)
        .map_err(|e| format!("{}: {e}", pkg.display()))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    let br_size = |name: &str| {
        std::fs::metadata(pkg.join(format!("{name}.br")))
            .map(|m| m.len())
            .map_err(|e| {
                format!(
                    "{}/{name}.br: {e} (was the site built with --precompress?)",
                    pkg.display()
                )
            })
    };
    let kib = |bytes: u64| bytes as f64 / 1024.0;
    println!(
        "first-load bundle per route (brotli .br files in {}, KiB):",
        pkg.display()
    );
    println!(
        "  {:<28} {:>8} {:>8} {:>8} {:>8}",
        "route", "wasm", "js", "css", "total"
    );
    let mut counted = Vec::new();
    for (label, path, cookie) in pages {
        let mut seen = Vec::new();
        for _ in 0..BUNDLE_FETCHES {
            let html = fetch_page(client, &format!("{base}{path}"), *cookie, label).await?;
            seen.push(first_load(&html, pkg, &files)?);
        }
        let assets: BTreeSet<String> = seen.iter().flatten().cloned().collect();
        let in_every = seen.iter().filter(|s| **s == assets).count();
        if in_every < BUNDLE_FETCHES {
            counted.push(format!(
                "    !! {label}: only {in_every} of {BUNDLE_FETCHES} renders linked all of these"
            ));
        }
        let (mut wasm, mut js, mut css) = (0, 0, 0);
        for name in &assets {
            let size = br_size(name)?;
            match Path::new(name).extension().and_then(|e| e.to_str()) {
                Some("wasm") => wasm += size,
                Some("js") => js += size,
                Some("css") => css += size,
                _ => return Err(format!("{name}: neither wasm, js nor css")),
            }
        }
        println!(
            "  {label:<28} {:>8.1} {:>8.1} {:>8.1} {:>8.1}",
            kib(wasm),
            kib(js),
            kib(css),
            kib(wasm + js + css)
        );
        counted.push(format!(
            "    {label}: {}",
            assets.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    println!("  counted files:\n{}", counted.join("\n"));
    let mut all = 0;
    for name in files.iter().filter(|n| n.ends_with(".br")) {
        all += br_size(name.trim_end_matches(".br"))?;
    }
    println!(
        "  all .br files in pkg: {:.1} KiB in {} files",
        kib(all),
        files.iter().filter(|n| n.ends_with(".br")).count()
    );
    Ok(())
}

/// The `pkg` files a page's first load fetches: the `/pkg/` URLs of its `<script src>` and
/// of its `<link href>` with rel stylesheet, modulepreload or preload; the JS those import
/// statically (`from"./x.js"`: the main loader imports `__wasm_split.js`); and the `.wasm`
/// the main loader (`tenantry[.hash].js`) names, if `pkg` has it. The chunks that
/// `__wasm_split.js` names load on demand and count only where the page preloads them.
fn first_load(html: &str, pkg: &Path, files: &[String]) -> Result<BTreeSet<String>> {
    let mut assets = BTreeSet::new();
    for (tag, attr) in [("<script", "src"), ("<link", "href")] {
        for element in html.split(tag).skip(1) {
            let element = element.split('>').next().unwrap_or_default();
            let rel = attribute(element, "rel");
            let linked =
                tag == "<script" || matches!(rel, Some("stylesheet" | "modulepreload" | "preload"));
            let url = attribute(element, attr).and_then(|u| u.strip_prefix("/pkg/"));
            if let Some(name) = url.filter(|_| linked) {
                assets.insert(name.split(['?', '#']).next().unwrap_or(name).to_owned());
            }
        }
    }
    let mut scripts: Vec<String> = assets
        .iter()
        .filter(|n| n.ends_with(".js"))
        .cloned()
        .collect();
    while let Some(script) = scripts.pop() {
        let source = std::fs::read_to_string(pkg.join(&script))
            .map_err(|e| format!("{}/{script}: {e}", pkg.display()))?;
        let main_loader = script.starts_with("tenantry.");
        for name in files {
            let imported = name.ends_with(".js")
                && [format!("from\"./{name}\""), format!("from \"./{name}\"")]
                    .iter()
                    .any(|import| source.contains(import.as_str()));
            let main_wasm =
                main_loader && name.ends_with(".wasm") && source.contains(name.as_str());
            if imported && assets.insert(name.clone()) {
                scripts.push(name.clone());
            }
            if main_wasm {
                assets.insert(name.clone());
            }
        }
    }
    if assets.is_empty() {
        return Err("the page links no /pkg/ files".into());
    }
    Ok(assets)
}

/// The value of `name="…"` in an element's opening tag.
fn attribute<'a>(element: &'a str, name: &str) -> Option<&'a str> {
    let start = element.find(&format!(" {name}=\""))? + name.len() + 3;
    element[start..].split('"').next()
}
