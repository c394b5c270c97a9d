//! The demo shop: a sample storefront with orders at every stage, created through the same
//! code paths as a merchant's orders.

use postpurchase_api::{
    DateWindow, NewAddress, NewCustomer, NewLineItem, NewOrder, ShipmentStatus,
};

use crate::error::ApiError;
use crate::store::{self, Inserted, NewShop};
use crate::{domain, AppState};

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
/// A parcel: carrier, tracking number, status, (line position, quantity) of its contents.
type SampleParcel = (
    &'static str,
    &'static str,
    ShipmentStatus,
    &'static [(i64, u32)],
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
        label: "Split in two parcels, one shipped",
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
            (
                "postnl",
                "3SPOST0000001",
                ShipmentStatus::InTransit,
                &[(0, 1), (2, 1)],
            ),
            (
                "postnl",
                "3SPOST0000002",
                ShipmentStatus::Pending,
                &[(1, 1)],
            ),
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
        parcels: &[(
            "dhl",
            "JVGL0000000003",
            ShipmentStatus::OutForDelivery,
            &[(0, 1)],
        )],
    },
    Sample {
        number: "0950",
        label: "An earlier order of a returning customer",
        days_ago: 60,
        email: "ada.jansen@example.com",
        first_name: "Ada",
        last_name: "Jansen",
        items: &[("MUG-OAT", "Stoneware mug", Some("Oat"), 1, 1450, "mug")],
        parcels: &[(
            "postnl",
            "3SPOST0000950",
            ShipmentStatus::Delivered,
            &[(0, 1)],
        )],
    },
    Sample {
        number: "1004",
        label: "Delivered, returning customer",
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
        parcels: &[(
            "dhl",
            "JVGL0000000004",
            ShipmentStatus::Delivered,
            &[(0, 1), (1, 2)],
        )],
    },
];

/// Creates the demo shop and its orders unless they exist, then mints a fresh token for
/// each order so the storefront can link to them.
pub fn seed_demo(state: &AppState, storefront_origin: &str) -> Result<Demo, ApiError> {
    let now = state.clock.now();
    let api_key = std::env::var("PP_DEMO_API_KEY").unwrap_or_else(|_| {
        domain::new_token().unwrap_or_else(|_| "demo-key-unavailable".to_owned())
    });
    let origins = vec![
        storefront_origin.to_owned(),
        storefront_origin.replace("127.0.0.1", "localhost"),
    ];
    let order_page = format!("{storefront_origin}/account/orders");
    let today = time::OffsetDateTime::from_unix_timestamp(now)
        .map_err(|e| ApiError::internal("clock", e))?
        .date();
    state.db.write(|tx| {
        let shop_id = match store::shop_by_slug(tx, SHOP)? {
            Some(shop) => {
                // A restarted demo gets a new key and the storefront's current origin.
                tx.execute(
                    "UPDATE shops SET api_key_hash = ?1, allowed_origins = ?2 WHERE id = ?3",
                    rusqlite::params![
                        &domain::secret_hash(&api_key)[..],
                        origins.join("\n"),
                        shop.id
                    ],
                )?;
                shop.id
            }
            None => store::insert_shop(
                tx,
                &NewShop {
                    slug: SHOP,
                    name: "Koffie & Klei",
                    api_key: &api_key,
                    allowed_origins: &origins,
                    locale: "en",
                    support_email: Some("help@koffie-en-klei.example"),
                    support_phone: Some("+31 20 123 4567"),
                    support_url: Some(&format!("{storefront_origin}/help")),
                    order_status_url: Some(&order_page),
                },
            )?,
        };
        let mut orders = Vec::new();
        for sample in SAMPLES {
            let placed_at = now - sample.days_ago * 86_400 - 3_600;
            let order = sample_order(sample, today, placed_at);
            let order_id = match store::insert_order(tx, shop_id, &order, placed_at)? {
                Inserted::Created(id) => {
                    for (carrier, tracking, status, items) in sample.parcels {
                        store::insert_shipment(tx, id, carrier, tracking, *status, items)?;
                    }
                    id
                }
                Inserted::Duplicate => store::order_id_by_number(tx, shop_id, sample.number)?
                    .ok_or(rusqlite::Error::QueryReturnedNoRows)?,
            };
            let token = domain::new_token().map_err(|e| ApiError::internal("random", e))?;
            store::insert_token(tx, order_id, &token, now + 7 * 86_400)?;
            orders.push(DemoOrder {
                number: sample.number.to_owned(),
                label: sample.label,
                token,
            });
        }
        Ok::<_, ApiError>(Demo {
            api_key: api_key.clone(),
            order_page: order_page.clone(),
            orders,
        })
    })
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
        },
        promised_delivery: Some(DateWindow {
            earliest: promised(2),
            latest: promised(4),
        }),
    }
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
