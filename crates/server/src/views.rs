//! Order views kept ready to send: the serialised body and its ETag per order, with the
//! state it shows (the order's and its shop's versions, which the database bumps in every
//! write that changes what a view shows) and until when it holds without a write (the
//! next cut-off or local midnight). A view is sent from here when one indexed read finds
//! the same versions; anything else builds it again. Each process keeps its own, so
//! processes sharing PostgreSQL see each other's changes through the versions.

use std::sync::{Arc, OnceLock};

use axum::http::HeaderValue;
use bytes::Bytes;
use quick_cache::sync::Cache;
use quick_cache::Weighter;
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, oneshot, Mutex};

use crate::db::{Backend, Db, DbError};
use crate::domain;
use crate::error::ApiError;
use crate::store::orders::{Built, Stamp};

/// One order's view, ready to send.
pub struct Ready {
    pub stamp: Stamp,
    /// Unix seconds from which the view may read differently without a write.
    pub holds_until: i64,
    pub etag: HeaderValue,
    pub body: Bytes,
}

impl Ready {
    /// Serialises a view and names it by its bytes: the same view has the same ETag in
    /// every process and after every rebuild, so a re-check after a rebuild that changed
    /// nothing still gets `304`.
    pub fn of(built: Built) -> Result<Ready, ApiError> {
        let mut body =
            serde_json::to_vec(&built.view).map_err(|e| ApiError::internal("json", e))?;
        // Kept for long: without the room the serialiser grew into (up to as much again).
        body.shrink_to_fit();
        let digest = Sha256::digest(&body);
        let mut etag = String::with_capacity(26);
        etag.push('"');
        for byte in &digest[..12] {
            etag.push(char::from_digit(u32::from(byte >> 4), 16).unwrap_or('0'));
            etag.push(char::from_digit(u32::from(byte & 15), 16).unwrap_or('0'));
        }
        etag.push('"');
        Ok(Ready {
            stamp: built.stamp,
            holds_until: built.holds_until,
            etag: HeaderValue::from_str(&etag).map_err(|e| ApiError::internal("etag", e))?,
            body: Bytes::from(body),
        })
    }

    /// Whether this is the view of the order in the state `stamp` read, at `now`.
    fn shows(&self, stamp: &Stamp, now: i64) -> bool {
        self.stamp == *stamp && now < self.holds_until
    }
}

/// What a kept view weighs: its bytes, its ETag and the entry around them.
#[derive(Clone)]
struct ByBytes;

impl Weighter<i64, Arc<Ready>> for ByBytes {
    fn weight(&self, _order: &i64, ready: &Arc<Ready>) -> u64 {
        (ready.body.len() + ready.etag.len() + 128) as u64
    }
}

/// The views of one process, by order, up to a number of bytes; the views asked for
/// least recently go first (quick_cache's CLOCK-Pro-like policy).
pub struct Views {
    cache: Option<Cache<i64, Arc<Ready>, ByBytes>>,
    stamps: StampReads,
}

/// The views kept by default: some 2,500 orders of 3 KB, the ones shoppers are looking at
/// (a process with 100,000 orders stays under 64 MB).
pub const DEFAULT_MB: u64 = 8;

impl Views {
    /// Keeps up to `megabytes` of views; `0` keeps none (every view is built).
    pub fn new(megabytes: u64) -> Views {
        let bytes = megabytes * 1024 * 1024;
        Views {
            cache: (bytes > 0)
                .then(|| Cache::with_weighter((bytes / 3_000).max(16) as usize, bytes, ByBytes)),
            stamps: StampReads::default(),
        }
    }

    /// The state of the order a capability token opens, read now (one indexed read): what
    /// a kept view is checked against. The one `order_not_found` for any token that opens
    /// nothing. On PostgreSQL the reads in flight at once are made as one statement.
    pub async fn stamp(
        &self,
        db: &Db,
        shop: &str,
        token: &str,
        now: i64,
    ) -> Result<Stamp, ApiError> {
        if db.backend() == Backend::Sqlite {
            return db.order_stamp(shop, token, now).await;
        }
        if !domain::is_token_shaped(token) {
            return Err(ApiError::order_not_found());
        }
        self.stamps.read(db, shop, token, now).await
    }

    /// The kept view of the order in the state `stamp` read, if it still shows it at `now`.
    pub fn get(&self, stamp: &Stamp, now: i64) -> Option<Arc<Ready>> {
        self.cache
            .as_ref()?
            .get(&stamp.order_id)
            .filter(|ready| ready.shows(stamp, now))
    }

    /// Keeps a view just built.
    pub fn keep(&self, ready: Arc<Ready>) {
        if let Some(cache) = &self.cache {
            cache.insert(ready.stamp.order_id, ready);
        }
    }

    /// How many views are kept, and their weight in bytes.
    pub fn size(&self) -> (usize, u64) {
        self.cache
            .as_ref()
            .map_or((0, 0), |c| (c.len(), c.weight()))
    }
}

impl Default for Views {
    fn default() -> Views {
        Views::new(DEFAULT_MB)
    }
}

/// Stamp reads in flight at once, made as one statement ([`Db::order_stamps`]): a few
/// readers each take every read waiting when it comes free, so under load one round
/// trip and one statement answer dozens of views, and alone a read goes out at once.
#[derive(Default)]
struct StampReads {
    queue: OnceLock<mpsc::UnboundedSender<Wanted>>,
}

/// Readers at once: one can wait for the database while another gathers the next reads.
const READERS: usize = 4;
/// Reads made as one statement at most.
const BATCH: usize = 128;

struct Wanted {
    shop: String,
    hash: Vec<u8>,
    now: i64,
    /// The stamp, or `None` when the token opens nothing now.
    answer: oneshot::Sender<Result<Option<Stamp>, DbError>>,
}

impl StampReads {
    async fn read(&self, db: &Db, shop: &str, token: &str, now: i64) -> Result<Stamp, ApiError> {
        let queue = self.queue.get_or_init(|| {
            let (queue, waiting) = mpsc::unbounded_channel();
            let waiting = Arc::new(Mutex::new(waiting));
            for _ in 0..READERS {
                tokio::spawn(reader(db.clone(), waiting.clone()));
            }
            queue
        });
        let (answer, answered) = oneshot::channel();
        let wanted = Wanted {
            shop: shop.to_owned(),
            hash: domain::secret_hash(token).to_vec(),
            now,
            answer,
        };
        let gone = || ApiError::internal("stamps", "the stamp readers stopped");
        queue.send(wanted).map_err(|_| gone())?;
        answered
            .await
            .map_err(|_| gone())??
            .ok_or_else(ApiError::order_not_found)
    }
}

/// Takes the reads waiting (at least one), makes them as one, answers each; until the
/// queue closes with its [`Views`].
async fn reader(db: Db, waiting: Arc<Mutex<mpsc::UnboundedReceiver<Wanted>>>) {
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        {
            let mut waiting = waiting.lock().await;
            if waiting.recv_many(&mut batch, BATCH).await == 0 {
                return;
            }
        }
        let hashes = batch
            .iter_mut()
            .map(|w| std::mem::take(&mut w.hash))
            .collect();
        let shops = batch
            .iter_mut()
            .map(|w| std::mem::take(&mut w.shop))
            .collect();
        match db.order_stamps(hashes, shops).await {
            Ok(found) => {
                for (wanted, found) in batch.drain(..).zip(found) {
                    let stamp = found
                        .filter(|(_, expires_at)| *expires_at > wanted.now)
                        .map(|(stamp, _)| stamp);
                    let _ = wanted.answer.send(Ok(stamp));
                }
            }
            Err(e) => {
                for wanted in batch.drain(..) {
                    let _ = wanted.answer.send(Err(e.clone()));
                }
            }
        }
    }
}
