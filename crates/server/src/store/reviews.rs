//! Reviews: one per delivered order line, stars fixed once given, text kept exactly as
//! typed, published or rejected by the shop.

use axum::http::StatusCode;
use postpurchase_api::{
    AdminReview, NewReview, ReviewCreated, ReviewStatus, ReviewView, ReviewableItem, WebhookData,
};

use super::orders::{self, OrderRef};
use super::{from_wire, instant, webhooks, wire_name};
use crate::db::{Conn, Db, DbError, Row};
use crate::domain::reviews::validate;
use crate::error::ApiError;
use crate::{args, work};

/// Columns [`review_from`] reads, from `reviews r`.
macro_rules! review_columns {
    () => {
        concat!(
            "r.id AS review_id, r.order_item_id, r.stars, r.title, r.body, r.fit,
         r.status AS review_status, r.created_at AS reviewed_at, r.reply, ",
            $crate::store::photos::photo_keys!("p.review_id = r.id"),
            " AS photo_keys"
        )
    };
}

fn review_from(r: &mut Row) -> Result<ReviewView, DbError> {
    let fit: Option<String> = r.get("fit")?;
    Ok(ReviewView {
        id: r.get("review_id")?,
        line_id: r.get("order_item_id")?,
        stars: r.get("stars")?,
        title: r.get("title")?,
        body: r.get("body")?,
        fit: fit.as_deref().and_then(from_wire),
        verified_buyer: true,
        status: from_wire(&r.get::<String>("review_status")?).unwrap_or(ReviewStatus::Pending),
        created_at: instant(r.get("reviewed_at")?),
        reply: r.get("reply")?,
        photos: super::photos::keys(r.get("photo_keys")?),
    })
}

/// A shop's reviews, newest first, optionally of one status or one order (at most 500).
pub(crate) async fn reviews_of(
    c: &mut Conn<'_>,
    shop_id: i64,
    status: Option<ReviewStatus>,
    order_id: Option<i64>,
) -> Result<Vec<AdminReview>, DbError> {
    c.query(
        concat!(
            "SELECT o.number, i.sku, ",
            review_columns!(),
            " FROM reviews r
              JOIN order_items i ON i.id = r.order_item_id JOIN orders o ON o.id = i.order_id
              WHERE r.shop_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR r.status = ?2)
                AND (CAST(?3 AS BIGINT) IS NULL OR o.id = ?3)
              ORDER BY r.created_at DESC, r.id DESC LIMIT 500"
        ),
        args![shop_id, status.map(wire_name), order_id],
    )
    .await?
    .into_iter()
    .map(|mut r| {
        Ok(AdminReview {
            order_number: r.get("number")?,
            sku: r.get("sku")?,
            review: review_from(&mut r)?,
        })
    })
    .collect()
}

async fn enabled(c: &mut Conn<'_>, shop_id: i64) -> Result<bool, DbError> {
    c.query_one(
        "SELECT reviews_enabled FROM shops WHERE id = ?1",
        args![shop_id],
    )
    .await?
    .get("reviews_enabled")
}

pub async fn set_enabled(c: &mut Conn<'_>, shop_id: i64, enabled: bool) -> Result<(), DbError> {
    c.execute(
        "UPDATE shops SET reviews_enabled = ?2 WHERE id = ?1",
        args![shop_id, enabled],
    )
    .await?;
    Ok(())
}

fn module_off() -> ApiError {
    ApiError::module_off("This shop does not collect reviews.")
}

fn already_reviewed() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "already_reviewed",
        "This item has been reviewed already; a review cannot be changed.",
    )
}

async fn reviewed_order(
    c: &mut Conn<'_>,
    shop: &str,
    token: &str,
    now: i64,
) -> Result<OrderRef, ApiError> {
    let order = orders::find(c, shop, token, now).await?;
    if !enabled(c, order.shop_id).await? {
        return Err(module_off());
    }
    Ok(order)
}

/// An order's lines, whether each was delivered, and its review if written.
async fn items(c: &mut Conn<'_>, order_id: i64) -> Result<Vec<ReviewableItem>, DbError> {
    c.query(
        concat!(
            "SELECT i.id, i.name, i.sized,
                    EXISTS (SELECT 1 FROM shipment_items si JOIN shipments s ON s.id = si.shipment_id
                            WHERE si.order_item_id = i.id AND s.status = 'delivered') AS delivered, ",
            review_columns!(),
            " FROM order_items i LEFT JOIN reviews r ON r.order_item_id = i.id
              WHERE i.order_id = ?1 ORDER BY i.position"
        ),
        args![order_id],
    )
    .await?
    .into_iter()
    .map(|mut r| {
        let reviewed: Option<i64> = r.get("review_id")?;
        Ok(ReviewableItem {
            line_id: r.get("id")?,
            name: r.get("name")?,
            sized: r.get("sized")?,
            delivered: r.get("delivered")?,
            review: reviewed.map(|_| review_from(&mut r)).transpose()?,
        })
    })
    .collect()
}

impl Db {
    /// The order's items: delivered or not, and their reviews.
    pub async fn reviewable_items(
        &self,
        shop: &str,
        token: &str,
        now: i64,
    ) -> Result<Vec<ReviewableItem>, ApiError> {
        let (shop, token) = (shop.to_owned(), token.to_owned());
        self.read(work!(|c, shop, token| {
            let order = reviewed_order(c, &shop, &token, now).await?;
            Ok(items(c, order.order_id).await?)
        }))
        .await
    }

    /// Reviews one delivered item of the order, once; the items as they now stand.
    pub async fn write_review(
        &self,
        shop: &str,
        token: &str,
        review: NewReview,
        now: i64,
    ) -> Result<Vec<ReviewableItem>, ApiError> {
        let (shop, token) = (shop.to_owned(), token.to_owned());
        self.write(work!(|c, shop, token, review| {
            let order = reviewed_order(c, &shop, &token, now).await?;
            let items_now = items(c, order.order_id).await?;
            let item = items_now
                .iter()
                .find(|i| i.line_id == review.line_id)
                .ok_or_else(|| {
                    ApiError::new(
                        StatusCode::NOT_FOUND,
                        "line_not_found",
                        "This order has no such item.",
                    )
                })?;
            if item.review.is_some() {
                return Err(already_reviewed());
            }
            if !item.delivered {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "not_delivered",
                    "Items can be reviewed once they have been delivered.",
                ));
            }
            let errors = validate(&review, item.sized);
            if !errors.is_empty() {
                return Err(ApiError::invalid_fields(errors));
            }
            let inserted = c
                .execute(
                    "INSERT INTO reviews (order_item_id, shop_id, stars, title, body, fit, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (order_item_id) DO NOTHING",
                    args![
                        review.line_id,
                        order.shop_id,
                        review.stars,
                        review.title,
                        review.body,
                        review.fit.map(wire_name),
                        now
                    ],
                )
                .await?;
            if inserted == 0 {
                return Err(already_reviewed());
            }
            let mut r = c
                .query_one(
                    "SELECT r.id, i.sku, i.name FROM reviews r
                     JOIN order_items i ON i.id = r.order_item_id WHERE r.order_item_id = ?1",
                    args![review.line_id],
                )
                .await?;
            let review_id: i64 = r.get("id")?;
            let owner = super::photos::Owner::Review(review_id);
            let wrong =
                super::photos::attach(c, order.order_id, &review.photos, owner, "photos").await?;
            if !wrong.is_empty() {
                return Err(ApiError::invalid_fields(wrong));
            }
            let who = webhooks::contact(c, order.order_id).await?;
            let data = WebhookData::Review(Box::new(ReviewCreated {
                order_number: who.order_number,
                email: who.email,
                first_name: who.first_name,
                review_id,
                sku: r.get("sku")?,
                product_name: r.get("name")?,
                stars: review.stars,
                title: review.title.clone(),
                body: review.body.clone(),
            }));
            webhooks::queue(c, who.shop_id, order.order_id, "review.created", now, data).await?;
            Ok(items(c, order.order_id).await?)
        }))
        .await
    }

    /// A shop's reviews, newest first, optionally of one status (at most 500).
    pub async fn shop_reviews(
        &self,
        shop_id: i64,
        status: Option<ReviewStatus>,
    ) -> Result<Vec<AdminReview>, ApiError> {
        self.read(work!(|c| {
            Ok(reviews_of(c, shop_id, status, None).await?)
        }))
        .await
    }

    /// Sets a review's status; false when the shop has no such review.
    pub async fn moderate_review(
        &self,
        shop_id: i64,
        review_id: i64,
        status: ReviewStatus,
        now: i64,
    ) -> Result<bool, ApiError> {
        self.write(work!(|c| {
            let changed = c
                .execute(
                    "UPDATE reviews SET status = ?3, moderated_at = ?4 WHERE id = ?1 AND shop_id = ?2",
                    args![review_id, shop_id, wire_name(status), now],
                )
                .await?;
            Ok(changed == 1)
        }))
        .await
    }

    /// Sets (or with `None` removes) the shop's public answer to a review; false when the
    /// shop has no such review.
    pub async fn reply_to_review(
        &self,
        shop_id: i64,
        review_id: i64,
        reply: Option<String>,
        now: i64,
    ) -> Result<bool, ApiError> {
        self.write(work!(|c, reply| {
            let changed = c
                .execute(
                    "UPDATE reviews SET reply = ?3, replied_at = ?4 WHERE id = ?1 AND shop_id = ?2",
                    args![review_id, shop_id, reply, reply.as_ref().map(|_| now)],
                )
                .await?;
            Ok(changed == 1)
        }))
        .await
    }

    /// Whether the shop runs reviews.
    pub async fn reviews_enabled(&self, shop_id: i64) -> Result<bool, ApiError> {
        self.read_statement(work!(|c| { Ok(enabled(c, shop_id).await?) }))
            .await
    }

    pub async fn set_reviews_enabled(&self, shop_id: i64, enabled: bool) -> Result<(), ApiError> {
        self.write(work!(|c| { Ok(set_enabled(c, shop_id, enabled).await?) }))
            .await
    }
}
