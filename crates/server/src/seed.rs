//! The demo shop: a sample storefront with orders at every stage, created through the same
//! code paths as a merchant's orders.

use postpurchase_api::{
    CarrierEvent, DateWindow, DutiesDue, NewAddress, NewCustomer, NewLineItem, NewOrder,
    NewPickupPoint, NewSlot, PickupDetails, Remedy, ShipmentStatus, StaffRole,
};

mod history;

use crate::db::{Conn, DbError};
use crate::error::ApiError;
use crate::store::{self, settings, shops, tracking, NewShop};
use crate::{args, domain, work, AppState};

/// The demo shop's slug.
pub const SHOP: &str = "demo";

/// One seeded order as the demo storefront lists it.
#[derive(Clone, Debug)]
pub struct DemoOrder {
    pub number: String,
    pub label: &'static str,
    pub token: String,
}

/// What the demo storefront needs to know about the seed.
#[derive(Clone, Debug)]
pub struct Demo {
    pub api_key: String,
    /// The secret the storefront checks the shop's webhooks with.
    pub webhook_secret: String,
    /// Webhooks the storefront received, newest first, as lines for its merchant page.
    pub inbox: std::sync::Arc<std::sync::Mutex<std::collections::VecDeque<String>>>,
    /// The storefront's own order page, the widget's fallback link.
    pub order_page: String,
    pub orders: Vec<DemoOrder>,
}

/// A line: SKU, name, variant, quantity, unit price in cents, picture.
type SampleItem = (
    &'static str,
    &'static str,
    Option<&'static str>,
    u32,
    i64,
    &'static str,
);
/// A carrier event: code, hours ago, the carrier's words, place.
type SampleEvent = (&'static str, i64, &'static str, &'static str);

/// A parcel: carrier, tracking number, (line position, quantity) of its contents, the day
/// the carrier expects it (days from today), and its events, oldest first. Its status comes
/// from the events, through the same code as a carrier's.
struct SampleParcel {
    carrier: &'static str,
    tracking: &'static str,
    items: &'static [(i64, u32)],
    expected_in_days: Option<i64>,
    events: &'static [SampleEvent],
}

const LABEL: SampleEvent = ("label_created", 40, "Shipment information received", "");
const PICKED_UP: SampleEvent = (
    "picked_up",
    26,
    "Parcel picked up from the sender",
    "Utrecht",
);
const SORTED: SampleEvent = (
    "sorted",
    6,
    "Parcel sorted at the distribution centre",
    "Amsterdam",
);

struct Sample {
    number: &'static str,
    label: &'static str,
    days_ago: i64,
    email: &'static str,
    first_name: &'static str,
    last_name: &'static str,
    items: &'static [SampleItem],
    parcels: &'static [SampleParcel],
}

const IMG: &str = "data:image/svg+xml,";

const SAMPLES: &[Sample] = &[
    Sample {
        number: "1001",
        label: "Processing",
        days_ago: 0,
        email: "sam.visser@example.com",
        first_name: "Sam",
        last_name: "Visser",
        items: &[
            ("MUG-OAT", "Stoneware mug", Some("Oat"), 2, 1450, "mug"),
            (
                "BEANS-1KG",
                "Single-origin beans",
                Some("1 kg, whole"),
                1,
                2995,
                "beans",
            ),
        ],
        parcels: &[],
    },
    Sample {
        number: "1002",
        label: "Split in two parcels, one shipped: choose how they arrive",
        days_ago: 2,
        email: "lena.bakker@example.org",
        first_name: "Lena",
        last_name: "Bakker",
        items: &[
            (
                "TEE-ORG-M",
                "Organic cotton tee",
                Some("M / Forest"),
                1,
                3500,
                "tee",
            ),
            ("CAP-WOOL", "Wool cap", None, 1, 2400, "cap"),
            (
                "SOCK-3",
                "Merino socks, 3 pairs",
                Some("39–42"),
                1,
                1900,
                "socks",
            ),
        ],
        parcels: &[
            SampleParcel {
                carrier: "postnl",
                tracking: "3SPOST0000001",
                items: &[(0, 1), (2, 1)],
                expected_in_days: Some(1),
                events: &[LABEL, PICKED_UP, SORTED],
            },
            SampleParcel {
                carrier: "postnl",
                tracking: "3SPOST0000002",
                items: &[(1, 1)],
                expected_in_days: Some(3),
                events: &[LABEL],
            },
        ],
    },
    Sample {
        number: "1003",
        label: "Out for delivery",
        days_ago: 3,
        email: "noor.dekker@example.net",
        first_name: "Noor",
        last_name: "Dekker",
        items: &[("LAMP-DESK", "Desk lamp", Some("Brass"), 1, 8900, "lamp")],
        parcels: &[SampleParcel {
            carrier: "dhl",
            tracking: "JVGL0000000003",
            items: &[(0, 1)],
            expected_in_days: Some(0),
            events: &[
                ("pre-transit", 50, "The shipment has been registered", ""),
                ("transit", 30, "The shipment is in transit", "Duiven"),
                (
                    "out_for_delivery",
                    2,
                    "The courier is on the way",
                    "Amsterdam",
                ),
            ],
        }],
    },
    Sample {
        number: "0950",
        label: "An earlier order of a returning customer",
        days_ago: 60,
        email: "ada.jansen@example.com",
        first_name: "Ada",
        last_name: "Jansen",
        items: &[("MUG-OAT", "Stoneware mug", Some("Oat"), 1, 1450, "mug")],
        parcels: &[SampleParcel {
            carrier: "postnl",
            tracking: "3SPOST0000950",
            items: &[(0, 1)],
            expected_in_days: None,
            events: &[("delivered_to_recipient", 1400, "Delivered", "Amsterdam")],
        }],
    },
    Sample {
        number: "1004",
        label: "Delivered to a neighbour, returning customer",
        days_ago: 6,
        email: "ada.jansen@example.com",
        first_name: "Ada",
        last_name: "Jansen",
        items: &[
            (
                "KETTLE-GOOSE",
                "Gooseneck kettle",
                Some("Matte black"),
                1,
                6900,
                "kettle",
            ),
            (
                "FILTER-100",
                "Paper filters",
                Some("100 pcs"),
                2,
                595,
                "filters",
            ),
        ],
        parcels: &[SampleParcel {
            carrier: "dhl",
            tracking: "JVGL0000000004",
            items: &[(0, 1), (1, 2)],
            expected_in_days: None,
            events: &[
                ("pre-transit", 120, "The shipment has been registered", ""),
                ("transit", 100, "The shipment is in transit", "Duiven"),
                (
                    "out_for_delivery",
                    80,
                    "The courier is on the way",
                    "Amsterdam",
                ),
                (
                    "delivered_to_neighbour",
                    76,
                    "Delivered to a neighbour at number 125",
                    "Amsterdam",
                ),
            ],
        }],
    },
    Sample {
        number: "1005",
        label: "Waiting at a pickup point; a second parcel was signed for",
        days_ago: 4,
        email: "yara.smit@example.com",
        first_name: "Yara",
        last_name: "Smit",
        items: &[
            ("GRINDER-HAND", "Hand grinder", None, 1, 5900, "kettle"),
            (
                "SCALE-01",
                "Coffee scale",
                Some("0.1 g"),
                1,
                3400,
                "filters",
            ),
        ],
        parcels: &[
            SampleParcel {
                carrier: "ups",
                tracking: "1Z999AA10000000051",
                items: &[(0, 1)],
                expected_in_days: None,
                events: &[
                    ("M", 70, "Shipper created a label", ""),
                    ("I", 40, "Departed from facility", "Eindhoven"),
                    (
                        "ready_for_pickup",
                        5,
                        "Ready for pickup at the UPS Access Point",
                        "Amsterdam",
                    ),
                ],
            },
            SampleParcel {
                carrier: "ups",
                tracking: "1Z999AA10000000052",
                items: &[(1, 1)],
                expected_in_days: None,
                events: &[
                    ("M", 70, "Shipper created a label", ""),
                    ("O", 30, "Out for delivery today", "Amsterdam"),
                    (
                        "signed_for",
                        27,
                        "Delivered, signed for by SMIT",
                        "Amsterdam",
                    ),
                ],
            },
        ],
    },
    Sample {
        number: "1006",
        label: "Nobody home: a new delivery to arrange",
        days_ago: 3,
        email: "tim.mulder@example.org",
        first_name: "Tim",
        last_name: "Mulder",
        items: &[(
            "POUR-OVER",
            "Ceramic pour-over",
            Some("White"),
            1,
            3200,
            "mug",
        )],
        parcels: &[SampleParcel {
            carrier: "dpd",
            tracking: "05212345678906",
            items: &[(0, 1)],
            expected_in_days: Some(1),
            events: &[
                LABEL,
                PICKED_UP,
                ("out_for_delivery", 28, "Out for delivery", "Amsterdam"),
                (
                    "not_home",
                    22,
                    "We could not deliver: nobody was home",
                    "Amsterdam",
                ),
            ],
        }],
    },
    Sample {
        number: "1007",
        label: "Delayed, and a parcel with a problem",
        days_ago: 5,
        email: "eva.bos@example.com",
        first_name: "Eva",
        last_name: "Bos",
        items: &[
            ("CARAFE-1L", "Glass carafe", Some("1 l"), 1, 2900, "kettle"),
            (
                "BEANS-1KG",
                "Single-origin beans",
                Some("1 kg, whole"),
                1,
                2995,
                "beans",
            ),
        ],
        parcels: &[
            SampleParcel {
                carrier: "gls",
                tracking: "ZX1000000071",
                items: &[(1, 1)],
                expected_in_days: Some(2),
                events: &[
                    LABEL,
                    PICKED_UP,
                    (
                        "delay",
                        4,
                        "Delayed by high volumes; a day later than planned",
                        "Amsterdam",
                    ),
                ],
            },
            SampleParcel {
                carrier: "gls",
                tracking: "ZX1000000072",
                items: &[(0, 1)],
                expected_in_days: None,
                events: &[
                    LABEL,
                    PICKED_UP,
                    (
                        "damaged",
                        3,
                        "Parcel damaged in transit; the shop has been told",
                        "Duiven",
                    ),
                ],
            },
        ],
    },
    Sample {
        number: "1008",
        label: "Returned to the shop, and a cancelled parcel",
        days_ago: 12,
        email: "daan.vos@example.net",
        first_name: "Daan",
        last_name: "Vos",
        items: &[
            (
                "TEE-ORG-M",
                "Organic cotton tee",
                Some("L / Sand"),
                1,
                3500,
                "tee",
            ),
            (
                "SOCK-3",
                "Merino socks, 3 pairs",
                Some("43–46"),
                1,
                1900,
                "socks",
            ),
        ],
        parcels: &[
            SampleParcel {
                carrier: "postnl",
                tracking: "3SPOST0000081",
                items: &[(0, 1)],
                expected_in_days: None,
                events: &[
                    ("label_created", 250, "Shipment information received", ""),
                    (
                        "failed_attempt",
                        200,
                        "Not delivered: address not found",
                        "Amsterdam",
                    ),
                    (
                        "returned_to_sender",
                        150,
                        "Returned to the sender",
                        "Utrecht",
                    ),
                ],
            },
            SampleParcel {
                carrier: "postnl",
                tracking: "3SPOST0000082",
                items: &[(1, 1)],
                expected_in_days: None,
                events: &[
                    ("label_created", 250, "Shipment information received", ""),
                    ("cancelled", 240, "Shipment cancelled by the sender", ""),
                ],
            },
        ],
    },
    Sample {
        number: "1009",
        label: "A carrier code we have never seen",
        days_ago: 1,
        email: "lot.peters@example.com",
        first_name: "Lot",
        last_name: "Peters",
        items: &[(
            "FILTER-100",
            "Paper filters",
            Some("100 pcs"),
            3,
            595,
            "filters",
        )],
        parcels: &[SampleParcel {
            carrier: "dpd",
            tracking: "05212345678909",
            items: &[(0, 3)],
            expected_in_days: Some(2),
            events: &[
                LABEL,
                ("ZK-17", 2, "Parcel at customs clearance point", "Schiphol"),
            ],
        }],
    },
    Sample {
        number: "1010",
        label: "Held at customs, with duties to pay",
        days_ago: 3,
        email: "mei.tan@example.com",
        first_name: "Mei",
        last_name: "Tan",
        items: &[(
            "GRINDER-HAND",
            "Hand coffee grinder",
            Some("Walnut"),
            1,
            6900,
            "grinder",
        )],
        parcels: &[SampleParcel {
            carrier: "dhl",
            tracking: "JD014600006281230001",
            items: &[(0, 1)],
            expected_in_days: Some(3),
            events: &[
                LABEL,
                PICKED_UP,
                (
                    "customs_hold",
                    4,
                    "Shipment on hold at customs: import duties to be paid",
                    "Schiphol",
                ),
            ],
        }],
    },
];

/// What the demo's parcel held at customs owes: EUR 14.85, paid on the carrier's page (an
/// example address: the demo reaches no carrier).
const DEMO_DUTIES: (i64, &str) = (1485, "https://customs.dhl.example/pay/JD014600006281230001");

/// The demo shop's delivery choices: Amsterdam time, locked at 04:00 on the day, up to
/// five days later, these safe places, neighbours, and pickup points around the centre.
const SAFE_PLACES: &str = "front_door\nporch\nback_door\nshed";
/// Name, address, opening hours, latitude, longitude, locker.
const PICKUP_POINTS: &[(&str, &str, &str, f64, f64, bool)] = &[
    (
        "Parcel locker Westermarkt",
        "Westermarkt 12, 1016 DK Amsterdam",
        "Every day 06:00–23:00",
        52.3746,
        4.8836,
        true,
    ),
    (
        "Tabak & Post Jordaan",
        "Rozengracht 101, 1016 LV Amsterdam",
        "Mon–Fri 08:30–18:00\nSat 09:00–17:00\nSun closed",
        52.3727,
        4.8769,
        false,
    ),
    (
        "Bookshop De Pijp",
        "Ferdinand Bolstraat 10, 1072 LJ Amsterdam",
        "Mon–Sat 09:00–18:00\nSun 12:00–17:00",
        52.3550,
        4.8913,
        false,
    ),
];
/// Daily slots: from, to, extra charge, places.
const SLOTS: &[(&str, &str, Option<i64>, u32)] = &[
    ("08:00", "12:00", None, 20),
    ("18:00", "21:00", Some(295), 3),
];

/// Creates the demo shop and its orders unless they exist, then mints a fresh token for
/// each order so the storefront can link to them.
pub async fn seed_demo(state: &AppState, storefront_origin: &str) -> Result<Demo, ApiError> {
    let now = state.clock.now();
    let api_key = std::env::var("PP_DEMO_API_KEY").unwrap_or_else(|_| {
        domain::new_token().unwrap_or_else(|_| "demo-key-unavailable".to_owned())
    });
    let origins = vec![
        storefront_origin.to_owned(),
        storefront_origin.replace("127.0.0.1", "localhost"),
    ];
    let order_page = format!("{storefront_origin}/account/orders");
    let storefront = storefront_origin.to_owned();
    let today = time::OffsetDateTime::from_unix_timestamp(now)
        .map_err(|e| ApiError::internal("clock", e))?
        .date();
    // Drawn before the write, which may run more than once.
    let fresh_secret = format!(
        "whsec_{}",
        domain::new_token().map_err(|e| ApiError::internal("random", e))?
    );
    let password = demo_password();
    let password_hash = crate::console::hashing(move || domain::staff::hash_password(&password))
        .await?
        .map_err(|e| ApiError::internal("password", e))?;
    let tokens = SAMPLES
        .iter()
        .map(|_| domain::new_token())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ApiError::internal("random", e))?;
    state
        .db
        .write(work!(|c,
                      api_key,
                      origins,
                      order_page,
                      storefront,
                      fresh_secret,
                      tokens,
                      password_hash| {
            let shop_id = match shops::by_slug(c, SHOP).await? {
                Some(shop) => {
                    // A restarted demo gets a new key and the storefront's current origin.
                    shops::set_api_key(c, shop.id, &api_key).await?;
                    shops::set_origins(c, shop.id, &origins).await?;
                    shop.id
                }
                None => shops::insert(
                    c,
                    &NewShop {
                        slug: SHOP.to_owned(),
                        name: "Koffie & Klei".to_owned(),
                        api_key: api_key.clone(),
                        allowed_origins: origins.clone(),
                        locale: "en".to_owned(),
                        support_email: Some("help@koffie-en-klei.example".to_owned()),
                        support_phone: Some("+31 20 123 4567".to_owned()),
                        support_url: Some(format!("{storefront}/help")),
                        order_status_url: Some(order_page.clone()),
                        owner: None,
                    },
                )
                .await?
                .ok_or_else(|| ApiError::internal("seed", "the demo shop's slug is taken"))?,
            };
            seed_staff(c, shop_id, &password_hash, now).await?;
            seed_delivery_choices(c, shop_id, today).await?;
            seed_follow_up(c, shop_id, &storefront).await?;
            seed_products(c, shop_id, &storefront, now).await?;
            history::seed(c, shop_id, now).await?;
            // The storefront takes the shop's webhooks itself, to show merchants what arrives.
            let current: Option<String> = c
                .query_one(
                    "SELECT webhook_secret FROM shops WHERE id = ?1",
                    args![shop_id],
                )
                .await?
                .get("webhook_secret")?;
            let webhook_secret = current.unwrap_or(fresh_secret);
            settings::set_webhook(
                c,
                shop_id,
                Some(&format!("{storefront}/webhooks")),
                Some(&webhook_secret),
            )
            .await?;
            let mut orders = Vec::new();
            for (sample, token) in SAMPLES.iter().zip(&tokens) {
                let placed_at = now - sample.days_ago * 86_400 - 3_600;
                let order = sample_order(sample, today, placed_at);
                let order_id = match store::orders::insert(c, shop_id, &order, placed_at).await? {
                    Some(id) => {
                        for parcel in sample.parcels {
                            seed_parcel(c, id, parcel, now).await?;
                        }
                        id
                    }
                    None => store::orders::id_by_number(c, shop_id, sample.number)
                        .await?
                        .ok_or_else(DbError::no_row)?,
                };
                store::orders::insert_token(c, order_id, token, now + 7 * 86_400).await?;
                orders.push(DemoOrder {
                    number: sample.number.to_owned(),
                    label: sample.label,
                    token: token.clone(),
                });
            }
            // Ada's balance in the Klei Club, as the shop's own system says it.
            if let Some(order_id) = store::orders::id_by_number(c, shop_id, "1004").await? {
                let balance = postpurchase_api::OrderLoyalty {
                    balance: Some(1_480),
                    ..Default::default()
                };
                store::loyalty::feed(c, shop_id, order_id, &balance, now).await?;
            }
            Ok(Demo {
                api_key: api_key.clone(),
                webhook_secret,
                inbox: Default::default(),
                order_page: order_page.clone(),
                orders,
            })
        }))
        .await
}

/// The demo's console accounts: an owner and a member of staff, e-mail and name.
pub const DEMO_STAFF: [(&str, &str, StaffRole); 2] = [
    (
        "owner@koffie-en-klei.example",
        "Noor (owner)",
        StaffRole::Owner,
    ),
    ("staff@koffie-en-klei.example", "Sam", StaffRole::Staff),
];

/// The demo accounts' password: `PP_DEMO_PASSWORD`, or one printed at start.
pub fn demo_password() -> String {
    std::env::var("PP_DEMO_PASSWORD").unwrap_or_else(|_| "koffie-en-klei".to_owned())
}

/// The demo's console accounts, with the demo password (set again at every start).
async fn seed_staff(
    c: &mut Conn<'_>,
    shop_id: i64,
    password_hash: &str,
    now: i64,
) -> Result<(), DbError> {
    for (email, name, role) in DEMO_STAFF {
        let member = postpurchase_api::NewStaff {
            email: email.to_owned(),
            name: name.to_owned(),
            role,
        };
        store::staff::insert(c, shop_id, &member, now).await?;
        c.execute(
            "UPDATE staff SET password_hash = ?3, failed_sign_ins = 0, locked_until = 0
             WHERE shop_id = ?1 AND email = ?2",
            args![shop_id, email, password_hash],
        )
        .await?;
    }
    Ok(())
}

/// A parcel and its events, taken in as a carrier's would be.
async fn seed_parcel(
    c: &mut Conn<'_>,
    order_id: i64,
    parcel: &SampleParcel,
    now: i64,
) -> Result<(), DbError> {
    let id = tracking::insert_shipment(c, order_id, parcel.carrier, parcel.tracking, parcel.items)
        .await?;
    if let Some(days) = parcel.expected_in_days {
        // 09:00 to 17:00 in Amsterdam (winter time) on the expected day.
        let day = (now.div_euclid(86_400) + days) * 86_400;
        tracking::set_estimate(c, id, day + 8 * 3_600, day + 16 * 3_600).await?;
    }
    for (i, (code, hours_ago, text, place)) in parcel.events.iter().enumerate() {
        let event = CarrierEvent {
            event_id: format!("demo-{}-{i}", parcel.tracking),
            occurred_at: store::instant(now - hours_ago * 3_600),
            code: (*code).to_owned(),
            text: Some((*text).to_owned()),
            location: (!place.is_empty()).then(|| (*place).to_owned()),
            delivered_to: None,
            estimated_delivery: None,
            pickup: None,
            duties_due: None,
        };
        let mapped = domain::carrier_status(parcel.carrier, code);
        // Waiting to be collected: where, until when, and the code, as a carrier says it.
        let event = CarrierEvent {
            pickup: (mapped.0 == ShipmentStatus::AvailableForPickup).then(|| PickupDetails {
                name: "UPS Access Point · Boekhandel Van Rossum".into(),
                address: "Beethovenstraat 32, 1077 JH Amsterdam".into(),
                opening_hours: vec!["Mon–Fri 09:00–18:00".into(), "Sat 10:00–17:00".into()],
                // Seven days from the event, at the end of the day.
                collect_by: Some(store::instant(
                    (now - hours_ago * 3_600).div_euclid(86_400) * 86_400 + 8 * 86_400 - 3_600,
                )),
                code: Some("4821".into()),
            }),
            // Held at customs: the import duties to pay, and where, as DHL says it.
            duties_due: (mapped.0 == ShipmentStatus::HeldAtCustoms).then(|| DutiesDue {
                amount: DEMO_DUTIES.0,
                currency: "EUR".into(),
                pay_url: Some(DEMO_DUTIES.1.into()),
            }),
            ..event
        };
        tracking::record_event(c, id, &event, mapped, now - hours_ago * 3_600, now).await?;
    }
    if parcel.events.iter().any(|e| e.0 == "customs_hold") {
        // It crosses a border, duties unpaid: the shopper pays them on arrival.
        c.execute(
            "UPDATE shipments SET duties = 'due' WHERE id = ?1",
            args![id],
        )
        .await?;
    }
    tracking::refresh_shipment(c, id).await?;
    Ok(())
}

/// The shop's delivery settings (and what it does when a parcel goes wrong) and pickup
/// points once, and a week of slots from today
/// (topped up on every start, so a long-running demo keeps having slots).
async fn seed_delivery_choices(
    c: &mut Conn<'_>,
    shop_id: i64,
    today: time::Date,
) -> Result<(), DbError> {
    c.execute(
        "UPDATE shops SET time_zone = 'Europe/Amsterdam', choice_cutoff = '04:00', later_days = 5,
                          safe_places = ?2, neighbour_allowed = TRUE,
                          when_lost = ?3, when_returned = ?4, refund_days = 14
         WHERE id = ?1",
        args![
            shop_id,
            SAFE_PLACES,
            Remedy::ShoppersChoice.as_str(),
            Remedy::Refund.as_str()
        ],
    )
    .await?;
    let has_points = c
        .exists(
            "SELECT 1 FROM pickup_points WHERE shop_id = ?1",
            args![shop_id],
        )
        .await?;
    if !has_points {
        for (name, address, hours, latitude, longitude, locker) in PICKUP_POINTS {
            let point = NewPickupPoint {
                name: (*name).to_owned(),
                address: (*address).to_owned(),
                opening_hours: hours.lines().map(str::to_owned).collect(),
                locker: *locker,
                latitude: Some(*latitude),
                longitude: Some(*longitude),
            };
            settings::insert_pickup_point(c, shop_id, &point).await?;
        }
    }
    for days in 0..8 {
        let date = (today + time::Duration::days(days)).to_string();
        for (from, to, price, places) in SLOTS {
            let exists = c
                .exists(
                    "SELECT 1 FROM delivery_slots WHERE shop_id = ?1 AND date = ?2 AND starts = ?3",
                    args![shop_id, date, from],
                )
                .await?;
            if !exists {
                let slot = NewSlot {
                    date: date.clone(),
                    from: (*from).to_owned(),
                    to: (*to).to_owned(),
                    price: *price,
                    capacity: *places,
                };
                settings::insert_slot(c, shop_id, &slot).await?;
            }
        }
    }
    Ok(())
}

/// Returns, reviews, the survey and referrals switched on, with the demo shop's terms.
async fn seed_follow_up(
    c: &mut Conn<'_>,
    shop_id: i64,
    storefront_origin: &str,
) -> Result<(), DbError> {
    use postpurchase_api::{
        ChangeSettings, ReferralSettings, ReturnSettings, Reward, RewardKind, SurveySettings,
    };
    // Before dispatch, delivery tomorrow or this evening for a little more.
    store::upgrades::set_settings(
        c,
        shop_id,
        &postpurchase_api::UpgradeSettings {
            offers: vec![
                postpurchase_api::UpgradeOffer {
                    kind: postpurchase_api::UpgradeKind::NextDay,
                    price: 495,
                    currency: "EUR".into(),
                    cut_off: "22:00".into(),
                    daily_capacity: 50,
                },
                postpurchase_api::UpgradeOffer {
                    kind: postpurchase_api::UpgradeKind::Evening,
                    price: 695,
                    currency: "EUR".into(),
                    cut_off: "16:00".into(),
                    daily_capacity: 20,
                },
            ],
        },
    )
    .await?;
    // Until picking starts, shoppers may ask to cancel or fix the address.
    store::changes::set_settings(
        c,
        shop_id,
        &ChangeSettings {
            cancel: true,
            address: true,
            window_minutes: None,
        },
    )
    .await?;
    store::returns::set_settings(
        c,
        shop_id,
        &ReturnSettings {
            enabled: true,
            window_days: 30,
            reasons: words(&[
                "Not as pictured",
                "Arrived damaged",
                "Wrong item sent",
                "Changed my mind",
            ]),
            reasons_by_type: [
                (
                    "clothing".to_owned(),
                    words(&[
                        "Too small",
                        "Too large",
                        "Not as pictured",
                        "Arrived damaged",
                        "Wrong item sent",
                        "Changed my mind",
                    ]),
                ),
                (
                    "coffee".to_owned(),
                    words(&[
                        "Wrong grind",
                        "Arrived damaged",
                        "Wrong item sent",
                        "Changed my mind",
                    ]),
                ),
            ]
            .into(),
            photo_reasons: words(&["Arrived damaged", "Wrong item sent"]),
            store_credit_bonus: 10,
            return_address: Some(
                "Koffie & Klei — Returns\nWesterstraat 187\n1015 MA Amsterdam\nNetherlands".into(),
            ),
            send_within_days: 14,
        },
    )
    .await?;
    // The shop's words in the widget's other languages.
    let translated = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(word, said)| ((*word).to_owned(), (*said).to_owned()))
            .collect()
    };
    let translations = [
        (
            "nl",
            translated(&[
                ("Not as pictured", "Anders dan op de foto"),
                ("Arrived damaged", "Beschadigd aangekomen"),
                ("Wrong item sent", "Verkeerd artikel ontvangen"),
                ("Changed my mind", "Toch niet nodig"),
                ("Too small", "Te klein"),
                ("Too large", "Te groot"),
                ("Wrong grind", "Verkeerde maling"),
                ("A friend", "Een vriend of vriendin"),
                ("A search engine", "Een zoekmachine"),
                ("A newspaper or magazine", "Een krant of tijdschrift"),
            ]),
        ),
        (
            "de",
            translated(&[
                ("Not as pictured", "Anders als abgebildet"),
                ("Arrived damaged", "Beschädigt angekommen"),
                ("Wrong item sent", "Falscher Artikel geliefert"),
                ("Changed my mind", "Doch nicht gebraucht"),
                ("Too small", "Zu klein"),
                ("Too large", "Zu groß"),
                ("Wrong grind", "Falscher Mahlgrad"),
                ("A friend", "Freunde oder Bekannte"),
                ("A search engine", "Eine Suchmaschine"),
                ("A newspaper or magazine", "Eine Zeitung oder Zeitschrift"),
            ]),
        ),
        (
            "id",
            translated(&[
                ("Not as pictured", "Tidak sesuai gambar"),
                ("Arrived damaged", "Tiba dalam keadaan rusak"),
                ("Wrong item sent", "Barang yang dikirim salah"),
                ("Changed my mind", "Berubah pikiran"),
                ("Too small", "Terlalu kecil"),
                ("Too large", "Terlalu besar"),
                ("Wrong grind", "Gilingan salah"),
                ("A friend", "Teman"),
                ("A search engine", "Mesin pencari"),
                ("A newspaper or magazine", "Koran atau majalah"),
            ]),
        ),
    ]
    .map(|(language, list)| (language.to_owned(), list))
    .into();
    store::words::set(c, shop_id, &postpurchase_api::ShopWords { translations }).await?;
    store::reviews::set_enabled(c, shop_id, true).await?;
    store::survey::set_settings(
        c,
        shop_id,
        &SurveySettings {
            enabled: true,
            heard_options: [
                "Instagram",
                "A friend",
                "A search engine",
                "A newspaper or magazine",
            ]
            .map(str::to_owned)
            .to_vec(),
        },
    )
    .await?;
    let euro = |kind, value| Reward {
        kind,
        value,
        currency: Some("EUR".to_owned()),
    };
    store::referral::set_settings(
        c,
        shop_id,
        &ReferralSettings {
            enabled: true,
            share_url: format!("{storefront_origin}/?ref={{code}}"),
            friend_reward: euro(RewardKind::AmountOff, 1000),
            referrer_reward: euro(RewardKind::StoreCredit, 1000),
        },
    )
    .await?;
    // The Klei Club: 10 points per euro, a thank-you voucher for returning customers, and
    // "buy again" to the storefront; after delivery, the shop's notes and its hashtag.
    store::loyalty::set_loyalty(
        c,
        shop_id,
        &postpurchase_api::LoyaltySettings {
            enabled: true,
            name: Some("Klei Club".to_owned()),
            points_per_unit: 10,
            voucher: Some(postpurchase_api::VoucherRule {
                reward: Reward {
                    kind: RewardKind::PercentOff,
                    value: 10,
                    currency: None,
                },
                valid_days: 60,
                returning_only: true,
                prefix: "THANKS".to_owned(),
            }),
            product_url: Some(format!("{storefront_origin}/?product={{sku}}")),
        },
    )
    .await?;
    store::loyalty::set_unboxing(
        c,
        shop_id,
        &postpurchase_api::UnboxingSettings {
            enabled: true,
            thanks: Some(
                "Thank you for ordering from our little roastery and studio in the Jordaan. \
                 Every mug is thrown and glazed by hand, every bag roasted the week it ships: \
                 we hope they make your mornings better."
                    .to_owned(),
            ),
            eco: Some(
                "Our boxes and paper padding are recycled and recyclable: flatten the box \
                 and put it out with the paper. The coffee bags' valve comes off; the bag \
                 goes with plastics. Or bring the box back to the shop and we use it again."
                    .to_owned(),
            ),
            eco_url: Some(format!("{storefront_origin}/help")),
            hashtag: Some("koffieenklei".to_owned()),
            handle: Some("koffieenklei".to_owned()),
            share_url: None,
        },
    )
    .await?;
    // The hosted order page in the shop's colours: coffee brown, softer corners.
    let brand = [("--pp-accent", "#6b3e26"), ("--pp-radius", "8px")];
    settings::set_theme(
        c,
        shop_id,
        &postpurchase_api::ShopTheme {
            variables: brand
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            ..Default::default()
        },
    )
    .await
}

fn sample_order(sample: &Sample, today: time::Date, placed_at: i64) -> NewOrder {
    let promised = |days: i64| (today + time::Duration::days(days - sample.days_ago)).to_string();
    NewOrder {
        number: sample.number.to_owned(),
        placed_at: time::OffsetDateTime::from_unix_timestamp(placed_at)
            .ok()
            .map(domain::format_instant),
        currency: "EUR".to_owned(),
        customer: NewCustomer {
            email: sample.email.to_owned(),
            first_name: sample.first_name.to_owned(),
            last_name: sample.last_name.to_owned(),
            phone: None,
        },
        items: sample
            .items
            .iter()
            .map(
                |(sku, name, variant, quantity, price, picture)| NewLineItem {
                    sku: (*sku).to_owned(),
                    name: (*name).to_owned(),
                    variant: variant.map(str::to_owned),
                    quantity: *quantity,
                    unit_price: *price,
                    image_url: Some(format!("{IMG}{}", product_picture(picture))),
                    // Clothes come in sizes.
                    sized: matches!(*picture, "tee" | "socks" | "cap"),
                    final_sale: false,
                    product: None,
                    // Its own return reasons for clothes and coffee (see `configure`).
                    product_type: Some(
                        match *picture {
                            "tee" | "socks" | "cap" => "clothing",
                            "beans" | "filters" => "coffee",
                            _ => "kitchenware",
                        }
                        .to_owned(),
                    ),
                },
            )
            .collect(),
        shipping: 495,
        discount: 0,
        tax: 0,
        delivery_address: NewAddress {
            name: format!("{} {}", sample.first_name, sample.last_name),
            street: "Keizersgracht 123".to_owned(),
            postcode: "1015 CJ".to_owned(),
            city: "Amsterdam".to_owned(),
            country: "NL".to_owned(),
            latitude: Some(52.3752),
            longitude: Some(4.8840),
        },
        promised_delivery: Some(DateWindow {
            earliest: promised(2),
            latest: promised(4),
        }),
        dispatch_by: None,
    }
}

/// After delivery: how to use and care for the coffee and the ceramics, when to re-order
/// what runs out, and what goes well with what (pictured like the order lines, linked on
/// the storefront). Orders 0950 (a mug) and 1004 (a kettle and filters) are delivered.
async fn seed_products(
    c: &mut Conn<'_>,
    shop_id: i64,
    storefront: &str,
    now: i64,
) -> Result<(), DbError> {
    use postpurchase_api::{NewPairing, ProductCare};
    let pair = |sku: &str, name: &str, price: i64, picture: &str| NewPairing {
        name: name.to_owned(),
        price,
        currency: "EUR".to_owned(),
        image_url: Some(format!("{IMG}{}", product_picture(picture))),
        url: format!("{storefront}/p/{}", sku.to_lowercase()),
    };
    let beans = || pair("BEANS-1KG", "Single-origin beans, 1 kg", 2995, "beans");
    let mug = || pair("MUG-OAT", "Stoneware mug", 1450, "mug");
    let filters = || pair("FILTER-100", "Paper filters, 100 pcs", 595, "filters");
    let products = [
        (
            "BEANS-1KG",
            ProductCare {
                care: Some(
                    "Keep the beans in their bag, closed, somewhere cool and dark (not the fridge). Grind just before brewing: 15 g for 250 ml. Best within a month of opening."
                        .to_owned(),
                ),
                care_url: Some(format!("{storefront}/help/brewing")),
                reorder_days: Some(30),
                pairs: vec![mug(), filters()],
            },
        ),
        (
            "FILTER-100",
            ProductCare {
                care: Some(
                    "Rinse the filter with hot water before adding the coffee: it takes away the paper taste and warms the brewer."
                        .to_owned(),
                ),
                care_url: None,
                reorder_days: Some(45),
                pairs: vec![beans()],
            },
        ),
        (
            "MUG-OAT",
            ProductCare {
                care: Some(
                    "Stoneware, glazed by hand: dishwasher-safe, not for the microwave. Small differences in the glaze make each mug its own."
                        .to_owned(),
                ),
                care_url: Some(format!("{storefront}/help/ceramics")),
                reorder_days: None,
                pairs: vec![beans()],
            },
        ),
        (
            "KETTLE-GOOSE",
            ProductCare {
                care: Some(
                    "Descale once a month with a mix of water and vinegar (1:1); rinse twice. Do not heat it empty."
                        .to_owned(),
                ),
                care_url: Some(format!("{storefront}/help/kettle")),
                reorder_days: None,
                pairs: vec![beans(), mug()],
            },
        ),
    ];
    for (sku, product) in products {
        store::care::put_product(c, shop_id, sku, &product, now).await?;
    }
    Ok(())
}

/// A small product illustration as an SVG data URL (percent-encoded), so the demo needs
/// no image files and no network.
fn product_picture(kind: &str) -> String {
    let (bg, fg) = match kind {
        "mug" | "kettle" => ("%23e8dccb", "%236b4f3a"),
        "beans" | "filters" => ("%23f1e4d3", "%238a5a2b"),
        "tee" | "cap" | "socks" => ("%23dfe9df", "%232f5d3a"),
        _ => ("%23e6e3f0", "%23544a7d"),
    };
    format!(
        "%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 64 64'%3E%3Crect width='64' height='64' rx='8' fill='{bg}'/%3E%3Ccircle cx='32' cy='32' r='16' fill='{fg}'/%3E%3C/svg%3E"
    )
}

/// A list of the shop's words.
fn words(list: &[&str]) -> Vec<String> {
    list.iter().map(|w| (*w).to_owned()).collect()
}
