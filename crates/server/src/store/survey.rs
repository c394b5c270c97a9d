//! The short survey: NPS once per order, "how did you hear about us" once per customer,
//! the customer's shipping-news preferences, and the shop's results.

use axum::http::StatusCode;
use postpurchase_api::{
    HeardAnswer, HeardCount, NpsAnswer, NpsResult, Preferences, SurveyAnswered, SurveyResults,
    SurveySettings, SurveyView, WebhookData,
};

use super::orders::{self, OrderRef};
use super::{instant, webhooks};
use crate::db::{Conn, Db, DbError};
use crate::domain::survey::{net_promoter_score, validate_heard, validate_preferences, OTHER};
use crate::error::ApiError;
use crate::{args, work};

async fn settings(c: &mut Conn<'_>, shop_id: i64) -> Result<SurveySettings, DbError> {
    let mut r = c
        .query_one(
            "SELECT survey_enabled, heard_options FROM shops WHERE id = ?1",
            args![shop_id],
        )
        .await?;
    Ok(SurveySettings {
        enabled: r.get("survey_enabled")?,
        heard_options: super::lines(&r.get::<String>("heard_options")?),
    })
}

pub async fn set_settings(
    c: &mut Conn<'_>,
    shop_id: i64,
    settings: &SurveySettings,
) -> Result<(), DbError> {
    c.execute(
        "UPDATE shops SET survey_enabled = ?2, heard_options = ?3 WHERE id = ?1",
        args![shop_id, settings.enabled, settings.heard_options.join("\n")],
    )
    .await?;
    Ok(())
}

fn module_off() -> ApiError {
    ApiError::module_off("This shop does not run the survey.")
}

fn already_answered() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "already_answered",
        "This question has been answered already.",
    )
}

/// The order a token opens, in a shop that runs the survey, and the shop's answers to
/// "how did you hear".
async fn surveyed_order(
    c: &mut Conn<'_>,
    shop: &str,
    token: &str,
    now: i64,
) -> Result<(OrderRef, Vec<String>), ApiError> {
    let order = orders::find(c, shop, token, now).await?;
    let settings = settings(c, order.shop_id).await?;
    if !settings.enabled {
        return Err(module_off());
    }
    Ok((order, settings.heard_options))
}

async fn view(
    c: &mut Conn<'_>,
    order: OrderRef,
    options: Vec<String>,
) -> Result<SurveyView, DbError> {
    let (customer_id, _) = orders::customer(c, order.order_id).await?;
    let ask_nps = !c
        .exists(
            "SELECT 1 FROM nps_answers WHERE order_id = ?1",
            args![order.order_id],
        )
        .await?;
    let ask_heard = !c
        .exists(
            "SELECT 1 FROM heard_answers WHERE customer_id = ?1",
            args![customer_id],
        )
        .await?;
    let preferences = c
        .query_opt(
            "SELECT email, sms FROM notification_preferences WHERE customer_id = ?1",
            args![customer_id],
        )
        .await?
        .map(|mut r| {
            Ok::<_, DbError>(Preferences {
                email: r.get("email")?,
                sms: r.get("sms")?,
                phone: None,
            })
        })
        .transpose()?;
    Ok(SurveyView {
        ask_nps,
        ask_heard,
        heard_options: options,
        preferences,
        phone_known: phone_known(c, customer_id).await?,
        words: Default::default(),
    })
}

/// Whether the shop has a mobile number for the customer.
async fn phone_known(c: &mut Conn<'_>, customer_id: i64) -> Result<bool, DbError> {
    c.exists(
        "SELECT 1 FROM customers WHERE id = ?1 AND phone IS NOT NULL",
        args![customer_id],
    )
    .await
}

/// A shopper's answer to one of the survey's questions.
#[derive(Clone, Debug)]
pub enum Answer {
    Nps(NpsAnswer),
    Heard(HeardAnswer),
    Preferences(Preferences),
}

impl Db {
    /// What the survey still asks for this order.
    pub async fn survey(&self, shop: &str, token: &str, now: i64) -> Result<SurveyView, ApiError> {
        let (shop, token) = (shop.to_owned(), token.to_owned());
        self.read(work!(|c, shop, token| {
            let (order, options) = surveyed_order(c, &shop, &token, now).await?;
            Ok(view(c, order, options).await?)
        }))
        .await
    }

    /// Records an answer (the NPS once per order, "heard" once per customer, preferences
    /// any time); the survey as it now stands.
    pub async fn answer_survey(
        &self,
        shop: &str,
        token: &str,
        answer: Answer,
        now: i64,
    ) -> Result<SurveyView, ApiError> {
        let (shop, token) = (shop.to_owned(), token.to_owned());
        self.write(work!(|c, shop, token, answer| {
            let (order, options) = surveyed_order(c, &shop, &token, now).await?;
            match &answer {
                Answer::Nps(nps) => {
                    let comment = nps.comment.as_deref().map(str::trim).filter(|c| !c.is_empty());
                    let inserted = c
                        .execute(
                            "INSERT INTO nps_answers (order_id, score, comment, answered_at)
                             VALUES (?1, ?2, ?3, ?4) ON CONFLICT (order_id) DO NOTHING",
                            args![order.order_id, nps.score, comment, now],
                        )
                        .await?;
                    if inserted == 0 {
                        return Err(already_answered());
                    }
                    answered(c, order.order_id, now, |who| SurveyAnswered {
                        order_number: who.order_number,
                        email: who.email,
                        first_name: who.first_name,
                        question: "nps".to_owned(),
                        score: Some(nps.score),
                        comment: comment.map(str::to_owned),
                        heard: None,
                        heard_other: None,
                    })
                    .await?;
                }
                Answer::Heard(heard) => {
                    let errors = validate_heard(heard, &options);
                    if !errors.is_empty() {
                        return Err(ApiError::invalid_fields(errors));
                    }
                    let (customer_id, _) = orders::customer(c, order.order_id).await?;
                    let other = (heard.option == OTHER)
                        .then(|| heard.other.as_deref().map(str::trim))
                        .flatten();
                    let inserted = c
                        .execute(
                            "INSERT INTO heard_answers (customer_id, option, other, order_id, answered_at)
                             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (customer_id) DO NOTHING",
                            args![customer_id, heard.option, other, order.order_id, now],
                        )
                        .await?;
                    if inserted == 0 {
                        return Err(already_answered());
                    }
                    answered(c, order.order_id, now, |who| SurveyAnswered {
                        order_number: who.order_number,
                        email: who.email,
                        first_name: who.first_name,
                        question: "heard".to_owned(),
                        score: None,
                        comment: None,
                        heard: Some(heard.option.clone()),
                        heard_other: other.map(str::to_owned),
                    })
                    .await?;
                }
                Answer::Preferences(preferences) => {
                    let (customer_id, _) = orders::customer(c, order.order_id).await?;
                    let known = phone_known(c, customer_id).await?;
                    let errors = validate_preferences(preferences, known);
                    if !errors.is_empty() {
                        return Err(ApiError::invalid_fields(errors));
                    }
                    if let Some(phone) = preferences
                        .phone
                        .as_deref()
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                    {
                        c.execute(
                            "UPDATE customers SET phone = ?2 WHERE id = ?1",
                            args![customer_id, phone],
                        )
                        .await?;
                    }
                    c.execute(
                        "INSERT INTO notification_preferences (customer_id, email, sms, updated_at)
                         VALUES (?1, ?2, ?3, ?4)
                         ON CONFLICT (customer_id) DO UPDATE SET email = excluded.email,
                             sms = excluded.sms, updated_at = excluded.updated_at",
                        args![customer_id, preferences.email, preferences.sms, now],
                    )
                    .await?;
                }
            }
            Ok(view(c, order, options).await?)
        }))
        .await
    }

    pub async fn survey_settings(&self, shop_id: i64) -> Result<SurveySettings, ApiError> {
        self.read(work!(|c| { Ok(settings(c, shop_id).await?) }))
            .await
    }

    pub async fn set_survey_settings(
        &self,
        shop_id: i64,
        settings: SurveySettings,
    ) -> Result<(), ApiError> {
        self.write(work!(|c, settings| {
            Ok(set_settings(c, shop_id, &settings).await?)
        }))
        .await
    }

    /// The net promoter score, the latest 100 answers, and how shoppers heard of the shop.
    pub async fn survey_results(&self, shop_id: i64) -> Result<SurveyResults, ApiError> {
        self.read(work!(|c| {
            let answers = c
                .query(
                    "SELECT a.score, a.answered_at FROM nps_answers a
                     JOIN orders o ON o.id = a.order_id WHERE o.shop_id = ?1",
                    args![shop_id],
                )
                .await?
                .into_iter()
                .map(|mut r| Ok((r.get::<i64>("answered_at")?, r.get::<u8>("score")?)))
                .collect::<Result<Vec<(i64, u8)>, DbError>>()?;
            let scores: Vec<u8> = answers.iter().map(|(_, s)| *s).collect();
            let latest = c
                .query(
                    "SELECT o.number, a.score, a.comment, a.answered_at FROM nps_answers a
                     JOIN orders o ON o.id = a.order_id WHERE o.shop_id = ?1
                     ORDER BY a.answered_at DESC, a.order_id DESC LIMIT 100",
                    args![shop_id],
                )
                .await?
                .into_iter()
                .map(|mut r| {
                    Ok(NpsResult {
                        order_number: r.get("number")?,
                        score: r.get("score")?,
                        comment: r.get("comment")?,
                        answered_at: instant(r.get("answered_at")?),
                    })
                })
                .collect::<Result<_, DbError>>()?;
            let heard = c
                .query(
                    "SELECT h.option, count(*) AS answers FROM heard_answers h
                     JOIN customers c ON c.id = h.customer_id
                     WHERE c.shop_id = ?1 GROUP BY h.option ORDER BY count(*) DESC, h.option",
                    args![shop_id],
                )
                .await?
                .into_iter()
                .map(|mut r| {
                    Ok(HeardCount {
                        option: r.get("option")?,
                        count: r.get("answers")?,
                    })
                })
                .collect::<Result<_, DbError>>()?;
            Ok(SurveyResults {
                nps_answers: scores.len() as u32,
                nps: net_promoter_score(&scores),
                latest,
                heard,
                weekly: crate::domain::survey::weekly_scores(&answers, 12),
            })
        }))
        .await
    }
}

/// Queues `survey.answered` for the shop, its fields made from the order's contact.
async fn answered(
    c: &mut Conn<'_>,
    order_id: i64,
    now: i64,
    answer: impl FnOnce(webhooks::Contact) -> SurveyAnswered,
) -> Result<(), ApiError> {
    let who = webhooks::contact(c, order_id).await?;
    let shop_id = who.shop_id;
    let data = WebhookData::Survey(Box::new(answer(who)));
    webhooks::queue(c, shop_id, order_id, "survey.answered", now, data).await?;
    Ok(())
}
