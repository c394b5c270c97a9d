//! Referrals: each shopper's own code to share, and the shop's checkout redeeming codes
//! for new customers. The fraud rules run inside the write transaction that records the
//! outcome ([`crate::store::referral`]).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use postpurchase_api::{
    ErrorBody, FieldError, NewRedemption, Redemption, ReferralSettings, ReferralView, Reward,
    RewardKind,
};

use crate::domain::referral::normalise_code;
use crate::error::{ApiError, Json, Path};
use crate::extract::{AdminShop, OwnerShop};
use crate::store::referral::RedemptionRequest;
use crate::{domain, AppState};

pub const REFERRAL_PATH: &str = "/api/v1/shops/{shop}/orders/{token}/referral";
pub const SETTINGS_PATH: &str = "/api/v1/admin/referral-settings";
pub const REDEMPTIONS_PATH: &str = "/api/v1/admin/referrals/redemptions";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(REFERRAL_PATH, get(referral))
        .route(SETTINGS_PATH, put(put_settings).get(get_settings))
        .route(REDEMPTIONS_PATH, post(redeem))
}

/// Checks a shop's referral terms; every problem is reported at once.
pub fn validate_settings(settings: &ReferralSettings) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let url = &settings.share_url;
    // The URL as shoppers get it, with a code in place, must be one.
    if !url.contains("{code}")
        || url.chars().count() > 500
        || !domain::http_url_ok(&url.replace("{code}", "CODE-12345"), 600)
    {
        errors.push(FieldError::new(
            "share_url",
            "must be an http(s) URL with a host, at most 500 characters, with {code} where the code goes",
        ));
    }
    for (field, reward) in [
        ("friend_reward", &settings.friend_reward),
        ("referrer_reward", &settings.referrer_reward),
    ] {
        validate_reward(field, reward, &mut errors);
    }
    errors
}

pub(crate) fn validate_reward(field: &str, reward: &Reward, errors: &mut Vec<FieldError>) {
    match reward.kind {
        RewardKind::PercentOff if !(1..=100).contains(&reward.value) => errors.push(
            FieldError::new(format!("{field}.value"), "must be a percentage, 1 to 100"),
        ),
        RewardKind::AmountOff | RewardKind::StoreCredit => {
            if !(1..=100_000_000).contains(&reward.value) {
                errors.push(FieldError::new(
                    format!("{field}.value"),
                    "must be a positive amount in minor units",
                ));
            }
            if !reward
                .currency
                .as_deref()
                .is_some_and(domain::is_currency_code)
            {
                errors.push(FieldError::new(
                    format!("{field}.currency"),
                    "must be an ISO 4217 code such as EUR",
                ));
            }
        }
        RewardKind::PercentOff => {}
    }
}

/// The shopper's own code and what it brings; made on first asking.
#[utoipa::path(
    get,
    path = "/api/v1/shops/{shop}/orders/{token}/referral",
    tag = "shopper",
    params(
        ("shop" = String, Path, description = "The shop's slug"),
        ("token" = String, Path, description = "The order's capability token"),
    ),
    responses(
        (status = 200, description = "The shopper's code (the same for each of their orders), share link, rewards and friends so far", body = ReferralView),
        (status = 404, description = "`order_not_found`, or `module_off` when the shop runs no referrals", body = ErrorBody),
    )
)]
pub async fn referral(
    State(state): State<AppState>,
    Path((shop, token)): Path<(String, String)>,
) -> Result<Json<ReferralView>, ApiError> {
    Ok(Json(
        state.db.referral(&shop, &token, state.clock.now()).await?,
    ))
}

fn module_off() -> ApiError {
    ApiError::module_off("This shop does not run referrals.")
}

/// The shop's referral terms.
#[utoipa::path(
    get,
    path = "/api/v1/admin/referral-settings",
    tag = "admin",
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The terms", body = ReferralSettings),
        (status = 401, description = "Missing or unknown API key", body = ErrorBody),
        (status = 404, description = "`module_off`: never set", body = ErrorBody),
    )
)]
pub async fn get_settings(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
) -> Result<Json<ReferralSettings>, ApiError> {
    state
        .db
        .referral_settings(shop.id)
        .await?
        .map(Json)
        .ok_or_else(module_off)
}

/// Switches referrals on or off and sets their terms.
#[utoipa::path(
    put,
    path = "/api/v1/admin/referral-settings",
    tag = "admin",
    request_body = ReferralSettings,
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The terms as stored", body = ReferralSettings),
        (status = 401, description = "Missing or unknown API key", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    )
)]
pub async fn put_settings(
    State(state): State<AppState>,
    OwnerShop(shop): OwnerShop,
    Json(settings): Json<ReferralSettings>,
) -> Result<Json<ReferralSettings>, ApiError> {
    let errors = validate_settings(&settings);
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    state
        .db
        .set_referral_settings(shop.id, settings.clone())
        .await?;
    Ok(Json(settings))
}

/// Redeems a code at the shop's checkout, for a new customer.
#[utoipa::path(
    post,
    path = "/api/v1/admin/referrals/redemptions",
    tag = "admin",
    request_body = NewRedemption,
    security(("api_key" = [])),
    responses(
        (status = 201, description = "Accepted: hand out the rewards", body = Redemption),
        (status = 200, description = "This customer already redeemed this very code (a retry): the same answer", body = Redemption),
        (status = 401, description = "Missing or unknown API key", body = ErrorBody),
        (status = 404, description = "`unknown_code`: no shopper of this shop has the code (another shop's code included)", body = ErrorBody),
        (status = 409, description = "`already_redeemed`: this customer redeemed a code before", body = ErrorBody),
        (status = 422, description = "`self_referral`, `not_a_new_customer`, or invalid fields", body = ErrorBody),
    )
)]
pub async fn redeem(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Json(request): Json<NewRedemption>,
) -> Result<Response, ApiError> {
    let code = normalise_code(&request.code);
    let mut errors = Vec::new();
    if !(3..=40).contains(&code.len()) || request.code.chars().count() > 100 {
        errors.push(FieldError::new(
            "code",
            "must be 3 to 40 characters (at most 100 as typed)",
        ));
    }
    if !domain::email_ok(&request.email) {
        errors.push(FieldError::new("email", "must be an e-mail address"));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    let request = RedemptionRequest {
        code,
        email: request.email.to_lowercase(),
        order_number: request.order_number,
    };
    let (created, redemption) = state
        .db
        .redeem_referral(shop.id, request, state.clock.now())
        .await?;
    let status = if created {
        // Queued as `referral.redeemed`.
        state.webhooks.notify_one();
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(redemption)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_checked_field_by_field() {
        let bad = ReferralSettings {
            enabled: true,
            share_url: "http://shop.example/?ref=".into(),
            friend_reward: Reward {
                kind: RewardKind::PercentOff,
                value: 150,
                currency: None,
            },
            referrer_reward: Reward {
                kind: RewardKind::StoreCredit,
                value: 0,
                currency: Some("euro".into()),
            },
        };
        let fields: Vec<_> = validate_settings(&bad)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "share_url",
                "friend_reward.value",
                "referrer_reward.value",
                "referrer_reward.currency"
            ]
        );
    }
}
