//! The API the widget calls from the shopper's browser, reached only by capability token.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use postpurchase_api::{ErrorBody, OrderView};

use std::sync::Arc;

use crate::error::{ApiError, Path};
use crate::views::Ready;
use crate::AppState;

pub const ORDER_VIEW_PATH: &str = "/api/v1/shops/{shop}/orders/{token}";

pub fn router() -> Router<AppState> {
    Router::new().route(ORDER_VIEW_PATH, get(order_view))
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
    headers: HeaderMap,
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
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .any(|t| t.trim() == ready.etag || t.trim() == "*")
        });
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
/// the shop named. Anything that is not a shop's path is refused.
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
    match state.db.shop_by_slug(slug).await {
        Ok(Some(shop)) => shop.allowed_origins.iter().any(|o| o == origin),
        _ => false,
    }
}
