//! Serving connections, with limits on each: how many connections at once, how long a
//! client may take to send a request's headers (or to send one at all on an idle
//! connection), and how long a whole request may take. So half-open and idle connections
//! are closed, and a flood of them waits in the kernel's queue instead of in memory.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

use crate::around::App;

/// Limits on connections, each a flag and an environment variable.
#[derive(Clone, Copy, Debug, clap::Args)]
pub struct ConnectionLimits {
    /// Connections served at once; more wait to be accepted.
    #[arg(long, env = "PP_MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,
    /// Seconds a client may take to send a request's headers, or to start one on an idle
    /// connection; then the connection is closed.
    #[arg(long, env = "PP_HEADER_TIMEOUT", default_value_t = 10)]
    pub header_timeout: u64,
    /// Seconds a request may take, its body included; then it is answered with `503`.
    #[arg(long, env = "PP_REQUEST_TIMEOUT", default_value_t = 30)]
    pub request_timeout: u64,
}

impl Default for ConnectionLimits {
    fn default() -> ConnectionLimits {
        ConnectionLimits {
            max_connections: 1024,
            header_timeout: 10,
            request_timeout: 30,
        }
    }
}

/// How long requests still running may take to finish once the server is stopping.
const DRAIN: Duration = Duration::from_secs(30);

/// Serves `app` on `listener` until `shutdown`, then lets the requests in flight finish
/// (for up to 30 s).
pub async fn serve(
    listener: TcpListener,
    app: App,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let app = app.with_time_limit(Duration::from_secs(limits.request_timeout));
    let graceful = GracefulShutdown::new();
    let free = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let header_timeout = Duration::from_secs(limits.header_timeout.max(1));
    tokio::pin!(shutdown);
    loop {
        // A connection over the limit is not accepted until one closes: it waits in the
        // listen queue, holding no memory here.
        let permit = tokio::select! {
            permit = free.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, say: wait a moment rather than spin.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service =
            app.clone()
                .map_request(move |mut request: Request<hyper::body::Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(peer));
                    request
                });
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still running after {DRAIN:?}; stopping anyway");
    }
    Ok(())
}
