//! Loyalty and the next purchase, and the unboxing, through the API: the shop's settings
//! (checked field by field), points by rate or fed, the rule's voucher made once for
//! returning customers, a fed voucher replacing it, "buy again" for delivered items, the
//! unboxing once delivered, the modules list following the settings with a new ETag, and
//! erasure.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use serde_json::{json, Value};

storage_tests!(
    loyalty_settings_are_checked_field_by_field_and_stored,
    points_the_rules_voucher_and_buy_again_follow_the_rules,
    what_the_shop_feeds_wins_field_by_field,
    the_admin_reads_the_rules_voucher_the_shopper_will_see,
    a_cancelled_order_earns_nothing_by_rule,
    an_expired_voucher_is_never_made,
    unboxing_settings_are_checked_and_shown_once_delivered,
    switching_each_on_shows_in_the_next_view_with_a_new_etag,
    erasing_the_customer_keeps_nothing_personal_in_loyalty,
);

const LOYALTY: &str = "/api/v1/admin/loyalty-settings";
const UNBOXING: &str = "/api/v1/admin/unboxing-settings";

async fn put(app: &TestApp, uri: &str, body: Value) -> (StatusCode, Value) {
    app.admin_put(uri, SHOP_KEY, &body.to_string()).await
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

fn klei_club() -> Value {
    json!({
        "enabled": true,
        "name": "Klei Club",
        "points_per_unit": 10,
        "voucher": {"reward": {"kind": "percent_off", "value": 10}, "valid_days": 60,
                    "returning_only": true, "prefix": "thanks"},
        "product_url": "https://shop.example/p/{sku}"
    })
}

/// Jane's first order (1000, in October) and her second (1001): tokens of both.
async fn two_orders(app: &TestApp) -> (String, String) {
    let mut first = sample_order("1000", "jane@example.com");
    first["placed_at"] = json!("2026-10-01T09:00:00Z");
    let first = app.create_order(SHOP_KEY, &first).await;
    let second = app
        .create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    (first, second)
}

async fn loyalty(app: &TestApp, token: &str) -> (StatusCode, Value) {
    app.get(&format!("/api/v1/shops/shop/orders/{token}/loyalty"))
        .await
}

async fn unboxing(app: &TestApp, token: &str) -> (StatusCode, Value) {
    app.get(&format!("/api/v1/shops/shop/orders/{token}/unboxing"))
        .await
}

async fn loyalty_settings_are_checked_field_by_field_and_stored(backend: Backend) {
    let app = TestApp::new(backend).await;
    // Off until set.
    let (status, settings) = app.get_admin(LOYALTY).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(settings["enabled"], false);

    let bad = json!({
        "enabled": true,
        "name": "x".repeat(61),
        "points_per_unit": 101,
        "voucher": {"reward": {"kind": "amount_off", "value": 0}, "valid_days": 366,
                    "prefix": "T-1"},
        "product_url": "https://shop.example/p/"
    });
    let (status, body) = put(&app, LOYALTY, bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        error_fields(&body),
        [
            "name",
            "points_per_unit",
            "voucher.reward.value",
            "voucher.reward.currency",
            "voucher.valid_days",
            "voucher.prefix",
            "product_url"
        ]
    );
    for url in ["javascript:alert('{sku}')", "shop.example/{sku}"] {
        let mut s = klei_club();
        s["product_url"] = json!(url);
        let (status, body) = put(&app, LOYALTY, s).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {body}");
        assert_eq!(error_fields(&body), ["product_url"]);
    }
    // An unknown field is refused as the contract says.
    let mut s = klei_club();
    s["colour"] = json!("red");
    let (status, _) = put(&app, LOYALTY, s).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let (status, stored) = put(&app, LOYALTY, klei_club()).await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    assert_eq!(stored["voucher"]["prefix"], "THANKS", "upper-cased");
    let (_, read) = app.get_admin(LOYALTY).await;
    assert_eq!(read, stored);
}

async fn points_the_rules_voucher_and_buy_again_follow_the_rules(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (first, second) = two_orders(&app).await;
    // Off: the module says so.
    let (status, body) = loyalty(&app, &second).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(code(&body), "module_off");
    let (status, body) = loyalty(&app, "AAAAAAAAAAAAAAAAAAAAAAAA").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(code(&body), "order_not_found");

    let (status, _) = put(&app, LOYALTY, klei_club()).await;
    assert_eq!(status, StatusCode::OK);
    // The first order: not returning, so no voucher; points by rate (69.94 EUR → 69 × 10).
    let (status, view) = loyalty(&app, &first).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(
        view,
        json!({"name": "Klei Club", "returning": false, "earned": 690, "buy_again": []})
    );
    // The second: returning, with a voucher from the order's day, the same on every read.
    let (_, view) = loyalty(&app, &second).await;
    assert_eq!(view["returning"], true);
    assert_eq!(view["earned"], 690);
    assert_eq!(view.get("balance"), None, "only when fed");
    let voucher = view["voucher"].clone();
    let voucher_code = voucher["code"].as_str().unwrap();
    assert!(
        voucher_code.starts_with("THANKS-") && voucher_code.len() == 13,
        "{voucher}"
    );
    assert_eq!(voucher["valid_until"], "2027-01-21");
    assert_eq!(
        voucher["reward"],
        json!({"kind": "percent_off", "value": 10, "currency": null})
    );
    assert_eq!(loyalty(&app, &second).await.1["voucher"], voucher);
    // Once the rule covers everyone, the first order gets one of its own.
    let mut everyone = klei_club();
    everyone["voucher"]["returning_only"] = json!(false);
    put(&app, LOYALTY, everyone).await;
    let other = loyalty(&app, &first).await.1["voucher"].clone();
    assert!(other["code"].as_str().unwrap().starts_with("THANKS-"));
    assert_ne!(other, voucher);
    assert_eq!(
        loyalty(&app, &second).await.1["voucher"],
        voucher,
        "made once"
    );

    // Buy again: delivered lines only, linking to the product page by SKU.
    app.deliver_tees("2026-11-23T10:00:00Z").await;
    let (_, view) = loyalty(&app, &second).await;
    let line: i64 = app
        .number(
            "SELECT i.id FROM order_items i JOIN orders o ON o.id = i.order_id
                 WHERE o.number = '1001' AND i.sku = 'TEE-M'",
        )
        .await;
    assert_eq!(
        view["buy_again"],
        json!([{"item": line, "name": "Organic tee", "variant": "M / Forest",
                "image_url": "https://cdn.shop.example/tee.jpg",
                "url": "https://shop.example/p/TEE-M"}])
    );
    // Without product pages, nothing to buy again; no rate, no points.
    let mut bare = klei_club();
    bare["product_url"] = Value::Null;
    bare["points_per_unit"] = json!(0);
    put(&app, LOYALTY, bare).await;
    let (_, view) = loyalty(&app, &second).await;
    assert_eq!(view["buy_again"], json!([]));
    assert_eq!(view.get("earned"), None);
    // Switched off again: the module is off.
    let mut off = klei_club();
    off["enabled"] = json!(false);
    put(&app, LOYALTY, off).await;
    assert_eq!(code(&loyalty(&app, &second).await.1), "module_off");
}

async fn what_the_shop_feeds_wins_field_by_field(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (_, second) = two_orders(&app).await;
    put(&app, LOYALTY, klei_club()).await;
    let uri = "/api/v1/admin/orders/1001/loyalty";
    // Nothing fed yet: what the rule shows.
    let (status, fed) = app.get_admin(uri).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fed["earned"], 690);
    assert_eq!(fed["balance"], Value::Null);
    assert!(fed["voucher"]["code"]
        .as_str()
        .unwrap()
        .starts_with("THANKS-"));
    // Unknown orders, and another shop's, are not found.
    for (uri, key) in [
        ("/api/v1/admin/orders/9999/loyalty", SHOP_KEY),
        (uri, OTHER_KEY),
    ] {
        let (status, body) = app.admin_put(uri, key, r#"{"earned": 1}"#).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}: {body}");
        assert_eq!(code(&body), "order_not_found");
        let (status, _) = app.get_admin_with(uri, key).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    // Every problem named.
    let bad = json!({"earned": -1, "balance": 1_000_000_001,
                     "voucher": {"code": "no way", "reward": {"kind": "store_credit", "value": 500, "currency": "eur"},
                                 "valid_until": "2027-02-30"}});
    let (status, body) = put(&app, uri, bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        error_fields(&body),
        [
            "earned",
            "balance",
            "voucher.code",
            "voucher.reward.currency",
            "voucher.valid_until"
        ]
    );
    // Only the balance: the points and voucher still by rule.
    let (status, _) = put(&app, uri, json!({"balance": 1250})).await;
    assert_eq!(status, StatusCode::OK);
    let (_, view) = loyalty(&app, &second).await;
    assert_eq!(
        (view["earned"].clone(), view["balance"].clone()),
        (json!(690), json!(1250))
    );
    let made = view["voucher"].clone();
    assert_eq!(made, fed["voucher"], "the one the admin read");
    // A fed voucher replaces the rule's; fed points replace the rate's.
    let voucher = json!({"code": "KLEI-2026-ABC", "reward": {"kind": "amount_off", "value": 500, "currency": "EUR"},
                         "valid_until": "2027-03-31"});
    let (status, stored) = put(
        &app,
        uri,
        json!({"earned": 70, "balance": 1320, "voucher": voucher}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    assert_eq!(app.get_admin(uri).await.1, stored);
    let (_, view) = loyalty(&app, &second).await;
    assert_eq!(view["earned"], 70);
    assert_eq!(view["balance"], 1320);
    assert_eq!(view["voucher"], voucher);
    // Taking the fed voucher back shows the rule's again, the same as before.
    put(&app, uri, json!({"balance": 1320})).await;
    assert_eq!(loyalty(&app, &second).await.1["voucher"], made);
}

async fn the_admin_reads_the_rules_voucher_the_shopper_will_see(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (first, second) = two_orders(&app).await;
    put(&app, LOYALTY, klei_club()).await;
    // Before any shopper looked: the rule's voucher is made for the admin, once.
    let uri = "/api/v1/admin/orders/1001/loyalty";
    let (status, read) = app.get_admin(uri).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    let voucher = read["voucher"].clone();
    assert!(
        voucher["code"].as_str().unwrap().starts_with("THANKS-"),
        "{read}"
    );
    assert_eq!(voucher["valid_until"], "2027-01-21");
    assert_eq!(read["earned"], 690);
    assert_eq!(app.get_admin(uri).await.1, read, "the same on every read");
    // The shopper is shown the same code.
    assert_eq!(loyalty(&app, &second).await.1["voucher"], voucher);
    // The first order is not covered (returning customers only): no voucher, none made.
    let (_, read) = app.get_admin("/api/v1/admin/orders/1000/loyalty").await;
    assert_eq!(read["voucher"], Value::Null);
    assert_eq!(loyalty(&app, &first).await.1.get("voucher"), None);
    assert_eq!(
        app.number("SELECT count(*) FROM order_loyalty WHERE made_voucher IS NOT NULL")
            .await,
        1
    );
    // While the programme is off, only what was fed.
    let mut off = klei_club();
    off["enabled"] = json!(false);
    put(&app, LOYALTY, off).await;
    assert_eq!(
        app.get_admin(uri).await.1,
        json!({"earned": null, "balance": null, "voucher": null})
    );
}

async fn a_cancelled_order_earns_nothing_by_rule(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (_, second) = two_orders(&app).await;
    put(&app, LOYALTY, klei_club()).await;
    app.execute(&["UPDATE orders SET cancelled = TRUE WHERE number = '1001'"])
        .await;
    // No points by rate, no voucher from the rule, for the shopper or the admin.
    let (status, view) = loyalty(&app, &second).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["returning"], true);
    assert_eq!(view.get("earned"), None, "{view}");
    assert_eq!(view.get("voucher"), None, "{view}");
    let uri = "/api/v1/admin/orders/1001/loyalty";
    assert_eq!(
        app.get_admin(uri).await.1,
        json!({"earned": null, "balance": null, "voucher": null})
    );
    assert_eq!(
        app.number("SELECT count(*) FROM order_loyalty WHERE made_voucher IS NOT NULL")
            .await,
        0
    );
    // What the shop feeds is still shown.
    let voucher = json!({"code": "SORRY-1", "reward": {"kind": "amount_off", "value": 500, "currency": "EUR"},
                         "valid_until": "2027-03-31"});
    let (status, _) = put(
        &app,
        uri,
        json!({"earned": 0, "balance": 20, "voucher": voucher}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, view) = loyalty(&app, &second).await;
    assert_eq!(
        (&view["earned"], &view["balance"], &view["voucher"]),
        (&json!(0), &json!(20), &voucher)
    );
}

async fn an_expired_voucher_is_never_made(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (first, second) = two_orders(&app).await;
    // For everyone, a day long: the first order's (1 October) ended long before today
    // (23 November); the second's (22 November) holds until today.
    let mut short = klei_club();
    short["voucher"]["returning_only"] = json!(false);
    short["voucher"]["valid_days"] = json!(1);
    put(&app, LOYALTY, short).await;
    let (status, view) = loyalty(&app, &first).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view.get("voucher"), None, "{view}");
    assert_eq!(view["earned"], 690);
    let (_, read) = app.get_admin("/api/v1/admin/orders/1000/loyalty").await;
    assert_eq!(read["voucher"], Value::Null);
    let (_, view) = loyalty(&app, &second).await;
    assert_eq!(view["voucher"]["valid_until"], "2026-11-23", "{view}");
    assert_eq!(
        app.number("SELECT count(*) FROM order_loyalty WHERE made_voucher IS NOT NULL")
            .await,
        1
    );
}

async fn unboxing_settings_are_checked_and_shown_once_delivered(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = app
        .create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    let (status, settings) = app.get_admin(UNBOXING).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(settings["enabled"], false);
    let (status, body) = unboxing(&app, &token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(code(&body), "module_off");

    let bad = json!({"enabled": true, "thanks": "x".repeat(601), "eco": "y".repeat(601),
                     "eco_url": "ftp://shop.example/eco", "share_url": "shop.example",
                     "hashtag": "#two words", "handle": "@no/slash"});
    let (status, body) = put(&app, UNBOXING, bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        error_fields(&body),
        ["thanks", "eco", "eco_url", "share_url", "hashtag", "handle"]
    );
    let good = json!({"enabled": true, "thanks": "Thank you, from all of us!",
                      "eco": "The box is recyclable paper.", "eco_url": "https://shop.example/eco",
                      "hashtag": "#shopunboxing", "handle": "@test.shop"});
    let (status, stored) = put(&app, UNBOXING, good).await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    assert_eq!(
        (stored["hashtag"].clone(), stored["handle"].clone()),
        (json!("shopunboxing"), json!("test.shop"))
    );
    assert_eq!(app.get_admin(UNBOXING).await.1, stored);

    // Not before the order is delivered: nothing shipped, or a parcel on its way.
    let (status, body) = unboxing(&app, &token).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(code(&body), "not_delivered");
    app.deliver_tees("2026-11-23T10:00:00Z").await;
    let parcel = json!({"carrier": "dhl", "tracking_number": "JV2",
                        "items": [{"sku": "CAP", "quantity": 1}]});
    app.admin_post(
        "/api/v1/admin/orders/1001/shipments",
        SHOP_KEY,
        &parcel.to_string(),
    )
    .await;
    let event = json!({"event_id": "t2", "occurred_at": "2026-11-23T10:30:00Z", "code": "transit"});
    let (status, body) = app
        .admin_post(
            "/api/v1/admin/shipments/dhl/JV2/events",
            SHOP_KEY,
            &event.to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(code(&unboxing(&app, &token).await.1), "not_delivered");
    let event =
        json!({"event_id": "d2", "occurred_at": "2026-11-23T11:00:00Z", "code": "delivered"});
    app.admin_post(
        "/api/v1/admin/shipments/dhl/JV2/events",
        SHOP_KEY,
        &event.to_string(),
    )
    .await;
    let (status, view) = unboxing(&app, &token).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(
        view,
        json!({"thanks": "Thank you, from all of us!", "eco": "The box is recyclable paper.",
               "eco_url": "https://shop.example/eco", "hashtag": "shopunboxing",
               "handle": "test.shop", "share_url": "https://shop.example/", "shop": "Test Shop"})
    );
    // The shop's own share page wins over its site.
    let mut with_page = stored.clone();
    with_page["share_url"] = json!("https://shop.example/unboxing");
    put(&app, UNBOXING, with_page).await;
    assert_eq!(
        unboxing(&app, &token).await.1["share_url"],
        "https://shop.example/unboxing"
    );
}

/// The order view's modules and ETag.
async fn modules(app: &TestApp, token: &str) -> (Vec<String>, String) {
    let response = app
        .send(
            Request::get(format!("/api/v1/shops/shop/orders/{token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let etag = response.headers()[header::ETAG]
        .to_str()
        .unwrap()
        .to_owned();
    let (status, view) = json_of(response).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    let modules = view["modules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_owned())
        .collect();
    (modules, etag)
}

async fn switching_each_on_shows_in_the_next_view_with_a_new_etag(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = app
        .create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    let (before, etag) = modules(&app, &token).await;
    assert!(!before.contains(&"loyalty".to_owned()), "{before:?}");

    put(&app, LOYALTY, klei_club()).await;
    let (now, next) = modules(&app, &token).await;
    assert!(now.contains(&"loyalty".to_owned()), "{now:?}");
    assert_ne!(next, etag, "a new ETag");

    // Unboxing on: not listed before the order is delivered.
    let good = json!({"enabled": true, "thanks": "Thanks!"});
    let (status, _) = put(&app, UNBOXING, good).await;
    assert_eq!(status, StatusCode::OK);
    let (now, etag) = modules(&app, &token).await;
    assert!(!now.contains(&"unboxing".to_owned()), "{now:?}");
    assert_eq!(etag, next, "nothing new shows");
    // Delivered (its only parcel): listed, with a new ETag.
    app.deliver_tees("2026-11-23T10:00:00Z").await;
    let (now, delivered) = modules(&app, &token).await;
    assert_eq!(&now[now.len() - 2..], ["loyalty", "unboxing"], "{now:?}");
    assert_ne!(delivered, etag);
    // Off again: gone, with a new ETag.
    put(&app, UNBOXING, json!({"enabled": false})).await;
    let (now, off) = modules(&app, &token).await;
    assert!(!now.contains(&"unboxing".to_owned()), "{now:?}");
    assert_ne!(off, delivered);
    // Feeding loyalty or reading it leaves the order's view as it was.
    put(
        &app,
        "/api/v1/admin/orders/1001/loyalty",
        json!({"balance": 5}),
    )
    .await;
    loyalty(&app, &token).await;
    assert_eq!(modules(&app, &token).await.1, off);
}

async fn erasing_the_customer_keeps_nothing_personal_in_loyalty(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (_, second) = two_orders(&app).await;
    put(&app, LOYALTY, klei_club()).await;
    put(
        &app,
        "/api/v1/admin/orders/1001/loyalty",
        json!({"earned": 70, "balance": 1320}),
    )
    .await;
    let voucher = loyalty(&app, &second).await.1["voucher"].clone();
    let (status, report) = app
        .admin_post(
            "/api/v1/admin/customers/erasure",
            SHOP_KEY,
            &json!({"email": "jane@example.com"}).to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    // What the shop fed and the voucher stay with the order; none of it names Jane.
    let (_, fed) = app.get_admin("/api/v1/admin/orders/1001/loyalty").await;
    assert_eq!(
        (fed["earned"].clone(), fed["balance"].clone()),
        (json!(70), json!(1320))
    );
    let kept = app
        .texts(
            "SELECT COALESCE(voucher, '') || COALESCE(made_voucher, '') || COALESCE(made_code, '')
             FROM order_loyalty",
        )
        .await
        .join(" ");
    assert!(kept.contains(voucher["code"].as_str().unwrap()), "{kept}");
    for personal in ["Jane", "jane", "Dijk"] {
        assert!(!kept.contains(personal), "{kept}");
    }
    // The link is gone with the rest.
    assert_eq!(code(&loyalty(&app, &second).await.1), "order_not_found");
}
