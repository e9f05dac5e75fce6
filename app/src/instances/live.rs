//! `GET /events?org=<slug>`: server-sent events for one organization's dashboard.
//!
//! The caller must be signed in and a member of the organization (or platform staff); the
//! check runs on connect, before every look at the data, and ends the stream when the
//! session or the membership is gone. Every query is bound to that organization's id, so
//! the stream cannot carry another tenant's events.
//!
//! Changes are found by comparing snapshots of the organization's requests (status) and
//! instances (phase), taken when the organization is announced as changed
//! ([`crate::state::AppState::changed`]). On PostgreSQL the announcement is a NOTIFY that
//! every portal process relays to its streams ([`relay_notifications`]), so a stream does
//! no work while its organization is quiet: only a recheck of its access every
//! `live_recheck_ms`. On SQLite (one process) the announcement stays in the process and a
//! stream also polls every `live_poll_ms`, for changes made by other processes.
//!
//! Each event's data is JSON: `{"kind":"ready"}` once connected, then
//! `{"kind":"request"|"instance","id":…,"status":…}` per change,
//! `{"kind":"steps","id":"<instance>/steps","status":"step:status:attempts;…"}` when a
//! provisioning step moves, and `{"kind":"removed","id":…}` when an item leaves the
//! dashboard.

use super::{
    repo,
    status::{InstancePhase, RequestStatus},
};
use crate::{
    auth::{caller::Caller, middleware::err_response},
    db::{Db, now_ms},
    orgs::access::OrgAccess,
};
use axum::{
    extract::Query,
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
};
use serde::Deserialize;
use std::{
    collections::{BTreeMap, VecDeque},
    convert::Infallible,
    time::Duration,
};
use tokio::sync::broadcast::{Receiver, Sender, error::RecvError};

/// The PostgreSQL NOTIFY channel of changed organizations (the payload is the id).
pub const CHANNEL: &str = "tenantry_live";
/// Announced instead of an organization id when changes may have been missed (the relay
/// reconnected): every stream looks.
pub const EVERYONE: &str = "*";

/// Announces that organization `org_id` changed, to every process listening on the database.
pub async fn notify(db: &Db, org_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(org_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// PostgreSQL: relays every NOTIFY on [`CHANNEL`] to this process's streams, for as long as
/// the process runs. After connecting (and after a lost connection, when notifications may
/// have been missed) it wakes every stream.
pub async fn relay_notifications(url: secrecy::SecretString, live: Sender<String>) {
    use secrecy::ExposeSecret;
    use sqlx::postgres::PgListener;
    loop {
        let connected = tokio::time::timeout(
            Duration::from_secs(10),
            PgListener::connect(url.expose_secret()),
        )
        .await;
        match connected {
            Ok(Ok(mut listener)) => match listener.listen(CHANNEL).await {
                Ok(()) => {
                    let _ = live.send(EVERYONE.to_owned());
                    loop {
                        match listener.try_recv().await {
                            Ok(Some(notification)) => {
                                let _ = live.send(notification.payload().to_owned());
                            }
                            // Lost and reconnecting: what happened meanwhile is unknown.
                            Ok(None) => {
                                let _ = live.send(EVERYONE.to_owned());
                            }
                            Err(err) => {
                                tracing::warn!(%err, "live notifications: listener failed");
                                break;
                            }
                        }
                    }
                }
                Err(err) => tracing::warn!(%err, "live notifications: LISTEN failed"),
            },
            Ok(Err(err)) => tracing::warn!(%err, "live notifications: cannot connect"),
            Err(_) => tracing::warn!("live notifications: no connection within 10 s"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[derive(Debug, Deserialize)]
pub struct EventsQuery {
    #[serde(default)]
    pub org: String,
}

/// What the dashboard shows of one item.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Request(RequestStatus),
    Instance(InstancePhase),
    /// The instance's provisioning steps: `step:status:attempts;…`.
    Steps(String),
}

impl Item {
    /// The event's `kind`.
    fn kind(&self) -> &'static str {
        match self {
            Item::Request(_) => "request",
            Item::Instance(_) => "instance",
            Item::Steps(_) => "steps",
        }
    }

    /// The event's `status`: the request's status, the instance's phase, or its steps.
    fn state(&self) -> &str {
        match self {
            Item::Request(status) => status.as_str(),
            Item::Instance(phase) => phase.as_str(),
            Item::Steps(digest) => digest,
        }
    }
}

/// Id → what the dashboard shows of it.
type Snapshot = BTreeMap<String, Item>;

/// The live stream of an organization's request and instance changes.
pub async fn events(caller: Caller, Query(query): Query<EventsQuery>) -> Response {
    let state = &caller.state;
    let access = match caller.org(&query.org).await {
        Ok(access) => access,
        Err(err) => return err_response(err),
    };
    let Some(open) = state.metrics.live_stream(
        &access.user.session_hash,
        state.config.live_streams_per_session,
        state.config.live_streams_max,
    ) else {
        return err_response(crate::error::AppError::RateLimited {
            retry_after_secs: 5,
        });
    };
    let last = match snapshot(&state.db, &access).await {
        Ok(last) => last,
        Err(err) => return err_response(err.into()),
    };
    let idle_ms = i64::try_from(
        state
            .config
            .session
            .idle_timeout_minutes
            .saturating_mul(60_000),
    )
    .unwrap_or(i64::MAX);
    let poll = match state.db.backend() {
        crate::db::Backend::Sqlite => Duration::from_millis(state.config.live_poll_ms),
        crate::db::Backend::Postgres => Duration::from_millis(state.config.live_recheck_ms),
    };
    let watch = Watch {
        rx: state.live.subscribe(),
        poll,
        next_check: tokio::time::Instant::now() + poll,
        db: state.db.clone(),
        access,
        last,
        queue: VecDeque::from([Event::default().data(r#"{"kind":"ready"}"#)]),
        idle_ms,
        _open: open,
    };
    let stream = futures_util::stream::unfold(watch, |mut watch| async move {
        let event = watch.next().await?;
        Some((Ok::<_, Infallible>(event), watch))
    });
    let mut response = Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response();
    response.headers_mut().insert(
        http::header::CACHE_CONTROL,
        http::HeaderValue::from_static("no-store"),
    );
    response
}

struct Watch {
    rx: Receiver<String>,
    /// SQLite: how often to look for other processes' changes; PostgreSQL: how often to
    /// recheck access while nothing is announced.
    poll: Duration,
    /// When the stream looks next without an announcement.
    next_check: tokio::time::Instant,
    /// The session's idle timeout: a stream is no activity, so it ends when the session
    /// would expire.
    idle_ms: i64,
    db: Db,
    /// The watcher's access as checked on connect; the ids it names are rechecked at
    /// every wake.
    access: OrgAccess,
    last: Snapshot,
    queue: VecDeque<Event>,
    /// Counts this stream in `tenantry_live_streams_open` while it lives.
    _open: crate::ops::LiveStreamGuard,
}

impl Watch {
    /// The next event, or `None` when the stream must end (access gone, database error).
    async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.queue.pop_front() {
                return Some(event);
            }
            tokio::select! {
                received = self.rx.recv() => match received {
                    Err(RecvError::Closed) => return None,
                    // Another organization changed: nothing to look at.
                    Ok(org) if org != self.access.org_id && org != EVERYONE => continue,
                    // This one (or announcements were dropped while the stream lagged).
                    Ok(_) | Err(RecvError::Lagged(_)) => {}
                },
                () = tokio::time::sleep_until(self.next_check) => {}
            }
            self.next_check = tokio::time::Instant::now() + self.poll;
            if !self.allowed().await.unwrap_or(false) {
                return None;
            }
            let now = snapshot(&self.db, &self.access).await.ok()?;
            for (id, item) in &now {
                if self.last.get(id) != Some(item) {
                    let data = serde_json::json!({
                        "kind": item.kind(),
                        "id": id,
                        "status": item.state(),
                    });
                    self.queue
                        .push_back(Event::default().data(data.to_string()));
                }
            }
            for id in self.last.keys().filter(|id| !now.contains_key(*id)) {
                let data = serde_json::json!({ "kind": "removed", "id": id });
                self.queue
                    .push_back(Event::default().data(data.to_string()));
            }
            self.last = now;
        }
    }

    /// The session is still valid, the user active, and still a member (or staff).
    async fn allowed(&self) -> Result<bool, sqlx::Error> {
        let Some(standing) = repo::standing(&self.db, &self.access, now_ms(), self.idle_ms).await?
        else {
            return Ok(false);
        };
        Ok(
            standing.status == "active"
                && (standing.member > 0 || standing.platform_role.is_some()),
        )
    }
}

/// The organization's in-flight requests and its instances.
async fn snapshot(db: &Db, access: &OrgAccess) -> Result<Snapshot, sqlx::Error> {
    let mut snapshot = Snapshot::new();
    for request in repo::request_states(db, access).await? {
        snapshot.insert(request.id, Item::Request(request.status));
    }
    for instance in repo::instance_states(db, access).await? {
        snapshot.insert(instance.id, Item::Instance(instance.phase));
    }
    for (instance, digest) in crate::provisioning::repo::steps_digest(db, &access.org_id).await? {
        snapshot.insert(format!("{instance}/steps"), Item::Steps(digest));
    }
    Ok(snapshot)
}
