//! The JSON contract of postpurchase: every request and response body the widget, the
//! server and merchants exchange. Serde only, so the widget can share it at no cost; the
//! server enables `openapi` to publish it as an OpenAPI document.
//!
//! Money is always an integer count of the currency's minor unit (cents), dates are ISO
//! 8601 strings (`2026-11-23`), instants are RFC 3339 strings in UTC.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub mod after;
pub mod analytics;
pub mod changes;
pub mod console;
pub mod events;
pub mod feeds;
pub mod locales;
pub mod platforms;
pub mod upgrades;

pub use after::*;
pub use analytics::*;
pub use changes::*;
pub use console::*;
pub use events::*;
pub use feeds::*;
pub use platforms::*;
pub use upgrades::*;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The version prefix of every API path.
pub const API_PREFIX: &str = "/api/v1";

/// What the shopper's widget receives for an order reached by its capability token.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OrderView {
    /// The shop's own order number, as printed on its e-mails.
    pub number: String,
    /// When the order was placed (RFC 3339, UTC).
    pub placed_at: String,
    /// Where the order stands, derived from its shipments.
    pub stage: OrderStage,
    /// ISO 4217 currency code of every amount in this order.
    pub currency: String,
    pub customer: CustomerView,
    pub items: Vec<LineItemView>,
    pub totals: Totals,
    pub delivery_address: MaskedAddress,
    /// The delivery window promised at checkout, if the shop gave one.
    pub promised_delivery: Option<DateWindow>,
    /// When the order is now expected, from its parcels: the span of the windows of those
    /// still underway (a chosen slot or other day counts as its parcel's window). Absent
    /// before any parcel has an estimate (the promise above stands) and once none is
    /// underway.
    #[serde(default)]
    pub expected_delivery: Option<TimeWindow>,
    /// When the last parcel was delivered, once every parcel that was not cancelled has
    /// been (RFC 3339).
    #[serde(default)]
    pub delivered_at: Option<String>,
    pub shipments: Vec<ShipmentSummary>,
    /// What the shopper can choose for parcels not yet out for delivery; absent when the
    /// shop offers nothing or no parcel can be changed.
    #[serde(default)]
    pub delivery_options: Option<DeliveryOptions>,
    /// Cancelling the order or fixing its address before it ships: what the shopper may
    /// ask now and their latest request. Absent when they may ask nothing (the shop takes
    /// no changes, or it is too late) and have asked nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<OrderChanges>,
    pub shop: ShopContact,
    /// The follow-ups the shop runs, each with its own endpoints under the order's.
    #[serde(default)]
    pub modules: Vec<Module>,
    /// The widget reports its few anonymous events (`…/events`); the shop can switch it off.
    #[serde(default)]
    pub report_events: bool,
}

/// A follow-up a shop can switch on: what the widget offers after the purchase.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Module {
    /// `…/returns`: return items, follow and cancel returns.
    Returns,
    /// `…/reviews`: review delivered items.
    Reviews,
    /// `…/referral`: the shopper's code to share.
    Referral,
    /// `…/survey` and `…/preferences`: NPS, "how did you hear about us", shipping news.
    Survey,
    /// `…/loyalty`: points earned and the balance, a next-purchase voucher, "buy again".
    Loyalty,
    /// `…/care`: how to use and care for delivered items, re-order reminders.
    Care,
    /// `…/pairs`: what goes well with the items bought.
    Pairs,
    /// `…/unboxing`: the shop's thank-you and packaging notes, sharing the unboxing.
    Unboxing,
    /// `…/upgrade`: faster delivery (next day, same day, evening) before dispatch.
    Upgrade,
}

/// Where an order stands, from the shopper's point of view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderStage {
    /// Paid, nothing shipped yet.
    Processing,
    /// Some parcels are on their way, others are still being prepared.
    PartiallyShipped,
    /// Every parcel is on its way.
    Shipped,
    /// At least one parcel is out for delivery today.
    OutForDelivery,
    /// Every parcel has been delivered.
    Delivered,
    /// The order was cancelled.
    Cancelled,
    /// A parcel failed to be delivered or was damaged or lost: it needs the shopper's or
    /// the shop's attention before anything else.
    ActionNeeded,
    /// A parcel is on its way back to the shop (or arrived there).
    Returning,
    /// A parcel waits at a pickup point for the shopper to collect it.
    ReadyForPickup,
}

impl OrderStage {
    /// The snake_case name used on the wire, in CSS classes and translation keys.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStage::Processing => "processing",
            OrderStage::PartiallyShipped => "partially_shipped",
            OrderStage::Shipped => "shipped",
            OrderStage::OutForDelivery => "out_for_delivery",
            OrderStage::Delivered => "delivered",
            OrderStage::Cancelled => "cancelled",
            OrderStage::ActionNeeded => "action_needed",
            OrderStage::Returning => "returning",
            OrderStage::ReadyForPickup => "ready_for_pickup",
        }
    }

    /// Every stage: the usual path first, then the ones a parcel's trouble leads to.
    pub const ALL: [OrderStage; 9] = [
        OrderStage::Processing,
        OrderStage::PartiallyShipped,
        OrderStage::Shipped,
        OrderStage::OutForDelivery,
        OrderStage::Delivered,
        OrderStage::Cancelled,
        OrderStage::ActionNeeded,
        OrderStage::Returning,
        OrderStage::ReadyForPickup,
    ];
}

/// The shopper, with only what the page needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CustomerView {
    pub first_name: String,
    /// The e-mail address with most characters replaced by `*`.
    pub email_masked: String,
    /// True when this customer ordered from the shop before this order.
    pub returning: bool,
}

/// One line of the order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LineItemView {
    pub id: i64,
    pub name: String,
    /// Size, colour or other variant, as the shop names it.
    pub variant: Option<String>,
    pub quantity: u32,
    pub unit_price: i64,
    pub line_total: i64,
    /// Absolute https URL of a product image.
    pub image_url: Option<String>,
}

/// The order's amounts in minor units.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Totals {
    pub subtotal: i64,
    pub shipping: i64,
    pub discount: i64,
    pub tax: i64,
    pub total: i64,
}

/// A delivery address that shows enough to recognise it and no more.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MaskedAddress {
    pub name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    /// ISO 3166-1 alpha-2 country code.
    pub country: String,
}

/// An inclusive range of calendar dates (`YYYY-MM-DD`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DateWindow {
    pub earliest: String,
    pub latest: String,
}

/// A parcel of the order: where it is, what is in it and how the shopper wants it delivered.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ShipmentSummary {
    /// Names the parcel in the shopper's delivery-choice address.
    #[serde(default)]
    pub id: i64,
    pub carrier: String,
    /// The carrier's name as shoppers know it (`PostNL` for `postnl`).
    #[serde(default)]
    pub carrier_name: String,
    pub tracking_number: String,
    /// The carrier's own tracking page for this parcel, when the carrier is known.
    #[serde(default)]
    pub tracking_url: Option<String>,
    pub status: ShipmentStatus,
    /// Once delivered: where the parcel was left.
    #[serde(default)]
    pub delivered_to: Option<DeliveredTo>,
    /// When the carrier expects to deliver (RFC 3339 instants, UTC).
    #[serde(default)]
    pub estimated_delivery: Option<TimeWindow>,
    /// The carrier's own code and words for the latest event, kept beside the status.
    #[serde(default)]
    pub carrier_code: Option<String>,
    #[serde(default)]
    pub carrier_text: Option<String>,
    /// What travels in this parcel.
    #[serde(default)]
    pub items: Vec<ShipmentItem>,
    /// The carrier's events, newest first.
    #[serde(default)]
    pub events: Vec<TrackingEvent>,
    /// How the shopper asked for this parcel to be delivered, if they did.
    #[serde(default)]
    pub choice: Option<DeliveryChoice>,
    /// Send this in `If-Match` to change the choice; it changes with every change.
    #[serde(default)]
    pub choice_etag: String,
    /// Why the delivery choice can no longer be changed; absent while it can.
    #[serde(default)]
    pub locked: Option<ChoiceLock>,
    /// The last moment the choice can be changed (RFC 3339), when a delivery date is known.
    #[serde(default)]
    pub changeable_until: Option<String>,
    /// The dates this parcel can be delivered on instead (for "another day" and slots).
    #[serde(default)]
    pub delivery_dates: Option<DateWindow>,
    /// Why the status is `delayed` when the server, not the carrier, says so.
    #[serde(default)]
    pub delay_reason: Option<DelayReason>,
    /// When it was delivered (RFC 3339), once it has been.
    #[serde(default)]
    pub delivered_at: Option<String>,
    /// Where to collect it: while it waits at a pickup point, as the carrier said, else the
    /// point the shopper chose.
    #[serde(default)]
    pub pickup: Option<PickupDetails>,
    /// For a parcel crossing a customs border: whether duties and taxes are paid by the
    /// shop or due on arrival, and what the carrier says is due and where to pay it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customs: Option<Customs>,
}

/// Where a parcel can be collected, until when, and the code to show there.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PickupDetails {
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = "\\S")
    )]
    pub name: String,
    /// Street, postcode and city on one line.
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    #[serde(default)]
    pub address: String,
    /// One line per group of days, as the carrier or shop wrote them.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 14))]
    pub opening_hours: Vec<String>,
    /// The last moment it can be collected (RFC 3339) before it goes back.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub collect_by: Option<String>,
    /// The code or PIN to give at the counter or type at the locker.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 32))]
    pub code: Option<String>,
}

/// A span of time between two RFC 3339 instants.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TimeWindow {
    pub from: String,
    pub to: String,
}

/// Where a delivered parcel was left.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveredTo {
    Recipient,
    Neighbour,
    SafePlace,
    Locker,
    PickupPoint,
    Signed,
}

impl DeliveredTo {
    pub const ALL: [DeliveredTo; 6] = [
        DeliveredTo::Recipient,
        DeliveredTo::Neighbour,
        DeliveredTo::SafePlace,
        DeliveredTo::Locker,
        DeliveredTo::PickupPoint,
        DeliveredTo::Signed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveredTo::Recipient => "recipient",
            DeliveredTo::Neighbour => "neighbour",
            DeliveredTo::SafePlace => "safe_place",
            DeliveredTo::Locker => "locker",
            DeliveredTo::PickupPoint => "pickup_point",
            DeliveredTo::Signed => "signed",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == name)
    }
}

/// Why a parcel's delivery choice is closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChoiceLock {
    /// The parcel is with the driver today.
    OutForDelivery,
    /// The parcel has been delivered or can be collected.
    Delivered,
    /// The shop's cut-off before the delivery day has passed.
    CutOff,
    /// The parcel is cancelled, returning, or held by the carrier: nothing to choose.
    Closed,
}

/// The kinds of delivery choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChoiceKind {
    /// A delivery slot: a date and time window.
    Slot,
    /// Leave it with a neighbour.
    Neighbour,
    /// Leave it in a safe place at the address.
    SafePlace,
    /// Deliver it to a pickup point or parcel locker.
    PickupPoint,
    /// Deliver it on a later date.
    AnotherDay,
}

impl ChoiceKind {
    pub const ALL: [ChoiceKind; 5] = [
        ChoiceKind::Slot,
        ChoiceKind::Neighbour,
        ChoiceKind::SafePlace,
        ChoiceKind::PickupPoint,
        ChoiceKind::AnotherDay,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChoiceKind::Slot => "slot",
            ChoiceKind::Neighbour => "neighbour",
            ChoiceKind::SafePlace => "safe_place",
            ChoiceKind::PickupPoint => "pickup_point",
            ChoiceKind::AnotherDay => "another_day",
        }
    }

    /// Parses the wire name; anything else is `None`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// A shopper's delivery choice: `kind` says which one, and the field of that name (or
/// `slot_id`, `pickup_point_id`, `date`) holds its details; the others are absent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeliveryChoice {
    pub kind: ChoiceKind,
    /// `slot`: the [`DeliverySlot::id`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot_id: Option<i64>,
    /// `neighbour`: who takes the parcel in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neighbour: Option<Neighbour>,
    /// `safe_place`: where to leave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safe_place: Option<SafePlaceChoice>,
    /// `pickup_point`: the [`PickupPoint::id`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickup_point_id: Option<i64>,
    /// `another_day`: the date (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Neighbour {
    pub name: String,
    /// The neighbour's house number, with any addition (`12`, `12-B`).
    pub house_number: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SafePlaceChoice {
    /// One of the shop's [`DeliveryOptions::safe_places`]; or none, with an instruction.
    #[serde(default)]
    pub place: Option<String>,
    /// The shopper's own words, at most [`INSTRUCTION_MAX`] characters.
    #[serde(default)]
    pub instruction: Option<String>,
    /// The shopper accepts that the parcel is theirs to lose once it is left there.
    #[serde(default)]
    pub risk_accepted: bool,
}

/// The longest safe-place instruction, in characters.
pub const INSTRUCTION_MAX: usize = 140;

/// The safe places a shop may offer; the widget has words for each.
pub const SAFE_PLACES: [&str; 6] = [
    "front_door",
    "porch",
    "garage",
    "back_door",
    "shed",
    "mailbox",
];

/// Shopper API: set (or, with `null`, clear) a parcel's delivery choice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChoiceRequest {
    pub choice: Option<DeliveryChoice>,
}

/// What the shop offers for delivery choices, for every parcel of the order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DeliveryOptions {
    /// Delivery slots from today on, full ones included (with no places left).
    pub slots: Vec<DeliverySlot>,
    /// Codes from [`SAFE_PLACES`]; any place is also possible as a written instruction.
    pub safe_places: Vec<String>,
    /// Pickup points and lockers, nearest first.
    pub pickup_points: Vec<PickupPoint>,
    /// Whether the shop lets shoppers name a neighbour.
    pub neighbour: bool,
    /// How a slot's price is paid.
    #[serde(default)]
    pub slot_payment: SlotPayment,
}

/// How the price of a delivery slot is paid.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SlotPayment {
    /// Charged to the payment method of the order.
    #[default]
    OrderPayment,
    /// Paid to the driver at the door.
    OnDelivery,
    /// Sent as a separate invoice by e-mail.
    Invoice,
}

impl SlotPayment {
    pub const ALL: [SlotPayment; 3] = [
        SlotPayment::OrderPayment,
        SlotPayment::OnDelivery,
        SlotPayment::Invoice,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SlotPayment::OrderPayment => "order_payment",
            SlotPayment::OnDelivery => "on_delivery",
            SlotPayment::Invoice => "invoice",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == name)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DeliverySlot {
    pub id: i64,
    /// `YYYY-MM-DD`, the shop's local date.
    pub date: String,
    /// Local times `HH:MM`.
    pub from: String,
    pub to: String,
    /// Extra charge in the order's currency, if any.
    pub price: Option<i64>,
    pub places_left: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PickupPoint {
    pub id: i64,
    /// True for an unattended parcel locker.
    pub locker: bool,
    pub name: String,
    /// Street, postcode and city on one line.
    pub address: String,
    /// Opening hours, one line per group of days, as the shop wrote them.
    pub opening_hours: Vec<String>,
    /// Straight-line distance from the delivery address, when both are known.
    pub distance_m: Option<u32>,
}

/// Part of an order line travelling in a parcel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ShipmentItem {
    /// The [`LineItemView::id`] of the line.
    pub line_id: i64,
    pub quantity: u32,
}

/// One step of a parcel's journey.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TrackingEvent {
    /// RFC 3339, UTC; the widget shows it in the shopper's time zone.
    pub occurred_at: String,
    pub status: ShipmentStatus,
    /// The carrier's code and words, as sent.
    pub code: String,
    pub text: Option<String>,
    pub location: Option<String>,
}

/// The carrier-neutral status of a parcel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ShipmentStatus {
    #[default]
    Pending,
    InTransit,
    OutForDelivery,
    AvailableForPickup,
    AttemptFailed,
    Delivered,
    Delayed,
    Exception,
    /// Held by customs until it is cleared (duties paid, papers checked).
    HeldAtCustoms,
    ReturnToSender,
    Cancelled,
    Unknown,
}

impl ShipmentStatus {
    /// Every status, in the order the product documents them.
    pub const ALL: [ShipmentStatus; 12] = [
        ShipmentStatus::Pending,
        ShipmentStatus::InTransit,
        ShipmentStatus::OutForDelivery,
        ShipmentStatus::AvailableForPickup,
        ShipmentStatus::AttemptFailed,
        ShipmentStatus::Delivered,
        ShipmentStatus::Delayed,
        ShipmentStatus::Exception,
        ShipmentStatus::HeldAtCustoms,
        ShipmentStatus::ReturnToSender,
        ShipmentStatus::Cancelled,
        ShipmentStatus::Unknown,
    ];

    /// The snake_case name used on the wire and in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            ShipmentStatus::Pending => "pending",
            ShipmentStatus::InTransit => "in_transit",
            ShipmentStatus::OutForDelivery => "out_for_delivery",
            ShipmentStatus::AvailableForPickup => "available_for_pickup",
            ShipmentStatus::AttemptFailed => "attempt_failed",
            ShipmentStatus::Delivered => "delivered",
            ShipmentStatus::Delayed => "delayed",
            ShipmentStatus::Exception => "exception",
            ShipmentStatus::HeldAtCustoms => "held_at_customs",
            ShipmentStatus::ReturnToSender => "return_to_sender",
            ShipmentStatus::Cancelled => "cancelled",
            ShipmentStatus::Unknown => "unknown",
        }
    }

    /// Parses the wire name; anything else is `None`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// How the shopper reaches the shop.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ShopContact {
    pub name: String,
    pub support_email: Option<String>,
    pub support_phone: Option<String>,
    /// The shop's help or contact page.
    pub support_url: Option<String>,
    /// The shop's own order page, the widget's fallback when it cannot load.
    pub order_status_url: Option<String>,
    /// What the shop does when a parcel is damaged or lost, and when one comes back to it.
    #[serde(default)]
    pub when_lost: Option<Remedy>,
    #[serde(default)]
    pub when_returned: Option<Remedy>,
    /// Within how many days a refund reaches the shopper.
    #[serde(default)]
    pub refund_days: Option<u32>,
}

/// What a shop does when a parcel goes wrong: the next step the widget puts in words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Remedy {
    /// Sends the items (again) at no cost.
    Replacement,
    /// Pays the shopper back, the way they paid.
    Refund,
    /// Lets the shopper choose: a replacement or their money back.
    ShoppersChoice,
}

impl Remedy {
    pub const ALL: [Remedy; 3] = [Remedy::Replacement, Remedy::Refund, Remedy::ShoppersChoice];

    pub fn as_str(self) -> &'static str {
        match self {
            Remedy::Replacement => "replacement",
            Remedy::Refund => "refund",
            Remedy::ShoppersChoice => "shoppers_choice",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

/// Every error the API returns: `{"error": {...}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// A machine-readable code, a message for people, and per-field problems if any.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ErrorDetail {
    /// Stable snake_case code, e.g. `not_found`, `invalid_body`, `unauthorized`.
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

/// One invalid field of a request body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FieldError {
    /// Path of the field, e.g. `items[0].quantity`.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Admin API: a merchant sends an order when it is placed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewOrder {
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 64, pattern = "\\S")
    )]
    pub number: String,
    /// RFC 3339; defaults to now.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub placed_at: Option<String>,
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Z]{3}$"))]
    pub currency: String,
    pub customer: NewCustomer,
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 500))]
    pub items: Vec<NewLineItem>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100_000_000))]
    pub shipping: i64,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100_000_000))]
    pub discount: i64,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100_000_000))]
    pub tax: i64,
    pub delivery_address: NewAddress,
    #[serde(default)]
    pub promised_delivery: Option<DateWindow>,
    /// `YYYY-MM-DD`, the shop's local date by which a parcel should be with a carrier;
    /// without it, the shop's `dispatch_days` after the order's day.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub dispatch_by: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewCustomer {
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 254, pattern = "^[^@\\s]+@[^.\\s][^\\s]*\\.[^\\s]*$")
    )]
    pub email: String,
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = "\\S")
    )]
    pub first_name: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub last_name: String,
    /// A mobile number for shipping news by text message: digits, spaces and `+ ( ) - .`,
    /// 6 to 15 digits. Without it, a shopper who asks for texts is asked for one.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 30))]
    pub phone: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewLineItem {
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = "\\S")
    )]
    pub sku: String,
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = "\\S")
    )]
    pub name: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub variant: Option<String>,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 10_000))]
    pub quantity: u32,
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100_000_000))]
    pub unit_price: i64,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000, pattern = "^https?://"))]
    pub image_url: Option<String>,
    /// The product comes in sizes: its review asks how it fits.
    #[serde(default)]
    pub sized: bool,
    /// Sold as final: it cannot be returned.
    #[serde(default)]
    pub final_sale: bool,
    /// The product this line is a variant of (the shop's id), for exchanges.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub product: Option<String>,
    /// The kind of product (e.g. `shoes`, `coffee`), as the shop names it: a return of it
    /// offers the shop's reasons for that kind (see [`ReturnSettings::reasons_by_type`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 60))]
    pub product_type: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewAddress {
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = "\\S")
    )]
    pub name: String,
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = "\\S")
    )]
    pub street: String,
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 20, pattern = "\\S")
    )]
    pub postcode: String,
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = "\\S")
    )]
    pub city: String,
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Z]{2}$"))]
    pub country: String,
    /// Where the address is (WGS 84 degrees), if the checkout geocoded it; gives pickup
    /// points their distance. Both or neither.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = -90.0, maximum = 90.0))]
    pub latitude: Option<f64>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = -180.0, maximum = 180.0))]
    pub longitude: Option<f64>,
}

/// Admin API: the answer to a new order, with the shopper's first capability token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OrderCreated {
    pub number: String,
    pub access: OrderAccess,
}

/// Admin API: a parcel the shop handed to a carrier, with what is in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewShipment {
    /// The carrier's name in lower case, e.g. `postnl`, `dhl`, `dpd`, `ups`.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[a-z0-9-]{1,40}$"))]
    pub carrier: String,
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 64, pattern = "\\S")
    )]
    pub tracking_number: String,
    /// Which of the order's lines, and how many of each, travel in this parcel.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 500))]
    pub items: Vec<NewShipmentItem>,
    /// When the carrier expects to deliver it.
    #[serde(default)]
    pub estimated_delivery: Option<TimeWindow>,
    /// For a parcel crossing a customs border: `paid` when the shop ships duties and taxes
    /// paid, `due` when the shopper pays them on arrival. Absent: no border.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duties: Option<Duties>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewShipmentItem {
    /// The SKU of an order line.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = "\\S")
    )]
    pub sku: String,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 10_000))]
    pub quantity: u32,
}

/// Admin API: one tracking event, as the carrier (or the shop's tracking service) sent it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CarrierEvent {
    /// The carrier's own id of the event: the same id twice is one event.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 128, pattern = "\\S")
    )]
    pub event_id: String,
    /// When it happened (RFC 3339). Events may arrive in any order.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub occurred_at: String,
    /// The carrier's status code, kept as sent and mapped to a [`ShipmentStatus`]; a code
    /// we do not know maps to `unknown`.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 64, pattern = "\\S")
    )]
    pub code: String,
    /// The carrier's own words for it.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub text: Option<String>,
    /// Where it happened, e.g. a depot or town.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub location: Option<String>,
    /// For a delivery: where the parcel was left, when the carrier says so apart from its
    /// code.
    #[serde(default)]
    pub delivered_to: Option<DeliveredTo>,
    /// A new delivery estimate that came with the event.
    #[serde(default)]
    pub estimated_delivery: Option<TimeWindow>,
    /// For a parcel waiting to be collected: where, until when, and its code.
    #[serde(default)]
    pub pickup: Option<PickupDetails>,
    /// What customs charges before the parcel is delivered, when the carrier says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duties_due: Option<DutiesDue>,
}

/// Who pays a parcel's duties and taxes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Duties {
    /// The shop ships duties paid: nothing to pay on arrival.
    Paid,
    /// The shopper pays them on arrival (or before, where the carrier lets them).
    Due,
}

/// What customs charges for a parcel, as the carrier said it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DutiesDue {
    /// In the currency's minor unit.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100_000_000))]
    pub amount: i64,
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Z]{3}$"))]
    pub currency: String,
    /// The carrier's page to pay them on, if it has one: https.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000, pattern = "^https://"))]
    pub pay_url: Option<String>,
}

/// A parcel's customs, as the shopper sees them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Customs {
    /// `due` when the carrier said something is due, even if the shop meant to pay.
    pub duties: Duties,
    /// What is due, once the carrier said it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<DutiesDue>,
}

/// Admin API: where a shipment stands after an event was taken in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ShipmentState {
    pub carrier: String,
    pub tracking_number: String,
    /// The status of the latest event by time.
    pub status: ShipmentStatus,
    /// How many events the shipment has.
    pub events: u32,
    /// False when this event id had been received before (nothing changed).
    pub recorded: bool,
}

/// Admin API: ask for another capability token for an order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewAccessToken {
    /// How long the token stays valid; the shop's default when absent.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 3650))]
    pub valid_days: Option<u32>,
}

/// A capability token that opens one order in the widget, and where it stops working.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OrderAccess {
    /// Put this in the embed tag's `data-order` attribute. Shown only once.
    pub token: String,
    pub expires_at: String,
    /// The hosted order page for this token, for e-mails and platforms without script tags.
    pub order_url: String,
}

/// Admin API: how a shop offers delivery choices, and where its webhooks go. Replaces the
/// previous settings; slots and pickup points are added on their own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeliverySettings {
    /// IANA time zone of the shop's deliveries, e.g. `Europe/Amsterdam`.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64))]
    pub time_zone: String,
    /// Local time (`HH:MM`) on the delivery day after which choices lock.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")
    )]
    pub cutoff: String,
    /// How many days after the expected day a parcel may move to; 0 offers no other day.
    #[cfg_attr(feature = "openapi", schema(maximum = 30))]
    pub later_days: u32,
    /// Safe places offered, codes from [`SAFE_PLACES`].
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 6))]
    pub safe_places: Vec<String>,
    /// Whether shoppers may name a neighbour.
    #[serde(default)]
    pub neighbour: bool,
    /// How a slot's price is paid; the widget says it beside the price.
    #[serde(default)]
    pub slot_payment: SlotPayment,
    /// Where signed webhooks go: an https URL of a host on the internet, without a user
    /// name or password; never this server's own network (checked again at every send,
    /// after DNS). `null` sends none.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub webhook_url: Option<String>,
    /// Make a new signing secret (the old one stops at once).
    #[serde(default)]
    pub rotate_webhook_secret: bool,
}

/// Admin API: the settings as stored, with the webhook signing secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DeliverySettingsView {
    pub time_zone: String,
    pub cutoff: String,
    pub later_days: u32,
    pub safe_places: Vec<String>,
    pub neighbour: bool,
    pub slot_payment: SlotPayment,
    pub webhook_url: Option<String>,
    /// Verify each webhook with it: see [`WebhookEvent`].
    pub webhook_secret: Option<String>,
}

/// Admin API: a delivery slot to offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewSlot {
    /// `YYYY-MM-DD`, the shop's local date.
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub date: String,
    /// Local times `HH:MM`, `from` before `to`.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")
    )]
    pub from: String,
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")
    )]
    pub to: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100_000_000))]
    pub price: Option<i64>,
    /// How many parcels the slot takes.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100_000))]
    pub capacity: u32,
}

/// Admin API: a pickup point or parcel locker to offer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewPickupPoint {
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = "\\S")
    )]
    pub name: String,
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = "\\S")
    )]
    pub address: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 14))]
    pub opening_hours: Vec<String>,
    #[serde(default)]
    pub locker: bool,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = -90.0, maximum = 90.0))]
    pub latitude: Option<f64>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = -180.0, maximum = 180.0))]
    pub longitude: Option<f64>,
}

/// What a referral gives, as the shop set it. Amounts are in minor units of `currency`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Reward {
    pub kind: RewardKind,
    /// Minor units for `amount_off` and `store_credit`, a whole percentage for `percent_off`.
    pub value: i64,
    /// ISO 4217; ignored for `percent_off`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Z]{3}$"))]
    pub currency: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RewardKind {
    /// A fixed amount off the friend's first order.
    AmountOff,
    /// A percentage off the friend's first order.
    PercentOff,
    /// Credit to spend at the shop.
    StoreCredit,
}

/// Shopper API: the shopper's own referral code and what it brings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReferralView {
    /// Readable and random, e.g. `LENA-7K4QX`; the same for every order of this shopper.
    pub code: String,
    /// The shop's page with the code filled in, to share.
    pub share_url: String,
    /// What a friend gets on their first order.
    pub friend_reward: Reward,
    /// What the shopper gets for each friend who orders.
    pub referrer_reward: Reward,
    /// How many friends have used the code.
    pub friends: u32,
}

/// Admin API: whether the shop runs referrals, and on what terms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReferralSettings {
    pub enabled: bool,
    /// An http(s) URL with `{code}` where the code goes, e.g. `https://shop.example/?ref={code}`.
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 500,
            pattern = "^https?://[^\\s\\x00-\\x1f\\x7f-\\x9f]*\\{code\\}[^\\s\\x00-\\x1f\\x7f-\\x9f]*$"
        )
    )]
    pub share_url: String,
    pub friend_reward: Reward,
    pub referrer_reward: Reward,
}

/// Admin API: the shop's checkout redeems a code for a new customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewRedemption {
    /// As the customer typed it: case and spaces do not matter.
    #[cfg_attr(feature = "openapi", schema(min_length = 3, max_length = 100))]
    pub code: String,
    /// The new customer's e-mail address (kept only as a hash).
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 254, pattern = "^[^@\\s]+@[^.\\s][^\\s]*\\.[^\\s]*$")
    )]
    pub email: String,
    /// The order the code is used for, if postpurchase already has it: it does not make
    /// the customer a returning one.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub order_number: Option<String>,
}

/// Admin API: an accepted code and the rewards to hand out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Redemption {
    pub code: String,
    pub friend_reward: Reward,
    pub referrer_reward: Reward,
    /// The referrer's own order number that introduced the code, for the shop's records.
    pub referrer_order_number: String,
}

/// Shopper API: what the short survey still asks, and the preferences as they are.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SurveyView {
    /// The 0–10 question is still open for this order (answered once per order).
    pub ask_nps: bool,
    /// "How did you hear about us" is still open (answered once per customer).
    pub ask_heard: bool,
    /// The shop's answers to offer; `other` (with the shopper's words) is always possible.
    pub heard_options: Vec<String>,
    /// Shipping news by e-mail and SMS; `null` until the shopper chose.
    pub preferences: Option<Preferences>,
    /// Whether the shop has a mobile number for this customer; without one, asking for
    /// texts needs `phone`.
    #[serde(default)]
    pub phone_known: bool,
    /// The shop's answers in the shopper's language (`Accept-Language`), where the shop
    /// gave them ([`ShopWords`]): show these, send the answers as they are.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub words: Vec<Word>,
}

/// Shopper API: how likely the shopper is to recommend the shop, 0 to 10.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NpsAnswer {
    #[cfg_attr(feature = "openapi", schema(maximum = 10))]
    pub score: u8,
    /// At most 1000 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub comment: Option<String>,
}

/// Shopper API: how the shopper heard of the shop.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HeardAnswer {
    /// One of the shop's `heard_options`, or `other`.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 60))]
    pub option: String,
    /// With `other`: the shopper's words, at most 200 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub other: Option<String>,
}

/// Shipping news the shopper wants, by channel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    pub email: bool,
    pub sms: bool,
    /// The number for the texts, when the shop has none (`phone_known` false) or the
    /// shopper gives another: digits, spaces and `+ ( ) - .`, 6 to 15 digits. Never sent
    /// back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 30))]
    pub phone: Option<String>,
}

/// Admin API: whether the shop runs the survey, and its answers to "how did you hear".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SurveySettings {
    pub enabled: bool,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 12))]
    pub heard_options: Vec<String>,
}

/// Admin API: the survey's results so far.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SurveyResults {
    pub nps_answers: u32,
    /// Promoters (9–10) minus detractors (0–6), in percent of answers; `null` without answers.
    pub nps: Option<f64>,
    /// The latest NPS answers, newest first (at most 100).
    pub latest: Vec<NpsResult>,
    /// How many shoppers gave each answer to "how did you hear about us".
    pub heard: Vec<HeardCount>,
    /// The score week by week (weeks from Monday, UTC), the last 12 weeks with answers
    /// up to now, oldest first.
    #[serde(default)]
    pub weekly: Vec<NpsWeek>,
}

/// The net promoter score of one week's answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NpsWeek {
    /// The week's Monday, `YYYY-MM-DD`.
    pub week: String,
    pub answers: u32,
    pub nps: f64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NpsResult {
    pub order_number: String,
    pub score: u8,
    pub comment: Option<String>,
    /// RFC 3339, UTC.
    pub answered_at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct HeardCount {
    pub option: String,
    pub count: u32,
}

/// How an item fits, for products in sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Fit {
    Small,
    TrueToSize,
    Large,
}

impl Fit {
    pub const ALL: [Fit; 3] = [Fit::Small, Fit::TrueToSize, Fit::Large];

    /// The snake_case name used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Fit::Small => "small",
            Fit::TrueToSize => "true_to_size",
            Fit::Large => "large",
        }
    }
}

/// Where a review stands with the shop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    Pending,
    Published,
    Rejected,
}

/// Shopper API: an item of the order and its review, if written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReviewableItem {
    /// The [`LineItemView::id`].
    pub line_id: i64,
    pub name: String,
    /// Delivered, so it can be reviewed.
    pub delivered: bool,
    /// The review asks how it fits.
    pub sized: bool,
    pub review: Option<ReviewView>,
}

/// A review as written: text exactly as typed, never markup.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReviewView {
    pub id: i64,
    pub line_id: i64,
    pub stars: u8,
    pub title: String,
    pub body: String,
    pub fit: Option<Fit>,
    /// Written through the order's own link: the reviewer bought and received it.
    pub verified_buyer: bool,
    pub status: ReviewStatus,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// The shop's public answer, shown under the review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<String>,
    /// Its photos' ids: the shopper's own order and the shop's admin API show them at any
    /// time, `GET /api/v1/photos/{photo}` to anyone only while the review is published.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<String>,
}

/// Admin API: whether the shop runs reviews.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReviewSettings {
    pub enabled: bool,
}

/// Admin API: the shop's public answer to a review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReviewReply {
    /// 1 to 2,000 characters, shown as written (as text, never markup).
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 2000, pattern = "\\S")
    )]
    pub text: String,
}

/// Shopper API: a review of one delivered item. Stars cannot be changed afterwards.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewReview {
    pub line_id: i64,
    /// 1 to 5.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub stars: u8,
    /// Optional: empty, or up to 100 characters that are not all spaces.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 100, pattern = "^$|\\S"))]
    pub title: String,
    /// 1 to 2000 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 2000, pattern = "\\S")
    )]
    pub body: String,
    /// Only for items in sizes.
    #[serde(default)]
    pub fit: Option<Fit>,
    /// Up to three photos uploaded for this order (their [`Photo::id`]s), shown once the
    /// shop publishes the review.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(max_items = 3))]
    pub photos: Vec<String>,
}

/// A photo the server keeps (uploaded by the shopper for a review or a return): checked by
/// its content to be a JPEG, PNG or WebP image, at most 5 MB, stored without its metadata
/// (GPS position, camera, comments).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Photo {
    /// What a review or a return names it by; unguessable.
    pub id: String,
    /// `image/jpeg`, `image/png` or `image/webp`.
    pub content_type: String,
    /// In pixels, as shown.
    pub width: u32,
    pub height: u32,
}

/// Admin API: a review to moderate, with the order it came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AdminReview {
    pub order_number: String,
    pub sku: String,
    pub review: ReviewView,
}

/// Admin API: publish or reject a review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Moderation {
    pub status: ReviewStatus,
}

/// Why an item cannot be returned (more of it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NotReturnable {
    /// Not delivered yet.
    NotDelivered,
    /// Sold as final sale.
    FinalSale,
    /// The return window has closed.
    WindowClosed,
    /// Every delivered piece is in a return already.
    AllReturned,
}

/// Shopper API: one line of the order, as far as returning it goes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReturnableLine {
    pub line_id: i64,
    pub name: String,
    /// How many can still be returned.
    pub quantity: u32,
    /// Why none (or no more) can be, when `quantity` is 0.
    pub reason: Option<NotReturnable>,
    /// When the window closes (RFC 3339), once delivered.
    pub window_closes_at: Option<String>,
    /// Other variants of the same product it can be exchanged for.
    pub exchange_options: Vec<ExchangeOption>,
    /// The reasons to choose from for this item: the shop's reasons for its kind of
    /// product, else the shop's reasons for all.
    #[serde(default)]
    pub reasons: Vec<String>,
}

/// A variant to exchange for, as the shop's stock stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ExchangeOption {
    pub sku: String,
    pub variant: String,
    pub in_stock: bool,
}

/// Shopper API: what can be returned, how, and the returns made so far.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReturnOptions {
    pub lines: Vec<ReturnableLine>,
    /// The shop's reasons to choose from, for items of no kind it gives its own.
    pub reasons: Vec<String>,
    /// The reasons for which a photo can be attached (damage, a wrong item).
    #[serde(default)]
    pub photo_reasons: Vec<String>,
    /// Extra store credit, in percent, for choosing credit over money back.
    pub store_credit_bonus: u32,
    pub returns: Vec<ReturnView>,
    /// The shop's words above in the shopper's language (`Accept-Language`), where the shop
    /// gave them ([`ShopWords`]): show these, send the reasons as they are.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub words: Vec<Word>,
}

/// One of the shop's words and how it reads in the shopper's language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Word {
    /// As the shop's settings write it (and as it is sent back).
    pub text: String,
    /// As the shopper reads it.
    pub translation: String,
}

/// Admin API: the shop's own words (return reasons, "how did you hear" answers) in other
/// languages. A shopper whose widget speaks one of them reads the shop's words in it; any
/// word without a translation reads as the shop wrote it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ShopWords {
    /// Per language (`de`, `en`, `id`, `nl`): each word as the shop's settings write it,
    /// and how it reads in that language; up to 200 a language, each 1 to 80 characters
    /// on one line.
    pub translations: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// Money back to the original payment.
    Refund,
    /// Credit at the shop, with its bonus.
    StoreCredit,
    /// Another variant of the same product, while in stock (each item names it).
    Exchange,
}

impl Resolution {
    pub const ALL: [Resolution; 3] = [
        Resolution::Refund,
        Resolution::StoreCredit,
        Resolution::Exchange,
    ];

    /// The snake_case name used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Resolution::Refund => "refund",
            Resolution::StoreCredit => "store_credit",
            Resolution::Exchange => "exchange",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReturnMethod {
    /// Hand it in at a drop-off point with the QR code.
    DropOff,
    /// Print a label and send it.
    Label,
    /// Leave it at a pickup point.
    PickupPoint,
}

impl ReturnMethod {
    pub const ALL: [ReturnMethod; 3] = [
        ReturnMethod::DropOff,
        ReturnMethod::Label,
        ReturnMethod::PickupPoint,
    ];

    /// The snake_case name used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ReturnMethod::DropOff => "drop_off",
            ReturnMethod::Label => "label",
            ReturnMethod::PickupPoint => "pickup_point",
        }
    }
}

/// Where a return stands; the shop moves it along.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReturnStatus {
    Requested,
    Approved,
    InTransit,
    Received,
    Refunded,
    Rejected,
    Cancelled,
}

impl ReturnStatus {
    /// Whether the shop may move a return from this status to `to`: approve or reject a
    /// request, see it travel and arrive, refund what arrived, or reject it after all.
    pub fn shop_may_become(self, to: ReturnStatus) -> bool {
        use ReturnStatus::*;
        matches!(
            (self, to),
            (Requested, Approved | Rejected)
                | (Approved, InTransit | Received | Rejected)
                | (InTransit, Received)
                | (Received, Refunded | Rejected)
        )
    }
}

/// Shopper API: a return to start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewReturn {
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 500))]
    pub items: Vec<NewReturnItem>,
    pub resolution: Resolution,
    pub method: ReturnMethod,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewReturnItem {
    pub line_id: i64,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 10_000))]
    pub quantity: u32,
    /// One of the shop's reasons.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 80))]
    pub reason: String,
    /// At most 500 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub comment: Option<String>,
    /// For `exchange`: the variant wanted instead, one of the line's `exchange_options`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub exchange_sku: Option<String>,
    /// Up to three photos uploaded for this order (their [`Photo::id`]s), for a reason
    /// the shop takes photos for (`photo_reasons`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(max_items = 3))]
    pub photos: Vec<String>,
}

/// A return as the shopper and the shop see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReturnView {
    /// E.g. `1001-R1`.
    pub number: String,
    pub status: ReturnStatus,
    pub resolution: Resolution,
    pub method: ReturnMethod,
    pub items: Vec<ReturnItemView>,
    /// What goes back, in the order's minor units.
    pub refund: i64,
    /// Extra store credit on top, for `store_credit`.
    pub bonus: i64,
    pub currency: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// What the shop said about it (why it was rejected, say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shop_message: Option<String>,
    /// The return's QR code as an SVG image, for the drop-off point to scan; only in the
    /// shopper's answers (the address carries their token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qr_code_url: Option<String>,
    /// What to print: the carrier's label when the shop attached one, else (shopper's
    /// answers only) a page with the shop's return address, the code, the items, the date
    /// to send by and where to drop it off. Absent while the shop has given neither.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_url: Option<String>,
    /// The date to send it by (`YYYY-MM-DD`), once it can be sent: the shop has a return
    /// address or attached a label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_by: Option<String>,
}

/// Shopper API: what a return would bring, worked out as starting it would, before the
/// shopper confirms it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReturnQuote {
    /// What goes back, in the order's minor units (0 for an exchange).
    pub refund: i64,
    /// Extra store credit on top, for `store_credit`.
    pub bonus: i64,
    pub currency: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReturnItemView {
    pub line_id: i64,
    pub quantity: u32,
    pub reason: String,
    pub comment: Option<String>,
    /// For an exchange: the variant sent instead.
    pub exchange_sku: Option<String>,
    /// Its photos' ids, for the shopper's order and the shop's admin API.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<String>,
}

/// Admin API: the stock of the shop's variants, for exchanges. Listed SKUs are set; others
/// stay as they are.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InventoryUpdate {
    #[cfg_attr(feature = "openapi", schema(max_items = 1000))]
    pub items: Vec<StockLevel>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StockLevel {
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = "\\S")
    )]
    pub sku: String,
    /// The product it is a variant of, as order lines name it.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = "\\S")
    )]
    pub product: String,
    /// E.g. `L / Forest`.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = "\\S")
    )]
    pub variant: String,
    pub stock: u32,
}

/// Admin API: the shop moves a return along.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReturnUpdate {
    pub status: ReturnStatus,
    /// What the shop tells the shopper about it (why it was rejected, say), up to 500
    /// characters; shown in the widget. Kept until replaced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 500, pattern = "\\S")
    )]
    pub message: Option<String>,
}

/// Admin API: the shop's return terms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReturnSettings {
    pub enabled: bool,
    /// Days from delivery, 1 to 365.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 365))]
    pub window_days: u32,
    /// The reasons shoppers choose from, 1 to 12.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 12))]
    pub reasons: Vec<String>,
    /// Extra store credit in percent, 0 to 100.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(maximum = 100))]
    pub store_credit_bonus: u32,
    /// Where returns go, as it goes on a parcel: up to 6 lines, 300 characters. Without
    /// it (and without a carrier label attached to a return), no shopper is told to send
    /// anything: the printable page says the shop will send a label.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 300))]
    pub return_address: Option<String>,
    /// Days a shopper has to send a return once started, 1 to 60.
    #[serde(default = "default_send_days")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 60))]
    pub send_within_days: u32,
    /// Reasons for kinds of products (an order line's `product_type`), up to 20 kinds of 1
    /// to 12 reasons each, used instead of `reasons` for items of that kind.
    #[serde(default)]
    pub reasons_by_type: BTreeMap<String, Vec<String>>,
    /// Reasons (of `reasons` or `reasons_by_type`) for which the shopper can attach up to
    /// three photos: damage, a wrong item.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 12))]
    pub photo_reasons: Vec<String>,
}

fn default_send_days() -> u32 {
    14
}

/// Admin API: a carrier's label for a return, made by the shop's shipping tool; the
/// shopper's link to print goes to it instead of the printable page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReturnLabel {
    /// An https address of the label (PDF or image), at most 2,000 characters; `null`
    /// takes it off again.
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub label_url: Option<String>,
}

/// A preset of the widget's colours (`theme` on the element, `data-theme` on the tag).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ThemePreset {
    #[default]
    Light,
    Dark,
    /// Follows the shopper's system (`prefers-color-scheme`).
    Auto,
}

/// Admin API: how the widget looks on the shop's hosted order page (`/o/{shop}/{token}`),
/// for links in e-mails and platforms without script tags. `variables` are the widget's
/// `--pp-*` custom properties (docs/theming.md), e.g. `{"--pp-accent": "#0b6e4f"}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ShopTheme {
    #[serde(default)]
    pub preset: ThemePreset,
    #[serde(default)]
    pub variables: std::collections::BTreeMap<String, String>,
    /// The shop's logo (an https image), shown in the hosted page's header with the
    /// shop's name as its text alternative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub logo_url: Option<String>,
    /// A web font's stylesheet (https) for the hosted page, e.g. a font service's CSS;
    /// name its family in `--pp-font`. The page's policy then allows styles from that
    /// stylesheet's origin and fonts from it and from `font_origin`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub font_css_url: Option<String>,
    /// Where the font files come from when not from the stylesheet's own origin
    /// (`https://fonts.gstatic.com` for Google Fonts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub font_origin: Option<String>,
}

/// What the shop's webhook endpoint receives: one of the event types in [`CATALOGUE`].
/// The body is signed: `Postpurchase-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." +
/// body)>`, with the Unix time in `Postpurchase-Timestamp`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WebhookEvent {
    /// Unique per event; the same id delivered twice is one event (deliveries are retried).
    pub id: String,
    /// One of [`CATALOGUE`]: `delivery_choice.changed`, `return.created`,
    /// `return.updated`, `return.cancelled`, `shipment.status_changed`,
    /// `shipment.delivered`, `shipment.delayed`, `review.created`, `survey.answered`,
    /// `referral.redeemed`, `order.stalled`, `order.change_requested`,
    /// `order.change_decided`, `reminder.due`, `order.upgrade_requested`,
    /// `order.upgrade_decided`.
    #[serde(rename = "type")]
    pub kind: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub data: WebhookData,
}

/// What a webhook is about; `type` says which.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(untagged)]
pub enum WebhookData {
    // Read back in this order, the first shape that fits: the shapes with more required
    // fields come before the delivery choice's, whose fields they all have.
    /// `shipment.status_changed`, `shipment.delivered`, `shipment.delayed`
    Shipment(Box<ShipmentNews>),
    /// `review.created`
    Review(Box<ReviewCreated>),
    /// `survey.answered`
    Survey(Box<SurveyAnswered>),
    /// `referral.redeemed`
    Referral(Box<ReferralRedeemed>),
    /// `order.stalled`
    Stalled(Box<OrderStalled>),
    /// `reminder.due`
    Reminder(Box<ReminderDue>),
    /// `order.upgrade_requested`, `order.upgrade_decided`
    Upgrade(Box<AdminUpgrade>),
    /// `order.change_requested`, `order.change_decided`
    Change(Box<AdminChange>),
    /// `delivery_choice.changed`
    DeliveryChoice(Box<ChoiceChanged>),
    /// `return.created`, `return.cancelled`, `return.updated`
    Return(Box<ReturnChanged>),
}

/// A return as it now stands, with its order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReturnChanged {
    pub order_number: String,
    #[serde(rename = "return")]
    pub return_: ReturnView,
}

/// A parcel's new delivery choice, with the slot or pickup point spelled out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ChoiceChanged {
    pub order_number: String,
    pub carrier: String,
    pub tracking_number: String,
    /// `null` when the shopper cleared the choice.
    pub choice: Option<DeliveryChoice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot: Option<DeliverySlot>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickup_point: Option<PickupPoint>,
}

/// The languages the widget and the server's pages speak, one `locales/<code>.txt` each.
pub const LANGUAGES: [&str; 4] = ["de", "en", "id", "nl"];

/// Admin API: the shop's profile, how shoppers reach it and the language its pages fall
/// back to. `GET` answers it whole; `PUT` takes the same shape (the slug may be left out,
/// and cannot be changed).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ShopProfile {
    /// The shop's slug in embed tags and URLs; set when the shop is set up.
    #[serde(default)]
    pub slug: String,
    /// The shop's name as shoppers see it, 1 to 100 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 100,
            pattern = "^[^\\n\\r]*[^\\s][^\\n\\r]*$"
        )
    )]
    pub name: String,
    /// Where shoppers write to.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 254))]
    pub support_email: Option<String>,
    /// Where shoppers call: digits, spaces and `+ ( ) - .`, at most 30 characters.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 30, pattern = "^[0-9 +().-]*$")
    )]
    pub support_phone: Option<String>,
    /// The shop's help or contact page (https).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub support_url: Option<String>,
    /// The shop's own order page (https), the widget's fallback link.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub order_status_url: Option<String>,
    /// The language of the shop's pages when the shopper's browser asks for none of
    /// [`LANGUAGES`].
    #[cfg_attr(feature = "openapi", schema(min_length = 2, max_length = 8))]
    pub language: String,
    /// What the shop does for a damaged or lost parcel; the widget says it, with how to
    /// reach the shop, as the next step. `null`: it only says how to reach the shop.
    #[serde(default)]
    pub when_lost: Option<Remedy>,
    /// What happens when a parcel comes back to the shop undelivered.
    #[serde(default)]
    pub when_returned: Option<Remedy>,
    /// Within how many days a refund reaches the shopper (1 to 60), said with a refund.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 60))]
    pub refund_days: Option<u32>,
}

/// Admin API: erase a customer on request (GDPR art. 17).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ErasureRequest {
    /// The customer's e-mail address as their orders carry it (any case).
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 254, pattern = "^[^@\\s]+@[^.\\s][^\\s]*\\.[^\\s]*$")
    )]
    pub email: String,
}

/// Admin API: what an erasure changed. The customer's name, e-mail, addresses and every
/// text they wrote are gone and their order links stop working; amounts, stars, scores
/// and counts stay, so the shop's totals do not move.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ErasureReport {
    /// Orders whose delivery address was removed.
    pub orders: u64,
    /// Reviews whose title and text were removed (the stars stay).
    pub reviews: u64,
    /// Returns whose comments were removed.
    pub returns: u64,
    /// Survey answers whose comments were removed (the scores stay).
    pub survey_answers: u64,
    /// Webhooks about the customer's orders removed from the outbox.
    pub webhooks: u64,
    /// Photos of the customer's reviews and returns, deleted.
    #[serde(default)]
    pub photos: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_through_their_wire_names() {
        for status in ShipmentStatus::ALL {
            assert_eq!(ShipmentStatus::parse(status.as_str()), Some(status));
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
        }
        assert_eq!(ShipmentStatus::parse("lost_in_space"), None);
    }

    #[test]
    fn return_and_review_choices_round_trip_through_their_wire_names() {
        fn wire<T: Serialize>(value: T) -> String {
            serde_json::to_string(&value).unwrap()
        }
        for r in Resolution::ALL {
            assert_eq!(wire(r), format!("\"{}\"", r.as_str()));
        }
        for m in ReturnMethod::ALL {
            assert_eq!(wire(m), format!("\"{}\"", m.as_str()));
        }
        for f in Fit::ALL {
            assert_eq!(wire(f), format!("\"{}\"", f.as_str()));
        }
    }

    #[test]
    fn error_body_omits_empty_fields() {
        let body = ErrorBody {
            error: ErrorDetail {
                code: "not_found".into(),
                message: "No such order.".into(),
                fields: vec![],
            },
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"error":{"code":"not_found","message":"No such order."}}"#
        );
    }

    #[test]
    fn new_order_rejects_unknown_fields() {
        let json = r#"{"number":"1","currency":"EUR","customer":{"email":"a@b.c","first_name":"A"},
            "items":[],"delivery_address":{"name":"A","street":"S 1","postcode":"1","city":"C","country":"NL"},
            "surprise":true}"#;
        assert!(serde_json::from_str::<NewOrder>(json).is_err());
    }
}
