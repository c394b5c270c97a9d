//! After delivery: the shop says per SKU how to use and care for a product, when to
//! re-order it and what goes well with it (admin API); the shopper reads the care words
//! for delivered items, keeps or cancels a re-order reminder (sent to the shop as the
//! signed webhook `reminder.due` when due, by the clock's run in
//! [`crate::store::delays`]), and sees and follows the recommendations, whose clicks the
//! shop sees. Rules in [`crate::domain::care`], storage in [`crate::store::care`].

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use postpurchase_api::{
    CareView, ErrorBody, FieldError, NewReminder, PairsView, ProductCare, ProductCareView, Reminder,
};

use crate::domain::care::{check_product, sku_ok};
use crate::error::{ApiError, Json, Path};
use crate::extract::{AdminShop, IdempotencyKey, OpenOrder};
use crate::replay;
use crate::store::care::ReminderRequest;
use crate::store::idempotency::Keyed;
use crate::AppState;

pub const PRODUCTS_PATH: &str = "/api/v1/admin/products";
pub const PRODUCT_PATH: &str = "/api/v1/admin/products/{sku}";
pub const CARE_PATH: &str = "/api/v1/shops/{shop}/orders/{token}/care";
pub const REMINDERS_PATH: &str = "/api/v1/shops/{shop}/orders/{token}/care/reminders";
pub const CANCEL_PATH: &str = "/api/v1/shops/{shop}/orders/{token}/care/reminders/{id}/cancel";
pub const PAIRS_PATH: &str = "/api/v1/shops/{shop}/orders/{token}/pairs";
pub const CLICK_PATH: &str = "/api/v1/shops/{shop}/orders/{token}/pairs/{id}/click";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(PRODUCTS_PATH, get(list_products))
        .route(
            PRODUCT_PATH,
            get(get_product).put(put_product).delete(delete_product),
        )
        .route(CARE_PATH, get(care))
        .route(REMINDERS_PATH, post(remind))
        .route(CANCEL_PATH, post(cancel))
        .route(PAIRS_PATH, get(pairs))
        .route(CLICK_PATH, post(click))
}

fn unknown_product() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "product_not_found",
        "This shop has said nothing about a product with this SKU.",
    )
}

/// The shop's products with care words, a re-order suggestion or recommendations, by SKU,
/// with each recommendation's clicks and the reminders waiting.
#[utoipa::path(
    get,
    path = "/api/v1/admin/products",
    tag = "admin",
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The products", body = [ProductCareView]),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
    )
)]
pub async fn list_products(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
) -> Result<Json<Vec<ProductCareView>>, ApiError> {
    Ok(Json(state.db.products(shop.id).await?))
}

/// What the shop says of one product.
#[utoipa::path(
    get,
    path = "/api/v1/admin/products/{sku}",
    tag = "admin",
    params(("sku" = String, Path, description = "The product's SKU, as order lines name it")),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The product", body = ProductCareView),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 404, description = "`product_not_found`", body = ErrorBody),
    )
)]
pub async fn get_product(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Path(sku): Path<String>,
) -> Result<Json<ProductCareView>, ApiError> {
    if !sku_ok(&sku) {
        return Err(unknown_product());
    }
    Ok(Json(state.db.product(shop.id, &sku).await?))
}

/// Replaces what the shop tells buyers of a product after delivery: care words and link,
/// a re-order suggestion, and up to 6 products that go well with it; a shop says this of
/// at most 5,000 products. A recommendation
/// whose `url` was already in the list keeps its `id` and clicks. Orders with the SKU show
/// it at once.
#[utoipa::path(
    put,
    path = "/api/v1/admin/products/{sku}",
    tag = "admin",
    params(("sku" = String, Path, description = "The product's SKU, as order lines name it (1 to 100 characters)")),
    request_body = ProductCare,
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The product as stored", body = ProductCareView),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 409, description = "`too_many_products`: the shop already says something about 5,000 products and this SKU is new", body = ErrorBody),
        (status = 422, description = "Fields that do not fit, each named (`sku`, `care`, `care_url`, `reorder_days`, `pairs`, `pairs[0].name`, `pairs[0].price` (0 to 100,000,000), `pairs[0].currency`, `pairs[0].image_url`, `pairs[0].url`)", body = ErrorBody),
    )
)]
pub async fn put_product(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Path(sku): Path<String>,
    Json(product): Json<ProductCare>,
) -> Result<Json<ProductCareView>, ApiError> {
    let mut errors = Vec::new();
    if !sku_ok(&sku) {
        errors.push(FieldError::new("sku", "must be 1 to 100 characters"));
    }
    errors.extend(check_product(&product));
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    Ok(Json(
        state
            .db
            .put_product(shop.id, &sku, product, state.clock.now())
            .await?,
    ))
}

/// Forgets what the shop said of a product, its recommendations and their clicks.
/// Reminders shoppers keep for it still come due.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/products/{sku}",
    tag = "admin",
    params(("sku" = String, Path, description = "The product's SKU")),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 204, description = "Forgotten"),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 404, description = "`product_not_found`", body = ErrorBody),
    )
)]
pub async fn delete_product(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Path(sku): Path<String>,
) -> Result<StatusCode, ApiError> {
    if !sku_ok(&sku) {
        return Err(unknown_product());
    }
    state.db.delete_product(shop.id, &sku).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The order's delivered items the shop has care words, a link or a re-order suggestion
/// for, each with the shopper's reminder (waiting, sent or skipped; not a cancelled one).
#[utoipa::path(
    get,
    path = "/api/v1/shops/{shop}/orders/{token}/care",
    tag = "shopper",
    params(
        ("shop" = String, Path, description = "The shop's slug"),
        ("token" = String, Path, description = "The order's capability token"),
    ),
    responses(
        (status = 200, description = "The items (none before delivery)", body = CareView),
        (status = 404, description = "`order_not_found`", body = ErrorBody),
    )
)]
pub async fn care(
    State(state): State<AppState>,
    Path((shop, token)): Path<(String, String)>,
) -> Result<Json<CareView>, ApiError> {
    Ok(Json(
        state.db.care_view(&shop, &token, state.clock.now()).await?,
    ))
}

/// "Remind me to re-order": kept for a delivered item whose product the shop suggests
/// reminders for, due in `days` (the shop's suggestion when absent) from today (UTC).
/// When due it goes to the shop as the signed webhook `reminder.due`, by the channels the
/// shopper wants (with the product page when the shop's loyalty settings name product
/// pages), or is skipped when there is nothing to send it by (the shopper wants no
/// channel, or the shop has no webhook endpoint). One waits per item, and an item has at
/// most 10 in all. Safe to retry with an `Idempotency-Key`.
#[utoipa::path(
    post,
    path = "/api/v1/shops/{shop}/orders/{token}/care/reminders",
    tag = "shopper",
    params(
        ("shop" = String, Path, description = "The shop's slug"),
        ("token" = String, Path, description = "The order's capability token"),
        ("Idempotency-Key" = Option<String>, Header,
            description = "The same key and body within a day get the saved answer"),
    ),
    request_body = NewReminder,
    responses(
        (status = 201, description = "The reminder, waiting", body = Reminder),
        (status = 404, description = "`order_not_found`", body = ErrorBody),
        (status = 409, description = "`reminder_exists`: one already waits for this item; `too_many_reminders`: the item has had 10 reminders (kept, cancelled or sent) and takes no more", body = ErrorBody),
        (status = 422, description = "`item`: not a delivered item with a re-order suggestion; `days` out of range; or `idempotency_key_reused`: the key was used for another request (another body)", body = ErrorBody),
    )
)]
pub async fn remind(
    State(state): State<AppState>,
    Path((shop, token)): Path<(String, String)>,
    IdempotencyKey(key): IdempotencyKey,
    _: OpenOrder,
    Json(request): Json<NewReminder>,
) -> Result<Response, ApiError> {
    let key = Keyed::new(key, b"reminders", &request)?;
    let answer = state
        .db
        .set_reminder(
            ReminderRequest {
                shop,
                token,
                request,
                key,
            },
            state.clock.now(),
        )
        .await?;
    Ok(replay::answer(201, answer.body, answer.replayed))
}

/// Cancels a waiting reminder; cancelling it again changes nothing.
#[utoipa::path(
    post,
    path = "/api/v1/shops/{shop}/orders/{token}/care/reminders/{id}/cancel",
    tag = "shopper",
    params(
        ("shop" = String, Path, description = "The shop's slug"),
        ("token" = String, Path, description = "The order's capability token"),
        ("id" = i64, Path, description = "The reminder's `id`"),
    ),
    responses(
        (status = 200, description = "The reminder, cancelled", body = Reminder),
        (status = 404, description = "`order_not_found`, or `reminder_not_found`: not this order's", body = ErrorBody),
        (status = 409, description = "`reminder_sent`: it came due already (sent or skipped)", body = ErrorBody),
    )
)]
pub async fn cancel(
    State(state): State<AppState>,
    Path((shop, token, id)): Path<(String, String, String)>,
) -> Result<Json<Reminder>, ApiError> {
    let id = id.parse::<i64>().map_err(|_| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "reminder_not_found",
            "This order has no such reminder.",
        )
    })?;
    Ok(Json(
        state
            .db
            .cancel_reminder(&shop, &token, id, state.clock.now())
            .await?,
    ))
}

/// What the shop recommends with the order's items (at any stage): each product once,
/// 8 at most.
#[utoipa::path(
    get,
    path = "/api/v1/shops/{shop}/orders/{token}/pairs",
    tag = "shopper",
    params(
        ("shop" = String, Path, description = "The shop's slug"),
        ("token" = String, Path, description = "The order's capability token"),
    ),
    responses(
        (status = 200, description = "The recommendations (without `clicks`)", body = PairsView),
        (status = 404, description = "`order_not_found`", body = ErrorBody),
    )
)]
pub async fn pairs(
    State(state): State<AppState>,
    Path((shop, token)): Path<(String, String)>,
) -> Result<Json<PairsView>, ApiError> {
    Ok(Json(PairsView {
        pairs: state
            .db
            .order_pairs(&shop, &token, state.clock.now())
            .await?,
    }))
}

/// Counts one click on a recommendation the order shows, for the shop.
#[utoipa::path(
    post,
    path = "/api/v1/shops/{shop}/orders/{token}/pairs/{id}/click",
    tag = "shopper",
    params(
        ("shop" = String, Path, description = "The shop's slug"),
        ("token" = String, Path, description = "The order's capability token"),
        ("id" = i64, Path, description = "The recommendation's `id`"),
    ),
    responses(
        (status = 204, description = "Counted"),
        (status = 404, description = "`order_not_found`, or `pairing_not_found`: the order shows no such recommendation", body = ErrorBody),
    )
)]
pub async fn click(
    State(state): State<AppState>,
    Path((shop, token, id)): Path<(String, String, String)>,
) -> Result<StatusCode, ApiError> {
    let id = id.parse::<i64>().map_err(|_| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "pairing_not_found",
            "This order shows no such recommendation.",
        )
    })?;
    state
        .db
        .click_pairing(&shop, &token, id, state.clock.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
