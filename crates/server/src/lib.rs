//! The postpurchase server: the shopper API the widget calls, the admin API merchants feed,
//! the widget's files, the hosted order page and the demo storefront.

pub mod admin;
pub mod choices;
pub mod db;
pub mod delivery;
pub mod domain;
pub mod error;
pub mod openapi;
pub mod referral;
pub mod replay;
pub mod returns;
pub mod reviews;
pub mod seed;
pub mod settings;
pub mod shopper;
pub mod store;
pub mod survey;
pub mod theme;
pub mod tracking;
pub mod web;
pub mod webhooks;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};

pub use db::Db;
use error::ApiError;

/// Command-line flags, each also read from the environment.
#[derive(Clone, Debug, clap::Parser)]
#[command(version, about = "postpurchase API server")]
pub struct Config {
    /// Address the API listens on.
    #[arg(long, env = "PP_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Where the database and other state live.
    #[arg(long, env = "PP_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// SQLite database: `sqlite://path/to/file.sqlite` (default: `<data-dir>/postpurchase.sqlite`).
    #[arg(long, env = "PP_DATABASE_URL")]
    pub database_url: Option<String>,
    /// The built widget (Trunk's output folder).
    #[arg(long, env = "PP_WIDGET_DIR", default_value = "target/widget-dist")]
    pub widget_dir: PathBuf,
    /// Origin under which browsers reach this server, for links and the loader.
    #[arg(long, env = "PP_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Seed a sample shop and serve a demo storefront on this address.
    #[arg(long, env = "PP_DEMO_STOREFRONT")]
    pub demo_storefront: Option<SocketAddr>,
}

impl Config {
    /// The SQLite file this configuration points at.
    pub fn database_path(&self) -> Result<PathBuf, String> {
        match &self.database_url {
            None => Ok(self.data_dir.join("postpurchase.sqlite")),
            Some(url) => url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
                .map(PathBuf::from)
                .ok_or_else(|| {
                    if url.starts_with("postgres") {
                        format!("PostgreSQL is not supported yet; use sqlite://FILE (got {url})")
                    } else {
                        format!("unsupported database URL (expected sqlite://FILE): {url}")
                    }
                }),
        }
    }

    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
            .trim_end_matches('/')
            .to_owned()
    }
}

/// The time the server believes it is, in Unix seconds; tests set it.
#[derive(Clone)]
pub struct Clock(Option<Arc<AtomicI64>>);

impl Clock {
    pub fn system() -> Clock {
        Clock(None)
    }

    /// A clock that stays where tests put it.
    pub fn fixed(unix_seconds: i64) -> Clock {
        Clock(Some(Arc::new(AtomicI64::new(unix_seconds))))
    }

    pub fn set(&self, unix_seconds: i64) {
        if let Some(t) = &self.0 {
            t.store(unix_seconds, Ordering::SeqCst);
        }
    }

    pub fn now(&self) -> i64 {
        match &self.0 {
            Some(t) => t.load(Ordering::SeqCst),
            None => time::OffsetDateTime::now_utc().unix_timestamp(),
        }
    }
}

/// Everything a handler may need, shared by all requests.
#[derive(Clone)]
pub struct AppState {
    pub db: Arc<Db>,
    pub clock: Clock,
    pub public_url: String,
    pub widget: Arc<web::WidgetFiles>,
    /// Wakes the webhook worker after a change queued a webhook.
    pub webhooks: Arc<tokio::sync::Notify>,
}

/// The whole HTTP application; tests drive it with `oneshot`.
pub fn app(state: AppState) -> Router {
    let cors_state = state.clone();
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin, parts| {
            shopper::origin_allowed(&cors_state, origin, parts.uri.path())
        }))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([header::ETAG])
        .max_age(std::time::Duration::from_secs(600));

    Router::new()
        .merge(shopper::router())
        .merge(choices::router())
        .merge(admin::router())
        .merge(tracking::router())
        .merge(settings::router())
        .merge(referral::router())
        .merge(survey::router())
        .merge(reviews::router())
        .merge(returns::router())
        .merge(theme::router())
        .merge(web::router())
        .route(openapi::PATH, get(openapi::serve))
        .route("/healthz", get(|| async { "ok" }))
        .fallback(|| async { ApiError::not_found() })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "This address does not accept that method.",
            )
        })
        // Outside the routes, so preflights reach it; it allows only shopper paths anyway.
        .layer(cors)
        .layer(CatchPanicLayer::custom(
            |_: Box<dyn std::any::Any + Send>| {
                ApiError::internal("handler", "panicked").into_response()
            },
        ))
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

/// Logs one line per request: method, route template, status and time. The template,
/// not the path, so capability tokens and order numbers never reach the log.
async fn log_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "(unmatched)".to_owned());
    let response = next.run(request).await;
    tracing::info!(
        target: "postpurchase::http",
        %method,
        route,
        status = response.status().as_u16(),
        micros = started.elapsed().as_micros() as u64,
    );
    response
}

async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers
        .entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("no-referrer"));
    response
}

/// Opens the database, seeds the demo if asked, and serves until SIGTERM or Ctrl-C.
pub async fn run(config: Config) -> Result<(), String> {
    std::fs::create_dir_all(&config.data_dir)
        .map_err(|e| format!("cannot create data dir {}: {e}", config.data_dir.display()))?;
    let path = config.database_path()?;
    let db = Arc::new(Db::open(&path).map_err(|e| format!("cannot open {}: {e}", path.display()))?);
    let public_url = config.public_url();
    let widget = Arc::new(web::WidgetFiles::load(&config.widget_dir, &public_url));
    if widget.is_empty() {
        tracing::warn!(dir = %config.widget_dir.display(), "no built widget found; run scripts/build-widget.sh");
    }
    let state = AppState {
        db,
        clock: Clock::system(),
        public_url: public_url.clone(),
        widget,
        webhooks: Arc::new(tokio::sync::Notify::new()),
    };
    let _webhook_worker = webhooks::spawn(
        state.db.clone(),
        state.webhooks.clone(),
        webhooks::Backoff::default(),
    );

    let storefront = match config.demo_storefront {
        Some(addr) => {
            let storefront_origin = format!("http://{addr}");
            let demo = seed::seed_demo(&state, &storefront_origin)
                .map_err(|e| format!("demo seed failed: {e}"))?;
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
            println!(
                "Demo storefront: {storefront_origin}/  (admin API key of shop `demo`: {})\n\
                 Theme playground: {storefront_origin}/theme",
                demo.api_key
            );
            let router = web::storefront_router(state.clone(), Arc::new(demo));
            Some(tokio::spawn(async move {
                axum::serve(listener, router)
                    .with_graceful_shutdown(shutdown_signal())
                    .await
            }))
        }
        None => None,
    };

    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    println!("API listening on {public_url}");
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| e.to_string())?;
    if let Some(task) = storefront {
        let _ = task.await;
    }
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::Config;

    #[test]
    fn flags_set_addresses_and_storage() {
        let config = Config::try_parse_from([
            "postpurchase-server",
            "--listen",
            "0.0.0.0:9000",
            "--data-dir",
            "/var/lib/pp",
            "--public-url",
            "https://orders.example/",
        ])
        .unwrap();
        assert_eq!(config.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(
            config.database_path().unwrap(),
            std::path::Path::new("/var/lib/pp/postpurchase.sqlite")
        );
        assert_eq!(config.public_url(), "https://orders.example");
    }

    #[test]
    fn database_urls_are_checked() {
        let with = |url: &str| {
            Config::try_parse_from(["s", "--database-url", url])
                .unwrap()
                .database_path()
        };
        assert_eq!(
            with("sqlite:///tmp/a.db").unwrap(),
            std::path::Path::new("/tmp/a.db")
        );
        assert_eq!(with("sqlite:b.db").unwrap(), std::path::Path::new("b.db"));
        assert!(with("postgres://db/pp")
            .unwrap_err()
            .contains("PostgreSQL is not supported yet"));
        assert!(with("mysql://db")
            .unwrap_err()
            .contains("unsupported database URL"));
        assert!(Config::try_parse_from(["s", "--listen", "not-an-address"]).is_err());
    }
}
