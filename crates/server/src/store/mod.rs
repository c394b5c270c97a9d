//! Feature storage: each feature's SQL, and the transactions its handlers need as methods
//! of [`Db`](crate::db::Db) (one method per transaction). Rules a change must obey are
//! checked inside the write transaction that makes it, so what was checked is what gets
//! written, on one server process or many.
//!
//! Dependencies point one way: handlers → this module → [`crate::db`], with the pure
//! rules of [`crate::domain`] on the side. Nothing here knows HTTP routes or handlers.

pub mod analytics;
pub mod care;
pub mod changes;
pub mod choices;
pub mod delays;
pub mod feeds;
pub mod idempotency;
pub mod lookup;
pub mod loyalty;
pub mod orders;
pub mod parcels;
pub mod photos;
pub mod platforms;
pub mod privacy;
pub mod referral;
pub mod returns;
pub mod reviews;
pub mod settings;
pub mod shops;
pub mod staff;
pub mod survey;
pub mod tracking;
pub mod upgrades;
pub mod webhooks;
pub mod words;

pub use orders::OrderRef;
pub use shops::{NewOwner, NewShop, Shop};

/// An instant in Unix seconds as RFC 3339, UTC.
pub fn instant(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(crate::domain::format_instant)
        .unwrap_or_default()
}

/// The UTC date (`YYYY-MM-DD`) of an instant in Unix seconds.
pub fn date_of(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| t.date().to_string())
        .unwrap_or_default()
}

/// An enum's snake_case wire name.
pub fn wire_name<T: serde::Serialize>(value: T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// An enum from its wire name.
pub fn from_wire<T: serde::de::DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(name.to_owned())).ok()
}

/// A list kept one entry per line.
fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::to_owned)
        .filter(|l| !l.is_empty())
        .collect()
}

/// A JSON column's text.
fn json<T: serde::Serialize>(value: &T) -> Result<String, crate::db::DbError> {
    serde_json::to_string(value)
        .map_err(|e| crate::db::DbError::other(format!("cannot store as JSON: {e}")))
}
