//! Loyalty and the next purchase, and the unboxing: the shop's settings for each, what its
//! own loyalty system says about an order, and what the shopper sees (the rules in
//! [`crate::domain::loyalty`], storage in [`crate::store::loyalty`]).

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use postpurchase_api::{
    ErrorBody, LoyaltySettings, LoyaltyView, OrderLoyalty, UnboxingSettings, UnboxingView,
};

use crate::domain::loyalty::{check_loyalty, check_order_loyalty, check_unboxing};
use crate::error::{ApiError, Json, Path};
use crate::extract::{AdminShop, OwnerShop};
use crate::AppState;

pub const LOYALTY_PATH: &str = "/api/v1/shops/{shop}/orders/{token}/loyalty";
pub const UNBOXING_PATH: &str = "/api/v1/shops/{shop}/orders/{token}/unboxing";
pub const LOYALTY_SETTINGS_PATH: &str = "/api/v1/admin/loyalty-settings";
pub const UNBOXING_SETTINGS_PATH: &str = "/api/v1/admin/unboxing-settings";
pub const ORDER_LOYALTY_PATH: &str = "/api/v1/admin/orders/{number}/loyalty";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(LOYALTY_PATH, get(loyalty))
        .route(UNBOXING_PATH, get(unboxing))
        .route(
            LOYALTY_SETTINGS_PATH,
            get(get_loyalty_settings).put(put_loyalty_settings),
        )
        .route(
            UNBOXING_SETTINGS_PATH,
            get(get_unboxing_settings).put(put_unboxing_settings),
        )
        .route(
            ORDER_LOYALTY_PATH,
            get(get_order_loyalty).put(put_order_loyalty),
        )
}

/// What this order earned, the customer's balance, a next-purchase voucher and "buy
/// again" for delivered items. The rule's voucher is made on first asking and the same on
/// every read.
#[utoipa::path(
    get,
    path = "/api/v1/shops/{shop}/orders/{token}/loyalty",
    tag = "shopper",
    params(
        ("shop" = String, Path, description = "The shop's slug"),
        ("token" = String, Path, description = "The order's capability token"),
    ),
    responses(
        (status = 200, description = "Points, balance, voucher and items to buy again", body = LoyaltyView),
        (status = 404, description = "`order_not_found`, or `module_off` when the shop runs no loyalty programme", body = ErrorBody),
    )
)]
pub async fn loyalty(
    State(state): State<AppState>,
    Path((shop, token)): Path<(String, String)>,
) -> Result<Json<LoyaltyView>, ApiError> {
    Ok(Json(
        state.db.loyalty(&shop, &token, state.clock.now()).await?,
    ))
}

/// The shop's thank-you and packaging notes and how to share the unboxing, once the
/// order is delivered.
#[utoipa::path(
    get,
    path = "/api/v1/shops/{shop}/orders/{token}/unboxing",
    tag = "shopper",
    params(
        ("shop" = String, Path, description = "The shop's slug"),
        ("token" = String, Path, description = "The order's capability token"),
    ),
    responses(
        (status = 200, description = "The notes and sharing", body = UnboxingView),
        (status = 404, description = "`order_not_found`, or `module_off` when the shop shows nothing for unboxing", body = ErrorBody),
        (status = 409, description = "`not_delivered`: the order is not delivered (yet)", body = ErrorBody),
    )
)]
pub async fn unboxing(
    State(state): State<AppState>,
    Path((shop, token)): Path<(String, String)>,
) -> Result<Json<UnboxingView>, ApiError> {
    Ok(Json(
        state.db.unboxing(&shop, &token, state.clock.now()).await?,
    ))
}

/// The shop's loyalty programme (switched off until set).
#[utoipa::path(
    get,
    path = "/api/v1/admin/loyalty-settings",
    tag = "admin",
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The settings", body = LoyaltySettings),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
    )
)]
pub async fn get_loyalty_settings(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
) -> Result<Json<LoyaltySettings>, ApiError> {
    Ok(Json(state.db.loyalty_settings(shop.id).await?))
}

/// Switches the loyalty programme on or off: its name, points per unit of the order's
/// currency, the rule for next-purchase vouchers and the product pages "buy again" links to.
#[utoipa::path(
    put,
    path = "/api/v1/admin/loyalty-settings",
    tag = "admin",
    request_body = LoyaltySettings,
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The settings as stored (texts trimmed, the prefix upper-cased)", body = LoyaltySettings),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 403, description = "Staff may not change settings", body = ErrorBody),
        (status = 422, description = "Invalid fields: `name`, `points_per_unit`, `voucher.reward.value`, `voucher.reward.currency`, `voucher.valid_days`, `voucher.prefix`, `product_url`", body = ErrorBody),
    )
)]
pub async fn put_loyalty_settings(
    State(state): State<AppState>,
    OwnerShop(shop): OwnerShop,
    Json(settings): Json<LoyaltySettings>,
) -> Result<Json<LoyaltySettings>, ApiError> {
    let settings = check_loyalty(&settings).map_err(ApiError::invalid_fields)?;
    state
        .db
        .set_loyalty_settings(shop.id, settings.clone())
        .await?;
    Ok(Json(settings))
}

/// What shoppers see once their order is delivered (switched off until set).
#[utoipa::path(
    get,
    path = "/api/v1/admin/unboxing-settings",
    tag = "admin",
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The settings", body = UnboxingSettings),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
    )
)]
pub async fn get_unboxing_settings(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
) -> Result<Json<UnboxingSettings>, ApiError> {
    Ok(Json(state.db.unboxing_settings(shop.id).await?))
}

/// Switches the unboxing on or off: the thank-you note, the packaging note and page, the
/// hashtag, handle and page to share.
#[utoipa::path(
    put,
    path = "/api/v1/admin/unboxing-settings",
    tag = "admin",
    request_body = UnboxingSettings,
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The settings as stored (texts trimmed, `#` and `@` dropped)", body = UnboxingSettings),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 403, description = "Staff may not change settings", body = ErrorBody),
        (status = 422, description = "Invalid fields: `thanks`, `eco`, `eco_url`, `share_url`, `hashtag`, `handle`", body = ErrorBody),
    )
)]
pub async fn put_unboxing_settings(
    State(state): State<AppState>,
    OwnerShop(shop): OwnerShop,
    Json(settings): Json<UnboxingSettings>,
) -> Result<Json<UnboxingSettings>, ApiError> {
    let settings = check_unboxing(&settings).map_err(ApiError::invalid_fields)?;
    state
        .db
        .set_unboxing_settings(shop.id, settings.clone())
        .await?;
    Ok(Json(settings))
}

/// What the shopper is shown for one order: the values the shop fed, else (while the
/// programme is on) the rule's points and the rule's voucher. When the rule covers the
/// order and its voucher is not made yet, it is made now: the same code the shopper sees
/// later. A shop whose checkout must know the codes reads them here, or feeds its own
/// vouchers. A cancelled order gets no points by rate and no voucher from the rule; a
/// voucher that would already have expired (its days counted from the order's day) is
/// not made.
#[utoipa::path(
    get,
    path = "/api/v1/admin/orders/{number}/loyalty",
    tag = "admin",
    params(("number" = String, Path, description = "The shop's order number")),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The fed values, else the rule's points and voucher", body = OrderLoyalty),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 404, description = "`order_not_found`: the shop has no order with this number", body = ErrorBody),
    )
)]
pub async fn get_order_loyalty(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Path(number): Path<String>,
) -> Result<Json<OrderLoyalty>, ApiError> {
    Ok(Json(
        state
            .db
            .order_loyalty(shop.id, &number, state.clock.now())
            .await?,
    ))
}

/// Feeds what the shop's own loyalty system says about one order: points earned, the
/// balance after it, a voucher. Each given field replaces what the rule would show; the
/// whole is replaced on every call (repeating it changes nothing).
#[utoipa::path(
    put,
    path = "/api/v1/admin/orders/{number}/loyalty",
    tag = "admin",
    params(("number" = String, Path, description = "The shop's order number")),
    request_body = OrderLoyalty,
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The fed values as stored", body = OrderLoyalty),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 404, description = "`order_not_found`: the shop has no order with this number", body = ErrorBody),
        (status = 422, description = "Invalid fields: `earned`, `balance`, `voucher.code`, `voucher.reward.value`, `voucher.reward.currency`, `voucher.valid_until`", body = ErrorBody),
    )
)]
pub async fn put_order_loyalty(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Path(number): Path<String>,
    Json(fed): Json<OrderLoyalty>,
) -> Result<Json<OrderLoyalty>, ApiError> {
    let fed = check_order_loyalty(&fed).map_err(ApiError::invalid_fields)?;
    state
        .db
        .set_order_loyalty(shop.id, &number, fed.clone(), state.clock.now())
        .await?;
    Ok(Json(fed))
}
