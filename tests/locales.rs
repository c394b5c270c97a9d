//! The translation files against the code: every text the widget carries is shown
//! somewhere (a `Key::…` in `src/`), so no language pays for words nobody reads. Keys
//! under `loader.` and `hosted.` are also read by the loader and the server; `page.`
//! keys are the server's only. (That every language has every key is checked by the
//! build itself: `build.rs` refuses a missing key or a changed placeholder.)
#![cfg(not(target_arch = "wasm32"))]

mod source;

#[test]
fn every_widget_text_is_used() {
    let root = env!("CARGO_MANIFEST_DIR");
    let en = std::fs::read_to_string(format!("{root}/locales/en.txt")).unwrap();
    let map = postpurchase_api::locales::parse(&en).unwrap();
    let code = source::code();
    let unused: Vec<&String> = map
        .keys()
        .filter(|k| postpurchase_api::locales::in_widget(k))
        .filter(|k| !k.starts_with("loader.") && !k.starts_with("hosted."))
        .filter(|k| {
            let name = postpurchase_api::locales::variant(k);
            !code.contains(&format!("Key::{name},"))
                && !code.contains(&format!("Key::{name})"))
                && !code.contains(&format!("Key::{name}\n"))
                && !code.contains(&format!("Key::{name} "))
                && !code.contains(&format!("Key::{name};"))
        })
        .collect();
    assert!(
        unused.is_empty(),
        "texts the widget never shows: {unused:?}"
    );
}
