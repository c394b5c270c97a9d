//! The webhook outbox. A change writes its webhook into `webhook_deliveries` inside the
//! change's own transaction, so a webhook exists exactly when the change does; workers
//! (one per server process) claim due deliveries under a lease, send them, and record how
//! each attempt ended. A claim is one transaction that moves the delivery's next attempt
//! past the lease and marks it with a random lease id; only the holder of that id records
//! the outcome. So each delivery is being sent by one worker at a time, across processes,
//! and a worker that dies mid-send leaves it to be sent again when the lease runs out
//! (at least once, never lost).

use postpurchase_api::{WebhookData, WebhookEvent};

use crate::db::{Backend, Conn, Db, DbError};
use crate::domain;
use crate::error::ApiError;
use crate::{args, work};

/// Queues `event` for the shop's webhook endpoint, if it has one; true when it does.
pub async fn enqueue(
    c: &mut Conn<'_>,
    shop_id: i64,
    order_id: Option<i64>,
    event: &WebhookEvent,
    now_ms: i64,
) -> Result<bool, DbError> {
    // One statement: the endpoint is read where the delivery is written.
    let body = super::json(event)?;
    let queued = c
        .execute(
            "INSERT INTO webhook_deliveries (shop_id, order_id, event_id, url, body, next_attempt_at,
                                             created_at)
             SELECT id, CAST(?2 AS BIGINT), CAST(?3 AS TEXT), webhook_url, CAST(?4 AS TEXT),
                    CAST(?5 AS BIGINT), CAST(?5 AS BIGINT) FROM shops
             WHERE id = ?1 AND webhook_url IS NOT NULL AND webhook_url <> ''",
            args![shop_id, order_id, event.id, body, now_ms],
        )
        .await?;
    Ok(queued == 1)
}

/// A new event about an order, with a fresh id, dated `created_at` (Unix seconds),
/// queued inside the change's transaction. True when the shop has an endpoint: wake the
/// worker (`AppState::webhooks`) after the commit.
pub async fn queue(
    c: &mut Conn<'_>,
    shop_id: i64,
    order_id: i64,
    kind: &str,
    created_at: i64,
    data: WebhookData,
) -> Result<bool, ApiError> {
    let id = domain::new_token().map_err(|e| ApiError::internal("random", e))?;
    let event = WebhookEvent {
        id: format!("evt_{id}"),
        kind: kind.to_owned(),
        created_at: super::instant(created_at),
        data,
    };
    Ok(enqueue(c, shop_id, Some(order_id), &event, now_ms()).await?)
}

/// Who an event about an order is for: the flat fields every event's `data` starts with.
#[derive(Clone, Debug)]
pub struct Contact {
    pub shop_id: i64,
    pub order_number: String,
    pub email: String,
    pub first_name: String,
}

/// The order's shop, number, and its shopper's e-mail and first name.
pub async fn contact(c: &mut Conn<'_>, order_id: i64) -> Result<Contact, DbError> {
    let mut r = c
        .query_one(
            "SELECT o.shop_id, o.number, c.email, c.first_name
             FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = ?1",
            args![order_id],
        )
        .await?;
    Ok(Contact {
        shop_id: r.get("shop_id")?,
        order_number: r.get("number")?,
        email: r.get("email")?,
        first_name: r.get("first_name")?,
    })
}

/// One outbox row, claimed for sending.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub id: i64,
    pub event_id: String,
    pub url: String,
    pub body: String,
    /// Attempts before this one.
    pub attempts: u32,
    /// The shop's current secret; `None` when it has none.
    pub secret: Option<String>,
    /// The claim's id: recording the outcome needs it.
    pub lease: String,
}

/// How an attempt ended, to be stored.
#[derive(Clone, Debug)]
pub struct Attempt {
    /// `pending` (to be retried), `delivered` or `failed` (given up).
    pub state: &'static str,
    pub attempts: u32,
    pub next_attempt_at: i64,
    pub status: Option<u16>,
    pub error: Option<String>,
}

/// Milliseconds since the Unix epoch, the outbox's clock.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl Db {
    /// Takes up to `limit` due deliveries, oldest first, and leases them for `lease_ms`.
    pub async fn claim_deliveries(
        &self,
        now_ms: i64,
        limit: usize,
        lease_ms: i64,
    ) -> Result<Vec<Delivery>, DbError> {
        self.write(work!(|c| {
            // On PostgreSQL, rows another process is claiming are passed over, not waited for.
            let skip_locked = match c.backend() {
                Backend::Postgres => " FOR UPDATE OF d SKIP LOCKED",
                Backend::Sqlite => "",
            };
            let due = c
                .query(
                    &format!(
                        "SELECT d.id, d.event_id, d.url, d.body, d.attempts, s.webhook_secret
                         FROM webhook_deliveries d JOIN shops s ON s.id = d.shop_id
                         WHERE d.state = 'pending' AND d.next_attempt_at <= ?1
                         ORDER BY d.next_attempt_at, d.id
                         LIMIT ?2{skip_locked}"
                    ),
                    args![now_ms, limit],
                )
                .await?;
            let mut claimed = Vec::with_capacity(due.len());
            for mut r in due {
                let lease = domain::new_token()
                    .map_err(|e| DbError::other(format!("no random lease id: {e}")))?;
                let delivery = Delivery {
                    id: r.get("id")?,
                    event_id: r.get("event_id")?,
                    url: r.get("url")?,
                    body: r.get("body")?,
                    attempts: r.get("attempts")?,
                    secret: r
                        .get::<Option<String>>("webhook_secret")?
                        .filter(|s| !s.is_empty()),
                    lease,
                };
                let taken = c
                    .execute(
                        "UPDATE webhook_deliveries SET next_attempt_at = ?2, lease = ?3
                         WHERE id = ?1 AND state = 'pending' AND next_attempt_at <= ?4",
                        args![delivery.id, now_ms + lease_ms, delivery.lease, now_ms],
                    )
                    .await?;
                if taken == 1 {
                    claimed.push(delivery);
                }
            }
            Ok(claimed)
        }))
        .await
    }

    /// When the next pending delivery is due, Unix milliseconds.
    pub async fn next_delivery_due(&self) -> Result<Option<i64>, DbError> {
        self.read(work!(|c| {
            c.query_one(
                "SELECT min(next_attempt_at) AS due FROM webhook_deliveries WHERE state = 'pending'",
                args![],
            )
            .await?
            .get("due")
        }))
        .await
    }

    /// Stores how an attempt ended, if the delivery is still this claim's; false when its
    /// lease ran out and another worker took it over.
    pub async fn record_attempt(
        &self,
        delivery: &Delivery,
        attempt: Attempt,
    ) -> Result<bool, DbError> {
        let (id, lease) = (delivery.id, delivery.lease.clone());
        self.write(work!(|c, lease, attempt| {
            let changed = c
                .execute(
                    "UPDATE webhook_deliveries
                     SET state = ?1, attempts = ?2, next_attempt_at = ?3, last_status = ?4,
                         last_error = ?5, lease = NULL
                     WHERE id = ?6 AND lease = ?7",
                    args![
                        attempt.state,
                        attempt.attempts,
                        attempt.next_attempt_at,
                        attempt.status,
                        attempt.error,
                        id,
                        lease
                    ],
                )
                .await?;
            Ok(changed == 1)
        }))
        .await
    }

    /// The shop's 50 latest webhooks, newest first.
    pub async fn webhook_log(
        &self,
        shop_id: i64,
    ) -> Result<Vec<postpurchase_api::WebhookDeliveryView>, ApiError> {
        self.read(work!(|c| {
            let rows = c
                .query(
                    "SELECT id, event_id, body, state, attempts, last_status, last_error, created_at
                     FROM webhook_deliveries WHERE shop_id = ?1 ORDER BY id DESC LIMIT 50",
                    args![shop_id],
                )
                .await?;
            rows.into_iter()
                .map(|mut r| {
                    let body: String = r.get("body")?;
                    let kind = serde_json::from_str::<serde_json::Value>(&body)
                        .ok()
                        .and_then(|v| v["type"].as_str().map(str::to_owned))
                        .unwrap_or_default();
                    let created_ms: i64 = r.get("created_at")?;
                    Ok(postpurchase_api::WebhookDeliveryView {
                        id: r.get("id")?,
                        event_id: r.get("event_id")?,
                        kind,
                        state: r.get("state")?,
                        attempts: r.get("attempts")?,
                        last_status: r
                            .get::<Option<i64>>("last_status")?
                            .and_then(|s| u16::try_from(s).ok()),
                        last_error: r.get("last_error")?,
                        created_at: super::instant(created_ms / 1000),
                    })
                })
                .collect::<Result<_, DbError>>()
                .map_err(ApiError::from)
        }))
        .await
    }

    /// Sends one of the shop's webhooks again, now, with its retries afresh; false when
    /// the shop has no such delivery.
    pub async fn resend_webhook(&self, shop_id: i64, id: i64) -> Result<bool, ApiError> {
        let now = now_ms();
        self.write(work!(|c| {
            let changed = c
                .execute(
                    "UPDATE webhook_deliveries
                     SET state = 'pending', attempts = 0, next_attempt_at = ?3, lease = NULL
                     WHERE id = ?1 AND shop_id = ?2",
                    args![id, shop_id, now],
                )
                .await?;
            Ok(changed == 1)
        }))
        .await
    }

    /// Queues an event that is about no order in particular (tests, tools).
    pub async fn enqueue_webhook(
        &self,
        shop_id: i64,
        event: WebhookEvent,
    ) -> Result<bool, DbError> {
        self.write(work!(|c, event| {
            enqueue(c, shop_id, None, &event, now_ms()).await
        }))
        .await
    }
}
