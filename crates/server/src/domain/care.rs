//! After delivery, as plain functions: what a product's care, re-order suggestion and
//! recommendations may be, when a re-order reminder is due, and by which channels a due
//! reminder may reach the shopper.

use postpurchase_api::{FieldError, NewPairing, ProductCare};

use super::{http_url_ok, text_ok};

/// Most recommendations one product has.
pub const MAX_PAIRS: usize = 6;
/// Most recommendations an order shows.
pub const MAX_SHOWN: usize = 8;
/// The longest care text.
pub const MAX_CARE: usize = 1000;
/// The longest URL taken.
pub const MAX_URL: usize = 500;
/// The highest price of a recommendation, in minor units (a million in a two-decimal
/// currency).
pub const MAX_PRICE: i64 = 100_000_000;
/// Most products one shop says something about.
pub const MAX_PRODUCTS: i64 = 5_000;
/// Most re-order reminders one order line ever has (kept, cancelled, sent or skipped).
pub const MAX_REMINDERS_PER_LINE: i64 = 10;

/// A SKU as order lines take it: 1 to 100 characters, not blank.
pub fn sku_ok(sku: &str) -> bool {
    text_ok(sku, 100)
}

/// Days of a re-order reminder or suggestion: 1 to 365.
pub fn days_ok(days: u32) -> bool {
    (1..=365).contains(&days)
}

/// A picture shown to shoppers: an https URL, or an image inline as a `data:` URL (SVG,
/// PNG, JPEG or WebP, as the demo's products have), which loads nothing from anywhere.
fn image_url_ok(text: &str) -> bool {
    const INLINE: [&str; 4] = [
        "data:image/svg+xml,",
        "data:image/png;base64,",
        "data:image/jpeg;base64,",
        "data:image/webp;base64,",
    ];
    if INLINE.iter().any(|p| text.starts_with(p)) {
        return text.chars().count() <= MAX_URL && !text.contains(char::is_control);
    }
    http_url_ok(text, MAX_URL) && text.starts_with("https://")
}

/// Checks a product's care, suggestion and recommendations, field by field.
pub fn check_product(p: &ProductCare) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if p.care.as_deref().is_some_and(|c| !text_ok(c, MAX_CARE)) {
        errors.push(FieldError::new("care", "must be 1 to 1000 characters"));
    }
    if p.care_url
        .as_deref()
        .is_some_and(|u| !http_url_ok(u, MAX_URL))
    {
        errors.push(FieldError::new(
            "care_url",
            "must be an http(s) URL, at most 500 characters",
        ));
    }
    if p.reorder_days.is_some_and(|d| !days_ok(d)) {
        errors.push(FieldError::new("reorder_days", "must be 1 to 365"));
    }
    if p.pairs.len() > MAX_PAIRS {
        // Nothing more is checked of a list this long (each url is compared with those
        // before it).
        errors.push(FieldError::new("pairs", "at most 6 products"));
        return errors;
    }
    for (i, pair) in p.pairs.iter().enumerate() {
        errors.extend(check_pairing(i, pair));
        if p.pairs[..i].iter().any(|q| q.url == pair.url) {
            errors.push(FieldError::new(
                format!("pairs[{i}].url"),
                "is already recommended",
            ));
        }
    }
    errors
}

fn check_pairing(i: usize, pair: &NewPairing) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut fail = |field: &str, message: &str| {
        errors.push(FieldError::new(format!("pairs[{i}].{field}"), message));
    };
    if !text_ok(&pair.name, 120) || pair.name.contains(['\n', '\r']) {
        fail("name", "must be 1 to 120 characters on one line");
    }
    if !(0..=MAX_PRICE).contains(&pair.price) {
        fail("price", "must be 0 to 100,000,000 (minor units)");
    }
    if pair.currency.len() != 3 || !pair.currency.bytes().all(|b| b.is_ascii_uppercase()) {
        fail("currency", "must be three capital letters (EUR)");
    }
    if pair.image_url.as_deref().is_some_and(|u| !image_url_ok(u)) {
        fail(
            "image_url",
            "must be an https URL (or a data: image), at most 500 characters",
        );
    }
    if !http_url_ok(&pair.url, MAX_URL) {
        fail("url", "must be an http(s) URL, at most 500 characters");
    }
    errors
}

/// The day (`YYYY-MM-DD`, UTC) a reminder set at `now` (Unix seconds) for `days` days is
/// due.
pub fn due_on(now: i64, days: u32) -> String {
    crate::store::date_of(now + i64::from(days) * 86_400)
}

/// Whether a reminder due on `due_on` is due at `now`: its day has begun (UTC).
pub fn is_due(due_on: &str, now: i64) -> bool {
    due_on <= crate::store::date_of(now).as_str()
}

/// The channels a due reminder goes by: e-mail and text. A shopper who never set their
/// preferences asked for the reminder itself, so it goes by e-mail (the address the
/// shop has), not by text; texts need a number.
pub fn channels(preferences: Option<(bool, bool)>, phone_known: bool) -> (bool, bool) {
    let (email, sms) = preferences.unwrap_or((true, false));
    (email, sms && phone_known)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairing() -> NewPairing {
        NewPairing {
            name: "Espresso cup".into(),
            price: 1450,
            currency: "EUR".into(),
            image_url: Some("https://cdn.example/cup.jpg".into()),
            url: "https://shop.example/p/cup".into(),
        }
    }

    fn fields(p: &ProductCare) -> Vec<String> {
        check_product(p).into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn products_are_checked_field_by_field() {
        let good = ProductCare {
            care: Some("Keep dry.".into()),
            care_url: Some("http://shop.example/care".into()),
            reorder_days: Some(30),
            pairs: vec![pairing()],
        };
        assert!(fields(&good).is_empty());
        let inline = ProductCare {
            pairs: vec![NewPairing {
                image_url: Some("data:image/svg+xml,%3Csvg%3E%3C/svg%3E".into()),
                ..pairing()
            }],
            ..ProductCare::default()
        };
        assert!(fields(&inline).is_empty());
        assert!(fields(&ProductCare::default()).is_empty());
        let cases: Vec<(ProductCare, &str)> = vec![
            (
                ProductCare {
                    care: Some("x".repeat(1001)),
                    ..good.clone()
                },
                "care",
            ),
            (
                ProductCare {
                    care: Some("   ".into()),
                    ..good.clone()
                },
                "care",
            ),
            (
                ProductCare {
                    care_url: Some("ftp://shop.example/x".into()),
                    ..good.clone()
                },
                "care_url",
            ),
            (
                ProductCare {
                    reorder_days: Some(0),
                    ..good.clone()
                },
                "reorder_days",
            ),
            (
                ProductCare {
                    reorder_days: Some(366),
                    ..good.clone()
                },
                "reorder_days",
            ),
            (
                ProductCare {
                    pairs: (0..7)
                        .map(|i| NewPairing {
                            url: format!("https://shop.example/p/{i}"),
                            ..pairing()
                        })
                        .collect(),
                    ..good.clone()
                },
                "pairs",
            ),
        ];
        for (product, field) in cases {
            assert_eq!(fields(&product), [field], "{product:?}");
        }
        let pair_cases: Vec<(NewPairing, &str)> = vec![
            (
                NewPairing {
                    name: String::new(),
                    ..pairing()
                },
                "pairs[0].name",
            ),
            (
                NewPairing {
                    name: "n".repeat(121),
                    ..pairing()
                },
                "pairs[0].name",
            ),
            (
                NewPairing {
                    price: -1,
                    ..pairing()
                },
                "pairs[0].price",
            ),
            (
                NewPairing {
                    currency: "eur".into(),
                    ..pairing()
                },
                "pairs[0].currency",
            ),
            (
                NewPairing {
                    image_url: Some("http://cdn.example/cup.jpg".into()),
                    ..pairing()
                },
                "pairs[0].image_url",
            ),
            (
                NewPairing {
                    image_url: Some("data:text/html,<script>".into()),
                    ..pairing()
                },
                "pairs[0].image_url",
            ),
            (
                NewPairing {
                    url: "javascript:alert(1)".into(),
                    ..pairing()
                },
                "pairs[0].url",
            ),
        ];
        for (pair, field) in pair_cases {
            let product = ProductCare {
                pairs: vec![pair],
                ..ProductCare::default()
            };
            assert_eq!(fields(&product), [field], "{product:?}");
        }
        let twice = ProductCare {
            pairs: vec![pairing(), pairing()],
            ..ProductCare::default()
        };
        assert_eq!(fields(&twice), ["pairs[1].url"]);
    }

    #[test]
    fn skus_and_days_are_bounded() {
        assert!(sku_ok("BEANS-1KG"));
        assert!(!sku_ok(""));
        assert!(!sku_ok(" "));
        assert!(sku_ok(&"S".repeat(100)));
        assert!(!sku_ok(&"S".repeat(101)));
        assert!(!days_ok(0));
        assert!(days_ok(1));
        assert!(days_ok(365));
        assert!(!days_ok(366));
    }

    #[test]
    fn reminders_fall_due_on_their_utc_day() {
        // 2026-11-23T12:00:00Z
        let now = 1_795_435_200;
        assert_eq!(due_on(now, 30), "2026-12-23");
        assert!(!is_due("2026-11-24", now));
        assert!(is_due("2026-11-23", now));
        assert!(is_due("2026-11-22", now));
        assert!(!is_due("2026-12-23", now + 29 * 86_400));
        assert!(is_due("2026-12-23", now + 30 * 86_400 - 12 * 3600));
    }

    #[test]
    fn channels_follow_the_preferences() {
        assert_eq!(channels(None, true), (true, false));
        assert_eq!(channels(Some((true, true)), true), (true, true));
        assert_eq!(channels(Some((false, true)), false), (false, false));
        assert_eq!(channels(Some((false, false)), true), (false, false));
        assert_eq!(channels(Some((false, true)), true), (false, true));
    }
}
