//! Requests made safe to retry with an `Idempotency-Key`: what a key already stands for,
//! and remembering it in the request's own transaction. A key is remembered for a day;
//! older records are ignored here and purged by the server in the background
//! ([`Db::purge`](crate::db::Db::purge)).

use axum::http::StatusCode;
use sha2::{Digest, Sha256};

use crate::args;
use crate::db::{Conn, DbError};
use crate::error::ApiError;

/// How long an `Idempotency-Key` is remembered.
pub const WINDOW_SECONDS: i64 = 86_400;

fn key_reused() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
        "This Idempotency-Key was already used for a different request.",
    )
}

/// A merchant's key and the hash of the request it came with (order creation).
#[derive(Clone, Debug)]
pub struct MerchantKey {
    pub key: String,
    pub hash: Vec<u8>,
}

impl MerchantKey {
    pub fn new(
        key: Option<String>,
        body: &impl serde::Serialize,
    ) -> Result<Option<Self>, ApiError> {
        let Some(key) = key else {
            return Ok(None);
        };
        let body = serde_json::to_vec(body).map_err(|e| ApiError::internal("hash", e))?;
        Ok(Some(MerchantKey {
            key,
            hash: Sha256::digest(body).to_vec(),
        }))
    }

    /// The order this request made before, if it is a retry; an error when the key was
    /// used for another request.
    pub async fn made_before(
        &self,
        c: &mut Conn<'_>,
        shop_id: i64,
        now: i64,
    ) -> Result<Option<i64>, ApiError> {
        let seen = c
            .query_opt(
                "SELECT request_hash, order_id FROM idempotency_keys
                 WHERE shop_id = ?1 AND key = ?2 AND created_at >= ?3",
                args![shop_id, self.key, now - WINDOW_SECONDS],
            )
            .await?;
        let Some(mut row) = seen else {
            return Ok(None);
        };
        if row.get::<Vec<u8>>("request_hash")? != self.hash {
            return Err(key_reused());
        }
        Ok(Some(row.get("order_id")?))
    }

    pub async fn remember(
        &self,
        c: &mut Conn<'_>,
        shop_id: i64,
        order_id: i64,
        now: i64,
    ) -> Result<(), DbError> {
        c.execute(
            "INSERT INTO idempotency_keys (shop_id, key, request_hash, order_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (shop_id, key) DO UPDATE SET request_hash = excluded.request_hash,
                 order_id = excluded.order_id, created_at = excluded.created_at",
            args![shop_id, self.key, self.hash, order_id, now],
        )
        .await?;
        Ok(())
    }
}

/// Keyed shopper requests an order may make in a day: far more than a shopper changes
/// their mind, few enough that one token cannot grow the database.
pub const PER_ORDER_AND_DAY: i64 = 100;

/// What a shopper's earlier request under the same key left for its retry.
pub enum Saved {
    /// Its answer as it was (records made before 0012 keep whole answers).
    Answer(u16, Vec<u8>),
    /// Its status and what it made, if anything: the retry answers with it as it now is.
    Made(u16, Option<i64>),
}

/// A shopper's key, and the hash of the request it came with and where it went.
#[derive(Clone, Debug)]
pub struct Keyed {
    key: String,
    hash: Vec<u8>,
}

impl Keyed {
    /// `scope` tells requests to different resources apart; `body` is the request.
    pub fn new(
        key: Option<String>,
        scope: &[u8],
        body: &impl serde::Serialize,
    ) -> Result<Option<Keyed>, ApiError> {
        let Some(key) = key else {
            return Ok(None);
        };
        let body = serde_json::to_vec(body).map_err(|e| ApiError::internal("hash", e))?;
        let mut hash = Sha256::new();
        hash.update(scope);
        hash.update(body);
        Ok(Some(Keyed {
            key,
            hash: hash.finalize().to_vec(),
        }))
    }

    /// What this request left when it was made before; an error when the key was used
    /// for another request, or (for a new key) when the order made its day's keyed
    /// requests already.
    pub async fn saved(
        &self,
        c: &mut Conn<'_>,
        order_id: i64,
        now: i64,
    ) -> Result<Option<Saved>, ApiError> {
        let since = now - WINDOW_SECONDS;
        let saved = c
            .query_opt(
                "SELECT request_hash, status, body, resource_id FROM shopper_requests
                 WHERE order_id = ?1 AND key = ?2 AND created_at >= ?3",
                args![order_id, self.key, since],
            )
            .await?;
        let Some(mut row) = saved else {
            let made: i64 = c
                .query_one(
                    "SELECT count(*) AS made FROM shopper_requests
                     WHERE order_id = ?1 AND created_at >= ?2",
                    args![order_id, since],
                )
                .await?
                .get("made")?;
            if made >= PER_ORDER_AND_DAY {
                return Err(ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too_many_requests",
                    "This order has made too many changes today; please try again later.",
                )
                .retry_in(3600));
            }
            return Ok(None);
        };
        if row.get::<Vec<u8>>("request_hash")? != self.hash {
            return Err(key_reused());
        }
        let status = row.get("status")?;
        let body: Vec<u8> = row.get("body")?;
        Ok(Some(if body.is_empty() {
            Saved::Made(status, row.get("resource_id")?)
        } else {
            Saved::Answer(status, body)
        }))
    }

    /// Keeps what a retry needs, in the request's own transaction: call it only when the
    /// request changed something.
    pub async fn save(
        &self,
        c: &mut Conn<'_>,
        order_id: i64,
        status: u16,
        made: Option<i64>,
        now: i64,
    ) -> Result<(), DbError> {
        c.execute(
            "INSERT INTO shopper_requests (order_id, key, request_hash, status, body, resource_id,
                                           created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (order_id, key) DO UPDATE SET request_hash = excluded.request_hash,
                 status = excluded.status, body = excluded.body,
                 resource_id = excluded.resource_id, created_at = excluded.created_at",
            args![
                order_id,
                self.key,
                self.hash,
                status,
                b"".as_slice(),
                made,
                now
            ],
        )
        .await?;
        Ok(())
    }
}
