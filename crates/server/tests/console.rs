//! The console's accounts: signing in, the session cookie, CSRF, lock-out, signing out,
//! one-time password links, owner and staff, and nothing of one shop open to another's.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use serde_json::{json, Value};

const PASSWORD: &str = "a long enough password";

/// A signed-in browser: its cookie and the session's CSRF proof.
struct Person {
    cookie: String,
    csrf: String,
    session: Value,
}

impl Person {
    /// A request as the console sends it: the cookie, and for a change the proof.
    fn request(&self, method: &str, uri: &str, body: Option<&Value>, proof: bool) -> Request<Body> {
        let mut request = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::COOKIE, &self.cookie);
        if proof {
            request = request.header("x-csrf-token", &self.csrf);
        }
        match body {
            Some(body) => request
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
            None => request.body(Body::empty()).unwrap(),
        }
    }

    async fn send(
        &self,
        app: &TestApp,
        method: &str,
        uri: &str,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        json_of(app.send(self.request(method, uri, body, true)).await).await
    }
}

/// Adds a member to `shop` with its key and sets their password through the one-time link.
async fn member(app: &TestApp, key: &str, email: &str, role: &str) -> Value {
    let (status, added) = app
        .admin_post(
            "/api/v1/admin/staff",
            key,
            &json!({"email": email, "name": "Ann", "role": role}).to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["staff"]["password_set"], false);
    let link = added["link"].as_str().unwrap();
    assert!(
        link.starts_with("https://pp.example/admin/#password="),
        "{link}"
    );
    let token = link.rsplit_once('=').unwrap().1;
    let (status, body) = set_password(app, token, PASSWORD).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    added["staff"].clone()
}

async fn set_password(app: &TestApp, token: &str, password: &str) -> (StatusCode, Value) {
    json_of(
        app.send(json_request(
            "POST",
            "/api/v1/console/password",
            &[],
            &json!({"token": token, "password": password}),
        ))
        .await,
    )
    .await
}

async fn try_sign_in(
    app: &TestApp,
    shop: &str,
    email: &str,
    password: &str,
) -> axum::http::Response<Body> {
    app.send(json_request(
        "POST",
        "/api/v1/console/session",
        &[],
        &json!({"shop": shop, "email": email, "password": password}),
    ))
    .await
}

async fn sign_in(app: &TestApp, shop: &str, email: &str) -> Person {
    let response = try_sign_in(app, shop, email, PASSWORD).await;
    let set_cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .map(|v| v.to_str().unwrap().to_owned());
    let (status, session) = json_of(response).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    let set_cookie = set_cookie.expect("a session cookie");
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    Person {
        cookie,
        csrf: session["csrf_token"].as_str().unwrap().to_owned(),
        session,
    }
}

async fn a_session_is_a_strict_cookie_that_opens_the_admin_api(backend: Backend) {
    let app = TestApp::new(backend).await;
    member(&app, SHOP_KEY, "Ann@Shop.Example", "owner").await;
    // The e-mail is compared as written down: trimmed and in lower case.
    let response = try_sign_in(&app, "shop", " ann@shop.example", PASSWORD).await;
    let cookie = response.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    for part in [
        "pp_session=",
        "HttpOnly",
        "SameSite=Strict",
        "Secure",
        "Path=/api/",
    ] {
        assert!(cookie.contains(part), "{part} in {cookie}");
    }
    let (status, session) = json_of(response).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        session["shop"],
        json!({"slug": "shop", "name": "Test Shop"})
    );
    assert_eq!(session["staff"]["email"], "ann@shop.example");
    assert_eq!(session["staff"]["role"], "owner");
    assert_eq!(session["staff"]["password_set"], true);
    // Neither the password nor its hash is ever in an answer.
    let text = session.to_string();
    assert!(
        !text.contains(PASSWORD) && !text.contains("argon2"),
        "{text}"
    );

    let person = sign_in(&app, "shop", "ann@shop.example").await;
    let (status, again) = person
        .send(&app, "GET", "/api/v1/console/session", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["staff"], person.session["staff"]);
    let (status, staff) = person.send(&app, "GET", "/api/v1/admin/staff", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(staff.as_array().unwrap().len(), 1);
    assert!(!staff.to_string().contains("argon2"));

    // A change with the cookie alone is refused and changes nothing.
    let theme = json!({"preset": "dark"});
    let without = app
        .send(person.request("PUT", "/api/v1/admin/theme", Some(&theme), false))
        .await;
    let (status, body) = json_of(without).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "csrf_failed");
    let mut wrong = person.request("PUT", "/api/v1/admin/theme", Some(&theme), false);
    wrong
        .headers_mut()
        .insert("x-csrf-token", "not-the-proof".parse().unwrap());
    assert_eq!(app.send(wrong).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.get_admin("/api/v1/admin/theme").await.1["preset"],
        "light"
    );
    // With the proof it goes through.
    let (status, body) = person
        .send(&app, "PUT", "/api/v1/admin/theme", Some(&theme))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        app.get_admin("/api/v1/admin/theme").await.1["preset"],
        "dark"
    );
}

async fn wrong_passwords_lock_the_account_for_a_while(backend: Backend) {
    let app = TestApp::new(backend).await;
    member(&app, SHOP_KEY, "ann@shop.example", "staff").await;
    for attempt in 1..=5 {
        let (status, body) =
            json_of(try_sign_in(&app, "shop", "ann@shop.example", "wrong one!").await).await;
        if attempt < 5 {
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{attempt}");
            assert_eq!(body["error"]["code"], "sign_in_failed");
        } else {
            assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{attempt}");
            assert_eq!(body["error"]["code"], "account_locked");
        }
    }
    // Locked: the right password is refused too, with how long to wait.
    let response = try_sign_in(&app, "shop", "ann@shop.example", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: i64 = response.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&wait), "{wait}");
    // An unknown e-mail and an unknown shop answer as a wrong password does.
    for (shop, email) in [
        ("shop", "nobody@shop.example"),
        ("nope", "ann@shop.example"),
    ] {
        let (status, body) = json_of(try_sign_in(&app, shop, email, PASSWORD).await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["error"]["code"], "sign_in_failed");
    }
    // A quarter of an hour later it opens again, and the count starts over.
    app.state.clock.set(NOW + 15 * 60);
    sign_in(&app, "shop", "ann@shop.example").await;
    let (status, _) =
        json_of(try_sign_in(&app, "shop", "ann@shop.example", "wrong one!").await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn a_cookie_is_dead_after_signing_out(backend: Backend) {
    let app = TestApp::new(backend).await;
    member(&app, SHOP_KEY, "ann@shop.example", "owner").await;
    let person = sign_in(&app, "shop", "ann@shop.example").await;
    // Signing out is a change: without the proof it does not happen.
    let response = app
        .send(person.request("DELETE", "/api/v1/console/session", None, false))
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = app
        .send(person.request("DELETE", "/api/v1/console/session", None, true))
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let removal = response.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(removal.contains("Max-Age=0"), "{removal}");
    // The cookie copied before signing out opens nothing.
    for uri in [
        "/api/v1/console/session",
        "/api/v1/admin/staff",
        "/api/v1/admin/reviews",
    ] {
        let (status, _) = person.send(&app, "GET", uri, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{uri}");
    }

    // Everywhere: two browsers, one signs out of both.
    let laptop = sign_in(&app, "shop", "ann@shop.example").await;
    let tablet = sign_in(&app, "shop", "ann@shop.example").await;
    let (status, _) = laptop
        .send(&app, "DELETE", "/api/v1/console/sessions", None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    for device in [&laptop, &tablet] {
        let (status, _) = device
            .send(&app, "GET", "/api/v1/console/session", None)
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // A session also ends on its own after 12 hours.
    let later = sign_in(&app, "shop", "ann@shop.example").await;
    app.state.clock.set(NOW + 12 * 3600);
    let (status, _) = later
        .send(&app, "GET", "/api/v1/console/session", None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn a_password_link_works_once_and_a_reset_ends_every_session(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (_, added) = app
        .admin_post(
            "/api/v1/admin/staff",
            SHOP_KEY,
            &json!({"email": "ann@shop.example", "name": "Ann", "role": "staff"}).to_string(),
        )
        .await;
    let token = added["link"]
        .as_str()
        .unwrap()
        .rsplit_once('=')
        .unwrap()
        .1
        .to_owned();
    // No password yet: signing in fails as any wrong password does.
    let (status, _) = json_of(try_sign_in(&app, "shop", "ann@shop.example", "").await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = set_password(&app, &token, "short").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), ["password"]);
    assert_eq!(
        set_password(&app, &token, PASSWORD).await.0,
        StatusCode::NO_CONTENT
    );
    let (status, body) = set_password(&app, &token, "another password").await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(body["error"]["code"], "link_expired");
    let person = sign_in(&app, "shop", "ann@shop.example").await;

    // The operator's reset: a new link; using it ends the sessions the old password opened.
    let link = app
        .state
        .db
        .password_link("shop", "ANN@shop.example", "r".repeat(24), NOW)
        .await
        .unwrap();
    assert_eq!(link.email, "ann@shop.example");
    assert_eq!(
        set_password(&app, &"r".repeat(24), "a new long password")
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    let (status, _) = person
        .send(&app, "GET", "/api/v1/console/session", None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = json_of(try_sign_in(&app, "shop", "ann@shop.example", PASSWORD).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A link expires after 72 hours.
    app.state
        .db
        .password_link("shop", "ann@shop.example", "s".repeat(24), NOW)
        .await
        .unwrap();
    app.state.clock.set(NOW + 72 * 3600);
    assert_eq!(
        set_password(&app, &"s".repeat(24), "too late a password")
            .await
            .0,
        StatusCode::GONE
    );
}

async fn staff_do_the_daily_work_and_only_owners_the_settings(backend: Backend) {
    let app = TestApp::new(backend).await;
    member(&app, SHOP_KEY, "owner@shop.example", "owner").await;
    member(&app, SHOP_KEY, "sam@shop.example", "staff").await;
    let sam = sign_in(&app, "shop", "sam@shop.example").await;
    let owner_only: [(&str, &str, Value); 16] = [
        (
            "PUT",
            "/api/v1/admin/feeds/sendcloud",
            json!({"secret": "a-secret-of-mine"}),
        ),
        ("DELETE", "/api/v1/admin/feeds/aftership", Value::Null),
        (
            "PUT",
            "/api/v1/admin/allowed-origins",
            json!({"origins": ["https://evil.example"]}),
        ),
        (
            "PUT",
            "/api/v1/admin/analytics-settings",
            json!({"events": false}),
        ),
        ("GET", "/api/v1/admin/webhook-deliveries", Value::Null),
        (
            "POST",
            "/api/v1/admin/webhook-deliveries/1/resend",
            Value::Null,
        ),
        ("PUT", "/api/v1/admin/theme", json!({"preset": "dark"})),
        (
            "PUT",
            "/api/v1/admin/shop",
            json!({"name": "Mine now", "language": "en"}),
        ),
        ("GET", "/api/v1/admin/delivery-settings", Value::Null),
        (
            "PUT",
            "/api/v1/admin/delivery-settings",
            json!({"time_zone": "UTC", "cutoff": "04:00"}),
        ),
        (
            "PUT",
            "/api/v1/admin/return-settings",
            json!({"enabled": true, "window_days": 30}),
        ),
        (
            "PUT",
            "/api/v1/admin/review-settings",
            json!({"enabled": true}),
        ),
        (
            "PUT",
            "/api/v1/admin/survey-settings",
            json!({"enabled": true}),
        ),
        ("GET", "/api/v1/admin/staff", Value::Null),
        (
            "POST",
            "/api/v1/admin/staff",
            json!({"email": "eve@x.example", "name": "Eve", "role": "owner"}),
        ),
        (
            "POST",
            "/api/v1/admin/customers/erasure",
            json!({"email": "jane@example.com"}),
        ),
    ];
    for (method, uri, body) in &owner_only {
        let body = (!body.is_null()).then_some(body);
        let (status, answer) = sam.send(&app, method, uri, body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {uri}: {answer}");
        assert_eq!(answer["error"]["code"], "owner_only");
    }
    assert_eq!(app.count("staff").await, 2);
    // The daily work is open to staff.
    for uri in [
        "/api/v1/admin/reviews",
        "/api/v1/admin/theme",
        "/api/v1/admin/survey-results",
        "/api/v1/admin/returns",
        "/api/v1/admin/delivery-slots?from=2026-01-01",
    ] {
        let (status, answer) = sam.send(&app, "GET", uri, None).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {answer}");
    }
    let slot = json!({"date": "2026-11-26", "from": "10:00", "to": "12:00", "capacity": 5});
    let (status, answer) = sam
        .send(&app, "POST", "/api/v1/admin/delivery-slots", Some(&slot))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");

    // The owner removes Sam: Sam's session ends at once. The last owner stays.
    let owner = sign_in(&app, "shop", "owner@shop.example").await;
    let (_, staff) = owner.send(&app, "GET", "/api/v1/admin/staff", None).await;
    let id_of = |email: &str| {
        staff
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["email"] == email)
            .unwrap()["id"]
            .clone()
    };
    let (status, _) = owner
        .send(
            &app,
            "DELETE",
            &format!("/api/v1/admin/staff/{}", id_of("sam@shop.example")),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        sam.send(&app, "GET", "/api/v1/admin/reviews", None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, body) = owner
        .send(
            &app,
            "DELETE",
            &format!("/api/v1/admin/staff/{}", id_of("owner@shop.example")),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "last_owner");
    let (status, body) = owner
        .send(
            &app,
            "POST",
            "/api/v1/admin/staff",
            Some(&json!({"email": "OWNER@shop.example", "name": "Twice", "role": "staff"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
}

async fn sign_ins_count_against_the_callers_address(backend: Backend) {
    let mut limits = unlimited();
    limits.failures = "3/h".parse().unwrap();
    let app = TestApp::with_limits(backend, limits).await;
    member(&app, SHOP_KEY, "ann@shop.example", "staff").await;
    // Four accounts guessed from one address, one more than it may: then the address
    // waits, even with a right password, before anything is looked up.
    for email in [
        "a@shop.example",
        "b@shop.example",
        "c@shop.example",
        "d@shop.example",
    ] {
        let response = try_sign_in(&app, "shop", email, "guess guess").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let response = try_sign_in(&app, "shop", "ann@shop.example", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    // Asking whether one is signed in is no failed attempt.
    let fresh = TestApp::with_limits(backend, {
        let mut l = unlimited();
        l.failures = "1/h".parse().unwrap();
        l
    })
    .await;
    for _ in 0..3 {
        assert_eq!(
            fresh.get("/api/v1/console/session").await.0,
            StatusCode::UNAUTHORIZED
        );
    }
}

/// Everything shop `shop` holds, as its own key reads it through the admin API.
async fn everything_of(app: &TestApp) -> Vec<Value> {
    let mut all = Vec::new();
    for uri in [
        "/api/v1/admin/orders/1001",
        "/api/v1/admin/orders",
        "/api/v1/admin/reviews",
        "/api/v1/admin/staff",
        "/api/v1/admin/shop",
        "/api/v1/admin/theme",
        "/api/v1/admin/delivery-settings",
        "/api/v1/admin/return-settings",
        "/api/v1/admin/referral-settings",
        "/api/v1/admin/survey-settings",
        "/api/v1/admin/survey-results",
        "/api/v1/admin/returns",
        "/api/v1/admin/delivery-slots?from=2026-01-01",
        "/api/v1/admin/webhook-deliveries",
        "/api/v1/admin/pickup-points",
        "/api/v1/admin/review-settings",
        "/api/v1/admin/change-settings",
        "/api/v1/admin/changes",
        "/api/v1/admin/loyalty-settings",
        "/api/v1/admin/unboxing-settings",
        "/api/v1/admin/orders/1001/loyalty",
        "/api/v1/admin/products",
        "/api/v1/admin/upgrade-settings",
        "/api/v1/admin/upgrades",
    ] {
        let (status, body) = app.get_admin(uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
        all.push(body);
    }
    all
}

/// A signed-in owner of another shop, with the ids of everything of shop `shop` in the
/// paths, tries every admin and console route: what names another shop's things is not
/// found, what needs no name works on their own shop only, nothing of `shop` changes and
/// no answer carries its shopper's data.
async fn a_session_reaches_nothing_of_another_shop(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = fill_shop(&app, "shop", SHOP_KEY, "1001", &JANE).await;
    member(&app, OTHER_KEY, "boss@other.example", "owner").await;
    let intruder = sign_in(&app, "other", "boss@other.example").await;
    let (_, reviews) = app.get_admin("/api/v1/admin/reviews").await;
    let review = reviews[0]["review"]["id"].to_string();
    let (_, record) = app.get_admin("/api/v1/admin/orders/1001").await;
    let link = record["links"][0]["id"].as_str().unwrap().to_owned();
    let ret = record["returns"][0]["number"].as_str().unwrap().to_owned();
    let change = record["changes"][0]["change"].as_str().unwrap().to_owned();
    let (_, staff) = app.get_admin("/api/v1/admin/staff").await;
    let member_id = staff[0]["id"].to_string();
    let (_, slots) = app
        .get_admin("/api/v1/admin/delivery-slots?from=2026-01-01")
        .await;
    let slot = slots[0]["id"].to_string();
    let (_, log) = app.get_admin("/api/v1/admin/webhook-deliveries").await;
    let delivery = log[0]["id"].to_string();
    let (_, points) = app.get_admin("/api/v1/admin/pickup-points").await;
    let point = points[0]["id"].to_string();
    let (_, upgrades) = app.get_admin("/api/v1/admin/upgrades").await;
    let upgrade = upgrades[0]["id"].to_string();
    let before = everything_of(&app).await;

    let event =
        json!({"event_id": "x1", "occurred_at": "2026-11-24T09:00:00Z", "code": "delivered"});
    let bodies: Vec<(&str, Value)> = vec![
        ("/api/v1/admin/orders/{number}/tokens", json!({})),
        (
            "/api/v1/admin/orders/{number}/shipments",
            json!({"carrier": "dhl", "tracking_number": "X9", "items": [{"sku": "TEE-M", "quantity": 1}]}),
        ),
        (
            "/api/v1/admin/shipments/{carrier}/{tracking_number}/events",
            event,
        ),
        (
            "/api/v1/admin/returns/{number}/status",
            json!({"status": "approved", "message": "Taken"}),
        ),
        (
            "/api/v1/admin/reviews/{id}/moderation",
            json!({"status": "rejected"}),
        ),
        (
            "/api/v1/admin/changes/{change}/decision",
            json!({"accept": false, "message": "Not yours"}),
        ),
        (
            "/api/v1/admin/upgrades/{id}/decision",
            json!({"confirm": false, "message": "Not yours"}),
        ),
        (
            "/api/v1/admin/reviews/{id}/reply",
            json!({"text": "Not yours"}),
        ),
        ("/api/v1/admin/delivery-slots/{id}", json!({"capacity": 1})),
        (
            "/api/v1/admin/feeds/{source}",
            json!({"secret": "an-intruders-secret"}),
        ),
        (
            "/api/v1/admin/pickup-points/{id}",
            json!({"name": "Mine now", "address": "Elsewhere 1"}),
        ),
        (
            "/api/v1/admin/customers/erasure",
            json!({"email": JANE.email}),
        ),
        (
            "/api/v1/admin/referrals/redemptions",
            json!({"code": "NOPE", "email": "friend@example.com"}),
        ),
        (
            "/api/v1/admin/orders/{number}/loyalty",
            json!({"earned": 1, "balance": 2}),
        ),
    ];
    let (_, doc) = app.get("/api/v1/openapi.json").await;
    let mut tried = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !(path.starts_with("/api/v1/admin/") || path.starts_with("/api/v1/console/session")) {
            continue;
        }
        for method in item.as_object().unwrap().keys() {
            let method = method.to_uppercase();
            // Signing out would end the intruder's own session, not another's.
            if path.starts_with("/api/v1/console/") && method != "GET" {
                continue;
            }
            let uri = path
                .replace(
                    "{number}",
                    if path.contains("returns") {
                        &ret
                    } else {
                        "1001"
                    },
                )
                .replace("{carrier}", "dhl")
                .replace("{tracking_number}", "1001A")
                .replace("{change}", &change)
                .replace("{sku}", "TEE-M")
                // No table is anyone's: an unknown one answers the JSON 404.
                .replace("{table}", "no_such_table")
                .replace("{source}", "no_such_source")
                .replace(
                    "{id}",
                    match path.split('/').nth(4) {
                        Some("reviews") => &review,
                        Some("staff") => &member_id,
                        Some("delivery-slots") => &slot,
                        Some("webhook-deliveries") => &delivery,
                        Some("pickup-points") => &point,
                        Some("upgrades") => &upgrade,
                        _ => &link,
                    },
                );
            // A product is put under the caller's own shop: a SKU is anyone's name.
            let names_theirs = path.contains('{') && !(path.contains("{sku}") && method == "PUT");
            let body = bodies
                .iter()
                .find(|(p, _)| p == path)
                .map(|(_, b)| b.clone())
                .unwrap_or(json!({}));
            let with_body = matches!(method.as_str(), "POST" | "PUT");
            let (status, answer) = intruder
                .send(&app, &method, &uri, with_body.then_some(&body))
                .await;
            tried += 1;
            let what = format!("{method} {uri}: {status} {answer}");
            if names_theirs {
                assert_eq!(status, StatusCode::NOT_FOUND, "{what}");
            }
            for personal in JANE.personal() {
                assert!(
                    !answer.to_string().contains(&personal),
                    "{what} shows {personal}"
                );
            }
        }
    }
    assert!(tried >= 45, "{tried} routes tried");
    assert_eq!(
        everything_of(&app).await,
        before,
        "nothing of `shop` changed"
    );
    let (status, _) = app.get(&format!("/api/v1/shops/shop/orders/{token}")).await;
    assert_eq!(status, StatusCode::OK, "its link still opens it");
}

storage_tests!(
    a_session_reaches_nothing_of_another_shop,
    a_session_is_a_strict_cookie_that_opens_the_admin_api,
    wrong_passwords_lock_the_account_for_a_while,
    a_cookie_is_dead_after_signing_out,
    a_password_link_works_once_and_a_reset_ends_every_session,
    staff_do_the_daily_work_and_only_owners_the_settings,
    sign_ins_count_against_the_callers_address,
);
