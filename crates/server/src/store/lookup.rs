//! What the shop's staff look up: orders found by number, e-mail, name or tracking
//! number and filtered by stage or parcel status, a page at a time; an order's whole
//! record; and the links that open it.

use axum::http::StatusCode;
use postpurchase_api::{
    AddressRecord, CustomerRecord, OrderAnswers, OrderLink, OrderList, OrderRecord, OrderStage,
    OrderSummary, ShipmentStatus,
};

use crate::db::{Conn, Db, DbError, Value};
use crate::domain;
use crate::error::ApiError;
use crate::{args, work};

use super::{from_wire, instant, wire_name};

/// What to look for.
#[derive(Clone, Debug, Default)]
pub struct OrderSearch {
    /// An order number or tracking number (exactly), or part of an e-mail or name.
    pub text: Option<String>,
    pub stage: Option<OrderStage>,
    pub status: Option<ShipmentStatus>,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

/// Orders per page unless asked otherwise, and at most.
pub const PER_PAGE: u32 = 25;
pub const MAX_PER_PAGE: u32 = 100;

/// A parcel of `o` that still counts (not cancelled) and meets `condition`.
macro_rules! live_parcel {
    ($condition:literal) => {
        concat!(
            "EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = o.id",
            " AND s.status <> 'cancelled' AND ",
            $condition,
            ")"
        )
    };
}

/// The orders of `stage`, as SQL over `o` and its parcels: the rules of
/// [`domain::order_stage`], written so the database can filter and count a page.
pub fn stage_condition(stage: OrderStage) -> &'static str {
    // Each stage below the trouble ones holds only without any trouble.
    macro_rules! calm {
        ($($rest:expr),*) => {
            concat!(
                "NOT o.cancelled AND NOT ",
                live_parcel!("s.status IN ('attempt_failed', 'exception', 'held_at_customs', 'return_to_sender', 'available_for_pickup')"),
                $(" AND ", $rest),*
            )
        };
    }
    match stage {
        OrderStage::Cancelled => "o.cancelled",
        OrderStage::ActionNeeded => concat!(
            "NOT o.cancelled AND ",
            live_parcel!("s.status IN ('attempt_failed', 'exception', 'held_at_customs')")
        ),
        OrderStage::Returning => concat!(
            "NOT o.cancelled AND NOT ",
            live_parcel!("s.status IN ('attempt_failed', 'exception', 'held_at_customs')"),
            " AND ",
            live_parcel!("s.status = 'return_to_sender'")
        ),
        OrderStage::ReadyForPickup => concat!(
            "NOT o.cancelled AND NOT ",
            live_parcel!("s.status IN ('attempt_failed', 'exception', 'held_at_customs', 'return_to_sender')"),
            " AND ",
            live_parcel!("s.status = 'available_for_pickup'")
        ),
        OrderStage::Processing => {
            concat!(
                "NOT o.cancelled AND NOT ",
                live_parcel!("s.status <> 'pending'")
            )
        }
        OrderStage::PartiallyShipped => calm!(
            concat!("NOT ", live_parcel!("s.status = 'out_for_delivery'")),
            live_parcel!("s.status = 'pending'"),
            live_parcel!("s.status <> 'pending'")
        ),
        OrderStage::Shipped => calm!(
            concat!("NOT ", live_parcel!("s.status = 'out_for_delivery'")),
            concat!("NOT ", live_parcel!("s.status = 'pending'")),
            live_parcel!("s.status <> 'delivered'")
        ),
        OrderStage::OutForDelivery => calm!(live_parcel!("s.status = 'out_for_delivery'")),
        OrderStage::Delivered => concat!(
            "NOT o.cancelled AND ",
            live_parcel!("1 = 1"),
            " AND NOT ",
            live_parcel!("s.status <> 'delivered'")
        ),
    }
}

/// A `LIKE` pattern that finds `text` anywhere, its own `%`, `_` and `\` taken literally.
fn contains_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for ch in text.to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}

/// The id of the link a token hash is named by: its first 8 bytes in hex.
fn link_id(hash: &[u8]) -> String {
    hash.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

fn unknown_link() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "link_not_found",
        "This order has no link with that id (it may have expired or been revoked).",
    )
}

async fn search(c: &mut Conn<'_>, shop_id: i64, s: &OrderSearch) -> Result<OrderList, DbError> {
    let text = s.text.as_deref().map(str::trim).filter(|t| !t.is_empty());
    let pattern = text.map(contains_pattern);
    let status = s.status.map(wire_name);
    let mut conditions = vec!["o.shop_id = ?1".to_owned()];
    let mut values: Vec<Value<'_>> = vec![Value::Int(shop_id)];
    if let (Some(text), Some(pattern)) = (text, &pattern) {
        values.push(Value::Text(text));
        values.push(Value::Text(pattern));
        let (exact, like) = (values.len() - 1, values.len());
        conditions.push(format!(
            "(o.number = ?{exact} OR lower(c.email) LIKE ?{like} ESCAPE '\\'
              OR lower(c.first_name || ' ' || c.last_name) LIKE ?{like} ESCAPE '\\'
              OR EXISTS (SELECT 1 FROM shipments t WHERE t.order_id = o.id
                         AND t.tracking_number = ?{exact}))"
        ));
    }
    if let Some(stage) = s.stage {
        conditions.push(stage_condition(stage).to_owned());
    }
    if let Some(status) = &status {
        values.push(Value::Text(status));
        conditions.push(format!(
            "EXISTS (SELECT 1 FROM shipments u WHERE u.order_id = o.id AND u.status = ?{})",
            values.len()
        ));
    }
    let from = format!(
        "FROM orders o JOIN customers c ON c.id = o.customer_id WHERE {}",
        conditions.join(" AND ")
    );
    let matching: i64 = c
        .query_one(&format!("SELECT COUNT(*) AS n {from}"), &values)
        .await?
        .get("n")?;
    let per_page = s.per_page.clamp(1, MAX_PER_PAGE);
    let page = s.page.max(1);
    let offset = i64::from(page - 1) * i64::from(per_page);
    values.push(Value::Int(i64::from(per_page)));
    values.push(Value::Int(offset));
    let rows = c
        .query(
            &format!(
                "SELECT o.id, o.number, o.placed_at, o.total, o.currency, o.cancelled,
                        c.email, c.first_name, c.last_name
                 {from} ORDER BY o.placed_at DESC, o.id DESC LIMIT ?{} OFFSET ?{}",
                values.len() - 1,
                values.len()
            ),
            &values,
        )
        .await?;
    let mut orders = Vec::with_capacity(rows.len());
    for mut r in rows {
        let id: i64 = r.get("id")?;
        let parcels: Vec<ShipmentStatus> = c
            .query(
                "SELECT status FROM shipments WHERE order_id = ?1 ORDER BY id",
                args![id],
            )
            .await?
            .into_iter()
            .map(|mut p| Ok(from_wire(&p.get::<String>("status")?).unwrap_or_default()))
            .collect::<Result<_, DbError>>()?;
        let first: String = r.get("first_name")?;
        let last: String = r.get("last_name")?;
        orders.push(OrderSummary {
            number: r.get("number")?,
            placed_at: instant(r.get("placed_at")?),
            email: r.get("email")?,
            name: format!("{first} {last}").trim().to_owned(),
            total: r.get("total")?,
            currency: r.get("currency")?,
            stage: domain::order_stage(r.get("cancelled")?, &parcels),
            parcels,
        });
    }
    Ok(OrderList {
        orders,
        matching: u64::try_from(matching).unwrap_or(0),
        page,
        per_page,
    })
}

async fn record(
    c: &mut Conn<'_>,
    shop_id: i64,
    number: &str,
    now: i64,
) -> Result<Option<OrderRecord>, DbError> {
    let Some(order_id) = super::orders::id_by_number(c, shop_id, number).await? else {
        return Ok(None);
    };
    let mut head = c
        .query_one(
            "SELECT c.email, c.first_name, c.last_name, o.ship_name, o.ship_street,
                    o.ship_postcode, o.ship_city, o.ship_country, o.picking_started_at
             FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = ?1",
            args![order_id],
        )
        .await?;
    let Some(built) = super::orders::view(c, order_id, now).await? else {
        return Ok(None);
    };
    let nps = c
        .query_opt(
            "SELECT score, comment, answered_at FROM nps_answers WHERE order_id = ?1",
            args![order_id],
        )
        .await?;
    let (nps, nps_comment, nps_answered_at) = match nps {
        Some(mut r) => (
            Some(r.get::<u8>("score")?),
            r.get("comment")?,
            Some(instant(r.get("answered_at")?)),
        ),
        None => (None, None, None),
    };
    let heard = c
        .query_opt(
            "SELECT option, other FROM heard_answers WHERE order_id = ?1",
            args![order_id],
        )
        .await?
        .map(|mut r| {
            let other: Option<String> = r.get("other")?;
            Ok::<_, DbError>(other.unwrap_or(r.get("option")?))
        })
        .transpose()?;
    let links = c
        .query(
            "SELECT token_hash, expires_at FROM order_tokens
             WHERE order_id = ?1 AND expires_at > ?2 ORDER BY expires_at",
            args![order_id, now],
        )
        .await?
        .into_iter()
        .map(|mut r| {
            Ok(OrderLink {
                id: link_id(&r.get::<Vec<u8>>("token_hash")?),
                expires_at: instant(r.get("expires_at")?),
            })
        })
        .collect::<Result<_, DbError>>()?;
    Ok(Some(OrderRecord {
        customer: CustomerRecord {
            email: head.get("email")?,
            first_name: head.get("first_name")?,
            last_name: head.get("last_name")?,
        },
        delivery_address: AddressRecord {
            name: head.get("ship_name")?,
            street: head.get("ship_street")?,
            postcode: head.get("ship_postcode")?,
            city: head.get("ship_city")?,
            country: head.get("ship_country")?,
        },
        view: built.view,
        returns: super::returns::returns_of(c, order_id, None).await?,
        reviews: super::reviews::reviews_of(c, shop_id, None, Some(order_id)).await?,
        changes: super::changes::of_order(c, order_id).await?,
        picking_started_at: head.get::<Option<i64>>("picking_started_at")?.map(instant),
        answers: OrderAnswers {
            nps,
            nps_comment,
            nps_answered_at,
            heard,
        },
        links,
    }))
}

impl Db {
    /// A page of the shop's orders that match, newest first.
    pub async fn search_orders(
        &self,
        shop_id: i64,
        wanted: OrderSearch,
    ) -> Result<OrderList, ApiError> {
        self.read(work!(|c, wanted| {
            Ok(search(c, shop_id, &wanted).await?)
        }))
        .await
    }

    /// Everything about one of the shop's orders; `404 unknown_order` when it has none
    /// of that number.
    pub async fn order_record(
        &self,
        shop_id: i64,
        number: &str,
        now: i64,
    ) -> Result<OrderRecord, ApiError> {
        let number = number.to_owned();
        self.read(work!(|c, number| {
            record(c, shop_id, &number, now)
                .await?
                .ok_or_else(ApiError::unknown_order_number)
        }))
        .await
    }

    /// Revokes one link of an order: the address stops opening it at once.
    pub async fn revoke_link(&self, shop_id: i64, number: &str, id: &str) -> Result<(), ApiError> {
        let (number, id) = (number.to_owned(), id.to_owned());
        self.write(work!(|c, number, id| {
            let order_id = super::orders::id_by_number(c, shop_id, &number)
                .await?
                .ok_or_else(ApiError::unknown_order_number)?;
            let hashes = c
                .query(
                    "SELECT token_hash FROM order_tokens WHERE order_id = ?1",
                    args![order_id],
                )
                .await?;
            let mut found = None;
            for mut r in hashes {
                let hash: Vec<u8> = r.get("token_hash")?;
                if link_id(&hash) == id {
                    found = Some(hash);
                }
            }
            let hash = found.ok_or_else(unknown_link)?;
            c.execute(
                "DELETE FROM order_tokens WHERE token_hash = ?1",
                args![hash],
            )
            .await?;
            Ok(())
        }))
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_takes_its_wildcards_literally() {
        assert_eq!(contains_pattern("Jane_D%"), "%jane\\_d\\%%");
        assert_eq!(contains_pattern("a\\b"), "%a\\\\b%");
    }

    #[test]
    fn a_link_is_named_by_the_start_of_its_hash() {
        assert_eq!(link_id(&[0xab; 32]), "abababababababab");
    }
}
