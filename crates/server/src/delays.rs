//! Late and stalled: the shop's limits (admin API), and the clock's run that applies them
//! to every parcel on its way and every recent order ([`crate::maintenance`] runs it;
//! tests run it with their clock).

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use postpurchase_api::{DelaySettings, ErrorBody, FieldError};

use crate::error::{ApiError, Json};
use crate::extract::{AdminShop, OwnerShop};
use crate::store::delays::Checked;
use crate::AppState;

pub const SETTINGS_PATH: &str = "/api/v1/admin/delay-settings";

/// The most days either limit may be.
const MAX_DAYS: u32 = 30;

pub fn router() -> Router<AppState> {
    Router::new().route(SETTINGS_PATH, get(get_settings).put(put_settings))
}

/// Looks at every parcel on its way and every recent order at the clock's time: parcels
/// late or without news become `delayed` (and stop being when that no longer holds),
/// orders not with a carrier by their dispatch day are sent as `order.stalled`, once.
pub async fn check(state: &AppState) -> Result<Checked, ApiError> {
    let checked = state.db.check_delays(state.clock.now()).await?;
    if checked.queued {
        state.webhooks.notify_one();
    }
    Ok(checked)
}

/// When a parcel counts as delayed for want of news, and how many working days an order
/// may take to reach a carrier.
#[utoipa::path(
    get,
    path = "/api/v1/admin/delay-settings",
    tag = "admin",
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The settings", body = DelaySettings),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
    )
)]
pub async fn get_settings(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
) -> Result<Json<DelaySettings>, ApiError> {
    Ok(Json(state.db.delay_settings(shop.id).await?))
}

/// Sets both limits (owners only), each 0 to 30 days; `no_news_days: 0` never calls a
/// parcel delayed for want of news. Parcels are settled again at the clock's next run.
#[utoipa::path(
    put,
    path = "/api/v1/admin/delay-settings",
    tag = "admin",
    request_body = DelaySettings,
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The settings as stored", body = DelaySettings),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 403, description = "`owner_only`, or `csrf_failed`", body = ErrorBody),
        (status = 422, description = "`invalid_fields`: a limit over 30 days; nothing changes", body = ErrorBody),
    )
)]
pub async fn put_settings(
    State(state): State<AppState>,
    OwnerShop(shop): OwnerShop,
    Json(settings): Json<DelaySettings>,
) -> Result<Json<DelaySettings>, ApiError> {
    let errors: Vec<FieldError> = [
        ("no_news_days", settings.no_news_days),
        ("dispatch_days", settings.dispatch_days),
    ]
    .into_iter()
    .filter(|(_, days)| *days > MAX_DAYS)
    .map(|(field, _)| FieldError::new(field, "must be between 0 and 30 days"))
    .collect();
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    state.db.set_delay_settings(shop.id, settings).await?;
    Ok(Json(settings))
}
