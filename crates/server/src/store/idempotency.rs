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

    /// The saved answer (status, body) when this request was answered before; an error
    /// when the key was used for another request.
    pub async fn saved(
        &self,
        c: &mut Conn<'_>,
        order_id: i64,
        now: i64,
    ) -> Result<Option<(u16, Vec<u8>)>, ApiError> {
        let saved = c
            .query_opt(
                "SELECT request_hash, status, body FROM shopper_requests
                 WHERE order_id = ?1 AND key = ?2 AND created_at >= ?3",
                args![order_id, self.key, now - WINDOW_SECONDS],
            )
            .await?;
        let Some(mut row) = saved else {
            return Ok(None);
        };
        if row.get::<Vec<u8>>("request_hash")? != self.hash {
            return Err(key_reused());
        }
        Ok(Some((row.get("status")?, row.get("body")?)))
    }

    /// Keeps the answer for repeats, in the request's own transaction.
    pub async fn save(
        &self,
        c: &mut Conn<'_>,
        order_id: i64,
        (status, body): (u16, &[u8]),
        now: i64,
    ) -> Result<(), DbError> {
        c.execute(
            "INSERT INTO shopper_requests (order_id, key, request_hash, status, body, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (order_id, key) DO UPDATE SET request_hash = excluded.request_hash,
                 status = excluded.status, body = excluded.body, created_at = excluded.created_at",
            args![order_id, self.key, self.hash, status, body, now],
        )
        .await?;
        Ok(())
    }
}
