//! Signed webhooks to the shop. A change writes its webhook into the `webhook_deliveries`
//! outbox inside the change's own transaction, so a webhook exists exactly when the change
//! does; a background worker sends it afterwards, never in the shopper's request.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use postpurchase_api::WebhookEvent;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};

use crate::db::Db;

/// Queues `event` for the shop's webhook endpoint, if the shop has one. Call inside the
/// transaction that makes the change, then wake the worker (`AppState::webhooks`) after
/// it commits.
pub fn enqueue(
    tx: &Transaction,
    shop_id: i64,
    event: &WebhookEvent,
    now_ms: i64,
) -> rusqlite::Result<bool> {
    let url: Option<String> = tx
        .prepare_cached("SELECT webhook_url FROM shops WHERE id = ?1")?
        .query_row([shop_id], |r| r.get(0))
        .optional()?
        .flatten();
    let Some(url) = url.filter(|u| !u.is_empty()) else {
        return Ok(false);
    };
    let body = serde_json::to_string(event)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    tx.prepare_cached(
        "INSERT INTO webhook_deliveries (shop_id, event_id, url, body, next_attempt_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?
    .execute(params![shop_id, event.id, url, body, now_ms])?;
    Ok(true)
}

/// A new event with a fresh id, dated `created_at` (Unix seconds), queued with [`enqueue`]
/// inside the change's transaction. True when the shop has an endpoint (wake the worker).
pub fn queue(
    tx: &Transaction,
    shop_id: i64,
    kind: &str,
    created_at: i64,
    data: postpurchase_api::WebhookData,
) -> Result<bool, crate::error::ApiError> {
    let id =
        crate::domain::new_token().map_err(|e| crate::error::ApiError::internal("random", e))?;
    let event = WebhookEvent {
        id: format!("evt_{id}"),
        kind: kind.to_owned(),
        created_at: crate::store::instant(created_at),
        data,
    };
    Ok(enqueue(tx, shop_id, &event, now_ms())?)
}

/// The signature header's value for `body` sent at `timestamp` (Unix seconds):
/// `v1=<lower-hex HMAC-SHA256(secret, "<timestamp>.<body>")>`.
pub fn sign(secret: &str, timestamp: i64, body: &str) -> String {
    use hmac::{Hmac, Mac};
    use std::fmt::Write;

    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    let digest = mac.finalize().into_bytes();
    let mut signature = String::with_capacity(3 + 2 * digest.len());
    signature.push_str("v1=");
    for byte in digest {
        let _ = write!(signature, "{byte:02x}");
    }
    signature
}

/// When failed deliveries are tried again: `first` after the first failure, doubling after
/// each further one (never more than [`Backoff::MAX_DELAY`] apart), and given up (state
/// `failed`) once `max_attempts` attempts have failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub first: Duration,
    pub max_attempts: u32,
}

impl Default for Backoff {
    /// 10 attempts: retries after 30 s, 1, 2, 4, 8, 16, 32, 64 and 128 min — the last about
    /// 4 h 15 min after the first.
    fn default() -> Self {
        Backoff {
            first: Duration::from_secs(30),
            max_attempts: 10,
        }
    }
}

impl Backoff {
    /// The longest wait between two attempts.
    pub const MAX_DELAY: Duration = Duration::from_secs(6 * 60 * 60);

    /// How long to wait after `attempts_so_far` failed attempts before the next one.
    pub fn delay(&self, attempts_so_far: u32) -> Duration {
        let doublings = attempts_so_far.saturating_sub(1).min(31);
        self.first
            .saturating_mul(1 << doublings)
            .min(Self::MAX_DELAY)
    }
}

/// Deliveries sent at the same time, so one slow endpoint does not hold up the others.
const CONCURRENCY: usize = 8;
/// How long each request may take, connecting included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// A delivery being sent is pushed this far into the future, so it is not picked up again
/// meanwhile, and is retried if the server stops before its result is recorded.
const LEASE: Duration = Duration::from_secs(60);
/// Pause after the database failed, before trying again.
const DB_ERROR_PAUSE: Duration = Duration::from_secs(5);
/// Stored `last_error`s are cut to this many characters.
const MAX_ERROR_LEN: usize = 500;

/// Starts the worker that sends due deliveries from the outbox; `wake` tells it that new
/// ones were queued. It runs until aborted or the runtime stops; a delivery interrupted
/// mid-send is sent again after [`LEASE`].
pub fn spawn(db: Arc<Db>, wake: Arc<Notify>, backoff: Backoff) -> JoinHandle<()> {
    tokio::spawn(async move {
        let client = match reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("postpurchase-webhooks/", env!("CARGO_PKG_VERSION")))
            // A redirect would turn the POST into a GET; the shop must give the final URL.
            .redirect(reqwest::redirect::Policy::none())
            .build()
        {
            Ok(client) => client,
            Err(e) => {
                tracing::error!(target: "postpurchase::webhooks", error = %e, "cannot build HTTP client; webhooks are not sent");
                return;
            }
        };
        run(db, wake, backoff, client).await;
    })
}

/// One outbox row, claimed for sending.
struct Delivery {
    id: i64,
    event_id: String,
    url: String,
    body: String,
    /// Attempts before this one.
    attempts: u32,
    /// The shop's current secret; `None` when it has none.
    secret: Option<String>,
}

/// How one attempt ended.
enum Outcome {
    Status(u16),
    Error(String),
}

async fn run(db: Arc<Db>, wake: Arc<Notify>, backoff: Backoff, client: reqwest::Client) {
    let mut sending: JoinSet<(Delivery, Outcome)> = JoinSet::new();
    loop {
        let mut pause = None;
        let free = CONCURRENCY - sending.len();
        if free > 0 {
            match db.write(|tx| claim(tx, now_ms(), free)) {
                Ok(batch) => {
                    for delivery in batch {
                        let client = client.clone();
                        sending.spawn(async move {
                            let outcome = send(&client, &delivery).await;
                            (delivery, outcome)
                        });
                    }
                }
                Err(e) => {
                    tracing::error!(target: "postpurchase::webhooks", error = %e, "cannot read the outbox");
                    pause = Some(DB_ERROR_PAUSE);
                }
            }
        }
        // Sleep until the next delivery is due, unless every sending slot is taken.
        if pause.is_none() && sending.len() < CONCURRENCY {
            pause = match db.read(next_due) {
                Ok(Some(at)) => Some(Duration::from_millis(
                    at.saturating_sub(now_ms()).max(0) as u64
                )),
                Ok(None) => None,
                Err(e) => {
                    tracing::error!(target: "postpurchase::webhooks", error = %e, "cannot read the outbox");
                    Some(DB_ERROR_PAUSE)
                }
            };
        }
        tokio::select! {
            Some(joined) = sending.join_next(), if !sending.is_empty() => match joined {
                Ok((delivery, outcome)) => {
                    if let Err(e) = db.write(|tx| record(tx, &backoff, &delivery, &outcome, now_ms())) {
                        tracing::error!(target: "postpurchase::webhooks", event_id = delivery.event_id, error = %e, "cannot record a delivery attempt");
                    }
                }
                Err(e) => tracing::error!(target: "postpurchase::webhooks", error = %e, "a delivery task failed"),
            },
            _ = wake.notified() => {}
            _ = tokio::time::sleep(pause.unwrap_or_default()), if pause.is_some() => {}
        }
    }
}

/// Takes up to `limit` due deliveries, oldest first, and leases them.
fn claim(tx: &Transaction, now_ms: i64, limit: usize) -> rusqlite::Result<Vec<Delivery>> {
    let batch = tx
        .prepare_cached(
            "SELECT d.id, d.event_id, d.url, d.body, d.attempts, s.webhook_secret
             FROM webhook_deliveries d JOIN shops s ON s.id = d.shop_id
             WHERE d.state = 'pending' AND d.next_attempt_at <= ?1
             ORDER BY d.next_attempt_at, d.id
             LIMIT ?2",
        )?
        .query_map(params![now_ms, limit as i64], |r| {
            Ok(Delivery {
                id: r.get(0)?,
                event_id: r.get(1)?,
                url: r.get(2)?,
                body: r.get(3)?,
                attempts: r.get(4)?,
                secret: r.get::<_, Option<String>>(5)?.filter(|s| !s.is_empty()),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut lease =
        tx.prepare_cached("UPDATE webhook_deliveries SET next_attempt_at = ?1 WHERE id = ?2")?;
    for delivery in &batch {
        lease.execute(params![now_ms + LEASE.as_millis() as i64, delivery.id])?;
    }
    Ok(batch)
}

/// When the next pending delivery is due, Unix milliseconds.
fn next_due(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached(
        "SELECT min(next_attempt_at) FROM webhook_deliveries WHERE state = 'pending'",
    )?
    .query_row([], |r| r.get(0))
}

async fn send(client: &reqwest::Client, delivery: &Delivery) -> Outcome {
    let timestamp = now_ms() / 1000;
    let mut request = client
        .post(&delivery.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("Postpurchase-Event-Id", &delivery.event_id)
        .header("Postpurchase-Timestamp", timestamp.to_string());
    match &delivery.secret {
        Some(secret) => {
            request = request.header(
                "Postpurchase-Signature",
                sign(secret, timestamp, &delivery.body),
            );
        }
        None => tracing::warn!(
            target: "postpurchase::webhooks",
            event_id = delivery.event_id,
            "the shop has no webhook secret; sending unsigned"
        ),
    }
    match request.body(delivery.body.clone()).send().await {
        Ok(response) => Outcome::Status(response.status().as_u16()),
        Err(e) => Outcome::Error(describe(&e)),
    }
}

/// The error and its causes, without the URL (it may hold the shop's credentials).
fn describe(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "timed out".to_owned()
    } else {
        String::new()
    };
    let mut cause: Option<&dyn std::error::Error> = std::error::Error::source(error);
    while let Some(e) = cause {
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&e.to_string());
        cause = e.source();
    }
    if text.is_empty() {
        text = "request failed".to_owned();
    }
    text.chars().take(MAX_ERROR_LEN).collect()
}

/// Stores how an attempt ended: delivered on a 2xx, else retried later or given up.
fn record(
    tx: &Transaction,
    backoff: &Backoff,
    delivery: &Delivery,
    outcome: &Outcome,
    now_ms: i64,
) -> rusqlite::Result<()> {
    let attempts = delivery.attempts + 1;
    let (status, error) = match outcome {
        Outcome::Status(status) => (Some(*status), None),
        Outcome::Error(error) => (None, Some(error.as_str())),
    };
    let (state, next_attempt_at) = if status.is_some_and(|s| (200..300).contains(&s)) {
        tracing::info!(target: "postpurchase::webhooks", event_id = delivery.event_id, attempt = attempts, status, "webhook delivered");
        ("delivered", now_ms)
    } else if attempts >= backoff.max_attempts {
        tracing::error!(target: "postpurchase::webhooks", event_id = delivery.event_id, attempt = attempts, status, error, "webhook failed; giving up");
        ("failed", now_ms)
    } else {
        let delay = backoff.delay(attempts);
        tracing::warn!(target: "postpurchase::webhooks", event_id = delivery.event_id, attempt = attempts, status, error, retry_in_ms = delay.as_millis() as u64, "webhook failed; will retry");
        ("pending", now_ms + delay.as_millis() as i64)
    };
    tx.prepare_cached(
        "UPDATE webhook_deliveries
         SET state = ?1, attempts = ?2, next_attempt_at = ?3, last_status = ?4, last_error = ?5
         WHERE id = ?6",
    )?
    .execute(params![
        state,
        attempts,
        next_attempt_at,
        status,
        error,
        delivery.id
    ])?;
    Ok(())
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_matches_a_known_vector() {
        // printf '%s' '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
        assert_eq!(
            sign("secret", 1_700_000_000, r#"{"a":1}"#),
            "v1=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686"
        );
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let backoff = Backoff::default();
        let secs: Vec<u64> = (1..backoff.max_attempts)
            .map(|n| backoff.delay(n).as_secs())
            .collect();
        assert_eq!(secs, [30, 60, 120, 240, 480, 960, 1920, 3840, 7680]);
        assert_eq!(backoff.delay(0), Duration::from_secs(30));
        assert_eq!(backoff.delay(20), Backoff::MAX_DELAY);
        assert_eq!(backoff.delay(u32::MAX), Backoff::MAX_DELAY);
    }
}
