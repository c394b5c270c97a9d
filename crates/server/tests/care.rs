//! After delivery, through the API: the shop's products checked field by field and
//! listed with their clicks, care words for delivered items, re-order reminders (kept
//! once, retried safely, cancelled, raced), the clock's run sending due reminders once as
//! signed webhooks by the channels the shopper wants, erasure, the recommendations and
//! their clicks, and the order's modules following all of it with a new ETag.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use common::*;
use hmac::{Hmac, Mac};
use postpurchase_api::{WebhookData, WebhookEvent};
use postpurchase_server::webhooks::{self, Backoff};
use serde_json::{json, Value};

storage_tests!(
    products_are_checked_field_by_field,
    products_are_stored_listed_and_forgotten,
    care_shows_delivered_items_and_the_module_follows,
    reminders_are_kept_once_retried_safely_and_cancelled,
    one_reminder_waits_per_line_even_when_two_race,
    a_due_reminder_reaches_the_shop_once_signed,
    a_cancelled_reminder_is_never_sent,
    without_wanted_channels_a_reminder_is_skipped,
    without_a_webhook_endpoint_a_due_reminder_is_skipped,
    a_due_reminder_links_the_product_page_the_shop_names,
    a_line_has_at_most_ten_reminders,
    a_shop_says_something_of_at_most_5000_products,
    erasing_the_customer_cancels_their_reminders,
    recommendations_are_shown_once_and_their_clicks_counted,
    clicks_spend_the_tokens_writes,
);

const DAY: i64 = 86_400;

fn tee_care() -> Value {
    json!({"care": "Wash cold, inside out.", "care_url": "https://shop.example/care/tees",
           "reorder_days": 30})
}

fn cap_pairs() -> Value {
    json!({"pairs": [
        {"name": "Scarf", "price": 2900, "currency": "EUR",
         "image_url": "https://cdn.shop.example/scarf.jpg", "url": "https://shop.example/p/scarf"},
        {"name": "Gloves", "price": 1900, "currency": "EUR", "url": "https://shop.example/p/gloves"}
    ]})
}

async fn put(app: &TestApp, sku: &str, body: &Value) -> (StatusCode, Value) {
    app.admin_put(
        &format!("/api/v1/admin/products/{sku}"),
        SHOP_KEY,
        &body.to_string(),
    )
    .await
}

async fn delete(app: &TestApp, sku: &str) -> StatusCode {
    let request = axum::http::Request::delete(format!("/api/v1/admin/products/{sku}"))
        .header("authorization", format!("Bearer {SHOP_KEY}"))
        .body(axum::body::Body::empty())
        .unwrap();
    app.send(request).await.status()
}

/// Order 1001 (two tees, a cap) with its token.
async fn order(app: &TestApp) -> String {
    app.create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await
}

async fn care(app: &TestApp, token: &str) -> Value {
    let (status, body) = app
        .get(&format!("/api/v1/shops/shop/orders/{token}/care"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn remind(app: &TestApp, token: &str, key: &str, body: Value) -> (StatusCode, Value) {
    json_of(
        app.send(json_request(
            "POST",
            &format!("/api/v1/shops/shop/orders/{token}/care/reminders"),
            &[("idempotency-key", key)],
            &body,
        ))
        .await,
    )
    .await
}

async fn cancel(app: &TestApp, token: &str, id: &Value) -> (StatusCode, Value) {
    json_of(
        app.send(json_request(
            "POST",
            &format!("/api/v1/shops/shop/orders/{token}/care/reminders/{id}/cancel"),
            &[],
            &json!({}),
        ))
        .await,
    )
    .await
}

async fn click(app: &TestApp, token: &str, id: &Value) -> StatusCode {
    let request = axum::http::Request::post(format!(
        "/api/v1/shops/shop/orders/{token}/pairs/{id}/click"
    ))
    .body(axum::body::Body::empty())
    .unwrap();
    app.send(request).await.status()
}

async fn view(app: &TestApp, token: &str) -> (String, Value) {
    let uri = format!("/api/v1/shops/shop/orders/{token}");
    let response = app
        .send(
            axum::http::Request::get(uri)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    let etag = response.headers()[axum::http::header::ETAG]
        .to_str()
        .unwrap()
        .to_owned();
    let (_, body) = json_of(response).await;
    (etag, body)
}

fn modules(view: &Value) -> Vec<&str> {
    view["modules"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect()
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

/// The line id of the order's tees.
async fn tee_line(app: &TestApp) -> i64 {
    app.number("SELECT id FROM order_items WHERE sku = 'TEE-M'")
        .await
}

async fn events(app: &TestApp) -> Vec<Value> {
    app.texts("SELECT body FROM webhook_deliveries ORDER BY id")
        .await
        .iter()
        .map(|b| serde_json::from_str(b).unwrap())
        .collect()
}

/// An order whose tees (with care words and a 30-day suggestion) were delivered: its
/// token and the tees' line.
async fn delivered(app: &TestApp) -> (String, i64) {
    let (status, body) = put(app, "TEE-M", &tee_care()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = order(app).await;
    app.deliver_tees("2026-11-23T10:00:00Z").await;
    (token, tee_line(app).await)
}

async fn products_are_checked_field_by_field(backend: Backend) {
    let app = TestApp::new(backend).await;
    let pair = json!({"name": "Cup", "price": 1450, "currency": "EUR",
                      "image_url": "https://cdn.shop.example/cup.jpg",
                      "url": "https://shop.example/p/cup"});
    let with = |field: &str, value: Value| {
        let mut p = pair.clone();
        p[field] = value;
        json!({"pairs": [p]})
    };
    let six: Vec<Value> = (0..7)
        .map(|i| {
            let mut p = pair.clone();
            p["url"] = json!(format!("https://shop.example/p/{i}"));
            p
        })
        .collect();
    let cases = [
        (json!({"care": "x".repeat(1001)}), "care"),
        (json!({"care_url": "ftp://shop.example/care"}), "care_url"),
        (json!({"reorder_days": 0}), "reorder_days"),
        (json!({"reorder_days": 366}), "reorder_days"),
        (json!({"pairs": six}), "pairs"),
        (with("name", json!("")), "pairs[0].name"),
        (with("name", json!("n".repeat(121))), "pairs[0].name"),
        (with("price", json!(-1)), "pairs[0].price"),
        (with("price", json!(100_000_001)), "pairs[0].price"),
        (with("currency", json!("eur")), "pairs[0].currency"),
        (
            with("image_url", json!("http://cdn.shop.example/cup.jpg")),
            "pairs[0].image_url",
        ),
        (
            with("url", json!("mailto:shop@example.com")),
            "pairs[0].url",
        ),
    ];
    for (body, field) in cases {
        let (status, answer) = put(&app, "MUG", &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert_eq!(error_fields(&answer), [field], "{body}");
    }
    let long = "S".repeat(101);
    let (status, answer) = put(&app, &long, &json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(error_fields(&answer), ["sku"]);
    // Unknown fields are refused; nothing was stored.
    let (status, _) = put(&app, "MUG", &json!({"colour": "red"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("products").await, 0);
}

async fn products_are_stored_listed_and_forgotten(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (status, _) = app.get_admin("/api/v1/admin/products/CAP").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, cap) = put(&app, "CAP", &cap_pairs()).await;
    assert_eq!(status, StatusCode::OK, "{cap}");
    assert_eq!(cap["sku"], "CAP");
    assert_eq!(cap["reminders_waiting"], 0);
    assert_eq!(cap["pairs"][0]["name"], "Scarf");
    assert_eq!(cap["pairs"][0]["clicks"], 0);
    assert_eq!(cap["pairs"][1].get("image_url"), None);
    let (status, tee) = put(&app, "TEE-M", &tee_care()).await;
    assert_eq!(status, StatusCode::OK, "{tee}");
    assert_eq!(tee["pairs"], json!([]));
    assert_eq!(tee["reorder_days"], 30);
    let (status, list) = app.get_admin("/api/v1/admin/products").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list, json!([cap, tee]));
    let (_, one) = app.get_admin("/api/v1/admin/products/CAP").await;
    assert_eq!(one, cap);
    // Another shop sees none of it.
    let (_, theirs) = app
        .get_admin_with("/api/v1/admin/products", OTHER_KEY)
        .await;
    assert_eq!(theirs, json!([]));

    // Replacing keeps the id of a recommendation whose url stays; the rest is new.
    let scarf = cap["pairs"][0]["id"].clone();
    let gloves = cap["pairs"][1]["id"].clone();
    let (_, again) = put(
        &app,
        "CAP",
        &json!({"pairs": [
            {"name": "Beanie", "price": 1500, "currency": "EUR", "url": "https://shop.example/p/beanie"},
            {"name": "Scarf, wool", "price": 3100, "currency": "EUR", "url": "https://shop.example/p/scarf"}
        ]}),
    )
    .await;
    assert_eq!(again["pairs"][1]["id"], scarf);
    assert_eq!(again["pairs"][1]["name"], "Scarf, wool");
    assert_ne!(again["pairs"][0]["id"], gloves);
    assert_eq!(app.count("product_pairs").await, 2);

    assert_eq!(delete(&app, "CAP").await, StatusCode::NO_CONTENT);
    assert_eq!(delete(&app, "CAP").await, StatusCode::NOT_FOUND);
    let (status, _) = app.get_admin("/api/v1/admin/products/CAP").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("product_pairs").await, 0);
}

async fn care_shows_delivered_items_and_the_module_follows(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = order(&app).await;
    let (first, before) = view(&app, &token).await;
    assert!(!modules(&before).contains(&"care"));
    assert!(!modules(&before).contains(&"pairs"));
    // Recommendations show at any stage: the next view lists them, with a new ETag.
    put(&app, "CAP", &cap_pairs()).await;
    let (second, after) = view(&app, &token).await;
    assert_ne!(second, first);
    assert!(modules(&after).contains(&"pairs"), "{after}");
    assert!(!modules(&after).contains(&"care"));
    // Care words show for delivered items only.
    put(&app, "TEE-M", &tee_care()).await;
    let (third, _) = view(&app, &token).await;
    assert_eq!(care(&app, &token).await, json!({"items": []}));
    app.deliver_tees("2026-11-23T10:00:00Z").await;
    let (fourth, delivered) = view(&app, &token).await;
    assert_ne!(fourth, third);
    assert!(modules(&delivered).contains(&"care"), "{delivered}");
    let line = tee_line(&app).await;
    assert_eq!(
        care(&app, &token).await,
        json!({"items": [{"item": line, "name": "Organic tee",
                          "image_url": "https://cdn.shop.example/tee.jpg",
                          "care": "Wash cold, inside out.",
                          "care_url": "https://shop.example/care/tees", "reorder_days": 30}]})
    );
    // The product forgotten: the module goes, with a new ETag.
    assert_eq!(delete(&app, "TEE-M").await, StatusCode::NO_CONTENT);
    let (fifth, gone) = view(&app, &token).await;
    assert_ne!(fifth, fourth);
    assert!(!modules(&gone).contains(&"care"));
    let (status, _) = app
        .get("/api/v1/shops/shop/orders/AAAAAAAAAAAAAAAAAAAAAAAA/care")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn reminders_are_kept_once_retried_safely_and_cancelled(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, tee) = delivered(&app).await;
    let cap = app
        .number("SELECT id FROM order_items WHERE sku = 'CAP'")
        .await;
    // Not delivered (nor suggested), no such line, days out of range.
    for (body, fields) in [
        (json!({"item": cap}), vec!["item"]),
        (json!({"item": 999_999}), vec!["item"]),
        (json!({"item": tee, "days": 0}), vec!["days"]),
        (json!({"item": tee, "days": 366}), vec!["days"]),
    ] {
        let (status, answer) = remind(&app, &token, "bad", body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert_eq!(error_fields(&answer), fields, "{body}");
    }
    // The shop's suggestion by default: 30 days from today (UTC).
    let (status, made) = remind(&app, &token, "k1", json!({"item": tee})).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(made["due_on"], "2026-12-23");
    assert_eq!(made["status"], "waiting");
    assert_eq!(made["item"], tee);
    // A retry gets the same answer; another request gets 409.
    let (status, again) = remind(&app, &token, "k1", json!({"item": tee})).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(again, made);
    let (status, second) = remind(&app, &token, "k2", json!({"item": tee, "days": 7})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{second}");
    assert_eq!(code(&second), "reminder_exists");
    assert_eq!(care(&app, &token).await["items"][0]["reminder"], made);
    let (_, listed) = app.get_admin("/api/v1/admin/products/TEE-M").await;
    assert_eq!(listed["reminders_waiting"], 1);

    // Cancelled (twice: the same answer), then another may be kept, in 7 days.
    let (status, cancelled) = cancel(&app, &token, &made["id"]).await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    assert_eq!(cancelled["status"], "cancelled");
    let (status, twice) = cancel(&app, &token, &made["id"]).await;
    assert_eq!((status, &twice), (StatusCode::OK, &cancelled));
    assert_eq!(care(&app, &token).await["items"][0].get("reminder"), None);
    let (status, week) = remind(&app, &token, "k3", json!({"item": tee, "days": 7})).await;
    assert_eq!(status, StatusCode::CREATED, "{week}");
    assert_eq!(week["due_on"], "2026-11-30");
    // Another order's token cannot see or cancel it.
    let mut other = sample_order("1002", "piet@example.com");
    other["customer"]["first_name"] = json!("Piet");
    let theirs = app.create_order(SHOP_KEY, &other).await;
    let (status, body) = cancel(&app, &theirs, &week["id"]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(code(&body), "reminder_not_found");
    let (status, _) = cancel(&app, &token, &json!("x")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn one_reminder_waits_per_line_even_when_two_race(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, tee) = delivered(&app).await;
    let tries = (0..6).map(|i| {
        let app = &app;
        let token = &token;
        async move { remind(app, token, &format!("race-{i}"), json!({"item": tee})).await }
    });
    let answers = futures_util::future::join_all(tries).await;
    let made = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    assert_eq!(made, 1, "{answers:?}");
    for (status, body) in &answers {
        assert!(
            *status == StatusCode::CREATED || code(body) == "reminder_exists",
            "{status} {body}"
        );
    }
    assert_eq!(app.count("reminders").await, 1);
}

type Seen = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// A webhook receiver on this machine: its URL and what it received.
async fn receiver() -> (String, Seen) {
    let seen: Seen = Default::default();
    let router = axum::Router::new()
        .route(
            "/hook",
            axum::routing::post(
                |axum::extract::State(seen): axum::extract::State<Seen>,
                 headers: HeaderMap,
                 body: String| async move {
                    seen.lock().unwrap().push((headers, body));
                    StatusCode::NO_CONTENT
                },
            ),
        )
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (url, seen)
}

async fn run_clock(app: &TestApp, at: i64) -> postpurchase_server::store::delays::Checked {
    app.state.clock.set(at);
    postpurchase_server::delays::check(&app.state)
        .await
        .unwrap()
}

async fn a_due_reminder_reaches_the_shop_once_signed(backend: Backend) {
    let app = TestApp::with_dev_webhooks(backend).await;
    let (url, seen) = receiver().await;
    let set = format!(
        "UPDATE shops SET webhook_url = '{url}', webhook_secret = 'whsec' WHERE slug = 'shop'"
    );
    app.execute(&[&set]).await;
    let (token, tee) = delivered(&app).await;
    let (_, made) = remind(&app, &token, "k", json!({"item": tee, "days": 2})).await;
    assert_eq!(made["due_on"], "2026-11-25");
    let before = events(&app).await.len();
    // Not due yet: nothing.
    let checked = run_clock(&app, NOW + DAY).await;
    assert_eq!(checked.reminders, 0);
    assert_eq!(events(&app).await.len(), before);
    // Its day begins: sent once, however often the clock runs.
    let due = "2026-11-25T00:00:00Z"
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_second();
    assert_eq!(run_clock(&app, due).await.reminders, 1);
    assert_eq!(run_clock(&app, due + 60).await.reminders, 0);
    let sent: Vec<Value> = events(&app)
        .await
        .into_iter()
        .filter(|e| e["type"] == "reminder.due")
        .collect();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0]["data"],
        json!({"reminder": made["id"], "order_number": "1001", "sku": "TEE-M",
               "name": "Organic tee", "first_name": "Jane", "email": "jane@example.com"})
    );
    assert_eq!(
        care(&app, &token).await["items"][0]["reminder"]["status"],
        "sent"
    );
    let (status, body) = cancel(&app, &token, &made["id"]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(code(&body), "reminder_sent");

    // The worker delivers it, signed with the shop's secret.
    let worker = webhooks::spawn(
        app.state.db.clone(),
        app.state.webhooks.clone(),
        Backoff::default(),
        app.state.webhook_targets,
    );
    app.state.webhooks.notify_one();
    let mut reminder = None;
    for _ in 0..200 {
        reminder = seen
            .lock()
            .unwrap()
            .iter()
            .find(|(_, b)| b.contains("reminder.due"))
            .cloned();
        if reminder.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    worker.abort();
    let (headers, body) = reminder.expect("the reminder was delivered");
    let timestamp = headers["postpurchase-timestamp"].to_str().unwrap();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"whsec").unwrap();
    mac.update(format!("{timestamp}.{body}").as_bytes());
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        headers["postpurchase-signature"].to_str().unwrap(),
        format!("v1={expected}")
    );
    let event: WebhookEvent = serde_json::from_str(&body).unwrap();
    let WebhookData::Reminder(due) = event.data else {
        panic!("not a reminder: {body}");
    };
    assert_eq!(due.sku, "TEE-M");
    assert_eq!(due.phone, None);
}

async fn a_cancelled_reminder_is_never_sent(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, tee) = delivered(&app).await;
    let (_, made) = remind(&app, &token, "k", json!({"item": tee, "days": 1})).await;
    cancel(&app, &token, &made["id"]).await;
    assert_eq!(run_clock(&app, NOW + 10 * DAY).await.reminders, 0);
    assert_eq!(
        app.number("SELECT count(*) FROM webhook_deliveries WHERE body LIKE '%reminder.due%'")
            .await,
        0
    );
    assert_eq!(app.text("SELECT status FROM reminders").await, "cancelled");
}

async fn without_wanted_channels_a_reminder_is_skipped(backend: Backend) {
    let app = TestApp::new(backend).await;
    app.execute(&[
        "UPDATE shops SET webhook_url = 'https://merchant.example/hooks', webhook_secret = 's'
         WHERE slug = 'shop'",
    ])
    .await;
    let (token, tee) = delivered(&app).await;
    let (_, made) = remind(&app, &token, "k", json!({"item": tee, "days": 1})).await;
    // Texts wanted and a number known, e-mail not: sent for texts only.
    app.execute(&[
        "UPDATE customers SET phone = '+31 6 1234 5678'",
        "INSERT INTO notification_preferences (customer_id, email, sms, updated_at)
         SELECT id, FALSE, TRUE, 0 FROM customers",
    ])
    .await;
    assert_eq!(run_clock(&app, NOW + DAY).await.reminders, 1);
    let sent: Vec<Value> = events(&app)
        .await
        .into_iter()
        .filter(|e| e["type"] == "reminder.due")
        .collect();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["data"]["phone"], "+31 6 1234 5678");
    assert_eq!(sent[0]["data"].get("email"), None);
    assert_eq!(made["id"], sent[0]["data"]["reminder"]);

    // No news by any channel: skipped, nothing sent.
    app.execute(&["UPDATE notification_preferences SET email = FALSE, sms = FALSE"])
        .await;
    let (status, next) = remind(&app, &token, "k2", json!({"item": tee, "days": 1})).await;
    assert_eq!(status, StatusCode::CREATED, "{next}");
    assert_eq!(run_clock(&app, NOW + 2 * DAY).await.reminders, 1);
    let count = events(&app)
        .await
        .iter()
        .filter(|e| e["type"] == "reminder.due")
        .count();
    assert_eq!(count, 1);
    assert_eq!(
        care(&app, &token).await["items"][0]["reminder"]["status"],
        "skipped"
    );
}

async fn without_a_webhook_endpoint_a_due_reminder_is_skipped(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, tee) = delivered(&app).await;
    let (status, made) = remind(&app, &token, "k", json!({"item": tee, "days": 1})).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    // The shop has no endpoint: nothing could be sent, so it is skipped, not sent.
    let checked = run_clock(&app, NOW + DAY).await;
    assert_eq!(checked.reminders, 1);
    assert!(!checked.queued);
    assert_eq!(app.count("webhook_deliveries").await, 0);
    assert_eq!(app.text("SELECT status FROM reminders").await, "skipped");
    assert_eq!(
        care(&app, &token).await["items"][0]["reminder"]["status"],
        "skipped"
    );
    assert_eq!(run_clock(&app, NOW + 2 * DAY).await.reminders, 0);
}

async fn a_due_reminder_links_the_product_page_the_shop_names(backend: Backend) {
    let app = TestApp::new(backend).await;
    app.execute(&[
        "UPDATE shops SET webhook_url = 'https://merchant.example/hooks', webhook_secret = 's'
         WHERE slug = 'shop'",
    ])
    .await;
    let (status, body) = app
        .admin_put(
            "/api/v1/admin/loyalty-settings",
            SHOP_KEY,
            &json!({"enabled": true, "name": "Klei Club", "points_per_unit": 0,
                    "product_url": "https://shop.example/p/{sku}"})
            .to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (token, tee) = delivered(&app).await;
    remind(&app, &token, "k", json!({"item": tee, "days": 1})).await;
    assert_eq!(run_clock(&app, NOW + DAY).await.reminders, 1);
    let sent: Vec<Value> = events(&app)
        .await
        .into_iter()
        .filter(|e| e["type"] == "reminder.due")
        .collect();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["data"]["url"], "https://shop.example/p/TEE-M");
    assert_eq!(app.text("SELECT status FROM reminders").await, "sent");
}

async fn a_line_has_at_most_ten_reminders(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, tee) = delivered(&app).await;
    for i in 0..10 {
        let (status, made) = remind(&app, &token, &format!("k{i}"), json!({"item": tee})).await;
        assert_eq!(status, StatusCode::CREATED, "{i}: {made}");
        assert_eq!(care(&app, &token).await["items"][0]["reminder"], made);
        let (status, _) = cancel(&app, &token, &made["id"]).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, body) = remind(&app, &token, "k10", json!({"item": tee})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(code(&body), "too_many_reminders");
    assert_eq!(app.count("reminders").await, 10);
    assert_eq!(care(&app, &token).await["items"][0].get("reminder"), None);
}

async fn a_shop_says_something_of_at_most_5000_products(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (status, _) = put(&app, "TEE-M", &tee_care()).await;
    assert_eq!(status, StatusCode::OK);
    // 4,999 more, straight into the table.
    app.execute(&["INSERT INTO products (shop_id, sku, updated_at)
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4999)
         SELECT (SELECT id FROM shops WHERE slug = 'shop'), 'SKU-' || i, 0 FROM n"])
        .await;
    assert_eq!(app.count("products").await, 5000);
    let (status, body) = put(&app, "NEW", &tee_care()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(code(&body), "too_many_products");
    // A product the shop already has may still change; another shop is not held back.
    let (status, body) = put(&app, "TEE-M", &json!({"reorder_days": 60})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .admin_put(
            "/api/v1/admin/products/NEW",
            OTHER_KEY,
            &tee_care().to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Once one is forgotten, a new one is taken.
    assert_eq!(delete(&app, "SKU-1").await, StatusCode::NO_CONTENT);
    let (status, body) = put(&app, "NEW", &tee_care()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn erasing_the_customer_cancels_their_reminders(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, tee) = delivered(&app).await;
    remind(&app, &token, "k", json!({"item": tee})).await;
    let (status, report) = app
        .admin_post(
            "/api/v1/admin/customers/erasure",
            SHOP_KEY,
            &json!({"email": "jane@example.com"}).to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(app.text("SELECT status FROM reminders").await, "cancelled");
    assert_eq!(run_clock(&app, NOW + 40 * DAY).await.reminders, 0);
    let (_, listed) = app.get_admin("/api/v1/admin/products/TEE-M").await;
    assert_eq!(listed["reminders_waiting"], 0);
}

async fn pairs(app: &TestApp, token: &str) -> Value {
    let (status, body) = app
        .get(&format!("/api/v1/shops/shop/orders/{token}/pairs"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn recommendations_are_shown_once_and_their_clicks_counted(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = order(&app).await;
    assert_eq!(pairs(&app, &token).await, json!({"pairs": []}));
    put(&app, "CAP", &cap_pairs()).await;
    // The tees recommend the scarf too (once shown), and seven more: eight at most.
    let mut tee_pairs = vec![json!({"name": "Scarf", "price": 2900, "currency": "EUR",
                                    "url": "https://shop.example/p/scarf"})];
    for i in 0..5 {
        tee_pairs.push(
            json!({"name": format!("Tee {i}"), "price": 2500, "currency": "EUR",
                              "url": format!("https://shop.example/p/tee-{i}")}),
        );
    }
    let (status, body) = put(&app, "TEE-M", &json!({"pairs": tee_pairs})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let shown = pairs(&app, &token).await;
    let names: Vec<&str> = shown["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    // In the order's line order: the tees' first, then the cap's gloves.
    assert_eq!(
        names,
        ["Scarf", "Tee 0", "Tee 1", "Tee 2", "Tee 3", "Tee 4", "Gloves"]
    );
    assert!(shown["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p.get("clicks").is_none()));
    let gloves = shown["pairs"][6]["id"].clone();
    assert_eq!(click(&app, &token, &gloves).await, StatusCode::NO_CONTENT);
    assert_eq!(click(&app, &token, &gloves).await, StatusCode::NO_CONTENT);
    // Not shown to this order: the cap's scarf (the tees' is shown), an unknown id.
    let (_, cap) = app.get_admin("/api/v1/admin/products/CAP").await;
    assert_eq!(
        click(&app, &token, &cap["pairs"][0]["id"]).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        click(&app, &token, &json!(999_999)).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(cap["pairs"][1]["clicks"], 2);
    // Clicks change no view.
    let (etag, _) = view(&app, &token).await;
    click(&app, &token, &gloves).await;
    assert_eq!(view(&app, &token).await.0, etag);
    // A replaced list keeps the clicks of what stays.
    put(&app, "CAP", &cap_pairs()).await;
    let (_, cap) = app.get_admin("/api/v1/admin/products/CAP").await;
    assert_eq!(cap["pairs"][1]["clicks"], 3);
    // Another order of the shop without these SKUs sees none, and cannot click them.
    let other = json!({"number": "2002", "placed_at": "2026-11-22T09:30:00Z", "currency": "EUR",
        "customer": {"email": "piet@example.com", "first_name": "Piet", "last_name": "Jansen"},
        "items": [{"sku": "SOCKS", "name": "Socks", "quantity": 1, "unit_price": 900}],
        "shipping": 0, "discount": 0, "tax": 0,
        "delivery_address": {"name": "Piet Jansen", "street": "Damrak 1", "postcode": "1012 LG",
                              "city": "Amsterdam", "country": "NL"}});
    let theirs = app.create_order(SHOP_KEY, &other).await;
    assert_eq!(click(&app, &theirs, &gloves).await, StatusCode::NOT_FOUND);
}

async fn clicks_spend_the_tokens_writes(backend: Backend) {
    let mut limits = unlimited();
    limits.shopper_writes = "2/min".parse().unwrap();
    let app = TestApp::with_limits(backend, limits).await;
    let token = order(&app).await;
    put(&app, "CAP", &cap_pairs()).await;
    let (_, shown) = app
        .get(&format!("/api/v1/shops/shop/orders/{token}/pairs"))
        .await;
    let id = shown["pairs"][0]["id"].clone();
    assert_eq!(click(&app, &token, &id).await, StatusCode::NO_CONTENT);
    assert_eq!(click(&app, &token, &id).await, StatusCode::NO_CONTENT);
    assert_eq!(
        click(&app, &token, &id).await,
        StatusCode::TOO_MANY_REQUESTS
    );
}
