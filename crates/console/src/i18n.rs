//! The console's texts in the staff member's language, from the same translation files as
//! the widget (`locales/*.txt`, `console.*` and `status.*` keys), embedded at build time.

use leptos::prelude::*;

include!(concat!(env!("OUT_DIR"), "/texts.rs"));

const STORED: &str = "pp-console-language";

/// A language of [`TEXTS`], by position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lang(usize);

impl Lang {
    pub fn all() -> impl Iterator<Item = Lang> {
        (0..TEXTS.len()).map(Lang)
    }

    pub fn code(self) -> &'static str {
        TEXTS[self.0].0
    }

    /// The language by its code; English when the console does not speak it.
    pub fn from_code(code: &str) -> Lang {
        let code = code.split(['-', '_']).next().unwrap_or_default();
        TEXTS
            .iter()
            .position(|(c, _)| c.eq_ignore_ascii_case(code))
            .map_or(Lang(0), Lang)
    }

    /// The language's own name, as the picker lists it.
    pub fn name(self) -> &'static str {
        match self.code() {
            "nl" => "Nederlands",
            "de" => "Deutsch",
            "id" => "Bahasa Indonesia",
            _ => "English",
        }
    }

    pub fn text(self, key: Key) -> &'static str {
        TEXTS[self.0].1[key as usize]
    }
}

/// The language chosen before (kept in this browser), else the browser's own.
pub fn initial() -> Lang {
    let window = window();
    let stored = window
        .local_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item(STORED).ok().flatten());
    let asked = stored.or_else(|| window.navigator().language());
    asked.map_or(Lang(0), |code| Lang::from_code(&code))
}

/// Remembers the language in this browser and sets the page's `lang`.
pub fn choose(lang: Lang) {
    let window = window();
    if let Ok(Some(storage)) = window.local_storage() {
        let _ = storage.set_item(STORED, lang.code());
    }
    if let Some(root) = window.document().and_then(|d| d.document_element()) {
        let _ = root.set_attribute("lang", lang.code());
    }
}

/// The texts of the language in force; reading one tracks the language, so what shows it
/// follows a change.
#[derive(Clone, Copy)]
pub struct T(RwSignal<Lang>);

impl T {
    pub fn provide(lang: Lang) -> T {
        let t = T(RwSignal::new(lang));
        provide_context(t);
        t
    }

    pub fn use_() -> T {
        expect_context::<T>()
    }

    pub fn lang(self) -> Lang {
        self.0.get()
    }

    pub fn set(self, lang: Lang) {
        choose(lang);
        self.0.set(lang);
    }

    pub fn get(self, key: Key) -> &'static str {
        self.0.get().text(key)
    }

    /// A text that follows the language, for a view. Every such text is the same kind of
    /// closure, which the bundle then carries once.
    pub fn text(self, key: Key) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
        move || self.get(key)
    }

    /// A text with its `{name}`s filled in.
    pub fn fill(self, key: Key, values: &[(&str, &str)]) -> String {
        let mut text = self.get(key).to_owned();
        for (name, value) in values {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }
}

/// A number as the language writes it, formatted by the browser's `Intl` with `options`;
/// `fallback` when that fails.
fn number(
    lang: Lang,
    value: f64,
    options: &[(&str, wasm_bindgen::JsValue)],
    fallback: String,
) -> String {
    let object = js_sys::Object::new();
    for (name, option) in options {
        let _ = js_sys::Reflect::set(&object, &(*name).into(), option);
    }
    let locales = js_sys::Array::of1(&lang.code().into());
    let format = js_sys::Intl::NumberFormat::new(&locales, &object);
    format
        .format()
        .call1(&format, &value.into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or(fallback)
}

/// An amount in minor units as the language writes money.
pub fn money(lang: Lang, minor: i64, currency: &str) -> String {
    let value = minor as f64 / 100.0;
    number(
        lang,
        value,
        &[("style", "currency".into()), ("currency", currency.into())],
        format!("{currency} {value:.2}"),
    )
}

/// A share of 1 (0.25) as a whole percent, as the language writes it.
pub fn percent(lang: Lang, share: f64) -> String {
    number(
        lang,
        share,
        &[
            ("style", "percent".into()),
            ("maximumFractionDigits", 0.into()),
        ],
        format!("{:.0} %", share * 100.0),
    )
}

/// A number with one decimal, as the language writes it (an average).
pub fn decimal(lang: Lang, value: f64) -> String {
    number(
        lang,
        value,
        &[
            ("minimumFractionDigits", 1.into()),
            ("maximumFractionDigits", 1.into()),
        ],
        format!("{value:.1}"),
    )
}

/// An RFC 3339 instant as the language writes a date and time.
pub fn when(lang: Lang, instant: &str, with_time: bool) -> String {
    let date = js_sys::Date::new(&instant.into());
    if date.get_time().is_nan() {
        return instant.to_owned();
    }
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
    if with_time {
        let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    }
    date.to_locale_string(lang.code(), &options).into()
}
