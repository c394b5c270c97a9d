//! Faster delivery: the shop's offers, the shopper's request (checked against the order's
//! state and a place taken for its day in the write that stores it), the shop's answer
//! (refusing frees the place), and what the shopper sees.
//!
//! A parcel registered while a request waits does not overtake it: the shop still
//! answers (it may well ship faster), but no new request can be made.

use axum::http::StatusCode;
use jiff::tz::TimeZone;
use postpurchase_api::{
    AdminUpgrade, FieldError, NewUpgrade, UpgradeChoice, UpgradeKind, UpgradeOffer, UpgradeRequest,
    UpgradeSettings, UpgradeStatus, UpgradeView, WebhookData,
};

use super::idempotency::{Keyed, Saved};
use super::orders::{self, OrderRef};
use super::{from_wire, instant, webhooks, wire_name};
use crate::db::{Conn, Db, DbError, Row};
use crate::domain::delays;
use crate::domain::upgrades::{day, may_ask, Closed, OrderFacts};
use crate::error::ApiError;
use crate::{args, work};

/// The offers as stored in `shops.upgrade_offers`; none when unreadable.
pub fn offers_from(json: &str) -> Vec<UpgradeOffer> {
    serde_json::from_str(json).unwrap_or_default()
}

/// The shop's offers and its time zone.
async fn terms(c: &mut Conn<'_>, shop_id: i64) -> Result<(Vec<UpgradeOffer>, TimeZone), DbError> {
    let mut r = c
        .query_one(
            "SELECT upgrade_offers, time_zone FROM shops WHERE id = ?1",
            args![shop_id],
        )
        .await?;
    Ok((
        offers_from(&r.get::<String>("upgrade_offers")?),
        TimeZone::get(&r.get::<String>("time_zone")?).unwrap_or(TimeZone::UTC),
    ))
}

/// Stores the offers in the shop's row (its version moves with it).
pub async fn set_settings(
    c: &mut Conn<'_>,
    shop_id: i64,
    settings: &UpgradeSettings,
) -> Result<(), DbError> {
    // A list of plain values always serialises.
    let json = serde_json::to_string(&settings.offers).unwrap_or_else(|_| "[]".into());
    c.execute(
        "UPDATE shops SET upgrade_offers = ?2 WHERE id = ?1",
        args![shop_id, json],
    )
    .await?;
    Ok(())
}

/// A request's own columns (`u`).
macro_rules! upgrade_columns {
    () => {
        "u.id AS upgrade_id, u.kind, u.status, u.price, u.currency, u.delivery_on, u.pay_url,
         u.message, u.requested_at"
    };
}
pub(crate) use upgrade_columns;

/// A request from the columns of [`upgrade_columns`]; `None` for a kind or status this
/// version does not know.
pub fn request_from(r: &mut Row) -> Result<Option<UpgradeRequest>, DbError> {
    let kind = from_wire::<UpgradeKind>(&r.get::<String>("kind")?);
    let status = from_wire::<UpgradeStatus>(&r.get::<String>("status")?);
    let (Some(kind), Some(status)) = (kind, status) else {
        return Ok(None);
    };
    Ok(Some(UpgradeRequest {
        kind,
        status,
        price: r.get("price")?,
        currency: r.get("currency")?,
        delivery_on: r.get("delivery_on")?,
        pay_url: r.get("pay_url")?,
        message: r.get("message")?,
    }))
}

/// Requests with their orders and shoppers, as the shop sees them.
const ADMIN_SQL: &str = concat!(
    "SELECT ",
    upgrade_columns!(),
    ", o.number, c.email, c.first_name
     FROM order_upgrades u JOIN orders o ON o.id = u.order_id
     JOIN customers c ON c.id = o.customer_id "
);

fn admin_from(mut r: Row) -> Result<Option<AdminUpgrade>, DbError> {
    let Some(request) = request_from(&mut r)? else {
        return Ok(None);
    };
    Ok(Some(AdminUpgrade {
        id: r.get("upgrade_id")?,
        order_number: r.get("number")?,
        first_name: r.get("first_name")?,
        email: r.get("email")?,
        requested_at: instant(r.get("requested_at")?),
        request,
    }))
}

async fn admin_upgrade(c: &mut Conn<'_>, id: i64) -> Result<AdminUpgrade, ApiError> {
    let row = c
        .query_one(&format!("{ADMIN_SQL} WHERE u.id = ?1"), args![id])
        .await?;
    admin_from(row)?.ok_or_else(upgrade_not_found)
}

fn upgrade_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "upgrade_not_found",
        "This shop has no such upgrade request.",
    )
}

fn closed(why: Closed) -> ApiError {
    match why {
        Closed::NotOffered => ApiError::invalid_fields(vec![FieldError::new(
            "kind",
            "this shop offers no such upgrade",
        )]),
        Closed::Closed => ApiError::new(
            StatusCode::CONFLICT,
            "upgrade_closed",
            "This order can no longer be upgraded: it is on its way, cancelled or already upgraded.",
        ),
        Closed::Waiting => ApiError::new(
            StatusCode::CONFLICT,
            "upgrade_pending",
            "A request for faster delivery already waits for the shop's answer.",
        ),
    }
}

fn decided_otherwise() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "upgrade_decided",
        "This request has already been answered otherwise.",
    )
}

fn expired() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "upgrade_expired",
        "The day this upgrade was asked for has passed; it can only be refused.",
    )
}

fn full() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "upgrade_full",
        "No place is left for this upgrade on that day.",
    )
}

/// What decides whether the order's shopper may ask, and their latest request.
async fn facts(
    c: &mut Conn<'_>,
    order_id: i64,
) -> Result<(OrderFacts, Option<UpgradeRequest>), DbError> {
    let mut r = c
        .query_one(
            "SELECT o.cancelled,
                    EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = o.id) AS parcels,
                    EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = o.id
                            AND s.status = 'delivered') AS delivered
             FROM orders o WHERE o.id = ?1",
            args![order_id],
        )
        .await?;
    let mut facts = OrderFacts {
        parcels: r.get("parcels")?,
        cancelled: r.get("cancelled")?,
        delivered: r.get("delivered")?,
        ..OrderFacts::default()
    };
    let latest = latest(c, order_id).await?;
    apply(&mut facts, latest.as_ref());
    Ok((facts, latest))
}

/// The order's latest request.
async fn latest(c: &mut Conn<'_>, order_id: i64) -> Result<Option<UpgradeRequest>, DbError> {
    let row = c
        .query_opt(
            concat!(
                "SELECT ",
                upgrade_columns!(),
                " FROM order_upgrades u WHERE u.order_id = ?1
                  ORDER BY u.requested_at DESC, u.id DESC LIMIT 1"
            ),
            args![order_id],
        )
        .await?;
    match row {
        Some(mut r) => request_from(&mut r),
        None => Ok(None),
    }
}

/// Notes in `facts` whether the latest request waits or was confirmed.
pub fn apply(facts: &mut OrderFacts, latest: Option<&UpgradeRequest>) {
    let status = latest.map(|r| r.status);
    facts.waiting = status == Some(UpgradeStatus::Requested);
    facts.confirmed = status == Some(UpgradeStatus::Confirmed);
}

/// Places taken for a kind on a day.
async fn taken(c: &mut Conn<'_>, shop_id: i64, kind: &str, on: &str) -> Result<u32, DbError> {
    Ok(c.query_opt(
        "SELECT taken FROM upgrade_days WHERE shop_id = ?1 AND kind = ?2 AND day = ?3",
        args![shop_id, kind, on],
    )
    .await?
    .map(|mut r| r.get::<i64>("taken"))
    .transpose()?
    .unwrap_or(0)
    .clamp(0, i64::from(u32::MAX)) as u32)
}

/// Takes a place for a kind on a day; false when it is full. The conditional update is
/// one statement, so two shoppers never both take the last place.
async fn take(
    c: &mut Conn<'_>,
    shop_id: i64,
    kind: &str,
    on: &str,
    capacity: u32,
) -> Result<bool, DbError> {
    c.execute(
        "INSERT INTO upgrade_days (shop_id, kind, day, taken) VALUES (?1, ?2, ?3, 0)
         ON CONFLICT DO NOTHING",
        args![shop_id, kind, on],
    )
    .await?;
    let took = c
        .execute(
            "UPDATE upgrade_days SET taken = taken + 1
             WHERE shop_id = ?1 AND kind = ?2 AND day = ?3 AND taken < ?4",
            args![shop_id, kind, on, capacity],
        )
        .await?;
    Ok(took == 1)
}

async fn release(c: &mut Conn<'_>, shop_id: i64, kind: &str, on: &str) -> Result<(), DbError> {
    c.execute(
        "UPDATE upgrade_days SET taken = taken - 1
         WHERE shop_id = ?1 AND kind = ?2 AND day = ?3 AND taken > 0",
        args![shop_id, kind, on],
    )
    .await?;
    Ok(())
}

/// Refuses the order's waiting or confirmed request, with no words and its place freed, in
/// the write that cancels the order, and tells the shop (`order.upgrade_decided`) as when
/// it refuses one itself. True when a webhook was queued.
pub async fn cancel(c: &mut Conn<'_>, order_id: i64, now: i64) -> Result<bool, ApiError> {
    let rows = c
        .query(
            "SELECT id, shop_id, kind, delivery_on FROM order_upgrades
             WHERE order_id = ?1 AND status IN ('requested', 'confirmed')",
            args![order_id],
        )
        .await?;
    let mut queued = false;
    for mut r in rows {
        let (id, shop_id): (i64, i64) = (r.get("id")?, r.get("shop_id")?);
        let (kind, on): (String, String) = (r.get("kind")?, r.get("delivery_on")?);
        release(c, shop_id, &kind, &on).await?;
        c.execute(
            "UPDATE order_upgrades SET status = 'refused', decided_at = ?2, message = NULL,
                                       pay_url = NULL
             WHERE id = ?1",
            args![id, now],
        )
        .await?;
        let refused = admin_upgrade(c, id).await?;
        let order = OrderRef { order_id, shop_id };
        queued |= tell_shop(c, order, "order.upgrade_decided", &refused, now).await?;
    }
    Ok(queued)
}

fn timestamp(now: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_second(now).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

/// The offers as the shopper may ask for them at `now`, with the places left.
async fn choices(
    c: &mut Conn<'_>,
    shop_id: i64,
    offers: &[UpgradeOffer],
    zone: &TimeZone,
    now: i64,
) -> Result<Vec<UpgradeChoice>, DbError> {
    let mut out = Vec::with_capacity(offers.len());
    for offer in offers {
        let Some(d) = day(offer, zone, timestamp(now)) else {
            continue;
        };
        let on = d.delivery_on.to_string();
        let taken = taken(c, shop_id, &wire_name(offer.kind), &on).await?;
        out.push(UpgradeChoice {
            kind: offer.kind,
            price: offer.price,
            currency: offer.currency.clone(),
            delivery_on: on,
            order_by: instant(d.order_by.as_second()),
            left: offer.daily_capacity.saturating_sub(taken),
        });
    }
    Ok(out)
}

async fn tell_shop(
    c: &mut Conn<'_>,
    order: OrderRef,
    kind: &str,
    upgrade: &AdminUpgrade,
    now: i64,
) -> Result<bool, ApiError> {
    let data = WebhookData::Upgrade(Box::new(upgrade.clone()));
    webhooks::queue(c, order.shop_id, order.order_id, kind, now, data).await
}

/// A shopper's request, as sent.
#[derive(Clone, Debug)]
pub struct UpgradeAsk {
    pub shop: String,
    pub token: String,
    pub request: NewUpgrade,
    pub key: Option<Keyed>,
}

/// The answer to a request: its JSON, whether it is a saved one, whether a webhook was
/// queued.
pub struct UpgradeAnswer {
    pub body: Vec<u8>,
    pub replayed: bool,
    pub queued: bool,
}

fn shopper_body(u: &AdminUpgrade) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(&u.request).map_err(|e| ApiError::internal("json", e))
}

/// The shop's answer, checked.
#[derive(Clone, Debug)]
pub struct Answer {
    pub confirm: bool,
    pub pay_url: Option<String>,
    pub message: Option<String>,
}

impl Db {
    pub async fn upgrade_settings(&self, shop_id: i64) -> Result<UpgradeSettings, ApiError> {
        self.read(work!(|c| {
            Ok(UpgradeSettings {
                offers: terms(c, shop_id).await?.0,
            })
        }))
        .await
    }

    /// Stores the offers in the shop's row (its version moves with it).
    pub async fn set_upgrade_settings(
        &self,
        shop_id: i64,
        settings: UpgradeSettings,
    ) -> Result<(), ApiError> {
        self.write(work!(|c, settings| {
            Ok(set_settings(c, shop_id, &settings).await?)
        }))
        .await
    }

    /// What the shopper may ask for now, and their latest request.
    pub async fn upgrade_view(
        &self,
        shop: &str,
        token: &str,
        now: i64,
    ) -> Result<UpgradeView, ApiError> {
        let (shop, token) = (shop.to_owned(), token.to_owned());
        self.read(work!(|c, shop, token| {
            let order = orders::find(c, &shop, &token, now).await?;
            let (facts, request) = facts(c, order.order_id).await?;
            let offers = if may_ask(facts).is_ok() {
                let (offers, zone) = terms(c, order.shop_id).await?;
                choices(c, order.shop_id, &offers, &zone, now).await?
            } else {
                Vec::new()
            };
            Ok(UpgradeView { offers, request })
        }))
        .await
    }

    /// A shopper asks for an upgrade: offered by the shop, while no parcel is registered,
    /// the order is not cancelled and no request waits or stands confirmed, with a place
    /// left for its day, all checked (and the place taken) in this write; the shop is told.
    pub async fn request_upgrade(
        &self,
        ask: UpgradeAsk,
        now: i64,
    ) -> Result<UpgradeAnswer, ApiError> {
        self.write(work!(|c, ask| {
            let order = orders::find(c, &ask.shop, &ask.token, now).await?;
            let saved = match &ask.key {
                Some(key) => key.saved(c, order.order_id, now).await?,
                None => None,
            };
            match saved {
                Some(Saved::Answer(_, body)) => {
                    return Ok(UpgradeAnswer {
                        body,
                        replayed: true,
                        queued: false,
                    })
                }
                Some(Saved::Made(_, Some(id))) => {
                    return Ok(UpgradeAnswer {
                        body: shopper_body(&admin_upgrade(c, id).await?)?,
                        replayed: true,
                        queued: false,
                    });
                }
                Some(Saved::Made(_, None)) | None => {}
            }
            let (offers, zone) = terms(c, order.shop_id).await?;
            let offer = offers
                .iter()
                .find(|o| o.kind == ask.request.kind)
                .ok_or_else(|| closed(Closed::NotOffered))?;
            let (facts, _) = facts(c, order.order_id).await?;
            may_ask(facts).map_err(closed)?;
            let d = day(offer, &zone, timestamp(now)).ok_or_else(|| closed(Closed::NotOffered))?;
            let on = d.delivery_on.to_string();
            let kind = wire_name(offer.kind);
            if !take(c, order.shop_id, &kind, &on, offer.daily_capacity).await? {
                return Err(full());
            }
            let id: i64 = c
                .query_one(
                    "INSERT INTO order_upgrades (shop_id, order_id, kind, status, price, currency,
                                                 delivery_on, requested_at)
                     VALUES (?1, ?2, ?3, 'requested', ?4, ?5, ?6, ?7) RETURNING id",
                    args![
                        order.shop_id,
                        order.order_id,
                        kind,
                        offer.price,
                        offer.currency,
                        on,
                        now
                    ],
                )
                .await?
                .get("id")?;
            let upgrade = admin_upgrade(c, id).await?;
            if let Some(key) = &ask.key {
                key.save(c, order.order_id, 201, Some(id), now).await?;
            }
            let queued = tell_shop(c, order, "order.upgrade_requested", &upgrade, now).await?;
            Ok(UpgradeAnswer {
                body: shopper_body(&upgrade)?,
                replayed: false,
                queued,
            })
        }))
        .await
    }

    /// The shop confirms or refuses a waiting request; refusing frees its place, confirming
    /// moves the order's promise (and its dispatch day when the upgrade needs an earlier
    /// one). The same answer again changes nothing; another answer to a decided request
    /// (or the same with other words or link) is `409 upgrade_decided`; confirming a
    /// cancelled order's request is `409 upgrade_closed`, one whose day has passed in the
    /// shop's time zone `409 upgrade_expired`. Returns the request and whether a webhook was queued.
    pub async fn decide_upgrade(
        &self,
        shop_id: i64,
        id: i64,
        answer: Answer,
        now: i64,
    ) -> Result<(AdminUpgrade, bool), ApiError> {
        self.write(work!(|c, answer| {
            let mut r = c
                .query_opt(
                    "SELECT u.order_id, u.kind, u.status, u.delivery_on, u.pay_url, u.message,
                            o.cancelled, o.placed_at, o.dispatch_by, sh.time_zone,
                            sh.dispatch_days
                     FROM order_upgrades u JOIN orders o ON o.id = u.order_id
                     JOIN shops sh ON sh.id = u.shop_id
                     WHERE u.shop_id = ?1 AND u.id = ?2",
                    args![shop_id, id],
                )
                .await?
                .ok_or_else(upgrade_not_found)?;
            let order = OrderRef {
                order_id: r.get("order_id")?,
                shop_id,
            };
            let to = if answer.confirm {
                UpgradeStatus::Confirmed
            } else {
                UpgradeStatus::Refused
            };
            if answer.confirm && r.get::<bool>("cancelled")? {
                return Err(closed(Closed::Closed));
            }
            let status = from_wire::<UpgradeStatus>(&r.get::<String>("status")?);
            if status == Some(to) {
                let same = r.get::<Option<String>>("message")? == answer.message
                    && r.get::<Option<String>>("pay_url")?
                        == answer.pay_url.clone().filter(|_| answer.confirm);
                if !same {
                    return Err(decided_otherwise());
                }
                return Ok((admin_upgrade(c, id).await?, false));
            }
            if status != Some(UpgradeStatus::Requested) {
                return Err(decided_otherwise());
            }
            let kind: String = r.get("kind")?;
            let on: String = r.get("delivery_on")?;
            if answer.confirm {
                let zone = TimeZone::get(&r.get::<String>("time_zone")?).unwrap_or(TimeZone::UTC);
                let today = timestamp(now).to_zoned_datetime(zone.clone()).date();
                let Ok(day) = on.parse::<jiff::civil::Date>() else {
                    return Err(expired());
                };
                if day < today {
                    return Err(expired());
                }
                // The order's promise is the upgrade's day, and it leaves by the day the
                // upgrade needs when that is earlier than the day it had.
                let leaves = match from_wire::<UpgradeKind>(&kind) {
                    Some(UpgradeKind::NextDay) => day.yesterday().unwrap_or(day),
                    _ => day,
                };
                let had = match r
                    .get::<Option<String>>("dispatch_by")?
                    .and_then(|d| d.parse::<jiff::civil::Date>().ok())
                {
                    Some(d) => Some(d),
                    None => delays::dispatch_day(
                        r.get("placed_at")?,
                        &zone,
                        u32::try_from(r.get::<i64>("dispatch_days")?).unwrap_or(0),
                    ),
                };
                let dispatch_by = had.map_or(leaves, |had| had.min(leaves)).to_string();
                c.execute(
                    "UPDATE orders SET promised_from = ?2, promised_to = ?2, dispatch_by = ?3
                     WHERE id = ?1",
                    args![order.order_id, on, dispatch_by],
                )
                .await?;
            } else {
                release(c, shop_id, &kind, &on).await?;
            }
            c.execute(
                "UPDATE order_upgrades SET status = ?2, decided_at = ?3, message = ?4, pay_url = ?5
                 WHERE id = ?1",
                args![
                    id,
                    wire_name(to),
                    now,
                    answer.message.as_deref(),
                    answer.pay_url.as_deref().filter(|_| answer.confirm)
                ],
            )
            .await?;
            let decided = admin_upgrade(c, id).await?;
            let queued = tell_shop(c, order, "order.upgrade_decided", &decided, now).await?;
            Ok((decided, queued))
        }))
        .await
    }

    /// The shop's requests, newest first, optionally of one status (500 at most).
    pub async fn shop_upgrades(
        &self,
        shop_id: i64,
        status: Option<UpgradeStatus>,
    ) -> Result<Vec<AdminUpgrade>, ApiError> {
        self.read(work!(|c| {
            let rows = c
                .query(
                    &format!(
                        "{ADMIN_SQL} WHERE u.shop_id = ?1
                           AND (CAST(?2 AS TEXT) IS NULL OR u.status = ?2)
                         ORDER BY u.requested_at DESC, u.id DESC LIMIT 500"
                    ),
                    args![shop_id, status.map(wire_name)],
                )
                .await?;
            let mut list = Vec::with_capacity(rows.len());
            for row in rows {
                list.extend(admin_from(row)?);
            }
            Ok(list)
        }))
        .await
    }
}

/// The day a confirmed request brings the order, as the view's promise.
pub fn promised(request: &UpgradeRequest) -> Option<postpurchase_api::DateWindow> {
    (request.status == UpgradeStatus::Confirmed).then(|| postpurchase_api::DateWindow {
        earliest: request.delivery_on.clone(),
        latest: request.delivery_on.clone(),
    })
}
