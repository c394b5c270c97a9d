//! The parcels of an order: where each one is, what is in it, and how the shopper wants it
//! delivered. The rules live in [`crate::parcels`]; this draws what they decide.
//!
//! A parcel is two parts, drawn apart: its facts (status, news, history) and its choice
//! area. A re-check that brings news for a parcel redraws its facts only, so a shopper
//! typing in its form keeps the field, the text and the keyboard. The form itself is drawn
//! from the parcel's [`Draft`], which lives in [`crate::state`].

use postpurchase_api::{
    ChoiceKind, ChoiceLock, DelayReason, DeliveryChoice, DeliveryOptions, Duties, OrderView,
    PickupDetails, ShipmentStatus, ShipmentSummary, SAFE_PLACES,
};
use web_sys::Element;

use crate::dom::is_web_url;
use crate::dom::{add, attr, make, show};
use crate::i18n::{joined, Key, Texts};
use crate::intl::{plain_amount, Formats};
use crate::parcels::*;
use crate::state::{Draft, Note};

/// The id of field `i` of a parcel's form; with `e`, of its error message.
pub(crate) fn id(sid: i64, i: usize, suffix: &str) -> String {
    ["pp", &sid.to_string(), "-", &i.to_string(), suffix].concat()
}

/// The id of a control of a parcel's form, by what it does (`open`, `save`, ...).
pub(crate) fn control(sid: i64, name: &str) -> String {
    ["pp", &sid.to_string(), "-", name].concat()
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

/// The parcels section as drawn: its element and the parts a re-check may redraw.
pub(crate) struct Parcels {
    pub section: Element,
    /// "1 of 2 parcels shipped", shown while some parcels have left and others not.
    shipped: Option<Element>,
    /// Each parcel: its id, its list item and its choice area.
    pub parcels: Vec<(i64, Element, Element)>,
}

/// The parcels section; nothing before the first parcel leaves. `draft` gives each
/// parcel's form, `history` whether its history is open.
pub(crate) fn section(
    t: Texts,
    f: &Formats,
    order: &OrderView,
    draft: &dyn Fn(i64) -> Draft,
    history: &dyn Fn(i64) -> bool,
) -> Option<Parcels> {
    let count = order.shipments.len();
    if count == 0 {
        return None;
    }
    let section = make("section", "pp-section");
    attr(&section, "part", "parcels");
    attr(&section, "aria-labelledby", "pp-parcels");
    attr(
        &add(&section, "h3", "pp-heading", t.get(Key::ParcelsTitle)),
        "id",
        "pp-parcels",
    );
    let shipped = (count > 1).then(|| add(&section, "p", "pp-note", ""));
    let list = add(&section, "ol", "pp-parcels", "");
    attr(&list, "role", "list");
    let mut parcels = Vec::new();
    for (n, s) in order.shipments.iter().enumerate() {
        let li = add(&list, "li", "pp-parcel", "");
        attr(&li, "part", "parcel");
        let area = add(&li, "div", "pp-choice", "");
        attr(&area, "part", "choice");
        attr(&area, "data-sid", &s.id.to_string());
        facts(t, f, order, n, s, &li, history(s.id));
        choice(t, f, order, s, &draft(s.id), &area);
        parcels.push((s.id, li, area));
    }
    let drawn = Parcels {
        section,
        shipped,
        parcels,
    };
    drawn.progress(t, order);
    Some(drawn)
}

impl Parcels {
    /// How many parcels left, and what is still to come: redrawn after any news.
    pub fn progress(&self, t: Texts, order: &OrderView) {
        if let Some(note) = &self.shipped {
            // "2 of 2 shipped" says nothing the parcels do not, and nothing true of parcels
            // that came back or were cancelled.
            let (left, total) = shipped(&order.shipments);
            show(note, 0 < left && left < total);
            note.set_text_content(Some(&t.fill_with(
                Key::ParcelsShipped,
                &[
                    ("shipped", &left.to_string()),
                    ("total", &total.to_string()),
                ],
            )));
        }
        // What is still to come follows the list.
        while let Some(next) = self
            .parcels
            .last()
            .and_then(|(_, li, _)| li.parent_element())
            .and_then(|list| list.next_element_sibling())
        {
            next.remove();
        }
        let waiting = unshipped(order);
        if !waiting.is_empty() {
            add(
                &self.section,
                "h4",
                "pp-subheading",
                t.get(Key::ParcelsWaiting),
            );
            let list = add(&self.section, "ul", "pp-list", "");
            for (name, n) in waiting {
                add(&list, "li", "", &item(t, name, n));
            }
        }
    }
}

/// Draws parcel `n`'s facts into its list item `li`, before its choice area (the last
/// child), replacing those drawn before.
pub(crate) fn facts(
    t: Texts,
    f: &Formats,
    order: &OrderView,
    n: usize,
    s: &ShipmentSummary,
    li: &Element,
    history: bool,
) {
    let Some(area) = li.last_element_child() else {
        return;
    };
    while let Some(old) = area.previous_element_sibling() {
        old.remove();
    }
    attr(li, "data-status", s.status.as_str());
    let li = &make("div", "");
    add(
        li,
        "h4",
        "pp-subheading",
        &t.fill(Key::ParcelTitle, &(n + 1).to_string()),
    );
    let carrier = s.carrier_name.as_str();
    let tracking = t.fill_with(
        Key::ParcelTracking,
        &[("carrier", carrier), ("number", &s.tracking_number)],
    );
    let line = add(li, "p", "pp-note", "");
    match s.tracking_url.as_deref().filter(|u| is_web_url(u)) {
        Some(url) => attr(&add(&line, "a", "", &tracking), "href", url),
        None => line.set_text_content(Some(&tracking)),
    }
    // The road so far: milestones reached, the one it is at, any trouble there.
    if let Some((road, reached, trouble)) = progress(s.status) {
        let bar = add(li, "ol", "pp-progress", "");
        attr(&bar, "part", "progress");
        attr(&bar, "aria-label", t.get(Key::ProgressTitle));
        for (i, key) in road.iter().enumerate() {
            let step = add(&bar, "li", "", t.get(*key));
            if i < reached {
                attr(&step, "data-done", "");
            }
            if i + 1 == reached {
                attr(&step, "aria-current", "step");
                if trouble {
                    attr(&step, "data-trouble", "");
                }
            }
        }
    }
    let line = add(li, "p", "pp-status", "");
    let says = s.carrier_text.as_ref().map(|text| {
        t.fill_with(
            Key::ParcelCarrierSays,
            &[("carrier", carrier), ("text", text)],
        )
    });
    // A status we could not place: the carrier's own words say more than "unknown" does,
    // so they come first, ours after.
    let unplaced = s.status == ShipmentStatus::Unknown;
    match says.as_ref().filter(|_| unplaced) {
        Some(says) => {
            add(&line, "strong", "", says);
            add(&line, "span", "", &[" · ", status(t, s.status)].concat());
        }
        None => {
            add(&line, "strong", "", status(t, s.status));
        }
    }
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
        add(li, "p", "pp-note", t.get(says));
    }
    if let Some(says) = says.filter(|_| !unplaced) {
        add(li, "p", "pp-note", &says);
    }
    let underway = !matches!(
        s.status,
        ShipmentStatus::Delivered | ShipmentStatus::Cancelled | ShipmentStatus::ReturnToSender
    );
    if let Some(w) = s.estimated_delivery.as_ref().filter(|_| underway) {
        add(
            li,
            "p",
            "pp-expected",
            &t.fill(Key::ParcelExpected, &f.moments(&w.from, &w.to)),
        );
    }
    if let Some(at) = &s.delivered_at {
        add(
            li,
            "p",
            "",
            &t.fill(Key::ParcelDelivered, &f.moments(at, at)),
        );
    }
    if let Some(p) = &s.pickup {
        pickup(t, f, p, li);
    }
    // Crossing a border: who pays duties and taxes, what is due and where to pay it.
    if let Some(c) = &s.customs {
        let line = add(li, "p", "pp-note", "");
        attr(&line, "part", "customs");
        match (&c.due, c.duties) {
            (Some(due), _) => {
                // In the order's currency as the browser writes money, else plainly.
                let amount = if due.currency == order.currency {
                    f.money(due.amount)
                } else {
                    plain_amount(due.amount, &due.currency)
                };
                line.set_text_content(Some(&t.fill(Key::CustomsDueAmount, &amount)));
                if let Some(url) = due.pay_url.as_deref().filter(|u| is_web_url(u)) {
                    add(&line, "span", "", " · ");
                    attr(&add(&line, "a", "", t.get(Key::CustomsPay)), "href", url);
                }
            }
            (None, Duties::Paid) => line.set_text_content(Some(t.get(Key::CustomsPaid))),
            (None, Duties::Due) => line.set_text_content(Some(t.get(Key::CustomsDue))),
        }
    }
    if let Some((step, contact)) = next_step(s, &order.shop) {
        let box_ = add(li, "div", "pp-next", "");
        attr(&box_, "part", "next-step");
        add(
            &box_,
            "p",
            "",
            &t.fill_with(step, &[("shop", &order.shop.name)]),
        );
        let refund = matches!(
            step,
            Key::NextLostRefund | Key::NextBackRefund | Key::NextLostChoice | Key::NextBackChoice
        );
        if let Some(days) = order.shop.refund_days.filter(|_| refund) {
            add(
                &box_,
                "p",
                "",
                &t.fill(Key::NextRefundDays, &days.to_string()),
            );
        }
        if contact {
            super::card::contact(t, &order.shop, &box_);
        }
    }
    let items = add(li, "ul", "pp-list", "");
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
                events = add(li, "details", "pp-history", "");
                if history {
                    attr(&events, "open", "");
                }
                let summary = add(&events, "summary", "", t.get(Key::ParcelHistory));
                attr(&summary, "data-act", "history");
                attr(&summary, "data-sid", &s.id.to_string());
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
        let words = joined(&[e.location.as_deref(), Some(what)], " · ");
        add(&event, "span", "", &[" ", &words].concat());
    }
    let parent = area.parent_element();
    while let Some(child) = li.first_child() {
        if let Some(parent) = &parent {
            let _ = parent.insert_before(&child, Some(&area));
        }
    }
}

/// Where a parcel waits: the place, its hours, until when, and the code to give there.
fn pickup(t: Texts, f: &Formats, p: &PickupDetails, parent: &Element) {
    let facts = add(parent, "dl", "pp-facts pp-pickup", "");
    attr(&facts, "part", "pickup");
    let row = |key: Key| {
        add(&facts, "dt", "", t.get(key));
        add(&facts, "dd", "", "")
    };
    let place = row(Key::PickupWhere);
    add(&place, "strong", "", &p.name);
    if !p.address.is_empty() {
        add(&place, "br", "", "");
        add(&place, "span", "", &p.address);
    }
    if !p.opening_hours.is_empty() {
        let hours = row(Key::PickupHours);
        for (i, line) in p.opening_hours.iter().enumerate() {
            if i > 0 {
                add(&hours, "br", "", "");
            }
            add(&hours, "span", "", line);
        }
    }
    if let Some(by) = &p.collect_by {
        row(Key::PickupUntil).set_text_content(Some(&f.moments(by, by)));
    }
    if let Some(code) = &p.code {
        add(&row(Key::PickupCode), "strong", "pp-code", code);
    }
}

/// Whether what a parcel's choice area shows differs between two versions of the order.
pub(crate) fn choice_changed(
    old: &OrderView,
    o: &ShipmentSummary,
    new: &OrderView,
    s: &ShipmentSummary,
) -> bool {
    (
        &o.choice,
        o.locked,
        &o.changeable_until,
        &o.choice_etag,
        &o.delivery_dates,
    ) != (
        &s.choice,
        s.locked,
        &s.changeable_until,
        &s.choice_etag,
        &s.delivery_dates,
    ) || old.delivery_options != new.delivery_options
}

/// Draws a parcel's choice area into `area`: its choice, why it is locked or until when
/// it can change, then its form from `draft`. Returns what the form says.
pub(crate) fn choice(
    t: Texts,
    f: &Formats,
    order: &OrderView,
    s: &ShipmentSummary,
    draft: &Draft,
    area: &Element,
) -> String {
    area.set_text_content(None);
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
    // Each line there is, in this order; by hand, an iterator adapter is code of its own.
    let line = |text: &Option<String>| {
        if let Some(text) = text {
            add(area, "p", "", text);
        }
    };
    line(&current);
    line(&lock);
    line(&until);
    let notice = add(area, "p", "pp-notice", "");
    attr(&notice, "role", "status");
    attr(&notice, "part", "notice");
    add(area, "div", "", "");
    form(t, f, order, s, draft, area)
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
            t.fill(
                Key::ShowSafePlace,
                &joined(&[place, s.instruction.as_deref()], " · "),
            )
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
pub(crate) fn offer(
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
        // Every day "another day" may be, to pick from: no range to guess at.
        days: s
            .delivery_dates
            .as_ref()
            .map(|w| days(&w.earliest, &w.latest))
            .unwrap_or_default()
            .into_iter()
            .map(|d| Pick {
                label: if labels {
                    f.window(&d, &d)
                } else {
                    String::new()
                },
                value: d,
                ..Pick::default()
            })
            .collect(),
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
                lines: {
                    let mut lines = Vec::new();
                    if let Some(p) = price {
                        lines.push(t.fill_with(
                            Key::SlotPrice,
                            &[
                                ("price", &f.money(p)),
                                ("how", t.get(PAID_KEYS[o.slot_payment as usize])),
                            ],
                        ));
                    }
                    if full && labels {
                        lines.push(t.get(Key::SlotFull).to_owned());
                    }
                    lines
                },
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
                let far = t.fill(Key::PointDistance, &f.distance(m));
                kind = joined(&[Some(&kind), Some(&far)], " · ");
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

/// A form being painted: the parcel (its fields' ids), its fields (path, label, what to
/// say when wrong), what the shopper entered, what is wrong.
pub(crate) struct Paint<'a> {
    pub t: Texts,
    pub sid: i64,
    pub fields: &'a [(&'a str, Key, Key)],
    pub entries: &'a Entries,
    pub wrong: u16,
}

impl Paint<'_> {
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
            self.t.get(self.fields[i].2)
        } else {
            ""
        };
        let line = add(parent, "p", "pp-error", message);
        attr(&line, "id", &id(self.sid, i, "e"));
        attr(&line, "part", "field-error");
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
        add(&set, "legend", "", self.t.get(self.fields[i].1));
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

    /// A text field for field `i`, at most `max` characters: its input.
    pub fn text(&self, form: &Element, i: usize, max: &str) -> Element {
        let wrap = add(form, "div", "pp-field", "");
        let label = add(&wrap, "label", "", self.t.get(self.fields[i].1));
        attr(&label, "for", &id(self.sid, i, ""));
        attr(&label, "part", "label");
        let input = add(&wrap, "input", "", "");
        attr(&input, "id", &id(self.sid, i, ""));
        attr(&input, "part", "input");
        attr(&input, "type", "text");
        attr(&input, "maxlength", max);
        attr(&input, "value", &self.entries[i]);
        self.mark(&input, i);
        self.error(&wrap, i);
        input
    }

    fn tick(&self, form: &Element, i: usize) {
        let wrap = add(form, "div", "pp-field", "");
        let input = self.option(
            &wrap,
            "checkbox",
            &id(self.sid, i, ""),
            "1",
            self.t.get(self.fields[i].1),
            &[],
        );
        if !self.entries[i].is_empty() {
            attr(&input, "checked", "");
        }
        self.mark(&input, i);
        self.error(&wrap, i);
    }
}

/// Draws a parcel's form into its choice area (drawn by [`choice`]) from its draft: what
/// the form says, then its buttons or the open form. Returns what the form says.
pub(crate) fn form(
    t: Texts,
    f: &Formats,
    order: &OrderView,
    s: &ShipmentSummary,
    draft: &Draft,
    area: &Element,
) -> String {
    let sid = s.id;
    let form = offer(t, f, order, s, draft.open);
    // A form opens on the first kind on offer.
    let kind = draft.kind.or(form.kinds.first().copied());
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
    let button = |parent: &Element, kind: &str, class: &str, key: Key, act: &str| {
        let b = add(parent, "button", class, t.get(key));
        attr(&b, "type", kind);
        attr(&b, "part", "button");
        attr(&b, "data-act", act);
        attr(&b, "id", &control(sid, act));
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
        );
        if has {
            button(
                &actions,
                "button",
                "pp-button pp-button-quiet",
                Key::ChoiceClear,
                "clear",
            );
        }
        return note;
    }
    let p = Paint {
        t,
        sid,
        fields: &FIELDS,
        entries: &draft.entries,
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
            &control(sid, "kind"),
            k.as_str(),
            t.get(KIND_KEYS[*k as usize]),
            &[],
        );
        attr(&input, "data-act", "kind");
        if kind == Some(*k) {
            attr(&input, "checked", "");
        }
    }
    match kind {
        Some(ChoiceKind::Slot) => p.pick(&el, SLOT, &form.slots),
        Some(ChoiceKind::Neighbour) => {
            p.text(&el, NAME, "60");
            p.text(&el, HOUSE, "10");
        }
        Some(ChoiceKind::SafePlace) => {
            p.pick(&el, PLACE, &form.places);
            p.text(&el, INSTRUCTION, "140");
            p.tick(&el, RISK);
        }
        Some(ChoiceKind::PickupPoint) => p.pick(&el, POINT, &form.points),
        Some(ChoiceKind::AnotherDay) => p.pick(&el, DATE, &form.days),
        None => {}
    }
    let actions = add(&el, "p", "pp-actions", "");
    button(&actions, "submit", "pp-button", Key::ChoiceSave, "save");
    button(
        &actions,
        "button",
        "pp-button pp-button-quiet",
        Key::ChoiceCancel,
        "cancel",
    );
    note
}
