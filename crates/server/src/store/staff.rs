//! Staff accounts, their sessions and one-time password links. Tokens are kept as SHA-256
//! hashes: a copy of the database signs no one in.

use axum::http::StatusCode;
use postpurchase_api::{FieldError, NewStaff, StaffMember, StaffRole};

use crate::db::{Conn, Db, DbError, Row};
use crate::domain::{self, staff as rules};
use crate::error::ApiError;
use crate::{args, work};

use super::shops::Shop;

const MEMBER_COLUMNS: &str = "SELECT staff.id, staff.email, staff.name, staff.role, \
     staff.password_hash IS NOT NULL AS password_set, staff.created_at FROM staff ";

fn member_from(r: &mut Row) -> Result<StaffMember, DbError> {
    Ok(StaffMember {
        id: r.get("id")?,
        email: r.get("email")?,
        name: r.get("name")?,
        role: super::from_wire(&r.get::<String>("role")?).unwrap_or(StaffRole::Staff),
        password_set: r.get("password_set")?,
        created_at: super::instant(r.get("created_at")?),
    })
}

/// A signed-in session as a request needs it.
#[derive(Clone, Debug)]
pub struct Session {
    pub shop: Shop,
    pub staff: StaffMember,
    pub csrf: String,
    pub expires_at: i64,
}

/// Who tries to sign in, as the sign-in needs to judge it.
pub struct Candidate {
    pub staff_id: i64,
    pub password_hash: Option<String>,
    pub locked_until: i64,
}

fn conflict_member(email: &str) -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "staff_exists",
        format!("{email} already works for this shop."),
    )
}

/// A one-time link that opens nothing (used, replaced, expired or never made).
pub fn link_expired() -> ApiError {
    ApiError::new(
        StatusCode::GONE,
        "link_expired",
        "This link was used already or has expired; ask for a new one.",
    )
}

fn no_member() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "staff_not_found",
        "No one with that id works for this shop.",
    )
}

/// Adds a member; `None` when the e-mail is taken in the shop.
pub async fn insert(
    c: &mut Conn<'_>,
    shop_id: i64,
    member: &NewStaff,
    now: i64,
) -> Result<Option<StaffMember>, DbError> {
    let email = rules::normalize_email(&member.email);
    if c.exists(
        "SELECT 1 FROM staff WHERE shop_id = ?1 AND email = ?2",
        args![shop_id, email],
    )
    .await?
    {
        return Ok(None);
    }
    let mut row = c
        .query_one(
            "INSERT INTO staff (shop_id, email, name, role, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
            args![
                shop_id,
                email,
                member.name.trim(),
                super::wire_name(member.role),
                now
            ],
        )
        .await?;
    let id: i64 = row.get("id")?;
    member_by_id(c, shop_id, id).await
}

async fn member_by_id(
    c: &mut Conn<'_>,
    shop_id: i64,
    id: i64,
) -> Result<Option<StaffMember>, DbError> {
    c.query_opt(
        &[MEMBER_COLUMNS, "WHERE staff.shop_id = ?1 AND staff.id = ?2"].concat(),
        args![shop_id, id],
    )
    .await?
    .map(|mut r| member_from(&mut r))
    .transpose()
}

/// Makes a one-time link for a member (any older one stops working).
pub async fn insert_link(
    c: &mut Conn<'_>,
    staff_id: i64,
    token: &str,
    expires_at: i64,
) -> Result<(), DbError> {
    c.execute(
        "DELETE FROM staff_links WHERE staff_id = ?1",
        args![staff_id],
    )
    .await?;
    c.execute(
        "INSERT INTO staff_links (token_hash, staff_id, expires_at) VALUES (?1, ?2, ?3)",
        args![domain::secret_hash(token), staff_id, expires_at],
    )
    .await?;
    Ok(())
}

impl Db {
    /// The shop's staff, owners first.
    pub async fn staff(&self, shop_id: i64) -> Result<Vec<StaffMember>, ApiError> {
        self.read(work!(|c| {
            let rows = c
                .query(
                    &[
                        MEMBER_COLUMNS,
                        "WHERE staff.shop_id = ?1 ORDER BY staff.role, staff.email",
                    ]
                    .concat(),
                    args![shop_id],
                )
                .await?;
            rows.into_iter()
                .map(|mut r| member_from(&mut r).map_err(ApiError::from))
                .collect()
        }))
        .await
    }

    /// Adds a member with a one-time link to set their password;
    /// `409 staff_exists` when the e-mail works for the shop already.
    pub async fn add_staff(
        &self,
        shop_id: i64,
        member: NewStaff,
        link_token: String,
        now: i64,
    ) -> Result<StaffMember, ApiError> {
        self.write(work!(|c, member, link_token| {
            let added = insert(c, shop_id, &member, now)
                .await?
                .ok_or_else(|| conflict_member(&rules::normalize_email(&member.email)))?;
            insert_link(c, added.id, &link_token, now + rules::LINK_SECONDS).await?;
            Ok(added)
        }))
        .await
    }

    /// Removes a member and ends their sessions. The last owner stays.
    pub async fn remove_staff(&self, shop_id: i64, id: i64) -> Result<(), ApiError> {
        self.write(work!(|c| {
            let member = member_by_id(c, shop_id, id).await?.ok_or_else(no_member)?;
            if member.role == StaffRole::Owner {
                let mut owners = c
                    .query_one(
                        "SELECT COUNT(*) AS n FROM staff WHERE shop_id = ?1 AND role = 'owner'",
                        args![shop_id],
                    )
                    .await?;
                if owners.get::<i64>("n")? <= 1 {
                    return Err(ApiError::new(
                        StatusCode::CONFLICT,
                        "last_owner",
                        "A shop keeps at least one owner; make someone else owner first.",
                    ));
                }
            }
            for table in ["staff_sessions", "staff_links"] {
                c.execute(
                    &format!("DELETE FROM {table} WHERE staff_id = ?1"),
                    args![id],
                )
                .await?;
            }
            c.execute("DELETE FROM staff WHERE id = ?1", args![id])
                .await?;
            Ok(())
        }))
        .await
    }

    /// A new one-time link for the member with this e-mail in the shop with this slug
    /// (the operator's password reset); `404 staff_not_found` when there is none.
    pub async fn password_link(
        &self,
        shop_slug: &str,
        email: &str,
        token: String,
        now: i64,
    ) -> Result<StaffMember, ApiError> {
        let (slug, email) = (shop_slug.to_owned(), rules::normalize_email(email));
        self.write(work!(|c, slug, email, token| {
            let row = c
                .query_opt(
                    &[
                        MEMBER_COLUMNS,
                        "JOIN shops ON shops.id = staff.shop_id
                         WHERE shops.slug = ?1 AND staff.email = ?2",
                    ]
                    .concat(),
                    args![slug, email],
                )
                .await?;
            let member = row
                .map(|mut r| member_from(&mut r))
                .transpose()?
                .ok_or_else(|| {
                    ApiError::new(
                        StatusCode::NOT_FOUND,
                        "staff_not_found",
                        format!("No one with that e-mail works for the shop `{slug}`."),
                    )
                })?;
            insert_link(c, member.id, &token, now + rules::LINK_SECONDS).await?;
            Ok(member)
        }))
        .await
    }

    /// Sets a password with a one-time link, which then stops working, and ends every
    /// session of the member (someone else may have known the old password).
    pub async fn set_password(
        &self,
        token: &str,
        password_hash: String,
        now: i64,
    ) -> Result<(), ApiError> {
        let hash = domain::secret_hash(token);
        self.write(work!(|c, password_hash| {
            let link = c
                .query_opt(
                    "DELETE FROM staff_links WHERE token_hash = ?1 RETURNING staff_id, expires_at",
                    args![hash],
                )
                .await?;
            let live = match link {
                Some(mut r) => Some((r.get::<i64>("staff_id")?, r.get::<i64>("expires_at")?)),
                None => None,
            };
            let Some((staff_id, _)) = live.filter(|(_, expires_at)| *expires_at > now) else {
                return Err(link_expired());
            };
            c.execute(
                "UPDATE staff SET password_hash = ?2, failed_sign_ins = 0, locked_until = 0
                 WHERE id = ?1",
                args![staff_id, password_hash],
            )
            .await?;
            c.execute(
                "DELETE FROM staff_sessions WHERE staff_id = ?1",
                args![staff_id],
            )
            .await?;
            Ok(())
        }))
        .await
    }

    /// Who signs in with this e-mail in the shop with this slug, if anyone.
    pub async fn sign_in_candidate(
        &self,
        shop_slug: &str,
        email: &str,
    ) -> Result<Option<Candidate>, ApiError> {
        let (slug, email) = (shop_slug.to_owned(), rules::normalize_email(email));
        self.read_statement(work!(|c, slug, email| {
            let row = c
                .query_opt(
                    "SELECT staff.id, staff.password_hash, staff.locked_until
                     FROM staff JOIN shops ON shops.id = staff.shop_id
                     WHERE shops.slug = ?1 AND staff.email = ?2",
                    args![slug, email],
                )
                .await?;
            row.map(|mut r| {
                Ok(Candidate {
                    staff_id: r.get("id")?,
                    password_hash: r.get("password_hash")?,
                    locked_until: r.get("locked_until")?,
                })
            })
            .transpose()
            .map_err(|e: DbError| ApiError::from(e))
        }))
        .await
    }

    /// Counts a failed sign-in, locking the account after too many in a row; returns
    /// until when it is locked (0 when it is not).
    pub async fn sign_in_failed(&self, staff_id: i64, now: i64) -> Result<i64, ApiError> {
        self.write(work!(|c| {
            let mut row = c
                .query_one(
                    "SELECT failed_sign_ins, locked_until FROM staff WHERE id = ?1",
                    args![staff_id],
                )
                .await?;
            let (failures, locked_until) =
                rules::after_failure(row.get("failed_sign_ins")?, row.get("locked_until")?, now);
            c.execute(
                "UPDATE staff SET failed_sign_ins = ?2, locked_until = ?3 WHERE id = ?1",
                args![staff_id, failures, locked_until],
            )
            .await?;
            Ok(if locked_until > now { locked_until } else { 0 })
        }))
        .await
    }

    /// Opens a session for a member whose password was right, unless their account got
    /// locked meanwhile.
    pub async fn open_session(
        &self,
        staff_id: i64,
        token: &str,
        csrf: String,
        now: i64,
    ) -> Result<Option<Session>, ApiError> {
        let hash = domain::secret_hash(token);
        self.write(work!(|c, csrf| {
            let updated = c
                .execute(
                    "UPDATE staff SET failed_sign_ins = 0 WHERE id = ?1 AND locked_until <= ?2",
                    args![staff_id, now],
                )
                .await?;
            if updated == 0 {
                return Ok(None);
            }
            c.execute(
                "INSERT INTO staff_sessions (token_hash, staff_id, csrf, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                args![hash, staff_id, csrf, now, now + rules::SESSION_SECONDS],
            )
            .await?;
            Ok(session_of(c, &hash, now).await?)
        }))
        .await
    }

    /// The live session a cookie's token opens, if any.
    pub async fn session(&self, token: &str, now: i64) -> Result<Option<Session>, ApiError> {
        let hash = domain::secret_hash(token);
        self.read_statement(work!(|c| { Ok(session_of(c, &hash, now).await?) }))
            .await
    }

    /// Ends one session.
    pub async fn end_session(&self, token: &str) -> Result<(), ApiError> {
        let hash = domain::secret_hash(token);
        self.write(work!(|c| {
            c.execute(
                "DELETE FROM staff_sessions WHERE token_hash = ?1",
                args![hash],
            )
            .await?;
            Ok(())
        }))
        .await
    }

    /// Ends every session of a member, on every device.
    pub async fn end_sessions(&self, staff_id: i64) -> Result<u64, ApiError> {
        self.write(work!(|c| {
            Ok(c.execute(
                "DELETE FROM staff_sessions WHERE staff_id = ?1",
                args![staff_id],
            )
            .await?)
        }))
        .await
    }
}

async fn session_of(
    c: &mut Conn<'_>,
    hash: &[u8; 32],
    now: i64,
) -> Result<Option<Session>, DbError> {
    let row = c
        .query_opt(
            "SELECT staff.id, staff.email, staff.name, staff.role,
                    staff.password_hash IS NOT NULL AS password_set, staff.created_at,
                    staff_sessions.csrf, staff_sessions.expires_at, staff.shop_id
             FROM staff_sessions JOIN staff ON staff.id = staff_sessions.staff_id
             WHERE staff_sessions.token_hash = ?1 AND staff_sessions.expires_at > ?2",
            args![hash.as_slice(), now],
        )
        .await?;
    let Some(mut row) = row else {
        return Ok(None);
    };
    let staff = member_from(&mut row)?;
    let shop_id: i64 = row.get("shop_id")?;
    let Some(shop) = super::shops::by_id(c, shop_id).await? else {
        return Ok(None);
    };
    Ok(Some(Session {
        shop,
        staff,
        csrf: row.get("csrf")?,
        expires_at: row.get("expires_at")?,
    }))
}

/// A field error for a bad password, as the API answers it.
pub fn password_error(problem: FieldError) -> ApiError {
    ApiError::invalid_fields(vec![problem])
}
