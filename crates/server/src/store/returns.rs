//! Returns: what each line allows, the return itself (quantities checked inside the write
//! transaction, so concurrent requests never return more than was delivered), exchanges
//! against the shop's stock, the shopper cancelling and the shop moving a return along.

use axum::http::StatusCode;
use postpurchase_api::{
    AdminReturn, ExchangeOption, FieldError, NewReturn, PickupPoint, Resolution, ReturnChanged,
    ReturnItemView, ReturnOptions, ReturnQuote, ReturnSettings, ReturnStatus, ReturnView,
    ReturnableLine, StockLevel, WebhookData,
};

use super::idempotency::{Keyed, Saved};
use super::orders::{self, point_columns, OrderRef};
use super::photos;
use super::{date_of, from_wire, instant, webhooks, wire_name};
use crate::db::{Conn, Db, DbError};
use crate::domain::photo::MAX_PHOTOS;
use crate::domain::returns::{
    amounts, reasons_for, returnable, shop_may_move, with_links, LineFacts,
};
use crate::error::ApiError;
use crate::{args, work};

async fn settings(c: &mut Conn<'_>, shop_id: i64) -> Result<ReturnSettings, DbError> {
    let mut r = c
        .query_one(
            "SELECT returns_enabled, return_window_days, return_reasons, store_credit_bonus,
                    return_address, return_send_days, return_reasons_by_type,
                    return_photo_reasons
             FROM shops WHERE id = ?1",
            args![shop_id],
        )
        .await?;
    Ok(ReturnSettings {
        enabled: r.get("returns_enabled")?,
        window_days: r.get("return_window_days")?,
        reasons: super::lines(&r.get::<String>("return_reasons")?),
        store_credit_bonus: r.get("store_credit_bonus")?,
        return_address: r.get("return_address")?,
        send_within_days: r.get("return_send_days")?,
        reasons_by_type: serde_json::from_str(&r.get::<String>("return_reasons_by_type")?)
            .unwrap_or_default(),
        photo_reasons: super::lines(&r.get::<String>("return_photo_reasons")?),
    })
}

pub async fn set_settings(
    c: &mut Conn<'_>,
    shop_id: i64,
    settings: &ReturnSettings,
) -> Result<(), DbError> {
    c.execute(
        "UPDATE shops SET returns_enabled = ?2, return_window_days = ?3, return_reasons = ?4,
                          store_credit_bonus = ?5, return_address = ?6, return_send_days = ?7,
                          return_reasons_by_type = ?8, return_photo_reasons = ?9
         WHERE id = ?1",
        args![
            shop_id,
            settings.enabled,
            settings.window_days,
            settings.reasons.join("\n"),
            settings.store_credit_bonus,
            settings.return_address.as_deref(),
            settings.send_within_days,
            super::json(&settings.reasons_by_type)?,
            settings.photo_reasons.join("\n")
        ],
    )
    .await?;
    Ok(())
}

fn module_off() -> ApiError {
    ApiError::module_off("This shop takes no returns here.")
}

fn return_not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "return_not_found", "No such return.")
}

/// The order a token opens, in a shop that takes returns, with the shop's terms.
async fn returning_order(
    c: &mut Conn<'_>,
    shop: &str,
    token: &str,
    now: i64,
) -> Result<(OrderRef, ReturnSettings), ApiError> {
    let order = orders::find(c, shop, token, now).await?;
    let settings = settings(c, order.shop_id).await?;
    if !settings.enabled {
        return Err(module_off());
    }
    Ok((order, settings))
}

/// What returning each line of an order depends on.
pub async fn facts(c: &mut Conn<'_>, order_id: i64) -> Result<Vec<LineFacts>, DbError> {
    c.query(
        "SELECT i.id, i.name, i.unit_price, i.final_sale, i.sku, i.product, i.product_type,
                CAST(COALESCE((SELECT SUM(si.quantity) FROM shipment_items si
                               JOIN shipments s ON s.id = si.shipment_id
                               WHERE si.order_item_id = i.id AND s.status = 'delivered'), 0)
                     AS BIGINT) AS delivered,
                (SELECT MAX(e.occurred_at) FROM shipment_items si
                 JOIN shipments s ON s.id = si.shipment_id
                 JOIN shipment_events e ON e.shipment_id = s.id
                 WHERE si.order_item_id = i.id AND s.status = 'delivered'
                   AND e.status = 'delivered') AS delivered_at,
                CAST(COALESCE((SELECT SUM(ri.quantity) FROM return_items ri
                               JOIN returns r ON r.id = ri.return_id
                               WHERE ri.order_item_id = i.id
                                 AND r.status NOT IN ('cancelled', 'rejected')), 0)
                     AS BIGINT) AS in_returns
         FROM order_items i WHERE i.order_id = ?1 ORDER BY i.position",
        args![order_id],
    )
    .await?
    .into_iter()
    .map(|mut r| {
        Ok(LineFacts {
            line_id: r.get("id")?,
            name: r.get("name")?,
            unit_price: r.get("unit_price")?,
            final_sale: r.get("final_sale")?,
            sku: r.get("sku")?,
            product: r.get("product")?,
            product_type: r.get("product_type")?,
            delivered: r.get("delivered")?,
            delivered_at: r.get("delivered_at")?,
            in_returns: r.get("in_returns")?,
        })
    })
    .collect()
}

/// A new return with its items; its number is the order's number and a sequence.
async fn insert(
    c: &mut Conn<'_>,
    order: OrderRef,
    request: &NewReturn,
    (refund, bonus): (i64, i64),
    now: i64,
) -> Result<i64, ApiError> {
    let mut r = c
        .query_one(
            "SELECT o.number, (SELECT count(*) FROM returns WHERE order_id = o.id) AS returns
             FROM orders o WHERE o.id = ?1",
            args![order.order_id],
        )
        .await?;
    let number = format!(
        "{}-R{}",
        r.get::<String>("number")?,
        r.get::<i64>("returns")? + 1
    );
    let id: i64 = c
        .query_one(
            "INSERT INTO returns (shop_id, order_id, number, resolution, method, refund, bonus,
                                  created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) RETURNING id",
            args![
                order.shop_id,
                order.order_id,
                number,
                wire_name(request.resolution),
                wire_name(request.method),
                refund,
                bonus,
                now
            ],
        )
        .await?
        .get("id")?;
    for i in &request.items {
        c.execute(
            "INSERT INTO return_items (return_id, order_item_id, quantity, reason, comment,
                                       exchange_sku)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            args![
                id,
                i.line_id,
                i.quantity,
                i.reason.trim(),
                i.comment
                    .as_deref()
                    .map(str::trim)
                    .filter(|c| !c.is_empty()),
                i.exchange_sku.as_deref().map(str::trim)
            ],
        )
        .await?;
    }
    let mut errors = Vec::new();
    for (n, i) in request.items.iter().enumerate() {
        let owner = photos::Owner::ReturnItem(id, i.line_id);
        let field = format!("items[{n}].photos");
        errors.extend(photos::attach(c, order.order_id, &i.photos, owner, &field).await?);
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    Ok(id)
}

/// Returns of an order (or one, by id), oldest first.
pub(crate) async fn returns_of(
    c: &mut Conn<'_>,
    order_id: i64,
    only: Option<i64>,
) -> Result<Vec<ReturnView>, DbError> {
    let heads = c
        .query(
            "SELECT r.id, r.number, r.status, r.resolution, r.method, r.refund, r.bonus,
                    o.currency, r.created_at, r.shop_message, r.carrier_label_url,
                    s.return_address IS NOT NULL AS addressed, s.return_send_days
             FROM returns r JOIN orders o ON o.id = r.order_id JOIN shops s ON s.id = o.shop_id
             WHERE r.order_id = ?1 AND (CAST(?2 AS BIGINT) IS NULL OR r.id = ?2) ORDER BY r.id",
            args![order_id, only],
        )
        .await?;
    let mut views = Vec::with_capacity(heads.len());
    for mut r in heads {
        let id: i64 = r.get("id")?;
        let items = c
            .query(
                concat!(
                    "SELECT order_item_id, quantity, reason, comment, exchange_sku, ",
                    photos::photo_keys!(
                        "p.return_id = ri.return_id AND p.order_item_id = ri.order_item_id"
                    ),
                    " AS photo_keys FROM return_items ri
                      WHERE return_id = ?1 ORDER BY order_item_id"
                ),
                args![id],
            )
            .await?
            .into_iter()
            .map(|mut i| {
                Ok(ReturnItemView {
                    line_id: i.get("order_item_id")?,
                    quantity: i.get("quantity")?,
                    reason: i.get("reason")?,
                    comment: i.get("comment")?,
                    exchange_sku: i.get("exchange_sku")?,
                    photos: photos::keys(i.get("photo_keys")?),
                })
            })
            .collect::<Result<_, DbError>>()?;
        let created_at: i64 = r.get("created_at")?;
        let label: Option<String> = r.get("carrier_label_url")?;
        let addressed: bool = r.get("addressed")?;
        let send_days: i64 = r.get("return_send_days")?;
        views.push(ReturnView {
            send_by: (addressed || label.is_some())
                .then(|| date_of(created_at + send_days * 86_400)),
            label_url: label,
            number: r.get("number")?,
            status: from_wire(&r.get::<String>("status")?).unwrap_or(ReturnStatus::Requested),
            resolution: from_wire(&r.get::<String>("resolution")?).unwrap_or(Resolution::Refund),
            method: from_wire(&r.get::<String>("method")?)
                .unwrap_or(postpurchase_api::ReturnMethod::DropOff),
            items,
            refund: r.get("refund")?,
            bonus: r.get("bonus")?,
            currency: r.get("currency")?,
            created_at: instant(created_at),
            shop_message: r.get("shop_message")?,
            qr_code_url: None,
        });
    }
    Ok(views)
}

/// One return of an order, by id.
async fn view(c: &mut Conn<'_>, order_id: i64, return_id: i64) -> Result<ReturnView, DbError> {
    returns_of(c, order_id, Some(return_id))
        .await?
        .pop()
        .ok_or_else(DbError::no_row)
}

/// A shop's return by number: its id, order and status.
async fn by_number(
    c: &mut Conn<'_>,
    shop_id: i64,
    number: &str,
) -> Result<Option<(i64, i64, String)>, DbError> {
    c.query_opt(
        "SELECT id, order_id, status FROM returns WHERE shop_id = ?1 AND number = ?2",
        args![shop_id, number],
    )
    .await?
    .map(|mut r| Ok((r.get("id")?, r.get("order_id")?, r.get("status")?)))
    .transpose()
}

/// A return of `order` by number, as its shopper reaches it: its id and status; `None`
/// for another order's return as for no return at all.
async fn order_return(
    c: &mut Conn<'_>,
    order: OrderRef,
    number: &str,
) -> Result<Option<(i64, String)>, DbError> {
    Ok(by_number(c, order.shop_id, number)
        .await?
        .filter(|(_, o, _)| *o == order.order_id)
        .map(|(id, _, status)| (id, status)))
}

async fn set_status(
    c: &mut Conn<'_>,
    return_id: i64,
    status: ReturnStatus,
    now: i64,
) -> Result<(), DbError> {
    c.execute(
        "UPDATE returns SET status = ?2, updated_at = ?3 WHERE id = ?1",
        args![return_id, wire_name(status), now],
    )
    .await?;
    Ok(())
}

/// The other variants of a product, and whether each is in stock.
async fn exchange_options(
    c: &mut Conn<'_>,
    shop_id: i64,
    product: &str,
    own_sku: &str,
) -> Result<Vec<ExchangeOption>, DbError> {
    c.query(
        "SELECT sku, variant, stock > 0 AS in_stock FROM inventory
         WHERE shop_id = ?1 AND product = ?2 AND sku <> ?3 ORDER BY variant, sku",
        args![shop_id, product, own_sku],
    )
    .await?
    .into_iter()
    .map(|mut r| {
        Ok(ExchangeOption {
            sku: r.get("sku")?,
            variant: r.get("variant")?,
            in_stock: r.get("in_stock")?,
        })
    })
    .collect()
}

/// A variant's product and stock.
async fn stock_of(
    c: &mut Conn<'_>,
    shop_id: i64,
    sku: &str,
) -> Result<Option<(String, u32)>, DbError> {
    c.query_opt(
        "SELECT product, stock FROM inventory WHERE shop_id = ?1 AND sku = ?2",
        args![shop_id, sku],
    )
    .await?
    .map(|mut r| Ok((r.get("product")?, r.get("stock")?)))
    .transpose()
}

/// Takes pieces of a variant for an exchange; false when there are not enough. One
/// statement, so two shoppers can never both take the last one.
async fn take_stock(
    c: &mut Conn<'_>,
    shop_id: i64,
    sku: &str,
    quantity: u32,
) -> Result<bool, DbError> {
    let taken = c
        .execute(
            "UPDATE inventory SET stock = stock - ?3
             WHERE shop_id = ?1 AND sku = ?2 AND stock >= ?3",
            args![shop_id, sku, quantity],
        )
        .await?;
    Ok(taken == 1)
}

/// Checks a shopper's return against the order as it stands (what was delivered and is
/// not in a return yet, the shop's reasons, the variants in stock): every problem named
/// by its field path. Each item's unit price and quantity when all is well.
async fn check(
    c: &mut Conn<'_>,
    order: OrderRef,
    settings: &ReturnSettings,
    wanted: &NewReturn,
    now: i64,
) -> Result<Vec<(i64, u32)>, ApiError> {
    let facts = facts(c, order.order_id).await?;
    let mut errors = Vec::new();
    let mut priced = Vec::new();
    if wanted.items.is_empty() {
        errors.push(FieldError::new("items", "choose at least one item"));
    }
    for (i, item) in wanted.items.iter().enumerate() {
        let field = |name: &str| format!("items[{i}].{name}");
        let Some(line) = facts.iter().find(|l| l.line_id == item.line_id) else {
            errors.push(FieldError::new(
                field("line_id"),
                "is not an item of this order",
            ));
            continue;
        };
        if wanted.items[..i].iter().any(|x| x.line_id == item.line_id) {
            errors.push(FieldError::new(field("line_id"), "is listed twice"));
        }
        let (free, why, _) = returnable(line, now, settings.window_days);
        if item.quantity == 0 || item.quantity > free {
            let message = match why {
                Some(why) => format!("cannot be returned: {}", wire_name(why)),
                None => format!("at most {free} can be returned"),
            };
            errors.push(FieldError::new(field("quantity"), message));
        }
        let reason = item.reason.trim();
        if !reasons_for(settings, line).iter().any(|r| r == reason) {
            errors.push(FieldError::new(
                field("reason"),
                "is not one of the shop's reasons for this item",
            ));
        }
        if !item.photos.is_empty() && !settings.photo_reasons.iter().any(|r| r == reason) {
            errors.push(FieldError::new(
                field("photos"),
                "only for a reason the shop takes photos for",
            ));
        }
        if item.photos.len() > MAX_PHOTOS {
            errors.push(FieldError::new(
                field("photos"),
                format!("at most {MAX_PHOTOS} photos"),
            ));
        }
        let sku = item.exchange_sku.as_deref().map(str::trim);
        match (wanted.resolution, sku) {
            (Resolution::Exchange, None) => errors.push(FieldError::new(
                field("exchange_sku"),
                "choose the variant you want instead",
            )),
            (Resolution::Exchange, Some(sku)) => {
                let variant = stock_of(c, order.shop_id, sku)
                    .await?
                    .filter(|(product, _)| {
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
    if errors.is_empty() {
        Ok(priced)
    } else {
        Err(ApiError::invalid_fields(errors))
    }
}

/// Puts back the variants a return was to be exchanged for (it was cancelled or rejected).
async fn restock(c: &mut Conn<'_>, shop_id: i64, return_id: i64) -> Result<(), DbError> {
    c.execute(
        "UPDATE inventory SET stock = stock + CAST((
             SELECT SUM(quantity) FROM return_items
             WHERE return_id = ?2 AND exchange_sku = inventory.sku) AS BIGINT)
         WHERE shop_id = ?1 AND sku IN (
             SELECT exchange_sku FROM return_items
             WHERE return_id = ?2 AND exchange_sku IS NOT NULL)",
        args![shop_id, return_id],
    )
    .await?;
    Ok(())
}

/// Queues the shop's webhook about a return as it now stands; true when one was queued.
async fn tell_shop(
    c: &mut Conn<'_>,
    order: OrderRef,
    kind: &str,
    view: &ReturnView,
    now: i64,
) -> Result<bool, ApiError> {
    let data = WebhookData::Return(Box::new(ReturnChanged {
        order_number: orders::number(c, order.order_id).await?,
        return_: view.clone(),
    }));
    webhooks::queue(c, order.shop_id, order.order_id, kind, now, data).await
}

/// A shopper's return, as sent.
#[derive(Clone, Debug)]
pub struct ReturnRequest {
    pub shop: String,
    pub token: String,
    pub request: NewReturn,
    pub key: Option<Keyed>,
    /// For the return's QR code and label links in the answer.
    pub public_url: String,
}

/// The answer to a new return: its JSON (with links), whether it is a saved one, and
/// whether a webhook was queued.
pub struct ReturnAnswer {
    pub body: Vec<u8>,
    pub replayed: bool,
    pub queued: bool,
}

/// The printable page of a return: the return and the names of its lines.
pub struct ReturnPage {
    pub view: ReturnView,
    pub lines: Vec<LineFacts>,
    /// The shop's name and return address.
    pub shop: String,
    pub address: Option<String>,
    /// Where to drop it off: the shop's points (name, address, opening hours), 5 at most.
    pub points: Vec<PickupPoint>,
}

impl Db {
    /// What can be returned of an order, and its returns so far (without links).
    pub async fn return_options(
        &self,
        shop: &str,
        token: &str,
        now: i64,
    ) -> Result<ReturnOptions, ApiError> {
        let (shop, token) = (shop.to_owned(), token.to_owned());
        self.read(work!(|c, shop, token| {
            let (order, settings) = returning_order(c, &shop, &token, now).await?;
            let mut lines = Vec::new();
            for line in facts(c, order.order_id).await? {
                let (quantity, reason, closes) = returnable(&line, now, settings.window_days);
                let exchange_options = match &line.product {
                    Some(product) => exchange_options(c, order.shop_id, product, &line.sku).await?,
                    None => Vec::new(),
                };
                let reasons = reasons_for(&settings, &line).to_vec();
                lines.push(ReturnableLine {
                    reasons,
                    line_id: line.line_id,
                    name: line.name,
                    quantity,
                    reason,
                    window_closes_at: closes.map(instant),
                    exchange_options,
                });
            }
            Ok(ReturnOptions {
                lines,
                reasons: settings.reasons,
                photo_reasons: settings.photo_reasons,
                store_credit_bonus: settings.store_credit_bonus,
                returns: returns_of(c, order.order_id, None).await?,
                words: Default::default(),
            })
        }))
        .await
    }

    /// What a return would bring, checked exactly as [`Db::create_return`] checks it (the
    /// same refusals), in a read: nothing is written and no stock set aside.
    pub async fn quote_return(
        &self,
        shop: &str,
        token: &str,
        request: NewReturn,
        now: i64,
    ) -> Result<ReturnQuote, ApiError> {
        let (shop, token) = (shop.to_owned(), token.to_owned());
        self.read(work!(|c, shop, token, request| {
            let (order, settings) = returning_order(c, &shop, &token, now).await?;
            let priced = check(c, order, &settings, &request, now).await?;
            let (refund, bonus) = amounts(&priced, request.resolution, settings.store_credit_bonus);
            let currency = c
                .query_one(
                    "SELECT currency FROM orders WHERE id = ?1",
                    args![order.order_id],
                )
                .await?
                .get("currency")?;
            Ok(ReturnQuote {
                refund,
                bonus,
                currency,
            })
        }))
        .await
    }

    /// Starts a return: quantities, reasons and exchange stock checked in this write, the
    /// variants wanted instead set aside, the amounts worked out, the shop told.
    pub async fn create_return(
        &self,
        request: ReturnRequest,
        now: i64,
    ) -> Result<ReturnAnswer, ApiError> {
        self.write(work!(|c, request| {
            let (order, settings) = returning_order(c, &request.shop, &request.token, now).await?;
            let saved = match &request.key {
                Some(key) => key.saved(c, order.order_id, now).await?,
                None => None,
            };
            match saved {
                Some(Saved::Answer(_, body)) => {
                    return Ok(ReturnAnswer {
                        body,
                        replayed: true,
                        queued: false,
                    })
                }
                Some(Saved::Made(_, Some(id))) => {
                    let made = view(c, order.order_id, id).await?;
                    let shown =
                        with_links(&request.public_url, &request.shop, &request.token, made);
                    return Ok(ReturnAnswer {
                        body: serde_json::to_vec(&shown)
                            .map_err(|e| ApiError::internal("json", e))?,
                        replayed: true,
                        queued: false,
                    });
                }
                Some(Saved::Made(_, None)) | None => {}
            }
            let wanted = &request.request;
            let priced = check(c, order, &settings, wanted, now).await?;
            for (i, item) in wanted.items.iter().enumerate() {
                if let Some(sku) = item.exchange_sku.as_deref().map(str::trim) {
                    if !take_stock(c, order.shop_id, sku, item.quantity).await? {
                        return Err(ApiError::invalid_fields(vec![FieldError::new(
                            format!("items[{i}].exchange_sku"),
                            "is not in stock",
                        )]));
                    }
                }
            }
            let worth = amounts(&priced, wanted.resolution, settings.store_credit_bonus);
            let id = insert(c, order, wanted, worth, now).await?;
            let view = view(c, order.order_id, id).await?;
            let shown = with_links(
                &request.public_url,
                &request.shop,
                &request.token,
                view.clone(),
            );
            let body = serde_json::to_vec(&shown).map_err(|e| ApiError::internal("json", e))?;
            if let Some(key) = &request.key {
                key.save(c, order.order_id, 201, Some(id), now).await?;
            }
            let queued = tell_shop(c, order, "return.created", &view, now).await?;
            Ok(ReturnAnswer {
                body,
                replayed: false,
                queued,
            })
        }))
        .await
    }

    /// The shopper cancels a return while nothing is on its way; the variants it set aside
    /// go back into stock. Returns the return and whether a webhook was queued.
    pub async fn cancel_return(
        &self,
        shop: &str,
        token: &str,
        number: &str,
        now: i64,
    ) -> Result<(ReturnView, bool), ApiError> {
        let (shop, token, number) = (shop.to_owned(), token.to_owned(), number.to_owned());
        self.write(work!(|c, shop, token, number| {
            let (order, _) = returning_order(c, &shop, &token, now).await?;
            let (id, status) = order_return(c, order, &number)
                .await?
                .ok_or_else(return_not_found)?;
            let changed = match from_wire(&status) {
                Some(ReturnStatus::Requested | ReturnStatus::Approved) => {
                    set_status(c, id, ReturnStatus::Cancelled, now).await?;
                    restock(c, order.shop_id, id).await?;
                    true
                }
                Some(ReturnStatus::Cancelled) => false,
                _ => return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "return_under_way",
                    "This return is on its way or further along, so it can no longer be cancelled.",
                )),
            };
            let view = view(c, order.order_id, id).await?;
            let queued = changed && tell_shop(c, order, "return.cancelled", &view, now).await?;
            Ok((view, queued))
        }))
        .await
    }

    /// The shop moves a return along; a rejected return's exchange stock goes back.
    pub async fn move_return(
        &self,
        shop_id: i64,
        number: &str,
        to: ReturnStatus,
        message: Option<String>,
        now: i64,
    ) -> Result<(ReturnView, bool), ApiError> {
        let number = number.to_owned();
        self.write(work!(|c, number, message| {
            let (id, order_id, status) = by_number(c, shop_id, &number)
                .await?
                .ok_or_else(return_not_found)?;
            let from: ReturnStatus = from_wire(&status).ok_or_else(return_not_found)?;
            let changed = from != to;
            if changed {
                if !shop_may_move(from, to) {
                    return Err(ApiError::new(
                        StatusCode::CONFLICT,
                        "invalid_transition",
                        format!(
                            "A return that is {} cannot become {}.",
                            wire_name(from),
                            wire_name(to)
                        ),
                    ));
                }
                set_status(c, id, to, now).await?;
                if to == ReturnStatus::Rejected {
                    restock(c, shop_id, id).await?;
                }
            }
            let said = message.is_some();
            if let Some(message) = &message {
                c.execute(
                    "UPDATE returns SET shop_message = ?2, updated_at = ?3 WHERE id = ?1",
                    args![id, message, now],
                )
                .await?;
            }
            let changed = changed || said;
            let order = OrderRef { order_id, shop_id };
            let view = view(c, order_id, id).await?;
            let queued = changed && tell_shop(c, order, "return.updated", &view, now).await?;
            Ok((view, queued))
        }))
        .await
    }

    /// The shop's returns, newest first, optionally of one status (500 at most).
    pub async fn shop_returns(
        &self,
        shop_id: i64,
        status: Option<ReturnStatus>,
    ) -> Result<Vec<AdminReturn>, ApiError> {
        self.read(work!(|c| {
            let heads = c
                .query(
                    "SELECT r.id, r.order_id, o.number FROM returns r JOIN orders o ON o.id = r.order_id
                     WHERE r.shop_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR r.status = ?2)
                     ORDER BY r.created_at DESC, r.id DESC LIMIT 500",
                    args![shop_id, status.map(wire_name)],
                )
                .await?;
            let mut queue = Vec::with_capacity(heads.len());
            for mut r in heads {
                queue.push(AdminReturn {
                    return_: view(c, r.get("order_id")?, r.get("id")?).await?,
                    order_number: r.get("number")?,
                });
            }
            Ok(queue)
        }))
        .await
    }

    /// Whether the order a token opens has a return of this number (for its QR code).
    pub async fn return_exists(
        &self,
        shop: &str,
        token: &str,
        number: &str,
        now: i64,
    ) -> Result<(), ApiError> {
        let (shop, token, number) = (shop.to_owned(), token.to_owned(), number.to_owned());
        self.read(work!(|c, shop, token, number| {
            let (order, _) = returning_order(c, &shop, &token, now).await?;
            order_return(c, order, &number)
                .await?
                .map(|_| ())
                .ok_or_else(return_not_found)
        }))
        .await
    }

    /// A return and its lines, for its printable page; `None` when the token or the
    /// number opens none.
    pub async fn return_page(
        &self,
        shop: &str,
        token: &str,
        number: &str,
        now: i64,
    ) -> Result<Option<ReturnPage>, ApiError> {
        let (shop, token, number) = (shop.to_owned(), token.to_owned(), number.to_owned());
        self.read(work!(|c, shop, token, number| {
            let Ok((order, _)) = returning_order(c, &shop, &token, now).await else {
                return Ok(None);
            };
            let Some((id, _)) = order_return(c, order, &number).await? else {
                return Ok(None);
            };
            let mut shop = c
                .query_one(
                    "SELECT name, return_address FROM shops WHERE id = ?1",
                    args![order.shop_id],
                )
                .await?;
            let points = c
                .query(
                    concat!(
                        "SELECT ",
                        point_columns!(),
                        " FROM pickup_points WHERE shop_id = ?1 ORDER BY locker, id LIMIT 5"
                    ),
                    args![order.shop_id],
                )
                .await?
                .into_iter()
                .map(|mut r| orders::point_from(&mut r, None))
                .collect::<Result<_, DbError>>()?;
            Ok(Some(ReturnPage {
                lines: facts(c, order.order_id).await?,
                view: view(c, order.order_id, id).await?,
                shop: shop.get("name")?,
                address: shop.get("return_address")?,
                points,
            }))
        }))
        .await
    }

    /// Attaches (or, with `None`, takes off) a carrier's label to the shop's return
    /// `number`; the return as it now stands.
    pub async fn set_return_label(
        &self,
        shop_id: i64,
        number: &str,
        label_url: Option<String>,
    ) -> Result<ReturnView, ApiError> {
        let number = number.to_owned();
        self.write(work!(|c, number, label_url| {
            let (id, order_id, _) = by_number(c, shop_id, &number)
                .await?
                .ok_or_else(return_not_found)?;
            c.execute(
                "UPDATE returns SET carrier_label_url = ?2 WHERE id = ?1",
                args![id, label_url.as_deref()],
            )
            .await?;
            Ok(view(c, order_id, id).await?)
        }))
        .await
    }

    /// Sets the stock of the shop's variants (listed SKUs are set, others stay).
    pub async fn set_inventory(
        &self,
        shop_id: i64,
        items: Vec<StockLevel>,
    ) -> Result<(), ApiError> {
        self.write(work!(|c, items| {
            for level in &items {
                c.execute(
                    "INSERT INTO inventory (shop_id, sku, product, variant, stock)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (shop_id, sku) DO UPDATE SET product = excluded.product,
                         variant = excluded.variant, stock = excluded.stock",
                    args![
                        shop_id,
                        level.sku.trim(),
                        level.product.trim(),
                        level.variant.trim(),
                        level.stock
                    ],
                )
                .await?;
            }
            Ok(())
        }))
        .await
    }

    pub async fn return_settings(&self, shop_id: i64) -> Result<ReturnSettings, ApiError> {
        self.read(work!(|c| { Ok(settings(c, shop_id).await?) }))
            .await
    }

    pub async fn set_return_settings(
        &self,
        shop_id: i64,
        settings: ReturnSettings,
    ) -> Result<(), ApiError> {
        self.write(work!(|c, settings| {
            Ok(set_settings(c, shop_id, &settings).await?)
        }))
        .await
    }
}
