//! Files for browsers: the widget's loader and versioned bundle, the hosted order page and
//! the demo storefront.
//!
//! The bundle is read once at start. Its files are served under a content hash
//! (`/widget/<build>/<file>`, cached for a year); the loader, the one URL merchants paste,
//! is served with a short cache and points at the current build.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use postpurchase_api::locales;
use sha2::{Digest, Sha256, Sha384};

use crate::error::{ApiError, Path as UrlPath, Query};
use crate::seed::Demo;
use crate::AppState;

/// The loader merchants embed.
pub const LOADER_PATH: &str = "/widget/postpurchase.js";
/// Files of the bundle whose content decides the build hash: the widget, and the module of
/// the follow-ups of the week after delivery, which the loader fetches when one first opens.
const BUNDLE: &[&str] = &[
    "postpurchase-widget.js",
    "postpurchase-widget_bg.wasm",
    "widget.css",
    "postpurchase-after.js",
    "postpurchase-after_bg.wasm",
    "after.css",
];

/// One file ready to serve, with its precompressed variants when the build made them.
#[derive(Clone, Debug)]
pub(crate) struct Asset {
    // `Bytes`: a response shares the file's memory instead of copying it per request.
    pub(crate) body: Bytes,
    pub(crate) brotli: Option<Bytes>,
    pub(crate) gzip: Option<Bytes>,
    pub(crate) content_type: &'static str,
}

/// The built widget, loaded from Trunk's output folder.
#[derive(Debug, Default)]
pub struct WidgetFiles {
    /// Hash of the bundle's content; part of every versioned URL.
    pub build: String,
    bundle: HashMap<String, Asset>,
    loader: Option<Asset>,
    /// The demo storefront page and its own files (not part of the widget).
    storefront: HashMap<String, Asset>,
    /// Every translation, by language code and key, from the widget's `locales/`.
    texts: BTreeMap<String, BTreeMap<String, String>>,
}

impl WidgetFiles {
    /// Reads the bundle; missing files leave the widget unavailable, not the server.
    pub fn load(dir: &Path, public_url: &str) -> WidgetFiles {
        let read = |name: &str| -> Option<Asset> {
            let body = std::fs::read(dir.join(name)).ok()?;
            let sibling = |ext: &str| {
                std::fs::read(dir.join(format!("{name}.{ext}")))
                    .ok()
                    .map(Bytes::from)
            };
            Some(Asset {
                brotli: sibling("br"),
                gzip: sibling("gz"),
                body: Bytes::from(body),
                content_type: content_type(name),
            })
        };
        let mut hasher = Sha256::new();
        let mut bundle = HashMap::new();
        for name in BUNDLE {
            if let Some(asset) = read(name) {
                hasher.update(&asset.body);
                bundle.insert((*name).to_owned(), asset);
            }
        }
        if bundle.len() != BUNDLE.len() {
            return WidgetFiles::default();
        }
        // Each language's texts for the widget, `texts-<code>.json`: the loader fetches the
        // shopper's one. Part of the build: new words are a new build.
        let texts = read_texts(&dir.join("locales"));
        // And the after-delivery module's, `after-texts-<code>.json`, fetched with it.
        for (lang, map) in &texts {
            for (name, words) in [
                (format!("texts-{lang}.json"), locales::widget_texts(map)),
                (
                    format!("after-texts-{lang}.json"),
                    locales::after_texts(map),
                ),
            ] {
                let json = serde_json::to_vec(&words).unwrap_or_default();
                hasher.update(&json);
                bundle.insert(
                    name,
                    Asset {
                        brotli: compress(&json, Encoding::Brotli),
                        gzip: compress(&json, Encoding::Gzip),
                        body: Bytes::from(json),
                        content_type: content_type(".json"),
                    },
                );
            }
        }
        let build: String = hasher.finalize()[..6]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        // Subresource Integrity of every file of the build: the loader checks what it
        // loads against these, and they are published at `/widget/<build>/integrity.json`.
        let mut integrity: BTreeMap<String, String> = bundle
            .iter()
            .map(|(name, asset)| (name.clone(), sri(&asset.body)))
            .collect();
        // JSON for the loader's source; `<` escaped so it can never close a script element.
        let integrity_json = serde_json::to_string(&integrity)
            .unwrap_or_default()
            .replace('<', "\\u003c");
        let messages = loader_texts(&texts);
        // JSON string; `<` escaped so the CSS can never close a script element.
        let base_css = std::fs::read_to_string(dir.join("base.css"))
            .map(|css| {
                serde_json::Value::from(minify_css(&css))
                    .to_string()
                    .replace('<', "\\u003c")
            })
            .unwrap_or_else(|_| "\"\"".to_owned());
        let loader = read("postpurchase.js").map(|asset| {
            let text = String::from_utf8_lossy(&asset.body)
                .replace("__PP_BUILD__", &build)
                .replace("__PP_ORIGIN__", public_url)
                .replace("\"__PP_FALLBACK__\"", &messages)
                .replace("\"__PP_BASE_CSS__\"", &base_css)
                .replace("\"__PP_INTEGRITY__\"", &integrity_json);
            Asset {
                brotli: compress(text.as_bytes(), Encoding::Brotli),
                gzip: compress(text.as_bytes(), Encoding::Gzip),
                body: Bytes::from(text.into_bytes()),
                content_type: content_type("postpurchase.js"),
            }
        });
        // The loader of this build, under its versioned address too, for shops that pin
        // it with an `integrity` attribute.
        if let Some(loader) = &loader {
            integrity.insert("postpurchase.js".to_owned(), sri(&loader.body));
            bundle.insert("postpurchase.js".to_owned(), loader.clone());
        }
        let manifest = serde_json::to_vec_pretty(&integrity).unwrap_or_default();
        bundle.insert(
            "integrity.json".to_owned(),
            Asset {
                brotli: None,
                gzip: None,
                body: Bytes::from(manifest),
                content_type: content_type(".json"),
            },
        );
        let storefront = [
            "index.html",
            "storefront.js",
            "storefront.css",
            "playground.js",
        ]
        .into_iter()
        .filter_map(|name| Some((name.to_owned(), read(name)?)))
        .map(|(name, mut asset)| {
            if name == "index.html" {
                // Trunk leaves its own directives in the page; browsers need none of them.
                let page: String = String::from_utf8_lossy(&asset.body)
                    .lines()
                    .filter(|line| !line.contains("data-trunk") && !line.trim().is_empty())
                    .map(|line| format!("{line}\n"))
                    .collect();
                asset.body = Bytes::from(page.into_bytes());
            }
            (name, asset)
        })
        .collect();
        WidgetFiles {
            build,
            bundle,
            loader,
            storefront,
            texts,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.bundle.is_empty()
    }

    /// The loader's URL as merchants embed it.
    pub fn loader_url(public_url: &str) -> String {
        format!("{public_url}{LOADER_PATH}")
    }
}

/// Reads `locales/<language>.txt` as the widget's build does; a file that cannot be read
/// is left out (the build refused it already).
fn read_texts(dir: &Path) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut languages = BTreeMap::new();
    for path in std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
    {
        let (Some(lang), Ok(text)) = (
            path.file_stem().and_then(|s| s.to_str()).map(str::to_owned),
            std::fs::read_to_string(&path),
        ) else {
            continue;
        };
        if let Ok(entries) = locales::parse(&text) {
            languages.insert(lang, entries);
        }
    }
    languages
}

/// The texts the loader shows before and instead of the widget (`loader.*` keys), one
/// object per language, as JSON for the loader's source.
fn loader_texts(texts: &BTreeMap<String, BTreeMap<String, String>>) -> String {
    let languages: serde_json::Map<_, _> = texts
        .iter()
        .map(|(lang, entries)| {
            let messages: serde_json::Map<_, _> = entries
                .iter()
                .filter_map(|(key, value)| {
                    Some((
                        key.strip_prefix("loader.")?.to_owned(),
                        value.as_str().into(),
                    ))
                })
                .collect();
            (lang.clone(), messages.into())
        })
        .collect();
    // `<` escaped so the JSON can never close a script element.
    serde_json::Value::Object(languages)
        .to_string()
        .replace('<', "\\u003c")
}

impl WidgetFiles {
    /// The shopper's language for a page we render ourselves: the first of the browser's
    /// `Accept-Language` tags that the widget speaks, as the browser wrote it; else the
    /// shop's `fallback`.
    pub fn page_language(&self, accept_language: &str, fallback: &str) -> String {
        accept_language
            .split(',')
            .filter_map(|part| part.split(';').next())
            .map(str::trim)
            .filter(|tag| {
                !tag.is_empty() && tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
            .find(|tag| {
                let primary = tag.split('-').next().unwrap_or(tag).to_ascii_lowercase();
                self.texts.contains_key(&primary)
            })
            .unwrap_or(fallback)
            .to_owned()
    }

    /// Links to this page in each language the widget speaks, each named in its own
    /// language, the current one marked (`?lang=`; the token stays in the path).
    pub fn language_switch(&self, current: &str) -> String {
        let current = current
            .split('-')
            .next()
            .unwrap_or(current)
            .to_ascii_lowercase();
        let links: String = self
            .texts
            .keys()
            .map(|code| {
                let marked = if *code == current {
                    " aria-current=\"page\""
                } else {
                    ""
                };
                format!(
                    "<li><a href=\"?lang={code}\" hreflang=\"{code}\" lang=\"{code}\"{marked}>{}</a></li>",
                    escape(self.text(code, "page.language_name"))
                )
            })
            .collect();
        format!(
            "<nav aria-label=\"{}\"><ul>{links}</ul></nav>",
            escape(self.text(&current, "page.languages"))
        )
    }

    /// A translated text, English when the language lacks it.
    pub fn text<'a>(&'a self, language: &str, key: &'a str) -> &'a str {
        let primary = language
            .split('-')
            .next()
            .unwrap_or(language)
            .to_ascii_lowercase();
        [primary.as_str(), "en"]
            .iter()
            .find_map(|lang| self.texts.get(*lang)?.get(key))
            .map_or(key, String::as_str)
    }
}

enum Encoding {
    Brotli,
    Gzip,
}

/// Compresses a file the server writes itself (the loader) once, at start.
fn compress(data: &[u8], encoding: Encoding) -> Option<Bytes> {
    use std::io::Write;
    let mut out = Vec::with_capacity(data.len() / 2);
    match encoding {
        Encoding::Brotli => {
            // A window just large enough for the file: the same bytes out, and quality
            // 11's memory follows the window (4 MiB of window took the server's start
            // from 20 to over 50 MB).
            let window = (usize::BITS - data.len().max(1).leading_zeros()).clamp(16, 22);
            let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 11, window);
            writer.write_all(data).ok()?;
        }
        Encoding::Gzip => {
            let mut writer = flate2::write::GzEncoder::new(&mut out, flate2::Compression::best());
            writer.write_all(data).ok()?;
            writer.finish().ok()?;
        }
    }
    Some(Bytes::from(out))
}

/// A Subresource Integrity value: `sha384-<base64 of the SHA-384 digest>`.
fn sri(body: &[u8]) -> String {
    use base64::Engine;
    format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha384::digest(body))
    )
}

/// Drops comments and runs of white space: the base sheet travels inside every loader.
fn minify_css(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        rest = rest[start + 2..]
            .split_once("*/")
            .map_or("", |(_, after)| after);
    }
    out.push_str(rest);
    let words: Vec<&str> = out.split_whitespace().collect();
    let mut joined = words.join(" ");
    for punct in ["{", "}", ";", ","] {
        joined = joined
            .replace(&format!(" {punct}"), punct)
            .replace(&format!("{punct} "), punct);
    }
    joined
}

pub(crate) fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("html") => "text/html; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Serves an asset in the best encoding the browser accepts.
pub(crate) fn respond(asset: &Asset, headers: &HeaderMap, cache: &'static str) -> Response {
    let accepts = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let (body, encoding) = match (&asset.brotli, &asset.gzip) {
        (Some(br), _) if accepts.contains("br") => (br.clone(), Some("br")),
        (_, Some(gz)) if accepts.contains("gzip") => (gz.clone(), Some("gzip")),
        _ => (asset.body.clone(), None),
    };
    let mut response = (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
            (
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            ),
            (header::VARY, HeaderValue::from_static("Accept-Encoding")),
        ],
        body,
    )
        .into_response();
    if let Some(encoding) = encoding {
        response
            .headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    response
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route(LOADER_PATH, get(loader))
        .route("/widget/{build}/{file}", get(bundle_file))
        .route("/o/{shop}/{token}", get(hosted_page))
        .route("/o/{shop}/{token}/returns/{number}/label", get(return_page))
}

async fn loader(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match &state.widget.loader {
        Some(asset) => respond(asset, &headers, "public, max-age=300"),
        None => widget_missing(),
    }
}

async fn bundle_file(
    State(state): State<AppState>,
    UrlPath((build, file)): UrlPath<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if build != state.widget.build {
        // An old build's file: the loader that asked is stale, and so is this page.
        return ApiError::not_found().into_response();
    }
    match state.widget.bundle.get(&file) {
        Some(asset) => respond(asset, &headers, "public, max-age=31536000, immutable"),
        None => ApiError::not_found().into_response(),
    }
}

fn widget_missing() -> Response {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "widget_not_built",
        "The widget has not been built on this server.",
    )
    .into_response()
}

/// The order as a page of its own, for links in e-mails and for shops that cannot embed
/// scripts. The token only travels in the embed attribute, escaped.
async fn hosted_page(
    State(state): State<AppState>,
    UrlPath((shop, token)): UrlPath<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    // The shop's name, own order page, language and theme (a preset, and its variables as
    // one rule).
    let page = state.db.shop_page(&shop).await.ok().flatten();
    let (name, order_url, fallback, theme) = match page {
        Some(page) => (page.name, page.order_status_url, page.language, page.theme),
        None => (String::new(), None, "en".to_owned(), Default::default()),
    };
    let mut extra = order_url
        .map(|url| format!(" data-order-page=\"{}\"", escape(&url)))
        .unwrap_or_default();
    if theme.preset != postpurchase_api::ThemePreset::Light {
        extra += &format!(" data-theme=\"{}\"", crate::store::wire_name(theme.preset));
    }
    let style = [HOSTED_STYLE, &crate::theme::css(&theme)].concat();
    // The shop's web font, from the host it names, and its logo.
    let fonts = crate::theme::font_origins(&theme);
    let font_link = theme
        .font_css_url
        .as_deref()
        .filter(|_| fonts.is_some())
        .map(|u| format!("<link rel=\"stylesheet\" href=\"{}\">", escape(u)))
        .unwrap_or_default();
    let brand = match theme.logo_url.as_deref() {
        Some(logo) => format!(
            "<p class=\"shop\"><img class=\"logo\" src=\"{}\" alt=\"{}\"></p>",
            escape(logo),
            escape(&name)
        ),
        None if name.is_empty() => String::new(),
        None => format!("<p class=\"shop\">{}</p>", escape(&name)),
    };
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // `?lang=` (the language switch's links, or a link in the shop's e-mail) wins when the
    // widget speaks it; else the browser's languages, else the shop's.
    let asked = query
        .as_deref()
        .and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes()).find_map(|(k, v)| (k == "lang").then_some(v))
        })
        .map(|v| v.into_owned())
        .filter(|v| v.len() <= 35);
    let lang = asked
        .map(|asked| state.widget.page_language(&asked, ""))
        .filter(|lang| !lang.is_empty())
        .unwrap_or_else(|| state.widget.page_language(accept, &fallback));
    let title = escape(state.widget.text(&lang, "hosted.title"));
    let page = format!(
        "<!doctype html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><link rel=\"icon\" href=\"data:,\"><title>{title}</title>\
         {font_link}<style>{style}</style></head><body><header>{brand}{}</header><main><h1>{title}</h1>{}</main></body></html>",
        escape(&lang),
        state.widget.language_switch(&lang),
        embed_tag(&state.public_url, &shop, &token, &extra)
    );
    (
        [
            (header::CACHE_CONTROL, "no-store".to_owned()),
            (header::CONTENT_SECURITY_POLICY, hosted_csp(&style, fonts)),
            (header::VARY, "Accept-Language".to_owned()),
        ],
        Html(page),
    )
        .into_response()
}

/// The printable page of a return: its code to scan, what to do with the parcel, and
/// what goes in it, in the shopper's browser language. No script at all.
async fn return_page(
    State(state): State<AppState>,
    UrlPath((shop, token, number)): UrlPath<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let fallback = match state.db.shop_page(&shop).await {
        Ok(Some(page)) => page.language,
        _ => "en".to_owned(),
    };
    let lang = state.widget.page_language(accept, &fallback);
    let text = |key: &str| state.widget.text(&lang, key).to_owned();
    let now = state.clock.now();
    let found = state.db.return_page(&shop, &token, &number, now).await;
    let (status, body) = match found {
        Ok(Some(crate::store::returns::ReturnPage {
            view,
            lines,
            shop,
            address,
            points,
        })) => {
            let items: String = view
                .items
                .iter()
                .filter_map(|i| {
                    let line = lines.iter().find(|l| l.line_id == i.line_id)?;
                    let words = text("page.return_item")
                        .replace("{name}", &line.name)
                        .replace("{count}", &i.quantity.to_string());
                    Some(format!("<li>{}</li>", escape(&words)))
                })
                .collect();
            let title = text("page.return_title").replace("{number}", &view.number);
            let contents = format!(
                "<h2>{}</h2><ul>{items}</ul>",
                escape(&text("page.return_items"))
            );
            let body = match view.send_by.as_deref() {
                // Nowhere to send it yet: say so, and tell nobody to send anything.
                None => format!(
                    "<p class=\"how\">{}</p>{contents}",
                    escape(&text("page.return_wait").replace("{shop}", &shop))
                ),
                Some(by) => {
                    let how = text(match view.method {
                        postpurchase_api::ReturnMethod::DropOff => "page.return_drop_off",
                        postpurchase_api::ReturnMethod::Label => "page.return_label",
                        postpurchase_api::ReturnMethod::PickupPoint => "page.return_pickup_point",
                    });
                    // The carrier's own label, when the shop attached one, comes first.
                    let label = view
                        .label_url
                        .as_deref()
                        .filter(|u| crate::domain::shops::web_url_ok(u))
                        .map(|u| {
                            format!(
                                "<p><a class=\"label\" href=\"{}\">{}</a></p>",
                                escape(u),
                                escape(&text("page.return_carrier_label"))
                            )
                        })
                        .unwrap_or_default();
                    let to = address
                        .map(|a| {
                            let lines: Vec<String> = a.lines().map(escape).collect();
                            format!(
                                "<h2>{}</h2><address>{}</address>",
                                escape(&text("page.return_send_to")),
                                lines.join("<br>")
                            )
                        })
                        .unwrap_or_default();
                    let by = format!(
                        "<p class=\"by\">{}</p>",
                        escape(&text("page.return_send_by"))
                            .replace("{date}", &format!("<time datetime=\"{by}\">{by}</time>"))
                    );
                    // The code to scan, drawn only for a return that can be sent.
                    let qr = crate::domain::returns::qr_svg(&view.number).unwrap_or_default();
                    // The library's drawing, from its `<svg` on (no XML prologue in HTML).
                    let qr = qr.find("<svg").map_or("", |at| &qr[at..]);
                    let code = format!(
                        "<figure>{qr}<figcaption>{}</figcaption></figure>",
                        escape(&view.number)
                    );
                    let dropping = view.method != postpurchase_api::ReturnMethod::Label;
                    let points: String = points
                        .iter()
                        .filter(|_| dropping)
                        .map(|p| {
                            format!(
                                "<li><strong>{}</strong><br>{}{}</li>",
                                escape(&p.name),
                                escape(&p.address),
                                p.opening_hours
                                    .iter()
                                    .map(|h| format!("<br>{}", escape(h)))
                                    .collect::<String>()
                            )
                        })
                        .collect();
                    let points = if points.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "<h2>{}</h2><ul class=\"points\">{points}</ul>",
                            escape(&text("page.return_points"))
                        )
                    };
                    format!(
                        "{label}{to}{by}<p class=\"how\">{}</p>{code}{contents}{points}",
                        escape(&how)
                    )
                }
            };
            (
                StatusCode::OK,
                format!(
                    "<h1>{}</h1><p>{}</p>{body}",
                    escape(&title),
                    escape(&text("page.return_intro")),
                ),
            )
        }
        _ => (
            StatusCode::NOT_FOUND,
            format!("<h1>{}</h1>", escape(&text("page.return_not_found"))),
        ),
    };
    let page = format!(
        "<!doctype html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><link rel=\"icon\" href=\"data:,\">\
         <title>{}</title><style>{RETURN_STYLE}</style></head><body><main>{body}</main></body></html>",
        escape(&lang),
        escape(&text("page.return_title").replace("{number}", &number)),
    );
    let style = style_hash(RETURN_STYLE);
    (
        status,
        [
            (header::CACHE_CONTROL, "no-store".to_owned()),
            (
                header::CONTENT_SECURITY_POLICY,
                format!(
                    "default-src 'none'; style-src 'sha256-{style}'; img-src data:; \
                     base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
                ),
            ),
            (header::VARY, "Accept-Language".to_owned()),
        ],
        Html(page),
    )
        .into_response()
}

const RETURN_STYLE: &str = "body{margin:0;padding:1rem;color:#1d1d1b;background:#fff;\
    font:16px/1.5 system-ui,sans-serif}main{max-width:36rem;margin:0 auto}\
    h1{font-size:1.5rem;margin:0 0 .5rem}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}\
    figure{margin:1.5rem 0;text-align:center}figure svg{width:15rem;height:15rem}\
    figcaption{font:700 1.5rem/1 ui-monospace,monospace;letter-spacing:.1em;margin-top:.5rem}\
    .how,.by{font-weight:600}address{font-style:normal;font-size:1.25rem;line-height:1.4;\
    border:2px solid;padding:.75rem 1rem;display:inline-block}.points{padding-left:1.2rem}\
    .label{font-weight:700}@media print{body{padding:0}.label{display:none}}";

const HOSTED_STYLE: &str = "body{margin:0;padding:1rem;background:#f6f6f4;color:#1d1d1b;\
    font:16px/1.5 system-ui,sans-serif}main,header{max-width:44rem;margin:0 auto}\
    header{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;\
    gap:.5rem 1rem;margin-bottom:1rem}.shop{margin:0;font-weight:700;font-size:1.125rem}\
    .logo{display:block;max-height:2.5rem;max-width:12rem}\
    header ul{display:flex;flex-wrap:wrap;gap:.25rem .75rem;margin:0;padding:0;list-style:none}\
    header a{color:inherit;text-underline-offset:.15em}header a[aria-current]{font-weight:700;\
    text-decoration:none}h1{font-size:1.5rem;margin:0 0 1rem}";

/// The hosted page runs nothing but the widget from this server: scripts, requests and
/// styles from here only (its one inline style by hash), WebAssembly allowed, product
/// images from anywhere on https, and no framing.
fn hosted_csp(inline_style: &str, fonts: Option<(String, String)>) -> String {
    let style = style_hash(inline_style);
    // A web font the shop names: its stylesheet's origin for styles, and fonts from there
    // and from where its files are.
    let (styles, fonts) = match fonts {
        Some((css, files)) if css == files => (format!(" {css}"), format!("; font-src {css}")),
        Some((css, files)) => (format!(" {css}"), format!("; font-src {css} {files}")),
        None => (String::new(), String::new()),
    };
    format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; \
         style-src 'sha256-{style}'{styles}; img-src 'self' https: data:{fonts}; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'none'"
    )
}

/// The CSP source hash of an inline style, so a page's policy can allow exactly it.
fn style_hash(css: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(css))
}

/// The one tag a merchant pastes, with every attribute value HTML-escaped.
pub fn embed_tag(public_url: &str, shop: &str, token: &str, extra: &str) -> String {
    format!(
        "<script type=\"module\" async src=\"{}\" data-shop=\"{}\" data-order=\"{}\"{extra}></script>",
        escape(&WidgetFiles::loader_url(public_url)),
        escape(shop),
        escape(token)
    )
}

/// Escapes text for an HTML attribute or element.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[derive(serde::Deserialize)]
struct StorefrontQuery {
    order: Option<String>,
}

/// The demo storefront, served on its own origin so the widget runs cross-origin exactly
/// as on a merchant's site.
pub fn storefront_router(state: AppState, demo: Arc<Demo>) -> Router {
    Router::new()
        .route("/", get(storefront_page))
        .route("/account/orders", get(storefront_orders))
        .route("/help", get(storefront_help))
        .route("/webhooks", axum::routing::post(storefront_webhook))
        .route("/merchant/webhooks", get(storefront_webhooks))
        .route("/theme", get(theme_playground))
        .route("/{file}", get(storefront_file))
        .fallback(|| async { (StatusCode::NOT_FOUND, Html("<h1>Not found</h1>")) })
        .with_state((state, demo))
}

async fn storefront_page(
    State((state, demo)): State<(AppState, Arc<Demo>)>,
    Query(query): Query<StorefrontQuery>,
) -> Response {
    let Some(template) = state.widget.storefront.get("index.html") else {
        return widget_missing();
    };
    let selected = query
        .order
        .as_deref()
        .and_then(|n| demo.orders.iter().find(|o| o.number == n))
        .or(demo.orders.first());
    let list: String = demo
        .orders
        .iter()
        .map(|o| {
            let current = if Some(o) == selected {
                " aria-current=\"page\""
            } else {
                ""
            };
            format!(
                "<li><a href=\"/?order={}\"{current}>Order #{} <span>{}</span></a></li>",
                escape(&o.number),
                escape(&o.number),
                escape(o.label)
            )
        })
        .collect();
    let tag = selected
        .map(|o| {
            let order_page = format!(" data-order-page=\"{}\"", escape(&demo.order_page));
            embed_tag(&state.public_url, crate::seed::SHOP, &o.token, &order_page)
        })
        .unwrap_or_default();
    let html = String::from_utf8_lossy(&template.body)
        .replace("<!-- PP_ORDER_LIST -->", &list)
        .replace("<!-- PP_EMBED -->", &tag)
        .replace(
            "<!-- PP_ORDER_NUMBER -->",
            &escape(selected.map_or("", |o| &o.number)),
        );
    ([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

/// A plain page of the demo shop's own, around `body`.
fn shop_page(title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"icon\" href=\"data:,\"><title>{title} · Koffie &amp; Klei</title><link rel=\"stylesheet\" href=\"/storefront.css\"></head>\
         <body><header class=\"site\"><a class=\"brand\" href=\"/\">Koffie &amp; Klei</a>\
         <nav aria-label=\"Shop\"><a href=\"/help\">Help</a><a href=\"/account/orders\">My orders</a>\
         <a href=\"/merchant/webhooks\">Webhooks</a><a href=\"/theme\">Theme</a></nav></header>\
         <main class=\"page\"><h1>{title}</h1>{body}</main></body></html>"
    );
    ([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

/// The theme playground: the widget for a sample order beside a field for each of its
/// variables (`playground.js` reads them from the widget's own sheet), a preset, and the
/// CSS to copy.
async fn theme_playground(
    State((state, demo)): State<(AppState, Arc<Demo>)>,
    Query(query): Query<StorefrontQuery>,
) -> Response {
    let order = query
        .order
        .as_deref()
        .and_then(|n| demo.orders.iter().find(|o| o.number == n))
        .or_else(|| demo.orders.iter().find(|o| o.number == "1002"));
    let tag = order
        .map(|o| embed_tag(&state.public_url, crate::seed::SHOP, &o.token, ""))
        .unwrap_or_default();
    shop_page(
        "Theme playground",
        &format!(
            "<p>Change any variable and the widget follows; the CSS for your theme is written              below. Variables and parts are described in the theming reference              (<code>docs/theming.md</code>).</p>\
             <div class=\"playground\"><div class=\"playground-controls\">\
             <p><label for=\"theme-preset\">Preset</label> <select id=\"theme-preset\">\
             <option value=\"light\">light</option><option value=\"dark\">dark</option>\
             <option value=\"auto\">auto (follows the system)</option></select></p>\
             <form id=\"theme-form\" aria-label=\"Variables\"></form>\
             <p><label for=\"theme-css\">Your CSS</label></p>\
             <textarea id=\"theme-css\" rows=\"8\" readonly></textarea>\
             <p><button type=\"button\" id=\"theme-copy\">Copy CSS</button> \
             <span id=\"theme-status\" role=\"status\"></span></p></div>\
             <div class=\"playground-widget\">{tag}</div></div>\
             <script src=\"/playground.js\" defer></script>"
        ),
    )
}

/// The shop's own order page: where the widget sends shoppers when it cannot load.
async fn storefront_orders(State((_, demo)): State<(AppState, Arc<Demo>)>) -> Response {
    let rows: String = demo
        .orders
        .iter()
        .map(|o| {
            format!(
                "<tr><td>#{}</td><td>{}</td></tr>",
                escape(&o.number),
                escape(o.label)
            )
        })
        .collect();
    shop_page(
        "My orders",
        &format!(
            "<p>The shop's own order history, without the widget: the page the widget links to \
             when it cannot show an order.</p><table><thead><tr><th scope=\"col\">Order</th>\
             <th scope=\"col\">Status</th></tr></thead><tbody>{rows}</tbody></table>"
        ),
    )
}

/// The demo shop's webhook endpoint, as a merchant would write one: check the signature
/// and the timestamp, then take the event.
async fn storefront_webhook(
    State((state, demo)): State<(AppState, Arc<Demo>)>,
    headers: HeaderMap,
    body: String,
) -> StatusCode {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(timestamp), Some(signature)) = (
        header("postpurchase-timestamp").and_then(|t| t.parse::<i64>().ok()),
        header("postpurchase-signature"),
    ) else {
        return StatusCode::BAD_REQUEST;
    };
    let expected = crate::webhooks::sign(&demo.webhook_secret, timestamp, &body);
    let fresh = (timestamp - state.clock.now()).abs() <= 300;
    if expected.as_bytes() != signature.as_bytes() || !fresh {
        return StatusCode::UNAUTHORIZED;
    }
    let Ok(event) = serde_json::from_str::<postpurchase_api::WebhookEvent>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    let what = match &event.data {
        postpurchase_api::WebhookData::DeliveryChoice(c) => format!(
            "order #{} · parcel {} ({}): {}",
            c.order_number,
            c.tracking_number,
            c.carrier,
            c.choice.as_ref().map_or("cleared", |c| c.kind.as_str())
        ),
        postpurchase_api::WebhookData::Return(r) => format!(
            "order #{} · return {}: {}",
            r.order_number,
            r.return_.number,
            crate::store::wire_name(r.return_.status)
        ),
        postpurchase_api::WebhookData::Shipment(s) => format!(
            "order #{} · parcel {} ({}): {} → {}",
            s.order_number,
            s.tracking_number,
            s.carrier,
            s.previous_status.as_str(),
            s.status.as_str()
        ),
        postpurchase_api::WebhookData::Review(r) => {
            format!("order #{} · {}: {} stars", r.order_number, r.sku, r.stars)
        }
        postpurchase_api::WebhookData::Survey(a) => {
            format!("order #{} · {}", a.order_number, a.question)
        }
        postpurchase_api::WebhookData::Referral(r) => {
            format!("order #{} · code {} used", r.order_number, r.code)
        }
        postpurchase_api::WebhookData::Upgrade(u) => {
            format!(
                "order #{} · faster delivery {:?}",
                u.order_number, u.request.status
            )
        }
        postpurchase_api::WebhookData::Reminder(r) => {
            format!(
                "order #{} · re-order {} reminder due",
                r.order_number, r.sku
            )
        }
        postpurchase_api::WebhookData::Stalled(o) => format!(
            "order #{} · not with a carrier by {}",
            o.order_number, o.dispatch_by
        ),
        postpurchase_api::WebhookData::Change(c) => format!(
            "order #{} · asks to {}: {}",
            c.order_number,
            match c.kind {
                postpurchase_api::ChangeKind::Cancel => "cancel",
                postpurchase_api::ChangeKind::Address => "change the address",
            },
            crate::store::wire_name(c.status)
        ),
    };
    let line = format!(
        "{} · {} · {what} · signature verified",
        event.created_at, event.kind
    );
    let mut inbox = demo.inbox.lock().unwrap_or_else(|e| e.into_inner());
    inbox.push_front(line);
    inbox.truncate(50);
    StatusCode::NO_CONTENT
}

/// What the demo shop's webhook endpoint received.
async fn storefront_webhooks(State((_, demo)): State<(AppState, Arc<Demo>)>) -> Response {
    let inbox = demo.inbox.lock().unwrap_or_else(|e| e.into_inner());
    let items: String = if inbox.is_empty() {
        "<li>Nothing yet. Choose how a parcel arrives on an order page, then come back.</li>"
            .to_owned()
    } else {
        inbox
            .iter()
            .map(|l| format!("<li>{}</li>", escape(l)))
            .collect()
    };
    shop_page(
        "Webhooks",
        &format!(
            "<p>Signed webhooks the shop received from postpurchase, newest first: one for every              delivery choice a shopper makes or changes.</p><ul>{items}</ul>"
        ),
    )
}

async fn storefront_help() -> Response {
    shop_page(
        "Help",
        "<p>Questions about an order? Mail help@koffie-en-klei.example or call +31 20 123 4567.</p>",
    )
}

async fn storefront_file(
    State((state, _)): State<(AppState, Arc<Demo>)>,
    UrlPath(file): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    match state
        .widget
        .storefront
        .get(&file)
        .filter(|_| file != "index.html")
    {
        Some(asset) => respond(asset, &headers, "no-cache"),
        None => (StatusCode::NOT_FOUND, Html("<h1>Not found</h1>")).into_response(),
    }
}

impl PartialEq for crate::seed::DemoOrder {
    fn eq(&self, other: &Self) -> bool {
        self.number == other.number
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minified_css_keeps_every_rule() {
        let css = "/* tokens */\n:host {\n  --pp-a: 1px;\n}\n.pp a:hover, .pp :focus { color: red; } /* end */";
        assert_eq!(
            minify_css(css),
            ":host{--pp-a: 1px;}.pp a:hover,.pp :focus{color: red;}"
        );
    }

    #[test]
    fn escape_covers_attribute_breakers() {
        assert_eq!(escape(r#"a"b'<c>&"#), "a&quot;b&#39;&lt;c&gt;&amp;");
    }
}
