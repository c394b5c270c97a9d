//! The card's part for changing the order before it ships: what the shopper may still ask
//! the shop (to cancel the order, or to deliver it elsewhere in its country) and until
//! when, the question or form they opened, and where their latest request stands. Drawn
//! whole into the part's one element from the order's `changes` and the state's
//! [`Asking`]: by the card when `changes` differ, by the actions when the shopper opens,
//! closes or sends. What the shopper typed lives in the state, so a redraw keeps it.

use postpurchase_api::{house_number_needed, ChangeKind, OrderView};
use web_sys::Element;

use super::parcels::Paint;
use crate::dom::{add, attr, button, make, show};
use crate::i18n::{Key, Texts};
use crate::intl::Formats;
use crate::parcels::{change_says, ADDRESS_FIELDS, HOUSE_NUMBER};
use crate::state::Asking;

/// The new-address form's fields' `autocomplete` and most characters, in the order of
/// [`ADDRESS_FIELDS`].
const INPUTS: [(&str, &str); 5] = [
    ("name", "200"),
    ("address-line1", "200"),
    ("", "10"),
    ("postal-code", "12"),
    ("address-level2", "100"),
];

/// The new-address form's fields take the ids of a parcel there cannot be
/// (`pp-1-0`, its error line `pp-1-0e`, ...).
pub(crate) const FORM: i64 = -1;

/// The part's element, drawn by [`draw`].
pub(crate) fn part() -> Element {
    let el = make("section", "pp-section");
    attr(&el, "part", "change");
    attr(&el, "aria-labelledby", "ppc");
    el
}

/// Draws the part into `el`, hidden while it has nothing to say: the request's state in
/// words (and the shop's message, as text), the buttons for what may be asked, or the
/// question or form open, and what the last attempt came to.
pub(crate) fn draw(t: Texts, f: &Formats, order: &OrderView, a: &Asking, el: &Element) {
    el.set_text_content(None);
    let c = order.changes.as_ref();
    let (cancel, address) = c.map_or((false, false), |c| (c.cancel, c.address));
    let may = |k: &ChangeKind| {
        if *k == ChangeKind::Cancel {
            cancel
        } else {
            address
        }
    };
    let asking = cancel || address;
    let request = c.and_then(|c| c.request.as_ref());
    show(el, asking || request.is_some() || a.note.is_some());
    let title = if asking {
        Key::ChangeTitle
    } else {
        Key::ChangeAsked
    };
    let heading = add(el, "h3", "pp-heading", t.get(title));
    attr(&heading, "id", "ppc");
    // The keyboard lands here once the shopper has asked (the live region says how it went).
    attr(&heading, "tabindex", "-1");
    if let Some(r) = request {
        add(el, "p", "pp-expected", &change_says(t, r));
        if let Some(said) = &r.message {
            add(el, "p", "pp-note", said);
        }
    }
    if let Some(until) = c.and_then(|c| c.until.as_ref()).filter(|_| asking) {
        add(
            el,
            "p",
            "",
            &t.fill(Key::ChangeUntil, &f.moments(until, until)),
        );
    }
    match a.open.filter(may) {
        Some(open) => form(t, f, order, a, open, el),
        None => {
            let row = add(el, "p", "pp-actions", "");
            for (kind, key, act) in [
                (ChangeKind::Cancel, Key::ChangeCancel, "c-cancel"),
                (ChangeKind::Address, Key::ChangeAddress, "c-address"),
            ] {
                if may(&kind) {
                    button(&row, t.get(key), act, "button");
                }
            }
        }
    }
    // What the last attempt came to, after the fields it may be about. Not a live region:
    // the widget's own says it (see the actions).
    let notice = add(el, "p", "pp-notice", a.note.map_or("", |k| t.get(k)));
    attr(&notice, "part", "notice");
}

/// The question (to cancel) or the new-address form, drawn from what the shopper typed.
fn form(t: Texts, f: &Formats, order: &OrderView, a: &Asking, open: ChangeKind, el: &Element) {
    let form = add(el, "form", "pp-form", "");
    attr(&form, "novalidate", "");
    attr(&form, "data-act", "c-send");
    // Closing either leaves the order as it is: "Keep my order", never a bare "Cancel"
    // beside a question about cancelling.
    let sure = if open == ChangeKind::Cancel {
        attr(
            &add(&form, "p", "", t.get(Key::ChangeCancelAsk)),
            "tabindex",
            "-1",
        );
        Key::ChangeCancelSure
    } else {
        let country = &order.delivery_address.country;
        let p = Paint {
            t,
            sid: FORM,
            fields: &ADDRESS_FIELDS,
            entries: &a.entries,
            wrong: a.wrong,
        };
        for (i, (complete, max)) in INPUTS.iter().enumerate() {
            let input = p.text(&form, i, max);
            if !complete.is_empty() {
                attr(&input, "autocomplete", complete);
            }
            if i != HOUSE_NUMBER || house_number_needed(country) {
                attr(&input, "required", "");
            }
        }
        add(
            &form,
            "p",
            "",
            &t.fill(Key::ChangeCountry, &f.country(country)),
        );
        Key::ChangeSend
    };
    let row = add(&form, "p", "pp-actions", "");
    button(&row, t.get(sure), "", "submit");
    button(&row, t.get(Key::ChangeKeep), "c-close", "button");
}
