//! After the purchase: returns, reviews, the referral code and the short survey, each one
//! step away behind a disclosure button. What fits the order's stage leads and is open
//! (referral right after purchase, reviews once delivered); the rest stays one click away.
//!
//! Like the parcels, plain DOM: the section is built once, at the first order shown, and
//! moved into every later drawing of the card, so what the shopper typed stays where it
//! is. A module's data is fetched when it first opens. Its answers are read straight from
//! the parsed JSON; text only ever goes in as text. Forms are checked by the browser's own
//! constraints (`required`, `maxlength`), shown as our messages beside the fields.

use std::rc::Rc;

use js_sys::{Array, Function, Object, Reflect};
use leptos::prelude::*;
use leptos::task::spawn_local;
use postpurchase_api::{Module, OrderStage, OrderView};
use wasm_bindgen::{JsCast, JsValue, UnwrapThrowExt};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, Event, HtmlElement};

use crate::api::send;
use crate::decode::set;
use crate::i18n::{Key, Texts};
use crate::intl::Formats;
use crate::track::{add, attr, new_key, next_task};
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
const RETURN_STATUSES: [(&str, Key); 7] = [
    ("requested", Key::ReturnRequested),
    ("approved", Key::ReturnApproved),
    ("in_transit", Key::ReturnInTransit),
    ("received", Key::ReturnReceived),
    ("refunded", Key::ReturnRefunded),
    ("rejected", Key::ReturnRejected),
    ("cancelled", Key::ReturnCancelled),
];
const RESOLUTIONS: [(&str, Key); 3] = [
    ("refund", Key::ResolutionRefund),
    ("store_credit", Key::ResolutionStoreCredit),
    ("exchange", Key::ResolutionExchange),
];
const METHODS: [(&str, Key); 3] = [
    ("drop_off", Key::MethodDropOff),
    ("label", Key::MethodLabel),
    ("pickup_point", Key::MethodPickupPoint),
];
const FITS: [(&str, Key); 3] = [
    ("small", Key::FitSmall),
    ("true_to_size", Key::FitTrueToSize),
    ("large", Key::FitLarge),
];
const REVIEW_STATUSES: [(&str, Key); 3] = [
    ("pending", Key::ReviewsPending),
    ("published", Key::ReviewsPublished),
    ("rejected", Key::ReviewsRejected),
];
/// The return form's steps.
const STEPS: [Key; 5] = [
    Key::ReturnsItems,
    Key::ReturnsReasons,
    Key::ReturnsResolution,
    Key::ReturnsMethod,
    Key::ReturnsSummary,
];

fn lookup(table: &[(&str, Key)], name: &str) -> Option<Key> {
    table.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
}

// Reading the API's answers: a missing or mistyped field reads as empty.
fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).unwrap_or_default()
}

fn text(v: &JsValue, key: &str) -> String {
    get(v, key).as_string().unwrap_or_default()
}

fn num(v: &JsValue, key: &str) -> i64 {
    get(v, key).as_f64().unwrap_or_default() as i64
}

fn items(v: &JsValue) -> Vec<JsValue> {
    if Array::is_array(v) {
        Array::from(v).to_vec()
    } else {
        Vec::new()
    }
}

fn list(v: &JsValue, key: &str) -> Vec<JsValue> {
    items(&get(v, key))
}

fn find(scope: &Element, selector: &str) -> Option<Element> {
    scope.query_selector(selector).ok().flatten()
}

fn all(scope: &Element, selector: &str) -> Vec<Element> {
    let found = scope.query_selector_all(selector).ok();
    (0..found.as_ref().map_or(0, |f| f.length()))
        .filter_map(|i| found.as_ref()?.get(i)?.dyn_into().ok())
        .collect()
}

fn focus(el: Option<Element>) {
    if let Some(el) = el.and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
        let _ = el.focus();
    }
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

fn show(el: &Element, on: bool) {
    let _ = el.toggle_attribute_with_force("hidden", !on);
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

fn draw(cx: Ctx, panel: &Element, name: &str, data: &JsValue) {
    let Some(order) = cx.order() else {
        return;
    };
    let f = Formats::new(&cx.live.with_value(|l| l.locale.clone()), &order.currency);
    panel.set_text_content(None);
    attr(panel, "data-state", "ready");
    match name {
        "returns" => returns(cx.t, &f, &order, panel, data),
        "reviews" => reviews(cx.t, &f, panel, data),
        "referral" => referral(cx.t, &f, &order, panel, data),
        _ => survey(cx.t, &order, panel, data),
    }
}

// ---- Form parts, shared by every module ----

/// A form posting to `post` (a path under the order's); `id` prefixes its fields' ids.
fn form(parent: &Element, id: &str, post: &str) -> Element {
    let form = add(parent, "form", "pp-form", "");
    attr(&form, "id", id);
    attr(&form, "novalidate", "");
    attr(&form, "data-act", "m-send");
    attr(&form, "data-post", post);
    form
}

/// Ties a control to its error line (`<id>-e`).
fn tie(input: &Element, id: &str) {
    attr(input, "aria-describedby", &[id, "-e"].concat());
}

fn error(parent: &Element, id: &str) {
    attr(
        &add(parent, "p", "pp-error", ""),
        "id",
        &[id, "-e"].concat(),
    );
}

/// A labelled text field (a text area with `rows`), with its error line.
fn field(parent: &Element, id: &str, name: &str, label: &str, max: u32, rows: u32, need: bool) {
    let id = [id, "-", name].concat();
    let wrap = add(parent, "div", "pp-field", "");
    attr(&add(&wrap, "label", "", label), "for", &id);
    let input = add(&wrap, if rows > 0 { "textarea" } else { "input" }, "", "");
    attr(&input, "id", &id);
    attr(&input, "name", name);
    attr(&input, "maxlength", &max.to_string());
    if rows > 0 {
        attr(&input, "rows", &rows.to_string());
    } else {
        attr(&input, "type", "text");
    }
    if need {
        attr(&input, "required", "");
    }
    tie(&input, &id);
    error(&wrap, &id);
}

/// A group of radio buttons (`kind` "radio") or checkboxes with its legend and error line.
/// Checkboxes are named by their value; `checked` lists the values ticked.
fn group(
    parent: &Element,
    id: &str,
    name: &str,
    legend: &str,
    kind: &str,
    options: &[(String, String)],
    checked: &[&str],
) -> Element {
    let id = [id, "-", name].concat();
    let set = add(parent, "fieldset", "pp-fieldset", "");
    add(&set, "legend", "", legend);
    for (value, label) in options {
        let wrap = add(&set, "label", "pp-option", "");
        let input = add(&wrap, "input", "", "");
        attr(&input, "type", kind);
        // An id, so a redraw of the card gives the keyboard back here.
        attr(&input, "id", &[&id, "-", value].concat());
        if kind == "radio" {
            attr(&input, "name", name);
            attr(&input, "value", value);
            attr(&input, "required", "");
        } else {
            attr(&input, "name", value);
        }
        if checked.contains(&value.as_str()) {
            attr(&input, "checked", "");
        }
        tie(&input, &id);
        add(&wrap, "span", "", label);
    }
    error(&set, &id);
    set
}

/// A labelled list to choose from, the first option (`""`) saying nothing is chosen yet.
fn select(parent: &Element, id: &str, name: &str, label: &str, options: &[(String, String)]) {
    let id = [id, "-", name].concat();
    let wrap = add(parent, "div", "pp-field", "");
    attr(&add(&wrap, "label", "", label), "for", &id);
    let input = add(&wrap, "select", "", "");
    attr(&input, "id", &id);
    attr(&input, "name", name);
    attr(&input, "required", "");
    tie(&input, &id);
    for (value, text) in options {
        attr(&add(&input, "option", "", text), "value", value);
    }
    error(&wrap, &id);
}

fn button(parent: &Element, text: &str, act: &str, kind: &str) -> Element {
    let class = if kind == "submit" {
        "pp-button"
    } else {
        "pp-button pp-button-quiet"
    };
    let b = add(parent, "button", class, text);
    attr(&b, "type", kind);
    attr(&b, "part", "button");
    attr(&b, "data-act", act);
    b
}

/// A form's status line and its buttons: `send`, and "Not now" when it can be skipped.
fn actions(t: Texts, form: &Element, send: Key, skip: bool) -> Element {
    attr(&add(form, "p", "pp-notice", ""), "role", "status");
    let row = add(form, "p", "pp-actions", "");
    button(&row, t.get(send), "", "submit");
    if skip {
        button(&row, t.get(Key::MoreSkip), "m-skip", "button");
    }
    row
}

fn options(values: impl IntoIterator<Item = (String, String)>) -> Vec<(String, String)> {
    values.into_iter().collect()
}

/// Marks the controls in `scope` that the browser finds wanting (required, too long), each
/// with the message for its kind, and gives the keyboard to the first; true when none.
fn check(t: Texts, scope: &Element) -> bool {
    let bad = all(scope, "input:invalid,select:invalid,textarea:invalid");
    for el in &bad {
        let radio = get(el, "type").as_string().as_deref() == Some("radio");
        mark(
            el,
            t.get(if radio {
                Key::MoreChoose
            } else {
                Key::MoreRequired
            }),
        );
    }
    focus(bad.first().cloned());
    bad.is_empty()
}

fn mark(el: &Element, message: &str) {
    attr(
        el,
        "aria-invalid",
        if message.is_empty() { "false" } else { "true" },
    );
    if let (Some(id), Some(panel)) = (
        el.get_attribute("aria-describedby"),
        el.closest(".pp-panel").ok().flatten(),
    ) {
        if let Some(line) = find(&panel, &["#", &id].concat()) {
            line.set_text_content(Some(message));
        }
    }
}

// ---- The modules ----

fn survey(t: Texts, order: &OrderView, panel: &Element, data: &JsValue) {
    let yes = |key| get(data, key).as_bool() == Some(true);
    if yes("ask_nps") {
        let f = form(panel, "pp-nps", "survey/nps");
        let set = group(
            &f,
            "pp-nps",
            "score",
            &t.fill(Key::SurveyNps, &order.shop.name),
            "radio",
            &options((0..=10).map(|n| (n.to_string(), n.to_string()))),
            &[],
        );
        set.set_class_name("pp-fieldset pp-scale");
        let scale = add(&set, "p", "pp-sub", t.get(Key::SurveyNpsScale));
        let _ = set.insert_before(&scale, set.children().item(1).as_ref().map(|e| e.as_ref()));
        field(
            &f,
            "pp-nps",
            "comment",
            t.get(Key::SurveyComment),
            1000,
            3,
            false,
        );
        actions(t, &f, Key::MoreSend, true);
    }
    if yes("ask_heard") {
        let f = form(panel, "pp-heard", "survey/heard");
        let mut choices = options(list(data, "heard_options").iter().map(|o| {
            let o = o.as_string().unwrap_or_default();
            (o.clone(), o)
        }));
        choices.push(("other".into(), t.get(Key::SurveyOther).into()));
        group(
            &f,
            "pp-heard",
            "option",
            t.get(Key::SurveyHeard),
            "radio",
            &choices,
            &[],
        );
        field(
            &f,
            "pp-heard",
            "other",
            t.get(Key::SurveyOtherWords),
            200,
            0,
            false,
        );
        actions(t, &f, Key::MoreSend, true);
    }
    let f = form(panel, "pp-prefs", "preferences");
    let now = get(data, "preferences");
    let on: Vec<&str> = ["email", "sms"]
        .into_iter()
        .filter(|k| get(&now, k).as_bool() == Some(true))
        .collect();
    group(
        &f,
        "pp-prefs",
        "channels",
        t.get(Key::SurveyPreferences),
        "checkbox",
        &options([
            ("email".into(), t.get(Key::SurveyEmail).into()),
            ("sms".into(), t.get(Key::SurveySms).into()),
        ]),
        &on,
    );
    actions(t, &f, Key::SurveySave, false);
}

fn reviews(t: Texts, formats: &Formats, panel: &Element, data: &JsValue) {
    for item in items(data) {
        let line = num(&item, "line_id").to_string();
        let name = text(&item, "name");
        let wrap = add(panel, "div", "pp-review", "");
        attr(&wrap, "part", "review");
        add(&wrap, "h5", "pp-subheading", &name);
        let review = get(&item, "review");
        if review.is_object() {
            let stars = num(&review, "stars").clamp(0, 5) as usize;
            let rated = add(&wrap, "p", "pp-rated", "");
            attr(
                &add(
                    &rated,
                    "span",
                    "",
                    &["★".repeat(stars), "☆".repeat(5 - stars)].concat(),
                ),
                "aria-hidden",
                "true",
            );
            add(
                &rated,
                "span",
                "",
                &[" ", &t.fill(Key::ReviewsRated, &stars.to_string())].concat(),
            );
            // Exactly as typed: text nodes, never markup.
            add(&wrap, "p", "pp-review-title", &text(&review, "title"));
            add(&wrap, "p", "pp-review-body", &text(&review, "body"));
            if let Some(fit) = lookup(&FITS, &text(&review, "fit")) {
                add(&wrap, "p", "pp-note", t.get(fit));
            }
            if get(&review, "verified_buyer").as_bool() == Some(true) {
                attr(
                    &add(&wrap, "p", "pp-badge", t.get(Key::ReviewsVerified)),
                    "part",
                    "badge",
                );
            }
            if let Some(status) = lookup(&REVIEW_STATUSES, &text(&review, "status")) {
                add(&wrap, "p", "pp-note", t.get(status));
            }
        } else if get(&item, "delivered").as_bool() != Some(true) {
            add(&wrap, "p", "pp-note", t.get(Key::ReviewsLater));
        } else {
            let id = ["pp-rv", &line].concat();
            let f = form(&wrap, &id, "reviews");
            attr(&f, "data-line", &line);
            attr(&f, "aria-label", &t.fill(Key::ReviewsWrite, &name));
            let set = group(
                &f,
                &id,
                "stars",
                t.get(Key::ReviewsStars),
                "radio",
                &options((1..=5).map(|n| {
                    let key = if formats.one(n) {
                        Key::ReviewsStarOne
                    } else {
                        Key::ReviewsStarOther
                    };
                    (n.to_string(), t.fill(key, &n.to_string()))
                })),
                &[],
            );
            set.set_class_name("pp-fieldset pp-scale pp-stars");
            if get(&item, "sized").as_bool() == Some(true) {
                let fits = options(FITS.iter().map(|(v, k)| ((*v).into(), t.get(*k).into())));
                let set = group(&f, &id, "fit", t.get(Key::ReviewsFit), "radio", &fits, &[]);
                // The fit is optional.
                for input in all(&set, "input") {
                    let _ = input.remove_attribute("required");
                }
            }
            field(&f, &id, "title", t.get(Key::ReviewsHeadline), 100, 0, true);
            field(&f, &id, "body", t.get(Key::ReviewsBody), 2000, 4, true);
            actions(t, &f, Key::MoreSend, false);
        }
    }
}

/// A reward in words: "€10.00 off", "10% off", "€15.00 store credit".
fn reward(t: Texts, f: &Formats, r: &JsValue) -> String {
    let value = num(r, "value");
    match text(r, "kind").as_str() {
        "percent_off" => t.fill(Key::RewardPercentOff, &value.to_string()),
        "store_credit" => t.fill(Key::RewardStoreCredit, &f.money(value)),
        _ => t.fill(Key::RewardAmountOff, &f.money(value)),
    }
}

fn referral(t: Texts, f: &Formats, order: &OrderView, panel: &Element, data: &JsValue) {
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

fn returns(t: Texts, f: &Formats, order: &OrderView, panel: &Element, data: &JsValue) {
    let name_of = |line: i64| {
        order
            .items
            .iter()
            .find(|i| i.id == line)
            .map(|i| i.name.clone())
            .unwrap_or_default()
    };
    // The returns made so far, newest first.
    for r in list(data, "returns").iter().rev() {
        let number = text(r, "number");
        let status = text(r, "status");
        let wrap = add(panel, "div", "pp-return", "");
        attr(&wrap, "part", "return");
        let head = add(
            &wrap,
            "h5",
            "pp-subheading",
            &t.fill(Key::ReturnsNumber, &number),
        );
        attr(&head, "id", &["pp-rt-", &number].concat());
        attr(&head, "tabindex", "-1");
        if let Some(key) = lookup(&RETURN_STATUSES, &status) {
            add(&wrap, "p", "pp-status", t.get(key));
        }
        let goods = add(&wrap, "ul", "pp-list", "");
        for i in list(r, "items") {
            add(
                &goods,
                "li",
                "",
                &t.fill_with(
                    Key::ParcelItem,
                    &[
                        ("name", &name_of(num(&i, "line_id"))),
                        ("count", &num(&i, "quantity").to_string()),
                    ],
                ),
            );
        }
        add(
            &wrap,
            "p",
            "",
            &amount(
                t,
                f,
                &text(r, "resolution"),
                num(r, "refund"),
                num(r, "bonus"),
            ),
        );
        if !matches!(status.as_str(), "requested" | "approved") {
            continue;
        }
        if let Some(key) = lookup(&METHODS, &text(r, "method")) {
            add(&wrap, "p", "pp-note", t.get(key));
        }
        let qr = text(r, "qr_code_url");
        if is_image_url(&qr) {
            let img = add(&wrap, "img", "pp-qr", "");
            for (k, v) in [
                ("src", qr.as_str()),
                ("alt", &t.fill(Key::ReturnsQr, &number)),
                ("width", "160"),
                ("height", "160"),
            ] {
                attr(&img, k, v);
            }
        }
        let row = add(&wrap, "p", "pp-actions", "");
        let label = text(r, "label_url");
        if is_web_url(&label) {
            let link = add(
                &row,
                "a",
                "pp-button pp-button-quiet",
                t.get(Key::ReturnsLabel),
            );
            attr(&link, "href", &label);
            attr(&link, "target", "_blank");
            attr(&link, "part", "button");
        }
        attr(
            &button(&row, t.get(Key::ReturnsCancel), "m-cancel", "button"),
            "data-number",
            &number,
        );
    }
    // Each item: whether it can go back, and why not.
    let lines = list(data, "lines");
    let list_el = add(panel, "ul", "pp-list pp-returnable", "");
    let mut open = Vec::new();
    for l in &lines {
        let li = add(&list_el, "li", "", &text(l, "name"));
        let why = match text(l, "reason").as_str() {
            "not_delivered" => Some(Key::ReturnsNotDelivered),
            "final_sale" => Some(Key::ReturnsFinalSale),
            "window_closed" => Some(Key::ReturnsWindowClosed),
            "all_returned" => Some(Key::ReturnsAllReturned),
            _ => None,
        };
        let note = match why {
            Some(key) if num(l, "quantity") == 0 => t.get(key).to_owned(),
            _ => {
                open.push(l.clone());
                t.fill(Key::ReturnsUntil, &f.day(&text(l, "window_closes_at")))
            }
        };
        add(&li, "span", "pp-sub", &note);
    }
    if open.is_empty() {
        return;
    }
    let row = add(panel, "p", "pp-actions", "");
    button(&row, t.get(Key::ReturnsStart), "m-start", "button");
    // The steps, one form: going back and forth keeps every answer.
    let id = "pp-rf";
    let f_el = form(panel, id, "returns");
    show(&f_el, false);
    let bonus = num(data, "store_credit_bonus");
    attr(&f_el, "data-bonus", &bonus.to_string());
    let choose = || (String::new(), String::new());
    for (n, step) in STEPS.iter().enumerate() {
        let set = add(&f_el, "fieldset", "pp-fieldset pp-step", "");
        attr(&set, "data-step", &n.to_string());
        show(&set, n == 0);
        add(
            &set,
            "legend",
            "",
            &t.fill_with(
                Key::ReturnsStep,
                &[("n", &(n + 1).to_string()), ("name", t.get(*step))],
            ),
        );
        for l in &open {
            let line = num(l, "line_id").to_string();
            let name = text(l, "name");
            // Parts about one line sit in their own fieldset, switched off (and so never
            // checked nor sent) while the line is not chosen.
            let part = if n == 0 {
                set.clone()
            } else {
                let part = add(&set, "fieldset", "pp-fieldset", "");
                attr(&part, "data-line", &line);
                attr(&part, "disabled", "");
                show(&part, false);
                part
            };
            match n {
                0 => select(
                    &part,
                    id,
                    &["q", &line].concat(),
                    &t.fill(Key::ReturnsQuantity, &name),
                    &options((0..=num(l, "quantity")).map(|q| (q.to_string(), q.to_string()))),
                ),
                1 => {
                    let mut reasons = vec![choose()];
                    reasons.extend(list(data, "reasons").iter().map(|r| {
                        let r = r.as_string().unwrap_or_default();
                        (r.clone(), r)
                    }));
                    select(
                        &part,
                        id,
                        &["r", &line].concat(),
                        &t.fill(Key::ReturnsReason, &name),
                        &reasons,
                    );
                    field(
                        &part,
                        id,
                        &["c", &line].concat(),
                        t.get(Key::ReturnsComment),
                        500,
                        2,
                        false,
                    );
                }
                2 => {
                    let mut variants = vec![choose()];
                    variants.extend(
                        list(l, "exchange_options")
                            .iter()
                            .filter(|o| get(o, "in_stock").as_bool() == Some(true))
                            .map(|o| (text(o, "sku"), text(o, "variant"))),
                    );
                    attr(&part, "data-variants", &(variants.len() - 1).to_string());
                    select(
                        &part,
                        id,
                        &["x", &line].concat(),
                        &t.fill(Key::ReturnsVariant, &name),
                        &variants,
                    );
                }
                _ => {}
            }
        }
        match n {
            0 => error(&set, "pp-rf-items"),
            2 => {
                let credit = if bonus > 0 {
                    t.fill(Key::ResolutionStoreCreditBonus, &bonus.to_string())
                } else {
                    t.get(Key::ResolutionStoreCredit).to_owned()
                };
                let choices = options(RESOLUTIONS.iter().map(|(v, k)| {
                    let label = if *v == "store_credit" {
                        credit.clone()
                    } else {
                        t.get(*k).to_owned()
                    };
                    ((*v).to_owned(), label)
                }));
                let group_el = group(
                    &set,
                    id,
                    "resolution",
                    t.get(Key::ReturnsResolution),
                    "radio",
                    &choices,
                    &[],
                );
                // The choice comes before the variants it may ask for.
                let _ = set.insert_before(
                    &group_el,
                    set.children().item(1).as_ref().map(|e| e.as_ref()),
                );
            }
            3 => {
                let choices = options(METHODS.iter().map(|(v, k)| ((*v).into(), t.get(*k).into())));
                group(
                    &set,
                    id,
                    "method",
                    t.get(Key::ReturnsMethod),
                    "radio",
                    &choices,
                    &[],
                );
            }
            4 => attr(&add(&set, "div", "pp-summary", ""), "tabindex", "-1"),
            _ => {}
        }
        if n == 4 {
            let row = actions(t, &set, Key::ReturnsConfirm, false);
            button(&row, t.get(Key::ReturnsBack), "m-back", "button");
        } else {
            let row = add(&set, "p", "pp-actions", "");
            button(&row, t.get(Key::ReturnsNext), "m-next", "button").set_class_name("pp-button");
            if n > 0 {
                button(&row, t.get(Key::ReturnsBack), "m-back", "button");
            }
        }
    }
}

/// What a return brings, in words.
fn amount(t: Texts, f: &Formats, resolution: &str, refund: i64, bonus: i64) -> String {
    match resolution {
        "store_credit" => t.fill_with(
            Key::ReturnsCredit,
            &[
                ("amount", &f.money(refund + bonus)),
                ("bonus", &f.money(bonus)),
            ],
        ),
        "exchange" => t.get(Key::ReturnsSwap).to_owned(),
        _ => t.fill(Key::ReturnsRefund, &f.money(refund)),
    }
}

/// The return form's lines, as `(line id, quantity chosen)`.
fn chosen(form: &Element) -> Vec<(String, i64)> {
    all(form, "select[name^=q]")
        .iter()
        .map(|s| {
            let name = s.get_attribute("name").unwrap_or_default();
            let q = get(s, "value")
                .as_string()
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            (name.trim_start_matches('q').to_owned(), q)
        })
        .filter(|(_, q)| *q > 0)
        .collect()
}

/// Switches the return form's per-line parts on for the lines chosen (variants only for
/// an exchange), and offers an exchange only when every chosen line has a variant in stock.
fn sync(form: &Element) {
    let lines = chosen(form);
    let exchange = value(form, "resolution") == "exchange";
    let mut swappable = true;
    for part in all(form, "fieldset[data-line]") {
        let line = part.get_attribute("data-line").unwrap_or_default();
        let on = lines.iter().any(|(l, _)| *l == line);
        let variants = part.get_attribute("data-variants");
        if on && variants.as_deref() == Some("0") {
            swappable = false;
        }
        let on = on && (variants.is_none() || exchange);
        let _ = part.toggle_attribute_with_force("disabled", !on);
        show(&part, on);
    }
    if let Some(radio) = find(form, "[value=exchange]") {
        let _ = radio.toggle_attribute_with_force("disabled", !swappable);
    }
}

/// The summary step: what goes back, why, how, and what the shopper gets.
fn summarize(cx: Ctx, form: &Element) {
    let (t, Some(order)) = (cx.t, cx.order()) else {
        return;
    };
    let f = Formats::new(&cx.live.with_value(|l| l.locale.clone()), &order.currency);
    let Some(out) = find(form, ".pp-summary") else {
        return;
    };
    out.set_text_content(None);
    let goods = add(&out, "ul", "pp-list", "");
    let mut refund = 0;
    for (line, q) in chosen(form) {
        let item = order.items.iter().find(|i| i.id.to_string() == line);
        refund += item.map_or(0, |i| i.unit_price) * q;
        let name = item.map(|i| i.name.as_str()).unwrap_or_default();
        let words = t.fill_with(
            Key::ParcelItem,
            &[("name", name), ("count", &q.to_string())],
        );
        add(
            &goods,
            "li",
            "",
            &[words, value(form, &["r", &line].concat())].join(" · "),
        );
    }
    let resolution = value(form, "resolution");
    let bonus: i64 = form
        .get_attribute("data-bonus")
        .and_then(|b| b.parse().ok())
        .unwrap_or(0);
    for key in [
        lookup(&RESOLUTIONS, &resolution),
        lookup(&METHODS, &value(form, "method")),
    ]
    .into_iter()
    .flatten()
    {
        add(&out, "p", "", t.get(key));
    }
    let extra = if resolution == "store_credit" {
        refund * bonus / 100
    } else {
        0
    };
    add(
        &out,
        "p",
        "pp-stage",
        &amount(t, &f, &resolution, refund, extra),
    );
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
        ("click", "m-open") => toggle(
            cx,
            &section,
            &target.get_attribute("data-m").unwrap_or_default(),
        ),
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
                    // A shopper who closes the share sheet is no error.
                    spawn_local(async move {
                        let _ = JsFuture::from(js_sys::Promise::from(p)).await;
                    });
                }
            }
        }
        _ => {}
    }
}

/// Moves the return form a step forward (when the step's answers are complete) or back.
fn turn(cx: Ctx, form: &Element, step: &Element, forward: bool) {
    let t = cx.t;
    if forward {
        let none = chosen(form).is_empty();
        if let Some(line) = find(step, "#pp-rf-items-e") {
            line.set_text_content(Some(if none { t.get(Key::ReturnsPickOne) } else { "" }));
            if none {
                focus(find(step, "select"));
                return;
            }
        }
        if !check(t, step) {
            return;
        }
    }
    sync(form);
    let next = if forward {
        step.next_element_sibling()
    } else {
        step.previous_element_sibling()
    };
    let Some(next) = next.filter(|n| n.has_attribute("data-step")) else {
        return;
    };
    if next.get_attribute("data-step").as_deref() == Some("4") {
        summarize(cx, form);
    }
    show(step, false);
    show(&next, true);
    focus(find(
        &next,
        "input:not(:disabled),select:not(:disabled),.pp-summary",
    ));
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
                    let number = text(&answer, "number");
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
