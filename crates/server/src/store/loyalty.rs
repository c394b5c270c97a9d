//! Loyalty and the next purchase, and the unboxing: the shop's settings (on its row, so
//! writing them bumps the shop's version and every kept view of its orders), what the
//! shop's own loyalty system feeds per order, and the rule's voucher made once per order
//! on first showing.

use axum::http::StatusCode;
use postpurchase_api::{
    LoyaltySettings, LoyaltyView, OrderLoyalty, OrderStage, UnboxingSettings, UnboxingView, Voucher,
};

use super::orders;
use crate::db::{Conn, Db, DbError};
use crate::domain::loyalty;
use crate::error::ApiError;
use crate::{args, work};

/// A JSON column read back; `None` when empty or no longer readable.
async fn json_column<T: serde::de::DeserializeOwned>(
    c: &mut Conn<'_>,
    sql: &str,
    id: i64,
    column: &str,
) -> Result<Option<T>, DbError> {
    let text: Option<String> = c
        .query_opt(sql, args![id])
        .await?
        .map(|mut r| r.get(column))
        .transpose()?
        .flatten();
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
}

/// A shop's loyalty settings as stored (switched off until set).
async fn loyalty_settings(c: &mut Conn<'_>, shop_id: i64) -> Result<LoyaltySettings, DbError> {
    Ok(json_column(
        c,
        "SELECT loyalty_settings FROM shops WHERE id = ?1",
        shop_id,
        "loyalty_settings",
    )
    .await?
    .unwrap_or_default())
}

/// A shop's unboxing settings as stored (switched off until set).
async fn unboxing_settings(c: &mut Conn<'_>, shop_id: i64) -> Result<UnboxingSettings, DbError> {
    Ok(json_column(
        c,
        "SELECT unboxing_settings FROM shops WHERE id = ?1",
        shop_id,
        "unboxing_settings",
    )
    .await?
    .unwrap_or_default())
}

fn loyalty_off() -> ApiError {
    ApiError::module_off("This shop does not run a loyalty programme.")
}

fn unboxing_off() -> ApiError {
    ApiError::module_off("This shop shows nothing for unboxing.")
}

/// The shop's fed values for an order (all empty when none).
async fn fed(c: &mut Conn<'_>, order_id: i64) -> Result<OrderLoyalty, DbError> {
    let Some(mut r) = c
        .query_opt(
            "SELECT earned, balance, voucher FROM order_loyalty WHERE order_id = ?1",
            args![order_id],
        )
        .await?
    else {
        return Ok(OrderLoyalty::default());
    };
    Ok(OrderLoyalty {
        earned: r.get("earned")?,
        balance: r.get("balance")?,
        voucher: r
            .get::<Option<String>>("voucher")?
            .and_then(|v| serde_json::from_str(&v).ok()),
    })
}

/// The rule's voucher made for an order before, if any.
async fn stored_voucher(c: &mut Conn<'_>, order_id: i64) -> Result<Option<Voucher>, DbError> {
    json_column(
        c,
        "SELECT made_voucher FROM order_loyalty WHERE order_id = ?1",
        order_id,
        "made_voucher",
    )
    .await
}

/// Makes and stores the rule's voucher for an order (the caller saw none stored, in
/// this same write).
async fn make_voucher(
    c: &mut Conn<'_>,
    order: orders::OrderRef,
    rule: &postpurchase_api::VoucherRule,
    placed_at: i64,
    now: i64,
) -> Result<Voucher, ApiError> {
    loop {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).map_err(|e| ApiError::internal("random", e))?;
        let voucher = Voucher {
            code: loyalty::voucher_code(&rule.prefix, u64::from_le_bytes(bytes)),
            reward: rule.reward.clone(),
            valid_until: Some(loyalty::valid_until(placed_at, rule.valid_days)),
        };
        // A clash with another order's code is rare; draw again.
        let taken = c
            .exists(
                "SELECT 1 FROM order_loyalty WHERE shop_id = ?1 AND made_code = ?2",
                args![order.shop_id, voucher.code],
            )
            .await?;
        if taken {
            continue;
        }
        // A voucher made meanwhile by another write is kept, and is the one answered.
        let kept: Option<String> = c
            .query_one(
                "INSERT INTO order_loyalty (order_id, shop_id, made_voucher, made_code, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (order_id) DO UPDATE
                     SET made_voucher = COALESCE(order_loyalty.made_voucher, excluded.made_voucher),
                         made_code = COALESCE(order_loyalty.made_code, excluded.made_code)
                 RETURNING made_voucher",
                args![
                    order.order_id,
                    order.shop_id,
                    super::json(&voucher)?,
                    voucher.code,
                    now
                ],
            )
            .await?
            .get("made_voucher")?;
        return Ok(kept
            .and_then(|k| serde_json::from_str(&k).ok())
            .unwrap_or(voucher));
    }
}

/// What the shopper is shown for an order.
struct Shown {
    facts: loyalty::OrderFacts,
    fed: OrderLoyalty,
    /// The rule's voucher, when the order has one to show.
    made: Option<Voucher>,
    /// The rule covers the order, and its voucher is still to be made (only when asked
    /// not to make it).
    to_make: bool,
}

/// What the loyalty module knows of an order, and when it was placed.
async fn order_facts(
    c: &mut Conn<'_>,
    order_id: i64,
) -> Result<(loyalty::OrderFacts, i64), DbError> {
    let mut r = c
        .query_one(
            concat!(
                "SELECT o.total, o.currency, o.placed_at, o.cancelled, ",
                orders::ordered_before!(),
                " FROM orders o WHERE o.id = ?1"
            ),
            args![order_id],
        )
        .await?;
    let placed_at: i64 = r.get("placed_at")?;
    let lines = c
        .query(
            "SELECT i.id, i.sku, i.name, i.variant, i.image_url,
                    EXISTS (SELECT 1 FROM shipment_items si
                            JOIN shipments s ON s.id = si.shipment_id
                            WHERE si.order_item_id = i.id AND s.status = 'delivered') AS delivered
             FROM order_items i WHERE i.order_id = ?1 ORDER BY i.position",
            args![order_id],
        )
        .await?
        .into_iter()
        .map(|mut l| {
            Ok(loyalty::Line {
                id: l.get("id")?,
                sku: l.get("sku")?,
                name: l.get("name")?,
                variant: l.get("variant")?,
                image_url: l.get("image_url")?,
                delivered: l.get("delivered")?,
            })
        })
        .collect::<Result<Vec<_>, DbError>>()?;
    let facts = loyalty::OrderFacts {
        total: r.get("total")?,
        currency: r.get("currency")?,
        returning: r.get("ordered_before")?,
        cancelled: r.get("cancelled")?,
        lines,
    };
    Ok((facts, placed_at))
}

/// What the shopper is shown for an order under the shop's settings: the fed values, and
/// the rule's voucher when no voucher is fed, the order is not cancelled and the rule
/// covers it. A voucher not made yet is made when `make` (in a write), unless it would
/// already have expired; otherwise `to_make` says it is due.
async fn show(
    c: &mut Conn<'_>,
    order: orders::OrderRef,
    settings: &LoyaltySettings,
    now: i64,
    make: bool,
) -> Result<Shown, ApiError> {
    let (facts, placed_at) = order_facts(c, order.order_id).await?;
    let fed = fed(c, order.order_id).await?;
    let mut made = None;
    let mut to_make = false;
    if let Some(rule) = &settings.voucher {
        if fed.voucher.is_none()
            && !facts.cancelled
            && loyalty::rule_covers(settings, facts.returning)
        {
            made = stored_voucher(c, order.order_id).await?;
            if made.is_none() && loyalty::rule_voucher_holds(placed_at, rule.valid_days, now) {
                if make {
                    made = Some(make_voucher(c, order, rule, placed_at, now).await?);
                } else {
                    to_make = true;
                }
            }
        }
    }
    Ok(Shown {
        facts,
        fed,
        made,
        to_make,
    })
}

/// The shop's settings and what the shopper with the token is shown (`404 module_off`
/// while the programme is off).
async fn shopper_view(
    c: &mut Conn<'_>,
    shop: &str,
    token: &str,
    now: i64,
    make: bool,
) -> Result<(LoyaltySettings, Shown), ApiError> {
    let order = orders::find(c, shop, token, now).await?;
    let settings = loyalty_settings(c, order.shop_id).await?;
    if !settings.enabled {
        return Err(loyalty_off());
    }
    let shown = show(c, order, &settings, now, make).await?;
    Ok((settings, shown))
}

/// What the admin is answered for an order by number, and whether a voucher is due.
struct Answer {
    answer: OrderLoyalty,
    to_make: bool,
}

/// The fed values of a shop's order by number, else what the rule shows the shopper
/// (while the programme is on).
async fn shown_by_number(
    c: &mut Conn<'_>,
    shop_id: i64,
    number: &str,
    now: i64,
    make: bool,
) -> Result<Answer, ApiError> {
    let order_id = orders::id_by_number(c, shop_id, number.trim())
        .await?
        .ok_or_else(ApiError::unknown_order_number)?;
    let settings = loyalty_settings(c, shop_id).await?;
    if !settings.enabled {
        return Ok(Answer {
            answer: fed(c, order_id).await?,
            to_make: false,
        });
    }
    let order = orders::OrderRef { order_id, shop_id };
    let shown = show(c, order, &settings, now, make).await?;
    let earned = shown
        .fed
        .earned
        .or_else(|| loyalty::rule_points(&settings, &shown.facts));
    Ok(Answer {
        answer: OrderLoyalty {
            earned,
            balance: shown.fed.balance,
            voucher: shown.fed.voucher.clone().or(shown.made),
        },
        to_make: shown.to_make,
    })
}

/// The shop's site: where its help or order page lives.
fn site(urls: [Option<String>; 2]) -> Option<String> {
    urls.into_iter().flatten().find_map(|u| {
        let url = url::Url::parse(&u).ok()?;
        matches!(url.scheme(), "http" | "https")
            .then(|| format!("{}/", url.origin().ascii_serialization()))
    })
}

/// Stores a shop's loyalty settings (checked), bumping its version.
pub async fn set_loyalty(
    c: &mut Conn<'_>,
    shop_id: i64,
    settings: &LoyaltySettings,
) -> Result<(), DbError> {
    c.execute(
        "UPDATE shops SET loyalty_enabled = ?2, loyalty_settings = ?3 WHERE id = ?1",
        args![shop_id, settings.enabled, super::json(settings)?],
    )
    .await?;
    Ok(())
}

/// Stores a shop's unboxing settings (checked), bumping its version.
pub async fn set_unboxing(
    c: &mut Conn<'_>,
    shop_id: i64,
    settings: &UnboxingSettings,
) -> Result<(), DbError> {
    c.execute(
        "UPDATE shops SET unboxing_enabled = ?2, unboxing_settings = ?3 WHERE id = ?1",
        args![shop_id, settings.enabled, super::json(settings)?],
    )
    .await?;
    Ok(())
}

/// Replaces what the shop fed for an order; the rule's voucher stays.
pub async fn feed(
    c: &mut Conn<'_>,
    shop_id: i64,
    order_id: i64,
    loyalty: &OrderLoyalty,
    now: i64,
) -> Result<(), DbError> {
    let voucher = loyalty.voucher.as_ref().map(super::json).transpose()?;
    c.execute(
        "INSERT INTO order_loyalty (order_id, shop_id, earned, balance, voucher, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (order_id) DO UPDATE SET earned = excluded.earned,
             balance = excluded.balance, voucher = excluded.voucher,
             updated_at = excluded.updated_at",
        args![
            order_id,
            shop_id,
            loyalty.earned,
            loyalty.balance,
            voucher,
            now
        ],
    )
    .await?;
    Ok(())
}

impl Db {
    /// What the order earned and what comes next; the rule's voucher is made on first
    /// asking and the same afterwards. Read in a read transaction; only when the rule's
    /// voucher is still to be made is a write opened (and everything checked again in it).
    pub async fn loyalty(
        &self,
        shop: &str,
        token: &str,
        now: i64,
    ) -> Result<LoyaltyView, ApiError> {
        let (shop, token) = (shop.to_owned(), token.to_owned());
        let (again_shop, again_token) = (shop.clone(), token.clone());
        let (mut settings, mut shown) = self
            .read(work!(|c, shop, token| {
                shopper_view(c, &shop, &token, now, false).await
            }))
            .await?;
        if shown.to_make {
            (settings, shown) = self
                .write(work!(|c, again_shop, again_token| {
                    shopper_view(c, &again_shop, &again_token, now, true).await
                }))
                .await?;
        }
        Ok(loyalty::view(
            &settings,
            &shown.facts,
            &shown.fed,
            shown.made,
        ))
    }

    /// The shop's notes and how to share, once the order is delivered.
    pub async fn unboxing(
        &self,
        shop: &str,
        token: &str,
        now: i64,
    ) -> Result<UnboxingView, ApiError> {
        let (shop, token) = (shop.to_owned(), token.to_owned());
        self.read(work!(|c, shop, token| {
            let order = orders::find(c, &shop, &token, now).await?;
            let settings = unboxing_settings(c, order.shop_id).await?;
            if !settings.enabled {
                return Err(unboxing_off());
            }
            if orders::stage(c, order.order_id).await? != OrderStage::Delivered {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "not_delivered",
                    "This shows once the order has been delivered.",
                ));
            }
            let mut r = c
                .query_one(
                    "SELECT name, support_url, order_status_url FROM shops WHERE id = ?1",
                    args![order.shop_id],
                )
                .await?;
            let site = site([r.get("support_url")?, r.get("order_status_url")?]);
            Ok(loyalty::unboxing_view(settings, r.get("name")?, site))
        }))
        .await
    }

    pub async fn loyalty_settings(&self, shop_id: i64) -> Result<LoyaltySettings, ApiError> {
        self.read(work!(|c| { Ok(loyalty_settings(c, shop_id).await?) }))
            .await
    }

    pub async fn set_loyalty_settings(
        &self,
        shop_id: i64,
        settings: LoyaltySettings,
    ) -> Result<(), ApiError> {
        self.write(work!(|c, settings| {
            Ok(set_loyalty(c, shop_id, &settings).await?)
        }))
        .await
    }

    pub async fn unboxing_settings(&self, shop_id: i64) -> Result<UnboxingSettings, ApiError> {
        self.read(work!(|c| { Ok(unboxing_settings(c, shop_id).await?) }))
            .await
    }

    pub async fn set_unboxing_settings(
        &self,
        shop_id: i64,
        settings: UnboxingSettings,
    ) -> Result<(), ApiError> {
        self.write(work!(|c, settings| {
            Ok(set_unboxing(c, shop_id, &settings).await?)
        }))
        .await
    }

    /// What the shopper is shown for one of the shop's orders, by number: the fed values,
    /// else (while the programme is on) the rule's points and voucher, the voucher made
    /// now when the rule covers the order and none is made yet (the same the shopper sees).
    pub async fn order_loyalty(
        &self,
        shop_id: i64,
        number: &str,
        now: i64,
    ) -> Result<OrderLoyalty, ApiError> {
        let number = number.to_owned();
        let again = number.clone();
        let shown = self
            .read(work!(|c, number| {
                shown_by_number(c, shop_id, &number, now, false).await
            }))
            .await?;
        let shown = if shown.to_make {
            self.write(work!(|c, again| {
                shown_by_number(c, shop_id, &again, now, true).await
            }))
            .await?
        } else {
            shown
        };
        Ok(shown.answer)
    }

    /// Replaces what the shop fed for one of its orders; the rule's voucher is kept (a
    /// fed voucher hides it).
    pub async fn set_order_loyalty(
        &self,
        shop_id: i64,
        number: &str,
        loyalty: OrderLoyalty,
        now: i64,
    ) -> Result<(), ApiError> {
        let number = number.to_owned();
        self.write(work!(|c, number, loyalty| {
            let order_id = orders::id_by_number(c, shop_id, number.trim())
                .await?
                .ok_or_else(ApiError::unknown_order_number)?;
            Ok(feed(c, shop_id, order_id, &loyalty, now).await?)
        }))
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::site;

    #[test]
    fn the_site_is_the_origin_of_the_shops_pages() {
        assert_eq!(
            site([Some("https://shop.example/help?x=1".into()), None]),
            Some("https://shop.example/".into())
        );
        assert_eq!(
            site([
                Some("not a url".into()),
                Some("http://b.example/orders".into())
            ]),
            Some("http://b.example/".into())
        );
        assert_eq!(site([None, None]), None);
    }
}
