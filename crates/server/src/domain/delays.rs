//! Late and stalled, as plain functions of the facts and a clock: when a parcel on its
//! way counts as delayed and why, and by when an order should have been with a carrier.
//! The server's clock runs them ([`crate::maintenance`]), and so does every carrier event,
//! so a parcel's status is the same whichever looked last.

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use postpurchase_api::{DelayReason, ShipmentStatus};

/// The carrier statuses of a parcel still on its way: the ones a delay can overtake. A
/// parcel at a pickup point, after a failed attempt or with a problem has news of its
/// own; a delivered, returned or cancelled one is done.
pub const ON_THE_WAY: [ShipmentStatus; 5] = [
    ShipmentStatus::Pending,
    ShipmentStatus::InTransit,
    ShipmentStatus::OutForDelivery,
    ShipmentStatus::Delayed,
    ShipmentStatus::Unknown,
];

/// Whether a parcel the carrier last called `carrier` is delayed at `now`, and why:
/// `late` once `due_by` (the end of its expected window, Unix seconds) has passed;
/// otherwise `no_news` once the carrier's latest news (`last_news_at`) is more than
/// `no_news_days` days old (0: never). A parcel not yet scanned (`pending`) is waiting
/// for the shop, not the carrier: it can be late, but not out of news.
pub fn delay(
    carrier: ShipmentStatus,
    last_news_at: Option<i64>,
    due_by: Option<i64>,
    no_news_days: u32,
    now: i64,
) -> Option<DelayReason> {
    if !ON_THE_WAY.contains(&carrier) {
        return None;
    }
    if due_by.is_some_and(|due| now >= due) {
        return Some(DelayReason::Late);
    }
    let quiet_for = i64::from(no_news_days) * 86_400;
    let no_news = no_news_days > 0
        && carrier != ShipmentStatus::Pending
        && last_news_at.is_some_and(|news| now - news > quiet_for);
    no_news.then_some(DelayReason::NoNews)
}

/// The first instant after the local day `date` in `zone` (Unix seconds).
pub fn end_of(date: Date, zone: &TimeZone) -> Option<i64> {
    let next = date.tomorrow().ok()?;
    let start = next.to_zoned_datetime(zone.clone()).ok()?;
    Some(start.timestamp().as_second())
}

/// Whether `date` is a working day, Monday to Friday: the days parcels are dispatched
/// on, and faster delivery leaves and arrives on ([`super::upgrades::day`]).
pub fn working_day(date: Date) -> bool {
    !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// `days` working days (Monday to Friday) after the local day of `placed_at`; 0 is the
/// day itself.
pub fn dispatch_day(placed_at: i64, zone: &TimeZone, days: u32) -> Option<Date> {
    let mut day = Timestamp::from_second(placed_at)
        .ok()?
        .to_zoned_datetime(zone.clone())
        .date();
    let mut left = days;
    while left > 0 {
        day = day.tomorrow().ok()?;
        if working_day(day) {
            left -= 1;
        }
    }
    Some(day)
}

/// How long after its dispatch day an order not with a carrier is still announced as
/// stalled: older ones the shop has long known about, and a first run must not flood it.
pub const STALLED_WITHIN: i64 = 7 * 86_400;

/// Whether an order whose dispatch day is `day` counts as stalled at `now` (if still not
/// with a carrier): the day has ended in the shop's zone, less than
/// [`STALLED_WITHIN`] ago.
pub fn stalled(day: Date, zone: &TimeZone, now: i64) -> bool {
    end_of(day, zone).is_some_and(|end| now >= end && now - end < STALLED_WITHIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;
    // Monday 2026-03-02 12:00 UTC.
    const MONDAY_NOON: i64 = 1_772_452_800;

    #[test]
    fn a_parcel_is_late_from_the_end_of_its_window_and_not_before() {
        let due = MONDAY_NOON;
        let late = |now| delay(ShipmentStatus::InTransit, Some(now), Some(due), 3, now);
        assert_eq!(late(due - 1), None);
        assert_eq!(late(due), Some(DelayReason::Late));
        // Not yet with the carrier but past its window: late too.
        assert_eq!(
            delay(ShipmentStatus::Pending, None, Some(due), 3, due + 1),
            Some(DelayReason::Late)
        );
    }

    #[test]
    fn a_parcel_is_out_of_news_after_the_shops_days_and_not_before() {
        let news = MONDAY_NOON;
        let quiet = |now, days| delay(ShipmentStatus::InTransit, Some(news), None, days, now);
        assert_eq!(quiet(news + 3 * DAY, 3), None);
        assert_eq!(quiet(news + 3 * DAY + 1, 3), Some(DelayReason::NoNews));
        assert_eq!(quiet(news + 2 * DAY + 1, 2), Some(DelayReason::NoNews));
        // 0 turns it off.
        assert_eq!(quiet(news + 300 * DAY, 0), None);
        // Waiting for the shop is not the carrier's silence.
        assert_eq!(
            delay(
                ShipmentStatus::Pending,
                Some(news),
                None,
                3,
                news + 30 * DAY
            ),
            None
        );
        // Late wins over quiet.
        assert_eq!(
            delay(
                ShipmentStatus::InTransit,
                Some(news),
                Some(news + DAY),
                3,
                news + 10 * DAY
            ),
            Some(DelayReason::Late)
        );
    }

    #[test]
    fn a_parcel_with_news_of_its_own_or_done_is_never_delayed_by_the_clock() {
        for status in ShipmentStatus::ALL {
            let d = delay(status, Some(0), Some(1), 1, 100 * DAY);
            assert_eq!(d.is_some(), ON_THE_WAY.contains(&status), "{status:?}");
        }
    }

    #[test]
    fn dispatch_days_count_working_days_in_the_shops_zone() {
        let utc = TimeZone::UTC;
        let day = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(dispatch_day(MONDAY_NOON, &utc, 0), Some(day("2026-03-02")));
        assert_eq!(dispatch_day(MONDAY_NOON, &utc, 2), Some(day("2026-03-04")));
        // Thursday + 2 working days skips the weekend.
        assert_eq!(
            dispatch_day(MONDAY_NOON + 3 * DAY, &utc, 2),
            Some(day("2026-03-09"))
        );
        // Monday 23:30 in Amsterdam is still Monday there, Tuesday in Tokyo.
        let late_monday = MONDAY_NOON + 10 * 3600 + 30 * 60 - 3600;
        let amsterdam = TimeZone::get("Europe/Amsterdam").unwrap();
        let tokyo = TimeZone::get("Asia/Tokyo").unwrap();
        assert_eq!(
            dispatch_day(late_monday, &amsterdam, 1),
            Some(day("2026-03-03"))
        );
        assert_eq!(
            dispatch_day(late_monday, &tokyo, 1),
            Some(day("2026-03-04"))
        );
    }

    #[test]
    fn an_order_is_stalled_from_the_end_of_its_dispatch_day_for_a_week() {
        let amsterdam = TimeZone::get("Europe/Amsterdam").unwrap();
        let day: Date = "2026-03-02".parse().unwrap();
        // Midnight in Amsterdam is 23:00 UTC in winter.
        let end = MONDAY_NOON + 11 * 3600;
        assert_eq!(end_of(day, &amsterdam), Some(end));
        assert!(!stalled(day, &amsterdam, end - 1));
        assert!(stalled(day, &amsterdam, end));
        assert!(stalled(day, &amsterdam, end + STALLED_WITHIN - 1));
        assert!(!stalled(day, &amsterdam, end + STALLED_WITHIN));
    }
}
