//! The shopper's order view and the capability tokens that open it.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;

fn view_uri(shop: &str, token: &str) -> String {
    format!("/api/v1/shops/{shop}/orders/{token}")
}

async fn a_token_opens_its_order_with_personal_data_masked(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = app
        .create_order(SHOP_KEY, &sample_order("1001", "jane.vandijk@example.com"))
        .await;
    let (status, view) = app.get(&view_uri("shop", &token)).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["number"], "1001");
    assert_eq!(view["stage"], "processing");
    assert_eq!(view["currency"], "EUR");
    assert_eq!(view["placed_at"], "2026-11-22T09:30:00Z");
    assert_eq!(view["customer"]["first_name"], "Jane");
    assert_eq!(view["customer"]["email_masked"], "j***********@e******.com");
    assert_eq!(view["customer"]["returning"], false);
    assert_eq!(view["items"][0]["name"], "Organic tee");
    assert_eq!(view["items"][0]["variant"], "M / Forest");
    assert_eq!(view["items"][0]["line_total"], 5000);
    assert_eq!(view["items"][1]["variant"], serde_json::Value::Null);
    assert_eq!(
        view["totals"],
        json!({"subtotal": 6999, "shipping": 495, "discount": 500, "tax": 0, "total": 6994})
    );
    assert_eq!(
        view["delivery_address"],
        json!({"name": "Jane v.", "street": "Keizersgracht ***", "postcode": "10** **",
               "city": "Amsterdam", "country": "NL"})
    );
    assert_eq!(
        view["promised_delivery"],
        json!({"earliest": "2026-11-25", "latest": "2026-11-27"})
    );
    assert_eq!(view["shop"]["support_email"], "help@shop.example");
    let text = view.to_string();
    for secret in ["jane.vandijk", "Keizersgracht 123", "1015 CJ", "van Dijk"] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
}

async fn a_second_order_by_the_same_customer_is_a_returning_one(backend: Backend) {
    let app = TestApp::new(backend).await;
    app.create_order(SHOP_KEY, &sample_order("1001", "ada@example.com"))
        .await;
    let mut second = sample_order("1002", "ADA@example.com");
    second["placed_at"] = json!("2026-11-23T08:00:00Z");
    let token = app.create_order(SHOP_KEY, &second).await;
    let (_, view) = app.get(&view_uri("shop", &token)).await;
    assert_eq!(view["customer"]["returning"], true);
    // The same address at another shop is a new customer there.
    let token = app
        .create_order(OTHER_KEY, &sample_order("1001", "ada@example.com"))
        .await;
    let (_, view) = app.get(&view_uri("other", &token)).await;
    assert_eq!(view["customer"]["returning"], false);
}

async fn every_bad_token_gets_the_same_not_found(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = app
        .create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    let (status, missing) = app.get(&view_uri("shop", "AAAAAAAAAAAAAAAAAAAAAAAA")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(missing["error"]["code"], "order_not_found");

    let mut mutated = token.clone().into_bytes();
    mutated[5] = if mutated[5] == b'A' { b'B' } else { b'A' };
    let mutated = String::from_utf8(mutated).unwrap();
    let cases = [
        ("wrong", "zzzzzzzzzzzzzzzzzzzzzzzz".to_owned(), "shop"),
        ("mutated", mutated, "shop"),
        ("truncated", token[..token.len() - 1].to_owned(), "shop"),
        ("extended", format!("{token}x"), "shop"),
        ("order number alone", "1001".to_owned(), "shop"),
        ("other shop", token.clone(), "other"),
        ("unknown shop", token.clone(), "nope"),
        ("percent-encoded junk", "%00%3Cscript%3E".to_owned(), "shop"),
    ];
    for (case, bad, shop) in cases {
        let (status, body) = app.get(&view_uri(shop, &bad)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{case}");
        assert_eq!(body, missing, "{case}");
    }

    // Valid until it expires, then the same 404.
    let (status, _) = app.get(&view_uri("shop", &token)).await;
    assert_eq!(status, StatusCode::OK);
    app.state.clock.set(NOW + 366 * 86_400);
    let (status, body) = app.get(&view_uri("shop", &token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "expired");
    assert_eq!(body, missing, "expired");
}

async fn a_minted_token_honours_its_lifetime_and_the_old_one_keeps_working(backend: Backend) {
    let app = TestApp::new(backend).await;
    let first = app
        .create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    let (status, access) = app
        .admin_post(
            "/api/v1/admin/orders/1001/tokens",
            SHOP_KEY,
            r#"{"valid_days": 2}"#,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{access}");
    assert_eq!(access["expires_at"], "2026-11-25T12:00:00Z");
    let second = access["token"].as_str().unwrap();
    assert_ne!(second, first);
    assert_eq!(
        access["order_url"],
        format!("https://pp.example/o/shop/{second}")
    );
    assert_eq!(app.get(&view_uri("shop", second)).await.0, StatusCode::OK);
    app.state.clock.set(NOW + 2 * 86_400);
    assert_eq!(
        app.get(&view_uri("shop", second)).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get(&view_uri("shop", &first)).await.0, StatusCode::OK);
}

async fn a_shop_cannot_mint_tokens_for_another_shops_order(backend: Backend) {
    let app = TestApp::new(backend).await;
    app.create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    let (status, body) = app
        .admin_post("/api/v1/admin/orders/1001/tokens", OTHER_KEY, "{}")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "order_not_found");
    let (status, body) = app
        .admin_post(
            "/api/v1/admin/orders/1001/tokens",
            SHOP_KEY,
            r#"{"valid_days": 0}"#,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"][0]["field"], "valid_days");
}

storage_tests!(
    a_token_opens_its_order_with_personal_data_masked,
    a_second_order_by_the_same_customer_is_a_returning_one,
    every_bad_token_gets_the_same_not_found,
    a_minted_token_honours_its_lifetime_and_the_old_one_keeps_working,
    a_shop_cannot_mint_tokens_for_another_shops_order,
);
