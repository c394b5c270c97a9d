//! Photos through the API: checked by content, stored without metadata in the database
//! (so a second process serves them), served with their type and `nosniff`, attached to a
//! review (and moderated with it) or to a returned item for a reason that takes photos,
//! purged when never used, erased with the customer.

mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use postpurchase_server::db::Db;
use postpurchase_server::web::WidgetFiles;
use serde_json::{json, Value};

/// Another photo: the same with one more byte of picture.
fn other_jpeg() -> Vec<u8> {
    let mut jpeg = phone_jpeg();
    jpeg.insert(jpeg.len() - 2, 0x01);
    jpeg
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn upload(token: &str, content_type: &str, bytes: Vec<u8>) -> Request<Body> {
    Request::post(format!("/api/v1/shops/shop/orders/{token}/photos"))
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(bytes))
        .unwrap()
}

async fn send_photo(app: &TestApp, token: &str, bytes: Vec<u8>) -> String {
    let (status, photo) = json_of(app.send(upload(token, "image/jpeg", bytes)).await).await;
    assert_eq!(status, StatusCode::CREATED, "{photo}");
    photo["id"].as_str().unwrap().to_owned()
}

/// Reviews on, and order 1001 with its tees delivered; its token and the tee's line id.
async fn delivered(app: &TestApp) -> (String, i64) {
    let (status, _) = app
        .admin_put(
            "/api/v1/admin/review-settings",
            SHOP_KEY,
            r#"{"enabled": true}"#,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let token = app
        .create_order(SHOP_KEY, &sample_order("1001", "jane@example.com"))
        .await;
    app.deliver_tees("2026-11-20T10:00:00Z").await;
    let (_, lines) = app
        .get(&format!("/api/v1/shops/shop/orders/{token}/reviews"))
        .await;
    (token, lines[0]["line_id"].as_i64().unwrap())
}

async fn get_bytes(app: &TestApp, uri: &str, key: Option<&str>) -> (StatusCode, String, Vec<u8>) {
    let mut request = Request::get(uri);
    if let Some(key) = key {
        request = request.header(header::AUTHORIZATION, format!("Bearer {key}"));
    }
    let response = app.send(request.body(Body::empty()).unwrap()).await;
    let status = response.status();
    let kind = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    if status == StatusCode::OK {
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        assert_eq!(
            response.headers()["content-security-policy"],
            "default-src 'none'; sandbox"
        );
    }
    (status, kind, body_bytes(response).await)
}

async fn a_photo_is_checked_by_content_and_kept_without_its_metadata(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, _) = delivered(&app).await;
    let sent = phone_jpeg();
    assert!(contains(&sent, GPS) && contains(&sent, CAMERA));
    // Whatever the Content-Type says, the content decides.
    let (status, photo) = json_of(
        app.send(upload(&token, "application/octet-stream", sent.clone()))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{photo}");
    assert_eq!(photo["content_type"], "image/jpeg");
    assert_eq!(
        (photo["width"].as_u64(), photo["height"].as_u64()),
        (Some(2), Some(1))
    );
    let id = photo["id"].as_str().unwrap();
    let (status, kind, stored) = get_bytes(
        &app,
        &format!("/api/v1/shops/shop/orders/{token}/photos/{id}"),
        None,
    )
    .await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "image/jpeg"));
    assert!(!contains(&stored, GPS), "no GPS position");
    assert!(!contains(&stored, CAMERA), "no camera");
    assert!(!contains(&stored, b"Keizersgracht"), "no comment");
    assert!(stored.starts_with(&[0xFF, 0xD8]) && stored.ends_with(&[0xFF, 0xD9]));
    let in_db = app.number("SELECT COUNT(*) AS n FROM photos").await;
    assert_eq!(in_db, 1);
    // The same photo again is the one kept.
    let (_, again) = json_of(app.send(upload(&token, "image/jpeg", sent)).await).await;
    assert_eq!(again["id"], id);
    assert_eq!(app.number("SELECT COUNT(*) AS n FROM photos").await, 1);

    // Not an image, or not one of ours, whatever it claims to be: refused, nothing kept.
    let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec();
    let html = b"<html><script>alert(1)</script></html>".to_vec();
    for (bytes, code) in [
        (gif, "photo_type"),
        (html, "photo_type"),
        (Vec::new(), "photo_type"),
        (phone_jpeg()[..40].to_vec(), "photo_damaged"),
    ] {
        let (status, body) = json_of(app.send(upload(&token, "image/jpeg", bytes)).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["code"], code);
        assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    }
    // More than 5 MB.
    let mut huge = phone_jpeg();
    huge.resize(5 * 1024 * 1024 + 1, 0);
    let (status, body) = json_of(app.send(upload(&token, "image/jpeg", huge)).await).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["error"]["code"], "payload_too_large");
    // Another order's link opens none of it.
    let (status, body) = json_of(
        app.send(upload(
            "AAAAAAAAAAAAAAAAAAAAAAAA",
            "image/jpeg",
            phone_jpeg(),
        ))
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(app.number("SELECT COUNT(*) AS n FROM photos").await, 1);
    // Not attached to anything: the shop sees nothing and nobody else either.
    let (status, _, _) =
        get_bytes(&app, &format!("/api/v1/admin/photos/{id}"), Some(SHOP_KEY)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = get_bytes(&app, &format!("/api/v1/photos/{id}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

fn review(line: i64, photos: &[&str]) -> Value {
    json!({"line_id": line, "stars": 5, "body": "Soft and warm.", "photos": photos})
}

async fn write(app: &TestApp, token: &str, body: &Value) -> (StatusCode, Value) {
    json_of(
        app.send(json_request(
            "POST",
            &format!("/api/v1/shops/shop/orders/{token}/reviews"),
            &[],
            body,
        ))
        .await,
    )
    .await
}

async fn a_reviews_photos_are_shown_once_the_shop_publishes_it(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, tee) = delivered(&app).await;
    let first = send_photo(&app, &token, phone_jpeg()).await;
    let second = send_photo(&app, &token, other_jpeg()).await;
    assert_ne!(first, second);
    // Four photos, or a photo of another order: refused, and no review written.
    let other = app
        .create_order(SHOP_KEY, &sample_order("1002", "kim@example.com"))
        .await;
    let theirs = send_photo(&app, &other, phone_jpeg()).await;
    for (photos, field) in [
        (vec![&*first, &*second, &*first, &*second], "photos"),
        (vec![&*first, &*theirs], "photos[1]"),
    ] {
        let (status, body) = write(&app, &token, &review(tee, &photos)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error_fields(&body), [field]);
        assert_eq!(app.count("reviews").await, 0);
    }
    let (status, items) = write(&app, &token, &review(tee, &[&first, &second])).await;
    assert_eq!(status, StatusCode::CREATED, "{items}");
    assert_eq!(items[0]["review"]["photos"], json!([first, second]));
    let public = format!("/api/v1/photos/{first}");
    // Pending: the shop sees it to moderate it; nobody else does.
    let (_, listed) = app.get_admin("/api/v1/admin/reviews?status=pending").await;
    assert_eq!(listed[0]["review"]["photos"], json!([first, second]));
    let (status, kind, _) = get_bytes(
        &app,
        &format!("/api/v1/admin/photos/{first}"),
        Some(SHOP_KEY),
    )
    .await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "image/jpeg"));
    let (status, _, _) = get_bytes(
        &app,
        &format!("/api/v1/admin/photos/{first}"),
        Some(OTHER_KEY),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another shop sees nothing");
    assert_eq!(
        get_bytes(&app, &public, None).await.0,
        StatusCode::NOT_FOUND
    );
    let id = listed[0]["review"]["id"].as_i64().unwrap();
    let uri = format!("/api/v1/admin/reviews/{id}/moderation");
    let moderate = |status: &'static str| {
        let body = json!({"status": status}).to_string();
        let uri = uri.clone();
        let app = &app;
        async move { app.admin_post(&uri, SHOP_KEY, &body).await }
    };
    assert_eq!(moderate("published").await.0, StatusCode::NO_CONTENT);
    let (status, kind, bytes) = get_bytes(&app, &public, None).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "image/jpeg"));
    assert!(!contains(&bytes, GPS));
    assert_eq!(moderate("rejected").await.0, StatusCode::NO_CONTENT);
    assert_eq!(
        get_bytes(&app, &public, None).await.0,
        StatusCode::NOT_FOUND
    );
    // The shopper still sees their own.
    let (status, _, _) = get_bytes(
        &app,
        &format!("/api/v1/shops/shop/orders/{token}/photos/{first}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // Sent again (a retry after a lost answer), it is the photo kept: the retried request
    // names the same photos.
    assert_eq!(send_photo(&app, &token, phone_jpeg()).await, first);
    // The same picture for a return too: the return gets a copy of its own, which stays
    // private when the review is published again.
    return_settings(&app).await;
    let (status, created) =
        start_return(&app, &token, a_return(tee, "Arrived damaged", &[&first])).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let copy = created["items"][0]["photos"][0]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(copy, first);
    assert_eq!(moderate("published").await.0, StatusCode::NO_CONTENT);
    assert_eq!(get_bytes(&app, &public, None).await.0, StatusCode::OK);
    let copy_public = format!("/api/v1/photos/{copy}");
    assert_eq!(
        get_bytes(&app, &copy_public, None).await.0,
        StatusCode::NOT_FOUND
    );
}

async fn return_settings(app: &TestApp) {
    let (status, body) = app
        .admin_put(
            "/api/v1/admin/return-settings",
            SHOP_KEY,
            &json!({"enabled": true, "window_days": 30,
                    "reasons": ["Changed my mind", "Arrived damaged"],
                    "reasons_by_type": {"clothing": ["Too small", "Too large", "Arrived damaged"]},
                    "photo_reasons": ["Arrived damaged"]})
            .to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

fn a_return(tee: i64, reason: &str, photos: &[&str]) -> Value {
    json!({"items": [{"line_id": tee, "quantity": 1, "reason": reason, "photos": photos}],
           "resolution": "refund", "method": "drop_off"})
}

async fn start_return(app: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    let uri = format!("/api/v1/shops/shop/orders/{token}/returns");
    json_of(app.send(json_request("POST", &uri, &[], &body)).await).await
}

async fn reasons_fit_the_product_and_damage_takes_photos(backend: Backend) {
    let app = TestApp::new(backend).await;
    return_settings(&app).await;
    let mut order = sample_order("1001", "jane@example.com");
    order["items"][0]["product_type"] = json!("clothing");
    let token = app.create_order(SHOP_KEY, &order).await;
    app.deliver_tees("2026-11-20T10:00:00Z").await;
    let (_, options) = app
        .get(&format!("/api/v1/shops/shop/orders/{token}/returns"))
        .await;
    let tee = options["lines"][0]["line_id"].as_i64().unwrap();
    // The tee is clothing: its own reasons. The cap names no kind: the shop's reasons.
    assert_eq!(
        options["lines"][0]["reasons"],
        json!(["Too small", "Too large", "Arrived damaged"])
    );
    assert_eq!(
        options["lines"][1]["reasons"],
        json!(["Changed my mind", "Arrived damaged"])
    );
    assert_eq!(options["photo_reasons"], json!(["Arrived damaged"]));
    let photo = send_photo(&app, &token, phone_jpeg()).await;
    // A reason of another kind of product, or a photo for a reason that takes none:
    // refused, nothing written, the photo still free.
    for (reason, photos, field) in [
        ("Changed my mind", vec![], "items[0].reason"),
        ("Too small", vec![&*photo], "items[0].photos"),
    ] {
        let (status, body) = start_return(&app, &token, a_return(tee, reason, &photos)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error_fields(&body), [field]);
    }
    assert_eq!(app.count("returns").await, 0);
    let (status, created) =
        start_return(&app, &token, a_return(tee, "Arrived damaged", &[&photo])).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["items"][0]["photos"], json!([photo]));
    // The shop sees it with the return, and can open it.
    let (_, queue) = app.get_admin("/api/v1/admin/returns").await;
    assert_eq!(
        queue[0]["return"]["items"][0]["photos"],
        json!([photo]),
        "{queue}"
    );
    let (status, _, _) = get_bytes(
        &app,
        &format!("/api/v1/admin/photos/{photo}"),
        Some(SHOP_KEY),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // A return's photo is never public.
    let (status, _, _) = get_bytes(&app, &format!("/api/v1/photos/{photo}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Settings that name a photo reason the shop does not give are refused.
    let (status, body) = app
        .admin_put(
            "/api/v1/admin/return-settings",
            SHOP_KEY,
            &json!({"enabled": true, "window_days": 30, "reasons": ["Changed my mind"],
                    "reasons_by_type": {"clothing": []},
                    "photo_reasons": ["Arrived damaged"]})
            .to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        error_fields(&body),
        ["reasons_by_type.clothing", "photo_reasons[0]"]
    );
}

async fn another_process_serves_the_photo_and_unused_ones_are_purged(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, _) = delivered(&app).await;
    let id = send_photo(&app, &token, phone_jpeg()).await;
    let db = match (app.database_url(), app.database_file()) {
        (Some(url), _) => Db::open(url).await.unwrap(),
        (None, Some(file)) => Db::open_sqlite(file).await.unwrap(),
        _ => unreachable!("a test database is a URL or a file"),
    };
    let second = TestApp::over(backend, Arc::new(db), WidgetFiles::default());
    let (status, kind, _) = get_bytes(
        &second,
        &format!("/api/v1/shops/shop/orders/{token}/photos/{id}"),
        None,
    )
    .await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "image/jpeg"));
    // Never used: gone a day later, not before.
    let purged = app.state.db.purge(NOW + 86_399).await.unwrap();
    assert_eq!(purged.photos, 0);
    let purged = app.state.db.purge(NOW + 86_401).await.unwrap();
    assert_eq!(purged.photos, 1);
    assert_eq!(app.count("photos").await, 0);
}

async fn erasing_the_customer_deletes_their_photos(backend: Backend) {
    let app = TestApp::new(backend).await;
    return_settings(&app).await;
    let (token, tee) = delivered(&app).await;
    let photo = send_photo(&app, &token, phone_jpeg()).await;
    let (status, body) =
        start_return(&app, &token, a_return(tee, "Arrived damaged", &[&photo])).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, report) = app
        .admin_post(
            "/api/v1/admin/customers/erasure",
            SHOP_KEY,
            r#"{"email": "jane@example.com"}"#,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["photos"], 1);
    assert_eq!(app.count("photos").await, 0);
}

storage_tests!(
    a_photo_is_checked_by_content_and_kept_without_its_metadata,
    a_reviews_photos_are_shown_once_the_shop_publishes_it,
    reasons_fit_the_product_and_damage_takes_photos,
    another_process_serves_the_photo_and_unused_ones_are_purged,
    erasing_the_customer_deletes_their_photos,
);
