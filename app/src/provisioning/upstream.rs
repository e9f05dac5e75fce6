//! What the HTTP drivers share: one upstream's base URL and credential, requests with the
//! credential attached, and answers sorted into retryable and permanent step errors. The
//! messages are ours (the system's name and a status code), never an upstream body.

use super::{StepError, retry_after};
use reqwest::{Method, RequestBuilder, Response};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;

/// How the token travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// `Authorization: token <token>` (Gitea's documented form).
    Token,
    /// `X-Vault-Token: <token>` (OpenBao and Vault).
    VaultToken,
}

/// A client of one upstream system.
pub struct Upstream<'a> {
    pub http: &'a reqwest::Client,
    /// The system's name in messages (`Gitea`).
    pub system: &'static str,
    /// The API's base URL, without a trailing slash (`https://git.example.com/api/v1`).
    pub base: String,
    token: SecretString,
    scheme: Scheme,
    /// Sent with every request (e.g. `X-Vault-Namespace`).
    extra: Option<(&'static str, String)>,
}

impl<'a> Upstream<'a> {
    /// A client of `system` at `url` + `api`, with the token `read` returns.
    pub fn new(
        http: &'a reqwest::Client,
        system: &'static str,
        url: &str,
        api: &str,
        token: Result<Option<SecretString>, String>,
        scheme: Scheme,
    ) -> Result<Upstream<'a>, StepError> {
        let token = token.ok().flatten().ok_or_else(|| {
            StepError::Permanent(format!("the {system} token is not set or not readable"))
        })?;
        Ok(Upstream {
            http,
            system,
            base: format!("{}{api}", url.trim_end_matches('/')),
            token,
            scheme,
            extra: None,
        })
    }

    /// Sends `name: value` with every request.
    pub fn with_header(mut self, name: &'static str, value: String) -> Self {
        self.extra = Some((name, value));
        self
    }

    /// A request to `path` (starting with `/`) with the credential attached.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let request = self.http.request(method, format!("{}{path}", self.base));
        let secret = self.token.expose_secret();
        let request = match self.scheme {
            Scheme::Bearer => request.bearer_auth(secret),
            Scheme::Token => request.header("authorization", format!("token {secret}")),
            Scheme::VaultToken => request.header("x-vault-token", secret),
        };
        match &self.extra {
            Some((name, value)) => request.header(*name, value),
            None => request,
        }
    }

    /// Sends `request`; no answer at all is a transient error.
    pub async fn send(&self, request: RequestBuilder) -> Result<Response, StepError> {
        request
            .send()
            .await
            .map_err(|e| StepError::from_transport(self.system, &e))
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Result<Response, StepError> {
        self.send(self.request(Method::GET, path)).await
    }

    /// The error for an answer that was not what the caller expected.
    pub fn failed(&self, response: &Response) -> StepError {
        StepError::from_status(
            self.system,
            response.status().as_u16(),
            retry_after(response),
        )
    }

    /// The JSON body of a success, or the error of anything else.
    pub async fn success<T: DeserializeOwned>(&self, response: Response) -> Result<T, StepError> {
        if !response.status().is_success() {
            return Err(self.failed(&response));
        }
        self.read(response).await
    }

    /// The JSON body of `response`, whatever its status.
    pub async fn read<T: DeserializeOwned>(&self, response: Response) -> Result<T, StepError> {
        let status = response.status().as_u16();
        response.json().await.map_err(|_| {
            StepError::transient(format!(
                "{} sent an answer we cannot read (HTTP {status})",
                self.system
            ))
        })
    }

    /// Whether `GET path` succeeds: the health probe of most systems.
    pub async fn probe(&self, path: &str) -> Result<(), StepError> {
        let response = self.get(path).await?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(self.failed(&response))
        }
    }
}

/// `text` with the characters of a URL path segment that are not unreserved escaped.
pub fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn segments_escape_everything_but_unreserved() {
        assert_eq!(super::segment("acme-gmbh_1.x~"), "acme-gmbh_1.x~");
        assert_eq!(super::segment("a/b c?"), "a%2Fb%20c%3F");
    }
}
