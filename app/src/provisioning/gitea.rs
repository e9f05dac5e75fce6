//! The Gitea driver (DRIVERS.md §2): one private organization per Tenantry organization,
//! and the organization's owners in its `Owners` team when Gitea has a user with their
//! email address.
//!
//! The organization is named after the slug and carries our marker in its description,
//! so a name that exists in Gitea is adopted only when the marker says it is ours. Gitea
//! answers 422 for a taken name (organizations and users share one namespace: a name a
//! user holds stays 404 as an organization) and 500, not 409, for deleting an organization
//! that still owns repositories; the teardown checks first and leaves such an organization
//! to a person.

use super::{
    Cx, Made, Produced, StepError,
    upstream::{Scheme, Upstream, segment},
};
use reqwest::Method;
use serde::Deserialize;

const SYSTEM: &str = "Gitea";

/// The description marker of the Tenantry organization `organization_id`.
pub fn marker(organization_id: &str) -> String {
    format!("tenantry-org:{organization_id}")
}

pub fn client<'a>(
    http: &'a reqwest::Client,
    config: &crate::config::GiteaConfig,
) -> Result<Upstream<'a>, StepError> {
    Upstream::new(
        http,
        SYSTEM,
        &config.url,
        "/api/v1",
        config.token(),
        Scheme::Token,
    )
}

/// The token's user answers: the URL and the token work.
pub async fn health(gitea: &Upstream<'_>) -> Result<(), StepError> {
    gitea.probe("/user").await
}

#[derive(Deserialize)]
struct Org {
    #[serde(default)]
    description: String,
}

#[derive(Deserialize)]
struct Team {
    id: i64,
    #[serde(default)]
    name: String,
    #[serde(default)]
    permission: String,
}

#[derive(Deserialize)]
struct Found {
    #[serde(default)]
    data: Vec<User>,
}

#[derive(Deserialize)]
struct User {
    login: String,
    #[serde(default)]
    email: String,
}

pub async fn ensure(cx: &Cx<'_>, step: &str) -> Result<Made, StepError> {
    let gitea = client(cx.http, &cx.config.gitea)?;
    match step {
        "gitea.org" => {
            // A name recorded by an earlier instance stays the name, even after a rename.
            let name = cx
                .org_resource("gitea.org")
                .await?
                .unwrap_or_else(|| cx.instance.slug.clone());
            ensure_org(&gitea, cx, &name).await.map(Made::Resource)
        }
        "gitea.owners" => {
            let org = cx.resource("gitea.org").await?.ok_or_else(|| {
                StepError::transient("the Gitea organization is not recorded yet")
            })?;
            let emails = cx.member_emails(true).await?;
            ensure_owners(&gitea, &org, &emails).await
        }
        other => Err(StepError::Permanent(format!("unknown step {other}"))),
    }
}

async fn ensure_org(gitea: &Upstream<'_>, cx: &Cx<'_>, name: &str) -> Result<Produced, StepError> {
    let ours = marker(&cx.instance.organization_id);
    let path = format!("/orgs/{}", segment(name));
    let taken = || {
        StepError::Permanent(format!(
            "the Gitea name {name} is taken by an organization Tenantry did not create"
        ))
    };
    let found = gitea.get(&path).await?;
    match found.status().as_u16() {
        200 => {
            let org: Org = gitea.read(found).await?;
            return if org.description.contains(&ours) {
                Ok(Produced::new(name))
            } else {
                Err(taken())
            };
        }
        404 => {}
        _ => return Err(gitea.failed(&found)),
    }
    let body = serde_json::json!({
        "username": name,
        "full_name": cx.instance.organization_name,
        "description": format!("Managed by Tenantry ({ours})"),
        "visibility": "private",
        "repo_admin_change_team_access": false,
    });
    let created = gitea
        .send(gitea.request(Method::POST, "/orgs").json(&body))
        .await?;
    match created.status().as_u16() {
        201 => Ok(Produced::new(name)),
        // Taken, reserved or malformed: look again; only our own marker is adopted.
        422 => {
            let again = gitea.get(&path).await?;
            match again.status().as_u16() {
                200 => {
                    let org: Org = gitea.read(again).await?;
                    if org.description.contains(&ours) {
                        Ok(Produced::new(name))
                    } else {
                        Err(taken())
                    }
                }
                404 => Err(StepError::Permanent(format!(
                    "Gitea refused the organization name {name}: a user holds it or it is reserved"
                ))),
                _ => Err(gitea.failed(&again)),
            }
        }
        _ => Err(gitea.failed(&created)),
    }
}

/// Puts every owner with a Gitea account in the `Owners` team; nothing to do (skipped)
/// when none has one.
async fn ensure_owners(
    gitea: &Upstream<'_>,
    org: &str,
    emails: &[String],
) -> Result<Made, StepError> {
    let teams: Vec<Team> = gitea
        .success(gitea.get(&format!("/orgs/{}/teams", segment(org))).await?)
        .await?;
    let owners = teams
        .iter()
        .find(|t| t.name == "Owners")
        .or_else(|| teams.iter().find(|t| t.permission == "owner"))
        .ok_or_else(|| {
            StepError::Permanent(format!("the Gitea organization {org} has no Owners team"))
        })?;
    let mut added = Vec::new();
    for email in emails {
        let found = gitea
            .send(
                gitea
                    .request(Method::GET, "/users/search")
                    .query(&[("q", email.as_str()), ("limit", "50")]),
            )
            .await?;
        let found: Found = gitea.success(found).await?;
        let Some(user) = found
            .data
            .into_iter()
            .find(|u| u.email.eq_ignore_ascii_case(email))
        else {
            continue;
        };
        let path = format!("/teams/{}/members/{}", owners.id, segment(&user.login));
        let put = gitea.send(gitea.request(Method::PUT, &path)).await?;
        match put.status().as_u16() {
            // Already a member is a no-op in Gitea.
            204 | 200 => added.push(user.login),
            _ => return Err(gitea.failed(&put)),
        }
    }
    if added.is_empty() {
        return Ok(Made::Nothing);
    }
    added.sort();
    Ok(Made::Resource(Produced::new(&added.join(","))))
}

pub async fn teardown(cx: &Cx<'_>, step: &str) -> Result<(), StepError> {
    match step {
        "gitea.org.remove" => {
            // The organization is shared: it goes with its last instance.
            if !cx.shared().await?
                && let Some(name) = cx.org_resource("gitea.org").await?
            {
                let gitea = client(cx.http, &cx.config.gitea)?;
                remove_org(&gitea, cx, &name).await?;
            }
            cx.forget("gitea.owners").await?;
            cx.forget("gitea.org").await
        }
        other => Err(StepError::Permanent(format!("unknown step {other}"))),
    }
}

async fn remove_org(gitea: &Upstream<'_>, cx: &Cx<'_>, name: &str) -> Result<(), StepError> {
    let path = format!("/orgs/{}", segment(name));
    let found = gitea.get(&path).await?;
    match found.status().as_u16() {
        404 => return Ok(()),
        200 => {
            let org: Org = gitea.read(found).await?;
            if !org
                .description
                .contains(&marker(&cx.instance.organization_id))
            {
                return Err(StepError::Permanent(format!(
                    "the Gitea organization {name} no longer carries Tenantry's marker; it is left alone"
                )));
            }
        }
        _ => return Err(gitea.failed(&found)),
    }
    let repos: Vec<serde_json::Value> = gitea
        .success(
            gitea
                .send(
                    gitea
                        .request(Method::GET, &format!("{path}/repos"))
                        .query(&[("limit", "1")]),
                )
                .await?,
        )
        .await?;
    if !repos.is_empty() {
        return Err(StepError::Permanent(format!(
            "the Gitea organization {name} still holds repositories; move or delete them, then retry"
        )));
    }
    let deleted = gitea.send(gitea.request(Method::DELETE, &path)).await?;
    match deleted.status().as_u16() {
        204 | 200 | 404 => Ok(()),
        // Not a transient fault: Gitea maps "still owns packages" to 500.
        500 => Err(StepError::Permanent(format!(
            "Gitea could not delete the organization {name} (HTTP 500); it may still own packages"
        ))),
        _ => Err(gitea.failed(&deleted)),
    }
}
