//! What the shopper can do, and what happens then. One listener on the widget's root
//! reads each event once into an [`Action`]; [`act`] changes the state
//! ([`crate::state`]), talks to the API and asks the screen ([`crate::screen`],
//! [`crate::more`]) to show the outcome. Adding a button: a variant, its reading in
//! [`Action::read`], its arm in [`act`].

use js_sys::{Function, Object};
use leptos::prelude::*;
use leptos::task::spawn_local;
use postpurchase_api::{ChangeKind, ChoiceKind, DeliveryChoice, Module, OrderView, ReturnQuote};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, Event};

use crate::api::{choice_body, post_choice, send};
use crate::decode::{change_json, field, set, FromJs};
use crate::dom::{add, all, attr, find, focus, make, show};
use crate::i18n::Key;
use crate::more::{self, body, check, get, mark, module, sync, turn, worth, LAST_STEP};
use crate::parcels::{address_wrong, field_mask, ADDRESS_FIELDS, FIELDS};
use crate::screen::draw_change;
use crate::screen::parcels::{control, form, id, offer};
use crate::shared::split_once_at;
use crate::state::{drawn, Ctx, Live, Note};

/// One thing a shopper can do.
enum Action {
    /// Load the order again after it failed.
    Retry,
    /// Open or close a parcel's event history.
    History(i64),
    /// Something done in a parcel's delivery-choice form.
    Choice(i64, Choice),
    /// Open a follow-up module (closing the one open), or close it.
    Module(Module),
    /// A field of a follow-up form changed.
    Mend,
    /// Skip a survey question.
    Skip,
    /// Show the return form.
    StartReturn,
    /// The return form a step forward (`true`) or back.
    Step(bool),
    /// One more (`true`) or one fewer of an item to return.
    Nudge(bool),
    /// Send a follow-up form.
    Send,
    /// Cancel the return with this number: asked first (`false`), then done once the
    /// shopper says yes (`true`).
    CancelReturn(String, bool),
    /// Keep the return after all: the question answered no.
    KeepReturn,
    /// Copy the referral link.
    Copy,
    /// Share the referral link through the browser's share sheet.
    Share,
    /// Something done in the part for changing the order.
    Change(Ask),
}

/// What the shopper did in the part for changing the order before it ships.
enum Ask {
    /// Opened the question (cancel) or the form (a new address).
    Open(ChangeKind),
    /// Closed it without asking (its button, or Escape).
    Close,
    /// Typed in the address form's field `i` (see [`crate::parcels::ADDRESS_FIELDS`]).
    Type(usize, String),
    /// Asked: said yes to the question, or sent the form.
    Send,
}

/// What the shopper did in a parcel's delivery-choice form.
enum Choice {
    /// Opened the form.
    Open,
    /// Closed it without saving.
    Cancel,
    /// Cleared the parcel's choice.
    Clear,
    /// Picked a kind of choice.
    Kind(Option<ChoiceKind>),
    /// Typed or picked field `i` (see [`crate::parcels::FIELDS`]): its value.
    Field(usize, String),
    /// Sent the form.
    Save,
}

impl Action {
    /// Reads what an event on `target` means; `None` for events that mean nothing.
    fn read(ev: &Event, target: &Element) -> Option<Action> {
        let act = target.get_attribute("data-act").unwrap_or_default();
        let prop = |name: &str| get(target, name);
        let within = |selector: &str| target.closest(selector).ok().flatten();
        let sid = |el: Option<Element>| el?.get_attribute("data-sid")?.parse::<i64>().ok();
        let parcel = || sid(within(".pp-choice"));
        Some(match (ev.type_().as_str(), act.as_str()) {
            ("click", "retry") => Action::Retry,
            ("click", "history") => Action::History(sid(Some(target.clone()))?),
            ("input" | "change", "field") => {
                let i = target.get_attribute("data-i")?.parse().ok()?;
                // A checkbox says "1" when ticked, nothing when not.
                let off = prop("type").as_string().as_deref() == Some("checkbox")
                    && prop("checked").as_bool() != Some(true);
                let value = prop("value").as_string().filter(|_| !off);
                let value = value.unwrap_or_default();
                // Outside a parcel's form: the new-address form.
                match parcel() {
                    Some(sid) => Action::Choice(sid, Choice::Field(i, value)),
                    None => Action::Change(Ask::Type(i, value)),
                }
            }
            ("change", "kind") => {
                // A value that is not text means nothing; text that names no kind, no kind.
                let value = prop("value");
                value.as_string()?;
                let kind = ChoiceKind::from_js(&value);
                Action::Choice(parcel()?, Choice::Kind(kind))
            }
            ("click", "open") => Action::Choice(parcel()?, Choice::Open),
            ("click", "cancel") => Action::Choice(parcel()?, Choice::Cancel),
            ("click", "clear") => Action::Choice(parcel()?, Choice::Clear),
            ("submit", "save") => Action::Choice(parcel()?, Choice::Save),
            ("click", "m-open") => Action::Module(module(&target.get_attribute("data-m")?)?),
            ("input" | "change", _) if within(".pp-more").is_some() => Action::Mend,
            ("click", "m-skip") => Action::Skip,
            ("click", "m-start") => Action::StartReturn,
            ("click", "m-next") => Action::Step(true),
            ("click", "m-more") => Action::Nudge(true),
            ("click", "m-less") => Action::Nudge(false),
            ("click", "m-back") => Action::Step(false),
            ("submit", "m-send") => Action::Send,
            ("click", "m-cancel") => Action::CancelReturn(
                target.get_attribute("data-number")?,
                target.has_attribute("data-sure"),
            ),
            ("click", "m-keep") => Action::KeepReturn,
            ("click", "m-copy") => Action::Copy,
            ("click", "m-share") => Action::Share,
            ("click", "c-cancel") => Action::Change(Ask::Open(ChangeKind::Cancel)),
            ("click", "c-address") => Action::Change(Ask::Open(ChangeKind::Address)),
            ("click", "c-close") => Action::Change(Ask::Close),
            ("keydown", _)
                if get(ev, "key") == "Escape" && within("[part=change] form").is_some() =>
            {
                Action::Change(Ask::Close)
            }
            ("submit", "c-send") => Action::Change(Ask::Send),
            _ => return None,
        })
    }
}

/// The events the widget listens to, on its root.
const EVENTS: [&str; 5] = ["click", "change", "input", "submit", "keydown"];

/// Listens to the widget's events on its root (one listener for all).
pub(crate) fn listen(cx: Ctx) {
    let Some(live) = cx.live.try_get_value() else {
        return;
    };
    let handler = Closure::<dyn Fn(Event)>::new(move |ev: Event| {
        let Some(target) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
            return;
        };
        if let Some(action) = Action::read(&ev, &target) {
            // A form is sent by the widget, never by the browser.
            if ev.type_() == "submit" {
                ev.prevent_default();
            }
            act(cx, action, target);
        }
    });
    for name in EVENTS {
        let _ = live
            .root
            .add_event_listener_with_callback(name, handler.as_ref().unchecked_ref());
    }
    *live.listener.borrow_mut() = Some(handler);
}

/// Removes [`listen`]'s listener, when the widget goes.
pub(crate) fn unlisten(live: &Live) {
    if let Some(handler) = live.listener.borrow_mut().take() {
        for name in EVENTS {
            let _ = live
                .root
                .remove_event_listener_with_callback(name, handler.as_ref().unchecked_ref());
        }
    }
}

/// Does what the shopper asked, `target` being the element of the event.
fn act(cx: Ctx, action: Action, target: Element) {
    let t = cx.t;
    let Some(live) = cx.live.try_get_value() else {
        return;
    };
    let section = || target.closest(".pp-more").ok().flatten();
    match action {
        Action::Retry => cx.load(),
        Action::History(sid) => {
            let mut open = live.histories.borrow_mut();
            match open.iter().position(|s| *s == sid) {
                Some(i) => drop(open.remove(i)),
                None => open.push(sid),
            }
        }
        Action::Choice(sid, what) => choose(cx, &live, sid, what, &target),
        Action::Module(m) => {
            if live.open.get() != Some(m) {
                cx.report("module_opened", Some(more::NAMES[m as usize]));
            }
            if let Some(section) = section() {
                toggle(cx, &section, m);
            }
        }
        Action::Mend => {
            // The mark and the message go as the shopper corrects the field.
            if target.get_attribute("aria-invalid").as_deref() == Some("true") {
                if let Some(group) = target.closest("fieldset, .pp-field").ok().flatten() {
                    for el in all(&group, "[aria-invalid=true]") {
                        mark(&el, "");
                    }
                }
            }
            if get(&target, "type").as_string().as_deref() == Some("file") {
                more::vet_photos(t, &target);
            }
            if let Some(form) = target.closest("#pp-rf").ok().flatten() {
                sync(&form);
            }
        }
        Action::Skip => {
            if let (Some(form), Some(section)) = (target.closest("form").ok().flatten(), section())
            {
                live.skipped.borrow_mut().push(form.id());
                show(&form, false);
                focus(
                    form.next_element_sibling()
                        .and_then(|next| find(&next, "input"))
                        .or_else(|| find(&section, "[aria-expanded=true]")),
                );
            }
        }
        Action::StartReturn => {
            if let Some(form) = section().and_then(|s| find(&s, "#pp-rf")) {
                show(&form, true);
                show(&target, false);
                focus(find(&form, "input"));
            }
        }
        Action::Step(forward) => {
            if let Some(form) = target.closest("form").ok().flatten() {
                step_to(cx, &form, forward);
            }
        }
        Action::Nudge(up) => {
            if let Some(said) = more::nudge(&target, up) {
                cx.said.set(said);
            }
        }
        Action::Send => {
            // Enter in a return step before the last one means "Next".
            if target.id() == "pp-rf" && live.step.get() < LAST_STEP {
                step_to(cx, &target, true);
            } else if check(t, &target) {
                let path = target.get_attribute("data-post").unwrap_or_default();
                send_photos(cx, target, path);
            }
        }
        Action::CancelReturn(number, true) => {
            let path = [
                "returns/",
                &String::from(js_sys::encode_uri_component(&number)),
                "/cancel",
            ]
            .concat();
            post(cx, target, path, String::new());
        }
        Action::CancelReturn(number, false) => ask_to_cancel(cx, &target, &number),
        Action::KeepReturn => {
            if let Some(row) = target.parent_element() {
                if let Some(cancel) = find(&row, "[data-sure]") {
                    let _ = cancel.remove_attribute("data-sure");
                    cancel.set_text_content(Some(cx.t.get(Key::ReturnsCancel)));
                    focus(Some(cancel));
                }
                if let Some(question) = row
                    .previous_element_sibling()
                    .filter(|q| q.has_attribute("data-ask"))
                {
                    question.remove();
                }
            }
            target.remove();
        }
        Action::Copy => copy(cx, &target),
        Action::Share => share(cx, &target),
        Action::Change(what) => ask(cx, &live, what, &target),
    }
}

/// The shopper's work in the part for changing the order: kept in the state, shown by
/// drawing the part anew, sent once what it asks can be.
fn ask(cx: Ctx, live: &Live, what: Ask, target: &Element) {
    let (Some(order), Some(el)) = (cx.order(), target.closest("[part=change]").ok().flatten())
    else {
        return;
    };
    let mut a = live.asking.borrow_mut();
    let focus_on = match what {
        Ask::Type(i, value) => {
            a.entries[i] = value;
            // Mended: the field's mark and message go as the shopper corrects it.
            if a.wrong >> i & 1 == 1 {
                a.wrong &= !(1 << i);
                attr(target, "aria-invalid", "false");
                if let Some(line) = target.next_element_sibling() {
                    line.set_text_content(None);
                }
            }
            return;
        }
        Ask::Open(kind) => {
            a.open = Some(kind);
            a.note = None;
            a.wrong = 0;
            // The question is read out as the keyboard lands on it; the form's first field.
            "form :is(p, input)"
        }
        Ask::Close => match a.open.take() {
            Some(ChangeKind::Cancel) => "[data-act=c-cancel]",
            _ => "[data-act=c-address]",
        },
        Ask::Send => {
            let address = match a.open {
                Some(ChangeKind::Address) => Some(&a.entries[..5]),
                Some(ChangeKind::Cancel) => None,
                None => return,
            };
            let wrong = match address {
                Some(_) => address_wrong(&order.delivery_address.country, &a.entries),
                None => 0,
            };
            if wrong == 0 {
                let body = change_json(address);
                drop(a);
                return send_change(cx, el, body);
            }
            a.wrong = wrong;
            a.note = Some(Key::ErrorFields);
            "[aria-invalid=true]"
        }
    };
    drop(a);
    draw_change(cx, &order, &el);
    focus(find(&el, focus_on));
}

/// Sends the request `body` to the shop (the same body after no answer with the same
/// idempotency key), then draws the part from a fresh view of the order: where the
/// request now stands, or, when it came too late or another waits, what is. A refusal is
/// said in the part, the wrong fields marked, and what the shopper typed stays.
fn send_change(cx: Ctx, el: Element, body: String) {
    let (t, Some(live)) = (cx.t, cx.live.try_get_value()) else {
        return;
    };
    let key = live.key("changes", &body);
    pending(&el, t.get(Key::MoreSending));
    let url = [live.url.as_str(), "/changes"].concat();
    spawn_local(async move {
        let result = send(&url, Some(body), &[("Idempotency-Key", &key)]).await;
        if live.stopped.get() {
            return;
        }
        let (code, wrong) = match &result {
            Ok(_) => ("", 0),
            Err(Some(r)) => (
                r.code.as_str(),
                field_mask(&ADDRESS_FIELDS, r.fields.iter().map(|f| f.field.as_str())),
            ),
            // No answer at all: the same key goes with the next attempt.
            Err(None) => ("-", 0),
        };
        if code != "-" {
            live.answered("changes");
        }
        let note = match code {
            "" | "change_pending" => None,
            "change_closed" => Some(Key::ChangeTooLate),
            "invalid_fields" => Some(Key::ErrorFields),
            _ => Some(Key::MoreError),
        };
        let fresh = matches!(note, None | Some(Key::ChangeTooLate));
        {
            let mut a = live.asking.borrow_mut();
            a.note = note;
            a.wrong = wrong;
            if fresh {
                a.open = None;
            }
        }
        if fresh {
            let _ = cx.refresh(false).await;
        }
        // The card draws a new view in a task of its own: after it, the part is drawn
        // from the state and the keyboard lands on what comes next.
        drawn().await;
        if live.stopped.get() {
            return;
        }
        let _ = el.remove_attribute("aria-busy");
        if let Some(order) = cx.order() {
            draw_change(cx, &order, &el);
        }
        focus(find(&el, "[aria-invalid=true]").or_else(|| find(&el, "h3")));
        // Where the request stands is said by the new view (see `Ctx::show`).
        if let Some(k) = note {
            cx.said.set(t.get(k).to_owned());
        }
    });
}

/// Moves the return form a step; on reaching the summary, asks the server what the
/// return brings (`returns/quote`: the rule it applies to the return itself, so the
/// widget computes no amount). A newer quote's answer replaces an older one's.
fn step_to(cx: Ctx, form: &Element, forward: bool) {
    let Some(live) = cx.live.try_get_value() else {
        return;
    };
    let Some((to, summary)) = turn(cx, form, live.step.get(), forward) else {
        return;
    };
    live.step.set(to);
    let Some(summary) = summary else {
        return;
    };
    let url = [live.url.as_str(), "/returns/quote"].concat();
    let body = body(form, "returns", &[]);
    spawn_local(async move {
        let answer = send(&url, Some(body), &[]).await;
        if live.stopped.get() {
            return;
        }
        let quote = match answer {
            Ok(quote) => ReturnQuote::from_js(&quote).ok_or(false),
            Err(refusal) => Err(refusal.is_some()),
        };
        worth(cx, &summary, quote);
    });
}

/// The shopper's work in parcel `sid`'s form: kept in its draft, shown by redrawing the
/// form, sent when complete.
fn choose(cx: Ctx, live: &Live, sid: i64, what: Choice, target: &Element) {
    let (Some(order), Some(area)) = (cx.order(), target.closest(".pp-choice").ok().flatten())
    else {
        return;
    };
    let Some(s) = order.shipments.iter().find(|s| s.id == sid) else {
        return;
    };
    let mut focus_on = ["#", &target.id()].concat();
    let mut d = live.draft(sid);
    match what {
        Choice::Field(i, value) => {
            d.entries[i] = value;
            // Mended: the field's mark and message go as the shopper corrects it.
            if d.wrong >> i & 1 == 1 {
                d.wrong &= !(1 << i);
                for el in all(&area, &["[data-i=\"", &i.to_string(), "\"]"].concat()) {
                    attr(&el, "aria-invalid", "false");
                }
                if let Some(message) = find(&area, &["#", &id(sid, i, "e")].concat()) {
                    message.set_text_content(None);
                }
            }
            return;
        }
        Choice::Kind(kind) => d.kind = kind,
        Choice::Open => {
            d.open = true;
            d.wrong = 0;
            d.note = Note::Quiet;
            d.kind = s.choice.as_ref().map(|c| c.kind);
            if let Some(c) = &s.choice {
                d.entries = crate::parcels::entries(c);
            }
            focus_on = "form input".into();
        }
        Choice::Cancel => {
            d.open = false;
            focus_on = ["#", &control(sid, "open")].concat();
        }
        Choice::Clear => {
            drop(d);
            return save(cx, area, sid, None);
        }
        Choice::Save => {
            let offered = offer(cx.t, &cx.formats(&order.currency), &order, s, false);
            match d
                .kind
                .or(offered.kinds.first().copied())
                .map(|k| offered.check(k, &d.entries))
            {
                Some(Ok(choice)) => {
                    drop(d);
                    return save(cx, area, sid, Some(choice));
                }
                Some(Err(wrong)) => {
                    d.wrong = wrong;
                    d.note = Note::Refused(Key::ErrorFields);
                }
                None => return,
            }
            focus_on = "[aria-invalid=true]".into();
        }
    }
    drop(d);
    redraw(cx, &order, sid, &area);
    focus(find(&area, &focus_on).or_else(|| find(&area, "form input, form button")));
}

/// Draws parcel `sid`'s form again from its draft, in `area`; returns what it says.
fn redraw(cx: Ctx, order: &OrderView, sid: i64, area: &Element) -> String {
    let (Some(s), Some(live)) = (
        order.shipments.iter().find(|s| s.id == sid),
        cx.live.try_get_value(),
    ) else {
        return String::new();
    };
    let draft = live.draft(sid).clone();
    form(cx.t, &cx.formats(&order.currency), order, s, &draft, area)
}

/// Sends parcel `sid`'s choice (`None` clears it), on condition that it is still as shown.
/// The same body after no answer goes with the same idempotency key. After a conflict
/// the order is loaded again, and what the shopper typed stays in the open form.
fn save(cx: Ctx, area: Element, sid: i64, choice: Option<DeliveryChoice>) {
    let (Some(live), Some(order)) = (cx.live.try_get_value(), cx.order()) else {
        return;
    };
    let Some(etag) = order
        .shipments
        .iter()
        .find(|s| s.id == sid)
        .map(|s| s.choice_etag.clone())
    else {
        return;
    };
    let body = choice_body(choice);
    // Kept under the path it is sent to, as the follow-ups' bodies are.
    let what = ["shipments/", &sid.to_string(), "/choice"].concat();
    let key = live.key(&what, &body);
    {
        let mut d = live.draft(sid);
        d.wrong = 0;
        d.note = Note::Saving;
    }
    pending(&area, cx.t.get(Key::ChoiceSaving));
    spawn_local(async move {
        let result = post_choice(&live.url, sid, &etag, &key, body).await;
        if live.stopped.get() {
            return;
        }
        let ok = result.is_ok();
        let mut reload = true;
        let answer = {
            let mut d = live.draft(sid);
            match result {
                Ok(order) => {
                    live.answered(&what);
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
                        live.answered(&what);
                        d.wrong = field_mask(&FIELDS, r.fields.iter().map(|f| f.field.as_str()));
                    }
                    d.note = Note::Refused(key);
                    None
                }
            }
        };
        match answer {
            Some(order) => cx.show(order),
            None if reload => {
                let _ = cx.refresh(false).await;
            }
            None => {}
        }
        // The screen draws the new order in a task of its own: after it, the form is
        // drawn from its draft and the keyboard lands on what comes next ("Change", or
        // the field to mend).
        drawn().await;
        if live.stopped.get() {
            return;
        }
        let _ = area.remove_attribute("aria-busy");
        let Some(order) = cx.order() else {
            return;
        };
        let note = redraw(cx, &order, sid, &area);
        focus(if ok {
            find(&area, &["#", &control(sid, "open")].concat())
        } else {
            find(&area, "[aria-invalid=true]")
        });
        // The form's own status line was drawn anew, and a status that arrives with its
        // new element is not reliably read out: say a saved choice or a reload in the
        // widget's live region. (A refusal shown in place is read from the status line.)
        if ok || reload {
            cx.said.set(note);
        }
    });
}

/// A form waiting for the API's answer: busy, every button in `area` off, the one that
/// sends it `saying` so.
fn pending(area: &Element, saying: &str) {
    attr(area, "aria-busy", "true");
    for b in all(area, "button") {
        attr(&b, "disabled", "");
        if b.get_attribute("type").as_deref() == Some("submit") {
            b.set_text_content(Some(saying));
        }
    }
}

/// Opens follow-up module `m` in `section` (closing the one open), or closes it when
/// open; its data is fetched the first time it opens.
pub(crate) fn toggle(cx: Ctx, section: &Element, m: Module) {
    let Some(live) = cx.live.try_get_value() else {
        return;
    };
    let open = (live.open.get() != Some(m)).then_some(m);
    live.open.set(open);
    more::expand(section, open);
    if let Some(panel) = open
        .filter(|m| live.loaded.get() & 1 << *m as u16 == 0)
        .and_then(|m| find(section, &["#pp-m-", more::NAMES[m as usize]].concat()))
    {
        load(cx, panel, m, None);
    }
}

/// The follow-ups section for `order`, with the module that fits its stage open.
pub(crate) fn follow_ups(cx: Ctx, order: &OrderView) -> Element {
    let (section, lead) = more::section(cx.t, order);
    if let (Some(live), Some(m)) = (cx.live.try_get_value(), lead) {
        live.open.set(None);
        live.loaded.set(0);
        toggle(cx, &section, m);
    }
    section
}

/// Fetches module `m`'s data and draws it into `panel`; then gives the keyboard to
/// `then` (a selector) if given.
fn load(cx: Ctx, panel: Element, m: Module, then: Option<String>) {
    let Some(live) = cx.live.try_get_value() else {
        return;
    };
    let bit = 1 << m as u16;
    live.loaded.set(live.loaded.get() | bit);
    attr(&panel, "aria-busy", "true");
    if panel.child_element_count() == 0 {
        attr(
            &add(&panel, "p", "pp-note", cx.t.get(Key::MoreLoading)),
            "role",
            "status",
        );
    }
    let url = [live.url.as_str(), "/", more::NAMES[m as usize]].concat();
    // The shop's own words come in the widget's language where the shop gave them.
    let language = cx.t.code();
    spawn_local(async move {
        let result = send(&url, None, &[("Accept-Language", language)]).await;
        if live.stopped.get() {
            return;
        }
        let _ = panel.remove_attribute("aria-busy");
        panel.set_text_content(None);
        // A return form drawn anew starts at its first step.
        if m == Module::Returns {
            live.step.set(0);
        }
        let drawn = match result {
            Ok(data)
                if matches!(
                    m,
                    Module::Loyalty
                        | Module::Care
                        | Module::Pairs
                        | Module::Unboxing
                        | Module::Upgrade
                ) =>
            {
                later(cx, &panel, m, &data)
            }
            Ok(data) => more::draw(cx, &panel, m, &data),
            Err(_) => {
                more::failed(cx.t, &panel);
                false
            }
        };
        // Closing and opening again retries.
        if !drawn {
            live.loaded.set(live.loaded.get() & !bit);
        }
        if let Some(selector) = then {
            focus(find(&panel, &selector));
        }
    });
}

/// Hands a follow-up of the week after delivery (loyalty, care, goes well with, unboxing)
/// to the loader, whose after-delivery module draws it; this bundle carries none of their
/// weight. While that module loads the panel says so; if it cannot load, or cannot read
/// the answer, the panel says so as a failed load does and opening it again retries.
fn later(cx: Ctx, panel: &Element, m: Module, data: &JsValue) -> bool {
    let (Some(live), Some(order)) = (cx.live.try_get_value(), cx.order()) else {
        return false;
    };
    attr(
        &add(panel, "p", "pp-note", cx.t.get(Key::MoreLoading)),
        "role",
        "status",
    );
    attr(panel, "aria-busy", "true");
    let args = js_sys::Array::of4(
        panel,
        &more::NAMES[m as usize].into(),
        data,
        &order.currency.as_str().into(),
    );
    let Some(Ok(drawn)) = live.later.as_ref().map(|f| f.apply(&JsValue::NULL, &args)) else {
        let _ = panel.remove_attribute("aria-busy");
        panel.set_text_content(None);
        more::failed(cx.t, panel);
        return false;
    };
    let panel = panel.clone();
    spawn_local(async move {
        let failed = JsFuture::from(js_sys::Promise::from(drawn)).await.is_err();
        let _ = panel.remove_attribute("aria-busy");
        if failed {
            panel.set_text_content(None);
            more::failed(cx.t, &panel);
            live.loaded.set(live.loaded.get() & !(1 << m as u16));
        }
    });
    true
}

/// Sends the photos chosen in `form` (one at a time, each kept by the server for the
/// order), then the form with their ids. A photo refused says why beside its field and
/// sends nothing; sent again, a photo already kept is the same one.
fn send_photos(cx: Ctx, form: Element, path: String) {
    let (t, Some(live)) = (cx.t, cx.live.try_get_value()) else {
        return;
    };
    let chosen: Vec<(Element, Vec<JsValue>)> = all(&form, "input[type=file]:not(:disabled)")
        .into_iter()
        .map(|input| {
            let files = more::files(&input);
            (input, files)
        })
        .filter(|(_, files)| !files.is_empty())
        .collect();
    if chosen.is_empty() {
        let body = body(&form, &path, &[]);
        return post(cx, form, path, body);
    }
    let buttons = all(&form, "button");
    for b in &buttons {
        attr(b, "disabled", "");
    }
    let note = find(&form, ".pp-notice");
    if let Some(note) = &note {
        note.set_text_content(Some(t.get(Key::PhotosSending)));
    }
    let url = [live.url.as_str(), "/photos"].concat();
    spawn_local(async move {
        let mut ids = Vec::new();
        let mut refused = None;
        'each: for (input, files) in &chosen {
            let name = input.get_attribute("name").unwrap_or_default();
            for file in files {
                match crate::api::upload(&url, file).await {
                    Ok(photo) => ids.push((name.clone(), field(&photo, "id").unwrap_or_default())),
                    Err(refusal) => {
                        refused = Some((input.clone(), refusal));
                        break 'each;
                    }
                }
            }
        }
        if live.stopped.get() {
            return;
        }
        for b in &buttons {
            let _ = b.remove_attribute("disabled");
        }
        let Some((input, refusal)) = refused else {
            let body = body(&form, &path, &ids);
            return post(cx, form, path, body);
        };
        let says = match refusal.as_ref().map(|r| r.code.as_str()) {
            Some("payload_too_large") => t.get(Key::PhotosTooBig),
            Some("photo_type" | "photo_damaged" | "photo_size") => t.get(Key::PhotosWrong),
            _ => t.get(Key::MoreError),
        };
        mark(&input, says);
        if let Some(note) = &note {
            note.set_text_content(Some(says));
        }
        focus(Some(input));
        drawn().await;
        cx.said.set(says.to_owned());
    });
}

/// Posts `body` to `path` under the order's, `from` a form or button of a module's panel;
/// then draws the module anew from the answer (or, for returns, from a fresh load).
fn post(cx: Ctx, from: Element, path: String, body: String) {
    let (t, Some(live)) = (cx.t, cx.live.try_get_value()) else {
        return;
    };
    let (Some(panel), Some(section)) = (
        from.closest(".pp-panel").ok().flatten(),
        from.closest(".pp-more").ok().flatten(),
    ) else {
        return;
    };
    let m = match split_once_at(&path, b'/').map_or(path.as_str(), |(head, _)| head) {
        "returns" => Module::Returns,
        "reviews" => Module::Reviews,
        _ => Module::Survey,
    };
    // One key per intended change: sent again after no answer, it makes one return.
    let key = live.key(&path, &body);
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
    let url = [live.url.as_str(), "/", &path].concat();
    spawn_local(async move {
        let headers = [
            ("Idempotency-Key", key.as_str()),
            ("Accept-Language", t.code()),
        ];
        let result = send(&url, Some(body), &headers).await;
        if live.stopped.get() {
            return;
        }
        if !matches!(result, Err(None)) {
            live.answered(&path);
        }
        for b in &buttons {
            let _ = b.remove_attribute("disabled");
        }
        if let (Some(b), Some(label)) = (&submit, label) {
            b.set_text_content(Some(&label));
        }
        let mut note = find(&from, ".pp-notice");
        let said = match result {
            Ok(answer) if m == Module::Returns => {
                let number: String = field(&answer, "number").unwrap_or_default();
                load(cx, panel.clone(), m, Some(["#pp-rt-", &number].concat()));
                if path == "returns" {
                    t.fill(Key::ReturnsDone, &number)
                } else {
                    String::new()
                }
            }
            Ok(answer) => {
                let _ = more::draw(cx, &panel, m, &answer);
                // Seen as well as heard: beside the form when it is drawn again, else where
                // the answered question was. The live region below says it, so this line
                // is no live region of its own.
                let shown = find(
                    &panel,
                    &["form[data-post=\"", &path, "\"] .pp-notice"].concat(),
                )
                .unwrap_or_else(|| {
                    let line = make("p", "pp-notice");
                    let _ = panel.prepend_with_node_1(&line);
                    line
                });
                let _ = shown.remove_attribute("role");
                note = Some(shown);
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
            }
            Err(Some(refusal)) if refusal.code == "invalid_fields" && m != Module::Returns => {
                for wrong in &refusal.fields {
                    let name = &wrong.field;
                    if let Some(el) = find(&from, &["[name=\"", name, "\"]"].concat()) {
                        mark(&el, t.get(Key::MoreRequired));
                    }
                }
                focus(find(&from, "[aria-invalid=true]"));
                t.get(Key::ErrorFields).to_owned()
            }
            Err(Some(_)) => {
                // Answered or changed elsewhere, or no longer possible: show what is.
                load(cx, panel.clone(), m, None);
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
        drawn().await;
        cx.said.set(said);
    });
}

/// Asks before a return is cancelled: the question above the buttons (and said), the
/// cancel button now its "yes", and "No, keep it" beside it.
fn ask_to_cancel(cx: Ctx, button: &Element, number: &str) {
    let Some(row) = button.parent_element() else {
        return;
    };
    let question = cx.t.fill(Key::ReturnsCancelAsk, number);
    let line = make("p", "pp-notice");
    attr(&line, "data-ask", "");
    line.set_text_content(Some(&question));
    let _ = row.before_with_node_1(&line);
    attr(button, "data-sure", "");
    button.set_text_content(Some(cx.t.get(Key::ReturnsCancelSure)));
    let keep = add(
        &row,
        "button",
        "pp-button pp-button-quiet",
        cx.t.get(Key::ReturnsKeep),
    );
    for (k, v) in [
        ("type", "button"),
        ("part", "button"),
        ("data-act", "m-keep"),
    ] {
        attr(&keep, k, v);
    }
    cx.said.set(question);
}

/// Copies the referral link on `button` to the clipboard, and says whether it worked.
fn copy(cx: Ctx, button: &Element) {
    cx.report("link_copied", None);
    let t = cx.t;
    let url = button.get_attribute("data-url").unwrap_or_default();
    let navigator = window().navigator();
    let clipboard = get(&navigator, "clipboard");
    let write = get(&clipboard, "writeText").dyn_into::<Function>().ok();
    let promise = write.and_then(|w| w.call1(&clipboard, &url.into()).ok());
    let note = button
        .closest(".pp-panel")
        .ok()
        .flatten()
        .and_then(|panel| find(&panel, ".pp-panel > .pp-notice"));
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

/// Opens the browser's share sheet with the referral message on `button`.
fn share(cx: Ctx, button: &Element) {
    let navigator = window().navigator();
    let data = Object::new();
    for key in ["text", "url"] {
        let value = button
            .get_attribute(&["data-", key].concat())
            .unwrap_or_default();
        set(&data, key, value);
    }
    let share = get(&navigator, "share").dyn_into::<Function>().ok();
    if let Some(p) = share.and_then(|s| s.call1(&navigator, &data).ok()) {
        // A shopper who closes the share sheet is no error, and shared nothing.
        spawn_local(async move {
            if JsFuture::from(js_sys::Promise::from(p)).await.is_ok() {
                cx.report("shared", None);
            }
        });
    }
}
