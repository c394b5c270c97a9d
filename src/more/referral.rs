//! The shopper's referral code: the rewards in words, the link to copy or share.

use super::forms::*;
use super::*;

/// A reward in words: "€10.00 off", "10% off", "€15.00 store credit".
pub(super) fn reward(t: Texts, f: &Formats, r: &JsValue) -> String {
    let value = num(r, "value");
    match text(r, "kind").as_str() {
        "percent_off" => t.fill(Key::RewardPercentOff, &value.to_string()),
        "store_credit" => t.fill(Key::RewardStoreCredit, &f.money(value)),
        _ => t.fill(Key::RewardAmountOff, &f.money(value)),
    }
}

pub(super) fn referral(t: Texts, f: &Formats, order: &OrderView, panel: &Element, data: &JsValue) {
    let friend = reward(t, f, &get(data, "friend_reward"));
    let code = text(data, "code");
    let url = text(data, "share_url");
    add(
        panel,
        "p",
        "",
        &t.fill_with(
            Key::ReferralIntro,
            &[
                ("friend", &friend),
                ("you", &reward(t, f, &get(data, "referrer_reward"))),
            ],
        ),
    );
    let line = add(
        panel,
        "p",
        "pp-code-line",
        &[t.get(Key::ReferralCode), " "].concat(),
    );
    attr(&add(&line, "strong", "pp-code", &code), "part", "code");
    if is_web_url(&url) {
        attr(&add(panel, "a", "pp-share-url", &url), "href", &url);
    }
    let message = t.fill_with(
        Key::ReferralMessage,
        &[
            ("reward", &friend),
            ("shop", &order.shop.name),
            ("code", &code),
            ("url", &url),
        ],
    );
    let row = add(panel, "p", "pp-actions", "");
    let copy = button(&row, t.get(Key::ReferralCopy), "m-copy", "button");
    attr(&copy, "data-url", &url);
    if Reflect::has(&window().navigator(), &"share".into()) == Ok(true) {
        let share = button(&row, t.get(Key::ReferralShare), "m-share", "button");
        attr(&share, "data-text", &message);
        attr(&share, "data-url", &url);
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
    attr(&add(panel, "p", "pp-notice", ""), "role", "status");
    let friends = num(data, "friends");
    let key = if f.one(friends) {
        Key::ReferralFriendsOne
    } else {
        Key::ReferralFriendsOther
    };
    add(panel, "p", "pp-note", &t.fill(key, &friends.to_string()));
}
