//! Invitations: owners and admins invite an email address with a role; the link in the
//! email works once, for an existing account (after sign-in) or a new one, until it expires.
//! Only the SHA-256 of the link's token is stored. Sending happens after the invitation is
//! committed, and its outcome is recorded on the invitation for the inviter to see.

mod accept;
mod manage;
pub mod page;
pub mod panel;
#[cfg(feature = "ssr")]
pub mod repo;

pub use accept::*;
pub use manage::*;

use super::Role;
use serde::{Deserialize, Serialize};

crate::text_enum! {
    /// Where the latest email for an invitation stands.
    pub enum Delivery {
        Sending = "sending",
        Sent = "sent",
        Failed = "failed",
    }
}

/// A pending invitation as owners and admins see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub id: String,
    pub email: String,
    pub role: Role,
    pub invited_by: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
    pub expires_at: i64,
    pub delivery: Delivery,
    /// Why the latest email was not delivered (never contains credentials).
    pub delivery_error: Option<String>,
}

/// The pending invitations of an organization, with what the caller may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitations {
    pub invitations: Vec<Invitation>,
    /// Roles the caller may invite with.
    pub grantable: Vec<Role>,
    pub expiry_days: u32,
    /// Server time, to mark expired invitations.
    pub now: i64,
}

/// What the invitation page shows about a link, before it is accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationPreview {
    pub organization: String,
    pub role: Role,
    pub email: String,
    pub inviter: Option<String>,
    /// An account with the invited address exists (it signs in to accept).
    pub account_exists: bool,
    /// The signed-in caller's email, if any.
    pub signed_in_as: Option<String>,
    /// OpenID Connect issuers to sign in with: (id, display name).
    pub issuers: Vec<(String, String)>,
}
