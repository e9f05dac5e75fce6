//! The OpenBao / Vault KV v2 driver (DRIVERS.md §5): the package secrets of an instance's
//! request written at `{mount}/data/tenants/{instance}/{package}`, one KV entry per
//! package with its fields as keys.
//!
//! The secrets are opened (decrypted) only inside this step and only to be sent. Every
//! write is check-and-set against the version read just before: a version written by
//! someone else meanwhile is read again, once, and a second mismatch waits for a retry.
//! Identical data already stored is left alone, so a resumed or reconciled run writes no
//! new version. The teardown deletes each package's metadata, which removes every version
//! (a delete under `data/` would only hide the latest one).

use super::{
    Cx, Made, Produced, StepError,
    upstream::{Scheme, Upstream, segment},
};
use crate::{
    config::OpenBaoConfig,
    instances::requests::repo::secret_purpose,
    secrets::{self, Binding, Keyring},
};
use reqwest::Method;
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

const SYSTEM: &str = "OpenBao";

pub fn client<'a>(
    http: &'a reqwest::Client,
    config: &OpenBaoConfig,
) -> Result<Upstream<'a>, StepError> {
    let bao = Upstream::new(
        http,
        SYSTEM,
        &config.url,
        "/v1",
        config.token(),
        Scheme::VaultToken,
    )?;
    Ok(match &config.namespace {
        Some(namespace) => bao.with_header("x-vault-namespace", namespace.clone()),
        None => bao,
    })
}

/// The mount's path, each of its segments escaped (a mount may be `kv/tenants`).
fn mount(config: &OpenBaoConfig) -> String {
    config
        .mount
        .trim_matches('/')
        .split('/')
        .map(segment)
        .collect::<Vec<_>>()
        .join("/")
}

/// Where the instance's secrets live, as a reader of the KV mount names it
/// (`secret/data/tenants/acme-gmbh-1a2b3c4d`); the custom resource points there.
pub fn instance_path(config: &OpenBaoConfig, instance_name: &str) -> String {
    format!("{}/data/tenants/{}", mount(config), segment(instance_name))
}

/// `/{mount}/{kind}/tenants/{instance}[/{package}]`, `kind` being `data` or `metadata`.
fn path(config: &OpenBaoConfig, kind: &str, instance: &str, package: Option<&str>) -> String {
    let mut path = format!("/{}/{kind}/tenants/{}", mount(config), segment(instance));
    if let Some(package) = package {
        path.push('/');
        path.push_str(&segment(package));
    }
    path
}

/// Unsealed, and the token is valid.
pub async fn health(bao: &Upstream<'_>) -> Result<(), StepError> {
    let sys = bao.get("/sys/health").await?;
    if sys.status().as_u16() == 503 {
        return Err(StepError::transient("OpenBao is sealed"));
    }
    if !sys.status().is_success() {
        return Err(bao.failed(&sys));
    }
    bao.probe("/auth/token/lookup-self").await
}

#[derive(Deserialize)]
struct Wrapped<T> {
    data: T,
}

#[derive(Deserialize)]
struct Metadata {
    #[serde(default)]
    current_version: u64,
}

#[derive(Deserialize)]
struct Versioned {
    #[serde(default)]
    data: Option<Map<String, Value>>,
}

#[derive(Deserialize)]
struct Keys {
    #[serde(default)]
    keys: Vec<String>,
}

pub async fn ensure(cx: &Cx<'_>, step: &str) -> Result<Made, StepError> {
    match step {
        "openbao.secrets" => {
            let packages = package_secrets(cx).await?;
            if packages.is_empty() {
                return Ok(Made::Nothing);
            }
            let config = &cx.config.openbao;
            let bao = client(cx.http, config)?;
            for (package, data) in &packages {
                let data_path = path(config, "data", &cx.instance.name, Some(package));
                let meta = path(config, "metadata", &cx.instance.name, Some(package));
                write(&bao, &data_path, &meta, data).await?;
            }
            Ok(Made::Resource(Produced::new(&instance_path(
                config,
                &cx.instance.name,
            ))))
        }
        other => Err(StepError::Permanent(format!("unknown step {other}"))),
    }
}

/// The request's package secrets, opened, by package and field.
async fn package_secrets(cx: &Cx<'_>) -> Result<BTreeMap<String, Map<String, Value>>, StepError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT package_id, field, sealed FROM request_secrets WHERE request_id = $1
         ORDER BY package_id, field",
    )
    .bind(&cx.instance.request_id)
    .fetch_all(cx.db.pool())
    .await
    .map_err(|_| StepError::transient("the database is unavailable"))?;
    if rows.is_empty() {
        return Ok(BTreeMap::new());
    }
    let keyring = Keyring::from_config(cx.secrets)
        .ok()
        .flatten()
        .ok_or_else(|| {
            StepError::Permanent(
                "secret storage is not configured, so the secrets cannot be opened".into(),
            )
        })?;
    let mut packages: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    for (package, field, sealed) in rows {
        let purpose = secret_purpose(&package, &field);
        let binding = Binding {
            organization_id: &cx.instance.organization_id,
            request_id: &cx.instance.request_id,
            purpose: &purpose,
        };
        let value = secrets::open(cx.db, &keyring, binding, &sealed)
            .await
            .map_err(|_| {
                StepError::Permanent(format!(
                    "the stored secret {package}.{field} cannot be opened with the configured keys"
                ))
            })?;
        packages
            .entry(package)
            .or_default()
            .insert(field, Value::String(value.expose_secret().to_owned()));
    }
    Ok(packages)
}

/// Writes `data` at `path` unless it is already there, with check-and-set against the
/// version the metadata names; a concurrent writer's version is read again once.
async fn write(
    bao: &Upstream<'_>,
    path: &str,
    meta: &str,
    data: &Map<String, Value>,
) -> Result<(), StepError> {
    for _ in 0..2 {
        let found = bao.get(meta).await?;
        let version = match found.status().as_u16() {
            200 => {
                bao.read::<Wrapped<Metadata>>(found)
                    .await?
                    .data
                    .current_version
            }
            404 => 0,
            _ => return Err(bao.failed(&found)),
        };
        if version > 0 {
            let current = bao.get(path).await?;
            // 404 here is a soft-deleted latest version: write over it.
            if current.status().is_success() {
                let current: Wrapped<Versioned> = bao.read(current).await?;
                if current.data.data.as_ref() == Some(data) {
                    return Ok(());
                }
            } else if current.status().as_u16() != 404 {
                return Err(bao.failed(&current));
            }
        }
        let body = serde_json::json!({ "options": { "cas": version }, "data": data });
        let written = bao
            .send(bao.request(Method::POST, path).json(&body))
            .await?;
        match written.status().as_u16() {
            200 | 204 => return Ok(()),
            // Check-and-set mismatch: someone wrote meanwhile; look again.
            400 => continue,
            _ => return Err(bao.failed(&written)),
        }
    }
    Err(StepError::transient(
        "OpenBao's secret kept changing under the write (check-and-set mismatch)",
    ))
}

pub async fn teardown(cx: &Cx<'_>, step: &str) -> Result<(), StepError> {
    match step {
        "openbao.secrets.remove" => {
            let config = &cx.config.openbao;
            let bao = client(cx.http, config)?;
            let folder = path(config, "metadata", &cx.instance.name, None);
            let listed = bao
                .send(bao.request(Method::GET, &folder).query(&[("list", "true")]))
                .await?;
            let keys = match listed.status().as_u16() {
                200 => bao.read::<Wrapped<Keys>>(listed).await?.data.keys,
                404 => Vec::new(),
                _ => return Err(bao.failed(&listed)),
            };
            for key in keys.iter().filter(|k| !k.ends_with('/')) {
                let meta = path(config, "metadata", &cx.instance.name, Some(key));
                let deleted = bao.send(bao.request(Method::DELETE, &meta)).await?;
                if !matches!(deleted.status().as_u16(), 200 | 204 | 404) {
                    return Err(bao.failed(&deleted));
                }
            }
            cx.forget("openbao.secrets").await
        }
        other => Err(StepError::Permanent(format!("unknown step {other}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(mount: &str) -> OpenBaoConfig {
        OpenBaoConfig {
            enabled: true,
            url: "http://bao".into(),
            token_env: None,
            token_file: None,
            mount: mount.into(),
            namespace: None,
        }
    }

    #[test]
    fn paths_follow_the_kv_v2_layout() {
        let c = config("secret");
        assert_eq!(
            instance_path(&c, "acme-1a2b"),
            "secret/data/tenants/acme-1a2b"
        );
        assert_eq!(
            path(&c, "metadata", "acme-1a2b", Some("n8n")),
            "/secret/metadata/tenants/acme-1a2b/n8n"
        );
        assert_eq!(
            path(&config("/kv/team a/"), "data", "x", None),
            "/kv/team%20a/data/tenants/x"
        );
    }
}
