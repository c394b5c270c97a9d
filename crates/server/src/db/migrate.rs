//! Embedded migrations, one folder per database, numbered alike: each name below must
//! exist in both `migrations/sqlite` and `migrations/postgres` or the build fails, and a
//! test keeps the two schemas' tables and columns equal.

use super::postgres::from_postgres;
use super::sqlite::from_sqlite;
use super::DbError;

macro_rules! migrations {
    ($($name:literal),+ $(,)?) => {
        /// SQLite's migrations, by name, in order.
        pub const SQLITE: &[(&str, &str)] = &[
            $(($name, include_str!(concat!("../../migrations/sqlite/", $name, ".sql")))),+
        ];
        /// PostgreSQL's migrations, by the same names.
        pub const POSTGRES: &[(&str, &str)] = &[
            $(($name, include_str!(concat!("../../migrations/postgres/", $name, ".sql")))),+
        ];
    };
}

migrations!(
    "0001_shops_orders",
    "0002_idempotency_keys",
    "0003_tracking_events",
    "0004_delivery_choices",
    "0005_referrals",
    "0006_surveys",
    "0007_reviews",
    "0008_returns",
    "0009_exchanges",
    "0010_themes",
    "0011_operations",
);

/// Brings a SQLite database up to date; `PRAGMA user_version` counts the migrations run.
/// Each runs in an immediate transaction that looks again, so two processes opening one
/// file at once apply it once.
pub fn sqlite(conn: &mut rusqlite::Connection) -> Result<(), DbError> {
    for (index, (name, sql)) in SQLITE.iter().enumerate() {
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(from_sqlite)?;
        let applied: usize = tx
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(from_sqlite)?;
        if applied <= index {
            tx.execute_batch(sql)
                .map_err(|e| DbError::other(format!("migration {name}: {e}")))?;
            tx.pragma_update(None, "user_version", index + 1)
                .map_err(from_sqlite)?;
        }
        tx.commit().map_err(from_sqlite)?;
    }
    Ok(())
}

/// Brings a PostgreSQL database up to date; `schema_migrations` lists what ran. One
/// transaction under an advisory lock, so processes starting at once apply each
/// migration once: the first does the work, the others find it done.
pub async fn postgres(client: &mut deadpool_postgres::Client) -> Result<(), DbError> {
    let tx = client.transaction().await.map_err(from_postgres)?;
    // Any fixed number: the lock is this schema's alone.
    tx.batch_execute(
        "SELECT pg_advisory_xact_lock(7003120011);
         CREATE TABLE IF NOT EXISTS schema_migrations (
             version    BIGINT PRIMARY KEY,
             name       TEXT   NOT NULL,
             applied_at BIGINT NOT NULL
         );",
    )
    .await
    .map_err(from_postgres)?;
    let applied: Vec<i64> = tx
        .query("SELECT version FROM schema_migrations", &[])
        .await
        .map_err(from_postgres)?
        .iter()
        .map(|row| row.get(0))
        .collect();
    for (index, (name, sql)) in POSTGRES.iter().enumerate() {
        let version = index as i64 + 1;
        if applied.contains(&version) {
            continue;
        }
        tx.batch_execute(sql)
            .await
            .map_err(|e| DbError::other(format!("migration {name}: {}", from_postgres(e))))?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at)
             VALUES ($1, $2, extract(epoch FROM now())::bigint)",
            &[&version, name],
        )
        .await
        .map_err(from_postgres)?;
    }
    tx.commit().await.map_err(from_postgres)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_migration_file_is_embedded_in_both_folders() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        for (folder, embedded) in [("sqlite", SQLITE), ("postgres", POSTGRES)] {
            let mut files: Vec<String> = std::fs::read_dir(dir.join(folder))
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            files.sort();
            let names: Vec<String> = embedded.iter().map(|(n, _)| format!("{n}.sql")).collect();
            assert_eq!(files, names, "{folder}");
        }
    }
}
