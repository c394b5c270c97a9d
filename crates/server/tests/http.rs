//! Routing, errors, CORS, the OpenAPI document, widget files, logs and the demo seed.

mod common;

use std::io::Read;

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::*;
use postpurchase_server::web::WidgetFiles;

async fn unknown_paths_and_methods_get_json_errors(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (status, body) = app.get("/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
    let response = app
        .send(
            Request::delete("/api/v1/admin/orders")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["error"]["code"], "method_not_allowed");
}

/// Malformed requests anywhere get the JSON error body, with the status that says what was
/// wrong: the theme's body, a path that is not UTF-8, a repeated query parameter, a body
/// over the limit.
async fn every_malformed_request_gets_a_json_error(backend: Backend) {
    let app = TestApp::new(backend).await;
    app.create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    let bearer = format!("Bearer {SHOP_KEY}");
    let admin = |uri: &'static str, body: &'static str| {
        Request::post(uri)
            .header(header::AUTHORIZATION, &bearer)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap()
    };
    let theme = |body: &'static str, content_type: &'static str| {
        Request::put("/api/v1/admin/theme")
            .header(header::AUTHORIZATION, &bearer)
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap()
    };
    for (request, status, code) in [
        (
            theme("{", "application/json"),
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            theme("{}", "text/plain"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            theme(r#"{"variables": []}"#, "application/json"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        // An object is required: `[]` is not one, nor a string.
        (
            admin("/api/v1/admin/orders/1001/tokens", "[]"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            admin("/api/v1/admin/orders/1001/tokens", "\"{}\""),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            admin("/api/v1/admin/orders/1001/tokens", "nope"),
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        // A whole number is an integer however it is written (30.0 is 30); 30.5 is not.
        (
            admin(
                "/api/v1/admin/orders/1001/tokens",
                r#"{"valid_days": 30.0}"#,
            ),
            StatusCode::CREATED,
            "",
        ),
        (
            admin(
                "/api/v1/admin/orders/1001/tokens",
                r#"{"valid_days": 30.5}"#,
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        // A key given twice is ambiguous, not the last one taken.
        (
            admin(
                "/api/v1/admin/orders/1001/tokens",
                r#"{"valid_days": 30, "valid_days": 3}"#,
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            Request::get("/api/v1/shops/%FF/orders/AAAAAAAAAAAAAAAAAAAAAAAA")
                .body(Body::empty())
                .unwrap(),
            StatusCode::BAD_REQUEST,
            "invalid_path",
        ),
        (
            Request::get("/api/v1/admin/reviews?status=pending&status=published")
                .header(header::AUTHORIZATION, &bearer)
                .body(Body::empty())
                .unwrap(),
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (
            Request::post("/api/v1/admin/orders")
                .header(header::AUTHORIZATION, &bearer)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(format!(
                    r#"{{"number": "{}"}}"#,
                    "x".repeat(3 << 20)
                )))
                .unwrap(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
    ] {
        let what = format!("{} {}", request.method(), request.uri());
        let (got, body) = json_of(app.send(request).await).await;
        assert_eq!(got, status, "{what}: {body}");
        if status.is_success() {
            continue;
        }
        assert_eq!(body["error"]["code"], code, "{what}: {body}");
    }
}

fn preflight(path: &str, origin: &str) -> Request<Body> {
    Request::builder()
        .method(Method::OPTIONS)
        .uri(path)
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
        .body(Body::empty())
        .unwrap()
}

async fn cors_allows_exactly_the_shops_own_origins(backend: Backend) {
    let app = TestApp::new(backend).await;
    let path = "/api/v1/shops/shop/orders/AAAAAAAAAAAAAAAAAAAAAAAA";
    let allowed = app.send(preflight(path, SHOP_ORIGIN)).await;
    assert_eq!(
        allowed
            .headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .unwrap(),
        SHOP_ORIGIN
    );
    for origin in [
        "https://other.example",
        "https://shop.example.evil.example",
        "http://shop.example",
        "https://shop.example:8443",
        "null",
    ] {
        let refused = app.send(preflight(path, origin)).await;
        assert!(
            refused
                .headers()
                .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                .is_none(),
            "{origin} was allowed"
        );
    }
    // Another shop's origin does not open this shop's orders, nor the admin API.
    let other = app
        .send(preflight("/api/v1/shops/other/orders/x", SHOP_ORIGIN))
        .await;
    assert!(other
        .headers()
        .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        .is_none());
    let admin = app
        .send(preflight("/api/v1/admin/orders", SHOP_ORIGIN))
        .await;
    assert!(admin
        .headers()
        .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        .is_none());
}

/// A page whose origin is not allowed cannot read the shopper API, so its loader asks the
/// embed check, which answers any origin with only that origin and whether it is allowed.
async fn the_embed_check_tells_any_page_whether_its_origin_is_allowed(backend: Backend) {
    let app = TestApp::new(backend).await;
    let ask = |shop: &str, origin: Option<&str>| {
        let mut request = Request::get(format!("/api/v1/embed-check/{shop}"));
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        request.body(Body::empty()).unwrap()
    };
    for (origin, allowed) in [
        (Some(SHOP_ORIGIN), true),
        (Some("https://other.example"), false),
        (Some("https://shop.example:8443"), false),
        (Some("null"), false),
        (None, false),
    ] {
        let response = app.send(ask("shop", origin)).await;
        let headers = response.headers().clone();
        let (status, body) = json_of(response).await;
        assert_eq!(status, StatusCode::OK, "{origin:?}: {body}");
        assert_eq!(
            headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
            "*",
            "{origin:?}"
        );
        assert_eq!(headers[header::VARY], "Origin");
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
        let shown = origin.filter(|o| *o != "null");
        assert_eq!(
            body,
            serde_json::json!({"origin": shown, "allowed": allowed}),
            "{origin:?}"
        );
    }
    // The answer names no other origin of the shop's.
    let response = app.send(ask("shop", Some("https://other.example"))).await;
    let text = String::from_utf8(body_bytes(response).await).unwrap();
    assert!(!text.contains("shop.example\""), "{text}");
    // An unknown shop is said so, readable by the page too.
    let response = app.send(ask("nope", Some(SHOP_ORIGIN))).await;
    assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "shop_not_found");
}

async fn the_openapi_document_lists_exactly_the_api_routes(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (status, doc) = app.get("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| (method.to_uppercase(), path.clone()))
        })
        .collect();
    let routed: BTreeSet<(String, String)> = [
        ("GET", postpurchase_server::shopper::ORDER_VIEW_PATH),
        ("GET", postpurchase_server::shopper::EMBED_CHECK_PATH),
        ("POST", postpurchase_server::admin::ORDERS_PATH),
        ("POST", postpurchase_server::admin::TOKENS_PATH),
        ("GET", postpurchase_server::admin::SHOP_PATH),
        ("PUT", postpurchase_server::admin::SHOP_PATH),
        ("POST", postpurchase_server::admin::ERASURE_PATH),
        ("POST", postpurchase_server::tracking::SHIPMENTS_PATH),
        ("POST", postpurchase_server::tracking::EVENTS_PATH),
        ("POST", postpurchase_server::choices::CHOICE_PATH),
        ("GET", postpurchase_server::settings::SETTINGS_PATH),
        ("PUT", postpurchase_server::settings::SETTINGS_PATH),
        ("POST", postpurchase_server::settings::SLOTS_PATH),
        ("POST", postpurchase_server::settings::PICKUP_POINTS_PATH),
        ("GET", postpurchase_server::referral::REFERRAL_PATH),
        ("GET", postpurchase_server::referral::SETTINGS_PATH),
        ("PUT", postpurchase_server::referral::SETTINGS_PATH),
        ("POST", postpurchase_server::referral::REDEMPTIONS_PATH),
        ("GET", postpurchase_server::survey::SURVEY_PATH),
        ("POST", postpurchase_server::survey::NPS_PATH),
        ("POST", postpurchase_server::survey::HEARD_PATH),
        ("POST", postpurchase_server::survey::PREFERENCES_PATH),
        ("GET", postpurchase_server::survey::SETTINGS_PATH),
        ("PUT", postpurchase_server::survey::SETTINGS_PATH),
        ("GET", postpurchase_server::survey::RESULTS_PATH),
        ("GET", postpurchase_server::reviews::REVIEWS_PATH),
        ("POST", postpurchase_server::reviews::REVIEWS_PATH),
        ("GET", postpurchase_server::reviews::ADMIN_REVIEWS_PATH),
        ("POST", postpurchase_server::reviews::MODERATION_PATH),
        ("PUT", postpurchase_server::reviews::SETTINGS_PATH),
        ("GET", postpurchase_server::reviews::SETTINGS_PATH),
        ("GET", postpurchase_server::returns::RETURNS_PATH),
        ("POST", postpurchase_server::returns::RETURNS_PATH),
        ("POST", postpurchase_server::returns::QUOTE_PATH),
        ("POST", postpurchase_server::returns::CANCEL_PATH),
        ("POST", postpurchase_server::returns::STATUS_PATH),
        ("GET", postpurchase_server::returns::SETTINGS_PATH),
        ("PUT", postpurchase_server::returns::SETTINGS_PATH),
        ("GET", postpurchase_server::returns::QR_PATH),
        ("PUT", postpurchase_server::returns::INVENTORY_PATH),
        ("GET", postpurchase_server::theme::THEME_PATH),
        ("PUT", postpurchase_server::theme::THEME_PATH),
        ("POST", postpurchase_server::console::SESSION_PATH),
        ("GET", postpurchase_server::console::SESSION_PATH),
        ("DELETE", postpurchase_server::console::SESSION_PATH),
        ("DELETE", postpurchase_server::console::SESSIONS_PATH),
        ("POST", postpurchase_server::console::PASSWORD_PATH),
        ("GET", postpurchase_server::console::STAFF_PATH),
        ("POST", postpurchase_server::console::STAFF_PATH),
        ("DELETE", postpurchase_server::console::MEMBER_PATH),
        ("GET", postpurchase_server::admin::ORDERS_PATH),
        ("GET", postpurchase_server::admin::ORDER_PATH),
        ("DELETE", postpurchase_server::admin::TOKEN_PATH),
        ("PUT", postpurchase_server::reviews::REPLY_PATH),
        ("DELETE", postpurchase_server::reviews::REPLY_PATH),
        ("GET", postpurchase_server::settings::SLOTS_PATH),
        ("PUT", postpurchase_server::settings::SLOT_PATH),
        ("DELETE", postpurchase_server::settings::SLOT_PATH),
        ("GET", postpurchase_server::returns::QUEUE_PATH),
        ("GET", postpurchase_server::settings::DELIVERIES_PATH),
        ("POST", postpurchase_server::settings::RESEND_PATH),
        ("GET", postpurchase_server::admin::INSTALL_PATH),
        ("GET", postpurchase_server::settings::PICKUP_POINTS_PATH),
        ("PUT", postpurchase_server::settings::PICKUP_POINT_PATH),
        ("DELETE", postpurchase_server::settings::PICKUP_POINT_PATH),
        ("GET", postpurchase_server::admin::ORIGINS_PATH),
        ("PUT", postpurchase_server::admin::ORIGINS_PATH),
        ("POST", postpurchase_server::feeds::FEED_PATH),
        ("GET", postpurchase_server::feeds::SOURCES_PATH),
        ("PUT", postpurchase_server::feeds::SOURCE_PATH),
        ("DELETE", postpurchase_server::feeds::SOURCE_PATH),
        ("POST", postpurchase_server::platforms::PLATFORM_PATH),
        (
            "GET",
            postpurchase_server::platforms::SHOPWARE_REGISTER_PATH,
        ),
        (
            "POST",
            postpurchase_server::platforms::SHOPWARE_CONFIRM_PATH,
        ),
        ("POST", postpurchase_server::analytics::EVENTS_PATH),
        ("GET", postpurchase_server::analytics::ANALYTICS_PATH),
        ("GET", postpurchase_server::analytics::TABLE_PATH),
        ("GET", postpurchase_server::analytics::SETTINGS_PATH),
        ("PUT", postpurchase_server::analytics::SETTINGS_PATH),
        ("GET", postpurchase_server::delays::SETTINGS_PATH),
        ("PUT", postpurchase_server::delays::SETTINGS_PATH),
        ("PUT", postpurchase_server::returns::LABEL_PATH),
        ("POST", postpurchase_server::photos::PHOTOS_PATH),
        ("GET", postpurchase_server::photos::ORDER_PHOTO_PATH),
        ("GET", postpurchase_server::photos::ADMIN_PHOTO_PATH),
        ("GET", postpurchase_server::photos::PUBLIC_PHOTO_PATH),
        ("GET", postpurchase_server::words::WORDS_PATH),
        ("PUT", postpurchase_server::words::WORDS_PATH),
        ("POST", postpurchase_server::changes::CHANGES_PATH),
        ("GET", postpurchase_server::changes::SETTINGS_PATH),
        ("PUT", postpurchase_server::changes::SETTINGS_PATH),
        ("GET", postpurchase_server::changes::QUEUE_PATH),
        ("POST", postpurchase_server::changes::DECISION_PATH),
        ("POST", postpurchase_server::changes::PICKING_PATH),
        ("GET", postpurchase_server::loyalty::LOYALTY_PATH),
        ("GET", postpurchase_server::loyalty::UNBOXING_PATH),
        ("GET", postpurchase_server::loyalty::LOYALTY_SETTINGS_PATH),
        ("PUT", postpurchase_server::loyalty::LOYALTY_SETTINGS_PATH),
        ("GET", postpurchase_server::loyalty::UNBOXING_SETTINGS_PATH),
        ("PUT", postpurchase_server::loyalty::UNBOXING_SETTINGS_PATH),
        ("GET", postpurchase_server::loyalty::ORDER_LOYALTY_PATH),
        ("PUT", postpurchase_server::loyalty::ORDER_LOYALTY_PATH),
        ("GET", postpurchase_server::care::PRODUCTS_PATH),
        ("GET", postpurchase_server::care::PRODUCT_PATH),
        ("PUT", postpurchase_server::care::PRODUCT_PATH),
        ("DELETE", postpurchase_server::care::PRODUCT_PATH),
        ("GET", postpurchase_server::care::CARE_PATH),
        ("POST", postpurchase_server::care::REMINDERS_PATH),
        ("POST", postpurchase_server::care::CANCEL_PATH),
        ("GET", postpurchase_server::care::PAIRS_PATH),
        ("POST", postpurchase_server::care::CLICK_PATH),
        ("GET", postpurchase_server::upgrades::UPGRADE_PATH),
        ("POST", postpurchase_server::upgrades::UPGRADE_PATH),
        ("GET", postpurchase_server::upgrades::SETTINGS_PATH),
        ("PUT", postpurchase_server::upgrades::SETTINGS_PATH),
        ("GET", postpurchase_server::upgrades::QUEUE_PATH),
        ("POST", postpurchase_server::upgrades::DECISION_PATH),
    ]
    .into_iter()
    .map(|(m, p)| (m.to_owned(), p.to_owned()))
    .collect();
    assert_eq!(documented, routed);
    // Every documented operation reaches a handler, not the fallback.
    for (method, path) in &documented {
        let uri = path
            .replace("{shop}", "shop")
            .replace("{token}", "AAAAAAAAAAAAAAAAAAAAAAAA")
            .replace("{number}", "1")
            .replace("{shipment}", "1")
            .replace("{table}", "daily")
            .replace("{source}", "sendcloud")
            .replace("{platform}", "shopify")
            .replace("{id}", "1")
            .replace("{change}", "1")
            .replace("{sku}", "MUG")
            .replace("{photo}", "1");
        let request = Request::builder()
            .method(method.as_str())
            .uri(&uri)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{}"))
            .unwrap();
        let (status, body) = json_of(app.send(request).await).await;
        assert_ne!(body["error"]["code"], "not_found", "{method} {uri}");
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {uri}");
    }
    // Every reference in the document resolves (a path parameter's enum included).
    fn refs(value: &serde_json::Value, found: &mut Vec<String>) {
        use serde_json::Value;
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    found.push(r.clone());
                }
                map.values().for_each(|v| refs(v, found));
            }
            Value::Array(list) => list.iter().for_each(|v| refs(v, found)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(!found.is_empty());
    for r in found {
        let name = r.trim_start_matches("#/components/schemas/");
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{r} does not resolve"
        );
    }
    // Every schema the handlers name is in the document.
    for schema in [
        "OrderView",
        "ErrorBody",
        "NewOrder",
        "OrderCreated",
        "OrderAccess",
        "ShipmentStatus",
        "ChoiceRequest",
        "DeliveryOptions",
        "WebhookEvent",
    ] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "{schema} missing"
        );
    }
}

fn built_widget(dir: &std::path::Path) {
    std::fs::write(
        dir.join("postpurchase-widget.js"),
        "export default function init() {}",
    )
    .unwrap();
    std::fs::write(dir.join("postpurchase-widget_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(dir.join("postpurchase-widget_bg.wasm.br"), b"compressed").unwrap();
    std::fs::write(dir.join("widget.css"), ":host{display:block}").unwrap();
    std::fs::write(
        dir.join("postpurchase-after.js"),
        "export default function init() {}",
    )
    .unwrap();
    std::fs::write(dir.join("postpurchase-after_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(dir.join("after.css"), ".pp-after-voucher{}").unwrap();
    std::fs::write(
        dir.join("base.css"),
        "/* base */\n.pp {\n  color: red;\n}\n</style>",
    )
    .unwrap();
    std::fs::write(
        dir.join("postpurchase.js"),
        "const BUILD='__PP_BUILD__', ORIGIN='__PP_ORIGIN__', TEXT=\"__PP_FALLBACK__\", CSS=\"__PP_BASE_CSS__\";",
    )
    .unwrap();
    std::fs::create_dir(dir.join("locales")).unwrap();
    std::fs::write(
        dir.join("locales/en.txt"),
        "loader.title = Order <b>\nother = x\npage.title = Only on pages\nafter.copy = Copy code\n",
    )
    .unwrap();
}

async fn widget_files_are_versioned_and_cached_the_right_way(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    built_widget(dir.path());
    let widget = WidgetFiles::load(dir.path(), "https://pp.example");
    let build = widget.build.clone();
    assert_eq!(build.len(), 12);
    let app = TestApp::with_widget(backend, widget).await;

    let loader = app
        .send(
            Request::get("/widget/postpurchase.js")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(loader.status(), StatusCode::OK);
    assert_eq!(
        loader.headers()[header::CACHE_CONTROL],
        "public, max-age=300"
    );
    assert_eq!(loader.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    let text = String::from_utf8(body_bytes(loader).await).unwrap();
    assert_eq!(
        text,
        format!(
            "const BUILD='{build}', ORIGIN='https://pp.example', TEXT={{\"en\":{{\"title\":\"Order \\u003cb>\"}}}}, \
             CSS=\".pp{{color: red;}}\\u003c/style>\";"
        )
    );

    // The loader is compressed once at start, for browsers that accept it.
    for (accept, encoding) in [("br", "br"), ("gzip, deflate", "gzip")] {
        let compressed = app
            .send(
                Request::get("/widget/postpurchase.js")
                    .header(header::ACCEPT_ENCODING, accept)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(compressed.headers()[header::CONTENT_ENCODING], encoding);
        let bytes = body_bytes(compressed).await;
        let mut unpacked = String::new();
        if encoding == "br" {
            brotli::Decompressor::new(&bytes[..], 4096)
                .read_to_string(&mut unpacked)
                .unwrap();
        } else {
            flate2::read::GzDecoder::new(&bytes[..])
                .read_to_string(&mut unpacked)
                .unwrap();
        }
        assert_eq!(unpacked, text);
    }

    let wasm = app
        .send(
            Request::get(format!("/widget/{build}/postpurchase-widget_bg.wasm"))
                .header(header::ACCEPT_ENCODING, "gzip, deflate, br")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(wasm.status(), StatusCode::OK);
    assert_eq!(wasm.headers()[header::CONTENT_TYPE], "application/wasm");
    assert_eq!(wasm.headers()[header::CONTENT_ENCODING], "br");
    assert_eq!(
        wasm.headers()[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(body_bytes(wasm).await, b"compressed");

    let plain = app
        .send(
            Request::get(format!("/widget/{build}/widget.css"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
    assert_eq!(body_bytes(plain).await, b":host{display:block}");

    // Every file of the build with its Subresource Integrity hash, the loader (also under
    // its versioned address) included.
    let (status, manifest) = app.get(&format!("/widget/{build}/integrity.json")).await;
    assert_eq!(status, StatusCode::OK);
    let sri = |body: &[u8]| {
        use base64::Engine;
        use sha2::Digest;
        format!(
            "sha384-{}",
            base64::engine::general_purpose::STANDARD.encode(sha2::Sha384::digest(body))
        )
    };
    assert_eq!(manifest["widget.css"], sri(b":host{display:block}"));
    assert_eq!(manifest["postpurchase.js"], sri(text.as_bytes()));
    for file in [
        "postpurchase-widget.js",
        "postpurchase-widget_bg.wasm",
        "texts-en.json",
        "postpurchase-after.js",
        "postpurchase-after_bg.wasm",
        "after.css",
        "after-texts-en.json",
    ] {
        assert!(
            manifest[file].as_str().unwrap().starts_with("sha384-"),
            "{file}"
        );
    }
    let versioned = app
        .send(
            Request::get(format!("/widget/{build}/postpurchase.js"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(body_bytes(versioned).await, text.as_bytes());

    // The widget's texts: one JSON array per language, in the order of its keys, without
    // the server's own page texts.
    let (status, texts) = app.get(&format!("/widget/{build}/texts-en.json")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts, serde_json::json!(["Order <b>", "x"]));
    // The after-delivery module's, apart: the widget's first download carries none.
    let (status, texts) = app
        .get(&format!("/widget/{build}/after-texts-en.json"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts, serde_json::json!(["Copy code"]));

    for uri in [
        "/widget/000000000000/widget.css".to_owned(),
        format!("/widget/{build}/texts-xx.json"),
        format!("/widget/{build}/..%2Fsecret"),
        format!("/widget/{build}/index.html"),
    ] {
        let (status, _) = app.get(&uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
    }
}

async fn without_a_built_widget_the_loader_says_so(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (status, body) = app.get("/widget/postpurchase.js").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["error"]["code"], "widget_not_built");
}

async fn the_hosted_page_embeds_the_token_escaped(backend: Backend) {
    let app = TestApp::new(backend).await;
    let response = app
        .send(
            Request::get("/o/shop/%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = String::from_utf8(body_bytes(response).await).unwrap();
    assert!(html.contains(
        r#"src="https://pp.example/widget/postpurchase.js" data-shop="shop" data-order="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;""#
    ), "{html}");
    assert!(!html.contains("<script>alert"));
    assert!(html.contains(r#"data-order-page="https://shop.example/orders""#));
}

/// The hosted page of an order for a browser asking in `accept_language`: its policy and
/// its HTML.
async fn hosted_page(app: &TestApp, accept_language: &str) -> (String, String) {
    hosted_page_with(app, "", accept_language).await
}

async fn hosted_page_with(app: &TestApp, query: &str, accept_language: &str) -> (String, String) {
    let response = app
        .send(
            Request::get(format!("/o/shop/AAAAAAAAAAAAAAAAAAAAAAAA{query}"))
                .header(header::ACCEPT_LANGUAGE, accept_language)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let csp = response.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    (csp, String::from_utf8(body_bytes(response).await).unwrap())
}

async fn the_hosted_page_wears_the_shops_theme_allowed_by_its_policy(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (status, stored) = app
        .admin_put(
            "/api/v1/admin/theme",
            SHOP_KEY,
            r##"{"preset": "dark", "variables": {"--pp-accent": "#7fd1ae", "--pp-radius": "4px"}}"##,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    let (_, read) = app.get_admin("/api/v1/admin/theme").await;
    assert_eq!(read, stored);
    // Another shop's theme is its own.
    let (_, other) = app.get_admin_with("/api/v1/admin/theme", OTHER_KEY).await;
    assert_eq!(
        other,
        serde_json::json!({"preset": "light", "variables": {}})
    );

    let (csp, html) = hosted_page(&app, "").await;
    assert!(html.contains(" data-theme=\"dark\""), "{html}");
    let style = html
        .split("<style>")
        .nth(1)
        .and_then(|s| s.split("</style>").next())
        .unwrap();
    assert!(style.ends_with("postpurchase-order{--pp-accent:#7fd1ae;--pp-radius:4px;}"));
    // The page's policy allows exactly this inline style.
    use base64::Engine;
    use sha2::Digest;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(style));
    assert!(csp.contains(&format!("style-src 'sha256-{hash}'")), "{csp}");

    // A value that could leave its declaration is refused, naming it; nothing changes.
    let (status, body) = app
        .admin_put(
            "/api/v1/admin/theme",
            SHOP_KEY,
            r#"{"variables": {"--pp-accent": "red;}</style><script>alert(1)</script>", "color": "red"}}"#,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_fields(&body),
        ["variables.--pp-accent", "variables.color"]
    );
    let (_, read) = app.get_admin("/api/v1/admin/theme").await;
    assert_eq!(read, stored);

    // A variable the widget does not have, and an accent the dark preset's shoppers could
    // not read (the light preset's green on its dark card), are refused with the ratio.
    let (status, body) = app
        .admin_put(
            "/api/v1/admin/theme",
            SHOP_KEY,
            r##"{"preset": "dark", "variables": {"--pp-accent": "#0b6e4f", "--pp-brand": "#0b6e4f"}}"##,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        error_fields(&body),
        ["variables.--pp-brand", "variables.--pp-accent"]
    );
    assert_eq!(
        body["error"]["fields"][1]["message"],
        "--pp-accent #0b6e4f on --pp-surface #2a2c28 has a contrast of 2.25:1; text needs at least 4.5:1"
    );
    let (_, read) = app.get_admin("/api/v1/admin/theme").await;
    assert_eq!(read, stored);
}

/// The shop's logo heads its hosted page (its name as the text alternative), and a web
/// font from a host the shop names is loaded, allowed by the page's policy for exactly
/// that host; anything but https is refused.
async fn the_hosted_page_wears_the_shops_logo_and_web_font(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (status, body) = app
        .admin_put(
            "/api/v1/admin/theme",
            SHOP_KEY,
            r#"{"logo_url": "javascript:alert(1)", "font_css_url": "http://fonts.example/css",
                "font_origin": "https://files.example/fonts"}"#,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        error_fields(&body),
        ["logo_url", "font_css_url", "font_origin"]
    );
    let (status, body) = app
        .admin_put(
            "/api/v1/admin/theme",
            SHOP_KEY,
            r#"{"variables": {"--pp-font": "Inter, system-ui, sans-serif"},
                "logo_url": "https://cdn.shop.example/logo.svg",
                "font_css_url": "https://fonts.googleapis.com/css2?family=Inter&display=swap",
                "font_origin": "https://fonts.gstatic.com"}"#,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (csp, html) = hosted_page(&app, "").await;
    assert!(
        html.contains(
            "<img class=\"logo\" src=\"https://cdn.shop.example/logo.svg\" alt=\"Test Shop\">"
        ),
        "{html}"
    );
    assert!(
        html.contains("<link rel=\"stylesheet\" href=\"https://fonts.googleapis.com/css2?family=Inter&amp;display=swap\">"),
        "{html}"
    );
    assert!(csp.contains("' https://fonts.googleapis.com;"), "{csp}");
    assert!(
        csp.contains("font-src https://fonts.googleapis.com https://fonts.gstatic.com;"),
        "{csp}"
    );
    // Without a font, the policy allows no other host.
    app.admin_put("/api/v1/admin/theme", SHOP_KEY, r#"{"preset": "light"}"#)
        .await;
    let (csp, html) = hosted_page(&app, "").await;
    assert!(
        !csp.contains("font-src") && !csp.contains("googleapis"),
        "{csp}"
    );
    assert!(html.contains("<p class=\"shop\">Test Shop</p>"), "{html}");
}

async fn the_hosted_page_speaks_the_browsers_language_under_a_strict_policy(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    built_widget(dir.path());
    std::fs::write(
        dir.path().join("locales/nl.txt"),
        "hosted.title = Je bestelling\npage.language_name = Nederlands\npage.languages = Taal\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("locales/en.txt"),
        "hosted.title = Your order\npage.language_name = English\npage.languages = Language\n",
    )
    .unwrap();
    let app =
        TestApp::with_widget(backend, WidgetFiles::load(dir.path(), "https://pp.example")).await;
    for (accept, lang, title) in [
        ("fr-FR,nl-BE;q=0.8,en;q=0.5", "nl-BE", "Je bestelling"),
        ("de", "en", "Your order"),
        ("", "en", "Your order"),
        ("\"><script>", "en", "Your order"),
    ] {
        let (csp, html) = hosted_page(&app, accept).await;
        for directive in [
            "default-src 'none'",
            "script-src 'self' 'wasm-unsafe-eval'",
            "connect-src 'self'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(directive), "{csp}");
        }
        assert!(
            html.contains(&format!("<html lang=\"{lang}\">")),
            "{accept}: {html}"
        );
        assert!(
            html.contains(&format!("<title>{title}</title>")),
            "{accept}: {html}"
        );
    }
    // A shop whose pages are in Dutch: a browser asking for none of ours gets Dutch.
    let profile = serde_json::json!({"name": "Test Shop", "language": "nl"});
    let (status, _) = app
        .admin_put("/api/v1/admin/shop", SHOP_KEY, &profile.to_string())
        .await;
    assert_eq!(status, StatusCode::OK);
    for (accept, lang) in [("de", "nl"), ("", "nl"), ("en-GB", "en-GB")] {
        let (_, html) = hosted_page(&app, accept).await;
        assert!(
            html.contains(&format!("<html lang=\"{lang}\">")),
            "{accept}: {html}"
        );
    }
    // `?lang=` (the switch's links, a link in the shop's e-mail) wins over the browser and
    // the shop when the widget speaks it; anything else is passed over.
    for (query, accept, lang) in [
        ("?lang=en", "nl", "en"),
        ("?lang=en-GB", "", "en-GB"),
        ("?utm_source=mail&lang=nl", "en", "nl"),
        ("?lang=fr", "en", "en"),
        ("?lang=%22%3E%3Cscript%3E", "en", "en"),
        ("?lang=", "", "nl"),
    ] {
        let (_, html) = hosted_page_with(&app, query, accept).await;
        assert!(
            html.contains(&format!("<html lang=\"{lang}\">")),
            "{query} {accept}: {html}"
        );
        assert!(!html.contains("<script>"), "{html}");
    }
    // Its header: the shop's name, escaped, and each language named in its own words,
    // the current one marked.
    let profile = serde_json::json!({"name": "Koffie & <Klei>", "language": "nl"});
    app.admin_put("/api/v1/admin/shop", SHOP_KEY, &profile.to_string())
        .await;
    let (_, html) = hosted_page_with(&app, "?lang=en", "").await;
    assert!(
        html.contains("<header><p class=\"shop\">Koffie &amp; &lt;Klei&gt;</p>"),
        "{html}"
    );
    assert!(html.contains(
        "<nav aria-label=\"Language\"><ul>\
         <li><a href=\"?lang=en\" hreflang=\"en\" lang=\"en\" aria-current=\"page\">English</a></li>\
         <li><a href=\"?lang=nl\" hreflang=\"nl\" lang=\"nl\">Nederlands</a></li></ul></nav>"
    ), "{html}");
}

/// What every route may answer before its handler runs is in the document: a malformed
/// request (400), a spent limit (429) and a busy server (503), both with Retry-After; and
/// for a body, 413, 415 and 422. The 413's size is the one the route enforces: a body one
/// byte over it is refused, one of exactly that size is read.
async fn the_openapi_document_lists_what_each_route_answers_before_its_handler(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = app
        .create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    let (_, doc) = app.get("/api/v1/openapi.json").await;
    let mut bodies = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let what = format!("{method} {path}");
            let responses = &operation["responses"];
            for status in ["400", "429", "503"] {
                assert!(responses[status].is_object(), "{what}: no {status}");
            }
            for status in ["429", "503"] {
                assert!(
                    responses[status]["headers"]["Retry-After"].is_object(),
                    "{what}: {status} without Retry-After"
                );
            }
            if operation.get("requestBody").is_none() {
                continue;
            }
            bodies += 1;
            for status in ["413", "415", "422"] {
                assert!(responses[status].is_object(), "{what}: no {status}");
            }
            let said = responses["413"]["description"].as_str().unwrap();
            let kib: usize = said
                .split_whitespace()
                .find_map(|word| word.parse().ok())
                .unwrap_or_else(|| panic!("{what}: no size in {said:?}"));
            let uri = path
                .replace("{shop}", "shop")
                .replace("{token}", &token)
                .replace("{number}", "1001")
                .replace("{carrier}", "dhl")
                .replace("{tracking_number}", "JJD1")
                .replace("{shipment}", "1")
                .replace("{source}", "sendcloud")
                .replace("{platform}", "shopify")
                .replace("{id}", "1")
                .replace("{change}", "1")
                .replace("{sku}", "MUG")
                .replace("{photo}", "1");
            for (size, refused) in [(kib * 1024 + 1, true), (kib * 1024, false)] {
                // A JSON object of exactly `size` bytes.
                let body = format!(r#"{{"x":"{}"}}"#, "a".repeat(size - 8));
                assert_eq!(body.len(), size);
                let request = Request::builder()
                    .method(method.to_uppercase().as_str())
                    .uri(&uri)
                    .header(header::AUTHORIZATION, format!("Bearer {SHOP_KEY}"))
                    .header(header::CONTENT_TYPE, "application/json")
                    .header("if-match", "*")
                    .body(Body::from(body))
                    .unwrap();
                let (status, answer) = json_of(app.send(request).await).await;
                assert_eq!(
                    status == StatusCode::PAYLOAD_TOO_LARGE,
                    refused,
                    "{what} with {size} bytes: {status} {answer}"
                );
            }
        }
    }
    assert_eq!(bodies, 53, "routes with a body");
}

storage_tests!(
    every_malformed_request_gets_a_json_error,
    the_openapi_document_lists_what_each_route_answers_before_its_handler,
    unknown_paths_and_methods_get_json_errors,
    cors_allows_exactly_the_shops_own_origins,
    the_embed_check_tells_any_page_whether_its_origin_is_allowed,
    the_openapi_document_lists_exactly_the_api_routes,
    widget_files_are_versioned_and_cached_the_right_way,
    without_a_built_widget_the_loader_says_so,
    the_hosted_page_embeds_the_token_escaped,
    the_hosted_page_wears_the_shops_theme_allowed_by_its_policy,
    the_hosted_page_wears_the_shops_logo_and_web_font,
    the_hosted_page_speaks_the_browsers_language_under_a_strict_policy,
);
