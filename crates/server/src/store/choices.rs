//! The shopper's delivery choice for a parcel. Every rule (the ETag, the lock, the offer,
//! the slot's last place) is checked inside the write transaction that makes the change.

use axum::http::StatusCode;
use postpurchase_api::{
    ChoiceChanged, ChoiceKind, ChoiceLock, DeliveryChoice, DeliverySlot, FieldError, PickupPoint,
    WebhookData,
};

use super::idempotency::{Keyed, Saved};
use super::orders::{self, point_columns, point_from, slot_columns, slot_from, OrderRef};
use super::parcels::ChangeCount;
use super::{parcels, webhooks};
use crate::db::{Conn, Db, DbError};
use crate::domain::delivery;
use crate::error::ApiError;
use crate::{args, work};

async fn slot_by_id(
    c: &mut Conn<'_>,
    shop_id: i64,
    id: i64,
) -> Result<Option<DeliverySlot>, DbError> {
    c.query_opt(
        concat!(
            "SELECT ",
            slot_columns!(),
            " FROM delivery_slots WHERE id = ?1 AND shop_id = ?2"
        ),
        args![id, shop_id],
    )
    .await?
    .map(|mut r| slot_from(&mut r))
    .transpose()
}

async fn pickup_point_by_id(
    c: &mut Conn<'_>,
    shop_id: i64,
    id: i64,
) -> Result<Option<PickupPoint>, DbError> {
    c.query_opt(
        concat!(
            "SELECT ",
            point_columns!(),
            " FROM pickup_points WHERE id = ?1 AND shop_id = ?2"
        ),
        args![id, shop_id],
    )
    .await?
    .map(|mut r| point_from(&mut r, None))
    .transpose()
}

/// Whether another parcel of the order holds a place in the slot: an order's parcels share
/// one place per slot (they come to one door), so one order never takes a slot's places.
async fn order_holds(
    c: &mut Conn<'_>,
    order_id: i64,
    slot_id: i64,
    shipment_id: i64,
) -> Result<bool, DbError> {
    c.exists(
        "SELECT 1 FROM shipments WHERE order_id = ?1 AND choice_slot_id = ?2 AND id <> ?3",
        args![order_id, slot_id, shipment_id],
    )
    .await
}

/// Takes a place in a slot; false when it is full. One statement, so two shoppers can
/// never both take the last place.
async fn take_slot(c: &mut Conn<'_>, slot_id: i64) -> Result<bool, DbError> {
    let taken = c
        .execute(
            "UPDATE delivery_slots SET taken = taken + 1 WHERE id = ?1 AND taken < capacity",
            args![slot_id],
        )
        .await?;
    Ok(taken == 1)
}

async fn release_slot(c: &mut Conn<'_>, slot_id: i64) -> Result<(), DbError> {
    c.execute(
        "UPDATE delivery_slots SET taken = taken - 1 WHERE id = ?1 AND taken > 0",
        args![slot_id],
    )
    .await?;
    Ok(())
}

/// The count of a parcel's changes this hour with one more, or `429 too_many_changes`
/// (with when the hour ends) when it is at the cap. Kept in the parcel's row (written
/// with the choice), so the cap holds across server processes.
fn count_change(count: ChangeCount, cap: u32, now: i64) -> Result<ChangeCount, ApiError> {
    let ChangeCount {
        mut window_start,
        mut changes,
    } = count;
    if now - window_start >= HOUR {
        window_start = now;
        changes = 0;
    }
    if changes >= i64::from(cap) {
        let wait = (window_start + HOUR - now).clamp(1, HOUR) as u32;
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_changes",
            "This parcel's delivery was changed too often in the last hour; please try again later.",
        )
        .retry_in(wait));
    }
    Ok(ChangeCount {
        window_start,
        changes: changes + 1,
    })
}

const HOUR: i64 = 3_600;

/// Stores a parcel's new choice (or none) with its count of changes this hour, and bumps
/// its version, the choice's ETag.
async fn set_choice(
    c: &mut Conn<'_>,
    shipment_id: i64,
    choice: Option<&DeliveryChoice>,
    count: ChangeCount,
) -> Result<(), DbError> {
    let json = choice.map(super::json).transpose()?;
    c.execute(
        "UPDATE shipments SET choice = ?2, choice_slot_id = ?3, choice_version = choice_version + 1,
                choice_window_start = ?4, choice_changes = ?5
         WHERE id = ?1",
        args![
            shipment_id,
            json,
            choice.and_then(|c| c.slot_id),
            count.window_start,
            count.changes
        ],
    )
    .await?;
    Ok(())
}

/// A shopper's change of a parcel's delivery.
#[derive(Clone, Debug)]
pub struct ChoiceChange {
    pub shop: String,
    pub token: String,
    pub shipment_id: i64,
    /// The `If-Match` header, if sent.
    pub if_match: Option<String>,
    pub choice: Option<DeliveryChoice>,
    pub key: Option<Keyed>,
    /// How many times a parcel's choice may change in an hour.
    pub hourly_cap: u32,
}

/// The answer to a change: the order view, whether it is a saved answer, and whether a
/// webhook was queued.
pub struct ChoiceAnswer {
    pub view: AnsweredView,
    pub replayed: bool,
    pub queued: bool,
}

/// The order view a change answers with.
pub enum AnsweredView {
    /// Built in the change's own transaction, so it shows the state the change left: the
    /// view a shopper's next request would build (kept ready for it).
    Built(Box<orders::Built>),
    /// The JSON saved for a retry by a record made before migration 0012.
    Saved(Vec<u8>),
}

impl Db {
    /// Sets or clears how a parcel is delivered; answers with the order view as it now is
    /// (saved for a retry under the same `Idempotency-Key`).
    pub async fn change_delivery_choice(
        &self,
        change: ChoiceChange,
        now: i64,
    ) -> Result<ChoiceAnswer, ApiError> {
        self.write(work!(|c, change| {
            let order = orders::find(c, &change.shop, &change.token, now).await?;
            let saved = match &change.key {
                Some(key) => key.saved(c, order.order_id, now).await?,
                None => None,
            };
            if let Some(Saved::Answer(_, body)) = saved {
                return Ok(ChoiceAnswer {
                    view: AnsweredView::Saved(body),
                    replayed: true,
                    queued: false,
                });
            }
            let replayed = saved.is_some();
            let outcome = if replayed {
                Changed::No
            } else {
                change_choice(c, order, &change, now).await?
            };
            // A change keeps its key for a retry, which answers with the order as it is then.
            if let (Some(key), Changed::Yes { .. }) = (&change.key, outcome) {
                key.save(c, order.order_id, 200, None, now).await?;
            }
            let built = orders::view(c, order.order_id, now)
                .await?
                .ok_or_else(DbError::no_row)?;
            Ok(ChoiceAnswer {
                view: AnsweredView::Built(Box::new(built)),
                replayed,
                queued: matches!(outcome, Changed::Yes { queued: true }),
            })
        }))
        .await
    }
}

/// Whether a request changed the choice, and if so whether a webhook was queued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Changed {
    No,
    Yes { queued: bool },
}

/// Checks and makes the change.
async fn change_choice(
    c: &mut Conn<'_>,
    order: OrderRef,
    change: &ChoiceChange,
    now: i64,
) -> Result<Changed, ApiError> {
    let shipment_id = change.shipment_id;
    let (parcel, settings) =
        parcels::choice_to_change(c, (order.order_id, order.shop_id), shipment_id).await?;
    let parcels::ToChange {
        choice: stored,
        count,
        labels: (order_number, carrier, tracking_number),
    } = parcel.ok_or_else(shipment_not_found)?;
    match change.if_match.as_deref() {
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
    let policy = &settings.policy;
    let clock = jiff::Timestamp::from_second(now).map_err(|e| ApiError::internal("clock", e))?;
    if let (Some(lock), _) = delivery::lock(stored.status, stored.due(policy), clock, policy) {
        return Err(locked(lock));
    }
    let choice = change
        .choice
        .as_ref()
        .map(|c| delivery::clean_choice(c, &settings.offer()))
        .transpose()
        .map_err(ApiError::invalid_fields)?;
    if choice == stored.choice {
        return Ok(Changed::No);
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
        Some((ChoiceKind::Slot, wanted)) => {
            let found = match wanted.slot_id {
                Some(id) => slot_by_id(c, order.shop_id, id).await?,
                None => None,
            }
            .ok_or_else(|| invalid("slot_id", "is not one of the shop's delivery slots"))?;
            if !in_window(&found.date) {
                return Err(invalid(
                    "slot_id",
                    "is past its cut-off or outside the days this parcel can be delivered",
                ));
            }
            slot = Some(found);
        }
        Some((ChoiceKind::PickupPoint, wanted)) => {
            let found = match wanted.pickup_point_id {
                Some(id) => pickup_point_by_id(c, order.shop_id, id).await?,
                None => None,
            }
            .ok_or_else(|| invalid("pickup_point_id", "is not one of the shop's pickup points"))?;
            pickup_point = Some(found);
        }
        Some((ChoiceKind::AnotherDay, wanted)) => {
            let date = wanted.date.as_deref().unwrap_or_default();
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
    let count = count_change(count, change.hourly_cap, now)?;
    // Places in slots: give back the old one, take the new one, in this transaction;
    // a place another parcel of the order holds too stays, and is shared.
    let old_slot = stored.choice.as_ref().and_then(|c| c.slot_id);
    let new_slot = slot.as_ref().map(|s| s.id);
    if old_slot != new_slot {
        if let Some(old) = old_slot {
            if !order_holds(c, order.order_id, old, shipment_id).await? {
                release_slot(c, old).await?;
            }
        }
        if let Some(new) = new_slot {
            let shared = order_holds(c, order.order_id, new, shipment_id).await?;
            if !shared && !take_slot(c, new).await? {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "slot_full",
                    "Someone just took the last place in this delivery slot; please choose another.",
                ));
            }
        }
    }
    set_choice(c, shipment_id, choice.as_ref(), count).await?;
    let queued = webhooks::queue(
        c,
        order.shop_id,
        order.order_id,
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
    .await?;
    Ok(Changed::Yes { queued })
}

pub fn shipment_not_found() -> ApiError {
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
