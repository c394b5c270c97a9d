//! Admin API for parcels: the shop registers each shipment of an order, and carrier events
//! (from the carrier or the shop's tracking service) move it along.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use postpurchase_api::{
    CarrierEvent, ErrorBody, FieldError, NewShipment, ShipmentItem, ShipmentState, ShipmentStatus,
    ShipmentSummary,
};

use crate::admin::AdminShop;
use crate::error::{ApiError, Json};
use crate::{domain, store, AppState};

pub const SHIPMENTS_PATH: &str = "/api/v1/admin/orders/{number}/shipments";
pub const EVENTS_PATH: &str = "/api/v1/admin/shipments/{carrier}/{tracking_number}/events";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(SHIPMENTS_PATH, post(create_shipment))
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
        (status = 409, description = "The shop already has this carrier's tracking number", body = ErrorBody),
        (status = 422, description = "Invalid fields, unknown SKUs or more than was ordered", body = ErrorBody),
    )
)]
pub async fn create_shipment(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Path(number): Path<String>,
    Json(shipment): Json<NewShipment>,
) -> Result<(StatusCode, Json<ShipmentSummary>), ApiError> {
    let errors = domain::validate_new_shipment(&shipment);
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    let tracking_number = shipment.tracking_number.trim();
    let eta = shipment
        .estimated_delivery
        .as_ref()
        .map(domain::window_seconds);
    let (id, items) = state.db.write(|tx| {
        let order_id = store::order_id_by_number(tx, shop.id, &number)?
            .ok_or_else(ApiError::unknown_order_number)?;
        if store::shipment_id_by_tracking(tx, shop.id, &shipment.carrier, tracking_number)?
            .is_some()
        {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "shipment_exists",
                "This shop already has a shipment with that carrier and tracking number.",
            ));
        }
        // Every SKU must be a line of the order, and no line may travel more often than
        // it was ordered, counting the parcels already registered.
        let lines = store::lines_by_sku(tx, order_id)?;
        let mut errors = Vec::new();
        let mut positions = Vec::new();
        let mut parcel = Vec::new();
        let mut in_this_parcel: std::collections::HashMap<&str, u32> = Default::default();
        for (i, item) in shipment.items.iter().enumerate() {
            let sku = item.sku.trim();
            let Some(line) = lines.get(sku) else {
                errors.push(FieldError::new(
                    format!("items[{i}].sku"),
                    "is not a line of this order",
                ));
                continue;
            };
            let earlier = in_this_parcel.entry(sku).or_default();
            let free = line.ordered.saturating_sub(line.shipped + *earlier);
            if item.quantity > free {
                errors.push(FieldError::new(
                    format!("items[{i}].quantity"),
                    format!("only {free} of this line are not yet in a parcel"),
                ));
            } else {
                *earlier += item.quantity;
                positions.push((line.position, item.quantity));
                parcel.push(ShipmentItem {
                    line_id: line.id,
                    quantity: item.quantity,
                });
            }
        }
        if !errors.is_empty() {
            return Err(ApiError::invalid_fields(errors));
        }
        let id = store::insert_shipment(
            tx,
            order_id,
            &shipment.carrier,
            tracking_number,
            ShipmentStatus::Pending,
            &positions,
        )?;
        if let Some((from, to)) = eta.flatten() {
            store::set_estimate(tx, id, from, to)?;
        }
        Ok((id, parcel))
    })?;
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
    let errors = domain::validate_carrier_event(&event);
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
    let eta = event
        .estimated_delivery
        .as_ref()
        .map(domain::window_seconds);
    let now = state.clock.now();
    let (recorded, (status, events)) = state.db.write(|tx| {
        let shipment_id = store::shipment_id_by_tracking(tx, shop.id, &carrier, &tracking_number)?
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::NOT_FOUND,
                    "shipment_not_found",
                    "This shop has no shipment with that carrier and tracking number.",
                )
            })?;
        let recorded = store::record_event(
            tx,
            shipment_id,
            &event,
            (status, delivered_to),
            occurred_at.unix_timestamp(),
            now,
        )?;
        // An estimate counts only from the latest event: a late-arriving older one is stale.
        if recorded && store::is_latest_event(tx, shipment_id, event.event_id.trim())? {
            if let Some((from, to)) = eta.flatten() {
                store::set_estimate(tx, shipment_id, from, to)?;
            }
        }
        Ok::<_, ApiError>((recorded, store::refresh_shipment(tx, shipment_id)?))
    })?;
    Ok((
        if recorded {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        Json(ShipmentState {
            carrier,
            tracking_number,
            status,
            events,
            recorded,
        }),
    ))
}
