//! The widget's parts depend one way (see `src/lib.rs`): what the shopper does → what the
//! shopper sees → what the widget knows → the API, its decoder and the rules, with the DOM
//! helpers, texts and formats serving them all, and under those what the widget shares
//! with its after-delivery module (JSON readers, placeholders). This reads every file under
//! `src/` and fails on a reference that points back up, or sideways between the parts of a
//! layer.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

/// Each top-level module of the widget and its layer, highest first.
const LAYERS: [(&str, u8); 13] = [
    ("action", 1),
    ("screen", 2),
    ("more", 2),
    ("state", 3),
    ("api", 4),
    ("parcels", 4),
    ("decode", 5),
    ("dom", 6),
    ("i18n", 6),
    ("intl", 6),
    // What the widget shares with its after-delivery module, under everything else.
    ("shared", 7),
    // `lib.rs` mounts the widget and wires the layers: it may use them all.
    ("lib", 0),
    ("main", 0),
];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

/// The modules a file names as `crate::<module>`.
fn uses(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        // `crate::REFRESH_MS` and the like are the crate root's own items, not a part.
        if layer(&name).is_some() && rest[name.len()..].starts_with("::") {
            found.push(name);
        }
    }
    found
}

#[test]
fn the_widgets_parts_depend_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut wrong = Vec::new();
    let mut files = 0;
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let relative = path.strip_prefix(&src).unwrap();
            let own = relative
                .components()
                .next()
                .and_then(|c| c.as_os_str().to_str())
                .unwrap()
                .trim_end_matches(".rs")
                .to_owned();
            let mine = layer(&own).unwrap_or_else(|| panic!("{own}: a part without a layer"));
            files += 1;
            for used in uses(&std::fs::read_to_string(&path).unwrap()) {
                let theirs = layer(&used).unwrap();
                if used != own && theirs <= mine {
                    wrong.push(format!("{} uses crate::{used}", relative.display()));
                }
            }
        }
    }
    assert!(files > 10, "read only {files} files");
    assert!(
        wrong.is_empty(),
        "references against the layers: {wrong:#?}"
    );
}

#[test]
fn a_reference_back_up_is_found() {
    assert_eq!(uses("use crate::action::act;"), ["action"]);
    assert_eq!(uses("crate::REFRESH_MS"), Vec::<String>::new());
    assert!(layer("state").unwrap() > layer("screen").unwrap());
}
