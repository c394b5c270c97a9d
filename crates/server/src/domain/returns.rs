//! Returns as plain rules: which pieces of a line can still go back and why not, what a
//! return is worth, which moves the shop may make, and the shopper's QR code and links.

use postpurchase_api::{
    FieldError, NotReturnable, Resolution, ReturnSettings, ReturnStatus, ReturnView,
};

/// What returning one order line depends on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineFacts {
    pub line_id: i64,
    pub name: String,
    pub unit_price: i64,
    pub final_sale: bool,
    pub sku: String,
    /// The product it is a variant of, when the shop said.
    pub product: Option<String>,
    /// Its kind of product, when the shop said.
    pub product_type: Option<String>,
    /// Pieces in delivered parcels.
    pub delivered: u32,
    /// When the latest of those parcels was delivered (Unix seconds).
    pub delivered_at: Option<i64>,
    /// Pieces in returns that are not cancelled or rejected.
    pub in_returns: u32,
}

/// Checks a list of reasons: 1 to 12, each 1 to 80 characters on one line, listed once.
fn reasons_ok(field: &str, reasons: &[String], errors: &mut Vec<FieldError>) {
    if !(1..=12).contains(&reasons.len()) {
        errors.push(FieldError::new(field, "give 1 to 12 reasons"));
    }
    for (i, reason) in reasons.iter().enumerate() {
        if !super::list_entry_ok(reason, 80) || reasons[..i].contains(reason) {
            errors.push(FieldError::new(
                format!("{field}[{i}]"),
                "must be 1 to 80 characters on one line, without spaces around, listed once",
            ));
        }
    }
}

/// Every problem with a shop's return terms (the address already trimmed), by field.
pub fn check_settings(settings: &ReturnSettings) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if !(1..=365).contains(&settings.window_days) {
        errors.push(FieldError::new("window_days", "must be 1 to 365"));
    }
    reasons_ok("reasons", &settings.reasons, &mut errors);
    if settings.reasons_by_type.len() > 20 {
        errors.push(FieldError::new(
            "reasons_by_type",
            "give reasons for at most 20 kinds of product",
        ));
    }
    for (kind, reasons) in &settings.reasons_by_type {
        if !super::list_entry_ok(kind, 60) {
            errors.push(FieldError::new(
                "reasons_by_type",
                "each kind of product is 1 to 60 characters on one line, without spaces around",
            ));
        }
        reasons_ok(&format!("reasons_by_type.{kind}"), reasons, &mut errors);
    }
    let known = |r: &String| {
        settings.reasons.contains(r) || settings.reasons_by_type.values().any(|l| l.contains(r))
    };
    if settings.photo_reasons.len() > 12 {
        errors.push(FieldError::new("photo_reasons", "give at most 12 reasons"));
    }
    for (i, reason) in settings.photo_reasons.iter().enumerate() {
        if !known(reason) || settings.photo_reasons[..i].contains(reason) {
            errors.push(FieldError::new(
                format!("photo_reasons[{i}]"),
                "must be one of the reasons above, listed once",
            ));
        }
    }
    if settings.store_credit_bonus > 100 {
        errors.push(FieldError::new(
            "store_credit_bonus",
            "must be 0 to 100 percent",
        ));
    }
    if settings
        .return_address
        .as_deref()
        .is_some_and(|a| !return_address_ok(a))
    {
        errors.push(FieldError::new(
            "return_address",
            "must be 1 to 6 lines, at most 300 characters",
        ));
    }
    if !(1..=60).contains(&settings.send_within_days) {
        errors.push(FieldError::new("send_within_days", "must be 1 to 60 days"));
    }
    errors
}

/// The reasons a return of `line` offers: the shop's for its kind of product, else the
/// shop's for all.
pub fn reasons_for<'a>(settings: &'a ReturnSettings, line: &LineFacts) -> &'a [String] {
    line.product_type
        .as_ref()
        .and_then(|kind| settings.reasons_by_type.get(kind))
        .unwrap_or(&settings.reasons)
}

/// How many pieces of a line can still be returned at `now`, why not when none, and
/// when its window closes.
pub fn returnable(
    line: &LineFacts,
    now: i64,
    window_days: u32,
) -> (u32, Option<NotReturnable>, Option<i64>) {
    let closes = line
        .delivered_at
        .map(|at| at + i64::from(window_days) * 86_400);
    if line.final_sale {
        return (0, Some(NotReturnable::FinalSale), closes);
    }
    if line.delivered == 0 {
        return (0, Some(NotReturnable::NotDelivered), None);
    }
    if closes.is_some_and(|c| now >= c) {
        return (0, Some(NotReturnable::WindowClosed), closes);
    }
    match line.delivered.saturating_sub(line.in_returns) {
        0 => (0, Some(NotReturnable::AllReturned), closes),
        free => (free, None, closes),
    }
}

/// What goes back, and the store-credit bonus on top (rounded down); nothing for an
/// exchange, where the same product comes back in another variant.
pub fn amounts(items: &[(i64, u32)], resolution: Resolution, bonus_percent: u32) -> (i64, i64) {
    let refund: i64 = items.iter().map(|(price, n)| price * i64::from(*n)).sum();
    match resolution {
        Resolution::StoreCredit => (refund, refund * i64::from(bonus_percent) / 100),
        Resolution::Refund => (refund, 0),
        Resolution::Exchange => (0, 0),
    }
}

/// The shop's moves: forward through the return's life, rejection until it is refunded.
/// Cancelling is the shopper's, while nothing is on its way.
/// The rule lives with the type, so the console offers exactly these moves.
pub fn shop_may_move(from: ReturnStatus, to: ReturnStatus) -> bool {
    from.shop_may_become(to)
}

/// A return's QR code: its number, as an SVG drawing (black on white, a quiet zone
/// around it), for a drop-off point's scanner.
pub fn qr_svg(number: &str) -> Option<String> {
    let code = qrcode::QrCode::new(number.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color>()
            .min_dimensions(240, 240)
            .dark_color(qrcode::render::svg::Color("#000000"))
            .light_color(qrcode::render::svg::Color("#ffffff"))
            .build(),
    )
}

/// Fills in the shopper's addresses of their return's QR code and printable page. The
/// page only once the return can be sent (`send_by`: the shop has a return address), and
/// never over a carrier's label the shop attached.
pub fn with_links(public_url: &str, shop: &str, token: &str, mut view: ReturnView) -> ReturnView {
    view.qr_code_url = Some(format!(
        "{}/api/v1/shops/{shop}/orders/{token}/returns/{}/qr.svg",
        public_url, view.number
    ));
    if view.label_url.is_none() && view.send_by.is_some() {
        view.label_url = Some(format!(
            "{}/o/{shop}/{token}/returns/{}/label",
            public_url, view.number
        ));
    }
    view
}

/// Checks a return address: up to 6 lines, 300 characters, none empty.
pub fn return_address_ok(address: &str) -> bool {
    let lines: Vec<&str> = address.lines().collect();
    address.chars().count() <= 300
        && (1..=6).contains(&lines.len())
        && lines.iter().all(|l| !l.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    fn line(
        delivered: u32,
        delivered_at: Option<i64>,
        final_sale: bool,
        in_returns: u32,
    ) -> LineFacts {
        LineFacts {
            line_id: 1,
            name: "Tee".into(),
            unit_price: 2500,
            final_sale,
            sku: "TEE-M".into(),
            product: Some("tee".into()),
            product_type: None,
            delivered,
            delivered_at,
            in_returns,
        }
    }

    /// Eligibility, case by case: (line, now, expected quantity and reason).
    #[test]
    fn eligibility_follows_delivery_the_window_sales_and_earlier_returns() {
        let at = 1_000 * DAY;
        let cases: &[(LineFacts, i64, u32, Option<NotReturnable>)] = &[
            (line(2, Some(at), false, 0), at + DAY, 2, None),
            // The window's last second, and its end: 30 days counted from delivery.
            (line(2, Some(at), false, 0), at + 30 * DAY - 1, 2, None),
            (
                line(2, Some(at), false, 0),
                at + 30 * DAY,
                0,
                Some(NotReturnable::WindowClosed),
            ),
            (
                line(0, None, false, 0),
                at,
                0,
                Some(NotReturnable::NotDelivered),
            ),
            (
                line(2, Some(at), true, 0),
                at + DAY,
                0,
                Some(NotReturnable::FinalSale),
            ),
            // Partly returned already: only the rest.
            (line(3, Some(at), false, 1), at + DAY, 2, None),
            (
                line(2, Some(at), false, 2),
                at + DAY,
                0,
                Some(NotReturnable::AllReturned),
            ),
        ];
        for (facts, now, quantity, reason) in cases {
            let (q, why, _) = returnable(facts, *now, 30);
            assert_eq!((q, why), (*quantity, *reason), "{facts:?} at {now}");
        }
        assert_eq!(
            returnable(&line(1, Some(at), false, 0), at, 30).2,
            Some(at + 30 * DAY)
        );
    }

    #[test]
    fn reasons_fit_the_kind_of_product_and_fall_back_to_the_shops() {
        let settings = ReturnSettings {
            enabled: true,
            window_days: 30,
            reasons: vec!["Changed my mind".into()],
            store_credit_bonus: 0,
            return_address: None,
            send_within_days: 14,
            reasons_by_type: [("shoes".to_owned(), vec!["Too tight".to_owned()])].into(),
            photo_reasons: Vec::new(),
        };
        let of = |kind: Option<&str>| {
            let mut l = line(1, None, false, 0);
            l.product_type = kind.map(str::to_owned);
            reasons_for(&settings, &l).to_vec()
        };
        assert_eq!(of(Some("shoes")), ["Too tight"]);
        assert_eq!(of(Some("coffee")), ["Changed my mind"]);
        assert_eq!(of(None), ["Changed my mind"]);
    }

    #[test]
    fn return_terms_name_every_wrong_field() {
        let mut settings = ReturnSettings {
            enabled: true,
            window_days: 30,
            reasons: vec!["Changed my mind".into(), "Arrived damaged".into()],
            store_credit_bonus: 10,
            return_address: Some("Returns\nStreet 1\n1000 AA Town".into()),
            send_within_days: 14,
            reasons_by_type: [("clothing".to_owned(), vec!["Too small".to_owned()])].into(),
            photo_reasons: vec!["Arrived damaged".into(), "Too small".into()],
        };
        assert!(check_settings(&settings).is_empty());
        settings.reasons_by_type.insert(" shoes".into(), Vec::new());
        settings.photo_reasons.push("Lost".into());
        settings.reasons.push("Changed my mind".into());
        let fields: Vec<String> = check_settings(&settings)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "reasons[2]",
                "reasons_by_type",
                "reasons_by_type. shoes",
                "photo_reasons[2]"
            ]
        );
    }

    #[test]
    fn amounts_add_up_and_credit_gets_its_bonus() {
        assert_eq!(
            amounts(&[(2500, 2), (1999, 1)], Resolution::Refund, 10),
            (6999, 0)
        );
        assert_eq!(
            amounts(&[(2500, 2), (1999, 1)], Resolution::StoreCredit, 10),
            (6999, 699)
        );
        assert_eq!(amounts(&[], Resolution::StoreCredit, 10), (0, 0));
        assert_eq!(amounts(&[(2500, 2)], Resolution::Exchange, 10), (0, 0));
    }

    #[test]
    fn the_shop_moves_returns_forward_only() {
        use ReturnStatus::*;
        assert!(shop_may_move(Requested, Approved));
        assert!(shop_may_move(Received, Refunded));
        assert!(shop_may_move(Approved, Rejected));
        assert!(!shop_may_move(Refunded, Rejected));
        assert!(!shop_may_move(Received, Approved));
        assert!(
            !shop_may_move(Requested, Cancelled),
            "cancelling is the shopper's"
        );
        assert!(!shop_may_move(Cancelled, Approved));
    }
}
