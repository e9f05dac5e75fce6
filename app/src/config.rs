//! The one typed configuration, loaded and validated at start-up.
//!
//! Precedence: built-in defaults < optional TOML file (`--config` / `TENANTRY_CONFIG`) <
//! `TENANTRY_*` environment variables (nested keys with `__`, e.g.
//! `TENANTRY_SESSION__IDLE_TIMEOUT_MINUTES`). Every key is documented in
//! `config.example.toml`. Secrets are `SecretString`s: their `Debug` prints a placeholder.

use crate::i18n::Lang;
/// The `[secrets]` section; defined next to the keyring that reads it.
pub use crate::secrets::SecretsConfig;
use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
};

/// Application configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `sqlite://path/to/file.db` or `postgres://user@host/db`.
    pub database_url: SecretString,
    /// Address to listen on; defaults to Leptos' `site-addr` (127.0.0.1:3000).
    pub listen: Option<SocketAddr>,
    /// The public URL people use to reach the portal (scheme, host, optional port).
    pub base_url: String,
    /// Language used when neither the user, a cookie nor the browser picks one.
    pub default_language: Lang,
    /// Languages offered in the UI.
    pub languages: Vec<Lang>,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_proxy_headers: bool,
    /// How many trusted proxies stand in front (each appends to `X-Forwarded-For`).
    pub trusted_proxy_hops: u8,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    pub session: SessionConfig,
    pub rate_limits: RateLimits,
    /// Email domains that never claim a company (gmail.com, `gmx.*`, ...).
    pub public_mail_domains: Vec<String>,
    pub smtp: SmtpConfig,
    pub invitations: InvitationConfig,
    pub email_verification: EmailVerificationConfig,
    pub notifications: NotificationConfig,
    /// How often an open dashboard's live stream looks for changes, in milliseconds.
    pub live_poll_ms: u64,
    /// PostgreSQL: how often an open live stream rechecks its session and membership while
    /// its organization is quiet (changes arrive by LISTEN/NOTIFY, not by polling).
    pub live_recheck_ms: u64,
    /// Open live streams one session may hold (more get 429).
    pub live_streams_per_session: usize,
    /// Open live streams one process serves (more get 429).
    pub live_streams_max: usize,
    /// Seconds a page or server function may take to answer before it gets a 503.
    pub request_timeout_seconds: u64,
    /// Serve `/`, `/signin` and `/register` to signed-out visitors from a copy rendered
    /// once per language (each answer still gets its own script nonce).
    pub cache_anonymous_pages: bool,
    /// Serve a member's repeat visit to the organization dashboard, its settings and
    /// `/dashboard` from the copy rendered for them, while nothing the page shows has
    /// changed (the organization's revision and the member's session data are as then).
    pub cache_member_pages: bool,
    /// Memory the page cache may hold, in KiB; the least recently used pages go first.
    pub page_cache_kib: usize,
    pub ops: OpsConfig,
    /// OpenID Connect issuers offered as "Sign in with ..." (none by default).
    pub oidc: Vec<OidcIssuerConfig>,
    pub secrets: SecretsConfig,
    pub provisioning: ProvisioningConfig,
    /// The package catalog file; the built-in `catalog.default.toml` when unset.
    pub catalog_file: Option<PathBuf>,
    /// The loaded and checked catalog (from `catalog_file` or the built-in one).
    #[serde(skip)]
    pub catalog: std::sync::Arc<crate::instances::catalog::Catalog>,
}

/// Outgoing email through an SMTP relay.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    /// Relay host; empty means no relay: mail goes to `sink_dir` instead.
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<SecretString>,
    /// `Name <address>` or a bare address.
    pub from: String,
    pub timeout_seconds: u64,
    /// Without a relay, each email is written here as one `.eml` file (the local default,
    /// so a newcomer can open a confirmation link). Empty turns the sink off too.
    pub sink_dir: PathBuf,
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain text: only for a relay on the same host or a test server.
    None,
    /// Plain connection upgraded with STARTTLS (usually port 587); refused without it.
    Starttls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

/// The operations endpoints (`/healthz`, `/readyz`, `/metrics`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpsConfig {
    /// Their own listen address, off the public port; empty turns them off.
    pub listen: String,
}

impl OpsConfig {
    /// The address to serve them on, if any (checked at start-up).
    pub fn listen_addr(&self) -> Option<SocketAddr> {
        self.listen.parse().ok()
    }
}

/// Member invitations.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvitationConfig {
    /// Days an invitation link stays valid.
    pub expiry_days: u32,
}

/// Notification emails (new requests, decisions): delivered from the outbox and retried.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationConfig {
    /// Seconds between delivery rounds (a new email wakes the worker at once).
    pub poll_seconds: u64,
    /// Delay before the first retry; it doubles per failure, at most an hour.
    pub retry_base_seconds: u64,
    /// Attempts before an email is marked failed.
    pub max_attempts: u32,
    /// How long a worker holds an email it took before another process may take it over;
    /// at least three times the SMTP timeout, whatever is set.
    pub claim_seconds: u64,
}

/// One OpenID Connect issuer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcIssuerConfig {
    /// Short identifier used in addresses (`/auth/oidc/{id}/start`).
    pub id: String,
    /// Shown on the button: "Sign in with {display_name}".
    pub display_name: String,
    /// The issuer URL; discovery reads `{issuer_url}/.well-known/openid-configuration`.
    pub issuer_url: String,
    pub client_id: String,
    /// Name of the environment variable holding the client secret.
    pub client_secret_env: Option<String>,
    /// File holding the client secret (trailing whitespace ignored).
    pub client_secret_file: Option<PathBuf>,
    #[serde(default = "default_oidc_scopes")]
    pub scopes: Vec<String>,
}

fn default_oidc_scopes() -> Vec<String> {
    vec!["openid".into(), "email".into(), "profile".into()]
}

impl OidcIssuerConfig {
    /// Reads the client secret from its variable or file (`None` for a public client).
    pub fn client_secret(&self) -> Result<Option<SecretString>, String> {
        read_secret(&self.client_secret_env, &self.client_secret_file)
    }
}

/// A secret named by an environment variable or a file (trailing whitespace ignored);
/// `None` when neither is set.
pub fn read_secret(
    env: &Option<String>,
    file: &Option<PathBuf>,
) -> Result<Option<SecretString>, String> {
    if let Some(var) = env {
        return std::env::var(var)
            .map(|v| Some(SecretString::from(v)))
            .map_err(|_| format!("environment variable {var} is not set"));
    }
    if let Some(path) = file {
        return std::fs::read_to_string(path)
            .map(|v| Some(SecretString::from(v.trim_end().to_owned())))
            .map_err(|e| format!("cannot read {}: {e}", path.display()));
    }
    Ok(None)
}

/// The provisioning engine (SPEC §3.6) and its drivers (SPEC §5).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvisioningConfig {
    /// Provisioning workers in this process (0: this process provisions nothing and leaves
    /// the runs to other processes).
    pub workers: usize,
    /// Seconds between looks for due runs (approval and retries wake the worker sooner).
    pub poll_seconds: u64,
    /// How long a worker's hold on a run lasts without renewal; a crashed worker's run is
    /// taken over after this.
    pub lease_seconds: u64,
    /// Attempts of a step before it waits in `error` for a person.
    pub max_attempts: u32,
    /// Delay before a step's second attempt; it doubles per attempt (with jitter).
    pub retry_base_seconds: u64,
    /// Deadline of one upstream HTTP request.
    pub request_timeout_seconds: u64,
    /// Seconds between background health checks of the enabled integrations (the platform
    /// overview shows the last result; pages never wait for a check).
    pub health_check_seconds: u64,
    pub litellm: LiteLlmConfig,
    pub webhook: WebhookConfig,
    pub gitea: GiteaConfig,
    pub coolify: CoolifyConfig,
    pub kubernetes: KubernetesConfig,
    pub openbao: OpenBaoConfig,
    pub authentik: AuthentikConfig,
}

/// Gitea: a private organization per Tenantry organization, its owners in the Owners team.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GiteaConfig {
    pub enabled: bool,
    /// The server's base URL (`https://git.example.com`, without `/api/v1`).
    pub url: String,
    /// The API token: from a variable or a file, never from the configuration itself.
    pub token_env: Option<String>,
    pub token_file: Option<PathBuf>,
}

/// Coolify: a project per organization, a service per instance.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoolifyConfig {
    pub enabled: bool,
    /// The dashboard's base URL (without `/api/v1`).
    pub url: String,
    /// The API token: from a variable or a file, never from the configuration itself.
    pub token_env: Option<String>,
    pub token_file: Option<PathBuf>,
    /// The server the services run on.
    pub server_uuid: String,
    /// The project environment the services go into.
    pub environment_name: String,
    /// The one-click service type of an instance (its `{app}` in `{slug}-{app}-…`).
    pub service_type: String,
}

/// Kubernetes: a custom resource per instance, applied server-side.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KubernetesConfig {
    pub enabled: bool,
    /// Where the API server and credentials come from: `in-cluster` (the pod's service
    /// account) or `kubeconfig` (the file `kubeconfig`, its current context).
    pub source: KubeSource,
    pub kubeconfig: Option<PathBuf>,
    /// The service account's directory (token, ca.crt) for `in-cluster`.
    pub service_account_dir: PathBuf,
    /// The namespace the resources go into.
    pub namespace: String,
    /// The custom resource's API group, version, plural and kind.
    pub group: String,
    pub version: String,
    pub plural: String,
    pub kind: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KubeSource {
    InCluster,
    Kubeconfig,
}

/// OpenBao or Vault: package secrets in a KV v2 mount.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenBaoConfig {
    pub enabled: bool,
    /// The server's base URL (`https://bao.example.com:8200`, without `/v1`).
    pub url: String,
    /// The API token: from a variable or a file, never from the configuration itself.
    pub token_env: Option<String>,
    pub token_file: Option<PathBuf>,
    /// The KV v2 mount (`secret`).
    pub mount: String,
    /// Sent as `X-Vault-Namespace` when set (OpenBao ≥ 2.3, Vault Enterprise).
    pub namespace: Option<String>,
}

/// Authentik: a group per organization with its members.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthentikConfig {
    pub enabled: bool,
    /// The server's base URL (without `/api/v3`).
    pub url: String,
    /// The API token: from a variable or a file, never from the configuration itself.
    pub token_env: Option<String>,
    pub token_file: Option<PathBuf>,
    /// Group names are this prefix and the organization's slug.
    pub group_prefix: String,
}

/// The LiteLLM proxy: a team per organization, a virtual key per instance.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiteLlmConfig {
    pub enabled: bool,
    /// The proxy's base URL (`http(s)://host:4000`).
    pub url: String,
    /// Where the master key (`sk-…`) comes from: a variable or a file.
    pub master_key_env: Option<String>,
    pub master_key_file: Option<PathBuf>,
    /// Each organization's team budget in USD and its reset period (`30d`).
    pub team_max_budget: f64,
    pub team_budget_duration: String,
    /// Models the keys may use (empty: the proxy's default).
    pub models: Vec<String>,
}

/// `token()` for the driver configurations that hold `token_env` / `token_file`.
macro_rules! token_from_env_or_file {
    ($($config:ty),+) => {
        $(
            impl $config {
                pub fn token(&self) -> Result<Option<SecretString>, String> {
                    read_secret(&self.token_env, &self.token_file)
                }
            }
        )+
    };
}

token_from_env_or_file!(GiteaConfig, CoolifyConfig, OpenBaoConfig, AuthentikConfig);

impl ProvisioningConfig {
    /// The five integrations' own checks: a URL, a readable token, and what each needs.
    fn check_integrations(&self) -> Result<(), (&'static str, String)> {
        fn url_and_token(
            key: &'static str,
            enabled: bool,
            url: &str,
            token: Result<Option<SecretString>, String>,
        ) -> Result<(), (&'static str, String)> {
            if !enabled {
                return Ok(());
            }
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err((key, "url must be an http(s) URL".into()));
            }
            match token {
                Ok(Some(_)) => Ok(()),
                Ok(None) => Err((key, "set token_env or token_file".into())),
                Err(problem) => Err((key, problem)),
            }
        }
        if self.health_check_seconds == 0 || self.health_check_seconds > 86_400 {
            return Err((
                "provisioning.health_check_seconds",
                "must be between 1 and 86400".into(),
            ));
        }
        let g = &self.gitea;
        url_and_token("provisioning.gitea", g.enabled, &g.url, g.token())?;
        let c = &self.coolify;
        url_and_token("provisioning.coolify", c.enabled, &c.url, c.token())?;
        if c.enabled && (c.server_uuid.is_empty() || c.service_type.is_empty()) {
            return Err((
                "provisioning.coolify",
                "server_uuid and service_type are required".into(),
            ));
        }
        let o = &self.openbao;
        url_and_token("provisioning.openbao", o.enabled, &o.url, o.token())?;
        let mount_ok = !o.mount.is_empty()
            && o.mount
                .split('/')
                .all(|part| !part.is_empty() && part != "." && part != "..");
        if o.enabled && !mount_ok {
            return Err((
                "provisioning.openbao.mount",
                "must be a mount path such as secret".into(),
            ));
        }
        let a = &self.authentik;
        url_and_token("provisioning.authentik", a.enabled, &a.url, a.token())?;
        let k = &self.kubernetes;
        if k.enabled {
            if k.source == KubeSource::Kubeconfig && k.kubeconfig.is_none() {
                return Err((
                    "provisioning.kubernetes.kubeconfig",
                    "must name a file when source is kubeconfig".into(),
                ));
            }
            let names = [&k.namespace, &k.group, &k.version, &k.plural, &k.kind];
            if names.iter().any(|n| {
                n.is_empty()
                    || !n
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            }) {
                return Err((
                    "provisioning.kubernetes",
                    "namespace, group, version, plural and kind must be DNS-style names".into(),
                ));
            }
        }
        Ok(())
    }
}

impl LiteLlmConfig {
    pub fn master_key(&self) -> Result<Option<SecretString>, String> {
        read_secret(&self.master_key_env, &self.master_key_file)
    }
}

/// Signed events (Standard Webhooks) to an operator URL.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    pub enabled: bool,
    pub url: String,
    /// The signing secret (`whsec_` + base64), from a variable or a file.
    pub secret_env: Option<String>,
    pub secret_file: Option<PathBuf>,
}

impl WebhookConfig {
    pub fn secret(&self) -> Result<Option<SecretString>, String> {
        read_secret(&self.secret_env, &self.secret_file)
    }
}

/// Proving an account's email address.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailVerificationConfig {
    /// Hours a confirmation link stays valid.
    pub link_hours: u32,
    /// Confirmation emails one account may ask for per hour.
    pub resends_per_hour: u32,
}

/// Server-side session lifetime and cookie.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionConfig {
    pub cookie_name: String,
    /// A session unused for this long ends.
    pub idle_timeout_minutes: u64,
    /// A session ends this long after sign-in, however active.
    pub absolute_timeout_hours: u64,
}

/// Limits counted in the database, so they hold across processes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimits {
    /// Registrations accepted per client address per hour.
    pub registrations_per_hour: u32,
    /// Failed sign-ins per account within the window before sign-in is refused.
    pub sign_in_failures_per_account: u32,
    /// Failed sign-ins per client address within the window.
    pub sign_in_failures_per_address: u32,
    pub sign_in_window_minutes: u64,
    /// Invitation emails (new and resent) one organization may send per hour.
    pub invitations_per_hour: u32,
    /// Refused API keys one client address (IPv6: its /64) may present per minute.
    pub api_key_failures_per_minute: u32,
}

/// The defaults, as a serializable value figment can merge under file and env.
#[derive(Serialize)]
struct Defaults {
    database_url: &'static str,
    base_url: &'static str,
    default_language: Lang,
    languages: [Lang; 4],
    trust_proxy_headers: bool,
    trusted_proxy_hops: u8,
    max_body_bytes: usize,
    session: SessionConfig,
    rate_limits: RateLimits,
    public_mail_domains: Vec<&'static str>,
    smtp: SmtpDefaults,
    invitations: InvitationConfig,
    email_verification: EmailVerificationConfig,
    notifications: NotificationConfig,
    live_poll_ms: u64,
    live_recheck_ms: u64,
    live_streams_per_session: usize,
    live_streams_max: usize,
    request_timeout_seconds: u64,
    cache_anonymous_pages: bool,
    cache_member_pages: bool,
    page_cache_kib: usize,
    ops: OpsConfig,
    oidc: Vec<String>,
    secrets: SecretsDefaults,
    provisioning: ProvisioningDefaults,
}

#[derive(Serialize)]
struct ProvisioningDefaults {
    workers: usize,
    poll_seconds: u64,
    lease_seconds: u64,
    max_attempts: u32,
    retry_base_seconds: u64,
    request_timeout_seconds: u64,
    health_check_seconds: u64,
    litellm: LiteLlmDefaults,
    webhook: WebhookDefaults,
    gitea: UrlDefaults,
    coolify: CoolifyDefaults,
    kubernetes: KubernetesDefaults,
    openbao: OpenBaoDefaults,
    authentik: AuthentikDefaults,
}

#[derive(Serialize)]
struct UrlDefaults {
    enabled: bool,
    url: &'static str,
}

#[derive(Serialize)]
struct CoolifyDefaults {
    enabled: bool,
    url: &'static str,
    server_uuid: &'static str,
    environment_name: &'static str,
    service_type: &'static str,
}

#[derive(Serialize)]
struct KubernetesDefaults {
    enabled: bool,
    source: KubeSource,
    service_account_dir: &'static str,
    namespace: &'static str,
    group: &'static str,
    version: &'static str,
    plural: &'static str,
    kind: &'static str,
}

#[derive(Serialize)]
struct OpenBaoDefaults {
    enabled: bool,
    url: &'static str,
    mount: &'static str,
}

#[derive(Serialize)]
struct AuthentikDefaults {
    enabled: bool,
    url: &'static str,
    group_prefix: &'static str,
}

#[derive(Serialize)]
struct LiteLlmDefaults {
    enabled: bool,
    url: &'static str,
    team_max_budget: f64,
    team_budget_duration: &'static str,
    models: Vec<String>,
}

#[derive(Serialize)]
struct WebhookDefaults {
    enabled: bool,
    url: &'static str,
}

#[derive(Serialize)]
struct SecretsDefaults {
    previous_kek_files: Vec<String>,
}

#[derive(Serialize)]
struct SmtpDefaults {
    host: &'static str,
    port: u16,
    tls: SmtpTls,
    from: &'static str,
    timeout_seconds: u64,
    sink_dir: &'static str,
}

/// Public mail providers shipped as the default list; `*` matches any top-level domain.
pub const DEFAULT_PUBLIC_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "outlook.*",
    "hotmail.*",
    "live.*",
    "msn.com",
    "yahoo.*",
    "ymail.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "protonmail.ch",
    "pm.me",
    "gmx.*",
    "web.de",
    "t-online.de",
    "freenet.de",
    "posteo.de",
    "mailbox.org",
    "mail.com",
    "yandex.*",
    "zoho.com",
    "tutanota.com",
    "tuta.io",
    "fastmail.com",
    "orange.fr",
    "free.fr",
    "laposte.net",
    "sfr.fr",
    "wanadoo.fr",
    "libero.it",
    "virgilio.it",
    "tiscali.it",
    "alice.it",
    "tim.it",
    "bluewin.ch",
    "hispeed.ch",
    "sunrise.ch",
];

fn defaults() -> Defaults {
    Defaults {
        database_url: "sqlite://data/tenantry.db",
        base_url: "http://127.0.0.1:3000",
        default_language: Lang::En,
        languages: Lang::ALL,
        trust_proxy_headers: false,
        trusted_proxy_hops: 1,
        max_body_bytes: 256 * 1024,
        session: SessionConfig {
            cookie_name: "tenantry_session".into(),
            idle_timeout_minutes: 24 * 60,
            absolute_timeout_hours: 14 * 24,
        },
        rate_limits: RateLimits {
            registrations_per_hour: 3,
            sign_in_failures_per_account: 5,
            sign_in_failures_per_address: 20,
            sign_in_window_minutes: 15,
            invitations_per_hour: 20,
            api_key_failures_per_minute: 30,
        },
        public_mail_domains: DEFAULT_PUBLIC_MAIL_DOMAINS.to_vec(),
        smtp: SmtpDefaults {
            host: "",
            port: 587,
            tls: SmtpTls::Starttls,
            from: "Tenantry <noreply@localhost>",
            timeout_seconds: 10,
            sink_dir: "data/mail",
        },
        invitations: InvitationConfig { expiry_days: 7 },
        email_verification: EmailVerificationConfig {
            link_hours: 24,
            resends_per_hour: 3,
        },
        notifications: NotificationConfig {
            poll_seconds: 5,
            retry_base_seconds: 30,
            max_attempts: 8,
            claim_seconds: 300,
        },
        live_poll_ms: 1500,
        live_recheck_ms: 30_000,
        live_streams_per_session: 8,
        live_streams_max: 2000,
        request_timeout_seconds: 30,
        cache_anonymous_pages: true,
        cache_member_pages: true,
        page_cache_kib: 8192,
        ops: OpsConfig {
            listen: "127.0.0.1:9300".into(),
        },
        oidc: Vec::new(),
        provisioning: ProvisioningDefaults {
            workers: 1,
            poll_seconds: 5,
            lease_seconds: 60,
            max_attempts: 5,
            retry_base_seconds: 5,
            request_timeout_seconds: 30,
            health_check_seconds: 60,
            litellm: LiteLlmDefaults {
                enabled: false,
                url: "http://127.0.0.1:4000",
                team_max_budget: 50.0,
                team_budget_duration: "30d",
                models: Vec::new(),
            },
            webhook: WebhookDefaults {
                enabled: false,
                url: "",
            },
            gitea: UrlDefaults {
                enabled: false,
                url: "http://127.0.0.1:3000",
            },
            coolify: CoolifyDefaults {
                enabled: false,
                url: "http://127.0.0.1:8000",
                server_uuid: "",
                environment_name: "production",
                service_type: "n8n",
            },
            kubernetes: KubernetesDefaults {
                enabled: false,
                source: KubeSource::InCluster,
                service_account_dir: "/var/run/secrets/kubernetes.io/serviceaccount",
                namespace: "tenants",
                group: "tenantry.io",
                version: "v1alpha1",
                plural: "tenantinstances",
                kind: "TenantInstance",
            },
            openbao: OpenBaoDefaults {
                enabled: false,
                url: "http://127.0.0.1:8200",
                mount: "secret",
            },
            authentik: AuthentikDefaults {
                enabled: false,
                url: "http://127.0.0.1:9000",
                group_prefix: "tenantry-",
            },
        },
        secrets: SecretsDefaults {
            previous_kek_files: Vec::new(),
        },
    }
}

/// A configuration problem, naming the key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Load(#[from] Box<figment::Error>),
    #[error("configuration key `{key}`: {problem}")]
    Invalid { key: &'static str, problem: String },
}

impl Config {
    /// Loads defaults, then `file` (if given), then `TENANTRY_*` variables, and validates.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        Self::from_figment(Self::figment(file))
    }

    /// The layered sources, exposed so tests can add their own on top.
    pub fn figment(file: Option<&Path>) -> Figment {
        let mut figment = Figment::from(Serialized::defaults(defaults()));
        if let Some(file) = file {
            figment = figment.merge(Toml::file_exact(file));
        }
        // Not configuration keys: the config file path, the log filter and the test suite's
        // settings (TENANTRY_TEST_*) share the prefix.
        figment.merge(
            Env::prefixed("TENANTRY_")
                .split("__")
                .ignore(&["config", "log"])
                .filter(|key| !key.as_str().to_ascii_lowercase().starts_with("test_")),
        )
    }

    /// Extracts and validates a configuration from any figment.
    pub fn from_figment(figment: Figment) -> Result<Config, ConfigError> {
        let mut config: Config = figment.extract().map_err(Box::new)?;
        let text = match &config.catalog_file {
            Some(path) => std::fs::read_to_string(path).map_err(|e| ConfigError::Invalid {
                key: "catalog_file",
                problem: format!("cannot read {}: {e}", path.display()),
            })?,
            None => crate::instances::catalog::DEFAULT.to_owned(),
        };
        let catalog = crate::instances::catalog::Catalog::parse(&text).map_err(|problem| {
            ConfigError::Invalid {
                key: "catalog_file",
                problem,
            }
        })?;
        config.catalog = std::sync::Arc::new(catalog);
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key, problem: &str| {
            Err(ConfigError::Invalid {
                key,
                problem: problem.to_owned(),
            })
        };
        let url = self.database_url.expose_secret();
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            return invalid(
                "database_url",
                "must start with sqlite:, postgres:// or postgresql://",
            );
        }
        let base = self.base_url.as_str();
        let host = base
            .strip_prefix("https://")
            .or_else(|| base.strip_prefix("http://"))
            .map(|h| h.strip_suffix('/').unwrap_or(h));
        if !matches!(host, Some(h) if !h.is_empty() && !h.contains(['/', '?', '#', ' '])) {
            return invalid(
                "base_url",
                "must be like https://portal.example.com (scheme and host, no path)",
            );
        }
        if self.languages.is_empty() {
            return invalid("languages", "must list at least one language");
        }
        if !self.languages.contains(&self.default_language) {
            return invalid("default_language", "must be one of `languages`");
        }
        if self.session.cookie_name.is_empty()
            || !self
                .session
                .cookie_name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return invalid(
                "session.cookie_name",
                "must be non-empty ASCII letters, digits, `_` or `-`",
            );
        }
        if self.session.idle_timeout_minutes == 0 {
            return invalid("session.idle_timeout_minutes", "must be greater than 0");
        }
        if self.session.absolute_timeout_hours == 0 {
            return invalid("session.absolute_timeout_hours", "must be greater than 0");
        }
        let limits = &self.rate_limits;
        for (key, value) in [
            (
                "rate_limits.registrations_per_hour",
                limits.registrations_per_hour,
            ),
            (
                "rate_limits.sign_in_failures_per_account",
                limits.sign_in_failures_per_account,
            ),
            (
                "rate_limits.sign_in_failures_per_address",
                limits.sign_in_failures_per_address,
            ),
        ] {
            if value == 0 {
                return invalid(key, "must be greater than 0");
            }
        }
        if limits.sign_in_window_minutes == 0 {
            return invalid(
                "rate_limits.sign_in_window_minutes",
                "must be greater than 0",
            );
        }
        if self.max_body_bytes < 4096 {
            return invalid("max_body_bytes", "must be at least 4096");
        }
        if let Some(bad) = self.public_mail_domains.iter().find(|d| {
            d.is_empty()
                || d.chars()
                    .any(|c| c.is_ascii_uppercase() || c.is_whitespace())
        }) {
            return invalid(
                "public_mail_domains",
                &format!("`{bad}` must be a lowercase domain"),
            );
        }
        if self.smtp.from.parse::<lettre::message::Mailbox>().is_err() {
            return invalid(
                "smtp.from",
                "must be an address like `Tenantry <noreply@example.com>`",
            );
        }
        if self.smtp.timeout_seconds == 0 {
            return invalid("smtp.timeout_seconds", "must be greater than 0");
        }
        if self.smtp.password.is_some() && self.smtp.username.is_none() {
            return invalid("smtp.username", "must be set when smtp.password is");
        }
        if !(1..=90).contains(&self.invitations.expiry_days) {
            return invalid("invitations.expiry_days", "must be between 1 and 90");
        }
        if !(1..=720).contains(&self.email_verification.link_hours) {
            return invalid("email_verification.link_hours", "must be between 1 and 720");
        }
        if self.email_verification.resends_per_hour == 0 {
            return invalid(
                "email_verification.resends_per_hour",
                "must be greater than 0",
            );
        }
        let p = &self.provisioning;
        if p.poll_seconds == 0 || p.lease_seconds < 5 || p.max_attempts == 0 {
            return invalid(
                "provisioning",
                "poll_seconds and max_attempts must be at least 1, lease_seconds at least 5",
            );
        }
        if p.retry_base_seconds == 0 || p.request_timeout_seconds == 0 {
            return invalid(
                "provisioning",
                "retry_base_seconds and request_timeout_seconds must be at least 1",
            );
        }
        if p.litellm.enabled {
            match p.litellm.master_key() {
                Ok(Some(key)) if key.expose_secret().starts_with("sk-") => {}
                Ok(Some(_)) => {
                    return invalid("provisioning.litellm", "the master key must start with sk-");
                }
                Ok(None) => {
                    return invalid(
                        "provisioning.litellm",
                        "set master_key_env or master_key_file",
                    );
                }
                Err(problem) => return invalid("provisioning.litellm", &problem),
            }
        }
        if p.webhook.enabled {
            if !(p.webhook.url.starts_with("https://") || p.webhook.url.starts_with("http://")) {
                return invalid("provisioning.webhook.url", "must be an http(s) URL");
            }
            match p.webhook.secret() {
                Ok(Some(secret)) if crate::provisioning::webhook::key(&secret).is_some() => {}
                Ok(_) => {
                    return invalid(
                        "provisioning.webhook",
                        "secret_env or secret_file must hold whsec_ and base64 of 24-64 bytes",
                    );
                }
                Err(problem) => return invalid("provisioning.webhook", &problem),
            }
        }
        if let Err((key, problem)) = p.check_integrations() {
            return invalid(key, &problem);
        }
        if self.notifications.claim_seconds == 0 {
            return invalid("notifications.claim_seconds", "must be greater than 0");
        }
        if self.notifications.poll_seconds == 0 || self.notifications.poll_seconds > 3600 {
            return invalid("notifications.poll_seconds", "must be between 1 and 3600");
        }
        if self.notifications.retry_base_seconds == 0 {
            return invalid("notifications.retry_base_seconds", "must be greater than 0");
        }
        if self.notifications.max_attempts == 0 {
            return invalid("notifications.max_attempts", "must be greater than 0");
        }
        if !(100..=60_000).contains(&self.live_poll_ms) {
            return invalid("live_poll_ms", "must be between 100 and 60000");
        }
        if !(100..=600_000).contains(&self.live_recheck_ms) {
            return invalid("live_recheck_ms", "must be between 100 and 600000");
        }
        if self.trusted_proxy_hops == 0 || self.trusted_proxy_hops > 10 {
            return invalid("trusted_proxy_hops", "must be between 1 and 10");
        }
        if self.live_streams_per_session == 0 || self.live_streams_max == 0 {
            return invalid(
                "live_streams_per_session",
                "live stream caps must be at least 1",
            );
        }
        if !(1..=600).contains(&self.request_timeout_seconds) {
            return invalid("request_timeout_seconds", "must be between 1 and 600");
        }
        if !self.ops.listen.is_empty() && self.ops.listen_addr().is_none() {
            return invalid(
                "ops.listen",
                "must be an address such as 127.0.0.1:9300, or empty",
            );
        }
        if self.secrets.kek.is_some() && self.secrets.kek_file.is_some() {
            return invalid(
                "secrets.kek_file",
                "set secrets.kek or secrets.kek_file, not both",
            );
        }
        if let Err(problem) = crate::secrets::Keyring::from_config(&self.secrets) {
            return invalid("secrets", &problem);
        }
        let mut ids = std::collections::BTreeSet::new();
        for issuer in &self.oidc {
            let id_ok = !issuer.id.is_empty()
                && issuer.id.len() <= 32
                && issuer
                    .id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if !id_ok {
                return invalid("oidc.id", "must be 1-32 lowercase letters, digits or `-`");
            }
            if !ids.insert(issuer.id.as_str()) {
                return invalid("oidc.id", &format!("`{}` is listed twice", issuer.id));
            }
            if !(issuer.issuer_url.starts_with("https://")
                || issuer.issuer_url.starts_with("http://"))
            {
                return invalid("oidc.issuer_url", "must be an http(s) URL");
            }
            if issuer.client_id.is_empty() || issuer.display_name.is_empty() {
                return invalid("oidc", "client_id and display_name are required");
            }
            if issuer.client_secret_env.is_some() && issuer.client_secret_file.is_some() {
                return invalid(
                    "oidc.client_secret_file",
                    "set client_secret_env or client_secret_file, not both",
                );
            }
            if !issuer.scopes.iter().any(|s| s == "openid") {
                return invalid("oidc.scopes", "must include `openid`");
            }
        }
        Ok(())
    }

    /// Whether cookies must carry `Secure` (the portal is served over TLS).
    pub fn secure_cookies(&self) -> bool {
        self.base_url.starts_with("https://")
    }

    /// The name cookie `name` goes by: over https with the `__Host-` prefix, which browsers
    /// accept only on a Secure, host-only cookie for `Path=/`, so no sibling subdomain or
    /// plain-http page can plant or overwrite it.
    pub fn cookie_name<'a>(&self, name: &'a str) -> std::borrow::Cow<'a, str> {
        if self.secure_cookies() && !name.starts_with("__Host-") {
            format!("__Host-{name}").into()
        } else {
            name.into()
        }
    }

    /// `scheme://host[:port]` of the base URL, as browsers send it in `Origin`.
    pub fn origin(&self) -> &str {
        self.base_url.trim_end_matches('/')
    }

    /// Whether the database URL names SQLite.
    pub fn is_sqlite(&self) -> bool {
        self.database_url.expose_secret().starts_with("sqlite:")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(toml: &str) -> Result<Config, ConfigError> {
        Config::from_figment(
            Figment::from(Serialized::defaults(defaults())).merge(Toml::string(toml)),
        )
    }

    #[test]
    fn defaults_are_valid() {
        let config = with("").unwrap();
        assert!(config.is_sqlite());
        assert!(!config.secure_cookies());
        assert_eq!(config.rate_limits.registrations_per_hour, 3);
    }

    #[test]
    fn errors_name_the_key() {
        let err = with("base_url = \"ftp://x\"").unwrap_err().to_string();
        assert!(err.contains("base_url"), "{err}");
        let err = with("[rate_limits]\nregistrations_per_hour = 0")
            .unwrap_err()
            .to_string();
        assert!(err.contains("rate_limits.registrations_per_hour"), "{err}");
        let err = with("languages = [\"es\"]").unwrap_err().to_string();
        assert!(err.contains("languages"), "{err}");
        let err = with("nonsense = 1").unwrap_err().to_string();
        assert!(err.contains("nonsense"), "{err}");
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment's Jail closure returns figment::Error
    fn env_overrides_file_and_nested_keys_split_on_double_underscore() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("t.toml", "base_url = \"https://file.example\"")?;
            jail.set_env("TENANTRY_BASE_URL", "https://env.example");
            jail.set_env("TENANTRY_SESSION__IDLE_TIMEOUT_MINUTES", "7");
            let config = Config::load(Some(Path::new("t.toml"))).map_err(|e| e.to_string())?;
            assert_eq!(config.base_url, "https://env.example");
            assert_eq!(config.session.idle_timeout_minutes, 7);
            assert!(config.secure_cookies());
            Ok(())
        });
    }

    #[test]
    fn the_example_file_is_valid_and_matches_the_defaults() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config.example.toml");
        let figment = Figment::from(Serialized::defaults(defaults())).merge(Toml::file_exact(path));
        let example = Config::from_figment(figment).unwrap();
        let default = with("").unwrap();
        assert_eq!(format!("{example:?}"), format!("{default:?}"));
    }

    #[test]
    fn a_broken_catalog_stops_start_up_naming_the_entry() {
        let dir = std::env::temp_dir().join(format!("tenantry-catalog-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("catalog.toml");
        std::fs::write(
            &file,
            crate::instances::catalog::DEFAULT.replace("category = \"email\"", "category = \"x\""),
        )
        .unwrap();
        let err = with(&format!("catalog_file = {:?}", file.display().to_string()))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("catalog_file") && err.contains("package `smtp`"),
            "{err}"
        );
        let err = with("catalog_file = \"/nonexistent/catalog.toml\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("cannot read"), "{err}");
        assert_eq!(with("").unwrap().catalog.packages.len(), 5);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_bad_kek_is_refused_naming_the_key() {
        let err = with("[secrets]\nkek = \"c2hvcnQ=\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("secrets") && err.contains("32 bytes"), "{err}");
        assert!(!err.contains("c2hvcnQ="), "the key itself is not echoed");
    }

    #[test]
    fn secrets_do_not_leak_through_debug() {
        let config = with("database_url = \"postgres://u:hunter2@db/x\"").unwrap();
        assert!(!format!("{config:?}").contains("hunter2"));
    }
}
