//! Changing an order before it ships: the shop's terms, the shopper's request (checked
//! against the order's state in the write that stores it), the shop's answer (the order
//! cancelled or moved to the new address in the same write), and parcels overtaking a
//! request that still waits, so an order is never both cancelled and shipped.

use axum::http::StatusCode;
use postpurchase_api::{
    postcode_normal, street_line, AdminChange, ChangeKind, ChangeSettings, ChangeStatus,
    ChangeView, ChangedAddress, FieldError, MaskedAddress, NewChange, WebhookData,
};

use super::idempotency::{Keyed, Saved};
use super::orders::{self, OrderRef};
use super::{from_wire, instant, webhooks, wire_name};
use crate::db::{Conn, Db, DbError, Row};
use crate::domain::changes::{check_request, may_ask, Closed, OrderFacts};
use crate::domain::{self, mask_name, mask_postcode, mask_street};
use crate::error::ApiError;
use crate::{args, work};

/// The shop's terms, from the columns `changes_cancel`, `changes_address` and
/// `change_window_minutes` of a row.
pub fn settings_from(r: &mut Row) -> Result<ChangeSettings, DbError> {
    Ok(ChangeSettings {
        cancel: r.get("changes_cancel")?,
        address: r.get("changes_address")?,
        window_minutes: r.get("change_window_minutes")?,
    })
}

async fn settings(c: &mut Conn<'_>, shop_id: i64) -> Result<ChangeSettings, DbError> {
    let mut r = c
        .query_one(
            "SELECT changes_cancel, changes_address, change_window_minutes FROM shops
             WHERE id = ?1",
            args![shop_id],
        )
        .await?;
    settings_from(&mut r)
}

pub async fn set_settings(
    c: &mut Conn<'_>,
    shop_id: i64,
    settings: &ChangeSettings,
) -> Result<(), DbError> {
    c.execute(
        "UPDATE shops SET changes_cancel = ?2, changes_address = ?3, change_window_minutes = ?4
         WHERE id = ?1",
        args![
            shop_id,
            settings.cancel,
            settings.address,
            settings.window_minutes
        ],
    )
    .await?;
    Ok(())
}

/// A request's kind and status; `None` for one this version does not know.
fn kind_and_status(r: &mut Row) -> Result<Option<(ChangeKind, ChangeStatus)>, DbError> {
    Ok(from_wire::<ChangeKind>(&r.get::<String>("kind")?)
        .zip(from_wire::<ChangeStatus>(&r.get::<String>("status")?)))
}

/// A requested address as the shopper's view shows it: masked like the order's own.
fn masked(a: ChangedAddress) -> MaskedAddress {
    MaskedAddress {
        name: mask_name(&a.name),
        street: mask_street(&street_line(&a.country, &a.street, &a.house_number)),
        postcode: mask_postcode(&a.postcode),
        city: a.city,
        country: a.country,
    }
}

/// What the order's view shows of a request: the columns of [`change_columns`].
pub fn view_from(r: &mut Row, country: &str) -> Result<Option<ChangeView>, DbError> {
    let Some((kind, status)) = kind_and_status(r)? else {
        return Ok(None);
    };
    let address = address_from(r, country)?.map(masked);
    Ok(Some(ChangeView {
        kind,
        status,
        requested_at: instant(r.get("requested_at")?),
        address,
        message: r.get("message")?,
    }))
}

/// A request's own columns (`ch`).
macro_rules! change_columns {
    () => {
        "ch.id AS change_id, ch.key AS change_key, ch.kind, ch.status, ch.name, ch.street,
         ch.house_number, ch.postcode, ch.city, ch.message, ch.requested_at, ch.decided_at"
    };
}
pub(crate) use change_columns;

fn address_from(r: &mut Row, country: &str) -> Result<Option<ChangedAddress>, DbError> {
    let Some(street) = r.get::<Option<String>>("street")? else {
        return Ok(None);
    };
    Ok(Some(ChangedAddress {
        name: r.get::<Option<String>>("name")?.unwrap_or_default(),
        street,
        house_number: r.get::<Option<String>>("house_number")?.unwrap_or_default(),
        postcode: r.get::<Option<String>>("postcode")?.unwrap_or_default(),
        city: r.get::<Option<String>>("city")?.unwrap_or_default(),
        country: country.to_owned(),
    }))
}

/// Requests with their orders and shoppers, as the shop sees them.
const ADMIN_SQL: &str = concat!(
    "SELECT ",
    change_columns!(),
    ", o.number, o.ship_country, c.email, c.first_name
     FROM order_changes ch JOIN orders o ON o.id = ch.order_id
     JOIN customers c ON c.id = o.customer_id "
);

fn admin_from(mut r: Row) -> Result<Option<AdminChange>, DbError> {
    let country: String = r.get("ship_country")?;
    let Some((kind, status)) = kind_and_status(&mut r)? else {
        return Ok(None);
    };
    Ok(Some(AdminChange {
        change: r.get("change_key")?,
        order_number: r.get("number")?,
        kind,
        status,
        email: r.get("email")?,
        first_name: r.get("first_name")?,
        requested_at: instant(r.get("requested_at")?),
        decided_at: r.get::<Option<i64>>("decided_at")?.map(instant),
        address: address_from(&mut r, &country)?,
        message: r.get("message")?,
    }))
}

async fn admin_change(c: &mut Conn<'_>, change_id: i64) -> Result<AdminChange, ApiError> {
    let row = c
        .query_one(&format!("{ADMIN_SQL} WHERE ch.id = ?1"), args![change_id])
        .await?;
    admin_from(row)?.ok_or_else(change_not_found)
}

/// An order's requests, newest first.
pub async fn of_order(c: &mut Conn<'_>, order_id: i64) -> Result<Vec<AdminChange>, DbError> {
    let rows = c
        .query(
            &format!(
                "{ADMIN_SQL} WHERE ch.order_id = ?1 ORDER BY ch.requested_at DESC, ch.id DESC"
            ),
            args![order_id],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(admin_from)
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .flatten()
        .collect())
}

fn change_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "change_not_found",
        "This shop has no such change request.",
    )
}

fn closed(why: Closed) -> ApiError {
    match why {
        Closed::NotOffered => ApiError::invalid_fields(vec![FieldError::new(
            "kind",
            "this shop takes no such change here",
        )]),
        Closed::TooLate => ApiError::new(
            StatusCode::CONFLICT,
            "change_closed",
            "It is too late to change this order: it is being prepared or already on its way.",
        ),
        Closed::Waiting => ApiError::new(
            StatusCode::CONFLICT,
            "change_pending",
            "A request to change this order already waits for the shop's answer.",
        ),
    }
}

/// What decides whether an order's shopper may ask, and the order's country.
async fn facts(c: &mut Conn<'_>, order_id: i64) -> Result<(OrderFacts, String), DbError> {
    let mut r = c
        .query_one(
            "SELECT o.placed_at, o.picking_started_at IS NOT NULL AS picking, o.cancelled,
                    o.ship_country,
                    EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = o.id) AS parcels,
                    EXISTS (SELECT 1 FROM order_changes ch
                            WHERE ch.order_id = o.id AND ch.status = 'requested') AS waiting
             FROM orders o WHERE o.id = ?1",
            args![order_id],
        )
        .await?;
    Ok((
        OrderFacts {
            placed_at: r.get("placed_at")?,
            picking: r.get("picking")?,
            parcels: r.get("parcels")?,
            cancelled: r.get("cancelled")?,
            waiting: r.get("waiting")?,
        },
        r.get("ship_country")?,
    ))
}

async fn tell_shop(
    c: &mut Conn<'_>,
    order: OrderRef,
    kind: &str,
    change: &AdminChange,
    now: i64,
) -> Result<bool, ApiError> {
    let data = WebhookData::Change(Box::new(change.clone()));
    webhooks::queue(c, order.shop_id, order.order_id, kind, now, data).await
}

/// Marks the order's waiting request `shipped` because a parcel was registered first,
/// and tells the shop; true when a webhook was queued. Call it in the write that
/// registers the parcel.
pub async fn overtake(c: &mut Conn<'_>, order: OrderRef, now: i64) -> Result<bool, ApiError> {
    let waiting = c
        .query_opt(
            "UPDATE order_changes SET status = 'shipped', decided_at = ?2
             WHERE order_id = ?1 AND status = 'requested' RETURNING id",
            args![order.order_id, now],
        )
        .await?;
    let Some(mut r) = waiting else {
        return Ok(false);
    };
    let change = admin_change(c, r.get("id")?).await?;
    tell_shop(c, order, "order.change_decided", &change, now).await
}

/// A cancelled order takes no parcel.
pub async fn refuse_parcel_if_cancelled(c: &mut Conn<'_>, order_id: i64) -> Result<(), ApiError> {
    let cancelled: bool = c
        .query_one(
            "SELECT cancelled FROM orders WHERE id = ?1",
            args![order_id],
        )
        .await?
        .get("cancelled")?;
    if cancelled {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "order_cancelled",
            "This order is cancelled, so it takes no parcel.",
        ));
    }
    Ok(())
}

/// A shopper's request, as sent.
#[derive(Clone, Debug)]
pub struct ChangeRequest {
    pub shop: String,
    pub token: String,
    pub request: NewChange,
    pub key: Option<Keyed>,
}

/// The answer to a request: its JSON, whether it is a saved one, whether a webhook was
/// queued.
pub struct ChangeAnswer {
    pub body: Vec<u8>,
    pub replayed: bool,
    pub queued: bool,
}

fn shopper_body(c: &AdminChange) -> Result<Vec<u8>, ApiError> {
    let view = ChangeView {
        kind: c.kind,
        status: c.status,
        requested_at: c.requested_at.clone(),
        address: c.address.clone().map(masked),
        message: c.message.clone(),
    };
    serde_json::to_vec(&view).map_err(|e| ApiError::internal("json", e))
}

impl Db {
    pub async fn change_settings(&self, shop_id: i64) -> Result<ChangeSettings, ApiError> {
        self.read(work!(|c| { Ok(settings(c, shop_id).await?) }))
            .await
    }

    pub async fn set_change_settings(
        &self,
        shop_id: i64,
        settings: ChangeSettings,
    ) -> Result<(), ApiError> {
        self.write(work!(|c, settings| {
            set_settings(c, shop_id, &settings).await?;
            Ok(())
        }))
        .await
    }

    /// A shopper asks to cancel or fix the address: allowed by the shop, before any
    /// parcel, picking or the window's end, with no other request waiting, and a valid
    /// address for the order's country, all checked in this write; the shop is told.
    pub async fn request_change(
        &self,
        request: ChangeRequest,
        now: i64,
    ) -> Result<ChangeAnswer, ApiError> {
        self.write(work!(|c, request| {
            let order = orders::find(c, &request.shop, &request.token, now).await?;
            let saved = match &request.key {
                Some(key) => key.saved(c, order.order_id, now).await?,
                None => None,
            };
            match saved {
                Some(Saved::Answer(_, body)) => {
                    return Ok(ChangeAnswer {
                        body,
                        replayed: true,
                        queued: false,
                    })
                }
                Some(Saved::Made(_, Some(id))) => {
                    return Ok(ChangeAnswer {
                        body: shopper_body(&admin_change(c, id).await?)?,
                        replayed: true,
                        queued: false,
                    });
                }
                Some(Saved::Made(_, None)) | None => {}
            }
            let wanted = &request.request;
            let terms = settings(c, order.shop_id).await?;
            let (facts, country) = facts(c, order.order_id).await?;
            may_ask(&terms, facts, wanted.kind, now).map_err(closed)?;
            let errors = check_request(wanted, &country);
            if !errors.is_empty() {
                return Err(ApiError::invalid_fields(errors));
            }
            let key = domain::new_token().map_err(|e| ApiError::internal("random", e))?;
            let a = wanted.address.as_ref();
            let field =
                |f: fn(&postpurchase_api::AddressFix) -> &str| a.map(|a| f(a).trim().to_owned());
            let id: i64 = c
                .query_one(
                    "INSERT INTO order_changes (key, shop_id, order_id, kind, status, name, street,
                                                house_number, postcode, city, requested_at)
                     VALUES (?1, ?2, ?3, ?4, 'requested', ?5, ?6, ?7, ?8, ?9, ?10) RETURNING id",
                    args![
                        key,
                        order.shop_id,
                        order.order_id,
                        wire_name(wanted.kind),
                        field(|a| &a.name),
                        field(|a| &a.street),
                        field(|a| &a.house_number),
                        a.map(|a| postcode_normal(&country, &a.postcode)),
                        field(|a| &a.city),
                        now
                    ],
                )
                .await?
                .get("id")?;
            let change = admin_change(c, id).await?;
            if let Some(key) = &request.key {
                key.save(c, order.order_id, 201, Some(id), now).await?;
            }
            let queued = tell_shop(c, order, "order.change_requested", &change, now).await?;
            Ok(ChangeAnswer {
                body: shopper_body(&change)?,
                replayed: false,
                queued,
            })
        }))
        .await
    }

    /// The shop accepts or refuses a waiting request; accepting cancels the order or moves
    /// it to the new address in this write. The same answer again changes nothing; another
    /// answer to a decided request is `409 change_decided`. Returns the request and
    /// whether a webhook was queued.
    pub async fn decide_change(
        &self,
        shop_id: i64,
        change: &str,
        accept: bool,
        message: Option<String>,
        now: i64,
    ) -> Result<(AdminChange, bool), ApiError> {
        let change = change.to_owned();
        self.write(work!(|c, change, message| {
            let mut r = c
                .query_opt(
                    "SELECT id, order_id, kind, status FROM order_changes
                     WHERE shop_id = ?1 AND key = ?2",
                    args![shop_id, change],
                )
                .await?
                .ok_or_else(change_not_found)?;
            let id: i64 = r.get("id")?;
            let order = OrderRef {
                order_id: r.get("order_id")?,
                shop_id,
            };
            let to = if accept {
                ChangeStatus::Accepted
            } else {
                ChangeStatus::Refused
            };
            let status = from_wire::<ChangeStatus>(&r.get::<String>("status")?);
            if status == Some(to) {
                return Ok((admin_change(c, id).await?, false));
            }
            if status != Some(ChangeStatus::Requested) {
                let said = if status == Some(ChangeStatus::Shipped) {
                    "A parcel was registered before the answer, so the order ships as it was."
                } else {
                    "This request has already been answered."
                };
                return Err(ApiError::new(StatusCode::CONFLICT, "change_decided", said));
            }
            // Whether cancelling refused an upgrade, and the shop was told.
            let mut refused = false;
            if accept {
                let (facts, country) = facts(c, order.order_id).await?;
                if facts.parcels {
                    // A parcel no route told us about: the request is overtaken all the same.
                    overtake(c, order, now).await?;
                    return Err(ApiError::new(
                        StatusCode::CONFLICT,
                        "change_decided",
                        "A parcel was registered before the answer, so the order ships as it was.",
                    ));
                }
                match from_wire::<ChangeKind>(&r.get::<String>("kind")?) {
                    Some(ChangeKind::Cancel) => {
                        c.execute(
                            "UPDATE orders SET cancelled = ?2 WHERE id = ?1",
                            args![order.order_id, true],
                        )
                        .await?;
                        refused = super::upgrades::cancel(c, order.order_id, now).await?;
                    }
                    Some(ChangeKind::Address) => {
                        let a = admin_change(c, id)
                            .await?
                            .address
                            .ok_or_else(change_not_found)?;
                        c.execute(
                            "UPDATE orders SET ship_name = ?2, ship_street = ?3, ship_postcode = ?4,
                                               ship_city = ?5, ship_latitude = NULL,
                                               ship_longitude = NULL
                             WHERE id = ?1",
                            args![
                                order.order_id,
                                a.name,
                                street_line(&country, &a.street, &a.house_number),
                                a.postcode,
                                a.city
                            ],
                        )
                        .await?;
                    }
                    None => return Err(change_not_found()),
                }
            }
            c.execute(
                "UPDATE order_changes SET status = ?2, decided_at = ?3, message = ?4 WHERE id = ?1",
                args![id, wire_name(to), now, message.as_deref()],
            )
            .await?;
            let decided = admin_change(c, id).await?;
            let queued = tell_shop(c, order, "order.change_decided", &decided, now).await?;
            Ok((decided, queued || refused))
        }))
        .await
    }

    /// The shop's requests, newest first, optionally of one status (500 at most).
    pub async fn shop_changes(
        &self,
        shop_id: i64,
        status: Option<ChangeStatus>,
    ) -> Result<Vec<AdminChange>, ApiError> {
        self.read(work!(|c| {
            let rows = c
                .query(
                    &format!(
                        "{ADMIN_SQL} WHERE ch.shop_id = ?1
                           AND (CAST(?2 AS TEXT) IS NULL OR ch.status = ?2)
                         ORDER BY ch.requested_at DESC, ch.id DESC LIMIT 500"
                    ),
                    args![shop_id, status.map(wire_name)],
                )
                .await?;
            let mut queue = Vec::with_capacity(rows.len());
            for row in rows {
                queue.extend(admin_from(row)?);
            }
            Ok(queue)
        }))
        .await
    }

    /// The shop started picking an order: shoppers may no longer ask to change it
    /// (a request already waiting still gets the shop's answer). The first time counts.
    pub async fn start_picking(
        &self,
        shop_id: i64,
        number: &str,
        now: i64,
    ) -> Result<(), ApiError> {
        let number = number.to_owned();
        self.write(work!(|c, number| {
            let order_id = orders::id_by_number(c, shop_id, &number)
                .await?
                .ok_or_else(ApiError::unknown_order_number)?;
            c.execute(
                "UPDATE orders SET picking_started_at = ?2
                 WHERE id = ?1 AND picking_started_at IS NULL",
                args![order_id, now],
            )
            .await?;
            Ok(())
        }))
        .await
    }
}
