//! Every SQL statement of the server, behind functions named for what they do.

use postpurchase_api::{
    CustomerView, DateWindow, LineItemView, MaskedAddress, NewOrder, OrderView, ShipmentItem,
    ShipmentStatus, ShipmentSummary, ShopContact, Totals, TrackingEvent,
};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::domain;

/// A shop as the server needs it to answer requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shop {
    pub id: i64,
    pub slug: String,
    pub allowed_origins: Vec<String>,
    pub token_valid_days: u32,
    /// The shop's own order page, the widget's fallback link.
    pub order_status_url: Option<String>,
}

/// What a new shop is set up with.
#[derive(Clone, Debug, Default)]
pub struct NewShop<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub api_key: &'a str,
    pub allowed_origins: &'a [String],
    pub locale: &'a str,
    pub support_email: Option<&'a str>,
    pub support_phone: Option<&'a str>,
    pub support_url: Option<&'a str>,
    pub order_status_url: Option<&'a str>,
}

pub fn insert_shop(tx: &Transaction, shop: &NewShop) -> rusqlite::Result<i64> {
    tx.execute(
        "INSERT INTO shops (slug, name, api_key_hash, allowed_origins, locale, support_email,
                            support_phone, support_url, order_status_url)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            shop.slug,
            shop.name,
            &domain::secret_hash(shop.api_key)[..],
            shop.allowed_origins.join("\n"),
            shop.locale,
            shop.support_email,
            shop.support_phone,
            shop.support_url,
            shop.order_status_url,
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// `SELECT` of the columns `shop_from_row` reads, in its order, with `$tail` appended.
macro_rules! shop_query {
    ($tail:literal) => {
        concat!(
            "SELECT id, slug, allowed_origins, token_valid_days, order_status_url FROM shops ",
            $tail
        )
    };
}

fn shop_from_row(row: &rusqlite::Row) -> rusqlite::Result<Shop> {
    let origins: String = row.get(2)?;
    Ok(Shop {
        id: row.get(0)?,
        slug: row.get(1)?,
        allowed_origins: origins
            .lines()
            .map(str::to_owned)
            .filter(|o| !o.is_empty())
            .collect(),
        token_valid_days: row.get(3)?,
        order_status_url: row.get(4)?,
    })
}

/// Every shop, for the CORS table kept in memory.
pub fn all_shops(conn: &Connection) -> rusqlite::Result<Vec<Shop>> {
    let mut stmt = conn.prepare(shop_query!("ORDER BY id"))?;
    let shops = stmt.query_map([], shop_from_row)?.collect();
    shops
}

pub fn shop_by_slug(conn: &Connection, slug: &str) -> rusqlite::Result<Option<Shop>> {
    conn.prepare_cached(shop_query!("WHERE slug = ?1"))?
        .query_row([slug], shop_from_row)
        .optional()
}

/// The shop an admin API key belongs to.
pub fn shop_by_api_key(conn: &Connection, api_key: &str) -> rusqlite::Result<Option<Shop>> {
    conn.prepare_cached(shop_query!("WHERE api_key_hash = ?1"))?
        .query_row([&domain::secret_hash(api_key)[..]], shop_from_row)
        .optional()
}

/// Outcome of storing an order sent by a merchant.
pub enum Inserted {
    Created(i64),
    /// The shop already has an order with this number.
    Duplicate,
}

/// Stores a validated order with its customer and lines, in the caller's transaction.
pub fn insert_order(
    tx: &Transaction,
    shop_id: i64,
    order: &NewOrder,
    placed_at: i64,
) -> rusqlite::Result<Inserted> {
    let exists = tx
        .prepare_cached("SELECT 1 FROM orders WHERE shop_id = ?1 AND number = ?2")?
        .exists(params![shop_id, order.number])?;
    if exists {
        return Ok(Inserted::Duplicate);
    }
    let c = &order.customer;
    tx.execute(
        "INSERT INTO customers (shop_id, email, first_name, last_name) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (shop_id, email) DO UPDATE SET first_name = excluded.first_name,
                                                    last_name = excluded.last_name",
        params![
            shop_id,
            c.email.trim().to_lowercase(),
            c.first_name.trim(),
            c.last_name.trim()
        ],
    )?;
    let customer_id: i64 = tx.query_row(
        "SELECT id FROM customers WHERE shop_id = ?1 AND email = ?2",
        params![shop_id, c.email.trim().to_lowercase()],
        |r| r.get(0),
    )?;
    let subtotal: i64 = order
        .items
        .iter()
        .map(|i| i.unit_price * i64::from(i.quantity))
        .sum();
    let total = domain::order_total(subtotal, order.shipping, order.discount, order.tax);
    let a = &order.delivery_address;
    let (promised_from, promised_to) = match &order.promised_delivery {
        Some(w) => (Some(&w.earliest), Some(&w.latest)),
        None => (None, None),
    };
    tx.execute(
        "INSERT INTO orders (shop_id, number, customer_id, placed_at, currency, subtotal, shipping,
                             discount, tax, total, ship_name, ship_street, ship_postcode, ship_city,
                             ship_country, promised_from, promised_to)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
        params![
            shop_id,
            order.number.trim(),
            customer_id,
            placed_at,
            order.currency,
            subtotal,
            order.shipping,
            order.discount,
            order.tax,
            total,
            a.name,
            a.street,
            a.postcode,
            a.city,
            a.country,
            promised_from,
            promised_to
        ],
    )?;
    let order_id = tx.last_insert_rowid();
    let mut insert_item = tx.prepare_cached(
        "INSERT INTO order_items (order_id, position, sku, name, variant, quantity, unit_price, image_url)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (position, item) in order.items.iter().enumerate() {
        insert_item.execute(params![
            order_id,
            position as i64,
            item.sku,
            item.name,
            item.variant,
            item.quantity,
            item.unit_price,
            item.image_url
        ])?;
    }
    Ok(Inserted::Created(order_id))
}

/// The id of a shop's order by its number.
pub fn order_id_by_number(
    conn: &Connection,
    shop_id: i64,
    number: &str,
) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT id FROM orders WHERE shop_id = ?1 AND number = ?2")?
        .query_row(params![shop_id, number], |r| r.get(0))
        .optional()
}

/// Stores the hash of a capability token for an order.
pub fn insert_token(
    tx: &Transaction,
    order_id: i64,
    token: &str,
    expires_at: i64,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO order_tokens (token_hash, order_id, expires_at) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![
        &domain::secret_hash(token)[..],
        order_id,
        expires_at
    ])?;
    Ok(())
}

/// Adds a parcel with the given items (order line position, quantity).
pub fn insert_shipment(
    tx: &Transaction,
    order_id: i64,
    carrier: &str,
    tracking_number: &str,
    status: ShipmentStatus,
    items: &[(i64, u32)],
) -> rusqlite::Result<i64> {
    tx.execute(
        "INSERT INTO shipments (order_id, carrier, tracking_number, status) VALUES (?1, ?2, ?3, ?4)",
        params![order_id, carrier, tracking_number, status.as_str()],
    )?;
    let shipment_id = tx.last_insert_rowid();
    for (position, quantity) in items {
        tx.execute(
            "INSERT INTO shipment_items (shipment_id, order_item_id, quantity)
             SELECT ?1, id, ?3 FROM order_items WHERE order_id = ?2 AND position = ?4",
            params![shipment_id, order_id, quantity, position],
        )?;
    }
    Ok(shipment_id)
}

/// The shopper's view of the order a token opens, if the token is the shop's and unexpired.
pub fn order_view_by_token(
    conn: &Connection,
    shop_slug: &str,
    token: &str,
    now: i64,
) -> rusqlite::Result<Option<OrderView>> {
    let head = conn
        .prepare_cached(
            "SELECT o.id, o.number, o.placed_at, o.currency, o.subtotal, o.shipping, o.discount,
                    o.tax, o.total, o.ship_name, o.ship_street, o.ship_postcode, o.ship_city,
                    o.ship_country, o.promised_from, o.promised_to, o.cancelled,
                    c.id, c.first_name, c.email,
                    s.name, s.support_email, s.support_phone, s.support_url, s.order_status_url
             FROM order_tokens t
             JOIN orders o ON o.id = t.order_id
             JOIN shops s ON s.id = o.shop_id
             JOIN customers c ON c.id = o.customer_id
             WHERE t.token_hash = ?1 AND t.expires_at > ?2 AND s.slug = ?3",
        )?
        .query_row(
            params![&domain::secret_hash(token)[..], now, shop_slug],
            |r| {
                let promised_from: Option<String> = r.get(14)?;
                let promised_to: Option<String> = r.get(15)?;
                let email: String = r.get(19)?;
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, bool>(16)?,
                    r.get::<_, i64>(17)?,
                    OrderView {
                        number: r.get(1)?,
                        placed_at: String::new(),
                        stage: postpurchase_api::OrderStage::Processing,
                        currency: r.get(3)?,
                        customer: CustomerView {
                            first_name: r.get(18)?,
                            email_masked: domain::mask_email(&email),
                            returning: false,
                        },
                        items: Vec::new(),
                        totals: Totals {
                            subtotal: r.get(4)?,
                            shipping: r.get(5)?,
                            discount: r.get(6)?,
                            tax: r.get(7)?,
                            total: r.get(8)?,
                        },
                        delivery_address: MaskedAddress {
                            name: domain::mask_name(&r.get::<_, String>(9)?),
                            street: domain::mask_street(&r.get::<_, String>(10)?),
                            postcode: domain::mask_postcode(&r.get::<_, String>(11)?),
                            city: r.get(12)?,
                            country: r.get(13)?,
                        },
                        promised_delivery: promised_from
                            .zip(promised_to)
                            .map(|(earliest, latest)| DateWindow { earliest, latest }),
                        shipments: Vec::new(),
                        delivery_options: None,
                        shop: ShopContact {
                            name: r.get(20)?,
                            support_email: r.get(21)?,
                            support_phone: r.get(22)?,
                            support_url: r.get(23)?,
                            order_status_url: r.get(24)?,
                        },
                    },
                ))
            },
        )
        .optional()?;
    let Some((order_id, placed_at, cancelled, customer_id, mut view)) = head else {
        return Ok(None);
    };
    view.placed_at = time::OffsetDateTime::from_unix_timestamp(placed_at)
        .map(domain::format_instant)
        .unwrap_or_default();
    view.customer.returning = conn
        .prepare_cached(
            "SELECT 1 FROM orders WHERE customer_id = ?1 AND placed_at < ?2 AND id <> ?3 LIMIT 1",
        )?
        .exists(params![customer_id, placed_at, order_id])?;
    view.items = conn
        .prepare_cached(
            "SELECT id, name, variant, quantity, unit_price, image_url FROM order_items
             WHERE order_id = ?1 ORDER BY position",
        )?
        .query_map([order_id], |r| {
            let quantity: u32 = r.get(3)?;
            let unit_price: i64 = r.get(4)?;
            Ok(LineItemView {
                id: r.get(0)?,
                name: r.get(1)?,
                variant: r.get(2)?,
                quantity,
                unit_price,
                line_total: unit_price * i64::from(quantity),
                image_url: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let shipments: Vec<(i64, ShipmentSummary)> = conn
        .prepare_cached(
            "SELECT id, carrier, tracking_number, status, carrier_code, carrier_text
             FROM shipments WHERE order_id = ?1 ORDER BY id",
        )?
        .query_map([order_id], |r| {
            Ok((
                r.get(0)?,
                ShipmentSummary {
                    carrier: r.get(1)?,
                    tracking_number: r.get(2)?,
                    status: status_of(&r.get::<_, String>(3)?),
                    carrier_code: r.get(4)?,
                    carrier_text: r.get(5)?,
                    ..Default::default()
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut items = conn.prepare_cached(
        "SELECT order_item_id, quantity FROM shipment_items WHERE shipment_id = ?1 ORDER BY order_item_id",
    )?;
    let mut events = conn.prepare_cached(
        "SELECT occurred_at, status, code, text, location FROM shipment_events WHERE shipment_id = ?1
         ORDER BY occurred_at DESC, received_at DESC LIMIT 100",
    )?;
    view.shipments = shipments
        .into_iter()
        .map(|(id, mut shipment)| {
            shipment.items = items
                .query_map([id], |r| {
                    Ok(ShipmentItem {
                        line_id: r.get(0)?,
                        quantity: r.get(1)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            shipment.events = events
                .query_map([id], |r| {
                    Ok(TrackingEvent {
                        occurred_at: time::OffsetDateTime::from_unix_timestamp(r.get(0)?)
                            .map(domain::format_instant)
                            .unwrap_or_default(),
                        status: status_of(&r.get::<_, String>(1)?),
                        code: r.get(2)?,
                        text: r.get(3)?,
                        location: r.get(4)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            Ok(shipment)
        })
        .collect::<rusqlite::Result<_>>()?;
    let statuses: Vec<ShipmentStatus> = view.shipments.iter().map(|s| s.status).collect();
    view.stage = domain::order_stage(cancelled, &statuses);
    Ok(Some(view))
}

/// How long an `Idempotency-Key` is remembered.
pub const IDEMPOTENCY_WINDOW_SECONDS: i64 = 86_400;

/// What an `Idempotency-Key` already stands for.
pub enum KeyUse {
    /// Not seen (or forgotten): go ahead.
    Fresh,
    /// The same request made this order before.
    Replay(i64),
    /// The key was used for a different request.
    Conflict,
}

pub fn idempotency_key_use(
    tx: &Transaction,
    shop_id: i64,
    key: &str,
    request_hash: &[u8],
    now: i64,
) -> rusqlite::Result<KeyUse> {
    tx.execute(
        "DELETE FROM idempotency_keys WHERE created_at < ?1",
        [now - IDEMPOTENCY_WINDOW_SECONDS],
    )?;
    let seen: Option<(Vec<u8>, i64)> = tx
        .prepare_cached(
            "SELECT request_hash, order_id FROM idempotency_keys WHERE shop_id = ?1 AND key = ?2",
        )?
        .query_row(params![shop_id, key], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(match seen {
        None => KeyUse::Fresh,
        Some((hash, order_id)) if hash == request_hash => KeyUse::Replay(order_id),
        Some(_) => KeyUse::Conflict,
    })
}

pub fn remember_idempotency_key(
    tx: &Transaction,
    shop_id: i64,
    key: &str,
    request_hash: &[u8],
    order_id: i64,
    now: i64,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO idempotency_keys (shop_id, key, request_hash, order_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![shop_id, key, request_hash, order_id, now],
    )?;
    Ok(())
}

fn status_of(name: &str) -> ShipmentStatus {
    ShipmentStatus::parse(name).unwrap_or(ShipmentStatus::Unknown)
}

/// A shop's shipment, by carrier and tracking number.
pub fn shipment_id_by_tracking(
    conn: &Connection,
    shop_id: i64,
    carrier: &str,
    tracking_number: &str,
) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached(
        "SELECT s.id FROM shipments s JOIN orders o ON o.id = s.order_id
         WHERE o.shop_id = ?1 AND s.carrier = ?2 AND s.tracking_number = ?3",
    )?
    .query_row(params![shop_id, carrier, tracking_number], |r| r.get(0))
    .optional()
}

/// An order line as parcels see it.
#[derive(Clone, Copy, Debug)]
pub struct Line {
    pub id: i64,
    pub position: i64,
    pub ordered: u32,
    /// How many are already in registered parcels.
    pub shipped: u32,
}

/// An order's lines by SKU.
pub fn lines_by_sku(
    conn: &Connection,
    order_id: i64,
) -> rusqlite::Result<std::collections::HashMap<String, Line>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.sku, i.id, i.position, i.quantity, COALESCE(SUM(si.quantity), 0)
         FROM order_items i LEFT JOIN shipment_items si ON si.order_item_id = i.id
         WHERE i.order_id = ?1 GROUP BY i.id",
    )?;
    let rows = stmt.query_map([order_id], |r| {
        Ok((
            r.get(0)?,
            Line {
                id: r.get(1)?,
                position: r.get(2)?,
                ordered: r.get(3)?,
                shipped: r.get(4)?,
            },
        ))
    })?;
    rows.collect()
}

/// Stores one carrier event unless its id is known; true when it was new.
pub fn record_event(
    tx: &Transaction,
    shipment_id: i64,
    event: &postpurchase_api::CarrierEvent,
    status: ShipmentStatus,
    occurred_at: i64,
    now: i64,
) -> rusqlite::Result<bool> {
    let inserted = tx.execute(
        "INSERT OR IGNORE INTO shipment_events
             (shipment_id, event_id, occurred_at, status, code, text, location, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            shipment_id,
            event.event_id.trim(),
            occurred_at,
            status.as_str(),
            event.code.trim(),
            event.text.as_deref().map(str::trim),
            event.location.as_deref().map(str::trim),
            now
        ],
    )?;
    Ok(inserted == 1)
}

/// Sets a shipment's status and carrier words from its latest event by time (events may
/// arrive in any order); returns the status and the number of events.
pub fn refresh_shipment(
    tx: &Transaction,
    shipment_id: i64,
) -> rusqlite::Result<(ShipmentStatus, u32)> {
    tx.execute(
        "UPDATE shipments SET (status, carrier_code, carrier_text) = (
             SELECT status, code, text FROM shipment_events WHERE shipment_id = ?1
             ORDER BY occurred_at DESC, received_at DESC LIMIT 1)
         WHERE id = ?1 AND EXISTS (SELECT 1 FROM shipment_events WHERE shipment_id = ?1)",
        [shipment_id],
    )?;
    tx.query_row(
        "SELECT status, (SELECT count(*) FROM shipment_events WHERE shipment_id = ?1)
         FROM shipments WHERE id = ?1",
        [shipment_id],
        |r| {
            let status: String = r.get(0)?;
            Ok((
                ShipmentStatus::parse(&status).unwrap_or(ShipmentStatus::Unknown),
                r.get(1)?,
            ))
        },
    )
}
