//! Referrals: each shopper's own code (made when first asked for), and the shop's checkout
//! redeeming a code for a new customer under the fraud rules.

use axum::http::StatusCode;
use postpurchase_api::{Redemption, ReferralRedeemed, ReferralSettings, ReferralView, WebhookData};

use super::{orders, webhooks};
use crate::db::{Conn, Db, DbError};
use crate::domain::{self, referral::new_code};
use crate::error::ApiError;
use crate::{args, work};

/// A shop's referral terms as stored, whether or not they are switched on.
async fn settings(c: &mut Conn<'_>, shop_id: i64) -> Result<Option<ReferralSettings>, DbError> {
    let terms: Option<String> = c
        .query_opt(
            "SELECT referral_terms FROM shops WHERE id = ?1",
            args![shop_id],
        )
        .await?
        .map(|mut r| r.get("referral_terms"))
        .transpose()?
        .flatten();
    Ok(terms.and_then(|t| serde_json::from_str(&t).ok()))
}

/// A shop's referral terms while referrals are switched on.
async fn terms(c: &mut Conn<'_>, shop_id: i64) -> Result<Option<ReferralSettings>, DbError> {
    Ok(settings(c, shop_id).await?.filter(|t| t.enabled))
}

pub async fn set_settings(
    c: &mut Conn<'_>,
    shop_id: i64,
    settings: &ReferralSettings,
) -> Result<(), DbError> {
    c.execute(
        "UPDATE shops SET referral_enabled = ?2, referral_terms = ?3 WHERE id = ?1",
        args![shop_id, settings.enabled, super::json(settings)?],
    )
    .await?;
    Ok(())
}

fn module_off() -> ApiError {
    ApiError::module_off("This shop does not run referrals.")
}

fn refuse(status: StatusCode, code: &'static str, message: &str) -> ApiError {
    ApiError::new(status, code, message)
}

/// A redemption at the shop's checkout, its code normalised and e-mail lower-cased.
#[derive(Clone, Debug)]
pub struct RedemptionRequest {
    pub code: String,
    pub email: String,
    pub order_number: Option<String>,
}

impl Db {
    /// The shopper's own code and what it brings; made on first asking.
    pub async fn referral(
        &self,
        shop: &str,
        token: &str,
        now: i64,
    ) -> Result<ReferralView, ApiError> {
        let (shop, token) = (shop.to_owned(), token.to_owned());
        self.write(work!(|c, shop, token| {
            let order = orders::find(c, &shop, &token, now).await?;
            let terms = terms(c, order.shop_id).await?.ok_or_else(module_off)?;
            let (customer_id, first_name) = orders::customer(c, order.order_id).await?;
            let existing: Option<String> = c
                .query_opt(
                    "SELECT code FROM referral_codes WHERE customer_id = ?1",
                    args![customer_id],
                )
                .await?
                .map(|mut r| r.get("code"))
                .transpose()?;
            let code = match existing {
                Some(code) => code,
                None => loop {
                    // A clash with another shopper's code is rare; draw again.
                    let code = new_code(&first_name).map_err(|e| ApiError::internal("random", e))?;
                    let taken = c
                        .exists(
                            "SELECT 1 FROM referral_codes WHERE shop_id = ?1 AND code = ?2",
                            args![order.shop_id, code],
                        )
                        .await?;
                    if !taken {
                        c.execute(
                            "INSERT INTO referral_codes (customer_id, shop_id, code, order_id, created_at)
                             VALUES (?1, ?2, ?3, ?4, ?5)",
                            args![customer_id, order.shop_id, code, order.order_id, now],
                        )
                        .await?;
                        break code;
                    }
                },
            };
            let friends: u32 = c
                .query_one(
                    "SELECT count(*) AS friends FROM referral_redemptions WHERE customer_id = ?1",
                    args![customer_id],
                )
                .await?
                .get("friends")?;
            Ok(ReferralView {
                share_url: terms.share_url.replace("{code}", &code),
                friends,
                code,
                friend_reward: terms.friend_reward,
                referrer_reward: terms.referrer_reward,
            })
        }))
        .await
    }

    /// Redeems a code for a new customer of the shop. `Ok((true, …))` when it was
    /// accepted now, `Ok((false, …))` for a retry of the same redemption.
    pub async fn redeem_referral(
        &self,
        shop_id: i64,
        request: RedemptionRequest,
        now: i64,
    ) -> Result<(bool, Redemption), ApiError> {
        let email_hash = domain::secret_hash(&request.email);
        self.write(work!(|c, request| {
            // Only this shop's codes are looked at: another shop's code is as unknown as
            // a made-up one, so nothing about other shops' shoppers can be learned here.
            let owner = c
                .query_opt(
                    "SELECT r.customer_id, r.order_id, c.email, o.number FROM referral_codes r
                     JOIN customers c ON c.id = r.customer_id JOIN orders o ON o.id = r.order_id
                     WHERE r.code = ?1 AND r.shop_id = ?2",
                    args![request.code, shop_id],
                )
                .await?;
            let Some(mut owner) = owner else {
                return Err(refuse(
                    StatusCode::NOT_FOUND,
                    "unknown_code",
                    "This shop has no shopper with this referral code.",
                ));
            };
            let owner_order_id: i64 = owner.get("order_id")?;
            let (owner_id, owner_email, owner_order): (i64, String, String) = (
                owner.get("customer_id")?,
                owner.get("email")?,
                owner.get("number")?,
            );
            let terms = terms(c, shop_id).await?.ok_or_else(module_off)?;
            let answer = Redemption {
                code: request.code.clone(),
                friend_reward: terms.friend_reward,
                referrer_reward: terms.referrer_reward,
                referrer_order_number: owner_order,
            };
            if owner_email == request.email {
                return Err(refuse(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "self_referral",
                    "A shopper cannot use their own referral code.",
                ));
            }
            let redeemed: Option<i64> = c
                .query_opt(
                    "SELECT customer_id FROM referral_redemptions
                     WHERE shop_id = ?1 AND email_hash = ?2",
                    args![shop_id, email_hash],
                )
                .await?
                .map(|mut r| r.get("customer_id"))
                .transpose()?;
            match redeemed {
                Some(customer_id) if customer_id == owner_id => return Ok((false, answer)),
                Some(_) => {
                    return Err(refuse(
                        StatusCode::CONFLICT,
                        "already_redeemed",
                        "This customer has already used a referral code.",
                    ))
                }
                None => {}
            }
            let earlier = c
                .query(
                    "SELECT o.number FROM orders o JOIN customers c ON c.id = o.customer_id
                     WHERE c.shop_id = ?1 AND c.email = ?2",
                    args![shop_id, request.email],
                )
                .await?;
            let this_order = request.order_number.as_deref().map(str::trim);
            for mut r in earlier {
                if Some(r.get::<String>("number")?.as_str()) != this_order {
                    return Err(refuse(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "not_a_new_customer",
                        "Referral codes are for new customers; this one has ordered before.",
                    ));
                }
            }
            c.execute(
                "INSERT INTO referral_redemptions (shop_id, customer_id, email_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4)",
                args![shop_id, owner_id, email_hash, now],
            )
            .await?;
            let who = webhooks::contact(c, owner_order_id).await?;
            let data = WebhookData::Referral(Box::new(ReferralRedeemed {
                order_number: who.order_number,
                email: who.email,
                first_name: who.first_name,
                code: answer.code.clone(),
                referrer_reward: answer.referrer_reward.clone(),
                friend_reward: answer.friend_reward.clone(),
                friend_order_number: this_order.filter(|n| !n.is_empty()).map(str::to_owned),
            }));
            webhooks::queue(c, shop_id, owner_order_id, "referral.redeemed", now, data).await?;
            Ok((true, answer))
        }))
        .await
    }

    /// The shop's referral terms, `None` until set.
    pub async fn referral_settings(
        &self,
        shop_id: i64,
    ) -> Result<Option<ReferralSettings>, ApiError> {
        self.read(work!(|c| { Ok(settings(c, shop_id).await?) }))
            .await
    }

    pub async fn set_referral_settings(
        &self,
        shop_id: i64,
        settings: ReferralSettings,
    ) -> Result<(), ApiError> {
        self.write(work!(|c, settings| {
            Ok(set_settings(c, shop_id, &settings).await?)
        }))
        .await
    }
}
