//! SQLite: one writer connection and a few reader threads over a WAL database. No
//! transaction runs on the async workers: reads go to reader threads, each with its own
//! connection, taking work from one queue; writes run on a blocking thread
//! (`spawn_blocking`) once they hold the writer connection, for which they queue
//! asynchronously. So a write waiting for SQLite's lock holds a blocking thread, never a
//! thread that reads and `/healthz` need. The one exception is a single-statement read
//! ([`Sqlite::read_statement`]): it runs where it is called, on that thread's own
//! connection, and goes to the readers only if it would have to wait.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags};

use super::{Cell, Conn, ConnInner, DbError, DbErrorKind, Row, TxError, Value, Work};

/// How long a write waits for a lock someone else holds (another process, a backup)
/// before it gives up with [`DbErrorKind::Busy`].
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Reader threads: about one per core keeps the cores busy; a reader that finds more work
/// queued takes it without sleeping, so a busy server does not wake a thread per read.
fn reader_threads() -> usize {
    crate::cores().max(2)
}

#[derive(Clone)]
pub struct Sqlite {
    writer: Arc<tokio::sync::Mutex<Connection>>,
    readers: Arc<Readers>,
    pub(super) statements: Arc<AtomicU64>,
    /// This database's own number, for the connections threads keep to it.
    id: u64,
    path: Arc<Path>,
}

/// The numbers of open databases.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// The read connection a thread keeps for [`Sqlite::read_statement`], and to which
    /// database.
    static OWN: RefCell<Option<(u64, Connection)>> = const { RefCell::new(None) };
}

impl Sqlite {
    pub async fn open(path: &Path) -> Result<Sqlite, DbError> {
        let owned = path.to_owned();
        let (writer, readers) = blocking(move || {
            let mut conn = Connection::open(&owned).map_err(from_sqlite)?;
            conn.pragma_update(None, "journal_mode", "WAL")
                .map_err(from_sqlite)?;
            configure(&conn)?;
            // Every commit reaches the disk before it is answered: in WAL mode NORMAL may
            // lose the last commits on power loss (SQLite's documentation), and each one
            // is a shopper's or merchant's change.
            conn.pragma_update(None, "synchronous", "FULL")
                .map_err(from_sqlite)?;
            migrate(&mut conn)?;
            let readers = Readers::start(&owned, reader_threads())?;
            Ok::<_, DbError>((conn, readers))
        })
        .await??;
        Ok(Sqlite {
            writer: Arc::new(tokio::sync::Mutex::new(writer)),
            readers: Arc::new(readers),
            statements: Arc::default(),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            path: path.into(),
        })
    }

    pub async fn read<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: TxError,
        F: for<'c> Fn(&'c mut Conn<'_>) -> Work<'c, T, E> + Send + Sync + 'static,
    {
        let (done, answer) = tokio::sync::oneshot::channel();
        let statements = self.statements.clone();
        self.readers.submit(Box::new(move |conn| {
            let _ = done.send(transaction(conn, "BEGIN", &work, &statements));
        }));
        answer
            .await
            .map_err(|_| DbError::other("a storage task failed"))?
    }

    pub async fn read_statement<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: TxError,
        F: for<'c> Fn(&'c mut Conn<'_>) -> Work<'c, T, E> + Send + Sync + 'static,
    {
        // On this thread's own connection first, never waiting for a lock: one indexed
        // read takes microseconds, less than handing it to a reader thread and back (two
        // thread wake-ups). When SQLite is busy (a checkpoint resetting the log), or the
        // connection cannot be opened, the read goes to the readers, who wait.
        let inline = OWN.with_borrow_mut(|own| {
            if own.as_ref().is_none_or(|(id, _)| *id != self.id) {
                *own = open_own(&self.path).ok().map(|conn| (self.id, conn));
            }
            let (_, conn) = own.as_mut()?;
            Some(finish_now(work(&mut Conn {
                inner: ConnInner::Sqlite(conn),
                statements: &self.statements,
            })))
        });
        match inline {
            Some(Err(e)) if e.db_kind() == Some(DbErrorKind::Busy) => {}
            Some(result) => return result,
            None => {}
        }
        let (done, answer) = tokio::sync::oneshot::channel();
        let statements = self.statements.clone();
        self.readers.submit(Box::new(move |conn| {
            if !conn.is_autocommit() {
                let _ = conn.execute_batch("ROLLBACK");
            }
            let _ = done.send(finish_now(work(&mut Conn {
                inner: ConnInner::Sqlite(conn),
                statements: &statements,
            })));
        }));
        answer
            .await
            .map_err(|_| DbError::other("a storage task failed"))?
    }

    pub async fn write<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: TxError,
        F: for<'c> Fn(&'c mut Conn<'_>) -> Work<'c, T, E> + Send + Sync + 'static,
    {
        let mut writer = self.writer.clone().lock_owned().await;
        let statements = self.statements.clone();
        blocking(move || transaction(&mut writer, "BEGIN IMMEDIATE", &work, &statements)).await?
    }

    /// The writer holds the whole database: every write is already one at a time.
    pub async fn write_locked<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: TxError,
        F: for<'c> Fn(&'c mut Conn<'_>) -> Work<'c, T, E> + Send + Sync + 'static,
    {
        self.write(work).await
    }
}

/// A read to run on a reader's connection.
type Job = Box<dyn FnOnce(&mut Connection) + Send>;

/// The reads waiting for a reader, and whether the database was closed.
#[derive(Default)]
struct Queue {
    jobs: Mutex<(VecDeque<Job>, bool)>,
    ready: Condvar,
}

/// The reader threads; they stop when this is dropped (with the last `Db` handle).
struct Readers {
    queue: Arc<Queue>,
}

impl Readers {
    fn start(path: &Path, threads: usize) -> Result<Readers, DbError> {
        let queue = Arc::new(Queue::default());
        for n in 0..threads {
            let mut conn = open_reader(path)?;
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("sqlite-reader-{n}"))
                .spawn(move || {
                    while let Some(job) = queue.next() {
                        // A panic in the work drops its answer: the caller gets an error.
                        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            job(&mut conn)
                        }));
                    }
                })
                .map_err(|e| DbError::other(format!("cannot start a reader thread: {e}")))?;
        }
        Ok(Readers { queue })
    }

    fn submit(&self, job: Job) {
        let mut jobs = self.queue.jobs.lock().unwrap_or_else(|e| e.into_inner());
        jobs.0.push_back(job);
        drop(jobs);
        self.queue.ready.notify_one();
    }
}

impl Drop for Readers {
    fn drop(&mut self) {
        self.queue.jobs.lock().unwrap_or_else(|e| e.into_inner()).1 = true;
        self.queue.ready.notify_all();
    }
}

impl Queue {
    /// The next read; `None` once the database is closed and nothing is left.
    fn next(&self) -> Option<Job> {
        let mut jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(job) = jobs.0.pop_front() {
                return Some(job);
            }
            if jobs.1 {
                return None;
            }
            jobs = self.ready.wait(jobs).unwrap_or_else(|e| e.into_inner());
        }
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

/// A thread's own read connection: as a reader's, but it never waits for a lock.
fn open_own(path: &Path) -> Result<Connection, DbError> {
    let conn = open_reader(path)?;
    conn.busy_timeout(Duration::ZERO).map_err(from_sqlite)?;
    Ok(conn)
}

fn configure(conn: &Connection) -> Result<(), DbError> {
    conn.busy_timeout(BUSY_TIMEOUT).map_err(from_sqlite)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(from_sqlite)?;
    conn.set_prepared_statement_cache_capacity(128);
    Ok(())
}

/// `work` between `begin` and `COMMIT`, rolled back when it fails.
fn transaction<T, E, F>(
    conn: &mut Connection,
    begin: &str,
    work: &F,
    statements: &AtomicU64,
) -> Result<T, E>
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
    // BEGIN and COMMIT.
    statements.fetch_add(2, Ordering::Relaxed);
    let mut handle = Conn {
        inner: ConnInner::Sqlite(conn),
        statements,
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
            Value::Blobs(_) | Value::Texts(_) => {
                return Err(rusqlite::Error::ToSqlConversionFailure(
                    "a list is a PostgreSQL parameter only".into(),
                ))
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_commit_is_synced_before_it_is_answered() {
        let dir = tempfile::tempdir().unwrap();
        let db = Sqlite::open(&dir.path().join("pp.sqlite")).await.unwrap();
        let synchronous: i64 = db
            .write(crate::work!(|c| {
                c.query_one("PRAGMA synchronous", crate::args![])
                    .await?
                    .get::<i64>("synchronous")
            }))
            .await
            .unwrap();
        assert_eq!(synchronous, 2, "FULL");
    }

    #[test]
    fn a_lock_held_elsewhere_is_busy_not_a_failure() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pp.sqlite");
        let holder = Connection::open(&path).unwrap();
        holder
            .execute_batch("PRAGMA journal_mode = WAL; BEGIN IMMEDIATE")
            .unwrap();
        let waiter = Connection::open(&path).unwrap();
        waiter.busy_timeout(Duration::from_millis(50)).unwrap();
        let error = waiter.execute_batch("BEGIN IMMEDIATE").unwrap_err();
        assert_eq!(from_sqlite(error).kind, DbErrorKind::Busy);
    }
}
