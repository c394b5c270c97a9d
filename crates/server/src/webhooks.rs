//! Signed webhooks to the shop. A change writes its webhook into the outbox inside the
//! change's own transaction ([`crate::store::webhooks`]), so a webhook exists exactly when
//! the change does; a background worker in each server process claims due deliveries,
//! sends them and records the outcome, never in the shopper's request.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};

use crate::db::Db;
use crate::domain::targets::Targets;
use crate::store::webhooks::{now_ms, Attempt, Delivery};

/// The signature header's value for `body` sent at `timestamp` (Unix seconds):
/// `v1=<lower-hex HMAC-SHA256(secret, "<timestamp>.<body>")>`.
pub fn sign(secret: &str, timestamp: i64, body: &str) -> String {
    use hmac::{Hmac, Mac};
    use std::fmt::Write;

    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    let digest = mac.finalize().into_bytes();
    let mut signature = String::with_capacity(3 + 2 * digest.len());
    signature.push_str("v1=");
    for byte in digest {
        let _ = write!(signature, "{byte:02x}");
    }
    signature
}

/// When failed deliveries are tried again: `first` after the first failure, doubling after
/// each further one (never more than [`Backoff::MAX_DELAY`] apart), and given up (state
/// `failed`) once `max_attempts` attempts have failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub first: Duration,
    pub max_attempts: u32,
}

impl Default for Backoff {
    /// 10 attempts: retries after 30 s, 1, 2, 4, 8, 16, 32, 64 and 128 min — the last about
    /// 4 h 15 min after the first.
    fn default() -> Self {
        Backoff {
            first: Duration::from_secs(30),
            max_attempts: 10,
        }
    }
}

impl Backoff {
    /// The longest wait between two attempts.
    pub const MAX_DELAY: Duration = Duration::from_secs(6 * 60 * 60);

    /// How long to wait after `attempts_so_far` failed attempts before the next one.
    pub fn delay(&self, attempts_so_far: u32) -> Duration {
        let doublings = attempts_so_far.saturating_sub(1).min(31);
        self.first
            .saturating_mul(1 << doublings)
            .min(Self::MAX_DELAY)
    }
}

/// Deliveries sent at the same time, so one slow endpoint does not hold up the others.
const CONCURRENCY: usize = 8;
/// How long each request may take, connecting included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// A delivery being sent is pushed this far into the future, so it is not picked up again
/// meanwhile, and is retried if the server stops before its result is recorded.
const LEASE: Duration = Duration::from_secs(60);
/// Pause after the database failed, before trying again.
const DB_ERROR_PAUSE: Duration = Duration::from_secs(5);
/// The longest the worker sleeps without looking at the outbox: deliveries queued by
/// another server process (whose worker may have stopped) are found within this time.
const POLL: Duration = Duration::from_secs(5);
/// Stored `last_error`s are cut to this many characters.
const MAX_ERROR_LEN: usize = 500;

/// Starts the worker that sends due deliveries from the outbox; `wake` tells it that new
/// ones were queued. It runs until aborted or the runtime stops; a delivery interrupted
/// mid-send is sent again after [`LEASE`].
/// Webhooks go only where `targets` allows: every address a host name resolves to is
/// checked before connecting.
pub fn spawn(db: Arc<Db>, wake: Arc<Notify>, backoff: Backoff, targets: Targets) -> JoinHandle<()> {
    tokio::spawn(async move {
        let client = match reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("postpurchase-webhooks/", env!("CARGO_PKG_VERSION")))
            // A redirect would turn the POST into a GET; the shop must give the final URL.
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(Resolver { targets }))
            .build()
        {
            Ok(client) => client,
            Err(e) => {
                tracing::error!(target: "postpurchase::webhooks", error = %e, "cannot build HTTP client; webhooks are not sent");
                return;
            }
        };
        run(db, wake, backoff, client, targets).await;
    })
}

/// Resolves a webhook's host, keeping only the addresses a webhook may go to; a name that
/// resolves to none of those is refused before any connection is made.
struct Resolver {
    targets: Targets,
}

impl reqwest::dns::Resolve for Resolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let targets = self.targets;
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let allowed: Vec<std::net::SocketAddr> = found
                .filter(|address| targets.address_allowed(address.ip()))
                .collect();
            if allowed.is_empty() {
                return Err(REFUSED.into());
            }
            Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Why a webhook was not sent to where its URL points.
const REFUSED: &str = "refused: the address is private, local or reserved";

/// How one attempt ended.
enum Outcome {
    Status(u16),
    Error(String),
}

async fn run(
    db: Arc<Db>,
    wake: Arc<Notify>,
    backoff: Backoff,
    client: reqwest::Client,
    targets: Targets,
) {
    let mut sending: JoinSet<(Delivery, Outcome)> = JoinSet::new();
    loop {
        let mut pause = None;
        let free = CONCURRENCY - sending.len();
        if free > 0 {
            match db
                .claim_deliveries(now_ms(), free, LEASE.as_millis() as i64)
                .await
            {
                Ok(batch) => {
                    for delivery in batch {
                        let client = client.clone();
                        sending.spawn(async move {
                            let outcome = send(&client, &delivery, targets).await;
                            (delivery, outcome)
                        });
                    }
                }
                Err(e) => {
                    tracing::error!(target: "postpurchase::webhooks", error = %e, "cannot read the outbox");
                    pause = Some(DB_ERROR_PAUSE);
                }
            }
        }
        // Sleep until the next delivery is due, unless every sending slot is taken.
        if pause.is_none() && sending.len() < CONCURRENCY {
            pause = match db.next_delivery_due().await {
                Ok(Some(at)) => Some(Duration::from_millis(
                    at.saturating_sub(now_ms()).max(0) as u64
                )),
                Ok(None) => None,
                Err(e) => {
                    tracing::error!(target: "postpurchase::webhooks", error = %e, "cannot read the outbox");
                    Some(DB_ERROR_PAUSE)
                }
            };
        }
        let pause = pause.unwrap_or(POLL).min(POLL);
        tokio::select! {
            Some(joined) = sending.join_next(), if !sending.is_empty() => match joined {
                Ok((delivery, outcome)) => {
                    let attempt = judge(&backoff, &delivery, &outcome, now_ms());
                    match db.record_attempt(&delivery, attempt).await {
                        Ok(true) => {}
                        Ok(false) => tracing::warn!(target: "postpurchase::webhooks", event_id = delivery.event_id, "the delivery's lease ran out before its outcome was recorded; another attempt follows"),
                        Err(e) => tracing::error!(target: "postpurchase::webhooks", event_id = delivery.event_id, error = %e, "cannot record a delivery attempt"),
                    }
                }
                Err(e) => tracing::error!(target: "postpurchase::webhooks", error = %e, "a delivery task failed"),
            },
            _ = wake.notified() => {}
            _ = tokio::time::sleep(pause) => {}
        }
    }
}

async fn send(client: &reqwest::Client, delivery: &Delivery, targets: Targets) -> Outcome {
    // An address written in the URL is not resolved, so it is checked here; a URL set
    // before these rules (or with them off) is held to them all the same.
    let literal = url::Url::parse(&delivery.url)
        .ok()
        .and_then(|url| match url.host() {
            Some(url::Host::Ipv4(ip)) => Some(std::net::IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(std::net::IpAddr::V6(ip)),
            _ => None,
        });
    if literal.is_some_and(|ip| !targets.address_allowed(ip)) {
        return Outcome::Error(REFUSED.to_owned());
    }
    let timestamp = now_ms() / 1000;
    let mut request = client
        .post(&delivery.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("Postpurchase-Event-Id", &delivery.event_id)
        .header("Postpurchase-Timestamp", timestamp.to_string());
    match &delivery.secret {
        Some(secret) => {
            request = request.header(
                "Postpurchase-Signature",
                sign(secret, timestamp, &delivery.body),
            );
        }
        None => tracing::warn!(
            target: "postpurchase::webhooks",
            event_id = delivery.event_id,
            "the shop has no webhook secret; sending unsigned"
        ),
    }
    match request.body(delivery.body.clone()).send().await {
        Ok(response) => Outcome::Status(response.status().as_u16()),
        Err(e) => Outcome::Error(describe(&e)),
    }
}

/// The error and its causes, without the URL (it may hold the shop's credentials).
fn describe(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "timed out".to_owned()
    } else {
        String::new()
    };
    let mut cause: Option<&dyn std::error::Error> = std::error::Error::source(error);
    while let Some(e) = cause {
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&e.to_string());
        cause = e.source();
    }
    if text.is_empty() {
        text = "request failed".to_owned();
    }
    text.chars().take(MAX_ERROR_LEN).collect()
}

/// How an attempt ended, to store: delivered on a 2xx, else retried later or given up.
fn judge(backoff: &Backoff, delivery: &Delivery, outcome: &Outcome, now_ms: i64) -> Attempt {
    let attempts = delivery.attempts + 1;
    let (status, error) = match outcome {
        Outcome::Status(status) => (Some(*status), None),
        Outcome::Error(error) => (None, Some(error.clone())),
    };
    let (state, next_attempt_at) = if status.is_some_and(|s| (200..300).contains(&s)) {
        tracing::info!(target: "postpurchase::webhooks", event_id = delivery.event_id, attempt = attempts, status, "webhook delivered");
        ("delivered", now_ms)
    } else if attempts >= backoff.max_attempts {
        tracing::error!(target: "postpurchase::webhooks", event_id = delivery.event_id, attempt = attempts, status, error, "webhook failed; giving up");
        ("failed", now_ms)
    } else {
        let delay = backoff.delay(attempts);
        tracing::warn!(target: "postpurchase::webhooks", event_id = delivery.event_id, attempt = attempts, status, error, retry_in_ms = delay.as_millis() as u64, "webhook failed; will retry");
        ("pending", now_ms + delay.as_millis() as i64)
    };
    Attempt {
        state,
        attempts,
        next_attempt_at,
        status,
        error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_matches_a_known_vector() {
        // printf '%s' '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
        assert_eq!(
            sign("secret", 1_700_000_000, r#"{"a":1}"#),
            "v1=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686"
        );
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let backoff = Backoff::default();
        let secs: Vec<u64> = (1..backoff.max_attempts)
            .map(|n| backoff.delay(n).as_secs())
            .collect();
        assert_eq!(secs, [30, 60, 120, 240, 480, 960, 1920, 3840, 7680]);
        assert_eq!(backoff.delay(0), Duration::from_secs(30));
        assert_eq!(backoff.delay(20), Backoff::MAX_DELAY);
        assert_eq!(backoff.delay(u32::MAX), Backoff::MAX_DELAY);
    }
}
