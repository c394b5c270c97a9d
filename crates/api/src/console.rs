//! What the console adds to the contract: staff signing in, their session and the shop's
//! staff; and the admin API's reads the console shows (orders, their records).
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
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 254, pattern = "^[^@\\s]+@[^.\\s][^\\s]*\\.[^\\s]*$")
    )]
    pub email: String,
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = "\\S")
    )]
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
    #[cfg_attr(feature = "openapi", schema(min_length = 10, max_length = 200))]
    pub password: String,
}

/// Admin API: one order in a list (search results).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OrderSummary {
    pub number: String,
    /// RFC 3339.
    pub placed_at: String,
    pub email: String,
    /// The customer's first and last name.
    pub name: String,
    pub total: i64,
    pub currency: String,
    pub stage: crate::OrderStage,
    /// Each parcel's status, in the order they were registered.
    pub parcels: Vec<crate::ShipmentStatus>,
}

/// Admin API: a page of orders, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OrderList {
    pub orders: Vec<OrderSummary>,
    /// How many orders match, on every page together.
    pub matching: u64,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

/// Admin API: the customer of an order, in full.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CustomerRecord {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
}

/// Admin API: where an order goes, in full.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AddressRecord {
    pub name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub country: String,
}

/// Admin API: a link (capability token) that opens an order. Only its hash is kept, so
/// the address itself is shown once, when the link is made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OrderLink {
    /// Names the link, to revoke it (the first bytes of its hash, in hex).
    pub id: String,
    /// RFC 3339.
    pub expires_at: String,
}

/// Admin API: the shopper's answers to the survey, for this order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OrderAnswers {
    pub nps: Option<u8>,
    pub nps_comment: Option<String>,
    /// When the 0–10 question was answered (RFC 3339).
    #[serde(default)]
    pub nps_answered_at: Option<String>,
    /// "How did you hear about us", as answered (the option, or the shopper's own words).
    pub heard: Option<String>,
}

/// Admin API: everything about one order, for the shop's staff.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OrderRecord {
    pub customer: CustomerRecord,
    pub delivery_address: AddressRecord,
    /// The order as its shopper sees it now: lines, totals, parcels with every event and
    /// the delivery choice.
    pub view: crate::OrderView,
    pub returns: Vec<crate::ReturnView>,
    pub reviews: Vec<crate::AdminReview>,
    /// The shopper's requests to cancel or fix the address, newest first.
    #[serde(default)]
    pub changes: Vec<crate::AdminChange>,
    /// When the shop said it started picking the order (RFC 3339): shoppers can no
    /// longer ask to change it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picking_started_at: Option<String>,
    pub answers: OrderAnswers,
    /// Links that still open the order.
    pub links: Vec<OrderLink>,
}

/// Admin API: a delivery slot as the shop sees it, with how many places are taken.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AdminSlot {
    pub id: i64,
    /// `YYYY-MM-DD`, the shop's local date.
    pub date: String,
    /// Local times `HH:MM`.
    pub from: String,
    pub to: String,
    pub price: Option<i64>,
    pub capacity: u32,
    pub taken: u32,
}

/// Admin API: a slot's new number of places (at least those already taken).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SlotCapacity {
    /// 1 to 100,000.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100000))]
    pub capacity: u32,
}

/// Admin API: a return in the shop's queue, with its order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AdminReturn {
    pub order_number: String,
    #[serde(rename = "return")]
    pub return_: crate::ReturnView,
}

/// Admin API: one webhook sent (or being sent) to the shop, without its body (which may
/// carry a shopper's data).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WebhookDeliveryView {
    pub id: i64,
    pub event_id: String,
    /// The event's type, e.g. `delivery_choice.changed`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `pending`, `delivered` or `failed` (given up after the last retry).
    pub state: String,
    pub attempts: u32,
    /// The HTTP status of the last attempt, if one was answered.
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}

/// Admin API: the exact origins (`https://host[:port]`; plain http only for this machine)
/// whose pages may run the widget: the shopper API answers their browsers' requests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AllowedOrigins {
    #[cfg_attr(feature = "openapi", schema(max_items = 20))]
    pub origins: Vec<String>,
}

/// Admin API: what installing the widget needs, filled in with the shop's own values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct InstallInfo {
    pub slug: String,
    /// The loader's address, for the tag's `src`.
    pub loader_url: String,
    /// Where shoppers' browsers reach the API (the hosted order page is under it).
    pub api_origin: String,
    /// The shop's own order page, the widget's fallback link.
    pub order_page: Option<String>,
    /// The origins the storefront may call the shopper API from.
    pub allowed_origins: Vec<String>,
    /// The page asked about (`?page=`): its origin, and whether it is allowed.
    pub checked: Option<OriginCheck>,
}

/// Whether a storefront page may run the widget against this server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OriginCheck {
    /// The page's origin; `null` when the address is not a web address.
    pub origin: Option<String>,
    pub allowed: bool,
}
