//! The bare baseline `bench/compare.sh` measures order views against: axum and rusqlite,
//! one connection per worker thread, `GET /api/v1/shops/{shop}/orders/{token}` answering a
//! JSON document stored in one table, with its ETag. Nothing else: no limits, no checks,
//! no logs. What the machine can do for this work.
//!
//!   postpurchase-baseline load DATABASE < LINES   (shop, token, ETag, body; tab-separated)
//!   postpurchase-baseline serve DATABASE ADDRESS

use std::cell::RefCell;
use std::io::BufRead;
use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use rusqlite::{Connection, OptionalExtension};

static DATABASE: OnceLock<String> = OnceLock::new();

thread_local! {
    static CONNECTION: RefCell<Option<Connection>> = const { RefCell::new(None) };
}

/// The stored document and its ETag, read on this thread's own connection.
fn document(shop: &str, token: &str) -> rusqlite::Result<Option<(String, Vec<u8>)>> {
    CONNECTION.with_borrow_mut(|connection| {
        let connection = match connection {
            Some(c) => c,
            None => connection.insert(Connection::open(DATABASE.get().expect("a database"))?),
        };
        connection
            .prepare_cached("SELECT etag, body FROM documents WHERE shop = ?1 AND token = ?2")?
            .query_row([shop, token], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()
    })
}

async fn view(Path((shop, token)): Path<(String, String)>) -> Response {
    match document(&shop, &token) {
        Ok(Some((etag, body))) => (
            [
                (header::CONTENT_TYPE, "application/json".to_owned()),
                (header::ETAG, etag),
            ],
            body,
        )
            .into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

fn load(database: &str) -> rusqlite::Result<usize> {
    let mut connection = Connection::open(database)?;
    connection.execute_batch(
        "PRAGMA journal_mode = WAL;
         CREATE TABLE IF NOT EXISTS documents (
             shop TEXT NOT NULL, token TEXT NOT NULL, etag TEXT NOT NULL, body BLOB NOT NULL,
             PRIMARY KEY (shop, token))",
    )?;
    let tx = connection.transaction()?;
    let mut loaded = 0;
    for line in std::io::stdin().lock().lines() {
        let line = line.map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))?;
        let fields: Vec<&str> = line.splitn(4, '\t').collect();
        if let [shop, token, etag, body] = fields[..] {
            tx.execute(
                "INSERT OR REPLACE INTO documents VALUES (?1, ?2, ?3, ?4)",
                (shop, token, etag, body.as_bytes()),
            )?;
            loaded += 1;
        }
    }
    tx.commit()?;
    Ok(loaded)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[1..] {
        ["load", database] => match load(database) {
            Ok(n) => println!("{n} documents"),
            Err(e) => {
                eprintln!("cannot load: {e}");
                std::process::exit(1);
            }
        },
        ["serve", database, address] => {
            DATABASE.set(database.to_owned()).expect("set once");
            let app = Router::new().route("/api/v1/shops/{shop}/orders/{token}", get(view));
            let listener = tokio::net::TcpListener::bind(address).await.expect("bind");
            axum::serve(listener, app).await.expect("serve");
        }
        _ => {
            eprintln!(
                "usage: postpurchase-baseline load DATABASE < LINES | serve DATABASE ADDRESS"
            );
            std::process::exit(2);
        }
    }
}
