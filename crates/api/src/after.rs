//! The week after delivery: loyalty and the next purchase, using and caring for what came,
//! re-order reminders, what goes well with it, and the unboxing. Each is a follow-up
//! [`crate::Module`] with its own shopper endpoint under the order's
//! (`…/orders/{token}/loyalty`, `…/care`, `…/pairs`, `…/unboxing`), listed in the order's
//! `modules` only when the shop runs it and it fits the order's stage. The widget draws
//! them from a second, small WebAssembly module that loads when the shopper first opens
//! one of them, so the first paint of the order carries none of their weight.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use crate::Reward;

// ---------------------------------------------------------------------------------------
// Loyalty and the next purchase

/// Admin API: the shop's loyalty programme as the widget shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoyaltySettings {
    pub enabled: bool,
    /// The programme's name as shoppers know it ("Klei Club"), at most 60 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 60))]
    pub name: Option<String>,
    /// Points per whole unit of the order's currency (its total), 0 to 100. `0`: the shop
    /// feeds every order's points itself (`PUT /api/v1/admin/orders/{number}/loyalty`).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100))]
    pub points_per_unit: u32,
    /// A next-purchase voucher the server makes for each order the rule covers. A voucher
    /// the shop feeds for an order replaces it.
    #[serde(default)]
    pub voucher: Option<VoucherRule>,
    /// The shop's product page, an http(s) URL with `{sku}` where the item's SKU goes
    /// (`https://shop.example/p/{sku}`): "Buy again" links there once items are delivered.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub product_url: Option<String>,
}

/// Admin API: the shop's rule for next-purchase vouchers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VoucherRule {
    pub reward: Reward,
    /// Days the voucher is valid from the order's day, 1 to 365.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 365))]
    pub valid_days: u32,
    /// Only for returning customers (who ordered before this order).
    #[serde(default)]
    pub returning_only: bool,
    /// The codes' prefix, 2 to 8 letters or digits (`THANKS` makes `THANKS-7K4QX2`).
    #[cfg_attr(feature = "openapi", schema(min_length = 2, max_length = 8))]
    pub prefix: String,
}

/// A next-purchase voucher.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Voucher {
    /// What the shopper types at checkout: 4 to 32 letters, digits and `-`.
    #[cfg_attr(feature = "openapi", schema(min_length = 4, max_length = 32))]
    pub code: String,
    pub reward: Reward,
    /// `YYYY-MM-DD`, the last day it can be used.
    #[serde(default)]
    pub valid_until: Option<String>,
}

/// Admin API: what the shop's own loyalty system says about one order. Every field is
/// optional; what is given replaces what the rule would show.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderLoyalty {
    /// Points this order earned, 0 to 10,000,000.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 10_000_000))]
    pub earned: Option<i64>,
    /// The customer's balance after this order, 0 to 1,000,000,000.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1_000_000_000))]
    pub balance: Option<i64>,
    #[serde(default)]
    pub voucher: Option<Voucher>,
}

/// Shopper API (`GET …/loyalty`): what this order earned and what comes next.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LoyaltyView {
    /// The programme's name, when the shop gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The shopper ordered before: they are thanked for coming back.
    pub returning: bool,
    /// Points this order earned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub earned: Option<i64>,
    /// The customer's balance, as the shop last said it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voucher: Option<Voucher>,
    /// Delivered items with a link to their product page.
    #[serde(default)]
    pub buy_again: Vec<BuyAgain>,
}

/// An item of the order that can be bought again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BuyAgain {
    /// The order line.
    pub item: i64,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// The shop's product page.
    pub url: String,
}

// ---------------------------------------------------------------------------------------
// Use, care and re-order; what goes well with it

/// Admin API (`PUT /api/v1/admin/products/{sku}`): what the shop tells buyers of one
/// product after delivery, and what it recommends with it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProductCare {
    /// How to use it and care for it, plain text, at most 1,000 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub care: Option<String>,
    /// The shop's page with more (an http(s) URL).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub care_url: Option<String>,
    /// For consumables: the shop's suggestion for a re-order reminder, 1 to 365 days.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 365))]
    pub reorder_days: Option<u32>,
    /// Products that go well with this one, at most 6.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 6))]
    pub pairs: Vec<NewPairing>,
}

/// Admin API: a product the shop recommends with another.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewPairing {
    /// 1 to 120 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 120))]
    pub name: String,
    /// Minor units of the shop's currency, with `currency`.
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100_000_000))]
    pub price: i64,
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Z]{3}$"))]
    pub currency: String,
    /// An https image URL, or an image inline as a `data:image/svg+xml,…` URL or a
    /// base64 `data:image/png`, `data:image/jpeg` or `data:image/webp` URL.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub image_url: Option<String>,
    /// The product page (an http(s) URL).
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub url: String,
}

/// Admin API: one product's care, suggestion and recommendations, with how often each
/// recommendation was clicked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ProductCareView {
    pub sku: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub care: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub care_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reorder_days: Option<u32>,
    pub pairs: Vec<Pairing>,
    /// Re-order reminders shoppers keep for it (waiting to be sent).
    pub reminders_waiting: u32,
}

/// A recommended product, as the shopper sees it and (with `clicks`) as the shop does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Pairing {
    /// Stable while the product's recommendations are unchanged.
    pub id: i64,
    pub name: String,
    pub price: i64,
    pub currency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    pub url: String,
    /// How often shoppers followed it (admin API only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clicks: Option<u64>,
}

/// Shopper API (`GET …/care`): for each delivered item the shop has words for, how to use
/// and care for it, and a re-order reminder where the shop suggests one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CareView {
    pub items: Vec<CareItem>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CareItem {
    /// The order line.
    pub item: i64,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub care: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub care_url: Option<String>,
    /// The shop's suggestion: remind me in this many days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reorder_days: Option<u32>,
    /// The shopper's reminder for this line, while it waits (or once sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminder: Option<Reminder>,
}

/// Shopper API (`POST …/care/reminders`): remind me to re-order this line. Safe to retry
/// with an `Idempotency-Key`; one reminder per line waits at a time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewReminder {
    /// The order line, delivered, whose product the shop suggests reminders for.
    pub item: i64,
    /// In how many days, 1 to 365; the shop's suggestion when absent.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 365))]
    pub days: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReminderStatus {
    /// Kept; sent to the shop when due.
    Waiting,
    /// Sent to the shop (webhook `reminder.due`) for its e-mail or SMS tool.
    Sent,
    /// Due, but the shopper wants no news by any channel: nothing was sent.
    Skipped,
    /// The shopper cancelled it.
    Cancelled,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Reminder {
    pub id: i64,
    pub item: i64,
    /// `YYYY-MM-DD`, the day it is due.
    pub due_on: String,
    pub status: ReminderStatus,
}

/// Shopper API (`GET …/pairs`): what the shop recommends with the items bought.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PairsView {
    pub pairs: Vec<Pairing>,
}

// ---------------------------------------------------------------------------------------
// Unboxing

/// Admin API (`PUT /api/v1/admin/unboxing-settings`): what the shopper sees once the order
/// is delivered.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UnboxingSettings {
    pub enabled: bool,
    /// The shop's thank-you note, plain text, at most 600 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 600))]
    pub thanks: Option<String>,
    /// How to recycle or return the packaging, plain text, at most 600 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 600))]
    pub eco: Option<String>,
    /// The shop's page about its packaging (an http(s) URL).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub eco_url: Option<String>,
    /// The hashtag to share with, without `#`: letters, digits and `_`, at most 40.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
    pub hashtag: Option<String>,
    /// The shop's handle on social media, without `@`: letters, digits, `_` and `.`, at
    /// most 30.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 30))]
    pub handle: Option<String>,
    /// The page a share points to (an http(s) URL); the shop's site when absent.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub share_url: Option<String>,
}

/// Shopper API (`GET …/unboxing`): the shop's notes and how to share, once delivered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UnboxingView {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thanks: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eco: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eco_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hashtag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    /// Where a share points: the shop's page for it, or its site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_url: Option<String>,
    /// The shop's name, for the share's words.
    pub shop: String,
}

/// Webhook `reminder.due`: a shopper's re-order reminder came due. The shop's e-mail or
/// SMS tool sends it by the channels the shopper still wants; a reminder whose shopper
/// wants neither is never sent (it shows as `skipped`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReminderDue {
    pub reminder: i64,
    pub order_number: String,
    pub sku: String,
    /// The product's name as ordered.
    pub name: String,
    /// The shop's product page, when its loyalty settings name one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub first_name: String,
    /// Present when the shopper wants news by e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Present when the shopper wants texts and a number is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{WebhookData, WebhookEvent};

    #[test]
    fn a_due_reminder_reads_back_as_itself() {
        for (email, phone) in [
            (Some("jane@example.com"), None),
            (None, Some("+31 6 1234 5678")),
            (Some("jane@example.com"), Some("+31 6 1234 5678")),
        ] {
            let event = WebhookEvent {
                id: "evt_1".into(),
                kind: "reminder.due".into(),
                created_at: "2026-12-23T00:10:00Z".into(),
                data: WebhookData::Reminder(Box::new(ReminderDue {
                    reminder: 7,
                    order_number: "1003".into(),
                    sku: "BEANS-1KG".into(),
                    name: "Coffee beans".into(),
                    url: Some("https://shop.example/p/BEANS-1KG".into()),
                    first_name: "Jane".into(),
                    email: email.map(str::to_owned),
                    phone: phone.map(str::to_owned),
                })),
            };
            let json = serde_json::to_string(&event).unwrap();
            let back: WebhookEvent = serde_json::from_str(&json).unwrap();
            assert_eq!(back, event, "{json}");
        }
    }

    #[test]
    fn statuses_have_snake_case_names() {
        for (status, name) in [
            (ReminderStatus::Waiting, "\"waiting\""),
            (ReminderStatus::Sent, "\"sent\""),
            (ReminderStatus::Skipped, "\"skipped\""),
            (ReminderStatus::Cancelled, "\"cancelled\""),
        ] {
            assert_eq!(serde_json::to_string(&status).unwrap(), name);
        }
    }
}
