//! Widget tests: the real component mounted in headless Chromium, with `fetch` replaced by
//! an answer the test chooses, asserting what the shopper sees.
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown`
//! (scripts/test.sh does this).
#![cfg(target_arch = "wasm32")]

use js_sys::{Function, Promise, Reflect};
use postpurchase_api::*;
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
            street: "K************ ***".into(),
            postcode: "10** **".into(),
            city: "Amsterdam".into(),
            country: "NL".into(),
        },
        promised_delivery: Some(DateWindow {
            earliest: "2026-11-19".into(),
            latest: "2026-11-21".into(),
        }),
        shipments: vec![],
        shop: ShopContact {
            name: "Koffie & Klei".into(),
            support_email: Some("help@shop.example".into()),
            support_phone: Some("+31 20 123 4567".into()),
            support_url: Some("javascript:alert(2)".into()),
            order_status_url: None,
        },
    }
}

/// Replaces `window.fetch`: each call answers with the next of `answers` (status, body);
/// status 0 never answers until the request is aborted. Returns the list of requested URLs.
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
        "return (request) => { \
            calls.push(request.url); \
            const [status, body] = answers.length > 1 ? answers.shift() : answers[0]; \
            if (status === 0) return new Promise((_, reject) => \
                request.signal.addEventListener('abort', () => reject(request.signal.reason))); \
            return Promise.resolve(new Response(body, { status, headers: { 'content-type': 'application/json' } })); \
         }",
    );
    let fetch = make.call2(&JsValue::NULL, &list, &calls).unwrap();
    Reflect::set(&web_sys::window().unwrap(), &"fetch".into(), &fetch).unwrap();
    calls
}

fn ok(order: &OrderView) -> (u16, String) {
    (200, serde_json::to_string(order).unwrap())
}

fn mount(languages: &[&str], order_page: Option<&str>) -> HtmlElement {
    mount_with(languages, order_page, None)
}

fn mount_with(
    languages: &[&str],
    order_page: Option<&str>,
    prefetched: Option<Promise>,
) -> HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let root: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&root).unwrap();
    let mounted = postpurchase_widget::mount(
        root.clone(),
        "https://api.example".into(),
        "demo".into(),
        "tok/en?".into(),
        languages.iter().map(|l| l.to_string()).collect(),
        order_page.map(str::to_owned),
        prefetched,
    );
    std::mem::forget(mounted);
    root
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
    let root = mount(&["en-US"], None);
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
        calls.get(0).as_string().unwrap(),
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
            "K************ ***",
            "10** ** Amsterdam",
            "Netherlands",
            "Thu, Nov 19 – Sat, Nov 21",
        ],
    );
    assert_eq!(
        widget_attribute(&root, "aria-busy").as_deref(),
        Some("false")
    );
}

#[wasm_bindgen_test]
async fn nothing_from_the_api_becomes_markup_or_a_script_link() {
    fake_fetch(&[ok(&order(false))]);
    let root = mount(&["en"], None);
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
    let root = mount(&["nl-NL", "en"], None);
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
            "Verwachte bezorging",
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
    let root = mount(&["en"], Some("https://shop.example/account/orders"));
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
    let root = mount(&["en"], Some("javascript:alert(1)"));
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
    let root = mount(&["en"], None);
    let alert = find(&root, "[role=alert]", 2000).await;
    assert!(alert
        .text_content()
        .unwrap()
        .contains("We can't show your order details right now."));
}

#[wasm_bindgen_test]
async fn an_api_that_does_not_answer_times_out_after_five_seconds() {
    fake_fetch(&[(0, String::new())]);
    let root = mount(&["en"], None);
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
    let root = mount_with(&["en"], None, Some(early));
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
    let root = mount_with(&["en"], None, Some(early));
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
