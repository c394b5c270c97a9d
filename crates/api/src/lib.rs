//! The JSON contract of postpurchase: every request and response body the widget, the
//! server and merchants exchange. Serde only, so the widget can share it at no cost; the
//! server enables `openapi` to publish it as an OpenAPI document.
//!
//! Money is always an integer count of the currency's minor unit (cents), dates are ISO
//! 8601 strings (`2026-11-23`), instants are RFC 3339 strings in UTC.

use serde::{Deserialize, Serialize};

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
    pub shipments: Vec<ShipmentSummary>,
    pub shop: ShopContact,
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
        }
    }
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

/// A parcel of the order, as far as the confirmation needs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ShipmentSummary {
    pub carrier: String,
    pub tracking_number: String,
    pub status: ShipmentStatus,
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ShipmentStatus {
    Pending,
    InTransit,
    OutForDelivery,
    AvailableForPickup,
    AttemptFailed,
    Delivered,
    Delayed,
    Exception,
    ReturnToSender,
    Cancelled,
    Unknown,
}

impl ShipmentStatus {
    /// Every status, in the order the product documents them.
    pub const ALL: [ShipmentStatus; 11] = [
        ShipmentStatus::Pending,
        ShipmentStatus::InTransit,
        ShipmentStatus::OutForDelivery,
        ShipmentStatus::AvailableForPickup,
        ShipmentStatus::AttemptFailed,
        ShipmentStatus::Delivered,
        ShipmentStatus::Delayed,
        ShipmentStatus::Exception,
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
    pub number: String,
    /// RFC 3339; defaults to now.
    #[serde(default)]
    pub placed_at: Option<String>,
    pub currency: String,
    pub customer: NewCustomer,
    pub items: Vec<NewLineItem>,
    #[serde(default)]
    pub shipping: i64,
    #[serde(default)]
    pub discount: i64,
    #[serde(default)]
    pub tax: i64,
    pub delivery_address: NewAddress,
    #[serde(default)]
    pub promised_delivery: Option<DateWindow>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewCustomer {
    pub email: String,
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewLineItem {
    pub sku: String,
    pub name: String,
    #[serde(default)]
    pub variant: Option<String>,
    pub quantity: u32,
    pub unit_price: i64,
    #[serde(default)]
    pub image_url: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewAddress {
    pub name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub country: String,
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
    pub carrier: String,
    pub tracking_number: String,
    /// Which of the order's lines, and how many of each, travel in this parcel.
    pub items: Vec<NewShipmentItem>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewShipmentItem {
    /// The SKU of an order line.
    pub sku: String,
    pub quantity: u32,
}

/// Admin API: one tracking event, as the carrier (or the shop's tracking service) sent it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CarrierEvent {
    /// The carrier's own id of the event: the same id twice is one event.
    pub event_id: String,
    /// When it happened (RFC 3339). Events may arrive in any order.
    pub occurred_at: String,
    /// The carrier's status code, kept as sent and mapped to a [`ShipmentStatus`]; a code
    /// we do not know maps to `unknown`.
    pub code: String,
    /// The carrier's own words for it.
    #[serde(default)]
    pub text: Option<String>,
    /// Where it happened, e.g. a depot or town.
    #[serde(default)]
    pub location: Option<String>,
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
