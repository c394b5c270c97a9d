//! The shop's own words in other languages through the API: set and checked by the shop,
//! answered in the language a shopper's request asks for (the first the shop has), with
//! the words it gave none for as written, and the shop's own words still what is sent.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use serde_json::{json, Value};

async fn put(app: &TestApp, uri: &str, body: Value) -> (StatusCode, Value) {
    app.admin_put(uri, SHOP_KEY, &body.to_string()).await
}

async fn get_in(app: &TestApp, uri: &str, language: Option<&str>) -> Value {
    let mut request = Request::get(uri);
    if let Some(language) = language {
        request = request.header(header::ACCEPT_LANGUAGE, language);
    }
    let (status, body) = json_of(app.send(request.body(Body::empty()).unwrap()).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn german_and_dutch() -> Value {
    json!({"translations": {
        "de": {"Too small": "Zu klein", "A friend": "Freunde"},
        "nl": {"Too small": "Te klein", "Not as pictured": "Anders dan op de foto"}
    }})
}

async fn the_shops_words_read_in_the_shoppers_language_and_the_rest_as_written(backend: Backend) {
    let app = TestApp::new(backend).await;
    for (uri, body) in [
        (
            "/api/v1/admin/return-settings",
            json!({"enabled": true, "window_days": 30, "reasons": ["Too small", "Not as pictured"]}),
        ),
        (
            "/api/v1/admin/survey-settings",
            json!({"enabled": true, "heard_options": ["Instagram", "A friend"]}),
        ),
        ("/api/v1/admin/words", german_and_dutch()),
    ] {
        let (status, body) = put(&app, uri, body).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    }
    let (_, stored) = app.get_admin("/api/v1/admin/words").await;
    assert_eq!(stored, german_and_dutch());
    let token = app
        .create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    app.deliver_tees("2026-11-20T10:00:00Z").await;
    let returns = format!("/api/v1/shops/shop/orders/{token}/returns");
    // Austrian German first: German. The shop gave no German for "Not as pictured".
    let options = get_in(&app, &returns, Some("de-AT,de;q=0.9,en;q=0.5")).await;
    assert_eq!(
        options["words"],
        json!([{"text": "Too small", "translation": "Zu klein"}])
    );
    assert_eq!(options["reasons"], json!(["Too small", "Not as pictured"]));
    // French, which the shop has not, then Dutch.
    let options = get_in(&app, &returns, Some("fr-FR, nl;q=0.5")).await;
    assert_eq!(
        options["words"],
        json!([{"text": "Not as pictured", "translation": "Anders dan op de foto"},
               {"text": "Too small", "translation": "Te klein"}])
    );
    // No language, or only ones the shop has no words in: as written.
    for language in [None, Some("en-GB"), Some("fr")] {
        let options = get_in(&app, &returns, language).await;
        assert_eq!(options.get("words"), None, "{language:?}");
    }
    // The shop's own word is what a return names, whatever the shopper read.
    let tee = options_line(&app, &returns).await;
    let (status, created) = json_of(
        app.send(json_request(
            "POST",
            &returns,
            &[],
            &json!({"items": [{"line_id": tee, "quantity": 1, "reason": "Too small"}],
                    "resolution": "refund", "method": "drop_off"}),
        ))
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    // The survey's answers too, in every answer that shows them.
    let survey = format!("/api/v1/shops/shop/orders/{token}/survey");
    let view = get_in(&app, &survey, Some("de")).await;
    assert_eq!(
        view["words"],
        json!([{"text": "A friend", "translation": "Freunde"}])
    );
    let request = Request::post(format!("{survey}/nps"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT_LANGUAGE, "de")
        .body(Body::from(json!({"score": 9}).to_string()))
        .unwrap();
    let (status, view) = json_of(app.send(request).await).await;
    assert_eq!(status, StatusCode::CREATED, "{view}");
    assert_eq!(
        view["words"],
        json!([{"text": "A friend", "translation": "Freunde"}])
    );
}

async fn options_line(app: &TestApp, returns: &str) -> i64 {
    let (_, options) = app.get(returns).await;
    options["lines"][0]["line_id"].as_i64().unwrap()
}

async fn words_in_a_language_the_widget_does_not_speak_or_too_long_are_refused(backend: Backend) {
    let app = TestApp::new(backend).await;
    let long = "x".repeat(81);
    let (status, body) = put(
        &app,
        "/api/v1/admin/words",
        json!({"translations": {
            "fr": {"Too small": "Trop petit"},
            "de": {"Too small": long},
            "nl": {"Too small\nor large": "Te klein"}
        }}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        error_fields(&body),
        ["translations.de", "translations.fr", "translations.nl"]
    );
    let (_, stored) = app.get_admin("/api/v1/admin/words").await;
    assert_eq!(stored, json!({"translations": {}}), "nothing stored");
    // Another shop's key sets that shop's words, not these.
    let (status, _) = app
        .admin_put(
            "/api/v1/admin/words",
            OTHER_KEY,
            &german_and_dutch().to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, ours) = app.get_admin("/api/v1/admin/words").await;
    assert_eq!(
        ours,
        json!({"translations": {}}),
        "another shop's words are its own"
    );
}

storage_tests!(
    the_shops_words_read_in_the_shoppers_language_and_the_rest_as_written,
    words_in_a_language_the_widget_does_not_speak_or_too_long_are_refused,
);
