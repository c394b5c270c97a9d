//! Widget tests: the real component mounted in headless Chromium, with `fetch` replaced by
//! an answer the test chooses, asserting what the shopper sees.
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown`
//! (scripts/test.sh does this).
#![cfg(target_arch = "wasm32")]

use js_sys::{Function, Promise, Reflect};
use postpurchase_api::*;
use postpurchase_widget::i18n::Texts;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

fn order(returning: bool) -> OrderView {
    OrderView {
        number: "1004".into(),
        placed_at: "2026-11-17T10:00:00Z".into(),
        stage: OrderStage::Delivered,
        currency: "EUR".into(),
        customer: CustomerView {
            first_name: "Ada".into(),
            email_masked: "a********@e******.com".into(),
            returning,
        },
        items: vec![
            LineItemView {
                id: 1,
                name: "Gooseneck kettle".into(),
                variant: Some("Matte black".into()),
                quantity: 1,
                unit_price: 6900,
                line_total: 6900,
                image_url: Some(
                    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E".into(),
                ),
            },
            LineItemView {
                id: 2,
                name: "<b>Paper</b> filters".into(),
                variant: None,
                quantity: 2,
                unit_price: 595,
                line_total: 1190,
                image_url: Some("javascript:alert(1)".into()),
            },
        ],
        totals: Totals {
            subtotal: 8090,
            shipping: 0,
            discount: 500,
            tax: 0,
            total: 7590,
        },
        delivery_address: MaskedAddress {
            name: "Ada J.".into(),
            street: "Keizersgracht ***".into(),
            postcode: "10** **".into(),
            city: "Amsterdam".into(),
            country: "NL".into(),
        },
        promised_delivery: Some(DateWindow {
            earliest: "2026-11-19".into(),
            latest: "2026-11-21".into(),
        }),
        expected_delivery: None,
        delivered_at: Some("2026-11-20T10:12:00Z".into()),
        shipments: vec![],
        delivery_options: None,
        changes: None,
        shop: ShopContact {
            name: "Koffie & Klei".into(),
            support_email: Some("help@shop.example".into()),
            support_phone: Some("+31 20 123 4567".into()),
            support_url: Some("javascript:alert(2)".into()),
            order_status_url: None,
            when_lost: None,
            when_returned: None,
            refund_days: None,
        },
        modules: Vec::new(),
        report_events: false,
    }
}

/// Replaces `window.fetch`: each call answers with the next of `answers` (status, body),
/// the last one again and again; status 0 never answers until the request is aborted.
/// Answers carry `ETag: "<n>"` for the n-th request. Returns the requests made, each as
/// `{url, method, headers, body}` (header names in lower case).
fn fake_fetch(answers: &[(u16, String)]) -> js_sys::Array {
    let calls = js_sys::Array::new();
    let list = js_sys::Array::new();
    for (status, body) in answers {
        list.push(&js_sys::Array::of2(
            &JsValue::from(*status),
            &JsValue::from_str(body),
        ));
    }
    let make = Function::new_with_args(
        "answers, calls",
        "return async (request) => { \
            const body = request.method === 'GET' ? null : await request.clone().text(); \
            calls.push({ url: request.url, method: request.method, \
                headers: Object.fromEntries(request.headers), body }); \
            const etag = '\"' + calls.length + '\"'; \
            const [status, text] = answers.length > 1 ? answers.shift() : answers[0]; \
            if (status === 0) return new Promise((_, reject) => \
                request.signal.addEventListener('abort', () => reject(request.signal.reason))); \
            return new Response(status === 304 ? null : text, { status, \
                headers: { 'content-type': 'application/json', etag } }); \
         }",
    );
    let fetch = make.call2(&JsValue::NULL, &list, &calls).unwrap();
    Reflect::set(&web_sys::window().unwrap(), &"fetch".into(), &fetch).unwrap();
    calls
}

/// A field of the n-th request: `url`, `method`, `body`, or a header such as `if-match`.
fn request(calls: &js_sys::Array, n: u32, field: &str) -> Option<String> {
    let call = calls.get(n);
    let direct = Reflect::get(&call, &field.into())
        .ok()
        .and_then(|v| v.as_string());
    direct.or_else(|| {
        let headers = Reflect::get(&call, &"headers".into()).ok()?;
        Reflect::get(&headers, &field.into()).ok()?.as_string()
    })
}

fn ok(order: &OrderView) -> (u16, String) {
    (200, serde_json::to_string(order).unwrap())
}

fn mount(locale: &str, order_page: Option<&str>) -> HtmlElement {
    mount_with(locale, order_page, None)
}

thread_local! {
    /// The widget mounted last; mounting another unmounts it, so its timers stop.
    static MOUNTED: std::cell::RefCell<Option<postpurchase_widget::Mounted>> = Default::default();
}

fn mount_with(locale: &str, order_page: Option<&str>, prefetched: Option<Promise>) -> HtmlElement {
    mount_options(
        locale,
        order_page,
        prefetched,
        postpurchase_widget::REFRESH_MS,
    )
}

/// The texts the loader would fetch for `locale`: Dutch or English.
fn texts(locale: &str) -> Texts {
    match locale.split('-').next() {
        Some("nl") => Texts::from_file("nl", include_str!("../locales/nl.txt")),
        _ => Texts::from_file("en", include_str!("../locales/en.txt")),
    }
    .unwrap()
}

fn mount_options(
    locale: &str,
    order_page: Option<&str>,
    prefetched: Option<Promise>,
    refresh_ms: u32,
) -> HtmlElement {
    MOUNTED.with(|m| m.borrow_mut().take());
    let document = web_sys::window().unwrap().document().unwrap();
    let root: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&root).unwrap();
    let mounted = postpurchase_widget::mount_with(
        root.clone(),
        postpurchase_widget::Options {
            api: "https://api.example".into(),
            shop: "demo".into(),
            order: "tok/en?".into(),
            texts: texts(locale),
            locale: locale.into(),
            order_page: order_page.map(str::to_owned),
            prefetched,
            refresh_ms,
            intl: SHARED_INTL.with(|f| f.borrow_mut().take()),
            later: LATER.with(|f| f.borrow_mut().take()),
        },
    );
    MOUNTED.with(|m| *m.borrow_mut() = Some(mounted));
    root
}

thread_local! {
    /// The loader's `Intl` factory for the next mount, if a test gives one.
    static SHARED_INTL: std::cell::RefCell<Option<Function>> = Default::default();
    /// The loader's drawer of the after-delivery follow-ups for the next mount.
    static LATER: std::cell::RefCell<Option<Function>> = Default::default();
}

async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Waits until `selector` matches inside `root`, for at most `ms`.
async fn find(root: &HtmlElement, selector: &str, ms: i32) -> Element {
    for _ in 0..ms / 20 {
        if let Some(el) = root.query_selector(selector).unwrap() {
            return el;
        }
        sleep(20).await;
    }
    panic!(
        "nothing matched {selector}; the widget shows: {}",
        root.inner_html()
    );
}

fn text(root: &HtmlElement) -> String {
    root.text_content().unwrap_or_default()
}

/// Fails naming the first of `texts` the widget does not show.
fn assert_shows(root: &HtmlElement, texts: &[&str]) {
    let shown = text(root);
    for expected in texts {
        assert!(
            shown.contains(expected),
            "missing {expected:?} in {shown:?}"
        );
    }
}

/// An attribute of the widget's outermost element.
fn widget_attribute(root: &HtmlElement, name: &str) -> Option<String> {
    root.query_selector(".pp").unwrap()?.get_attribute(name)
}

fn all(root: &HtmlElement, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .map(|i| list.get(i).unwrap().unchecked_into())
        .collect()
}

#[wasm_bindgen_test]
async fn shows_the_order_confirmation_in_english() {
    let calls = fake_fetch(&[ok(&order(false))]);
    let root = mount("en-US", None);
    // Before the answer: a skeleton, announced as loading.
    assert!(root.query_selector("[role=status]").unwrap().is_some());
    assert_eq!(
        widget_attribute(&root, "aria-busy").as_deref(),
        Some("true")
    );

    let title = find(&root, "h2", 2000).await;
    assert_eq!(
        title.text_content().unwrap(),
        "Thank you for your order, Ada!"
    );
    assert_eq!(
        request(&calls, 0, "url").unwrap(),
        "https://api.example/api/v1/shops/demo/orders/tok%2Fen%3F"
    );
    assert_shows(
        &root,
        &[
            "Order 1004",
            "Placed November 17, 2026",
            "Your order has been delivered.",
            "We've sent the confirmation to a********@e******.com.",
            "Gooseneck kettle",
            "Matte black",
            "Quantity 1",
            "€69.00",
            "Quantity 2 · €5.95 each",
            "€11.90",
            "Subtotal€80.90",
            "ShippingFree",
            "Discount-€5.00",
            "Total€75.90",
            "Ada J.",
            "Keizersgracht ***",
            "10** ** Amsterdam",
            "Netherlands",
            // Delivered: when, in the head and the delivery facts; not the past promise.
            "Delivered November 20, 2026",
            "DeliveredNovember 20, 2026",
        ],
    );
    assert_eq!(
        widget_attribute(&root, "aria-busy").as_deref(),
        Some("false")
    );
}

#[wasm_bindgen_test]
async fn reports_one_visit_and_nothing_else_only_when_the_shop_counts_them() {
    let mut counted = order(false);
    counted.report_events = true;
    let calls = fake_fetch(&[ok(&counted)]);
    let root = mount("en", None);
    find(&root, "h2", 2000).await;
    sleep(100).await;
    assert_eq!(calls.length(), 2, "the order, then the visit");
    assert_eq!(
        request(&calls, 1, "url").as_deref(),
        Some("https://api.example/api/v1/shops/demo/orders/tok%2Fen%3F/events")
    );
    assert_eq!(request(&calls, 1, "method").as_deref(), Some("POST"));
    assert_eq!(
        request(&calls, 1, "body").as_deref(),
        Some(r#"{"event":"opened"}"#)
    );
    // No cookie, no person: the request names the order and the event, nothing more.
    assert_eq!(request(&calls, 1, "cookie"), None);

    let calls = fake_fetch(&[ok(&order(false))]);
    let root = mount("en", None);
    find(&root, "h2", 2000).await;
    sleep(100).await;
    assert_eq!(calls.length(), 1, "switched off: the order only");
}

#[wasm_bindgen_test]
async fn nothing_from_the_api_becomes_markup_or_a_script_link() {
    fake_fetch(&[ok(&order(false))]);
    let root = mount("en", None);
    find(&root, "h2", 2000).await;
    // The product name is text, not HTML.
    assert!(text(&root).contains("<b>Paper</b> filters"));
    assert!(root.query_selector(".pp-item b").unwrap().is_none());
    // A javascript: image and help page are dropped; mail and phone stay.
    let images = all(&root, "img");
    assert_eq!(images.len(), 1);
    let links: Vec<String> = all(&root, "a")
        .iter()
        .filter_map(|a| a.get_attribute("href"))
        .collect();
    assert_eq!(links, ["mailto:help@shop.example", "tel:+31201234567"]);
}

#[wasm_bindgen_test]
async fn welcomes_a_returning_customer_in_dutch_with_dutch_money() {
    fake_fetch(&[ok(&order(true))]);
    let root = mount("nl-NL", None);
    let title = find(&root, "h2", 2000).await;
    assert_eq!(
        title.text_content().unwrap(),
        "Welkom terug, Ada! Bedankt dat je opnieuw bij ons bestelt."
    );
    assert_shows(
        &root,
        &[
            "Bestelling 1004",
            "Je artikelen",
            "€\u{a0}69,00",
            "Totaal€\u{a0}75,90",
            "Nederland",
            "Bezorgd op 20 november 2026",
        ],
    );
    assert_eq!(widget_attribute(&root, "lang").as_deref(), Some("nl"));
}

#[wasm_bindgen_test]
async fn an_unknown_order_says_so_and_links_to_the_shop() {
    fake_fetch(&[(
        404,
        r#"{"error":{"code":"not_found","message":"No such order."}}"#.into(),
    )]);
    let root = mount("en", Some("https://shop.example/account/orders"));
    let alert = find(&root, "[role=alert]", 2000).await;
    assert!(alert
        .text_content()
        .unwrap()
        .contains("We couldn't find this order."));
    let link = alert.query_selector("a").unwrap().unwrap();
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("https://shop.example/account/orders")
    );
    assert_eq!(
        link.text_content().unwrap(),
        "View your order on the shop's website"
    );
    // Trying again cannot help here.
    assert!(alert.query_selector("button").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn a_server_error_offers_a_retry_that_works() {
    fake_fetch(&[(503, "oops".into()), ok(&order(false))]);
    let root = mount("en", Some("javascript:alert(1)"));
    let alert = find(&root, "[role=alert]", 2000).await;
    assert!(alert
        .text_content()
        .unwrap()
        .contains("We can't show your order details right now."));
    // A script URL is never offered as the shop's page.
    assert!(alert.query_selector("a").unwrap().is_none());
    let retry: HtmlElement = alert
        .query_selector("button")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(retry.text_content().unwrap(), "Try again");
    retry.click();
    let title = find(&root, "h2", 2000).await;
    assert_eq!(
        title.text_content().unwrap(),
        "Thank you for your order, Ada!"
    );
}

#[wasm_bindgen_test]
async fn a_body_that_is_not_an_order_is_a_readable_error() {
    fake_fetch(&[(200, r#"{"number": 5}"#.into())]);
    let root = mount("en", None);
    let alert = find(&root, "[role=alert]", 2000).await;
    assert!(alert
        .text_content()
        .unwrap()
        .contains("We can't show your order details right now."));
}

#[wasm_bindgen_test]
async fn an_api_that_does_not_answer_times_out_after_five_seconds() {
    fake_fetch(&[(0, String::new())]);
    let root = mount("en", None);
    sleep(4_000).await;
    assert!(
        root.query_selector("[role=alert]").unwrap().is_none(),
        "gave up too early"
    );
    let alert = find(&root, "[role=alert]", 3_000).await;
    assert!(alert
        .text_content()
        .unwrap()
        .contains("We can't show your order details right now."));
}

#[wasm_bindgen_test]
async fn the_loaders_early_answer_is_used_without_asking_again() {
    let calls = fake_fetch(&[(503, "unused".into())]);
    let respond = Function::new_with_args(
        "body",
        "return Promise.resolve(new Response(body, { status: 200, headers: { 'content-type': 'application/json' } }))",
    );
    let body = JsValue::from_str(&serde_json::to_string(&order(false)).unwrap());
    let early: Promise = respond
        .call1(&JsValue::NULL, &body)
        .unwrap()
        .unchecked_into();
    let root = mount_with("en", None, Some(early));
    let title = find(&root, "h2", 2000).await;
    assert_eq!(
        title.text_content().unwrap(),
        "Thank you for your order, Ada!"
    );
    assert_eq!(calls.length(), 0, "asked the API again");
}

#[wasm_bindgen_test]
async fn a_failed_early_answer_is_retried_with_a_request_of_its_own() {
    let calls = fake_fetch(&[ok(&order(false))]);
    let early = Promise::reject(&JsValue::from_str("network down"));
    let root = mount_with("en", None, Some(early));
    let alert = find(&root, "[role=alert]", 2000).await;
    let retry: HtmlElement = alert
        .query_selector("button")
        .unwrap()
        .unwrap()
        .unchecked_into();
    retry.click();
    find(&root, "h2", 2000).await;
    assert_eq!(calls.length(), 1);
}

// Parcels: tracking, live re-checks and delivery choices.

fn parcel(id: i64, status: ShipmentStatus) -> ShipmentSummary {
    ShipmentSummary {
        id,
        carrier: "postnl".into(),
        carrier_name: "PostNL".into(),
        tracking_number: format!("3S{id}"),
        tracking_url: Some(format!("https://track.example/3S{id}")),
        status,
        choice_etag: format!("\"c{id}\""),
        ..ShipmentSummary::default()
    }
}

fn event(
    at: &str,
    status: ShipmentStatus,
    text: Option<&str>,
    place: Option<&str>,
) -> TrackingEvent {
    TrackingEvent {
        occurred_at: at.into(),
        status,
        code: "X".into(),
        text: text.map(Into::into),
        location: place.map(Into::into),
    }
}

/// One parcel (id 7) that can still be changed, with every kind of choice on offer.
fn choosable() -> OrderView {
    let mut order = order(false);
    order.stage = OrderStage::Processing;
    let mut s = parcel(7, ShipmentStatus::Pending);
    s.items = vec![ShipmentItem {
        line_id: 1,
        quantity: 1,
    }];
    s.delivery_dates = Some(DateWindow {
        earliest: "2026-11-24".into(),
        latest: "2026-11-26".into(),
    });
    s.changeable_until = Some("2026-11-23T20:00:00Z".into());
    order.shipments = vec![s];
    let slot = |id, date: &str, from: &str, to: &str, price, places_left| DeliverySlot {
        id,
        date: date.into(),
        from: from.into(),
        to: to.into(),
        price,
        places_left,
    };
    order.delivery_options = Some(DeliveryOptions {
        slots: vec![
            slot(11, "2026-11-24", "10:00", "12:00", None, 3),
            slot(12, "2026-11-24", "18:00", "20:00", Some(295), 0),
            slot(13, "2026-11-30", "10:00", "12:00", None, 5),
        ],
        safe_places: vec!["porch".into(), "rooftop".into()],
        pickup_points: vec![PickupPoint {
            id: 5,
            locker: true,
            name: "Locker Centraal".into(),
            address: "Stationsplein 1, Amsterdam".into(),
            opening_hours: vec!["Mon–Sun 06:00–23:00".into()],
            distance_m: Some(850),
        }],
        neighbour: true,
        slot_payment: SlotPayment::OrderPayment,
    });
    order
}

/// `choosable()` with a choice made, and a new ETag for it.
fn chosen(choice: DeliveryChoice, etag: &str) -> OrderView {
    let mut order = choosable();
    order.shipments[0].choice = Some(choice);
    order.shipments[0].choice_etag = etag.into();
    order
}

fn choice(kind: ChoiceKind) -> DeliveryChoice {
    DeliveryChoice {
        kind,
        slot_id: None,
        neighbour: None,
        safe_place: None,
        pickup_point_id: None,
        date: None,
    }
}

/// Waits until the widget shows `expected`, for at most `ms`.
async fn wait_for(root: &HtmlElement, expected: &str, ms: i32) {
    for _ in 0..ms / 20 {
        if text(root).contains(expected) {
            return;
        }
        sleep(20).await;
    }
    panic!(
        "never showed {expected:?}; the widget shows: {}",
        text(root)
    );
}

fn click(root: &HtmlElement, selector: &str) {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector} in {}", root.inner_html()))
        .unchecked_into::<HtmlElement>()
        .click();
}

/// Types into a text field as a shopper would: value, then an `input` event.
fn type_into(root: &HtmlElement, selector: &str, value: &str) {
    let field = root.query_selector(selector).unwrap().unwrap();
    Function::new_with_args(
        "el, value",
        "el.value = value; el.dispatchEvent(new Event('input', { bubbles: true }))",
    )
    .call2(&JsValue::NULL, &field, &value.into())
    .unwrap();
}

/// An order whose parcel went back to the shop and whose other parcel was cancelled says so
/// in its headline: no "on its way", no "2 of 2 parcels shipped", and no follow-up (here
/// the referral, which leads a calm order) opened ahead of the parcels.
#[wasm_bindgen_test]
async fn a_parcel_going_back_leads_the_order_and_nothing_cheerful_comes_first() {
    let mut order = order(false);
    order.stage = OrderStage::Returning;
    order.modules = vec![Module::Referral, Module::Survey];
    order.shipments = vec![
        parcel(7, ShipmentStatus::ReturnToSender),
        parcel(8, ShipmentStatus::Cancelled),
    ];
    fake_fetch(&[ok(&order)]);
    let root = mount("en", None);
    find(&root, ".pp-parcel", 2000).await;
    let stage = find(&root, "[part=stage]", 100).await;
    assert_eq!(
        stage.text_content().unwrap(),
        "A parcel is on its way back to the shop."
    );
    assert_eq!(
        stage.get_attribute("data-stage").as_deref(),
        Some("returning")
    );
    let count = find(&root, "[part=parcels] > .pp-note", 100).await;
    assert!(count.has_attribute("hidden"), "{:?}", count.text_content());
    sleep(200).await;
    let panels = all(&root, "[part=panel]");
    assert_eq!(panels.len(), 2);
    assert!(panels.iter().all(|p| p.has_attribute("hidden")));
}

/// A status we could not place leads with the carrier's own words, ours after; the words
/// are said once.
#[wasm_bindgen_test]
async fn an_unplaced_status_leads_with_the_carriers_words_in_a_neutral_colour() {
    let mut order = order(false);
    order.stage = OrderStage::Shipped;
    let mut odd = parcel(7, ShipmentStatus::Unknown);
    odd.carrier_text = Some("Zending ligt bij de douane".into());
    order.shipments = vec![odd];
    fake_fetch(&[ok(&order)]);
    let root = mount("en", None);
    let line = find(&root, ".pp-parcel .pp-status", 2000).await;
    assert_eq!(
        line.text_content().unwrap(),
        "PostNL: “Zending ligt bij de douane” · Status unknown"
    );
    assert_eq!(
        line.first_element_child().unwrap().text_content().unwrap(),
        "PostNL: “Zending ligt bij de douane”"
    );
    // Said once; its colour is checked end to end (tests/e2e/delivery.test.mjs).
    assert_eq!(text(&root).matches("Zending ligt bij de douane").count(), 1);
}

/// Every parcel in trouble says what happens next, in the shop's terms, and how to reach
/// it; a failed attempt that can still be rearranged points at the form instead.
#[wasm_bindgen_test]
async fn a_parcel_in_trouble_says_what_the_shop_does_next_and_how_to_reach_it() {
    let mut order = order(false);
    order.stage = OrderStage::ActionNeeded;
    order.shop.when_returned = Some(Remedy::Refund);
    order.shop.refund_days = Some(14);
    let mut failed = parcel(8, ShipmentStatus::AttemptFailed);
    failed.delivery_dates = Some(DateWindow {
        earliest: "2026-11-24".into(),
        latest: "2026-11-26".into(),
    });
    order.shipments = vec![
        parcel(6, ShipmentStatus::ReturnToSender),
        parcel(7, ShipmentStatus::Exception),
        failed,
    ];
    order.shipments[0].locked = Some(ChoiceLock::Closed);
    order.shipments[1].locked = Some(ChoiceLock::Closed);
    fake_fetch(&[ok(&order)]);
    let root = mount("en", None);
    find(&root, "[part=next-step]", 2000).await;
    let steps = all(&root, "[part=next-step]");
    assert_eq!(steps.len(), 3);
    let says = |i: usize| steps[i].text_content().unwrap();
    // Back at the shop: what happens to the money, and when.
    assert!(
        says(0).starts_with(
            "Koffie & Klei refunds you in full once it is back.\
             The money reaches you within 14 days, the way you paid."
        ),
        "{}",
        says(0)
    );
    // Damaged or lost with no remedy set: whom to ask, and how (only safe links).
    assert!(says(1).starts_with("Koffie & Klei sorts it out with the carrier"));
    let links: Vec<String> = steps[1]
        .query_selector_all("a")
        .unwrap()
        .values()
        .into_iter()
        .filter_map(|a| a.ok()?.dyn_into::<Element>().ok()?.get_attribute("href"))
        .collect();
    assert_eq!(links, ["mailto:help@shop.example", "tel:+31201234567"]);
    // Nobody home, still open: choose below; no contact needed.
    assert!(says(2).starts_with("Nobody was home. Choose below"));
    assert!(steps[2].query_selector("a").unwrap().is_none());
}

/// A parcel crossing a border says who pays duties and taxes; one held at customs says so
/// as its own status, with what is due, where to pay it (a safe link only) and what next.
#[wasm_bindgen_test]
async fn a_parcel_at_customs_says_who_pays_what_is_due_and_where() {
    let mut order = order(false);
    order.stage = OrderStage::ActionNeeded;
    let mut held = parcel(6, ShipmentStatus::HeldAtCustoms);
    held.customs = Some(Customs {
        duties: Duties::Due,
        due: Some(DutiesDue {
            amount: 1485,
            currency: "EUR".into(),
            pay_url: Some("https://pay.carrier.example/6".into()),
        }),
    });
    let mut paid = parcel(7, ShipmentStatus::InTransit);
    paid.customs = Some(Customs {
        duties: Duties::Paid,
        due: None,
    });
    let mut foreign = parcel(8, ShipmentStatus::HeldAtCustoms);
    foreign.customs = Some(Customs {
        duties: Duties::Due,
        due: Some(DutiesDue {
            amount: 500,
            currency: "GBP".into(),
            pay_url: Some("javascript:alert(1)".into()),
        }),
    });
    order.shipments = vec![held, paid, foreign];
    fake_fetch(&[ok(&order)]);
    let root = mount("en", None);
    find(&root, "[part=customs]", 2000).await;
    let lines = all(&root, "[part=customs]");
    let says = |i: usize| lines[i].text_content().unwrap();
    assert_eq!(
        says(0),
        "Import duties and taxes: €14.85 to pay · Pay import duties and taxes"
    );
    let pay = lines[0].query_selector("a").unwrap().unwrap();
    assert_eq!(
        pay.get_attribute("href").as_deref(),
        Some("https://pay.carrier.example/6")
    );
    assert_eq!(
        says(1),
        "Import duties and taxes: paid by the shop, nothing to pay on arrival"
    );
    // Another currency written plainly; a link that is not the web's is left out.
    assert_eq!(says(2), "Import duties and taxes: 5.00 GBP to pay");
    assert!(lines[2].query_selector("a").unwrap().is_none());
    let all_text = text(&root);
    assert_eq!(all_text.matches("Held at customs").count(), 2);
    assert!(all_text.contains("Customs holds the parcel until the import duties"));
    // The progress bar marks the trouble where it is.
    let trouble = all(&root, "[part=progress] [data-trouble]");
    assert_eq!(trouble.len(), 2);
}

/// A parcel waiting to be collected says where, its hours, until when, and its code.
#[wasm_bindgen_test]
async fn a_parcel_at_a_pickup_point_says_where_until_when_and_its_code() {
    let mut order = order(false);
    order.stage = OrderStage::ReadyForPickup;
    let mut waiting = parcel(7, ShipmentStatus::AvailableForPickup);
    waiting.pickup = Some(PickupDetails {
        name: "UPS Access Point · Boekhandel".into(),
        address: "Beethovenstraat 32, 1077 JH Amsterdam".into(),
        opening_hours: vec!["Mon–Fri 09:00–18:00".into(), "Sat 10:00–17:00".into()],
        collect_by: Some("2026-11-30T22:59:00Z".into()),
        code: Some("4821".into()),
    });
    order.shipments = vec![waiting];
    fake_fetch(&[ok(&order)]);
    let root = mount("en", None);
    let pickup = find(&root, "[part=pickup]", 2000).await;
    let terms: Vec<String> = pickup
        .query_selector_all("dt")
        .unwrap()
        .values()
        .into_iter()
        .filter_map(|d| d.ok()?.dyn_into::<Element>().ok()?.text_content())
        .collect();
    assert_eq!(
        terms,
        [
            "Collect it at",
            "Opening hours",
            "Collect by",
            "Pickup code"
        ]
    );
    let shown = pickup.text_content().unwrap();
    for part in [
        "UPS Access Point · Boekhandel",
        "Beethovenstraat 32, 1077 JH Amsterdam",
        "Mon–Fri 09:00–18:00",
        "Sat 10:00–17:00",
        "Nov 30",
        "4821",
    ] {
        assert!(shown.contains(part), "{part} in {shown}");
    }
}

/// The card's head and its delivery facts tell one arrival: the parcels' window once they
/// have one, and once delivered, when — never a window in the past.
#[wasm_bindgen_test]
async fn the_head_and_the_delivery_facts_tell_one_arrival() {
    let mut order = order(false);
    order.stage = OrderStage::Shipped;
    order.delivered_at = None;
    order.shipments = vec![parcel(7, ShipmentStatus::InTransit)];
    order.expected_delivery = Some(TimeWindow {
        from: "2026-11-20T09:00:00Z".into(),
        to: "2026-11-20T11:00:00Z".into(),
    });
    let mut delivered = order.clone();
    delivered.stage = OrderStage::Delivered;
    delivered.expected_delivery = None;
    delivered.delivered_at = Some("2026-11-20T10:12:00Z".into());
    delivered.shipments[0].status = ShipmentStatus::Delivered;
    for (order, head, term) in [
        (&order, "Expected Fri, Nov 20", "Expected delivery"),
        (&delivered, "Delivered November 20, 2026", "Delivered"),
    ] {
        fake_fetch(&[ok(order)]);
        let root = mount("en", None);
        let arrival = find(&root, "[part=arrival]", 2000).await;
        let said = arrival.text_content().unwrap();
        assert!(said.starts_with(head), "{said}");
        let facts = find(&root, "[part=delivery] dl", 100).await;
        let when = facts.last_element_child().unwrap().text_content().unwrap();
        assert!(said.ends_with(&when), "{said} / {when}");
        let dt = facts
            .last_element_child()
            .unwrap()
            .previous_element_sibling()
            .unwrap();
        assert_eq!(dt.text_content().unwrap(), term);
        // The promise at checkout is no longer said.
        assert!(!text(&root).contains("Nov 19"), "{}", text(&root));
        root.remove();
    }
}

/// Each parcel shows how far it has come, milestone by milestone, on the road it took; a
/// cancelled one goes nowhere and has no bar.
#[wasm_bindgen_test]
async fn each_parcel_shows_its_milestones_on_the_road_it_took() {
    let mut order = order(false);
    order.stage = OrderStage::ReadyForPickup;
    order.shipments = vec![
        parcel(7, ShipmentStatus::InTransit),
        parcel(8, ShipmentStatus::AvailableForPickup),
        parcel(9, ShipmentStatus::AttemptFailed),
        parcel(10, ShipmentStatus::Cancelled),
    ];
    fake_fetch(&[ok(&order)]);
    let root = mount("en", None);
    find(&root, ".pp-parcel", 2000).await;
    let bars = all(&root, "[part=progress]");
    assert_eq!(bars.len(), 3, "none for the cancelled parcel");
    let steps = |bar: &Element| -> Vec<(String, bool, bool, bool)> {
        let list = bar.query_selector_all("li").unwrap();
        (0..list.length())
            .map(|i| {
                let li: Element = list.get(i).unwrap().unchecked_into();
                (
                    li.text_content().unwrap(),
                    li.has_attribute("data-done"),
                    li.get_attribute("aria-current").as_deref() == Some("step"),
                    li.has_attribute("data-trouble"),
                )
            })
            .collect()
    };
    let s = |text: &str, done, current, trouble| (text.to_owned(), done, current, trouble);
    assert_eq!(
        steps(&bars[0]),
        [
            s("Ordered", true, false, false),
            s("Shipped", true, true, false),
            s("Out for delivery", false, false, false),
            s("Delivered", false, false, false),
        ]
    );
    assert_eq!(
        steps(&bars[1]),
        [
            s("Ordered", true, false, false),
            s("Shipped", true, false, false),
            s("Ready to collect", true, true, false),
        ]
    );
    assert_eq!(steps(&bars[2])[2], s("Out for delivery", true, true, true));
    assert_eq!(
        bars[0].get_attribute("aria-label").as_deref(),
        Some("How far it has come")
    );
}

#[wasm_bindgen_test]
async fn a_split_order_shows_each_parcel_and_what_is_still_to_come() {
    let mut order = order(false);
    order.stage = OrderStage::PartiallyShipped;
    let mut first = parcel(7, ShipmentStatus::InTransit);
    first.items = vec![
        ShipmentItem {
            line_id: 1,
            quantity: 1,
        },
        ShipmentItem {
            line_id: 2,
            quantity: 1,
        },
    ];
    first.carrier_text = Some("Zending is onderweg".into());
    first.estimated_delivery = Some(TimeWindow {
        from: "2026-11-20T09:00:00Z".into(),
        to: "2026-11-20T11:00:00Z".into(),
    });
    first.events = vec![
        event(
            "2026-11-19T08:00:00Z",
            ShipmentStatus::InTransit,
            Some("Sorted"),
            Some("Utrecht"),
        ),
        event("2026-11-18T17:00:00Z", ShipmentStatus::Pending, None, None),
    ];
    let mut second = parcel(8, ShipmentStatus::Pending);
    second.tracking_url = Some("javascript:alert(1)".into());
    order.shipments = vec![first, second];
    fake_fetch(&[ok(&order)]);
    let root = mount("en", None);
    find(&root, ".pp-parcel", 2000).await;
    assert_shows(
        &root,
        &[
            "Your parcels",
            "1 of 2 parcels shipped",
            "Parcel 1",
            "PostNL tracking number 3S7",
            "On its way",
            "PostNL: “Zending is onderweg”",
            "Expected ",
            "Gooseneck kettle × 1",
            "Utrecht · Sorted",
            "All updates",
            "Being prepared",
            "Parcel 2",
            "Not shipped yet",
            "<b>Paper</b> filters × 1",
        ],
    );
    let parcels = all(&root, ".pp-parcel");
    assert_eq!(
        parcels[0].get_attribute("data-status").as_deref(),
        Some("in_transit")
    );
    // The carrier's page is a link; a script URL is not.
    let links: Vec<String> = all(&root, ".pp-parcel a")
        .iter()
        .filter_map(|a| a.get_attribute("href"))
        .collect();
    assert_eq!(links, ["https://track.example/3S7"]);
    // The latest event in sight, the older one folded away.
    let times = all(&root, ".pp-parcel time");
    assert_eq!(
        times[0].get_attribute("datetime").as_deref(),
        Some("2026-11-19T08:00:00Z")
    );
    assert!(root
        .query_selector(".pp-history .pp-events li")
        .unwrap()
        .is_some());
    // No choices without delivery options.
    assert!(root
        .query_selector(".pp-parcel form, .pp-parcel button")
        .unwrap()
        .is_none());
}

#[wasm_bindgen_test]
async fn a_parcel_the_server_calls_delayed_says_why_beside_the_carriers_words() {
    let mut order = order(false);
    order.stage = OrderStage::Shipped;
    let mut late = parcel(7, ShipmentStatus::Delayed);
    late.delay_reason = Some(DelayReason::Late);
    late.carrier_text = Some("Sorted in Utrecht".into());
    let mut quiet = parcel(8, ShipmentStatus::Delayed);
    quiet.delay_reason = Some(DelayReason::NoNews);
    // The carrier's own "delayed" has no reason of ours.
    let carriers = parcel(9, ShipmentStatus::Delayed);
    order.shipments = vec![late, quiet, carriers];
    fake_fetch(&[ok(&order)]);
    let root = mount("en", None);
    find(&root, ".pp-parcel", 2000).await;
    assert_shows(
        &root,
        &[
            "Your parcel is later than expected; we are looking into it.",
            "PostNL: “Sorted in Utrecht”",
            "The carrier has not sent news of your parcel for a few days; we are looking into it.",
        ],
    );
    let notes = |i: usize| {
        all(&root, ".pp-parcel")[i]
            .text_content()
            .unwrap_or_default()
    };
    assert!(!notes(2).contains("looking into it"), "{}", notes(2));
}

#[wasm_bindgen_test]
async fn a_live_recheck_updates_a_changed_parcel_and_says_so() {
    let mut order = order(false);
    order.shipments = vec![parcel(7, ShipmentStatus::InTransit)];
    let mut newer = order.clone();
    newer.shipments[0].status = ShipmentStatus::OutForDelivery;
    let calls = fake_fetch(&[ok(&order), (304, String::new()), ok(&newer)]);
    let root = mount_options("en", None, None, 50);
    find(&root, ".pp-parcel", 2000).await;
    let live = root.query_selector("[aria-live=polite]").unwrap().unwrap();
    assert_eq!(live.text_content().unwrap(), "");
    for _ in 0..50 {
        if calls.length() >= 2 {
            break;
        }
        sleep(20).await;
    }
    // The re-check asks for a change since the ETag it has, past the browser's cache.
    assert_eq!(
        request(&calls, 1, "if-none-match").as_deref(),
        Some("\"1\"")
    );
    assert_eq!(request(&calls, 1, "method").as_deref(), Some("GET"));
    assert_shows(&root, &["On its way"]);
    assert_eq!(live.text_content().unwrap(), "");
    // "Out for delivery" is on the progress bar all along: wait for the status line.
    for _ in 0..100 {
        let line = find(&root, ".pp-status", 100).await;
        if line.text_content().unwrap() == "Out for delivery" {
            break;
        }
        sleep(20).await;
    }
    assert_eq!(
        find(&root, ".pp-status", 100).await.text_content().unwrap(),
        "Out for delivery"
    );
    assert_eq!(live.text_content().unwrap(), "Parcel 1: Out for delivery");
}

#[wasm_bindgen_test]
async fn a_shopper_picks_a_slot_then_a_neighbour() {
    let mut slot = choice(ChoiceKind::Slot);
    slot.slot_id = Some(11);
    let mut neighbour = choice(ChoiceKind::Neighbour);
    neighbour.neighbour = Some(Neighbour {
        name: "Bob".into(),
        house_number: "12".into(),
    });
    let calls = fake_fetch(&[
        ok(&choosable()),
        ok(&chosen(slot, "\"c7b\"")),
        ok(&chosen(neighbour, "\"c7c\"")),
    ]);
    let root = mount("en", None);
    find(&root, ".pp-choice button", 2000).await;
    assert_shows(&root, &["You can change this until "]);
    click(&root, ".pp-choice button");
    find(&root, "form", 1000).await;
    // Only what the shop offers; the safe place it has no words for is left out.
    let kinds: Vec<String> = all(&root, "input[name=pp7-kind]")
        .iter()
        .filter_map(|k| k.get_attribute("value"))
        .collect();
    assert_eq!(
        kinds,
        [
            "slot",
            "neighbour",
            "safe_place",
            "pickup_point",
            "another_day"
        ]
    );
    // Slots inside the parcel's dates; a full one is marked and cannot be picked.
    let slots = all(&root, "input[name=pp7-0]");
    assert_eq!(slots.len(), 2);
    assert!(slots[1].has_attribute("disabled"));
    // A price says how it is paid, as the shop set it.
    assert_shows(&root, &["Full", "+€2.95, charged like your order"]);
    click(&root, "input[name=pp7-0][value='11']");
    click(&root, "button[type=submit]");
    wait_for(&root, "Saved: Delivery on Tue, Nov 24", 2000).await;
    assert_eq!(request(&calls, 1, "method").as_deref(), Some("POST"));
    assert_eq!(
        request(&calls, 1, "url").unwrap(),
        "https://api.example/api/v1/shops/demo/orders/tok%2Fen%3F/shipments/7/choice"
    );
    assert_eq!(request(&calls, 1, "if-match").as_deref(), Some("\"c7\""));
    assert_eq!(
        request(&calls, 1, "content-type").as_deref(),
        Some("application/json")
    );
    let first_key = request(&calls, 1, "idempotency-key").unwrap();
    assert_eq!(first_key.len(), 32);
    assert_eq!(
        request(&calls, 1, "body").as_deref(),
        Some(r#"{"choice":{"kind":"slot","slot_id":11}}"#)
    );
    assert_shows(
        &root,
        &["Your choice: Delivery on Tue, Nov 24", "Change", "Clear"],
    );
    assert!(root.query_selector("form").unwrap().is_none());

    // Changed to a neighbour.
    click(&root, "[data-act=open]");
    find(&root, "form", 1000).await;
    click(&root, "input[name=pp7-kind][value=neighbour]");
    find(&root, "#pp7-1", 1000).await;
    type_into(&root, "#pp7-1", "Bob");
    type_into(&root, "#pp7-2", "12");
    click(&root, "button[type=submit]");
    wait_for(&root, "Saved: With Bob at number 12", 2000).await;
    assert_eq!(request(&calls, 2, "if-match").as_deref(), Some("\"c7b\""));
    assert_eq!(
        request(&calls, 2, "body").as_deref(),
        Some(r#"{"choice":{"kind":"neighbour","neighbour":{"name":"Bob","house_number":"12"}}}"#)
    );
    assert_ne!(request(&calls, 2, "idempotency-key").unwrap(), first_key);
}

#[wasm_bindgen_test]
async fn an_invalid_neighbour_is_explained_in_place_and_not_sent() {
    let calls = fake_fetch(&[ok(&choosable())]);
    let root = mount("en", None);
    find(&root, ".pp-choice button", 2000).await;
    click(&root, ".pp-choice button");
    find(&root, "form", 1000).await;
    click(&root, "input[name=pp7-kind][value=neighbour]");
    find(&root, "#pp7-1", 1000).await;
    type_into(&root, "#pp7-1", "   ");
    type_into(&root, "#pp7-2", "B");
    click(&root, "button[type=submit]");
    let name = find(&root, "#pp7-1[aria-invalid=true]", 1000).await;
    assert_eq!(
        name.get_attribute("aria-describedby").as_deref(),
        Some("pp7-1e")
    );
    let message = root.query_selector("#pp7-1e").unwrap().unwrap();
    assert_eq!(
        message.text_content().unwrap(),
        "Enter your neighbour's name (up to 60 characters)."
    );
    assert!(root
        .query_selector("#pp7-2[aria-invalid=true]")
        .unwrap()
        .is_some());
    assert_shows(
        &root,
        &["Enter a house number with at least one digit (up to 10 characters)."],
    );
    // What was typed stays; nothing went to the API.
    let house: web_sys::HtmlInputElement = root
        .query_selector("#pp7-2")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(house.value(), "B");
    sleep(100).await;
    assert_eq!(calls.length(), 1);
}

#[wasm_bindgen_test]
async fn a_slot_taken_meanwhile_is_explained_and_the_view_reloaded() {
    let mut full = choosable();
    full.delivery_options.as_mut().unwrap().slots[0].places_left = 0;
    let calls = fake_fetch(&[
        ok(&choosable()),
        (
            409,
            r#"{"error":{"code":"slot_full","message":"That slot is full."}}"#.into(),
        ),
        ok(&full),
    ]);
    let root = mount("en", None);
    find(&root, ".pp-choice button", 2000).await;
    click(&root, ".pp-choice button");
    find(&root, "form", 1000).await;
    click(&root, "input[name=pp7-0][value='11']");
    click(&root, "button[type=submit]");
    wait_for(&root, "Sorry, that time slot has just filled up.", 2000).await;
    assert!(!text(&root).contains("That slot is full."));
    // The view was loaded again (unconditionally) and the form is still open as it was.
    assert_eq!(calls.length(), 3);
    assert_eq!(request(&calls, 2, "method").as_deref(), Some("GET"));
    assert_eq!(request(&calls, 2, "if-none-match"), None);
    let picked = find(&root, "input[name=pp7-0][value='11']", 1000).await;
    assert!(picked.has_attribute("checked"));
    assert!(picked.has_attribute("disabled"));
}

/// "Another day" offers each day the parcel may come on, by name, to pick from: the range
/// is never something to guess at and be told about in an error.
#[wasm_bindgen_test]
async fn another_day_offers_every_allowed_day_to_pick() {
    let mut day = choice(ChoiceKind::AnotherDay);
    day.date = Some("2026-11-25".into());
    let calls = fake_fetch(&[ok(&choosable()), ok(&chosen(day, "\"c7d\""))]);
    let root = mount("en", None);
    find(&root, ".pp-choice button", 2000).await;
    click(&root, ".pp-choice button");
    find(&root, "form", 1000).await;
    click(&root, "input[name=pp7-kind][value=another_day]");
    let days = find(&root, "input[name=pp7-7]", 1000).await;
    assert_eq!(days.get_attribute("type").as_deref(), Some("radio"));
    let offered: Vec<String> = all(&root, "input[name=pp7-7]")
        .iter()
        .filter_map(|d| d.get_attribute("value"))
        .collect();
    assert_eq!(offered, ["2026-11-24", "2026-11-25", "2026-11-26"]);
    assert_shows(
        &root,
        &["Delivery date", "Tue, Nov 24", "Wed, Nov 25", "Thu, Nov 26"],
    );
    assert!(root.query_selector("input[type=date]").unwrap().is_none());
    // Nothing picked yet: said beside the days, nothing sent.
    click(&root, "button[type=submit]");
    find(&root, "[aria-invalid=true]", 1000).await;
    assert_eq!(calls.length(), 1);
    click(&root, "input[name=pp7-7][value='2026-11-25']");
    click(&root, "button[type=submit]");
    wait_for(&root, "Saved: ", 2000).await;
    assert_eq!(
        request(&calls, 1, "body").as_deref(),
        Some(r#"{"choice":{"kind":"another_day","date":"2026-11-25"}}"#)
    );
}

/// The driver's instructions are optional while a place is picked, and the label says when
/// they are not: with no place picked, they are what says where.
#[wasm_bindgen_test]
async fn the_instructions_say_when_they_are_needed() {
    let mut porch = choice(ChoiceKind::SafePlace);
    porch.safe_place = Some(SafePlaceChoice {
        place: None,
        instruction: Some("Behind the blue gate".into()),
        risk_accepted: true,
    });
    let calls = fake_fetch(&[ok(&choosable()), ok(&chosen(porch, "\"c7e\""))]);
    let root = mount("en", None);
    find(&root, ".pp-choice button", 2000).await;
    click(&root, ".pp-choice button");
    find(&root, "form", 1000).await;
    click(&root, "input[name=pp7-kind][value=safe_place]");
    find(&root, "#pp7-4", 1000).await;
    assert_shows(
        &root,
        &["Instructions for the driver (needed only if none of the places above fits)"],
    );
    click(&root, "#pp7-5-1");
    // Neither a place nor words: the place is what is missing, and it says how to mend it.
    click(&root, "button[type=submit]");
    wait_for(
        &root,
        "Choose a place, or describe one in the instructions.",
        1000,
    )
    .await;
    assert_eq!(calls.length(), 1);
    // Words alone are enough.
    type_into(&root, "#pp7-4", "Behind the blue gate");
    click(&root, "button[type=submit]");
    wait_for(&root, "Saved: ", 2000).await;
    assert_eq!(
        request(&calls, 1, "body").as_deref(),
        Some(
            r#"{"choice":{"kind":"safe_place","safe_place":{"instruction":"Behind the blue gate","risk_accepted":true}}}"#
        )
    );
}

#[wasm_bindgen_test]
async fn a_parcel_out_for_delivery_shows_its_choice_and_why_it_is_locked() {
    let mut neighbour = choice(ChoiceKind::Neighbour);
    neighbour.neighbour = Some(Neighbour {
        name: "Bob".into(),
        house_number: "12".into(),
    });
    let mut order = chosen(neighbour, "\"c7b\"");
    order.shipments[0].status = ShipmentStatus::OutForDelivery;
    order.shipments[0].locked = Some(ChoiceLock::OutForDelivery);
    fake_fetch(&[ok(&order)]);
    let root = mount("en", None);
    find(&root, ".pp-choice", 2000).await;
    assert_shows(
        &root,
        &[
            "Your choice: With Bob at number 12",
            "This parcel is out for delivery, so its delivery can no longer be changed.",
        ],
    );
    assert!(root
        .query_selector(".pp-choice form, .pp-choice button")
        .unwrap()
        .is_none());
    assert!(!text(&root).contains("You can change this until"));
}

#[wasm_bindgen_test]
async fn the_loaders_ready_made_intl_formatters_are_used() {
    // The loader makes formatters while the page waits and hands them over; this one
    // records what the widget asks it for.
    let factory = Function::new_with_args(
        "kind, locale, options",
        "(window.__ppIntl ||= []).push(kind + ' ' + locale + ' ' + JSON.stringify(options)); \
         return new Intl[kind](locale, options);",
    );
    SHARED_INTL.with(|f| *f.borrow_mut() = Some(factory));
    // A currency no other test uses, so these formats are made afresh.
    let mut swiss = order(false);
    swiss.currency = "CHF".into();
    fake_fetch(&[ok(&swiss)]);
    let root = mount("de-CH", None);
    find(&root, "h2", 2000).await;
    let asked: Vec<String> = js_sys::Array::from(
        &Reflect::get(&web_sys::window().unwrap(), &"__ppIntl".into()).unwrap(),
    )
    .iter()
    .filter_map(|v| v.as_string())
    .collect();
    assert!(
        asked.contains(&r#"NumberFormat de-CH {"style":"currency","currency":"CHF"}"#.to_owned()),
        "{asked:?}"
    );
    assert!(
        asked.contains(&r#"DateTimeFormat de-CH {"dateStyle":"long"}"#.to_owned()),
        "{asked:?}"
    );
    assert_shows(&root, &["CHF"]);
}

#[wasm_bindgen_test]
async fn news_for_a_parcel_leaves_its_open_form_alone() {
    let before = choosable();
    let mut after = choosable();
    after.shipments[0].carrier_text = Some("Sorted in Utrecht".into());
    // The first answer, then a changed order for every re-check.
    let calls = fake_fetch(&[ok(&before), ok(&after)]);
    let root = mount_options("en", None, None, 50);
    find(&root, ".pp-choice button", 2000).await;
    click(&root, ".pp-choice button");
    find(&root, "form", 1000).await;
    click(&root, "input[name=pp7-kind][value='neighbour']");
    let name = find(&root, "#pp7-1", 1000).await;
    name.unchecked_ref::<HtmlElement>().focus().unwrap();
    type_into(&root, "#pp7-1", "Mrs Jansen");
    wait_for(&root, "Sorted in Utrecht", 2000).await;
    sleep(50).await;
    assert!(calls.length() >= 2);
    // Its form was not drawn anew: the field still holds what was typed, and the keyboard.
    assert_typing("pp7-1", "Mrs Jansen");
}

/// The field `id` has the keyboard and holds `text`.
fn assert_typing(id: &str, text: &str) {
    let active = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .active_element()
        .unwrap();
    assert_eq!(active.id(), id);
    assert_eq!(
        active.unchecked_into::<web_sys::HtmlInputElement>().value(),
        text
    );
}

#[wasm_bindgen_test]
async fn a_recheck_redraws_only_the_parcel_that_changed() {
    // Parcel 7 can be changed; parcel 8 is on its way, with a history of two events.
    let mut before = choosable();
    let mut other = parcel(8, ShipmentStatus::InTransit);
    other.events = vec![
        event(
            "2026-11-22T09:00:00Z",
            ShipmentStatus::InTransit,
            Some("Sorted"),
            None,
        ),
        event(
            "2026-11-21T18:00:00Z",
            ShipmentStatus::Pending,
            Some("Registered"),
            None,
        ),
    ];
    before.shipments.push(other);
    let mut after = before.clone();
    after.shipments[1].status = ShipmentStatus::OutForDelivery;
    after.shipments[1].events.insert(
        0,
        event(
            "2026-11-23T07:00:00Z",
            ShipmentStatus::OutForDelivery,
            Some("With the driver"),
            None,
        ),
    );
    fake_fetch(&[ok(&before), ok(&after)]);
    let root = mount_options("en", None, None, 50);
    find(&root, "#pp7-open", 2000).await;
    let parcels = all(&root, ".pp-parcel");
    let items = root.query_selector("[part=items]").unwrap().unwrap();
    // The history of parcel 8 opened, a form of parcel 7 opened and typed in.
    click(&root, "[data-sid='8'][data-act=history]");
    click(&root, "#pp7-open");
    click(&root, "input[name=pp7-kind][value=neighbour]");
    let name = find(&root, "#pp7-1", 1000).await;
    name.unchecked_ref::<HtmlElement>().focus().unwrap();
    type_into(&root, "#pp7-1", "Mrs Jansen");
    wait_for(&root, "With the driver", 2000).await;
    let same = |a: &Element, b: &Element| js_sys::Object::is(a, b);
    // The changed parcel shows its news in the same place; nothing else was drawn anew.
    let now = all(&root, ".pp-parcel");
    assert!(same(&now[0], &parcels[0]) && same(&now[1], &parcels[1]));
    assert_eq!(
        now[1].get_attribute("data-status").as_deref(),
        Some("out_for_delivery")
    );
    assert!(same(
        &root.query_selector("[part=items]").unwrap().unwrap(),
        &items
    ));
    assert!(same(
        &root.query_selector("#pp7-1").unwrap().unwrap(),
        &name
    ));
    // Its history stays open, the other parcel's form keeps its text and the keyboard.
    assert!(root
        .query_selector("[data-status=out_for_delivery] details[open]")
        .unwrap()
        .is_some());
    assert_typing("pp7-1", "Mrs Jansen");
}

/// Sets a list's or field's value as a shopper would, with a `change` event.
fn choose(root: &HtmlElement, selector: &str, value: &str) {
    let field = root
        .query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"));
    Function::new_with_args(
        "el, value",
        "el.value = value; el.dispatchEvent(new Event('change', { bubbles: true }))",
    )
    .call2(&JsValue::NULL, &field, &value.into())
    .unwrap();
}

fn submit(root: &HtmlElement, selector: &str) {
    let form = root.query_selector(selector).unwrap().unwrap();
    Function::new_with_args("f", "f.requestSubmit()")
        .call1(&JsValue::NULL, &form)
        .unwrap();
}

async fn calls_reach(calls: &js_sys::Array, n: u32) {
    for _ in 0..100 {
        if calls.length() >= n {
            return;
        }
        sleep(20).await;
    }
    panic!("only {} requests", calls.length());
}

#[wasm_bindgen_test]
async fn a_delivered_order_leads_with_reviews_and_fetches_a_module_only_when_opened() {
    let mut order = order(false);
    order.modules = vec![Module::Returns, Module::Reviews, Module::Referral];
    let reviews = serde_json::json!([
        {"line_id": 1, "name": "Gooseneck kettle", "delivered": true, "sized": false, "review": null},
        {"line_id": 2, "name": "Paper filters", "delivered": true, "sized": false, "review": {
            "id": 9, "line_id": 2, "stars": 4, "title": "<img src=x onerror=alert(1)>",
            "body": "<script>alert(2)</script>\nsecond line", "fit": null, "verified_buyer": true,
            "status": "pending", "created_at": "2026-11-22T10:00:00Z", "photos": ["P/1"]}}
    ]);
    let referral = serde_json::json!({
        "code": "ADA-7K4QX", "share_url": "https://shop.example/?ref=ADA-7K4QX",
        "friend_reward": {"kind": "percent_off", "value": 15, "currency": null},
        "referrer_reward": {"kind": "store_credit", "value": 1000, "currency": "EUR"},
        "friends": 1
    });
    let calls = fake_fetch(&[
        ok(&order),
        (200, reviews.to_string()),
        (200, referral.to_string()),
    ]);
    // A browser with the Web Share API and a clipboard, both recording what they get.
    Function::new_no_args(
        "window.__shared = null; window.__copied = null; \
         Object.defineProperty(navigator, 'share', { configurable: true, \
             value: async (data) => { window.__shared = data; } }); \
         Object.defineProperty(navigator, 'clipboard', { configurable: true, \
             value: { writeText: async (text) => { window.__copied = text; } } });",
    )
    .call0(&JsValue::NULL)
    .unwrap();
    let root = mount("en", None);
    find(&root, "#pp-m-reviews form", 2000).await;
    assert_eq!(
        request(&calls, 1, "url").unwrap(),
        "https://api.example/api/v1/shops/demo/orders/tok%2Fen%3F/reviews"
    );
    let button = |name: &str| {
        root.query_selector(&format!("#pp-mb-{name}"))
            .unwrap()
            .unwrap()
            .get_attribute("aria-expanded")
    };
    assert_eq!(button("reviews").as_deref(), Some("true"));
    assert_eq!(button("returns").as_deref(), Some("false"));
    // Written text stays text.
    let shown = root.query_selector(".pp-review-body").unwrap().unwrap();
    assert_eq!(
        shown.text_content().unwrap(),
        "<script>alert(2)</script>\nsecond line"
    );
    assert_eq!(shown.child_element_count(), 0);
    // Their photo, from the order's own address (not published yet).
    let shot = root.query_selector(".pp-shot").unwrap().unwrap();
    assert_eq!(
        shot.get_attribute("src").as_deref(),
        Some("https://api.example/api/v1/shops/demo/orders/tok%2Fen%3F/photos/P%2F1")
    );
    assert_eq!(shot.get_attribute("alt").as_deref(), Some("Your photo 1"));
    // The form takes up to three photos.
    let field = root
        .query_selector("#pp-rv1 [name=photos]")
        .unwrap()
        .unwrap();
    assert_eq!(field.get_attribute("type").as_deref(), Some("file"));
    assert_eq!(
        field.get_attribute("accept").as_deref(),
        Some("image/jpeg,image/png,image/webp")
    );
    assert_shows(
        &root,
        &[
            "<img src=x onerror=alert(1)>",
            "Verified buyer",
            "Rated 4 out of 5",
        ],
    );
    // An empty review is marked, not sent.
    submit(&root, "#pp-m-reviews form");
    sleep(50).await;
    assert_eq!(calls.length(), 2);
    let star = root
        .query_selector("#pp-rv1 [name=stars]")
        .unwrap()
        .unwrap();
    assert_eq!(star.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_shows(&root, &["Please choose one.", "Please fill this in."]);
    // Opening another module closes this one and fetches its data, once.
    click(&root, "#pp-mb-referral");
    wait_for(&root, "ADA-7K4QX", 2000).await;
    assert_eq!(button("reviews").as_deref(), Some("false"));
    assert!(request(&calls, 2, "url").unwrap().ends_with("/referral"));
    assert_shows(
        &root,
        &[
            "Your friend gets 15% off on their first order, and you get €10.00 store credit",
            "1 friend has used your code.",
        ],
    );
    let window = JsValue::from(web_sys::window().unwrap());
    let global = |name: &str| Reflect::get(&window, &name.into()).unwrap();
    click(&root, "[data-act=m-copy]");
    wait_for(&root, "Link copied", 1000).await;
    assert_eq!(
        global("__copied").as_string().as_deref(),
        Some("https://shop.example/?ref=ADA-7K4QX")
    );
    click(&root, "[data-act=m-share]");
    sleep(20).await;
    let shared = global("__shared");
    assert_eq!(
        Reflect::get(&shared, &"url".into())
            .unwrap()
            .as_string()
            .as_deref(),
        Some("https://shop.example/?ref=ADA-7K4QX")
    );
    assert_eq!(
        Reflect::get(&shared, &"text".into())
            .unwrap()
            .as_string()
            .as_deref(),
        Some(
            "15% off at Koffie & Klei with my code ADA-7K4QX: https://shop.example/?ref=ADA-7K4QX"
        )
    );
    click(&root, "#pp-mb-referral");
    click(&root, "#pp-mb-referral");
    sleep(50).await;
    assert_eq!(calls.length(), 3);
}

#[wasm_bindgen_test]
async fn a_return_goes_step_by_step_and_sends_what_was_chosen() {
    let mut order = order(false);
    order.modules = vec![Module::Returns];
    let options = serde_json::json!({
        "lines": [
            {"line_id": 1, "name": "Gooseneck kettle", "quantity": 1, "reason": null,
             "window_closes_at": "2026-12-17T10:00:00Z", "exchange_options": []},
            {"line_id": 2, "name": "Paper filters", "quantity": 0, "reason": "final_sale",
             "window_closes_at": "2026-12-17T10:00:00Z", "exchange_options": []}
        ],
        "reasons": ["Too small", "Not as pictured"],
        "store_credit_bonus": 10,
        "returns": []
    });
    // The amounts are the server's: the quote's, not worked out from the order's prices.
    let quote = serde_json::json!({"refund": 6500, "bonus": 650, "currency": "EUR"});
    let created = serde_json::json!({"number": "1004-R1"});
    let calls = fake_fetch(&[
        ok(&order),
        (200, options.to_string()),
        (200, quote.to_string()),
        (201, created.to_string()),
        (200, options.to_string()),
    ]);
    let root = mount("en", None);
    find(&root, "[data-act=m-start]", 2000).await;
    assert_shows(
        &root,
        &["Final sale: cannot be returned.", "Can be returned until "],
    );
    click(&root, "[data-act=m-start]");
    // Each item with its picture.
    assert!(root
        .query_selector("[data-step='0'] img.pp-thumb")
        .unwrap()
        .is_some());
    // No item chosen: said, and nothing moves on.
    click(&root, "[data-step='0'] [data-act=m-next]");
    assert_shows(&root, &["Choose at least one item."]);
    click(&root, "[name=p1]");
    click(&root, "[data-step='0'] [data-act=m-next]");
    // A reason is needed; the comment is not.
    click(&root, "[data-step='1'] [data-act=m-next]");
    let reason = root.query_selector("[name=r1]").unwrap().unwrap();
    assert_eq!(
        reason.get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
    choose(&root, "[name=r1]", "Not as pictured");
    assert_eq!(
        reason.get_attribute("aria-invalid").as_deref(),
        Some("false")
    );
    click(&root, "[data-step='1'] [data-act=m-next]");
    // No variant in stock: no exchange, and the shopper is told why.
    let exchange = root.query_selector("[value=exchange]").unwrap().unwrap();
    assert!(exchange.has_attribute("disabled"));
    let why = root.query_selector("#pp-rf-noswap").unwrap().unwrap();
    assert!(!why.has_attribute("hidden"));
    assert_eq!(
        why.text_content().unwrap(),
        "No exchange possible: Gooseneck kettle is not in stock in another size or colour right now."
    );
    assert!(exchange
        .get_attribute("aria-describedby")
        .is_some_and(|ids| ids.ends_with(" pp-rf-noswap")));
    click(&root, "[value=store_credit]");
    click(&root, "[data-step='2'] [data-act=m-next]");
    click(&root, "[value=drop_off]");
    click(&root, "[data-step='3'] [data-act=m-next]");
    assert_shows(&root, &["Gooseneck kettle × 1 · Not as pictured"]);
    wait_for(
        &root,
        "You get €71.50 store credit, €6.50 of it extra.",
        2000,
    )
    .await;
    let sent = serde_json::json!({"items": [{"line_id": 1, "quantity": 1,
                                             "reason": "Not as pictured", "comment": null}],
                                  "resolution": "store_credit", "method": "drop_off"});
    assert_eq!(request(&calls, 2, "method").as_deref(), Some("POST"));
    assert!(request(&calls, 2, "url")
        .unwrap()
        .ends_with("/returns/quote"));
    let body = |n| serde_json::from_str::<serde_json::Value>(&request(&calls, n, "body").unwrap());
    assert_eq!(
        body(2).unwrap(),
        sent,
        "the quote is for what would be sent"
    );
    assert!(root.query_selector("[data-bonus]").unwrap().is_none());
    submit(&root, "#pp-rf");
    calls_reach(&calls, 5).await;
    assert_eq!(request(&calls, 3, "method").as_deref(), Some("POST"));
    assert!(request(&calls, 3, "url").unwrap().ends_with("/returns"));
    assert_eq!(
        request(&calls, 3, "idempotency-key").map(|k| k.len()),
        Some(32)
    );
    assert_eq!(body(3).unwrap(), sent);
    wait_for(&root, "Return 1004-R1 is registered.", 2000).await;
}

/// Files chosen in a photo field, as the browser would set them: (name, type, bytes).
fn choose_files(root: &HtmlElement, selector: &str, files: &[(&str, &str, usize)]) {
    let field = root.query_selector(selector).unwrap().unwrap();
    let list = js_sys::Array::new();
    for (name, kind, size) in files {
        list.push(&js_sys::Array::of3(
            &(*name).into(),
            &(*kind).into(),
            &(*size as u32).into(),
        ));
    }
    Function::new_with_args(
        "el, files",
        "const t = new DataTransfer(); \
         for (const [name, type, size] of files) \
           t.items.add(new File([new Uint8Array(size)], name, { type })); \
         el.files = t.files; el.dispatchEvent(new Event('change', { bubbles: true }))",
    )
    .call2(&JsValue::NULL, &field, &list)
    .unwrap();
}

/// Pieces by a stepper that starts at all that can go back; the reasons for the item's
/// kind of product; photos only for a reason that takes them, checked before they are
/// sent, then sent one by one and named in the return.
#[wasm_bindgen_test]
async fn a_return_counts_pieces_offers_the_items_reasons_and_takes_photos_of_damage() {
    let mut order = order(false);
    order.modules = vec![Module::Returns];
    let options = serde_json::json!({
        "lines": [
            {"line_id": 1, "name": "Gooseneck kettle", "quantity": 3, "reason": null,
             "window_closes_at": "2026-12-17T10:00:00Z", "exchange_options": [],
             "reasons": ["Dented", "Arrived damaged"]},
            {"line_id": 2, "name": "Paper filters", "quantity": 1, "reason": null,
             "window_closes_at": "2026-12-17T10:00:00Z", "exchange_options": []}
        ],
        "reasons": ["Changed my mind", "Arrived damaged"],
        "photo_reasons": ["Arrived damaged"],
        "store_credit_bonus": 0,
        "returns": []
    });
    let quote = serde_json::json!({"refund": 13000, "bonus": 0, "currency": "EUR"});
    let photo = serde_json::json!({"id": "PHOTO-1", "content_type": "image/jpeg",
                                   "width": 800, "height": 600});
    let calls = fake_fetch(&[
        ok(&order),
        (200, options.to_string()),
        (200, quote.to_string()),
        (201, photo.to_string()),
        (201, serde_json::json!({"number": "1004-R1"}).to_string()),
        (200, options.to_string()),
    ]);
    let root = mount("en", None);
    find(&root, "[data-act=m-start]", 2000).await;
    click(&root, "[data-act=m-start]");
    // A stepper only for the item with more than one piece, shown once it is ticked,
    // starting at all three.
    assert!(root.query_selector("[name=q2]").unwrap().is_none());
    let count = root.query_selector("[name=q1]").unwrap().unwrap();
    let stepper = count.closest(".pp-stepper").unwrap().unwrap();
    assert!(stepper.has_attribute("hidden"));
    click(&root, "[name=p1]");
    assert!(!stepper.has_attribute("hidden"));
    let value = || {
        Reflect::get(&count, &"value".into())
            .unwrap()
            .as_string()
            .unwrap()
    };
    assert_eq!(value(), "3");
    click(&root, "[data-act=m-more]");
    assert_eq!(value(), "3", "no more than can go back");
    click(&root, "[data-act=m-less]");
    assert_eq!(value(), "2");
    // The keyboard stays on the button: the count is said.
    wait_for(&root, "How many of Gooseneck kettle? 2", 1000).await;
    let live = root.query_selector("[aria-live=polite]").unwrap().unwrap();
    assert_eq!(
        live.text_content().unwrap(),
        "How many of Gooseneck kettle? 2"
    );
    // Typed beyond what can go back: said, with the bounds.
    choose(&root, "[name=q1]", "7");
    click(&root, "[data-step='0'] [data-act=m-next]");
    assert_shows(&root, &["Choose 1 to 3."]);
    choose(&root, "[name=q1]", "2");
    click(&root, "[data-step='0'] [data-act=m-next]");
    // The kettle's own reasons, not the shop's for everything.
    let reasons: Vec<String> = all(&root, "[name=r1] option")
        .iter()
        .map(|o| o.get_attribute("value").unwrap())
        .collect();
    assert_eq!(reasons, ["", "Dented", "Arrived damaged"]);
    let photos = root.query_selector("[name=f1]").unwrap().unwrap();
    let field = photos.closest(".pp-photos").unwrap().unwrap();
    choose(&root, "[name=r1]", "Dented");
    assert!(field.has_attribute("hidden"), "no photos for a dent");
    choose(&root, "[name=r1]", "Arrived damaged");
    assert!(!field.has_attribute("hidden"));
    assert!(!photos.has_attribute("disabled"));
    // Checked before anything is sent: the kind, how many, the size.
    for (files, says) in [
        (
            vec![("a.gif", "image/gif", 10)],
            "Choose photos in JPEG, PNG or WebP format.",
        ),
        (
            vec![("a.jpg", "image/jpeg", 10); 4],
            "Choose up to 3 photos.",
        ),
        (
            vec![("a.jpg", "image/jpeg", 6 * 1024 * 1024)],
            "A photo can be at most 5 MB.",
        ),
    ] {
        choose_files(&root, "[name=f1]", &files);
        assert_shows(&root, &[says]);
        click(&root, "[data-step='1'] [data-act=m-next]");
        assert!(root
            .query_selector("[data-step='2']")
            .unwrap()
            .unwrap()
            .has_attribute("hidden"));
    }
    choose_files(
        &root,
        "[name=f1]",
        &[("broken-mug.jpg", "image/jpeg", 2048)],
    );
    assert_eq!(
        photos.get_attribute("aria-invalid").as_deref(),
        Some("false")
    );
    click(&root, "[data-step='1'] [data-act=m-next]");
    click(&root, "[value=refund]");
    click(&root, "[data-step='2'] [data-act=m-next]");
    click(&root, "[value=drop_off]");
    click(&root, "[data-step='3'] [data-act=m-next]");
    wait_for(&root, "You get back", 2000).await;
    submit(&root, "#pp-rf");
    calls_reach(&calls, 6).await;
    // The photo first, as its own bytes and type; then the return naming it.
    assert!(request(&calls, 3, "url").unwrap().ends_with("/photos"));
    assert_eq!(
        request(&calls, 3, "content-type").as_deref(),
        Some("image/jpeg")
    );
    assert_eq!(request(&calls, 3, "body").map(|b| b.len()), Some(2048));
    let sent: serde_json::Value =
        serde_json::from_str(&request(&calls, 4, "body").unwrap()).unwrap();
    assert_eq!(
        sent["items"],
        serde_json::json!([{"line_id": 1, "quantity": 2, "reason": "Arrived damaged",
                            "comment": null, "photos": ["PHOTO-1"]}])
    );
    wait_for(&root, "Return 1004-R1 is registered.", 2000).await;
}

/// The shop's own words read in the widget's language (asked for with `Accept-Language`)
/// where the shop gave them, and as written where not; what is sent is the shop's word.
#[wasm_bindgen_test]
async fn the_shops_reasons_read_in_the_widgets_language_and_are_sent_as_the_shop_wrote_them() {
    let mut order = order(false);
    order.modules = vec![Module::Returns];
    let options = serde_json::json!({
        "lines": [{"line_id": 1, "name": "Gooseneck kettle", "quantity": 1, "reason": null,
                   "window_closes_at": "2026-12-17T10:00:00Z", "exchange_options": []}],
        "reasons": ["Arrived damaged", "Changed my mind"],
        "store_credit_bonus": 0,
        "returns": [],
        "words": [{"text": "Arrived damaged", "translation": "Beschadigd aangekomen"}]
    });
    let quote = serde_json::json!({"refund": 6900, "bonus": 0, "currency": "EUR"});
    let calls = fake_fetch(&[
        ok(&order),
        (200, options.to_string()),
        (200, quote.to_string()),
        (201, serde_json::json!({"number": "1004-R1"}).to_string()),
        (200, options.to_string()),
    ]);
    let root = mount("nl-NL", None);
    find(&root, "[data-act=m-start]", 2000).await;
    assert_eq!(request(&calls, 1, "accept-language").as_deref(), Some("nl"));
    click(&root, "[data-act=m-start]");
    click(&root, "[name=p1]");
    click(&root, "[data-step='0'] [data-act=m-next]");
    let offered: Vec<(String, String)> = all(&root, "[name=r1] option")
        .iter()
        .skip(1)
        .map(|o| (o.get_attribute("value").unwrap(), o.text_content().unwrap()))
        .collect();
    assert_eq!(
        offered,
        [
            (
                "Arrived damaged".to_owned(),
                "Beschadigd aangekomen".to_owned()
            ),
            ("Changed my mind".to_owned(), "Changed my mind".to_owned()),
        ]
    );
    choose(&root, "[name=r1]", "Arrived damaged");
    click(&root, "[data-step='1'] [data-act=m-next]");
    click(&root, "[value=refund]");
    click(&root, "[data-step='2'] [data-act=m-next]");
    click(&root, "[value=drop_off]");
    click(&root, "[data-step='3'] [data-act=m-next]");
    assert_shows(&root, &["Gooseneck kettle × 1 · Beschadigd aangekomen"]);
    submit(&root, "#pp-rf");
    calls_reach(&calls, 5).await;
    let sent: serde_json::Value =
        serde_json::from_str(&request(&calls, 3, "body").unwrap()).unwrap();
    assert_eq!(sent["items"][0]["reason"], "Arrived damaged");
    assert_eq!(request(&calls, 3, "accept-language").as_deref(), Some("nl"));
}

/// A return the shop's quote refuses (the last piece went back meanwhile, say) says so
/// on the summary, and the shopper stays there to go back and change it.
#[wasm_bindgen_test]
async fn a_refused_quote_is_said_on_the_summary_step() {
    let mut order = order(false);
    order.modules = vec![Module::Returns];
    let options = serde_json::json!({
        "lines": [
            {"line_id": 1, "name": "Gooseneck kettle", "quantity": 1, "reason": null,
             "window_closes_at": "2026-12-17T10:00:00Z", "exchange_options": []}
        ],
        "reasons": ["Too small"],
        "store_credit_bonus": 0,
        "returns": []
    });
    let refusal = serde_json::json!({"error": {"code": "invalid_fields", "message": "No.",
        "fields": [{"field": "items[0].quantity", "message": "at most 0 can be returned"}]}});
    let calls = fake_fetch(&[
        ok(&order),
        (200, options.to_string()),
        (422, refusal.to_string()),
    ]);
    let root = mount("en", None);
    find(&root, "[data-act=m-start]", 2000).await;
    click(&root, "[data-act=m-start]");
    click(&root, "[name=p1]");
    click(&root, "[data-step='0'] [data-act=m-next]");
    choose(&root, "[name=r1]", "Too small");
    click(&root, "[data-step='1'] [data-act=m-next]");
    click(&root, "[value=refund]");
    click(&root, "[data-step='2'] [data-act=m-next]");
    click(&root, "[value=label]");
    click(&root, "[data-step='3'] [data-act=m-next]");
    wait_for(&root, "Some of this can no longer be returned.", 2000).await;
    let summary = root.query_selector("[data-step='4']").unwrap().unwrap();
    assert!(!summary.has_attribute("hidden"), "still on the summary");
    assert_eq!(calls.length(), 3, "nothing reloaded, nothing sent");
    assert!(!text(&root).contains("You get back"));
}

/// The follow-ups' answers go through the decoder: an answer it cannot read says so as a
/// failed load does; a return whose status a newer server added is listed with the rest.
#[wasm_bindgen_test]
async fn an_unreadable_answer_fails_like_a_failed_load_and_an_unknown_status_is_left_out() {
    let mut order = order(false);
    order.modules = vec![Module::Reviews, Module::Returns];
    let options = serde_json::json!({
        "lines": [],
        "reasons": ["Too small"],
        "store_credit_bonus": 0,
        "returns": [{"number": "1004-R1", "status": "on_hold", "resolution": "refund",
                     "method": "label", "items": [{"line_id": 1, "quantity": 1,
                     "reason": "Too small", "comment": null, "exchange_sku": null}],
                     "refund": 6900, "bonus": 0, "currency": "EUR",
                     "created_at": "2026-11-22T10:00:00Z", "qr_code_url": "https://x.example/qr.svg"}]
    });
    fake_fetch(&[
        ok(&order),
        (200, r#"{"items": "not a list"}"#.into()),
        (200, options.to_string()),
    ]);
    let root = mount("en", None);
    wait_for(&root, "This could not be loaded right now.", 2000).await;
    click(&root, "#pp-mb-returns");
    wait_for(&root, "Return 1004-R1", 2000).await;
    assert_shows(&root, &["Gooseneck kettle × 1", "You get back €69.00."]);
    assert!(root
        .query_selector(".pp-return .pp-status")
        .unwrap()
        .is_none());
    assert!(root
        .query_selector("[data-act=m-cancel]")
        .unwrap()
        .is_none());
    assert!(root.query_selector(".pp-qr").unwrap().is_none());
}

/// A cancelled or rejected return promises no money: its status says what became of it.
#[wasm_bindgen_test]
async fn an_ended_return_shows_no_money_to_come() {
    let mut order = order(false);
    order.modules = vec![Module::Returns];
    let ended = |number: &str, status: &str| {
        serde_json::json!({"number": number, "status": status, "resolution": "refund",
            "method": "label", "items": [{"line_id": 1, "quantity": 1, "reason": "Too small",
            "comment": null, "exchange_sku": null}], "refund": 6900, "bonus": 0,
            "currency": "EUR", "created_at": "2026-11-22T10:00:00Z"})
    };
    let options = serde_json::json!({
        "lines": [], "reasons": ["Too small"], "store_credit_bonus": 0,
        "returns": [ended("1004-R1", "cancelled"), ended("1004-R2", "rejected"), ended("1004-R3", "approved")]
    });
    fake_fetch(&[ok(&order), (200, options.to_string())]);
    let root = mount("en", None);
    find(&root, "#pp-mb-returns", 2000).await;
    click(&root, "#pp-mb-returns");
    wait_for(&root, "Return 1004-R3", 2000).await;
    let returns = all(&root, ".pp-return");
    assert_eq!(returns.len(), 3);
    for r in &returns {
        let shown = r.text_content().unwrap();
        let open = shown.contains("1004-R3");
        assert_eq!(shown.contains("You get back €69.00."), open, "{shown}");
    }
}

/// Texts need a number the shop does not have: the field says so in its label, is asked
/// for only once texts are ticked, and goes with the choice.
#[wasm_bindgen_test]
async fn asking_for_texts_asks_for_the_number_the_shop_lacks() {
    let mut order = order(false);
    order.modules = vec![Module::Survey];
    let survey = serde_json::json!({"ask_nps": false, "ask_heard": false,
        "heard_options": [], "preferences": null, "phone_known": false})
    .to_string();
    let saved = serde_json::json!({"ask_nps": false, "ask_heard": false, "heard_options": [],
        "preferences": {"email": false, "sms": true}, "phone_known": true})
    .to_string();
    let calls = fake_fetch(&[ok(&order), (200, survey), (200, saved)]);
    let root = mount("en", None);
    let phone = find(&root, "#pp-prefs input[name=phone]", 2000).await;
    assert_eq!(phone.get_attribute("type").as_deref(), Some("tel"));
    assert_eq!(phone.get_attribute("autocomplete").as_deref(), Some("tel"));
    assert_shows(&root, &["Mobile number (needed for text messages)"]);
    // Texts ticked, no number: asked for in place, nothing sent.
    click(&root, "#pp-prefs input[name=sms]");
    submit(&root, "#pp-prefs");
    sleep(100).await;
    assert_eq!(phone.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(calls.length(), 2);
    type_into(&root, "#pp-prefs input[name=phone]", " +31 6 1234 5678 ");
    submit(&root, "#pp-prefs");
    calls_reach(&calls, 3).await;
    let body: serde_json::Value =
        serde_json::from_str(&request(&calls, 2, "body").unwrap()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"email": false, "sms": true, "phone": "+31 6 1234 5678"})
    );
    // Known now: not asked again.
    wait_for(&root, "Your choice is saved.", 2000).await;
    assert!(root
        .query_selector("#pp-prefs input[name=phone]")
        .unwrap()
        .is_none());
}

#[wasm_bindgen_test]
async fn a_skipped_question_stays_skipped_when_the_survey_is_drawn_anew() {
    let mut order = order(false);
    order.modules = vec![Module::Survey];
    let survey = |heard: bool| {
        serde_json::json!({"ask_nps": true, "ask_heard": heard,
            "heard_options": ["Instagram", "A friend"], "preferences": null})
        .to_string()
    };
    let calls = fake_fetch(&[ok(&order), (200, survey(true)), (200, survey(false))]);
    let root = mount("en", None);
    find(&root, "#pp-nps", 2000).await;
    click(&root, "#pp-nps [data-act=m-skip]");
    click(&root, "#pp-heard input[value=Instagram]");
    submit(&root, "#pp-heard");
    calls_reach(&calls, 3).await;
    assert!(request(&calls, 2, "url")
        .unwrap()
        .ends_with("/survey/heard"));
    wait_for(&root, "Thank you", 2000).await;
    // Drawn anew from the answer, which still asks the 0–10 question: not asked again.
    assert!(root.query_selector("#pp-heard").unwrap().is_none());
    let nps = root.query_selector("#pp-nps").unwrap().unwrap();
    assert!(nps.has_attribute("hidden"));
}

/// An order not shipped yet whose shop takes changes: the shopper may ask to cancel it
/// (`cancel`) or to deliver it elsewhere (`address`) until noon.
fn changeable(cancel: bool, address: bool) -> OrderView {
    let mut order = order(false);
    order.stage = OrderStage::Processing;
    order.delivered_at = None;
    order.changes = Some(OrderChanges {
        cancel,
        address,
        until: Some("2026-11-17T12:00:00Z".into()),
        request: None,
    });
    order
}

/// `order` with its latest change request, asking nothing more.
fn asked(mut order: OrderView, kind: ChangeKind, status: ChangeStatus) -> OrderView {
    order.changes = Some(OrderChanges {
        request: Some(ChangeView {
            kind,
            status,
            requested_at: "2026-11-17T10:30:00Z".into(),
            address: (kind == ChangeKind::Address).then(|| MaskedAddress {
                name: "Ada J.".into(),
                street: "Prinsengracht ***".into(),
                postcode: "10** **".into(),
                city: "Amsterdam".into(),
                country: "NL".into(),
            }),
            message: (status == ChangeStatus::Refused).then(|| "<b>Already packed</b>".into()),
        }),
        ..OrderChanges::default()
    });
    order
}

fn is_hidden(root: &HtmlElement, selector: &str) -> bool {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
        .has_attribute("hidden")
}

fn focused() -> String {
    let document = web_sys::window().unwrap().document().unwrap();
    document
        .active_element()
        .map(|e| e.id())
        .unwrap_or_default()
}

/// Whether the keyboard is on what `selector` finds.
fn has_focus(root: &HtmlElement, selector: &str) -> bool {
    let document = web_sys::window().unwrap().document().unwrap();
    document.active_element() == root.query_selector(selector).unwrap()
}

#[wasm_bindgen_test]
async fn the_change_part_offers_only_what_may_be_asked() {
    // No `changes`: nothing to show.
    fake_fetch(&[ok(&order(false))]);
    let root = mount("en", None);
    find(&root, "h2", 2000).await;
    assert!(is_hidden(&root, "[part=change]"));
    // The shop takes changes, but none may be asked now and none was: nothing either.
    fake_fetch(&[ok(&changeable(false, false))]);
    let root = mount("en", None);
    find(&root, "h2", 2000).await;
    assert!(is_hidden(&root, "[part=change]"));

    fake_fetch(&[ok(&changeable(true, false))]);
    let root = mount("en", None);
    find(&root, "[data-act=c-cancel]", 2000).await;
    assert!(!is_hidden(&root, "[part=change]"));
    assert!(root
        .query_selector("[data-act=c-address]")
        .unwrap()
        .is_none());
    let part = root.query_selector("[part=change]").unwrap().unwrap();
    assert_eq!(
        part.query_selector("h3").unwrap().unwrap().text_content(),
        Some("Changed your mind?".into())
    );
    assert_shows(&root, &["Cancel order", "You can ask until Tue, Nov 17"]);

    fake_fetch(&[ok(&changeable(false, true))]);
    let root = mount("nl", None);
    find(&root, "[data-act=c-address]", 2000).await;
    assert!(root
        .query_selector("[data-act=c-cancel]")
        .unwrap()
        .is_none());
    assert_shows(&root, &["Van gedachten veranderd?", "Bezorgadres wijzigen"]);
}

#[wasm_bindgen_test]
async fn a_new_address_is_checked_as_the_server_does_then_sent_once_and_followed() {
    let order = changeable(true, true);
    let after = asked(order.clone(), ChangeKind::Address, ChangeStatus::Requested);
    let created =
        r#"{"kind":"address","status":"requested","requested_at":"2026-11-17T10:30:00Z"}"#;
    let calls = fake_fetch(&[ok(&order), (201, created.into()), ok(&after)]);
    let root = mount("en", None);
    find(&root, "[data-act=c-address]", 2000).await;
    click(&root, "[data-act=c-address]");
    find(&root, "[part=change] form", 1000).await;
    assert_eq!(focused(), "pp-1-0", "the keyboard is on the first field");
    let autocomplete: Vec<Option<String>> = all(&root, "[part=change] input")
        .iter()
        .map(|i| i.get_attribute("autocomplete"))
        .collect();
    let expected = [
        Some("name"),
        Some("address-line1"),
        None,
        Some("postal-code"),
    ];
    assert_eq!(
        autocomplete,
        expected
            .into_iter()
            .chain([Some("address-level2")])
            .map(|a| a.map(str::to_owned))
            .collect::<Vec<_>>()
    );
    assert!(root.query_selector("#pp-1-2[required]").unwrap().is_some());
    assert_shows(&root, &["House number", "Postcode", "Country: Netherlands"]);

    // A Dutch postcode never starts with 0, and a Dutch address has a house number.
    type_into(&root, "#pp-1-0", "Ada Jansen");
    type_into(&root, "#pp-1-1", "Prinsengracht");
    type_into(&root, "#pp-1-3", "0123 AB");
    type_into(&root, "#pp-1-4", "Amsterdam");
    submit(&root, "[part=change] form");
    find(&root, "#pp-1-2[aria-invalid=true]", 1000).await;
    assert_eq!(
        focused(),
        "pp-1-2",
        "the keyboard is on the first wrong field"
    );
    let postcode = root.query_selector("#pp-1-3").unwrap().unwrap();
    assert_eq!(
        postcode.get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(
        postcode.get_attribute("aria-describedby").as_deref(),
        Some("pp-1-3e")
    );
    let line = |id: &str| root.query_selector(id).unwrap().unwrap().text_content();
    assert_eq!(
        line("#pp-1-3e"),
        Some("Enter a valid postcode for this country.".into())
    );
    assert_eq!(
        line("#pp-1-2e"),
        Some("Enter a house number that starts with a digit, e.g. 12 or 12A.".into())
    );
    assert_eq!(line("#pp-1-0e"), Some(String::new()));
    assert_shows(&root, &["Please check the marked fields."]);
    let value = |id: &str| {
        root.query_selector(id)
            .unwrap()
            .unwrap()
            .unchecked_into::<web_sys::HtmlInputElement>()
            .value()
    };
    assert_eq!(value("#pp-1-0"), "Ada Jansen", "what was typed stays");
    sleep(100).await;
    assert_eq!(calls.length(), 1, "nothing was sent");

    // Mended, the mark goes as the shopper types; then the request goes once.
    type_into(&root, "#pp-1-2", "263 ");
    assert_eq!(
        root.query_selector("#pp-1-2")
            .unwrap()
            .unwrap()
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("false")
    );
    assert_eq!(line("#pp-1-2e"), Some(String::new()));
    type_into(&root, "#pp-1-3", "1016 gv");
    submit(&root, "[part=change] form");
    calls_reach(&calls, 3).await;
    assert_eq!(
        request(&calls, 1, "url").as_deref(),
        Some("https://api.example/api/v1/shops/demo/orders/tok%2Fen%3F/changes")
    );
    assert_eq!(request(&calls, 1, "method").as_deref(), Some("POST"));
    let key = request(&calls, 1, "idempotency-key").unwrap();
    assert!(
        key.len() == 32 && key.chars().all(|c| c.is_ascii_hexdigit()),
        "{key}"
    );
    let sent: NewChange = serde_json::from_str(&request(&calls, 1, "body").unwrap()).unwrap();
    assert_eq!(
        sent,
        NewChange {
            kind: ChangeKind::Address,
            address: Some(AddressFix {
                name: "Ada Jansen".into(),
                street: "Prinsengracht".into(),
                house_number: "263".into(),
                postcode: "1016 gv".into(),
                city: "Amsterdam".into(),
            }),
        }
    );
    // Then the fresh view: where the request stands, seen, heard and with the keyboard.
    assert_eq!(request(&calls, 2, "method").as_deref(), Some("GET"));
    let said = "You asked to deliver to Ada J., Prinsengracht ***, 10** ** Amsterdam. The shop will confirm it.";
    wait_for(&root, said, 1000).await;
    sleep(50).await;
    assert!(has_focus(&root, "[part=change] h3"));
    let live = root.query_selector("[aria-live=polite]").unwrap().unwrap();
    assert_eq!(live.text_content().as_deref(), Some(said));
    assert!(root
        .query_selector("[part=change] form, [data-act=c-cancel]")
        .unwrap()
        .is_none());
    assert_shows(&root, &["Your request"]);
}

#[wasm_bindgen_test]
async fn cancelling_asks_first_and_escape_or_keep_closes_the_question() {
    let order = changeable(true, true);
    let too_late = r#"{"error":{"code":"change_closed","message":"A parcel was registered."}}"#;
    let calls = fake_fetch(&[
        ok(&order),
        (409, too_late.into()),
        ok(&changeable(false, false)),
    ]);
    let root = mount("en", None);
    find(&root, "[data-act=c-cancel]", 2000).await;
    click(&root, "[data-act=c-cancel]");
    find(&root, "[part=change] form", 1000).await;
    assert_shows(
        &root,
        &[
            "Ask the shop to cancel this order?",
            "Ask to cancel",
            "Keep my order",
        ],
    );
    // The keyboard is on the question, so it is read out.
    assert!(has_focus(&root, "[part=change] form p"));
    // Escape closes it, the keyboard back on the button that opened it.
    let form = root
        .query_selector("[part=change] button")
        .unwrap()
        .unwrap();
    Function::new_with_args(
        "el",
        "el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))",
    )
    .call1(&JsValue::NULL, &form)
    .unwrap();
    assert!(root.query_selector("[part=change] form").unwrap().is_none());
    assert!(has_focus(&root, "[data-act=c-cancel]"));
    click(&root, "[data-act=c-cancel]");
    click(&root, "[part=change] [data-act=c-close]");
    assert!(root.query_selector("[part=change] form").unwrap().is_none());
    // Too late: said, and the part drawn from a fresh view, with nothing left to ask.
    click(&root, "[data-act=c-cancel]");
    click(&root, "[part=change] button[type=submit]");
    calls_reach(&calls, 3).await;
    let sent: NewChange = serde_json::from_str(&request(&calls, 1, "body").unwrap()).unwrap();
    assert_eq!(
        sent,
        NewChange {
            kind: ChangeKind::Cancel,
            address: None
        }
    );
    assert!(request(&calls, 1, "idempotency-key").is_some());
    let said = "It is too late to change this order: it is being prepared or on its way.";
    wait_for(&root, said, 1000).await;
    assert!(root
        .query_selector("[data-act=c-cancel], [data-act=c-address]")
        .unwrap()
        .is_none());
    sleep(50).await;
    assert!(has_focus(&root, "[part=change] h3"));
    let live = root.query_selector("[aria-live=polite]").unwrap().unwrap();
    assert_eq!(live.text_content().as_deref(), Some(said));
}

#[wasm_bindgen_test]
async fn each_request_says_where_it_stands_in_english_and_dutch() {
    use ChangeKind::{Address, Cancel};
    use ChangeStatus::*;
    let cases = [
        (Cancel, Requested, "You asked to cancel this order. The shop will confirm it.",
            "Je hebt gevraagd deze bestelling te annuleren. De winkel bevestigt dit nog."),
        (Address, Requested, "You asked to deliver to Ada J., Prinsengracht ***, 10** ** Amsterdam. The shop will confirm it.",
            "Je hebt gevraagd te bezorgen bij Ada J., Prinsengracht ***, 10** ** Amsterdam. De winkel bevestigt dit nog."),
        (Cancel, Accepted, "Your order is cancelled.", "Je bestelling is geannuleerd."),
        (Address, Accepted, "Your order will go to Ada J., Prinsengracht ***, 10** ** Amsterdam.",
            "Je bestelling gaat naar Ada J., Prinsengracht ***, 10** ** Amsterdam."),
        (Cancel, Refused, "The shop could not cancel your order.", "De winkel kon je bestelling niet annuleren."),
        (Address, Refused, "The shop could not change the address.", "De winkel kon het adres niet wijzigen."),
        (Cancel, Shipped, "Your order had already shipped, so it goes as it was.",
            "Je bestelling was al verzonden en wordt dus bezorgd zoals ze was."),
    ];
    for (kind, status, en, nl) in cases {
        for (locale, words) in [("en", en), ("nl", nl)] {
            fake_fetch(&[ok(&asked(order(false), kind, status))]);
            let root = mount(locale, None);
            let line = find(&root, "[part=change] .pp-expected", 2000).await;
            assert_eq!(line.text_content().as_deref(), Some(words));
            // The shop's message is shown as text.
            let part = root.query_selector("[part=change]").unwrap().unwrap();
            assert_eq!(
                part.text_content()
                    .unwrap()
                    .contains("<b>Already packed</b>"),
                status == Refused
            );
            assert!(part.query_selector("b").unwrap().is_none());
        }
    }
}

#[wasm_bindgen_test]
async fn a_request_of_an_unknown_kind_or_status_leaves_the_order_readable() {
    let mut order = asked(
        changeable(true, false),
        ChangeKind::Cancel,
        ChangeStatus::Requested,
    );
    order.changes.as_mut().unwrap().cancel = true;
    let json = serde_json::to_string(&order).unwrap();
    for (from, to) in [
        ("\"requested\"", "\"withdrawn\""),
        ("\"kind\":\"cancel\"", "\"kind\":\"swap\""),
    ] {
        assert!(json.contains(from));
        fake_fetch(&[(200, json.replace(from, to))]);
        let root = mount("en", None);
        find(&root, "[data-act=c-cancel]", 2000).await;
        assert_shows(
            &root,
            &["Thank you for your order, Ada!", "Changed your mind?"],
        );
        assert!(root
            .query_selector("[part=change] .pp-expected")
            .unwrap()
            .is_none());
    }
    // `changes` of another shape are left out, the order shown.
    fake_fetch(&[(200, json.replace("\"changes\":{", "\"changes\":7,\"x\":{"))]);
    let root = mount("en", None);
    find(&root, "h2", 2000).await;
    assert!(is_hidden(&root, "[part=change]"));
}

/// A follow-up of the week after delivery is handed, with its answer and the order's
/// currency, to the loader's after-delivery module, which this bundle does not carry. A
/// module that cannot load leaves the panel saying so, and opening it again retries.
#[wasm_bindgen_test]
async fn after_delivery_follow_ups_are_handed_to_the_loaders_module_and_retried() {
    let mut order = order(false);
    order.modules = vec![Module::Unboxing, Module::Pairs];
    let unboxing = r#"{"thanks":"Made by hand in Utrecht.","shop":"Koffie & Klei"}"#;
    fake_fetch(&[ok(&order), (200, unboxing.into())]);
    // The first load fails (offline); the second draws.
    let calls = js_sys::Array::new();
    let later = Function::new_with_args(
        "calls",
        "return (panel, name, data, currency) => { \
            calls.push({ panel: panel.id, name, thanks: data.thanks, currency }); \
            if (calls.length === 1) return Promise.reject(new Error('offline')); \
            panel.textContent = 'drawn'; return Promise.resolve(); }",
    )
    .call1(&JsValue::NULL, &calls)
    .unwrap();
    LATER.with(|f| *f.borrow_mut() = Some(later.unchecked_into()));
    let root = mount("en", None);
    // Delivered: the unboxing leads and opens; the module is asked to draw it.
    let alert = find(&root, "#pp-m-unboxing [role=alert]", 2000).await;
    assert_eq!(
        alert.text_content().unwrap(),
        "This could not be loaded right now. Close it and open it again to retry."
    );
    assert_eq!(calls.length(), 1);
    let call = calls.get(0);
    for (key, value) in [
        ("panel", "pp-m-unboxing"),
        ("name", "unboxing"),
        ("thanks", "Made by hand in Utrecht."),
        ("currency", "EUR"),
    ] {
        let got = Reflect::get(&call, &key.into()).unwrap().as_string();
        assert_eq!(got.as_deref(), Some(value), "{key}");
    }
    let titles: Vec<String> = all(&root, "[data-act=m-open]")
        .iter()
        .map(|b| b.text_content().unwrap())
        .collect();
    assert_eq!(titles, ["Unboxing", "Goes well with"]);
    // Closed and opened again: asked again, and drawn.
    let button: HtmlElement = find(&root, "#pp-mb-unboxing", 100).await.unchecked_into();
    button.click();
    button.click();
    for _ in 0..40 {
        if calls.length() == 2 {
            break;
        }
        sleep(50).await;
    }
    assert_eq!(calls.length(), 2);
    sleep(50).await;
    let panel = find(&root, "#pp-m-unboxing", 100).await;
    assert_eq!(panel.text_content().unwrap(), "drawn");
}
