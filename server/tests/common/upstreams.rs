//! Loopback servers for the other upstream systems the provisioning drivers call, with the
//! status codes and error bodies of DRIVERS.md: Gitea (organizations and their Owners
//! team), Coolify (projects and services), a Kubernetes API server serving one custom
//! resource, OpenBao's KV v2 engine and Authentik (groups and their members).
//!
//! Each fake keeps what it holds in a `state` the test reads and changes through `with`,
//! logs every request as `METHOD /path?query` before anything else, answers every request
//! (health endpoints included) with the system's 500 while `fail_all` is set, and refuses
//! a wrong or missing credential with the system's own 401 or 403.

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, Query, Request, State},
    http::{HeaderMap, Method, StatusCode, Uri, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{get, post, put},
};
use serde_json::{Map, Value, json};
use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    path::PathBuf,
    sync::{Arc, Mutex},
};

pub const GITEA_TOKEN: &str = "gitea-fake-token";
/// The token's user, which Gitea also puts in the Owners team of every org it creates.
pub const GITEA_USER: &str = "tenantry";
pub const COOLIFY_TOKEN: &str = "1|coolify-fake-token";
pub const COOLIFY_VERSION: &str = "4.0.0-beta.420";
pub const KUBE_TOKEN: &str = "kube-fake-token";
pub const KUBE_GROUP: &str = "tenantry.io";
pub const KUBE_VERSION: &str = "v1alpha1";
pub const KUBE_PLURAL: &str = "tenantinstances";
pub const KUBE_KIND: &str = "TenantInstance";
pub const BAO_TOKEN: &str = "bao-fake-token";
pub const AUTHENTIK_TOKEN: &str = "ak-fake-token";

/// The time every fake reports for what it made.
const CREATED_TIME: &str = "2026-01-01T00:00:00Z";

// ---------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------

/// `METHOD /path?query`, as the logs hold requests.
fn record(log: &mut Vec<String>, method: &Method, uri: &Uri) {
    let target = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    log.push(format!("{method} {target}"));
}

fn reply(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

/// The token of an `Authorization` header whose scheme is one of `schemes` (compared
/// case-insensitively); `None` without one.
fn credential<'h>(headers: &'h HeaderMap, schemes: &[&str]) -> Option<&'h str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    schemes
        .iter()
        .any(|s| s.eq_ignore_ascii_case(scheme))
        .then_some(token.trim())
}

fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> &'h str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// A request body as JSON; `Null` when it is not JSON at all.
fn parse_json(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap_or(Value::Null)
}

/// A string field of a JSON body; empty when absent or not a string.
fn text(body: &Value, key: &str) -> String {
    body[key].as_str().unwrap_or_default().to_owned()
}

/// `%XX` escapes decoded (and `+` as a space, for query strings).
fn percent_decode(text: &str, plus_is_space: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let hex = |b: u8| char::from(b).to_digit(16);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push((hi * 16 + lo) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus_is_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The pairs of a query string, decoded (a later key wins).
fn query_pairs(query: Option<&str>) -> HashMap<String, String> {
    query
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key, true), percent_decode(value, true))
        })
        .collect()
}

/// A fresh lowercase identifier of `len` hex digits (at most 32).
fn fresh_id(len: usize) -> String {
    let mut id = uuid::Uuid::new_v4().simple().to_string();
    id.truncate(len);
    id
}

/// A listener on a free loopback port and its base URL.
async fn listen() -> (tokio::net::TcpListener, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    (listener, url)
}

fn serve(listener: tokio::net::TcpListener, app: Router) {
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
}

/// A fake upstream serving until the test ends: its base URL and the state its handlers
/// share with the test.
pub struct Fake<S> {
    pub url: String,
    pub state: Arc<Mutex<S>>,
}

impl<S> Clone for Fake<S> {
    fn clone(&self) -> Self {
        Fake {
            url: self.url.clone(),
            state: self.state.clone(),
        }
    }
}

impl<S> Fake<S> {
    pub fn with<T>(&self, f: impl FnOnce(&mut S) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }
}

/// What a fake does before any route: log the request, fail while told to, refuse a wrong
/// or missing credential (`Some` is the answer instead of the route's).
trait Gate {
    fn refusal(&mut self, request: &Request) -> Option<Response>;
}

async fn gate<S: Gate + Send + 'static>(
    State(state): State<Arc<Mutex<S>>>,
    request: Request,
    next: Next,
) -> Response {
    let refused = state.lock().unwrap().refusal(&request);
    match refused {
        Some(response) => response,
        None => next.run(request).await,
    }
}

// ---------------------------------------------------------------------------------------
// Gitea
// ---------------------------------------------------------------------------------------

/// A Gitea organization (its name is the key of [`GiteaState::orgs`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GiteaOrg {
    pub id: i64,
    pub description: String,
    pub full_name: String,
    pub visibility: String,
    /// The logins in the org's Owners team (team id `id * 100 + 1`). Gitea puts the
    /// creating user ([`GITEA_USER`]) there when the API creates the org.
    pub owners: BTreeSet<String>,
    /// How many repositories it holds (dummies `repo-1`…); the org cannot be deleted
    /// while there are any.
    pub repos: usize,
}

#[derive(Default)]
pub struct GiteaState {
    /// The fake's base URL (errors point at `<url>/api/swagger`).
    pub url: String,
    pub orgs: BTreeMap<String, GiteaOrg>,
    /// Users as `(login, email)`; they share the name space with the orgs.
    pub users: Vec<(String, String)>,
    /// Answer every request with 500.
    pub fail_all: bool,
    /// Every request's method and path with query, in order.
    pub log: Vec<String>,
}

/// The fake Gitea, serving `/api/v1` until the test ends.
pub type FakeGitea = Fake<GiteaState>;

type GiteaShared = State<Arc<Mutex<GiteaState>>>;

impl FakeGitea {
    pub async fn start() -> FakeGitea {
        let (listener, url) = listen().await;
        let state = Arc::new(Mutex::new(GiteaState {
            url: url.clone(),
            ..GiteaState::default()
        }));
        let app = Router::new()
            .route(
                "/api/v1/version",
                get(|| async { Json(json!({"version": "1.24.0"})) }),
            )
            .route("/api/v1/user", get(gitea_user))
            .route("/api/v1/users/search", get(gitea_user_search))
            .route("/api/v1/users/{login}", get(gitea_user_get))
            .route("/api/v1/orgs", post(gitea_org_create))
            .route(
                "/api/v1/orgs/{name}",
                get(gitea_org_get).delete(gitea_org_delete),
            )
            .route("/api/v1/orgs/{name}/teams", get(gitea_teams))
            .route("/api/v1/orgs/{name}/repos", get(gitea_repos))
            .route(
                "/api/v1/teams/{id}/members/{login}",
                put(gitea_member_add).delete(gitea_member_remove),
            )
            .fallback(gitea_fallback)
            .layer(middleware::from_fn_with_state(
                state.clone(),
                gate::<GiteaState>,
            ))
            .with_state(state.clone());
        serve(listener, app);
        FakeGitea { url, state }
    }

    pub fn org_count(&self) -> usize {
        self.with(|s| s.orgs.len())
    }

    /// The org named `name` (case-insensitively, as Gitea looks names up).
    pub fn org(&self, name: &str) -> Option<GiteaOrg> {
        self.with(|s| gitea_org_key(s, name).map(|key| s.orgs[&key].clone()))
    }
}

fn gitea_error(url: &str, status: StatusCode, message: &str) -> Response {
    reply(
        status,
        json!({"message": message, "url": format!("{url}/api/swagger")}),
    )
}

/// Gitea's bare `ctx.NotFound()`.
fn gitea_not_found(url: &str) -> Response {
    reply(
        StatusCode::NOT_FOUND,
        json!({"errors": null, "message": "The target couldn't be found.", "url": format!("{url}/api/swagger")}),
    )
}

/// The 404 of an org route whose org does not exist (also when a user holds the name).
fn gitea_org_missing(url: &str, name: &str) -> Response {
    reply(
        StatusCode::NOT_FOUND,
        json!({
            "errors": [format!("user redirect does not exist [name: {}]", name.to_lowercase())],
            "message": "GetOrgByName",
            "url": format!("{url}/api/swagger"),
        }),
    )
}

/// The key of the org called `name`, compared case-insensitively.
fn gitea_org_key(s: &GiteaState, name: &str) -> Option<String> {
    s.orgs
        .keys()
        .find(|k| k.eq_ignore_ascii_case(name))
        .cloned()
}

fn gitea_org_json(name: &str, org: &GiteaOrg) -> Value {
    json!({
        "id": org.id,
        "name": name,
        "username": name,
        "full_name": org.full_name,
        "email": "",
        "avatar_url": "",
        "description": org.description,
        "website": "",
        "location": "",
        "visibility": org.visibility,
        "repo_admin_change_team_access": false,
    })
}

/// Log, fault injection and the token, before every route.
impl Gate for GiteaState {
    fn refusal(&mut self, request: &Request) -> Option<Response> {
        gitea_refusal(self, request)
    }
}

fn gitea_refusal(s: &mut GiteaState, request: &Request) -> Option<Response> {
    record(&mut s.log, request.method(), request.uri());
    if s.fail_all {
        return Some(gitea_error(
            &s.url,
            StatusCode::INTERNAL_SERVER_ERROR,
            "fake Gitea failure",
        ));
    }
    if request.uri().path() == "/api/v1/version" {
        return None;
    }
    match credential(request.headers(), &["token", "bearer"]) {
        Some(GITEA_TOKEN) => None,
        Some(_) => Some(gitea_error(
            &s.url,
            StatusCode::UNAUTHORIZED,
            "user does not exist [uid: 0, name: ]",
        )),
        None => Some(gitea_error(
            &s.url,
            StatusCode::UNAUTHORIZED,
            "token is required",
        )),
    }
}

async fn gitea_fallback(State(state): GiteaShared) -> Response {
    let s = state.lock().unwrap();
    gitea_not_found(&s.url)
}

async fn gitea_user() -> Response {
    Json(json!({"id": 1, "login": GITEA_USER, "username": GITEA_USER, "full_name": "Tenantry", "email": "tenantry@tenantry.test", "is_admin": true}))
        .into_response()
}

/// Users are numbered from 2 in list order (1 is the token's user).
fn gitea_user_json(index: usize, login: &str, email: &str) -> Value {
    json!({"id": index as i64 + 2, "login": login, "username": login, "full_name": "", "email": email})
}

async fn gitea_user_get(State(state): GiteaShared, Path(login): Path<String>) -> Response {
    let s = state.lock().unwrap();
    match s
        .users
        .iter()
        .enumerate()
        .find(|(_, (l, _))| l.eq_ignore_ascii_case(&login))
    {
        Some((i, (l, email))) => Json(gitea_user_json(i, l, email)).into_response(),
        None => reply(
            StatusCode::NOT_FOUND,
            json!({
                "errors": [format!("user does not exist [uid: 0, name: {login}]")],
                "message": "GetUserByName",
                "url": format!("{}/api/swagger", s.url),
            }),
        ),
    }
}

/// `GET /users/search?q=&limit=`: `q` as a case-insensitive substring of login or email.
async fn gitea_user_search(
    State(state): GiteaShared,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let s = state.lock().unwrap();
    let needle = q.get("q").map(|v| v.to_lowercase()).unwrap_or_default();
    let limit = q
        .get("limit")
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(30)
        .min(50);
    let data: Vec<Value> = s
        .users
        .iter()
        .enumerate()
        .filter(|(_, (login, email))| {
            login.to_lowercase().contains(&needle) || email.to_lowercase().contains(&needle)
        })
        .take(limit)
        .map(|(i, (login, email))| gitea_user_json(i, login, email))
        .collect();
    Json(json!({"ok": true, "data": data})).into_response()
}

async fn gitea_org_get(State(state): GiteaShared, Path(name): Path<String>) -> Response {
    let s = state.lock().unwrap();
    match gitea_org_key(&s, &name) {
        Some(key) => Json(gitea_org_json(&key, &s.orgs[&key])).into_response(),
        None => gitea_org_missing(&s.url, &name),
    }
}

async fn gitea_org_create(State(state): GiteaShared, body: Bytes) -> Response {
    let mut s = state.lock().unwrap();
    let body = parse_json(&body);
    let name = text(&body, "username");
    if name.is_empty() {
        return gitea_error(
            &s.url,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[Username]: Required",
        );
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return gitea_error(
            &s.url,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[Username]: Username should contain only alphanumeric, dash ('-'), underscore ('_') and dot ('.') characters.",
        );
    }
    let visibility = body["visibility"].as_str().unwrap_or("public").to_owned();
    if !matches!(visibility.as_str(), "public" | "limited" | "private") {
        return gitea_error(
            &s.url,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[Visibility]: Visibility is invalid",
        );
    }
    let taken = gitea_org_key(&s, &name).is_some()
        || name.eq_ignore_ascii_case(GITEA_USER)
        || s.users
            .iter()
            .any(|(login, _)| login.eq_ignore_ascii_case(&name));
    if taken {
        return gitea_error(
            &s.url,
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!("user already exists [name: {name}]"),
        );
    }
    let id = s.orgs.values().map(|o| o.id).max().unwrap_or(100) + 1;
    let org = GiteaOrg {
        id,
        description: text(&body, "description"),
        full_name: text(&body, "full_name"),
        visibility,
        owners: BTreeSet::from([GITEA_USER.to_owned()]),
        repos: 0,
    };
    let created = gitea_org_json(&name, &org);
    s.orgs.insert(name, org);
    reply(StatusCode::CREATED, created)
}

async fn gitea_teams(State(state): GiteaShared, Path(name): Path<String>) -> Response {
    let s = state.lock().unwrap();
    let Some(key) = gitea_org_key(&s, &name) else {
        return gitea_org_missing(&s.url, &name);
    };
    let org = &s.orgs[&key];
    Json(json!([{
        "id": org.id * 100 + 1,
        "name": "Owners",
        "description": "",
        "permission": "owner",
        "includes_all_repositories": true,
        "can_create_org_repo": true,
    }]))
    .into_response()
}

/// The org whose Owners team has the id `team`.
fn gitea_team_org(s: &GiteaState, team: &str) -> Option<String> {
    let team: i64 = team.parse().ok()?;
    s.orgs
        .iter()
        .find(|(_, org)| org.id * 100 + 1 == team)
        .map(|(key, _)| key.clone())
}

/// The stored spelling of the user `login`.
fn gitea_login(s: &GiteaState, login: &str) -> Option<String> {
    if login.eq_ignore_ascii_case(GITEA_USER) {
        return Some(GITEA_USER.to_owned());
    }
    s.users
        .iter()
        .find(|(l, _)| l.eq_ignore_ascii_case(login))
        .map(|(l, _)| l.clone())
}

/// `PUT /teams/{id}/members/{login}`: 204, also when already a member.
async fn gitea_member_add(
    State(state): GiteaShared,
    Path((team, login)): Path<(String, String)>,
) -> Response {
    let mut s = state.lock().unwrap();
    let (Some(key), Some(login)) = (gitea_team_org(&s, &team), gitea_login(&s, &login)) else {
        return gitea_not_found(&s.url);
    };
    if let Some(org) = s.orgs.get_mut(&key) {
        org.owners.insert(login);
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn gitea_member_remove(
    State(state): GiteaShared,
    Path((team, login)): Path<(String, String)>,
) -> Response {
    let mut s = state.lock().unwrap();
    let (Some(key), Some(login)) = (gitea_team_org(&s, &team), gitea_login(&s, &login)) else {
        return gitea_not_found(&s.url);
    };
    if let Some(org) = s.orgs.get_mut(&key) {
        org.owners.remove(&login);
    }
    StatusCode::NO_CONTENT.into_response()
}

/// `GET /orgs/{name}/repos?limit=`: dummy repos `repo-1`…, truncated to `limit`.
async fn gitea_repos(
    State(state): GiteaShared,
    Path(name): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let s = state.lock().unwrap();
    let Some(key) = gitea_org_key(&s, &name) else {
        return gitea_org_missing(&s.url, &name);
    };
    let total = s.orgs[&key].repos;
    let shown = q
        .get("limit")
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .map_or(total, |limit| limit.min(total));
    let repos: Vec<Value> = (1..=shown)
        .map(|n| json!({"id": n, "name": format!("repo-{n}"), "full_name": format!("{key}/repo-{n}")}))
        .collect();
    (
        StatusCode::OK,
        [("x-total-count", total.to_string())],
        Json(Value::Array(repos)),
    )
        .into_response()
}

/// `DELETE /orgs/{name}`: 204; 500 while it still holds repositories (Gitea's behaviour).
async fn gitea_org_delete(State(state): GiteaShared, Path(name): Path<String>) -> Response {
    let mut s = state.lock().unwrap();
    let Some(key) = gitea_org_key(&s, &name) else {
        return gitea_org_missing(&s.url, &name);
    };
    let org = &s.orgs[&key];
    if org.repos > 0 {
        let message = format!("user still has ownership of repositories [uid: {}]", org.id);
        return gitea_error(&s.url, StatusCode::INTERNAL_SERVER_ERROR, &message);
    }
    s.orgs.remove(&key);
    StatusCode::NO_CONTENT.into_response()
}

// ---------------------------------------------------------------------------------------
// Coolify
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CoolifyProject {
    pub id: i64,
    pub uuid: String,
    pub name: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CoolifyService {
    pub id: i64,
    pub uuid: String,
    pub name: String,
    pub description: Option<String>,
    pub project_uuid: String,
    pub server_uuid: String,
    pub service_type: String,
    pub environment_name: String,
}

pub struct CoolifyState {
    pub projects: Vec<CoolifyProject>,
    pub services: Vec<CoolifyService>,
    /// The servers' uuids (`srv-1` by default).
    pub servers: Vec<String>,
    /// The id the next project or service gets.
    pub next_id: i64,
    /// Answer every request with 500.
    pub fail_all: bool,
    /// Every request's method and path with query, in order.
    pub log: Vec<String>,
}

impl Default for CoolifyState {
    fn default() -> Self {
        CoolifyState {
            projects: Vec::new(),
            services: Vec::new(),
            servers: vec!["srv-1".to_owned()],
            next_id: 1,
            fail_all: false,
            log: Vec::new(),
        }
    }
}

impl CoolifyState {
    fn take_id(&mut self) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }
}

/// The fake Coolify, serving `/api/v1` until the test ends.
pub type FakeCoolify = Fake<CoolifyState>;

type CoolifyShared = State<Arc<Mutex<CoolifyState>>>;

impl FakeCoolify {
    pub async fn start() -> FakeCoolify {
        let (listener, url) = listen().await;
        let state = Arc::new(Mutex::new(CoolifyState::default()));
        let app = Router::new()
            .route("/api/health", get(|| async { "OK" }))
            .route("/api/v1/version", get(|| async { COOLIFY_VERSION }))
            .route(
                "/api/v1/projects",
                get(coolify_projects).post(coolify_project_create),
            )
            .route(
                "/api/v1/projects/{uuid}",
                get(coolify_project_get).delete(coolify_project_delete),
            )
            .route(
                "/api/v1/services",
                get(coolify_services).post(coolify_service_create),
            )
            .route(
                "/api/v1/services/{uuid}",
                get(coolify_service_get).delete(coolify_service_delete),
            )
            .fallback(|| async { coolify_message(StatusCode::NOT_FOUND, "Not found.") })
            .layer(middleware::from_fn_with_state(
                state.clone(),
                gate::<CoolifyState>,
            ))
            .with_state(state.clone());
        serve(listener, app);
        FakeCoolify { url, state }
    }

    pub fn project_count(&self) -> usize {
        self.with(|s| s.projects.len())
    }

    pub fn service_count(&self) -> usize {
        self.with(|s| s.services.len())
    }
}

fn coolify_message(status: StatusCode, message: &str) -> Response {
    reply(status, json!({"message": message}))
}

fn coolify_invalid(errors: Map<String, Value>) -> Response {
    reply(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"message": "Validation failed.", "errors": errors}),
    )
}

/// A Coolify uuid: 24 lowercase characters.
fn coolify_uuid() -> String {
    fresh_id(24)
}

impl Gate for CoolifyState {
    fn refusal(&mut self, request: &Request) -> Option<Response> {
        coolify_refusal(self, request)
    }
}

fn coolify_refusal(s: &mut CoolifyState, request: &Request) -> Option<Response> {
    record(&mut s.log, request.method(), request.uri());
    if s.fail_all {
        return Some(coolify_message(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Server Error",
        ));
    }
    if request.uri().path() == "/api/health" {
        return None;
    }
    match credential(request.headers(), &["bearer"]) {
        Some(COOLIFY_TOKEN) => None,
        _ => Some(coolify_message(
            StatusCode::UNAUTHORIZED,
            "Unauthenticated.",
        )),
    }
}

fn coolify_project_json(p: &CoolifyProject) -> Value {
    json!({"id": p.id, "uuid": p.uuid, "name": p.name, "description": p.description})
}

fn coolify_service_json(v: &CoolifyService) -> Value {
    json!({
        "id": v.id,
        "uuid": v.uuid,
        "name": v.name,
        "description": v.description,
        "service_type": v.service_type,
    })
}

async fn coolify_projects(State(state): CoolifyShared) -> Response {
    let s = state.lock().unwrap();
    let list: Vec<Value> = s.projects.iter().map(coolify_project_json).collect();
    Json(Value::Array(list)).into_response()
}

/// `POST /projects {name, description}`: 201 `{"uuid"}`; the same name twice makes two.
async fn coolify_project_create(State(state): CoolifyShared, body: Bytes) -> Response {
    let mut s = state.lock().unwrap();
    let body = parse_json(&body);
    let Some(fields) = body.as_object() else {
        return coolify_message(StatusCode::BAD_REQUEST, "Invalid JSON.");
    };
    let mut errors = Map::new();
    for key in fields.keys() {
        if key != "name" && key != "description" {
            errors.insert(key.clone(), json!(["This field is not allowed."]));
        }
    }
    let name = text(&body, "name");
    if name.is_empty() {
        errors.insert("name".into(), json!(["The name field is required."]));
    } else if name.chars().count() > 255 {
        errors.insert(
            "name".into(),
            json!(["The name field must not be greater than 255 characters."]),
        );
    }
    if !(body["description"].is_null() || body["description"].is_string()) {
        errors.insert(
            "description".into(),
            json!(["The description field must be a string."]),
        );
    }
    if !errors.is_empty() {
        return coolify_invalid(errors);
    }
    let id = s.take_id();
    let uuid = coolify_uuid();
    s.projects.push(CoolifyProject {
        id,
        uuid: uuid.clone(),
        name,
        description: body["description"].as_str().map(str::to_owned),
    });
    reply(StatusCode::CREATED, json!({"uuid": uuid}))
}

/// `GET /projects/{uuid}`: the project with its environment; a missing uuid is a 500, as
/// Coolify's `->first()->load()` makes it.
async fn coolify_project_get(State(state): CoolifyShared, Path(uuid): Path<String>) -> Response {
    let s = state.lock().unwrap();
    match s.projects.iter().find(|p| p.uuid == uuid) {
        Some(p) => {
            let mut project = coolify_project_json(p);
            project["environments"] = json!([{
                "id": p.id,
                "name": "production",
                "project_id": p.id,
                "description": null,
            }]);
            Json(project).into_response()
        }
        None => coolify_message(StatusCode::INTERNAL_SERVER_ERROR, "Server Error"),
    }
}

async fn coolify_project_delete(State(state): CoolifyShared, Path(uuid): Path<String>) -> Response {
    let mut s = state.lock().unwrap();
    let Some(index) = s.projects.iter().position(|p| p.uuid == uuid) else {
        return coolify_message(StatusCode::NOT_FOUND, "Project not found.");
    };
    if s.services.iter().any(|v| v.project_uuid == uuid) {
        return coolify_message(
            StatusCode::BAD_REQUEST,
            "Project has resources, so it cannot be deleted.",
        );
    }
    s.projects.remove(index);
    coolify_message(StatusCode::OK, "Project deleted.")
}

async fn coolify_services(State(state): CoolifyShared) -> Response {
    let s = state.lock().unwrap();
    let list: Vec<Value> = s.services.iter().map(coolify_service_json).collect();
    Json(Value::Array(list)).into_response()
}

/// `POST /services`: 201 `{"uuid","domains":[]}`; 422 without `type` (or the project,
/// server or environment fields); 404 for an unknown project or server.
async fn coolify_service_create(State(state): CoolifyShared, body: Bytes) -> Response {
    let mut s = state.lock().unwrap();
    let body = parse_json(&body);
    if !body.is_object() {
        return coolify_message(StatusCode::BAD_REQUEST, "Invalid JSON.");
    }
    let mut errors = Map::new();
    let mut required = |key: &str| {
        let value = text(&body, key);
        if value.is_empty() {
            errors.insert(
                key.to_owned(),
                json!([format!("The {key} field is required.")]),
            );
        }
        value
    };
    let service_type = required("type");
    let project_uuid = required("project_uuid");
    let server_uuid = required("server_uuid");
    let environment_name = required("environment_name");
    if !errors.is_empty() {
        return coolify_invalid(errors);
    }
    if !s.projects.iter().any(|p| p.uuid == project_uuid) {
        return coolify_message(StatusCode::NOT_FOUND, "Project not found.");
    }
    if !s.servers.contains(&server_uuid) {
        return coolify_message(StatusCode::NOT_FOUND, "Server not found.");
    }
    let id = s.take_id();
    let uuid = coolify_uuid();
    let name = match text(&body, "name") {
        name if name.is_empty() => format!("{service_type}-{uuid}"),
        name => name,
    };
    s.services.push(CoolifyService {
        id,
        uuid: uuid.clone(),
        name,
        description: body["description"].as_str().map(str::to_owned),
        project_uuid,
        server_uuid,
        service_type,
        environment_name,
    });
    reply(StatusCode::CREATED, json!({"uuid": uuid, "domains": []}))
}

async fn coolify_service_get(State(state): CoolifyShared, Path(uuid): Path<String>) -> Response {
    let s = state.lock().unwrap();
    match s.services.iter().find(|v| v.uuid == uuid) {
        Some(v) => Json(coolify_service_json(v)).into_response(),
        None => coolify_message(StatusCode::NOT_FOUND, "Service not found."),
    }
}

async fn coolify_service_delete(State(state): CoolifyShared, Path(uuid): Path<String>) -> Response {
    let mut s = state.lock().unwrap();
    let before = s.services.len();
    s.services.retain(|v| v.uuid != uuid);
    if s.services.len() == before {
        return coolify_message(StatusCode::NOT_FOUND, "Service not found.");
    }
    coolify_message(StatusCode::OK, "Service deletion request queued.")
}

// ---------------------------------------------------------------------------------------
// Kubernetes
// ---------------------------------------------------------------------------------------

/// One stored custom resource.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KubeObject {
    /// The object as last applied (without what the server adds).
    pub body: Value,
    /// The field manager of the last apply.
    pub manager: String,
    /// What the fake controller wrote into `status.phase`.
    pub phase: Option<String>,
}

pub struct KubeState {
    /// Whether the CRD is installed (the group/version is served).
    pub crd_installed: bool,
    /// The namespaces that exist (`tenants` by default).
    pub namespaces: BTreeSet<String>,
    /// Objects by `(namespace, name)`.
    pub objects: BTreeMap<(String, String), KubeObject>,
    /// The phase the fake controller writes on every apply (`Ready` by default); `None`
    /// leaves the phase as it was (none for a new object).
    pub phase_on_apply: Option<String>,
    /// The last resourceVersion handed out.
    pub resource_version: u64,
    /// Answer every request with 500.
    pub fail_all: bool,
    /// Every request's method and path with query, in order.
    pub log: Vec<String>,
    /// uid and resourceVersion of each object.
    meta: BTreeMap<(String, String), (String, u64)>,
}

impl Default for KubeState {
    fn default() -> Self {
        KubeState {
            crd_installed: true,
            namespaces: BTreeSet::from(["tenants".to_owned()]),
            objects: BTreeMap::new(),
            phase_on_apply: Some("Ready".to_owned()),
            resource_version: 1000,
            fail_all: false,
            log: Vec::new(),
            meta: BTreeMap::new(),
        }
    }
}

/// The fake API server, serving one custom resource type until the test ends.
pub type FakeKube = Fake<KubeState>;

type KubeShared = State<Arc<Mutex<KubeState>>>;
type ObjectPath = Path<(String, String, String, String, String)>;

impl FakeKube {
    pub async fn start() -> FakeKube {
        let (listener, url) = listen().await;
        let state = Arc::new(Mutex::new(KubeState::default()));
        let app = Router::new()
            .route("/apis/{group}/{version}", get(kube_discovery))
            .route(
                "/apis/{group}/{version}/namespaces/{namespace}/{plural}",
                get(kube_list),
            )
            .route(
                "/apis/{group}/{version}/namespaces/{namespace}/{plural}/{name}",
                get(kube_get).patch(kube_apply).delete(kube_delete),
            )
            .fallback(|| async { kube_no_resource() })
            .layer(middleware::from_fn_with_state(
                state.clone(),
                gate::<KubeState>,
            ))
            .with_state(state.clone());
        serve(listener, app);
        FakeKube { url, state }
    }

    pub fn object_count(&self) -> usize {
        self.with(|s| s.objects.len())
    }

    pub fn object(&self, namespace: &str, name: &str) -> Option<KubeObject> {
        self.with(|s| {
            s.objects
                .get(&(namespace.to_owned(), name.to_owned()))
                .cloned()
        })
    }

    /// Writes a kubeconfig (context `fake`: this server over plain HTTP, bearer token
    /// [`KUBE_TOKEN`]) as `dir/kubeconfig` and returns its path.
    pub fn kubeconfig(&self, dir: &std::path::Path) -> PathBuf {
        std::fs::create_dir_all(dir).unwrap();
        let path = dir.join("kubeconfig");
        let text = format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: fake\nclusters:\n- name: fake\n  cluster:\n    server: {url}\ncontexts:\n- name: fake\n  context:\n    cluster: fake\n    user: fake\nusers:\n- name: fake\n  user:\n    token: {KUBE_TOKEN}\n",
            url = self.url
        );
        std::fs::write(&path, text).unwrap();
        path
    }
}

/// A failed `Status`; `details` left out when `None`.
fn kube_status(
    status: StatusCode,
    reason: &str,
    message: &str,
    details: Option<Value>,
) -> Response {
    let mut body = json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": status.as_u16(),
    });
    if let Some(details) = details {
        body["details"] = details;
    }
    reply(status, body)
}

/// The 404 of a group/version/resource the server does not serve (no CRD).
fn kube_no_resource() -> Response {
    kube_status(
        StatusCode::NOT_FOUND,
        "NotFound",
        "the server could not find the requested resource",
        Some(json!({})),
    )
}

fn kube_object_missing(name: &str) -> Response {
    kube_status(
        StatusCode::NOT_FOUND,
        "NotFound",
        &format!("{KUBE_PLURAL}.{KUBE_GROUP} \"{name}\" not found"),
        Some(json!({"name": name, "group": KUBE_GROUP, "kind": KUBE_PLURAL})),
    )
}

impl Gate for KubeState {
    fn refusal(&mut self, request: &Request) -> Option<Response> {
        kube_refusal(self, request)
    }
}

fn kube_refusal(s: &mut KubeState, request: &Request) -> Option<Response> {
    record(&mut s.log, request.method(), request.uri());
    if s.fail_all {
        return Some(kube_status(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "Internal error occurred: fake API server failure",
            Some(json!({"causes": [{"message": "fake API server failure"}]})),
        ));
    }
    match credential(request.headers(), &["bearer"]) {
        Some(KUBE_TOKEN) => None,
        _ => Some(kube_status(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "Unauthorized",
            None,
        )),
    }
}

/// Whether the server serves `group/version/plural` now.
fn kube_serves(s: &KubeState, group: &str, version: &str, plural: &str) -> bool {
    s.crd_installed && group == KUBE_GROUP && version == KUBE_VERSION && plural == KUBE_PLURAL
}

/// The object as the server answers it: what was applied plus namespace, uid,
/// resourceVersion and the controller's status.
fn kube_view(s: &mut KubeState, namespace: &str, name: &str) -> Option<Value> {
    let key = (namespace.to_owned(), name.to_owned());
    let object = s.objects.get(&key)?.clone();
    let KubeState {
        meta,
        resource_version: last,
        ..
    } = s;
    // An object the test seeded gets what the server would have given it.
    let (uid, resource_version) = meta
        .entry(key)
        .or_insert_with(|| {
            *last += 1;
            (uuid::Uuid::new_v4().to_string(), *last)
        })
        .clone();
    let mut body = match object.body {
        Value::Object(map) => Value::Object(map),
        _ => json!({}),
    };
    if !body["apiVersion"].is_string() {
        body["apiVersion"] = json!(format!("{KUBE_GROUP}/{KUBE_VERSION}"));
    }
    if !body["kind"].is_string() {
        body["kind"] = json!(KUBE_KIND);
    }
    if !body["metadata"].is_object() {
        body["metadata"] = json!({});
    }
    let metadata = &mut body["metadata"];
    metadata["name"] = json!(name);
    metadata["namespace"] = json!(namespace);
    metadata["uid"] = json!(uid);
    metadata["resourceVersion"] = json!(resource_version.to_string());
    metadata["generation"] = json!(1);
    metadata["creationTimestamp"] = json!(CREATED_TIME);
    if let Some(map) = body.as_object_mut() {
        map.remove("status");
    }
    if let Some(phase) = object.phase {
        body["status"] = json!({"phase": phase});
    }
    Some(body)
}

/// `GET /apis/{group}/{version}`: the resource list while the CRD is installed.
async fn kube_discovery(
    State(state): KubeShared,
    Path((group, version)): Path<(String, String)>,
) -> Response {
    let s = state.lock().unwrap();
    if !kube_serves(&s, &group, &version, KUBE_PLURAL) {
        return kube_no_resource();
    }
    Json(json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": format!("{KUBE_GROUP}/{KUBE_VERSION}"),
        "resources": [{
            "name": KUBE_PLURAL,
            "singularName": "tenantinstance",
            "namespaced": true,
            "kind": KUBE_KIND,
            "verbs": ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"],
            "storageVersionHash": "fakehash0000",
        }],
    }))
    .into_response()
}

async fn kube_list(
    State(state): KubeShared,
    Path((group, version, namespace, plural)): Path<(String, String, String, String)>,
) -> Response {
    let mut s = state.lock().unwrap();
    if !kube_serves(&s, &group, &version, &plural) {
        return kube_no_resource();
    }
    let names: Vec<String> = s
        .objects
        .keys()
        .filter(|(ns, _)| *ns == namespace)
        .map(|(_, name)| name.clone())
        .collect();
    let items: Vec<Value> = names
        .iter()
        .filter_map(|name| kube_view(&mut s, &namespace, name))
        .collect();
    Json(json!({
        "apiVersion": format!("{KUBE_GROUP}/{KUBE_VERSION}"),
        "kind": format!("{KUBE_KIND}List"),
        "metadata": {"resourceVersion": s.resource_version.to_string()},
        "items": items,
    }))
    .into_response()
}

async fn kube_get(
    State(state): KubeShared,
    Path((group, version, namespace, plural, name)): ObjectPath,
) -> Response {
    let mut s = state.lock().unwrap();
    if !kube_serves(&s, &group, &version, &plural) {
        return kube_no_resource();
    }
    match kube_view(&mut s, &namespace, &name) {
        Some(object) => Json(object).into_response(),
        None => kube_object_missing(&name),
    }
}

/// Server-side apply: `PATCH …/{name}?fieldManager=X[&force=true]` with
/// `application/apply-patch+yaml` (JSON); 201 when created, 200 when updated.
async fn kube_apply(
    State(state): KubeShared,
    Path((group, version, namespace, plural, name)): ObjectPath,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut s = state.lock().unwrap();
    if !kube_serves(&s, &group, &version, &plural) {
        return kube_no_resource();
    }
    if !header_str(&headers, "content-type").starts_with("application/apply-patch+yaml") {
        return kube_status(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
            None,
        );
    }
    let manager = q.get("fieldManager").cloned().unwrap_or_default();
    if manager.is_empty() {
        return kube_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Invalid",
            "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
            Some(json!({
                "group": "meta.k8s.io",
                "kind": "PatchOptions",
                "causes": [{"reason": "FieldValueRequired", "message": "Required value: is required for apply patch", "field": "fieldManager"}],
            })),
        );
    }
    if !s.namespaces.contains(&namespace) {
        return kube_status(
            StatusCode::NOT_FOUND,
            "NotFound",
            &format!("namespaces \"{namespace}\" not found"),
            Some(json!({"name": namespace, "kind": "namespaces"})),
        );
    }
    let applied = parse_json(&body);
    if !applied.is_object() {
        return kube_status(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "error decoding YAML: the body is not an object",
            Some(json!({})),
        );
    }
    if let Some(named) = applied["metadata"]["name"].as_str()
        && named != name
    {
        return kube_status(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            &format!(
                "the name of the object ({named}) does not match the name on the URL ({name})"
            ),
            Some(json!({})),
        );
    }
    let key = (namespace.clone(), name.clone());
    let force = q.get("force").is_some_and(|f| f == "true");
    let existing = s.objects.get(&key).cloned();
    if let Some(old) = &existing
        && old.manager != manager
        && !force
    {
        let other = &old.manager;
        return kube_status(
            StatusCode::CONFLICT,
            "Conflict",
            &format!("Apply failed with 1 conflict: conflict with \"{other}\": .spec"),
            Some(json!({"causes": [{
                "reason": "FieldManagerConflict",
                "message": format!("conflict with \"{other}\""),
                "field": ".spec",
            }]})),
        );
    }
    let phase = s
        .phase_on_apply
        .clone()
        .or_else(|| existing.as_ref().and_then(|o| o.phase.clone()));
    s.resource_version += 1;
    let resource_version = s.resource_version;
    let uid = s
        .meta
        .get(&key)
        .map(|(uid, _)| uid.clone())
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    s.meta.insert(key.clone(), (uid, resource_version));
    s.objects.insert(
        key,
        KubeObject {
            body: applied,
            manager,
            phase,
        },
    );
    let status = if existing.is_some() {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let view = kube_view(&mut s, &namespace, &name).unwrap_or_default();
    reply(status, view)
}

async fn kube_delete(
    State(state): KubeShared,
    Path((group, version, namespace, plural, name)): ObjectPath,
) -> Response {
    let mut s = state.lock().unwrap();
    if !kube_serves(&s, &group, &version, &plural) {
        return kube_no_resource();
    }
    let key = (namespace, name.clone());
    if s.objects.remove(&key).is_none() {
        return kube_object_missing(&name);
    }
    let uid = s.meta.remove(&key).map(|(uid, _)| uid).unwrap_or_default();
    Json(json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "details": {"name": name, "group": KUBE_GROUP, "kind": KUBE_PLURAL, "uid": uid},
    }))
    .into_response()
}

// ---------------------------------------------------------------------------------------
// OpenBao (KV v2)
// ---------------------------------------------------------------------------------------

pub struct BaoState {
    /// The KV v2 mount (`secret`).
    pub mount: String,
    /// When set, every request but `sys/health` must send it as `X-Vault-Namespace`.
    pub namespace: Option<String>,
    /// Secrets by path under the mount: their versions' data, oldest first.
    pub secrets: BTreeMap<String, Vec<Value>>,
    /// Sealed: `sys/health` answers 503 sealed, everything else 503 `Vault is sealed`.
    pub sealed: bool,
    /// While > 0, the next write with a `cas` is refused as a CAS mismatch (the count goes
    /// down, nothing is written): a concurrent writer got there first.
    pub cas_race: usize,
    /// Answer every request with 500.
    pub fail_all: bool,
    /// Every request's method and path with query, in order.
    pub log: Vec<String>,
}

impl Default for BaoState {
    fn default() -> Self {
        BaoState {
            mount: "secret".to_owned(),
            namespace: None,
            secrets: BTreeMap::new(),
            sealed: false,
            cas_race: 0,
            fail_all: false,
            log: Vec::new(),
        }
    }
}

/// The fake OpenBao, serving `/v1` until the test ends.
pub type FakeBao = Fake<BaoState>;

type BaoShared = State<Arc<Mutex<BaoState>>>;

impl FakeBao {
    pub async fn start() -> FakeBao {
        let (listener, url) = listen().await;
        let state = Arc::new(Mutex::new(BaoState::default()));
        // One handler for everything: KV paths have any depth and `LIST` is a method of
        // its own.
        let app = Router::new().fallback(bao).with_state(state.clone());
        serve(listener, app);
        FakeBao { url, state }
    }

    /// How many paths hold a secret.
    pub fn secret_count(&self) -> usize {
        self.with(|s| s.secrets.values().filter(|v| !v.is_empty()).count())
    }

    /// The latest version's data at `path` (under the mount).
    pub fn latest(&self, path: &str) -> Option<Value> {
        self.with(|s| s.secrets.get(path).and_then(|v| v.last().cloned()))
    }

    /// How many versions `path` has.
    pub fn versions(&self, path: &str) -> usize {
        self.with(|s| s.secrets.get(path).map_or(0, Vec::len))
    }
}

fn bao_errors(status: StatusCode, errors: &[&str]) -> Response {
    reply(status, json!({"errors": errors}))
}

/// The response envelope around `data`.
fn bao_envelope(data: Value) -> Response {
    Json(json!({
        "request_id": uuid::Uuid::new_v4().to_string(),
        "lease_id": "",
        "renewable": false,
        "lease_duration": 0,
        "data": data,
        "wrap_info": null,
        "warnings": null,
        "auth": null,
    }))
    .into_response()
}

fn bao_version_metadata(version: usize) -> Value {
    json!({
        "version": version,
        "created_time": CREATED_TIME,
        "deletion_time": "",
        "destroyed": false,
        "custom_metadata": null,
    })
}

/// Whether the request carries the token (and the namespace, when one is required).
fn bao_allowed(s: &BaoState, headers: &HeaderMap) -> bool {
    let token_ok = header_str(headers, "x-vault-token") == BAO_TOKEN
        || credential(headers, &["bearer"]) == Some(BAO_TOKEN);
    let namespace_ok = s.namespace.as_deref().is_none_or(|wanted| {
        header_str(headers, "x-vault-namespace").trim_matches('/') == wanted.trim_matches('/')
    });
    token_ok && namespace_ok
}

async fn bao(
    State(state): BaoShared,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut s = state.lock().unwrap();
    record(&mut s.log, &method, &uri);
    if s.fail_all {
        return bao_errors(StatusCode::INTERNAL_SERVER_ERROR, &["internal error"]);
    }
    let path = percent_decode(uri.path(), false);
    let query = query_pairs(uri.query());
    let rest = path.strip_prefix("/v1/").unwrap_or_default().to_owned();
    if rest == "sys/health" {
        return if s.sealed {
            reply(
                StatusCode::SERVICE_UNAVAILABLE,
                json!({"initialized": true, "sealed": true, "standby": false}),
            )
        } else {
            Json(json!({
                "initialized": true,
                "sealed": false,
                "standby": false,
                "performance_standby": false,
                "version": "2.3.1",
                "cluster_name": "fake-bao",
            }))
            .into_response()
        };
    }
    if s.sealed {
        return bao_errors(StatusCode::SERVICE_UNAVAILABLE, &["Vault is sealed"]);
    }
    if !bao_allowed(&s, &headers) {
        return bao_errors(StatusCode::FORBIDDEN, &["permission denied"]);
    }
    if rest == "auth/token/lookup-self" && (method == Method::GET || method == Method::POST) {
        return bao_envelope(json!({
            "display_name": "token",
            "policies": ["tenantry"],
            "ttl": 0,
            "renewable": false,
        }));
    }
    let mount = format!("{}/", s.mount.trim_matches('/'));
    let Some(inside) = rest.strip_prefix(&mount) else {
        let message = format!("no handler for route \"{rest}\". route entry not found.");
        return bao_errors(StatusCode::NOT_FOUND, &[message.as_str()]);
    };
    let (area, key) = inside.split_once('/').unwrap_or((inside, ""));
    let key = key.to_owned();
    let list = method.as_str() == "LIST"
        || (method == Method::GET && query.get("list").is_some_and(|v| v == "true"));
    match area {
        "data" if key.is_empty() => {
            bao_errors(StatusCode::METHOD_NOT_ALLOWED, &["unsupported operation"])
        }
        "data" if method == Method::GET => bao_read(&s, &key, &query),
        "data" if method == Method::POST || method == Method::PUT => bao_write(&mut s, &key, &body),
        "metadata" if list => bao_list(&s, &key),
        "metadata" if method == Method::GET => bao_metadata(&s, &key),
        "metadata" if method == Method::DELETE => {
            s.secrets.remove(key.trim_end_matches('/'));
            StatusCode::NO_CONTENT.into_response()
        }
        "data" | "metadata" => {
            bao_errors(StatusCode::METHOD_NOT_ALLOWED, &["unsupported operation"])
        }
        _ => bao_errors(
            StatusCode::NOT_FOUND,
            &[
                "Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. If using the Vault CLI, use 'vault kv get' for this operation.",
            ],
        ),
    }
}

/// `GET data/{path}[?version=N]`.
fn bao_read(s: &BaoState, key: &str, query: &HashMap<String, String>) -> Response {
    let versions: &[Value] = s.secrets.get(key).map(Vec::as_slice).unwrap_or_default();
    let wanted = match query.get("version").map(|v| v.parse::<usize>()) {
        None | Some(Ok(0)) => versions.len(),
        Some(Ok(n)) => n,
        Some(Err(_)) => return bao_errors(StatusCode::BAD_REQUEST, &["invalid version"]),
    };
    match wanted.checked_sub(1).and_then(|i| versions.get(i)) {
        Some(data) => bao_envelope(json!({"data": data, "metadata": bao_version_metadata(wanted)})),
        None => bao_errors(StatusCode::NOT_FOUND, &[]),
    }
}

/// `POST|PUT data/{path}` `{"data":{…},"options":{"cas":N}}`.
fn bao_write(s: &mut BaoState, key: &str, body: &[u8]) -> Response {
    let body = match serde_json::from_slice::<Value>(body) {
        Ok(body) => body,
        Err(e) => {
            let message = format!("failed to parse JSON input: {e}");
            return bao_errors(StatusCode::BAD_REQUEST, &[message.as_str()]);
        }
    };
    if !body["data"].is_object() {
        return bao_errors(StatusCode::BAD_REQUEST, &["no data provided"]);
    }
    let current = s.secrets.get(key).map_or(0, Vec::len);
    if let Some(cas) = body["options"]["cas"].as_u64() {
        let raced = s.cas_race > 0;
        if raced {
            s.cas_race -= 1;
        }
        if raced || cas != current as u64 {
            return bao_errors(
                StatusCode::BAD_REQUEST,
                &["check-and-set parameter did not match the current version"],
            );
        }
    }
    let versions = s.secrets.entry(key.to_owned()).or_default();
    versions.push(body["data"].clone());
    bao_envelope(bao_version_metadata(versions.len()))
}

/// `GET metadata/{path}`.
fn bao_metadata(s: &BaoState, key: &str) -> Response {
    let Some(versions) = s.secrets.get(key).filter(|v| !v.is_empty()) else {
        return bao_errors(StatusCode::NOT_FOUND, &[]);
    };
    let all: Map<String, Value> = (1..=versions.len())
        .map(|n| {
            (
                n.to_string(),
                json!({"created_time": CREATED_TIME, "deletion_time": "", "destroyed": false}),
            )
        })
        .collect();
    bao_envelope(json!({
        "cas_required": false,
        "created_time": CREATED_TIME,
        "current_version": versions.len(),
        "custom_metadata": null,
        "delete_version_after": "0s",
        "max_versions": 0,
        "oldest_version": 1,
        "updated_time": CREATED_TIME,
        "versions": all,
    }))
}

/// `LIST metadata/{prefix}`: the direct children, folders ending in `/`.
fn bao_list(s: &BaoState, prefix: &str) -> Response {
    let prefix = match prefix.trim_end_matches('/') {
        "" => String::new(),
        folder => format!("{folder}/"),
    };
    let keys: BTreeSet<String> = s
        .secrets
        .iter()
        .filter(|(_, versions)| !versions.is_empty())
        .filter_map(|(path, _)| path.strip_prefix(&prefix))
        .filter(|rest| !rest.is_empty())
        .map(|rest| match rest.split_once('/') {
            Some((folder, _)) => format!("{folder}/"),
            None => rest.to_owned(),
        })
        .collect();
    if keys.is_empty() {
        return bao_errors(StatusCode::NOT_FOUND, &[]);
    }
    bao_envelope(json!({"keys": keys}))
}

// ---------------------------------------------------------------------------------------
// Authentik
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AkGroup {
    /// A UUID string.
    pub pk: String,
    pub num_pk: i64,
    pub name: String,
    pub attributes: Value,
    /// The members' user pks.
    pub users: BTreeSet<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AkUser {
    pub pk: i64,
    pub username: String,
    pub email: String,
}

#[derive(Default)]
pub struct AuthentikState {
    pub groups: Vec<AkGroup>,
    pub users: Vec<AkUser>,
    /// Answer every request with 500.
    pub fail_all: bool,
    /// Every request's method and path with query, in order.
    pub log: Vec<String>,
}

/// The fake Authentik, serving `/api/v3` until the test ends.
pub type FakeAuthentik = Fake<AuthentikState>;

type AkShared = State<Arc<Mutex<AuthentikState>>>;

impl FakeAuthentik {
    pub async fn start() -> FakeAuthentik {
        let (listener, url) = listen().await;
        let state = Arc::new(Mutex::new(AuthentikState::default()));
        let app = Router::new()
            .route("/api/v3/core/users/me/", get(ak_me))
            .route("/api/v3/core/users/", get(ak_users))
            .route("/api/v3/core/groups/", get(ak_groups).post(ak_group_create))
            .route(
                "/api/v3/core/groups/{pk}/",
                get(ak_group_get).delete(ak_group_delete),
            )
            .route("/api/v3/core/groups/{pk}/add_user/", post(ak_add_user))
            .route(
                "/api/v3/core/groups/{pk}/remove_user/",
                post(ak_remove_user),
            )
            .fallback(|| async { ak_not_found() })
            .layer(middleware::from_fn_with_state(
                state.clone(),
                gate::<AuthentikState>,
            ))
            .with_state(state.clone());
        serve(listener, app);
        FakeAuthentik { url, state }
    }

    pub fn group_count(&self) -> usize {
        self.with(|s| s.groups.len())
    }

    pub fn group(&self, name: &str) -> Option<AkGroup> {
        self.with(|s| s.groups.iter().find(|g| g.name == name).cloned())
    }
}

fn ak_detail(status: StatusCode, detail: &str) -> Response {
    reply(status, json!({"detail": detail}))
}

fn ak_not_found() -> Response {
    ak_detail(StatusCode::NOT_FOUND, "Not found.")
}

/// A DRF page holding all of `results`.
fn ak_page(results: Vec<Value>) -> Response {
    let count = results.len();
    Json(json!({
        "pagination": {
            "next": 0,
            "previous": 0,
            "count": count,
            "current": 1,
            "total_pages": 1,
            "start_index": usize::from(count > 0),
            "end_index": count,
        },
        "results": results,
    }))
    .into_response()
}

fn ak_group_json(g: &AkGroup) -> Value {
    json!({
        "pk": g.pk,
        "num_pk": g.num_pk,
        "name": g.name,
        "is_superuser": false,
        "parent": null,
        "attributes": g.attributes,
        "users": g.users,
    })
}

impl Gate for AuthentikState {
    fn refusal(&mut self, request: &Request) -> Option<Response> {
        ak_refusal(self, request)
    }
}

fn ak_refusal(s: &mut AuthentikState, request: &Request) -> Option<Response> {
    record(&mut s.log, request.method(), request.uri());
    if s.fail_all {
        return Some(ak_detail(
            StatusCode::INTERNAL_SERVER_ERROR,
            "A server error occurred.",
        ));
    }
    match credential(request.headers(), &["bearer"]) {
        Some(AUTHENTIK_TOKEN) => None,
        Some(_) => Some(ak_detail(StatusCode::FORBIDDEN, "Token invalid/expired")),
        None => Some(ak_detail(
            StatusCode::FORBIDDEN,
            "Authentication credentials were not provided.",
        )),
    }
}

async fn ak_me() -> Response {
    Json(json!({"user": {"pk": 1, "username": "tenantry-sa", "name": "Tenantry", "is_superuser": false}}))
        .into_response()
}

/// `GET /core/users/?email=X`: exact, case-insensitive (and `?username=` exact).
async fn ak_users(State(state): AkShared, Query(q): Query<HashMap<String, String>>) -> Response {
    let s = state.lock().unwrap();
    let results: Vec<Value> = s
        .users
        .iter()
        .filter(|u| {
            q.get("email")
                .is_none_or(|e| u.email.eq_ignore_ascii_case(e))
        })
        .filter(|u| q.get("username").is_none_or(|n| &u.username == n))
        .map(|u| json!({"pk": u.pk, "username": u.username, "email": u.email, "is_active": true}))
        .collect();
    ak_page(results)
}

/// `GET /core/groups/?name=X&attributes={json}`.
async fn ak_groups(State(state): AkShared, Query(q): Query<HashMap<String, String>>) -> Response {
    let s = state.lock().unwrap();
    let wanted = match q
        .get("attributes")
        .map(|a| serde_json::from_str::<Value>(a))
    {
        None => None,
        Some(Ok(Value::Object(map))) => Some(map),
        Some(Ok(_)) => {
            return reply(
                StatusCode::BAD_REQUEST,
                json!(["filter: value must be key:value mapping"]),
            );
        }
        Some(Err(_)) => {
            return reply(
                StatusCode::BAD_REQUEST,
                json!(["filter: failed to parse JSON"]),
            );
        }
    };
    let results: Vec<Value> = s
        .groups
        .iter()
        .filter(|g| q.get("name").is_none_or(|n| &g.name == n))
        .filter(|g| {
            wanted
                .as_ref()
                .is_none_or(|m| m.iter().all(|(k, v)| g.attributes.get(k) == Some(v)))
        })
        .map(ak_group_json)
        .collect();
    ak_page(results)
}

async fn ak_group_get(State(state): AkShared, Path(pk): Path<String>) -> Response {
    let s = state.lock().unwrap();
    match s.groups.iter().find(|g| g.pk == pk) {
        Some(g) => Json(ak_group_json(g)).into_response(),
        None => ak_not_found(),
    }
}

/// `POST /core/groups/ {"name","is_superuser","attributes"}`: 201; 400 for a taken name.
async fn ak_group_create(State(state): AkShared, body: Bytes) -> Response {
    let mut s = state.lock().unwrap();
    let body = parse_json(&body);
    if !body.is_object() {
        return ak_detail(StatusCode::BAD_REQUEST, "JSON parse error");
    }
    let name = text(&body, "name");
    if name.trim().is_empty() {
        let message = if body["name"].is_string() {
            "This field may not be blank."
        } else {
            "This field is required."
        };
        return reply(StatusCode::BAD_REQUEST, json!({"name": [message]}));
    }
    if s.groups.iter().any(|g| g.name == name) {
        return reply(
            StatusCode::BAD_REQUEST,
            json!({"name": ["group with this name already exists."]}),
        );
    }
    let attributes = match &body["attributes"] {
        Value::Null => json!({}),
        Value::Object(map) => Value::Object(map.clone()),
        _ => {
            return reply(
                StatusCode::BAD_REQUEST,
                json!({"attributes": ["Value must be valid JSON."]}),
            );
        }
    };
    let group = AkGroup {
        pk: uuid::Uuid::new_v4().to_string(),
        num_pk: s.groups.iter().map(|g| g.num_pk).max().unwrap_or(1000) + 1,
        name,
        attributes,
        users: BTreeSet::new(),
    };
    let created = ak_group_json(&group);
    s.groups.push(group);
    reply(StatusCode::CREATED, created)
}

/// The user pk of an `add_user`/`remove_user` body (a number or a numeric string).
fn ak_user_pk(body: &[u8]) -> Option<i64> {
    let body = parse_json(body);
    body["pk"]
        .as_i64()
        .or_else(|| body["pk"].as_str().and_then(|p| p.parse().ok()))
}

/// `POST /core/groups/{pk}/add_user/ {"pk": N}`: 204; 404 for an unknown group and, as
/// authentik's `raise Http404` does, for an unknown user too.
async fn ak_add_user(State(state): AkShared, Path(pk): Path<String>, body: Bytes) -> Response {
    let mut s = state.lock().unwrap();
    let Some(index) = s.groups.iter().position(|g| g.pk == pk) else {
        return ak_not_found();
    };
    let Some(user) = ak_user_pk(&body).filter(|u| s.users.iter().any(|x| x.pk == *u)) else {
        return ak_not_found();
    };
    s.groups[index].users.insert(user);
    StatusCode::NO_CONTENT.into_response()
}

async fn ak_remove_user(State(state): AkShared, Path(pk): Path<String>, body: Bytes) -> Response {
    let mut s = state.lock().unwrap();
    let Some(index) = s.groups.iter().position(|g| g.pk == pk) else {
        return ak_not_found();
    };
    let Some(user) = ak_user_pk(&body).filter(|u| s.users.iter().any(|x| x.pk == *u)) else {
        return ak_not_found();
    };
    s.groups[index].users.remove(&user);
    StatusCode::NO_CONTENT.into_response()
}

async fn ak_group_delete(State(state): AkShared, Path(pk): Path<String>) -> Response {
    let mut s = state.lock().unwrap();
    let before = s.groups.len();
    s.groups.retain(|g| g.pk != pk);
    if s.groups.len() == before {
        return ak_not_found();
    }
    StatusCode::NO_CONTENT.into_response()
}
