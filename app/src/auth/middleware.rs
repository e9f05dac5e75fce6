//! Request layers: build the [`RequestContext`] once per request, refuse cross-site writes,
//! and give server-function errors their real HTTP status.

use super::{
    principal::{Principal, RequestContext},
    session,
};
use crate::{error::AppError, i18n::Lang, state::AppState};
use axum::{
    body::Body,
    extract::{ConnectInfo, Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use http::{HeaderMap, HeaderValue, Method, header};
use std::net::SocketAddr;

/// Cookie that remembers the language chosen by a signed-out visitor.
pub const LANG_COOKIE: &str = "tenantry_lang";

/// Resolves the session, client address and language and stores them in the request's
/// extensions, where server functions and SSR read them. Static assets skip the lookup.
pub async fn request_context(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    if req.uri().path().starts_with("/pkg/") {
        return next.run(req).await;
    }
    let headers = req.headers();
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip().to_string());
    let hops = if state.config.trust_proxy_headers {
        state.config.trusted_proxy_hops
    } else {
        0
    };
    let client_addr = client_address(headers, peer, hops);
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let on_api = crate::api::is_api_path(req.uri().path());
    let bearer = on_api.then(|| bearer_token(headers)).flatten();
    let principal = if let Some(presented) = bearer {
        match api_key(&state, presented, &client_addr).await {
            Ok(principal) => principal,
            Err(err) => {
                let lang = headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| Lang::from_accept_language(v, &state.config.languages))
                    .unwrap_or(state.config.default_language);
                return crate::api::error_response(&err, lang);
            }
        }
    } else {
        match session::cookie_value(
            headers,
            &state.config.cookie_name(&state.config.session.cookie_name),
        ) {
            Some(token) => match session::resolve(&state.db, &state.config, token).await {
                Ok(Some(user)) => Principal::User(user),
                Ok(None) => Principal::Anonymous,
                Err(err) => return err_response(err),
            },
            None => Principal::Anonymous,
        }
    };
    let allowed = &state.config.languages;
    let lang = principal
        .user()
        .map(|u| u.language)
        .filter(|l| allowed.contains(l))
        .or_else(|| {
            session::cookie_value(headers, &state.config.cookie_name(LANG_COOKIE))
                .and_then(Lang::parse)
                .filter(|l| allowed.contains(l))
        })
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| Lang::from_accept_language(v, allowed))
        })
        .unwrap_or(state.config.default_language);
    let request_id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map_or_else(crate::db::new_id, str::to_owned);
    req.extensions_mut().insert(lang);
    req.extensions_mut().insert(RequestContext {
        principal,
        client_addr,
        user_agent,
        lang,
        request_id,
    });
    next.run(req).await
}

/// The token of an `Authorization: Bearer …` header.
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The principal of a bearer API key. Failed attempts count per client address (IPv6: its
/// /64); beyond the limit every attempt from there is refused before it is looked at.
async fn api_key(
    state: &AppState,
    presented: &str,
    client_addr: &str,
) -> Result<Principal, AppError> {
    use super::rate_limit;
    let subject = limit_subject(client_addr);
    let limit = state.config.rate_limits.api_key_failures_per_minute;
    let failures =
        rate_limit::count(&state.db, rate_limit::API_KEY_FAILURE, &subject, 60_000).await?;
    if failures >= i64::from(limit) {
        return Err(AppError::RateLimited {
            retry_after_secs: 60,
        });
    }
    match crate::keys::verify::verify(&state.db, &state.keys, presented).await {
        Ok(key) => Ok(Principal::ApiKey(super::principal::KeyPrincipal { key })),
        Err(refusal) => {
            tracing::info!(?refusal, "refused an API key");
            rate_limit::record(&state.db, rate_limit::API_KEY_FAILURE, &subject).await?;
            Err(AppError::InvalidApiKey)
        }
    }
}

/// The client's address. Behind `hops` trusted proxies, each appends the address it received
/// the request from to `X-Forwarded-For`, so the client is the `hops`-th entry from the
/// right; everything left of it was written by the client and proves nothing. With no
/// trusted proxy, or a header too short or not holding an IP address, the peer is used.
fn client_address(headers: &HeaderMap, peer: Option<String>, hops: u8) -> String {
    let forwarded = (hops > 0)
        .then(|| {
            // Several headers count as one list, in order.
            let entries: Vec<&str> = headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .collect();
            let index = entries.len().checked_sub(usize::from(hops))?;
            entries[index].parse::<std::net::IpAddr>().ok()
        })
        .flatten()
        .map(|ip| ip.to_string());
    forwarded.or(peer).unwrap_or_else(|| "unknown".to_owned())
}

/// What per-address limits count: the address itself for IPv4, its /64 network for IPv6
/// (one customer line holds a whole /64, so single addresses are free to rotate).
pub fn limit_subject(client_addr: &str) -> String {
    match client_addr.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(ip)) if ip.to_ipv4_mapped().is_none() => {
            let s = ip.segments();
            let net = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
            format!("{net}/64")
        }
        Ok(std::net::IpAddr::V6(ip)) => ip
            .to_ipv4_mapped()
            .map_or_else(|| client_addr.to_owned(), |v4| v4.to_string()),
        _ => client_addr.to_owned(),
    }
}

/// Refuses state-changing requests that a browser sent from another site. Browsers send
/// `Origin` on every cross-site POST (and `Referer` in most other cases); requests carrying
/// neither come from non-browser clients, which cannot ride on a victim's cookies.
/// API requests with a bearer token (`/api/v1`, `/mcp`) are exempt: a browser never adds one by itself.
pub async fn refuse_cross_site(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let path = req.uri().path();
    // A bearer token is not sent by a browser on its own, so it cannot ride on a victim's
    // visit; the same API routes with the session cookie are checked like any form.
    if safe || (crate::api::is_api_path(path) && bearer_token(req.headers()).is_some()) {
        return next.run(req).await;
    }
    if is_same_site(req.headers(), state.config.origin()) {
        next.run(req).await
    } else {
        tracing::warn!(path, "refused a cross-site request");
        err_response(AppError::CrossSite)
    }
}

fn is_same_site(headers: &HeaderMap, configured_origin: &str) -> bool {
    let source = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|v| v.to_str().ok());
    let Some(source) = source else { return true };
    let host_of = |url: &str| -> Option<String> {
        let rest = url.split_once("://")?.1;
        let host = rest.split(['/', '?', '#']).next()?;
        (!host.is_empty()).then(|| host.to_ascii_lowercase())
    };
    let Some(source_host) = host_of(source) else {
        return false;
    };
    let request_host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase);
    Some(&source_host) == host_of(configured_origin).as_ref()
        || Some(&source_host) == request_host.as_ref()
}

/// Server-function errors leave the framework as 500 with a `serverfnerror` header and the
/// JSON [`AppError`] as body; this maps them to the error's own status (and `Retry-After`).
pub async fn server_fn_error_status(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    if res.status() != http::StatusCode::INTERNAL_SERVER_ERROR
        || !res.headers().contains_key("serverfnerror")
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
        return AppError::Internal.status().into_response();
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = err.status();
        if let AppError::RateLimited { retry_after_secs } = err
            && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            parts.headers.insert(header::RETRY_AFTER, v);
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Answers the body limit's plain-text 413 with the JSON error every other failure uses.
pub async fn payload_too_large_as_json(req: Request, next: Next) -> Response {
    let refusal = crate::api::Refusal::of(&req);
    let res = next.run(req).await;
    if res.status() == http::StatusCode::PAYLOAD_TOO_LARGE {
        return refusal.answer(AppError::PayloadTooLarge);
    }
    res
}

/// An [`AppError`] as a JSON response with its status.
pub fn err_response(err: AppError) -> Response {
    let status = err.status();
    let body = serde_json::to_string(&err).unwrap_or_else(|_| "{\"code\":\"internal\"}".to_owned());
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn same_site_rules() {
        let origin = "https://portal.example.com";
        assert!(is_same_site(&headers(&[]), origin));
        assert!(is_same_site(
            &headers(&[("origin", "https://portal.example.com")]),
            origin
        ));
        assert!(is_same_site(
            &headers(&[
                ("origin", "http://127.0.0.1:4000"),
                ("host", "127.0.0.1:4000")
            ]),
            origin
        ));
        assert!(!is_same_site(
            &headers(&[
                ("origin", "https://evil.example"),
                ("host", "portal.example.com")
            ]),
            origin
        ));
        assert!(!is_same_site(&headers(&[("origin", "null")]), origin));
        assert!(!is_same_site(
            &headers(&[("referer", "https://evil.example/x")]),
            origin
        ));
        assert!(is_same_site(
            &headers(&[("referer", "https://portal.example.com/register")]),
            origin
        ));
    }

    #[test]
    fn forwarded_for_only_when_trusted() {
        let h = headers(&[("x-forwarded-for", "203.0.113.9, 10.0.0.1")]);
        let peer = || Some("127.0.0.1".to_owned());
        assert_eq!(client_address(&h, peer(), 0), "127.0.0.1");
        // One proxy: the entry it appended, the rightmost.
        assert_eq!(client_address(&h, peer(), 1), "10.0.0.1");
        // Two proxies: the entry the outer one appended.
        assert_eq!(client_address(&h, peer(), 2), "203.0.113.9");
        // Fewer entries than proxies, or garbage: the peer.
        assert_eq!(client_address(&h, peer(), 3), "127.0.0.1");
        let junk = headers(&[("x-forwarded-for", "not-an-ip")]);
        assert_eq!(client_address(&junk, peer(), 1), "127.0.0.1");
    }

    #[test]
    fn a_forged_leftmost_entry_does_not_change_the_client() {
        let peer = || Some("10.0.0.1".to_owned());
        let honest = headers(&[("x-forwarded-for", "198.51.100.7")]);
        for forged in ["1.2.3.4", "5.6.7.8, 9.9.9.9", "::1"] {
            let h = headers(&[("x-forwarded-for", &format!("{forged}, 198.51.100.7"))]);
            assert_eq!(
                client_address(&h, peer(), 1),
                client_address(&honest, peer(), 1)
            );
        }
    }

    #[test]
    fn ipv6_clients_are_limited_per_64() {
        assert_eq!(limit_subject("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(limit_subject("2001:db8:1:2:ffff::9"), "2001:db8:1:2::/64");
        assert_ne!(limit_subject("2001:db8:1:3::1"), "2001:db8:1:2::/64");
        assert_eq!(limit_subject("203.0.113.9"), "203.0.113.9");
        assert_eq!(limit_subject("::ffff:203.0.113.9"), "203.0.113.9");
        assert_eq!(limit_subject("unknown"), "unknown");
    }
}
