//! The rules of changing an order before it ships: when a shopper may still ask, what a
//! request must hold, and what the shop may set. Pure functions of their facts and the
//! clock; [`crate::store::changes`] applies them inside the write transaction.

use postpurchase_api::{
    address_wrong, ChangeKind, ChangeSettings, FieldError, NewChange, WINDOW_MAX_MINUTES,
};

/// The shortest window a shop may set, in minutes.
pub const WINDOW_MIN_MINUTES: u32 = 5;

/// What of an order decides whether its shopper may still ask for a change.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OrderFacts {
    /// When it was placed (Unix seconds).
    pub placed_at: i64,
    /// The shop said it started picking it.
    pub picking: bool,
    /// A parcel of it is registered.
    pub parcels: bool,
    pub cancelled: bool,
    /// A request of the shopper's waits for the shop.
    pub waiting: bool,
}

/// Why a shopper may not ask now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Closed {
    /// The shop takes no such change.
    NotOffered,
    /// Too late: a parcel, picking, the window's end, or the order is cancelled.
    TooLate,
    /// A request already waits for the shop.
    Waiting,
}

/// Until when (Unix seconds) the shop's window keeps asking open, if it has one.
pub fn window_end(settings: &ChangeSettings, placed_at: i64) -> Option<i64> {
    settings
        .window_minutes
        .map(|minutes| placed_at + i64::from(minutes) * 60)
}

/// Whether the shopper may ask for a change of `kind` at `now`.
pub fn may_ask(
    settings: &ChangeSettings,
    order: OrderFacts,
    kind: ChangeKind,
    now: i64,
) -> Result<(), Closed> {
    let offered = match kind {
        ChangeKind::Cancel => settings.cancel,
        ChangeKind::Address => settings.address,
    };
    if !offered {
        return Err(Closed::NotOffered);
    }
    let past_window = window_end(settings, order.placed_at).is_some_and(|end| now >= end);
    if order.parcels || order.picking || order.cancelled || past_window {
        return Err(Closed::TooLate);
    }
    if order.waiting {
        return Err(Closed::Waiting);
    }
    Ok(())
}

/// What the order's view offers at `now`: may the shopper ask to cancel, to fix the
/// address, and until when by the window (only while asking is open).
pub fn offered(
    settings: &ChangeSettings,
    order: OrderFacts,
    now: i64,
) -> (bool, bool, Option<i64>) {
    let cancel = may_ask(settings, order, ChangeKind::Cancel, now).is_ok();
    let address = may_ask(settings, order, ChangeKind::Address, now).is_ok();
    let until = window_end(settings, order.placed_at).filter(|_| cancel || address);
    (cancel, address, until)
}

/// What is wrong with a shop's change settings.
pub fn check_settings(settings: &ChangeSettings) -> Vec<FieldError> {
    match settings.window_minutes {
        Some(m) if !(WINDOW_MIN_MINUTES..=WINDOW_MAX_MINUTES).contains(&m) => {
            vec![FieldError::new(
                "window_minutes",
                format!("must be {WINDOW_MIN_MINUTES} to {WINDOW_MAX_MINUTES} minutes, or null for until picking starts"),
            )]
        }
        _ => Vec::new(),
    }
}

fn on_one_line(most: usize) -> String {
    format!("must be 1 to {most} characters on one line")
}

/// What is wrong with a shopper's request for an order delivered in `country`.
pub fn check_request(request: &NewChange, country: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    match (request.kind, &request.address) {
        (ChangeKind::Cancel, Some(_)) => {
            errors.push(FieldError::new("address", "must be absent when cancelling"));
        }
        (ChangeKind::Cancel, None) => {}
        (ChangeKind::Address, None) => {
            errors.push(FieldError::new(
                "address",
                "is needed to change the address",
            ));
        }
        (ChangeKind::Address, Some(a)) => {
            let parts = [&a.name, &a.street, &a.house_number, &a.postcode, &a.city];
            let wrong = address_wrong(country, parts.map(String::as_str));
            let said: [(&str, String); 5] = [
                ("name", on_one_line(200)),
                ("street", on_one_line(200)),
                (
                    "house_number",
                    if a.house_number.trim().is_empty() {
                        "is needed for an address in this country".into()
                    } else {
                        "must start with a number from 1, then letters, digits, spaces, - or / (10 characters at most)".into()
                    },
                ),
                ("postcode", format!("is not a postcode of {country}")),
                ("city", on_one_line(100)),
            ];
            for (i, (field, message)) in said.into_iter().enumerate() {
                // The shared rules, and the server's limits on the free-text parts.
                let most = [200, 200, 0, 0, 100][i];
                let too_much = most > 0
                    && (!super::text_ok(parts[i], most) || parts[i].contains(['\n', '\r']));
                if wrong >> i & 1 == 1 || too_much {
                    errors.push(FieldError::new(format!("address.{field}"), message));
                }
            }
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use postpurchase_api::AddressFix;

    use super::*;

    const HOUR: i64 = 3600;

    fn settings(window_minutes: Option<u32>) -> ChangeSettings {
        ChangeSettings {
            cancel: true,
            address: true,
            window_minutes,
        }
    }

    fn placed() -> OrderFacts {
        OrderFacts {
            placed_at: 1_000_000,
            ..OrderFacts::default()
        }
    }

    #[test]
    fn asking_closes_at_the_window_picking_a_parcel_or_cancelling() {
        let s = settings(Some(60));
        let at =
            |o: OrderFacts, after: i64| may_ask(&s, o, ChangeKind::Cancel, o.placed_at + after);
        assert_eq!(at(placed(), 0), Ok(()));
        assert_eq!(at(placed(), HOUR - 1), Ok(()));
        assert_eq!(at(placed(), HOUR), Err(Closed::TooLate));
        let cases = [
            OrderFacts {
                picking: true,
                ..placed()
            },
            OrderFacts {
                parcels: true,
                ..placed()
            },
            OrderFacts {
                cancelled: true,
                ..placed()
            },
        ];
        for case in cases {
            assert_eq!(at(case, 60), Err(Closed::TooLate), "{case:?}");
        }
        assert_eq!(
            at(
                OrderFacts {
                    waiting: true,
                    ..placed()
                },
                60
            ),
            Err(Closed::Waiting)
        );
        // Too late wins over waiting: the widget says what the shopper can do about it.
        assert_eq!(
            at(
                OrderFacts {
                    waiting: true,
                    parcels: true,
                    ..placed()
                },
                60
            ),
            Err(Closed::TooLate)
        );
    }

    #[test]
    fn without_a_window_asking_stays_open_until_picking() {
        let s = settings(None);
        let o = placed();
        assert_eq!(
            may_ask(&s, o, ChangeKind::Address, o.placed_at + 30 * 24 * HOUR),
            Ok(())
        );
        let picking = OrderFacts { picking: true, ..o };
        assert_eq!(
            may_ask(&s, picking, ChangeKind::Address, o.placed_at + 60),
            Err(Closed::TooLate)
        );
        assert_eq!(offered(&s, o, o.placed_at), (true, true, None));
    }

    #[test]
    fn only_what_the_shop_offers() {
        let s = ChangeSettings {
            cancel: false,
            address: true,
            window_minutes: Some(30),
        };
        let o = placed();
        assert_eq!(
            may_ask(&s, o, ChangeKind::Cancel, o.placed_at),
            Err(Closed::NotOffered)
        );
        assert_eq!(
            offered(&s, o, o.placed_at),
            (false, true, Some(o.placed_at + 1800))
        );
        // Once closed, the view names no end.
        assert_eq!(offered(&s, o, o.placed_at + 1800), (false, false, None));
        assert_eq!(
            offered(&ChangeSettings::default(), o, o.placed_at),
            (false, false, None)
        );
    }

    #[test]
    fn settings_windows() {
        for ok in [None, Some(5), Some(60), Some(10_080)] {
            assert!(check_settings(&settings(ok)).is_empty(), "{ok:?}");
        }
        for bad in [Some(0), Some(4), Some(10_081)] {
            assert_eq!(check_settings(&settings(bad))[0].field, "window_minutes");
        }
    }

    fn fix(house_number: &str, postcode: &str) -> NewChange {
        NewChange {
            kind: ChangeKind::Address,
            address: Some(AddressFix {
                name: "Ada Lovelace".into(),
                street: "Keizersgracht".into(),
                house_number: house_number.into(),
                postcode: postcode.into(),
                city: "Amsterdam".into(),
            }),
        }
    }

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn requests_are_checked_field_by_field_for_the_country() {
        assert!(check_request(&fix("12A", "1017 AB"), "NL").is_empty());
        assert_eq!(
            fields(check_request(&fix("", "1017 AB"), "NL")),
            ["address.house_number"]
        );
        assert_eq!(
            fields(check_request(&fix("12", "0017 AB"), "NL")),
            ["address.postcode"]
        );
        assert_eq!(
            fields(check_request(&fix("#", "12345"), "DE")),
            ["address.house_number"]
        );
        // Where the number may be part of the street, none is fine.
        assert!(check_request(&fix("", "SW1A 1AA"), "GB").is_empty());
        let mut blank = fix("1", "1017 AB");
        if let Some(a) = &mut blank.address {
            a.name = "  ".into();
            a.city = "x".repeat(101);
        }
        assert_eq!(
            fields(check_request(&blank, "NL")),
            ["address.name", "address.city"]
        );
        let cancel = NewChange {
            kind: ChangeKind::Cancel,
            address: None,
        };
        assert!(check_request(&cancel, "NL").is_empty());
        let odd = NewChange {
            kind: ChangeKind::Cancel,
            address: fix("1", "1017 AB").address,
        };
        assert_eq!(fields(check_request(&odd, "NL")), ["address"]);
        let bare = NewChange {
            kind: ChangeKind::Address,
            address: None,
        };
        assert_eq!(fields(check_request(&bare, "NL")), ["address"]);
    }
}
