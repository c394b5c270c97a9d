//! Orders in from shop platforms: one address per shop and platform taking the platform's
//! own order and fulfilment webhooks as it sends them, verified with the secret the shop
//! set (a send that fails is refused with `401` and kept nowhere), each order created
//! once with its first link and kept up to date after, its parcels registered once.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use postpurchase_api::{ErrorBody, FieldError, PlatformResult, ShopwareRegistration};

use crate::domain::platforms::{is_woocommerce_ping, shopware_app, Message, Platform, ReadError};
use crate::error::{ApiError, Json, Path};
use crate::feeds::{bad_signature, json_body, signature_missing, RawBody};
use crate::store::platforms::PlatformSend;
use crate::{domain, AppState};

pub const PLATFORM_PATH: &str = "/api/v1/platforms/{shop}/{platform}";
pub const SHOPWARE_REGISTER_PATH: &str = "/api/v1/platforms/{shop}/shopware/register";
pub const SHOPWARE_CONFIRM_PATH: &str = "/api/v1/platforms/{shop}/shopware/confirm";

/// How far a registration request's time may be from ours.
const REGISTRATION_SKEW: i64 = 10 * 60;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            PLATFORM_PATH,
            post(take).layer(crate::body_limit_layer(PLATFORM_PATH)),
        )
        .route(SHOPWARE_REGISTER_PATH, get(shopware_register))
        .route(SHOPWARE_CONFIRM_PATH, post(shopware_confirm))
}

/// The shop's secret for Shopware (the app's secret, in its manifest), or `404`.
async fn shopware_app_secret(state: &AppState, shop: &str) -> Result<String, ApiError> {
    match state
        .db
        .feed_secret(shop, Platform::Shopware.as_str())
        .await?
    {
        Some((_, secret)) => Ok(secret),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "platform_not_set",
            "This shop takes no orders from Shopware: its owner sets the app's secret first.",
        )),
    }
}

/// Shopware's app registration (the manifest's `registrationUrl`): Shopware asks with
/// `shop-id`, `shop-url` and `timestamp`, signed in `shopware-app-signature` (the hex
/// HMAC-SHA256 of the query string with the app's secret, which is the one the shop's
/// owner set for `shopware`). The answer proves postpurchase knows that secret and gives
/// this Shopware shop its own secret for its confirmation and webhooks.
#[utoipa::path(
    get,
    path = "/api/v1/platforms/{shop}/shopware/register",
    tag = "feeds",
    params(
        ("shop" = String, Path, description = "The shop's slug"),
        ("shop-id" = String, Query, description = "Shopware's id of the shop"),
        ("shop-url" = String, Query, description = "The Shopware shop's address"),
        ("timestamp" = i64, Query, description = "Unix seconds"),
        ("shopware-app-signature" = String, Header, description = "The hex HMAC-SHA256 of the query string, keyed with the app's secret"),
    ),
    responses(
        (status = 200, description = "Registered: the proof, the Shopware shop's secret and where to confirm", body = ShopwareRegistration),
        (status = 401, description = "`signature_missing` or `bad_signature`", body = ErrorBody),
        (status = 404, description = "`platform_not_set`: the shop set no secret for Shopware", body = ErrorBody),
        (status = 409, description = "`stale`: the request's time is more than ten minutes from ours", body = ErrorBody),
        (status = 422, description = "`invalid_query`: `shop-id`, `shop-url` or `timestamp` missing", body = ErrorBody),
    )
)]
pub async fn shopware_register(
    State(state): State<AppState>,
    Path(shop): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Json<ShopwareRegistration>, ApiError> {
    let signature = header(&headers, Some("shopware-app-signature"))
        .ok_or_else(|| signature_missing("shopware-app-signature"))?;
    let app_secret = shopware_app_secret(&state, &shop).await?;
    let query = query.unwrap_or_default();
    if !shopware_app::signs_query(&app_secret, &query, signature) {
        return Err(bad_signature("Shopware"));
    }
    let param = |name: &str| {
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
            .filter(|v| !v.is_empty() && v.len() <= 500)
    };
    let (Some(shop_id), Some(shop_url), Some(at)) = (
        param("shop-id"),
        param("shop-url"),
        param("timestamp").and_then(|t| t.parse::<i64>().ok()),
    ) else {
        return Err(ApiError::invalid_fields(vec![FieldError::new(
            "query",
            "needs shop-id, shop-url and timestamp",
        )]));
    };
    let skew = at
        .saturating_sub(state.clock.now())
        .checked_abs()
        .unwrap_or(i64::MAX);
    if skew > REGISTRATION_SKEW {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "stale",
            "This registration request is more than ten minutes old, or from the future.",
        ));
    }
    tracing::info!(target: "postpurchase::platforms", platform = "shopware", "app registered");
    Ok(Json(ShopwareRegistration {
        proof: shopware_app::proof(&app_secret, &shop_id, &shop_url),
        secret: shopware_app::shop_secret(&app_secret, &shop_id),
        confirmation_url: format!(
            "{}/api/v1/platforms/{shop}/shopware/confirm",
            state.public_url.trim_end_matches('/')
        ),
    }))
}

/// Shopware's confirmation of the registration: `{"apiKey", "secretKey", "timestamp",
/// "shopUrl", "shopId"}`, signed in `shopware-shop-signature` with the shop's secret.
/// postpurchase never calls Shopware's API, so the API credentials are not kept.
#[utoipa::path(
    post,
    path = "/api/v1/platforms/{shop}/shopware/confirm",
    tag = "feeds",
    params(
        ("shop" = String, Path, description = "The shop's slug"),
        ("shopware-shop-signature" = String, Header, description = "The hex HMAC-SHA256 of the body, keyed with the Shopware shop's secret"),
    ),
    request_body(content = Object, description = "Shopware's confirmation", content_type = "application/json"),
    responses(
        (status = 204, description = "Confirmed"),
        (status = 401, description = "`signature_missing` or `bad_signature`", body = ErrorBody),
        (status = 404, description = "`platform_not_set`: the shop set no secret for Shopware", body = ErrorBody),
    )
)]
pub async fn shopware_confirm(
    State(state): State<AppState>,
    Path(shop): Path<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<StatusCode, ApiError> {
    let signature = header(&headers, Some(Platform::Shopware.signature_header()))
        .ok_or_else(|| signature_missing(Platform::Shopware.signature_header()))?;
    let app_secret = shopware_app_secret(&state, &shop).await?;
    let shop_id = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("shopId")?.as_str().map(str::to_owned));
    match shop_id {
        Some(id) if shopware_app::signed_by_shop(&app_secret, &id, &body, signature) => {
            Ok(StatusCode::NO_CONTENT)
        }
        _ => Err(bad_signature("Shopware")),
    }
}

fn header<'a>(headers: &'a HeaderMap, name: Option<&str>) -> Option<&'a str> {
    headers
        .get(name?)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

fn answer(status: StatusCode, result: PlatformResult) -> Response {
    (status, Json(result)).into_response()
}

/// A shop platform's order webhook. WooCommerce (`order.created`, `order.updated`;
/// `X-WC-Webhook-Signature`, the base64 HMAC-SHA256 of the body) and Shopify
/// (`orders/create`, `orders/updated`, `orders/cancelled`, `fulfillments/create`,
/// `fulfillments/update`; `X-Shopify-Hmac-Sha256`, the same) name the topic in a header,
/// Shopware 6 apps (`checkout.order.placed`, the order's state events; `order.written`
/// carries ids only and changes nothing) in the body, signed in `shopware-shop-signature`
/// (the hex HMAC-SHA256 of the body). A new order answers `201` with its first link; a
/// known one `200`.
#[utoipa::path(
    post,
    path = "/api/v1/platforms/{shop}/{platform}",
    tag = "feeds",
    params(
        ("shop" = String, Path, description = "The shop's slug"),
        ("platform" = String, Path, description = "`woocommerce`, `shopware` or `shopify`"),
        ("X-WC-Webhook-Signature" = Option<String>, Header, description = "WooCommerce: base64 HMAC-SHA256 of the body"),
        ("X-WC-Webhook-Topic" = Option<String>, Header, description = "WooCommerce: `order.created`, `order.updated` (others are ignored)"),
        ("shopware-shop-signature" = Option<String>, Header, description = "Shopware: hex HMAC-SHA256 of the body"),
        ("X-Shopify-Hmac-Sha256" = Option<String>, Header, description = "Shopify: base64 HMAC-SHA256 of the body"),
        ("X-Shopify-Topic" = Option<String>, Header, description = "Shopify: `orders/create`, `orders/updated`, `orders/cancelled`, `fulfillments/create`, `fulfillments/update` (others are ignored)"),
        ("X-Shopify-Webhook-Id" = Option<String>, Header, description = "Shopify: the delivery's id; a replay of it changes nothing"),
    ),
    request_body(content = Object, description = "The platform's own payload (WooCommerce's ping `webhook_id=…` is answered `200`)", content_type = "application/json"),
    responses(
        (status = 200, description = "Taken: the order updated or unchanged, a replay, or a send that carries no order (`ignored`)", body = PlatformResult),
        (status = 201, description = "A new order, with its first link in `access`", body = PlatformResult),
        (status = 400, description = "`invalid_json`", body = ErrorBody),
        (status = 401, description = "`signature_missing` or `bad_signature`: nothing kept", body = ErrorBody),
        (status = 404, description = "`platform_not_set`: this shop takes no orders from that platform; or no such platform", body = ErrorBody),
        (status = 409, description = "`order_exists`: the shop has an order with this number that came another way", body = ErrorBody),
        (status = 422, description = "`unreadable_order` (not the platform's shape) or `invalid_fields` (each named the platform's way, e.g. `billing.email`): nothing kept", body = ErrorBody),
    )
)]
pub async fn take(
    State(state): State<AppState>,
    Path((shop, platform)): Path<(String, String)>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<Response, ApiError> {
    let platform = Platform::parse(&platform).ok_or_else(ApiError::not_found)?;
    let Some((shop_id, secret)) = state.db.feed_secret(&shop, platform.as_str()).await? else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "platform_not_set",
            "This shop takes no orders from that platform: its owner sets the platform's webhook secret first.",
        ));
    };
    let ignored = |why: &str| {
        tracing::info!(target: "postpurchase::platforms", platform = platform.as_str(), why, "send ignored");
        answer(
            StatusCode::OK,
            PlatformResult {
                outcome: "ignored".to_owned(),
                number: None,
                parcels_added: 0,
                shop: shop.clone(),
                access: None,
            },
        )
    };
    // Saving a webhook, WooCommerce sends this unsigned and keeps the webhook only when
    // it is answered `200`; it carries nothing.
    if platform == Platform::WooCommerce && is_woocommerce_ping(&body) {
        return Ok(ignored("woocommerce ping"));
    }
    let signature = header(&headers, Some(platform.signature_header()))
        .ok_or_else(|| signature_missing(platform.signature_header()))?;
    if !platform.verify(&secret, &body, signature) {
        return Err(bad_signature("the platform"));
    }
    let value = json_body(&body)?;
    let topic = header(&headers, platform.topic_header());
    let message = platform
        .read(topic, &value)
        .map_err(|ReadError::Shape(why)| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unreadable_order",
                format!("This is not a {} order: {why}.", platform.as_str()),
            )
        })?;
    let now = state.clock.now();
    if let Message::Ignored(why) = message {
        return Ok(ignored(why));
    }
    if let Message::Order(p) = &message {
        let errors = domain::validate_new_order(&p.order, now);
        if !errors.is_empty() {
            return Err(ApiError::invalid_fields(
                errors
                    .into_iter()
                    .map(|e| FieldError::new(platform.field_name(&e.field), e.message))
                    .collect(),
            ));
        }
    }
    let delivery_id = header(&headers, platform.delivery_header())
        .map(str::to_owned)
        .or_else(|| {
            (platform == Platform::Shopware)
                .then(|| {
                    value
                        .get("source")?
                        .get("eventId")?
                        .as_str()
                        .map(str::to_owned)
                })
                .flatten()
        })
        .filter(|id| id.len() <= 200);
    let shop_record = state
        .db
        .shop_by_slug(&shop)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let token = domain::new_token().map_err(|e| ApiError::internal("random", e))?;
    let expires_at = now + i64::from(shop_record.token_valid_days) * 86_400;
    let send = PlatformSend {
        platform,
        delivery_id,
        message,
        token: token.clone(),
        expires_at,
    };
    let taken = state.db.take_platform_send(shop_id, send, now).await?;
    if taken.queued {
        state.webhooks.notify_one();
    }
    // Counts only: no order number, name or address in the log.
    tracing::info!(
        target: "postpurchase::platforms",
        platform = platform.as_str(),
        outcome = taken.outcome,
        parcels = taken.parcels_added,
        "platform send taken"
    );
    let created = taken.outcome == "created";
    Ok(answer(
        if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        PlatformResult {
            outcome: taken.outcome.to_owned(),
            number: taken.number,
            parcels_added: taken.parcels_added,
            access: created
                .then(|| crate::admin::order_access(&state, &shop_record.slug, token, expires_at)),
            shop: shop_record.slug,
        },
    ))
}
