//! Two real server processes on one PostgreSQL database, as behind any load balancer:
//! every rule holds across them. The last place in a slot goes to one shopper, fifty
//! retries of one keyed request make one change, each webhook event reaches the shop once,
//! two processes starting at once on an empty database migrate it once, and a change
//! through one process is in the next order view through the other (each keeps views).

mod common;

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use common::*;
use postpurchase_server::db::Db;
use postpurchase_server::store::NewShop;
use postpurchase_server::{args, work};
use serde_json::{json, Value};

/// A server process on its own port; stopped when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    /// A server with the smallest pool of connections to PostgreSQL there is: one shared
    /// reader and one connection for transactions. Racing requests must take turns on
    /// it, never stall or fail for want of one.
    fn spawn(database_url: &str) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let data = std::env::temp_dir();
        let child = Command::new(env!("CARGO_BIN_EXE_postpurchase-server"))
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(["--database-url", database_url])
            // The test's webhook endpoint is on this machine.
            .arg("--dev-webhooks")
            .arg("--data-dir")
            .arg(&data)
            .env("RUST_LOG", "error")
            .env("PP_DATABASE_POOL", "2")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        Server {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }

    async fn ready(&mut self) {
        let started = Instant::now();
        loop {
            if let Ok(r) = reqwest::get(format!("{}/healthz", self.url)).await {
                if r.status().is_success() {
                    return;
                }
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("server exited: {status}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "server did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn start(database_url: &str) -> Server {
        let mut server = Server::spawn(database_url);
        server.ready().await;
        server
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const KEY: &str = "key-of-the-cluster-shop";

/// A fresh database with the shop, its delivery offer (one slot with `places` places,
/// neighbours allowed) and its webhook endpoint; and two servers on it.
async fn cluster(places: u32, webhook_url: Option<&str>) -> (TestDb, Server, Server, i64) {
    let test_db = fresh_db(Backend::Postgres).await;
    let db = test_db.db.clone();
    db.create_shop(NewShop {
        slug: "shop".into(),
        name: "Shop".into(),
        api_key: KEY.into(),
        locale: "en".into(),
        ..Default::default()
    })
    .await
    .unwrap();
    let url = webhook_url.map(str::to_owned);
    let slot = db
        .write(work!(|c, url| {
            c.execute(
                "UPDATE shops SET neighbour_allowed = TRUE, webhook_url = ?1,
                                  webhook_secret = 'whsec_cluster' WHERE slug = 'shop'",
                args![url],
            )
            .await?;
            c.query_one(
                "INSERT INTO delivery_slots (shop_id, date, starts, ends, capacity)
                 SELECT id, '2026-12-09', '10:00', '12:00', ?1 FROM shops WHERE slug = 'shop'
                 RETURNING id",
                args![places],
            )
            .await?
            .get::<i64>("id")
        }))
        .await
        .unwrap();
    let database = test_db.url.clone().unwrap();
    let a = Server::start(&database).await;
    let b = Server::start(&database).await;
    (test_db, a, b, slot)
}

/// An order with one parcel, made through `server`; its token and the parcel's id.
async fn order_with_parcel(server: &Server, number: &str) -> (String, i64) {
    let client = reqwest::Client::new();
    let created: Value = client
        .post(format!("{}/api/v1/admin/orders", server.url))
        .bearer_auth(KEY)
        .json(&sample_order(
            number,
            &format!("shopper{number}@example.com"),
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = created["access"]["token"].as_str().unwrap().to_owned();
    let parcel: Value = client
        .post(format!(
            "{}/api/v1/admin/orders/{number}/shipments",
            server.url
        ))
        .bearer_auth(KEY)
        .json(
            &json!({"carrier": "postnl", "tracking_number": format!("3S{number}"),
                      "items": [{"sku": "TEE-M", "quantity": 2}]}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (token, parcel["id"].as_i64().unwrap())
}

/// A shopper's choice sent to `server`: (status, headers, body).
async fn choose(
    server: &Server,
    token: &str,
    parcel: i64,
    key: Option<&str>,
    choice: Value,
) -> (u16, HeaderMap, Value) {
    let mut request = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/shops/shop/orders/{token}/shipments/{parcel}/choice",
            server.url
        ))
        .header("if-match", "*")
        .json(&json!({ "choice": choice }));
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_place_in_a_slot_goes_to_one_shopper_across_processes() {
    let (test_db, a, b, slot) = cluster(1, None).await;
    let mut shoppers = Vec::new();
    for i in 0..20 {
        let server = if i % 2 == 0 { &a } else { &b };
        shoppers.push(order_with_parcel(server, &format!("{}", 1000 + i)).await);
    }
    let servers = [Arc::new(a), Arc::new(b)];
    let mut racing = Vec::new();
    for (i, (token, parcel)) in shoppers.into_iter().enumerate() {
        let server = servers[i % 2].clone();
        racing.push(tokio::spawn(async move {
            choose(
                &server,
                &token,
                parcel,
                None,
                json!({"kind": "slot", "slot_id": slot}),
            )
            .await
        }));
    }
    let mut outcomes: HashMap<u16, usize> = HashMap::new();
    for race in racing {
        let (status, _, body) = race.await.unwrap();
        if status == 409 {
            assert_eq!(body["error"]["code"], "slot_full", "{body}");
        }
        *outcomes.entry(status).or_default() += 1;
    }
    assert_eq!(outcomes, HashMap::from([(200, 1), (409, 19)]));
    let app = TestApp::over(Backend::Postgres, test_db.db.clone(), Default::default());
    assert_eq!(app.number("SELECT taken FROM delivery_slots").await, 1);
    assert_eq!(
        app.number("SELECT count(*) FROM shipments WHERE choice_slot_id IS NOT NULL")
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_keyed_retries_split_across_processes_make_one_change() {
    let (test_db, a, b, _) = cluster(5, Some("https://merchant.example/hooks")).await;
    let (token, parcel) = order_with_parcel(&a, "1001").await;
    let servers = [Arc::new(a), Arc::new(b)];
    let mut racing = Vec::new();
    for i in 0..50 {
        let (server, token) = (servers[i % 2].clone(), token.clone());
        racing.push(tokio::spawn(async move {
            let neighbour = json!({"kind": "neighbour",
                                   "neighbour": {"name": "Mrs Jansen", "house_number": "12"}});
            choose(&server, &token, parcel, Some("retry-key-1"), neighbour).await
        }));
    }
    let mut fresh = 0;
    let mut bodies = Vec::new();
    for race in racing {
        let (status, headers, body) = race.await.unwrap();
        assert_eq!(status, 200, "{body}");
        if headers.get("idempotent-replayed").is_none() {
            fresh += 1;
        }
        bodies.push(body);
    }
    assert_eq!(
        fresh, 1,
        "one request made the change, 49 got its saved answer"
    );
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "every answer the same"
    );
    let app = TestApp::over(Backend::Postgres, test_db.db.clone(), Default::default());
    assert_eq!(app.count("webhook_deliveries").await, 1);
    assert_eq!(app.count("shopper_requests").await, 1);
    assert_eq!(app.number("SELECT choice_version FROM shipments").await, 2);
}

/// What a webhook endpoint received: how often each event id came.
#[derive(Clone, Default)]
struct Inbox(Arc<Mutex<HashMap<String, usize>>>);

async fn endpoint() -> (Inbox, String) {
    let inbox = Inbox::default();
    let seen = inbox.clone();
    let router = axum::Router::new().route(
        "/hooks",
        axum::routing::post(move |headers: HeaderMap| {
            let seen = seen.clone();
            async move {
                let id = headers["postpurchase-event-id"]
                    .to_str()
                    .unwrap()
                    .to_owned();
                *seen.0.lock().unwrap().entry(id).or_default() += 1;
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (inbox, url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_webhook_event_reaches_the_shop_once_with_two_workers() {
    let (inbox, hook) = endpoint().await;
    let (test_db, a, b, _) = cluster(5, Some(&hook)).await;
    let mut parcels = Vec::new();
    for i in 0..10 {
        parcels.push(
            order_with_parcel(if i % 2 == 0 { &a } else { &b }, &format!("{}", 2000 + i)).await,
        );
    }
    // Forty changes, through both processes; each queues one event.
    for round in 0..4 {
        for (i, (token, parcel)) in parcels.iter().enumerate() {
            let server = if (i + round) % 2 == 0 { &a } else { &b };
            let name = format!("Neighbour {round}");
            let choice =
                json!({"kind": "neighbour", "neighbour": {"name": name, "house_number": "1"}});
            let (status, _, body) = choose(server, token, *parcel, None, choice).await;
            assert_eq!(status, 200, "{body}");
        }
    }
    let app = TestApp::over(Backend::Postgres, test_db.db.clone(), Default::default());
    let started = Instant::now();
    while app
        .number("SELECT count(*) FROM webhook_deliveries WHERE state = 'delivered'")
        .await
        < 40
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "not all delivered"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A moment more, for any second sending to show.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let received = inbox.0.lock().unwrap().clone();
    assert_eq!(received.len(), 40);
    assert!(received.values().all(|n| *n == 1), "{received:?}");
    assert_eq!(
        app.number("SELECT count(*) FROM webhook_deliveries WHERE attempts <> 1")
            .await,
        0
    );
    drop((a, b));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pool_of_one_connection_is_refused_with_a_reason() {
    let (database, _keep) = empty_database(Backend::Postgres).await;
    let out = Command::new(env!("CARGO_BIN_EXE_postpurchase-server"))
        .args(["--listen", "127.0.0.1:0", "--database-url", &database])
        .arg("--data-dir")
        .arg(std::env::temp_dir())
        .env("PP_DATABASE_POOL", "1")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("a PostgreSQL pool needs at least 2 connections, not 1"),
        "{said}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_starting_at_once_migrate_once() {
    let (database, _keep) = empty_database(Backend::Postgres).await;
    let mut a = Server::spawn(&database);
    let mut b = Server::spawn(&database);
    a.ready().await;
    b.ready().await;
    let db = Db::open(&database).await.unwrap();
    let app = TestApp::over(Backend::Postgres, Arc::new(db), Default::default());
    let migrations = postpurchase_server::db::POSTGRES_MIGRATIONS.len() as i64;
    assert_eq!(app.count("schema_migrations").await, migrations);
    assert_eq!(
        app.number("SELECT count(DISTINCT version) FROM schema_migrations")
            .await,
        migrations
    );
    // Both serve.
    for server in [&a, &b] {
        let response = reqwest::Client::new()
            .get(format!("{}/api/v1/admin/shop", server.url))
            .bearer_auth("nobody")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
    }
}

/// An order view through `server`: status, ETag and body (null for a 304).
async fn order_view(server: &Server, token: &str, etag: Option<&str>) -> (u16, String, Value) {
    let mut request =
        reqwest::Client::new().get(format!("{}/api/v1/shops/shop/orders/{token}", server.url));
    if let Some(etag) = etag {
        request = request.header("if-none-match", etag);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let body = if status == 200 {
        response.json().await.unwrap()
    } else {
        Value::Null
    };
    (status, etag, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_through_one_process_is_in_the_next_view_through_another() {
    let (_test_db, a, b, _slot) = cluster(5, None).await;
    let (token, parcel) = order_with_parcel(&a, "3001").await;
    let (status, first, view) = order_view(&a, &token, None).await;
    assert_eq!(status, 200);
    assert_eq!(view["shipments"][0]["events"], json!([]));
    let (status, on_b, _) = order_view(&b, &token, None).await;
    assert_eq!(
        (status, &on_b),
        (200, &first),
        "one view, one ETag, in every process"
    );
    assert_eq!(order_view(&b, &token, Some(&first)).await.0, 304);

    // A carrier event through b is in a's next view.
    let client = reqwest::Client::new();
    let recorded = client
        .post(format!(
            "{}/api/v1/admin/shipments/postnl/3S3001/events",
            b.url
        ))
        .bearer_auth(KEY)
        .json(
            &json!({"event_id": "e1", "occurred_at": "2026-11-23T10:00:00Z",
                      "code": "A01", "text": "Sorted", "location": "Utrecht"}),
        )
        .send()
        .await
        .unwrap();
    assert!(recorded.status().is_success(), "{}", recorded.status());
    let (status, second, view) = order_view(&a, &token, Some(&first)).await;
    assert_eq!(status, 200, "a's kept view is not sent");
    assert_ne!(second, first);
    assert_eq!(view["shipments"][0]["events"][0]["text"], "Sorted");

    // A shopper's choice through a is in b's next view.
    let (status, _, _) = choose(
        &a,
        &token,
        parcel,
        None,
        json!({"kind": "neighbour", "neighbour": {"name": "Mr Bakker", "house_number": "7"}}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, third, view) = order_view(&b, &token, Some(&second)).await;
    assert_eq!(status, 200);
    assert_eq!(
        view["shipments"][0]["choice"]["neighbour"]["name"],
        "Mr Bakker"
    );

    // A shop setting changed through b is in a's next view.
    let changed = client
        .put(format!("{}/api/v1/admin/delivery-settings", b.url))
        .bearer_auth(KEY)
        .json(
            &json!({"time_zone": "Europe/Amsterdam", "cutoff": "04:00", "later_days": 0,
                      "safe_places": ["porch"], "neighbour": true}),
        )
        .send()
        .await
        .unwrap();
    assert!(changed.status().is_success(), "{}", changed.status());
    let (status, fourth, view) = order_view(&a, &token, Some(&third)).await;
    assert_eq!(status, 200);
    assert_eq!(view["delivery_options"]["safe_places"], json!(["porch"]));
    let (status, on_b, _) = order_view(&b, &token, Some(&fourth)).await;
    assert_eq!((status, on_b), (304, fourth));
}
