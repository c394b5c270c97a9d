//! Turns the console's texts in `locales/*.txt` (`console.*`, and the parcels' `status.*`)
//! into a `Key` enum and one table of texts per language, embedded in the bundle: the
//! console is for staff at a desk, and four short tables cost less than a request each.
//! The widget's build script checks that every language has every key.

use std::collections::BTreeMap;
use std::fmt::Write as _;

#[path = "../api/src/locales.rs"]
#[allow(dead_code)]
mod locales;

fn main() {
    println!("cargo:rerun-if-changed=../../locales");
    let mut languages: Vec<(String, BTreeMap<String, String>)> = Vec::new();
    for entry in std::fs::read_dir("../../locales")
        .expect("locales/ folder")
        .flatten()
    {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "txt") {
            continue;
        }
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path).expect("a readable translation file");
        let map = locales::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let code = path.file_stem().unwrap().to_string_lossy().into_owned();
        languages.push((code, map));
    }
    languages.sort_by_key(|(code, _)| (code != "en", code.clone()));
    let reference = languages[0].1.clone();
    let keys: Vec<&String> = reference
        .keys()
        .filter(|k| locales::in_console(k))
        .collect();
    let mut out = String::from(
        "/// A text of the console (generated from `locales/en.txt` by build.rs).\n\
         #[derive(Clone, Copy, Debug, PartialEq, Eq)]\n#[repr(u16)]\npub enum Key {\n",
    );
    for key in &keys {
        let name = key.strip_prefix("console.").unwrap_or(key);
        writeln!(out, "    {},", locales::variant(name)).unwrap();
    }
    out.push_str("}\n\n/// The languages, English first, each with its texts in the order of `Key`.\npub const TEXTS: &[(&str, &[&str])] = &[\n");
    for (code, map) in &languages {
        write!(out, "    ({code:?}, &[").unwrap();
        for key in &keys {
            let text = map.get(*key).or_else(|| reference.get(*key)).unwrap();
            write!(out, "{text:?}, ").unwrap();
        }
        out.push_str("]),\n");
    }
    out.push_str("];\n");
    let dest = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("texts.rs");
    std::fs::write(dest, out).unwrap();
}
