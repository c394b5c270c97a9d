//! The parcels of an order: where each one is, what is in it, and how the shopper wants it
//! delivered. The rules live in [`crate::parcels`]; this is what the shopper sees.
//!
//! Built as plain DOM rather than leptos views: one small builder call per element keeps
//! this part of the bundle a fraction of what generic view code costs. Text only ever goes
//! in as text; events reach one listener on the widget's root (see [`listen`]), and a form
//! is repainted from its [`Draft`], which survives re-renders of the card.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use postpurchase_api::{
    ChoiceKind, ChoiceLock, DelayReason, DeliveryChoice, DeliveryOptions, OrderView,
    ShipmentStatus, ShipmentSummary, SAFE_PLACES,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event};

use crate::api::{choice_body, post_choice};
use crate::dom::{add, all, attr, find, focus as focus_on};
use crate::i18n::{Key, Texts};
use crate::intl::Formats;
use crate::is_web_url;
use crate::parcels::*;
use crate::view::{Ctx, Live, Note};

/// The id of field `i` of a parcel's form; with `e`, of its error message.
fn id(sid: i64, i: usize, suffix: &str) -> String {
    format!("pp{sid}-{i}{suffix}")
}

fn item(t: Texts, name: &str, count: u32) -> String {
    t.fill_with(
        Key::ParcelItem,
        &[("name", name), ("count", &count.to_string())],
    )
}

fn status(t: Texts, status: ShipmentStatus) -> &'static str {
    t.get(STATUS_KEYS[status as usize])
}

/// The parcels section, into `host` (a directive of the card); nothing before the first
/// parcel leaves.
pub fn parcels(host: Element, (cx, order): (Ctx, Rc<OrderView>)) {
    let (t, order, host) = (cx.t, &*order, &host);
    // A new version of the order re-runs this on the same element.
    host.set_text_content(None);
    let count = order.shipments.len();
    if count == 0 {
        return;
    }
    let f = cx.formats(&order.currency);
    let section = add(host, "section", "pp-section", "");
    attr(&section, "part", "parcels");
    attr(&section, "aria-labelledby", "pp-parcels");
    attr(
        &add(&section, "h3", "pp-heading", t.get(Key::ParcelsTitle)),
        "id",
        "pp-parcels",
    );
    if count > 1 {
        let shipped = shipped(&order.shipments).to_string();
        let total = count.to_string();
        let text = t.fill_with(
            Key::ParcelsShipped,
            &[("shipped", &shipped), ("total", &total)],
        );
        add(&section, "p", "pp-note", &text);
    }
    let list = add(&section, "ol", "pp-parcels", "");
    attr(&list, "role", "list");
    for (n, s) in order.shipments.iter().enumerate() {
        parcel(cx, &f, order, n, s, &list);
    }
    let waiting = unshipped(order);
    if !waiting.is_empty() {
        add(&section, "h4", "pp-subheading", t.get(Key::ParcelsWaiting));
        let list = add(&section, "ul", "pp-list", "");
        for (name, n) in waiting {
            add(&list, "li", "", &item(t, name, n));
        }
    }
}

fn parcel(cx: Ctx, f: &Formats, order: &OrderView, n: usize, s: &ShipmentSummary, list: &Element) {
    let t = cx.t;
    let li = add(list, "li", "pp-parcel", "");
    attr(&li, "part", "parcel");
    attr(&li, "data-status", s.status.as_str());
    add(
        &li,
        "h4",
        "pp-subheading",
        &t.fill(Key::ParcelTitle, &(n + 1).to_string()),
    );
    let carrier = s.carrier_name.as_str();
    let tracking = t.fill_with(
        Key::ParcelTracking,
        &[("carrier", carrier), ("number", &s.tracking_number)],
    );
    let line = add(&li, "p", "pp-note", "");
    match s.tracking_url.as_deref().filter(|u| is_web_url(u)) {
        Some(url) => attr(&add(&line, "a", "", &tracking), "href", url),
        None => line.set_text_content(Some(&tracking)),
    }
    let line = add(&li, "p", "pp-status", "");
    add(&line, "strong", "", status(t, s.status));
    if let Some(to) = s
        .delivered_to
        .filter(|_| s.status == ShipmentStatus::Delivered)
    {
        add(
            &line,
            "span",
            "",
            &[" · ", t.get(DELIVERED_KEYS[to as usize])].concat(),
        );
    }
    // Said by the server, not the carrier: late, or no news for days.
    if let Some(reason) = s.delay_reason {
        let says = match reason {
            DelayReason::Late => Key::ParcelLate,
            DelayReason::NoNews => Key::ParcelNoNews,
        };
        add(&li, "p", "pp-note", t.get(says));
    }
    if let Some(text) = &s.carrier_text {
        let says = t.fill_with(
            Key::ParcelCarrierSays,
            &[("carrier", carrier), ("text", text)],
        );
        add(&li, "p", "pp-note", &says);
    }
    let underway = !matches!(
        s.status,
        ShipmentStatus::Delivered | ShipmentStatus::Cancelled | ShipmentStatus::ReturnToSender
    );
    if let Some(w) = s.estimated_delivery.as_ref().filter(|_| underway) {
        add(
            &li,
            "p",
            "",
            &t.fill(Key::ParcelExpected, &f.moments(&w.from, &w.to)),
        );
    }
    let items = add(&li, "ul", "pp-list", "");
    for i in &s.items {
        if let Some(line) = order.items.iter().find(|l| l.id == i.line_id) {
            add(&items, "li", "", &item(t, &line.name, i.quantity));
        }
    }
    // The latest event in sight, the others one step away.
    let mut events = li.clone();
    for (k, e) in s.events.iter().enumerate() {
        if k < 2 {
            if k == 1 {
                events = add(&li, "details", "pp-history", "");
                add(&events, "summary", "", t.get(Key::ParcelHistory));
            }
            events = add(&events, "ol", "pp-events", "");
        }
        let event = add(&events, "li", "", "");
        let time = add(
            &event,
            "time",
            "",
            &f.moments(&e.occurred_at, &e.occurred_at),
        );
        attr(&time, "datetime", &e.occurred_at);
        let what = e.text.as_deref().unwrap_or(status(t, e.status));
        let words: Vec<&str> = [e.location.as_deref(), Some(what)]
            .into_iter()
            .flatten()
            .collect();
        add(&event, "span", "", &[" ", &words.join(" · ")].concat());
    }
    let area = add(&li, "div", "pp-choice", "");
    attr(&area, "part", "choice");
    attr(&area, "data-sid", &s.id.to_string());
    let current = s.choice.as_ref().map(|c| {
        t.fill(
            Key::ChoiceCurrent,
            &describe(t, f, order.delivery_options.as_ref(), c),
        )
    });
    let when = |instant: &String| f.moments(instant, instant);
    let lock = s.locked.map(|l| match (l, &s.changeable_until) {
        (ChoiceLock::CutOff, Some(until)) => t.fill(Key::LockCutOffAt, &when(until)),
        _ => t.get(LOCK_KEYS[l as usize]).to_owned(),
    });
    let open = s.locked.is_none() && order.delivery_options.is_some();
    let until = s
        .changeable_until
        .as_ref()
        .filter(|_| open)
        .map(|u| t.fill(Key::ChoiceUntil, &when(u)));
    for line in [current, lock, until].into_iter().flatten() {
        add(&area, "p", "", &line);
    }
    attr(&add(&area, "p", "pp-notice", ""), "role", "status");
    add(&area, "div", "", "");
    paint(cx, f, order, s, &area);
}

/// A delivery choice in words.
fn describe(t: Texts, f: &Formats, o: Option<&DeliveryOptions>, c: &DeliveryChoice) -> String {
    let on = |date: String| t.fill(Key::ShowOn, &date);
    match c.kind {
        ChoiceKind::Slot => o
            .and_then(|o| o.slots.iter().find(|s| Some(s.id) == c.slot_id))
            .map(|s| on(f.slot(&s.date, &s.from, &s.to))),
        ChoiceKind::AnotherDay => c.date.as_deref().map(|d| on(f.window(d, d))),
        ChoiceKind::Neighbour => c.neighbour.as_ref().map(|n| {
            t.fill_with(
                Key::ShowNeighbour,
                &[("name", &n.name), ("number", &n.house_number)],
            )
        }),
        ChoiceKind::SafePlace => c.safe_place.as_ref().map(|s| {
            let place = s
                .place
                .as_deref()
                .and_then(|p| SAFE_PLACES.iter().position(|x| *x == p))
                .map(|i| t.get(PLACE_KEYS[i]));
            let words: Vec<&str> = [place, s.instruction.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            t.fill(Key::ShowSafePlace, &words.join(" · "))
        }),
        ChoiceKind::PickupPoint => o
            .and_then(|o| {
                o.pickup_points
                    .iter()
                    .find(|p| Some(p.id) == c.pickup_point_id)
            })
            .map(|p| t.fill(Key::ShowPickupPoint, &p.name)),
    }
    .unwrap_or_else(|| t.get(KIND_KEYS[c.kind as usize]).to_owned())
}

/// What a parcel's form offers: the shop's options within the parcel's dates, none while
/// its choice is locked. Without `labels` only which options there are, not their words
/// (a closed form shows none, and formatting every slot is the costly part).
fn offer(
    t: Texts,
    f: &Formats,
    order: &OrderView,
    s: &ShipmentSummary,
    labels: bool,
) -> ChoiceForm {
    let mut form = ChoiceForm {
        shipment: s.id,
        etag: s.choice_etag.clone(),
        dates: s
            .delivery_dates
            .as_ref()
            .map(|w| (w.earliest.clone(), w.latest.clone())),
        ..ChoiceForm::default()
    };
    let Some(o) = order
        .delivery_options
        .as_ref()
        .filter(|_| s.locked.is_none())
    else {
        return form;
    };
    form.slots = o
        .slots
        .iter()
        .filter(|x| within(&x.date, form.dates.as_ref()))
        .map(|x| {
            let full = x.places_left == 0;
            let price = x.price.filter(|p| *p > 0 && labels);
            Pick {
                value: x.id.to_string(),
                label: if labels {
                    f.slot(&x.date, &x.from, &x.to)
                } else {
                    String::new()
                },
                lines: [
                    price.map(|p| t.fill(Key::SlotPrice, &f.money(p))),
                    (full && labels).then(|| t.get(Key::SlotFull).to_owned()),
                ]
                .into_iter()
                .flatten()
                .collect(),
                disabled: full,
            }
        })
        .collect();
    form.places = o
        .safe_places
        .iter()
        .filter_map(|code| {
            let i = SAFE_PLACES.iter().position(|p| p == code)?;
            Some(Pick {
                value: code.clone(),
                label: t.get(PLACE_KEYS[i]).to_owned(),
                ..Pick::default()
            })
        })
        .collect();
    form.points = o
        .pickup_points
        .iter()
        .map(|p| {
            let mut kind = t
                .get(if p.locker {
                    Key::PointLocker
                } else {
                    Key::PointPickup
                })
                .to_owned();
            if let Some(m) = p.distance_m.filter(|_| labels) {
                kind = [kind, t.fill(Key::PointDistance, &f.distance(m))].join(" · ");
            }
            let mut lines = vec![kind, p.address.clone()];
            lines.extend(p.opening_hours.iter().cloned());
            Pick {
                value: p.id.to_string(),
                label: p.name.clone(),
                lines,
                disabled: false,
            }
        })
        .collect();
    form.offer(o.neighbour);
    form
}

/// A form being painted: the parcel, what the shopper entered, what is wrong.
struct Paint {
    t: Texts,
    sid: i64,
    entries: Entries,
    wrong: u16,
}

impl Paint {
    fn bad(&self, i: usize) -> bool {
        self.wrong >> i & 1 == 1
    }

    /// Ties `input` to field `i` and its error message.
    fn mark(&self, input: &Element, i: usize) {
        attr(input, "data-act", "field");
        attr(input, "data-i", &i.to_string());
        attr(input, "aria-describedby", &id(self.sid, i, "e"));
        attr(
            input,
            "aria-invalid",
            if self.bad(i) { "true" } else { "false" },
        );
    }

    /// Field `i`'s error message, empty while it is fine.
    fn error(&self, parent: &Element, i: usize) {
        let message = if self.bad(i) {
            self.t.get(FIELDS[i].2)
        } else {
            ""
        };
        attr(
            &add(parent, "p", "pp-error", message),
            "id",
            &id(self.sid, i, "e"),
        );
    }

    /// A radio button or checkbox with its label and further lines.
    fn option(
        &self,
        parent: &Element,
        kind: &str,
        name: &str,
        value: &str,
        label: &str,
        lines: &[String],
    ) -> Element {
        let wrap = add(parent, "label", "pp-option", "");
        let input = add(&wrap, "input", "", "");
        attr(&input, "type", kind);
        attr(&input, "name", name);
        attr(&input, "value", value);
        attr(&input, "id", &[name, "-", value].concat());
        let text = add(&wrap, "span", "", label);
        for line in lines {
            add(&text, "span", "pp-sub", line);
        }
        input
    }

    fn pick(&self, form: &Element, i: usize, picks: &[Pick]) {
        let set = add(form, "fieldset", "pp-fieldset", "");
        add(&set, "legend", "", self.t.get(FIELDS[i].1));
        for p in picks {
            let input = self.option(
                &set,
                "radio",
                &id(self.sid, i, ""),
                &p.value,
                &p.label,
                &p.lines,
            );
            if p.value == self.entries[i] {
                attr(&input, "checked", "");
            }
            if p.disabled {
                attr(&input, "disabled", "");
            }
            self.mark(&input, i);
        }
        self.error(&set, i);
    }

    fn text(
        &self,
        form: &Element,
        i: usize,
        kind: &str,
        max: &str,
        range: Option<&(String, String)>,
    ) {
        let wrap = add(form, "div", "pp-field", "");
        attr(
            &add(&wrap, "label", "", self.t.get(FIELDS[i].1)),
            "for",
            &id(self.sid, i, ""),
        );
        let input = add(&wrap, "input", "", "");
        attr(&input, "id", &id(self.sid, i, ""));
        attr(&input, "type", kind);
        attr(&input, "maxlength", max);
        attr(&input, "value", &self.entries[i]);
        if let Some((min, last)) = range {
            attr(&input, "min", min);
            attr(&input, "max", last);
        }
        self.mark(&input, i);
        self.error(&wrap, i);
    }

    fn tick(&self, form: &Element, i: usize) {
        let wrap = add(form, "div", "pp-field", "");
        let input = self.option(
            &wrap,
            "checkbox",
            &id(self.sid, i, ""),
            "1",
            self.t.get(FIELDS[i].1),
            &[],
        );
        if !self.entries[i].is_empty() {
            attr(&input, "checked", "");
        }
        self.mark(&input, i);
        self.error(&wrap, i);
    }
}

/// Paints a parcel's form from its draft: its note, then the buttons or the open form.
/// Returns the note.
fn paint(cx: Ctx, f: &Formats, order: &OrderView, s: &ShipmentSummary, area: &Element) -> String {
    let t = cx.t;
    let sid = s.id;
    let open = cx.live.get_value().draft(sid).open;
    let form = offer(t, f, order, s, open);
    let draft = {
        let live = cx.live.get_value();
        let mut d = live.draft(sid);
        // A form opens on the first kind on offer.
        if d.kind.is_none() {
            d.kind = form.kinds.first().copied();
        }
        d.clone()
    };
    let saved = match &s.choice {
        Some(c) => t.fill(
            Key::ChoiceSaved,
            &describe(t, f, order.delivery_options.as_ref(), c),
        ),
        None => t.get(Key::ChoiceCleared).to_owned(),
    };
    let note = match draft.note {
        Note::Saved => saved,
        Note::Refused(key) => t.get(key).to_owned(),
        _ => String::new(),
    };
    let (Some(notice), Some(body)) = (
        area.last_element_child()
            .and_then(|b| b.previous_element_sibling()),
        area.last_element_child(),
    ) else {
        return note;
    };
    notice.set_text_content(Some(&note));
    body.set_text_content(None);
    if form.kinds.is_empty() {
        return note;
    }
    let button = |parent: &Element, kind: &str, class: &str, key: Key, act: &str, n: usize| {
        let b = add(parent, "button", class, t.get(key));
        attr(&b, "type", kind);
        attr(&b, "part", "button");
        attr(&b, "data-act", act);
        attr(&b, "id", &id(sid, n, ""));
        b
    };
    if !draft.open {
        let actions = add(&body, "p", "pp-actions", "");
        let has = s.choice.is_some();
        button(
            &actions,
            "button",
            "pp-button",
            if has {
                Key::ChoiceChange
            } else {
                Key::ChoiceOpen
            },
            "open",
            10,
        );
        if has {
            button(
                &actions,
                "button",
                "pp-button pp-button-quiet",
                Key::ChoiceClear,
                "clear",
                11,
            );
        }
        return note;
    }
    let p = Paint {
        t,
        sid,
        entries: draft.entries,
        wrong: draft.wrong,
    };
    let el = add(&body, "form", "pp-form", "");
    attr(&el, "novalidate", "");
    attr(&el, "data-act", "save");
    let kinds = add(&el, "fieldset", "pp-fieldset", "");
    add(&kinds, "legend", "", t.get(Key::ChoiceLegend));
    for k in &form.kinds {
        let input = p.option(
            &kinds,
            "radio",
            &id(sid, 9, ""),
            k.as_str(),
            t.get(KIND_KEYS[*k as usize]),
            &[],
        );
        attr(&input, "data-act", "kind");
        if draft.kind == Some(*k) {
            attr(&input, "checked", "");
        }
    }
    match draft.kind {
        Some(ChoiceKind::Slot) => p.pick(&el, SLOT, &form.slots),
        Some(ChoiceKind::Neighbour) => {
            p.text(&el, NAME, "text", "60", None);
            p.text(&el, HOUSE, "text", "10", None);
        }
        Some(ChoiceKind::SafePlace) => {
            p.pick(&el, PLACE, &form.places);
            p.text(&el, INSTRUCTION, "text", "140", None);
            p.tick(&el, RISK);
        }
        Some(ChoiceKind::PickupPoint) => p.pick(&el, POINT, &form.points),
        Some(ChoiceKind::AnotherDay) => p.text(&el, DATE, "date", "10", form.dates.as_ref()),
        None => {}
    }
    let actions = add(&el, "p", "pp-actions", "");
    button(&actions, "submit", "pp-button", Key::ChoiceSave, "", 12);
    button(
        &actions,
        "button",
        "pp-button pp-button-quiet",
        Key::ChoiceCancel,
        "cancel",
        13,
    );
    note
}

/// Paints a parcel's form again from the order now shown, keeping the keyboard where it
/// was: on `focus` if it is still there, else on the form's first field.
fn repaint(cx: Ctx, area: &Element, sid: i64, focus: &str) -> String {
    let mut note = String::new();
    if let Some(order) = cx.order() {
        if let Some(s) = order.shipments.iter().find(|s| s.id == sid) {
            note = paint(cx, &cx.formats(&order.currency), &order, s, area);
        }
    }
    if !focus.is_empty() {
        focus_on(find(area, focus).or_else(|| find(area, "form input, form button")));
    }
    note
}

/// Handles the parcels' clicks, inputs and submits for the whole widget.
const EVENTS: [&str; 4] = ["click", "change", "input", "submit"];

pub fn listen(cx: Ctx) {
    let Some(live) = cx.live.try_get_value() else {
        return;
    };
    let handler = Closure::<dyn Fn(Event)>::new(move |ev| handle(cx, ev));
    for name in EVENTS {
        let _ = live
            .root
            .add_event_listener_with_callback(name, handler.as_ref().unchecked_ref());
    }
    *live.listener.borrow_mut() = Some(handler);
}

/// Removes [`listen`]'s listener, when the widget goes.
pub fn unlisten(live: &Live) {
    if let Some(handler) = live.listener.borrow_mut().take() {
        for name in EVENTS {
            let _ = live
                .root
                .remove_event_listener_with_callback(name, handler.as_ref().unchecked_ref());
        }
    }
}

/// The id of the element that has the keyboard inside the widget, if any.
pub fn focused(root: &Element) -> Option<String> {
    let active = js_sys::Reflect::get(&root.get_root_node(), &"activeElement".into()).ok()?;
    let active: Element = active.dyn_into().ok()?;
    (root.contains(Some(&active)) && !active.id().is_empty()).then(|| active.id())
}

/// Gives the keyboard back to the element with `id`, drawn anew.
pub fn refocus(root: &Element, id: &str) {
    focus_on(find(root, &["#", id].concat()));
}

/// Resolves after the tasks already queued, e.g. a redraw of the card.
pub async fn next_task() {
    let tick = js_sys::Promise::new(&mut |done, _| {
        let _ = web_sys::window()
            .map(|w| w.set_timeout_with_callback_and_timeout_and_arguments_0(&done, 0));
    });
    let _ = wasm_bindgen_futures::JsFuture::from(tick).await;
}

fn handle(cx: Ctx, ev: Event) {
    let Some(target) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
        return;
    };
    if target.get_attribute("data-act").as_deref() == Some("retry") {
        return cx.load();
    }
    if target.closest(".pp-more").ok().flatten().is_some() {
        return crate::more::handle(cx, ev, target);
    }
    let (Some(act), Some(area)) = (
        target.get_attribute("data-act"),
        target.closest(".pp-choice").ok().flatten(),
    ) else {
        return;
    };
    let (Some(sid), Some(order), Some(live)) = (
        area.get_attribute("data-sid").and_then(|s| s.parse().ok()),
        cx.order(),
        cx.live.try_get_value(),
    ) else {
        return;
    };
    let Some(s) = order.shipments.iter().find(|s| s.id == sid) else {
        return;
    };
    let prop = |name: &str| js_sys::Reflect::get(&target, &name.into()).unwrap_or_default();
    let value = prop("value").as_string().unwrap_or_default();
    let mut focus = ["#", &target.id()].concat();
    let mut d = live.draft(sid);
    match (ev.type_().as_str(), act.as_str()) {
        ("input" | "change", "field") => {
            let i = target
                .get_attribute("data-i")
                .and_then(|i| i.parse::<usize>().ok())
                .unwrap_or(SLOT);
            // A checkbox says "1" when ticked, nothing when not.
            d.entries[i] = if prop("type").as_string().as_deref() == Some("checkbox")
                && prop("checked").as_bool() != Some(true)
            {
                String::new()
            } else {
                value
            };
            // Mended: the field's mark and message go as the shopper corrects it.
            if d.wrong >> i & 1 == 1 {
                d.wrong &= !(1 << i);
                for el in all(&area, &format!("[data-i=\"{i}\"]")) {
                    attr(&el, "aria-invalid", "false");
                }
                if let Some(message) = find(&area, &["#", &id(sid, i, "e")].concat()) {
                    message.set_text_content(None);
                }
            }
            return;
        }
        ("change", "kind") => d.kind = ChoiceKind::parse(&value),
        ("click", "open") => {
            d.open = true;
            d.wrong = 0;
            d.note = Note::Quiet;
            d.kind = s.choice.as_ref().map(|c| c.kind);
            if let Some(c) = &s.choice {
                d.entries = entries(c);
            }
            focus = "form input".into();
        }
        ("click", "cancel") => d.open = false,
        ("click", "clear") => {
            drop(d);
            return save(cx, area, s, None);
        }
        ("submit", "save") => {
            ev.prevent_default();
            let form = offer(cx.t, &cx.formats(&order.currency), &order, s, false);
            match d.kind.map(|k| form.check(k, &d.entries)) {
                Some(Ok(choice)) => {
                    drop(d);
                    return save(cx, area, s, Some(choice));
                }
                Some(Err(wrong)) => {
                    d.wrong = wrong;
                    d.note = Note::Refused(Key::ErrorFields);
                }
                None => return,
            }
            focus = "[aria-invalid=true]".into();
        }
        _ => return,
    }
    drop(d);
    repaint(cx, &area, sid, &focus);
}

/// 128 random bits in hex: one key per intended change.
pub(crate) fn new_key() -> String {
    (0..4)
        .map(|_| format!("{:08x}", (js_sys::Math::random() * 4_294_967_296.0) as u32))
        .collect()
}

/// Sends a parcel's choice (`None` clears it). The same body after a failed attempt goes
/// with the same idempotency key. After a conflict the order is loaded again, and what
/// the shopper typed stays in the open form.
fn save(cx: Ctx, area: Element, s: &ShipmentSummary, choice: Option<DeliveryChoice>) {
    let Some(live) = cx.live.try_get_value() else {
        return;
    };
    let (sid, etag) = (s.id, s.choice_etag.clone());
    let body = choice_body(choice);
    let key = {
        let mut d = live.draft(sid);
        let key = d
            .sent
            .as_ref()
            .filter(|(_, b)| *b == body)
            .map_or_else(new_key, |(k, _)| k.clone());
        d.sent = Some((key.clone(), body.clone()));
        d.wrong = 0;
        d.note = Note::Saving;
        key
    };
    // Pending: every button of the form off, the main one saying so.
    attr(&area, "aria-busy", "true");
    for b in all(&area, "button") {
        attr(&b, "disabled", "");
        if b.get_attribute("type").as_deref() == Some("submit") {
            b.set_text_content(Some(cx.t.get(Key::ChoiceSaving)));
        }
    }
    let widget = area.closest(".pp").ok().flatten();
    spawn_local(async move {
        let result = post_choice(&live.url, sid, &etag, &key, body).await;
        let ok = result.is_ok();
        if live.stopped.get() {
            return;
        }
        let mut reload = true;
        let order = {
            let mut d = live.draft(sid);
            match result {
                Ok(order) => {
                    d.sent = None;
                    d.open = false;
                    d.note = Note::Saved;
                    Some(order)
                }
                Err(refusal) => {
                    let (key, again) = match refusal.as_ref().map(|r| r.code.as_str()) {
                        Some("slot_full") => (Key::ErrorSlotFull, true),
                        Some("choice_locked") => (Key::ErrorLocked, true),
                        Some("precondition_failed") => (Key::ErrorChanged, true),
                        Some("invalid_fields") => (Key::ErrorFields, false),
                        Some("order_not_found") => (Key::ErrorNotFound, false),
                        _ => (Key::ErrorSave, false),
                    };
                    reload = again;
                    // No answer at all: the same key goes with the next attempt.
                    if let Some(r) = &refusal {
                        d.sent = None;
                        d.wrong = field_mask(r.fields.iter().map(String::as_str));
                    }
                    d.note = Note::Refused(key);
                    None
                }
            }
        };
        match order {
            Some(order) => cx.show(order),
            None if reload => {
                let _ = cx.refresh(false).await;
            }
            None => {}
        }
        if live.stopped.get() {
            return;
        }
        // The card is drawn anew after this task: wait for it.
        next_task().await;
        if live.stopped.get() {
            return;
        }
        let _ = area.remove_attribute("aria-busy");
        // The card may have been drawn anew: the parcel's area is found again, and the
        // keyboard lands on what comes next ("Change", or the field to mend).
        let selector = format!(".pp-choice[data-sid=\"{sid}\"]");
        let area = widget.and_then(|w| find(&w, &selector)).unwrap_or(area);
        let focus = if ok {
            "[data-act=open]"
        } else {
            "[aria-invalid=true]"
        };
        let note = repaint(cx, &area, sid, focus);
        // A saved choice or a reload draws the card anew, and a status that arrives with
        // its new element is not reliably read out: say the outcome in the widget's own
        // live region instead. (A refusal shown in place is read from the parcel's status.)
        if ok || reload {
            cx.said.set(note);
        }
    });
}
