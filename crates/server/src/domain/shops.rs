//! Shops as plain rules: what a slug, an allowed origin, a web address and a profile may be.

use postpurchase_api::{FieldError, ShopProfile, LANGUAGES};

/// A slug: 2 to 40 of `a-z`, `0-9` and `-`, starting and ending with a letter or digit.
pub fn slug_ok(slug: &str) -> bool {
    (2..=40).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
}

/// Whether a host is this machine, where plain http is allowed for development.
fn is_local(url: &url::Url) -> bool {
    matches!(url.host(), Some(url::Host::Domain("localhost")))
        || matches!(url.host(), Some(url::Host::Ipv4(ip)) if ip.is_loopback())
        || matches!(url.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback())
}

/// An origin a browser sends, exactly: `https://host[:port]`, plain http only for this
/// machine. Returns it as browsers write it (lower-case host, no default port, no slash).
pub fn origin(text: &str) -> Option<String> {
    let url = url::Url::parse(text.trim()).ok()?;
    let secure = url.scheme() == "https" || (url.scheme() == "http" && is_local(&url));
    let bare = url.username().is_empty()
        && url.password().is_none()
        && url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none()
        && !text.trim().ends_with('/');
    (secure && bare && url.host().is_some()).then(|| url.origin().ascii_serialization())
}

/// A page shoppers are sent to: https (plain http only for this machine), no credentials
/// in it, at most 2,000 characters.
pub fn web_url_ok(text: &str) -> bool {
    text.len() <= 2000
        && url::Url::parse(text).is_ok_and(|url| {
            (url.scheme() == "https" || (url.scheme() == "http" && is_local(&url)))
                && url.host().is_some()
                && url.username().is_empty()
                && url.password().is_none()
        })
}

/// A shop's name: 1 to 100 characters on one line.
pub fn name_ok(name: &str) -> bool {
    super::text_ok(name, 100) && !name.contains(['\n', '\r'])
}

/// A profile with its texts trimmed and empty optional fields left out.
pub fn tidy_profile(mut profile: ShopProfile) -> ShopProfile {
    let tidy = |field: &mut Option<String>| {
        *field = field
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned);
    };
    profile.name = profile.name.trim().to_owned();
    tidy(&mut profile.support_email);
    tidy(&mut profile.support_phone);
    tidy(&mut profile.support_url);
    tidy(&mut profile.order_status_url);
    profile.language = profile.language.trim().to_ascii_lowercase();
    profile
}

/// Every problem of a (tidied) profile for the shop `slug`.
pub fn validate_profile(profile: &ShopProfile, slug: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if !profile.slug.is_empty() && profile.slug != slug {
        errors.push(FieldError::new(
            "slug",
            "cannot be changed; leave it out or send the shop's own",
        ));
    }
    if !name_ok(&profile.name) {
        errors.push(FieldError::new(
            "name",
            "must be 1 to 100 characters on one line",
        ));
    }
    if let Some(email) = &profile.support_email {
        if email.len() > 254 || !super::is_plausible_email(email) {
            errors.push(FieldError::new(
                "support_email",
                "must be an e-mail address",
            ));
        }
    }
    if let Some(phone) = &profile.support_phone {
        let allowed = phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +()-.".contains(c));
        if phone.len() > 30 || !allowed || !phone.chars().any(|c| c.is_ascii_digit()) {
            errors.push(FieldError::new(
                "support_phone",
                "must be a phone number: digits, spaces and + ( ) - ., at most 30",
            ));
        }
    }
    if profile.refund_days.is_some_and(|d| !(1..=60).contains(&d)) {
        errors.push(FieldError::new("refund_days", "must be 1 to 60 days"));
    }
    for (field, url) in [
        ("support_url", &profile.support_url),
        ("order_status_url", &profile.order_status_url),
    ] {
        if url.as_deref().is_some_and(|u| !web_url_ok(u)) {
            errors.push(FieldError::new(field, "must be an https address"));
        }
    }
    if !LANGUAGES.contains(&profile.language.as_str()) {
        errors.push(FieldError::new(
            "language",
            format!("must be one of {}", LANGUAGES.join(", ")),
        ));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use postpurchase_api::Remedy;

    #[test]
    fn slugs_are_short_lower_case_words() {
        for good in ["koffie", "koffie-en-klei", "shop42", "ab"] {
            assert!(slug_ok(good), "{good}");
        }
        for bad in [
            "",
            "a",
            "Koffie",
            "-koffie",
            "koffie-",
            "koffie klei",
            "kö",
            &"a".repeat(41),
        ] {
            assert!(!slug_ok(bad), "{bad}");
        }
    }

    #[test]
    fn origins_are_exact_and_secure() {
        assert_eq!(
            origin("https://Koffie.Example").as_deref(),
            Some("https://koffie.example")
        );
        assert_eq!(
            origin("https://shop.example:8443").as_deref(),
            Some("https://shop.example:8443")
        );
        assert_eq!(
            origin("https://shop.example:443").as_deref(),
            Some("https://shop.example")
        );
        assert_eq!(
            origin("http://127.0.0.1:8081").as_deref(),
            Some("http://127.0.0.1:8081")
        );
        assert_eq!(
            origin("http://localhost:3000").as_deref(),
            Some("http://localhost:3000")
        );
        for bad in [
            "http://shop.example",
            "https://shop.example/",
            "https://shop.example/checkout",
            "https://user@shop.example",
            "https://shop.example?x=1",
            "shop.example",
            "*",
            "http://localhost.evil.example",
        ] {
            assert_eq!(origin(bad), None, "{bad}");
        }
    }

    fn profile() -> ShopProfile {
        ShopProfile {
            slug: String::new(),
            name: "Koffie & Klei".into(),
            support_email: Some("help@koffie.example".into()),
            support_phone: Some("+31 20 123 4567".into()),
            support_url: Some("https://koffie.example/help".into()),
            order_status_url: Some("https://koffie.example/account/orders".into()),
            language: "nl".into(),
            when_lost: Some(Remedy::Replacement),
            when_returned: Some(Remedy::Refund),
            refund_days: Some(14),
        }
    }

    #[test]
    fn a_profile_is_checked_field_by_field() {
        assert!(validate_profile(&profile(), "koffie").is_empty());
        let bad = ShopProfile {
            slug: "other".into(),
            name: " ".into(),
            support_email: Some("nobody".into()),
            support_phone: Some("call us".into()),
            support_url: Some("http://koffie.example/help".into()),
            order_status_url: Some("javascript:alert(1)".into()),
            language: "fr".into(),
            refund_days: Some(0),
            ..profile()
        };
        let fields: Vec<String> = validate_profile(&tidy_profile(bad), "koffie")
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "slug",
                "name",
                "support_email",
                "support_phone",
                "refund_days",
                "support_url",
                "order_status_url",
                "language"
            ]
        );
        let tidied = tidy_profile(ShopProfile {
            support_email: Some("  ".into()),
            language: " NL ".into(),
            ..profile()
        });
        assert_eq!(tidied.support_email, None);
        assert_eq!(tidied.language, "nl");
    }
}
