//! Delivery choices through the shopper API: the rules, the cut-offs, the races.
//! The clock stands at 2026-11-23 12:00 UTC (13:00 in Amsterdam, the shop's zone); the
//! parcel is expected on Wednesday 2026-11-25, so its choice locks at 04:00 that day.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use postpurchase_api::{WebhookData, WebhookEvent};
use serde_json::{json, Value};

/// 2026-11-25 04:00 Amsterdam = 03:00 UTC.
const CUTOFF: i64 = 1_795_575_600;

/// Sets up the test shop's delivery offer: Amsterdam time, 04:00 cut-off, five later days,
/// two safe places, neighbours, three slots (the first with one place), two pickup points.
async fn offer_delivery_choices(app: &TestApp, webhook_url: Option<&str>) {
    app.execute(&[
        "UPDATE shops SET time_zone = 'Europe/Amsterdam', choice_cutoff = '04:00',
                later_days = 5, safe_places = 'porch
garage', neighbour_allowed = TRUE
         WHERE slug = 'shop'",
        "INSERT INTO delivery_slots (id, shop_id, date, starts, ends, price, capacity)
         SELECT 1, id, '2026-11-25', '10:00', '12:00', NULL, 1 FROM shops WHERE slug = 'shop'",
        "INSERT INTO delivery_slots (id, shop_id, date, starts, ends, price, capacity)
         SELECT 2, id, '2026-11-25', '18:00', '21:00', 295, 5 FROM shops WHERE slug = 'shop'",
        "INSERT INTO delivery_slots (id, shop_id, date, starts, ends, price, capacity)
         SELECT 3, id, '2026-12-09', '18:00', '21:00', NULL, 5 FROM shops WHERE slug = 'shop'",
        "INSERT INTO delivery_slots (id, shop_id, date, starts, ends, price, capacity)
         SELECT 9, id, '2026-11-25', '10:00', '12:00', NULL, 5 FROM shops WHERE slug = 'other'",
        "INSERT INTO pickup_points (id, shop_id, locker, name, address, opening_hours, latitude, longitude)
         SELECT 1, id, TRUE, 'Parcel locker Centraal', 'Stationsplein 1, 1012 AB Amsterdam',
                'Every day 06:00–23:00', 52.3791, 4.9003 FROM shops WHERE slug = 'shop'",
        "INSERT INTO pickup_points (id, shop_id, locker, name, address, opening_hours, latitude, longitude)
         SELECT 2, id, FALSE, 'Bookshop De Pijp', 'Ferdinand Bolstraat 10, 1072 LJ Amsterdam',
                'Mon–Sat 09:00–18:00
Sun closed', 52.3550, 4.8913 FROM shops WHERE slug = 'shop'",
        "INSERT INTO pickup_points (id, shop_id, locker, name, address, opening_hours)
         SELECT 3, id, FALSE, 'Other shop point', 'Elsewhere 1', '' FROM shops WHERE slug = 'other'",
    ])
    .await;
    app.ids_taken(&["delivery_slots", "pickup_points"]).await;
    if let Some(url) = webhook_url {
        app.execute(&[&format!(
            "UPDATE shops SET webhook_url = '{url}', webhook_secret = 'whsec' WHERE slug = 'shop'"
        )])
        .await;
    }
}

/// An order with one parcel expected on 2026-11-25; returns its token and parcel id.
async fn order_with_parcel(app: &TestApp, number: &str) -> (String, i64) {
    let mut order = sample_order(number, "jane@example.com");
    order["delivery_address"]["latitude"] = json!(52.3676);
    order["delivery_address"]["longitude"] = json!(4.9041);
    let token = app.create_order(SHOP_KEY, &order).await;
    let parcel = json!({"carrier": "postnl", "tracking_number": format!("3S{number}"),
                        "items": [{"sku": "TEE-M", "quantity": 2}],
                        "estimated_delivery": {"from": "2026-11-25T08:00:00Z", "to": "2026-11-25T16:00:00Z"}});
    let (status, body) = app
        .admin_post(
            &format!("/api/v1/admin/orders/{number}/shipments"),
            SHOP_KEY,
            &parcel.to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (token, body["id"].as_i64().unwrap())
}

async fn view(app: &TestApp, token: &str) -> Value {
    let (status, view) = app.get(&format!("/api/v1/shops/shop/orders/{token}")).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    view
}

async fn etag(app: &TestApp, token: &str) -> String {
    view(app, token).await["shipments"][0]["choice_etag"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn choose_request(
    token: &str,
    parcel: i64,
    if_match: Option<&str>,
    key: Option<&str>,
    choice: &Value,
) -> Request<Body> {
    let mut request = Request::post(format!(
        "/api/v1/shops/shop/orders/{token}/shipments/{parcel}/choice"
    ))
    .header(header::CONTENT_TYPE, "application/json");
    if let Some(tag) = if_match {
        request = request.header(header::IF_MATCH, tag);
    }
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    request
        .body(Body::from(json!({ "choice": choice }).to_string()))
        .unwrap()
}

async fn choose(
    app: &TestApp,
    token: &str,
    parcel: i64,
    if_match: Option<&str>,
    choice: Value,
) -> (StatusCode, Value) {
    json_of(
        app.send(choose_request(token, parcel, if_match, None, &choice))
            .await,
    )
    .await
}

fn slot_places(view: &Value, id: i64) -> i64 {
    view["delivery_options"]["slots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .map(|s| s["places_left"].as_i64().unwrap())
        .unwrap()
}

async fn a_shopper_picks_a_slot_changes_to_a_neighbour_and_clears_it(backend: Backend) {
    let app = TestApp::new(backend).await;
    offer_delivery_choices(&app, None).await;
    let (token, parcel) = order_with_parcel(&app, "1001").await;
    let before = view(&app, &token).await;
    let shipment = &before["shipments"][0];
    assert_eq!(shipment["locked"], Value::Null);
    assert_eq!(shipment["changeable_until"], "2026-11-25T03:00:00Z");
    assert_eq!(
        shipment["delivery_dates"],
        json!({"earliest": "2026-11-25", "latest": "2026-11-30"})
    );
    assert_eq!(
        shipment["estimated_delivery"],
        json!({"from": "2026-11-25T08:00:00Z", "to": "2026-11-25T16:00:00Z"})
    );
    let options = &before["delivery_options"];
    assert_eq!(options["safe_places"], json!(["porch", "garage"]));
    assert_eq!(options["neighbour"], true);
    // Only this shop's slots; the far one is listed (the widget filters by delivery dates).
    let ids: Vec<_> = options["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].clone())
        .collect();
    assert_eq!(ids, [json!(1), json!(2), json!(3)]);
    // Pickup points nearest first, with distances from the delivery address.
    let points = options["pickup_points"].as_array().unwrap();
    assert_eq!(points.len(), 2);
    assert_eq!(points[0]["name"], "Parcel locker Centraal");
    assert_eq!(points[0]["locker"], true);
    assert!(points[0]["distance_m"].as_u64().unwrap() < points[1]["distance_m"].as_u64().unwrap());
    assert_eq!(
        points[1]["opening_hours"],
        json!(["Mon–Sat 09:00–18:00", "Sun closed"])
    );

    let tag = shipment["choice_etag"].as_str().unwrap();
    let (status, after) = choose(
        &app,
        &token,
        parcel,
        Some(tag),
        json!({"kind": "slot", "slot_id": 1}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(
        after["shipments"][0]["choice"],
        json!({"kind": "slot", "slot_id": 1})
    );
    assert_eq!(slot_places(&after, 1), 0);
    // The slot is the parcel's window at once (10:00–12:00 Amsterdam), and the order's.
    let slot_window = json!({"from": "2026-11-25T09:00:00Z", "to": "2026-11-25T11:00:00Z"});
    assert_eq!(after["shipments"][0]["estimated_delivery"], slot_window);
    assert_eq!(after["expected_delivery"], slot_window);
    assert_eq!(after["delivery_options"]["slot_payment"], "order_payment");
    let tag2 = after["shipments"][0]["choice_etag"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(tag2, tag);

    let neighbour =
        json!({"kind": "neighbour", "neighbour": {"name": " Mrs Jansen ", "house_number": "12-B"}});
    let (status, after) = choose(&app, &token, parcel, Some(&tag2), neighbour).await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(
        after["shipments"][0]["choice"],
        json!({"kind": "neighbour", "neighbour": {"name": "Mrs Jansen", "house_number": "12-B"}})
    );
    // The slot's place is given back.
    assert_eq!(slot_places(&after, 1), 1);

    let tag3 = after["shipments"][0]["choice_etag"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, after) = choose(
        &app,
        &token,
        parcel,
        Some(&tag3),
        json!({"kind": "another_day", "date": "2026-11-27"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    // Another day: the carrier's hours, on that day.
    assert_eq!(
        after["shipments"][0]["estimated_delivery"],
        json!({"from": "2026-11-27T08:00:00Z", "to": "2026-11-27T16:00:00Z"})
    );

    let tag4 = after["shipments"][0]["choice_etag"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, after) = choose(&app, &token, parcel, Some(&tag4), Value::Null).await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(after["shipments"][0]["choice"], Value::Null);
    // Cleared: the carrier's window again.
    assert_eq!(
        after["shipments"][0]["estimated_delivery"],
        json!({"from": "2026-11-25T08:00:00Z", "to": "2026-11-25T16:00:00Z"})
    );
}

async fn changes_need_a_current_etag(backend: Backend) {
    let app = TestApp::new(backend).await;
    offer_delivery_choices(&app, None).await;
    let (token, parcel) = order_with_parcel(&app, "1001").await;
    let day = json!({"kind": "another_day", "date": "2026-11-27"});
    let (status, body) = choose(&app, &token, parcel, None, day.clone()).await;
    assert_eq!(status, StatusCode::PRECONDITION_REQUIRED, "{body}");
    assert_eq!(body["error"]["code"], "precondition_required");
    let (status, body) = choose(&app, &token, parcel, Some("\"c999\""), day.clone()).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{body}");
    assert_eq!(body["error"]["code"], "precondition_failed");
    assert_eq!(
        view(&app, &token).await["shipments"][0]["choice"],
        Value::Null
    );
}

async fn two_tabs_racing_with_one_etag_get_one_200_and_one_412(backend: Backend) {
    let app = TestApp::new(backend).await;
    offer_delivery_choices(&app, None).await;
    let (token, parcel) = order_with_parcel(&app, "1001").await;
    let tag = etag(&app, &token).await;
    let choices = [
        json!({"kind": "another_day", "date": "2026-11-27"}),
        json!({"kind": "safe_place", "safe_place": {"place": "porch", "risk_accepted": true}}),
    ];
    let tasks: Vec<_> = choices
        .iter()
        .map(|c| {
            let router = app.router.clone();
            let request = choose_request(&token, parcel, Some(&tag), None, c);
            tokio::spawn(async move {
                use tower::ServiceExt;
                router.oneshot(request).await.unwrap().status()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::PRECONDITION_FAILED]);
}

async fn the_last_place_in_a_slot_goes_to_exactly_one_of_many_shoppers(backend: Backend) {
    let app = TestApp::new(backend).await;
    offer_delivery_choices(&app, None).await;
    let mut shoppers = Vec::new();
    for n in 0..20 {
        let (token, parcel) = order_with_parcel(&app, &format!("20{n:02}")).await;
        let tag = etag(&app, &token).await;
        shoppers.push((token, parcel, tag));
    }
    let tasks: Vec<_> = shoppers
        .iter()
        .map(|(token, parcel, tag)| {
            let router = app.router.clone();
            let request = choose_request(
                token,
                *parcel,
                Some(tag),
                None,
                &json!({"kind": "slot", "slot_id": 1}),
            );
            tokio::spawn(async move {
                use tower::ServiceExt;
                json_of(router.oneshot(request).await.unwrap()).await
            })
        })
        .collect();
    let mut won = 0;
    for task in tasks {
        let (status, body) = task.await.unwrap();
        match status {
            StatusCode::OK => won += 1,
            StatusCode::CONFLICT => assert_eq!(body["error"]["code"], "slot_full"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(won, 1);
    let taken = app
        .number("SELECT taken FROM delivery_slots WHERE id = 1")
        .await;
    assert_eq!(taken, 1);
    let holders = app
        .number("SELECT count(*) FROM shipments WHERE choice_slot_id = 1")
        .await;
    assert_eq!(holders, 1);
}

async fn fifty_duplicate_posts_with_one_key_make_one_change_and_one_webhook(backend: Backend) {
    let app = TestApp::new(backend).await;
    offer_delivery_choices(&app, Some("https://merchant.example/hooks")).await;
    let (token, parcel) = order_with_parcel(&app, "1001").await;
    let tag = etag(&app, &token).await;
    let choice = json!({"kind": "slot", "slot_id": 2});
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let router = app.router.clone();
            let request = choose_request(&token, parcel, Some(&tag), Some("tap-1"), &choice);
            tokio::spawn(async move {
                use tower::ServiceExt;
                let response = router.oneshot(request).await.unwrap();
                let replayed = response.headers().contains_key("idempotent-replayed");
                (response.status(), replayed, body_bytes(response).await)
            })
        })
        .collect();
    let mut bodies = Vec::new();
    let mut fresh = 0;
    for task in tasks {
        let (status, replayed, body) = task.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
        fresh += usize::from(!replayed);
        bodies.push(body);
    }
    assert_eq!(
        fresh, 1,
        "one request made the change, 49 got its saved response"
    );
    assert!(bodies.windows(2).all(|w| w[0] == w[1]));
    let after = view(&app, &token).await;
    assert_eq!(slot_places(&after, 2), 4, "one place taken, not fifty");
    assert_eq!(
        after["shipments"][0]["choice_etag"], "\"c2\"",
        "one version bump"
    );
    assert_eq!(app.count("webhook_deliveries").await, 1);

    // The same key with another body is refused; nothing changes.
    let other = choose_request(&token, parcel, Some("\"c2\""), Some("tap-1"), &json!(null));
    let (status, body) = json_of(app.send(other).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "idempotency_key_reused");
    assert_eq!(
        view(&app, &token).await["shipments"][0]["choice"]["slot_id"],
        2
    );
}

async fn every_change_queues_a_webhook_with_the_details_spelled_out(backend: Backend) {
    let app = TestApp::new(backend).await;
    offer_delivery_choices(&app, Some("https://merchant.example/hooks")).await;
    let (token, parcel) = order_with_parcel(&app, "1001").await;
    let tag = etag(&app, &token).await;
    let (status, _) = choose(
        &app,
        &token,
        parcel,
        Some(&tag),
        json!({"kind": "pickup_point", "pickup_point_id": 2}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // Choosing the same again is no change: no new version, no webhook.
    let tag = etag(&app, &token).await;
    let (status, _) = choose(
        &app,
        &token,
        parcel,
        Some(&tag),
        json!({"kind": "pickup_point", "pickup_point_id": 2}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(etag(&app, &token).await, tag);
    let bodies = app
        .texts("SELECT body FROM webhook_deliveries ORDER BY id")
        .await;
    assert_eq!(bodies.len(), 1);
    let event: WebhookEvent = serde_json::from_str(&bodies[0]).unwrap();
    assert_eq!(event.kind, "delivery_choice.changed");
    let WebhookData::DeliveryChoice(data) = event.data else {
        panic!("not a delivery choice: {}", bodies[0]);
    };
    assert_eq!(data.order_number, "1001");
    assert_eq!(data.tracking_number, "3S1001");
    assert_eq!(data.pickup_point.unwrap().name, "Bookshop De Pijp");
}

async fn bad_choices_are_refused_field_by_field_and_change_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    offer_delivery_choices(&app, None).await;
    let (token, parcel) = order_with_parcel(&app, "1001").await;
    let tag = etag(&app, &token).await;
    for (choice, field) in [
        (
            json!({"kind": "neighbour", "neighbour": {"name": "", "house_number": "x"}}),
            vec!["choice.neighbour.name", "choice.neighbour.house_number"],
        ),
        (
            json!({"kind": "safe_place", "safe_place": {"place": "roof"}}),
            vec!["choice.safe_place.place", "choice.safe_place.risk_accepted"],
        ),
        (
            json!({"kind": "slot", "slot_id": 9}),
            vec!["choice.slot_id"],
        ),
        (
            json!({"kind": "slot", "slot_id": 3}),
            vec!["choice.slot_id"],
        ),
        (json!({"kind": "slot"}), vec!["choice.slot_id"]),
        (
            json!({"kind": "pickup_point", "pickup_point_id": 3}),
            vec!["choice.pickup_point_id"],
        ),
        (
            json!({"kind": "another_day", "date": "2026-12-01"}),
            vec!["choice.date"],
        ),
        (
            json!({"kind": "another_day", "date": "2026-11-24"}),
            vec!["choice.date"],
        ),
    ] {
        let (status, body) = choose(&app, &token, parcel, Some(&tag), choice.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{choice}: {body}");
        assert_eq!(error_fields(&body), field, "{choice}");
    }
    let (status, body) = choose(
        &app,
        &token,
        parcel,
        Some(&tag),
        json!({"kind": "teleport"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "invalid_body");
    let after = view(&app, &token).await;
    assert_eq!(after["shipments"][0]["choice"], Value::Null);
    assert_eq!(after["shipments"][0]["choice_etag"], tag.as_str());
}

async fn parcels_are_reached_only_through_their_own_orders_token(backend: Backend) {
    let app = TestApp::new(backend).await;
    offer_delivery_choices(&app, None).await;
    let (token, _) = order_with_parcel(&app, "1001").await;
    let (_, other_parcel) = order_with_parcel(&app, "1002").await;
    let day = json!({"kind": "another_day", "date": "2026-11-27"});
    let (status, body) = choose(&app, &token, other_parcel, Some("*"), day.clone()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["code"], "shipment_not_found");
    let (status, body) = choose(&app, &token, 0, Some("*"), day.clone()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let request = Request::post(format!(
        "/api/v1/shops/other/orders/{token}/shipments/1/choice"
    ))
    .header(header::CONTENT_TYPE, "application/json")
    .header(header::IF_MATCH, "*")
    .body(Body::from(json!({"choice": day}).to_string()))
    .unwrap();
    let (status, body) = json_of(app.send(request).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["code"], "order_not_found");
}

async fn after_the_cut_off_or_once_out_for_delivery_the_choice_is_locked(backend: Backend) {
    let app = TestApp::new(backend).await;
    offer_delivery_choices(&app, None).await;
    let (token, parcel) = order_with_parcel(&app, "1001").await;
    let tag = etag(&app, &token).await;
    let day = json!({"kind": "another_day", "date": "2026-11-27"});

    app.state.clock.set(CUTOFF - 1);
    let (status, body) = choose(&app, &token, parcel, Some(&tag), day.clone()).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "one second before the cut-off: {body}"
    );
    // The parcel now comes on the 27th, so its cut-off moved to 04:00 that day.
    let shipment = &body["shipments"][0];
    assert_eq!(shipment["changeable_until"], "2026-11-27T03:00:00Z");

    app.state.clock.set(CUTOFF + 2 * 86_400);
    let after = view(&app, &token).await;
    let shipment = &after["shipments"][0];
    assert_eq!(shipment["locked"], "cut_off");
    assert_eq!(
        after["delivery_options"],
        Value::Null,
        "nothing left to choose"
    );
    let tag = shipment["choice_etag"].as_str().unwrap();
    let (status, body) = choose(&app, &token, parcel, Some(tag), Value::Null).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "choice_locked");
    assert_eq!(view(&app, &token).await["shipments"][0]["choice"], day);

    // Back before the cut-off, the carrier's driver has it: locked whatever the clock.
    app.state.clock.set(NOW);
    let (status, _) = app
        .admin_post(
            "/api/v1/admin/shipments/postnl/3S1001/events",
            SHOP_KEY,
            &json!({"event_id": "o1", "occurred_at": "2026-11-23T11:00:00Z", "code": "out_for_delivery"}).to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let after = view(&app, &token).await;
    assert_eq!(after["shipments"][0]["locked"], "out_for_delivery");
    let tag = after["shipments"][0]["choice_etag"].as_str().unwrap();
    let (status, body) = choose(&app, &token, parcel, Some(tag), Value::Null).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("out for delivery"));
}

async fn the_changed_view_is_also_what_a_cross_origin_widget_may_read(backend: Backend) {
    let app = TestApp::new(backend).await;
    offer_delivery_choices(&app, None).await;
    let (token, parcel) = order_with_parcel(&app, "1001").await;
    let preflight = Request::options(format!(
        "/api/v1/shops/shop/orders/{token}/shipments/{parcel}/choice"
    ))
    .header(header::ORIGIN, SHOP_ORIGIN)
    .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
    .header(
        header::ACCESS_CONTROL_REQUEST_HEADERS,
        "content-type,if-match,idempotency-key",
    )
    .body(Body::empty())
    .unwrap();
    let response = app.send(preflight).await;
    assert!(response.status().is_success());
    let allowed = response.headers()[header::ACCESS_CONTROL_ALLOW_HEADERS]
        .to_str()
        .unwrap()
        .to_owned();
    for name in ["if-match", "idempotency-key", "content-type"] {
        assert!(allowed.contains(name), "{allowed}");
    }
}

/// A shopper's keys cannot grow the database: a request that changes nothing leaves no
/// record, a record keeps what a retry needs (not the answer's whole body), and an order
/// has at most 100 of them a day.
async fn retry_records_stay_small_and_bounded(backend: Backend) {
    let app = TestApp::new(backend).await;
    offer_delivery_choices(&app, None).await;
    let (token, parcel) = order_with_parcel(&app, "1001").await;
    let neighbour = |n: usize| json!({"kind": "neighbour", "neighbour": {"name": format!("Neighbour {n}"), "house_number": "1"}});
    let (status, _) = choose(&app, &token, parcel, Some("*"), neighbour(0)).await;
    assert_eq!(status, StatusCode::OK);
    // 300 retries-in-name of the same choice, each with a fresh key: nothing is kept.
    for i in 0..300 {
        let request = choose_request(
            &token,
            parcel,
            Some("*"),
            Some(&format!("noop-{i}")),
            &neighbour(0),
        );
        assert_eq!(app.send(request).await.status(), StatusCode::OK);
    }
    assert_eq!(
        app.count("shopper_requests").await,
        0,
        "no record for a no-op"
    );
    // Real changes are kept, small, and replayed with the order as it now is.
    for i in 1..=100 {
        let request = choose_request(
            &token,
            parcel,
            Some("*"),
            Some(&format!("change-{i}")),
            &neighbour(i),
        );
        assert_eq!(app.send(request).await.status(), StatusCode::OK);
    }
    assert_eq!(app.count("shopper_requests").await, 100);
    assert!(
        app.number("SELECT CAST(MAX(LENGTH(body)) AS BIGINT) FROM shopper_requests")
            .await
            < 64,
        "what a retry needs, not the view"
    );
    let replay = app
        .send(choose_request(
            &token,
            parcel,
            Some("*"),
            Some("change-1"),
            &neighbour(1),
        ))
        .await;
    assert_eq!(replay.status(), StatusCode::OK);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    let (_, view) = json_of(replay).await;
    assert_eq!(
        view["shipments"][0]["choice"]["neighbour"]["name"],
        "Neighbour 100"
    );
    // The 101st keyed change of the day is refused, and changes nothing.
    let (status, error) = json_of(
        app.send(choose_request(
            &token,
            parcel,
            Some("*"),
            Some("change-101"),
            &neighbour(101),
        ))
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{error}");
    assert_eq!(error["error"]["code"], "too_many_requests");
    assert_eq!(app.count("shopper_requests").await, 100);
    let (_, view) = app.get(&format!("/api/v1/shops/shop/orders/{token}")).await;
    assert_eq!(
        view["shipments"][0]["choice"]["neighbour"]["name"],
        "Neighbour 100"
    );
}

storage_tests!(
    retry_records_stay_small_and_bounded,
    a_shopper_picks_a_slot_changes_to_a_neighbour_and_clears_it,
    changes_need_a_current_etag,
    two_tabs_racing_with_one_etag_get_one_200_and_one_412,
    the_last_place_in_a_slot_goes_to_exactly_one_of_many_shoppers,
    fifty_duplicate_posts_with_one_key_make_one_change_and_one_webhook,
    every_change_queues_a_webhook_with_the_details_spelled_out,
    bad_choices_are_refused_field_by_field_and_change_nothing,
    parcels_are_reached_only_through_their_own_orders_token,
    after_the_cut_off_or_once_out_for_delivery_the_choice_is_locked,
    the_changed_view_is_also_what_a_cross_origin_widget_may_read,
);
