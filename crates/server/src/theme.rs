//! The shop's theme for its hosted order page: a preset and values for the widget's
//! `--pp-*` variables, checked so that nothing but a declaration value can reach the page.

use axum::extract::State;
use axum::routing::put;
use axum::Router;
use postpurchase_api::{ErrorBody, FieldError, ShopTheme};

use crate::error::{ApiError, Json};
use crate::extract::{AdminShop, OwnerShop};
use crate::AppState;

pub const THEME_PATH: &str = "/api/v1/admin/theme";

pub fn router() -> Router<AppState> {
    Router::new().route(THEME_PATH, put(put_theme).get(get_theme))
}

/// Every problem of a theme, by field. A name is `--pp-` and lower-case words; a value is
/// at most 200 characters of what colours, lengths, font lists and shadows are written
/// with: no `;`, braces, angle brackets, backslashes, comments or `url(`, so it can only
/// ever be one declaration's value.
pub fn validate(theme: &ShopTheme) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if theme.variables.len() > 50 {
        errors.push(FieldError::new("variables", "at most 50 variables"));
    }
    for (name, value) in &theme.variables {
        let field = format!("variables.{name}");
        let word = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
        let ok_name = name.len() <= 40
            && name
                .strip_prefix("--pp-")
                .is_some_and(|rest| !rest.is_empty() && rest.chars().all(word));
        if !ok_name {
            errors.push(FieldError::new(&field, "must be a --pp-* variable name"));
            continue;
        }
        let lower = value.to_ascii_lowercase();
        let safe = value.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || " #%(),.-+_/*'\"!".contains(c)
                || !c.is_ascii() && !c.is_control()
        });
        if value.trim().is_empty()
            || value.chars().count() > 200
            || !safe
            || lower.contains("url(")
            || value.contains("/*")
            || value.contains("*/")
        {
            errors.push(FieldError::new(
                &field,
                "must be a plain CSS value (a colour, length, font list or shadow)",
            ));
        }
    }
    errors
}

/// The rule the hosted page applies: `postpurchase-order{--pp-x:v;…}`; empty without
/// variables.
pub fn css(theme: &ShopTheme) -> String {
    if theme.variables.is_empty() {
        return String::new();
    }
    let body: String = theme
        .variables
        .iter()
        .map(|(name, value)| format!("{name}:{};", value.trim()))
        .collect();
    format!("postpurchase-order{{{body}}}")
}

/// Sets how the hosted order page looks.
#[utoipa::path(
    put,
    path = "/api/v1/admin/theme",
    tag = "admin",
    request_body = ShopTheme,
    security(("api_key" = [])),
    responses(
        (status = 200, description = "As stored", body = ShopTheme),
        (status = 401, description = "Missing or unknown API key", body = ErrorBody),
        (status = 422, description = "Names that are not --pp-* variables, values that are not plain CSS values", body = ErrorBody),
    )
)]
pub async fn put_theme(
    State(state): State<AppState>,
    OwnerShop(shop): OwnerShop,
    Json(theme): Json<ShopTheme>,
) -> Result<Json<ShopTheme>, ApiError> {
    let errors = validate(&theme);
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    state.db.set_theme(shop.id, theme.clone()).await?;
    Ok(Json(theme))
}

/// How the hosted order page looks (the default theme until one is set).
#[utoipa::path(
    get,
    path = "/api/v1/admin/theme",
    tag = "admin",
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The shop's theme", body = ShopTheme),
        (status = 401, description = "Missing or unknown API key", body = ErrorBody),
    )
)]
pub async fn get_theme(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
) -> Result<Json<ShopTheme>, ApiError> {
    Ok(Json(state.db.theme(shop.id).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn theme(pairs: &[(&str, &str)]) -> ShopTheme {
        ShopTheme {
            variables: pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            ..ShopTheme::default()
        }
    }

    #[test]
    fn plain_values_pass_and_become_one_rule() {
        let t = theme(&[
            ("--pp-accent", "#0b6e4f"),
            ("--pp-font", "\"Inter\", system-ui, sans-serif"),
            ("--pp-shadow", "0 1px 3px rgba(0, 0, 0, .2)"),
            ("--pp-radius", "calc(4px * 2)"),
        ]);
        assert!(validate(&t).is_empty());
        assert_eq!(
            css(&t),
            "postpurchase-order{--pp-accent:#0b6e4f;--pp-font:\"Inter\", system-ui, sans-serif;\
             --pp-radius:calc(4px * 2);--pp-shadow:0 1px 3px rgba(0, 0, 0, .2);}"
        );
        assert_eq!(css(&ShopTheme::default()), "");
    }

    #[test]
    fn anything_that_could_leave_the_value_is_refused() {
        for (name, value) in [
            ("--pp-accent", "red;} body{display:none"),
            ("--pp-accent", "red</style><script>alert(1)</script>"),
            ("--pp-accent", "url(https://tracker.example/x.png)"),
            ("--pp-accent", "URL(x)"),
            ("--pp-accent", "red /* comment */"),
            ("--pp-accent", "\\72 ed"),
            ("--pp-accent", " "),
            ("--pp-accent", &"x".repeat(201)),
            ("color", "red"),
            ("--pp-", "red"),
            ("--pp-Accent", "red"),
        ] {
            let errors = validate(&theme(&[(name, value)]));
            assert_eq!(errors.len(), 1, "{name}: {value}");
            assert_eq!(errors[0].field, format!("variables.{name}"));
        }
    }
}
