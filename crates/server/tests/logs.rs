//! Request logs name the route and the status, never a token, e-mail or address.

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

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("/api/v1/shops/{shop}/orders/{token}"), "{log}");
    assert!(log.contains("status=200"), "{log}");
    assert!(log.contains("status=404"), "{log}");
    for secret in [
        &token[..],
        &token[..10],
        "jane.secret",
        "Keizersgracht",
        "98765",
        SHOP_KEY,
    ] {
        assert!(!log.contains(secret), "{secret} in log:\n{log}");
    }
}
