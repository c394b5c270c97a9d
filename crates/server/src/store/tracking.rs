//! Parcels and carrier events: registering a parcel with what is in it, and taking in
//! events in any order (the latest by time decides the status).

use std::collections::HashMap;

use axum::http::StatusCode;
use postpurchase_api::{
    CarrierEvent, DeliveredTo, FieldError, NewShipment, ShipmentItem, ShipmentStatus,
};

use super::{changes, delays, orders, parcels};
use crate::db::{Backend, Conn, Db, DbError};
use crate::domain;
use crate::error::ApiError;
use crate::{args, work};

/// Adds a parcel with the given items (order line position, quantity).
pub async fn insert_shipment(
    c: &mut Conn<'_>,
    order_id: i64,
    carrier: &str,
    tracking_number: &str,
    items: &[(i64, u32)],
) -> Result<i64, DbError> {
    let shipment_id: i64 = c
        .query_one(
            "INSERT INTO shipments (order_id, carrier, tracking_number, status)
             VALUES (?1, ?2, ?3, ?4) RETURNING id",
            args![
                order_id,
                carrier,
                tracking_number,
                ShipmentStatus::Pending.as_str()
            ],
        )
        .await?
        .get("id")?;
    for (position, quantity) in items {
        c.execute(
            "INSERT INTO shipment_items (shipment_id, order_item_id, quantity)
             SELECT CAST(?1 AS BIGINT), id, CAST(?3 AS BIGINT) FROM order_items
             WHERE order_id = ?2 AND position = ?4",
            args![shipment_id, order_id, quantity, position],
        )
        .await?;
    }
    Ok(shipment_id)
}

/// Shop `?1`'s shipment by carrier (`?2`) and tracking number (`?3`), with its status.
const BY_TRACKING: &str =
    "SELECT s.id, s.status FROM shipments s JOIN orders o ON o.id = s.order_id
     WHERE o.shop_id = ?1 AND s.carrier = ?2 AND s.tracking_number = ?3";

/// A shop's shipment, by carrier and tracking number.
pub async fn shipment_by_tracking(
    c: &mut Conn<'_>,
    shop_id: i64,
    carrier: &str,
    tracking_number: &str,
) -> Result<Option<i64>, DbError> {
    c.query_opt(BY_TRACKING, args![shop_id, carrier, tracking_number])
        .await?
        .map(|mut r| r.get("id"))
        .transpose()
}

/// A shop's shipment by carrier and tracking number, with its stored status, its row
/// locked until the write ends (as [`delays::lock_status`], in the same statement).
async fn lock_by_tracking(
    c: &mut Conn<'_>,
    shop_id: i64,
    carrier: &str,
    tracking_number: &str,
) -> Result<Option<(i64, ShipmentStatus)>, DbError> {
    // SQLite's write transaction holds the whole database already.
    let sql = match c.backend() {
        Backend::Postgres => &[BY_TRACKING, " FOR UPDATE OF s"].concat(),
        Backend::Sqlite => BY_TRACKING,
    };
    c.query_opt(sql, args![shop_id, carrier, tracking_number])
        .await?
        .map(|mut r| {
            Ok((
                r.get("id")?,
                parcels::status_of(&r.get::<String>("status")?),
            ))
        })
        .transpose()
}

/// An order line as parcels see it.
#[derive(Clone, Copy, Debug)]
struct Line {
    id: i64,
    position: i64,
    ordered: u32,
    /// How many are already in registered parcels.
    shipped: u32,
}

/// An order's (`?1`) lines with how many of each are in parcels already: by index on
/// both tables (`shipment_items_by_line`), however many parcels the shop has.
pub const LINES_SHIPPED_SQL: &str = "SELECT i.sku, i.id, i.position, i.quantity,
        CAST(COALESCE(SUM(si.quantity), 0) AS BIGINT) AS shipped
     FROM order_items i LEFT JOIN shipment_items si ON si.order_item_id = i.id
     WHERE i.order_id = ?1 GROUP BY i.id";

async fn lines_by_sku(c: &mut Conn<'_>, order_id: i64) -> Result<HashMap<String, Line>, DbError> {
    c.query(LINES_SHIPPED_SQL, args![order_id])
        .await?
        .into_iter()
        .map(|mut r| {
            Ok((
                r.get("sku")?,
                Line {
                    id: r.get("id")?,
                    position: r.get("position")?,
                    ordered: r.get("quantity")?,
                    shipped: r.get("shipped")?,
                },
            ))
        })
        .collect()
}

/// Stores one carrier event unless its id is known; true when it was new.
pub async fn record_event(
    c: &mut Conn<'_>,
    shipment_id: i64,
    event: &CarrierEvent,
    (status, delivered_to): domain::Mapped,
    occurred_at: i64,
    now: i64,
) -> Result<bool, DbError> {
    let inserted = c
        .execute(
            "INSERT INTO shipment_events
                 (shipment_id, event_id, occurred_at, status, code, text, location, received_at,
                  delivered_to, pickup, duties_due)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT (shipment_id, event_id) DO NOTHING",
            args![
                shipment_id,
                event.event_id.trim(),
                occurred_at,
                status.as_str(),
                event.code.trim(),
                event.text.as_deref().map(str::trim),
                event.location.as_deref().map(str::trim),
                now,
                delivered_to.map(DeliveredTo::as_str),
                event
                    .pickup
                    .as_ref()
                    .and_then(|p| serde_json::to_string(p).ok()),
                event
                    .duties_due
                    .as_ref()
                    .and_then(|d| serde_json::to_string(d).ok()),
            ],
        )
        .await?;
    Ok(inserted == 1)
}

/// Sets a parcel's delivery estimate (Unix seconds) if `event_id` is its latest event by
/// time, in one statement: a late-arriving older event's estimate is stale.
async fn set_estimate_if_latest(
    c: &mut Conn<'_>,
    shipment_id: i64,
    event_id: &str,
    (from, to): (i64, i64),
) -> Result<(), DbError> {
    c.execute(
        "UPDATE shipments SET eta_from = ?2, eta_to = ?3
         WHERE id = ?1 AND ?4 = (SELECT event_id FROM shipment_events WHERE shipment_id = ?1
                                 ORDER BY occurred_at DESC, received_at DESC LIMIT 1)",
        args![shipment_id, from, to, event_id],
    )
    .await?;
    Ok(())
}

/// Sets a parcel's delivery estimate (Unix seconds).
pub async fn set_estimate(
    c: &mut Conn<'_>,
    shipment_id: i64,
    from: i64,
    to: i64,
) -> Result<(), DbError> {
    c.execute(
        "UPDATE shipments SET eta_from = ?2, eta_to = ?3 WHERE id = ?1",
        args![shipment_id, from, to],
    )
    .await?;
    Ok(())
}

/// Sets what customs charges for a parcel from its latest event that said it, whatever
/// came after or arrived late.
async fn refresh_duties(c: &mut Conn<'_>, shipment_id: i64) -> Result<(), DbError> {
    c.execute(
        "UPDATE shipments SET duties_due = (
             SELECT duties_due FROM shipment_events
             WHERE shipment_id = ?1 AND duties_due IS NOT NULL
             ORDER BY occurred_at DESC, received_at DESC LIMIT 1)
         WHERE id = ?1",
        args![shipment_id],
    )
    .await?;
    Ok(())
}

/// Sets a shipment's status and carrier words from its latest event by time (events may
/// arrive in any order); returns the status and the number of events.
pub async fn refresh_shipment(
    c: &mut Conn<'_>,
    shipment_id: i64,
) -> Result<(ShipmentStatus, u32), DbError> {
    c.execute(
        "UPDATE shipments SET (status, carrier_code, carrier_text, delivered_to, pickup) = (
             SELECT status, code, text, delivered_to, pickup FROM shipment_events
             WHERE shipment_id = ?1
             ORDER BY occurred_at DESC, received_at DESC LIMIT 1)
         WHERE id = ?1 AND EXISTS (SELECT 1 FROM shipment_events WHERE shipment_id = ?1)",
        args![shipment_id],
    )
    .await?;
    refresh_duties(c, shipment_id).await?;
    let mut r = c
        .query_one(
            "SELECT status, (SELECT count(*) FROM shipment_events WHERE shipment_id = ?1) AS events
             FROM shipments WHERE id = ?1",
            args![shipment_id],
        )
        .await?;
    Ok((
        parcels::status_of(&r.get::<String>("status")?),
        r.get("events")?,
    ))
}

/// A validated parcel to register.
#[derive(Clone, Debug)]
pub struct ParcelRequest {
    pub number: String,
    pub shipment: NewShipment,
    /// The estimate in Unix seconds, if any.
    pub eta: Option<(i64, i64)>,
}

/// A carrier event taken in: whether it was new, the parcel's status, how many events it
/// has, and whether news of it was queued for the shop (wake the webhook worker).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Taken {
    pub recorded: bool,
    pub status: ShipmentStatus,
    pub events: u32,
    pub queued: bool,
}

/// Records a carrier's event for a parcel and brings the parcel up to date, delays
/// included ([`delays::settle`]); a change of status is queued for the shop's webhook.
/// `previous` is the parcel's status as read when its row was locked.
pub async fn take_event(
    c: &mut Conn<'_>,
    (shipment_id, previous): (i64, ShipmentStatus),
    request: &EventRequest,
    now: i64,
) -> Result<Taken, ApiError> {
    let recorded = record_event(
        c,
        shipment_id,
        &request.event,
        request.mapped,
        request.occurred_at,
        now,
    )
    .await?;
    if let (true, Some(eta)) = (recorded, request.eta) {
        set_estimate_if_latest(c, shipment_id, request.event.event_id.trim(), eta).await?;
    }
    if recorded && request.event.duties_due.is_some() {
        refresh_duties(c, shipment_id).await?;
    }
    let settled = delays::settle(c, shipment_id, previous, now).await?;
    Ok(Taken {
        recorded,
        status: settled.status,
        events: settled.events,
        queued: settled.queued,
    })
}

#[derive(Clone, Debug)]
pub struct EventRequest {
    pub carrier: String,
    pub tracking_number: String,
    pub event: CarrierEvent,
    pub mapped: domain::Mapped,
    pub occurred_at: i64,
    pub eta: Option<(i64, i64)>,
}

impl Db {
    /// Registers a parcel of a shop's order: every SKU must be a line of the order, and no
    /// line may travel more often than it was ordered, counting the parcels registered
    /// before; a cancelled order takes none. A change request still waiting is overtaken
    /// (`shipped`). Returns its id, what is in it, and whether a webhook was queued.
    pub async fn create_shipment(
        &self,
        shop_id: i64,
        request: ParcelRequest,
        now: i64,
    ) -> Result<(i64, Vec<ShipmentItem>, bool), ApiError> {
        self.write(work!(|c, request| {
            let shipment = &request.shipment;
            let tracking_number = shipment.tracking_number.trim();
            let order_id = orders::id_by_number(c, shop_id, &request.number)
                .await?
                .ok_or_else(ApiError::unknown_order_number)?;
            changes::refuse_parcel_if_cancelled(c, order_id).await?;
            if shipment_by_tracking(c, shop_id, &shipment.carrier, tracking_number)
                .await?
                .is_some()
            {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "shipment_exists",
                    "This shop already has a shipment with that carrier and tracking number.",
                ));
            }
            let lines = lines_by_sku(c, order_id).await?;
            let mut errors = Vec::new();
            let mut positions = Vec::new();
            let mut parcel = Vec::new();
            let mut in_this_parcel: HashMap<&str, u32> = HashMap::new();
            for (i, item) in shipment.items.iter().enumerate() {
                let sku = item.sku.trim();
                let Some(line) = lines.get(sku) else {
                    errors.push(FieldError::new(
                        format!("items[{i}].sku"),
                        "is not a line of this order",
                    ));
                    continue;
                };
                let earlier = in_this_parcel.entry(sku).or_default();
                let free = line.ordered.saturating_sub(line.shipped + *earlier);
                if item.quantity > free {
                    errors.push(FieldError::new(
                        format!("items[{i}].quantity"),
                        format!("only {free} of this line are not yet in a parcel"),
                    ));
                } else {
                    *earlier += item.quantity;
                    positions.push((line.position, item.quantity));
                    parcel.push(ShipmentItem {
                        line_id: line.id,
                        quantity: item.quantity,
                    });
                }
            }
            if !errors.is_empty() {
                return Err(ApiError::invalid_fields(errors));
            }
            let id = insert_shipment(c, order_id, &shipment.carrier, tracking_number, &positions)
                .await?;
            if let Some(duties) = shipment.duties {
                c.execute(
                    "UPDATE shipments SET duties = ?2 WHERE id = ?1",
                    args![id, super::wire_name(duties)],
                )
                .await?;
            }
            if let Some((from, to)) = request.eta {
                set_estimate(c, id, from, to).await?;
            }
            let queued = changes::overtake(c, orders::OrderRef { order_id, shop_id }, now).await?;
            Ok((id, parcel, queued))
        }))
        .await
    }

    /// Takes in one carrier event: the same event id twice is one event, and an estimate
    /// counts only when it came with the latest event by time.
    pub async fn record_carrier_event(
        &self,
        shop_id: i64,
        request: EventRequest,
        now: i64,
    ) -> Result<Taken, ApiError> {
        self.write_locked(work!(|c, request| {
            let parcel = lock_by_tracking(c, shop_id, &request.carrier, &request.tracking_number)
                .await?
                .ok_or_else(|| {
                    ApiError::new(
                        StatusCode::NOT_FOUND,
                        "shipment_not_found",
                        "This shop has no shipment with that carrier and tracking number.",
                    )
                })?;
            take_event(c, parcel, &request, now).await
        }))
        .await
    }
}
