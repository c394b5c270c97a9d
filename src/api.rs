//! The widget's calls to the postpurchase API, through the browser's `fetch` itself (an
//! HTTP client crate brought streams and a request builder the widget never uses). Bodies
//! are parsed by the browser (`Response.json()`) and read into the shared types by
//! [`crate::decode`], so neither a JSON parser nor a serde deserializer ships in the
//! bundle.

use js_sys::Reflect;
use postpurchase_api::{DeliveryChoice, ErrorBody, ErrorDetail, OrderView, API_PREFIX};

use crate::decode::{choice_json, FromJs};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Headers, Request, RequestCache, RequestInit, Response};

/// How long the shopper waits for the API before the widget gives up and says so.
pub const TIMEOUT_MS: u32 = 5_000;

/// Why an order could not be shown; each has its own message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadError {
    /// The API answered 404: wrong, expired or incomplete link.
    NotFound,
    /// No answer in time, a network failure, a server error or a body we cannot read.
    Unavailable,
}

/// The address of an order view: `{api}/api/v1/shops/{shop}/orders/{token}`.
pub fn order_url(api: &str, shop: &str, token: &str) -> String {
    let api = api.trim_end_matches('/');
    let shop = String::from(js_sys::encode_uri_component(shop));
    let token = String::from(js_sys::encode_uri_component(token));
    [api, API_PREFIX, "/shops/", &shop, "/orders/", &token].concat()
}

/// How long a photo may take to send: a few megabytes on a slow phone connection.
pub const UPLOAD_MS: u32 = 60_000;

/// Asks the API: a `GET`, or with `body` a `POST` of it (its bytes and their type), with
/// extra `headers`, given up after `ms`. The browser's response, `None` without one.
async fn fetch(
    url: &str,
    body: Option<(JsValue, &str)>,
    headers: &[(&str, &str)],
    ms: u32,
) -> Option<Response> {
    let init = RequestInit::new();
    init.set_signal(Some(&AbortSignal::timeout_with_u32(ms)));
    let sent = Headers::new().ok()?;
    for (name, value) in headers {
        sent.set(name, value).ok()?;
    }
    match body {
        Some((body, kind)) => {
            init.set_method("POST");
            sent.set("Content-Type", kind).ok()?;
            init.set_body(&body);
        }
        // No-store: the browser's cache must not answer a re-check with a stale 200.
        None => init.set_cache(RequestCache::NoStore),
    }
    init.set_headers(&sent);
    let request = Request::new_with_str_and_init(url, &init).ok()?;
    let answer = web_sys::window()?.fetch_with_request(&request);
    JsFuture::from(answer).await.ok()?.dyn_into().ok()
}

/// The parsed JSON body of a response, if it has one.
async fn json(response: &Response) -> Option<JsValue> {
    JsFuture::from(response.json().ok()?).await.ok()
}

/// A response's status, `ETag` and, for a `200`, its parsed body.
async fn read(response: Response) -> (u16, Option<String>, Option<JsValue>) {
    let etag = response.headers().get("ETag").ok().flatten();
    let body = match response.status() {
        200 => json(&response).await,
        _ => None,
    };
    (response.status(), etag, body)
}

/// Loads the order at `url`: from `prefetched` (the loader's early request) when given,
/// else with a request of our own, limited to [`TIMEOUT_MS`]. `prefetched` resolves to
/// a `Response`, or to the loader's reading of it, `{status, etag, body}` (the body
/// already parsed while the widget's files were on their way). With `etag`, asks only for
/// a change: `Ok(None)` means the order is as it was. An order comes with its `ETag`.
pub async fn fetch_order(
    url: &str,
    prefetched: Option<js_sys::Promise>,
    etag: Option<&str>,
) -> Result<Option<(OrderView, Option<String>)>, LoadError> {
    let (status, etag, body) = match prefetched {
        Some(promise) => {
            let answer = JsFuture::from(promise)
                .await
                .map_err(|_| LoadError::Unavailable)?;
            match answer.dyn_into::<Response>() {
                Ok(response) => read(response).await,
                Err(answer) => {
                    let get = |key: &str| Reflect::get(&answer, &key.into()).unwrap_or_default();
                    let status = get("status").as_f64().unwrap_or_default() as u16;
                    (status, get("etag").as_string(), Some(get("body")))
                }
            }
        }
        None => {
            let condition = etag.map(|etag| ("If-None-Match", etag));
            let headers = condition.as_slice();
            read(
                fetch(url, None, headers, TIMEOUT_MS)
                    .await
                    .ok_or(LoadError::Unavailable)?,
            )
            .await
        }
    };
    match status {
        200 => {}
        304 => return Ok(None),
        404 => return Err(LoadError::NotFound),
        _ => return Err(LoadError::Unavailable),
    }
    let order = body
        .and_then(|b| OrderView::from_js(&b))
        .ok_or(LoadError::Unavailable)?;
    Ok(Some((order, etag)))
}

/// The JSON body that sets (or, with `None`, clears) a delivery choice.
pub fn choice_body(choice: Option<DeliveryChoice>) -> String {
    choice_json(choice.as_ref())
}

/// The API's refusal (`{"error": {...}}`, read by the decoder): its code, its message and
/// the fields it found wrong.
pub type Refusal = ErrorDetail;

/// Sends a request to the API (`body`: JSON, for a POST) with extra `headers`, limited to
/// [`TIMEOUT_MS`]. The answer is the parsed body of a success; a refusal is the API's
/// error, `None` when there was no readable answer at all.
pub async fn send(
    url: &str,
    body: Option<String>,
    headers: &[(&str, &str)],
) -> Result<JsValue, Option<Refusal>> {
    let body = body.map(|b| (JsValue::from(b), "application/json"));
    answer(fetch(url, body, headers, TIMEOUT_MS).await).await
}

/// Sends a photo the shopper chose (a `File`) to be kept for the order (`url`: the order's
/// `/photos`): its id and size, or the API's refusal.
pub async fn upload(url: &str, file: &JsValue) -> Result<JsValue, Option<Refusal>> {
    let kind = Reflect::get(file, &"type".into())
        .ok()
        .and_then(|k| k.as_string())
        .filter(|k| !k.is_empty())
        .unwrap_or_else(|| "application/octet-stream".into());
    answer(fetch(url, Some((file.clone(), &kind)), &[], UPLOAD_MS).await).await
}

/// A response's parsed body when it succeeded, else the API's refusal.
async fn answer(response: Option<Response>) -> Result<JsValue, Option<Refusal>> {
    let response = response.ok_or(None)?;
    let value = json(&response).await.ok_or(None)?;
    if response.ok() {
        Ok(value)
    } else {
        Err(ErrorBody::from_js(&value).map(|body| body.error))
    }
}

/// Posts a parcel's delivery choice (`body` from [`choice_body`]) on condition that it is
/// still `etag`. The answer is the updated order.
pub async fn post_choice(
    order_url: &str,
    shipment: i64,
    etag: &str,
    key: &str,
    body: String,
) -> Result<OrderView, Option<Refusal>> {
    let value = send(
        &[order_url, "/shipments/", &shipment.to_string(), "/choice"].concat(),
        Some(body),
        &[("If-Match", etag), ("Idempotency-Key", key)],
    )
    .await?;
    OrderView::from_js(&value).ok_or(None)
}
