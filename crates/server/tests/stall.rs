//! A write lock held from outside the server for 3 seconds while writes wait for it: reads
//! and `/healthz` keep answering at once, and the writes go through once it is released.
//! Before storage moved off the async workers, two waiting writes held both of them and
//! nothing else ran (measured: `/healthz` took 4.7 s).

mod common;

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;

/// How long the lock is held.
const HELD: Duration = Duration::from_secs(3);
/// What "at once" means here: far below the lock's 3 s, far above a slow machine's noise.
const AT_ONCE: Duration = Duration::from_millis(500);

async fn lock_held_from_outside(app: &TestApp) -> tokio::task::JoinHandle<()> {
    let (locked_tx, locked) = tokio::sync::oneshot::channel();
    let holder = match app.backend {
        Backend::Sqlite => {
            let file = app.database_file().unwrap().to_owned();
            tokio::task::spawn_blocking(move || {
                let conn = rusqlite::Connection::open(file).unwrap();
                conn.execute_batch("BEGIN IMMEDIATE").unwrap();
                locked_tx.send(()).unwrap();
                std::thread::sleep(HELD);
                conn.execute_batch("COMMIT").unwrap();
            })
        }
        Backend::Postgres => {
            let url = app.database_url().unwrap().to_owned();
            tokio::spawn(async move {
                let (mut client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                    .await
                    .unwrap();
                tokio::spawn(connection);
                let tx = client.transaction().await.unwrap();
                // New orders reference the shop, so they wait for this lock.
                tx.execute("SELECT id FROM shops WHERE slug = 'shop' FOR UPDATE", &[])
                    .await
                    .unwrap();
                locked_tx.send(()).unwrap();
                tokio::time::sleep(HELD).await;
                tx.commit().await.unwrap();
            })
        }
    };
    locked.await.unwrap();
    holder
}

async fn reads_answer_at_once_while_writes_wait_for_a_lock(backend: Backend) {
    let app = std::sync::Arc::new(TestApp::new(backend).await);
    let token = app
        .create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    let holder = lock_held_from_outside(&app).await;
    let started = Instant::now();

    // Two writes that need the lock, on the runtime's two workers.
    let writes: Vec<_> = ["1002", "1003"]
        .into_iter()
        .map(|number| {
            let app = app.clone();
            tokio::spawn(async move {
                let order = sample_order(number, "ada@example.com").to_string();
                let (status, body) = app
                    .admin_post("/api/v1/admin/orders", SHOP_KEY, &order)
                    .await;
                (status, body, Instant::now())
            })
        })
        .collect();
    // This thread is not one of the runtime's workers: its pauses hold none of them, and
    // the timer (which the workers drive) is not needed.
    std::thread::sleep(Duration::from_millis(300));

    // Meanwhile shoppers read and the load balancer checks health, each in a task of its
    // own that needs a worker.
    let mut slowest = Duration::ZERO;
    for _ in 0..5 {
        for uri in [
            "/healthz".to_owned(),
            format!("/api/v1/shops/shop/orders/{token}"),
        ] {
            let app = app.clone();
            let asked = Instant::now();
            let status = tokio::spawn(async move {
                app.send(Request::get(&uri).body(Body::empty()).unwrap())
                    .await
                    .status()
            })
            .await
            .unwrap();
            assert_eq!(status, StatusCode::OK);
            slowest = slowest.max(asked.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        slowest < AT_ONCE,
        "a read took {slowest:?} while writes waited"
    );

    for write in writes {
        let (status, body, done) = write.await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert!(
            done - started >= HELD - Duration::from_millis(100),
            "it waited for the lock"
        );
    }
    holder.await.unwrap();
    assert_eq!(app.count("orders").await, 3);
}

storage_tests!(reads_answer_at_once_while_writes_wait_for_a_lock);

storage_tests!(work_that_panics_leaves_nothing_behind);

/// A transaction whose work panics (a bug) changes nothing, and the connection it ran on
/// does not go back to the pool still inside it (where the next transaction on it would
/// commit the half-done work): every later write on every connection sees it undone.
async fn work_that_panics_leaves_nothing_behind(backend: Backend) {
    use postpurchase_server::db::DbError;
    use postpurchase_server::{args, work};
    let app = TestApp::new(backend).await;
    let name = |app: &TestApp| {
        let db = app.state.db.clone();
        async move {
            db.read(work!(|c| {
                c.query_one("SELECT name FROM shops WHERE slug = 'shop'", args![])
                    .await?
                    .get::<String>("name")
            }))
            .await
            .unwrap()
        }
    };
    let before = name(&app).await;
    let failed = app
        .state
        .db
        .write(work!(|c| {
            c.execute(
                "UPDATE shops SET name = 'Half done' WHERE slug = 'shop'",
                args![],
            )
            .await?;
            if c.backend() == c.backend() {
                panic!("a bug in the middle of a write");
            }
            Ok::<_, DbError>(())
        }))
        .await;
    assert!(failed.is_err());
    // More writes than the pool has connections, one after the other.
    for n in 0..20 {
        app.state
            .db
            .write(work!(|c| {
                c.execute(
                    "UPDATE shops SET support_phone = ?1 WHERE slug = 'other'",
                    args![n.to_string()],
                )
                .await
            }))
            .await
            .unwrap();
        assert_eq!(name(&app).await, before, "after write {n}");
    }
}
