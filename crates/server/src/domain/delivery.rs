//! The rules of delivery choices as plain functions of their inputs and a clock: when a
//! parcel's choice locks, which dates it may move to, and whether a requested choice is
//! acceptable. The handler runs them inside its write transaction.

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use postpurchase_api::{
    ChoiceKind, ChoiceLock, DateWindow, DeliveryChoice, FieldError, Neighbour, SafePlaceChoice,
    ShipmentStatus, INSTRUCTION_MAX,
};

/// A shop's delivery-choice settings.
#[derive(Clone, Debug)]
pub struct Policy {
    pub time_zone: TimeZone,
    /// Local time on the delivery day after which the choice is locked.
    pub cutoff: Time,
    /// How many days after the expected day the parcel may be moved to.
    pub later_days: u32,
}

impl Policy {
    /// Reads the settings as stored; an unknown zone or time falls back to UTC and 04:00
    /// rather than failing every order view (both are checked when the shop sets them).
    pub fn from_settings(time_zone: &str, cutoff: &str, later_days: u32) -> Policy {
        Policy {
            time_zone: TimeZone::get(time_zone).unwrap_or(TimeZone::UTC),
            cutoff: cutoff.parse().unwrap_or(Time::constant(4, 0, 0, 0)),
            later_days,
        }
    }

    /// The instant the choice for a delivery on `date` locks.
    pub fn cutoff_on(&self, date: Date) -> Option<Timestamp> {
        date.to_datetime(self.cutoff)
            .to_zoned_datetime(self.time_zone.clone())
            .ok()
            .map(|z| z.timestamp())
    }

    /// The shop's local date at `now`.
    pub fn today(&self, now: Timestamp) -> Date {
        now.to_zoned_datetime(self.time_zone.clone()).date()
    }

    /// The local date of an instant (the carrier's estimate).
    pub fn date_of(&self, at: Timestamp) -> Date {
        self.today(at)
    }

    /// Whether a delivery on `date` can still be chosen at `now`.
    pub fn open_for(&self, date: Date, now: Timestamp) -> bool {
        self.cutoff_on(date).is_some_and(|cutoff| now < cutoff)
    }

    /// The next instant after `now` at which anything these rules decide can change
    /// without a write: every rule compares the clock with a day's cut-off or asks for
    /// the local date, so that is the next cut-off or the next local midnight, whichever
    /// comes first. A view built at `now` holds until then.
    pub fn next_change(&self, now: Timestamp) -> Timestamp {
        let today = self.today(now);
        let tomorrow = today.tomorrow().ok();
        let midnight = tomorrow.and_then(|d| {
            d.to_zoned_datetime(self.time_zone.clone())
                .ok()
                .map(|z| z.timestamp())
        });
        [
            self.cutoff_on(today),
            tomorrow.and_then(|d| self.cutoff_on(d)),
            midnight,
        ]
        .into_iter()
        .flatten()
        .filter(|t| *t > now)
        .min()
        // Only at the end of time: look again in an hour.
        .unwrap_or_else(|| {
            now.saturating_add(jiff::SignedDuration::from_hours(1))
                .unwrap_or(now)
        })
    }
}

/// Whether a parcel's choice is locked at `now`, and until when it can be changed.
/// `due` is the day the parcel is now expected: the chosen slot's or other day's date, else
/// the carrier's estimate.
pub fn lock(
    status: ShipmentStatus,
    due: Option<Date>,
    now: Timestamp,
    policy: &Policy,
) -> (Option<ChoiceLock>, Option<Timestamp>) {
    use ShipmentStatus as S;
    let by_status = match status {
        S::OutForDelivery => Some(ChoiceLock::OutForDelivery),
        S::Delivered | S::AvailableForPickup => Some(ChoiceLock::Delivered),
        S::ReturnToSender | S::Cancelled | S::Exception | S::HeldAtCustoms => {
            Some(ChoiceLock::Closed)
        }
        S::Pending | S::InTransit | S::AttemptFailed | S::Delayed | S::Unknown => None,
    };
    let until = due.and_then(|d| policy.cutoff_on(d));
    if by_status.is_some() {
        return (by_status, None);
    }
    match until {
        Some(until) if now >= until => (Some(ChoiceLock::CutOff), Some(until)),
        until => (None, until),
    }
}

/// The dates a parcel expected on `expected` may be delivered on instead: that day up to
/// the shop's limit, never a day whose cut-off has passed. `None` without an estimate.
pub fn delivery_dates(
    expected: Option<Date>,
    now: Timestamp,
    policy: &Policy,
) -> Option<DateWindow> {
    let expected = expected?;
    let latest = expected
        .checked_add(jiff::Span::new().days(policy.later_days))
        .ok()?;
    let mut earliest = expected;
    while !policy.open_for(earliest, now) {
        earliest = earliest.tomorrow().ok()?;
        if earliest > latest {
            return None;
        }
    }
    Some(DateWindow {
        earliest: earliest.to_string(),
        latest: latest.to_string(),
    })
}

/// The window a parcel is now expected in (instants): a chosen slot's hours on its day; the
/// carrier's window moved to a chosen other day, at the same local hours; else the
/// carrier's window. One rule, so the parcel, the order's head and the choice form never
/// disagree about a date.
pub fn expected_window(
    carrier: Option<(Timestamp, Timestamp)>,
    slot: Option<(Date, Time, Time)>,
    other_day: Option<Date>,
    policy: &Policy,
) -> Option<(Timestamp, Timestamp)> {
    let at = |date: Date, time: Time| {
        date.to_datetime(time)
            .to_zoned_datetime(policy.time_zone.clone())
            .ok()
            .map(|z| z.timestamp())
    };
    if let Some((date, from, to)) = slot {
        return at(date, from).zip(at(date, to));
    }
    let (from, to) = carrier?;
    match other_day {
        Some(day) => {
            let start = at(day, from.to_zoned_datetime(policy.time_zone.clone()).time())?;
            let moved = start.checked_add(to.duration_since(from)).ok()?;
            Some((start, moved))
        }
        None => Some((from, to)),
    }
}

/// What the shop offers, as far as checking a choice needs it.
pub struct Offer<'a> {
    pub neighbour: bool,
    pub safe_places: &'a [String],
}

/// Checks a requested choice's shape and text fields and returns it cleaned (trimmed, only
/// the field of its kind kept). Slots, pickup points and dates are checked against the
/// database and the calendar by the caller.
pub fn clean_choice(
    choice: &DeliveryChoice,
    offer: &Offer,
) -> Result<DeliveryChoice, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut fail = |field: &str, message: &str| {
        errors.push(FieldError::new(format!("choice.{field}"), message));
    };
    let kind = choice.kind;
    let present = [
        (ChoiceKind::Slot, "slot_id", choice.slot_id.is_some()),
        (
            ChoiceKind::Neighbour,
            "neighbour",
            choice.neighbour.is_some(),
        ),
        (
            ChoiceKind::SafePlace,
            "safe_place",
            choice.safe_place.is_some(),
        ),
        (
            ChoiceKind::PickupPoint,
            "pickup_point_id",
            choice.pickup_point_id.is_some(),
        ),
        (ChoiceKind::AnotherDay, "date", choice.date.is_some()),
    ];
    for (k, field, is_set) in present {
        if k == kind && !is_set {
            fail(field, "is required for this kind of choice");
        } else if k != kind && is_set {
            fail(field, "belongs to another kind of choice; leave it out");
        }
    }
    let mut clean = DeliveryChoice {
        kind,
        slot_id: choice.slot_id.filter(|_| kind == ChoiceKind::Slot),
        neighbour: None,
        safe_place: None,
        pickup_point_id: choice
            .pickup_point_id
            .filter(|_| kind == ChoiceKind::PickupPoint),
        date: None,
    };
    match kind {
        ChoiceKind::Neighbour => {
            if !offer.neighbour {
                fail("kind", "this shop does not deliver to neighbours");
            }
            if let Some(n) = &choice.neighbour {
                let name = n.name.trim();
                let house = n.house_number.trim();
                if name.is_empty() || name.chars().count() > 60 {
                    fail("neighbour.name", "must be 1 to 60 characters");
                }
                if !is_house_number(house) {
                    fail(
                        "neighbour.house_number",
                        "must be a house number of up to 10 characters, e.g. 12 or 12-B",
                    );
                }
                clean.neighbour = Some(Neighbour {
                    name: name.to_owned(),
                    house_number: house.to_owned(),
                });
            }
        }
        ChoiceKind::SafePlace => {
            if offer.safe_places.is_empty() {
                fail("kind", "this shop does not leave parcels in safe places");
            }
            if let Some(p) = &choice.safe_place {
                let place = p.place.as_deref().map(str::trim).filter(|p| !p.is_empty());
                let instruction = p
                    .instruction
                    .as_deref()
                    .map(str::trim)
                    .filter(|i| !i.is_empty());
                if place.is_some_and(|p| !offer.safe_places.iter().any(|o| o == p)) {
                    fail("safe_place.place", "is not one of the shop's safe places");
                }
                if place.is_none() && instruction.is_none() {
                    fail("safe_place.place", "choose a place or describe one");
                }
                if instruction.is_some_and(|i| i.chars().count() > INSTRUCTION_MAX) {
                    fail("safe_place.instruction", "must be at most 140 characters");
                }
                if !p.risk_accepted {
                    fail(
                        "safe_place.risk_accepted",
                        "must be true: once left there, the parcel is the shopper's responsibility",
                    );
                }
                clean.safe_place = Some(SafePlaceChoice {
                    place: place.map(str::to_owned),
                    instruction: instruction.map(str::to_owned),
                    risk_accepted: p.risk_accepted,
                });
            }
        }
        ChoiceKind::AnotherDay => {
            clean.date = choice.date.as_deref().map(str::trim).map(str::to_owned);
            if clean
                .date
                .as_deref()
                .is_some_and(|d| d.parse::<Date>().is_err())
            {
                fail("date", "must be a date, YYYY-MM-DD");
            }
        }
        ChoiceKind::Slot | ChoiceKind::PickupPoint => {}
    }
    if errors.is_empty() {
        Ok(clean)
    } else {
        Err(errors)
    }
}

fn is_house_number(text: &str) -> bool {
    (1..=10).contains(&text.chars().count())
        && text.chars().any(|c| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '/'))
}

/// Straight-line distance in metres between two points (haversine, mean Earth radius).
pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> u32 {
    let (lat1, lon1) = (a.0.to_radians(), a.1.to_radians());
    let (lat2, lon2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    (2.0 * 6_371_000.0 * h.sqrt().asin()).round() as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use ShipmentStatus as S;

    fn amsterdam() -> Policy {
        Policy::from_settings("Europe/Amsterdam", "04:00", 5)
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn day(text: &str) -> Option<Date> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn a_chosen_slot_or_day_becomes_the_parcels_window() {
        let p = amsterdam();
        let carrier = Some((at("2026-11-25T09:00:00Z"), at("2026-11-25T13:00:00Z")));
        let window = |slot, other| {
            expected_window(carrier, slot, other, &p).map(|(a, b)| (a.to_string(), b.to_string()))
        };
        let pair = |a: &str, b: &str| Some((a.to_owned(), b.to_owned()));
        // Nothing chosen: the carrier's window.
        assert_eq!(
            window(None, None),
            pair("2026-11-25T09:00:00Z", "2026-11-25T13:00:00Z")
        );
        // A slot: its local hours on its day (Amsterdam is UTC+1 in winter).
        let slot = (
            day("2026-11-27").unwrap(),
            Time::constant(18, 0, 0, 0),
            Time::constant(20, 0, 0, 0),
        );
        assert_eq!(
            window(Some(slot), None),
            pair("2026-11-27T17:00:00Z", "2026-11-27T19:00:00Z")
        );
        // Another day: the carrier's hours, moved; across a change of clocks too.
        assert_eq!(
            window(None, day("2026-11-28")),
            pair("2026-11-28T09:00:00Z", "2026-11-28T13:00:00Z")
        );
        let summer = Some((at("2027-03-27T09:00:00Z"), at("2027-03-27T13:00:00Z")));
        let moved = expected_window(summer, None, day("2027-03-29"), &p).unwrap();
        assert_eq!(moved.0.to_string(), "2027-03-29T08:00:00Z");
        // A slot needs no estimate; another day does.
        assert!(expected_window(None, Some(slot), None, &p).is_some());
        assert_eq!(expected_window(None, None, day("2026-11-28"), &p), None);
    }

    /// One cut-off case: status, due day, now, expected lock, expected "changeable until".
    type Case = (
        S,
        Option<Date>,
        &'static str,
        Option<ChoiceLock>,
        Option<&'static str>,
    );

    #[test]
    fn cutoffs_follow_the_clock_the_status_and_the_shops_time_zone() {
        let p = amsterdam();
        let cases: &[Case] = &[
            // The day before: open, until 04:00 Amsterdam time (03:00 UTC in winter).
            (
                S::InTransit,
                day("2026-11-25"),
                "2026-11-24T18:00:00Z",
                None,
                Some("2026-11-25T03:00:00Z"),
            ),
            // One second before the cut-off: still open.
            (
                S::InTransit,
                day("2026-11-25"),
                "2026-11-25T02:59:59Z",
                None,
                Some("2026-11-25T03:00:00Z"),
            ),
            // At the cut-off: locked.
            (
                S::InTransit,
                day("2026-11-25"),
                "2026-11-25T03:00:00Z",
                Some(ChoiceLock::CutOff),
                Some("2026-11-25T03:00:00Z"),
            ),
            // Summer time: 04:00 Amsterdam is 02:00 UTC.
            (
                S::Pending,
                day("2026-07-01"),
                "2026-07-01T01:59:00Z",
                None,
                Some("2026-07-01T02:00:00Z"),
            ),
            (
                S::Pending,
                day("2026-07-01"),
                "2026-07-01T02:00:00Z",
                Some(ChoiceLock::CutOff),
                Some("2026-07-01T02:00:00Z"),
            ),
            // No expected day: nothing to cut off.
            (S::Pending, None, "2026-11-25T12:00:00Z", None, None),
            // A failed attempt or a delay reopens nothing by itself but does not lock either.
            (
                S::AttemptFailed,
                day("2026-11-26"),
                "2026-11-25T12:00:00Z",
                None,
                Some("2026-11-26T03:00:00Z"),
            ),
            (
                S::Delayed,
                day("2026-11-26"),
                "2026-11-25T12:00:00Z",
                None,
                Some("2026-11-26T03:00:00Z"),
            ),
            // Out for delivery locks whatever the clock says.
            (
                S::OutForDelivery,
                day("2026-11-30"),
                "2026-11-25T12:00:00Z",
                Some(ChoiceLock::OutForDelivery),
                None,
            ),
            (
                S::Delivered,
                None,
                "2026-11-25T12:00:00Z",
                Some(ChoiceLock::Delivered),
                None,
            ),
            (
                S::AvailableForPickup,
                None,
                "2026-11-25T12:00:00Z",
                Some(ChoiceLock::Delivered),
                None,
            ),
            (
                S::ReturnToSender,
                None,
                "2026-11-25T12:00:00Z",
                Some(ChoiceLock::Closed),
                None,
            ),
            (
                S::Cancelled,
                None,
                "2026-11-25T12:00:00Z",
                Some(ChoiceLock::Closed),
                None,
            ),
            (
                S::Exception,
                None,
                "2026-11-25T12:00:00Z",
                Some(ChoiceLock::Closed),
                None,
            ),
        ];
        for (status, due, now, want_lock, want_until) in cases {
            let (lock, until) = lock(*status, *due, at(now), &p);
            assert_eq!(lock, *want_lock, "{status:?} due {due:?} at {now}");
            assert_eq!(until, want_until.map(at), "{status:?} due {due:?} at {now}");
        }
    }

    #[test]
    fn a_parcel_moves_only_to_open_days_within_the_limit() {
        let p = amsterdam();
        let dates = |expected: &str, now: &str| {
            delivery_dates(day(expected), at(now), &p).map(|w| (w.earliest, w.latest))
        };
        assert_eq!(
            dates("2026-11-25", "2026-11-24T12:00:00Z"),
            Some(("2026-11-25".into(), "2026-11-30".into()))
        );
        // Past the expected day's cut-off: the earliest open day is the next one.
        assert_eq!(
            dates("2026-11-25", "2026-11-25T06:00:00Z"),
            Some(("2026-11-26".into(), "2026-11-30".into()))
        );
        assert_eq!(delivery_dates(None, at("2026-11-24T12:00:00Z"), &p), None);
        let strict = Policy::from_settings("Europe/Amsterdam", "04:00", 0);
        assert_eq!(
            delivery_dates(day("2026-11-25"), at("2026-11-26T00:00:00Z"), &strict),
            None
        );
    }

    fn offer() -> (bool, Vec<String>) {
        (true, vec!["porch".into(), "garage".into()])
    }

    fn check(json: &str) -> Result<DeliveryChoice, Vec<String>> {
        let (neighbour, places) = offer();
        let choice: DeliveryChoice = serde_json::from_str(json).unwrap();
        clean_choice(
            &choice,
            &Offer {
                neighbour,
                safe_places: &places,
            },
        )
        .map_err(|e| e.into_iter().map(|f| f.field).collect())
    }

    #[test]
    fn choices_are_trimmed_and_every_bad_field_is_named() {
        let ok = check(
            r#"{"kind":"neighbour","neighbour":{"name":"  Mrs Jansen ","house_number":" 12-B "}}"#,
        )
        .unwrap();
        assert_eq!(
            ok.neighbour.unwrap(),
            Neighbour {
                name: "Mrs Jansen".into(),
                house_number: "12-B".into()
            }
        );
        assert_eq!(
            check(r#"{"kind":"neighbour","neighbour":{"name":" ","house_number":"twelve"}}"#)
                .unwrap_err(),
            ["choice.neighbour.name", "choice.neighbour.house_number"]
        );
        assert_eq!(
            check(r#"{"kind":"neighbour","slot_id":3}"#).unwrap_err(),
            ["choice.slot_id", "choice.neighbour"]
        );
        assert_eq!(
            check(r#"{"kind":"safe_place","safe_place":{"place":"roof","instruction":"x"}}"#)
                .unwrap_err(),
            ["choice.safe_place.place", "choice.safe_place.risk_accepted"]
        );
        assert_eq!(
            check(
                r#"{"kind":"safe_place","safe_place":{"instruction":"  ","risk_accepted":true}}"#
            )
            .unwrap_err(),
            ["choice.safe_place.place"]
        );
        let long = format!(
            r#"{{"kind":"safe_place","safe_place":{{"instruction":"{}","risk_accepted":true}}}}"#,
            "a".repeat(141)
        );
        assert_eq!(check(&long).unwrap_err(), ["choice.safe_place.instruction"]);
        let place = check(r#"{"kind":"safe_place","safe_place":{"place":"porch","instruction":"behind the bench","risk_accepted":true}}"#).unwrap();
        assert_eq!(place.safe_place.unwrap().place.as_deref(), Some("porch"));
        assert_eq!(
            check(r#"{"kind":"another_day","date":"next week"}"#).unwrap_err(),
            ["choice.date"]
        );
        assert!(check(r#"{"kind":"slot","slot_id":4}"#).is_ok());
        let no_neighbours = clean_choice(
            &serde_json::from_str(
                r#"{"kind":"neighbour","neighbour":{"name":"A","house_number":"1"}}"#,
            )
            .unwrap(),
            &Offer {
                neighbour: false,
                safe_places: &[],
            },
        );
        assert_eq!(no_neighbours.unwrap_err()[0].field, "choice.kind");
        let no_safe_places = clean_choice(
            &serde_json::from_str(
                r#"{"kind":"safe_place","safe_place":{"instruction":"shed","risk_accepted":true}}"#,
            )
            .unwrap(),
            &Offer {
                neighbour: true,
                safe_places: &[],
            },
        );
        assert_eq!(no_safe_places.unwrap_err()[0].field, "choice.kind");
    }

    #[test]
    fn distances_are_straight_lines_in_metres() {
        // Amsterdam Centraal to the Dam: about 750 m.
        let d = distance_m((52.3791, 4.9003), (52.3731, 4.8926));
        assert!((700..=900).contains(&d), "{d}");
        assert_eq!(distance_m((52.0, 4.0), (52.0, 4.0)), 0);
    }

    #[test]
    fn a_view_holds_until_the_next_cutoff_or_local_midnight() {
        let p = amsterdam();
        // 13:00 in Amsterdam (UTC+1): midnight comes before tomorrow's 04:00 cut-off.
        assert_eq!(
            p.next_change(at("2026-11-25T12:00:00Z")),
            at("2026-11-25T23:00:00Z")
        );
        // 03:00 there: today's cut-off at 04:00.
        assert_eq!(
            p.next_change(at("2026-11-25T02:00:00Z")),
            at("2026-11-25T03:00:00Z")
        );
        // At the cut-off itself the next is midnight; just after midnight, 04:00.
        assert_eq!(
            p.next_change(at("2026-11-25T03:00:00Z")),
            at("2026-11-25T23:00:00Z")
        );
        assert_eq!(
            p.next_change(at("2026-11-25T23:00:00Z")),
            at("2026-11-26T03:00:00Z")
        );
        // A cut-off late in the evening comes before midnight; summer time counts.
        let late = Policy::from_settings("Europe/Amsterdam", "22:30", 0);
        assert_eq!(
            late.next_change(at("2026-07-01T10:00:00Z")),
            at("2026-07-01T20:30:00Z")
        );
        assert_eq!(
            late.next_change(at("2026-07-01T20:30:00Z")),
            at("2026-07-01T22:00:00Z")
        );
    }
}
