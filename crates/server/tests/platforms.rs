//! Orders in from shop platforms through the API: each platform's order and fulfilment
//! payloads (fixtures written from its documentation, `tests/fixtures/platforms/`),
//! verified its own way, creating the order with its link and parcels once, updating it
//! after, and refusing everything else with nothing kept.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use postpurchase_server::domain::platforms::{sign, Platform};
use serde_json::{json, Value};

const WOO_SECRET: &str = "woo-webhook-secret-1";
const SHOPWARE_SECRET: &str = "shopware-shop-secret-1";
const SHOPIFY_SECRET: &str = "shopify-signing-secret-1";

fn fixture(name: &str) -> Value {
    let text = match name {
        "woocommerce-order" => include_str!("fixtures/platforms/woocommerce-order.json"),
        "shopify-order" => include_str!("fixtures/platforms/shopify-order.json"),
        "shopify-fulfillment" => include_str!("fixtures/platforms/shopify-fulfillment.json"),
        "shopware-order-placed" => include_str!("fixtures/platforms/shopware-order-placed.json"),
        other => panic!("no fixture {other}"),
    };
    serde_json::from_str(text).unwrap()
}

/// Sets the shop's secret for each platform, as its owner does.
async fn with_secrets(app: &TestApp) {
    for (platform, secret) in [
        ("woocommerce", WOO_SECRET),
        ("shopware", SHOPWARE_SECRET),
        ("shopify", SHOPIFY_SECRET),
    ] {
        let (status, body) = app
            .admin_put(
                &format!("/api/v1/admin/feeds/{platform}"),
                SHOP_KEY,
                &json!({ "secret": secret }).to_string(),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body["url"],
            format!("https://pp.example/api/v1/platforms/shop/{platform}")
        );
    }
}

/// Sends `body` to the shop's address for `platform` with `headers`.
async fn send(
    app: &TestApp,
    platform: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> (StatusCode, Value) {
    let mut request = Request::post(format!("/api/v1/platforms/shop/{platform}"))
        .header(header::CONTENT_TYPE, "application/json");
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    json_of(
        app.send(request.body(Body::from(body.to_vec())).unwrap())
            .await,
    )
    .await
}

/// A WooCommerce delivery of `topic`, signed as WooCommerce signs it.
async fn woo(app: &TestApp, topic: &str, delivery: &str, body: &Value) -> (StatusCode, Value) {
    let bytes = body.to_string().into_bytes();
    let headers = [
        ("x-wc-webhook-source", "https://shop.example/".to_owned()),
        ("x-wc-webhook-topic", topic.to_owned()),
        ("x-wc-webhook-resource", "order".to_owned()),
        (
            "x-wc-webhook-event",
            topic.trim_start_matches("order.").to_owned(),
        ),
        ("x-wc-webhook-id", "12".to_owned()),
        ("x-wc-webhook-delivery-id", delivery.to_owned()),
        (
            "x-wc-webhook-signature",
            sign(Platform::WooCommerce, WOO_SECRET, &bytes),
        ),
    ];
    send(app, "woocommerce", &headers, &bytes).await
}

/// A Shopify delivery of `topic` with webhook id `id`, signed as Shopify signs it.
async fn shopify(app: &TestApp, topic: &str, id: &str, body: &Value) -> (StatusCode, Value) {
    let bytes = body.to_string().into_bytes();
    let headers = [
        ("x-shopify-topic", topic.to_owned()),
        (
            "x-shopify-shop-domain",
            "outdoor-co.myshopify.com".to_owned(),
        ),
        ("x-shopify-api-version", "2025-10".to_owned()),
        ("x-shopify-webhook-id", id.to_owned()),
        ("x-shopify-triggered-at", "2026-11-23T09:40:02Z".to_owned()),
        (
            "x-shopify-hmac-sha256",
            sign(Platform::Shopify, SHOPIFY_SECRET, &bytes),
        ),
    ];
    send(app, "shopify", &headers, &bytes).await
}

/// A Shopware app webhook, signed as Shopware signs it.
async fn shopware(app: &TestApp, body: &Value) -> (StatusCode, Value) {
    let bytes = body.to_string().into_bytes();
    let headers = [(
        "shopware-shop-signature",
        sign(Platform::Shopware, SHOPWARE_SECRET, &bytes),
    )];
    send(app, "shopware", &headers, &bytes).await
}

async fn view(app: &TestApp, token: &str) -> Value {
    let (status, view) = app.get(&format!("/api/v1/shops/shop/orders/{token}")).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    view
}

const TABLES: [&str; 8] = [
    "orders",
    "customers",
    "order_items",
    "order_tokens",
    "shipments",
    "shipment_items",
    "platform_orders",
    "platform_deliveries",
];

async fn a_woocommerce_order_is_created_updated_and_taken_once(backend: Backend) {
    let app = TestApp::new(backend).await;
    with_secrets(&app).await;
    // Saving the webhook, WooCommerce pings unsigned and needs a 200.
    let ping = Request::post("/api/v1/platforms/shop/woocommerce")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("webhook_id=12"))
        .unwrap();
    let (status, body) = json_of(app.send(ping).await).await;
    assert_eq!(
        (status, body["outcome"].clone()),
        (StatusCode::OK, json!("ignored"))
    );
    assert_eq!(app.count("orders").await, 0);

    let order = fixture("woocommerce-order");
    let (status, created) = woo(&app, "order.created", "d1", &order).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["outcome"], "created");
    assert_eq!(created["number"], "727");
    assert_eq!(created["shop"], "shop");
    let token = created["access"]["token"].as_str().unwrap().to_owned();
    assert_eq!(
        created["access"]["order_url"],
        format!("https://pp.example/o/shop/{token}")
    );
    let page = view(&app, &token).await;
    assert_eq!(page["number"], "727");
    assert_eq!(page["currency"], "EUR");
    assert_eq!(page["customer"]["first_name"], "Noor");
    assert_eq!(page["placed_at"], "2026-11-23T09:15:00Z");
    let items = &page["items"];
    assert_eq!(items[0]["name"], "Linen shirt");
    assert_eq!(items[0]["variant"], "M");
    assert_eq!(items[0]["quantity"], 2);
    assert_eq!(items[0]["unit_price"], 1500);
    assert_eq!(
        items[0]["image_url"],
        "https://shop.example/wp-content/uploads/shirt-m.jpg"
    );
    assert_eq!(items[1]["name"], "Tote bag");
    assert_eq!(items[1]["image_url"], Value::Null);
    assert_eq!(
        page["totals"],
        json!({"subtotal": 4000, "shipping": 495, "discount": 500, "tax": 839, "total": 4834})
    );
    assert_eq!(page["delivery_address"]["city"], "Amsterdam");
    // The line without SKU is known by its product id.
    assert_eq!(
        app.texts("SELECT sku FROM order_items ORDER BY position")
            .await,
        ["SHIRT-LIN-M", "woocommerce-22"]
    );

    // WooCommerce retries with a new delivery id: the same order changes nothing.
    let counts = app.counts(&TABLES).await;
    let (status, again) = woo(&app, "order.created", "d2", &order).await;
    assert_eq!(
        (status, again["outcome"].clone()),
        (StatusCode::OK, json!("unchanged"))
    );
    assert_eq!(again["access"], Value::Null);
    assert_eq!(app.counts(&TABLES).await, counts);

    // order.updated: a new address, and the Shipment Tracking extension's parcel.
    let mut updated = order.clone();
    updated["shipping"]["address_1"] = json!("Herengracht 1");
    updated["shipping"]["postcode"] = json!("1015 BA");
    updated["meta_data"] = json!([{"id": 13110, "key": "_wc_shipment_tracking_items", "value": [
        {"tracking_provider": "postnl", "custom_tracking_provider": "", "custom_tracking_link": "",
         "tracking_number": "3SABCD0123456", "date_shipped": "1795420000",
         "tracking_id": "2f2bd2ab3bd1e8bfb5e0f5e7d5c5a6f1"}]}]);
    let (status, body) = woo(&app, "order.updated", "d3", &updated).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["outcome"], "updated");
    assert_eq!(body["parcels_added"], 1);
    let (status, record) = app.get_admin("/api/v1/admin/orders/727").await;
    assert_eq!(status, StatusCode::OK, "{record}");
    assert_eq!(record["delivery_address"]["street"], "Herengracht 1, 2hg");
    assert_eq!(record["delivery_address"]["postcode"], "1015 BA");
    let page = view(&app, &token).await;
    let parcel = &page["shipments"][0];
    assert_eq!(parcel["carrier"], "postnl");
    assert_eq!(parcel["tracking_number"], "3SABCD0123456");
    // It does not say which lines: every line not yet in a parcel.
    assert_eq!(parcel["items"].as_array().unwrap().len(), 2);
    let (_, again) = woo(&app, "order.updated", "d4", &updated).await;
    assert_eq!(
        (again["outcome"].clone(), again["parcels_added"].clone()),
        (json!("unchanged"), json!(0))
    );
    assert_eq!(app.count("shipments").await, 1);

    // Cancelled in the shop: cancelled here.
    let mut cancelled = updated.clone();
    cancelled["status"] = json!("cancelled");
    let (_, body) = woo(&app, "order.updated", "d5", &cancelled).await;
    assert_eq!(body["outcome"], "updated");
    assert_eq!(view(&app, &token).await["stage"], "cancelled");
    // Another topic carries no order.
    let (status, body) = woo(&app, "product.updated", "d6", &json!({"id": 93})).await;
    assert_eq!(
        (status, body["outcome"].clone()),
        (StatusCode::OK, json!("ignored"))
    );
    // Another link for the shop's e-mails, through the admin API by number.
    let (status, access) = app
        .admin_post("/api/v1/admin/orders/727/tokens", SHOP_KEY, "{}")
        .await;
    assert_eq!(status, StatusCode::CREATED, "{access}");
    view(&app, access["token"].as_str().unwrap()).await;
}

async fn a_shopware_order_is_placed_shipped_and_taken_once(backend: Backend) {
    let app = TestApp::new(backend).await;
    with_secrets(&app).await;
    let placed = fixture("shopware-order-placed");
    let (status, created) = shopware(&app, &placed).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["number"], "10060");
    let token = created["access"]["token"].as_str().unwrap().to_owned();
    let page = view(&app, &token).await;
    assert_eq!(page["items"][0]["name"], "Merino scarf");
    assert_eq!(page["items"][0]["variant"], "Green");
    assert_eq!(
        page["items"][0]["image_url"],
        "https://shopware.example/media/ab/cd/scarf-green.jpg"
    );
    assert_eq!(
        page["totals"],
        json!({"subtotal": 6400, "shipping": 499, "discount": 500, "tax": 0, "total": 6399})
    );
    assert_eq!(page["delivery_address"]["country"], "DE");
    assert_eq!(page["customer"]["first_name"], "Lena");
    assert_eq!(page["placed_at"], "2026-11-23T08:30:00Z");
    assert!(page["shipments"].as_array().unwrap().is_empty());

    // The same event again (Shopware retries with its eventId): nothing changes.
    let counts = app.counts(&TABLES).await;
    let (status, again) = shopware(&app, &placed).await;
    assert_eq!(
        (status, again["outcome"].clone()),
        (StatusCode::OK, json!("replayed"))
    );
    assert_eq!(again["number"], "10060");
    assert_eq!(app.counts(&TABLES).await, counts);

    // Shipped: the delivery's state event carries the order with its tracking code.
    let mut shipped = placed.clone();
    shipped["data"]["event"] = json!("state_enter.order_delivery.state.shipped");
    shipped["source"]["eventId"] = json!("0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f");
    let delivery = &mut shipped["data"]["payload"]["order"]["deliveries"][0];
    delivery["trackingCodes"] = json!(["00340434161094042557"]);
    delivery["stateMachineState"] = json!({"technicalName": "shipped", "name": "Shipped"});
    delivery["positions"] =
        json!([{"orderLineItemId": "e1d2c3b4a5968778695a4b3c2d1e0f01", "quantity": 2}]);
    let (status, body) = shopware(&app, &shipped).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["outcome"].clone(), body["parcels_added"].clone()),
        (json!("updated"), json!(1))
    );
    let parcel = &view(&app, &token).await["shipments"][0];
    assert_eq!(parcel["carrier"], "dhl");
    assert_eq!(parcel["tracking_number"], "00340434161094042557");
    assert_eq!(parcel["items"].as_array().unwrap().len(), 1);
    assert_eq!(parcel["items"][0]["quantity"], 2);
    // The same shipment in a later event is not a second parcel.
    shipped["source"]["eventId"] = json!("1c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f");
    let (_, body) = shopware(&app, &shipped).await;
    assert_eq!(body["outcome"], "unchanged");
    assert_eq!(app.count("shipments").await, 1);

    // order.written carries ids only: taken, nothing changes.
    let written = json!({
        "data": {"payload": [{"entity": "order", "operation": "update",
                              "primaryKey": "0193f1c2a4b87c6e9d1f2a3b4c5d6e7f",
                              "updatedFields": ["stateId"],
                              "versionId": "0fa91ce3e96a4bc2be4bd9ce752c3425"}],
                 "event": "order.written"},
        "source": {"url": "https://shopware.example", "appVersion": "1.0.0",
                   "shopId": "dgrH7nLU6tlE", "eventId": "2c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f"},
        "timestamp": 1795420000
    });
    let counts = app.counts(&TABLES).await;
    let (status, body) = shopware(&app, &written).await;
    assert_eq!(
        (status, body["outcome"].clone()),
        (StatusCode::OK, json!("ignored"))
    );
    assert_eq!(app.counts(&TABLES).await, counts);
}

async fn a_shopify_order_and_its_fulfilment_are_taken_once(backend: Backend) {
    let app = TestApp::new(backend).await;
    with_secrets(&app).await;
    let order = fixture("shopify-order");
    let (status, created) = shopify(&app, "orders/create", "w1", &order).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    // The number as Shopify prints it, without its `#`.
    assert_eq!(created["number"], "1042");
    let token = created["access"]["token"].as_str().unwrap().to_owned();
    let page = view(&app, &token).await;
    assert_eq!(page["currency"], "USD");
    assert_eq!(page["placed_at"], "2026-11-23T09:40:00Z");
    assert_eq!(page["items"][0]["variant"], "L");
    assert_eq!(page["items"][1]["name"], "Rain jacket");
    assert_eq!(
        page["totals"],
        json!({"subtotal": 12800, "shipping": 700, "discount": 1000, "tax": 862, "total": 13362})
    );
    assert_eq!(
        app.texts("SELECT sku FROM order_items ORDER BY position")
            .await,
        ["SOCK-TRAIL-L", "shopify-45120932348193"]
    );
    // The same webhook again: a replay.
    let counts = app.counts(&TABLES).await;
    let (status, again) = shopify(&app, "orders/create", "w1", &order).await;
    assert_eq!(
        (status, again["outcome"].clone()),
        (StatusCode::OK, json!("replayed"))
    );
    assert_eq!(app.counts(&TABLES).await, counts);

    // Updated before it ships: the address and the lines follow.
    let mut updated = order.clone();
    updated["shipping_address"]["city"] = json!("Beaverton");
    updated["line_items"][0]["quantity"] = json!(3);
    updated["line_items"][0]["current_quantity"] = json!(3);
    updated["total_line_items_price"] = json!("142.00");
    let (status, body) = shopify(&app, "orders/updated", "w2", &updated).await;
    assert_eq!(
        (status, body["outcome"].clone()),
        (StatusCode::OK, json!("updated"))
    );
    let page = view(&app, &token).await;
    assert_eq!(page["delivery_address"]["city"], "Beaverton");
    assert_eq!(page["items"][0]["quantity"], 3);
    assert_eq!(page["totals"]["subtotal"], 14200);

    // The fulfilment: UPS, the socks.
    let fulfilment = fixture("shopify-fulfillment");
    let (status, body) = shopify(&app, "fulfillments/create", "w3", &fulfilment).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (
            body["outcome"].clone(),
            body["number"].clone(),
            body["parcels_added"].clone()
        ),
        (json!("updated"), json!("1042"), json!(1))
    );
    let page = view(&app, &token).await;
    let parcel = &page["shipments"][0];
    assert_eq!(parcel["carrier"], "ups");
    assert_eq!(parcel["tracking_number"], "1Z999AA10123456784");
    assert_eq!(parcel["items"][0]["line_id"], page["items"][0]["id"]);
    assert_eq!(parcel["items"][0]["quantity"], 2);
    // The same fulfilment again, under another webhook id, and inside orders/updated:
    // still one parcel; and once shipped, the lines stay as they were.
    let (_, body) = shopify(&app, "fulfillments/update", "w4", &fulfilment).await;
    assert_eq!(body["parcels_added"], 0);
    let mut later = updated.clone();
    later["fulfillments"] = json!([fulfilment]);
    later["line_items"][0]["current_quantity"] = json!(1);
    let (_, body) = shopify(&app, "orders/updated", "w5", &later).await;
    assert_eq!(body["outcome"], "unchanged");
    assert_eq!(app.count("shipments").await, 1);
    assert_eq!(view(&app, &token).await["items"][0]["quantity"], 3);
    // A fulfilment of an order this shop never got is answered and left alone.
    let mut stranger = fulfilment.clone();
    stranger["order_id"] = json!(1);
    let (status, body) = shopify(&app, "fulfillments/create", "w6", &stranger).await;
    assert_eq!(
        (status, body["outcome"].clone()),
        (StatusCode::OK, json!("ignored"))
    );
    assert_eq!(app.count("shipments").await, 1);
    // Cancelled in Shopify.
    let mut cancelled = updated.clone();
    cancelled["cancelled_at"] = json!("2026-11-23T07:00:00-05:00");
    cancelled["cancel_reason"] = json!("customer");
    let (_, body) = shopify(&app, "orders/cancelled", "w7", &cancelled).await;
    assert_eq!(body["outcome"], "updated");
    assert_eq!(view(&app, &token).await["stage"], "cancelled");
}

async fn bad_sends_are_refused_and_kept_nowhere(backend: Backend) {
    let app = TestApp::new(backend).await;
    // No secret set: the platform's address takes nothing.
    let bytes = fixture("shopify-order").to_string().into_bytes();
    let signed = sign(Platform::Shopify, SHOPIFY_SECRET, &bytes);
    let (status, body) = send(
        &app,
        "shopify",
        &[("x-shopify-hmac-sha256", signed)],
        &bytes,
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::NOT_FOUND, json!("platform_not_set"))
    );
    with_secrets(&app).await;
    let (status, _) = send(&app, "magento", &[], b"{}").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    for (platform, which, name, fixture_name) in [
        (
            "woocommerce",
            Platform::WooCommerce,
            "x-wc-webhook-signature",
            "woocommerce-order",
        ),
        (
            "shopware",
            Platform::Shopware,
            "shopware-shop-signature",
            "shopware-order-placed",
        ),
        (
            "shopify",
            Platform::Shopify,
            "x-shopify-hmac-sha256",
            "shopify-order",
        ),
    ] {
        let bytes = fixture(fixture_name).to_string().into_bytes();
        let (status, body) = send(&app, platform, &[], &bytes).await;
        assert_eq!(
            (status, body["error"]["code"].clone()),
            (StatusCode::UNAUTHORIZED, json!("signature_missing")),
            "{platform}"
        );
        for signature in [
            sign(which, "another-secret", &bytes),
            sign(which, name, b"{}"),
            "not a signature".to_owned(),
        ] {
            let (status, body) = send(&app, platform, &[(name, signature)], &bytes).await;
            assert_eq!(
                (status, body["error"]["code"].clone()),
                (StatusCode::UNAUTHORIZED, json!("bad_signature")),
                "{platform}"
            );
        }
        let secret = match which {
            Platform::WooCommerce => WOO_SECRET,
            Platform::Shopware => SHOPWARE_SECRET,
            Platform::Shopify => SHOPIFY_SECRET,
        };
        // Signed, but not JSON, or not the platform's shape: a JSON error.
        for (body, code, want) in [
            (&b"{\"id\": 1,"[..], "invalid_json", StatusCode::BAD_REQUEST),
            (
                &b"[1, 2]"[..],
                "unreadable_order",
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
        ] {
            let (status, answer) =
                send(&app, platform, &[(name, sign(which, secret, body))], body).await;
            assert_eq!(
                (status, answer["error"]["code"].clone()),
                (want, json!(code)),
                "{platform}"
            );
        }
    }

    assert_eq!(
        app.counts(&TABLES).await,
        [0; TABLES.len()],
        "nothing written"
    );

    // An order without the customer's e-mail: 422 naming the platform's field.
    let mut woo_order = fixture("woocommerce-order");
    woo_order["billing"]["email"] = json!("");
    let (status, body) = woo(&app, "order.created", "d1", &woo_order).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), ["billing.email"]);
    let mut shopify_order = fixture("shopify-order");
    for key in ["email", "contact_email"] {
        shopify_order[key] = Value::Null;
    }
    shopify_order["customer"]["email"] = Value::Null;
    shopify_order["line_items"][1]["title"] = json!("");
    shopify_order["line_items"][1]["name"] = json!(" ");
    let (status, body) = shopify(&app, "orders/create", "w1", &shopify_order).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), ["email", "line_items[1].name"]);
    let mut placed = fixture("shopware-order-placed");
    placed["data"]["payload"]["order"]["orderCustomer"]["email"] = json!("not-an-address");
    let (status, body) = shopware(&app, &placed).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), ["orderCustomer.email"]);
    assert_eq!(
        app.counts(&TABLES).await,
        [0; TABLES.len()],
        "nothing written"
    );
    // An order whose number the shop already has from elsewhere: a conflict.
    app.create_order(SHOP_KEY, &sample_order("1042", "sam@example.com"))
        .await;
    let counts = app.counts(&TABLES).await;
    let (status, body) = shopify(&app, "orders/create", "w2", &fixture("shopify-order")).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::CONFLICT, json!("order_exists"))
    );
    assert_eq!(app.counts(&TABLES).await, counts);
    assert_eq!(counts[TABLES.len() - 2..], [0, 0]);
    assert_eq!(app.count("orders").await, 1);
}

/// Shopify sends `orders/create` and `orders/updated` within moments of each other, and
/// several server processes may take them at once: one order, one link, whoever wins.
/// Hex HMAC-SHA256, computed here apart from the server's code.
fn hex_hmac(key: &str, message: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(message);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Shopware's registration request for its shop `shop_id` at `at`, signed with `secret`.
async fn register(app: &TestApp, shop_id: &str, at: i64, secret: &str) -> (StatusCode, Value) {
    let query = format!("shop-id={shop_id}&shop-url=https%3A%2F%2Fshop.example&timestamp={at}");
    let request = Request::get(format!("/api/v1/platforms/shop/shopware/register?{query}"))
        .header("shopware-app-signature", hex_hmac(secret, query.as_bytes()))
        .body(Body::empty())
        .unwrap();
    json_of(app.send(request).await).await
}

async fn a_shopware_shop_registers_the_app_and_signs_with_its_own_secret(backend: Backend) {
    let app = TestApp::new(backend).await;
    // No signature at all: refused before anything is looked up.
    let request = Request::get("/api/v1/platforms/shop/shopware/register?shop-id=x")
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(request).await.status(), StatusCode::UNAUTHORIZED);
    // No secret for Shopware yet: nothing to register with.
    let (status, body) = register(&app, "sw-7Kq", NOW, SHOPWARE_SECRET).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::NOT_FOUND, json!("platform_not_set"))
    );
    with_secrets(&app).await;
    let (status, registration) = register(&app, "sw-7Kq", NOW - 30, SHOPWARE_SECRET).await;
    assert_eq!(status, StatusCode::OK, "{registration}");
    // The proof Shopware checks: HMAC of the shop's id, its URL and the app's name.
    assert_eq!(
        registration["proof"],
        hex_hmac(SHOPWARE_SECRET, b"sw-7Kqhttps://shop.examplePostpurchase")
    );
    assert_eq!(
        registration["confirmation_url"],
        "https://pp.example/api/v1/platforms/shop/shopware/confirm"
    );
    let shop_secret = registration["secret"].as_str().unwrap().to_owned();
    assert_eq!(shop_secret.len(), 64);
    assert_ne!(shop_secret, SHOPWARE_SECRET);
    // Another Shopware shop gets another secret; the same one, the same again.
    let (_, other) = register(&app, "sw-other", NOW, SHOPWARE_SECRET).await;
    assert_ne!(other["secret"], registration["secret"]);
    let (_, again) = register(&app, "sw-7Kq", NOW, SHOPWARE_SECRET).await;
    assert_eq!(again["secret"], registration["secret"]);
    // Refused: another app's secret, no signature, a stale request, a missing shop id.
    let (status, _) = register(&app, "sw-7Kq", NOW, "not-the-app-secret").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    for at in [NOW - 3600, NOW + 3600, i64::MIN, i64::MAX] {
        let (status, _) = register(&app, "sw-7Kq", at, SHOPWARE_SECRET).await;
        assert_eq!(status, StatusCode::CONFLICT, "{at}");
    }
    let request = Request::get("/api/v1/platforms/shop/shopware/register?shop-id=x")
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(request).await.status(), StatusCode::UNAUTHORIZED);
    let query = "shop-url=https%3A%2F%2Fshop.example&timestamp=1795435200";
    let request = Request::get(format!("/api/v1/platforms/shop/shopware/register?{query}"))
        .header(
            "shopware-app-signature",
            hex_hmac(SHOPWARE_SECRET, query.as_bytes()),
        )
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        app.send(request).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // Shopware confirms, signed with the shop's secret.
    let counts = app.counts(&TABLES).await;
    let confirmation = json!({"apiKey": "SWIA123", "secretKey": "s3cr3t", "timestamp": NOW,
                              "shopUrl": "https://shop.example", "shopId": "sw-7Kq"})
    .to_string();
    let confirm = |signature: String| {
        Request::post("/api/v1/platforms/shop/shopware/confirm")
            .header(header::CONTENT_TYPE, "application/json")
            .header("shopware-shop-signature", signature)
            .body(Body::from(confirmation.clone()))
            .unwrap()
    };
    assert_eq!(
        app.send(confirm(hex_hmac(&shop_secret, confirmation.as_bytes())))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let other_secret = other["secret"].as_str().unwrap().to_owned();
    assert_eq!(
        app.send(confirm(hex_hmac(&other_secret, confirmation.as_bytes())))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    // The API credentials are kept nowhere: the confirmation writes nothing.
    assert_eq!(app.counts(&TABLES).await, counts);
    let secrets = app.texts("SELECT secret FROM feed_secrets").await;
    assert!(!secrets.iter().any(|s| s.contains("s3cr3t")), "{secrets:?}");

    // Its webhooks are signed with its own secret, and name it.
    let mut placed = fixture("shopware-order-placed");
    placed["source"]["shopId"] = json!("sw-7Kq");
    let bytes = placed.to_string().into_bytes();
    let signed = |secret: &str| [("shopware-shop-signature", hex_hmac(secret, &bytes))];
    let (status, _) = send(&app, "shopware", &signed(&other_secret), &bytes).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, created) = send(&app, "shopware", &signed(&shop_secret), &bytes).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["number"], "10060");
}

async fn an_order_sent_twice_at_once_is_one_order(backend: Backend) {
    let app = TestApp::new(backend).await;
    with_secrets(&app).await;
    let order = fixture("shopify-order");
    let mut updated = order.clone();
    updated["shipping_address"]["city"] = json!("Beaverton");
    let (first, second) = tokio::join!(
        shopify(&app, "orders/create", "c1", &order),
        shopify(&app, "orders/updated", "c2", &updated),
    );
    let mut statuses = [first.0, second.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CREATED],
        "{first:?} {second:?}"
    );
    assert_eq!(
        app.counts(&["orders", "order_tokens", "platform_orders"])
            .await,
        [1, 1, 1]
    );
}

storage_tests!(
    a_shopware_shop_registers_the_app_and_signs_with_its_own_secret,
    an_order_sent_twice_at_once_is_one_order,
    a_woocommerce_order_is_created_updated_and_taken_once,
    a_shopware_order_is_placed_shipped_and_taken_once,
    a_shopify_order_and_its_fulfilment_are_taken_once,
    bad_sends_are_refused_and_kept_nowhere,
);
