//! OpenID Connect sign-in against a real, certified provider (npm `oidc-provider`) on
//! loopback, on both databases: the whole redirect dance with a cookie-keeping client,
//! linking by verified email, and the refusals (state, nonce, reused code, unverified
//! email, unknown issuer), each ending without a session.
// Test code: a failed unwrap is a failed test (the workspace denies them outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{PASSWORD, TestApp};
use reqwest::{Client, StatusCode, header};
use sqlx::Row;

both_backends! {
    first_sign_in_creates_an_account_and_the_next_reuses_it with ["oidc" => "loopback"],
    verified_email_links_an_existing_account with ["oidc" => "loopback"],
    refusals_leave_no_session with ["oidc" => "loopback"],
    an_unproven_account_for_the_address_is_replaced with ["oidc" => "loopback"],
    platform_staff_are_never_linked with ["oidc" => "loopback"],
}

fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn location(res: &reqwest::Response, base: &str) -> String {
    let loc = res
        .headers()
        .get(header::LOCATION)
        .unwrap_or_else(|| panic!("a redirect, got {}", res.status()))
        .to_str()
        .unwrap();
    if loc.starts_with("http") {
        loc.to_owned()
    } else {
        format!("{base}{loc}")
    }
}

/// The `action` of the first form in an HTML page.
fn form_action(html: &str) -> String {
    let start = html.find("action=\"").expect("a form") + 8;
    let end = html[start..].find('"').unwrap() + start;
    html[start..end]
        .replace("&amp;", "&")
        .replace("&#x2F;", "/")
}

/// Follows redirects on the provider until a page (the login or consent form) answers;
/// returns the URL of the portal's callback instead when the provider sends us there.
async fn follow(
    client: &Client,
    mut url: String,
    app: &TestApp,
) -> Result<String, (String, String)> {
    loop {
        if url.starts_with(&app.base) {
            return Ok(url);
        }
        let res = client
            .get(&url)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        if res.status().is_redirection() {
            url = location(&res, app.oidc.as_ref().unwrap().issuer.as_str());
            continue;
        }
        assert_eq!(res.status(), StatusCode::OK, "{url}");
        let html = res.text().await.unwrap();
        return Err((url, html));
    }
}

/// Runs the provider side of a sign-in as `login` and returns the callback URL.
async fn provider_dance(client: &Client, app: &TestApp, start: &str, login: &str) -> String {
    let issuer = app.oidc.as_ref().unwrap().issuer.clone();
    let res = client.get(app.url(start)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let auth = location(&res, &app.base);
    assert!(auth.starts_with(&issuer), "{auth}");
    assert!(auth.contains("code_challenge_method=S256"), "PKCE: {auth}");
    assert!(auth.contains("nonce="), "nonce: {auth}");
    let mut url = auth;
    // The login form and the consent form, unless the provider remembers this browser.
    for _ in 0..4 {
        let html = match follow(client, url, app).await {
            Ok(callback) => return callback,
            Err((_, html)) => html,
        };
        let prompt = if html.contains("value=\"consent\"") {
            "consent"
        } else {
            "login"
        };
        let action = form_action(&html);
        let action = if action.starts_with("http") {
            action
        } else {
            format!("{issuer}{action}")
        };
        let res = client
            .post(&action)
            .form(&[
                ("prompt", prompt),
                ("login", login),
                ("password", "anything"),
            ])
            .send()
            .await
            .unwrap();
        url = location(&res, &issuer);
    }
    panic!("the provider did not send the browser back")
}

fn session_cookie(res: &reqwest::Response) -> bool {
    res.headers().get_all(header::SET_COOKIE).iter().any(|v| {
        v.to_str().unwrap().starts_with("tenantry_session=")
            && !v.to_str().unwrap().starts_with("tenantry_session=;")
    })
}

async fn me(client: &Client, app: &TestApp) -> serde_json::Value {
    client
        .post(app.url("/fn/auth/session"))
        .header(header::ACCEPT, "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn first_sign_in_creates_an_account_and_the_next_reuses_it(app: &TestApp) {
    let client = browser();
    let callback = provider_dance(&client, app, "/auth/oidc/test/start", "olga@idp.example").await;
    assert!(callback.contains("/auth/oidc/test/callback?"), "{callback}");
    let res = client.get(&callback).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res, ""), "/dashboard");
    assert!(session_cookie(&res));
    let session = me(&client, app).await;
    assert_eq!(session["user"]["email"], "olga@idp.example", "{session}");
    // A personal organization, named after the person, and the identity link.
    let orgs: Vec<(String, String)> = sqlx::query("SELECT kind, display_name FROM organizations")
        .fetch_all(app.db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get("kind"), r.get("display_name")))
        .collect();
    assert_eq!(
        orgs,
        vec![("personal".to_owned(), "Olga Provider".to_owned())]
    );
    assert_eq!(app.count("user_identities").await, 1);
    // Replaying the callback fails: the pending sign-in is gone.
    let replay = client.get(&callback).send().await.unwrap();
    assert_eq!(location(&replay, ""), "/signin?oidc_error=state");
    assert!(!session_cookie(&replay));

    // Second sign-in, landing where asked: same user, nothing new.
    let second = browser();
    let callback = provider_dance(
        &second,
        app,
        "/auth/oidc/test/start?next=/orgs",
        "olga@idp.example",
    )
    .await;
    let res = second.get(&callback).send().await.unwrap();
    assert_eq!(location(&res, ""), "/orgs");
    assert_eq!(app.count("users").await, 1);
    assert_eq!(app.count("organizations").await, 1);
    let actions = app.audit_actions().await;
    assert_eq!(
        actions
            .iter()
            .filter(|(a, o)| a == "auth.sign_in" && o == "success")
            .count(),
        2
    );
}

async fn verified_email_links_an_existing_account(app: &TestApp) {
    // On the way to an invitation, a new person gets no personal organization.
    let client = browser();
    let callback = provider_dance(
        &client,
        app,
        "/auth/oidc/test/start?next=/invite/some-token",
        "ivy@idp.example",
    )
    .await;
    let res = client.get(&callback).send().await.unwrap();
    assert_eq!(location(&res, ""), "/invite/some-token");
    assert_eq!(app.count("organizations").await, 0);
    sqlx::query("DELETE FROM users")
        .execute(app.db.pool())
        .await
        .unwrap();

    app.register_personal("Pia", "Password", "pia@idp.example")
        .await;
    let user_id: String = sqlx::query("SELECT id FROM users")
        .fetch_one(app.db.pool())
        .await
        .unwrap()
        .get("id");
    let client = browser();
    let callback = provider_dance(&client, app, "/auth/oidc/test/start", "pia@idp.example").await;
    let res = client.get(&callback).send().await.unwrap();
    assert!(session_cookie(&res));
    let linked: String = sqlx::query("SELECT user_id FROM user_identities")
        .fetch_one(app.db.pool())
        .await
        .unwrap()
        .get("user_id");
    assert_eq!(linked, user_id);
    assert_eq!(app.count("users").await, 1);
    // The password still works too.
    assert_eq!(
        app.sign_in("pia@idp.example", PASSWORD).await.status(),
        StatusCode::OK
    );

    // A suspended account is refused at the end of the dance.
    sqlx::query("UPDATE users SET status = 'suspended'")
        .execute(app.db.pool())
        .await
        .unwrap();
    let client = browser();
    let callback = provider_dance(&client, app, "/auth/oidc/test/start", "pia@idp.example").await;
    let res = client.get(&callback).send().await.unwrap();
    assert_eq!(location(&res, ""), "/signin?oidc_error=account_suspended");
    assert!(!session_cookie(&res));
}

async fn refusals_leave_no_session(app: &TestApp) {
    let sessions = app.count("sessions").await;

    // Unknown issuer.
    let res = browser()
        .get(app.url("/auth/oidc/nope/start"))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res, ""), "/signin?oidc_error=unknown_issuer");
    // A callback for an issuer nobody configured writes no audit row (its target would be
    // the sender's choice).
    let audit_rows = app.count("audit_events").await;
    let res = browser()
        .get(app.url("/auth/oidc/attacker-chosen-text/callback?state=x&code=y"))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res, ""), "/signin?oidc_error=unknown_issuer");
    assert_eq!(app.count("audit_events").await, audit_rows);

    // Unverified email: no account is created.
    let client = browser();
    let callback = provider_dance(
        &client,
        app,
        "/auth/oidc/test/start",
        "unverified@idp.example",
    )
    .await;
    let res = client.get(&callback).send().await.unwrap();
    assert_eq!(location(&res, ""), "/signin?oidc_error=email_unverified");
    assert!(!session_cookie(&res));
    assert_eq!(app.count("users").await, 0);

    // Wrong state: the callback's state is swapped for another.
    let client = browser();
    let callback = provider_dance(&client, app, "/auth/oidc/test/start", "sam@idp.example").await;
    let tampered = replace_param(&callback, "state", "forged-state");
    let res = client.get(&tampered).send().await.unwrap();
    assert_eq!(location(&res, ""), "/signin?oidc_error=state");

    // A callback from another browser (no pending-login cookie).
    let client = browser();
    let callback = provider_dance(&client, app, "/auth/oidc/test/start", "sam@idp.example").await;
    let res = browser().get(&callback).send().await.unwrap();
    assert_eq!(location(&res, ""), "/signin?oidc_error=state");

    // Wrong nonce: the ID token carries the nonce sent at start, the portal expects another.
    let client = browser();
    let callback = provider_dance(&client, app, "/auth/oidc/test/start", "sam@idp.example").await;
    sqlx::query("UPDATE oidc_logins SET nonce = 'not-the-nonce-we-sent'")
        .execute(app.db.pool())
        .await
        .unwrap();
    let res = client.get(&callback).send().await.unwrap();
    assert_eq!(location(&res, ""), "/signin?oidc_error=token");

    // A used code is refused by the provider: run a full sign-in, then start a new one and
    // present the first (spent) code with the new state.
    let client = browser();
    let first = provider_dance(&client, app, "/auth/oidc/test/start", "sam@idp.example").await;
    let ok = client.get(&first).send().await.unwrap();
    assert!(session_cookie(&ok));
    let sessions_after_ok = app.count("sessions").await;
    let second = provider_dance(&client, app, "/auth/oidc/test/start", "sam@idp.example").await;
    let state = param(&second, "state");
    let spent = replace_param(&first, "state", &state);
    let res = client.get(&spent).send().await.unwrap();
    assert_eq!(location(&res, ""), "/signin?oidc_error=token");
    assert!(!session_cookie(&res));

    // The provider reports an error (the person cancelled).
    let client = browser();
    let res = client
        .get(app.url("/auth/oidc/test/start"))
        .send()
        .await
        .unwrap();
    let auth = location(&res, &app.base);
    let state = param(&auth, "state");
    let res = client
        .get(app.url(&format!(
            "/auth/oidc/test/callback?error=access_denied&state={state}"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res, ""), "/signin?oidc_error=denied");

    assert_eq!(app.count("sessions").await, sessions_after_ok);
    assert_eq!(
        sessions_after_ok,
        sessions + 1,
        "only the one good sign-in made a session"
    );
    // The sign-in page explains the refusal in the visitor's language.
    let page = Client::new()
        .get(app.url("/signin?oidc_error=state"))
        .header(header::ACCEPT_LANGUAGE, "de")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Bitte beginnen Sie erneut"),
        "localized reason on the page"
    );
    assert!(
        page.contains("Mit Loopback ID anmelden"),
        "the issuer button"
    );
}

fn param(url: &str, name: &str) -> String {
    let query = url.split_once('?').unwrap().1;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("{name} in {url}"))
        .to_owned()
}

fn replace_param(url: &str, name: &str, value: &str) -> String {
    let (path, query) = url.split_once('?').unwrap();
    let query: Vec<String> = query
        .split('&')
        .map(|pair| {
            if pair.starts_with(&format!("{name}=")) {
                format!("{name}={value}")
            } else {
                pair.to_owned()
            }
        })
        .collect();
    format!("{path}?{}", query.join("&"))
}

/// The pre-account takeover: someone registers the victim's address with a password first
/// and never confirms it. The victim's OpenID sign-in (the issuer vouches for the address)
/// replaces that account instead of joining it: the squatter's session, password and
/// organization are gone.
async fn an_unproven_account_for_the_address_is_replaced(app: &TestApp) {
    let squatter = &app.client;
    let res = app
        .register_company_unconfirmed("Squatter Inc", "victim@idp.example")
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // Signed in, but only to the confirmation page.
    common::expect_error(
        app.call("orgs/list_mine", &[]).await,
        StatusCode::FORBIDDEN,
        "email_unverified",
    )
    .await;

    let victim = browser();
    let callback =
        provider_dance(&victim, app, "/auth/oidc/test/start", "victim@idp.example").await;
    let res = victim.get(&callback).send().await.unwrap();
    assert_eq!(location(&res, ""), "/dashboard");
    assert!(session_cookie(&res));
    let session = me(&victim, app).await;
    assert_eq!(session["user"]["email"], "victim@idp.example", "{session}");

    // One account for the address, the victim's, with its own personal organization.
    assert_eq!(app.count("users").await, 1);
    let orgs: Vec<String> = sqlx::query("SELECT display_name FROM organizations")
        .fetch_all(app.db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("display_name"))
        .collect();
    assert_eq!(orgs, vec!["Victim Provider".to_owned()]);
    // The squatter's session ended and the password is gone with the account.
    let res = squatter
        .post(app.url("/fn/orgs/list_mine"))
        .header(header::ACCEPT, "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    common::expect_error(
        app.sign_in("victim@idp.example", PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    assert!(app.audit_actions().await.contains(&(
        "account.replace_unverified".to_owned(),
        "success".to_owned()
    )));
}

/// An account with a platform role is never linked to an OpenID identity by email, however
/// proven the address: that would hand platform powers to whoever controls the identity.
async fn platform_staff_are_never_linked(app: &TestApp) {
    app.staff("platform_admin", "root@idp.example", "en").await;
    let client = browser();
    let callback = provider_dance(&client, app, "/auth/oidc/test/start", "root@idp.example").await;
    let res = client.get(&callback).send().await.unwrap();
    assert_eq!(location(&res, ""), "/signin?oidc_error=link_refused");
    assert!(!session_cookie(&res));
    assert_eq!(app.count("user_identities").await, 0);
    assert_eq!(app.count("users").await, 1);
}
