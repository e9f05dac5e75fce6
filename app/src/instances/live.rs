//! `GET /events?org=<slug>`: server-sent events for one organization's dashboard.
//!
//! The caller must be signed in and a member of the organization (or platform staff); the
//! check runs on connect, before every look at the data, and ends the stream when the
//! session or the membership is gone. Every query is bound to that organization's id, so
//! the stream cannot carry another tenant's events.
//!
//! Changes are found by comparing snapshots of the organization's requests (status) and
//! instances (phase). A change committed by this process wakes the stream at once
//! ([`crate::state::AppState::changed`]); changes from other processes sharing the
//! database are seen at the next poll (`live_poll_ms`).
//!
//! Each event's data is JSON: `{"kind":"ready"}` once connected, then
//! `{"kind":"request"|"instance","id":…,"status":…}` per change and
//! `{"kind":"removed","id":…}` when an item leaves the dashboard.

use crate::{
    auth::{caller::Caller, middleware::err_response},
    db::{Db, now_ms},
};
use axum::{
    extract::Query,
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
};
use serde::Deserialize;
use sqlx::Row;
use std::{
    collections::{BTreeMap, VecDeque},
    convert::Infallible,
    time::Duration,
};
use tokio::sync::broadcast::{Receiver, error::RecvError};

#[derive(Debug, Deserialize)]
pub struct EventsQuery {
    #[serde(default)]
    pub org: String,
}

/// Id → (kind, status or phase).
type Snapshot = BTreeMap<String, (&'static str, String)>;

/// The live stream of an organization's request and instance changes.
pub async fn events(caller: Caller, Query(query): Query<EventsQuery>) -> Response {
    let state = &caller.state;
    let access = match caller.org(&query.org).await {
        Ok(access) => access,
        Err(err) => return err_response(err),
    };
    let last = match snapshot(&state.db, &access.org_id).await {
        Ok(last) => last,
        Err(err) => return err_response(err.into()),
    };
    let watch = Watch {
        rx: state.live.subscribe(),
        poll: Duration::from_millis(state.config.live_poll_ms),
        db: state.db.clone(),
        org_id: access.org_id,
        user_id: access.user.user_id,
        session_hash: access.user.session_hash,
        last,
        queue: VecDeque::from([Event::default().data(r#"{"kind":"ready"}"#)]),
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
    poll: Duration,
    db: Db,
    org_id: String,
    user_id: String,
    session_hash: String,
    last: Snapshot,
    queue: VecDeque<Event>,
}

impl Watch {
    /// The next event, or `None` when the stream must end (access gone, database error).
    async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.queue.pop_front() {
                return Some(event);
            }
            tokio::select! {
                received = self.rx.recv() => {
                    if let Err(RecvError::Closed) = received {
                        return None;
                    }
                }
                () = tokio::time::sleep(self.poll) => {}
            }
            if !self.allowed().await.unwrap_or(false) {
                return None;
            }
            let now = snapshot(&self.db, &self.org_id).await.ok()?;
            for (id, (kind, status)) in &now {
                if self.last.get(id) != Some(&(*kind, status.clone())) {
                    let data = serde_json::json!({ "kind": kind, "id": id, "status": status });
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
        let row = sqlx::query(
            "SELECT u.status, u.platform_role,
                    (SELECT COUNT(*) FROM memberships m
                     WHERE m.organization_id = $1 AND m.user_id = u.id) AS member
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.id_hash = $2 AND s.expires_at > $3 AND u.id = $4",
        )
        .bind(&self.org_id)
        .bind(&self.session_hash)
        .bind(now_ms())
        .bind(&self.user_id)
        .fetch_optional(self.db.pool())
        .await?;
        let Some(row) = row else {
            return Ok(false);
        };
        let status: String = row.try_get("status")?;
        let staff: Option<String> = row.try_get("platform_role")?;
        let member: i64 = row.try_get("member")?;
        Ok(status == "active" && (member > 0 || staff.is_some()))
    }
}

/// The organization's in-flight requests and its instances.
async fn snapshot(db: &Db, org_id: &str) -> Result<Snapshot, sqlx::Error> {
    let mut snapshot = Snapshot::new();
    let requests = sqlx::query(
        "SELECT id, status FROM instance_requests
         WHERE organization_id = $1 AND status <> 'deleted'",
    )
    .bind(org_id)
    .fetch_all(db.pool())
    .await?;
    for row in requests {
        snapshot.insert(row.try_get("id")?, ("request", row.try_get("status")?));
    }
    let instances = sqlx::query("SELECT id, phase FROM instances WHERE organization_id = $1")
        .bind(org_id)
        .fetch_all(db.pool())
        .await?;
    for row in instances {
        snapshot.insert(row.try_get("id")?, ("instance", row.try_get("phase")?));
    }
    Ok(snapshot)
}
