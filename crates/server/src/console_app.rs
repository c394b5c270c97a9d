//! Serves the merchants' console: Trunk's build of `crates/console` from
//! `target/console-dist` (see `scripts/build-console.sh`) at `/admin/`. Shoppers never
//! load it. Its files carry content hashes in their names, so they are cached for good;
//! the page itself is never cached and runs under a strict Content-Security-Policy that
//! allows exactly its one inline start-up script, by hash.

use std::collections::HashMap;
use std::path::Path;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use sha2::{Digest, Sha256};

use crate::error::Path as UrlPath;
use crate::web::{content_type, respond, Asset};
use crate::AppState;

/// The built console, read once at start.
#[derive(Debug, Default)]
pub struct ConsoleFiles {
    page: Option<(Bytes, String)>,
    files: HashMap<String, Asset>,
}

impl ConsoleFiles {
    /// Reads the build; a missing one leaves `/admin/` saying how to make it.
    pub fn load(dir: &Path) -> ConsoleFiles {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return ConsoleFiles::default();
        };
        let mut files = HashMap::new();
        let mut page = None;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".br") || name.ends_with(".gz") {
                continue;
            }
            let Ok(body) = std::fs::read(entry.path()) else {
                continue;
            };
            if name == "index.html" {
                let csp = policy(&String::from_utf8_lossy(&body));
                page = Some((Bytes::from(body), csp));
                continue;
            }
            let sibling = |ext: &str| {
                std::fs::read(dir.join(format!("{name}.{ext}")))
                    .ok()
                    .map(Bytes::from)
            };
            files.insert(
                name.clone(),
                Asset {
                    brotli: sibling("br"),
                    gzip: sibling("gz"),
                    body: Bytes::from(body),
                    content_type: content_type(&name),
                },
            );
        }
        ConsoleFiles { page, files }
    }

    pub fn is_empty(&self) -> bool {
        self.page.is_none()
    }
}

/// The page's policy: its files and the API from this server only, its inline start-up
/// scripts by hash, WebAssembly, product images over https, no framing, no plug-ins.
fn policy(page: &str) -> String {
    use base64::Engine;
    let mut hashes = String::new();
    let mut rest = page;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let tag = &after[..open_end];
        let body_start = open_end + 1;
        let Some(close) = after[body_start..].find("</script>") else {
            break;
        };
        let body = &after[body_start..body_start + close];
        if !tag.contains("src=") && !body.trim().is_empty() {
            let digest = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(body));
            hashes.push_str(&format!(" 'sha256-{digest}'"));
        }
        rest = &after[body_start + close..];
    }
    format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'{hashes}; connect-src 'self'; \
         style-src 'self'; img-src 'self' https: data:; font-src 'self'; manifest-src 'self'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(|| async { Redirect::permanent("/admin/") }))
        .route("/admin/", get(page))
        .route("/admin/{file}", get(file))
}

async fn page(State(state): State<AppState>) -> Response {
    let Some((body, csp)) = &state.console.page else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "The console is not built on this server: run scripts/build-console.sh.\n",
        )
            .into_response();
    };
    let mut response = (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        ],
        body.clone(),
    )
        .into_response();
    if let Ok(csp) = HeaderValue::from_str(csp) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    response
}

async fn file(
    State(state): State<AppState>,
    UrlPath(name): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    match state.console.files.get(&name) {
        Some(asset) => respond(asset, &headers, "public, max-age=31536000, immutable"),
        None => crate::error::ApiError::not_found().into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_exactly_the_inline_start_up_script() {
        let page = r#"<html><head><script type="module">import init from '/admin/c.js'; init();</script>
            <script src="/admin/x.js"></script></head></html>"#;
        let csp = policy(page);
        use base64::Engine;
        let expected = base64::engine::general_purpose::STANDARD
            .encode(Sha256::digest("import init from '/admin/c.js'; init();"));
        assert!(csp.contains(&format!("'sha256-{expected}'")), "{csp}");
        assert_eq!(csp.matches("sha256-").count(), 1, "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
    }
}
