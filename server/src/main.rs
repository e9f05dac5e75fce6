//! `tenantry`: serve the portal, migrate the database, or create the first platform admin.

use app::{auth::users, config::Config};
use clap::{Parser, Subcommand};
use secrecy::{ExposeSecret, SecretString};
use server::StartError;
use std::{io::BufRead, path::PathBuf, process::ExitCode};

/// mimalloc returns freed memory to the system and allocates faster under the render
/// path's many small strings (see the README's performance table).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Hands the pages mimalloc keeps for the calling thread, and the arenas' freed memory, back
/// to the system now instead of after its purge delay (which passes only when that thread
/// allocates again). Password hashing calls it when its 19 MiB blocks are freed and nobody
/// waits: RSS after 100 sign-ins fell from 104 to 51 MiB in the pages benchmark.
#[allow(unsafe_code)]
fn release_freed_memory() {
    // SAFETY: `mi_collect` takes no pointers and touches only mimalloc's own bookkeeping; it
    // may be called from any thread at any time (mimalloc.h, "mi_collect").
    unsafe { libmimalloc_sys::mi_collect(true) }
}

/// Hands a runtime worker's freed memory back when it runs out of work. mimalloc keeps a
/// thread's freed pages until that thread allocates again past the purge delay, and a
/// worker that parks after a burst of renders allocates nothing, so the burst's pages stay
/// resident. A worker that woke since it last released calls the release as it parks, at
/// most once a second: under load workers park between requests, and a collection on every
/// park would cost more than the renders. Any wake counts, timers too, so an idle server
/// with periodic tasks releases up to once a second per worker; that is a few microseconds
/// when there is nothing to give back. Measured (/orgs/:slug/settings under `wrk -c32` for
/// 8 s, SQLite, two runs each): resident 3 s after the load 63–65 MiB without, 59–61 MiB
/// with; after start and a sign-in 54 against 49–51 MiB. Most of what stays is not freed
/// memory waiting in a worker.
mod idle {
    use std::{
        cell::Cell,
        time::{Duration, Instant},
    };

    /// The least time between two releases on one worker.
    const EVERY: Duration = Duration::from_secs(1);

    thread_local! {
        /// Whether this worker woke since its last release.
        static WORKED: Cell<bool> = const { Cell::new(false) };
        /// When this worker last released.
        static LAST: Cell<Option<Instant>> = const { Cell::new(None) };
    }

    /// Tokio's `on_thread_unpark`: the worker has work again.
    pub fn unparked() {
        WORKED.set(true);
    }

    /// Tokio's `on_thread_park`: the worker is about to sleep.
    pub fn parking(release: fn()) {
        if !WORKED.get() {
            return;
        }
        let now = Instant::now();
        if LAST
            .get()
            .is_some_and(|last| now.duration_since(last) < EVERY)
        {
            return;
        }
        WORKED.set(false);
        LAST.set(Some(now));
        release();
    }
}

#[derive(Parser)]
#[command(
    name = "tenantry",
    version,
    about = "Multi-tenant onboarding and control-plane portal"
)]
struct Cli {
    /// TOML configuration file (keys in config.example.toml).
    #[arg(long, env = "TENANTRY_CONFIG", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the portal (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Platform administration.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// The key-encryption key (KEK) that wraps the organizations' data keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Print a new random KEK (base64 of 32 bytes) to standard output.
    Generate,
    /// Show the configured KEK fingerprints and how many data keys each wraps.
    Status,
    /// Re-wrap every data key under the KEK in FILE, while the portal keeps serving. The
    /// new KEK must already be in the configuration (as `secrets.kek_file` or among
    /// `secrets.previous_kek_files`), so every portal process can read the result.
    Rotate {
        #[arg(long, value_name = "FILE")]
        new_kek_file: PathBuf,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a platform admin, or promote an existing user. The password is read from
    /// standard input (prompted without echo on a terminal), never from the command line.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
}

#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Start(#[from] StartError),
    #[error(transparent)]
    App(#[from] app::error::AppError),
    #[error("{0}")]
    Input(String),
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TENANTRY_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    let cli = Cli::parse();
    app::auth::password::when_idle(release_freed_memory);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_unpark(idle::unparked)
        .on_thread_park(|| idle::parking(release_freed_memory))
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), CliError> {
    let config = Config::load(cli.config.as_deref()).map_err(StartError::from)?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            server::open_db(&config).await?;
            println!("database is up to date");
            Ok(())
        }
        Command::Admin {
            command: AdminCommand::Create { email, name },
        } => admin_create(config, &email, &name).await,
        Command::Keys { command } => keys(config, command).await,
    }
}

async fn keys(config: Config, command: KeysCommand) -> Result<(), CliError> {
    use app::secrets::{self, Kek, Keyring};
    if let KeysCommand::Generate = command {
        println!("{}", Kek::generate()?);
        return Ok(());
    }
    let keyring = Keyring::from_config(&config.secrets)
        .map_err(CliError::Input)?
        .ok_or_else(|| {
            CliError::Input("no KEK configured (secrets.kek or secrets.kek_file)".into())
        })?;
    let db = server::open_db(&config).await?;
    match command {
        KeysCommand::Generate => Ok(()),
        KeysCommand::Status => {
            println!("current KEK   {}", keyring.current.fingerprint());
            for kek in &keyring.previous {
                println!("previous KEK  {}", kek.fingerprint());
            }
            let counts = secrets::status(&db)
                .await
                .map_err(|e| CliError::Input(format!("database: {e}")))?;
            if counts.is_empty() {
                println!("no data keys yet");
            }
            for usage in counts {
                let fingerprint = &usage.kek_fingerprint;
                let known = if keyring.find(fingerprint).is_some() {
                    ""
                } else {
                    "  (NOT CONFIGURED: these cannot be opened)"
                };
                let n = usage.data_keys;
                println!("{n:>8} data keys wrapped by {fingerprint}{known}");
            }
            Ok(())
        }
        KeysCommand::Rotate { new_kek_file } => {
            let new = Kek::from_file(&new_kek_file).map_err(CliError::Input)?;
            let done = secrets::rotate(&db, &keyring, &new).await.map_err(|e| {
                CliError::Input(format!(
                    "{e}; add the new KEK to the configuration of every portal first"
                ))
            })?;
            println!(
                "re-wrapped {done} data keys under {}; every data key now uses it",
                new.fingerprint()
            );
            Ok(())
        }
    }
}

async fn serve(config: Config) -> Result<(), CliError> {
    let options = server::leptos_options()?;
    let addr = config.listen.unwrap_or(options.site_addr);
    let state = server::state(config, options).await?;
    server::start_workers(&state);
    if !users::has_platform_admin(&state.db).await? {
        let exe = std::env::current_exe()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| "tenantry".to_owned());
        tracing::warn!(
            "no platform admin yet; create the first one with: \
             {exe} admin create --email you@example.com --name \"Your Name\" \
             (it asks for the password on standard input)"
        );
    }
    if let Some(ops_addr) = state.config.ops.listen_addr() {
        let ops = tokio::net::TcpListener::bind(ops_addr)
            .await
            .map_err(|source| StartError::Listen {
                addr: ops_addr,
                source,
            })?;
        tracing::info!("operations endpoints on http://{ops_addr} (/healthz, /readyz, /metrics)");
        server::serve_ops(ops, state.clone());
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Listen { addr, source })?;
    tracing::info!(
        "Tenantry listening on http://{addr} (public URL {})",
        state.config.base_url
    );
    server::serve(listener, server::router(state)).await?;
    Ok(())
}

async fn admin_create(config: Config, email: &str, name: &str) -> Result<(), CliError> {
    let email = email.trim().to_lowercase();
    if !app::auth::validate::is_plausible_email(&email) {
        return Err(CliError::Input(format!(
            "`{email}` is not a valid email address"
        )));
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(CliError::Input("--name must be 1 to 200 characters".into()));
    }
    let password = read_password()?;
    if password.expose_secret().chars().count() < 10 {
        return Err(CliError::Input(
            "the password must have at least 10 characters".into(),
        ));
    }
    let db = server::open_db(&config).await?;
    let hash = app::auth::password::hash(password.expose_secret().to_owned()).await?;
    let admin = users::upsert_platform_admin(&db, &email, name, Some(hash)).await?;
    println!(
        "{} platform admin {email}; sign in at {}/signin",
        if admin.created { "created" } else { "promoted" },
        config.origin()
    );
    Ok(())
}

/// Reads the password: a hidden prompt on a terminal, else the first line of stdin.
fn read_password() -> Result<SecretString, CliError> {
    use std::io::IsTerminal;
    let line = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Password for the platform admin: ")
            .map_err(|e| CliError::Input(e.to_string()))?
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| CliError::Input(e.to_string()))?;
        line
    };
    Ok(SecretString::from(
        line.trim_end_matches(['\r', '\n']).to_owned(),
    ))
}
