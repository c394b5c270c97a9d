//! Limits on what one caller may do (OWASP API4 and API6): requests per capability token
//! (reads and changes apart), per admin API key, and failed attempts (unknown tokens,
//! wrong keys, wrong passwords) per client address. A caller over a limit gets `429 too_many_requests`
//! with `Retry-After`, before anything is looked up. Every limit is a setting.
//!
//! These count in each server process (several processes behind a load balancer each
//! allow as much). The limits that must hold across processes live in the database with
//! the rule they guard: choice changes per parcel and hour, one slot place per order.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request};
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::error::ApiError;

/// So many requests per period, in bursts of up to so many: `20/s`, `30/min`, `600/h`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub count: NonZeroU32,
    pub per: Duration,
}

impl FromStr for Rate {
    type Err = String;

    fn from_str(text: &str) -> Result<Rate, String> {
        let bad = || format!("`{text}` is not a rate such as 20/s, 30/min or 600/h");
        let (count, unit) = text.trim().split_once('/').ok_or_else(bad)?;
        let count = count.trim().parse::<NonZeroU32>().map_err(|_| bad())?;
        let per = match unit.trim() {
            "s" => Duration::from_secs(1),
            "min" => Duration::from_secs(60),
            "h" => Duration::from_secs(3600),
            _ => return Err(bad()),
        };
        Ok(Rate { count, per })
    }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = match self.per.as_secs() {
            1 => "s",
            60 => "min",
            _ => "h",
        };
        write!(f, "{}/{unit}", self.count)
    }
}

impl Rate {
    fn quota(self) -> Quota {
        let every = self.per / self.count.get();
        Quota::with_period(every.max(Duration::from_nanos(1)))
            .expect("a period above zero")
            .allow_burst(self.count)
    }
}

/// The limits, each a flag and an environment variable.
#[derive(Clone, Debug, clap::Args)]
pub struct Limits {
    /// Requests per capability token that read (order views, modules, pages).
    #[arg(long, env = "PP_LIMIT_SHOPPER_READS", default_value = "20/s")]
    pub shopper_reads: Rate,
    /// Requests per capability token that change something (choices, returns, reviews,
    /// answers).
    #[arg(long, env = "PP_LIMIT_SHOPPER_WRITES", default_value = "30/min")]
    pub shopper_writes: Rate,
    /// Requests per admin API key.
    #[arg(long, env = "PP_LIMIT_ADMIN", default_value = "100/s")]
    pub admin: Rate,
    /// Failed attempts per client address (a token that opens nothing, a wrong API key);
    /// once spent, that address waits before anything more is looked up.
    #[arg(long, env = "PP_LIMIT_FAILURES", default_value = "30/min")]
    pub failures: Rate,
    /// Changes of one parcel's delivery choice per hour, across all server processes.
    #[arg(long, env = "PP_LIMIT_CHOICE_CHANGES", default_value_t = 10)]
    pub choice_changes_per_hour: u32,
    /// The header your load balancer puts the client's address in (its last value is
    /// used, e.g. X-Forwarded-For); without it, the connection's peer address.
    #[arg(long, env = "PP_CLIENT_IP_HEADER")]
    pub client_ip_header: Option<String>,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            shopper_reads: "20/s".parse().expect("a rate"),
            shopper_writes: "30/min".parse().expect("a rate"),
            admin: "100/s".parse().expect("a rate"),
            failures: "30/min".parse().expect("a rate"),
            choice_changes_per_hour: 10,
            client_ip_header: None,
        }
    }
}

/// Who a limit counts: a token's or key's hash (keyed with this process's random seed,
/// so the secret is never kept and nobody can aim at a bucket), or a client address.
type Key = u64;

/// The limiters of one server process.
pub struct Limiter {
    pub limits: Limits,
    shopper_reads: DefaultKeyedRateLimiter<Key>,
    shopper_writes: DefaultKeyedRateLimiter<Key>,
    admin: DefaultKeyedRateLimiter<Key>,
    failures: DefaultKeyedRateLimiter<IpAddr>,
    /// Addresses that spent their failures, and until when they wait.
    waiting: Mutex<HashMap<IpAddr, Instant>>,
    /// Whether `waiting` may hold anyone: most of the time nobody, and then no request
    /// takes its lock.
    anyone_waiting: AtomicBool,
    /// The seed of the keys' hash.
    seed: RandomState,
}

impl Limiter {
    pub fn new(limits: Limits) -> Limiter {
        Limiter {
            shopper_reads: DefaultKeyedRateLimiter::keyed(limits.shopper_reads.quota()),
            shopper_writes: DefaultKeyedRateLimiter::keyed(limits.shopper_writes.quota()),
            admin: DefaultKeyedRateLimiter::keyed(limits.admin.quota()),
            failures: DefaultKeyedRateLimiter::keyed(limits.failures.quota()),
            waiting: Mutex::new(HashMap::new()),
            anyone_waiting: AtomicBool::new(false),
            seed: RandomState::new(),
            limits,
        }
    }

    /// How long `address` still waits for having spent its failures.
    fn waits(&self, address: IpAddr) -> Option<Duration> {
        if !self.anyone_waiting.load(Ordering::Acquire) {
            return None;
        }
        let waiting = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
        let until = *waiting.get(&address)?;
        until.checked_duration_since(Instant::now())
    }

    /// Counts a failed attempt of `address`; one too many makes it wait.
    fn failed(&self, address: IpAddr) {
        if let Err(not_until) = self.failures.check_key(&address) {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let mut waiting = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
            waiting.insert(address, Instant::now() + wait);
            self.anyone_waiting.store(true, Ordering::Release);
        }
    }

    /// Forgets callers whose limits are full again, so the tables stay small.
    pub fn forget_idle(&self) {
        for limiter in [&self.shopper_reads, &self.shopper_writes, &self.admin] {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        self.failures.retain_recent();
        self.failures.shrink_to_fit();
        let now = Instant::now();
        let mut waiting = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
        waiting.retain(|_, until| *until > now);
        if waiting.is_empty() {
            self.anyone_waiting.store(false, Ordering::Release);
        }
    }

    /// The key a limit counts a secret by: the secret itself is never kept.
    fn key_of(&self, secret: &str) -> Key {
        self.seed.hash_one(secret)
    }
}

/// `429 too_many_requests`, with when to try again.
pub fn too_many(wait: Duration) -> Response {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_requests",
        "Too many requests; please wait a moment and try again.",
    )
    .retry_in(seconds.clamp(1, u64::from(u32::MAX)) as u32)
    .into_response()
}

/// Checks a limit; how long to wait when it is spent.
fn check<K: std::hash::Hash + Eq + Clone>(
    limiter: &DefaultKeyedRateLimiter<K>,
    key: &K,
) -> Result<(), Duration> {
    limiter
        .check_key(key)
        .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
}

/// The client's address: from the configured header's last value, else the peer's.
fn client_address(request: &Request, header_name: Option<&str>) -> IpAddr {
    let from_header = header_name.and_then(|name| {
        let values: Vec<&str> = request
            .headers()
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        values
            .iter()
            .rev()
            .find_map(|part| part.trim().parse::<IpAddr>().ok())
    });
    from_header
        .or_else(|| {
            request
                .extensions()
                .get::<ConnectInfo<std::net::SocketAddr>>()
                .map(|info| info.0.ip())
        })
        .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
}

/// A request let through, watched for whether its answer is a failed attempt.
#[derive(Debug)]
pub struct Attempt {
    address: IpAddr,
    shopper: bool,
    asked: bool,
}

/// Limits shopper requests by token, admin requests by key, and every address by its
/// failed attempts: what to watch in the answer (nothing for a request no limit applies
/// to), or how long the caller is to wait (answered with [`too_many`]).
pub fn admit(limiter: &Limiter, request: &Request) -> Result<Option<Attempt>, Duration> {
    let path = request.uri().path();
    let token = shopper_token(path);
    let admin = path.starts_with("/api/v1/admin/");
    let console = path.starts_with("/api/v1/console/");
    // A feed's or a platform's wrong signature is a failed attempt like a wrong key.
    let feed = path.starts_with("/api/v1/feeds/") || path.starts_with("/api/v1/platforms/");
    // Open to any page: kept to a shopper's pace per address.
    let embed_check = path.starts_with("/api/v1/embed-check/");
    if token.is_none() && !admin && !console && !feed && !embed_check {
        return Ok(None);
    }
    let address = client_address(request, limiter.limits.client_ip_header.as_deref());
    // An address that spent its failures waits, before anything is looked up.
    if let Some(wait) = limiter.waits(address) {
        return Err(wait);
    }
    let spent = if let Some(token) = token {
        let limiter_of = if request.method() == Method::GET || request.method() == Method::HEAD {
            &limiter.shopper_reads
        } else {
            &limiter.shopper_writes
        };
        check(limiter_of, &limiter.key_of(token))
    } else if embed_check {
        check(
            &limiter.shopper_reads,
            &limiter.key_of(&address.to_string()),
        )
    } else {
        // A machine by its key, a person by their session.
        match request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .or_else(|| crate::extract::session_cookie(request.headers()))
        {
            Some(key) => check(&limiter.admin, &limiter.key_of(key)),
            None => Ok(()),
        }
    };
    spent?;
    Ok(Some(Attempt {
        address,
        shopper: token.is_some(),
        // The console asking whether it is signed in is no failed attempt.
        asked: console && request.method() == Method::GET,
    }))
}

impl Attempt {
    /// An answer that says a token opened nothing or a key was wrong spends one of the
    /// address's failures.
    pub fn answered(self, limiter: &Limiter, response: &Response) {
        let failed = (response.status() == StatusCode::UNAUTHORIZED && !self.asked)
            || (self.shopper
                && response.status() == StatusCode::NOT_FOUND
                && opened_nothing(response));
        if failed {
            limiter.failed(self.address);
        }
    }
}

/// The capability token in a shopper path (`/api/v1/shops/{shop}/orders/{token}/…` or
/// the hosted pages' `/o/{shop}/{token}/…`).
fn shopper_token(path: &str) -> Option<&str> {
    let mut parts = path.split('/').skip(1);
    match (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) {
        (Some("api"), Some("v1"), Some("shops"), Some(_), Some("orders"), Some(token)) => {
            Some(token)
        }
        (Some("o"), Some(_), Some(token), ..) => Some(token),
        _ => None,
    }
    .filter(|token| !token.is_empty())
}

/// Whether a 404 is the one for a token that opens no order (not a missing return, say).
fn opened_nothing(response: &Response) -> bool {
    response
        .extensions()
        .get::<crate::error::ErrorCode>()
        .is_some_and(|code| code.0 == "order_not_found")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_as_people_write_them() {
        let rate: Rate = "30/min".parse().unwrap();
        assert_eq!((rate.count.get(), rate.per), (30, Duration::from_secs(60)));
        assert_eq!(rate.to_string(), "30/min");
        assert_eq!("20/s".parse::<Rate>().unwrap().per, Duration::from_secs(1));
        assert_eq!("600/h".parse::<Rate>().unwrap().count.get(), 600);
        for bad in ["", "30", "0/s", "-1/s", "30/day", "x/min"] {
            assert!(bad.parse::<Rate>().is_err(), "{bad}");
        }
    }

    #[test]
    fn tokens_are_found_in_shopper_paths_only() {
        assert_eq!(
            shopper_token("/api/v1/shops/demo/orders/AAAA/returns"),
            Some("AAAA")
        );
        assert_eq!(shopper_token("/o/demo/BBBB"), Some("BBBB"));
        assert_eq!(
            shopper_token("/o/demo/BBBB/returns/1-R1/label"),
            Some("BBBB")
        );
        assert_eq!(shopper_token("/api/v1/admin/orders"), None);
        assert_eq!(shopper_token("/widget/postpurchase.js"), None);
        assert_eq!(shopper_token("/api/v1/shops/demo/orders/"), None);
    }
}
