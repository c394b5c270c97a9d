//! The rules behind the parcels and delivery-choice views, in plain Rust: which parcels
//! count as shipped, what is still to come, which choices a parcel offers and whether what
//! the shopper entered can be sent; and, before the order ships, whether a new address can
//! be sent and what a change request says.

use postpurchase_api::{
    ChangeKind, ChangeStatus, ChangeView, ChoiceKind, DeliveryChoice, Neighbour, OrderStage,
    OrderView, Remedy, SafePlaceChoice, ShipmentStatus, ShipmentSummary, ShopContact,
    INSTRUCTION_MAX,
};

use crate::i18n::{joined, Key, Texts};
use crate::intl::padded;
use crate::shared::split_once_at;

/// The text of each [`ShipmentStatus`], in its declaration order.
pub const STATUS_KEYS: [Key; 12] = [
    Key::StatusPending,
    Key::StatusInTransit,
    Key::StatusOutForDelivery,
    Key::StatusAvailableForPickup,
    Key::StatusAttemptFailed,
    Key::StatusDelivered,
    Key::StatusDelayed,
    Key::StatusException,
    Key::StatusHeldAtCustoms,
    Key::StatusReturnToSender,
    Key::StatusCancelled,
    Key::StatusUnknown,
];

/// A parcel's road, milestone by milestone: to the door, to a pickup point, or back to the
/// shop.
const ROAD: [Key; 4] = [
    Key::ProgressOrdered,
    Key::ProgressShipped,
    Key::StatusOutForDelivery,
    Key::StatusDelivered,
];
const TO_PICKUP: [Key; 3] = [
    Key::ProgressOrdered,
    Key::ProgressShipped,
    Key::StatusAvailableForPickup,
];
const BACK: [Key; 3] = [
    Key::ProgressOrdered,
    Key::ProgressShipped,
    Key::StatusReturnToSender,
];

/// Where a parcel is on its road, for its progress bar: the milestones of the branch it
/// took, how many it has reached (the last of them is where it is), and whether it is in
/// trouble there. None for a cancelled parcel, which goes nowhere.
pub fn progress(status: ShipmentStatus) -> Option<(&'static [Key], usize, bool)> {
    use ShipmentStatus as S;
    Some(match status {
        S::Cancelled => return None,
        S::Pending => (&ROAD, 1, false),
        S::InTransit | S::Delayed | S::Unknown => (&ROAD, 2, false),
        S::Exception | S::HeldAtCustoms => (&ROAD, 2, true),
        S::OutForDelivery => (&ROAD, 3, false),
        S::AttemptFailed => (&ROAD, 3, true),
        S::Delivered => (&ROAD, 4, false),
        S::AvailableForPickup => (&TO_PICKUP, 3, false),
        S::ReturnToSender => (&BACK, 3, true),
    })
}

/// When the order arrives, for the card's head and its delivery facts: delivered (when),
/// else expected from its parcels (instants), else the promise at checkout (dates). One
/// answer, so the two never disagree; none for a cancelled order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrival<'a> {
    Delivered(&'a str),
    Expected(&'a str, &'a str),
    Promised(&'a str, &'a str),
}

pub fn arrival(order: &OrderView) -> Option<Arrival<'_>> {
    if order.stage == OrderStage::Cancelled {
        return None;
    }
    if let Some(at) = &order.delivered_at {
        return Some(Arrival::Delivered(at));
    }
    if let Some(w) = &order.expected_delivery {
        return Some(Arrival::Expected(&w.from, &w.to));
    }
    // The promise stands until a parcel brings an estimate, and never past delivery.
    let w = order.promised_delivery.as_ref()?;
    (order.stage != OrderStage::Delivered).then_some(Arrival::Promised(&w.earliest, &w.latest))
}

/// What the shopper can do about a parcel in trouble, in words: the step, and whether
/// the shop's contact follows it.
pub fn next_step(s: &ShipmentSummary, shop: &ShopContact) -> Option<(Key, bool)> {
    use ShipmentStatus as S;
    let remedy = |r: Option<Remedy>, keys: [Key; 3], none: Key| match r {
        Some(Remedy::Replacement) => keys[0],
        Some(Remedy::Refund) => keys[1],
        Some(Remedy::ShoppersChoice) => keys[2],
        None => none,
    };
    Some(match s.status {
        // Not home: choose how the next try goes, right below, while that can be chosen;
        // else where the carrier took it.
        S::AttemptFailed if s.locked.is_none() => (Key::NextRearrange, false),
        S::AttemptFailed => (Key::NextWhereItWent, true),
        S::Exception => (
            remedy(
                shop.when_lost,
                [
                    Key::NextLostReplace,
                    Key::NextLostRefund,
                    Key::NextLostChoice,
                ],
                Key::NextLostAsk,
            ),
            true,
        ),
        // Held at customs: pay what is due where the carrier says (the link is in the
        // parcel's customs line), or wait for clearance, the shop at hand.
        S::HeldAtCustoms if s.customs.as_ref().is_some_and(|c| c.due.is_some()) => {
            (Key::NextCustomsPay, false)
        }
        S::HeldAtCustoms => (Key::NextCustoms, true),
        S::ReturnToSender => (
            remedy(
                shop.when_returned,
                [
                    Key::NextBackResend,
                    Key::NextBackRefund,
                    Key::NextBackChoice,
                ],
                Key::NextBackAsk,
            ),
            true,
        ),
        _ => return None,
    })
}

/// How a slot's price is paid, for each [`postpurchase_api::SlotPayment`] in its order.
pub const PAID_KEYS: [Key; 3] = [
    Key::SlotPaidOrderPayment,
    Key::SlotPaidOnDelivery,
    Key::SlotPaidInvoice,
];

/// The text of each `DeliveredTo`, in its declaration order.
pub const DELIVERED_KEYS: [Key; 6] = [
    Key::DeliveredToRecipient,
    Key::DeliveredToNeighbour,
    Key::DeliveredToSafePlace,
    Key::DeliveredToLocker,
    Key::DeliveredToPickupPoint,
    Key::DeliveredToSigned,
];

/// Why a choice is locked, for each `ChoiceLock`.
pub const LOCK_KEYS: [Key; 4] = [
    Key::LockOutForDelivery,
    Key::LockDelivered,
    Key::LockCutOff,
    Key::LockClosed,
];

/// The name of each [`ChoiceKind`].
pub const KIND_KEYS: [Key; 5] = [
    Key::KindSlot,
    Key::KindNeighbour,
    Key::KindSafePlace,
    Key::KindPickupPoint,
    Key::KindAnotherDay,
];

/// The name of each of `postpurchase_api::SAFE_PLACES`, in the same order.
pub const PLACE_KEYS: [Key; 6] = [
    Key::PlaceFrontDoor,
    Key::PlacePorch,
    Key::PlaceGarage,
    Key::PlaceBackDoor,
    Key::PlaceShed,
    Key::PlaceMailbox,
];

/// The fields of the choice forms. A field's index is its place in the shopper's entries
/// ([`Entries`]) and its bit in an error mask; these are its path in the API's field
/// errors, its label and what to say when it is wrong.
pub const FIELDS: [(&str, Key, Key); 8] = [
    ("choice.slot_id", Key::FieldSlot, Key::InvalidSlot),
    ("choice.neighbour.name", Key::FieldName, Key::InvalidName),
    (
        "choice.neighbour.house_number",
        Key::FieldHouse,
        Key::InvalidHouse,
    ),
    (
        "choice.safe_place.place",
        Key::FieldPlace,
        Key::InvalidPlace,
    ),
    (
        "choice.safe_place.instruction",
        Key::FieldInstruction,
        Key::InvalidInstruction,
    ),
    (
        "choice.safe_place.risk_accepted",
        Key::FieldRisk,
        Key::InvalidRisk,
    ),
    ("choice.pickup_point_id", Key::FieldPoint, Key::InvalidPoint),
    ("choice.date", Key::FieldDate, Key::InvalidDate),
];
pub const SLOT: usize = 0;
pub const NAME: usize = 1;
pub const HOUSE: usize = 2;
pub const PLACE: usize = 3;
pub const INSTRUCTION: usize = 4;
pub const RISK: usize = 5;
pub const POINT: usize = 6;
pub const DATE: usize = 7;

/// What the shopper entered, by field index; a ticked box is `"1"`.
pub type Entries = [String; 8];

/// One answer of a list to choose from: a slot, a safe place or a pickup point.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pick {
    /// The slot or point id, or the safe-place code.
    pub value: String,
    pub label: String,
    /// Further lines: price, address, opening hours.
    pub lines: Vec<String>,
    /// Full slots are shown, but cannot be picked.
    pub disabled: bool,
}

/// Everything a parcel's choice form offers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChoiceForm {
    pub shipment: i64,
    /// The parcel's `choice_etag`, sent as `If-Match`.
    pub etag: String,
    pub kinds: Vec<ChoiceKind>,
    /// Slots (within the parcel's dates), safe places and pickup points.
    pub slots: Vec<Pick>,
    pub places: Vec<Pick>,
    pub points: Vec<Pick>,
    /// The first and last date the parcel may come on instead.
    pub dates: Option<(String, String)>,
    /// Each of those dates, to pick from ("another day").
    pub days: Vec<Pick>,
    pub current: Option<DeliveryChoice>,
}

impl ChoiceForm {
    /// The kinds of choice on offer, from what the lists hold.
    pub fn offer(&mut self, neighbour: bool) {
        let has = [
            !self.slots.is_empty(),
            neighbour,
            !self.places.is_empty(),
            !self.points.is_empty(),
            !self.days.is_empty(),
        ];
        self.kinds = ChoiceKind::ALL
            .into_iter()
            .filter(|k| has[*k as usize])
            .collect();
    }

    /// The choice the entries describe, or the mask of the fields that are wrong.
    pub fn check(&self, kind: ChoiceKind, e: &Entries) -> Result<DeliveryChoice, u16> {
        let picked = |list: &[Pick], i: usize| list.iter().any(|p| !p.disabled && p.value == e[i]);
        let within =
            |text: &str, min: usize, max: usize| (min..=max).contains(&text.chars().count());
        let mut wrong = 0u16;
        let mut bad = |i: usize, ok: bool| {
            if !ok {
                wrong |= 1 << i
            }
        };
        let mut choice = DeliveryChoice {
            kind,
            slot_id: None,
            neighbour: None,
            safe_place: None,
            pickup_point_id: None,
            date: None,
        };
        match kind {
            ChoiceKind::Slot => {
                bad(SLOT, picked(&self.slots, SLOT));
                choice.slot_id = e[SLOT].parse().ok();
            }
            ChoiceKind::Neighbour => {
                let (name, house) = (e[NAME].trim(), e[HOUSE].trim());
                bad(NAME, within(name, 1, 60));
                bad(
                    HOUSE,
                    within(house, 1, 10) && house.contains(|c: char| c.is_ascii_digit()),
                );
                choice.neighbour = Some(Neighbour {
                    name: name.into(),
                    house_number: house.into(),
                });
            }
            ChoiceKind::SafePlace => {
                let place = picked(&self.places, PLACE).then(|| e[PLACE].clone());
                let text = e[INSTRUCTION].trim();
                bad(PLACE, place.is_some() || !text.is_empty());
                bad(INSTRUCTION, within(text, 0, INSTRUCTION_MAX));
                bad(RISK, !e[RISK].is_empty());
                choice.safe_place = Some(SafePlaceChoice {
                    place,
                    instruction: (!text.is_empty()).then(|| text.into()),
                    risk_accepted: true,
                });
            }
            ChoiceKind::PickupPoint => {
                bad(POINT, picked(&self.points, POINT));
                choice.pickup_point_id = e[POINT].parse().ok();
            }
            ChoiceKind::AnotherDay => {
                bad(DATE, picked(&self.days, DATE));
                choice.date = Some(e[DATE].clone());
            }
        }
        if wrong == 0 {
            Ok(choice)
        } else {
            Err(wrong)
        }
    }
}

/// The entries of a choice already made, to change it from there.
pub fn entries(choice: &DeliveryChoice) -> Entries {
    let mut e = Entries::default();
    let id = |id: Option<i64>| id.map(|i| i.to_string()).unwrap_or_default();
    e[SLOT] = id(choice.slot_id);
    e[POINT] = id(choice.pickup_point_id);
    e[DATE] = choice.date.clone().unwrap_or_default();
    if let Some(n) = &choice.neighbour {
        e[NAME] = n.name.clone();
        e[HOUSE] = n.house_number.clone();
    }
    if let Some(s) = &choice.safe_place {
        e[PLACE] = s.place.clone().unwrap_or_default();
        e[INSTRUCTION] = s.instruction.clone().unwrap_or_default();
    }
    e
}

/// The error mask of the API's field paths (e.g. `choice.neighbour.name`) among `fields`
/// ([`FIELDS`], [`ADDRESS_FIELDS`]).
pub fn field_mask<'a>(
    fields: &[(&str, Key, Key)],
    paths: impl IntoIterator<Item = &'a str>,
) -> u16 {
    paths
        .into_iter()
        .filter_map(|p| fields.iter().position(|f| f.0 == p))
        .fold(0, |mask, i| mask | 1 << i)
}

/// How many parcels have left (`pending` no more), of how many that still count (a
/// cancelled parcel does not).
pub fn shipped(shipments: &[ShipmentSummary]) -> (usize, usize) {
    let live = shipments
        .iter()
        .filter(|s| s.status != ShipmentStatus::Cancelled);
    let left = live
        .clone()
        .filter(|s| s.status != ShipmentStatus::Pending)
        .count();
    (left, live.count())
}

/// The order's lines not (or not fully) in any parcel yet, with how many are missing.
pub fn unshipped(order: &OrderView) -> Vec<(&str, u32)> {
    order
        .items
        .iter()
        .filter_map(|line| {
            let sent: u32 = order
                .shipments
                .iter()
                .flat_map(|s| &s.items)
                .filter(|i| i.line_id == line.id)
                .map(|i| i.quantity)
                .sum();
            let left = line.quantity.saturating_sub(sent);
            (left > 0).then_some((line.name.as_str(), left))
        })
        .collect()
}

/// Every calendar date from `first` to `last` (`YYYY-MM-DD`, both included), at most 31;
/// none when either is not a date.
pub fn days(first: &str, last: &str) -> Vec<String> {
    let read = |d: &str| -> Option<(i32, u32, u32)> {
        // Read as the i64s every other number is, then held to a u32's range and form.
        let number = |s: &str| {
            s.parse::<i64>()
                .ok()
                .filter(|n| !s.starts_with('-') && *n <= i64::from(u32::MAX))
                .map(|n| n as u32)
        };
        let (y, rest) = split_once_at(d, b'-')?;
        let (m, day) = split_once_at(rest, b'-')?;
        let (y, m, day) = (number(y)?, number(m)?, number(day)?);
        Some((y as i32, m, day))
    };
    let (Some(mut at), Some(end)) = (read(first), read(last)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    while at <= end && out.len() < 31 {
        let (y, m, d) = at;
        out.push(
            [
                &padded(y.into(), 4),
                "-",
                &padded(m.into(), 2),
                "-",
                &padded(d.into(), 2),
            ]
            .concat(),
        );
        let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
        let length = match m {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        at = if d < length {
            (y, m, d + 1)
        } else if m < 12 {
            (y, m + 1, 1)
        } else {
            (y + 1, 1, 1)
        };
    }
    out
}

/// The fields of the new-address form, as [`FIELDS`] for a delivery choice's: by their
/// place in its entries (the first five of an [`Entries`], in the order of
/// [`crate::decode::ADDRESS`]), their path in the API's field errors, label and what to
/// say when wrong.
pub const ADDRESS_FIELDS: [(&str, Key, Key); 5] = [
    ("address.name", Key::ChangeName, Key::MoreRequired),
    ("address.street", Key::ChangeStreet, Key::MoreRequired),
    (
        "address.house_number",
        Key::ChangeHouse,
        Key::ChangeInvalidHouse,
    ),
    (
        "address.postcode",
        Key::ChangePostcode,
        Key::ChangeInvalidPostcode,
    ),
    ("address.city", Key::ChangeCity, Key::MoreRequired),
];
pub const HOUSE_NUMBER: usize = 2;
pub const POSTCODE: usize = 3;

/// The mask of the new-address form's fields that are wrong (none: it can be sent), in
/// the order's `country`: the server's rules ([`postpurchase_api::address_wrong`]).
pub fn address_wrong(country: &str, e: &Entries) -> u16 {
    postpurchase_api::address_wrong(
        country,
        [&e[0], &e[1], &e[2], &e[3], &e[4]].map(String::as_str),
    )
}

/// Where a change request stands, in words; an address request names the new address
/// (masked, as the server sent it).
pub fn change_says(t: Texts, r: &ChangeView) -> String {
    use ChangeKind::{Address as A, Cancel as C};
    use ChangeStatus as S;
    let key = match (r.status, r.kind) {
        (S::Requested, C) => Key::ChangeAskedCancel,
        (S::Requested, A) => Key::ChangeAskedAddress,
        (S::Accepted, C) => Key::ChangeCancelled,
        (S::Accepted, A) => Key::ChangeMoved,
        (S::Refused, C) => Key::ChangeRefusedCancel,
        (S::Refused, A) => Key::ChangeRefusedAddress,
        (S::Shipped, _) => Key::ChangeShipped,
    };
    let to = r.address.as_ref().map(|a| {
        let town = [a.postcode.as_str(), " ", &a.city].concat();
        joined(&[Some(&a.name), Some(&a.street), Some(&town)], ", ")
    });
    t.fill(key, to.as_deref().unwrap_or_default())
}

/// Whether a date (`YYYY-MM-DD`) is inside the window, if there is one.
pub fn within(date: &str, window: Option<&(String, String)>) -> bool {
    window.is_none_or(|(a, b)| a.as_str() <= date && date <= b.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use postpurchase_api::{ChoiceLock, DateWindow, TimeWindow};

    #[test]
    fn every_parcel_in_trouble_has_a_next_step_from_the_shops_settings() {
        use ShipmentStatus as S;
        let shop = |lost, back| ShopContact {
            name: "Shop".into(),
            support_email: None,
            support_phone: None,
            support_url: None,
            order_status_url: None,
            when_lost: lost,
            when_returned: back,
            refund_days: None,
        };
        let parcel = |status, locked| ShipmentSummary {
            status,
            locked,
            ..ShipmentSummary::default()
        };
        let open = parcel(S::AttemptFailed, None);
        let closed = parcel(S::AttemptFailed, Some(ChoiceLock::CutOff));
        let lost = parcel(S::Exception, Some(ChoiceLock::Closed));
        let back = parcel(S::ReturnToSender, Some(ChoiceLock::Closed));
        let none = shop(None, None);
        let cases = [
            (&open, &none, Some((Key::NextRearrange, false))),
            (&closed, &none, Some((Key::NextWhereItWent, true))),
            (&lost, &none, Some((Key::NextLostAsk, true))),
            (
                &lost,
                &shop(Some(Remedy::Replacement), None),
                Some((Key::NextLostReplace, true)),
            ),
            (
                &lost,
                &shop(Some(Remedy::ShoppersChoice), None),
                Some((Key::NextLostChoice, true)),
            ),
            (&back, &none, Some((Key::NextBackAsk, true))),
            (
                &back,
                &shop(None, Some(Remedy::Refund)),
                Some((Key::NextBackRefund, true)),
            ),
            (
                &back,
                &shop(Some(Remedy::Refund), Some(Remedy::Replacement)),
                Some((Key::NextBackResend, true)),
            ),
        ];
        for (parcel, shop, step) in cases {
            assert_eq!(next_step(parcel, shop), step, "{:?}", parcel.status);
        }
        for fine in [
            S::InTransit,
            S::Delivered,
            S::AvailableForPickup,
            S::Delayed,
        ] {
            assert_eq!(next_step(&parcel(fine, None), &none), None);
        }
    }

    #[test]
    fn the_head_and_the_delivery_facts_tell_one_arrival() {
        let fixture: serde_json::Value =
            serde_json::from_str(include_str!("../tests/e2e/fixtures/order-1004.json")).unwrap();
        let mut order: OrderView = serde_json::from_value(fixture["order"].clone()).unwrap();
        order.stage = OrderStage::Processing;
        order.shipments.clear();
        order.promised_delivery = Some(DateWindow {
            earliest: "2026-11-25".into(),
            latest: "2026-11-27".into(),
        });
        order.expected_delivery = None;
        order.delivered_at = None;
        // Nothing shipped: the promise.
        assert_eq!(
            arrival(&order),
            Some(Arrival::Promised("2026-11-25", "2026-11-27"))
        );
        // A parcel on its way without an estimate: the promise still stands.
        order.shipments.push(ShipmentSummary {
            status: ShipmentStatus::InTransit,
            ..ShipmentSummary::default()
        });
        assert_eq!(
            arrival(&order),
            Some(Arrival::Promised("2026-11-25", "2026-11-27"))
        );
        // The parcels' window, then when it was delivered.
        order.expected_delivery = Some(TimeWindow {
            from: "2026-11-26T09:00:00Z".into(),
            to: "2026-11-26T13:00:00Z".into(),
        });
        assert_eq!(
            arrival(&order),
            Some(Arrival::Expected(
                "2026-11-26T09:00:00Z",
                "2026-11-26T13:00:00Z"
            ))
        );
        order.delivered_at = Some("2026-11-26T10:12:00Z".into());
        assert_eq!(
            arrival(&order),
            Some(Arrival::Delivered("2026-11-26T10:12:00Z"))
        );
        order.stage = OrderStage::Cancelled;
        assert_eq!(arrival(&order), None);
    }

    fn pick(value: &str, disabled: bool) -> Pick {
        Pick {
            value: value.into(),
            disabled,
            ..Pick::default()
        }
    }

    fn form() -> ChoiceForm {
        let mut form = ChoiceForm {
            slots: vec![pick("1", false), pick("2", true)],
            places: vec![pick("porch", false)],
            dates: Some(("2026-11-24".into(), "2026-11-27".into())),
            days: days("2026-11-24", "2026-11-27")
                .iter()
                .map(|d| pick(d, false))
                .collect(),
            ..ChoiceForm::default()
        };
        form.offer(true);
        form
    }

    fn with(pairs: &[(usize, &str)]) -> Entries {
        let mut e = Entries::default();
        for (i, v) in pairs {
            e[*i] = v.to_string();
        }
        e
    }

    #[test]
    fn only_kinds_with_something_to_choose_are_offered() {
        use ChoiceKind::*;
        assert_eq!(form().kinds, [Slot, Neighbour, SafePlace, AnotherDay]);
        let mut none = ChoiceForm::default();
        none.offer(false);
        assert!(none.kinds.is_empty());
    }

    #[test]
    fn a_slot_must_be_one_with_room() {
        let f = form();
        let slot = f.check(ChoiceKind::Slot, &with(&[(SLOT, "1")])).unwrap();
        assert_eq!(slot.slot_id, Some(1));
        assert_eq!(f.check(ChoiceKind::Slot, &with(&[(SLOT, "2")])), Err(1));
        assert_eq!(f.check(ChoiceKind::Slot, &with(&[])), Err(1));
    }

    #[test]
    fn a_neighbour_needs_a_name_and_a_house_number_with_a_digit() {
        let f = form();
        let ok = f
            .check(
                ChoiceKind::Neighbour,
                &with(&[(NAME, " Bob "), (HOUSE, "12-B")]),
            )
            .unwrap();
        assert_eq!(ok.neighbour.unwrap().name, "Bob");
        assert_eq!(
            f.check(ChoiceKind::Neighbour, &with(&[(NAME, "  "), (HOUSE, "B")])),
            Err(0b110)
        );
        let long = "x".repeat(61);
        assert_eq!(
            f.check(
                ChoiceKind::Neighbour,
                &with(&[(NAME, &long), (HOUSE, "12345678901")])
            ),
            Err(0b110)
        );
    }

    #[test]
    fn a_safe_place_needs_a_place_or_words_and_the_risk_accepted() {
        let f = form();
        assert_eq!(
            f.check(ChoiceKind::SafePlace, &with(&[])),
            Err(1 << PLACE | 1 << RISK)
        );
        let words = f
            .check(
                ChoiceKind::SafePlace,
                &with(&[(INSTRUCTION, "Behind the bins"), (RISK, "1")]),
            )
            .unwrap();
        assert_eq!(words.safe_place.unwrap().place, None);
        let long = "x".repeat(141);
        assert_eq!(
            f.check(
                ChoiceKind::SafePlace,
                &with(&[(PLACE, "porch"), (INSTRUCTION, &long), (RISK, "1")])
            ),
            Err(1 << INSTRUCTION)
        );
    }

    #[test]
    fn another_day_must_be_inside_the_window() {
        let f = form();
        assert!(f
            .check(ChoiceKind::AnotherDay, &with(&[(DATE, "2026-11-27")]))
            .is_ok());
        assert_eq!(
            f.check(ChoiceKind::AnotherDay, &with(&[(DATE, "2026-11-28")])),
            Err(1 << DATE)
        );
        assert_eq!(f.check(ChoiceKind::AnotherDay, &with(&[])), Err(1 << DATE));
    }

    #[test]
    fn the_days_to_pick_from_are_every_date_of_the_window() {
        assert_eq!(
            days("2026-11-29", "2026-12-02"),
            ["2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02"]
        );
        assert_eq!(days("2028-02-28", "2028-03-01").len(), 3, "a leap year");
        assert_eq!(days("2027-02-28", "2027-03-01").len(), 2);
        assert_eq!(
            days("2026-12-31", "2027-01-01"),
            ["2026-12-31", "2027-01-01"]
        );
        assert_eq!(days("2026-11-27", "2026-11-27"), ["2026-11-27"]);
        assert!(days("2026-11-28", "2026-11-27").is_empty());
        assert!(days("soon", "2026-11-27").is_empty());
        assert_eq!(
            days("2026-01-01", "2026-12-31").len(),
            31,
            "at most a month"
        );
    }

    #[test]
    fn every_status_has_its_place_on_a_road() {
        use ShipmentStatus as S;
        assert_eq!(progress(S::Cancelled), None);
        for s in S::ALL.into_iter().filter(|s| *s != S::Cancelled) {
            let (road, reached, _) = progress(s).unwrap();
            assert!((1..=road.len()).contains(&reached), "{s:?}");
        }
        assert_eq!(progress(S::InTransit), Some((&ROAD[..], 2, false)));
        assert_eq!(progress(S::AttemptFailed), Some((&ROAD[..], 3, true)));
        assert_eq!(
            progress(S::AvailableForPickup),
            Some((&TO_PICKUP[..], 3, false))
        );
        assert_eq!(progress(S::ReturnToSender), Some((&BACK[..], 3, true)));
    }

    #[test]
    fn api_field_paths_map_to_fields() {
        assert_eq!(
            field_mask(
                &FIELDS,
                ["choice.neighbour.name", "choice.date", "elsewhere"]
            ),
            1 << NAME | 1 << DATE
        );
    }

    #[test]
    fn a_chosen_neighbour_comes_back_as_entries() {
        let f = form();
        let choice = f
            .check(
                ChoiceKind::Neighbour,
                &with(&[(NAME, "Bob"), (HOUSE, "12")]),
            )
            .unwrap();
        assert_eq!(
            f.check(ChoiceKind::Neighbour, &entries(&choice)),
            Ok(choice)
        );
    }

    fn typed(e: [&str; 5]) -> Entries {
        let mut entries = Entries::default();
        for (i, text) in e.into_iter().enumerate() {
            entries[i] = text.into();
        }
        entries
    }

    #[test]
    fn a_new_address_is_checked_by_the_servers_rules() {
        let wrong = |e: [&str; 5], country| address_wrong(country, &typed(e));
        assert_eq!(
            wrong(
                ["Ada", "Prinsengracht", "12A", "1015 dx", "Amsterdam"],
                "NL"
            ),
            0
        );
        // A Dutch postcode does not start with 0; a Dutch address has a house number.
        assert_eq!(
            wrong(["Ada", "Prinsengracht", "12", "0123 AB", "Amsterdam"], "NL"),
            1 << POSTCODE
        );
        assert_eq!(
            wrong(["Ada", "Prinsengracht", " ", "1015 DX", "Amsterdam"], "NL"),
            1 << HOUSE_NUMBER
        );
        // Blank is wrong; a British address may do without a number, not with a bad one.
        assert_eq!(wrong([" ", "", "", "SW1A 1AA", "\t"], "GB"), 0b10011);
        assert_eq!(
            wrong(["Ada", "Baker St", "", "SW1A 1AA", "London"], "GB"),
            0
        );
        assert_eq!(
            wrong(["Ada", "Baker St", "A1", "SW1A 1AA", "London"], "GB"),
            1 << HOUSE_NUMBER
        );
        assert_eq!(
            field_mask(
                &ADDRESS_FIELDS,
                ["address.postcode", "address.city", "kind", "city"]
            ),
            1 << POSTCODE | 1 << 4
        );
    }

    #[test]
    fn a_change_request_says_where_it_stands() {
        let t = crate::i18n::Texts::from_file("en", include_str!("../locales/en.txt")).unwrap();
        let mut r = ChangeView {
            kind: ChangeKind::Address,
            status: ChangeStatus::Requested,
            requested_at: "2026-11-17T11:00:00Z".into(),
            address: Some(postpurchase_api::MaskedAddress {
                name: "Ada J.".into(),
                street: "Prinsengracht ***".into(),
                postcode: "10** **".into(),
                city: "Amsterdam".into(),
                country: "NL".into(),
            }),
            message: None,
        };
        assert_eq!(
            change_says(t, &r),
            "You asked to deliver to Ada J., Prinsengracht ***, 10** ** Amsterdam. The shop will confirm it."
        );
        r.status = ChangeStatus::Shipped;
        assert_eq!(
            change_says(t, &r),
            "Your order had already shipped, so it goes as it was."
        );
    }

    #[test]
    fn dates_outside_the_window_are_left_out() {
        let window = ("2026-11-24".to_owned(), "2026-11-25".to_owned());
        assert!(within("2026-11-25", Some(&window)));
        assert!(!within("2026-11-26", Some(&window)));
        assert!(within("2030-01-01", None));
    }
}
