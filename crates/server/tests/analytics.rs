//! Analytics through the API: the widget's events counted per order and day (and not at
//! all when the shop switches them off), and the dashboard's figures and CSV tables as the
//! orders, parcels, reviews and answers made through the API give them.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use serde_json::{json, Value};

async fn post(app: &TestApp, uri: &str, body: Value) -> (StatusCode, Value) {
    let request = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    json_of(app.send(request).await).await
}

async fn event(app: &TestApp, token: &str, body: Value) -> StatusCode {
    post(
        app,
        &format!("/api/v1/shops/shop/orders/{token}/events"),
        body,
    )
    .await
    .0
}

/// Jane's first order (2026-11-20) and her second (1001, 2026-11-22, tees delivered on the
/// 23rd within its window), and Bob's order (2026-11-21): three orders, one repeat.
async fn three_orders(app: &TestApp) -> (String, String, String) {
    let mut first = sample_order("1000", "jane@example.com");
    first["placed_at"] = json!("2026-11-20T09:30:00Z");
    let first = app.create_order(SHOP_KEY, &first).await;
    let second = app
        .create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    let mut bob = sample_order("1002", "bob@example.com");
    bob["placed_at"] = json!("2026-11-21T12:00:00Z");
    let bob = app.create_order(SHOP_KEY, &bob).await;
    app.deliver_tees("2026-11-23T10:00:00Z").await;
    (first, second, bob)
}

async fn figures_follow_what_happened(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (first, second, bob) = three_orders(&app).await;
    for settings in ["review-settings", "survey-settings"] {
        let (status, body) = app
            .admin_put(
                &format!("/api/v1/admin/{settings}"),
                SHOP_KEY,
                r#"{"enabled": true}"#,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // Jane opens her second order three times and its returns once; Bob copies his link.
    for _ in 0..3 {
        assert_eq!(
            event(&app, &second, json!({"event": "opened"})).await,
            StatusCode::NO_CONTENT
        );
    }
    let module = json!({"event": "module_opened", "module": "returns"});
    assert_eq!(event(&app, &second, module).await, StatusCode::NO_CONTENT);
    assert_eq!(
        event(&app, &bob, json!({"event": "opened"})).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        event(&app, &bob, json!({"event": "link_copied"})).await,
        StatusCode::NO_CONTENT
    );
    // A review of the delivered tee, and two answers: NPS (1 promoter − 1 detractor) = 0.
    let (_, items) = app
        .get(&format!("/api/v1/shops/shop/orders/{second}/reviews"))
        .await;
    let tee = items[0]["line_id"].as_i64().unwrap();
    let review = json!({"line_id": tee, "stars": 4, "title": "Soft", "body": "Fits"});
    let uri = format!("/api/v1/shops/shop/orders/{second}/reviews");
    assert_eq!(post(&app, &uri, review).await.0, StatusCode::CREATED);
    for (token, score) in [(&second, 10), (&first, 3)] {
        let uri = format!("/api/v1/shops/shop/orders/{token}/survey/nps");
        assert_eq!(
            post(&app, &uri, json!({"score": score})).await.0,
            StatusCode::CREATED
        );
    }

    let (status, a) = app
        .get_admin("/api/v1/admin/analytics?from=2026-11-01&to=2026-11-23")
        .await;
    assert_eq!(status, StatusCode::OK, "{a}");
    assert_eq!(
        (a["from"].clone(), a["to"].clone()),
        (json!("2026-11-01"), json!("2026-11-23"))
    );
    assert_eq!(a["daily"].as_array().unwrap().len(), 23);
    let day = |d: &str| {
        a["daily"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["day"] == d)
            .cloned()
            .unwrap()
    };
    assert_eq!(day("2026-11-20")["orders"], 1);
    assert_eq!(day("2026-11-22")["orders"], 1);
    // The clock says 2026-11-23: every visit is on that day.
    assert_eq!(day("2026-11-23")["visits"], 4);
    let traffic = &a["traffic"];
    assert_eq!(traffic["orders"], 3);
    assert_eq!(traffic["orders_opened"], 2);
    assert_eq!(traffic["opened_share"], json!(2.0 / 3.0));
    assert_eq!(traffic["visits"], 4);
    assert_eq!(traffic["visits_per_order"], 2.0);
    assert_eq!(
        traffic["modules_opened"],
        json!([{"name": "returns", "count": 1}])
    );
    let delivery = &a["delivery"];
    assert_eq!(
        (delivery["parcels"].clone(), delivery["delivered"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(delivery["on_time_rate"], 1.0);
    assert_eq!(delivery["carriers"][0]["carrier"], "dhl");
    // Placed 2026-11-22 09:30, delivered 2026-11-23 10:00.
    assert_eq!(delivery["carriers"][0]["average_days"], json!(24.5 / 24.0));
    assert_eq!(delivery["choice_uptake"], 0.0);
    let reviews = &a["reviews"];
    assert_eq!(
        (reviews["items"].clone(), reviews["reviewed"].clone()),
        (json!(6), json!(1))
    );
    assert_eq!(reviews["average"], 4.0);
    assert_eq!(reviews["stars"], json!([0, 0, 0, 1, 0]));
    assert_eq!(a["referral"]["links_copied"], 1);
    let nps = &a["nps"];
    assert_eq!(
        (nps["answers"].clone(), nps["nps"].clone()),
        (json!(2), json!(0.0))
    );
    assert_eq!(nps["few_answers"], true);
    let retention = &a["retention"];
    assert_eq!(retention["repeat_orders"], 1);
    assert_eq!(retention["repeat_rate"], json!(1.0 / 3.0));
    assert_eq!(retention["median_days_to_second"], 2.0);
    assert_eq!(a["returns"]["return_rate"], 0.0);

    // A period before everything has nothing but its days.
    let (_, before) = app
        .get_admin("/api/v1/admin/analytics?from=2026-10-01&to=2026-10-31")
        .await;
    assert_eq!(before["traffic"]["orders"], 0);
    assert_eq!(before["daily"].as_array().unwrap().len(), 31);
    assert_eq!(before["nps"]["nps"], Value::Null);
    // Another shop sees none of it.
    let (_, other) = app
        .get_admin_with("/api/v1/admin/analytics?from=2026-11-01", OTHER_KEY)
        .await;
    assert_eq!(
        (
            other["traffic"]["orders"].clone(),
            other["traffic"]["visits"].clone()
        ),
        (json!(0), json!(0))
    );
}

async fn csv(app: &TestApp, uri: &str) -> (StatusCode, String, String) {
    let response = app
        .send(
            Request::get(uri)
                .header(header::AUTHORIZATION, format!("Bearer {SHOP_KEY}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let status = response.status();
    let disposition = response
        .headers()
        .get(header::CONTENT_DISPOSITION)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = String::from_utf8(body_bytes(response).await).unwrap();
    (status, disposition, body)
}

async fn each_table_downloads_as_csv(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (_, second, _) = three_orders(&app).await;
    event(&app, &second, json!({"event": "opened"})).await;
    let (status, disposition, daily) = csv(
        &app,
        "/api/v1/admin/analytics/daily?from=2026-11-20&to=2026-11-23",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        disposition,
        "attachment; filename=\"shop-daily-2026-11-20-2026-11-23.csv\""
    );
    assert_eq!(
        daily,
        "day,orders,visits\r\n2026-11-20,1,0\r\n2026-11-21,1,0\r\n2026-11-22,1,0\r\n2026-11-23,0,1\r\n"
    );
    let (_, _, carriers) = csv(
        &app,
        "/api/v1/admin/analytics/carriers?from=2026-11-20&to=2026-11-23",
    )
    .await;
    assert_eq!(
        carriers,
        "carrier,parcels,delivered,average_days,exceptions,failed_attempts\r\ndhl,1,1,1.0208,0,0\r\n"
    );
    let (_, _, summary) = csv(
        &app,
        "/api/v1/admin/analytics/summary?from=2026-11-20&to=2026-11-23",
    )
    .await;
    assert!(
        summary.starts_with("figure,value\r\nfrom,2026-11-20\r\nto,2026-11-23\r\n"),
        "{summary}"
    );
    assert!(summary.contains("\r\norders,3\r\n"), "{summary}");
    assert!(summary.contains("\r\nrepeat_rate,0.3333\r\n"), "{summary}");
    for table in [
        "summary",
        "daily",
        "carriers",
        "choices",
        "modules",
        "return_reasons",
        "return_products",
        "stars",
        "nps_weekly",
        "heard",
    ] {
        let (status, _, text) = csv(&app, &format!("/api/v1/admin/analytics/{table}")).await;
        assert_eq!(status, StatusCode::OK, "{table}");
        assert!(
            text.ends_with("\r\n") && text.lines().next().unwrap().contains(','),
            "{table}: {text}"
        );
    }
    let (status, _, body) = csv(&app, "/api/v1/admin/analytics/everything").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

async fn a_bad_period_is_refused_with_its_field(backend: Backend) {
    let app = TestApp::new(backend).await;
    for (query, fields) in [
        ("from=2026-11-02&to=2026-11-01", vec!["from"]),
        ("from=2025-01-01&to=2026-11-01", vec!["to"]),
        ("from=yesterday", vec!["from"]),
        ("to=2026-02-30", vec!["to"]),
    ] {
        let (status, body) = app
            .get_admin(&format!("/api/v1/admin/analytics?{query}"))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert_eq!(error_fields(&body), fields, "{query}");
    }
    let (status, body) = app.get("/api/v1/admin/analytics").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    // Today's 30 days by default.
    let (_, a) = app.get_admin("/api/v1/admin/analytics").await;
    assert_eq!(
        (a["from"].clone(), a["to"].clone()),
        (json!("2026-10-25"), json!("2026-11-23"))
    );
}

async fn events_are_counted_per_day_within_a_limit_and_not_at_all_when_off(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = app
        .create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    let (_, view) = app.get(&format!("/api/v1/shops/shop/orders/{token}")).await;
    assert_eq!(view["report_events"], true);
    for _ in 0..52 {
        assert_eq!(
            event(&app, &token, json!({"event": "opened"})).await,
            StatusCode::NO_CONTENT
        );
    }
    assert_eq!(app.number("SELECT count AS n FROM widget_events").await, 50);
    // Bad reports are refused and counted nowhere.
    for body in [
        json!({"event": "module_opened"}),
        json!({"event": "opened", "module": "returns"}),
        json!({"event": "visited"}),
        json!({"event": "opened", "email": "jane@example.com"}),
    ] {
        let status = event(&app, &token, body.clone()).await;
        assert!(status.is_client_error(), "{body}: {status}");
    }
    assert_eq!(
        event(&app, "AAAAAAAAAAAAAAAAAAAAAAAA", json!({"event": "opened"})).await,
        StatusCode::NOT_FOUND
    );
    let uri = format!("/api/v1/shops/other/orders/{token}/events");
    assert_eq!(
        post(&app, &uri, json!({"event": "opened"})).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.count("widget_events").await, 1);
    // A recommendation clicked is counted too (issue 18's module will send it).
    let click = json!({"event": "recommendation_clicked"});
    assert_eq!(event(&app, &token, click).await, StatusCode::NO_CONTENT);
    assert_eq!(
        app.texts("SELECT event FROM widget_events ORDER BY event")
            .await,
        ["opened", "recommendation_clicked"]
    );

    // Off: the view tells the widget not to report, and a report is kept nowhere.
    let (status, body) = app
        .admin_put(
            "/api/v1/admin/analytics-settings",
            SHOP_KEY,
            r#"{"events": false}"#,
        )
        .await;
    assert_eq!((status, body), (StatusCode::OK, json!({"events": false})));
    let (_, view) = app.get(&format!("/api/v1/shops/shop/orders/{token}")).await;
    assert_eq!(view["report_events"], false);
    let link = json!({"event": "link_copied"});
    assert_eq!(event(&app, &token, link).await, StatusCode::NO_CONTENT);
    assert_eq!(app.count("widget_events").await, 2);
    let (_, settings) = app.get_admin("/api/v1/admin/analytics-settings").await;
    assert_eq!(settings, json!({"events": false}));
    let (_, a) = app.get_admin("/api/v1/admin/analytics").await;
    assert_eq!(a["events"], false);
    // Visits kept before stay counted.
    assert_eq!(a["traffic"]["visits"], 50);
}

storage_tests!(
    figures_follow_what_happened,
    each_table_downloads_as_csv,
    a_bad_period_is_refused_with_its_field,
    events_are_counted_per_day_within_a_limit_and_not_at_all_when_off,
);
