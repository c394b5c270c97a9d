//! The webhook worker against a real HTTP receiver on 127.0.0.1: signatures, retries with
//! back-off, giving up, and shops without an endpoint.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use hmac::{Hmac, Mac};
use postpurchase_api::{ChoiceChanged, WebhookData, WebhookEvent};
use postpurchase_server::db::{Db, DbError};
use postpurchase_server::store::NewShop;
use postpurchase_server::webhooks::{self, Backoff};
use postpurchase_server::{args, work};
use tokio::sync::Notify;

mod common;
use common::{Backend, Targets};

const SECRET: &str = "whsec_test";

/// One request the receiver got.
struct Received {
    headers: HeaderMap,
    body: String,
}

#[derive(Clone, Default)]
struct Receiver {
    received: Arc<Mutex<Vec<Received>>>,
    /// Statuses to answer with, in order; the last one repeats.
    statuses: Arc<Mutex<VecDeque<StatusCode>>>,
}

impl Receiver {
    /// Serves on 127.0.0.1 and returns the receiver and its URL.
    async fn start(statuses: &[StatusCode]) -> (Receiver, String) {
        let receiver = Receiver {
            statuses: Arc::new(Mutex::new(statuses.iter().copied().collect())),
            ..Default::default()
        };
        let router = Router::new()
            .route("/hook", post(receive))
            .with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        (receiver, url)
    }

    fn count(&self) -> usize {
        self.received.lock().unwrap().len()
    }
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: String) -> StatusCode {
    receiver
        .received
        .lock()
        .unwrap()
        .push(Received { headers, body });
    let mut statuses = receiver.statuses.lock().unwrap();
    if statuses.len() > 1 {
        statuses.pop_front().unwrap()
    } else {
        statuses.front().copied().unwrap_or(StatusCode::OK)
    }
}

struct Outbox {
    db: Arc<Db>,
    wake: Arc<Notify>,
    shop_id: i64,
    worker: Option<tokio::task::JoinHandle<()>>,
    _db: common::TestDb,
}

impl Outbox {
    /// A fresh database with one shop whose webhook goes to `url` (none when `None`).
    async fn new(backend: Backend, url: Option<&str>) -> Outbox {
        let test_db = common::fresh_db(backend).await;
        let db = test_db.db.clone();
        let shop = db
            .create_shop(NewShop {
                slug: "shop".into(),
                name: "Shop".into(),
                api_key: "key".into(),
                locale: "en".into(),
                ..Default::default()
            })
            .await
            .unwrap();
        let url = url.map(str::to_owned);
        db.write(work!(|c, url| {
            c.execute(
                "UPDATE shops SET webhook_url = ?1, webhook_secret = ?2 WHERE id = ?3",
                args![url, SECRET, shop.id],
            )
            .await
        }))
        .await
        .unwrap();
        Outbox {
            db,
            wake: Arc::new(Notify::new()),
            shop_id: shop.id,
            worker: None,
            _db: test_db,
        }
    }

    /// Starts the worker as in development: the receiver is on this machine.
    fn start(&mut self, backoff: Backoff) {
        self.start_for(backoff, Targets { dev: true });
    }

    fn start_for(&mut self, backoff: Backoff, targets: Targets) {
        self.worker = Some(webhooks::spawn(
            self.db.clone(),
            self.wake.clone(),
            backoff,
            targets,
        ));
    }

    /// Queues `event` as a handler would, then wakes the worker; true when it was queued.
    async fn enqueue(&self, event: &WebhookEvent) -> bool {
        let queued = self
            .db
            .enqueue_webhook(self.shop_id, event.clone())
            .await
            .unwrap();
        self.wake.notify_one();
        queued
    }

    /// The delivery's (state, attempts, last_status, last_error).
    async fn delivery(&self, event_id: &str) -> (String, i64, Option<i64>, Option<String>) {
        let event_id = event_id.to_owned();
        self.db
            .read(work!(|c, event_id| {
                let mut r = c
                    .query_one(
                        "SELECT state, attempts, last_status, last_error FROM webhook_deliveries
                         WHERE event_id = ?1",
                        args![event_id],
                    )
                    .await?;
                Ok::<_, DbError>((
                    r.get("state")?,
                    r.get("attempts")?,
                    r.get("last_status")?,
                    r.get("last_error")?,
                ))
            }))
            .await
            .unwrap()
    }

    async fn delivery_count(&self) -> i64 {
        self.db
            .read(work!(|c| {
                c.query_one("SELECT count(*) AS n FROM webhook_deliveries", args![])
                    .await?
                    .get::<i64>("n")
            }))
            .await
            .unwrap()
    }

    /// Waits until the delivery leaves `pending`; its (state, attempts, last_status).
    async fn settled(&self, event_id: &str) -> (String, i64, Option<i64>) {
        for _ in 0..500 {
            let (state, attempts, status, _) = self.delivery(event_id).await;
            if state != "pending" {
                return (state, attempts, status);
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("still pending: {:?}", self.delivery(event_id).await);
    }
}

impl Drop for Outbox {
    fn drop(&mut self) {
        if let Some(worker) = &self.worker {
            worker.abort();
        }
    }
}

fn event(id: &str) -> WebhookEvent {
    WebhookEvent {
        id: id.into(),
        kind: "delivery_choice.changed".into(),
        created_at: "2026-11-23T12:00:00Z".into(),
        data: WebhookData::DeliveryChoice(Box::new(ChoiceChanged {
            order_number: "1001".into(),
            carrier: "postnl".into(),
            tracking_number: "3SABC123".into(),
            choice: None,
            slot: None,
            pickup_point: None,
        })),
    }
}

fn quick(max_attempts: u32) -> Backoff {
    Backoff {
        first: Duration::from_millis(20),
        max_attempts,
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

async fn deliveries_are_signed_over_timestamp_and_body(backend: Backend) {
    let (receiver, url) = Receiver::start(&[StatusCode::NO_CONTENT]).await;
    let mut outbox = Outbox::new(backend, Some(&url)).await;
    outbox.start(quick(3));
    assert!(outbox.enqueue(&event("evt_signed")).await);

    assert_eq!(
        outbox.settled("evt_signed").await,
        ("delivered".into(), 1, Some(204))
    );
    let received = receiver.received.lock().unwrap();
    assert_eq!(received.len(), 1);
    let Received { headers, body } = &received[0];
    assert_eq!(header(headers, "content-type"), "application/json");
    assert_eq!(header(headers, "postpurchase-event-id"), "evt_signed");
    assert!(header(headers, "user-agent").starts_with("postpurchase-webhooks/"));
    let timestamp = header(headers, "postpurchase-timestamp");
    let sent_at: i64 = timestamp.parse().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((now - sent_at).abs() <= 5, "timestamp {sent_at}, now {now}");

    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{body}").as_bytes());
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        header(headers, "postpurchase-signature"),
        format!("v1={expected}")
    );
    let parsed: WebhookEvent = serde_json::from_str(body).unwrap();
    assert_eq!(parsed, event("evt_signed"));
}

async fn failed_deliveries_are_retried_with_backoff(backend: Backend) {
    let (receiver, url) = Receiver::start(&[
        StatusCode::INTERNAL_SERVER_ERROR,
        StatusCode::INTERNAL_SERVER_ERROR,
        StatusCode::OK,
    ])
    .await;
    let mut outbox = Outbox::new(backend, Some(&url)).await;
    outbox.start(quick(10));
    let started = std::time::Instant::now();
    assert!(outbox.enqueue(&event("evt_retry")).await);

    assert_eq!(
        outbox.settled("evt_retry").await,
        ("delivered".into(), 3, Some(200))
    );
    // Waited 20 ms, then 40 ms, between the attempts.
    assert!(started.elapsed() >= Duration::from_millis(60));
    assert_eq!(receiver.count(), 3);
    let received = receiver.received.lock().unwrap();
    assert!(received
        .iter()
        .all(|r| header(&r.headers, "postpurchase-event-id") == "evt_retry"));
}

async fn deliveries_fail_after_the_last_attempt(backend: Backend) {
    let (receiver, url) = Receiver::start(&[StatusCode::INTERNAL_SERVER_ERROR]).await;
    let mut outbox = Outbox::new(backend, Some(&url)).await;
    outbox.start(quick(4));
    assert!(outbox.enqueue(&event("evt_gone")).await);

    assert_eq!(
        outbox.settled("evt_gone").await,
        ("failed".into(), 4, Some(500))
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.count(), 4);
}

async fn unreachable_endpoints_fail_with_the_error_recorded(backend: Backend) {
    // A port that was just free: connections are refused.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    drop(listener);
    let mut outbox = Outbox::new(backend, Some(&url)).await;
    outbox.start(quick(2));
    assert!(outbox.enqueue(&event("evt_refused")).await);

    assert_eq!(
        outbox.settled("evt_refused").await,
        ("failed".into(), 2, None)
    );
    let error = outbox.delivery("evt_refused").await.3.unwrap();
    assert!(!error.contains(&url), "{error}");
}

async fn shops_without_an_endpoint_get_nothing(backend: Backend) {
    let (receiver, _url) = Receiver::start(&[StatusCode::OK]).await;
    let mut outbox = Outbox::new(backend, None).await;
    outbox.start(quick(3));
    assert!(!outbox.enqueue(&event("evt_nowhere")).await);

    tokio::time::sleep(Duration::from_millis(200)).await;
    let queued = outbox.delivery_count().await;
    assert_eq!(queued, 0);
    assert_eq!(receiver.count(), 0);
}

/// In production a webhook never reaches this server's own network, whatever the stored
/// URL says: an address in it, or a name that resolves to one.
async fn webhooks_are_never_sent_inside(backend: Backend) {
    let (receiver, url) = Receiver::start(&[StatusCode::OK]).await;
    let port = url
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    for target in [url.clone(), format!("http://localhost:{port}/hook")] {
        let mut outbox = Outbox::new(backend, Some(&target)).await;
        outbox.start_for(quick(1), Targets { dev: false });
        assert!(outbox.enqueue(&event("evt_inside")).await);
        assert_eq!(
            outbox.settled("evt_inside").await,
            ("failed".into(), 1, None)
        );
        let error = outbox.delivery("evt_inside").await.3.unwrap();
        assert!(
            error.contains("private, local or reserved"),
            "{target}: {error}"
        );
    }
    assert_eq!(receiver.count(), 0);
}

storage_tests!(
    webhooks_are_never_sent_inside,
    deliveries_are_signed_over_timestamp_and_body,
    failed_deliveries_are_retried_with_backoff,
    deliveries_fail_after_the_last_attempt,
    unreachable_endpoints_fail_with_the_error_recorded,
    shops_without_an_endpoint_get_nothing,
);
