//! Answers to requests made safe to retry with an `Idempotency-Key` (the keys themselves
//! are kept by [`crate::store::idempotency`]).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// A JSON answer that is never cached, marked `Idempotent-Replayed` when it is a saved one.
pub fn answer(status: u16, body: impl Into<bytes::Bytes>, replayed: bool) -> Response {
    let mut response = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body.into(),
    )
        .into_response();
    if replayed {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}
