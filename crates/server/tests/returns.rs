//! Returns through the API: eligibility, amounts and their quote, concurrent requests,
//! retries, cancelling, and the shop moving a return along.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use serde_json::{json, Value};

/// 2026-11-20 10:00 UTC: the tee's parcel was delivered three days before NOW.
const DELIVERED: &str = "2026-11-20T10:00:00Z";
const DELIVERED_AT: i64 = NOW - 3 * 86_400 - 2 * 3_600;

async fn put(app: &TestApp, uri: &str, body: Value) -> (StatusCode, Value) {
    app.admin_put(uri, SHOP_KEY, &body.to_string()).await
}

/// Returns on (14 days, two reasons, 10% credit bonus); order 1001 with its two tees
/// delivered and the cap not shipped. Returns the token and the tee's and cap's line ids.
async fn delivered(app: &TestApp) -> (String, i64, i64) {
    let (status, body) = put(
        app,
        "/api/v1/admin/return-settings",
        json!({"enabled": true, "window_days": 14, "reasons": ["Too small", "Not as pictured"],
               "store_credit_bonus": 10}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = app
        .create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    app.deliver_tees(DELIVERED).await;
    let (_, options) = app
        .get(&format!("/api/v1/shops/shop/orders/{token}/returns"))
        .await;
    let id = |n: usize| options["lines"][n]["line_id"].as_i64().unwrap();
    (token, id(0), id(1))
}

fn start(token: &str, key: Option<&str>, body: &Value) -> Request<Body> {
    let mut request = Request::post(format!("/api/v1/shops/shop/orders/{token}/returns"))
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    request.body(Body::from(body.to_string())).unwrap()
}

fn one_tee(tee: i64, resolution: &str) -> Value {
    json!({"items": [{"line_id": tee, "quantity": 1, "reason": "Too small", "comment": " Runs small "}],
           "resolution": resolution, "method": "drop_off"})
}

async fn each_line_says_whether_it_can_go_back_and_why_not(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, _, _) = delivered(&app).await;
    let (status, options) = app
        .get(&format!("/api/v1/shops/shop/orders/{token}/returns"))
        .await;
    assert_eq!(status, StatusCode::OK, "{options}");
    assert_eq!(options["lines"][0]["quantity"], 2);
    assert_eq!(options["lines"][0]["reason"], Value::Null);
    assert_eq!(
        options["lines"][0]["window_closes_at"],
        "2026-12-04T10:00:00Z"
    );
    assert_eq!(options["lines"][1]["quantity"], 0);
    assert_eq!(options["lines"][1]["reason"], "not_delivered");
    assert_eq!(options["reasons"], json!(["Too small", "Not as pictured"]));
    // Fourteen days after delivery, the window has closed.
    app.state.clock.set(DELIVERED_AT + 14 * 86_400);
    let (_, options) = app
        .get(&format!("/api/v1/shops/shop/orders/{token}/returns"))
        .await;
    assert_eq!(options["lines"][0]["reason"], "window_closed");
}

async fn a_return_for_store_credit_gets_its_number_and_bonus_and_can_be_cancelled(
    backend: Backend,
) {
    let app = TestApp::new(backend).await;
    let (token, tee, _) = delivered(&app).await;
    let (status, view) = json_of(
        app.send(start(&token, None, &one_tee(tee, "store_credit")))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{view}");
    assert_eq!(view["number"], "1001-R1");
    assert_eq!(view["status"], "requested");
    assert_eq!(
        (view["refund"].clone(), view["bonus"].clone()),
        (json!(2500), json!(250))
    );
    assert_eq!(view["items"][0]["comment"], "Runs small");
    let (_, options) = app
        .get(&format!("/api/v1/shops/shop/orders/{token}/returns"))
        .await;
    assert_eq!(
        options["lines"][0]["quantity"], 1,
        "one of two is in the return"
    );
    assert_eq!(options["returns"][0]["number"], "1001-R1");

    let cancel = format!("/api/v1/shops/shop/orders/{token}/returns/1001-R1/cancel");
    let (status, view) = json_of(
        app.send(Request::post(&cancel).body(Body::empty()).unwrap())
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["status"], "cancelled");
    let (_, options) = app
        .get(&format!("/api/v1/shops/shop/orders/{token}/returns"))
        .await;
    assert_eq!(
        options["lines"][0]["quantity"], 2,
        "a cancelled return frees its items"
    );
}

async fn concurrent_returns_never_send_back_more_than_was_delivered(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, tee, _) = delivered(&app).await;
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let router = app.router.clone();
            let request = start(&token, None, &one_tee(tee, "refund"));
            tokio::spawn(async move {
                use tower::ServiceExt;
                router.oneshot(request).await.unwrap().status()
            })
        })
        .collect();
    let mut created = 0;
    for task in tasks {
        match task.await.unwrap() {
            StatusCode::CREATED => created += 1,
            other => assert_eq!(other, StatusCode::UNPROCESSABLE_ENTITY),
        }
    }
    assert_eq!(created, 2, "two tees were delivered");
    let returned = app
        .number("SELECT CAST(SUM(quantity) AS BIGINT) FROM return_items")
        .await;
    assert_eq!(returned, 2);
}

async fn a_retried_request_makes_one_return(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, tee, _) = delivered(&app).await;
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let router = app.router.clone();
            let request = start(&token, Some("return-1"), &one_tee(tee, "refund"));
            tokio::spawn(async move {
                use tower::ServiceExt;
                let response = router.oneshot(request).await.unwrap();
                (response.status(), body_bytes(response).await)
            })
        })
        .collect();
    let mut bodies = Vec::new();
    for task in tasks {
        let (status, body) = task.await.unwrap();
        assert_eq!(
            status,
            StatusCode::CREATED,
            "{}",
            String::from_utf8_lossy(&body)
        );
        bodies.push(body);
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(app.count("returns").await, 1);
}

async fn bad_returns_name_every_problem_and_change_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, tee, cap) = delivered(&app).await;
    let body = json!({"items": [
            {"line_id": tee, "quantity": 3, "reason": "Too small"},
            {"line_id": cap, "quantity": 1, "reason": "Bored"},
            {"line_id": 999, "quantity": 1, "reason": "Too small"}],
        "resolution": "refund", "method": "label"});
    let (status, answer) = json_of(app.send(start(&token, None, &body)).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(
        error_fields(&answer),
        [
            "items[0].quantity",
            "items[1].quantity",
            "items[1].reason",
            "items[2].line_id"
        ]
    );
    assert!(answer["error"]["fields"][1]["message"]
        .as_str()
        .unwrap()
        .contains("not_delivered"));
    assert_eq!(app.count("returns").await, 0);
}

async fn the_shop_moves_a_return_along_and_the_shopper_can_no_longer_cancel(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, tee, _) = delivered(&app).await;
    app.send(start(&token, None, &one_tee(tee, "refund"))).await;
    let status_of = |s: &str| json!({"status": s}).to_string();
    let uri = "/api/v1/admin/returns/1001-R1/status";
    let (status, body) = app.admin_post(uri, SHOP_KEY, &status_of("refunded")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "invalid_transition");
    for step in ["approved", "in_transit"] {
        let (status, body) = app.admin_post(uri, SHOP_KEY, &status_of(step)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["status"], step);
    }
    let cancel = format!("/api/v1/shops/shop/orders/{token}/returns/1001-R1/cancel");
    let (status, body) = json_of(
        app.send(Request::post(&cancel).body(Body::empty()).unwrap())
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "return_under_way");
    let (status, _) = app.admin_post(uri, OTHER_KEY, &status_of("received")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another shop's return");
}

async fn the_shop_hears_of_every_change_to_a_return(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, tee, _) = delivered(&app).await;
    app.execute(&[
        "UPDATE shops SET webhook_url = 'https://merchant.example/hooks',
                                      webhook_secret = 's'
                   WHERE slug = 'shop'",
    ])
    .await;
    app.send(start(&token, None, &one_tee(tee, "store_credit")))
        .await;
    let uri = "/api/v1/admin/returns/1001-R1/status";
    app.admin_post(uri, SHOP_KEY, r#"{"status": "approved"}"#)
        .await;
    // The same status again changes nothing and says nothing.
    app.admin_post(uri, SHOP_KEY, r#"{"status": "approved"}"#)
        .await;
    let cancel = format!("/api/v1/shops/shop/orders/{token}/returns/1001-R1/cancel");
    app.send(Request::post(&cancel).body(Body::empty()).unwrap())
        .await;
    let bodies = app
        .texts("SELECT body FROM webhook_deliveries ORDER BY id")
        .await;
    let events: Vec<Value> = bodies
        .iter()
        .map(|b| serde_json::from_str(b).unwrap())
        .collect();
    let seen: Vec<(&str, &str)> = events
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap(),
                e["data"]["return"]["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("return.created", "requested"),
            ("return.updated", "approved"),
            ("return.cancelled", "cancelled")
        ]
    );
    assert_eq!(events[0]["data"]["order_number"], "1001");
    assert_eq!(events[0]["data"]["return"]["bonus"], 250);
}

async fn the_shopper_gets_a_qr_code_to_hand_in_and_the_shop_never_sees_its_link(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, tee, _) = delivered(&app).await;
    let (_, view) = json_of(app.send(start(&token, None, &one_tee(tee, "refund"))).await).await;
    let qr = view["qr_code_url"].as_str().unwrap();
    assert_eq!(
        qr,
        format!("https://pp.example/api/v1/shops/shop/orders/{token}/returns/1001-R1/qr.svg")
    );
    let path = qr.strip_prefix("https://pp.example").unwrap();
    let response = app
        .send(Request::get(path).body(Body::empty()).unwrap())
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "image/svg+xml");
    let svg = String::from_utf8(body_bytes(response).await).unwrap();
    assert!(svg.contains("<svg") && svg.contains("<path"), "{svg}");
    // Someone else's return, or another order's token, gets nothing.
    let other = app
        .create_order(SHOP_KEY, &sample_order("1002", "sam@example.com"))
        .await;
    let (status, body) = app
        .get(&format!(
            "/api/v1/shops/shop/orders/{other}/returns/1001-R1/qr.svg"
        ))
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::NOT_FOUND, json!("return_not_found"))
    );
    // The admin API's view has no shopper link.
    let (_, admin) = app
        .admin_post(
            "/api/v1/admin/returns/1001-R1/status",
            SHOP_KEY,
            r#"{"status": "approved"}"#,
        )
        .await;
    assert_eq!(admin.get("qr_code_url"), None);
}

#[test]
fn the_qr_code_encodes_the_return_number() {
    let svg = postpurchase_server::domain::returns::qr_svg("1001-R1").unwrap();
    assert!(svg.starts_with("<?xml") || svg.starts_with("<svg"), "{svg}");
    assert!(svg.contains("#000000") && svg.contains("#ffffff"));
}

async fn a_printable_page_shows_the_code_what_to_do_and_what_goes_back(backend: Backend) {
    // The server reads its page texts where the widget's build puts them, beside a bundle.
    let dir = tempfile::tempdir().unwrap();
    for (file, content) in [
        (
            "postpurchase-widget.js",
            &b"export default function init() {}"[..],
        ),
        ("postpurchase-widget_bg.wasm", b"\0asm\x01\0\0\0"),
        ("widget.css", b":host{display:block}"),
        (
            "postpurchase-after.js",
            b"export default function init() {}",
        ),
        ("postpurchase-after_bg.wasm", b"\0asm\x01\0\0\0"),
        ("after.css", b".pp-after-voucher{}"),
    ] {
        std::fs::write(dir.path().join(file), content).unwrap();
    }
    let locales = dir.path().join("locales");
    std::fs::create_dir(&locales).unwrap();
    for lang in ["en", "nl"] {
        let file = format!("{lang}.txt");
        let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../locales")
            .join(&file);
        std::fs::copy(source, locales.join(&file)).unwrap();
    }
    let app = TestApp::with_widget(
        backend,
        postpurchase_server::web::WidgetFiles::load(dir.path(), "https://pp.example"),
    )
    .await;
    let (token, tee, _) = delivered(&app).await;
    let (_, view) = json_of(app.send(start(&token, None, &one_tee(tee, "refund"))).await).await;
    let page = |token: &str| {
        let app = &app;
        let path = format!("/o/shop/{token}/returns/1001-R1/label");
        async move {
            let response = app
                .send(
                    Request::get(path)
                        .header(header::ACCEPT_LANGUAGE, "nl-NL,nl;q=0.9")
                        .body(Body::empty())
                        .unwrap(),
                )
                .await;
            let status = response.status();
            let csp = response.headers()[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .unwrap()
                .to_owned();
            (
                status,
                csp,
                String::from_utf8(body_bytes(response).await).unwrap(),
            )
        }
    };
    // No return address yet: nothing to print, and nobody is told to send anything.
    assert_eq!(view["label_url"], Value::Null, "{view}");
    assert_eq!(view["send_by"], Value::Null);
    let (status, _, html) = page(&token).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("stuurt je een label met het adres"), "{html}");
    assert!(!html.contains("inleverpunt"), "{html}");

    // With the shop's return address: a page a parcel can travel with.
    let (status, body) = put(
        &app,
        "/api/v1/admin/return-settings",
        json!({"enabled": true, "window_days": 14, "reasons": ["Too small"],
               "return_address": "Shop Returns\nWesterstraat 187\n1015 MA Amsterdam",
               "send_within_days": 10}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, options) = app
        .get(&format!("/api/v1/shops/shop/orders/{token}/returns"))
        .await;
    let listed = &options["returns"][0];
    // Started at the test clock's NOW (2026-11-23): ten days to send it.
    assert_eq!(listed["send_by"], "2026-12-03", "{listed}");
    let label = listed["label_url"].as_str().unwrap();
    assert_eq!(
        label,
        "https://pp.example/o/shop/".to_owned() + &token + "/returns/1001-R1/label"
    );
    let (status, csp, html) = page(&token).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        csp.starts_with("default-src 'none'") && !csp.contains("script-src"),
        "{csp}"
    );
    // Its own favicon (`data:,`) is allowed, so the page makes no policy violation.
    assert!(csp.contains("img-src data:"), "{csp}");
    for expected in [
        "<html lang=\"nl-NL\"",
        "Retour 1001-R1",
        "Stuur het naar",
        "<address>Shop Returns<br>Westerstraat 187<br>1015 MA Amsterdam</address>",
        "<time datetime=\"2026-12-03\">2026-12-03</time>",
        "<svg",
        "Organic tee × 1",
        "inleverpunt",
    ] {
        assert!(html.contains(expected), "{expected} in {html}");
    }
    // A bad address is refused by field.
    let (status, body) = put(
        &app,
        "/api/v1/admin/return-settings",
        json!({"enabled": true, "window_days": 14, "reasons": ["Too small"],
               "return_address": "1\n2\n3\n4\n5\n6\n7", "send_within_days": 0}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), ["return_address", "send_within_days"]);

    // The shop's shipping tool made a carrier label: the shopper gets that one.
    let (status, body) = put(
        &app,
        "/api/v1/admin/returns/1001-R1/label",
        json!({"label_url": "javascript:alert(1)"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), ["label_url"]);
    let (status, _) = put(
        &app,
        "/api/v1/admin/returns/9999-R1/label",
        json!({"label_url": "https://labels.example/1.pdf"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = put(
        &app,
        "/api/v1/admin/returns/1001-R1/label",
        json!({"label_url": "https://labels.example/1001-R1.pdf"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["label_url"], "https://labels.example/1001-R1.pdf");
    let (_, options) = app
        .get(&format!("/api/v1/shops/shop/orders/{token}/returns"))
        .await;
    assert_eq!(
        options["returns"][0]["label_url"],
        "https://labels.example/1001-R1.pdf"
    );
    let (_, _, html) = page(&token).await;
    assert!(
        html.contains("href=\"https://labels.example/1001-R1.pdf\""),
        "{html}"
    );
    assert!(!html.contains("<?xml"));
    // Another order's link opens nothing.
    let other = app
        .create_order(SHOP_KEY, &sample_order("1002", "sam@example.com"))
        .await;
    let response = app
        .send(
            Request::get(format!("/o/shop/{other}/returns/1001-R1/label"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let html = String::from_utf8(body_bytes(response).await).unwrap();
    assert!(html.contains("does not exist"), "{html}");
}

/// The tee in size M comes in L (two left) and S (none left); the order's tee line says so.
async fn with_sizes(app: &TestApp) -> (String, i64) {
    let stock = json!({"items": [
        {"sku": "TEE-M", "product": "tee", "variant": "M / Forest", "stock": 5},
        {"sku": "TEE-L", "product": "tee", "variant": "L / Forest", "stock": 2},
        {"sku": "TEE-S", "product": "tee", "variant": "S / Forest", "stock": 0},
        {"sku": "CAP-2", "product": "cap", "variant": "Grey", "stock": 9}]});
    let response = app
        .send(
            Request::put("/api/v1/admin/inventory")
                .header(header::AUTHORIZATION, format!("Bearer {SHOP_KEY}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(stock.to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::NO_CONTENT,
        "204: no JSON body"
    );
    let (status, body) = put(
        app,
        "/api/v1/admin/return-settings",
        json!({"enabled": true, "window_days": 14, "reasons": ["Too small"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut order = sample_order("1001", "jane@example.com");
    order["items"][0]["product"] = json!("tee");
    let token = app.create_order(SHOP_KEY, &order).await;
    app.deliver_tees(DELIVERED).await;
    let (_, options) = app
        .get(&format!("/api/v1/shops/shop/orders/{token}/returns"))
        .await;
    (token, options["lines"][0]["line_id"].as_i64().unwrap())
}

fn exchange(tee: i64, quantity: u32, sku: &str) -> Value {
    json!({"items": [{"line_id": tee, "quantity": quantity, "reason": "Too small", "exchange_sku": sku}],
           "resolution": "exchange", "method": "drop_off"})
}

async fn stock(app: &TestApp, sku: &str) -> i64 {
    app.number(&format!("SELECT stock FROM inventory WHERE sku = '{sku}'"))
        .await
}

async fn an_item_is_exchanged_for_another_variant_while_in_stock(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, tee) = with_sizes(&app).await;
    let (_, options) = app
        .get(&format!("/api/v1/shops/shop/orders/{token}/returns"))
        .await;
    assert_eq!(
        options["lines"][0]["exchange_options"],
        json!([{"sku": "TEE-L", "variant": "L / Forest", "in_stock": true},
               {"sku": "TEE-S", "variant": "S / Forest", "in_stock": false}])
    );
    assert_eq!(
        options["lines"][1]["exchange_options"],
        json!([]),
        "the cap names no product"
    );
    for (body, field) in [
        (exchange(tee, 1, "TEE-S"), "is not in stock"),
        (
            exchange(tee, 1, "CAP-2"),
            "is not another variant of this product",
        ),
        (
            exchange(tee, 1, "TEE-M"),
            "is not another variant of this product",
        ),
    ] {
        let (status, answer) = json_of(app.send(start(&token, None, &body)).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(answer["error"]["fields"][0]["message"], field);
    }
    let (status, view) = json_of(
        app.send(start(&token, None, &exchange(tee, 1, "TEE-L")))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{view}");
    assert_eq!(view["resolution"], "exchange");
    assert_eq!(view["items"][0]["exchange_sku"], "TEE-L");
    assert_eq!(
        (view["refund"].clone(), view["bonus"].clone()),
        (json!(0), json!(0))
    );
    assert_eq!(stock(&app, "TEE-L").await, 1, "set aside for the shopper");
    // Cancelled, the variant goes back on the shelf.
    let cancel = format!("/api/v1/shops/shop/orders/{token}/returns/1001-R1/cancel");
    app.send(Request::post(&cancel).body(Body::empty()).unwrap())
        .await;
    assert_eq!(stock(&app, "TEE-L").await, 2);
}

async fn the_last_piece_in_stock_goes_to_one_exchange(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, tee) = with_sizes(&app).await;
    // One L left, and six tries at once to exchange a tee for it: one gets it.
    let request = Request::put("/api/v1/admin/inventory")
        .header(header::AUTHORIZATION, format!("Bearer {SHOP_KEY}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"items": [{"sku": "TEE-L", "product": "tee", "variant": "L / Forest", "stock": 1}]}).to_string(),
        ))
        .unwrap();
    app.send(request).await;
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let router = app.router.clone();
            let request = start(&token, None, &exchange(tee, 1, "TEE-L"));
            tokio::spawn(async move {
                use tower::ServiceExt;
                router.oneshot(request).await.unwrap().status()
            })
        })
        .collect();
    let mut created = 0;
    for task in tasks {
        match task.await.unwrap() {
            StatusCode::CREATED => created += 1,
            other => assert_eq!(other, StatusCode::UNPROCESSABLE_ENTITY),
        }
    }
    assert_eq!(created, 1);
    assert_eq!(stock(&app, "TEE-L").await, 0);
}

fn quote(token: &str, body: &Value) -> Request<Body> {
    Request::post(format!("/api/v1/shops/shop/orders/{token}/returns/quote"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// The tees with their variants in stock, and a 10% bonus for store credit.
async fn sized_with_bonus(app: &TestApp) -> (String, i64) {
    let (token, tee) = with_sizes(app).await;
    let (status, body) = put(
        app,
        "/api/v1/admin/return-settings",
        json!({"enabled": true, "window_days": 14, "reasons": ["Too small"],
               "store_credit_bonus": 10}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (token, tee)
}

async fn a_quote_is_what_starting_the_same_return_then_records(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, tee) = sized_with_bonus(&app).await;
    let two = |resolution: &str| {
        json!({"items": [{"line_id": tee, "quantity": 2, "reason": "Too small"}],
               "resolution": resolution, "method": "label"})
    };
    for (body, refund, bonus) in [
        (two("refund"), 5000, 0),
        (two("store_credit"), 5000, 500),
        (exchange(tee, 2, "TEE-L"), 0, 0),
    ] {
        let (status, quoted) = json_of(app.send(quote(&token, &body)).await).await;
        assert_eq!(status, StatusCode::OK, "{quoted}");
        assert_eq!(
            quoted,
            json!({"refund": refund, "bonus": bonus, "currency": "EUR"})
        );
        let (status, view) = json_of(app.send(start(&token, None, &body)).await).await;
        assert_eq!(status, StatusCode::CREATED, "{view}");
        assert_eq!(
            json!({"refund": view["refund"], "bonus": view["bonus"], "currency": view["currency"]}),
            quoted,
            "{}",
            body["resolution"]
        );
        // Cancelled, the tees can go back again under the next resolution.
        let number = view["number"].as_str().unwrap();
        let cancel = format!("/api/v1/shops/shop/orders/{token}/returns/{number}/cancel");
        let (status, _) = json_of(
            app.send(Request::post(&cancel).body(Body::empty()).unwrap())
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    }
}

async fn a_bad_quote_is_refused_as_starting_the_return_would_be(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, tee, cap) = delivered(&app).await;
    let bad = json!({"items": [
            {"line_id": tee, "quantity": 3, "reason": "Too small"},
            {"line_id": cap, "quantity": 1, "reason": "Bored"},
            {"line_id": 999, "quantity": 1, "reason": "Too small"},
            {"line_id": tee, "quantity": 1, "reason": "Too small", "exchange_sku": "TEE-L"}],
        "resolution": "refund", "method": "label"});
    let cases = [
        (token.clone(), bad),
        (
            token.clone(),
            json!({"items": [], "resolution": "refund", "method": "label"}),
        ),
        (
            token.clone(),
            json!({"items": [], "resolution": "refund", "method": "by_pigeon"}),
        ),
        (
            token.clone(),
            json!({"items": [], "resolution": "refund", "method": "label", "x": 1}),
        ),
        (
            "NoSuchToken1234567890abcdefghij".into(),
            one_tee(tee, "refund"),
        ),
    ];
    for (token, body) in cases {
        let quoted = json_of(app.send(quote(&token, &body)).await).await;
        let started = json_of(app.send(start(&token, None, &body)).await).await;
        assert!(quoted.0.is_client_error(), "{body}: {quoted:?}");
        assert_eq!(quoted, started, "{body}");
    }
    assert_eq!(
        error_fields(
            &json_of(
                app.send(quote(
                    &token,
                    &json!({"items": [
            {"line_id": tee, "quantity": 3, "reason": "Too small"}],
            "resolution": "refund", "method": "label"})
                ))
                .await
            )
            .await
            .1
        ),
        ["items[0].quantity"]
    );
    // Returns switched off: the same 404 as for a new return.
    put(
        &app,
        "/api/v1/admin/return-settings",
        json!({"enabled": false, "window_days": 14, "reasons": ["Too small"]}),
    )
    .await;
    let body = one_tee(tee, "refund");
    let quoted = json_of(app.send(quote(&token, &body)).await).await;
    assert_eq!(quoted.0, StatusCode::NOT_FOUND, "{quoted:?}");
    assert_eq!(
        quoted,
        json_of(app.send(start(&token, None, &body)).await).await
    );
    assert_eq!(app.count("returns").await, 0);
}

async fn quoting_writes_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, tee) = sized_with_bonus(&app).await;
    app.execute(&[
        "UPDATE shops SET webhook_url = 'https://merchant.example/hooks', webhook_secret = 's'
         WHERE slug = 'shop'",
    ])
    .await;
    let before = app
        .counts(&["returns", "return_items", "webhook_deliveries"])
        .await;
    for body in [one_tee(tee, "store_credit"), exchange(tee, 2, "TEE-L")] {
        for _ in 0..2 {
            let (status, quoted) = json_of(app.send(quote(&token, &body)).await).await;
            assert_eq!(status, StatusCode::OK, "{quoted}");
        }
    }
    assert_eq!(
        app.counts(&["returns", "return_items", "webhook_deliveries"])
            .await,
        before
    );
    assert_eq!(before, [0, 0, 0]);
    assert_eq!(stock(&app, "TEE-L").await, 2, "nothing set aside");
    let (_, options) = app
        .get(&format!("/api/v1/shops/shop/orders/{token}/returns"))
        .await;
    assert_eq!(options["returns"], json!([]));
    assert_eq!(options["lines"][0]["quantity"], 2);
}

storage_tests!(
    a_quote_is_what_starting_the_same_return_then_records,
    a_bad_quote_is_refused_as_starting_the_return_would_be,
    quoting_writes_nothing,
    each_line_says_whether_it_can_go_back_and_why_not,
    a_return_for_store_credit_gets_its_number_and_bonus_and_can_be_cancelled,
    concurrent_returns_never_send_back_more_than_was_delivered,
    a_retried_request_makes_one_return,
    bad_returns_name_every_problem_and_change_nothing,
    the_shop_moves_a_return_along_and_the_shopper_can_no_longer_cancel,
    the_shop_hears_of_every_change_to_a_return,
    the_shopper_gets_a_qr_code_to_hand_in_and_the_shop_never_sees_its_link,
    a_printable_page_shows_the_code_what_to_do_and_what_goes_back,
    an_item_is_exchanged_for_another_variant_while_in_stock,
    the_last_piece_in_stock_goes_to_one_exchange,
);
