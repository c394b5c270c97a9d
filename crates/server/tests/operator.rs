//! The operator's commands, run as the real binary against a real database: setting up a
//! shop, listing shops, rotating a key, setting origins, deleting a shop with everything
//! it holds. The same commands on SQLite and on PostgreSQL.

mod common;

use std::process::Command;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::*;
use postpurchase_server::db::Db;
use postpurchase_server::web::WidgetFiles;
use serde_json::Value;

/// Runs `postpurchase-server shops …` on the database at `url`: (succeeded, stdout, stderr).
fn shops(url: &str, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_postpurchase-server"))
        .arg("shops")
        .args(args)
        .env("PP_DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Sets up a shop with `--json`; returns its API key.
fn create(url: &str, slug: &str, origins: &[&str]) -> String {
    let mut args = vec![
        "create",
        "--slug",
        slug,
        "--name",
        "Koffie & Klei",
        "--owner",
        "owner@koffie.example",
        "--json",
    ];
    for origin in origins {
        args.extend(["--origin", origin]);
    }
    let (ok, out, err) = shops(url, &args);
    assert!(ok, "{err}");
    let answer: Value = serde_json::from_str(&out).unwrap();
    answer["api_key"].as_str().unwrap().to_owned()
}

async fn app_on(backend: Backend, url: &str) -> TestApp {
    let db = Db::open(url).await.unwrap();
    TestApp::over(backend, Arc::new(db), WidgetFiles::default())
}

fn preflight(origin: &str) -> Request<Body> {
    Request::builder()
        .method(Method::OPTIONS)
        .uri("/api/v1/shops/koffie/orders/AAAAAAAAAAAAAAAAAAAAAAAA")
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
        .body(Body::empty())
        .unwrap()
}

async fn allowed(app: &TestApp, origin: &str) -> bool {
    app.send(preflight(origin))
        .await
        .headers()
        .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        .is_some_and(|o| o == origin)
}

async fn a_shop_is_set_up_with_one_command(backend: Backend) {
    let (url, _keep) = empty_database(backend).await;
    let (ok, out, err) = shops(
        &url,
        &[
            "create",
            "--slug",
            "koffie",
            "--name",
            "Koffie & Klei",
            "--owner",
            "Noor@Koffie.example",
            "--origin",
            "https://Koffie.example",
            "--email",
            "help@koffie.example",
            "--order-page",
            "https://koffie.example/account/orders",
            "--language",
            "nl",
        ],
    );
    assert!(ok, "{err}");
    assert!(
        out.contains("Shop `koffie` (Koffie & Klei) is set up."),
        "{out}"
    );
    assert!(out.contains("shown this once"), "{out}");
    assert!(
        out.contains("Allowed origins: https://koffie.example"),
        "{out}"
    );
    let key = out
        .split_whitespace()
        .find(|w| w.starts_with("ppk_"))
        .expect("the key is printed")
        .to_owned();
    assert_eq!(key.len(), 4 + 24);

    let app = app_on(backend, &url).await;
    let (status, profile) = app.get_admin_with("/api/v1/admin/shop", &key).await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    assert_eq!(profile["slug"], "koffie");
    assert_eq!(profile["name"], "Koffie & Klei");
    assert_eq!(profile["support_email"], "help@koffie.example");
    assert_eq!(profile["language"], "nl");
    // The owner sets a password with the printed one-time link and signs in.
    let owner_link = |out: &str| {
        out.split_whitespace()
            .find(|w| w.starts_with("http://127.0.0.1:8080/admin/#password="))
            .unwrap_or_else(|| panic!("a link in {out}"))
            .rsplit_once('=')
            .unwrap()
            .1
            .to_owned()
    };
    assert!(out.contains("The owner (noor@koffie.example)"), "{out}");
    let sign_in = |password: &str| {
        json_request(
            "POST",
            "/api/v1/console/session",
            &[],
            &serde_json::json!({"shop": "koffie", "email": "noor@koffie.example", "password": password}),
        )
    };
    let set_and_sign_in = |token: String, password: &'static str| {
        let set = json_request(
            "POST",
            "/api/v1/console/password",
            &[],
            &serde_json::json!({"token": token, "password": password}),
        );
        let app = &app;
        async move {
            assert_eq!(app.send(set).await.status(), StatusCode::NO_CONTENT);
            let (status, session) = json_of(app.send(sign_in(password)).await).await;
            assert_eq!(status, StatusCode::OK, "{session}");
            assert_eq!(session["staff"]["role"], "owner");
        }
    };
    set_and_sign_in(owner_link(&out), "first password").await;
    // The operator's reset prints a new link; the first password then stops working.
    let (ok, reset, err) = shops(&url, &["password-link", "koffie", "NOOR@koffie.example"]);
    assert!(ok, "{err}");
    set_and_sign_in(owner_link(&reset), "second password").await;
    assert_eq!(
        app.send(sign_in("first password")).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let (ok, _, err) = shops(&url, &["password-link", "koffie", "nobody@koffie.example"]);
    assert!(
        !ok && err.contains("No one with that e-mail works for the shop `koffie`"),
        "{err}"
    );
    // The key is kept only as its hash.
    for table in ["shops"] {
        for mut row in app.rows(&format!("SELECT * FROM {table}")).await {
            for cell in row.take_cells() {
                if let Cell::Text(text) = cell {
                    assert!(!text.contains(&key[4..]), "{table} holds the key");
                }
            }
        }
    }

    create(&url, "thee", &[]);
    let (ok, out, _) = shops(&url, &["list", "--json"]);
    assert!(ok);
    let list: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(list[0]["slug"], "koffie");
    assert_eq!(list[0]["allowed_origins"][0], "https://koffie.example");
    assert_eq!(list[0]["orders"], 0);
    assert_eq!(list[1]["slug"], "thee");
    let (ok, out, _) = shops(&url, &["list"]);
    assert!(
        ok && out.contains("koffie\tKoffie & Klei\t0 orders\t"),
        "{out}"
    );
}

async fn bad_input_is_named_and_sets_up_nothing(backend: Backend) {
    let (url, _keep) = empty_database(backend).await;
    create(&url, "koffie", &[]);
    let (ok, _, err) = shops(
        &url,
        &[
            "create",
            "--slug",
            "Koffie!",
            "--name",
            " ",
            "--owner",
            "noor",
            "--origin",
            "https://koffie.example/shop",
            "--language",
            "fr",
            "--order-page",
            "http://koffie.example",
        ],
    );
    assert!(!ok);
    for named in [
        "--slug",
        "--name",
        "--owner",
        "--order-page",
        "--language",
        "https://koffie.example/shop",
    ] {
        assert!(err.contains(named), "{named} not named: {err}");
    }
    let (ok, _, err) = shops(
        &url,
        &[
            "create",
            "--slug",
            "koffie",
            "--name",
            "Again",
            "--owner",
            "a@b.example",
        ],
    );
    assert!(
        !ok && err.contains("There is already a shop `koffie`"),
        "{err}"
    );
    let (ok, _, err) = shops(&url, &["rotate-key", "nobody"]);
    assert!(!ok && err.contains("there is no shop `nobody`"), "{err}");
    let (_, out, _) = shops(&url, &["list", "--json"]);
    assert_eq!(
        serde_json::from_str::<Value>(&out)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

async fn a_rotated_key_replaces_the_old_one_at_once(backend: Backend) {
    let (url, _keep) = empty_database(backend).await;
    let old = create(&url, "koffie", &[]);
    let app = app_on(backend, &url).await;
    assert_eq!(
        app.get_admin_with("/api/v1/admin/shop", &old).await.0,
        StatusCode::OK
    );
    let (ok, out, err) = shops(&url, &["rotate-key", "koffie", "--json"]);
    assert!(ok, "{err}");
    let new = serde_json::from_str::<Value>(&out).unwrap()["api_key"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(new, old);
    // The running server follows at once: keys are looked up on every request.
    assert_eq!(
        app.get_admin_with("/api/v1/admin/shop", &old).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get_admin_with("/api/v1/admin/shop", &new).await.0,
        StatusCode::OK
    );
}

async fn cors_follows_the_origins_the_operator_sets(backend: Backend) {
    let (url, _keep) = empty_database(backend).await;
    create(&url, "koffie", &["https://koffie.example"]);
    let app = app_on(backend, &url).await;
    assert!(allowed(&app, "https://koffie.example").await);
    assert!(!allowed(&app, "https://www.koffie.example").await);

    let (ok, out, err) = shops(
        &url,
        &[
            "origins",
            "koffie",
            "https://www.koffie.example",
            "http://localhost:3000",
        ],
    );
    assert!(ok, "{err}");
    assert!(
        out.contains("https://www.koffie.example, http://localhost:3000"),
        "{out}"
    );
    // A running server reads the origins again once its copy is a second old.
    origins_read_again().await;
    assert!(!allowed(&app, "https://koffie.example").await);
    assert!(allowed(&app, "https://www.koffie.example").await);
    assert!(allowed(&app, "http://localhost:3000").await);

    let (ok, _, err) = shops(&url, &["origins", "koffie"]);
    assert!(!ok && err.contains("--none"), "{err}");
    let (ok, _, err) = shops(&url, &["origins", "koffie", "http://koffie.example"]);
    assert!(!ok && err.contains("is not an origin"), "{err}");
    assert!(
        allowed(&app, "https://www.koffie.example").await,
        "a refusal changes nothing"
    );
    let (ok, _, _) = shops(&url, &["origins", "koffie", "--none"]);
    assert!(ok);
    origins_read_again().await;
    assert!(!allowed(&app, "https://www.koffie.example").await);
}

/// Until the server's copy of the shops' origins is older than it keeps them.
async fn origins_read_again() {
    let kept = postpurchase_server::shopper::ORIGINS_KEPT;
    tokio::time::sleep(kept + std::time::Duration::from_millis(50)).await;
}

/// Row counts of every table of the schema.
async fn all_counts(app: &TestApp) -> Vec<(String, i64)> {
    let mut counts = Vec::new();
    for table in postpurchase_server::store::shops::tables_with_shop_data() {
        counts.push((table.to_owned(), app.count(table).await));
    }
    counts
}

async fn deleting_a_shop_leaves_nothing_of_it_and_touches_no_other(backend: Backend) {
    let (url, _keep) = empty_database(backend).await;
    let other_key = create(&url, "other", &[]);
    let app = app_on(backend, &url).await;
    let other_token = fill_shop(&app, "other", &other_key, "2001", &JANE).await;
    fill_platform(&app, "other", &other_key, "2001", &JANE).await;
    let before = all_counts(&app).await;

    let key = create(&url, "koffie", &["https://koffie.example"]);
    fill_shop(&app, "koffie", &key, "1001", &JANE).await;
    fill_platform(&app, "koffie", &key, "1001", &JANE).await;
    let filled = all_counts(&app).await;
    for ((table, was), (_, now)) in before.iter().zip(&filled) {
        assert!(now > was, "{table} not filled");
    }

    let (ok, _, err) = shops(&url, &["delete", "koffie"]);
    assert!(!ok && err.contains("--yes"), "{err}");
    assert_eq!(all_counts(&app).await, filled, "nothing without --yes");

    let (ok, out, err) = shops(&url, &["delete", "koffie", "--yes"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("Deleted `koffie` and all it held: 2 orders, 1 customer, "),
        "{out}"
    );
    assert_eq!(all_counts(&app).await, before);
    assert_eq!(
        app.get_admin_with("/api/v1/admin/shop", &key).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, view) = app
        .get(&format!("/api/v1/shops/other/orders/{other_token}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["shipments"].as_array().unwrap().len(), 2);
}

/// A table added to the schema must be added to what deleting a shop empties.
async fn deleting_a_shop_knows_every_table(backend: Backend) {
    let app = TestApp::new(backend).await;
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
        Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables
             WHERE table_schema = 'public' AND table_name <> 'schema_migrations'"
        }
    };
    let mut tables = app.texts(sql).await;
    tables.sort();
    let mut covered: Vec<String> = postpurchase_server::store::shops::tables_with_shop_data()
        .map(str::to_owned)
        .collect();
    covered.sort();
    assert_eq!(tables, covered);
}

storage_tests!(
    a_shop_is_set_up_with_one_command,
    bad_input_is_named_and_sets_up_nothing,
    a_rotated_key_replaces_the_old_one_at_once,
    cors_follows_the_origins_the_operator_sets,
    deleting_a_shop_leaves_nothing_of_it_and_touches_no_other,
    deleting_a_shop_knows_every_table,
);
