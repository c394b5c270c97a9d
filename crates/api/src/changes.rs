//! Changing an order before it ships: the shopper asks to cancel it or to fix its
//! delivery address while no parcel has been registered and the shop's window is open;
//! the shop hears it through a signed webhook (`order.change_requested`) and accepts or
//! refuses it through the admin API; the shopper sees the request, then the outcome, in
//! the order's view. A parcel registered first overtakes a request still waiting
//! (`shipped`), so an order is never both cancelled and shipped.
//!
//! The address rules ([`postcode_ok`], [`house_number_ok`]) live here, once, so the widget
//! checks a field as the server will.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Admin API: whether shoppers may ask to cancel an order or fix its address before it
/// ships, and for how long.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangeSettings {
    /// Shoppers may ask to cancel.
    #[serde(default)]
    pub cancel: bool,
    /// Shoppers may ask to fix the delivery address.
    #[serde(default)]
    pub address: bool,
    /// How long after the order is placed they may ask, in minutes (5 to 10,080, a week).
    /// `null`: until the shop says picking started. Either way asking closes when picking
    /// starts (`POST /api/v1/admin/orders/{number}/picking`) or a parcel is registered.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 5, maximum = 10_080))]
    pub window_minutes: Option<u32>,
}

/// The longest window a shop may set, in minutes: a week.
pub const WINDOW_MAX_MINUTES: u32 = 10_080;

/// What a shopper asks to change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Cancel the whole order.
    Cancel,
    /// Deliver it to another address in the same country.
    Address,
}

/// Where a request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeStatus {
    /// Waiting for the shop.
    Requested,
    /// The shop made the change: the order is cancelled, or goes to the new address.
    Accepted,
    /// The shop said no (its `message` may say why).
    Refused,
    /// A parcel was registered before the shop answered: the order ships as it was.
    Shipped,
}

/// Shopper API: the new delivery address, in the order's country.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddressFix {
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = "\\S")
    )]
    pub name: String,
    /// The street, without the house number.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = "\\S")
    )]
    pub street: String,
    /// The house number with any addition (`12`, `12A`, `12-3`); may be empty where the
    /// country's addresses do without one (see [`house_number_needed`]).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 10))]
    pub house_number: String,
    /// In the country's own format (see [`postcode_ok`]).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 12))]
    pub postcode: String,
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = "\\S")
    )]
    pub city: String,
}

/// Shopper API: a request to change the order, safe to retry with an `Idempotency-Key`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewChange {
    pub kind: ChangeKind,
    /// For `address`: the whole new address. Absent for `cancel`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<AddressFix>,
}

/// A request as the shopper sees it, in the order's view: the new address masked like the
/// order's own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ChangeView {
    pub kind: ChangeKind,
    pub status: ChangeStatus,
    /// RFC 3339, UTC.
    pub requested_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<crate::MaskedAddress>,
    /// What the shop said with its answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// In the order's view: what the shopper may still ask, until when, and their latest
/// request. Absent when they may ask nothing (the shop takes no changes, or it is too
/// late) and have asked nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OrderChanges {
    /// The shopper may ask to cancel now.
    #[serde(default)]
    pub cancel: bool,
    /// The shopper may ask to fix the address now.
    #[serde(default)]
    pub address: bool,
    /// When asking closes by the shop's window (RFC 3339), while it is open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// Their latest request, until the order is delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<ChangeView>,
}

/// A full address, as the shop receives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ChangedAddress {
    pub name: String,
    pub street: String,
    pub house_number: String,
    pub postcode: String,
    pub city: String,
    /// ISO 3166-1 alpha-2: the order's country.
    pub country: String,
}

/// Admin API and the `order.change_*` webhooks: a request with its order and shopper.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AdminChange {
    /// Names the request in `…/changes/{change}/decision`.
    pub change: String,
    pub order_number: String,
    pub kind: ChangeKind,
    pub status: ChangeStatus,
    pub email: String,
    pub first_name: String,
    /// RFC 3339, UTC.
    pub requested_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<ChangedAddress>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Admin API: the shop's answer to a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangeDecision {
    /// `true` makes the change (cancels the order, or moves it to the new address).
    pub accept: bool,
    /// What the shopper reads with the answer, e.g. why not.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 500, pattern = "\\S")
    )]
    pub message: Option<String>,
}

/// Countries whose addresses put the number after the street (`Keizersgracht 12`); the
/// others put it first (`12 Baker Street`).
const NUMBER_AFTER: [&str; 16] = [
    "AT", "BE", "CH", "CZ", "DE", "DK", "ES", "FI", "ID", "IT", "NL", "NO", "PL", "PT", "SE", "SK",
];

/// Whether an address in `country` must have a house number of its own.
pub fn house_number_needed(country: &str) -> bool {
    NUMBER_AFTER.contains(&country)
}

/// A house number: a number from 1, then at most 6 of letters, digits, ` `, `-` and `/`
/// (`12`, `12A`, `12 bis`, `12-3`); 10 characters at most.
pub fn house_number_ok(number: &str) -> bool {
    let number = number.trim();
    let mut chars = number.chars();
    matches!(chars.next(), Some('1'..='9'))
        && number.len() <= 10
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '/'))
}

/// Which parts of a new address in `country` are wrong, as a mask in the order of
/// [`AddressFix`]'s fields (name, street, house number, postcode, city): a blank name,
/// street or city; a house number of the wrong form, or none where the country's
/// addresses have one; a postcode not of the country's form. The widget checks a form
/// with it before sending, and the server a request (with its limits on length too).
pub fn address_wrong(country: &str, [name, street, number, postcode, city]: [&str; 5]) -> u16 {
    let number = number.trim();
    let ok = [
        !name.trim().is_empty(),
        !street.trim().is_empty(),
        if number.is_empty() {
            !house_number_needed(country)
        } else {
            house_number_ok(number)
        },
        postcode_ok(country, postcode),
        !city.trim().is_empty(),
    ];
    (0..ok.len()).fold(0, |m, i| if ok[i] { m } else { m | 1 << i })
}

/// Whether `postcode` has the form of `country`'s postcodes (letters in either case,
/// spaces around it ignored): `1234 AB` in the Netherlands, five digits in Germany,
/// France, Italy, Spain and Indonesia, four in Belgium, Austria, Switzerland and Denmark,
/// `SW1A 1AA` in the United Kingdom, `12345` or `12345-6789` in the United States; any
/// 2 to 10 letters, digits, spaces and `-` elsewhere.
pub fn postcode_ok(country: &str, postcode: &str) -> bool {
    let p = postcode.trim().as_bytes();
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    let letters = |s: &[u8]| s.iter().all(u8::is_ascii_alphabetic);
    match country {
        "NL" => {
            let (head, tail) = p.split_at(p.len().min(4));
            let tail = tail.strip_prefix(b" ").unwrap_or(tail);
            head.len() == 4 && head[0] != b'0' && digits(head) && tail.len() == 2 && letters(tail)
        }
        "DE" | "FR" | "IT" | "ES" | "ID" | "FI" => p.len() == 5 && digits(p),
        "BE" | "AT" | "CH" | "DK" | "NO" => p.len() == 4 && p[0] != b'0' && digits(p),
        "US" => {
            let (zip, plus) = p.split_at(p.len().min(5));
            zip.len() == 5
                && digits(zip)
                && (plus.is_empty() || (plus.len() == 5 && plus[0] == b'-' && digits(&plus[1..])))
        }
        "GB" => {
            // An outward code of 2 to 4 (letter first, a digit in it), a space if any, then
            // the inward code: digit, letter, letter. No copy: the spaces are skipped.
            let mut chars = p.iter().filter(|b| **b != b' ');
            let len = chars.clone().count();
            let out = len.wrapping_sub(3);
            (2..=4).contains(&out)
                && p[0].is_ascii_alphabetic()
                && chars.by_ref().take(out).all(u8::is_ascii_alphanumeric)
                && p.iter()
                    .filter(|b| **b != b' ')
                    .take(out)
                    .any(u8::is_ascii_digit)
                && chars.next().is_some_and(u8::is_ascii_digit)
                && chars.all(u8::is_ascii_alphabetic)
        }
        _ => {
            (2..=10).contains(&p.len())
                && p.iter()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b' ' | b'-'))
        }
    }
}

/// A postcode as it is kept: trimmed, in capitals, and `1234AB` written `1234 AB` in the
/// Netherlands.
pub fn postcode_normal(country: &str, postcode: &str) -> String {
    let p = postcode.trim().to_ascii_uppercase();
    if country == "NL" && p.len() == 6 && !p.contains(' ') {
        return format!("{} {}", &p[..4], &p[4..]);
    }
    p
}

/// The street line with its house number where the country puts it.
pub fn street_line(country: &str, street: &str, number: &str) -> String {
    let (street, number) = (street.trim(), number.trim());
    match (number.is_empty(), house_number_needed(country)) {
        (true, _) => street.to_owned(),
        (false, true) => format!("{street} {number}"),
        (false, false) => format!("{number} {street}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postcodes_per_country() {
        let cases = [
            ("NL", "1017 AB", true),
            ("NL", "1017ab", true),
            ("NL", " 1017 AB ", true),
            ("NL", "0017 AB", false),
            ("NL", "1017", false),
            ("NL", "1017 A1", false),
            ("NL", "10170 AB", false),
            ("DE", "10115", true),
            ("DE", "1011", false),
            ("DE", "1011A", false),
            ("BE", "1000", true),
            ("BE", "0999", false),
            ("ID", "10110", true),
            ("ID", "101100", false),
            ("US", "94103", true),
            ("US", "94103-1234", true),
            ("US", "94103-12", false),
            ("US", "9410", false),
            ("GB", "SW1A 1AA", true),
            ("GB", "M1 1AE", true),
            ("GB", "m11ae", true),
            ("GB", "1M 1AE", false),
            ("GB", "SW1A 1A", false),
            ("GB", "SWAA 1AA", false),
            ("GB", "", false),
            ("GB", "  ", false),
            ("GB", "SW1A 1AA1", false),
            ("NL", "", false),
            ("US", "", false),
            ("SG", "018956", true),
            ("SG", "0", false),
            ("SG", "01#89", false),
        ];
        for (country, postcode, ok) in cases {
            assert_eq!(postcode_ok(country, postcode), ok, "{country} {postcode:?}");
        }
    }

    #[test]
    fn house_numbers() {
        for good in ["12", "12A", "12 bis", "12-3", "1/2", "9999999999"] {
            assert!(house_number_ok(good), "{good}");
        }
        for bad in ["", "0", "A12", "12#", "12345678901", "-1"] {
            assert!(!house_number_ok(bad), "{bad}");
        }
        assert!(house_number_needed("NL"));
        assert!(!house_number_needed("GB"));
    }

    #[test]
    fn kept_forms() {
        assert_eq!(postcode_normal("NL", " 1017ab"), "1017 AB");
        assert_eq!(postcode_normal("GB", "sw1a 1aa"), "SW1A 1AA");
        assert_eq!(
            street_line("NL", "Keizersgracht ", "12A"),
            "Keizersgracht 12A"
        );
        assert_eq!(
            street_line("GB", "Baker Street", "221B"),
            "221B Baker Street"
        );
        assert_eq!(street_line("GB", "Baker Street", ""), "Baker Street");
    }
}
