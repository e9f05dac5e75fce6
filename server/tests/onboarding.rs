//! The onboarding journey through the real server functions on both databases: the
//! wizard's defaults and checks, submission with a sealed secret, the staff's email, the
//! request detail without secret values, approval and rejection seen live on the
//! dashboard's event stream, the requester's emails, and the notification outbox's
//! retries when the mail server is down.
// Test code: a failed unwrap is a failed test (the workspace denies them outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use app::{config::Config, mail::outbox};
use common::{TestApp, expect_error, peers::Mailbox};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::Row;
use std::time::Duration;

both_backends! {
    owner_onboards_and_watches_the_decision with [
        "smtp" => "loopback",
        "secrets" => {"kek": "8j3lCx7x3bNMeDYra1AwgQeCeUhbxm85pMlm1WF5Xjk="},
        "live_poll_ms" => 200,
        "live_recheck_ms" => 200,
    ],
    who_may_submit_and_watch with [
        "secrets" => {"kek": "8j3lCx7x3bNMeDYra1AwgQeCeUhbxm85pMlm1WF5Xjk="},
        "live_poll_ms" => 200,
        "live_recheck_ms" => 200,
    ],
    undeliverable_notifications_are_retried with [
        "smtp" => {"host": "127.0.0.1", "port": 1, "tls": "none", "timeout_seconds": 2},
        "notifications" => {"poll_seconds": 3600, "retry_base_seconds": 1, "max_attempts": 2},
    ],
}

const TOKEN: &str = "7712345678:AAE-telegram-secret-value";

/// The wizard's form, as the browser posts it.
fn wizard_form(slug: &str, agent: &str, token: &str) -> Vec<(String, String)> {
    [
        ("slug", slug),
        ("draft[instance_label]", "Support Bot"),
        ("draft[agent_name]", agent),
        ("draft[soul_md]", "# Soul\n\nKind and precise."),
        ("draft[agents_md]", "# Agents\n\n- help"),
        ("draft[packages][]", "telegram"),
        ("draft[packages][]", "git"),
        ("draft[secrets][telegram.bot_token]", token),
        // Sent by a browser without script for a package not chosen: ignored.
        ("draft[secrets][discord.bot_token]", ""),
        ("draft[billing_company]", "Acme GmbH"),
        ("draft[billing_street]", "Main 1"),
        ("draft[billing_postal_code]", "8000"),
        ("draft[billing_city]", "Zürich"),
        ("draft[billing_country]", "Switzerland"),
        ("draft[billing_notes]", ""),
        ("draft[contact_name]", "Jo Tester"),
        ("draft[contact_email]", "jo@acme.example"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

async fn post(
    app: &TestApp,
    endpoint: &str,
    form: &[(String, String)],
    cookie: Option<&str>,
) -> reqwest::Response {
    let client = reqwest::Client::new();
    let mut req = client
        .post(app.url(&format!("/fn/{endpoint}")))
        .header(reqwest::header::ACCEPT, "application/json")
        .form(form);
    if let Some(cookie) = cookie {
        req = req.header(reqwest::header::COOKIE, cookie);
    }
    req.send().await.unwrap()
}

/// A company registered through the API; returns its slug and the owner's cookie.
async fn company(app: &TestApp, name: &str, email: &str) -> (String, String) {
    let res = app.register_company(name, email).await;
    company_of(app, res, name).await
}

/// [`company`] while the mail relay is down: the confirmation email cannot arrive, so the
/// address is taken as proven (this is about other emails).
async fn company_without_mail(app: &TestApp, name: &str, email: &str) -> (String, String) {
    let res = app.register_company_unconfirmed(name, email).await;
    app.assume_proven(email).await;
    company_of(app, res, name).await
}

async fn company_of(app: &TestApp, res: reqwest::Response, name: &str) -> (String, String) {
    assert_eq!(res.status(), StatusCode::OK);
    let set_cookie = common::session_set_cookie(&res).unwrap();
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let slug: String = sqlx::query("SELECT slug FROM organizations WHERE display_name = $1")
        .bind(name)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
        .get("slug");
    (slug, cookie)
}

/// The dashboard's event stream, read event by event.
struct Events {
    res: reqwest::Response,
    buf: String,
}

impl Events {
    async fn open(
        app: &TestApp,
        slug: &str,
        cookie: Option<&str>,
    ) -> Result<Events, reqwest::Response> {
        let mut req = reqwest::Client::new().get(app.url(&format!("/events?org={slug}")));
        if let Some(cookie) = cookie {
            req = req.header(reqwest::header::COOKIE, cookie);
        }
        let res = req.send().await.unwrap();
        if res.status() != StatusCode::OK {
            return Err(res);
        }
        assert_eq!(
            res.headers()[reqwest::header::CONTENT_TYPE],
            "text/event-stream"
        );
        Ok(Events {
            res,
            buf: String::new(),
        })
    }

    /// The next event's data as JSON; `None` when the stream ended. Fails after 10 s.
    async fn next(&mut self) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let data: String = block
                    .lines()
                    .filter_map(|l| l.strip_prefix("data:"))
                    .map(str::trim)
                    .collect();
                if data.is_empty() {
                    continue; // a keep-alive comment
                }
                return Some(serde_json::from_str(&data).unwrap());
            }
            let chunk = tokio::time::timeout_at(deadline, self.res.chunk())
                .await
                .expect("no event within 10 s")
                .unwrap()?;
            self.buf.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }

    /// Reads events until one has `kind` and `status`.
    async fn until(&mut self, kind: &str, status: &str) -> Value {
        self.until_all(&[(kind, status)]).await.remove(0)
    }

    /// Reads events until each (kind, status) was seen, in any order (one change can
    /// bring several events at once).
    async fn until_all(&mut self, wanted: &[(&str, &str)]) -> Vec<Value> {
        let mut found: Vec<Option<Value>> = vec![None; wanted.len()];
        while found.iter().any(Option::is_none) {
            let event = self.next().await.expect("stream ended");
            for (slot, (kind, status)) in found.iter_mut().zip(wanted) {
                if slot.is_none() && event["kind"] == *kind && event["status"] == *status {
                    *slot = Some(event.clone());
                }
            }
        }
        found.into_iter().flatten().collect()
    }
}

async fn owner_onboards_and_watches_the_decision(app: &TestApp) {
    let mailbox = app.mailbox.as_ref().unwrap();
    let (_, admin) = app
        .staff("platform_admin", "admin@platform.example", "de")
        .await;
    app.staff("platform_operator", "ops@platform.example", "fr")
        .await;
    let (slug, owner) = company(app, "Acme GmbH", "jo@acme.example").await;

    // The wizard's starting point names the organization and prefills billing and contact.
    let ctx: Value = post(
        app,
        "requests/wizard",
        &[("slug".into(), slug.clone())],
        Some(&owner),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(ctx["can_submit"], true);
    assert!(
        ctx["draft"]["soul_md"]
            .as_str()
            .unwrap()
            .contains("Acme GmbH")
    );
    assert!(
        ctx["draft"]["agents_md"]
            .as_str()
            .unwrap()
            .contains("Acme GmbH")
    );
    assert_eq!(ctx["draft"]["billing_company"], "Acme GmbH");
    assert_eq!(ctx["draft"]["contact_email"], "jo@acme.example");
    assert!(ctx["catalog"]["packages"].as_array().unwrap().len() >= 3);

    // Bad input: every problem named, nothing stored.
    let mut bad = wizard_form(&slug, &"x".repeat(51), "tiny-secret");
    bad.push(("draft[packages][]".into(), "no-such-package".into()));
    let res = post(app, "requests/submit", &bad, Some(&owner)).await;
    let body = expect_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    let fields: Vec<&str> = body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for field in ["agent_name", "packages", "secret.telegram.bot_token"] {
        assert!(fields.contains(&field), "{field} missing in {fields:?}");
    }
    assert!(
        !body.to_string().contains("tiny-secret"),
        "the secret is not echoed"
    );
    assert_eq!(app.count("instance_requests").await, 0);

    // The dashboard is open before the request exists.
    let mut events = Events::open(app, &slug, Some(&owner)).await.unwrap();
    assert_eq!(events.next().await.unwrap()["kind"], "ready");

    let res = post(
        app,
        "requests/submit",
        &wizard_form(&slug, "Ada", TOKEN),
        Some(&owner),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let id: String = res.json().await.unwrap();
    let pending = events.until("request", "pending").await;
    assert_eq!(pending["id"], id.as_str());

    // Stored: the secret sealed, the packages in catalog order.
    let row = sqlx::query(
        "SELECT packages, status, billing_company FROM instance_requests WHERE id = $1",
    )
    .bind(&id)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(row.get::<String, _>("packages"), r#"["telegram","git"]"#);
    assert_eq!(row.get::<String, _>("status"), "pending");
    let sealed: Vec<(String, String)> =
        sqlx::query("SELECT package_id, sealed FROM request_secrets WHERE request_id = $1")
            .bind(&id)
            .fetch_all(app.db.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get("package_id"), r.get("sealed")))
            .collect();
    assert_eq!(sealed.len(), 1, "only the chosen package's secret is kept");
    assert_eq!(sealed[0].0, "telegram");
    assert!(!sealed[0].1.contains("telegram-secret"));

    // Every staff member is told, in their language, with organization and label.
    let de = mailbox.wait_for("admin@platform.example", 1).await;
    assert!(
        de.subject.contains("Acme GmbH") && de.subject.contains("Support Bot"),
        "{}",
        de.subject
    );
    assert!(
        de.subject.starts_with("Neue Instanz-Anfrage"),
        "{}",
        de.subject
    );
    assert!(
        de.text
            .contains(&format!("{}/platform/requests/{id}", app.base))
    );
    let fr = mailbox.wait_for("ops@platform.example", 1).await;
    assert!(fr.subject.starts_with("Nouvelle demande"), "{}", fr.subject);

    // Staff read everything but the secret's value.
    let res = post(
        app,
        "admin/requests/get",
        &[("id".into(), id.clone())],
        Some(&admin),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    assert!(!text.contains("telegram-secret"), "{text}");
    let detail: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        detail["secrets"],
        serde_json::json!([{"package": "telegram", "field": "bot_token"}])
    );
    assert_eq!(detail["agent_name"], "Ada");
    assert_eq!(detail["billing_city"], "Zürich");
    // The page renders it for staff without script, and never the value.
    let html = reqwest::Client::new()
        .get(app.url(&format!("/platform/requests/{id}")))
        .header(reqwest::header::COOKIE, &admin)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("telegram · bot_token"));
    assert!(!html.contains("telegram-secret"));

    // Rejection: the note reaches the dashboard and the requester's inbox (English).
    let note = "Please use your company address.";
    let res = post(
        app,
        "admin/requests/reject",
        &[("id".into(), id.clone()), ("note".into(), note.into())],
        Some(&admin),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    events.until("request", "rejected").await;
    let overview: Value = post(
        app,
        "orgs/overview",
        &[("slug".into(), slug.clone())],
        Some(&owner),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(overview["requests"][0]["status"], "rejected");
    assert_eq!(overview["requests"][0]["admin_note"], note);
    assert_eq!(overview["can_create"], true);
    // The first email to Jo was the confirmation link.
    let rejected = mailbox.wait_for("jo@acme.example", 2).await;
    assert!(
        rejected.subject.contains("was not approved"),
        "{}",
        rejected.subject
    );
    assert!(rejected.text.contains(note));

    // Re-approval: the instance appears live, and the requester is told its name.
    let res = post(
        app,
        "admin/requests/approve",
        &[("id".into(), id.clone())],
        Some(&admin),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let name: String = res.json().await.unwrap();
    assert_eq!(name, format!("acme-gmbh-{}", &id[..8]));
    // The engine provisions it (no driver is enabled here, so every step is skipped) and
    // the open stream follows it to Ready.
    events
        .until_all(&[("request", "active"), ("instance", "Ready")])
        .await;
    let overview: Value = post(
        app,
        "orgs/overview",
        &[("slug".into(), slug.clone())],
        Some(&owner),
    )
    .await
    .json()
    .await
    .unwrap();
    let instance = &overview["instances"][0];
    assert_eq!(instance["name"], name.as_str());
    assert_eq!(instance["display_name"], "Support Bot");
    assert_eq!(instance["phase"], "Ready");
    assert_eq!(instance["packages"][0]["id"], "telegram");
    assert_eq!(instance["packages"][0]["name"]["de"], "Telegram");
    mailbox.wait_for("jo@acme.example", 3).await;
    let approved = mailbox
        .messages()
        .into_iter()
        .find(|m| m.to == "jo@acme.example" && m.subject.contains("was approved"))
        .unwrap();
    assert!(approved.text.contains(&name));
    assert!(approved.text.contains(&format!("{}/orgs/{slug}", app.base)));
    // Every queued email went out.
    let statuses: Vec<String> = sqlx::query("SELECT status FROM mail_outbox")
        .fetch_all(app.db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("status"))
        .collect();
    // The confirmation link, the staff notice in two languages, rejection and approval.
    assert_eq!(statuses.len(), 5);
    for _ in 0..50 {
        let sent: i64 = sqlx::query("SELECT COUNT(*) AS n FROM mail_outbox WHERE status = 'sent'")
            .fetch_one(app.db.pool())
            .await
            .unwrap()
            .get("n");
        if sent == 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Billing for the next request comes from the approved one.
    let ctx: Value = post(
        app,
        "requests/wizard",
        &[("slug".into(), slug.clone())],
        Some(&owner),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(ctx["draft"]["billing_city"], "Zürich");
    assert_eq!(ctx["draft"]["billing_street"], "Main 1");

    // Signing out ends the stream.
    sqlx::query("DELETE FROM sessions WHERE user_id IN (SELECT user_id FROM memberships)")
        .execute(app.db.pool())
        .await
        .unwrap();
    while let Some(event) = events.next().await {
        assert_ne!(event["kind"], "ready", "the stream must end, not restart");
    }
}

async fn who_may_submit_and_watch(app: &TestApp) {
    let (slug, owner) = company(app, "Acme GmbH", "jo@acme.example").await;
    let (other, other_owner) = company(app, "Beta AG", "bo@beta.example").await;
    let (_, member) = app.add_member(&slug, "Mia", "member").await;
    let (_, admin_role) = app.add_member(&slug, "Ari", "admin").await;
    let (_, operator) = app
        .staff("platform_operator", "ops@platform.example", "en")
        .await;
    let form = wizard_form(&slug, "Ada", TOKEN);

    // Members and admins learn whom to ask; their submissions are refused.
    for cookie in [&member, &admin_role] {
        let ctx: Value = post(
            app,
            "requests/wizard",
            &[("slug".into(), slug.clone())],
            Some(cookie),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(ctx["can_submit"], false);
        assert_eq!(ctx["owners"], serde_json::json!(["Jo Tester"]));
        let res = post(app, "requests/submit", &form, Some(cookie)).await;
        expect_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    }
    // Another organization's owner and strangers do not learn the organization exists.
    let res = post(app, "requests/submit", &form, Some(&other_owner)).await;
    expect_error(res, StatusCode::NOT_FOUND, "not_found").await;
    let res = post(app, "requests/submit", &form, None).await;
    expect_error(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    assert_eq!(app.count("instance_requests").await, 0);
    // The page tells a member to ask an owner, without script.
    let html = reqwest::Client::new()
        .get(app.url(&format!("/orgs/{slug}/new-instance")))
        .header(reqwest::header::COOKIE, &member)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-test=\"ask-owner\""));
    assert!(html.contains("Jo Tester"));
    // The owner's page has the whole form, every step, posting to the server function.
    let html = reqwest::Client::new()
        .get(app.url(&format!("/orgs/{slug}/new-instance")))
        .header(reqwest::header::COOKIE, &owner)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("action=\"/fn/requests/submit\""));
    for step in 0..6 {
        assert!(
            html.contains(&format!("data-test=\"step-{step}\"")),
            "step {step}"
        );
    }
    assert!(html.contains("name=\"draft[secrets][telegram.bot_token]\""));

    // Platform staff may submit for a customer.
    let res = post(app, "requests/submit", &form, Some(&operator)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let dashboard = post(
        app,
        "orgs/overview",
        &[("slug".into(), slug.clone())],
        Some(&member),
    )
    .await;
    let dashboard: Value = dashboard.json().await.unwrap();
    assert_eq!(
        dashboard["can_create"], false,
        "members may not start the wizard"
    );
    assert_eq!(dashboard["requests"].as_array().unwrap().len(), 1);

    // Staff-only server functions refuse customers.
    let id = dashboard["requests"][0]["id"].as_str().unwrap().to_owned();
    let res = post(
        app,
        "admin/requests/get",
        &[("id".into(), id.clone())],
        Some(&owner),
    )
    .await;
    expect_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let res = post(
        app,
        "admin/requests/get",
        &[("id".into(), "nope".into())],
        Some(&operator),
    )
    .await;
    expect_error(res, StatusCode::NOT_FOUND, "not_found").await;

    // The event stream: sign-in required, members only, and only this organization's events.
    let denied = Events::open(app, &slug, None).await.err().unwrap();
    expect_error(denied, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    let denied = Events::open(app, &slug, Some(&other_owner))
        .await
        .err()
        .unwrap();
    expect_error(denied, StatusCode::NOT_FOUND, "not_found").await;
    let denied = Events::open(app, "no-such-org", Some(&owner))
        .await
        .err()
        .unwrap();
    expect_error(denied, StatusCode::NOT_FOUND, "not_found").await;
    let mut beta = Events::open(app, &other, Some(&other_owner)).await.unwrap();
    assert_eq!(beta.next().await.unwrap()["kind"], "ready");
    let mut acme = Events::open(app, &slug, Some(&member)).await.unwrap();
    assert_eq!(acme.next().await.unwrap()["kind"], "ready");
    let res = post(app, "requests/submit", &form, Some(&owner)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let second: String = res.json().await.unwrap();
    assert_eq!(
        acme.until("request", "pending").await["id"],
        second.as_str()
    );
    // Beta's stream stays quiet: nothing but keep-alives within two polls.
    let quiet = tokio::time::timeout(Duration::from_millis(800), beta.next()).await;
    assert!(
        quiet.is_err(),
        "another organization's event leaked: {quiet:?}"
    );

    // Removing the member ends their stream at the next look.
    sqlx::query(
        "DELETE FROM memberships WHERE user_id = (SELECT user_id FROM sessions WHERE id_hash = $1)",
    )
    .bind(app::auth::session::hash_token(
        member.trim_start_matches("tenantry_session="),
    ))
    .execute(app.db.pool())
    .await
    .unwrap();
    let res = post(
        app,
        "admin/requests/reject",
        &[("id".into(), second), ("note".into(), "no".into())],
        Some(&operator),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        acme.next().await,
        None,
        "the stream ends once the membership is gone"
    );
}

async fn undeliverable_notifications_are_retried(app: &TestApp) {
    let (_, admin) = app
        .staff("platform_admin", "admin@platform.example", "en")
        .await;
    let (slug, owner) = company_without_mail(app, "Acme GmbH", "jo@acme.example").await;
    let mut form = wizard_form(&slug, "Ada", "");
    form.retain(|(k, v)| !(k == "draft[packages][]" && v == "telegram"));
    let res = post(app, "requests/submit", &form, Some(&owner)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let id: String = res.json().await.unwrap();
    // The mail server is down: the decision still goes through.
    let res = post(
        app,
        "admin/requests/approve",
        &[("id".into(), id.clone())],
        Some(&admin),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);

    let outbox_rows = || async {
        sqlx::query(
            "SELECT to_email, status, attempts, last_error FROM mail_outbox ORDER BY to_email",
        )
        .fetch_all(app.db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.get::<String, _>("to_email"),
                r.get::<String, _>("status"),
                r.get::<i64, _>("attempts"),
                r.get::<Option<String>, _>("last_error"),
            )
        })
        .collect::<Vec<_>>()
    };
    // The worker woke on each change and failed; wait for both first attempts.
    for _ in 0..100 {
        if outbox_rows().await.iter().all(|r| r.2 >= 1) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let rows = outbox_rows().await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    for (_, status, attempts, error) in &rows {
        assert_eq!((status.as_str(), *attempts), ("pending", 1), "{rows:?}");
        assert!(error.as_deref().unwrap().starts_with("SMTP"), "{error:?}");
    }

    // The relay is back: the next round after the backoff delivers both.
    let dir = std::env::temp_dir().join(format!("tenantry-outbox-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let mailbox = Mailbox::start(&dir).await.unwrap();
    let mut config: Config = (*app.config).clone();
    config.smtp.port = mailbox.port;
    let mut sent = 0;
    for _ in 0..30 {
        let round = outbox::deliver_due(&app.db, &config).await.unwrap();
        assert_eq!(round.failed, 0);
        sent += round.sent;
        if sent == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(sent, 2);
    mailbox.wait_for("admin@platform.example", 1).await;
    let approved = mailbox.wait_for("jo@acme.example", 1).await;
    assert!(approved.subject.contains("was approved"));
    assert!(
        outbox_rows()
            .await
            .iter()
            .all(|r| r.1 == "sent" && r.3.is_none())
    );

    // After `max_attempts` failures an email is marked failed and left alone.
    let res = post(app, "requests/submit", &form, Some(&owner)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let failed = || async {
        sqlx::query("SELECT COUNT(*) AS n FROM mail_outbox WHERE status = 'failed'")
            .fetch_one(app.db.pool())
            .await
            .unwrap()
            .get::<i64, _>("n")
    };
    for _ in 0..50 {
        sqlx::query("UPDATE mail_outbox SET next_attempt_at = 0 WHERE status = 'pending'")
            .execute(app.db.pool())
            .await
            .unwrap();
        outbox::deliver_due(&app.db, &app.config).await.unwrap();
        if failed().await == 1 {
            break;
        }
    }
    assert_eq!(failed().await, 1);
    let round = outbox::deliver_due(&app.db, &config).await.unwrap();
    assert_eq!(round.sent, 0, "a failed email is not retried");
}
