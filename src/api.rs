//! The widget's calls to the postpurchase API. Bodies are parsed by the browser
//! (`Response.json()`) and read into the shared types with serde-wasm-bindgen, so no JSON
//! parser ships in the bundle.

use gloo_net::http::Request;
use postpurchase_api::{OrderView, API_PREFIX};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

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
    let shop = js_sys::encode_uri_component(shop);
    let token = js_sys::encode_uri_component(token);
    format!("{api}{API_PREFIX}/shops/{shop}/orders/{token}")
}

/// Loads an order: from `prefetched` (a `fetch` the loader already started) when given,
/// else with a request of our own, limited to [`TIMEOUT_MS`].
pub async fn fetch_order(
    api: &str,
    shop: &str,
    token: &str,
    prefetched: Option<js_sys::Promise>,
) -> Result<OrderView, LoadError> {
    let response: web_sys::Response = match prefetched {
        Some(promise) => JsFuture::from(promise)
            .await
            .ok()
            .and_then(|r| r.dyn_into().ok())
            .ok_or(LoadError::Unavailable)?,
        None => {
            let signal = AbortSignal::timeout_with_u32(TIMEOUT_MS);
            Request::get(&order_url(api, shop, token))
                .abort_signal(Some(&signal))
                .send()
                .await
                .map_err(|_| LoadError::Unavailable)?
                .into()
        }
    };
    match response.status() {
        200 => {}
        404 => return Err(LoadError::NotFound),
        _ => return Err(LoadError::Unavailable),
    }
    let body = response.json().map_err(|_| LoadError::Unavailable)?;
    let value = JsFuture::from(body)
        .await
        .map_err(|_| LoadError::Unavailable)?;
    serde_wasm_bindgen::from_value(value).map_err(|_| LoadError::Unavailable)
}
