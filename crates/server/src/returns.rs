//! Returns: which items can go back and why not, the return itself (quantities checked in
//! the write transaction, [`crate::store::returns`], so concurrent requests can never
//! return more than was delivered), its amounts (also quoted before it is made, by the
//! same checks), the shopper cancelling it, and the shop moving it along.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use postpurchase_api::{
    AdminReturn, ErrorBody, FieldError, InventoryUpdate, NewReturn, ReturnLabel, ReturnOptions,
    ReturnQuote, ReturnSettings, ReturnStatus, ReturnUpdate, ReturnView,
};

use crate::domain::returns::{qr_svg, with_links};
use crate::error::{ApiError, Json, Path, Query};
use crate::extract::{AdminShop, Asked, IdempotencyKey, OpenOrder, OwnerShop};
use crate::replay;
use crate::store::idempotency::Keyed;
use crate::store::returns::ReturnRequest;
use crate::AppState;

pub const RETURNS_PATH: &str = "/api/v1/shops/{shop}/orders/{token}/returns";
pub const QUOTE_PATH: &str = "/api/v1/shops/{shop}/orders/{token}/returns/quote";
pub const CANCEL_PATH: &str = "/api/v1/shops/{shop}/orders/{token}/returns/{number}/cancel";
pub const QR_PATH: &str = "/api/v1/shops/{shop}/orders/{token}/returns/{number}/qr.svg";
pub const SETTINGS_PATH: &str = "/api/v1/admin/return-settings";
pub const STATUS_PATH: &str = "/api/v1/admin/returns/{number}/status";
pub const QUEUE_PATH: &str = "/api/v1/admin/returns";
pub const LABEL_PATH: &str = "/api/v1/admin/returns/{number}/label";
pub const INVENTORY_PATH: &str = "/api/v1/admin/inventory";
/// The most of one variant a shop may say it has.
pub const STOCK_MAX: u32 = 1_000_000_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            RETURNS_PATH,
            get(options)
                .post(create)
                .layer(crate::body_limit_layer(RETURNS_PATH)),
        )
        .route(
            QUOTE_PATH,
            post(quote).layer(crate::body_limit_layer(QUOTE_PATH)),
        )
        .route(CANCEL_PATH, post(cancel))
        .route(QR_PATH, get(qr_code))
        .route(SETTINGS_PATH, put(put_settings).get(get_settings))
        .route(STATUS_PATH, post(update_status))
        .route(LABEL_PATH, put(attach_label))
        .route(QUEUE_PATH, get(queue))
        .route(
            INVENTORY_PATH,
            put(set_inventory).layer(crate::body_limit_layer(INVENTORY_PATH)),
        )
}

/// What can be returned, and the order's returns so far.
#[utoipa::path(
    get,
    path = "/api/v1/shops/{shop}/orders/{token}/returns",
    tag = "shopper",
    params(
        ("shop" = String, Path, description = "The shop's slug"),
        ("token" = String, Path, description = "The order's capability token"),
    ),
    responses(
        (status = 200, description = "Each line with how many can go back (or why none), the reasons, the bonus, the returns", body = ReturnOptions),
        (status = 404, description = "`order_not_found`, or `module_off`", body = ErrorBody),
    )
)]
pub async fn options(
    State(state): State<AppState>,
    Path((shop, token)): Path<(String, String)>,
    Asked(asked): Asked,
) -> Result<Json<ReturnOptions>, ApiError> {
    let mut options = state
        .db
        .return_options(&shop, &token, state.clock.now())
        .await?;
    // The reasons the shopper may read: the shop's, each line's, those of the returns made.
    let said: Vec<String> = options
        .reasons
        .iter()
        .chain(options.lines.iter().flat_map(|l| &l.reasons))
        .chain(
            options
                .returns
                .iter()
                .flat_map(|r| r.items.iter().map(|i| &i.reason)),
        )
        .cloned()
        .collect();
    options.words = crate::words::translate(&state, &shop, &asked, &said).await?;
    options.returns = options
        .returns
        .into_iter()
        .map(|r| with_links(&state.public_url, &shop, &token, r))
        .collect();
    Ok(Json(options))
}

/// Starts a return. Safe to retry with an `Idempotency-Key`.
#[utoipa::path(
    post,
    path = "/api/v1/shops/{shop}/orders/{token}/returns",
    tag = "shopper",
    params(
        ("shop" = String, Path, description = "The shop's slug"),
        ("token" = String, Path, description = "The order's capability token"),
        ("Idempotency-Key" = Option<String>, Header,
            description = "The same key and body within a day get the saved answer"),
    ),
    request_body = NewReturn,
    responses(
        (status = 201, description = "The return, with its number and amounts", body = ReturnView),
        (status = 404, description = "`order_not_found`, or `module_off`", body = ErrorBody),
        (status = 422, description = "Items that cannot go back (or not so many), unknown reasons, or a key used for another request", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    Path((shop, token)): Path<(String, String)>,
    IdempotencyKey(key): IdempotencyKey,
    _: OpenOrder,
    Json(request): Json<NewReturn>,
) -> Result<Response, ApiError> {
    let key = Keyed::new(key, b"returns", &request)?;
    let answer = state
        .db
        .create_return(
            ReturnRequest {
                shop,
                token,
                request,
                key,
                public_url: state.public_url.clone(),
            },
            state.clock.now(),
        )
        .await?;
    if answer.queued {
        state.webhooks.notify_one();
    }
    Ok(replay::answer(201, answer.body, answer.replayed))
}

/// What a return would bring, before the shopper confirms it: the body of
/// [`create`], checked exactly as it checks it (the same refusals), with the refund and
/// the store-credit bonus worked out as it would record them. Writes nothing.
#[utoipa::path(
    post,
    path = "/api/v1/shops/{shop}/orders/{token}/returns/quote",
    tag = "shopper",
    params(
        ("shop" = String, Path, description = "The shop's slug"),
        ("token" = String, Path, description = "The order's capability token"),
    ),
    request_body = NewReturn,
    responses(
        (status = 200, description = "The refund and the store-credit bonus the return would get", body = ReturnQuote),
        (status = 404, description = "`order_not_found`, or `module_off`", body = ErrorBody),
        (status = 422, description = "Items that cannot go back (or not so many), unknown reasons: as starting the return would say", body = ErrorBody),
    )
)]
pub async fn quote(
    State(state): State<AppState>,
    Path((shop, token)): Path<(String, String)>,
    _: OpenOrder,
    Json(request): Json<NewReturn>,
) -> Result<Json<ReturnQuote>, ApiError> {
    Ok(Json(
        state
            .db
            .quote_return(&shop, &token, request, state.clock.now())
            .await?,
    ))
}

/// The return's QR code, an SVG image.
#[utoipa::path(
    get,
    path = "/api/v1/shops/{shop}/orders/{token}/returns/{number}/qr.svg",
    tag = "shopper",
    params(
        ("shop" = String, Path, description = "The shop's slug"),
        ("token" = String, Path, description = "The order's capability token"),
        ("number" = String, Path, description = "The return's number"),
    ),
    responses(
        (status = 200, description = "`image/svg+xml`: the return number as a QR code"),
        (status = 404, description = "No such order or return", body = ErrorBody),
    )
)]
pub async fn qr_code(
    State(state): State<AppState>,
    Path((shop, token, number)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    state
        .db
        .return_exists(&shop, &token, &number, state.clock.now())
        .await?;
    let svg = qr_svg(&number).ok_or_else(|| ApiError::internal("qr", "cannot encode"))?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                HeaderValue::from_static("image/svg+xml"),
            ),
            (
                axum::http::header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=86400"),
            ),
        ],
        svg,
    )
        .into_response())
}

/// The shopper cancels a return while nothing is on its way.
#[utoipa::path(
    post,
    path = "/api/v1/shops/{shop}/orders/{token}/returns/{number}/cancel",
    tag = "shopper",
    params(
        ("shop" = String, Path, description = "The shop's slug"),
        ("token" = String, Path, description = "The order's capability token"),
        ("number" = String, Path, description = "The return's number"),
    ),
    responses(
        (status = 200, description = "Cancelled (or already so)", body = ReturnView),
        (status = 404, description = "No such order or return", body = ErrorBody),
        (status = 409, description = "`return_under_way`: it is on its way or further", body = ErrorBody),
    )
)]
pub async fn cancel(
    State(state): State<AppState>,
    Path((shop, token, number)): Path<(String, String, String)>,
) -> Result<Json<ReturnView>, ApiError> {
    let (view, queued) = state
        .db
        .cancel_return(&shop, &token, &number, state.clock.now())
        .await?;
    if queued {
        state.webhooks.notify_one();
    }
    Ok(Json(with_links(&state.public_url, &shop, &token, view)))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// Only returns of this status (`requested`: those waiting for the shop).
    status: Option<ReturnStatus>,
}

/// The shop's returns, newest first (500 at most): the queue to work through.
#[utoipa::path(
    get,
    path = "/api/v1/admin/returns",
    tag = "admin",
    params(QueueQuery),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "Returns with their orders", body = [AdminReturn]),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 400, description = "`invalid_query`: an unknown status", body = ErrorBody),
    )
)]
pub async fn queue(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Query(query): Query<QueueQuery>,
) -> Result<Json<Vec<AdminReturn>>, ApiError> {
    Ok(Json(state.db.shop_returns(shop.id, query.status).await?))
}

/// The shop moves a return along: approved, in transit, received, refunded, or rejected,
/// optionally with a message the shopper sees (why it was rejected, say).
#[utoipa::path(
    post,
    path = "/api/v1/admin/returns/{number}/status",
    tag = "admin",
    params(("number" = String, Path, description = "The return's number")),
    request_body = ReturnUpdate,
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The return as it now stands", body = ReturnView),
        (status = 401, description = "Missing or unknown API key", body = ErrorBody),
        (status = 404, description = "The shop has no such return", body = ErrorBody),
        (status = 409, description = "`invalid_transition`", body = ErrorBody),
        (status = 422, description = "A message that is blank or too long", body = ErrorBody),
    )
)]
pub async fn update_status(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Path(number): Path<String>,
    Json(update): Json<ReturnUpdate>,
) -> Result<Json<ReturnView>, ApiError> {
    let message = crate::domain::shop_message(update.message)
        .map_err(|e| ApiError::invalid_fields(vec![e]))?;
    let (view, queued) = state
        .db
        .move_return(shop.id, &number, update.status, message, state.clock.now())
        .await?;
    if queued {
        state.webhooks.notify_one();
    }
    Ok(Json(view))
}

/// Attaches the carrier's label the shop's shipping tool made for a return: the
/// shopper's link to print goes to it, and the return counts as ready to send.
#[utoipa::path(
    put,
    path = "/api/v1/admin/returns/{number}/label",
    tag = "admin",
    params(("number" = String, Path, description = "The return's number")),
    request_body = ReturnLabel,
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The return as it now stands", body = ReturnView),
        (status = 401, description = "Missing or unknown API key", body = ErrorBody),
        (status = 404, description = "The shop has no such return", body = ErrorBody),
        (status = 422, description = "Not an https address", body = ErrorBody),
    )
)]
pub async fn attach_label(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Path(number): Path<String>,
    Json(label): Json<ReturnLabel>,
) -> Result<Json<ReturnView>, ApiError> {
    let url = label.label_url.map(|u| u.trim().to_owned());
    if url
        .as_deref()
        .is_some_and(|u| u.len() > 2000 || !crate::domain::shops::web_url_ok(u))
    {
        return Err(ApiError::invalid_fields(vec![FieldError::new(
            "label_url",
            "must be an https address of at most 2,000 characters",
        )]));
    }
    Ok(Json(
        state.db.set_return_label(shop.id, &number, url).await?,
    ))
}

/// Sets the stock of the shop's variants, for exchanges.
#[utoipa::path(
    put,
    path = "/api/v1/admin/inventory",
    tag = "admin",
    request_body = InventoryUpdate,
    security(("api_key" = [])),
    responses(
        (status = 204, description = "Stock set"),
        (status = 401, description = "Missing or unknown API key", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    )
)]
pub async fn set_inventory(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Json(update): Json<InventoryUpdate>,
) -> Result<StatusCode, ApiError> {
    let mut errors = Vec::new();
    if update.items.len() > 1000 {
        errors.push(FieldError::new("items", "at most 1000 at a time"));
    }
    for (i, level) in update.items.iter().enumerate() {
        if level.stock > STOCK_MAX {
            errors.push(FieldError::new(
                format!("items[{i}].stock"),
                format!("must be at most {STOCK_MAX}"),
            ));
        }
        let fields = [
            ("sku", &level.sku),
            ("product", &level.product),
            ("variant", &level.variant),
        ];
        for (name, value) in fields {
            if !crate::domain::text_ok(value, 100) {
                errors.push(FieldError::new(
                    format!("items[{i}].{name}"),
                    "must be 1 to 100 characters",
                ));
            }
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    state.db.set_inventory(shop.id, update.items).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The shop's return terms.
#[utoipa::path(
    get,
    path = "/api/v1/admin/return-settings",
    tag = "admin",
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The terms", body = ReturnSettings),
        (status = 401, description = "Missing or unknown API key", body = ErrorBody),
    )
)]
pub async fn get_settings(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
) -> Result<Json<ReturnSettings>, ApiError> {
    Ok(Json(state.db.return_settings(shop.id).await?))
}

/// Switches returns on or off and sets the window, reasons and store-credit bonus.
#[utoipa::path(
    put,
    path = "/api/v1/admin/return-settings",
    tag = "admin",
    request_body = ReturnSettings,
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The terms as stored", body = ReturnSettings),
        (status = 401, description = "Missing or unknown API key", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    )
)]
pub async fn put_settings(
    State(state): State<AppState>,
    OwnerShop(shop): OwnerShop,
    Json(settings): Json<ReturnSettings>,
) -> Result<Json<ReturnSettings>, ApiError> {
    let mut settings = settings;
    settings.return_address = settings
        .return_address
        .map(|a| a.trim().replace("\r\n", "\n"))
        .filter(|a| !a.is_empty());
    let errors = crate::domain::returns::check_settings(&settings);
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    state
        .db
        .set_return_settings(shop.id, settings.clone())
        .await?;
    Ok(Json(settings))
}
