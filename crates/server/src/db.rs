//! SQLite storage: one writer connection and a small pool of readers over a WAL database,
//! so order views never wait behind a write. Migrations are embedded and run at open.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{Connection, OpenFlags, Transaction};

/// Embedded migrations, applied in order; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_shops_orders.sql"),
    include_str!("../migrations/0002_idempotency_keys.sql"),
    include_str!("../migrations/0003_tracking_events.sql"),
    include_str!("../migrations/0004_delivery_choices.sql"),
    include_str!("../migrations/0005_referrals.sql"),
    include_str!("../migrations/0006_surveys.sql"),
    include_str!("../migrations/0007_reviews.sql"),
    include_str!("../migrations/0008_returns.sql"),
    include_str!("../migrations/0009_exchanges.sql"),
    include_str!("../migrations/0010_themes.sql"),
];

/// Readers kept open between requests; more are opened under load and closed after.
const IDLE_READERS: usize = 8;

pub struct Db {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

impl Db {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> rusqlite::Result<Db> {
        let mut writer = Connection::open(path)?;
        writer.pragma_update(None, "journal_mode", "WAL")?;
        configure(&writer)?;
        migrate(&mut writer)?;
        Ok(Db {
            path: path.to_owned(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// Runs `f` on a read-only connection.
    pub fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        let pooled = self.readers.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match pooled {
            Some(conn) => conn,
            None => {
                let conn = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                configure(&conn)?;
                conn
            }
        };
        let result = f(&conn);
        let mut readers = self.readers.lock().unwrap_or_else(|e| e.into_inner());
        if readers.len() < IDLE_READERS {
            readers.push(conn);
        }
        result
    }

    /// Runs `f` in one write transaction: all of it is committed, or none of it.
    pub fn write<T, E: From<rusqlite::Error>>(
        &self,
        f: impl FnOnce(&Transaction) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.set_prepared_statement_cache_capacity(32);
    Ok(())
}

fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let applied: usize = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_run_once_and_reopen_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pp.sqlite");
        drop(Db::open(&path).unwrap());
        let db = Db::open(&path).unwrap();
        let version: usize = db
            .read(|c| c.pragma_query_value(None, "user_version", |r| r.get(0)))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len());
    }

    #[test]
    fn a_failed_write_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("pp.sqlite")).unwrap();
        let result: Result<(), rusqlite::Error> = db.write(|tx| {
            tx.execute(
                "INSERT INTO shops (slug, name, api_key_hash) VALUES ('a', 'A', x'01')",
                [],
            )?;
            // A second shop with the same slug violates the schema and aborts the whole write.
            tx.execute(
                "INSERT INTO shops (slug, name, api_key_hash) VALUES ('a', 'A', x'02')",
                [],
            )?;
            Ok(())
        });
        assert!(result.is_err());
        let shops: i64 = db
            .read(|c| c.query_row("SELECT count(*) FROM shops", [], |r| r.get(0)))
            .unwrap();
        assert_eq!(shops, 0);
    }
}
