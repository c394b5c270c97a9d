//! Work the server does on its own: purging expired capability tokens, day-old
//! idempotency records and old webhook deliveries, at start and every hour; and looking
//! for late and stalled parcels and orders, and for re-order reminders that came due,
//! every few minutes. Every server process runs
//! both; a purge is a few `DELETE`s, and a check settles each parcel in a transaction
//! that sends each change once, so both are harmless to run twice.

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::db::Db;
use crate::store::privacy::Purged;
use crate::Clock;

/// How often expired data is purged.
pub const PURGE_EVERY: Duration = Duration::from_secs(60 * 60);

/// Starts the purge: now, then every `every`, until aborted or the runtime stops.
pub fn spawn(db: Arc<Db>, clock: Clock, every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match db.purge(clock.now()).await {
                Ok(purged) if purged != Purged::default() => tracing::info!(
                    target: "postpurchase::maintenance",
                    tokens = purged.tokens,
                    idempotency_records = purged.idempotency_records,
                    webhooks = purged.webhooks,
                    photos = purged.photos,
                    "purged expired data"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(
                    target: "postpurchase::maintenance",
                    error = %e,
                    "purging expired data failed; trying again later"
                ),
            }
        }
    })
}

/// How often parcels and orders are looked at for delays: a parcel turns late within
/// this long of its window's end.
pub const CHECK_DELAYS_EVERY: Duration = Duration::from_secs(10 * 60);

/// Starts the delay checks ([`crate::delays::check`]): now, then every `every`, until
/// aborted or the runtime stops.
pub fn check_delays(state: crate::AppState, every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match crate::delays::check(&state).await {
                Ok(checked)
                    if checked.parcels > 0 || checked.stalled > 0 || checked.reminders > 0 =>
                {
                    tracing::info!(
                        target: "postpurchase::maintenance",
                        parcels = checked.parcels,
                        stalled_orders = checked.stalled,
                        reminders_due = checked.reminders,
                        "parcels and orders checked for delays, due reminders sent"
                    )
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(
                    target: "postpurchase::maintenance",
                    error = ?e,
                    "checking for delays failed; trying again later"
                ),
            }
        }
    })
}

/// Every minute, forgets callers whose limits are full again, so the limiters' tables
/// hold only the callers of the last minute.
pub fn forget_idle_callers(limiter: Arc<crate::limits::Limiter>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(Duration::from_secs(60));
        loop {
            ticks.tick().await;
            limiter.forget_idle();
        }
    })
}
