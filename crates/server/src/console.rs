//! The console's sessions and the shop's staff: signing in with an e-mail and a password,
//! signing out (here or everywhere), setting a password with a one-time link, and the
//! owner managing who works for the shop. Everything else the console does goes through
//! the admin API, which takes a session cookie as it takes an API key.
//!
//! Sessions live in the database (so any server process knows them and signing out ends
//! them everywhere at once); the browser holds only the token, in an HttpOnly,
//! SameSite=Strict cookie, Secure unless the server runs on plain-http localhost. Every
//! change made with a session carries its CSRF proof in `X-CSRF-Token`.

use std::sync::LazyLock;

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;
use postpurchase_api::{
    ConsoleSession as SessionBody, ConsoleShop, ErrorBody, NewPassword, NewStaff, PasswordLink,
    SignIn, StaffMember,
};
use tokio::sync::Semaphore;

use crate::domain::{self, staff as rules};
use crate::error::{ApiError, Json, Path};
use crate::extract::{ConsoleSession, OwnerShop, SESSION_COOKIE};
use crate::store::staff::Session;
use crate::AppState;

pub const SESSION_PATH: &str = "/api/v1/console/session";
pub const SESSIONS_PATH: &str = "/api/v1/console/sessions";
pub const PASSWORD_PATH: &str = "/api/v1/console/password";
pub const STAFF_PATH: &str = "/api/v1/admin/staff";
pub const MEMBER_PATH: &str = "/api/v1/admin/staff/{id}";

/// Passwords hashed or checked at once: one per core. Each takes argon2's 19 MiB and a
/// core for about a tenth of a second, so a burst of sign-ins from many addresses waits
/// its turn rather than taking memory without bound (64 at once took 1.2 GB, measured
/// with `bench/abuse.sh`).
static HASHING: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(crate::cores()));

/// Runs `work` (a password's hash or check) on a blocking thread when its turn comes. The
/// turn is held until the work ends, even if the request that wanted it went away.
pub async fn hashing<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    let turn = HASHING
        .acquire()
        .await
        .map_err(|e| ApiError::internal("password", e))?;
    tokio::task::spawn_blocking(move || {
        let _turn = turn;
        work()
    })
    .await
    .map_err(|e| ApiError::internal("password", e))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route(SESSION_PATH, post(sign_in).get(current).delete(sign_out))
        .route(SESSIONS_PATH, delete(sign_out_everywhere))
        .route(PASSWORD_PATH, post(set_password))
        .route(STAFF_PATH, get(list_staff).post(add_staff))
        .route(MEMBER_PATH, delete(remove_staff))
}

fn sign_in_failed() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "sign_in_failed",
        "That shop, e-mail and password do not match an account.",
    )
}

fn locked(until: i64, now: i64) -> ApiError {
    let minutes = (until - now + 59) / 60;
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "account_locked",
        format!(
            "Too many wrong passwords in a row: this account is locked for {minutes} more minute(s)."
        ),
    )
    .retry_in(u32::try_from(until - now).unwrap_or(1).max(1))
}

fn body_of(session: &Session) -> SessionBody {
    SessionBody {
        shop: ConsoleShop {
            slug: session.shop.slug.clone(),
            name: session.shop.name.clone(),
        },
        staff: session.staff.clone(),
        csrf_token: session.csrf.clone(),
        expires_at: crate::store::instant(session.expires_at),
    }
}

/// The cookie that carries a session, or (`max_age` 0) the one that removes it.
fn cookie(state: &AppState, token: &str, max_age: i64) -> HeaderValue {
    let secure = if plain_http_localhost(&state.public_url) {
        ""
    } else {
        "; Secure"
    };
    let value = format!(
        "{SESSION_COOKIE}={token}; Path=/api/; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}"
    );
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Whether the server is reached over plain http on this machine, the one place a cookie
/// may go without `Secure` (browsers would drop it otherwise, and there is no TLS).
pub fn plain_http_localhost(public_url: &str) -> bool {
    let Some(rest) = public_url.strip_prefix("http://") else {
        return false;
    };
    let host = rest.split('/').next().unwrap_or_default();
    let host = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    matches!(host, "localhost" | "127.0.0.1" | "[::1]")
}

/// Signs a person in to their shop's console. Five wrong passwords in a row lock the
/// account for 15 minutes; failures also count against the caller's address.
#[utoipa::path(
    post,
    path = "/api/v1/console/session",
    tag = "console",
    request_body = SignIn,
    responses(
        (status = 200, description = "Signed in: the session cookie is set", body = SessionBody,
         headers(("Set-Cookie" = String, description = "pp_session, HttpOnly, SameSite=Strict"))),
        (status = 401, description = "`sign_in_failed`: no such shop, e-mail or password", body = ErrorBody),
        (status = 429, description = "`account_locked` after too many wrong passwords in a row, or `too_many_requests` from this address", body = ErrorBody,
         headers(("Retry-After" = u32, description = "Seconds to wait before trying again"))),
    )
)]
pub async fn sign_in(
    State(state): State<AppState>,
    Json(request): Json<SignIn>,
) -> Result<Response, ApiError> {
    let now = state.clock.now();
    let too_long = |s: &str| s.len() > 254;
    if too_long(&request.shop) || too_long(&request.email) || request.password.len() > 1024 {
        return Err(sign_in_failed());
    }
    let candidate = state
        .db
        .sign_in_candidate(request.shop.trim(), &request.email)
        .await?;
    if let Some(c) = &candidate {
        if c.locked_until > now {
            return Err(locked(c.locked_until, now));
        }
    }
    let hash = candidate.as_ref().and_then(|c| c.password_hash.clone());
    let password = request.password;
    // Unknown e-mails are checked against a stand-in hash: both take as long.
    let right = hashing(move || rules::verify_password(hash.as_deref(), &password)).await?;
    let Some(candidate) = candidate else {
        return Err(sign_in_failed());
    };
    if !right {
        let until = state.db.sign_in_failed(candidate.staff_id, now).await?;
        return Err(if until > now {
            locked(until, now)
        } else {
            sign_in_failed()
        });
    }
    let token = domain::new_token().map_err(|e| ApiError::internal("random", e))?;
    let csrf = domain::new_token().map_err(|e| ApiError::internal("random", e))?;
    let session = state
        .db
        .open_session(candidate.staff_id, &token, csrf, now)
        .await?
        .ok_or_else(|| locked(now + rules::LOCK_SECONDS, now))?;
    let mut response = axum::Json(body_of(&session)).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        cookie(&state, &token, rules::SESSION_SECONDS),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The session the cookie opens: who is signed in, to which shop, and the CSRF proof.
#[utoipa::path(
    get,
    path = "/api/v1/console/session",
    tag = "console",
    responses(
        (status = 200, description = "Signed in", body = SessionBody),
        (status = 401, description = "`unauthorized`: not signed in", body = ErrorBody),
    )
)]
pub async fn current(person: ConsoleSession) -> Response {
    let mut response = axum::Json(body_of(&person.session)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Signs out: this session ends, here and in every server process.
#[utoipa::path(
    delete,
    path = "/api/v1/console/session",
    tag = "console",
    responses(
        (status = 204, description = "Signed out; the cookie is removed"),
        (status = 401, description = "`unauthorized`: not signed in", body = ErrorBody),
        (status = 403, description = "`csrf_failed`", body = ErrorBody),
    )
)]
pub async fn sign_out(
    State(state): State<AppState>,
    person: ConsoleSession,
) -> Result<Response, ApiError> {
    state.db.end_session(&person.token).await?;
    Ok(signed_out(&state))
}

/// Signs out everywhere: every session of the signed-in person ends, on every device.
#[utoipa::path(
    delete,
    path = "/api/v1/console/sessions",
    tag = "console",
    responses(
        (status = 204, description = "Every session ended; the cookie is removed"),
        (status = 401, description = "`unauthorized`: not signed in", body = ErrorBody),
        (status = 403, description = "`csrf_failed`", body = ErrorBody),
    )
)]
pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    person: ConsoleSession,
) -> Result<Response, ApiError> {
    state.db.end_sessions(person.session.staff.id).await?;
    Ok(signed_out(&state))
}

/// The answer to signing out: nothing to say, and the cookie removed.
fn signed_out(state: &AppState) -> Response {
    (
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, cookie(state, "", 0))],
    )
        .into_response()
}

/// Sets a password with a one-time link's token (a new member, or a reset the operator
/// or the owner gave). The link then stops working, and every session of the person ends.
#[utoipa::path(
    post,
    path = "/api/v1/console/password",
    tag = "console",
    request_body = NewPassword,
    responses(
        (status = 204, description = "Password set; sign in with it"),
        (status = 410, description = "`link_expired`: used already, replaced or expired", body = ErrorBody),
        (status = 422, description = "The password is too short or too long", body = ErrorBody),
    )
)]
pub async fn set_password(
    State(state): State<AppState>,
    Json(request): Json<NewPassword>,
) -> Result<StatusCode, ApiError> {
    if let Some(problem) = rules::password_problem(&request.password) {
        return Err(ApiError::invalid_fields(vec![problem]));
    }
    if !domain::is_token_shaped(&request.token) {
        return Err(crate::store::staff::link_expired());
    }
    let password = request.password;
    let hash = hashing(move || rules::hash_password(&password))
        .await?
        .map_err(|e| ApiError::internal("password", e))?;
    state
        .db
        .set_password(&request.token, hash, state.clock.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The console page where a one-time link's token sets a password.
pub fn password_link(public_url: &str, token: &str) -> String {
    // In the fragment: it never reaches a server log or a Referer header.
    format!("{public_url}/admin/#password={token}")
}

/// Who works for the shop (owner only).
#[utoipa::path(
    get,
    path = "/api/v1/admin/staff",
    tag = "admin",
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The shop's staff, owners first", body = [StaffMember]),
        (status = 401, description = "Not signed in and no API key", body = ErrorBody),
        (status = 403, description = "`owner_only`", body = ErrorBody),
    )
)]
pub async fn list_staff(
    State(state): State<AppState>,
    OwnerShop(shop): OwnerShop,
) -> Result<Json<Vec<StaffMember>>, ApiError> {
    Ok(Json(state.db.staff(shop.id).await?))
}

/// Adds someone to the shop's staff (owner only) and returns the one-time link with which
/// they set their password; hand it to them (it works for 72 hours).
#[utoipa::path(
    post,
    path = "/api/v1/admin/staff",
    tag = "admin",
    request_body = NewStaff,
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 201, description = "Added", body = PasswordLink),
        (status = 401, description = "Not signed in and no API key", body = ErrorBody),
        (status = 403, description = "`owner_only`, or `csrf_failed`", body = ErrorBody),
        (status = 409, description = "`staff_exists`: that e-mail works for the shop already", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    )
)]
pub async fn add_staff(
    State(state): State<AppState>,
    OwnerShop(shop): OwnerShop,
    Json(member): Json<NewStaff>,
) -> Result<(StatusCode, Json<PasswordLink>), ApiError> {
    let errors = rules::validate_new_staff(&member);
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    let now = state.clock.now();
    let token = domain::new_token().map_err(|e| ApiError::internal("random", e))?;
    let staff = state
        .db
        .add_staff(shop.id, member, token.clone(), now)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(PasswordLink {
            staff,
            link: password_link(&state.public_url, &token),
            expires_at: crate::store::instant(now + rules::LINK_SECONDS),
        }),
    ))
}

/// Removes someone from the shop's staff (owner only); their sessions end at once. The
/// shop's last owner stays.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/staff/{id}",
    tag = "admin",
    params(("id" = i64, Path, description = "The member's id")),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in and no API key", body = ErrorBody),
        (status = 403, description = "`owner_only`, or `csrf_failed`", body = ErrorBody),
        (status = 404, description = "`staff_not_found`", body = ErrorBody),
        (status = 409, description = "`last_owner`", body = ErrorBody),
    )
)]
pub async fn remove_staff(
    State(state): State<AppState>,
    OwnerShop(shop): OwnerShop,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    state.db.remove_staff(shop.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_drop_secure_only_on_plain_http_localhost() {
        assert!(plain_http_localhost("http://127.0.0.1:8080"));
        assert!(plain_http_localhost("http://localhost"));
        assert!(plain_http_localhost("http://[::1]:3000"));
        assert!(!plain_http_localhost("https://127.0.0.1:8080"));
        assert!(!plain_http_localhost("http://shop.example"));
        assert!(!plain_http_localhost("http://localhost.evil.example"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn passwords_are_hashed_a_core_at_a_time() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;
        let cores = HASHING.available_permits();
        let (now, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let burst = (0..4 * cores).map(|_| {
            let (now, most) = (now.clone(), most.clone());
            tokio::spawn(hashing(move || {
                most.fetch_max(now.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(30));
                now.fetch_sub(1, Ordering::SeqCst);
            }))
        });
        for done in futures_util::future::join_all(burst).await {
            done.unwrap().unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), cores);
    }
}
