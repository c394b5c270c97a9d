//! The shopper's referral code: the rewards in words, the link to copy or share.

use postpurchase_api::{Reward, RewardKind};

use super::forms::*;
use super::*;
use crate::decode::Referral;

/// A reward in words: "€10.00 off", "10% off", "€15.00 store credit".
pub(super) fn reward(t: Texts, f: &Formats, r: &Reward) -> String {
    match r.kind {
        RewardKind::PercentOff => t.fill(Key::RewardPercentOff, &r.value.to_string()),
        RewardKind::StoreCredit => t.fill(Key::RewardStoreCredit, &f.money(r.value)),
        RewardKind::AmountOff => t.fill(Key::RewardAmountOff, &f.money(r.value)),
    }
}

pub(super) fn referral(t: Texts, f: &Formats, order: &OrderView, panel: &Element, data: &Referral) {
    let words = |r: &Option<Reward>| r.as_ref().map(|r| reward(t, f, r));
    let (friend, you) = (words(&data.friend_reward), words(&data.referrer_reward));
    let (code, url) = (data.code.as_str(), data.share_url.as_str());
    if let (Some(friend), Some(you)) = (&friend, &you) {
        add(
            panel,
            "p",
            "",
            &t.fill_with(Key::ReferralIntro, &[("friend", friend), ("you", you)]),
        );
    }
    let line = add(
        panel,
        "p",
        "pp-code-line",
        &[t.get(Key::ReferralCode), " "].concat(),
    );
    attr(&add(&line, "strong", "pp-code", code), "part", "code");
    if is_web_url(url) {
        attr(&add(panel, "a", "pp-share-url", url), "href", url);
    }
    let row = add(panel, "p", "pp-actions", "");
    let copy = button(&row, t.get(Key::ReferralCopy), "m-copy", "button");
    attr(&copy, "data-url", url);
    // The message to share names the friend's reward: none without it.
    if let Some(friend) = &friend {
        let message = t.fill_with(
            Key::ReferralMessage,
            &[
                ("reward", friend),
                ("shop", &order.shop.name),
                ("code", code),
                ("url", url),
            ],
        );
        if Reflect::has(&window().navigator(), &"share".into()) == Ok(true) {
            let share = button(&row, t.get(Key::ReferralShare), "m-share", "button");
            attr(&share, "data-text", &message);
            attr(&share, "data-url", url);
        }
        let message = String::from(js_sys::encode_uri_component(&message));
        for (key, href) in [
            (Key::ReferralEmail, ["mailto:?body=", &message].concat()),
            (
                Key::ReferralWhatsapp,
                ["https://wa.me/?text=", &message].concat(),
            ),
        ] {
            let link = add(&row, "a", "pp-button pp-button-quiet", t.get(key));
            attr(&link, "href", &href);
            attr(&link, "part", "button");
        }
    }
    let notice = add(panel, "p", "pp-notice", "");
    attr(&notice, "role", "status");
    attr(&notice, "part", "notice");
    let friends = i64::from(data.friends);
    let key = if f.one(friends) {
        Key::ReferralFriendsOne
    } else {
        Key::ReferralFriendsOther
    };
    add(panel, "p", "pp-note", &t.fill(key, &friends.to_string()));
}
