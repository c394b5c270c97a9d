//! The admin API merchants call from their own servers, authenticated by the shop's key.

use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use postpurchase_api::{
    ErrorBody, FieldError, NewAccessToken, NewOrder, OrderAccess, OrderCreated,
};

use sha2::{Digest, Sha256};

use crate::error::{ApiError, Json};
use crate::store::{self, Inserted, Shop};
use crate::{domain, AppState};

pub const ORDERS_PATH: &str = "/api/v1/admin/orders";
pub const TOKENS_PATH: &str = "/api/v1/admin/orders/{number}/tokens";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(ORDERS_PATH, post(create_order))
        .route(TOKENS_PATH, post(create_token))
}

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
            .read(|conn| store::shop_by_api_key(conn, key))?
            .map(AdminShop)
            .ok_or_else(ApiError::unauthorized)
    }
}

/// Records a new order and returns the shopper's capability token for it.
#[utoipa::path(
    post,
    path = "/api/v1/admin/orders",
    tag = "admin",
    params(("Idempotency-Key" = Option<String>, Header,
        description = "Makes the request safe to retry for a day: a repeat with the same key and body \
                       returns the same order (with a fresh token) instead of a conflict")),
    request_body = NewOrder,
    security(("api_key" = [])),
    responses(
        (status = 201, description = "Order stored, or found again under the same Idempotency-Key", body = OrderCreated),
        (status = 400, description = "Malformed Idempotency-Key", body = ErrorBody),
        (status = 401, description = "Missing or unknown API key", body = ErrorBody),
        (status = 409, description = "The shop already has an order with this number", body = ErrorBody),
        (status = 422, description = "Invalid fields, or an Idempotency-Key used for another request", body = ErrorBody),
    )
)]
pub async fn create_order(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    IdempotencyKey(key): IdempotencyKey,
    Json(order): Json<NewOrder>,
) -> Result<Response, ApiError> {
    let errors = domain::validate_new_order(&order);
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    let now = state.clock.now();
    let placed_at = order
        .placed_at
        .as_deref()
        .and_then(domain::parse_instant)
        .map_or(now, |t| t.unix_timestamp());
    let token = domain::new_token().map_err(|e| ApiError::internal("random", e))?;
    let expires_at = now + i64::from(shop.token_valid_days) * 86_400;
    // With an Idempotency-Key, the request's hash tells a retry from a different request.
    let key = match key {
        None => None,
        Some(key) => serde_json::to_vec(&order)
            .map(|body| Some((key, Sha256::digest(body).to_vec())))
            .map_err(|e| ApiError::internal("hash", e))?,
    };
    let replayed = state.db.write(|tx| {
        let replay = match &key {
            None => None,
            Some((key, request_hash)) => {
                match store::idempotency_key_use(tx, shop.id, key, request_hash, now)? {
                    store::KeyUse::Fresh => None,
                    store::KeyUse::Replay(order_id) => Some(order_id),
                    store::KeyUse::Conflict => {
                        return Err(ApiError::new(
                            StatusCode::UNPROCESSABLE_ENTITY,
                            "idempotency_key_reused",
                            "This Idempotency-Key was already used for a different request.",
                        ))
                    }
                }
            }
        };
        if let Some(order_id) = replay {
            // The order exists from the first attempt; the retry gets a token of its own
            // (tokens are stored hashed, so the first one cannot be shown again).
            store::insert_token(tx, order_id, &token, expires_at)?;
            return Ok(true);
        }
        match store::insert_order(tx, shop.id, &order, placed_at)? {
            Inserted::Created(order_id) => {
                store::insert_token(tx, order_id, &token, expires_at)?;
                if let Some((key, request_hash)) = &key {
                    store::remember_idempotency_key(tx, shop.id, key, request_hash, order_id, now)?;
                }
                Ok(false)
            }
            Inserted::Duplicate => Err(ApiError::new(
                StatusCode::CONFLICT,
                "order_exists",
                "This shop already has an order with that number.",
            )),
        }
    })?;
    let mut response = (
        StatusCode::CREATED,
        Json(OrderCreated {
            number: order.number.trim().to_owned(),
            access: access(&state, &shop, token, expires_at),
        }),
    )
        .into_response();
    if replayed {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(response)
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

/// Issues another capability token for an existing order, e.g. for a shipping e-mail.
#[utoipa::path(
    post,
    path = "/api/v1/admin/orders/{number}/tokens",
    tag = "admin",
    params(("number" = String, Path, description = "The shop's order number")),
    request_body = NewAccessToken,
    security(("api_key" = [])),
    responses(
        (status = 201, description = "A new token", body = OrderAccess),
        (status = 401, description = "Missing or unknown API key", body = ErrorBody),
        (status = 404, description = "The shop has no order with this number", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    )
)]
pub async fn create_token(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Path(number): Path<String>,
    Json(request): Json<NewAccessToken>,
) -> Result<(StatusCode, Json<OrderAccess>), ApiError> {
    let days = request.valid_days.unwrap_or(shop.token_valid_days);
    if !(1..=3650).contains(&days) {
        return Err(ApiError::invalid_fields(vec![FieldError::new(
            "valid_days",
            "must be between 1 and 3650",
        )]));
    }
    let now = state.clock.now();
    let expires_at = now + i64::from(days) * 86_400;
    let token = domain::new_token().map_err(|e| ApiError::internal("random", e))?;
    state.db.write(|tx| {
        let order_id = store::order_id_by_number(tx, shop.id, &number)?
            .ok_or_else(ApiError::unknown_order_number)?;
        store::insert_token(tx, order_id, &token, expires_at).map_err(ApiError::from)
    })?;
    Ok((
        StatusCode::CREATED,
        Json(access(&state, &shop, token, expires_at)),
    ))
}

fn access(state: &AppState, shop: &Shop, token: String, expires_at: i64) -> OrderAccess {
    let order_url = format!("{}/o/{}/{}", state.public_url, shop.slug, token);
    OrderAccess {
        token,
        expires_at: time::OffsetDateTime::from_unix_timestamp(expires_at)
            .map(domain::format_instant)
            .unwrap_or_default(),
        order_url,
    }
}
