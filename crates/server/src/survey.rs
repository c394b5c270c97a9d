//! The short survey after an order: how likely the shopper is to recommend the shop (once
//! per order), how they heard of it (once per customer), and which shipping news they want.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::Router;
use postpurchase_api::{
    ErrorBody, FieldError, HeardAnswer, NpsAnswer, Preferences, SurveyResults, SurveySettings,
    SurveyView,
};

use crate::admin::AdminShop;
use crate::error::{ApiError, Json};
use crate::store::{self, OrderRef};
use crate::AppState;

pub const SURVEY_PATH: &str = "/api/v1/shops/{shop}/orders/{token}/survey";
pub const NPS_PATH: &str = "/api/v1/shops/{shop}/orders/{token}/survey/nps";
pub const HEARD_PATH: &str = "/api/v1/shops/{shop}/orders/{token}/survey/heard";
pub const PREFERENCES_PATH: &str = "/api/v1/shops/{shop}/orders/{token}/preferences";
pub const SETTINGS_PATH: &str = "/api/v1/admin/survey-settings";
pub const RESULTS_PATH: &str = "/api/v1/admin/survey-results";

/// The answer always offered besides the shop's own.
pub const OTHER: &str = "other";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(SURVEY_PATH, get(survey))
        .route(NPS_PATH, post(answer_nps))
        .route(HEARD_PATH, post(answer_heard))
        .route(PREFERENCES_PATH, post(set_preferences))
        .route(SETTINGS_PATH, put(put_settings).get(get_settings))
        .route(RESULTS_PATH, get(results))
}

/// Checks an NPS answer.
pub fn validate_nps(answer: &NpsAnswer) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if answer.score > 10 {
        errors.push(FieldError::new("score", "must be 0 to 10"));
    }
    if answer
        .comment
        .as_ref()
        .is_some_and(|c| c.chars().count() > 1000)
    {
        errors.push(FieldError::new(
            "comment",
            "must be at most 1000 characters",
        ));
    }
    errors
}

/// Checks a "how did you hear" answer against the shop's options.
pub fn validate_heard(answer: &HeardAnswer, options: &[String]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let other = answer.option == OTHER;
    if !other && !options.contains(&answer.option) {
        errors.push(FieldError::new(
            "option",
            "must be one of the shop's answers or `other`",
        ));
    }
    let words = answer.other.as_deref().map(str::trim).unwrap_or_default();
    if other && words.is_empty() {
        errors.push(FieldError::new("other", "say how, in a few words"));
    }
    if words.chars().count() > 200 {
        errors.push(FieldError::new("other", "must be at most 200 characters"));
    }
    errors
}

/// Promoters minus detractors, in percent of all scores.
pub fn net_promoter_score(scores: &[u8]) -> Option<f64> {
    if scores.is_empty() {
        return None;
    }
    let promoters = scores.iter().filter(|s| **s >= 9).count() as f64;
    let detractors = scores.iter().filter(|s| **s <= 6).count() as f64;
    Some((promoters - detractors) * 100.0 / scores.len() as f64)
}

fn module_off() -> ApiError {
    ApiError::module_off("This shop does not run the survey.")
}

fn already_answered() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "already_answered",
        "This question has been answered already.",
    )
}

/// The order a token opens, in a shop that runs the survey.
fn surveyed_order(
    conn: &rusqlite::Connection,
    shop: &str,
    token: &str,
    now: i64,
) -> Result<(OrderRef, Vec<String>), ApiError> {
    let order = crate::shopper::find_order(conn, shop, token, now)?;
    let settings = store::survey_settings(conn, order.shop_id)?;
    if !settings.enabled {
        return Err(module_off());
    }
    Ok((order, settings.heard_options))
}

fn view(
    conn: &rusqlite::Connection,
    order: OrderRef,
    options: Vec<String>,
) -> Result<SurveyView, ApiError> {
    let (customer_id, _) = store::order_customer(conn, order.order_id)?;
    Ok(SurveyView {
        ask_nps: !store::nps_answered(conn, order.order_id)?,
        ask_heard: !store::heard_answered(conn, customer_id)?,
        heard_options: options,
        preferences: store::preferences(conn, customer_id)?,
    })
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
) -> Result<Json<SurveyView>, ApiError> {
    let now = state.clock.now();
    let answer = state.db.read(|conn| {
        Ok::<_, rusqlite::Error>(
            surveyed_order(conn, &shop, &token, now).and_then(|(o, opts)| view(conn, o, opts)),
        )
    })??;
    Ok(Json(answer))
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
    Json(answer): Json<NpsAnswer>,
) -> Result<(StatusCode, Json<SurveyView>), ApiError> {
    let errors = validate_nps(&answer);
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    let now = state.clock.now();
    let comment = answer
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let answer = state.db.write(|tx| {
        let (order, options) = surveyed_order(tx, &shop, &token, now)?;
        if !store::insert_nps(tx, order.order_id, answer.score, comment, now)? {
            return Err(already_answered());
        }
        view(tx, order, options)
    })?;
    Ok((StatusCode::CREATED, Json(answer)))
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
    Json(answer): Json<HeardAnswer>,
) -> Result<(StatusCode, Json<SurveyView>), ApiError> {
    let now = state.clock.now();
    let answer = state.db.write(|tx| {
        let (order, options) = surveyed_order(tx, &shop, &token, now)?;
        let errors = validate_heard(&answer, &options);
        if !errors.is_empty() {
            return Err(ApiError::invalid_fields(errors));
        }
        let (customer_id, _) = store::order_customer(tx, order.order_id)?;
        let other = (answer.option == OTHER)
            .then(|| answer.other.as_deref().map(str::trim))
            .flatten();
        if !store::insert_heard(tx, customer_id, order.order_id, &answer.option, other, now)? {
            return Err(already_answered());
        }
        view(tx, order, options)
    })?;
    Ok((StatusCode::CREATED, Json(answer)))
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
    Json(preferences): Json<Preferences>,
) -> Result<Json<SurveyView>, ApiError> {
    let now = state.clock.now();
    let answer = state.db.write(|tx| {
        let (order, options) = surveyed_order(tx, &shop, &token, now)?;
        let (customer_id, _) = store::order_customer(tx, order.order_id)?;
        store::set_preferences(tx, customer_id, preferences, now)?;
        view(tx, order, options)
    })?;
    Ok(Json(answer))
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
    Ok(Json(state.db.read(|c| store::survey_settings(c, shop.id))?))
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
    AdminShop(shop): AdminShop,
    Json(mut settings): Json<SurveySettings>,
) -> Result<Json<SurveySettings>, ApiError> {
    settings.heard_options = settings
        .heard_options
        .iter()
        .map(|o| o.trim().to_owned())
        .collect();
    let mut errors = Vec::new();
    if settings.heard_options.len() > 12 {
        errors.push(FieldError::new("heard_options", "at most 12 answers"));
    }
    for (i, option) in settings.heard_options.iter().enumerate() {
        if !(1..=60).contains(&option.chars().count())
            || option.contains('\n')
            || option == OTHER
            || settings.heard_options[..i].contains(option)
        {
            errors.push(FieldError::new(
                format!("heard_options[{i}]"),
                "must be 1 to 60 characters on one line, listed once, and not `other`",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    state
        .db
        .write(|tx| store::set_survey_settings(tx, shop.id, &settings))?;
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
    let (scores, latest, heard) = state.db.read(|c| store::survey_results(c, shop.id))?;
    Ok(Json(SurveyResults {
        nps_answers: scores.len() as u32,
        nps: net_promoter_score(&scores),
        latest,
        heard,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_net_promoter_score_counts_promoters_against_detractors() {
        assert_eq!(net_promoter_score(&[]), None);
        assert_eq!(net_promoter_score(&[10, 9, 8, 7]), Some(50.0));
        assert_eq!(net_promoter_score(&[0, 6, 10, 7]), Some(-25.0));
    }

    #[test]
    fn answers_are_checked() {
        let long = "x".repeat(1001);
        let fields = |a: NpsAnswer| -> Vec<String> {
            validate_nps(&a).into_iter().map(|e| e.field).collect()
        };
        assert_eq!(
            fields(NpsAnswer {
                score: 11,
                comment: Some(long)
            }),
            ["score", "comment"]
        );
        assert!(fields(NpsAnswer {
            score: 0,
            comment: None
        })
        .is_empty());
        let options = vec!["Instagram".to_owned()];
        let heard = |option: &str, other: Option<&str>| -> Vec<String> {
            let answer = HeardAnswer {
                option: option.into(),
                other: other.map(Into::into),
            };
            validate_heard(&answer, &options)
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        assert!(heard("Instagram", None).is_empty());
        assert!(heard("other", Some("A friend at work")).is_empty());
        assert_eq!(heard("TikTok", None), ["option"]);
        assert_eq!(heard("other", Some("  ")), ["other"]);
    }
}
