//! Faster delivery: before dispatch the shop can offer an upgrade (next day, same day,
//! evening) with its price, its daily cut-off and a daily capacity that requests take
//! atomically, like delivery slots. The shopper asks for one (follow-up
//! [`crate::Module::Upgrade`], `…/orders/{token}/upgrade`); the shop hears it through a
//! signed webhook (`order.upgrade_requested`), confirms or refuses it through the admin API
//! (and may charge through its own payment link); once confirmed the order's expected
//! delivery is the upgrade's day.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// How much faster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UpgradeKind {
    /// Delivered the day after it is asked for (before the cut-off).
    NextDay,
    /// Delivered the day it is asked for (before the cut-off).
    SameDay,
    /// Delivered the evening of the day it is asked for (before the cut-off).
    Evening,
}

/// Admin API (`PUT /api/v1/admin/upgrade-settings`): the upgrades the shop offers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpgradeSettings {
    /// At most one offer per kind; none switches the upgrade off.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 3))]
    pub offers: Vec<UpgradeOffer>,
}

/// One upgrade the shop offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpgradeOffer {
    pub kind: UpgradeKind,
    /// Minor units of `currency`, 0 to 100,000.
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100_000))]
    pub price: i64,
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Z]{3}$"))]
    pub currency: String,
    /// `HH:MM` in the shop's time zone: asked for before it, the upgrade counts from today;
    /// after it, from tomorrow.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")
    )]
    pub cut_off: String,
    /// How many orders may have it per delivery day, 1 to 10,000.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 10_000))]
    pub daily_capacity: u32,
}

/// Shopper API (`GET …/upgrade`): what the shopper may ask for now, and their request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UpgradeView {
    /// Empty once a request waits or was confirmed, or when nothing can be asked any more
    /// (a parcel is registered, the order is cancelled).
    pub offers: Vec<UpgradeChoice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<UpgradeRequest>,
}

/// An upgrade as the shopper may ask for it now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UpgradeChoice {
    pub kind: UpgradeKind,
    pub price: i64,
    pub currency: String,
    /// `YYYY-MM-DD`: the day it would arrive, asked for now.
    pub delivery_on: String,
    /// When asking for that day closes (the cut-off, RFC 3339).
    pub order_by: String,
    /// Places left for that day; `0`: full (shown, not offered).
    pub left: u32,
}

/// Shopper API (`POST …/upgrade`): ask for an upgrade. Safe to retry with an
/// `Idempotency-Key`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewUpgrade {
    pub kind: UpgradeKind,
}

/// Where a request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UpgradeStatus {
    /// Waiting for the shop; its place for the day is taken.
    Requested,
    /// The shop confirmed it: the order arrives on `delivery_on`.
    Confirmed,
    /// The shop said no (its `message` may say why); the place is free again.
    Refused,
}

/// A request for an upgrade, as the shopper sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UpgradeRequest {
    pub kind: UpgradeKind,
    pub status: UpgradeStatus,
    pub price: i64,
    pub currency: String,
    /// `YYYY-MM-DD`.
    pub delivery_on: String,
    /// The shop's payment link for the upgrade, once confirmed, if it charges that way
    /// (https).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_url: Option<String>,
    /// What the shop said with its answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Admin API (`POST /api/v1/admin/upgrades/{id}/decision`): the shop's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpgradeDecision {
    pub confirm: bool,
    /// With `confirm`: the shop's payment link for the shopper (an https URL).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub pay_url: Option<String>,
    /// Shown to the shopper, plain text, 1 to 300 characters, not blank, no control
    /// character but line breaks and tabs.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 300, pattern = "\\S")
    )]
    pub message: Option<String>,
}

/// Admin API and webhooks `order.upgrade_requested`, `order.upgrade_decided`: a request with
/// its order and shopper.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AdminUpgrade {
    pub id: i64,
    pub order_number: String,
    pub first_name: String,
    pub email: String,
    /// RFC 3339.
    pub requested_at: String,
    #[serde(flatten)]
    pub request: UpgradeRequest,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::WebhookData;

    fn upgrade(status: UpgradeStatus) -> AdminUpgrade {
        AdminUpgrade {
            id: 7,
            order_number: "1001".into(),
            first_name: "Jane".into(),
            email: "jane@example.com".into(),
            requested_at: "2026-11-23T12:00:00Z".into(),
            request: UpgradeRequest {
                kind: UpgradeKind::Evening,
                status,
                price: 695,
                currency: "EUR".into(),
                delivery_on: "2026-11-23".into(),
                pay_url: (status == UpgradeStatus::Confirmed)
                    .then(|| "https://pay.example/u/7".into()),
                message: None,
            },
        }
    }

    #[test]
    fn an_upgrade_webhook_reads_back_as_itself() {
        for status in [
            UpgradeStatus::Requested,
            UpgradeStatus::Confirmed,
            UpgradeStatus::Refused,
        ] {
            let sent = WebhookData::Upgrade(Box::new(upgrade(status)));
            let json = serde_json::to_string(&sent).unwrap();
            assert!(json.contains("\"delivery_on\""), "flattened: {json}");
            let read: WebhookData = serde_json::from_str(&json).unwrap();
            assert_eq!(read, sent, "{json}");
        }
    }
}
