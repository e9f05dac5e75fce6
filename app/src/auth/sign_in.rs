use crate::error::AppError;
use leptos::prelude::*;

/// Signs in with email and password and starts a new session; open to anyone. Failures say
/// only "email or password is wrong" and are rate-limited per account and per address.
/// `next` (a path on this site) is where the browser lands afterwards.
#[server(prefix = "/fn", endpoint = "auth/sign_in")]
pub async fn sign_in(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::{
        audit::{self, Event, Outcome},
        auth::{
            caller::Caller, password as pw, rate_limit, safe_next, session, set_cookie, users,
            validate::Checker,
        },
    };
    let caller = Caller::current()?;
    let mut check = Checker::default();
    let email = check.text("email", &email, 1, 254).to_lowercase();
    check.password("password", &password, 1, 256);
    check.finish()?;

    let limits = &caller.state.config.rate_limits;
    let window =
        i64::try_from(limits.sign_in_window_minutes.saturating_mul(60_000)).unwrap_or(i64::MAX);
    let db = caller.db();
    // Each attempt is recorded as a failure before the slow password check (and forgotten
    // again if it succeeds), so parallel guesses cannot all pass the count first.
    let account_attempt = rate_limit::claim(
        db,
        rate_limit::SIGN_IN_ACCOUNT,
        &email,
        limits.sign_in_failures_per_account,
        window,
    )
    .await?;
    let address_attempt = rate_limit::claim(
        db,
        rate_limit::SIGN_IN_ADDRESS,
        &caller.limit_subject(),
        limits.sign_in_failures_per_address,
        window,
    )
    .await?;
    let (Some(account_attempt), Some(address_attempt)) =
        (account_attempt.clone(), address_attempt.clone())
    else {
        // One row per refused subject and window, counting the attempts: a flood of
        // refused guesses does not become a flood of audit rows.
        let subject = match account_attempt {
            None => format!("account:{email}"),
            Some(_) => format!("address:{}", caller.limit_subject()),
        };
        for id in [account_attempt, address_attempt].into_iter().flatten() {
            rate_limit::forget(db, &id).await?;
        }
        audit::record_aggregated(
            db.pool(),
            Event::new("auth.sign_in", &caller.actor)
                .target(&email)
                .outcome(Outcome::Denied, "rate_limited"),
            &subject,
            window,
        )
        .await?;
        return Err(AppError::RateLimited {
            retry_after_secs: limits.sign_in_window_minutes.saturating_mul(60),
        });
    };

    let account = users::credentials(db, &email).await?;
    let (user_id, stored, suspended, email_verified) = match account {
        Some(a) => (
            Some(a.user_id),
            a.password_hash,
            a.suspended,
            a.email_verified,
        ),
        None => (None, None, false, false),
    };
    // Not a wrong password: a correct one for a suspended account, or no hashing slot free.
    let not_a_failure = async || -> Result<(), AppError> {
        rate_limit::forget(db, &account_attempt).await?;
        rate_limit::forget(db, &address_attempt).await
    };
    let verified = match pw::verify(password, stored).await {
        Ok(verified) => verified,
        Err(err) => {
            not_a_failure().await?;
            return Err(err);
        }
    };
    let Some(user_id) = user_id.filter(|_| verified) else {
        // The attempts recorded above stay: they are this failure.
        audit::record(
            db.pool(),
            Event::new("auth.sign_in", &caller.actor)
                .target(&email)
                .outcome(Outcome::Failure, "invalid_credentials"),
        )
        .await?;
        return Err(AppError::InvalidCredentials);
    };
    if suspended {
        not_a_failure().await?;
        audit::record(
            db.pool(),
            Event::new("auth.sign_in", &caller.actor.as_user(&user_id))
                .outcome(Outcome::Denied, "suspended"),
        )
        .await?;
        return Err(AppError::AccountSuspended);
    }
    rate_limit::clear(db, rate_limit::SIGN_IN_ACCOUNT, &email).await?;
    rate_limit::forget(db, &address_attempt).await?;
    // A fresh token at every sign-in: any session id planted before sign-in is worthless.
    let token = session::create(
        db,
        &caller.state.config,
        &user_id,
        caller.client_addr(),
        caller.user_agent.as_deref(),
    )
    .await?;
    audit::record(
        db.pool(),
        Event::new("auth.sign_in", &caller.actor.as_user(&user_id)),
    )
    .await?;
    set_cookie(&session::cookie(&caller.state.config, &token))?;
    if !email_verified {
        leptos_axum::redirect("/confirm-email");
        return Ok(());
    }
    leptos_axum::redirect(&safe_next(next.as_deref()).unwrap_or_else(|| "/dashboard".into()));
    Ok(())
}
