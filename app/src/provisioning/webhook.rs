//! The signed-webhook driver: Standard Webhooks v1 (`webhook-id`, `webhook-timestamp`,
//! `webhook-signature: v1,<base64 HMAC-SHA256>`) events to the operator's URL.
//!
//! The `webhook-id` is the same for every attempt of one event, so the receiver can drop
//! duplicates. 2xx is delivered; 410 means the endpoint is gone (permanent); 429, 502, 503
//! and 504 are retried no sooner than `Retry-After`; redirects are not followed.

use super::{Produced, StepError, retry_after};
use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// The HMAC key of a `whsec_…` secret: the base64-decoded bytes (24 to 64 of them).
pub fn key(secret: &SecretString) -> Option<Zeroizing<Vec<u8>>> {
    let encoded = secret.expose_secret().strip_prefix("whsec_")?;
    let bytes = Zeroizing::new(STANDARD.decode(encoded).ok()?);
    (24..=64).contains(&bytes.len()).then_some(bytes)
}

/// The `v1,…` signature of one attempt.
pub fn sign(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    format!("v1,{}", STANDARD.encode(mac(key, id, timestamp, body)))
}

fn mac(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return Vec::new();
    };
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// What a receiver checks: the timestamp within `tolerance_secs` of `now`, and one of the
/// space-separated `v1,` signatures equal to ours, compared in constant time after an
/// explicit length check (an empty or short signature never matches).
pub fn verify(
    key: &[u8],
    id: &str,
    timestamp: &str,
    signatures: &str,
    body: &[u8],
    now: i64,
    tolerance_secs: i64,
) -> bool {
    let Ok(ts) = timestamp.parse::<i64>() else {
        return false;
    };
    if (now - ts).abs() > tolerance_secs {
        return false;
    }
    let expected = mac(key, id, ts, body);
    signatures.split(' ').any(|token| {
        let Some(encoded) = token.strip_prefix("v1,") else {
            return false;
        };
        let Ok(given) = STANDARD.decode(encoded) else {
            return false;
        };
        given.len() == expected.len() && bool::from(given.ct_eq(&expected))
    })
}

/// One event to deliver.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    /// Identical across retries of this event.
    pub id: &'a str,
    /// `instance.approved`, `instance.provisioned`, `instance.deprovisioned`.
    pub kind: &'a str,
    pub data: serde_json::Value,
}

/// Posts `event` to `url`, signed with `key`.
pub async fn deliver(
    http: &reqwest::Client,
    url: &str,
    key: &[u8],
    event: &Event<'_>,
) -> Result<Produced, StepError> {
    let now = crate::db::now_ms() / 1000;
    let body = serde_json::json!({
        "type": event.kind,
        "timestamp": rfc3339(now),
        "data": event.data,
    })
    .to_string();
    let response = http
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", event.id)
        .header("webhook-timestamp", now.to_string())
        .header(
            "webhook-signature",
            sign(key, event.id, now, body.as_bytes()),
        )
        .body(body)
        .send()
        .await
        .map_err(|e| StepError::from_transport("the webhook endpoint", &e))?;
    let status = response.status().as_u16();
    match status {
        200..=299 => Ok(Produced::new(event.id)),
        410 => Err(StepError::Permanent(
            "the webhook endpoint is gone (HTTP 410); fix provisioning.webhook.url".into(),
        )),
        300..=399 => Err(StepError::Permanent(format!(
            "the webhook endpoint redirected (HTTP {status}); redirects are not followed"
        ))),
        _ => Err(StepError::from_status(
            "the webhook endpoint",
            status,
            retry_after(&response),
        )),
    }
}

/// `secs` (Unix seconds, UTC) as RFC 3339, e.g. `2026-12-02T06:00:00Z`.
pub fn rfc3339(secs: i64) -> String {
    let date_time = crate::components::format::date_time(secs.saturating_mul(1000));
    format!("{}Z", date_time.replacen(' ', "T", 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test vector of the Standard Webhooks reference libraries.
    #[test]
    fn signs_the_reference_vector() {
        let secret = SecretString::from("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD");
        let key = key(&secret).unwrap();
        let body = br#"{"email":"test@example.com","username":"test_user"}"#;
        let signature = sign(&key, "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk", 1_649_367_553, body);
        assert_eq!(signature, "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=");
        let id = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
        let now = 1_649_367_553;
        assert!(verify(&key, id, "1649367553", &signature, body, now, 300));
        // Another signature first (rotation) still verifies.
        let rotated = format!("v1,AAAA {signature}");
        assert!(verify(&key, id, "1649367553", &rotated, body, now, 300));
        // The verifier pitfall: an empty or truncated signature never passes.
        for forged in [
            "v1,",
            "v1,tZ1I4/hD",
            "",
            "v1a,xyz",
            "tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=",
        ] {
            assert!(
                !verify(&key, id, "1649367553", forged, body, now, 300),
                "{forged}"
            );
        }
        // Another body, id or a stale timestamp fails.
        assert!(!verify(&key, id, "1649367553", &signature, b"{}", now, 300));
        assert!(!verify(
            &key,
            "msg_other",
            "1649367553",
            &signature,
            body,
            now,
            300
        ));
        assert!(!verify(
            &key,
            id,
            "1649367553",
            &signature,
            body,
            now + 301,
            300
        ));
    }

    #[test]
    fn secrets_must_be_whsec_base64_of_24_to_64_bytes() {
        assert!(key(&SecretString::from("C2FVsBQIhrscChlQIMV+b5sSYspob7oD")).is_none());
        assert!(key(&SecretString::from("whsec_AAAA")).is_none());
        assert!(key(&SecretString::from("whsec_not base64!")).is_none());
    }

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_649_367_553), "2022-04-07T21:39:13Z");
        assert_eq!(rfc3339(1_796_169_600), "2026-12-02T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }
}
