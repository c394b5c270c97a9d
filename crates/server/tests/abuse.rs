//! Bounded before authentication: bodies sized to what each route takes and read only
//! after the token or key opens something; headers that never end, idle connections,
//! slow bodies and too many connections, against the real binary.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use common::*;
use serde_json::json;

async fn bodies_are_read_only_after_the_token_or_key_opens_something(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = app
        .create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    let (_, parcel) = app
        .admin_post(
            "/api/v1/admin/orders/1001/shipments",
            SHOP_KEY,
            &json!({"carrier": "dhl", "tracking_number": "JV1", "items": [{"sku": "CAP", "quantity": 1}]})
                .to_string(),
        )
        .await;
    let choice = |token: &str, size: usize| {
        let name = "x".repeat(size);
        json_request(
            "POST",
            &format!(
                "/api/v1/shops/shop/orders/{token}/shipments/{}/choice",
                parcel["id"]
            ),
            &[("if-match", "*")],
            &json!({"choice": {"kind": "neighbour", "neighbour": {"name": name, "house_number": "1"}}}),
        )
    };
    // 1.9 MB with a made-up token: the token is looked at first, the body never.
    let (status, body) = json_of(
        app.send(choice("AAAAAAAAAAAAAAAAAAAAAAAA", 1_900_000))
            .await,
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("order_not_found"))
    );
    // With the token: a choice takes 4 KiB, no more.
    let (status, body) = json_of(app.send(choice(&token, 5_000)).await).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
    );
    let (status, body) = json_of(app.send(choice(&token, 3_000)).await).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "read, and checked: {body}"
    );
    // The admin API: the key first.
    let big = json!({"number": "x".repeat(300_000)});
    let (status, _) = app
        .admin_post("/api/v1/admin/orders", "wrong-key", &big.to_string())
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app
        .admin_post("/api/v1/admin/orders", SHOP_KEY, &big.to_string())
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

storage_tests!(bodies_are_read_only_after_the_token_or_key_opens_something);

/// The real server with `args`, on a free port, seeded with the demo (admin key `KEY`).
struct Server {
    child: Child,
    addr: String,
    _data: tempfile::TempDir,
}

const KEY: &str = "abuse-test-key";

impl Server {
    fn start(args: &[&str]) -> Server {
        let data = tempfile::tempdir().unwrap();
        let free = || {
            std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port()
        };
        let addr = format!("127.0.0.1:{}", free());
        let child = Command::new(env!("CARGO_BIN_EXE_postpurchase-server"))
            .args([
                "--listen",
                &addr,
                "--demo-storefront",
                &format!("127.0.0.1:{}", free()),
            ])
            .args(args)
            .env("PP_DATA_DIR", data.path())
            .env("PP_DEMO_API_KEY", KEY)
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while TcpStream::connect(&addr).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "server did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Server {
            child,
            addr,
            _data: data,
        }
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(&self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(8)))
            .unwrap();
        stream
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads until the server closes the connection; how long that took, and what came.
fn until_closed(mut stream: TcpStream) -> (Duration, String) {
    let started = Instant::now();
    let mut got = Vec::new();
    let _ = stream.read_to_end(&mut got);
    (
        started.elapsed(),
        String::from_utf8_lossy(&got).into_owned(),
    )
}

/// A request's status line and body, on its own connection.
fn request(stream: &mut TcpStream, text: &str) -> String {
    stream.write_all(text.as_bytes()).unwrap();
    let mut buf = [0u8; 4096];
    let n = stream.read(&mut buf).unwrap_or(0);
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

#[test]
fn headers_that_never_end_and_idle_connections_are_closed() {
    let server = Server::start(&["--header-timeout", "1"]);
    let mut half_open = server.connect();
    half_open
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: pp\r\nX-Slow: ")
        .unwrap();
    let idle = server.connect();
    for (what, stream) in [("half-open", half_open), ("idle", idle)] {
        let (took, _) = until_closed(stream);
        assert!(
            took < Duration::from_secs(4),
            "{what} connection open for {took:?}"
        );
    }
    // A kept-alive connection is closed after the same quiet time, its answer given.
    let mut kept = server.connect();
    let answer = request(&mut kept, "GET /healthz HTTP/1.1\r\nHost: pp\r\n\r\n");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let (took, _) = until_closed(kept);
    assert!(
        took < Duration::from_secs(4),
        "kept-alive connection open for {took:?}"
    );
}

#[test]
fn a_request_that_takes_too_long_is_answered_and_ends() {
    let server = Server::start(&["--request-timeout", "1", "--header-timeout", "5"]);
    let mut slow = server.connect();
    // A body announced and never sent, with a key that works: read, and given up on.
    let head = format!(
        "POST /api/v1/admin/orders HTTP/1.1\r\nHost: pp\r\nAuthorization: Bearer {KEY}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"number\""
    );
    let started = Instant::now();
    let answer = request(&mut slow, &head);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("\"code\":\"timeout\""), "{answer}");
}

#[test]
fn connections_over_the_limit_wait_until_one_closes() {
    let server = Server::start(&["--max-connections", "3", "--header-timeout", "10"]);
    let health = "GET /healthz HTTP/1.1\r\nHost: pp\r\n\r\n";
    let mut held: Vec<TcpStream> = (0..3)
        .map(|_| {
            let mut stream = server.connect();
            assert!(request(&mut stream, health).starts_with("HTTP/1.1 200"));
            stream
        })
        .collect();
    let mut waiting = server.connect();
    waiting
        .set_read_timeout(Some(Duration::from_millis(700)))
        .unwrap();
    let answer = request(&mut waiting, health);
    assert_eq!(
        answer, "",
        "a fourth connection is not served while three are open"
    );
    drop(held.pop());
    waiting
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut buf = [0u8; 512];
    let n = waiting.read(&mut buf).unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
}
