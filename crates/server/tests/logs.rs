//! Request logs name the route and the status, never a token, e-mail, address, password
//! or session.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One test on both databases in turn: the log subscriber is the process's, so what
/// storage threads and background tasks write is caught too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_carry_no_personal_data() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        captured.0.lock().unwrap().clear();
        logs_of(backend, &captured).await;
    }
}

async fn logs_of(backend: Backend, captured: &Captured) {
    let app = TestApp::new(backend).await;
    let token = app
        .create_order(SHOP_KEY, &sample_order("98765", "jane.secret@example.com"))
        .await;
    app.get(&format!("/api/v1/shops/shop/orders/{token}")).await;
    app.get(&format!("/api/v1/shops/shop/orders/{}", &token[..10]))
        .await;
    app.admin_post(
        "/api/v1/admin/orders",
        SHOP_KEY,
        "{\"number\": \"jane.secret@example.com\"",
    )
    .await;
    // A staff member set up, a wrong password and a right one, a session used.
    let (_, added) = app
        .admin_post(
            "/api/v1/admin/staff",
            SHOP_KEY,
            r#"{"email": "ann.secret@shop.example", "name": "Ann", "role": "staff"}"#,
        )
        .await;
    let link_token = added["link"]
        .as_str()
        .unwrap()
        .rsplit_once('=')
        .unwrap()
        .1
        .to_owned();
    let password = serde_json::json!({"token": link_token, "password": "correct horse battery"});
    app.send(json_request(
        "POST",
        "/api/v1/console/password",
        &[],
        &password,
    ))
    .await;
    let mut cookie = String::new();
    for attempt in ["wrong horse battery", "correct horse battery"] {
        let sign_in = serde_json::json!({"shop": "shop", "email": "ann.secret@shop.example", "password": attempt});
        let response = app
            .send(json_request(
                "POST",
                "/api/v1/console/session",
                &[],
                &sign_in,
            ))
            .await;
        if let Some(set) = response.headers().get("set-cookie") {
            cookie = set.to_str().unwrap().split(';').next().unwrap().to_owned();
        }
    }
    assert!(cookie.starts_with("pp_session="), "signed in");
    app.send(
        axum::http::Request::get("/api/v1/admin/reviews")
            .header("cookie", &cookie)
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("/api/v1/shops/{shop}/orders/{token}"), "{log}");
    assert!(log.contains("status=200"), "{log}");
    assert!(log.contains("status=404"), "{log}");
    // The sign-ins were logged, by route and status only.
    assert!(log.contains("route=\"/api/v1/console/session\""), "{log}");
    assert!(log.contains("status=401"), "{log}");
    for secret in [
        &token[..],
        &token[..10],
        "jane.secret",
        "Keizersgracht",
        "98765",
        SHOP_KEY,
        "horse battery",
        "ann.secret",
        &link_token,
        &cookie["pp_session=".len()..],
    ] {
        assert!(!log.contains(secret), "{secret} in log:\n{log}");
    }
}
