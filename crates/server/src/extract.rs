//! What handlers take from a request besides its body: the shop an admin API key
//! belongs to, that a shopper's token opens an order, and an `Idempotency-Key`. They run
//! before the body is read, so a request without a key or token that works is answered
//! without reading its body.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};

use crate::error::ApiError;
use crate::store::Shop;
use crate::AppState;

/// The shop whose API key came as `Authorization: Bearer <key>`.
pub struct AdminShop(pub Shop);

impl FromRequestParts<AppState> for AdminShop {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let key = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .ok_or_else(ApiError::unauthorized)?;
        state
            .db
            .shop_by_api_key(key)
            .await?
            .map(AdminShop)
            .ok_or_else(ApiError::unauthorized)
    }
}

/// That the capability token in a shopper path (`/api/v1/shops/{shop}/orders/{token}/…`)
/// opens one of the shop's orders; else the one `404 order_not_found`, before the body is
/// read. The change itself checks the token again inside its transaction.
pub struct OpenOrder;

impl FromRequestParts<AppState> for OpenOrder {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let mut segments = parts.uri.path().split('/').skip(4);
        let (Some(shop), Some("orders"), Some(token)) =
            (segments.next(), segments.next(), segments.next())
        else {
            return Err(ApiError::order_not_found());
        };
        state.db.find_order(shop, token, state.clock.now()).await?;
        Ok(OpenOrder)
    }
}

/// The optional `Idempotency-Key` header: 1 to 255 visible ASCII characters.
pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get("idempotency-key") else {
            return Ok(IdempotencyKey(None));
        };
        value
            .to_str()
            .ok()
            .filter(|k| (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
            .map(|k| IdempotencyKey(Some(k.to_owned())))
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_idempotency_key",
                    "Idempotency-Key must be 1 to 255 visible ASCII characters.",
                )
            })
    }
}
