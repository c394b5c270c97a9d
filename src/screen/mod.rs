//! What the shopper sees: the skeleton while the order loads, the order card, or why it
//! cannot be shown. Every text comes from [`crate::i18n::Texts`], every number from
//! [`crate::intl::Formats`]; nothing the API returns is ever parsed as HTML.
//!
//! Everything is drawn with plain DOM calls ([`crate::dom`]) rather than leptos `view!`,
//! which leptos 0.8 expands to the same builder calls plus a typed tree per view: each
//! distinct tree is code of its own in the wasm. Measured on one small module (the
//! referral panel, a dozen elements) built both ways: 81,192 B of wasm (brotli) with the
//! builder calls, 82,765 B with `view!` (+1,573 B). The card gave back 8 KB when it left
//! `view!`, the shell 1,599 B; leptos runs the signals, effects and clean-up.
//!
//! Only what changed is redrawn. The card keeps its parts ([`Card`]); a newer version of
//! the order replaces a part only when what it shows differs, a parcel's facts apart from
//! its choice area, and the follow-ups section is drawn once. So a re-check that changes
//! one parcel leaves typing, the keyboard and open panels everywhere else alone.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use postpurchase_api::OrderView;
use web_sys::Element;

use crate::api::LoadError;
use crate::dom::is_web_url;
use crate::dom::{add, attr};
use crate::i18n::Key;
use crate::state::{Ctx, Load};

mod card;
pub(crate) mod changes;
pub(crate) mod parcels;

/// The order card as drawn: the order it shows and its parts, each redrawn on its own.
struct Card {
    order: Rc<OrderView>,
    head: Element,
    /// Holds the parcels section, once there is one.
    parcels_host: Element,
    parcels: Option<parcels::Parcels>,
    items: Element,
    totals: Element,
    delivery: Element,
    help: Element,
    /// Changing the order before it ships.
    change: Element,
}

/// What is on the screen: the card, or something drawn whole (skeleton, failure).
enum Shown {
    Card(Card),
    Other,
}

/// Draws what the widget shows into `host` whenever the state changes, until the widget
/// goes. `more` draws the follow-ups section, once per card (it lives with the actions,
/// which open its panels).
pub(crate) fn body(host: Element, cx: Ctx, more: fn(Ctx, &OrderView) -> Element) {
    // First drawn at once (the loader's skeleton is gone by now), then on every change.
    let shown = RefCell::new(Shown::Other);
    let drawing = RenderEffect::new(move |_| {
        let mut shown = shown.borrow_mut();
        *shown = match (cx.state.get(), std::mem::replace(&mut *shown, Shown::Other)) {
            (Load::Ready(order), Shown::Card(mut card)) => {
                card.update(cx, order);
                Shown::Card(card)
            }
            (Load::Ready(order), Shown::Other) => {
                host.set_text_content(None);
                Shown::Card(Card::draw(cx, &host, order, more))
            }
            (Load::Loading, _) => {
                host.set_text_content(None);
                skeleton(cx, &host);
                Shown::Other
            }
            (Load::Failed(error), _) => {
                host.set_text_content(None);
                failure(cx, &host, error);
                Shown::Other
            }
        };
    });
    on_cleanup(move || drop(drawing));
}

/// Grey blocks in the shape of the card, as the loader shows before.
fn skeleton(cx: Ctx, host: &Element) {
    let bones = add(host, "div", "pp-skeleton", "");
    attr(&bones, "role", "status");
    attr(&bones, "part", "skeleton");
    add(
        &bones,
        "span",
        "pp-visually-hidden",
        cx.t.get(Key::LoaderLoading),
    );
    for class in [
        "pp-bone pp-bone-title",
        "pp-bone",
        "pp-bone pp-bone-short",
        "pp-bone pp-bone-item",
        "pp-bone pp-bone-item",
    ] {
        add(&bones, "span", class, "");
    }
}

/// Why the order cannot be shown, the shop's own page, and a retry where it may help.
fn failure(cx: Ctx, host: &Element, error: LoadError) {
    let t = cx.t;
    let box_ = add(host, "div", "pp-failure", "");
    attr(&box_, "role", "alert");
    attr(&box_, "part", "failure");
    let message = match error {
        LoadError::NotFound => Key::ErrorNotFound,
        LoadError::Unavailable => Key::LoaderTitle,
    };
    add(&box_, "p", "pp-failure-title", t.get(message));
    add(&box_, "p", "", t.get(Key::LoaderBody));
    let row = add(&box_, "p", "pp-actions", "");
    let page = cx.live.with_value(|l| l.order_page.clone());
    if let Some(url) = page.as_deref().filter(|u| is_web_url(u)) {
        let link = add(&row, "a", "pp-button", t.get(Key::LoaderLink));
        attr(&link, "part", "button");
        attr(&link, "href", url);
    }
    // Trying again cannot bring back an order the API does not know.
    if error == LoadError::Unavailable {
        let again = add(
            &row,
            "button",
            "pp-button pp-button-quiet",
            t.get(Key::LoaderRetry),
        );
        attr(&again, "type", "button");
        attr(&again, "part", "button");
        attr(&again, "data-act", "retry");
    }
}

impl Card {
    fn draw(
        cx: Ctx,
        host: &Element,
        order: Rc<OrderView>,
        more: fn(Ctx, &OrderView) -> Element,
    ) -> Card {
        let (t, f) = (cx.t, cx.formats(&order.currency));
        let card = add(host, "article", "pp-card", "");
        attr(&card, "part", "card");
        attr(&card, "aria-labelledby", "pp-title");
        let put = |el: Element| {
            let _ = card.append_child(&el);
            el
        };
        let head = put(card::head(t, &f, &order));
        let parcels_host = add(&card, "div", "pp-wide", "");
        let parcels = draw_parcels(cx, &order, &parcels_host);
        let items = put(card::items(t, &f, &order));
        let totals = put(card::totals(t, &f, &order));
        // While the shopper may still change the order, that comes before the follow-ups.
        let change = put(changes::part());
        draw_change(cx, &order, &change);
        let _ = add(&card, "div", "pp-wide", "").append_child(&more(cx, &order));
        let delivery = put(card::delivery(t, &f, &order));
        let help = put(card::help(t, &order));
        Card {
            order,
            head,
            parcels_host,
            parcels,
            items,
            totals,
            delivery,
            help,
            change,
        }
    }

    /// Shows `order`, a newer version of the one shown, redrawing only what changed.
    fn update(&mut self, cx: Ctx, order: Rc<OrderView>) {
        let (t, f) = (cx.t, cx.formats(&order.currency));
        let old = std::mem::replace(&mut self.order, order.clone());
        let (old, new) = (&*old, &*order);
        let money = old.currency != new.currency;
        let swap = |el: &mut Element, drawn: Element| {
            let _ = el.replace_with_with_node_1(&drawn);
            *el = drawn;
        };
        if (&old.number, &old.placed_at, &old.customer, old.stage)
            != (&new.number, &new.placed_at, &new.customer, new.stage)
        {
            swap(&mut self.head, card::head(t, &f, new));
        }
        self.update_parcels(cx, old, new);
        if money || old.items != new.items {
            swap(&mut self.items, card::items(t, &f, new));
        }
        if money || old.totals != new.totals {
            swap(&mut self.totals, card::totals(t, &f, new));
        }
        if (&old.delivery_address, &old.promised_delivery)
            != (&new.delivery_address, &new.promised_delivery)
        {
            swap(&mut self.delivery, card::delivery(t, &f, new));
        }
        if old.shop != new.shop {
            swap(&mut self.help, card::help(t, new));
        }
        if old.changes != new.changes {
            draw_change(cx, new, &self.change);
        }
    }

    /// The parcels: each one's facts and choice area redrawn apart, when they changed; the
    /// whole section when parcels came or went (or the items they hold were renamed).
    fn update_parcels(&mut self, cx: Ctx, old: &OrderView, new: &OrderView) {
        let same = |a: &OrderView, b: &OrderView| {
            a.shipments
                .iter()
                .map(|s| s.id)
                .eq(b.shipments.iter().map(|s| s.id))
        };
        let (Some(drawn), true) = (
            &self.parcels,
            same(old, new) && old.items == new.items && old.currency == new.currency,
        ) else {
            self.parcels_host.set_text_content(None);
            self.parcels = draw_parcels(cx, new, &self.parcels_host);
            return;
        };
        let (t, f) = (cx.t, cx.formats(&new.currency));
        let Some(live) = cx.live.try_get_value() else {
            return;
        };
        let mut news = false;
        for (n, ((s, o), (_, li, area))) in new
            .shipments
            .iter()
            .zip(&old.shipments)
            .zip(&drawn.parcels)
            .enumerate()
        {
            if s != o {
                news = true;
                let history = live.histories.borrow().contains(&s.id);
                parcels::facts(t, &f, new, n, s, li, history);
            }
            if parcels::choice_changed(old, o, new, s) {
                let draft = live.draft(s.id).clone();
                parcels::choice(t, &f, new, s, &draft, area);
            }
        }
        if news {
            drawn.progress(t, new);
        }
    }
}

/// Draws the part for changing `order` into its element `el`, from what the shopper is
/// asking (see [`changes::draw`]).
pub(crate) fn draw_change(cx: Ctx, order: &OrderView, el: &Element) {
    if let Some(live) = cx.live.try_get_value() {
        let f = cx.formats(&order.currency);
        changes::draw(cx.t, &f, order, &live.asking.borrow(), el);
    }
}

/// The parcels section into `host`, if there are parcels.
fn draw_parcels(cx: Ctx, order: &OrderView, host: &Element) -> Option<parcels::Parcels> {
    let live = cx.live.try_get_value()?;
    let f = cx.formats(&order.currency);
    let drawn = parcels::section(cx.t, &f, order, &|sid| live.draft(sid).clone(), &|sid| {
        live.histories.borrow().contains(&sid)
    })?;
    let _ = host.append_child(&drawn.section);
    Some(drawn)
}
