//! Shopper requests made safe to retry: an `Idempotency-Key` with the request's hash, the
//! saved answer for a repeat, a refusal for a key used for something else.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rusqlite::Transaction;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::store::{self, SavedUse};

/// A key and the hash of what it was sent with.
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
    pub fn saved(
        &self,
        tx: &Transaction,
        order_id: i64,
        now: i64,
    ) -> Result<Option<(u16, Vec<u8>)>, ApiError> {
        match store::shopper_request_use(tx, order_id, &self.key, &self.hash, now)? {
            SavedUse::Fresh => Ok(None),
            SavedUse::Replay(status, body) => Ok(Some((status, body))),
            SavedUse::Conflict => Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "This Idempotency-Key was already used for a different request.",
            )),
        }
    }

    /// Keeps the answer for repeats, in the request's own transaction.
    pub fn save(
        &self,
        tx: &Transaction,
        order_id: i64,
        answer: (u16, &[u8]),
        now: i64,
    ) -> rusqlite::Result<()> {
        store::remember_shopper_request(tx, order_id, &self.key, &self.hash, answer, now)
    }
}

/// A JSON answer that is never cached, marked `Idempotent-Replayed` when it is a saved one.
pub fn answer(status: u16, body: Vec<u8>, replayed: bool) -> Response {
    let mut response = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response();
    if replayed {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}
