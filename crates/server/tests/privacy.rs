//! Personal data: erasing a customer on request (nothing personal left anywhere, the
//! shop's totals kept), and the server purging what has expired on its own.

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use common::*;
use postpurchase_server::{domain, maintenance, Clock};
use serde_json::{json, Value};

const ZEB: Shopper = Shopper {
    email: "zebediah.quackenbush@example.com",
    first_name: "Zebediah",
    last_name: "Quackenbush",
    street: "Brouwersgracht 271",
    postcode: "1015 GJ",
    phone: "+31 6 9876 5432",
    words: "Ask Ms Vandersloot at number twelve",
};

/// Every text and byte string of every table, lower-cased, with where it is.
async fn everything(app: &TestApp) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for table in postpurchase_server::store::shops::tables_with_shop_data() {
        for mut row in app.rows(&format!("SELECT * FROM {table}")).await {
            let columns: Vec<String> = row.columns().iter().map(|c| c.to_string()).collect();
            for (column, cell) in columns.iter().zip(row.take_cells()) {
                let text = match cell {
                    Cell::Text(t) => t,
                    Cell::Blob(b) => String::from_utf8_lossy(&b).into_owned(),
                    _ => continue,
                };
                found.push((format!("{table}.{column}"), text.to_lowercase()));
            }
        }
    }
    found
}

/// The shop's numbers that must not move when a customer is erased.
async fn totals(app: &TestApp) -> Vec<i64> {
    let mut numbers = app
        .counts(&[
            "orders",
            "order_items",
            "shipments",
            "reviews",
            "returns",
            "nps_answers",
            "heard_answers",
            "referral_codes",
            "referral_redemptions",
        ])
        .await;
    for sql in [
        "SELECT CAST(SUM(total) AS BIGINT) FROM orders",
        "SELECT CAST(SUM(stars) AS BIGINT) FROM reviews",
        "SELECT CAST(SUM(refund + bonus) AS BIGINT) FROM returns",
        "SELECT CAST(SUM(score) AS BIGINT) FROM nps_answers",
    ] {
        numbers.push(app.number(sql).await);
    }
    numbers
}

async fn erasing_a_customer_leaves_nothing_of_theirs_and_keeps_the_totals(backend: Backend) {
    let app = TestApp::new(backend).await;
    let zeb = fill_shop(&app, "shop", SHOP_KEY, "1001", &ZEB).await;
    let jane = fill_shop(&app, "shop", SHOP_KEY, "1002", &JANE).await;
    let (_, survey_before) = app.get_admin("/api/v1/admin/survey-results").await;
    let before = totals(&app).await;
    let mut personal: Vec<String> = ZEB.personal().iter().map(|p| p.to_lowercase()).collect();
    // Referral codes start with the first name, cut to six letters.
    personal.push("zebedi".into());
    let hash = domain::secret_hash(ZEB.email);
    assert!(
        everything(&app)
            .await
            .iter()
            .any(|(_, t)| t.contains("quackenbush")),
        "the test must put the name somewhere first"
    );

    // Every event about the order names its shopper: parcel news, a choice, a review,
    // answers, a return.
    let webhooks = app
        .number(
            "SELECT count(*) FROM webhook_deliveries d JOIN orders o ON o.id = d.order_id
             WHERE o.number = '1001'",
        )
        .await;
    assert!(webhooks >= 6, "{webhooks}");
    let (status, report) = app
        .admin_post(
            "/api/v1/admin/customers/erasure",
            SHOP_KEY,
            &json!({"email": "Zebediah.Quackenbush@Example.com"}).to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        report,
        json!({"orders": 1, "reviews": 1, "returns": 1, "survey_answers": 2, "webhooks": webhooks,
               "photos": 1})
    );

    for (place, text) in everything(&app).await {
        for p in &personal {
            assert!(!text.contains(p.as_str()), "{p} left in {place}: {text}");
        }
    }
    for mut row in app
        .rows("SELECT email_hash FROM referral_redemptions")
        .await
    {
        assert_ne!(row.get::<Vec<u8>>("email_hash").unwrap(), hash.to_vec());
    }
    assert_eq!(totals(&app).await, before);
    let (_, survey_after) = app.get_admin("/api/v1/admin/survey-results").await;
    assert_eq!(survey_after["nps"], survey_before["nps"]);
    assert_eq!(survey_after["nps_answers"], survey_before["nps_answers"]);

    // Their links stop working; Jane's order is untouched.
    let (status, _) = app.get(&format!("/api/v1/shops/shop/orders/{zeb}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, view) = app.get(&format!("/api/v1/shops/shop/orders/{jane}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["customer"]["first_name"], "Jane");
    assert!(
        everything(&app)
            .await
            .iter()
            .any(|(_, t)| t.contains("mrs visser next door")),
        "another customer's words stay"
    );

    // Erased is erased: the address is gone, so a second request finds no one.
    let (status, error) = app
        .admin_post(
            "/api/v1/admin/customers/erasure",
            SHOP_KEY,
            &json!({"email": ZEB.email}).to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error["error"]["code"], "customer_not_found");
}

async fn erasure_is_per_shop_and_checked(backend: Backend) {
    let app = TestApp::new(backend).await;
    app.create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    let erase = |key: &'static str, body: Value| {
        let app = &app;
        async move {
            app.admin_post("/api/v1/admin/customers/erasure", key, &body.to_string())
                .await
        }
    };
    let (status, error) = erase(OTHER_KEY, json!({"email": "jane@example.com"})).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another shop's customer: {error}"
    );
    let (status, error) = erase(SHOP_KEY, json!({"email": "not an address"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&error), ["email"]);
    let (status, _) = erase(SHOP_KEY, json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.text("SELECT first_name FROM customers").await,
        "Jane",
        "nothing changed"
    );
}

async fn purging_removes_what_expired_and_only_that(backend: Backend) {
    let app = TestApp::new(backend).await;
    let old = app
        .create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    // A token minted with one day to live.
    let (_, fresh) = app
        .admin_post(
            "/api/v1/admin/orders/1001/tokens",
            SHOP_KEY,
            r#"{"valid_days": 1}"#,
        )
        .await;
    let fresh = fresh["token"].as_str().unwrap().to_owned();
    let keyed = json_request(
        "POST",
        "/api/v1/admin/orders",
        &[
            ("authorization", &format!("Bearer {SHOP_KEY}")),
            ("idempotency-key", "k1"),
        ],
        &sample_order("1002", "ada@example.com"),
    );
    assert_eq!(app.send(keyed).await.status(), StatusCode::CREATED);
    assert_eq!(
        app.counts(&["order_tokens", "idempotency_keys"]).await,
        [3, 1]
    );

    // Nothing has expired yet.
    let purged = app.state.db.purge(NOW).await.unwrap();
    assert_eq!((purged.tokens, purged.idempotency_records), (0, 0));
    // Two days on: the day-old key and the one-day token are gone; the others stay.
    let purged = app.state.db.purge(NOW + 2 * 86_400).await.unwrap();
    assert_eq!((purged.tokens, purged.idempotency_records), (1, 1));
    assert_eq!(
        app.counts(&["order_tokens", "idempotency_keys"]).await,
        [2, 0]
    );
    app.state.clock.set(NOW + 2 * 86_400);
    let (status, _) = app.get(&format!("/api/v1/shops/shop/orders/{old}")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.get(&format!("/api/v1/shops/shop/orders/{fresh}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn the_server_purges_on_its_own(backend: Backend) {
    let app = TestApp::new(backend).await;
    app.create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    assert_eq!(app.count("order_tokens").await, 1);
    // A year and a day on, as the server's clock sees it: the token has expired.
    let clock = Clock::fixed(NOW + 366 * 86_400);
    let purger = maintenance::spawn(app.state.db.clone(), clock, Duration::from_millis(50));
    let mut left = 1;
    for _ in 0..100 {
        left = app.count("order_tokens").await;
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    purger.abort();
    assert_eq!(left, 0, "the purge ran by itself");
}

storage_tests!(
    erasing_a_customer_leaves_nothing_of_theirs_and_keeps_the_totals,
    erasure_is_per_shop_and_checked,
    purging_removes_what_expired_and_only_that,
    the_server_purges_on_its_own,
);
