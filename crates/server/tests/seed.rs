//! The demo shop has an order at every stage the storefront promises, and reseeding is safe.

mod common;

use axum::http::StatusCode;
use common::*;
use postpurchase_server::seed;
use serde_json::json;

async fn the_demo_covers_every_stage_and_reseeds_idempotently(backend: Backend) {
    let app = TestApp::new(backend).await;
    let demo = seed::seed_demo(&app.state, "http://127.0.0.1:8081")
        .await
        .unwrap();
    let mut stages = Vec::new();
    let mut statuses = std::collections::BTreeSet::new();
    let mut places = std::collections::BTreeSet::new();
    for order in &demo.orders {
        let (status, view) = app
            .get(&format!(
                "/api/v1/shops/{}/orders/{}",
                seed::SHOP,
                order.token
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{}", order.number);
        for parcel in view["shipments"].as_array().unwrap() {
            statuses.insert(parcel["status"].as_str().unwrap().to_owned());
            if let Some(place) = parcel["delivered_to"].as_str() {
                places.insert(place.to_owned());
            }
            // Every status came from carrier events, newest first.
            assert!(!parcel["events"].as_array().unwrap().is_empty());
        }
        stages.push((
            order.number.clone(),
            view["stage"].as_str().unwrap().to_owned(),
            view["customer"]["returning"].as_bool().unwrap(),
            view["shipments"].as_array().unwrap().len(),
        ));
    }
    let expected = [
        ("1001", "processing", false, 0),
        ("1002", "partially_shipped", false, 2),
        ("1003", "out_for_delivery", false, 1),
        ("0950", "delivered", false, 1),
        ("1004", "delivered", true, 1),
        // Said as the shopper needs it first: waiting at a pickup point, a parcel in
        // trouble (a failed attempt; a damaged one), a parcel going back to the shop.
        ("1005", "ready_for_pickup", false, 2),
        ("1006", "action_needed", false, 1),
        ("1007", "action_needed", false, 2),
        ("1008", "returning", false, 2),
        ("1009", "shipped", false, 1),
        ("1010", "action_needed", false, 1),
    ];
    let expected: Vec<_> = expected
        .iter()
        .map(|(n, s, r, p)| (n.to_string(), s.to_string(), *r, *p))
        .collect();
    assert_eq!(stages, expected);
    let every: std::collections::BTreeSet<String> = postpurchase_api::ShipmentStatus::ALL
        .iter()
        .map(|s| s.as_str().to_owned())
        .collect();
    assert_eq!(statuses, every, "the demo shows every parcel status");
    assert_eq!(
        places.into_iter().collect::<Vec<_>>(),
        ["neighbour", "recipient", "signed"]
    );

    let orders = app.count("orders").await;
    let again = seed::seed_demo(&app.state, "http://127.0.0.1:8081")
        .await
        .unwrap();
    assert_eq!(app.count("orders").await, orders);
    assert_ne!(again.api_key, demo.api_key);
    // The old demo key stops working when the demo restarts.
    let (status, _) = app
        .admin_post("/api/v1/admin/orders/1001/tokens", &demo.api_key, "{}")
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app
        .admin_post("/api/v1/admin/orders/1001/tokens", &again.api_key, "{}")
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

async fn the_demo_storefront_takes_only_signed_webhooks(backend: Backend) {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    let app = TestApp::new(backend).await;
    let demo = std::sync::Arc::new(
        seed::seed_demo(&app.state, "http://127.0.0.1:8081")
            .await
            .unwrap(),
    );
    let (_, settings) = app
        .get_admin_with("/api/v1/admin/delivery-settings", &demo.api_key)
        .await;
    assert_eq!(settings["webhook_url"], "http://127.0.0.1:8081/webhooks");
    let storefront = postpurchase_server::web::storefront_router(app.state.clone(), demo.clone());
    let body = serde_json::json!({"id": "evt_1", "type": "delivery_choice.changed", "created_at": "2026-11-23T12:00:00Z",
        "data": {"order_number": "1002", "carrier": "postnl", "tracking_number": "3SPOST0000001",
                 "choice": {"kind": "neighbour", "neighbour": {"name": "A", "house_number": "1"}}}})
    .to_string();
    let post = |signature: String| {
        Request::post("/webhooks")
            .header("postpurchase-timestamp", NOW.to_string())
            .header("postpurchase-signature", signature)
            .body(Body::from(body.clone()))
            .unwrap()
    };
    let forged = storefront
        .clone()
        .oneshot(post("v1=00".into()))
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    let signed = postpurchase_server::webhooks::sign(&demo.webhook_secret, NOW, &body);
    let taken = storefront.clone().oneshot(post(signed)).await.unwrap();
    assert_eq!(taken.status(), StatusCode::NO_CONTENT);
    let page = storefront
        .oneshot(
            Request::get("/merchant/webhooks")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let html = String::from_utf8(body_bytes(page).await).unwrap();
    assert!(html.contains("order #1002"), "{html}");
    assert!(html.contains("neighbour · signature verified"), "{html}");
}

async fn the_demo_shop_runs_every_follow_up_module(backend: Backend) {
    let app = TestApp::new(backend).await;
    let demo = seed::seed_demo(&app.state, "http://127.0.0.1:8081")
        .await
        .unwrap();
    let delivered = demo.orders.iter().find(|o| o.number == "1004").unwrap();
    let at = |what: &str| {
        format!(
            "/api/v1/shops/{}/orders/{}/{what}",
            seed::SHOP,
            delivered.token
        )
    };
    let (status, returns) = app.get(&at("returns")).await;
    assert_eq!(status, StatusCode::OK, "{returns}");
    assert!(
        returns["lines"][0]["quantity"].as_u64().unwrap() > 0,
        "{returns}"
    );
    let (status, reviews) = app.get(&at("reviews")).await;
    assert_eq!(status, StatusCode::OK, "{reviews}");
    assert_eq!(reviews[0]["delivered"], true);
    let (status, survey) = app.get(&at("survey")).await;
    assert_eq!(status, StatusCode::OK, "{survey}");
    assert_eq!(survey["ask_nps"], true);
    let (status, referral) = app.get(&at("referral")).await;
    assert_eq!(status, StatusCode::OK, "{referral}");
    assert!(referral["code"].as_str().unwrap().starts_with("ADA-"));
    // Ada came back: the Klei Club thanks her with a voucher, her balance and "buy again".
    let (status, loyalty) = app.get(&at("loyalty")).await;
    assert_eq!(status, StatusCode::OK, "{loyalty}");
    assert_eq!(loyalty["name"], "Klei Club");
    assert_eq!(loyalty["returning"], true);
    assert!(loyalty["earned"].as_i64().unwrap() > 0, "{loyalty}");
    assert_eq!(loyalty["balance"], 1480);
    assert!(loyalty["voucher"]["code"]
        .as_str()
        .unwrap()
        .starts_with("THANKS-"));
    let again = &loyalty["buy_again"][0]["url"];
    assert!(
        again
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:8081/?product="),
        "{again}"
    );
    let (status, unboxing) = app.get(&at("unboxing")).await;
    assert_eq!(status, StatusCode::OK, "{unboxing}");
    assert_eq!(unboxing["hashtag"], "koffieenklei");
    assert_eq!(unboxing["shop"], "Koffie & Klei");
    assert_eq!(unboxing["share_url"], "http://127.0.0.1:8081/");
    // After delivery: care words for the kettle and the filters, a re-order suggestion
    // for the filters, and what goes well with them.
    let (_, view) = app
        .get(&format!(
            "/api/v1/shops/{}/orders/{}",
            seed::SHOP,
            delivered.token
        ))
        .await;
    let modules = view["modules"].to_string();
    assert!(
        modules.contains("loyalty") && modules.contains("unboxing"),
        "{modules}"
    );
    for module in ["care", "pairs"] {
        assert!(
            view["modules"].as_array().unwrap().contains(&module.into()),
            "{module}: {view}"
        );
    }
    let (status, care) = app.get(&at("care")).await;
    assert_eq!(status, StatusCode::OK, "{care}");
    let items = care["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{care}");
    assert!(items.iter().all(|i| i["care"].is_string()), "{care}");
    assert_eq!(items[1]["name"], "Paper filters");
    assert_eq!(items[1]["reorder_days"], 45);
    let (status, pairs) = app.get(&at("pairs")).await;
    assert_eq!(status, StatusCode::OK, "{pairs}");
    let names: Vec<&str> = pairs["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Single-origin beans, 1 kg", "Stoneware mug"]);
    assert!(pairs["pairs"][0]["url"]
        .as_str()
        .unwrap()
        .starts_with("http://127.0.0.1:8081/"));
    // Every demo product can be put back through the admin API as it reads.
    let (_, products) = app
        .get_admin_with("/api/v1/admin/products", &demo.api_key)
        .await;
    assert_eq!(products.as_array().unwrap().len(), 4);
    for product in products.as_array().unwrap() {
        let mut body = product.clone();
        let sku = body["sku"].as_str().unwrap().to_owned();
        let body = body.as_object_mut().unwrap();
        body.remove("sku");
        body.remove("reminders_waiting");
        for pair in body["pairs"].as_array_mut().unwrap() {
            let pair = pair.as_object_mut().unwrap();
            pair.remove("id");
            pair.remove("clicks");
        }
        let (status, again) = app
            .admin_put(
                &format!("/api/v1/admin/products/{sku}"),
                &demo.api_key,
                &serde_json::Value::Object(body.clone()).to_string(),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{sku}: {again}");
        assert_eq!(&again, product);
    }
    // The order still processing offers faster delivery: next day and this evening.
    let processing = demo.orders.iter().find(|o| o.number == "1001").unwrap();
    let (status, view) = app
        .get(&format!(
            "/api/v1/shops/{}/orders/{}",
            seed::SHOP,
            processing.token
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert!(
        view["modules"]
            .as_array()
            .unwrap()
            .contains(&json!("upgrade")),
        "{view}"
    );
    let (status, upgrade) = app
        .get(&format!(
            "/api/v1/shops/{}/orders/{}/upgrade",
            seed::SHOP,
            processing.token
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{upgrade}");
    let kinds: Vec<(&str, i64)> = upgrade["offers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["kind"].as_str().unwrap(), o["price"].as_i64().unwrap()))
        .collect();
    assert_eq!(kinds, [("next_day", 495), ("evening", 695)]);
}

async fn the_demo_has_sixty_days_of_history_for_the_dashboard(backend: Backend) {
    let app = TestApp::new(backend).await;
    let demo = seed::seed_demo(&app.state, "http://127.0.0.1:8081")
        .await
        .unwrap();
    let uri = "/api/v1/admin/analytics?from=2026-09-24&to=2026-11-23";
    let (status, a) = app.get_admin_with(uri, &demo.api_key).await;
    assert_eq!(status, StatusCode::OK, "{a}");
    let n = |v: &serde_json::Value| v.as_u64().unwrap();
    // About three orders a day, some from customers who came back.
    assert!(
        (120..=240).contains(&n(&a["traffic"]["orders"])),
        "{}",
        a["traffic"]
    );
    assert!(
        n(&a["retention"]["repeat_orders"]) >= 10,
        "{}",
        a["retention"]
    );
    assert!(
        n(&a["retention"]["second_orders"]) >= 5,
        "{}",
        a["retention"]
    );
    assert!(
        n(&a["traffic"]["visits"]) > n(&a["traffic"]["orders"]),
        "{}",
        a["traffic"]
    );
    assert!(n(&a["traffic"]["orders_opened"]) < n(&a["traffic"]["orders"]));
    // Enough answers for a score that means something.
    assert_eq!(a["nps"]["few_answers"], false, "{}", a["nps"]);
    assert!(a["nps"]["weekly"].as_array().unwrap().len() >= 8);
    assert!(!a["nps"]["heard"].as_array().unwrap().is_empty());
    let delivery = &a["delivery"];
    assert!(
        delivery["carriers"].as_array().unwrap().len() >= 4,
        "{delivery}"
    );
    let on_time = delivery["on_time_rate"].as_f64().unwrap();
    assert!((0.5..1.0).contains(&on_time), "{delivery}");
    assert!(n(&delivery["exceptions"]) > 0 && n(&delivery["failed_attempts"]) > 0);
    assert!(
        delivery["choices"].as_array().unwrap().len() >= 3,
        "{delivery}"
    );
    assert!(delivery["slot_fill"].as_f64().unwrap() > 0.0);
    assert!(
        n(&a["returns"]["returns"]) > 0 && !a["returns"]["kept"].as_array().unwrap().is_empty()
    );
    assert!(n(&a["reviews"]["reviewed"]) > 10, "{}", a["reviews"]);
    let referral = &a["referral"];
    assert!(
        n(&referral["codes_shown"]) > 0 && n(&referral["links_copied"]) > 0,
        "{referral}"
    );
    assert!(n(&referral["friends_orders"]) > 0, "{referral}");
    // A restart changes none of it.
    // (A restarted demo has a new key.)
    let demo = seed::seed_demo(&app.state, "http://127.0.0.1:8081")
        .await
        .unwrap();
    let (_, again) = app.get_admin_with(uri, &demo.api_key).await;
    let mut a = a;
    let mut again = again;
    // The samples' links and the current slots are drawn anew; the past is the same.
    for figures in [&mut a, &mut again] {
        figures["delivery"]["slot_places"] = serde_json::Value::Null;
        figures["delivery"]["slots_taken"] = serde_json::Value::Null;
        figures["delivery"]["slot_fill"] = serde_json::Value::Null;
    }
    assert_eq!(a, again);
}

storage_tests!(
    the_demo_has_sixty_days_of_history_for_the_dashboard,
    the_demo_covers_every_stage_and_reseeds_idempotently,
    the_demo_storefront_takes_only_signed_webhooks,
    the_demo_shop_runs_every_follow_up_module,
);

/// Every demo order reads the same on PostgreSQL as on SQLite, byte for byte once parsed:
/// numbers, prices, coordinates and distances, texts, flags and the order of everything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_reads_the_same_on_both_databases() {
    let mut views = Vec::new();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let app = TestApp::new(backend).await;
        let demo = seed::seed_demo(&app.state, "http://127.0.0.1:8081")
            .await
            .unwrap();
        let mut these = Vec::new();
        for order in &demo.orders {
            let path = format!("/api/v1/shops/{}/orders/{}", seed::SHOP, order.token);
            let (status, view) = app.get(&path).await;
            assert_eq!(status, StatusCode::OK, "{}", order.number);
            these.push(view);
        }
        views.push(these);
    }
    assert!(views[0]
        .iter()
        .any(|v| !v["delivery_options"]["pickup_points"]
            .as_array()
            .is_none_or(Vec::is_empty)));
    assert_eq!(views[0].len(), views[1].len());
    for (sqlite, postgres) in views[0].iter().zip(&views[1]) {
        assert_eq!(sqlite, postgres);
    }
}
