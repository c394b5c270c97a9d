//! What one caller may do: requests per token (reads and changes apart) and per admin key,
//! failed attempts per address, changes per parcel and hour, and one slot place per order.
//! Over a limit: `429` with `Retry-After`, and nothing changed.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use serde_json::{json, Value};

fn limits(set: impl FnOnce(&mut Limits)) -> Limits {
    let mut limits = unlimited();
    limits.client_ip_header = Some("x-forwarded-for".into());
    set(&mut limits);
    limits
}

/// The shop offers neighbours and a slot of `places` on 2026-11-25; returns its id.
async fn offer(app: &TestApp, places: u32) -> i64 {
    let settings = json!({"time_zone": "Europe/Amsterdam", "cutoff": "04:00", "later_days": 2,
                          "safe_places": [], "neighbour": true});
    let (status, body) = app
        .admin_put(
            "/api/v1/admin/delivery-settings",
            SHOP_KEY,
            &settings.to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let slot = json!({"date": "2026-11-25", "from": "10:00", "to": "12:00", "capacity": places});
    let (status, body) = app
        .admin_post("/api/v1/admin/delivery-slots", SHOP_KEY, &slot.to_string())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().unwrap()
}

/// An order with a parcel for each `(sku, quantity)`, expected on 2026-11-25; its token
/// and the parcels' ids.
async fn order(app: &TestApp, number: &str, parcels: &[(&str, u32)]) -> (String, Vec<i64>) {
    let token = app
        .create_order(
            SHOP_KEY,
            &sample_order(number, &format!("{number}@example.com")),
        )
        .await;
    let mut ids = Vec::new();
    for (i, (sku, quantity)) in parcels.iter().enumerate() {
        let parcel = json!({"carrier": "postnl", "tracking_number": format!("3S{number}{i}"),
            "items": [{"sku": sku, "quantity": quantity}],
            "estimated_delivery": {"from": "2026-11-25T08:00:00Z", "to": "2026-11-25T16:00:00Z"}});
        let (status, body) = app
            .admin_post(
                &format!("/api/v1/admin/orders/{number}/shipments"),
                SHOP_KEY,
                &parcel.to_string(),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        ids.push(body["id"].as_i64().unwrap());
    }
    (token, ids)
}

fn neighbour(n: usize) -> Value {
    json!({"kind": "neighbour", "neighbour": {"name": format!("Neighbour {n}"), "house_number": "1"}})
}

/// A choice, from client address `from`: (status, Retry-After, body).
async fn choose(
    app: &TestApp,
    token: &str,
    parcel: i64,
    choice: Value,
    from: &str,
) -> (StatusCode, Option<u64>, Value) {
    let request = json_request(
        "POST",
        &format!("/api/v1/shops/shop/orders/{token}/shipments/{parcel}/choice"),
        &[("if-match", "*"), ("x-forwarded-for", from)],
        &json!({ "choice": choice }),
    );
    let response = app.send(request).await;
    let wait = response
        .headers()
        .get(header::RETRY_AFTER)
        .map(|v| v.to_str().unwrap().parse().unwrap());
    let (status, body) = json_of(response).await;
    (status, wait, body)
}

async fn read(app: &TestApp, path: &str, from: &str) -> StatusCode {
    app.send(
        Request::get(path)
            .header("x-forwarded-for", from)
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .status()
}

async fn a_token_that_changes_too_fast_waits_and_nobody_else_does(backend: Backend) {
    let app = TestApp::with_limits(
        backend,
        limits(|l| l.shopper_writes = "5/min".parse().unwrap()),
    )
    .await;
    offer(&app, 5).await;
    let (token, parcels) = order(&app, "1001", &[("TEE-M", 2)]).await;
    let (other, others) = order(&app, "1002", &[("TEE-M", 2)]).await;
    for n in 0..5 {
        assert_eq!(
            choose(&app, &token, parcels[0], neighbour(n), "203.0.113.1")
                .await
                .0,
            StatusCode::OK
        );
    }
    let (status, wait, body) = choose(&app, &token, parcels[0], neighbour(9), "203.0.113.1").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"]["code"], "too_many_requests");
    assert!(wait.is_some_and(|w| (1..=12).contains(&w)), "{wait:?}");
    let (_, view) = app.get(&format!("/api/v1/shops/shop/orders/{token}")).await;
    assert_eq!(
        view["shipments"][0]["choice"]["neighbour"]["name"], "Neighbour 4",
        "nothing changed"
    );
    // Another token changes as it likes; the throttled one still reads.
    assert_eq!(
        choose(&app, &other, others[0], neighbour(1), "203.0.113.1")
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        read(
            &app,
            &format!("/api/v1/shops/shop/orders/{token}"),
            "203.0.113.1"
        )
        .await,
        StatusCode::OK
    );
}

async fn a_token_that_reads_too_fast_waits(backend: Backend) {
    let app = TestApp::with_limits(
        backend,
        limits(|l| l.shopper_reads = "10/s".parse().unwrap()),
    )
    .await;
    let token = app
        .create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    let other = app
        .create_order(SHOP_KEY, &sample_order("1002", "ada@example.com"))
        .await;
    let path = |t: &str| format!("/api/v1/shops/shop/orders/{t}");
    let mut refused = 0;
    for _ in 0..15 {
        if read(&app, &path(&token), "203.0.113.1").await == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
        }
    }
    assert!((4..=5).contains(&refused), "{refused} of 15 refused");
    assert_eq!(
        read(&app, &path(&other), "203.0.113.1").await,
        StatusCode::OK
    );
}

async fn an_admin_key_that_calls_too_fast_waits(backend: Backend) {
    // Per minute: six calls fall in one window however slow a loaded machine is.
    let app = TestApp::with_limits(backend, limits(|l| l.admin = "5/min".parse().unwrap())).await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(app.get_admin("/api/v1/admin/shop").await.0);
    }
    assert_eq!(statuses[..5], [StatusCode::OK; 5]);
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        app.get_admin_with("/api/v1/admin/shop", OTHER_KEY).await.0,
        StatusCode::OK
    );
}

/// Guessing tokens or keys from one address is slowed down to the failures' rate; other
/// addresses are not.
async fn guessing_from_one_address_is_slowed_down(backend: Backend) {
    let app =
        TestApp::with_limits(backend, limits(|l| l.failures = "5/min".parse().unwrap())).await;
    let token = app
        .create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    let guess = |n: usize| format!("/api/v1/shops/shop/orders/{:A>24}", n);
    for n in 0..5 {
        assert_eq!(
            read(&app, &guess(n), "198.51.100.7").await,
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(
        read(&app, &guess(5), "198.51.100.7").await,
        StatusCode::NOT_FOUND,
        "the sixth fails, and counts"
    );
    // Now that address waits, even with a token that works: nothing is looked up for it.
    assert_eq!(
        read(&app, &guess(6), "198.51.100.7").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    let real = format!("/api/v1/shops/shop/orders/{token}");
    assert_eq!(
        read(&app, &real, "198.51.100.7").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(read(&app, &real, "198.51.100.8").await, StatusCode::OK);
    // Wrong admin keys count the same way.
    let bad_key = |key: &str, from: &str| {
        Request::get("/api/v1/admin/shop")
            .header(header::AUTHORIZATION, format!("Bearer {key}"))
            .header("x-forwarded-for", from)
            .body(Body::empty())
            .unwrap()
    };
    for n in 0..6 {
        let status = app
            .send(bad_key(&format!("guess-{n}"), "192.0.2.9"))
            .await
            .status();
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        app.send(bad_key(SHOP_KEY, "192.0.2.9")).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        app.send(bad_key(SHOP_KEY, "192.0.2.10")).await.status(),
        StatusCode::OK
    );
}

/// The cap on changes per parcel and hour is kept in the database: two servers on one
/// database count together.
async fn a_parcel_changes_at_most_so_often_an_hour(backend: Backend) {
    let app = TestApp::with_limits(backend, limits(|l| l.choice_changes_per_hour = 3)).await;
    let mut second = TestApp::over(backend, app.state.db.clone(), Default::default());
    second.state.edit().limiter = app.state.limiter.clone();
    second.router = postpurchase_server::app(second.state.clone());
    offer(&app, 5).await;
    let (token, parcels) = order(&app, "1001", &[("TEE-M", 2)]).await;
    for n in 0..3 {
        let server = if n % 2 == 0 { &app } else { &second };
        assert_eq!(
            choose(server, &token, parcels[0], neighbour(n), "203.0.113.1")
                .await
                .0,
            StatusCode::OK
        );
    }
    // The same choice again is no change and does not count.
    assert_eq!(
        choose(&second, &token, parcels[0], neighbour(2), "203.0.113.1")
            .await
            .0,
        StatusCode::OK
    );
    let (status, wait, body) =
        choose(&second, &token, parcels[0], neighbour(3), "203.0.113.1").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"]["code"], "too_many_changes");
    assert_eq!(wait, Some(3600));
    // An hour on, it may change again.
    app.state.clock.set(NOW + 3600);
    assert_eq!(
        choose(&app, &token, parcels[0], neighbour(3), "203.0.113.1")
            .await
            .0,
        StatusCode::OK
    );
}

/// One order's parcels share one place in a slot: an order can never take a slot's places.
async fn an_order_holds_at_most_one_place_in_a_slot(backend: Backend) {
    let app = TestApp::new(backend).await;
    let slot = offer(&app, 2).await;
    let (token, parcels) = order(&app, "1001", &[("TEE-M", 1), ("TEE-M", 1), ("CAP", 1)]).await;
    let in_slot = json!({"kind": "slot", "slot_id": slot});
    for parcel in &parcels {
        let (status, _, body) = choose(&app, &token, *parcel, in_slot.clone(), "203.0.113.1").await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let taken = || async {
        app.number(&format!(
            "SELECT taken FROM delivery_slots WHERE id = {slot}"
        ))
        .await
    };
    assert_eq!(taken().await, 1);
    let (other, others) = order(&app, "1002", &[("CAP", 1)]).await;
    assert_eq!(
        choose(&app, &other, others[0], in_slot.clone(), "203.0.113.1")
            .await
            .0,
        StatusCode::OK
    );
    let (third, thirds) = order(&app, "1003", &[("CAP", 1)]).await;
    let (status, _, body) = choose(&app, &third, thirds[0], in_slot.clone(), "203.0.113.1").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("slot_full"))
    );
    // The order's place stays while any of its parcels holds it.
    for (i, parcel) in parcels.iter().enumerate() {
        assert_eq!(taken().await, 2);
        assert_eq!(
            choose(&app, &token, *parcel, neighbour(i), "203.0.113.1")
                .await
                .0,
            StatusCode::OK
        );
    }
    assert_eq!(taken().await, 1, "given back with the last parcel");
}

storage_tests!(
    a_token_that_changes_too_fast_waits_and_nobody_else_does,
    a_token_that_reads_too_fast_waits,
    an_admin_key_that_calls_too_fast_waits,
    guessing_from_one_address_is_slowed_down,
    a_parcel_changes_at_most_so_often_an_hour,
    an_order_holds_at_most_one_place_in_a_slot,
);
