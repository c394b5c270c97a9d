//! Faster delivery before dispatch: the shop offers upgrades (next day, same day, evening)
//! with a price, a cut-off and a daily capacity ([`crate::domain::upgrades`]); the shopper
//! asks for one, taking a place for its day in the write that stores the request
//! ([`crate::store::upgrades`]); the shop hears it by a signed webhook and confirms (with
//! its own payment link, if it charges that way) or refuses, which frees the place.

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use postpurchase_api::{
    AdminUpgrade, ErrorBody, FieldError, NewUpgrade, UpgradeDecision, UpgradeRequest,
    UpgradeSettings, UpgradeStatus, UpgradeView,
};

use crate::domain::upgrades::{check_settings, MESSAGE_MAX, PAY_URL_MAX};
use crate::error::{ApiError, Json, Path, Query};
use crate::extract::{AdminShop, IdempotencyKey, OpenOrder, OwnerShop};
use crate::replay;
use crate::store::idempotency::Keyed;
use crate::store::upgrades::{Answer, UpgradeAsk};
use crate::AppState;

pub const UPGRADE_PATH: &str = "/api/v1/shops/{shop}/orders/{token}/upgrade";
pub const SETTINGS_PATH: &str = "/api/v1/admin/upgrade-settings";
pub const QUEUE_PATH: &str = "/api/v1/admin/upgrades";
pub const DECISION_PATH: &str = "/api/v1/admin/upgrades/{id}/decision";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            UPGRADE_PATH,
            get(view)
                .post(request)
                .layer(crate::body_limit_layer(UPGRADE_PATH)),
        )
        .route(SETTINGS_PATH, get(get_settings).put(put_settings))
        .route(QUEUE_PATH, get(queue))
        .route(DECISION_PATH, post(decide))
}

/// The upgrades the shopper may ask for now (each with the day it would arrive, until
/// when and the places left that day), and their latest request. No offers once a request
/// waits or was confirmed, a parcel is registered or the order is cancelled.
#[utoipa::path(
    get,
    path = "/api/v1/shops/{shop}/orders/{token}/upgrade",
    tag = "shopper",
    params(
        ("shop" = String, Path, description = "The shop's slug"),
        ("token" = String, Path, description = "The order's capability token"),
    ),
    responses(
        (status = 200, description = "The offers and the request", body = UpgradeView),
        (status = 404, description = "`order_not_found`", body = ErrorBody),
    )
)]
pub async fn view(
    State(state): State<AppState>,
    Path((shop, token)): Path<(String, String)>,
) -> Result<Json<UpgradeView>, ApiError> {
    Ok(Json(
        state
            .db
            .upgrade_view(&shop, &token, state.clock.now())
            .await?,
    ))
}

/// The shopper asks for faster delivery, while no parcel is registered, the order is not
/// cancelled and no request waits or stands confirmed; a place for the day is taken at
/// once (refusing frees it). The shop is told (`order.upgrade_requested`). Safe to retry
/// with an `Idempotency-Key`.
#[utoipa::path(
    post,
    path = "/api/v1/shops/{shop}/orders/{token}/upgrade",
    tag = "shopper",
    params(
        ("shop" = String, Path, description = "The shop's slug"),
        ("token" = String, Path, description = "The order's capability token"),
        ("Idempotency-Key" = Option<String>, Header,
            description = "The same key and body within a day get the saved answer"),
    ),
    request_body = NewUpgrade,
    responses(
        (status = 201, description = "The request, waiting for the shop", body = UpgradeRequest),
        (status = 404, description = "`order_not_found`", body = ErrorBody),
        (status = 409, description = "`upgrade_closed`: a parcel is registered, the order is cancelled or already upgraded; `upgrade_pending`: a request already waits; `upgrade_full`: no place left that day", body = ErrorBody),
        (status = 422, description = "`kind`: the shop offers no such upgrade", body = ErrorBody),
    )
)]
pub async fn request(
    State(state): State<AppState>,
    Path((shop, token)): Path<(String, String)>,
    IdempotencyKey(key): IdempotencyKey,
    _: OpenOrder,
    Json(request): Json<NewUpgrade>,
) -> Result<Response, ApiError> {
    let key = Keyed::new(key, b"upgrade", &request)?;
    let answer = state
        .db
        .request_upgrade(
            UpgradeAsk {
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

/// The upgrades the shop offers.
#[utoipa::path(
    get,
    path = "/api/v1/admin/upgrade-settings",
    tag = "admin",
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The offers", body = UpgradeSettings),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
    )
)]
pub async fn get_settings(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
) -> Result<Json<UpgradeSettings>, ApiError> {
    Ok(Json(state.db.upgrade_settings(shop.id).await?))
}

/// Replaces the offers: at most one per kind; none switches faster delivery off (requests
/// already made keep their answers).
#[utoipa::path(
    put,
    path = "/api/v1/admin/upgrade-settings",
    tag = "admin",
    request_body = UpgradeSettings,
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The offers as stored", body = UpgradeSettings),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 403, description = "Staff may not change settings", body = ErrorBody),
        (status = 422, description = "Named by field: `offers`, `offers[1].kind` (a kind twice), `offers[0].price`, `offers[0].currency`, `offers[0].cut_off`, `offers[0].daily_capacity`", body = ErrorBody),
    )
)]
pub async fn put_settings(
    State(state): State<AppState>,
    OwnerShop(shop): OwnerShop,
    Json(settings): Json<UpgradeSettings>,
) -> Result<Json<UpgradeSettings>, ApiError> {
    let errors = check_settings(&settings);
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    state
        .db
        .set_upgrade_settings(shop.id, settings.clone())
        .await?;
    Ok(Json(settings))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// Only requests of this status (`requested`: those waiting for the shop).
    status: Option<UpgradeStatus>,
}

/// The shoppers' requests for faster delivery, newest first (500 at most).
#[utoipa::path(
    get,
    path = "/api/v1/admin/upgrades",
    tag = "admin",
    params(QueueQuery),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The requests", body = [AdminUpgrade]),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 400, description = "`invalid_query`: an unknown status", body = ErrorBody),
    )
)]
pub async fn queue(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Query(query): Query<QueueQuery>,
) -> Result<Json<Vec<AdminUpgrade>>, ApiError> {
    Ok(Json(state.db.shop_upgrades(shop.id, query.status).await?))
}

/// The shop confirms a request (the order's promised delivery becomes the upgrade's day;
/// `pay_url` is the shop's own payment link for the shopper) or refuses it (its place for
/// the day is free again), with words for the shopper. The same answer twice changes
/// nothing.
#[utoipa::path(
    post,
    path = "/api/v1/admin/upgrades/{id}/decision",
    tag = "admin",
    params(("id" = i64, Path, description = "The request's `id`")),
    request_body = UpgradeDecision,
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The request as it now stands", body = AdminUpgrade),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 404, description = "`upgrade_not_found`", body = ErrorBody),
        (status = 409, description = "`upgrade_decided`: answered otherwise before (or with other words or link); `upgrade_closed`: a confirmation for a cancelled order; `upgrade_expired`: a confirmation after the upgrade's day", body = ErrorBody),
        (status = 422, description = "`pay_url` not an https URL (or given with a refusal), `message` blank, longer than 300 characters or with control characters", body = ErrorBody),
    )
)]
pub async fn decide(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Path(id): Path<i64>,
    Json(decision): Json<UpgradeDecision>,
) -> Result<Json<AdminUpgrade>, ApiError> {
    let answer = check_decision(decision)?;
    let (upgrade, queued) = state
        .db
        .decide_upgrade(shop.id, id, answer, state.clock.now())
        .await?;
    if queued {
        state.webhooks.notify_one();
    }
    Ok(Json(upgrade))
}

/// The decision's fields, checked: an https payment link only with a confirmation, a
/// message of 1 to 300 characters.
fn check_decision(decision: UpgradeDecision) -> Result<Answer, ApiError> {
    let mut errors = Vec::new();
    let message = match decision.message {
        Some(m) if !crate::domain::text_ok(&m, MESSAGE_MAX) => {
            errors.push(FieldError::new("message", "must be 1 to 300 characters"));
            None
        }
        m => match crate::domain::shop_message(m) {
            Ok(m) => m,
            Err(e) => {
                errors.push(e);
                None
            }
        },
    };
    let pay_url = decision.pay_url.map(|u| u.trim().to_owned());
    if let Some(url) = &pay_url {
        if !decision.confirm {
            errors.push(FieldError::new("pay_url", "only with a confirmation"));
        } else if !url.starts_with("https://") || !crate::domain::http_url_ok(url, PAY_URL_MAX) {
            errors.push(FieldError::new(
                "pay_url",
                "must be an https URL of at most 500 characters",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    Ok(Answer {
        confirm: decision.confirm,
        pay_url,
        message,
    })
}
