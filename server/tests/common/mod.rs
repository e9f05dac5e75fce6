//! `spawn_app()`: the real router on an ephemeral port with a fresh database, and a
//! cookie-keeping client with typed helpers. Every test runs once on SQLite and once on
//! PostgreSQL through [`both_backends!`].
#![allow(dead_code)]

pub mod fakes;
pub mod keys;
pub mod peers;
pub mod upstreams;

use app::{config::Config, db::Db};
use figment::providers::Serialized;
use leptos::prelude::LeptosOptions;
use reqwest::{Client, Response, StatusCode, header};
use sqlx::Row;
use std::{path::PathBuf, sync::Arc};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running portal plus what a test needs to talk to it and inspect it.
pub struct TestApp {
    pub base: String,
    /// The operations endpoints (`/healthz`, `/readyz`, `/metrics`) on their own port.
    pub ops_base: String,
    pub database_url: String,
    pub client: Client,
    pub db: Db,
    pub config: Arc<Config>,
    /// The loopback SMTP server, when the test asked for `"smtp" => "loopback"`.
    pub mailbox: Option<peers::Mailbox>,
    /// The loopback OpenID provider (issuer id `test`), for `"oidc" => "loopback"`.
    pub oidc: Option<peers::OidcPeer>,
    peers_dir: PathBuf,
    /// Where mail goes when the test has no loopback SMTP server.
    pub sink_dir: PathBuf,
    cleanup: Cleanup,
    /// The last server function called through [`TestApp::call`] or
    /// [`TestApp::call_with_cookie`], named when a test overruns its deadline.
    last_call: std::sync::Mutex<String>,
}

/// How long one test scenario may take on one backend before it fails, naming what it was
/// waiting for. Most take seconds; the authorization matrix (every route for ten callers)
/// takes about 50 s alone and was seen at 131 s with a second build loading both cores.
pub const TEST_DEADLINE: std::time::Duration = std::time::Duration::from_secs(240);

enum Cleanup {
    Dir(PathBuf),
    PgDatabase { admin_url: String, name: String },
}

/// The PostgreSQL server used by tests (trust auth on the project machines).
fn pg_admin_url() -> String {
    std::env::var("TENANTRY_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A valid onboarding request for the organization `slug` (one package without secrets), as
/// the wizard's form posts it.
pub fn minimal_request(slug: &str) -> Vec<(String, String)> {
    [
        ("slug", slug),
        ("draft[instance_label]", "Support Bot"),
        ("draft[agent_name]", "Ada"),
        ("draft[soul_md]", "# Soul"),
        ("draft[agents_md]", "# Agents"),
        ("draft[packages][]", "git"),
        ("draft[billing_company]", "Acme GmbH"),
        ("draft[billing_street]", "Main 1"),
        ("draft[billing_postal_code]", "8000"),
        ("draft[billing_city]", "Zürich"),
        ("draft[billing_country]", "Switzerland"),
        ("draft[billing_notes]", ""),
        ("draft[contact_name]", "Jo Tester"),
        ("draft[contact_email]", "jo@acme.example"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// Registers Acme (owner `owner@acme.example`, signed in), submits a request and has a
/// new platform admin approve it; returns the instance's id.
pub async fn acme_instance(app: &TestApp) -> String {
    app.register_company("Acme", "owner@acme.example").await;
    submit_and_approve(app, "admin@platform.example").await
}

/// Submits a request for Acme (as its signed-in owner) and approves it as a new platform
/// admin `admin`; returns the instance's id.
pub async fn submit_and_approve(app: &TestApp, admin: &str) -> String {
    submit_form_and_approve(app, &minimal_request("acme"), admin).await
}

/// Submits the request `request` (as the signed-in member) and approves it as a new
/// platform admin `admin`; returns the instance's id.
pub async fn submit_form_and_approve(
    app: &TestApp,
    request: &[(String, String)],
    admin: &str,
) -> String {
    let form: Vec<(&str, &str)> = request
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let res = app.call("requests/submit", &form).await;
    assert_eq!(res.status(), StatusCode::OK);
    let id: String = res.json().await.unwrap();
    let (_, admin) = app.staff("platform_admin", admin, "en").await;
    let res = app
        .call_with_cookie("admin/requests/approve", &[("id", &id)], &admin)
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    sqlx::query_scalar("SELECT id FROM instances WHERE request_id = $1")
        .bind(&id)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

/// The phase of instance `id`.
pub async fn phase_of(app: &TestApp, id: &str) -> String {
    sqlx::query_scalar("SELECT phase FROM instances WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

/// The raw `.eml` files in the file sink addressed to `email`, oldest first.
pub fn sink_messages(dir: &std::path::Path, email: &str) -> Vec<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "eml"));
    // Named `<milliseconds>-<random>.eml`.
    files.sort();
    let to = format!("to: {}", email.to_lowercase());
    files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter(|raw| raw.to_lowercase().lines().any(|l| l.trim() == to))
        .collect()
}

/// Starts the portal; `None` only when PostgreSQL (or a requested peer) is unavailable
/// outside CI (the test is skipped with a loud message). Under `CI=true` that fails the test.
///
/// Two settings start real peers instead of being passed on: `"smtp" => "loopback"` (an
/// aiosmtpd server the portal mails to, read through [`TestApp::mailbox`]) and
/// `"oidc" => "loopback"` (an oidc-provider configured as issuer `test`).
pub async fn spawn_app(
    backend: Backend,
    settings: &[(&str, serde_json::Value)],
) -> Option<TestApp> {
    sqlx::any::install_default_drivers();
    let id = uuid::Uuid::new_v4().simple().to_string();
    let (database_url, cleanup) = match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(format!("tenantry-test-{id}"));
            let url = format!("sqlite://{}/tenantry.db", dir.display());
            (url, Cleanup::Dir(dir))
        }
        Backend::Postgres => {
            let admin_url = pg_admin_url();
            let name = format!("tenantry_test_{id}");
            match sqlx::AnyPool::connect(&admin_url).await {
                Ok(pool) => {
                    sqlx::query(&format!("CREATE DATABASE {name}"))
                        .execute(&pool)
                        .await
                        .expect("create test database");
                    pool.close().await;
                }
                Err(e) => {
                    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
                        panic!("PostgreSQL at {admin_url} is required under CI: {e}");
                    }
                    eprintln!("\n!!! SKIPPING PostgreSQL test: cannot reach {admin_url}: {e}\n");
                    return None;
                }
            }
            let base = admin_url
                .rsplit_once('/')
                .map(|(b, _)| b)
                .unwrap_or(&admin_url)
                .to_owned();
            (
                format!("{base}/{name}"),
                Cleanup::PgDatabase { admin_url, name },
            )
        }
    };

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("local addr");
    let base = format!("http://{addr}");
    let mut figment = Config::figment(None)
        .merge(Serialized::default("database_url", &database_url))
        .merge(Serialized::default("base_url", &base));
    let peers_dir = std::env::temp_dir().join(format!("tenantry-peers-{id}"));
    std::fs::create_dir_all(&peers_dir).expect("peers dir");
    // Without a relay, mail goes to this file sink (as README command 1 does under data/).
    let sink_dir = peers_dir.join("mail-sink");
    figment = figment.merge(Serialized::default("smtp.sink_dir", &sink_dir));
    let loopback = serde_json::Value::from("loopback");
    let (mut mailbox, mut oidc) = (None, None);
    for (key, value) in settings {
        match (*key, value) {
            ("smtp", v) if *v == loopback => {
                let mb = peers::Mailbox::start(&peers_dir).await?;
                figment = figment.merge(Serialized::default(
                    "smtp",
                    serde_json::json!({
                        "host": "127.0.0.1", "port": mb.port, "tls": "none",
                        "from": "Tenantry <portal@tenantry.test>",
                    }),
                ));
                mailbox = Some(mb);
            }
            ("oidc", v) if *v == loopback => {
                let peer =
                    peers::OidcPeer::start(&format!("{base}/auth/oidc/test/callback")).await?;
                let secret_file = peers_dir.join("oidc-client-secret");
                std::fs::write(&secret_file, format!("{}\n", peers::OIDC_CLIENT_SECRET))
                    .expect("secret file");
                figment = figment.merge(Serialized::default(
                    "oidc",
                    serde_json::json!([{
                        "id": "test", "display_name": "Loopback ID",
                        "issuer_url": peer.issuer, "client_id": "tenantry",
                        "client_secret_file": secret_file,
                    }]),
                ));
                oidc = Some(peer);
            }
            _ => figment = figment.merge(Serialized::default(key, value)),
        }
    }
    let config = Config::from_figment(figment).expect("test config");
    let options = LeptosOptions::builder()
        .output_name("tenantry")
        .site_root("target/site")
        .build();
    let state = server::state(config, options).await.expect("state");
    server::start_workers(&state);
    let ops = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("ops listener");
    let ops_base = format!("http://{}", ops.local_addr().expect("ops address"));
    server::serve_ops(ops, state.clone());
    let db = state.db.clone();
    let config = state.config.clone();
    let router = server::router(state);
    tokio::spawn(async move {
        let _ = server::serve(listener, router).await;
    });
    let client = Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    Some(TestApp {
        base,
        ops_base,
        database_url,
        client,
        db,
        config,
        mailbox,
        oidc,
        peers_dir,
        sink_dir,
        cleanup,
        last_call: std::sync::Mutex::new("none yet".to_owned()),
    })
}

/// A second portal process on the same database as a [`TestApp`] (own pool, own workers,
/// own port), as a scaled-out deployment runs them.
pub struct Process {
    pub base: String,
    pub state: app::state::AppState,
}

impl Process {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl TestApp {
    /// Starts another portal process on this app's database, with `settings` on top of the
    /// defaults (no peers).
    pub async fn another_process(&self, settings: &[(&str, serde_json::Value)]) -> Process {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("local addr"));
        let mut figment = Config::figment(None)
            .merge(Serialized::default("database_url", &self.database_url))
            .merge(Serialized::default("base_url", &base))
            .merge(Serialized::default("smtp.sink_dir", &self.sink_dir));
        for (key, value) in settings {
            figment = figment.merge(Serialized::default(key, value));
        }
        let config = Config::from_figment(figment).expect("process config");
        let options = LeptosOptions::builder()
            .output_name("tenantry")
            .site_root("target/site")
            .build();
        let state = server::state(config, options).await.expect("state");
        server::start_workers(&state);
        let router = server::router(state.clone());
        tokio::spawn(async move {
            let _ = server::serve(listener, router).await;
        });
        Process { base, state }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// What the test last asked the server, for the deadline's message.
    pub fn last_call(&self) -> String {
        self.last_call.lock().map(|c| c.clone()).unwrap_or_default()
    }

    fn note_call(&self, endpoint: &str) {
        if let Ok(mut last) = self.last_call.lock() {
            *last = format!("POST /fn/{endpoint}");
        }
    }

    /// Calls a server function the way the Leptos client does (form-encoded, JSON back).
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> Response {
        self.note_call(endpoint);
        self.client
            .post(self.url(&format!("/fn/{endpoint}")))
            .header(header::ACCEPT, "application/json")
            .form(form)
            .send()
            .await
            .expect("request")
    }

    /// Same, with a client that keeps no cookies and sends `cookie` verbatim.
    pub async fn call_with_cookie(
        &self,
        endpoint: &str,
        form: &[(&str, &str)],
        cookie: &str,
    ) -> Response {
        self.note_call(endpoint);
        Client::new()
            .post(self.url(&format!("/fn/{endpoint}")))
            .header(header::ACCEPT, "application/json")
            .header(header::COOKIE, cookie)
            .form(form)
            .send()
            .await
            .expect("request")
    }

    /// Registers a company and, when that worked, opens the confirmation link it mailed
    /// (as the person would), so the account is ready to use.
    pub async fn register_company(&self, company: &str, email: &str) -> Response {
        let res = self.register_company_unconfirmed(company, email).await;
        self.confirm_if_registered(res, email).await
    }

    /// Registers a company and leaves the address unproven.
    pub async fn register_company_unconfirmed(&self, company: &str, email: &str) -> Response {
        self.call(
            "auth/register",
            &[
                ("kind", "company"),
                ("company_name", company),
                ("given_name", "Jo"),
                ("family_name", "Tester"),
                ("email", email),
                ("password", PASSWORD),
                ("language", "en"),
            ],
        )
        .await
    }

    /// Registers a person and opens the confirmation link, as [`Self::register_company`].
    pub async fn register_personal(&self, given: &str, family: &str, email: &str) -> Response {
        let res = self
            .register_personal_unconfirmed(given, family, email)
            .await;
        self.confirm_if_registered(res, email).await
    }

    async fn confirm_if_registered(&self, res: Response, email: &str) -> Response {
        if res.status().is_success() {
            let link = self.confirmation_link(email).await;
            let opened = self.client.get(&link).send().await.expect("open link");
            let landed = opened
                .headers()
                .get(header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            assert!(
                opened.status().is_redirection() && !landed.contains("invalid"),
                "confirmation link of {email}: {} → {landed}",
                opened.status()
            );
        }
        res
    }

    /// Registers a person and leaves the address unproven.
    pub async fn register_personal_unconfirmed(
        &self,
        given: &str,
        family: &str,
        email: &str,
    ) -> Response {
        self.call(
            "auth/register",
            &[
                ("kind", "personal"),
                ("company_name", ""),
                ("given_name", given),
                ("family_name", family),
                ("email", email),
                ("password", PASSWORD),
                ("language", "de"),
            ],
        )
        .await
    }

    /// The newest confirmation link mailed to `email` (from the loopback SMTP server, or
    /// else the file sink), waiting up to 10 s for it.
    pub async fn confirmation_link(&self, email: &str) -> String {
        let marker = "/verify-email?token=";
        for _ in 0..200 {
            let texts: Vec<String> = match &self.mailbox {
                Some(mailbox) => mailbox
                    .messages()
                    .into_iter()
                    .filter(|m| m.to.eq_ignore_ascii_case(email))
                    .map(|m| m.text)
                    .collect(),
                None => sink_messages(&self.sink_dir, email),
            };
            if let Some(text) = texts.iter().rev().find(|t| t.contains(marker)) {
                // The link names `base_url`, which a test may have set to another origin.
                let start = text.find(marker).expect("marker") + marker.len();
                let token: String = text[start..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
                assert_eq!(token.len(), 43, "a 32-byte token in {text}");
                return format!("{}{marker}{token}", self.base);
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("no confirmation link for {email} arrived within 10 s");
    }

    /// Marks `email`'s account proven and drops its queued confirmation email: for tests
    /// about other mail that run with the relay down on purpose.
    pub async fn assume_proven(&self, email: &str) {
        sqlx::query("UPDATE users SET email_verified_at = 0 WHERE email = $1")
            .bind(email)
            .execute(self.db.pool())
            .await
            .expect("prove");
        sqlx::query(
            "DELETE FROM mail_outbox WHERE kind = 'account.verify_email' AND to_email = $1",
        )
        .bind(email)
        .execute(self.db.pool())
        .await
        .expect("drop confirmation");
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Response {
        self.call("auth/sign_in", &[("email", email), ("password", password)])
            .await
    }

    pub async fn sign_out(&self) -> Response {
        self.call("auth/sign_out", &[]).await
    }

    /// Rows in `table`.
    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
            .fetch_one(self.db.pool())
            .await
            .expect("count")
            .try_get("n")
            .expect("n")
    }

    /// Counts of every table a denied or invalid call must leave alone.
    pub async fn snapshot(&self) -> [i64; 5] {
        [
            self.count("users").await,
            self.count("organizations").await,
            self.count("memberships").await,
            self.count("sessions").await,
            self.count("rate_limit_events").await,
        ]
    }

    pub async fn audit_actions(&self) -> Vec<(String, String)> {
        sqlx::query("SELECT action, outcome FROM audit_events ORDER BY at, id")
            .fetch_all(self.db.pool())
            .await
            .expect("audit")
            .iter()
            .map(|r| (r.get("action"), r.get("outcome")))
            .collect()
    }

    /// Adds a new user to organization `slug` with `role` (the invitation flow does this for
    /// people later) and returns their id and a `Cookie` header with a fresh session.
    pub async fn add_member(&self, slug: &str, name: &str, role: &str) -> (String, String) {
        let id = uuid::Uuid::new_v4().to_string();
        sqlx::query(
            "INSERT INTO users (id, email, given_name, family_name, display_name, language, status,
                                created_at, updated_at, email_verified_at)
             VALUES ($1, $2, $3, 'Test', $3, 'en', 'active', 0, 0, 0)",
        )
        .bind(&id)
        .bind(format!("{name}-{}@members.example", &id[..8]).to_lowercase())
        .bind(name)
        .execute(self.db.pool())
        .await
        .expect("insert user");
        sqlx::query(
            "INSERT INTO memberships (organization_id, user_id, role, created_at)
             SELECT id, $1, $2, 0 FROM organizations WHERE slug = $3",
        )
        .bind(&id)
        .bind(role)
        .bind(slug)
        .execute(self.db.pool())
        .await
        .expect("insert membership");
        let token = app::auth::session::create(&self.db, &self.config, &id, "127.0.0.1", None)
            .await
            .expect("session");
        (id, format!("tenantry_session={token}"))
    }

    /// A platform staff member (`platform_admin` or `platform_operator`) with `email` and
    /// language `lang`, signed in; returns the user id and the session cookie.
    pub async fn staff(&self, role: &str, email: &str, lang: &str) -> (String, String) {
        let id = uuid::Uuid::new_v4().to_string();
        sqlx::query(
            "INSERT INTO users (id, email, given_name, family_name, display_name, language, status,
                                platform_role, created_at, updated_at, email_verified_at)
             VALUES ($1, $2, 'Staff', 'Member', 'Staff Member', $3, 'active', $4, 0, 0, 0)",
        )
        .bind(&id)
        .bind(email)
        .bind(lang)
        .bind(role)
        .execute(self.db.pool())
        .await
        .expect("insert staff");
        let token = app::auth::session::create(&self.db, &self.config, &id, "127.0.0.1", None)
            .await
            .expect("session");
        (id, format!("tenantry_session={token}"))
    }

    /// Inserts an active organization of `kind` named `name` (slug `o-` + 8 hex digits)
    /// and returns its id.
    pub async fn insert_org(&self, kind: &str, name: &str) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        sqlx::query(
            "INSERT INTO organizations (id, kind, slug, display_name, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, 'active', 0, 0)",
        )
        .bind(&id)
        .bind(kind)
        .bind(format!("o-{}", &id[..8]))
        .bind(name)
        .execute(self.db.pool())
        .await
        .expect("insert organization");
        id
    }

    /// Drops the database or deletes the SQLite directory.
    pub async fn finish(self) {
        // Closing waits for every connection to come back; a request stalled mid-render
        // must not hang the suite (the database is dropped with FORCE below anyway).
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), self.db.close()).await;
        let _ = std::fs::remove_dir_all(&self.peers_dir);
        match self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::PgDatabase { admin_url, name } => {
                if let Ok(pool) = sqlx::AnyPool::connect(&admin_url).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&pool)
                        .await;
                    pool.close().await;
                }
            }
        }
    }
}

pub const PASSWORD: &str = "correct horse battery";

/// The JSON error body of a failed call, asserting its status and code.
pub async fn expect_error(res: Response, status: StatusCode, code: &str) -> serde_json::Value {
    assert_eq!(res.status(), status, "unexpected status");
    let body: serde_json::Value = res.json().await.expect("json error body");
    assert_eq!(body["code"], code, "body: {body}");
    body
}

/// The session cookie's `Set-Cookie` line of a response.
pub fn session_set_cookie(res: &Response) -> Option<String> {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("tenantry_session=") || v.starts_with("__Host-tenantry_session="))
        .map(str::to_owned)
}

/// Generates `mod $name { sqlite, postgres }` running `$name(app)` on each backend.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident $(with [$($key:literal => $value:tt),* $(,)?])?),* $(,)?) => {
        $(
            mod $name {
                use super::*;

                async fn run(backend: common::Backend) {
                    let settings: Vec<(&str, serde_json::Value)> = vec![$($(($key, serde_json::json!($value))),*)?];
                    let Some(app) = common::spawn_app(backend, &settings).await else { return };
                    // Run the body in a task so the database is dropped even when it panics.
                    let app = std::sync::Arc::new(app);
                    let mut body = {
                        let app = app.clone();
                        tokio::spawn(async move { super::$name(&app).await })
                    };
                    let overrun = match tokio::time::timeout(common::TEST_DEADLINE, &mut body).await {
                        Ok(outcome) => Ok(outcome),
                        Err(_) => {
                            body.abort();
                            let _ = body.await;
                            Err(app.last_call())
                        }
                    };
                    if let Ok(app) = std::sync::Arc::try_unwrap(app) {
                        app.finish().await;
                    }
                    let outcome = match overrun {
                        Ok(outcome) => outcome,
                        Err(last) => panic!(
                            "{} on {backend:?} did not finish within {:?}; the last server call was {last:?}",
                            stringify!($name),
                            common::TEST_DEADLINE,
                        ),
                    };
                    if let Err(err) = outcome {
                        if err.is_panic() {
                            std::panic::resume_unwind(err.into_panic());
                        }
                        panic!("test task failed: {err}");
                    }
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    run(common::Backend::Sqlite).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    run(common::Backend::Postgres).await;
                }
            }
        )*
    };
}
