use crate::error::AppError;
use leptos::prelude::*;

/// Grants (`platform_admin`, `platform_operator`) or revokes (empty) a platform role;
/// platform admins only. The last platform admin cannot give up the role.
#[server(prefix = "/fn", endpoint = "platform/users/set_role")]
pub async fn set_platform_role(user_id: String, role: String) -> Result<(), AppError> {
    use crate::{
        auth::{PlatformRole, caller::Caller},
        error::Problem,
    };
    let caller = Caller::current()?;
    let admin = caller.platform_admin()?;
    let role = match role.as_str() {
        "" | "none" => None,
        other => Some(
            PlatformRole::parse(other)
                .ok_or_else(|| AppError::field("role", Problem::InvalidChoice))?,
        ),
    };
    super::repo::set_role(caller.db(), &admin, &user_id, role).await
}
