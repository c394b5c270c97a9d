//! The admin API: authentication, validation, and nothing half-written.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use serde_json::{json, Value};

const ORDERS: &str = "/api/v1/admin/orders";

async fn without_a_valid_key_nothing_is_stored(backend: Backend) {
    let app = TestApp::new(backend).await;
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
    assert_eq!(app.count("orders").await, 1);
}

async fn malformed_bodies_get_json_errors(backend: Backend) {
    let app = TestApp::new(backend).await;
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
    assert_eq!(app.count("orders").await, 0);
}

async fn invalid_fields_are_all_named(backend: Backend) {
    let app = TestApp::new(backend).await;
    let mut order = sample_order("1001", "not-an-email");
    order["items"][1]["quantity"] = json!(0);
    order["delivery_address"]["country"] = json!("nl");
    let (status, error) = app.admin_post(ORDERS, SHOP_KEY, &order.to_string()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error["error"]["code"], "invalid_fields");
    let fields = error_fields(&error);
    assert_eq!(
        fields,
        [
            "customer.email",
            "items[1].quantity",
            "delivery_address.country"
        ]
    );
    assert_eq!(app.count("customers").await, 0);
}

async fn a_duplicate_order_number_is_refused_and_changes_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    app.create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    let before = app
        .counts(&["customers", "orders", "order_items", "order_tokens"])
        .await;
    let (status, error) = app
        .admin_post(
            ORDERS,
            SHOP_KEY,
            &sample_order("1001", "someone.else@example.com").to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error["error"]["code"], "order_exists");
    let after = app
        .counts(&["customers", "orders", "order_items", "order_tokens"])
        .await;
    assert_eq!(before, after);
    // Another shop may use the same number.
    app.create_order(OTHER_KEY, &sample_order("1001", "jane@example.com"))
        .await;
}

fn post_with_key(key: Option<&str>, body: &serde_json::Value) -> Request<Body> {
    let mut request = Request::post(ORDERS)
        .header(header::AUTHORIZATION, format!("Bearer {SHOP_KEY}"))
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    request.body(Body::from(body.to_string())).unwrap()
}

async fn a_retry_with_the_same_idempotency_key_finds_the_same_order(backend: Backend) {
    let app = TestApp::new(backend).await;
    let order = sample_order("1001", "jane@example.com");
    let first = app.send(post_with_key(Some("checkout-1001"), &order)).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let (_, first) = json_of(first).await;

    let retry = app.send(post_with_key(Some("checkout-1001"), &order)).await;
    assert_eq!(retry.status(), StatusCode::CREATED);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    let (_, retry) = json_of(retry).await;
    assert_eq!(retry["number"], "1001");
    assert_eq!(app.count("orders").await, 1);
    assert_eq!(app.count("order_items").await, 2);

    // Both tokens open the one order.
    for access in [&first, &retry] {
        let token = access["access"]["token"].as_str().unwrap();
        let (status, view) = app.get(&format!("/api/v1/shops/shop/orders/{token}")).await;
        assert_eq!(status, StatusCode::OK, "{view}");
        assert_eq!(view["number"], "1001");
    }
    assert_ne!(first["access"]["token"], retry["access"]["token"]);

    // Without the key, the same order number is a conflict as before.
    let (status, _) = json_of(app.send(post_with_key(None, &order)).await).await;
    assert_eq!(status, StatusCode::CONFLICT);
}

async fn an_idempotency_key_cannot_be_reused_for_another_request(backend: Backend) {
    let app = TestApp::new(backend).await;
    app.send(post_with_key(
        Some("k-1"),
        &sample_order("1001", "jane@example.com"),
    ))
    .await;
    let before = app
        .counts(&["orders", "order_tokens", "idempotency_keys"])
        .await;
    let (status, error) = json_of(
        app.send(post_with_key(
            Some("k-1"),
            &sample_order("1002", "jane@example.com"),
        ))
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error["error"]["code"], "idempotency_key_reused");
    assert_eq!(
        before,
        app.counts(&["orders", "order_tokens", "idempotency_keys"])
            .await
    );
}

async fn idempotency_keys_are_per_shop_checked_and_forgotten_after_a_day(backend: Backend) {
    let app = TestApp::new(backend).await;
    let too_long = "k".repeat(256);
    for bad in ["", too_long.as_str(), "has space"] {
        let (status, error) = json_of(
            app.send(post_with_key(
                Some(bad),
                &sample_order("1001", "jane@example.com"),
            ))
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad:?}");
        assert_eq!(error["error"]["code"], "invalid_idempotency_key");
    }
    assert_eq!(app.count("orders").await, 0);

    app.send(post_with_key(
        Some("k"),
        &sample_order("1001", "jane@example.com"),
    ))
    .await;
    // The other shop's key space is its own.
    let other = Request::post(ORDERS)
        .header(header::AUTHORIZATION, format!("Bearer {OTHER_KEY}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header("idempotency-key", "k")
        .body(Body::from(
            sample_order("2001", "sam@example.com").to_string(),
        ))
        .unwrap();
    assert_eq!(app.send(other).await.status(), StatusCode::CREATED);

    // A day later the key is forgotten: the same request is no replay but a conflicting
    // order number.
    app.state.clock.set(NOW + 86_401);
    let (status, _) = json_of(
        app.send(post_with_key(
            Some("k"),
            &sample_order("1001", "jane@example.com"),
        ))
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

async fn the_shop_keeps_its_profile_and_shoppers_see_it(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (status, profile) = app.get_admin("/api/v1/admin/shop").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        profile,
        json!({"slug": "shop", "name": "Test Shop", "support_email": "help@shop.example",
               "support_phone": null, "support_url": null,
               "order_status_url": "https://shop.example/orders", "language": "en",
               "when_lost": null, "when_returned": null, "refund_days": null})
    );
    let changed = json!({"slug": "shop", "name": "  Koffie & Klei ", "support_email": "",
        "support_phone": "+31 20 123 4567", "support_url": "https://shop.example/help",
        "order_status_url": "https://shop.example/account/orders", "language": "NL",
        "when_lost": "shoppers_choice", "when_returned": "refund", "refund_days": 10});
    let (status, stored) = app
        .admin_put("/api/v1/admin/shop", SHOP_KEY, &changed.to_string())
        .await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    assert_eq!(stored["name"], "Koffie & Klei");
    assert_eq!(stored["support_email"], Value::Null);
    assert_eq!(stored["language"], "nl");
    assert_eq!(stored["when_lost"], "shoppers_choice");
    assert_eq!(stored["refund_days"], 10);
    assert_eq!(app.get_admin("/api/v1/admin/shop").await.1, stored);
    // The shopper's view follows at once.
    let token = app
        .create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    let (_, view) = app.get(&format!("/api/v1/shops/shop/orders/{token}")).await;
    assert_eq!(
        view["shop"],
        json!({"name": "Koffie & Klei", "support_email": null, "support_phone": "+31 20 123 4567",
               "support_url": "https://shop.example/help",
               "order_status_url": "https://shop.example/account/orders",
               "when_lost": "shoppers_choice", "when_returned": "refund", "refund_days": 10})
    );
    // Another shop's profile is its own.
    assert_eq!(
        app.get_admin_with("/api/v1/admin/shop", OTHER_KEY).await.1["slug"],
        "other"
    );
}

async fn a_bad_profile_is_refused_field_by_field_and_changes_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let bad = json!({"slug": "other", "name": "", "support_email": "nobody",
        "support_phone": "call us", "support_url": "javascript:alert(1)",
        "order_status_url": "http://shop.example/orders", "language": "fr", "refund_days": 61});
    let (status, error) = app
        .admin_put("/api/v1/admin/shop", SHOP_KEY, &bad.to_string())
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_fields(&error),
        [
            "slug",
            "name",
            "support_email",
            "support_phone",
            "refund_days",
            "support_url",
            "order_status_url",
            "language"
        ]
    );
    assert_eq!(
        app.get_admin("/api/v1/admin/shop").await.1["name"],
        "Test Shop"
    );
    let (status, _) = app
        .admin_put(
            "/api/v1/admin/shop",
            SHOP_KEY,
            r#"{"name": "X", "language": "en", "colour": "red"}"#,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown fields are refused"
    );
    let (status, _) = app
        .admin_put(
            "/api/v1/admin/shop",
            "wrong-key",
            r#"{"name": "X", "language": "en"}"#,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

storage_tests!(
    the_shop_keeps_its_profile_and_shoppers_see_it,
    a_bad_profile_is_refused_field_by_field_and_changes_nothing,
    without_a_valid_key_nothing_is_stored,
    malformed_bodies_get_json_errors,
    invalid_fields_are_all_named,
    a_duplicate_order_number_is_refused_and_changes_nothing,
    a_retry_with_the_same_idempotency_key_finds_the_same_order,
    an_idempotency_key_cannot_be_reused_for_another_request,
    idempotency_keys_are_per_shop_checked_and_forgotten_after_a_day,
);
