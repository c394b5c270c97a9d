//! The widget's source, read by the native tests that check it against its documents.

use std::path::Path;

/// Every file under `src/` and the loader, as one text.
pub fn code() -> String {
    fn walk(dir: &Path, out: &mut String) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
        entries.sort_by_key(|e| e.path());
        for entry in entries {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                *out += &std::fs::read_to_string(&path).unwrap();
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = String::new();
    walk(&root.join("src"), &mut out);
    out + &std::fs::read_to_string(root.join("loader/postpurchase.js")).unwrap()
}
