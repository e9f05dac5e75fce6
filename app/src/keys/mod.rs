//! API keys (SPEC §2, §3.9): minted by an organization's owners and admins for AI agents and
//! scripts, pinned to that organization, acting for the member who made them within their
//! scopes (`read`, or `read write`).
//!
//! - [`token`]: the `tny_…` format with its CRC-32 checksum; only its SHA-256 is stored.
//! - [`repo`]: the keys as stored; minting, listing, revoking, rerolling.
//! - [`verify`]: the bearer check of `/api/v1` and `/mcp`, with an in-process cache that
//!   every process drops within a second of a change that can end a key's access.
//! - [`manage`]: the keys panel's server functions; [`page`]: the panel itself.

pub mod manage;
pub mod page;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod token;
#[cfg(feature = "ssr")]
pub mod verify;

use serde::{Deserialize, Serialize};

crate::text_enum! {
    /// What a key may do: read, or read and write.
    pub enum Scopes {
        Read = "read",
        ReadWrite = "read write",
    }
}

impl Scopes {
    /// Whether the key may change things (create instance requests).
    pub fn writes(self) -> bool {
        self == Scopes::ReadWrite
    }
}

/// One key as the panel lists it (never its token or hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyView {
    pub id: String,
    pub name: String,
    /// `tny_` + the first 4 and the last 4 of the rest.
    pub display_prefix: String,
    pub scopes: Scopes,
    pub expires_at: Option<i64>,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    /// After a reroll: the previous token works until then.
    pub previous_until: Option<i64>,
}

impl KeyView {
    /// Whether the key still opens the API at `now` (not revoked, not expired).
    pub fn is_active(&self, now: i64) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|at| at > now)
    }
}

/// The keys panel's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeysPanel {
    pub org_slug: String,
    pub org_name: String,
    /// Owners and admins mint, revoke and reroll; members and viewers read the list.
    pub can_manage: bool,
    pub keys: Vec<KeyView>,
    /// The portal's public URL, for the "connect your agent" snippets.
    pub base_url: String,
    /// When the list was read (milliseconds), to tell expired keys apart.
    pub now: i64,
}

/// A token just minted or rerolled: shown once, never again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Minted {
    pub key: KeyView,
    pub token: String,
}
