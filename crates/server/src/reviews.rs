//! Reviews of delivered items: one per order line, stars fixed once given, text kept
//! exactly as typed, published or rejected by the shop.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::Router;
use postpurchase_api::{
    AdminReview, ErrorBody, FieldError, Moderation, NewReview, ReviewReply, ReviewSettings,
    ReviewStatus, ReviewableItem,
};

use crate::error::{ApiError, Json, Path, Query};
use crate::extract::{AdminShop, OpenOrder, OwnerShop};
use crate::AppState;

pub const REVIEWS_PATH: &str = "/api/v1/shops/{shop}/orders/{token}/reviews";
pub const ADMIN_REVIEWS_PATH: &str = "/api/v1/admin/reviews";
pub const MODERATION_PATH: &str = "/api/v1/admin/reviews/{id}/moderation";
pub const REPLY_PATH: &str = "/api/v1/admin/reviews/{id}/reply";
pub const SETTINGS_PATH: &str = "/api/v1/admin/review-settings";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(REVIEWS_PATH, get(items).post(write))
        .route(ADMIN_REVIEWS_PATH, get(list))
        .route(MODERATION_PATH, post(moderate))
        .route(REPLY_PATH, put(reply).delete(remove_reply))
        .route(SETTINGS_PATH, put(put_settings).get(get_settings))
}

/// The order's items: delivered or not, and their reviews.
#[utoipa::path(
    get,
    path = "/api/v1/shops/{shop}/orders/{token}/reviews",
    tag = "shopper",
    params(
        ("shop" = String, Path, description = "The shop's slug"),
        ("token" = String, Path, description = "The order's capability token"),
    ),
    responses(
        (status = 200, description = "Each line, whether it can be reviewed, and its review", body = [ReviewableItem]),
        (status = 404, description = "`order_not_found`, or `module_off`", body = ErrorBody),
    )
)]
pub async fn items(
    State(state): State<AppState>,
    Path((shop, token)): Path<(String, String)>,
) -> Result<Json<Vec<ReviewableItem>>, ApiError> {
    Ok(Json(
        state
            .db
            .reviewable_items(&shop, &token, state.clock.now())
            .await?,
    ))
}

/// Reviews one delivered item of the order, once.
#[utoipa::path(
    post,
    path = "/api/v1/shops/{shop}/orders/{token}/reviews",
    tag = "shopper",
    params(
        ("shop" = String, Path, description = "The shop's slug"),
        ("token" = String, Path, description = "The order's capability token"),
    ),
    request_body = NewReview,
    responses(
        (status = 201, description = "Stored, pending the shop's moderation; the order's items as they now stand", body = [ReviewableItem]),
        (status = 404, description = "`order_not_found`, `module_off`, or `line_not_found`", body = ErrorBody),
        (status = 409, description = "`already_reviewed`: one review per item per order", body = ErrorBody),
        (status = 422, description = "`not_delivered`, or invalid fields", body = ErrorBody),
    )
)]
pub async fn write(
    State(state): State<AppState>,
    Path((shop, token)): Path<(String, String)>,
    _: OpenOrder,
    Json(review): Json<NewReview>,
) -> Result<(StatusCode, Json<Vec<ReviewableItem>>), ApiError> {
    let items = state
        .db
        .write_review(&shop, &token, review, state.clock.now())
        .await?;
    // Queued as `review.created`.
    state.webhooks.notify_one();
    Ok((StatusCode::CREATED, Json(items)))
}

#[derive(serde::Deserialize)]
pub struct ListQuery {
    status: Option<String>,
}

/// The shop's reviews, newest first; `?status=pending` for those to moderate.
#[utoipa::path(
    get,
    path = "/api/v1/admin/reviews",
    tag = "admin",
    params(("status" = Option<ReviewStatus>, Query, description = "Only the reviews of this status")),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "Up to 500 reviews", body = [AdminReview]),
        (status = 401, description = "Missing or unknown API key", body = ErrorBody),
        (status = 422, description = "Unknown status", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Query(query): Query<ListQuery>,
) -> Result<Json<Vec<AdminReview>>, ApiError> {
    let status = match query.status.as_deref() {
        None => None,
        Some(s) => Some(crate::store::from_wire::<ReviewStatus>(s).ok_or_else(|| {
            ApiError::invalid_fields(vec![FieldError::new(
                "status",
                "must be pending, published or rejected",
            )])
        })?),
    };
    Ok(Json(state.db.shop_reviews(shop.id, status).await?))
}

fn no_review() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "review_not_found",
        "The shop has no review with this id.",
    )
}

/// Answers a review publicly: the answer shows under the review, in the widget too.
#[utoipa::path(
    put,
    path = "/api/v1/admin/reviews/{id}/reply",
    tag = "admin",
    params(("id" = i64, Path, description = "The review's id")),
    request_body = ReviewReply,
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 204, description = "Answered (an earlier answer is replaced)"),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 404, description = "The shop has no such review", body = ErrorBody),
        (status = 422, description = "A blank or too long answer", body = ErrorBody),
    )
)]
pub async fn reply(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Path(id): Path<i64>,
    Json(reply): Json<ReviewReply>,
) -> Result<StatusCode, ApiError> {
    let text = reply.text.trim();
    if text.is_empty() || text.chars().count() > 2000 {
        return Err(ApiError::invalid_fields(vec![FieldError::new(
            "text",
            "must be 1 to 2000 characters",
        )]));
    }
    let now = state.clock.now();
    if !state
        .db
        .reply_to_review(shop.id, id, Some(text.to_owned()), now)
        .await?
    {
        return Err(no_review());
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Removes the shop's answer to a review.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/reviews/{id}/reply",
    tag = "admin",
    params(("id" = i64, Path, description = "The review's id")),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 204, description = "Removed (or there was none)"),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 404, description = "The shop has no such review", body = ErrorBody),
    )
)]
pub async fn remove_reply(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    if !state
        .db
        .reply_to_review(shop.id, id, None, state.clock.now())
        .await?
    {
        return Err(no_review());
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Publishes or rejects a review.
#[utoipa::path(
    post,
    path = "/api/v1/admin/reviews/{id}/moderation",
    tag = "admin",
    params(("id" = i64, Path, description = "The review's id")),
    request_body = Moderation,
    security(("api_key" = [])),
    responses(
        (status = 204, description = "Done"),
        (status = 401, description = "Missing or unknown API key", body = ErrorBody),
        (status = 404, description = "The shop has no such review", body = ErrorBody),
    )
)]
pub async fn moderate(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Path(id): Path<String>,
    Json(moderation): Json<Moderation>,
) -> Result<StatusCode, ApiError> {
    let not_found = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "review_not_found",
            "The shop has no such review.",
        )
    };
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let now = state.clock.now();
    let found = state
        .db
        .moderate_review(shop.id, id, moderation.status, now)
        .await?;
    if found {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found())
    }
}

/// Whether the shop runs reviews.
#[utoipa::path(
    get,
    path = "/api/v1/admin/review-settings",
    tag = "admin",
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The setting", body = ReviewSettings),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
    )
)]
pub async fn get_settings(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
) -> Result<Json<ReviewSettings>, ApiError> {
    Ok(Json(ReviewSettings {
        enabled: state.db.reviews_enabled(shop.id).await?,
    }))
}

/// Switches reviews on or off.
#[utoipa::path(
    put,
    path = "/api/v1/admin/review-settings",
    tag = "admin",
    request_body = ReviewSettings,
    security(("api_key" = [])),
    responses(
        (status = 200, description = "As stored", body = ReviewSettings),
        (status = 401, description = "Missing or unknown API key", body = ErrorBody),
    )
)]
pub async fn put_settings(
    State(state): State<AppState>,
    OwnerShop(shop): OwnerShop,
    Json(settings): Json<ReviewSettings>,
) -> Result<Json<ReviewSettings>, ApiError> {
    state
        .db
        .set_reviews_enabled(shop.id, settings.enabled)
        .await?;
    Ok(Json(settings))
}
