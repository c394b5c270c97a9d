//! Tracking feeds: the sources a shop points at postpurchase, and what a feed's send did.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// What one send of a tracking feed did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FeedResult {
    /// Updates taken in.
    pub recorded: u32,
    /// Updates known already (a replay): nothing changed.
    pub known: u32,
    /// Updates of parcels this shop has not registered: left alone.
    pub unknown_parcels: u32,
}

/// Admin API: a source's signing secret, as the source shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FeedSecret {
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 200))]
    pub secret: String,
}

/// Admin API: a tracking source, whether the shop has set its secret, and the address to
/// paste into the source's webhook settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FeedSource {
    /// `sendcloud`, `aftership`, `dhl` or `easypost`.
    pub source: String,
    pub configured: bool,
    pub url: String,
}
