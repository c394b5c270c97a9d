//! The parts every module's forms are made of: labelled fields, radio groups and lists,
//! buttons, and the browser's own checks shown as our messages beside the fields.

use wasm_bindgen::JsCast;

use super::*;
pub(super) use crate::dom::button;

/// A form posting to `post` (a path under the order's); `id` prefixes its fields' ids.
pub(super) fn form(parent: &Element, id: &str, post: &str) -> Element {
    let form = add(parent, "form", "pp-form", "");
    attr(&form, "id", id);
    attr(&form, "novalidate", "");
    attr(&form, "data-act", "m-send");
    attr(&form, "data-post", post);
    form
}

/// Ties a control to its error line (`<id>-e`).
pub(super) fn tie(input: &Element, id: &str) {
    attr(input, "aria-describedby", &[id, "-e"].concat());
}

pub(super) fn error(parent: &Element, id: &str) {
    let line = add(parent, "p", "pp-error", "");
    attr(&line, "id", &[id, "-e"].concat());
    attr(&line, "part", "field-error");
}

/// A field's label, for `id`, and its control of `tag`, each a part of the theme.
fn labelled(wrap: &Element, id: &str, label: &str, tag: &str) -> Element {
    let l = add(wrap, "label", "", label);
    attr(&l, "for", id);
    attr(&l, "part", "label");
    let input = add(wrap, tag, "", "");
    attr(&input, "id", id);
    attr(&input, "part", "input");
    input
}

/// A labelled text field (a text area with `rows`), with its error line.
pub(super) fn field(
    parent: &Element,
    id: &str,
    name: &str,
    label: &str,
    max: u32,
    rows: u32,
    need: bool,
) {
    let id = [id, "-", name].concat();
    let wrap = add(parent, "div", "pp-field", "");
    let input = labelled(
        &wrap,
        &id,
        label,
        if rows > 0 { "textarea" } else { "input" },
    );
    attr(&input, "name", name);
    attr(&input, "maxlength", &max.to_string());
    if rows > 0 {
        attr(&input, "rows", &rows.to_string());
    } else {
        attr(&input, "type", "text");
    }
    if need {
        attr(&input, "required", "");
    }
    tie(&input, &id);
    error(&wrap, &id);
}

/// A group of radio buttons (`kind` "radio") or checkboxes with its legend and error line.
/// Checkboxes are named by their value; `checked` lists the values ticked.
pub(super) fn group(
    parent: &Element,
    id: &str,
    name: &str,
    legend: &str,
    kind: &str,
    options: &[(String, String)],
    checked: &[&str],
) -> Element {
    let id = [id, "-", name].concat();
    let set = add(parent, "fieldset", "pp-fieldset", "");
    add(&set, "legend", "", legend);
    for (value, label) in options {
        let wrap = add(&set, "label", "pp-option", "");
        let input = add(&wrap, "input", "", "");
        attr(&input, "type", kind);
        // An id, so a redraw of the card gives the keyboard back here.
        attr(&input, "id", &[&id, "-", value].concat());
        if kind == "radio" {
            attr(&input, "name", name);
            attr(&input, "value", value);
            attr(&input, "required", "");
        } else {
            attr(&input, "name", value);
        }
        if checked.contains(&value.as_str()) {
            attr(&input, "checked", "");
        }
        tie(&input, &id);
        add(&wrap, "span", "", label);
    }
    error(&set, &id);
    set
}

/// The kinds of photo taken, as a file field's `accept` says.
pub(crate) const PHOTO_TYPES: [&str; 3] = ["image/jpeg", "image/png", "image/webp"];
/// Photos one field takes.
pub(crate) const MAX_PHOTOS: u32 = 3;
/// The largest photo taken, in bytes.
pub(crate) const PHOTO_BYTES: f64 = 5.0 * 1024.0 * 1024.0;

/// A labelled field for up to three photos, with its error line; its wrapper.
pub(super) fn photos(parent: &Element, id: &str, name: &str, label: &str) -> Element {
    let id = [id, "-", name].concat();
    let wrap = add(parent, "div", "pp-field pp-photos", "");
    let input = labelled(&wrap, &id, label, "input");
    for (k, v) in [
        ("type", "file"),
        ("name", name),
        ("accept", &PHOTO_TYPES.join(",")),
        ("multiple", ""),
    ] {
        attr(&input, k, v);
    }
    tie(&input, &id);
    error(&wrap, &id);
    wrap
}

/// The files chosen in a photo field.
pub(crate) fn files(input: &Element) -> Vec<JsValue> {
    let list = get(input, "files");
    let n = js_sys::Reflect::get(&list, &"length".into())
        .ok()
        .and_then(|n| n.as_f64())
        .unwrap_or(0.0) as u32;
    (0..n)
        .filter_map(|i| js_sys::Reflect::get_u32(&list, i).ok())
        .collect()
}

/// Checks the photos chosen in a field (how many, their kind, their size) before any is
/// sent: a wrong choice is marked at once, and stays invalid until changed.
pub(crate) fn vet_photos(t: Texts, input: &Element) {
    let chosen = files(input);
    let of = |file: &JsValue, key: &str| js_sys::Reflect::get(file, &key.into()).ok();
    let wrong = if chosen.len() as u32 > MAX_PHOTOS {
        Some(Key::PhotosTooMany)
    } else if chosen.iter().any(|f| {
        let kind = of(f, "type")
            .and_then(|k| k.as_string())
            .unwrap_or_default();
        !PHOTO_TYPES.contains(&kind.as_str())
    }) {
        Some(Key::PhotosWrong)
    } else if chosen
        .iter()
        .any(|f| of(f, "size").and_then(|s| s.as_f64()).unwrap_or(0.0) > PHOTO_BYTES)
    {
        Some(Key::PhotosTooBig)
    } else {
        None
    };
    let says = wrong.map(|k| t.get(k)).unwrap_or_default();
    invalid(input, says);
    mark(input, says);
}

/// Sets (or with `""` clears) a control's own refusal, which `check` then reports.
pub(crate) fn invalid(el: &Element, says: &str) {
    if let Ok(f) = js_sys::Reflect::get(el, &"setCustomValidity".into()) {
        let _ = f
            .unchecked_into::<js_sys::Function>()
            .call1(el, &says.into());
    }
    attr(el, "data-wrong", says);
}

/// A labelled list to choose from, the first option (`""`) saying nothing is chosen yet.
pub(super) fn select(
    parent: &Element,
    id: &str,
    name: &str,
    label: &str,
    options: &[(String, String)],
) {
    let id = [id, "-", name].concat();
    let wrap = add(parent, "div", "pp-field", "");
    let input = labelled(&wrap, &id, label, "select");
    attr(&input, "name", name);
    attr(&input, "required", "");
    tie(&input, &id);
    for (value, text) in options {
        attr(&add(&input, "option", "", text), "value", value);
    }
    error(&wrap, &id);
}

/// A form's status line and its buttons: `send`, and "Not now" when it can be skipped.
pub(super) fn actions(t: Texts, form: &Element, send: Key, skip: bool) -> Element {
    let notice = add(form, "p", "pp-notice", "");
    attr(&notice, "role", "status");
    attr(&notice, "part", "notice");
    let row = add(form, "p", "pp-actions", "");
    button(&row, t.get(send), "", "submit");
    if skip {
        button(&row, t.get(Key::MoreSkip), "m-skip", "button");
    }
    row
}

pub(super) fn options(values: impl IntoIterator<Item = (String, String)>) -> Vec<(String, String)> {
    values.into_iter().collect()
}

/// Marks the controls in `scope` that the browser finds wanting (required, too long), each
/// with the message for its kind, and gives the keyboard to the first; true when none.
pub(crate) fn check(t: Texts, scope: &Element) -> bool {
    // A field that becomes required (`data-needed-with`: the box whose ticking makes it
    // needed, as a number for texts) is required now or not.
    for field in all(scope, "[data-needed-with]") {
        let with = field.get_attribute("data-needed-with").unwrap_or_default();
        let on = find(scope, &["[name=", &with, "]"].concat())
            .and_then(|b| get(&b, "checked").as_bool())
            .unwrap_or(false);
        let _ = field.toggle_attribute_with_force("required", on);
    }
    let bad = all(scope, "input:invalid,select:invalid,textarea:invalid");
    for el in &bad {
        let radio = get(el, "type").as_string().as_deref() == Some("radio");
        // What the control says of itself (a stepper's bounds, photos), else required.
        let own = el.get_attribute("data-wrong").filter(|w| !w.is_empty());
        let said = t.get(if radio {
            Key::MoreChoose
        } else {
            Key::MoreRequired
        });
        mark(el, own.as_deref().unwrap_or(said));
    }
    focus(bad.first().cloned());
    bad.is_empty()
}

pub(crate) fn mark(el: &Element, message: &str) {
    attr(
        el,
        "aria-invalid",
        if message.is_empty() { "false" } else { "true" },
    );
    if let (Some(id), Some(panel)) = (
        el.get_attribute("aria-describedby"),
        el.closest(".pp-panel").ok().flatten(),
    ) {
        if let Some(line) = find(&panel, &["#", &id].concat()) {
            line.set_text_content(Some(message));
        }
    }
}
