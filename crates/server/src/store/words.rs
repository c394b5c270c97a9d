//! The shop's own words in other languages, kept with the shop as one JSON column.

use postpurchase_api::ShopWords;

use crate::db::{Conn, Db, DbError};
use crate::error::ApiError;
use crate::{args, work};

async fn read(
    c: &mut Conn<'_>,
    condition: &str,
    key: crate::db::Value<'_>,
) -> Result<ShopWords, DbError> {
    let text: Option<String> = c
        .query_opt(
            &["SELECT translations FROM shops WHERE ", condition].concat(),
            &[key],
        )
        .await?
        .map(|mut r| r.get("translations"))
        .transpose()?;
    Ok(ShopWords {
        translations: text
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default(),
    })
}

/// Replaces a shop's words in other languages.
pub async fn set(c: &mut Conn<'_>, shop_id: i64, words: &ShopWords) -> Result<(), DbError> {
    c.execute(
        "UPDATE shops SET translations = ?2 WHERE id = ?1",
        args![shop_id, super::json(&words.translations)?],
    )
    .await?;
    Ok(())
}

impl Db {
    /// A shop's words in other languages.
    pub async fn shop_words(&self, shop_id: i64) -> Result<ShopWords, ApiError> {
        self.read(work!(|c| {
            Ok(read(c, "id = ?1", crate::db::Value::Int(shop_id)).await?)
        }))
        .await
    }

    /// The words of the shop with this slug (none for no such shop), for a shopper's answer.
    pub async fn shop_words_by_slug(&self, slug: &str) -> Result<ShopWords, ApiError> {
        let slug = slug.to_owned();
        self.read(work!(|c, slug| {
            Ok(read(c, "slug = ?1", crate::db::Value::Text(&slug)).await?)
        }))
        .await
    }

    /// Replaces a shop's words in other languages.
    pub async fn set_shop_words(&self, shop_id: i64, words: &ShopWords) -> Result<(), ApiError> {
        let words = words.clone();
        self.write(work!(|c, words| { Ok(set(c, shop_id, &words).await?) }))
            .await
    }
}
