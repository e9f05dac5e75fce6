use crate::error::AppError;
use leptos::prelude::*;

/// Grants (`platform_admin`, `platform_operator`) or revokes (empty) a platform role;
/// platform admins only. The last platform admin cannot give up the role.
#[server(prefix = "/fn", endpoint = "platform/users/set_role")]
pub async fn set_platform_role(user_id: String, role: String) -> Result<(), AppError> {
    use crate::{
        auth::{PlatformRole, principal::request_context},
        error::Problem,
        state::app_state,
    };
    let state = app_state()?;
    let ctx = request_context()?;
    let admin = ctx.principal.require_platform_admin()?;
    let role = match role.as_str() {
        "" | "none" => None,
        other => Some(
            PlatformRole::parse(other)
                .ok_or_else(|| AppError::field("role", Problem::InvalidChoice))?,
        ),
    };
    super::repo::set_role(&state.db, &admin.user_id, &user_id, role, &ctx.client_addr).await
}
