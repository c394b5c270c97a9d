//! Referrals through the API: the shopper's own code, the checkout redeeming it, and every
//! refusal.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};

const SETTINGS: &str = "/api/v1/admin/referral-settings";
const REDEEM: &str = "/api/v1/admin/referrals/redemptions";

fn terms(enabled: bool) -> Value {
    json!({"enabled": enabled, "share_url": "https://shop.example/?ref={code}",
           "friend_reward": {"kind": "amount_off", "value": 1000, "currency": "EUR"},
           "referrer_reward": {"kind": "store_credit", "value": 1500, "currency": "EUR"}})
}

async fn put(app: &TestApp, key: &str, uri: &str, body: &Value) -> (StatusCode, Value) {
    app.admin_put(uri, key, &body.to_string()).await
}

/// The test shop runs referrals; Jane ordered 1001. Returns her token.
async fn jane(app: &TestApp) -> String {
    let (status, body) = put(app, SHOP_KEY, SETTINGS, &terms(true)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.create_order(SHOP_KEY, &sample_order("1001", "Jane@Example.com"))
        .await
}

async fn referral(app: &TestApp, shop: &str, token: &str) -> (StatusCode, Value) {
    app.get(&format!("/api/v1/shops/{shop}/orders/{token}/referral"))
        .await
}

async fn redeem(app: &TestApp, key: &str, body: Value) -> (StatusCode, Value) {
    app.admin_post(REDEEM, key, &body.to_string()).await
}

async fn a_shopper_gets_one_readable_code_for_all_their_orders(backend: Backend) {
    let app = TestApp::new(backend).await;
    let first = jane(&app).await;
    let (status, view) = referral(&app, "shop", &first).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    let code = view["code"].as_str().unwrap().to_owned();
    assert!(code.starts_with("JANE-") && code.len() == 10, "{code}");
    assert_eq!(
        view["share_url"],
        format!("https://shop.example/?ref={code}")
    );
    assert_eq!(view["friend_reward"]["value"], 1000);
    assert_eq!(view["friends"], 0);
    // Asking again, or from her next order, gives the same code.
    assert_eq!(
        referral(&app, "shop", &first).await.1["code"],
        code.as_str()
    );
    let second = app
        .create_order(SHOP_KEY, &sample_order("1002", "jane@example.com"))
        .await;
    assert_eq!(
        referral(&app, "shop", &second).await.1["code"],
        code.as_str()
    );
    // Another shopper, another code; nothing about it follows from the order.
    let sam = app
        .create_order(SHOP_KEY, &sample_order("1003", "sam@example.com"))
        .await;
    let other = referral(&app, "shop", &sam).await.1["code"].clone();
    assert_ne!(other, code.as_str());
    assert!(!code.contains("1001"));
}

async fn no_referrals_when_the_shop_runs_none_or_the_token_is_wrong(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = app
        .create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    let (status, body) = referral(&app, "shop", &token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "module_off");
    put(&app, SHOP_KEY, SETTINGS, &terms(false)).await;
    assert_eq!(
        referral(&app, "shop", &token).await.1["error"]["code"],
        "module_off"
    );
    put(&app, SHOP_KEY, SETTINGS, &terms(true)).await;
    assert_eq!(referral(&app, "shop", &token).await.0, StatusCode::OK);
    let (status, body) = referral(&app, "other", &token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "order_not_found");
}

async fn a_new_customer_redeems_a_code_and_the_referrer_sees_a_friend(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = jane(&app).await;
    let code = referral(&app, "shop", &token).await.1["code"]
        .as_str()
        .unwrap()
        .to_owned();
    // Typed in lower case with a space at a checkout.
    let typed = format!(" {}", code.to_lowercase());
    let (status, body) = redeem(
        &app,
        SHOP_KEY,
        json!({"code": typed, "email": "ada@example.net"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["code"], code.as_str());
    assert_eq!(body["referrer_order_number"], "1001");
    assert_eq!(body["referrer_reward"]["kind"], "store_credit");
    // The checkout retrying the same redemption gets the same answer, not a refusal.
    let (status, again) = redeem(
        &app,
        SHOP_KEY,
        json!({"code": code, "email": "ADA@example.net"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again, body);
    assert_eq!(referral(&app, "shop", &token).await.1["friends"], 1);
    // Her first order, fed to postpurchase before the checkout redeemed: still new.
    app.create_order(SHOP_KEY, &sample_order("2001", "bo@example.net"))
        .await;
    let (status, body) = redeem(
        &app,
        SHOP_KEY,
        json!({"code": code, "email": "bo@example.net", "order_number": "2001"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(referral(&app, "shop", &token).await.1["friends"], 2);
}

async fn every_refusal_has_its_own_code_and_changes_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = jane(&app).await;
    let code = referral(&app, "shop", &token).await.1["code"]
        .as_str()
        .unwrap()
        .to_owned();
    // Another shop's shopper, with a code of their own.
    put(&app, OTHER_KEY, SETTINGS, &terms(true)).await;
    let elsewhere = app
        .create_order(OTHER_KEY, &sample_order("9", "kim@example.com"))
        .await;
    let foreign = referral(&app, "other", &elsewhere).await.1["code"]
        .as_str()
        .unwrap()
        .to_owned();
    // Someone who redeemed a code before.
    let sam = app
        .create_order(SHOP_KEY, &sample_order("1003", "sam@example.com"))
        .await;
    let sams = referral(&app, "shop", &sam).await.1["code"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        redeem(
            &app,
            SHOP_KEY,
            json!({"code": sams, "email": "lou@example.com"})
        )
        .await
        .0,
        StatusCode::CREATED
    );
    for (body, status, error) in [
        (
            json!({"code": "NOBODY-22222", "email": "new@example.com"}),
            StatusCode::NOT_FOUND,
            "unknown_code",
        ),
        // Another shop's code is answered as an unknown one: nothing to learn about it.
        (
            json!({"code": foreign, "email": "new@example.com"}),
            StatusCode::NOT_FOUND,
            "unknown_code",
        ),
        (
            json!({"code": code, "email": "JANE@example.com"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "self_referral",
        ),
        (
            json!({"code": code, "email": "lou@example.com"}),
            StatusCode::CONFLICT,
            "already_redeemed",
        ),
        (
            json!({"code": code, "email": "sam@example.com"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "not_a_new_customer",
        ),
        (
            json!({"code": "", "email": "not an e-mail"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_fields",
        ),
    ] {
        let (got, answer) = redeem(&app, SHOP_KEY, body.clone()).await;
        assert_eq!(got, status, "{body}: {answer}");
        assert_eq!(answer["error"]["code"], error, "{body}");
    }
    assert_eq!(referral(&app, "shop", &token).await.1["friends"], 0);
    assert_eq!(app.count("referral_redemptions").await, 1);
}

async fn terms_are_checked_and_kept(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (status, body) = app.get_admin(SETTINGS).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let mut bad = terms(true);
    bad["share_url"] = json!("https://shop.example/");
    bad["friend_reward"] = json!({"kind": "percent_off", "value": 0});
    let (status, body) = put(&app, SHOP_KEY, SETTINGS, &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), ["share_url", "friend_reward.value"]);
    put(&app, SHOP_KEY, SETTINGS, &terms(true)).await;
    let (status, body) = app.get_admin(SETTINGS).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, terms(true));
}

async fn the_order_view_names_the_follow_ups_the_shop_runs(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = app
        .create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    let modules = || async {
        let (status, view) = app.get(&format!("/api/v1/shops/shop/orders/{token}")).await;
        assert_eq!(status, StatusCode::OK, "{view}");
        view["modules"].clone()
    };
    assert_eq!(modules().await, json!([]));
    put(&app, SHOP_KEY, SETTINGS, &terms(true)).await;
    let (status, _) = app
        .admin_put(
            "/api/v1/admin/survey-settings",
            SHOP_KEY,
            r#"{"enabled": true, "heard_options": ["A friend"]}"#,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(modules().await, json!(["referral", "survey"]));
    // Switched off again: no longer offered. Another shop's settings change nothing.
    put(&app, SHOP_KEY, SETTINGS, &terms(false)).await;
    put(&app, OTHER_KEY, SETTINGS, &terms(true)).await;
    assert_eq!(modules().await, json!(["survey"]));
}

storage_tests!(
    a_shopper_gets_one_readable_code_for_all_their_orders,
    no_referrals_when_the_shop_runs_none_or_the_token_is_wrong,
    a_new_customer_redeems_a_code_and_the_referrer_sees_a_friend,
    every_refusal_has_its_own_code_and_changes_nothing,
    terms_are_checked_and_kept,
    the_order_view_names_the_follow_ups_the_shop_runs,
);
