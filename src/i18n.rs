//! The one translation layer: every word the shopper sees comes from `locales/*.txt`
//! through [`Texts::get`]. Numbers, money and dates go through the browser's `Intl`
//! (see [`crate::intl`]), never through hand-written formats.

include!(concat!(env!("OUT_DIR"), "/texts.rs"));

/// The texts of one language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Texts {
    index: usize,
}

impl Texts {
    /// English, the last resort.
    pub const ENGLISH: Texts = Texts { index: 0 };

    /// The language code, e.g. `nl`.
    pub fn code(self) -> &'static str {
        LANGUAGES[self.index]
    }

    pub fn get(self, key: Key) -> &'static str {
        TEXTS[self.index][key as usize]
    }

    /// A text with its single `{placeholder}` replaced.
    pub fn fill(self, key: Key, value: &str) -> String {
        self.fill_with(key, &[("", value)])
    }

    /// A text with each `{name}` replaced by the value of that name; a single value fills
    /// any placeholder.
    pub fn fill_with(self, key: Key, values: &[(&str, &str)]) -> String {
        let mut rest = self.get(key);
        let mut out = String::with_capacity(rest.len() + 16);
        while let Some((before, after)) = rest.split_once('{') {
            let Some((name, tail)) = after.split_once('}') else {
                break;
            };
            out.push_str(before);
            let value = values
                .iter()
                .find(|(n, _)| *n == name || values.len() == 1)
                .map_or("", |(_, v)| v);
            out.push_str(value);
            rest = tail;
        }
        out.push_str(rest);
        out
    }
}

/// Picks the language from the candidates in order of preference (the widget's `lang`
/// attribute, the host page's `<html lang>`, the browser's languages): the first whose
/// primary subtag we translate, and the tag itself for `Intl`. Without a match, English
/// text with the first candidate's formats.
pub fn negotiate<'a>(candidates: impl IntoIterator<Item = &'a str>) -> (Texts, String) {
    let mut first = None;
    for tag in candidates
        .into_iter()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        first.get_or_insert(tag);
        let primary = tag.split(['-', '_']).next().unwrap_or(tag);
        if let Some(index) = LANGUAGES
            .iter()
            .position(|code| code.eq_ignore_ascii_case(primary))
        {
            return (Texts { index }, tag.replace('_', "-"));
        }
    }
    (Texts::ENGLISH, first.unwrap_or("en").replace('_', "-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_is_first_and_dutch_is_complete() {
        assert_eq!(LANGUAGES[0], "en");
        assert!(LANGUAGES.contains(&"nl"));
        let (nl, _) = negotiate(["nl"]);
        assert_eq!(nl.get(Key::TotalsTotal), "Totaal");
        assert_eq!(Texts::ENGLISH.get(Key::TotalsTotal), "Total");
    }

    #[test]
    fn negotiation_takes_the_first_supported_language() {
        assert_eq!(
            negotiate(["fr-FR", "nl-BE", "en"]),
            (negotiate(["nl"]).0, "nl-BE".to_owned())
        );
        assert_eq!(negotiate(["", "EN_gb"]).1, "EN-gb");
        assert_eq!(negotiate(["ja-JP"]), (Texts::ENGLISH, "ja-JP".to_owned()));
        assert_eq!(negotiate([]), (Texts::ENGLISH, "en".to_owned()));
    }

    #[test]
    fn fill_replaces_the_placeholder_only() {
        let en = Texts::ENGLISH;
        assert_eq!(
            en.fill(Key::ThanksFirst, "Ada"),
            "Thank you for your order, Ada!"
        );
        assert_eq!(en.fill(Key::OrderNumber, "{x}"), "Order {x}");
        assert_eq!(en.fill(Key::TotalsTotal, "unused"), "Total");
        assert_eq!(
            en.fill_with(Key::LiveStatus, &[("status", "Delivered"), ("number", "2")]),
            "Parcel 2: Delivered"
        );
    }
}
