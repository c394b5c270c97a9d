//! The admin API merchants call from their own servers, authenticated by the shop's key:
//! orders and their tokens, the shop's profile, and erasing a customer.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;
use postpurchase_api::{
    AllowedOrigins, ErasureReport, ErasureRequest, ErrorBody, FieldError, InstallInfo,
    NewAccessToken, NewOrder, OrderAccess, OrderCreated, OrderList, OrderRecord, OrderStage,
    OriginCheck, ShipmentStatus, ShopProfile,
};

use crate::error::{ApiError, Json, Path, Query};
use crate::extract::{AdminShop, IdempotencyKey, OwnerShop};
use crate::store::idempotency::MerchantKey;
use crate::store::lookup::{self, OrderSearch};
use crate::store::Shop;
use crate::{domain, AppState};

pub const ORDERS_PATH: &str = "/api/v1/admin/orders";
pub const ORDER_PATH: &str = "/api/v1/admin/orders/{number}";
pub const TOKENS_PATH: &str = "/api/v1/admin/orders/{number}/tokens";
pub const TOKEN_PATH: &str = "/api/v1/admin/orders/{number}/tokens/{id}";
pub const SHOP_PATH: &str = "/api/v1/admin/shop";
pub const ERASURE_PATH: &str = "/api/v1/admin/customers/erasure";
pub const INSTALL_PATH: &str = "/api/v1/admin/install";
pub const ORIGINS_PATH: &str = "/api/v1/admin/allowed-origins";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            ORDERS_PATH,
            post(create_order)
                .get(list_orders)
                .layer(crate::body_limit_layer(ORDERS_PATH)),
        )
        .route(ORDER_PATH, get(order_record))
        .route(TOKENS_PATH, post(create_token))
        .route(TOKEN_PATH, delete(revoke_token))
        .route(SHOP_PATH, get(get_profile).put(put_profile))
        .route(ERASURE_PATH, post(erase_customer))
        .route(INSTALL_PATH, get(install))
        .route(ORIGINS_PATH, get(get_origins).put(put_origins))
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

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InstallQuery {
    /// A storefront page's address, to check whether its origin may run the widget.
    #[param(max_length = 2000)]
    page: Option<String>,
}

/// What installing the widget needs with the shop's own values: its slug, the loader's
/// address, the API's origin, the fallback order page and the allowed origins; with
/// `?page=`, whether that page's origin may run the widget.
#[utoipa::path(
    get,
    path = "/api/v1/admin/install",
    tag = "admin",
    params(InstallQuery),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The values, and the check when asked", body = InstallInfo),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 422, description = "A page address over 2000 characters", body = ErrorBody),
    )
)]
pub async fn install(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Query(query): Query<InstallQuery>,
) -> Result<Json<InstallInfo>, ApiError> {
    if query
        .page
        .as_ref()
        .is_some_and(|p| p.chars().count() > 2000)
    {
        return Err(ApiError::invalid_fields(vec![FieldError::new(
            "page",
            "must be at most 2000 characters",
        )]));
    }
    let checked = query.page.map(|page| {
        let origin = url::Url::parse(page.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .map(|u| u.origin().ascii_serialization());
        OriginCheck {
            allowed: origin
                .as_ref()
                .is_some_and(|o| shop.allowed_origins.contains(o)),
            origin,
        }
    });
    Ok(Json(InstallInfo {
        loader_url: crate::web::WidgetFiles::loader_url(&state.public_url),
        api_origin: state.public_url.clone(),
        slug: shop.slug,
        order_page: shop.order_status_url,
        allowed_origins: shop.allowed_origins,
        checked,
    }))
}

/// The origins whose pages may run the widget.
#[utoipa::path(
    get,
    path = "/api/v1/admin/allowed-origins",
    tag = "admin",
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The origins", body = AllowedOrigins),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
    )
)]
pub async fn get_origins(AdminShop(shop): AdminShop) -> Json<AllowedOrigins> {
    Json(AllowedOrigins {
        origins: shop.allowed_origins,
    })
}

/// Sets the origins whose pages may run the widget (owners only), replacing the list:
/// each exactly as a browser sends it, written back as browsers write it (lower-case
/// host, no default port), once each.
#[utoipa::path(
    put,
    path = "/api/v1/admin/allowed-origins",
    tag = "admin",
    request_body = AllowedOrigins,
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The origins as stored", body = AllowedOrigins),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 403, description = "`owner_only`, or `csrf_failed`", body = ErrorBody),
        (status = 422, description = "An entry that is not an exact origin, or more than 20", body = ErrorBody),
    )
)]
pub async fn put_origins(
    State(state): State<AppState>,
    OwnerShop(shop): OwnerShop,
    Json(asked): Json<AllowedOrigins>,
) -> Result<Json<AllowedOrigins>, ApiError> {
    let mut errors = Vec::new();
    if asked.origins.len() > 20 {
        errors.push(FieldError::new("origins", "at most 20 origins"));
    }
    let mut origins: Vec<String> = Vec::new();
    for (i, text) in asked.origins.iter().enumerate() {
        match domain::shops::origin(text).filter(|_| text.chars().count() <= 200) {
            Some(origin) if !origins.contains(&origin) => origins.push(origin),
            Some(_) => {}
            None => errors.push(FieldError::new(
                format!("origins[{i}]"),
                "must be an exact origin: https://host or https://host:port (plain http only for localhost)",
            )),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    state
        .db
        .set_allowed_origins(&shop.slug, origins.clone())
        .await?;
    state.origins.forget(&shop.slug);
    Ok(Json(AllowedOrigins { origins }))
}

/// What to look for in the shop's orders.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OrderQuery {
    /// An order number or tracking number (exactly), or part of an e-mail or a name.
    #[param(max_length = 200)]
    q: Option<String>,
    /// Only orders at this stage.
    stage: Option<OrderStage>,
    /// Only orders with a parcel of this status.
    status: Option<ShipmentStatus>,
    /// 1-based; 1 unless given.
    #[param(minimum = 1, maximum = 100000)]
    page: Option<u32>,
    /// 25 unless given.
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<u32>,
}

/// The shop's orders, newest first, a page at a time: found by number, e-mail, name or
/// tracking number, filtered by stage or by a parcel's status.
#[utoipa::path(
    get,
    path = "/api/v1/admin/orders",
    tag = "admin",
    params(OrderQuery),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "A page of orders", body = OrderList),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 422, description = "A parameter out of range", body = ErrorBody),
    )
)]
pub async fn list_orders(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Query(query): Query<OrderQuery>,
) -> Result<Json<OrderList>, ApiError> {
    let mut errors = Vec::new();
    if query.q.as_ref().is_some_and(|q| q.chars().count() > 200) {
        errors.push(FieldError::new("q", "must be at most 200 characters"));
    }
    if query.page.is_some_and(|p| !(1..=100_000).contains(&p)) {
        errors.push(FieldError::new("page", "must be 1 to 100000"));
    }
    if query
        .per_page
        .is_some_and(|p| !(1..=lookup::MAX_PER_PAGE).contains(&p))
    {
        errors.push(FieldError::new("per_page", "must be 1 to 100"));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    let search = OrderSearch {
        text: query.q,
        stage: query.stage,
        status: query.status,
        page: query.page.unwrap_or(1),
        per_page: query.per_page.unwrap_or(lookup::PER_PAGE),
    };
    Ok(Json(state.db.search_orders(shop.id, search).await?))
}

/// Everything about one order: the customer and address in full, lines, totals, parcels
/// with every event and the delivery choice, returns, reviews, survey answers, and the
/// links that open it.
#[utoipa::path(
    get,
    path = "/api/v1/admin/orders/{number}",
    tag = "admin",
    params(("number" = String, Path, description = "The shop's order number")),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The order", body = OrderRecord),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 404, description = "The shop has no order with this number", body = ErrorBody),
    )
)]
pub async fn order_record(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Path(number): Path<String>,
) -> Result<Response, ApiError> {
    let record = state
        .db
        .order_record(shop.id, &number, state.clock.now())
        .await?;
    let mut response = Json(record).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Revokes a link of an order: its address stops opening the order at once.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/orders/{number}/tokens/{id}",
    tag = "admin",
    params(
        ("number" = String, Path, description = "The shop's order number"),
        ("id" = String, Path, description = "The link's id, as the order's record lists it"),
    ),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 404, description = "No such order, or no such link of it", body = ErrorBody),
    )
)]
pub async fn revoke_token(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Path((number, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state.db.revoke_link(shop.id, &number, &id).await?;
    Ok(StatusCode::NO_CONTENT)
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
    order_access(state, &shop.slug, token, expires_at)
}

/// A token's access: the token for the widget tag, until when, and its hosted page.
pub(crate) fn order_access(
    state: &AppState,
    slug: &str,
    token: String,
    expires_at: i64,
) -> OrderAccess {
    let order_url = format!("{}/o/{}/{}", state.public_url, slug, token);
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
