//! Events out and the clock: parcel news, reviews, answers and referrals each sent to the
//! shop once per change, every body valid against its type's schema in the OpenAPI
//! document; parcels that turn late or quiet and orders that stall, found by the server's
//! own checks driven by the test clock, either side of each limit.

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use common::*;
use postpurchase_server::{delays, maintenance, openapi};
use serde_json::{json, Value};

const DAY: i64 = 86_400;

/// Sends the shop's webhooks to an endpoint (kept in the outbox: tests read it there).
async fn with_webhook(app: &TestApp) {
    app.execute(&[
        "UPDATE shops SET webhook_url = 'https://hooks.shop.example/pp',
                   webhook_secret = 'whsec' WHERE slug = 'shop'",
    ])
    .await;
}

/// The queued webhooks' bodies, oldest first.
async fn sent(app: &TestApp) -> Vec<Value> {
    app.texts("SELECT body FROM webhook_deliveries ORDER BY id")
        .await
        .iter()
        .map(|b| serde_json::from_str(b).unwrap())
        .collect()
}

fn kinds(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
}

/// Jane's order 1001 (no promised days) with her tees in DHL parcel `JV1`, expected by
/// `eta_to` if given.
async fn order_with_parcel(app: &TestApp, eta_to: Option<&str>) -> String {
    let mut order = sample_order("1001", "jane@example.com");
    order.as_object_mut().unwrap().remove("promised_delivery");
    let token = app.create_order(SHOP_KEY, &order).await;
    let mut parcel = json!({"carrier": "dhl", "tracking_number": "JV1",
                            "items": [{"sku": "TEE-M", "quantity": 2}]});
    if let Some(to) = eta_to {
        parcel["estimated_delivery"] = json!({"from": "2026-11-24T08:00:00Z", "to": to});
    }
    let (status, body) = app
        .admin_post(
            "/api/v1/admin/orders/1001/shipments",
            SHOP_KEY,
            &parcel.to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    token
}

/// A carrier event for parcel `JV1`; the status code of the answer.
async fn carrier(app: &TestApp, id: &str, code: &str, at: i64) -> StatusCode {
    let at = time::OffsetDateTime::from_unix_timestamp(at)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let event = json!({"event_id": id, "occurred_at": at, "code": code});
    let (status, body) = app
        .admin_post(
            "/api/v1/admin/shipments/dhl/JV1/events",
            SHOP_KEY,
            &event.to_string(),
        )
        .await;
    assert!(status.is_success(), "{body}");
    status
}

async fn parcel(app: &TestApp, token: &str) -> Value {
    let (status, view) = app.get(&format!("/api/v1/shops/shop/orders/{token}")).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    view["shipments"][0].clone()
}

/// Runs the server's check at `at`, as its clock would.
async fn check_at(app: &TestApp, at: i64) {
    app.state.clock.set(at);
    delays::check(&app.state).await.unwrap();
}

/// Checks `value` against the schema `schema` of `doc` (the subset of JSON Schema the
/// document uses: `$ref`, `type`, `required`, `properties`, `enum`, `oneOf`, `items`,
/// bounds), and also that it carries no property the schema does not name.
fn conforms(doc: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/schemas/");
        return conforms(doc, &doc["components"]["schemas"][name], value, at);
    }
    if let Some(options) = schema["oneOf"].as_array() {
        let fits = options
            .iter()
            .filter(|o| conforms(doc, o, value, at).is_ok())
            .count();
        return (fits == 1)
            .then_some(())
            .ok_or(format!("{at}: fits {fits} of oneOf"));
    }
    if let Some(types) = schema.get("type") {
        let names: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let fits = |t: &str| match t {
            "null" => value.is_null(),
            "string" => value.is_string(),
            "boolean" => value.is_boolean(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "object" => value.is_object(),
            "array" => value.is_array(),
            _ => false,
        };
        if !names.iter().any(|t| fits(t)) {
            return Err(format!("{at}: {value} is not {names:?}"));
        }
    }
    if let Some(values) = schema["enum"].as_array() {
        if !values.contains(value) {
            return Err(format!("{at}: {value} is not one of {values:?}"));
        }
    }
    if let (Some(n), Some(min)) = (value.as_f64(), schema["minimum"].as_f64()) {
        if n < min {
            return Err(format!("{at}: {n} < {min}"));
        }
    }
    if let (Some(n), Some(max)) = (value.as_f64(), schema["maximum"].as_f64()) {
        if n > max {
            return Err(format!("{at}: {n} > {max}"));
        }
    }
    if let (Some(object), Some(properties)) = (value.as_object(), schema["properties"].as_object())
    {
        for name in schema["required"].as_array().into_iter().flatten() {
            let name = name.as_str().unwrap();
            if !object.contains_key(name) {
                return Err(format!("{at}: {name} missing"));
            }
        }
        for (name, v) in object {
            let Some(s) = properties.get(name) else {
                return Err(format!("{at}: {name} is not in the schema"));
            };
            conforms(doc, s, v, &format!("{at}.{name}"))?;
        }
    }
    if let (Some(items), Some(schema)) = (value.as_array(), schema.get("items")) {
        for (i, v) in items.iter().enumerate() {
            conforms(doc, schema, v, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}

/// Every event checked against the schema the OpenAPI document gives its type, and listed
/// under the document's `webhooks`.
fn assert_documented(events: &[Value]) {
    let doc = openapi::document();
    for event in events {
        let kind = event["type"].as_str().unwrap();
        assert!(
            doc["webhooks"][kind]["post"].is_object(),
            "{kind} not listed"
        );
        let schema =
            json!({"$ref": format!("#/components/schemas/{}", openapi::event_schema(kind))});
        if let Err(e) = conforms(doc, &schema, event, kind) {
            panic!("{e}\n{event:#}");
        }
    }
}

async fn each_change_is_sent_once_with_its_schema(backend: Backend) {
    let app = TestApp::new(backend).await;
    with_webhook(&app).await;
    let token = order_with_parcel(&app, None).await;
    assert!(sent(&app).await.is_empty());

    // Parcel news: each change of status once; a replay, or news that changes nothing, none.
    assert_eq!(
        carrier(&app, "a", "transit", NOW - 3600).await,
        StatusCode::CREATED
    );
    assert_eq!(
        carrier(&app, "a", "transit", NOW - 3600).await,
        StatusCode::OK
    );
    carrier(&app, "b", "transit", NOW - 1800).await;
    carrier(&app, "c", "delivered", NOW - 600).await;
    // An older event arriving late changes nothing: the latest by time still says delivered.
    carrier(&app, "0", "pre-transit", NOW - 7200).await;
    let events = sent(&app).await;
    assert_eq!(
        kinds(&events),
        [
            "shipment.status_changed",
            "shipment.status_changed",
            "shipment.delivered"
        ]
    );
    let first = &events[0]["data"];
    assert_eq!(
        (
            first["previous_status"].clone(),
            first["status"].clone(),
            first["carrier_code"].clone()
        ),
        (json!("pending"), json!("in_transit"), json!("transit"))
    );
    assert_eq!(first["email"], "jane@example.com");
    assert_eq!(first["first_name"], "Jane");
    assert_eq!(first["order_number"], "1001");
    assert_eq!(first["tracking_number"], "JV1");
    assert!(first["tracking_url"]
        .as_str()
        .unwrap()
        .starts_with("https://"));
    assert_eq!(events[1]["data"], events[2]["data"]);
    assert_eq!(events[2]["data"]["previous_status"], "in_transit");
    assert_eq!(events[2]["data"]["status"], "delivered");
    assert_ne!(events[1]["id"], events[2]["id"]);

    // A review, two answers and a referral: one event each.
    for (settings, body) in [
        ("review-settings", r#"{"enabled": true}"#),
        (
            "survey-settings",
            r#"{"enabled": true, "heard_options": ["Instagram", "A friend"]}"#,
        ),
    ] {
        let (status, body) = app
            .admin_put(&format!("/api/v1/admin/{settings}"), SHOP_KEY, body)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (_, items) = app
        .get(&format!("/api/v1/shops/shop/orders/{token}/reviews"))
        .await;
    let tee = items[0]["line_id"].as_i64().unwrap();
    let shopper = |path: &str, body: Value| {
        let path = format!("/api/v1/shops/shop/orders/{token}/{path}");
        let app = &app;
        async move {
            let request = json_request("POST", &path, &[], &body);
            let (status, answer) = json_of(app.send(request).await).await;
            assert_eq!(status, StatusCode::CREATED, "{path}: {answer}");
        }
    };
    shopper(
        "reviews",
        json!({"line_id": tee, "stars": 5, "title": "Soft", "body": "Fits well"}),
    )
    .await;
    shopper("survey/nps", json!({"score": 9, "comment": "Quick"})).await;
    shopper(
        "survey/heard",
        json!({"option": "other", "other": "A podcast"}),
    )
    .await;
    // Preferences are not an answer to announce.
    let request = json_request(
        "POST",
        &format!("/api/v1/shops/shop/orders/{token}/preferences"),
        &[],
        &json!({"email": true, "sms": false}),
    );
    assert!(app.send(request).await.status().is_success());
    let terms = json!({"enabled": true, "share_url": "https://shop.example/?ref={code}",
                       "friend_reward": {"kind": "amount_off", "value": 1000, "currency": "EUR"},
                       "referrer_reward": {"kind": "store_credit", "value": 1500, "currency": "EUR"}});
    let (status, body) = app
        .admin_put(
            "/api/v1/admin/referral-settings",
            SHOP_KEY,
            &terms.to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, view) = app
        .get(&format!("/api/v1/shops/shop/orders/{token}/referral"))
        .await;
    let code = view["code"].as_str().unwrap().to_owned();
    let redemption = json!({"code": code, "email": "ada@example.net", "order_number": "A-7"});
    for expected in [StatusCode::CREATED, StatusCode::OK] {
        let (status, body) = app
            .admin_post(
                "/api/v1/admin/referrals/redemptions",
                SHOP_KEY,
                &redemption.to_string(),
            )
            .await;
        assert_eq!(status, expected, "{body}");
    }

    let events = sent(&app).await;
    assert_eq!(
        kinds(&events)[3..],
        [
            "review.created",
            "survey.answered",
            "survey.answered",
            "referral.redeemed"
        ]
    );
    let review = &events[3]["data"];
    assert_eq!(
        (review["sku"].clone(), review["stars"].clone()),
        (json!("TEE-M"), json!(5))
    );
    assert_eq!(review["product_name"], "Organic tee");
    assert_eq!(events[4]["data"]["score"], 9);
    assert_eq!(events[4]["data"]["comment"], "Quick");
    assert_eq!(events[5]["data"]["heard"], "other");
    assert_eq!(events[5]["data"]["heard_other"], "A podcast");
    let referral = &events[6]["data"];
    assert_eq!(referral["code"], code.as_str());
    assert_eq!(referral["email"], "jane@example.com");
    assert_eq!(referral["referrer_reward"]["value"], 1500);
    assert_eq!(referral["friend_order_number"], "A-7");
    assert_documented(&events);
    // Signed when sent, as every webhook is: the worker signs whatever body it sends
    // (tests/webhooks.rs checks the signature); here every one is ready to go.
    assert_eq!(
        app.number("SELECT count(*) FROM webhook_deliveries WHERE state = 'pending'")
            .await,
        7
    );
}

async fn a_quiet_parcel_is_delayed_after_the_shops_days_and_not_before(backend: Backend) {
    let app = TestApp::new(backend).await;
    with_webhook(&app).await;
    let token = order_with_parcel(&app, None).await;
    let news = NOW - 3600;
    carrier(&app, "a", "transit", news).await;
    let before = sent(&app).await.len();

    check_at(&app, news + 3 * DAY).await;
    assert_eq!(parcel(&app, &token).await["status"], "in_transit");
    assert_eq!(sent(&app).await.len(), before);

    check_at(&app, news + 3 * DAY + 1).await;
    let p = parcel(&app, &token).await;
    assert_eq!(
        (p["status"].clone(), p["delay_reason"].clone()),
        (json!("delayed"), json!("no_news"))
    );
    // The carrier's own words stay beside it.
    assert_eq!(p["carrier_code"], "transit");
    let events = sent(&app).await;
    assert_eq!(
        kinds(&events[before..]),
        ["shipment.status_changed", "shipment.delayed"]
    );
    assert_eq!(events[before]["data"]["delay_reason"], "no_news");
    assert_eq!(events[before]["data"]["previous_status"], "in_transit");
    assert_documented(&events);

    // Looking again changes nothing and sends nothing.
    check_at(&app, news + 4 * DAY).await;
    assert_eq!(sent(&app).await.len(), before + 2);

    // News from the carrier ends it, and is sent as such.
    carrier(&app, "b", "transit", news + 4 * DAY - 60).await;
    let p = parcel(&app, &token).await;
    assert_eq!(
        (p["status"].clone(), p["delay_reason"].clone()),
        (json!("in_transit"), Value::Null)
    );
    let events = sent(&app).await;
    assert_eq!(kinds(&events[before + 2..]), ["shipment.status_changed"]);
    assert_eq!(events[before + 2]["data"]["previous_status"], "delayed");

    // A shop that allows more days, or none, is asked first.
    let (status, body) = app
        .admin_put(
            "/api/v1/admin/delay-settings",
            SHOP_KEY,
            r#"{"no_news_days": 0, "dispatch_days": 2}"#,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    check_at(&app, news + 40 * DAY).await;
    assert_eq!(parcel(&app, &token).await["status"], "in_transit");
}

async fn a_parcel_past_its_window_is_late_until_delivered(backend: Backend) {
    let app = TestApp::new(backend).await;
    with_webhook(&app).await;
    let due = NOW + 2 * DAY;
    let token = order_with_parcel(&app, Some("2026-11-25T12:00:00Z")).await;
    carrier(&app, "a", "transit", NOW - 60).await;

    check_at(&app, due - 1).await;
    assert_eq!(parcel(&app, &token).await["status"], "in_transit");
    check_at(&app, due).await;
    let p = parcel(&app, &token).await;
    assert_eq!(
        (p["status"].clone(), p["delay_reason"].clone()),
        (json!("delayed"), json!("late"))
    );
    let count = sent(&app).await.len();
    // Still moving but still late: it stays delayed, and nothing new is sent.
    carrier(&app, "b", "transit", due + 60).await;
    assert_eq!(parcel(&app, &token).await["delay_reason"], "late");
    assert_eq!(sent(&app).await.len(), count);
    // Delivered ends it.
    carrier(&app, "c", "delivered", due + 120).await;
    let p = parcel(&app, &token).await;
    assert_eq!(
        (p["status"].clone(), p["delay_reason"].clone()),
        (json!("delivered"), Value::Null)
    );
    let events = sent(&app).await;
    assert_eq!(
        kinds(&events[count..]),
        ["shipment.status_changed", "shipment.delivered"]
    );
    check_at(&app, due + 30 * DAY).await;
    assert_eq!(sent(&app).await.len(), count + 2);

    // Without a carrier estimate, the order's promised last day counts, to its end in the
    // shop's zone: 2026-11-27 ends at 23:00 UTC in Amsterdam.
    app.execute(&["UPDATE shops SET time_zone = 'Europe/Amsterdam' WHERE slug = 'shop'"])
        .await;
    let second = app
        .create_order(SHOP_KEY, &sample_order("1002", "jane@example.com"))
        .await;
    let body = json!({"carrier": "dhl", "tracking_number": "JV2",
                      "items": [{"sku": "CAP", "quantity": 1}]});
    app.admin_post(
        "/api/v1/admin/orders/1002/shipments",
        SHOP_KEY,
        &body.to_string(),
    )
    .await;
    let end = 1_795_820_400; // 2026-11-27T23:00:00Z
    check_at(&app, end - 1).await;
    assert_eq!(parcel(&app, &second).await["status"], "pending");
    check_at(&app, end).await;
    assert_eq!(parcel(&app, &second).await["delay_reason"], "late");
}

async fn an_order_not_with_a_carrier_by_its_dispatch_day_stalls_once(backend: Backend) {
    let app = TestApp::new(backend).await;
    with_webhook(&app).await;
    app.execute(&["UPDATE shops SET time_zone = 'Europe/Amsterdam' WHERE slug = 'shop'"])
        .await;
    // Placed Sunday 22 November: two working days later is Tuesday the 24th, which ends at
    // 23:00 UTC in Amsterdam.
    app.create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    // Its own dispatch day comes first.
    let mut promised = sample_order("1002", "bob@example.com");
    promised["dispatch_by"] = json!("2026-11-26");
    app.create_order(SHOP_KEY, &promised).await;
    // Handed over in time: never stalled.
    order_with_parcel_numbered(&app, "1003").await;
    // Cancelled orders are not waited for.
    app.create_order(SHOP_KEY, &sample_order("1004", "eve@example.com"))
        .await;
    app.execute(&["UPDATE orders SET cancelled = TRUE WHERE number = '1004'"])
        .await;

    let tuesday_ends = 1_795_561_200; // 2026-11-24T23:00:00Z
    check_at(&app, tuesday_ends - 1).await;
    assert!(stalled(&app).await.is_empty());
    check_at(&app, tuesday_ends).await;
    let events = stalled(&app).await;
    assert_eq!(kinds(&events), ["order.stalled"]);
    let data = &events[0]["data"];
    assert_eq!(
        (
            data["order_number"].clone(),
            data["dispatch_by"].clone(),
            data["parcels"].clone()
        ),
        (json!("1001"), json!("2026-11-24"), json!(0))
    );
    assert_documented(&events);
    check_at(&app, tuesday_ends + DAY).await;
    assert_eq!(stalled(&app).await.len(), 1);
    check_at(&app, tuesday_ends + 2 * DAY).await;
    let events = stalled(&app).await;
    assert_eq!(kinds(&events), ["order.stalled", "order.stalled"]);
    assert_eq!(events[1]["data"]["order_number"], "1002");
    check_at(&app, tuesday_ends + 20 * DAY).await;
    assert_eq!(stalled(&app).await.len(), 2);
}

/// The `order.stalled` events queued, oldest first.
async fn stalled(app: &TestApp) -> Vec<Value> {
    let mut events = sent(app).await;
    events.retain(|e| e["type"] == "order.stalled");
    events
}

/// Order `number` with its cap in parcel `tracking` of `carrier`, not yet scanned.
async fn order_with_cap_parcel(app: &TestApp, number: &str, carrier: &str, tracking: &str) {
    app.create_order(SHOP_KEY, &sample_order(number, "ann@example.com"))
        .await;
    let body = json!({"carrier": carrier, "tracking_number": tracking,
                      "items": [{"sku": "CAP", "quantity": 1}]});
    let (status, answer) = app
        .admin_post(
            &format!("/api/v1/admin/orders/{number}/shipments"),
            SHOP_KEY,
            &body.to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
}

/// Order `number` with a parcel a carrier scanned the day after.
async fn order_with_parcel_numbered(app: &TestApp, number: &str) {
    order_with_cap_parcel(app, number, "ups", &format!("1Z{number}")).await;
    let event = json!({"event_id": "scan", "occurred_at": "2026-11-23T08:00:00Z", "code": "I"});
    let (status, answer) = app
        .admin_post(
            &format!("/api/v1/admin/shipments/ups/1Z{number}/events"),
            SHOP_KEY,
            &event.to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
}

/// More orders and parcels than the clock takes at once (it pages through them, 200 at a
/// time, so a shop's whole backlog never sits in memory): one run finds every one of them,
/// and the next run none again.
async fn a_run_finds_every_late_parcel_and_stalled_order_past_a_page(backend: Backend) {
    const MANY: usize = 201;
    let app = TestApp::new(backend).await;
    with_webhook(&app).await;
    for n in 3000..3000 + MANY {
        order_with_cap_parcel(&app, &n.to_string(), "dhl", &format!("JV{n}")).await;
    }
    // Promised by the 27th and dispatch day the 24th, never scanned: on the 28th every
    // parcel is late and every order stalled.
    let count = |events: &[Value], kind: &str| events.iter().filter(|e| e["type"] == kind).count();
    let the_28th = 1_795_824_000; // 2026-11-28T00:00:00Z
    check_at(&app, the_28th + 12 * 3600).await;
    let events = sent(&app).await;
    assert_eq!(count(&events, "order.stalled"), MANY);
    assert_eq!(count(&events, "shipment.delayed"), MANY);
    check_at(&app, the_28th + 13 * 3600).await;
    assert_eq!(sent(&app).await.len(), events.len());
}

async fn the_server_checks_on_its_own(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = order_with_parcel(&app, None).await;
    carrier(&app, "a", "transit", NOW - 3600).await;
    app.state.clock.set(NOW + 10 * DAY);
    let task = maintenance::check_delays(app.state.clone(), Duration::from_millis(20));
    let mut status = Value::Null;
    for _ in 0..250 {
        status = parcel(&app, &token).await["status"].clone();
        if status == "delayed" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    task.abort();
    assert_eq!(status, "delayed");
}

async fn the_limits_are_the_owners_to_set(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (status, body) = app.get_admin("/api/v1/admin/delay-settings").await;
    assert_eq!(
        (status, body),
        (
            StatusCode::OK,
            json!({"no_news_days": 3, "dispatch_days": 2})
        )
    );
    let (status, body) = app
        .admin_put(
            "/api/v1/admin/delay-settings",
            SHOP_KEY,
            r#"{"no_news_days": 31, "dispatch_days": 40}"#,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), ["no_news_days", "dispatch_days"]);
    let (status, body) = app
        .admin_put(
            "/api/v1/admin/delay-settings",
            SHOP_KEY,
            r#"{"no_news_days": 5, "dispatch_days": 1}"#,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = app.get_admin("/api/v1/admin/delay-settings").await;
    assert_eq!(body, json!({"no_news_days": 5, "dispatch_days": 1}));
    // Another shop's are its own.
    let (_, body) = app
        .get_admin_with("/api/v1/admin/delay-settings", OTHER_KEY)
        .await;
    assert_eq!(body["no_news_days"], 3);
}

storage_tests!(
    each_change_is_sent_once_with_its_schema,
    a_quiet_parcel_is_delayed_after_the_shops_days_and_not_before,
    a_parcel_past_its_window_is_late_until_delivered,
    an_order_not_with_a_carrier_by_its_dispatch_day_stalls_once,
    a_run_finds_every_late_parcel_and_stalled_order_past_a_page,
    the_server_checks_on_its_own,
    the_limits_are_the_owners_to_set,
);
