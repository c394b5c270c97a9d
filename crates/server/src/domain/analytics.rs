//! The dashboard's figures as plain functions of the rows the store reads: what each
//! figure means is decided here, once, and tested without a database.

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use postpurchase_api::{
    Analytics, CarrierFigures, Count, DayFigures, DeliveryFigures, FieldError, HeardCount, Money,
    NpsFigures, ReferralFigures, Retention, ReturnFigures, ReviewFigures, ShipmentStatus, Traffic,
    WidgetEvent, ANALYTICS_MAX_DAYS,
};

use super::survey::{net_promoter_score, weekly_scores};

/// Below this many answers the dashboard flags the NPS as saying little.
pub const NPS_FEW_ANSWERS: u32 = 30;
/// At most this many of one event per order, day and module are counted.
pub const EVENTS_PER_DAY: i64 = 50;
/// Days shown when no period is asked for: the last 30, today included.
pub const DEFAULT_DAYS: i64 = 30;
const DAY: i64 = 86_400;

/// Whole days in a shop's time zone, the first and the last included.
#[derive(Clone, Debug)]
pub struct Period {
    pub from: Date,
    pub to: Date,
    pub zone: TimeZone,
}

impl Period {
    /// The period asked for (`YYYY-MM-DD`, either may be left out) in the shop's zone,
    /// ending today by default; at most [`ANALYTICS_MAX_DAYS`] days.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        zone: TimeZone,
        now: i64,
    ) -> Result<Period, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut date = |field: &str, text: Option<&str>| match text.map(str::parse::<Date>) {
            None => None,
            Some(Ok(d)) => Some(d),
            Some(Err(_)) => {
                errors.push(FieldError::new(field, "must be a date, YYYY-MM-DD"));
                None
            }
        };
        let (from, to) = (date("from", from), date("to", to));
        if !errors.is_empty() {
            return Err(errors);
        }
        let today = Timestamp::from_second(now)
            .unwrap_or(Timestamp::UNIX_EPOCH)
            .to_zoned_datetime(zone.clone())
            .date();
        let to = to.unwrap_or(today);
        let from =
            from.unwrap_or_else(|| to.saturating_sub(jiff::Span::new().days(DEFAULT_DAYS - 1)));
        let days = days_between(from, to);
        if days < 0 {
            errors.push(FieldError::new("from", "must be on or before `to`"));
        } else if days >= ANALYTICS_MAX_DAYS {
            errors.push(FieldError::new(
                "to",
                format!("must be less than {ANALYTICS_MAX_DAYS} days after `from`"),
            ));
        }
        if errors.is_empty() {
            Ok(Period { from, to, zone })
        } else {
            Err(errors)
        }
    }

    /// The first instant of the period (Unix seconds).
    pub fn start(&self) -> i64 {
        self.midnight(self.from)
    }

    /// The first instant after it.
    pub fn end(&self) -> i64 {
        self.midnight(self.to.tomorrow().unwrap_or(self.to))
    }

    fn midnight(&self, day: Date) -> i64 {
        day.to_datetime(jiff::civil::Time::constant(0, 0, 0, 0))
            .to_zoned_datetime(self.zone.clone())
            .map(|z| z.timestamp().as_second())
            .unwrap_or_default()
    }

    /// The shop's day of an instant.
    pub fn day_of(&self, at: i64) -> Date {
        day_in(&self.zone, at)
    }

    /// Every day of the period, in order.
    pub fn days(&self) -> impl Iterator<Item = Date> + '_ {
        self.from
            .series(jiff::Span::new().days(1))
            .take_while(|d| *d <= self.to)
    }
}

/// The day an instant falls on in `zone`.
pub fn day_in(zone: &TimeZone, at: i64) -> Date {
    Timestamp::from_second(at)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned_datetime(zone.clone())
        .date()
}

fn days_between(from: Date, to: Date) -> i64 {
    let days = |d: Date| {
        d.to_datetime(jiff::civil::Time::constant(0, 0, 0, 0))
            .to_zoned_datetime(TimeZone::UTC)
            .map(|z| z.timestamp().as_second() / DAY)
            .unwrap_or_default()
    };
    days(to) - days(from)
}

/// An order placed in the period.
#[derive(Clone, Debug, Default)]
pub struct OrderFact {
    pub id: i64,
    pub placed_at: i64,
    pub currency: String,
    pub total: i64,
    /// The last day of the promised window, if the shop gave one.
    pub promised_to: Option<String>,
    /// Earlier orders of the same customer.
    pub earlier_orders: u32,
    /// When the customer's first order was placed (this one's own time if it is the first).
    pub first_placed_at: i64,
    /// The customer came with a referral code.
    pub referred: bool,
    /// Lines ordered.
    pub lines: u32,
}

/// A parcel of an order placed in the period.
#[derive(Clone, Debug, Default)]
pub struct ParcelFact {
    pub order_id: i64,
    pub carrier: String,
    pub status: Option<ShipmentStatus>,
    /// The kind of the shopper's delivery choice, if any.
    pub choice: Option<String>,
    /// The first event that said delivered.
    pub delivered_at: Option<i64>,
    pub had_exception: bool,
    pub had_failed_attempt: bool,
}

/// A return of an order placed in the period, not cancelled or rejected.
#[derive(Clone, Debug, Default)]
pub struct ReturnFact {
    pub order_id: i64,
    pub resolution: String,
    pub refund: i64,
    pub currency: String,
}

/// Items returned together for one reason.
#[derive(Clone, Debug, Default)]
pub struct ReturnedItem {
    pub reason: String,
    pub product: String,
    pub quantity: u32,
}

/// A count of one widget event of one order on one day.
#[derive(Clone, Debug, Default)]
pub struct EventFact {
    pub order_id: i64,
    pub day: String,
    pub event: String,
    pub module: String,
    pub count: u32,
}

/// Everything the figures are computed from.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub events_enabled: bool,
    pub orders: Vec<OrderFact>,
    pub parcels: Vec<ParcelFact>,
    pub returns: Vec<ReturnFact>,
    pub returned_items: Vec<ReturnedItem>,
    /// Stars of the reviews of the period's lines (rejected ones left out).
    pub stars: Vec<u8>,
    /// Events on the period's days, and every event of the period's orders.
    pub events: Vec<EventFact>,
    /// `(answered_at, score)` of the answers in the period.
    pub nps: Vec<(i64, u8)>,
    pub heard: Vec<HeardCount>,
    pub codes_shown: u32,
    pub redemptions: u32,
    /// `(capacity, taken)` of the period's slots.
    pub slots: Vec<(u32, u32)>,
}

fn share(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| f64::from(part) / f64::from(whole))
}

/// Counts by name, most first, then by name.
fn ranked(counts: HashMap<String, u32>) -> Vec<Count> {
    let mut list: Vec<Count> = counts
        .into_iter()
        .map(|(name, count)| Count { name, count })
        .collect();
    list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    list
}

/// Amounts by currency, in currency order.
fn money(amounts: BTreeMap<String, i64>) -> Vec<Money> {
    amounts
        .into_iter()
        .map(|(currency, amount)| Money { currency, amount })
        .collect()
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    })
}

/// The dashboard's figures for `period` from `facts`.
pub fn figures(period: &Period, time_zone: &str, facts: &Facts) -> Analytics {
    let from = period.from.to_string();
    let to = period.to.to_string();
    let in_period = |day: &str| day >= from.as_str() && day <= to.as_str();
    let orders = facts.orders.len() as u32;
    let cohort: HashSet<i64> = facts.orders.iter().map(|o| o.id).collect();

    // Orders and visits per day.
    let mut daily: BTreeMap<String, DayFigures> = period
        .days()
        .map(|d| {
            let day = d.to_string();
            (
                day.clone(),
                DayFigures {
                    day,
                    orders: 0,
                    visits: 0,
                },
            )
        })
        .collect();
    for order in &facts.orders {
        if let Some(day) = daily.get_mut(&period.day_of(order.placed_at).to_string()) {
            day.orders += 1;
        }
    }
    let mut visits_by_order: HashMap<i64, u32> = HashMap::new();
    let mut modules = HashMap::new();
    let (mut visits, mut copied, mut shared) = (0, 0, 0);
    for e in &facts.events {
        let opened = e.event == WidgetEvent::Opened.as_str();
        if opened && cohort.contains(&e.order_id) {
            *visits_by_order.entry(e.order_id).or_default() += e.count;
        }
        if !in_period(&e.day) {
            continue;
        }
        match e.event.as_str() {
            _ if opened => {
                visits += e.count;
                if let Some(day) = daily.get_mut(&e.day) {
                    day.visits += e.count;
                }
            }
            "module_opened" => *modules.entry(e.module.clone()).or_default() += e.count,
            "link_copied" => copied += e.count,
            "shared" => shared += e.count,
            _ => {}
        }
    }
    let orders_opened = visits_by_order.len() as u32;
    let cohort_visits: u32 = visits_by_order.values().sum();
    let traffic = Traffic {
        orders,
        orders_opened,
        opened_share: share(orders_opened, orders),
        visits,
        visits_per_order: share(cohort_visits, orders_opened),
        modules_opened: ranked(modules),
    };

    // Delivery.
    let placed: HashMap<i64, &OrderFact> = facts.orders.iter().map(|o| (o.id, o)).collect();
    let mut carriers: BTreeMap<String, (CarrierFigures, Vec<f64>)> = BTreeMap::new();
    let mut choices = HashMap::new();
    let (mut delivered, mut promised, mut on_time, mut exceptions, mut failed) = (0, 0, 0, 0, 0);
    for p in &facts.parcels {
        let (figures, days) = carriers.entry(p.carrier.clone()).or_insert_with(|| {
            (
                CarrierFigures {
                    carrier: p.carrier.clone(),
                    parcels: 0,
                    delivered: 0,
                    average_days: None,
                    exceptions: 0,
                    failed_attempts: 0,
                },
                Vec::new(),
            )
        });
        figures.parcels += 1;
        figures.exceptions += u32::from(p.had_exception);
        figures.failed_attempts += u32::from(p.had_failed_attempt);
        exceptions += u32::from(p.had_exception);
        failed += u32::from(p.had_failed_attempt);
        if let Some(kind) = &p.choice {
            *choices.entry(kind.clone()).or_default() += 1;
        }
        let is_delivered = p.status == Some(ShipmentStatus::Delivered);
        if !is_delivered {
            continue;
        }
        delivered += 1;
        figures.delivered += 1;
        let (Some(at), Some(order)) = (p.delivered_at, placed.get(&p.order_id)) else {
            continue;
        };
        days.push((at - order.placed_at) as f64 / DAY as f64);
        if let Some(last) = &order.promised_to {
            promised += 1;
            if period.day_of(at).to_string() <= *last {
                on_time += 1;
            }
        }
    }
    let parcels = facts.parcels.len() as u32;
    let with_choice = facts.parcels.iter().filter(|p| p.choice.is_some()).count() as u32;
    let (slot_places, slots_taken) = facts
        .slots
        .iter()
        .fold((0, 0), |(c, t), (capacity, taken)| {
            (c + capacity, t + taken)
        });
    let delivery = DeliveryFigures {
        parcels,
        delivered,
        promised,
        on_time,
        on_time_rate: share(on_time, promised),
        exceptions,
        failed_attempts: failed,
        carriers: carriers
            .into_values()
            .map(|(mut figures, days)| {
                figures.average_days =
                    (!days.is_empty()).then(|| days.iter().sum::<f64>() / days.len() as f64);
                figures
            })
            .collect(),
        choices: ranked(choices),
        choice_uptake: share(with_choice, parcels),
        slot_places,
        slots_taken,
        slot_fill: share(slots_taken, slot_places),
    };

    // Returns.
    let returned: HashSet<i64> = facts.returns.iter().map(|r| r.order_id).collect();
    let (mut kept, mut refunded) = (BTreeMap::new(), BTreeMap::new());
    for r in &facts.returns {
        let into = if r.resolution == "refund" {
            &mut refunded
        } else {
            &mut kept
        };
        *into.entry(r.currency.clone()).or_default() += r.refund;
    }
    let (mut reasons, mut products) = (HashMap::new(), HashMap::new());
    for item in &facts.returned_items {
        *reasons.entry(item.reason.clone()).or_default() += item.quantity;
        *products.entry(item.product.clone()).or_default() += item.quantity;
    }
    let returns = ReturnFigures {
        returns: facts.returns.len() as u32,
        orders_returned: returned.len() as u32,
        return_rate: share(returned.len() as u32, orders),
        by_reason: ranked(reasons),
        by_product: ranked(products),
        kept: money(kept),
        refunded: money(refunded),
    };

    // Reviews.
    let items: u32 = facts.orders.iter().map(|o| o.lines).sum();
    let mut stars = [0u32; 5];
    for s in &facts.stars {
        if (1..=5).contains(s) {
            stars[usize::from(*s) - 1] += 1;
        }
    }
    let reviewed: u32 = stars.iter().sum();
    let total_stars: u32 = stars.iter().zip(1..).map(|(n, s)| n * s).sum();
    let reviews = ReviewFigures {
        items,
        reviewed,
        review_rate: share(reviewed, items),
        average: share(total_stars, reviewed),
        stars,
    };

    // Referral.
    let mut friends_revenue = BTreeMap::new();
    let mut friends_orders = 0;
    for o in facts.orders.iter().filter(|o| o.referred) {
        friends_orders += 1;
        *friends_revenue.entry(o.currency.clone()).or_default() += o.total;
    }
    let referral = ReferralFigures {
        codes_shown: facts.codes_shown,
        links_copied: copied,
        shared,
        redemptions: facts.redemptions,
        friends_orders,
        friends_revenue: money(friends_revenue),
    };

    // NPS, its weeks in the shop's days.
    let scores: Vec<u8> = facts.nps.iter().map(|(_, s)| *s).collect();
    let local: Vec<(i64, u8)> = facts
        .nps
        .iter()
        .map(|(at, s)| (local_seconds(&period.zone, *at), *s))
        .collect();
    let answers = scores.len() as u32;
    let mut heard = facts.heard.clone();
    heard.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.option.cmp(&b.option)));
    let nps = NpsFigures {
        answers,
        nps: net_promoter_score(&scores),
        few_answers: answers < NPS_FEW_ANSWERS,
        promoters: scores.iter().filter(|s| **s >= 9).count() as u32,
        passives: scores.iter().filter(|s| (7..=8).contains(*s)).count() as u32,
        detractors: scores.iter().filter(|s| **s <= 6).count() as u32,
        weekly: weekly_scores(&local, 60),
        heard,
    };

    // Retention.
    let repeat_orders = facts.orders.iter().filter(|o| o.earlier_orders > 0).count() as u32;
    let seconds: Vec<f64> = facts
        .orders
        .iter()
        .filter(|o| o.earlier_orders == 1)
        .map(|o| (o.placed_at - o.first_placed_at) as f64 / DAY as f64)
        .collect();
    let retention = Retention {
        orders,
        repeat_orders,
        repeat_rate: share(repeat_orders, orders),
        second_orders: seconds.len() as u32,
        median_days_to_second: median(seconds),
    };

    Analytics {
        from,
        to,
        time_zone: time_zone.to_owned(),
        events: facts.events_enabled,
        daily: daily.into_values().collect(),
        traffic,
        delivery,
        returns,
        reviews,
        referral,
        nps,
        retention,
    }
}

/// An instant moved by its offset in `zone`, so that counting whole days from the epoch
/// gives the zone's days.
fn local_seconds(zone: &TimeZone, at: i64) -> i64 {
    let offset = Timestamp::from_second(at)
        .map(|t| zone.to_offset(t).seconds())
        .unwrap_or_default();
    at + i64::from(offset)
}

/// A figure as a CSV cell: an empty cell for none, at most four decimals.
pub fn cell(value: Option<f64>) -> String {
    value.map_or_else(String::new, |v| {
        let text = format!("{v:.4}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    })
}

/// A CSV field, quoted when it must be, and never read as a formula by a spreadsheet.
pub fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amsterdam() -> TimeZone {
        TimeZone::get("Europe/Amsterdam").unwrap()
    }

    // 2026-11-30 12:00 UTC.
    const NOW: i64 = 1_796_040_000;

    #[test]
    fn a_period_is_whole_days_in_the_shop_zone() {
        let p = Period::parse(Some("2026-11-01"), Some("2026-11-30"), amsterdam(), NOW).unwrap();
        // Midnight in Amsterdam (UTC+1 in November) is 23:00 UTC the day before.
        assert_eq!(p.start(), 1_793_487_600);
        assert_eq!(p.end() - p.start(), 30 * DAY);
        assert_eq!(p.days().count(), 30);
        assert_eq!(p.day_of(p.start()).to_string(), "2026-11-01");
        assert_eq!(p.day_of(p.start() - 1).to_string(), "2026-10-31");
        let default = Period::parse(None, None, amsterdam(), NOW).unwrap();
        assert_eq!(
            (default.from.to_string(), default.to.to_string()),
            ("2026-11-01".into(), "2026-11-30".into())
        );
    }

    #[test]
    fn a_period_is_refused_backwards_too_long_or_not_a_date() {
        let fields = |from, to| {
            Period::parse(from, to, TimeZone::UTC, NOW)
                .unwrap_err()
                .into_iter()
                .map(|e| e.field)
                .collect::<Vec<_>>()
        };
        assert_eq!(fields(Some("2026-11-02"), Some("2026-11-01")), ["from"]);
        assert_eq!(fields(Some("2025-01-01"), Some("2026-11-01")), ["to"]);
        assert_eq!(
            fields(Some("yesterday"), Some("2026-13-01")),
            ["from", "to"]
        );
        assert!(Period::parse(Some("2025-11-01"), Some("2026-10-31"), TimeZone::UTC, NOW).is_ok());
    }

    fn order(id: i64, placed_at: i64) -> OrderFact {
        OrderFact {
            id,
            placed_at,
            currency: "EUR".into(),
            total: 10_000,
            first_placed_at: placed_at,
            lines: 2,
            ..Default::default()
        }
    }

    #[test]
    fn figures_follow_their_definitions() {
        let p = Period::parse(Some("2026-11-01"), Some("2026-11-30"), TimeZone::UTC, NOW).unwrap();
        let day = |d: i64| p.start() + d * DAY + 3_600;
        let mut facts = Facts {
            events_enabled: true,
            orders: vec![
                order(1, day(0)),
                order(2, day(0)),
                order(3, day(9)),
                order(4, day(20)),
            ],
            ..Default::default()
        };
        facts.orders[0].promised_to = Some("2026-11-03".into());
        facts.orders[1].promised_to = Some("2026-11-03".into());
        facts.orders[2].earlier_orders = 1;
        facts.orders[2].first_placed_at = day(0) - 10 * DAY;
        facts.orders[3].earlier_orders = 2;
        facts.orders[3].referred = true;
        facts.parcels = vec![
            ParcelFact {
                order_id: 1,
                carrier: "dhl".into(),
                status: Some(ShipmentStatus::Delivered),
                delivered_at: Some(day(2)),
                choice: Some("slot".into()),
                ..Default::default()
            },
            ParcelFact {
                order_id: 2,
                carrier: "dhl".into(),
                status: Some(ShipmentStatus::Delivered),
                delivered_at: Some(day(4)),
                had_failed_attempt: true,
                ..Default::default()
            },
            ParcelFact {
                order_id: 3,
                carrier: "postnl".into(),
                status: Some(ShipmentStatus::Exception),
                had_exception: true,
                ..Default::default()
            },
        ];
        facts.returns = vec![
            ReturnFact {
                order_id: 1,
                resolution: "refund".into(),
                refund: 3_000,
                currency: "EUR".into(),
            },
            ReturnFact {
                order_id: 1,
                resolution: "exchange".into(),
                refund: 2_000,
                currency: "EUR".into(),
            },
            ReturnFact {
                order_id: 2,
                resolution: "store_credit".into(),
                refund: 1_000,
                currency: "EUR".into(),
            },
        ];
        facts.returned_items = vec![
            ReturnedItem {
                reason: "Too small".into(),
                product: "Tee".into(),
                quantity: 2,
            },
            ReturnedItem {
                reason: "Too large".into(),
                product: "Tee".into(),
                quantity: 1,
            },
        ];
        facts.stars = vec![5, 4, 4, 1];
        facts.events = vec![
            EventFact {
                order_id: 1,
                day: "2026-11-01".into(),
                event: "opened".into(),
                module: String::new(),
                count: 3,
            },
            EventFact {
                order_id: 1,
                day: "2026-12-01".into(),
                event: "opened".into(),
                module: String::new(),
                count: 1,
            },
            EventFact {
                order_id: 9,
                day: "2026-11-05".into(),
                event: "opened".into(),
                module: String::new(),
                count: 2,
            },
            EventFact {
                order_id: 2,
                day: "2026-11-05".into(),
                event: "module_opened".into(),
                module: "returns".into(),
                count: 1,
            },
            EventFact {
                order_id: 2,
                day: "2026-11-05".into(),
                event: "link_copied".into(),
                module: String::new(),
                count: 1,
            },
        ];
        facts.nps = vec![(day(1), 10), (day(1), 9), (day(8), 7), (day(8), 3)];
        facts.slots = vec![(20, 5), (3, 3)];
        let a = figures(&p, "UTC", &facts);

        assert_eq!(a.daily.len(), 30);
        assert_eq!((a.daily[0].orders, a.daily[0].visits), (2, 3));
        assert_eq!((a.daily[4].orders, a.daily[4].visits), (0, 2));
        // Orders 1 and 2 of 4 opened? Only order 1 was opened: 4 visits of it, by now.
        assert_eq!(a.traffic.orders_opened, 1);
        assert_eq!(a.traffic.opened_share, Some(0.25));
        assert_eq!(a.traffic.visits, 5);
        assert_eq!(a.traffic.visits_per_order, Some(4.0));
        assert_eq!(
            a.traffic.modules_opened,
            [Count {
                name: "returns".into(),
                count: 1
            }]
        );

        assert_eq!((a.delivery.parcels, a.delivery.delivered), (3, 2));
        // Delivered on the 3rd (on time) and the 5th (late) against a window to the 3rd.
        assert_eq!((a.delivery.promised, a.delivery.on_time), (2, 1));
        assert_eq!(a.delivery.on_time_rate, Some(0.5));
        assert_eq!((a.delivery.exceptions, a.delivery.failed_attempts), (1, 1));
        assert_eq!(a.delivery.carriers[0].carrier, "dhl");
        assert_eq!(a.delivery.carriers[0].average_days, Some(3.0));
        assert_eq!(a.delivery.carriers[1].average_days, None);
        assert_eq!(a.delivery.choice_uptake, Some(1.0 / 3.0));
        assert_eq!(a.delivery.slot_fill, Some(8.0 / 23.0));

        assert_eq!((a.returns.returns, a.returns.orders_returned), (3, 2));
        assert_eq!(a.returns.return_rate, Some(0.5));
        assert_eq!(
            a.returns.kept,
            [Money {
                currency: "EUR".into(),
                amount: 3_000
            }]
        );
        assert_eq!(
            a.returns.refunded,
            [Money {
                currency: "EUR".into(),
                amount: 3_000
            }]
        );
        assert_eq!(
            a.returns.by_reason[0],
            Count {
                name: "Too small".into(),
                count: 2
            }
        );
        assert_eq!(
            a.returns.by_product,
            [Count {
                name: "Tee".into(),
                count: 3
            }]
        );

        assert_eq!((a.reviews.items, a.reviews.reviewed), (8, 4));
        assert_eq!(a.reviews.review_rate, Some(0.5));
        assert_eq!(a.reviews.average, Some(3.5));
        assert_eq!(a.reviews.stars, [1, 0, 0, 2, 1]);

        assert_eq!((a.referral.links_copied, a.referral.friends_orders), (1, 1));
        assert_eq!(
            a.referral.friends_revenue,
            [Money {
                currency: "EUR".into(),
                amount: 10_000
            }]
        );

        assert_eq!(
            (a.nps.answers, a.nps.nps, a.nps.few_answers),
            (4, Some(25.0), true)
        );
        assert_eq!(
            (a.nps.promoters, a.nps.passives, a.nps.detractors),
            (2, 1, 1)
        );
        assert_eq!(a.nps.weekly.len(), 2);

        assert_eq!(
            (a.retention.repeat_orders, a.retention.second_orders),
            (2, 1)
        );
        assert_eq!(a.retention.repeat_rate, Some(0.5));
        assert_eq!(a.retention.median_days_to_second, Some(19.0));
    }

    #[test]
    fn an_empty_period_has_no_rates() {
        let p = Period::parse(None, None, TimeZone::UTC, NOW).unwrap();
        let a = figures(&p, "UTC", &Facts::default());
        assert_eq!(a.daily.len(), 30);
        assert!(a.traffic.opened_share.is_none() && a.delivery.on_time_rate.is_none());
        assert!(a.returns.return_rate.is_none() && a.reviews.average.is_none());
        assert!(a.nps.nps.is_none() && a.nps.few_answers);
        assert!(a.retention.repeat_rate.is_none() && a.retention.median_days_to_second.is_none());
    }

    #[test]
    fn csv_cells_are_safe_in_a_spreadsheet() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-3"), "'-3");
        assert_eq!(cell(Some(0.5)), "0.5");
        assert_eq!(cell(Some(1.0 / 3.0)), "0.3333");
        assert_eq!(cell(Some(3.0)), "3");
        assert_eq!(cell(None), "");
    }
}
