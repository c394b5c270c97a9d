//! Personal data on request and over time: erasing a customer (GDPR art. 17) while the
//! shop keeps its totals, and purging what has expired (tokens, day-old idempotency
//! records, old webhook deliveries).

use axum::http::StatusCode;
use postpurchase_api::{DeliveryChoice, ErasureReport};

use super::idempotency::WINDOW_SECONDS;
use crate::db::{Conn, Db, DbError};
use crate::domain;
use crate::error::ApiError;
use crate::{args, work};

/// How long sent (or given-up) webhooks are kept, for the merchant to look back on.
pub const WEBHOOK_RETENTION_SECONDS: i64 = 30 * 86_400;

/// Conditions picking the rows of one customer's orders, `?1` being the customer's id.
const OF_ORDERS: &str = "order_id IN (SELECT id FROM orders WHERE customer_id = ?1)";
const OF_SHIPMENTS: &str = "shipment_id IN (SELECT s.id FROM shipments s
     JOIN orders o ON o.id = s.order_id WHERE o.customer_id = ?1)";

/// A delivery choice without what a shopper wrote in it: a neighbour's name and house
/// number, a safe place in their own words.
fn without_personal_words(mut choice: DeliveryChoice) -> DeliveryChoice {
    if let Some(neighbour) = choice.neighbour.as_mut() {
        neighbour.name.clear();
        neighbour.house_number.clear();
    }
    if let Some(place) = choice.safe_place.as_mut() {
        place.instruction = None;
    }
    choice
}

async fn erase(c: &mut Conn<'_>, customer_id: i64, now: i64) -> Result<ErasureReport, DbError> {
    let mut report = ErasureReport::default();
    let customer = args![customer_id];
    c.execute(
        "UPDATE customers SET email = 'erased-' || CAST(id AS TEXT) || '@erased.invalid',
                              first_name = '', last_name = '', phone = NULL,
                              erased_at = ?2
         WHERE id = ?1",
        args![customer_id, now],
    )
    .await?;
    report.orders = c
        .execute(
            "UPDATE orders SET ship_name = '', ship_street = '', ship_postcode = '',
                               ship_city = '', ship_latitude = NULL, ship_longitude = NULL
             WHERE customer_id = ?1",
            customer,
        )
        .await?;
    // The addresses asked for in change requests, and the shop's words about them.
    c.execute(
        &format!(
            "UPDATE order_changes SET name = NULL, street = NULL, house_number = NULL,
                                      postcode = NULL, city = NULL, message = NULL
             WHERE {OF_ORDERS}"
        ),
        customer,
    )
    .await?;
    // The shop's words and payment links with its answers to upgrade requests.
    c.execute(
        &format!("UPDATE order_upgrades SET message = NULL, pay_url = NULL WHERE {OF_ORDERS}"),
        customer,
    )
    .await?;
    // Links to the orders stop working; answers saved for retries go.
    for table in ["order_tokens", "shopper_requests"] {
        c.execute(&format!("DELETE FROM {table} WHERE {OF_ORDERS}"), customer)
            .await?;
    }
    // The carrier's words may name who signed or where it was left.
    c.execute(
        &format!("UPDATE shipment_events SET text = NULL WHERE {OF_SHIPMENTS}"),
        customer,
    )
    .await?;
    let choices = c
        .query(
            &format!(
                "UPDATE shipments SET carrier_text = NULL WHERE {OF_ORDERS}
                 RETURNING id, choice"
            ),
            customer,
        )
        .await?;
    for mut row in choices {
        let Some(choice) = row.get::<Option<String>>("choice")? else {
            continue;
        };
        let scrubbed = serde_json::from_str::<DeliveryChoice>(&choice)
            .ok()
            .map(without_personal_words)
            .map(|c| super::json(&c))
            .transpose()?;
        c.execute(
            "UPDATE shipments SET choice = ?2 WHERE id = ?1",
            args![row.get::<i64>("id")?, scrubbed],
        )
        .await?;
    }
    report.reviews = c
        .execute(
            "UPDATE reviews SET title = '', body = ''
             WHERE order_item_id IN (SELECT i.id FROM order_items i
                                     JOIN orders o ON o.id = i.order_id WHERE o.customer_id = ?1)",
            customer,
        )
        .await?;
    report.returns = c
        .execute(
            "UPDATE return_items SET comment = NULL
             WHERE return_id IN (SELECT r.id FROM returns r
                                 JOIN orders o ON o.id = r.order_id WHERE o.customer_id = ?1)",
            customer,
        )
        .await?;
    report.photos = c
        .execute(&format!("DELETE FROM photos WHERE {OF_ORDERS}"), customer)
        .await?;
    report.survey_answers = c
        .execute(
            &format!("UPDATE nps_answers SET comment = NULL WHERE {OF_ORDERS}"),
            customer,
        )
        .await?
        + c.execute(
            "UPDATE heard_answers SET other = NULL WHERE customer_id = ?1",
            customer,
        )
        .await?;
    c.execute(
        "DELETE FROM notification_preferences WHERE customer_id = ?1",
        customer,
    )
    .await?;
    // Re-order reminders would name them to the shop again: those waiting never go.
    c.execute(
        &format!(
            "UPDATE reminders SET status = 'cancelled', settled_at = ?2
             WHERE status = 'waiting' AND {OF_ORDERS}"
        ),
        args![customer_id, now],
    )
    .await?;
    // The code carries the first name: it stops working; friends already counted stay.
    let code = format!(
        "ERASED-{}",
        domain::new_token().map_err(|e| DbError::other(format!("no randomness: {e}")))?
    );
    c.execute(
        "UPDATE referral_codes SET code = ?2 WHERE customer_id = ?1",
        args![customer_id, code],
    )
    .await?;
    report.webhooks = c
        .execute(
            &format!("DELETE FROM webhook_deliveries WHERE {OF_ORDERS}"),
            customer,
        )
        .await?;
    Ok(report)
}

/// What a purge removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Purged {
    pub tokens: u64,
    pub idempotency_records: u64,
    pub webhooks: u64,
    /// Photos no review or return took within a day.
    pub photos: u64,
}

impl Db {
    /// Erases a shop's customer by e-mail address: name, e-mail, address and every free
    /// text they wrote are removed across orders, parcels, reviews, returns, surveys and
    /// referrals, and their order links stop working; amounts, stars, scores and counts
    /// stay. `404 customer_not_found` when the shop has no such customer (any more).
    pub async fn erase_customer(
        &self,
        shop_id: i64,
        email: &str,
        now: i64,
    ) -> Result<ErasureReport, ApiError> {
        let email = email.trim().to_lowercase();
        let email_hash = domain::secret_hash(&email);
        self.write(work!(|c, email| {
            let customer: Option<i64> = c
                .query_opt(
                    "SELECT id FROM customers WHERE shop_id = ?1 AND email = ?2",
                    args![shop_id, email],
                )
                .await?
                .map(|mut r| r.get("id"))
                .transpose()?;
            // As a new customer they may have redeemed someone's code: that record is
            // kept as a count, under a hash of nothing of theirs.
            let random = domain::new_token().map_err(|e| ApiError::internal("random", e))?;
            let redeemed = c
                .execute(
                    "UPDATE referral_redemptions SET email_hash = ?3
                     WHERE shop_id = ?1 AND email_hash = ?2",
                    args![shop_id, email_hash, domain::secret_hash(&random)],
                )
                .await?;
            let Some(customer_id) = customer else {
                if redeemed > 0 {
                    return Ok(ErasureReport::default());
                }
                return Err(ApiError::new(
                    StatusCode::NOT_FOUND,
                    "customer_not_found",
                    "This shop has no customer with that e-mail address (an erased one has none).",
                ));
            };
            Ok(erase(c, customer_id, now).await?)
        }))
        .await
    }

    /// Removes what has expired as of `now`: capability tokens past their date,
    /// idempotency records older than a day, webhooks sent or given up over 30 days ago,
    /// photos sent for a review or a return that was never written.
    pub async fn purge(&self, now: i64) -> Result<Purged, DbError> {
        self.write(work!(|c| {
            let tokens = c
                .execute(
                    "DELETE FROM order_tokens WHERE expires_at <= ?1",
                    args![now],
                )
                .await?;
            let day_ago = now - WINDOW_SECONDS;
            let idempotency_records = c
                .execute(
                    "DELETE FROM idempotency_keys WHERE created_at < ?1",
                    args![day_ago],
                )
                .await?
                + c.execute(
                    "DELETE FROM shopper_requests WHERE created_at < ?1",
                    args![day_ago],
                )
                .await?;
            let webhooks = c
                .execute(
                    "DELETE FROM webhook_deliveries
                     WHERE state <> 'pending' AND created_at < ?1",
                    args![(now - WEBHOOK_RETENTION_SECONDS) * 1000],
                )
                .await?;
            let photos = super::photos::purge_unattached(c, now).await?;
            Ok(Purged {
                tokens,
                idempotency_records,
                webhooks,
                photos,
            })
        }))
        .await
    }
}
