//! Real protocol peers on loopback for the tests: an SMTP server (Python's aiosmtpd, writing
//! a Maildir) and a certified OpenID provider (npm `oidc-provider`). Each test app that asks
//! for one gets its own process, killed when the app is dropped.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};
use tokio::process::{Child, Command};

fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Skips (outside CI) or fails (under CI) when a peer cannot start.
fn unavailable(what: &str, why: &str) -> Option<()> {
    if under_ci() {
        panic!("{what} is required under CI: {why}");
    }
    eprintln!("\n!!! SKIPPING test: {what} is not available: {why}\n");
    None
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

async fn wait_for_port(port: u16, child: &mut Child) -> Result<(), String> {
    for _ in 0..300 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Ok(());
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("exited with {status}"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err("did not listen within 15 s".into())
}

/// aiosmtpd on a loopback port, delivering into a Maildir.
pub struct Mailbox {
    pub port: u16,
    dir: PathBuf,
    _child: Child,
}

/// One delivered message, parsed.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub from: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// aiosmtpd with a handler that waits `delay` seconds before accepting each message: a slow
/// relay (each connection is served on its own, so parallel senders all wait).
const SLOW_SMTP: &str = r#"
import asyncio, sys, threading
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
port, maildir, delay = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
class Slow(Mailbox):
    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(delay)
        return await super().handle_DATA(server, session, envelope)
Controller(Slow(maildir), hostname="127.0.0.1", port=port).start()
threading.Event().wait()
"#;

impl Mailbox {
    pub async fn start(dir: &Path) -> Option<Mailbox> {
        Self::start_with_delay(dir, None).await
    }

    /// A relay that takes `delay` to accept each message.
    pub async fn start_slow(dir: &Path, delay: Duration) -> Option<Mailbox> {
        Self::start_with_delay(dir, Some(delay)).await
    }

    async fn start_with_delay(dir: &Path, delay: Option<Duration>) -> Option<Mailbox> {
        let python = std::env::var("TENANTRY_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
        let probe = Command::new(&python)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .await;
        if !probe.is_ok_and(|s| s.success()) {
            unavailable(
                "aiosmtpd",
                &format!("`{python} -c 'import aiosmtpd'` failed (bash .ci/test installs it)"),
            )?;
        }
        // aiosmtpd creates the Maildir (with its tmp/new/cur) only when the folder is new.
        let dir = dir.join("maildir");
        let port = free_port();
        let mut command = Command::new(&python);
        match delay {
            None => command
                .args(["-m", "aiosmtpd", "-n", "-l"])
                .arg(format!("127.0.0.1:{port}"))
                .args(["-c", "aiosmtpd.handlers.Mailbox"])
                .arg(&dir),
            Some(delay) => command
                .args(["-c", SLOW_SMTP, &port.to_string()])
                .arg(&dir)
                .arg(delay.as_secs_f64().to_string()),
        };
        let mut child = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn aiosmtpd");
        if let Err(e) = wait_for_port(port, &mut child).await {
            panic!("aiosmtpd: {e}");
        }
        Some(Mailbox {
            port,
            dir,
            _child: child,
        })
    }

    /// Every delivered message, oldest first.
    pub fn messages(&self) -> Vec<Mail> {
        let mut files: Vec<_> = std::fs::read_dir(self.dir.join("new"))
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files
            .iter()
            .filter_map(|p| std::fs::read(p).ok())
            .filter_map(|raw| {
                let msg = mail_parser::MessageParser::default().parse(&raw)?;
                let first = |a: Option<&mail_parser::Address>| {
                    a.and_then(|a| a.first())
                        .and_then(|a| a.address())
                        .unwrap_or_default()
                        .to_owned()
                };
                Some(Mail {
                    to: first(msg.to()),
                    from: first(msg.from()),
                    subject: msg.subject().unwrap_or_default().to_owned(),
                    text: msg.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
                    html: msg.body_html(0).map(|t| t.into_owned()).unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Waits (up to 10 s) for the `n`th message to `to` (1-based) and returns it.
    pub async fn wait_for(&self, to: &str, n: usize) -> Mail {
        for _ in 0..200 {
            let found: Vec<Mail> = self
                .messages()
                .into_iter()
                .filter(|m| m.to.eq_ignore_ascii_case(to))
                .collect();
            if found.len() >= n {
                return found[n - 1].clone();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "no message #{n} to {to} arrived; have: {:?}",
            self.messages()
        );
    }
}

/// The first link into the portal in a text.
pub fn link_in(text: &str, base: &str) -> String {
    let start = text.find(base).expect("a portal link in the message");
    text[start..]
        .split(|c: char| c.is_whitespace() || c == '"' || c == '<')
        .next()
        .expect("link")
        .to_owned()
}

/// `oidc-provider` on a loopback port with one confidential client `tenantry`.
pub struct OidcPeer {
    pub issuer: String,
    _child: Child,
}

pub const OIDC_CLIENT_SECRET: &str = "loopback-client-secret";

impl OidcPeer {
    pub async fn start(redirect_uri: &str) -> Option<OidcPeer> {
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../end2end/support/oidc-provider.mjs");
        let module =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../end2end/node_modules/oidc-provider");
        if !module.exists() {
            unavailable(
                "oidc-provider",
                "end2end/node_modules is missing (bash .ci/test runs npm ci there)",
            )?;
        }
        let port = free_port();
        let mut child = Command::new("node")
            .arg(&script)
            .env("OIDC_PORT", port.to_string())
            .env("OIDC_REDIRECT_URIS", redirect_uri)
            .env("OIDC_CLIENT_SECRET", OIDC_CLIENT_SECRET)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn node");
        if let Err(e) = wait_for_port(port, &mut child).await {
            panic!("oidc-provider: {e}");
        }
        Some(OidcPeer {
            issuer: format!("http://127.0.0.1:{port}"),
            _child: child,
        })
    }
}
