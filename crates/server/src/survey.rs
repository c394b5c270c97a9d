//! The short survey after an order: how likely the shopper is to recommend the shop (once
//! per order), how they heard of it (once per customer), and which shipping news they want.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::Router;
use postpurchase_api::{
    ErrorBody, FieldError, HeardAnswer, NpsAnswer, Preferences, SurveyResults, SurveySettings,
    SurveyView,
};

use crate::domain::survey::{validate_nps, OTHER};
use crate::error::{ApiError, Json, Path};
use crate::extract::{AdminShop, Asked, OpenOrder, OwnerShop};
use crate::store::survey::Answer;
use crate::AppState;

pub const SURVEY_PATH: &str = "/api/v1/shops/{shop}/orders/{token}/survey";
pub const NPS_PATH: &str = "/api/v1/shops/{shop}/orders/{token}/survey/nps";
pub const HEARD_PATH: &str = "/api/v1/shops/{shop}/orders/{token}/survey/heard";
pub const PREFERENCES_PATH: &str = "/api/v1/shops/{shop}/orders/{token}/preferences";
pub const SETTINGS_PATH: &str = "/api/v1/admin/survey-settings";
pub const RESULTS_PATH: &str = "/api/v1/admin/survey-results";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(SURVEY_PATH, get(survey))
        .route(NPS_PATH, post(answer_nps))
        .route(HEARD_PATH, post(answer_heard))
        .route(PREFERENCES_PATH, post(set_preferences))
        .route(SETTINGS_PATH, put(put_settings).get(get_settings))
        .route(RESULTS_PATH, get(results))
}

/// What the survey still asks for this order.
#[utoipa::path(
    get,
    path = "/api/v1/shops/{shop}/orders/{token}/survey",
    tag = "shopper",
    params(
        ("shop" = String, Path, description = "The shop's slug"),
        ("token" = String, Path, description = "The order's capability token"),
    ),
    responses(
        (status = 200, description = "The open questions and the preferences", body = SurveyView),
        (status = 404, description = "`order_not_found`, or `module_off`", body = ErrorBody),
    )
)]
pub async fn survey(
    State(state): State<AppState>,
    Path((shop, token)): Path<(String, String)>,
    Asked(asked): Asked,
) -> Result<Json<SurveyView>, ApiError> {
    let view = state.db.survey(&shop, &token, state.clock.now()).await?;
    Ok(Json(in_words(&state, &shop, &asked, view).await?))
}

/// The survey with the shop's answers in the shopper's language, where it gave them.
async fn in_words(
    state: &AppState,
    shop: &str,
    asked: &[String],
    mut view: SurveyView,
) -> Result<SurveyView, ApiError> {
    view.words = crate::words::translate(state, shop, asked, &view.heard_options).await?;
    Ok(view)
}

/// Answers the 0–10 question, once per order.
#[utoipa::path(
    post,
    path = "/api/v1/shops/{shop}/orders/{token}/survey/nps",
    tag = "shopper",
    params(
        ("shop" = String, Path, description = "The shop's slug"),
        ("token" = String, Path, description = "The order's capability token"),
    ),
    request_body = NpsAnswer,
    responses(
        (status = 201, description = "Recorded; the survey as it now stands", body = SurveyView),
        (status = 404, description = "`order_not_found`, or `module_off`", body = ErrorBody),
        (status = 409, description = "`already_answered`", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    )
)]
pub async fn answer_nps(
    State(state): State<AppState>,
    Path((shop, token)): Path<(String, String)>,
    _: OpenOrder,
    Asked(asked): Asked,
    Json(answer): Json<NpsAnswer>,
) -> Result<(StatusCode, Json<SurveyView>), ApiError> {
    let errors = validate_nps(&answer);
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    let view = state
        .db
        .answer_survey(&shop, &token, Answer::Nps(answer), state.clock.now())
        .await?;
    // The answer was queued as `survey.answered`.
    state.webhooks.notify_one();
    let view = in_words(&state, &shop, &asked, view).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Answers "how did you hear about us", once per customer.
#[utoipa::path(
    post,
    path = "/api/v1/shops/{shop}/orders/{token}/survey/heard",
    tag = "shopper",
    params(
        ("shop" = String, Path, description = "The shop's slug"),
        ("token" = String, Path, description = "The order's capability token"),
    ),
    request_body = HeardAnswer,
    responses(
        (status = 201, description = "Recorded; the survey as it now stands", body = SurveyView),
        (status = 404, description = "`order_not_found`, or `module_off`", body = ErrorBody),
        (status = 409, description = "`already_answered` (by this customer, for any order)", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    )
)]
pub async fn answer_heard(
    State(state): State<AppState>,
    Path((shop, token)): Path<(String, String)>,
    _: OpenOrder,
    Asked(asked): Asked,
    Json(answer): Json<HeardAnswer>,
) -> Result<(StatusCode, Json<SurveyView>), ApiError> {
    let view = state
        .db
        .answer_survey(&shop, &token, Answer::Heard(answer), state.clock.now())
        .await?;
    // The answer was queued as `survey.answered`.
    state.webhooks.notify_one();
    let view = in_words(&state, &shop, &asked, view).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Sets which shipping news the shopper wants; may be changed any time.
#[utoipa::path(
    post,
    path = "/api/v1/shops/{shop}/orders/{token}/preferences",
    tag = "shopper",
    params(
        ("shop" = String, Path, description = "The shop's slug"),
        ("token" = String, Path, description = "The order's capability token"),
    ),
    request_body = Preferences,
    responses(
        (status = 200, description = "Saved; the survey as it now stands", body = SurveyView),
        (status = 404, description = "`order_not_found`, or `module_off`", body = ErrorBody),
    )
)]
pub async fn set_preferences(
    State(state): State<AppState>,
    Path((shop, token)): Path<(String, String)>,
    _: OpenOrder,
    Asked(asked): Asked,
    Json(preferences): Json<Preferences>,
) -> Result<Json<SurveyView>, ApiError> {
    let view = state
        .db
        .answer_survey(
            &shop,
            &token,
            Answer::Preferences(preferences),
            state.clock.now(),
        )
        .await?;
    Ok(Json(in_words(&state, &shop, &asked, view).await?))
}

/// The shop's survey settings.
#[utoipa::path(
    get,
    path = "/api/v1/admin/survey-settings",
    tag = "admin",
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The settings", body = SurveySettings),
        (status = 401, description = "Missing or unknown API key", body = ErrorBody),
    )
)]
pub async fn get_settings(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
) -> Result<Json<SurveySettings>, ApiError> {
    Ok(Json(state.db.survey_settings(shop.id).await?))
}

/// Switches the survey on or off and sets the answers to "how did you hear about us".
#[utoipa::path(
    put,
    path = "/api/v1/admin/survey-settings",
    tag = "admin",
    request_body = SurveySettings,
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The settings as stored", body = SurveySettings),
        (status = 401, description = "Missing or unknown API key", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    )
)]
pub async fn put_settings(
    State(state): State<AppState>,
    OwnerShop(shop): OwnerShop,
    Json(settings): Json<SurveySettings>,
) -> Result<Json<SurveySettings>, ApiError> {
    let mut errors = Vec::new();
    if settings.heard_options.len() > 12 {
        errors.push(FieldError::new("heard_options", "at most 12 answers"));
    }
    for (i, option) in settings.heard_options.iter().enumerate() {
        if !crate::domain::list_entry_ok(option, 60)
            || option == OTHER
            || settings.heard_options[..i].contains(option)
        {
            errors.push(FieldError::new(
                format!("heard_options[{i}]"),
                "must be 1 to 60 characters on one line, without spaces around, listed once, and not `other`",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    state
        .db
        .set_survey_settings(shop.id, settings.clone())
        .await?;
    Ok(Json(settings))
}

/// The survey's results: the net promoter score, the latest answers, and how shoppers
/// heard of the shop.
#[utoipa::path(
    get,
    path = "/api/v1/admin/survey-results",
    tag = "admin",
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The results so far", body = SurveyResults),
        (status = 401, description = "Missing or unknown API key", body = ErrorBody),
    )
)]
pub async fn results(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
) -> Result<Json<SurveyResults>, ApiError> {
    Ok(Json(state.db.survey_results(shop.id).await?))
}
