//! The API the widget calls from the shopper's browser, reached only by capability token.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use postpurchase_api::{ErrorBody, OrderView, OriginCheck};

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::db::Db;
use crate::error::{ApiError, Path};
use crate::extract::IfNoneMatch;
use crate::views::Ready;
use crate::AppState;

pub const ORDER_VIEW_PATH: &str = "/api/v1/shops/{shop}/orders/{token}";

pub const EMBED_CHECK_PATH: &str = "/api/v1/embed-check/{shop}";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(ORDER_VIEW_PATH, get(order_view))
        .route(EMBED_CHECK_PATH, get(embed_check))
}

/// Whether the page asking may run the widget for this shop, answered to any origin: a
/// page whose origin is not allowed cannot read the shopper API's answers (CORS), so its
/// loader asks here and tells the developer which setting to change. It says only what the
/// asking page's browser already shows (its own origin, and whether the shop exists, as
/// the embed tag names it), never the shop's list.
#[utoipa::path(
    get,
    path = "/api/v1/embed-check/{shop}",
    tag = "shopper",
    params(("shop" = String, Path, description = "The shop's slug, as on the embed tag")),
    responses(
        (status = 200, description = "The asking page's origin (from the browser's `Origin` header; `null` without one) and whether the shop allows it", body = OriginCheck),
        (status = 404, description = "`shop_not_found`: no shop by this slug", body = ErrorBody),
    )
)]
pub async fn embed_check(
    State(state): State<AppState>,
    Path(shop): Path<String>,
    headers: HeaderMap,
) -> Response {
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| *o != "null" && o.len() <= 200)
        .map(str::to_owned);
    let mut answer = match state
        .origins
        .allow(&state.db, &shop, origin.as_deref())
        .await
    {
        Ok(Some(allowed)) => axum::Json(OriginCheck { origin, allowed }).into_response(),
        Ok(None) => ApiError::new(
            StatusCode::NOT_FOUND,
            "shop_not_found",
            "There is no shop by this name here: check data-shop on the embed tag.",
        )
        .into_response(),
        Err(e) => e.into_response(),
    };
    let headers = answer.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    answer
}

/// The order a capability token opens.
#[utoipa::path(
    get,
    path = "/api/v1/shops/{shop}/orders/{token}",
    tag = "shopper",
    params(
        ("shop" = String, Path, description = "The shop's slug"),
        ("token" = String, Path, description = "The order's capability token"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the view the caller has"),
    ),
    responses(
        (status = 200, description = "The order, with personal data masked; its ETag changes when the order does", body = OrderView),
        (status = 304, description = "Unchanged since the ETag sent in If-None-Match"),
        (status = 404, description = "No such order, or the token is wrong, expired or another shop's", body = ErrorBody),
    )
)]
pub async fn order_view(
    State(state): State<AppState>,
    Path((shop, token)): Path<(String, String)>,
    if_none_match: IfNoneMatch,
) -> Result<Response, ApiError> {
    let now = state.clock.now();
    // One indexed read: the token is still good, and which state the order is in. The
    // kept view is sent when it shows that state; otherwise it is built again.
    let stamp = state.views.stamp(&state.db, &shop, &token, now).await?;
    let ready = match state.views.get(&stamp, now) {
        Some(ready) => ready,
        None => {
            let ready = Arc::new(Ready::of(
                state.db.order_view_of(stamp.order_id, now).await?,
            )?);
            state.views.keep(ready.clone());
            ready
        }
    };
    let unchanged = if_none_match.matches(&ready.etag);
    let cache = HeaderValue::from_static("private, no-cache");
    Ok(if unchanged {
        (
            StatusCode::NOT_MODIFIED,
            [
                (header::ETAG, ready.etag.clone()),
                (header::CACHE_CONTROL, cache),
            ],
        )
            .into_response()
    } else {
        (
            [
                (header::ETAG, ready.etag.clone()),
                (header::CACHE_CONTROL, cache),
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                ),
            ],
            ready.body.clone(),
        )
            .into_response()
    })
}

/// Whether a browser on `origin` may call the shopper API at `path`: only the exact origins
/// the shop named, as [`Origins`] last read them. Anything that is not a shop's path is
/// refused.
pub async fn origin_allowed(state: &AppState, origin: &HeaderValue, path: &str) -> bool {
    let Some(slug) = path
        .strip_prefix("/api/v1/shops/")
        .and_then(|rest| rest.split('/').next())
    else {
        return false;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    matches!(
        state.origins.allow(&state.db, slug, Some(origin)).await,
        Ok(Some(true))
    )
}

/// How long the shops' allowed origins are kept in each process: a change made in another
/// process (`postpurchase-server shops origins`, another server) holds everywhere after
/// this; one made through this process's API holds at once.
pub const ORIGINS_KEPT: Duration = Duration::from_secs(1);

/// Each shop's allowed origins as read at most [`ORIGINS_KEPT`] ago, for the CORS check
/// of every cross-origin request (the widget's, on a storefront: without it each view
/// would cost a second read, the shop's) and the embed check, which so answers as CORS
/// does.
pub struct Origins {
    cache: quick_cache::sync::Cache<String, Arc<Named>>,
}

/// A shop's allowed origins (`None`: no shop by that slug), and when they were read.
struct Named {
    read: Instant,
    origins: Option<Vec<String>>,
}

impl Default for Origins {
    fn default() -> Origins {
        // Shops, not requests: unknown slugs sent to fill it only push others out.
        Origins {
            cache: quick_cache::sync::Cache::new(1_000),
        }
    }
}

impl Origins {
    /// Whether shop `slug` allows pages on `origin` (exactly as the browser sent it);
    /// `None` when there is no such shop. The one rule behind CORS and the embed check.
    pub async fn allow(
        &self,
        db: &Db,
        slug: &str,
        origin: Option<&str>,
    ) -> Result<Option<bool>, ApiError> {
        let named = match self.cache.get(slug) {
            Some(named) if named.read.elapsed() < ORIGINS_KEPT => named,
            _ => {
                let read = Instant::now();
                let shop = db.shop_by_slug(slug).await?;
                let named = Arc::new(Named {
                    read,
                    origins: shop.map(|shop| shop.allowed_origins),
                });
                self.cache.insert(slug.to_owned(), named.clone());
                named
            }
        };
        Ok(named.origins.as_ref().map(|origins| {
            origin.is_some_and(|origin| origins.iter().any(|allowed| allowed == origin))
        }))
    }

    /// Reads shop `slug`'s origins again on the next request: they were just changed.
    pub fn forget(&self, slug: &str) {
        self.cache.remove(slug);
    }
}
