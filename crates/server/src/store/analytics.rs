//! The widget's events in, and the rows the dashboard's figures come from
//! ([`crate::domain::analytics`] decides what they mean).

use std::collections::HashSet;

use jiff::tz::TimeZone;
use postpurchase_api::{Analytics, AnalyticsSettings, EventReport, HeardCount, ShipmentStatus};

use super::{from_wire, orders};
use crate::db::{Conn, Db, DbError, Row};
use crate::domain::analytics::{
    day_in, figures, EventFact, Facts, OrderFact, ParcelFact, Period, ReturnFact, ReturnedItem,
    EVENTS_PER_DAY,
};
use crate::domain::secret_hash;
use crate::error::ApiError;
use crate::{args, work};

fn all<T>(rows: Vec<Row>, read: impl FnMut(Row) -> Result<T, DbError>) -> Result<Vec<T>, DbError> {
    rows.into_iter().map(read).collect()
}

/// The orders placed in the period, with what the figures need of each.
async fn orders_in(
    c: &mut Conn<'_>,
    shop_id: i64,
    (start, end): (i64, i64),
) -> Result<Vec<OrderFact>, DbError> {
    let redeemed: HashSet<Vec<u8>> = all(
        c.query(
            "SELECT email_hash FROM referral_redemptions WHERE shop_id = ?1",
            args![shop_id],
        )
        .await?,
        |mut r| r.get("email_hash"),
    )?
    .into_iter()
    .collect();
    let rows = c
        .query(
            "SELECT o.id, o.placed_at, o.currency, o.total, o.promised_to, c.email,
                    (SELECT count(*) FROM orders p WHERE p.customer_id = o.customer_id
                     AND (p.placed_at < o.placed_at OR (p.placed_at = o.placed_at AND p.id < o.id)))
                     AS earlier,
                    (SELECT min(p.placed_at) FROM orders p WHERE p.customer_id = o.customer_id)
                     AS first_placed_at,
                    (SELECT count(*) FROM order_items i WHERE i.order_id = o.id) AS lines
             FROM orders o JOIN customers c ON c.id = o.customer_id
             WHERE o.shop_id = ?1 AND o.placed_at >= ?2 AND o.placed_at < ?3",
            args![shop_id, start, end],
        )
        .await?;
    all(rows, |mut r| {
        let email: String = r.get("email")?;
        Ok(OrderFact {
            id: r.get("id")?,
            placed_at: r.get("placed_at")?,
            currency: r.get("currency")?,
            total: r.get("total")?,
            promised_to: r.get("promised_to")?,
            earlier_orders: r.get("earlier")?,
            first_placed_at: r.get("first_placed_at")?,
            referred: redeemed.contains(secret_hash(&email.to_lowercase()).as_slice()),
            lines: r.get("lines")?,
        })
    })
}

/// The orders placed in the period, as a condition on `o`.
const OF_PERIOD: &str = "o.shop_id = ?1 AND o.placed_at >= ?2 AND o.placed_at < ?3";

async fn parcels_in(
    c: &mut Conn<'_>,
    shop_id: i64,
    (start, end): (i64, i64),
) -> Result<Vec<ParcelFact>, DbError> {
    let rows = c
        .query(
            &format!(
                "SELECT s.order_id, s.carrier, s.status, s.choice,
                        (SELECT min(e.occurred_at) FROM shipment_events e
                         WHERE e.shipment_id = s.id AND e.status = 'delivered') AS delivered_at,
                        EXISTS (SELECT 1 FROM shipment_events e
                                WHERE e.shipment_id = s.id AND e.status = 'exception') AS problem,
                        EXISTS (SELECT 1 FROM shipment_events e
                                WHERE e.shipment_id = s.id AND e.status = 'attempt_failed') AS failed
                 FROM shipments s JOIN orders o ON o.id = s.order_id WHERE {OF_PERIOD}"
            ),
            args![shop_id, start, end],
        )
        .await?;
    all(rows, |mut r| {
        let choice: Option<String> = r.get("choice")?;
        Ok(ParcelFact {
            order_id: r.get("order_id")?,
            carrier: r.get("carrier")?,
            status: from_wire::<ShipmentStatus>(&r.get::<String>("status")?),
            choice: choice
                .and_then(|c| serde_json::from_str::<serde_json::Value>(&c).ok())
                .and_then(|c| c.get("kind")?.as_str().map(str::to_owned)),
            delivered_at: r.get("delivered_at")?,
            had_exception: r.get("problem")?,
            had_failed_attempt: r.get("failed")?,
        })
    })
}

/// Returns that go ahead: neither cancelled by the shopper nor rejected by the shop.
const GOING_AHEAD: &str = "r.status NOT IN ('cancelled', 'rejected')";

async fn returns_in(
    c: &mut Conn<'_>,
    shop_id: i64,
    period: (i64, i64),
) -> Result<(Vec<ReturnFact>, Vec<ReturnedItem>), DbError> {
    let (start, end) = period;
    let returns = c
        .query(
            &format!(
                "SELECT r.order_id, r.resolution, r.refund, o.currency
                 FROM returns r JOIN orders o ON o.id = r.order_id
                 WHERE {OF_PERIOD} AND {GOING_AHEAD}"
            ),
            args![shop_id, start, end],
        )
        .await?;
    let items = c
        .query(
            &format!(
                "SELECT ri.reason, ri.quantity, i.name FROM return_items ri
                 JOIN returns r ON r.id = ri.return_id
                 JOIN order_items i ON i.id = ri.order_item_id
                 JOIN orders o ON o.id = r.order_id
                 WHERE {OF_PERIOD} AND {GOING_AHEAD}"
            ),
            args![shop_id, start, end],
        )
        .await?;
    Ok((
        all(returns, |mut r| {
            Ok(ReturnFact {
                order_id: r.get("order_id")?,
                resolution: r.get("resolution")?,
                refund: r.get("refund")?,
                currency: r.get("currency")?,
            })
        })?,
        all(items, |mut r| {
            Ok(ReturnedItem {
                reason: r.get("reason")?,
                product: r.get("name")?,
                quantity: r.get("quantity")?,
            })
        })?,
    ))
}

/// Events on the period's days, and every event of the period's orders.
async fn events_in(
    c: &mut Conn<'_>,
    shop_id: i64,
    period: &Period,
) -> Result<Vec<EventFact>, DbError> {
    let rows = c
        .query(
            "SELECT w.order_id, w.day, w.event, w.module, w.count
             FROM widget_events w JOIN orders o ON o.id = w.order_id
             WHERE w.shop_id = ?1
               AND ((w.day >= ?4 AND w.day <= ?5) OR (o.placed_at >= ?2 AND o.placed_at < ?3))",
            args![
                shop_id,
                period.start(),
                period.end(),
                period.from.to_string(),
                period.to.to_string()
            ],
        )
        .await?;
    all(rows, |mut r| {
        Ok(EventFact {
            order_id: r.get("order_id")?,
            day: r.get("day")?,
            event: r.get("event")?,
            module: r.get("module")?,
            count: r.get("count")?,
        })
    })
}

/// Everything the figures are computed from, for the shop and period.
async fn facts(c: &mut Conn<'_>, shop_id: i64, period: &Period) -> Result<Facts, DbError> {
    let span = (period.start(), period.end());
    let (start, end) = span;
    let (events_enabled, _) = events_and_zone(c, shop_id).await?;
    let orders = orders_in(c, shop_id, span).await?;
    let parcels = parcels_in(c, shop_id, span).await?;
    let (returns, returned_items) = returns_in(c, shop_id, span).await?;
    let stars = all(
        c.query(
            "SELECT r.stars FROM reviews r
             JOIN order_items i ON i.id = r.order_item_id
             JOIN orders o ON o.id = i.order_id
             WHERE o.shop_id = ?1 AND o.placed_at >= ?2 AND o.placed_at < ?3
               AND r.status <> 'rejected'",
            args![shop_id, start, end],
        )
        .await?,
        |mut r| r.get("stars"),
    )?;
    let events = events_in(c, shop_id, period).await?;
    let nps = all(
        c.query(
            "SELECT a.answered_at, a.score FROM nps_answers a JOIN orders o ON o.id = a.order_id
             WHERE o.shop_id = ?1 AND a.answered_at >= ?2 AND a.answered_at < ?3",
            args![shop_id, start, end],
        )
        .await?,
        |mut r| Ok((r.get("answered_at")?, r.get("score")?)),
    )?;
    let heard = all(
        c.query(
            "SELECT h.option, count(*) AS answers FROM heard_answers h
             JOIN customers c ON c.id = h.customer_id
             WHERE c.shop_id = ?1 AND h.answered_at >= ?2 AND h.answered_at < ?3
             GROUP BY h.option",
            args![shop_id, start, end],
        )
        .await?,
        |mut r| {
            Ok(HeardCount {
                option: r.get("option")?,
                count: r.get("answers")?,
            })
        },
    )?;
    let mut referral = c
        .query_one(
            "SELECT (SELECT count(*) FROM referral_codes
                     WHERE shop_id = ?1 AND created_at >= ?2 AND created_at < ?3) AS codes,
                    (SELECT count(*) FROM referral_redemptions
                     WHERE shop_id = ?1 AND created_at >= ?2 AND created_at < ?3) AS redemptions",
            args![shop_id, start, end],
        )
        .await?;
    let (codes_shown, redemptions) = (referral.get("codes")?, referral.get("redemptions")?);
    let slots = all(
        c.query(
            "SELECT capacity, taken FROM delivery_slots
             WHERE shop_id = ?1 AND date >= ?2 AND date <= ?3",
            args![shop_id, period.from.to_string(), period.to.to_string()],
        )
        .await?,
        |mut r| Ok((r.get("capacity")?, r.get("taken")?)),
    )?;
    Ok(Facts {
        events_enabled,
        orders,
        parcels,
        returns,
        returned_items,
        stars,
        events,
        nps,
        heard,
        codes_shown,
        redemptions,
        slots,
    })
}

/// Whether the shop counts the widget's events, and its time zone's name.
async fn events_and_zone(c: &mut Conn<'_>, shop_id: i64) -> Result<(bool, String), DbError> {
    let mut r = c
        .query_one(
            "SELECT events_enabled, time_zone FROM shops WHERE id = ?1",
            args![shop_id],
        )
        .await?;
    Ok((r.get("events_enabled")?, r.get("time_zone")?))
}

/// A time zone by name (UTC when the name is unknown).
fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or(TimeZone::UTC)
}

impl Db {
    /// Counts one event of the order a token opens, on the shop's day: nothing when the
    /// shop switched events off, and at most [`EVENTS_PER_DAY`] of a kind a day.
    pub async fn record_event(
        &self,
        shop: &str,
        token: &str,
        report: EventReport,
        now: i64,
    ) -> Result<(), ApiError> {
        let (shop, token) = (shop.to_owned(), token.to_owned());
        self.write(work!(|c, shop, token, report| {
            let order = orders::find(c, &shop, &token, now).await?;
            let (on, time_zone) = events_and_zone(c, order.shop_id).await?;
            if !on {
                return Ok(());
            }
            let day = day_in(&zone(&time_zone), now).to_string();
            let module = report.module.map(super::wire_name).unwrap_or_default();
            c.execute(
                "INSERT INTO widget_events (shop_id, order_id, day, event, module, count)
                 VALUES (?1, ?2, ?3, ?4, ?5, 1)
                 ON CONFLICT (order_id, day, event, module)
                 DO UPDATE SET count = widget_events.count + 1 WHERE widget_events.count < ?6",
                args![
                    order.shop_id,
                    order.order_id,
                    day,
                    report.event.as_str(),
                    module,
                    EVENTS_PER_DAY
                ],
            )
            .await?;
            Ok(())
        }))
        .await
    }

    /// The dashboard's figures for the period from `from` to `to` (the shop's days).
    pub async fn analytics(
        &self,
        shop_id: i64,
        from: Option<String>,
        to: Option<String>,
        now: i64,
    ) -> Result<Analytics, ApiError> {
        self.read(work!(|c, from, to| {
            let (_, name) = events_and_zone(c, shop_id).await?;
            let period = Period::parse(from.as_deref(), to.as_deref(), zone(&name), now)
                .map_err(ApiError::invalid_fields)?;
            let facts = facts(c, shop_id, &period).await?;
            Ok(figures(&period, &name, &facts))
        }))
        .await
    }

    pub async fn analytics_settings(&self, shop_id: i64) -> Result<AnalyticsSettings, ApiError> {
        self.read(work!(|c| {
            let (events, _) = events_and_zone(c, shop_id).await?;
            Ok(AnalyticsSettings { events })
        }))
        .await
    }

    pub async fn set_analytics_settings(
        &self,
        shop_id: i64,
        settings: AnalyticsSettings,
    ) -> Result<(), ApiError> {
        self.write(work!(|c, settings| {
            c.execute(
                "UPDATE shops SET events_enabled = ?2 WHERE id = ?1",
                args![shop_id, settings.events],
            )
            .await?;
            Ok(())
        }))
        .await
    }
}
