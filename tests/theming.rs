//! The theming reference (`docs/theming.md`) against the stylesheets and the code: every
//! variable the styles use is defined on `:host` with the default the reference states,
//! and every `part` the widget or its loader sets is in the reference, and nothing more.
//! Variables and parts are a stable API; this keeps the page and the product one thing.
#![cfg(not(target_arch = "wasm32"))]

mod source;

use std::collections::BTreeMap;
use std::collections::BTreeSet;

fn read(path: &str) -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/").to_owned() + path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The `--pp-*` declarations of the first rule for `selector`, name -> value.
fn declared(css: &str, selector: &str) -> BTreeMap<String, String> {
    let start = css.find(selector).expect("the rule") + selector.len();
    let body = &css[start..start + css[start..].find('}').unwrap()];
    body.split(';')
        .filter_map(|d| {
            let d = d.trim_start_matches(|c: char| c.is_whitespace() || c == '{');
            let d = d.rsplit("*/").next().unwrap().trim();
            let (name, value) = d.split_once(':')?;
            name.starts_with("--pp-").then(|| {
                (
                    name.to_owned(),
                    value.split_whitespace().collect::<Vec<_>>().join(" "),
                )
            })
        })
        .collect()
}

/// Every `var(--pp-…)` in `css`.
fn used(css: &str) -> BTreeSet<String> {
    css.split("var(")
        .skip(1)
        .filter_map(|rest| {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            name.starts_with("--pp-").then_some(name)
        })
        .collect()
}

/// The rows of the reference's table under `heading`: first column -> second column.
fn table(doc: &str, heading: &str) -> BTreeMap<String, String> {
    let section = doc.split(heading).nth(1).expect("the section");
    let section = section.split("\n## ").next().unwrap();
    section
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.split(" | ").collect();
            let cell = |i: usize| {
                cells[i]
                    .trim_matches(|c| c == '|' || c == ' ' || c == '`')
                    .to_owned()
            };
            (cell(0), cell(1))
        })
        .collect()
}

/// The quoted word after each `marker` (spaces, commas and line breaks in between).
fn quoted_after(code: &str, marker: &str) -> Vec<String> {
    code.split(marker)
        .skip(1)
        .filter_map(|rest| {
            let rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
            let rest = rest.strip_prefix('"')?;
            Some(rest[..rest.find('"')?].to_owned())
        })
        .collect()
}

#[test]
fn every_variable_is_defined_documented_and_used_as_documented() {
    let base = read("style/base.css");
    let widget = read("style/widget.css");
    let defined = declared(&base, ":host {");
    let mut in_use = used(&base);
    in_use.extend(used(&widget));
    let undefined: Vec<_> = in_use
        .iter()
        .filter(|v| !defined.contains_key(*v))
        .collect();
    assert!(
        undefined.is_empty(),
        "used but not defined on :host: {undefined:?}"
    );
    let unused: Vec<_> = defined.keys().filter(|v| !in_use.contains(*v)).collect();
    assert!(unused.is_empty(), "defined but never used: {unused:?}");

    let doc = table(&read("docs/theming.md"), "## Variables");
    assert_eq!(
        doc.keys().collect::<Vec<_>>(),
        defined.keys().collect::<Vec<_>>(),
        "docs/theming.md must list exactly the variables of style/base.css"
    );
    for (name, value) in &defined {
        assert_eq!(
            &doc[name], value,
            "the default of {name} in docs/theming.md"
        );
    }
    // The presets set colours the reference knows.
    for preset in [":host([theme=\"dark\"]) {", ":host([theme=\"auto\"]) {"] {
        let colours = declared(&base, preset);
        assert!(colours.len() >= 9, "{preset} sets the colours");
        for name in colours.keys() {
            assert!(defined.contains_key(name), "{preset} sets unknown {name}");
        }
    }
}

#[test]
fn every_part_is_documented() {
    let code = source::code();
    let mut parts: BTreeSet<String> = BTreeSet::new();
    // `attr(el, "part", "x")`, `("part", "x")`, the loader's `part: "x"`, and the card's
    // `section("x", …)`, which names the part of each section.
    for marker in ["\"part\"", "part:", "section("] {
        parts.extend(quoted_after(&code, marker));
    }
    parts.remove("");
    let doc: BTreeSet<String> = table(&read("docs/theming.md"), "## Parts")
        .into_keys()
        .collect();
    assert!(parts.len() >= 20, "parts found: {parts:?}");
    assert_eq!(
        parts, doc,
        "docs/theming.md must list exactly the parts the widget sets"
    );
}
