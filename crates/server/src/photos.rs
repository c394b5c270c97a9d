//! Photos shoppers attach to reviews and returns: sent as the bytes of one image, checked
//! by their content, kept without metadata, served with their type and never sniffed.

use axum::extract::{Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use postpurchase_api::{ErrorBody, Photo};
use sha2::{Digest, Sha256};

use crate::domain::photo::{clean, MAX_BYTES};
use crate::error::{read_body, ApiError, Json, Path};
use crate::extract::{AdminShop, OpenOrder};
use crate::store::photos::PhotoFile;
use crate::AppState;

pub const PHOTOS_PATH: &str = "/api/v1/shops/{shop}/orders/{token}/photos";
pub const ORDER_PHOTO_PATH: &str = "/api/v1/shops/{shop}/orders/{token}/photos/{photo}";
pub const ADMIN_PHOTO_PATH: &str = "/api/v1/admin/photos/{photo}";
pub const PUBLIC_PHOTO_PATH: &str = "/api/v1/photos/{photo}";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            PHOTOS_PATH,
            post(upload).layer(crate::body_limit_layer(PHOTOS_PATH)),
        )
        .route(ORDER_PHOTO_PATH, get(order_photo))
        .route(ADMIN_PHOTO_PATH, get(shop_photo))
        .route(PUBLIC_PHOTO_PATH, get(public_photo))
}

/// Keeps a photo for the order: the bytes of one JPEG, PNG or WebP image (whatever the
/// `Content-Type` says, the content decides), at most 5 MB; stored without its metadata.
#[utoipa::path(
    post,
    path = "/api/v1/shops/{shop}/orders/{token}/photos",
    tag = "shopper",
    params(
        ("shop" = String, Path, description = "The shop's slug"),
        ("token" = String, Path, description = "The order's capability token"),
    ),
    request_body(content = Vec<u8>, content_type = "image/jpeg", description = "One JPEG, PNG or WebP image"),
    responses(
        (status = 201, description = "Kept (or kept already: the same photo sent again); name it in a review or a return", body = Photo),
        (status = 404, description = "`order_not_found`", body = ErrorBody),
        (status = 422, description = "`photo_type` (not a JPEG, PNG or WebP image), `photo_damaged`, `photo_size` (a side of more than 12,000 pixels) or `too_many_photos`", body = ErrorBody),
    )
)]
pub async fn upload(
    State(state): State<AppState>,
    Path((shop, token)): Path<(String, String)>,
    _: OpenOrder,
    request: Request,
) -> Result<(StatusCode, Json<Photo>), ApiError> {
    let bytes = read_body(request, &state).await?;
    // Checking and cleaning several megabytes is work for a blocking thread.
    let (cleaned, digest) = tokio::task::spawn_blocking(move || {
        let digest: [u8; 32] = Sha256::digest(&bytes).into();
        clean(&bytes).map(|c| (c, digest))
    })
    .await
    .map_err(|e| ApiError::internal("photo", e))?
    .map_err(|e| {
        let status = if e == crate::domain::photo::PhotoError::TooLarge {
            StatusCode::PAYLOAD_TOO_LARGE
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        ApiError::new(status, e.code(), e.message())
    })?;
    let photo = state
        .db
        .add_photo(&shop, &token, cleaned, digest, state.clock.now())
        .await?;
    Ok((StatusCode::CREATED, Json(photo)))
}

/// A photo as served: its own type, no sniffing (set for every answer), no script, cached
/// as `cache` says.
fn serve(photo: PhotoFile, cache: &'static str) -> Response {
    (
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static(photo.kind.content_type()),
            ),
            (CACHE_CONTROL, HeaderValue::from_static(cache)),
            (
                CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; sandbox"),
            ),
        ],
        photo.bytes,
    )
        .into_response()
}

/// A photo of the order, attached to a review or a return or not yet.
#[utoipa::path(
    get,
    path = "/api/v1/shops/{shop}/orders/{token}/photos/{photo}",
    tag = "shopper",
    params(
        ("shop" = String, Path, description = "The shop's slug"),
        ("token" = String, Path, description = "The order's capability token"),
        ("photo" = String, Path, description = "The photo's id"),
    ),
    responses(
        (status = 200, description = "The image, as `image/jpeg`, `image/png` or `image/webp`"),
        (status = 404, description = "`order_not_found` or `photo_not_found`", body = ErrorBody),
    )
)]
pub async fn order_photo(
    State(state): State<AppState>,
    Path((shop, token, id)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let photo = state
        .db
        .order_photo(&shop, &token, &id, state.clock.now())
        .await?;
    Ok(serve(photo, "private, max-age=31536000, immutable"))
}

/// A photo of one of the shop's reviews or returns, whatever the review's status: what
/// the shop moderates.
#[utoipa::path(
    get,
    path = "/api/v1/admin/photos/{photo}",
    tag = "admin",
    params(("photo" = String, Path, description = "The photo's id")),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The image, as `image/jpeg`, `image/png` or `image/webp`"),
        (status = 401, description = "Missing or unknown API key", body = ErrorBody),
        (status = 404, description = "`photo_not_found`", body = ErrorBody),
    )
)]
pub async fn shop_photo(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let photo = state.db.shop_photo(shop.id, &id).await?;
    Ok(serve(photo, "private, max-age=31536000, immutable"))
}

/// A photo of a published review, for the shop's product pages; gone while the review
/// waits for moderation or once it is rejected.
#[utoipa::path(
    get,
    path = "/api/v1/photos/{photo}",
    tag = "shopper",
    params(("photo" = String, Path, description = "The photo's id")),
    responses(
        (status = 200, description = "The image, as `image/jpeg`, `image/png` or `image/webp`"),
        (status = 404, description = "`photo_not_found`: no such photo, or its review is not published", body = ErrorBody),
    )
)]
pub async fn public_photo(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let photo = state.db.public_photo(&id).await?;
    // Short: a review the shop rejects takes its photos down within minutes.
    Ok(serve(photo, "public, max-age=300"))
}

/// The largest photo taken, for the body limits.
pub const BODY_PHOTO: usize = MAX_BYTES;
