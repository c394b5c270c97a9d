//! PostgreSQL: a pool of connections (deadpool-postgres over tokio-postgres). Reads run in
//! `REPEATABLE READ READ ONLY` transactions (one snapshot); writes in `SERIALIZABLE` ones,
//! run again after a serialization failure or deadlock with a jittered, growing pause, so
//! the rules checked inside a write hold across server processes (and on
//! Postgres-compatible databases that are serializable only, such as CockroachDB). The
//! hottest write, a parcel's carrier news, locks its parcel's row instead and runs
//! `READ COMMITTED` ([`super::Db::write_locked`]).
//! Each transaction runs in a task of its own, so a request that goes away midway never
//! leaves one half done.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, RwLock};
use std::time::Duration;

use bytes::BytesMut;
use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{FromSql, IsNull, ToSql, Type};
use tokio_postgres::IsolationLevel;

use super::{Cell, Conn, ConnInner, DbError, DbErrorKind, Row, TxError, Value, Work};

/// Connections per server process unless told: two per core, at least 4 (one of them the
/// shared connection of [`Postgres::read_statement`]). More is slower, not faster: with
/// 16 on 2 cores, views at 2,000/s under 500 writes/s waited p99 30-310 ms, most
/// connections idle in a transaction whose next statement the starved server had not yet
/// sent; with 4, p99 7-9 ms (`bench/compare.sh`'s mixed phase).
pub fn default_pool_size() -> usize {
    (2 * crate::cores()).max(4)
}

/// How long a request waits for a free connection before it gets a `503`.
const POOL_WAIT: Duration = Duration::from_secs(5);
/// Attempts of a write that keeps losing races, in all.
const WRITE_ATTEMPTS: u32 = 12;
/// How long a statement waits for a row lock someone else holds before the request gets
/// a `503` (as SQLite's busy timeout): unless the URL's `options` say otherwise.
const LOCK_TIMEOUT: &str = "-c lock_timeout=5s";

#[derive(Clone)]
pub struct Postgres {
    pool: Pool,
    /// The connection every [`Postgres::read_statement`] shares: reads in flight at once go
    /// out together on it and are answered together (tokio-postgres pipelines them), one
    /// server process working through them without a round trip each.
    shared: Arc<RwLock<Option<Arc<deadpool_postgres::Client>>>>,
    /// Taken while a shared connection is being set up, so only one is.
    connecting: Arc<tokio::sync::Mutex<()>>,
    pub(super) statements: Arc<AtomicU64>,
}

impl Postgres {
    /// Opens a pool of `pool_size` connections (at least 2: one shared by the one-statement
    /// reads, the others for transactions).
    pub async fn open(url: &str, pool_size: usize) -> Result<Postgres, DbError> {
        if pool_size < 2 {
            return Err(DbError::other(format!(
                "a PostgreSQL pool needs at least 2 connections, not {pool_size}"
            )));
        }
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| DbError::other(format!("invalid PostgreSQL URL: {e}")))?;
        if config.get_options().is_none() {
            config.options(LOCK_TIMEOUT);
        }
        let manager = Manager::from_config(
            config,
            tokio_postgres::NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(pool_size)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(POOL_WAIT))
            .create_timeout(Some(POOL_WAIT))
            .build()
            .map_err(|e| DbError::other(format!("cannot make a connection pool: {e}")))?;
        let mut client = pool.get().await.map_err(from_pool)?;
        migrate(&mut client).await?;
        drop(client);
        Ok(Postgres {
            pool,
            shared: Arc::default(),
            connecting: Arc::default(),
            statements: Arc::default(),
        })
    }

    pub async fn read<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: TxError,
        F: for<'c> Fn(&'c mut Conn<'_>) -> Work<'c, T, E> + Send + Sync + 'static,
    {
        let (pool, statements) = (self.pool.clone(), self.statements.clone());
        spawned(async move {
            run(
                &pool,
                IsolationLevel::RepeatableRead,
                true,
                &work,
                &statements,
            )
            .await
        })
        .await
    }

    pub async fn read_statement<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: TxError,
        F: for<'c> Fn(&'c mut Conn<'_>) -> Work<'c, T, E> + Send + Sync + 'static,
    {
        // No task of its own: a read left midway leaves nothing behind.
        let mut attempt = 1;
        loop {
            let client = self.shared_client().await?;
            let result = work(&mut Conn {
                inner: ConnInner::Postgres(Tx {
                    client: &client,
                    begin: None,
                }),
                statements: &self.statements,
            })
            .await;
            // A connection ended by the server may answer its last query with the
            // reason before the client knows it is closed: a failed read asks again.
            let lost =
                client.is_closed() || (result.is_err() && client.batch_execute("").await.is_err());
            if !lost {
                return result;
            }
            // Lost (the database restarted, an administrator ended it): the read runs
            // again on a new one, once; it changed nothing.
            {
                let mut shared = self.shared.write().unwrap_or_else(|e| e.into_inner());
                if shared.as_ref().is_some_and(|c| Arc::ptr_eq(c, &client)) {
                    *shared = None;
                }
            }
            if result.is_ok() || attempt == 2 {
                return result;
            }
            attempt += 1;
        }
    }

    /// The shared connection, taken from the pool the first time (and after it was lost).
    /// It plans each statement once (`force_generic_plan`): its reads are lookups by key,
    /// whose plan does not depend on the values, and a list of keys (`unnest`) would
    /// otherwise be planned again at every run (0.3 ms each, measured).
    async fn shared_client(&self) -> Result<Arc<deadpool_postgres::Client>, DbError> {
        let current = || {
            self.shared
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .clone()
        };
        if let Some(client) = current() {
            return Ok(client);
        }
        let _connecting = self.connecting.lock().await;
        if let Some(client) = current() {
            return Ok(client);
        }
        // A pooled connection may have been ended along with the shared one (a restart,
        // an administrator): one that fails its first statement is dropped, and another
        // taken, a few times.
        let mut tries = 0;
        let client = loop {
            tries += 1;
            let client = self.pool.get().await.map_err(from_pool)?;
            match client
                .batch_execute("SET plan_cache_mode = force_generic_plan")
                .await
            {
                Ok(()) => break client,
                Err(e) => {
                    // Not back to the pool with half its settings.
                    drop(deadpool_postgres::Object::take(client));
                    if tries == 3 {
                        return Err(from_postgres(e));
                    }
                }
            }
        };
        let client = Arc::new(client);
        *self.shared.write().unwrap_or_else(|e| e.into_inner()) = Some(client.clone());
        Ok(client)
    }

    pub async fn write<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: TxError,
        F: for<'c> Fn(&'c mut Conn<'_>) -> Work<'c, T, E> + Send + Sync + 'static,
    {
        self.write_at(IsolationLevel::Serializable, work).await
    }

    /// A write whose work locks the rows it depends on before reading them (see
    /// [`super::Db::write_locked`]): `READ COMMITTED`, run again only after a deadlock.
    pub async fn write_locked<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: TxError,
        F: for<'c> Fn(&'c mut Conn<'_>) -> Work<'c, T, E> + Send + Sync + 'static,
    {
        self.write_at(IsolationLevel::ReadCommitted, work).await
    }

    async fn write_at<T, E, F>(&self, isolation: IsolationLevel, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: TxError,
        F: for<'c> Fn(&'c mut Conn<'_>) -> Work<'c, T, E> + Send + Sync + 'static,
    {
        let (pool, statements) = (self.pool.clone(), self.statements.clone());
        spawned(async move {
            let mut attempt = 1;
            loop {
                match run(&pool, isolation, false, &work, &statements).await {
                    Err(e)
                        if e.db_kind() == Some(DbErrorKind::Conflict)
                            && attempt < WRITE_ATTEMPTS =>
                    {
                        tokio::time::sleep(backoff(attempt)).await;
                        attempt += 1;
                    }
                    result => return result,
                }
            }
        })
        .await
    }
}

/// `work` in one transaction on a pooled connection: committed when it succeeds, rolled
/// back when it fails. `BEGIN` goes out with the first statement rather than on its own
/// (one round trip fewer); work that runs no statement opens no transaction.
async fn run<T, E, F>(
    pool: &Pool,
    isolation: IsolationLevel,
    read_only: bool,
    work: &F,
    statements: &AtomicU64,
) -> Result<T, E>
where
    E: TxError,
    F: for<'c> Fn(&'c mut Conn<'_>) -> Work<'c, T, E>,
{
    let begin = match (isolation, read_only) {
        (IsolationLevel::Serializable, false) => "START TRANSACTION ISOLATION LEVEL SERIALIZABLE",
        (IsolationLevel::ReadCommitted, false) => {
            "START TRANSACTION ISOLATION LEVEL READ COMMITTED"
        }
        _ => "START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
    };
    let mut open = Open {
        client: Some(pool.get().await.map_err(from_pool)?),
        finished: false,
    };
    let client = open
        .client
        .as_ref()
        .ok_or_else(|| DbError::other("no connection"))?;
    let mut conn = Conn {
        inner: ConnInner::Postgres(Tx {
            client,
            begin: Some(begin),
        }),
        statements,
    };
    let result = work(&mut conn).await;
    let begun = matches!(&conn.inner, ConnInner::Postgres(tx) if tx.begin.is_none());
    if !begun {
        open.finished = true;
        return result;
    }
    // BEGIN and COMMIT.
    statements.fetch_add(2, Ordering::Relaxed);
    match result {
        // A read's answer does not wait for its COMMIT, which cannot change it: that round
        // trip ends in the background, and the connection is back in the pool after it.
        Ok(value) if read_only => {
            tokio::spawn(async move {
                if let Some(client) = &open.client {
                    open.finished = client.batch_execute("COMMIT").await.is_ok();
                }
                drop(open);
            });
            Ok(value)
        }
        Ok(value) => {
            let committed = client.batch_execute("COMMIT").await;
            // Committed or not (a serialization failure rolls it back), it is over.
            open.finished = true;
            committed.map_err(from_postgres)?;
            Ok(value)
        }
        Err(e) => {
            open.finished = client.batch_execute("ROLLBACK").await.is_ok();
            Err(e)
        }
    }
}

/// A transaction's connection: the pool has it back when the transaction ended, and
/// never in the middle of one (work that panicked): then it is closed instead.
struct Open {
    client: Option<deadpool_postgres::Client>,
    finished: bool,
}

impl Drop for Open {
    fn drop(&mut self) {
        if let Some(client) = self.client.take().filter(|_| !self.finished) {
            drop(deadpool_postgres::Object::take(client));
        }
    }
}

/// A connection for [`Conn`], and the `BEGIN` of its transaction until the first
/// statement takes it along (`None` outside a transaction, or once it began).
pub struct Tx<'a> {
    client: &'a deadpool_postgres::Client,
    begin: Option<&'static str>,
}

impl<'a> Tx<'a> {
    /// The connection, and `BEGIN` if this is the first statement.
    pub fn next(&mut self) -> (&'a deadpool_postgres::Client, Option<&'static str>) {
        (self.client, self.begin.take())
    }
}

/// Brings a PostgreSQL database up to date; `schema_migrations` lists what ran. One
/// transaction under an advisory lock, so processes starting at once apply each
/// migration once: the first does the work, the others find it done.
async fn migrate(client: &mut deadpool_postgres::Client) -> Result<(), DbError> {
    let tx = client.transaction().await.map_err(from_postgres)?;
    // Any fixed number: the lock is this schema's alone.
    tx.batch_execute(
        "SET LOCAL client_min_messages = warning;
         SELECT pg_advisory_xact_lock(7003120011);
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
    for (index, (name, sql)) in super::POSTGRES_MIGRATIONS.iter().enumerate() {
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

/// Runs a transaction in a task of its own, to the end even if its caller goes away.
async fn spawned<T: Send + 'static, E: TxError>(
    work: impl std::future::Future<Output = Result<T, E>> + Send + 'static,
) -> Result<T, E> {
    tokio::spawn(work)
        .await
        .map_err(|e| DbError::other(format!("a storage task failed: {e}")))?
}

/// The pause before attempt `attempt + 1`: up to 2 ms doubling per attempt, at most
/// 250 ms, a random part of it, so racing writers spread out.
fn backoff(attempt: u32) -> Duration {
    let ceiling = (2u64 << attempt.min(7)).min(250);
    let mut random = [0u8; 2];
    let _ = getrandom::fill(&mut random);
    let fraction = u64::from(u16::from_le_bytes(random)) as f64 / f64::from(u16::MAX);
    Duration::from_micros((ceiling as f64 * 1000.0 * (0.5 + fraction / 2.0)) as u64)
}

/// The PostgreSQL form of a statement, rewritten once per process.
fn translated(sql: &str) -> Arc<str> {
    static CACHE: LazyLock<RwLock<HashMap<Box<str>, Arc<str>>>> = LazyLock::new(Default::default);
    if let Some(done) = CACHE.read().unwrap_or_else(|e| e.into_inner()).get(sql) {
        return done.clone();
    }
    let done: Arc<str> = super::dollar_placeholders(sql).into();
    CACHE
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .insert(sql.into(), done.clone());
    done
}

fn params<'a>(args: &'a [Value<'a>]) -> Vec<&'a (dyn ToSql + Sync)> {
    args.iter().map(|a| a as &(dyn ToSql + Sync)).collect()
}

async fn rows(tx: &impl GenericClient, sql: &str, args: &[Value<'_>]) -> Result<Vec<Row>, DbError> {
    let stmt = tx
        .prepare_cached(&translated(sql))
        .await
        .map_err(from_postgres)?;
    rows_of(tx, sql, &stmt, args).await
}

/// The rows of a prepared statement, each cell read as what it holds.
async fn rows_of(
    tx: &impl GenericClient,
    sql: &str,
    stmt: &tokio_postgres::Statement,
    args: &[Value<'_>],
) -> Result<Vec<Row>, DbError> {
    let columns = super::value::columns_of(sql, || {
        stmt.columns().iter().map(|c| c.name().to_owned()).collect()
    });
    let rows = tx.query(stmt, &params(args)).await.map_err(from_postgres)?;
    rows.iter()
        .map(|row| {
            let cells = (0..columns.len())
                .map(|i| row.try_get::<_, Cell>(i).map_err(from_postgres))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Row::new(columns.clone(), cells))
        })
        .collect()
}

/// `work`, sent after `begin` (in the same write, answered in order) when there is one.
async fn after<T>(
    client: &impl GenericClient,
    begin: Option<&str>,
    work: impl std::future::Future<Output = Result<T, DbError>>,
) -> Result<T, DbError> {
    let Some(begin) = begin else {
        return work.await;
    };
    let (began, done) = futures_util::future::join(client.batch_execute(begin), work).await;
    began.map_err(from_postgres)?;
    done
}

pub async fn query(
    tx: &impl GenericClient,
    begin: Option<&str>,
    sql: &str,
    args: &[Value<'_>],
) -> Result<Vec<Row>, DbError> {
    after(tx, begin, rows(tx, sql, args)).await
}

/// Several queries sent at once on one connection (tokio-postgres pipelines requests
/// polled together): their answers in order, or the first error. Each is prepared (when
/// it was not before) before any is sent, so they are sent, and run, in the order given:
/// a query is sent at its first poll, and `try_join_all` first polls up to 30 futures in
/// order. Reads outside a transaction rely on it (see [`super::Conn::query_all`]).
pub async fn query_each(
    tx: &impl GenericClient,
    begin: Option<&str>,
    queries: &[(&str, &[Value<'_>])],
) -> Result<Vec<Vec<Row>>, DbError> {
    use futures_util::future::try_join_all;
    debug_assert!(queries.len() <= 30, "more than try_join_all polls in order");
    let all = async {
        let prepared = try_join_all(
            queries
                .iter()
                .map(|(sql, _)| async { tx.prepare_cached(&translated(sql)).await }),
        )
        .await
        .map_err(from_postgres)?;
        try_join_all(
            queries
                .iter()
                .zip(&prepared)
                .map(|((sql, args), stmt)| rows_of(tx, sql, stmt, args)),
        )
        .await
    };
    after(tx, begin, all).await
}

pub async fn execute(
    tx: &impl GenericClient,
    begin: Option<&str>,
    sql: &str,
    args: &[Value<'_>],
) -> Result<u64, DbError> {
    let changed = async {
        let stmt = tx
            .prepare_cached(&translated(sql))
            .await
            .map_err(from_postgres)?;
        tx.execute(&stmt, &params(args))
            .await
            .map_err(from_postgres)
    };
    after(tx, begin, changed).await
}

impl ToSql for Value<'_> {
    /// Writes the value as the type PostgreSQL expects at its place, as far as it fits.
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        let mismatch = || format!("cannot send {self:?} as {ty}").into();
        match *self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(i)?.to_sql(ty, out),
                Type::FLOAT8 => (i as f64).to_sql(ty, out),
                Type::BOOL => (i != 0).to_sql(ty, out),
                _ => Err(mismatch()),
            },
            Value::Real(r) => match *ty {
                Type::FLOAT8 => r.to_sql(ty, out),
                Type::FLOAT4 => (r as f32).to_sql(ty, out),
                _ => Err(mismatch()),
            },
            Value::Bool(b) => match *ty {
                Type::BOOL => b.to_sql(ty, out),
                Type::INT8 => i64::from(b).to_sql(ty, out),
                Type::INT4 => i32::from(b).to_sql(ty, out),
                _ => Err(mismatch()),
            },
            Value::Text(t) => match *ty {
                Type::BYTEA => t.as_bytes().to_sql(ty, out),
                _ => t.to_sql(ty, out),
            },
            Value::Blob(b) => b.to_sql(ty, out),
            Value::Blobs(list) => list
                .iter()
                .map(Vec::as_slice)
                .collect::<Vec<&[u8]>>()
                .to_sql(ty, out),
            Value::Texts(list) => ToSql::to_sql(&list, ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    tokio_postgres::types::to_sql_checked!();
}

impl<'a> FromSql<'a> for Cell {
    fn from_sql(
        ty: &Type,
        raw: &'a [u8],
    ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(match *ty {
            Type::INT8 => Cell::Int(i64::from_sql(ty, raw)?),
            Type::INT4 => Cell::Int(i32::from_sql(ty, raw)?.into()),
            Type::INT2 => Cell::Int(i16::from_sql(ty, raw)?.into()),
            Type::FLOAT8 => Cell::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Cell::Real(f32::from_sql(ty, raw)?.into()),
            Type::BOOL => Cell::Bool(bool::from_sql(ty, raw)?),
            Type::BYTEA => Cell::Blob(<Vec<u8>>::from_sql(ty, raw)?),
            _ => Cell::Text(String::from_sql(ty, raw)?),
        })
    }

    fn from_sql_null(_: &Type) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Cell::Null)
    }

    fn accepts(ty: &Type) -> bool {
        matches!(
            *ty,
            Type::INT8
                | Type::INT4
                | Type::INT2
                | Type::FLOAT8
                | Type::FLOAT4
                | Type::BOOL
                | Type::BYTEA
                | Type::TEXT
                | Type::VARCHAR
                | Type::BPCHAR
                | Type::NAME
        )
    }
}

pub fn from_postgres(e: tokio_postgres::Error) -> DbError {
    let kind = match e.code() {
        Some(code)
            if *code == SqlState::T_R_SERIALIZATION_FAILURE
                || *code == SqlState::T_R_DEADLOCK_DETECTED =>
        {
            DbErrorKind::Conflict
        }
        Some(code)
            if *code == SqlState::LOCK_NOT_AVAILABLE || *code == SqlState::QUERY_CANCELED =>
        {
            DbErrorKind::Busy
        }
        _ => DbErrorKind::Other,
    };
    // The server's own words (with the SQLSTATE) say more than the driver's summary.
    let message = match e.as_db_error() {
        Some(db) => format!("{}: {} ({})", db.severity(), db.message(), db.code().code()),
        None => e.to_string(),
    };
    DbError::new(kind, message)
}

fn from_pool(e: deadpool_postgres::PoolError) -> DbError {
    match e {
        deadpool_postgres::PoolError::Backend(e) => from_postgres(e),
        deadpool_postgres::PoolError::Timeout(_) => DbError::new(
            DbErrorKind::Busy,
            "no database connection came free in time",
        ),
        e => DbError::other(format!("cannot get a database connection: {e}")),
    }
}
