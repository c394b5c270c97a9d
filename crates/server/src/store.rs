//! Every SQL statement of the server, behind functions named for what they do.

use postpurchase_api::{
    CustomerView, DateWindow, DeliveredTo, DeliveryChoice, DeliveryOptions, DeliverySlot,
    LineItemView, MaskedAddress, Module, NewOrder, OrderView, PickupPoint, ShipmentItem,
    ShipmentStatus, ShipmentSummary, ShopContact, TimeWindow, Totals, TrackingEvent,
};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::{delivery, domain};

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
                             ship_country, promised_from, promised_to, ship_latitude, ship_longitude)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
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
            promised_to,
            a.latitude,
            a.longitude
        ],
    )?;
    let order_id = tx.last_insert_rowid();
    let mut insert_item = tx.prepare_cached(
        "INSERT INTO order_items (order_id, position, sku, name, variant, quantity, unit_price, image_url,
                                  sized, final_sale, product)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
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
            item.image_url,
            item.sized,
            item.final_sale,
            item.product.as_deref().map(str::trim)
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

/// The order a capability token opens, if the token is the shop's and unexpired.
#[derive(Clone, Copy, Debug)]
pub struct OrderRef {
    pub order_id: i64,
    pub shop_id: i64,
}

pub fn order_by_token(
    conn: &Connection,
    shop_slug: &str,
    token: &str,
    now: i64,
) -> rusqlite::Result<Option<OrderRef>> {
    conn.prepare_cached(
        "SELECT o.id, o.shop_id FROM order_tokens t
         JOIN orders o ON o.id = t.order_id
         JOIN shops s ON s.id = o.shop_id
         WHERE t.token_hash = ?1 AND t.expires_at > ?2 AND s.slug = ?3",
    )?
    .query_row(
        params![&domain::secret_hash(token)[..], now, shop_slug],
        |r| {
            Ok(OrderRef {
                order_id: r.get(0)?,
                shop_id: r.get(1)?,
            })
        },
    )
    .optional()
}

/// A shop's delivery-choice settings and offers, as the order view needs them.
pub struct ShopDelivery {
    pub policy: delivery::Policy,
    pub safe_places: Vec<String>,
    pub neighbour: bool,
}

impl ShopDelivery {
    pub fn offer(&self) -> delivery::Offer<'_> {
        delivery::Offer {
            neighbour: self.neighbour,
            safe_places: &self.safe_places,
        }
    }
}

/// Columns `delivery_from_row` reads, from `shops s`.
const DELIVERY_COLUMNS: &str =
    "s.time_zone, s.choice_cutoff, s.later_days, s.safe_places, s.neighbour_allowed";

fn delivery_from_row(r: &rusqlite::Row, first: usize) -> rusqlite::Result<ShopDelivery> {
    let places: String = r.get(first + 3)?;
    Ok(ShopDelivery {
        policy: delivery::Policy::from_settings(
            &r.get::<_, String>(first)?,
            &r.get::<_, String>(first + 1)?,
            r.get(first + 2)?,
        ),
        safe_places: places.lines().map(str::to_owned).collect(),
        neighbour: r.get(first + 4)?,
    })
}

pub fn shop_delivery(conn: &Connection, shop_id: i64) -> rusqlite::Result<ShopDelivery> {
    conn.prepare_cached(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM shops s WHERE s.id = ?1"
    ))?
    .query_row([shop_id], |r| delivery_from_row(r, 0))
}

/// A parcel's choice as stored, with what the rules need to judge it.
pub struct StoredChoice {
    pub status: ShipmentStatus,
    pub eta_from: Option<i64>,
    pub choice: Option<DeliveryChoice>,
    /// The chosen slot's date (`YYYY-MM-DD`), when the choice is a slot.
    pub slot_date: Option<String>,
    pub version: i64,
}

impl StoredChoice {
    /// The local day the parcel is now due: the chosen day, else the carrier's estimate.
    pub fn due(&self, policy: &delivery::Policy) -> Option<jiff::civil::Date> {
        let chosen = self
            .slot_date
            .as_deref()
            .or(self.choice.as_ref().and_then(|c| c.date.as_deref()))
            .and_then(|d| d.parse().ok());
        chosen.or_else(|| self.expected(policy))
    }

    /// The local day the carrier expects to deliver.
    pub fn expected(&self, policy: &delivery::Policy) -> Option<jiff::civil::Date> {
        self.eta_from
            .and_then(|t| jiff::Timestamp::from_second(t).ok())
            .map(|t| policy.date_of(t))
    }

    pub fn etag(&self) -> String {
        format!("\"c{}\"", self.version)
    }
}

fn choice_from_row(r: &rusqlite::Row, first: usize) -> rusqlite::Result<StoredChoice> {
    let choice: Option<String> = r.get(first + 2)?;
    Ok(StoredChoice {
        status: status_of(&r.get::<_, String>(first)?),
        eta_from: r.get(first + 1)?,
        choice: choice.and_then(|c| serde_json::from_str(&c).ok()),
        slot_date: r.get(first + 3)?,
        version: r.get(first + 4)?,
    })
}

/// Columns `choice_from_row` reads, from `shipments s LEFT JOIN delivery_slots d`.
const CHOICE_COLUMNS: &str = "s.status, s.eta_from, s.choice, d.date, s.choice_version";

/// A parcel of an order, with its choice, for the shopper's change.
pub fn stored_choice(
    conn: &Connection,
    order_id: i64,
    shipment_id: i64,
) -> rusqlite::Result<Option<StoredChoice>> {
    conn.prepare_cached(&format!(
        "SELECT {CHOICE_COLUMNS} FROM shipments s
         LEFT JOIN delivery_slots d ON d.id = s.choice_slot_id
         WHERE s.id = ?1 AND s.order_id = ?2"
    ))?
    .query_row(params![shipment_id, order_id], |r| choice_from_row(r, 0))
    .optional()
}

/// An instant in Unix seconds as RFC 3339, UTC.
pub fn instant(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(domain::format_instant)
        .unwrap_or_default()
}

/// The shopper's view of an order, as of `now`.
pub fn order_view(conn: &Connection, order_id: i64, now: i64) -> rusqlite::Result<OrderView> {
    let (placed_at, cancelled, customer_id, shop_id, home, settings, mut view) = conn
        .prepare_cached(&format!(
            "SELECT o.number, o.placed_at, o.currency, o.subtotal, o.shipping, o.discount,
                    o.tax, o.total, o.ship_name, o.ship_street, o.ship_postcode, o.ship_city,
                    o.ship_country, o.promised_from, o.promised_to, o.cancelled,
                    c.id, c.first_name, c.email,
                    s.name, s.support_email, s.support_phone, s.support_url, s.order_status_url,
                    s.id, o.ship_latitude, o.ship_longitude,
                    s.returns_enabled, s.reviews_enabled,
                    s.referral_enabled AND s.referral_terms IS NOT NULL, s.survey_enabled,
                    {DELIVERY_COLUMNS}
             FROM orders o
             JOIN shops s ON s.id = o.shop_id
             JOIN customers c ON c.id = o.customer_id
             WHERE o.id = ?1"
        ))?
        .query_row([order_id], |r| {
            let promised_from: Option<String> = r.get(13)?;
            let promised_to: Option<String> = r.get(14)?;
            let email: String = r.get(18)?;
            let home: Option<(f64, f64)> = r.get::<_, Option<f64>>(25)?.zip(r.get(26)?);
            Ok((
                r.get::<_, i64>(1)?,
                r.get::<_, bool>(15)?,
                r.get::<_, i64>(16)?,
                r.get::<_, i64>(24)?,
                home,
                delivery_from_row(r, 31)?,
                OrderView {
                    number: r.get(0)?,
                    placed_at: String::new(),
                    stage: postpurchase_api::OrderStage::Processing,
                    currency: r.get(2)?,
                    customer: CustomerView {
                        first_name: r.get(17)?,
                        email_masked: domain::mask_email(&email),
                        returning: false,
                    },
                    items: Vec::new(),
                    totals: Totals {
                        subtotal: r.get(3)?,
                        shipping: r.get(4)?,
                        discount: r.get(5)?,
                        tax: r.get(6)?,
                        total: r.get(7)?,
                    },
                    delivery_address: MaskedAddress {
                        name: domain::mask_name(&r.get::<_, String>(8)?),
                        street: domain::mask_street(&r.get::<_, String>(9)?),
                        postcode: domain::mask_postcode(&r.get::<_, String>(10)?),
                        city: r.get(11)?,
                        country: r.get(12)?,
                    },
                    promised_delivery: promised_from
                        .zip(promised_to)
                        .map(|(earliest, latest)| DateWindow { earliest, latest }),
                    shipments: Vec::new(),
                    delivery_options: None,
                    shop: ShopContact {
                        name: r.get(19)?,
                        support_email: r.get(20)?,
                        support_phone: r.get(21)?,
                        support_url: r.get(22)?,
                        order_status_url: r.get(23)?,
                    },
                    modules: [
                        Module::Returns,
                        Module::Reviews,
                        Module::Referral,
                        Module::Survey,
                    ]
                    .into_iter()
                    .zip(27..)
                    .filter_map(|(m, i)| r.get::<_, bool>(i).map(|on| on.then_some(m)).transpose())
                    .collect::<rusqlite::Result<_>>()?,
                },
            ))
        })?;
    view.placed_at = instant(placed_at);
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
    let policy = &settings.policy;
    let clock = jiff::Timestamp::from_second(now).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let shipments: Vec<ShipmentSummary> = conn
        .prepare_cached(&format!(
            "SELECT s.id, s.carrier, s.tracking_number, s.carrier_code, s.carrier_text,
                    s.delivered_to, s.eta_to, {CHOICE_COLUMNS}
             FROM shipments s LEFT JOIN delivery_slots d ON d.id = s.choice_slot_id
             WHERE s.order_id = ?1 ORDER BY s.id"
        ))?
        .query_map([order_id], |r| {
            let stored = choice_from_row(r, 7)?;
            let carrier: String = r.get(1)?;
            let tracking_number: String = r.get(2)?;
            let eta_to: Option<i64> = r.get(6)?;
            let (locked, until) = delivery::lock(stored.status, stored.due(policy), clock, policy);
            Ok(ShipmentSummary {
                id: r.get(0)?,
                tracking_url: domain::tracking_url(&carrier, &tracking_number),
                carrier_name: domain::carrier_name(&carrier),
                carrier,
                tracking_number,
                status: stored.status,
                delivered_to: r
                    .get::<_, Option<String>>(5)?
                    .as_deref()
                    .and_then(DeliveredTo::parse),
                estimated_delivery: stored.eta_from.zip(eta_to).map(|(from, to)| TimeWindow {
                    from: instant(from),
                    to: instant(to),
                }),
                carrier_code: r.get(3)?,
                carrier_text: r.get(4)?,
                choice_etag: stored.etag(),
                delivery_dates: locked
                    .is_none()
                    .then(|| delivery::delivery_dates(stored.expected(policy), clock, policy))
                    .flatten(),
                changeable_until: until.map(|t| instant(t.as_second())),
                locked,
                choice: stored.choice,
                items: Vec::new(),
                events: Vec::new(),
            })
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
        .map(|mut shipment| {
            shipment.items = items
                .query_map([shipment.id], |r| {
                    Ok(ShipmentItem {
                        line_id: r.get(0)?,
                        quantity: r.get(1)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            shipment.events = events
                .query_map([shipment.id], |r| {
                    Ok(TrackingEvent {
                        occurred_at: instant(r.get(0)?),
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
    if view.shipments.iter().any(|s| s.locked.is_none()) {
        view.delivery_options = delivery_options(conn, order_id, shop_id, &settings, clock, home)?;
    }
    Ok(view)
}

/// A slot from `id, date, starts, ends, price, capacity - taken`.
fn slot_from_row(r: &rusqlite::Row) -> rusqlite::Result<DeliverySlot> {
    Ok(DeliverySlot {
        id: r.get(0)?,
        date: r.get(1)?,
        from: r.get(2)?,
        to: r.get(3)?,
        price: r.get(4)?,
        places_left: r.get(5)?,
    })
}

/// A pickup point from `id, locker, name, address, opening_hours, latitude, longitude`,
/// with its distance from `home` when both places are known.
fn point_from_row(r: &rusqlite::Row, home: Option<(f64, f64)>) -> rusqlite::Result<PickupPoint> {
    let hours: String = r.get(4)?;
    let at: Option<(f64, f64)> = r.get::<_, Option<f64>>(5)?.zip(r.get(6)?);
    Ok(PickupPoint {
        id: r.get(0)?,
        locker: r.get(1)?,
        name: r.get(2)?,
        address: r.get(3)?,
        opening_hours: hours.lines().map(str::to_owned).collect(),
        distance_m: home.zip(at).map(|(a, b)| delivery::distance_m(a, b)),
    })
}

/// What the shop offers this order's parcels: open slots (and any this order holds),
/// safe places, the nearest pickup points. `None` when it offers nothing.
fn delivery_options(
    conn: &Connection,
    order_id: i64,
    shop_id: i64,
    settings: &ShopDelivery,
    now: jiff::Timestamp,
    home: Option<(f64, f64)>,
) -> rusqlite::Result<Option<DeliveryOptions>> {
    let policy = &settings.policy;
    let today = policy.today(now).to_string();
    let slots = conn
        .prepare_cached(
            "SELECT id, date, starts, ends, price, capacity - taken FROM delivery_slots
             WHERE shop_id = ?1 AND (date >= ?2 OR id IN
                   (SELECT choice_slot_id FROM shipments WHERE order_id = ?3))
             ORDER BY date, starts LIMIT 60",
        )?
        .query_map(params![shop_id, today, order_id], slot_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .filter(|slot| slot.date.parse().is_ok_and(|d| policy.open_for(d, now)))
        .collect::<Vec<_>>();
    let mut pickup_points = conn
        .prepare_cached(
            "SELECT id, locker, name, address, opening_hours, latitude, longitude
             FROM pickup_points WHERE shop_id = ?1",
        )?
        .query_map([shop_id], |r| point_from_row(r, home))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    pickup_points.sort_by_key(|p| (p.distance_m.is_none(), p.distance_m));
    pickup_points.truncate(10);
    let options = DeliveryOptions {
        slots,
        safe_places: settings.safe_places.clone(),
        pickup_points,
        neighbour: settings.neighbour,
    };
    let offers_anything = !options.slots.is_empty()
        || !options.safe_places.is_empty()
        || !options.pickup_points.is_empty()
        || options.neighbour
        || policy.later_days > 0;
    Ok(offers_anything.then_some(options))
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
    (status, delivered_to): domain::Mapped,
    occurred_at: i64,
    now: i64,
) -> rusqlite::Result<bool> {
    let inserted = tx.execute(
        "INSERT OR IGNORE INTO shipment_events
             (shipment_id, event_id, occurred_at, status, code, text, location, received_at,
              delivered_to)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            shipment_id,
            event.event_id.trim(),
            occurred_at,
            status.as_str(),
            event.code.trim(),
            event.text.as_deref().map(str::trim),
            event.location.as_deref().map(str::trim),
            now,
            delivered_to.map(DeliveredTo::as_str),
        ],
    )?;
    Ok(inserted == 1)
}

/// Whether `event_id` is the parcel's latest event by time.
pub fn is_latest_event(
    tx: &Transaction,
    shipment_id: i64,
    event_id: &str,
) -> rusqlite::Result<bool> {
    let latest: Option<String> = tx
        .prepare_cached(
            "SELECT event_id FROM shipment_events WHERE shipment_id = ?1
             ORDER BY occurred_at DESC, received_at DESC LIMIT 1",
        )?
        .query_row([shipment_id], |r| r.get(0))
        .optional()?;
    Ok(latest.as_deref() == Some(event_id))
}

/// Sets a parcel's delivery estimate (Unix seconds).
pub fn set_estimate(
    tx: &Transaction,
    shipment_id: i64,
    from: i64,
    to: i64,
) -> rusqlite::Result<()> {
    tx.prepare_cached("UPDATE shipments SET eta_from = ?2, eta_to = ?3 WHERE id = ?1")?
        .execute(params![shipment_id, from, to])?;
    Ok(())
}

/// Sets a shipment's status and carrier words from its latest event by time (events may
/// arrive in any order); returns the status and the number of events.
pub fn refresh_shipment(
    tx: &Transaction,
    shipment_id: i64,
) -> rusqlite::Result<(ShipmentStatus, u32)> {
    tx.execute(
        "UPDATE shipments SET (status, carrier_code, carrier_text, delivered_to) = (
             SELECT status, code, text, delivered_to FROM shipment_events WHERE shipment_id = ?1
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

/// What a shopper's `Idempotency-Key` already stands for on an order.
pub enum SavedUse {
    Fresh,
    /// The same request was answered before: its status and body.
    Replay(u16, Vec<u8>),
    Conflict,
}

pub fn shopper_request_use(
    tx: &Transaction,
    order_id: i64,
    key: &str,
    request_hash: &[u8],
    now: i64,
) -> rusqlite::Result<SavedUse> {
    tx.prepare_cached("DELETE FROM shopper_requests WHERE created_at < ?1")?
        .execute([now - IDEMPOTENCY_WINDOW_SECONDS])?;
    let saved: Option<(Vec<u8>, u16, Vec<u8>)> = tx
        .prepare_cached(
            "SELECT request_hash, status, body FROM shopper_requests WHERE order_id = ?1 AND key = ?2",
        )?
        .query_row(params![order_id, key], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    Ok(match saved {
        None => SavedUse::Fresh,
        Some((hash, status, body)) if hash == request_hash => SavedUse::Replay(status, body),
        Some(_) => SavedUse::Conflict,
    })
}

pub fn remember_shopper_request(
    tx: &Transaction,
    order_id: i64,
    key: &str,
    request_hash: &[u8],
    (status, body): (u16, &[u8]),
    now: i64,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO shopper_requests (order_id, key, request_hash, status, body, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![order_id, key, request_hash, status, body, now])?;
    Ok(())
}

pub fn slot_by_id(
    conn: &Connection,
    shop_id: i64,
    id: i64,
) -> rusqlite::Result<Option<DeliverySlot>> {
    conn.prepare_cached(
        "SELECT id, date, starts, ends, price, capacity - taken FROM delivery_slots
         WHERE id = ?1 AND shop_id = ?2",
    )?
    .query_row(params![id, shop_id], slot_from_row)
    .optional()
}

pub fn pickup_point_by_id(
    conn: &Connection,
    shop_id: i64,
    id: i64,
) -> rusqlite::Result<Option<PickupPoint>> {
    conn.prepare_cached(
        "SELECT id, locker, name, address, opening_hours, latitude, longitude FROM pickup_points
         WHERE id = ?1 AND shop_id = ?2",
    )?
    .query_row(params![id, shop_id], |r| point_from_row(r, None))
    .optional()
}

/// Takes a place in a slot; false when it is full. One statement, so two shoppers can
/// never both take the last place.
pub fn take_slot(tx: &Transaction, slot_id: i64) -> rusqlite::Result<bool> {
    let taken = tx
        .prepare_cached(
            "UPDATE delivery_slots SET taken = taken + 1 WHERE id = ?1 AND taken < capacity",
        )?
        .execute([slot_id])?;
    Ok(taken == 1)
}

pub fn release_slot(tx: &Transaction, slot_id: i64) -> rusqlite::Result<()> {
    tx.prepare_cached("UPDATE delivery_slots SET taken = taken - 1 WHERE id = ?1 AND taken > 0")?
        .execute([slot_id])?;
    Ok(())
}

/// Stores a parcel's new choice (or none) and bumps its version, the choice's ETag.
pub fn set_choice(
    tx: &Transaction,
    shipment_id: i64,
    choice: Option<&DeliveryChoice>,
) -> rusqlite::Result<()> {
    let json = choice
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    let slot_id = choice.and_then(|c| c.slot_id);
    tx.prepare_cached(
        "UPDATE shipments SET choice = ?2, choice_slot_id = ?3, choice_version = choice_version + 1
         WHERE id = ?1",
    )?
    .execute(params![shipment_id, json, slot_id])?;
    Ok(())
}

/// The order number, carrier and tracking number of a parcel, for its webhook.
pub fn shipment_labels(
    conn: &Connection,
    shipment_id: i64,
) -> rusqlite::Result<(String, String, String)> {
    conn.prepare_cached(
        "SELECT o.number, s.carrier, s.tracking_number FROM shipments s
         JOIN orders o ON o.id = s.order_id WHERE s.id = ?1",
    )?
    .query_row([shipment_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
}

/// A shop's delivery settings as the admin API shows them.
pub fn delivery_settings(
    conn: &Connection,
    shop_id: i64,
) -> rusqlite::Result<postpurchase_api::DeliverySettingsView> {
    conn.prepare_cached(
        "SELECT time_zone, choice_cutoff, later_days, safe_places, neighbour_allowed,
                webhook_url, webhook_secret
         FROM shops WHERE id = ?1",
    )?
    .query_row([shop_id], |r| {
        let places: String = r.get(3)?;
        Ok(postpurchase_api::DeliverySettingsView {
            time_zone: r.get(0)?,
            cutoff: r.get(1)?,
            later_days: r.get(2)?,
            safe_places: places.lines().map(str::to_owned).collect(),
            neighbour: r.get(4)?,
            webhook_url: r.get(5)?,
            webhook_secret: r.get(6)?,
        })
    })
}

pub fn set_delivery_settings(
    tx: &Transaction,
    shop_id: i64,
    settings: &postpurchase_api::DeliverySettings,
    webhook_secret: Option<&str>,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE shops SET time_zone = ?2, choice_cutoff = ?3, later_days = ?4, safe_places = ?5,
                          neighbour_allowed = ?6, webhook_url = ?7, webhook_secret = ?8
         WHERE id = ?1",
        params![
            shop_id,
            settings.time_zone,
            settings.cutoff,
            settings.later_days,
            settings.safe_places.join("\n"),
            settings.neighbour,
            settings.webhook_url,
            webhook_secret,
        ],
    )?;
    Ok(())
}

pub fn insert_slot(
    tx: &Transaction,
    shop_id: i64,
    slot: &postpurchase_api::NewSlot,
) -> rusqlite::Result<DeliverySlot> {
    tx.execute(
        "INSERT INTO delivery_slots (shop_id, date, starts, ends, price, capacity)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            shop_id,
            slot.date,
            slot.from,
            slot.to,
            slot.price,
            slot.capacity
        ],
    )?;
    Ok(DeliverySlot {
        id: tx.last_insert_rowid(),
        date: slot.date.clone(),
        from: slot.from.clone(),
        to: slot.to.clone(),
        price: slot.price,
        places_left: slot.capacity,
    })
}

pub fn insert_pickup_point(
    tx: &Transaction,
    shop_id: i64,
    point: &postpurchase_api::NewPickupPoint,
) -> rusqlite::Result<PickupPoint> {
    tx.execute(
        "INSERT INTO pickup_points (shop_id, locker, name, address, opening_hours, latitude, longitude)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            shop_id,
            point.locker,
            point.name.trim(),
            point.address.trim(),
            point.opening_hours.join("\n"),
            point.latitude,
            point.longitude
        ],
    )?;
    Ok(PickupPoint {
        id: tx.last_insert_rowid(),
        locker: point.locker,
        name: point.name.trim().to_owned(),
        address: point.address.trim().to_owned(),
        opening_hours: point.opening_hours.clone(),
        distance_m: None,
    })
}

/// A shop's referral terms as stored, whether or not they are switched on.
pub fn referral_settings(
    conn: &Connection,
    shop_id: i64,
) -> rusqlite::Result<Option<postpurchase_api::ReferralSettings>> {
    let terms: Option<String> = conn
        .prepare_cached("SELECT referral_terms FROM shops WHERE id = ?1")?
        .query_row([shop_id], |r| r.get(0))
        .optional()?
        .flatten();
    Ok(terms.and_then(|t| serde_json::from_str(&t).ok()))
}

/// A shop's referral terms while referrals are switched on.
pub fn referral_terms(
    conn: &Connection,
    shop_id: i64,
) -> rusqlite::Result<Option<postpurchase_api::ReferralSettings>> {
    Ok(referral_settings(conn, shop_id)?.filter(|t| t.enabled))
}

pub fn set_referral_settings(
    tx: &Transaction,
    shop_id: i64,
    settings: &postpurchase_api::ReferralSettings,
) -> rusqlite::Result<()> {
    let json = serde_json::to_string(settings)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    tx.execute(
        "UPDATE shops SET referral_enabled = ?2, referral_terms = ?3 WHERE id = ?1",
        params![shop_id, settings.enabled, json],
    )?;
    Ok(())
}

/// The customer an order belongs to, and their first name.
pub fn order_customer(conn: &Connection, order_id: i64) -> rusqlite::Result<(i64, String)> {
    conn.prepare_cached(
        "SELECT c.id, c.first_name FROM orders o JOIN customers c ON c.id = o.customer_id
         WHERE o.id = ?1",
    )?
    .query_row([order_id], |r| Ok((r.get(0)?, r.get(1)?)))
}

pub fn referral_code(conn: &Connection, customer_id: i64) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT code FROM referral_codes WHERE customer_id = ?1")?
        .query_row([customer_id], |r| r.get(0))
        .optional()
}

/// Gives a customer their code; false when another shopper of the shop has it already.
pub fn insert_referral_code(
    tx: &Transaction,
    customer_id: i64,
    order: &OrderRef,
    code: &str,
    now: i64,
) -> rusqlite::Result<bool> {
    let taken = tx
        .prepare_cached("SELECT 1 FROM referral_codes WHERE shop_id = ?1 AND code = ?2")?
        .exists(params![order.shop_id, code])?;
    if taken {
        return Ok(false);
    }
    tx.prepare_cached(
        "INSERT INTO referral_codes (customer_id, shop_id, code, order_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        customer_id,
        order.shop_id,
        code,
        order.order_id,
        now
    ])?;
    Ok(true)
}

/// How many new customers redeemed a customer's code.
pub fn referral_friends(conn: &Connection, customer_id: i64) -> rusqlite::Result<u32> {
    conn.prepare_cached("SELECT count(*) FROM referral_redemptions WHERE customer_id = ?1")?
        .query_row([customer_id], |r| r.get(0))
}

/// Whose a referral code is, in any shop.
pub struct CodeOwner {
    pub shop_id: i64,
    pub customer_id: i64,
    /// Lower case, as stored.
    pub email: String,
    /// The order whose page first showed the code.
    pub order_number: String,
}

pub fn referral_code_owners(conn: &Connection, code: &str) -> rusqlite::Result<Vec<CodeOwner>> {
    conn.prepare_cached(
        "SELECT r.shop_id, r.customer_id, c.email, o.number FROM referral_codes r
         JOIN customers c ON c.id = r.customer_id JOIN orders o ON o.id = r.order_id
         WHERE r.code = ?1",
    )?
    .query_map([code], |r| {
        Ok(CodeOwner {
            shop_id: r.get(0)?,
            customer_id: r.get(1)?,
            email: r.get(2)?,
            order_number: r.get(3)?,
        })
    })?
    .collect()
}

/// Whose code a customer (by e-mail hash) redeemed at a shop, if any.
pub fn redeemed_code_of(
    conn: &Connection,
    shop_id: i64,
    email_hash: &[u8],
) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached(
        "SELECT customer_id FROM referral_redemptions WHERE shop_id = ?1 AND email_hash = ?2",
    )?
    .query_row(params![shop_id, email_hash], |r| r.get(0))
    .optional()
}

/// The numbers of a shop's orders placed with this (lower-case) e-mail address.
pub fn order_numbers_of(
    conn: &Connection,
    shop_id: i64,
    email: &str,
) -> rusqlite::Result<Vec<String>> {
    conn.prepare_cached(
        "SELECT o.number FROM orders o JOIN customers c ON c.id = o.customer_id
         WHERE c.shop_id = ?1 AND c.email = ?2",
    )?
    .query_map(params![shop_id, email], |r| r.get(0))?
    .collect()
}

pub fn insert_redemption(
    tx: &Transaction,
    shop_id: i64,
    customer_id: i64,
    email_hash: &[u8],
    now: i64,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO referral_redemptions (shop_id, customer_id, email_hash, created_at)
         VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![shop_id, customer_id, email_hash, now])?;
    Ok(())
}

pub fn survey_settings(
    conn: &Connection,
    shop_id: i64,
) -> rusqlite::Result<postpurchase_api::SurveySettings> {
    conn.prepare_cached("SELECT survey_enabled, heard_options FROM shops WHERE id = ?1")?
        .query_row([shop_id], |r| {
            let options: String = r.get(1)?;
            Ok(postpurchase_api::SurveySettings {
                enabled: r.get(0)?,
                heard_options: options.lines().map(str::to_owned).collect(),
            })
        })
}

pub fn set_survey_settings(
    tx: &Transaction,
    shop_id: i64,
    settings: &postpurchase_api::SurveySettings,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE shops SET survey_enabled = ?2, heard_options = ?3 WHERE id = ?1",
        params![shop_id, settings.enabled, settings.heard_options.join("\n")],
    )?;
    Ok(())
}

pub fn nps_answered(conn: &Connection, order_id: i64) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM nps_answers WHERE order_id = ?1")?
        .exists([order_id])
}

pub fn heard_answered(conn: &Connection, customer_id: i64) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM heard_answers WHERE customer_id = ?1")?
        .exists([customer_id])
}

/// Records an order's NPS answer; false when it has one already.
pub fn insert_nps(
    tx: &Transaction,
    order_id: i64,
    score: u8,
    comment: Option<&str>,
    now: i64,
) -> rusqlite::Result<bool> {
    let inserted = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO nps_answers (order_id, score, comment, answered_at)
             VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![order_id, score, comment, now])?;
    Ok(inserted == 1)
}

/// Records how a customer heard of the shop; false when they answered before.
pub fn insert_heard(
    tx: &Transaction,
    customer_id: i64,
    order_id: i64,
    option: &str,
    other: Option<&str>,
    now: i64,
) -> rusqlite::Result<bool> {
    let inserted = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO heard_answers (customer_id, option, other, order_id, answered_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![customer_id, option, other, order_id, now])?;
    Ok(inserted == 1)
}

pub fn preferences(
    conn: &Connection,
    customer_id: i64,
) -> rusqlite::Result<Option<postpurchase_api::Preferences>> {
    conn.prepare_cached("SELECT email, sms FROM notification_preferences WHERE customer_id = ?1")?
        .query_row([customer_id], |r| {
            Ok(postpurchase_api::Preferences {
                email: r.get(0)?,
                sms: r.get(1)?,
            })
        })
        .optional()
}

pub fn set_preferences(
    tx: &Transaction,
    customer_id: i64,
    preferences: postpurchase_api::Preferences,
    now: i64,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO notification_preferences (customer_id, email, sms, updated_at)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (customer_id) DO UPDATE SET email = excluded.email, sms = excluded.sms,
                                                 updated_at = excluded.updated_at",
    )?
    .execute(params![
        customer_id,
        preferences.email,
        preferences.sms,
        now
    ])?;
    Ok(())
}

/// Every NPS score, the latest 100 answers, and the "how did you hear" counts of a shop.
pub fn survey_results(
    conn: &Connection,
    shop_id: i64,
) -> rusqlite::Result<(
    Vec<u8>,
    Vec<postpurchase_api::NpsResult>,
    Vec<postpurchase_api::HeardCount>,
)> {
    let scores = conn
        .prepare_cached(
            "SELECT a.score FROM nps_answers a JOIN orders o ON o.id = a.order_id
             WHERE o.shop_id = ?1",
        )?
        .query_map([shop_id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<u8>>>()?;
    let latest = conn
        .prepare_cached(
            "SELECT o.number, a.score, a.comment, a.answered_at FROM nps_answers a
             JOIN orders o ON o.id = a.order_id WHERE o.shop_id = ?1
             ORDER BY a.answered_at DESC, a.order_id DESC LIMIT 100",
        )?
        .query_map([shop_id], |r| {
            Ok(postpurchase_api::NpsResult {
                order_number: r.get(0)?,
                score: r.get(1)?,
                comment: r.get(2)?,
                answered_at: instant(r.get(3)?),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let heard = conn
        .prepare_cached(
            "SELECT h.option, count(*) FROM heard_answers h JOIN customers c ON c.id = h.customer_id
             WHERE c.shop_id = ?1 GROUP BY h.option ORDER BY count(*) DESC, h.option",
        )?
        .query_map([shop_id], |r| {
            Ok(postpurchase_api::HeardCount {
                option: r.get(0)?,
                count: r.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok((scores, latest, heard))
}

pub fn reviews_enabled(conn: &Connection, shop_id: i64) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT reviews_enabled FROM shops WHERE id = ?1")?
        .query_row([shop_id], |r| r.get(0))
}

/// The shop's theme for its hosted page; the default until one is set.
pub fn theme(conn: &Connection, shop_id: i64) -> rusqlite::Result<postpurchase_api::ShopTheme> {
    let json: Option<String> = conn
        .prepare_cached("SELECT theme FROM shops WHERE id = ?1")?
        .query_row([shop_id], |r| r.get(0))?;
    Ok(json
        .and_then(|j| serde_json::from_str(&j).ok())
        .unwrap_or_default())
}

pub fn set_theme(
    tx: &Transaction,
    shop_id: i64,
    theme: &postpurchase_api::ShopTheme,
) -> rusqlite::Result<()> {
    let json = serde_json::to_string(theme).unwrap_or_default();
    tx.execute(
        "UPDATE shops SET theme = ?2 WHERE id = ?1",
        params![shop_id, json],
    )?;
    Ok(())
}

pub fn set_reviews_enabled(tx: &Transaction, shop_id: i64, enabled: bool) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE shops SET reviews_enabled = ?2 WHERE id = ?1",
        params![shop_id, enabled],
    )?;
    Ok(())
}

/// Columns `review_from_row` reads, from `reviews r`.
const REVIEW_COLUMNS: &str =
    "r.id, r.order_item_id, r.stars, r.title, r.body, r.fit, r.status, r.created_at";

fn review_from_row(
    r: &rusqlite::Row,
    first: usize,
) -> rusqlite::Result<postpurchase_api::ReviewView> {
    let fit: Option<String> = r.get(first + 5)?;
    let status: String = r.get(first + 6)?;
    Ok(postpurchase_api::ReviewView {
        id: r.get(first)?,
        line_id: r.get(first + 1)?,
        stars: r.get(first + 2)?,
        title: r.get(first + 3)?,
        body: r.get(first + 4)?,
        fit: fit.as_deref().and_then(from_wire),
        verified_buyer: true,
        status: from_wire(&status).unwrap_or(postpurchase_api::ReviewStatus::Pending),
        created_at: instant(r.get(first + 7)?),
    })
}

/// An order's lines, whether each was delivered, and its review if written.
pub fn reviewable_items(
    conn: &Connection,
    order_id: i64,
) -> rusqlite::Result<Vec<postpurchase_api::ReviewableItem>> {
    conn.prepare_cached(&format!(
        "SELECT i.id, i.name, i.sized,
                EXISTS (SELECT 1 FROM shipment_items si JOIN shipments s ON s.id = si.shipment_id
                        WHERE si.order_item_id = i.id AND s.status = 'delivered'),
                {REVIEW_COLUMNS}
         FROM order_items i LEFT JOIN reviews r ON r.order_item_id = i.id
         WHERE i.order_id = ?1 ORDER BY i.position"
    ))?
    .query_map([order_id], |r| {
        let reviewed: Option<i64> = r.get(4)?;
        Ok(postpurchase_api::ReviewableItem {
            line_id: r.get(0)?,
            name: r.get(1)?,
            sized: r.get(2)?,
            delivered: r.get(3)?,
            review: reviewed.map(|_| review_from_row(r, 4)).transpose()?,
        })
    })?
    .collect()
}

/// Stores a review; `None` when the line has one already.
pub fn insert_review(
    tx: &Transaction,
    shop_id: i64,
    review: &postpurchase_api::NewReview,
    now: i64,
) -> rusqlite::Result<Option<i64>> {
    let inserted = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO reviews (order_item_id, shop_id, stars, title, body, fit, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
            review.line_id,
            shop_id,
            review.stars,
            review.title,
            review.body,
            review.fit.map(wire_name),
            now
        ])?;
    Ok((inserted == 1).then(|| tx.last_insert_rowid()))
}

/// A shop's reviews, newest first, optionally of one status.
pub fn shop_reviews(
    conn: &Connection,
    shop_id: i64,
    status: Option<postpurchase_api::ReviewStatus>,
) -> rusqlite::Result<Vec<postpurchase_api::AdminReview>> {
    conn.prepare_cached(&format!(
        "SELECT o.number, i.sku, {REVIEW_COLUMNS} FROM reviews r
         JOIN order_items i ON i.id = r.order_item_id JOIN orders o ON o.id = i.order_id
         WHERE r.shop_id = ?1 AND (?2 IS NULL OR r.status = ?2)
         ORDER BY r.created_at DESC, r.id DESC LIMIT 500"
    ))?
    .query_map(params![shop_id, status.map(wire_name)], |r| {
        Ok(postpurchase_api::AdminReview {
            order_number: r.get(0)?,
            sku: r.get(1)?,
            review: review_from_row(r, 2)?,
        })
    })?
    .collect()
}

/// Sets a review's status; false when the shop has no such review.
pub fn moderate_review(
    tx: &Transaction,
    shop_id: i64,
    review_id: i64,
    status: postpurchase_api::ReviewStatus,
    now: i64,
) -> rusqlite::Result<bool> {
    let changed = tx
        .prepare_cached(
            "UPDATE reviews SET status = ?3, moderated_at = ?4 WHERE id = ?1 AND shop_id = ?2",
        )?
        .execute(params![review_id, shop_id, wire_name(status), now])?;
    Ok(changed == 1)
}

/// An enum's snake_case wire name.
pub fn wire_name<T: serde::Serialize>(value: T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// An enum from its wire name.
pub fn from_wire<T: serde::de::DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(name.to_owned())).ok()
}

pub fn return_settings(
    conn: &Connection,
    shop_id: i64,
) -> rusqlite::Result<postpurchase_api::ReturnSettings> {
    conn.prepare_cached(
        "SELECT returns_enabled, return_window_days, return_reasons, store_credit_bonus
         FROM shops WHERE id = ?1",
    )?
    .query_row([shop_id], |r| {
        let reasons: String = r.get(2)?;
        Ok(postpurchase_api::ReturnSettings {
            enabled: r.get(0)?,
            window_days: r.get(1)?,
            reasons: reasons.lines().map(str::to_owned).collect(),
            store_credit_bonus: r.get(3)?,
        })
    })
}

pub fn set_return_settings(
    tx: &Transaction,
    shop_id: i64,
    settings: &postpurchase_api::ReturnSettings,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE shops SET returns_enabled = ?2, return_window_days = ?3, return_reasons = ?4,
                          store_credit_bonus = ?5
         WHERE id = ?1",
        params![
            shop_id,
            settings.enabled,
            settings.window_days,
            settings.reasons.join("\n"),
            settings.store_credit_bonus
        ],
    )?;
    Ok(())
}

/// What returning each line of an order depends on.
pub fn return_facts(
    conn: &Connection,
    order_id: i64,
) -> rusqlite::Result<Vec<crate::returns::LineFacts>> {
    conn.prepare_cached(
        "SELECT i.id, i.name, i.unit_price, i.final_sale, i.sku, i.product,
                COALESCE((SELECT SUM(si.quantity) FROM shipment_items si
                          JOIN shipments s ON s.id = si.shipment_id
                          WHERE si.order_item_id = i.id AND s.status = 'delivered'), 0),
                (SELECT MAX(e.occurred_at) FROM shipment_items si
                 JOIN shipments s ON s.id = si.shipment_id
                 JOIN shipment_events e ON e.shipment_id = s.id
                 WHERE si.order_item_id = i.id AND s.status = 'delivered' AND e.status = 'delivered'),
                COALESCE((SELECT SUM(ri.quantity) FROM return_items ri
                          JOIN returns r ON r.id = ri.return_id
                          WHERE ri.order_item_id = i.id AND r.status NOT IN ('cancelled', 'rejected')), 0)
         FROM order_items i WHERE i.order_id = ?1 ORDER BY i.position",
    )?
    .query_map([order_id], |r| {
        Ok(crate::returns::LineFacts {
            line_id: r.get(0)?,
            name: r.get(1)?,
            unit_price: r.get(2)?,
            final_sale: r.get(3)?,
            sku: r.get(4)?,
            product: r.get(5)?,
            delivered: r.get(6)?,
            delivered_at: r.get(7)?,
            in_returns: r.get(8)?,
        })
    })?
    .collect()
}

/// A new return with its items; its number is the order's number and a sequence.
pub fn insert_return(
    tx: &Transaction,
    order: &OrderRef,
    request: &postpurchase_api::NewReturn,
    refund: i64,
    bonus: i64,
    now: i64,
) -> rusqlite::Result<i64> {
    let (number, count): (String, i64) = tx.query_row(
        "SELECT o.number, (SELECT count(*) FROM returns WHERE order_id = o.id)
         FROM orders o WHERE o.id = ?1",
        [order.order_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    tx.execute(
        "INSERT INTO returns (shop_id, order_id, number, resolution, method, refund, bonus,
                              created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        params![
            order.shop_id,
            order.order_id,
            format!("{number}-R{}", count + 1),
            wire_name(request.resolution),
            wire_name(request.method),
            refund,
            bonus,
            now
        ],
    )?;
    let id = tx.last_insert_rowid();
    let mut item = tx.prepare_cached(
        "INSERT INTO return_items (return_id, order_item_id, quantity, reason, comment,
                                   exchange_sku)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for i in &request.items {
        item.execute(params![
            id,
            i.line_id,
            i.quantity,
            i.reason.trim(),
            i.comment
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty()),
            i.exchange_sku.as_deref().map(str::trim)
        ])?;
    }
    Ok(id)
}

/// Returns of an order (or one, by id), oldest first.
pub fn returns_of(
    conn: &Connection,
    order_id: i64,
    only: Option<i64>,
) -> rusqlite::Result<Vec<postpurchase_api::ReturnView>> {
    let mut items = conn.prepare_cached(
        "SELECT order_item_id, quantity, reason, comment, exchange_sku FROM return_items
         WHERE return_id = ?1 ORDER BY order_item_id",
    )?;
    let heads: Vec<(i64, postpurchase_api::ReturnView)> = conn
        .prepare_cached(
            "SELECT r.id, r.number, r.status, r.resolution, r.method, r.refund, r.bonus, o.currency,
                    r.created_at
             FROM returns r JOIN orders o ON o.id = r.order_id
             WHERE r.order_id = ?1 AND (?2 IS NULL OR r.id = ?2) ORDER BY r.id",
        )?
        .query_map(params![order_id, only], |r| {
            let wire = |i: usize| r.get::<_, String>(i);
            Ok((
                r.get(0)?,
                postpurchase_api::ReturnView {
                    number: r.get(1)?,
                    status: from_wire(&wire(2)?).unwrap_or(postpurchase_api::ReturnStatus::Requested),
                    resolution: from_wire(&wire(3)?).unwrap_or(postpurchase_api::Resolution::Refund),
                    method: from_wire(&wire(4)?).unwrap_or(postpurchase_api::ReturnMethod::DropOff),
                    items: Vec::new(),
                    refund: r.get(5)?,
                    bonus: r.get(6)?,
                    currency: r.get(7)?,
                    created_at: instant(r.get(8)?),
                    qr_code_url: None,
                    label_url: None,
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    heads
        .into_iter()
        .map(|(id, mut view)| {
            view.items = items
                .query_map([id], |r| {
                    Ok(postpurchase_api::ReturnItemView {
                        line_id: r.get(0)?,
                        quantity: r.get(1)?,
                        reason: r.get(2)?,
                        comment: r.get(3)?,
                        exchange_sku: r.get(4)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            Ok(view)
        })
        .collect()
}

/// One return of an order, by id.
pub fn return_view(
    conn: &Connection,
    order_id: i64,
    return_id: i64,
) -> rusqlite::Result<postpurchase_api::ReturnView> {
    returns_of(conn, order_id, Some(return_id))?
        .pop()
        .ok_or(rusqlite::Error::QueryReturnedNoRows)
}

/// A shop's return by number: its id, order and status.
pub fn return_by_number(
    conn: &Connection,
    shop_id: i64,
    number: &str,
) -> rusqlite::Result<Option<(i64, i64, String)>> {
    conn.prepare_cached(
        "SELECT id, order_id, status FROM returns WHERE shop_id = ?1 AND number = ?2",
    )?
    .query_row(params![shop_id, number], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })
    .optional()
}

/// A return of `order` by number, as its shopper reaches it: its id and status; `None`
/// for another order's return as for no return at all.
pub fn order_return(
    conn: &Connection,
    order: OrderRef,
    number: &str,
) -> rusqlite::Result<Option<(i64, String)>> {
    Ok(return_by_number(conn, order.shop_id, number)?
        .filter(|(_, o, _)| *o == order.order_id)
        .map(|(id, _, status)| (id, status)))
}

pub fn set_return_status(
    tx: &Transaction,
    return_id: i64,
    status: postpurchase_api::ReturnStatus,
    now: i64,
) -> rusqlite::Result<()> {
    tx.prepare_cached("UPDATE returns SET status = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute(params![return_id, wire_name(status), now])?;
    Ok(())
}

pub fn order_number(conn: &Connection, order_id: i64) -> rusqlite::Result<String> {
    conn.prepare_cached("SELECT number FROM orders WHERE id = ?1")?
        .query_row([order_id], |r| r.get(0))
}

/// Sets the stock of one variant.
pub fn set_stock(
    tx: &Transaction,
    shop_id: i64,
    level: &postpurchase_api::StockLevel,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO inventory (shop_id, sku, product, variant, stock) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (shop_id, sku) DO UPDATE SET product = excluded.product,
             variant = excluded.variant, stock = excluded.stock",
    )?
    .execute(params![
        shop_id,
        level.sku.trim(),
        level.product.trim(),
        level.variant.trim(),
        level.stock
    ])?;
    Ok(())
}

/// The other variants of a product, and whether each is in stock.
pub fn exchange_options(
    conn: &Connection,
    shop_id: i64,
    product: &str,
    own_sku: &str,
) -> rusqlite::Result<Vec<postpurchase_api::ExchangeOption>> {
    conn.prepare_cached(
        "SELECT sku, variant, stock > 0 FROM inventory
         WHERE shop_id = ?1 AND product = ?2 AND sku <> ?3 ORDER BY variant, sku",
    )?
    .query_map(params![shop_id, product, own_sku], |r| {
        Ok(postpurchase_api::ExchangeOption {
            sku: r.get(0)?,
            variant: r.get(1)?,
            in_stock: r.get(2)?,
        })
    })?
    .collect()
}

/// A variant's product and stock.
pub fn stock_of(
    conn: &Connection,
    shop_id: i64,
    sku: &str,
) -> rusqlite::Result<Option<(String, u32)>> {
    conn.prepare_cached("SELECT product, stock FROM inventory WHERE shop_id = ?1 AND sku = ?2")?
        .query_row(params![shop_id, sku], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
}

/// Takes pieces of a variant for an exchange; false when there are not enough. One
/// statement, so two shoppers can never both take the last one.
pub fn take_stock(
    tx: &Transaction,
    shop_id: i64,
    sku: &str,
    quantity: u32,
) -> rusqlite::Result<bool> {
    let taken = tx
        .prepare_cached(
            "UPDATE inventory SET stock = stock - ?3
             WHERE shop_id = ?1 AND sku = ?2 AND stock >= ?3",
        )?
        .execute(params![shop_id, sku, quantity])?;
    Ok(taken == 1)
}

/// Puts back the variants a return was to be exchanged for (it was cancelled or rejected).
pub fn restock_return(tx: &Transaction, shop_id: i64, return_id: i64) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "UPDATE inventory SET stock = stock + (
             SELECT SUM(quantity) FROM return_items
             WHERE return_id = ?2 AND exchange_sku = inventory.sku)
         WHERE shop_id = ?1 AND sku IN (
             SELECT exchange_sku FROM return_items
             WHERE return_id = ?2 AND exchange_sku IS NOT NULL)",
    )?
    .execute(params![shop_id, return_id])?;
    Ok(())
}
