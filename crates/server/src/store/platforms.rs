//! Orders in from shop platforms: a platform's order created once and then kept up to
//! date, its fulfilments registered as parcels once each, a delivery the platform names
//! taken once; each send in one transaction.

use std::collections::HashMap;

use axum::http::StatusCode;
use postpurchase_api::NewLineItem;

use super::orders::{self, OrderRef};
use super::tracking;
use crate::db::{Conn, Db, DbError};
use crate::domain::platforms::{Message, Platform, PlatformOrder, PlatformParcel};
use crate::domain::{self};
use crate::error::ApiError;
use crate::{args, work};

/// One verified send of a platform, read.
#[derive(Clone, Debug)]
pub struct PlatformSend {
    pub platform: Platform,
    /// The platform's id of this delivery, the same on a retry, where it sends one.
    pub delivery_id: Option<String>,
    /// An order or a fulfilment (ignored sends never reach the database).
    pub message: Message,
    /// The token an order made by this send gets, and until when.
    pub token: String,
    pub expires_at: i64,
}

/// What a send did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Taken {
    /// `created`, `updated`, `unchanged`, `replayed` or `ignored`.
    pub outcome: &'static str,
    pub number: Option<String>,
    pub parcels_added: u32,
    /// A webhook was queued (a parcel overtook a change request).
    pub queued: bool,
}

/// The order a platform's order became, if it came before.
async fn linked(
    c: &mut Conn<'_>,
    shop_id: i64,
    platform: Platform,
    external_id: &str,
) -> Result<Option<i64>, DbError> {
    c.query_opt(
        "SELECT order_id FROM platform_orders
         WHERE shop_id = ?1 AND platform = ?2 AND external_id = ?3",
        args![shop_id, platform.as_str(), external_id],
    )
    .await?
    .map(|mut r| r.get("order_id"))
    .transpose()
}

/// Brings a known order up to what the platform says now; true when anything changed.
/// The customer, the delivery address and whether it is cancelled always follow; the
/// lines, the currency and the totals only while no parcel of it is registered (after
/// that, parcels, returns and reviews point at the lines as they were).
async fn update(
    c: &mut Conn<'_>,
    order_id: i64,
    shop_id: i64,
    p: &PlatformOrder,
) -> Result<bool, DbError> {
    let order = &p.order;
    let mut r = c
        .query_one(
            "SELECT o.ship_name, o.ship_street, o.ship_postcode, o.ship_city, o.ship_country,
                    o.ship_latitude, o.ship_longitude, o.cancelled, o.currency, o.shipping,
                    o.discount, o.tax, o.customer_id, c.email, c.first_name, c.last_name,
                    EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = o.id) AS shipped
             FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = ?1",
            args![order_id],
        )
        .await?;
    let mut changed = false;
    let email = order.customer.email.trim().to_lowercase();
    let (first, last) = (
        order.customer.first_name.trim(),
        order.customer.last_name.trim(),
    );
    if r.get::<String>("email")? != email
        || r.get::<String>("first_name")? != first
        || r.get::<String>("last_name")? != last
    {
        let customer_id: i64 = c
            .query_one(
                "INSERT INTO customers (shop_id, email, first_name, last_name) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (shop_id, email) DO UPDATE SET first_name = excluded.first_name,
                                                            last_name = excluded.last_name
                 RETURNING id",
                args![shop_id, email, first, last],
            )
            .await?
            .get("id")?;
        if customer_id != r.get::<i64>("customer_id")? {
            c.execute(
                "UPDATE orders SET customer_id = ?2 WHERE id = ?1",
                args![order_id, customer_id],
            )
            .await?;
        }
        changed = true;
    }
    let a = &order.delivery_address;
    let same_place = r.get::<String>("ship_name")? == a.name
        && r.get::<String>("ship_street")? == a.street
        && r.get::<String>("ship_postcode")? == a.postcode
        && r.get::<String>("ship_city")? == a.city
        && r.get::<String>("ship_country")? == a.country
        && r.get::<Option<f64>>("ship_latitude")? == a.latitude
        && r.get::<Option<f64>>("ship_longitude")? == a.longitude
        && r.get::<bool>("cancelled")? == p.cancelled;
    if !same_place {
        c.execute(
            "UPDATE orders SET ship_name = ?2, ship_street = ?3, ship_postcode = ?4,
                               ship_city = ?5, ship_country = ?6, ship_latitude = ?7,
                               ship_longitude = ?8, cancelled = ?9
             WHERE id = ?1",
            args![
                order_id,
                a.name,
                a.street,
                a.postcode,
                a.city,
                a.country,
                a.latitude,
                a.longitude,
                p.cancelled
            ],
        )
        .await?;
        changed = true;
    }
    if r.get::<bool>("shipped")? {
        return Ok(changed);
    }
    let stored: Vec<NewLineItem> = c
        .query(
            "SELECT sku, name, variant, quantity, unit_price, image_url, sized, final_sale,
                    product, product_type
             FROM order_items WHERE order_id = ?1 ORDER BY position",
            args![order_id],
        )
        .await?
        .into_iter()
        .map(|mut r| {
            Ok(NewLineItem {
                sku: r.get("sku")?,
                name: r.get("name")?,
                variant: r.get("variant")?,
                quantity: r.get("quantity")?,
                unit_price: r.get("unit_price")?,
                image_url: r.get("image_url")?,
                sized: r.get("sized")?,
                final_sale: r.get("final_sale")?,
                product: r.get("product")?,
                product_type: r.get("product_type")?,
            })
        })
        .collect::<Result<_, DbError>>()?;
    let same_lines = stored == order.items;
    let same_totals = r.get::<String>("currency")? == order.currency
        && r.get::<i64>("shipping")? == order.shipping
        && r.get::<i64>("discount")? == order.discount
        && r.get::<i64>("tax")? == order.tax;
    if same_lines && same_totals {
        return Ok(changed);
    }
    if !same_lines {
        // Returns and reviews need a delivered parcel, so with none there are none
        // pointing at these lines.
        c.execute(
            "DELETE FROM order_items WHERE order_id = ?1",
            args![order_id],
        )
        .await?;
        orders::insert_lines(c, order_id, &order.items).await?;
    }
    let subtotal: i64 = order
        .items
        .iter()
        .map(|i| i.unit_price * i64::from(i.quantity))
        .sum();
    let total = domain::order_total(subtotal, order.shipping, order.discount, order.tax);
    c.execute(
        "UPDATE orders SET currency = ?2, subtotal = ?3, shipping = ?4, discount = ?5, tax = ?6,
                           total = ?7
         WHERE id = ?1",
        args![
            order_id,
            order.currency,
            subtotal,
            order.shipping,
            order.discount,
            order.tax,
            total
        ],
    )
    .await?;
    Ok(true)
}

/// Registers a parcel of the order unless it has one with that tracking number; true
/// when it is new. Its lines are those the platform names, each as far as it is not in
/// a parcel yet (a SKU the order lacks is left out), or every line not yet in a parcel
/// when the platform names none.
async fn add_parcel(
    c: &mut Conn<'_>,
    order_id: i64,
    parcel: &PlatformParcel,
) -> Result<bool, DbError> {
    let tracking_number = parcel.tracking_number.trim();
    if tracking_number.is_empty() || tracking_number.chars().count() > 64 {
        return Ok(false);
    }
    let known = c
        .query_opt(
            "SELECT id FROM shipments WHERE order_id = ?1 AND tracking_number = ?2",
            args![order_id, tracking_number],
        )
        .await?;
    if known.is_some() {
        return Ok(false);
    }
    // Each line's position and how many of it are not in a parcel yet, by SKU.
    let mut free: HashMap<String, (i64, u32)> = HashMap::new();
    let mut order_of_lines = Vec::new();
    for mut r in c
        .query(tracking::LINES_SHIPPED_SQL, args![order_id])
        .await?
    {
        let sku: String = r.get("sku")?;
        let ordered: u32 = r.get("quantity")?;
        let shipped: u32 = r.get("shipped")?;
        order_of_lines.push(sku.clone());
        free.insert(sku, (r.get("position")?, ordered.saturating_sub(shipped)));
    }
    let mut positions = Vec::new();
    match &parcel.items {
        Some(items) => {
            for (sku, quantity) in items {
                if let Some((position, left)) = free.get_mut(sku.trim()) {
                    let taken = (*quantity).min(*left);
                    if taken > 0 {
                        *left -= taken;
                        positions.push((*position, taken));
                    }
                }
            }
        }
        None => {
            for sku in &order_of_lines {
                if let Some(&(position, left)) = free.get(sku) {
                    if left > 0 && !positions.iter().any(|(p, _)| *p == position) {
                        positions.push((position, left));
                    }
                }
            }
        }
    }
    tracking::insert_shipment(c, order_id, &parcel.carrier, tracking_number, &positions).await?;
    Ok(true)
}

impl Db {
    /// Takes in one platform send, all or nothing: a delivery seen before changes
    /// nothing; an order new to the shop is stored with its first token (`409
    /// order_exists` when the shop already has another order with its number); a known
    /// one is brought up to date; the parcels it names are registered once each.
    pub async fn take_platform_send(
        &self,
        shop_id: i64,
        send: PlatformSend,
        now: i64,
    ) -> Result<Taken, ApiError> {
        self.write(work!(|c, send| {
            let platform = send.platform;
            if let Some(delivery) = &send.delivery_id {
                let seen = c
                    .query_opt(
                        "SELECT o.number FROM platform_deliveries d
                         LEFT JOIN orders o ON o.id = d.order_id
                         WHERE d.shop_id = ?1 AND d.platform = ?2 AND d.delivery_id = ?3",
                        args![shop_id, platform.as_str(), delivery],
                    )
                    .await?;
                if let Some(mut r) = seen {
                    return Ok(Taken {
                        outcome: "replayed",
                        number: r.get("number")?,
                        parcels_added: 0,
                        queued: false,
                    });
                }
            }
            // Whether cancelling refused an upgrade, and the shop was told.
            let mut refused = false;
            let (order_id, mut outcome, parcels) = match &send.message {
                Message::Order(p) => match linked(c, shop_id, platform, &p.external_id).await? {
                    Some(order_id) => {
                        let changed = update(c, order_id, shop_id, p).await?;
                        if p.cancelled {
                            refused = super::upgrades::cancel(c, order_id, now).await?;
                        }
                        (Some(order_id), if changed { "updated" } else { "unchanged" }, &p.parcels[..])
                    }
                    None => {
                        let placed_at = p
                            .order
                            .placed_at
                            .as_deref()
                            .and_then(domain::parse_instant)
                            .map_or(now, |t| t.unix_timestamp());
                        let Some(order_id) = orders::insert(c, shop_id, &p.order, placed_at).await?
                        else {
                            return Err(ApiError::new(
                                StatusCode::CONFLICT,
                                "order_exists",
                                "This shop already has an order with that number that did not come from this platform order.",
                            ));
                        };
                        if p.cancelled {
                            c.execute(
                                "UPDATE orders SET cancelled = ?2 WHERE id = ?1",
                                args![order_id, true],
                            )
                            .await?;
                        }
                        orders::insert_token(c, order_id, &send.token, send.expires_at).await?;
                        c.execute(
                            "INSERT INTO platform_orders (shop_id, platform, external_id, order_id)
                             VALUES (?1, ?2, ?3, ?4)",
                            args![shop_id, platform.as_str(), p.external_id, order_id],
                        )
                        .await?;
                        (Some(order_id), "created", &p.parcels[..])
                    }
                },
                Message::Fulfilment { order_id, parcels } => {
                    match linked(c, shop_id, platform, order_id).await? {
                        Some(id) => (Some(id), "unchanged", &parcels[..]),
                        None => (None, "ignored", &parcels[..]),
                    }
                }
                Message::Ignored(_) => (None, "ignored", &[][..]),
            };
            let mut parcels_added = 0;
            if let Some(order_id) = order_id {
                for parcel in parcels {
                    if add_parcel(c, order_id, parcel).await? {
                        parcels_added += 1;
                    }
                }
            }
            if parcels_added > 0 && outcome == "unchanged" {
                outcome = "updated";
            }
            // A parcel from the platform overtakes a change request still waiting.
            let mut queued = refused;
            if let (Some(order_id), true) = (order_id, parcels_added > 0) {
                let order = OrderRef { order_id, shop_id };
                queued |= super::changes::overtake(c, order, now).await?;
            }
            // A send that found no order is not remembered: its retry may find one.
            if let (Some(delivery), Some(_)) = (&send.delivery_id, order_id) {
                c.execute(
                    "INSERT INTO platform_deliveries (shop_id, platform, delivery_id, order_id,
                                                      received_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    args![shop_id, platform.as_str(), delivery, order_id, now],
                )
                .await?;
            }
            let number = match order_id {
                Some(id) => Some(orders::number(c, id).await?),
                None => None,
            };
            Ok(Taken {
                outcome,
                number,
                parcels_added,
                queued,
            })
        }))
        .await
    }
}
