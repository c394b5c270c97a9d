//! Returns: which items can go back and why not, the return itself (quantities checked in
//! the write transaction, so concurrent requests can never return more than was
//! delivered), its amounts, the shopper cancelling it, and the shop moving it along.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use postpurchase_api::{
    ErrorBody, FieldError, InventoryUpdate, NewReturn, NotReturnable, Resolution, ReturnChanged,
    ReturnOptions, ReturnSettings, ReturnStatus, ReturnUpdate, ReturnView, ReturnableLine,
    WebhookData,
};

use crate::admin::{AdminShop, IdempotencyKey};
use crate::error::{ApiError, Json};
use crate::replay::{self, Keyed};
use crate::store::{self, OrderRef};
use crate::{webhooks, AppState};

pub const RETURNS_PATH: &str = "/api/v1/shops/{shop}/orders/{token}/returns";
pub const CANCEL_PATH: &str = "/api/v1/shops/{shop}/orders/{token}/returns/{number}/cancel";
pub const QR_PATH: &str = "/api/v1/shops/{shop}/orders/{token}/returns/{number}/qr.svg";
pub const SETTINGS_PATH: &str = "/api/v1/admin/return-settings";
pub const STATUS_PATH: &str = "/api/v1/admin/returns/{number}/status";
pub const INVENTORY_PATH: &str = "/api/v1/admin/inventory";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(RETURNS_PATH, get(options).post(create))
        .route(CANCEL_PATH, post(cancel))
        .route(QR_PATH, get(qr_code))
        .route(SETTINGS_PATH, put(put_settings).get(get_settings))
        .route(STATUS_PATH, post(update_status))
        .route(INVENTORY_PATH, put(set_inventory))
}

/// What returning one order line depends on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineFacts {
    pub line_id: i64,
    pub name: String,
    pub unit_price: i64,
    pub final_sale: bool,
    pub sku: String,
    /// The product it is a variant of, when the shop said.
    pub product: Option<String>,
    /// Pieces in delivered parcels.
    pub delivered: u32,
    /// When the latest of those parcels was delivered (Unix seconds).
    pub delivered_at: Option<i64>,
    /// Pieces in returns that are not cancelled or rejected.
    pub in_returns: u32,
}

/// How many pieces of a line can still be returned at `now`, why not when none, and
/// when its window closes.
pub fn returnable(
    line: &LineFacts,
    now: i64,
    window_days: u32,
) -> (u32, Option<NotReturnable>, Option<i64>) {
    let closes = line
        .delivered_at
        .map(|at| at + i64::from(window_days) * 86_400);
    if line.final_sale {
        return (0, Some(NotReturnable::FinalSale), closes);
    }
    if line.delivered == 0 {
        return (0, Some(NotReturnable::NotDelivered), None);
    }
    if closes.is_some_and(|c| now >= c) {
        return (0, Some(NotReturnable::WindowClosed), closes);
    }
    match line.delivered.saturating_sub(line.in_returns) {
        0 => (0, Some(NotReturnable::AllReturned), closes),
        free => (free, None, closes),
    }
}

/// What goes back, and the store-credit bonus on top (rounded down); nothing for an
/// exchange, where the same product comes back in another variant.
pub fn amounts(items: &[(i64, u32)], resolution: Resolution, bonus_percent: u32) -> (i64, i64) {
    let refund: i64 = items.iter().map(|(price, n)| price * i64::from(*n)).sum();
    match resolution {
        Resolution::StoreCredit => (refund, refund * i64::from(bonus_percent) / 100),
        Resolution::Refund => (refund, 0),
        Resolution::Exchange => (0, 0),
    }
}

/// The shop's moves: forward through the return's life, rejection until it is refunded.
/// Cancelling is the shopper's, while nothing is on its way.
pub fn shop_may_move(from: ReturnStatus, to: ReturnStatus) -> bool {
    use ReturnStatus::*;
    matches!(
        (from, to),
        (Requested, Approved | Rejected)
            | (Approved, InTransit | Received | Rejected)
            | (InTransit, Received)
            | (Received, Refunded | Rejected)
    )
}

fn module_off() -> ApiError {
    ApiError::module_off("This shop takes no returns here.")
}

pub fn returning_order(
    conn: &rusqlite::Connection,
    shop: &str,
    token: &str,
    now: i64,
) -> Result<(OrderRef, ReturnSettings), ApiError> {
    let order = crate::shopper::find_order(conn, shop, token, now)?;
    let settings = store::return_settings(conn, order.shop_id)?;
    if !settings.enabled {
        return Err(module_off());
    }
    Ok((order, settings))
}

fn options_of(
    conn: &rusqlite::Connection,
    order: OrderRef,
    settings: ReturnSettings,
    now: i64,
) -> Result<ReturnOptions, ApiError> {
    let lines = store::return_facts(conn, order.order_id)?
        .iter()
        .map(|line| -> rusqlite::Result<ReturnableLine> {
            let (quantity, reason, closes) = returnable(line, now, settings.window_days);
            Ok(ReturnableLine {
                line_id: line.line_id,
                name: line.name.clone(),
                quantity,
                reason,
                window_closes_at: closes.map(store::instant),
                exchange_options: match &line.product {
                    Some(product) => {
                        store::exchange_options(conn, order.shop_id, product, &line.sku)?
                    }
                    None => Vec::new(),
                },
            })
        })
        .collect::<rusqlite::Result<_>>()?;
    Ok(ReturnOptions {
        lines,
        reasons: settings.reasons,
        store_credit_bonus: settings.store_credit_bonus,
        returns: store::returns_of(conn, order.order_id, None)?,
    })
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
) -> Result<Json<ReturnOptions>, ApiError> {
    let now = state.clock.now();
    let options = state.db.read(|conn| {
        Ok::<_, rusqlite::Error>(
            returning_order(conn, &shop, &token, now)
                .and_then(|(order, settings)| options_of(conn, order, settings, now)),
        )
    })??;
    let mut options = options;
    options.returns = options
        .returns
        .into_iter()
        .map(|r| with_links(&state, &shop, &token, r))
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
    Json(request): Json<NewReturn>,
) -> Result<Response, ApiError> {
    let now = state.clock.now();
    let keyed = Keyed::new(key, b"returns", &request)?;
    let (status, body, replayed, queued) = state.db.write(|tx| {
        let (order, settings) = returning_order(tx, &shop, &token, now)?;
        if let Some(saved) = keyed
            .as_ref()
            .map(|k| k.saved(tx, order.order_id, now))
            .transpose()?
            .flatten()
        {
            return Ok((saved.0, saved.1, true, false));
        }
        // Checked here, in the write transaction: what is free now stays free until commit.
        let facts = store::return_facts(tx, order.order_id)?;
        let mut errors = Vec::new();
        let mut priced = Vec::new();
        if request.items.is_empty() {
            errors.push(FieldError::new("items", "choose at least one item"));
        }
        for (i, item) in request.items.iter().enumerate() {
            let field = |name: &str| format!("items[{i}].{name}");
            let Some(line) = facts.iter().find(|l| l.line_id == item.line_id) else {
                errors.push(FieldError::new(
                    field("line_id"),
                    "is not an item of this order",
                ));
                continue;
            };
            if request.items[..i].iter().any(|x| x.line_id == item.line_id) {
                errors.push(FieldError::new(field("line_id"), "is listed twice"));
            }
            let (free, why, _) = returnable(line, now, settings.window_days);
            if item.quantity == 0 || item.quantity > free {
                let message = match why {
                    Some(why) => format!("cannot be returned: {}", store::wire_name(why)),
                    None => format!("at most {free} can be returned"),
                };
                errors.push(FieldError::new(field("quantity"), message));
            }
            if !settings.reasons.iter().any(|r| r == item.reason.trim()) {
                errors.push(FieldError::new(
                    field("reason"),
                    "is not one of the shop's reasons",
                ));
            }
            let wanted = item.exchange_sku.as_deref().map(str::trim);
            match (request.resolution, wanted) {
                (Resolution::Exchange, None) => errors.push(FieldError::new(
                    field("exchange_sku"),
                    "choose the variant you want instead",
                )),
                (Resolution::Exchange, Some(sku)) => {
                    let variant =
                        store::stock_of(tx, order.shop_id, sku)?.filter(|(product, _)| {
                            Some(product) == line.product.as_ref() && sku != line.sku
                        });
                    match variant {
                        None => errors.push(FieldError::new(
                            field("exchange_sku"),
                            "is not another variant of this product",
                        )),
                        Some((_, stock)) if stock < item.quantity => {
                            errors.push(FieldError::new(field("exchange_sku"), "is not in stock"))
                        }
                        Some(_) => {}
                    }
                }
                (_, Some(_)) => errors.push(FieldError::new(
                    field("exchange_sku"),
                    "only for an exchange",
                )),
                (_, None) => {}
            }
            if item
                .comment
                .as_ref()
                .is_some_and(|c| c.chars().count() > 500)
            {
                errors.push(FieldError::new(
                    field("comment"),
                    "must be at most 500 characters",
                ));
            }
            priced.push((line.unit_price, item.quantity));
        }
        if !errors.is_empty() {
            return Err(ApiError::invalid_fields(errors));
        }
        // The variants wanted instead are set aside now, in this transaction.
        for (i, item) in request.items.iter().enumerate() {
            if let Some(sku) = item.exchange_sku.as_deref().map(str::trim) {
                if !store::take_stock(tx, order.shop_id, sku, item.quantity)? {
                    return Err(ApiError::invalid_fields(vec![FieldError::new(
                        format!("items[{i}].exchange_sku"),
                        "is not in stock",
                    )]));
                }
            }
        }
        let (refund, bonus) = amounts(&priced, request.resolution, settings.store_credit_bonus);
        let id = store::insert_return(tx, &order, &request, refund, bonus, now)?;
        let view = store::return_view(tx, order.order_id, id)?;
        let shown = with_links(&state, &shop, &token, view.clone());
        let body = serde_json::to_vec(&shown).map_err(|e| ApiError::internal("json", e))?;
        if let Some(k) = &keyed {
            k.save(tx, order.order_id, (201, &body), now)?;
        }
        let queued = tell_shop(
            tx,
            order.shop_id,
            order.order_id,
            "return.created",
            &view,
            now,
        )?;
        Ok::<_, ApiError>((201, body, false, queued))
    })?;
    if queued {
        state.webhooks.notify_one();
    }
    Ok(replay::answer(status, body, replayed))
}

/// Queues the shop's webhook about a return as it now stands; true when one was queued.
fn tell_shop(
    tx: &rusqlite::Transaction,
    shop_id: i64,
    order_id: i64,
    kind: &str,
    view: &ReturnView,
    now: i64,
) -> Result<bool, ApiError> {
    let data = WebhookData::Return(ReturnChanged {
        order_number: store::order_number(tx, order_id)?,
        return_: view.clone(),
    });
    webhooks::queue(tx, shop_id, kind, now, data)
}

/// A return's QR code: its number, as an SVG drawing (black on white, a quiet zone
/// around it), for a drop-off point's scanner.
pub fn qr_svg(number: &str) -> Option<String> {
    let code = qrcode::QrCode::new(number.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color>()
            .min_dimensions(240, 240)
            .dark_color(qrcode::render::svg::Color("#000000"))
            .light_color(qrcode::render::svg::Color("#ffffff"))
            .build(),
    )
}

/// Fills in the shopper's addresses of their return's QR code and printable page.
fn with_links(state: &AppState, shop: &str, token: &str, mut view: ReturnView) -> ReturnView {
    view.qr_code_url = Some(format!(
        "{}/api/v1/shops/{shop}/orders/{token}/returns/{}/qr.svg",
        state.public_url, view.number
    ));
    view.label_url = Some(format!(
        "{}/o/{shop}/{token}/returns/{}/label",
        state.public_url, view.number
    ));
    view
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
    let now = state.clock.now();
    state.db.read(|conn| {
        Ok::<_, rusqlite::Error>(returning_order(conn, &shop, &token, now).and_then(
            |(order, _)| {
                store::order_return(conn, order, &number)?
                    .map(|_| ())
                    .ok_or_else(return_not_found)
            },
        ))
    })??;
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

fn return_not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "return_not_found", "No such return.")
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
    let now = state.clock.now();
    let (view, queued) = state.db.write(|tx| {
        let (order, _) = returning_order(tx, &shop, &token, now)?;
        let (id, status) = store::order_return(tx, order, &number)?.ok_or_else(return_not_found)?;
        let order_id = order.order_id;
        let changed =
            match store::from_wire(&status) {
                Some(ReturnStatus::Requested | ReturnStatus::Approved) => {
                    store::set_return_status(tx, id, ReturnStatus::Cancelled, now)?;
                    store::restock_return(tx, order.shop_id, id)?;
                    true
                }
                Some(ReturnStatus::Cancelled) => false,
                _ => return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "return_under_way",
                    "This return is on its way or further along, so it can no longer be cancelled.",
                )),
            };
        let view = store::return_view(tx, order_id, id)?;
        let queued =
            changed && tell_shop(tx, order.shop_id, order_id, "return.cancelled", &view, now)?;
        Ok::<_, ApiError>((view, queued))
    })?;
    if queued {
        state.webhooks.notify_one();
    }
    Ok(Json(with_links(&state, &shop, &token, view)))
}

/// The shop moves a return along: approved, in transit, received, refunded, or rejected.
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
    )
)]
pub async fn update_status(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Path(number): Path<String>,
    Json(update): Json<ReturnUpdate>,
) -> Result<Json<ReturnView>, ApiError> {
    let now = state.clock.now();
    let (view, queued) = state.db.write(|tx| {
        let (id, order_id, status) =
            store::return_by_number(tx, shop.id, &number)?.ok_or_else(return_not_found)?;
        let from: ReturnStatus = store::from_wire(&status).ok_or_else(return_not_found)?;
        let changed = from != update.status;
        if changed {
            if !shop_may_move(from, update.status) {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "invalid_transition",
                    format!(
                        "A return that is {} cannot become {}.",
                        store::wire_name(from),
                        store::wire_name(update.status)
                    ),
                ));
            }
            store::set_return_status(tx, id, update.status, now)?;
            if update.status == ReturnStatus::Rejected {
                store::restock_return(tx, shop.id, id)?;
            }
        }
        let view = store::return_view(tx, order_id, id)?;
        let queued = changed && tell_shop(tx, shop.id, order_id, "return.updated", &view, now)?;
        Ok::<_, ApiError>((view, queued))
    })?;
    if queued {
        state.webhooks.notify_one();
    }
    Ok(Json(view))
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
        let fields = [
            ("sku", &level.sku),
            ("product", &level.product),
            ("variant", &level.variant),
        ];
        for (name, value) in fields {
            if !(1..=100).contains(&value.trim().chars().count()) {
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
    state.db.write(|tx| {
        for level in &update.items {
            store::set_stock(tx, shop.id, level)?;
        }
        Ok::<_, rusqlite::Error>(())
    })?;
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
    Ok(Json(state.db.read(|c| store::return_settings(c, shop.id))?))
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
    AdminShop(shop): AdminShop,
    Json(mut settings): Json<ReturnSettings>,
) -> Result<Json<ReturnSettings>, ApiError> {
    settings.reasons = settings
        .reasons
        .iter()
        .map(|r| r.trim().to_owned())
        .collect();
    let mut errors = Vec::new();
    if !(1..=365).contains(&settings.window_days) {
        errors.push(FieldError::new("window_days", "must be 1 to 365"));
    }
    if !(1..=12).contains(&settings.reasons.len()) {
        errors.push(FieldError::new("reasons", "give 1 to 12 reasons"));
    }
    for (i, reason) in settings.reasons.iter().enumerate() {
        if !(1..=80).contains(&reason.chars().count())
            || reason.contains('\n')
            || settings.reasons[..i].contains(reason)
        {
            errors.push(FieldError::new(
                format!("reasons[{i}]"),
                "must be 1 to 80 characters on one line, listed once",
            ));
        }
    }
    if settings.store_credit_bonus > 100 {
        errors.push(FieldError::new(
            "store_credit_bonus",
            "must be 0 to 100 percent",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    state
        .db
        .write(|tx| store::set_return_settings(tx, shop.id, &settings))?;
    Ok(Json(settings))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    fn line(
        delivered: u32,
        delivered_at: Option<i64>,
        final_sale: bool,
        in_returns: u32,
    ) -> LineFacts {
        LineFacts {
            line_id: 1,
            name: "Tee".into(),
            unit_price: 2500,
            final_sale,
            sku: "TEE-M".into(),
            product: Some("tee".into()),
            delivered,
            delivered_at,
            in_returns,
        }
    }

    /// Eligibility, case by case: (line, now, expected quantity and reason).
    #[test]
    fn eligibility_follows_delivery_the_window_sales_and_earlier_returns() {
        let at = 1_000 * DAY;
        let cases: &[(LineFacts, i64, u32, Option<NotReturnable>)] = &[
            (line(2, Some(at), false, 0), at + DAY, 2, None),
            // The window's last second, and its end: 30 days counted from delivery.
            (line(2, Some(at), false, 0), at + 30 * DAY - 1, 2, None),
            (
                line(2, Some(at), false, 0),
                at + 30 * DAY,
                0,
                Some(NotReturnable::WindowClosed),
            ),
            (
                line(0, None, false, 0),
                at,
                0,
                Some(NotReturnable::NotDelivered),
            ),
            (
                line(2, Some(at), true, 0),
                at + DAY,
                0,
                Some(NotReturnable::FinalSale),
            ),
            // Partly returned already: only the rest.
            (line(3, Some(at), false, 1), at + DAY, 2, None),
            (
                line(2, Some(at), false, 2),
                at + DAY,
                0,
                Some(NotReturnable::AllReturned),
            ),
        ];
        for (facts, now, quantity, reason) in cases {
            let (q, why, _) = returnable(facts, *now, 30);
            assert_eq!((q, why), (*quantity, *reason), "{facts:?} at {now}");
        }
        assert_eq!(
            returnable(&line(1, Some(at), false, 0), at, 30).2,
            Some(at + 30 * DAY)
        );
    }

    #[test]
    fn amounts_add_up_and_credit_gets_its_bonus() {
        assert_eq!(
            amounts(&[(2500, 2), (1999, 1)], Resolution::Refund, 10),
            (6999, 0)
        );
        assert_eq!(
            amounts(&[(2500, 2), (1999, 1)], Resolution::StoreCredit, 10),
            (6999, 699)
        );
        assert_eq!(amounts(&[], Resolution::StoreCredit, 10), (0, 0));
        assert_eq!(amounts(&[(2500, 2)], Resolution::Exchange, 10), (0, 0));
    }

    #[test]
    fn the_shop_moves_returns_forward_only() {
        use ReturnStatus::*;
        assert!(shop_may_move(Requested, Approved));
        assert!(shop_may_move(Received, Refunded));
        assert!(shop_may_move(Approved, Rejected));
        assert!(!shop_may_move(Refunded, Rejected));
        assert!(!shop_may_move(Received, Approved));
        assert!(
            !shop_may_move(Requested, Cancelled),
            "cancelling is the shopper's"
        );
        assert!(!shop_may_move(Cancelled, Approved));
    }
}
