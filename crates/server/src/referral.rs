//! Referrals: each shopper's own code to share, and the shop's checkout redeeming codes
//! for new customers. The rules are plain functions; the handlers run them inside the
//! write transaction that records the outcome.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use postpurchase_api::{
    ErrorBody, FieldError, NewRedemption, Redemption, ReferralSettings, ReferralView, Reward,
    RewardKind,
};

use crate::admin::AdminShop;
use crate::error::{ApiError, Json};
use crate::{domain, store, AppState};

pub const REFERRAL_PATH: &str = "/api/v1/shops/{shop}/orders/{token}/referral";
pub const SETTINGS_PATH: &str = "/api/v1/admin/referral-settings";
pub const REDEMPTIONS_PATH: &str = "/api/v1/admin/referrals/redemptions";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(REFERRAL_PATH, get(referral))
        .route(SETTINGS_PATH, put(put_settings).get(get_settings))
        .route(REDEMPTIONS_PATH, post(redeem))
}

/// Unambiguous when read aloud or typed from a phone: no 0/O, 1/I/L.
const ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Random characters after the name: 31^5, about 28.6 million codes per name.
const RANDOM_CHARS: usize = 5;

/// A readable code from the shopper's first name and fresh randomness, e.g. `LENA-7K4QX`:
/// nothing in it follows from the order.
pub fn new_code(first_name: &str) -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes)?;
    Ok(code_from(first_name, u64::from_le_bytes(bytes)))
}

fn code_from(first_name: &str, mut random: u64) -> String {
    let name: String = first_name
        .chars()
        .filter(char::is_ascii_alphabetic)
        .take(6)
        .collect::<String>()
        .to_ascii_uppercase();
    let mut code = if name.is_empty() {
        "FRIEND".to_owned()
    } else {
        name
    };
    code.push('-');
    for _ in 0..RANDOM_CHARS {
        code.push(ALPHABET[(random % 31) as usize] as char);
        random /= 31;
    }
    code
}

/// A code as typed at a checkout: case and spaces do not matter.
pub fn normalise_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase()
}

/// Checks a shop's referral terms; every problem is reported at once.
pub fn validate_settings(settings: &ReferralSettings) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let url = settings.share_url.trim();
    if !url.starts_with("https://") || !url.contains("{code}") || url.len() > 500 {
        errors.push(FieldError::new(
            "share_url",
            "must be an https URL with {code} where the code goes",
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

fn validate_reward(field: &str, reward: &Reward, errors: &mut Vec<FieldError>) {
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
    let now = state.clock.now();
    let view = state.db.write(|tx| {
        let order = crate::shopper::find_order(tx, &shop, &token, now)?;
        let terms = store::referral_terms(tx, order.shop_id)?.ok_or_else(module_off)?;
        let (customer_id, first_name) = store::order_customer(tx, order.order_id)?;
        let code = match store::referral_code(tx, customer_id)? {
            Some(code) => code,
            None => loop {
                // A clash with another shopper's code is rare; draw again.
                let code = new_code(&first_name).map_err(|e| ApiError::internal("random", e))?;
                if store::insert_referral_code(tx, customer_id, &order, &code, now)? {
                    break code;
                }
            },
        };
        Ok::<_, ApiError>(ReferralView {
            share_url: terms.share_url.replace("{code}", &code),
            friends: store::referral_friends(tx, customer_id)?,
            code,
            friend_reward: terms.friend_reward,
            referrer_reward: terms.referrer_reward,
        })
    })?;
    Ok(Json(view))
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
        .read(|conn| store::referral_settings(conn, shop.id))?
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
    AdminShop(shop): AdminShop,
    Json(settings): Json<ReferralSettings>,
) -> Result<Json<ReferralSettings>, ApiError> {
    let errors = validate_settings(&settings);
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    let mut settings = settings;
    settings.share_url = settings.share_url.trim().to_owned();
    state
        .db
        .write(|tx| store::set_referral_settings(tx, shop.id, &settings))?;
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
        (status = 404, description = "`unknown_code`", body = ErrorBody),
        (status = 409, description = "`already_redeemed`: this customer redeemed a code before", body = ErrorBody),
        (status = 422, description = "`code_of_another_shop`, `self_referral`, `not_a_new_customer`, or invalid fields", body = ErrorBody),
    )
)]
pub async fn redeem(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Json(request): Json<NewRedemption>,
) -> Result<Response, ApiError> {
    let code = normalise_code(&request.code);
    let email = request.email.trim().to_lowercase();
    let mut errors = Vec::new();
    if !(3..=40).contains(&code.len()) {
        errors.push(FieldError::new("code", "must be 3 to 40 characters"));
    }
    if !domain::is_plausible_email(&email) {
        errors.push(FieldError::new("email", "must be an e-mail address"));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    let email_hash = domain::secret_hash(&email);
    let now = state.clock.now();
    let refuse = |status, code, message: &str| ApiError::new(status, code, message);
    let (created, redemption) = state.db.write(|tx| {
        let owners = store::referral_code_owners(tx, &code)?;
        let Some(owner) = owners.iter().find(|o| o.shop_id == shop.id) else {
            return Err(if owners.is_empty() {
                refuse(
                    StatusCode::NOT_FOUND,
                    "unknown_code",
                    "No shopper has this referral code.",
                )
            } else {
                refuse(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "code_of_another_shop",
                    "This referral code belongs to another shop.",
                )
            });
        };
        let terms = store::referral_terms(tx, shop.id)?.ok_or_else(module_off)?;
        let answer = Redemption {
            code: code.clone(),
            friend_reward: terms.friend_reward,
            referrer_reward: terms.referrer_reward,
            referrer_order_number: owner.order_number.clone(),
        };
        if owner.email == email {
            return Err(refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                "self_referral",
                "A shopper cannot use their own referral code.",
            ));
        }
        match store::redeemed_code_of(tx, shop.id, &email_hash)? {
            Some(customer_id) if customer_id == owner.customer_id => return Ok((false, answer)),
            Some(_) => {
                return Err(refuse(
                    StatusCode::CONFLICT,
                    "already_redeemed",
                    "This customer has already used a referral code.",
                ))
            }
            None => {}
        }
        let earlier = store::order_numbers_of(tx, shop.id, &email)?;
        if earlier
            .iter()
            .any(|n| Some(n.as_str()) != request.order_number.as_deref().map(str::trim))
        {
            return Err(refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                "not_a_new_customer",
                "Referral codes are for new customers; this one has ordered before.",
            ));
        }
        store::insert_redemption(tx, shop.id, owner.customer_id, &email_hash, now)?;
        Ok((true, answer))
    })?;
    let status = if created {
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
    fn codes_are_readable_name_plus_random() {
        assert_eq!(code_from("Lena", 0), "LENA-22222");
        assert_eq!(code_from("Zoë-Anne", 31), "ZOANNE-23222");
        assert_eq!(code_from("", 1), "FRIEND-32222");
        let a = new_code("Sam").unwrap();
        let b = new_code("Sam").unwrap();
        assert_ne!(a, b, "drawn, not derived");
        assert!(a.starts_with("SAM-") && a.len() == 9, "{a}");
        assert!(a[4..].bytes().all(|c| ALPHABET.contains(&c)), "{a}");
        // Nothing easily confused.
        for confusing in [b'0', b'O', b'1', b'I', b'L'] {
            assert!(!ALPHABET.contains(&confusing));
        }
    }

    #[test]
    fn typed_codes_are_normalised() {
        assert_eq!(normalise_code(" lena-7k4qx "), "LENA-7K4QX");
        assert_eq!(normalise_code("LENA - 7K4 QX"), "LENA-7K4QX");
    }

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
