//! Rendered pages kept in memory and answered again while nothing they show has changed.
//!
//! Two kinds of page are kept:
//! - **Signed-out visitors' first pages** — `/`, `/signin`, `/register`. Without a session
//!   they depend on nothing but the language: the code, the configuration and the
//!   translations, all fixed for the life of the process. `cache_anonymous_pages = false`
//!   turns this off.
//! - **A member's organization pages** — the organization dashboard `/orgs/:slug`, its
//!   settings `/orgs/:slug/settings`, and `/dashboard` (their organizations). Each is kept per
//!   user and language, with a validator: a digest of everything the session lookup read
//!   about the user (name, email, language, platform role, status, every membership with its
//!   organization's name, kind and role) and, for an organization page, that organization's
//!   revision. Database triggers raise the revision, in the writer's transaction, with every
//!   change to what the organization's pages show (its row, memberships, requests,
//!   instances, provisioning runs and steps), from whichever process. The session
//!   lookup reads it before the page's own queries run, so a kept page is never older than
//!   the revision it is filed under, and any later change files a newer one: the next
//!   request renders again. `cache_member_pages = false` turns this off.
//!
//! The one value that changes per response is the Content-Security-Policy nonce on the
//! inline scripts, so a stored page is kept as the pieces between its nonces and answered
//! with this request's nonce put back in (the policy header, added outside this layer,
//! carries the same one). Anything else — another page, a query string, another method, a
//! visitor with an unknown session cookie, a staff member outside the organization, an answer
//! that is not a plain `200` HTML page or that sets a cookie — passes through to the
//! renderer untouched. The cache holds at most `page_cache_kib`; the least recently used
//! pages leave first.

use crate::{
    auth::{
        principal::{Principal, RequestContext, UserPrincipal},
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
use futures_util::StreamExt;
use http::{HeaderValue, Method, StatusCode, header};
use sha2::{Digest, Sha256};
use std::{
    collections::HashMap,
    sync::{
        Arc, RwLock,
        atomic::{AtomicU64, Ordering},
    },
};

/// The pages kept for signed-out visitors, by path.
const ANONYMOUS_PAGES: [&str; 3] = ["/", "/signin", "/register"];
/// A page larger than this is answered but not kept (the dashboard of 20 instances is 54 KB).
const MAX_PAGE_BYTES: usize = 1024 * 1024;

/// Under what a page is filed: its path, and for a member's page the user.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    path: String,
    user: Option<String>,
    lang: Lang,
}

/// What must still hold for a kept page to be answered: a digest of its inputs.
type Validator = [u8; 32];

/// A rendered page, cut at its nonces.
struct Stored {
    content_type: HeaderValue,
    /// The text between the nonces: `pieces[0] nonce pieces[1] nonce …`.
    pieces: Vec<Bytes>,
    validator: Validator,
    /// When it was last answered, on the cache's clock.
    used: AtomicU64,
}

impl Stored {
    fn cut(
        content_type: HeaderValue,
        html: &[u8],
        nonce: &str,
        validator: Validator,
    ) -> Option<Stored> {
        let text = std::str::from_utf8(html).ok()?;
        let pieces = text
            .split(nonce)
            .map(|piece| Bytes::copy_from_slice(piece.as_bytes()))
            .collect();
        Some(Stored {
            content_type,
            pieces,
            validator,
            used: AtomicU64::new(0),
        })
    }

    fn len(&self) -> usize {
        self.pieces.iter().map(Bytes::len).sum()
    }

    fn answer(&self, nonce: &str) -> Response {
        let len = self.len() + nonce.len() * self.pieces.len().saturating_sub(1);
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

#[derive(Default)]
struct Pages {
    by_key: HashMap<Key, Arc<Stored>>,
    bytes: usize,
}

/// The kept pages of this process.
#[derive(Default)]
pub struct PageCache {
    pages: RwLock<Pages>,
    clock: AtomicU64,
}

impl PageCache {
    /// The page filed under `key`, if it was rendered with the same inputs.
    fn get(&self, key: &Key, validator: &Validator) -> Option<Arc<Stored>> {
        let page = self.pages.read().ok()?.by_key.get(key).cloned()?;
        if page.validator != *validator {
            return None;
        }
        let now = self.clock.fetch_add(1, Ordering::Relaxed);
        page.used.store(now, Ordering::Relaxed);
        Some(page)
    }

    /// Files `page` under `key`, replacing what was there, and makes room within `budget`
    /// bytes by dropping the least recently used pages.
    fn put(&self, key: Key, page: Stored, budget: usize) {
        let size = page.len();
        if size > budget {
            return;
        }
        page.used.store(
            self.clock.fetch_add(1, Ordering::Relaxed),
            Ordering::Relaxed,
        );
        let Ok(mut pages) = self.pages.write() else {
            return;
        };
        if let Some(old) = pages.by_key.remove(&key) {
            pages.bytes -= old.len();
        }
        if pages.bytes + size > budget {
            let mut by_age: Vec<(u64, Key)> = pages
                .by_key
                .iter()
                .map(|(k, p)| (p.used.load(Ordering::Relaxed), k.clone()))
                .collect();
            by_age.sort_unstable_by_key(|(used, _)| *used);
            for (_, old_key) in by_age {
                if pages.bytes + size <= budget {
                    break;
                }
                if let Some(old) = pages.by_key.remove(&old_key) {
                    pages.bytes -= old.len();
                }
            }
        }
        pages.bytes += size;
        pages.by_key.insert(key, Arc::new(page));
    }

    /// How many bytes of pages are kept.
    #[cfg(test)]
    fn bytes(&self) -> usize {
        self.pages.read().map(|p| p.bytes).unwrap_or(0)
    }
}

/// A request that may be answered from the cache.
struct Cacheable {
    key: Key,
    validator: Validator,
    nonce: String,
}

/// Which kept page `req` may be answered with: none for a request that must reach the
/// renderer.
fn cacheable(state: &AppState, req: &Request) -> Option<Cacheable> {
    if req.method() != Method::GET || req.uri().query().is_some() {
        return None;
    }
    let path = req.uri().path();
    let ctx = req.extensions().get::<RequestContext>()?;
    let (user, validator) = match &ctx.principal {
        Principal::Anonymous => {
            if !state.config.cache_anonymous_pages || !ANONYMOUS_PAGES.contains(&path) {
                return None;
            }
            // An expired or unknown session cookie also resolves to nobody, but its page
            // may clear the cookie; leave such requests to the renderer.
            let session_cookie = state.config.cookie_name(&state.config.session.cookie_name);
            if session::cookie_value(req.headers(), &session_cookie).is_some() {
                return None;
            }
            (None, Validator::default())
        }
        Principal::User(user) if state.config.cache_member_pages => {
            let page = MemberPage::of(path)?;
            (Some(user.user_id.clone()), member_validator(user, page)?)
        }
        _ => return None,
    };
    let nonce = req.extensions().get::<CspNonce>()?.0.clone();
    (!nonce.is_empty()).then(|| Cacheable {
        key: Key {
            path: path.to_owned(),
            user,
            lang: ctx.lang,
        },
        validator,
        nonce,
    })
}

/// A member's page that may be kept.
#[derive(Debug, PartialEq, Eq)]
enum MemberPage<'a> {
    /// `/dashboard`: the user's organizations, all read with the session.
    Dashboard,
    /// `/orgs/:slug` or `/orgs/:slug/settings`.
    Organization(&'a str),
}

impl<'a> MemberPage<'a> {
    fn of(path: &'a str) -> Option<MemberPage<'a>> {
        if path == "/dashboard" {
            return Some(MemberPage::Dashboard);
        }
        let rest = path.strip_prefix("/orgs/")?;
        let (slug, tail) = rest.split_once('/').unwrap_or((rest, ""));
        (!slug.is_empty() && matches!(tail, "" | "settings"))
            .then_some(MemberPage::Organization(slug))
    }
}

/// The digest of everything `page` shows that may change: what the session lookup read
/// about `user`, and the revision of the page's organization. `None` when the user does not
/// belong to it (staff outside the organization are not served from memory) or its
/// revision is unknown.
fn member_validator(user: &UserPrincipal, page: MemberPage<'_>) -> Option<Validator> {
    fn field(digest: &mut Sha256, bytes: &[u8]) {
        digest.update((bytes.len() as u64).to_le_bytes());
        digest.update(bytes);
    }
    let memberships = user.memberships.as_deref()?;
    let revision = match page {
        MemberPage::Dashboard => 0,
        MemberPage::Organization(slug) => {
            memberships.iter().find(|m| m.org.slug == slug)?.revision?
        }
    };
    let mut digest = Sha256::new();
    field(&mut digest, &revision.to_le_bytes());
    field(&mut digest, user.user_id.as_bytes());
    field(&mut digest, user.email.as_bytes());
    field(&mut digest, user.display_name.as_bytes());
    field(&mut digest, user.language.code().as_bytes());
    field(
        &mut digest,
        user.platform_role.map_or("", |r| r.as_str()).as_bytes(),
    );
    field(
        &mut digest,
        &[u8::from(user.suspended), u8::from(user.email_verified)],
    );
    for m in memberships {
        field(&mut digest, m.org_id.as_bytes());
        field(&mut digest, m.org.slug.as_bytes());
        field(&mut digest, m.org.display_name.as_bytes());
        field(&mut digest, m.org.kind.as_str().as_bytes());
        field(&mut digest, m.org.role.as_str().as_bytes());
    }
    Some(digest.finalize().into())
}

/// Reads `body` whole when it holds at most `limit` bytes; otherwise gives back a body that
/// answers what was read and then the rest.
async fn read_up_to(body: Body, limit: usize) -> Result<Result<Bytes, Body>, axum::Error> {
    let mut stream = body.into_data_stream();
    let mut chunks: Vec<Bytes> = Vec::new();
    let mut len = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        len += chunk.len();
        chunks.push(chunk);
        if len > limit {
            let read = futures_util::stream::iter(chunks.into_iter().map(Ok::<_, axum::Error>));
            return Ok(Err(Body::from_stream(read.chain(stream))));
        }
    }
    if chunks.len() == 1 {
        return Ok(Ok(chunks.swap_remove(0)));
    }
    Ok(Ok(chunks.concat().into()))
}

/// Answers the pages described above from memory when their inputs are unchanged, storing
/// each on its render. Runs inside [`crate::auth::middleware::request_context`] (it reads the
/// visitor and language) and [`crate::security::headers`] (the nonce).
pub async fn serve(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(Cacheable {
        key,
        validator,
        nonce,
    }) = cacheable(&state, &req)
    else {
        return next.run(req).await;
    };
    if let Some(page) = state.pages.get(&key, &validator) {
        state.metrics.page_cache(true);
        return page.answer(&nonce);
    }
    state.metrics.page_cache(false);
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
    let html = match tokio::time::timeout(limit, read_up_to(body, MAX_PAGE_BYTES)).await {
        Ok(Ok(Ok(html))) => html,
        // Too large to keep: answered as it comes.
        Ok(Ok(Err(body))) => return Response::from_parts(parts, body),
        Ok(Err(err)) => {
            tracing::warn!(path = key.path, %err, "page body failed");
            return crate::auth::middleware::err_response(crate::error::AppError::Internal);
        }
        Err(_) => {
            tracing::error!(
                path = key.path,
                seconds = limit.as_secs(),
                "page body exceeded its deadline"
            );
            let mut res = crate::auth::middleware::err_response(crate::error::AppError::Internal);
            *res.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
            return res;
        }
    };
    if let Some(content_type) = parts.headers.get(header::CONTENT_TYPE)
        && let Some(page) = Stored::cut(content_type.clone(), &html, &nonce, validator)
    {
        let budget = state.config.page_cache_kib.saturating_mul(1024);
        state.pages.put(key, page, budget);
    }
    Response::from_parts(parts, Body::from(html))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(text: &str, validator: u8) -> Stored {
        Stored::cut(
            HeaderValue::from_static("text/html"),
            text.as_bytes(),
            "AAAA",
            [validator; 32],
        )
        .expect("utf-8 page")
    }

    fn key(path: &str) -> Key {
        Key {
            path: path.to_owned(),
            user: Some("u1".to_owned()),
            lang: Lang::En,
        }
    }

    #[tokio::test]
    async fn a_stored_page_carries_each_answer_s_own_nonce_wherever_the_first_had_its() {
        let page = page(
            r#"<script nonce="AAAA">x</script><p>AAAA?</p><script nonce="AAAA"></script>"#,
            0,
        );
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

    #[test]
    fn a_page_is_answered_only_with_the_inputs_it_was_rendered_with() {
        let cache = PageCache::default();
        cache.put(key("/orgs/acme"), page("one", 1), 1024);
        assert!(cache.get(&key("/orgs/acme"), &[1; 32]).is_some());
        assert!(cache.get(&key("/orgs/acme"), &[2; 32]).is_none());
        assert!(cache.get(&key("/orgs/other"), &[1; 32]).is_none());
        let mut someone_else = key("/orgs/acme");
        someone_else.user = Some("u2".to_owned());
        assert!(cache.get(&someone_else, &[1; 32]).is_none());
        // A new render replaces the old one and its size.
        cache.put(key("/orgs/acme"), page("three", 2), 1024);
        assert!(cache.get(&key("/orgs/acme"), &[1; 32]).is_none());
        assert!(cache.get(&key("/orgs/acme"), &[2; 32]).is_some());
        assert_eq!(cache.bytes(), 5);
    }

    #[test]
    fn the_least_recently_used_pages_leave_to_stay_within_the_budget() {
        let cache = PageCache::default();
        cache.put(key("/a"), page("aaaa", 1), 10);
        cache.put(key("/b"), page("bbbb", 1), 10);
        // `/a` answered since: `/b` is the older one now.
        assert!(cache.get(&key("/a"), &[1; 32]).is_some());
        cache.put(key("/c"), page("cccc", 1), 10);
        assert!(cache.get(&key("/a"), &[1; 32]).is_some());
        assert!(cache.get(&key("/b"), &[1; 32]).is_none());
        assert!(cache.get(&key("/c"), &[1; 32]).is_some());
        assert_eq!(cache.bytes(), 8);
        // A page larger than the whole budget is not kept, and drops nothing.
        cache.put(key("/d"), page("ddddddddddd", 1), 10);
        assert!(cache.get(&key("/d"), &[1; 32]).is_none());
        assert_eq!(cache.bytes(), 8);
    }

    #[test]
    fn only_the_dashboard_and_an_organization_s_page_and_settings_are_member_pages() {
        assert_eq!(MemberPage::of("/dashboard"), Some(MemberPage::Dashboard));
        assert_eq!(
            MemberPage::of("/orgs/acme"),
            Some(MemberPage::Organization("acme"))
        );
        assert_eq!(
            MemberPage::of("/orgs/acme/settings"),
            Some(MemberPage::Organization("acme"))
        );
        for other in [
            "/",
            "/orgs/",
            "/orgs//settings",
            "/orgs/acme/members",
            "/orgs/acme/settings/x",
            "/orgs/acme/keys",
            "/platform/users",
        ] {
            assert_eq!(MemberPage::of(other), None, "{other}");
        }
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_answered_whole_but_not_kept() {
        let chunks = ["<html>", "0123456789", "</html>"];
        let body = Body::from_stream(futures_util::stream::iter(
            chunks.map(|c| Ok::<_, std::io::Error>(Bytes::from_static(c.as_bytes()))),
        ));
        let Ok(Err(body)) = read_up_to(body, 10).await else {
            panic!("a 23-byte body fits no 10-byte limit");
        };
        let whole = axum::body::to_bytes(body, usize::MAX).await.expect("body");
        assert_eq!(&whole[..], b"<html>0123456789</html>");
        let body = Body::from(chunks.concat());
        let Ok(Ok(whole)) = read_up_to(body, 23).await else {
            panic!("a 23-byte body fits a 23-byte limit");
        };
        assert_eq!(&whole[..], b"<html>0123456789</html>");
    }
}
