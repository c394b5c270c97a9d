//! Reads the follow-ups' answers (already parsed by the browser) into the shared types, by
//! hand through the widget's own readers (`src/shared.rs`), as its `decode.rs` does: a
//! serde deserializer cost this module more than everything else in it together. Field
//! names are the wire names; a missing or mistyped required field makes the whole answer
//! unreadable; a name a newer server may add to an enum makes its value unreadable, never
//! a wrong one.

use crate::shared::{field, FromJs};
use postpurchase_api::*;
use wasm_bindgen::JsValue;

/// An enum's wire name among `names`, as the variant at the same place of `values`.
fn one_of<T: Copy>(value: &JsValue, names: &[&str], values: &[T]) -> Option<T> {
    let name = value.as_string()?;
    names.iter().position(|n| *n == name).map(|i| values[i])
}

impl FromJs for RewardKind {
    fn from_js(v: &JsValue) -> Option<Self> {
        use RewardKind::*;
        one_of(
            v,
            &["percent_off", "amount_off", "store_credit"],
            &[PercentOff, AmountOff, StoreCredit],
        )
    }
}

impl FromJs for ReminderStatus {
    fn from_js(v: &JsValue) -> Option<Self> {
        use ReminderStatus::*;
        one_of(
            v,
            &["waiting", "sent", "skipped", "cancelled"],
            &[Waiting, Sent, Skipped, Cancelled],
        )
    }
}

impl FromJs for Reward {
    fn from_js(v: &JsValue) -> Option<Self> {
        Some(Reward {
            kind: field(v, "kind")?,
            value: field(v, "value")?,
            currency: field(v, "currency")?,
        })
    }
}

impl FromJs for Voucher {
    fn from_js(v: &JsValue) -> Option<Self> {
        Some(Voucher {
            code: field(v, "code")?,
            reward: field(v, "reward")?,
            valid_until: field(v, "valid_until")?,
        })
    }
}

impl FromJs for BuyAgain {
    fn from_js(v: &JsValue) -> Option<Self> {
        Some(BuyAgain {
            item: field(v, "item")?,
            name: field(v, "name")?,
            variant: field(v, "variant")?,
            image_url: field(v, "image_url")?,
            url: field(v, "url")?,
        })
    }
}

impl FromJs for LoyaltyView {
    fn from_js(v: &JsValue) -> Option<Self> {
        Some(LoyaltyView {
            name: field(v, "name")?,
            returning: field(v, "returning")?,
            earned: field(v, "earned")?,
            balance: field(v, "balance")?,
            voucher: field(v, "voucher")?,
            buy_again: field::<Option<_>>(v, "buy_again")?.unwrap_or_default(),
        })
    }
}

impl FromJs for Reminder {
    fn from_js(v: &JsValue) -> Option<Self> {
        Some(Reminder {
            id: field(v, "id")?,
            item: field(v, "item")?,
            due_on: field(v, "due_on")?,
            status: field(v, "status")?,
        })
    }
}

impl FromJs for CareItem {
    fn from_js(v: &JsValue) -> Option<Self> {
        Some(CareItem {
            item: field(v, "item")?,
            name: field(v, "name")?,
            image_url: field(v, "image_url")?,
            care: field(v, "care")?,
            care_url: field(v, "care_url")?,
            reorder_days: field(v, "reorder_days")?,
            reminder: field(v, "reminder")?,
        })
    }
}

impl FromJs for CareView {
    fn from_js(v: &JsValue) -> Option<Self> {
        Some(CareView {
            items: field(v, "items")?,
        })
    }
}

impl FromJs for Pairing {
    fn from_js(v: &JsValue) -> Option<Self> {
        Some(Pairing {
            id: field(v, "id")?,
            name: field(v, "name")?,
            price: field(v, "price")?,
            currency: field(v, "currency")?,
            image_url: field(v, "image_url")?,
            url: field(v, "url")?,
            clicks: None,
        })
    }
}

impl FromJs for PairsView {
    fn from_js(v: &JsValue) -> Option<Self> {
        Some(PairsView {
            pairs: field(v, "pairs")?,
        })
    }
}

impl FromJs for UnboxingView {
    fn from_js(v: &JsValue) -> Option<Self> {
        Some(UnboxingView {
            thanks: field(v, "thanks")?,
            eco: field(v, "eco")?,
            eco_url: field(v, "eco_url")?,
            hashtag: field(v, "hashtag")?,
            handle: field(v, "handle")?,
            share_url: field(v, "share_url")?,
            shop: field(v, "shop")?,
        })
    }
}

impl FromJs for UpgradeKind {
    fn from_js(v: &JsValue) -> Option<Self> {
        use UpgradeKind::*;
        one_of(
            v,
            &["next_day", "same_day", "evening"],
            &[NextDay, SameDay, Evening],
        )
    }
}

impl FromJs for UpgradeStatus {
    fn from_js(v: &JsValue) -> Option<Self> {
        use UpgradeStatus::*;
        one_of(
            v,
            &["requested", "confirmed", "refused"],
            &[Requested, Confirmed, Refused],
        )
    }
}

impl FromJs for UpgradeChoice {
    fn from_js(v: &JsValue) -> Option<Self> {
        Some(UpgradeChoice {
            kind: field(v, "kind")?,
            price: field(v, "price")?,
            currency: field(v, "currency")?,
            delivery_on: field(v, "delivery_on")?,
            order_by: field(v, "order_by")?,
            left: field(v, "left")?,
        })
    }
}

impl FromJs for UpgradeRequest {
    fn from_js(v: &JsValue) -> Option<Self> {
        Some(UpgradeRequest {
            kind: field(v, "kind")?,
            status: field(v, "status")?,
            price: field(v, "price")?,
            currency: field(v, "currency")?,
            delivery_on: field(v, "delivery_on")?,
            pay_url: field(v, "pay_url")?,
            message: field(v, "message")?,
        })
    }
}

impl FromJs for UpgradeView {
    fn from_js(v: &JsValue) -> Option<Self> {
        Some(UpgradeView {
            offers: field(v, "offers")?,
            request: field(v, "request")?,
        })
    }
}
