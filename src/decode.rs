//! Reads the API's JSON (already parsed by the browser's `Response.json()`) into the
//! shared types, and writes a delivery choice back. By hand, through one small trait
//! ([`FromJs`], in [`crate::shared`] with its readers of strings, numbers and lists): a
//! serde deserializer for the order view cost the bundle about 20 KB (brotli), this costs
//! a fraction of that. Field names are the wire names; fields this widget does not know
//! are never read. A missing or mistyped field makes the whole value unreadable, as serde
//! would — but a name a newer server may add to an enum never does: what it names is left
//! out (a follow-up in [`OrderView::modules`], a status line, a change request in
//! [`OrderChanges`]), or reads as `unknown` ([`ShipmentStatus`]). Each type says which.

use js_sys::{Object, Reflect};
use postpurchase_api::*;
use wasm_bindgen::JsValue;

pub use crate::shared::{field, FromJs};

/// Reads a struct field by field, each under its own name. The fields after `;` are
/// `Option`s read leniently: absent, `null` or unreadable (a name a newer server added to
/// the enum) is `None`, and the struct is still read. Those after a second `;` are lists
/// an older server leaves out: absent or unreadable is empty.
macro_rules! from_js {
    ($($t:ident { $($f:ident),* $(; $($l:ident),* $(; $($d:ident),*)?)? $(,)? })*) => {$(
        impl FromJs for $t {
            fn from_js(value: &JsValue) -> Option<Self> {
                Some($t {
                    $($f: field(value, stringify!($f))?,)*
                    $($($l: field(value, stringify!($l)),)*
                      $($($d: field(value, stringify!($d)).unwrap_or_default(),)*)?)?
                })
            }
        }
    )*};
}

impl FromJs for OrderView {
    fn from_js(v: &JsValue) -> Option<Self> {
        Some(OrderView {
            number: field(v, "number")?,
            placed_at: field(v, "placed_at")?,
            stage: field(v, "stage")?,
            currency: field(v, "currency")?,
            customer: field(v, "customer")?,
            items: field(v, "items")?,
            totals: field(v, "totals")?,
            delivery_address: field(v, "delivery_address")?,
            promised_delivery: field(v, "promised_delivery")?,
            expected_delivery: field(v, "expected_delivery").flatten(),
            delivered_at: field(v, "delivered_at").flatten(),
            shipments: field(v, "shipments")?,
            delivery_options: field(v, "delivery_options")?,
            // Unreadable, it is left out with the rest of the order still shown.
            changes: field(v, "changes").flatten(),
            shop: field(v, "shop")?,
            // A follow-up this widget does not know (a newer server's) is left out.
            modules: field::<Vec<JsValue>>(v, "modules")
                .unwrap_or_default()
                .iter()
                .filter_map(|m| match m.as_string()?.as_str() {
                    "returns" => Some(Module::Returns),
                    "reviews" => Some(Module::Reviews),
                    "referral" => Some(Module::Referral),
                    "survey" => Some(Module::Survey),
                    "loyalty" => Some(Module::Loyalty),
                    "care" => Some(Module::Care),
                    "pairs" => Some(Module::Pairs),
                    "unboxing" => Some(Module::Unboxing),
                    "upgrade" => Some(Module::Upgrade),
                    _ => None,
                })
                .collect(),
            report_events: field(v, "report_events").unwrap_or(false),
        })
    }
}

/// An older server says nothing of a number: nothing is asked for.
impl FromJs for SurveyView {
    fn from_js(v: &JsValue) -> Option<Self> {
        Some(SurveyView {
            ask_nps: field(v, "ask_nps")?,
            ask_heard: field(v, "ask_heard")?,
            heard_options: field(v, "heard_options")?,
            preferences: field(v, "preferences")?,
            phone_known: field(v, "phone_known").unwrap_or(true),
            words: field(v, "words").unwrap_or_default(),
        })
    }
}

/// A way of paying for slots this widget does not know reads as the order's own.
impl FromJs for DeliveryOptions {
    fn from_js(v: &JsValue) -> Option<Self> {
        Some(DeliveryOptions {
            slots: field(v, "slots")?,
            safe_places: field(v, "safe_places")?,
            pickup_points: field(v, "pickup_points")?,
            neighbour: field(v, "neighbour")?,
            slot_payment: field(v, "slot_payment").unwrap_or_default(),
        })
    }
}

impl FromJs for JsValue {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(value.clone())
    }
}

from_js! {
    CustomerView { first_name, email_masked, returning }
    LineItemView { id, name, variant, quantity, unit_price, line_total, image_url }
    Totals { subtotal, shipping, discount, tax, total }
    MaskedAddress { name, street, postcode, city, country }
    DateWindow { earliest, latest }
    TimeWindow { from, to }
    ShopContact { name, support_email, support_phone, support_url, order_status_url;
                  when_lost, when_returned, refund_days }
    ShipmentSummary { id, carrier, carrier_name, tracking_number, tracking_url, status, delivered_to,
                      estimated_delivery, carrier_code, carrier_text, items, events, choice,
                      choice_etag, locked, changeable_until, delivery_dates, delay_reason;
                      delivered_at, pickup, customs }
    Customs { duties; due }
    DutiesDue { amount, currency; pay_url }
    PickupDetails { name, address, opening_hours, collect_by, code }
    ShipmentItem { line_id, quantity }
    TrackingEvent { occurred_at, status, code, text, location }
    DeliveryChoice { kind, slot_id, neighbour, safe_place, pickup_point_id, date }
    Neighbour { name, house_number }
    SafePlaceChoice { place, instruction, risk_accepted }
    DeliverySlot { id, date, from, to, price, places_left }
    PickupPoint { id, locker, name, address, opening_hours, distance_m }
    // The follow-ups' answers (`src/more/`).
    Returns { lines, reasons, store_credit_bonus, returns; ; photo_reasons, words }
    ListedReturn { number, items, refund, bonus, shop_message, qr_code_url, label_url;
                   status, resolution, method }
    ReturnableLine { line_id, name, quantity, window_closes_at, exchange_options; reason; reasons }
    ExchangeOption { sku, variant, in_stock }
    ReturnItemView { line_id, quantity, reason, comment, exchange_sku; ; photos }
    ReturnQuote { refund, bonus, currency }
    Word { text, translation }
    ReviewItem { line_id, name, delivered, sized, review }
    Review { stars, title, body, verified_buyer, reply; fit, status; photos }
    Preferences { email, sms; phone }
    Referral { code, share_url, friends; friend_reward, referrer_reward }
    Reward { kind, value, currency }
    // Changing the order before it ships. A request of a kind or status this widget does
    // not know reads as none: it is shown without its words, which leaves nothing of it
    // (what may still be asked is offered all the same).
    OrderChanges { ; until, request; cancel, address }
    ChangeView { kind, status, requested_at; address, message }
    // Every refusal.
    ErrorBody { error }
    FieldError { field, message }
}

/// A refusal's detail; `fields` is left out of the API's answer when there are none.
impl FromJs for ErrorDetail {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(ErrorDetail {
            code: field(value, "code")?,
            message: field(value, "message")?,
            fields: field(value, "fields").unwrap_or_default(),
        })
    }
}

/// The returns module's answer, [`ReturnOptions`], as this widget reads it: each return a
/// [`ListedReturn`]. A line whose `reason` (a [`NotReturnable`]) is one this widget does
/// not know reads as having none; a line is offered only while its `quantity` is above 0,
/// so such a line is listed, not offered, and says no reason.
#[derive(Clone, Debug, PartialEq)]
pub struct Returns {
    pub lines: Vec<ReturnableLine>,
    pub reasons: Vec<String>,
    pub photo_reasons: Vec<String>,
    pub store_credit_bonus: u32,
    pub returns: Vec<ListedReturn>,
    /// The shop's words in the shopper's language, where it gave them.
    pub words: Vec<Word>,
}

/// A return of the order, [`ReturnView`] as the widget lists it. Its status, resolution
/// and method are `None` when a newer server names one this widget does not know: the
/// return is still listed, with what is known — no status line without a status, no
/// amount without a resolution, no method line without a method; the QR code, label and
/// cancel button only for a status known to allow them (requested, approved).
#[derive(Clone, Debug, PartialEq)]
pub struct ListedReturn {
    pub number: String,
    pub status: Option<ReturnStatus>,
    pub resolution: Option<Resolution>,
    pub method: Option<ReturnMethod>,
    pub items: Vec<ReturnItemView>,
    pub refund: i64,
    pub bonus: i64,
    pub shop_message: Option<String>,
    pub qr_code_url: Option<String>,
    pub label_url: Option<String>,
}

/// One of the shop's `words` as the shopper reads it: its translation, else as written.
pub fn said<'a>(words: &'a [Word], text: &'a str) -> &'a str {
    words
        .iter()
        .find(|w| w.text == text)
        .map_or(text, |w| w.translation.as_str())
}

/// An item of the reviews module's answer, [`ReviewableItem`], as this widget reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct ReviewItem {
    pub line_id: i64,
    pub name: String,
    pub delivered: bool,
    pub sized: bool,
    pub review: Option<Review>,
}

/// A written review, [`ReviewView`] as the widget shows it. A [`Fit`] this widget does not
/// know reads as no fit, a [`ReviewStatus`] it does not know as no status: the review is
/// shown without that line.
#[derive(Clone, Debug, PartialEq)]
pub struct Review {
    pub stars: u8,
    pub title: String,
    pub body: String,
    pub fit: Option<Fit>,
    pub verified_buyer: bool,
    pub status: Option<ReviewStatus>,
    pub reply: Option<String>,
    /// Its photos' ids, shown from the order's own address.
    pub photos: Vec<String>,
}

/// The referral module's answer, [`ReferralView`], as this widget reads it. A reward of a
/// [`RewardKind`] this widget does not know is `None`, and what would name it is left out:
/// the sentence with both rewards, and (the friend's) the messages to share; the code,
/// its link and the copy button stay.
#[derive(Clone, Debug, PartialEq)]
pub struct Referral {
    pub code: String,
    pub share_url: String,
    pub friend_reward: Option<Reward>,
    pub referrer_reward: Option<Reward>,
    pub friends: u32,
}

/// Reads an enum from its snake_case wire name, listed once with its variants.
macro_rules! from_name {
    ($($t:ident { $($name:literal => $v:ident),* $(,)? })*) => {$(
        impl FromJs for $t {
            fn from_js(value: &JsValue) -> Option<Self> {
                match value.as_string()?.as_str() {
                    $($name => Some($t::$v),)*
                    _ => None,
                }
            }
        }
    )*};
}

from_name! {
    OrderStage { "processing" => Processing, "partially_shipped" => PartiallyShipped,
                 "shipped" => Shipped, "out_for_delivery" => OutForDelivery,
                 "delivered" => Delivered, "cancelled" => Cancelled,
                 "action_needed" => ActionNeeded, "returning" => Returning,
                 "ready_for_pickup" => ReadyForPickup }
    ChoiceLock { "out_for_delivery" => OutForDelivery, "delivered" => Delivered,
                 "cut_off" => CutOff, "closed" => Closed }
    // Listed here again rather than through the shared crate's `parse`: a match is
    // ~150 bytes smaller in the bundle than its table walk.
    DeliveredTo { "recipient" => Recipient, "neighbour" => Neighbour, "safe_place" => SafePlace,
                  "locker" => Locker, "pickup_point" => PickupPoint, "signed" => Signed }
    ChoiceKind { "slot" => Slot, "neighbour" => Neighbour, "safe_place" => SafePlace,
                 "pickup_point" => PickupPoint, "another_day" => AnotherDay }
    DelayReason { "no_news" => NoNews, "late" => Late }
    ReturnStatus { "requested" => Requested, "approved" => Approved, "in_transit" => InTransit,
                   "received" => Received, "refunded" => Refunded, "rejected" => Rejected,
                   "cancelled" => Cancelled }
    Resolution { "refund" => Refund, "store_credit" => StoreCredit, "exchange" => Exchange }
    ReturnMethod { "drop_off" => DropOff, "label" => Label, "pickup_point" => PickupPoint }
    NotReturnable { "not_delivered" => NotDelivered, "final_sale" => FinalSale,
                    "window_closed" => WindowClosed, "all_returned" => AllReturned }
    Remedy { "replacement" => Replacement, "refund" => Refund,
             "shoppers_choice" => ShoppersChoice }
    SlotPayment { "order_payment" => OrderPayment, "on_delivery" => OnDelivery,
                  "invoice" => Invoice }
    Fit { "small" => Small, "true_to_size" => TrueToSize, "large" => Large }
    ReviewStatus { "pending" => Pending, "published" => Published, "rejected" => Rejected }
    RewardKind { "amount_off" => AmountOff, "percent_off" => PercentOff,
                 "store_credit" => StoreCredit }
    ChangeKind { "cancel" => Cancel, "address" => Address }
    ChangeStatus { "requested" => Requested, "accepted" => Accepted, "refused" => Refused,
                   "shipped" => Shipped }
    Duties { "paid" => Paid, "due" => Due }
}

/// A status the widget does not know yet (a newer server) reads as `unknown`, not as an
/// unreadable order.
impl FromJs for ShipmentStatus {
    fn from_js(value: &JsValue) -> Option<Self> {
        use ShipmentStatus::*;
        // A match, as `from_name!`'s: smaller in the bundle than the shared crate's walk.
        Some(match value.as_string()?.as_str() {
            "pending" => Pending,
            "in_transit" => InTransit,
            "out_for_delivery" => OutForDelivery,
            "available_for_pickup" => AvailableForPickup,
            "attempt_failed" => AttemptFailed,
            "delivered" => Delivered,
            "delayed" => Delayed,
            "exception" => Exception,
            "held_at_customs" => HeldAtCustoms,
            "return_to_sender" => ReturnToSender,
            "cancelled" => Cancelled,
            _ => Unknown,
        })
    }
}

/// The request body that sets (or, with `None`, clears) a delivery choice:
/// `{"choice": {...}}`, built as a JS object and stringified by the browser.
pub fn choice_json(choice: Option<&DeliveryChoice>) -> String {
    let body = Object::new();
    let value = choice.map_or(JsValue::NULL, |c| {
        let o = Object::new();
        set(&o, "kind", c.kind.as_str());
        if let Some(id) = c.slot_id {
            set(&o, "slot_id", id as f64);
        }
        if let Some(n) = &c.neighbour {
            let v = Object::new();
            set(&v, "name", n.name.as_str());
            set(&v, "house_number", n.house_number.as_str());
            set(&o, "neighbour", v);
        }
        if let Some(p) = &c.safe_place {
            let v = Object::new();
            if let Some(place) = &p.place {
                set(&v, "place", place.as_str());
            }
            if let Some(text) = &p.instruction {
                set(&v, "instruction", text.as_str());
            }
            set(&v, "risk_accepted", p.risk_accepted);
            set(&o, "safe_place", v);
        }
        if let Some(id) = c.pickup_point_id {
            set(&o, "pickup_point_id", id as f64);
        }
        if let Some(date) = &c.date {
            set(&o, "date", date.as_str());
        }
        o.into()
    });
    set(&body, "choice", value);
    json(&body)
}

/// The wire names of a new address's fields ([`AddressFix`]), in the order the widget
/// keeps them.
pub const ADDRESS: [&str; 5] = ["name", "street", "house_number", "postcode", "city"];

/// The request body that asks the shop to change the order, a [`NewChange`]:
/// `{"kind": …, "address": {…}}`, with `address` (by [`ADDRESS`], each trimmed) for a new
/// address.
pub fn change_json(address: Option<&[String]>) -> String {
    let body = Object::new();
    set(
        &body,
        "kind",
        if address.is_some() {
            "address"
        } else {
            "cancel"
        },
    );
    if let Some(fields) = address {
        let o = Object::new();
        for (key, value) in ADDRESS.iter().zip(fields) {
            set(&o, key, value.trim());
        }
        set(&body, "address", o);
    }
    json(&body)
}

/// An object as JSON text, written by the browser.
fn json(object: &Object) -> String {
    js_sys::JSON::stringify(object)
        .map(String::from)
        .unwrap_or_default()
}

pub(crate) fn set(object: &Object, key: &str, value: impl Into<JsValue>) {
    put(object, key, value.into());
}

/// The work of [`set`], kept out of line: one copy for every type of value.
#[inline(never)]
fn put(object: &Object, key: &str, value: JsValue) {
    let _ = Reflect::set(object, &JsValue::from_str(key), &value);
}
