//! Faster delivery through the API: the shop's offers checked field by field, the day and
//! the cut-off following the test clock in the shop's time zone, a day's places taken
//! atomically (also when shoppers race for the last one) and freed by a refusal, asking
//! closed by a parcel or a waiting request, the shop's answer moving the order's promise
//! (with a new ETag) and the order's own dates, cancelling (by the shopper or a platform)
//! refusing the upgrade and freeing its place, no confirmation once the day has passed,
//! the admin list, and the signed webhooks.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use common::*;
use hmac::{Hmac, Mac};
use postpurchase_api::{UpgradeStatus, WebhookData, WebhookEvent};
use postpurchase_server::webhooks::{self, Backoff};
use serde_json::{json, Value};

storage_tests!(
    offers_are_checked_field_by_field_and_list_the_follow_up,
    the_day_follows_the_cut_off_in_the_shops_time_zone,
    a_days_places_hold_when_shoppers_race_and_a_refusal_frees_one,
    a_parcel_closes_asking_but_the_waiting_request_is_still_answered,
    confirming_moves_the_orders_promise_and_answers_are_final,
    cancelling_refuses_the_upgrade_and_a_passed_day_cannot_be_confirmed,
    a_platforms_cancellation_refuses_a_confirmed_upgrade,
    the_shop_hears_of_requests_and_answers_signed,
);

const SETTINGS: &str = "/api/v1/admin/upgrade-settings";

/// Evening (16:00 cut-off, capacity `evening`) and next day (22:00, 50), in Amsterdam.
async fn offer(app: &TestApp, evening: u32) {
    let (status, body) = app
        .admin_put(
            SETTINGS,
            SHOP_KEY,
            &json!({"offers": [
                {"kind": "evening", "price": 695, "currency": "EUR", "cut_off": "16:00",
                 "daily_capacity": evening},
                {"kind": "next_day", "price": 495, "currency": "EUR", "cut_off": "22:00",
                 "daily_capacity": 50},
            ]})
            .to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.execute(&[
        "UPDATE shops SET time_zone = 'Europe/Amsterdam', webhook_url = 'https://merchant.example/hooks',
                          webhook_secret = 's'
         WHERE slug = 'shop'",
    ])
    .await;
}

async fn order(app: &TestApp, number: &str) -> String {
    app.create_order(
        SHOP_KEY,
        &sample_order(number, &format!("{number}@example.com")),
    )
    .await
}

async fn upgrade(app: &TestApp, token: &str) -> Value {
    let (status, view) = app
        .get(&format!("/api/v1/shops/shop/orders/{token}/upgrade"))
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    view
}

async fn ask(app: &TestApp, token: &str, key: &str, kind: &str) -> (StatusCode, Value) {
    json_of(
        app.send(json_request(
            "POST",
            &format!("/api/v1/shops/shop/orders/{token}/upgrade"),
            &[("idempotency-key", key)],
            &json!({ "kind": kind }),
        ))
        .await,
    )
    .await
}

async fn view(app: &TestApp, token: &str) -> Value {
    let (status, view) = app.get(&format!("/api/v1/shops/shop/orders/{token}")).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    view
}

async fn decide(app: &TestApp, id: &Value, body: Value) -> (StatusCode, Value) {
    app.admin_post(
        &format!("/api/v1/admin/upgrades/{id}/decision"),
        SHOP_KEY,
        &body.to_string(),
    )
    .await
}

async fn events(app: &TestApp) -> Vec<Value> {
    app.texts("SELECT body FROM webhook_deliveries ORDER BY id")
        .await
        .iter()
        .map(|b| serde_json::from_str(b).unwrap())
        .collect()
}

/// The webhooks queued, as (type, the upgrade's status) for upgrade events.
async fn upgrade_events(app: &TestApp) -> Vec<(String, String)> {
    events(app)
        .await
        .iter()
        .filter(|e| e["type"].as_str().unwrap().starts_with("order.upgrade_"))
        .map(|e| {
            (
                e["type"].as_str().unwrap().into(),
                e["data"]["status"].as_str().unwrap().into(),
            )
        })
        .collect()
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

fn modules(view: &Value) -> Vec<&str> {
    view["modules"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect()
}

/// The ETag of the order's view as a shopper gets it now.
async fn etag(app: &TestApp, token: &str) -> String {
    let response = app
        .send(
            axum::http::Request::get(format!("/api/v1/shops/shop/orders/{token}"))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    response.headers()[axum::http::header::ETAG]
        .to_str()
        .unwrap()
        .to_owned()
}

async fn offers_are_checked_field_by_field_and_list_the_follow_up(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (status, settings) = app.get_admin(SETTINGS).await;
    assert_eq!((status, settings), (StatusCode::OK, json!({"offers": []})));
    let token = order(&app, "1001").await;
    let before = etag(&app, &token).await;
    assert!(!modules(&view(&app, &token).await).contains(&"upgrade"));
    // Not offered: the kind is refused by name.
    let (status, body) = ask(&app, &token, "k0", "evening").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), ["kind"]);

    let good = json!({"kind": "evening", "price": 695, "currency": "EUR", "cut_off": "16:00",
                      "daily_capacity": 20});
    let bad = json!({"offers": [
        good,
        {"kind": "evening", "price": 100_001, "currency": "eur", "cut_off": "4pm",
         "daily_capacity": 0},
    ]});
    let (status, body) = app.admin_put(SETTINGS, SHOP_KEY, &bad.to_string()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        error_fields(&body),
        [
            "offers[1].kind",
            "offers[1].price",
            "offers[1].currency",
            "offers[1].cut_off",
            "offers[1].daily_capacity"
        ]
    );
    let negative = json!({"offers": [{"kind": "same_day", "price": -1, "currency": "EUR",
                                      "cut_off": "24:00", "daily_capacity": 10_001}]});
    let (status, body) = app
        .admin_put(SETTINGS, SHOP_KEY, &negative.to_string())
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        error_fields(&body),
        [
            "offers[0].price",
            "offers[0].cut_off",
            "offers[0].daily_capacity"
        ]
    );
    let four = json!({"offers": [good, good, good, good]});
    let (status, body) = app.admin_put(SETTINGS, SHOP_KEY, &four.to_string()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), ["offers"]);
    assert_eq!(etag(&app, &token).await, before, "nothing stored");

    // Stored: the shop's version moves, the view lists the follow-up with a new ETag.
    let (status, stored) = app
        .admin_put(SETTINGS, SHOP_KEY, &json!({"offers": [good]}).to_string())
        .await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    assert_eq!(app.get_admin(SETTINGS).await.1, json!({"offers": [good]}));
    assert_ne!(etag(&app, &token).await, before);
    assert!(modules(&view(&app, &token).await).contains(&"upgrade"));
    // Another shop's offers are its own.
    let (_, other) = app.get_admin_with(SETTINGS, OTHER_KEY).await;
    assert_eq!(other, json!({"offers": []}));
    // Switched off: gone again.
    app.admin_put(SETTINGS, SHOP_KEY, r#"{"offers": []}"#).await;
    assert!(!modules(&view(&app, &token).await).contains(&"upgrade"));
}

async fn the_day_follows_the_cut_off_in_the_shops_time_zone(backend: Backend) {
    let app = TestApp::new(backend).await;
    offer(&app, 20).await;
    let token = order(&app, "1001").await;
    // NOW is 12:00 UTC, 13:00 in Amsterdam: before both cut-offs.
    let offers = upgrade(&app, &token).await;
    assert_eq!(
        offers,
        json!({"offers": [
            {"kind": "evening", "price": 695, "currency": "EUR", "delivery_on": "2026-11-23",
             "order_by": "2026-11-23T15:00:00Z", "left": 20},
            {"kind": "next_day", "price": 495, "currency": "EUR", "delivery_on": "2026-11-24",
             "order_by": "2026-11-23T21:00:00Z", "left": 50},
        ]})
    );
    // 16:30 in Amsterdam: the evening is tomorrow's, the next day still the 24th.
    app.state.clock.set(NOW + 3 * 3600 + 1800);
    let offers = upgrade(&app, &token).await;
    assert_eq!(offers["offers"][0]["delivery_on"], "2026-11-24");
    assert_eq!(offers["offers"][0]["order_by"], "2026-11-24T15:00:00Z");
    assert_eq!(offers["offers"][1]["delivery_on"], "2026-11-24");
    // 22:00 in Amsterdam exactly: past the next day's cut-off too.
    app.state.clock.set(NOW + 9 * 3600);
    let offers = upgrade(&app, &token).await;
    assert_eq!(offers["offers"][1]["delivery_on"], "2026-11-25");
    assert_eq!(offers["offers"][1]["order_by"], "2026-11-24T21:00:00Z");
    // Asked now, the request is for the day that applies now.
    let (status, asked) = ask(&app, &token, "late", "evening").await;
    assert_eq!(status, StatusCode::CREATED, "{asked}");
    assert_eq!(
        asked,
        json!({"kind": "evening", "status": "requested", "price": 695, "currency": "EUR",
               "delivery_on": "2026-11-24"})
    );
    // A retry with the same key is the same request.
    let (status, again) = ask(&app, &token, "late", "evening").await;
    assert_eq!((status, &again), (StatusCode::CREATED, &asked));
    // Waiting: nothing more to ask, the request to follow.
    assert_eq!(
        upgrade(&app, &token).await,
        json!({"offers": [], "request": asked})
    );
    let (status, body) = ask(&app, &token, "other", "next_day").await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "upgrade_pending")
    );
    assert_eq!(app.count("order_upgrades").await, 1);
}

async fn a_days_places_hold_when_shoppers_race_and_a_refusal_frees_one(backend: Backend) {
    let app = TestApp::new(backend).await;
    offer(&app, 3).await;
    let mut tokens = Vec::new();
    for n in 0..5 {
        tokens.push(order(&app, &format!("10{n:02}")).await);
    }
    // Four shoppers race for three places.
    let tries = tokens[..4].iter().enumerate().map(|(i, token)| {
        let app = &app;
        async move { ask(app, token, &format!("race-{i}"), "evening").await }
    });
    let answers = futures_util::future::join_all(tries).await;
    let made = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    assert_eq!(made, 3, "{answers:?}");
    let lost = answers
        .iter()
        .position(|(s, _)| *s != StatusCode::CREATED)
        .unwrap();
    assert_eq!(
        (answers[lost].0, code(&answers[lost].1)),
        (StatusCode::CONFLICT, "upgrade_full")
    );
    assert_eq!(app.count("order_upgrades").await, 3);
    assert_eq!(events(&app).await.len(), 3);
    // The fifth shopper sees the evening full (shown, with no place left), the next day not.
    let offers = upgrade(&app, &tokens[4]).await;
    assert_eq!(offers["offers"][0]["left"], 0);
    assert_eq!(offers["offers"][1]["left"], 50);
    let (status, body) = ask(&app, &tokens[4], "full", "evening").await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "upgrade_full")
    );

    // The admin list, newest first, by status.
    let (_, waiting) = app
        .get_admin("/api/v1/admin/upgrades?status=requested")
        .await;
    assert_eq!(waiting.as_array().unwrap().len(), 3);
    let (status, body) = app.get_admin("/api/v1/admin/upgrades?status=maybe").await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "invalid_query")
    );
    // A refusal frees its place; the shopper may ask again (and takes it back).
    let refused = &waiting[0];
    let (status, body) = decide(
        &app,
        &refused["id"],
        json!({"confirm": false, "message": "No evening vans that day."}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "refused");
    assert_eq!(upgrade(&app, &tokens[4]).await["offers"][0]["left"], 1);
    let (_, refused_list) = app.get_admin("/api/v1/admin/upgrades?status=refused").await;
    assert_eq!(refused_list.as_array().unwrap().len(), 1);
    assert_eq!(refused_list[0]["id"], refused["id"]);
    let (_, all) = app.get_admin("/api/v1/admin/upgrades").await;
    assert_eq!(all.as_array().unwrap().len(), 3);
    let (status, _) = ask(&app, &tokens[4], "freed", "evening").await;
    assert_eq!(status, StatusCode::CREATED);
    // An order whose request waits is offered nothing more: one of the winners whose
    // request was not refused (which shoppers won the race varies).
    let won = (0..4)
        .find(|&n| {
            answers[n].0 == StatusCode::CREATED && refused["order_number"] != format!("10{n:02}")
        })
        .unwrap();
    assert_eq!(
        upgrade(&app, &tokens[won]).await["offers"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
}

async fn a_parcel_closes_asking_but_the_waiting_request_is_still_answered(backend: Backend) {
    let app = TestApp::new(backend).await;
    offer(&app, 20).await;
    let waiting = order(&app, "1001").await;
    let shipped = order(&app, "1002").await;
    let cancelled = order(&app, "1003").await;
    let (status, _) = ask(&app, &waiting, "w", "next_day").await;
    assert_eq!(status, StatusCode::CREATED);
    let parcel = |n: &str| {
        json!({"carrier": "dhl", "tracking_number": format!("JV{n}"),
               "items": [{"sku": "CAP", "quantity": 1}]})
        .to_string()
    };
    for number in ["1001", "1002"] {
        let (status, body) = app
            .admin_post(
                &format!("/api/v1/admin/orders/{number}/shipments"),
                SHOP_KEY,
                &parcel(number),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    app.execute(&["UPDATE orders SET cancelled = TRUE WHERE number = '1003'"])
        .await;
    for token in [&shipped, &cancelled] {
        let (status, body) = ask(&app, token, "late", "next_day").await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::CONFLICT, "upgrade_closed"),
            "{body}"
        );
        assert_eq!(upgrade(&app, token).await, json!({"offers": []}));
        assert!(!modules(&view(&app, token).await).contains(&"upgrade"));
    }
    // The waiting request stays, listed, and the shop still answers it.
    let current = upgrade(&app, &waiting).await;
    assert_eq!(current["offers"], json!([]));
    assert_eq!(current["request"]["status"], "requested");
    assert!(modules(&view(&app, &waiting).await).contains(&"upgrade"));
    let (_, list) = app.get_admin("/api/v1/admin/upgrades").await;
    let (status, body) = decide(&app, &list[0]["id"], json!({"confirm": true})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        upgrade(&app, &waiting).await["request"]["status"],
        "confirmed"
    );
    let (status, body) = ask(&app, &waiting, "again", "evening").await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "upgrade_closed")
    );
}

async fn confirming_moves_the_orders_promise_and_answers_are_final(backend: Backend) {
    let app = TestApp::new(backend).await;
    offer(&app, 20).await;
    let token = order(&app, "1001").await;
    let first = view(&app, &token).await;
    assert_eq!(
        first["promised_delivery"],
        json!({"earliest": "2026-11-25", "latest": "2026-11-27"})
    );
    let (status, _) = ask(&app, &token, "k", "next_day").await;
    assert_eq!(status, StatusCode::CREATED);
    let asked = etag(&app, &token).await;
    let (_, list) = app.get_admin("/api/v1/admin/upgrades").await;
    let id = list[0]["id"].clone();
    assert_eq!(list[0]["order_number"], "1001");
    assert_eq!(list[0]["email"], "1001@example.com");
    assert_eq!(list[0]["first_name"], "Jane");
    assert_eq!(list[0]["requested_at"], "2026-11-23T12:00:00Z");

    // The answer's fields, by name.
    for (body, field) in [
        (
            json!({"confirm": true, "pay_url": "http://pay.example/u"}),
            "pay_url",
        ),
        (json!({"confirm": true, "pay_url": "https://"}), "pay_url"),
        (
            json!({"confirm": false, "pay_url": "https://pay.example/u"}),
            "pay_url",
        ),
        (
            json!({"confirm": true, "message": "x".repeat(301)}),
            "message",
        ),
        (json!({"confirm": true, "message": "  "}), "message"),
        (json!({"confirm": true, "message": "a\u{0}b"}), "message"),
        (
            json!({"confirm": false, "message": "a\rb\u{1b}"}),
            "message",
        ),
    ] {
        let (status, answer) = decide(&app, &id, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert_eq!(error_fields(&answer), [field], "{body}");
    }
    // Longer than 500 is still said as the upgrade's own bound.
    let (_, answer) = decide(
        &app,
        &id,
        json!({"confirm": true, "message": "x".repeat(501)}),
    )
    .await;
    assert_eq!(
        answer["error"]["fields"][0]["message"],
        "must be 1 to 300 characters"
    );
    let (status, body) = decide(&app, &json!(999_999), json!({"confirm": true})).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::NOT_FOUND, "upgrade_not_found")
    );
    let (status, _) = app
        .admin_post(
            &format!("/api/v1/admin/upgrades/{id}/decision"),
            OTHER_KEY,
            &json!({"confirm": true}).to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another shop's request");

    let confirm = json!({"confirm": true, "pay_url": "https://pay.example/u/1",
                         "message": " See you tomorrow. "});
    let (status, decided) = decide(&app, &id, confirm.clone()).await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!(
        (
            &decided["status"],
            &decided["pay_url"],
            &decided["message"],
            &decided["delivery_on"]
        ),
        (
            &json!("confirmed"),
            &json!("https://pay.example/u/1"),
            &json!("See you tomorrow."),
            &json!("2026-11-24")
        )
    );
    // The order's promise is the upgrade's day, with a new ETag.
    assert_ne!(etag(&app, &token).await, asked);
    let after = view(&app, &token).await;
    assert_eq!(
        after["promised_delivery"],
        json!({"earliest": "2026-11-24", "latest": "2026-11-24"})
    );
    assert!(modules(&after).contains(&"upgrade"));
    let shopper = upgrade(&app, &token).await;
    assert_eq!(shopper["request"]["status"], "confirmed");
    assert_eq!(shopper["request"]["pay_url"], "https://pay.example/u/1");
    // The same answer again changes nothing and says nothing; another is refused.
    let confirmed = etag(&app, &token).await;
    let (status, again) = decide(&app, &id, confirm).await;
    assert_eq!((status, &again), (StatusCode::OK, &decided));
    let (status, body) = decide(&app, &id, json!({"confirm": false})).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "upgrade_decided")
    );
    assert_eq!(etag(&app, &token).await, confirmed);
    // The same confirmation with other words or another link is another answer.
    for other in [
        json!({"confirm": true, "pay_url": "https://pay.example/u/2",
               "message": "See you tomorrow."}),
        json!({"confirm": true, "pay_url": "https://pay.example/u/1"}),
    ] {
        let (status, body) = decide(&app, &id, other.clone()).await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::CONFLICT, "upgrade_decided"),
            "{other}"
        );
    }
    // The order itself carries the new promise (delays, stalls and analytics read it),
    // and leaves by the day before a next-day delivery.
    let (_, record) = app.get_admin("/api/v1/admin/orders/1001").await;
    assert_eq!(
        record["view"]["promised_delivery"],
        json!({"earliest": "2026-11-24", "latest": "2026-11-24"})
    );
    assert_eq!(
        app.text(
            "SELECT promised_from || ' ' || promised_to || ' ' || dispatch_by FROM orders
             WHERE number = '1001'"
        )
        .await,
        "2026-11-24 2026-11-24 2026-11-23"
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
            ("order.upgrade_requested".into(), "requested".into()),
            ("order.upgrade_decided".into(), "confirmed".into())
        ]
    );
    // Erasing the customer takes the shop's words and payment link with it.
    let (status, report) = app
        .admin_post(
            "/api/v1/admin/customers/erasure",
            SHOP_KEY,
            &json!({"email": "1001@example.com"}).to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        app.texts("SELECT COALESCE(pay_url, '') || COALESCE(message, '') FROM order_upgrades")
            .await,
        [""]
    );
}

async fn cancelling_refuses_the_upgrade_and_a_passed_day_cannot_be_confirmed(backend: Backend) {
    let app = TestApp::new(backend).await;
    offer(&app, 1).await;
    let (status, body) = app
        .admin_put(
            "/api/v1/admin/change-settings",
            SHOP_KEY,
            &json!({"cancel": true, "address": false, "window_minutes": 60}).to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Placed ten minutes ago: still within the hour to cancel.
    let mut placed = sample_order("1001", "1001@example.com");
    placed["placed_at"] = json!("2026-11-23T11:50:00Z");
    let token = app.create_order(SHOP_KEY, &placed).await;
    let (status, _) = ask(&app, &token, "u", "evening").await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, list) = app.get_admin("/api/v1/admin/upgrades").await;
    let id = list[0]["id"].clone();
    // The only evening place is taken.
    let other = order(&app, "1002").await;
    assert_eq!(upgrade(&app, &other).await["offers"][0]["left"], 0);

    // The shopper cancels and the shop accepts: the waiting upgrade is refused, without
    // words, and its place is free again, in the same write.
    let (status, body) = json_of(
        app.send(json_request(
            "POST",
            &format!("/api/v1/shops/shop/orders/{token}/changes"),
            &[("idempotency-key", "c")],
            &json!({"kind": "cancel"}),
        ))
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, changes) = app.get_admin("/api/v1/admin/changes").await;
    let change = changes[0]["change"].as_str().unwrap().to_owned();
    let (status, body) = app
        .admin_post(
            &format!("/api/v1/admin/changes/{change}/decision"),
            SHOP_KEY,
            &json!({"accept": true}).to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let request = &upgrade(&app, &token).await["request"];
    assert_eq!(request["status"], "refused");
    assert_eq!(request.get("message"), None);
    assert_eq!(upgrade(&app, &other).await["offers"][0]["left"], 1);
    // The shop hears of it as of a refusal of its own, once.
    assert_eq!(
        upgrade_events(&app).await,
        [
            ("order.upgrade_requested".into(), "requested".into()),
            ("order.upgrade_decided".into(), "refused".into())
        ]
    );
    // Confirming it now is closed; refusing it again changes nothing.
    let (status, body) = decide(&app, &id, json!({"confirm": true})).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "upgrade_closed"),
        "{body}"
    );
    let (status, body) = decide(&app, &id, json!({"confirm": false})).await;
    assert_eq!(
        (status, &body["status"]),
        (StatusCode::OK, &json!("refused"))
    );

    // A request whose day has passed in the shop's time zone can only be refused.
    let (status, _) = ask(&app, &other, "n", "next_day").await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, list) = app
        .get_admin("/api/v1/admin/upgrades?status=requested")
        .await;
    let late = list[0]["id"].clone();
    app.execute(&[&format!(
        "UPDATE order_upgrades SET delivery_on = '2026-11-22' WHERE id = {late}"
    )])
    .await;
    let (status, body) = decide(&app, &late, json!({"confirm": true})).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "upgrade_expired"),
        "{body}"
    );
    let (status, body) = decide(&app, &late, json!({"confirm": false})).await;
    assert_eq!(
        (status, &body["status"]),
        (StatusCode::OK, &json!("refused"))
    );
}

/// A Shopify send of `topic` for order 9001, cancelled or not; its status and JSON answer.
async fn shopify(app: &TestApp, topic: &str, cancelled: bool) -> (StatusCode, Value) {
    use postpurchase_server::domain::platforms::{sign, Platform};
    let order = json!({
        "id": 9001, "name": "#2001", "currency": "EUR", "email": "jane@example.com",
        "created_at": "2026-11-23T11:50:00Z",
        "customer": {"first_name": "Jane", "last_name": "van Dijk"},
        "line_items": [{"id": 1, "sku": "TEE-M", "title": "Tee", "quantity": 1, "price": "20.00"}],
        "shipping_address": {"name": "Jane van Dijk", "address1": "Keizersgracht 123",
                             "zip": "1015 CJ", "city": "Amsterdam", "country_code": "NL"},
        "fulfillments": [],
        "cancelled_at": cancelled.then_some("2026-11-23T12:00:00Z"),
    });
    let bytes = order.to_string().into_bytes();
    let request = axum::http::Request::post("/api/v1/platforms/shop/shopify")
        .header(axum::http::header::CONTENT_TYPE, "application/json")
        .header("x-shopify-topic", topic)
        .header("x-shopify-webhook-id", format!("webhook-{topic}"))
        .header(
            "x-shopify-hmac-sha256",
            sign(Platform::Shopify, "shopify-secret", &bytes),
        )
        .body(axum::body::Body::from(bytes))
        .unwrap();
    json_of(app.send(request).await).await
}

async fn a_platforms_cancellation_refuses_a_confirmed_upgrade(backend: Backend) {
    let app = TestApp::new(backend).await;
    offer(&app, 1).await;
    let (status, _) = app
        .admin_put(
            "/api/v1/admin/feeds/shopify",
            SHOP_KEY,
            &json!({"secret": "shopify-secret"}).to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, created) = shopify(&app, "orders/create", false).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let token = created["access"]["token"].as_str().unwrap().to_owned();
    let (status, _) = ask(&app, &token, "u", "evening").await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, list) = app.get_admin("/api/v1/admin/upgrades").await;
    let id = list[0]["id"].clone();
    let (status, body) = decide(&app, &id, json!({"confirm": true})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let other = order(&app, "1002").await;
    assert_eq!(upgrade(&app, &other).await["offers"][0]["left"], 0);

    let (status, body) = shopify(&app, "orders/cancelled", true).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let request = &upgrade(&app, &token).await["request"];
    assert_eq!(request["status"], "refused");
    assert_eq!(request.get("pay_url"), None);
    // Told to the shop; the same cancellation sent again tells nothing more.
    let told = [
        ("order.upgrade_requested".into(), "requested".into()),
        ("order.upgrade_decided".into(), "confirmed".into()),
        ("order.upgrade_decided".into(), "refused".into()),
    ];
    assert_eq!(upgrade_events(&app).await, told);
    let (status, body) = shopify(&app, "orders/updated", true).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(upgrade_events(&app).await, told);
    assert_eq!(upgrade(&app, &other).await["offers"][0]["left"], 1);
    let (status, body) = decide(&app, &id, json!({"confirm": true})).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "upgrade_closed"),
        "{body}"
    );
}

async fn the_shop_hears_of_requests_and_answers_signed(backend: Backend) {
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
    offer(&app, 20).await;
    app.execute(&[&format!(
        "UPDATE shops SET webhook_url = '{url}', webhook_secret = 'upgrade-secret'
         WHERE slug = 'shop'"
    )])
    .await;
    let worker = webhooks::spawn(
        app.state.db.clone(),
        app.state.webhooks.clone(),
        Backoff::default(),
        app.state.webhook_targets,
    );
    let token = order(&app, "1001").await;
    let (status, _) = ask(&app, &token, "k", "evening").await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, list) = app.get_admin("/api/v1/admin/upgrades").await;
    let (status, _) = decide(&app, &list[0]["id"], json!({"confirm": false})).await;
    assert_eq!(status, StatusCode::OK);

    for _ in 0..150 {
        if seen.lock().unwrap().len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    worker.abort();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2, "a request and an answer");
    let mut statuses = Vec::new();
    for (headers, body) in seen.iter() {
        let timestamp = headers["postpurchase-timestamp"].to_str().unwrap();
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"upgrade-secret").unwrap();
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
        let WebhookData::Upgrade(data) = event.data else {
            panic!("not an upgrade: {body}");
        };
        assert_eq!(data.order_number, "1001");
        assert_eq!(data.email, "1001@example.com");
        statuses.push((event.kind, data.request.status));
    }
    statuses.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        statuses,
        [
            ("order.upgrade_decided".to_owned(), UpgradeStatus::Refused),
            (
                "order.upgrade_requested".to_owned(),
                UpgradeStatus::Requested
            )
        ]
    );
}
