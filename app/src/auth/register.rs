use crate::error::AppError;
use leptos::prelude::*;

/// Creates an account: a user, their company or personal organization and the owner
/// membership, sends the link that proves the address, and signs them in (to the "confirm
/// your email" page only, until the link is opened). Open to anyone, rate-limited per
/// client address.
#[server(prefix = "/fn", endpoint = "auth/register")]
pub async fn register(
    kind: String,
    company_name: Option<String>,
    given_name: String,
    family_name: String,
    email: String,
    password: String,
    language: String,
) -> Result<(), AppError> {
    use crate::{
        auth::{
            caller::Caller, password, rate_limit, session, set_cookie, users::NewUser,
            validate::Checker,
        },
        i18n::Lang,
        orgs::{
            OrgKind,
            repo::{self, NewOrganization},
        },
    };
    let caller = Caller::current()?;

    let mut check = Checker::default();
    let kind = check.choice("kind", OrgKind::parse(&kind));
    let company_name = match kind {
        Some(OrgKind::Company) => check.text(
            "company_name",
            company_name.as_deref().unwrap_or(""),
            2,
            100,
        ),
        _ => String::new(),
    };
    let given_name = check.text("given_name", &given_name, 1, 100);
    let family_name = check.text("family_name", &family_name, 1, 100);
    let email = check.email("email", &email);
    check.password("password", &password, 10, 256);
    let language = check.choice(
        "language",
        Lang::parse(&language).filter(|l| caller.state.config.languages.contains(l)),
    );
    check.finish()?;
    let (Some(kind), Some(language)) = (kind, language) else {
        return Err(AppError::BadRequest);
    };

    let limit = caller.state.config.rate_limits.registrations_per_hour;
    if !rate_limit::admit(
        caller.db(),
        rate_limit::REGISTER,
        &caller.limit_subject(),
        limit,
        3_600_000,
    )
    .await?
    {
        return Err(AppError::RateLimited {
            retry_after_secs: 3600,
        });
    }

    let user = NewUser {
        email: &email,
        given_name: &given_name,
        family_name: &family_name,
        language,
        password_hash: Some(password::hash(password).await?),
        email_verified: false,
    };
    let person = user.display_name();
    let org = NewOrganization {
        kind,
        display_name: match kind {
            OrgKind::Company => &company_name,
            OrgKind::Personal => &person,
        },
    };
    let account = repo::register_account(
        caller.db(),
        &caller.state.config,
        &user,
        &org,
        &caller.actor,
    )
    .await?;
    caller.state.outbox.wake();
    let token = session::create(
        caller.db(),
        &caller.state.config,
        &account.user_id,
        caller.client_addr(),
        caller.user_agent.as_deref(),
    )
    .await?;
    set_cookie(&session::cookie(&caller.state.config, &token))?;
    // Signed in, but only to the page that asks to open the link just sent.
    leptos_axum::redirect("/confirm-email");
    Ok(())
}
