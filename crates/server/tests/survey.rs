//! The short survey and preferences through the API: answered once, never asked again,
//! and the shop's results.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use serde_json::{json, Value};

async fn set_survey(app: &TestApp, settings: Value) -> (StatusCode, Value) {
    app.admin_put(
        "/api/v1/admin/survey-settings",
        SHOP_KEY,
        &settings.to_string(),
    )
    .await
}

async fn post(app: &TestApp, uri: &str, body: Value) -> (StatusCode, Value) {
    let request = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    json_of(app.send(request).await).await
}

async fn surveyed(app: &TestApp) -> (String, String) {
    // Answers are taken as written: spaces around one are refused, not trimmed away (so
    // that "listed once" means the same to the server as to the OpenAPI document).
    let (status, body) = set_survey(
        app,
        json!({"enabled": true, "heard_options": ["Instagram", " A friend "]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), ["heard_options[1]"]);
    let (status, body) = set_survey(
        app,
        json!({"enabled": true, "heard_options": ["Instagram", "A friend"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["heard_options"], json!(["Instagram", "A friend"]));
    let first = app
        .create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    let second = app
        .create_order(SHOP_KEY, &sample_order("1002", "jane@example.com"))
        .await;
    (first, second)
}

fn at(token: &str, path: &str) -> String {
    format!("/api/v1/shops/shop/orders/{token}/{path}")
}

async fn each_question_is_answered_once_and_not_asked_again(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (first, second) = surveyed(&app).await;
    let (status, survey) = app.get(&at(&first, "survey")).await;
    assert_eq!(status, StatusCode::OK, "{survey}");
    assert_eq!(
        survey,
        json!({"ask_nps": true, "ask_heard": true, "heard_options": ["Instagram", "A friend"],
               "preferences": null, "phone_known": false})
    );
    let (status, after) = post(
        &app,
        &at(&first, "survey/nps"),
        json!({"score": 9, "comment": " Quick! "}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{after}");
    assert_eq!(after["ask_nps"], false);
    let (status, again) = post(&app, &at(&first, "survey/nps"), json!({"score": 2})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(again["error"]["code"], "already_answered");
    // NPS is per order: the next order asks again; "how did you hear" is per customer.
    let (status, _) = post(
        &app,
        &at(&first, "survey/heard"),
        json!({"option": "other", "other": "A podcast"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, next) = app.get(&at(&second, "survey")).await;
    assert_eq!(
        (next["ask_nps"].clone(), next["ask_heard"].clone()),
        (json!(true), json!(false))
    );
    let (status, body) = post(
        &app,
        &at(&second, "survey/heard"),
        json!({"option": "Instagram"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    // Preferences are the customer's, and may change.
    let (status, body) = post(
        &app,
        &at(&first, "preferences"),
        json!({"email": true, "sms": false}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, next) = app.get(&at(&second, "survey")).await;
    assert_eq!(next["preferences"], json!({"email": true, "sms": false}));
    // Texts need a number: the shop has none, so the shopper gives one (kept, never shown).
    let (status, body) = post(
        &app,
        &at(&second, "preferences"),
        json!({"email": false, "sms": true}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), ["phone"]);
    assert_eq!(
        app.get(&at(&first, "survey")).await.1["preferences"],
        json!({"email": true, "sms": false}),
        "nothing changed"
    );
    let (status, body) = post(
        &app,
        &at(&second, "preferences"),
        json!({"email": false, "sms": true, "phone": " +31 6 1234 5678 "}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let survey = app.get(&at(&first, "survey")).await.1;
    assert_eq!(survey["preferences"], json!({"email": false, "sms": true}));
    assert_eq!(survey["phone_known"], true);
    // Known now: no need to give it again.
    let (status, _) = post(
        &app,
        &at(&first, "preferences"),
        json!({"email": false, "sms": true}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // The shop's results.
    post(&app, &at(&second, "survey/nps"), json!({"score": 5})).await;
    let (status, results) = app.get_admin("/api/v1/admin/survey-results").await;
    assert_eq!(status, StatusCode::OK, "{results}");
    assert_eq!(results["nps_answers"], 2);
    assert_eq!(results["nps"], 0.0, "one promoter, one detractor");
    assert_eq!(results["latest"][1]["comment"], "Quick!");
    assert_eq!(results["heard"], json!([{"option": "other", "count": 1}]));
    // Week by week: both answers fall in the test clock's week (Monday 2026-11-23).
    assert_eq!(
        results["weekly"],
        json!([{"week": "2026-11-23", "answers": 2, "nps": 0.0}])
    );
}

async fn bad_answers_are_refused_and_recorded_nowhere(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (first, _) = surveyed(&app).await;
    let (status, body) = post(&app, &at(&first, "survey/nps"), json!({"score": 11})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), ["score"]);
    let (status, body) = post(
        &app,
        &at(&first, "survey/heard"),
        json!({"option": "TikTok"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), ["option"]);
    let (status, body) = post(
        &app,
        &at(&first, "survey/heard"),
        json!({"option": "other"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), ["other"]);
    let (_, survey) = app.get(&at(&first, "survey")).await;
    assert_eq!(
        (survey["ask_nps"].clone(), survey["ask_heard"].clone()),
        (json!(true), json!(true))
    );
    let (status, body) = set_survey(
        &app,
        json!({"enabled": true, "heard_options": ["other", "", "TV", "TV"]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_fields(&body),
        ["heard_options[0]", "heard_options[1]", "heard_options[3]"]
    );
}

async fn no_survey_when_the_shop_runs_none_or_the_token_is_wrong(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = app
        .create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    let (status, body) = app.get(&at(&token, "survey")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "module_off");
    let (status, body) = post(&app, &at(&token, "survey/nps"), json!({"score": 10})).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::NOT_FOUND, json!("module_off"))
    );
    set_survey(&app, json!({"enabled": true})).await;
    let (status, body) = app
        .get(&format!("/api/v1/shops/other/orders/{token}/survey"))
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::NOT_FOUND, json!("order_not_found"))
    );
}

/// A number the shop sends with the order is the one texts go to: nobody is asked.
async fn a_number_from_the_shop_spares_the_shopper_the_question(backend: Backend) {
    let app = TestApp::new(backend).await;
    surveyed(&app).await;
    let mut order = sample_order("1003", "sam@example.com");
    order["customer"]["phone"] = json!("call me maybe");
    let (status, body) = app
        .admin_post("/api/v1/admin/orders", SHOP_KEY, &order.to_string())
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), ["customer.phone"]);
    order["customer"]["phone"] = json!("+31 6 8765 4321");
    let token = app.create_order(SHOP_KEY, &order).await;
    assert_eq!(app.get(&at(&token, "survey")).await.1["phone_known"], true);
    let (status, body) = post(
        &app,
        &at(&token, "preferences"),
        json!({"email": false, "sms": true}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

storage_tests!(
    a_number_from_the_shop_spares_the_shopper_the_question,
    each_question_is_answered_once_and_not_asked_again,
    bad_answers_are_refused_and_recorded_nowhere,
    no_survey_when_the_shop_runs_none_or_the_token_is_wrong,
);
