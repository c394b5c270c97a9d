//! Shared set-up for the server's tests: a fresh database per test, a shop, and requests
//! driven through the router with `oneshot`.

// Each test file uses its own subset of these helpers.
#![allow(dead_code)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use postpurchase_server::store::{self, NewShop};
use postpurchase_server::web::WidgetFiles;
use postpurchase_server::{app, AppState, Clock, Db};
use serde_json::{json, Value};
use tower::ServiceExt;

/// 2026-11-23T12:00:00Z
pub const NOW: i64 = 1_795_435_200;

pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    _dir: tempfile::TempDir,
}

pub const SHOP_KEY: &str = "key-of-the-test-shop";
pub const OTHER_KEY: &str = "key-of-another-shop";
pub const SHOP_ORIGIN: &str = "https://shop.example";

impl Default for TestApp {
    fn default() -> Self {
        Self::new()
    }
}

impl TestApp {
    pub fn new() -> TestApp {
        Self::with_widget(WidgetFiles::default())
    }

    pub fn with_widget(widget: WidgetFiles) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(Db::open(&dir.path().join("test.sqlite")).unwrap());
        db.write(|tx| {
            for (slug, key, origin) in [
                ("shop", SHOP_KEY, SHOP_ORIGIN),
                ("other", OTHER_KEY, "https://other.example"),
            ] {
                store::insert_shop(
                    tx,
                    &NewShop {
                        slug,
                        name: "Test Shop",
                        api_key: key,
                        allowed_origins: &[origin.to_owned()],
                        locale: "en",
                        support_email: Some("help@shop.example"),
                        order_status_url: Some("https://shop.example/orders"),
                        ..Default::default()
                    },
                )?;
            }
            Ok::<_, rusqlite::Error>(())
        })
        .unwrap();
        let state = AppState {
            db,
            clock: Clock::fixed(NOW),
            public_url: "https://pp.example".into(),
            widget: Arc::new(widget),
            webhooks: Arc::new(tokio::sync::Notify::new()),
        };
        TestApp {
            router: app(state.clone()),
            state,
            _dir: dir,
        }
    }

    pub async fn send(&self, request: Request<Body>) -> Response<Body> {
        self.router.clone().oneshot(request).await.unwrap()
    }

    pub async fn get(&self, uri: &str) -> (StatusCode, Value) {
        let response = self
            .send(Request::get(uri).body(Body::empty()).unwrap())
            .await;
        json_of(response).await
    }

    pub async fn get_admin(&self, uri: &str) -> (StatusCode, Value) {
        self.get_admin_with(uri, SHOP_KEY).await
    }

    pub async fn get_admin_with(&self, uri: &str, key: &str) -> (StatusCode, Value) {
        let response = self
            .send(
                Request::get(uri)
                    .header(header::AUTHORIZATION, format!("Bearer {key}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        json_of(response).await
    }

    pub async fn admin_put(&self, uri: &str, key: &str, body: &str) -> (StatusCode, Value) {
        self.admin_send(Request::put(uri), key, body).await
    }

    /// Ships order 1001's two tees (`TEE-M`) as DHL parcel `JV1` and has it delivered at
    /// `at` (RFC 3339), through the admin API as a carrier would.
    pub async fn deliver_tees(&self, at: &str) {
        let parcel = json!({"carrier": "dhl", "tracking_number": "JV1",
                            "items": [{"sku": "TEE-M", "quantity": 2}]});
        let (status, body) = self
            .admin_post(
                "/api/v1/admin/orders/1001/shipments",
                SHOP_KEY,
                &parcel.to_string(),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let event = json!({"event_id": "d", "occurred_at": at, "code": "delivered"});
        let (status, body) = self
            .admin_post(
                "/api/v1/admin/shipments/dhl/JV1/events",
                SHOP_KEY,
                &event.to_string(),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }

    pub async fn admin_post(&self, uri: &str, key: &str, body: &str) -> (StatusCode, Value) {
        self.admin_send(Request::post(uri), key, body).await
    }

    /// A JSON body to the admin API with the shop's key.
    async fn admin_send(
        &self,
        request: axum::http::request::Builder,
        key: &str,
        body: &str,
    ) -> (StatusCode, Value) {
        let request = request
            .header(header::AUTHORIZATION, format!("Bearer {key}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_owned()))
            .unwrap();
        json_of(self.send(request).await).await
    }

    /// Creates an order through the admin API and returns its capability token.
    pub async fn create_order(&self, key: &str, order: &Value) -> String {
        let (status, body) = self
            .admin_post("/api/v1/admin/orders", key, &order.to_string())
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["access"]["token"].as_str().unwrap().to_owned()
    }

    pub fn count(&self, table: &str) -> i64 {
        self.state
            .db
            .read(|c| c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)))
            .unwrap()
    }
}

pub async fn body_bytes(response: Response<Body>) -> Vec<u8> {
    response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec()
}

pub async fn json_of(response: Response<Body>) -> (StatusCode, Value) {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.to_str().unwrap().starts_with("application/json"));
    let bytes = body_bytes(response).await;
    assert!(
        is_json,
        "not JSON ({status}): {}",
        String::from_utf8_lossy(&bytes)
    );
    (status, serde_json::from_slice(&bytes).unwrap())
}

/// The `field` of every entry in an error body's `fields`, in order.
pub fn error_fields(error: &Value) -> Vec<&str> {
    error["error"]["fields"]
        .as_array()
        .map(|fields| fields.iter().filter_map(|f| f["field"].as_str()).collect())
        .unwrap_or_default()
}

pub fn sample_order(number: &str, email: &str) -> Value {
    json!({
        "number": number,
        "placed_at": "2026-11-22T09:30:00Z",
        "currency": "EUR",
        "customer": {"email": email, "first_name": "Jane", "last_name": "van Dijk"},
        "items": [
            {"sku": "TEE-M", "name": "Organic tee", "variant": "M / Forest", "quantity": 2, "unit_price": 2500,
             "image_url": "https://cdn.shop.example/tee.jpg"},
            {"sku": "CAP", "name": "Wool cap", "quantity": 1, "unit_price": 1999}
        ],
        "shipping": 495,
        "discount": 500,
        "tax": 0,
        "delivery_address": {"name": "Jane van Dijk", "street": "Keizersgracht 123", "postcode": "1015 CJ",
                              "city": "Amsterdam", "country": "NL"},
        "promised_delivery": {"earliest": "2026-11-25", "latest": "2026-11-27"}
    })
}
