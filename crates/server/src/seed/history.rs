//! Sixty days of the demo shop's past, so the console's dashboard has something to say:
//! about three orders a day from a pool of customers (some come back), their parcels with
//! carriers' events, delivery choices, returns, reviews, survey answers, referral codes
//! and friends, and the widget's visits. Drawn from a fixed seed, so every demo tells the
//! same story relative to its first day; written once, when the demo shop is created.
//!
//! Orders go in through the same code as a merchant's and events through the same as a
//! carrier's; what the shopper did later (a review, a return, an answer, a visit) is
//! written as the rows those paths leave, with the day it happened, which the widget's
//! routes cannot take (they act now).

use postpurchase_api::{
    CarrierEvent, ChoiceKind, DateWindow, DeliveryChoice, NewAddress, NewCustomer, NewLineItem,
    NewOrder, NewSlot, SafePlaceChoice,
};

use crate::db::{Conn, DbError};
use crate::domain::analytics::day_in;
use crate::store::{self, settings, tracking};
use crate::{args, domain};

/// The demo shop's time zone, which its days follow.
const ZONE: &str = "Europe/Amsterdam";
/// Days of history before today.
pub const DAYS: i64 = 60;
const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;

/// The numbers of past orders start here (the sample orders are 0950 and 1001 on).
const FIRST_NUMBER: u32 = 500;

/// A small, fixed pseudo-random sequence (SplitMix64).
struct Draw(u64);

impl Draw {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// 0 to `n - 1`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, list: &'a [T]) -> &'a T {
        &list[self.below(list.len() as u64) as usize]
    }
}

const FIRST_NAMES: &[&str] = &[
    "Anna", "Bram", "Cas", "Dewi", "Emma", "Finn", "Guus", "Hanna", "Iris", "Jesse", "Kim", "Lars",
    "Maud", "Nina", "Olaf", "Pien", "Quinn", "Roos", "Sven", "Tess", "Umut", "Vera", "Wout",
    "Xander", "Yasmin", "Zoë", "Ilse", "Ruben", "Sara", "Thijs",
];
const LAST_NAMES: &[&str] = &[
    "de Jong",
    "Jansen",
    "de Vries",
    "van den Berg",
    "van Dijk",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
];
/// SKU, name, variant, unit price, picture, sized.
type Product = (
    &'static str,
    &'static str,
    Option<&'static str>,
    i64,
    &'static str,
    bool,
);
const CATALOGUE: &[Product] = &[
    ("MUG-OAT", "Stoneware mug", Some("Oat"), 1450, "mug", false),
    (
        "BEANS-1KG",
        "Single-origin beans",
        Some("1 kg, whole"),
        2995,
        "beans",
        false,
    ),
    (
        "TEE-ORG-M",
        "Organic cotton tee",
        Some("M / Forest"),
        3500,
        "tee",
        true,
    ),
    ("CAP-WOOL", "Wool cap", None, 2400, "cap", true),
    (
        "SOCK-3",
        "Merino socks, 3 pairs",
        Some("39–42"),
        1900,
        "socks",
        true,
    ),
    ("LAMP-DESK", "Desk lamp", Some("Brass"), 8900, "lamp", false),
    (
        "KETTLE-GOOSE",
        "Gooseneck kettle",
        Some("Matte black"),
        6900,
        "kettle",
        false,
    ),
    (
        "FILTER-100",
        "Paper filters",
        Some("100 pcs"),
        595,
        "filters",
        false,
    ),
    (
        "POUR-OVER",
        "Ceramic pour-over",
        Some("White"),
        3200,
        "mug",
        false,
    ),
    (
        "CARAFE-1L",
        "Glass carafe",
        Some("1 l"),
        2900,
        "kettle",
        false,
    ),
];
const CARRIERS: &[&str] = &[
    "postnl", "postnl", "postnl", "dhl", "dhl", "dpd", "ups", "gls",
];
const REVIEW_TEXTS: &[(u8, &str, &str)] = &[
    (5, "Lovely", "Exactly as pictured and well packed."),
    (5, "Perfect", "Arrived quickly, lovely quality."),
    (5, "Beautiful", "Even nicer than in the pictures."),
    (4, "Happy with it", "Solid and well made."),
    (
        4,
        "Very nice",
        "Good quality; the colour is a little darker than online.",
    ),
    (4, "Good", "Does what it should."),
    (3, "Fine", "Nice, but smaller than I expected."),
    (2, "Disappointing", "The glaze has a small flaw."),
    (1, "Broken", "Arrived with a crack."),
];
const NPS_COMMENTS: &[&str] = &[
    "Fast delivery, and I could choose the evening slot.",
    "Love the mugs!",
    "The parcel took longer than promised.",
    "Easy return, thank you.",
];

/// A past customer: index into the name lists, and their e-mail address.
fn customer(n: u64) -> (String, String, String) {
    let first = FIRST_NAMES[(n % FIRST_NAMES.len() as u64) as usize];
    let last = LAST_NAMES[((n / 3) % LAST_NAMES.len() as u64) as usize];
    let email = format!(
        "{}.{}{n}@example.com",
        first.to_lowercase().replace('ë', "e"),
        last.rsplit(' ').next().unwrap_or(last).to_lowercase()
    );
    (first.to_owned(), last.to_owned(), email)
}

/// Writes the history unless it is there; `now` is the demo's clock.
pub async fn seed(c: &mut Conn<'_>, shop_id: i64, now: i64) -> Result<(), DbError> {
    let first = format!("0{FIRST_NUMBER}");
    if store::orders::id_by_number(c, shop_id, &first)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let mut draw = Draw(0x7057_7075_7263_6861);
    let today = now.div_euclid(DAY) * DAY;
    let slots = past_slots(c, shop_id, today, &mut draw).await?;
    // Customers who can come back, and those who were sent by a friend (referrer's
    // customer id).
    let mut known: Vec<u64> = Vec::new();
    let mut referrers: Vec<i64> = Vec::new();
    let mut number = FIRST_NUMBER;
    for days_ago in (1..=DAYS).rev() {
        let orders = 1 + draw.below(5);
        for _ in 0..orders {
            let returning = !known.is_empty() && draw.chance(22);
            let who = if returning {
                *draw.pick(&known)
            } else {
                let n = 1000 + u64::from(number);
                known.push(n);
                n
            };
            let placed_at = today - days_ago * DAY + (8 + draw.below(13) as i64) * HOUR;
            let order = PastOrder {
                number: format!("0{number}"),
                who,
                placed_at,
            };
            number += 1;
            order
                .write(
                    c,
                    shop_id,
                    now,
                    &mut draw,
                    &slots,
                    &mut referrers,
                    !returning,
                )
                .await?;
        }
    }
    Ok(())
}

/// The delivery slots of the past days, filled as they were: `(id, date)`.
async fn past_slots(
    c: &mut Conn<'_>,
    shop_id: i64,
    today: i64,
    draw: &mut Draw,
) -> Result<Vec<(i64, String)>, DbError> {
    let mut ids = Vec::new();
    for days_ago in 1..=DAYS {
        let Ok(day) = time::OffsetDateTime::from_unix_timestamp(today - days_ago * DAY) else {
            continue;
        };
        let date = day.date().to_string();
        for (from, to, price, places) in super::SLOTS {
            let slot = NewSlot {
                date: date.clone(),
                from: (*from).to_owned(),
                to: (*to).to_owned(),
                price: *price,
                capacity: *places,
            };
            let id = settings::insert_slot(c, shop_id, &slot).await?.id;
            let taken = draw.below(u64::from(*places) + 1);
            c.execute(
                "UPDATE delivery_slots SET taken = ?2 WHERE id = ?1",
                args![id, taken as i64],
            )
            .await?;
            ids.push((id, date.clone()));
        }
    }
    Ok(ids)
}

struct PastOrder {
    number: String,
    who: u64,
    placed_at: i64,
}

impl PastOrder {
    #[allow(clippy::too_many_arguments)]
    async fn write(
        &self,
        c: &mut Conn<'_>,
        shop_id: i64,
        now: i64,
        draw: &mut Draw,
        slots: &[(i64, String)],
        referrers: &mut Vec<i64>,
        first_order: bool,
    ) -> Result<(), DbError> {
        let (first_name, last_name, email) = customer(self.who);
        let lines = 1 + draw.below(3) as usize;
        let mut items: Vec<NewLineItem> = Vec::new();
        for _ in 0..lines {
            let (sku, name, variant, price, picture, sized) = *draw.pick(CATALOGUE);
            if items.iter().any(|i| i.sku == sku) {
                continue;
            }
            items.push(NewLineItem {
                sku: sku.to_owned(),
                name: name.to_owned(),
                variant: variant.map(str::to_owned),
                quantity: 1 + u32::from(draw.chance(15)),
                unit_price: price,
                image_url: Some(format!("{}{}", super::IMG, super::product_picture(picture))),
                sized,
                final_sale: false,
                product: None,
                product_type: None,
            });
        }
        let date = |at: i64| {
            time::OffsetDateTime::from_unix_timestamp(at)
                .map(|t| t.date().to_string())
                .unwrap_or_default()
        };
        let order = NewOrder {
            number: self.number.clone(),
            placed_at: time::OffsetDateTime::from_unix_timestamp(self.placed_at)
                .ok()
                .map(domain::format_instant),
            currency: "EUR".to_owned(),
            customer: NewCustomer {
                email: email.clone(),
                first_name: first_name.clone(),
                last_name,
                phone: None,
            },
            items,
            shipping: 495,
            discount: 0,
            tax: 0,
            delivery_address: NewAddress {
                name: first_name.clone(),
                street: format!("Prinsengracht {}", 10 + self.who % 400),
                postcode: "1015 DT".to_owned(),
                city: "Amsterdam".to_owned(),
                country: "NL".to_owned(),
                latitude: None,
                longitude: None,
            },
            promised_delivery: Some(DateWindow {
                earliest: date(self.placed_at + 2 * DAY),
                latest: date(self.placed_at + 4 * DAY),
            }),
            dispatch_by: None,
        };
        let Some(order_id) = store::orders::insert(c, shop_id, &order, self.placed_at).await?
        else {
            return Ok(());
        };
        let customer_id: i64 = c
            .query_one(
                "SELECT customer_id FROM orders WHERE id = ?1",
                args![order_id],
            )
            .await?
            .get("customer_id")?;
        // A friend's first order, with a referral code.
        if first_order && !referrers.is_empty() && draw.chance(25) {
            let referrer = *draw.pick(referrers);
            c.execute(
                "INSERT INTO referral_redemptions (shop_id, customer_id, email_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4)",
                args![
                    shop_id,
                    referrer,
                    domain::secret_hash(&email.to_lowercase()),
                    self.placed_at
                ],
            )
            .await?;
        }
        let line_ids: Vec<(i64, i64, u32)> = c
            .query(
                "SELECT id, unit_price, quantity FROM order_items WHERE order_id = ?1 ORDER BY position",
                args![order_id],
            )
            .await?
            .into_iter()
            .map(|mut r| Ok((r.get("id")?, r.get("unit_price")?, r.get("quantity")?)))
            .collect::<Result<_, DbError>>()?;
        let delivered_at = self.ship(c, order_id, now, draw, slots, &line_ids).await?;
        let Some(delivered_at) = delivered_at else {
            self.visits(c, shop_id, order_id, now, draw, None).await?;
            return Ok(());
        };
        // After delivery: a review, a return, the survey, a referral code.
        if draw.chance(35) {
            let (stars, title, body) = *draw.pick(REVIEW_TEXTS);
            let at = (delivered_at + (1 + draw.below(4) as i64) * DAY).min(now);
            c.execute(
                "INSERT INTO reviews (order_item_id, shop_id, stars, title, body, status,
                                      created_at, moderated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                args![
                    line_ids[0].0,
                    shop_id,
                    i64::from(stars),
                    title,
                    body,
                    if draw.chance(85) {
                        "published"
                    } else {
                        "pending"
                    },
                    at
                ],
            )
            .await?;
        }
        if draw.chance(12) {
            self.return_one(c, shop_id, order_id, delivered_at, now, draw, &line_ids)
                .await?;
        }
        if draw.chance(45) {
            let score = *draw.pick(&[10u8, 10, 9, 9, 9, 8, 8, 7, 6, 4, 10, 9]);
            let comment = draw.chance(30).then(|| *draw.pick(NPS_COMMENTS));
            let at = (delivered_at + (draw.below(3) as i64) * DAY + 2 * HOUR).min(now);
            c.execute(
                "INSERT INTO nps_answers (order_id, score, comment, answered_at)
                 VALUES (?1, ?2, ?3, ?4)",
                args![order_id, i64::from(score), comment, at],
            )
            .await?;
            if first_order && draw.chance(60) {
                let option = *draw.pick(&[
                    "Instagram",
                    "Instagram",
                    "A friend",
                    "A search engine",
                    "A newspaper or magazine",
                ]);
                c.execute(
                    "INSERT INTO heard_answers (customer_id, option, order_id, answered_at)
                     VALUES (?1, ?2, ?3, ?4)",
                    args![customer_id, option, order_id, at],
                )
                .await?;
            }
        }
        let has_code = draw.chance(30)
            && !c
                .exists(
                    "SELECT 1 FROM referral_codes WHERE customer_id = ?1",
                    args![customer_id],
                )
                .await?;
        if has_code {
            let code = crate::domain::referral::code_from(&first_name, draw.next());
            c.execute(
                "INSERT INTO referral_codes (customer_id, shop_id, code, order_id, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                args![customer_id, shop_id, code, order_id, delivered_at + HOUR],
            )
            .await?;
            referrers.push(customer_id);
        }
        self.visits(c, shop_id, order_id, now, draw, Some(has_code))
            .await
    }

    /// The order's parcel and its events; when it was delivered, if it was.
    async fn ship(
        &self,
        c: &mut Conn<'_>,
        order_id: i64,
        now: i64,
        draw: &mut Draw,
        slots: &[(i64, String)],
        lines: &[(i64, i64, u32)],
    ) -> Result<Option<i64>, DbError> {
        // Orders of the last day are still being packed.
        if self.placed_at > now - 30 * HOUR {
            return Ok(None);
        }
        let carrier = *draw.pick(CARRIERS);
        let tracking = format!("HX{}{}", carrier.to_uppercase(), self.number);
        let contents: Vec<(i64, u32)> = (0..lines.len() as i64)
            .zip(lines.iter().map(|l| l.2))
            .collect();
        let id = tracking::insert_shipment(c, order_id, carrier, &tracking, &contents).await?;
        let shipped = self.placed_at + (10 + draw.below(14) as i64) * HOUR;
        // Most arrive within the promised two to four days; some are late.
        let transit_days = *draw.pick(&[1i64, 1, 2, 2, 2, 2, 3, 3, 4, 5]);
        let arrives = shipped + transit_days * DAY - 6 * HOUR + draw.below(8) as i64 * HOUR;
        let mut events: Vec<(&str, i64, &str)> = vec![
            (
                "label_created",
                self.placed_at + 2 * HOUR,
                "Shipment information received",
            ),
            ("picked_up", shipped, "Parcel picked up from the sender"),
        ];
        let problem = draw.below(100);
        let delivered = if problem < 3 {
            events.push(("damaged", shipped + DAY, "Parcel damaged in transit"));
            None
        } else {
            if problem < 10 {
                events.push((
                    "out_for_delivery",
                    arrives - DAY - 3 * HOUR,
                    "Out for delivery",
                ));
                events.push((
                    "failed_attempt",
                    arrives - DAY,
                    "Not delivered: nobody was home",
                ));
            }
            events.push(("out_for_delivery", arrives - 3 * HOUR, "Out for delivery"));
            let code = if draw.chance(15) {
                "delivered_to_neighbour"
            } else {
                "delivered_to_recipient"
            };
            events.push((code, arrives, "Delivered"));
            Some(arrives)
        };
        for (i, (code, at, text)) in events.iter().enumerate() {
            if *at > now {
                break;
            }
            let event = CarrierEvent {
                event_id: format!("history-{tracking}-{i}"),
                occurred_at: store::instant(*at),
                code: (*code).to_owned(),
                text: Some((*text).to_owned()),
                location: Some("Amsterdam".to_owned()),
                delivered_to: None,
                estimated_delivery: None,
                pickup: None,
                duties_due: None,
            };
            let mapped = domain::carrier_status(carrier, code);
            tracking::record_event(c, id, &event, mapped, *at, *at).await?;
        }
        tracking::refresh_shipment(c, id).await?;
        // About one shopper in five chose how it arrives.
        if draw.chance(20) {
            let kind = *draw.pick(&[
                ChoiceKind::SafePlace,
                ChoiceKind::SafePlace,
                ChoiceKind::Slot,
                ChoiceKind::PickupPoint,
                ChoiceKind::AnotherDay,
            ]);
            let day = time::OffsetDateTime::from_unix_timestamp(arrives)
                .map(|t| t.date().to_string())
                .unwrap_or_default();
            let slot = slots.iter().find(|(_, d)| *d == day).map(|(id, _)| *id);
            let point: Option<i64> = c
                .query_opt(
                    "SELECT min(p.id) AS id FROM pickup_points p
                     JOIN orders o ON o.shop_id = p.shop_id WHERE o.id = ?1",
                    args![order_id],
                )
                .await?
                .map(|mut r| r.get("id"))
                .transpose()?
                .flatten();
            let mut choice = DeliveryChoice {
                kind,
                slot_id: None,
                neighbour: None,
                safe_place: None,
                pickup_point_id: None,
                date: None,
            };
            match kind {
                ChoiceKind::Slot if slot.is_some() => choice.slot_id = slot,
                ChoiceKind::PickupPoint if point.is_some() => choice.pickup_point_id = point,
                ChoiceKind::AnotherDay => choice.date = Some(day),
                _ => {
                    choice.kind = ChoiceKind::SafePlace;
                    choice.safe_place = Some(SafePlaceChoice {
                        place: Some("porch".to_owned()),
                        instruction: None,
                        risk_accepted: true,
                    });
                }
            }
            c.execute(
                "UPDATE shipments SET choice = ?2, choice_slot_id = ?3 WHERE id = ?1",
                args![
                    id,
                    serde_json::to_string(&choice).map_err(|e| DbError::other(e.to_string()))?,
                    choice.slot_id
                ],
            )
            .await?;
        }
        Ok(delivered.filter(|at| *at <= now))
    }

    /// One item sent back after delivery, somewhere along its way.
    #[allow(clippy::too_many_arguments)]
    async fn return_one(
        &self,
        c: &mut Conn<'_>,
        shop_id: i64,
        order_id: i64,
        delivered_at: i64,
        now: i64,
        draw: &mut Draw,
        lines: &[(i64, i64, u32)],
    ) -> Result<(), DbError> {
        let (line, price, _) = *draw.pick(lines);
        let resolution = *draw.pick(&["refund", "refund", "store_credit", "exchange"]);
        let status = *draw.pick(&["refunded", "refunded", "received", "approved", "requested"]);
        let status = if resolution != "refund" && status == "refunded" {
            "received"
        } else {
            status
        };
        let at = (delivered_at + (1 + draw.below(5) as i64) * DAY).min(now);
        let bonus = if resolution == "store_credit" {
            price / 10
        } else {
            0
        };
        let id: i64 = c
            .query_one(
                "INSERT INTO returns (shop_id, order_id, number, status, resolution, method,
                                      refund, bonus, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'drop_off', ?6, ?7, ?8, ?8) RETURNING id",
                args![
                    shop_id,
                    order_id,
                    format!("{}-R1", self.number),
                    status,
                    resolution,
                    price,
                    bonus,
                    at
                ],
            )
            .await?
            .get("id")?;
        let reason = *draw.pick(&[
            "Too small",
            "Too small",
            "Too large",
            "Not as pictured",
            "Arrived damaged",
            "Changed my mind",
        ]);
        c.execute(
            "INSERT INTO return_items (return_id, order_item_id, quantity, reason)
             VALUES (?1, ?2, 1, ?3)",
            args![id, line, reason],
        )
        .await?;
        Ok(())
    }

    /// The widget's visits to the order's page over the days after it was placed, the
    /// follow-ups opened, and the referral link passed on (`code`: the shopper has one).
    async fn visits(
        &self,
        c: &mut Conn<'_>,
        shop_id: i64,
        order_id: i64,
        now: i64,
        draw: &mut Draw,
        code: Option<bool>,
    ) -> Result<(), DbError> {
        if draw.chance(22) {
            return Ok(());
        }
        let zone = jiff::tz::TimeZone::get(ZONE).unwrap_or(jiff::tz::TimeZone::UTC);
        let mut counts: Vec<(String, &str, &str, i64)> = Vec::new();
        for _ in 0..1 + draw.below(4) {
            let at = self.placed_at + draw.below(6) as i64 * DAY + HOUR;
            if at > now {
                continue;
            }
            let day = day_in(&zone, at).to_string();
            counts.push((day.clone(), "opened", "", 1 + draw.below(3) as i64));
            if code.is_some() && draw.chance(40) {
                let module = *draw.pick(&["returns", "reviews", "survey", "referral"]);
                counts.push((day.clone(), "module_opened", module, 1));
            }
            if code == Some(true) && draw.chance(50) {
                let what = if draw.chance(60) {
                    "link_copied"
                } else {
                    "shared"
                };
                counts.push((day, what, "", 1));
            }
        }
        for (day, event, module, n) in counts {
            c.execute(
                "INSERT INTO widget_events (shop_id, order_id, day, event, module, count)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (order_id, day, event, module)
                 DO UPDATE SET count = widget_events.count + ?6",
                args![shop_id, order_id, day, event, module, n],
            )
            .await?;
        }
        Ok(())
    }
}
