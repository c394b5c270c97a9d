//! Tracking feeds through the API: each source's payload, written from its documentation,
//! verified its own way and taken in once; everything else refused and kept nowhere.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use postpurchase_server::domain::feeds::{sign, sign_shippo, Source};
use serde_json::{json, Value};

const SENDCLOUD_SECRET: &str = "sendcloud-secret-key";
const AFTERSHIP_SECRET: &str = "aftership-webhook-secret";
const DHL_KEY: &str = "the-token-dhl-sends-us";
const EASYPOST_SECRET: &str = "easypost-webhook-secret";
const SHIPPO_SECRET: &str = "shippo-hmac-or-url-token";
const KARRIO_SECRET: &str = "whsec_karrio_webhook_secret";

/// Jane's order 1001 with her two tees in parcel `3SYZXG132912330`, and both sources'
/// secrets set.
async fn parcel_with_feeds(app: &TestApp) -> String {
    let token = app
        .create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    let parcel = json!({"carrier": "postnl", "tracking_number": "3SYZXG132912330",
                        "items": [{"sku": "TEE-M", "quantity": 2}]});
    let (status, body) = app
        .admin_post(
            "/api/v1/admin/orders/1001/shipments",
            SHOP_KEY,
            &parcel.to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    for (source, secret) in [
        ("sendcloud", SENDCLOUD_SECRET),
        ("aftership", AFTERSHIP_SECRET),
        ("dhl", DHL_KEY),
        ("easypost", EASYPOST_SECRET),
        ("shippo", SHIPPO_SECRET),
        ("karrio", KARRIO_SECRET),
    ] {
        let (status, body) = app
            .admin_put(
                &format!("/api/v1/admin/feeds/{source}"),
                SHOP_KEY,
                &json!({ "secret": secret }).to_string(),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["configured"], true);
    }
    token
}

/// Sends `body` to the shop's feed from `source` with `signature` in its header.
async fn send(
    app: &TestApp,
    source: Source,
    body: &[u8],
    signature: Option<String>,
) -> (StatusCode, Value) {
    let mut request = Request::post(format!("/api/v1/feeds/shop/{}", source.as_str()))
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(signature) = signature {
        request = request.header(source.signature_header(), signature);
    }
    json_of(
        app.send(request.body(Body::from(body.to_vec())).unwrap())
            .await,
    )
    .await
}

async fn signed(app: &TestApp, source: Source, secret: &str, body: &Value) -> (StatusCode, Value) {
    let bytes = body.to_string().into_bytes();
    send(app, source, &bytes, Some(sign(source, secret, &bytes))).await
}

/// Sendcloud's `parcel_status_changed`, as its documentation shows it (times in ms).
fn sendcloud(status_id: u32, message: &str, at_ms: i64) -> Value {
    json!({
        "action": "parcel_status_changed",
        "timestamp": at_ms + 60_000,
        "carrier_status_change_timestamp": at_ms,
        "parcel": {
            "id": 3172, "name": "Jane van Dijk", "address": "Keizersgracht 123",
            "city": "Amsterdam", "postal_code": "1015 CJ",
            "tracking_number": "3SYZXG132912330",
            "status": {"id": status_id, "message": message},
            "carrier": {"code": "postnl"},
            "order_number": "1001",
            "shipment": {"id": 1, "name": "PostNL Standard"}
        }
    })
}

/// 2026-11-23T10:00:00Z in milliseconds, two hours before the test clock.
const MORNING_MS: i64 = (NOW - 7_200) * 1000;

async fn view(app: &TestApp, token: &str) -> Value {
    let (status, view) = app.get(&format!("/api/v1/shops/shop/orders/{token}")).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    view["shipments"][0].clone()
}

async fn a_sendcloud_update_is_taken_once_and_a_bad_one_nowhere(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = parcel_with_feeds(&app).await;
    let update = sendcloud(12, "Awaiting customer pickup", MORNING_MS);
    let (status, body) = signed(&app, Source::Sendcloud, SENDCLOUD_SECRET, &update).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({"recorded": 1, "known": 0, "unknown_parcels": 0})
    );
    let parcel = view(&app, &token).await;
    assert_eq!(parcel["status"], "available_for_pickup");
    assert_eq!(parcel["carrier_code"], "12");
    assert_eq!(parcel["carrier_text"], "Awaiting customer pickup");
    assert_eq!(parcel["events"][0]["occurred_at"], "2026-11-23T10:00:00Z");
    // The same send again (Sendcloud retries) changes nothing.
    let (status, body) = signed(&app, Source::Sendcloud, SENDCLOUD_SECRET, &update).await;
    assert_eq!((status, body["known"].clone()), (StatusCode::OK, json!(1)));
    assert_eq!(app.count("shipment_events").await, 1);

    // Refused and kept nowhere: a wrong or missing signature, another secret's, a body
    // changed after signing, a stale send, a body that is not JSON or not Sendcloud's.
    let later = sendcloud(11, "Delivered", MORNING_MS + 3_600_000);
    let bytes = later.to_string().into_bytes();
    let (status, body) = send(&app, Source::Sendcloud, &bytes, None).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::UNAUTHORIZED, json!("signature_missing"))
    );
    for signature in [
        "0".repeat(64),
        sign(Source::Sendcloud, "another-secret", &bytes),
        sign(Source::Sendcloud, SENDCLOUD_SECRET, b"{}"),
        sign(Source::AfterShip, SENDCLOUD_SECRET, &bytes),
    ] {
        let (status, body) = send(&app, Source::Sendcloud, &bytes, Some(signature)).await;
        assert_eq!(
            (status, body["error"]["code"].clone()),
            (StatusCode::UNAUTHORIZED, json!("bad_signature"))
        );
    }
    let stale = sendcloud(11, "Delivered", (NOW - 4 * 86_400) * 1000);
    let (status, body) = signed(&app, Source::Sendcloud, SENDCLOUD_SECRET, &stale).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::CONFLICT, json!("stale"))
    );
    let not_json = b"action=parcel_status_changed";
    let signature = sign(Source::Sendcloud, SENDCLOUD_SECRET, not_json);
    let (status, body) = send(&app, Source::Sendcloud, not_json, Some(signature)).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::BAD_REQUEST, json!("invalid_json"))
    );
    let shapeless = json!({"action": "parcel_status_changed", "parcel": {"id": 1}});
    let (status, body) = signed(&app, Source::Sendcloud, SENDCLOUD_SECRET, &shapeless).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("unreadable_feed"))
    );
    assert_eq!(app.count("shipment_events").await, 1);
    assert_eq!(view(&app, &token).await["status"], "available_for_pickup");

    // Signed right: delivered; a status never seen is `unknown` with Sendcloud's words.
    let (status, _) = signed(&app, Source::Sendcloud, SENDCLOUD_SECRET, &later).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view(&app, &token).await["status"], "delivered");
    let odd = sendcloud(4242, "Parcel visited the moon", MORNING_MS + 7_000_000);
    signed(&app, Source::Sendcloud, SENDCLOUD_SECRET, &odd).await;
    let parcel = view(&app, &token).await;
    assert_eq!(
        (
            parcel["status"].clone(),
            parcel["carrier_code"].clone(),
            parcel["carrier_text"].clone()
        ),
        (
            json!("unknown"),
            json!("4242"),
            json!("Parcel visited the moon")
        )
    );
    // A parcel this shop does not have is answered, not retried, and left alone.
    let mut stranger = sendcloud(11, "Delivered", MORNING_MS);
    stranger["parcel"]["tracking_number"] = json!("3SOTHER");
    let (status, body) = signed(&app, Source::Sendcloud, SENDCLOUD_SECRET, &stranger).await;
    assert_eq!(
        (status, body["unknown_parcels"].clone()),
        (StatusCode::OK, json!(1))
    );
    assert_eq!(app.count("shipment_events").await, 3);
}

/// AfterShip's tracking update, as its documentation shows it.
fn aftership(event_id: &str, tag: &str, subtag: &str, message: &str, at: &str) -> Value {
    json!({
        "event": "tracking_update",
        "event_id": event_id,
        "is_tracking_first_tag": false,
        "msg": {
            "id": "5b74f4958776db0e00b6f5ed",
            "tracking_number": "3SYZXG132912330",
            "slug": "postnl-3s",
            "tag": tag,
            "subtag": subtag,
            "subtag_message": message,
            "checkpoints": [
                {"slug": "postnl-3s", "checkpoint_time": "2026-11-22T18:00:00+01:00",
                 "tag": "InTransit", "subtag": "InTransit_001", "message": "Sorted",
                 "location": "Utrecht"},
                {"slug": "postnl-3s", "checkpoint_time": at, "tag": tag, "subtag": subtag,
                 "message": message, "location": "Amsterdam"}
            ]
        },
        "ts": NOW - 60
    })
}

async fn an_aftership_update_is_its_latest_checkpoint_taken_once(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = parcel_with_feeds(&app).await;
    let update = aftership(
        "e1",
        "Delivered",
        "Delivered_005",
        "Delivered to a neighbour",
        "2026-11-23T11:00:00+01:00",
    );
    let (status, body) = signed(&app, Source::AfterShip, AFTERSHIP_SECRET, &update).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["recorded"], 1);
    let parcel = view(&app, &token).await;
    assert_eq!(parcel["status"], "delivered");
    assert_eq!(parcel["delivered_to"], "neighbour");
    assert_eq!(parcel["carrier_code"], "Delivered_005");
    assert_eq!(parcel["events"][0]["location"], "Amsterdam");
    let (_, again) = signed(&app, Source::AfterShip, AFTERSHIP_SECRET, &update).await;
    assert_eq!(again["known"], 1);
    // Sendcloud's secret does not sign for AfterShip, nor a hex signature.
    let bytes = update.to_string().into_bytes();
    for signature in [
        sign(Source::AfterShip, SENDCLOUD_SECRET, &bytes),
        sign(Source::Sendcloud, AFTERSHIP_SECRET, &bytes),
    ] {
        let (status, _) = send(&app, Source::AfterShip, &bytes, Some(signature)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // Delayed at customs is `delayed`; an older checkpoint after it does not win.
    let customs = aftership(
        "e2",
        "Exception",
        "Exception_004",
        "Held at customs",
        "2026-11-23T09:00:00+01:00",
    );
    signed(&app, Source::AfterShip, AFTERSHIP_SECRET, &customs).await;
    assert_eq!(view(&app, &token).await["status"], "delivered");
    assert_eq!(app.count("shipment_events").await, 2);
    let mut stale = aftership(
        "e3",
        "InTransit",
        "InTransit_002",
        "x",
        "2026-11-19T09:00:00+01:00",
    );
    stale["ts"] = json!(NOW - 4 * 86_400);
    let (status, _) = signed(&app, Source::AfterShip, AFTERSHIP_SECRET, &stale).await;
    assert_eq!(status, StatusCode::CONFLICT);
}

async fn a_dhl_push_carries_the_shops_key_and_is_taken_once(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = parcel_with_feeds(&app).await;
    // DHL's push: the tracking API's answer for the shipment, with the header and token
    // the shop named in its subscription.
    let push = json!({"shipments": [{
        "id": "3SYZXG132912330", "service": "parcel-de",
        "status": {"timestamp": "2026-11-23T10:00:00", "statusCode": "transit",
                   "status": "In transit", "description": "The shipment is on its way",
                   "location": {"address": {"addressLocality": "Duiven"}}}
    }]});
    let bytes = push.to_string().into_bytes();
    let (status, body) = send(&app, Source::Dhl, &bytes, Some(DHL_KEY.to_owned())).await;
    assert_eq!(
        (status, body["recorded"].clone()),
        (StatusCode::OK, json!(1)),
        "{body}"
    );
    let parcel = view(&app, &token).await;
    assert_eq!(parcel["status"], "in_transit");
    assert_eq!(parcel["carrier_code"], "transit");
    assert_eq!(parcel["events"][0]["location"], "Duiven");
    let (_, again) = send(&app, Source::Dhl, &bytes, Some(DHL_KEY.to_owned())).await;
    assert_eq!(again["known"], 1);
    for key in [
        None,
        Some("the-token-dhl-sends-uz".to_owned()),
        Some(SENDCLOUD_SECRET.to_owned()),
    ] {
        let (status, _) = send(&app, Source::Dhl, &bytes, key).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(app.count("shipment_events").await, 1);
}

async fn an_easypost_tracker_update_is_taken_once_signed_its_way(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = parcel_with_feeds(&app).await;
    // EasyPost's Event for a Tracker, as its documentation shows it.
    let event = json!({
        "object": "Event", "id": "evt_2c3d", "mode": "production",
        "description": "tracker.updated", "created_at": "2026-11-23T11:30:00Z",
        "result": {
            "object": "Tracker", "id": "trk_1a2b", "tracking_code": "3SYZXG132912330",
            "status": "available_for_pickup", "status_detail": "arrived_at_pickup_location",
            "carrier": "PostNL",
            "tracking_details": [
                {"object": "TrackingDetail", "message": "Sorted", "status": "in_transit",
                 "status_detail": "arrived_at_facility", "datetime": "2026-11-22T18:00:00Z",
                 "tracking_location": {"object": "TrackingLocation", "city": "Utrecht"}},
                {"object": "TrackingDetail", "message": "Ready for pickup at the locker",
                 "status": "available_for_pickup",
                 "status_detail": "arrived_at_pickup_location",
                 "datetime": "2026-11-23T11:00:00Z",
                 "tracking_location": {"object": "TrackingLocation", "city": "Amsterdam"}}
            ]
        }
    });
    let (status, body) = signed(&app, Source::EasyPost, EASYPOST_SECRET, &event).await;
    assert_eq!(
        (status, body["recorded"].clone()),
        (StatusCode::OK, json!(1)),
        "{body}"
    );
    let parcel = view(&app, &token).await;
    assert_eq!(parcel["status"], "available_for_pickup");
    assert_eq!(
        parcel["carrier_code"],
        "available_for_pickup/arrived_at_pickup_location"
    );
    assert_eq!(parcel["carrier_text"], "Ready for pickup at the locker");
    let (_, again) = signed(&app, Source::EasyPost, EASYPOST_SECRET, &event).await;
    assert_eq!(again["known"], 1);
    let bytes = event.to_string().into_bytes();
    let bare = sign(Source::Sendcloud, EASYPOST_SECRET, &bytes);
    for signature in [
        None,
        Some(bare),
        Some(sign(Source::EasyPost, "not-ours-at-all", &bytes)),
    ] {
        let (status, _) = send(&app, Source::EasyPost, &bytes, signature).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let mut old = event.clone();
    old["id"] = json!("evt_old");
    old["created_at"] = json!("2026-11-19T11:30:00Z");
    let (status, _) = signed(&app, Source::EasyPost, EASYPOST_SECRET, &old).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(app.count("shipment_events").await, 1);
}

/// Shippo's `track_updated`, as its documentation shows it.
fn shippo(object_id: &str, status: &str, substatus: &str, words: &str, at: &str) -> Value {
    json!({
        "event": "track_updated", "test": false,
        "data": {
            "carrier": "postnl", "tracking_number": "3SYZXG132912330",
            "eta": "2026-11-24T12:00:00Z", "servicelevel": {"token": "postnl_standard"},
            "metadata": "Order 1001",
            "tracking_status": {
                "object_created": at, "object_updated": at, "object_id": object_id,
                "status": status, "status_details": words, "status_date": at,
                "substatus": {"code": substatus, "text": words, "action_required": false},
                "location": {"city": "Utrecht", "state": null, "zip": "3500", "country": "NL"}
            },
            "tracking_history": []
        }
    })
}

/// Sends `body` to the Shippo feed with the signature header or `?token=`.
async fn to_shippo(
    app: &TestApp,
    body: &Value,
    header: Option<String>,
    token: Option<&str>,
) -> (StatusCode, Value) {
    let uri = match token {
        Some(token) => format!("/api/v1/feeds/shop/shippo?token={token}"),
        None => "/api/v1/feeds/shop/shippo".to_owned(),
    };
    let mut request = Request::post(uri).header(header::CONTENT_TYPE, "application/json");
    if let Some(value) = header {
        request = request.header("shippo-auth-signature", value);
    }
    json_of(
        app.send(request.body(Body::from(body.to_string())).unwrap())
            .await,
    )
    .await
}

async fn a_shippo_update_is_taken_with_its_hmac_or_its_token(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = parcel_with_feeds(&app).await;
    // With the URL token, Shippo's self-service way.
    let first = shippo(
        "ts_1",
        "TRANSIT",
        "package_departed",
        "Departed the facility",
        "2026-11-23T08:00:00Z",
    );
    let (status, body) = to_shippo(&app, &first, None, Some(SHIPPO_SECRET)).await;
    assert_eq!(
        (status, body["recorded"].clone()),
        (StatusCode::OK, json!(1)),
        "{body}"
    );
    let parcel = view(&app, &token).await;
    assert_eq!(parcel["status"], "in_transit");
    assert_eq!(parcel["carrier_code"], "TRANSIT/package_departed");
    assert_eq!(parcel["carrier_text"], "Departed the facility");
    // With its HMAC, signed at a time: the same update again is known.
    let bytes = first.to_string().into_bytes();
    let signature = sign_shippo(SHIPPO_SECRET, NOW - 60, &bytes);
    let (status, body) = to_shippo(&app, &first, Some(signature), None).await;
    assert_eq!(
        (status, body["known"].clone()),
        (StatusCode::OK, json!(1)),
        "{body}"
    );
    // Refused, kept nowhere: no proof, a wrong token, a wrong or stale signature.
    let next = shippo(
        "ts_2",
        "TRANSIT",
        "out_for_delivery",
        "With the driver",
        "2026-11-23T10:00:00Z",
    );
    let bytes = next.to_string().into_bytes();
    for (header, token, expected) in [
        (None, None, StatusCode::UNAUTHORIZED),
        (None, Some("guessed"), StatusCode::UNAUTHORIZED),
        (
            Some(sign_shippo("another", NOW, &bytes)),
            None,
            StatusCode::UNAUTHORIZED,
        ),
        (
            Some(sign_shippo(SHIPPO_SECRET, NOW, b"{}")),
            None,
            StatusCode::UNAUTHORIZED,
        ),
        (Some("t=1,v1=zz".to_owned()), None, StatusCode::UNAUTHORIZED),
        (
            Some(sign_shippo(SHIPPO_SECRET, NOW - 4 * 86_400, &bytes)),
            None,
            StatusCode::CONFLICT,
        ),
    ] {
        let (status, body) = to_shippo(&app, &next, header, token).await;
        assert_eq!(status, expected, "{body}");
    }
    assert_eq!(app.count("shipment_events").await, 1);
    let (status, _) = to_shippo(
        &app,
        &next,
        Some(sign_shippo(SHIPPO_SECRET, NOW, &bytes)),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view(&app, &token).await["status"], "out_for_delivery");
    // A status Shippo adds later is `unknown`, its code kept; a shapeless body is refused.
    let odd = shippo(
        "ts_3",
        "HOVERING",
        "",
        "Parcel is hovering",
        "2026-11-23T11:00:00Z",
    );
    to_shippo(&app, &odd, None, Some(SHIPPO_SECRET)).await;
    let parcel = view(&app, &token).await;
    assert_eq!(
        (parcel["status"].clone(), parcel["carrier_code"].clone()),
        (json!("unknown"), json!("HOVERING"))
    );
    let broken = json!({"event": "track_updated", "data": {"tracking_number": "3SYZXG132912330"}});
    let (status, body) = to_shippo(&app, &broken, None, Some(SHIPPO_SECRET)).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("unreadable_feed"))
    );
    assert_eq!(app.count("shipment_events").await, 3);
}

/// Karrio's `tracker.updated`, as its server sends it: the tracker, its events newest
/// first.
fn karrio(status: &str, events: Value) -> Value {
    json!({
        "event": "tracker.updated",
        "data": {
            "id": "trk_8c3b", "object_type": "tracker", "carrier_name": "postnl",
            "carrier_id": "postnl", "tracking_number": "3SYZXG132912330",
            "status": status, "delivered": status == "delivered", "test_mode": false,
            "events": events, "estimated_delivery": "2026-11-24", "meta": {}, "metadata": {},
            "messages": []
        }
    })
}

async fn a_karrio_update_carries_the_secret_and_is_taken_once(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = parcel_with_feeds(&app).await;
    let update = karrio(
        "ready_for_pickup",
        json!([
            {"date": "2026-11-23", "time": "10:15 AM", "code": "J05",
             "description": "Ready for collection at the pick-up point", "location": "Amsterdam"},
            {"date": "2026-11-22", "time": "18:00", "code": "B01",
             "description": "Sorted", "location": "Utrecht"}
        ]),
    );
    let (status, body) = signed(&app, Source::Karrio, KARRIO_SECRET, &update).await;
    assert_eq!(
        (status, body["recorded"].clone()),
        (StatusCode::OK, json!(1)),
        "{body}"
    );
    let parcel = view(&app, &token).await;
    assert_eq!(parcel["status"], "available_for_pickup");
    assert_eq!(parcel["carrier_code"], "ready_for_pickup/J05");
    assert_eq!(parcel["events"][0]["occurred_at"], "2026-11-23T10:15:00Z");
    assert_eq!(parcel["events"][0]["location"], "Amsterdam");
    let (_, again) = signed(&app, Source::Karrio, KARRIO_SECRET, &update).await;
    assert_eq!(again["known"], 1);
    let bytes = update.to_string().into_bytes();
    for key in [
        None,
        Some("whsec_karrio_webhook_secreT".to_owned()),
        Some(String::new()),
    ] {
        let (status, _) = send(&app, Source::Karrio, &bytes, key).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let odd = karrio(
        "levitating",
        json!([{"date": "2026-11-23", "time": "11:00", "code": "Z9", "description": "Up"}]),
    );
    signed(&app, Source::Karrio, KARRIO_SECRET, &odd).await;
    assert_eq!(view(&app, &token).await["status"], "unknown");
    let (status, _) = signed(
        &app,
        Source::Karrio,
        KARRIO_SECRET,
        &json!({"event": "tracker.updated", "data": {}}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = send(
        &app,
        Source::Karrio,
        b"not json",
        Some(KARRIO_SECRET.to_owned()),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(app.count("shipment_events").await, 2);
}

async fn secrets_are_the_owners_per_shop_and_never_shown(backend: Backend) {
    let app = TestApp::new(backend).await;
    parcel_with_feeds(&app).await;
    let (status, list) = app.get_admin("/api/v1/admin/feeds").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(
        list,
        json!([
            {"source": "sendcloud", "configured": true, "url": "https://pp.example/api/v1/feeds/shop/sendcloud"},
            {"source": "aftership", "configured": true, "url": "https://pp.example/api/v1/feeds/shop/aftership"},
            {"source": "dhl", "configured": true, "url": "https://pp.example/api/v1/feeds/shop/dhl"},
            {"source": "easypost", "configured": true, "url": "https://pp.example/api/v1/feeds/shop/easypost"},
            {"source": "shippo", "configured": true, "url": "https://pp.example/api/v1/feeds/shop/shippo"},
            {"source": "karrio", "configured": true, "url": "https://pp.example/api/v1/feeds/shop/karrio"},
            {"source": "woocommerce", "configured": false, "url": "https://pp.example/api/v1/platforms/shop/woocommerce"},
            {"source": "shopware", "configured": false, "url": "https://pp.example/api/v1/platforms/shop/shopware"},
            {"source": "shopify", "configured": false, "url": "https://pp.example/api/v1/platforms/shop/shopify"}
        ])
    );
    assert!(!list.to_string().contains(SENDCLOUD_SECRET));
    for bad in [
        json!({"secret": "short"}),
        json!({"secret": "has a space in it"}),
        json!({"secret": 7}),
    ] {
        let (status, _) = app
            .admin_put("/api/v1/admin/feeds/sendcloud", SHOP_KEY, &bad.to_string())
            .await;
        assert!(status.is_client_error(), "{bad}");
    }
    let (status, _) = app
        .admin_put(
            "/api/v1/admin/feeds/shipstation",
            SHOP_KEY,
            r#"{"secret": "abcdefghij"}"#,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Another shop's secret signs nothing for this shop.
    app.admin_put(
        "/api/v1/admin/feeds/sendcloud",
        OTHER_KEY,
        r#"{"secret": "the-other-shops"}"#,
    )
    .await;
    let update = sendcloud(11, "Delivered", MORNING_MS);
    let (status, _) = signed(&app, Source::Sendcloud, "the-other-shops", &update).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Removed: the feed is no longer taken.
    let request = Request::delete("/api/v1/admin/feeds/sendcloud")
        .header(header::AUTHORIZATION, format!("Bearer {SHOP_KEY}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(request).await.status(), StatusCode::NO_CONTENT);
    let (status, body) = signed(&app, Source::Sendcloud, SENDCLOUD_SECRET, &update).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::NOT_FOUND, json!("feed_not_set"))
    );
    assert_eq!(app.count("shipment_events").await, 0);
}

storage_tests!(
    a_shippo_update_is_taken_with_its_hmac_or_its_token,
    a_karrio_update_carries_the_secret_and_is_taken_once,
    a_sendcloud_update_is_taken_once_and_a_bad_one_nowhere,
    an_aftership_update_is_its_latest_checkpoint_taken_once,
    a_dhl_push_carries_the_shops_key_and_is_taken_once,
    an_easypost_tracker_update_is_taken_once_signed_its_way,
    secrets_are_the_owners_per_shop_and_never_shown,
);
