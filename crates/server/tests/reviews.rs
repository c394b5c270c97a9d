//! Reviews through the API: only delivered items, one each, stars fixed, text as typed,
//! moderated by the shop.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use serde_json::{json, Value};

/// Reviews on; Jane's order 1001 with its tee (in sizes) delivered and its cap not
/// shipped. Returns her token and the two line ids.
async fn delivered_tee(app: &TestApp) -> (String, i64, i64) {
    let (status, body) = app
        .admin_put(
            "/api/v1/admin/review-settings",
            SHOP_KEY,
            r#"{"enabled": true}"#,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut order = sample_order("1001", "jane@example.com");
    order["items"][0]["sized"] = json!(true);
    let token = app.create_order(SHOP_KEY, &order).await;
    app.deliver_tees("2026-11-23T10:00:00Z").await;
    let (_, items) = app
        .get(&format!("/api/v1/shops/shop/orders/{token}/reviews"))
        .await;
    let id = |n: usize| items[n]["line_id"].as_i64().unwrap();
    (token.clone(), id(0), id(1))
}

async fn write(app: &TestApp, token: &str, review: Value) -> (StatusCode, Value) {
    let request = Request::post(format!("/api/v1/shops/shop/orders/{token}/reviews"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(review.to_string()))
        .unwrap();
    json_of(app.send(request).await).await
}

const PAYLOAD: &str = "<img src=x onerror=alert(1)> & \"quotes\" <script>alert(2)</script>";

async fn a_delivered_item_is_reviewed_once_as_typed_and_its_stars_stay(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, tee, cap) = delivered_tee(&app).await;
    let (_, items) = app
        .get(&format!("/api/v1/shops/shop/orders/{token}/reviews"))
        .await;
    assert_eq!(items[0]["delivered"], true);
    assert_eq!(items[0]["sized"], true);
    assert_eq!(items[1]["delivered"], false);

    let (status, body) = write(
        &app,
        &token,
        json!({"line_id": cap, "stars": 5, "title": "Warm", "body": "Nice"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "not_delivered");

    let review = json!({"line_id": tee, "stars": 4, "title": "  Soft tee ", "body": PAYLOAD, "fit": "small"});
    let (status, items) = write(&app, &token, review).await;
    assert_eq!(status, StatusCode::CREATED, "{items}");
    let written = &items[0]["review"];
    assert_eq!(written["stars"], 4);
    assert_eq!(written["title"], "  Soft tee ", "kept exactly as typed");
    assert_eq!(written["body"], PAYLOAD);
    assert_eq!(written["fit"], "small");
    assert_eq!(written["verified_buyer"], true);
    assert_eq!(written["status"], "pending");

    // One review per item: a second, with other stars, is refused and changes nothing.
    let (status, body) = write(
        &app,
        &token,
        json!({"line_id": tee, "stars": 1, "title": "Meh", "body": "Meh"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "already_reviewed");
    let (_, items) = app
        .get(&format!("/api/v1/shops/shop/orders/{token}/reviews"))
        .await;
    assert_eq!(items[0]["review"]["stars"], 4);
}

async fn two_reviews_sent_at_once_make_one(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, tee, _) = delivered_tee(&app).await;
    let tasks: Vec<_> = (1..=5u8)
        .map(|stars| {
            let router = app.router.clone();
            let request = Request::post(format!("/api/v1/shops/shop/orders/{token}/reviews"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    json!({"line_id": tee, "stars": stars, "title": "T", "body": "B"}).to_string(),
                ))
                .unwrap();
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
            other => assert_eq!(other, StatusCode::CONFLICT),
        }
    }
    assert_eq!(created, 1);
    assert_eq!(app.count("reviews").await, 1);
}

async fn bad_reviews_and_other_orders_lines_are_refused(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, tee, _) = delivered_tee(&app).await;
    let (status, body) = write(
        &app,
        &token,
        json!({"line_id": tee, "stars": 0, "title": "   ", "body": "x"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // A title is optional, but one of spaces says nothing.
    assert_eq!(error_fields(&body), ["stars", "title"]);
    let other = app
        .create_order(SHOP_KEY, &sample_order("1002", "sam@example.com"))
        .await;
    let (status, body) = write(
        &app,
        &other,
        json!({"line_id": tee, "stars": 5, "title": "T", "body": "B"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["code"], "line_not_found");
    assert_eq!(app.count("reviews").await, 0);
}

async fn the_shop_moderates_its_own_reviews_only(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, tee, _) = delivered_tee(&app).await;
    write(&app, &token, json!({"line_id": tee, "stars": 5, "title": "Great", "body": "Fits well", "fit": "true_to_size"})).await;
    let (status, pending) = app.get_admin("/api/v1/admin/reviews?status=pending").await;
    assert_eq!(status, StatusCode::OK, "{pending}");
    assert_eq!(pending[0]["order_number"], "1001");
    assert_eq!(pending[0]["sku"], "TEE-M");
    let id = pending[0]["review"]["id"].as_i64().unwrap();
    let moderation = format!("/api/v1/admin/reviews/{id}/moderation");
    let (status, _) = app
        .admin_post(&moderation, OTHER_KEY, r#"{"status": "rejected"}"#)
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another shop cannot touch it"
    );
    let response = app
        .send(
            Request::post(&moderation)
                .header(header::AUTHORIZATION, format!("Bearer {SHOP_KEY}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(r#"{"status": "published"}"#))
                .unwrap(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get_admin("/api/v1/admin/reviews?status=pending")
            .await
            .1,
        json!([])
    );
    let (_, published) = app
        .get_admin("/api/v1/admin/reviews?status=published")
        .await;
    assert_eq!(published[0]["review"]["status"], "published");
    let (status, _) = app.get_admin("/api/v1/admin/reviews?status=maybe").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn no_reviews_when_the_shop_collects_none(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = app
        .create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    let (status, body) = app
        .get(&format!("/api/v1/shops/shop/orders/{token}/reviews"))
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::NOT_FOUND, json!("module_off"))
    );
}

storage_tests!(
    a_delivered_item_is_reviewed_once_as_typed_and_its_stars_stay,
    two_reviews_sent_at_once_make_one,
    bad_reviews_and_other_orders_lines_are_refused,
    the_shop_moderates_its_own_reviews_only,
    no_reviews_when_the_shop_collects_none,
);
