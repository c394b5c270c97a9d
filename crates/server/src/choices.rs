//! The shopper's delivery choice for a parcel: a slot, a neighbour, a safe place, a pickup
//! point or another day. Every rule is checked inside the write transaction that makes the
//! change, so what was checked is what gets written.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use postpurchase_api::{
    ChoiceChanged, ChoiceKind, ChoiceLock, ChoiceRequest, DeliveryChoice, ErrorBody, FieldError,
    OrderView, WebhookData,
};
use rusqlite::Transaction;

use crate::admin::IdempotencyKey;
use crate::error::{ApiError, Json};
use crate::replay::{self, Keyed};
use crate::store::{self, OrderRef};
use crate::{delivery, webhooks, AppState};

pub const CHOICE_PATH: &str = "/api/v1/shops/{shop}/orders/{token}/shipments/{shipment}/choice";

pub fn router() -> Router<AppState> {
    Router::new().route(CHOICE_PATH, post(set_choice))
}

/// Sets or clears how a parcel is delivered.
#[utoipa::path(
    post,
    path = "/api/v1/shops/{shop}/orders/{token}/shipments/{shipment}/choice",
    tag = "shopper",
    params(
        ("shop" = String, Path, description = "The shop's slug"),
        ("token" = String, Path, description = "The order's capability token"),
        ("shipment" = i64, Path, description = "The parcel's `id` in the order view"),
        ("If-Match" = String, Header, description = "The parcel's `choice_etag` from the order view"),
        ("Idempotency-Key" = Option<String>, Header,
            description = "Makes the request safe to retry for a day: the same key and body get the saved response"),
    ),
    request_body = ChoiceRequest,
    responses(
        (status = 200, description = "The choice is saved (or was already this); the whole order view as it now is", body = OrderView),
        (status = 404, description = "No such order or parcel", body = ErrorBody),
        (status = 409, description = "`choice_locked`: past the cut-off or out for delivery; `slot_full`: no places left", body = ErrorBody),
        (status = 412, description = "The choice changed since the ETag sent in If-Match", body = ErrorBody),
        (status = 422, description = "Invalid choice (fields named), or an Idempotency-Key used for another request", body = ErrorBody),
        (status = 428, description = "If-Match is missing", body = ErrorBody),
    )
)]
pub async fn set_choice(
    State(state): State<AppState>,
    Path((shop, token, shipment)): Path<(String, String, String)>,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    Json(request): Json<ChoiceRequest>,
) -> Result<Response, ApiError> {
    let shipment_id: i64 = shipment.parse().map_err(|_| shipment_not_found())?;
    let if_match = headers
        .get(header::IF_MATCH)
        .map(|v| v.to_str().unwrap_or_default().trim().to_owned());
    let now = state.clock.now();
    // The request as a retry must repeat it: this parcel, this body.
    let keyed = Keyed::new(key, &shipment_id.to_be_bytes(), &request)?;
    let outcome = state.db.write(|tx| {
        let order = crate::shopper::find_order(tx, &shop, &token, now)?;
        if let Some(saved) = keyed
            .as_ref()
            .map(|k| k.saved(tx, order.order_id, now))
            .transpose()?
            .flatten()
        {
            return Ok((saved.0, saved.1, true, false));
        }
        let queued = change(
            tx,
            order,
            shipment_id,
            if_match.as_deref(),
            request.choice,
            now,
        )?;
        let body = serde_json::to_vec(&store::order_view(tx, order.order_id, now)?)
            .map_err(|e| ApiError::internal("json", e))?;
        if let Some(k) = &keyed {
            k.save(tx, order.order_id, (200, &body), now)?;
        }
        Ok::<_, ApiError>((200, body, false, queued))
    })?;
    let (status, body, replayed, queued) = outcome;
    if queued {
        state.webhooks.notify_one();
    }
    Ok(replay::answer(status, body, replayed))
}

/// Checks and makes the change; true when a webhook was queued.
fn change(
    tx: &Transaction,
    order: OrderRef,
    shipment_id: i64,
    if_match: Option<&str>,
    requested: Option<DeliveryChoice>,
    now: i64,
) -> Result<bool, ApiError> {
    let stored =
        store::stored_choice(tx, order.order_id, shipment_id)?.ok_or_else(shipment_not_found)?;
    match if_match {
        None => {
            return Err(ApiError::new(
                StatusCode::PRECONDITION_REQUIRED,
                "precondition_required",
                "Send the parcel's choice_etag in an If-Match header to change its delivery.",
            ))
        }
        Some(tag) if tag != stored.etag() && tag != "*" => {
            return Err(ApiError::new(
                StatusCode::PRECONDITION_FAILED,
                "precondition_failed",
                "This delivery was changed since you loaded it; load the order again to see the current choice.",
            ))
        }
        Some(_) => {}
    }
    let settings = store::shop_delivery(tx, order.shop_id)?;
    let policy = &settings.policy;
    let clock = jiff::Timestamp::from_second(now).map_err(|e| ApiError::internal("clock", e))?;
    if let (Some(lock), _) = delivery::lock(stored.status, stored.due(policy), clock, policy) {
        return Err(locked(lock));
    }
    let choice = requested
        .map(|c| delivery::clean_choice(&c, &settings.offer()))
        .transpose()
        .map_err(ApiError::invalid_fields)?;
    if choice == stored.choice {
        return Ok(false);
    }
    // What the database and the calendar say about the requested slot, point or day.
    let window = delivery::delivery_dates(stored.expected(policy), clock, policy);
    let in_window = |date: &str| {
        let open = date.parse().is_ok_and(|d| policy.open_for(d, clock));
        open && window
            .as_ref()
            .is_none_or(|w| (w.earliest.as_str()..=w.latest.as_str()).contains(&date))
    };
    let invalid = |field: &str, message: &str| {
        ApiError::invalid_fields(vec![FieldError::new(format!("choice.{field}"), message)])
    };
    let mut slot = None;
    let mut pickup_point = None;
    match choice.as_ref().map(|c| (c.kind, c)) {
        Some((ChoiceKind::Slot, c)) => {
            let found = c
                .slot_id
                .map(|id| store::slot_by_id(tx, order.shop_id, id))
                .transpose()?
                .flatten()
                .ok_or_else(|| invalid("slot_id", "is not one of the shop's delivery slots"))?;
            if !in_window(&found.date) {
                return Err(invalid(
                    "slot_id",
                    "is past its cut-off or outside the days this parcel can be delivered",
                ));
            }
            slot = Some(found);
        }
        Some((ChoiceKind::PickupPoint, c)) => {
            let found = c
                .pickup_point_id
                .map(|id| store::pickup_point_by_id(tx, order.shop_id, id))
                .transpose()?
                .flatten()
                .ok_or_else(|| {
                    invalid("pickup_point_id", "is not one of the shop's pickup points")
                })?;
            pickup_point = Some(found);
        }
        Some((ChoiceKind::AnotherDay, c)) => {
            let date = c.date.as_deref().unwrap_or_default();
            let Some(w) = window.as_ref() else {
                return Err(invalid(
                    "date",
                    "this parcel has no expected day yet, so it cannot move to another",
                ));
            };
            if !in_window(date) {
                return Err(invalid(
                    "date",
                    &format!("must be between {} and {}", w.earliest, w.latest),
                ));
            }
        }
        _ => {}
    }
    // Places in slots: give back the old one, take the new one, in this transaction.
    let old_slot = stored.choice.as_ref().and_then(|c| c.slot_id);
    let new_slot = slot.as_ref().map(|s| s.id);
    if old_slot != new_slot {
        if let Some(old) = old_slot {
            store::release_slot(tx, old)?;
        }
        if let Some(new) = new_slot {
            if !store::take_slot(tx, new)? {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "slot_full",
                    "Someone just took the last place in this delivery slot; please choose another.",
                ));
            }
        }
    }
    store::set_choice(tx, shipment_id, choice.as_ref())?;
    let (order_number, carrier, tracking_number) = store::shipment_labels(tx, shipment_id)?;
    webhooks::queue(
        tx,
        order.shop_id,
        "delivery_choice.changed",
        now,
        WebhookData::DeliveryChoice(Box::new(ChoiceChanged {
            order_number,
            carrier,
            tracking_number,
            choice,
            slot,
            pickup_point,
        })),
    )
}

fn shipment_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "shipment_not_found",
        "This order has no such parcel.",
    )
}

fn locked(lock: ChoiceLock) -> ApiError {
    let message = match lock {
        ChoiceLock::OutForDelivery => {
            "The parcel is out for delivery, so its delivery can no longer be changed."
        }
        ChoiceLock::Delivered => "The parcel has already been delivered or is ready to collect.",
        ChoiceLock::CutOff => "The shop's cut-off for changing this delivery has passed.",
        ChoiceLock::Closed => "This parcel's delivery can no longer be changed.",
    };
    ApiError::new(StatusCode::CONFLICT, "choice_locked", message)
}
