//! The postpurchase server: the shopper API the widget calls, the admin API merchants feed,
//! the widget's files, the hosted order page and the demo storefront.

pub mod admin;
pub mod analytics;
pub mod around;
pub mod care;
pub mod changes;
pub mod choices;
pub mod cli;
pub mod console;
pub mod console_app;
pub mod db;
pub mod delays;
pub mod domain;
pub mod error;
pub mod extract;
pub mod feeds;
pub mod limits;
pub mod loyalty;
pub mod maintenance;
pub mod openapi;
pub mod photos;
pub mod platforms;
pub mod referral;
pub mod replay;
pub mod returns;
pub mod reviews;
pub mod seed;
pub mod serve;
pub mod settings;
pub mod shopper;
pub mod store;
pub mod survey;
pub mod theme;
pub mod tracking;
pub mod upgrades;
pub mod views;
pub mod web;
pub mod webhooks;
pub mod words;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use axum::http::{header, HeaderValue, Method};
use axum::routing::get;
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};

pub use db::Db;
use error::ApiError;

/// Where the data lives, for the server and the operator commands alike.
#[derive(Clone, Debug, clap::Args)]
pub struct Storage {
    /// Where the SQLite database (and other state) lives.
    #[arg(long, env = "PP_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// The database: `sqlite://FILE` (the default is `<data-dir>/postpurchase.sqlite`) or
    /// `postgres://user:password@host/database` (also `?host=/socket/dir`).
    #[arg(long, env = "PP_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Connections to PostgreSQL per process (default: two per core, at least 4).
    #[arg(long, env = "PP_DATABASE_POOL", global = true)]
    pub database_pool: Option<usize>,
}

impl Storage {
    /// The database URL these flags point at.
    pub fn url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}",
                self.data_dir.join("postpurchase.sqlite").display()
            )
        })
    }

    /// Opens the database (creating the data folder for the default SQLite file) and
    /// brings its schema up to date.
    pub async fn open(&self) -> Result<Db, String> {
        let url = self.url();
        if url.starts_with("sqlite:") {
            std::fs::create_dir_all(&self.data_dir)
                .map_err(|e| format!("cannot create data dir {}: {e}", self.data_dir.display()))?;
        }
        Db::open_pooled(&url, self.database_pool)
            .await
            .map_err(|e| format!("cannot open the database {}: {e}", redacted(&url)))
    }
}

/// The cores this process may use (2 when the system will not say): what the database
/// pools, the SQLite readers and the password hashing are sized by.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// A database URL fit for a log or an error: without its password.
pub fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// The server's flags, each also read from the environment.
#[derive(Clone, Debug, clap::Args)]
pub struct Config {
    /// Address the API listens on.
    #[arg(long, env = "PP_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub storage: Storage,
    /// The built widget (Trunk's output folder).
    #[arg(long, env = "PP_WIDGET_DIR", default_value = "target/widget-dist")]
    pub widget_dir: PathBuf,
    /// The built console (Trunk's output folder for `crates/console`).
    #[arg(long, env = "PP_CONSOLE_DIR", default_value = "target/console-dist")]
    pub console_dir: PathBuf,
    /// Origin under which browsers reach this server, for links and the loader.
    #[arg(long, env = "PP_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Seed a sample shop and serve a demo storefront on this address (implies
    /// --dev-webhooks: the storefront takes the demo shop's webhooks on plain http).
    #[arg(long, env = "PP_DEMO_STOREFRONT")]
    pub demo_storefront: Option<SocketAddr>,
    /// Development only: webhooks may go to plain http and to this machine or private
    /// networks. Never in production: it lets a shop aim webhooks at the server's own
    /// network.
    #[arg(long, env = "PP_DEV_WEBHOOKS")]
    pub dev_webhooks: bool,
    #[command(flatten)]
    pub limits: limits::Limits,
    /// Megabytes of order views kept ready to send (0: build every view).
    #[arg(long, env = "PP_VIEW_CACHE_MB", default_value_t = views::DEFAULT_MB)]
    pub view_cache_mb: u64,
    #[command(flatten)]
    pub connections: serve::ConnectionLimits,
}

impl Config {
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

/// Everything a handler may need, shared by all requests: one counted reference, so the
/// clones every layer and extractor makes of it cost one atomic increment each.
#[derive(Clone)]
pub struct AppState(Arc<AppShared>);

impl AppState {
    pub fn new(shared: AppShared) -> AppState {
        AppState(Arc::new(shared))
    }

    /// Changes a part before the state is shared (tests): a copy if it is shared already.
    pub fn edit(&mut self) -> &mut AppShared {
        Arc::make_mut(&mut self.0)
    }
}

impl std::ops::Deref for AppState {
    type Target = AppShared;

    fn deref(&self) -> &AppShared {
        &self.0
    }
}

/// The parts of [`AppState`].
#[derive(Clone)]
pub struct AppShared {
    pub db: Arc<Db>,
    pub clock: Clock,
    pub public_url: String,
    pub widget: Arc<web::WidgetFiles>,
    /// Wakes the webhook worker after a change queued a webhook.
    pub webhooks: Arc<tokio::sync::Notify>,
    /// Where webhooks may go.
    pub webhook_targets: domain::targets::Targets,
    /// What one caller may do.
    pub limiter: Arc<limits::Limiter>,
    /// Order views kept ready to send.
    pub views: Arc<views::Views>,
    /// The shops' allowed origins, for CORS and the embed check.
    pub origins: Arc<shopper::Origins>,
    /// The merchants' console, served at `/admin/`.
    pub console: Arc<console_app::ConsoleFiles>,
}

/// The largest request body most routes take: settings, answers, reviews.
pub const BODY_DEFAULT: usize = 16 * 1024;
/// A delivery choice.
pub const BODY_SMALL: usize = 4 * 1024;
/// A parcel's or a return's list of items.
pub const BODY_LIST: usize = 64 * 1024;
/// An order with its lines.
pub const BODY_ORDER: usize = 256 * 1024;
/// Stock levels, up to 1,000 at a time.
pub const BODY_STOCK: usize = 1024 * 1024;

/// The routes that take more or less than [`BODY_DEFAULT`], by path template: what the
/// routers enforce and the OpenAPI document says.
const BODY_LIMITS: [(&str, usize); 11] = [
    (photos::PHOTOS_PATH, photos::BODY_PHOTO),
    (feeds::FEED_PATH, BODY_ORDER),
    (platforms::PLATFORM_PATH, BODY_ORDER),
    (choices::CHOICE_PATH, BODY_SMALL),
    (changes::CHANGES_PATH, BODY_SMALL),
    (upgrades::UPGRADE_PATH, BODY_SMALL),
    (admin::ORDERS_PATH, BODY_ORDER),
    (tracking::SHIPMENTS_PATH, BODY_LIST),
    (returns::RETURNS_PATH, BODY_LIST),
    (returns::QUOTE_PATH, BODY_LIST),
    (returns::INVENTORY_PATH, BODY_STOCK),
];

/// The largest body the route at `path` (a template, as routed) takes.
pub fn body_limit(path: &str) -> usize {
    BODY_LIMITS
        .iter()
        .find(|(route, _)| *route == path)
        .map_or(BODY_DEFAULT, |(_, limit)| *limit)
}

/// The layer that bounds the bodies of the route at `path`.
pub(crate) fn body_limit_layer(path: &str) -> axum::extract::DefaultBodyLimit {
    axum::extract::DefaultBodyLimit::max(body_limit(path))
}

/// The whole HTTP application; tests drive it with `oneshot`.
pub fn app(state: AppState) -> around::App {
    let cors_state = state.clone();
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::async_predicate(
            move |origin: HeaderValue, parts: &axum::http::request::Parts| {
                let state = cors_state.clone();
                let path = parts.uri.path().to_owned();
                async move { shopper::origin_allowed(&state, &origin, &path).await }
            },
        ))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([header::ETAG])
        .max_age(std::time::Duration::from_secs(600));

    let router = Router::new()
        .merge(shopper::router())
        .merge(choices::router())
        .merge(changes::router())
        .merge(care::router())
        .merge(upgrades::router())
        .merge(admin::router())
        .merge(analytics::router())
        .merge(feeds::router())
        .merge(delays::router())
        .merge(platforms::router())
        .merge(console::router())
        .merge(tracking::router())
        .merge(settings::router())
        .merge(referral::router())
        .merge(loyalty::router())
        .merge(survey::router())
        .merge(reviews::router())
        .merge(photos::router())
        .merge(words::router())
        .merge(returns::router())
        .merge(theme::router())
        .merge(web::router())
        .merge(console_app::router())
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
        .layer(around::KeepRouteLayer)
        .with_state(state.clone());
    around::App::new(router, cors, state.limiter.clone())
}

/// Opens the database, seeds the demo if asked, and serves until SIGTERM or Ctrl-C.
pub async fn run(config: Config) -> Result<(), String> {
    let db = Arc::new(config.storage.open().await?);
    let public_url = config.public_url();
    let widget = Arc::new(web::WidgetFiles::load(&config.widget_dir, &public_url));
    if widget.is_empty() {
        tracing::warn!(dir = %config.widget_dir.display(), "no built widget found; run scripts/build-widget.sh");
    }
    let console = Arc::new(console_app::ConsoleFiles::load(&config.console_dir));
    if console.is_empty() {
        tracing::warn!(dir = %config.console_dir.display(), "no built console found; run scripts/build-console.sh");
    }
    let state = AppState::new(AppShared {
        db,
        clock: Clock::system(),
        public_url: public_url.clone(),
        widget,
        webhooks: Arc::new(tokio::sync::Notify::new()),
        webhook_targets: domain::targets::Targets {
            dev: config.dev_webhooks || config.demo_storefront.is_some(),
        },
        limiter: Arc::new(limits::Limiter::new(config.limits.clone())),
        views: Arc::new(views::Views::new(config.view_cache_mb)),
        origins: Arc::default(),
        console,
    });
    if state.webhook_targets.dev {
        tracing::warn!("webhooks may go to plain http and to private addresses (development only)");
    }
    let _webhook_worker = webhooks::spawn(
        state.db.clone(),
        state.webhooks.clone(),
        webhooks::Backoff::default(),
        state.webhook_targets,
    );
    let _purger = maintenance::spawn(
        state.db.clone(),
        state.clock.clone(),
        maintenance::PURGE_EVERY,
    );
    let _forgetter = maintenance::forget_idle_callers(state.limiter.clone());
    let _delays = maintenance::check_delays(state.clone(), maintenance::CHECK_DELAYS_EVERY);

    let storefront = match config.demo_storefront {
        Some(addr) => {
            let storefront_origin = format!("http://{addr}");
            let demo = seed::seed_demo(&state, &storefront_origin)
                .await
                .map_err(|e| format!("demo seed failed: {e}"))?;
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
            println!(
                "Demo storefront: {storefront_origin}/  (admin API key of shop `demo`: {})\n\
                 Theme playground: {storefront_origin}/theme\n\
                 Console: {public_url}/admin/  (shop `{}`, {} or {}, password `{}`)",
                demo.api_key,
                seed::SHOP,
                seed::DEMO_STAFF[0].0,
                seed::DEMO_STAFF[1].0,
                seed::demo_password(),
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
    serve::serve(listener, app(state), config.connections, shutdown_signal())
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

    #[derive(clap::Parser)]
    struct Flags {
        #[command(flatten)]
        config: Config,
    }

    fn parse(args: &[&str]) -> Result<Config, clap::Error> {
        Flags::try_parse_from(std::iter::once("s").chain(args.iter().copied())).map(|f| f.config)
    }

    #[test]
    fn flags_set_addresses_and_storage() {
        let config = parse(&[
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
            config.storage.url(),
            "sqlite:///var/lib/pp/postpurchase.sqlite"
        );
        assert_eq!(config.public_url(), "https://orders.example");
        let url = "postgres://pp:secret@db.internal/pp";
        let config = parse(&["--database-url", url]).unwrap();
        assert_eq!(config.storage.url(), url);
        assert!(parse(&["--listen", "not-an-address"]).is_err());
    }

    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(
            super::redacted("postgres://pp:secret@db.internal/pp"),
            "postgres://pp:***@db.internal/pp"
        );
        assert_eq!(
            super::redacted("sqlite://data/pp.sqlite"),
            "sqlite://data/pp.sqlite"
        );
    }
}
