//! What the shop's staff look up through the admin API: orders found and filtered a page
//! at a time, an order's whole record, its links revoked, and the shop's words (an answer
//! under a review, a message on a return) reaching the shopper.

mod common;

use axum::http::StatusCode;
use common::*;
use postpurchase_api::{OrderStage, ShipmentStatus};
use serde_json::{json, Value};
use std::time::Duration;

const ORDERS: &str = "/api/v1/admin/orders";

fn numbers(list: &Value) -> Vec<&str> {
    list["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["number"].as_str().unwrap())
        .collect()
}

async fn orders_are_found_by_number_email_name_and_tracking_number(backend: Backend) {
    let app = TestApp::new(backend).await;
    for (number, email, first, last) in [
        ("1001", "jane@example.com", "Jane", "Doe"),
        ("1002", "piet@voorbeeld.nl", "Piet", "de Vries"),
        ("1003", "jan_de@example.com", "Jan", "Smit"),
    ] {
        let mut order = sample_order(number, email);
        order["customer"]["first_name"] = json!(first);
        order["customer"]["last_name"] = json!(last);
        order["placed_at"] = json!(format!("2026-11-2{}T10:00:00Z", &number[3..]));
        app.create_order(SHOP_KEY, &order).await;
    }
    let parcel = json!({"carrier": "dhl", "tracking_number": "JJD0042", "items": [{"sku": "TEE-M", "quantity": 1}]});
    let (status, body) = app
        .admin_post(
            &format!("{ORDERS}/1002/shipments"),
            SHOP_KEY,
            &parcel.to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let (status, all) = app.get_admin(ORDERS).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(numbers(&all), ["1003", "1002", "1001"], "newest first");
    assert_eq!(all["matching"], 3);
    assert_eq!(all["orders"][1]["name"], "Piet de Vries");
    assert_eq!(
        all["orders"][1]["email"], "piet@voorbeeld.nl",
        "in full, for staff"
    );
    assert_eq!(all["orders"][1]["parcels"], json!(["pending"]));
    for (q, found) in [
        ("1002", vec!["1002"]),
        ("JJD0042", vec!["1002"]),
        ("VOORBEELD", vec!["1002"]),
        ("jane", vec!["1001"]),
        ("de vries", vec!["1002"]),
        ("jan", vec!["1003", "1001"]),
        // `_` is a character here, not any character.
        ("jan_", vec!["1003"]),
        ("%", vec![]),
        ("100", vec![]),
    ] {
        let (status, list) = app
            .get_admin(&format!(
                "{ORDERS}?q={}",
                q.replace('%', "%25").replace(' ', "%20")
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{q}: {list}");
        assert_eq!(numbers(&list), found, "{q}");
    }
    let (_, page) = app.get_admin(&format!("{ORDERS}?per_page=2&page=2")).await;
    assert_eq!(numbers(&page), ["1001"]);
    assert_eq!(page["matching"], 3);
    assert_eq!(
        (page["page"].as_u64(), page["per_page"].as_u64()),
        (Some(2), Some(2))
    );
    let (_, processing) = app
        .get_admin(&format!("{ORDERS}?stage=processing&status=pending"))
        .await;
    assert_eq!(numbers(&processing), ["1002"]);
    for bad in [
        "per_page=0",
        "per_page=101",
        "page=0",
        "stage=lost",
        "status=gone",
        "sort=number",
    ] {
        let (status, body) = app.get_admin(&format!("{ORDERS}?{bad}")).await;
        assert!(
            status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::BAD_REQUEST,
            "{bad}: {status} {body}"
        );
    }
    // Another shop finds none of them, not even by number.
    let (_, theirs) = app
        .get_admin_with(&format!("{ORDERS}?q=1002"), OTHER_KEY)
        .await;
    assert_eq!(theirs["matching"], 0);
}

/// The stage filter is SQL; the stage the list shows is the domain's rule. Over every
/// status of one parcel and every pair of two (and a cancelled order), they agree.
async fn the_stage_filter_follows_the_stage_rules(backend: Backend) {
    let app = TestApp::new(backend).await;
    let all = ShipmentStatus::ALL;
    let mut cases: Vec<Vec<ShipmentStatus>> = vec![vec![]];
    for (i, a) in all.iter().enumerate() {
        cases.push(vec![*a]);
        for b in &all[i..] {
            cases.push(vec![*a, *b]);
        }
    }
    let mut expected: Vec<(String, OrderStage)> = Vec::new();
    for (n, parcels) in cases.iter().enumerate() {
        let number = format!("S{n}");
        app.create_order(SHOP_KEY, &sample_order(&number, "jane@example.com"))
            .await;
        for (k, status) in parcels.iter().enumerate() {
            let status = serde_json::to_value(status).unwrap();
            app.execute(&[&format!(
                "INSERT INTO shipments (order_id, carrier, tracking_number, status)
                 SELECT id, 'dhl', 'T{n}-{k}', '{}' FROM orders WHERE number = '{number}'",
                status.as_str().unwrap()
            )])
            .await;
        }
        expected.push((
            number,
            postpurchase_server::domain::order_stage(false, parcels),
        ));
    }
    app.create_order(SHOP_KEY, &sample_order("C1", "jane@example.com"))
        .await;
    app.execute(&["UPDATE orders SET cancelled = TRUE WHERE number = 'C1'"])
        .await;
    expected.push(("C1".into(), OrderStage::Cancelled));

    let mut seen = 0;
    for stage in OrderStage::ALL {
        let (status, list) = app
            .get_admin(&format!("{ORDERS}?stage={}&per_page=100", stage.as_str()))
            .await;
        assert_eq!(status, StatusCode::OK, "{list}");
        let mut found: Vec<String> = numbers(&list).iter().map(|n| n.to_string()).collect();
        found.sort();
        let mut wanted: Vec<String> = expected
            .iter()
            .filter(|(_, s)| *s == stage)
            .map(|(n, _)| n.clone())
            .collect();
        wanted.sort();
        assert_eq!(found, wanted, "{stage:?}");
        for order in list["orders"].as_array().unwrap() {
            assert_eq!(order["stage"], stage.as_str());
        }
        seen += found.len();
    }
    assert_eq!(seen, expected.len(), "every order has exactly one stage");
}

async fn an_orders_record_has_everything_and_its_links_can_be_revoked(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = fill_shop(&app, "shop", SHOP_KEY, "1001", &JANE).await;
    let (status, record) = app.get_admin(&format!("{ORDERS}/1001")).await;
    assert_eq!(status, StatusCode::OK, "{record}");
    assert_eq!(record["customer"]["email"], JANE.email);
    assert_eq!(record["customer"]["last_name"], JANE.last_name);
    assert_eq!(record["delivery_address"]["street"], JANE.street);
    assert_eq!(record["view"]["number"], "1001");
    let parcels = record["view"]["shipments"].as_array().unwrap();
    assert_eq!(parcels.len(), 2);
    assert!(
        parcels.iter().any(|p| p["choice"]["kind"] == "neighbour"),
        "the shopper's choice: {parcels:?}"
    );
    assert!(parcels
        .iter()
        .any(|p| !p["events"].as_array().unwrap().is_empty()));
    assert_eq!(record["returns"].as_array().unwrap().len(), 1);
    assert_eq!(record["reviews"].as_array().unwrap().len(), 1);
    assert_eq!(record["answers"]["nps"], 9);
    assert_eq!(record["answers"]["nps_comment"], JANE.words);
    assert_eq!(record["answers"]["heard"], JANE.words);
    let links = record["links"].as_array().unwrap();
    assert_eq!(links.len(), 1);
    let id = links[0]["id"].as_str().unwrap();
    assert_eq!(id.len(), 16);
    assert!(
        !record.to_string().contains(&token),
        "a link's token is never shown again"
    );

    // Another shop cannot read it or revoke its links.
    let (status, _) = app
        .get_admin_with(&format!("{ORDERS}/1001"), OTHER_KEY)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let revoke = format!("{ORDERS}/1001/tokens/{id}");
    let request = |key: &str| {
        axum::http::Request::delete(&revoke)
            .header("authorization", format!("Bearer {key}"))
            .body(axum::body::Body::empty())
            .unwrap()
    };
    assert_eq!(
        app.send(request(OTHER_KEY)).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/api/v1/shops/shop/orders/{token}"))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        app.send(request(SHOP_KEY)).await.status(),
        StatusCode::NO_CONTENT
    );
    let (status, body) = app.get(&format!("/api/v1/shops/shop/orders/{token}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = json_of(app.send(request(SHOP_KEY)).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "link_not_found");
    let (_, record) = app.get_admin(&format!("{ORDERS}/1001")).await;
    assert_eq!(record["links"], json!([]));
}

async fn the_shops_words_reach_the_shopper(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = fill_shop(&app, "shop", SHOP_KEY, "1001", &JANE).await;
    let shopper = format!("/api/v1/shops/shop/orders/{token}");
    let (_, reviews) = app.get_admin("/api/v1/admin/reviews").await;
    let id = reviews[0]["review"]["id"].as_i64().unwrap();
    let reply = format!("/api/v1/admin/reviews/{id}/reply");
    for bad in [json!({"text": " "}), json!({"text": "x".repeat(2001)})] {
        let (status, _) = app.admin_put(&reply, SHOP_KEY, &bad.to_string()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let answer = json!({"text": "Thank you! <b>Glad</b> it fits."});
    let (status, _) = app.admin_put(&reply, OTHER_KEY, &answer.to_string()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another shop's review");
    let (status, _) = app.admin_put(&reply, SHOP_KEY, &answer.to_string()).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, items) = app.get(&format!("{shopper}/reviews")).await;
    let reviewed = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["review"].is_object())
        .unwrap();
    assert_eq!(
        reviewed["review"]["reply"],
        "Thank you! <b>Glad</b> it fits."
    );
    let removal = axum::http::Request::delete(&reply)
        .header("authorization", format!("Bearer {SHOP_KEY}"))
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(app.send(removal).await.status(), StatusCode::NO_CONTENT);
    let (_, items) = app.get(&format!("{shopper}/reviews")).await;
    assert!(items.to_string().find("Glad").is_none());

    let (_, options) = app.get(&format!("{shopper}/returns")).await;
    let number = options["returns"][0]["number"].as_str().unwrap().to_owned();
    let status_path = format!("/api/v1/admin/returns/{number}/status");
    let rejected = json!({"status": "rejected", "message": "Worn items cannot be returned."});
    let (status, view) = app
        .admin_post(&status_path, SHOP_KEY, &rejected.to_string())
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["shop_message"], "Worn items cannot be returned.");
    let (_, options) = app.get(&format!("{shopper}/returns")).await;
    assert_eq!(options["returns"][0]["status"], "rejected");
    assert_eq!(
        options["returns"][0]["shop_message"],
        "Worn items cannot be returned."
    );
    let (status, _) = app
        .admin_post(
            &status_path,
            SHOP_KEY,
            &json!({"status": "rejected", "message": ""}).to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn slots_are_listed_changed_and_removed(backend: Backend) {
    let app = TestApp::new(backend).await;
    let slots = "/api/v1/admin/delivery-slots";
    let mut ids = Vec::new();
    for from in ["10:00", "14:00"] {
        let slot = json!({"date": "2026-11-26", "from": from, "to": "12:00", "capacity": 5});
        let slot = json!({"date": slot["date"], "from": from, "to": if from == "10:00" { "12:00" } else { "16:00" }, "capacity": 5});
        let (status, body) = app.admin_post(slots, SHOP_KEY, &slot.to_string()).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        ids.push(body["id"].as_i64().unwrap());
    }
    let (status, list) = app.get_admin(&format!("{slots}?from=2026-11-20")).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["capacity"], 5);
    assert_eq!(list[0]["taken"], 0);
    assert_eq!(
        app.get_admin(&format!("{slots}?from=2026-11-27")).await.1,
        json!([])
    );
    assert_eq!(
        app.get_admin(&format!("{slots}?from=soon")).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Today (the test clock's 2026-11-23) unless a date is given.
    assert_eq!(app.get_admin(slots).await.1.as_array().unwrap().len(), 2);

    let first = format!("{slots}/{}", ids[0]);
    let (status, slot) = app.admin_put(&first, SHOP_KEY, r#"{"capacity": 2}"#).await;
    assert_eq!(status, StatusCode::OK, "{slot}");
    assert_eq!(slot["capacity"], 2);
    for bad in [r#"{"capacity": 0}"#, r#"{"capacity": 100001}"#] {
        assert_eq!(
            app.admin_put(&first, SHOP_KEY, bad).await.0,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    assert_eq!(
        app.admin_put(&first, OTHER_KEY, r#"{"capacity": 9}"#)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    // Two shoppers hold places: the capacity cannot go below two, and the slot stays.
    app.create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    app.execute(&[
        &format!("UPDATE delivery_slots SET taken = 2 WHERE id = {}", ids[0]),
        &format!(
            "INSERT INTO shipments (order_id, carrier, tracking_number, choice_slot_id)
             SELECT id, 'dhl', 'S1', {} FROM orders WHERE number = '1001'",
            ids[0]
        ),
    ])
    .await;
    let (status, body) = app.admin_put(&first, SHOP_KEY, r#"{"capacity": 1}"#).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "capacity_below_taken");
    let delete = |uri: String, key: &str| {
        axum::http::Request::delete(uri)
            .header("authorization", format!("Bearer {key}"))
            .body(axum::body::Body::empty())
            .unwrap()
    };
    let (status, body) = json_of(app.send(delete(first.clone(), SHOP_KEY)).await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "slot_chosen");
    let second = format!("{slots}/{}", ids[1]);
    assert_eq!(
        app.send(delete(second.clone(), OTHER_KEY)).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.send(delete(second.clone(), SHOP_KEY)).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.send(delete(second, SHOP_KEY)).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.count("delivery_slots").await, 1);
}

async fn the_returns_queue_lists_what_waits(backend: Backend) {
    let app = TestApp::new(backend).await;
    fill_shop(&app, "shop", SHOP_KEY, "1001", &JANE).await;
    let (status, queue) = app
        .get_admin("/api/v1/admin/returns?status=requested")
        .await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    assert_eq!(queue.as_array().unwrap().len(), 1);
    assert_eq!(queue[0]["order_number"], "1001");
    assert_eq!(queue[0]["return"]["status"], "requested");
    assert_eq!(queue[0]["return"]["items"][0]["reason"], "Too small");
    assert_eq!(
        app.get_admin("/api/v1/admin/returns?status=approved")
            .await
            .1,
        json!([])
    );
    assert_eq!(
        app.get_admin("/api/v1/admin/returns")
            .await
            .1
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        app.get_admin_with("/api/v1/admin/returns", OTHER_KEY)
            .await
            .1,
        json!([])
    );
    let (status, _) = app.get_admin("/api/v1/admin/returns?status=lost").await;
    assert!(status.is_client_error());
}

async fn the_webhook_log_shows_each_send_and_sends_again(backend: Backend) {
    let app = TestApp::new(backend).await;
    fill_shop(&app, "shop", SHOP_KEY, "1001", &JANE).await;
    let (status, log) = app.get_admin("/api/v1/admin/webhook-deliveries").await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let log = log.as_array().unwrap();
    let kinds: Vec<&str> = log.iter().map(|d| d["type"].as_str().unwrap()).collect();
    assert!(
        kinds.contains(&"delivery_choice.changed") && kinds.contains(&"return.created"),
        "{kinds:?}"
    );
    assert!(log
        .iter()
        .all(|d| d["state"] == "pending" && d["attempts"] == 0));
    // No body: it may carry the shopper's data.
    let text = serde_json::to_string(log).unwrap();
    for personal in JANE.personal() {
        assert!(!text.contains(&personal), "{personal}");
    }
    let id = log[0]["id"].as_i64().unwrap();
    app.execute(&[&format!(
        "UPDATE webhook_deliveries SET state = 'failed', attempts = 8, next_attempt_at = 0 WHERE id = {id}"
    )])
    .await;
    let resend = format!("/api/v1/admin/webhook-deliveries/{id}/resend");
    let (status, _) = app.admin_post(&resend, OTHER_KEY, "").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another shop's delivery");
    let (status, _) = app.admin_post(&resend, SHOP_KEY, "").await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (_, log) = app.get_admin("/api/v1/admin/webhook-deliveries").await;
    let again = log
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id)
        .unwrap();
    assert_eq!(
        (again["state"].as_str(), again["attempts"].as_u64()),
        (Some("pending"), Some(0))
    );
    assert_eq!(
        app.get_admin_with("/api/v1/admin/webhook-deliveries", OTHER_KEY)
            .await
            .1,
        json!([])
    );
}

/// A preflight from `origin` for the shop's orders: the origin the answer allows, if any.
async fn preflight(app: &TestApp, origin: &str) -> Option<String> {
    let request = axum::http::Request::builder()
        .method("OPTIONS")
        .uri("/api/v1/shops/shop/orders/AAAAAAAAAAAAAAAAAAAAAAAA")
        .header("origin", origin)
        .header("access-control-request-method", "GET")
        .body(axum::body::Body::empty())
        .unwrap();
    app.send(request)
        .await
        .headers()
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap().to_owned())
}

async fn the_owner_sets_the_allowed_origins_and_browsers_follow(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (status, got) = app.get_admin("/api/v1/admin/allowed-origins").await;
    assert_eq!(
        (status, got),
        (StatusCode::OK, json!({"origins": [SHOP_ORIGIN]}))
    );
    assert_eq!(preflight(&app, "https://www.shop.example").await, None);
    // Written as browsers send them: lower case, no default port, once each.
    let asked = json!({"origins": ["https://shop.example", "https://WWW.Shop.Example:443",
                                   "https://www.shop.example", "http://localhost:3000"]});
    let (status, set) = app
        .admin_put(
            "/api/v1/admin/allowed-origins",
            SHOP_KEY,
            &asked.to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{set}");
    assert_eq!(
        set["origins"],
        json!([
            "https://shop.example",
            "https://www.shop.example",
            "http://localhost:3000"
        ])
    );
    assert_eq!(
        preflight(&app, "https://www.shop.example").await.as_deref(),
        Some("https://www.shop.example")
    );
    let (_, info) = app.get_admin("/api/v1/admin/install").await;
    assert_eq!(info["allowed_origins"], set["origins"]);
    // Anything but an exact origin is refused by position, and nothing changes.
    let bad = json!({"origins": ["https://shop.example", "http://shop.example",
                                 "https://shop.example/thanks", "*", "https://a:b@shop.example"]});
    let (status, body) = app
        .admin_put("/api/v1/admin/allowed-origins", SHOP_KEY, &bad.to_string())
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        error_fields(&body),
        ["origins[1]", "origins[2]", "origins[3]", "origins[4]"]
    );
    let too_many =
        json!({"origins": (0..21).map(|i| format!("https://s{i}.example")).collect::<Vec<_>>()});
    let (status, body) = app
        .admin_put(
            "/api/v1/admin/allowed-origins",
            SHOP_KEY,
            &too_many.to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (_, got) = app.get_admin("/api/v1/admin/allowed-origins").await;
    assert_eq!(got, set);
    // Another shop's list is its own.
    let (_, other) = app
        .get_admin_with("/api/v1/admin/allowed-origins", OTHER_KEY)
        .await;
    assert_eq!(other, json!({"origins": ["https://other.example"]}));
}

/// Origins changed by another process (`shops origins`, another server) hold here once
/// this process's copy is older than `ORIGINS_KEPT`.
async fn origins_changed_elsewhere_hold_within_a_second(backend: Backend) {
    let app = TestApp::new(backend).await;
    assert_eq!(preflight(&app, "https://new.shop.example").await, None);
    app.state
        .db
        .set_allowed_origins("shop", vec!["https://new.shop.example".into()])
        .await
        .unwrap();
    tokio::time::sleep(postpurchase_server::shopper::ORIGINS_KEPT + Duration::from_millis(50))
        .await;
    assert_eq!(
        preflight(&app, "https://new.shop.example").await.as_deref(),
        Some("https://new.shop.example")
    );
    assert_eq!(preflight(&app, SHOP_ORIGIN).await, None);
}

async fn the_install_values_are_the_shops_own_and_origins_are_checked(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (status, info) = app.get_admin("/api/v1/admin/install").await;
    assert_eq!(status, StatusCode::OK, "{info}");
    assert_eq!(info["slug"], "shop");
    assert_eq!(info["api_origin"], "https://pp.example");
    assert_eq!(
        info["loader_url"],
        "https://pp.example/widget/postpurchase.js"
    );
    assert_eq!(info["allowed_origins"], json!([SHOP_ORIGIN]));
    assert_eq!(info["checked"], Value::Null);
    for (page, origin, allowed) in [
        (
            "https://shop.example/checkout/thanks?x=1",
            json!("https://shop.example"),
            true,
        ),
        (
            "https://www.shop.example/thanks",
            json!("https://www.shop.example"),
            false,
        ),
        ("http://shop.example/", json!("http://shop.example"), false),
        (
            "https://other.example/",
            json!("https://other.example"),
            false,
        ),
        ("not an address", Value::Null, false),
    ] {
        let (_, info) = app
            .get_admin(&format!(
                "/api/v1/admin/install?page={}",
                page.replace(' ', "%20")
                    .replace('?', "%3F")
                    .replace('&', "%26")
                    .replace('=', "%3D")
            ))
            .await;
        assert_eq!(
            info["checked"],
            json!({"origin": origin, "allowed": allowed}),
            "{page}"
        );
    }
    let (_, theirs) = app.get_admin_with("/api/v1/admin/install", OTHER_KEY).await;
    assert_eq!(theirs["slug"], "other");
}

async fn pickup_points_are_listed_changed_and_removed(backend: Backend) {
    let app = TestApp::new(backend).await;
    let points = "/api/v1/admin/pickup-points";
    let mut ids = Vec::new();
    for name in ["Locker Station", "Bakery Jansen"] {
        let point = json!({"name": name, "address": "Stationsplein 1, Amsterdam", "opening_hours": ["Mon–Sat 8–18"]});
        let (status, body) = app.admin_post(points, SHOP_KEY, &point.to_string()).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        ids.push(body["id"].as_i64().unwrap());
    }
    let (_, list) = app.get_admin(points).await;
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Bakery Jansen", "Locker Station"], "by name");
    let first = format!("{points}/{}", ids[0]);
    let changed =
        json!({"name": "Locker Centraal", "address": "Stationsplein 2, Amsterdam", "locker": true});
    let (status, point) = app.admin_put(&first, SHOP_KEY, &changed.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{point}");
    assert_eq!(
        (point["name"].as_str(), point["locker"].as_bool()),
        (Some("Locker Centraal"), Some(true))
    );
    let (status, body) = app
        .admin_put(&first, SHOP_KEY, r#"{"name": " ", "address": ""}"#)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), ["name", "address"]);
    assert_eq!(
        app.admin_put(&first, OTHER_KEY, &changed.to_string())
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    // A shopper chose it for a parcel still on its way: it stays.
    app.create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    app.execute(&[&format!(
        "INSERT INTO shipments (order_id, carrier, tracking_number, choice)
         SELECT id, 'dhl', 'P1', '{{\"kind\":\"pickup_point\",\"pickup_point_id\":{}}}' FROM orders WHERE number = '1001'",
        ids[0]
    )])
    .await;
    let delete = |uri: &str, key: &str| {
        axum::http::Request::delete(uri)
            .header("authorization", format!("Bearer {key}"))
            .body(axum::body::Body::empty())
            .unwrap()
    };
    let (status, body) = json_of(app.send(delete(&first, SHOP_KEY)).await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "pickup_point_chosen");
    let second = format!("{points}/{}", ids[1]);
    assert_eq!(
        app.send(delete(&second, OTHER_KEY)).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.send(delete(&second, SHOP_KEY)).await.status(),
        StatusCode::NO_CONTENT
    );
    // Once that parcel is delivered, the point may go.
    app.execute(&["UPDATE shipments SET status = 'delivered' WHERE tracking_number = 'P1'"])
        .await;
    assert_eq!(
        app.send(delete(&first, SHOP_KEY)).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.get_admin(points).await.1, json!([]));
}

storage_tests!(
    the_owner_sets_the_allowed_origins_and_browsers_follow,
    origins_changed_elsewhere_hold_within_a_second,
    pickup_points_are_listed_changed_and_removed,
    the_install_values_are_the_shops_own_and_origins_are_checked,
    the_webhook_log_shows_each_send_and_sends_again,
    slots_are_listed_changed_and_removed,
    the_returns_queue_lists_what_waits,
    orders_are_found_by_number_email_name_and_tracking_number,
    the_stage_filter_follows_the_stage_rules,
    an_orders_record_has_everything_and_its_links_can_be_revoked,
    the_shops_words_reach_the_shopper,
);
