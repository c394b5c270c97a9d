//! The rules of faster delivery: what a shop may offer, which day an upgrade asked for now
//! arrives and until when that day can be asked for (the offer's cut-off, in the shop's
//! time zone), and when a shopper may ask at all. Pure functions of their facts and the
//! clock; [`crate::store::upgrades`] applies them inside the write transaction.

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use postpurchase_api::{FieldError, UpgradeKind, UpgradeOffer, UpgradeSettings};

use super::delays::working_day;

/// The most offers a shop may make: one per kind.
pub const OFFERS_MAX: usize = 3;
/// The highest price, in minor units.
pub const PRICE_MAX: i64 = 100_000;
/// The largest daily capacity.
pub const CAPACITY_MAX: u32 = 10_000;
/// The longest payment link the shop may give, and the longest answer it may write.
pub const PAY_URL_MAX: usize = 500;
pub const MESSAGE_MAX: usize = 300;

/// The settings' mistakes, field by field (`offers[1].kind`, `offers[0].price`, …).
pub fn check_settings(settings: &UpgradeSettings) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if settings.offers.len() > OFFERS_MAX {
        errors.push(FieldError::new("offers", "at most 3 offers, one per kind"));
        return errors;
    }
    let mut kinds = Vec::new();
    for (i, offer) in settings.offers.iter().enumerate() {
        let field = |name: &str| format!("offers[{i}].{name}");
        if kinds.contains(&offer.kind) {
            errors.push(FieldError::new(field("kind"), "one offer per kind"));
        }
        kinds.push(offer.kind);
        if !(0..=PRICE_MAX).contains(&offer.price) {
            errors.push(FieldError::new(field("price"), "must be 0 to 100000"));
        }
        if !currency_ok(&offer.currency) {
            errors.push(FieldError::new(
                field("currency"),
                "must be three capital letters (ISO 4217)",
            ));
        }
        if cut_off(&offer.cut_off).is_none() {
            errors.push(FieldError::new(field("cut_off"), "must be HH:MM"));
        }
        if !(1..=CAPACITY_MAX).contains(&offer.daily_capacity) {
            errors.push(FieldError::new(
                field("daily_capacity"),
                "must be 1 to 10000",
            ));
        }
    }
    errors
}

fn currency_ok(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())
}

/// An offer's cut-off, `HH:MM` (00:00 to 23:59).
pub fn cut_off(text: &str) -> Option<Time> {
    let b = text.as_bytes();
    if b.len() != 5
        || b[2] != b':'
        || !text[..2]
            .bytes()
            .chain(text[3..].bytes())
            .all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let hour: i8 = text[..2].parse().ok()?;
    let minute: i8 = text[3..].parse().ok()?;
    Time::new(hour, minute, 0, 0).ok()
}

/// An offer as it stands at `now`: the day it would arrive and when asking for that day
/// closes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Day {
    pub delivery_on: Date,
    pub order_by: Timestamp,
}

/// The cut-off on `date` in `zone` (a time the clocks skip counts as the next that exists).
fn cut_off_on(date: Date, at: Time, zone: &TimeZone) -> Option<Timestamp> {
    date.to_datetime(at)
        .to_zoned_datetime(zone.clone())
        .ok()
        .map(|z| z.timestamp())
}

/// Asked for at `now` on a working day before its cut-off (in the shop's zone), same day
/// and evening arrive that day and next day the working day after; later, or on a weekend,
/// the order leaves on the next working day instead ([`working_day`]). `order_by` is the
/// cut-off that applies.
pub fn day(offer: &UpgradeOffer, zone: &TimeZone, now: Timestamp) -> Option<Day> {
    let at = cut_off(&offer.cut_off)?;
    let mut from = now.to_zoned_datetime(zone.clone()).date();
    // The first working day whose cut-off is still ahead: at most three days on.
    let order_by = loop {
        if working_day(from) {
            let closes = cut_off_on(from, at, zone)?;
            if now < closes {
                break closes;
            }
        }
        from = from.tomorrow().ok()?;
    };
    let delivery_on = match offer.kind {
        UpgradeKind::SameDay | UpgradeKind::Evening => from,
        UpgradeKind::NextDay => {
            let mut next = from.tomorrow().ok()?;
            while !working_day(next) {
                next = next.tomorrow().ok()?;
            }
            next
        }
    };
    Some(Day {
        delivery_on,
        order_by,
    })
}

/// What of an order decides whether its shopper may ask for an upgrade.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OrderFacts {
    /// A parcel of it is registered.
    pub parcels: bool,
    pub cancelled: bool,
    pub delivered: bool,
    /// A request waits for the shop.
    pub waiting: bool,
    /// A request was confirmed.
    pub confirmed: bool,
}

/// Why a shopper may not ask now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Closed {
    /// The shop offers no such upgrade.
    NotOffered,
    /// A parcel is registered, the order is cancelled or delivered, or it was upgraded.
    Closed,
    /// A request already waits for the shop.
    Waiting,
}

/// Whether the shopper may ask for an upgrade now (whatever its kind).
pub fn may_ask(order: OrderFacts) -> Result<(), Closed> {
    if order.parcels || order.cancelled || order.delivered || order.confirmed {
        return Err(Closed::Closed);
    }
    if order.waiting {
        return Err(Closed::Waiting);
    }
    Ok(())
}

/// Whether the order's view lists the follow-up: the shop offers upgrades and the shopper
/// may ask, or the shopper has a request to follow, until the order is delivered.
pub fn listed(offers: bool, order: OrderFacts, requested: bool) -> bool {
    (offers && may_ask(order).is_ok()) || (requested && !order.delivered)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(kind: UpgradeKind, cut_off: &str) -> UpgradeOffer {
        UpgradeOffer {
            kind,
            price: 495,
            currency: "EUR".into(),
            cut_off: cut_off.into(),
            daily_capacity: 5,
        }
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn the_day_follows_the_cut_off_and_the_working_days_in_the_shops_zone() {
        let amsterdam = TimeZone::get("Europe/Amsterdam").unwrap();
        let utc = TimeZone::UTC;
        use UpgradeKind::*;
        // (kind, cut-off, zone, now, delivery day, order by)
        let table = [
            // 12:00 UTC is 13:00 in Amsterdam (winter): before a 16:00 cut-off.
            (
                Evening,
                "16:00",
                &amsterdam,
                "2026-11-23T12:00:00Z",
                "2026-11-23",
                "2026-11-23T15:00:00Z",
            ),
            (
                SameDay,
                "16:00",
                &amsterdam,
                "2026-11-23T12:00:00Z",
                "2026-11-23",
                "2026-11-23T15:00:00Z",
            ),
            (
                NextDay,
                "16:00",
                &amsterdam,
                "2026-11-23T12:00:00Z",
                "2026-11-24",
                "2026-11-23T15:00:00Z",
            ),
            // 15:00 UTC is the cut-off itself: from tomorrow.
            (
                Evening,
                "16:00",
                &amsterdam,
                "2026-11-23T15:00:00Z",
                "2026-11-24",
                "2026-11-24T15:00:00Z",
            ),
            (
                NextDay,
                "16:00",
                &amsterdam,
                "2026-11-23T15:00:00Z",
                "2026-11-25",
                "2026-11-24T15:00:00Z",
            ),
            // The same instant in UTC is before a 16:00 UTC cut-off.
            (
                Evening,
                "16:00",
                &utc,
                "2026-11-23T15:00:00Z",
                "2026-11-23",
                "2026-11-23T16:00:00Z",
            ),
            // 23:30 UTC is already tomorrow in Amsterdam.
            (
                NextDay,
                "22:00",
                &amsterdam,
                "2026-11-23T23:30:00Z",
                "2026-11-25",
                "2026-11-24T21:00:00Z",
            ),
            (
                NextDay,
                "22:00",
                &utc,
                "2026-11-23T21:59:59Z",
                "2026-11-24",
                "2026-11-23T22:00:00Z",
            ),
            (
                NextDay,
                "22:00",
                &utc,
                "2026-11-23T22:00:00Z",
                "2026-11-25",
                "2026-11-24T22:00:00Z",
            ),
            // Summer time: 16:00 in Amsterdam is 14:00 UTC.
            (
                SameDay,
                "16:00",
                &amsterdam,
                "2026-07-01T13:59:00Z",
                "2026-07-01",
                "2026-07-01T14:00:00Z",
            ),
            (
                SameDay,
                "16:00",
                &amsterdam,
                "2026-07-01T14:00:00Z",
                "2026-07-02",
                "2026-07-02T14:00:00Z",
            ),
            // Across a month's and a year's end: Thursday after the cut-off leaves on
            // Friday the 1st, and the working day after is Monday the 4th.
            (
                NextDay,
                "10:00",
                &utc,
                "2026-12-31T11:00:00Z",
                "2027-01-04",
                "2027-01-01T10:00:00Z",
            ),
            // Friday 27 November before the cut-off: the evening that day, the next day
            // on Monday.
            (
                Evening,
                "16:00",
                &amsterdam,
                "2026-11-27T12:00:00Z",
                "2026-11-27",
                "2026-11-27T15:00:00Z",
            ),
            (
                NextDay,
                "16:00",
                &amsterdam,
                "2026-11-27T12:00:00Z",
                "2026-11-30",
                "2026-11-27T15:00:00Z",
            ),
            // Friday after it, and all weekend: it leaves on Monday.
            (
                Evening,
                "16:00",
                &amsterdam,
                "2026-11-27T15:00:00Z",
                "2026-11-30",
                "2026-11-30T15:00:00Z",
            ),
            (
                NextDay,
                "16:00",
                &amsterdam,
                "2026-11-28T10:00:00Z",
                "2026-12-01",
                "2026-11-30T15:00:00Z",
            ),
            (
                SameDay,
                "16:00",
                &amsterdam,
                "2026-11-29T22:59:59Z",
                "2026-11-30",
                "2026-11-30T15:00:00Z",
            ),
        ];
        for (kind, cut, zone, now, on, by) in table {
            let got = day(&offer(kind, cut), zone, at(now)).unwrap();
            assert_eq!(
                (got.delivery_on.to_string(), got.order_by),
                (on.to_owned(), at(by)),
                "{kind:?} {cut} at {now}"
            );
        }
    }

    #[test]
    fn asking_closes_with_a_parcel_cancelling_delivery_or_an_upgrade() {
        let open = OrderFacts::default();
        assert_eq!(may_ask(open), Ok(()));
        for closed in [
            OrderFacts {
                parcels: true,
                ..open
            },
            OrderFacts {
                cancelled: true,
                ..open
            },
            OrderFacts {
                delivered: true,
                ..open
            },
            OrderFacts {
                confirmed: true,
                ..open
            },
        ] {
            assert_eq!(may_ask(closed), Err(Closed::Closed), "{closed:?}");
        }
        assert_eq!(
            may_ask(OrderFacts {
                waiting: true,
                ..open
            }),
            Err(Closed::Waiting)
        );
        // Listed while asking is open, or while a request is there to follow.
        assert!(listed(true, open, false));
        assert!(!listed(false, open, false));
        let parcel = OrderFacts {
            parcels: true,
            ..open
        };
        assert!(!listed(true, parcel, false));
        assert!(listed(
            false,
            OrderFacts {
                waiting: true,
                ..parcel
            },
            true
        ));
        assert!(!listed(
            true,
            OrderFacts {
                delivered: true,
                ..parcel
            },
            true
        ));
    }

    #[test]
    fn settings_are_checked_field_by_field() {
        let good = offer(UpgradeKind::NextDay, "22:00");
        assert!(check_settings(&UpgradeSettings {
            offers: vec![good.clone()]
        })
        .is_empty());
        assert!(check_settings(&UpgradeSettings::default()).is_empty());
        let names = |offers: Vec<UpgradeOffer>| -> Vec<String> {
            check_settings(&UpgradeSettings { offers })
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        assert_eq!(names(vec![good.clone(), good.clone()]), ["offers[1].kind"]);
        let bad = UpgradeOffer {
            price: 100_001,
            currency: "eur".into(),
            cut_off: "24:00".into(),
            daily_capacity: 0,
            ..good.clone()
        };
        assert_eq!(
            names(vec![bad]),
            [
                "offers[0].price",
                "offers[0].currency",
                "offers[0].cut_off",
                "offers[0].daily_capacity"
            ]
        );
        for (cut, ok) in [
            ("00:00", true),
            ("23:59", true),
            ("9:00", false),
            ("12:60", false),
            ("1200", false),
            ("+1:00", false),
        ] {
            assert_eq!(cut_off(cut).is_some(), ok, "{cut}");
        }
        let four = vec![good.clone(), good.clone(), good.clone(), good];
        assert_eq!(names(four), ["offers"]);
        let negative = UpgradeOffer {
            price: -1,
            daily_capacity: 10_001,
            ..offer(UpgradeKind::Evening, "16:00")
        };
        assert_eq!(
            names(vec![negative]),
            ["offers[0].price", "offers[0].daily_capacity"]
        );
    }
}
