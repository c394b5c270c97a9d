//! Loyalty and the next purchase, and the unboxing: the shop's settings checked field by
//! field, the points an order earns, the rule's voucher, "buy again" links, and what the
//! shopper sees once the order is delivered. Pure: the store feeds the facts.

use postpurchase_api::{
    BuyAgain, FieldError, LoyaltySettings, LoyaltyView, OrderLoyalty, UnboxingSettings,
    UnboxingView, Voucher, VoucherRule,
};

use super::{http_url_ok, parse_date, platforms::currency_exponent, text_ok};

/// The longest a settings URL may be as sent.
const URL_MAX: usize = 500;

/// An optional text as stored: trimmed, `None` when blank.
fn trimmed(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// An optional http(s) URL of at most 500 characters; the problem, named, otherwise.
fn check_url(field: &str, url: &Option<String>, errors: &mut Vec<FieldError>) -> Option<String> {
    let url = trimmed(url)?;
    if !http_url_ok(&url, URL_MAX) {
        errors.push(FieldError::new(
            field,
            "must be an http(s) URL with a host, at most 500 characters",
        ));
    }
    Some(url)
}

/// A shop's loyalty settings as stored (texts trimmed, the prefix upper-cased), or every
/// problem with them.
pub fn check_loyalty(settings: &LoyaltySettings) -> Result<LoyaltySettings, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = trimmed(&settings.name);
    if name.as_deref().is_some_and(|n| !text_ok(n, 60)) {
        errors.push(FieldError::new("name", "must be at most 60 characters"));
    }
    if settings.points_per_unit > 100 {
        errors.push(FieldError::new("points_per_unit", "must be 0 to 100"));
    }
    let voucher = settings.voucher.as_ref().map(|rule| {
        crate::referral::validate_reward("voucher.reward", &rule.reward, &mut errors);
        if !(1..=365).contains(&rule.valid_days) {
            errors.push(FieldError::new(
                "voucher.valid_days",
                "must be 1 to 365 days",
            ));
        }
        let prefix = rule.prefix.trim().to_ascii_uppercase();
        if !(2..=8).contains(&prefix.len()) || !prefix.bytes().all(|b| b.is_ascii_alphanumeric()) {
            errors.push(FieldError::new(
                "voucher.prefix",
                "must be 2 to 8 letters or digits",
            ));
        }
        VoucherRule {
            prefix,
            ..rule.clone()
        }
    });
    let product_url = trimmed(&settings.product_url);
    if let Some(url) = &product_url {
        // The URL as shoppers get it, with a SKU in place, must be one.
        if !url.contains("{sku}")
            || url.chars().count() > URL_MAX
            || !http_url_ok(&url.replace("{sku}", "SKU-1"), URL_MAX + 100)
        {
            errors.push(FieldError::new(
                "product_url",
                "must be an http(s) URL with a host, at most 500 characters, with {sku} where the SKU goes",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(LoyaltySettings {
        enabled: settings.enabled,
        name,
        points_per_unit: settings.points_per_unit,
        voucher,
        product_url,
    })
}

/// What the shop's loyalty system says about one order, as stored, or every problem.
pub fn check_order_loyalty(fed: &OrderLoyalty) -> Result<OrderLoyalty, Vec<FieldError>> {
    let mut errors = Vec::new();
    if fed.earned.is_some_and(|e| !(0..=10_000_000).contains(&e)) {
        errors.push(FieldError::new("earned", "must be 0 to 10,000,000 points"));
    }
    if fed
        .balance
        .is_some_and(|b| !(0..=1_000_000_000).contains(&b))
    {
        errors.push(FieldError::new(
            "balance",
            "must be 0 to 1,000,000,000 points",
        ));
    }
    let voucher = fed.voucher.as_ref().map(|v| {
        let code = v.code.trim().to_owned();
        if !(4..=32).contains(&code.len())
            || !code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            errors.push(FieldError::new(
                "voucher.code",
                "must be 4 to 32 letters, digits and -",
            ));
        }
        crate::referral::validate_reward("voucher.reward", &v.reward, &mut errors);
        let valid_until = trimmed(&v.valid_until);
        if valid_until
            .as_deref()
            .is_some_and(|d| parse_date(d).is_none())
        {
            errors.push(FieldError::new(
                "voucher.valid_until",
                "must be a date, YYYY-MM-DD",
            ));
        }
        Voucher {
            code,
            reward: v.reward.clone(),
            valid_until,
        }
    });
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(OrderLoyalty {
        earned: fed.earned,
        balance: fed.balance,
        voucher,
    })
}

/// Whether a handle or hashtag is `max` characters at most of letters, digits, `_` and
/// the `extra` ones, after the sign it may be written with.
fn tag(text: &Option<String>, sign: char, max: usize, extra: &[u8]) -> Result<Option<String>, ()> {
    let Some(text) = trimmed(text) else {
        return Ok(None);
    };
    let bare = text.strip_prefix(sign).unwrap_or(&text);
    let fits = (1..=max).contains(&bare.len())
        && bare
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || extra.contains(&b));
    if fits {
        Ok(Some(bare.to_owned()))
    } else {
        Err(())
    }
}

/// A shop's unboxing settings as stored (texts trimmed, `#` and `@` dropped), or every
/// problem with them.
pub fn check_unboxing(settings: &UnboxingSettings) -> Result<UnboxingSettings, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut note = |field: &str, text: &Option<String>| {
        let text = trimmed(text);
        if text.as_deref().is_some_and(|t| !text_ok(t, 600)) {
            errors.push(FieldError::new(field, "must be at most 600 characters"));
        }
        text
    };
    let thanks = note("thanks", &settings.thanks);
    let eco = note("eco", &settings.eco);
    let eco_url = check_url("eco_url", &settings.eco_url, &mut errors);
    let share_url = check_url("share_url", &settings.share_url, &mut errors);
    let hashtag = tag(&settings.hashtag, '#', 40, b"").unwrap_or_else(|()| {
        errors.push(FieldError::new(
            "hashtag",
            "must be 1 to 40 letters, digits and _ (a leading # is dropped)",
        ));
        None
    });
    let handle = tag(&settings.handle, '@', 30, b".").unwrap_or_else(|()| {
        errors.push(FieldError::new(
            "handle",
            "must be 1 to 30 letters, digits, _ and . (a leading @ is dropped)",
        ));
        None
    });
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(UnboxingSettings {
        enabled: settings.enabled,
        thanks,
        eco,
        eco_url,
        hashtag,
        handle,
        share_url,
    })
}

/// Points an order earns by the shop's rate: whole units of its total times the rate
/// (`0`: the shop feeds them itself, so none here).
pub fn points_earned(total: i64, currency: &str, points_per_unit: u32) -> Option<i64> {
    if points_per_unit == 0 {
        return None;
    }
    let unit = 10i64.pow(currency_exponent(currency));
    Some(total.max(0) / unit * i64::from(points_per_unit))
}

/// The last day a voucher from the rule holds: the order's day (UTC) plus its days.
pub fn valid_until(placed_at: i64, valid_days: u32) -> String {
    let day = time::OffsetDateTime::from_unix_timestamp(placed_at)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .date();
    let until = day
        .checked_add(time::Duration::days(i64::from(valid_days)))
        .unwrap_or(day);
    until.to_string()
}

/// Unambiguous when read aloud or typed from a phone: no 0/O, 1/I/L.
const ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// The rule's voucher code from its prefix and randomness: `THANKS-7K4QX2`.
pub fn voucher_code(prefix: &str, mut random: u64) -> String {
    let mut code = format!("{prefix}-");
    for _ in 0..6 {
        code.push(ALPHABET[(random % 31) as usize] as char);
        random /= 31;
    }
    code
}

/// The voucher the rule makes for an order, when it covers the order.
pub fn rule_voucher(
    rule: &VoucherRule,
    returning: bool,
    placed_at: i64,
    random: u64,
) -> Option<Voucher> {
    (returning || !rule.returning_only).then(|| Voucher {
        code: voucher_code(&rule.prefix, random),
        reward: rule.reward.clone(),
        valid_until: Some(valid_until(placed_at, rule.valid_days)),
    })
}

/// Whether the rule covers an order (so a voucher is to be made for it).
pub fn rule_covers(settings: &LoyaltySettings, returning: bool) -> bool {
    settings
        .voucher
        .as_ref()
        .is_some_and(|rule| returning || !rule.returning_only)
}

/// Whether a voucher from the rule, made `now`, would still hold: its last day (counted
/// from the order's day) is today or later. An expired one is never made.
pub fn rule_voucher_holds(placed_at: i64, valid_days: u32, now: i64) -> bool {
    // Both `YYYY-MM-DD`, so they compare as dates.
    valid_until(placed_at, valid_days) >= valid_until(now, 0)
}

/// Points an order earns by the shop's rate, none when cancelled.
pub fn rule_points(settings: &LoyaltySettings, facts: &OrderFacts) -> Option<i64> {
    if facts.cancelled {
        return None;
    }
    points_earned(facts.total, &facts.currency, settings.points_per_unit)
}

/// Percent-encodes everything but letters, digits and `-._~`.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The product page of a SKU by the shop's template.
pub fn product_url(template: &str, sku: &str) -> String {
    template.replace("{sku}", &percent_encode(sku))
}

/// One line of an order as "buy again" needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub id: i64,
    pub sku: String,
    pub name: String,
    pub variant: Option<String>,
    pub image_url: Option<String>,
    pub delivered: bool,
}

/// What the loyalty module knows of an order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderFacts {
    pub total: i64,
    pub currency: String,
    pub returning: bool,
    /// A cancelled order earns no points by rate and gets no voucher from the rule.
    pub cancelled: bool,
    pub lines: Vec<Line>,
}

/// What the shopper sees: the shop's fed values win field by field over the rule's
/// (points by rate; the voucher the rule made, `made`); a balance only when fed; "buy
/// again" for delivered lines when the shop names its product pages.
pub fn view(
    settings: &LoyaltySettings,
    facts: &OrderFacts,
    fed: &OrderLoyalty,
    made: Option<Voucher>,
) -> LoyaltyView {
    let buy_again = match &settings.product_url {
        Some(template) => facts
            .lines
            .iter()
            .filter(|l| l.delivered)
            .map(|l| BuyAgain {
                item: l.id,
                name: l.name.clone(),
                variant: l.variant.clone(),
                image_url: l.image_url.clone(),
                url: product_url(template, &l.sku),
            })
            .collect(),
        None => Vec::new(),
    };
    LoyaltyView {
        name: settings.name.clone(),
        returning: facts.returning,
        earned: fed.earned.or_else(|| rule_points(settings, facts)),
        balance: fed.balance,
        voucher: fed.voucher.clone().or(made),
        buy_again,
    }
}

/// What the shopper sees once delivered; a share points to the shop's page for it, or
/// its site.
pub fn unboxing_view(
    settings: UnboxingSettings,
    shop: String,
    site: Option<String>,
) -> UnboxingView {
    UnboxingView {
        thanks: settings.thanks,
        eco: settings.eco,
        eco_url: settings.eco_url,
        hashtag: settings.hashtag,
        handle: settings.handle,
        share_url: settings.share_url.or(site),
        shop,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use postpurchase_api::{Reward, RewardKind};

    fn percent(value: i64) -> Reward {
        Reward {
            kind: RewardKind::PercentOff,
            value,
            currency: None,
        }
    }

    fn rule(returning_only: bool) -> VoucherRule {
        VoucherRule {
            reward: percent(10),
            valid_days: 60,
            returning_only,
            prefix: "THANKS".into(),
        }
    }

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_rule_voucher_holds_through_its_last_day() {
        // Placed 22 November 2026, 09:30 UTC.
        let placed = 1_795_339_800;
        let day = 86_400;
        assert!(rule_voucher_holds(placed, 1, placed + day));
        assert!(!rule_voucher_holds(placed, 1, placed + 2 * day));
        assert!(rule_voucher_holds(placed, 60, placed + 60 * day));
    }

    #[test]
    fn points_are_whole_units_times_the_rate() {
        for (total, currency, rate, points) in [
            (5498, "EUR", 10, Some(540)),
            (99, "EUR", 10, Some(0)),
            (100, "EUR", 1, Some(1)),
            (5498, "JPY", 1, Some(5498)),
            (12_345, "KWD", 2, Some(24)),
            (-500, "EUR", 10, Some(0)),
            (5498, "EUR", 0, None),
        ] {
            assert_eq!(
                points_earned(total, currency, rate),
                points,
                "{total} {currency}"
            );
        }
    }

    #[test]
    fn the_rule_covers_returning_customers_or_everyone() {
        // 2026-11-22T09:30:00Z
        let placed = 1_795_339_800;
        let made = rule_voucher(&rule(true), true, placed, 0).unwrap();
        assert_eq!(made.code, "THANKS-222222");
        assert_eq!(made.valid_until.as_deref(), Some("2027-01-21"));
        assert_eq!(made.reward, percent(10));
        assert_eq!(rule_voucher(&rule(true), false, placed, 0), None);
        assert!(rule_voucher(&rule(false), false, placed, 0).is_some());
        let settings = LoyaltySettings {
            voucher: Some(rule(true)),
            ..Default::default()
        };
        assert!(rule_covers(&settings, true));
        assert!(!rule_covers(&settings, false));
        assert!(!rule_covers(&LoyaltySettings::default(), true));
        assert_eq!(valid_until(placed, 365), "2027-11-22");
        assert_eq!(voucher_code("AB", 31), "AB-232222");
    }

    #[test]
    fn fed_values_win_field_by_field() {
        let settings = LoyaltySettings {
            enabled: true,
            name: Some("Klei Club".into()),
            points_per_unit: 10,
            voucher: Some(rule(false)),
            product_url: Some("https://shop.example/p/{sku}".into()),
        };
        let line = |id, sku: &str, delivered| Line {
            id,
            sku: sku.into(),
            name: format!("Item {id}"),
            variant: None,
            image_url: None,
            delivered,
        };
        let facts = OrderFacts {
            total: 5498,
            currency: "EUR".into(),
            returning: true,
            cancelled: false,
            lines: vec![line(1, "MUG 1/2", true), line(2, "CAP", false)],
        };
        let made = Voucher {
            code: "THANKS-222222".into(),
            reward: percent(10),
            valid_until: Some("2027-01-21".into()),
        };
        let by_rule = view(
            &settings,
            &facts,
            &OrderLoyalty::default(),
            Some(made.clone()),
        );
        assert_eq!(by_rule.earned, Some(540));
        assert_eq!(by_rule.balance, None, "only when fed");
        assert_eq!(by_rule.voucher, Some(made.clone()));
        assert_eq!(by_rule.name.as_deref(), Some("Klei Club"));
        assert!(by_rule.returning);
        assert_eq!(by_rule.buy_again.len(), 1, "delivered lines only");
        assert_eq!(
            by_rule.buy_again[0].url,
            "https://shop.example/p/MUG%201%2F2"
        );

        let fed_voucher = Voucher {
            code: "SHOP-1".into(),
            reward: percent(5),
            valid_until: None,
        };
        let fed = OrderLoyalty {
            earned: Some(7),
            balance: Some(1200),
            voucher: Some(fed_voucher.clone()),
        };
        let fed_view = view(&settings, &facts, &fed, Some(made.clone()));
        assert_eq!(
            (fed_view.earned, fed_view.balance, fed_view.voucher),
            (Some(7), Some(1200), Some(fed_voucher))
        );
        // Only the balance fed: the rest by rule.
        let some = OrderLoyalty {
            balance: Some(3),
            ..Default::default()
        };
        let partly = view(&settings, &facts, &some, Some(made.clone()));
        assert_eq!((partly.earned, partly.balance), (Some(540), Some(3)));
        assert_eq!(partly.voucher, Some(made));
        // No product pages: nothing to buy again.
        let bare = LoyaltySettings {
            product_url: None,
            ..settings
        };
        assert!(view(&bare, &facts, &fed, None).buy_again.is_empty());
    }

    #[test]
    fn loyalty_settings_are_checked_field_by_field() {
        let bad = LoyaltySettings {
            enabled: true,
            name: Some("x".repeat(61)),
            points_per_unit: 101,
            voucher: Some(VoucherRule {
                reward: percent(0),
                valid_days: 0,
                returning_only: false,
                prefix: "T".into(),
            }),
            product_url: Some("https://shop.example/p/".into()),
        };
        assert_eq!(
            fields(check_loyalty(&bad).unwrap_err()),
            [
                "name",
                "points_per_unit",
                "voucher.reward.value",
                "voucher.valid_days",
                "voucher.prefix",
                "product_url"
            ]
        );
        for prefix in ["THANKS-", "ABCDEFGHI", "ÄB"] {
            let s = LoyaltySettings {
                voucher: Some(VoucherRule {
                    prefix: prefix.into(),
                    ..rule(true)
                }),
                ..Default::default()
            };
            assert_eq!(
                fields(check_loyalty(&s).unwrap_err()),
                ["voucher.prefix"],
                "{prefix}"
            );
        }
        for url in [
            "ftp://shop.example/{sku}",
            "https://me:pw@shop.example/{sku}",
            "/p/{sku}",
        ] {
            let s = LoyaltySettings {
                product_url: Some(url.into()),
                ..Default::default()
            };
            assert_eq!(
                fields(check_loyalty(&s).unwrap_err()),
                ["product_url"],
                "{url}"
            );
        }
        let amount = LoyaltySettings {
            voucher: Some(VoucherRule {
                reward: Reward {
                    kind: RewardKind::AmountOff,
                    value: 500,
                    currency: None,
                },
                ..rule(true)
            }),
            ..Default::default()
        };
        assert_eq!(
            fields(check_loyalty(&amount).unwrap_err()),
            ["voucher.reward.currency"]
        );
        let good = LoyaltySettings {
            enabled: true,
            name: Some(" Klei Club ".into()),
            points_per_unit: 100,
            voucher: Some(VoucherRule {
                prefix: " thanks ".into(),
                ..rule(true)
            }),
            product_url: Some("https://shop.example/p/{sku}".into()),
        };
        let stored = check_loyalty(&good).unwrap();
        assert_eq!(stored.name.as_deref(), Some("Klei Club"));
        assert_eq!(stored.voucher.unwrap().prefix, "THANKS");
    }

    #[test]
    fn fed_loyalty_is_checked_field_by_field() {
        let bad = OrderLoyalty {
            earned: Some(-1),
            balance: Some(1_000_000_001),
            voucher: Some(Voucher {
                code: "AB!".into(),
                reward: percent(101),
                valid_until: Some("2026-02-30".into()),
            }),
        };
        assert_eq!(
            fields(check_order_loyalty(&bad).unwrap_err()),
            [
                "earned",
                "balance",
                "voucher.code",
                "voucher.reward.value",
                "voucher.valid_until"
            ]
        );
        for code in ["ABC", &"A".repeat(33), "AB CD"] {
            let v = OrderLoyalty {
                voucher: Some(Voucher {
                    code: code.into(),
                    reward: percent(10),
                    valid_until: None,
                }),
                ..Default::default()
            };
            assert_eq!(
                fields(check_order_loyalty(&v).unwrap_err()),
                ["voucher.code"]
            );
        }
        let good = OrderLoyalty {
            earned: Some(0),
            balance: Some(1_000_000_000),
            voucher: Some(Voucher {
                code: "KLEI-2026-X".into(),
                reward: percent(10),
                valid_until: Some("2027-01-31".into()),
            }),
        };
        assert_eq!(check_order_loyalty(&good).unwrap(), good);
    }

    #[test]
    fn unboxing_settings_are_checked_field_by_field() {
        let bad = UnboxingSettings {
            enabled: true,
            thanks: Some("x".repeat(601)),
            eco: Some("y".repeat(601)),
            eco_url: Some("javascript:alert(1)".into()),
            hashtag: Some("#koffie en klei".into()),
            handle: Some("@".into()),
            share_url: Some("shop.example".into()),
        };
        assert_eq!(
            fields(check_unboxing(&bad).unwrap_err()),
            ["thanks", "eco", "eco_url", "share_url", "hashtag", "handle"]
        );
        let good = UnboxingSettings {
            enabled: true,
            thanks: Some(" Thank you! ".into()),
            eco: Some("x".repeat(600)),
            eco_url: Some("https://shop.example/packaging".into()),
            hashtag: Some("#koffie_en_klei".into()),
            handle: Some("@koffie.en.klei".into()),
            share_url: None,
        };
        let stored = check_unboxing(&good).unwrap();
        assert_eq!(stored.thanks.as_deref(), Some("Thank you!"));
        assert_eq!(stored.hashtag.as_deref(), Some("koffie_en_klei"));
        assert_eq!(stored.handle.as_deref(), Some("koffie.en.klei"));
        assert!(check_unboxing(&UnboxingSettings {
            hashtag: Some("a".repeat(41)),
            ..Default::default()
        })
        .is_err());
        let shown = unboxing_view(
            stored,
            "Koffie & Klei".into(),
            Some("https://shop.example".into()),
        );
        assert_eq!(shown.share_url.as_deref(), Some("https://shop.example"));
        assert_eq!(shown.shop, "Koffie & Klei");
    }

    #[test]
    fn skus_are_percent_encoded() {
        assert_eq!(percent_encode("MUG-01_a.b~"), "MUG-01_a.b~");
        assert_eq!(percent_encode("a b/c?d&é"), "a%20b%2Fc%3Fd%26%C3%A9");
        assert_eq!(
            product_url("https://s.example/p/{sku}?x={sku}", "A B"),
            "https://s.example/p/A%20B?x=A%20B"
        );
    }
}
