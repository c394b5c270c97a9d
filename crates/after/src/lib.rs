//! The follow-ups of the week after delivery, drawn into the widget's panels: loyalty and
//! the next purchase, use and care with re-order reminders, what goes well with the order,
//! and the unboxing.
//!
//! The widget's first download carries none of this. When a shopper first opens one of
//! these panels, the widget fetches its answer as it does for every follow-up and hands it,
//! unread, to the loader, which loads this module (its own wasm, JS glue and stylesheet,
//! each checked against the build's integrity hashes) once per page and calls [`draw`].
//! Plain DOM through web-sys, no framework: the module is small and each panel is drawn
//! once. Text only ever goes in as text; links only as http(s) URLs.
//!
//! The texts are the `after.*` keys of `locales/*.txt`, compiled in (`build.rs`).

use js_sys::{Array, Object, Reflect};
use postpurchase_api::{
    CareItem, CareView, LoyaltyView, Pairing, PairsView, Reminder, ReminderStatus, Reward,
    RewardKind, UnboxingView, UpgradeChoice, UpgradeKind, UpgradeRequest, UpgradeStatus,
    UpgradeView,
};
use shared::{fill_with, FromJs};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event};

mod read;
/// The widget's own readers of parsed JSON and placeholder filling: one file for both.
#[path = "../../../src/shared.rs"]
mod shared;
mod words {
    include!(concat!(env!("OUT_DIR"), "/words.rs"));
}
pub use words::{COUNT, W};

/// What every handler of a panel needs: where the order is, and how to speak.
struct Ctx {
    /// `…/api/v1/shops/{shop}/orders/{token}`.
    order: String,
    /// The shopper's language's texts, by [`W`].
    words: Vec<String>,
    /// The shopper's locale for dates and money (`nl-BE`).
    locale: String,
    /// The order's currency, for a reward that names none.
    currency: String,
}

impl Ctx {
    fn t(&self, w: W) -> &str {
        &self.words[w as usize]
    }

    /// `w` with its one `{placeholder}` filled in (every text has at most one).
    fn fill(&self, w: W, value: &str) -> String {
        fill_with(self.t(w), &[("", value)])
    }
}

/// `n` in decimal digits, for attributes and JSON (no formatting machinery in the module).
pub fn int(n: i64) -> String {
    let (mut buf, mut at, mut rest) = ([b'-'; 20], 20, n.unsigned_abs());
    while at > 0 {
        at -= 1;
        buf[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let from = if n < 0 { at - 1 } else { at };
    buf[from..].iter().map(|&b| char::from(b)).collect()
}

/// The texts of one language, [`COUNT`] of them joined by U+001F as the loader hands them
/// over; `None` for any other count (a module and texts of different builds).
pub fn words(texts: &str) -> Option<Vec<String>> {
    let words: Vec<String> = texts.split('\u{1f}').map(str::to_owned).collect();
    (words.len() == COUNT).then_some(words)
}

/// Draws follow-up `name` (`loyalty`, `care`, `pairs`, `unboxing`, `upgrade`) from its
/// answer `data`
/// into `panel`, in the words of `texts` (the shopper's language, see [`words`]) and the
/// dates and money of `locale`; `order` is the order's URL, `currency` its currency. An
/// answer that cannot be read is an error: the widget then says the panel could not be
/// loaded, as for any other follow-up.
#[wasm_bindgen]
pub fn draw(
    panel: Element,
    name: &str,
    data: JsValue,
    order: String,
    texts: &str,
    locale: String,
    currency: String,
) -> Result<(), JsError> {
    let cx = Rc::new(Ctx {
        order,
        words: words(texts).ok_or_else(|| JsError::new("texts"))?,
        locale,
        currency,
    });
    panel.set_text_content(None);
    match name {
        "loyalty" => loyalty(&cx, &panel, &read::<LoyaltyView>(data)?),
        "care" => care(&cx, &panel, &read::<CareView>(data)?),
        "pairs" => pairs(&cx, &panel, &read::<PairsView>(data)?),
        "unboxing" => unboxing(&cx, &panel, &read::<UnboxingView>(data)?),
        "upgrade" => upgrade(&cx, &panel, &read::<UpgradeView>(data)?),
        _ => return Err(JsError::new("unknown follow-up")),
    }
    listen(cx, &panel);
    Ok(())
}

fn read<T: FromJs>(data: JsValue) -> Result<T, JsError> {
    T::from_js(&data).ok_or_else(|| JsError::new("unreadable answer"))
}

// ---------------------------------------------------------------------------------------
// The panels

fn loyalty(cx: &Ctx, panel: &Element, l: &LoyaltyView) {
    if let Some(name) = &l.name {
        add(panel, "p", "pp-after-programme", name);
    }
    if l.returning {
        add(panel, "p", "pp-after-thanks", cx.t(W::ThanksBack));
    }
    if let Some(points) = l.earned {
        add(panel, "p", "", &cx.fill(W::Earned, &number(cx, points)));
    }
    if let Some(points) = l.balance {
        add(panel, "p", "", &cx.fill(W::Balance, &number(cx, points)));
    }
    if let Some(v) = &l.voucher {
        let card = add(panel, "div", "pp-after-voucher", "");
        attr(&card, "part", "voucher");
        add(
            &card,
            "p",
            "pp-after-reward",
            &cx.fill(W::Voucher, &reward(cx, &v.reward)),
        );
        let line = add(&card, "p", "pp-after-code", "");
        add(&line, "span", "", cx.t(W::Code));
        add(&line, "span", "", " ");
        attr(&add(&line, "code", "", &v.code), "part", "code");
        if let Some(until) = &v.valid_until {
            add(
                &card,
                "p",
                "pp-after-small",
                &cx.fill(W::ValidUntil, &date(cx, until)),
            );
        }
        let copy = button(&card, cx.t(W::Copy), "copy");
        attr(&copy, "data-text", &v.code);
        attr(&copy, "data-done", cx.t(W::Copied));
        status(&card);
    }
    if !l.buy_again.is_empty() {
        add(panel, "h5", "pp-after-heading", cx.t(W::BuyAgainTitle));
        let list = add(panel, "ul", "pp-after-list", "");
        for b in &l.buy_again {
            let item = add(&list, "li", "pp-after-item", "");
            image(&item, b.image_url.as_deref());
            let text = add(&item, "div", "pp-after-text", "");
            add(&text, "span", "pp-after-name", &b.name);
            if let Some(variant) = &b.variant {
                add(&text, "span", "pp-after-small", variant);
            }
            link(&text, &b.url, cx.t(W::BuyAgain), &b.name, "");
        }
    }
}

fn care(cx: &Ctx, panel: &Element, c: &CareView) {
    let list = add(panel, "ul", "pp-after-list", "");
    for item in &c.items {
        let li = add(&list, "li", "pp-after-item", "");
        attr(&li, "data-item", &int(item.item));
        image(&li, item.image_url.as_deref());
        let text = add(&li, "div", "pp-after-text", "");
        add(&text, "h5", "pp-after-name", &item.name);
        if let Some(care) = &item.care {
            add(&text, "p", "pp-after-care", care);
        }
        if let Some(url) = &item.care_url {
            link(&text, url, cx.t(W::CareMore), &item.name, "");
        }
        if let Some(days) = item.reorder_days {
            let box_ = add(&text, "div", "pp-after-reminder", "");
            attr(&box_, "data-days", &int(days.into()));
            reminder(cx, &box_, item);
        }
    }
}

/// The re-order line of `item`: the button to ask, or where the reminder stands.
fn reminder(cx: &Ctx, box_: &Element, item: &CareItem) {
    box_.set_text_content(None);
    let id = int(item.item);
    match &item.reminder {
        Some(r) if r.status == ReminderStatus::Waiting => {
            add(
                box_,
                "p",
                "",
                &cx.fill(W::ReminderSet, &date(cx, &r.due_on)),
            );
            let b = button(box_, cx.t(W::ReminderCancel), "unremind");
            attr(&b, "data-id", &int(r.id));
            attr(&b, "data-item", &id);
        }
        Some(r) if r.status == ReminderStatus::Sent => {
            add(
                box_,
                "p",
                "",
                &cx.fill(W::ReminderSent, &date(cx, &r.due_on)),
            );
        }
        Some(r) if r.status == ReminderStatus::Skipped => {
            add(
                box_,
                "p",
                "",
                &cx.fill(W::ReminderSkipped, &date(cx, &r.due_on)),
            );
        }
        _ => {
            let days = int(item.reorder_days.unwrap_or_default().into());
            let b = button(box_, &cx.fill(W::Remind, &days), "remind");
            attr(&b, "data-item", &id);
            attr(&b, "data-days", &days);
        }
    }
    status(box_);
}

fn pairs(cx: &Ctx, panel: &Element, p: &PairsView) {
    add(panel, "p", "", cx.t(W::PairsIntro));
    let list = add(panel, "ul", "pp-after-pairs", "");
    for pair in &p.pairs {
        pairing(cx, &list, pair);
    }
}

fn pairing(cx: &Ctx, list: &Element, p: &Pairing) {
    let li = add(list, "li", "pp-after-pair", "");
    attr(&li, "part", "pair");
    image(&li, p.image_url.as_deref());
    add(&li, "span", "pp-after-name", &p.name);
    add(
        &li,
        "span",
        "pp-after-price",
        &money(cx, p.price, &p.currency),
    );
    let a = link(&li, &p.url, cx.t(W::View), &p.name, "pair");
    attr(&a, "data-id", &int(p.id));
}

fn unboxing(cx: &Ctx, panel: &Element, u: &UnboxingView) {
    if let Some(thanks) = &u.thanks {
        let note = add(panel, "p", "pp-after-note", thanks);
        attr(&note, "part", "note");
    }
    if let Some(eco) = &u.eco {
        add(panel, "p", "pp-after-eco", eco);
    }
    if let Some(url) = &u.eco_url {
        link(panel, url, cx.t(W::EcoMore), "", "");
    }
    let share = add(panel, "div", "pp-after-share", "");
    add(&share, "h5", "pp-after-heading", cx.t(W::ShareTitle));
    let tags = tags(u);
    if !tags.is_empty() {
        add(&share, "p", "", &cx.fill(W::ShareWith, &tags));
    }
    let text = [&cx.fill(W::ShareText, &u.shop), " ", &tags].concat();
    let text = text.trim_end();
    let url = u.share_url.as_deref().filter(|u| web_url(u)).unwrap_or("");
    // Web Share where the browser has it; links to the usual places where it has not.
    let actions = add(&share, "p", "pp-after-actions", "");
    if has(&navigator(), "share") {
        let b = button(&actions, cx.t(W::Share), "share");
        attr(&b, "data-text", text);
        attr(&b, "data-url", url);
        attr(&b, "data-title", &u.shop);
    } else {
        let enc = |s: &str| String::from(js_sys::encode_uri_component(s));
        let both = [text, " ", url].concat();
        for (site, href) in [
            (
                "X",
                [
                    "https://x.com/intent/post?text=",
                    &enc(text),
                    "&url=",
                    &enc(url),
                ]
                .concat(),
            ),
            (
                "Facebook",
                ["https://www.facebook.com/sharer/sharer.php?u=", &enc(url)].concat(),
            ),
            (
                "WhatsApp",
                ["https://wa.me/?text=", &enc(both.trim())].concat(),
            ),
        ] {
            if url.is_empty() && site == "Facebook" {
                continue;
            }
            link(&actions, &href, &cx.fill(W::ShareOn, site), "", "");
        }
        if !url.is_empty() {
            let b = button(&actions, cx.t(W::CopyLink), "copy");
            attr(&b, "data-text", url);
            attr(&b, "data-done", cx.t(W::LinkCopied));
        }
    }
    status(&share);
}

/// Faster delivery before dispatch: the shop's offers, each with its price, the day it
/// would arrive and until when it can be asked for, or the shopper's request as it stands.
fn upgrade(cx: &Ctx, panel: &Element, u: &UpgradeView) {
    let part = add(panel, "div", "pp-after-upgrade", "");
    if let Some(r) = &u.request {
        request(cx, &part, r);
    } else if u.offers.is_empty() {
        add(&part, "p", "", cx.t(W::UpgradeClosed));
    } else {
        add(&part, "p", "", cx.t(W::UpgradeIntro));
        let list = add(&part, "ul", "pp-after-list", "");
        for o in &u.offers {
            offer(cx, &list, o);
        }
    }
    status(&part);
}

fn kind_name(cx: &Ctx, kind: UpgradeKind) -> &str {
    cx.t(match kind {
        UpgradeKind::NextDay => W::NextDay,
        UpgradeKind::SameDay => W::SameDay,
        UpgradeKind::Evening => W::Evening,
    })
}

/// The wire name of `kind`, as the request's body takes it.
pub fn kind_wire(kind: UpgradeKind) -> &'static str {
    match kind {
        UpgradeKind::NextDay => "next_day",
        UpgradeKind::SameDay => "same_day",
        UpgradeKind::Evening => "evening",
    }
}

fn offer(cx: &Ctx, list: &Element, o: &UpgradeChoice) {
    let li = add(list, "li", "pp-after-offer", "");
    attr(&li, "part", "offer");
    let text = add(&li, "div", "pp-after-text", "");
    let name = kind_name(cx, o.kind);
    add(&text, "span", "pp-after-name", name);
    add(
        &text,
        "span",
        "pp-after-price",
        &money(cx, o.price, &o.currency),
    );
    add(
        &text,
        "span",
        "",
        &cx.fill(W::UpgradeArrives, &date(cx, &o.delivery_on)),
    );
    if o.left == 0 {
        add(&text, "span", "pp-after-small", cx.t(W::UpgradeFull));
        return;
    }
    add(
        &text,
        "span",
        "pp-after-small",
        &cx.fill(W::UpgradeOrderBy, &moment(cx, &o.order_by)),
    );
    let b = button(&text, cx.t(W::UpgradeAsk), "upgrade");
    attr(&b, "data-kind", kind_wire(o.kind));
    attr(
        &b,
        "aria-label",
        &[cx.t(W::UpgradeAsk), ": ", name].concat(),
    );
}

/// Where the shopper's request stands, with the shop's payment link and words.
fn request(cx: &Ctx, part: &Element, r: &UpgradeRequest) {
    let said = match r.status {
        UpgradeStatus::Requested => cx.fill(W::UpgradeRequested, kind_name(cx, r.kind)),
        UpgradeStatus::Confirmed => cx.fill(W::UpgradeConfirmed, &date(cx, &r.delivery_on)),
        UpgradeStatus::Refused => cx.t(W::UpgradeRefused).to_owned(),
    };
    add(part, "p", "pp-after-programme", &said);
    if let Some(message) = &r.message {
        add(part, "p", "pp-after-note", message);
    }
    if let Some(url) = r.pay_url.as_deref().filter(|u| u.starts_with("https://")) {
        let a = link(part, url, cx.t(W::UpgradePay), "", "");
        a.set_class_name("pp-button");
    }
}

/// `#hashtag @handle`, as far as the shop gave them.
pub fn tags(u: &UnboxingView) -> String {
    let hashtag = u.hashtag.as_deref().map(|h| ["#", h].concat());
    let handle = u.handle.as_deref().map(|h| ["@", h].concat());
    [hashtag, handle]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
}

// ---------------------------------------------------------------------------------------
// What the shopper does: one listener per panel

fn listen(cx: Rc<Ctx>, panel: &Element) {
    let handler = Closure::<dyn Fn(Event)>::new(move |ev: Event| {
        let Some(target) = ev
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|t| t.closest("[data-after]").ok().flatten())
        else {
            return;
        };
        // A button already sending (or an option booked up) does nothing, also by keyboard.
        if target.get_attribute("aria-disabled").is_some() {
            return;
        }
        let act = target.get_attribute("data-after").unwrap_or_default();
        let cx = cx.clone();
        wasm_bindgen_futures::spawn_local(async move { act_on(&cx, &act, &target).await });
    });
    let _ = panel.add_event_listener_with_callback("click", handler.as_ref().unchecked_ref());
    // The listener lives as long as the panel, which the widget never redraws.
    handler.forget();
}

async fn act_on(cx: &Ctx, act: &str, target: &Element) {
    let get = |k: &str| target.get_attribute(k).unwrap_or_default();
    match act {
        "copy" => {
            let done = copy(&get("data-text")).await;
            let said = if done {
                get("data-done")
            } else {
                cx.t(W::CopyFailed).to_owned()
            };
            say(target, &said);
        }
        "share" => {
            let data = Object::new();
            for key in ["text", "url", "title"] {
                let value = get(&["data-", key].concat());
                if !value.is_empty() {
                    let _ = Reflect::set(&data, &key.into(), &value.into());
                }
            }
            // The shopper may close the share sheet: that is no error to report.
            let _ = call(&navigator(), "share", &data).await;
        }
        "pair" => {
            // Counted for the shop; the link opens whatever the answer.
            let url = [&cx.order, "/pairs/", &get("data-id"), "/click"].concat();
            let _ = send(&url, None, true).await;
        }
        "upgrade" => {
            set_busy(target, true);
            let body = ["{\"kind\":\"", &get("data-kind"), "\"}"].concat();
            let answer = send(&[&cx.order, "/upgrade"].concat(), Some(&body), false).await;
            let part = target.closest(".pp-after-upgrade").ok().flatten();
            match (answer.map(|a| UpgradeRequest::from_js(&a)), part) {
                (Ok(Some(r)), Some(part)) => {
                    part.set_text_content(None);
                    request(cx, &part, &r);
                    status(&part);
                    let said = part.text_content().unwrap_or_default();
                    announce(&part, &said);
                }
                (Err(code), _) => {
                    set_busy(target, false);
                    let full = code == "upgrade_full";
                    if full {
                        // Taken meanwhile: the option goes, the others stay.
                        let _ = target.remove_attribute("data-after");
                        attr(target, "aria-disabled", "true");
                    }
                    say(target, cx.t(if full { W::UpgradeGone } else { W::Failed }));
                }
                _ => {
                    set_busy(target, false);
                    say(target, cx.t(W::Failed));
                }
            }
        }
        "remind" => {
            set_busy(target, true);
            let body = [
                "{\"item\":",
                &get("data-item"),
                ",\"days\":",
                &get("data-days"),
                "}",
            ]
            .concat();
            let answer = send(&[&cx.order, "/care/reminders"].concat(), Some(&body), false).await;
            after_reminder(cx, target, answer, &get("data-item"));
        }
        "unremind" => {
            set_busy(target, true);
            let url = [&cx.order, "/care/reminders/", &get("data-id"), "/cancel"].concat();
            let answer = send(&url, Some("{}"), false).await;
            after_reminder(cx, target, answer, &get("data-item"));
        }
        _ => {}
    }
}

/// Redraws a re-order line from the server's answer, or says what went wrong and leaves the
/// button as it was.
fn after_reminder(cx: &Ctx, target: &Element, answer: Result<JsValue, String>, item: &str) {
    let box_ = target.closest(".pp-after-reminder").ok().flatten();
    let Some(box_) = box_ else { return };
    let Some(r) = answer.ok().and_then(|a| Reminder::from_js(&a)) else {
        set_busy(target, false);
        say(target, cx.t(W::Failed));
        return;
    };
    let days = box_.get_attribute("data-days").and_then(|d| d.parse().ok());
    let cancelled = r.status == ReminderStatus::Cancelled;
    let said = if cancelled {
        cx.t(W::ReminderCancelled).to_owned()
    } else {
        cx.fill(W::ReminderSet, &date(cx, &r.due_on))
    };
    let item = CareItem {
        item: item.parse().unwrap_or(r.item),
        name: String::new(),
        image_url: None,
        care: None,
        care_url: None,
        reorder_days: days,
        reminder: Some(r),
    };
    reminder(cx, &box_, &item);
    // Focus stays where the shopper is: on the line's new button.
    if let Ok(Some(b)) = box_.query_selector("button") {
        if let Ok(b) = b.dyn_into::<web_sys::HtmlElement>() {
            let _ = b.focus();
        }
    }
    // A reminder set reads as its line does; a cancelled one says so beside the button.
    if cancelled {
        say(&box_, &said);
    } else {
        announce(&box_, &said);
    }
}

// ---------------------------------------------------------------------------------------
// The browser

fn navigator() -> JsValue {
    web_sys::window()
        .and_then(|w| Reflect::get(&w, &"navigator".into()).ok())
        .unwrap_or_default()
}

fn has(v: &JsValue, key: &str) -> bool {
    Reflect::get(v, &key.into()).is_ok_and(|f| f.is_function())
}

/// Calls method `name` of `on` with `arg` and waits for the promise it returns.
async fn call(on: &JsValue, name: &str, arg: &JsValue) -> Result<JsValue, JsValue> {
    let f: js_sys::Function = Reflect::get(on, &name.into())?.dyn_into()?;
    let promise: js_sys::Promise = f.call1(on, arg)?.dyn_into()?;
    wasm_bindgen_futures::JsFuture::from(promise).await
}

async fn copy(text: &str) -> bool {
    let clipboard = Reflect::get(&navigator(), &"clipboard".into()).unwrap_or_default();
    call(&clipboard, "writeText", &text.into()).await.is_ok()
}

/// A fresh `Idempotency-Key`: the browser's random UUID ("" on a page that is not a
/// secure context, which has none; the request then goes without one).
fn uuid() -> String {
    let crypto = web_sys::window()
        .and_then(|w| Reflect::get(&w, &"crypto".into()).ok())
        .unwrap_or_default();
    let f = Reflect::get(&crypto, &"randomUUID".into()).ok();
    f.and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.call0(&crypto).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// POSTs `body` (JSON) to `url` and reads a 2xx answer's JSON; otherwise the API's error
/// `code` ("" when the shop could not be reached or said nothing readable). A `beacon` (a
/// click counted as the page may be leaving) is a simple request that survives the page
/// and whose answer nobody reads.
async fn send(url: &str, body: Option<&str>, beacon: bool) -> Result<JsValue, String> {
    let answer = post(url, body, beacon).await.ok_or_else(String::new)?;
    let json = async {
        let json = answer.json().ok()?;
        wasm_bindgen_futures::JsFuture::from(json).await.ok()
    };
    if answer.ok() {
        return json.await.ok_or_else(String::new);
    }
    let code = json
        .await
        .and_then(|e| Reflect::get(&e, &"code".into()).ok());
    Err(code.and_then(|c| c.as_string()).unwrap_or_default())
}

async fn post(url: &str, body: Option<&str>, beacon: bool) -> Option<web_sys::Response> {
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    let _ = Reflect::set(&init, &"keepalive".into(), &beacon.into());
    if let Some(body) = body {
        let headers = web_sys::Headers::new().ok()?;
        headers.set("Content-Type", "application/json").ok()?;
        let key = uuid();
        if !key.is_empty() {
            headers.set("Idempotency-Key", &key).ok()?;
        }
        init.set_headers(&headers);
        init.set_body(&body.into());
    }
    let request = web_sys::Request::new_with_str_and_init(url, &init).ok()?;
    let window = web_sys::window()?;
    let answer = wasm_bindgen_futures::JsFuture::from(window.fetch_with_request(&request))
        .await
        .ok()?;
    let answer: web_sys::Response = answer.dyn_into().ok()?;
    (!beacon).then_some(answer)
}

/// Says `text` beside `near` (its panel part's status line) and through the widget's live
/// region, so a screen reader hears it where the shopper is.
fn say(near: &Element, text: &str) {
    let line = near
        .closest(".pp-after-voucher, .pp-after-reminder, .pp-after-share, .pp-after-upgrade")
        .ok()
        .flatten()
        .and_then(|part| {
            part.query_selector(":scope > .pp-after-status")
                .ok()
                .flatten()
        });
    if let Some(line) = line {
        line.set_text_content(Some(text));
    }
    announce(near, text);
}

/// Says `text` through the widget's live region only: for what the panel already shows.
fn announce(near: &Element, text: &str) {
    let root: JsValue = near.get_root_node().into();
    let region = Reflect::get(&root, &"querySelector".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.call1(&root, &"[aria-live]".into()).ok())
        .and_then(|r| r.dyn_into::<Element>().ok());
    if let Some(region) = region {
        region.set_text_content(Some(text));
    }
}

fn set_busy(b: &Element, busy: bool) {
    if busy {
        attr(b, "aria-disabled", "true");
    } else {
        let _ = b.remove_attribute("aria-disabled");
    }
}

// ---------------------------------------------------------------------------------------
// Numbers, money and dates in the shopper's locale

fn locales(cx: &Ctx) -> Array {
    Array::of1(&cx.locale.as_str().into())
}

fn options(pairs: &[(&str, &str)]) -> Object {
    let o = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&o, &(*k).into(), &(*v).into());
    }
    o
}

fn format(f: js_sys::Function, value: &JsValue) -> String {
    f.call1(&JsValue::NULL, value)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

fn number(cx: &Ctx, n: i64) -> String {
    let f = js_sys::Intl::NumberFormat::new(&locales(cx), &Object::new());
    format(f.format(), &(n as f64).into())
}

/// `minor` units of `currency`, e.g. `€5.00`.
fn money(cx: &Ctx, minor: i64, currency: &str) -> String {
    let opts = options(&[("style", "currency"), ("currency", currency)]);
    let f = js_sys::Intl::NumberFormat::new(&locales(cx), &opts);
    let digits = Reflect::get(&f.resolved_options(), &"maximumFractionDigits".into())
        .ok()
        .and_then(|d| d.as_f64())
        .unwrap_or(2.0);
    // No `powf`: a currency has 0 to 3 decimals (4 would be exotic; 2 is the rule).
    let value = minor as f64 / [1.0, 10.0, 100.0, 1000.0, 10000.0][(digits as usize).min(4)];
    format(f.format(), &value.into())
}

fn reward(cx: &Ctx, r: &Reward) -> String {
    let currency = r.currency.as_deref().unwrap_or(&cx.currency);
    match r.kind {
        RewardKind::PercentOff => cx.fill(W::PercentOff, &int(r.value)),
        RewardKind::AmountOff => cx.fill(W::AmountOff, &money(cx, r.value, currency)),
        RewardKind::StoreCredit => cx.fill(W::StoreCredit, &money(cx, r.value, currency)),
    }
}

/// An RFC 3339 moment, short, in the shopper's time zone (`Thu 22:00`); as written when it
/// is no moment.
fn moment(cx: &Ctx, at: &str) -> String {
    let time = js_sys::Date::parse(at);
    if time.is_nan() {
        return at.to_owned();
    }
    let opts = options(&[
        ("weekday", "short"),
        ("hour", "numeric"),
        ("minute", "2-digit"),
    ]);
    let f = js_sys::Intl::DateTimeFormat::new(&locales(cx), &opts);
    format(f.format(), &js_sys::Date::new(&time.into()).into())
}

/// A `YYYY-MM-DD` day, long (`2 January 2027`); as written when it is no day.
fn date(cx: &Ctx, day: &str) -> String {
    let time = js_sys::Date::parse(&[day, "T00:00:00Z"].concat());
    if time.is_nan() {
        return day.to_owned();
    }
    let opts = options(&[("dateStyle", "long"), ("timeZone", "UTC")]);
    let f = js_sys::Intl::DateTimeFormat::new(&locales(cx), &opts);
    format(f.format(), &js_sys::Date::new(&time.into()).into())
}

// ---------------------------------------------------------------------------------------
// The DOM

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

fn attr(el: &Element, name: &str, value: &str) {
    let _ = el.set_attribute(name, value);
}

/// A new `tag` with `class` and `text` (as text), at the end of `parent`.
fn add(parent: &Element, tag: &str, class: &str, text: &str) -> Element {
    let Some(el) = document().and_then(|d| d.create_element(tag).ok()) else {
        return parent.clone();
    };
    if !class.is_empty() {
        el.set_class_name(class);
    }
    if !text.is_empty() {
        el.set_text_content(Some(text));
    }
    let _ = parent.append_child(&el);
    el
}

fn button(parent: &Element, text: &str, act: &str) -> Element {
    let b = add(parent, "button", "pp-button pp-button-quiet", text);
    attr(&b, "type", "button");
    attr(&b, "part", "button");
    attr(&b, "data-after", act);
    b
}

/// An empty status line, where what a button did is said.
fn status(parent: &Element) {
    let line = add(parent, "p", "pp-after-status", "");
    attr(&line, "role", "status");
}

/// Whether `url` is an absolute http(s) URL: the only links the module writes.
pub fn web_url(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A link to the shop's page `url` (new tab), reading `text`; `about` (the item's name),
/// when given, completes its accessible name, which starts with the words it shows ("Buy
/// again: Mug"). Nothing for a URL that
/// is not http(s).
fn link(parent: &Element, url: &str, text: &str, about: &str, act: &str) -> Element {
    if !web_url(url) {
        return parent.clone();
    }
    let a = add(parent, "a", "pp-link", text);
    attr(&a, "href", url);
    attr(&a, "target", "_blank");
    attr(&a, "rel", "noopener noreferrer");
    attr(&a, "part", "link");
    if !act.is_empty() {
        attr(&a, "data-after", act);
    }
    if !about.is_empty() {
        attr(&a, "aria-label", &[text, ": ", about].concat());
    }
    a
}

/// Whether `url` may be an image's source: a web URL or an image's `data:` URL (an image
/// cannot run script), as the widget's own pictures.
pub fn image_url(url: &str) -> bool {
    web_url(url)
        || url
            .get(..11)
            .is_some_and(|p| p.eq_ignore_ascii_case("data:image/"))
}

fn image(parent: &Element, url: Option<&str>) {
    let Some(url) = url.filter(|u| image_url(u)) else {
        return;
    };
    let img = add(parent, "img", "pp-after-image", "");
    for (k, v) in [
        ("src", url),
        ("alt", ""),
        ("loading", "lazy"),
        ("width", "64"),
        ("height", "64"),
        ("part", "image"),
    ] {
        attr(&img, k, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_serves_every_text_with_at_most_one_placeholder() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../locales");
        let mut languages = 0;
        for path in std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path()) {
            if path.extension().is_none_or(|e| e != "txt") {
                continue;
            }
            languages += 1;
            let map =
                postpurchase_api::locales::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let texts = postpurchase_api::locales::after_texts(&map);
            assert_eq!(texts.len(), COUNT, "{}", path.display());
            for text in &texts {
                assert!(!text.trim().is_empty(), "{}", path.display());
                assert!(
                    text.matches('{').count() <= 1,
                    "one placeholder at most: {text}"
                );
            }
            // As the loader hands them over.
            let words = words(&texts.join("\u{1f}")).unwrap();
            assert_eq!(words[W::Copy as usize], texts[W::Copy as usize]);
        }
        assert!(languages >= 4);
        assert_eq!(words("too\u{1f}few"), None);
    }

    #[test]
    fn numbers_are_written_in_digits() {
        for n in [0, 7, 10, 1234567, -42, i64::MAX, i64::MIN] {
            assert_eq!(int(n), n.to_string());
        }
    }

    #[test]
    fn only_web_links_are_written() {
        assert!(web_url("https://shop.example/p/BEANS-1"));
        assert!(web_url("HTTP://shop.example/"));
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "//shop.example",
            "https://a b",
            "",
        ] {
            assert!(!web_url(bad), "{bad}");
        }
    }

    #[test]
    fn pictures_are_web_or_image_data() {
        assert!(image_url("https://cdn.example/mug.jpg"));
        assert!(image_url("data:image/svg+xml,%3Csvg%3E"));
        assert!(!image_url("data:text/html,x"));
        assert!(!image_url("javascript:alert(1)"));
    }

    #[test]
    fn tags_join_what_the_shop_gave() {
        let mut u = UnboxingView {
            thanks: None,
            eco: None,
            eco_url: None,
            hashtag: Some("koffieenklei".into()),
            handle: Some("koffie.klei".into()),
            share_url: None,
            shop: "Koffie & Klei".into(),
        };
        assert_eq!(tags(&u), "#koffieenklei @koffie.klei");
        u.hashtag = None;
        assert_eq!(tags(&u), "@koffie.klei");
        u.handle = None;
        assert_eq!(tags(&u), "");
    }
}
