//! A shop's delivery settings (and its webhook endpoint), its delivery slots and pickup
//! points, and the theme of its hosted order page.

use axum::http::StatusCode;
use postpurchase_api::{
    AdminSlot, DeliverySettings, DeliverySettingsView, DeliverySlot, NewPickupPoint, NewSlot,
    PickupPoint, ShopTheme, SlotPayment,
};

use crate::db::{Conn, Db, DbError};
use crate::error::ApiError;
use crate::{args, work};

async fn delivery_settings(
    c: &mut Conn<'_>,
    shop_id: i64,
) -> Result<DeliverySettingsView, DbError> {
    let mut r = c
        .query_one(
            "SELECT time_zone, choice_cutoff, later_days, safe_places, neighbour_allowed,
                    slot_payment, webhook_url, webhook_secret
             FROM shops WHERE id = ?1",
            args![shop_id],
        )
        .await?;
    Ok(DeliverySettingsView {
        time_zone: r.get("time_zone")?,
        cutoff: r.get("choice_cutoff")?,
        later_days: r.get("later_days")?,
        safe_places: super::lines(&r.get::<String>("safe_places")?),
        neighbour: r.get("neighbour_allowed")?,
        slot_payment: SlotPayment::parse(&r.get::<String>("slot_payment")?).unwrap_or_default(),
        webhook_url: r.get("webhook_url")?,
        webhook_secret: r.get("webhook_secret")?,
    })
}

/// Sets where the shop's webhooks go and the secret they are signed with.
pub async fn set_webhook(
    c: &mut Conn<'_>,
    shop_id: i64,
    url: Option<&str>,
    secret: Option<&str>,
) -> Result<(), DbError> {
    c.execute(
        "UPDATE shops SET webhook_url = ?2, webhook_secret = ?3 WHERE id = ?1",
        args![shop_id, url, secret],
    )
    .await?;
    Ok(())
}

pub async fn set_theme(c: &mut Conn<'_>, shop_id: i64, theme: &ShopTheme) -> Result<(), DbError> {
    c.execute(
        "UPDATE shops SET theme = ?2 WHERE id = ?1",
        args![shop_id, super::json(theme)?],
    )
    .await?;
    Ok(())
}

pub async fn insert_slot(
    c: &mut Conn<'_>,
    shop_id: i64,
    slot: &NewSlot,
) -> Result<DeliverySlot, DbError> {
    let id: i64 = c
        .query_one(
            "INSERT INTO delivery_slots (shop_id, date, starts, ends, price, capacity)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
            args![
                shop_id,
                slot.date,
                slot.from,
                slot.to,
                slot.price,
                slot.capacity
            ],
        )
        .await?
        .get("id")?;
    Ok(DeliverySlot {
        id,
        date: slot.date.clone(),
        from: slot.from.clone(),
        to: slot.to.clone(),
        price: slot.price,
        places_left: slot.capacity,
    })
}

fn admin_slot(r: &mut crate::db::Row) -> Result<AdminSlot, DbError> {
    Ok(AdminSlot {
        id: r.get("id")?,
        date: r.get("date")?,
        from: r.get("starts")?,
        to: r.get("ends")?,
        price: r.get("price")?,
        capacity: r.get("capacity")?,
        taken: r.get("taken")?,
    })
}

fn no_point() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "pickup_point_not_found",
        "The shop has no pickup point with this id.",
    )
}

fn no_slot() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "slot_not_found",
        "The shop has no delivery slot with this id.",
    )
}

pub async fn insert_pickup_point(
    c: &mut Conn<'_>,
    shop_id: i64,
    point: &NewPickupPoint,
) -> Result<PickupPoint, DbError> {
    let id: i64 = c
        .query_one(
            "INSERT INTO pickup_points (shop_id, locker, name, address, opening_hours, latitude,
                                        longitude)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
            args![
                shop_id,
                point.locker,
                point.name.trim(),
                point.address.trim(),
                point.opening_hours.join("\n"),
                point.latitude,
                point.longitude
            ],
        )
        .await?
        .get("id")?;
    Ok(stored_point(id, point))
}

/// A pickup point as stored from what the shop sent.
fn stored_point(id: i64, point: &NewPickupPoint) -> PickupPoint {
    PickupPoint {
        id,
        locker: point.locker,
        name: point.name.trim().to_owned(),
        address: point.address.trim().to_owned(),
        opening_hours: point.opening_hours.clone(),
        distance_m: None,
    }
}

impl Db {
    /// The shop's delivery settings, webhook endpoint and signing secret.
    pub async fn delivery_settings(&self, shop_id: i64) -> Result<DeliverySettingsView, ApiError> {
        self.read(work!(|c| { Ok(delivery_settings(c, shop_id).await?) }))
            .await
    }

    /// Replaces the shop's delivery settings. The webhook secret is kept while there is
    /// a URL, unless `fresh_secret` is to replace it (asked for, or the first URL).
    pub async fn set_delivery_settings(
        &self,
        shop_id: i64,
        settings: DeliverySettings,
        fresh_secret: String,
    ) -> Result<DeliverySettingsView, ApiError> {
        self.write(work!(|c, settings, fresh_secret| {
            let current = delivery_settings(c, shop_id).await?;
            let secret = match (&settings.webhook_url, current.webhook_secret) {
                (None, _) => None,
                (Some(_), Some(secret)) if !settings.rotate_webhook_secret => Some(secret),
                (Some(_), _) => Some(fresh_secret),
            };
            c.execute(
                "UPDATE shops SET time_zone = ?2, choice_cutoff = ?3, later_days = ?4,
                                  safe_places = ?5, neighbour_allowed = ?6, slot_payment = ?7
                 WHERE id = ?1",
                args![
                    shop_id,
                    settings.time_zone,
                    settings.cutoff,
                    settings.later_days,
                    settings.safe_places.join("\n"),
                    settings.neighbour,
                    settings.slot_payment.as_str()
                ],
            )
            .await?;
            set_webhook(
                c,
                shop_id,
                settings.webhook_url.as_deref(),
                secret.as_deref(),
            )
            .await?;
            Ok(delivery_settings(c, shop_id).await?)
        }))
        .await
    }

    /// The shop's slots from `from` (a date, `YYYY-MM-DD`) on, by date and time; 500 at
    /// most.
    pub async fn admin_slots(
        &self,
        shop_id: i64,
        from: String,
    ) -> Result<Vec<AdminSlot>, ApiError> {
        self.read(work!(|c, from| {
            c.query(
                "SELECT id, date, starts, ends, price, capacity, taken FROM delivery_slots
                 WHERE shop_id = ?1 AND date >= ?2 ORDER BY date, starts, id LIMIT 500",
                args![shop_id, from],
            )
            .await?
            .into_iter()
            .map(|mut r| admin_slot(&mut r).map_err(ApiError::from))
            .collect()
        }))
        .await
    }

    /// Changes how many places a slot has; never below the places taken.
    pub async fn set_slot_capacity(
        &self,
        shop_id: i64,
        id: i64,
        capacity: u32,
    ) -> Result<AdminSlot, ApiError> {
        self.write(work!(|c| {
            let mut row = c
                .query_opt(
                    "SELECT taken FROM delivery_slots WHERE id = ?1 AND shop_id = ?2",
                    args![id, shop_id],
                )
                .await?
                .ok_or_else(no_slot)?;
            let taken: u32 = row.get("taken")?;
            if capacity < taken {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "capacity_below_taken",
                    format!("{taken} places of this slot are taken; it needs at least as many."),
                ));
            }
            let mut row = c
                .query_one(
                    "UPDATE delivery_slots SET capacity = ?3 WHERE id = ?1 AND shop_id = ?2
                     RETURNING id, date, starts, ends, price, capacity, taken",
                    args![id, shop_id, capacity],
                )
                .await?;
            Ok(admin_slot(&mut row)?)
        }))
        .await
    }

    /// Removes a slot no shopper has chosen.
    pub async fn remove_slot(&self, shop_id: i64, id: i64) -> Result<(), ApiError> {
        self.write(work!(|c| {
            if !c
                .exists(
                    "SELECT 1 FROM delivery_slots WHERE id = ?1 AND shop_id = ?2",
                    args![id, shop_id],
                )
                .await?
            {
                return Err(no_slot());
            }
            if c.exists(
                "SELECT 1 FROM shipments WHERE choice_slot_id = ?1",
                args![id],
            )
            .await?
            {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "slot_chosen",
                    "A shopper has chosen this slot; lower its places to those taken instead.",
                ));
            }
            c.execute("DELETE FROM delivery_slots WHERE id = ?1", args![id])
                .await?;
            Ok(())
        }))
        .await
    }

    /// The shop's pickup points, by name.
    pub async fn pickup_points(&self, shop_id: i64) -> Result<Vec<PickupPoint>, ApiError> {
        self.read(work!(|c| {
            c.query(
                "SELECT id, locker, name, address, opening_hours, latitude, longitude
                 FROM pickup_points WHERE shop_id = ?1 ORDER BY name, id",
                args![shop_id],
            )
            .await?
            .into_iter()
            .map(|mut r| super::orders::point_from(&mut r, None).map_err(ApiError::from))
            .collect()
        }))
        .await
    }

    /// Changes a pickup point; shoppers who chose it see the change at their next look.
    pub async fn edit_pickup_point(
        &self,
        shop_id: i64,
        id: i64,
        point: NewPickupPoint,
    ) -> Result<PickupPoint, ApiError> {
        self.write(work!(|c, point| {
            let changed = c
                .execute(
                    "UPDATE pickup_points SET locker = ?3, name = ?4, address = ?5,
                            opening_hours = ?6, latitude = ?7, longitude = ?8
                     WHERE id = ?1 AND shop_id = ?2",
                    args![
                        id,
                        shop_id,
                        point.locker,
                        point.name.trim(),
                        point.address.trim(),
                        point.opening_hours.join("\n"),
                        point.latitude,
                        point.longitude
                    ],
                )
                .await?;
            if changed == 0 {
                return Err(no_point());
            }
            Ok(stored_point(id, &point))
        }))
        .await
    }

    /// Removes a pickup point no parcel is headed for by a shopper's choice.
    pub async fn remove_pickup_point(&self, shop_id: i64, id: i64) -> Result<(), ApiError> {
        self.write(work!(|c| {
            if !c
                .exists(
                    "SELECT 1 FROM pickup_points WHERE id = ?1 AND shop_id = ?2",
                    args![id, shop_id],
                )
                .await?
            {
                return Err(no_point());
            }
            // The choice is JSON as serde writes it: `"pickup_point_id":7` then `,` or `}`.
            let (comma, brace) = (
                format!("%\"pickup_point_id\":{id},%"),
                format!("%\"pickup_point_id\":{id}}}%"),
            );
            if c.exists(
                "SELECT 1 FROM shipments s JOIN orders o ON o.id = s.order_id
                 WHERE o.shop_id = ?1 AND s.status <> 'delivered'
                   AND (s.choice LIKE ?2 OR s.choice LIKE ?3)",
                args![shop_id, comma, brace],
            )
            .await?
            {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "pickup_point_chosen",
                    "A shopper chose this pickup point for a parcel still on its way; change it instead.",
                ));
            }
            c.execute("DELETE FROM pickup_points WHERE id = ?1", args![id])
                .await?;
            Ok(())
        }))
        .await
    }

    pub async fn create_slot(&self, shop_id: i64, slot: NewSlot) -> Result<DeliverySlot, ApiError> {
        self.write(work!(|c, slot| {
            Ok(insert_slot(c, shop_id, &slot).await?)
        }))
        .await
    }

    pub async fn create_pickup_point(
        &self,
        shop_id: i64,
        point: NewPickupPoint,
    ) -> Result<PickupPoint, ApiError> {
        self.write(work!(|c, point| {
            Ok(insert_pickup_point(c, shop_id, &point).await?)
        }))
        .await
    }

    /// The shop's theme for its hosted page; the default until one is set.
    pub async fn theme(&self, shop_id: i64) -> Result<ShopTheme, ApiError> {
        self.read(work!(|c| {
            let json: Option<String> = c
                .query_one("SELECT theme FROM shops WHERE id = ?1", args![shop_id])
                .await?
                .get("theme")?;
            Ok(json
                .and_then(|j| serde_json::from_str(&j).ok())
                .unwrap_or_default())
        }))
        .await
    }

    pub async fn set_theme(&self, shop_id: i64, theme: ShopTheme) -> Result<(), ApiError> {
        self.write(work!(|c, theme| {
            Ok(set_theme(c, shop_id, &theme).await?)
        }))
        .await
    }
}
