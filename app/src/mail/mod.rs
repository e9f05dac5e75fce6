//! Outgoing email: localized templates and delivery through the configured SMTP relay
//! (lettre). Callers record the outcome where the person who triggered the email can see
//! it; a failed delivery never undoes the change that asked for it.

pub mod outbox;
mod templates;

pub use templates::*;

use crate::config::{SmtpConfig, SmtpTls};
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{
        Body, Mailbox, MultiPart, SinglePart,
        header::{ContentTransferEncoding, ContentType},
    },
    transport::smtp::authentication::Credentials,
};
use secrecy::ExposeSecret;
use std::time::Duration;

/// A rendered email: plain text and HTML alternatives of the same content.
#[derive(Debug, Clone)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Why an email was not delivered to the relay. The text is safe to show to the person
/// who sent it: it never contains credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    #[error("email is not configured (smtp.host is empty)")]
    NotConfigured,
    #[error("invalid address: {0}")]
    Address(String),
    #[error("SMTP: {0}")]
    Smtp(String),
    #[error("the SMTP server did not answer within {0} s")]
    Timeout(u64),
    #[error("mail sink: {0}")]
    Sink(String),
}

impl SendError {
    /// The message stored with the delivery attempt (bounded in length).
    pub fn for_record(&self) -> String {
        self.to_string().chars().take(300).collect()
    }
}

/// Hands `email` to the relay, or without one writes it to the sink directory.
pub async fn send(config: &SmtpConfig, email: &Email) -> Result<(), SendError> {
    if config.host.is_empty() {
        if config.sink_dir.as_os_str().is_empty() {
            return Err(SendError::NotConfigured);
        }
        return write_to_sink(config, email).await;
    }
    let message = message(config, email, false)?;
    let smtp_err = |e: lettre::transport::smtp::Error| SendError::Smtp(e.to_string());
    let mut builder = match config.tls {
        SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host),
        SmtpTls::Starttls => {
            AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host).map_err(smtp_err)?
        }
        SmtpTls::Tls => {
            AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host).map_err(smtp_err)?
        }
    }
    .port(config.port)
    .timeout(Some(Duration::from_secs(config.timeout_seconds)));
    if let (Some(user), Some(password)) = (&config.username, &config.password) {
        builder = builder.credentials(Credentials::new(
            user.clone(),
            password.expose_secret().to_owned(),
        ));
    }
    let transport = builder.build();
    // The transport's own timeout covers each command; this bounds the whole exchange.
    let budget = Duration::from_secs(config.timeout_seconds.saturating_mul(3));
    match tokio::time::timeout(budget, transport.send(message)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(smtp_err(e)),
        Err(_) => Err(SendError::Timeout(config.timeout_seconds)),
    }
}

/// The MIME message. For the file sink the parts are plain 8-bit UTF-8 where their lines
/// allow (the text part always does), so the file reads and its links copy as written; for
/// a relay lettre picks a 7-bit-safe encoding.
fn message(config: &SmtpConfig, email: &Email, readable: bool) -> Result<Message, SendError> {
    let from: Mailbox = config
        .from
        .parse()
        .map_err(|_| SendError::Address(config.from.clone()))?;
    let to: Mailbox = email
        .to
        .parse()
        .map_err(|_| SendError::Address(email.to.clone()))?;
    let body = if readable {
        let part = |kind: ContentType, body: &str| {
            // 8-bit allows lines of up to 998 octets (RFC 5322), enough for any link; lettre
            // would pick quoted-printable for lines over 76, which breaks links up.
            let body = if body.lines().all(|l| l.len() <= 998) && !body.contains('\r') {
                let crlf = body.replace('\n', "\r\n").into_bytes();
                Body::dangerous_pre_encoded(crlf, ContentTransferEncoding::EightBit)
            } else {
                Body::new(body.to_owned())
            };
            SinglePart::builder().header(kind).body(body)
        };
        MultiPart::alternative()
            .singlepart(part(ContentType::TEXT_PLAIN, &email.text))
            .singlepart(part(ContentType::TEXT_HTML, &email.html))
    } else {
        MultiPart::alternative_plain_html(email.text.clone(), email.html.clone())
    };
    Message::builder()
        .from(from)
        .to(to)
        .subject(email.subject.clone())
        .multipart(body)
        .map_err(|e| SendError::Smtp(e.to_string()))
}

/// Writes one `.eml` file per email into `smtp.sink_dir` (created if missing).
async fn write_to_sink(config: &SmtpConfig, email: &Email) -> Result<(), SendError> {
    let formatted = message(config, email, true)?.formatted();
    let sink_err = |e: std::io::Error| SendError::Sink(e.to_string());
    tokio::fs::create_dir_all(&config.sink_dir)
        .await
        .map_err(sink_err)?;
    let name = format!(
        "{}-{}.eml",
        crate::db::now_ms(),
        uuid::Uuid::new_v4().simple()
    );
    // Written under a temporary name and renamed, so a reader never sees half a message.
    let partial = config.sink_dir.join(format!(".{name}.partial"));
    tokio::fs::write(&partial, formatted)
        .await
        .map_err(sink_err)?;
    tokio::fs::rename(&partial, config.sink_dir.join(&name))
        .await
        .map_err(sink_err)
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape_html("<b>\"A&B\"</b> 'x'"),
            "&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt; &#39;x&#39;"
        );
    }

    #[tokio::test]
    async fn without_a_host_nothing_is_sent() {
        let config = SmtpConfig {
            host: String::new(),
            port: 25,
            tls: SmtpTls::None,
            username: None,
            password: None,
            from: "a@b.example".into(),
            timeout_seconds: 1,
            sink_dir: std::path::PathBuf::new(),
        };
        let email = Email {
            to: "x@y.example".into(),
            subject: "s".into(),
            text: "t".into(),
            html: "h".into(),
        };
        assert_eq!(send(&config, &email).await, Err(SendError::NotConfigured));
    }

    #[tokio::test]
    async fn without_a_host_mail_goes_to_the_sink_as_readable_eml() {
        let dir = std::env::temp_dir().join(format!("tenantry-sink-{}", uuid::Uuid::new_v4()));
        let config = SmtpConfig {
            host: String::new(),
            port: 25,
            tls: SmtpTls::None,
            username: None,
            password: None,
            from: "Portal <a@b.example>".into(),
            timeout_seconds: 1,
            sink_dir: dir.clone(),
        };
        let link = "http://127.0.0.1:3000/verify-email?token=abcdefghijklmnopqrstuvwxyz0123456789-_ABCDEFG";
        let email = Email {
            to: "x@y.example".into(),
            subject: "Bestätigen".into(),
            text: format!("Grüezi, öffnen Sie:\n{link}\n"),
            html: format!("<p><a href=\"{link}\">ö</a></p>"),
        };
        send(&config, &email).await.unwrap();
        let files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        assert_eq!(files[0].extension().unwrap(), "eml");
        let raw = std::fs::read_to_string(&files[0]).unwrap();
        assert!(raw.contains("To: x@y.example"), "{raw}");
        // The link is there as written: no quoted-printable line breaks inside it.
        assert!(raw.contains(link), "{raw}");
        assert!(raw.contains("Grüezi"), "{raw}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn a_closed_port_is_a_recorded_failure_not_a_panic() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let config = SmtpConfig {
            host: "127.0.0.1".into(),
            port,
            tls: SmtpTls::None,
            username: Some("user".into()),
            password: Some("hunter2-secret".into()),
            from: "a@b.example".into(),
            timeout_seconds: 2,
            sink_dir: std::path::PathBuf::new(),
        };
        let email = Email {
            to: "x@y.example".into(),
            subject: "s".into(),
            text: "t".into(),
            html: "h".into(),
        };
        let err = send(&config, &email).await.unwrap_err();
        assert!(matches!(err, SendError::Smtp(_)), "{err:?}");
        assert!(!err.for_record().contains("hunter2"));
    }
}
