//! Security headers on every response, and the page's Content-Security-Policy.
//!
//! Pages get a policy that lets the app hydrate and nothing else: scripts only from this
//! origin or inline with this response's nonce (Leptos puts it on its hydration and
//! resource scripts), WebAssembly compilation (`'wasm-unsafe-eval'`), styles, images,
//! fetches and the live stream from this origin, forms posting only here, and no framing.
//! Other responses (JSON, files) get a policy that allows nothing to run.

use crate::state::AppState;
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use http::{HeaderValue, header};

/// The policy of responses that are not pages.
const NOTHING: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// The policy of a page whose inline scripts carry `nonce`.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// This request's nonce, made by [`headers`] and handed to the renderer, so the page's
/// inline scripts and its policy carry the same value without the renderer having to
/// report it back.
#[derive(Clone)]
pub struct CspNonce(pub String);

fn new_nonce() -> String {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    let mut bytes = [0u8; 16];
    // No randomness means no nonce: the page's scripts are then refused, never let through.
    if getrandom::fill(&mut bytes).is_err() {
        return String::new();
    }
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Gives the renderer this request's nonce (Leptos puts it on its inline scripts); the
/// additional context of every Leptos route and of the error pages.
pub fn provide_request_nonce() {
    let nonce = leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(nonce)) = nonce {
        leptos::prelude::provide_context(leptos::nonce::Nonce::from_value(nonce));
    }
}

/// Whether `res` is a page (HTML).
pub fn is_html(res: &Response) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// Adds the headers every response carries, keeping any a handler set itself.
pub async fn headers(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let nonce = new_nonce();
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut res = next.run(req).await;
    let is_html = is_html(&res);
    let headers = res.headers_mut();
    if is_html
        && !nonce.is_empty()
        && let Ok(value) = HeaderValue::from_str(&page_policy(&nonce))
    {
        headers
            .entry(header::CONTENT_SECURITY_POLICY)
            .or_insert(value);
    }
    let fixed = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        // Invitation links carry their token in the path: never send it to another site.
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CONTENT_SECURITY_POLICY, NOTHING),
    ];
    for (name, value) in fixed {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    if state.config.secure_cookies() {
        headers
            .entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert(HeaderValue::from_static(
                "max-age=31536000; includeSubDomains",
            ));
    }
    res
}

/// Whether URL-encoded `text` (a path, a query or a form body) holds a control character
/// once decoded: NUL and the other C0 controls but tab, line feed and carriage return, and
/// DEL. No field of this application takes them, and PostgreSQL refuses NUL in text.
fn has_control_characters(text: &[u8]) -> bool {
    let forbidden = |b: u8| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f;
    percent_decode(text).into_iter().any(forbidden)
}

/// `text` with its `%XX` escapes decoded; a `%` not followed by two hex digits stays.
fn percent_decode(text: &[u8]) -> Vec<u8> {
    let hex = |b: u8| {
        char::from(b)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i] == b'%'
            && i + 2 < text.len()
            && let (Some(h), Some(l)) = (hex(text[i + 1]), hex(text[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
        } else {
            out.push(text[i]);
            i += 1;
        }
    }
    out
}

/// The error for a form body holding control characters: each field that holds one,
/// named with the localized "invalid characters" problem, as the form's own validation
/// would report it; `bad_request` when a field name itself is the culprit.
fn poisoned_fields(body: &[u8]) -> crate::error::AppError {
    use crate::error::{AppError, FieldError, Problem};
    let mut fields = Vec::new();
    for pair in body.split(|&b| b == b'&') {
        let (name, value) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &[][..]),
        };
        if has_control_characters(name) {
            return AppError::BadRequest;
        }
        if has_control_characters(value) {
            let name = String::from_utf8_lossy(name).replace('+', " ");
            fields.push(FieldError {
                field: String::from_utf8_lossy(&percent_decode(name.as_bytes())).into_owned(),
                problem: Problem::InvalidCharacters,
            });
        }
    }
    if fields.is_empty() {
        AppError::BadRequest
    } else {
        AppError::Invalid { fields }
    }
}

/// Refuses, before any handler runs, a request whose path, query or form body carries a
/// control character: one check for every text input. A form field is named in a `422
/// invalid` answer (`invalid_characters`), a path or query gets `400 bad_request`.
pub async fn refuse_control_characters(req: Request, next: Next) -> Response {
    let refusal = crate::api::Refusal::of(&req);
    let uri = req.uri();
    let bad_url = has_control_characters(uri.path().as_bytes())
        || uri
            .query()
            .is_some_and(|q| has_control_characters(q.as_bytes()));
    if bad_url {
        return refusal.answer(crate::error::AppError::BadRequest);
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    // The body limit layer outside this one has already capped the size.
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return refusal.answer(crate::error::AppError::PayloadTooLarge);
        }
    };
    if has_control_characters(&bytes) {
        return refusal.answer(poisoned_fields(&bytes));
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisoned_form_fields_are_named() {
        use crate::error::{AppError, FieldError, Problem};
        assert_eq!(
            poisoned_fields(b"org=acme&display%5Fname=A%00B&slug=ok"),
            AppError::Invalid {
                fields: vec![FieldError {
                    field: "display_name".into(),
                    problem: Problem::InvalidCharacters,
                }],
            }
        );
        assert_eq!(poisoned_fields(b"a%00=x"), AppError::BadRequest);
    }

    #[test]
    fn control_characters_are_found_encoded_or_raw() {
        for bad in [&b"a=x%00y"[..], b"a=%1b[31m", b"a=%7F", b"a=\x00", b"q=%0b"] {
            assert!(has_control_characters(bad), "{bad:?}");
        }
        for good in [
            &b"a=hello+world&b=M%C3%BCller"[..],
            b"soul=line%0Aline%0D%0A%09tab",
            b"a=100%25",
            b"a=%",
            b"a=%4",
            b"a=%zz",
        ] {
            assert!(!has_control_characters(good), "{good:?}");
        }
    }

    #[test]
    fn the_page_policy_names_the_nonce_and_forbids_framing() {
        let p = page_policy("abc123");
        assert!(p.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval'"));
        assert!(p.contains("frame-ancestors 'none'"));
        assert!(!p.contains("unsafe-inline"));
    }
}
