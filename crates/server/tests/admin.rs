//! The admin API: authentication, validation, and nothing half-written.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use serde_json::json;

const ORDERS: &str = "/api/v1/admin/orders";

#[tokio::test]
async fn without_a_valid_key_nothing_is_stored() {
    let app = TestApp::new();
    let order = sample_order("1001", "jane@example.com").to_string();
    for key in ["", "wrong-key", "key-of-the-test-shop "] {
        let (status, body) = app.admin_post(ORDERS, key, &order).await;
        // A trailing space is trimmed, so the third is the right key.
        if key.trim() == SHOP_KEY {
            assert_eq!(status, StatusCode::CREATED);
            continue;
        }
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{key:?}");
        assert_eq!(body["error"]["code"], "unauthorized");
    }
    let response = app
        .send(
            Request::post(ORDERS)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(order))
                .unwrap(),
        )
        .await;
    assert_eq!(json_of(response).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("orders"), 1);
}

#[tokio::test]
async fn malformed_bodies_get_json_errors() {
    let app = TestApp::new();
    let cases = [
        ("{", StatusCode::BAD_REQUEST, "invalid_json"),
        ("[]", StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
        (
            r#"{"number": 5}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        ("\u{0}\u{1}binary", StatusCode::BAD_REQUEST, "invalid_json"),
    ];
    for (body, status, code) in cases {
        let (got, error) = app.admin_post(ORDERS, SHOP_KEY, body).await;
        assert_eq!(got, status, "{body:?}: {error}");
        assert_eq!(error["error"]["code"], code, "{body:?}");
        assert!(!error["error"]["message"].as_str().unwrap().is_empty());
    }
    let mut unknown = sample_order("1001", "jane@example.com");
    unknown["coupon"] = json!("FREE");
    let (status, error) = app.admin_post(ORDERS, SHOP_KEY, &unknown.to_string()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("coupon"),
        "{error}"
    );

    let response = app
        .send(
            Request::post(ORDERS)
                .header(header::AUTHORIZATION, format!("Bearer {SHOP_KEY}"))
                .header(header::CONTENT_TYPE, "text/plain")
                .body(Body::from("hello"))
                .unwrap(),
        )
        .await;
    let (status, error) = json_of(response).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(error["error"]["code"], "unsupported_media_type");
    assert_eq!(app.count("orders"), 0);
}

#[tokio::test]
async fn invalid_fields_are_all_named() {
    let app = TestApp::new();
    let mut order = sample_order("1001", "not-an-email");
    order["items"][1]["quantity"] = json!(0);
    order["delivery_address"]["country"] = json!("nl");
    let (status, error) = app.admin_post(ORDERS, SHOP_KEY, &order.to_string()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error["error"]["code"], "invalid_fields");
    let fields: Vec<&str> = error["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "customer.email",
            "items[1].quantity",
            "delivery_address.country"
        ]
    );
    assert_eq!(app.count("customers"), 0);
}

#[tokio::test]
async fn a_duplicate_order_number_is_refused_and_changes_nothing() {
    let app = TestApp::new();
    app.create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    let before = ["customers", "orders", "order_items", "order_tokens"].map(|t| app.count(t));
    let (status, error) = app
        .admin_post(
            ORDERS,
            SHOP_KEY,
            &sample_order("1001", "someone.else@example.com").to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error["error"]["code"], "order_exists");
    let after = ["customers", "orders", "order_items", "order_tokens"].map(|t| app.count(t));
    assert_eq!(before, after);
    // Another shop may use the same number.
    app.create_order(OTHER_KEY, &sample_order("1001", "jane@example.com"))
        .await;
}
