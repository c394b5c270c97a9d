//! Shops: setting one up, its API key (kept only as a hash), its allowed origins, its
//! profile, and removing it with everything it holds.

use postpurchase_api::{Remedy, ShopProfile, ShopTheme};

use crate::db::{Conn, Db, DbError, Row};
use crate::domain;
use crate::error::ApiError;
use crate::{args, work};

/// A shop as the server needs it to answer requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shop {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub allowed_origins: Vec<String>,
    pub token_valid_days: u32,
    /// The shop's own order page, the widget's fallback link.
    pub order_status_url: Option<String>,
}

/// What a new shop is set up with.
#[derive(Clone, Debug, Default)]
pub struct NewShop {
    pub slug: String,
    pub name: String,
    pub api_key: String,
    pub allowed_origins: Vec<String>,
    pub locale: String,
    pub support_email: Option<String>,
    pub support_phone: Option<String>,
    pub support_url: Option<String>,
    pub order_status_url: Option<String>,
    /// Its first owner, who signs in to the console.
    pub owner: Option<NewOwner>,
}

/// A new shop's first owner, with the one-time link that sets their password.
#[derive(Clone, Debug)]
pub struct NewOwner {
    pub email: String,
    pub name: String,
    pub link_token: String,
    pub now: i64,
}

/// A shop in the operator's list.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ShopSummary {
    pub slug: String,
    pub name: String,
    pub allowed_origins: Vec<String>,
    pub orders: i64,
}

/// What removing a shop removed.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Removed {
    pub orders: u64,
    pub customers: u64,
    /// Rows of every table together, the shop's own included.
    pub rows: u64,
}

const SHOP_COLUMNS: &str =
    "SELECT id, slug, name, allowed_origins, token_valid_days, order_status_url FROM shops ";

fn shop_from(mut r: Row) -> Result<Shop, DbError> {
    Ok(Shop {
        id: r.get("id")?,
        slug: r.get("slug")?,
        name: r.get("name")?,
        allowed_origins: super::lines(&r.get::<String>("allowed_origins")?),
        token_valid_days: r.get("token_valid_days")?,
        order_status_url: r.get("order_status_url")?,
    })
}

pub async fn by_slug(c: &mut Conn<'_>, slug: &str) -> Result<Option<Shop>, DbError> {
    c.query_opt(&[SHOP_COLUMNS, "WHERE slug = ?1"].concat(), args![slug])
        .await?
        .map(shop_from)
        .transpose()
}

pub async fn by_id(c: &mut Conn<'_>, id: i64) -> Result<Option<Shop>, DbError> {
    c.query_opt(&[SHOP_COLUMNS, "WHERE id = ?1"].concat(), args![id])
        .await?
        .map(shop_from)
        .transpose()
}

/// Stores a new shop; `None` when the slug is taken.
pub async fn insert(c: &mut Conn<'_>, shop: &NewShop) -> Result<Option<i64>, DbError> {
    if c.exists("SELECT 1 FROM shops WHERE slug = ?1", args![shop.slug])
        .await?
    {
        return Ok(None);
    }
    let mut row = c
        .query_one(
            "INSERT INTO shops (slug, name, api_key_hash, allowed_origins, locale, support_email,
                                support_phone, support_url, order_status_url)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id",
            args![
                shop.slug,
                shop.name,
                domain::secret_hash(&shop.api_key),
                shop.allowed_origins.join("\n"),
                shop.locale,
                shop.support_email,
                shop.support_phone,
                shop.support_url,
                shop.order_status_url,
            ],
        )
        .await?;
    Ok(Some(row.get("id")?))
}

pub async fn set_api_key(c: &mut Conn<'_>, shop_id: i64, api_key: &str) -> Result<(), DbError> {
    c.execute(
        "UPDATE shops SET api_key_hash = ?2 WHERE id = ?1",
        args![shop_id, domain::secret_hash(api_key)],
    )
    .await?;
    Ok(())
}

pub async fn set_origins(
    c: &mut Conn<'_>,
    shop_id: i64,
    origins: &[String],
) -> Result<(), DbError> {
    c.execute(
        "UPDATE shops SET allowed_origins = ?2 WHERE id = ?1",
        args![shop_id, origins.join("\n")],
    )
    .await?;
    Ok(())
}

/// Every table that holds a shop's data, children first, each with the condition that
/// picks the shop's rows (`?1` is the shop's id).
const SHOP_DATA: &[(&str, &str)] = &[
    (
        "staff_sessions",
        "staff_id IN (SELECT id FROM staff WHERE shop_id = ?1)",
    ),
    (
        "staff_links",
        "staff_id IN (SELECT id FROM staff WHERE shop_id = ?1)",
    ),
    ("staff", "shop_id = ?1"),
    ("webhook_deliveries", "shop_id = ?1"),
    ("widget_events", "shop_id = ?1"),
    ("feed_secrets", "shop_id = ?1"),
    ("platform_deliveries", "shop_id = ?1"),
    ("platform_orders", "shop_id = ?1"),
    ("inventory", "shop_id = ?1"),
    ("photos", "shop_id = ?1"),
    ("order_changes", "shop_id = ?1"),
    ("order_loyalty", "shop_id = ?1"),
    ("reminders", "shop_id = ?1"),
    (
        "product_pairs",
        "product_id IN (SELECT id FROM products WHERE shop_id = ?1)",
    ),
    ("products", "shop_id = ?1"),
    ("order_upgrades", "shop_id = ?1"),
    ("upgrade_days", "shop_id = ?1"),
    (
        "return_items",
        "return_id IN (SELECT id FROM returns WHERE shop_id = ?1)",
    ),
    ("returns", "shop_id = ?1"),
    ("reviews", "shop_id = ?1"),
    ("referral_redemptions", "shop_id = ?1"),
    ("referral_codes", "shop_id = ?1"),
    (
        "notification_preferences",
        "customer_id IN (SELECT id FROM customers WHERE shop_id = ?1)",
    ),
    (
        "heard_answers",
        "customer_id IN (SELECT id FROM customers WHERE shop_id = ?1)",
    ),
    (
        "nps_answers",
        "order_id IN (SELECT id FROM orders WHERE shop_id = ?1)",
    ),
    (
        "shopper_requests",
        "order_id IN (SELECT id FROM orders WHERE shop_id = ?1)",
    ),
    ("idempotency_keys", "shop_id = ?1"),
    (
        "order_tokens",
        "order_id IN (SELECT id FROM orders WHERE shop_id = ?1)",
    ),
    (
        "shipment_events",
        "shipment_id IN (SELECT s.id FROM shipments s JOIN orders o ON o.id = s.order_id
                         WHERE o.shop_id = ?1)",
    ),
    (
        "shipment_items",
        "shipment_id IN (SELECT s.id FROM shipments s JOIN orders o ON o.id = s.order_id
                         WHERE o.shop_id = ?1)",
    ),
    (
        "shipments",
        "order_id IN (SELECT id FROM orders WHERE shop_id = ?1)",
    ),
    ("delivery_slots", "shop_id = ?1"),
    ("pickup_points", "shop_id = ?1"),
    (
        "order_items",
        "order_id IN (SELECT id FROM orders WHERE shop_id = ?1)",
    ),
    ("orders", "shop_id = ?1"),
    ("customers", "shop_id = ?1"),
    ("shops", "id = ?1"),
];

/// The tables [`Db::delete_shop`] empties of a shop's rows, in that order.
pub fn tables_with_shop_data() -> impl Iterator<Item = &'static str> {
    SHOP_DATA.iter().map(|(table, _)| *table)
}

fn profile_from(mut r: Row) -> Result<ShopProfile, DbError> {
    Ok(ShopProfile {
        slug: r.get("slug")?,
        name: r.get("name")?,
        support_email: r.get("support_email")?,
        support_phone: r.get("support_phone")?,
        support_url: r.get("support_url")?,
        order_status_url: r.get("order_status_url")?,
        language: r.get("locale")?,
        when_lost: remedy(r.get("when_lost")?),
        when_returned: remedy(r.get("when_returned")?),
        refund_days: r.get("refund_days")?,
    })
}

/// A remedy as stored; one this version does not know reads as none.
pub fn remedy(name: Option<String>) -> Option<Remedy> {
    Remedy::parse(&name?)
}

/// What the hosted order page needs of a shop.
pub struct ShopPage {
    pub name: String,
    pub order_status_url: Option<String>,
    pub language: String,
    pub theme: ShopTheme,
}

impl Db {
    pub async fn shop_by_slug(&self, slug: &str) -> Result<Option<Shop>, ApiError> {
        let slug = slug.to_owned();
        self.read_statement(work!(|c, slug| { Ok(by_slug(c, &slug).await?) }))
            .await
    }

    /// The shop an admin API key belongs to.
    pub async fn shop_by_api_key(&self, api_key: &str) -> Result<Option<Shop>, ApiError> {
        let hash = domain::secret_hash(api_key);
        self.read_statement(work!(|c| {
            c.query_opt(
                &[SHOP_COLUMNS, "WHERE api_key_hash = ?1"].concat(),
                args![hash],
            )
            .await?
            .map(shop_from)
            .transpose()
            .map_err(ApiError::from)
        }))
        .await
    }

    /// Sets up a shop; `409 shop_exists` when the slug is taken.
    pub async fn create_shop(&self, shop: NewShop) -> Result<Shop, ApiError> {
        self.write(work!(|c, shop| {
            let Some(id) = insert(c, &shop).await? else {
                return Err(ApiError::new(
                    axum::http::StatusCode::CONFLICT,
                    "shop_exists",
                    format!("There is already a shop `{}`.", shop.slug),
                ));
            };
            if let Some(owner) = &shop.owner {
                let member = postpurchase_api::NewStaff {
                    email: owner.email.clone(),
                    name: owner.name.clone(),
                    role: postpurchase_api::StaffRole::Owner,
                };
                let added = super::staff::insert(c, id, &member, owner.now)
                    .await?
                    .ok_or_else(DbError::no_row)?;
                let expires = owner.now + domain::staff::LINK_SECONDS;
                super::staff::insert_link(c, added.id, &owner.link_token, expires).await?;
            }
            Ok(by_slug(c, &shop.slug).await?.ok_or_else(DbError::no_row)?)
        }))
        .await
    }

    /// Every shop with its origins and how many orders it holds.
    pub async fn list_shops(&self) -> Result<Vec<ShopSummary>, ApiError> {
        self.read(work!(|c| {
            let rows = c
                .query(
                    "SELECT s.slug, s.name, s.allowed_origins,
                            (SELECT count(*) FROM orders o WHERE o.shop_id = s.id) AS orders
                     FROM shops s ORDER BY s.slug",
                    args![],
                )
                .await?;
            rows.into_iter()
                .map(|mut r| {
                    Ok(ShopSummary {
                        slug: r.get("slug")?,
                        name: r.get("name")?,
                        allowed_origins: super::lines(&r.get::<String>("allowed_origins")?),
                        orders: r.get("orders")?,
                    })
                })
                .collect::<Result<_, DbError>>()
                .map_err(ApiError::from)
        }))
        .await
    }

    /// Gives a shop a new API key; the old one stops working with this commit. False when
    /// there is no such shop.
    pub async fn rotate_api_key(&self, slug: &str, new_key: &str) -> Result<bool, ApiError> {
        let (slug, new_key) = (slug.to_owned(), new_key.to_owned());
        self.write(work!(|c, slug, new_key| {
            let Some(shop) = by_slug(c, &slug).await? else {
                return Ok(false);
            };
            set_api_key(c, shop.id, &new_key).await?;
            Ok(true)
        }))
        .await
    }

    /// Sets the exact origins a shop's storefront calls the shopper API from. False when
    /// there is no such shop.
    pub async fn set_allowed_origins(
        &self,
        slug: &str,
        origins: Vec<String>,
    ) -> Result<bool, ApiError> {
        let slug = slug.to_owned();
        self.write(work!(|c, slug, origins| {
            let Some(shop) = by_slug(c, &slug).await? else {
                return Ok(false);
            };
            set_origins(c, shop.id, &origins).await?;
            Ok(true)
        }))
        .await
    }

    /// Removes a shop and everything it holds, in one transaction; `None` when there is
    /// no such shop.
    pub async fn delete_shop(&self, slug: &str) -> Result<Option<Removed>, ApiError> {
        let slug = slug.to_owned();
        self.write(work!(|c, slug| {
            let Some(shop) = by_slug(c, &slug).await? else {
                return Ok(None);
            };
            let mut removed = Removed::default();
            for (table, condition) in SHOP_DATA {
                let n = c
                    .execute(
                        &format!("DELETE FROM {table} WHERE {condition}"),
                        args![shop.id],
                    )
                    .await?;
                match *table {
                    "orders" => removed.orders = n,
                    "customers" => removed.customers = n,
                    _ => {}
                }
                removed.rows += n;
            }
            Ok(Some(removed))
        }))
        .await
    }

    /// The shop's profile as the admin API shows it.
    pub async fn shop_profile(&self, shop_id: i64) -> Result<ShopProfile, ApiError> {
        self.read(work!(|c| {
            let row = c
                .query_one(
                    "SELECT slug, name, support_email, support_phone, support_url,
                            order_status_url, locale, when_lost, when_returned, refund_days
                     FROM shops WHERE id = ?1",
                    args![shop_id],
                )
                .await?;
            Ok(profile_from(row)?)
        }))
        .await
    }

    /// Replaces the shop's profile (the slug stays); the profile as stored.
    pub async fn set_shop_profile(
        &self,
        shop_id: i64,
        profile: ShopProfile,
    ) -> Result<ShopProfile, ApiError> {
        self.write(work!(|c, profile| {
            let row = c
                .query_one(
                    "UPDATE shops SET name = ?2, support_email = ?3, support_phone = ?4,
                                      support_url = ?5, order_status_url = ?6, locale = ?7,
                                      when_lost = ?8, when_returned = ?9, refund_days = ?10
                     WHERE id = ?1
                     RETURNING slug, name, support_email, support_phone, support_url,
                               order_status_url, locale, when_lost, when_returned,
                               refund_days",
                    args![
                        shop_id,
                        profile.name,
                        profile.support_email,
                        profile.support_phone,
                        profile.support_url,
                        profile.order_status_url,
                        profile.language,
                        profile.when_lost.map(Remedy::as_str),
                        profile.when_returned.map(Remedy::as_str),
                        profile.refund_days
                    ],
                )
                .await?;
            Ok(profile_from(row)?)
        }))
        .await
    }

    /// The shop's order page, language and theme, for its hosted order page.
    pub async fn shop_page(&self, slug: &str) -> Result<Option<ShopPage>, ApiError> {
        let slug = slug.to_owned();
        self.read(work!(|c, slug| {
            let Some(mut row) = c
                .query_opt(
                    "SELECT name, order_status_url, locale, theme FROM shops WHERE slug = ?1",
                    args![slug],
                )
                .await?
            else {
                return Ok(None);
            };
            let theme: Option<String> = row.get("theme")?;
            Ok(Some(ShopPage {
                name: row.get("name")?,
                order_status_url: row.get("order_status_url")?,
                language: row.get("locale")?,
                theme: theme
                    .and_then(|t| serde_json::from_str(&t).ok())
                    .unwrap_or_default(),
            }))
        }))
        .await
    }
}
