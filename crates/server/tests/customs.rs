//! Parcels crossing a customs border, through the API: duties paid by the shop or due on
//! arrival, what the carrier says is due and where to pay it (kept from the latest event
//! that said it, whatever arrives after or out of order), a parcel held at customs as its
//! own status leading the order's stage, and every field of a charge checked.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};

storage_tests!(
    a_parcel_says_who_pays_duties_and_what_is_due,
    held_at_customs_is_its_own_status_and_leads_the_stage,
    a_charge_is_checked_field_by_field,
);

/// Order 1001 with its tees in parcel JV1 (`duties` as given, if any); the order's token.
async fn parcel(app: &TestApp, duties: Option<&str>) -> String {
    let token = app
        .create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    let mut body = json!({"carrier": "dhl", "tracking_number": "JV1",
                          "items": [{"sku": "TEE-M", "quantity": 2}]});
    if let Some(duties) = duties {
        body["duties"] = json!(duties);
    }
    let (status, answer) = app
        .admin_post(
            "/api/v1/admin/orders/1001/shipments",
            SHOP_KEY,
            &body.to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    token
}

async fn event(app: &TestApp, body: Value) -> (StatusCode, Value) {
    app.admin_post(
        "/api/v1/admin/shipments/dhl/JV1/events",
        SHOP_KEY,
        &body.to_string(),
    )
    .await
}

async fn first_parcel(app: &TestApp, token: &str) -> Value {
    let (status, view) = app.get(&format!("/api/v1/shops/shop/orders/{token}")).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    view["shipments"][0].clone()
}

const CHARGE: &str =
    r#"{"amount": 1240, "currency": "EUR", "pay_url": "https://pay.dhl.example/JV1"}"#;

async fn a_parcel_says_who_pays_duties_and_what_is_due(backend: Backend) {
    // No border: nothing about customs.
    let app = TestApp::new(backend).await;
    let token = parcel(&app, None).await;
    assert_eq!(first_parcel(&app, &token).await.get("customs"), None);

    // Shipped duties paid: said as paid.
    let app = TestApp::new(backend).await;
    let token = parcel(&app, Some("paid")).await;
    assert_eq!(
        first_parcel(&app, &token).await["customs"],
        json!({"duties": "paid"})
    );

    // Due on arrival: due; then the carrier names the amount and where to pay.
    let app = TestApp::new(backend).await;
    let token = parcel(&app, Some("due")).await;
    assert_eq!(
        first_parcel(&app, &token).await["customs"],
        json!({"duties": "due"})
    );
    let charge: Value = serde_json::from_str(CHARGE).unwrap();
    let (status, body) = event(
        &app,
        json!({"event_id": "c1", "occurred_at": "2026-11-23T08:00:00Z", "code": "customs_hold",
               "duties_due": charge}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let shown = json!({"duties": "due", "due": charge});
    assert_eq!(first_parcel(&app, &token).await["customs"], shown);
    // News after it, and an older event arriving late, leave the charge as said.
    for (id, at, code) in [
        ("c2", "2026-11-23T10:00:00Z", "transit"),
        ("c0", "2026-11-22T10:00:00Z", "transit"),
    ] {
        let (status, _) = event(
            &app,
            json!({"event_id": id, "occurred_at": at, "code": code}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let moving = first_parcel(&app, &token).await;
    assert_eq!(moving["status"], "in_transit");
    assert_eq!(moving["customs"], shown);

    // A charge on a parcel the shop meant to ship paid is due all the same.
    let app = TestApp::new(backend).await;
    let token = parcel(&app, Some("paid")).await;
    event(
        &app,
        json!({"event_id": "c1", "occurred_at": "2026-11-23T08:00:00Z", "code": "customs_hold",
               "duties_due": {"amount": 500, "currency": "GBP"}}),
    )
    .await;
    assert_eq!(
        first_parcel(&app, &token).await["customs"],
        json!({"duties": "due", "due": {"amount": 500, "currency": "GBP"}})
    );
}

async fn held_at_customs_is_its_own_status_and_leads_the_stage(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = parcel(&app, Some("due")).await;
    for code in ["customs_hold", "held_at_customs"] {
        let (status, body) = event(
            &app,
            json!({"event_id": code, "occurred_at": "2026-11-23T08:00:00Z", "code": code}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["status"], "held_at_customs");
    }
    let (_, view) = app.get(&format!("/api/v1/shops/shop/orders/{token}")).await;
    assert_eq!(view["stage"], "action_needed");
    assert_eq!(view["shipments"][0]["locked"], "closed");
    // The console's stage filter agrees.
    let (_, list) = app
        .get_admin("/api/v1/admin/orders?stage=action_needed")
        .await;
    assert_eq!(list["orders"][0]["number"], "1001", "{list}");
}

async fn a_charge_is_checked_field_by_field(backend: Backend) {
    let app = TestApp::new(backend).await;
    parcel(&app, Some("due")).await;
    let (status, body) = event(
        &app,
        json!({"event_id": "x", "occurred_at": "2026-11-23T08:00:00Z", "code": "customs_hold",
               "duties_due": {"amount": 0, "currency": "eur", "pay_url": "http://pay.example/"}}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        error_fields(&body),
        [
            "duties_due.amount",
            "duties_due.currency",
            "duties_due.pay_url"
        ]
    );
    let (status, body) = app
        .admin_post(
            "/api/v1/admin/orders/1001/shipments",
            SHOP_KEY,
            &json!({"carrier": "dhl", "tracking_number": "JV2", "duties": "maybe",
                    "items": [{"sku": "CAP", "quantity": 1}]})
            .to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}
