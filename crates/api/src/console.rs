//! The console's own contract: staff signing in, their session, and the shop's staff.
//! Everything else the console shows comes through the admin API, the same as for a
//! machine with the shop's key.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// What a person may do in a shop's console. An API key may do what an owner may.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// Settings, staff and keys, and the daily work.
    Owner,
    /// The daily work: orders, returns, reviews, answers, slots.
    Staff,
}

/// Signing in to a shop's console.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// The shop's slug.
    pub shop: String,
    pub email: String,
    pub password: String,
}

/// Someone who works for the shop. The password never leaves the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StaffMember {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: StaffRole,
    /// Whether they have set a password (until then only their one-time link works).
    pub password_set: bool,
    /// RFC 3339.
    pub created_at: String,
}

/// The shop a session works in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ConsoleShop {
    pub slug: String,
    pub name: String,
}

/// A signed-in session (its token travels only in an HttpOnly cookie).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ConsoleSession {
    pub shop: ConsoleShop,
    pub staff: StaffMember,
    /// Every change made with this session sends it back in the `X-CSRF-Token` header.
    pub csrf_token: String,
    /// RFC 3339: when the session ends on its own.
    pub expires_at: String,
}

/// Adding someone to the shop's staff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewStaff {
    pub email: String,
    pub name: String,
    pub role: StaffRole,
}

/// A one-time link that lets a person set their password (a new member, or a reset).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PasswordLink {
    pub staff: StaffMember,
    /// Opens the console's "set your password" page; works once.
    pub link: String,
    /// RFC 3339.
    pub expires_at: String,
}

/// Setting a password with a one-time link's token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    pub token: String,
    /// 10 to 200 characters.
    pub password: String,
}
