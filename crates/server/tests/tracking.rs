//! Parcels and carrier events through the admin API, and what the shopper then sees.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};

const SHIPMENTS: &str = "/api/v1/admin/orders/1001/shipments";
const EVENTS: &str = "/api/v1/admin/shipments/postnl/3SABC123/events";

async fn order_with_parcel(app: &TestApp) -> String {
    let token = app
        .create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    let parcel = json!({"carrier": "postnl", "tracking_number": "3SABC123",
                        "items": [{"sku": "TEE-M", "quantity": 2}]});
    let (status, body) = app
        .admin_post(SHIPMENTS, SHOP_KEY, &parcel.to_string())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["status"], "pending");
    assert_eq!(body["items"][0]["quantity"], 2);
    assert_eq!(body["events"], json!([]));
    token
}

fn event(id: &str, at: &str, code: &str) -> String {
    json!({"event_id": id, "occurred_at": at, "code": code, "text": format!("carrier says {code}"),
           "location": "Amsterdam"})
    .to_string()
}

async fn view(app: &TestApp, token: &str) -> Value {
    let (status, view) = app.get(&format!("/api/v1/shops/shop/orders/{token}")).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    view
}

async fn the_latest_event_by_time_decides_whatever_the_arrival_order(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = order_with_parcel(&app).await;
    assert_eq!(view(&app, &token).await["stage"], "processing");

    let (status, state) = app
        .admin_post(
            EVENTS,
            SHOP_KEY,
            &event("e2", "2026-11-23T09:00:00Z", "out for delivery"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{state}");
    assert_eq!(state["status"], "out_for_delivery");
    // An older event arriving late is kept but does not turn the clock back.
    let (status, state) = app
        .admin_post(
            EVENTS,
            SHOP_KEY,
            &event("e1", "2026-11-22T18:00:00Z", "picked_up"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(state["status"], "out_for_delivery");
    assert_eq!(state["events"], 2);

    let shown = view(&app, &token).await;
    let parcel = &shown["shipments"][0];
    assert_eq!(parcel["status"], "out_for_delivery");
    assert_eq!(parcel["carrier_code"], "out for delivery");
    assert_eq!(parcel["carrier_text"], "carrier says out for delivery");
    // The timeline, newest first, whatever the arrival order.
    let timeline: Vec<(&str, &str)> = parcel["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["occurred_at"].as_str().unwrap(),
                e["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        timeline,
        [
            ("2026-11-23T09:00:00Z", "out_for_delivery"),
            ("2026-11-22T18:00:00Z", "in_transit")
        ]
    );
    assert_eq!(parcel["events"][1]["location"], "Amsterdam");
    // The parcel holds both tees: the order's first line.
    assert_eq!(
        parcel["items"],
        json!([{"line_id": shown["items"][0]["id"], "quantity": 2}])
    );
    // A parcel out for delivery leads the order's stage.
    assert_eq!(shown["stage"], "out_for_delivery");
}

async fn the_same_event_twice_is_one_event(backend: Backend) {
    let app = TestApp::new(backend).await;
    order_with_parcel(&app).await;
    let first = event("e1", "2026-11-23T09:00:00Z", "in_transit");
    app.admin_post(EVENTS, SHOP_KEY, &first).await;
    let (status, state) = app.admin_post(EVENTS, SHOP_KEY, &first).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(state["recorded"], false);
    assert_eq!(state["events"], 1);
    assert_eq!(app.count("shipment_events").await, 1);
}

async fn an_unknown_carrier_code_is_kept_as_unknown_not_refused(backend: Backend) {
    let app = TestApp::new(backend).await;
    order_with_parcel(&app).await;
    let (status, state) = app
        .admin_post(
            EVENTS,
            SHOP_KEY,
            &event("e1", "2026-11-23T09:00:00Z", "Z42 sorting centre B"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(state["status"], "unknown");
    let code = app.text("SELECT carrier_code FROM shipments").await;
    assert_eq!(code, "Z42 sorting centre B");
}

async fn malformed_events_name_their_fields_and_write_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    order_with_parcel(&app).await;
    let (status, error) = app
        .admin_post(
            EVENTS,
            SHOP_KEY,
            &json!({"event_id": "", "occurred_at": "tomorrow", "code": "delivered"}).to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = error_fields(&error);
    assert_eq!(fields, ["event_id", "occurred_at"]);
    let (status, error) = app
        .admin_post(EVENTS, SHOP_KEY, r#"{"event_id": "e1", "#)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    assert_eq!(app.count("shipment_events").await, 0);
}

async fn shipments_are_checked_against_the_order_and_the_shop(backend: Backend) {
    let app = TestApp::new(backend).await;
    order_with_parcel(&app).await;
    // Unknown SKU, and more caps than were ordered (one), both named.
    let (status, error) = app
        .admin_post(
            SHIPMENTS,
            SHOP_KEY,
            &json!({"carrier": "dhl", "tracking_number": "JV1", "items": [
                {"sku": "NOPE", "quantity": 1}, {"sku": "CAP", "quantity": 1}, {"sku": "CAP", "quantity": 1}]})
            .to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert_eq!(error["error"]["fields"][0]["field"], "items[0].sku");
    assert_eq!(error["error"]["fields"][1]["field"], "items[2].quantity");
    // The tee line is already fully in the first parcel.
    let (status, _) = app
        .admin_post(
            SHIPMENTS,
            SHOP_KEY,
            &json!({"carrier": "dhl", "tracking_number": "JV2", "items": [{"sku": "TEE-M", "quantity": 1}]})
                .to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // The same tracking number again is a conflict.
    let (status, _) = app
        .admin_post(
            SHIPMENTS,
            SHOP_KEY,
            &json!({"carrier": "postnl", "tracking_number": "3SABC123", "items": [{"sku": "CAP", "quantity": 1}]})
                .to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(app.count("shipments").await, 1);
    // Another shop can neither see nor feed this shipment.
    let (status, _) = app
        .admin_post(
            EVENTS,
            OTHER_KEY,
            &event("e1", "2026-11-23T09:00:00Z", "delivered"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .admin_post(
            SHIPMENTS,
            OTHER_KEY,
            &json!({"carrier": "dhl", "tracking_number": "X",
            "items": [{"sku": "CAP", "quantity": 1}]})
            .to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("shipment_events").await, 0);
}

async fn a_widget_rechecking_gets_304_until_the_order_changes(backend: Backend) {
    use axum::body::Body;
    use axum::http::{header, Request};
    let app = TestApp::new(backend).await;
    let token = order_with_parcel(&app).await;
    let uri = format!("/api/v1/shops/shop/orders/{token}");
    let get = |etag: Option<&str>| {
        let mut request = Request::get(&uri);
        if let Some(etag) = etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        request.body(Body::empty()).unwrap()
    };
    let first = app.send(get(None)).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.headers()[header::CACHE_CONTROL], "private, no-cache");
    let etag = first.headers()[header::ETAG].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"') && etag.len() > 20, "{etag}");

    let again = app.send(get(Some(&etag))).await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()[header::ETAG], etag.as_str());
    assert!(body_bytes(again).await.is_empty());
    assert_eq!(
        app.send(get(Some("\"other\""))).await.status(),
        StatusCode::OK
    );

    app.admin_post(
        EVENTS,
        SHOP_KEY,
        &event("e1", "2026-11-23T09:00:00Z", "in_transit"),
    )
    .await;
    let changed = app.send(get(Some(&etag))).await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_ne!(changed.headers()[header::ETAG], etag.as_str());
    let (_, view) = json_of(changed).await;
    assert_eq!(view["shipments"][0]["status"], "in_transit");
}

async fn deliveries_say_where_the_parcel_was_left_and_estimates_follow_the_latest_event(
    backend: Backend,
) {
    let app = TestApp::new(backend).await;
    let token = order_with_parcel(&app).await;
    let with_eta = |id: &str, at: &str, code: &str, from: &str| {
        json!({"event_id": id, "occurred_at": at, "code": code,
               "estimated_delivery": {"from": from, "to": "2026-11-26T16:00:00Z"}})
        .to_string()
    };
    let (status, _) = app
        .admin_post(
            EVENTS,
            SHOP_KEY,
            &with_eta(
                "a",
                "2026-11-23T08:00:00Z",
                "sorted",
                "2026-11-26T08:00:00Z",
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // An older event's estimate, arriving late, is stale and ignored.
    let (status, _) = app
        .admin_post(
            EVENTS,
            SHOP_KEY,
            &with_eta(
                "b",
                "2026-11-22T08:00:00Z",
                "picked_up",
                "2026-11-24T08:00:00Z",
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let order = view(&app, &token).await;
    let parcel = &order["shipments"][0];
    assert_eq!(parcel["estimated_delivery"]["from"], "2026-11-26T08:00:00Z");
    // The order's head tells the parcel's window, not a promise of its own.
    assert_eq!(order["expected_delivery"], parcel["estimated_delivery"]);
    assert_eq!(order["delivered_at"], Value::Null);
    assert_eq!(
        parcel["tracking_url"],
        "https://jouw.postnl.nl/track-and-trace/3SABC123"
    );
    assert_eq!(parcel["delivered_to"], Value::Null);

    // The code says neighbour; an explicit `delivered_to` would say more.
    let (status, _) = app
        .admin_post(
            EVENTS,
            SHOP_KEY,
            &event("c", "2026-11-23T10:00:00Z", "Delivered to neighbour"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let parcel = &view(&app, &token).await["shipments"][0];
    assert_eq!(parcel["status"], "delivered");
    assert_eq!(parcel["delivered_to"], "neighbour");
    let explicit = json!({"event_id": "d", "occurred_at": "2026-11-23T10:05:00Z", "code": "delivered",
                          "delivered_to": "safe_place"});
    let (status, _) = app
        .admin_post(EVENTS, SHOP_KEY, &explicit.to_string())
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let order = view(&app, &token).await;
    let parcel = &order["shipments"][0];
    assert_eq!(parcel["delivered_to"], "safe_place");
    assert_eq!(parcel["locked"], "delivered");
    // Delivered: when, on the parcel and the order; no window left in the past.
    assert_eq!(parcel["delivered_at"], "2026-11-23T10:05:00Z");
    assert_eq!(order["delivered_at"], "2026-11-23T10:05:00Z");
    assert_eq!(order["expected_delivery"], Value::Null);

    // A place that is not one of ours is a field error, and nothing is recorded.
    let bad = json!({"event_id": "e", "occurred_at": "2026-11-23T11:00:00Z", "code": "delivered",
                     "delivered_to": "roof"});
    let (status, body) = app.admin_post(EVENTS, SHOP_KEY, &bad.to_string()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        view(&app, &token).await["shipments"][0]["events"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
}

/// Carrier events for one parcel arriving at once take turns on its row: none is lost,
/// each answer counts the events before it and its own (1 to 24, each once), and the
/// latest by time decides the status whatever order they were taken in. On PostgreSQL
/// these writes run `READ COMMITTED`: the parcel's row lock (and the order's version,
/// which each one bumps) make them wait for each other, where two writes that did not
/// would count the same number.
async fn carrier_events_at_once_take_turns_on_their_parcel(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = order_with_parcel(&app).await;
    let bodies: Vec<String> = (0..24)
        .map(|n| {
            // Times out of order; the 24th hour is the latest, and it is the delivery.
            let hour = (n * 7) % 24;
            let code = if hour == 23 {
                "delivered"
            } else {
                "in_transit"
            };
            event(
                &format!("e{n}"),
                &format!("2026-11-22T{hour:02}:00:00Z"),
                code,
            )
        })
        .collect();
    let answers = futures_util::future::join_all(
        bodies
            .iter()
            .map(|body| app.admin_post(EVENTS, SHOP_KEY, body)),
    )
    .await;
    let mut counts = Vec::new();
    for (status, body) in answers {
        assert_eq!(status, StatusCode::CREATED, "{body}");
        counts.push(body["events"].as_u64().unwrap());
    }
    counts.sort_unstable();
    assert_eq!(counts, (1..=24).collect::<Vec<u64>>());
    let parcel = &view(&app, &token).await["shipments"][0];
    assert_eq!(parcel["status"], "delivered");
    assert_eq!(parcel["events"].as_array().unwrap().len(), 24);
}

/// A parcel waiting to be collected says where, until when and with what code, as the
/// carrier's event said; once collected, that is gone. Bad details are refused by field.
async fn a_parcel_at_a_pickup_point_says_where_until_when_and_its_code(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = order_with_parcel(&app).await;
    let pickup = json!({"name": "PostNL-punt Primera", "address": "Damrak 1, 1012 LG Amsterdam",
                        "opening_hours": ["Mon–Sat 08:00–20:00"],
                        "collect_by": "2026-11-30T18:00:00Z", "code": "482913"});
    let waiting = json!({"event_id": "p", "occurred_at": "2026-11-23T09:00:00Z",
                         "code": "ready_for_pickup", "pickup": pickup});
    let (status, body) = app.admin_post(EVENTS, SHOP_KEY, &waiting.to_string()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let order = view(&app, &token).await;
    assert_eq!(order["stage"], "ready_for_pickup");
    assert_eq!(order["shipments"][0]["status"], "available_for_pickup");
    assert_eq!(order["shipments"][0]["pickup"], pickup);

    let bad = json!({"event_id": "q", "occurred_at": "2026-11-23T09:30:00Z",
                     "code": "ready_for_pickup",
                     "pickup": {"name": "", "collect_by": "Friday", "code": "1\n2"}});
    let (status, body) = app.admin_post(EVENTS, SHOP_KEY, &bad.to_string()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        error_fields(&body),
        ["pickup.name", "pickup.collect_by", "pickup.code"]
    );

    let (status, _) = app
        .admin_post(
            EVENTS,
            SHOP_KEY,
            &event("r", "2026-11-24T12:00:00Z", "delivered"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let order = view(&app, &token).await;
    assert_eq!(order["shipments"][0]["pickup"], Value::Null);
    assert_eq!(order["delivered_at"], "2026-11-24T12:00:00Z");
}

storage_tests!(
    a_parcel_at_a_pickup_point_says_where_until_when_and_its_code,
    carrier_events_at_once_take_turns_on_their_parcel,
    the_latest_event_by_time_decides_whatever_the_arrival_order,
    the_same_event_twice_is_one_event,
    an_unknown_carrier_code_is_kept_as_unknown_not_refused,
    malformed_events_name_their_fields_and_write_nothing,
    shipments_are_checked_against_the_order_and_the_shop,
    a_widget_rechecking_gets_304_until_the_order_changes,
    deliveries_say_where_the_parcel_was_left_and_estimates_follow_the_latest_event,
);

/// Registering a parcel counts what of each line travels already by index, not by reading
/// every parcel line of every shop (which made seeding 100,000 orders quadratic, and on
/// PostgreSQL every such read conflicted with every other write to the table).
#[tokio::test]
async fn lines_in_parcels_are_counted_by_index() {
    use postpurchase_server::store::tracking::LINES_SHIPPED_SQL;
    let app = TestApp::new(Backend::Sqlite).await;
    let plan = sqlite_plan(&app, LINES_SHIPPED_SQL, 1).await;
    assert!(
        plan.contains("USING INDEX shipment_items_by_line"),
        "{plan}"
    );
    assert!(!plan.contains("SCAN si"), "{plan}");
}
