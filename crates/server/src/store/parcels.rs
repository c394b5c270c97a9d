//! What the order view and a delivery choice both read of a parcel: its status, estimate
//! and choice, and the shop's delivery settings that judge them.

use postpurchase_api::{DeliveryChoice, ShipmentStatus, SlotPayment};

use crate::args;
use crate::db::{Conn, DbError, Row};
use crate::domain::delivery;

/// A shop's delivery-choice settings and offers.
pub struct ShopDelivery {
    pub policy: delivery::Policy,
    pub safe_places: Vec<String>,
    pub neighbour: bool,
    pub slot_payment: SlotPayment,
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
        "s.time_zone, s.choice_cutoff, s.later_days, s.safe_places, s.neighbour_allowed,
         s.slot_payment"
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
        slot_payment: SlotPayment::parse(&r.get::<String>("slot_payment")?).unwrap_or_default(),
    })
}

/// A parcel's choice as stored, with what the rules need to judge it.
pub struct StoredChoice {
    pub status: ShipmentStatus,
    pub eta_from: Option<i64>,
    pub choice: Option<DeliveryChoice>,
    /// The chosen slot's date (`YYYY-MM-DD`) and local hours (`HH:MM`), when the choice
    /// is a slot.
    pub slot_date: Option<String>,
    pub slot_hours: Option<(String, String)>,
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

    /// The window the parcel is now expected in, the carrier's ending at `eta_to`.
    pub fn window(
        &self,
        eta_to: Option<i64>,
        policy: &delivery::Policy,
    ) -> Option<(jiff::Timestamp, jiff::Timestamp)> {
        let instant = |t: i64| jiff::Timestamp::from_second(t).ok();
        let carrier = self
            .eta_from
            .and_then(instant)
            .zip(eta_to.and_then(instant));
        let slot = self.slot_date.as_deref().and_then(|d| d.parse().ok()).zip(
            self.slot_hours
                .as_ref()
                .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?))),
        );
        let other_day = self
            .choice
            .as_ref()
            .and_then(|c| c.date.as_deref()?.parse().ok());
        delivery::expected_window(
            carrier,
            slot.map(|(d, (a, b))| (d, a, b)),
            other_day,
            policy,
        )
    }

    pub fn etag(&self) -> String {
        format!("\"c{}\"", self.version)
    }
}

/// Columns [`choice_from`] reads, from `shipments s LEFT JOIN delivery_slots d`.
macro_rules! choice_columns {
    () => {
        "s.status, s.eta_from, s.choice, d.date AS slot_date, d.starts AS slot_starts,
         d.ends AS slot_ends, s.choice_version"
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
        slot_hours: r
            .get::<Option<String>>("slot_starts")?
            .zip(r.get::<Option<String>>("slot_ends")?),
        version: r.get("choice_version")?,
    })
}

/// A parcel whose choice is to change, as stored.
pub struct ToChange {
    pub choice: StoredChoice,
    /// How often it changed this hour.
    pub count: ChangeCount,
    /// Its order's number, carrier and tracking number, for the webhook.
    pub labels: (String, String, String),
}

/// What a change of a parcel's choice is judged by, read together (one round trip on
/// PostgreSQL): the parcel as stored (`None` when the order, `(order_id, shop_id)`, has
/// no such parcel), and the shop's delivery rules.
pub async fn choice_to_change(
    c: &mut Conn<'_>,
    order: (i64, i64),
    shipment_id: i64,
) -> Result<(Option<ToChange>, ShopDelivery), DbError> {
    let (order_id, shop_id) = order;
    let [stored, settings] = c
        .query_each([
            (
                concat!(
                    "SELECT ",
                    choice_columns!(),
                    ", s.choice_window_start, s.choice_changes, s.carrier, s.tracking_number,
                       o.number
                     FROM shipments s JOIN orders o ON o.id = s.order_id
                     LEFT JOIN delivery_slots d ON d.id = s.choice_slot_id
                     WHERE s.id = ?1 AND s.order_id = ?2"
                ),
                args![shipment_id, order_id],
            ),
            (
                concat!(
                    "SELECT ",
                    delivery_columns!(),
                    " FROM shops s WHERE s.id = ?1"
                ),
                args![shop_id],
            ),
        ])
        .await?;
    let settings = match settings.into_iter().next() {
        Some(mut row) => delivery_from(&mut row)?,
        None => return Err(DbError::no_row()),
    };
    let stored = match stored.into_iter().next() {
        Some(mut r) => Some(ToChange {
            choice: choice_from(&mut r)?,
            count: ChangeCount {
                window_start: r.get("choice_window_start")?,
                changes: r.get("choice_changes")?,
            },
            labels: (
                r.get("number")?,
                r.get("carrier")?,
                r.get("tracking_number")?,
            ),
        }),
        None => None,
    };
    Ok((stored, settings))
}

/// How often a parcel's choice changed in the hour starting at `window_start`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChangeCount {
    pub window_start: i64,
    pub changes: i64,
}

pub fn status_of(name: &str) -> ShipmentStatus {
    ShipmentStatus::parse(name).unwrap_or(ShipmentStatus::Unknown)
}
