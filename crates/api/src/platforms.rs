//! Orders in from shop platforms: what one send of a platform's webhook did.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use crate::OrderAccess;

/// What one send of a shop platform's webhook did to the order it names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PlatformResult {
    /// `created` (the order is new: `access` carries its first link), `updated` (a field
    /// that may change did), `unchanged` (the same order again, or a retry), `replayed`
    /// (this delivery was taken before) or `ignored` (a send that carries no order of
    /// ours: a ping, a topic we do not take, a fulfilment of an order we never got).
    pub outcome: String,
    /// The order's number as the shop prints it, when the send names one we hold.
    pub number: Option<String>,
    /// Parcels registered by this send (a fulfilment seen before adds none).
    pub parcels_added: u32,
    /// The widget tag's `data-shop`: the shop's slug.
    pub shop: String,
    /// On creation only: the token for the widget tag's `data-order` and the hosted
    /// order page. Tokens are kept hashed; another is minted through the admin API
    /// (`POST /api/v1/admin/orders/{number}/tokens`).
    pub access: Option<OrderAccess>,
}

/// Shopware's app registration: what postpurchase answers Shopware's registration
/// request with (its app base guide's "Registration"). `proof` shows postpurchase knows the
/// app's secret; `secret` is the shop secret Shopware signs this shop's webhooks and its
/// confirmation with; `confirmation_url` is where it confirms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ShopwareRegistration {
    pub proof: String,
    pub secret: String,
    pub confirmation_url: String,
}
