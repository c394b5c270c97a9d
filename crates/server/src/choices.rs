//! The shopper's delivery choice for a parcel: a slot, a neighbour, a safe place, a pickup
//! point or another day. Every rule is checked inside the write transaction that makes the
//! change ([`crate::store::choices`]), so what was checked is what gets written.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use postpurchase_api::{ChoiceRequest, ErrorBody, OrderView};

use crate::error::{ApiError, Json, Path};
use crate::extract::{IdempotencyKey, OpenOrder};
use crate::replay;
use crate::store::choices::{shipment_not_found, AnsweredView, ChoiceChange};
use crate::store::idempotency::Keyed;
use crate::views::Ready;
use crate::AppState;

pub const CHOICE_PATH: &str = "/api/v1/shops/{shop}/orders/{token}/shipments/{shipment}/choice";

pub fn router() -> Router<AppState> {
    Router::new().route(
        CHOICE_PATH,
        post(set_choice).layer(crate::body_limit_layer(CHOICE_PATH)),
    )
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
    _: OpenOrder,
    Json(request): Json<ChoiceRequest>,
) -> Result<Response, ApiError> {
    let shipment_id: i64 = shipment.parse().map_err(|_| shipment_not_found())?;
    let if_match = headers
        .get(header::IF_MATCH)
        .map(|v| v.to_str().unwrap_or_default().trim().to_owned());
    // The request as a retry must repeat it: this parcel, this body.
    let key = Keyed::new(key, &shipment_id.to_be_bytes(), &request)?;
    let change = ChoiceChange {
        shop,
        token,
        shipment_id,
        if_match,
        choice: request.choice,
        key,
        hourly_cap: state.limiter.limits.choice_changes_per_hour,
    };
    let answer = state
        .db
        .change_delivery_choice(change, state.clock.now())
        .await?;
    if answer.queued {
        state.webhooks.notify_one();
    }
    let body = match answer.view {
        AnsweredView::Built(built) => {
            let ready = Arc::new(Ready::of(*built)?);
            state.views.keep(ready.clone());
            ready.body.clone()
        }
        AnsweredView::Saved(body) => body.into(),
    };
    Ok(replay::answer(200, body, answer.replayed))
}
