//! Operations: request metrics, the request deadline, and the endpoints a monitoring system
//! reads — `/healthz` (the process answers), `/readyz` (database reachable, migrations
//! current, background workers running) and Prometheus `/metrics`. They are served on their
//! own listen address (`[ops] listen`), never on the public port, and their labels carry
//! route templates and status codes only: no ids, addresses or anything personal.

use crate::{db::Db, error::AppError, state::AppState};
use axum::{
    Router,
    extract::{MatchedPath, Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
};
use std::{
    collections::BTreeMap,
    fmt::Write as _,
    sync::{
        Arc, Mutex,
        atomic::{AtomicI64, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};
use tokio::task::JoinHandle;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// One (route, method, status) series.
#[derive(Default, Clone)]
struct Series {
    count: u64,
    sum_seconds: f64,
    /// Observations at or below each bound of [`BUCKETS`] (not cumulative).
    buckets: [u64; BUCKETS.len()],
}

/// What the process counts about itself.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, &'static str, u16), Series>>,
    live_streams: AtomicI64,
    /// Open live streams per session (by session hash), for the per-session cap.
    streams_by_session: Mutex<std::collections::HashMap<String, usize>>,
    workers: Mutex<Vec<(&'static str, JoinHandle<()>)>>,
    /// Cacheable page requests answered from memory, and those rendered.
    page_cache_hits: AtomicU64,
    page_cache_renders: AtomicU64,
}

impl Metrics {
    /// Records one answered request.
    pub fn observe(&self, route: &str, method: &http::Method, status: u16, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        let Ok(mut requests) = self.requests.lock() else {
            return;
        };
        let series = requests
            .entry((route.to_owned(), method_label(method), status))
            .or_default();
        series.count += 1;
        series.sum_seconds += seconds;
        if let Some(i) = BUCKETS.iter().position(|&le| seconds <= le) {
            series.buckets[i] += 1;
        }
    }

    /// Counts an open live stream of `session` until the returned guard is dropped; `None`
    /// when the session already has `per_session` streams or the process `total`.
    pub fn live_stream(
        self: &Arc<Self>,
        session: &str,
        per_session: usize,
        total: usize,
    ) -> Option<LiveStreamGuard> {
        let mut sessions = self.streams_by_session.lock().ok()?;
        let open = sessions.get(session).copied().unwrap_or(0);
        let all = usize::try_from(self.live_streams.load(Ordering::Relaxed)).unwrap_or(0);
        if open >= per_session || all >= total {
            return None;
        }
        sessions.insert(session.to_owned(), open + 1);
        self.live_streams.fetch_add(1, Ordering::Relaxed);
        Some(LiveStreamGuard {
            metrics: self.clone(),
            session: session.to_owned(),
        })
    }

    /// Counts a cacheable page request: answered from memory (`hit`) or rendered.
    pub fn page_cache(&self, hit: bool) {
        let counter = if hit {
            &self.page_cache_hits
        } else {
            &self.page_cache_renders
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Keeps a background worker's handle, so readiness can tell whether it still runs.
    pub fn add_worker(&self, name: &'static str, handle: JoinHandle<()>) {
        if let Ok(mut workers) = self.workers.lock() {
            workers.push((name, handle));
        }
    }

    /// The workers that have stopped (they are meant to run for the life of the process).
    pub fn stopped_workers(&self) -> Vec<&'static str> {
        self.workers
            .lock()
            .map(|w| {
                w.iter()
                    .filter(|(_, h)| h.is_finished())
                    .map(|(n, _)| *n)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The Prometheus text exposition of everything counted, plus the gauges read now.
    fn render(&self, db: &Db, outbox_backlog: Option<i64>) -> String {
        let mut out = String::with_capacity(4096);
        out.push_str(
            "# HELP tenantry_http_requests_total Requests answered, by route template, method and status.\n\
             # TYPE tenantry_http_requests_total counter\n",
        );
        let requests = self.requests.lock().map(|r| r.clone()).unwrap_or_default();
        for ((route, method, status), s) in &requests {
            let _ = writeln!(
                out,
                "tenantry_http_requests_total{{route=\"{}\",method=\"{method}\",status=\"{status}\"}} {}",
                escape(route),
                s.count
            );
        }
        out.push_str(
            "# HELP tenantry_http_request_duration_seconds Time to the response head, by route template.\n\
             # TYPE tenantry_http_request_duration_seconds histogram\n",
        );
        for ((route, method, status), s) in &requests {
            let labels = format!(
                "route=\"{}\",method=\"{method}\",status=\"{status}\"",
                escape(route)
            );
            let mut cumulative = 0;
            for (le, n) in BUCKETS.iter().zip(s.buckets) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "tenantry_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "tenantry_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}\n\
                 tenantry_http_request_duration_seconds_sum{{{labels}}} {}\n\
                 tenantry_http_request_duration_seconds_count{{{labels}}} {}",
                s.count, s.sum_seconds, s.count
            );
        }
        let size = db.pool().size();
        let idle = u32::try_from(db.pool().num_idle()).unwrap_or(u32::MAX);
        let _ = write!(
            out,
            "# HELP tenantry_db_pool_connections Database pool connections by state.\n\
             # TYPE tenantry_db_pool_connections gauge\n\
             tenantry_db_pool_connections{{state=\"in_use\"}} {}\n\
             tenantry_db_pool_connections{{state=\"idle\"}} {idle}\n\
             # HELP tenantry_live_streams_open Open live-status streams (server-sent events).\n\
             # TYPE tenantry_live_streams_open gauge\n\
             tenantry_live_streams_open {}\n\
             # HELP tenantry_page_cache_total Cacheable page requests, answered from memory or rendered.\n\
             # TYPE tenantry_page_cache_total counter\n\
             tenantry_page_cache_total{{result=\"hit\"}} {}\n\
             tenantry_page_cache_total{{result=\"render\"}} {}\n",
            size.saturating_sub(idle),
            self.live_streams.load(Ordering::Relaxed),
            self.page_cache_hits.load(Ordering::Relaxed),
            self.page_cache_renders.load(Ordering::Relaxed),
        );
        if let Some(backlog) = outbox_backlog {
            let _ = write!(
                out,
                "# HELP tenantry_outbox_backlog Emails waiting to be delivered.\n\
                 # TYPE tenantry_outbox_backlog gauge\n\
                 tenantry_outbox_backlog {backlog}\n"
            );
        }
        out
    }
}

/// Counts the stream down again when it ends.
pub struct LiveStreamGuard {
    metrics: Arc<Metrics>,
    session: String,
}

impl Drop for LiveStreamGuard {
    fn drop(&mut self) {
        self.metrics.live_streams.fetch_sub(1, Ordering::Relaxed);
        if let Ok(mut sessions) = self.metrics.streams_by_session.lock()
            && let Some(open) = sessions.get_mut(&self.session)
        {
            *open = open.saturating_sub(1);
            if *open == 0 {
                sessions.remove(&self.session);
            }
        }
    }
}

fn method_label(method: &http::Method) -> &'static str {
    match *method {
        http::Method::GET => "GET",
        http::Method::POST => "POST",
        http::Method::HEAD => "HEAD",
        http::Method::PUT => "PUT",
        http::Method::PATCH => "PATCH",
        http::Method::DELETE => "DELETE",
        http::Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The route template of a request: the matched path (`/orgs/{slug}`), `/pkg/*` for the
/// bundle, else `unmatched` — never the concrete path, which may hold ids or tokens.
fn route_of(req: &Request) -> String {
    match req.extensions().get::<MatchedPath>() {
        Some(path) => path.as_str().to_owned(),
        None if req.uri().path().starts_with("/pkg/") => "/pkg/*".to_owned(),
        None => "unmatched".to_owned(),
    }
}

/// Counts every request by route template, method and status, with its latency.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = route_of(&req);
    let method = req.method().clone();
    let started = Instant::now();
    let res = next.run(req).await;
    state
        .metrics
        .observe(&route, &method, res.status().as_u16(), started.elapsed());
    res
}

/// Gives every request but the live stream a deadline for its response head: a render or
/// server function that has not answered by then is logged with its route and answered
/// with `503 internal`, so nothing waits forever on a stalled request.
pub async fn deadline(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.uri().path() == "/events" {
        return next.run(req).await;
    }
    let route = route_of(&req);
    let refusal = crate::api::Refusal::of(&req);
    let limit = Duration::from_secs(state.config.request_timeout_seconds);
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => {
            tracing::error!(
                route,
                seconds = limit.as_secs(),
                "request exceeded its deadline"
            );
            let mut res = refusal.answer(AppError::Internal);
            *res.status_mut() = http::StatusCode::SERVICE_UNAVAILABLE;
            res
        }
    }
}

/// Caching: the bundle under `/pkg/` is kept for a year when its file names carry a content
/// hash (`hash-files`), else revalidated; pages are always revalidated (`no-cache`), since
/// they show the signed-in person's data. A handler's own `Cache-Control` wins.
pub async fn cache_control(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let bundle = req.uri().path().starts_with("/pkg/");
    let mut res = next.run(req).await;
    if res.headers().contains_key(http::header::CACHE_CONTROL) {
        return res;
    }
    let is_html = crate::security::is_html(&res);
    let value = match (bundle, state.leptos_options.hash_files) {
        (true, true) if res.status().is_success() => "public, max-age=31536000, immutable",
        (true, _) => "no-cache",
        (false, _) if is_html => "no-cache",
        (false, _) => return res,
    };
    res.headers_mut().insert(
        http::header::CACHE_CONTROL,
        http::HeaderValue::from_static(value),
    );
    res
}

/// The operations router: `/healthz`, `/readyz`, `/metrics`, `/drivers`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/drivers", get(drivers))
        .with_state(state)
}

/// Ready to serve: the database answers, its migrations are the ones this build carries,
/// and the background workers run. Each failing check is named in the body.
async fn readyz(State(state): State<AppState>) -> Response {
    let mut problems = Vec::new();
    match state.db.migrations_current().await {
        Ok(true) => {}
        Ok(false) => problems.push("migrations pending".to_owned()),
        Err(err) => {
            tracing::warn!(%err, "readiness: database check failed");
            problems.push("database unreachable".to_owned());
        }
    }
    for worker in state.metrics.stopped_workers() {
        problems.push(format!("worker {worker} stopped"));
    }
    if problems.is_empty() {
        (http::StatusCode::OK, "ready\n".to_owned()).into_response()
    } else {
        (
            http::StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: {}\n", problems.join(", ")),
        )
            .into_response()
    }
}

/// The provisioning drivers' health as JSON; 503 when an enabled one is unhealthy. Not part
/// of `/readyz`: an upstream being down must not take the portal out of its load balancer.
async fn drivers(State(state): State<AppState>) -> Response {
    let health = crate::provisioning::health::check(&state.config.provisioning).await;
    let status = if health.iter().all(|d| d.healthy) {
        http::StatusCode::OK
    } else {
        http::StatusCode::SERVICE_UNAVAILABLE
    };
    (status, axum::Json(health)).into_response()
}

async fn metrics(State(state): State<AppState>) -> Response {
    let backlog = crate::mail::outbox::backlog(&state.db).await.ok();
    (
        [(
            http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(&state.db, backlog),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative_in_the_exposition() {
        let m = Metrics::default();
        let get = http::Method::GET;
        m.observe("/orgs/{slug}", &get, 200, Duration::from_millis(3));
        m.observe("/orgs/{slug}", &get, 200, Duration::from_millis(30));
        m.observe("/orgs/{slug}", &get, 404, Duration::from_secs(20));
        let requests = m.requests.lock().unwrap();
        let ok = &requests[&("/orgs/{slug}".to_owned(), "GET", 200)];
        assert_eq!(ok.count, 2);
        assert_eq!(ok.buckets.iter().sum::<u64>(), 2);
        let slow = &requests[&("/orgs/{slug}".to_owned(), "GET", 404)];
        // Beyond the last bound: only in +Inf (the count).
        assert_eq!(slow.buckets.iter().sum::<u64>(), 0);
        assert_eq!(slow.count, 1);
    }

    #[test]
    fn labels_are_escaped() {
        assert_eq!(escape("a\"b\\c"), "a\\\"b\\\\c");
    }
}
