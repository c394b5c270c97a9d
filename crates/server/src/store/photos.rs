//! Photos in the database, so every process serves them: taken in for an order once
//! checked and cleaned (see [`crate::domain::photo`]), attached to a review or a returned
//! item in the transaction that writes it, and served to those who may see them: the
//! order's own link always, the shop's admin always, anyone only while its review is
//! published.

use axum::http::StatusCode;
use postpurchase_api::{FieldError, Photo};

use super::orders;
use crate::db::{Conn, Db, DbError};
use crate::domain::photo::{Cleaned, PhotoType};
use crate::error::ApiError;
use crate::{args, work};

/// Photos an order may hold, attached or not: enough for every review and return of a
/// large order, and a bound on what one link can store.
pub const PER_ORDER: i64 = 40;
/// A photo not attached to anything within this many seconds is deleted.
pub const UNATTACHED_FOR: i64 = 86_400;

/// A photo's bytes and type, as served.
pub struct PhotoFile {
    pub kind: PhotoType,
    pub bytes: Vec<u8>,
}

/// What a photo is attached to, in the transaction that writes it.
#[derive(Clone, Copy)]
pub enum Owner {
    Review(i64),
    /// A return, and the order line returned.
    ReturnItem(i64, i64),
}

/// SQL for a column with the photos' keys, in order, separated by spaces, of the owner
/// `condition` names (on `photos p`).
macro_rules! photo_keys {
    ($condition:literal) => {
        concat!(
            "(SELECT string_agg(p.key, ' ' ORDER BY p.position) FROM photos p WHERE ",
            $condition,
            ")"
        )
    };
}
pub(crate) use photo_keys;

/// The keys of [`photo_keys`]' column.
pub fn keys(column: Option<String>) -> Vec<String> {
    column
        .map(|keys| keys.split(' ').map(str::to_owned).collect())
        .unwrap_or_default()
}

fn no_photo() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "photo_not_found", "No such photo.")
}

/// Attaches photos of the order, by key, to `owner`; each must be the order's. One that
/// is attached already (the same picture for a review and a return) is copied for
/// `owner`, under a key of its own. The refusals name `field[i]`.
pub async fn attach(
    c: &mut Conn<'_>,
    order_id: i64,
    keys: &[String],
    owner: Owner,
    field: &str,
) -> Result<Vec<FieldError>, DbError> {
    let (review, ret, line) = match owner {
        Owner::Review(id) => (Some(id), None, None),
        Owner::ReturnItem(id, line) => (None, Some(id), Some(line)),
    };
    let mut errors = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        let taken = c
            .execute(
                "UPDATE photos SET review_id = ?3, return_id = ?4, order_item_id = ?5,
                                   position = ?6
                 WHERE order_id = ?1 AND key = ?2
                   AND review_id IS NULL AND return_id IS NULL",
                args![order_id, key.as_str(), review, ret, line, i],
            )
            .await?;
        if taken == 1 {
            continue;
        }
        let copy = crate::domain::new_token().map_err(|e| DbError::other(e.to_string()))?;
        let copied = c
            .execute(
                "INSERT INTO photos (key, shop_id, order_id, digest, kind, width, height, bytes,
                                     created_at, review_id, return_id, order_item_id, position)
                 SELECT ?3, shop_id, order_id, digest, kind, width, height, bytes, created_at,
                        ?4, ?5, ?6, ?7
                 FROM photos WHERE order_id = ?1 AND key = ?2",
                args![order_id, key.as_str(), copy.as_str(), review, ret, line, i],
            )
            .await?;
        if copied != 1 {
            errors.push(FieldError::new(
                format!("{field}[{i}]"),
                "is not a photo sent for this order",
            ));
        }
    }
    Ok(errors)
}

/// Deletes the photos no review or return took within [`UNATTACHED_FOR`]; how many.
pub async fn purge_unattached(c: &mut Conn<'_>, now: i64) -> Result<u64, DbError> {
    c.execute(
        "DELETE FROM photos
         WHERE review_id IS NULL AND return_id IS NULL AND created_at < ?1",
        args![now - UNATTACHED_FOR],
    )
    .await
}

fn file(mut r: crate::db::Row) -> Result<PhotoFile, DbError> {
    Ok(PhotoFile {
        kind: PhotoType::parse(&r.get::<String>("kind")?)
            .ok_or_else(|| DbError::other("a photo of an unknown kind"))?,
        bytes: r.get("bytes")?,
    })
}

impl Db {
    /// Keeps a checked and cleaned photo for the order a token opens. The same photo sent
    /// again (the same bytes) is the one kept already, attached or not: a retried review or
    /// return names the same photos, so its `Idempotency-Key` answers it once.
    pub async fn add_photo(
        &self,
        shop: &str,
        token: &str,
        photo: Cleaned,
        digest: [u8; 32],
        now: i64,
    ) -> Result<Photo, ApiError> {
        let (shop, token) = (shop.to_owned(), token.to_owned());
        self.write(work!(|c, shop, token, photo| {
            let order = orders::find(c, &shop, &token, now).await?;
            let view = |key: String| Photo {
                id: key,
                content_type: photo.kind.content_type().to_owned(),
                width: photo.width,
                height: photo.height,
            };
            if let Some(mut r) = c
                .query_opt(
                    "SELECT key FROM photos WHERE order_id = ?1 AND digest = ?2
                     ORDER BY CASE WHEN review_id IS NULL AND return_id IS NULL THEN 0 ELSE 1 END,
                              id
                     LIMIT 1",
                    args![order.order_id, digest],
                )
                .await?
            {
                return Ok(view(r.get("key")?));
            }
            let held: i64 = c
                .query_one(
                    "SELECT COUNT(*) AS n FROM photos WHERE order_id = ?1",
                    args![order.order_id],
                )
                .await?
                .get("n")?;
            if held >= PER_ORDER {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "too_many_photos",
                    format!("An order can hold at most {PER_ORDER} photos."),
                ));
            }
            let key = crate::domain::new_token().map_err(|e| DbError::other(e.to_string()))?;
            c.execute(
                "INSERT INTO photos (key, shop_id, order_id, digest, kind, width, height, bytes,
                                     created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                args![
                    key.as_str(),
                    order.shop_id,
                    order.order_id,
                    digest,
                    photo.kind.as_str(),
                    photo.width,
                    photo.height,
                    photo.bytes,
                    now
                ],
            )
            .await?;
            Ok(view(key))
        }))
        .await
    }

    /// A photo of the order a token opens, attached or not.
    pub async fn order_photo(
        &self,
        shop: &str,
        token: &str,
        key: &str,
        now: i64,
    ) -> Result<PhotoFile, ApiError> {
        let (shop, token, key) = (shop.to_owned(), token.to_owned(), key.to_owned());
        self.read(work!(|c, shop, token, key| {
            let order = orders::find(c, &shop, &token, now).await?;
            let row = c
                .query_opt(
                    "SELECT kind, bytes FROM photos WHERE order_id = ?1 AND key = ?2",
                    args![order.order_id, key.as_str()],
                )
                .await?
                .ok_or_else(no_photo)?;
            Ok(file(row)?)
        }))
        .await
    }

    /// A photo of one of the shop's reviews or returns, for its staff.
    pub async fn shop_photo(&self, shop_id: i64, key: &str) -> Result<PhotoFile, ApiError> {
        let key = key.to_owned();
        self.read(work!(|c, key| {
            let row = c
                .query_opt(
                    "SELECT kind, bytes FROM photos
                     WHERE shop_id = ?1 AND key = ?2
                       AND (review_id IS NOT NULL OR return_id IS NOT NULL)",
                    args![shop_id, key.as_str()],
                )
                .await?
                .ok_or_else(no_photo)?;
            Ok(file(row)?)
        }))
        .await
    }

    /// A photo of a published review, for anyone; none while the review waits for the
    /// shop or was rejected.
    pub async fn public_photo(&self, key: &str) -> Result<PhotoFile, ApiError> {
        let key = key.to_owned();
        self.read(work!(|c, key| {
            let row = c
                .query_opt(
                    "SELECT p.kind, p.bytes FROM photos p JOIN reviews r ON r.id = p.review_id
                     WHERE p.key = ?1 AND r.status = 'published'",
                    args![key.as_str()],
                )
                .await?
                .ok_or_else(no_photo)?;
            Ok(file(row)?)
        }))
        .await
    }
}
