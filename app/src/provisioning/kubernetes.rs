//! The Kubernetes driver (DRIVERS.md §4): one custom resource per instance, applied
//! server-side (`fieldManager=tenantry`, forced: Tenantry is the authority over what it
//! declares), and the `status.phase` the cluster's controller writes read back into the
//! instance's record.
//!
//! Plain HTTP: four calls against one API server. The server and its credentials come
//! from the pod's service account (`in-cluster`; the token file is read again for every
//! step, since the kubelet rotates it) or from a kubeconfig's current context with a
//! bearer token. A 404 with no object name means the API itself is missing (the CRD is not
//! installed) and is a permanent error, distinct from a missing object or namespace.

use super::{Cx, Made, Produced, StepError, retry_after, upstream::segment};
use crate::config::{KubeSource, KubernetesConfig};
use base64::{Engine, engine::general_purpose::STANDARD};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::{path::Path, time::Duration};

const SYSTEM: &str = "Kubernetes";
/// Who owns the fields Tenantry applies.
pub const FIELD_MANAGER: &str = "tenantry";

/// Where to reach the API server, and as whom.
pub struct Cluster {
    pub server: String,
    pub token: SecretString,
    /// The cluster's CA (PEM), when it is not a public one.
    pub ca_pem: Option<Vec<u8>>,
    pub insecure_skip_tls_verify: bool,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("server", &self.server)
            .field("token", &"[redacted]")
            .finish_non_exhaustive()
    }
}

/// The cluster as the configuration names it; the error says what is missing.
pub fn resolve(config: &KubernetesConfig) -> Result<Cluster, String> {
    match config.source {
        KubeSource::InCluster => in_cluster(
            &config.service_account_dir,
            std::env::var("KUBERNETES_SERVICE_HOST").ok(),
            std::env::var("KUBERNETES_SERVICE_PORT").ok(),
        ),
        KubeSource::Kubeconfig => {
            let path = config
                .kubeconfig
                .as_deref()
                .ok_or("provisioning.kubernetes.kubeconfig is not set")?;
            kubeconfig(path)
        }
    }
}

/// The pod's view: the API server the kubelet names in `host` and `port`
/// (`KUBERNETES_SERVICE_HOST`/`_PORT`), the token and CA of the mounted service account.
fn in_cluster(dir: &Path, host: Option<String>, port: Option<String>) -> Result<Cluster, String> {
    let host = host.ok_or("not in a cluster: KUBERNETES_SERVICE_HOST is not set")?;
    let port = port.unwrap_or_else(|| "443".into());
    let host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host
    };
    let token = read_token(&dir.join("token"))?;
    let ca = dir.join("ca.crt");
    let ca_pem = std::fs::read(&ca).map_err(|e| format!("cannot read {}: {e}", ca.display()))?;
    Ok(Cluster {
        server: format!("https://{host}:{port}"),
        token,
        ca_pem: Some(ca_pem),
        insecure_skip_tls_verify: false,
    })
}

fn read_token(path: &Path) -> Result<SecretString, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the token file {}: {e}", path.display()))?;
    let token = text.trim();
    if token.is_empty() {
        return Err(format!("the token file {} is empty", path.display()));
    }
    Ok(SecretString::from(token.to_owned()))
}

#[derive(Deserialize)]
struct KubeconfigFile {
    #[serde(rename = "current-context", default)]
    current_context: Option<String>,
    #[serde(default)]
    clusters: Vec<Named<ClusterEntry>>,
    #[serde(default)]
    contexts: Vec<Named<ContextEntry>>,
    #[serde(default)]
    users: Vec<Named<UserEntry>>,
}

#[derive(Deserialize)]
struct Named<T> {
    name: String,
    #[serde(alias = "cluster", alias = "context", alias = "user")]
    item: T,
}

#[derive(Deserialize)]
struct ClusterEntry {
    server: String,
    #[serde(rename = "certificate-authority", default)]
    certificate_authority: Option<String>,
    #[serde(rename = "certificate-authority-data", default)]
    certificate_authority_data: Option<String>,
    #[serde(rename = "insecure-skip-tls-verify", default)]
    insecure_skip_tls_verify: bool,
}

#[derive(Deserialize)]
struct ContextEntry {
    cluster: String,
    user: String,
}

#[derive(Deserialize, Default)]
struct UserEntry {
    #[serde(default)]
    token: Option<String>,
    #[serde(rename = "tokenFile", default)]
    token_file: Option<String>,
}

/// The current context of the kubeconfig at `path`; only bearer-token users are taken
/// (client certificates, exec plugins and auth providers are refused by name).
pub fn kubeconfig(path: &Path) -> Result<Cluster, String> {
    use figment::providers::Format;
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the kubeconfig {}: {e}", path.display()))?;
    let file: KubeconfigFile = figment::Figment::from(figment::providers::Yaml::string(&text))
        .extract()
        .map_err(|e| format!("the kubeconfig {} is not readable: {e}", path.display()))?;
    let wanted = file
        .current_context
        .as_deref()
        .ok_or("the kubeconfig has no current-context")?;
    let context = file
        .contexts
        .iter()
        .find(|c| c.name == wanted)
        .ok_or_else(|| format!("the kubeconfig has no context {wanted}"))?;
    let cluster = file
        .clusters
        .iter()
        .find(|c| c.name == context.item.cluster)
        .ok_or_else(|| format!("the kubeconfig has no cluster {}", context.item.cluster))?;
    let user = file
        .users
        .iter()
        .find(|u| u.name == context.item.user)
        .ok_or_else(|| format!("the kubeconfig has no user {}", context.item.user))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let token = match (&user.item.token, &user.item.token_file) {
        (Some(token), _) if !token.is_empty() => SecretString::from(token.clone()),
        (_, Some(file)) => read_token(&base.join(file))?,
        _ => {
            return Err(format!(
                "the kubeconfig user {} has no bearer token; give Tenantry a service account token",
                user.name
            ));
        }
    };
    let ca_pem = match (
        &cluster.item.certificate_authority_data,
        &cluster.item.certificate_authority,
    ) {
        (Some(data), _) => Some(
            STANDARD
                .decode(data.trim())
                .map_err(|_| "certificate-authority-data is not base64".to_owned())?,
        ),
        (None, Some(file)) => {
            let file = base.join(file);
            Some(std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?)
        }
        (None, None) => None,
    };
    Ok(Cluster {
        server: cluster.item.server.trim_end_matches('/').to_owned(),
        token,
        ca_pem,
        insecure_skip_tls_verify: cluster.item.insecure_skip_tls_verify,
    })
}

/// A client of the configured cluster: its CA trusted, redirects not followed.
pub struct Kube {
    http: reqwest::Client,
    cluster: Cluster,
    config: KubernetesConfig,
}

/// The part of a `Status` answer that tells the 404s apart.
#[derive(Deserialize, Default)]
struct Status {
    #[serde(default)]
    details: Option<StatusDetails>,
}

#[derive(Deserialize, Default)]
struct StatusDetails {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    kind: Option<String>,
}

#[derive(Deserialize)]
struct Object {
    #[serde(default)]
    status: Option<ObjectStatus>,
}

#[derive(Deserialize)]
struct ObjectStatus {
    #[serde(default)]
    phase: Option<String>,
}

#[derive(Deserialize)]
struct ResourceList {
    #[serde(default)]
    resources: Vec<ResourceEntry>,
}

#[derive(Deserialize)]
struct ResourceEntry {
    name: String,
}

impl Kube {
    pub fn new(config: &KubernetesConfig, timeout: Duration) -> Result<Kube, StepError> {
        let cluster = resolve(config).map_err(StepError::Permanent)?;
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .danger_accept_invalid_certs(cluster.insecure_skip_tls_verify);
        if let Some(pem) = &cluster.ca_pem {
            let ca = reqwest::Certificate::from_pem(pem).map_err(|_| {
                StepError::Permanent("the cluster's CA certificate is not valid PEM".into())
            })?;
            builder = builder.add_root_certificate(ca);
        }
        let http = builder
            .build()
            .map_err(|_| StepError::Permanent("no HTTP client for the cluster".into()))?;
        Ok(Kube {
            http,
            cluster,
            config: config.clone(),
        })
    }

    fn api(&self) -> String {
        format!(
            "{}/apis/{}/{}",
            self.cluster.server,
            segment(&self.config.group),
            segment(&self.config.version)
        )
    }

    fn object_url(&self, name: &str) -> String {
        format!(
            "{}/namespaces/{}/{}/{}",
            self.api(),
            segment(&self.config.namespace),
            segment(&self.config.plural),
            segment(name)
        )
    }

    fn crd_missing(&self) -> StepError {
        StepError::Permanent(format!(
            "the cluster does not serve {}.{}/{}: the custom resource definition is not installed",
            self.config.plural, self.config.group, self.config.version
        ))
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<reqwest::Response, StepError> {
        request
            .bearer_auth(self.cluster.token.expose_secret())
            .send()
            .await
            .map_err(|e| StepError::from_transport(SYSTEM, &e))
    }

    fn failed(response: &reqwest::Response) -> StepError {
        StepError::from_status(SYSTEM, response.status().as_u16(), retry_after(response))
    }

    /// A 404's meaning: the object (or its namespace) is missing, or the API is.
    async fn not_found(&self, response: reqwest::Response) -> NotFound {
        let status: Status = response.json().await.unwrap_or_default();
        match status
            .details
            .and_then(|d| d.name.map(|name| (name, d.kind)))
        {
            Some((name, Some(kind))) if kind == "namespaces" => NotFound::Namespace(name),
            Some(_) => NotFound::Object,
            None => NotFound::Api,
        }
    }

    /// The group/version answers and lists the plural: the CRD is installed.
    pub async fn health(&self) -> Result<(), StepError> {
        let response = self.send(self.http.get(self.api())).await?;
        match response.status().as_u16() {
            200 => {
                let list: ResourceList = response.json().await.map_err(|_| {
                    StepError::transient("Kubernetes sent a resource list we cannot read")
                })?;
                if list.resources.iter().any(|r| r.name == self.config.plural) {
                    Ok(())
                } else {
                    Err(self.crd_missing())
                }
            }
            404 => Err(self.crd_missing()),
            _ => Err(Self::failed(&response)),
        }
    }

    /// Applies `object` (creates or converges it) and returns the phase the cluster
    /// reports for it.
    pub async fn apply(
        &self,
        name: &str,
        object: &serde_json::Value,
    ) -> Result<Option<String>, StepError> {
        let response = self
            .send(
                self.http
                    .patch(self.object_url(name))
                    .query(&[("fieldManager", FIELD_MANAGER), ("force", "true")])
                    .header("content-type", "application/apply-patch+yaml")
                    .body(object.to_string()),
            )
            .await?;
        match response.status().as_u16() {
            200 | 201 => {
                let object: Object = response.json().await.map_err(|_| {
                    StepError::transient("Kubernetes sent an object we cannot read")
                })?;
                Ok(object.status.and_then(|s| s.phase))
            }
            404 => Err(match self.not_found(response).await {
                NotFound::Namespace(ns) => StepError::Permanent(format!(
                    "the namespace {ns} does not exist in the cluster"
                )),
                NotFound::Object | NotFound::Api => self.crd_missing(),
            }),
            422 => Err(StepError::Permanent(format!(
                "the cluster rejected the {} as invalid (HTTP 422); check the CRD's schema",
                self.config.kind
            ))),
            _ => Err(Self::failed(&response)),
        }
    }

    /// The phase the cluster reports for the object; `None` when it has none yet, an error
    /// when the object is gone.
    pub async fn phase(&self, name: &str) -> Result<Option<String>, StepError> {
        let response = self.send(self.http.get(self.object_url(name))).await?;
        match response.status().as_u16() {
            200 => {
                let object: Object = response.json().await.map_err(|_| {
                    StepError::transient("Kubernetes sent an object we cannot read")
                })?;
                Ok(object.status.and_then(|s| s.phase))
            }
            404 => Err(match self.not_found(response).await {
                NotFound::Api => self.crd_missing(),
                _ => StepError::transient(format!(
                    "the {} {name} is gone from the cluster",
                    self.config.kind
                )),
            }),
            _ => Err(Self::failed(&response)),
        }
    }

    /// Deletes the object; already gone (or never servable: no CRD) counts as deleted.
    pub async fn delete(&self, name: &str) -> Result<(), StepError> {
        let response = self.send(self.http.delete(self.object_url(name))).await?;
        match response.status().as_u16() {
            200 | 202 | 404 => Ok(()),
            _ => Err(Self::failed(&response)),
        }
    }
}

enum NotFound {
    Object,
    Namespace(String),
    Api,
}

/// The custom resource of the instance: what Tenantry declares, nothing the cluster owns.
pub fn object(
    config: &KubernetesConfig,
    cx: &Cx<'_>,
    secrets_path: Option<String>,
) -> serde_json::Value {
    let i = cx.instance;
    let mut spec = serde_json::json!({
        "organization": { "id": i.organization_id, "slug": i.slug },
        "instance": { "id": i.instance_id, "name": i.name },
    });
    if let Some(path) = secrets_path {
        spec["secretsPath"] = serde_json::Value::String(path);
    }
    serde_json::json!({
        "apiVersion": format!("{}/{}", config.group, config.version),
        "kind": config.kind,
        "metadata": {
            "name": i.name,
            "namespace": config.namespace,
            "labels": {
                "app.kubernetes.io/managed-by": "tenantry",
                "tenantry.io/organization": i.slug,
            },
        },
        "spec": spec,
    })
}

pub async fn ensure(cx: &Cx<'_>, step: &str) -> Result<Made, StepError> {
    match step {
        "kubernetes.resource" => {
            let config = &cx.config.kubernetes;
            let kube = Kube::new(config, cx.timeout())?;
            let secrets_path = cx
                .config
                .openbao
                .enabled
                .then(|| super::openbao::instance_path(&cx.config.openbao, &cx.instance.name));
            let phase = kube
                .apply(&cx.instance.name, &object(config, cx, secrets_path))
                .await?;
            let id = format!("{}/{}", config.namespace, cx.instance.name);
            Ok(Made::Resource(Produced::with_phase(&id, phase)))
        }
        other => Err(StepError::Permanent(format!("unknown step {other}"))),
    }
}

/// Reads the phase the cluster reports for every live instance with a resource and
/// records the ones that changed; open dashboards of their organizations are told. A
/// failure is logged and left to the next round.
pub async fn refresh_phases(state: &crate::state::AppState) {
    let config = &state.config.provisioning;
    let kube = match Kube::new(
        &config.kubernetes,
        Duration::from_secs(config.request_timeout_seconds),
    ) {
        Ok(kube) => kube,
        Err(err) => {
            tracing::warn!(%err, "cluster phases not read");
            return;
        }
    };
    let live = match super::repo::cluster_instances(&state.db).await {
        Ok(live) => live,
        Err(err) => {
            tracing::warn!(%err, "cluster phases not read");
            return;
        }
    };
    for (instance_id, name, organization_id, known) in live {
        match kube.phase(&name).await {
            Ok(phase) if phase != known => {
                if super::repo::set_cluster_phase(&state.db, &instance_id, phase.as_deref())
                    .await
                    .is_ok()
                {
                    state.changed(&organization_id);
                }
            }
            Ok(_) => {}
            Err(err) => tracing::debug!(%err, instance = %name, "cluster phase not read"),
        }
    }
}

pub async fn teardown(cx: &Cx<'_>, step: &str) -> Result<(), StepError> {
    match step {
        "kubernetes.resource.remove" => {
            let kube = Kube::new(&cx.config.kubernetes, cx.timeout())?;
            kube.delete(&cx.instance.name).await?;
            cx.forget("kubernetes.resource").await
        }
        other => Err(StepError::Permanent(format!("unknown step {other}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kubeconfig_gives_its_current_context_with_a_token() {
        let dir = std::env::temp_dir().join(format!("tenantry-kube-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("token"), "file-token\n").unwrap();
        let config = dir.join("config");
        std::fs::write(
            &config,
            "apiVersion: v1\nkind: Config\ncurrent-context: prod\nclusters:\n- name: c1\n  cluster:\n    server: https://k8s.example:6443/\n    certificate-authority-data: LS0tLQ==\n- name: c2\n  cluster:\n    server: https://other:6443\ncontexts:\n- name: dev\n  context:\n    cluster: c2\n    user: u1\n- name: prod\n  context:\n    cluster: c1\n    user: u2\nusers:\n- name: u1\n  user:\n    token: inline\n- name: u2\n  user:\n    tokenFile: token\n",
        )
        .unwrap();
        let cluster = kubeconfig(&config).unwrap();
        assert_eq!(cluster.server, "https://k8s.example:6443");
        assert_eq!(cluster.token.expose_secret(), "file-token");
        assert_eq!(cluster.ca_pem.as_deref(), Some(&b"----"[..]));
        assert!(!format!("{cluster:?}").contains("file-token"));

        std::fs::write(
            &config,
            "current-context: x\nclusters:\n- name: c\n  cluster:\n    server: https://k\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: u\nusers:\n- name: u\n  user:\n    exec:\n      command: aws\n",
        )
        .unwrap();
        let refused = kubeconfig(&config).unwrap_err();
        assert!(refused.contains("no bearer token"), "{refused}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn in_cluster_reads_the_service_account_files() {
        let dir = std::env::temp_dir().join(format!("tenantry-sa-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        // Without the variables the pod would have, it says so.
        let missing = in_cluster(&dir, None, None).unwrap_err();
        assert!(missing.contains("KUBERNETES_SERVICE_HOST"), "{missing}");
        std::fs::write(dir.join("token"), "sa-token").unwrap();
        std::fs::write(dir.join("ca.crt"), "PEM").unwrap();
        let pod = || in_cluster(&dir, Some("fd00::1".into()), Some("6443".into()));
        let cluster = pod().unwrap();
        assert_eq!(cluster.server, "https://[fd00::1]:6443");
        assert_eq!(cluster.token.expose_secret(), "sa-token");
        // The kubelet rotates the token: the next read sees the new one.
        std::fs::write(dir.join("token"), "rotated").unwrap();
        assert_eq!(pod().unwrap().token.expose_secret(), "rotated");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
