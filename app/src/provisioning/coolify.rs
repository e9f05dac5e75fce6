//! The Coolify driver (DRIVERS.md §3): one project per organization and, in it, one
//! service per instance, named `{slug}-{app}-{hex8}` (`app` is the configured service
//! type, `hex8` the instance's request digits, so two instances of one organization never
//! share a name).
//!
//! Coolify allows duplicate names and has no name filter, so names identify nothing: the
//! stored uuid does, then our marker in the description. `GET /projects/{uuid}` answers
//! 500 for a missing uuid, so existence is checked in the list. A project is deleted only
//! once it holds nothing (Coolify answers 400 otherwise).

use super::{
    Cx, Made, Produced, StepError,
    upstream::{Scheme, Upstream, segment},
};
use reqwest::Method;
use serde::Deserialize;

const SYSTEM: &str = "Coolify";

fn org_marker(organization_id: &str) -> String {
    format!("tenantry-org:{organization_id}")
}

fn instance_marker(instance_id: &str) -> String {
    format!("tenantry-instance:{instance_id}")
}

pub fn client<'a>(
    http: &'a reqwest::Client,
    config: &crate::config::CoolifyConfig,
) -> Result<Upstream<'a>, StepError> {
    Upstream::new(
        http,
        SYSTEM,
        &config.url,
        "/api/v1",
        config.token(),
        Scheme::Bearer,
    )
}

/// `/version` needs a valid token (and API access switched on).
pub async fn health(coolify: &Upstream<'_>) -> Result<(), StepError> {
    coolify.probe("/version").await
}

/// A project or a service as the lists show them.
#[derive(Deserialize)]
struct Listed {
    #[serde(default)]
    id: i64,
    uuid: String,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
struct Created {
    uuid: String,
}

/// The service name of the instance: `{slug}-{app}-{hex8}`.
pub fn service_name(slug: &str, app: &str, instance_name: &str) -> String {
    let hex8 = instance_name.rsplit('-').next().unwrap_or(instance_name);
    format!("{slug}-{app}-{hex8}")
}

/// The entry of `list` that is ours: the stored uuid, else the oldest with the marker.
fn find<'l>(list: &'l [Listed], stored: Option<&str>, marker: &str) -> Option<&'l Listed> {
    stored
        .and_then(|uuid| list.iter().find(|p| p.uuid == uuid))
        .or_else(|| {
            list.iter()
                .filter(|p| p.description.as_deref().is_some_and(|d| d.contains(marker)))
                .min_by_key(|p| p.id)
        })
}

async fn list(coolify: &Upstream<'_>, what: &str) -> Result<Vec<Listed>, StepError> {
    coolify.success(coolify.get(what).await?).await
}

pub async fn ensure(cx: &Cx<'_>, step: &str) -> Result<Made, StepError> {
    let coolify = client(cx.http, &cx.config.coolify)?;
    match step {
        "coolify.project" => ensure_project(&coolify, cx).await.map(Made::Resource),
        "coolify.service" => ensure_service(&coolify, cx).await.map(Made::Resource),
        other => Err(StepError::Permanent(format!("unknown step {other}"))),
    }
}

async fn ensure_project(coolify: &Upstream<'_>, cx: &Cx<'_>) -> Result<Produced, StepError> {
    let marker = org_marker(&cx.instance.organization_id);
    let stored = cx.org_resource("coolify.project").await?;
    let projects = list(coolify, "/projects").await?;
    if let Some(found) = find(&projects, stored.as_deref(), &marker) {
        // Duplicates of ours (a create whose answer was lost, then retried) go.
        for duplicate in projects.iter().filter(|p| {
            p.uuid != found.uuid
                && p.description
                    .as_deref()
                    .is_some_and(|d| d.contains(&marker))
        }) {
            let path = format!("/projects/{}", segment(&duplicate.uuid));
            coolify.send(coolify.request(Method::DELETE, &path)).await?;
        }
        return Ok(Produced::new(&found.uuid));
    }
    let body = serde_json::json!({
        "name": cx.instance.slug,
        "description": format!("{} (managed by Tenantry, {marker})", cx.instance.organization_name),
    });
    let created = coolify
        .send(coolify.request(Method::POST, "/projects").json(&body))
        .await?;
    let created: Created = coolify.success(created).await?;
    Ok(Produced::new(&created.uuid))
}

async fn ensure_service(coolify: &Upstream<'_>, cx: &Cx<'_>) -> Result<Produced, StepError> {
    let config = &cx.config.coolify;
    let project = cx
        .resource("coolify.project")
        .await?
        .ok_or_else(|| StepError::transient("the Coolify project is not recorded yet"))?;
    let marker = instance_marker(&cx.instance.instance_id);
    let stored = cx.resource("coolify.service").await?;
    let services = list(coolify, "/services").await?;
    if let Some(found) = find(&services, stored.as_deref(), &marker) {
        return Ok(Produced::new(&found.uuid));
    }
    let body = serde_json::json!({
        "type": config.service_type,
        "name": service_name(&cx.instance.slug, &config.service_type, &cx.instance.name),
        "description": format!("Tenantry instance {} ({marker})", cx.instance.name),
        "project_uuid": project,
        "server_uuid": config.server_uuid,
        "environment_name": config.environment_name,
        "instant_deploy": false,
    });
    let created = coolify
        .send(coolify.request(Method::POST, "/services").json(&body))
        .await?;
    match created.status().as_u16() {
        404 => Err(StepError::Permanent(
            "Coolify does not know the project or the server (HTTP 404); check provisioning.coolify.server_uuid"
                .into(),
        )),
        _ => {
            let created: Created = coolify.success(created).await?;
            Ok(Produced::new(&created.uuid))
        }
    }
}

pub async fn teardown(cx: &Cx<'_>, step: &str) -> Result<(), StepError> {
    match step {
        "coolify.service.remove" => {
            let coolify = client(cx.http, &cx.config.coolify)?;
            let stored = cx.resource("coolify.service").await?;
            let services = list(&coolify, "/services").await?;
            let marker = instance_marker(&cx.instance.instance_id);
            if let Some(found) = find(&services, stored.as_deref(), &marker) {
                let path = format!("/services/{}", segment(&found.uuid));
                let deleted = coolify.send(coolify.request(Method::DELETE, &path)).await?;
                if !matches!(deleted.status().as_u16(), 200 | 202 | 204 | 404) {
                    return Err(coolify.failed(&deleted));
                }
            }
            cx.forget("coolify.service").await
        }
        "coolify.project.remove" => {
            if cx.shared().await? {
                return cx.forget("coolify.project").await;
            }
            let coolify = client(cx.http, &cx.config.coolify)?;
            let stored = cx.org_resource("coolify.project").await?;
            let projects = list(&coolify, "/projects").await?;
            let marker = org_marker(&cx.instance.organization_id);
            if let Some(found) = find(&projects, stored.as_deref(), &marker) {
                let path = format!("/projects/{}", segment(&found.uuid));
                let deleted = coolify.send(coolify.request(Method::DELETE, &path)).await?;
                match deleted.status().as_u16() {
                    200 | 204 | 404 => {}
                    400 => {
                        return Err(StepError::Permanent(
                            "the Coolify project still holds resources; remove them, then retry"
                                .into(),
                        ));
                    }
                    _ => return Err(coolify.failed(&deleted)),
                }
            }
            cx.forget("coolify.project").await
        }
        other => Err(StepError::Permanent(format!("unknown step {other}"))),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn service_names_are_slug_app_and_the_instance_digits() {
        assert_eq!(
            super::service_name("acme", "n8n", "acme-gmbh-abc12345"),
            "acme-n8n-abc12345"
        );
        assert_eq!(
            super::service_name("p", "n8n", "p-0011aabb"),
            "p-n8n-0011aabb"
        );
    }
}
