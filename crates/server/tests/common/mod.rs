//! Shared set-up for the server's tests: a fresh database per test, on SQLite or on
//! PostgreSQL, a shop, and requests driven through the router with `oneshot`.
//!
//! `storage_tests!` runs each test on both databases. PostgreSQL is the one
//! `PP_TEST_POSTGRES` names (`scripts/test.sh` starts it); without it the tests start the
//! project's own throwaway cluster with `scripts/postgres.sh`. Each test gets a database
//! of its own, copied from a migrated template.

// Each test file uses its own subset of these helpers.
#![allow(dead_code)]

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use http_body_util::BodyExt;
use postpurchase_server::around::App;
pub use postpurchase_server::db::{Backend, Cell, Row};
use postpurchase_server::db::{Db, DbError};
pub use postpurchase_server::domain::targets::Targets;
pub use postpurchase_server::limits::{Limiter, Limits};
use postpurchase_server::store::NewShop;
use postpurchase_server::views::Views;
use postpurchase_server::web::WidgetFiles;
use postpurchase_server::{app, args, work, AppShared, AppState, Clock};
use serde_json::{json, Value};
use tower::ServiceExt;

/// Runs each named test (an `async fn(Backend)`) once on SQLite and once on PostgreSQL, as
/// `name::sqlite` and `name::postgres`, each on a fresh database.
#[macro_export]
macro_rules! storage_tests {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::common::Backend::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::common::Backend::Postgres).await
            }
        }
    )+};
}

/// 2026-11-23T12:00:00Z
pub const NOW: i64 = 1_795_435_200;

/// Limits no test outside `tests/limits.rs` reaches.
pub fn unlimited() -> Limits {
    let lots = "1000000/s".parse().unwrap();
    Limits {
        shopper_reads: lots,
        shopper_writes: lots,
        admin: lots,
        failures: lots,
        choice_changes_per_hour: 1_000_000,
        client_ip_header: None,
    }
}

/// A database of a test's own, gone with it.
pub struct TestDb {
    pub db: Arc<Db>,
    /// For PostgreSQL: the URL of this test's database.
    pub url: Option<String>,
    /// For SQLite: the database file.
    pub file: Option<std::path::PathBuf>,
    _keep: Keep,
}

enum Keep {
    Dir(tempfile::TempDir),
    Postgres(String),
}

impl Drop for Keep {
    fn drop(&mut self) {
        if let Keep::Postgres(name) = self {
            let name = name.clone();
            // Dropped inside the test's runtime: a thread of its own may block.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a runtime");
                runtime.block_on(async {
                    if let Ok(admin) = admin().await {
                        let _ = admin
                            .batch_execute(&format!(
                                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                            ))
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

/// The URL of the test cluster's `postgres` database.
pub fn postgres_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(url) = std::env::var("PP_TEST_POSTGRES") {
            return url;
        }
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/postgres.sh");
        let out = std::process::Command::new(script)
            .arg("url")
            .output()
            .expect("scripts/postgres.sh runs");
        assert!(
            out.status.success(),
            "PostgreSQL did not start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    })
}

/// The URL of database `name` in the test cluster.
pub fn database_url(name: &str) -> String {
    let url = postgres_url();
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let base = &base[..base.rfind('/').expect("a database in the URL")];
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

async fn admin() -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (client, connection) =
        tokio_postgres::connect(postgres_url(), tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    Ok(client)
}

fn random_name(prefix: &str) -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).unwrap();
    format!("{prefix}_{}", u64::from_le_bytes(bytes))
}

/// A migrated database to copy: made once per schema (its name carries a hash of the
/// migrations), under a lock so parallel tests and test binaries make it once.
async fn template() -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for (name, sql) in postpurchase_server::db::POSTGRES_MIGRATIONS {
        hash.update(name);
        hash.update(sql);
    }
    let name = format!("pp_template_{:x}", hash.finalize())[..32].to_owned();
    let admin = admin().await.expect("the test PostgreSQL answers");
    admin
        .batch_execute("SELECT pg_advisory_lock(424242)")
        .await
        .unwrap();
    let exists = !admin
        .query("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .await
        .unwrap()
        .is_empty();
    if !exists {
        let building = format!("{name}_new");
        for sql in [
            format!("DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)"),
            format!("CREATE DATABASE \"{building}\""),
        ] {
            admin.batch_execute(&sql).await.unwrap();
        }
        drop(
            Db::open(&database_url(&building))
                .await
                .expect("migrations run"),
        );
        for sql in [
            format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{building}'"
            ),
            format!("ALTER DATABASE \"{building}\" RENAME TO \"{name}\""),
        ] {
            admin.batch_execute(&sql).await.unwrap();
        }
    }
    admin
        .batch_execute("SELECT pg_advisory_unlock(424242)")
        .await
        .unwrap();
    name
}

/// A fresh, migrated database.
pub async fn fresh_db(backend: Backend) -> TestDb {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("test.sqlite");
            let db = Db::open_sqlite(&file).await.unwrap();
            TestDb {
                db: Arc::new(db),
                url: None,
                file: Some(file),
                _keep: Keep::Dir(dir),
            }
        }
        Backend::Postgres => {
            let template = template().await;
            let name = random_name("pp_test");
            admin()
                .await
                .unwrap()
                .batch_execute(&format!(
                    "CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""
                ))
                .await
                .unwrap();
            let url = database_url(&name);
            let db = Db::open(&url).await.unwrap();
            TestDb {
                db: Arc::new(db),
                url: Some(url),
                file: None,
                _keep: Keep::Postgres(name),
            }
        }
    }
}

/// An empty database's URL on `backend` (SQLite: a file in a folder kept by the guard).
pub async fn empty_database(backend: Backend) -> (String, Box<dyn std::any::Any + Send>) {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}", dir.path().join("pp.sqlite").display());
            (url, Box::new(dir))
        }
        Backend::Postgres => {
            let name = random_name("pp_test");
            admin()
                .await
                .unwrap()
                .batch_execute(&format!("CREATE DATABASE \"{name}\""))
                .await
                .unwrap();
            (database_url(&name), Box::new(Keep::Postgres(name)))
        }
    }
}

pub struct TestApp {
    pub state: AppState,
    pub router: App,
    pub backend: Backend,
    test_db: Option<TestDb>,
}

pub const SHOP_KEY: &str = "key-of-the-test-shop";
pub const OTHER_KEY: &str = "key-of-another-shop";
pub const SHOP_ORIGIN: &str = "https://shop.example";

impl TestApp {
    pub async fn new(backend: Backend) -> TestApp {
        Self::with_widget(backend, WidgetFiles::default()).await
    }

    pub async fn with_widget(backend: Backend, widget: WidgetFiles) -> TestApp {
        let test_db = fresh_db(backend).await;
        for (slug, key, origin) in [
            ("shop", SHOP_KEY, SHOP_ORIGIN),
            ("other", OTHER_KEY, "https://other.example"),
        ] {
            test_db
                .db
                .create_shop(NewShop {
                    slug: slug.into(),
                    name: "Test Shop".into(),
                    api_key: key.into(),
                    allowed_origins: vec![origin.to_owned()],
                    locale: "en".into(),
                    support_email: Some("help@shop.example".into()),
                    order_status_url: Some("https://shop.example/orders".into()),
                    ..Default::default()
                })
                .await
                .unwrap();
        }
        let mut app = Self::over(backend, test_db.db.clone(), widget);
        app.test_db = Some(test_db);
        app
    }

    /// The app with these limits instead of none.
    pub async fn with_limits(backend: Backend, limits: Limits) -> TestApp {
        let mut test = Self::new(backend).await;
        test.state.edit().limiter = Arc::new(Limiter::new(limits));
        test.router = app(test.state.clone());
        test
    }

    /// The app with webhooks allowed to plain http and this machine, as in development.
    pub async fn with_dev_webhooks(backend: Backend) -> TestApp {
        let mut test = Self::new(backend).await;
        test.state.edit().webhook_targets = Targets { dev: true };
        test.router = app(test.state.clone());
        test
    }

    /// The app over a database someone else set up (the test keeps it).
    pub fn over(backend: Backend, db: Arc<Db>, widget: WidgetFiles) -> TestApp {
        let state = AppState::new(AppShared {
            db,
            clock: Clock::fixed(NOW),
            public_url: "https://pp.example".into(),
            widget: Arc::new(widget),
            webhooks: Arc::new(tokio::sync::Notify::new()),
            webhook_targets: Targets::default(),
            limiter: Arc::new(Limiter::new(unlimited())),
            views: Arc::new(Views::default()),
            origins: Arc::default(),
            console: Default::default(),
        });
        TestApp {
            router: app(state.clone()),
            state,
            backend,
            test_db: None,
        }
    }

    /// For PostgreSQL: this test's database URL, for a second process or connection.
    pub fn database_url(&self) -> Option<&str> {
        self.test_db.as_ref()?.url.as_deref()
    }

    /// For SQLite: this test's database file, for a second connection.
    pub fn database_file(&self) -> Option<&std::path::Path> {
        self.test_db.as_ref()?.file.as_deref()
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

    /// The rows of a query (test SQL, written for both databases).
    pub async fn rows(&self, sql: &str) -> Vec<Row> {
        let sql = sql.to_owned();
        self.state
            .db
            .read(work!(|c, sql| { c.query(&sql, args![]).await }))
            .await
            .unwrap()
    }

    /// The one integer a query returns (NULL as 0).
    pub async fn number(&self, sql: &str) -> i64 {
        let mut rows = self.rows(sql).await;
        assert_eq!(rows.len(), 1, "{sql}");
        rows[0]
            .take_cells()
            .into_iter()
            .next()
            .map(|cell| match cell {
                Cell::Int(i) => i,
                Cell::Null => 0,
                other => panic!("{sql}: not an integer: {other:?}"),
            })
            .unwrap()
    }

    pub async fn count(&self, table: &str) -> i64 {
        self.number(&format!("SELECT count(*) FROM {table}")).await
    }

    /// After rows were inserted with ids of their own: on PostgreSQL, the next id a table
    /// hands out comes after them (SQLite does this by itself).
    pub async fn ids_taken(&self, tables: &[&str]) {
        if self.backend == Backend::Postgres {
            let statements: Vec<String> = tables
                .iter()
                .map(|t| {
                    format!(
                        "SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT max(id) FROM {t}))"
                    )
                })
                .collect();
            let statements: Vec<&str> = statements.iter().map(String::as_str).collect();
            self.execute(&statements).await;
        }
    }

    /// The texts of a query's first column.
    pub async fn texts(&self, sql: &str) -> Vec<String> {
        self.rows(sql)
            .await
            .into_iter()
            .map(|mut row| match row.take_cells().into_iter().next() {
                Some(Cell::Text(t)) => t,
                other => panic!("{sql}: not text: {other:?}"),
            })
            .collect()
    }

    /// The row count of each table.
    pub async fn counts(&self, tables: &[&str]) -> Vec<i64> {
        let mut counts = Vec::new();
        for table in tables {
            counts.push(self.count(table).await);
        }
        counts
    }

    /// The one text a query returns.
    pub async fn text(&self, sql: &str) -> String {
        let mut rows = self.rows(sql).await;
        assert_eq!(rows.len(), 1, "{sql}");
        match rows[0].take_cells().into_iter().next() {
            Some(Cell::Text(t)) => t,
            other => panic!("{sql}: not text: {other:?}"),
        }
    }

    /// Runs statements in one write transaction.
    pub async fn execute(&self, statements: &[&str]) {
        let statements: Vec<String> = statements.iter().map(|s| (*s).to_owned()).collect();
        self.state
            .db
            .write(work!(|c, statements| {
                for sql in &statements {
                    c.execute(sql, args![]).await?;
                }
                Ok::<_, DbError>(())
            }))
            .await
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
    // Nothing to say is said with no body at all.
    if status == StatusCode::NO_CONTENT || status == StatusCode::ACCEPTED {
        assert!(body_bytes(response).await.is_empty(), "a 204 with a body");
        return (status, Value::Null);
    }
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

/// Words in the test photo's metadata, none of which may be stored.
pub const GPS: &[u8] = b"GPS 52.3752 N 4.8840 E";
pub const CAMERA: &[u8] = b"Pixel-9-Pro-camera";

/// A small JPEG as a phone writes it: EXIF (with a GPS block and the camera's name), a
/// comment, then the picture (2 × 1 pixels).
pub fn phone_jpeg() -> Vec<u8> {
    let segment = |marker: u8, body: &[u8]| {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
        s.extend_from_slice(body);
        s
    };
    let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08".to_vec();
    // IFD0: one entry, the make (ASCII), pointing past the IFD; then the texts.
    exif.extend_from_slice(&[0, 1, 0x01, 0x0F, 0, 2]);
    exif.extend_from_slice(&(CAMERA.len() as u32).to_be_bytes());
    exif.extend_from_slice(&26u32.to_be_bytes());
    exif.extend_from_slice(&[0, 0, 0, 0]);
    exif.extend_from_slice(CAMERA);
    exif.extend_from_slice(GPS);
    let mut jpeg = vec![0xFF, 0xD8];
    jpeg.extend(segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
    jpeg.extend(segment(0xE1, &exif));
    jpeg.extend(segment(0xFE, b"Taken at home, Keizersgracht"));
    let mut dqt = vec![0];
    dqt.extend_from_slice(&[1; 64]);
    jpeg.extend(segment(0xDB, &dqt));
    jpeg.extend(segment(0xC0, &[8, 0, 1, 0, 2, 1, 1, 0x11, 0]));
    jpeg.extend(segment(
        0xC4,
        &[0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ));
    jpeg.extend(segment(0xDA, &[1, 1, 0, 0, 0x3F, 0]));
    jpeg.extend_from_slice(&[0x00, 0x00, 0xFF, 0xD9]);
    jpeg
}

/// Who a filled shop's customer is, and what they write: each text is one to look for.
pub struct Shopper {
    pub email: &'static str,
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub street: &'static str,
    pub postcode: &'static str,
    /// The number they give for texts.
    pub phone: &'static str,
    /// Words they write into the widget: a neighbour's name, a review, a return's
    /// comment, the survey.
    pub words: &'static str,
}

/// A customer to fill shops with.
pub const JANE: Shopper = Shopper {
    email: "jane@example.com",
    first_name: "Jane",
    last_name: "Jansen",
    street: "Prinsengracht 1",
    postcode: "1015 DT",
    phone: "+31 6 1111 2222",
    words: "Mrs Visser next door",
};

impl Shopper {
    /// Every personal text of theirs.
    pub fn personal(&self) -> Vec<String> {
        vec![
            self.email.to_owned(),
            self.first_name.to_owned(),
            self.last_name.to_owned(),
            self.street.to_owned(),
            self.postcode.to_owned(),
            self.phone.to_owned(),
            self.words.to_owned(),
        ]
    }
}

/// A JSON request with extra headers.
pub fn json_request(
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: &Value,
) -> Request<Body> {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.body(Body::from(body.to_string())).unwrap()
}

/// Fills shop `slug` (admin key `key`) with one of everything, through the API as its
/// merchant and a shopper would: every module's settings, a slot, a pickup point, stock,
/// a theme and a webhook endpoint; an order by `shopper` (sent with an Idempotency-Key)
/// with a delivered parcel and one on its way left with a neighbour (a keyed request), a
/// review, a return, the survey answered, and a referral code redeemed by a friend.
/// Returns the order's token.
pub async fn fill_shop(
    app: &TestApp,
    slug: &str,
    key: &str,
    number: &str,
    shopper: &Shopper,
) -> String {
    let ok = |what: &str, (status, body): (StatusCode, Value)| {
        assert!(status.is_success(), "{what}: {status} {body}");
        body
    };
    let words = shopper.words;
    let settings: [(&str, Value); 10] = [
        (
            "/api/v1/admin/delivery-settings",
            json!({"time_zone": "Europe/Amsterdam", "cutoff": "04:00",
            "later_days": 2, "safe_places": ["porch"], "neighbour": true,
            "webhook_url": "https://merchant.example/hooks"}),
        ),
        (
            "/api/v1/admin/return-settings",
            json!({"enabled": true, "window_days": 30,
            "reasons": ["Too small"], "store_credit_bonus": 10}),
        ),
        ("/api/v1/admin/review-settings", json!({"enabled": true})),
        (
            "/api/v1/admin/change-settings",
            json!({"cancel": true, "address": true}),
        ),
        (
            "/api/v1/admin/upgrade-settings",
            json!({"offers": [{"kind": "next_day", "price": 495, "currency": "EUR",
            "cut_off": "22:00", "daily_capacity": 50}]}),
        ),
        (
            "/api/v1/admin/survey-settings",
            json!({"enabled": true, "heard_options": ["Instagram"]}),
        ),
        (
            "/api/v1/admin/referral-settings",
            json!({"enabled": true,
            "share_url": "https://shop.example/?ref={code}",
            "friend_reward": {"kind": "amount_off", "value": 1000, "currency": "EUR"},
            "referrer_reward": {"kind": "store_credit", "value": 1000, "currency": "EUR"}}),
        ),
        (
            "/api/v1/admin/inventory",
            json!({"items": [{"sku": "TEE-L", "product": "tee",
            "variant": "L", "stock": 3}]}),
        ),
        (
            "/api/v1/admin/theme",
            json!({"preset": "dark", "variables": {"--pp-accent": "#7fd1ae"}}),
        ),
        (
            "/api/v1/admin/shop",
            json!({"name": format!("Shop {slug}"), "language": "nl",
            "support_email": format!("help@{slug}.example")}),
        ),
    ];
    let bearer = format!("Bearer {key}");
    for (uri, body) in settings {
        let response = app
            .send(json_request(
                "PUT",
                uri,
                &[("authorization", &bearer)],
                &body,
            ))
            .await;
        assert!(
            response.status().is_success(),
            "{uri}: {}",
            response.status()
        );
    }
    // Someone at the shop's desk, signed in to the console.
    let member =
        json!({"email": format!("desk-{number}@{slug}.example"), "name": "Desk", "role": "staff"});
    let added = ok(
        "staff",
        app.admin_post("/api/v1/admin/staff", key, &member.to_string())
            .await,
    );
    let link_token = added["link"].as_str().unwrap().rsplit_once('=').unwrap().1;
    let password = json!({"token": link_token, "password": "the desk's password"});
    let set = app
        .send(json_request(
            "POST",
            "/api/v1/console/password",
            &[],
            &password,
        ))
        .await;
    assert_eq!(set.status(), StatusCode::NO_CONTENT);
    let sign_in =
        json!({"shop": slug, "email": member["email"], "password": "the desk's password"});
    ok(
        "sign-in",
        json_of(
            app.send(json_request(
                "POST",
                "/api/v1/console/session",
                &[],
                &sign_in,
            ))
            .await,
        )
        .await,
    );
    ok(
        "slot",
        app.admin_post(
            "/api/v1/admin/delivery-slots",
            key,
            &json!({"date": "2026-11-26", "from": "10:00", "to": "12:00", "capacity": 5})
                .to_string(),
        )
        .await,
    );
    ok(
        "point",
        app.admin_post(
            "/api/v1/admin/pickup-points",
            key,
            &json!({"name": "Locker", "address": "Station 1", "locker": true}).to_string(),
        )
        .await,
    );

    let mut order = sample_order(number, shopper.email);
    order["customer"] = json!({"email": shopper.email, "first_name": shopper.first_name,
                               "last_name": shopper.last_name});
    order["delivery_address"] = json!({"name": format!("{} {}", shopper.first_name, shopper.last_name),
        "street": shopper.street, "postcode": shopper.postcode, "city": "Amsterdam", "country": "NL",
        "latitude": 52.37, "longitude": 4.89});
    order["items"][0]["sized"] = json!(true);
    order["items"][0]["product"] = json!("tee");
    let created = json_of(
        app.send(json_request(
            "POST",
            "/api/v1/admin/orders",
            &[
                ("authorization", &bearer),
                ("idempotency-key", &format!("order-{number}")),
            ],
            &order,
        ))
        .await,
    )
    .await;
    let token = ok("order", created)["access"]["token"]
        .as_str()
        .unwrap()
        .to_owned();

    // Before anything ships, the shopper asks to fix the address (a parcel overtakes it).
    let fix = json!({"kind": "address", "address": {
        "name": format!("{} {}", shopper.first_name, shopper.last_name),
        "street": "Prinsengracht", "house_number": "1", "postcode": shopper.postcode,
        "city": "Amsterdam"}});
    let asked = app
        .send(json_request(
            "POST",
            &format!("/api/v1/shops/{slug}/orders/{token}/changes"),
            &[("idempotency-key", "change-1")],
            &fix,
        ))
        .await;
    ok("change", json_of(asked).await);
    // And for delivery tomorrow (still waiting for the shop when the parcels come).
    let asked = app
        .send(json_request(
            "POST",
            &format!("/api/v1/shops/{slug}/orders/{token}/upgrade"),
            &[("idempotency-key", "upgrade-1")],
            &json!({"kind": "next_day"}),
        ))
        .await;
    ok("upgrade", json_of(asked).await);

    let parcel = |tracking: &str, sku: &str, quantity: u32| json!({"carrier": "dhl", "tracking_number": tracking, "items": [{"sku": sku, "quantity": quantity}]});
    let shipments = format!("/api/v1/admin/orders/{number}/shipments");
    ok(
        "parcel 1",
        app.admin_post(
            &shipments,
            key,
            &parcel(&format!("{number}A"), "TEE-M", 2).to_string(),
        )
        .await,
    );
    let second = ok(
        "parcel 2",
        app.admin_post(
            &shipments,
            key,
            &parcel(&format!("{number}B"), "CAP", 1).to_string(),
        )
        .await,
    );
    let delivered = json!({"event_id": "d1", "occurred_at": "2026-11-23T09:00:00Z", "code": "delivered",
        "text": format!("Signed for by {}", shopper.last_name), "location": "Amsterdam"});
    ok(
        "delivered",
        app.admin_post(
            &format!("/api/v1/admin/shipments/dhl/{number}A/events"),
            key,
            &delivered.to_string(),
        )
        .await,
    );

    let shopper_api = format!("/api/v1/shops/{slug}/orders/{token}");
    let choice = json!({"choice": {"kind": "neighbour", "neighbour": {"name": words, "house_number": "12"}}});
    let chosen = app
        .send(json_request(
            "POST",
            &format!("{shopper_api}/shipments/{}/choice", second["id"]),
            &[("if-match", "*"), ("idempotency-key", "choice-1")],
            &choice,
        ))
        .await;
    ok("choice", json_of(chosen).await);
    let (_, view) = app.get(&shopper_api).await;
    let tee = view["items"][0]["id"].clone();
    let photo = app
        .send(
            Request::post(format!("{shopper_api}/photos"))
                .header(header::CONTENT_TYPE, "image/jpeg")
                .body(Body::from(phone_jpeg()))
                .unwrap(),
        )
        .await;
    let (status, photo) = json_of(photo).await;
    ok("photo", (status, photo.clone()));
    let review = json!({"line_id": tee, "stars": 4, "title": words, "body": words,
                        "fit": "true_to_size", "photos": [photo["id"]]});
    ok(
        "review",
        json_of(
            app.send(json_request(
                "POST",
                &format!("{shopper_api}/reviews"),
                &[],
                &review,
            ))
            .await,
        )
        .await,
    );
    let ret = json!({"items": [{"line_id": tee, "quantity": 1, "reason": "Too small", "comment": words}],
                     "resolution": "store_credit", "method": "drop_off"});
    ok(
        "return",
        json_of(
            app.send(json_request(
                "POST",
                &format!("{shopper_api}/returns"),
                &[("idempotency-key", "return-1")],
                &ret,
            ))
            .await,
        )
        .await,
    );
    for (path, body) in [
        ("survey/nps", json!({"score": 9, "comment": words})),
        ("survey/heard", json!({"option": "other", "other": words})),
        (
            "preferences",
            json!({"email": true, "sms": true, "phone": shopper.phone}),
        ),
    ] {
        ok(
            path,
            json_of(
                app.send(json_request(
                    "POST",
                    &format!("{shopper_api}/{path}"),
                    &[],
                    &body,
                ))
                .await,
            )
            .await,
        );
    }
    let (_, referral) = app.get(&format!("{shopper_api}/referral")).await;
    let code = referral["code"]
        .as_str()
        .expect("a referral code")
        .to_owned();
    ok(
        "redemption",
        app.admin_post(
            "/api/v1/admin/referrals/redemptions",
            key,
            &json!({"code": code, "email": format!("friend.of.{number}@example.com")}).to_string(),
        )
        .await,
    );
    // A visit counted, and a tracking feed's secret.
    let visit = app
        .send(json_request(
            "POST",
            &format!("{shopper_api}/events"),
            &[],
            &json!({"event": "opened"}),
        ))
        .await;
    assert_eq!(visit.status(), StatusCode::NO_CONTENT);
    ok(
        "feed secret",
        app.admin_put(
            "/api/v1/admin/feeds/sendcloud",
            key,
            &json!({"secret": format!("feed-secret-of-{slug}")}).to_string(),
        )
        .await,
    );
    // What the shop's own loyalty system says of the order.
    ok(
        "order loyalty",
        app.admin_put(
            &format!("/api/v1/admin/orders/{number}/loyalty"),
            key,
            &json!({"earned": 120, "balance": 640}).to_string(),
        )
        .await,
    );
    // Care words, a re-order suggestion and a recommendation for the tees, and a
    // reminder kept for the delivered ones.
    let product = json!({"care": "Wash cold, inside out.", "reorder_days": 90, "pairs": [
        {"name": "Wool cap", "price": 1999, "currency": "EUR", "url": "https://shop.example/p/cap"}]});
    ok(
        "product",
        app.admin_put("/api/v1/admin/products/TEE-M", key, &product.to_string())
            .await,
    );
    ok(
        "reminder",
        json_of(
            app.send(json_request(
                "POST",
                &format!("{shopper_api}/care/reminders"),
                &[("idempotency-key", "reminder-1")],
                &json!({"item": tee}),
            ))
            .await,
        )
        .await,
    );
    token
}

/// Fills shop `slug` (admin key `key`) with what a shop platform brings: its secret, and
/// a Shopify order `P{number}` of `shopper` with a parcel, delivered with a webhook id.
#[allow(dead_code)]
pub async fn fill_platform(app: &TestApp, slug: &str, key: &str, number: &str, shopper: &Shopper) {
    use postpurchase_server::domain::platforms::{sign, Platform};
    let secret = format!("shopify-secret-of-{slug}");
    let (status, body) = app
        .admin_put(
            "/api/v1/admin/feeds/shopify",
            key,
            &json!({ "secret": secret }).to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let order = json!({
        "id": format!("9{number}"), "name": format!("#P{number}"), "currency": "EUR",
        "email": shopper.email, "created_at": "2026-11-23T09:00:00Z",
        "customer": {"first_name": shopper.first_name, "last_name": shopper.last_name},
        "line_items": [{"id": 1, "sku": "TEE-M", "title": "Tee", "quantity": 1, "price": "20.00"}],
        "shipping_address": {"name": format!("{} {}", shopper.first_name, shopper.last_name),
                             "address1": shopper.street, "zip": shopper.postcode,
                             "city": "Amsterdam", "country_code": "NL"},
        "fulfillments": [{"status": "success", "tracking_company": "PostNL",
                          "tracking_numbers": [format!("3SP{number}")],
                          "line_items": [{"sku": "TEE-M", "quantity": 1}]}]
    });
    let bytes = order.to_string().into_bytes();
    let request = Request::post(format!("/api/v1/platforms/{slug}/shopify"))
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-shopify-topic", "orders/create")
        .header("x-shopify-webhook-id", format!("webhook-{slug}-{number}"))
        .header(
            "x-shopify-hmac-sha256",
            sign(Platform::Shopify, &secret, &bytes),
        )
        .body(Body::from(bytes))
        .unwrap();
    let (status, body) = json_of(app.send(request).await).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// SQLite's plan for `sql` with its `parameters` `?`s all NULL (a plan does not depend on
/// them): one line a step, `SEARCH … USING INDEX …` or `SCAN …`.
#[allow(dead_code)]
pub async fn sqlite_plan(app: &TestApp, sql: &str, parameters: usize) -> String {
    use postpurchase_server::db::Value as Param;
    let explain = format!("EXPLAIN QUERY PLAN {sql}");
    app.state
        .db
        .read(work!(|c, explain| {
            c.query(&explain, &vec![Param::Null; parameters])
                .await?
                .into_iter()
                .map(|mut r| r.get::<String>("detail"))
                .collect::<Result<Vec<_>, DbError>>()
        }))
        .await
        .unwrap()
        .join("\n")
}
