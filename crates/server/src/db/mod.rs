//! The database: SQLite (embedded, the default, nothing to start) or PostgreSQL (for
//! several server processes), behind one async interface.
//!
//! Work is done in transactions: [`Db::read`] and [`Db::write`] run a closure with a
//! [`Conn`] and commit what it did, or nothing. The feature storage in [`crate::store`]
//! writes its SQL once, in SQLite's `?1` style; the PostgreSQL side rewrites the
//! placeholders. Columns are read by name ([`Row::get`]).
//!
//! - SQLite: one writer connection and a few reader threads over a WAL database; no
//!   transaction runs on the async workers. Writers queue asynchronously for the one
//!   writer connection; readers never wait for it.
//! - PostgreSQL: a pool (deadpool-postgres over tokio-postgres); writes are
//!   `SERIALIZABLE` and run again on a serialization failure or deadlock (SQLSTATE 40001,
//!   40P01), so every rule checked inside a write holds across processes, as it does on
//!   SQLite where writes take turns.

mod migrate;
mod postgres;
mod sqlite;
mod value;

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};

pub use migrate::{POSTGRES as POSTGRES_MIGRATIONS, SQLITE as SQLITE_MIGRATIONS};
pub use value::{dollar_placeholders, Cell, FromCell, Row, ToValue, Value};

/// Which database a [`Db`] or [`Conn`] speaks to, for the rare statement that differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// What went wrong in the database, sorted by what the caller can do about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbErrorKind {
    /// The database stayed locked, or no connection came free, for longer than we wait:
    /// nothing was changed; try again in a moment.
    Busy,
    /// The transaction lost a race with another (serialization failure, deadlock) and
    /// was rolled back; running it again is safe.
    Conflict,
    /// Anything else: a bug, a broken connection, a full disk.
    Other,
}

#[derive(Clone, Debug)]
pub struct DbError {
    pub kind: DbErrorKind,
    message: String,
}

impl DbError {
    pub fn new(kind: DbErrorKind, message: impl Into<String>) -> DbError {
        DbError {
            kind,
            message: message.into(),
        }
    }

    pub fn other(message: impl Into<String>) -> DbError {
        DbError::new(DbErrorKind::Other, message)
    }

    /// A query that had to find a row found none.
    pub fn no_row() -> DbError {
        DbError::other("the query returned no row")
    }
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DbError {}

/// An error a transaction may end with: a database error or one of the caller's own.
/// The database errors it carries decide whether a write is run again.
pub trait TxError: From<DbError> + Send + 'static {
    /// The kind of database error this is, if it is one.
    fn db_kind(&self) -> Option<DbErrorKind>;
}

impl TxError for DbError {
    fn db_kind(&self) -> Option<DbErrorKind> {
        Some(self.kind)
    }
}

/// The work of one transaction, as a future borrowing its connection.
pub type Work<'c, T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'c>>;

/// The work of a transaction for [`Db::read`] and [`Db::write`]: `work!(|c| { … })`, or
/// `work!(|c, a, b| { … })` to give each run its own clone of `a` and `b` (a write may run
/// more than once). Copies of other captured values are moved in.
#[macro_export]
macro_rules! work {
    (|$c:ident $(, $clone:ident)* $(,)?| $body:block) => {
        move |$c: &mut $crate::db::Conn<'_>| {
            $(let $clone = $clone.clone();)*
            ::std::boxed::Box::pin(async move $body)
        }
    };
}

/// A handle on the database, cheap to clone.
#[derive(Clone)]
pub struct Db {
    inner: Inner,
}

#[derive(Clone)]
enum Inner {
    Sqlite(sqlite::Sqlite),
    Postgres(postgres::Postgres),
}

impl Db {
    /// Opens the database at `url` (`sqlite://FILE` or `postgres://…`) and brings its
    /// schema up to date.
    pub async fn open(url: &str) -> Result<Db, DbError> {
        Db::open_pooled(url, None).await
    }

    /// [`Db::open`] with `pool` connections to PostgreSQL per process (by default
    /// [`postgres::default_pool_size`]); SQLite ignores it.
    pub async fn open_pooled(url: &str, pool: Option<usize>) -> Result<Db, DbError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let size = pool.unwrap_or_else(postgres::default_pool_size);
            return Ok(Db {
                inner: Inner::Postgres(postgres::Postgres::open(url, size).await?),
            });
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .ok_or_else(|| {
                DbError::other(format!(
                    "unsupported database URL (expected sqlite://FILE or postgres://…): {url}"
                ))
            })?;
        Db::open_sqlite(Path::new(path)).await
    }

    /// Opens (creating if needed) a SQLite database file.
    pub async fn open_sqlite(path: &Path) -> Result<Db, DbError> {
        Ok(Db {
            inner: Inner::Sqlite(sqlite::Sqlite::open(path).await?),
        })
    }

    pub fn backend(&self) -> Backend {
        match self.inner {
            Inner::Sqlite(_) => Backend::Sqlite,
            Inner::Postgres(_) => Backend::Postgres,
        }
    }

    /// How many statements this handle has run, `BEGIN` and `COMMIT` included: what a
    /// request costs the database, for tests and benchmarks.
    pub fn statements(&self) -> u64 {
        match &self.inner {
            Inner::Sqlite(db) => db.statements.load(Ordering::Relaxed),
            Inner::Postgres(db) => db.statements.load(Ordering::Relaxed),
        }
    }

    /// Runs `work` in a read-only transaction that sees one snapshot of the database.
    pub async fn read<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: TxError,
        F: for<'c> Fn(&'c mut Conn<'_>) -> Work<'c, T, E> + Send + Sync + 'static,
    {
        match &self.inner {
            Inner::Sqlite(db) => db.read(work).await,
            Inner::Postgres(db) => db.read(work).await,
        }
    }

    /// Runs `work`, one statement that only reads, outside a transaction: a statement
    /// sees one snapshot of its own, and without `BEGIN` and `COMMIT` it is the cheapest
    /// read there is (one round trip on PostgreSQL instead of three, shared with the
    /// others in flight). For the hot reads of one statement: an order view's re-check,
    /// the shop of an API key, the order of a token. Work of several statements sees the
    /// database as it is when each starts, and must check that what they read fits
    /// together, as [`crate::store::orders::view_outside`] does.
    pub async fn read_statement<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: TxError,
        F: for<'c> Fn(&'c mut Conn<'_>) -> Work<'c, T, E> + Send + Sync + 'static,
    {
        match &self.inner {
            Inner::Sqlite(db) => db.read_statement(work).await,
            Inner::Postgres(db) => db.read_statement(work).await,
        }
    }

    /// Runs `work` in one write transaction: all of it is committed, or none of it. On
    /// PostgreSQL `work` may run more than once (after losing a race to another
    /// transaction), so it must do nothing but its queries.
    pub async fn write<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: TxError,
        F: for<'c> Fn(&'c mut Conn<'_>) -> Work<'c, T, E> + Send + Sync + 'static,
    {
        match &self.inner {
            Inner::Sqlite(db) => db.write(work).await,
            Inner::Postgres(db) => db.write(work).await,
        }
    }

    /// [`Db::write`] for work that first locks the rows it reads and changes with
    /// `SELECT … FOR UPDATE` (written only on PostgreSQL: SQLite's writer holds the whole
    /// database), so writes of the same rows take turns. On PostgreSQL it runs
    /// `READ COMMITTED`: each statement sees what committed before it, and nothing is
    /// aborted for a conflict it does not have. `SERIALIZABLE` locks the index pages a
    /// write reads, and writes of different parcels whose events share a page aborted
    /// each other: at 500 carrier events a second, more than half of them (measured).
    /// For a parcel's carrier news, which reads and changes that parcel's rows only.
    pub async fn write_locked<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: TxError,
        F: for<'c> Fn(&'c mut Conn<'_>) -> Work<'c, T, E> + Send + Sync + 'static,
    {
        match &self.inner {
            Inner::Sqlite(db) => db.write_locked(work).await,
            Inner::Postgres(db) => db.write_locked(work).await,
        }
    }
}

/// A connection inside a transaction, given to the work of [`Db::read`] and
/// [`Db::write`]. SQL is written with `?1`, `?2`, … placeholders.
pub struct Conn<'a> {
    inner: ConnInner<'a>,
    /// The database's count of statements run.
    statements: &'a AtomicU64,
}

enum ConnInner<'a> {
    Sqlite(&'a mut rusqlite::Connection),
    /// A pooled connection, in a transaction or (for [`Db::read_statement`]) not.
    Postgres(postgres::Tx<'a>),
}

impl Conn<'_> {
    pub fn backend(&self) -> Backend {
        match self.inner {
            ConnInner::Sqlite(_) => Backend::Sqlite,
            ConnInner::Postgres(_) => Backend::Postgres,
        }
    }

    /// Every row the query returns.
    pub async fn query(&mut self, sql: &str, args: &[Value<'_>]) -> Result<Vec<Row>, DbError> {
        self.statements.fetch_add(1, Ordering::Relaxed);
        match &mut self.inner {
            ConnInner::Sqlite(conn) => sqlite::query(conn, sql, args),
            ConnInner::Postgres(tx) => {
                let (client, begin) = tx.next();
                postgres::query(client, begin, sql, args).await
            }
        }
    }

    /// Every row of each query, in order, as if run one after the other. On PostgreSQL
    /// they go out together and their answers come back together (pipelined): one round
    /// trip for all of them. For reads that do not depend on each other's answers.
    pub async fn query_each<const N: usize>(
        &mut self,
        queries: [(&str, &[Value<'_>]); N],
    ) -> Result<[Vec<Row>; N], DbError> {
        <[Vec<Row>; N]>::try_from(self.query_all(&queries).await?)
            .map_err(|_| DbError::other("a batch of queries lost an answer"))
    }

    /// [`Conn::query_each`] for a number of queries known when it runs. The queries run
    /// in the order given, one after the other, also outside a transaction
    /// ([`Db::read_statement`]), where each sees the database as it is when it starts.
    pub async fn query_all(
        &mut self,
        queries: &[(&str, &[Value<'_>])],
    ) -> Result<Vec<Vec<Row>>, DbError> {
        self.statements
            .fetch_add(queries.len() as u64, Ordering::Relaxed);
        match &mut self.inner {
            ConnInner::Sqlite(conn) => queries
                .iter()
                .map(|(sql, args)| sqlite::query(conn, sql, args))
                .collect(),
            ConnInner::Postgres(tx) => {
                let (client, begin) = tx.next();
                postgres::query_each(client, begin, queries).await
            }
        }
    }

    /// The first row, if any.
    pub async fn query_opt(
        &mut self,
        sql: &str,
        args: &[Value<'_>],
    ) -> Result<Option<Row>, DbError> {
        Ok(self.query(sql, args).await?.into_iter().next())
    }

    /// The first row; an error when there is none.
    pub async fn query_one(&mut self, sql: &str, args: &[Value<'_>]) -> Result<Row, DbError> {
        self.query_opt(sql, args).await?.ok_or_else(DbError::no_row)
    }

    /// Whether the query returns any row.
    pub async fn exists(&mut self, sql: &str, args: &[Value<'_>]) -> Result<bool, DbError> {
        Ok(self.query_opt(sql, args).await?.is_some())
    }

    /// Runs a statement; returns how many rows it changed.
    pub async fn execute(&mut self, sql: &str, args: &[Value<'_>]) -> Result<u64, DbError> {
        self.statements.fetch_add(1, Ordering::Relaxed);
        match &mut self.inner {
            ConnInner::Sqlite(conn) => sqlite::execute(conn, sql, args),
            ConnInner::Postgres(tx) => {
                let (client, begin) = tx.next();
                postgres::execute(client, begin, sql, args).await
            }
        }
    }
}
