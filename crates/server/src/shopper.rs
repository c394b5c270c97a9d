//! The API the widget calls from the shopper's browser, reached only by capability token.

use axum::extract::{Path, State};
use axum::http::HeaderValue;
use axum::routing::get;
use axum::Router;
use postpurchase_api::{ErrorBody, OrderView};

use crate::error::{ApiError, Json};
use crate::{domain, store, AppState};

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
    ),
    responses(
        (status = 200, description = "The order, with personal data masked", body = OrderView),
        (status = 404, description = "No such order, or the token is wrong, expired or another shop's", body = ErrorBody),
    )
)]
pub async fn order_view(
    State(state): State<AppState>,
    Path((shop, token)): Path<(String, String)>,
) -> Result<Json<OrderView>, ApiError> {
    if !domain::is_token_shaped(&token) {
        return Err(ApiError::order_not_found());
    }
    let now = state.clock.now();
    let view = state
        .db
        .read(|conn| store::order_view_by_token(conn, &shop, &token, now))?;
    view.map(Json).ok_or_else(ApiError::order_not_found)
}

/// Whether a browser on `origin` may call the shopper API at `path`: only the exact origins
/// the shop named. Anything that is not a shop's path is refused.
pub fn origin_allowed(state: &AppState, origin: &HeaderValue, path: &str) -> bool {
    let Some(slug) = path
        .strip_prefix("/api/v1/shops/")
        .and_then(|rest| rest.split('/').next())
    else {
        return false;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    match state.db.read(|conn| store::shop_by_slug(conn, slug)) {
        Ok(Some(shop)) => shop.allowed_origins.iter().any(|o| o == origin),
        _ => false,
    }
}
