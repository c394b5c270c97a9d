//! The events the shop's webhook receives about parcels, reviews, answers, referrals and
//! stalled orders: one flat `data` shape per event type, with the shopper's e-mail and
//! first name beside the facts, so an e-mail or SMS tool's flow can use the fields as
//! they come. Every event is signed like the others ([`crate::WebhookEvent`]); the
//! catalogue ([`CATALOGUE`]) names each type's schema in the OpenAPI document.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use crate::{DeliveredTo, Reward, ShipmentStatus};

/// Why the server, not the carrier, calls a parcel delayed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DelayReason {
    /// The carrier has said nothing for longer than the shop allows.
    NoNews,
    /// The end of the expected delivery window has passed.
    Late,
}

impl DelayReason {
    pub const ALL: [DelayReason; 2] = [DelayReason::NoNews, DelayReason::Late];

    pub fn as_str(self) -> &'static str {
        match self {
            DelayReason::NoNews => "no_news",
            DelayReason::Late => "late",
        }
    }

    pub fn parse(name: &str) -> Option<DelayReason> {
        DelayReason::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

/// Admin API: when a parcel or an order counts as held up. `PUT` replaces both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DelaySettings {
    /// Days without carrier news after which a moving parcel is `delayed` (`no_news`);
    /// 0 turns this off. Default 3.
    #[cfg_attr(feature = "openapi", schema(maximum = 30))]
    pub no_news_days: u32,
    /// Working days (Monday to Friday, in the shop's time zone) after the order's day
    /// within which a parcel should be with the carrier; after that the shop gets
    /// `order.stalled`. An order's own `dispatch_by` comes first. Default 2.
    #[cfg_attr(feature = "openapi", schema(maximum = 30))]
    pub dispatch_days: u32,
}

impl Default for DelaySettings {
    fn default() -> Self {
        DelaySettings {
            no_news_days: 3,
            dispatch_days: 2,
        }
    }
}

/// `shipment.status_changed`, `shipment.delivered` and `shipment.delayed`: a parcel's
/// status as it now stands, and what it was.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ShipmentNews {
    pub order_number: String,
    pub email: String,
    pub first_name: String,
    pub carrier: String,
    pub tracking_number: String,
    /// The carrier's tracking page, when the carrier is known.
    pub tracking_url: Option<String>,
    pub status: ShipmentStatus,
    pub previous_status: ShipmentStatus,
    /// Set when the server called it delayed; `null` when the carrier said so, or it is
    /// not delayed.
    pub delay_reason: Option<DelayReason>,
    /// The carrier's own code and words for its latest event.
    pub carrier_code: Option<String>,
    pub carrier_text: Option<String>,
    /// Once delivered: where it was left.
    pub delivered_to: Option<DeliveredTo>,
    /// The expected delivery window (RFC 3339, UTC), when known.
    pub estimated_from: Option<String>,
    pub estimated_to: Option<String>,
}

/// `review.created`: a shopper reviewed an item; it waits for the shop's moderation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReviewCreated {
    pub order_number: String,
    pub email: String,
    pub first_name: String,
    pub review_id: i64,
    pub sku: String,
    pub product_name: String,
    /// 1 to 5.
    pub stars: u8,
    pub title: String,
    pub body: String,
}

/// `survey.answered`: one answer of the short survey.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SurveyAnswered {
    pub order_number: String,
    pub email: String,
    pub first_name: String,
    /// `nps` (0–10, with `score` and `comment`) or `heard` (with `heard` and `heard_other`).
    pub question: String,
    pub score: Option<u8>,
    pub comment: Option<String>,
    pub heard: Option<String>,
    pub heard_other: Option<String>,
}

/// `referral.redeemed`: a new customer used a shopper's referral code; the referrer is
/// the one to reward.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReferralRedeemed {
    /// The referrer's order that brought the code.
    pub order_number: String,
    pub email: String,
    pub first_name: String,
    pub code: String,
    pub referrer_reward: Reward,
    pub friend_reward: Reward,
    /// The friend's order, when the shop named it.
    pub friend_order_number: Option<String>,
}

/// `order.stalled`: the order was not with a carrier by its dispatch day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OrderStalled {
    pub order_number: String,
    pub email: String,
    pub first_name: String,
    /// RFC 3339, UTC.
    pub placed_at: String,
    /// The shop's local date by which it should have been handed over.
    pub dispatch_by: String,
    /// Parcels registered for it, none yet scanned by a carrier.
    pub parcels: u32,
}

/// Every event type the shop's webhook receives: its `type`, the schema of its `data`
/// (a component of the OpenAPI document) and when it is sent.
pub const CATALOGUE: [(&str, &str, &str); 16] = [
    (
        "delivery_choice.changed",
        "ChoiceChanged",
        "A shopper set, changed or cleared how a parcel arrives.",
    ),
    (
        "return.created",
        "ReturnChanged",
        "A shopper started a return.",
    ),
    (
        "return.updated",
        "ReturnChanged",
        "The shop moved a return along (approved, rejected, received, refunded).",
    ),
    (
        "return.cancelled",
        "ReturnChanged",
        "A shopper cancelled a return.",
    ),
    (
        "shipment.status_changed",
        "ShipmentNews",
        "A parcel's status changed, by carrier news or because it is late or has had no news.",
    ),
    (
        "shipment.delivered",
        "ShipmentNews",
        "A parcel was delivered (also sent as shipment.status_changed).",
    ),
    (
        "shipment.delayed",
        "ShipmentNews",
        "A parcel became delayed, by the carrier's word or with a delay_reason (also sent as shipment.status_changed).",
    ),
    (
        "review.created",
        "ReviewCreated",
        "A shopper reviewed an item.",
    ),
    (
        "survey.answered",
        "SurveyAnswered",
        "A shopper answered the 0–10 question or said how they heard of the shop.",
    ),
    (
        "referral.redeemed",
        "ReferralRedeemed",
        "A new customer used a shopper's referral code.",
    ),
    (
        "order.stalled",
        "OrderStalled",
        "An order was not with a carrier by its dispatch day; sent once per order.",
    ),
    (
        "order.change_requested",
        "AdminChange",
        "A shopper asked to cancel an order or fix its address before it ships; answer it with POST /api/v1/admin/changes/{change}/decision.",
    ),
    (
        "order.change_decided",
        "AdminChange",
        "A change request was accepted or refused, or a parcel registered before the answer overtook it (status shipped).",
    ),
    (
        "reminder.due",
        "ReminderDue",
        "A shopper's re-order reminder came due and they want news by e-mail or SMS; sent once per reminder, for the shop's e-mail or SMS tool.",
    ),
    (
        "order.upgrade_requested",
        "AdminUpgrade",
        "A shopper asked for faster delivery before dispatch (a place for the day is taken); answer it with POST /api/v1/admin/upgrades/{id}/decision.",
    ),
    (
        "order.upgrade_decided",
        "AdminUpgrade",
        "An upgrade request was confirmed (the order is expected on its delivery_on) or refused (its place is free again), by the shop or by the order's cancellation.",
    ),
];
