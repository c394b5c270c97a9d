//! A merchant sets up delivery choices through the admin API, and a shopper's change
//! reaches the merchant's endpoint as a signed webhook.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use common::*;
use hmac::{Hmac, Mac};
use postpurchase_api::{WebhookData, WebhookEvent};
use postpurchase_server::webhooks::{self, Backoff};
use serde_json::{json, Value};

const SETTINGS: &str = "/api/v1/admin/delivery-settings";

async fn put_settings(app: &TestApp, body: Value) -> (StatusCode, Value) {
    app.admin_put(SETTINGS, SHOP_KEY, &body.to_string()).await
}

fn settings(webhook_url: Option<&str>) -> Value {
    json!({"time_zone": "Europe/Amsterdam", "cutoff": "04:00", "later_days": 3,
           "safe_places": ["porch", "shed"], "neighbour": true, "slot_payment": "on_delivery",
           "webhook_url": webhook_url})
}

async fn settings_are_checked_field_by_field(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (status, body) = put_settings(
        &app,
        json!({"time_zone": "Mars/Olympus", "cutoff": "25:00", "later_days": 99,
               "safe_places": ["porch", "roof", "porch"], "webhook_url": "http://merchant.example/hook"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        error_fields(&body),
        [
            "time_zone",
            "cutoff",
            "later_days",
            "safe_places[1]",
            "safe_places[2]",
            "webhook_url"
        ]
    );
    let (status, body) = app.get_admin(SETTINGS).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["time_zone"], "UTC", "nothing was changed");
}

async fn a_webhook_url_gets_a_secret_that_stays_until_rotated(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (status, first) = put_settings(&app, settings(Some("https://merchant.example/hook"))).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["slot_payment"], "on_delivery");
    let secret = first["webhook_secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_") && secret.len() > 20);
    let (_, again) = put_settings(&app, settings(Some("https://merchant.example/hook2"))).await;
    assert_eq!(again["webhook_secret"], secret.as_str());
    let mut rotate = settings(Some("https://merchant.example/hook2"));
    rotate["rotate_webhook_secret"] = json!(true);
    let (_, rotated) = put_settings(&app, rotate).await;
    assert_ne!(rotated["webhook_secret"], secret.as_str());
    let (_, off) = put_settings(&app, settings(None)).await;
    assert_eq!(off["webhook_secret"], Value::Null);
}

async fn slots_and_pickup_points_are_offered_to_shoppers(backend: Backend) {
    let app = TestApp::new(backend).await;
    put_settings(&app, settings(None)).await;
    let (status, body) = app
        .admin_post(
            "/api/v1/admin/delivery-slots",
            SHOP_KEY,
            &json!({"date": "2026-11-25", "from": "12:00", "to": "10:00", "capacity": 0})
                .to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), ["to", "capacity"]);
    let (status, slot) = app
        .admin_post(
            "/api/v1/admin/delivery-slots",
            SHOP_KEY,
            &json!({"date": "2026-11-25", "from": "18:00", "to": "21:00", "price": 295, "capacity": 4})
                .to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{slot}");
    let (status, point) = app
        .admin_post(
            "/api/v1/admin/pickup-points",
            SHOP_KEY,
            &json!({"name": "Locker Centraal", "address": "Stationsplein 1, Amsterdam", "locker": true,
                    "opening_hours": ["Every day 06:00–23:00"], "latitude": 52.379, "longitude": 4.900})
                .to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{point}");
    let token = app
        .create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    app.admin_post(
        "/api/v1/admin/orders/1001/shipments",
        SHOP_KEY,
        &json!({"carrier": "dhl", "tracking_number": "JV1", "items": [{"sku": "CAP", "quantity": 1}]}).to_string(),
    )
    .await;
    let (_, view) = app.get(&format!("/api/v1/shops/shop/orders/{token}")).await;
    let options = &view["delivery_options"];
    assert_eq!(options["slots"][0]["id"], slot["id"]);
    assert_eq!(options["slots"][0]["places_left"], 4);
    assert_eq!(options["pickup_points"][0]["name"], "Locker Centraal");
    assert_eq!(options["safe_places"], json!(["porch", "shed"]));
    assert_eq!(options["slot_payment"], "on_delivery");
}

async fn a_shoppers_change_reaches_the_merchant_signed(backend: Backend) {
    type Seen = Arc<Mutex<Vec<(HeaderMap, String)>>>;
    let seen: Seen = Default::default();
    let receiver = axum::Router::new()
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
    tokio::spawn(async move { axum::serve(listener, receiver).await });

    let app = TestApp::with_dev_webhooks(backend).await;
    let (_, stored) = put_settings(&app, settings(Some(&url))).await;
    let secret = stored["webhook_secret"].as_str().unwrap().to_owned();
    let worker = webhooks::spawn(
        app.state.db.clone(),
        app.state.webhooks.clone(),
        Backoff::default(),
        app.state.webhook_targets,
    );

    let token = app
        .create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    let (_, parcel) = app
        .admin_post(
            "/api/v1/admin/orders/1001/shipments",
            SHOP_KEY,
            &json!({"carrier": "dhl", "tracking_number": "JV1", "items": [{"sku": "CAP", "quantity": 1}]}).to_string(),
        )
        .await;
    let request = axum::http::Request::post(format!(
        "/api/v1/shops/shop/orders/{token}/shipments/{}/choice",
        parcel["id"]
    ))
    .header("content-type", "application/json")
    .header("if-match", "\"c1\"")
    .body(axum::body::Body::from(
        json!({"choice": {"kind": "neighbour", "neighbour": {"name": "Mr Bakker", "house_number": "14"}}}).to_string(),
    ))
    .unwrap();
    let (status, body) = json_of(app.send(request).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    for _ in 0..100 {
        if !seen.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    worker.abort();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1, "one change, one webhook");
    let (headers, body) = &seen[0];
    let timestamp = headers["postpurchase-timestamp"].to_str().unwrap();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
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
    let event: WebhookEvent = serde_json::from_str(body).unwrap();
    let WebhookData::DeliveryChoice(data) = event.data else {
        panic!("not a delivery choice: {body}");
    };
    assert_eq!(data.order_number, "1001");
    assert_eq!(data.choice.unwrap().neighbour.unwrap().name, "Mr Bakker");
}

storage_tests!(
    settings_are_checked_field_by_field,
    a_webhook_url_gets_a_secret_that_stays_until_rotated,
    slots_and_pickup_points_are_offered_to_shoppers,
    a_shoppers_change_reaches_the_merchant_signed,
);
