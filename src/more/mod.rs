//! After the purchase: returns, reviews, the referral code and the short survey, each one
//! step away behind a disclosure button. What fits the order's stage leads and is open
//! (referral right after purchase, reviews once delivered); the rest stays one click away.
//!
//! Like the parcels, plain DOM (see [`crate::screen`]): the section is drawn once per
//! card and never redrawn by a re-check, so what the shopper typed stays where it is.
//! Which panel is open lives in [`crate::state`]; opening one and fetching its data, once,
//! is [`crate::action`]'s. Its answers are read into the shared types by
//! [`crate::decode`]; text only ever goes in as text. Forms are checked by the browser's
//! own constraints (`required`, `maxlength`), shown as our messages beside the fields.

use js_sys::{Array, Object, Reflect};
use leptos::prelude::*;
use postpurchase_api::{Module, OrderStage, OrderView};
use wasm_bindgen::JsValue;
use web_sys::Element;

mod forms;
mod referral;
mod returns;
mod reviews;
mod survey;

pub(crate) use forms::{check, files, mark, vet_photos};
use returns::chosen;
pub(crate) use returns::{nudge, sync, turn, worth, LAST_STEP};

use crate::decode::{set, FromJs};
use crate::dom::{add, all, attr, find, focus, make, show};
use crate::dom::{is_image_url, is_web_url, thumbnail};
use crate::i18n::{Key, Texts};
use crate::intl::Formats;
use crate::state::Ctx;

/// Every module, in the order of [`Module`].
const MODULES: [Module; 9] = [
    Module::Returns,
    Module::Reviews,
    Module::Referral,
    Module::Survey,
    Module::Loyalty,
    Module::Care,
    Module::Pairs,
    Module::Unboxing,
    Module::Upgrade,
];
/// The modules by [`Module`] index: their name (also their path under the order's) and
/// the title of their button.
pub(crate) const NAMES: [&str; 9] = [
    "returns", "reviews", "referral", "survey", "loyalty", "care", "pairs", "unboxing", "upgrade",
];
const TITLES: [Key; 9] = [
    Key::ReturnsTitle,
    Key::ReviewsTitle,
    Key::ReferralTitle,
    Key::SurveyTitle,
    Key::LoyaltyTitle,
    Key::CareTitle,
    Key::PairsTitle,
    Key::UnboxingTitle,
    Key::UpgradeTitle,
];
/// Which module leads: before delivery, and once delivered. The server lists care and the
/// unboxing only once the order is delivered, faster delivery only before dispatch.
const BEFORE: [Module; 9] = [
    Module::Referral,
    Module::Upgrade,
    Module::Loyalty,
    Module::Survey,
    Module::Pairs,
    Module::Reviews,
    Module::Returns,
    Module::Care,
    Module::Unboxing,
];
const AFTER: [Module; 9] = [
    Module::Reviews,
    Module::Unboxing,
    Module::Care,
    Module::Loyalty,
    Module::Returns,
    Module::Pairs,
    Module::Referral,
    Module::Survey,
    Module::Upgrade,
];

/// The module named `name`.
pub(crate) fn module(name: &str) -> Option<Module> {
    NAMES.iter().position(|n| *n == name).map(|i| MODULES[i])
}

/// A property of a DOM object (a control's `value`, the navigator's `clipboard`).
pub(crate) fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).unwrap_or_default()
}

/// The value of form control `name` (a radio group's checked one), "" when none.
fn value(form: &Element, name: &str) -> String {
    find(
        form,
        &[
            "[name=\"",
            name,
            "\"]:is(:checked,select,textarea,[type=text],[type=tel])",
        ]
        .concat(),
    )
    .and_then(|el| get(&el, "value").as_string())
    .unwrap_or_default()
    .trim()
    .to_owned()
}

/// The follow-ups section for `order`, every panel closed, and the module that fits the
/// order's stage, to open first; none for a cancelled order or one whose parcel is in
/// trouble, going back or waiting to be collected (the parcels come first then).
pub(crate) fn section(t: Texts, order: &OrderView) -> (Element, Option<Module>) {
    let section = make("section", "pp-section pp-more");
    attr(&section, "part", "more");
    attr(&section, "aria-labelledby", "pp-more");
    show(&section, !order.modules.is_empty());
    attr(
        &add(&section, "h3", "pp-heading", t.get(Key::MoreTitle)),
        "id",
        "pp-more",
    );
    let delivered = order.stage == OrderStage::Delivered;
    let mut first = None;
    for m in if delivered { AFTER } else { BEFORE } {
        if !order.modules.contains(&m) {
            continue;
        }
        let name = NAMES[m as usize];
        let wrap = add(&section, "div", "pp-module", "");
        let button = add(
            &add(&wrap, "h4", "pp-subheading", ""),
            "button",
            "pp-disclosure",
            t.get(TITLES[m as usize]),
        );
        for (k, v) in [
            ("type", "button"),
            ("id", &["pp-mb-", name].concat()),
            ("aria-expanded", "false"),
            ("aria-controls", &["pp-m-", name].concat()),
            ("data-act", "m-open"),
            ("data-m", name),
            ("part", "disclosure"),
        ] {
            attr(&button, k, v);
        }
        let panel = add(&wrap, "div", "pp-panel", "");
        attr(&panel, "id", &["pp-m-", name].concat());
        attr(&panel, "role", "region");
        attr(&panel, "part", "panel");
        attr(&panel, "aria-labelledby", &["pp-mb-", name].concat());
        show(&panel, false);
        first.get_or_insert(m);
    }
    let calm = !matches!(
        order.stage,
        OrderStage::Cancelled
            | OrderStage::ActionNeeded
            | OrderStage::Returning
            | OrderStage::ReadyForPickup
    );
    (section, first.filter(|_| calm))
}

/// Shows module `open`'s panel as open and every other one as closed.
pub(crate) fn expand(section: &Element, open: Option<Module>) {
    for m in MODULES {
        let name = NAMES[m as usize];
        let (Some(button), Some(panel)) = (
            find(section, &["#pp-mb-", name].concat()),
            find(section, &["#pp-m-", name].concat()),
        ) else {
            continue;
        };
        let on = open == Some(m);
        attr(&button, "aria-expanded", if on { "true" } else { "false" });
        show(&panel, on);
    }
}

/// Draws module `m` from its answer, read into the shared types; an answer that cannot be
/// read says so as a failed load does, and `false` tells the caller to try again when the
/// panel is opened again.
pub(crate) fn draw(cx: Ctx, panel: &Element, m: Module, data: &JsValue) -> bool {
    let Some(order) = cx.order() else {
        return false;
    };
    let (t, f) = (cx.t, cx.formats(&order.currency));
    panel.set_text_content(None);
    let drawn = match m {
        Module::Returns => {
            FromJs::from_js(data).map(|d| returns::returns(t, &f, &order, panel, &d))
        }
        Module::Reviews => {
            let base = cx.live.with_value(|l| l.url.clone());
            FromJs::from_js(data).map(|d: Vec<_>| reviews::reviews(t, &f, &order, panel, &d, &base))
        }
        Module::Referral => {
            FromJs::from_js(data).map(|d| referral::referral(t, &f, &order, panel, &d))
        }
        Module::Survey => FromJs::from_js(data).map(|d| {
            survey::survey(t, &order, panel, &d);
            // What the shopper skipped stays skipped.
            cx.live.with_value(|live| {
                for id in live.skipped.borrow().iter() {
                    if let Some(form) = find(panel, &["#", id].concat()) {
                        show(&form, false);
                    }
                }
            });
        }),
        // The week after delivery: the loader's module draws it (`action::later`).
        _ => None,
    };
    if drawn.is_none() {
        failed(t, panel);
    }
    drawn.is_some()
}

/// The picture of order line `line`, if it has one.
fn picture(order: &OrderView, line: i64) -> Option<&str> {
    order
        .items
        .iter()
        .find(|i| i.id == line)
        .and_then(|i| i.image_url.as_deref())
}

/// Says in `panel` that its module could not be shown.
pub(crate) fn failed(t: Texts, panel: &Element) {
    let notice = add(panel, "p", "pp-notice", t.get(Key::MoreFailed));
    attr(&notice, "role", "alert");
    attr(&notice, "part", "notice");
}

/// A whole number typed or chosen, for a JSON body; -1 when there is none (refused by the
/// API like any other wrong number).
fn int(s: &str) -> f64 {
    s.parse::<i64>().map_or(-1.0, |n| n as f64)
}

/// The JSON body of a form, as its endpoint takes it; `photos` are the ids of the photos
/// sent for it, by the name of the field they were chosen in.
pub(crate) fn body(form: &Element, post: &str, photos: &[(String, String)]) -> String {
    let o = Object::new();
    let sent = |name: &str| -> Array {
        photos
            .iter()
            .filter(|(field, _)| field == name)
            .map(|(_, id)| JsValue::from(id.as_str()))
            .collect()
    };
    let text_or_null = |v: String| {
        if v.is_empty() {
            JsValue::NULL
        } else {
            v.into()
        }
    };
    match post {
        "survey/nps" => {
            set(&o, "score", int(&value(form, "score")));
            set(&o, "comment", text_or_null(value(form, "comment")));
        }
        "survey/heard" => {
            // The shopper's own words go with "Other" only.
            let option = value(form, "option");
            let other = if option == "other" {
                value(form, "other")
            } else {
                String::new()
            };
            set(&o, "option", option);
            set(&o, "other", text_or_null(other));
        }
        "preferences" => {
            for k in ["email", "sms"] {
                let on = find(form, &["[name=", k, "]"].concat()).map(|el| get(&el, "checked"));
                set(&o, k, on.and_then(|v| v.as_bool()).unwrap_or(false));
            }
            let phone = value(form, "phone");
            if !phone.is_empty() {
                set(&o, "phone", phone);
            }
        }
        "reviews" => {
            let line = form.get_attribute("data-line").unwrap_or_default();
            set(&o, "line_id", int(&line));
            set(&o, "stars", int(&value(form, "stars")));
            set(&o, "title", value(form, "title"));
            set(&o, "body", value(form, "body"));
            set(&o, "fit", text_or_null(value(form, "fit")));
            let shots = sent("photos");
            if shots.length() > 0 {
                set(&o, "photos", shots);
            }
        }
        _ => {
            let resolution = value(form, "resolution");
            let list = Array::new();
            for (line, q) in chosen(form) {
                let item = Object::new();
                set(&item, "line_id", int(&line));
                set(&item, "quantity", q as f64);
                set(&item, "reason", value(form, &["r", &line].concat()));
                set(
                    &item,
                    "comment",
                    text_or_null(value(form, &["c", &line].concat())),
                );
                if resolution == "exchange" {
                    set(&item, "exchange_sku", value(form, &["x", &line].concat()));
                }
                let shots = sent(&["f", &line].concat());
                if shots.length() > 0 {
                    set(&item, "photos", shots);
                }
                list.push(&item);
            }
            set(&o, "items", list);
            set(&o, "resolution", resolution);
            set(&o, "method", value(form, "method"));
        }
    }
    js_sys::JSON::stringify(&o)
        .map(String::from)
        .unwrap_or_default()
}
