//! What handlers take from a request besides its body: the shop an admin API key or a
//! console session belongs to (and whether its owner calls), that a shopper's token opens an order, and an `Idempotency-Key`. They run
//! before the body is read, so a request without a key or token that works is answered
//! without reading its body.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, Method, StatusCode};
use postpurchase_api::StaffRole;

use crate::error::ApiError;
use crate::store::staff::Session;
use crate::store::Shop;
use crate::AppState;

/// The shop a caller works for, with an API key (`Authorization: Bearer <key>`) or a
/// console session: daily work, open to staff and owners alike.
pub struct AdminShop(pub Shop);

/// The shop, for what only its owner may do (settings, staff, keys): an API key or an
/// owner's console session; staff get `403 owner_only`.
pub struct OwnerShop(pub Shop);

/// A console session, for what only a signed-in person does (their session, signing
/// out). Changes carry the session's CSRF proof, as on every route.
pub struct ConsoleSession {
    pub session: Session,
    /// The cookie's token.
    pub token: String,
}

/// The console's session cookie: HttpOnly, SameSite=Strict, only for the API's paths.
pub const SESSION_COOKIE: &str = "pp_session";

/// Who calls: a machine with the shop's key (it may do what an owner may) or a person.
enum Caller {
    Key(Shop),
    Person(ConsoleSession),
}

impl Caller {
    async fn of(parts: &Parts, state: &AppState) -> Result<Caller, ApiError> {
        if let Some(authorization) = parts.headers.get(header::AUTHORIZATION) {
            let key = authorization
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .ok_or_else(ApiError::unauthorized)?;
            return state
                .db
                .shop_by_api_key(key)
                .await?
                .map(Caller::Key)
                .ok_or_else(ApiError::unauthorized);
        }
        session_of(parts, state).await.map(Caller::Person)
    }
}

/// The session a request's cookie opens; a change must also carry its CSRF proof.
async fn session_of(parts: &Parts, state: &AppState) -> Result<ConsoleSession, ApiError> {
    let token = session_cookie(&parts.headers).ok_or_else(not_signed_in)?;
    let session = state
        .db
        .session(token, state.clock.now())
        .await?
        .ok_or_else(not_signed_in)?;
    let safe = matches!(parts.method, Method::GET | Method::HEAD);
    if !safe {
        let proof = parts
            .headers
            .get("x-csrf-token")
            .map(|v| v.as_bytes())
            .unwrap_or_default();
        if !crate::domain::same_secret(proof, session.csrf.as_bytes()) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "csrf_failed",
                "This change did not carry the session's X-CSRF-Token; reload the console and try again.",
            ));
        }
    }
    Ok(ConsoleSession {
        session,
        token: token.to_owned(),
    })
}

/// The session token in a `Cookie` header, if any.
pub fn session_cookie(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value)
        .filter(|v| !v.is_empty())
}

fn not_signed_in() -> ApiError {
    ApiError::unauthorized()
}

impl FromRequestParts<AppState> for AdminShop {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(match Caller::of(parts, state).await? {
            Caller::Key(shop) => AdminShop(shop),
            Caller::Person(person) => AdminShop(person.session.shop),
        })
    }
}

impl FromRequestParts<AppState> for OwnerShop {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match Caller::of(parts, state).await? {
            Caller::Key(shop) => Ok(OwnerShop(shop)),
            Caller::Person(person) if person.session.staff.role == StaffRole::Owner => {
                Ok(OwnerShop(person.session.shop))
            }
            Caller::Person(_) => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "owner_only",
                "Only the shop's owner may do this.",
            )),
        }
    }
}

impl FromRequestParts<AppState> for ConsoleSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        session_of(parts, state).await
    }
}

/// That the capability token in a shopper path (`/api/v1/shops/{shop}/orders/{token}/…`)
/// opens one of the shop's orders; else the one `404 order_not_found`, before the body is
/// read. The change itself checks the token again inside its transaction.
pub struct OpenOrder;

impl FromRequestParts<AppState> for OpenOrder {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let mut segments = parts.uri.path().split('/').skip(4);
        let (Some(shop), Some("orders"), Some(token)) =
            (segments.next(), segments.next(), segments.next())
        else {
            return Err(ApiError::order_not_found());
        };
        state.db.find_order(shop, token, state.clock.now()).await?;
        Ok(OpenOrder)
    }
}

/// The optional `Idempotency-Key` header: 1 to 255 visible ASCII characters.
pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get("idempotency-key") else {
            return Ok(IdempotencyKey(None));
        };
        value
            .to_str()
            .ok()
            .filter(|k| (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
            .map(|k| IdempotencyKey(Some(k.to_owned())))
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_idempotency_key",
                    "Idempotency-Key must be 1 to 255 visible ASCII characters.",
                )
            })
    }
}

/// The `If-None-Match` header, taken alone (not a copy of every header).
pub struct IfNoneMatch(Option<axum::http::HeaderValue>);

impl IfNoneMatch {
    /// Whether it names `etag` among its tags, or is `*`.
    pub fn matches(&self, etag: &axum::http::HeaderValue) -> bool {
        self.0
            .as_ref()
            .and_then(|v| v.to_str().ok())
            .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IfNoneMatch {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(IfNoneMatch(
            parts.headers.get(header::IF_NONE_MATCH).cloned(),
        ))
    }
}

/// The languages a shopper's request asks for (`Accept-Language`, most wanted first, as
/// primary tags); none without the header. The shop's own words are answered in the first
/// the shop has.
pub struct Asked(pub Vec<String>);

impl<S: Send + Sync> FromRequestParts<S> for Asked {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        // A bounded header: a shopper's request names a few languages, not thousands.
        let header = header.get(..200).unwrap_or(header);
        Ok(Asked(crate::domain::words::asked(header)))
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::IfNoneMatch;

    #[test]
    fn if_none_match_names_the_etag_among_its_tags_or_is_a_star() {
        let etag = HeaderValue::from_static("\"v2\"");
        let asked = |value: Option<&'static str>| IfNoneMatch(value.map(HeaderValue::from_static));
        assert!(asked(Some("\"v2\"")).matches(&etag));
        assert!(asked(Some("\"v1\", \"v2\"")).matches(&etag));
        assert!(asked(Some("*")).matches(&etag));
        assert!(!asked(Some("\"v1\"")).matches(&etag));
        assert!(!asked(Some("v2")).matches(&etag));
        assert!(!asked(None).matches(&etag));
    }
}
