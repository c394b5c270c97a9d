//! Changing an order before it ships, through the API: the shop's terms and window, the
//! shopper's request (checked for the order's country, retried safely, one at a time),
//! the signed webhooks, the shop's answer making the change, a parcel overtaking a
//! request, the view kept ready following all of it (and the window's end without a
//! write), and erasure.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use serde_json::{json, Value};

storage_tests!(
    asking_follows_the_shops_terms_and_its_window,
    a_cancel_goes_to_the_shop_and_its_answer_to_the_shopper,
    an_address_is_checked_for_the_country_and_moves_the_order,
    a_parcel_registered_first_overtakes_the_request,
    one_request_waits_at_a_time_even_when_two_race,
    the_kept_view_follows_requests_answers_and_the_windows_end,
    erasing_the_customer_blanks_the_address_asked_for,
    a_platforms_fulfilment_overtakes_the_request_too,
);

/// Ten minutes before the tests' NOW.
const PLACED: &str = "2026-11-23T11:50:00Z";

async fn terms(app: &TestApp, body: Value) -> (StatusCode, Value) {
    app.admin_put("/api/v1/admin/change-settings", SHOP_KEY, &body.to_string())
        .await
}

/// Changes on (cancel and address, for an hour), webhooks to the merchant, and order 1001
/// placed ten minutes ago. Its token.
async fn fresh_order(app: &TestApp) -> String {
    let (status, body) = terms(
        app,
        json!({"cancel": true, "address": true, "window_minutes": 60}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.execute(&[
        "UPDATE shops SET webhook_url = 'https://merchant.example/hooks', webhook_secret = 's'
         WHERE slug = 'shop'",
    ])
    .await;
    let mut order = sample_order("1001", "jane@example.com");
    order["placed_at"] = json!(PLACED);
    app.create_order(SHOP_KEY, &order).await
}

async fn ask(app: &TestApp, token: &str, key: &str, body: Value) -> (StatusCode, Value) {
    json_of(
        app.send(json_request(
            "POST",
            &format!("/api/v1/shops/shop/orders/{token}/changes"),
            &[("idempotency-key", key)],
            &body,
        ))
        .await,
    )
    .await
}

async fn order(app: &TestApp, token: &str) -> Value {
    let (status, view) = app.get(&format!("/api/v1/shops/shop/orders/{token}")).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    view
}

async fn decide(app: &TestApp, change: &str, body: Value) -> (StatusCode, Value) {
    app.admin_post(
        &format!("/api/v1/admin/changes/{change}/decision"),
        SHOP_KEY,
        &body.to_string(),
    )
    .await
}

/// The webhooks queued so far: (type, status) and the events.
async fn events(app: &TestApp) -> Vec<Value> {
    app.texts("SELECT body FROM webhook_deliveries ORDER BY id")
        .await
        .iter()
        .map(|b| serde_json::from_str(b).unwrap())
        .collect()
}

fn parcel(tracking: &str) -> String {
    json!({"carrier": "dhl", "tracking_number": tracking,
           "items": [{"sku": "CAP", "quantity": 1}]})
    .to_string()
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

async fn asking_follows_the_shops_terms_and_its_window(backend: Backend) {
    let app = TestApp::new(backend).await;
    // Off by default: nothing in the view, and a request is refused by its kind.
    let (_, settings) = app.get_admin("/api/v1/admin/change-settings").await;
    assert_eq!(
        settings,
        json!({"cancel": false, "address": false, "window_minutes": null})
    );
    let mut placed = sample_order("1000", "ann@example.com");
    placed["placed_at"] = json!(PLACED);
    let token = app.create_order(SHOP_KEY, &placed).await;
    assert_eq!(order(&app, &token).await.get("changes"), None);
    let (status, body) = ask(&app, &token, "k0", json!({"kind": "cancel"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), ["kind"]);

    // Out-of-range windows are named.
    for bad in [0, 4, 10_081] {
        let (status, body) = terms(&app, json!({"cancel": true, "window_minutes": bad})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert_eq!(error_fields(&body), ["window_minutes"]);
    }

    // Cancelling only, for an hour after ordering.
    let (status, _) = terms(&app, json!({"cancel": true, "window_minutes": 60})).await;
    assert_eq!(status, StatusCode::OK);
    let view = order(&app, &token).await;
    assert_eq!(
        view["changes"],
        json!({"cancel": true, "address": false, "until": "2026-11-23T12:50:00Z"})
    );
    let fix = json!({"kind": "address", "address": {"name": "Ann", "street": "Prinsengracht",
                     "house_number": "2", "postcode": "1015 DV", "city": "Amsterdam"}});
    let (status, body) = ask(&app, &token, "k1", fix).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), ["kind"]);

    // The hour passes: too late, and the view offers nothing more.
    app.state.clock.set(NOW + 50 * 60);
    let (status, body) = ask(&app, &token, "k2", json!({"kind": "cancel"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(code(&body), "change_closed");
    assert_eq!(order(&app, &token).await.get("changes"), None);

    // Without a window it stays open until the shop starts picking.
    terms(&app, json!({"cancel": true, "window_minutes": null})).await;
    app.state.clock.set(NOW + 3 * 86_400);
    let view = order(&app, &token).await;
    assert_eq!(view["changes"], json!({"cancel": true, "address": false}));
    let (status, body) = app
        .admin_post("/api/v1/admin/orders/1000/picking", SHOP_KEY, "")
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(order(&app, &token).await.get("changes"), None);
    let (_, record) = app.get_admin("/api/v1/admin/orders/1000").await;
    assert_eq!(record["picking_started_at"], "2026-11-26T12:00:00Z");
    // Saying it again keeps the first time.
    app.state.clock.set(NOW + 4 * 86_400);
    app.admin_post("/api/v1/admin/orders/1000/picking", SHOP_KEY, "")
        .await;
    let (_, record) = app.get_admin("/api/v1/admin/orders/1000").await;
    assert_eq!(record["picking_started_at"], "2026-11-26T12:00:00Z");
    let (status, body) = ask(&app, &token, "k3", json!({"kind": "cancel"})).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "change_closed")
    );
    let (status, _) = app
        .admin_post("/api/v1/admin/orders/nope/picking", SHOP_KEY, "")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn a_cancel_goes_to_the_shop_and_its_answer_to_the_shopper(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = fresh_order(&app).await;
    let (status, asked) = ask(&app, &token, "cancel-1", json!({"kind": "cancel"})).await;
    assert_eq!(status, StatusCode::CREATED, "{asked}");
    assert_eq!(
        asked,
        json!({"kind": "cancel", "status": "requested", "requested_at": "2026-11-23T12:00:00Z"})
    );
    // A retry with the same key is the same request; another one waits its turn.
    let (status, again) = ask(&app, &token, "cancel-1", json!({"kind": "cancel"})).await;
    assert_eq!((status, &again), (StatusCode::CREATED, &asked));
    let (status, body) = ask(&app, &token, "cancel-2", json!({"kind": "cancel"})).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "change_pending")
    );
    let view = order(&app, &token).await;
    assert_eq!(
        view["changes"],
        json!({"cancel": false, "address": false, "request": asked})
    );

    // The shop heard of it, with what it needs to act, and finds it in its queue.
    let sent = events(&app).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["type"], "order.change_requested");
    let data = &sent[0]["data"];
    assert_eq!(
        (
            &data["order_number"],
            &data["kind"],
            &data["status"],
            &data["email"]
        ),
        (
            &json!("1001"),
            &json!("cancel"),
            &json!("requested"),
            &json!("jane@example.com")
        )
    );
    let change = data["change"].as_str().unwrap().to_owned();
    let (_, queue) = app
        .get_admin("/api/v1/admin/changes?status=requested")
        .await;
    assert_eq!(queue.as_array().unwrap().len(), 1);
    assert_eq!(queue[0], *data);
    let (status, body) = app.get_admin("/api/v1/admin/changes?status=maybe").await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "invalid_query")
    );

    // Accepted: the order is cancelled, the shopper reads the answer, the shop is told.
    let (status, decided) = decide(
        &app,
        &change,
        json!({"accept": true, "message": " Refunded today. "}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!(decided["status"], "accepted");
    assert_eq!(decided["message"], "Refunded today.");
    let view = order(&app, &token).await;
    assert_eq!(view["stage"], "cancelled");
    assert_eq!(view["changes"]["request"]["status"], "accepted");
    assert_eq!(view["changes"]["request"]["message"], "Refunded today.");
    assert_eq!(view["changes"]["cancel"], false);
    // The same answer again changes nothing and says nothing; another answer is refused.
    let (status, _) = decide(
        &app,
        &change,
        json!({"accept": true, "message": "Refunded today."}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = decide(&app, &change, json!({"accept": false})).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "change_decided")
    );
    let kinds: Vec<(String, String)> = events(&app)
        .await
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap().into(),
                e["data"]["status"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("order.change_requested".into(), "requested".into()),
            ("order.change_decided".into(), "accepted".into())
        ]
    );
    // A cancelled order takes no parcel: never both.
    let (status, body) = app
        .admin_post(
            "/api/v1/admin/orders/1001/shipments",
            SHOP_KEY,
            &parcel("JV9"),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "order_cancelled")
    );
    // And the answers are the shop's own: another shop finds no such request.
    let (status, body) = decide(&app, "not-a-change", json!({"accept": true})).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::NOT_FOUND, "change_not_found")
    );
    let (status, _) = app
        .admin_post(
            &format!("/api/v1/admin/changes/{change}/decision"),
            OTHER_KEY,
            &json!({"accept": false}).to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = decide(&app, &change, json!({"accept": true, "message": "  "})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), ["message"]);
}

async fn an_address_is_checked_for_the_country_and_moves_the_order(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = fresh_order(&app).await;
    let address = |number: &str, postcode: &str| {
        json!({"kind": "address", "address": {"name": "Jane van Dijk", "street": " Prinsengracht ",
               "house_number": number, "postcode": postcode, "city": "Amsterdam"}})
    };
    // Each field that does not fit a Dutch address is named; nothing is stored.
    let (status, body) = ask(&app, &token, "a1", address("", "0123 AB")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        error_fields(&body),
        ["address.house_number", "address.postcode"]
    );
    let (status, body) = ask(&app, &token, "a2", json!({"kind": "address"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), ["address"]);
    let (status, body) = ask(
        &app,
        &token,
        "a3",
        json!({"kind": "address", "address": {"name": "J", "street": "S", "postcode": "1015 DV",
               "city": "A", "country": "DE"}}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an unknown field: {body}"
    );
    assert_eq!(app.count("order_changes").await, 0);

    let (status, asked) = ask(&app, &token, "a4", address("263-1", "1016gv")).await;
    assert_eq!(status, StatusCode::CREATED, "{asked}");
    // The shopper sees it masked like the order's own address; the shop gets it whole.
    assert_eq!(asked["address"]["country"], "NL");
    assert_eq!(asked["address"]["city"], "Amsterdam");
    assert_ne!(asked["address"]["street"], "Prinsengracht 263-1");
    let (_, queue) = app.get_admin("/api/v1/admin/changes").await;
    assert_eq!(
        queue[0]["address"],
        json!({"name": "Jane van Dijk", "street": "Prinsengracht", "house_number": "263-1",
               "postcode": "1016 GV", "city": "Amsterdam", "country": "NL"})
    );
    let change = queue[0]["change"].as_str().unwrap().to_owned();
    let (status, record) = app.get_admin("/api/v1/admin/orders/1001").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(record["changes"][0]["change"], change.as_str());
    assert_eq!(record["delivery_address"]["street"], "Keizersgracht 123");

    let (status, _) = decide(&app, &change, json!({"accept": true})).await;
    assert_eq!(status, StatusCode::OK);
    let (_, record) = app.get_admin("/api/v1/admin/orders/1001").await;
    assert_eq!(
        record["delivery_address"],
        json!({"name": "Jane van Dijk", "street": "Prinsengracht 263-1", "postcode": "1016 GV",
               "city": "Amsterdam", "country": "NL"})
    );
    let view = order(&app, &token).await;
    assert_eq!(
        view["delivery_address"]["postcode"],
        asked["address"]["postcode"]
    );
    assert_eq!(view["stage"], "processing");
    // A second fix may follow the first while the window is open.
    assert_eq!(view["changes"]["address"], true);
    let (status, refused) = ask(&app, &token, "a5", address("1", "1015 CJ")).await;
    assert_eq!(status, StatusCode::CREATED, "{refused}");
    let (_, queue) = app
        .get_admin("/api/v1/admin/changes?status=requested")
        .await;
    let second = queue[0]["change"].as_str().unwrap().to_owned();
    let (status, _) = decide(
        &app,
        &second,
        json!({"accept": false, "message": "We ship today."}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, record) = app.get_admin("/api/v1/admin/orders/1001").await;
    assert_eq!(record["delivery_address"]["street"], "Prinsengracht 263-1");
    let view = order(&app, &token).await;
    assert_eq!(view["changes"]["request"]["status"], "refused");
    assert_eq!(view["changes"]["request"]["message"], "We ship today.");
}

async fn a_parcel_registered_first_overtakes_the_request(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = fresh_order(&app).await;
    let (status, _) = ask(&app, &token, "c1", json!({"kind": "cancel"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, queue) = app.get_admin("/api/v1/admin/changes").await;
    let change = queue[0]["change"].as_str().unwrap().to_owned();
    // The warehouse was quicker: the parcel is registered, the request lapses.
    let (status, body) = app
        .admin_post(
            "/api/v1/admin/orders/1001/shipments",
            SHOP_KEY,
            &parcel("JV1"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let view = order(&app, &token).await;
    assert_eq!(view["changes"]["request"]["status"], "shipped");
    assert_eq!(view["changes"]["cancel"], false);
    assert_ne!(view["stage"], "cancelled");
    let sent = events(&app).await;
    assert_eq!(sent[1]["type"], "order.change_decided");
    assert_eq!(sent[1]["data"]["status"], "shipped");
    // The shop's late yes cannot cancel a shipped order.
    let (status, body) = decide(&app, &change, json!({"accept": true})).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "change_decided")
    );
    assert_ne!(order(&app, &token).await["stage"], "cancelled");
    let (status, body) = ask(&app, &token, "c2", json!({"kind": "cancel"})).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "change_closed")
    );
    // Once the order is delivered the request is history: gone from the shopper's view,
    // kept for the shop.
    let delivered =
        json!({"event_id": "d", "occurred_at": "2026-11-23T11:59:00Z", "code": "delivered"});
    let (status, body) = app
        .admin_post(
            "/api/v1/admin/shipments/dhl/JV1/events",
            SHOP_KEY,
            &delivered.to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let view = order(&app, &token).await;
    assert!(view["delivered_at"].is_string(), "{view}");
    assert_eq!(view.get("changes"), None);
    let (_, record) = app.get_admin("/api/v1/admin/orders/1001").await;
    assert_eq!(record["changes"][0]["status"], "shipped");
}

async fn one_request_waits_at_a_time_even_when_two_race(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = fresh_order(&app).await;
    let tries = (0..6).map(|i| {
        let app = &app;
        let token = &token;
        async move { ask(app, token, &format!("race-{i}"), json!({"kind": "cancel"})).await }
    });
    let answers = futures_util::future::join_all(tries).await;
    let made = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    assert_eq!(made, 1, "{answers:?}");
    for (status, body) in &answers {
        assert!(
            *status == StatusCode::CREATED || code(body) == "change_pending",
            "{status} {body}"
        );
    }
    assert_eq!(app.count("order_changes").await, 1);
    assert_eq!(events(&app).await.len(), 1);
}

async fn the_kept_view_follows_requests_answers_and_the_windows_end(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = fresh_order(&app).await;
    let first = etag(&app, &token).await;
    assert_eq!(etag(&app, &token).await, first, "nothing changed");
    ask(&app, &token, "v1", json!({"kind": "cancel"})).await;
    let asked = etag(&app, &token).await;
    assert_ne!(asked, first);
    let (_, queue) = app.get_admin("/api/v1/admin/changes").await;
    decide(
        &app,
        queue[0]["change"].as_str().unwrap(),
        json!({"accept": false}),
    )
    .await;
    let refused = etag(&app, &token).await;
    assert_ne!(refused, asked);
    assert_eq!(order(&app, &token).await["changes"]["address"], true);
    // The window's end changes the view with no write at all.
    app.state.clock.set(NOW + 50 * 60);
    let closed = etag(&app, &token).await;
    assert_ne!(closed, refused);
    let view = order(&app, &token).await;
    assert_eq!(view["changes"]["cancel"], false);
    assert_eq!(view["changes"]["address"], false);
    assert_eq!(view["changes"].get("until"), None);
}

/// The ETag of the order's view as a shopper gets it now.
async fn etag(app: &TestApp, token: &str) -> String {
    let uri = format!("/api/v1/shops/shop/orders/{token}");
    let response = app
        .send(
            axum::http::Request::get(uri)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    response.headers()[axum::http::header::ETAG]
        .to_str()
        .unwrap()
        .to_owned()
}

async fn erasing_the_customer_blanks_the_address_asked_for(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = fresh_order(&app).await;
    let fix = json!({"kind": "address", "address": {"name": "Jane van Dijk", "street": "Prinsengracht",
                     "house_number": "263", "postcode": "1016 GV", "city": "Amsterdam"}});
    let (status, _) = ask(&app, &token, "e1", fix).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, report) = app
        .admin_post(
            "/api/v1/admin/customers/erasure",
            SHOP_KEY,
            &json!({"email": "jane@example.com"}).to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let kept = app
        .texts(
            "SELECT COALESCE(name, '') || COALESCE(street, '') || COALESCE(house_number, '')
                    || COALESCE(postcode, '') || COALESCE(city, '') FROM order_changes",
        )
        .await;
    assert_eq!(kept, [""]);
    let (_, queue) = app.get_admin("/api/v1/admin/changes").await;
    assert_eq!(queue[0].get("address"), None);
}

/// A Shopify send of `topic` for order 9001 with the given fulfilments; its JSON answer.
async fn shopify(app: &TestApp, topic: &str, fulfillments: Value) -> (StatusCode, Value) {
    use postpurchase_server::domain::platforms::{sign, Platform};
    let order = json!({
        "id": 9001, "name": "#2001", "currency": "EUR", "email": "jane@example.com",
        "created_at": PLACED, "customer": {"first_name": "Jane", "last_name": "van Dijk"},
        "line_items": [{"id": 1, "sku": "TEE-M", "title": "Tee", "quantity": 1, "price": "20.00"}],
        "shipping_address": {"name": "Jane van Dijk", "address1": "Keizersgracht 123",
                             "zip": "1015 CJ", "city": "Amsterdam", "country_code": "NL"},
        "fulfillments": fulfillments
    });
    let bytes = order.to_string().into_bytes();
    let request = Request::post("/api/v1/platforms/shop/shopify")
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-shopify-topic", topic)
        .header("x-shopify-webhook-id", format!("webhook-{topic}"))
        .header(
            "x-shopify-hmac-sha256",
            sign(Platform::Shopify, "shopify-secret", &bytes),
        )
        .body(Body::from(bytes))
        .unwrap();
    json_of(app.send(request).await).await
}

async fn a_platforms_fulfilment_overtakes_the_request_too(backend: Backend) {
    let app = TestApp::new(backend).await;
    fresh_order(&app).await;
    let (status, _) = app
        .admin_put(
            "/api/v1/admin/feeds/shopify",
            SHOP_KEY,
            &json!({"secret": "shopify-secret"}).to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, created) = shopify(&app, "orders/create", json!([])).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let token = created["access"]["token"].as_str().unwrap().to_owned();
    let (status, _) = ask(&app, &token, "p1", json!({"kind": "cancel"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let shipped = json!([{"status": "success", "tracking_company": "PostNL",
                          "tracking_numbers": ["3SP2001"], "line_items": [{"sku": "TEE-M", "quantity": 1}]}]);
    let (status, body) = shopify(&app, "orders/updated", shipped).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["parcels_added"], 1);
    let view = order(&app, &token).await;
    assert_eq!(view["changes"]["request"]["status"], "shipped");
    let sent = events(&app).await;
    let last = sent.last().unwrap();
    assert_eq!(
        (
            &last["type"],
            &last["data"]["status"],
            &last["data"]["order_number"]
        ),
        (
            &json!("order.change_decided"),
            &json!("shipped"),
            &json!("2001")
        )
    );
}
