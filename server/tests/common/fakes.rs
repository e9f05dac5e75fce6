//! Loopback servers that speak the upstream APIs the provisioning drivers call, with the
//! status codes and error bodies of DRIVERS.md: a LiteLLM proxy (teams and virtual keys,
//! master-key auth) and a webhook receiver. Each counts what it holds, so tests assert
//! the upstream's resources, not only our rows, and each can be told to fail.

use axum::{
    Json, Router,
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::{
    collections::{BTreeMap, HashMap, VecDeque},
    sync::{Arc, Mutex},
};

pub const MASTER_KEY: &str = "sk-fake-master-key";
/// The key-encryption key of the provisioning tests' processes.
pub const KEK: &str = "8j3lCx7x3bNMeDYra1AwgQeCeUhbxm85pMlm1WF5Xjk=";
/// The webhook signing secret the fake receiver and the processes share.
pub const WEBHOOK_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

/// A virtual key as the proxy stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeKey {
    pub alias: String,
    pub team_id: String,
    pub raw: String,
    pub token: String,
}

#[derive(Default)]
pub struct LiteLlmState {
    pub teams: BTreeMap<String, Value>,
    pub keys: Vec<FakeKey>,
    /// Answer this many requests with 500 before behaving.
    pub fail_next: usize,
    /// Answer `/key/list` with a body that is not JSON.
    pub garble_key_list: bool,
    /// Make a generated key, then hold the answer while this is set: a caller that dies
    /// meanwhile leaves a key upstream it never heard of.
    pub stall_generate: bool,
    /// Every request's method and path, in order.
    pub log: Vec<String>,
    /// Spend-log rows, as `/spend/logs/v2` returns them (newest first).
    pub spend_logs: Vec<Value>,
}

/// The fake proxy, serving until the test ends.
#[derive(Clone)]
pub struct FakeLiteLlm {
    pub url: String,
    pub state: Arc<Mutex<LiteLlmState>>,
}

impl FakeLiteLlm {
    pub async fn start() -> FakeLiteLlm {
        let state = Arc::new(Mutex::new(LiteLlmState::default()));
        let app = Router::new()
            .route("/team/info", get(team_info))
            .route("/team/new", post(team_new))
            .route("/team/delete", post(team_delete))
            .route("/key/list", get(key_list))
            .route("/key/generate", post(key_generate))
            .route("/key/delete", post(key_delete))
            .route("/spend/logs/v2", get(spend_logs))
            .route("/health/liveliness", get(|| async { "I'm alive!" }))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeLiteLlm { url, state }
    }

    pub fn with<T>(&self, f: impl FnOnce(&mut LiteLlmState) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }

    pub fn team_count(&self) -> usize {
        self.with(|s| s.teams.len())
    }

    pub fn keys(&self) -> Vec<FakeKey> {
        self.with(|s| s.keys.clone())
    }
}

type Shared = State<Arc<Mutex<LiteLlmState>>>;

/// A spend-log row of one request by the key `alias`, at `start_time` (ISO 8601, UTC).
pub fn spend_row(alias: &str, start_time: &str, spend: f64, prompt: u64, completion: u64) -> Value {
    json!({
        "request_id": uuid::Uuid::new_v4().to_string(),
        "call_type": "acompletion",
        "api_key": "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b",
        "spend": spend,
        "total_tokens": prompt + completion,
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "startTime": start_time,
        "endTime": start_time,
        "model": "gpt-4o-mini",
        "status": "success",
        "metadata": {"user_api_key_alias": alias, "user_api_key_team_id": "t"},
    })
}

/// `YYYY-MM-DD HH:MM:SS` as the proxy parses its date filters; `None` for anything else.
fn spend_date(text: &str) -> Option<String> {
    let ok = text.len() == 19
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            10 => b == b' ',
            13 | 16 => b == b':',
            _ => b.is_ascii_digit(),
        });
    ok.then(|| text.to_owned())
}

/// `GET /spend/logs/v2`: rows filtered by `key_alias` and the time window, paginated
/// (`page` from 1, `page_size` 1–1000), with the proxy's envelope.
async fn spend_logs(
    State(state): Shared,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mut s = state.lock().unwrap();
    if let Some(r) = gate(&mut s, &headers, "GET /spend/logs/v2") {
        return r;
    }
    let bad = |what: &str| {
        error(
            StatusCode::BAD_REQUEST,
            &format!("Invalid {what}"),
            "bad_request_error",
            what,
        )
    };
    let window = |key: &str| {
        q.get(key)
            .map(|v| spend_date(v).ok_or(key.to_owned()))
            .transpose()
    };
    let (start, end) = match (window("start_date"), window("end_date")) {
        (Ok(start), Ok(end)) => (start, end),
        (Err(what), _) | (_, Err(what)) => return bad(&what),
    };
    let page: usize = match q.get("page").map(|v| v.parse()) {
        None => 1,
        Some(Ok(n)) if n >= 1 => n,
        _ => return bad("page"),
    };
    let page_size: usize = match q.get("page_size").map(|v| v.parse()) {
        None => 50,
        Some(Ok(n)) if (1..=1000).contains(&n) => n,
        _ => return bad("page_size"),
    };
    let rows: Vec<Value> = s
        .spend_logs
        .iter()
        .filter(|row| {
            let alias = row["metadata"]["user_api_key_alias"].as_str();
            let at = row["startTime"]
                .as_str()
                .unwrap_or_default()
                .replace('T', " ");
            let at = at.get(..19).unwrap_or_default();
            q.get("key_alias").is_none_or(|a| alias == Some(a.as_str()))
                && start.as_deref().is_none_or(|s| at >= s)
                && end.as_deref().is_none_or(|e| at <= e)
        })
        .cloned()
        .collect();
    let total = rows.len();
    let data: Vec<Value> = rows
        .into_iter()
        .skip((page - 1) * page_size)
        .take(page_size)
        .collect();
    Json(json!({
        "data": data,
        "total": total,
        "page": page,
        "page_size": page_size,
        "total_pages": total.div_ceil(page_size),
        "total_is_capped": false,
    }))
    .into_response()
}

/// The strings of a JSON array (none for anything else).
fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn error(status: StatusCode, message: &str, kind: &str, param: &str) -> Response {
    let body = json!({"error": {
        "message": message, "type": kind, "param": param, "code": status.as_u16().to_string(),
    }});
    (status, Json(body)).into_response()
}

/// Auth, fault injection and the request log, before every route.
fn gate(state: &mut LiteLlmState, headers: &HeaderMap, what: &str) -> Option<Response> {
    state.log.push(what.to_owned());
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if bearer != format!("Bearer {MASTER_KEY}") {
        return Some(error(
            StatusCode::UNAUTHORIZED,
            "Authentication Error, Invalid proxy server token passed. Received API Key = sk-...",
            "auth_error",
            "None",
        ));
    }
    if state.fail_next > 0 {
        state.fail_next -= 1;
        return Some(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal Server Error",
            "internal_server_error",
            "None",
        ));
    }
    None
}

async fn team_info(
    State(state): Shared,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mut s = state.lock().unwrap();
    if let Some(r) = gate(&mut s, &headers, "GET /team/info") {
        return r;
    }
    let id = q.get("team_id").cloned().unwrap_or_default();
    match s.teams.get(&id) {
        Some(team) => {
            Json(json!({"team_id": id, "team_info": team, "keys": [], "team_memberships": []}))
                .into_response()
        }
        None => error(
            StatusCode::NOT_FOUND,
            &format!("{{'message': 'Team not found, passed team id: {id}.'}}"),
            "auth_error",
            "None",
        ),
    }
}

async fn team_new(State(state): Shared, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let mut s = state.lock().unwrap();
    if let Some(r) = gate(&mut s, &headers, "POST /team/new") {
        return r;
    }
    let id = body["team_id"].as_str().unwrap_or("generated").to_owned();
    if s.teams.contains_key(&id) {
        return error(
            StatusCode::BAD_REQUEST,
            &format!("Team id = {id} already exists. Please use a different team id."),
            "bad_request_error",
            "team_id",
        );
    }
    s.teams.insert(id.clone(), body.clone());
    let mut row = body;
    row["members_with_roles"] = json!([{"role": "admin", "user_id": "default_user_id"}]);
    row["spend"] = json!(0.0);
    Json(row).into_response()
}

async fn team_delete(
    State(state): Shared,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let mut s = state.lock().unwrap();
    if let Some(r) = gate(&mut s, &headers, "POST /team/delete") {
        return r;
    }
    let ids = strings(&body["team_ids"]);
    if ids.iter().any(|id| !s.teams.contains_key(id)) {
        let body = json!({"detail": {"error": format!("Team not found, passed team_id={}", ids.join(","))}});
        return (StatusCode::NOT_FOUND, Json(body)).into_response();
    }
    for id in &ids {
        s.teams.remove(id);
        s.keys.retain(|k| &k.team_id != id);
    }
    Json(json!({"deleted_teams": ids})).into_response()
}

async fn key_list(
    State(state): Shared,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mut s = state.lock().unwrap();
    if let Some(r) = gate(&mut s, &headers, "GET /key/list") {
        return r;
    }
    if s.garble_key_list {
        return (StatusCode::OK, "<html>proxy error</html>").into_response();
    }
    let alias = q.get("key_alias").cloned().unwrap_or_default();
    let keys: Vec<Value> = s
        .keys
        .iter()
        .filter(|k| k.alias == alias)
        .map(|k| json!({"token": k.token, "key_alias": k.alias, "team_id": k.team_id, "key_name": "sk-...abcd"}))
        .collect();
    let total = keys.len();
    Json(json!({"keys": keys, "total_count": total, "current_page": 1, "total_pages": 1}))
        .into_response()
}

async fn key_generate(
    State(state): Shared,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let (stall, response) = generate_key(&state, &headers, &body);
    if stall {
        // Bounded, so a forgotten stall ends with the test rather than hanging it.
        for _ in 0..1200 {
            if !state.lock().unwrap().stall_generate {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
    response
}

/// Makes the key (or refuses); says whether to hold the answer back.
fn generate_key(
    state: &Mutex<LiteLlmState>,
    headers: &HeaderMap,
    body: &Value,
) -> (bool, Response) {
    let mut s = state.lock().unwrap();
    if let Some(r) = gate(&mut s, headers, "POST /key/generate") {
        return (false, r);
    }
    let alias = body["key_alias"].as_str().unwrap_or_default().to_owned();
    if s.keys.iter().any(|k| k.alias == alias) {
        return (
            false,
            error(
                StatusCode::BAD_REQUEST,
                &format!(
                    "Key with alias '{alias}' already exists. Unique key aliases across all keys are required."
                ),
                "bad_request_error",
                "key_alias",
            ),
        );
    }
    let raw = format!("sk-{}", uuid::Uuid::new_v4().simple());
    let token = hex::encode(Sha256::digest(raw.as_bytes()));
    let team_id = body["team_id"].as_str().unwrap_or_default().to_owned();
    s.keys.push(FakeKey {
        alias: alias.clone(),
        team_id: team_id.clone(),
        raw: raw.clone(),
        token: token.clone(),
    });
    let response = Json(
        json!({"key": raw, "token": token, "token_id": token, "key_alias": alias,
                "team_id": team_id, "expires": null}),
    )
    .into_response();
    (s.stall_generate, response)
}

async fn key_delete(State(state): Shared, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let mut s = state.lock().unwrap();
    if let Some(r) = gate(&mut s, &headers, "POST /key/delete") {
        return r;
    }
    let aliases = strings(&body["key_aliases"]);
    let before = s.keys.len();
    s.keys.retain(|k| !aliases.contains(&k.alias));
    if s.keys.len() == before {
        return error(
            StatusCode::NOT_FOUND,
            "{'message': 'No keys found'}",
            "not_found_error",
            "None",
        );
    }
    Json(json!({"deleted_keys": aliases})).into_response()
}

/// One delivery the receiver got.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: Vec<u8>,
}

#[derive(Default)]
pub struct ReceiverState {
    pub deliveries: Vec<Delivery>,
    /// Statuses to answer with, in order; then 204.
    pub answers: VecDeque<(StatusCode, Option<&'static str>)>,
}

/// A webhook endpoint recording what it is sent.
#[derive(Clone)]
pub struct WebhookReceiver {
    pub url: String,
    pub state: Arc<Mutex<ReceiverState>>,
}

impl WebhookReceiver {
    pub async fn start() -> WebhookReceiver {
        let state = Arc::new(Mutex::new(ReceiverState::default()));
        let app = Router::new()
            .route("/hook", post(receive))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        WebhookReceiver { url, state }
    }

    pub fn deliveries(&self) -> Vec<Delivery> {
        self.state.lock().unwrap().deliveries.clone()
    }
}

async fn receive(
    State(state): State<Arc<Mutex<ReceiverState>>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let mut s = state.lock().unwrap();
    s.deliveries.push(Delivery {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body: body.to_vec(),
    });
    match s.answers.pop_front() {
        Some((status, retry_after)) => {
            let mut response = status.into_response();
            if let Some(after) = retry_after {
                response
                    .headers_mut()
                    .insert("retry-after", after.parse().unwrap());
            }
            response
        }
        None => StatusCode::NO_CONTENT.into_response(),
    }
}
