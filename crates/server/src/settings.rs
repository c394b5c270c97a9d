//! Admin API for delivery choices: the shop's settings and webhook endpoint, its delivery
//! slots and its pickup points.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::Router;
use postpurchase_api::{
    AdminSlot, DeliverySettings, DeliverySettingsView, DeliverySlot, ErrorBody, FieldError,
    NewPickupPoint, NewSlot, PickupPoint, SlotCapacity, WebhookDeliveryView, SAFE_PLACES,
};

use crate::domain::targets::Targets;
use crate::error::{ApiError, Json, Path, Query};
use crate::extract::{AdminShop, OwnerShop};
use crate::{domain, AppState};

pub const SETTINGS_PATH: &str = "/api/v1/admin/delivery-settings";
pub const SLOTS_PATH: &str = "/api/v1/admin/delivery-slots";
pub const SLOT_PATH: &str = "/api/v1/admin/delivery-slots/{id}";
pub const PICKUP_POINT_PATH: &str = "/api/v1/admin/pickup-points/{id}";
pub const DELIVERIES_PATH: &str = "/api/v1/admin/webhook-deliveries";
pub const RESEND_PATH: &str = "/api/v1/admin/webhook-deliveries/{id}/resend";
pub const PICKUP_POINTS_PATH: &str = "/api/v1/admin/pickup-points";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(SETTINGS_PATH, put(put_settings).get(get_settings))
        .route(SLOTS_PATH, post(create_slot).get(list_slots))
        .route(SLOT_PATH, put(set_capacity).delete(remove_slot))
        .route(DELIVERIES_PATH, get(webhook_log))
        .route(RESEND_PATH, post(resend_webhook))
        .route(
            PICKUP_POINTS_PATH,
            post(create_pickup_point).get(list_pickup_points),
        )
        .route(
            PICKUP_POINT_PATH,
            put(edit_pickup_point).delete(remove_pickup_point),
        )
}

/// The shop's delivery-choice settings and webhook signing secret.
#[utoipa::path(
    get,
    path = "/api/v1/admin/delivery-settings",
    tag = "admin",
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The settings", body = DeliverySettingsView),
        (status = 401, description = "Missing or unknown API key", body = ErrorBody),
    )
)]
pub async fn get_settings(
    State(state): State<AppState>,
    OwnerShop(shop): OwnerShop,
) -> Result<Json<DeliverySettingsView>, ApiError> {
    Ok(Json(state.db.delivery_settings(shop.id).await?))
}

/// Replaces the shop's delivery-choice settings. Setting a webhook URL for the first time
/// (or asking to rotate) makes a signing secret, returned here.
#[utoipa::path(
    put,
    path = "/api/v1/admin/delivery-settings",
    tag = "admin",
    request_body = DeliverySettings,
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The settings as stored", body = DeliverySettingsView),
        (status = 401, description = "Missing or unknown API key", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    )
)]
pub async fn put_settings(
    State(state): State<AppState>,
    OwnerShop(shop): OwnerShop,
    Json(mut settings): Json<DeliverySettings>,
) -> Result<Json<DeliverySettingsView>, ApiError> {
    let errors = validate_settings(&settings, state.webhook_targets);
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    settings.webhook_url = settings
        .webhook_url
        .map(|u| u.trim().to_owned())
        .filter(|u| !u.is_empty());
    let fresh = format!(
        "whsec_{}",
        domain::new_token().map_err(|e| ApiError::internal("random", e))?
    );
    Ok(Json(
        state
            .db
            .set_delivery_settings(shop.id, settings, fresh)
            .await?,
    ))
}

fn validate_settings(s: &DeliverySettings, targets: Targets) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut fail = |field: &str, message: &str| errors.push(FieldError::new(field, message));
    if jiff::tz::TimeZone::get(&s.time_zone).is_err() {
        fail(
            "time_zone",
            "must be an IANA time zone, e.g. Europe/Amsterdam",
        );
    }
    if !is_clock_time(&s.cutoff) {
        fail("cutoff", "must be a time HH:MM, e.g. 04:00");
    }
    if s.later_days > 30 {
        fail("later_days", "must be at most 30");
    }
    for (i, place) in s.safe_places.iter().enumerate() {
        if !SAFE_PLACES.contains(&place.as_str()) {
            fail(
                &format!("safe_places[{i}]"),
                &format!("must be one of {}", SAFE_PLACES.join(", ")),
            );
        } else if s.safe_places[..i].contains(place) {
            fail(&format!("safe_places[{i}]"), "is listed twice");
        }
    }
    if let Some(url) = s
        .webhook_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        if let Err(why) = targets.check_url(url) {
            fail("webhook_url", why);
        }
    }
    errors
}

/// `HH:MM`, 00:00 to 23:59.
fn is_clock_time(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 5
        && b[2] == b':'
        && text[..2].parse::<u8>().is_ok_and(|h| h < 24)
        && text[3..].parse::<u8>().is_ok_and(|m| m < 60)
        && b[..2].iter().chain(&b[3..]).all(u8::is_ascii_digit)
}

/// Offers a delivery slot.
#[utoipa::path(
    post,
    path = "/api/v1/admin/delivery-slots",
    tag = "admin",
    request_body = NewSlot,
    security(("api_key" = [])),
    responses(
        (status = 201, description = "Slot offered", body = DeliverySlot),
        (status = 401, description = "Missing or unknown API key", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    )
)]
pub async fn create_slot(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Json(slot): Json<NewSlot>,
) -> Result<(StatusCode, Json<DeliverySlot>), ApiError> {
    let mut errors = Vec::new();
    let span = domain::Span::offered(state.clock.now());
    match domain::parse_date(&slot.date) {
        None => errors.push(FieldError::new("date", "must be a date, YYYY-MM-DD")),
        Some(date) if !span.holds_date(date) => {
            errors.push(FieldError::new("date", format!("must be {}", span.says)))
        }
        Some(_) => {}
    }
    for (field, value) in [("from", &slot.from), ("to", &slot.to)] {
        if !is_clock_time(value) {
            errors.push(FieldError::new(field, "must be a time HH:MM"));
        }
    }
    if is_clock_time(&slot.from) && is_clock_time(&slot.to) && slot.from >= slot.to {
        errors.push(FieldError::new("to", "must be after `from`"));
    }
    if slot.price.is_some_and(|p| !(0..=100_000_000).contains(&p)) {
        errors.push(FieldError::new(
            "price",
            "must be 0 to 100000000 minor units",
        ));
    }
    if !(1..=100_000).contains(&slot.capacity) {
        errors.push(FieldError::new("capacity", "must be 1 to 100000"));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    let created = state.db.create_slot(shop.id, slot).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SlotQuery {
    /// The first date to list, `YYYY-MM-DD`; today (UTC) unless given.
    #[param(format = Date)]
    from: Option<String>,
}

/// The shop's delivery slots from a date on, with their places taken.
#[utoipa::path(
    get,
    path = "/api/v1/admin/delivery-slots",
    tag = "admin",
    params(SlotQuery),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "Up to 500 slots, by date and time", body = [AdminSlot]),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 422, description = "Not a date", body = ErrorBody),
    )
)]
pub async fn list_slots(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Query(query): Query<SlotQuery>,
) -> Result<Json<Vec<AdminSlot>>, ApiError> {
    let from = match query.from {
        Some(date) => domain::parse_date(&date)
            .ok_or_else(|| {
                ApiError::invalid_fields(vec![FieldError::new(
                    "from",
                    "must be a date, YYYY-MM-DD",
                )])
            })?
            .to_string(),
        None => time::OffsetDateTime::from_unix_timestamp(state.clock.now())
            .map(|t| t.date().to_string())
            .unwrap_or_default(),
    };
    Ok(Json(state.db.admin_slots(shop.id, from).await?))
}

/// Changes how many places a slot has (never below those already taken). The widget
/// shows the new places left at its next look.
#[utoipa::path(
    put,
    path = "/api/v1/admin/delivery-slots/{id}",
    tag = "admin",
    params(("id" = i64, Path, description = "The slot's id")),
    request_body = SlotCapacity,
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The slot as it now is", body = AdminSlot),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 404, description = "`slot_not_found`", body = ErrorBody),
        (status = 409, description = "`capacity_below_taken`", body = ErrorBody),
        (status = 422, description = "Capacity out of range", body = ErrorBody),
    )
)]
pub async fn set_capacity(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Path(id): Path<i64>,
    Json(change): Json<SlotCapacity>,
) -> Result<Json<AdminSlot>, ApiError> {
    if !(1..=100_000).contains(&change.capacity) {
        return Err(ApiError::invalid_fields(vec![FieldError::new(
            "capacity",
            "must be 1 to 100000",
        )]));
    }
    Ok(Json(
        state
            .db
            .set_slot_capacity(shop.id, id, change.capacity)
            .await?,
    ))
}

/// Removes a slot no shopper has chosen.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/delivery-slots/{id}",
    tag = "admin",
    params(("id" = i64, Path, description = "The slot's id")),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 404, description = "`slot_not_found`", body = ErrorBody),
        (status = 409, description = "`slot_chosen`: a shopper chose it", body = ErrorBody),
    )
)]
pub async fn remove_slot(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    state.db.remove_slot(shop.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The shop's 50 latest webhooks, newest first: what each was, how it went, how many
/// attempts (owner only; bodies are left out, they may carry a shopper's data).
#[utoipa::path(
    get,
    path = "/api/v1/admin/webhook-deliveries",
    tag = "admin",
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "Newest first", body = [WebhookDeliveryView]),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 403, description = "`owner_only`", body = ErrorBody),
    )
)]
pub async fn webhook_log(
    State(state): State<AppState>,
    OwnerShop(shop): OwnerShop,
) -> Result<Json<Vec<WebhookDeliveryView>>, ApiError> {
    Ok(Json(state.db.webhook_log(shop.id).await?))
}

/// Sends a webhook again, now, with its retries afresh (owner only): after the shop's
/// endpoint was down, or to see one arrive. It goes to the URL it was made for, signed
/// with the secret of now.
#[utoipa::path(
    post,
    path = "/api/v1/admin/webhook-deliveries/{id}/resend",
    tag = "admin",
    params(("id" = i64, Path, description = "The delivery's id, as the log lists it")),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 202, description = "Queued to be sent at once"),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 403, description = "`owner_only`, or `csrf_failed`", body = ErrorBody),
        (status = 404, description = "`delivery_not_found`", body = ErrorBody),
    )
)]
pub async fn resend_webhook(
    State(state): State<AppState>,
    OwnerShop(shop): OwnerShop,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    if !state.db.resend_webhook(shop.id, id).await? {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "delivery_not_found",
            "The shop has no webhook delivery with this id.",
        ));
    }
    state.webhooks.notify_one();
    Ok(StatusCode::ACCEPTED)
}

/// What is wrong with a pickup point, named field by field.
fn check_point(point: &NewPickupPoint) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    for (field, value, max) in [("name", &point.name, 100), ("address", &point.address, 200)] {
        if !domain::text_ok(value, max) {
            errors.push(FieldError::new(
                field,
                format!("must be 1 to {max} characters"),
            ));
        }
    }
    if point.opening_hours.len() > 14
        || !point.opening_hours.iter().all(|l| domain::text_ok(l, 100))
    {
        errors.push(FieldError::new(
            "opening_hours",
            "at most 14 lines of 1 to 100 characters",
        ));
    }
    if !domain::coordinates_ok(point.latitude, point.longitude) {
        errors.push(FieldError::new("latitude", domain::COORDINATES));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid_fields(errors))
    }
}

/// The shop's pickup points, by name.
#[utoipa::path(
    get,
    path = "/api/v1/admin/pickup-points",
    tag = "admin",
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The pickup points", body = [PickupPoint]),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
    )
)]
pub async fn list_pickup_points(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
) -> Result<Json<Vec<PickupPoint>>, ApiError> {
    Ok(Json(state.db.pickup_points(shop.id).await?))
}

/// Changes a pickup point (the same fields as a new one).
#[utoipa::path(
    put,
    path = "/api/v1/admin/pickup-points/{id}",
    tag = "admin",
    params(("id" = i64, Path, description = "The pickup point's id")),
    request_body = NewPickupPoint,
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The pickup point as it now is", body = PickupPoint),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 404, description = "`pickup_point_not_found`", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    )
)]
pub async fn edit_pickup_point(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Path(id): Path<i64>,
    Json(point): Json<NewPickupPoint>,
) -> Result<Json<PickupPoint>, ApiError> {
    check_point(&point)?;
    Ok(Json(state.db.edit_pickup_point(shop.id, id, point).await?))
}

/// Removes a pickup point, unless a shopper chose it for a parcel still on its way.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/pickup-points/{id}",
    tag = "admin",
    params(("id" = i64, Path, description = "The pickup point's id")),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 404, description = "`pickup_point_not_found`", body = ErrorBody),
        (status = 409, description = "`pickup_point_chosen`", body = ErrorBody),
    )
)]
pub async fn remove_pickup_point(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    state.db.remove_pickup_point(shop.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Offers a pickup point or parcel locker.
#[utoipa::path(
    post,
    path = "/api/v1/admin/pickup-points",
    tag = "admin",
    request_body = NewPickupPoint,
    security(("api_key" = [])),
    responses(
        (status = 201, description = "Pickup point offered", body = PickupPoint),
        (status = 401, description = "Missing or unknown API key", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    )
)]
pub async fn create_pickup_point(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Json(point): Json<NewPickupPoint>,
) -> Result<(StatusCode, Json<PickupPoint>), ApiError> {
    check_point(&point)?;
    let created = state.db.create_pickup_point(shop.id, point).await?;
    Ok((StatusCode::CREATED, Json(created)))
}
