//! The admin API merchants call from their own servers, authenticated by the shop's key:
//! orders and their tokens, the shop's profile, and erasing a customer.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use postpurchase_api::{
    ErasureReport, ErasureRequest, ErrorBody, FieldError, NewAccessToken, NewOrder, OrderAccess,
    OrderCreated, ShopProfile,
};

use crate::error::{ApiError, Json, Path};
use crate::extract::{AdminShop, IdempotencyKey, OwnerShop};
use crate::store::idempotency::MerchantKey;
use crate::store::Shop;
use crate::{domain, AppState};

pub const ORDERS_PATH: &str = "/api/v1/admin/orders";
pub const TOKENS_PATH: &str = "/api/v1/admin/orders/{number}/tokens";
pub const SHOP_PATH: &str = "/api/v1/admin/shop";
pub const ERASURE_PATH: &str = "/api/v1/admin/customers/erasure";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            ORDERS_PATH,
            post(create_order).layer(crate::body_limit_layer(ORDERS_PATH)),
        )
        .route(TOKENS_PATH, post(create_token))
        .route(SHOP_PATH, get(get_profile).put(put_profile))
        .route(ERASURE_PATH, post(erase_customer))
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
    let now = state.clock.now();
    let errors = domain::validate_new_order(&order, now);
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    let token = domain::new_token().map_err(|e| ApiError::internal("random", e))?;
    let expires_at = now + i64::from(shop.token_valid_days) * 86_400;
    // With an Idempotency-Key, the request's hash tells a retry from a different request.
    let key = MerchantKey::new(key, &order)?;
    let number = order.number.trim().to_owned();
    let created = state
        .db
        .create_order(shop.id, order, key, token.clone(), expires_at, now)
        .await?;
    let mut response = (
        StatusCode::CREATED,
        Json(OrderCreated {
            number,
            access: access(&state, &shop, token, expires_at),
        }),
    )
        .into_response();
    if created.replayed {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(response)
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
    state
        .db
        .mint_token(shop.id, &number, token.clone(), expires_at)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(access(&state, &shop, token, expires_at)),
    ))
}

fn access(state: &AppState, shop: &Shop, token: String, expires_at: i64) -> OrderAccess {
    let order_url = format!("{}/o/{}/{}", state.public_url, shop.slug, token);
    OrderAccess {
        token,
        expires_at: crate::store::instant(expires_at),
        order_url,
    }
}

/// The shop's profile: its name, how shoppers reach it, its order page and language.
#[utoipa::path(
    get,
    path = "/api/v1/admin/shop",
    tag = "admin",
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The profile", body = ShopProfile),
        (status = 401, description = "Missing or unknown API key", body = ErrorBody),
    )
)]
pub async fn get_profile(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
) -> Result<Json<ShopProfile>, ApiError> {
    Ok(Json(state.db.shop_profile(shop.id).await?))
}

/// Replaces the shop's profile; the order view, the hosted page and the widget's fallback
/// link follow at once.
#[utoipa::path(
    put,
    path = "/api/v1/admin/shop",
    tag = "admin",
    request_body = ShopProfile,
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The profile as stored", body = ShopProfile),
        (status = 401, description = "Missing or unknown API key", body = ErrorBody),
        (status = 422, description = "Invalid fields, each named", body = ErrorBody),
    )
)]
pub async fn put_profile(
    State(state): State<AppState>,
    OwnerShop(shop): OwnerShop,
    Json(profile): Json<ShopProfile>,
) -> Result<Json<ShopProfile>, ApiError> {
    let profile = domain::shops::tidy_profile(profile);
    let errors = domain::shops::validate_profile(&profile, &shop.slug);
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    Ok(Json(state.db.set_shop_profile(shop.id, profile).await?))
}

/// Erases a customer on request (GDPR art. 17): their name, e-mail, addresses and every
/// text they wrote, across orders, parcels, reviews, returns, surveys and referrals; the
/// shop's totals stay.
#[utoipa::path(
    post,
    path = "/api/v1/admin/customers/erasure",
    tag = "admin",
    request_body = ErasureRequest,
    security(("api_key" = [])),
    responses(
        (status = 200, description = "Erased: what changed", body = ErasureReport),
        (status = 401, description = "Missing or unknown API key", body = ErrorBody),
        (status = 404, description = "`customer_not_found`: no customer with that e-mail (any more)", body = ErrorBody),
        (status = 422, description = "Not an e-mail address", body = ErrorBody),
    )
)]
pub async fn erase_customer(
    State(state): State<AppState>,
    OwnerShop(shop): OwnerShop,
    Json(request): Json<ErasureRequest>,
) -> Result<Json<ErasureReport>, ApiError> {
    let email = request.email.as_str();
    if !domain::email_ok(email) {
        return Err(ApiError::invalid_fields(vec![FieldError::new(
            "email",
            "must be an e-mail address",
        )]));
    }
    let report = state
        .db
        .erase_customer(shop.id, email, state.clock.now())
        .await?;
    tracing::info!(target: "postpurchase::privacy", shop = %shop.slug, orders = report.orders, "customer erased");
    Ok(Json(report))
}
