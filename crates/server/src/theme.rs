//! The shop's theme for its hosted order page: a preset and values for the widget's
//! `--pp-*` variables, checked so that nothing but a declaration value can reach the page,
//! only the widget's own variables are set, and text stays readable.

use std::sync::LazyLock;

use axum::extract::State;
use axum::routing::put;
use axum::Router;
use postpurchase_api::{ErrorBody, FieldError, ShopTheme, ThemePreset};

use crate::error::{ApiError, Json};
use crate::extract::{AdminShop, OwnerShop};
use crate::AppState;

pub const THEME_PATH: &str = "/api/v1/admin/theme";

pub fn router() -> Router<AppState> {
    Router::new().route(THEME_PATH, put(put_theme).get(get_theme))
}

/// The stylesheet the loader inlines, which defines every variable and each preset's
/// colours: read here so that the variables a theme may set and the colours it is measured
/// against are the widget's own, never a copy.
const BASE_CSS: &str = include_str!("../../../style/base.css");

/// The `--pp-*` declarations of the block `selector` opens in the stylesheet.
fn declarations(selector: &str) -> Vec<(String, String)> {
    let Some(start) = BASE_CSS.find(selector) else {
        return Vec::new();
    };
    let block = &BASE_CSS[start + selector.len()..];
    let block = &block[..block.find('}').unwrap_or(block.len())];
    let mut found = Vec::new();
    // Comments first: they may hold `;`, `:` and variable names.
    let mut rest = block;
    let mut plain = String::new();
    while let Some(open) = rest.find("/*") {
        plain.push_str(&rest[..open]);
        rest = rest[open..]
            .find("*/")
            .map_or("", |end| &rest[open + end + 2..]);
    }
    plain.push_str(rest);
    for declaration in plain.split(';') {
        if let Some((name, value)) = declaration.split_once(':') {
            let name = name.trim();
            if name.starts_with("--pp-") {
                found.push((name.to_owned(), value.trim().to_owned()));
            }
        }
    }
    found
}

/// Every variable with its default (the light preset), and the dark preset's colours.
static LIGHT: LazyLock<Vec<(String, String)>> = LazyLock::new(|| declarations(":host {"));
static DARK: LazyLock<Vec<(String, String)>> =
    LazyLock::new(|| declarations(":host([theme=\"dark\"]) {"));

/// Text and what it is drawn on (style/base.css, style/widget.css): each pair keeps the
/// 4.5:1 contrast WCAG asks of body text (1.4.3, level AA).
const TEXT_ON: [(&str, &str); 11] = [
    ("--pp-text", "--pp-background"),
    ("--pp-text", "--pp-surface"),
    ("--pp-muted", "--pp-background"),
    ("--pp-muted", "--pp-surface"),
    ("--pp-accent", "--pp-background"),
    ("--pp-accent", "--pp-surface"),
    ("--pp-error", "--pp-background"),
    ("--pp-error", "--pp-surface"),
    ("--pp-status", "--pp-background"),
    ("--pp-status", "--pp-surface"),
    ("--pp-accent-text", "--pp-accent"),
];
const LEAST_CONTRAST: f64 = 4.5;

/// A colour as CSS writes it: `#rgb`, `#rrggbb` (with alpha too), a colour function
/// (`rgb()`, `hsl()`, `hwb()`, `lab()`, `lch()`, `oklab()`, `oklch()`) or a colour name;
/// as red, green, blue and alpha from 0 to 1. Forms browsers do not take (hex without
/// `#`, `hsv()`) are not colours here either.
fn colour(value: &str) -> Option<[f64; 4]> {
    let value = value.trim();
    let lower = value.to_ascii_lowercase();
    let css = value.starts_with('#')
        || [
            "rgb(", "rgba(", "hsl(", "hsla(", "hwb(", "lab(", "lch(", "oklab(", "oklch(",
        ]
        .iter()
        .any(|f| lower.starts_with(f))
        || !value.is_empty()
            && value.chars().all(|c| c.is_ascii_alphabetic())
            && !value.chars().all(|c| c.is_ascii_hexdigit());
    if !css {
        return None;
    }
    let c = csscolorparser::parse(value).ok()?;
    Some([c.r, c.g, c.b, c.a].map(|x| f64::from(x).clamp(0.0, 1.0)))
}

/// The colour `value` shows with the variables `of` gives: a colour, or `var(--pp-x)` of
/// one (as `--pp-status` defaults to the accent), followed a few steps at most.
fn resolve(value: &str, of: &dyn Fn(&str) -> Option<String>) -> Option<[f64; 4]> {
    let mut value = value.trim().to_owned();
    for _ in 0..4 {
        let name = value
            .strip_prefix("var(")
            .and_then(|v| v.strip_suffix(')'))
            .map(str::trim)
            .filter(|v| v.starts_with("--pp-"))
            .map(str::to_owned);
        match name {
            Some(name) => value = of(&name)?.trim().to_owned(),
            None => return colour(&value),
        }
    }
    None
}

/// `top` laid over `under` (which is opaque).
fn over(top: [f64; 4], under: [f64; 3]) -> [f64; 3] {
    let a = top[3];
    [0, 1, 2].map(|i| top[i] * a + under[i] * (1.0 - a))
}

/// WCAG's relative luminance of an opaque sRGB colour.
fn luminance(c: [f64; 3]) -> f64 {
    let linear = |x: f64| {
        if x <= 0.04045 {
            x / 12.92
        } else {
            ((x + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(c[0]) + 0.7152 * linear(c[1]) + 0.0722 * linear(c[2])
}

/// WCAG's contrast ratio of two opaque colours, from 1 to 21.
fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The colours the shopper sees in `preset`: its defaults with the shop's values over them.
fn palette<'a>(
    preset: ThemePreset,
    variables: &'a std::collections::BTreeMap<String, String>,
) -> impl Fn(&str) -> Option<&'a str> {
    move |name: &str| {
        variables.get(name).map(String::as_str).or_else(|| {
            let dark = (preset == ThemePreset::Dark)
                .then(|| DARK.iter())
                .into_iter()
                .flatten();
            dark.chain(LIGHT.iter())
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        })
    }
}

/// The shop's colours that leave text below 4.5:1 in a preset it can be seen in, each with
/// its field and message: one per variable, the worst pair. The field is the text's colour
/// when the shop set it, else the background's. A translucent background is measured over
/// white in the light preset and black in the dark one (what shows through is the page's).
fn low_contrast(theme: &ShopTheme) -> Vec<FieldError> {
    let presets: &[ThemePreset] = match theme.preset {
        ThemePreset::Light => &[ThemePreset::Light],
        ThemePreset::Dark => &[ThemePreset::Dark],
        ThemePreset::Auto => &[ThemePreset::Light, ThemePreset::Dark],
    };
    let mut worst: Vec<(String, f64, String)> = Vec::new();
    for &preset in presets {
        let value = palette(preset, &theme.variables);
        let base = if preset == ThemePreset::Dark {
            [0.0; 3]
        } else {
            [1.0; 3]
        };
        for (text, on) in TEXT_ON {
            let blamed = if theme.variables.contains_key(text) {
                text
            } else if theme.variables.contains_key(on) {
                on
            } else {
                continue;
            };
            // An unreadable value has its own error already.
            let (Some(text_value), Some(on_value)) = (value(text), value(on)) else {
                continue;
            };
            let of = |n: &str| value(n).map(str::to_owned);
            let (Some(fg), Some(bg)) = (resolve(text_value, &of), resolve(on_value, &of)) else {
                continue;
            };
            // `--pp-accent` as a background (under button text) sits on the card.
            let under = match on {
                "--pp-accent" => value("--pp-background")
                    .and_then(|b| resolve(b, &of))
                    .map_or(base, |b| over(b, base)),
                _ => base,
            };
            let bg = over(bg, under);
            let ratio = contrast(over(fg, bg), bg);
            if ratio >= LEAST_CONTRAST {
                continue;
            }
            let shown = (ratio * 100.0).floor() / 100.0;
            let in_preset = match (theme.preset, preset) {
                (ThemePreset::Auto, ThemePreset::Dark) => " for shoppers whose system is dark",
                (ThemePreset::Auto, _) => " for shoppers whose system is light",
                _ => "",
            };
            let message = format!(
                "{text} {text_value} on {on} {on_value} has a contrast of {shown:.2}:1{in_preset}; \
                 text needs at least 4.5:1"
            );
            let field = format!("variables.{blamed}");
            match worst.iter_mut().find(|(f, _, _)| *f == field) {
                Some(entry) if ratio < entry.1 => *entry = (field, ratio, message),
                Some(_) => {}
                None => worst.push((field, ratio, message)),
            }
        }
    }
    worst
        .into_iter()
        .map(|(field, _, message)| FieldError::new(field, message))
        .collect()
}

/// Every problem of a theme, by field. A name is one of the widget's variables
/// (docs/theming.md); a value is at most 200 characters of what colours, lengths, font
/// lists and shadows are written with: no `;`, braces, angle brackets, backslashes,
/// comments or `url(`, so it can only ever be one declaration's value. A colour variable
/// takes a colour, and text keeps 4.5:1 on what it is drawn on.
pub fn validate(theme: &ShopTheme) -> Vec<FieldError> {
    let mut errors = Vec::new();
    // A colour as the page reads it: `var()` of a colour variable followed through the
    // theme's own values, then the defaults.
    let none = Default::default();
    let defaults = palette(ThemePreset::Light, &none);
    let themed = palette(ThemePreset::Light, &theme.variables);
    let default = |value: &str| resolve(value, &|n| defaults(n).map(str::to_owned));
    let light = |value: &str| resolve(value, &|n| themed(n).map(str::to_owned));
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
        let Some((_, default_value)) = LIGHT.iter().find(|(n, _)| n == name) else {
            errors.push(FieldError::new(
                &field,
                "is not one of the widget's variables (docs/theming.md lists them)",
            ));
            continue;
        };
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
        } else if default(default_value).is_some() && light(value).is_none() {
            errors.push(FieldError::new(
                &field,
                "must be a colour: #rrggbb, rgb(), hsl(), a CSS colour name or var(--pp-…) of a colour",
            ));
        }
    }
    for error in low_contrast(theme) {
        if errors.iter().all(|e| e.field != error.field) {
            errors.push(error);
        }
    }
    for (field, url) in [
        ("logo_url", &theme.logo_url),
        ("font_css_url", &theme.font_css_url),
    ] {
        if url
            .as_deref()
            .is_some_and(|u| u.len() > 2000 || !crate::domain::shops::web_url_ok(u))
        {
            errors.push(FieldError::new(field, "must be an https address"));
        }
    }
    if let Some(origin) = &theme.font_origin {
        if crate::domain::shops::origin(origin).as_deref() != Some(origin.as_str()) {
            errors.push(FieldError::new(
                "font_origin",
                "must be an origin such as https://fonts.gstatic.com",
            ));
        } else if theme.font_css_url.is_none() {
            errors.push(FieldError::new(
                "font_origin",
                "goes with font_css_url, the stylesheet that uses it",
            ));
        }
    }
    errors
}

/// The origins a theme's web font needs: its stylesheet's, and its files' when elsewhere.
pub fn font_origins(theme: &ShopTheme) -> Option<(String, String)> {
    let css = url::Url::parse(theme.font_css_url.as_deref()?).ok()?;
    let css = css.origin().ascii_serialization();
    let files = theme.font_origin.clone().unwrap_or_else(|| css.clone());
    Some((css, files))
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
        (status = 422, description = "Names that are not the widget's --pp-* variables, values that are not plain CSS values, a colour variable that is not a colour, or colours that leave text below 4.5:1 contrast (the ratio in the message)", body = ErrorBody),
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

    fn preset(p: ThemePreset, pairs: &[(&str, &str)]) -> ShopTheme {
        ShopTheme {
            preset: p,
            ..theme(pairs)
        }
    }

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn every_preset_of_the_stylesheet_keeps_its_text_readable() {
        assert!(LIGHT.len() >= 25, "{LIGHT:?}");
        assert!(DARK.len() >= 9, "{DARK:?}");
        assert!(LIGHT
            .iter()
            .any(|(n, v)| n == "--pp-accent" && v == "#2f5d3a"));
        for p in [ThemePreset::Light, ThemePreset::Dark] {
            let none = Default::default();
            let value = palette(p, &none);
            let of = |n: &str| value(n).map(str::to_owned);
            for (text, on) in TEXT_ON {
                let fg = resolve(value(text).unwrap(), &of).unwrap();
                let bg = resolve(value(on).unwrap(), &of).unwrap();
                let ratio = contrast(over(fg, [1.0; 3]), over(bg, [1.0; 3]));
                assert!(ratio >= LEAST_CONTRAST, "{p:?}: {text} on {on}: {ratio}");
            }
        }
    }

    #[test]
    fn only_the_widgets_own_variables_are_taken() {
        let errors = validate(&theme(&[
            ("--pp-accent-colour", "#0b6e4f"),
            ("--pp-radius", "4px"),
        ]));
        assert_eq!(fields(&errors), ["variables.--pp-accent-colour"]);
        assert!(errors[0]
            .message
            .contains("not one of the widget's variables"));
    }

    #[test]
    fn a_colour_variable_takes_a_colour_as_browsers_read_it() {
        for good in [
            "#0b6e4f",
            "#0B6E4F",
            "#064",
            "rgb(11 110 79)",
            "rgba(11, 110, 79, 1)",
            "hsl(162 82% 24%)",
            "darkgreen",
            "DarkGreen",
        ] {
            assert!(
                validate(&theme(&[("--pp-accent", good)])).is_empty(),
                "{good}"
            );
        }
        for bad in [
            "0b6e4f",
            "hsv(160, 82%, 24%)",
            "12px",
            "accent",
            "var(--brand)",
        ] {
            let errors = validate(&theme(&[("--pp-accent", bad)]));
            assert_eq!(fields(&errors), ["variables.--pp-accent"], "{bad}");
            assert!(
                errors[0].message.starts_with("must be a colour"),
                "{bad}: {errors:?}"
            );
        }
    }

    #[test]
    fn a_colour_may_be_another_colour_variable() {
        // The status line follows the accent unless told otherwise.
        assert!(validate(&theme(&[("--pp-status", "var(--pp-text)")])).is_empty());
        let errors = validate(&theme(&[("--pp-status", "#ffff00")]));
        assert_eq!(fields(&errors), ["variables.--pp-status"]);
        for bad in ["var(--pp-radius)", "var(--pp-nope)", "var(--brand)"] {
            let errors = validate(&theme(&[("--pp-status", bad)]));
            assert_eq!(fields(&errors), ["variables.--pp-status"], "{bad}");
            assert!(errors[0].message.starts_with("must be a colour"), "{bad}");
        }
        // Going round in a circle is no colour either.
        let errors = validate(&theme(&[
            ("--pp-status", "var(--pp-accent)"),
            ("--pp-accent", "var(--pp-status)"),
        ]));
        assert_eq!(
            fields(&errors),
            ["variables.--pp-accent", "variables.--pp-status"]
        );
    }

    #[test]
    fn text_below_four_and_a_half_to_one_is_refused_with_its_ratio() {
        // Yellow links and buttons on white: what a merchant's first try looked like.
        let errors = validate(&theme(&[("--pp-accent", "#ffff00")]));
        assert_eq!(fields(&errors), ["variables.--pp-accent"]);
        assert_eq!(
            errors[0].message,
            "--pp-accent #ffff00 on --pp-surface #f3f2ee has a contrast of 1.04:1; text needs at least 4.5:1"
        );
        // Invisible text is as unreadable.
        let errors = validate(&theme(&[("--pp-text", "transparent")]));
        assert!(
            errors[0].message.contains("a contrast of 1.00:1"),
            "{errors:?}"
        );
        // A dark background under the light preset's dark text: the background is named.
        let errors = validate(&theme(&[("--pp-background", "#333333")]));
        assert_eq!(fields(&errors), ["variables.--pp-background"]);
        // Both set and readable together.
        assert!(validate(&theme(&[
            ("--pp-background", "#333333"),
            ("--pp-surface", "#222"),
            ("--pp-text", "#fff"),
            ("--pp-muted", "#ccc"),
            ("--pp-accent", "#9fe3b0"),
            ("--pp-accent-text", "#000"),
            ("--pp-error", "#ffb3ad")
        ]))
        .is_empty());
        // Button text on the accent.
        let errors = validate(&theme(&[
            ("--pp-accent", "#0b6e4f"),
            ("--pp-accent-text", "#2f5d3a"),
        ]));
        assert_eq!(fields(&errors), ["variables.--pp-accent-text"]);
    }

    #[test]
    fn the_preset_decides_what_the_colours_are_measured_on() {
        let green = [("--pp-accent", "#0b6e4f")];
        assert!(validate(&preset(ThemePreset::Light, &green)).is_empty());
        let dark = validate(&preset(ThemePreset::Dark, &green));
        assert_eq!(fields(&dark), ["variables.--pp-accent"]);
        assert!(
            dark[0]
                .message
                .contains("on --pp-surface #2a2c28 has a contrast of 2.25:1"),
            "{dark:?}"
        );
        // `auto` shows the shop's accent on both; the dark side fails and says so.
        let auto = validate(&preset(ThemePreset::Auto, &green));
        assert!(
            auto[0]
                .message
                .ends_with("for shoppers whose system is dark; text needs at least 4.5:1"),
            "{auto:?}"
        );
        assert!(validate(&preset(ThemePreset::Dark, &[("--pp-accent", "#8fd19e")])).is_empty());
    }
}
