//! One error type for every handler: always a JSON body `{"error": {code, message, fields?}}`
//! with the matching status. Internal details are logged, never sent.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use postpurchase_api::{ErrorBody, ErrorDetail, FieldError};

use crate::db::{DbError, DbErrorKind, TxError};

/// The code of the error a response carries, for middleware (never sent).
#[derive(Clone, Copy, Debug)]
pub struct ErrorCode(pub &'static str);

/// An error a handler returns; turns into a JSON response.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub fields: Vec<FieldError>,
    /// Seconds to wait before trying again (`Retry-After`), for a busy server.
    pub retry_after: Option<u32>,
    /// The database error behind it, if any: a write that lost a race runs again.
    db: Option<DbErrorKind>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            fields: Vec::new(),
            retry_after: None,
            db: None,
        }
    }

    /// The one answer for an order that is missing or whose token is wrong, mutated,
    /// truncated, expired or another shop's: nothing tells these cases apart.
    pub fn order_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "order_not_found",
            "We could not find this order. The link may be incomplete or no longer valid.",
        )
    }

    /// A module the shop has switched off: `what` says which, for people.
    pub fn module_off(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "module_off", what)
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "There is nothing at this address.",
        )
    }

    /// Admin API: the shop (known by its key) has no order with that number.
    pub fn unknown_order_number() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "order_not_found",
            "This shop has no order with that number.",
        )
    }

    /// The same error, telling the caller to wait `seconds` before trying again.
    pub fn retry_in(mut self, seconds: u32) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// A body that could not be read: too large for its route, or broken off.
    pub fn unreadable_body(rejection: &axum::extract::rejection::BytesRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Self::payload_too_large()
        } else {
            Self::new(
                StatusCode::BAD_REQUEST,
                "invalid_body",
                "The request body could not be read.",
            )
        }
    }

    /// A body larger than its route takes.
    pub fn payload_too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "The body is larger than this address takes.",
        )
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Sign in to the console, or send the shop's API key as `Authorization: Bearer <key>`.",
        )
    }

    pub fn invalid_fields(fields: Vec<FieldError>) -> Self {
        ApiError {
            fields,
            ..Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_fields",
                "Some fields are missing or invalid.",
            )
        }
    }

    /// A failure that is ours, not the caller's: logged in full, sent as a generic message.
    pub fn internal(context: &str, err: impl std::fmt::Display) -> Self {
        tracing::error!(%context, error = %err, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Something went wrong on our side. Please try again.",
        )
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl From<DbError> for ApiError {
    /// A busy database (a lock held too long, no free connection, a race lost too often)
    /// is a `503` with `Retry-After`: nothing changed, try again. Anything else is ours.
    fn from(err: DbError) -> Self {
        let mut api = match err.kind {
            DbErrorKind::Busy | DbErrorKind::Conflict => {
                if err.kind == DbErrorKind::Busy {
                    tracing::warn!(error = %err, "database busy");
                } else {
                    tracing::debug!(error = %err, "transaction lost a race");
                }
                ApiError {
                    retry_after: Some(1),
                    ..Self::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "busy",
                        "The server is busy; nothing was changed. Please try again in a moment.",
                    )
                }
            }
            DbErrorKind::Other => ApiError::internal("database", &err),
        };
        api.db = Some(err.kind);
        api
    }
}

impl TxError for ApiError {
    fn db_kind(&self) -> Option<DbErrorKind> {
        self.db
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message,
                fields: self.fields,
            },
        };
        let code = self.code;
        let mut response = (self.status, axum::Json(body)).into_response();
        response.extensions_mut().insert(ErrorCode(code));
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

impl From<PathRejection> for ApiError {
    fn from(_: PathRejection) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_path",
            "The address is malformed (not UTF-8, or a part of the wrong kind).",
        )
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            // serde's message names the parameter, never its value.
            format!("The query string cannot be read: {}", rejection.body_text()),
        )
    }
}

/// `axum::extract::Path`, with our JSON error for a path it cannot read.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

/// `axum::extract::Query`, with our JSON error for a query string it cannot read.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

/// A JSON request body: an object, read into `T`. Whatever it cannot read gets our JSON
/// error: `415` without a JSON content type, `413` over the route's size, `400
/// invalid_json` for what is not JSON, `422 invalid_body` for JSON of the wrong shape
/// (another type than an object included), naming the field.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let json_type = request
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<mime::Mime>().ok())
            .is_some_and(|m| {
                m.type_() == "application"
                    && (m.subtype() == "json" || m.suffix().is_some_and(|s| s == "json"))
            });
        if !json_type {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send the body as JSON with `Content-Type: application/json`.",
            ));
        }
        let bytes = read_body(request, state).await?;
        let invalid_json = || {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                "The body is not valid JSON.",
            )
        };
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).map_err(|_| invalid_json())?;
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
                "The body must be a JSON object.",
            ));
        }
        let body = match serde_json::from_slice::<Body>(&bytes) {
            Ok(Body(body)) => body,
            Err(e) if e.is_data() => {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_body",
                    format!("The body is ambiguous: {e}"),
                ))
            }
            Err(_) => return Err(invalid_json()),
        };
        match serde_path_to_error::deserialize(body) {
            Ok(value) => Ok(Json(value)),
            Err(e) if e.inner().is_data() => Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
                // serde's message names the field and the expected type, never a value.
                format!("The body does not match the expected shape: {e}"),
            )),
            Err(_) => Err(invalid_json()),
        }
    }
}

/// A JSON body as the API reads it, before it becomes a request type: a number with no
/// fraction is an integer however it is written (`30.0` is `30`, as JSON Schema counts
/// it), and a key given twice in one object is refused rather than one of its values
/// silently taken.
struct Body(serde_json::Value);

impl<'de> serde::Deserialize<'de> for Body {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(BodyVisitor).map(Body)
    }
}

struct BodyVisitor;

impl<'de> serde::de::Visitor<'de> for BodyVisitor {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        // Whole numbers within 64 bits become integers; the rest stay as written.
        const LIMIT: f64 = 9_223_372_036_854_775_808.0; // 2^63
        Ok(if v.fract() == 0.0 && (-LIMIT..LIMIT).contains(&v) {
            (v as i64).into()
        } else {
            v.into()
        })
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(Body(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(items.into())
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let Body(value) = map.next_value()?;
            if object.insert(key, value).is_some() {
                return Err(serde::de::Error::custom(
                    "a key appears twice in one object",
                ));
            }
        }
        Ok(object.into())
    }
}

/// A request's body as sent, within its route's limit.
pub async fn read_body<S: Send + Sync>(
    request: axum::extract::Request,
    state: &S,
) -> Result<axum::body::Bytes, ApiError> {
    axum::body::Bytes::from_request(request, state)
        .await
        .map_err(|rejection| ApiError::unreadable_body(&rejection))
}

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return ApiError::payload_too_large();
        }
        match rejection {
            JsonRejection::MissingJsonContentType(_) => ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send the body as JSON with `Content-Type: application/json`.",
            ),
            JsonRejection::JsonSyntaxError(_) => ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                "The body is not valid JSON.",
            ),
            JsonRejection::JsonDataError(err) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
                // serde's message names the field and the expected type, never a value.
                format!(
                    "The body does not match the expected shape: {}",
                    err.body_text()
                ),
            ),
            other => ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_body",
                format!("The request body could not be read: {}", other.body_text()),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_database_is_a_503_to_retry_and_nothing_else_leaks() {
        let busy: ApiError = DbError::new(DbErrorKind::Busy, "database is locked").into();
        let response = busy.into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[axum::http::header::RETRY_AFTER], "1");
        let lost: ApiError = DbError::new(DbErrorKind::Conflict, "could not serialize").into();
        assert_eq!(lost.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            lost.db_kind(),
            Some(DbErrorKind::Conflict),
            "a write runs again"
        );
        let broken: ApiError = DbError::other("no such column: secret_column").into();
        assert_eq!(broken.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!broken.message.contains("secret_column"));
    }
}
