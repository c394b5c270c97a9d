//! Reviews of delivered items: one per order line, stars fixed once given, text kept
//! exactly as typed, published or rejected by the shop.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::Router;
use postpurchase_api::{
    AdminReview, ErrorBody, FieldError, Moderation, NewReview, ReviewStatus, ReviewableItem,
};

use crate::admin::AdminShop;
use crate::error::{ApiError, Json};
use crate::{store, AppState};

pub const REVIEWS_PATH: &str = "/api/v1/shops/{shop}/orders/{token}/reviews";
pub const ADMIN_REVIEWS_PATH: &str = "/api/v1/admin/reviews";
pub const MODERATION_PATH: &str = "/api/v1/admin/reviews/{id}/moderation";
pub const SETTINGS_PATH: &str = "/api/v1/admin/review-settings";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(REVIEWS_PATH, get(items).post(write))
        .route(ADMIN_REVIEWS_PATH, get(list))
        .route(MODERATION_PATH, post(moderate))
        .route(SETTINGS_PATH, put(put_settings))
}

pub const TITLE_MAX: usize = 100;
pub const BODY_MAX: usize = 2000;

/// Checks a review's own fields (the line's eligibility is the store's); every problem is
/// reported at once. The text is kept exactly as typed, so it is only measured here.
pub fn validate(review: &NewReview, sized: bool) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if !(1..=5).contains(&review.stars) {
        errors.push(FieldError::new("stars", "must be 1 to 5"));
    }
    for (field, text, max) in [
        ("title", &review.title, TITLE_MAX),
        ("body", &review.body, BODY_MAX),
    ] {
        if text.trim().is_empty() || text.chars().count() > max {
            errors.push(FieldError::new(
                field,
                format!("must be 1 to {max} characters"),
            ));
        }
    }
    if review.fit.is_some() && !sized {
        errors.push(FieldError::new(
            "fit",
            "only for products that come in sizes",
        ));
    }
    errors
}

fn module_off() -> ApiError {
    ApiError::module_off("This shop does not collect reviews.")
}

fn reviewed_order(
    conn: &rusqlite::Connection,
    shop: &str,
    token: &str,
    now: i64,
) -> Result<store::OrderRef, ApiError> {
    let order = crate::shopper::find_order(conn, shop, token, now)?;
    if !store::reviews_enabled(conn, order.shop_id)? {
        return Err(module_off());
    }
    Ok(order)
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
    let now = state.clock.now();
    let items = state.db.read(|conn| {
        Ok::<_, rusqlite::Error>(
            reviewed_order(conn, &shop, &token, now)
                .and_then(|o| Ok(store::reviewable_items(conn, o.order_id)?)),
        )
    })??;
    Ok(Json(items))
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
    Json(review): Json<NewReview>,
) -> Result<(StatusCode, Json<Vec<ReviewableItem>>), ApiError> {
    let now = state.clock.now();
    let items = state.db.write(|tx| {
        let order = reviewed_order(tx, &shop, &token, now)?;
        let items = store::reviewable_items(tx, order.order_id)?;
        let item = items
            .iter()
            .find(|i| i.line_id == review.line_id)
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::NOT_FOUND,
                    "line_not_found",
                    "This order has no such item.",
                )
            })?;
        if item.review.is_some() {
            return Err(already_reviewed());
        }
        if !item.delivered {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "not_delivered",
                "Items can be reviewed once they have been delivered.",
            ));
        }
        let errors = validate(&review, item.sized);
        if !errors.is_empty() {
            return Err(ApiError::invalid_fields(errors));
        }
        store::insert_review(tx, order.shop_id, &review, now)?.ok_or_else(already_reviewed)?;
        Ok(store::reviewable_items(tx, order.order_id)?)
    })?;
    Ok((StatusCode::CREATED, Json(items)))
}

fn already_reviewed() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "already_reviewed",
        "This item has been reviewed already; a review cannot be changed.",
    )
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
    params(("status" = Option<String>, Query, description = "`pending`, `published` or `rejected`")),
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
        Some(s) => Some(store::from_wire::<ReviewStatus>(s).ok_or_else(|| {
            ApiError::invalid_fields(vec![FieldError::new(
                "status",
                "must be pending, published or rejected",
            )])
        })?),
    };
    Ok(Json(
        state.db.read(|c| store::shop_reviews(c, shop.id, status))?,
    ))
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
        .write(|tx| store::moderate_review(tx, shop.id, id, moderation.status, now))?;
    if found {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found())
    }
}

#[derive(Clone, Debug, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewSettings {
    pub enabled: bool,
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
    AdminShop(shop): AdminShop,
    Json(settings): Json<ReviewSettings>,
) -> Result<Json<ReviewSettings>, ApiError> {
    state
        .db
        .write(|tx| store::set_reviews_enabled(tx, shop.id, settings.enabled))?;
    Ok(Json(settings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use postpurchase_api::Fit;

    fn review(stars: u8, title: &str, body: &str, fit: Option<Fit>) -> NewReview {
        NewReview {
            line_id: 1,
            stars,
            title: title.into(),
            body: body.into(),
            fit,
        }
    }

    #[test]
    fn reviews_are_measured_but_never_rewritten() {
        let fields = |r: NewReview, sized: bool| -> Vec<String> {
            validate(&r, sized).into_iter().map(|e| e.field).collect()
        };
        assert!(fields(
            review(5, "Lovely", "<b>soft</b> & warm", Some(Fit::Large)),
            true
        )
        .is_empty());
        assert_eq!(
            fields(review(0, " ", &"x".repeat(2001), Some(Fit::Small)), false),
            ["stars", "title", "body", "fit"]
        );
        assert_eq!(
            fields(review(6, &"t".repeat(101), "ok", None), false),
            ["stars", "title"]
        );
    }
}
