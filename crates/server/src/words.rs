//! The shop's own words in other languages: set by the shop, carried in the shopper's
//! answers that show them (return reasons, "how did you hear" answers) in the language the
//! widget asks for.

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use postpurchase_api::{ErrorBody, ShopWords, Word};

use crate::error::{ApiError, Json};
use crate::extract::{AdminShop, OwnerShop};
use crate::AppState;

pub const WORDS_PATH: &str = "/api/v1/admin/words";

pub fn router() -> Router<AppState> {
    Router::new().route(WORDS_PATH, get(get_words).put(put_words))
}

/// The translations among the shop's words for `texts`, in the first `asked` language
/// the shop has words for; nothing read when the request asks for none.
pub async fn translate<'a>(
    state: &AppState,
    shop: &str,
    asked: &[String],
    texts: impl IntoIterator<Item = &'a String>,
) -> Result<Vec<Word>, ApiError> {
    if asked.is_empty() {
        return Ok(Vec::new());
    }
    let words = state.db.shop_words_by_slug(shop).await?;
    Ok(crate::domain::words::pick(&words, asked, texts))
}

/// The shop's words in other languages.
#[utoipa::path(
    get,
    path = "/api/v1/admin/words",
    tag = "admin",
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "Per language, each word and how it reads", body = ShopWords),
        (status = 401, description = "Missing or unknown API key", body = ErrorBody),
    )
)]
pub async fn get_words(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
) -> Result<Json<ShopWords>, ApiError> {
    Ok(Json(state.db.shop_words(shop.id).await?))
}

/// Replaces the shop's words in other languages: each of its words (a return reason, a
/// "how did you hear" answer) as its settings write it, and how it reads in `de`, `en`,
/// `id` or `nl`. A word without one reads as written.
#[utoipa::path(
    put,
    path = "/api/v1/admin/words",
    tag = "admin",
    request_body = ShopWords,
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The words as stored", body = ShopWords),
        (status = 401, description = "Missing or unknown API key", body = ErrorBody),
        (status = 422, description = "A language the widget does not speak, more than 200 words in one, or a word or translation that is empty, over 80 characters or more than one line", body = ErrorBody),
    )
)]
pub async fn put_words(
    State(state): State<AppState>,
    OwnerShop(shop): OwnerShop,
    Json(words): Json<ShopWords>,
) -> Result<Json<ShopWords>, ApiError> {
    let errors = crate::domain::words::check(&words);
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    state.db.set_shop_words(shop.id, &words).await?;
    Ok(Json(words))
}
