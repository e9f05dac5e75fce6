//! The pages a signed-out visitor opens first — `/`, `/signin`, `/register` — rendered once
//! per language and served from memory after that.
//!
//! For someone without a session these pages depend on nothing but the language: the code,
//! the configuration and the translations, all fixed for the life of the process. The one
//! value that changes per response is the Content-Security-Policy nonce on the inline
//! scripts, so a stored page is kept as the pieces between its nonces and answered with
//! this request's nonce put back in (the policy header, added outside this layer, carries
//! the same one). Anything else — a session cookie, a query string, another method, an
//! answer that is not a plain `200` HTML page or that sets a cookie — passes through to the
//! renderer untouched. `cache_anonymous_pages = false` turns it off.

use crate::{
    auth::{
        principal::{Principal, RequestContext},
        session,
    },
    i18n::Lang,
    security::CspNonce,
    state::AppState,
};
use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use http::{HeaderValue, Method, StatusCode, header};
use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
};

/// The pages kept, by path. Each is the same for every signed-out visitor of a language.
const PAGES: [&str; 3] = ["/", "/signin", "/register"];
/// A page larger than this is not kept (these are a few KiB).
const MAX_PAGE_BYTES: usize = 256 * 1024;

/// A rendered page, cut at its nonces.
struct Stored {
    content_type: HeaderValue,
    /// The text between the nonces: `pieces[0] nonce pieces[1] nonce …`.
    pieces: Vec<Bytes>,
}

impl Stored {
    fn cut(content_type: HeaderValue, html: &[u8], nonce: &str) -> Option<Stored> {
        let text = std::str::from_utf8(html).ok()?;
        let pieces = text
            .split(nonce)
            .map(|piece| Bytes::copy_from_slice(piece.as_bytes()))
            .collect();
        Some(Stored {
            content_type,
            pieces,
        })
    }

    fn answer(&self, nonce: &str) -> Response {
        let len = self.pieces.iter().map(Bytes::len).sum::<usize>()
            + nonce.len() * self.pieces.len().saturating_sub(1);
        let mut html = Vec::with_capacity(len);
        for (i, piece) in self.pieces.iter().enumerate() {
            if i > 0 {
                html.extend_from_slice(nonce.as_bytes());
            }
            html.extend_from_slice(piece);
        }
        let mut res = Response::new(Body::from(html));
        res.headers_mut()
            .insert(header::CONTENT_TYPE, self.content_type.clone());
        res
    }
}

/// The stored pages of this process, by path and language.
#[derive(Default)]
pub struct PageCache {
    pages: RwLock<HashMap<(&'static str, Lang), Arc<Stored>>>,
}

impl PageCache {
    fn get(&self, key: (&'static str, Lang)) -> Option<Arc<Stored>> {
        self.pages.read().ok()?.get(&key).cloned()
    }

    fn put(&self, key: (&'static str, Lang), page: Stored) {
        if let Ok(mut pages) = self.pages.write() {
            pages.insert(key, Arc::new(page));
        }
    }
}

/// Which stored page `req` may be answered with, and the nonce to put in: none for a
/// request that must reach the renderer.
fn key_of(state: &AppState, req: &Request) -> Option<((&'static str, Lang), String)> {
    if !state.config.cache_anonymous_pages
        || req.method() != Method::GET
        || req.uri().query().is_some()
    {
        return None;
    }
    let path = PAGES.into_iter().find(|p| *p == req.uri().path())?;
    let ctx = req.extensions().get::<RequestContext>()?;
    if !matches!(ctx.principal, Principal::Anonymous) {
        return None;
    }
    // An expired or unknown session cookie also resolves to nobody, but its page may clear
    // the cookie; leave such requests to the renderer.
    let session_cookie = state.config.cookie_name(&state.config.session.cookie_name);
    if session::cookie_value(req.headers(), &session_cookie).is_some() {
        return None;
    }
    let nonce = req.extensions().get::<CspNonce>()?.0.clone();
    (!nonce.is_empty()).then_some(((path, ctx.lang), nonce))
}

/// Answers the signed-out visitor's first pages from memory, storing each on its first
/// render. Runs inside [`crate::auth::middleware::request_context`] (it reads the visitor
/// and language) and [`crate::security::headers`] (the nonce).
pub async fn serve(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some((key, nonce)) = key_of(&state, &req) else {
        return next.run(req).await;
    };
    if let Some(page) = state.pages.get(key) {
        return page.answer(&nonce);
    }
    let res = next.run(req).await;
    let keep = res.status() == StatusCode::OK
        && crate::security::is_html(&res)
        && !res.headers().contains_key(header::SET_COOKIE);
    if !keep {
        return res;
    }
    let (parts, body) = res.into_parts();
    // The deadline layer inside this one covers the response head only; reading the body
    // here gets the same limit, so a render that stalls mid-body cannot hold the request.
    let limit = std::time::Duration::from_secs(state.config.request_timeout_seconds);
    let html = match tokio::time::timeout(limit, axum::body::to_bytes(body, MAX_PAGE_BYTES)).await {
        Ok(Ok(html)) => html,
        Ok(Err(err)) => {
            // Too large or broken: this response cannot be replayed either.
            tracing::warn!(path = key.0, %err, "page not kept");
            return crate::auth::middleware::err_response(crate::error::AppError::Internal);
        }
        Err(_) => {
            tracing::error!(
                path = key.0,
                seconds = limit.as_secs(),
                "page body exceeded its deadline"
            );
            let mut res = crate::auth::middleware::err_response(crate::error::AppError::Internal);
            *res.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
            return res;
        }
    };
    if let Some(content_type) = parts.headers.get(header::CONTENT_TYPE)
        && let Some(page) = Stored::cut(content_type.clone(), &html, &nonce)
    {
        state.pages.put(key, page);
    }
    Response::from_parts(parts, Body::from(html))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_stored_page_carries_each_answer_s_own_nonce_wherever_the_first_had_its() {
        let html = br#"<script nonce="AAAA">x</script><p>AAAA?</p><script nonce="AAAA"></script>"#;
        let page =
            Stored::cut(HeaderValue::from_static("text/html"), html, "AAAA").expect("utf-8 page");
        assert_eq!(page.pieces.len(), 4);
        let answer = page.answer("BBBBBB");
        let body = axum::body::to_bytes(answer.into_body(), usize::MAX)
            .await
            .expect("body");
        assert_eq!(
            &body[..],
            br#"<script nonce="BBBBBB">x</script><p>BBBBBB?</p><script nonce="BBBBBB"></script>"#
        );
    }
}
