//! After the purchase: returns, reviews, the referral code and the short survey, each one
//! step away behind a disclosure button. What fits the order's stage leads and is open
//! (referral right after purchase, reviews once delivered); the rest stays one click away.
//!
//! Like the parcels, plain DOM: the section is built once, at the first order shown, and
//! moved into every later drawing of the card, so what the shopper typed stays where it
//! is. A module's data is fetched when it first opens. Its answers are read into the
//! shared types by [`crate::decode`]; text only ever goes in as text. Forms are checked
//! by the browser's own constraints (`required`, `maxlength`), shown as our messages
//! beside the fields.

use std::rc::Rc;

use js_sys::{Array, Function, Object, Reflect};
use leptos::prelude::*;
use leptos::task::spawn_local;
use postpurchase_api::{Module, OrderStage, OrderView};
use wasm_bindgen::{JsCast, JsValue, UnwrapThrowExt};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, Event};

mod forms;
mod referral;
mod returns;
mod reviews;
mod survey;

use forms::{check, mark};
use returns::{chosen, sync, turn};

use crate::api::send;
use crate::decode::{set, FromJs};
use crate::dom::{add, all, attr, find, focus, show};
use crate::i18n::{Key, Texts};
use crate::intl::Formats;
use crate::track::{new_key, next_task};
use crate::view::Ctx;
use crate::{is_image_url, is_web_url};

/// The modules by [`Module`] index: their name (also their path under the order's) and
/// the title of their button.
const NAMES: [&str; 4] = ["returns", "reviews", "referral", "survey"];
const TITLES: [Key; 4] = [
    Key::ReturnsTitle,
    Key::ReviewsTitle,
    Key::ReferralTitle,
    Key::SurveyTitle,
];
/// Which module leads: before delivery, and once delivered.
const BEFORE: [Module; 4] = [
    Module::Referral,
    Module::Survey,
    Module::Reviews,
    Module::Returns,
];
const AFTER: [Module; 4] = [
    Module::Reviews,
    Module::Returns,
    Module::Referral,
    Module::Survey,
];

/// A property of a DOM object (a control's `value`, the navigator's `clipboard`).
fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).unwrap_or_default()
}

/// The value of form control `name` (a radio group's checked one), "" when none.
fn value(form: &Element, name: &str) -> String {
    find(
        form,
        &format!("[name=\"{name}\"]:is(:checked,select,textarea,[type=text])"),
    )
    .and_then(|el| get(&el, "value").as_string())
    .unwrap_or_default()
    .trim()
    .to_owned()
}

/// The follow-ups section, into `host` (a directive of the card).
pub fn more(host: Element, (cx, order): (Ctx, Rc<OrderView>)) {
    let Some(live) = cx.live.try_get_value() else {
        return;
    };
    let section = live
        .more
        .borrow_mut()
        .get_or_insert_with(|| build(cx, &order))
        .clone();
    let _ = host.append_child(&section);
}

fn build(cx: Ctx, order: &OrderView) -> Element {
    let t = cx.t;
    let section = document().create_element("section").unwrap_throw();
    section.set_class_name("pp-section pp-more");
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
            ("id", &format!("pp-mb-{name}")),
            ("aria-expanded", "false"),
            ("aria-controls", &format!("pp-m-{name}")),
            ("data-act", "m-open"),
            ("data-m", name),
            ("part", "disclosure"),
        ] {
            attr(&button, k, v);
        }
        let panel = add(&wrap, "div", "pp-panel", "");
        attr(&panel, "id", &format!("pp-m-{name}"));
        attr(&panel, "role", "region");
        attr(&panel, "part", "panel");
        attr(&panel, "aria-labelledby", &format!("pp-mb-{name}"));
        show(&panel, false);
        first.get_or_insert(name);
    }
    // What fits the stage is open from the start; a cancelled order leads with nothing.
    if let Some(name) = first.filter(|_| order.stage != OrderStage::Cancelled) {
        toggle(cx, &section, name);
    }
    section
}

/// Opens module `name` (closing the one open), or closes it when open.
fn toggle(cx: Ctx, section: &Element, name: &str) {
    for n in NAMES {
        let (Some(button), Some(panel)) = (
            find(section, &format!("#pp-mb-{n}")),
            find(section, &format!("#pp-m-{n}")),
        ) else {
            continue;
        };
        let open = n == name && button.get_attribute("aria-expanded").as_deref() != Some("true");
        attr(
            &button,
            "aria-expanded",
            if open { "true" } else { "false" },
        );
        show(&panel, open);
        if open && !panel.has_attribute("data-state") {
            load(cx, panel, n, None);
        }
    }
}

/// Fetches module `name`'s data and draws it into `panel`; then gives the keyboard to
/// `then` (a selector) if given.
fn load(cx: Ctx, panel: Element, name: &'static str, then: Option<String>) {
    let Some(live) = cx.live.try_get_value() else {
        return;
    };
    attr(&panel, "data-state", "loading");
    attr(&panel, "aria-busy", "true");
    if panel.child_element_count() == 0 {
        attr(
            &add(&panel, "p", "pp-note", cx.t.get(Key::MoreLoading)),
            "role",
            "status",
        );
    }
    let url = format!("{}/{name}", live.url);
    spawn_local(async move {
        let result = send(&url, None, &[]).await;
        if live.stopped.get() {
            return;
        }
        let _ = panel.remove_attribute("aria-busy");
        panel.set_text_content(None);
        match result {
            Ok(data) => draw(cx, &panel, name, &data),
            Err(_) => {
                // Closing and opening again retries.
                let _ = panel.remove_attribute("data-state");
                attr(
                    &add(&panel, "p", "pp-notice", cx.t.get(Key::MoreFailed)),
                    "role",
                    "alert",
                );
            }
        }
        if let Some(selector) = then {
            focus(find(&panel, &selector));
        }
    });
}

/// Draws module `name` from its answer, read into the shared types; an answer that cannot
/// be read says so as a failed load does (and, like it, is tried again when reopened).
fn draw(cx: Ctx, panel: &Element, name: &str, data: &JsValue) {
    let Some(order) = cx.order() else {
        return;
    };
    let (t, f) = (cx.t, cx.formats(&order.currency));
    panel.set_text_content(None);
    attr(panel, "data-state", "ready");
    let drawn = match name {
        "returns" => FromJs::from_js(data).map(|d| returns::returns(t, &f, &order, panel, &d)),
        "reviews" => FromJs::from_js(data).map(|d: Vec<_>| reviews::reviews(t, &f, panel, &d)),
        "referral" => FromJs::from_js(data).map(|d| referral::referral(t, &f, &order, panel, &d)),
        _ => FromJs::from_js(data).map(|d| survey::survey(t, &order, panel, &d)),
    };
    if drawn.is_none() {
        let _ = panel.remove_attribute("data-state");
        attr(
            &add(panel, "p", "pp-notice", t.get(Key::MoreFailed)),
            "role",
            "alert",
        );
    }
}

/// A whole number typed or chosen, for a JSON body; -1 when there is none (refused by the
/// API like any other wrong number).
fn int(s: &str) -> f64 {
    s.parse::<i64>().map_or(-1.0, |n| n as f64)
}

/// The JSON body of a form, as its endpoint takes it.
fn body(form: &Element, post: &str) -> String {
    let o = Object::new();
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
                let on = find(form, &format!("[name={k}]")).map(|el| get(&el, "checked"));
                set(&o, k, on.and_then(|v| v.as_bool()).unwrap_or(false));
            }
        }
        "reviews" => {
            let line = form.get_attribute("data-line").unwrap_or_default();
            set(&o, "line_id", int(&line));
            set(&o, "stars", int(&value(form, "stars")));
            set(&o, "title", value(form, "title"));
            set(&o, "body", value(form, "body"));
            set(&o, "fit", text_or_null(value(form, "fit")));
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

/// Handles the events of the follow-ups section (see [`crate::track::listen`]).
pub fn handle(cx: Ctx, ev: Event, target: Element) {
    let Some(section) = target.closest(".pp-more").ok().flatten() else {
        return;
    };
    let t = cx.t;
    let act = target.get_attribute("data-act").unwrap_or_default();
    let form = target.closest("form").ok().flatten();
    let step = target.closest(".pp-step").ok().flatten();
    match (ev.type_().as_str(), act.as_str()) {
        ("input" | "change", _) => {
            // Mended: the mark and the message go as the shopper corrects the field.
            if target.get_attribute("aria-invalid").as_deref() == Some("true") {
                if let Some(group) = target.closest("fieldset, .pp-field").ok().flatten() {
                    for el in all(&group, "[aria-invalid=true]") {
                        mark(&el, "");
                    }
                }
            }
            if let Some(form) = form.filter(|f| f.id() == "pp-rf") {
                sync(&form);
            }
        }
        ("click", "m-open") => {
            let name = target.get_attribute("data-m").unwrap_or_default();
            if target.get_attribute("aria-expanded").as_deref() != Some("true") {
                cx.report("module_opened", Some(&name));
            }
            toggle(cx, &section, &name)
        }
        ("click", "m-skip") => {
            if let Some(form) = form {
                show(&form, false);
                focus(
                    form.next_element_sibling()
                        .and_then(|next| find(&next, "input"))
                        .or_else(|| find(&section, "[aria-expanded=true]")),
                );
            }
        }
        ("click", "m-start") => {
            if let Some(form) = find(&section, "#pp-rf") {
                show(&form, true);
                let _ = target.toggle_attribute_with_force("hidden", true);
                focus(find(&form, "select"));
            }
        }
        ("click", "m-next" | "m-back") => {
            if let (Some(form), Some(step)) = (form, step) {
                turn(cx, &form, &step, act == "m-next");
            }
        }
        ("submit", "m-send") => {
            ev.prevent_default();
            // Enter in a return step before the last one means "Next".
            let open = find(&target, ".pp-step:not([hidden])");
            match open.filter(|s| s.get_attribute("data-step").as_deref() != Some("4")) {
                Some(step) => turn(cx, &target, &step, true),
                None if check(t, &target) => {
                    let path = target.get_attribute("data-post").unwrap_or_default();
                    let body = body(&target, &path);
                    post(cx, section, target, path, body);
                }
                None => {}
            }
        }
        ("click", "m-cancel") => {
            let number = target.get_attribute("data-number").unwrap_or_default();
            let path = format!("returns/{}/cancel", js_sys::encode_uri_component(&number));
            post(cx, section, target, path, String::new());
        }
        ("click", "m-copy") => {
            cx.report("link_copied", None);
            let url = target.get_attribute("data-url").unwrap_or_default();
            let clipboard = get(&window().navigator(), "clipboard");
            let write = get(&clipboard, "writeText").dyn_into::<Function>().ok();
            let promise = write.and_then(|w| w.call1(&clipboard, &url.into()).ok());
            let note = find(
                &target
                    .closest(".pp-panel")
                    .ok()
                    .flatten()
                    .unwrap_or(section),
                ".pp-panel > .pp-notice",
            );
            spawn_local(async move {
                let copied = match promise {
                    Some(p) => JsFuture::from(js_sys::Promise::from(p)).await.is_ok(),
                    None => false,
                };
                let said = t.get(if copied {
                    Key::ReferralCopied
                } else {
                    Key::ReferralCopyFailed
                });
                if let Some(note) = note {
                    note.set_text_content(Some(said));
                }
            });
        }
        ("click", "m-share") => {
            let navigator = window().navigator();
            let data = Object::new();
            set(
                &data,
                "text",
                target.get_attribute("data-text").unwrap_or_default(),
            );
            set(
                &data,
                "url",
                target.get_attribute("data-url").unwrap_or_default(),
            );
            if let Ok(share) = get(&navigator, "share").dyn_into::<Function>() {
                if let Ok(p) = share.call1(&navigator, &data) {
                    // A shopper who closes the share sheet is no error, and shared nothing.
                    spawn_local(async move {
                        if JsFuture::from(js_sys::Promise::from(p)).await.is_ok() {
                            cx.report("shared", None);
                        }
                    });
                }
            }
        }
        _ => {}
    }
}

/// Posts `body` to `path` under the order's, `from` a form or button of a module's panel;
/// then draws the module anew from the answer (or, for returns, from a fresh load).
fn post(cx: Ctx, section: Element, from: Element, path: String, body: String) {
    let (t, Some(live)) = (cx.t, cx.live.try_get_value()) else {
        return;
    };
    let Some(panel) = from.closest(".pp-panel").ok().flatten() else {
        return;
    };
    let module = match path.split('/').next() {
        Some("returns") => "returns",
        Some("reviews") => "reviews",
        _ => "survey",
    };
    // One key per intended return: sent again after no answer, it makes one return.
    let key = match from.get_attribute("data-key") {
        Some(key) if from.get_attribute("data-body").as_deref() == Some(&body) => key,
        _ => new_key(),
    };
    attr(&from, "data-key", &key);
    attr(&from, "data-body", &body);
    let buttons = if from.tag_name() == "FORM" {
        all(&from, "button")
    } else {
        vec![from.clone()]
    };
    let submit = buttons
        .iter()
        .find(|b| b.get_attribute("type").as_deref() == Some("submit"))
        .cloned();
    let label = submit.as_ref().and_then(|b| b.text_content());
    for b in &buttons {
        attr(b, "disabled", "");
    }
    if let Some(b) = &submit {
        b.set_text_content(Some(t.get(Key::MoreSending)));
    }
    let url = format!("{}/{path}", live.url);
    spawn_local(async move {
        let result = send(&url, Some(body), &[("Idempotency-Key", &key)]).await;
        if live.stopped.get() {
            return;
        }
        for b in &buttons {
            let _ = b.remove_attribute("disabled");
        }
        if let (Some(b), Some(label)) = (&submit, label) {
            b.set_text_content(Some(&label));
        }
        let note = find(&from, ".pp-notice");
        let said = match result {
            Ok(answer) => {
                let focus_on = if module == "returns" {
                    let number: String =
                        crate::decode::field(&answer, "number").unwrap_or_default();
                    load(
                        cx,
                        panel.clone(),
                        "returns",
                        Some(format!("#pp-rt-{number}")),
                    );
                    if path == "returns" {
                        t.fill(Key::ReturnsDone, &number)
                    } else {
                        String::new()
                    }
                } else {
                    draw(cx, &panel, module, &answer);
                    focus(
                        find(&panel, "form input, form select")
                            .or_else(|| find(&section, "[aria-expanded=true]")),
                    );
                    t.get(if path == "preferences" {
                        Key::SurveySaved
                    } else {
                        Key::MoreThanks
                    })
                    .to_owned()
                };
                focus_on
            }
            Err(Some(refusal)) if refusal.code == "invalid_fields" && module != "returns" => {
                for name in &refusal.fields {
                    if let Some(el) = find(&from, &format!("[name=\"{name}\"]")) {
                        mark(&el, t.get(Key::MoreRequired));
                    }
                }
                focus(find(&from, "[aria-invalid=true]"));
                t.get(Key::ErrorFields).to_owned()
            }
            Err(Some(_)) => {
                // Answered or changed elsewhere, or no longer possible: show what is.
                load(cx, panel.clone(), module, None);
                if path == "returns" {
                    t.get(Key::ReturnsRefused).to_owned()
                } else {
                    String::new()
                }
            }
            Err(None) => {
                if let Some(note) = &note {
                    note.set_text_content(Some(t.get(Key::MoreError)));
                }
                return;
            }
        };
        if let Some(note) = note {
            note.set_text_content(Some(&said));
        }
        next_task().await;
        cx.said.set(said);
    });
}
