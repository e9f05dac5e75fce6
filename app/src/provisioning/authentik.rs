//! The Authentik driver (DRIVERS.md §7): one group per organization, named
//! `{group_prefix}{slug}` and carrying the attributes `tenantry_org_id` and
//! `tenantry_slug`, with every member of the organization who has an Authentik account.
//!
//! The group is found by its stored pk, then by its attributes, and only then created. A
//! taken name (Authentik answers 400 `{"name":[…]}`) is adopted only when that group's
//! attributes name this organization: someone else's group of the same name is an error.

use super::{
    Cx, Made, Produced, StepError,
    upstream::{Scheme, Upstream, segment},
};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

const SYSTEM: &str = "Authentik";

pub fn client<'a>(
    http: &'a reqwest::Client,
    config: &crate::config::AuthentikConfig,
) -> Result<Upstream<'a>, StepError> {
    Upstream::new(
        http,
        SYSTEM,
        &config.url,
        "/api/v3",
        config.token(),
        Scheme::Bearer,
    )
}

/// The token's own user answers: the URL and the token work.
pub async fn health(authentik: &Upstream<'_>) -> Result<(), StepError> {
    authentik.probe("/core/users/me/").await
}

#[derive(Deserialize)]
struct Page<T> {
    #[serde(default = "Vec::new")]
    results: Vec<T>,
}

#[derive(Deserialize)]
struct Group {
    pk: String,
    #[serde(default)]
    attributes: Value,
}

#[derive(Deserialize)]
struct User {
    pk: i64,
    #[serde(default)]
    email: String,
}

/// Whether `group` carries the attributes of the organization `organization_id`.
fn ours(group: &Group, organization_id: &str) -> bool {
    group
        .attributes
        .get("tenantry_org_id")
        .and_then(Value::as_str)
        == Some(organization_id)
}

pub async fn ensure(cx: &Cx<'_>, step: &str) -> Result<Made, StepError> {
    let authentik = client(cx.http, &cx.config.authentik)?;
    match step {
        "authentik.group" => ensure_group(&authentik, cx).await.map(Made::Resource),
        "authentik.members" => {
            let group = cx
                .resource("authentik.group")
                .await?
                .ok_or_else(|| StepError::transient("the Authentik group is not recorded yet"))?;
            let emails = cx.member_emails(false).await?;
            ensure_members(&authentik, &group, &emails).await
        }
        other => Err(StepError::Permanent(format!("unknown step {other}"))),
    }
}

/// The organization's group: by stored pk, else by attributes, else made.
async fn find_group(authentik: &Upstream<'_>, cx: &Cx<'_>) -> Result<Option<Group>, StepError> {
    let organization_id = &cx.instance.organization_id;
    if let Some(pk) = cx.org_resource("authentik.group").await? {
        let found = authentik
            .get(&format!("/core/groups/{}/", segment(&pk)))
            .await?;
        match found.status().as_u16() {
            200 => {
                let group: Group = authentik.read(found).await?;
                if !ours(&group, organization_id) {
                    return Err(StepError::Permanent(format!(
                        "the Authentik group {pk} no longer carries this organization's attributes; it is left alone"
                    )));
                }
                return Ok(Some(group));
            }
            404 => {}
            _ => return Err(authentik.failed(&found)),
        }
    }
    let filter = json!({ "tenantry_org_id": organization_id }).to_string();
    let found = authentik
        .send(
            authentik
                .request(Method::GET, "/core/groups/")
                .query(&[("attributes", filter.as_str()), ("include_users", "false")]),
        )
        .await?;
    let page: Page<Group> = authentik.success(found).await?;
    Ok(page.results.into_iter().find(|g| ours(g, organization_id)))
}

async fn ensure_group(authentik: &Upstream<'_>, cx: &Cx<'_>) -> Result<Produced, StepError> {
    if let Some(group) = find_group(authentik, cx).await? {
        return Ok(Produced::new(&group.pk));
    }
    let name = format!("{}{}", cx.config.authentik.group_prefix, cx.instance.slug);
    let body = json!({
        "name": name,
        "is_superuser": false,
        "attributes": {
            "tenantry_org_id": cx.instance.organization_id,
            "tenantry_slug": cx.instance.slug,
        },
    });
    let created = authentik
        .send(authentik.request(Method::POST, "/core/groups/").json(&body))
        .await?;
    match created.status().as_u16() {
        200 | 201 => {
            let group: Group = authentik.read(created).await?;
            Ok(Produced::new(&group.pk))
        }
        // The name is taken: ours only when the attributes say so.
        400 => {
            let found = authentik
                .send(
                    authentik
                        .request(Method::GET, "/core/groups/")
                        .query(&[("name", name.as_str()), ("include_users", "false")]),
                )
                .await?;
            let page: Page<Group> = authentik.success(found).await?;
            match page.results.into_iter().next() {
                Some(group) if ours(&group, &cx.instance.organization_id) => {
                    Ok(Produced::new(&group.pk))
                }
                Some(_) => Err(StepError::Permanent(format!(
                    "the Authentik group name {name} is taken by a group Tenantry did not create"
                ))),
                None => Err(StepError::Permanent(format!(
                    "Authentik refused the group {name} (HTTP 400)"
                ))),
            }
        }
        _ => Err(authentik.failed(&created)),
    }
}

/// Adds every member with an Authentik account to the group; nothing to do (skipped) when
/// none has one.
async fn ensure_members(
    authentik: &Upstream<'_>,
    group: &str,
    emails: &[String],
) -> Result<Made, StepError> {
    let mut added = Vec::new();
    for email in emails {
        let found = authentik
            .send(
                authentik
                    .request(Method::GET, "/core/users/")
                    .query(&[("email", email.as_str())]),
            )
            .await?;
        let page: Page<User> = authentik.success(found).await?;
        let Some(user) = page
            .results
            .into_iter()
            .find(|u| u.email.eq_ignore_ascii_case(email))
        else {
            continue;
        };
        let path = format!("/core/groups/{}/add_user/", segment(group));
        let put = authentik
            .send(
                authentik
                    .request(Method::POST, &path)
                    .json(&json!({ "pk": user.pk })),
            )
            .await?;
        match put.status().as_u16() {
            200 | 204 => added.push(user.pk),
            404 => {
                return Err(StepError::transient(
                    "the Authentik group is gone; the next run makes it again",
                ));
            }
            _ => return Err(authentik.failed(&put)),
        }
    }
    if added.is_empty() {
        return Ok(Made::Nothing);
    }
    added.sort_unstable();
    let ids: Vec<String> = added.iter().map(i64::to_string).collect();
    Ok(Made::Resource(Produced::new(&ids.join(","))))
}

pub async fn teardown(cx: &Cx<'_>, step: &str) -> Result<(), StepError> {
    match step {
        "authentik.group.remove" => {
            // The group is the organization's: it goes with its last instance.
            if !cx.shared().await? {
                let authentik = client(cx.http, &cx.config.authentik)?;
                if let Some(group) = find_group(&authentik, cx).await? {
                    let path = format!("/core/groups/{}/", segment(&group.pk));
                    let deleted = authentik
                        .send(authentik.request(Method::DELETE, &path))
                        .await?;
                    if !matches!(deleted.status().as_u16(), 200 | 204 | 404) {
                        return Err(authentik.failed(&deleted));
                    }
                }
            }
            cx.forget("authentik.members").await?;
            cx.forget("authentik.group").await
        }
        other => Err(StepError::Permanent(format!("unknown step {other}"))),
    }
}
