//! Orders: storing one sent by a merchant (safe to retry), capability tokens, and the
//! shopper's view of an order.

use axum::http::StatusCode;
use postpurchase_api::{
    ChangeStatus, CustomerView, Customs, DateWindow, DelayReason, DeliveredTo, DeliveryOptions,
    DeliverySlot, Duties, DutiesDue, LineItemView, MaskedAddress, Module, NewLineItem, NewOrder,
    OrderChanges, OrderStage, OrderView, PickupPoint, ShipmentItem, ShipmentStatus,
    ShipmentSummary, ShopContact, TimeWindow, Totals, TrackingEvent,
};

use super::idempotency::MerchantKey;
use super::instant;
use super::parcels::{self, choice_columns, delivery_columns, ShopDelivery};
use crate::db::{Backend, Conn, Db, DbError, Row};
use crate::domain::{self, delivery};
use crate::error::ApiError;
use crate::{args, work};

/// The order a capability token opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderRef {
    pub order_id: i64,
    pub shop_id: i64,
}

/// Stores a validated order with its customer and lines; `None` when the shop already has
/// an order with this number.
pub async fn insert(
    c: &mut Conn<'_>,
    shop_id: i64,
    order: &NewOrder,
    placed_at: i64,
) -> Result<Option<i64>, DbError> {
    if id_by_number(c, shop_id, order.number.trim())
        .await?
        .is_some()
    {
        return Ok(None);
    }
    let customer = &order.customer;
    let email = customer.email.trim().to_lowercase();
    let mut row = c
        .query_one(
            "INSERT INTO customers (shop_id, email, first_name, last_name, phone)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (shop_id, email) DO UPDATE SET first_name = excluded.first_name,
                 last_name = excluded.last_name,
                 phone = COALESCE(excluded.phone, customers.phone)
             RETURNING id",
            args![
                shop_id,
                email,
                customer.first_name.trim(),
                customer.last_name.trim(),
                customer.phone.as_deref().map(str::trim)
            ],
        )
        .await?;
    let customer_id: i64 = row.get("id")?;
    let subtotal: i64 = order
        .items
        .iter()
        .map(|i| i.unit_price * i64::from(i.quantity))
        .sum();
    let total = domain::order_total(subtotal, order.shipping, order.discount, order.tax);
    let a = &order.delivery_address;
    let promised = order.promised_delivery.as_ref();
    let mut row = c
        .query_one(
            "INSERT INTO orders (shop_id, number, customer_id, placed_at, currency, subtotal,
                                 shipping, discount, tax, total, ship_name, ship_street,
                                 ship_postcode, ship_city, ship_country, promised_from,
                                 promised_to, ship_latitude, ship_longitude, dispatch_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                     ?17, ?18, ?19, ?20)
             RETURNING id",
            args![
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
                promised.map(|w| &w.earliest),
                promised.map(|w| &w.latest),
                a.latitude,
                a.longitude,
                order.dispatch_by.as_deref().map(str::trim)
            ],
        )
        .await?;
    let order_id: i64 = row.get("id")?;
    insert_lines(c, order_id, &order.items).await?;
    Ok(Some(order_id))
}

/// Stores an order's lines, in the order given.
pub async fn insert_lines(
    c: &mut Conn<'_>,
    order_id: i64,
    items: &[NewLineItem],
) -> Result<(), DbError> {
    for (position, item) in items.iter().enumerate() {
        c.execute(
            "INSERT INTO order_items (order_id, position, sku, name, variant, quantity,
                                      unit_price, image_url, sized, final_sale, product,
                                      product_type)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            args![
                order_id,
                position,
                item.sku,
                item.name,
                item.variant,
                item.quantity,
                item.unit_price,
                item.image_url,
                item.sized,
                item.final_sale,
                item.product.as_deref().map(str::trim),
                item.product_type.as_deref().map(str::trim)
            ],
        )
        .await?;
    }
    Ok(())
}

/// The id of a shop's order by its number.
pub async fn id_by_number(
    c: &mut Conn<'_>,
    shop_id: i64,
    number: &str,
) -> Result<Option<i64>, DbError> {
    c.query_opt(
        "SELECT id FROM orders WHERE shop_id = ?1 AND number = ?2",
        args![shop_id, number],
    )
    .await?
    .map(|mut r| r.get("id"))
    .transpose()
}

/// Stores the hash of a capability token for an order.
pub async fn insert_token(
    c: &mut Conn<'_>,
    order_id: i64,
    token: &str,
    expires_at: i64,
) -> Result<(), DbError> {
    c.execute(
        "INSERT INTO order_tokens (token_hash, order_id, expires_at) VALUES (?1, ?2, ?3)",
        args![domain::secret_hash(token), order_id, expires_at],
    )
    .await?;
    Ok(())
}

/// An order's stage by its parcels, as its view says it: one statement.
pub async fn stage(c: &mut Conn<'_>, order_id: i64) -> Result<OrderStage, DbError> {
    let rows = c
        .query(
            "SELECT o.cancelled, s.status FROM orders o
             LEFT JOIN shipments s ON s.order_id = o.id WHERE o.id = ?1",
            args![order_id],
        )
        .await?;
    let mut cancelled = false;
    let mut statuses = Vec::with_capacity(rows.len());
    for mut r in rows {
        cancelled = r.get("cancelled")?;
        if let Some(status) = r.get::<Option<String>>("status")? {
            statuses.push(parcels::status_of(&status));
        }
    }
    Ok(domain::order_stage(cancelled, &statuses))
}

/// The order a capability token opens. A token of the wrong shape is not looked up, and
/// every way of not finding it (missing, wrong, expired, another shop's) is the one
/// `order_not_found`.
pub async fn find(
    c: &mut Conn<'_>,
    shop: &str,
    token: &str,
    now: i64,
) -> Result<OrderRef, ApiError> {
    if !domain::is_token_shaped(token) {
        return Err(ApiError::order_not_found());
    }
    let found = c
        .query_opt(STAMP_SQL, args![domain::secret_hash(token), now, shop])
        .await?;
    match found {
        Some(mut r) => Ok(OrderRef {
            order_id: r.get("id")?,
            shop_id: r.get("shop_id")?,
        }),
        None => Err(ApiError::order_not_found()),
    }
}

/// The order's number.
pub async fn number(c: &mut Conn<'_>, order_id: i64) -> Result<String, DbError> {
    c.query_one("SELECT number FROM orders WHERE id = ?1", args![order_id])
        .await?
        .get("number")
}

/// The customer an order belongs to, and their first name.
pub async fn customer(c: &mut Conn<'_>, order_id: i64) -> Result<(i64, String), DbError> {
    let mut r = c
        .query_one(
            "SELECT c.id, c.first_name FROM orders o JOIN customers c ON c.id = o.customer_id
             WHERE o.id = ?1",
            args![order_id],
        )
        .await?;
    Ok((r.get("id")?, r.get("first_name")?))
}

/// The follow-up modules, in the order the view lists them, by the column saying each
/// is on.
const MODULES: [(Module, &str); 8] = [
    (Module::Returns, "returns_on"),
    (Module::Reviews, "reviews_on"),
    (Module::Referral, "referral_on"),
    (Module::Survey, "survey_on"),
    (Module::Loyalty, "loyalty_on"),
    // Only once the order is delivered (see `view`).
    (Module::Unboxing, "unboxing_on"),
    (Module::Care, "care_on"),
    (Module::Pairs, "pairs_on"),
];

/// Whether the customer of order `o` ordered from the shop before it: a returning
/// customer (the view and the loyalty module say so).
macro_rules! ordered_before {
    () => {
        "EXISTS (SELECT 1 FROM orders p WHERE p.customer_id = o.customer_id
                 AND p.placed_at < o.placed_at AND p.id <> o.id) AS ordered_before"
    };
}
pub(crate) use ordered_before;

/// What the order view's head reads: the order, its customer (and whether they ordered
/// before), its shop's contact, modules and delivery settings.
macro_rules! head_columns {
    () => {
        concat!(
            "SELECT o.id AS order_id, o.version AS order_version, s.version AS shop_version,
                    o.number, o.placed_at, o.currency, o.subtotal, o.shipping,
                    o.discount, o.tax, o.total, o.ship_name, o.ship_street, o.ship_postcode,
                    o.ship_city, o.ship_country, o.promised_from, o.promised_to, o.cancelled,
                    o.ship_latitude, o.ship_longitude,
                    o.picking_started_at IS NOT NULL AS picking,
                    s.changes_cancel, s.changes_address, s.change_window_minutes,
                    s.upgrade_offers, c.first_name, c.email,
                    ",
            ordered_before!(),
            ", s.id AS shop_id, s.name AS shop_name, s.support_email, s.support_phone,
                    s.support_url, s.order_status_url, s.when_lost, s.when_returned,
                    s.refund_days, s.returns_enabled AS returns_on, s.reviews_enabled AS reviews_on,
                    s.referral_enabled AND s.referral_terms IS NOT NULL AS referral_on,
                    s.survey_enabled AS survey_on, s.events_enabled,
                    s.loyalty_enabled AS loyalty_on, s.unboxing_enabled AS unboxing_on,
                    EXISTS (SELECT 1 FROM order_items i
                            JOIN products p ON p.shop_id = o.shop_id AND p.sku = i.sku
                            WHERE i.order_id = o.id
                              AND (p.care IS NOT NULL OR p.care_url IS NOT NULL
                                   OR p.reorder_days IS NOT NULL)
                              AND EXISTS (SELECT 1 FROM shipment_items si
                                          JOIN shipments sh ON sh.id = si.shipment_id
                                          WHERE si.order_item_id = i.id
                                            AND sh.status = 'delivered')) AS care_on,
                    EXISTS (SELECT 1 FROM order_items i
                            JOIN products p ON p.shop_id = o.shop_id AND p.sku = i.sku
                            JOIN product_pairs pp ON pp.product_id = p.id
                            WHERE i.order_id = o.id) AS pairs_on,
                    EXISTS (SELECT 1 FROM delivery_slots WHERE shop_id = o.shop_id)
                    OR EXISTS (SELECT 1 FROM pickup_points WHERE shop_id = o.shop_id) AS has_places, ",
            delivery_columns!()
        )
    };
}

/// Which state of an order and its shop a view was built from: the versions the
/// database bumps in every write that changes what the view shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    pub order_id: i64,
    pub order_version: i64,
    pub shop_version: i64,
}

/// A token (`t`), the order it opens (`o`) and that order's shop (`s`).
macro_rules! token_order_shop {
    () => {
        " FROM order_tokens t
          JOIN orders o ON o.id = t.order_id
          JOIN shops s ON s.id = o.shop_id "
    };
}

/// The order a token (`?1`, its hash) opens at `?2` in shop `?3`, with its state: three
/// rows found by key.
pub const STAMP_SQL: &str = concat!(
    "SELECT o.id, o.shop_id, o.version AS order_version, s.version AS shop_version",
    token_order_shop!(),
    "WHERE t.token_hash = ?1 AND t.expires_at > ?2 AND s.slug = ?3"
);

/// The states of the orders several tokens open (PostgreSQL; `?1` the tokens' hashes,
/// `?2` the shops' slugs, by position): for each token that opens one, its position
/// (`i`, from 1) and when it expires. Each is looked up by key as in [`STAMP_SQL`].
pub const STAMPS_SQL: &str = concat!(
    "SELECT q.i, x.id, x.order_version, x.shop_version, x.expires_at
     FROM unnest(?1::bytea[], ?2::text[]) WITH ORDINALITY AS q(hash, slug, i)
     CROSS JOIN LATERAL (
         SELECT o.id, o.version AS order_version, s.version AS shop_version, t.expires_at",
    token_order_shop!(),
    "WHERE t.token_hash = q.hash AND s.slug = q.slug
         LIMIT 1) x"
);

/// A view of an order, with the state it shows and until when it holds without a write.
pub struct Built {
    pub view: OrderView,
    pub stamp: Stamp,
    /// The next cut-off or local midnight (Unix seconds): the view may differ from then.
    pub holds_until: i64,
}

/// The shopper's view of an order, as of `now`; `None` when there is no such order. Seven
/// queries sent together (one round trip on PostgreSQL), and two more, together, when a
/// parcel's delivery can still be changed and the shop has slots or pickup points.
pub async fn view(c: &mut Conn<'_>, order_id: i64, now: i64) -> Result<Option<Built>, DbError> {
    Ok(build(c, order_id, now, false)
        .await?
        .map(|(built, _)| built))
}

/// [`view`] read outside a transaction ([`crate::db::Db::read_statement`]), where each
/// statement sees the database as it is when it starts: `None` when the order is gone,
/// or changed while it was read. Every write that changes what a view shows bumps the
/// order's or its shop's version in its own transaction (what kept views rest on), so
/// when the versions the first statement read are those the last one read, no such
/// write committed in between, and every statement read the same state of the order (as
/// a seqlock's reader checks its sequence number before and after). One more statement
/// than in a transaction, none of them `BEGIN` or `COMMIT`.
pub async fn view_outside(
    c: &mut Conn<'_>,
    order_id: i64,
    now: i64,
) -> Result<Option<Built>, DbError> {
    Ok(build(c, order_id, now, true)
        .await?
        .and_then(|(built, last)| (last == Some(built.stamp)).then_some(built)))
}

/// The versions of an order and its shop, read on their own.
const VERSIONS_SQL: &str = "SELECT o.version AS order_version, s.version AS shop_version
     FROM orders o JOIN shops s ON s.id = o.shop_id WHERE o.id = ?1";

fn stamp_from(order_id: i64, r: &mut Row) -> Result<Stamp, DbError> {
    Ok(Stamp {
        order_id,
        order_version: r.get("order_version")?,
        shop_version: r.get("shop_version")?,
    })
}

/// [`view`], and with `recheck` the versions its last statement read (`None` when the
/// order was gone by then).
async fn build(
    c: &mut Conn<'_>,
    order_id: i64,
    now: i64,
    recheck: bool,
) -> Result<Option<(Built, Option<Stamp>)>, DbError> {
    let by_order = args![order_id];
    let mut queries = vec![
        (
            concat!(
                head_columns!(),
                " FROM orders o
                  JOIN shops s ON s.id = o.shop_id
                  JOIN customers c ON c.id = o.customer_id
                  WHERE o.id = ?1"
            ),
            by_order,
        ),
        (
            "SELECT id, name, variant, quantity, unit_price, image_url FROM order_items
             WHERE order_id = ?1 ORDER BY position",
            by_order,
        ),
        (
            concat!(
                "SELECT s.id, s.carrier, s.tracking_number, s.carrier_code, s.carrier_text,
                        s.delivered_to, s.eta_to, s.delay_reason, s.pickup, s.duties,
                        s.duties_due, ",
                choice_columns!(),
                " FROM shipments s LEFT JOIN delivery_slots d ON d.id = s.choice_slot_id
                  WHERE s.order_id = ?1 ORDER BY s.id"
            ),
            by_order,
        ),
        (
            "SELECT si.shipment_id, si.order_item_id, si.quantity FROM shipment_items si
             JOIN shipments s ON s.id = si.shipment_id
             WHERE s.order_id = ?1 ORDER BY si.shipment_id, si.order_item_id",
            by_order,
        ),
        // The latest 100 events of each parcel.
        (
            "SELECT shipment_id, occurred_at, status, code, text, location FROM (
                 SELECT e.*, row_number() OVER (PARTITION BY e.shipment_id
                                                ORDER BY e.occurred_at DESC, e.received_at DESC) AS n
                 FROM shipment_events e JOIN shipments s ON s.id = e.shipment_id
                 WHERE s.order_id = ?1) latest
             WHERE n <= 100 ORDER BY shipment_id, n",
            by_order,
        ),
        // The shopper's latest request to cancel or fix the address, and whether one waits.
        (
            concat!(
                "SELECT ",
                super::changes::change_columns!(),
                " FROM order_changes ch WHERE ch.order_id = ?1
                  ORDER BY ch.requested_at DESC, ch.id DESC LIMIT 1"
            ),
            by_order,
        ),
        // The shopper's latest request for faster delivery.
        (
            concat!(
                "SELECT ",
                super::upgrades::upgrade_columns!(),
                " FROM order_upgrades u WHERE u.order_id = ?1
                  ORDER BY u.requested_at DESC, u.id DESC LIMIT 1"
            ),
            by_order,
        ),
    ];
    if recheck {
        // Last: the versions once every other statement has read.
        queries.push((VERSIONS_SQL, by_order));
    }
    let mut answers = c.query_all(&queries).await?.into_iter();
    let mut next = || answers.next().unwrap_or_default();
    let (head, items, shipments, lines, events, requests, upgrades) =
        (next(), next(), next(), next(), next(), next(), next());
    let mut last = next().into_iter().next();
    let Some(mut head) = head.into_iter().next() else {
        return Ok(None);
    };
    let r = &mut head;
    let stamp = stamp_from(order_id, r)?;
    let placed_at: i64 = r.get("placed_at")?;
    let shop_id: i64 = r.get("shop_id")?;
    let has_places: bool = r.get("has_places")?;
    let cancelled: bool = r.get("cancelled")?;
    let home: Option<(f64, f64)> = r
        .get::<Option<f64>>("ship_latitude")?
        .zip(r.get::<Option<f64>>("ship_longitude")?);
    let settings = parcels::delivery_from(r)?;
    let promised_from: Option<String> = r.get("promised_from")?;
    let promised_to: Option<String> = r.get("promised_to")?;
    let mut modules = Vec::new();
    for (module, column) in MODULES {
        if r.get::<bool>(column)? {
            modules.push(module);
        }
    }
    let clock = jiff::Timestamp::from_second(now).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let mut view = OrderView {
        number: r.get("number")?,
        placed_at: instant(placed_at),
        stage: OrderStage::Processing,
        currency: r.get("currency")?,
        customer: CustomerView {
            first_name: r.get("first_name")?,
            email_masked: domain::mask_email(&r.get::<String>("email")?),
            returning: r.get("ordered_before")?,
        },
        items: items
            .into_iter()
            .map(|mut r| {
                let quantity: u32 = r.get("quantity")?;
                let unit_price: i64 = r.get("unit_price")?;
                Ok(LineItemView {
                    id: r.get("id")?,
                    name: r.get("name")?,
                    variant: r.get("variant")?,
                    quantity,
                    unit_price,
                    line_total: unit_price * i64::from(quantity),
                    image_url: r.get("image_url")?,
                })
            })
            .collect::<Result<_, DbError>>()?,
        totals: Totals {
            subtotal: r.get("subtotal")?,
            shipping: r.get("shipping")?,
            discount: r.get("discount")?,
            tax: r.get("tax")?,
            total: r.get("total")?,
        },
        delivery_address: MaskedAddress {
            name: domain::mask_name(&r.get::<String>("ship_name")?),
            street: domain::mask_street(&r.get::<String>("ship_street")?),
            postcode: domain::mask_postcode(&r.get::<String>("ship_postcode")?),
            city: r.get("ship_city")?,
            country: r.get("ship_country")?,
        },
        promised_delivery: promised_from
            .zip(promised_to)
            .map(|(earliest, latest)| DateWindow { earliest, latest }),
        expected_delivery: None,
        delivered_at: None,
        shipments: parcels_of(shipments, lines, events, &settings, clock)?,
        delivery_options: None,
        changes: None,
        shop: ShopContact {
            name: r.get("shop_name")?,
            support_email: r.get("support_email")?,
            support_phone: r.get("support_phone")?,
            support_url: r.get("support_url")?,
            order_status_url: r.get("order_status_url")?,
            when_lost: super::shops::remedy(r.get("when_lost")?),
            when_returned: super::shops::remedy(r.get("when_returned")?),
            refund_days: r.get("refund_days")?,
        },
        modules,
        report_events: r.get("events_enabled")?,
    };
    let statuses: Vec<ShipmentStatus> = view.shipments.iter().map(|s| s.status).collect();
    view.stage = domain::order_stage(cancelled, &statuses);
    if view.stage != OrderStage::Delivered {
        view.modules.retain(|m| *m != Module::Unboxing);
    }
    (view.expected_delivery, view.delivered_at) = domain::order_arrival(&view.shipments);
    if view.shipments.iter().any(|s| s.locked.is_none()) {
        view.delivery_options =
            delivery_options(c, (order_id, shop_id), has_places, &settings, clock, home).await?;
        if recheck && has_places {
            // Slots and points were read after the versions were: read them once more.
            last = c.query_opt(VERSIONS_SQL, by_order).await?;
        }
    }
    let mut holds_until = settings.policy.next_change(clock).as_second();
    // The latest request, until the order is delivered: then it is history (the console
    // keeps it).
    let request = match requests.into_iter().next() {
        Some(mut row) if view.delivered_at.is_none() => {
            super::changes::view_from(&mut row, &view.delivery_address.country)?
        }
        _ => None,
    };
    let facts = domain::changes::OrderFacts {
        placed_at,
        picking: r.get("picking")?,
        parcels: !view.shipments.is_empty(),
        cancelled,
        waiting: request
            .as_ref()
            .is_some_and(|q| q.status == ChangeStatus::Requested),
    };
    let terms = super::changes::settings_from(r)?;
    let (cancel, address, until) = domain::changes::offered(&terms, facts, now);
    if let Some(until) = until {
        // Asking closes then without a write.
        holds_until = holds_until.min(until);
    }
    if cancel || address || request.is_some() {
        view.changes = Some(OrderChanges {
            cancel,
            address,
            until: until.map(instant),
            request,
        });
    }
    // Faster delivery: listed while it can be asked for, or while a request is there to
    // follow; a confirmed one is the order's promise.
    let upgrade = match upgrades.into_iter().next() {
        Some(mut row) => super::upgrades::request_from(&mut row)?,
        None => None,
    };
    let mut upgrade_facts = domain::upgrades::OrderFacts {
        parcels: !view.shipments.is_empty(),
        cancelled,
        delivered: view.delivered_at.is_some(),
        ..Default::default()
    };
    super::upgrades::apply(&mut upgrade_facts, upgrade.as_ref());
    let offers = !super::upgrades::offers_from(&r.get::<String>("upgrade_offers")?).is_empty();
    if domain::upgrades::listed(offers, upgrade_facts, upgrade.is_some()) {
        view.modules.push(Module::Upgrade);
    }
    if let Some(promise) = upgrade.as_ref().and_then(super::upgrades::promised) {
        view.promised_delivery = Some(promise);
    }
    let last = match last {
        Some(mut r) if recheck => Some(stamp_from(order_id, &mut r)?),
        _ => None,
    };
    let built = Built {
        view,
        stamp,
        holds_until,
    };
    Ok(Some((built, last)))
}

/// A parcel's customs from its columns: what the shop said when it registered the parcel
/// (`paid` or `due`), and what the carrier said is due, which makes it `due` whatever the
/// shop meant. `None` for a parcel that crosses no border.
fn customs_from(duties: Option<String>, due: Option<String>) -> Option<Customs> {
    let due: Option<DutiesDue> = due.and_then(|d| serde_json::from_str(&d).ok());
    let duties = match (&due, duties.as_deref().and_then(super::from_wire::<Duties>)) {
        (Some(_), _) => Duties::Due,
        (None, Some(duties)) => duties,
        (None, None) => return None,
    };
    Some(Customs { duties, due })
}

/// An order's parcels from its rows: the parcels with their choices, their lines, and
/// their latest events.
fn parcels_of(
    shipments: Vec<Row>,
    lines: Vec<Row>,
    events: Vec<Row>,
    settings: &ShopDelivery,
    clock: jiff::Timestamp,
) -> Result<Vec<ShipmentSummary>, DbError> {
    let policy = &settings.policy;
    let mut shipments = shipments
        .into_iter()
        .map(|mut r| {
            let stored = parcels::choice_from(&mut r)?;
            let carrier: String = r.get("carrier")?;
            let tracking_number: String = r.get("tracking_number")?;
            let eta_to: Option<i64> = r.get("eta_to")?;
            let (locked, until) = delivery::lock(stored.status, stored.due(policy), clock, policy);
            Ok(ShipmentSummary {
                id: r.get("id")?,
                tracking_url: domain::tracking_url(&carrier, &tracking_number),
                carrier_name: domain::carrier_name(&carrier),
                carrier,
                tracking_number,
                status: stored.status,
                delivered_to: r
                    .get::<Option<String>>("delivered_to")?
                    .as_deref()
                    .and_then(DeliveredTo::parse),
                estimated_delivery: stored.window(eta_to, policy).map(|(from, to)| TimeWindow {
                    from: instant(from.as_second()),
                    to: instant(to.as_second()),
                }),
                pickup: r
                    .get::<Option<String>>("pickup")?
                    .and_then(|p| serde_json::from_str(&p).ok()),
                customs: customs_from(
                    r.get::<Option<String>>("duties")?,
                    r.get::<Option<String>>("duties_due")?,
                ),
                delivered_at: None,
                carrier_code: r.get("carrier_code")?,
                carrier_text: r.get("carrier_text")?,
                delay_reason: r
                    .get::<Option<String>>("delay_reason")?
                    .as_deref()
                    .and_then(DelayReason::parse),
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
        })
        .collect::<Result<Vec<_>, DbError>>()?;
    let index = |shipments: &[ShipmentSummary], id: i64| shipments.iter().position(|s| s.id == id);
    for mut r in lines {
        if let Some(i) = index(&shipments, r.get("shipment_id")?) {
            shipments[i].items.push(ShipmentItem {
                line_id: r.get("order_item_id")?,
                quantity: r.get("quantity")?,
            });
        }
    }
    for mut r in events {
        if let Some(i) = index(&shipments, r.get("shipment_id")?) {
            shipments[i].events.push(event_from(&mut r)?);
        }
    }
    for s in &mut shipments {
        if s.status == ShipmentStatus::Delivered {
            // Events are newest first: the latest delivery.
            s.delivered_at = s
                .events
                .iter()
                .find(|e| e.status == ShipmentStatus::Delivered)
                .map(|e| e.occurred_at.clone());
        }
    }
    Ok(shipments)
}

fn event_from(r: &mut Row) -> Result<TrackingEvent, DbError> {
    Ok(TrackingEvent {
        occurred_at: instant(r.get("occurred_at")?),
        status: parcels::status_of(&r.get::<String>("status")?),
        code: r.get("code")?,
        text: r.get("text")?,
        location: r.get("location")?,
    })
}

/// Columns [`slot_from`] reads, from `delivery_slots`.
macro_rules! slot_columns {
    () => {
        "id, date, starts, ends, price, capacity - taken AS places_left"
    };
}
pub(crate) use slot_columns;

pub fn slot_from(r: &mut Row) -> Result<DeliverySlot, DbError> {
    Ok(DeliverySlot {
        id: r.get("id")?,
        date: r.get("date")?,
        from: r.get("starts")?,
        to: r.get("ends")?,
        price: r.get("price")?,
        places_left: r.get("places_left")?,
    })
}

/// Columns [`point_from`] reads, from `pickup_points`.
macro_rules! point_columns {
    () => {
        "id, locker, name, address, opening_hours, latitude, longitude"
    };
}
pub(crate) use point_columns;

/// A pickup point with its distance from `home` when both places are known.
pub fn point_from(r: &mut Row, home: Option<(f64, f64)>) -> Result<PickupPoint, DbError> {
    let at: Option<(f64, f64)> = r
        .get::<Option<f64>>("latitude")?
        .zip(r.get::<Option<f64>>("longitude")?);
    Ok(PickupPoint {
        id: r.get("id")?,
        locker: r.get("locker")?,
        name: r.get("name")?,
        address: r.get("address")?,
        opening_hours: super::lines(&r.get::<String>("opening_hours")?),
        distance_m: home.zip(at).map(|(a, b)| delivery::distance_m(a, b)),
    })
}

/// What the shop offers this order's parcels: open slots (and any this order holds),
/// safe places, the nearest pickup points. `None` when it offers nothing. A shop with
/// no slots and no pickup points (`has_places` false) costs no query.
async fn delivery_options(
    c: &mut Conn<'_>,
    (order_id, shop_id): (i64, i64),
    has_places: bool,
    settings: &ShopDelivery,
    now: jiff::Timestamp,
    home: Option<(f64, f64)>,
) -> Result<Option<DeliveryOptions>, DbError> {
    let policy = &settings.policy;
    let today = policy.today(now).to_string();
    let [slots, points] = if !has_places {
        [Vec::new(), Vec::new()]
    } else {
        c.query_each([
            (
                concat!(
                    "SELECT ",
                    slot_columns!(),
                    " FROM delivery_slots
                      WHERE shop_id = ?1 AND (date >= ?2 OR id IN
                            (SELECT choice_slot_id FROM shipments WHERE order_id = ?3))
                      ORDER BY date, starts LIMIT 60"
                ),
                args![shop_id, today, order_id],
            ),
            (
                concat!(
                    "SELECT ",
                    point_columns!(),
                    " FROM pickup_points WHERE shop_id = ?1"
                ),
                args![shop_id],
            ),
        ])
        .await?
    };
    let slots = slots
        .into_iter()
        .map(|mut r| slot_from(&mut r))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|slot| slot.date.parse().is_ok_and(|d| policy.open_for(d, now)))
        .collect::<Vec<_>>();
    let mut pickup_points = points
        .into_iter()
        .map(|mut r| point_from(&mut r, home))
        .collect::<Result<Vec<_>, _>>()?;
    pickup_points.sort_by_key(|p| (p.distance_m.is_none(), p.distance_m));
    pickup_points.truncate(10);
    let options = DeliveryOptions {
        slots,
        safe_places: settings.safe_places.clone(),
        pickup_points,
        neighbour: settings.neighbour,
        slot_payment: settings.slot_payment,
    };
    let offers_anything = !options.slots.is_empty()
        || !options.safe_places.is_empty()
        || !options.pickup_points.is_empty()
        || options.neighbour
        || policy.later_days > 0;
    Ok(offers_anything.then_some(options))
}

/// How a new order was taken in.
pub struct Created {
    /// The same request (by `Idempotency-Key`) made the order before.
    pub replayed: bool,
}

impl Db {
    /// Stores an order and its first token; with a merchant's key, a retry finds the
    /// order the first attempt made and gets a token of its own (`409 order_exists` for
    /// a new request with a number the shop has).
    pub async fn create_order(
        &self,
        shop_id: i64,
        order: NewOrder,
        key: Option<MerchantKey>,
        token: String,
        expires_at: i64,
        now: i64,
    ) -> Result<Created, ApiError> {
        let placed_at = order
            .placed_at
            .as_deref()
            .and_then(domain::parse_instant)
            .map_or(now, |t| t.unix_timestamp());
        self.write(work!(|c, order, key, token| {
            if let Some(key) = &key {
                if let Some(order_id) = key.made_before(c, shop_id, now).await? {
                    // Tokens are stored hashed, so the first one cannot be shown again.
                    insert_token(c, order_id, &token, expires_at).await?;
                    return Ok(Created { replayed: true });
                }
            }
            let Some(order_id) = insert(c, shop_id, &order, placed_at).await? else {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "order_exists",
                    "This shop already has an order with that number.",
                ));
            };
            insert_token(c, order_id, &token, expires_at).await?;
            if let Some(key) = &key {
                key.remember(c, shop_id, order_id, now).await?;
            }
            Ok(Created { replayed: false })
        }))
        .await
    }

    /// Stores another capability token for a shop's order.
    pub async fn mint_token(
        &self,
        shop_id: i64,
        number: &str,
        token: String,
        expires_at: i64,
    ) -> Result<(), ApiError> {
        let number = number.to_owned();
        self.write(work!(|c, number, token| {
            let order_id = id_by_number(c, shop_id, &number)
                .await?
                .ok_or_else(ApiError::unknown_order_number)?;
            Ok(insert_token(c, order_id, &token, expires_at).await?)
        }))
        .await
    }

    /// The order a capability token opens; the one `order_not_found` for any other.
    pub async fn find_order(
        &self,
        shop: &str,
        token: &str,
        now: i64,
    ) -> Result<OrderRef, ApiError> {
        if !domain::is_token_shaped(token) {
            return Err(ApiError::order_not_found());
        }
        let (shop, token) = (shop.to_owned(), token.to_owned());
        self.read_statement(work!(|c, shop, token| {
            find(c, &shop, &token, now).await
        }))
        .await
    }

    /// The order a capability token opens, as the shopper sees it.
    pub async fn order_view(&self, shop: &str, token: &str, now: i64) -> Result<Built, ApiError> {
        let (shop, token) = (shop.to_owned(), token.to_owned());
        self.read(work!(|c, shop, token| {
            let order = find(c, &shop, &token, now).await?;
            view(c, order.order_id, now)
                .await?
                .ok_or_else(ApiError::order_not_found)
        }))
        .await
    }

    /// An order's view, built now, by its id (found by [`Db::order_stamp`]). On
    /// PostgreSQL it is read first outside a transaction, on the connection the
    /// one-statement reads share ([`view_outside`]): no connection to wait for, no `BEGIN`
    /// or `COMMIT`. Only a view whose order changed while it was read is read again, in a
    /// transaction. SQLite's transactions cost no round trip, and it builds in one.
    pub async fn order_view_of(&self, order_id: i64, now: i64) -> Result<Built, ApiError> {
        if self.backend() == Backend::Postgres {
            let read = self
                .read_statement(work!(|c| { view_outside(c, order_id, now).await }))
                .await?;
            if let Some(built) = read {
                return Ok(built);
            }
        }
        self.read(work!(|c| {
            view(c, order_id, now)
                .await?
                .ok_or_else(ApiError::order_not_found)
        }))
        .await
    }

    /// [`Db::order_stamp`] for several tokens in one statement (PostgreSQL): for each
    /// token's hash and shop, the state of the order it opens and when it expires.
    pub async fn order_stamps(
        &self,
        hashes: Vec<Vec<u8>>,
        shops: Vec<String>,
    ) -> Result<Vec<Option<(Stamp, i64)>>, DbError> {
        let wanted = hashes.len();
        self.read_statement(work!(|c, hashes, shops| {
            let mut found = vec![None; wanted];
            for mut r in c.query(STAMPS_SQL, args![hashes[..], shops[..]]).await? {
                let i: i64 = r.get("i")?;
                let stamp = Stamp {
                    order_id: r.get("id")?,
                    order_version: r.get("order_version")?,
                    shop_version: r.get("shop_version")?,
                };
                if let Some(slot) = usize::try_from(i - 1).ok().and_then(|i| found.get_mut(i)) {
                    *slot = Some((stamp, r.get("expires_at")?));
                }
            }
            Ok(found)
        }))
        .await
    }

    /// The state of the order a capability token opens, in one indexed read (no
    /// transaction): what a kept view is checked against. The one `order_not_found` for
    /// any token that opens nothing, as [`Db::find_order`].
    pub async fn order_stamp(&self, shop: &str, token: &str, now: i64) -> Result<Stamp, ApiError> {
        if !domain::is_token_shaped(token) {
            return Err(ApiError::order_not_found());
        }
        let (shop, hash) = (shop.to_owned(), domain::secret_hash(token));
        self.read_statement(work!(|c, shop, hash| {
            let found = c.query_opt(STAMP_SQL, args![hash, now, shop]).await?;
            match found {
                Some(mut r) => Ok(Stamp {
                    order_id: r.get("id")?,
                    order_version: r.get("order_version")?,
                    shop_version: r.get("shop_version")?,
                }),
                None => Err(ApiError::order_not_found()),
            }
        }))
        .await
    }
}
