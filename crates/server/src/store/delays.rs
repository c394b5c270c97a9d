//! Late and stalled parcels, and the parcel news the shop's webhook gets. A parcel's
//! status is the carrier's latest word, unless [`domain::delays::delay`] says it is late
//! or has had no news for too long: then it is `delayed` with the reason. Every carrier
//! event and every run of the clock ([`Db::check_delays`]) settles the parcel the same
//! way, and each change of status is sent once, in the transaction that made it.

use jiff::tz::TimeZone;
use postpurchase_api::{
    DelayReason, DelaySettings, DeliveredTo, OrderStalled, ShipmentNews, ShipmentStatus,
    WebhookData,
};

use super::parcels::status_of;
use super::{instant, webhooks};
use crate::db::{Backend, Conn, Db, DbError};
use crate::domain::{self, delays};
use crate::error::ApiError;
use crate::{args, work};

/// A parcel's status after settling, and whether news of it was queued for the shop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settled {
    pub status: ShipmentStatus,
    /// How many events the parcel has.
    pub events: u32,
    pub queued: bool,
}

/// The carrier's latest words on a parcel: its code, text, where it was left, and where it
/// waits to be collected (JSON).
type Words = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Brings a parcel's status up to date at `now`: the carrier's latest status, or
/// `delayed` with its reason; `previous` is what the shop last heard (the status before
/// this change). A change is written and queued as `shipment.status_changed`, and as
/// `shipment.delivered` or `shipment.delayed` when it is one.
pub async fn settle(
    c: &mut Conn<'_>,
    shipment_id: i64,
    previous: ShipmentStatus,
    now: i64,
) -> Result<Settled, ApiError> {
    let [parcel, latest] = c
        .query_each([
            (
                "SELECT s.order_id, s.status, s.delay_reason, s.last_news_at, s.eta_from, s.eta_to,
                        s.carrier, s.tracking_number, s.carrier_code, s.carrier_text, s.delivered_to,
                        s.pickup, o.shop_id, o.number, o.promised_to, c.email, c.first_name, sh.time_zone,
                        sh.no_news_days
                 FROM shipments s JOIN orders o ON o.id = s.order_id
                 JOIN customers c ON c.id = o.customer_id JOIN shops sh ON sh.id = o.shop_id
                 WHERE s.id = ?1",
                args![shipment_id],
            ),
            // The carrier's latest word (events may arrive in any order), and how many.
            (
                "SELECT status, code, text, delivered_to, pickup, occurred_at,
                        (SELECT count(*) FROM shipment_events WHERE shipment_id = ?1) AS events
                 FROM shipment_events WHERE shipment_id = ?1
                 ORDER BY occurred_at DESC, received_at DESC LIMIT 1",
                args![shipment_id],
            ),
        ])
        .await?;
    let mut r = parcel
        .into_iter()
        .next()
        .ok_or_else(|| DbError::other("no such parcel"))?;
    let latest = latest.into_iter().next();
    let stored = status_of(&r.get::<String>("status")?);
    let stored_reason: Option<String> = r.get("delay_reason")?;
    let stored_words: Words = (
        r.get("carrier_code")?,
        r.get("carrier_text")?,
        r.get("delivered_to")?,
        r.get("pickup")?,
    );
    // Before any carrier news, the status and words are what the shop gave (or `pending`).
    let (carrier, news_at, words, events) = match latest {
        Some(mut e) => (
            status_of(&e.get::<String>("status")?),
            Some(e.get::<i64>("occurred_at")?),
            (
                e.get("code")?,
                e.get("text")?,
                e.get("delivered_to")?,
                e.get("pickup")?,
            ),
            e.get::<u32>("events")?,
        ),
        None => {
            let status = match stored_reason {
                Some(_) => ShipmentStatus::Pending,
                None => stored,
            };
            (status, None, stored_words.clone(), 0)
        }
    };
    let eta_to: Option<i64> = r.get("eta_to")?;
    let zone = TimeZone::get(&r.get::<String>("time_zone")?).unwrap_or(TimeZone::UTC);
    let promised_end = r
        .get::<Option<String>>("promised_to")?
        .and_then(|d| d.parse().ok())
        .and_then(|d| delays::end_of(d, &zone));
    let no_news_days: i64 = r.get("no_news_days")?;
    let reason = delays::delay(
        carrier,
        news_at,
        eta_to.or(promised_end),
        u32::try_from(no_news_days).unwrap_or(0),
        now,
    );
    let status = if reason.is_some() {
        ShipmentStatus::Delayed
    } else {
        carrier
    };
    let last_news_at: Option<i64> = r.get("last_news_at")?;
    if status != stored
        || reason.map(DelayReason::as_str) != stored_reason.as_deref()
        || news_at != last_news_at
        || words != stored_words
    {
        c.execute(
            "UPDATE shipments SET status = ?2, delay_reason = ?3, last_news_at = ?4,
                 carrier_code = ?5, carrier_text = ?6, delivered_to = ?7, pickup = ?8
             WHERE id = ?1",
            args![
                shipment_id,
                status.as_str(),
                reason.map(DelayReason::as_str),
                news_at,
                words.0.as_deref(),
                words.1.as_deref(),
                words.2.as_deref(),
                words.3.as_deref()
            ],
        )
        .await?;
    }
    if status == previous {
        return Ok(Settled {
            status,
            events,
            queued: false,
        });
    }
    let carrier_name: String = r.get("carrier")?;
    let tracking_number: String = r.get("tracking_number")?;
    let news = ShipmentNews {
        order_number: r.get("number")?,
        email: r.get("email")?,
        first_name: r.get("first_name")?,
        tracking_url: domain::tracking_url(&carrier_name, &tracking_number),
        carrier: carrier_name,
        tracking_number,
        status,
        previous_status: previous,
        delay_reason: reason,
        carrier_code: words.0,
        carrier_text: words.1,
        delivered_to: words
            .2
            .as_deref()
            .and_then(DeliveredTo::parse)
            .filter(|_| status == ShipmentStatus::Delivered),
        estimated_from: r.get::<Option<i64>>("eta_from")?.map(instant),
        estimated_to: eta_to.map(instant),
    };
    let (shop_id, order_id): (i64, i64) = (r.get("shop_id")?, r.get("order_id")?);
    let also = match status {
        ShipmentStatus::Delivered => Some("shipment.delivered"),
        ShipmentStatus::Delayed => Some("shipment.delayed"),
        _ => None,
    };
    let mut queued = false;
    for kind in std::iter::once("shipment.status_changed").chain(also) {
        let data = WebhookData::Shipment(Box::new(news.clone()));
        queued |= webhooks::queue(c, shop_id, order_id, kind, now, data).await?;
    }
    Ok(Settled {
        status,
        events,
        queued,
    })
}

/// A parcel's stored status, its row locked until the write ends (on PostgreSQL; SQLite's
/// writer holds the whole database): what a [`Db::write_locked`] settling it reads first.
pub async fn lock_status(c: &mut Conn<'_>, shipment_id: i64) -> Result<ShipmentStatus, DbError> {
    let sql = match c.backend() {
        Backend::Postgres => "SELECT status FROM shipments WHERE id = ?1 FOR UPDATE",
        Backend::Sqlite => "SELECT status FROM shipments WHERE id = ?1",
    };
    let mut r = c.query_one(sql, args![shipment_id]).await?;
    Ok(status_of(&r.get::<String>("status")?))
}

/// What one run of the clock changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Checked {
    /// Parcels whose status changed (became delayed, or stopped being).
    pub parcels: u32,
    /// Orders found stalled (each once).
    pub stalled: u32,
    /// Re-order reminders that came due: sent to the shop, or skipped (each once).
    pub reminders: u32,
    /// Whether webhooks were queued: wake the worker.
    pub queued: bool,
}

/// Parcels settled per transaction, so a long run never holds the writer for long.
const BATCH: usize = 200;

impl Db {
    /// Looks at every parcel on its way that may have become late or quiet (or stopped
    /// being) and at every recent order not yet with a carrier, at `now`.
    pub async fn check_delays(&self, now: i64) -> Result<Checked, ApiError> {
        let mut checked = Checked::default();
        // The reminders' pass does not depend on the parcels' and orders': it runs even
        // when those fail (which is logged by code only, nothing personal, and tried again
        // on the next run).
        if let Err(e) = self.check_parcels_and_orders(now, &mut checked).await {
            tracing::warn!(
                target: "postpurchase::maintenance",
                status = e.status.as_u16(),
                code = e.code,
                "checking parcels and orders for delays failed; due reminders are still sent"
            );
        }
        let due = self.send_due_reminders(now).await?;
        checked.reminders = due.sent + due.skipped;
        checked.queued |= due.queued;
        Ok(checked)
    }

    /// Settles late or silent parcels and sends stalled orders, into `checked`.
    async fn check_parcels_and_orders(
        &self,
        now: i64,
        checked: &mut Checked,
    ) -> Result<(), ApiError> {
        // A local day ends at most 14 hours after it ends in UTC, so any order promised
        // for a later UTC date than today's cannot be late yet.
        let today_utc = jiff::Timestamp::from_second(now)
            .map(|t| t.to_zoned_datetime(TimeZone::UTC).date().to_string())
            .unwrap_or_default();
        // A page of candidates at a time, by id, each settled in a transaction of its own:
        // memory and the time the writer is held stay the same however many there are.
        let mut after = 0;
        loop {
            let today = today_utc.clone();
            let page: Vec<i64> = self
                .read(work!(|c, today| {
                    let rows = c
                        .query(
                            "SELECT s.id FROM shipments s JOIN orders o ON o.id = s.order_id
                             JOIN shops sh ON sh.id = o.shop_id
                             WHERE s.id > ?3
                               AND s.status IN ('pending', 'in_transit', 'out_for_delivery',
                                                'delayed', 'unknown')
                               AND (s.delay_reason IS NOT NULL OR s.eta_to <= ?1
                                    OR (s.eta_to IS NULL AND o.promised_to <= ?2)
                                    OR (sh.no_news_days > 0
                                        AND s.last_news_at < ?1 - sh.no_news_days * 86400))
                             ORDER BY s.id LIMIT ?4",
                            args![now, today, after, BATCH as i64],
                        )
                        .await?;
                    rows.into_iter()
                        .map(|mut r| r.get("id"))
                        .collect::<Result<Vec<i64>, DbError>>()
                }))
                .await?;
            let Some(&last) = page.last() else { break };
            let full = page.len() == BATCH;
            after = last;
            let (changed, queued) = self
                .write_locked(work!(|c, page| {
                    let (mut changed, mut queued) = (0, false);
                    for id in page.iter().copied() {
                        let before = lock_status(c, id).await?;
                        let settled = settle(c, id, before, now).await?;
                        changed += u32::from(settled.status != before);
                        queued |= settled.queued;
                    }
                    Ok::<_, ApiError>((changed, queued))
                }))
                .await?;
            checked.parcels += changed;
            checked.queued |= queued;
            if !full {
                break;
            }
        }
        let mut after = 0;
        loop {
            let today = today_utc.clone();
            let (page, stalled, queued) = self
                .write(work!(|c, today| {
                    stall_orders(c, now, &today, after).await
                }))
                .await?;
            checked.stalled += stalled;
            checked.queued |= queued;
            match page {
                Some(last) => after = last,
                None => break,
            }
        }
        Ok(())
    }

    pub async fn delay_settings(&self, shop_id: i64) -> Result<DelaySettings, ApiError> {
        Ok(self
            .read(work!(|c| {
                let mut r = c
                    .query_one(
                        "SELECT no_news_days, dispatch_days FROM shops WHERE id = ?1",
                        args![shop_id],
                    )
                    .await?;
                Ok::<_, DbError>(DelaySettings {
                    no_news_days: r.get("no_news_days")?,
                    dispatch_days: r.get("dispatch_days")?,
                })
            }))
            .await?)
    }

    /// Sets when parcels and orders count as held up; the parcels already delayed are
    /// settled again at the clock's next run.
    pub async fn set_delay_settings(
        &self,
        shop_id: i64,
        settings: DelaySettings,
    ) -> Result<(), ApiError> {
        Ok(self
            .write(work!(|c, settings| {
                c.execute(
                    "UPDATE shops SET no_news_days = ?2, dispatch_days = ?3 WHERE id = ?1",
                    args![shop_id, settings.no_news_days, settings.dispatch_days],
                )
                .await
                .map(|_| ())
            }))
            .await?)
    }
}

/// Orders placed in the last weeks, not cancelled, none of whose parcels a carrier has
/// scanned, whose dispatch day ended less than a week ago: each is marked and sent once as
/// `order.stalled`. One page of them by id, those after `after`: how many stalled, whether
/// webhooks were queued, and the last id when there may be more.
async fn stall_orders(
    c: &mut Conn<'_>,
    now: i64,
    today_utc: &str,
    after: i64,
) -> Result<(Option<i64>, u32, bool), ApiError> {
    // The longest a dispatch day can be after the order (30 working days is under 45
    // days) plus the week it is announced in.
    let since = now - 45 * 86_400 - delays::STALLED_WITHIN;
    // Only orders whose dispatch day may have ended: a day named by the shop ends after
    // it began in UTC, and `dispatch_days` working days after the order are as many days
    // of at least 23 hours each.
    let rows = c
        .query(
            "SELECT o.id, o.shop_id, o.number, o.placed_at, o.dispatch_by, sh.time_zone,
                    sh.dispatch_days, c.email, c.first_name,
                    (SELECT count(*) FROM shipments s WHERE s.order_id = o.id) AS parcels
             FROM orders o JOIN shops sh ON sh.id = o.shop_id
             JOIN customers c ON c.id = o.customer_id
             WHERE o.id > ?4 AND o.stalled_at IS NULL AND NOT o.cancelled
               AND o.placed_at >= ?1 AND o.placed_at <= ?2
               AND ((o.dispatch_by IS NOT NULL AND o.dispatch_by <= ?3)
                    OR (o.dispatch_by IS NULL AND o.placed_at + sh.dispatch_days * 82800 <= ?2))
               AND NOT EXISTS (SELECT 1 FROM shipments s
                               JOIN shipment_events e ON e.shipment_id = s.id
                               WHERE s.order_id = o.id AND e.status <> 'pending')
             ORDER BY o.id LIMIT ?5",
            args![since, now, today_utc, after, BATCH as i64],
        )
        .await?;
    let more = rows.len() == BATCH;
    let mut last = after;
    let (mut stalled, mut queued) = (0, false);
    for mut r in rows {
        last = r.get("id")?;
        let zone = TimeZone::get(&r.get::<String>("time_zone")?).unwrap_or(TimeZone::UTC);
        let placed_at: i64 = r.get("placed_at")?;
        let days: i64 = r.get("dispatch_days")?;
        let day = match r
            .get::<Option<String>>("dispatch_by")?
            .and_then(|d| d.parse().ok())
        {
            Some(day) => Some(day),
            None => delays::dispatch_day(placed_at, &zone, u32::try_from(days).unwrap_or(0)),
        };
        let Some(day) = day.filter(|d| delays::stalled(*d, &zone, now)) else {
            continue;
        };
        let order_id = last;
        c.execute(
            "UPDATE orders SET stalled_at = ?2 WHERE id = ?1 AND stalled_at IS NULL",
            args![order_id, now],
        )
        .await?;
        let data = WebhookData::Stalled(Box::new(OrderStalled {
            order_number: r.get("number")?,
            email: r.get("email")?,
            first_name: r.get("first_name")?,
            placed_at: instant(placed_at),
            dispatch_by: day.to_string(),
            parcels: r.get("parcels")?,
        }));
        queued |=
            webhooks::queue(c, r.get("shop_id")?, order_id, "order.stalled", now, data).await?;
        stalled += 1;
    }
    Ok((more.then_some(last), stalled, queued))
}
