//! The few DOM calls every part of the widget is drawn with (see [`crate::screen`]).

use leptos::prelude::document;
use wasm_bindgen::{JsCast, UnwrapThrowExt};
use web_sys::{Element, HtmlElement};

/// A new `<tag class="class">`, not yet in the page; an empty class is left out.
pub fn make(tag: &str, class: &str) -> Element {
    let el = document().create_element(tag).unwrap_throw();
    if !class.is_empty() {
        el.set_class_name(class);
    }
    el
}

/// Appends `<tag class="class">text</tag>` to `parent`; empty class and text are left out.
pub fn add(parent: &Element, tag: &str, class: &str, text: &str) -> Element {
    let el = make(tag, class);
    if !text.is_empty() {
        el.set_text_content(Some(text));
    }
    let _ = parent.append_child(&el);
    el
}

pub fn attr(el: &Element, name: &str, value: &str) {
    let _ = el.set_attribute(name, value);
}

/// The first element under `scope` matching `selector`.
pub fn find(scope: &Element, selector: &str) -> Option<Element> {
    scope.query_selector(selector).ok().flatten()
}

/// Every element under `scope` matching `selector`.
pub fn all(scope: &Element, selector: &str) -> Vec<Element> {
    let found = scope.query_selector_all(selector).ok();
    (0..found.as_ref().map_or(0, |f| f.length()))
        .filter_map(|i| found.as_ref()?.get(i)?.dyn_into().ok())
        .collect()
}

/// Gives the keyboard to `el`, if there is one.
pub fn focus(el: Option<Element>) {
    if let Some(el) = el.and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
        let _ = el.focus();
    }
}

/// Shows or hides `el` (its `hidden` attribute).
pub fn show(el: &Element, on: bool) {
    let _ = el.toggle_attribute_with_force("hidden", !on);
}

/// A `<button type="kind" data-act="act">` with `text`, into `parent`: filled in the
/// accent when it sends its form (`kind` "submit"), quiet otherwise.
pub fn button(parent: &Element, text: &str, act: &str, kind: &str) -> Element {
    let class = if kind == "submit" {
        "pp-button"
    } else {
        "pp-button pp-button-quiet"
    };
    let b = add(parent, "button", class, text);
    attr(&b, "type", kind);
    attr(&b, "part", "button");
    attr(&b, "data-act", act);
    b
}

/// Whether a URL from the API may become a link or image source: web addresses only, so a
/// `javascript:` URL can never reach an `href`.
pub fn is_web_url(url: &str) -> bool {
    let lower = url
        .trim_start()
        .get(..8)
        .unwrap_or(url)
        .to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// `is_web_url`, plus inline images (`data:image/...`, used by the demo shop).
pub fn is_image_url(url: &str) -> bool {
    let lower = url.get(..11).unwrap_or(url).to_ascii_lowercase();
    is_web_url(url) || lower.starts_with("data:image/")
}

/// An item's picture, 56 px square, into `parent`, when the order line has one that may be
/// shown (see [`is_image_url`]): the item list, a review, a return's first step.
pub fn thumbnail(parent: &Element, src: Option<&str>) -> Option<Element> {
    let src = src.filter(|u| is_image_url(u))?;
    let img = add(parent, "img", "pp-thumb", "");
    for (k, v) in [
        ("part", "thumbnail"),
        ("src", src),
        ("alt", ""),
        ("width", "56"),
        ("height", "56"),
        ("loading", "lazy"),
        ("decoding", "async"),
    ] {
        attr(&img, k, v);
    }
    Some(img)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_addresses_become_links() {
        assert!(is_web_url("https://shop.example/help"));
        assert!(is_web_url("HTTP://shop.example"));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(!is_web_url(" javascript:alert(1)"));
        assert!(!is_web_url("data:text/html,<script>"));
        assert!(!is_web_url("//shop.example"));
        assert!(!is_web_url(""));
    }

    #[test]
    fn images_may_also_be_inline() {
        assert!(is_image_url("data:image/svg+xml,%3Csvg%3E"));
        assert!(is_image_url("https://cdn.example/a.jpg"));
        assert!(!is_image_url("data:text/html,hi"));
        assert!(!is_image_url("javascript:x"));
    }
}
