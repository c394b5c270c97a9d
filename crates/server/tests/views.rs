//! Order views kept ready to send are never stale: a change of every kind is in the next
//! view (with a new ETag when it shows), a cut-off passing changes the view without a
//! write, an expired token is refused while its order's view is kept, and a re-check costs
//! one indexed read.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use postpurchase_server::db::DbError;
use postpurchase_server::store::orders::STAMP_SQL;
use postpurchase_server::views::{Ready, Views};
use postpurchase_server::web::WidgetFiles;
use postpurchase_server::{args, work};
use serde_json::{json, Value};
use std::sync::Arc;

storage_tests!(
    a_change_of_every_kind_is_in_the_next_view,
    a_cutoff_passing_changes_the_view_without_a_write,
    an_expired_token_is_refused_while_its_view_is_kept,
    a_re_check_costs_one_indexed_read,
    a_choice_answers_with_the_view_kept_for_the_next_request,
    one_statement_reads_outlive_their_connection,
);

/// A view as the widget gets it: status, ETag and bytes.
async fn view(
    app: &TestApp,
    token: &str,
    if_none_match: Option<&str>,
) -> (StatusCode, String, Vec<u8>) {
    let mut request = Request::get(format!("/api/v1/shops/shop/orders/{token}"));
    if let Some(etag) = if_none_match {
        request = request.header(header::IF_NONE_MATCH, etag);
    }
    let response = app.send(request.body(Body::empty()).unwrap()).await;
    let status = response.status();
    let etag = response
        .headers()
        .get(header::ETAG)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, etag, body_bytes(response).await)
}

/// The view built now from the database, with nothing kept: what the next view must be.
async fn built_now(app: &TestApp, token: &str) -> Ready {
    let now = app.state.clock.now();
    Ready::of(app.state.db.order_view("shop", token, now).await.unwrap()).unwrap()
}

fn ok(what: &str, (status, body): (StatusCode, Value)) -> Value {
    assert!(status.is_success(), "{what}: {status} {body}");
    body
}

async fn shopper_post(app: &TestApp, uri: &str, body: Value) -> (StatusCode, Value) {
    json_of(
        app.send(json_request("POST", uri, &[("if-match", "*")], &body))
            .await,
    )
    .await
}

/// The shop with returns, reviews and the survey on, neighbours and a porch allowed, and
/// order 1001 with its tees delivered (parcel JV1) and its cap on the way (JV2, expected
/// on 26 November). The order's token and the cap's parcel id.
async fn shop_with_order(app: &TestApp) -> (String, i64) {
    for (uri, body) in [
        (
            "/api/v1/admin/delivery-settings",
            json!({"time_zone": "Europe/Amsterdam", "cutoff": "04:00", "later_days": 2,
                   "safe_places": ["porch"], "neighbour": true}),
        ),
        (
            "/api/v1/admin/return-settings",
            json!({"enabled": true, "window_days": 30, "reasons": ["Too small"]}),
        ),
        ("/api/v1/admin/review-settings", json!({"enabled": true})),
        (
            "/api/v1/admin/survey-settings",
            json!({"enabled": true, "heard_options": ["Instagram"]}),
        ),
    ] {
        ok(uri, app.admin_put(uri, SHOP_KEY, &body.to_string()).await);
    }
    let token = app
        .create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    let shipments = "/api/v1/admin/orders/1001/shipments";
    ok(
        "tees",
        app.admin_post(
            shipments,
            SHOP_KEY,
            &json!({"carrier": "dhl", "tracking_number": "JV1",
                    "items": [{"sku": "TEE-M", "quantity": 2}]})
            .to_string(),
        )
        .await,
    );
    let cap = ok(
        "cap",
        app.admin_post(
            shipments,
            SHOP_KEY,
            &json!({"carrier": "dhl", "tracking_number": "JV2",
                    "items": [{"sku": "CAP", "quantity": 1}],
                    "estimated_delivery": {"from": "2026-11-26T09:00:00Z",
                                           "to": "2026-11-26T17:00:00Z"}})
            .to_string(),
        )
        .await,
    );
    ok(
        "delivered",
        app.admin_post(
            "/api/v1/admin/shipments/dhl/JV1/events",
            SHOP_KEY,
            &json!({"event_id": "d1", "occurred_at": "2026-11-23T09:00:00Z",
                    "code": "delivered", "text": "Delivered", "location": "Amsterdam"})
            .to_string(),
        )
        .await,
    );
    (token, cap["id"].as_i64().unwrap())
}

async fn a_change_of_every_kind_is_in_the_next_view(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, cap) = shop_with_order(&app).await;
    let shopper = format!("/api/v1/shops/shop/orders/{token}");
    let (status, mut etag, _) = view(&app, &token, None).await;
    assert_eq!(status, StatusCode::OK);
    let (_, first) = app.get(&shopper).await;
    let tee = first["items"][0]["id"].as_i64().unwrap();
    let admin = |uri: &'static str, body: Value| {
        let app = &app;
        async move { ok(uri, app.admin_post(uri, SHOP_KEY, &body.to_string()).await) }
    };
    let settings = |uri: &'static str, body: Value| {
        let app = &app;
        async move { ok(uri, app.admin_put(uri, SHOP_KEY, &body.to_string()).await) }
    };

    // Each change, then whether it shows in the order's view.
    let mut seen = Vec::new();
    for step in 0.. {
        let (what, shows) = match step {
            0 => {
                admin(
                    "/api/v1/admin/shipments/dhl/JV2/events",
                    json!({"event_id": "t1", "occurred_at": "2026-11-23T10:00:00Z",
                           "code": "transit", "text": "Sorted in Utrecht", "location": "Utrecht"}),
                )
                .await;
                ("a carrier event", true)
            }
            1 => {
                ok(
                    "choice",
                    shopper_post(
                        &app,
                        &format!("{shopper}/shipments/{cap}/choice"),
                        json!({"choice": {"kind": "neighbour",
                               "neighbour": {"name": "Mr Bakker", "house_number": "12"}}}),
                    )
                    .await,
                );
                ("a delivery choice", true)
            }
            2 => {
                ok(
                    "return",
                    shopper_post(
                        &app,
                        &format!("{shopper}/returns"),
                        json!({"items": [{"line_id": tee, "quantity": 1, "reason": "Too small"}],
                               "resolution": "refund", "method": "drop_off"}),
                    )
                    .await,
                );
                ("a return", false)
            }
            3 => {
                ok(
                    "review",
                    shopper_post(
                        &app,
                        &format!("{shopper}/reviews"),
                        json!({"line_id": tee, "stars": 5, "title": "Soft", "body": "Fits well"}),
                    )
                    .await,
                );
                ("a review", false)
            }
            4 => {
                ok(
                    "nps",
                    shopper_post(&app, &format!("{shopper}/survey/nps"), json!({"score": 9})).await,
                );
                ("a survey answer", false)
            }
            5 => {
                settings("/api/v1/admin/review-settings", json!({"enabled": false})).await;
                ("a module switched off", true)
            }
            6 => {
                admin(
                    "/api/v1/admin/delivery-slots",
                    json!({"date": "2026-11-27", "from": "18:00", "to": "21:00", "capacity": 4}),
                )
                .await;
                ("a slot added", true)
            }
            7 => {
                admin(
                    "/api/v1/admin/pickup-points",
                    json!({"name": "Locker Centraal", "address": "Stationsplein 1", "locker": true}),
                )
                .await;
                ("a pickup point added", true)
            }
            8 => {
                settings(
                    "/api/v1/admin/delivery-settings",
                    json!({"time_zone": "Europe/Amsterdam", "cutoff": "04:00", "later_days": 2,
                           "safe_places": ["porch", "shed"], "neighbour": true}),
                )
                .await;
                ("delivery settings", true)
            }
            9 => {
                settings(
                    "/api/v1/admin/shop",
                    json!({"name": "Jansen & Co", "support_email": "help@shop.example", "language": "en"}),
                )
                .await;
                ("the shop's name", true)
            }
            10 => {
                // An earlier order of the same customer makes them a returning one.
                let mut earlier = sample_order("0999", "jane@example.com");
                earlier["placed_at"] = json!("2026-10-01T09:00:00Z");
                app.create_order(SHOP_KEY, &earlier).await;
                ("the customer's earlier order", true)
            }
            11 => {
                // A slot's places, taken by another order of the shop.
                let other = app
                    .create_order(SHOP_KEY, &sample_order("1002", "sam@example.com"))
                    .await;
                let parcel = ok(
                    "parcel of 1002",
                    app.admin_post(
                        "/api/v1/admin/orders/1002/shipments",
                        SHOP_KEY,
                        &json!({"carrier": "dhl", "tracking_number": "JV3",
                                "items": [{"sku": "CAP", "quantity": 1}],
                                "estimated_delivery": {"from": "2026-11-26T09:00:00Z",
                                                       "to": "2026-11-26T17:00:00Z"}})
                        .to_string(),
                    )
                    .await,
                );
                let (_, of_other) = app.get(&format!("/api/v1/shops/shop/orders/{other}")).await;
                let slot = of_other["delivery_options"]["slots"][0]["id"]
                    .as_i64()
                    .unwrap();
                ok(
                    "slot taken",
                    shopper_post(
                        &app,
                        &format!(
                            "/api/v1/shops/shop/orders/{other}/shipments/{}/choice",
                            parcel["id"]
                        ),
                        json!({"choice": {"kind": "slot", "slot_id": slot}}),
                    )
                    .await,
                );
                ("a place in a slot taken by another order", true)
            }
            _ => break,
        };
        let (status, next, bytes) = view(&app, &token, None).await;
        assert_eq!(status, StatusCode::OK, "{what}");
        let now = built_now(&app, &token).await;
        assert_eq!(
            String::from_utf8_lossy(&bytes),
            String::from_utf8_lossy(&now.body),
            "after {what}, the view sent is the view as it is now"
        );
        assert_eq!(next, now.etag.to_str().unwrap(), "{what}");
        if shows {
            assert_ne!(next, etag, "{what} shows, with a new ETag");
        } else {
            assert_eq!(next, etag, "{what} is not part of the order's view");
        }
        // And a re-check with the new ETag is answered 304.
        let (status, _, _) = view(&app, &token, Some(&next)).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{what}");
        seen.push(what);
        etag = next;
    }
    assert_eq!(seen.len(), 12);
    let (_, last) = app.get(&shopper).await;
    assert_eq!(last["shop"]["name"], "Jansen & Co");
    assert_eq!(last["customer"]["returning"], true);
    // The shop's first slot and point are offered (it had neither before).
    let options = &last["delivery_options"];
    assert_eq!(options["slots"][0]["date"], "2026-11-27");
    assert_eq!(options["pickup_points"][0]["name"], "Locker Centraal");
    assert!(!last["modules"]
        .as_array()
        .unwrap()
        .contains(&json!("reviews")));
}

/// 26 November 04:00 in Amsterdam: the cut-off of the cap's expected day and of the
/// slot on that day.
const CUTOFF: i64 = 1_795_662_000;

async fn a_cutoff_passing_changes_the_view_without_a_write(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, _) = shop_with_order(&app).await;
    ok(
        "slot",
        app.admin_post(
            "/api/v1/admin/delivery-slots",
            SHOP_KEY,
            &json!({"date": "2026-11-26", "from": "10:00", "to": "12:00", "capacity": 5})
                .to_string(),
        )
        .await,
    );
    let shopper = format!("/api/v1/shops/shop/orders/{token}");
    let (_, before) = app.get(&shopper).await;
    assert_eq!(before["shipments"][1]["locked"], Value::Null);
    assert_eq!(
        before["shipments"][1]["changeable_until"],
        "2026-11-26T03:00:00Z"
    );
    assert_eq!(before["delivery_options"]["slots"][0]["date"], "2026-11-26");

    app.state.clock.set(CUTOFF - 1);
    let (_, etag, _) = view(&app, &token, None).await;
    let statements = app.state.db.statements();
    let (status, _, _) = view(&app, &token, Some(&etag)).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(
        app.state.db.statements() - statements,
        1,
        "kept until the cut-off"
    );

    // The cut-off passes; nothing is written.
    app.state.clock.set(CUTOFF);
    let (status, after_etag, _) = view(&app, &token, Some(&etag)).await;
    assert_eq!(status, StatusCode::OK, "the view changed at the cut-off");
    assert_ne!(after_etag, etag);
    let (_, after) = app.get(&shopper).await;
    assert_eq!(after["shipments"][1]["locked"], "cut_off");
    assert!(after["delivery_options"]["slots"]
        .as_array()
        .is_none_or(|slots| slots.iter().all(|s| s["date"] != "2026-11-26")));
    let now = built_now(&app, &token).await;
    assert_eq!(after_etag, now.etag.to_str().unwrap());
}

async fn an_expired_token_is_refused_while_its_view_is_kept(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, _) = shop_with_order(&app).await;
    let short = ok(
        "a token for a day",
        app.admin_post(
            "/api/v1/admin/orders/1001/tokens",
            SHOP_KEY,
            &json!({"valid_days": 1}).to_string(),
        )
        .await,
    )["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, etag, _) = view(&app, &short, None).await;
    assert_eq!(status, StatusCode::OK);
    let (_, long_etag, _) = view(&app, &token, None).await;
    assert_eq!(etag, long_etag, "one order, one view");

    app.state.clock.set(NOW + 86_400);
    let (status, _, body) = view(&app, &short, Some(&etag)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["error"]["code"], "order_not_found");
    let (status, _, _) = view(&app, &token, Some(&etag)).await;
    assert_eq!(
        status,
        StatusCode::NOT_MODIFIED,
        "the order's other token still opens it"
    );
}

/// A view's status and ETag, and how many statements it cost the database.
async fn cost(app: &TestApp, token: &str, etag: Option<&str>) -> (StatusCode, String, u64) {
    let before = app.state.db.statements();
    let (status, etag, _) = view(app, token, etag).await;
    (status, etag, app.state.db.statements() - before)
}

async fn a_re_check_costs_one_indexed_read(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, _) = shop_with_order(&app).await;
    let (status, etag, building) = cost(&app, &token, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        building >= 8,
        "building a view reads each table: {building}"
    );
    let (status, _, re_check) = cost(&app, &token, Some(&etag)).await;
    assert_eq!((status, re_check), (StatusCode::NOT_MODIFIED, 1));
    let (status, _, kept) = cost(&app, &token, None).await;
    assert_eq!(
        (status, kept),
        (StatusCode::OK, 1),
        "a kept view is sent after one read"
    );
    // The widget on the shop's storefront: cross-origin, so CORS checks the shop's
    // origins, read once and kept, not once per request.
    let cross = || {
        let request = Request::get(format!("/api/v1/shops/shop/orders/{token}"))
            .header(header::ORIGIN, SHOP_ORIGIN)
            .header(header::IF_NONE_MATCH, &etag);
        app.send(request.body(Body::empty()).unwrap())
    };
    // The first may read the shop's origins.
    assert_eq!(cross().await.status(), StatusCode::NOT_MODIFIED);
    let before = app.state.db.statements();
    let response = cross().await;
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(
        response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        SHOP_ORIGIN
    );
    assert_eq!(
        app.state.db.statements() - before,
        1,
        "a cross-origin re-check is one read"
    );

    // Without kept views every view is built, and a re-check costs as much.
    let mut bare = TestApp::over(backend, app.state.db.clone(), WidgetFiles::default());
    bare.state.edit().views = Arc::new(Views::new(0));
    bare.router = postpurchase_server::app(bare.state.clone());
    let (status, _, unkept) = cost(&bare, &token, Some(&etag)).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(unkept, building);

    // The one read finds its row by index: the token's hash, then primary keys.
    if backend == Backend::Sqlite {
        let plan = sqlite_plan(&app, STAMP_SQL, 3).await;
        assert!(!plan.contains("SCAN"), "{plan}");
        assert_eq!(plan.matches("SEARCH").count(), 3, "{plan}");
    }
}

async fn a_choice_answers_with_the_view_kept_for_the_next_request(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, cap) = shop_with_order(&app).await;
    let (_, before, _) = view(&app, &token, None).await;
    let answer = app
        .send(json_request(
            "POST",
            &format!("/api/v1/shops/shop/orders/{token}/shipments/{cap}/choice"),
            &[("if-match", "*")],
            &json!({"choice": {"kind": "neighbour",
                    "neighbour": {"name": "Mr Bakker", "house_number": "12"}}}),
        ))
        .await;
    assert_eq!(answer.status(), StatusCode::OK);
    let answered = body_bytes(answer).await;

    // The view the change answered with is the next view, sent after one read.
    let statements = app.state.db.statements();
    let (status, etag, body) = view(&app, &token, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.state.db.statements() - statements,
        1,
        "no view was built"
    );
    assert_eq!(body, answered);
    assert_ne!(etag, before);
    let fresh = built_now(&app, &token).await;
    assert_eq!(
        (etag.as_str(), &body[..]),
        (fresh.etag.to_str().unwrap(), &fresh.body[..])
    );
}

/// The connection one-statement reads share may be lost (PostgreSQL restarted, an
/// administrator ended it): the read in flight runs again on a new one.
async fn one_statement_reads_outlive_their_connection(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, _) = shop_with_order(&app).await;
    let (status, etag, _) = view(&app, &token, None).await;
    assert_eq!(status, StatusCode::OK);
    if backend == Backend::Postgres {
        let ended: Vec<bool> = app
            .state
            .db
            .read(work!(|c| {
                c.query(
                    "SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
                     WHERE datname = current_database() AND pid <> pg_backend_pid()",
                    args![],
                )
                .await?
                .into_iter()
                .map(|mut r| r.get::<bool>("ended"))
                .collect::<Result<Vec<_>, DbError>>()
            }))
            .await
            .unwrap();
        assert!(ended.contains(&true), "the shared connection was ended");
    }
    assert_eq!(
        view(&app, &token, Some(&etag)).await.0,
        StatusCode::NOT_MODIFIED
    );
    assert_eq!(view(&app, &token, None).await.0, StatusCode::OK);
}

/// On PostgreSQL a view is read outside a transaction, statement by statement, and a
/// write that commits in the middle is caught by the versions read last: the view is read
/// again, in a transaction. Here writes hold locks that stop the view's reads where the
/// test wants them, so a change commits after the view's first read saw the order as it
/// was: in the view's first round trip, then in the one that reads slots and points.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_view_read_while_its_order_changes_is_read_again() {
    let app = TestApp::new(Backend::Postgres).await;
    shop_with_order(&app).await;
    let order_id = app
        .number("SELECT id FROM orders WHERE number = '1001'")
        .await;
    let (cost, first) = built(&app, order_id).await;
    assert_eq!(first.view.delivery_address.city, "Amsterdam");

    let (torn_cost, again) = built_while(
        &app,
        order_id,
        &[(
            "LOCK TABLE order_upgrades IN ACCESS EXCLUSIVE MODE;
             UPDATE orders SET ship_city = 'Haarlem', version = version + 1
             WHERE number = '1001'",
            "order_upgrades",
        )],
    )
    .await;
    assert_eq!(again.view.delivery_address.city, "Haarlem");
    assert_eq!(again.stamp.order_version, first.stamp.order_version + 1);
    assert!(
        torn_cost > cost,
        "read again: {torn_cost} statements, {cost} at first"
    );

    ok(
        "slot",
        app.admin_post(
            "/api/v1/admin/delivery-slots",
            SHOP_KEY,
            &json!({"date": "2026-11-26", "from": "10:00", "to": "12:00", "capacity": 5})
                .to_string(),
        )
        .await,
    );
    let (cost, first) = built(&app, order_id).await;
    assert_eq!(first.view.delivery_options.unwrap().slots.len(), 1);
    // The first round trip waits, and ends after the shop's change began (and before it
    // commits); the slots and points are read after it committed.
    let (torn_cost, again) = built_while(
        &app,
        order_id,
        &[
            (
                "LOCK TABLE order_upgrades IN ACCESS EXCLUSIVE MODE",
                "order_upgrades",
            ),
            (
                "LOCK TABLE pickup_points IN ACCESS EXCLUSIVE MODE;
                 UPDATE shops SET name = 'Renamed', version = version + 1",
                "pickup_points",
            ),
        ],
    )
    .await;
    assert_eq!(again.view.shop.name, "Renamed");
    assert_eq!(again.stamp.shop_version, first.stamp.shop_version + 1);
    assert!(
        torn_cost > cost,
        "read again: {torn_cost} statements, {cost} at first"
    );
}

/// An order's view built now, and how many statements it cost.
async fn built(app: &TestApp, order_id: i64) -> (u64, postpurchase_server::store::orders::Built) {
    let before = app.state.db.statements();
    let built = app
        .state
        .db
        .order_view_of(order_id, app.state.clock.now())
        .await
        .unwrap();
    (app.state.db.statements() - before, built)
}

/// An order's view built while writes run, each in a transaction of its own: the first
/// begins before the view is read; each commits once the view waits for the lock it took
/// on its table, and after the next one began.
async fn built_while(
    app: &TestApp,
    order_id: i64,
    writes: &[(&str, &str)],
) -> (u64, postpurchase_server::store::orders::Built) {
    let begin = |sql: String| async move {
        let (writer, connection) =
            tokio_postgres::connect(app.database_url().unwrap(), tokio_postgres::NoTls)
                .await
                .unwrap();
        tokio::spawn(connection);
        writer
            .batch_execute(&format!("BEGIN; {sql}"))
            .await
            .unwrap();
        writer
    };
    let mut writer = begin(writes[0].0.to_owned()).await;
    let reading = {
        let app = app.state.clone();
        tokio::spawn(async move {
            let before = app.db.statements();
            let built = app.db.order_view_of(order_id, app.clock.now()).await;
            (app.db.statements() - before, built.unwrap())
        })
    };
    for (i, (_, table)) in writes.iter().enumerate() {
        let waiting = format!(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = '{table}'::regclass"
        );
        let mut tries = 0;
        while app.number(&waiting).await == 0 {
            tries += 1;
            assert!(tries < 500, "the view never waited for {table}");
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        let next = match writes.get(i + 1) {
            Some((sql, _)) => Some(begin(sql.to_string()).await),
            None => None,
        };
        writer.batch_execute("COMMIT").await.unwrap();
        if let Some(next) = next {
            writer = next;
        }
    }
    reading.await.unwrap()
}
