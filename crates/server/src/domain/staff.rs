//! Staff accounts: passwords (argon2id), the sign-in lock-out, and what a new member or a
//! new password must be.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use postpurchase_api::{FieldError, NewStaff};

/// Failed sign-ins in a row after which an account is locked for [`LOCK_SECONDS`].
pub const MAX_FAILURES: i64 = 5;
/// How long a locked account refuses every sign-in, the right password included.
pub const LOCK_SECONDS: i64 = 15 * 60;
/// How long a console session lasts from signing in.
pub const SESSION_SECONDS: i64 = 12 * 3600;
/// How long a one-time password link works.
pub const LINK_SECONDS: i64 = 72 * 3600;
/// A password's length in characters.
pub const PASSWORD_CHARS: std::ops::RangeInclusive<usize> = 10..=200;

/// The argon2id hash of a password as a PHC string (salt and parameters inside), with the
/// crate's defaults: 19 MiB, 2 passes, 1 lane, OWASP's first recommendation.
pub fn hash_password(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| e.to_string())?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `password` is the one `hash` was made from. Without a hash (an unknown e-mail,
/// or no password set yet) it checks against a fixed one, so both take as long.
pub fn verify_password(hash: Option<&str>, password: &str) -> bool {
    static STAND_IN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let stand_in =
        STAND_IN.get_or_init(|| hash_password("no account has this").unwrap_or_default());
    let known = hash.is_some();
    let Ok(parsed) = PasswordHash::new(hash.unwrap_or(stand_in)) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
        && known
}

/// An e-mail as it is kept and compared: trimmed, lower case.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// What is wrong with a new password, if anything.
pub fn password_problem(password: &str) -> Option<FieldError> {
    let chars = password.chars().count();
    (!PASSWORD_CHARS.contains(&chars)).then(|| FieldError {
        field: "password".into(),
        message: format!(
            "must be {} to {} characters",
            PASSWORD_CHARS.start(),
            PASSWORD_CHARS.end()
        ),
    })
}

/// What is wrong with a new member, if anything.
pub fn validate_new_staff(member: &NewStaff) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if !super::email_ok(&normalize_email(&member.email)) {
        errors.push(FieldError {
            field: "email".into(),
            message: "must be an e-mail address".into(),
        });
    }
    if !super::text_ok(&member.name, 100) {
        errors.push(FieldError {
            field: "name".into(),
            message: "must be 1 to 100 characters".into(),
        });
    }
    errors
}

/// After a failed sign-in: the failures in a row, and until when the account is locked.
pub fn after_failure(failures_before: i64, locked_until: i64, now: i64) -> (i64, i64) {
    let failures = failures_before + 1;
    if failures >= MAX_FAILURES {
        (0, now + LOCK_SECONDS)
    } else {
        (failures, locked_until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password(Some(&hash), "correct horse battery"));
        assert!(!verify_password(Some(&hash), "correct horse batterY"));
        assert!(!verify_password(None, "no account has this"));
        assert!(!verify_password(Some("not a hash"), "anything"));
        assert_ne!(
            hash,
            hash_password("correct horse battery").unwrap(),
            "salted"
        );
    }

    #[test]
    fn the_fifth_failure_in_a_row_locks_for_a_quarter_hour() {
        let mut state = (0, 0);
        for _ in 0..4 {
            state = after_failure(state.0, state.1, 1_000);
            assert_eq!(state.1, 0);
        }
        assert_eq!(
            after_failure(state.0, state.1, 1_000),
            (0, 1_000 + LOCK_SECONDS)
        );
    }

    #[test]
    fn passwords_and_members_are_checked() {
        assert!(password_problem("short").is_some());
        assert!(password_problem("long enough now").is_none());
        assert!(password_problem(&"x".repeat(201)).is_some());
        let member = NewStaff {
            email: " Ann@Shop.Example ".into(),
            name: "Ann".into(),
            role: postpurchase_api::StaffRole::Staff,
        };
        assert!(validate_new_staff(&member).is_empty());
        let bad = NewStaff {
            email: "ann".into(),
            name: " ".into(),
            ..member
        };
        assert_eq!(validate_new_staff(&bad).len(), 2);
        assert_eq!(normalize_email(" Ann@Shop.Example "), "ann@shop.example");
    }
}
