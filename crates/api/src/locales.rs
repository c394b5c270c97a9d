//! The translation files, `locales/<language>.txt`: `key = text` lines, `#` comments.
//!
//! One reading for everyone who needs them: the widget's build script (it makes the `Key`
//! enum and checks every language against English), and the server (it serves each
//! language to the widget as a JSON array, and renders its own pages with them). The
//! widget's texts are its keys in sorted order, `page.*` keys left out: both sides derive
//! that order here, so a key's index means the same text on both.

use std::collections::BTreeMap;

/// A translation file's keys and texts; an error names the line that is not `key = text`
/// or repeats a key.
pub fn parse(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut map = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line
            .split_once(" = ")
            .ok_or_else(|| format!("line {}: expected `key = text`", n + 1))?;
        if map
            .insert(key.trim().to_owned(), value.trim().to_owned())
            .is_some()
        {
            return Err(format!("line {}: duplicate key {}", n + 1, key.trim()));
        }
    }
    Ok(map)
}

/// Whether the widget shows the text of `key`; `page.*` texts are for pages the server
/// renders, `console.*` for the merchants' console and `after.*` for the module that draws
/// the follow-ups of the week after delivery (`crates/after`, loaded when one first opens),
/// and stay out of the widget's first download.
pub fn in_widget(key: &str) -> bool {
    !key.starts_with("page.") && !key.starts_with("console.") && !in_after(key)
}

/// Whether the after-delivery module (`crates/after`) shows the text of `key`; its texts
/// are served apart from the widget's ([`after_texts`]).
pub fn in_after(key: &str) -> bool {
    key.starts_with("after.")
}

/// Whether the console shows the text of `key`: its own, the parcels' statuses and the
/// safe places' names.
pub fn in_console(key: &str) -> bool {
    ["console.", "status.", "place."]
        .iter()
        .any(|prefix| key.starts_with(prefix))
}

/// The name of `key` in the widget's `Key` enum: `items.title` -> `ItemsTitle`.
pub fn variant(key: &str) -> String {
    key.split(['.', '_'])
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The widget's texts of one language, in the order of its `Key` enum.
pub fn widget_texts(map: &BTreeMap<String, String>) -> Vec<&str> {
    map.iter()
        .filter(|(key, _)| in_widget(key))
        .map(|(_, text)| text.as_str())
        .collect()
}

/// The after-delivery module's texts of one language, in the order of its `W` enum
/// (`crates/after`): served as `after-texts-<code>.json`, fetched with the module.
pub fn after_texts(map: &BTreeMap<String, String>) -> Vec<&str> {
    map.iter()
        .filter(|(key, _)| in_after(key))
        .map(|(_, text)| text.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_become_keys_in_sorted_order_without_page_texts() {
        let map =
            parse("# c\nb.x = Two {n}\n\n a.y =  One \npage.z = Page\nafter.b = B\nafter.a = A\n")
                .unwrap();
        assert_eq!(widget_texts(&map), ["One", "Two {n}"]);
        assert_eq!(after_texts(&map), ["A", "B"]);
        assert_eq!(map["page.z"], "Page");
        assert_eq!(
            variant("returns.store_credit_bonus"),
            "ReturnsStoreCreditBonus"
        );
    }

    #[test]
    fn bad_lines_are_named() {
        assert_eq!(
            parse("a = 1\nno equals\n").unwrap_err(),
            "line 2: expected `key = text`"
        );
        assert_eq!(
            parse("a = 1\na = 2\n").unwrap_err(),
            "line 2: duplicate key a"
        );
    }
}
