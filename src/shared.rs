//! What the widget and its after-delivery module (`crates/after`, which includes this file
//! by path) both need, written once: the readers of JSON the browser has already parsed
//! (the [`FromJs`] trait, the lookup of a field, strings, numbers, lists and optional
//! values), on which the widget's `decode.rs` and the module's `read.rs` build; and the
//! filling of a text's placeholders. It uses only what both have: core, alloc, js-sys and
//! wasm-bindgen.

use js_sys::{Array, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// A value that can be read from a parsed JSON value.
pub trait FromJs: Sized {
    fn from_js(value: &JsValue) -> Option<Self>;
}

/// The field `key` of a JSON object.
pub fn field<T: FromJs>(object: &JsValue, key: &str) -> Option<T> {
    T::from_js(&property(object, key)?)
}

/// The lookup of [`field`], kept out of line: one copy for every field of every type.
#[inline(never)]
fn property(object: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(object, &JsValue::from_str(key)).ok()
}

impl FromJs for String {
    fn from_js(value: &JsValue) -> Option<Self> {
        value.as_string()
    }
}

impl FromJs for bool {
    fn from_js(value: &JsValue) -> Option<Self> {
        value.as_bool()
    }
}

impl FromJs for i64 {
    fn from_js(value: &JsValue) -> Option<Self> {
        value
            .as_f64()
            .filter(|n| n.fract() == 0.0 && n.abs() < 9.0e15)
            .map(|n| n as i64)
    }
}

impl FromJs for u32 {
    fn from_js(value: &JsValue) -> Option<Self> {
        i64::from_js(value).and_then(|n| u32::try_from(n).ok())
    }
}

impl FromJs for u8 {
    fn from_js(value: &JsValue) -> Option<Self> {
        i64::from_js(value).and_then(|n| u8::try_from(n).ok())
    }
}

/// `null` or absent is `None`; anything else must be a `T`.
impl<T: FromJs> FromJs for Option<T> {
    fn from_js(value: &JsValue) -> Option<Self> {
        if value.is_null() || value.is_undefined() {
            Some(None)
        } else {
            T::from_js(value).map(Some)
        }
    }
}

impl<T: FromJs> FromJs for Vec<T> {
    fn from_js(value: &JsValue) -> Option<Self> {
        // `instanceof Array`: the page's own arrays, as `Response.json()` and `JSON.parse` give.
        let array = value.dyn_ref::<Array>()?;
        // A plain loop: `collect` into `Option` made an iterator adapter per element type.
        let mut out = Vec::with_capacity(array.length() as usize);
        for i in 0..array.length() {
            out.push(T::from_js(&array.get(i))?);
        }
        Some(out)
    }
}

/// `text` with each `{name}` replaced by the value of that name; a single value fills any
/// placeholder.
pub fn fill_with(text: &str, values: &[(&str, &str)]) -> String {
    let mut rest = text;
    let mut out = String::with_capacity(rest.len() + 16);
    while let Some((before, after)) = split_once_at(rest, b'{') {
        let Some((name, tail)) = split_once_at(after, b'}') else {
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

/// `text` split at its first `byte` (an ASCII one), as `split_once` does, by a plain
/// byte loop: the widget's every split, so the str pattern search stays out of the bundle.
pub fn split_once_at(text: &str, byte: u8) -> Option<(&str, &str)> {
    let at = text.bytes().position(|b| b == byte)?;
    Some((&text[..at], &text[at + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_by_name_or_by_the_one_value() {
        let one = |text| fill_with(text, &[("", "2 May")]);
        assert_eq!(one("Valid until {date}."), "Valid until 2 May.");
        assert_eq!(one("{value}% off"), "2 May% off");
        assert_eq!(one("No placeholder"), "No placeholder");
        assert_eq!(one("Unclosed {date"), "Unclosed {date");
        assert_eq!(
            fill_with("{a} and {b}", &[("b", "2"), ("a", "1")]),
            "1 and 2"
        );
        assert_eq!(fill_with("{unknown}!", &[("a", "1"), ("b", "2")]), "!");
    }

    #[test]
    fn splits_at_the_first_byte() {
        assert_eq!(split_once_at("2027-01-02", b'-'), Some(("2027", "01-02")));
        assert_eq!(split_once_at("none", b'-'), None);
    }
}
