//! The admin API merchants call from their own servers, authenticated by the shop's key.

use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::routing::post;
use axum::Router;
use postpurchase_api::{ErrorBody, NewAccessToken, NewOrder, OrderAccess, OrderCreated};

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
    request_body = NewOrder,
    security(("api_key" = [])),
    responses(
        (status = 201, description = "Order stored", body = OrderCreated),
        (status = 401, description = "Missing or unknown API key", body = ErrorBody),
        (status = 409, description = "The shop already has an order with this number", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    )
)]
pub async fn create_order(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Json(order): Json<NewOrder>,
) -> Result<(StatusCode, Json<OrderCreated>), ApiError> {
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
    state.db.write(
        |tx| match store::insert_order(tx, shop.id, &order, placed_at)? {
            Inserted::Created(order_id) => {
                store::insert_token(tx, order_id, &token, expires_at).map_err(ApiError::from)
            }
            Inserted::Duplicate => Err(ApiError::new(
                StatusCode::CONFLICT,
                "order_exists",
                "This shop already has an order with that number.",
            )),
        },
    )?;
    Ok((
        StatusCode::CREATED,
        Json(OrderCreated {
            number: order.number.trim().to_owned(),
            access: access(&state, &shop, token, expires_at),
        }),
    ))
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
        return Err(ApiError::invalid_fields(vec![
            postpurchase_api::FieldError {
                field: "valid_days".into(),
                message: "must be between 1 and 3650".into(),
            },
        ]));
    }
    let now = state.clock.now();
    let expires_at = now + i64::from(days) * 86_400;
    let token = domain::new_token().map_err(|e| ApiError::internal("random", e))?;
    state.db.write(|tx| {
        let order_id = store::order_id_by_number(tx, shop.id, &number)?.ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "order_not_found",
                "This shop has no order with that number.",
            )
        })?;
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
