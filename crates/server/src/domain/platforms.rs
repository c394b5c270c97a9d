//! Orders in from shop platforms: each platform's webhook as it sends it, verified its own
//! way, read into our order (customer, lines, totals, address) and the parcels its
//! fulfilment data names. Pure: no database, no clock. Each reader says which
//! documentation page its fields come from.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use postpurchase_api::{NewAddress, NewCustomer, NewLineItem, NewOrder};
use serde_json::Value;

use super::from_hex as hex;

/// The shop platforms an order can come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Platform {
    WooCommerce,
    Shopware,
    Shopify,
}

impl Platform {
    pub const ALL: [Platform; 3] = [Platform::WooCommerce, Platform::Shopware, Platform::Shopify];

    /// Its name in addresses and settings (and in `feed_secrets.source`).
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::WooCommerce => "woocommerce",
            Platform::Shopware => "shopware",
            Platform::Shopify => "shopify",
        }
    }

    pub fn parse(name: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// The header that carries the signature.
    pub fn signature_header(self) -> &'static str {
        match self {
            Platform::WooCommerce => "x-wc-webhook-signature",
            Platform::Shopware => "shopware-shop-signature",
            Platform::Shopify => "x-shopify-hmac-sha256",
        }
    }

    /// The header naming the topic, where the platform sends it in a header (Shopware
    /// names its event in the body).
    pub fn topic_header(self) -> Option<&'static str> {
        match self {
            Platform::WooCommerce => Some("x-wc-webhook-topic"),
            Platform::Shopware => None,
            Platform::Shopify => Some("x-shopify-topic"),
        }
    }

    /// The header with the platform's id of this delivery, the same on a retry. WooCommerce
    /// makes a new `X-WC-Webhook-Delivery-ID` per attempt, so its retries are caught by
    /// content instead (an update to the same values changes nothing); Shopware's
    /// delivery id is in the body (`source.eventId`).
    pub fn delivery_header(self) -> Option<&'static str> {
        match self {
            Platform::WooCommerce => None,
            Platform::Shopware => None,
            Platform::Shopify => Some("x-shopify-webhook-id"),
        }
    }

    /// Whether `signature` (the header's value) signs `body` with `secret`: WooCommerce
    /// (`X-WC-Webhook-Signature`) and Shopify (`X-Shopify-Hmac-Sha256`) send the base64
    /// HMAC-SHA256 of the raw body, Shopware (`shopware-shop-signature`) its hex; the MAC
    /// compares in constant time.
    pub fn verify(self, secret: &str, body: &[u8], signature: &str) -> bool {
        // A Shopware shop that registered the app signs with the shop secret it was given
        // ([`shopware_app::shop_secret`]); one whose own app backend registered it, with
        // the secret the shop set here.
        if self == Platform::Shopware {
            let shop_id = serde_json::from_slice::<Value>(body)
                .ok()
                .and_then(|v| v.get("source").and_then(|s| text(s, "shopId")));
            if shop_id.is_some_and(|id| shopware_app::signed_by_shop(secret, &id, body, signature))
            {
                return true;
            }
        }
        let signature = signature.trim();
        let expected = match self {
            Platform::WooCommerce | Platform::Shopify => STANDARD.decode(signature).ok(),
            Platform::Shopware => hex(signature),
        };
        hmac_matches(secret, body, expected)
    }

    /// What a verified body says, given the topic header's value where there is one.
    pub fn read(self, topic: Option<&str>, body: &Value) -> Result<Message, ReadError> {
        match self {
            Platform::WooCommerce => woocommerce(topic, body),
            Platform::Shopware => shopware(body),
            Platform::Shopify => shopify(topic, body),
        }
    }

    /// The platform's name for one of our order's fields, for a `422` that names what to
    /// fix in the shop: `customer.email` is WooCommerce's `billing.email`.
    pub fn field_name(self, ours: &str) -> String {
        let table: &[(&str, &str)] = match self {
            Platform::WooCommerce => &[
                ("number", "number"),
                ("currency", "currency"),
                ("placed_at", "date_created_gmt"),
                ("customer.email", "billing.email"),
                ("customer.first_name", "billing.first_name"),
                ("customer.last_name", "billing.last_name"),
                ("items", "line_items"),
                ("shipping", "shipping_total"),
                ("discount", "discount_total"),
                ("tax", "total_tax"),
                ("delivery_address.name", "shipping.first_name"),
                ("delivery_address.street", "shipping.address_1"),
                ("delivery_address.postcode", "shipping.postcode"),
                ("delivery_address.city", "shipping.city"),
                ("delivery_address.country", "shipping.country"),
            ],
            Platform::Shopware => &[
                ("number", "orderNumber"),
                ("currency", "currency.isoCode"),
                ("placed_at", "orderDateTime"),
                ("customer.email", "orderCustomer.email"),
                ("customer.first_name", "orderCustomer.firstName"),
                ("customer.last_name", "orderCustomer.lastName"),
                ("items", "lineItems"),
                ("shipping", "shippingTotal"),
                ("discount", "lineItems (promotions)"),
                ("tax", "price.calculatedTaxes"),
                (
                    "delivery_address.name",
                    "deliveries[0].shippingOrderAddress.firstName",
                ),
                (
                    "delivery_address.street",
                    "deliveries[0].shippingOrderAddress.street",
                ),
                (
                    "delivery_address.postcode",
                    "deliveries[0].shippingOrderAddress.zipcode",
                ),
                (
                    "delivery_address.city",
                    "deliveries[0].shippingOrderAddress.city",
                ),
                (
                    "delivery_address.country",
                    "deliveries[0].shippingOrderAddress.country.iso",
                ),
            ],
            Platform::Shopify => &[
                ("number", "name"),
                ("currency", "currency"),
                ("placed_at", "created_at"),
                ("customer.email", "email"),
                ("customer.first_name", "customer.first_name"),
                ("customer.last_name", "customer.last_name"),
                ("items", "line_items"),
                ("shipping", "total_shipping_price_set"),
                ("discount", "total_discounts"),
                ("tax", "total_tax"),
                ("delivery_address.name", "shipping_address.name"),
                ("delivery_address.street", "shipping_address.address1"),
                ("delivery_address.postcode", "shipping_address.zip"),
                ("delivery_address.city", "shipping_address.city"),
                ("delivery_address.country", "shipping_address.country_code"),
            ],
        };
        let lines = match self {
            Platform::Shopware => "lineItems",
            _ => "line_items",
        };
        if let Some(rest) = ours.strip_prefix("items[") {
            return format!("{lines}[{rest}");
        }
        table
            .iter()
            .find(|(o, _)| *o == ours)
            .map_or_else(|| ours.to_owned(), |(_, theirs)| (*theirs).to_owned())
    }
}

/// Whether `expected` is the HMAC-SHA256 of `body` keyed with `secret`.
fn hmac_matches(secret: &str, body: &[u8], expected: Option<Vec<u8>>) -> bool {
    super::mac_matches(secret, &[body], expected)
}

/// Shopware's app registration, as its app base guide describes it
/// (<https://developer.shopware.com/docs/guides/plugins/apps/app-base-guide.html>,
/// "Setup"): Shopware asks the manifest's `registrationUrl` with `shop-id`, `shop-url` and
/// `timestamp`, signed in `shopware-app-signature` (the hex HMAC-SHA256 of the query
/// string, keyed with the app's secret); the answer proves postpurchase knows that secret
/// and hands the shop a secret of its own, which Shopware then signs the confirmation and
/// every webhook with. The app's secret is the one the shop's owner set here for
/// `shopware`; each Shopware shop's secret is derived from it and the shop's id, so
/// nothing more is stored and a webhook names the shop whose secret signs it.
pub mod shopware_app {
    use hmac::{Hmac, Mac};

    /// The app's `<name>` in the manifest: the proof covers it.
    pub const APP_NAME: &str = "Postpurchase";

    fn hex_mac(key: &str, parts: &[&[u8]]) -> String {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).expect("any key");
        for part in parts {
            mac.update(part);
        }
        super::super::to_hex(&mac.finalize().into_bytes())
    }

    /// The secret the Shopware shop `shop_id` signs with.
    pub fn shop_secret(app_secret: &str, shop_id: &str) -> String {
        hex_mac(
            app_secret,
            &[b"postpurchase shopware shop secret\n", shop_id.as_bytes()],
        )
    }

    /// Whether `signature` (hex) signs `body` with the secret of the Shopware shop
    /// `shop_id`.
    pub fn signed_by_shop(app_secret: &str, shop_id: &str, body: &[u8], signature: &str) -> bool {
        super::hmac_matches(
            &shop_secret(app_secret, shop_id),
            body,
            super::super::from_hex(signature.trim()),
        )
    }

    /// Whether `signature` is Shopware's for this registration request's query string.
    pub fn signs_query(app_secret: &str, query: &str, signature: &str) -> bool {
        super::hmac_matches(
            app_secret,
            query.as_bytes(),
            super::super::from_hex(signature.trim()),
        )
    }

    /// The registration's proof: the hex HMAC-SHA256 of the shop's id, its URL and the
    /// app's name, keyed with the app's secret.
    pub fn proof(app_secret: &str, shop_id: &str, shop_url: &str) -> String {
        hex_mac(
            app_secret,
            &[shop_id.as_bytes(), shop_url.as_bytes(), APP_NAME.as_bytes()],
        )
    }
}

/// The signature a platform would send for `body` with `secret` (for tests and for
/// trying a feed by hand).
pub fn sign(platform: Platform, secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("any key");
    mac.update(body);
    let bytes = mac.finalize().into_bytes();
    match platform {
        Platform::WooCommerce | Platform::Shopify => STANDARD.encode(bytes),
        Platform::Shopware => super::to_hex(&bytes),
    }
}

/// WooCommerce's ping when a webhook is saved: the form body `webhook_id=<id>`, unsigned,
/// and the webhook stays unsaved unless the answer is `200`
/// (`WC_Webhook::deliver_ping`).
pub fn is_woocommerce_ping(body: &[u8]) -> bool {
    body.strip_prefix(b"webhook_id=")
        .is_some_and(|id| !id.is_empty() && id.iter().all(u8::is_ascii_digit))
}

/// What one platform send carries.
#[derive(Clone, Debug, PartialEq)]
pub enum Message {
    /// An order as it stands now, with the parcels its fulfilment data names.
    Order(Box<PlatformOrder>),
    /// Parcels of an order named by the platform's id.
    Fulfilment {
        order_id: String,
        parcels: Vec<PlatformParcel>,
    },
    /// A send that carries no order: said why, answered `200`, nothing written.
    Ignored(&'static str),
}

/// An order as a platform sends it, read into ours.
#[derive(Clone, Debug, PartialEq)]
pub struct PlatformOrder {
    /// The platform's own id of the order (not the number it prints).
    pub external_id: String,
    pub order: NewOrder,
    pub cancelled: bool,
    pub parcels: Vec<PlatformParcel>,
}

/// A parcel a platform's fulfilment names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlatformParcel {
    /// One of our carrier ids (see [`carrier_id`]).
    pub carrier: String,
    pub tracking_number: String,
    /// What is in it by SKU and quantity; `None` when the platform does not say: then
    /// every line not yet in a parcel.
    pub items: Option<Vec<(String, u32)>>,
}

/// Why a body cannot be taken: not the platform's shape, and what is missing. (A field
/// of the platform's shape that our order cannot keep is found by
/// [`super::validate_new_order`] and named with [`Platform::field_name`].)
#[derive(Clone, Debug, PartialEq)]
pub enum ReadError {
    Shape(String),
}

fn shape(what: impl Into<String>) -> ReadError {
    ReadError::Shape(what.into())
}

/// A field as text: strings trimmed (blank is none), numbers written out.
/// A platform's phone number, kept when it reads as one (a platform's free-text field may
/// hold anything; an odd one is left out rather than refusing the order).
fn mobile(phone: Option<String>) -> Option<String> {
    phone
        .map(|p| p.trim().to_owned())
        .filter(|p| super::phone_ok(p))
}

fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, key| v.get(key))
}

fn quantity(v: &Value, key: &str) -> Option<u32> {
    let q = v.get(key)?;
    q.as_u64()
        .or_else(|| {
            q.as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                .map(|f| f as u64)
        })
        .and_then(|q| u32::try_from(q).ok())
}

/// The exponent of a currency's minor unit (ISO 4217): most have cents; these have none
/// or thousandths.
pub fn currency_exponent(currency: &str) -> u32 {
    match currency {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

/// An amount as a platform writes it (`"12.34"`, `12.34`, `"1000"`) in the currency's
/// minor units; digits beyond the exponent round half away from zero. `None` for
/// anything that is not a plain decimal number.
pub fn minor_units(amount: &Value, currency: &str) -> Option<i64> {
    let text = match amount {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
        || whole.len() > 12
    {
        return None;
    }
    let exponent = currency_exponent(currency) as usize;
    let mut units: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut fraction = fraction.bytes().map(|b| i64::from(b - b'0'));
    for _ in 0..exponent {
        units = units * 10 + fraction.next().unwrap_or(0);
    }
    if fraction.next().is_some_and(|d| d >= 5) {
        units += 1;
    }
    Some(if negative { -units } else { units })
}

fn money(v: &Value, key: &str, currency: &str) -> Result<i64, ReadError> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(0),
        Some(amount) => {
            minor_units(amount, currency).ok_or_else(|| shape(format!("`{key}` is not an amount")))
        }
    }
}

/// A carrier's name as a platform writes it ("DHL Express", "PostNL", "Royal Mail") as
/// one of our lower-case carrier ids: the carriers the order page links to by name,
/// anything else its name in lower case with dashes (`other` when there is none).
pub fn carrier_id(name: &str) -> String {
    let lower = name.trim().to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |w: &str| words.contains(&w);
    let known = if lower.contains("postnl") {
        Some("postnl")
    } else if words.iter().any(|w| w.starts_with("dhl")) {
        Some("dhl")
    } else if has("ups") {
        Some("ups")
    } else if has("dpd") {
        Some("dpd")
    } else if has("gls") {
        Some("gls")
    } else if lower.contains("fedex") {
        Some("fedex")
    } else if has("bpost") {
        Some("bpost")
    } else if lower.contains("royal mail") {
        Some("royal-mail")
    } else {
        None
    };
    if let Some(id) = known {
        return id.to_owned();
    }
    let mut id = String::new();
    for word in &words {
        let word: String = word.chars().filter(char::is_ascii_alphanumeric).collect();
        if word.is_empty() {
            continue;
        }
        if !id.is_empty() {
            id.push('-');
        }
        id.push_str(&word);
    }
    id.truncate(40);
    let id = id.trim_end_matches('-').to_owned();
    if id.is_empty() {
        "other".to_owned()
    } else {
        id
    }
}

/// A platform's timestamp as RFC 3339 in UTC, if it is one (WooCommerce's `_gmt` dates
/// have no offset: they are UTC).
fn instant(text: &str) -> Option<String> {
    let parsed = super::parse_instant(text)
        .or_else(|| super::parse_instant(&format!("{text}Z")))
        .or_else(|| super::parse_instant(&format!("{}Z", text.replace(' ', "T"))))?;
    Some(crate::store::instant(parsed.unix_timestamp()))
}

fn join_name(first: Option<String>, last: Option<String>) -> Option<String> {
    let name = [first, last]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    (!name.is_empty()).then_some(name)
}

fn address_line(one: Option<String>, two: Option<String>) -> String {
    [one, two]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ")
}

/// WooCommerce's `order.created` / `order.updated` (and `order.restored`): the order as
/// its REST API (v3) returns it, "Order properties" in
/// <https://woocommerce.github.io/woocommerce-rest-api-docs/#order-properties>; the
/// webhook headers (`X-WC-Webhook-Topic`, `-Signature`, `-Delivery-ID`) from
/// <https://woocommerce.github.io/woocommerce-rest-api-docs/#webhooks>. Other topics are
/// ignored.
fn woocommerce(topic: Option<&str>, body: &Value) -> Result<Message, ReadError> {
    match topic.map(str::trim) {
        Some("order.created" | "order.updated" | "order.restored") | None => {}
        Some(_) => {
            return Ok(Message::Ignored(
                "a WooCommerce topic that carries no order",
            ))
        }
    }
    let external_id = text(body, "id").ok_or_else(|| shape("`id` is missing"))?;
    let currency = text(body, "currency").unwrap_or_default().to_uppercase();
    let billing = body.get("billing").cloned().unwrap_or(Value::Null);
    // A shipping address with no street (virtual goods, or a shop that ships to the
    // billing address) falls back to the billing address.
    let shipping = match body.get("shipping") {
        Some(s) if text(s, "address_1").is_some() => s.clone(),
        _ => billing.clone(),
    };
    let mut items = Vec::new();
    let lines = body
        .get("line_items")
        .and_then(Value::as_array)
        .ok_or_else(|| shape("`line_items` is missing"))?;
    for line in lines {
        let quantity = quantity(line, "quantity").unwrap_or(0);
        // `subtotal` is the line before discounts, without tax; `price` is after them.
        let subtotal = money(line, "subtotal", &currency)?;
        let unit_price = if quantity > 0 {
            subtotal / i64::from(quantity)
        } else {
            subtotal
        };
        // Variation attributes come as the line's meta data with a display key and
        // value; keys starting with `_` are WooCommerce's own.
        let variant = line
            .get("meta_data")
            .and_then(Value::as_array)
            .map(|meta| {
                meta.iter()
                    .filter(|m| !text(m, "key").unwrap_or_default().starts_with('_'))
                    .filter_map(|m| text(m, "display_value").or_else(|| text(m, "value")))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .filter(|v| !v.is_empty());
        let product = text(line, "product_id").filter(|p| p != "0");
        let variation = text(line, "variation_id").filter(|v| v != "0");
        items.push(NewLineItem {
            sku: text(line, "sku")
                .or_else(|| variation.as_ref().map(|v| format!("woocommerce-{v}")))
                .or_else(|| product.as_ref().map(|p| format!("woocommerce-{p}")))
                .unwrap_or_default(),
            name: text(line, "parent_name")
                .or_else(|| text(line, "name"))
                .unwrap_or_default(),
            variant,
            quantity,
            unit_price,
            image_url: line.get("image").and_then(|i| text(i, "src")),
            sized: false,
            final_sale: false,
            product,
            product_type: None,
        });
    }
    let order = NewOrder {
        number: text(body, "number").unwrap_or_else(|| external_id.clone()),
        placed_at: text(body, "date_created_gmt").and_then(|t| instant(&t)),
        customer: NewCustomer {
            email: text(&billing, "email").unwrap_or_default(),
            first_name: text(&billing, "first_name")
                .or_else(|| text(&shipping, "first_name"))
                .unwrap_or_default(),
            last_name: text(&billing, "last_name").unwrap_or_default(),
            phone: mobile(text(&billing, "phone")),
        },
        items,
        shipping: money(body, "shipping_total", &currency)?,
        discount: money(body, "discount_total", &currency)?,
        tax: money(body, "total_tax", &currency)?,
        delivery_address: NewAddress {
            name: join_name(text(&shipping, "first_name"), text(&shipping, "last_name"))
                .or_else(|| text(&shipping, "company"))
                .unwrap_or_default(),
            street: address_line(text(&shipping, "address_1"), text(&shipping, "address_2")),
            postcode: text(&shipping, "postcode").unwrap_or_default(),
            city: text(&shipping, "city").unwrap_or_default(),
            country: text(&shipping, "country")
                .unwrap_or_default()
                .to_uppercase(),
            latitude: None,
            longitude: None,
        },
        currency,
        promised_delivery: None,
        dispatch_by: None,
    };
    Ok(Message::Order(Box::new(PlatformOrder {
        external_id,
        cancelled: matches!(
            text(body, "status").as_deref(),
            // A refunded order was usually delivered: it stays as it is.
            Some("cancelled" | "failed")
        ),
        parcels: woocommerce_parcels(body),
        order,
    })))
}

/// WooCommerce has no parcels of its own; its Shipment Tracking extension keeps them in
/// the order's meta `_wc_shipment_tracking_items` (`tracking_provider` or
/// `custom_tracking_provider`, `tracking_number`), which shows in the order's
/// `meta_data` where the shop exposes it. They do not say which lines: every line not yet
/// in a parcel.
fn woocommerce_parcels(body: &Value) -> Vec<PlatformParcel> {
    let Some(meta) = body.get("meta_data").and_then(Value::as_array) else {
        return Vec::new();
    };
    meta.iter()
        .filter(|m| m.get("key").and_then(Value::as_str) == Some("_wc_shipment_tracking_items"))
        .filter_map(|m| m.get("value").and_then(Value::as_array))
        .flatten()
        .filter_map(|t| {
            let carrier = text(t, "custom_tracking_provider")
                .or_else(|| text(t, "tracking_provider"))
                .unwrap_or_default();
            Some(PlatformParcel {
                carrier: carrier_id(&carrier),
                tracking_number: text(t, "tracking_number")?,
                items: None,
            })
        })
        .collect()
}

/// Shopware 6's app webhooks, "Webhook" in the app guide
/// (<https://developer.shopware.com/docs/guides/plugins/apps/webhook.html>): `{"data":
/// {"payload", "event"}, "source": {"url", "appVersion", "shopId", "eventId"},
/// "timestamp"}`, signed in `shopware-shop-signature`. `checkout.order.placed` and the
/// order's state events (`state_enter.order.state.*`,
/// `state_enter.order_delivery.state.*`) carry the whole order entity in
/// `payload.order`; entity-written events such as `order.written` carry only ids
/// (`primaryKey`): they are taken as a signal and change nothing.
fn shopware(body: &Value) -> Result<Message, ReadError> {
    let data = body.get("data").ok_or_else(|| shape("`data` is missing"))?;
    let event = text(data, "event").ok_or_else(|| shape("`data.event` is missing"))?;
    body.get("source")
        .and_then(|s| text(s, "shopId"))
        .ok_or_else(|| shape("`source.shopId` is missing"))?;
    let payload = data
        .get("payload")
        .ok_or_else(|| shape("`data.payload` is missing"))?;
    let Some(order) = payload.get("order") else {
        return Ok(Message::Ignored(if event.ends_with(".written") {
            "Shopware's entity-written events carry only ids: the order's fields come with checkout.order.placed and its state events"
        } else {
            "a Shopware event that carries no order"
        }));
    };
    let external_id = text(order, "id").ok_or_else(|| shape("`order.id` is missing"))?;
    let currency = order
        .get("currency")
        .and_then(|c| text(c, "isoCode"))
        .unwrap_or_default()
        .to_uppercase();
    let customer = order.get("orderCustomer").cloned().unwrap_or(Value::Null);
    let lines = order
        .get("lineItems")
        .and_then(Value::as_array)
        .ok_or_else(|| shape("`order.lineItems` is missing"))?;
    let mut items = Vec::new();
    let mut discount = 0;
    // Shopware's line ids, by position among our lines: deliveries name lines by them.
    let mut line_ids = Vec::new();
    for line in lines {
        // A container's children come in the same list, naming it: the container counts.
        if line.get("parentId").is_some_and(|p| !p.is_null()) {
            continue;
        }
        // Promotions, discounts and credits are lines with a negative price.
        let total = money(line, "totalPrice", &currency)?;
        let kind = text(line, "type").unwrap_or_else(|| "product".to_owned());
        if matches!(kind.as_str(), "promotion" | "discount" | "credit") || total < 0 {
            discount -= total;
            continue;
        }
        let payload = line.get("payload").cloned().unwrap_or(Value::Null);
        let variant = payload
            .get("options")
            .and_then(Value::as_array)
            .map(|options| {
                options
                    .iter()
                    .filter_map(|o| text(o, "option"))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .filter(|v| !v.is_empty());
        let product = text(line, "productId").or_else(|| text(line, "referencedId"));
        line_ids.push(text(line, "id").unwrap_or_default());
        items.push(NewLineItem {
            sku: text(&payload, "productNumber")
                .or_else(|| product.as_ref().map(|p| format!("shopware-{p}")))
                .or_else(|| text(line, "identifier").map(|i| format!("shopware-{i}")))
                .unwrap_or_default(),
            name: text(line, "label").unwrap_or_default(),
            variant,
            quantity: quantity(line, "quantity").unwrap_or(0),
            unit_price: money(line, "unitPrice", &currency)?,
            image_url: line.get("cover").and_then(|c| text(c, "url")),
            sized: false,
            final_sale: false,
            product: text(&payload, "parentId").or(product),
            product_type: None,
        });
    }
    let deliveries: Vec<&Value> = order
        .get("deliveries")
        .and_then(Value::as_array)
        .map(|d| d.iter().collect())
        .unwrap_or_default();
    let address = deliveries
        .iter()
        .find_map(|d| d.get("shippingOrderAddress"))
        .or_else(|| order.get("billingAddress"))
        .cloned()
        .unwrap_or(Value::Null);
    let price = order.get("price").cloned().unwrap_or(Value::Null);
    // Gross prices include the tax already; net ones have it added on top.
    let tax = if text(&price, "taxStatus").as_deref() == Some("net") {
        money(&price, "totalPrice", &currency)? - money(&price, "netPrice", &currency)?
    } else {
        0
    };
    let mut parcels = Vec::new();
    for delivery in &deliveries {
        let carrier = at(delivery, &["shippingMethod"])
            .and_then(|m| text(m, "name"))
            .unwrap_or_default();
        let items: Option<Vec<(String, u32)>> = delivery
            .get("positions")
            .and_then(Value::as_array)
            .filter(|p| !p.is_empty())
            .map(|positions| {
                positions
                    .iter()
                    .filter_map(|p| {
                        let id = text(p, "orderLineItemId")?;
                        let i = line_ids.iter().position(|l| *l == id)?;
                        Some((items[i].sku.clone(), quantity(p, "quantity")?))
                    })
                    .collect()
            });
        let codes = delivery
            .get("trackingCodes")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (i, code) in codes.iter().enumerate() {
            let Some(code) = code.as_str().map(str::trim).filter(|c| !c.is_empty()) else {
                continue;
            };
            parcels.push(PlatformParcel {
                carrier: carrier_id(&carrier),
                tracking_number: code.to_owned(),
                // One delivery's lines travel with its first tracking code.
                items: if i == 0 {
                    items.clone()
                } else {
                    Some(Vec::new())
                },
            });
        }
    }
    let state = |v: &Value| {
        at(v, &["stateMachineState", "technicalName"])
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let order_state = state(order);
    Ok(Message::Order(Box::new(PlatformOrder {
        external_id,
        cancelled: order_state.as_deref() == Some("cancelled")
            || event == "state_enter.order.state.cancelled",
        parcels,
        order: NewOrder {
            number: text(order, "orderNumber").unwrap_or_default(),
            placed_at: text(order, "orderDateTime").and_then(|t| instant(&t)),
            customer: NewCustomer {
                email: text(&customer, "email").unwrap_or_default(),
                first_name: text(&customer, "firstName").unwrap_or_default(),
                last_name: text(&customer, "lastName").unwrap_or_default(),
                phone: mobile(text(&address, "phoneNumber")),
            },
            items,
            shipping: money(order, "shippingTotal", &currency)?,
            discount: discount.max(0),
            tax,
            delivery_address: NewAddress {
                name: join_name(text(&address, "firstName"), text(&address, "lastName"))
                    .or_else(|| text(&address, "company"))
                    .unwrap_or_default(),
                street: address_line(
                    text(&address, "street"),
                    text(&address, "additionalAddressLine1"),
                ),
                postcode: text(&address, "zipcode").unwrap_or_default(),
                city: text(&address, "city").unwrap_or_default(),
                country: address
                    .get("country")
                    .and_then(|c| text(c, "iso"))
                    .unwrap_or_default()
                    .to_uppercase(),
                latitude: None,
                longitude: None,
            },
            currency,
            promised_delivery: None,
            dispatch_by: None,
        },
    })))
}

/// Shopify's `orders/create`, `orders/updated`, `orders/cancelled` (the Order resource,
/// <https://shopify.dev/docs/api/admin-rest/latest/resources/order> and the webhook
/// topics' example payloads at
/// <https://shopify.dev/docs/api/admin-rest/latest/resources/webhook>) and
/// `fulfillments/create` / `fulfillments/update` (the Fulfillment resource,
/// <https://shopify.dev/docs/api/admin-rest/latest/resources/fulfillment>). The topic is
/// `X-Shopify-Topic`; without one, a body with `line_items` and `order_id` is a
/// fulfilment and one with `line_items` alone an order.
fn shopify(topic: Option<&str>, body: &Value) -> Result<Message, ReadError> {
    let fulfilment = match topic.map(str::trim) {
        Some(
            "orders/create"
            | "orders/updated"
            | "orders/cancelled"
            | "orders/fulfilled"
            | "orders/partially_fulfilled"
            | "orders/paid"
            | "orders/edited",
        ) => false,
        Some("fulfillments/create" | "fulfillments/update") => true,
        Some(_) => return Ok(Message::Ignored("a Shopify topic that carries no order")),
        None => body.get("order_id").is_some(),
    };
    if fulfilment {
        let order_id = text(body, "order_id").ok_or_else(|| shape("`order_id` is missing"))?;
        return Ok(Message::Fulfilment {
            order_id,
            parcels: shopify_parcels(body),
        });
    }
    let external_id = text(body, "id").ok_or_else(|| shape("`id` is missing"))?;
    let currency = text(body, "currency").unwrap_or_default().to_uppercase();
    let customer = body.get("customer").cloned().unwrap_or(Value::Null);
    let address = match body.get("shipping_address") {
        Some(a) if a.is_object() => a.clone(),
        _ => body.get("billing_address").cloned().unwrap_or(Value::Null),
    };
    let lines = body
        .get("line_items")
        .and_then(Value::as_array)
        .ok_or_else(|| shape("`line_items` is missing"))?;
    let mut items = Vec::new();
    for line in lines {
        // `current_quantity` counts the order's edits; a line edited away is gone.
        let quantity = match quantity(line, "current_quantity") {
            Some(0) => continue,
            Some(current) => current,
            None => quantity(line, "quantity").unwrap_or(0),
        };
        let product = text(line, "product_id");
        let variant_id = text(line, "variant_id");
        items.push(NewLineItem {
            sku: text(line, "sku")
                .or_else(|| variant_id.as_ref().map(|v| format!("shopify-{v}")))
                .or_else(|| text(line, "id").map(|i| format!("shopify-line-{i}")))
                .unwrap_or_default(),
            name: text(line, "title")
                .or_else(|| text(line, "name"))
                .unwrap_or_default(),
            variant: text(line, "variant_title"),
            quantity,
            unit_price: money(line, "price", &currency)?,
            // Order webhooks carry no product images.
            image_url: None,
            sized: false,
            final_sale: false,
            product,
            product_type: None,
        });
    }
    let shipping = match at(body, &["total_shipping_price_set", "shop_money", "amount"]) {
        Some(amount) => minor_units(amount, &currency)
            .ok_or_else(|| shape("`total_shipping_price_set` is not an amount"))?,
        None => body
            .get("shipping_lines")
            .and_then(Value::as_array)
            .map(|lines| lines.iter().map(|l| money(l, "price", &currency)).sum())
            .transpose()?
            .unwrap_or(0),
    };
    // With `taxes_included`, prices hold the tax already.
    let tax = if body.get("taxes_included").and_then(Value::as_bool) == Some(true) {
        0
    } else {
        money(body, "total_tax", &currency)?
    };
    let name = text(body, "name")
        .map(|n| n.trim_start_matches('#').to_owned())
        .or_else(|| text(body, "order_number"))
        .unwrap_or_default();
    let parcels = body
        .get("fulfillments")
        .and_then(Value::as_array)
        .map(|f| f.iter().flat_map(shopify_parcels).collect())
        .unwrap_or_default();
    Ok(Message::Order(Box::new(PlatformOrder {
        external_id,
        cancelled: body.get("cancelled_at").is_some_and(|c| !c.is_null()),
        parcels,
        order: NewOrder {
            number: name,
            placed_at: text(body, "created_at").and_then(|t| instant(&t)),
            customer: NewCustomer {
                email: text(body, "email")
                    .or_else(|| text(body, "contact_email"))
                    .or_else(|| text(&customer, "email"))
                    .unwrap_or_default(),
                first_name: text(&customer, "first_name")
                    .or_else(|| text(&address, "first_name"))
                    .unwrap_or_default(),
                last_name: text(&customer, "last_name")
                    .or_else(|| text(&address, "last_name"))
                    .unwrap_or_default(),
                phone: mobile(
                    text(body, "phone")
                        .or_else(|| text(&customer, "phone"))
                        .or_else(|| text(&address, "phone")),
                ),
            },
            items,
            shipping,
            discount: money(body, "total_discounts", &currency)?,
            tax,
            delivery_address: NewAddress {
                name: text(&address, "name")
                    .or_else(|| {
                        join_name(text(&address, "first_name"), text(&address, "last_name"))
                    })
                    .unwrap_or_default(),
                street: address_line(text(&address, "address1"), text(&address, "address2")),
                postcode: text(&address, "zip").unwrap_or_default(),
                city: text(&address, "city").unwrap_or_default(),
                country: text(&address, "country_code")
                    .unwrap_or_default()
                    .to_uppercase(),
                latitude: address.get("latitude").and_then(Value::as_f64),
                longitude: address.get("longitude").and_then(Value::as_f64),
            },
            currency,
            promised_delivery: None,
            dispatch_by: None,
        },
    })))
}

/// A Shopify fulfilment's parcels: one per tracking number (`tracking_numbers`, or
/// `tracking_number`), its `tracking_company` as the carrier, its `line_items` by SKU and
/// quantity with the first; a cancelled or failed fulfilment, or one without a tracking
/// number, has none.
fn shopify_parcels(f: &Value) -> Vec<PlatformParcel> {
    if matches!(
        text(f, "status").as_deref(),
        Some("cancelled" | "error" | "failure")
    ) {
        return Vec::new();
    }
    let mut numbers: Vec<String> = f
        .get("tracking_numbers")
        .and_then(Value::as_array)
        .map(|n| {
            n.iter()
                .filter_map(|n| n.as_str().map(str::trim).filter(|n| !n.is_empty()))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if numbers.is_empty() {
        numbers.extend(text(f, "tracking_number"));
    }
    let carrier = carrier_id(&text(f, "tracking_company").unwrap_or_default());
    let items: Vec<(String, u32)> = f
        .get("line_items")
        .and_then(Value::as_array)
        .map(|lines| {
            lines
                .iter()
                .filter_map(|l| {
                    let sku = text(l, "sku")
                        .or_else(|| text(l, "variant_id").map(|v| format!("shopify-{v}")))
                        .or_else(|| text(l, "id").map(|i| format!("shopify-line-{i}")))?;
                    Some((sku, quantity(l, "quantity")?))
                })
                .collect()
        })
        .unwrap_or_default();
    numbers
        .into_iter()
        .enumerate()
        .map(|(i, tracking_number)| PlatformParcel {
            carrier: carrier.clone(),
            tracking_number,
            items: Some(if i == 0 { items.clone() } else { Vec::new() }),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn amounts_count_the_currency_minor_units() {
        assert_eq!(minor_units(&json!("12.34"), "EUR"), Some(1234));
        assert_eq!(minor_units(&json!(12.3), "EUR"), Some(1230));
        assert_eq!(minor_units(&json!("1000"), "JPY"), Some(1000));
        assert_eq!(minor_units(&json!("1000.00"), "JPY"), Some(1000));
        assert_eq!(minor_units(&json!("1.234"), "KWD"), Some(1234));
        assert_eq!(minor_units(&json!("8.335"), "EUR"), Some(834));
        assert_eq!(minor_units(&json!(".5"), "EUR"), Some(50));
        assert_eq!(minor_units(&json!("-2.50"), "EUR"), Some(-250));
        for bad in [
            json!("12,34"),
            json!("abc"),
            json!(""),
            json!(null),
            json!("1e3"),
        ] {
            assert_eq!(minor_units(&bad, "EUR"), None, "{bad}");
        }
    }

    #[test]
    fn carriers_become_our_ids() {
        assert_eq!(carrier_id("DHL Express"), "dhl");
        assert_eq!(carrier_id("DHL Paket"), "dhl");
        assert_eq!(carrier_id("PostNL"), "postnl");
        assert_eq!(carrier_id("UPS"), "ups");
        assert_eq!(carrier_id("Royal Mail"), "royal-mail");
        assert_eq!(carrier_id("FedEx"), "fedex");
        assert_eq!(carrier_id("Canada Post"), "canada-post");
        assert_eq!(carrier_id("Standard"), "standard");
        assert_eq!(carrier_id("  "), "other");
        // "Groups" is not UPS.
        assert_eq!(carrier_id("Groups Express"), "groups-express");
    }

    #[test]
    fn signatures_are_each_platforms_own() {
        let body = br#"{"id":1}"#;
        for platform in Platform::ALL {
            let signature = sign(platform, "secret-1", body);
            assert!(
                platform.verify("secret-1", body, &signature),
                "{platform:?}"
            );
            assert!(!platform.verify("secret-2", body, &signature));
            assert!(!platform.verify("secret-1", b"{\"id\":2}", &signature));
        }
        // Shopware's is hex, the others' base64.
        assert!(sign(Platform::Shopware, "s", body)
            .bytes()
            .all(|b| b.is_ascii_hexdigit()));
        assert!(!Platform::Shopify.verify("s", body, &sign(Platform::Shopware, "s", body)));
    }

    #[test]
    fn woocommerce_pings_are_known() {
        assert!(is_woocommerce_ping(b"webhook_id=12"));
        assert!(!is_woocommerce_ping(b"webhook_id="));
        assert!(!is_woocommerce_ping(b"{\"webhook_id\":12}"));
    }

    #[test]
    fn lines_without_sku_fall_back_to_the_platforms_ids() {
        let body = json!({"id": 7, "number": "7", "currency": "EUR",
            "billing": {"email": "a@b.example", "first_name": "A"},
            "line_items": [{"name": "Mug", "product_id": 3, "variation_id": 0,
                            "quantity": 2, "subtotal": "10.00", "sku": ""},
                           {"name": "Tee", "product_id": 4, "variation_id": 9,
                            "quantity": 1, "subtotal": "5.5"}]});
        let Message::Order(o) = woocommerce(Some("order.created"), &body).unwrap() else {
            panic!()
        };
        assert_eq!(o.order.items[0].sku, "woocommerce-3");
        assert_eq!(o.order.items[0].unit_price, 500);
        assert_eq!(o.order.items[1].sku, "woocommerce-9");
        assert_eq!(o.order.items[1].unit_price, 550);
    }

    #[test]
    fn a_shopify_fulfilment_is_a_parcel_per_tracking_number() {
        let f = json!({"order_id": 5, "status": "success", "tracking_company": "DHL Express",
            "tracking_numbers": ["JD1", "JD2"], "tracking_number": "JD1",
            "line_items": [{"id": 9, "variant_id": 7, "sku": null, "quantity": 2}]});
        let parcels = shopify_parcels(&f);
        assert_eq!(parcels.len(), 2);
        assert_eq!(parcels[0].carrier, "dhl");
        assert_eq!(parcels[0].items, Some(vec![("shopify-7".to_owned(), 2)]));
        assert_eq!(parcels[1].tracking_number, "JD2");
        assert_eq!(parcels[1].items, Some(Vec::new()));
        let mut cancelled = f.clone();
        cancelled["status"] = json!("cancelled");
        assert!(shopify_parcels(&cancelled).is_empty());
        let mut untracked = f;
        untracked["tracking_numbers"] = json!([]);
        untracked["tracking_number"] = json!(null);
        assert!(shopify_parcels(&untracked).is_empty());
        // Without a topic header, a body naming its order is a fulfilment.
        assert!(matches!(
            shopify(None, &json!({"id": 1, "order_id": 5})),
            Ok(Message::Fulfilment { .. })
        ));
        assert!(matches!(
            shopify(Some("products/update"), &json!({})),
            Ok(Message::Ignored(_))
        ));
    }

    #[test]
    fn field_names_are_the_platforms() {
        assert_eq!(
            Platform::WooCommerce.field_name("customer.email"),
            "billing.email"
        );
        assert_eq!(
            Platform::Shopify.field_name("items[2].sku"),
            "line_items[2].sku"
        );
        assert_eq!(
            Platform::Shopware.field_name("items[0].name"),
            "lineItems[0].name"
        );
        assert_eq!(
            Platform::Shopware.field_name("customer.email"),
            "orderCustomer.email"
        );
    }

    #[test]
    fn entity_written_events_change_nothing() {
        let body = json!({"data": {"payload": [{"entity": "order", "operation": "update",
            "primaryKey": "abc", "updatedFields": ["stateId"]}], "event": "order.written"},
            "source": {"url": "https://shop.example", "appVersion": "1.0.0", "shopId": "x1"},
            "timestamp": 1});
        assert!(matches!(shopware(&body), Ok(Message::Ignored(_))));
        assert!(matches!(
            shopware(&json!({"data": {}})),
            Err(ReadError::Shape(_))
        ));
    }
}
