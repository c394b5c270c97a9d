//! SQLite: one writer connection and a pool of readers over a WAL database. Every
//! transaction runs on a blocking thread (`spawn_blocking`), never on the async workers:
//! a write waiting for SQLite's lock holds a blocking thread, not a thread that reads and
//! `/healthz` need. Writers queue for the writer connection asynchronously.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags};
use tokio::sync::Semaphore;

use super::{Cell, Conn, ConnInner, DbError, DbErrorKind, Row, TxError, Value, Work};

/// How long a write waits for a lock someone else holds (another process, a backup)
/// before it gives up with [`DbErrorKind::Busy`].
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Readers kept open between requests; more are opened under load and closed after.
const IDLE_READERS: usize = 8;
/// Transactions reading at once; more wait their turn without holding a thread.
const MAX_READERS: usize = 32;

#[derive(Clone)]
pub struct Sqlite {
    path: PathBuf,
    writer: Arc<tokio::sync::Mutex<Connection>>,
    readers: Arc<Mutex<Vec<Connection>>>,
    reading: Arc<Semaphore>,
}

impl Sqlite {
    pub async fn open(path: &Path) -> Result<Sqlite, DbError> {
        let owned = path.to_owned();
        let writer = blocking(move || {
            let mut conn = Connection::open(&owned).map_err(from_sqlite)?;
            conn.pragma_update(None, "journal_mode", "WAL")
                .map_err(from_sqlite)?;
            configure(&conn)?;
            migrate(&mut conn)?;
            Ok::<_, DbError>(conn)
        })
        .await??;
        Ok(Sqlite {
            path: path.to_owned(),
            writer: Arc::new(tokio::sync::Mutex::new(writer)),
            readers: Arc::new(Mutex::new(Vec::new())),
            reading: Arc::new(Semaphore::new(MAX_READERS)),
        })
    }

    pub async fn read<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: TxError,
        F: for<'c> Fn(&'c mut Conn<'_>) -> Work<'c, T, E> + Send + Sync + 'static,
    {
        let permit = self
            .reading
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| DbError::other("the database is closed"))?;
        let readers = self.readers.clone();
        let path = self.path.clone();
        blocking(move || {
            let _permit = permit;
            let pooled = readers.lock().unwrap_or_else(|e| e.into_inner()).pop();
            let mut conn = match pooled {
                Some(conn) => conn,
                None => open_reader(&path)?,
            };
            let result = transaction(&mut conn, "BEGIN", &work);
            let mut idle = readers.lock().unwrap_or_else(|e| e.into_inner());
            if idle.len() < IDLE_READERS {
                idle.push(conn);
            }
            result
        })
        .await?
    }

    pub async fn write<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: TxError,
        F: for<'c> Fn(&'c mut Conn<'_>) -> Work<'c, T, E> + Send + Sync + 'static,
    {
        let mut writer = self.writer.clone().lock_owned().await;
        blocking(move || transaction(&mut writer, "BEGIN IMMEDIATE", &work)).await?
    }
}

/// Brings a SQLite database up to date; `PRAGMA user_version` counts the migrations run.
/// Each runs in an immediate transaction that looks again, so two processes opening one
/// file at once apply it once.
fn migrate(conn: &mut rusqlite::Connection) -> Result<(), DbError> {
    for (index, (name, sql)) in super::SQLITE_MIGRATIONS.iter().enumerate() {
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

/// Runs `f` on a blocking thread; a panic in it becomes an error.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, DbError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| DbError::other(format!("a storage task failed: {e}")))
}

fn open_reader(path: &Path) -> Result<Connection, DbError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(from_sqlite)?;
    configure(&conn)?;
    Ok(conn)
}

fn configure(conn: &Connection) -> Result<(), DbError> {
    conn.busy_timeout(BUSY_TIMEOUT).map_err(from_sqlite)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(from_sqlite)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(from_sqlite)?;
    conn.set_prepared_statement_cache_capacity(128);
    Ok(())
}

/// `work` between `begin` and `COMMIT`, rolled back when it fails.
fn transaction<T, E, F>(conn: &mut Connection, begin: &str, work: &F) -> Result<T, E>
where
    E: TxError,
    F: for<'c> Fn(&'c mut Conn<'_>) -> Work<'c, T, E>,
{
    // A transaction a panic left open is rolled back before the next one starts.
    if !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    conn.prepare_cached(begin)
        .and_then(|mut s| s.execute([]))
        .map_err(from_sqlite)?;
    let mut handle = Conn {
        inner: ConnInner::Sqlite(conn),
    };
    let result = finish_now(work(&mut handle));
    let ConnInner::Sqlite(conn) = handle.inner else {
        unreachable!("a SQLite handle stays one");
    };
    match result {
        Ok(value) => match conn
            .prepare_cached("COMMIT")
            .and_then(|mut s| s.execute([]))
        {
            Ok(_) => Ok(value),
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                Err(from_sqlite(e).into())
            }
        },
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// The work's result. SQLite answers at once, so the work never waits; work that awaits
/// anything but its queries is a bug, reported as an error.
fn finish_now<T, E: TxError>(mut work: Work<'_, T, E>) -> Result<T, E> {
    match work.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(result) => result,
        Poll::Pending => {
            Err(DbError::other("storage work waited for something other than SQLite").into())
        }
    }
}

pub fn query(conn: &Connection, sql: &str, args: &[Value<'_>]) -> Result<Vec<Row>, DbError> {
    let mut stmt = conn.prepare_cached(sql).map_err(from_sqlite)?;
    let columns = super::value::columns_of(sql, || {
        stmt.column_names().into_iter().map(str::to_owned).collect()
    });
    let width = columns.len();
    let mut rows = stmt
        .query(rusqlite::params_from_iter(args.iter()))
        .map_err(from_sqlite)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(from_sqlite)? {
        let mut cells = Vec::with_capacity(width);
        for i in 0..width {
            cells.push(match row.get_ref(i).map_err(from_sqlite)? {
                ValueRef::Null => Cell::Null,
                ValueRef::Integer(n) => Cell::Int(n),
                ValueRef::Real(r) => Cell::Real(r),
                ValueRef::Text(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(b) => Cell::Blob(b.to_vec()),
            });
        }
        out.push(Row::new(columns.clone(), cells));
    }
    Ok(out)
}

pub fn execute(conn: &Connection, sql: &str, args: &[Value<'_>]) -> Result<u64, DbError> {
    let changed = conn
        .prepare_cached(sql)
        .and_then(|mut stmt| stmt.execute(rusqlite::params_from_iter(args.iter())))
        .map_err(from_sqlite)?;
    Ok(changed as u64)
}

impl rusqlite::ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match *self {
            Value::Null => ValueRef::Null,
            Value::Int(i) => ValueRef::Integer(i),
            Value::Real(r) => ValueRef::Real(r),
            Value::Text(t) => ValueRef::Text(t.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
            Value::Bool(b) => ValueRef::Integer(i64::from(b)),
        }))
    }
}

pub fn from_sqlite(e: rusqlite::Error) -> DbError {
    let kind = match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            DbErrorKind::Busy
        }
        _ => DbErrorKind::Other,
    };
    DbError::new(kind, e.to_string())
}
