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
use postpurchase_server::webhooks::{self, Backoff};
use postpurchase_server::Db;
use rusqlite::params;
use tokio::sync::Notify;

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
    _dir: tempfile::TempDir,
}

impl Outbox {
    /// A fresh database with one shop whose webhook goes to `url` (none when `None`).
    fn new(url: Option<&str>) -> Outbox {
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(Db::open(&dir.path().join("test.sqlite")).unwrap());
        let shop_id = db
            .write(|tx| {
                tx.execute(
                    "INSERT INTO shops (slug, name, api_key_hash) VALUES ('shop', 'Shop', x'01')",
                    [],
                )?;
                let id = tx.last_insert_rowid();
                tx.execute(
                    "UPDATE shops SET webhook_url = ?1, webhook_secret = ?2 WHERE id = ?3",
                    params![url, SECRET, id],
                )?;
                Ok::<_, rusqlite::Error>(id)
            })
            .unwrap();
        Outbox {
            db,
            wake: Arc::new(Notify::new()),
            shop_id,
            worker: None,
            _dir: dir,
        }
    }

    fn start(&mut self, backoff: Backoff) {
        self.worker = Some(webhooks::spawn(self.db.clone(), self.wake.clone(), backoff));
    }

    /// Queues `event` as a handler would, then wakes the worker; true when it was queued.
    fn enqueue(&self, event: &WebhookEvent) -> bool {
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        let queued = self
            .db
            .write(|tx| webhooks::enqueue(tx, self.shop_id, event, now_ms))
            .unwrap();
        self.wake.notify_one();
        queued
    }

    /// The delivery's (state, attempts, last_status).
    fn delivery(&self, event_id: &str) -> (String, i64, Option<i64>) {
        self.db
            .read(|c| {
                c.query_row(
                    "SELECT state, attempts, last_status FROM webhook_deliveries WHERE event_id = ?1",
                    [event_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
            })
            .unwrap()
    }

    /// Waits until the delivery leaves `pending`.
    async fn settled(&self, event_id: &str) -> (String, i64, Option<i64>) {
        for _ in 0..500 {
            let delivery = self.delivery(event_id);
            if delivery.0 != "pending" {
                return delivery;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("still pending: {:?}", self.delivery(event_id));
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

#[tokio::test]
async fn deliveries_are_signed_over_timestamp_and_body() {
    let (receiver, url) = Receiver::start(&[StatusCode::NO_CONTENT]).await;
    let mut outbox = Outbox::new(Some(&url));
    outbox.start(quick(3));
    assert!(outbox.enqueue(&event("evt_signed")));

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

#[tokio::test]
async fn failed_deliveries_are_retried_with_backoff() {
    let (receiver, url) = Receiver::start(&[
        StatusCode::INTERNAL_SERVER_ERROR,
        StatusCode::INTERNAL_SERVER_ERROR,
        StatusCode::OK,
    ])
    .await;
    let mut outbox = Outbox::new(Some(&url));
    outbox.start(quick(10));
    let started = std::time::Instant::now();
    assert!(outbox.enqueue(&event("evt_retry")));

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

#[tokio::test]
async fn deliveries_fail_after_the_last_attempt() {
    let (receiver, url) = Receiver::start(&[StatusCode::INTERNAL_SERVER_ERROR]).await;
    let mut outbox = Outbox::new(Some(&url));
    outbox.start(quick(4));
    assert!(outbox.enqueue(&event("evt_gone")));

    assert_eq!(
        outbox.settled("evt_gone").await,
        ("failed".into(), 4, Some(500))
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.count(), 4);
}

#[tokio::test]
async fn unreachable_endpoints_fail_with_the_error_recorded() {
    // A port that was just free: connections are refused.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    drop(listener);
    let mut outbox = Outbox::new(Some(&url));
    outbox.start(quick(2));
    assert!(outbox.enqueue(&event("evt_refused")));

    assert_eq!(
        outbox.settled("evt_refused").await,
        ("failed".into(), 2, None)
    );
    let error: Option<String> = outbox
        .db
        .read(|c| {
            c.query_row(
                "SELECT last_error FROM webhook_deliveries WHERE event_id = 'evt_refused'",
                [],
                |r| r.get(0),
            )
        })
        .unwrap();
    let error = error.unwrap();
    assert!(!error.contains(&url), "{error}");
}

#[tokio::test]
async fn shops_without_an_endpoint_get_nothing() {
    let (receiver, _url) = Receiver::start(&[StatusCode::OK]).await;
    let mut outbox = Outbox::new(None);
    outbox.start(quick(3));
    assert!(!outbox.enqueue(&event("evt_nowhere")));

    tokio::time::sleep(Duration::from_millis(200)).await;
    let queued: i64 = outbox
        .db
        .read(|c| c.query_row("SELECT count(*) FROM webhook_deliveries", [], |r| r.get(0)))
        .unwrap();
    assert_eq!(queued, 0);
    assert_eq!(receiver.count(), 0);
}
