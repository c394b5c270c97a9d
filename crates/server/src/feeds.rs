//! Tracking feeds in: one address per shop and source, taking the source's own webhook
//! as it sends it, verified its own way (a send that fails is refused with `401` and kept
//! nowhere), mapped to our statuses with the source's code and words kept, placed by time,
//! idempotent on the source's update, and answered `200` so the source does not retry.

use axum::body::Bytes;
use axum::extract::{FromRequest, RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post, put};
use axum::Router;
use postpurchase_api::{ErrorBody, FeedResult, FeedSecret, FeedSource, FieldError};

use crate::domain::feeds::{Source, MAX_AGE};
use crate::domain::platforms::Platform;
use crate::error::{ApiError, Json, Path};
use crate::extract::{AdminShop, OwnerShop};
use crate::AppState;

pub const FEED_PATH: &str = "/api/v1/feeds/{shop}/{source}";
pub const SOURCES_PATH: &str = "/api/v1/admin/feeds";
pub const SOURCE_PATH: &str = "/api/v1/admin/feeds/{source}";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            FEED_PATH,
            post(take).layer(crate::body_limit_layer(FEED_PATH)),
        )
        .route(SOURCES_PATH, get(sources))
        .route(SOURCE_PATH, put(set_secret).delete(remove_secret))
}

/// A body as sent, bounded by the route's limit: the signature is over these bytes.
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        crate::error::read_body(request, state).await.map(RawBody)
    }
}

/// `401 signature_missing`: the header a sender signs in is not there.
pub fn signature_missing(header: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "signature_missing",
        format!("The `{header}` header is missing."),
    )
}

/// `401 bad_signature`: not this request signed with the shop's secret for `sender`.
pub fn bad_signature(sender: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "bad_signature",
        format!("The signature does not match this request and the shop's secret for {sender}."),
    )
}

/// A verified body as JSON, or `400 invalid_json`.
pub fn json_body(body: &[u8]) -> Result<serde_json::Value, ApiError> {
    serde_json::from_slice(body).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            "The body is not valid JSON.",
        )
    })
}

fn source_of(name: &str) -> Result<Source, ApiError> {
    Source::parse(name).ok_or_else(ApiError::not_found)
}

/// What a secret is kept for: a tracking source's feed, or a shop platform's orders
/// (taken at [`crate::platforms`]); both under the name in `feed_secrets`.
#[derive(Clone, Copy)]
enum Sender {
    Feed(Source),
    Platform(Platform),
}

impl Sender {
    fn parse(name: &str) -> Result<Sender, ApiError> {
        match Platform::parse(name) {
            Some(p) => Ok(Sender::Platform(p)),
            None => source_of(name).map(Sender::Feed),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Sender::Feed(s) => s.as_str(),
            Sender::Platform(p) => p.as_str(),
        }
    }

    /// The address's folder: `/api/v1/{folder}/{shop}/{name}`.
    fn folder(self) -> &'static str {
        match self {
            Sender::Feed(_) => "feeds",
            Sender::Platform(_) => "platforms",
        }
    }
}

/// A tracking source's webhook for the shop's parcels. Sendcloud signs with
/// `Sendcloud-Signature` (hex HMAC-SHA256 of the body), AfterShip with
/// `aftership-hmac-sha256` (its base64), each with the secret the shop set for it; DHL's
/// push sends that secret in `X-Postpurchase-Key`, as its subscription names; EasyPost
/// signs with `X-Hmac-Signature` (`hmac-sha256-hex=` and the hex HMAC of the body);
/// Shippo with `Shippo-Auth-Signature` where its team switched HMAC on, otherwise the
/// address carries the secret as `?token=`; Karrio sends its secret in `X-Event-Id`.
#[utoipa::path(
    post,
    path = "/api/v1/feeds/{shop}/{source}",
    tag = "feeds",
    params(
        ("shop" = String, Path, description = "The shop's slug"),
        ("source" = String, Path, description = "`sendcloud`, `aftership`, `dhl`, `easypost`, `shippo` or `karrio`"),
        ("Sendcloud-Signature" = Option<String>, Header, description = "Sendcloud: hex HMAC-SHA256 of the body"),
        ("aftership-hmac-sha256" = Option<String>, Header, description = "AfterShip: base64 HMAC-SHA256 of the body"),
        ("X-Postpurchase-Key" = Option<String>, Header, description = "DHL: the secret itself, as the push subscription's API-key header"),
        ("X-Hmac-Signature" = Option<String>, Header, description = "EasyPost: `hmac-sha256-hex=` and the hex HMAC-SHA256 of the body"),
        ("Shippo-Auth-Signature" = Option<String>, Header, description = "Shippo, when its HMAC is switched on: `t=<seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\">`"),
        ("X-Event-Id" = Option<String>, Header, description = "Karrio: the webhook's secret itself, as Karrio sends it"),
        ("token" = Option<String>, Query, description = "Shippo without HMAC: the secret, as the webhook address's `?token=`"),
    ),
    request_body(content = Object, description = "The source's own payload", content_type = "application/json"),
    responses(
        (status = 200, description = "Taken in: what was new, what was known, what is not this shop's", body = FeedResult),
        (status = 400, description = "`invalid_json`", body = ErrorBody),
        (status = 401, description = "`signature_missing` or `bad_signature`: nothing kept", body = ErrorBody),
        (status = 404, description = "`feed_not_set`: this shop takes no feed from that source", body = ErrorBody),
        (status = 409, description = "`stale`: sent more than three days ago (or from the future)", body = ErrorBody),
        (status = 422, description = "`unreadable_feed`: not the source's shape; nothing kept", body = ErrorBody),
    )
)]
pub async fn take(
    State(state): State<AppState>,
    Path((shop, source)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<Json<FeedResult>, ApiError> {
    let source = source_of(&source)?;
    let Some((shop_id, secret)) = state.db.feed_secret(&shop, source.as_str()).await? else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "feed_not_set",
            "This shop takes no feed from that source: its owner sets the source's secret first.",
        ));
    };
    let signature = headers
        .get(source.signature_header())
        .and_then(|v| v.to_str().ok());
    // Shippo without its HMAC: the secret as the address's `token`.
    let token = query
        .as_deref()
        .filter(|_| source.takes_token())
        .and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(name, _)| name == "token")
                .map(|(_, value)| value.into_owned())
        });
    let verified = match (signature, &token) {
        (Some(signature), _) => source.verify(&secret, &body, signature),
        (None, Some(token)) => crate::domain::feeds::same_secret(&secret, token),
        (None, None) => return Err(signature_missing(source.signature_header())),
    };
    if !verified {
        return Err(bad_signature("the source"));
    }
    let signed_at = signature.and_then(|s| source.signed_at(s));
    let value = json_body(&body)?;
    let events = source.read(&value).map_err(|why| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unreadable_feed",
            format!("This is not a {} update: {why}.", source.as_str()),
        )
    })?;
    let now = state.clock.now();
    if events
        .iter()
        .filter_map(|e| e.sent_at)
        .chain(signed_at)
        .any(|at| at < now - MAX_AGE || at > now + 300)
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "stale",
            "This update was sent more than three days ago, or claims to come from the future: it is not taken.",
        ));
    }
    let (result, queued) = state.db.take_feed(shop_id, events, now).await?;
    if queued {
        state.webhooks.notify_one();
    }
    Ok(Json(result))
}

fn view(state: &AppState, slug: &str, source: Sender, configured: bool) -> FeedSource {
    FeedSource {
        source: source.as_str().to_owned(),
        configured,
        url: format!(
            "{}/api/v1/{}/{slug}/{}",
            state.public_url.trim_end_matches('/'),
            source.folder(),
            source.as_str()
        ),
    }
}

/// Every tracking source and shop platform, whether the shop set its secret, and the
/// address to paste into its webhook settings. Secrets are never shown.
#[utoipa::path(
    get,
    path = "/api/v1/admin/feeds",
    tag = "admin",
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The sources", body = [FeedSource]),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
    )
)]
pub async fn sources(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
) -> Result<Json<Vec<FeedSource>>, ApiError> {
    let set = state.db.feed_sources(shop.id).await?;
    Ok(Json(
        Source::ALL
            .into_iter()
            .map(Sender::Feed)
            .chain(Platform::ALL.into_iter().map(Sender::Platform))
            .map(|s| view(&state, &shop.slug, s, set.iter().any(|n| n == s.as_str())))
            .collect(),
    ))
}

/// Sets the secret a source signs the shop's feed with (owners only): Sendcloud's
/// integration "Secret Key" or "Webhook Signature Key", AfterShip's webhook secret, or
/// the token DHL's push subscription sends in `X-Postpurchase-Key`, or EasyPost's
/// webhook secret; or a shop platform's (`woocommerce`, `shopware`, `shopify`) webhook
/// secret, for its orders.
#[utoipa::path(
    put,
    path = "/api/v1/admin/feeds/{source}",
    tag = "admin",
    params(("source" = String, Path, description = "`sendcloud`, `aftership`, `dhl` or `easypost`; or `woocommerce`, `shopware` or `shopify`")),
    request_body = FeedSecret,
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "Set: the source with its address", body = FeedSource),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 403, description = "`owner_only`, or `csrf_failed`", body = ErrorBody),
        (status = 404, description = "No such source", body = ErrorBody),
        (status = 422, description = "A secret under 8 or over 200 characters, or with spaces", body = ErrorBody),
    )
)]
pub async fn set_secret(
    State(state): State<AppState>,
    OwnerShop(shop): OwnerShop,
    Path(source): Path<String>,
    Json(secret): Json<FeedSecret>,
) -> Result<Json<FeedSource>, ApiError> {
    let source = Sender::parse(&source)?;
    let text = secret.secret;
    if !(8..=200).contains(&text.len()) || !text.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::invalid_fields(vec![FieldError::new(
            "secret",
            "must be 8 to 200 characters, letters, digits and signs without spaces (ASCII)",
        )]));
    }
    state
        .db
        .set_feed_secret(shop.id, source.as_str(), Some(text))
        .await?;
    Ok(Json(view(&state, &shop.slug, source, true)))
}

/// Stops taking a source's feed, or a platform's orders (owners only).
#[utoipa::path(
    delete,
    path = "/api/v1/admin/feeds/{source}",
    tag = "admin",
    params(("source" = String, Path, description = "`sendcloud`, `aftership`, `dhl` or `easypost`; or `woocommerce`, `shopware` or `shopify`")),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 204, description = "Removed (or was not set)"),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 403, description = "`owner_only`, or `csrf_failed`", body = ErrorBody),
        (status = 404, description = "No such source", body = ErrorBody),
    )
)]
pub async fn remove_secret(
    State(state): State<AppState>,
    OwnerShop(shop): OwnerShop,
    Path(source): Path<String>,
) -> Result<StatusCode, ApiError> {
    let source = Sender::parse(&source)?;
    state
        .db
        .set_feed_secret(shop.id, source.as_str(), None)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
