//! Returns: what can go back and why not, the returns made so far, and a new return in
//! five steps of one form, which keeps every answer going back and forth.

use postpurchase_api::{
    NotReturnable, Resolution, ReturnMethod, ReturnQuote, ReturnStatus, ReturnableLine,
};

use super::forms::*;
use super::*;
use crate::decode::Returns;

/// The text of each [`ReturnStatus`], in its declaration order.
const STATUS_KEYS: [Key; 7] = [
    Key::ReturnRequested,
    Key::ReturnApproved,
    Key::ReturnInTransit,
    Key::ReturnReceived,
    Key::ReturnRefunded,
    Key::ReturnRejected,
    Key::ReturnCancelled,
];
/// The return form's steps.
const STEPS: [Key; 5] = [
    Key::ReturnsItems,
    Key::ReturnsReasons,
    Key::ReturnsResolution,
    Key::ReturnsMethod,
    Key::ReturnsSummary,
];
/// The last step, the summary: sending the form there sends the return.
pub(crate) const LAST_STEP: usize = STEPS.len() - 1;

/// What the shopper gets, in words.
fn resolution(r: Resolution) -> Key {
    match r {
        Resolution::Refund => Key::ResolutionRefund,
        Resolution::StoreCredit => Key::ResolutionStoreCredit,
        Resolution::Exchange => Key::ResolutionExchange,
    }
}

/// How it goes back, in words.
fn method(m: ReturnMethod) -> Key {
    match m {
        ReturnMethod::DropOff => Key::MethodDropOff,
        ReturnMethod::Label => Key::MethodLabel,
        ReturnMethod::PickupPoint => Key::MethodPickupPoint,
    }
}

/// Why a line cannot go back.
fn why(reason: NotReturnable) -> Key {
    match reason {
        NotReturnable::NotDelivered => Key::ReturnsNotDelivered,
        NotReturnable::FinalSale => Key::ReturnsFinalSale,
        NotReturnable::WindowClosed => Key::ReturnsWindowClosed,
        NotReturnable::AllReturned => Key::ReturnsAllReturned,
    }
}

pub(super) fn returns(t: Texts, f: &Formats, order: &OrderView, panel: &Element, data: &Returns) {
    let name_of = |line: i64| {
        order
            .items
            .iter()
            .find(|i| i.id == line)
            .map(|i| i.name.as_str())
            .unwrap_or_default()
    };
    // The returns made so far, newest first.
    for r in data.returns.iter().rev() {
        let number = r.number.as_str();
        let wrap = add(panel, "div", "pp-return", "");
        attr(&wrap, "part", "return");
        let head = add(
            &wrap,
            "h5",
            "pp-subheading",
            &t.fill(Key::ReturnsNumber, number),
        );
        attr(&head, "id", &["pp-rt-", number].concat());
        attr(&head, "tabindex", "-1");
        if let Some(status) = r.status {
            add(&wrap, "p", "pp-status", t.get(STATUS_KEYS[status as usize]));
        }
        if let Some(message) = r.shop_message.as_deref().filter(|m| !m.is_empty()) {
            add(
                &wrap,
                "p",
                "pp-note",
                &t.fill_with(Key::ReturnsShopMessage, &[("message", message)]),
            );
        }
        let goods = add(&wrap, "ul", "pp-list", "");
        for i in &r.items {
            add(
                &goods,
                "li",
                "",
                &t.fill_with(
                    Key::ParcelItem,
                    &[
                        ("name", name_of(i.line_id)),
                        ("count", &i.quantity.to_string()),
                    ],
                ),
            );
        }
        // Money to come, unless nothing will come: a cancelled or rejected return.
        let ended = matches!(
            r.status,
            Some(ReturnStatus::Cancelled | ReturnStatus::Rejected)
        );
        if let Some(resolution) = r.resolution.filter(|_| !ended) {
            add(&wrap, "p", "", &amount(t, f, resolution, r.refund, r.bonus));
        }
        if !matches!(
            r.status,
            Some(ReturnStatus::Requested | ReturnStatus::Approved)
        ) {
            continue;
        }
        if let Some(m) = r.method {
            add(&wrap, "p", "pp-note", t.get(method(m)));
        }
        if let Some(qr) = r.qr_code_url.as_deref().filter(|u| is_image_url(u)) {
            let img = add(&wrap, "img", "pp-qr", "");
            for (k, v) in [
                ("src", qr),
                ("alt", &t.fill(Key::ReturnsQr, number)),
                ("width", "160"),
                ("height", "160"),
            ] {
                attr(&img, k, v);
            }
        }
        let row = add(&wrap, "p", "pp-actions", "");
        if let Some(label) = r.label_url.as_deref().filter(|u| is_web_url(u)) {
            let link = add(
                &row,
                "a",
                "pp-button pp-button-quiet",
                t.get(Key::ReturnsLabel),
            );
            attr(&link, "href", label);
            attr(&link, "target", "_blank");
            attr(&link, "part", "button");
        }
        attr(
            &button(&row, t.get(Key::ReturnsCancel), "m-cancel", "button"),
            "data-number",
            number,
        );
    }
    // Each item: whether it can go back, and why not. Only a line with pieces left to
    // return is offered; one whose reason this widget does not know says none.
    let list_el = add(panel, "ul", "pp-list pp-returnable", "");
    let mut open = Vec::new();
    for l in &data.lines {
        let li = add(&list_el, "li", "", &l.name);
        let note = if l.quantity > 0 {
            open.push(l);
            let closes = l.window_closes_at.as_deref().unwrap_or_default();
            t.fill(Key::ReturnsUntil, &f.day(closes))
        } else {
            l.reason
                .map(|r| t.get(why(r)))
                .unwrap_or_default()
                .to_owned()
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
    let bonus = data.store_credit_bonus;
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
            let line = l.line_id.to_string();
            let name = l.name.as_str();
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
                0 => {
                    // Each item with its picture, as in the item list.
                    let row = add(&part, "div", "pp-review-head", "");
                    thumbnail(&row, picture(order, l.line_id));
                    pick(t, &row, id, l);
                }
                1 => {
                    // The reasons for its kind of product; photos for those that take them.
                    let own = if l.reasons.is_empty() {
                        &data.reasons
                    } else {
                        &l.reasons
                    };
                    // Sent as the shop wrote them, read in the shopper's language.
                    let mut reasons = vec![choose()];
                    reasons.extend(
                        own.iter()
                            .map(|r| (r.clone(), crate::decode::said(&data.words, r).into())),
                    );
                    let name_r = ["r", &line].concat();
                    select(
                        &part,
                        id,
                        &name_r,
                        &t.fill(Key::ReturnsReason, name),
                        &reasons,
                    );
                    for option in all(&part, "option") {
                        let said = option.get_attribute("value").unwrap_or_default();
                        if data.photo_reasons.contains(&said) {
                            attr(&option, "data-photo", "");
                        }
                    }
                    if !data.photo_reasons.is_empty() {
                        let said = t.fill(Key::ReturnsPhotos, name);
                        let wrap = photos(&part, id, &["f", &line].concat(), &said);
                        attr(&wrap, "data-for", &name_r);
                        show(&wrap, false);
                    }
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
                        l.exchange_options
                            .iter()
                            .filter(|o| o.in_stock)
                            .map(|o| (o.sku.clone(), o.variant.clone())),
                    );
                    attr(&part, "data-variants", &(variants.len() - 1).to_string());
                    attr(&part, "data-name", name);
                    select(
                        &part,
                        id,
                        &["x", &line].concat(),
                        &t.fill(Key::ReturnsVariant, name),
                        &variants,
                    );
                }
                _ => {}
            }
        }
        match n {
            0 => error(&set, "pp-rf-items"),
            2 => {
                let choices = Resolution::ALL.map(|r| {
                    let label = match r {
                        Resolution::StoreCredit if bonus > 0 => {
                            t.fill(Key::ResolutionStoreCreditBonus, &bonus.to_string())
                        }
                        _ => t.get(resolution(r)).to_owned(),
                    };
                    (r.as_str().to_owned(), label)
                });
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
                // Why an exchange cannot be chosen, when it cannot: filled in by `sync`.
                let why = make("p", "pp-note");
                attr(&why, "id", "pp-rf-noswap");
                attr(&why, "data-says", t.get(Key::ReturnsNoExchange));
                show(&why, false);
                let _ = set.insert_before(&why, group_el.next_sibling().as_ref());
                if let Some(radio) = find(&group_el, "[value=exchange]") {
                    let tied = radio.get_attribute("aria-describedby").unwrap_or_default();
                    attr(
                        &radio,
                        "aria-describedby",
                        &[&tied, " pp-rf-noswap"].concat(),
                    );
                }
            }
            3 => {
                let choices =
                    ReturnMethod::ALL.map(|m| (m.as_str().into(), t.get(method(m)).into()));
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

/// What a return brings, in words, from the amounts the server worked out.
pub(super) fn amount(
    t: Texts,
    f: &Formats,
    resolution: Resolution,
    refund: i64,
    bonus: i64,
) -> String {
    match resolution {
        Resolution::StoreCredit => t.fill_with(
            Key::ReturnsCredit,
            &[
                ("amount", &f.money(refund + bonus)),
                ("bonus", &f.money(bonus)),
            ],
        ),
        Resolution::Exchange => t.get(Key::ReturnsSwap).to_owned(),
        Resolution::Refund => t.fill(Key::ReturnsRefund, &f.money(refund)),
    }
}

/// An item to tick and, when more than one piece can go back, a stepper for how many,
/// starting at all of them; switched on by the tick (see [`sync`]).
fn pick(t: Texts, parent: &Element, id: &str, l: &ReturnableLine) {
    let line = l.line_id.to_string();
    let wrap = add(parent, "div", "pp-pick", "");
    let label = add(&wrap, "label", "pp-option", "");
    let tick = add(&label, "input", "", "");
    let box_id = [id, "-p", &line].concat();
    for (k, v) in [
        ("type", "checkbox"),
        ("name", &["p", &line].concat()),
        ("id", &box_id),
        ("aria-describedby", &[id, "-items-e"].concat()),
    ] {
        attr(&tick, k, v);
    }
    add(&label, "span", "", &l.name);
    if l.quantity < 2 {
        return;
    }
    let count_id = [id, "-q", &line].concat();
    let max = l.quantity.to_string();
    let field = add(&wrap, "div", "pp-field pp-stepper", "");
    attr(&field, "data-for", &box_id);
    show(&field, false);
    let l_el = add(&field, "label", "", &t.fill(Key::ReturnsQuantity, &l.name));
    attr(&l_el, "for", &count_id);
    attr(&l_el, "part", "label");
    let row = add(&field, "div", "pp-steps", "");
    let nudge = |act: &str, sign: &str, key: Key| {
        let b = add(&row, "button", "pp-button pp-button-quiet", sign);
        for (k, v) in [
            ("type", "button"),
            ("data-act", act),
            ("aria-controls", &count_id),
            ("aria-label", t.get(key)),
            ("part", "button"),
        ] {
            attr(&b, k, v);
        }
    };
    nudge("m-less", "−", Key::ReturnsFewer);
    let count = add(&row, "input", "", "");
    for (k, v) in [
        ("type", "number"),
        ("id", &count_id),
        ("name", &["q", &line].concat()),
        ("min", "1"),
        ("max", &max),
        ("value", &max),
        ("inputmode", "numeric"),
        ("required", ""),
        ("disabled", ""),
        ("part", "input"),
        ("data-wrong", &t.fill(Key::ReturnsUpTo, &max)),
    ] {
        attr(&count, k, v);
    }
    tie(&count, &count_id);
    nudge("m-more", "+", Key::ReturnsMore);
    error(&field, &count_id);
}

/// The return form's lines, as `(line id, quantity chosen)`: each ticked item, with the
/// pieces its stepper says (one when it has none; 0 when what is typed is no number).
pub(super) fn chosen(form: &Element) -> Vec<(String, i64)> {
    all(form, "input[type=checkbox][name^=p]")
        .iter()
        .filter(|b| get(b, "checked").as_bool() == Some(true))
        .map(|b| {
            let name = b.get_attribute("name").unwrap_or_default();
            let line = name.trim_start_matches('p').to_owned();
            let q = find(form, &["[name=q", &line, "]"].concat())
                .map_or(Some(1), |s| get(&s, "value").as_string()?.parse().ok())
                .unwrap_or(0);
            (line, q)
        })
        .collect()
}

/// Steps a stepper's count by one, within its bounds; what to say of it (its label and
/// the count), since the keyboard stays on the button.
pub(crate) fn nudge(button: &Element, up: bool) -> Option<String> {
    let id = button.get_attribute("aria-controls")?;
    let count = find(&button.closest(".pp-steps").ok()??, &["#", &id].concat())?;
    let bound = |k: &str| count.get_attribute(k).and_then(|v| v.parse::<i64>().ok());
    let (low, high) = (bound("min").unwrap_or(1), bound("max").unwrap_or(1));
    let now = get(&count, "value")
        .as_string()
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(high);
    let next = (now + if up { 1 } else { -1 }).clamp(low, high);
    let _ = js_sys::Reflect::set(&count, &"value".into(), &next.to_string().into());
    mark(&count, "");
    let label = find(&count.closest(".pp-stepper").ok()??, "label")?.text_content()?;
    Some([label.as_str(), " ", &next.to_string()].concat())
}

/// Switches the return form's per-line parts on for the lines chosen (variants only for
/// an exchange), and offers an exchange only when every chosen line has a variant in stock.
pub(crate) fn sync(form: &Element) {
    let lines = chosen(form);
    // A ticked item's stepper, and the photos its reason takes.
    for part in all(form, ".pp-stepper[data-for], .pp-photos[data-for]") {
        let on = part
            .get_attribute("data-for")
            .and_then(|of| {
                let control = find(form, &["#", &of, ",[name=", &of, "]"].concat())?;
                Some(if control.tag_name() == "SELECT" {
                    find(&control, "option:checked")?.has_attribute("data-photo")
                } else {
                    get(&control, "checked").as_bool() == Some(true)
                })
            })
            .unwrap_or(false);
        show(&part, on);
        for input in all(&part, "input") {
            let _ = input.toggle_attribute_with_force("disabled", !on);
        }
    }
    let exchange = value(form, "resolution") == Resolution::Exchange.as_str();
    // Their names, joined as they come.
    let (mut stuck, mut any) = (String::new(), false);
    for part in all(form, "fieldset[data-line]") {
        let line = part.get_attribute("data-line").unwrap_or_default();
        let on = lines.iter().any(|(l, _)| *l == line);
        let variants = part.get_attribute("data-variants");
        if on && variants.as_deref() == Some("0") {
            if any {
                stuck.push_str(", ");
            }
            stuck.push_str(&part.get_attribute("data-name").unwrap_or_default());
            any = true;
        }
        let on = on && (variants.is_none() || exchange);
        let _ = part.toggle_attribute_with_force("disabled", !on);
        show(&part, on);
    }
    if let Some(radio) = find(
        form,
        &["[value=", Resolution::Exchange.as_str(), "]"].concat(),
    ) {
        let _ = radio.toggle_attribute_with_force("disabled", any);
    }
    // Said, not only greyed out: which items have no other variant in stock.
    if let Some(why) = find(form, "#pp-rf-noswap") {
        let says = why.get_attribute("data-says").unwrap_or_default();
        // Every "{names}" replaced, found by its brace: a char search, where `replace`
        // brought in the two-way substring search for this one place.
        let mut text = String::new();
        let mut rest = says.as_str();
        while let Some((before, after)) = crate::shared::split_once_at(rest, b'{') {
            text.push_str(before);
            rest = match after.strip_prefix("names}") {
                Some(tail) => {
                    text.push_str(&stuck);
                    tail
                }
                None => {
                    text.push('{');
                    after
                }
            };
        }
        text.push_str(rest);
        why.set_text_content(Some(&text));
        show(&why, any);
    }
}

/// What the summary's amount line waits for: the line, and the resolution chosen.
pub(crate) type Worth = (Element, Option<Resolution>);

/// The summary step: what goes back, why and how. What the shopper gets is the server's
/// to work out (`returns/quote`, the rule it applies to the return itself): the line for
/// it says it is loading until [`crate::action`] has the answer, see [`worth`].
fn summarize(cx: Ctx, form: &Element) -> Option<Worth> {
    let (t, order) = (cx.t, cx.order()?);
    let out = find(form, ".pp-summary")?;
    out.set_text_content(None);
    let goods = add(&out, "ul", "pp-list", "");
    for (line, q) in chosen(form) {
        let item = order.items.iter().find(|i| i.id.to_string() == line);
        let name = item.map(|i| i.name.as_str()).unwrap_or_default();
        let words = t.fill_with(
            Key::ParcelItem,
            &[("name", name), ("count", &q.to_string())],
        );
        // The reason as the shopper read it.
        let reason = find(form, &["[name=r", &line, "] option:checked"].concat())
            .and_then(|o| o.text_content())
            .unwrap_or_default();
        add(
            &goods,
            "li",
            "",
            &crate::i18n::joined(&[Some(&words), Some(&reason)], " · "),
        );
    }
    let chose = Resolution::from_js(&value(form, "resolution").into());
    if let Some(r) = chose {
        add(&out, "p", "", t.get(resolution(r)));
    }
    if let Some(m) = ReturnMethod::from_js(&value(form, "method").into()) {
        add(&out, "p", "", t.get(method(m)));
    }
    let line = add(&out, "p", "pp-stage", t.get(Key::MoreLoading));
    attr(&line, "role", "status");
    Some((line, chose))
}

/// Says on the summary's amount line what the server's quote brings, or why there is none:
/// a refused quote keeps the shopper on the step to change it.
pub(crate) fn worth(cx: Ctx, (line, chose): &Worth, quote: Result<ReturnQuote, bool>) {
    let t = cx.t;
    let Some(order) = cx.order() else {
        return;
    };
    let said = match (quote, chose) {
        (Ok(q), Some(r)) => amount(t, &cx.formats(&order.currency), *r, q.refund, q.bonus),
        (Err(true), _) => t.get(Key::ReturnsRefused).to_owned(),
        _ => t.get(Key::MoreError).to_owned(),
    };
    line.set_text_content(Some(&said));
}

/// Moves the return form a step forward (when the step's answers are complete) or back.
/// Reaching the summary, its amount line waits for the server's quote.
/// `at` is the step shown (see [`crate::state::Live::step`]); the answer is the step
/// shown after, `None` when it stays.
pub(crate) fn turn(
    cx: Ctx,
    form: &Element,
    at: usize,
    forward: bool,
) -> Option<(usize, Option<Worth>)> {
    let t = cx.t;
    let step = |n: usize| find(form, &["[data-step=\"", &n.to_string(), "\"]"].concat());
    let here = step(at)?;
    if forward {
        let step = &here;
        let none = chosen(form).is_empty();
        if let Some(line) = find(step, "#pp-rf-items-e") {
            line.set_text_content(Some(if none { t.get(Key::ReturnsPickOne) } else { "" }));
            if none {
                focus(find(step, "input"));
                return None;
            }
        }
        if !check(t, step) {
            return None;
        }
    }
    sync(form);
    let to = if forward { at + 1 } else { at.checked_sub(1)? };
    let next = step(to)?;
    let worth = if to == LAST_STEP {
        summarize(cx, form)
    } else {
        None
    };
    show(&here, false);
    show(&next, true);
    focus(find(
        &next,
        "input:not(:disabled),select:not(:disabled),.pp-summary",
    ));
    Some((to, worth))
}
