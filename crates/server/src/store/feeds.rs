//! Tracking feeds: each source's secret per shop, and the events a verified feed brings,
//! taken in as a carrier's are (see [`super::tracking::take_event`]).

use postpurchase_api::{CarrierEvent, FeedResult};

use super::tracking::{take_event, EventRequest};
use super::{delays, instant};
use crate::db::{Conn, Db, DbError};
use crate::domain::feeds::FeedEvent;
use crate::error::ApiError;
use crate::{args, work};

/// A parcel of the shop by its tracking number alone, as sources name it.
async fn parcel(c: &mut Conn<'_>, shop_id: i64, tracking: &str) -> Result<Option<i64>, DbError> {
    c.query_opt(
        "SELECT s.id FROM shipments s JOIN orders o ON o.id = s.order_id
         WHERE o.shop_id = ?1 AND s.tracking_number = ?2 ORDER BY s.id LIMIT 1",
        args![shop_id, tracking],
    )
    .await?
    .map(|mut r| r.get("id"))
    .transpose()
}

impl Db {
    /// The shop (by slug) and its secret for `source`, if both exist.
    pub async fn feed_secret(
        &self,
        slug: &str,
        source: &'static str,
    ) -> Result<Option<(i64, String)>, ApiError> {
        let slug = slug.to_owned();
        self.read(work!(|c, slug| {
            let found = c
                .query_opt(
                    "SELECT f.shop_id, f.secret FROM feed_secrets f JOIN shops s ON s.id = f.shop_id
                     WHERE s.slug = ?1 AND f.source = ?2",
                    args![slug, source],
                )
                .await?;
            Ok(match found {
                Some(mut r) => Some((r.get("shop_id")?, r.get("secret")?)),
                None => None,
            })
        }))
        .await
    }

    /// The sources the shop has set a secret for.
    pub async fn feed_sources(&self, shop_id: i64) -> Result<Vec<String>, ApiError> {
        self.read(work!(|c| {
            Ok(c.query(
                "SELECT source FROM feed_secrets WHERE shop_id = ?1 ORDER BY source",
                args![shop_id],
            )
            .await?
            .into_iter()
            .map(|mut r| r.get("source"))
            .collect::<Result<_, DbError>>()?)
        }))
        .await
    }

    /// Sets (or, with `None`, removes) the shop's secret for `source` (a tracking
    /// source's or a shop platform's name).
    pub async fn set_feed_secret(
        &self,
        shop_id: i64,
        source: &'static str,
        secret: Option<String>,
    ) -> Result<(), ApiError> {
        self.write(work!(|c, secret| {
            match &secret {
                Some(secret) => {
                    c.execute(
                        "INSERT INTO feed_secrets (shop_id, source, secret) VALUES (?1, ?2, ?3)
                         ON CONFLICT (shop_id, source) DO UPDATE SET secret = ?3",
                        args![shop_id, source, secret],
                    )
                    .await?;
                }
                None => {
                    c.execute(
                        "DELETE FROM feed_secrets WHERE shop_id = ?1 AND source = ?2",
                        args![shop_id, source],
                    )
                    .await?;
                }
            }
            Ok(())
        }))
        .await
    }

    /// Takes in a verified feed's events, all or none: each one's parcel by tracking
    /// number (an unknown one is not this shop's and is skipped, said in the answer),
    /// recorded once by its id. True beside the result when parcel news was queued for
    /// the shop's webhook.
    pub async fn take_feed(
        &self,
        shop_id: i64,
        events: Vec<FeedEvent>,
        now: i64,
    ) -> Result<(FeedResult, bool), ApiError> {
        self.write_locked(work!(|c, events| {
            let mut result = FeedResult::default();
            let mut queued = false;
            for e in &events {
                let Some(shipment_id) = parcel(c, shop_id, &e.tracking_number).await? else {
                    result.unknown_parcels += 1;
                    continue;
                };
                let request = EventRequest {
                    carrier: String::new(),
                    tracking_number: e.tracking_number.clone(),
                    event: CarrierEvent {
                        event_id: e.event_id.clone(),
                        occurred_at: instant(e.occurred_at),
                        code: e.code.clone(),
                        text: e.text.clone(),
                        location: e.location.clone(),
                        delivered_to: e.mapped.1,
                        estimated_delivery: None,
                        pickup: None,
                        duties_due: None,
                    },
                    mapped: e.mapped,
                    occurred_at: e.occurred_at,
                    eta: None,
                };
                let previous = delays::lock_status(c, shipment_id).await?;
                let taken = take_event(c, (shipment_id, previous), &request, now).await?;
                queued |= taken.queued;
                if taken.recorded {
                    result.recorded += 1;
                } else {
                    result.known += 1;
                }
            }
            Ok((result, queued))
        }))
        .await
    }
}
