//! After delivery: the shop's products (care, re-order suggestion, recommendations with
//! their clicks), the shoppers' re-order reminders (kept, cancelled, and sent to the shop
//! when due, each once), and what an order shows of them.

use axum::http::StatusCode;
use postpurchase_api::{
    CareItem, CareView, FieldError, NewReminder, Pairing, ProductCare, ProductCareView, Reminder,
    ReminderDue, ReminderStatus, WebhookData,
};

use super::idempotency::{Keyed, Saved};
use super::orders::{self, OrderRef};
use super::{from_wire, webhooks, wire_name};
use crate::db::{Conn, Db, DbError, Row};
use crate::domain::care::{channels, days_ok, due_on, MAX_SHOWN};
use crate::error::ApiError;
use crate::{args, work};

fn product_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "product_not_found",
        "This shop has said nothing about a product with this SKU.",
    )
}

fn reminder_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "reminder_not_found",
        "This order has no such reminder.",
    )
}

fn pairing_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "pairing_not_found",
        "This order shows no such recommendation.",
    )
}

/// A recommendation's columns (`pp`).
const PAIR_COLUMNS: &str =
    "pp.id, pp.product_id, pp.name, pp.price, pp.currency, pp.image_url, pp.url, pp.clicks";

fn pairing_from(r: &mut Row, clicks: bool) -> Result<Pairing, DbError> {
    Ok(Pairing {
        id: r.get("id")?,
        name: r.get("name")?,
        price: r.get("price")?,
        currency: r.get("currency")?,
        image_url: r.get("image_url")?,
        url: r.get("url")?,
        clicks: if clicks {
            Some(u64::try_from(r.get::<i64>("clicks")?).unwrap_or(0))
        } else {
            None
        },
    })
}

/// The shop's products as the admin API shows them, optionally only the one with `sku`.
async fn product_views(
    c: &mut Conn<'_>,
    shop_id: i64,
    sku: Option<&str>,
) -> Result<Vec<ProductCareView>, DbError> {
    let [products, pairs] = c
        .query_each([
            (
                "SELECT p.id, p.sku, p.care, p.care_url, p.reorder_days,
                        (SELECT count(*) FROM reminders r
                         JOIN order_items i ON i.id = r.order_item_id
                         WHERE r.shop_id = p.shop_id AND r.status = 'waiting'
                           AND i.sku = p.sku) AS waiting
                 FROM products p
                 WHERE p.shop_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR p.sku = ?2)
                 ORDER BY p.sku",
                args![shop_id, sku],
            ),
            (
                "SELECT pp.id, pp.product_id, pp.name, pp.price, pp.currency, pp.image_url,
                            pp.url, pp.clicks
                     FROM product_pairs pp JOIN products p ON p.id = pp.product_id
                     WHERE p.shop_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR p.sku = ?2)
                     ORDER BY pp.product_id, pp.position",
                args![shop_id, sku],
            ),
        ])
        .await?;
    let mut pairs_of: Vec<(i64, Pairing)> = Vec::with_capacity(pairs.len());
    for mut r in pairs {
        let product: i64 = r.get("product_id")?;
        pairs_of.push((product, pairing_from(&mut r, true)?));
    }
    products
        .into_iter()
        .map(|mut r| {
            let id: i64 = r.get("id")?;
            Ok(ProductCareView {
                sku: r.get("sku")?,
                care: r.get("care")?,
                care_url: r.get("care_url")?,
                reorder_days: r.get("reorder_days")?,
                pairs: pairs_of
                    .iter()
                    .filter(|(p, _)| *p == id)
                    .map(|(_, pairing)| pairing.clone())
                    .collect(),
                reminders_waiting: r.get("waiting")?,
            })
        })
        .collect()
}

/// Stores a product's care, suggestion and recommendations in place of what was there.
/// A recommendation whose url was there keeps its id and clicks; the others are new.
pub async fn put_product(
    c: &mut Conn<'_>,
    shop_id: i64,
    sku: &str,
    product: &ProductCare,
    now: i64,
) -> Result<(), DbError> {
    let trimmed = |t: &Option<String>| t.as_deref().map(str::trim).map(str::to_owned);
    let id: i64 = c
        .query_one(
            "INSERT INTO products (shop_id, sku, care, care_url, reorder_days, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (shop_id, sku) DO UPDATE SET care = excluded.care,
                 care_url = excluded.care_url, reorder_days = excluded.reorder_days,
                 updated_at = excluded.updated_at
             RETURNING id",
            args![
                shop_id,
                sku,
                trimmed(&product.care),
                product.care_url,
                product.reorder_days,
                now
            ],
        )
        .await?
        .get("id")?;
    let before = c
        .query(
            "SELECT id, url FROM product_pairs WHERE product_id = ?1",
            args![id],
        )
        .await?;
    let mut kept = Vec::new();
    for mut r in before {
        let (pair_id, url): (i64, String) = (r.get("id")?, r.get("url")?);
        if product.pairs.iter().any(|p| p.url == url) {
            kept.push((pair_id, url));
        } else {
            c.execute("DELETE FROM product_pairs WHERE id = ?1", args![pair_id])
                .await?;
        }
    }
    for (position, pair) in product.pairs.iter().enumerate() {
        let name = pair.name.trim();
        match kept.iter().find(|(_, url)| *url == pair.url) {
            Some((pair_id, _)) => {
                c.execute(
                    "UPDATE product_pairs SET position = ?2, name = ?3, price = ?4,
                                              currency = ?5, image_url = ?6
                     WHERE id = ?1",
                    args![
                        *pair_id,
                        position,
                        name,
                        pair.price,
                        pair.currency,
                        pair.image_url
                    ],
                )
                .await?;
            }
            None => {
                c.execute(
                    "INSERT INTO product_pairs (product_id, position, name, price, currency,
                                                image_url, url)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    args![
                        id,
                        position,
                        name,
                        pair.price,
                        pair.currency,
                        pair.image_url,
                        pair.url
                    ],
                )
                .await?;
            }
        }
    }
    bump_shop(c, shop_id).await
}

/// Orders with the product's SKU show it: their shop's views are rebuilt.
async fn bump_shop(c: &mut Conn<'_>, shop_id: i64) -> Result<(), DbError> {
    c.execute(
        "UPDATE shops SET version = version + 1 WHERE id = ?1",
        args![shop_id],
    )
    .await?;
    Ok(())
}

/// A reminder's columns (`r`).
const REMINDER_COLUMNS: &str = "r.id, r.order_item_id, r.due_on, r.status";

fn reminder_from(r: &mut Row) -> Result<Option<Reminder>, DbError> {
    let Some(status) = from_wire::<ReminderStatus>(&r.get::<String>("status")?) else {
        return Ok(None);
    };
    Ok(Some(Reminder {
        id: r.get("id")?,
        item: r.get("order_item_id")?,
        due_on: r.get("due_on")?,
        status,
    }))
}

async fn reminder(c: &mut Conn<'_>, order_id: i64, id: i64) -> Result<Reminder, ApiError> {
    let row = c
        .query_opt(
            &format!(
                "SELECT {REMINDER_COLUMNS} FROM reminders r WHERE r.id = ?1 AND r.order_id = ?2"
            ),
            args![id, order_id],
        )
        .await?;
    match row {
        Some(mut r) => reminder_from(&mut r)?.ok_or_else(reminder_not_found),
        None => Err(reminder_not_found()),
    }
}

/// The order's delivered lines whose product the shop has words or a suggestion for, each
/// with the shopper's latest reminder that was not cancelled.
async fn care_items(c: &mut Conn<'_>, order: OrderRef) -> Result<Vec<CareItem>, DbError> {
    let [items, reminders] = c
        .query_each([
            (
                "SELECT i.id, i.name, i.image_url, p.care, p.care_url, p.reorder_days
                 FROM order_items i JOIN products p ON p.shop_id = ?2 AND p.sku = i.sku
                 WHERE i.order_id = ?1
                   AND (p.care IS NOT NULL OR p.care_url IS NOT NULL
                        OR p.reorder_days IS NOT NULL)
                   AND EXISTS (SELECT 1 FROM shipment_items si
                               JOIN shipments s ON s.id = si.shipment_id
                               WHERE si.order_item_id = i.id AND s.status = 'delivered')
                 ORDER BY i.position",
                args![order.order_id, order.shop_id],
            ),
            (
                "SELECT r.id, r.order_item_id, r.due_on, r.status FROM reminders r
                 WHERE r.order_id = ?1 AND r.status <> 'cancelled' ORDER BY r.id",
                args![order.order_id],
            ),
        ])
        .await?;
    let mut kept = Vec::new();
    for mut r in reminders {
        kept.extend(reminder_from(&mut r)?);
    }
    items
        .into_iter()
        .map(|mut r| {
            let item: i64 = r.get("id")?;
            Ok(CareItem {
                item,
                name: r.get("name")?,
                image_url: r.get("image_url")?,
                care: r.get("care")?,
                care_url: r.get("care_url")?,
                reorder_days: r.get("reorder_days")?,
                reminder: kept.iter().rev().find(|k| k.item == item).cloned(),
            })
        })
        .collect()
}

/// What the shop recommends with the order's items, in the order's and the shop's order,
/// each url once, [`MAX_SHOWN`] at most.
async fn order_pairs(c: &mut Conn<'_>, order: OrderRef) -> Result<Vec<Pairing>, DbError> {
    let rows = c
        .query(
            &format!(
                "SELECT {PAIR_COLUMNS} FROM order_items i
                 JOIN products p ON p.shop_id = ?2 AND p.sku = i.sku
                 JOIN product_pairs pp ON pp.product_id = p.id
                 WHERE i.order_id = ?1 ORDER BY i.position, pp.position"
            ),
            args![order.order_id, order.shop_id],
        )
        .await?;
    let mut pairs: Vec<Pairing> = Vec::new();
    for mut r in rows {
        let pairing = pairing_from(&mut r, false)?;
        if pairs.len() < MAX_SHOWN && !pairs.iter().any(|p| p.url == pairing.url) {
            pairs.push(pairing);
        }
    }
    Ok(pairs)
}

/// A shopper's reminder request, as sent.
#[derive(Clone, Debug)]
pub struct ReminderRequest {
    pub shop: String,
    pub token: String,
    pub request: NewReminder,
    pub key: Option<Keyed>,
}

/// The answer to a reminder request: its JSON and whether it is a saved one.
pub struct ReminderAnswer {
    pub body: Vec<u8>,
    pub replayed: bool,
}

fn body_of(reminder: &Reminder) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(reminder).map_err(|e| ApiError::internal("json", e))
}

/// Due reminders handled per transaction.
const BATCH: i64 = 200;

/// What one pass over due reminders did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DuePass {
    pub sent: u32,
    pub skipped: u32,
    /// Whether webhooks were queued: wake the worker.
    pub queued: bool,
}

/// Sends or skips up to [`BATCH`] waiting reminders due at `now`, each claimed by an
/// update that only a waiting reminder passes, in the transaction that queues its webhook.
async fn settle_due(c: &mut Conn<'_>, now: i64) -> Result<(DuePass, bool), ApiError> {
    let today = super::date_of(now);
    let rows = c
        .query(
            "SELECT r.id, r.shop_id, r.order_id, o.number, i.sku, i.name, c.first_name,
                    c.email, c.phone, np.email AS wants_email, np.sms AS wants_sms
             FROM reminders r JOIN orders o ON o.id = r.order_id
             JOIN order_items i ON i.id = r.order_item_id
             JOIN customers c ON c.id = o.customer_id
             LEFT JOIN notification_preferences np ON np.customer_id = c.id
             WHERE r.status = 'waiting' AND r.due_on <= ?1
             ORDER BY r.id LIMIT ?2",
            args![today, BATCH],
        )
        .await?;
    let full = rows.len() as i64 == BATCH;
    let mut pass = DuePass::default();
    for mut r in rows {
        let id: i64 = r.get("id")?;
        let phone: Option<String> = r.get("phone")?;
        let wants = r
            .get::<Option<bool>>("wants_email")?
            .zip(r.get::<Option<bool>>("wants_sms")?);
        let (email, sms) = channels(wants, phone.is_some());
        let status = if email || sms {
            ReminderStatus::Sent
        } else {
            ReminderStatus::Skipped
        };
        let claimed = c
            .query_opt(
                "UPDATE reminders SET status = ?2, settled_at = ?3
                 WHERE id = ?1 AND status = 'waiting' RETURNING id",
                args![id, wire_name(status), now],
            )
            .await?;
        if claimed.is_none() {
            continue;
        }
        if status == ReminderStatus::Skipped {
            pass.skipped += 1;
            continue;
        }
        let data = WebhookData::Reminder(Box::new(ReminderDue {
            reminder: id,
            order_number: r.get("number")?,
            sku: r.get("sku")?,
            name: r.get("name")?,
            url: None,
            first_name: r.get("first_name")?,
            email: if email {
                Some(r.get::<String>("email")?)
            } else {
                None
            },
            phone: if sms { phone } else { None },
        }));
        let shop_id: i64 = r.get("shop_id")?;
        let order_id: i64 = r.get("order_id")?;
        pass.queued |= webhooks::queue(c, shop_id, order_id, "reminder.due", now, data).await?;
        pass.sent += 1;
    }
    Ok((pass, full))
}

impl Db {
    /// The shop's products, by SKU.
    pub async fn products(&self, shop_id: i64) -> Result<Vec<ProductCareView>, ApiError> {
        self.read(work!(|c| { Ok(product_views(c, shop_id, None).await?) }))
            .await
    }

    /// One of the shop's products; `404 product_not_found` when the shop said nothing of it.
    pub async fn product(&self, shop_id: i64, sku: &str) -> Result<ProductCareView, ApiError> {
        let sku = sku.to_owned();
        self.read(work!(|c, sku| {
            product_views(c, shop_id, Some(&sku))
                .await?
                .into_iter()
                .next()
                .ok_or_else(product_not_found)
        }))
        .await
    }

    /// Replaces what the shop says of a product; the product as stored.
    pub async fn put_product(
        &self,
        shop_id: i64,
        sku: &str,
        product: ProductCare,
        now: i64,
    ) -> Result<ProductCareView, ApiError> {
        let sku = sku.to_owned();
        self.write(work!(|c, sku, product| {
            put_product(c, shop_id, &sku, &product, now).await?;
            product_views(c, shop_id, Some(&sku))
                .await?
                .into_iter()
                .next()
                .ok_or_else(product_not_found)
        }))
        .await
    }

    /// Forgets what the shop said of a product (reminders already kept stay).
    pub async fn delete_product(&self, shop_id: i64, sku: &str) -> Result<(), ApiError> {
        let sku = sku.to_owned();
        self.write(work!(|c, sku| {
            let id: i64 = c
                .query_opt(
                    "SELECT id FROM products WHERE shop_id = ?1 AND sku = ?2",
                    args![shop_id, sku],
                )
                .await?
                .ok_or_else(product_not_found)?
                .get("id")?;
            c.execute("DELETE FROM product_pairs WHERE product_id = ?1", args![id])
                .await?;
            c.execute("DELETE FROM products WHERE id = ?1", args![id])
                .await?;
            bump_shop(c, shop_id).await?;
            Ok(())
        }))
        .await
    }

    /// The order's delivered items the shop has care words or a re-order suggestion for.
    pub async fn care_view(&self, shop: &str, token: &str, now: i64) -> Result<CareView, ApiError> {
        let (shop, token) = (shop.to_owned(), token.to_owned());
        self.read(work!(|c, shop, token| {
            let order = orders::find(c, &shop, &token, now).await?;
            Ok(CareView {
                items: care_items(c, order).await?,
            })
        }))
        .await
    }

    /// Keeps a re-order reminder for a delivered line whose product the shop suggests one
    /// for, due in `days` (the suggestion when absent) from today (UTC); one waits per
    /// line (`409 reminder_exists`). Safe to retry with an `Idempotency-Key`.
    pub async fn set_reminder(
        &self,
        request: ReminderRequest,
        now: i64,
    ) -> Result<ReminderAnswer, ApiError> {
        self.write(work!(|c, request| {
            let order = orders::find(c, &request.shop, &request.token, now).await?;
            let saved = match &request.key {
                Some(key) => key.saved(c, order.order_id, now).await?,
                None => None,
            };
            match saved {
                Some(Saved::Answer(_, body)) => {
                    return Ok(ReminderAnswer {
                        body,
                        replayed: true,
                    })
                }
                Some(Saved::Made(_, Some(id))) => {
                    return Ok(ReminderAnswer {
                        body: body_of(&reminder(c, order.order_id, id).await?)?,
                        replayed: true,
                    });
                }
                Some(Saved::Made(_, None)) | None => {}
            }
            let wanted = &request.request;
            let items = care_items(c, order).await?;
            let item = items.iter().find(|i| i.item == wanted.item);
            let mut errors = Vec::new();
            let suggested = item.and_then(|i| i.reorder_days);
            if suggested.is_none() {
                errors.push(FieldError::new(
                    "item",
                    "must be a delivered item the shop suggests re-order reminders for",
                ));
            }
            if wanted.days.is_some_and(|d| !days_ok(d)) {
                errors.push(FieldError::new("days", "must be 1 to 365"));
            }
            let (Some(suggested), true) = (suggested, errors.is_empty()) else {
                return Err(ApiError::invalid_fields(errors));
            };
            if c.exists(
                "SELECT 1 FROM reminders WHERE order_item_id = ?1 AND status = 'waiting'",
                args![wanted.item],
            )
            .await?
            {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "reminder_exists",
                    "A reminder for this item is already waiting.",
                ));
            }
            let due = due_on(now, wanted.days.unwrap_or(suggested));
            let id: i64 = c
                .query_one(
                    "INSERT INTO reminders (shop_id, order_id, order_item_id, due_on, status,
                                            created_at)
                     VALUES (?1, ?2, ?3, ?4, 'waiting', ?5) RETURNING id",
                    args![order.shop_id, order.order_id, wanted.item, due, now],
                )
                .await?
                .get("id")?;
            if let Some(key) = &request.key {
                key.save(c, order.order_id, 201, Some(id), now).await?;
            }
            Ok(ReminderAnswer {
                body: body_of(&reminder(c, order.order_id, id).await?)?,
                replayed: false,
            })
        }))
        .await
    }

    /// Cancels one of the order's reminders while it waits; again changes nothing; `409
    /// reminder_sent` once it was sent (or skipped).
    pub async fn cancel_reminder(
        &self,
        shop: &str,
        token: &str,
        id: i64,
        now: i64,
    ) -> Result<Reminder, ApiError> {
        let (shop, token) = (shop.to_owned(), token.to_owned());
        self.write(work!(|c, shop, token| {
            let order = orders::find(c, &shop, &token, now).await?;
            let found = reminder(c, order.order_id, id).await?;
            match found.status {
                ReminderStatus::Cancelled => Ok(found),
                ReminderStatus::Sent | ReminderStatus::Skipped => Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "reminder_sent",
                    "This reminder was already due, so it can no longer be cancelled.",
                )),
                ReminderStatus::Waiting => {
                    c.execute(
                        "UPDATE reminders SET status = 'cancelled', settled_at = ?2
                         WHERE id = ?1 AND status = 'waiting'",
                        args![id, now],
                    )
                    .await?;
                    reminder(c, order.order_id, id).await
                }
            }
        }))
        .await
    }

    /// What the shop recommends with the order's items.
    pub async fn order_pairs(
        &self,
        shop: &str,
        token: &str,
        now: i64,
    ) -> Result<Vec<Pairing>, ApiError> {
        let (shop, token) = (shop.to_owned(), token.to_owned());
        self.read(work!(|c, shop, token| {
            let order = orders::find(c, &shop, &token, now).await?;
            Ok(order_pairs(c, order).await?)
        }))
        .await
    }

    /// Counts a click on a recommendation the order shows.
    pub async fn click_pairing(
        &self,
        shop: &str,
        token: &str,
        id: i64,
        now: i64,
    ) -> Result<(), ApiError> {
        let (shop, token) = (shop.to_owned(), token.to_owned());
        self.write(work!(|c, shop, token| {
            let order = orders::find(c, &shop, &token, now).await?;
            if !order_pairs(c, order).await?.iter().any(|p| p.id == id) {
                return Err(pairing_not_found());
            }
            c.execute(
                "UPDATE product_pairs SET clicks = clicks + 1 WHERE id = ?1",
                args![id],
            )
            .await?;
            Ok(())
        }))
        .await
    }

    /// Sends every reminder due at `now` to its shop (`reminder.due`, by the channels its
    /// shopper wants), or marks it skipped when they want none; each exactly once, even
    /// with several processes.
    pub async fn send_due_reminders(&self, now: i64) -> Result<DuePass, ApiError> {
        let mut total = DuePass::default();
        loop {
            let (pass, more) = self.write(work!(|c| { settle_due(c, now).await })).await?;
            total.sent += pass.sent;
            total.skipped += pass.skipped;
            total.queued |= pass.queued;
            if !more {
                return Ok(total);
            }
        }
    }
}
