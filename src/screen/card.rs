//! The order card's parts apart from its parcels and follow-ups: the head, the items, the
//! totals, where it goes, and how to reach the shop. Each is drawn whole, detached, and
//! put in place by [`super::Card`], which redraws a part only when what it shows changed.

use postpurchase_api::{OrderStage, OrderView, ShopContact};
use web_sys::Element;

use crate::dom::{add, attr, make};
use crate::dom::{is_web_url, thumbnail};
use crate::i18n::{joined, Key, Texts};
use crate::intl::Formats;
use crate::parcels::Arrival;

/// A section of the card titled `title`, its `part` also naming its heading's id.
fn section(part: &str, t: Texts, title: Key) -> Element {
    let el = make("section", "pp-section");
    attr(&el, "part", part);
    attr(&el, "aria-labelledby", &["pp-", part].concat());
    attr(
        &add(&el, "h3", "pp-heading", t.get(title)),
        "id",
        &["pp-", part].concat(),
    );
    el
}

fn stage_key(stage: OrderStage) -> Key {
    match stage {
        OrderStage::Processing => Key::StageProcessing,
        OrderStage::PartiallyShipped => Key::StagePartiallyShipped,
        OrderStage::Shipped => Key::StageShipped,
        OrderStage::OutForDelivery => Key::StageOutForDelivery,
        OrderStage::Delivered => Key::StageDelivered,
        OrderStage::Cancelled => Key::StageCancelled,
        OrderStage::ActionNeeded => Key::StageActionNeeded,
        OrderStage::Returning => Key::StageReturning,
        OrderStage::ReadyForPickup => Key::StageReadyForPickup,
    }
}

/// When the order arrives, in words, and what to call it: the one answer of
/// [`crate::parcels::arrival`], for the head and the delivery facts alike.
fn arrival(f: &Formats, order: &OrderView) -> Option<(Key, String)> {
    Some(match crate::parcels::arrival(order)? {
        Arrival::Delivered(at) => (Key::DeliveryDelivered, f.day(at)),
        Arrival::Expected(from, to) => (Key::DeliveryExpected, f.moments(from, to)),
        Arrival::Promised(from, to) => (Key::DeliveryExpected, f.window(from, to)),
    })
}

/// The head: the order's number and date, the greeting, where the order stands.
pub(super) fn head(t: Texts, f: &Formats, order: &OrderView) -> Element {
    let head = make("header", "pp-head");
    attr(&head, "part", "header");
    let meta = add(&head, "p", "pp-meta", "");
    add(&meta, "span", "", &t.fill(Key::OrderNumber, &order.number));
    add(
        &meta,
        "span",
        "",
        &t.fill(Key::OrderPlaced, &f.day(&order.placed_at)),
    );
    let greeting = if order.customer.returning {
        Key::ThanksReturning
    } else {
        Key::ThanksFirst
    };
    let title = add(
        &head,
        "h2",
        "pp-title",
        &t.fill(greeting, &order.customer.first_name),
    );
    attr(&title, "id", "pp-title");
    attr(&title, "part", "title");
    let stage = add(&head, "p", "pp-stage", t.get(stage_key(order.stage)));
    attr(&stage, "part", "stage");
    attr(&stage, "data-stage", order.stage.as_str());
    if let Some(when) = arrival(f, order) {
        let key = match when.0 {
            Key::DeliveryDelivered => Key::OrderDelivered,
            _ => Key::OrderExpected,
        };
        attr(
            &add(&head, "p", "pp-arrival", &t.fill(key, &when.1)),
            "part",
            "arrival",
        );
    }
    add(
        &head,
        "p",
        "pp-note",
        &t.fill(Key::OrderEmail, &order.customer.email_masked),
    );
    head
}

/// What was bought.
pub(super) fn items(t: Texts, f: &Formats, order: &OrderView) -> Element {
    let section = section("items", t, Key::ItemsTitle);
    let list = add(&section, "ul", "pp-items", "");
    attr(&list, "role", "list");
    for item in &order.items {
        let li = add(&list, "li", "pp-item", "");
        attr(&li, "part", "item");
        if thumbnail(&li, item.image_url.as_deref()).is_none() {
            attr(
                &add(&li, "span", "pp-thumb pp-thumb-empty", ""),
                "part",
                "thumbnail",
            );
        }
        let text = add(&li, "div", "pp-item-text", "");
        add(&text, "p", "pp-item-name", &item.name);
        if let Some(v) = &item.variant {
            add(&text, "p", "pp-item-variant", v);
        }
        let mut quantity = t.fill(Key::ItemsQuantity, &item.quantity.to_string());
        if item.quantity > 1 {
            let each = t.fill(Key::ItemsEach, &f.money(item.unit_price));
            quantity = joined(&[Some(&quantity), Some(&each)], " · ");
        }
        add(&text, "p", "pp-item-quantity", &quantity);
        add(&li, "p", "pp-item-price", &f.money(item.line_total));
    }
    section
}

/// What it cost.
pub(super) fn totals(t: Texts, f: &Formats, order: &OrderView) -> Element {
    let totals = &order.totals;
    let section = section("totals", t, Key::TotalsTitle);
    let rows = add(&section, "dl", "pp-totals", "");
    let shipping = if totals.shipping == 0 {
        t.get(Key::TotalsFree).to_owned()
    } else {
        f.money(totals.shipping)
    };
    for (key, value, shown) in [
        (Key::TotalsSubtotal, f.money(totals.subtotal), true),
        (Key::TotalsShipping, shipping, true),
        (
            Key::TotalsDiscount,
            f.money(-totals.discount.abs()),
            totals.discount != 0,
        ),
        (Key::TotalsTax, f.money(totals.tax), totals.tax != 0),
        (Key::TotalsTotal, f.money(totals.total), true),
    ] {
        if shown {
            let class = if key == Key::TotalsTotal {
                "pp-row pp-total"
            } else {
                "pp-row"
            };
            let row = add(&rows, "div", class, "");
            add(&row, "dt", "", t.get(key));
            add(&row, "dd", "", &value);
        }
    }
    section
}

/// Where it goes, and when it is expected.
pub(super) fn delivery(t: Texts, f: &Formats, order: &OrderView) -> Element {
    let section = section("delivery", t, Key::DeliveryTitle);
    let facts = add(&section, "dl", "pp-facts", "");
    add(&facts, "dt", "", t.get(Key::DeliveryAddress));
    let address = add(&add(&facts, "dd", "", ""), "address", "pp-address", "");
    let a = &order.delivery_address;
    for line in [
        a.name.clone(),
        a.street.clone(),
        [a.postcode.as_str(), " ", &a.city].concat(),
        f.country(&a.country),
    ] {
        add(&address, "span", "", &line);
    }
    if let Some((key, when)) = arrival(f, order) {
        add(&facts, "dt", "", t.get(key));
        add(&facts, "dd", "pp-expected", &when);
    }
    section
}

/// How to reach the shop.
pub(super) fn help(t: Texts, order: &OrderView) -> Element {
    let section = section("help", t, Key::HelpTitle);
    contact(t, &order.shop, &section);
    section
}

/// The ways to reach the shop, as a list of links in `parent`: here and beside a parcel's
/// next step.
pub(crate) fn contact(t: Texts, shop: &ShopContact, parent: &Element) {
    let links = add(parent, "ul", "pp-links", "");
    attr(&links, "role", "list");
    let phone: Option<String> = shop.support_phone.as_ref().map(|p| {
        p.chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect()
    });
    // Each way there is, in this order; by hand, an iterator adapter is code of its own.
    let link = |href: &str, text: &str| {
        attr(
            &add(&add(&links, "li", "", ""), "a", "", text),
            "href",
            href,
        );
    };
    if let Some(e) = &shop.support_email {
        link(
            &["mailto:", e].concat(),
            &t.fill(Key::HelpEmail, &shop.name),
        );
    }
    if let (Some(digits), Some(p)) = (phone, &shop.support_phone) {
        link(&["tel:", &digits].concat(), &t.fill(Key::HelpPhone, p));
    }
    if let Some(u) = shop.support_url.as_ref().filter(|u| is_web_url(u)) {
        link(u, t.get(Key::HelpPage));
    }
}
