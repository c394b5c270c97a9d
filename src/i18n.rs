//! The one translation layer: every word the shopper sees comes from `locales/*.txt`
//! through [`Texts::get`]. Numbers, money and dates go through the browser's `Intl`
//! (see [`crate::intl`]), never through hand-written formats.

use crate::shared::fill_with;

include!(concat!(env!("OUT_DIR"), "/texts.rs"));

/// The texts of one language, as the loader handed them over (see [`Texts::new`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Texts {
    code: &'static str,
    texts: &'static [String; KEY_COUNT],
}

thread_local! {
    /// Each language's texts, kept for the page's life: a page holds a few widgets in one
    /// or two languages, and every widget of a language shares them.
    static LOADED: std::cell::RefCell<Vec<Texts>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl Texts {
    /// The texts of language `code`, [`KEY_COUNT`] of them in the order of [`Key`]. The
    /// first texts given for a language are kept; `None` when the count is wrong (texts
    /// from another build of the widget).
    pub fn new(code: &str, texts: Vec<String>) -> Option<Texts> {
        // A fixed-length array: a `Key` indexes it with no bounds check at each use.
        let texts: Box<[String; KEY_COUNT]> = texts.into_boxed_slice().try_into().ok()?;
        Some(LOADED.with_borrow_mut(|loaded| {
            if let Some(kept) = loaded.iter().find(|t| t.code == code) {
                return *kept;
            }
            let new = Texts {
                code: Box::leak(code.into()),
                texts: Box::leak(texts),
            };
            loaded.push(new);
            new
        }))
    }

    /// The texts of a whole translation file, `locales/<code>.txt` (for tests and tools;
    /// browsers get the server's array).
    pub fn from_file(code: &str, file: &str) -> Option<Texts> {
        let map = postpurchase_api::locales::parse(file).ok()?;
        let texts = postpurchase_api::locales::widget_texts(&map);
        Texts::new(code, texts.into_iter().map(str::to_owned).collect())
    }

    /// The language code, e.g. `nl`.
    pub fn code(self) -> &'static str {
        self.code
    }

    pub fn get(self, key: Key) -> &'static str {
        &self.texts[key as usize]
    }

    /// A text with its single `{placeholder}` replaced.
    pub fn fill(self, key: Key, value: &str) -> String {
        self.fill_with(key, &[("", value)])
    }

    /// A text with each `{name}` replaced by the value of that name; a single value fills
    /// any placeholder.
    pub fn fill_with(self, key: Key, values: &[(&str, &str)]) -> String {
        fill_with(self.get(key), values)
    }
}

/// The parts that are there with `sep` between them, e.g. "Utrecht · Sorted". (One loop
/// for every list of words: `join` made a copy of itself per kind of list.)
pub fn joined(parts: &[Option<&str>], sep: &str) -> String {
    let mut out = String::new();
    for part in parts.iter().flatten() {
        if !out.is_empty() {
            out.push_str(sep);
        }
        out.push_str(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn english() -> Texts {
        Texts::from_file("en", include_str!("../locales/en.txt")).unwrap()
    }

    #[test]
    fn each_language_is_loaded_once_and_checked_for_its_count() {
        let nl = Texts::from_file("nl", include_str!("../locales/nl.txt")).unwrap();
        assert_eq!(nl.get(Key::TotalsTotal), "Totaal");
        assert_eq!(english().get(Key::TotalsTotal), "Total");
        // The first texts of a language stay: a second widget shares them.
        let again = Texts::new("nl", vec![String::new(); KEY_COUNT]).unwrap();
        assert_eq!(again.get(Key::TotalsTotal), "Totaal");
        assert_eq!(again.code(), "nl");
        // Texts of another build (another count) are refused.
        assert_eq!(Texts::new("de", vec![String::new(); KEY_COUNT - 1]), None);
    }

    #[test]
    fn fill_replaces_the_placeholder_only() {
        let en = english();
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
