//! Signed webhooks to the shop. A change writes its webhook into the `webhook_deliveries`
//! outbox inside the change's own transaction, so a webhook exists exactly when the change
//! does; a background worker sends it afterwards, never in the shopper's request.

use postpurchase_api::WebhookEvent;
use rusqlite::{params, OptionalExtension, Transaction};

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
