//! Admin API for parcels: the shop registers each shipment of an order, and carrier events
//! (from the carrier or the shop's tracking service) move it along.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use postpurchase_api::{
    CarrierEvent, ErrorBody, FieldError, NewShipment, ShipmentState, ShipmentStatus,
    ShipmentSummary,
};

use crate::error::{ApiError, Json, Path};
use crate::extract::AdminShop;
use crate::store::tracking::{EventRequest, ParcelRequest};
use crate::{domain, AppState};

pub const SHIPMENTS_PATH: &str = "/api/v1/admin/orders/{number}/shipments";
pub const EVENTS_PATH: &str = "/api/v1/admin/shipments/{carrier}/{tracking_number}/events";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            SHIPMENTS_PATH,
            post(create_shipment).layer(crate::body_limit_layer(SHIPMENTS_PATH)),
        )
        .route(EVENTS_PATH, post(record_event))
}

/// Registers a parcel of an order and the lines in it.
#[utoipa::path(
    post,
    path = "/api/v1/admin/orders/{number}/shipments",
    tag = "admin",
    params(("number" = String, Path, description = "The shop's order number")),
    request_body = NewShipment,
    security(("api_key" = [])),
    responses(
        (status = 201, description = "Shipment registered, status pending", body = ShipmentSummary),
        (status = 401, description = "Missing or unknown API key", body = ErrorBody),
        (status = 404, description = "The shop has no order with this number", body = ErrorBody),
        (status = 409, description = "`shipment_exists`: the shop already has this carrier's tracking number; `order_cancelled`", body = ErrorBody),
        (status = 422, description = "Invalid fields, unknown SKUs or more than was ordered", body = ErrorBody),
    )
)]
pub async fn create_shipment(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Path(number): Path<String>,
    Json(shipment): Json<NewShipment>,
) -> Result<(StatusCode, Json<ShipmentSummary>), ApiError> {
    let errors = domain::validate_new_shipment(&shipment, state.clock.now());
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    let eta = shipment
        .estimated_delivery
        .as_ref()
        .and_then(domain::window_seconds);
    let (id, items, queued) = state
        .db
        .create_shipment(
            shop.id,
            ParcelRequest {
                number,
                shipment: shipment.clone(),
                eta,
            },
            state.clock.now(),
        )
        .await?;
    if queued {
        state.webhooks.notify_one();
    }
    let tracking_number = shipment.tracking_number.trim();
    Ok((
        StatusCode::CREATED,
        Json(ShipmentSummary {
            id,
            tracking_url: domain::tracking_url(&shipment.carrier, tracking_number),
            carrier_name: domain::carrier_name(&shipment.carrier),
            carrier: shipment.carrier.clone(),
            tracking_number: tracking_number.to_owned(),
            status: ShipmentStatus::Pending,
            estimated_delivery: shipment.estimated_delivery.clone(),
            items,
            ..Default::default()
        }),
    ))
}

/// Takes in one carrier event. The same event id twice is one event; events are placed by
/// their time, so the status is always that of the latest one, whatever the arrival order.
#[utoipa::path(
    post,
    path = "/api/v1/admin/shipments/{carrier}/{tracking_number}/events",
    tag = "admin",
    params(
        ("carrier" = String, Path, description = "The carrier, as registered with the shipment"),
        ("tracking_number" = String, Path, description = "The carrier's tracking number"),
    ),
    request_body = CarrierEvent,
    security(("api_key" = [])),
    responses(
        (status = 201, description = "Event recorded", body = ShipmentState),
        (status = 200, description = "Event id already known; nothing changed", body = ShipmentState),
        (status = 401, description = "Missing or unknown API key", body = ErrorBody),
        (status = 404, description = "The shop has no such shipment", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    )
)]
pub async fn record_event(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Path((carrier, tracking_number)): Path<(String, String)>,
    Json(event): Json<CarrierEvent>,
) -> Result<(StatusCode, Json<ShipmentState>), ApiError> {
    let errors = domain::validate_carrier_event(&event, state.clock.now());
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    // Valid means parseable; the error is for the impossible case only.
    let occurred_at = domain::parse_instant(&event.occurred_at).ok_or_else(|| {
        ApiError::invalid_fields(vec![FieldError::new(
            "occurred_at",
            "must be an RFC 3339 time",
        )])
    })?;
    let (status, coded_place) = domain::carrier_status(&carrier, &event.code);
    // Where it was left: the carrier's own word for it beats what its code implies.
    let delivered_to = (status == ShipmentStatus::Delivered)
        .then_some(event.delivered_to.or(coded_place))
        .flatten();
    let request = EventRequest {
        carrier: carrier.clone(),
        tracking_number: tracking_number.clone(),
        mapped: (status, delivered_to),
        occurred_at: occurred_at.unix_timestamp(),
        eta: event
            .estimated_delivery
            .as_ref()
            .and_then(domain::window_seconds),
        event,
    };
    let taken = state
        .db
        .record_carrier_event(shop.id, request, state.clock.now())
        .await?;
    if taken.queued {
        state.webhooks.notify_one();
    }
    Ok((
        if taken.recorded {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        Json(ShipmentState {
            carrier,
            tracking_number,
            status: taken.status,
            events: taken.events,
            recorded: taken.recorded,
        }),
    ))
}
