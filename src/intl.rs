//! Money, dates and country names through the browser's `Intl`, in the shopper's locale.

use std::cell::{OnceCell, RefCell};
use std::rc::Rc;

use js_sys::{Date, Object, Reflect};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Intl)]
    type NumberFormat;
    #[wasm_bindgen(constructor, js_namespace = Intl, catch)]
    fn new(locale: &str, options: &Object) -> Result<NumberFormat, JsValue>;
    #[wasm_bindgen(method)]
    fn format(this: &NumberFormat, value: f64) -> String;
    #[wasm_bindgen(method, js_name = resolvedOptions)]
    fn resolved_options(this: &NumberFormat) -> ResolvedNumberFormat;

    type ResolvedNumberFormat;
    #[wasm_bindgen(method, getter, js_name = maximumFractionDigits)]
    fn maximum_fraction_digits(this: &ResolvedNumberFormat) -> u32;

    #[wasm_bindgen(js_namespace = Intl)]
    type DateTimeFormat;
    #[wasm_bindgen(constructor, js_namespace = Intl, catch)]
    fn new(locale: &str, options: &Object) -> Result<DateTimeFormat, JsValue>;
    #[wasm_bindgen(method)]
    fn format(this: &DateTimeFormat, date: &Date) -> String;
    #[wasm_bindgen(method, js_name = formatRange)]
    fn format_range(this: &DateTimeFormat, start: &Date, end: &Date) -> String;

    #[wasm_bindgen(js_namespace = Intl)]
    type PluralRules;
    #[wasm_bindgen(constructor, js_namespace = Intl, catch)]
    fn new(locale: &str, options: &Object) -> Result<PluralRules, JsValue>;
    #[wasm_bindgen(method)]
    fn select(this: &PluralRules, n: f64) -> String;

    #[wasm_bindgen(js_namespace = Intl)]
    type DisplayNames;
    #[wasm_bindgen(constructor, js_namespace = Intl, catch)]
    fn new(locale: &str, options: &Object) -> Result<DisplayNames, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn of(this: &DisplayNames, code: &str) -> Result<JsValue, JsValue>;
}

fn options(pairs: &[(&str, &str)]) -> Object {
    let object = Object::new();
    for (key, value) in pairs {
        let _ = Reflect::set(&object, &JsValue::from_str(key), &JsValue::from_str(value));
    }
    object
}

thread_local! {
    /// The loader's `(kind, locale, options) => Intl object`, which hands out the objects it
    /// already made while the page waited for the widget (making one is the slow part).
    static SHARED_INTL: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

/// Takes `Intl` objects from `factory` from now on (see the loader's `intl`).
pub fn share_with(factory: js_sys::Function) {
    SHARED_INTL.set(Some(factory));
}

/// Builds an `Intl.<kind>` formatter (or takes the loader's identical one), falling back
/// to English when the browser rejects the locale tag, and to `None` when it rejects the
/// options (an unknown currency).
fn build<T: JsCast>(
    kind: &str,
    locale: &str,
    pairs: &[(&str, &str)],
    make: fn(&str, &Object) -> Result<T, JsValue>,
) -> Option<T> {
    let opts = options(pairs);
    let shared = SHARED_INTL.with_borrow(|factory| {
        let factory = factory.as_ref()?;
        factory
            .call3(&JsValue::NULL, &kind.into(), &locale.into(), &opts)
            .ok()
            .filter(JsValue::is_object)
    });
    match shared {
        Some(formatter) => Some(formatter.unchecked_into()),
        None => make(locale, &opts).or_else(|_| make("en", &opts)).ok(),
    }
}

/// The formats of one order for one shopper. Each `Intl` object is made on first use and
/// kept: making one costs far more than using it, and most orders need only a few.
pub struct Formats {
    money: OnceCell<Option<NumberFormat>>,
    currency: String,
    day: OnceCell<Option<DateTimeFormat>>,
    window: OnceCell<Option<DateTimeFormat>>,
    /// A day and time of day in the shopper's time zone.
    moment: OnceCell<Option<DateTimeFormat>>,
    /// The same for a shop's local day and time, read and shown as UTC.
    local: OnceCell<Option<DateTimeFormat>>,
    regions: OnceCell<Option<DisplayNames>>,
    plurals: OnceCell<Option<PluralRules>>,
    /// Metres and kilometres.
    lengths: [OnceCell<Option<NumberFormat>>; 2],
    locale: String,
}

const MOMENT: [(&str, &str); 5] = [
    ("weekday", "short"),
    ("day", "numeric"),
    ("month", "short"),
    ("hour", "numeric"),
    ("minute", "2-digit"),
];

thread_local! {
    /// The formats last made, for the widgets of this page: one order's locale and currency.
    static SHARED: RefCell<Option<Rc<Formats>>> = const { RefCell::new(None) };
}

impl Formats {
    /// The formats for `locale` and `currency`, shared with every other caller that asks
    /// for the same pair.
    pub fn new(locale: &str, currency: &str) -> Rc<Formats> {
        SHARED.with_borrow_mut(|shared| match shared {
            Some(f) if f.locale == locale && f.currency == currency => f.clone(),
            _ => {
                let f = Rc::new(Formats {
                    money: OnceCell::new(),
                    currency: currency.to_owned(),
                    day: OnceCell::new(),
                    window: OnceCell::new(),
                    moment: OnceCell::new(),
                    local: OnceCell::new(),
                    regions: OnceCell::new(),
                    plurals: OnceCell::new(),
                    lengths: Default::default(),
                    locale: locale.to_owned(),
                });
                *shared = Some(f.clone());
                f
            }
        })
    }

    fn date_format<'a>(
        &self,
        cell: &'a OnceCell<Option<DateTimeFormat>>,
        pairs: &[(&str, &str)],
    ) -> &'a Option<DateTimeFormat> {
        cell.get_or_init(|| build("DateTimeFormat", &self.locale, pairs, DateTimeFormat::new))
    }

    /// Whether `count` takes the language's "one" form (`…_one` texts) rather than the
    /// "other" (`…_other`): the language's own plural rules (1 in English, Dutch and
    /// German; never in Indonesian, which has one form).
    pub fn one(&self, count: i64) -> bool {
        let rules = self
            .plurals
            .get_or_init(|| build("PluralRules", &self.locale, &[], PluralRules::new));
        match rules {
            Some(rules) => rules.select(count as f64) == "one",
            None => count == 1,
        }
    }

    /// An amount in minor units, e.g. `1450` EUR -> `€14.50` or `€ 14,50`.
    pub fn money(&self, minor: i64) -> String {
        let format = self.money.get_or_init(|| {
            build(
                "NumberFormat",
                &self.locale,
                &[("style", "currency"), ("currency", &self.currency)],
                NumberFormat::new,
            )
        });
        match format {
            Some(format) => {
                // 10^(the currency's minor-unit digits): amounts arrive in minor units.
                let digits = format.resolved_options().maximum_fraction_digits();
                format.format(minor as f64 / 10f64.powi(digits as i32))
            }
            None => plain_amount(minor, &self.currency),
        }
    }

    /// A day from an RFC 3339 instant, in the shopper's time zone.
    pub fn day(&self, instant: &str) -> String {
        match (
            self.date_format(&self.day, &[("dateStyle", "long")]),
            parse(instant),
        ) {
            (Some(format), Some(date)) => format.format(&date),
            _ => instant.to_owned(),
        }
    }

    /// An inclusive range of calendar dates, or one date when both ends are the same.
    pub fn window(&self, earliest: &str, latest: &str) -> String {
        // Promised dates are calendar dates: read and shown in UTC so no time zone can
        // move them a day.
        let format = self.date_format(
            &self.window,
            &[
                ("weekday", "short"),
                ("day", "numeric"),
                ("month", "short"),
                ("timeZone", "UTC"),
            ],
        );
        span(format, earliest, latest)
    }

    /// A span of time between two RFC 3339 instants (or one instant), with the day and
    /// times of day in the shopper's time zone, e.g. `Tue, Nov 24, 10:00 – 12:00 AM`.
    pub fn moments(&self, from: &str, to: &str) -> String {
        span(self.date_format(&self.moment, &MOMENT), from, to)
    }

    /// A shop's delivery slot: a local date (`YYYY-MM-DD`) between two local times (`HH:MM`).
    pub fn slot(&self, date: &str, from: &str, to: &str) -> String {
        let at = |time: &str| [date, "T", time, "Z"].concat();
        let [a, b, c, d, e] = MOMENT;
        let format = self.date_format(&self.local, &[a, b, c, d, e, ("timeZone", "UTC")]);
        span(format, &at(from), &at(to))
    }

    /// A distance: metres under a kilometre, else kilometres with one decimal.
    pub fn distance(&self, metres: u32) -> String {
        let (i, unit, value) = if metres < 1000 {
            (0, "meter", metres as f64)
        } else {
            (1, "kilometer", metres as f64 / 1000.0)
        };
        self.lengths[i]
            .get_or_init(|| {
                build(
                    "NumberFormat",
                    &self.locale,
                    &[
                        ("style", "unit"),
                        ("unit", unit),
                        ("maximumFractionDigits", "1"),
                    ],
                    NumberFormat::new,
                )
            })
            .as_ref()
            .map_or_else(|| metres.to_string() + " m", |f| f.format(value))
    }

    /// A country's name from its ISO code; the code itself if the browser does not know it.
    pub fn country(&self, code: &str) -> String {
        self.regions
            .get_or_init(|| {
                build(
                    "DisplayNames",
                    &self.locale,
                    &[("type", "region")],
                    DisplayNames::new,
                )
            })
            .as_ref()
            .and_then(|names| names.of(code).ok())
            .and_then(|name| name.as_string())
            .unwrap_or_else(|| code.to_owned())
    }
}

/// `1234`, `XTS` -> `12.34 XTS`, for a currency the browser does not know (assumed to
/// have two decimals). Integer arithmetic: no float formatting code in the bundle.
pub fn plain_amount(minor: i64, currency: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let cents = padded((abs % 100) as i64, 2);
    [sign, &(abs / 100).to_string(), ".", &cents, " ", currency].concat()
}

/// `n` in decimal, at least `width` characters with zeros after its sign: `{n:0width$}`
/// without the formatting machinery, which the widget then leaves out.
pub fn padded(n: i64, width: usize) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(width.max(digits.len() + 1));
    if n < 0 {
        out.push('-');
    }
    while out.len() + digits.len() < width {
        out.push('0');
    }
    out.push_str(&digits);
    out
}

/// `a` to `b` with a range format, or `a` alone when they are the same.
fn span(format: &Option<DateTimeFormat>, a: &str, b: &str) -> String {
    match (format, parse(a), parse(b)) {
        (Some(format), Some(x), Some(_)) if a == b => format.format(&x),
        (Some(format), Some(x), Some(y)) => format.format_range(&x, &y),
        _ => [a, " – ", b].concat(),
    }
}

fn parse(text: &str) -> Option<Date> {
    let date = Date::new(&JsValue::from_str(text));
    (!date.get_time().is_nan()).then_some(date)
}

#[cfg(test)]
mod tests {
    use super::{padded, plain_amount};

    #[test]
    fn unknown_currencies_still_read_as_amounts() {
        assert_eq!(plain_amount(1234, "XTS"), "12.34 XTS");
        assert_eq!(plain_amount(-5, "XTS"), "-0.05 XTS");
        assert_eq!(plain_amount(0, "XTS"), "0.00 XTS");
    }

    #[test]
    fn padded_reads_as_a_zero_padded_format() {
        for (n, width) in [
            (5, 2),
            (12, 2),
            (123, 2),
            (7, 4),
            (-5, 4),
            (-12345, 4),
            (0, 0),
        ] {
            assert_eq!(padded(n, width), format!("{n:0width$}"));
        }
    }
}
