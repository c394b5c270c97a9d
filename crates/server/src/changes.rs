//! Changing an order before it ships: the shopper asks to cancel it or fix its address
//! (the rules in [`crate::domain::changes`], checked in the write,
//! [`crate::store::changes`]); the shop hears it by a signed webhook, says when picking
//! starts, and accepts or refuses.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use postpurchase_api::{
    AdminChange, ChangeDecision, ChangeSettings, ChangeStatus, ChangeView, ErrorBody, NewChange,
};

use crate::domain::changes::check_settings;
use crate::error::{ApiError, Json, Path, Query};
use crate::extract::{AdminShop, IdempotencyKey, OpenOrder, OwnerShop};
use crate::replay;
use crate::store::changes::ChangeRequest;
use crate::store::idempotency::Keyed;
use crate::AppState;

pub const CHANGES_PATH: &str = "/api/v1/shops/{shop}/orders/{token}/changes";
pub const SETTINGS_PATH: &str = "/api/v1/admin/change-settings";
pub const QUEUE_PATH: &str = "/api/v1/admin/changes";
pub const DECISION_PATH: &str = "/api/v1/admin/changes/{change}/decision";
pub const PICKING_PATH: &str = "/api/v1/admin/orders/{number}/picking";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            CHANGES_PATH,
            post(request).layer(crate::body_limit_layer(CHANGES_PATH)),
        )
        .route(SETTINGS_PATH, get(get_settings).put(put_settings))
        .route(QUEUE_PATH, get(queue))
        .route(DECISION_PATH, post(decide))
        .route(PICKING_PATH, post(picking))
}

/// The shopper asks to cancel the order or deliver it to another address in its country,
/// while no parcel is registered, picking has not started and the shop's window is open.
/// The shop is told (`order.change_requested`) and answers; the order's view shows the
/// request and then the answer. Safe to retry with an `Idempotency-Key`.
#[utoipa::path(
    post,
    path = "/api/v1/shops/{shop}/orders/{token}/changes",
    tag = "shopper",
    params(
        ("shop" = String, Path, description = "The shop's slug"),
        ("token" = String, Path, description = "The order's capability token"),
        ("Idempotency-Key" = Option<String>, Header,
            description = "The same key and body within a day get the saved answer"),
    ),
    request_body = NewChange,
    responses(
        (status = 201, description = "The request, waiting for the shop", body = ChangeView),
        (status = 404, description = "`order_not_found`", body = ErrorBody),
        (status = 409, description = "`change_closed`: a parcel is registered, picking started, the window passed or the order is cancelled; `change_pending`: a request already waits", body = ErrorBody),
        (status = 422, description = "A kind the shop does not take, or address fields that do not fit the order's country (`address.postcode`, `address.house_number`, …)", body = ErrorBody),
    )
)]
pub async fn request(
    State(state): State<AppState>,
    Path((shop, token)): Path<(String, String)>,
    IdempotencyKey(key): IdempotencyKey,
    _: OpenOrder,
    Json(request): Json<NewChange>,
) -> Result<Response, ApiError> {
    let key = Keyed::new(key, b"changes", &request)?;
    let answer = state
        .db
        .request_change(
            ChangeRequest {
                shop,
                token,
                request,
                key,
            },
            state.clock.now(),
        )
        .await?;
    if answer.queued {
        state.webhooks.notify_one();
    }
    Ok(replay::answer(201, answer.body, answer.replayed))
}

/// What shoppers may ask to change, and for how long.
#[utoipa::path(
    get,
    path = "/api/v1/admin/change-settings",
    tag = "admin",
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The settings", body = ChangeSettings),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
    )
)]
pub async fn get_settings(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
) -> Result<Json<ChangeSettings>, ApiError> {
    Ok(Json(state.db.change_settings(shop.id).await?))
}

/// Lets shoppers ask to cancel and/or fix the address, within a window after ordering
/// or until picking starts.
#[utoipa::path(
    put,
    path = "/api/v1/admin/change-settings",
    tag = "admin",
    request_body = ChangeSettings,
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The settings as stored", body = ChangeSettings),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 403, description = "Staff may not change settings", body = ErrorBody),
        (status = 422, description = "`window_minutes` out of range", body = ErrorBody),
    )
)]
pub async fn put_settings(
    State(state): State<AppState>,
    OwnerShop(shop): OwnerShop,
    Json(settings): Json<ChangeSettings>,
) -> Result<Json<ChangeSettings>, ApiError> {
    let errors = check_settings(&settings);
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    state
        .db
        .set_change_settings(shop.id, settings.clone())
        .await?;
    Ok(Json(settings))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// Only requests of this status (`requested`: those waiting for the shop).
    status: Option<ChangeStatus>,
}

/// The shoppers' requests, newest first (500 at most), with their orders and the full new
/// addresses.
#[utoipa::path(
    get,
    path = "/api/v1/admin/changes",
    tag = "admin",
    params(QueueQuery),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The requests", body = [AdminChange]),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 400, description = "`invalid_query`: an unknown status", body = ErrorBody),
    )
)]
pub async fn queue(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Query(query): Query<QueueQuery>,
) -> Result<Json<Vec<AdminChange>>, ApiError> {
    Ok(Json(state.db.shop_changes(shop.id, query.status).await?))
}

/// The shop accepts a request (the order is cancelled, or its delivery address becomes the
/// new one, in the same write) or refuses it, with words for the shopper. The same answer
/// twice changes nothing.
#[utoipa::path(
    post,
    path = "/api/v1/admin/changes/{change}/decision",
    tag = "admin",
    params(("change" = String, Path, description = "The request's `change`")),
    request_body = ChangeDecision,
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The request as it now stands", body = AdminChange),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 404, description = "`change_not_found`", body = ErrorBody),
        (status = 409, description = "`change_decided`: answered otherwise before, or a parcel was registered first (status `shipped`)", body = ErrorBody),
        (status = 422, description = "A message that is blank or too long", body = ErrorBody),
    )
)]
pub async fn decide(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Path(change): Path<String>,
    Json(decision): Json<ChangeDecision>,
) -> Result<Json<AdminChange>, ApiError> {
    let message = crate::domain::shop_message(decision.message)
        .map_err(|e| ApiError::invalid_fields(vec![e]))?;
    let (change, queued) = state
        .db
        .decide_change(
            shop.id,
            &change,
            decision.accept,
            message,
            state.clock.now(),
        )
        .await?;
    if queued {
        state.webhooks.notify_one();
    }
    Ok(Json(change))
}

/// The shop started picking the order: its shopper can no longer ask to change it (a
/// request already waiting still gets the shop's answer). Repeating it changes nothing.
#[utoipa::path(
    post,
    path = "/api/v1/admin/orders/{number}/picking",
    tag = "admin",
    params(("number" = String, Path, description = "The shop's order number")),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 204, description = "Noted"),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 404, description = "The shop has no order with this number", body = ErrorBody),
    )
)]
pub async fn picking(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Path(number): Path<String>,
) -> Result<StatusCode, ApiError> {
    state
        .db
        .start_picking(shop.id, &number, state.clock.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
