//! What every request passes through, around the router, once: the time limit, the log
//! line and security headers, a panic turned into a `500`, CORS, the default body limit
//! and the callers' limits.
//!
//! These wrap the router as one service rather than as `Router::layer`s: axum puts a
//! layer around each of the routes, boxed, and clones a route's whole stack of them on
//! every request it routes, one allocation per layer and another per layer's future.
//! Inside the router only [`KeepRoute`] is left, since only there is the route template
//! known.

use std::convert::Infallible;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Body, HttpBody};
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{BoxError, Router};
use futures_util::FutureExt;
use pin_project_lite::pin_project;
use tower::{Layer, Service};
use tower_http::cors::{Cors, CorsLayer};

use crate::error::ApiError;
use crate::limits::{Attempt, Limiter};
use crate::BODY_DEFAULT;

/// The whole HTTP application as one service (what [`crate::app`] returns).
#[derive(Clone)]
pub struct App {
    inner: Cors<Limited<Router>>,
    time_limit: Option<Duration>,
}

impl App {
    /// `router` (whose routes [`KeepRoute`] wraps) inside CORS and `limiter`'s limits.
    pub(crate) fn new(router: Router, cors: CorsLayer, limiter: Arc<Limiter>) -> App {
        App {
            // Limits inside CORS: preflights are answered before them, and their 429s
            // carry CORS headers.
            inner: cors.layer(Limited {
                inner: router,
                limiter,
            }),
            time_limit: None,
        }
    }

    /// Answers a request that takes longer than `limit` with `503 timeout` (reading a
    /// slow body included); what it started in the database finishes or rolls back on
    /// its own.
    pub fn with_time_limit(mut self, limit: Duration) -> App {
        self.time_limit = Some(limit);
        self
    }
}

impl<B> Service<axum::http::Request<B>> for App
where
    B: HttpBody<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: axum::http::Request<B>) -> Self::Future {
        let started = Instant::now();
        let method = request.method().clone();
        let mut request = request.map(Body::new);
        // The routes that take more or less set their own, inside.
        DefaultBodyLimit::max(BODY_DEFAULT).apply(&mut request);
        // Neither routing nor a handler panics by design; one that does answers 500, and
        // the server goes on.
        let answer = std::panic::catch_unwind(AssertUnwindSafe(|| self.inner.call(request)))
            .map(|answer| AssertUnwindSafe(answer).catch_unwind());
        let time_limit = self.time_limit;
        Box::pin(async move {
            let answer = match answer {
                Ok(answer) => match time_limit {
                    Some(limit) => tokio::time::timeout(limit, answer).await.ok(),
                    None => Some(answer.await),
                },
                Err(panic) => Some(Err(panic)),
            };
            let mut response = match answer {
                Some(Ok(Ok(response))) => response,
                Some(Err(_)) => panicked(),
                None => timed_out(),
            };
            let headers = response.headers_mut();
            headers.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            headers
                .entry(header::REFERRER_POLICY)
                .or_insert(HeaderValue::from_static("no-referrer"));
            // The template, not the path, so capability tokens and order numbers never
            // reach the log.
            let route = response.extensions().get::<MatchedPath>();
            tracing::info!(
                target: "postpurchase::http",
                %method,
                route = route.map_or("(unmatched)", |r| r.as_str()),
                status = response.status().as_u16(),
                micros = started.elapsed().as_micros() as u64,
            );
            Ok(response)
        })
    }
}

fn panicked() -> Response {
    ApiError::internal("handler", "panicked").into_response()
}

fn timed_out() -> Response {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "timeout",
        "The request took too long; nothing more will be done for it. Please try again.",
    )
    .retry_in(1)
    .into_response()
}

/// The callers' limits ([`crate::limits`]) around `inner`.
#[derive(Clone)]
pub struct Limited<S> {
    inner: S,
    limiter: Arc<Limiter>,
}

impl<S> Service<Request> for Limited<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Limiting<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        match crate::limits::admit(&self.limiter, &request) {
            Ok(attempt) => Limiting::Admitted {
                inner: self.inner.call(request),
                attempt: attempt.map(|attempt| (attempt, self.limiter.clone())),
            },
            Err(wait) => Limiting::Refused {
                response: Some(crate::limits::too_many(wait)),
            },
        }
    }
}

pin_project! {
    /// The answer of a [`Limited`] service.
    #[project = LimitingProjection]
    pub enum Limiting<F> {
        Refused { response: Option<Response> },
        Admitted { #[pin] inner: F, attempt: Option<(Attempt, Arc<Limiter>)> },
    }
}

impl<F> Future for Limiting<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            LimitingProjection::Refused { response } => {
                Poll::Ready(Ok(response.take().expect("polled after it was ready")))
            }
            LimitingProjection::Admitted { inner, attempt } => {
                let Ok(response) = ready!(inner.poll(cx));
                if let Some((attempt, limiter)) = attempt.take() {
                    attempt.answered(&limiter, &response);
                }
                Poll::Ready(Ok(response))
            }
        }
    }
}

/// Puts the route's template ([`MatchedPath`]) in its response, for the log line outside
/// the router; the one layer around each route.
#[derive(Clone, Copy, Debug, Default)]
pub struct KeepRouteLayer;

impl<S> Layer<S> for KeepRouteLayer {
    type Service = KeepRoute<S>;

    fn layer(&self, inner: S) -> KeepRoute<S> {
        KeepRoute(inner)
    }
}

/// See [`KeepRouteLayer`].
#[derive(Clone)]
pub struct KeepRoute<S>(S);

impl<S> Service<Request> for KeepRoute<S>
where
    S: Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = KeepingRoute<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        KeepingRoute {
            route: request.extensions().get::<MatchedPath>().cloned(),
            inner: self.0.call(request),
        }
    }
}

pin_project! {
    /// The answer of a [`KeepRoute`] service.
    pub struct KeepingRoute<F> {
        #[pin]
        inner: F,
        route: Option<MatchedPath>,
    }
}

impl<F, E> Future for KeepingRoute<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = ready!(this.inner.poll(cx))?;
        if let Some(route) = this.route.take() {
            response.extensions_mut().insert(route);
        }
        Poll::Ready(Ok(response))
    }
}

#[cfg(test)]
mod tests {
    use axum::routing::get;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;

    fn app_of(router: Router) -> App {
        App::new(
            router.layer(KeepRouteLayer),
            CorsLayer::new(),
            Arc::new(Limiter::new(crate::limits::Limits::default())),
        )
    }

    async fn send(app: App, path: &str) -> (StatusCode, axum::http::HeaderMap, String) {
        let request = axum::http::Request::get(path).body(Body::empty()).unwrap();
        let response = app.oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let body = body.collect().await.unwrap().to_bytes();
        (
            parts.status,
            parts.headers,
            String::from_utf8(body.to_vec()).unwrap(),
        )
    }

    async fn boom() -> &'static str {
        panic!("boom")
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_500_and_the_server_goes_on() {
        let app = app_of(
            Router::new()
                .route("/boom", get(boom))
                .route("/fine", get(|| async { "fine" })),
        );
        let (status, headers, body) = send(app.clone(), "/boom").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(body.contains("\"internal\""), "{body}");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        let (status, _, body) = send(app, "/fine").await;
        assert_eq!((status, &body[..]), (StatusCode::OK, "fine"));
    }

    #[tokio::test]
    async fn a_request_over_the_time_limit_answers_503_timeout() {
        let app = app_of(Router::new().route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(600)).await;
                "late"
            }),
        ))
        .with_time_limit(Duration::from_millis(50));
        let (status, headers, body) = send(app, "/slow").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(body.contains("\"timeout\""), "{body}");
        assert_eq!(headers["retry-after"], "1");
        assert_eq!(headers["referrer-policy"], "no-referrer");
    }

    #[tokio::test]
    async fn every_answer_carries_the_security_headers_and_a_routes_own_referrer_policy_stays() {
        let app = app_of(Router::new().route(
            "/own",
            get(|| async { ([(header::REFERRER_POLICY, "same-origin")], "own") }),
        ));
        let (status, headers, _) = send(app.clone(), "/nowhere").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["referrer-policy"], "no-referrer");
        let (_, headers, _) = send(app, "/own").await;
        assert_eq!(headers["referrer-policy"], "same-origin");
    }
}
