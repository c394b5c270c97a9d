//! Returns: what can go back and why not, the returns made so far, and a new return in
//! five steps of one form, which keeps every answer going back and forth.

use super::forms::*;
use super::*;

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
/// The return form's steps.
const STEPS: [Key; 5] = [
    Key::ReturnsItems,
    Key::ReturnsReasons,
    Key::ReturnsResolution,
    Key::ReturnsMethod,
    Key::ReturnsSummary,
];

pub(super) fn returns(t: Texts, f: &Formats, order: &OrderView, panel: &Element, data: &JsValue) {
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
        let message = text(r, "shop_message");
        if !message.is_empty() {
            add(
                &wrap,
                "p",
                "pp-note",
                &t.fill_with(Key::ReturnsShopMessage, &[("message", &message)]),
            );
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
pub(super) fn amount(t: Texts, f: &Formats, resolution: &str, refund: i64, bonus: i64) -> String {
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
pub(super) fn chosen(form: &Element) -> Vec<(String, i64)> {
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
pub(crate) fn sync(form: &Element) {
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
pub(super) fn summarize(cx: Ctx, form: &Element) {
    let (t, Some(order)) = (cx.t, cx.order()) else {
        return;
    };
    let f = cx.formats(&order.currency);
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

/// Moves the return form a step forward (when the step's answers are complete) or back.
pub(crate) fn turn(cx: Ctx, form: &Element, step: &Element, forward: bool) {
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
