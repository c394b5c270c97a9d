//! What the order view and a delivery choice both read of a parcel: its status, estimate
//! and choice, and the shop's delivery settings that judge them.

use postpurchase_api::{DeliveryChoice, ShipmentStatus};

use crate::args;
use crate::db::{Conn, DbError, Row};
use crate::domain::delivery;

/// A shop's delivery-choice settings and offers.
pub struct ShopDelivery {
    pub policy: delivery::Policy,
    pub safe_places: Vec<String>,
    pub neighbour: bool,
}

impl ShopDelivery {
    pub fn offer(&self) -> delivery::Offer<'_> {
        delivery::Offer {
            neighbour: self.neighbour,
            safe_places: &self.safe_places,
        }
    }
}

/// Columns [`delivery_from`] reads, from `shops s`.
macro_rules! delivery_columns {
    () => {
        "s.time_zone, s.choice_cutoff, s.later_days, s.safe_places, s.neighbour_allowed"
    };
}
pub(crate) use delivery_columns;

pub fn delivery_from(r: &mut Row) -> Result<ShopDelivery, DbError> {
    Ok(ShopDelivery {
        policy: delivery::Policy::from_settings(
            &r.get::<String>("time_zone")?,
            &r.get::<String>("choice_cutoff")?,
            r.get("later_days")?,
        ),
        safe_places: super::lines(&r.get::<String>("safe_places")?),
        neighbour: r.get("neighbour_allowed")?,
    })
}

pub async fn shop_delivery(c: &mut Conn<'_>, shop_id: i64) -> Result<ShopDelivery, DbError> {
    let mut row = c
        .query_one(
            concat!(
                "SELECT ",
                delivery_columns!(),
                " FROM shops s WHERE s.id = ?1"
            ),
            args![shop_id],
        )
        .await?;
    delivery_from(&mut row)
}

/// A parcel's choice as stored, with what the rules need to judge it.
pub struct StoredChoice {
    pub status: ShipmentStatus,
    pub eta_from: Option<i64>,
    pub choice: Option<DeliveryChoice>,
    /// The chosen slot's date (`YYYY-MM-DD`), when the choice is a slot.
    pub slot_date: Option<String>,
    pub version: i64,
}

impl StoredChoice {
    /// The local day the parcel is now due: the chosen day, else the carrier's estimate.
    pub fn due(&self, policy: &delivery::Policy) -> Option<jiff::civil::Date> {
        let chosen = self
            .slot_date
            .as_deref()
            .or(self.choice.as_ref().and_then(|c| c.date.as_deref()))
            .and_then(|d| d.parse().ok());
        chosen.or_else(|| self.expected(policy))
    }

    /// The local day the carrier expects to deliver.
    pub fn expected(&self, policy: &delivery::Policy) -> Option<jiff::civil::Date> {
        self.eta_from
            .and_then(|t| jiff::Timestamp::from_second(t).ok())
            .map(|t| policy.date_of(t))
    }

    pub fn etag(&self) -> String {
        format!("\"c{}\"", self.version)
    }
}

/// Columns [`choice_from`] reads, from `shipments s LEFT JOIN delivery_slots d`.
macro_rules! choice_columns {
    () => {
        "s.status, s.eta_from, s.choice, d.date AS slot_date, s.choice_version"
    };
}
pub(crate) use choice_columns;

pub fn choice_from(r: &mut Row) -> Result<StoredChoice, DbError> {
    let choice: Option<String> = r.get("choice")?;
    Ok(StoredChoice {
        status: status_of(&r.get::<String>("status")?),
        eta_from: r.get("eta_from")?,
        choice: choice.and_then(|c| serde_json::from_str(&c).ok()),
        slot_date: r.get("slot_date")?,
        version: r.get("choice_version")?,
    })
}

/// A parcel of an order, with its choice.
pub async fn stored_choice(
    c: &mut Conn<'_>,
    order_id: i64,
    shipment_id: i64,
) -> Result<Option<StoredChoice>, DbError> {
    c.query_opt(
        concat!(
            "SELECT ",
            choice_columns!(),
            " FROM shipments s LEFT JOIN delivery_slots d ON d.id = s.choice_slot_id
              WHERE s.id = ?1 AND s.order_id = ?2"
        ),
        args![shipment_id, order_id],
    )
    .await?
    .map(|mut r| choice_from(&mut r))
    .transpose()
}

pub fn status_of(name: &str) -> ShipmentStatus {
    ShipmentStatus::parse(name).unwrap_or(ShipmentStatus::Unknown)
}
